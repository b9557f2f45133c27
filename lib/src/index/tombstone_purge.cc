// IndexImpl::PurgeTombstones: forgets old deletes and frees their slots.
//
// The tombstones are the slots in IndexImpl::tombstone_slots_, visited in
// slot order (a batch's erased rows then share row pages); a tombstone's
// stored record holds its deletion time. The purge is
// a commit like any other (seq + 1, commit log entry naming the ids, Xapian
// at the new seq), so recovery and readers need nothing new: the ids'
// Xapian documents were deleted by the commit that made them tombstones,
// and a replay of the purge finds no record for them and skips them. (A
// replay never has to delete such a document: the purge catches Xapian up
// first, so the delete is in Xapian before its tombstone can go, and a
// machine restart that loses Xapian's unsynced commits rebuilds text/ from
// the documents instead of replaying.)
// An artist's kept item states (item_states.h) go with its tombstone, in the
// same commit: the tombstone's deletion time is the newest of its items'.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/snapshot_update.h"
#include "index/disk_space.h"
#include "index/index_impl.h"

namespace inkdex::index {

absl::StatusOr<TombstonePurge> IndexImpl::PurgeTombstones(const TombstonePurgeOptions& options) {
  if (options.max_records == 0) {
    return absl::InvalidArgumentError("max_records: must be greater than 0");
  }
  absl::MutexLock lock(&write_mu_);
  if (absl::Status s = CheckFreeDiskSpace(dir_, options_.min_free_disk_bytes); !s.ok()) return s;
  if (absl::Status s = CatchUpSearchIndex(); !s.ok()) return s;
  const std::shared_ptr<const engine::Snapshot> base = snapshot();
  store::CommitWrite write = NextCommit();
  // InfinitePast() saturates to the smallest value: nothing is older.
  const int64_t horizon = absl::ToUnixMicros(options.deleted_before);
  std::vector<uint32_t> erased_slots;
  TombstonePurge result;
  for (const uint32_t slot : tombstone_slots_) {
    if (write.records.size() + write.erased.size() >= options.max_records) {
      result.more = true;
      break;
    }
    const engine::Row* row = base->rows.has(slot) ? &base->rows.row(slot) : nullptr;
    if (row == nullptr || !engine::IsTombstoneRow(*row)) {
      return absl::InternalError(
          absl::StrCat("index: slot ", slot, " is listed as a tombstone but holds none"));
    }
    absl::StatusOr<std::optional<StoredRecord>> stored = store_->Get(row->id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value() || !(*stored)->deleted() || (*stored)->slot() != slot) {
      return absl::InternalError(absl::StrCat("artist '", row->id, "': the tombstone at slot ",
                                              slot, " is not in the document store"));
    }
    StoredRecord& record = **stored;
    if (record.deleted_unix_micros() == 0) {
      record.set_deleted_unix_micros(write.unix_micros);
      write.records.emplace_back(row->id, std::move(record));
      ++result.dated;
    } else if (record.deleted_unix_micros() < horizon) {
      if (record.has_item_states()) write.item_states.emplace_back(row->id, ItemStates());
      write.erased.push_back(row->id);
      erased_slots.push_back(slot);
    }
  }
  result.purged = write.erased.size();
  if (write.records.empty() && write.erased.empty()) {
    result.remaining = base->tombstones;
    result.commit_seq = base->seq;
    return result;
  }
  if (absl::Status s = CommitToStore(&write); !s.ok()) return s;
  for (const std::string& id : write.erased) slot_of_.erase(id);
  for (uint32_t slot : erased_slots) {
    tombstone_slots_.erase(slot);
    item_state_slots_.erase(slot);
  }
  item_state_artists_.store(item_state_slots_.size(), std::memory_order_relaxed);
  free_slots_.insert(erased_slots.begin(), erased_slots.end());

  engine::SnapshotUpdate update(*base, taxonomy_, strings_);
  for (const auto& [id, record] : write.records) update.Set(record.slot(), id, record);
  for (uint32_t slot : erased_slots) update.Erase(slot);
  std::shared_ptr<const engine::Snapshot> next =
      std::move(update).Finish(write.seq, write.unix_micros);
  result.remaining = next->tombstones;
  result.commit_seq = write.seq;
  // No Xapian document changes: the tombstones' documents went with the
  // deletes.
  if (absl::Status s = CommitToSearchIndex(
          write.seq, std::move(next), [] {}, "tombstone purge commit");
      !s.ok()) {
    return s;
  }
  return result;
}

}  // namespace inkdex::index
