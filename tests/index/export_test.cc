// Index::ForEachArtist: every stored artist, as Get returns it, in id order,
// from one consistent view of the store (what `inkdex export` writes).
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::testing::ElementsAre;

using testing::kLeedsLat;
using testing::kLeedsLon;

class ForEachArtistTest : public testing::IndexDirTest {
 protected:
  void SetUp() override {
    IndexDirTest::SetUp();
    WriteBatch b;
    b.Upsert(MakeArtist("c-live", "Cara Live", kLeedsLat, kLeedsLon, {"blackwork"}, 3));
    b.Upsert(MakeArtist("a-live", "Amy Live", kLeedsLat, kLeedsLon, {"fineline"}, 7));
    Artist opted_out =
        MakeArtist("b-opted-out", "Bea Hidden", kLeedsLat, kLeedsLon, {"dotwork"}, 2);
    opted_out.set_opted_out(true);
    b.Upsert(opted_out);
    Artist streamed = MakeArtist("d-stream", "Dee Streamed", kLeedsLat, kLeedsLon, {"japanese"}, 0);
    streamed.set_stream_sequence("4100000000000000000123");
    b.Upsert(streamed);
    b.Upsert(MakeArtist("e-deleted", "Eve Gone", kLeedsLat, kLeedsLon, {"blackwork"}, 1));
    ASSERT_TRUE(index_->Apply(b).ok());
    WriteBatch d;
    d.Delete("e-deleted", 2);
    ASSERT_TRUE(index_->Apply(d).ok());
  }

  std::vector<Artist> All(bool include_hidden) {
    std::vector<Artist> out;
    absl::Status s = index_->ForEachArtist(
        [&](const Artist& a) {
          out.push_back(a);
          return absl::OkStatus();
        },
        include_hidden);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }
  static std::vector<std::string> Ids(const std::vector<Artist>& artists) {
    std::vector<std::string> ids;
    for (const Artist& a : artists) ids.push_back(a.id());
    return ids;
  }
};

TEST_F(ForEachArtistTest, YieldsStoredArtistsInIdOrderAsGetReturnsThem) {
  const std::vector<Artist> all = All(/*include_hidden=*/true);
  EXPECT_THAT(Ids(all), ElementsAre("a-live", "b-opted-out", "c-live", "d-stream"));
  for (const Artist& a : all) {
    absl::StatusOr<Artist> got = index_->Get(a.id(), /*include_hidden=*/true);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(a.SerializeAsString(), got->SerializeAsString()) << a.id();
  }
  EXPECT_EQ(all[0].version(), 7u);
  EXPECT_EQ(all[3].version(), 0u);
  EXPECT_EQ(all[3].stream_sequence(), "4100000000000000000123");
  EXPECT_THAT(Ids(All(/*include_hidden=*/false)), ElementsAre("a-live", "c-live", "d-stream"));
}

TEST_F(ForEachArtistTest, StopsAtTheCallersError) {
  int calls = 0;
  const absl::Status s = index_->ForEachArtist(
      [&](const Artist&) {
        return ++calls == 2 ? absl::DataLossError("disk full") : absl::OkStatus();
      },
      true);
  EXPECT_EQ(s, absl::DataLossError("disk full"));
  EXPECT_EQ(calls, 2);
}

TEST_F(ForEachArtistTest, SeesTheStoreAsItWasAtTheCall) {
  // More artists than the walk reads ahead (two batches of ~1,000), so that
  // most are read after the commit its callback makes at the first one.
  WriteBatch many;
  for (int i = 0; i < 3000; ++i) {
    many.Upsert(
        MakeArtist(absl::StrFormat("m-%04d", i), "Many", kLeedsLat, kLeedsLon, {"blackwork"}, 1));
  }
  ASSERT_TRUE(index_->Apply(many).ok());
  std::vector<std::string> seen;
  const absl::Status s = index_->ForEachArtist(
      [&](const Artist& a) {
        seen.push_back(a.id());
        if (seen.size() == 1) {
          WriteBatch b;
          b.Upsert(MakeArtist("n-new", "Nia New", kLeedsLat, kLeedsLon, {"blackwork"}, 1));
          b.Delete("m-2999", 2);
          b.Delete("c-live", 4);
          if (absl::StatusOr<std::vector<ChangeResult>> r = index_->Apply(b); !r.ok()) {
            return r.status();
          }
        }
        return absl::OkStatus();
      },
      true);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(seen.size(), 3004u);
  EXPECT_THAT(seen, ::testing::Contains("m-2999"));
  EXPECT_THAT(seen, ::testing::Contains("c-live"));
  EXPECT_THAT(seen, ::testing::Not(::testing::Contains("n-new")));
  // The next walk sees the commit.
  const std::vector<std::string> after = Ids(All(true));
  EXPECT_EQ(after.size(), 3003u);
  EXPECT_THAT(after, ::testing::Contains("n-new"));
  EXPECT_THAT(after, ::testing::Not(::testing::Contains("m-2999")));
}

TEST_F(ForEachArtistTest, AnEmptyIndexYieldsNothing) {
  testing::TempDir empty_dir;
  absl::StatusOr<std::unique_ptr<Index>> empty = Index::Open(empty_dir.path(), IndexOptions());
  ASSERT_TRUE(empty.ok()) << empty.status();
  int calls = 0;
  EXPECT_TRUE((*empty)
                  ->ForEachArtist(
                      [&](const Artist&) {
                        ++calls;
                        return absl::OkStatus();
                      },
                      true)
                  .ok());
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace inkdex
