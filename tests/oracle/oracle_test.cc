// The oracle test: 50,000 random artists, then updates, moves and deletes,
// then hundreds of random queries, each compared (total, every page, order,
// distances, facets) with a brute-force scan of the test's own copy of the
// artists (oracle_util.h).
#include <filesystem>
#include <memory>

#include <unistd.h>
#include "gtest/gtest.h"
#include "inkdex/index.h"
#include "oracle/oracle_check_util.h"
#include "oracle/oracle_util.h"

namespace inkdex::oracle {
namespace {

constexpr int kArtists = 50000;
constexpr int kBatch = 5000;
constexpr int kMaxFailingQueries = 10;  // stop early: one bug fails many queries

std::string ArtistId(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "a%06d", i);
  return buf;
}

class OracleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* base = std::getenv("TEST_TMPDIR");
    dir_ = new std::string(std::string(base ? base : "/tmp") + "/inkdex_oracle_" +
                           std::to_string(getpid()));
    std::filesystem::remove_all(*dir_);
    taxonomy_ = new StyleTaxonomy(*StyleTaxonomy::Default());
    gen_ = new ArtistGenerator(20260101, *taxonomy_);
    model_ = new OracleModel(*taxonomy_);
    IndexOptions options;
    options.sync = false;
    auto index = Index::Open(*dir_, options);
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = index->release();
    Populate();
  }

  static void TearDownTestSuite() {
    delete index_;
    delete model_;
    delete gen_;
    delete taxonomy_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  // Applies `batch` to the index and the model; the per-change outcomes
  // (applied or stale) must agree.
  static void Apply(const WriteBatch& batch) {
    absl::StatusOr<std::vector<ChangeResult>> results = index_->Apply(batch);
    ASSERT_TRUE(results.ok()) << results.status();
    ASSERT_EQ(results->size(), batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      const Change& c = batch.changes()[i];
      const bool applied = c.kind == Change::Kind::kUpsert ? model_->Upsert(c.artist)
                                                           : model_->Delete(c.id, c.version);
      const ChangeResult::Outcome want =
          applied ? ChangeResult::Outcome::kApplied : ChangeResult::Outcome::kStale;
      ASSERT_EQ((*results)[i].outcome, want) << "change " << i << ": " << (*results)[i].reason;
    }
  }

  static void Populate() {
    WriteBatch batch;
    auto flush = [&batch] {
      Apply(batch);
      batch.Clear();
    };
    for (int i = 0; i < kArtists; ++i) {
      batch.Upsert(gen_->Make(ArtistId(i), 1));
      if (batch.size() == kBatch) flush();
    }
    // Later batches land in the geo delta on top of the merged base.
    std::vector<std::string> deleted;
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 1000; ++i) {  // moves
        const std::string id = ArtistId(gen_->Int(0, kArtists - 1));
        if (const Artist* a = model_->Find(id))
          batch.Upsert(gen_->Moved(*a, 10 + round * 10 + gen_->Int(0, 5)));
      }
      flush();
      for (int i = 0; i < 500; ++i) {  // deletes, some of them repeated or stale
        const std::string id = ArtistId(gen_->Int(0, kArtists - 1));
        batch.Delete(id, 12 + round * 10);
        deleted.push_back(id);
      }
      flush();
      for (int i = 0; i < 300; ++i) {  // re-adds of deleted ids; replays of old versions
        const std::string& id = deleted[gen_->Int(0, static_cast<int>(deleted.size()) - 1)];
        batch.Upsert(gen_->Make(id, 13 + round * 10));
        batch.Upsert(gen_->Make(ArtistId(gen_->Int(0, kArtists - 1)), 1));  // stale
      }
      flush();
    }
    for (int i = 0; i < 300; ++i) {  // hide and unhide
      const std::string id = ArtistId(gen_->Int(0, kArtists - 1));
      if (const Artist* a = model_->Find(id)) {
        Artist b = *a;
        b.set_version(b.version() + 100);
        if (i % 2 == 0)
          b.set_opted_out(!b.opted_out());
        else
          b.set_is_active(!b.is_active());
        batch.Upsert(b);
      }
    }
    flush();
  }

  // Runs `n` random queries of `kind`; stops after a few failing ones.
  void RunQueries(QueryGenerator::Kind kind, int n) {
    QueryGenerator queries(*gen_, *model_, *taxonomy_);
    int failing = 0, nonempty = 0;
    for (int i = 0; i < n && failing < kMaxFailingQueries; ++i) {
      SCOPED_TRACE("query " + std::to_string(i));
      size_t matches = 0;
      if (!CheckAgainstOracle(*index_, *model_, queries.Make(kind), 3000, &matches)) ++failing;
      nonempty += matches > 0;
    }
    // Most queries must match something, or the comparison proves little.
    EXPECT_GE(nonempty, n / 2);
  }

  static std::string* dir_;
  static StyleTaxonomy* taxonomy_;
  static ArtistGenerator* gen_;
  static OracleModel* model_;
  static Index* index_;
};

std::string* OracleTest::dir_ = nullptr;
StyleTaxonomy* OracleTest::taxonomy_ = nullptr;
ArtistGenerator* OracleTest::gen_ = nullptr;
OracleModel* OracleTest::model_ = nullptr;
Index* OracleTest::index_ = nullptr;

