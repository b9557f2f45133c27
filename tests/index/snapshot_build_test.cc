// A commit's next snapshot is built on another thread while Xapian's
// documents are written and committed (IndexImpl::Apply, for batches of 64
// records or more; smaller ones build it in line). Either way the published
// snapshot and the search index must agree, after a failed Xapian commit
// too.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_impl.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::HitIds;
using ::inkdex::testing::kLeedsLat;
using ::inkdex::testing::kLeedsLon;
using ::inkdex::testing::MakeArtist;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int kArtists = 300;

// Artist i, near Leeds, named with a word of its own and of its tenth.
Artist Numbered(int i, uint64_t version, const std::string& suffix = "", double lat_shift = 0) {
  const double lat = kLeedsLat + lat_shift + 0.001 * (i % 17);
  const double lon = kLeedsLon + 0.001 * (i / 17);
  return MakeArtist(absl::StrCat("a", i),
                    absl::StrCat("Artist", i, " Tenth", i / 10, suffix.empty() ? "" : " ", suffix),
                    lat, lon, {i % 2 == 0 ? "blackwork" : "fineline"}, version);
}

// The changes of the test, in order: every artist, then renames, deletes
// and new locations for some.
std::vector<WriteBatch> Changes(size_t per_batch) {
  std::vector<WriteBatch> batches;
  auto add = [&](auto&& change) {
    if (batches.empty() || batches.back().size() >= per_batch) batches.emplace_back();
    change(batches.back());
  };
  for (int i = 0; i < kArtists; ++i) add([&](WriteBatch& b) { b.Upsert(Numbered(i, 1)); });
  for (int i = 0; i < kArtists; i += 3) {
    add([&](WriteBatch& b) { b.Upsert(Numbered(i, 2, "Renamed")); });
  }
  for (int i = 1; i < kArtists; i += 7) {
    add([&](WriteBatch& b) { b.Delete(absl::StrCat("a", i), 3); });
  }
  for (int i = 2; i < kArtists; i += 11) {
    add([&](WriteBatch& b) { b.Upsert(Numbered(i, 4, "Moved", /*lat_shift=*/1.0)); });
  }
  return batches;
}

// What two indexes holding the same artists must answer alike.
std::vector<std::string> Answers(const Index& index) {
  std::vector<std::string> answers;
  for (const char* text : {"", "renamed", "moved", "tenth3", "artist42"}) {
    for (double lat_shift : {0.0, 1.0}) {
      SearchRequest q;
      q.text = text;
      q.point = GeoPoint{kLeedsLat + lat_shift, kLeedsLon};
      q.radius_km = 30;
      q.limit = 100;
      absl::StatusOr<SearchResponse> r = index.Search(q);
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok()) continue;
      std::string answer = absl::StrCat(text, "@", lat_shift, " total=", r->total, " ids=");
      for (const std::string& id : HitIds(*r)) absl::StrAppend(&answer, id, ",");
      for (const FacetValue& f : r->facets.styles) {
        absl::StrAppend(&answer, " ", f.value, "=", f.count);
      }
      answers.push_back(std::move(answer));
    }
  }
  return answers;
}

class SnapshotBuildTest : public testing::IndexDirTest {};

TEST_F(SnapshotBuildTest, LargeAndSmallCommitsPublishTheSameIndex) {
  for (WriteBatch& b : Changes(/*per_batch=*/200)) {
    ASSERT_GE(b.size(), 64u);  // built beside the Xapian commit
    ASSERT_TRUE(index_->Apply(b).ok());
  }
  testing::TempDir small_dir;
  std::unique_ptr<Index> small = testing::OpenUnsyncedIndex(small_dir.path(), false);
  ASSERT_NE(small, nullptr);
  for (WriteBatch& b : Changes(/*per_batch=*/10)) ASSERT_TRUE(small->Apply(b).ok());

  const std::vector<std::string> answers = Answers(*index_);
  EXPECT_EQ(answers, Answers(*small));
  // The answers hold what the changes leave: of 300 artists near Leeds, 43
  // deleted and 28 moved 111 km north (4 of them deleted before, and back).
  EXPECT_THAT(answers[0], HasSubstr("total=233 "));
  EXPECT_THAT(answers[1], HasSubstr("total=28 "));
  EXPECT_EQ(index_->Stats().documents, small->Stats().documents);
  absl::StatusOr<VerifyReport> report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, IsEmpty());
  Reopen();
  EXPECT_EQ(Answers(*index_), answers);
}

TEST_F(SnapshotBuildTest, ALargeCommitWhoseXapianCommitFailsIsPublishedByTheNextWrite) {
  auto* impl = dynamic_cast<index::IndexImpl*>(index_.get());
  ASSERT_NE(impl, nullptr);
  std::vector<WriteBatch> batches = Changes(/*per_batch=*/kArtists);
  impl->FailSearchIndexCommitsForTesting(1);
  auto failed = index_->Apply(batches[0]);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), HasSubstr("durable in the document store"));
  // Searches stay on the commit before (nothing) meanwhile.
  SearchRequest q;
  q.point = GeoPoint{kLeedsLat, kLeedsLon};
  q.radius_km = 30;
  absl::StatusOr<SearchResponse> before = index_->Search(q);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->total, 0);

  for (size_t i = 1; i < batches.size(); ++i) ASSERT_TRUE(index_->Apply(batches[i]).ok());
  testing::TempDir other_dir;
  std::unique_ptr<Index> other = testing::OpenUnsyncedIndex(other_dir.path(), false);
  ASSERT_NE(other, nullptr);
  for (WriteBatch& b : Changes(/*per_batch=*/kArtists)) ASSERT_TRUE(other->Apply(b).ok());
  EXPECT_EQ(Answers(*index_), Answers(*other));
  absl::StatusOr<VerifyReport> report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, IsEmpty());
}

}  // namespace
}  // namespace inkdex
