// The SQLite peer against the library: a few thousand synthetic artists in
// both, the benchmark's query classes, the same totals, ids, pages and
// facets.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "inkdex/index.h"
#include "inkdex/record.h"
#include "peers/peer.h"
#include "query_set.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

constexpr int kArtists = 3000;
constexpr int kQueriesPerClass = 40;

struct Answer {
  int64_t total = 0;
  std::vector<std::string> page;
  std::set<std::string> all;
  Facets facets;
};

class SqlitePeerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string((std::filesystem::temp_directory_path() /
                            ("inkdex_sqlite_peer_test_" + std::to_string(getpid())))
                               .string());
    std::filesystem::remove_all(*dir_);
    absl::StatusOr<RecordLines> lines = GenerateRecordLines(kArtists);
    ASSERT_TRUE(lines.ok()) << lines.status();
    absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
    ASSERT_TRUE(taxonomy.ok());
    artists_ = new std::vector<Artist>();
    for (size_t i = 0; i < lines->lines.size(); ++i) {
      absl::StatusOr<ParsedRecord> r =
          ParseArtistRecord(lines->lines[i], *taxonomy, RecordFormat::kJson);
      ASSERT_TRUE(r.ok()) << r.status();
      r->artist.set_version(i + 1);
      artists_->push_back(std::move(r->artist));
    }
    BuildTimings timings;
    ASSERT_TRUE(BuildIndexFromLines(*dir_ + "/inkdex", lines->lines, &timings).ok());
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(*dir_ + "/inkdex", {});
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = index->release();
    peer_ = MakeSqlitePeer().release();
    ASSERT_NE(peer_, nullptr);
    ASSERT_TRUE(peer_->Build(*artists_, *dir_ + "/sqlite").ok());
  }
  static void TearDownTestSuite() {
    delete peer_;
    delete index_;
    delete artists_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  // inkdex's answer, every match paged out.
  static Answer Inkdex(SearchRequest r) {
    Answer a;
    r.limit = SearchRequest::kMaxLimit;
    const int page_limit = 20;
    for (bool first = true;; first = false) {
      absl::StatusOr<SearchResponse> resp = index_->Search(r);
      EXPECT_TRUE(resp.ok()) << resp.status();
      if (!resp.ok()) return a;
      if (first) {
        a.total = resp->total;
        a.facets = resp->facets;
      }
      for (const SearchHit& h : resp->hits) {
        if (a.page.size() < page_limit && first) a.page.push_back(h.id);
        a.all.insert(h.id);
      }
      if (resp->next_page_token.empty()) return a;
      r.page_token = resp->next_page_token;
    }
  }

  static Answer SqliteAnswer(const SearchRequest& r) {
    Answer a;
    absl::StatusOr<PeerAnswer> p = peer_->Search(r, /*collect_ids=*/true);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return a;
    a.total = p->total;
    a.page = p->page_ids;
    a.all.insert(p->all_ids.begin(), p->all_ids.end());
    EXPECT_EQ(a.all.size(), p->all_ids.size()) << "duplicate ids";
    a.facets = p->facets;
    return a;
  }

  static void ExpectSameFacetValues(const std::vector<FacetValue>& want,
                                    const std::vector<FacetValue>& got, const char* what) {
    ASSERT_EQ(want.size(), got.size()) << what;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(want[i].value, got[i].value) << what << " #" << i;
      EXPECT_EQ(want[i].count, got[i].count) << what << " " << want[i].value;
    }
  }

  static void ExpectSame(const SearchRequest& r, const std::string& label) {
    SCOPED_TRACE(label);
    const Answer want = Inkdex(r);
    const Answer got = SqliteAnswer(r);
    EXPECT_EQ(want.total, got.total);
    EXPECT_EQ(want.all, got.all);
    EXPECT_EQ(want.page, got.page);
    ExpectSameFacetValues(want.facets.styles, got.facets.styles, "styles");
    ExpectSameFacetValues(want.facets.distance_rings, got.facets.distance_rings, "rings");
    ExpectSameFacetValues(want.facets.hourly_rate_bands, got.facets.hourly_rate_bands, "rates");
    ExpectSameFacetValues(want.facets.rating_bands, got.facets.rating_bands, "ratings");
    ExpectSameFacetValues(want.facets.cities, got.facets.cities, "cities");
  }

  static void ExpectClassMatches(QueryClass c) {
    int64_t matched = 0;
    for (const BenchQuery& q : MakeQueries(c, kQueriesPerClass)) {
      ExpectSame(q.search, QueryToJson(q));
      matched += peer_->Search(q.search, false)->total;
    }
    EXPECT_GT(matched, 0) << "the class matched nothing: a weak test";
  }

  static std::string* dir_;
  static std::vector<Artist>* artists_;
  static Index* index_;
  static Peer* peer_;
};

