// Stream sequence numbers as versions (see "Versions" in inkdex/index.h).
//
// A DynamoDB stream record's SequenceNumber is a string of 21..40 decimal
// digits (DynamoDB Local pads small numbers with zeros), too long for 64
// bits. inkdex keeps it as text and orders it as an unsigned decimal number:
// canonical form drops leading zeros, and two canonical numbers compare by
// length first, then byte by byte. Cost: O(length), no allocation.
//
// Thread safety: pure functions.
#ifndef INKDEX_RECORD_STREAM_SEQUENCE_H_
#define INKDEX_RECORD_STREAM_SEQUENCE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace inkdex::internal {

inline constexpr size_t kMaxStreamSequenceDigits = 40;

// 1..40 ASCII digits.
bool IsValidStreamSequence(std::string_view s);

// `s` without leading zeros ("0" when all zeros).
// REQUIRES: IsValidStreamSequence(s).
std::string_view CanonicalStreamSequence(std::string_view s);

// <0, 0, >0 as a is less than, equal to, greater than b, numerically.
// REQUIRES: both IsValidStreamSequence.
int CompareStreamSequences(std::string_view a, std::string_view b);

// An order-preserving summary of a sequence number in 63 bits: its digit
// count (canonical) above its first 17 digits. Prefix(a) > Prefix(b) means
// a > b, and < means <; equal prefixes mean equal numbers only when they have
// at most 17 digits (DynamoDB's have 21 or more: then they decide nothing).
// It lets the in-memory rows order most stream versions without the stored
// digits (Index::Apply reads those only for the rest).
// REQUIRES: IsValidStreamSequence(s).
uint64_t StreamSequencePrefix(std::string_view s);
inline constexpr size_t kStreamSequencePrefixDigits = 17;

}  // namespace inkdex::internal

#endif  // INKDEX_RECORD_STREAM_SEQUENCE_H_
