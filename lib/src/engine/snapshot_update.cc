#include "engine/snapshot_update.h"

#include <bit>

#include "engine/row_builder.h"
#include "geo/region.h"

namespace inkdex::engine {

SnapshotUpdate::SnapshotUpdate(const Snapshot& base, const StyleTaxonomy& taxonomy,
                               std::shared_ptr<StringPool> pool)
    : base_(base),
      taxonomy_(taxonomy),
      pool_(std::move(pool)),
      rows_(base.rows),
      suggest_artists_(base.suggest_artists),
      suggest_studios_(base.suggest_studios),
      suggest_cities_(base.suggest_cities),
      style_counts_(base.style_counts),
      live_(static_cast<int64_t>(base.live)),
      documents_(static_cast<int64_t>(base.documents)),
      tombstones_(static_cast<int64_t>(base.tombstones)) {
  style_counts_.resize(taxonomy.size(), 0);
}

void SnapshotUpdate::Set(uint32_t slot, const std::string& id, const StoredRecord& record) {
  Row& row = rows_.Mutable(slot);
  const Row old = row;
  if (record.deleted()) {
    row = Row();
    row.gen = old.gen;
    row.id = id;
  } else {
    FillRow(record.artist(), taxonomy_, *pool_, &row);
  }
  SetRowVersion(record, &row);
  row.content_hash = record.content_hash();
  auto count = [&](const Row& r, int delta) {
    if (!r.live) return;
    live_ += delta;
    for (uint64_t m = r.style_mask; m != 0; m &= m - 1) style_counts_[std::countr_zero(m)] += delta;
  };
  count(old, -1);
  count(row, +1);
  CountSuggest(old, slot, -1);
  CountSuggest(row, slot, +1);
  documents_ += IsDocumentRow(row) - IsDocumentRow(old);
  tombstones_ += IsTombstoneRow(row) - IsTombstoneRow(old);

  if (LocationsDiffer(old, row)) {
    row.gen = (old.gen + 1) & 0xFFFFFF;
    if (row.live) {
      for (size_t i = 0; i < row.locations.size(); ++i) {
        geo::CellEntry e;
        e.cell = geo::LeafCellId(row.locations[i].lat, row.locations[i].lon);
        e.slot = slot;
        e.gen = row.gen;
        e.location = static_cast<uint32_t>(i);
        e.tag = LocationTag(row, i);
        e.active_from = row.locations[i].from_day;
        e.active_to = row.locations[i].to_day;
        added_.push_back(e);
      }
    }
  }
  rows_.Sync(slot);
}

void SnapshotUpdate::CountSuggest(const Row& row, uint32_t slot, int64_t n) {
  if (!row.live) return;
  const RowSuggestNames names = SuggestNamesOf(row);
  if (names.name != nullptr) suggest_artists_.Add(SuggestTerm(*names.name), slot, n);
  if (names.studio != nullptr) studio_counts_[names.studio] += n;
  if (names.city != nullptr) city_counts_[names.city] += n;
}

void SnapshotUpdate::Erase(uint32_t slot) {
  Row& row = rows_.Mutable(slot);
  if (IsTombstoneRow(row)) --tombstones_;
  const uint32_t gen = row.gen;
  row = Row();
  row.gen = gen;
  rows_.Sync(slot);
}

std::shared_ptr<const Snapshot> SnapshotUpdate::Finish(uint64_t seq, int64_t micros) && {
  auto next = std::make_shared<Snapshot>();
  next->seq = seq;
  next->commit_unix_micros = micros;
  next->rows = std::move(rows_).Build();
  next->strings = pool_;
  next->style_counts = std::move(style_counts_);
  for (const auto& [studio, n] : studio_counts_) suggest_studios_.Add(SuggestTerm(*studio), 0, n);
  for (const auto& [city, n] : city_counts_) suggest_cities_.Add(SuggestTerm(*city), 0, n);
  next->suggest_artists = std::move(suggest_artists_).Finish();
  next->suggest_studios = std::move(suggest_studios_).Finish();
  next->suggest_cities = std::move(suggest_cities_).Finish();
  next->live = static_cast<uint64_t>(live_);
  next->documents = static_cast<uint64_t>(documents_);
  next->tombstones = static_cast<uint64_t>(tombstones_);
  const Snapshot& view = *next;
  auto valid = [&view](const geo::CellEntry& e) { return view.Valid(e); };
  if (added_.empty()) {
    next->geo_base = base_.geo_base;
    next->geo_delta = base_.geo_delta;
  } else {
    auto delta = std::make_shared<geo::CellIndex>(
        geo::CellIndex::Merge(*base_.geo_delta, std::move(added_), valid));
    const size_t threshold = std::max<size_t>(16384, base_.geo_base->size() / 8);
    if (delta->size() > threshold) {
      next->geo_base = std::make_shared<geo::CellIndex>(
          geo::CellIndex::Merge(*base_.geo_base, delta->entries(), valid));
      next->geo_delta = std::make_shared<geo::CellIndex>();
    } else {
      next->geo_base = base_.geo_base;
      next->geo_delta = std::move(delta);
    }
  }
  return next;
}

}  // namespace inkdex::engine
