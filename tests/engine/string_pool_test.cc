// StringPool: one copy per distinct string, pointers stable while the pool
// grows, and a memory count that grows with distinct strings only.
#include "engine/string_pool.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace inkdex::engine {
namespace {

TEST(StringPool, InternsOneCopyPerDistinctString) {
  StringPool pool;
  const std::string* a = pool.Intern("Leeds, GB");
  EXPECT_EQ(*a, "Leeds, GB");
  EXPECT_EQ(pool.Intern(std::string("Leeds, GB")), a);
  EXPECT_NE(pool.Intern("Leeds, UK"), a);
  EXPECT_EQ(pool.size(), 2u);
}

TEST(StringPool, PointersStayValidWhileThePoolGrows) {
  StringPool pool;
  std::vector<const std::string*> first;
  for (int i = 0; i < 100; ++i) first.push_back(pool.Intern(absl::StrCat("studio ", i)));
  for (int i = 100; i < 100000; ++i) pool.Intern(absl::StrCat("studio ", i));
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(*first[i], absl::StrCat("studio ", i));
    EXPECT_EQ(pool.Intern(absl::StrCat("studio ", i)), first[i]);
  }
}

TEST(StringPool, MemoryGrowsWithDistinctStringsOnly) {
  StringPool pool;
  EXPECT_EQ(pool.MemoryBytes(), 0u);
  pool.Intern("GBP");
  const uint64_t one_short = pool.MemoryBytes();
  EXPECT_GE(one_short, sizeof(std::string));
  for (int i = 0; i < 1000; ++i) pool.Intern("GBP");
  EXPECT_EQ(pool.MemoryBytes(), one_short);
  // A string past the inline buffer counts its heap bytes too.
  const std::string long_display(200, 'x');
  pool.Intern(long_display);
  EXPECT_GE(pool.MemoryBytes() - one_short, one_short + long_display.size());
  const uint64_t before = pool.MemoryBytes();
  for (int i = 0; i < 1000; ++i) pool.Intern(absl::StrCat("Street ", i, ", Leeds"));
  EXPECT_GE(pool.MemoryBytes() - before, 1000 * sizeof(std::string));
}

}  // namespace
}  // namespace inkdex::engine
