// IndexOptions::cancelled: an Open stopped while it reads the stored records
// or rebuilds the search index leaves the index as it was, and the next Open
// finishes the work.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;

// Over three runs of the records Open reads at a time (~1,000), so that a
// cancellation can come between them.
constexpr int kArtists = 3000;

void Fill(const std::string& dir) {
  IndexOptions options;
  options.sync = false;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  ASSERT_TRUE(index.ok()) << index.status();
  for (int first = 0; first < kArtists; first += 500) {
    WriteBatch batch;
    for (int i = first; i < first + 500; ++i) {
      batch.Upsert(MakeArtist(absl::StrCat("a", i), absl::StrCat("Rose Group", i % 7),
                              40 + (i % 60) * 0.1, (i * 11) % 170, {"blackwork"}));
    }
    ASSERT_TRUE((*index)->Apply(batch).ok());
  }
}

std::vector<std::vector<std::string>> FillAnswers(const Index& index) {
  std::vector<std::string> texts = {"rose", "gro"};
  for (int g = 0; g < 7; ++g) texts.push_back(absl::StrCat("group", g));
  return testing::TextAnswers(index, texts);
}

// Opens `dir` as Fill left it and checks it whole: every artist, the text
// answers `expected`, Verify clean.
void ExpectWhole(const std::string& dir, const std::vector<std::vector<std::string>>& expected) {
  IndexOptions options;
  options.sync = false;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ((*index)->Stats().documents, static_cast<uint64_t>(kArtists));
  EXPECT_EQ(FillAnswers(**index), expected);
  absl::StatusOr<VerifyReport> report = (*index)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
}

std::vector<std::vector<std::string>> AnswersOf(const std::string& dir) {
  IndexOptions options;
  options.sync = false;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  EXPECT_TRUE(index.ok()) << index.status();
  return index.ok() ? FillAnswers(**index) : std::vector<std::vector<std::string>>{};
}

// Index::Open of `dir` with `cancelled` (rebuilding text/ when `rebuild`):
// its error, or OK when it opened.
absl::Status OpenCancelled(const std::string& dir, bool rebuild, std::function<bool()> cancelled) {
  IndexOptions options;
  options.sync = false;
  options.rebuild_search_index = rebuild;
  options.cancelled = std::move(cancelled);
  return Index::Open(dir, options).status();
}

TEST(OpenCancelTest, AnOpenCancelledWhileReadingTheRecordsLeavesTheIndexWhole) {
  TempDir dir;
  Fill(dir.path());
  const auto expected = AnswersOf(dir.path());
  ASSERT_FALSE(expected.empty());

  int polls = 0;
  // After the first run of records.
  const absl::Status s = OpenCancelled(dir.path(), false, [&polls] { return ++polls >= 2; });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "reading the stored records")) << s;
  EXPECT_EQ(polls, 2);  // stopped at once, not at the end

  ExpectWhole(dir.path(), expected);
}

TEST(OpenCancelTest, AnOpenCancelledWhileRebuildingTheSearchIndexRebuildsItAtTheNextOpen) {
  TempDir dir;
  Fill(dir.path());
  const auto expected = AnswersOf(dir.path());
  ASSERT_FALSE(expected.empty());

  int polls = 0;
  // As `inkdex repair`: text/ emptied, then rebuilt.
  const absl::Status s = OpenCancelled(dir.path(), true, [&polls] { return ++polls >= 1; });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "rebuild cancelled")) << s;
  EXPECT_GE(polls, 1);

  // text/ was emptied before the rebuild stopped: a plain open rebuilds it.
  ExpectWhole(dir.path(), expected);
}

TEST(OpenCancelTest, TheIndexKeepsNoCopyOfOpensCancelled) {
  TempDir dir;
  Fill(dir.path());
  auto polls = std::make_shared<int>(0);
  IndexOptions options;
  options.sync = false;
  options.cancelled = [polls] { return ++*polls > 1000000; };
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path(), options);
  ASSERT_TRUE(index.ok()) << index.status();
  const int polled_by_open = *polls;
  EXPECT_GE(polled_by_open, 3);  // once per run of records
  // The function (and what it holds) is released once Open returns.
  EXPECT_EQ(polls.use_count(), 2) << "the index holds a copy of IndexOptions::cancelled";

  WriteBatch batch;
  batch.Upsert(MakeArtist("late", "Quokka", 51, -2, {"blackwork"}, 2));
  ASSERT_TRUE((*index)->Apply(batch).ok());
  EXPECT_EQ(testing::HitIds(testing::SearchText(**index, "quokka")),
            std::vector<std::string>{"late"});
  absl::StatusOr<VerifyReport> report = (*index)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(*polls, polled_by_open);
}

}  // namespace
}  // namespace inkdex
