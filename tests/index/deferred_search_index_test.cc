// IndexOptions::defer_search_index and Index::BuildDeferredSearchIndex: a
// bulk load whose search index is written beside it and merged at the end
// (index/search_index_parts.h), or rebuilt from the store when a commit
// could not join the parts; what works meanwhile; and a process that stops
// before the build.
#include <xapian.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/bulk_loader.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::HitIds;
using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::OpenUnsyncedIndex;
using ::inkdex::testing::SearchText;
using ::inkdex::testing::TempDir;

// Artist i: a name of its own word ("Name<i>") and a word every tenth
// artist shares ("Group<i % 10>"), spread over a few degrees.
Artist NumberedArtist(size_t i, uint64_t version = 1) {
  Artist a = MakeArtist(absl::StrCat("a", i), absl::StrCat("Name", i, " Group", i % 10),
                        50 + (i % 97) * 0.05, -3 + (i % 89) * 0.07, {"blackwork"}, version);
  a.set_biography(absl::StrCat("Fine line and dotwork, studio number ", i % 7));
  return a;
}

// Text that matches artist i alone ("name<i>" alone would be a prefix too:
// the last word of a query is).
std::string OnlyArtist(size_t i) { return absl::StrCat("name", i, " leeds"); }

void Load(Index& index, size_t first, size_t count, size_t batch_size) {
  BulkLoader loader(index, {.batch_size = batch_size});
  for (size_t i = first; i < first + count; ++i) loader.Add(NumberedArtist(i), i);
  ASSERT_TRUE(loader
                  .Flush([](uint64_t, const ChangeResult& r) {
                    EXPECT_EQ(r.outcome, ChangeResult::Outcome::kApplied) << r.reason;
                    return absl::OkStatus();
                  })
                  .ok());
}

// A new index at `dir`, opened deferred or not, with artists [0, count)
// loaded.
std::unique_ptr<Index> OpenAndLoad(const std::string& dir, bool deferred, size_t count,
                                   size_t batch_size) {
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir, deferred);
  if (index != nullptr) Load(*index, 0, count, batch_size);
  return index;
}

void ExpectVerified(const Index& index) {
  absl::StatusOr<VerifyReport> report = index.Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
}

// What text queries return, for comparing two indexes.
std::vector<std::vector<std::string>> LoadAnswers(const Index& index) {
  return ::inkdex::testing::TextAnswers(
      index, {"group3", "name17", "dotwork", "\"fine line\"", "studio number 4", "leeds", "gro"});
}

TEST(DeferredSearchIndexTest, ALoadAnswersAsOneIndexedCommitByCommit) {
  TempDir deferred_dir, plain_dir;
  std::unique_ptr<Index> deferred = OpenUnsyncedIndex(deferred_dir.path(), true);
  std::unique_ptr<Index> plain = OpenUnsyncedIndex(plain_dir.path(), false);
  ASSERT_NE(deferred, nullptr);
  ASSERT_NE(plain, nullptr);
  Load(*deferred, 0, 700, 60);
  Load(*plain, 0, 700, 60);
  ASSERT_TRUE(deferred->BuildDeferredSearchIndex().ok());
  EXPECT_EQ(LoadAnswers(*deferred), LoadAnswers(*plain));
  EXPECT_EQ(SearchText(*deferred, "group3").total, 70);
  ExpectVerified(*deferred);
  // As after a restart.
  deferred.reset();
  deferred = OpenUnsyncedIndex(deferred_dir.path(), false);
  EXPECT_EQ(LoadAnswers(*deferred), LoadAnswers(*plain));
  ExpectVerified(*deferred);
}