TEST_F(OracleTest, StatsAndVerifyAgreeWithModel) {
  EXPECT_EQ(index_->Stats().searchable, model_->searchable());
  absl::StatusOr<VerifyReport> report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->documents_checked, model_->records());
  for (const std::string& id : {ArtistId(0), ArtistId(777), ArtistId(49999)}) {
    absl::StatusOr<Artist> got = index_->Get(id, /*include_hidden=*/true);
    const Artist* want = model_->Find(id);
    ASSERT_EQ(got.ok(), want != nullptr) << id;
    if (want != nullptr) {
      EXPECT_EQ(got->version(), want->version()) << id;
    }
  }
}

TEST_F(OracleTest, RadiusQueriesMatchBruteForce) { RunQueries(QueryGenerator::Kind::kRadius, 150); }

TEST_F(OracleTest, ViewportQueriesMatchBruteForce) {
  RunQueries(QueryGenerator::Kind::kViewport, 150);
}

TEST_F(OracleTest, NearestFirstQueriesMatchBruteForce) {
  RunQueries(QueryGenerator::Kind::kNearest, 80);
}

TEST_F(OracleTest, QueriesWithoutGeoMatchBruteForce) {
  RunQueries(QueryGenerator::Kind::kNoGeo, 40);
}

TEST_F(OracleTest, ViewportsAcrossTheAntimeridian) {
  // Fiji and Samoa straddle 180 degrees; boxes west > east cross it.
  int failing = 0;
  QueryGenerator queries(*gen_, *model_, *taxonomy_);
  for (int i = 0; i < 40 && failing < kMaxFailingQueries; ++i) {
    SearchRequest q = queries.Make(QueryGenerator::Kind::kNoGeo);
    const double w = gen_->Uniform(0.01, 8), e = gen_->Uniform(0.01, 8);
    q.bbox = BoundingBox{gen_->Uniform(-25, -15), 180 - w, gen_->Uniform(-14, -10), -180 + e};
    if (i % 4 == 0) q.bbox = BoundingBox{-30, 175, -10, -170};
    if (i % 4 == 1)
      q.bbox = BoundingBox{60, 170, 70, 180};  // east edge exactly on the antimeridian
    if (!CheckAgainstOracle(*index_, *model_, q)) ++failing;
  }
}

TEST_F(OracleTest, TextWordQueriesMatchBruteForce) {
  int failing = 0;
  QueryGenerator queries(*gen_, *model_, *taxonomy_);
  for (int i = 0; i < 30 && failing < kMaxFailingQueries; ++i) {
    SearchRequest q =
        queries.Make(i % 2 == 0 ? QueryGenerator::Kind::kRadius : QueryGenerator::Kind::kNoGeo);
    q.text = BioVocabulary()[i % BioVocabulary().size()];
    if (q.sort == SortOrder::kRelevance) q.sort = SortOrder::kRating;
    if (!CheckAgainstOracle(*index_, *model_, q, /*full_paging_limit=*/5000)) ++failing;
  }
}

TEST_F(OracleTest, SameResultsAfterReopen) {
  delete index_;
  index_ = nullptr;
  IndexOptions options;
  options.sync = false;
  auto index = Index::Open(*dir_, options);
  ASSERT_TRUE(index.ok()) << index.status();
  index_ = index->release();
  RunQueries(QueryGenerator::Kind::kRadius, 15);
  RunQueries(QueryGenerator::Kind::kNearest, 15);
}

// The documented semantics pinned on one artist: a nearest-first query
// matches at the nearest active location, whatever the sort, and reports
// that location's distance and city (hit and city facet).
TEST(NearestFirstMatchedLocation, GuestSpotNearerThanPrimary) {
  const std::string dir = "/tmp/inkdex_oracle_guest_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  {
    auto index = Index::Open(dir);
    ASSERT_TRUE(index.ok()) << index.status();
    Artist a;
    a.set_id("g1");
    a.set_name("Guest");
    a.set_version(1);
    a.set_is_active(true);
    a.mutable_location()->set_latitude(51.5074);  // London
    a.mutable_location()->set_longitude(-0.1278);
    a.mutable_location()->set_city("London");
    a.mutable_location()->set_country("GB");
    GuestSpot* g = a.add_guest_spots();
    g->mutable_location()->set_latitude(53.7997);  // Leeds
    g->mutable_location()->set_longitude(-1.5492);
    g->mutable_location()->set_city("Leeds");
    g->mutable_location()->set_country("GB");
    g->set_from("2026-12-01");
    g->set_to("2026-12-05");
    WriteBatch b;
    b.Upsert(a);
    ASSERT_TRUE((*index)->Apply(b).ok());
    for (SortOrder sort : {SortOrder::kDistance, SortOrder::kRating, SortOrder::kPriceAsc}) {
      SCOPED_TRACE(SortOrderName(sort));
      SearchRequest q;
      q.point = GeoPoint{53.7997, -1.5492};
      q.date = "2026-12-03";
      q.sort = sort;
      absl::StatusOr<SearchResponse> r = (*index)->Search(q);
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->hits.size(), 1u);
      EXPECT_NEAR(r->hits[0].distance_km, 0, 1e-9);
      EXPECT_EQ(r->hits[0].city, "Leeds");
      EXPECT_TRUE(r->hits[0].guest_spot);
      ASSERT_EQ(r->facets.cities.size(), 1u);
      EXPECT_EQ(r->facets.cities[0].value, "Leeds, GB");
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace inkdex::oracle
