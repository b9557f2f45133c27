// Stream sequence numbers: canonical form, numeric order, and the prefix
// the in-memory rows order them by.
#include "record/stream_sequence.h"

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace inkdex::internal {
namespace {

int Sign(int v) { return (v > 0) - (v < 0); }
int Sign(uint64_t a, uint64_t b) { return a < b ? -1 : a > b ? 1 : 0; }

TEST(StreamSequenceTest, ComparesAsUnsignedDecimals) {
  EXPECT_EQ(CanonicalStreamSequence("000120"), "120");
  EXPECT_EQ(CanonicalStreamSequence("0000"), "0");
  EXPECT_EQ(CompareStreamSequences("0099", "100"), -1);
  EXPECT_EQ(CompareStreamSequences("100", "00100"), 0);
  EXPECT_EQ(CompareStreamSequences(std::string(40, '9'), "1" + std::string(39, '0')), 1);
}

TEST(StreamSequenceTest, PrefixesOfShortNumbersAreExact) {
  EXPECT_EQ(StreamSequencePrefix("0"), StreamSequencePrefix("000"));
  EXPECT_EQ(StreamSequencePrefix("00123"), StreamSequencePrefix("123"));
  EXPECT_LT(StreamSequencePrefix("99"), StreamSequencePrefix("100"));
  EXPECT_LT(StreamSequencePrefix("12"), StreamSequencePrefix("13"));
  // 17 digits: still the whole number.
  EXPECT_LT(StreamSequencePrefix("12345678901234567"), StreamSequencePrefix("12345678901234568"));
  // The largest fits in 63 bits, above every shorter number.
  const uint64_t top = StreamSequencePrefix(std::string(40, '9'));
  EXPECT_LT(top, uint64_t{1} << 63);
  EXPECT_GT(top, StreamSequencePrefix(std::string(39, '9')));
}

TEST(StreamSequenceTest, PrefixesOfLongNumbersTieOnlyWhenTheirFirstDigitsDo) {
  const std::string head = "1111000000000000054";  // DynamoDB-like
  EXPECT_EQ(StreamSequencePrefix(head + "78513457"), StreamSequencePrefix(head + "78513458"));
  EXPECT_EQ(StreamSequencePrefix(head + "9"), StreamSequencePrefix(head + "0"));
  EXPECT_LT(StreamSequencePrefix(head + "9"), StreamSequencePrefix(head + "00"));
  EXPECT_LT(StreamSequencePrefix("11110000000000000"
                                 "99999"),
            StreamSequencePrefix("11110000000000001"
                                 "00000"));
}

TEST(StreamSequenceTest, PrefixOrderAgreesWithNumericOrder) {
  // Pairs drawn to share leading digits often, at every length 1..40 (with
  // leading zeros now and then): a strict prefix order is the numbers'
  // order, and a tie means equal numbers when they have <= 17 digits.
  std::mt19937_64 rng(42);
  auto digits = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  int ties_decided = 0, ties_undecided = 0;
  for (int i = 0; i < 200000; ++i) {
    const size_t length = 1 + rng() % kMaxStreamSequenceDigits;
    const std::string a = digits(length);
    std::string b = a.substr(0, rng() % (length + 1));
    b += digits(length - b.size());
    if (rng() % 8 == 0 && b.size() < kMaxStreamSequenceDigits) b = "0" + b;
    if (rng() % 8 == 0 && b.size() > 1) b.pop_back();
    const int order = CompareStreamSequences(a, b);
    const uint64_t pa = StreamSequencePrefix(a), pb = StreamSequencePrefix(b);
    if (pa != pb) {
      ASSERT_EQ(Sign(pa, pb), Sign(order)) << a << " vs " << b;
    } else if (CanonicalStreamSequence(a).size() <= kStreamSequencePrefixDigits) {
      ASSERT_EQ(order, 0) << a << " vs " << b;
      ++ties_decided;
    } else {
      ++ties_undecided;
    }
  }
  // Both kinds of tie were drawn.
  EXPECT_GT(ties_decided, 1000);
  EXPECT_GT(ties_undecided, 1000);
}

}  // namespace
}  // namespace inkdex::internal
