#include "server/write_committer.h"

#include <xapian.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"

namespace inkdex::server {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;
using ::testing::HasSubstr;
using Outcome = ChangeResult::Outcome;

using ::inkdex::testing::kLeedsLat;
using ::inkdex::testing::kLeedsLon;
// Long enough that only max_pending_changes (or Stop, or a swap) triggers a
// commit within a test.
constexpr absl::Duration kNever = absl::Seconds(60);

Artist Leeds(const std::string& id, uint64_t version = 1) {
  return MakeArtist(id, "Artist " + id, kLeedsLat, kLeedsLon, {"fineline"}, version);
}

WriteBatch Batch(std::vector<Artist> artists) {
  WriteBatch batch;
  for (Artist& a : artists) batch.Upsert(std::move(a));
  return batch;
}

std::vector<Outcome> Outcomes(const CommitOutcome& outcome) {
  std::vector<Outcome> out;
  for (const ChangeResult& r : outcome.results) out.push_back(r.outcome);
  return out;
}

// Records what on_commit reports.
class CommitLog {
 public:
  std::function<void(const CommitInfo&)> Callback() {
    return [this](const CommitInfo& info) {
      absl::MutexLock lock(&mu_);
      commits_.push_back(info);
    };
  }
  std::vector<CommitInfo> commits() const {
    absl::MutexLock lock(&mu_);
    return commits_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<CommitInfo> commits_;
};

class WriteCommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto holder = IndexHolder::Open(dir_.path(), IndexOptions{});
    ASSERT_TRUE(holder.ok()) << holder.status();
    holder_ = *std::move(holder);
  }
  void Start(absl::Duration interval, size_t max_pending) {
    WriteCommitter::Options options;
    options.commit_interval = interval;
    options.max_pending_changes = max_pending;
    options.on_commit = log_.Callback();
    committer_ = std::make_unique<WriteCommitter>(*holder_, options);
  }
  // Waits until `n` Write calls are queued (not yet committing).
  void AwaitPending(size_t n) {
    while (committer_->PendingWrites() < n) absl::SleepFor(absl::Milliseconds(1));
  }

  TempDir dir_;
  std::unique_ptr<IndexHolder> holder_;
  CommitLog log_;
  std::unique_ptr<WriteCommitter> committer_;
};

TEST_F(WriteCommitterTest, AWriteIsSearchableWhenItReturns) {
  Start(absl::Milliseconds(20), 10000);
  auto outcome = committer_->Write(Batch({Leeds("a1")}));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_THAT(Outcomes(*outcome), ::testing::ElementsAre(Outcome::kApplied));
  EXPECT_EQ(outcome->commit_seq, holder_->Current()->Stats().commit_seq);
  EXPECT_GT(outcome->commit_seq, 0u);
  SearchRequest q;
  q.point = GeoPoint{kLeedsLat, kLeedsLon};
  q.radius_km = 5;
  auto found = holder_->Current()->Search(q);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->total, 1);
  ASSERT_EQ(log_.commits().size(), 1u);
  EXPECT_EQ(log_.commits()[0].changes, 1u);
  EXPECT_TRUE(log_.commits()[0].status.ok());
}

TEST_F(WriteCommitterTest, AWriteWaitsAtMostTheCommitInterval) {
  Start(absl::Milliseconds(80), 10000);
  // Within the first interval after the start (which counts as a commit).
  const absl::Time start = absl::Now();
  auto outcome = committer_->Write(Batch({Leeds("a1")}));
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  // It waited for the group-commit window, and not much longer (the commit
  // itself is an fsync or two).
  EXPECT_GE(took, absl::Milliseconds(75));
  EXPECT_LT(took, absl::Seconds(2));
}

