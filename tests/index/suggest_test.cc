// Suggest near a point: the nearby completions against a brute-force oracle,
// what a widening that runs out of budget keeps, and counts per artist.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/row.h"
#include "engine/row_builder.h"
#include "geo/distance.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;

constexpr double kLat = 41.3874, kLon = 2.1686;  // Barcelona

// A point about `km` from (kLat, kLon), due north-east-ish by `bearing`.
std::pair<double, double> Offset(double km, double bearing) {
  const double dlat = km / 111.195 * std::cos(bearing);
  const double dlon = km / (111.195 * std::cos(kLat * M_PI / 180)) * std::sin(bearing);
  return {kLat + dlat, kLon + dlon};
}

bool WordStarts(const std::string& text, const std::string& key) {
  for (absl::string_view word : absl::StrSplit(text, ' ')) {
    if (absl::StartsWith(absl::AsciiStrToLower(word), key)) return true;
  }
  return false;
}

// A guest spot in `city` (Spain) that is active whatever the date.
void AddGuestSpot(Artist* a, double lat, double lon, const std::string& city) {
  GuestSpot* g = a->add_guest_spots();
  g->mutable_location()->set_latitude(lat);
  g->mutable_location()->set_longitude(lon);
  g->mutable_location()->set_city(city);
  g->mutable_location()->set_country("ES");
  g->set_from("2000-01-01");
  g->set_to("2100-01-01");
}

class SuggestTest : public testing::IndexDirTest {
 protected:
  void Apply(const WriteBatch& b) {
    auto r = index_->Apply(b);
    ASSERT_TRUE(r.ok()) << r.status();
  }
  std::vector<Suggestion> Near(const std::string& prefix, int limit) {
    SuggestRequest q;
    q.prefix = prefix;
    q.near = GeoPoint{kLat, kLon};
    q.limit = limit;
    auto r = index_->Suggest(q);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<Suggestion>{};
  }
};

// What the nearby part must be when no budget binds: the distinct
// completions of the smallest radius of 2, 8, 32, 128, 512 km that holds
// `limit` of them (else 512), nearest first, counted per artist within it.
struct Expected {
  Suggestion::Kind kind;
  std::string text, id;
  int64_t count;
  double distance_km;
};

