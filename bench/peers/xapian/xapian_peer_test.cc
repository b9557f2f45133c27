// The plain Xapian peer against inkdex on the same synthetic artists: every
// benchmark query class (and variants with filters, sorts and styles) must
// give the same total, the same match ids, the same page and the same facets.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "inkdex/index.h"
#include "inkdex/record.h"
#include "peers/peer.h"
#include "query_set.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

constexpr uint64_t kArtists = 20000;
constexpr size_t kQueriesPerClass = 60;

std::string FacetString(const std::vector<FacetValue>& values) {
  std::string out;
  for (const FacetValue& v : values) out += v.value + "=" + std::to_string(v.count) + " ";
  return out;
}

// Every id inkdex matches, paged out.
std::vector<std::string> InkdexIds(const Index& index, SearchRequest r) {
  std::vector<std::string> ids;
  r.limit = SearchRequest::kMaxLimit;
  r.facets = false;
  for (;;) {
    absl::StatusOr<SearchResponse> page = index.Search(r);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return ids;
    for (const SearchHit& h : page->hits) ids.push_back(h.id);
    if (page->next_page_token.empty()) return ids;
    r.page_token = page->next_page_token;
  }
}

// Compares the peer with inkdex on `r`; returns the match count.
int64_t ExpectSameAnswer(const Index& index, Peer& peer, const SearchRequest& r,
                         const std::string& what) {
  SCOPED_TRACE(what);
  absl::StatusOr<SearchResponse> want = index.Search(r);
  EXPECT_TRUE(want.ok()) << want.status();
  absl::StatusOr<PeerAnswer> got = peer.Search(r, /*collect_ids=*/true);
  EXPECT_TRUE(got.ok()) << got.status();
  if (!want.ok() || !got.ok()) return 0;
  EXPECT_EQ(got->total, want->total);
  std::vector<std::string> want_page;
  for (const SearchHit& h : want->hits) want_page.push_back(h.id);
  EXPECT_EQ(got->page_ids, want_page);
  std::vector<std::string> want_all = InkdexIds(index, r);
  std::vector<std::string> got_all = got->all_ids;
  std::sort(want_all.begin(), want_all.end());
  std::sort(got_all.begin(), got_all.end());
  EXPECT_EQ(got_all, want_all);
  // The timed call (no ids) answers the same.
  absl::StatusOr<PeerAnswer> timed = peer.Search(r, /*collect_ids=*/false);
  EXPECT_TRUE(timed.ok() && timed->total == got->total && timed->page_ids == got->page_ids &&
              timed->all_ids.empty());
  if (r.facets) {
    const Facets& w = want->facets;
    const Facets& g = got->facets;
    EXPECT_EQ(FacetString(g.styles), FacetString(w.styles));
    EXPECT_EQ(FacetString(g.distance_rings), FacetString(w.distance_rings));
    EXPECT_EQ(FacetString(g.hourly_rate_bands), FacetString(w.hourly_rate_bands));
    EXPECT_EQ(FacetString(g.rating_bands), FacetString(w.rating_bands));
    EXPECT_EQ(FacetString(g.cities), FacetString(w.cities));
  }
  return want->total;
}

class XapianPeerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(std::filesystem::temp_directory_path() /
                            ("inkdex_xapian_peer_test_" + std::to_string(::getpid())));
    std::filesystem::remove_all(*root_);
    absl::StatusOr<RecordLines> lines = GenerateRecordLines(kArtists);
    ASSERT_TRUE(lines.ok()) << lines.status();
    BuildTimings timings;
    ASSERT_TRUE(BuildIndexFromLines(*root_ + "/inkdex", lines->lines, &timings).ok());
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(*root_ + "/inkdex");
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = index->release();
    absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
    ASSERT_TRUE(taxonomy.ok());
    std::vector<Artist> artists;
    for (std::string_view line : lines->lines) {
      absl::StatusOr<ParsedRecord> r = ParseArtistRecord(line, *taxonomy);
      ASSERT_TRUE(r.ok()) << r.status();
      artists.push_back(std::move(r->artist));
    }
    std::unique_ptr<Peer> peer = MakePlainXapianPeer();
    ASSERT_NE(peer, nullptr);
    ASSERT_TRUE(peer->Build(artists, *root_ + "/xapian").ok());
    peer_ = peer.release();
  }

  // Also after a SetUpTestSuite that failed part way.
  static void TearDownTestSuite() {
    delete peer_;
    delete index_;
    if (root_ != nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(*root_, ec);
      delete root_;
    }
  }

  static void ExpectClassMatches(QueryClass c) {
    int64_t matched = 0;
    int k = 0;
    for (const BenchQuery& q : MakeQueries(c, kQueriesPerClass)) {
      matched += ExpectSameAnswer(
          *index_, *peer_, q.search,
          std::string(QueryClassName(c)) + " #" + std::to_string(k++) + " " + QueryToJson(q));
    }
    EXPECT_GT(matched, 0) << "the class never matched anything: the comparison says nothing";
  }

  static std::string* root_;
  static Index* index_;
  static Peer* peer_;
};

