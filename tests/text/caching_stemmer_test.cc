// CachingStemmer (text/caching_stemmer.h) and the English stopper
// (text/document_builder.h): both sit under every indexed biography, so they
// must answer exactly as Xapian's own stemmer and stopword list would.
#include "text/caching_stemmer.h"

#include <xapian.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "text/document_builder.h"

namespace inkdex::text {
namespace {

const std::vector<std::string>& Words() {
  static const auto* words = new std::vector<std::string>{
      "tattoo",  "tattoos",   "tattooing",  "tattooed",      "artists",  "running",
      "ran",     "generous",  "generously", "linework",      "colours",  "colors",
      "realism", "realistic", "geometric",  "dotwork",       "irezumi",  "japanese",
      "sleeves", "healing",   "healed",     "consultations", "booking",  "books",
      "studio",  "studios",   "café",       "naïve",         "x",        "",
      "42",      "fine",      "finer",      "finest",        "blackwork"};
  return *words;
}

TEST(CachingStemmer, StemsExactlyAsXapiansStemmer) {
  Xapian::Stem reference("english");
  Xapian::Stem cached(new CachingStemmer("english"));
  for (int pass = 0; pass < 2; ++pass) {  // the second pass answers from the cache
    for (const std::string& w : Words()) EXPECT_EQ(cached(w), reference(w)) << w;
  }
}

TEST(CachingStemmer, StaysBoundedAndCorrectPastItsCapacity) {
  Xapian::Stem reference("english");
  auto* impl = new CachingStemmer("english", /*max_words=*/4);
  Xapian::Stem cached(impl);
  for (int pass = 0; pass < 3; ++pass) {
    for (const std::string& w : Words()) {
      EXPECT_EQ(cached(w), reference(w)) << w;
      EXPECT_LE(impl->cached_words(), 4u);
    }
  }
}

TEST(CachingStemmer, RemembersWhatItStemmed) {
  auto* impl = new CachingStemmer("english");
  Xapian::Stem cached(impl);
  cached("tattooing");
  cached("tattooing");
  cached("studios");
  EXPECT_EQ(impl->cached_words(), 2u);
}

TEST(CachingStemmer, RefusesAnUnknownLanguageAsXapianDoes) {
  EXPECT_THROW(CachingStemmer("klingon"), Xapian::InvalidArgumentError);
}

TEST(EnglishStopper, DropsFunctionWordsOnly) {
  const Xapian::Stopper& stop = EnglishStopper();
  for (const char* w : {"the", "and", "with", "your", "a", "i", "would"}) EXPECT_TRUE(stop(w)) << w;
  for (const char* w : {"tattoo", "fine", "line", "The", "", "theirs", "wither"}) {
    EXPECT_FALSE(stop(w)) << w;
  }
}

}  // namespace
}  // namespace inkdex::text