TEST_F(SuggestTest, NearbyCompletionsMatchABruteForceOracle) {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> unit(0, 1);
  const std::vector<std::string> first = {"Zara", "Zane", "Zoe", "Zeke", "Zia", "Anna", "Bo"};
  const std::vector<std::string> last = {"Zamora", "Quinn", "Zeller", "Park", "Zhou"};
  const std::vector<std::string> studios = {"", "Zen Ink", "Zigzag Tattoo", "Blue Lotus"};
  const std::vector<std::string> cities = {"Zaragoza", "Zurich", "Girona", "Valencia"};
  struct Loc {
    std::string id, name, studio, city;
    double lat, lon;
  };
  std::vector<Loc> locs;
  WriteBatch batch;
  for (int i = 0; i < 400; ++i) {
    // Distances spread over 0.1-600 km, denser near the point.
    const double km = 0.1 + 600 * std::pow(unit(rng), 3);
    const auto [lat, lon] = Offset(km, unit(rng) * 2 * M_PI);
    const std::string name = first[rng() % first.size()] + " " + last[rng() % last.size()];
    Artist a = MakeArtist(absl::StrCat("a", i), name, lat, lon, {"blackwork"});
    a.mutable_studio()->set_name(studios[rng() % studios.size()]);
    a.mutable_location()->set_city(cities[rng() % cities.size()]);
    a.mutable_location()->set_country("ES");
    locs.push_back({a.id(), name, a.studio().name(), a.location().city() + ", ES", lat, lon});
    if (i % 5 == 0) {  // a guest spot: another location of the same artist
      const auto [glat, glon] = Offset(0.1 + 600 * std::pow(unit(rng), 3), unit(rng) * 2 * M_PI);
      AddGuestSpot(&a, glat, glon, "Zaragoza");
      locs.push_back({a.id(), name, a.studio().name(), "Zaragoza, ES", glat, glon});
    }
    batch.Upsert(std::move(a));
  }
  Apply(batch);

  int compared = 0;
  for (const std::string key : {"z", "za", "zar", "ze", "zen", "zh", "zi", "zo", "zu", "zam"}) {
    for (int limit : {1, 3, 10, 40}) {
      // (kind, text) -> nearest distance, nearest id, artists per radius.
      std::map<std::pair<int, std::string>, std::vector<std::pair<double, std::string>>> found;
      for (const Loc& l : locs) {
        const double d = geo::DistanceKm(kLat, kLon, l.lat, l.lon);
        if (WordStarts(l.name, key)) found[{0, l.name}].push_back({d, l.id});
        if (!l.studio.empty() && WordStarts(l.studio, key))
          found[{1, l.studio}].push_back({d, l.id});
        if (WordStarts(l.city, key)) found[{2, l.city}].push_back({d, l.id});
      }
      double radius = 2;
      for (; radius < 512; radius *= 4) {
        int within = 0;
        for (auto& [k, v] : found) {
          within += std::min_element(v.begin(), v.end())->first <= radius ? 1 : 0;
        }
        if (within >= limit) break;
      }
      std::vector<Expected> expected;
      for (auto& [k, v] : found) {
        std::sort(v.begin(), v.end());
        if (v[0].first > radius) continue;
        std::set<std::string> artists;
        for (const auto& [d, id] : v) {
          if (d <= radius) artists.insert(id);
        }
        const Suggestion::Kind kind = k.first == 0   ? Suggestion::Kind::kArtist
                                      : k.first == 1 ? Suggestion::Kind::kStudio
                                                     : Suggestion::Kind::kCity;
        expected.push_back({kind, k.second, k.first == 0 ? v[0].second : k.second,
                            static_cast<int64_t>(artists.size()), v[0].first});
      }
      std::sort(expected.begin(), expected.end(), [](const Expected& a, const Expected& b) {
        if (a.distance_km != b.distance_km) return a.distance_km < b.distance_km;
        return a.text < b.text;
      });
      const std::vector<Suggestion> got = Near(key, limit);
      const size_t n = std::min<size_t>(limit, expected.size());
      ASSERT_GE(got.size(), n) << key << " limit " << limit;
      for (size_t i = 0; i < n; ++i) {
        SCOPED_TRACE(absl::StrCat(key, " limit ", limit, " #", i, " ", expected[i].text));
        EXPECT_EQ(got[i].kind, expected[i].kind);
        EXPECT_EQ(got[i].text, expected[i].text);
        EXPECT_EQ(got[i].id, expected[i].id);
        EXPECT_EQ(got[i].count, expected[i].count);
        EXPECT_NEAR(got[i].distance_km, expected[i].distance_km, 1e-9);
        ++compared;
      }
      // After the nearby ones: global completions, without a distance.
      for (size_t i = n; i < got.size(); ++i) EXPECT_TRUE(std::isnan(got[i].distance_km));
    }
  }
  EXPECT_GT(compared, 150);
}

TEST_F(SuggestTest, AWideningThatRunsOutOfBudgetKeepsWhatInnerRadiiFound) {
  // Three matches within a kilometre, then 5,000 more 3-7 km away: the 8 km
  // widening reads its budget of rows before it has seen them all. What the
  // 2 km radius found must still lead the answer.
  WriteBatch batch;
  for (int i = 0; i < 3; ++i) {
    const auto [lat, lon] = Offset(0.2 + 0.3 * i, i);
    batch.Upsert(
        MakeArtist(absl::StrCat("near", i), absl::StrCat("Zed Near", i), lat, lon, {"blackwork"}));
  }
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 5000; ++i) {
    const auto [lat, lon] = Offset(3 + 4 * unit(rng), unit(rng) * 2 * M_PI);
    batch.Upsert(
        MakeArtist(absl::StrCat("ring", i), absl::StrCat("Zed Ring", i), lat, lon, {"blackwork"}));
  }
  Apply(batch);
  const std::vector<Suggestion> got = Near("zed", 10);
  ASSERT_EQ(got.size(), 10u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].id, absl::StrCat("near", i)) << i;
    EXPECT_LT(got[i].distance_km, 1.0);
  }
  for (size_t i = 3; i < got.size(); ++i) {
    EXPECT_EQ(got[i].kind, Suggestion::Kind::kArtist);
    EXPECT_GE(got[i].distance_km, 3.0 - 1e-6);
    EXPECT_LE(got[i].distance_km, 8.0);
  }
}

