// Accent folding (text/fold.h): both the index and every query go through
// it, so what it maps decides which spellings find each other.
#include "text/fold.h"

#include <string>

#include "gtest/gtest.h"

namespace inkdex::text {
namespace {

TEST(FoldAccents, DropsDiacriticsOfLatinLetters) {
  EXPECT_EQ(FoldAccents("Lefèvre"), "Lefevre");
  EXPECT_EQ(FoldAccents("Zoë"), "Zoe");
  EXPECT_EQ(FoldAccents("Müller Ñandú Čapek Őrs Ångström"), "Muller Nandu Capek Ors Angstrom");
  EXPECT_EQ(FoldAccents("İstanbul Şişli"), "Istanbul Sisli");
  EXPECT_EQ(FoldAccents("Nguyễn Thị"), "Nguyen Thi");
}

TEST(FoldAccents, MapsLettersThatDoNotDecompose) {
  EXPECT_EQ(FoldAccents("Łukasz łódź"), "Lukasz lodz");
  EXPECT_EQ(FoldAccents("Søren Øster"), "Soren Oster");
  EXPECT_EQ(FoldAccents("Đorđe"), "Dorde");
  EXPECT_EQ(FoldAccents("Straße ẞ"), "Strasse SS");
  EXPECT_EQ(FoldAccents("Æbeltoft æble"), "AEbeltoft aeble");
  EXPECT_EQ(FoldAccents("Œuvre cœur"), "OEuvre coeur");
  EXPECT_EQ(FoldAccents("Þór Guðrún"), "THor Gudrun");
  EXPECT_EQ(FoldAccents("Işık"), "Isik");
}

TEST(FoldAccents, DecomposedInputFoldsAsPrecomposed) {
  EXPECT_EQ(FoldAccents("Lefe\u0301vre"), "Lefevre");
  EXPECT_EQ(FoldAccents("Zoe\u0308"), "Zoe");
}

TEST(FoldAccents, GreekLosesItsAccentsOtherScriptsKeepTheirMarks) {
  EXPECT_EQ(FoldAccents("Ζωή Άννα"), "Ζωη Αννα");
  // The marks of these are part of the letter, not accents.
  EXPECT_EQ(FoldAccents("Йошкар-Ола"), "Йошкар-Ола");
  EXPECT_EQ(FoldAccents("ガ 東京"), "ガ 東京");
  EXPECT_EQ(FoldAccents("и\u0306"), "и\u0306");  // decomposed й, not after Latin
}

TEST(FoldAccents, AsciiIsUnchangedAndNotCopied) {
  EXPECT_EQ(FoldAccents("plain text, 123!"), "plain text, 123!");
  const std::string ascii = "black rose";
  std::string buffer;
  const std::string_view v = FoldedView(ascii, &buffer);
  EXPECT_EQ(v.data(), ascii.data());
  EXPECT_TRUE(buffer.empty());
  EXPECT_FALSE(HasNonAscii(ascii));
  EXPECT_TRUE(HasNonAscii("café"));
  EXPECT_EQ(FoldedView("café", &buffer), "cafe");
}

TEST(FoldAccents, InvalidUtf8IsReadAsLatin1AsXapianReadsIt) {
  EXPECT_EQ(FoldAccents(std::string("caf\xE9")), "cafe");
  EXPECT_EQ(FoldAccents(std::string("\xA9 x")), "\u00a9 x");  // output is valid UTF-8
}

TEST(FoldAccents, NonLettersAreKept) {
  EXPECT_EQ(FoldAccents("Sarah’s “ink” — 5€"), "Sarah’s “ink” — 5€");
}

}  // namespace
}  // namespace inkdex::text
