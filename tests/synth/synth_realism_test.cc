// The synthetic records are realistic: complete, in range, and distributed
// over places, styles, studios and dates the way the generator promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "synth/artist_generator.h"
#include "synth/gazetteer.h"
#include "synth/word_lists.h"
#include "synth_test_util.h"

namespace inkdex::synth {
namespace {

constexpr uint64_t kCount = 20000;

const std::vector<nlohmann::json>& Records() {
  static const auto* const records = [] {
    SynthOptions o;
    o.count = kCount;
    return new std::vector<nlohmann::json>(GenerateRecords(o));
  }();
  return *records;
}

bool IsIsoDate(const nlohmann::json& v) {
  if (!v.is_string()) return false;
  std::string s = v;
  absl::CivilDay day;
  return s.size() == 10 && absl::ParseCivilTime(s, &day);
}

TEST(SynthRealismTest, EveryRecordHasTheDataModelFieldsInRange) {
  ASSERT_EQ(Records().size(), kCount);
  for (const nlohmann::json& r : Records()) {
    SCOPED_TRACE(r.dump());
    for (const char* field : {"artistId", "artistName", "instagramHandle", "locationDisplay",
                              "locationCity", "locationCountry", "biography"}) {
      ASSERT_TRUE(r.contains(field) && r[field].is_string() && !r[field].empty()) << field;
    }
    ASSERT_TRUE(r["latitude"].is_number() && r["longitude"].is_number());
    EXPECT_LE(std::abs(r["latitude"].get<double>()), 90);
    EXPECT_LE(std::abs(r["longitude"].get<double>()), 180);
    ASSERT_TRUE(r["styles"].is_array());
    EXPECT_GE(r["styles"].size(), 1u);
    EXPECT_LE(r["styles"].size(), 4u);
    std::set<std::string> distinct;
    for (const auto& s : r["styles"]) {
      EXPECT_TRUE(IsCanonicalStyle(s)) << s;
      distinct.insert(s);
    }
    EXPECT_EQ(distinct.size(), r["styles"].size());
    ASSERT_TRUE(r["specialties"].is_array());
    EXPECT_FALSE(r["specialties"].empty());
    const double rating = r["rating"];
    const int64_t reviews = r["reviewCount"];
    if (reviews == 0) {
      EXPECT_EQ(rating, 0);
    } else {
      EXPECT_GE(rating, 3.0);
      EXPECT_LE(rating, 5.0);
    }
    EXPECT_GT(r["pricing"]["hourlyRate"].get<int64_t>(), 0);
    EXPECT_GT(r["pricing"]["minimumCharge"].get<int64_t>(), 0);
    EXPECT_LE(r["pricing"]["minimumCharge"].get<int64_t>(),
              r["pricing"]["hourlyRate"].get<int64_t>());
    const Country* country =
        Gazetteer::Embedded().FindCountry(r["locationCountry"].get<std::string>());
    ASSERT_NE(country, nullptr);
    EXPECT_EQ(r["pricing"]["currency"], std::string(country->currency));
    EXPECT_TRUE(r["availability"]["bookingOpen"].is_boolean());
    EXPECT_TRUE(r["availability"]["waitingList"].is_boolean());
    EXPECT_TRUE(IsIsoDate(r["availability"]["nextAvailable"]));
    EXPECT_GE(r["experience"]["yearsActive"].get<int>(), 1);
    if (r.contains("studioInfo")) {
      for (const char* f : {"studioId", "studioName", "address", "postcode"}) {
        EXPECT_TRUE(r["studioInfo"][f].is_string()) << f;
      }
    }
    if (r.contains("portfolioImages")) {
      for (const auto& img : r["portfolioImages"]) {
        EXPECT_TRUE(IsCanonicalStyle(img["style"]));
        EXPECT_TRUE(img["url"].get<std::string>().starts_with("https://"));
        EXPECT_TRUE(img["tags"].is_array());
      }
    }
    EXPECT_TRUE(r["contactInfo"]["instagram"].get<std::string>().ends_with(
        r["instagramHandle"].get<std::string>()));
    EXPECT_TRUE(r["opted_out"].is_boolean());
    EXPECT_TRUE(r["isActive"].is_boolean());
    EXPECT_LE(r["createdAt"].get<std::string>(), r["updatedAt"].get<std::string>());
    EXPECT_EQ(r["createdAt"].get<std::string>().size(), 20u);
  }
}

TEST(SynthRealismTest, ArtistsFollowPopulationAroundRealCities) {
  const Gazetteer& g = Gazetteer::Embedded();
  for (const char* name : {"Tokyo", "London"}) {
    const City& city = *g.FindCity(name);
    double expected = 0;
    for (size_t i : g.CitiesNear(city.latitude, city.longitude, 30)) expected += g.Weight(i);
    expected /= g.TotalWeight();
    int within = 0;
    for (const nlohmann::json& r : Records()) {
      within += DistanceKm(city.latitude, city.longitude, r["latitude"], r["longitude"]) <= 30;
    }
    double share = within / double(kCount);
    EXPECT_GT(share, 0.75 * expected) << name;
    EXPECT_LT(share, 1.25 * expected) << name;
  }
  // A town of ~20k people gets next to nobody; London gets ~1%.
  std::map<std::string, int> by_city;
  for (const nlohmann::json& r : Records()) {
    by_city[r["locationCity"].get<std::string>() + "," + r["locationCountry"].get<std::string>()]++;
  }
  EXPECT_GT(by_city["London,GB"], 100);
  EXPECT_LT(by_city["Bishopbriggs,GB"], 5);
}

TEST(SynthRealismTest, ArtistsAreScatteredAFewKmAroundTheirCity) {
  const Gazetteer& g = Gazetteer::Embedded();
  std::vector<double> distances;
  for (const nlohmann::json& r : Records()) {
    const City* city =
        g.FindCity(r["locationCity"].get<std::string>(), r["locationCountry"].get<std::string>());
    ASSERT_NE(city, nullptr) << r["locationCity"];
    distances.push_back(DistanceKm(city->latitude, city->longitude, r["latitude"], r["longitude"]));
  }
  std::sort(distances.begin(), distances.end());
  EXPECT_GT(distances[distances.size() / 2], 0.3);
  EXPECT_LT(distances[distances.size() / 2], 8);
  EXPECT_LT(distances[distances.size() * 9 / 10], 25);
}

TEST(SynthRealismTest, StylePopularityIsSkewed) {
  std::map<std::string, int> counts;
  std::map<int, int> per_artist;
  for (const nlohmann::json& r : Records()) {
    per_artist[static_cast<int>(r["styles"].size())]++;
    for (const auto& s : r["styles"]) counts[s]++;
  }
  WordList ids = StyleIdsByPopularity();
  EXPECT_EQ(counts.size(), ids.size());
  EXPECT_GT(counts[std::string(ids.front())], 5 * counts[std::string(ids.back())]);
  for (int n = 1; n <= 4; ++n) EXPECT_GT(per_artist[n], 1000) << n;
}

TEST(SynthRealismTest, JapaneseArtistsOftenDoKoiAndDragons) {
  int japanese = 0, koi = 0, dragons = 0;
  for (const nlohmann::json& r : Records()) {
    const auto& styles = r["styles"];
    if (std::find(styles.begin(), styles.end(), "japanese") == styles.end()) continue;
    ++japanese;
    const auto& m = r["specialties"];
    koi += std::find(m.begin(), m.end(), "koi") != m.end();
    dragons += std::find(m.begin(), m.end(), "dragons") != m.end() ||
               std::find(m.begin(), m.end(), "dragon") != m.end();
  }
  ASSERT_GT(japanese, 500);
  EXPECT_GT(koi, japanese / 2);
  EXPECT_GT(dragons, japanese / 2);
}

TEST(SynthRealismTest, StudiosAreSharedWithinACity) {
  std::map<std::string, std::vector<const nlohmann::json*>> by_studio;
  int without = 0;
  for (const nlohmann::json& r : Records()) {
    if (!r.contains("studioInfo")) {
      ++without;
      continue;
    }
    by_studio[r["studioInfo"]["studioId"]].push_back(&r);
  }
  int shared = 0;
  for (const auto& [id, artists] : by_studio) {
    if (artists.size() < 2) continue;
    ++shared;
    for (const nlohmann::json* a : artists) {
      EXPECT_EQ((*a)["studioInfo"], (*artists[0])["studioInfo"]) << id;
      EXPECT_EQ((*a)["locationCity"], (*artists[0])["locationCity"]) << id;
      EXPECT_EQ((*a)["latitude"], (*artists[0])["latitude"]) << id;
    }
  }
  EXPECT_GT(shared, 1000);
  EXPECT_GT(without, kCount * 0.04);
  EXPECT_LT(without, kCount * 0.12);
}

TEST(SynthRealismTest, SomeArtistsHaveGuestSpotsAroundToday) {
  int with = 0;
  for (const nlohmann::json& r : Records()) {
    if (!r.contains("guestSpots")) continue;
    ++with;
    ASSERT_FALSE(r["guestSpots"].empty());
    for (const auto& g : r["guestSpots"]) {
      ASSERT_TRUE(IsIsoDate(g["from"]) && IsIsoDate(g["to"])) << g;
      EXPECT_LE(g["from"].get<std::string>(), g["to"].get<std::string>());
      EXPECT_GE(g["from"].get<std::string>(), "2026-11-01");
      EXPECT_LE(g["to"].get<std::string>(), "2027-05-15");
      EXPECT_NE(g["locationCity"], r["locationCity"]);
      // With its country, like the home location: a city's facet key is
      // "City, CC" wherever the artist works.
      ASSERT_TRUE(g["locationCountry"].is_string()) << g;
      EXPECT_EQ(g["locationCountry"].get<std::string>().size(), 2u) << g;
      EXPECT_LE(std::abs(g["latitude"].get<double>()), 90);
      EXPECT_FALSE(g["locationDisplay"].get<std::string>().empty());
    }
  }
  EXPECT_GT(with, kCount * 0.035);
  EXPECT_LT(with, kCount * 0.065);
}

TEST(SynthRealismTest, RatesOfOptedOutInactiveAndUnrated) {
  int opted_out = 0, inactive = 0, unrated = 0, many_reviews = 0;
  for (const nlohmann::json& r : Records()) {
    opted_out += r["opted_out"].get<bool>();
    inactive += !r["isActive"].get<bool>();
    unrated += r["reviewCount"] == 0;
    many_reviews += r["reviewCount"].get<int64_t>() >= 100;
  }
  EXPECT_NEAR(opted_out / double(kCount), 0.01, 0.004);
  EXPECT_NEAR(inactive / double(kCount), 0.02, 0.006);
  EXPECT_NEAR(unrated / double(kCount), 0.07, 0.015);
  EXPECT_GT(many_reviews, 20);  // heavy tail
}

TEST(SynthRealismTest, LocalCurrenciesAndPrices) {
  std::map<std::string, std::vector<int64_t>> rates;
  for (const nlohmann::json& r : Records()) {
    rates[r["pricing"]["currency"]].push_back(r["pricing"]["hourlyRate"]);
  }
  for (const char* c : {"GBP", "EUR", "USD", "JPY", "AUD", "CAD"})
    EXPECT_GT(rates[c].size(), 20u) << c;
  auto median = [](std::vector<int64_t> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  EXPECT_GT(median(rates["JPY"]), 50 * median(rates["GBP"]));
  EXPECT_GT(median(rates["GBP"]), 50);
  EXPECT_LT(median(rates["GBP"]), 300);
}

TEST(SynthRealismTest, GeneratorRecordMatchesItsJson) {
  SynthOptions o;
  o.count = kCount;
  absl::StatusOr<ArtistGenerator> gen = ArtistGenerator::Create(o);
  ASSERT_TRUE(gen.ok());
  for (uint64_t i : {0, 7, 12345}) {
    ArtistRecord r = gen->Generate(i);
    const nlohmann::json& j = Records()[i];
    EXPECT_EQ(j["artistId"], r.artist_id);
    EXPECT_NEAR(j["latitude"].get<double>(), r.latitude, 1e-5);
    EXPECT_EQ(j["styles"].size(), r.styles.size());
    EXPECT_EQ(j["locationCity"], std::string(r.location_city));
  }
}

}  // namespace
}  // namespace inkdex::synth
