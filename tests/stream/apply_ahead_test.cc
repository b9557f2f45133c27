#include "stream/apply_ahead.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace inkdex::stream {
namespace {

using ::testing::ElementsAre;

TEST(ApplyAheadTest, JobsRunInOrderOneAtATimeOffTheCallersThread) {
  ApplyAhead ahead;
  absl::Mutex mu;
  std::vector<int> order;
  std::atomic<int> running{0};
  std::atomic<int> most_running{0};
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> on_caller{false};
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(ahead.Start([&, i] {
      const int now = ++running;
      int seen = most_running.load();
      while (now > seen && !most_running.compare_exchange_weak(seen, now)) {
      }
      if (std::this_thread::get_id() == caller) on_caller = true;
      if (i % 7 == 0) absl::SleepFor(absl::Milliseconds(1));
      {
        absl::MutexLock lock(&mu);
        order.push_back(i);
      }
      --running;
      return true;
    }));
  }
  ASSERT_TRUE(ahead.Await());
  EXPECT_TRUE(ahead.idle());
  std::vector<int> expected;
  for (int i = 0; i < 50; ++i) expected.push_back(i);
  absl::MutexLock lock(&mu);
  EXPECT_EQ(order, expected);
  EXPECT_EQ(most_running.load(), 1);
  EXPECT_FALSE(on_caller.load());
}

TEST(ApplyAheadTest, StartReturnsWhileTheJobRunsAndTheNextStartWaitsForIt) {
  ApplyAhead ahead;
  absl::Notification release;
  std::atomic<bool> first_done{false};
  ASSERT_TRUE(ahead.Start([&] {
    release.WaitForNotification();
    first_done = true;
    return true;
  }));
  EXPECT_FALSE(ahead.idle());
  std::atomic<bool> second_started{false};
  std::thread second([&] {
    EXPECT_TRUE(ahead.Start([&] {
      EXPECT_TRUE(first_done.load());
      return true;
    }));
    second_started = true;
  });
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_FALSE(second_started.load());  // Start waits for the job in flight
  release.Notify();
  second.join();
  EXPECT_TRUE(second_started.load());
  EXPECT_TRUE(ahead.Await());
}

TEST(ApplyAheadTest, AFailedJobFailsEveryLaterStartAndAwait) {
  ApplyAhead ahead;
  std::vector<int> ran;
  ASSERT_TRUE(ahead.Start([&] {
    ran.push_back(1);
    return false;
  }));
  EXPECT_FALSE(ahead.Await());
  EXPECT_FALSE(ahead.Start([&] {
    ran.push_back(2);
    return true;
  }));
  EXPECT_FALSE(ahead.Await());
  EXPECT_THAT(ran, ElementsAre(1));
}

TEST(ApplyAheadTest, AwaitWithoutJobsReturnsAtOnce) {
  ApplyAhead ahead;
  EXPECT_TRUE(ahead.idle());
  EXPECT_TRUE(ahead.Await());
}

TEST(ApplyAheadTest, TheDestructorFinishesAJobHandedOver) {
  std::atomic<bool> done{false};
  absl::Notification started;
  {
    ApplyAhead ahead;
    ASSERT_TRUE(ahead.Start([&] {
      started.Notify();
      absl::SleepFor(absl::Milliseconds(30));
      done = true;
      return true;
    }));
  }
  EXPECT_TRUE(done.load());
}

TEST(ApplyAheadTest, WhatAJobHoldsIsFreedBeforeAwaitReturns) {
  ApplyAhead ahead;
  auto held = std::make_shared<int>(7);
  std::weak_ptr<int> watch = held;
  ASSERT_TRUE(ahead.Start([h = std::move(held)] { return *h == 7; }));
  ASSERT_TRUE(ahead.Await());
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace inkdex::stream
