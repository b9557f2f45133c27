// Source ranks (inkdex/index.h "Source ranks", index/item_states.h): when
// several table items map to one artist, the artist serves its
// highest-ranked live item; each item's changes are judged against that
// item's own latest state, which the index keeps (a change of a
// lower-ranked item is kept, not served, and is served once the items above
// it are deleted).
#include <map>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/item_states.h"
#include "index/test_util.h"
#include "inkdex/bulk_loader.h"
#include "inkdex/index.h"
#include "store/doc_store.h"

namespace inkdex {
namespace {

using ::inkdex::testing::HitIds;
using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::SearchText;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Outcome = ChangeResult::Outcome;

using testing::kLeedsLat;
using testing::kLeedsLon;
using testing::kOsloLat;  // where PROFILE puts the artist
using testing::kOsloLon;
constexpr uint32_t kMetadata = 1, kProfile = 2;  // the default mapping's order

Artist Ranked(const std::string& name, const std::string& seq, uint32_t rank,
              const std::string& id = "dup1") {
  Artist a = MakeArtist(id, name, kLeedsLat, kLeedsLon, {"blackwork"}, /*version=*/0);
  a.set_stream_sequence(seq);
  a.set_source_rank(rank);
  return a;
}

// An image of the artist's PROFILE item: elsewhere, in another style, so a
// search tells which item is served.
Artist Profile(const std::string& name, const std::string& seq, const std::string& id = "dup1") {
  Artist a = MakeArtist(id, name, kOsloLat, kOsloLon, {"dotwork"}, /*version=*/0);
  a.mutable_location()->set_city("Oslo");
  a.mutable_location()->set_country("NO");
  a.set_stream_sequence(seq);
  a.set_source_rank(kProfile);
  return a;
}

class SourceRankTest : public testing::IndexDirTest {
 protected:
  ChangeResult Apply(const WriteBatch& b) {
    auto r = index_->Apply(b);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->size() == 1 ? (*r)[0] : ChangeResult{Outcome::kRejected, "apply failed"};
  }
  ChangeResult Upsert(Artist a) {
    WriteBatch b;
    b.Upsert(std::move(a));
    return Apply(b);
  }
  ChangeResult DeleteAt(const std::string& seq, uint32_t rank, const std::string& id = "dup1") {
    WriteBatch b;
    b.DeleteAtStreamSequence(id, seq, rank);
    return Apply(b);
  }
  std::string Name() {
    auto a = index_->Get("dup1");
    return a.ok() ? a->name() : std::string(a.status().message());
  }
  // "<name> @<stream sequence> rank <rank>" of what Get serves, or "gone".
  std::string Served(const std::string& id = "dup1") {
    auto a = index_->Get(id);
    if (absl::IsNotFound(a.status())) return "gone";
    if (!a.ok()) return a.status().ToString();
    return absl::StrCat(a->name(), " @", a->stream_sequence(), " rank ", a->source_rank());
  }
  void ExpectVerified() {
    auto report = index_->Verify();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, IsEmpty());
  }
  SearchResponse SearchNear(double lat, double lon) {
    SearchRequest q;
    q.point = GeoPoint{lat, lon};
    q.radius_km = 20;
    auto r = index_->Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : SearchResponse();
  }
  std::vector<std::string> SuggestedArtists(const std::string& prefix) {
    SuggestRequest q;
    q.prefix = prefix;
    auto r = index_->Suggest(q);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const Suggestion& s : *r) {
        if (s.kind == Suggestion::Kind::kArtist) ids.push_back(s.id);
      }
    }
    return ids;
  }
  // Runs fn on the document store with the index closed, then reopens it.
  void WithStore(const std::function<void(store::DocStore&)>& fn) {
    index_.reset();
    {
      auto store = store::DocStore::Open(dir_.path() + "/docs", false, true, 1 << 20);
      ASSERT_TRUE(store.ok()) << store.status();
      fn(**store);
    }
    Reopen();
  }
};

