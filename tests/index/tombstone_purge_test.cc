// Index::PurgeTombstones: old deletes are forgotten, their slots reused, and
// the index stays consistent (searches, versions, Verify, reopen).
#include <thread>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_impl.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "store/doc_store.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using testing::kLeedsLat;
using testing::kLeedsLon;
using testing::kOsloLat;
using testing::kOsloLon;

class TombstonePurgeTest : public testing::IndexDirTest {
 protected:
  std::vector<ChangeResult> Apply(const WriteBatch& b) {
    auto r = index_->Apply(b);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<ChangeResult>{};
  }
  ChangeResult::Outcome Put(Artist a) {
    WriteBatch b;
    b.Upsert(std::move(a));
    std::vector<ChangeResult> r = Apply(b);
    return r.empty() ? ChangeResult::Outcome::kRejected : r[0].outcome;
  }
  void Delete(const std::string& id, uint64_t version) {
    WriteBatch b;
    b.Delete(id, version);
    Apply(b);
  }
  TombstonePurge Purge(absl::Time deleted_before, size_t max_records = 100000) {
    TombstonePurgeOptions options;
    options.deleted_before = deleted_before;
    options.max_records = max_records;
    auto r = index_->PurgeTombstones(options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : TombstonePurge{};
  }
  std::vector<std::string> SearchIds(double lat, double lon, const std::string& text = "") {
    SearchRequest q;
    q.point = GeoPoint{lat, lon};
    q.radius_km = 20;
    q.text = text;
    auto r = index_->Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const SearchHit& h : r->hits) ids.push_back(h.id);
    }
    return ids;
  }
  void ExpectVerified() {
    auto report = index_->Verify();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, IsEmpty());
  }
  // The stored record of `id` (nullopt: none), read with the index closed;
  // the index is reopened afterwards.
  std::optional<StoredRecord> Stored(const std::string& id) {
    index_.reset();
    std::optional<StoredRecord> out;
    {
      auto store = store::DocStore::Open(dir_.path() + "/docs", false, true, 1 << 20);
      EXPECT_TRUE(store.ok()) << store.status();
      if (store.ok()) {
        auto r = (*store)->Get(id);
        EXPECT_TRUE(r.ok()) << r.status();
        if (r.ok()) out = *r;
      }
    }
    Reopen();
    return out;
  }
  // Rewrites `id`'s stored record with the index closed (as an older inkdex,
  // or a corruption, would have left it), then reopens the index.
  void Restore(const std::string& id, const StoredRecord& record) {
    index_.reset();
    {
      auto store = store::DocStore::Open(dir_.path() + "/docs", false, true, 1 << 20);
      ASSERT_TRUE(store.ok()) << store.status();
      store::CommitState state = (*store)->state();
      store::CommitWrite write;
      write.seq = state.seq + 1;
      write.unix_micros = state.unix_micros;
      write.next_slot = state.next_slot;
      write.records.emplace_back(id, record);
      ASSERT_TRUE((*store)->Commit(write).ok());
    }
    Reopen();
  }
};

TEST_F(TombstonePurgeTest, DeletesRecordWhenTheyWereCommitted) {
  Put(MakeArtist("a", "Alpha", kLeedsLat, kLeedsLon, {"fineline"}));
  const absl::Time before = absl::Now();
  Delete("a", 2);
  const absl::Time after = absl::Now();
  std::optional<StoredRecord> r = Stored("a");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->deleted());
  EXPECT_GE(r->deleted_unix_micros(), absl::ToUnixMicros(before));
  EXPECT_LE(r->deleted_unix_micros(), absl::ToUnixMicros(after));
}

