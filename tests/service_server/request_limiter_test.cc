#include "server/request_limiter.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace inkdex::server {
namespace {

TEST(RequestLimiterTest, RefusesBeyondTheLimitAndRecovers) {
  RequestLimiter limiter(3);
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_EQ(limiter.in_flight(), 3);
  EXPECT_FALSE(limiter.TryAcquire());
  EXPECT_EQ(limiter.in_flight(), 3);  // a refusal takes nothing
  limiter.Release();
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.TryAcquire());
}

TEST(RequestLimiterTest, LimitBelowOneMeansOne) {
  RequestLimiter limiter(0);
  EXPECT_EQ(limiter.max_in_flight(), 1);
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.TryAcquire());
}

TEST(RequestLimiterTest, NeverExceedsTheLimitUnderContention) {
  constexpr int kLimit = 4;
  RequestLimiter limiter(kLimit);
  std::atomic<int> holders{0};
  std::atomic<int> most{0};
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (!limiter.TryAcquire()) {
          ++refused;
          continue;
        }
        ++admitted;
        const int now = ++holders;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        --holders;
        limiter.Release();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(most.load(), kLimit);
  EXPECT_EQ(admitted.load() + refused.load(), 8 * 20000);
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(limiter.in_flight(), 0);
}

}  // namespace
}  // namespace inkdex::server
