// SearchIndexParts and MergeSearchIndexParts (index/search_index_parts.h):
// parts of consecutive slots written beside a load, merged with their
// docids kept, in rounds when there are many.
#include "index/search_index_parts.h"

#include <xapian.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "text/document_builder.h"

namespace inkdex::index {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;

// Records for slots [first, first + n): artist "a<slot>" named "Slot<slot>".
std::vector<std::pair<uint32_t, StoredRecord>> Records(uint32_t first, uint32_t n) {
  std::vector<std::pair<uint32_t, StoredRecord>> out;
  for (uint32_t slot = first; slot < first + n; ++slot) {
    StoredRecord r;
    *r.mutable_artist() =
        MakeArtist(absl::StrCat("a", slot), absl::StrCat("Slot", slot), 51, -1, {"blackwork"});
    r.set_slot(slot);
    r.set_content_hash(text::ContentHash(r.artist()));
    out.emplace_back(slot, std::move(r));
  }
  return out;
}

// docid -> document data (the artist id) of the database at `path`.
std::vector<std::pair<Xapian::docid, std::string>> Documents(const std::string& path) {
  Xapian::Database db(path);
  std::vector<std::pair<Xapian::docid, std::string>> out;
  for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    out.emplace_back(*it, db.get_document(*it).get_data());
  }
  return out;
}

class SearchIndexPartsTest : public ::testing::Test {
 protected:
  TempDir dir_;
  const StyleTaxonomy taxonomy_ = *StyleTaxonomy::Default();
  std::string root() const { return dir_.path() + "/parts"; }
};

TEST_F(SearchIndexPartsTest, PartsMergeWithTheirDocids) {
  std::vector<std::string> paths;
  {
    SearchIndexParts parts(root(), taxonomy_, /*first_slot=*/5, /*writers=*/2,
                           /*part_documents=*/4);
    EXPECT_FALSE(parts.Accepts(4));
    ASSERT_TRUE(parts.Accepts(5));
    // Records arrive in any order within a commit; a part sorts them.
    auto first = Records(5, 6);
    std::swap(first[0], first[5]);
    parts.Add(std::move(first), 11);
    EXPECT_FALSE(parts.Accepts(10));  // handed over already
    ASSERT_TRUE(parts.Accepts(12));   // slot 11 unused (an opted-out artist, say)
    parts.Add(Records(12, 3), 15);
    parts.Add(Records(15, 5), 20);
    parts.Add(Records(20, 4), 24);
    absl::StatusOr<std::vector<std::string>> finished = parts.Finish();
    ASSERT_TRUE(finished.ok()) << finished.status();
    paths = *finished;
    EXPECT_EQ(paths.size(), 3u);  // 6, 3 + 5, 4: parts of at least 4

    // Three rounds of merging at most two at a time.
    const std::string merged = dir_.path() + "/merged";
    ASSERT_TRUE(MergeSearchIndexParts(paths, merged, root(), /*max_sources=*/2).ok());
    std::vector<std::pair<Xapian::docid, std::string>> expected;
    for (uint32_t slot = 5; slot < 24; ++slot) {
      if (slot != 11) expected.emplace_back(slot, absl::StrCat("a", slot));
    }
    EXPECT_EQ(Documents(merged), expected);
    Xapian::Database db(merged);
    Xapian::Enquire enquire(db);
    enquire.set_query(Xapian::Query("slot17"));
    Xapian::MSet found = enquire.get_mset(0, 10);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(*found.begin(), 17u);
  }
  // The parts go with their owner.
  EXPECT_FALSE(std::filesystem::exists(root()));
}

