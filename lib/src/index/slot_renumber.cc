// IndexImpl::RenumberSlots: hands out every stored record's slot (its row
// and its Xapian docid) afresh, in S2 cell order of the primary location,
// as an offline build does (BulkLoader).
//
// Why: Apply gives a new artist the lowest free slot or the next one, and an
// artist keeps its slot when it moves, so an index fed for long by a stream
// loses the order its build gave it. A region's artists then no longer sit
// in a few runs of slots, and text in a region (which skips through the
// posting lists to the region's slots) reads far more of them: at 1,000,000
// artists, after 150,000 rewrites that moved their artists, ~3.5 times as
// long (bench/RESULTS.md, "Thirty-ninth session").
//
// Order: searchable artists first, by leaf cell, then hidden ones (opted
// out, inactive) by cell, then tombstones; ties by id. It depends only on
// the records' content, never on their slots, so a run that stops part way
// computes the same order when it runs again.
//
// Crash safety: the caller removed text/ first (it is rebuilt from the
// store afterwards), and kRenumberingSlotsKey is set before the first
// record changes and cleared, with the new next slot, in the last synced
// write. Between the two the store may hold two records with one slot;
// an open that finds the key set (a crash, a cancel, an I/O error) runs the
// renumbering again before anything reads a slot.
//
// Cost: two scans of the store and one rewrite of every record whose slot
// changes (most of them), written in unsynced batches; memory ~20 bytes an
// artist for the order. At 1,000,000 artists: bench/RESULTS.md.
#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/row_builder.h"
#include "geo/region.h"
#include "index/index_impl.h"

namespace inkdex::index {

absl::Status IndexImpl::RenumberSlots(const std::function<bool()>& cancelled) {
  auto check_cancelled = [&cancelled](absl::string_view stage) {
    if (!cancelled || !cancelled()) return absl::OkStatus();
    return absl::CancelledError(
        absl::StrCat("index: renumbering the slots cancelled ", stage,
                     "; the next open of the index finishes it before serving"));
  };
  if (absl::Status s = store_->PutMetadata(kRenumberingSlotsKey, "1"); !s.ok()) return s;

  // The records in scan (id) order: (rank, cell, scan position).
  struct Place {
    uint8_t rank;  // 0 searchable, 1 hidden, 2 tombstone
    uint64_t cell;
    uint32_t position;
  };
  std::vector<Place> order;
  absl::Status scanned =
      store_->ForEachRecordBatch(kRecordBatch, [&](const store::DocStore::RecordBatch& batch) {
        for (const auto& [id, r] : batch.records) {
          const auto position = static_cast<uint32_t>(order.size());
          if (r->deleted()) {
            order.push_back({2, 0, position});
          } else {
            const uint64_t cell = geo::LeafCellId(r->artist().location().latitude(),
                                                  r->artist().location().longitude());
            order.push_back(
                {engine::IsSearchable(r->artist()) ? uint8_t{0} : uint8_t{1}, cell, position});
          }
        }
        return check_cancelled("while reading the stored records");
      });
  if (!scanned.ok()) return scanned;
  std::sort(order.begin(), order.end(), [](const Place& a, const Place& b) {
    return std::tie(a.rank, a.cell, a.position) < std::tie(b.rank, b.cell, b.position);
  });
  std::vector<uint32_t> slot_at(order.size());  // by scan position
  for (size_t k = 0; k < order.size(); ++k)
    slot_at[order[k].position] = static_cast<uint32_t>(k + 1);
  const size_t records = order.size();
  std::vector<Place>().swap(order);

  // Nothing else writes meanwhile (the writer's lock), so the second scan
  // meets the same records in the same order.
  size_t position = 0;
  std::vector<std::pair<std::string, StoredRecord>> rewrites;
  absl::Status rewritten =
      store_->ForEachRecordBatch(kRecordBatch, [&](const store::DocStore::RecordBatch& batch) {
        for (const auto& [id, r] : batch.records) {
          if (position++ >= records) continue;  // reported below
          const uint32_t slot = slot_at[position - 1];
          if (r->slot() == slot) continue;
          rewrites.emplace_back(id, *r);
          rewrites.back().second.set_slot(slot);
        }
        if (absl::Status s = store_->RewriteRecords(rewrites); !s.ok()) return s;
        rewrites.clear();
        return check_cancelled("while rewriting the stored records");
      });
  if (!rewritten.ok()) return rewritten;
  // A record count that changed between the scans (nothing may write
  // meanwhile) leaves the key set: the next open renumbers again.
  if (position != records) {
    return absl::InternalError(absl::StrCat("index: the store held ", records,
                                            " records when their slots were ordered and ", position,
                                            " when they were rewritten"));
  }
  return store_->SetNextSlot(static_cast<uint32_t>(records + 1), {{kRenumberingSlotsKey, ""}});
}

}  // namespace inkdex::index
