#include "query_mix.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace inkdex::bench::load {
namespace {

using ::testing::HasSubstr;

size_t Index(QueryClass c) { return static_cast<size_t>(c); }

// Three queries per class, told apart by their text ("Q1_local#0", ...).
std::vector<WireQuery> ThreePerClass() {
  std::vector<WireQuery> out;
  for (QueryClass c : AllQueryClasses()) {
    for (int k = 0; k < 3; ++k) {
      WireQuery q;
      q.query_class = c;
      const std::string tag = std::string(QueryClassName(c)) + "#" + std::to_string(k);
      if (q.is_suggest()) {
        q.suggest.set_prefix(tag);
      } else {
        q.search.set_text(tag);
      }
      out.push_back(q);
    }
  }
  return out;
}

std::string Tag(const WireQuery& q) {
  return q.is_suggest() ? q.suggest.prefix() : q.search.text();
}

TEST(ParseMixTest, NamesAndShortNames) {
  absl::StatusOr<MixWeights> w = ParseMix("Q1_local=35, Q2=15,Q5_suggest=0.5");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)[Index(QueryClass::kLocal)], 35);
  EXPECT_EQ((*w)[Index(QueryClass::kText)], 15);
  EXPECT_EQ((*w)[Index(QueryClass::kSuggest)], 0.5);
  EXPECT_EQ((*w)[Index(QueryClass::kWide)], 0);
  EXPECT_EQ(MixToString(*w), "Q1_local=35,Q2_text=15,Q5_suggest=0.5");
}

TEST(ParseMixTest, RejectsBadItemsNamingThem) {
  EXPECT_THAT(ParseMix("Q9=1").status().message(), HasSubstr("\"Q9=1\": unknown class"));
  EXPECT_THAT(ParseMix("Q1=-1").status().message(), HasSubstr("\"Q1=-1\": the weight"));
  EXPECT_THAT(ParseMix("Q1=x").status().message(), HasSubstr("the weight"));
  EXPECT_THAT(ParseMix("Q1").status().message(), HasSubstr("expected CLASS=WEIGHT"));
  EXPECT_THAT(ParseMix("Q1=1,Q1_local=2").status().message(), HasSubstr("given twice"));
  EXPECT_THAT(ParseMix("Q1=0").status().message(), HasSubstr("at least one class"));
  EXPECT_THAT(ParseMix("").status().message(), HasSubstr("at least one class"));
}

TEST(DefaultMixTest, IsTheDocumentedMix) {
  EXPECT_EQ(MixToString(DefaultMix()),
            "Q1_local=35,Q2_text=15,Q3_viewport=25,Q4_nearest=10,Q5_suggest=14,Q6_wide=1");
}

TEST(QueryMixTest, PlanFollowsTheWeights) {
  absl::StatusOr<QueryMix> mix = QueryMix::FromQueries(ThreePerClass(), DefaultMix(), 100000, 7);
  ASSERT_TRUE(mix.ok()) << mix.status();
  std::map<QueryClass, int> counts;
  for (uint64_t i = 0; i < mix->plan_length(); ++i) ++counts[mix->At(i).query_class];
  const MixWeights w = DefaultMix();
  for (QueryClass c : AllQueryClasses()) {
    const double expected = w[Index(c)] / 100.0 * 100000;
    EXPECT_NEAR(counts[c], expected, 5 * std::sqrt(expected) + 1) << QueryClassName(c);
  }
}

TEST(QueryMixTest, CyclesThroughEachClassInOrder) {
  MixWeights only_q2{};
  only_q2[Index(QueryClass::kText)] = 1;
  absl::StatusOr<QueryMix> mix = QueryMix::FromQueries(ThreePerClass(), only_q2, 7, 1);
  ASSERT_TRUE(mix.ok()) << mix.status();
  std::vector<std::string> tags;
  for (uint64_t i = 0; i < 8; ++i) tags.push_back(Tag(mix->At(i)));
  EXPECT_THAT(tags, ::testing::ElementsAre("Q2_text#0", "Q2_text#1", "Q2_text#2", "Q2_text#0",
                                           "Q2_text#1", "Q2_text#2", "Q2_text#0",
                                           "Q2_text#0"));  // the plan (7 long) cycles
}

TEST(QueryMixTest, SameSeedSamePlanOtherSeedOtherPlan) {
  auto plan = [](uint64_t seed) {
    std::vector<std::string> tags;
    QueryMix mix = *QueryMix::FromQueries(ThreePerClass(), DefaultMix(), 200, seed);
    for (uint64_t i = 0; i < 200; ++i) tags.push_back(Tag(mix.At(i)));
    return tags;
  };
  EXPECT_EQ(plan(3), plan(3));
  EXPECT_NE(plan(3), plan(4));
}

TEST(QueryMixTest, RefusesAWeightedClassWithoutQueries) {
  std::vector<WireQuery> queries = ThreePerClass();
  std::erase_if(queries, [](const WireQuery& q) { return q.query_class == QueryClass::kWide; });
  EXPECT_THAT(QueryMix::FromQueries(queries, DefaultMix(), 10, 1).status().message(),
              HasSubstr("Q6_wide has a weight but no queries"));
  MixWeights no_wide = DefaultMix();
  no_wide[Index(QueryClass::kWide)] = 0;
  EXPECT_TRUE(QueryMix::FromQueries(queries, no_wide, 10, 1).ok());
  EXPECT_FALSE(QueryMix::FromQueries(queries, no_wide, 0, 1).ok());
}

TEST(QueryMixTest, CreateConvertsTheBenchmarkQueries) {
  absl::StatusOr<QueryMix> mix = QueryMix::Create(DefaultMix(), 5, 1000, 1);
  ASSERT_TRUE(mix.ok()) << mix.status();
  std::map<QueryClass, int> seen;
  for (uint64_t i = 0; i < mix->plan_length(); ++i) {
    const WireQuery& q = mix->At(i);
    ++seen[q.query_class];
    switch (q.query_class) {
      case QueryClass::kSuggest:
        EXPECT_EQ(q.suggest.prefix().size(), 3u);
        EXPECT_EQ(q.suggest.limit(), 10);
        EXPECT_TRUE(q.suggest.has_near());
        break;
      case QueryClass::kLocal:
        EXPECT_EQ(q.search.radius_km(), 10);
        EXPECT_EQ(q.search.styles_size(), 1);
        break;
      case QueryClass::kText:
        EXPECT_FALSE(q.search.text().empty());
        break;
      case QueryClass::kViewport:
        EXPECT_TRUE(q.search.has_bbox());
        break;
      case QueryClass::kNearest:
        EXPECT_FALSE(q.search.has_radius_km());
        EXPECT_EQ(q.search.sort(), v1::SORT_ORDER_DISTANCE);
        break;
      case QueryClass::kWide:
        EXPECT_EQ(q.search.radius_km(), 500);
        break;
    }
    if (!q.is_suggest()) {
      EXPECT_EQ(q.search.date(), "2026-11-29");
    }
  }
  EXPECT_EQ(seen.size(), 6u);
}

}  // namespace
}  // namespace inkdex::bench::load
