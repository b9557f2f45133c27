// RecordMapper: stream records (GetRecords and Lambda shapes, parsed by
// ParseStreamRecord) and Scan items -> index changes, through the default
// and a custom ItemMapping; and the changes applied to a real index.
#include "stream/record_mapper.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "dynamodb/fast_json.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "stream/record_batch.h"
#include "stream/stream_applier.h"
#include "stream/stream_record_test_util.h"

namespace inkdex::stream {
namespace {

using dynamodb::ParseStreamRecord;
using dynamodb::StreamRecord;
using nlohmann::json;

using testing::ArtistImage;
using testing::kArn;
using testing::KeysOf;
using testing::LambdaRecord;
using testing::OtherMappers;
using testing::Outcome;
using testing::RandomJson;
using testing::RecordFields;
using testing::Taxonomy;
using testing::VariedRecordTexts;

StreamRecord Parse(const json& raw) {
  absl::StatusOr<StreamRecord> record = ParseStreamRecord(raw);
  EXPECT_TRUE(record.ok()) << record.status();
  return record.ok() ? *std::move(record) : StreamRecord{};
}

class RecordMapperTest : public ::testing::Test {
 protected:
  RecordMapper mapper_{ItemMapping::Default(), Taxonomy()};
};

TEST(ParseStreamRecordTest, ReadsTheLambdaShape) {
  json image = ArtistImage("a1");
  StreamRecord record =
      Parse(LambdaRecord("INSERT", "000000000000000000042", KeysOf(image), image, nullptr));
  EXPECT_EQ(record.event_id, "ev-000000000000000000042");
  EXPECT_EQ(record.event_name, "INSERT");
  EXPECT_EQ(record.event_source_arn, kArn);
  EXPECT_EQ(record.sequence_number, "000000000000000000042");
  EXPECT_EQ(record.stream_view_type, "NEW_AND_OLD_IMAGES");
  EXPECT_EQ(record.size_bytes, 321);
  ASSERT_TRUE(record.approximate_creation_time.has_value());
  EXPECT_EQ(absl::ToUnixSeconds(*record.approximate_creation_time), 1767225600);
  EXPECT_EQ(record.keys, KeysOf(image));
  EXPECT_EQ(record.new_image, image);
  EXPECT_TRUE(record.old_image.is_null());
  EXPECT_EQ(record.raw["eventSourceARN"], kArn);
}

TEST(ParseStreamRecordTest, RequiresAnObjectWithDynamodbAndASequenceNumber) {
  EXPECT_EQ(ParseStreamRecord(json::array()).status().message(), "record: must be an object");
  EXPECT_EQ(ParseStreamRecord(json{{"eventName", "INSERT"}}).status().message(),
            "dynamodb: missing or not an object");
  EXPECT_EQ(ParseStreamRecord(json{{"dynamodb", {{"Keys", json::object()}}}}).status().message(),
            "dynamodb.SequenceNumber: missing");
  EXPECT_EQ(ParseStreamRecord(json{{"dynamodb", {{"SequenceNumber", 42}}}}).status().message(),
            "dynamodb.SequenceNumber: missing");
  // An absurd creation time is left unset, not overflowed.
  absl::StatusOr<StreamRecord> record = ParseStreamRecord(
      json{{"dynamodb", {{"SequenceNumber", "1"}, {"ApproximateCreationDateTime", 1e300}}}});
  ASSERT_TRUE(record.ok());
  EXPECT_FALSE(record->approximate_creation_time.has_value());
}

TEST_F(RecordMapperTest, InsertIsAnUpsertVersionedBySequenceNumber) {
  json image = ArtistImage("a1");
  MappedRecord r = mapper_.Map(
      Parse(LambdaRecord("INSERT", "000000000000000000100", KeysOf(image), image, nullptr)));
  ASSERT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_EQ(r.artist_id, "a1");
  EXPECT_EQ(r.sequence_number, "000000000000000000100");
  EXPECT_EQ(r.artist.id(), "a1");
  EXPECT_EQ(r.artist.name(), "Sarah Mitchell");
  EXPECT_EQ(r.artist.stream_sequence(), "000000000000000000100");
  EXPECT_DOUBLE_EQ(r.artist.location().latitude(), 51.5225);
  EXPECT_DOUBLE_EQ(r.artist.rating(), 4.8);
  // The unknown style is kept and reported, never a reject.
  ASSERT_EQ(r.artist.unknown_styles_size(), 1);
  EXPECT_EQ(r.artist.unknown_styles(0), "koi-fish");
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_EQ(MetricReason(r), "none");
}

TEST_F(RecordMapperTest, ModifyIsAnUpsertOfTheNewImage) {
  json old_image = ArtistImage("a1");
  json image = old_image;
  image["artistName"] = {{"S", "Sarah M."}};
  MappedRecord r =
      mapper_.Map(Parse(LambdaRecord("MODIFY", "200", KeysOf(image), image, old_image)));
  ASSERT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_EQ(r.artist.name(), "Sarah M.");
  EXPECT_EQ(r.artist.stream_sequence(), "200");
}

TEST_F(RecordMapperTest, RemoveIsADeleteOfTheKeysId) {
  json old_image = ArtistImage("a7");
  MappedRecord r =
      mapper_.Map(Parse(LambdaRecord("REMOVE", "300", KeysOf(old_image), nullptr, old_image)));
  ASSERT_EQ(r.action, RecordAction::kDelete) << r.reason;
  EXPECT_EQ(r.artist_id, "a7");
  EXPECT_EQ(r.sequence_number, "300");
  // KEYS_ONLY and NEW_IMAGE streams carry no OldImage: the Keys are enough.
  r = mapper_.Map(Parse(LambdaRecord("REMOVE", "301", KeysOf(old_image), nullptr, nullptr)));
  ASSERT_EQ(r.action, RecordAction::kDelete) << r.reason;
  EXPECT_EQ(r.artist_id, "a7");
}

TEST_F(RecordMapperTest, OptedOutAndInactiveAreUpsertsOfHiddenArtists) {
  json image = ArtistImage("a1");
  image["opted_out"] = {{"BOOL", true}};
  MappedRecord r = mapper_.Map(Parse(LambdaRecord("MODIFY", "400", KeysOf(image), image, nullptr)));
  ASSERT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_TRUE(r.artist.opted_out());

  image["opted_out"] = {{"BOOL", false}};  // and back
  r = mapper_.Map(Parse(LambdaRecord("MODIFY", "401", KeysOf(image), image, nullptr)));
  ASSERT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_FALSE(r.artist.opted_out());

  image["isActive"] = {{"BOOL", false}};
  r = mapper_.Map(Parse(LambdaRecord("MODIFY", "402", KeysOf(image), image, nullptr)));
  ASSERT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_FALSE(r.artist.is_active());
}

TEST_F(RecordMapperTest, HiddenArtistThatCannotBeIndexedIsRemoved) {
  json image = ArtistImage("a1");
  image.erase("latitude");
  image["opted_out"] = {{"BOOL", true}};
  MappedRecord r = mapper_.Map(Parse(LambdaRecord("MODIFY", "450", KeysOf(image), image, nullptr)));
  ASSERT_EQ(r.action, RecordAction::kDelete) << r.reason;
  EXPECT_EQ(r.artist_id, "a1");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(absl::StrContains(r.warnings[0], "latitude: missing")) << r.warnings[0];
  EXPECT_TRUE(absl::StrContains(r.warnings[0], "opted_out is true")) << r.warnings[0];

  image.erase("opted_out");
  image["isActive"] = {{"S", "false"}};
  r = mapper_.Map(Parse(LambdaRecord("MODIFY", "451", KeysOf(image), image, nullptr)));
  EXPECT_EQ(r.action, RecordAction::kDelete) << r.reason;

  // A scan item builds a fresh index: left out is enough.
  r = mapper_.MapItem(image);
  EXPECT_EQ(r.action, RecordAction::kReject);
  EXPECT_EQ(r.reason, "latitude: missing");
}

// The visibility flags of a record that cannot be indexed are read as the
// record parser reads them: 1/0 as DynamoDB's N, and any other value fails
// safe as hidden. Before, only BOOL and S "true"/"false" were read there, so
// a broken record with `isActive: {"N": "0"}` was rejected and the artist
// stayed searchable, although the same record intact hides the artist.
TEST_F(RecordMapperTest, AHiddenArtistIsRemovedWhateverSpellingItsFlagsHave) {
  const std::pair<const char*, json> hidden[] = {
      {"isActive", {{"N", "0"}}},
      {"opted_out", {{"N", "1"}}},
      {"optedOut", {{"S", "yes"}}},
      {"isActive", {{"N", "7"}}},
      {"opted_out", {{"L", json::array()}}},
  };
  int seq = 460;
  for (const auto& [name, value] : hidden) {
    json image = ArtistImage("a1");
    image.erase("latitude");
    image[name] = value;
    MappedRecord r = mapper_.Map(
        Parse(LambdaRecord("MODIFY", std::to_string(seq++), KeysOf(image), image, nullptr)));
    EXPECT_EQ(r.action, RecordAction::kDelete) << name << " " << value.dump() << ": " << r.reason;
    ASSERT_EQ(r.warnings.size(), 1u) << name;
    EXPECT_TRUE(absl::StrContains(r.warnings[0], name)) << r.warnings[0];
  }
  const std::pair<const char*, json> shown[] = {
      {"isActive", {{"N", "1"}}},
      {"opted_out", {{"N", "0"}}},
      {"optedOut", {{"NULL", true}}},
  };
  for (const auto& [name, value] : shown) {
    json image = ArtistImage("a1");
    image.erase("latitude");
    image[name] = value;
    MappedRecord r = mapper_.Map(
        Parse(LambdaRecord("MODIFY", std::to_string(seq++), KeysOf(image), image, nullptr)));
    EXPECT_EQ(r.action, RecordAction::kReject) << name << " " << value.dump();
    EXPECT_EQ(r.reason, "latitude: missing");
  }
}

TEST_F(RecordMapperTest, OtherItemTypesAreIgnoredAndNamed) {
  json studio{{"PK", {{"S", "STUDIO#s1"}}}, {"SK", {{"S", "PROFILE"}}}, {"name", {{"S", "X"}}}};
  MappedRecord r =
      mapper_.Map(Parse(LambdaRecord("INSERT", "500", KeysOf(studio), studio, nullptr)));
  EXPECT_EQ(r.action, RecordAction::kIgnore);
  EXPECT_EQ(r.reason, "STUDIO");
  EXPECT_EQ(MetricReason(r), "other_item");
  // Removing a studio is ignored too: never a delete of an artist id.
  r = mapper_.Map(Parse(LambdaRecord("REMOVE", "501", KeysOf(studio), nullptr, studio)));
  EXPECT_EQ(r.action, RecordAction::kIgnore);
  json review = ArtistImage("a1", "REVIEW#r9");
  r = mapper_.Map(Parse(LambdaRecord("INSERT", "502", KeysOf(review), review, nullptr)));
  EXPECT_EQ(r.action, RecordAction::kIgnore);
  EXPECT_EQ(r.reason, "ARTIST/REVIEW");
}

TEST_F(RecordMapperTest, OlderProfileSortKeyIsAnArtist) {
  json image = ArtistImage("old-1", "PROFILE");
  image.erase("artistName");
  image["name"] = {{"S", "Old Spelling"}};
  MappedRecord r = mapper_.Map(Parse(LambdaRecord("INSERT", "600", KeysOf(image), image, nullptr)));
  ASSERT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_EQ(r.artist.id(), "old-1");
  EXPECT_EQ(r.artist.name(), "Old Spelling");
}

TEST_F(RecordMapperTest, ArtistsThatCannotBeIndexedAreRejectedWithAReason) {
  struct Case {
    std::function<void(json& record)> damage;
    std::string reason;
    std::string metric;
  } cases[] = {
      {[](json& r) { r["dynamodb"]["NewImage"].erase("latitude"); }, "latitude: missing",
       "invalid_field"},
      {[](json& r) {
         r["dynamodb"]["NewImage"]["latitude"] = {{"S", "north"}};
       },
       "latitude: ", "invalid_field"},
      {[](json& r) {
         r["dynamodb"]["NewImage"]["longitude"] = {{"N", "200"}};
       },
       "longitude: ", "invalid_field"},
      {[](json& r) {
         r["dynamodb"]["NewImage"]["artistName"] = {{"L", json::array()}};
       },
       "artistName: ", "invalid_field"},
      {[](json& r) { r["dynamodb"]["SequenceNumber"] = "12a"; },
       "dynamodb.SequenceNumber: must be 1..40 decimal digits, got '12a'", "invalid_record"},
      {[](json& r) { r["dynamodb"]["SequenceNumber"] = std::string(41, '1'); },
       "dynamodb.SequenceNumber: must be 1..40 decimal digits", "invalid_record"},
      {[](json& r) { r["dynamodb"].erase("NewImage"); },
       "dynamodb.NewImage: missing: the stream view NEW_AND_OLD_IMAGES carries no new images",
       "missing_image"},
      {[](json& r) {
         r["dynamodb"].erase("NewImage");
         r["dynamodb"]["StreamViewType"] = "KEYS_ONLY";
       },
       "dynamodb.NewImage: missing: the stream view KEYS_ONLY carries no new images; it must be "
       "NEW_IMAGE or NEW_AND_OLD_IMAGES",
       "missing_image"},
      {[](json& r) { r["eventName"] = "UPSERT"; },
       "eventName: must be INSERT, MODIFY or REMOVE, got 'UPSERT'", "invalid_record"},
      {[](json& r) { r.erase("eventName"); }, "eventName: must be INSERT, MODIFY or REMOVE, got ''",
       "invalid_record"},
      {[](json& r) {
         r["dynamodb"]["Keys"]["PK"] = {{"S", "ARTIST#"}};
       },
       "dynamodb.Keys.PK: no artist id after 'ARTIST#'", "invalid_record"},
      {[](json& r) {
         r["dynamodb"]["Keys"]["PK"] = {{"S", "ARTIST#" + std::string(300, 'x')}};
       },
       "dynamodb.Keys.PK: artist id must be at most 256 bytes, got 300", "invalid_record"},
      {[](json& r) {
         r["dynamodb"]["Keys"] = {{"id", {{"S", "x"}}}};
       },
       "dynamodb.Keys.PK: missing or not a string", "invalid_record"},
  };
  for (const Case& c : cases) {
    json image = ArtistImage("a1");
    json raw = LambdaRecord("MODIFY", "700", KeysOf(image), image, nullptr);
    c.damage(raw);
    absl::StatusOr<StreamRecord> record = ParseStreamRecord(raw);
    ASSERT_TRUE(record.ok()) << record.status();
    MappedRecord r = mapper_.Map(*record);
    EXPECT_EQ(r.action, RecordAction::kReject) << c.reason;
    EXPECT_TRUE(absl::StartsWith(r.reason, c.reason))
        << "got: " << r.reason << "\nwant: " << c.reason;
    EXPECT_EQ(MetricReason(r), c.metric) << r.reason;
    WriteBatch batch;
    AddToBatch(std::move(r), &batch);
    EXPECT_TRUE(batch.empty());
  }
}

TEST_F(RecordMapperTest, RenamedFieldsFromAMappingFile) {
  absl::StatusOr<ItemMapping> mapping = ItemMapping::Parse(R"({
      "artistItems": {"partitionKey": "TATTOOIST#*", "sortKey": "*"},
      "artistId": {"from": "attribute", "attribute": "tattooistId"},
      "fields": {"artistName": "displayName", "latitude": "geo.lat", "longitude": "geo.lng",
                 "studioInfo.studioName": "studio"}})",
                                                           "custom.json");
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  RecordMapper mapper(*std::move(mapping), Taxonomy());
  json image{{"PK", {{"S", "TATTOOIST#7"}}},
             {"SK", {{"S", "v1"}}},
             {"tattooistId", {{"S", "t-7"}}},
             {"displayName", {{"S", "Kai"}}},
             {"geo", {{"M", {{"lat", {{"N", "35.0"}}}, {"lng", {{"N", "139.0"}}}}}}},
             {"studio", {{"S", "Horiyoshi"}}}};
  MappedRecord r = mapper.Map(Parse(LambdaRecord("INSERT", "800", KeysOf(image), image, nullptr)));
  ASSERT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_EQ(r.artist_id, "t-7");
  EXPECT_EQ(r.artist.name(), "Kai");
  EXPECT_DOUBLE_EQ(r.artist.location().latitude(), 35.0);
  EXPECT_DOUBLE_EQ(r.artist.location().longitude(), 139.0);
  EXPECT_EQ(r.artist.studio().name(), "Horiyoshi");