TEST(DeferredSearchIndexTest, TextAndVerifyWaitForTheBuildOtherReadsDoNot) {
  TempDir dir;
  std::unique_ptr<Index> index = OpenAndLoad(dir.path(), true, 50, 20);
  ASSERT_NE(index, nullptr);

  SearchRequest text;
  text.text = "group3";
  absl::StatusOr<SearchResponse> refused = index->Search(text);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("BuildDeferredSearchIndex"), std::string::npos);
  EXPECT_TRUE(absl::IsFailedPrecondition(index->Verify().status()));

  SearchRequest nearby;
  nearby.point = GeoPoint{50, -3};
  nearby.radius_km = 2000;
  nearby.limit = 100;
  absl::StatusOr<SearchResponse> geo = index->Search(nearby);
  ASSERT_TRUE(geo.ok()) << geo.status();
  EXPECT_EQ(geo->total, 50);
  EXPECT_TRUE(index->Get("a7").ok());
  SuggestRequest suggest;
  suggest.prefix = "name1";
  EXPECT_TRUE(index->Suggest(suggest).ok());

  ASSERT_TRUE(index->BuildDeferredSearchIndex().ok());
  EXPECT_EQ(SearchText(*index, "group3").total, 5);
  ExpectVerified(*index);
  // Built once: a second call has nothing to do, and later commits are
  // searchable as they commit.
  ASSERT_TRUE(index->BuildDeferredSearchIndex().ok());
  WriteBatch batch;
  batch.Upsert(MakeArtist("late", "Quokka", 51, -2, {"blackwork"}, 1));
  ASSERT_TRUE(index->Apply(batch).ok());
  EXPECT_EQ(HitIds(SearchText(*index, "quokka")), std::vector<std::string>{"late"});
  ExpectVerified(*index);
}

TEST(DeferredSearchIndexTest, ChangesToLoadedArtistsAreRebuiltFromTheStore) {
  TempDir dir;
  std::unique_ptr<Index> index = OpenAndLoad(dir.path(), true, 100, 40);
  ASSERT_NE(index, nullptr);
  // A commit that changes artists the parts already hold: they cannot be
  // merged as they are.
  WriteBatch batch;
  batch.Upsert(MakeArtist("a5", "Quokka", 51, -2, {"blackwork"}, 2));
  batch.Delete("a6", 2);
  batch.Upsert(MakeArtist("new", "Wombat", 51, -2, {"blackwork"}, 1));
  ASSERT_TRUE(index->Apply(batch).ok());
  Load(*index, 100, 30, 40);  // and more new ones after it
  ASSERT_TRUE(index->BuildDeferredSearchIndex().ok());
  EXPECT_EQ(HitIds(SearchText(*index, "quokka")), std::vector<std::string>{"a5"});
  EXPECT_TRUE(SearchText(*index, OnlyArtist(5)).hits.empty());
  EXPECT_TRUE(SearchText(*index, OnlyArtist(6)).hits.empty());
  EXPECT_EQ(HitIds(SearchText(*index, "wombat")), std::vector<std::string>{"new"});
  EXPECT_EQ(HitIds(SearchText(*index, OnlyArtist(120))), std::vector<std::string>{"a120"});
  ExpectVerified(*index);
}

TEST(DeferredSearchIndexTest, ALoadIntoAnIndexKeepsWhatItHeld) {
  TempDir dir;
  ASSERT_NE(OpenAndLoad(dir.path(), false, 80, 30), nullptr);  // and closed
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), true);
  ASSERT_NE(index, nullptr);
  Load(*index, 80, 80, 30);
  ASSERT_TRUE(index->BuildDeferredSearchIndex().ok());
  EXPECT_EQ(HitIds(SearchText(*index, OnlyArtist(12))), std::vector<std::string>{"a12"});
  EXPECT_EQ(HitIds(SearchText(*index, OnlyArtist(150))), std::vector<std::string>{"a150"});
  EXPECT_EQ(SearchText(*index, "group3").total, 16);
  ExpectVerified(*index);
}

