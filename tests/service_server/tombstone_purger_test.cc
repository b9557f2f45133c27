#include "server/tombstone_purger.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_impl.h"
#include "index/test_util.h"

namespace inkdex::server {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;

using ::inkdex::testing::kLeedsLat;
using ::inkdex::testing::kLeedsLon;

// Records what on_run reports.
class RunLog {
 public:
  std::function<void(const TombstonePurgeRun&)> Callback() {
    return [this](const TombstonePurgeRun& run) {
      absl::MutexLock lock(&mu_);
      runs_.push_back(run);
    };
  }
  std::vector<TombstonePurgeRun> runs() const {
    absl::MutexLock lock(&mu_);
    return runs_;
  }
  // Waits up to `timeout` for a run that purged something.
  bool AwaitPurge(absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto purged = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const TombstonePurgeRun& r : runs_) {
        if (r.purged > 0) return true;
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&purged), timeout);
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<TombstonePurgeRun> runs_;
};

class TombstonePurgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto holder = IndexHolder::Open(dir_.path(), IndexOptions{});
    ASSERT_TRUE(holder.ok()) << holder.status();
    holder_ = *std::move(holder);
  }
  // Upserts `n` artists and deletes them: `n` tombstones.
  void MakeTombstones(int n) {
    WriteBatch put, del;
    for (int i = 0; i < n; ++i) {
      const std::string id = "t" + std::to_string(i);
      put.Upsert(MakeArtist(id, "Artist " + id, kLeedsLat, kLeedsLon, {"fineline"}));
      del.Delete(id, 2);
    }
    ASSERT_TRUE(holder_->Current()->Apply(put).ok());
    ASSERT_TRUE(holder_->Current()->Apply(del).ok());
    ASSERT_EQ(holder_->Current()->Stats().tombstones, static_cast<uint64_t>(n));
  }
  TombstonePurger::Options Options(absl::Duration ttl, absl::Duration interval) {
    TombstonePurger::Options options;
    options.ttl = ttl;
    options.interval = interval;
    options.batch = 3;
    options.on_run = log_.Callback();
    return options;
  }

  TempDir dir_;
  std::unique_ptr<IndexHolder> holder_;
  RunLog log_;
};

TEST_F(TombstonePurgerTest, RunOnceKeepsYoungTombstonesAndPurgesOldOnesInBatches) {
  MakeTombstones(7);
  {
    TombstonePurger purger(*holder_, Options(absl::Hours(1), absl::Hours(1)));
    TombstonePurgeRun run = purger.RunOnce();
    EXPECT_TRUE(run.status.ok()) << run.status;
    EXPECT_EQ(run.purged, 0u) << "deleted a moment ago: younger than the TTL";
    EXPECT_EQ(run.remaining, 7u);
    EXPECT_EQ(run.commits, 0u);
  }
  absl::SleepFor(absl::Milliseconds(20));
  TombstonePurger purger(*holder_, Options(absl::Milliseconds(10), absl::Hours(1)));
  TombstonePurgeRun run = purger.RunOnce();
  EXPECT_TRUE(run.status.ok()) << run.status;
  EXPECT_EQ(run.purged, 7u);
  EXPECT_EQ(run.remaining, 0u);
  EXPECT_EQ(run.commits, 3u) << "batches of 3: 3 + 3 + 1";
  EXPECT_EQ(holder_->Current()->Stats().tombstones, 0u);
  auto report = holder_->Current()->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok());
  ASSERT_EQ(log_.runs().size(), 2u);
  EXPECT_EQ(log_.runs()[1].purged, 7u);
}

TEST_F(TombstonePurgerTest, TheThreadPurgesEveryInterval) {
  MakeTombstones(4);
  TombstonePurger purger(*holder_, Options(absl::Milliseconds(1), absl::Milliseconds(100)));
  ASSERT_TRUE(log_.AwaitPurge(absl::Seconds(30)));
  EXPECT_EQ(holder_->Current()->Stats().tombstones, 0u);
  // Later deletes are purged by a later run.
  MakeTombstones(2);
  const size_t runs = log_.runs().size();
  absl::SleepFor(absl::Milliseconds(50));
  for (int i = 0; i < 300 && holder_->Current()->Stats().tombstones > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(holder_->Current()->Stats().tombstones, 0u);
  EXPECT_GT(log_.runs().size(), runs);
  const absl::Time stop = absl::Now();
  purger.Stop();
  EXPECT_LT(absl::Now() - stop, absl::Seconds(5));
}

TEST_F(TombstonePurgerTest, StopDoesNotWaitForTheInterval) {
  TombstonePurger purger(*holder_, Options(absl::Hours(1), absl::Hours(1)));
  const absl::Time start = absl::Now();
  purger.Stop();
  purger.Stop();  // idempotent
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(log_.runs().empty()) << "the first run waits one interval";
}

TEST_F(TombstonePurgerTest, AFailedRunIsReportedAndTheNextOneCompletesIt) {
  MakeTombstones(2);
  absl::SleepFor(absl::Milliseconds(20));
  auto* impl = dynamic_cast<index::IndexImpl*>(holder_->Current().get());
  ASSERT_NE(impl, nullptr);
  impl->FailSearchIndexCommitsForTesting(1);
  TombstonePurger purger(*holder_, Options(absl::Milliseconds(10), absl::Hours(1)));
  TombstonePurgeRun failed = purger.RunOnce();
  EXPECT_EQ(failed.status.code(), absl::StatusCode::kUnavailable);
  TombstonePurgeRun run = purger.RunOnce();
  EXPECT_TRUE(run.status.ok()) << run.status;
  EXPECT_EQ(holder_->Current()->Stats().tombstones, 0u);
  ASSERT_EQ(log_.runs().size(), 2u);
  EXPECT_FALSE(log_.runs()[0].status.ok());
  auto report = holder_->Current()->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace inkdex::server
