// SlotRangeSpill: stored records sorted into runs of consecutive slots
// through files, for rebuilding the search index with the bulk load's
// parallel writers (search_index_parts.h).
//
// The writers need their records in runs of consecutive slots, and the
// document store is read in id order, which is not slot order. Reading each
// record by slot instead costs a RocksDB block decompressed per record
// (~23 us of CPU; bench/ANALYSIS.md "Build: writers beside the load"). So a
// rebuild scans the store once, Adds each searchable record to the file of
// its range of `range_slots` slots (buffered, ~256 KiB a write), then Takes
// the ranges back in slot order, each sorted by slot.
//
// Disk: the records' serialized size (~0.5 KB an artist), in `dir`; each
// range's file is removed when it is taken, and `dir` by the destructor.
// Memory: up to 256 KiB of buffer per range while adding, one range's
// records while taking.
//
// Thread safety: none (one thread at a time).
#ifndef INKDEX_INDEX_SLOT_RANGE_SPILL_H_
#define INKDEX_INDEX_SLOT_RANGE_SPILL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inkdex/artist.pb.h"

namespace inkdex::index {

class SlotRangeSpill {
 public:
  // Spills into `dir` (created; anything there before is removed), for
  // slots below `slot_limit`, in ranges of `range_slots` slots (>= 1).
  SlotRangeSpill(std::string dir, uint32_t slot_limit, uint32_t range_slots);
  // Removes `dir`.
  ~SlotRangeSpill();

  SlotRangeSpill(const SlotRangeSpill&) = delete;
  SlotRangeSpill& operator=(const SlotRangeSpill&) = delete;

  // Adds `record` to the range of record.slot(). INVALID_ARGUMENT for a
  // slot at or above slot_limit; INTERNAL naming the file when a write
  // fails (a full disk).
  absl::Status Add(const StoredRecord& record);
  // Writes what is still buffered. REQUIRES: before the first Take.
  absl::Status Flush();

  size_t ranges() const { return buffers_.size(); }
  // The first slot after range k.
  uint32_t RangeEnd(size_t k) const;
  // Bytes written to the files so far.
  uint64_t bytes_written() const { return bytes_written_; }
  // Range k's records, sorted by slot; its file is removed. INTERNAL naming
  // the file when it cannot be read or does not parse. REQUIRES: each range
  // is taken once.
  absl::StatusOr<std::vector<std::pair<uint32_t, StoredRecord>>> Take(size_t k);

 private:
  std::string RangePath(size_t k) const;
  absl::Status WriteRange(size_t k);

  const std::string dir_;
  const uint32_t slot_limit_;
  const uint32_t range_slots_;
  std::vector<std::string> buffers_;  // one per range: what is not written yet
  uint64_t bytes_written_ = 0;
  absl::Status dir_status_;  // creating dir_
};

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_SLOT_RANGE_SPILL_H_