TEST(DeferredSearchIndexTest, CommitsOfMetadataAloneRebuildNothing) {
  TempDir dir;
  ASSERT_NE(OpenAndLoad(dir.path(), false, 40, 40), nullptr);  // and closed
  const std::string uuid = Xapian::Database(dir.path() + "/text").get_uuid();
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), true);
  ASSERT_NE(index, nullptr);
  WriteBatch batch;
  batch.PutMetadata("checkpoint", "42");
  ASSERT_TRUE(index->Apply(batch).ok());
  SearchRequest text;
  text.text = "group3";
  EXPECT_TRUE(absl::IsFailedPrecondition(index->Search(text).status()));
  ASSERT_TRUE(index->BuildDeferredSearchIndex().ok());
  // The same search index, not one rebuilt from the store.
  EXPECT_EQ(Xapian::Database(dir.path() + "/text").get_uuid(), uuid);
  EXPECT_EQ(SearchText(*index, "group3").total, 4);
  EXPECT_EQ(index->GetMetadata("checkpoint").value(), std::optional<std::string>("42"));
  ExpectVerified(*index);
}

// A cancelled build (a server draining) keeps the commits deferred, as a
// failed one does; a later build indexes them from the store.
TEST(DeferredSearchIndexTest, ACancelledBuildStaysDeferredAndALaterOneCompletesIt) {
  TempDir deferred_dir, plain_dir;
  std::unique_ptr<Index> index = OpenAndLoad(deferred_dir.path(), true, 300, 50);
  std::unique_ptr<Index> plain = OpenAndLoad(plain_dir.path(), false, 300, 50);
  ASSERT_NE(index, nullptr);
  ASSERT_NE(plain, nullptr);
  BuildSearchIndexOptions cancel;
  cancel.cancelled = [] { return true; };
  absl::Status cancelled = index->BuildDeferredSearchIndex(cancel);
  EXPECT_TRUE(absl::IsCancelled(cancelled)) << cancelled;
  SearchRequest text;
  text.text = "group3";
  EXPECT_TRUE(absl::IsFailedPrecondition(index->Search(text).status()));
  EXPECT_TRUE(index->Get("a7").ok());

  // The retry re-indexes from the store (the parts were dropped); cancelled
  // while it reads the stored records, it stays deferred again.
  int polls = 0;
  cancel.cancelled = [&polls] { return ++polls >= 1; };
  cancelled = index->BuildDeferredSearchIndex(cancel);
  EXPECT_TRUE(absl::IsCancelled(cancelled)) << cancelled;
  EXPECT_NE(cancelled.message().find("rebuild cancelled"), std::string::npos) << cancelled;
  EXPECT_TRUE(absl::IsFailedPrecondition(index->Search(text).status()));

  BuildSearchIndexOptions never;
  never.cancelled = [] { return false; };
  ASSERT_TRUE(index->BuildDeferredSearchIndex(never).ok());
  EXPECT_EQ(LoadAnswers(*index), LoadAnswers(*plain));
  ExpectVerified(*index);
}

// A process that stops before BuildDeferredSearchIndex: the next open brings
// the search index up to the store, by replaying the commit log when few
// ids changed and by a rebuild when many did.
TEST(DeferredSearchIndexTest, StoppingBeforeTheBuildLosesNothing) {
  for (size_t artists : {300, 10500}) {
    SCOPED_TRACE(artists);
    TempDir dir;
    ASSERT_NE(OpenAndLoad(dir.path(), true, artists, 2500), nullptr);  // and closed unbuilt
    // As a kill -9 would leave them (a clean close removes them).
    std::filesystem::create_directories(dir.path() + "/text.parts/part-0");
    std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
    ASSERT_NE(index, nullptr);
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/text.parts"));
    EXPECT_EQ(SearchText(*index, "group3").total, static_cast<int64_t>(artists / 10));
    EXPECT_EQ(HitIds(SearchText(*index, OnlyArtist(123))), std::vector<std::string>{"a123"});
    ExpectVerified(*index);
  }
}

}  // namespace
}  // namespace inkdex
