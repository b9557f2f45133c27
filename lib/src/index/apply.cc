// IndexImpl::Apply: judges each change of a batch against what the index
// holds (versions, and item states for ranked changes: item_states.h),
// then commits the batch (CommitToStore, CommitToSearchIndex).
#include <algorithm>
#include <future>

#include "absl/strings/str_cat.h"
#include "engine/row_builder.h"
#include "engine/snapshot_update.h"
#include "index/change_version.h"
#include "index/disk_space.h"
#include "index/index_impl.h"
#include "index/item_states.h"
#include "inkdex/record.h"
#include "record/stream_sequence.h"
#include "text/document_builder.h"

namespace inkdex::index {
namespace {

// Styles given by code may be aliases: store canonical ids, each once in the
// order given, and keep unknowns.
void CanonicalizeStyles(const StyleTaxonomy& taxonomy, Artist* a) {
  std::vector<std::string> ids;
  for (const std::string& s : a->styles()) {
    if (std::optional<int> i = taxonomy.Find(s)) {
      const std::string& id = taxonomy.style(*i).id;
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    } else {
      a->add_unknown_styles(s);
    }
  }
  a->clear_styles();
  for (std::string& id : ids) a->add_styles(std::move(id));
}

// The record change `c` stores: at `version` and `rank`, in `slot` (0: a
// new id's, assigned later); an upsert's artist with canonical styles and
// its content hash, a delete's tombstone dated `unix_micros`.
StoredRecord RecordOf(const Change& c, VersionRef version, uint32_t rank, uint32_t slot,
                      int64_t unix_micros, const StyleTaxonomy& taxonomy) {
  StoredRecord record;
  record.set_version(version.number);
  record.set_stream_sequence(std::string(version.stream));
  record.set_source_rank(rank);
  record.set_slot(slot);
  if (c.kind == Change::Kind::kUpsert) {
    *record.mutable_artist() = c.artist;
    record.mutable_artist()->set_version(version.number);
    record.mutable_artist()->set_stream_sequence(std::string(version.stream));
    CanonicalizeStyles(taxonomy, record.mutable_artist());
    if (engine::IsSearchable(record.artist())) {
      record.set_content_hash(text::ContentHash(record.artist()));
    }
  } else {
    record.set_deleted(true);
    record.set_deleted_unix_micros(unix_micros);
  }
  return record;
}

// Whether a change at `version` of rank `rank` is newer than the stored
// record whose row is `row`, and applies as an unranked change would, with
// the row alone to go by: a change of the record's own rank, or one where
// either is unranked, replaces the record when newer (item_states.h), given
// that the record keeps no other item's state (the caller checks). False
// when the row cannot tell (equal stream prefixes) or the change is not
// newer: the caller reads the stored record.
bool NewerThanRow(VersionRef version, uint32_t rank, const engine::Row& row) {
  if (rank != 0 && row.source_rank != 0 && rank != row.source_rank) return false;
  if (!row.stream_version) return !version.stream.empty() || version.number > row.version;
  return !version.stream.empty() && internal::StreamSequencePrefix(version.stream) > row.version;
}

}  // namespace

absl::StatusOr<std::vector<ChangeResult>> IndexImpl::Apply(const WriteBatch& batch) {
  absl::MutexLock lock(&write_mu_);
  if (absl::Status s = CheckFreeDiskSpace(dir_, options_.min_free_disk_bytes); !s.ok()) return s;
  if (absl::Status s = CatchUpSearchIndex(); !s.ok()) return s;
  const std::shared_ptr<const engine::Snapshot> base = snapshot();
  store::CommitWrite write = NextCommit();
  write.metadata = batch.metadata();
  for (const auto& [key, value] : batch.metadata()) {
    if (key.empty() || key.size() > 1024) {
      return absl::InvalidArgumentError("metadata key: must be 1..1024 bytes");
    }
  }

  std::vector<ChangeResult> results(batch.size());
  absl::flat_hash_map<std::string, size_t> in_batch;  // id -> index in write.records
  absl::flat_hash_map<std::string, uint32_t> new_slots;
  ItemStatesBatch items(*store_);
  auto stage = [&](const std::string& id, StoredRecord record) {
    if (auto it = in_batch.find(id); it != in_batch.end()) {
      write.records[it->second].second = std::move(record);
    } else {
      in_batch[id] = write.records.size();
      write.records.emplace_back(id, std::move(record));
    }
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    const Change& c = batch.changes()[i];
    ChangeResult& result = results[i];
    const bool upsert = c.kind == Change::Kind::kUpsert;
    const std::string& id = upsert ? c.artist.id() : c.id;
    absl::StatusOr<VersionRef> version = VersionOf(c);
    if (!version.ok()) {
      result = {ChangeResult::Outcome::kRejected, std::string(version.status().message())};
      continue;
    }
    if (upsert) {
      if (absl::Status s = ValidateArtist(c.artist); !s.ok()) {
        result = {ChangeResult::Outcome::kRejected, std::string(s.message())};
        continue;
      }
    } else if (id.empty() || id.size() > 256) {
      result = {ChangeResult::Outcome::kRejected, "id: must be 1..256 bytes"};
      continue;
    }
    // The version to beat: this batch's own earlier change, else the
    // snapshot's row, which decides most changes (NewerThanRow); else the
    // stored record, read (a stale stream change, a prefix tie, kept item
    // states, another item's rank: ~10-20 us at 1M, a block decompressed).
    const uint32_t rank = RankOf(c);
    VersionRef current;
    std::optional<StoredRecord> stored;
    const StoredRecord* prior = nullptr;  // when known and read
    bool known = false;
    bool newer = false;  // known newer than the stored record, which was not read
    uint32_t slot = 0;
    if (auto it = in_batch.find(id); it != in_batch.end()) {
      prior = &write.records[it->second].second;
      current = VersionOf(*prior);
      slot = prior->slot();
      known = true;
    } else if (auto s = slot_of_.find(id); s != slot_of_.end()) {
      slot = s->second;
      known = true;
      const engine::Row& row = base->rows.row(slot);
      if (NewerThanRow(*version, rank, row) && !items.Changed(id) &&
          !item_state_slots_.contains(slot)) {
        newer = true;
      } else if (!row.stream_version && rank == 0) {
        current.number = row.version;
      } else {
        absl::StatusOr<std::optional<StoredRecord>> r = store_->Get(id);
        if (!r.ok()) return r.status();
        if (!r->has_value()) {
          return absl::InternalError(absl::StrCat("artist '", id, "': indexed but not stored"));
        }
        stored = std::move(**r);
        prior = &*stored;
        current = VersionOf(*stored);
      }
    }
    auto make_record = [&] {
      return RecordOf(c, *version, rank, slot, write.unix_micros, taxonomy_);
    };
    // A ranked change of a ranked artist: per item (item_states.h).
    if (rank != 0 && prior != nullptr && prior->source_rank() != 0) {
      absl::StatusOr<ItemStep> step = items.Apply(id, *prior, *version, rank, make_record);
      if (!step.ok()) return step.status();
      result = std::move(step->result);
      if (step->changed) stage(id, std::move(step->stored));
      continue;
    }
    if (known && !newer && CompareVersions(*version, current) <= 0) {
      result = {ChangeResult::Outcome::kStale,
                absl::StrCat(DescribeVersion(*version), " <= stored ", DescribeVersion(current))};
      continue;
    }
    // Replaced whole (item_states.h, cases 15-17): the kept states go.
    if (items.Changed(id) || (slot != 0 && item_state_slots_.contains(slot))) items.Drop(id);
    // A new id's slot (0 until assigned below) is chosen after the loop.
    stage(id, make_record());
  }
  std::move(items).AddTo(&write);
  if (write.records.empty() && write.metadata.empty() && write.item_states.empty()) {
    return results;
  }
  const size_t free_used = AssignNewSlots(&write, &new_slots);
  if (absl::Status s = CommitToStore(&write); !s.ok()) return s;
  free_slots_.erase(free_slots_.begin(), std::next(free_slots_.begin(), free_used));
  for (auto& [id, slot] : new_slots) slot_of_[id] = slot;
  for (const auto& [id, record] : write.records) {
    if (record.deleted()) {
      tombstone_slots_.insert(record.slot());
    } else {
      tombstone_slots_.erase(record.slot());
    }
    if (record.has_item_states()) {
      item_state_slots_.insert(record.slot());
    } else {
      item_state_slots_.erase(record.slot());
    }
  }
  item_state_artists_.store(item_state_slots_.size(), std::memory_order_relaxed);

  // The next snapshot is built on another thread while this one writes
  // Xapian's documents and commits (~10-15 % of a stream batch's commit at
  // 1,000,000 artists, bench/RESULTS.md): both only read the records and
  // the base snapshot. A small commit is not worth a thread.
  // It also lets go of the snapshot the last commit replaced (replaced_).
  auto build_snapshot = [&, replaced = std::move(replaced_)]() mutable {
    replaced.reset();
    engine::SnapshotUpdate update(*base, taxonomy_, strings_);
    for (const auto& [id, record] : write.records) update.Set(record.slot(), id, record);
    return std::move(update).Finish(write.seq, write.unix_micros);
  };
  constexpr size_t kConcurrentSnapshotMin = 64;
  if (absl::Status s = CommitToSearchIndex(
          write.seq,
          std::async(write.records.size() >= kConcurrentSnapshotMin ? std::launch::async
                                                                    : std::launch::deferred,
                     std::move(build_snapshot)),
          [&] { IndexRecords(write, *base); }, "commit", &write);
      !s.ok()) {
    return s;
  }
  return results;
}

}  // namespace inkdex::index
