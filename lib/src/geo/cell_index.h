// CellIndex: an immutable, sorted array of (S2 leaf cell id, slot) entries,
// one per artist location, answering "which entries lie in these cell
// ranges" with two binary searches per range.
//
// Entries carry the row generation they were made for; the engine layers a
// large base index and a small delta (see engine/snapshot.h) and drops
// entries whose generation no longer matches the row, so an index is never
// edited in place.
//
// Cost: 40.5 bytes per location; a lookup is O(ranges * log n + hits).
// A range's ends are found in a small array of every kFenceStride-th entry's
// cell (0.5 bytes per location, mostly in cache) and then among at most
// kFenceStride entries: a plain binary search over the 40-byte entries missed
// the cache at nearly every step (~10 misses a range, a tenth of a suggest).
// Thread safety: immutable after construction; share freely.
#ifndef INKDEX_GEO_CELL_INDEX_H_
#define INKDEX_GEO_CELL_INDEX_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "geo/region.h"

namespace inkdex::geo {

struct CellEntry {
  uint64_t cell = 0;          // S2 leaf cell id of the location
  uint32_t slot = 0;          // row (= Xapian docid)
  uint32_t gen : 24 = 0;      // row generation the entry was made for (wraps)
  uint32_t location : 8 = 0;  // 0 = primary location, k = guest spot k-1
  // Filter bits the owner defines (the engine: which words the artist's
  // name, studio and city start with, engine::WordStarts), checked before
  // touching the row.
  std::array<uint64_t, 2> tag{};
  // The days the location is active, inclusive (owner-defined; the engine:
  // days since 1970-01-01 of a guest spot's from and to), also checked
  // before touching the row: most guest spots are not active on a query's
  // date, and each row read for one is a cache miss or two.
  int32_t active_from = std::numeric_limits<int32_t>::min();
  int32_t active_to = std::numeric_limits<int32_t>::max();

  bool ActiveOn(int32_t day) const { return active_from <= day && day <= active_to; }

  bool operator<(const CellEntry& o) const {
    return cell != o.cell ? cell < o.cell : slot < o.slot;
  }
};

class CellIndex {
 public:
  CellIndex() = default;
  // REQUIRES: nothing; sorts `entries`.
  explicit CellIndex(std::vector<CellEntry> entries);

  // Calls fn(const CellEntry&) for every entry in any of `ranges`.
  // REQUIRES: ranges sorted and disjoint (as CoverCap/CoverRect return them).
  template <typename Fn>
  void ForEachIn(std::span<const CellRange> ranges, Fn&& fn) const;
  // Like ForEachIn, but stops as soon as fn returns false; returns false then.
  template <typename Fn>
  bool ForEachInUntil(std::span<const CellRange> ranges, Fn&& fn) const {
    return ForEachInUntil(ranges, fn, [](const CellEntry&) {});
  }
  // The same, calling prefetch(entry) kPrefetchAhead entries before
  // fn(entry). Entries are in cell order but what fn reads for them (rows by
  // slot) is scattered: one cache miss each, ~100 ns. Prefetching overlaps
  // those misses instead of paying them one after another.
  template <typename Fn, typename Prefetch>
  bool ForEachInUntil(std::span<const CellRange> ranges, Fn&& fn, Prefetch&& prefetch) const;
  static constexpr size_t kPrefetchAhead = 8;

  // Calls fn(entry) for the entries in `ranges` whose tag has every bit of
  // `mask`, reading at most *budget entries in all (*budget is decreased by
  // those read). Returns false when fn returned false or the budget ran out
  // with entries left. For filters that pass few entries (suggest's word
  // starts): the loop over the rest keeps the mask and the count in
  // registers, where a callback that counted and tested each entry kept them
  // in memory (~5 ns an entry against ~2). REQUIRES: as ForEachIn.
  template <typename Fn>
  bool ForEachTaggedUntil(std::span<const CellRange> ranges, std::array<uint64_t, 2> mask,
                          size_t* budget, Fn&& fn) const;

  // Number of entries in `ranges`. REQUIRES: as ForEachIn.
  uint64_t CountIn(std::span<const CellRange> ranges) const {
    uint64_t n = 0;
    for (const CellRange& r : ranges) n += LowerBound(r.max + 1) - LowerBound(r.min);
    return n;
  }

  // The index of the first entry whose cell is >= `cell` (size() if none).
  size_t LowerBound(uint64_t cell) const;
  static constexpr size_t kFenceStride = 16;

  size_t size() const { return entries_.size(); }
  const std::vector<CellEntry>& entries() const { return entries_; }

