// LoadTable against a fake DynamoDB endpoint that serves a table in pages
// over several segments: every artist applied, sorted by location across
// pages and segments; other items counted; bad artist items reported; a
// window smaller than the table.
#include "stream/table_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "aws/aws_test_util.h"
#include "dynamodb_client/dynamodb_test_util.h"
#include "index/test_util.h"
#include "stream/record_mapper.h"

namespace inkdex::stream {
namespace {

using aws::testing::RecordedRequest;
using aws::testing::TestHttpServer;
using nlohmann::json;

constexpr int kSegments = 2;
constexpr size_t kPage = 4;

json ArtistItem(const std::string& id, double lat, double lon) {
  return json{{"PK", {{"S", "ARTIST#" + id}}},
              {"SK", {{"S", "METADATA"}}},
              {"artistId", {{"S", id}}},
              {"artistName", {{"S", "Artist " + id}}},
              {"latitude", {{"N", absl::StrCat(lat)}}},
              {"longitude", {{"N", absl::StrCat(lon)}}},
              {"styles", {{"L", {{{"S", "blackwork"}}}}}}};
}

// A table: per segment, its items in scan order.
struct FakeTable {
  std::vector<std::vector<json>> segments{kSegments};
  size_t artists = 0;
};

// 30 artists per segment at scattered places, a studio item in segment 0
// and an artist item without a latitude in segment 1.
FakeTable MakeTable() {
  FakeTable t;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> lat(-60, 70), lon(-180, 180);
  for (int s = 0; s < kSegments; ++s) {
    for (int i = 0; i < 30; ++i) {
      if (s == 0 && i == 5) {
        t.segments[s].push_back({{"PK", {{"S", "STUDIO#s1"}}}, {"SK", {{"S", "PROFILE"}}}});
      }
      if (s == 1 && i == 9) {
        json no_latitude = ArtistItem("broken", 0, 0);
        no_latitude.erase("latitude");
        t.segments[s].push_back(std::move(no_latitude));
      }
      t.segments[s].push_back(ArtistItem(absl::StrCat("s", s, "-", i), lat(rng), lon(rng)));
      ++t.artists;
    }
  }
  return t;
}

class TableLoaderTest : public dynamodb::testing::FakeEndpointTest<dynamodb::DynamoDbClient> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir_.path());
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = *std::move(index);
  }

  absl::StatusOr<TableLoadTally> Load(TableLoadOptions options) {
    TestHttpServer server([this](const RecordedRequest& r) {
      return dynamodb::testing::ServeScanPage(table_.segments, kPage, r);
    });
    options.table = "directory";
    options.segments = kSegments;
    options.on_reject = [this](const std::string& id, const std::string& reason) {
      rejects_.push_back(absl::StrCat(id, ": ", reason));
    };
    auto client = Client(server.base_url());
    return LoadTable(*client, mapper_, *index_, options);
  }

  FakeTable table_ = MakeTable();
  RecordMapper mapper_{ItemMapping::Default(),
                       std::make_shared<const StyleTaxonomy>(StyleTaxonomy::Default().value())};
  inkdex::testing::TempDir dir_;
  std::unique_ptr<Index> index_;
  std::vector<std::string> rejects_;
};

TEST_F(TableLoaderTest, AppliesEveryArtistSortedByLocationAcrossPagesAndSegments) {
  TableLoadOptions options;
  options.batch_size = 7;  // Index::Apply alone sorts only within a batch
  absl::StatusOr<TableLoadTally> tally = Load(options);
  ASSERT_TRUE(tally.ok()) << tally.status();
  EXPECT_EQ(tally->artists, table_.artists);
  EXPECT_EQ(tally->items, table_.artists + 2);
  EXPECT_EQ(tally->pages, 16u);  // 31 items per segment, 4 a page
  EXPECT_EQ(tally->rejected, 1u);
  ASSERT_EQ(rejects_.size(), 1u);
  EXPECT_EQ(rejects_[0], "broken: latitude: missing");
  EXPECT_EQ(index_->Stats().searchable, table_.artists);
  const std::vector<uint64_t> cells = inkdex::testing::CellsInSlotOrder(*index_, dir_.path());
  ASSERT_EQ(cells.size(), table_.artists);
  EXPECT_TRUE(std::is_sorted(cells.begin(), cells.end()));
}

TEST_F(TableLoaderTest, AWindowSmallerThanTheTableStillAppliesEverything) {
  TableLoadOptions options;
  options.order_window = 7;
  options.batch_size = 3;
  absl::StatusOr<TableLoadTally> tally = Load(options);
  ASSERT_TRUE(tally.ok()) << tally.status();
  EXPECT_EQ(tally->artists, table_.artists);
  EXPECT_EQ(tally->rejected, 1u);
  EXPECT_EQ(index_->Stats().searchable, table_.artists);
  for (const std::vector<json>& segment : table_.segments) {
    for (const json& item : segment) {
      if (!item.contains("artistId") || !item.contains("latitude")) continue;
      EXPECT_TRUE(index_->Get(item["artistId"]["S"], false).ok()) << item["artistId"];
    }
  }
}

// A scan that reads both items of an artist (an older PROFILE beside its
// METADATA) serves METADATA and keeps PROFILE's image: when the stream then
// brings METADATA's REMOVE, the artist falls back to the scanned PROFILE.
TEST_F(TableLoaderTest, BothItemsOfAnArtistAreKeptForAMetadataRemove) {
  json metadata = ArtistItem("dup", 51.5, -0.1);
  metadata["artistName"] = {{"S", "Metadata Name"}};
  json profile = ArtistItem("dup", 53.8, -1.55);
  profile["SK"] = {{"S", "PROFILE"}};
  profile["artistName"] = {{"S", "Profile Name"}};
  table_.segments[0].push_back(metadata);
  table_.segments[1].insert(table_.segments[1].begin(), profile);
  absl::StatusOr<TableLoadTally> tally = Load({});
  ASSERT_TRUE(tally.ok()) << tally.status();
  EXPECT_EQ(index_->Get("dup", false)->name(), "Metadata Name");
  EXPECT_EQ(index_->Stats().item_states, 1u);

  dynamodb::StreamRecord remove;
  remove.event_name = "REMOVE";
  remove.sequence_number = "100";
  remove.keys = json{{"PK", metadata["PK"]}, {"SK", metadata["SK"]}};
  remove.old_image = metadata;
  WriteBatch batch;
  AddToBatch(mapper_.Map(remove), &batch);
  ASSERT_EQ(batch.size(), 1u);
  absl::StatusOr<std::vector<ChangeResult>> applied = index_->Apply(batch);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ((*applied)[0].outcome, ChangeResult::Outcome::kApplied) << (*applied)[0].reason;
  absl::StatusOr<Artist> artist = index_->Get("dup", false);
  ASSERT_TRUE(artist.ok()) << artist.status();
  EXPECT_EQ(artist->name(), "Profile Name");
  EXPECT_EQ(artist->source_rank(), 2u);
  absl::StatusOr<VerifyReport> report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

}  // namespace
}  // namespace inkdex::stream