TEST_F(WriteCommitterTest, AWriteAfterAQuietSpellCommitsAtOnceAndTheNextWaitsForTheInterval) {
  Start(absl::Seconds(1), 10000);
  absl::SleepFor(absl::Milliseconds(1100));  // no commit for longer than the interval
  absl::Time start = absl::Now();
  ASSERT_TRUE(committer_->Write(Batch({Leeds("a1")})).ok());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(700)) << "it waited for the interval";
  // Commits start at most once per interval: the next write waits for the
  // interval from the previous commit's start.
  start = absl::Now();
  ASSERT_TRUE(committer_->Write(Batch({Leeds("a2")})).ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(500));
  ASSERT_EQ(log_.commits().size(), 2u);
}

TEST_F(WriteCommitterTest, CommitsAtOnceWhenPendingChangesReachTheLimit) {
  Start(kNever, 3);
  const absl::Time start = absl::Now();
  auto outcome = committer_->Write(Batch({Leeds("a1"), Leeds("a2"), Leeds("a3")}));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(outcome->results.size(), 3u);
}

TEST_F(WriteCommitterTest, GroupsConcurrentWritesIntoOneCommit) {
  constexpr int kCalls = 20;
  Start(kNever, kCalls);  // the 20th change triggers the commit
  std::vector<absl::StatusOr<CommitOutcome>> outcomes(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back(
        [&, i] { outcomes[i] = committer_->Write(Batch({Leeds("c" + std::to_string(i))})); });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(log_.commits().size(), 1u);
  EXPECT_EQ(log_.commits()[0].calls, static_cast<size_t>(kCalls));
  EXPECT_EQ(log_.commits()[0].changes, static_cast<size_t>(kCalls));
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << outcomes[i].status();
    EXPECT_THAT(Outcomes(*outcomes[i]), ::testing::ElementsAre(Outcome::kApplied));
    EXPECT_EQ(outcomes[i]->commit_seq, log_.commits()[0].commit_seq);
    EXPECT_TRUE(holder_->Current()->Get("c" + std::to_string(i)).ok());
  }
}

TEST_F(WriteCommitterTest, SplitsResultsBackPerCallInOrder) {
  // Each call: an applied upsert, a rejected one, an in-batch stale one and a
  // delete; all calls in one commit.
  constexpr int kCalls = 6;
  Start(kNever, 4 * kCalls);
  std::vector<absl::StatusOr<CommitOutcome>> outcomes(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      const std::string id = "c" + std::to_string(i);
      WriteBatch batch;
      batch.Upsert(Leeds(id, 2));
      Artist bad = Leeds("bad" + std::to_string(i));
      bad.mutable_location()->set_latitude(123);
      batch.Upsert(bad);
      batch.Upsert(Leeds(id, 1));
      batch.Delete("gone" + std::to_string(i), 1);
      outcomes[i] = committer_->Write(std::move(batch));
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(log_.commits().size(), 1u);
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << outcomes[i].status();
    EXPECT_THAT(Outcomes(*outcomes[i]),
                ::testing::ElementsAre(Outcome::kApplied, Outcome::kRejected, Outcome::kStale,
                                       Outcome::kApplied));
    EXPECT_THAT(outcomes[i]->results[1].reason, HasSubstr("latitude"));
    EXPECT_THAT(outcomes[i]->results[2].reason, HasSubstr("version 1 <= stored version 2"));
  }
}

TEST_F(WriteCommitterTest, ALaterCallInTheSameCommitIsCheckedAgainstAnEarlierOne) {
  Start(kNever, 2);
  absl::StatusOr<CommitOutcome> first, second;
  std::thread a([&] { first = committer_->Write(Batch({Leeds("z", 5)})); });
  AwaitPending(1);
  std::thread b([&] { second = committer_->Write(Batch({Leeds("z", 3)})); });
  a.join();
  b.join();
  ASSERT_EQ(log_.commits().size(), 1u);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_THAT(Outcomes(*first), ::testing::ElementsAre(Outcome::kApplied));
  EXPECT_THAT(Outcomes(*second), ::testing::ElementsAre(Outcome::kStale));
  EXPECT_THAT(second->results[0].reason, HasSubstr("version 3 <= stored version 5"));
  EXPECT_EQ(holder_->Current()->Get("z")->version(), 5u);
}

