// Spelling suggestions (text::SuggestSpelling): words are whole Unicode
// words, folded as the index is (text/fold.h), and only a word that matches
// nothing is corrected: a known word, or a last word that begins a term
// (the query matches it as a prefix), gets no suggestion.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::testing::ElementsAre;

using testing::kLeedsLat;
using testing::kLeedsLon;

class SpellingTest : public testing::IndexDirTest {
 protected:
  void SetUp() override {
    testing::IndexDirTest::SetUp();
    WriteBatch batch;
    batch.Upsert(MakeArtist("a1", "Zoë Lefèvre", kLeedsLat, kLeedsLon, {"fineline"}));
    batch.Upsert(MakeArtist("a3", "Łukasz Wójcik", kLeedsLat, kLeedsLon, {"old_school"}));
    batch.Upsert(MakeArtist("a4", "Seán O'Brien", kLeedsLat, kLeedsLon, {"japanese"}));
    Artist e = MakeArtist("a5", "Jonas Müller", kLeedsLat, kLeedsLon, {"japanese"});
    e.add_specialties("dragons");
    batch.Upsert(e);
    // Words only a biography holds, indexed as their stems.
    Artist b = MakeArtist("a6", "Ines Duarte", kLeedsLat, kLeedsLon, {"blackwork"});
    b.set_biography("Botanical portraits, mandalas and realism. Resident artist.");
    batch.Upsert(b);
    // "Slee", a rare name one edit from "sleve"; "sleeves", which only
    // biographies write (stem "sleev"), is two.
    batch.Upsert(MakeArtist("a7", "Anna Slee", kLeedsLat, kLeedsLon, {"realism"}));
    for (const char* id : {"a8", "a9"}) {
      Artist s = MakeArtist(id, "Rui Costa", kLeedsLat, kLeedsLon, {"realism"});
      s.set_biography("Full sleeves and back pieces.");
      batch.Upsert(s);
    }
    ASSERT_TRUE(index_->Apply(batch).ok());
  }

  std::vector<std::string> Find(const std::string& text) {
    return testing::HitIds(testing::SearchText(*index_, text));
  }
  std::string Suggestion(const std::string& text) {
    return testing::SearchText(*index_, text).spelling_suggestion;
  }
};

TEST_F(SpellingTest, SpellingReadsUnicodeWordsAndFolds) {
  // Known words: no suggestion, whatever their letters.
  EXPECT_EQ(Suggestion("Łukasz"), "");
  EXPECT_EQ(Suggestion("Müller dragons"), "");
  EXPECT_EQ(Suggestion("o'brien"), "");
  EXPECT_EQ(Suggestion("Seán O’Brien"), "");  // a typographic apostrophe
  // Unknown words are corrected whole (not "Łusa"), folded.
  EXPECT_EQ(Suggestion("Łukazs"), "lukasz");
  EXPECT_EQ(Suggestion("Mülller dragons"), "muller dragons");
  EXPECT_EQ(Suggestion("Zoë lefevra"), "Zoë lefevre");
}

TEST_F(SpellingTest, NoSpellingSuggestionForALastWordThatIsAPrefix) {
  EXPECT_EQ(Suggestion("drago"), "");  // matches "dragons" as a prefix
  EXPECT_THAT(Find("drago"), ElementsAre("a5"));
  EXPECT_EQ(Suggestion("Łuka"), "");
  // Not the last word: matched whole, and corrected.
  EXPECT_EQ(Suggestion("dragona muller"), "dragons muller");
}

