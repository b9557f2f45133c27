// Phrases without positions: documents hold no word positions
// (text/document_builder.h), so a phrase's words are matched anywhere and its
// candidates are checked against their fields' text. These tests pin what a
// user sees: quoted phrases and hyphenated words match adjacent words in one
// field only, in order; words naming a style still match the style; and an
// index written with the older, positional layout is rebuilt when opened.
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
using ::testing::UnorderedElementsAre;

using testing::kLeedsLat;
using testing::kLeedsLon;

class PhraseTest : public testing::IndexDirTest {
 protected:
  void SetUp() override {
    testing::IndexDirTest::SetUp();
    Artist a = MakeArtist("a1", "Sarah Mitchell", kLeedsLat, kLeedsLon, {"fineline"});
    a.mutable_studio()->set_name("Ink House");
    a.set_instagram_handle("black.rose.tattoo");
    a.add_specialties("Black-Rose sleeves");
    a.set_biography("Twenty years of fine line botanicals.");
    Artist b = MakeArtist("a2", "Mitchell Sarah", kLeedsLat, kLeedsLon, {"blackwork"});
    b.mutable_studio()->set_name("House of Ink");
    b.add_specialties("rose black");  // both words, the other order
    Artist c = MakeArtist("a3", "ÖMER YILMAZ", kLeedsLat, kLeedsLon, {"old_school"});
    c.mutable_location()->set_display("Kreuzberg, Berlin");
    WriteBatch batch;
    batch.Upsert(a);
    batch.Upsert(b);
    batch.Upsert(c);
    ASSERT_TRUE(index_->Apply(batch).ok());
  }

  std::vector<std::string> Find(const std::string& text) {
    SearchRequest q;
    q.text = text;
    absl::StatusOr<SearchResponse> r = index_->Search(q);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const SearchHit& h : r->hits) ids.push_back(h.id);
      EXPECT_EQ(r->total, static_cast<int64_t>(ids.size())) << text;
    }
    return ids;
  }
};

TEST_F(PhraseTest, QuotedPhrasesMatchAdjacentWordsInOrder) {
  EXPECT_THAT(Find("\"sarah mitchell\""), ElementsAre("a1"));
  EXPECT_THAT(Find("\"mitchell sarah\""), ElementsAre("a2"));
  EXPECT_THAT(Find("\"ink house\""), ElementsAre("a1"));
  EXPECT_THAT(Find("\"house of ink\""), ElementsAre("a2"));
  EXPECT_THAT(Find("\"fine line botanicals\""), ElementsAre("a1"));  // the biography
  EXPECT_THAT(Find("\"Kreuzberg Berlin\""), ElementsAre("a3"));      // the location
  EXPECT_THAT(Find("\"rose tattoo\""), ElementsAre("a1"));           // the handle's words
  EXPECT_THAT(Find("\"sarah house\""), ::testing::IsEmpty());
  // With other words around it, each still required.
  EXPECT_THAT(Find("\"sarah mitchell\" ink"), ElementsAre("a1"));
  EXPECT_THAT(Find("\"sarah mitchell\" koi"), ::testing::IsEmpty());
}

TEST_F(PhraseTest, NoPhraseSpansTwoFields) {
  // "Mitchell" ends the name and "Ink" starts the studio of a1.
  EXPECT_THAT(Find("\"mitchell ink\""), ::testing::IsEmpty());
  EXPECT_THAT(Find("\"sarah mitchell ink house\""), ::testing::IsEmpty());
}

TEST_F(PhraseTest, HyphenatedWordsAreAPhrase) {
  // a2 has both words, in the other order: not the phrase.
  EXPECT_THAT(Find("black-rose"), ElementsAre("a1"));
  EXPECT_THAT(Find("rose-black"), ElementsAre("a2"));
  EXPECT_THAT(Find("sarah-mitchell"), ElementsAre("a1"));
  EXPECT_THAT(Find("black.rose"), ElementsAre("a1"));
  // As the text's last word, being typed: its last part is a prefix.
  EXPECT_THAT(Find("black-ro"), ElementsAre("a1"));
  EXPECT_THAT(Find("rose-bl"), ElementsAre("a2"));
  EXPECT_THAT(Find("sarah-mitch"), ElementsAre("a1"));
  EXPECT_THAT(Find("ink sarah-mitch"), ElementsAre("a1"));
  // Not before other words, nor in quotes.
  EXPECT_THAT(Find("black-ro sarah"), ::testing::IsEmpty());
  EXPECT_THAT(Find("\"black-ro\""), ::testing::IsEmpty());
}