TEST_F(TombstonePurgeTest, ForgetsOnlyTombstonesOlderThanTheHorizon) {
  Put(MakeArtist("old", "Old One", kLeedsLat, kLeedsLon, {"fineline"}));
  Put(MakeArtist("young", "Young One", kLeedsLat, kLeedsLon, {"fineline"}));
  Put(MakeArtist("live", "Live One", kLeedsLat, kLeedsLon, {"fineline"}));
  Artist hidden = MakeArtist("hidden", "Hidden One", kLeedsLat, kLeedsLon, {"fineline"});
  hidden.set_opted_out(true);  // stored, not searchable: not a tombstone
  Put(hidden);
  Delete("old", 5);
  absl::SleepFor(absl::Milliseconds(5));
  const absl::Time horizon = absl::Now();
  absl::SleepFor(absl::Milliseconds(5));
  Delete("young", 5);
  ASSERT_EQ(index_->Stats().tombstones, 2u);
  const uint64_t seq = index_->Stats().commit_seq;

  TombstonePurge p = Purge(horizon);
  EXPECT_EQ(p.purged, 1u);
  EXPECT_EQ(p.dated, 0u);
  EXPECT_EQ(p.remaining, 1u);
  EXPECT_FALSE(p.more);
  EXPECT_EQ(p.commit_seq, seq + 1);
  EXPECT_EQ(index_->Stats().tombstones, 1u);
  EXPECT_EQ(index_->Stats().documents, 2u);
  EXPECT_TRUE(index_->Get("hidden", /*include_hidden=*/true).ok());
  EXPECT_FALSE(Stored("old").has_value());
  EXPECT_TRUE(Stored("young").has_value());
  ExpectVerified();

  // The purged id's delete is forgotten: an older upsert is new again
  // (what the horizon must be long enough to make impossible); the kept
  // tombstone still wins over an older upsert.
  EXPECT_EQ(Put(MakeArtist("old", "Old One", kLeedsLat, kLeedsLon, {"fineline"}, 4)),
            ChangeResult::Outcome::kApplied);
  EXPECT_EQ(Put(MakeArtist("young", "Young One", kLeedsLat, kLeedsLon, {"fineline"}, 4)),
            ChangeResult::Outcome::kStale);
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon), ::testing::UnorderedElementsAre("old", "live"));
  ExpectVerified();
}

TEST_F(TombstonePurgeTest, NothingToPurgeCommitsNothing) {
  Put(MakeArtist("a", "Alpha", kLeedsLat, kLeedsLon, {"fineline"}));
  Delete("a", 2);
  const uint64_t seq = index_->Stats().commit_seq;
  TombstonePurge p = Purge(absl::Now() - absl::Hours(1));
  EXPECT_EQ(p.purged, 0u);
  EXPECT_EQ(p.remaining, 1u);
  EXPECT_EQ(p.commit_seq, seq);
  EXPECT_EQ(index_->Stats().commit_seq, seq);
}

TEST_F(TombstonePurgeTest, AFreedSlotIsReusedWithoutTheOldArtistsTermsOrPlaces) {
  Put(MakeArtist("gone", "Zebedee Quill", kLeedsLat, kLeedsLon, {"fineline"}));
  Put(MakeArtist("stays", "Marta Stay", kLeedsLat, kLeedsLon, {"japanese"}));
  Delete("gone", 2);
  std::optional<StoredRecord> gone = Stored("gone");
  ASSERT_TRUE(gone.has_value());
  const uint32_t slot = gone->slot();
  EXPECT_EQ(Purge(absl::Now() + absl::Seconds(1)).purged, 1u);

  // A new artist far away, with other words, takes the freed slot.
  Put(MakeArtist("new", "Olav Nordmann", kOsloLat, kOsloLon, {"blackwork"}));
  std::optional<StoredRecord> fresh = Stored("new");
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->slot(), slot);

  // Neither the old occupant's place nor its words find the new one.
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon), ElementsAre("stays"));
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "zebedee"), IsEmpty());
  EXPECT_THAT(SearchIds(kOsloLat, kOsloLon), ElementsAre("new"));
  EXPECT_THAT(SearchIds(kOsloLat, kOsloLon, "nordmann"), ElementsAre("new"));
  EXPECT_THAT(SearchIds(kOsloLat, kOsloLon, "zebedee"), IsEmpty());
  ExpectVerified();

  // The next new artist gets a fresh slot: the free one is taken.
  Put(MakeArtist("next", "Next One", kOsloLat, kOsloLon, {"blackwork"}));
  std::optional<StoredRecord> next = Stored("next");
  ASSERT_TRUE(next.has_value());
  EXPECT_NE(next->slot(), slot);
  ExpectVerified();
}

