// Index::Verify against a search index edited behind the library's back:
// each way a Xapian document can disagree with the document store is
// reported once, naming the artist (or the stray document), whatever the
// order of ids and slots.
#include <xapian.h>

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "text/document_builder.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;
using ::testing::UnorderedElementsAre;

// id -> docid of the search index at `dir`.
std::map<std::string, Xapian::docid> Slots(const std::string& dir) {
  Xapian::Database db(dir + "/text");
  std::map<std::string, Xapian::docid> out;
  for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    out[db.get_document(*it).get_data()] = *it;
  }
  return out;
}

TEST(VerifyTest, ReportsEveryDisagreementOfTheSearchIndexOnce) {
  TempDir dir;
  {
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    WriteBatch batch;
    // Ids in an order unlike their slots'.
    for (const char* id : {"m", "b", "x", "a", "q", "k"}) {
      batch.Upsert(MakeArtist(id, std::string("Artist ") + id, 53.8, -1.55, {"blackwork"}));
    }
    ASSERT_TRUE((*index)->Apply(batch).ok());
    absl::StatusOr<VerifyReport> clean = (*index)->Verify();
    ASSERT_TRUE(clean.ok()) << clean.status();
    EXPECT_TRUE(clean->ok()) << clean->problems.front();
  }
  const std::map<std::string, Xapian::docid> slots = Slots(dir.path());
  ASSERT_EQ(slots.size(), 6u);
  {
    Xapian::WritableDatabase db(dir.path() + "/text", Xapian::DB_OPEN);
    db.delete_document(slots.at("b"));  // missing
    Xapian::Document other_text = db.get_document(slots.at("x"));
    other_text.add_value(text::kContentHashSlot, text::EncodeContentHash(12345));
    db.replace_document(slots.at("x"), other_text);  // another text
    Xapian::Document no_hash = db.get_document(slots.at("k"));
    no_hash.remove_value(text::kContentHashSlot);
    db.replace_document(slots.at("k"), no_hash);  // no content hash at all
    Xapian::Document someone_else = db.get_document(slots.at("a"));
    someone_else.set_data("impostor");
    db.replace_document(slots.at("a"), someone_else);  // another id's document
    Xapian::Document ghost;
    ghost.set_data("ghost");
    db.replace_document(999, ghost);  // no artist at all
    db.commit();
  }
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  absl::StatusOr<VerifyReport> report = (*index)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->documents_checked, 6u);
  const std::string a_slot = std::to_string(slots.at("a"));
  EXPECT_THAT(report->problems,
              UnorderedElementsAre(
                  "artist 'b': searchable but missing from the search index",
                  "artist 'x': search index document differs from the stored record",
                  "artist 'k': search index document differs from the stored record",
                  "artist 'a': search index slot " + a_slot + " holds 'impostor'",
                  "search index document 999 ('ghost') is not a searchable artist in the document "
                  "store"))
      << ::testing::PrintToString(report->problems);
}

}  // namespace
}  // namespace inkdex
