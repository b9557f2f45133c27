// PrepareUpserts, PrepareDeletes and WriteResultsToProto: whole-request
// errors, every per-item refusal with its field path, style resolution, and
// merging the library's results back in request order.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "api/convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/record.h"

namespace inkdex::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const StyleTaxonomy& Taxonomy() {
  static const StyleTaxonomy* const kTaxonomy = new StyleTaxonomy(*StyleTaxonomy::Default());
  return *kTaxonomy;
}

Artist ValidArtist(const std::string& id, uint64_t version = 1) {
  Artist a;
  a.set_id(id);
  a.set_name("Name of " + id);
  a.mutable_location()->set_latitude(51.5);
  a.mutable_location()->set_longitude(-0.1);
  a.set_is_active(true);
  a.set_version(version);
  return a;
}

v1::UpsertArtistsRequest Upserts(const std::vector<Artist>& artists) {
  v1::UpsertArtistsRequest request;
  for (const Artist& a : artists) *request.add_artists() = a;
  return request;
}

// The refusal of a one-artist upsert, or "" when the artist is accepted.
std::string RefusalOf(const Artist& artist) {
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts(Upserts({artist}), Taxonomy());
  EXPECT_TRUE(prepared.ok()) << prepared.status();
  if (!prepared.ok() || prepared->items.size() != 1) return "<no item>";
  const PreparedWrite::Item& item = prepared->items[0];
  if (!item.rejected) return "";
  EXPECT_EQ(item.rejected->outcome(), v1::WriteResult::OUTCOME_REJECTED);
  EXPECT_EQ(item.rejected->id(), artist.id());
  EXPECT_EQ(item.batch_index, -1);
  EXPECT_EQ(prepared->batch.size(), 0u);
  return item.rejected->reason();
}