TEST_F(WriteCommitterTest, StaleAgainstWhatIsStored) {
  Start(absl::Milliseconds(1), 10000);
  ASSERT_TRUE(committer_->Write(Batch({Leeds("s", 4)})).ok());
  auto again = committer_->Write(Batch({Leeds("s", 4)}));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(Outcomes(*again), ::testing::ElementsAre(Outcome::kStale));
  WriteBatch del;
  del.Delete("s", 9);
  auto deleted = committer_->Write(std::move(del));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_THAT(Outcomes(*deleted), ::testing::ElementsAre(Outcome::kApplied));
  EXPECT_EQ(holder_->Current()->Get("s").status().code(), absl::StatusCode::kNotFound);
}

// Two calls merged into one commit: a stream REMOVE and a ranked stream
// delete keep their stream sequence and source rank. Merging once re-made
// each delete from its id and numeric version, so both became "version 0"
// deletes, STALE against the stored stream sequences: the artists stayed
// searchable, and a stream reader of several shards (or one beside the
// Lambda path) lost those REMOVEs for good.
TEST_F(WriteCommitterTest, StreamDeletesKeepTheirSequenceAndRankWhenMerged) {
  constexpr uint32_t kMetadata = 1, kProfile = 2;  // the default mapping's item order
  Start(kNever, 2);
  auto stream_artist = [](const std::string& id, const std::string& seq, uint32_t rank,
                          const std::string& name) {
    Artist a = Leeds(id, 0);
    a.set_name(name);
    a.set_stream_sequence(seq);
    a.set_source_rank(rank);
    return a;
  };
  auto setup = committer_->Write(Batch({stream_artist("removed", "100", 0, "Removed"),
                                        stream_artist("ranked", "100", kMetadata, "Metadata"),
                                        stream_artist("ranked", "101", kProfile, "Profile")}));
  ASSERT_TRUE(setup.ok()) << setup.status();
  ASSERT_THAT(Outcomes(*setup),
              ::testing::ElementsAre(Outcome::kApplied, Outcome::kApplied, Outcome::kStale));
  ASSERT_EQ(holder_->Current()->Get("ranked")->name(), "Metadata");

  absl::StatusOr<CommitOutcome> first, second;
  std::thread a([&] {
    WriteBatch batch;
    batch.DeleteAtStreamSequence("removed", "200");
    first = committer_->Write(std::move(batch));
  });
  AwaitPending(1);
  std::thread b([&] {
    WriteBatch batch;
    batch.DeleteAtStreamSequence("ranked", "200", kMetadata);
    second = committer_->Write(std::move(batch));
  });
  a.join();
  b.join();
  ASSERT_EQ(log_.commits().size(), 2u);
  EXPECT_EQ(log_.commits()[1].calls, 2u);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Outcomes(*first), ::testing::ElementsAre(Outcome::kApplied))
      << first->results[0].reason;
  EXPECT_THAT(Outcomes(*second), ::testing::ElementsAre(Outcome::kApplied))
      << second->results[0].reason;
  EXPECT_EQ(holder_->Current()->Get("removed").status().code(), absl::StatusCode::kNotFound);
  // The METADATA item is gone; the artist falls back to its PROFILE item.
  auto ranked = holder_->Current()->Get("ranked");
  ASSERT_TRUE(ranked.ok()) << ranked.status();
  EXPECT_EQ(ranked->name(), "Profile");
  EXPECT_EQ(ranked->stream_sequence(), "101");
}

