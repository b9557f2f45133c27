#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/row.h"

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
  EXPECT_LT(static_cast<double>(passed) / tried, 0.015) << passed << " of " << tried;
}

TEST(WordStartsTest, ShortPrefixesAndEmptyText) {
  EXPECT_TRUE(WordStartBits("").Contains(WordStartMask("")));
  EXPECT_TRUE(WordStartBits("").Contains(WordStartMask("s")));  // one letter: no filtering
  EXPECT_FALSE(WordStartBits("").Contains(WordStartMask("sa")));
  EXPECT_TRUE(WordStartBits("San Diego").Contains(WordStartMask("di")));
  EXPECT_TRUE(WordStartBits("San Diego").Contains(WordStartMask("die")));
}

}  // namespace
}  // namespace inkdex::engine