TEST(PrepareUpserts, UnsetIsActiveMeansActiveAndFalseIsKept) {
  Artist unset = ValidArtist("unset");
  unset.clear_is_active();
  Artist inactive = ValidArtist("inactive");
  inactive.set_is_active(false);
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts(Upserts({unset, inactive}), Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  ASSERT_EQ(prepared->batch.size(), 2u);
  EXPECT_TRUE(prepared->batch.changes()[0].artist.is_active());
  EXPECT_TRUE(prepared->batch.changes()[0].artist.has_is_active());
  EXPECT_FALSE(prepared->batch.changes()[1].artist.is_active());
}

TEST(PrepareUpserts, EmptyRequestIsInvalidArgument) {
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts({}, Taxonomy());
  EXPECT_EQ(prepared.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(prepared.status().message(), "artists: must hold 1..1000 items, got 0");
}

TEST(PrepareUpserts, TooManyItemsIsInvalidArgument) {
  v1::UpsertArtistsRequest request;
  for (int i = 0; i < kMaxWriteBatch; ++i)
    *request.add_artists() = ValidArtist("a" + std::to_string(i));
  absl::StatusOr<PreparedWrite> full = PrepareUpserts(request, Taxonomy());
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->batch.size(), static_cast<size_t>(kMaxWriteBatch));

  *request.add_artists() = ValidArtist("one-too-many");
  absl::StatusOr<PreparedWrite> over = PrepareUpserts(request, Taxonomy());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(over.status().message(), "artists: must hold 1..1000 items, got 1001");
}

TEST(PrepareUpserts, StreamSequenceIsInvalidArgumentNamingTheItem) {
  Artist streamed = ValidArtist("streamed");
  streamed.set_stream_sequence("4100000000000012345");
  absl::StatusOr<PreparedWrite> prepared =
      PrepareUpserts(Upserts({ValidArtist("fine"), streamed}), Taxonomy());
  EXPECT_EQ(prepared.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(prepared.status().message(),
            "artists[1].stream_sequence: set only by the stream reader; clear it");
}

TEST(PrepareUpserts, AcceptedArtistGoesToTheBatchUnchanged) {
  Artist a = ValidArtist("artist-1", 7);
  a.set_biography("bio");
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts(Upserts({a}), Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  ASSERT_EQ(prepared->items.size(), 1u);
  EXPECT_EQ(prepared->items[0].id, "artist-1");
  EXPECT_EQ(prepared->items[0].batch_index, 0);
  EXPECT_FALSE(prepared->items[0].rejected.has_value());
  EXPECT_EQ(prepared->items[0].note, "");
  ASSERT_EQ(prepared->batch.size(), 1u);
  const Change& change = prepared->batch.changes()[0];
  EXPECT_EQ(change.kind, Change::Kind::kUpsert);
  EXPECT_EQ(change.artist.SerializeAsString(), a.SerializeAsString());
}

// An API write is unranked: a rank copied from GetArtist or an export would
// let an older version replace a newer one of a worse-ranked document.
TEST(PrepareUpserts, SourceRankIsClearedSoTheWriteComparesByVersionOnly) {
  Artist ranked = ValidArtist("ranked", 50);
  ranked.set_source_rank(1);
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts(Upserts({ranked}), Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  ASSERT_EQ(prepared->batch.size(), 1u);
  EXPECT_FALSE(prepared->items[0].rejected.has_value());
  EXPECT_EQ(prepared->batch.changes()[0].artist.source_rank(), 0u);
  EXPECT_EQ(prepared->batch.changes()[0].artist.version(), 50u);
}

// The bound covers whatever the library answers: checked against the
// largest reasons it gives (a stale stream sequence against a stored one,
// 40 digits each) and the early refusals' own results.
TEST(WriteResponseBytesBound, CoversTheLargestAnswers) {
  v1::DeleteArtistsRequest request;
  for (int i = 0; i < 300; ++i) {
    v1::ArtistDeletion* d = request.add_deletions();
    d->set_id(std::string(i % 2 == 0 ? 256 : 1, 'a' + i % 26) + std::to_string(i));
    d->set_version(i % 3 == 0 ? 0 : 7);  // every third refused early
  }
  absl::StatusOr<PreparedWrite> prepared = PrepareDeletes(request);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  const std::string forty(40, '9');
  std::vector<ChangeResult> results(
      prepared->batch.size(),
      ChangeResult{ChangeResult::Outcome::kStale,
                   "stream sequence " + forty + " <= stored stream sequence " + forty});
  const v1::WriteArtistsResponse response = WriteResultsToProto(*prepared, results, ~uint64_t{0});
  EXPECT_LE(response.ByteSizeLong(), WriteResponseBytesBound(*prepared));
  // Not wildly above: ~300 bytes an item at most beyond its id.
  EXPECT_LT(WriteResponseBytesBound(*prepared), response.ByteSizeLong() + 300 * 300);
}

TEST(PrepareUpserts, IdAndVersionAreRequired) {
  EXPECT_EQ(RefusalOf(ValidArtist("")), "artists[0].id: required");
  EXPECT_EQ(RefusalOf(ValidArtist("x", 0)), "artists[0].version: must be > 0");
}

TEST(PrepareUpserts, LibraryValidationIsReportedWithProtoFieldPaths) {
  struct Case {
    std::string what;
    std::function<void(Artist*)> spoil;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"long id", [](Artist* a) { a->set_id(std::string(300, 'x')); },
       "artists[0].id: must be at most 256 bytes, got 300"},
      {"blank id", [](Artist* a) { a->set_id("   "); },
       "artists[0].id: must not be only whitespace"},
      {"control char", [](Artist* a) { a->set_id("a\nb"); },
       "artists[0].id: contains a control character at byte 1"},
      {"blank name", [](Artist* a) { a->set_name("  "); }, "artists[0].name: must not be empty"},
      {"latitude", [](Artist* a) { a->mutable_location()->set_latitude(123); },
       "artists[0].location.latitude: must be a number in [-90, 90], got 123"},
      {"nan latitude", [](Artist* a) { a->mutable_location()->set_latitude(std::nan("")); },
       "artists[0].location.latitude: must be a number in [-90, 90], got NaN"},
      {"longitude", [](Artist* a) { a->mutable_location()->set_longitude(-181); },
       "artists[0].location.longitude: must be a number in [-180, 180], got -181"},
      {"rating", [](Artist* a) { a->set_rating(7); },
       "artists[0].rating: must be a number in [0, 5], got 7"},
      {"hourly rate", [](Artist* a) { a->mutable_pricing()->set_hourly_rate(-1); },
       "artists[0].pricing.hourly_rate: must be a number >= 0, got -1"},
      {"minimum charge", [](Artist* a) { a->mutable_pricing()->set_minimum_charge(-2); },
       "artists[0].pricing.minimum_charge: must be a number >= 0, got -2"},
      {"currency", [](Artist* a) { a->mutable_pricing()->set_currency("pounds"); },
       "artists[0].pricing.currency: must be a three-letter ISO 4217 code such as GBP, got "
       "'pounds'"},
      {"next available", [](Artist* a) { a->mutable_availability()->set_next_available("soon"); },
       "artists[0].availability.next_available: must be a date YYYY-MM-DD"},
      {"years active", [](Artist* a) { a->set_years_active(500); },
       "artists[0].years_active: must be at most 100, got 500"},
      {"updated at", [](Artist* a) { a->set_updated_at("yesterday"); },
       "artists[0].updated_at: must be an ISO-8601 date or time such as 2026-12-10T09:30:00Z"},
      {"spot latitude",
       [](Artist* a) {
         a->add_guest_spots()->set_from("2026-01-01");
         a->add_guest_spots()->mutable_location()->set_latitude(-95);
       },
       "artists[0].guest_spots[1].location.latitude: must be a number in [-90, 90], got -95"},
      {"spot without dates", [](Artist* a) { a->add_guest_spots(); },
       "artists[0].guest_spots[0].from: a guest spot needs a from or a to date (without either "
       "it would count on every day)"},
      {"spot longitude",
       [](Artist* a) { a->add_guest_spots()->mutable_location()->set_longitude(200); },
       "artists[0].guest_spots[0].location.longitude: must be a number in [-180, 180], got 200"},
      {"spot from", [](Artist* a) { a->add_guest_spots()->set_from("tomorrow"); },
       "artists[0].guest_spots[0].from: must be a date YYYY-MM-DD, got 'tomorrow'"},
      {"spot to", [](Artist* a) { a->add_guest_spots()->set_to("2026-02-30"); },
       "artists[0].guest_spots[0].to: must be a date YYYY-MM-DD, got '2026-02-30'"},
      {"spot order",
       [](Artist* a) {
         GuestSpot* spot = a->add_guest_spots();
         spot->set_from("2026-05-02");
         spot->set_to("2026-05-01");
       },
       "artists[0].guest_spots[0].from: must not be after to, got 2026-05-02 > 2026-05-01"},
      // The size limits (record/field_limits.h), named by their proto paths.
      {"long studio name", [](Artist* a) { a->mutable_studio()->set_name(std::string(2000, 's')); },
       "artists[0].studio.name: is 2000 bytes; at most 1024"},
      {"long studio id", [](Artist* a) { a->mutable_studio()->set_id(std::string(2000, 's')); },
       "artists[0].studio.id: is 2000 bytes; at most 1024"},
      {"long handle", [](Artist* a) { a->set_instagram_handle(std::string(2000, 'h')); },
       "artists[0].instagram_handle: is 2000 bytes; at most 1024"},
      {"long city", [](Artist* a) { a->mutable_location()->set_city(std::string(2000, 'c')); },
       "artists[0].location.city: is 2000 bytes; at most 1024"},
      {"long display",
       [](Artist* a) { a->mutable_location()->set_display(std::string(2000, 'd')); },
       "artists[0].location.display: is 2000 bytes; at most 1024"},
      {"long spot city",
       [](Artist* a) {
         GuestSpot* spot = a->add_guest_spots();
         spot->set_from("2026-01-01");
         spot->mutable_location()->set_city(std::string(2000, 'c'));
       },
       "artists[0].guest_spots[0].location.city: is 2000 bytes; at most 1024"},
      {"many unknown styles",
       [](Artist* a) {
         for (int i = 0; i < 1000; ++i) a->add_styles("no-such-style-" + std::to_string(i));
       },
       "artists[0].styles (unknown ones): has 1000 entries; at most 64"},
  };
  for (const Case& c : cases) {
    Artist a = ValidArtist("artist-1");
    c.spoil(&a);
    EXPECT_EQ(RefusalOf(a), c.reason) << c.what;
  }
}

TEST(PrepareUpserts, ItemIndexInTheFieldPathIsTheRequestPosition) {
  Artist bad = ValidArtist("bad");
  bad.mutable_location()->set_latitude(123);
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts(
      Upserts({ValidArtist("a"), ValidArtist(""), bad, ValidArtist("d")}), Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  ASSERT_EQ(prepared->items.size(), 4u);
  EXPECT_EQ(prepared->items[0].batch_index, 0);
  EXPECT_EQ(prepared->items[1].rejected->reason(), "artists[1].id: required");
  EXPECT_THAT(prepared->items[2].rejected->reason(),
              StartsWith("artists[2].location.latitude: must be a number"));
  EXPECT_EQ(prepared->items[2].id, "bad");
  EXPECT_EQ(prepared->items[3].batch_index, 1);
  ASSERT_EQ(prepared->batch.size(), 2u);
  EXPECT_EQ(prepared->batch.changes()[1].artist.id(), "d");
}

// As the record parser: known styles in the record's order (the first is
// often the artist's main style), each once. They were once sorted here, so
// GetArtist and exports of an artist written through the API differed from
// the same record built or streamed.
TEST(PrepareUpserts, StylesResolveToUniqueIdsInTheRecordsOrderAndUnknownsAreKept) {
  Artist a = ValidArtist("artist-1");
  for (const char* s : {"neotraditional", "Fine Line", "fineline", "dragonz", " traditional "}) {
    a.add_styles(s);
  }
  // A record read back carries its unknown styles; a now-known one moves over.
  a.add_unknown_styles("dragonz");
  a.add_unknown_styles("watercolor");
  a.add_unknown_styles("Wyverns");
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts(Upserts({a}), Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  ASSERT_EQ(prepared->batch.size(), 1u);
  const Artist& stored = prepared->batch.changes()[0].artist;
  EXPECT_THAT(stored.styles(),
              ElementsAre("neo_traditional", "fineline", "traditional", "watercolour"));
  EXPECT_THAT(stored.unknown_styles(), ElementsAre("dragonz", "Wyverns"));
  EXPECT_EQ(prepared->items[0].note, "unknown styles: dragonz, Wyverns");
}

// An artist written through the API is stored in the normal forms the record
// parser gives the same fields, so it facets ("London, GB"), suggests and
// exports alike however it was written.
TEST(PrepareUpserts, FieldsTakeTheRecordParsersNormalForms) {
  Artist a = ValidArtist("artist-1");
  a.mutable_location()->set_country("gb");
  GuestSpot* spot = a.add_guest_spots();
  *spot->mutable_location() = a.location();
  spot->mutable_location()->set_country(" fr ");
  spot->set_from("2026-12-01");
  a.mutable_pricing()->set_currency("gbp");
  a.mutable_pricing()->set_hourly_rate(100);
  a.set_instagram_handle(" @caseprobe ");
  for (const char* s : {"  roses  ", " ", "koi"}) a.add_specialties(s);
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts(Upserts({a}), Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  ASSERT_EQ(prepared->batch.size(), 1u) << prepared->items[0].rejected->reason();
  const Artist& stored = prepared->batch.changes()[0].artist;
  EXPECT_EQ(stored.location().country(), "GB");
  EXPECT_EQ(stored.guest_spots(0).location().country(), "FR");
  EXPECT_EQ(stored.pricing().currency(), "GBP");
  EXPECT_EQ(stored.instagram_handle(), "caseprobe");
  EXPECT_THAT(stored.specialties(), ElementsAre("roses", "koi"));

  // What the record parser makes of the same fields.
  absl::StatusOr<ParsedRecord> parsed = ParseArtistRecord(
      R"({"artistId": "p", "artistName": "P", "latitude": 51.5, "longitude": -0.1,
          "locationCountry": "gb", "instagramHandle": " @caseprobe ",
          "specialties": ["  roses  ", " ", "koi"], "pricing": {"hourlyRate": 100,
          "currency": "gbp"}, "styles": ["neotraditional", "Fine Line"]})",
      Taxonomy(), RecordFormat::kAuto);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->artist.location().country(), stored.location().country());
  EXPECT_EQ(parsed->artist.pricing().currency(), stored.pricing().currency());
  EXPECT_EQ(parsed->artist.instagram_handle(), stored.instagram_handle());
  EXPECT_THAT(parsed->artist.specialties(), ElementsAre("roses", "koi"));
  EXPECT_THAT(parsed->artist.styles(), ElementsAre("neo_traditional", "fineline"));
}

// Blank specialties are dropped before the artist is checked; a refusal
// still names the entry by its index in the caller's list.
TEST(PrepareUpserts, ASpecialtyIsRefusedByItsIndexInTheRequest) {
  Artist a = ValidArtist("a");
  for (const char* s : {" ", "koi", ""}) a.add_specialties(s);
  a.add_specialties(std::string(2000, 'x'));
  EXPECT_THAT(RefusalOf(a), ::testing::StartsWith("artists[0].specialties[3]: "));
  Artist b = ValidArtist("b");
  b.add_specialties(std::string(2000, 'y'));
  b.add_specialties(" ");
  EXPECT_THAT(RefusalOf(b), ::testing::StartsWith("artists[0].specialties[0]: "));
}

TEST(PrepareUpserts, BadStyleNamesAreRefusedWithTheirPath) {
  Artist empty_style = ValidArtist("a");
  empty_style.add_styles("japanese");
  empty_style.add_styles(" ");
  EXPECT_EQ(RefusalOf(empty_style), "artists[0].styles[1]: must not be empty");

  Artist empty_unknown = ValidArtist("a");
  empty_unknown.add_unknown_styles("");
  EXPECT_EQ(RefusalOf(empty_unknown), "artists[0].unknown_styles[0]: must not be empty");

  Artist long_style = ValidArtist("a");
  long_style.add_styles(std::string(300, 's'));
  EXPECT_EQ(RefusalOf(long_style), "artists[0].styles[0]: must be at most 256 bytes, got 300");
}

TEST(PrepareDeletes, WholeRequestErrors) {
  absl::StatusOr<PreparedWrite> empty = PrepareDeletes({});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().message(), "deletions: must hold 1..1000 items, got 0");

  v1::DeleteArtistsRequest request;
  for (int i = 0; i <= kMaxWriteBatch; ++i) {
    v1::ArtistDeletion* d = request.add_deletions();
    d->set_id("a" + std::to_string(i));
    d->set_version(1);
  }
  absl::StatusOr<PreparedWrite> over = PrepareDeletes(request);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(over.status().message(), "deletions: must hold 1..1000 items, got 1001");
}

TEST(PrepareDeletes, PerItemRefusalsAndTheBatch) {
  v1::DeleteArtistsRequest request;
  auto add = [&request](std::string id, uint64_t version) {
    v1::ArtistDeletion* d = request.add_deletions();
    d->set_id(std::move(id));
    d->set_version(version);
  };
  add("keep-1", 5);
  add("", 5);
  add("no-version", 0);
  add(std::string(257, 'x'), 5);
  add("keep-2", 9);
  absl::StatusOr<PreparedWrite> prepared = PrepareDeletes(request);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  ASSERT_EQ(prepared->items.size(), 5u);
  EXPECT_EQ(prepared->items[1].rejected->reason(), "deletions[1].id: required");
  EXPECT_EQ(prepared->items[2].rejected->reason(), "deletions[2].version: must be > 0");
  EXPECT_EQ(prepared->items[2].rejected->id(), "no-version");
  EXPECT_EQ(prepared->items[3].rejected->reason(),
            "deletions[3].id: must be at most 256 bytes, got 257");
  for (int i : {1, 2, 3}) {
    EXPECT_EQ(prepared->items[i].rejected->outcome(), v1::WriteResult::OUTCOME_REJECTED);
    EXPECT_EQ(prepared->items[i].batch_index, -1);
  }
  EXPECT_EQ(prepared->items[0].batch_index, 0);
  EXPECT_EQ(prepared->items[4].batch_index, 1);
  ASSERT_EQ(prepared->batch.size(), 2u);
  const Change& second = prepared->batch.changes()[1];
  EXPECT_EQ(second.kind, Change::Kind::kDelete);
  EXPECT_EQ(second.id, "keep-2");
  EXPECT_EQ(second.version, 9u);
}

TEST(WriteResultsToProto, MergesEarlyRefusalsAndLibraryResultsInRequestOrder) {
  Artist with_unknown = ValidArtist("c");
  with_unknown.add_styles("dragonz");
  absl::StatusOr<PreparedWrite> prepared =
      PrepareUpserts(Upserts({ValidArtist("a"), ValidArtist("b", 0), with_unknown, ValidArtist("d"),
                              ValidArtist("e")}),
                     Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  ASSERT_EQ(prepared->batch.size(), 4u);
  const std::vector<ChangeResult> results = {
      {ChangeResult::Outcome::kApplied, ""},
      {ChangeResult::Outcome::kApplied, ""},
      {ChangeResult::Outcome::kStale, "version 1 <= stored version 5"},
      {ChangeResult::Outcome::kRejected, "latitude: must be a number in [-90, 90], got 99"},
  };
  const v1::WriteArtistsResponse response = WriteResultsToProto(*prepared, results, 42);
  EXPECT_EQ(response.commit_seq(), 42u);
  ASSERT_EQ(response.results_size(), 5);
  auto expect = [&](int i, const char* id, v1::WriteResult::Outcome outcome, const char* reason) {
    EXPECT_EQ(response.results(i).id(), id) << i;
    EXPECT_EQ(response.results(i).outcome(), outcome) << i;
    EXPECT_EQ(response.results(i).reason(), reason) << i;
  };
  expect(0, "a", v1::WriteResult::OUTCOME_APPLIED, "");
  expect(1, "b", v1::WriteResult::OUTCOME_REJECTED, "artists[1].version: must be > 0");
  expect(2, "c", v1::WriteResult::OUTCOME_APPLIED, "unknown styles: dragonz");
  expect(3, "d", v1::WriteResult::OUTCOME_STALE, "version 1 <= stored version 5");
  expect(4, "e", v1::WriteResult::OUTCOME_REJECTED,
         "artists[4].location.latitude: must be a number in [-90, 90], got 99");
}

TEST(WriteResultsToProto, LibraryRejectionOfADeleteNamesTheDeletion) {
  v1::DeleteArtistsRequest request;
  v1::ArtistDeletion* d = request.add_deletions();
  d->set_id("x");
  d->set_version(3);
  absl::StatusOr<PreparedWrite> prepared = PrepareDeletes(request);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  const v1::WriteArtistsResponse response = WriteResultsToProto(
      *prepared, {{ChangeResult::Outcome::kRejected, "id: must be 1..256 bytes"}}, 1);
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).outcome(), v1::WriteResult::OUTCOME_REJECTED);
  EXPECT_EQ(response.results(0).reason(), "deletions[0].id: must be 1..256 bytes");
}

TEST(WriteResultsToProto, MissingLibraryResultIsReportedNotInvented) {
  absl::StatusOr<PreparedWrite> prepared =
      PrepareUpserts(Upserts({ValidArtist("a"), ValidArtist("b")}), Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  const v1::WriteArtistsResponse response =
      WriteResultsToProto(*prepared, {{ChangeResult::Outcome::kApplied, ""}}, 3);
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).outcome(), v1::WriteResult::OUTCOME_APPLIED);
  EXPECT_EQ(response.results(1).outcome(), v1::WriteResult::OUTCOME_REJECTED);
  EXPECT_THAT(response.results(1).reason(), HasSubstr("internal"));
}

TEST(WriteResultsToProto, AllRefusedNeedsNoLibraryResults) {
  absl::StatusOr<PreparedWrite> prepared = PrepareUpserts(Upserts({ValidArtist("")}), Taxonomy());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_THAT(prepared->batch.changes(), IsEmpty());
  const v1::WriteArtistsResponse response = WriteResultsToProto(*prepared, {}, 0);
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).reason(), "artists[0].id: required");
}

}  // namespace
}  // namespace inkdex::api