  json broken = image;
  broken["geo"]["M"].erase("lat");
  r = mapper.Map(Parse(LambdaRecord("MODIFY", "801", KeysOf(image), broken, image)));
  EXPECT_EQ(r.action, RecordAction::kReject);
  EXPECT_EQ(r.reason, "latitude: missing (mapped from geo.lat)");
  EXPECT_EQ(r.artist_id, "t-7");

  // The id is an attribute: a REMOVE needs the OldImage.
  r = mapper.Map(Parse(LambdaRecord("REMOVE", "802", KeysOf(image), nullptr, image)));
  ASSERT_EQ(r.action, RecordAction::kDelete) << r.reason;
  EXPECT_EQ(r.artist_id, "t-7");
  r = mapper.Map(Parse(LambdaRecord("REMOVE", "803", KeysOf(image), nullptr, nullptr)));
  EXPECT_EQ(r.action, RecordAction::kReject);
  EXPECT_TRUE(absl::StartsWith(r.reason, "dynamodb.OldImage: missing")) << r.reason;
  EXPECT_EQ(MetricReason(r), "missing_image");
}

TEST_F(RecordMapperTest, MapItemMapsScanItemsWithoutAStreamVersion) {
  json item = ArtistImage("s1");
  item["streamSequence"] = {{"S", "999"}};  // never a version from a scan
  MappedRecord r = mapper_.MapItem(item);
  ASSERT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_EQ(r.artist_id, "s1");
  EXPECT_TRUE(r.artist.stream_sequence().empty());
  EXPECT_TRUE(r.sequence_number.empty());
  r = mapper_.MapItem(json{{"Item", ArtistImage("s2")}});
  EXPECT_EQ(r.action, RecordAction::kUpsert) << r.reason;
  EXPECT_EQ(r.artist_id, "s2");

  r = mapper_.MapItem(json{{"PK", {{"S", "STYLE#koi"}}}, {"SK", {{"S", "METADATA"}}}});
  EXPECT_EQ(r.action, RecordAction::kIgnore);
  EXPECT_EQ(r.reason, "STYLE");
  r = mapper_.MapItem(json{{"artistId", {{"S", "x"}}}});
  EXPECT_EQ(r.action, RecordAction::kReject);
  EXPECT_EQ(r.reason, "item.PK: missing or not a string");
  EXPECT_EQ(MetricReason(r), "invalid_record");
  r = mapper_.MapItem(json(42));
  EXPECT_EQ(r.action, RecordAction::kReject);
}

