// IndexImpl::RebuildSearchIndex: text/ written again from every stored
// document, by the bulk load's parallel writers (search_index_parts.h).
//
// One scan of the document store (id order) spills each searchable record
// into the file of its range of slots (slot_range_spill.h); the ranges are
// then taken back in slot order and handed to SearchIndexParts, whose
// writers (one per core) build the documents and write the parts while
// later ranges are read; MergeIntoSearchIndex merges them into text/ and
// syncs it. Cost at 1,000,000 artists on two cores: ~50 s (~62 s with one
// writer reading each record by id; bench/ANALYSIS.md "Rebuilds by the
// parallel writers"), and ~3.6 times the spill's ~0.5 KB an artist of
// free disk at the peak.
//
// Crash safety: text/ was emptied before (ReplaceSearchIndexFromStore) and
// gets its commit seq only with the merge, so an open after a crash during
// the rebuild finds it behind the store and rebuilds again; Open removes
// the spill and the parts left behind.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/row_builder.h"
#include "index/disk_space.h"
#include "index/index_impl.h"
#include "index/slot_range_spill.h"

namespace inkdex::index {

absl::Status IndexImpl::RebuildSearchIndex(const std::function<bool()>& cancelled) {
  const uint32_t range_slots = rebuild_part_slots_;
  SlotRangeSpill spill(dir_ + "/text.spill", store_->state().next_slot, range_slots);
  auto check_cancelled = [&cancelled](absl::string_view stage) {
    if (!cancelled || !cancelled()) return absl::OkStatus();
    return absl::CancelledError(absl::StrCat("search index: rebuild cancelled ", stage));
  };
  absl::Status scanned =
      store_->ForEachRecordBatch(kRecordBatch, [&](const store::DocStore::RecordBatch& batch) {
        for (const auto& [id, r] : batch.records) {
          if (r->deleted() || !engine::IsSearchable(r->artist())) continue;
          if (absl::Status s = spill.Add(*r); !s.ok()) return s;
        }
        return check_cancelled("while reading the stored records");
      });
  if (scanned.ok()) scanned = spill.Flush();
  if (!scanned.ok()) return scanned;
  // The parts and their merge take ~3.6 times the spill at their peak
  // (bench/ANALYSIS.md "Rebuilds by the parallel writers"): refused here
  // rather than failing in Xapian, which can end the process on ENOSPC.
  const uint64_t reserve = options_.min_free_disk_bytes;
  const uint64_t needed = reserve + std::min(4 * spill.bytes_written(), UINT64_MAX - reserve);
  if (std::optional<uint64_t> free_bytes = FreeDiskBytes(dir_);
      options_.min_free_disk_bytes > 0 && free_bytes.has_value() && *free_bytes < needed) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "index: rebuilding the search index of '", dir_, "' needs about ", needed >> 20,
        " MiB free on its volume (4 times the ", spill.bytes_written() >> 20,
        " MiB of records, plus IndexOptions::min_free_disk_bytes) and ", *free_bytes >> 20,
        " MiB are: free space or grow the volume, then open it again"));
  }

  SearchIndexParts parts(dir_ + "/text.parts", taxonomy_, /*first_slot=*/0, /*writers=*/0,
                         range_slots);
  for (size_t k = 0; k < spill.ranges(); ++k) {
    if (absl::Status s = check_cancelled("while writing the parts"); !s.ok()) return s;
    absl::StatusOr<std::vector<std::pair<uint32_t, StoredRecord>>> records = spill.Take(k);
    if (!records.ok()) return records.status();
    for (auto& [slot, record] : *records) {
      // Records stored before content hashes have none; the writers need it.
      if (record.content_hash() == 0) record.set_content_hash(text::ContentHash(record.artist()));
    }
    parts.Add(*std::move(records), spill.RangeEnd(k));
  }
  absl::StatusOr<std::vector<std::string>> paths = parts.Finish(cancelled);
  if (!paths.ok()) return paths.status();
  // Before `parts` goes: the merge reads its databases.
  return MergeIntoSearchIndex(*paths);
}

void IndexImpl::SetRebuildPartSlotsForTesting(uint32_t slots) {
  absl::MutexLock lock(&write_mu_);
  rebuild_part_slots_ = slots;
}

}  // namespace inkdex::index
