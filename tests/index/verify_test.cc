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
    ghost.add_term("Sghost");
    db.replace_document(999, ghost);  // no artist at all
    db.commit();
  }
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  // The deep check reports no document twice: each of these once, as the
  // shallow check does.
  for (const bool check_postings : {false, true}) {
    VerifyOptions options;
    options.check_postings = check_postings;
    absl::StatusOr<VerifyReport> report = (*index)->Verify(options);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->documents_checked, 6u);
    const std::string a_slot = std::to_string(slots.at("a"));
    EXPECT_THAT(report->problems,
                UnorderedElementsAre(
                    "artist 'b': searchable but missing from the search index",
                    "artist 'x': search index document differs from the stored record",
                    "artist 'k': search index document differs from the stored record",
                    "artist 'a': search index slot " + a_slot + " holds 'impostor'",
                    "search index document 999 ('ghost') is not a searchable artist in the "
                    "document store"))
        << "check_postings " << check_postings << ": "
        << ::testing::PrintToString(report->problems);
  }
}

// The deep check: documents whose content hash still matches but whose
// terms do not, as a damaged or hand-edited search index could hold.
TEST(VerifyTest, CheckPostingsFindsTermsTheContentHashCannotSee) {
  TempDir dir;
  {
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    WriteBatch batch;
    for (const char* id : {"m", "b", "x", "a", "q", "k", "gone", "hidden"}) {
      Artist artist = MakeArtist(id, std::string("Artist ") + id, 53.8, -1.55, {"blackwork"});
      artist.set_biography("Roses, daggers and swallows in bold black lines");
      artist.add_specialties("sleeves");
      artist.mutable_studio()->set_name(std::string("Studio ") + id);
      if (std::string(id) == "hidden") artist.set_opted_out(true);
      batch.Upsert(artist);
    }
    ASSERT_TRUE((*index)->Apply(batch).ok());
    WriteBatch changes;
    Artist renamed = MakeArtist("q", "Quill Renamed", 53.8, -1.55, {"dotwork"});
    renamed.set_version(2);
    changes.Upsert(renamed);
    changes.Delete("gone", 2);
    ASSERT_TRUE((*index)->Apply(changes).ok());
    VerifyOptions deep;
    deep.check_postings = true;
    absl::StatusOr<VerifyReport> clean = (*index)->Verify(deep);
    ASSERT_TRUE(clean.ok()) << clean.status();
    EXPECT_TRUE(clean->ok()) << ::testing::PrintToString(clean->problems);
    EXPECT_EQ(clean->searchable_checked, 6u);
    // Every posting of every document, read once.
    uint64_t terms = 0;
    Xapian::Database db(dir.path() + "/text");
    for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      terms += db.get_document(*it).termlist_count();
    }
    EXPECT_GT(terms, 6u * 10);
    EXPECT_EQ(clean->postings_checked, terms);
  }
  const std::map<std::string, Xapian::docid> slots = Slots(dir.path());
  {
    // Content hashes and phrase texts left as they were.
    Xapian::WritableDatabase db(dir.path() + "/text", Xapian::DB_OPEN);
    Xapian::Document lost = db.get_document(slots.at("m"));
    lost.remove_term("Zdagger");
    db.replace_document(slots.at("m"), lost);
    Xapian::Document gained = db.get_document(slots.at("x"));
    gained.add_term("zebra");
    db.replace_document(slots.at("x"), gained);
    Xapian::Document counted = db.get_document(slots.at("a"));
    counted.add_term("sleeves", 2);
    db.replace_document(slots.at("a"), counted);
    Xapian::Document phrase = db.get_document(slots.at("k"));
    phrase.add_value(text::kPhraseTextSlot, " something else ");
    db.replace_document(slots.at("k"), phrase);
    db.commit();
  }
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  absl::StatusOr<VerifyReport> shallow = (*index)->Verify();
  ASSERT_TRUE(shallow.ok()) << shallow.status();
  EXPECT_TRUE(shallow->ok()) << ::testing::PrintToString(shallow->problems);
  VerifyOptions deep;
  deep.check_postings = true;
  absl::StatusOr<VerifyReport> report = (*index)->Verify(deep);
  ASSERT_TRUE(report.ok()) << report.status();
  const std::string prefix = "': search index postings differ from the stored record: ";
  EXPECT_THAT(report->problems,
              UnorderedElementsAre("artist 'm" + prefix + "term 'Zdagger' is missing",
                                   "artist 'x" + prefix + "term 'zebra' is not the stored record's",
                                   "artist 'a" + prefix + "term 'sleeves' counts 4, the record 2",
                                   "artist 'k" + prefix + "its phrase text differs"))
      << ::testing::PrintToString(report->problems);
}

}  // namespace
}  // namespace inkdex