std::string* SqlitePeerTest::dir_ = nullptr;
std::vector<Artist>* SqlitePeerTest::artists_ = nullptr;
Index* SqlitePeerTest::index_ = nullptr;
Peer* SqlitePeerTest::peer_ = nullptr;

TEST_F(SqlitePeerTest, LocalMatchesInkdex) { ExpectClassMatches(QueryClass::kLocal); }
TEST_F(SqlitePeerTest, TextMatchesInkdex) { ExpectClassMatches(QueryClass::kText); }
TEST_F(SqlitePeerTest, ViewportMatchesInkdex) { ExpectClassMatches(QueryClass::kViewport); }
TEST_F(SqlitePeerTest, NearestMatchesInkdex) { ExpectClassMatches(QueryClass::kNearest); }
TEST_F(SqlitePeerTest, WideMatchesInkdex) { ExpectClassMatches(QueryClass::kWide); }

TEST_F(SqlitePeerTest, OtherShapesMatchInkdex) {
  const BenchQuery q1 = MakeQueries(QueryClass::kLocal, 1)[0];
  SearchRequest r = q1.search;
  r.radius_km = 300;
  r.styles = {"traditional", "japanese"};
  r.style_match = StyleMatch::kAll;
  ExpectSame(r, "all of two styles");
  r.style_match = StyleMatch::kAny;
  r.min_rating = 4.0;
  r.max_hourly_rate = 150;
  r.booking_open = true;
  r.min_years_active = 3;
  ExpectSame(r, "filters");
  for (SortOrder s :
       {SortOrder::kDistance, SortOrder::kRating, SortOrder::kPriceAsc, SortOrder::kPriceDesc}) {
    r.sort = s;
    ExpectSame(r, SortOrderName(s));
  }
  r = q1.search;
  r.radius_km = 200;
  r.text = "Dragons";
  ExpectSame(r, "one capitalised word, a prefix");
  r.text = "the rose";
  ExpectSame(r, "a stopword");
  r.radius_km = 20000;  // the whole world: hundreds of weighed text matches
  r.styles.clear();
  r.text = "dragon";
  ExpectSame(r, "many text matches");
  EXPECT_GT(Inkdex(r).total, 200);
  // A viewport across the antimeridian (Fiji to Samoa and New Zealand).
  SearchRequest wide;
  wide.date = kDataDay;
  wide.bbox = BoundingBox{-50, 160, 10, -160};
  wide.sort = SortOrder::kRating;
  ExpectSame(wide, "antimeridian viewport");
  EXPECT_GT(Inkdex(wide).total, 0) << "no artist across the antimeridian: a weak test";
  // And a radius across it.
  wide.bbox.reset();
  wide.point = GeoPoint{-20, 179.5};
  wide.radius_km = 2500;
  ExpectSame(wide, "antimeridian radius");
  EXPECT_GT(Inkdex(wide).total, 0) << "no artist across the antimeridian: a weak test";
}