TEST_F(RecordMapperTest, AddToBatchAddsUpsertsAndStreamDeletes) {
  json image = ArtistImage("a1");
  WriteBatch batch;
  AddToBatch(mapper_.Map(Parse(LambdaRecord("INSERT", "10", KeysOf(image), image, nullptr))),
             &batch);
  AddToBatch(mapper_.Map(Parse(LambdaRecord("REMOVE", "11", KeysOf(image), nullptr, image))),
             &batch);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.changes()[0].kind, Change::Kind::kUpsert);
  EXPECT_EQ(batch.changes()[0].artist.stream_sequence(), "10");
  EXPECT_EQ(batch.changes()[1].kind, Change::Kind::kDelete);
  EXPECT_EQ(batch.changes()[1].id, "a1");
  EXPECT_EQ(batch.changes()[1].stream_sequence, "11");
  // Both carry the item's rank: METADATA, the first sort-key pattern.
  EXPECT_EQ(batch.changes()[0].artist.source_rank(), 1u);
  EXPECT_EQ(batch.changes()[1].source_rank, 1u);
}

// Applied to a real index: duplicates and older records are stale, a REMOVE
// hides the artist, an opted-out artist is kept but not served.
TEST_F(RecordMapperTest, MappedRecordsApplyIdempotentlyToAnIndex) {
  inkdex::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  auto apply = [&](const json& raw) {
    WriteBatch batch;
    AddToBatch(mapper_.Map(Parse(raw)), &batch);
    absl::StatusOr<std::vector<ChangeResult>> results = (*index)->Apply(batch);
    EXPECT_TRUE(results.ok()) << results.status();
    EXPECT_EQ(results->size(), 1u);
    return results->empty() ? ChangeResult::Outcome::kRejected : (*results)[0].outcome;
  };
  json image = ArtistImage("a1");
  const json insert =
      LambdaRecord("INSERT", "000000000000000000100", KeysOf(image), image, nullptr);
  EXPECT_EQ(apply(insert), ChangeResult::Outcome::kApplied);
  EXPECT_EQ(apply(insert), ChangeResult::Outcome::kStale);  // duplicate delivery
  json renamed = image;
  renamed["artistName"] = {{"S", "New Name"}};
  EXPECT_EQ(apply(LambdaRecord("MODIFY", "000000000000000000200", KeysOf(image), renamed, image)),
            ChangeResult::Outcome::kApplied);
  EXPECT_EQ(apply(insert), ChangeResult::Outcome::kStale);  // older, retried
  EXPECT_EQ((*index)->Get("a1").value().name(), "New Name");

  json opted = renamed;
  opted["opted_out"] = {{"BOOL", true}};
  EXPECT_EQ(apply(LambdaRecord("MODIFY", "000000000000000000300", KeysOf(image), opted, renamed)),
            ChangeResult::Outcome::kApplied);
  EXPECT_TRUE(absl::IsNotFound((*index)->Get("a1").status()));
  EXPECT_EQ(apply(LambdaRecord("MODIFY", "000000000000000000400", KeysOf(image), renamed, opted)),
            ChangeResult::Outcome::kApplied);
  EXPECT_TRUE((*index)->Get("a1").ok());

  EXPECT_EQ(apply(LambdaRecord("REMOVE", "000000000000000000500", KeysOf(image), nullptr, renamed)),
            ChangeResult::Outcome::kApplied);
  EXPECT_TRUE(absl::IsNotFound((*index)->Get("a1").status()));
  // The MODIFY before the REMOVE, delivered again, does not bring it back.
  EXPECT_EQ(apply(LambdaRecord("MODIFY", "000000000000000000400", KeysOf(image), renamed, opted)),
            ChangeResult::Outcome::kStale);
  EXPECT_TRUE(absl::IsNotFound((*index)->Get("a1").status()));
}

