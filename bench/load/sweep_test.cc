#include "sweep.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inkdex::bench::load {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

StepStats Step(double offered, double achieved, double p99_ms, uint64_t errors = 0) {
  StepStats s;
  s.mode = "open";
  s.offered_qps = offered;
  s.achieved_qps = achieved;
  s.measured = static_cast<uint64_t>(offered) * 10;
  s.ok = s.measured - errors;
  s.latency.p99_us = p99_ms * 1000;
  if (errors > 0) s.errors["RESOURCE_EXHAUSTED"] = errors;
  return s;
}

TEST(SweepRatesTest, StartStepMax) {
  SweepOptions o;
  o.start = 1000;
  o.step = 1500;
  o.max = 5500;
  EXPECT_THAT(*SweepRates(o), ElementsAre(1000, 2500, 4000, 5500));
  o.max = 500;
  EXPECT_THAT(SweepRates(o).status().message(), HasSubstr("--sweep-max"));
  o.step = 0;
  EXPECT_THAT(SweepRates(o).status().message(), HasSubstr("--sweep-step"));
}

TEST(SweepRatesTest, ExplicitListMustRise) {
  SweepOptions o;
  o.rates = *ParseRates("500, 1000,4000");
  EXPECT_THAT(*SweepRates(o), ElementsAre(500, 1000, 4000));
  o.rates = {1000, 1000};
  EXPECT_THAT(SweepRates(o).status().message(), HasSubstr("must rise"));
  o.rates = {-1};
  EXPECT_THAT(SweepRates(o).status().message(), HasSubstr("rate > 0"));
  EXPECT_THAT(ParseRates("1000,abc").status().message(), HasSubstr("\"abc\" is not a number"));
}

TEST(SaturationReasonTest, EachCriterion) {
  const SweepOptions o;  // 95 % achieved, 1 % errors, p99 100 ms
  EXPECT_EQ(SaturationReason(Step(5000, 4990, 3), o), std::nullopt);
  EXPECT_THAT(*SaturationReason(Step(5000, 4000, 3), o), HasSubstr("achieved 4000/s"));
  EXPECT_THAT(*SaturationReason(Step(5000, 4990, 3, 1000), o), HasSubstr("calls failed"));
  EXPECT_THAT(*SaturationReason(Step(5000, 4990, 150), o), HasSubstr("p99 150.0 ms"));
}

TEST(BestStepWithinSloTest, HighestCleanRateUnderTheLimit) {
  const std::vector<StepStats> steps = {Step(1000, 1000, 2), Step(2000, 2000, 4),
                                        Step(3000, 3000, 9, 1), Step(4000, 3000, 8),
                                        Step(5000, 5000, 12)};
  EXPECT_EQ(BestStepWithinSlo(steps, 10, 0.95), 1u);  // 3000 has errors, 4000 fell behind
  EXPECT_EQ(BestStepWithinSlo(steps, 1, 0.95), std::nullopt);
  EXPECT_EQ(BestStepWithinSlo(steps, 20, 0.95), 4u);
}

}  // namespace
}  // namespace inkdex::bench::load
