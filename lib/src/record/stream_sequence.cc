#include "record/stream_sequence.h"

#include <algorithm>

namespace inkdex::internal {

bool IsValidStreamSequence(std::string_view s) {
  return !s.empty() && s.size() <= kMaxStreamSequenceDigits &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view CanonicalStreamSequence(std::string_view s) {
  const size_t first = s.find_first_not_of('0');
  return first == std::string_view::npos ? s.substr(s.size() - 1) : s.substr(first);
}

int CompareStreamSequences(std::string_view a, std::string_view b) {
  a = CanonicalStreamSequence(a);
  b = CanonicalStreamSequence(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

uint64_t StreamSequencePrefix(std::string_view s) {
  s = CanonicalStreamSequence(s);
  uint64_t digits = 0;
  for (size_t i = 0; i < kStreamSequencePrefixDigits; ++i) {
    digits = digits * 10 + (i < s.size() ? static_cast<uint64_t>(s[i] - '0') : 0);
  }
  // 10^17 < 2^57, and a count of at most 40 takes 6 bits above them.
  return (static_cast<uint64_t>(s.size()) << 57) | digits;
}

}  // namespace inkdex::internal