TEST_F(SourceRankTest, MigrationFromProfileToMetadataKeepsTheArtist) {
  // ARTIST#dup1/PROFILE indexed; the migration writes METADATA, then
  // deletes PROFILE: the artist stays, from METADATA.
  ASSERT_EQ(Upsert(Ranked("Profile", "100", kProfile)).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Metadata", "200", kMetadata)).outcome, Outcome::kApplied);
  ChangeResult removed = DeleteAt("300", kProfile);
  EXPECT_EQ(removed.outcome, Outcome::kStale);
  EXPECT_EQ(removed.outranked_by, kMetadata);
  EXPECT_THAT(removed.reason, HasSubstr("outranked"));
  EXPECT_EQ(Name(), "Metadata");
  // A later PROFILE update does not override METADATA either; a METADATA
  // update does.
  EXPECT_EQ(Upsert(Ranked("Profile again", "400", kProfile)).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(Ranked("Metadata 2", "500", kMetadata)).outcome, Outcome::kApplied);
  EXPECT_EQ(Name(), "Metadata 2");
  Reopen();
  EXPECT_EQ(DeleteAt("600", kProfile).outcome, Outcome::kStale);
  EXPECT_EQ(Name(), "Metadata 2");
  ExpectVerified();
}

TEST_F(SourceRankTest, HigherRankWinsWhateverTheSequenceAcrossShards) {
  // The two items' records come from different shards: their sequence
  // numbers say nothing about each other.
  ASSERT_EQ(Upsert(Ranked("Profile", "900", kProfile)).outcome, Outcome::kApplied);
  EXPECT_EQ(Upsert(Ranked("Metadata", "100", kMetadata)).outcome, Outcome::kApplied);
  EXPECT_EQ(Name(), "Metadata");
  // Within one rank the sequence still decides.
  EXPECT_EQ(Upsert(Ranked("Old metadata", "50", kMetadata)).outcome, Outcome::kStale);
}

TEST_F(SourceRankTest, ScannedItemsPreferTheHigherRankInAnyOrder) {
  // A scan (numeric version 1 for every item) meets both items of an id.
  for (const std::string id : {"profile-first", "metadata-first"}) {
    SCOPED_TRACE(id);
    Artist metadata = MakeArtist(id, "From METADATA", kLeedsLat, kLeedsLon, {}, 1);
    metadata.set_source_rank(kMetadata);
    Artist profile = MakeArtist(id, "From PROFILE", kLeedsLat, kLeedsLon, {}, 1);
    profile.set_source_rank(kProfile);
    const bool profile_first = id == "profile-first";
    WriteBatch first, second;
    first.Upsert(profile_first ? profile : metadata);
    second.Upsert(profile_first ? metadata : profile);
    ASSERT_TRUE(index_->Apply(first).ok());
    auto r = index_->Apply(second);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ((*r)[0].outcome, profile_first ? Outcome::kApplied : Outcome::kStale);
    auto a = index_->Get(id);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->name(), "From METADATA");
    // Either way PROFILE's copy is kept: the scan read both items.
    WriteBatch ranked_remove;
    ranked_remove.DeleteAtStreamSequence(id, "5", kMetadata);
    ASSERT_TRUE(index_->Apply(ranked_remove).ok());
    a = index_->Get(id);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->name(), "From PROFILE");
  }
  // Both in one batch (one scan page).
  Artist profile = MakeArtist("same-batch", "From PROFILE", kLeedsLat, kLeedsLon, {}, 1);
  profile.set_source_rank(kProfile);
  Artist metadata = MakeArtist("same-batch", "From METADATA", kLeedsLat, kLeedsLon, {}, 1);
  metadata.set_source_rank(kMetadata);
  WriteBatch both;
  both.Upsert(metadata);
  both.Upsert(profile);
  auto r = index_->Apply(both);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[1].outcome, Outcome::kStale);
  EXPECT_EQ((*r)[1].outranked_by, kMetadata);
  auto a = index_->Get("same-batch");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->name(), "From METADATA");
  EXPECT_EQ(index_->Stats().item_states, 3u);
  ExpectVerified();
}