  // A new index: the entries of `base` for which keep(entry) is true,
  // merged with `add`. O(n).
  template <typename Keep>
  static CellIndex Merge(const CellIndex& base, std::vector<CellEntry> add, Keep&& keep);

 private:
  void BuildFences();
  // The entries [first, last) of range `r`, starting no earlier than
  // `from`: ranges are sorted and disjoint, so a range never starts before
  // the last one ended.
  std::pair<size_t, size_t> EntriesOf(const CellRange& r, size_t from) const {
    const size_t first = std::max(from, LowerBound(r.min));
    return {first, std::max(first, LowerBound(r.max + 1))};
  }

  std::vector<CellEntry> entries_;
  std::vector<uint64_t> fences_;  // fences_[i] = entries_[i * kFenceStride].cell
};

inline size_t CellIndex::LowerBound(uint64_t cell) const {
  // fences_[f - 1] < cell <= fences_[f]: the first entry >= cell is in
  // ((f - 1) * stride, f * stride].
  const size_t f =
      static_cast<size_t>(std::lower_bound(fences_.begin(), fences_.end(), cell) - fences_.begin());
  if (f == 0) return 0;
  const size_t lo = (f - 1) * kFenceStride + 1;
  const size_t hi = std::min(f * kFenceStride, entries_.size());
  auto cell_less = [](const CellEntry& e, uint64_t c) { return e.cell < c; };
  return static_cast<size_t>(std::lower_bound(entries_.begin() + static_cast<ptrdiff_t>(lo),
                                              entries_.begin() + static_cast<ptrdiff_t>(hi), cell,
                                              cell_less) -
                             entries_.begin());
}

template <typename Fn>
void CellIndex::ForEachIn(std::span<const CellRange> ranges, Fn&& fn) const {
  ForEachInUntil(ranges, [&fn](const CellEntry& e) {
    fn(e);
    return true;
  });
}

template <typename Fn, typename Prefetch>
bool CellIndex::ForEachInUntil(std::span<const CellRange> ranges, Fn&& fn,
                               Prefetch&& prefetch) const {
  size_t from = 0;
  for (const CellRange& r : ranges) {
    const auto [first, last] = EntriesOf(r, from);
    from = last;
    auto it = entries_.begin() + static_cast<ptrdiff_t>(first);
    const auto hi = entries_.begin() + static_cast<ptrdiff_t>(last);
    const auto ahead =
        it + static_cast<ptrdiff_t>(std::min<size_t>(kPrefetchAhead, static_cast<size_t>(hi - it)));
    for (auto p = it; p != ahead; ++p) prefetch(*p);
    for (; it != hi; ++it) {
      if (hi - it > static_cast<ptrdiff_t>(kPrefetchAhead)) prefetch(it[kPrefetchAhead]);
      if (!fn(*it)) return false;
    }
  }
  return true;
}

template <typename Fn>
bool CellIndex::ForEachTaggedUntil(std::span<const CellRange> ranges,
                                   const std::array<uint64_t, 2> mask, size_t* budget,
                                   Fn&& fn) const {
  size_t left = *budget;
  size_t it = 0;
  for (const CellRange& r : ranges) {
    size_t hi;
    std::tie(it, hi) = EntriesOf(r, it);
    const size_t end = hi - it > left ? it + left : hi;
    left -= end - it;
    for (; it != end; ++it) {
      const CellEntry& e = entries_[it];
      if ((e.tag[0] & mask[0]) != mask[0] || (e.tag[1] & mask[1]) != mask[1]) continue;
      if (!fn(e)) {
        *budget = left + (end - it - 1);
        return false;
      }
    }
    if (end != hi) {
      *budget = 0;
      return false;
    }
  }
  *budget = left;
  return true;
}

template <typename Keep>
CellIndex CellIndex::Merge(const CellIndex& base, std::vector<CellEntry> add, Keep&& keep) {
  std::sort(add.begin(), add.end());
  std::vector<CellEntry> out;
  out.reserve(base.size() + add.size());
  auto a = base.entries_.begin();
  auto b = add.begin();
  while (a != base.entries_.end() || b != add.end()) {
    const bool take_a = b == add.end() || (a != base.entries_.end() && *a < *b);
    const CellEntry& e = take_a ? *a++ : *b++;
    if (keep(e)) out.push_back(e);
  }
  CellIndex merged;
  merged.entries_ = std::move(out);
  merged.BuildFences();
  return merged;
}

}  // namespace inkdex::geo

#endif  // INKDEX_GEO_CELL_INDEX_H_
