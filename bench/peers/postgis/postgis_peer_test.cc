// Starts a private cluster (scripts/bench-postgres.sh) in a temporary
// directory, loads a few thousand synthetic artists into the PostGIS peer and
// into an inkdex index, and checks that the peer answers the benchmark's
// query classes as inkdex does: totals, every id, pages, facets.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "inkdex/index.h"
#include "inkdex/record.h"
#include "postgis_peer.h"
#include "query_set.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

// INKDEX_PG_TEST_ARTISTS / INKDEX_PG_TEST_QUERIES run the same checks at a
// benchmark's size (e.g. 100000 and 500) by hand.
uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}
const uint64_t kArtists = EnvOr("INKDEX_PG_TEST_ARTISTS", 3000);
const size_t kQueries = EnvOr("INKDEX_PG_TEST_QUERIES", 25);

std::string RunScript(const std::string& args) {
  const std::string cmd =
      absl::StrCat(INKDEX_SOURCE_DIR, "/scripts/bench-postgres.sh ", args, " 2>&1");
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  pclose(p);
  return std::string(absl::StripTrailingAsciiWhitespace(out));
}

class PostgisPeerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/inkdex-pg-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    // The cluster runs as the postgres user, who must reach DIR/pg.
    std::filesystem::permissions(tmpl, std::filesystem::perms::owner_all |
                                           std::filesystem::perms::group_exec |
                                           std::filesystem::perms::others_exec);
    dir_ = new std::string(tmpl);
    const std::string dsn = RunScript(absl::StrCat("start ", *dir_, "/pg"));
    ASSERT_TRUE(dsn.starts_with("host=")) << dsn;
    absl::StatusOr<RecordLines> lines = GenerateRecordLines(kArtists);
    ASSERT_TRUE(lines.ok()) << lines.status();
    BuildTimings timings;
    ASSERT_TRUE(BuildIndexFromLines(*dir_ + "/inkdex", lines->lines, &timings).ok());
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(*dir_ + "/inkdex");
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = index->release();
    std::vector<Artist> artists;
    for (size_t i = 0; i < lines->lines.size(); ++i) {
      absl::StatusOr<ParsedRecord> r =
          ParseArtistRecord(lines->lines[i], index_->taxonomy(), RecordFormat::kJson);
      ASSERT_TRUE(r.ok()) << r.status();
      r->artist.set_version(i + 1);
      artists.push_back(std::move(r->artist));
    }
    peer_ = MakePostgisPeerWithDsn(dsn).release();
    const absl::Status built = peer_->Build(artists, *dir_ + "/peer");
    ASSERT_TRUE(built.ok()) << built;
  }

  static void TearDownTestSuite() {
    delete peer_;
    delete index_;
    if (dir_ != nullptr) {
      RunScript(absl::StrCat("stop ", *dir_, "/pg"));
      std::error_code ec;
      std::filesystem::remove_all(*dir_, ec);
      delete dir_;
    }
  }

  void SetUp() override {
    if (peer_ == nullptr || index_ == nullptr)
      GTEST_FAIL() << "suite setup failed (see the first test's output)";
  }

  // Every id inkdex matches, paging through. REQUIRES: at most
  // SearchRequest::kMaxDepth of them (inkdex refuses to page deeper).
  static std::set<std::string> InkdexIds(SearchRequest r) {
    std::set<std::string> ids;
    r.limit = SearchRequest::kMaxLimit;
    r.facets = false;
    for (;;) {
      absl::StatusOr<SearchResponse> page = index_->Search(r);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const SearchHit& h : page->hits) ids.insert(h.id);
      if (page->next_page_token.empty()) break;
      r.page_token = page->next_page_token;
    }
    return ids;
  }

  static void ExpectSameFacetValues(const std::vector<FacetValue>& want,
                                    const std::vector<FacetValue>& got, const std::string& what) {
    ASSERT_EQ(want.size(), got.size()) << what;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(want[i].value, got[i].value) << what << " " << i;
      EXPECT_EQ(want[i].label, got[i].label) << what << " " << i;
      EXPECT_EQ(want[i].count, got[i].count) << what << " " << want[i].value;
    }
  }

  // Same total, same set of ids, same facets; the same page in order, or
  // (`page_as_set`) the same page members. Returns the total.
  static int64_t ExpectSameAnswer(const SearchRequest& r, bool page_as_set) {
    absl::StatusOr<SearchResponse> want = index_->Search(r);
    EXPECT_TRUE(want.ok()) << want.status();
    absl::StatusOr<PeerAnswer> got = peer_->Search(r, /*collect_ids=*/true);
    EXPECT_TRUE(got.ok()) << got.status();
    if (!want.ok() || !got.ok()) return 0;
    EXPECT_EQ(want->total, got->total);
    EXPECT_EQ(got->total, static_cast<int64_t>(got->all_ids.size()));
    if (want->total <= SearchRequest::kMaxDepth) {
      EXPECT_EQ(InkdexIds(r), std::set<std::string>(got->all_ids.begin(), got->all_ids.end()));
    }
    std::vector<std::string> page;
    for (const SearchHit& h : want->hits) page.push_back(h.id);
    if (page_as_set) {
      EXPECT_EQ(std::set<std::string>(page.begin(), page.end()),
                std::set<std::string>(got->page_ids.begin(), got->page_ids.end()));
    } else {
      EXPECT_EQ(page, got->page_ids);
    }
    // Timing calls (collect_ids = false) return the same total and page.
    absl::StatusOr<PeerAnswer> timed = peer_->Search(r, /*collect_ids=*/false);
    EXPECT_TRUE(timed.ok()) << timed.status();
    if (!timed.ok()) return 0;
    EXPECT_EQ(got->total, timed->total);
    EXPECT_EQ(got->page_ids, timed->page_ids);
    EXPECT_TRUE(timed->all_ids.empty());
    if (!r.facets) return got->total;
    ExpectSameFacetValues(want->facets.styles, got->facets.styles, "styles");
    ExpectSameFacetValues(want->facets.distance_rings, got->facets.distance_rings, "rings");
    ExpectSameFacetValues(want->facets.hourly_rate_bands, got->facets.hourly_rate_bands, "rates");
    ExpectSameFacetValues(want->facets.rating_bands, got->facets.rating_bands, "ratings");
    ExpectSameFacetValues(want->facets.cities, got->facets.cities, "cities");
    return got->total;
  }

  static void CheckClass(QueryClass c, bool page_as_set = false) {
    int64_t matched = 0;
    for (BenchQuery& q : MakeQueries(c, kQueries)) {
      q.search.date = kDataDay;
      SCOPED_TRACE(QueryToJson(q));
      matched += ExpectSameAnswer(q.search, page_as_set);
    }
    EXPECT_GT(matched, 0) << "the class matched nothing: the check is vacuous";
  }

  static std::string* dir_;
  static Index* index_;
  static Peer* peer_;
};