TEST(SourceRankBulkLoadTest, ABulkLoadKeepsTheHigherRankInAnyOrder) {
  // A scan into a fresh index (the server's re-sync, `inkdex build
  // --from-dynamodb`): the search index deferred, the items of an id in one
  // batch in the order met.
  testing::TempDir dir;
  std::unique_ptr<Index> index = testing::OpenUnsyncedIndex(dir.path(), /*deferred=*/true);
  ASSERT_NE(index, nullptr);
  BulkLoader loader(*index, {.batch_size = 10});
  uint64_t tag = 0;
  for (const std::string id : {"metadata-first", "profile-first"}) {
    Artist metadata = MakeArtist(id, "From METADATA", kLeedsLat, kLeedsLon, {}, 1);
    metadata.set_source_rank(kMetadata);
    Artist profile = MakeArtist(id, "From PROFILE", kLeedsLat + 1, kLeedsLon, {}, 1);
    profile.set_source_rank(kProfile);
    const bool profile_first = id == "profile-first";
    loader.Add(profile_first ? profile : metadata, tag++);
    loader.Add(profile_first ? metadata : profile, tag++);
  }
  ASSERT_TRUE(loader.Flush([](uint64_t, const ChangeResult&) { return absl::OkStatus(); }).ok());
  ASSERT_TRUE(index->BuildDeferredSearchIndex().ok());
  for (const std::string id : {"metadata-first", "profile-first"}) {
    auto a = index->Get(id);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->name(), "From METADATA") << id;
    // PROFILE's copy is kept either way: a METADATA removal falls back to it.
    WriteBatch ranked_remove;
    ranked_remove.DeleteAtStreamSequence(id, "5", kMetadata);
    ASSERT_TRUE(index->Apply(ranked_remove).ok());
    a = index->Get(id);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->name(), "From PROFILE") << id;
  }
}

