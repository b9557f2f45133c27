// PhraseText is what phrase queries are matched against (a document's value
// 1 and the query's phrase go through the same function), so its word
// splitting and case folding decide which phrases match.
#include <string>

#include "gtest/gtest.h"
#include "text/document_builder.h"
#include "text/fold.h"

namespace inkdex::text {
namespace {

TEST(PhraseText, LowercasesWordsSeparatedBySingleSpaces) {
  EXPECT_EQ(PhraseText("Black  Rose"), " black rose ");
  EXPECT_EQ(PhraseText("  Fine-Line, dot.work!  "), " fine line dot work ");
  EXPECT_EQ(PhraseText("O'Brien @ink_by_sarah 2026"), " o brien ink by sarah 2026 ");
  EXPECT_EQ(PhraseText(""), " ");
  EXPECT_EQ(PhraseText("--"), " ");
}

TEST(PhraseText, FoldsCaseBeyondAscii) {
  // A phrase typed in lower case finds a name written in capitals.
  EXPECT_EQ(PhraseText("ÖMER YILMAZ"), PhraseText("ömer yilmaz"));
  EXPECT_EQ(PhraseText("Ζωή Άννα"), PhraseText("ζωή άννα"));
  EXPECT_EQ(PhraseText("東京 タトゥー"), " 東京 タトゥー ");
}

TEST(PhraseText, NonWordCharactersBeyondAsciiSeparate) {
  // Curly quotes, dashes and non-breaking spaces split words as ASCII
  // punctuation does.
  EXPECT_EQ(PhraseText("Sarah’s “Black—Rose”"), " sarah s black rose ");
  EXPECT_EQ(PhraseText("fine\u00a0line"), " fine line ");
}

TEST(PhraseText, InvalidUtf8IsReadAsLatin1AsXapianReadsIt) {
  // 0xC9 alone is not UTF-8; read as Latin-1 'É', it folds to 'e'.
  EXPECT_EQ(PhraseText(std::string("caf\xC9 noir")), " cafe noir ");
  EXPECT_EQ(PhraseText(std::string("a\xFF")), PhraseText("a\u00ff"));
}

TEST(PhraseText, FoldsAccentsAsTheIndexedTermsDo) {
  // Phrases are checked against the phrase text: it must fold as the terms
  // do (fold.h), or "zoe lefevre" would match the terms and fail the check.
  EXPECT_EQ(PhraseText("Zoë Lefèvre"), " zoe lefevre ");
  EXPECT_EQ(PhraseText("Łukasz Straße-Ærø"), " lukasz strasse aero ");
  EXPECT_EQ(PhraseText("Lefe\u0301vre"), " lefevre ");  // decomposed input
  EXPECT_EQ(PhraseText("Lefèvre"), PhraseText(FoldAccents("Lefèvre")));
}

TEST(AppendPhraseField, SeparatesFieldsSoNoPhraseSpansTwo) {
  std::string text;
  AppendPhraseField("Sarah Mitchell", &text);
  AppendPhraseField("", &text);  // nothing, not even a separator
  AppendPhraseField("Ink House", &text);
  EXPECT_EQ(text, " sarah mitchell | ink house ");
  EXPECT_NE(text.find(PhraseText("ink house")), std::string::npos);
  EXPECT_EQ(text.find(PhraseText("mitchell ink")), std::string::npos);
}

}  // namespace
}  // namespace inkdex::text
