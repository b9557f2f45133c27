// IndexImpl::RebuildSearchIndex (index/search_index_rebuild.cc): text/
// rebuilt from every stored document by parallel writers, through a spill
// by slot range, and merged; what it leaves behind after a crash.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/index_impl.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::HitIds;
using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::OpenUnsyncedIndex;
using ::inkdex::testing::TempDir;

// Artists whose ids sort unlike their slots (the store is read in id order),
// some of them hidden and some deleted, then one loaded artist renamed.
void Write(Index& index) {
  for (int first = 0; first < 600; first += 50) {
    WriteBatch batch;
    for (int i = first; i < first + 50; ++i) {
      Artist a = MakeArtist(absl::StrCat("z", (i * 7919) % 600), absl::StrCat("Rose Group", i % 10),
                            40 + (i % 50) * 0.1, (i * 13) % 170, {"blackwork"}, 1);
      if (i % 41 == 0) a.set_opted_out(true);
      batch.Upsert(std::move(a));
    }
    ASSERT_TRUE(index.Apply(batch).ok());
  }
  WriteBatch changes;
  for (int i = 0; i < 600; i += 37) changes.Delete(absl::StrCat("z", i), 2);
  changes.Upsert(MakeArtist("z5", "Quokka", 51, -2, {"blackwork"}, 3));
  ASSERT_TRUE(index.Apply(changes).ok());
}

// Every searchable artist is in one of the groups (under 100 each).
std::vector<std::vector<std::string>> GroupAnswers(const Index& index) {
  std::vector<std::string> texts = {"rose", "quokka", "gro"};
  for (int g = 0; g < 10; ++g) texts.push_back(absl::StrCat("group", g));
  return testing::TextAnswers(index, texts);
}

TEST(SearchIndexRebuildTest, ARebuildOfManyPartsAnswersAsTheIndexItReplaces) {
  TempDir plain_dir, rebuilt_dir;
  std::unique_ptr<Index> plain = OpenUnsyncedIndex(plain_dir.path(), false);
  ASSERT_NE(plain, nullptr);
  Write(*plain);
  // A deferred load whose last commit changes a loaded artist rebuilds its
  // search index from the store, here in ranges and parts of 64 slots.
  std::unique_ptr<Index> rebuilt = OpenUnsyncedIndex(rebuilt_dir.path(), true);
  ASSERT_NE(rebuilt, nullptr);
  auto* impl = dynamic_cast<index::IndexImpl*>(rebuilt.get());
  ASSERT_NE(impl, nullptr);
  impl->SetRebuildPartSlotsForTesting(64);
  Write(*rebuilt);
  ASSERT_TRUE(rebuilt->BuildDeferredSearchIndex().ok());

  const auto expected = GroupAnswers(*plain);
  EXPECT_EQ(GroupAnswers(*rebuilt), expected);
  EXPECT_EQ(HitIds(testing::SearchText(*rebuilt, "quokka")), std::vector<std::string>{"z5"});
  absl::StatusOr<VerifyReport> report = rebuilt->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
  for (const char* left : {"/text.spill", "/text.parts"}) {
    EXPECT_FALSE(std::filesystem::exists(rebuilt_dir.path() + left)) << left;
  }
  // And after a restart.
  rebuilt.reset();
  rebuilt = OpenUnsyncedIndex(rebuilt_dir.path(), false);
  ASSERT_NE(rebuilt, nullptr);
  EXPECT_EQ(GroupAnswers(*rebuilt), expected);
}

TEST(SearchIndexRebuildTest, ARebuildWithoutTheDiskItNeedsIsRefusedBeforeWriting) {
  TempDir dir;
  {
    std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
    ASSERT_NE(index, nullptr);
    Write(*index);
  }
  // No volume has this much free: the rebuild is refused after its scan,
  // with what it needs, and the next open with room rebuilds.
  IndexOptions options;
  options.rebuild_search_index = true;
  options.min_free_disk_bytes = uint64_t{1} << 62;
  absl::StatusOr<std::unique_ptr<Index>> refused = Index::Open(dir.path(), options);
  ASSERT_TRUE(absl::IsResourceExhausted(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("rebuilding the search index"), std::string::npos)
      << refused.status();
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/text.spill"));
  options.min_free_disk_bytes = kDefaultMinFreeDiskBytes;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path(), options);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(HitIds(testing::SearchText(**index, "quokka")), std::vector<std::string>{"z5"});
}

TEST(SearchIndexRebuildTest, OpenRemovesWhatACrashedRebuildLeft) {
  TempDir dir;
  {
    std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
    ASSERT_NE(index, nullptr);
    WriteBatch batch;
    batch.Upsert(MakeArtist("a", "Rose", 51, -2, {"blackwork"}, 1));
    ASSERT_TRUE(index->Apply(batch).ok());
  }
  for (const char* left : {"/text.spill", "/text.parts/part-0"}) {
    std::filesystem::create_directories(dir.path() + left);
    std::ofstream(dir.path() + left + "/junk") << "half written";
  }
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
  ASSERT_NE(index, nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/text.spill"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/text.parts"));
  EXPECT_EQ(HitIds(testing::SearchText(*index, "rose")), std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace inkdex