TEST_F(TombstonePurgeTest, FreeSlotsAreFoundAgainAfterReopen) {
  for (const char* id : {"a", "b", "c"}) {
    Put(MakeArtist(id, "Artist", kLeedsLat, kLeedsLon, {"fineline"}));
  }
  std::optional<StoredRecord> b = Stored("b");
  ASSERT_TRUE(b.has_value());
  Delete("b", 2);
  EXPECT_EQ(Purge(absl::Now() + absl::Seconds(1)).purged, 1u);
  Reopen();
  EXPECT_EQ(index_->Stats().tombstones, 0u);
  EXPECT_EQ(index_->Stats().documents, 2u);
  Put(MakeArtist("d", "Artist Dee", kOsloLat, kOsloLon, {"fineline"}));
  std::optional<StoredRecord> d = Stored("d");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->slot(), b->slot());
  EXPECT_THAT(SearchIds(kOsloLat, kOsloLon), ElementsAre("d"));
  ExpectVerified();
}

TEST_F(TombstonePurgeTest, MaxRecordsSplitsAPurgeIntoCommits) {
  WriteBatch put, del;
  for (int i = 0; i < 5; ++i) {
    put.Upsert(MakeArtist("a" + std::to_string(i), "Artist", kLeedsLat, kLeedsLon, {"fineline"}));
    del.Delete("a" + std::to_string(i), 2);
  }
  Apply(put);
  Apply(del);
  const absl::Time horizon = absl::Now() + absl::Seconds(1);
  TombstonePurge p = Purge(horizon, 2);
  EXPECT_EQ(p.purged, 2u);
  EXPECT_TRUE(p.more);
  EXPECT_EQ(p.remaining, 3u);
  p = Purge(horizon, 2);
  EXPECT_EQ(p.purged, 2u);
  EXPECT_TRUE(p.more);
  p = Purge(horizon, 2);
  EXPECT_EQ(p.purged, 1u);
  EXPECT_FALSE(p.more);
  EXPECT_EQ(p.remaining, 0u);
  EXPECT_EQ(index_->Stats().tombstones, 0u);
  ExpectVerified();

  TombstonePurgeOptions zero;
  zero.max_records = 0;
  auto bad = index_->PurgeTombstones(zero);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("max_records"));
}

TEST_F(TombstonePurgeTest, TombstonesWithoutADeletionTimeAreDatedThenPurged) {
  Put(MakeArtist("a", "Alpha", kLeedsLat, kLeedsLon, {"fineline"}));
  Delete("a", 2);
  std::optional<StoredRecord> r = Stored("a");
  ASSERT_TRUE(r.has_value());
  r->clear_deleted_unix_micros();  // as inkdex stored tombstones before
  Restore("a", *r);

  const absl::Time dated_after = absl::Now();
  TombstonePurge p = Purge(absl::Now() + absl::Hours(1));
  EXPECT_EQ(p.purged, 0u) << "an undated tombstone's age is unknown: never purged at once";
  EXPECT_EQ(p.dated, 1u);
  EXPECT_EQ(p.remaining, 1u);
  std::optional<StoredRecord> dated = Stored("a");
  ASSERT_TRUE(dated.has_value());
  EXPECT_GE(dated->deleted_unix_micros(), absl::ToUnixMicros(dated_after));
  EXPECT_EQ(dated->version(), 2u);

  p = Purge(absl::Now() + absl::Hours(1));
  EXPECT_EQ(p.purged, 1u);
  EXPECT_EQ(p.dated, 0u);
  ExpectVerified();
}

TEST_F(TombstonePurgeTest, StreamVersionTombstonesArePurgedToo) {
  Artist a = MakeArtist("s", "Stream Artist", kLeedsLat, kLeedsLon, {"fineline"}, 0);
  a.set_stream_sequence("100000000000000000001");
  Put(a);
  WriteBatch del;
  del.DeleteAtStreamSequence("s", "100000000000000000002");
  Apply(del);
  EXPECT_EQ(Purge(absl::Now() + absl::Seconds(1)).purged, 1u);
  a.set_stream_sequence("100000000000000000000");
  EXPECT_EQ(Put(a), ChangeResult::Outcome::kApplied);
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon), ElementsAre("s"));
  ExpectVerified();
}