// Calls of disjoint artists (as the shards of a stream are) that the
// committer groups as they arrive end exactly as the same calls applied one
// by one: every change's outcome and every artist's final document. The
// changes are stream and numeric upserts and deletes of ranked and unranked
// items, with stale and repeated versions; whatever a merge lost or
// reordered would show as a different outcome or document.
TEST_F(WriteCommitterTest, GroupedCallsOfDisjointArtistsEndAsIfAppliedOneByOne) {
  constexpr int kThreads = 4, kCallsPerThread = 40, kIdsPerThread = 8;
  Start(absl::Milliseconds(3), 10000);
  // Each thread's calls, made up front from one seed so the reference
  // replays exactly them.
  std::vector<std::vector<WriteBatch>> calls(kThreads);
  std::mt19937 rng(20261203);
  for (int t = 0; t < kThreads; ++t) {
    for (int c = 0; c < kCallsPerThread; ++c) {
      WriteBatch batch;
      const int changes = 1 + static_cast<int>(rng() % 5);
      for (int k = 0; k < changes; ++k) {
        const std::string id = absl::StrCat("t", t, "-", rng() % kIdsPerThread);
        const uint32_t rank = rng() % 3;  // 0: unranked
        const std::string seq = absl::StrCat(1 + rng() % 60);
        switch (rng() % 4) {
          case 0:
          case 1: {
            Artist a = Leeds(id, 0);
            a.set_name(absl::StrCat("Artist ", id, " seq ", seq, " rank ", rank));
            a.set_stream_sequence(seq);
            a.set_source_rank(rank);
            batch.Upsert(std::move(a));
            break;
          }
          case 2:
            batch.DeleteAtStreamSequence(id, seq, rank);
            break;
          default:
            if (rng() % 2 == 0) {
              batch.Upsert(Leeds(id, 1 + rng() % 20));
            } else {
              batch.Delete(id, 1 + rng() % 20);
            }
        }
      }
      calls[t].push_back(std::move(batch));
    }
  }

  std::vector<std::vector<std::vector<ChangeResult>>> grouped(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const WriteBatch& batch : calls[t]) {
        absl::StatusOr<CommitOutcome> outcome = committer_->Write(batch);
        ASSERT_TRUE(outcome.ok()) << outcome.status();
        grouped[t].push_back(outcome->results);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  size_t merged = 0;
  for (const CommitInfo& info : log_.commits()) merged += info.calls > 1;
  ASSERT_GT(merged, 0u) << "no commit grouped two calls: the test tested nothing";

  TempDir reference_dir;
  absl::StatusOr<std::unique_ptr<Index>> reference = Index::Open(reference_dir.path(), {});
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (int t = 0; t < kThreads; ++t) {
    for (int c = 0; c < kCallsPerThread; ++c) {
      absl::StatusOr<std::vector<ChangeResult>> one = (*reference)->Apply(calls[t][c]);
      ASSERT_TRUE(one.ok()) << one.status();
      ASSERT_EQ(one->size(), grouped[t][c].size());
      for (size_t k = 0; k < one->size(); ++k) {
        EXPECT_EQ((*one)[k].outcome, grouped[t][c][k].outcome)
            << "thread " << t << " call " << c << " change " << k << ": alone '" << (*one)[k].reason
            << "', grouped '" << grouped[t][c][k].reason << "'";
        EXPECT_EQ((*one)[k].reason, grouped[t][c][k].reason);
      }
    }
  }
  const std::shared_ptr<Index> served = holder_->Current();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kIdsPerThread; ++i) {
      const std::string id = absl::StrCat("t", t, "-", i);
      absl::StatusOr<Artist> want = (*reference)->Get(id);
      absl::StatusOr<Artist> got = served->Get(id);
      ASSERT_EQ(got.status().code(), want.status().code()) << id;
      if (want.ok()) {
        EXPECT_EQ(got->name(), want->name()) << id;
        EXPECT_EQ(got->stream_sequence(), want->stream_sequence()) << id;
        EXPECT_EQ(got->version(), want->version()) << id;
        EXPECT_EQ(got->source_rank(), want->source_rank()) << id;
      }
    }
  }
  EXPECT_EQ(served->Stats().documents, (*reference)->Stats().documents);
  EXPECT_EQ(served->Stats().tombstones, (*reference)->Stats().tombstones);
  EXPECT_EQ(served->Stats().item_states, (*reference)->Stats().item_states);
}