TEST_F(SearchIndexPartsTest, OverlappingDatabasesDoNotMerge) {
  std::vector<std::string> sources;
  for (int i = 0; i < 2; ++i) {
    sources.push_back(absl::StrCat(dir_.path(), "/db", i));
    Xapian::WritableDatabase db(sources.back(), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
    Xapian::Document doc;
    doc.set_data(absl::StrCat("doc", i));
    db.replace_document(3, doc);  // the same docid in both
    db.commit();
  }
  absl::Status merged = MergeSearchIndexParts(sources, dir_.path() + "/merged", dir_.path());
  EXPECT_TRUE(absl::IsInternal(merged)) << merged;
  EXPECT_NE(merged.message().find("merged"), std::string::npos) << merged;
  EXPECT_TRUE(absl::IsInternal(MergeSearchIndexParts({}, dir_.path() + "/none", dir_.path())));
}

TEST_F(SearchIndexPartsTest, DroppedWithoutFinishLeavesNothing) {
  {
    SearchIndexParts parts(root(), taxonomy_, 1, 2, 3);
    parts.Add(Records(1, 10), 11);
  }
  EXPECT_FALSE(std::filesystem::exists(root()));
}

TEST_F(SearchIndexPartsTest, AWriteErrorIsWhatFinishReturns) {
  // Where the parts go is a file: no part database can be created there.
  const std::string blocked = dir_.path() + "/blocked";
  SearchIndexParts parts(blocked, taxonomy_, 1, 1, 2);
  std::filesystem::remove_all(blocked);
  { std::ofstream(blocked) << "not a directory"; }
  parts.Add(Records(1, 6), 7);
  absl::StatusOr<std::vector<std::string>> finished = parts.Finish();
  EXPECT_TRUE(absl::IsInternal(finished.status())) << finished.status();
  EXPECT_NE(finished.status().message().find("write part"), std::string::npos);
}

TEST_F(SearchIndexPartsTest, ACancelledFinishStopsAWriterWithinOneCommitOfDocuments) {
  // One part of 20,000 documents, ~1 s to write; polls come every 100 ms,
  // and the first that finds the part's database cancels.
  SearchIndexParts parts(root(), taxonomy_, 1, /*writers=*/1, /*part_documents=*/20000);
  parts.Add(Records(1, 20000), 20001);
  const std::string part = root() + "/part-0";
  absl::StatusOr<std::vector<std::string>> finished =
      parts.Finish([&part] { return std::filesystem::exists(part + "/iamglass"); });
  EXPECT_TRUE(absl::IsCancelled(finished.status())) << finished.status();
  // Stopped at a commit of its part, well before its end.
  const Xapian::doccount written = Xapian::Database(part).get_doccount();
  EXPECT_LT(written, 20000u);
  EXPECT_EQ(written % SearchIndexParts::kCommitDocuments, 0u) << written;
}

TEST_F(SearchIndexPartsTest, AFinishCancelledAtItsFirstPollReturnsCancelled) {
  SearchIndexParts parts(root(), taxonomy_, 1, /*writers=*/1, /*part_documents=*/20000);
  parts.Add(Records(1, 20000), 20001);
  absl::StatusOr<std::vector<std::string>> finished = parts.Finish([] { return true; });
  EXPECT_TRUE(absl::IsCancelled(finished.status())) << finished.status();
  EXPECT_NE(finished.status().message().find("cancelled"), std::string::npos);
}

TEST_F(SearchIndexPartsTest, AFinishNeverCancelledReturnsEveryPart) {
  SearchIndexParts parts(root(), taxonomy_, 1, 2, 50);
  for (uint32_t first = 1; first <= 400; first += 50) parts.Add(Records(first, 50), first + 50);
  int polls = 0;
  absl::StatusOr<std::vector<std::string>> finished = parts.Finish([&polls] {
    ++polls;
    return false;
  });
  ASSERT_TRUE(finished.ok()) << finished.status();
  EXPECT_GE(polls, 1);
  ASSERT_EQ(finished->size(), 8u);
  size_t documents = 0;
  for (const std::string& path : *finished) documents += Documents(path).size();
  EXPECT_EQ(documents, 400u);
}

}  // namespace
}  // namespace inkdex::index
