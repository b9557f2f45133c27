// Source ranks (inkdex/index.h "Versions"): when two table items map to one
// artist, a change of the lower-ranked item never overwrites or deletes a
// document of the higher-ranked one; ranks decide before versions only when
// both sides carry one and the stored record is a live document.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::testing::HasSubstr;
using Outcome = ChangeResult::Outcome;

constexpr double kLat = 53.7997, kLon = -1.5492;
constexpr uint32_t kMetadata = 1, kProfile = 2;  // the default mapping's order

Artist Ranked(const std::string& name, const std::string& seq, uint32_t rank) {
  Artist a = MakeArtist("dup1", name, kLat, kLon, {"blackwork"}, /*version=*/0);
  a.set_stream_sequence(seq);
  a.set_source_rank(rank);
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
  ChangeResult DeleteAt(const std::string& seq, uint32_t rank) {
    WriteBatch b;
    b.DeleteAtStreamSequence("dup1", seq, rank);
    return Apply(b);
  }
  std::string Name() {
    auto a = index_->Get("dup1");
    return a.ok() ? a->name() : std::string(a.status().message());
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
    Artist metadata = MakeArtist(id, "From METADATA", kLat, kLon, {}, 1);
    metadata.set_source_rank(kMetadata);
    Artist profile = MakeArtist(id, "From PROFILE", kLat, kLon, {}, 1);
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
  }
  // Both in one batch (one scan page).
  Artist profile = MakeArtist("same-batch", "From PROFILE", kLat, kLon, {}, 1);
  profile.set_source_rank(kProfile);
  Artist metadata = MakeArtist("same-batch", "From METADATA", kLat, kLon, {}, 1);
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
}

TEST_F(SourceRankTest, AfterATombstoneOnlyTheSequenceCounts) {
  ASSERT_EQ(Upsert(Ranked("Metadata", "100", kMetadata)).outcome, Outcome::kApplied);
  ASSERT_EQ(DeleteAt("200", kMetadata).outcome, Outcome::kApplied);
  // The METADATA item is gone: the artist follows PROFILE's newer changes,
  // never an older one.
  EXPECT_EQ(Upsert(Ranked("Old profile", "150", kProfile)).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(Ranked("Profile", "300", kProfile)).outcome, Outcome::kApplied);
  EXPECT_EQ(Name(), "Profile");
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
}

}  // namespace
}  // namespace inkdex
