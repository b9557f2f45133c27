// SnapshotUpdate: derives the next Snapshot from the current one and a set
// of changed records, sharing every untouched row page and the geo base.
//
// Cost: O(changed rows + changed pages * page size + delta size); when the
// geo delta outgrows max(16384, base/8) entries it is merged into a new base,
// O(n), amortized over the changes that grew it (the suggest indexes alike,
// suggest_index.h).
//
// Thread safety: used by the single writer; the result is immutable.
#ifndef INKDEX_ENGINE_SNAPSHOT_UPDATE_H_
#define INKDEX_ENGINE_SNAPSHOT_UPDATE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/snapshot.h"
#include "engine/string_pool.h"
#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"

namespace inkdex::engine {

class SnapshotUpdate {
 public:
  // REQUIRES: `pool` is the pool the base's rows point into; it must outlive
  // every snapshot (the result holds it).
  SnapshotUpdate(const Snapshot& base, const StyleTaxonomy& taxonomy,
                 std::shared_ptr<StringPool> pool);

  // The record now stored for `slot` (a live document or a tombstone).
  void Set(uint32_t slot, const std::string& id, const StoredRecord& record);
  // `slot` no longer holds any id (its tombstone was purged): the row is
  // emptied, keeping its generation so that geo entries of an earlier
  // occupant stay invalid when the slot is reused. REQUIRES: the row is a
  // tombstone (not live).
  void Erase(uint32_t slot);

  std::shared_ptr<const Snapshot> Finish(uint64_t seq, int64_t commit_unix_micros) &&;

 private:
  // The suggest index entries of a live row, `n` of them (+1 or -1).
  void CountSuggest(const Row& row, uint32_t slot, int64_t n);

  const Snapshot& base_;
  const StyleTaxonomy& taxonomy_;
  std::shared_ptr<StringPool> pool_;
  RowTable::Builder rows_;
  SuggestIndex::Update suggest_artists_;
  SuggestIndex::Update suggest_studios_;
  SuggestIndex::Update suggest_cities_;
  // Studio names and cities are interned and repeat: counted per string
  // here, handed to their suggest indexes once per commit.
  absl::flat_hash_map<const std::string*, int64_t> studio_counts_;
  absl::flat_hash_map<const std::string*, int64_t> city_counts_;
  std::vector<geo::CellEntry> added_;
  std::vector<int64_t> style_counts_;
  int64_t live_;
  int64_t documents_;
  int64_t tombstones_;
};

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_SNAPSHOT_UPDATE_H_