TEST_F(SourceRankTest, AfterATombstoneEachItemFollowsItsOwnVersions) {
  ASSERT_EQ(Upsert(Ranked("Metadata", "100", kMetadata)).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Metadata", "100", kMetadata)).outcome, Outcome::kStale);
  ASSERT_EQ(DeleteAt("200", kMetadata).outcome, Outcome::kApplied);
  // The METADATA item is gone. PROFILE's first record is its item's first
  // state, whatever its sequence number beside METADATA's (item_states.h
  // case 11); after it, only newer PROFILE records.
  EXPECT_EQ(Upsert(Ranked("Old profile", "150", kProfile)).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Old profile @150 rank 2");
  EXPECT_EQ(Upsert(Ranked("Older profile", "140", kProfile)).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(Ranked("Profile", "300", kProfile)).outcome, Outcome::kApplied);
  EXPECT_EQ(Name(), "Profile");
  // METADATA's own records stay behind its delete.
  EXPECT_EQ(Upsert(Ranked("Metadata", "100", kMetadata)).outcome, Outcome::kStale);
  EXPECT_EQ(Name(), "Profile");
  ExpectVerified();
}

TEST_F(SourceRankTest, DocumentsStoredBeforeRanksCompareBySequenceOnly) {
  // A document written before ranks existed (or by an unranked writer) is
  // never overwritten by an older replayed record, ranked or not.
  ASSERT_EQ(Upsert(Ranked("Unranked", "500", 0)).outcome, Outcome::kApplied);
  EXPECT_EQ(Upsert(Ranked("Replayed metadata", "400", kMetadata)).outcome, Outcome::kStale);
  EXPECT_EQ(DeleteAt("450", kProfile).outcome, Outcome::kStale);
  EXPECT_EQ(Name(), "Unranked");
  EXPECT_EQ(Upsert(Ranked("Newer metadata", "600", kMetadata)).outcome, Outcome::kApplied);
  // An unranked change against a ranked document: sequence only.
  EXPECT_EQ(Upsert(Ranked("Unranked newer", "700", 0)).outcome, Outcome::kApplied);
  EXPECT_EQ(Name(), "Unranked newer");
  EXPECT_EQ(index_->Stats().item_states, 0u);
}

// The defect this fixes: METADATA removed while PROFILE is in the table.
TEST_F(SourceRankTest, AMetadataRemoveFallsBackToTheProfilesLatestImage) {
  ASSERT_EQ(Upsert(Profile("Olga Profile", "100")).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Mia Metadata", "200", kMetadata)).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Mia Metadata @200 rank 1");
  EXPECT_EQ(index_->Stats().item_states, 1u);
  EXPECT_THAT(HitIds(SearchText(*index_, "Olga")), IsEmpty());

  ChangeResult removed = DeleteAt("300", kMetadata);
  EXPECT_EQ(removed.outcome, Outcome::kApplied) << removed.reason;
  // PROFILE's image at PROFILE's version and rank, as an upsert of it
  // would have left it: Get, text, geo, style, facets, completion.
  EXPECT_EQ(Served(), "Olga Profile @100 rank 2");
  EXPECT_THAT(HitIds(SearchText(*index_, "Olga")), ElementsAre("dup1"));
  EXPECT_THAT(HitIds(SearchText(*index_, "Mia")), IsEmpty());
  EXPECT_THAT(HitIds(SearchNear(kLeedsLat, kLeedsLon)), IsEmpty());
  SearchResponse oslo = SearchNear(kOsloLat, kOsloLon);
  EXPECT_THAT(HitIds(oslo), ElementsAre("dup1"));
  ASSERT_EQ(oslo.hits.size(), 1u);
  EXPECT_THAT(oslo.hits[0].styles, ElementsAre("dotwork"));
  std::map<std::string, int64_t> styles;
  for (const FacetValue& f : oslo.facets.styles) styles[f.value] = f.count;
  EXPECT_EQ(styles["dotwork"], 1);
  EXPECT_EQ(styles["blackwork"], 0);
  std::map<std::string, int64_t> cities;
  for (const FacetValue& f : oslo.facets.cities) cities[f.value] = f.count;
  EXPECT_EQ(cities["Oslo, NO"], 1) << "the city facet follows PROFILE's location";
  EXPECT_THAT(SuggestedArtists("Olg"), ElementsAre("dup1"));
  EXPECT_THAT(SuggestedArtists("Mia"), IsEmpty());
  IndexStats stats = index_->Stats();
  EXPECT_EQ(stats.documents, 1u);
  EXPECT_EQ(stats.searchable, 1u);
  EXPECT_EQ(stats.tombstones, 0u);
  EXPECT_EQ(stats.item_states, 1u);  // METADATA's tombstone
  ExpectVerified();
  Reopen();
  EXPECT_EQ(Served(), "Olga Profile @100 rank 2");
  ExpectVerified();
}

TEST_F(SourceRankTest, ProfileChangesWhileMetadataIsServedAreKeptForItsRemove) {
  ASSERT_EQ(Upsert(Ranked("Mia Metadata", "100", kMetadata)).outcome, Outcome::kApplied);
  ChangeResult kept = Upsert(Profile("Olga Profile", "200"));
  EXPECT_EQ(kept.outcome, Outcome::kStale);
  EXPECT_EQ(kept.outranked_by, kMetadata);
  EXPECT_THAT(kept.reason, HasSubstr("outranked"));
  EXPECT_THAT(kept.reason, HasSubstr("kept"));
  ChangeResult renamed = Upsert(Profile("Olga Renamed", "300"));
  EXPECT_EQ(renamed.outcome, Outcome::kStale);
  EXPECT_EQ(renamed.outranked_by, kMetadata);
  // Older than PROFILE's kept state, or a replay of it: stale by version,
  // not kept.
  for (const std::string seq : {"250", "300"}) {
    ChangeResult older = Upsert(Profile("Olga Older", seq));
    EXPECT_EQ(older.outcome, Outcome::kStale);
    EXPECT_EQ(older.outranked_by, 0u);
    EXPECT_EQ(older.reason,
              absl::StrCat("stream sequence ", seq, " <= stored stream sequence 300"));
  }
  EXPECT_EQ(Served(), "Mia Metadata @100 rank 1");
  EXPECT_THAT(HitIds(SearchText(*index_, "Olga")), IsEmpty());

  EXPECT_EQ(DeleteAt("400", kMetadata).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Olga Renamed @300 rank 2");
  EXPECT_THAT(HitIds(SearchText(*index_, "Renamed")), ElementsAre("dup1"));
  ExpectVerified();
}

TEST_F(SourceRankTest, AHiddenMetadataItemHidesTheArtistInsteadOfFallingBack) {
  ASSERT_EQ(Upsert(Profile("Olga Profile", "100")).outcome, Outcome::kApplied);
  Artist opted_out = Ranked("Mia Metadata", "200", kMetadata);
  opted_out.set_opted_out(true);
  ASSERT_EQ(Upsert(opted_out).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "gone");
  EXPECT_THAT(HitIds(SearchText(*index_, "Olga")), IsEmpty());
  auto hidden = index_->Get("dup1", /*include_hidden=*/true);
  ASSERT_TRUE(hidden.ok()) << hidden.status();
  EXPECT_EQ(hidden->name(), "Mia Metadata");
  EXPECT_EQ(Upsert(Ranked("Mia Metadata", "300", kMetadata)).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Mia Metadata @300 rank 1");
  EXPECT_EQ(DeleteAt("400", kMetadata).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Olga Profile @100 rank 2");
  ExpectVerified();
}

TEST_F(SourceRankTest, ProfileRemovedThenMetadataRemovedLeavesTheArtistGone) {
  ASSERT_EQ(Upsert(Profile("Olga Profile", "100")).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Mia Metadata", "200", kMetadata)).outcome, Outcome::kApplied);
  ChangeResult profile_removed = DeleteAt("300", kProfile);
  EXPECT_EQ(profile_removed.outcome, Outcome::kStale);
  EXPECT_EQ(profile_removed.outranked_by, kMetadata);
  EXPECT_EQ(Served(), "Mia Metadata @200 rank 1");
  EXPECT_EQ(DeleteAt("400", kMetadata).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "gone");
  EXPECT_THAT(HitIds(SearchText(*index_, "Olga")), IsEmpty());
  EXPECT_THAT(HitIds(SearchText(*index_, "Mia")), IsEmpty());
  EXPECT_THAT(HitIds(SearchNear(kOsloLat, kOsloLon)), IsEmpty());
  IndexStats stats = index_->Stats();
  EXPECT_EQ(stats.documents, 0u);
  EXPECT_EQ(stats.tombstones, 1u);
  EXPECT_EQ(stats.item_states, 1u);  // PROFILE's tombstone beside METADATA's
  // Replays of either item's records change nothing.
  EXPECT_EQ(Upsert(Profile("Olga Profile", "100")).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(Ranked("Mia Metadata", "200", kMetadata)).outcome, Outcome::kStale);
  EXPECT_EQ(DeleteAt("300", kProfile).outcome, Outcome::kStale);
  EXPECT_EQ(Served(), "gone");
  ExpectVerified();
  // A PROFILE item written again is served.
  EXPECT_EQ(Upsert(Profile("Olga Back", "500")).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Olga Back @500 rank 2");
  ExpectVerified();
}

TEST_F(SourceRankTest, AReplayedMetadataUpsertAfterItsRemoveDoesNotResurrectIt) {
  ASSERT_EQ(Upsert(Profile("Olga Profile", "100")).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Mia Metadata", "200", kMetadata)).outcome, Outcome::kApplied);
  ASSERT_EQ(DeleteAt("300", kMetadata).outcome, Outcome::kApplied);
  ASSERT_EQ(Served(), "Olga Profile @100 rank 2");
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "open" : "reopened");
    // METADATA's tombstone, kept beside PROFILE's served image, stops
    // METADATA's older records (case 7).
    ChangeResult replay = Upsert(Ranked("Mia Metadata", "200", kMetadata));
    EXPECT_EQ(replay.outcome, Outcome::kStale);
    EXPECT_EQ(replay.reason, "stream sequence 200 <= stored stream sequence 300");
    EXPECT_EQ(Upsert(Ranked("Mia Older", "150", kMetadata)).outcome, Outcome::kStale);
    EXPECT_EQ(DeleteAt("300", kMetadata).outcome, Outcome::kStale);
    EXPECT_EQ(Upsert(Profile("Olga Profile", "100")).outcome, Outcome::kStale);
    EXPECT_EQ(Served(), "Olga Profile @100 rank 2");
    Reopen();
  }
  // A newer METADATA record: METADATA again, PROFILE kept under it.
  EXPECT_EQ(Upsert(Ranked("Mia Again", "400", kMetadata)).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Mia Again @400 rank 1");
  EXPECT_EQ(DeleteAt("500", kMetadata).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Olga Profile @100 rank 2");
  ExpectVerified();
}

TEST_F(SourceRankTest, EachItemsRecordsAreOrderedOnTheirOwn) {
  // PROFILE's records arrive newest first; METADATA's delete before the
  // upsert it followed.
  ASSERT_EQ(Upsert(Profile("Olga 3", "300")).outcome, Outcome::kApplied);
  ChangeResult older = Upsert(Profile("Olga 2", "200"));
  EXPECT_EQ(older.outcome, Outcome::kStale);
  EXPECT_EQ(older.outranked_by, 0u);
  EXPECT_EQ(DeleteAt("250", kProfile).outcome, Outcome::kStale);
  // METADATA never seen: its delete is its first state (case 12), and the
  // artist stays on PROFILE.
  EXPECT_EQ(DeleteAt("150", kMetadata).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Olga 3 @300 rank 2");
  EXPECT_EQ(Upsert(Ranked("Mia", "120", kMetadata)).outcome, Outcome::kStale);
  EXPECT_EQ(Served(), "Olga 3 @300 rank 2");
  EXPECT_EQ(Upsert(Ranked("Mia", "160", kMetadata)).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Mia @160 rank 1");
  EXPECT_EQ(Upsert(Profile("Olga 2", "200")).outcome, Outcome::kStale);
  EXPECT_EQ(DeleteAt("170", kMetadata).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "Olga 3 @300 rank 2");
  ExpectVerified();
}

TEST_F(SourceRankTest, OneBatchChainsTheCases) {
  WriteBatch b;
  b.Upsert(Profile("Olga", "100"));
  b.Upsert(Ranked("Mia", "200", kMetadata));
  b.Upsert(Profile("Olga 2", "300"));
  b.DeleteAtStreamSequence("dup1", "400", kMetadata);
  b.Upsert(Ranked("Mia", "200", kMetadata));
  auto r = index_->Apply(b);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].outcome, Outcome::kApplied);
  EXPECT_EQ((*r)[1].outcome, Outcome::kApplied);
  EXPECT_EQ((*r)[2].outcome, Outcome::kStale);
  EXPECT_EQ((*r)[2].outranked_by, kMetadata);
  EXPECT_EQ((*r)[3].outcome, Outcome::kApplied);
  EXPECT_EQ((*r)[4].outcome, Outcome::kStale);
  EXPECT_EQ((*r)[4].outranked_by, 0u);
  EXPECT_EQ(Served(), "Olga 2 @300 rank 2");
  EXPECT_EQ(index_->Stats().item_states, 1u);
  ExpectVerified();
  Reopen();
  EXPECT_EQ(Served(), "Olga 2 @300 rank 2");
  ExpectVerified();
}

TEST_F(SourceRankTest, AnUnrankedChangeReplacesTheArtistAndDropsItsItemStates) {
  ASSERT_EQ(Upsert(Profile("Olga", "100")).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Mia", "200", kMetadata)).outcome, Outcome::kApplied);
  ASSERT_EQ(index_->Stats().item_states, 1u);
  EXPECT_EQ(Upsert(Ranked("By hand", "300", 0)).outcome, Outcome::kApplied);
  EXPECT_EQ(index_->Stats().item_states, 0u);
  ExpectVerified();
  // Against the unranked document only versions count, and nothing is left
  // to fall back to.
  EXPECT_EQ(DeleteAt("400", kMetadata).outcome, Outcome::kApplied);
  EXPECT_EQ(Served(), "gone");
  ExpectVerified();

  // Numeric versions, as a scan and then the CLI write them: the unranked
  // upsert is judged by the in-memory row alone (no read of the record),
  // and still drops the kept states.
  Artist metadata = MakeArtist("scanned", "Scanned METADATA", kLeedsLat, kLeedsLon, {}, 1);
  metadata.set_source_rank(kMetadata);
  Artist profile = MakeArtist("scanned", "Scanned PROFILE", kLeedsLat, kLeedsLon, {}, 1);
  profile.set_source_rank(kProfile);
  ASSERT_EQ(Upsert(metadata).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(profile).outcome, Outcome::kStale);
  ASSERT_EQ(index_->Stats().item_states, 1u);
  EXPECT_EQ(Upsert(MakeArtist("scanned", "From the CLI", kLeedsLat, kLeedsLon, {}, 2)).outcome,
            Outcome::kApplied);
  EXPECT_EQ(index_->Stats().item_states, 0u);
  ExpectVerified();
  Reopen();
  EXPECT_EQ(index_->Stats().item_states, 0u);
  ExpectVerified();
}

TEST_F(SourceRankTest, ATombstonePurgeForgetsTheKeptStatesWithIt) {
  // dup1: live from METADATA, PROFILE's tombstone kept: not purged.
  ASSERT_EQ(Upsert(Profile("Olga", "100")).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Mia", "200", kMetadata)).outcome, Outcome::kApplied);
  ASSERT_EQ(DeleteAt("300", kProfile).outcome, Outcome::kStale);
  // dup2: both items deleted.
  ASSERT_EQ(Upsert(Profile("Olga", "100", "dup2")).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Mia", "200", kMetadata, "dup2")).outcome, Outcome::kApplied);
  ASSERT_EQ(DeleteAt("300", kMetadata, "dup2").outcome, Outcome::kApplied);
  ASSERT_EQ(Served("dup2"), "Olga @100 rank 2");
  ASSERT_EQ(DeleteAt("400", kProfile, "dup2").outcome, Outcome::kApplied);
  ASSERT_EQ(Served("dup2"), "gone");
  ASSERT_EQ(index_->Stats().item_states, 2u);
  ASSERT_EQ(index_->Stats().tombstones, 1u);

  TombstonePurgeOptions options;
  options.deleted_before = absl::Now() + absl::Hours(1);
  auto purged = index_->PurgeTombstones(options);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->purged, 1u);
  EXPECT_EQ(index_->Stats().item_states, 1u);
  EXPECT_EQ(index_->Stats().tombstones, 0u);
  ExpectVerified();
  WithStore([](store::DocStore& store) {
    auto gone = store.GetItemStates("dup2");
    ASSERT_TRUE(gone.ok()) << gone.status();
    EXPECT_FALSE(gone->has_value());
    auto kept = store.GetItemStates("dup1");
    ASSERT_TRUE(kept.ok()) << kept.status();
    ASSERT_TRUE(kept->has_value());
    ASSERT_EQ((*kept)->items_size(), 1);
    EXPECT_TRUE((*kept)->items(0).deleted());
    EXPECT_EQ((*kept)->items(0).source_rank(), kProfile);
  });
  EXPECT_EQ(index_->Stats().item_states, 1u);
  ExpectVerified();
  // dup2 is forgotten: its records are judged against nothing (the cost of
  // purging, index.h).
  EXPECT_EQ(Upsert(Ranked("Mia", "200", kMetadata, "dup2")).outcome, Outcome::kApplied);
  EXPECT_EQ(Served("dup2"), "Mia @200 rank 1");
  EXPECT_EQ(Served(), "Mia @200 rank 1");
  ExpectVerified();
}

TEST_F(SourceRankTest, VerifyReportsKeptStatesOutOfStepWithTheirRecords) {
  ASSERT_EQ(Upsert(Profile("Olga", "100")).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Mia", "200", kMetadata)).outcome, Outcome::kApplied);
  ASSERT_EQ(Upsert(Ranked("Solo", "200", kMetadata, "solo")).outcome, Outcome::kApplied);
  ExpectVerified();
  // As a bug or a corruption would leave them: dup1's states lost, states
  // for an id never stored, and a live METADATA state kept under solo's
  // METADATA document.
  WithStore([](store::DocStore& store) {
    store::CommitWrite write;
    const store::CommitState state = store.state();
    write.seq = state.seq + 1;
    write.unix_micros = state.unix_micros;
    write.next_slot = state.next_slot;
    ItemStates ghost;
    *ghost.add_items() = StoredRecord();
    ghost.mutable_items(0)->set_deleted(true);
    ghost.mutable_items(0)->set_source_rank(kProfile);
    ghost.mutable_items(0)->set_stream_sequence("5");
    write.item_states.emplace_back("dup1", ItemStates());
    write.item_states.emplace_back("ghost", ghost);
    ItemStates outranking;
    StoredRecord* live = outranking.add_items();
    *live->mutable_artist() = Ranked("Other", "50", kMetadata, "solo");
    live->set_stream_sequence("50");
    live->set_source_rank(kMetadata);
    write.item_states.emplace_back("solo", outranking);
    ASSERT_TRUE(store.Commit(write).ok());
  });
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems,
              Contains("artist 'dup1': the stored record says item states are kept, but none "
                       "are stored"));
  EXPECT_THAT(report->problems,
              Contains("artist 'ghost': item states are kept but no record is stored"));
  EXPECT_THAT(report->problems,
              Contains("artist 'solo': item states are kept but the stored record does not say "
                       "so"));
  EXPECT_THAT(report->problems,
              Contains("artist 'solo': the kept state of source rank 1: the stored record's "
                       "rank"));
}

TEST(CheckItemStatesTest, ReportsBrokenInvariants) {
  StoredRecord served;
  served.set_source_rank(kProfile);
  served.set_stream_sequence("10");
  served.set_has_item_states(true);
  *served.mutable_artist() = Profile("Olga", "10");
  ItemStates kept;
  StoredRecord* live = kept.add_items();
  *live->mutable_artist() = Ranked("Mia", "5", kMetadata);
  live->set_stream_sequence("5");
  live->set_source_rank(kMetadata);
  EXPECT_THAT(index::CheckItemStates("dup1", &served, kept),
              ElementsAre("artist 'dup1': the kept state of source rank 1: live, and outranks "
                          "the stored document"));
  live->clear_artist();
  live->set_deleted(true);
  EXPECT_THAT(index::CheckItemStates("dup1", &served, kept), IsEmpty());
  *kept.add_items() = *live;
  live->set_slot(7);
  EXPECT_THAT(index::CheckItemStates("dup1", &served, kept),
              ElementsAre("artist 'dup1': the kept state of source rank 1: has a slot or item "
                          "states of its own",
                          "artist 'dup1': the kept state of source rank 1: ranks must be > 0, "
                          "unique and in order"));
  kept.mutable_items()->RemoveLast();
  live->clear_slot();
  live->clear_stream_sequence();
  served.set_deleted(true);
  served.clear_artist();
  live->set_deleted(false);
  *live->mutable_artist() = Ranked("Mia", "5", kMetadata, "someone-else");
  EXPECT_THAT(index::CheckItemStates("dup1", &served, kept),
              ElementsAre("artist 'dup1': the kept state of source rank 1: no version",
                          "artist 'dup1': the kept state of source rank 1: holds an image of "
                          "'someone-else'",
                          "artist 'dup1': the kept state of source rank 1: live, but the stored "
                          "record is a tombstone"));
}

// Items' records in random order, replayed and interleaved, in batches of
// random size: the index must serve, after every batch, the highest-ranked
// live item by each item's own latest record, and report each change as
// the rules say.
TEST_F(SourceRankTest, MatchesAModelOfTheItemsUnderRandomOrder) {
  struct Item {
    uint64_t seq = 0;  // 0: never seen
    bool deleted = false;
    std::string name;
  };
  struct Record {
    std::string id;
    uint32_t rank;
    uint64_t seq;
    bool deleted;
    std::string name;
  };
  std::map<std::string, std::map<uint32_t, Item>> model;  // id -> rank -> state
  std::vector<Record> history;
  std::mt19937 rng(20261201);
  const std::vector<std::string> ids = {"r1", "r2", "r3", "r4"};
  uint64_t next_seq = 1000;
  auto served = [&](const std::string& id) -> std::string {
    for (const auto& [rank, item] : model[id]) {
      if (item.seq != 0 && !item.deleted) {
        return absl::StrCat(item.name, " @", item.seq, " rank ", rank);
      }
    }
    return "gone";
  };
  for (int round = 0; round < 300; ++round) {
    WriteBatch batch;
    std::vector<Record> records;
    const int n = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int k = 0; k < n; ++k) {
      Record r;
      if (!history.empty() && rng() % 4 == 0) {
        r = history[rng() % history.size()];  // a replay, or a late record
      } else {
        r.id = ids[rng() % ids.size()];
        r.rank = 1 + rng() % 3;
        // Sequence numbers jump around a little: an item's records may
        // come out of order.
        r.seq = next_seq + rng() % 50;
        next_seq += 10;
        r.deleted = rng() % 3 == 0;
        r.name = absl::StrCat("Name ", r.seq);
        history.push_back(r);
      }
      records.push_back(r);
      if (r.deleted) {
        batch.DeleteAtStreamSequence(r.id, absl::StrCat(r.seq), r.rank);
      } else {
        Artist a = Ranked(r.name, absl::StrCat(r.seq), r.rank, r.id);
        batch.Upsert(std::move(a));
      }
    }
    auto results = index_->Apply(batch);
    ASSERT_TRUE(results.ok()) << results.status();
    for (size_t k = 0; k < records.size(); ++k) {
      const Record& r = records[k];
      SCOPED_TRACE(absl::StrCat("round ", round, ": ", r.id, " rank ", r.rank, " seq ", r.seq,
                                r.deleted ? " delete" : " upsert"));
      Item& item = model[r.id][r.rank];
      const ChangeResult& got = (*results)[k];
      if (item.seq >= r.seq) {
        EXPECT_EQ(got.outcome, Outcome::kStale);
        EXPECT_EQ(got.outranked_by, 0u);
        continue;
      }
      item = {r.seq, r.deleted, r.name};
      uint32_t top = 0;  // the highest-ranked live item
      for (const auto& [rank, state] : model[r.id]) {
        if (top == 0 && state.seq != 0 && !state.deleted) top = rank;
      }
      if (top != 0 && top < r.rank) {
        EXPECT_EQ(got.outcome, Outcome::kStale);
        EXPECT_EQ(got.outranked_by, top);
      } else {
        EXPECT_EQ(got.outcome, Outcome::kApplied) << got.reason;
      }
    }
    for (const std::string& id : ids) {
      ASSERT_EQ(Served(id), served(id)) << "round " << round;
    }
    if (round % 50 == 49) {
      ExpectVerified();
      Reopen();
    }
  }
  uint64_t searchable = 0;
  for (const std::string& id : ids) searchable += served(id) != "gone";
  EXPECT_EQ(index_->Stats().searchable, searchable);
  EXPECT_EQ(static_cast<uint64_t>(SearchNear(kLeedsLat, kLeedsLon).total), searchable);
  ExpectVerified();
}

}  // namespace
}  // namespace inkdex
