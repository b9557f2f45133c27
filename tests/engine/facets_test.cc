#include "engine/facets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "inkdex/taxonomy.h"

namespace inkdex::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

HotRow RowWithStyles(uint64_t style_mask) {
  HotRow row;
  row.style_mask = style_mask;
  row.live = true;
  return row;
}

std::vector<std::string> Names(const std::vector<FacetValue>& values) {
  std::vector<std::string> names;
  for (const FacetValue& v : values) names.push_back(v.value + "=" + std::to_string(v.count));
  return names;
}

TEST(FacetCounterTest, CitiesCountRunsAndRepeatsAndDropLocationsWithoutACity) {
  auto tax = StyleTaxonomy::Default();
  ASSERT_TRUE(tax.ok());
  const std::string london = "London", leeds = "Leeds", york = "York", none;
  FacetCounter counter;
  const HotRow row = RowWithStyles(1);
  // London in two runs split by Leeds; an empty city and no city between.
  for (const std::string* city : {&london, &london, &leeds, &none, &london, &york,
                                  static_cast<const std::string*>(nullptr), &leeds, &none}) {
    counter.AddMatch(row, city, kNaN);
  }
  const Facets f = counter.Finish(*tax, 10);
  // By count, equal counts by name.
  EXPECT_THAT(Names(f.cities), ElementsAre("London=3", "Leeds=2", "York=1"));
  EXPECT_TRUE(f.distance_rings.empty());
}

TEST(FacetCounterTest, TopCitiesKeepsTheLargest) {
  auto tax = StyleTaxonomy::Default();
  ASSERT_TRUE(tax.ok());
  const std::string a = "Amsterdam", b = "Berlin", c = "Cork";
  FacetCounter counter;
  const HotRow row = RowWithStyles(1);
  for (const std::string* city : {&c, &b, &b, &a, &a, &a}) counter.AddMatch(row, city, kNaN);
  EXPECT_THAT(Names(counter.Finish(*tax, 2).cities), ElementsAre("Amsterdam=3", "Berlin=2"));
}

TEST(FacetCounterTest, StylesCountTheBaseSetAndRingsTheMatchedDistances) {
  auto tax = StyleTaxonomy::Default();
  ASSERT_TRUE(tax.ok());
  FacetCounter counter;
  counter.EnableRings();
  counter.AddBase(RowWithStyles(0b101));
  counter.AddBase(RowWithStyles(0b001));
  const std::string city = "Paris";
  for (double d : {0.0, 1.99, 2.0, 9.5, 30.0, 50.0, 120.0}) {
    counter.AddMatch(RowWithStyles(1), &city, d);
  }
  const Facets f = counter.Finish(*tax, 10);
  ASSERT_EQ(f.styles.size(), 2u);
  EXPECT_EQ(f.styles[0].value, tax->style(0).id);
  EXPECT_EQ(f.styles[0].count, 2);
  EXPECT_EQ(f.styles[1].value, tax->style(2).id);
  EXPECT_EQ(f.styles[1].count, 1);
  EXPECT_THAT(f.distance_rings,
              ElementsAre(Field(&FacetValue::count, 2), Field(&FacetValue::count, 1),
                          Field(&FacetValue::count, 1), Field(&FacetValue::count, 0),
                          Field(&FacetValue::count, 1), Field(&FacetValue::count, 2)));
  EXPECT_THAT(Names(f.cities), ElementsAre("Paris=7"));
}

}  // namespace
}  // namespace inkdex::engine