TEST_F(SuggestTest, RowsWaitingToBeReadWhenTheScanBudgetRunsOutAreRead) {
  // Rows are read a few passing entries after the scan saw them
  // (suggester.cc). Here the only entries that pass the word filter are five
  // artists the scan sees first (one point: entries in slot order, slots in
  // batch order); 30,000 others at the same point exhaust the scan's budget
  // of 25,000 entries. The five must still be read and found nearby.
  engine::WordStarts filler = engine::WordStartBits("Yo");
  filler |= engine::WordStartBits("Leeds");  // MakeArtist's city
  ASSERT_FALSE(filler.Contains(engine::WordStartMask("zed"))) << "the fillers pass the filter";
  WriteBatch batch;
  for (int i = 0; i < 5; ++i) {
    batch.Upsert(MakeArtist(absl::StrCat("a", i),
                            absl::StrCat("Zed ", std::string(1, static_cast<char>('A' + i))), kLat,
                            kLon, {"blackwork"}));
  }
  for (int i = 0; i < 30000; ++i) {
    batch.Upsert(MakeArtist(absl::StrCat("f", i), "Yo", kLat, kLon, {"blackwork"}));
  }
  Apply(batch);
  const std::vector<Suggestion> got = Near("zed", 10);
  ASSERT_EQ(got.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(got[i].text, absl::StrCat("Zed ", std::string(1, static_cast<char>('A' + i))));
    // Found near the point, not by the global completions (no distance).
    EXPECT_EQ(got[i].distance_km, 0.0) << got[i].text;
  }
}

TEST_F(SuggestTest, CountsArtistsNotLocationsAndNamesTheNearest) {
  // One artist in Zaragoza twice (home and a guest spot), another artist of
  // the same name further away: the city counts two artists, the name two,
  // and the name's id is the nearer artist's.
  WriteBatch batch;
  const auto [lat1, lon1] = Offset(1, 0);
  const auto [lat2, lon2] = Offset(1.5, 1);
  const auto [lat3, lon3] = Offset(3, 2);
  Artist a = MakeArtist("a-near", "Zoe Quinn", lat1, lon1, {"blackwork"});
  a.mutable_location()->set_city("Zaragoza");
  a.mutable_location()->set_country("ES");
  AddGuestSpot(&a, lat2, lon2, "Zaragoza");
  Artist b = MakeArtist("b-far", "Zoe Quinn", lat3, lon3, {"blackwork"});
  b.mutable_location()->set_city("Zaragoza");
  b.mutable_location()->set_country("ES");
  batch.Upsert(a);
  batch.Upsert(b);
  Apply(batch);

  std::vector<Suggestion> got = Near("zoe", 5);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].text, "Zoe Quinn");
  EXPECT_EQ(got[0].id, "a-near");
  EXPECT_EQ(got[0].count, 2);
  EXPECT_NEAR(got[0].distance_km, 1.0, 0.01);
  got = Near("zar", 5);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].text, "Zaragoza, ES");
  EXPECT_EQ(got[0].kind, Suggestion::Kind::kCity);
  EXPECT_EQ(got[0].count, 2);
}

TEST_F(SuggestTest, GlobalCompletionsFillWhatNearbyOnesLeave) {
  // Two matches near the point and one 1,000 km away (beyond the 512 km
  // radius): with room on the page the far one follows as a global
  // completion; with a page of two it does not appear.
  WriteBatch batch;
  const auto [lat1, lon1] = Offset(1, 0);
  const auto [lat2, lon2] = Offset(2.5, 1);
  const auto [lat3, lon3] = Offset(1000, 2);
  batch.Upsert(MakeArtist("n1", "Zia Park", lat1, lon1, {"blackwork"}));
  batch.Upsert(MakeArtist("n2", "Zia Zhou", lat2, lon2, {"blackwork"}));
  batch.Upsert(MakeArtist("far", "Zia Zeller", lat3, lon3, {"blackwork"}));
  Apply(batch);
  std::vector<Suggestion> got = Near("zia", 10);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].id, "n1");
  EXPECT_EQ(got[1].id, "n2");
  EXPECT_EQ(got[2].id, "far");
  EXPECT_TRUE(std::isnan(got[2].distance_km));
  got = Near("zia", 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, "n1");
  EXPECT_EQ(got[1].id, "n2");
}