// The migration of the data model: ARTIST#dup1/PROFILE indexed, then
// METADATA written and PROFILE deleted. The artist follows its METADATA
// item (the first sort-key pattern); PROFILE's REMOVE is stale, naming both.
TEST_F(RecordMapperTest, AnArtistFollowsItsHighestRankedItem) {
  const json profile = ArtistImage("dup1", "PROFILE");
  json metadata = ArtistImage("dup1", "METADATA");
  metadata["artistName"] = {{"S", "Migrated"}};
  MappedRecord mapped =
      mapper_.Map(Parse(LambdaRecord("REMOVE", "3", KeysOf(profile), nullptr, profile)));
  EXPECT_EQ(mapped.source_rank, 2u);
  EXPECT_EQ(mapper_.MapItem(metadata).artist.source_rank(), 1u);

  inkdex::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  std::vector<StreamRecord> records = {
      Parse(LambdaRecord("INSERT", "1", KeysOf(profile), profile, nullptr)),
      Parse(LambdaRecord("INSERT", "2", KeysOf(metadata), metadata, nullptr)),
      Parse(LambdaRecord("REMOVE", "3", KeysOf(profile), nullptr, profile))};
  for (const StreamRecord& record : records) {
    absl::StatusOr<std::vector<RecordResult>> results = ApplyRecordBatch(
        mapper_, {record}, {}, [&](const WriteBatch& b) { return (*index)->Apply(b); });
    ASSERT_TRUE(results.ok()) << results.status();
    if (record.event_name == "REMOVE") {
      EXPECT_EQ((*results)[0].outcome, RecordOutcome::kStale);
      EXPECT_EQ((*results)[0].reason,
                "outranked: the artist's document comes from its SK METADATA item, which takes "
                "precedence over this record's SK PROFILE item (kept: the artist falls back to "
                "it if the SK METADATA item is removed)");
    } else {
      EXPECT_EQ((*results)[0].outcome, RecordOutcome::kApplied) << (*results)[0].reason;
    }
  }
  absl::StatusOr<Artist> artist = (*index)->Get("dup1");
  ASSERT_TRUE(artist.ok()) << artist.status();
  EXPECT_EQ(artist->name(), "Migrated");
}