std::string* XapianPeerTest::root_ = nullptr;
Index* XapianPeerTest::index_ = nullptr;
Peer* XapianPeerTest::peer_ = nullptr;

TEST_F(XapianPeerTest, Q1LocalMatchesInkdex) { ExpectClassMatches(QueryClass::kLocal); }
TEST_F(XapianPeerTest, Q2TextMatchesInkdex) { ExpectClassMatches(QueryClass::kText); }
TEST_F(XapianPeerTest, Q3ViewportMatchesInkdex) { ExpectClassMatches(QueryClass::kViewport); }
TEST_F(XapianPeerTest, Q4NearestMatchesInkdex) { ExpectClassMatches(QueryClass::kNearest); }
TEST_F(XapianPeerTest, Q6WideMatchesInkdex) { ExpectClassMatches(QueryClass::kWide); }

TEST_F(XapianPeerTest, NearestWithFacetsMatchesInkdex) {
  int k = 0;
  for (const BenchQuery& q : MakeQueries(QueryClass::kNearest, 8)) {
    SearchRequest r = q.search;
    r.facets = true;  // rings over every match, nearest active location's city
    ExpectSameAnswer(*index_, *peer_, r, "Q4 with facets #" + std::to_string(k++));
  }
}

TEST_F(XapianPeerTest, FiltersSortsAndStyleMatchMatchInkdex) {
  int k = 0;
  for (const BenchQuery& q : MakeQueries(QueryClass::kLocal, 15)) {
    SearchRequest r = q.search;
    r.radius_km = 100;
    const std::string name = "#" + std::to_string(k++);
    SearchRequest rated = r;
    rated.min_rating = 4.2;
    rated.sort = SortOrder::kRating;
    ExpectSameAnswer(*index_, *peer_, rated, name + " min_rating + sort rating");
    SearchRequest priced = r;
    priced.max_hourly_rate = 120;
    priced.booking_open = true;
    priced.sort = SortOrder::kPriceAsc;
    ExpectSameAnswer(*index_, *peer_, priced, name + " max_hourly_rate + booking_open + price_asc");
    SearchRequest veteran = r;
    veteran.min_years_active = 8;
    veteran.sort = SortOrder::kPriceDesc;
    ExpectSameAnswer(*index_, *peer_, veteran, name + " min_years_active + price_desc");
    SearchRequest both = r;
    both.styles = {"blackwork", "fine_line"};
    both.style_match = k % 2 == 0 ? StyleMatch::kAll : StyleMatch::kAny;
    ExpectSameAnswer(*index_, *peer_, both, name + " two styles");
    SearchRequest text = r;
    text.text = "rose";
    text.styles.clear();
    ExpectSameAnswer(*index_, *peer_, text, name + " text rose");
    SearchRequest distance = r;
    distance.sort = SortOrder::kDistance;
    ExpectSameAnswer(*index_, *peer_, distance, name + " sort distance");
  }
}

// Q2's texts over many more artists, so that relevance pages (which depend
// on Xapian's TF weight of the text) are compared over real competition.
TEST_F(XapianPeerTest, WideTextMatchesInkdex) {
  int64_t matched = 0;
  int k = 0;
  for (const BenchQuery& q : MakeQueries(QueryClass::kText, 30)) {
    SearchRequest wide = q.search;
    wide.radius_km = 2000;
    const std::string name = "#" + std::to_string(k++) + " " + wide.text;
    matched += ExpectSameAnswer(*index_, *peer_, wide, name + " within 2000 km");
    SearchRequest anywhere = q.search;
    anywhere.point.reset();
    anywhere.radius_km.reset();
    matched += ExpectSameAnswer(*index_, *peer_, anywhere, name + " anywhere");
  }
  EXPECT_GT(matched, 1000);
}

