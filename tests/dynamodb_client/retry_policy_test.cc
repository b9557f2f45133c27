#include "dynamodb/retry_policy.h"

#include <gtest/gtest.h>

namespace inkdex::dynamodb {
namespace {

TEST(RetryPolicyTest, CeilingDoublesUpToTheCap) {
  RetryPolicy policy;
  policy.base_delay = absl::Milliseconds(50);
  policy.max_delay = absl::Milliseconds(500);
  EXPECT_EQ(policy.Ceiling(1), absl::Milliseconds(50));
  EXPECT_EQ(policy.Ceiling(2), absl::Milliseconds(100));
  EXPECT_EQ(policy.Ceiling(4), absl::Milliseconds(400));
  EXPECT_EQ(policy.Ceiling(5), absl::Milliseconds(500));
  EXPECT_EQ(policy.Ceiling(1000), absl::Milliseconds(500));
}

TEST(RetryPolicyTest, DelayIsTheJitteredShareOfTheCeiling) {
  RetryPolicy policy;
  policy.base_delay = absl::Milliseconds(100);
  policy.max_delay = absl::Seconds(1);
  EXPECT_EQ(policy.Delay(1, 0.0), absl::ZeroDuration());
  EXPECT_EQ(policy.Delay(2, 0.5), absl::Milliseconds(100));
  EXPECT_EQ(policy.Delay(30, 0.25), absl::Milliseconds(250));
  EXPECT_EQ(policy.Delay(3, 7.0), absl::Milliseconds(400));  // clamped to the ceiling
}

}  // namespace
}  // namespace inkdex::dynamodb
