#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/row.h"
#include "engine/suggest_index.h"
#include "synth/artist_generator.h"

namespace inkdex::engine {
namespace {

std::string RandomWord(std::mt19937& rng) {
  std::uniform_int_distribution<int> len(1, 9), letter(0, 25);
  std::string w(len(rng), 'a');
  for (char& c : w) c = static_cast<char>('a' + letter(rng));
  return w;
}

TEST(WordStartsTest, EveryWordStartPassesItsText) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::string> words;
    std::string text;
    for (int n = 1 + i % 7; n > 0; --n) {
      words.push_back(RandomWord(rng));
      text += (text.empty() ? "" : " ") + words.back();
    }
    if (i % 3 == 0) text[0] = static_cast<char>(text[0] - 'a' + 'A');  // matched case-folded
    const WordStarts bits = WordStartBits(text);
    for (const std::string& w : words) {
      for (size_t k = 1; k <= std::min<size_t>(3, w.size()); ++k) {
        EXPECT_TRUE(bits.Contains(WordStartMask(w.substr(0, k))))
            << text << " / " << w.substr(0, k);
      }
    }
  }
}

TEST(WordStartsTest, FewPrefixesThatStartNoWordPass) {
  // Texts of 6 words (an artist's name, studio and city) against 3-letter
  // prefixes that start none of them: the filter exists to skip those rows.
  std::mt19937 rng(11);
  int tried = 0, passed = 0;
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::string> words;
    std::string text;
    for (int n = 0; n < 6; ++n) {
      std::string w;
      while (w.size() < 3) w = RandomWord(rng);
      words.push_back(w);
      text += (text.empty() ? "" : " ") + w;
    }
    const WordStarts bits = WordStartBits(text);
    for (int q = 0; q < 50; ++q) {
      std::string prefix;
      while (prefix.size() < 3) prefix = RandomWord(rng);
      prefix.resize(3);
      bool starts = false;
      for (const std::string& w : words) starts = starts || w.compare(0, 3, prefix) == 0;
      if (starts) continue;
      ++tried;
      passed += bits.Contains(WordStartMask(prefix));
    }
  }
  ASSERT_GT(tried, 90000);
  EXPECT_LT(static_cast<double>(passed) / tried, 0.004) << passed << " of " << tried;
}

TEST(WordStartsTest, FewFalseHitsOnArtistsLikeTheDirectorys) {
  // Synthetic artists' names, studios and cities (words shared by many rows:
  // "Tattoo", "Brass", a city) against 3-letter starts of other artists'
  // words that start none of theirs: ~0.1 % pass.
  synth::SynthOptions options;
  options.count = 4000;
  options.seed = 42;
  const synth::ArtistGenerator generator = *synth::ArtistGenerator::Create(options);
  std::vector<std::string> texts, prefixes;
  for (uint64_t i = 0; i < options.count; ++i) {
    const synth::ArtistRecord r = generator.Generate(i);
    texts.push_back(absl::StrCat(r.artist_name, " ", r.studio.name, " ",
                                 std::string(r.location_city), ", ",
                                 std::string(r.location_country)));
    for (absl::string_view w : absl::StrSplit(texts.back(), ' ', absl::SkipEmpty())) {
      if (w.size() >= 3) prefixes.push_back(absl::AsciiStrToLower(w.substr(0, 3)));
    }
  }
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  int tried = 0, passed = 0;
  for (size_t t = 0; t < texts.size(); t += 4) {
    const WordStarts bits = WordStartBits(texts[t]);
    const std::string lower = " " + absl::AsciiStrToLower(texts[t]);
    for (size_t q = t % 7; q < prefixes.size(); q += 7) {
      if (absl::StrContains(lower, " " + prefixes[q])) continue;
      ++tried;
      passed += bits.Contains(WordStartMask(prefixes[q]));
    }
  }
  ASSERT_GT(tried, 100000);
  EXPECT_LT(static_cast<double>(passed) / tried, 0.003) << passed << " of " << tried;
}

int SharedBits(const WordStarts& a, const WordStarts& b) {
  return std::popcount(a.lo & b.lo) + std::popcount(a.hi & b.hi);
}

TEST(WordStartsTest, StartsThatDifferInOneLetterShareNoMoreBitsThanChance) {
  // If "bra" and "bru" shared two of their three bits, every row with
  // "Brass" would let "bru" through with one more bit from its other words.
  // A hash that mixed the third letter poorly would make that common; by
  // chance two of 3 bits in 128 coincide ~0.1 % of the time.
  int pairs = 0, close = 0;
  for (char a = 'a'; a <= 'z'; ++a) {
    for (char b = 'a'; b <= 'z'; ++b) {
      const WordStarts two = WordStartMask(std::string{a, b});
      for (char c = 'a'; c <= 'z'; ++c) {
        WordStarts abc = WordStartMask(std::string{a, b, c});
        abc.lo &= ~two.lo;  // the 3-letter item's own bits
        abc.hi &= ~two.hi;
        for (char d = c + 1; d <= 'z'; ++d) {
          ++pairs;
          close += SharedBits(abc, WordStartMask(std::string{a, b, d})) >= 2;
        }
      }
    }
  }
  EXPECT_LT(static_cast<double>(close) / pairs, 0.005) << close << " of " << pairs;
}

TEST(WordStartsTest, ShortPrefixesAndEmptyText) {
  EXPECT_TRUE(WordStartBits("").Contains(WordStartMask("")));
  EXPECT_TRUE(WordStartBits("").Contains(WordStartMask("s")));  // one letter: no filtering
  EXPECT_FALSE(WordStartBits("").Contains(WordStartMask("sa")));
  EXPECT_TRUE(WordStartBits("San Diego").Contains(WordStartMask("di")));
  EXPECT_TRUE(WordStartBits("San Diego").Contains(WordStartMask("die")));
}

TEST(WordStartBits, WordsBeginAsTheirSuggestKeysDo) {
  // The filter must pass what a folded, lowercased prefix asks for
  // ("luk" and "łuk" are the key "luk").
  const WordStarts bits = WordStartBits("Łukasz Élodie");
  EXPECT_TRUE(bits.Contains(WordStartMask("luk")));
  EXPECT_TRUE(bits.Contains(WordStartMask("elo")));
  EXPECT_TRUE(WordStartBits("Ærø").Contains(WordStartMask("aer")));
  EXPECT_TRUE(WordStartBits("Йошкар").Contains(WordStartMask(SuggestKey("Йо"))));
}

}  // namespace
}  // namespace inkdex::engine