// The defect item states fix (index/item_states.h): METADATA's REMOVE while
// PROFILE is still in the table. Through the stream reader's and the
// Lambda's path (ApplyRecordBatch), the artist falls back to PROFILE's
// latest image, kept while METADATA was served; replays change nothing.
TEST_F(RecordMapperTest, AMetadataRemoveFallsBackToTheProfileItem) {
  json profile = ArtistImage("dup1", "PROFILE");
  profile["artistName"] = {{"S", "Profile Name"}};
  json renamed = profile;
  renamed["artistName"] = {{"S", "Profile Renamed"}};
  renamed["latitude"] = {{"N", "53.8"}};
  json metadata = ArtistImage("dup1", "METADATA");
  metadata["artistName"] = {{"S", "Metadata Name"}};

  inkdex::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  auto apply = [&](const json& raw) {
    absl::StatusOr<std::vector<RecordResult>> results = ApplyRecordBatch(
        mapper_, {Parse(raw)}, {}, [&](const WriteBatch& b) { return (*index)->Apply(b); });
    EXPECT_TRUE(results.ok()) << results.status();
    return results.ok() ? (*results)[0] : RecordResult{};
  };
  auto served = [&] {
    absl::StatusOr<Artist> a = (*index)->Get("dup1");
    return a.ok() ? a->name() : std::string(a.status().message());
  };
  const json insert_profile = LambdaRecord("INSERT", "100", KeysOf(profile), profile, nullptr);
  const json insert_metadata = LambdaRecord("INSERT", "200", KeysOf(metadata), metadata, nullptr);
  EXPECT_EQ(apply(insert_profile).outcome, RecordOutcome::kApplied);
  EXPECT_EQ(apply(insert_metadata).outcome, RecordOutcome::kApplied);
  RecordResult modify = apply(LambdaRecord("MODIFY", "300", KeysOf(profile), renamed, profile));
  EXPECT_EQ(modify.outcome, RecordOutcome::kStale);
  EXPECT_NE(modify.reason.find("kept: the artist falls back to it"), std::string::npos)
      << modify.reason;
  EXPECT_EQ(served(), "Metadata Name");

  EXPECT_EQ(apply(LambdaRecord("REMOVE", "400", KeysOf(metadata), nullptr, metadata)).outcome,
            RecordOutcome::kApplied);
  EXPECT_EQ(served(), "Profile Renamed");
  absl::StatusOr<Artist> artist = (*index)->Get("dup1");
  ASSERT_TRUE(artist.ok()) << artist.status();
  EXPECT_EQ(artist->stream_sequence(), "300");
  EXPECT_EQ(artist->source_rank(), 2u);
  EXPECT_DOUBLE_EQ(artist->location().latitude(), 53.8);
  // A Lambda retrying the batches: nothing moves.
  EXPECT_EQ(apply(insert_metadata).outcome, RecordOutcome::kStale);
  EXPECT_EQ(apply(insert_profile).outcome, RecordOutcome::kStale);
  EXPECT_EQ(served(), "Profile Renamed");
  // PROFILE removed too: gone.
  EXPECT_EQ(apply(LambdaRecord("REMOVE", "500", KeysOf(profile), nullptr, renamed)).outcome,
            RecordOutcome::kApplied);
  EXPECT_TRUE(absl::IsNotFound((*index)->Get("dup1").status()));
  absl::StatusOr<VerifyReport> report = (*index)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST_F(RecordMapperTest, NeverThrowsOnArbitraryJson) {
  std::mt19937 rng(20260101);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    json raw = RandomJson(rng, 0);
    // Nudge half of them into the record shape so Map sees deep variety.
    if (i % 2 == 0) {
      json dynamodb = RandomJson(rng, 1);
      if (dynamodb.is_object()) dynamodb["SequenceNumber"] = std::to_string(i + 1);
      raw = json{{"eventName", i % 3 == 0 ? "REMOVE" : "MODIFY"}, {"dynamodb", dynamodb}};
    }
    absl::StatusOr<StreamRecord> record = ParseStreamRecord(raw);
    MappedRecord item = mapper_.MapItem(raw);
    EXPECT_NE(item.action, RecordAction::kDelete);
    if (!record.ok()) continue;
    ++parsed;
    MappedRecord r = mapper_.Map(*record);
    if (r.action == RecordAction::kReject) {
      EXPECT_FALSE(r.reason.empty());
    }
    WriteBatch batch;
    AddToBatch(std::move(r), &batch);
  }
  EXPECT_GT(parsed, 1000);
}