TEST_F(SpellingTest, MisspeltBiographyWordsAreCorrectedToWholeWords) {
  // The biography's words are known: no suggestion.
  EXPECT_EQ(Suggestion("portraits"), "");
  EXPECT_EQ(Suggestion("mandala dragons"), "");
  // A typo: the word as the biography wrote it, never a stem ("resid",
  // "botan", "portrait" are what the index holds).
  EXPECT_EQ(Suggestion("potraits dragons"), "portraits dragons");
  EXPECT_EQ(Suggestion("dragons potrait"), "dragons portraits");
  EXPECT_EQ(Suggestion("residnt muller"), "resident muller");
  EXPECT_EQ(Suggestion("realisim muller"), "realism muller");
  EXPECT_EQ(Suggestion("mandallas muller"), "mandalas muller");
  // A typo in the ending the stemmer removes.
  EXPECT_EQ(Suggestion("botanicl muller"), "botanical muller");
  // What the suggestions find.
  EXPECT_THAT(Find("portraits"), ElementsAre("a6"));
  EXPECT_THAT(Find("resident"), ElementsAre("a6"));
  EXPECT_THAT(Find("botanical"), ElementsAre("a6"));
  // Other fields' words as before.
  EXPECT_EQ(Suggestion("dragona muller"), "dragons muller");
}

TEST_F(SpellingTest, NoSuggestionBeyondTwoEdits) {
  EXPECT_EQ(Suggestion("xylophone muller"), "");
  // "dragons" and "lukasz" are three edits away.
  EXPECT_EQ(Suggestion("drxgxxs muller"), "");
  EXPECT_EQ(Suggestion("lxkxxz muller"), "");
  // Two edits away: corrected.
  EXPECT_EQ(Suggestion("drxgxns muller"), "dragons muller");
}

TEST_F(SpellingTest, ABiographyWordWhoseStemIsNearBeatsARareNameAsNear) {
  // "sleve" stems to "slev", one edit from "sleev"; the biographies wrote
  // "sleeves" (two edits from the typed word), more often than "slee"
  // appears: the word the typist meant, not the rare name.
  EXPECT_EQ(Suggestion("sleve"), "sleeves");
  EXPECT_THAT(Find("sleeves"), ElementsAre("a8", "a9"));
  // A name at a nearer stem still wins: "sle" is no candidate (too short to
  // correct), and "slee" itself is known.
  EXPECT_EQ(Suggestion("slee"), "");
  EXPECT_EQ(Suggestion("sleex"), "slee");
}

TEST_F(SpellingTest, AWordExcludedWithAMinusIsCorrectedThoughTheTextMatches) {
  // "-mullr" excludes a word no artist has: every dragon artist matches, and
  // the excluded word is still worth correcting (the search meant Müller).
  EXPECT_THAT(Find("dragons -mullr"), ElementsAre("a5"));
  EXPECT_EQ(Suggestion("dragons -mullr"), "dragons -muller");
  // A text that matched with no exclusion has no unknown word to correct.
  EXPECT_THAT(Find("dragons muller"), ElementsAre("a5"));
  EXPECT_EQ(Suggestion("dragons muller"), "");
}

}  // namespace
// Words that together name a style match its artists (the query ORs in the
// style): none is "corrected", though alone it is no style and a near word
// exists ("jerez" is two edits from "jerry", "americana" one from
// "american").
TEST_F(SpellingTest, WordsThatNameAStyleTogetherAreNotCorrected) {
  WriteBatch batch;
  Artist a = MakeArtist("b1", "Ana Jerez", kLeedsLat, kLeedsLon, {"realism"});
  a.mutable_studio()->set_name("Americana Ink");
  batch.Upsert(a);
  ASSERT_TRUE(index_->Apply(batch).ok());
  EXPECT_EQ(Suggestion("jerry"), "jerez");  // alone, a word that matches nothing
  for (const char* text : {"sailor jerry", "sailor-jerry", "Sailor Jerry", "american traditional",
                           "american traditional dragons", "dragons sailor-jerry"}) {
    EXPECT_EQ(Suggestion(text), "") << text;
  }
  EXPECT_THAT(Find("sailor-jerry"), ElementsAre("a3"));  // Old School, through the style
}

}  // namespace inkdex