TEST_F(WriteCommitterTest, MetadataOfEveryCallIsCommitted) {
  Start(kNever, 2);
  absl::StatusOr<CommitOutcome> first, second;
  std::thread a([&] {
    WriteBatch batch = Batch({Leeds("m1")});
    batch.PutMetadata("checkpoint/a", "1");
    batch.PutMetadata("shared", "from a");
    first = committer_->Write(std::move(batch));
  });
  AwaitPending(1);
  std::thread b([&] {
    WriteBatch batch = Batch({Leeds("m2")});
    batch.PutMetadata("shared", "from b");
    second = committer_->Write(std::move(batch));
  });
  a.join();
  b.join();
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(log_.commits().size(), 1u);
  auto index = holder_->Current();
  EXPECT_EQ(index->GetMetadata("checkpoint/a")->value_or(""), "1");
  EXPECT_EQ(index->GetMetadata("shared")->value_or(""), "from b");  // the later call wins
}

TEST_F(WriteCommitterTest, AnApplyFailureFailsEveryCallOfThatCommitAndCommitsNothing) {
  Start(kNever, 2);
  absl::StatusOr<CommitOutcome> bad, good;
  std::thread a([&] {
    WriteBatch batch = Batch({Leeds("f1")});
    batch.PutMetadata("", "an empty key fails the whole Apply");
    bad = committer_->Write(std::move(batch));
  });
  std::thread b([&] { good = committer_->Write(Batch({Leeds("f2")})); });
  a.join();
  b.join();
  ASSERT_EQ(log_.commits().size(), 1u);
  EXPECT_EQ(log_.commits()[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(good.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(good.status().message(), HasSubstr("metadata key"));
  EXPECT_EQ(holder_->Current()->Get("f1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(holder_->Current()->Get("f2").status().code(), absl::StatusCode::kNotFound);

  // The committer goes on working.
  std::thread c([&] { good = committer_->Write(Batch({Leeds("f3"), Leeds("f4")})); });
  c.join();
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE(holder_->Current()->Get("f3").ok());
}

TEST_F(WriteCommitterTest, AnEmptyBatchCommitsNothing) {
  Start(kNever, 10000);
  auto outcome = committer_->Write(WriteBatch());
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->results.empty());
  EXPECT_TRUE(log_.commits().empty());
}

TEST_F(WriteCommitterTest, StopCommitsWhatIsPendingThenRefuses) {
  Start(kNever, 10000);
  absl::StatusOr<CommitOutcome> pending;
  std::thread writer([&] { pending = committer_->Write(Batch({Leeds("p1")})); });
  AwaitPending(1);
  committer_->Stop();  // does not wait the 60 s interval
  writer.join();
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_THAT(Outcomes(*pending), ::testing::ElementsAre(Outcome::kApplied));
  EXPECT_TRUE(holder_->Current()->Get("p1").ok());

  auto refused = committer_->Write(Batch({Leeds("p2")}));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  TempDir other;
  EXPECT_EQ(committer_->SwapIndex(other.path(), false).status().code(),
            absl::StatusCode::kUnavailable);
  committer_->Stop();  // idempotent
}

TEST_F(WriteCommitterTest, CommitWithoutWaitingCommitsPendingAndLaterWritesAtOnce) {
  Start(kNever, 10000);
  absl::StatusOr<CommitOutcome> pending;
  std::thread writer([&] { pending = committer_->Write(Batch({Leeds("d1")})); });
  AwaitPending(1);
  const absl::Time start = absl::Now();
  committer_->CommitWithoutWaiting();
  writer.join();
  // Far less than the 60 s interval the write would otherwise wait.
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_THAT(Outcomes(*pending), ::testing::ElementsAre(Outcome::kApplied));

  // Still accepting writes (calls in flight during a drain), without waiting.
  const absl::Time later = absl::Now();
  auto next = committer_->Write(Batch({Leeds("d2")}));
  EXPECT_LT(absl::Now() - later, absl::Seconds(30));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_THAT(Outcomes(*next), ::testing::ElementsAre(Outcome::kApplied));
  EXPECT_TRUE(holder_->Current()->Get("d2").ok());
  EXPECT_EQ(log_.commits().size(), 2u);
}

// Swaps.

std::string MakeIndex(const std::string& dir, std::vector<std::string> ids) {
  auto index = Index::Open(dir);
  EXPECT_TRUE(index.ok()) << index.status();
  WriteBatch batch;
  for (const std::string& id : ids) batch.Upsert(Leeds(id));
  EXPECT_TRUE((*index)->Apply(batch).ok());
  return std::filesystem::canonical(dir).string();
}

TEST_F(WriteCommitterTest, SwapCommitsPendingWritesToTheOldIndexFirst) {
  TempDir next_dir;
  const std::string next = MakeIndex(next_dir.path(), {"n1", "n2"});
  Start(kNever, 2);  // the one pending write does not trigger a commit
  absl::StatusOr<CommitOutcome> pending;
  std::thread writer([&] { pending = committer_->Write(Batch({Leeds("old1")})); });
  AwaitPending(1);
  auto swapped = committer_->SwapIndex(next_dir.path(), /*verify=*/true);
  writer.join();
  ASSERT_TRUE(swapped.ok()) << swapped.status();
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(swapped->directory, next);
  EXPECT_EQ(swapped->documents, 2u);
  EXPECT_EQ(swapped->generation, 2u);
  EXPECT_EQ(holder_->generation(), 2u);
  EXPECT_EQ(holder_->directory(), next);
  EXPECT_TRUE(holder_->Current()->Get("n1").ok());
  EXPECT_EQ(holder_->Current()->Get("old1").status().code(), absl::StatusCode::kNotFound);

  // New writes go to the new index; the old one (closed: nobody holds it) has
  // the pending write.
  ASSERT_TRUE(committer_->Write(Batch({Leeds("new1"), Leeds("new2")})).ok());
  EXPECT_TRUE(holder_->Current()->Get("new1").ok());
  auto old = Index::Open(dir_.path());
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_TRUE((*old)->Get("old1").ok());
}

TEST_F(WriteCommitterTest, WritesGoOnWhileASwapOpensAndVerifiesTheNewIndex) {
  TempDir next_dir;
  MakeIndex(next_dir.path(), {"n1"});
  Start(absl::Milliseconds(1), 10000);
  // Verification polls `cancelled` from the swapping thread: a write made
  // then must commit (to the served index) without waiting for the swap.
  std::atomic<bool> write_done{false};
  bool polled = false, committed_during_swap = false;
  absl::StatusOr<CommitOutcome> during = absl::UnknownError("not written");
  std::thread writer;
  auto cancelled = [&] {
    if (polled) return false;
    polled = true;
    writer = std::thread([&] {
      during = committer_->Write(Batch({Leeds("during")}));
      write_done = true;
    });
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (!write_done && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
    committed_during_swap = write_done;
    return false;
  };
  auto swapped = committer_->SwapIndex(next_dir.path(), /*verify=*/true, cancelled);
  if (writer.joinable()) writer.join();
  ASSERT_TRUE(swapped.ok()) << swapped.status();
  ASSERT_TRUE(polled);
  EXPECT_TRUE(committed_during_swap) << "the write waited for the swap";
  ASSERT_TRUE(during.ok()) << during.status();
  EXPECT_THAT(Outcomes(*during), ::testing::ElementsAre(Outcome::kApplied));
  // It went to the index served at the time, not to the new one.
  EXPECT_EQ(holder_->Current()->Get("during").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(holder_->Current()->Get("n1").ok());
  auto old = Index::Open(dir_.path());
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_TRUE((*old)->Get("during").ok());
}

TEST_F(WriteCommitterTest, ACancelledSwapLeavesTheServedIndexUnchanged) {
  TempDir next_dir;
  MakeIndex(next_dir.path(), {"n1"});
  Start(absl::Milliseconds(1), 10000);
  auto swapped = committer_->SwapIndex(next_dir.path(), /*verify=*/true, [] { return true; });
  EXPECT_EQ(swapped.status().code(), absl::StatusCode::kCancelled) << swapped.status();
  EXPECT_EQ(holder_->generation(), 1u);
  EXPECT_EQ(holder_->Current()->Get("n1").status().code(), absl::StatusCode::kNotFound);
  // The new index was closed: a later swap opens it.
  auto retried = committer_->SwapIndex(next_dir.path(), /*verify=*/true);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(holder_->Current()->Get("n1").ok());
}

// A drain's start (CommitWithoutWaiting) stops a swap in progress and
// refuses new ones: a swap lasts only for the process, and the open or the
// verification of a large index would outlast the drain's deadline.
TEST_F(WriteCommitterTest, ADrainStopsASwapInProgressAndRefusesNewOnes) {
  TempDir next_dir;
  MakeIndex(next_dir.path(), {"n1"});
  Start(absl::Milliseconds(1), 10000);
  bool drained = false;
  auto swapped = committer_->SwapIndex(next_dir.path(), /*verify=*/true, [&] {
    if (!drained) committer_->CommitWithoutWaiting();
    drained = true;
    return false;  // the call itself is not cancelled
  });
  ASSERT_TRUE(drained);
  EXPECT_EQ(swapped.status().code(), absl::StatusCode::kUnavailable) << swapped.status();
  EXPECT_THAT(std::string(swapped.status().message()), ::testing::HasSubstr("shutting down"));
  EXPECT_EQ(holder_->generation(), 1u);
  EXPECT_EQ(committer_->SwapIndex(next_dir.path(), false).status().code(),
            absl::StatusCode::kUnavailable);
  // Writes go on during the drain.
  auto written = committer_->Write(Batch({Leeds("w1")}));
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_TRUE(holder_->Current()->Get("w1").ok());
}

TEST_F(WriteCommitterTest, ASwapWaitingForAnotherStopsWhenItsCallIsCancelled) {
  TempDir first_dir, second_dir;
  MakeIndex(first_dir.path(), {"f1"});
  MakeIndex(second_dir.path(), {"s1"});
  Start(absl::Milliseconds(1), 10000);
  // The first swap stays in its verification until the second has given up
  // waiting for it: the second must not wait out the first.
  std::atomic<bool> first_verifying{false}, second_done{false};
  auto first_cancelled = [&] {
    first_verifying = true;
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (!second_done && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
    return false;
  };
  absl::StatusOr<SwapResult> first = absl::UnknownError("not run");
  std::thread first_swap(
      [&] { first = committer_->SwapIndex(first_dir.path(), /*verify=*/true, first_cancelled); });
  while (!first_verifying) absl::SleepFor(absl::Milliseconds(1));
  const absl::Time deadline = absl::Now() + absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  auto second = committer_->SwapIndex(second_dir.path(), /*verify=*/false,
                                      [&] { return absl::Now() > deadline; });
  const absl::Duration waited = absl::Now() - start;
  second_done = true;
  first_swap.join();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kCancelled) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("another swap"));
  EXPECT_LT(waited, absl::Seconds(10));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(holder_->generation(), 2u);
  EXPECT_TRUE(holder_->Current()->Get("f1").ok());
  // Once the first is done, the second goes through.
  auto retried = committer_->SwapIndex(second_dir.path(), /*verify=*/false);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(holder_->Current()->Get("s1").ok());
}

TEST_F(WriteCommitterTest, ASwapStopsOpeningTheNewIndexWhenItsCallIsCancelled) {
  TempDir next_dir;
  MakeIndex(next_dir.path(), {"n1", "n2"});
  Start(absl::Milliseconds(1), 10000);
  ASSERT_TRUE(committer_->Write(Batch({Leeds("kept")})).ok());
  // No verification: only the open polls the call (a caller gone, a drain).
  int polls = 0;
  auto gone = committer_->SwapIndex(next_dir.path(), /*verify=*/false, [&polls] {
    ++polls;
    return true;
  });
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kCancelled) << gone.status();
  EXPECT_THAT(gone.status().message(), HasSubstr("open cancelled"));
  EXPECT_GE(polls, 1);
  EXPECT_EQ(holder_->generation(), 1u);
  EXPECT_TRUE(holder_->Current()->Get("kept").ok());
  // The open stopped part way leaves the new index as it was.
  auto retried = committer_->SwapIndex(next_dir.path(), /*verify=*/true);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(holder_->generation(), 2u);
  EXPECT_TRUE(holder_->Current()->Get("n2").ok());
}

TEST_F(WriteCommitterTest, SwapErrorsLeaveTheServedIndexUnchanged) {
  Start(absl::Milliseconds(1), 10000);
  ASSERT_TRUE(committer_->Write(Batch({Leeds("kept")})).ok());
  const std::string served = holder_->directory();
  TempDir empty;

  auto no_dir = committer_->SwapIndex("", false);
  EXPECT_EQ(no_dir.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_dir.status().message(), HasSubstr("directory"));

  auto missing = committer_->SwapIndex(empty.path() + "/nothing-here", false);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
  EXPECT_THAT(missing.status().message(), HasSubstr("directory: "));
  EXPECT_THAT(missing.status().message(), HasSubstr("nothing-here"));
  // Through a symlink, the message names both paths.
  std::filesystem::create_directory_symlink(empty.path(), empty.path() + "/link");
  auto linked = committer_->SwapIndex(empty.path() + "/link/none", false);
  EXPECT_THAT(linked.status().message(),
              HasSubstr("resolved from '" + empty.path() + "/link/none'"));
  // An existing directory without an index is not created into one.
  auto not_index = committer_->SwapIndex(empty.path(), false);
  EXPECT_EQ(not_index.status().code(), absl::StatusCode::kNotFound) << not_index.status();
  EXPECT_FALSE(std::filesystem::exists(empty.path() + "/docs"));

  auto same = committer_->SwapIndex(dir_.path(), false);
  EXPECT_EQ(same.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(same.status().message(), HasSubstr("already being served"));

  EXPECT_EQ(holder_->generation(), 1u);
  EXPECT_EQ(holder_->directory(), served);
  EXPECT_TRUE(holder_->Current()->Get("kept").ok());
}

TEST_F(WriteCommitterTest, SwapRefusesAnIndexThatFailsVerification) {
  TempDir bad_dir;
  MakeIndex(bad_dir.path(), {"b1"});
  {
    // A document in the search index that the document store does not have.
    Xapian::WritableDatabase db(bad_dir.path() + "/text", Xapian::DB_OPEN);
    Xapian::Document ghost;
    ghost.set_data("ghost");
    db.replace_document(999, ghost);
    db.commit();
  }
  Start(absl::Milliseconds(1), 10000);
  auto refused = committer_->SwapIndex(bad_dir.path(), /*verify=*/true);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("failed verification"));
  EXPECT_THAT(refused.status().message(), HasSubstr("ghost"));
  EXPECT_EQ(holder_->generation(), 1u);

  // Without verification the same index is accepted.
  auto swapped = committer_->SwapIndex(bad_dir.path(), /*verify=*/false);
  ASSERT_TRUE(swapped.ok()) << swapped.status();
  EXPECT_EQ(holder_->generation(), 2u);
}

TEST_F(WriteCommitterTest, SwapThroughARepointedSymlink) {
  TempDir root;
  const std::string first = MakeIndex(root.path() + "/v1", {"v1"});
  const std::string second = MakeIndex(root.path() + "/v2", {"v2"});
  const std::string link = root.path() + "/current";
  std::filesystem::create_directory_symlink(first, link);
  auto holder = IndexHolder::Open(link, IndexOptions{});
  ASSERT_TRUE(holder.ok()) << holder.status();
  WriteCommitter committer(**holder, WriteCommitter::Options{});
  EXPECT_EQ((*holder)->directory(), first);
  // Not re-pointed: the same index.
  EXPECT_EQ(committer.SwapIndex(link, false).status().code(),
            absl::StatusCode::kFailedPrecondition);
  std::filesystem::remove(link);
  std::filesystem::create_directory_symlink(second, link);
  auto swapped = committer.SwapIndex(link, false);
  ASSERT_TRUE(swapped.ok()) << swapped.status();
  EXPECT_EQ(swapped->directory, second);
  EXPECT_TRUE((*holder)->Current()->Get("v2").ok());
}

}  // namespace
}  // namespace inkdex::server
