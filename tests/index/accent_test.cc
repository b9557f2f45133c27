// Accent-insensitive text search (text/fold.h): users type names without
// their diacritics, so a query with or without them finds the same artists,
// in words, prefixes and phrases; an index of the unfolded layout is rebuilt.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "text/document_builder.h"
#include "xapian.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using testing::kLeedsLat;
using testing::kLeedsLon;

class AccentTest : public testing::IndexDirTest {
 protected:
  void SetUp() override {
    testing::IndexDirTest::SetUp();
    WriteBatch batch;
    Artist a = MakeArtist("a1", "Zoë Lefèvre", kLeedsLat, kLeedsLon, {"fineline"});
    a.mutable_studio()->set_name("Atelier Noël");
    batch.Upsert(a);
    batch.Upsert(MakeArtist("a2", "Zoe Martin", kLeedsLat, kLeedsLon, {"blackwork"}));
    Artist c = MakeArtist("a3", "Łukasz Wójcik", kLeedsLat, kLeedsLon, {"old_school"});
    c.set_biography("Trained in Kraków under Søren Ærø, then Straße 9 in Berlin.");
    batch.Upsert(c);
    batch.Upsert(MakeArtist("a4", "Seán O'Brien", kLeedsLat, kLeedsLon, {"japanese"}));
    Artist e = MakeArtist("a5", "Jonas Müller", kLeedsLat, kLeedsLon, {"japanese"});
    e.add_specialties("dragons");
    batch.Upsert(e);
    ASSERT_TRUE(index_->Apply(batch).ok());
  }

  std::vector<std::string> Find(const std::string& text) {
    return testing::HitIds(testing::SearchText(*index_, text));
  }
};

TEST_F(AccentTest, AccentedAndUnaccentedQueriesFindTheSameArtists) {
  EXPECT_THAT(Find("lefevre"), ElementsAre("a1"));
  EXPECT_THAT(Find("Lefèvre"), ElementsAre("a1"));
  EXPECT_THAT(Find("LEFÈVRE"), ElementsAre("a1"));
  EXPECT_THAT(Find("zoe"), UnorderedElementsAre("a1", "a2"));
  EXPECT_THAT(Find("Zoë"), UnorderedElementsAre("a1", "a2"));
  EXPECT_THAT(Find("Zoe\u0308"), UnorderedElementsAre("a1", "a2"));  // decomposed
  EXPECT_THAT(Find("noel zoe"), ElementsAre("a1"));
  EXPECT_THAT(Find("muller"), ElementsAre("a5"));
  EXPECT_THAT(Find("krakow"), ElementsAre("a3"));  // the biography: stems only
  EXPECT_THAT(Find("Kraków"), ElementsAre("a3"));
}

TEST_F(AccentTest, LettersThatDoNotDecomposeFold) {
  EXPECT_THAT(Find("lukasz"), ElementsAre("a3"));
  EXPECT_THAT(Find("Łukasz"), ElementsAre("a3"));
  EXPECT_THAT(Find("łukasz"), ElementsAre("a3"));
  EXPECT_THAT(Find("soren aero"), ElementsAre("a3"));
  EXPECT_THAT(Find("strasse"), ElementsAre("a3"));
  EXPECT_THAT(Find("Straße"), ElementsAre("a3"));
}

TEST_F(AccentTest, PrefixesFold) {
  EXPECT_THAT(Find("luk"), ElementsAre("a3"));
  EXPECT_THAT(Find("Łuk"), ElementsAre("a3"));
  EXPECT_THAT(Find("zoe lef"), ElementsAre("a1"));
  EXPECT_THAT(Find("zoe lefè"), ElementsAre("a1"));
}

TEST_F(AccentTest, PhrasesFoldOnBothSides) {
  EXPECT_THAT(Find("\"zoe lefevre\""), ElementsAre("a1"));
  EXPECT_THAT(Find("\"Zoë Lefèvre\""), ElementsAre("a1"));
  EXPECT_THAT(Find("\"lukasz wojcik\""), ElementsAre("a3"));
  EXPECT_THAT(Find("zoë-lefevre"), ElementsAre("a1"));  // a hyphen makes a phrase
  EXPECT_THAT(Find("\"under soren aero\""), ElementsAre("a3"));
  EXPECT_THAT(Find("\"lefevre zoe\""), IsEmpty());
}

TEST_F(AccentTest, AnIndexOfTheUnfoldedLayoutIsRebuiltWhenOpened) {
  index_.reset();
  {
    // What layout 3 held for a1: terms of the text as written.
    Xapian::WritableDatabase db(dir_.path() + "/text", Xapian::DB_OPEN);
    for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      Xapian::Document doc = db.get_document(*it);
      if (doc.get_data() != "a1") continue;
      doc.remove_term("lefevre");
      doc.add_term("lefèvre");
      db.replace_document(*it, doc);
    }
    db.set_metadata(text::kDocumentFormatKey, "3");
    db.commit();
  }
  Reopen();
  {
    Xapian::Database db(dir_.path() + "/text");
    EXPECT_EQ(db.get_metadata(text::kDocumentFormatKey), text::kDocumentFormat);
    EXPECT_EQ(db.get_termfreq("lefèvre"), 0u);
  }
  EXPECT_THAT(Find("lefevre"), ElementsAre("a1"));
  absl::StatusOr<VerifyReport> report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace inkdex
