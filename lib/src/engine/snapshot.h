// Snapshot: one commit's complete, immutable search state. Searches take a
// shared_ptr to the current snapshot and use nothing else, so a search sees
// all of a commit or none of it and never waits for the writer.
//
// Geo lookups go through two CellIndexes: a large `geo_base` and a small
// `geo_delta` holding entries added since the base was built. An entry is
// valid only while its row is live and has the entry's generation, so
// superseded entries in either index are skipped, never edited out.
//
// Thread safety: immutable; share across threads.
#ifndef INKDEX_ENGINE_SNAPSHOT_H_
#define INKDEX_ENGINE_SNAPSHOT_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/prefetch.h"
#include "engine/row_table.h"
#include "engine/string_pool.h"
#include "engine/suggest_index.h"
#include "geo/cell_index.h"

namespace inkdex::engine {

struct Snapshot {
  uint64_t seq = 0;
  int64_t commit_unix_micros = 0;
  RowTable rows;
  std::shared_ptr<const geo::CellIndex> geo_base = std::make_shared<geo::CellIndex>();
  std::shared_ptr<const geo::CellIndex> geo_delta = std::make_shared<geo::CellIndex>();
  std::shared_ptr<const StringPool> strings;  // keeps interned strings alive
  std::vector<int64_t> style_counts;          // live artists per style index
  // What completion offers anywhere (suggest_index.h), over live artists:
  // their names (an entry per artist), studio names and primary cities
  // (counted per name).
  std::shared_ptr<const SuggestIndex> suggest_artists = std::make_shared<SuggestIndex>();
  std::shared_ptr<const SuggestIndex> suggest_studios = std::make_shared<SuggestIndex>();
  std::shared_ptr<const SuggestIndex> suggest_cities = std::make_shared<SuggestIndex>();
  uint64_t live = 0;        // searchable artists
  uint64_t documents = 0;   // stored artists, searchable or not
  uint64_t tombstones = 0;  // deleted ids remembered

  bool Valid(const geo::CellEntry& e) const {
    if (!rows.has(e.slot)) return false;
    const HotRow& h = rows.hot(e.slot);
    return h.live && h.gen == e.gen && e.location < h.num_locations;
  }

  // Starts loading the slot's HotRow into the cache, for a scan that will
  // read it a few entries later (geo::CellIndex::ForEachInUntil).
  void PrefetchHot(uint32_t slot) const {
    if (!rows.has(slot)) return;
    // A HotRow (88 bytes) may straddle three cache lines.
    const char* hot = reinterpret_cast<const char*>(&rows.hot(slot));
    PrefetchForRead(hot);
    PrefetchForRead(hot + 64);
    PrefetchForRead(hot + sizeof(HotRow) - 1);
  }

  // The same for the text fields of the slot's Row (its first location, id,
  // name and studio: the last ~130 of its 200 bytes, two or three cache
  // lines), for a scan that will read them. The rest of the Row is left out:
  // prefetches beyond what the core can keep in flight are dropped.
  void PrefetchRowText(uint32_t slot) const {
    if (!rows.has(slot)) return;
    const Row& row = rows.row(slot);
    PrefetchForRead(&row.locations);
    PrefetchForRead(&row.id);
    PrefetchForRead(&row.name);
    PrefetchForRead(&row.studio_name);
  }

  // Entries (valid or superseded) in `ranges`: an upper bound on the
  // locations there, for planning. O(ranges * log n).
  uint64_t CountIn(std::span<const geo::CellRange> ranges) const {
    return geo_base->CountIn(ranges) + geo_delta->CountIn(ranges);
  }

  // Calls fn(slot, location_index) for every valid location in `ranges`
  // that is active on `day` (days since 1970-01-01).
  template <typename Fn>
  void ForEachLocationIn(std::span<const geo::CellRange> ranges, int32_t day, Fn&& fn) const {
    auto visit = [&](const geo::CellEntry& e) {
      if (e.ActiveOn(day) && Valid(e)) fn(e.slot, e.location);
      return true;
    };
    auto prefetch = [&](const geo::CellEntry& e) { PrefetchHot(e.slot); };
    geo_base->ForEachInUntil(ranges, visit, prefetch);
    geo_delta->ForEachInUntil(ranges, visit, prefetch);
  }
};

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_SNAPSHOT_H_
