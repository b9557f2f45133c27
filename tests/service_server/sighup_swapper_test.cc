// SighupSwapper: a request never waits for a swap, requests during a swap
// coalesce into one more, and Stop waits for the running swap but drops a
// request not yet started, and the running swap sees Stop (so that it can
// stop opening the new index).
#include "server/sighup_swapper.h"

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace inkdex::server {
namespace {

// A swap that blocks until released, counting its runs.
class BlockingSwap {
 public:
  std::function<void(const std::function<bool()>&)> Fn() {
    return [this](const std::function<bool()>&) {
      absl::MutexLock lock(&mu_);
      ++started_;
      mu_.Await(absl::Condition(&released_));
      ++finished_;
    };
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }
  // Waits until `n` swaps have started (false after 30 s).
  bool AwaitStarted(int n) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return started_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(30));
  }
  int started() {
    absl::MutexLock lock(&mu_);
    return started_;
  }
  int finished() {
    absl::MutexLock lock(&mu_);
    return finished_;
  }

 private:
  absl::Mutex mu_;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  int started_ ABSL_GUARDED_BY(mu_) = 0;
  int finished_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(SighupSwapperTest, ARequestDoesNotWaitForTheSwap) {
  BlockingSwap swap;
  SighupSwapper swapper(swap.Fn());
  swapper.Request();  // would block here if the swap ran on this thread
  ASSERT_TRUE(swap.AwaitStarted(1));
  EXPECT_EQ(swap.finished(), 0);
  swap.Release();
  swapper.Stop();
  EXPECT_EQ(swap.finished(), 1);
}

TEST(SighupSwapperTest, RequestsDuringASwapCoalesceIntoOneMore) {
  BlockingSwap swap;
  SighupSwapper swapper(swap.Fn());
  swapper.Request();
  ASSERT_TRUE(swap.AwaitStarted(1));
  for (int i = 0; i < 3; ++i) swapper.Request();
  swap.Release();
  ASSERT_TRUE(swap.AwaitStarted(2));
  absl::SleepFor(absl::Milliseconds(200));  // a third would have started by now
  EXPECT_EQ(swap.started(), 2);
  swapper.Request();  // after the swaps ended: one more
  ASSERT_TRUE(swap.AwaitStarted(3));
  swapper.Stop();
  EXPECT_EQ(swap.finished(), 3);
}

TEST(SighupSwapperTest, StopWaitsForTheRunningSwapAndDropsTheNextRequest) {
  BlockingSwap swap;
  SighupSwapper swapper(swap.Fn());
  swapper.Request();
  ASSERT_TRUE(swap.AwaitStarted(1));
  swapper.Request();  // waits for the first: dropped by Stop
  absl::Notification stopped;
  std::thread stopper([&] {
    swapper.Stop();
    stopped.Notify();
  });
  EXPECT_FALSE(stopped.WaitForNotificationWithTimeout(absl::Milliseconds(200)))
      << "Stop returned while a swap ran";
  swap.Release();
  stopper.join();
  EXPECT_EQ(swap.started(), 1);
  EXPECT_EQ(swap.finished(), 1);
  swapper.Request();  // ignored after Stop
  swapper.Stop();     // idempotent
  EXPECT_EQ(swap.started(), 1);
}

TEST(SighupSwapperTest, TheRunningSwapSeesStop) {
  absl::Notification started;
  bool stopping_at_start = true;
  bool saw_stopping = false;
  SighupSwapper swapper([&](const std::function<bool()>& stopping) {
    stopping_at_start = stopping();
    started.Notify();
    // A swap opening a large index polls as Index::Open does.
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (!stopping() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
    saw_stopping = stopping();
  });
  swapper.Request();
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(absl::Seconds(30)));
  const absl::Time stop_start = absl::Now();
  swapper.Stop();
  EXPECT_LT(absl::Now() - stop_start, absl::Seconds(10)) << "the swap did not see Stop";
  EXPECT_FALSE(stopping_at_start);
  EXPECT_TRUE(saw_stopping);
}

}  // namespace
}  // namespace inkdex::server