TEST_F(SqlitePeerTest, GuestSpotsMatchOnlyWhileActive) {
  int active = 0, inactive = 0;
  for (const Artist& a : *artists_) {
    if (a.opted_out() || (a.has_is_active() && !a.is_active())) continue;  // never searchable
    for (const GuestSpot& g : a.guest_spots()) {
      const bool on =
          (g.from().empty() || g.from() <= kDataDay) && (g.to().empty() || g.to() >= kDataDay);
      if ((on ? active : inactive) >= 5) continue;
      SearchRequest r;
      r.date = kDataDay;
      r.point = GeoPoint{g.location().latitude(), g.location().longitude()};
      r.radius_km = 1;
      ExpectSame(r, absl::StrCat(a.id(), on ? " at an active" : " at an inactive", " guest spot"));
      absl::StatusOr<PeerAnswer> got = peer_->Search(r, /*collect_ids=*/true);
      ASSERT_TRUE(got.ok());
      const bool found = std::count(got->all_ids.begin(), got->all_ids.end(), a.id()) > 0;
      if (on) {
        EXPECT_TRUE(found) << a.id();
      }
      ++(on ? active : inactive);
    }
  }
  EXPECT_GT(active, 0) << "no active guest spot in the data: a weak test";
  EXPECT_GT(inactive, 0);
}

TEST_F(SqlitePeerTest, ReopensTheStore) {
  std::unique_ptr<Peer> reopened = MakeSqlitePeer();
  ASSERT_TRUE(reopened->Open(*dir_ + "/sqlite").ok());
  const BenchQuery q = MakeQueries(QueryClass::kWide, 1)[0];
  absl::StatusOr<PeerAnswer> a = reopened->Search(q.search, false);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->total, index_->Search(q.search)->total);
  EXPECT_GT(reopened->DiskBytes(), 0u);
  EXPECT_FALSE(MakeSqlitePeer()->Open(*dir_ + "/missing").ok());
}

TEST_F(SqlitePeerTest, RejectsBadInputLikeInkdex) {
  SearchRequest r;
  r.point = GeoPoint{95, 0};
  r.radius_km = 10;
  absl::StatusOr<PeerAnswer> a = peer_->Search(r, false);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("point.lat"), std::string::npos) << a.status();
  r.point = GeoPoint{0, 0};
  r.styles = {"no-such-style"};
  EXPECT_EQ(peer_->Search(r, false).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SqlitePeerTest, SuggestPutsStylesFirstAndCompletesNames) {
  SuggestRequest s;
  s.prefix = "jap";
  absl::StatusOr<std::vector<std::string>> got = peer_->Suggest(s);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_FALSE(got->empty());
  EXPECT_EQ((*got)[0], "Japanese");
  int same_first = 0, same_list = 0, queries = 0;
  for (const BenchQuery& q : MakeQueries(QueryClass::kSuggest, kQueriesPerClass)) {
    absl::StatusOr<std::vector<std::string>> mine = peer_->Suggest(q.suggest);
    absl::StatusOr<std::vector<Suggestion>> theirs = index_->Suggest(q.suggest);
    ASSERT_TRUE(mine.ok() && theirs.ok());
    EXPECT_LE(mine->size(), static_cast<size_t>(q.suggest.limit));
    EXPECT_EQ(mine->empty(), theirs->empty()) << QueryToJson(q);
    ++queries;
    same_first += !mine->empty() && !theirs->empty() && (*mine)[0] == (*theirs)[0].text;
    std::vector<std::string> texts;
    for (const Suggestion& t : *theirs) texts.push_back(t.text);
    same_list += texts == *mine;
  }
  // Not gated (the nearby budget differs, sqlite_peer.h), but mostly the same.
  EXPECT_GE(same_first * 10, queries * 7) << same_first << " of " << queries;
  RecordProperty("same_first", same_first);
  RecordProperty("same_list", same_list);
  std::cout << "suggest: same first " << same_first << ", same list " << same_list << " of "
            << queries << "\n";
}

}  // namespace
}  // namespace inkdex::bench
