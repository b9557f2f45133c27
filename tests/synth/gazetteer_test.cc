#include "synth/gazetteer.h"

#include <gtest/gtest.h>

#include <string>

#include "synth/rng.h"

namespace inkdex::synth {
namespace {

const Gazetteer& G() { return Gazetteer::Embedded(); }

TEST(GazetteerTest, EmbeddedHasTheWorldsCitiesLargestFirst) {
  EXPECT_GT(G().cities().size(), 20000u);
  EXPECT_LT(G().cities().size(), 30000u);
  EXPECT_GT(G().countries().size(), 150u);
  for (size_t i = 1; i < G().cities().size(); ++i) {
    ASSERT_GE(G().cities()[i - 1].population, G().cities()[i].population) << i;
  }
  EXPECT_GE(G().cities().back().population, 15000);
}

TEST(GazetteerTest, FindsLeedsWithItsCoordinates) {
  const City* leeds = G().FindCity("Leeds");
  ASSERT_NE(leeds, nullptr);
  EXPECT_EQ(leeds->country->code, "GB");
  EXPECT_NEAR(leeds->latitude, 53.8, 0.05);
  EXPECT_NEAR(leeds->longitude, -1.55, 0.05);
  EXPECT_GT(leeds->population, 400000);
  EXPECT_EQ(G().FindCity("  leeds "), leeds);
}

TEST(GazetteerTest, PrefersTheMostPopulousAndFiltersByCountry) {
  const City* london = G().FindCity("London");
  ASSERT_NE(london, nullptr);
  EXPECT_EQ(london->country->code, "GB");
  const City* ontario = G().FindCity("London", "CA");
  ASSERT_NE(ontario, nullptr);
  EXPECT_NEAR(ontario->longitude, -81.2, 0.1);
  EXPECT_EQ(G().FindCity("London", "ZZ"), nullptr);
  EXPECT_EQ(G().FindCity("Nowhere-on-Sea"), nullptr);
}

TEST(GazetteerTest, FindsNativeAsciiAndCitySuffixedNames) {
  for (const char* name :
       {"Tokyo", "Berlin", "Sarajevo", "Zürich", "Zurich", "São Paulo", "Sao Paulo", "New York"}) {
    EXPECT_NE(G().FindCity(name), nullptr) << name;
  }
  EXPECT_EQ(G().FindCity("Zurich"), G().FindCity("Zürich"));
  const City* ny = G().FindCity("new york");
  ASSERT_NE(ny, nullptr);
  EXPECT_EQ(ny->name, "New York City");
  EXPECT_EQ(ny->admin, "NY");
}

TEST(GazetteerTest, CountriesCarryNamesAndCurrencies) {
  ASSERT_NE(G().FindCountry("GB"), nullptr);
  EXPECT_EQ(G().FindCountry("GB")->currency, "GBP");
  EXPECT_EQ(G().FindCountry("JP")->currency, "JPY");
  EXPECT_EQ(G().FindCountry("DE")->currency, "EUR");
  EXPECT_EQ(G().FindCountry("DE")->name, "Germany");
  EXPECT_EQ(G().FindCountry("XX"), nullptr);
}

TEST(GazetteerTest, SamplingFollowsTheWeights) {
  EXPECT_EQ(G().SampleCity(0.0), 0u);
  EXPECT_EQ(G().SampleCity(0.9999999999), G().cities().size() - 1);
  const City& london = *G().FindCity("London");
  const size_t london_index = G().IndexOf(london);
  EXPECT_EQ(G().cities()[london_index].name, "London");
  const double expected = G().Weight(london_index) / G().TotalWeight();
  Rng rng(7);
  const int kDraws = 200000;
  int hits = 0;
  for (int k = 0; k < kDraws; ++k) hits += G().SampleCity(rng.Uniform()) == london_index;
  EXPECT_NEAR(hits / double(kDraws), expected, expected * 0.15);
  EXPECT_GT(G().Weight(london_index), 100 * G().Weight(G().cities().size() - 1));
}

TEST(GazetteerTest, CitiesNearAndDistance) {
  const City& london = *G().FindCity("London");
  const City& leeds = *G().FindCity("Leeds");
  EXPECT_NEAR(DistanceKm(london.latitude, london.longitude, leeds.latitude, leeds.longitude), 271,
              10);
  std::vector<size_t> near = G().CitiesNear(london.latitude, london.longitude, 30);
  ASSERT_FALSE(near.empty());
  EXPECT_EQ(near.front(), G().IndexOf(london));
  for (size_t i : near) {
    EXPECT_LE(DistanceKm(london.latitude, london.longitude, G().cities()[i].latitude,
                         G().cities()[i].longitude),
              30);
  }
}

constexpr char kCountries[] =
    "# comment\ncode\tname\tcurrency\ttypical_hourly_rate\tmarket_weight\n"
    "GB\tUK\tGBP\t110\t1.2\n";
constexpr char kHeader[] = "name\tascii_name\tcountry\tadmin\tlatitude\tlongitude\tpopulation\n";

TEST(GazetteerTest, ParsesAValidTable) {
  absl::StatusOr<Gazetteer> g = Gazetteer::Parse(
      std::string(kHeader) + "Leeds\t\tGB\tENG\t53.79648\t-1.54785\t455123\n", kCountries);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->cities().size(), 1u);
  EXPECT_EQ(g->cities()[0].ascii_name, "Leeds");
  EXPECT_DOUBLE_EQ(g->Weight(0), 455123 * 1.2);
}

TEST(GazetteerTest, ParseErrorsNameLineAndField) {
  struct Case {
    std::string row;
    std::string expected;
  };
  for (const Case& c : {
           Case{"Leeds\t\tGB\tENG\t93.1\t-1.5\t455123\n", "line 2: field latitude '93.1'"},
           Case{"Leeds\t\tGB\tENG\t53.8\tx\t455123\n", "field longitude 'x'"},
           Case{"Leeds\t\tZZ\tENG\t53.8\t-1.5\t455123\n", "field country 'ZZ'"},
           Case{"Leeds\t\tGB\tENG\t53.8\t-1.5\n", "expected 7 tab-separated fields, got 6"},
           Case{"Leeds\t\tGB\tENG\t53.8\t-1.5\t-4\n", "field population '-4'"},
           Case{"A\t\tGB\t\t1\t1\t5\nB\t\tGB\t\t1\t1\t9\n", "rows must be sorted"},
       }) {
    absl::StatusOr<Gazetteer> g = Gazetteer::Parse(kHeader + c.row, kCountries);
    ASSERT_FALSE(g.ok()) << c.row;
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(g.status().message()).find(c.expected), std::string::npos) << g.status();
  }
  EXPECT_FALSE(Gazetteer::Parse(kHeader, kCountries).ok());  // no cities
  EXPECT_FALSE(Gazetteer::Parse(kHeader, "GB\tUK\n").ok());  // bad countries table
}

}  // namespace
}  // namespace inkdex::synth