TEST_F(RecordMapperTest, ParsingWithoutWhatMapNeverReadsMapsAlike) {
  const std::vector<std::unique_ptr<RecordMapper>> others = OtherMappers();
  int omitted = 0;
  for (const std::string& text : VariedRecordTexts()) {
    absl::StatusOr<json> whole = dynamodb::ParseJson(text);
    absl::StatusOr<json> lean = ParseRecordJsonForMapping(text);
    ASSERT_EQ(whole.ok(), lean.ok()) << text;
    if (!whole.ok()) continue;
    absl::StatusOr<StreamRecord> a = ParseStreamRecord(*whole);
    absl::StatusOr<StreamRecord> b = ParseStreamRecord(*lean);
    ASSERT_EQ(a.ok(), b.ok()) << text;
    if (!a.ok()) continue;
    EXPECT_EQ(Outcome(mapper_.Map(*a)), Outcome(mapper_.Map(*b))) << text;
    for (const auto& other : others) {
      EXPECT_EQ(Outcome(other->Map(*a)), Outcome(other->Map(*b))) << text;
    }
    omitted += a->old_image.is_object() && b->old_image.is_null();
  }
  // The INSERTs and MODIFYs with Keys or a NewImage and an OldImage, at least.
  EXPECT_GE(omitted, 2 * 3 * 3);
}

// A GetRecords page maps record by record as if nothing were left out.
TEST_F(RecordMapperTest, PagesParsedWithoutWhatMapNeverReadsMapAlike) {
  const std::vector<std::unique_ptr<RecordMapper>> others = OtherMappers();
  const std::vector<std::string> texts = VariedRecordTexts();
  int omitted = 0, pages = 0;
  for (size_t first = 0; first < texts.size(); first += 20) {
    std::string page = R"({"NextShardIterator":"it","Records":[)";
    for (size_t i = first; i < std::min(texts.size(), first + 20); ++i) {
      if (i > first) page += ",";
      page += texts[i];
    }
    page += "]}";
    absl::StatusOr<json> whole = dynamodb::ParseJson(page);
    absl::StatusOr<json> lean = ParseRecordsPageForMapping(page);
    ASSERT_EQ(whole.ok(), lean.ok()) << page;
    if (!whole.ok()) continue;  // the page with invalid UTF-8
    ++pages;
    ASSERT_EQ((*whole)["Records"].size(), (*lean)["Records"].size());
    for (size_t i = 0; i < (*whole)["Records"].size(); ++i) {
      absl::StatusOr<StreamRecord> a = ParseStreamRecord((*whole)["Records"][i]);
      absl::StatusOr<StreamRecord> b = ParseStreamRecord((*lean)["Records"][i]);
      ASSERT_EQ(a.ok(), b.ok()) << (*whole)["Records"][i].dump();
      if (!a.ok()) continue;
      EXPECT_EQ(Outcome(mapper_.Map(*a)), Outcome(mapper_.Map(*b)));
      for (const auto& other : others) EXPECT_EQ(Outcome(other->Map(*a)), Outcome(other->Map(*b)));
      omitted += a->old_image.is_object() && b->old_image.is_null();
    }
  }
  EXPECT_GE(pages, static_cast<int>(texts.size() / 20) - 1);
  EXPECT_GE(omitted, 2 * 3 * 3);
}

