// The conversions against a real index: prepared writes applied by
// Index::Apply and merged back, a search made through the wire form equal
// to the direct one, style counts.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/index.h"

namespace inkdex::api {
namespace {

using ::testing::ElementsAre;

class IndexConvertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/inkdex_service_api_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    IndexOptions options;
    options.sync = false;
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir_ + "/index", options);
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = std::move(*index);
  }
  void TearDown() override {
    index_.reset();
    std::filesystem::remove_all(dir_);
  }

  v1::WriteArtistsResponse Write(const absl::StatusOr<PreparedWrite>& prepared) {
    EXPECT_TRUE(prepared.ok()) << prepared.status();
    absl::StatusOr<std::vector<ChangeResult>> results = index_->Apply(prepared->batch);
    EXPECT_TRUE(results.ok()) << results.status();
    return WriteResultsToProto(*prepared, *results, index_->Stats().commit_seq);
  }

  std::string dir_;
  std::unique_ptr<Index> index_;
};

Artist MakeArtist(const std::string& id, uint64_t version, double lat, double lon) {
  Artist a;
  a.set_id(id);
  a.set_name("Artist " + id);
  a.mutable_location()->set_latitude(lat);
  a.mutable_location()->set_longitude(lon);
  a.mutable_location()->set_city("Leeds");
  a.set_is_active(true);
  a.set_version(version);
  return a;
}

std::vector<std::string> Outcomes(const v1::WriteArtistsResponse& response) {
  std::vector<std::string> out;
  for (const v1::WriteResult& r : response.results()) {
    out.push_back(v1::WriteResult::Outcome_Name(r.outcome()) + " " + r.reason());
  }
  return out;
}

TEST_F(IndexConvertTest, UpsertDeleteAndSearchThroughTheWireForm) {
  v1::UpsertArtistsRequest upserts;
  Artist a = MakeArtist("a", 1, 53.80, -1.55);
  a.add_styles("Fine-Line");
  a.add_styles("dragonz");
  *upserts.add_artists() = a;
  *upserts.add_artists() = MakeArtist("bad", 1, 123, 0);
  Artist b = MakeArtist("b", 2, 53.81, -1.56);
  b.add_styles("irezumi");
  *upserts.add_artists() = b;

  const v1::WriteArtistsResponse first = Write(PrepareUpserts(upserts, index_->taxonomy()));
  EXPECT_THAT(Outcomes(first),
              ElementsAre("OUTCOME_APPLIED unknown styles: dragonz",
                          "OUTCOME_REJECTED artists[1].location.latitude: must be a number in "
                          "[-90, 90], got 123",
                          "OUTCOME_APPLIED "));
  EXPECT_EQ(first.commit_seq(), index_->Stats().commit_seq);

  absl::StatusOr<Artist> stored = index_->Get("a");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_THAT(stored->styles(), ElementsAre("fineline"));
  EXPECT_THAT(stored->unknown_styles(), ElementsAre("dragonz"));

  const v1::WriteArtistsResponse again = Write(PrepareUpserts(upserts, index_->taxonomy()));
  EXPECT_THAT(again.results(0).outcome(), v1::WriteResult::OUTCOME_STALE);
  EXPECT_THAT(again.results(2).outcome(), v1::WriteResult::OUTCOME_STALE);

  SearchRequest q;
  q.point = GeoPoint{53.8, -1.55};
  q.radius_km = 50;
  q.explain = true;
  absl::StatusOr<SearchRequest> wire_q = FromProto(ToProto(q));
  ASSERT_TRUE(wire_q.ok()) << wire_q.status();
  absl::StatusOr<SearchResponse> direct = index_->Search(q);
  absl::StatusOr<SearchResponse> via_wire = index_->Search(*wire_q);
  ASSERT_TRUE(direct.ok()) << direct.status();
  ASSERT_TRUE(via_wire.ok()) << via_wire.status();
  const SearchResponse client_view = FromProto(ToProto(*via_wire));
  EXPECT_EQ(client_view.total, 2);
  EXPECT_EQ(client_view.total, direct->total);
  ASSERT_EQ(client_view.hits.size(), direct->hits.size());
  for (size_t i = 0; i < direct->hits.size(); ++i) {
    EXPECT_EQ(client_view.hits[i].id, direct->hits[i].id);
    EXPECT_EQ(client_view.hits[i].distance_km, direct->hits[i].distance_km);
    EXPECT_EQ(client_view.hits[i].score, direct->hits[i].score);
    EXPECT_EQ(client_view.hits[i].explanation.quality_raw, direct->hits[i].explanation.quality_raw);
  }

  const v1::ListStylesResponse styles =
      StylesToProto(index_->taxonomy(), index_->StyleCounts(), index_->Stats().commit_seq);
  for (const v1::Style& style : styles.styles()) {
    const int64_t expected = style.id() == "fineline" || style.id() == "japanese" ? 1 : 0;
    EXPECT_EQ(style.artist_count(), expected) << style.id();
  }

  v1::DeleteArtistsRequest deletes;
  v1::ArtistDeletion* d = deletes.add_deletions();
  d->set_id("a");
  d->set_version(5);
  const v1::WriteArtistsResponse deleted = Write(PrepareDeletes(deletes));
  EXPECT_THAT(Outcomes(deleted), ElementsAre("OUTCOME_APPLIED "));
  EXPECT_EQ(index_->Get("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(StatsToProto(index_->Stats()).documents(), 1u);
}

}  // namespace
}  // namespace inkdex::api