TEST_F(SuggestTest, GlobalCompletionsFollowRenamesHidingAndDeletes) {
  auto global = [&](const std::string& prefix) {
    SuggestRequest q;
    q.prefix = prefix;
    q.limit = 10;
    auto r = index_->Suggest(q);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    for (const Suggestion& s : r.ok() ? *r : std::vector<Suggestion>{}) {
      out.push_back(absl::StrCat(s.text, "/", s.id, "/", s.count));
    }
    return out;
  };
  Artist a = MakeArtist("a1", "Quinn Avery", kLat, kLon, {"blackwork"});
  a.mutable_studio()->set_name("Quartz Ink");
  Artist b = MakeArtist("b1", "Quinn Avery", kLat, kLon, {"blackwork"});
  b.mutable_studio()->set_name("Quartz Ink");
  WriteBatch batch;
  batch.Upsert(a);
  batch.Upsert(b);
  Apply(batch);
  // One name for two artists: counted twice, named by one of them.
  std::vector<std::string> got = global("qu");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0] == "Quartz Ink/Quartz Ink/2") << got[0];
  EXPECT_TRUE(got[1] == "Quinn Avery/a1/2" || got[1] == "Quinn Avery/b1/2") << got[1];

  // A rename moves the artist to the new name at once.
  Artist renamed = MakeArtist("a1", "Quade Lowe", kLat, kLon, {"blackwork"}, 2);
  renamed.mutable_studio()->set_name("Quartz Ink");
  WriteBatch rename;
  rename.Upsert(renamed);
  Apply(rename);
  got = global("qu");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "Quartz Ink/Quartz Ink/2");
  EXPECT_EQ(got[1], "Quade Lowe/a1/1");
  EXPECT_EQ(got[2], "Quinn Avery/b1/1");

  // Hidden and deleted artists leave.
  b.set_opted_out(true);
  b.set_version(2);
  WriteBatch hide;
  hide.Upsert(b);
  hide.Delete("a1", 3);
  Apply(hide);
  EXPECT_TRUE(global("qu").empty());
  // And come back with a later version.
  b.set_opted_out(false);
  b.set_version(3);
  WriteBatch show;
  show.Upsert(b);
  Apply(show);
  EXPECT_EQ(global("qui"), std::vector<std::string>{"Quinn Avery/b1/1"});
  // The completions survive a restart (rebuilt from the stored records).
  Reopen();
  EXPECT_EQ(global("qu"),
            (std::vector<std::string>{"Quartz Ink/Quartz Ink/1", "Quinn Avery/b1/1"}));
}

// Without a point, the cities and studios a short prefix begins are ranked
// by their artists over all of them, not over the first few hundred in key
// order; and a page of 50 can be all artist names.
TEST_F(SuggestTest, GlobalCompletionsAreTheMostArtistsOfAllThePrefixBegins) {
  WriteBatch batch;
  // 250 small cities and studios before the big ones in key order.
  for (int i = 0; i < 250; ++i) {
    Artist a = MakeArtist(absl::StrCat("s", i), absl::StrCat("Ana ", i), kLat, kLon, {"blackwork"});
    a.mutable_location()->set_city(absl::StrFormat("Ka Cruz %03d", i));
    a.mutable_studio()->set_name(absl::StrFormat("Va Ink %03d", i));
    batch.Upsert(a);
  }
  for (int i = 0; i < 6; ++i) {
    Artist a = MakeArtist(absl::StrCat("b", i), absl::StrCat("Bea ", i), kLat, kLon, {"blackwork"});
    a.mutable_location()->set_city(i < 4 ? "Kyoto" : "Kiev");
    a.mutable_studio()->set_name(i < 3 ? "Vulcan" : "Vesper");
    batch.Upsert(a);
  }
  // 40 artist names and nothing else that begins "zed".
  for (int i = 0; i < 40; ++i) {
    batch.Upsert(MakeArtist(absl::StrCat("z", i), absl::StrFormat("Zed %02d", i), kLat, kLon,
                            {"blackwork"}));
  }
  Apply(batch);
  auto global = [&](const std::string& prefix, int limit) {
    SuggestRequest q;
    q.prefix = prefix;
    q.limit = limit;
    auto r = index_->Suggest(q);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    for (const Suggestion& s : r.ok() ? *r : std::vector<Suggestion>{}) {
      out.push_back(absl::StrCat(SuggestionKindName(s.kind), ":", s.text, "/", s.count));
    }
    return out;
  };
  // (No style begins with k or v.)
  EXPECT_EQ(global("k", 3), (std::vector<std::string>{"city:Kyoto, GB/4", "city:Kiev, GB/2",
                                                      "city:Ka Cruz 000, GB/1"}));
  EXPECT_EQ(global("v", 3), (std::vector<std::string>{"studio:Vesper/3", "studio:Vulcan/3",
                                                      "studio:Va Ink 000/1"}));
  const std::vector<std::string> zed = global("zed", 50);
  ASSERT_EQ(zed.size(), 40u);
  EXPECT_EQ(zed.front(), "artist:Zed 00/1");
  EXPECT_EQ(zed.back(), "artist:Zed 39/1");
}

}  // namespace
}  // namespace inkdex