// ParseAndMap's general path, spelled out, with the whole record parsed
// (ParseJson: a record must map as if nothing were left out), but its depth
// counted as ParseAndMap counts it, without the OldImage it leaves out.
absl::StatusOr<ParsedStreamRecord> ParseAndMapGenerally(const RecordMapper& mapper,
                                                        const std::string& text, size_t depth) {
  const absl::StatusOr<json> lean = ParseRecordJsonForMapping(text);
  if (!lean.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("record: not valid JSON: ", lean.status().message()));
  }
  if (dynamodb::NestedDeeperThan(*lean, depth)) {
    return absl::InvalidArgumentError(
        absl::StrCat("record: nested deeper than ", depth, " levels"));
  }
  absl::StatusOr<json> whole = dynamodb::ParseJson(text);
  if (!whole.ok()) return whole.status();
  absl::StatusOr<StreamRecord> record = ParseStreamRecord(*std::move(whole));
  if (!record.ok()) return record.status();
  ParsedStreamRecord out;
  out.mapped = mapper.Map(*record);
  out.record = *std::move(record);
  return out;
}

// The direct path (straight from simdjson's DOM) gives what the general one
// gives, for the records it takes and the ones it leaves.
TEST_F(RecordMapperTest, ParseAndMapMapsAsTheGeneralPath) {
  const std::vector<std::unique_ptr<RecordMapper>> others = OtherMappers();
  const std::vector<const RecordMapper*> mappers = testing::AllMappers(mapper_, others);
  int direct = 0, texts = 0;
  for (const std::string& text : VariedRecordTexts()) {
    ++texts;
    for (const RecordMapper* mapper : mappers) {
      const absl::StatusOr<ParsedStreamRecord> got = mapper->ParseAndMap(text, 64);
      const absl::StatusOr<ParsedStreamRecord> want = ParseAndMapGenerally(*mapper, text, 64);
      ASSERT_EQ(got.status(), want.status()) << text;
      if (!got.ok()) continue;
      EXPECT_EQ(Outcome(got->mapped), Outcome(want->mapped)) << text;
      EXPECT_EQ(RecordFields(got->record), RecordFields(want->record)) << text;
      if (mapper != &mapper_) {
        EXPECT_FALSE(got->direct) << "a mapping the direct path does not take: " << text;
      }
      direct += got->direct;
    }
  }
  // The INSERTs and MODIFYs of an artist with Keys and a NewImage that maps
  // (2 x 4 in the grid), the rich item and the PROFILE item, at least.
  EXPECT_GE(direct, 2 * 4 + 2);
  EXPECT_LT(direct, texts / 2);

  // Each kind the direct path must leave to the general one.
  const json image = ArtistImage("a-1");
  auto is_direct = [&](const std::string& text) {
    absl::StatusOr<ParsedStreamRecord> r = mapper_.ParseAndMap(text, 64);
    return r.ok() && r->direct;
  };
  EXPECT_TRUE(is_direct(LambdaRecord("MODIFY", "1", KeysOf(image), image, image).dump()));
  EXPECT_FALSE(is_direct(LambdaRecord("REMOVE", "1", KeysOf(image), nullptr, image).dump()));
  json other_id = image;
  other_id["artistId"] = {{"S", "b"}};
  EXPECT_FALSE(is_direct(LambdaRecord("MODIFY", "1", KeysOf(image), other_id, nullptr).dump()));
  std::string twice = LambdaRecord("MODIFY", "1", KeysOf(image), image, nullptr).dump();
  twice.replace(twice.find("\"rating\""), 0, R"("rating":{"N":"1.5"},)");
  EXPECT_FALSE(is_direct(twice));
  json wide = image;  // more members than the pairwise check takes
  for (int i = 0; i < 20; ++i) wide[absl::StrCat("extra", i)] = {{"S", "x"}};
  EXPECT_TRUE(is_direct(LambdaRecord("MODIFY", "1", KeysOf(wide), wide, nullptr).dump()));
  std::string wide_twice = LambdaRecord("MODIFY", "1", KeysOf(wide), wide, nullptr).dump();
  wide_twice.replace(wide_twice.find("\"extra7\""), 0, R"("extra19":{"S":"y"},)");
  EXPECT_FALSE(is_direct(wide_twice));
  const absl::StatusOr<ParsedStreamRecord> last_wins = mapper_.ParseAndMap(twice, 64);
  ASSERT_TRUE(last_wins.ok());
  EXPECT_DOUBLE_EQ(last_wins->mapped.artist.rating(), 4.8) << "nlohmann keeps the last";
}