// A search index commit that fails after the document store committed: the
// next write first brings Xapian up to date and publishes that commit, so
// versions are judged against it (not the commit before).
TEST_F(TombstonePurgeTest, AFailedSearchIndexCommitIsCaughtUpBeforeTheNextWrite) {
  Put(MakeArtist("a", "Alpha", kLeedsLat, kLeedsLon, {"fineline"}, 3));
  auto* impl = dynamic_cast<index::IndexImpl*>(index_.get());
  ASSERT_NE(impl, nullptr);
  impl->FailSearchIndexCommitsForTesting(1);
  WriteBatch b;
  b.Upsert(MakeArtist("a", "Alpha Renamed", kLeedsLat, kLeedsLon, {"fineline"}, 5));
  auto failed = index_->Apply(b);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), HasSubstr("durable in the document store"));
  // Searches stay on the previous commit meanwhile (text and rows agree).
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "alpha"), ElementsAre("a"));
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "renamed"), IsEmpty());

  // Version 4 is older than the durable version 5: stale, not applied.
  EXPECT_EQ(Put(MakeArtist("a", "Alpha Four", kLeedsLat, kLeedsLon, {"fineline"}, 4)),
            ChangeResult::Outcome::kStale);
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "renamed"), ElementsAre("a"));
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "four"), IsEmpty());
  ExpectVerified();

  // The same through a purge: its failed commit is caught up by the next write.
  Delete("a", 6);
  impl->FailSearchIndexCommitsForTesting(1);
  TombstonePurgeOptions options;
  options.deleted_before = absl::Now() + absl::Seconds(1);
  auto purge = index_->PurgeTombstones(options);
  ASSERT_FALSE(purge.ok());
  EXPECT_EQ(purge.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Put(MakeArtist("b", "Bravo", kOsloLat, kOsloLon, {"fineline"})),
            ChangeResult::Outcome::kApplied);
  EXPECT_EQ(index_->Stats().tombstones, 0u);
  EXPECT_THAT(SearchIds(kOsloLat, kOsloLon), ElementsAre("b"));
  ExpectVerified();
  Reopen();
  ExpectVerified();
}

// Xapian closes its database when a failed commit cannot return to the old
// revision (seen on a full disk): the next write reopens it and catches up,
// instead of failing with DatabaseClosedError until a restart.
TEST_F(TombstonePurgeTest, ASearchIndexClosedByAFailedCommitIsReopenedByTheNextWrite) {
  Put(MakeArtist("a", "Alpha", kLeedsLat, kLeedsLon, {"fineline"}, 3));
  auto* impl = dynamic_cast<index::IndexImpl*>(index_.get());
  ASSERT_NE(impl, nullptr);
  impl->FailSearchIndexCommitsForTesting(1, /*close_database=*/true);
  WriteBatch b;
  b.Upsert(MakeArtist("a", "Alpha Renamed", kLeedsLat, kLeedsLon, {"fineline"}, 5));
  auto failed = index_->Apply(b);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "alpha"), ElementsAre("a"));

  EXPECT_EQ(Put(MakeArtist("b", "Bravo", kLeedsLat, kLeedsLon, {"fineline"})),
            ChangeResult::Outcome::kApplied);
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "renamed"), ElementsAre("a"));
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "bravo"), ElementsAre("b"));
  ExpectVerified();
  Reopen();
  EXPECT_THAT(SearchIds(kLeedsLat, kLeedsLon, "renamed"), ElementsAre("a"));
  ExpectVerified();
}

TEST_F(TombstonePurgeTest, VerifyReportsTwoIdsInOneSlot) {
  Put(MakeArtist("a", "Alpha", kLeedsLat, kLeedsLon, {"fineline"}));
  Put(MakeArtist("b", "Bravo", kLeedsLat, kLeedsLon, {"fineline"}));
  std::optional<StoredRecord> a = Stored("a");
  std::optional<StoredRecord> b = Stored("b");
  ASSERT_TRUE(a.has_value() && b.has_value());
  b->set_slot(a->slot());
  Restore("b", *b);
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::Contains(HasSubstr("is held by another id too")));
}

}  // namespace
}  // namespace inkdex