TEST_F(XapianPeerTest, AntimeridianViewportMatchesInkdex) {
  SearchRequest r;
  r.date = kDataDay;
  r.bbox = BoundingBox{-50, 170, -30, -170};  // New Zealand's side of the date line
  r.sort = SortOrder::kRating;
  ExpectSameAnswer(*index_, *peer_, r, "antimeridian viewport");
  r.bbox = BoundingBox{-60, 100, 10, 179.9};  // wide, to make sure the box does match
  EXPECT_GT(ExpectSameAnswer(*index_, *peer_, r, "wide viewport"), 0);
}

TEST_F(XapianPeerTest, RejectsBadRequests) {
  SearchRequest r;
  r.point = GeoPoint{51.5, -0.1};
  r.radius_km = 10;
  r.styles = {"no_such_style"};
  EXPECT_EQ(peer_->Search(r, false).status().code(), absl::StatusCode::kInvalidArgument);
  r.styles.clear();
  r.date = "2026-13-01";
  EXPECT_EQ(peer_->Search(r, false).status().code(), absl::StatusCode::kInvalidArgument);
  r.date = "2026-02-30";
  EXPECT_EQ(peer_->Search(r, false).status().code(), absl::StatusCode::kInvalidArgument);
  r.date = kDataDay;
  r.limit = 0;
  EXPECT_EQ(peer_->Search(r, false).status().code(), absl::StatusCode::kInvalidArgument);
  r.limit = 20;
  r.radius_km = -1;
  EXPECT_EQ(peer_->Search(r, false).status().code(), absl::StatusCode::kInvalidArgument);
  r.radius_km.reset();
  r.point = GeoPoint{91, 0};
  EXPECT_EQ(peer_->Search(r, false).status().code(), absl::StatusCode::kInvalidArgument);
  r.point.reset();
  r.bbox = BoundingBox{10, 0, 5, 1};  // south > north
  absl::Status inverted = peer_->Search(r, false).status();
  EXPECT_EQ(inverted.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(inverted.message().find("bbox"), std::string::npos);
}

TEST_F(XapianPeerTest, SuggestCompletesNamesAndCities) {
  for (const BenchQuery& q : MakeQueries(QueryClass::kSuggest, 10)) {
    absl::StatusOr<std::vector<std::string>> got = peer_->Suggest(q.suggest);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_LE(got->size(), static_cast<size_t>(q.suggest.limit));
  }
  SuggestRequest lon;
  lon.prefix = "Lon";
  lon.near = GeoPoint{51.5, -0.1};
  absl::StatusOr<std::vector<std::string>> got = peer_->Suggest(lon);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_NE(std::find(got->begin(), got->end(), "london, gb"), got->end());
}

// Hand-made artists whose answers depend on the query date: a guest spot
// counts only between its dates, the match is at the nearest active location
// (its city in the city facet), and unsearchable artists are never found.
class XapianPeerGuestSpotTest : public ::testing::Test {
 protected:
  static Artist MakeArtist(const std::string& id, double lat, double lon, const std::string& city,
                           const std::string& country) {
    Artist a;
    a.set_id(id);
    a.set_name("Artist " + id);
    a.set_version(1);
    a.set_is_active(true);
    a.add_styles("blackwork");
    a.mutable_location()->set_latitude(lat);
    a.mutable_location()->set_longitude(lon);
    a.mutable_location()->set_city(city);
    a.mutable_location()->set_country(country);
    return a;
  }
  static void AddGuestSpot(Artist* a, double lat, double lon, const std::string& city,
                           const std::string& country, const std::string& from,
                           const std::string& to) {
    GuestSpot* g = a->add_guest_spots();
    g->mutable_location()->set_latitude(lat);
    g->mutable_location()->set_longitude(lon);
    g->mutable_location()->set_city(city);
    g->mutable_location()->set_country(country);
    g->set_from(from);
    g->set_to(to);
  }

  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("inkdex_xapian_guest_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::vector<Artist> artists;
    Artist traveller = MakeArtist("traveller", 51.5074, -0.1278, "London", "GB");
    AddGuestSpot(&traveller, 48.8566, 2.3522, "Paris", "FR", "2026-12-01", "2026-12-10");
    artists.push_back(traveller);
    artists.push_back(MakeArtist("parisian", 48.86, 2.34, "Paris", "FR"));
    Artist hidden = MakeArtist("hidden", 48.85, 2.35, "Paris", "FR");
    hidden.set_opted_out(true);
    artists.push_back(hidden);
    Artist returned = MakeArtist("returned", 48.87, 2.36, "Paris", "FR");
    AddGuestSpot(&returned, 51.51, -0.12, "London", "GB", "", "2026-11-01");
    artists.push_back(returned);
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(root_ + "/inkdex");
    ASSERT_TRUE(index.ok()) << index.status();
    WriteBatch batch;
    for (const Artist& a : artists) batch.Upsert(a);
    ASSERT_TRUE((*index)->Apply(batch).ok());
    index_ = *std::move(index);
    peer_ = MakePlainXapianPeer();
    ASSERT_TRUE(peer_->Build(artists, root_ + "/xapian").ok());
  }
  void TearDown() override {
    index_.reset();
    peer_.reset();
    std::filesystem::remove_all(root_);
  }

  // The peer's ids for `r`, after checking them against inkdex.
  std::vector<std::string> Ids(const SearchRequest& r, const std::string& what) {
    ExpectSameAnswer(*index_, *peer_, r, what);
    absl::StatusOr<PeerAnswer> got = peer_->Search(r, /*collect_ids=*/false);
    return got.ok() ? got->page_ids : std::vector<std::string>{"error"};
  }

  std::string root_;
  std::unique_ptr<Index> index_;
  std::unique_ptr<Peer> peer_;
};

TEST_F(XapianPeerGuestSpotTest, GuestSpotsCountOnlyBetweenTheirDates) {
  SearchRequest paris;
  paris.point = GeoPoint{48.8566, 2.3522};
  paris.radius_km = 20;
  paris.date = "2026-11-29";
  EXPECT_EQ(Ids(paris, "Paris before the guest spot"),
            (std::vector<std::string>{"parisian", "returned"}));
  paris.date = "2026-12-05";
  EXPECT_EQ(Ids(paris, "Paris during the guest spot"),
            (std::vector<std::string>{"traveller", "parisian", "returned"}));
  absl::StatusOr<PeerAnswer> during = peer_->Search(paris, false);
  ASSERT_TRUE(during.ok());
  ASSERT_EQ(during->facets.cities.size(), 1u);
  EXPECT_EQ(during->facets.cities[0].value, "Paris, FR");  // the traveller's matched location
  EXPECT_EQ(during->facets.cities[0].count, 3);

  SearchRequest london;
  london.point = GeoPoint{51.5074, -0.1278};
  london.radius_km = 20;
  london.date = "2026-12-05";
  EXPECT_EQ(Ids(london, "London: the old guest spot has ended"),
            (std::vector<std::string>{"traveller"}));

  SearchRequest nearest;  // nearest-first from Paris: the traveller is away
  nearest.point = GeoPoint{48.8566, 2.3522};
  nearest.styles = {"blackwork"};
  nearest.facets = false;
  nearest.date = "2026-11-29";
  EXPECT_EQ(Ids(nearest, "nearest before"),
            (std::vector<std::string>{"parisian", "returned", "traveller"}));
  nearest.date = "2026-12-01";
  EXPECT_EQ(Ids(nearest, "nearest on the first day"),
            (std::vector<std::string>{"traveller", "parisian", "returned"}));

  SearchRequest view;
  view.bbox = BoundingBox{48.7, 2.2, 49.0, 2.5};
  view.date = "2026-12-10";
  view.sort = SortOrder::kRating;
  EXPECT_EQ(Ids(view, "viewport on the last day").size(), 3u);
  view.date = "2026-12-11";
  EXPECT_EQ(Ids(view, "viewport the day after").size(), 2u);
}

}  // namespace
}  // namespace inkdex::bench