// A large batch of every kind of record (applied, rejected, ignored, a
// tombstone): each record's result is the one of mapping it alone, at its
// place in the batch, and the commit holds each change once.
TEST_F(RecordMapperTest, ALargeBatchKeepsEachRecordsResultInOrder) {
  std::vector<StreamRecord> records;
  for (int i = 0; i < 1500; ++i) {
    const std::string id = absl::StrCat("p", i);
    const std::string seq = absl::StrCat(1000 + i);
    json image = ArtistImage(id);
    switch (i % 5) {
      case 0:  // an upsert
        records.push_back(Parse(LambdaRecord("INSERT", seq, KeysOf(image), image, nullptr)));
        break;
      case 1:  // an artist without coordinates: rejected
        image.erase("latitude");
        records.push_back(Parse(LambdaRecord("INSERT", seq, KeysOf(image), image, nullptr)));
        break;
      case 2: {  // another item type: ignored
        json studio{{"PK", {{"S", "STUDIO#" + id}}}, {"SK", {{"S", "METADATA"}}}};
        records.push_back(Parse(LambdaRecord("INSERT", seq, studio, studio, nullptr)));
        break;
      }
      case 3:  // a delete of an artist never seen: a tombstone
        records.push_back(Parse(LambdaRecord("REMOVE", seq, KeysOf(image), nullptr, image)));
        break;
      default:  // renamed, to tell each record's artist from its neighbours'
        image["artistName"] = {{"S", absl::StrCat("Artist ", i)}};
        records.push_back(Parse(LambdaRecord("MODIFY", seq, KeysOf(image), image, image)));
        break;
    }
  }
  inkdex::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  size_t changes = 0;
  absl::StatusOr<std::vector<RecordResult>> results =
      ApplyRecordBatch(mapper_, records, {}, [&](const WriteBatch& b) {
        changes = b.size();
        return (*index)->Apply(b);
      });
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), records.size());
  EXPECT_EQ(changes, 900u);
  for (size_t i = 0; i < records.size(); ++i) {
    const MappedRecord alone = mapper_.Map(records[i]);
    const RecordResult& r = (*results)[i];
    SCOPED_TRACE(absl::StrCat("record ", i));
    EXPECT_EQ(r.sequence_number, records[i].sequence_number);
    EXPECT_EQ(r.artist_id, alone.artist_id);
    EXPECT_EQ(r.warnings, alone.warnings);
    switch (alone.action) {
      case RecordAction::kUpsert:
      case RecordAction::kDelete:
        EXPECT_EQ(r.outcome, RecordOutcome::kApplied) << r.reason;
        break;
      case RecordAction::kIgnore:
        EXPECT_EQ(r.outcome, RecordOutcome::kIgnored);
        EXPECT_EQ(r.reason, alone.reason);
        break;
      case RecordAction::kReject:
        EXPECT_EQ(r.outcome, RecordOutcome::kRejected);
        EXPECT_EQ(r.reason, alone.reason);
        break;
    }
    const RecordAction expected[] = {RecordAction::kUpsert, RecordAction::kReject,
                                     RecordAction::kIgnore, RecordAction::kDelete,
                                     RecordAction::kUpsert};
    EXPECT_EQ(alone.action, expected[i % 5]) << alone.reason;
  }
  absl::StatusOr<Artist> last = (*index)->Get("p1499");
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->name(), "Artist 1499");
  EXPECT_TRUE(absl::IsNotFound((*index)->Get("p1498").status()));
}

// StreamApplier maps a batch in Prepare (on the reader's thread) and
// commits the mapping in Apply; a retried Apply maps the records again, as
// the first one moved the mapped artists into its commit.
TEST_F(RecordMapperTest, AnApplierCommitsWhatItPreparedAndMapsAgainOnARetry) {
  json image = ArtistImage("a1");
  ShardBatch batch;
  batch.stream_arn = kArn;
  batch.shard_id = "shardId-1";
  batch.records.push_back(
      Parse(LambdaRecord("INSERT", "000000000000000000042", KeysOf(image), image, nullptr)));
  batch.last_sequence_number = "000000000000000000042";
  std::vector<WriteBatch> commits;
  std::vector<RecordResult> results;
  StreamApplier applier(mapper_, testing::RecordingCommit(&commits, /*failures=*/1),
                        [&](const ShardBatch&, const RecordResult& r) { results.push_back(r); });
  applier.Prepare(batch);
  ASSERT_NE(batch.prepared, nullptr);
  ASSERT_TRUE(batch.prepared->mapped.has_value());
  ASSERT_EQ(batch.prepared->mapped->size(), 1u);
  // What Apply commits is what Prepare mapped: a record changed since is
  // not read again.
  batch.records[0].new_image["artistName"] = {{"S", "Changed After Prepare"}};

  EXPECT_EQ(applier.Apply(batch).code(), absl::StatusCode::kUnavailable);
  ASSERT_EQ(commits.size(), 1u);
  ASSERT_EQ(commits[0].changes().size(), 1u);
  EXPECT_EQ(commits[0].changes()[0].artist.name(), "Sarah Mitchell");
  EXPECT_FALSE(batch.prepared->mapped.has_value());  // taken

  // The retry maps the records again: a whole artist, not a moved-from one.
  ASSERT_TRUE(applier.Apply(batch).ok());
  ASSERT_EQ(commits.size(), 2u);
  ASSERT_EQ(commits[1].changes().size(), 1u);
  EXPECT_EQ(commits[1].changes()[0].artist.id(), "a1");
  EXPECT_EQ(commits[1].changes()[0].artist.name(), "Changed After Prepare");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kApplied);
  EXPECT_EQ(results[0].artist_id, "a1");
  // The shard's checkpoint goes with the records, both times.
  for (const WriteBatch& b : commits) EXPECT_FALSE(b.metadata().empty());
}

}  // namespace
}  // namespace inkdex::stream