TEST_F(PhraseTest, JoinedWordsMatchTheBiographyToo) {
  // The biography ("Twenty years of fine line botanicals.") is indexed
  // stemmed only.
  EXPECT_THAT(Find("twenty-years"), ElementsAre("a1"));
  EXPECT_THAT(Find("line-botanicals"), ElementsAre("a1"));
  EXPECT_THAT(Find("Twenty-Years sarah"), ElementsAre("a1"));
  EXPECT_THAT(Find("years-twenty"), ::testing::IsEmpty());
  EXPECT_THAT(Find("\"fine line\" twenty-years"), ElementsAre("a1"));
}

TEST_F(PhraseTest, AQuotedPhraseEndsWithAWholeWord) {
  // "of" is a stopword, in no biography's terms: a prefix of it would find
  // nothing; the closed quote says the word is whole.
  EXPECT_THAT(Find("\"years of\""), ElementsAre("a1"));
  EXPECT_THAT(Find("\"twenty years of fine\""), ElementsAre("a1"));
  EXPECT_THAT(Find("\"years of\" sarah"), ElementsAre("a1"));
  EXPECT_THAT(Find("\"years of\" \"line\""), ElementsAre("a1"));
}

TEST_F(PhraseTest, CapitalizedWordsMatchTheBiographyToo) {
  // The QueryParser leaves a capitalized word unstemmed; the biography has
  // stemmed terms only.
  EXPECT_THAT(Find("Botanicals sarah"), ElementsAre("a1"));
  EXPECT_THAT(Find("TWENTY YEARS"), ElementsAre("a1"));
  EXPECT_THAT(Find("Sarah Mitchell"), UnorderedElementsAre("a1", "a2"));
}

// As you type, the last word is the start of a word, in the biography as
// in the other fields, even when it is one letter. A stopword may be the
// start of a word ("the" of "theatrical") or a whole stopword, which no
// field holds: it ranks the artists with a word it begins first and keeps
// the others, so typing "sarah the" never empties the list.
TEST_F(PhraseTest, AOneLetterOrStopwordLastWordBeginsABiographyWord) {
  EXPECT_THAT(Find("sarah y"), ElementsAre("a1"));  // "years", only in a1's biography
  EXPECT_THAT(Find("sarah t"), ElementsAre("a1"));  // "tattoo" (handle), "twenty"
  EXPECT_THAT(Find("sarah z"), ::testing::IsEmpty());
  EXPECT_THAT(Find("sarah the"), UnorderedElementsAre("a1", "a2"));
  EXPECT_THAT(Find("sarah and"), UnorderedElementsAre("a1", "a2"));
  Artist d = MakeArtist("a4", "Dee Wells", kLeedsLat, kLeedsLon, {"realism"});
  d.set_biography("Theatrical sleeves, often in colour.");
  WriteBatch batch;
  batch.Upsert(d);
  ASSERT_TRUE(index_->Apply(batch).ok());
  // a4's "theatrical" begins with "the"; a1 has sleeves but no such word.
  EXPECT_THAT(Find("sleeves the"), ElementsAre("a4", "a1"));
  EXPECT_THAT(Find("sleeves theat"), ElementsAre("a4"));
  EXPECT_THAT(Find("dee o"), ElementsAre("a4"));  // "often"
  EXPECT_THAT(Find("dee on"), ElementsAre("a4"));
  EXPECT_THAT(Find("the"), ElementsAre("a4"));  // alone, it is only a prefix
  // After a style's name (a segment of its own) as after other words: the
  // style's artists, those with a word the stopword begins first.
  EXPECT_THAT(Find("blackwork the"), ElementsAre("a2"));
  EXPECT_THAT(Find("old school a"), ElementsAre("a3"));
  EXPECT_THAT(Find("realism the"), ElementsAre("a4"));
}