std::string* PostgisPeerTest::dir_ = nullptr;
Index* PostgisPeerTest::index_ = nullptr;
Peer* PostgisPeerTest::peer_ = nullptr;

TEST_F(PostgisPeerTest, LocalRadiusWithStyle) { CheckClass(QueryClass::kLocal); }
TEST_F(PostgisPeerTest, TextNearPoint) { CheckClass(QueryClass::kText); }
TEST_F(PostgisPeerTest, Viewport) { CheckClass(QueryClass::kViewport); }
TEST_F(PostgisPeerTest, NearestOfOneStyle) { CheckClass(QueryClass::kNearest); }
TEST_F(PostgisPeerTest, WideRadius) { CheckClass(QueryClass::kWide); }

TEST_F(PostgisPeerTest, ViewportAcrossTheAntimeridian) {
  SearchRequest r;
  r.date = kDataDay;
  r.bbox = BoundingBox{-50, 160, 0, -170};  // New Zealand to Fiji and Samoa
  r.sort = SortOrder::kRating;
  EXPECT_GT(ExpectSameAnswer(r, false), 0);
}

TEST_F(PostgisPeerTest, TextAloneAndFiltersAndAllStyles) {
  SearchRequest r;
  r.date = kDataDay;
  // A word with few completions: inkdex expands a last-word prefix to its 64
  // most frequent completions only ("tattoo" has more, from instagram
  // handles), the peer to all of them (pg_text.h).
  r.text = "dragon";
  r.min_rating = 4.0;
  r.booking_open = true;
  EXPECT_GT(ExpectSameAnswer(r, false), 0);
  SearchRequest all;
  all.date = kDataDay;
  all.point = GeoPoint{51.5, -0.12};
  all.radius_km = 2000;
  all.styles = {"traditional", "blackwork"};
  all.style_match = StyleMatch::kAll;
  all.sort = SortOrder::kPriceAsc;
  EXPECT_GT(ExpectSameAnswer(all, false), 0);
}

TEST_F(PostgisPeerTest, SuggestCompletesThePrefix) {
  int nonempty = 0;
  for (const BenchQuery& q : MakeQueries(QueryClass::kSuggest, kQueries)) {
    SCOPED_TRACE(QueryToJson(q));
    absl::StatusOr<std::vector<Suggestion>> want = index_->Suggest(q.suggest);
    ASSERT_TRUE(want.ok()) << want.status();
    absl::StatusOr<std::vector<std::string>> got = peer_->Suggest(q.suggest);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(want->empty(), got->empty());
    EXPECT_LE(got->size(), static_cast<size_t>(q.suggest.limit));
    nonempty += !got->empty();
  }
  EXPECT_GT(nonempty, 0);
}

TEST_F(PostgisPeerTest, BadRequestsAreRefused) {
  SearchRequest r;
  r.styles = {"no-such-style"};
  EXPECT_EQ(peer_->Search(r, false).status().code(), absl::StatusCode::kInvalidArgument);
  SearchRequest phrase;
  phrase.text = "\"red dragon\"";
  EXPECT_EQ(peer_->Search(phrase, false).status().code(), absl::StatusCode::kUnimplemented);
}

TEST_F(PostgisPeerTest, ReportsServerMemoryAndDisk) {
  EXPECT_GT(PostgisServerResidentBytes(*dir_ + "/pg"), 1u << 20);
  // The peer finds its cluster itself (SHOW data_directory).
  EXPECT_GT(peer_->ServerResidentBytes(), 1u << 20);
  EXPECT_GT(peer_->DiskBytes(), kArtists * 100);
  EXPECT_EQ(PostgisServerResidentBytes(*dir_ + "/no-cluster"), 0u);
}

TEST_F(PostgisPeerTest, OpenReusesTheBuild) {
  const std::string dsn = RunScript(absl::StrCat("status ", *dir_, "/pg"));
  std::unique_ptr<Peer> again = MakePostgisPeerWithDsn(dsn);
  ASSERT_TRUE(again->Open(*dir_ + "/peer").ok());
  EXPECT_FALSE(again->Open(*dir_ + "/elsewhere").ok());
}

}  // namespace
}  // namespace inkdex::bench
