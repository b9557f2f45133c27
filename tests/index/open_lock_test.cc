// Index::Open of an index another Index holds: FAILED_PRECONDITION naming the
// index directory, not RocksDB's "IO error: While lock file" (the other
// process's case is tested end to end in tests/service/test_lifecycle.py).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::TempDir;

TEST(OpenLockTest, AnIndexOpenForWritingIsFailedPrecondition) {
  TempDir dir;
  auto first = Index::Open(dir.path());
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Index::Open(dir.path());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_EQ(second.status().message(),
            "index: '" + dir.path() + "' is open for writing in this process already");
  first->reset();
  EXPECT_TRUE(Index::Open(dir.path()).ok());
}

}  // namespace
}  // namespace inkdex
