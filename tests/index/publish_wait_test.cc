// A text search that finds Xapian a commit ahead of the published snapshot
// (Xapian shows a commit once its version file is written, before commit()
// returns and the writer publishes) waits for the writer to publish it,
// however long the writer takes (IndexImpl::AwaitPublished), instead of
// failing after a fixed number of retries.
#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_impl.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::HitIds;
using ::inkdex::testing::MakeArtist;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::kLeedsLat;
using testing::kLeedsLon;

// Longer than the old bound of ~100 yields and 2,000 sleeps of 50 us, which
// is how long a search spun before failing when the writer was held up
// between Xapian's commit and publishing.
constexpr absl::Duration kWriterHeldFor = absl::Milliseconds(600);

class PublishWaitTest : public testing::IndexDirTest {
 protected:
  void SetUp() override {
    IndexDirTest::SetUp();
    WriteBatch b;
    b.Upsert(MakeArtist("first", "Alder", kLeedsLat, kLeedsLon, {"blackwork"}));
    ASSERT_TRUE(index_->Apply(b).ok());
    impl_ = dynamic_cast<index::IndexImpl*>(index_.get());
    ASSERT_NE(impl_, nullptr);
  }

  // Applies an upsert of "second" (name "Birch") on another thread, the
  // writer running `in_hook` after Xapian's commit and before publishing
  // (as long as `in_hook` runs, the writer is held there).
  std::thread ApplyHeld(std::function<void()> in_hook) {
    impl_->SetSearchIndexCommittedHookForTesting(std::move(in_hook));
    return std::thread([this] {
      WriteBatch b;
      b.Upsert(MakeArtist("second", "Birch", kLeedsLat, kLeedsLon, {"blackwork"}));
      apply_result_ = index_->Apply(b).status();
    });
  }

  // ApplyHeld with the writer held until `release` (which must outlive the
  // writer) is notified; returns once Xapian has committed "second".
  std::thread ApplyHeldUntil(absl::Notification& release) {
    std::thread writer = ApplyHeld([this, &release] {
      held_.Notify();
      release.WaitForNotification();
    });
    held_.WaitForNotification();
    return writer;
  }

  SearchResponse MustSearch(const std::string& text) {
    SearchRequest q;
    q.text = text;
    absl::StatusOr<SearchResponse> r = index_->Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : SearchResponse{};
  }

  index::IndexImpl* impl_ = nullptr;
  absl::Status apply_result_;
  absl::Notification held_;  // ApplyHeldUntil's writer is in the hook
};

// No text search ran before, so the search opens a Xapian reader of its own
// (as one does whenever every pooled reader is busy) and finds the new
// commit there. (A pooled reader checked at the published commit is reused
// as it is and answers from that commit.)
TEST_F(PublishWaitTest, ATextSearchWaitsForTheCommitXapianAlreadyShows) {
  SearchRequest everything;
  absl::StatusOr<SearchResponse> all = index_->Search(everything);
  ASSERT_TRUE(all.ok()) << all.status();
  const uint64_t before = all->commit_seq;
  absl::Notification committed;
  std::thread writer = ApplyHeld([&] {
    committed.Notify();
    absl::SleepFor(kWriterHeldFor);
  });
  committed.WaitForNotification();
  // Xapian holds "second" and the published snapshot does not: the search
  // answers from the new commit once the writer publishes it.
  const SearchResponse birch = MustSearch("birch");
  EXPECT_THAT(HitIds(birch), ElementsAre("second"));
  EXPECT_EQ(birch.commit_seq, before + 1);
  // And the commit stays visible: a later search (from a pooled reader) is
  // not older.
  EXPECT_EQ(MustSearch("alder").commit_seq, before + 1);
  writer.join();
  EXPECT_TRUE(apply_result_.ok()) << apply_result_;
}

TEST_F(PublishWaitTest, ASearchWithoutTextIsNotHeldUp) {
  absl::Notification searched;
  std::thread writer = ApplyHeldUntil(searched);
  // Rows only: the published commit, without waiting for the writer (which
  // waits for this search).
  SearchRequest q;
  q.point = GeoPoint{kLeedsLat, kLeedsLon};
  q.radius_km = 5;
  absl::StatusOr<SearchResponse> r = index_->Search(q);
  searched.Notify();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(HitIds(*r), ElementsAre("first"));
  writer.join();
  EXPECT_TRUE(apply_result_.ok()) << apply_result_;
}

// The wait ends with the search's deadline or cancellation, as a search
// does: CANCELLED or DEADLINE_EXCEEDED while the writer is still held.
TEST_F(PublishWaitTest, TheWaitEndsWithTheSearchsDeadlineOrCancellation) {
  absl::Notification searched;
  std::thread writer = ApplyHeldUntil(searched);
  SearchRequest cancelled;
  cancelled.text = "birch";
  int polls = 0;
  cancelled.interrupted = [&polls] { return ++polls > 1; };  // the second poll
  absl::StatusOr<SearchResponse> r = index_->Search(cancelled);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
  EXPECT_EQ(polls, 2);

  SearchRequest late;
  late.text = "birch";
  late.deadline = absl::Now() + absl::Milliseconds(50);
  r = index_->Search(late);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  searched.Notify();
  writer.join();
  EXPECT_TRUE(apply_result_.ok()) << apply_result_;
  EXPECT_THAT(HitIds(MustSearch("birch")), ElementsAre("second"));
}

TEST_F(PublishWaitTest, ACommitThatFailsAfterXapianWroteItEndsTheWait) {
  absl::Notification committed;
  std::atomic<bool> reader_started{false};
  std::thread writer = ApplyHeld([&] {
    committed.Notify();
    while (!reader_started.load()) absl::SleepFor(absl::Milliseconds(1));
    absl::SleepFor(absl::Milliseconds(50));  // the reader is waiting by now
    throw Xapian::DatabaseError("commit failed after the version file (injected)");
  });
  committed.WaitForNotification();
  reader_started = true;
  SearchRequest q;
  q.text = "birch";
  absl::StatusOr<SearchResponse> r = index_->Search(q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("failed after Xapian wrote it"));
  writer.join();
  EXPECT_EQ(apply_result_.code(), absl::StatusCode::kUnavailable) << apply_result_;

  // The next write catches the search index up and publishes both commits.
  impl_->SetSearchIndexCommittedHookForTesting(nullptr);
  WriteBatch b;
  b.Upsert(MakeArtist("third", "Cedar", kLeedsLat, kLeedsLon, {"blackwork"}));
  ASSERT_TRUE(index_->Apply(b).ok());
  EXPECT_THAT(HitIds(MustSearch("birch")), ElementsAre("second"));
  EXPECT_THAT(HitIds(MustSearch("cedar")), ElementsAre("third"));
  absl::StatusOr<VerifyReport> report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

}  // namespace
}  // namespace inkdex
