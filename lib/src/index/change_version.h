// The version of a change or of a stored record, and their order (see
// "Versions" in inkdex/index.h): a stream sequence number outranks every
// numeric version; stream sequence numbers compare as unsigned decimals,
// numeric versions as integers.
//
// A VersionRef borrows the digits of the Change or StoredRecord it was taken
// from, which must outlive it. Thread safety: pure functions.
#ifndef INKDEX_INDEX_CHANGE_VERSION_H_
#define INKDEX_INDEX_CHANGE_VERSION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "inkdex/artist.pb.h"
#include "inkdex/index.h"

namespace inkdex::index {

struct VersionRef {
  uint64_t number = 0;      // the numeric version when `stream` is empty
  std::string_view stream;  // canonical digits (no leading zeros); empty: numeric
};

VersionRef VersionOf(const StoredRecord& record);

// The change's version; INVALID_ARGUMENT "streamSequence: ..." when its
// stream sequence number is not 1..40 decimal digits.
absl::StatusOr<VersionRef> VersionOf(const Change& change);

// <0, 0, >0 as a is older than, the same as, newer than b.
int CompareVersions(VersionRef a, VersionRef b);

// The source rank of a change (Artist.source_rank of an upsert,
// Change::source_rank of a delete); 0: unranked.
uint32_t RankOf(const Change& change);

// "version 5" or "stream sequence 1200", for stale reasons.
std::string DescribeVersion(VersionRef v);

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_CHANGE_VERSION_H_
