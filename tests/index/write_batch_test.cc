// WriteBatch (inkdex/index.h): the changes and metadata a commit carries.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::testing::ElementsAre;
using ::testing::Pair;

// Every field of every kind of change survives Append: a caller that merges
// batches (inkdex-server's group commit) must not turn a stream delete into
// a numeric one, or drop a delete's source rank.
TEST(WriteBatchTest, AppendCopiesEveryChangeWholeAfterItsOwn) {
  WriteBatch mine;
  mine.Delete("first", 3);
  mine.PutMetadata("k1", "v1");

  WriteBatch other;
  Artist a = MakeArtist("up", "Upserted", 53.8, -1.55, {"fineline"}, /*version=*/0);
  a.set_stream_sequence("000000000000000000123");
  a.set_source_rank(2);
  other.Upsert(a);
  other.Delete("numeric", 7);
  other.DeleteAtStreamSequence("streamed", "456", /*source_rank=*/3);
  other.PutMetadata("k2", "v2");
  other.PutMetadata("k1", "");

  mine.Append(other);
  ASSERT_EQ(mine.size(), 4u);
  const std::vector<Change>& c = mine.changes();
  EXPECT_EQ(c[0].kind, Change::Kind::kDelete);
  EXPECT_EQ(c[0].id, "first");
  EXPECT_EQ(c[0].version, 3u);

  EXPECT_EQ(c[1].kind, Change::Kind::kUpsert);
  EXPECT_EQ(c[1].artist.SerializeAsString(), a.SerializeAsString());

  EXPECT_EQ(c[2].kind, Change::Kind::kDelete);
  EXPECT_EQ(c[2].id, "numeric");
  EXPECT_EQ(c[2].version, 7u);
  EXPECT_EQ(c[2].stream_sequence, "");
  EXPECT_EQ(c[2].source_rank, 0u);

  EXPECT_EQ(c[3].kind, Change::Kind::kDelete);
  EXPECT_EQ(c[3].id, "streamed");
  EXPECT_EQ(c[3].stream_sequence, "456");
  EXPECT_EQ(c[3].source_rank, 3u);

  EXPECT_THAT(mine.metadata(), ElementsAre(Pair("k1", "v1"), Pair("k2", "v2"), Pair("k1", "")));
  // `other` is unchanged.
  EXPECT_EQ(other.size(), 3u);
  EXPECT_EQ(other.changes()[2].stream_sequence, "456");
}

TEST(WriteBatchTest, AppendingAnEmptyBatchOrToAnEmptyBatch) {
  WriteBatch empty, one;
  one.DeleteAtStreamSequence("x", "9", 1);
  WriteBatch target;
  target.Append(empty);
  EXPECT_TRUE(target.empty());
  target.Append(one);
  ASSERT_EQ(target.size(), 1u);
  EXPECT_EQ(target.changes()[0].stream_sequence, "9");
  EXPECT_EQ(target.changes()[0].source_rank, 1u);
}

TEST(WriteBatchTest, AppendingABatchToItselfDoublesIt) {
  WriteBatch batch;
  for (int i = 0; i < 20; ++i) batch.DeleteAtStreamSequence(absl::StrCat("id", i), "9", 2);
  batch.PutMetadata("k", "v");
  batch.Append(batch);
  ASSERT_EQ(batch.size(), 40u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(batch.changes()[i].id, absl::StrCat("id", i % 20));
    EXPECT_EQ(batch.changes()[i].stream_sequence, "9");
    EXPECT_EQ(batch.changes()[i].source_rank, 2u);
  }
  EXPECT_THAT(batch.metadata(), ElementsAre(Pair("k", "v"), Pair("k", "v")));
}

}  // namespace
}  // namespace inkdex