TEST_F(PhraseTest, OneWordStyleAliasesMatchTheStyle) {
  // Aliases that normalize to the display name but are other words than its
  // own: the artist has the styles, not the words.
  WriteBatch batch;
  batch.Upsert(MakeArtist("a4", "Dana Quinn", kLeedsLat, kLeedsLon,
                          {"watercolour", "neo_traditional", "trash_polka", "cover_up"}));
  ASSERT_TRUE(index_->Apply(batch).ok());
  for (const char* text : {"watercolor", "neotraditional", "trashpolka", "coverup", "Watercolour",
                           "neo-traditional", "neo traditional", "trash polka", "cover-up"}) {
    EXPECT_THAT(Find(text), ElementsAre("a4")) << text;
  }
}

TEST_F(PhraseTest, PhrasesFoldCaseBeyondAscii) {
  EXPECT_THAT(Find("\"ömer yilmaz\""), ElementsAre("a3"));
}

TEST_F(PhraseTest, HyphenatedStyleNamesStillMatchTheStyle) {
  // "sailor-jerry" is an alias of Old School: a3 has the style but not the
  // words, and matches through the style, as the unhyphenated alias does.
  EXPECT_THAT(Find("sailor-jerry"), ElementsAre("a3"));
  EXPECT_THAT(Find("sailor jerry"), ElementsAre("a3"));
  EXPECT_THAT(Find("fine-line"), ElementsAre("a1"));
}

TEST_F(PhraseTest, PhrasesFollowUpdates) {
  Artist a = MakeArtist("a1", "Sarah Mitchell-Jones", kLeedsLat, kLeedsLon, {"fineline"}, 2);
  WriteBatch batch;
  batch.Upsert(a);
  ASSERT_TRUE(index_->Apply(batch).ok());
  EXPECT_THAT(Find("mitchell-jones"), ElementsAre("a1"));
  EXPECT_THAT(Find("\"ink house\""), ::testing::IsEmpty());  // the studio is gone
  EXPECT_THAT(Find("\"sarah mitchell\""), ElementsAre("a1"));
}

TEST_F(PhraseTest, TheSearchIndexHoldsNoPositionsAndRecordsItsLayout) {
  index_.reset();
  Xapian::Database db(dir_.path() + "/text");
  EXPECT_FALSE(db.has_positions());
  EXPECT_EQ(db.get_metadata(text::kDocumentFormatKey), text::kDocumentFormat);
}

TEST_F(PhraseTest, AnIndexOfTheOlderLayoutIsRebuiltWhenOpened) {
  index_.reset();
  {
    // What an index written before layout 2 holds: positions, no layout key
    // (and so, at first, phrases Xapian would match by position alone).
    Xapian::WritableDatabase db(dir_.path() + "/text", Xapian::DB_OPEN);
    Xapian::Document old = db.get_document(1);
    old.add_posting("sarah", 1);
    old.add_posting("mitchell", 2);
    db.replace_document(1, old);
    db.set_metadata(text::kDocumentFormatKey, "");
    db.commit();
    ASSERT_TRUE(db.has_positions());
  }
  Reopen();
  {
    Xapian::Database db(dir_.path() + "/text");
    EXPECT_FALSE(db.has_positions());
    EXPECT_EQ(db.get_metadata(text::kDocumentFormatKey), text::kDocumentFormat);
    EXPECT_EQ(db.get_doccount(), 3u);
  }
  EXPECT_THAT(Find("\"sarah mitchell\""), ElementsAre("a1"));
  EXPECT_THAT(Find("black-rose"), ElementsAre("a1"));
  EXPECT_THAT(Find("ink"), UnorderedElementsAre("a1", "a2"));
  absl::StatusOr<VerifyReport> report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace inkdex
