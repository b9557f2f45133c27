#include "compare/timing.h"

#include "gtest/gtest.h"

namespace inkdex::bench {
namespace {

TEST(SummarizeTest, NearestRankPercentiles) {
  std::vector<double> us;
  for (int i = 100; i >= 1; --i) us.push_back(i);
  const LatencySummary s = Summarize(us);
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.p50_us, 50);
  EXPECT_EQ(s.p90_us, 90);
  EXPECT_EQ(s.p99_us, 99);
  EXPECT_EQ(s.max_us, 100);
  EXPECT_DOUBLE_EQ(s.mean_us, 50.5);
  EXPECT_EQ(Summarize({7}).p99_us, 7);
  EXPECT_EQ(Summarize({}).count, 0u);
}

TEST(ResidentBytesTest, GrowsWhenMemoryIsTouched) {
  const uint64_t before = ResidentBytes();
  ASSERT_GT(before, 0u);
  std::vector<char> block(64 << 20, 1);
  EXPECT_GE(ResidentBytes(), before + (48 << 20));
  EXPECT_EQ(block[12345], 1);
}

}  // namespace
}  // namespace inkdex::bench
