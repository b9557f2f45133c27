// Caller metadata (stream checkpoints): committed with the changes, and an
// empty value deletes the key.
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

TEST(MetadataTest, EmptyValueDeletesTheKeyAndSurvivesReopen) {
  testing::TempDir dir;
  {
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    WriteBatch put;
    put.PutMetadata("inkdex.stream.a", "1");
    put.PutMetadata("inkdex.stream.b", "2");
    ASSERT_TRUE((*index)->Apply(put).ok());
    WriteBatch forget;
    forget.PutMetadata("inkdex.stream.a", "");
    ASSERT_TRUE((*index)->Apply(forget).ok());
  }
  auto index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  auto a = (*index)->GetMetadata("inkdex.stream.a");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_FALSE(a->has_value());
  auto all = (*index)->ListMetadata("inkdex.stream.");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, (std::map<std::string, std::string>{{"inkdex.stream.b", "2"}}));
}

}  // namespace
}  // namespace inkdex
