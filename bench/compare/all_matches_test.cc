// AllMatchIds past the paging limit, on a real index of 12,000 synthetic
// artists (more than SearchRequest::kMaxDepth match the queries below).
#include "all_matches.h"

#include <unistd.h>
#include <algorithm>

#include <filesystem>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "compare/match_geometry.h"
#include "compare/workload_artists.h"
#include "gtest/gtest.h"
#include "inkdex_peer.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

constexpr uint64_t kArtists = 12000;

// Opted-out and inactive artists are never found.
bool Searchable(const Artist& a) { return !a.opted_out() && (!a.has_is_active() || a.is_active()); }

class AllMatchesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One directory per process: CTest runs each test in its own process, in parallel.
    dir_ = new std::string(::testing::TempDir() + "/all_matches_test_index." +
                           std::to_string(::getpid()));
    std::filesystem::remove_all(*dir_);
    absl::StatusOr<std::vector<Artist>> artists = GenerateArtists(kArtists);
    ASSERT_TRUE(artists.ok()) << artists.status();
    artists_ = new std::vector<Artist>(std::move(*artists));
    ASSERT_TRUE(InkdexPeer().Build(*artists_, *dir_).ok());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete artists_;
    delete dir_;
  }

  void SetUp() override { ASSERT_TRUE(peer_.Open(*dir_).ok()); }

  static SearchRequest Base() {
    SearchRequest r;
    r.date = kDataDay;
    r.facets = false;
    return r;
  }

  static std::string* dir_;
  static std::vector<Artist>* artists_;
  InkdexPeer peer_;
};

std::string* AllMatchesTest::dir_ = nullptr;
std::vector<Artist>* AllMatchesTest::artists_ = nullptr;

TEST_F(AllMatchesTest, NearestWorldwideIsEveryArtistOnce) {
  SearchRequest r = Base();
  r.point = GeoPoint{51.5, -0.1};
  r.sort = SortOrder::kDistance;
  absl::StatusOr<PeerAnswer> a = peer_.Search(r, /*collect_ids=*/true);
  ASSERT_TRUE(a.ok()) << a.status();
  const int64_t searchable = std::count_if(artists_->begin(), artists_->end(), Searchable);
  ASSERT_GT(searchable, SearchRequest::kMaxDepth);
  EXPECT_EQ(a->total, searchable);
  const absl::flat_hash_set<std::string> ids(a->all_ids.begin(), a->all_ids.end());
  EXPECT_EQ(static_cast<int64_t>(ids.size()), searchable);
  for (const Artist& artist : *artists_) {
    EXPECT_EQ(ids.contains(artist.id()), Searchable(artist)) << artist.id();
  }
}

TEST_F(AllMatchesTest, ARadiusPastTheLimitEqualsTheRecordsWithin) {
  const GeoPoint london{51.5, -0.1};
  std::vector<double> distances;
  for (const Artist& artist : *artists_) {
    distances.push_back(Searchable(artist) ? NearestActiveKm(LocationsOf(artist), london, kDataDay)
                                           : std::numeric_limits<double>::infinity());
  }
  std::vector<double> sorted = distances;
  std::sort(sorted.begin(), sorted.end());
  // A radius between the 11,000th and 11,001st nearest artist.
  const double radius = (sorted[10999] + sorted[11000]) / 2;
  ASSERT_LT(sorted[10999], sorted[11000]);
  SearchRequest r = Base();
  r.point = london;
  r.radius_km = radius;
  absl::StatusOr<PeerAnswer> a = peer_.Search(r, /*collect_ids=*/true);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->total, 11000);
  const absl::flat_hash_set<std::string> ids(a->all_ids.begin(), a->all_ids.end());
  EXPECT_EQ(ids.size(), 11000u);
  for (size_t i = 0; i < artists_->size(); ++i) {
    EXPECT_EQ(ids.contains((*artists_)[i].id()), distances[i] <= radius) << (*artists_)[i].id();
  }
}

TEST_F(AllMatchesTest, AWrongTotalIsRefused) {
  SearchRequest r = Base();
  r.point = GeoPoint{51.5, -0.1};
  absl::StatusOr<std::vector<std::string>> ids = AllMatchIds(peer_.index(), r, kArtists + 1);
  EXPECT_EQ(ids.status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace inkdex::bench
