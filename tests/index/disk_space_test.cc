#include "index/disk_space.h"

#include <cstdint>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kAll = std::numeric_limits<uint64_t>::max();

TEST(CheckFreeDiskSpaceTest, UnderTheReserveIsResourceExhaustedNamingTheVolume) {
  inkdex::testing::TempDir dir;
  EXPECT_TRUE(index::CheckFreeDiskSpace(dir.path(), 0).ok());
  EXPECT_TRUE(index::CheckFreeDiskSpace(dir.path(), 1).ok());
  absl::Status full = index::CheckFreeDiskSpace(dir.path(), kAll);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr(dir.path()));
  EXPECT_THAT(full.message(), HasSubstr("min_free_disk_bytes"));
  // A volume that cannot be queried does not stop writes.
  EXPECT_TRUE(index::CheckFreeDiskSpace("/nonexistent/index", kAll).ok());
}

// An index whose volume is under its reserve refuses every commit and writes
// nothing; with the reserve lowered it takes them again.
TEST(CheckFreeDiskSpaceTest, CommitsAreRefusedUnderTheReserve) {
  inkdex::testing::TempDir dir;
  Artist a = testing::MakeArtist("a", "Alpha", 53.7997, -1.5492, {"fineline"});
  {
    IndexOptions options;
    options.min_free_disk_bytes = kAll;
    auto index = Index::Open(dir.path(), options);
    ASSERT_TRUE(index.ok()) << index.status();
    WriteBatch batch;
    batch.Upsert(a);
    auto applied = (*index)->Apply(batch);
    ASSERT_FALSE(applied.ok());
    EXPECT_EQ(applied.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_THAT(applied.status().message(), HasSubstr("nothing was written"));
    EXPECT_EQ((*index)->Get("a").status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ((*index)->Stats().commit_seq, 0u);
    auto purge = (*index)->PurgeTombstones({});
    EXPECT_EQ(purge.status().code(), absl::StatusCode::kResourceExhausted);
  }
  auto index = Index::Open(dir.path(), {});
  ASSERT_TRUE(index.ok()) << index.status();
  WriteBatch batch;
  batch.Upsert(a);
  ASSERT_TRUE((*index)->Apply(batch).ok());
  EXPECT_TRUE((*index)->Get("a").ok());
  // Stats say what is free, so operators see the reserve coming.
  ASSERT_TRUE(index::FreeDiskBytes(dir.path()).has_value());
  EXPECT_GT((*index)->Stats().disk_free_bytes, 0u);
}

}  // namespace
}  // namespace inkdex
