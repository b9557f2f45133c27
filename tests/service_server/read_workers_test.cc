#include "server/read_workers.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace inkdex::server {
namespace {

TEST(ReadWorkersTest, DefaultsToOneThreadPerCore) {
  ReadWorkers workers;
  EXPECT_EQ(workers.threads(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  ReadWorkers three(3);
  EXPECT_EQ(three.threads(), 3);
}

TEST(ReadWorkersTest, JobsRunConcurrentlyOnTheWorkers) {
  constexpr int kThreads = 3;
  absl::Mutex mu;
  std::set<std::thread::id> ran_on;
  int arrived = 0;
  std::atomic<int> met{0};
  {
    ReadWorkers workers(kThreads);
    for (int i = 0; i < kThreads; ++i) {
      // Each job waits until every worker holds one: they only all meet if
      // they run at the same time.
      workers.Run([&] {
        absl::MutexLock lock(&mu);
        ran_on.insert(std::this_thread::get_id());
        ++arrived;
        if (mu.AwaitWithTimeout(absl::Condition(
                                    +[](int* n) { return *n == kThreads; }, &arrived),
                                absl::Seconds(10))) {
          ++met;
        }
      });
    }
  }
  EXPECT_EQ(met.load(), kThreads);
  EXPECT_EQ(ran_on.size(), static_cast<size_t>(kThreads));
  EXPECT_FALSE(ran_on.count(std::this_thread::get_id()));
}

TEST(ReadWorkersTest, BusyWorkersQueueJobsInOrder) {
  std::vector<int> order;
  absl::Notification release;
  {
    ReadWorkers workers(1);
    workers.Run([&] { release.WaitForNotification(); });
    for (int i = 0; i < 5; ++i) workers.Run([&order, i] { order.push_back(i); });
    release.Notify();
  }  // the destructor runs what is queued before joining
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(ReadWorkersTest, DestructorRunsEveryQueuedJob) {
  std::atomic<int> ran{0};
  {
    ReadWorkers workers(2);
    for (int i = 0; i < 100; ++i) {
      workers.Run([&ran] {
        absl::SleepFor(absl::Microseconds(100));
        ++ran;
      });
    }
  }
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace inkdex::server
