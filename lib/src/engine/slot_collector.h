// SlotCollector: gathers the slots of a region's location entries and hands
// them back sorted and distinct, as Xapian's skip_to wants them.
//
// Slots are handed out in cell order (index_impl.cc, BulkLoader), so the
// entries of a covering, visited in cell order, give one increasing run of
// slots but for a few: active guest spots, artists that moved or joined
// later, and a slot seen again at another location. Those are set aside
// (with up to kMaxHighStrays slots just added to the run that the next slot
// shows were out of place) and merged at the end: O(n + k log k) for k out
// of place, where sorting all n was ~5 % of a text query in a city at 1M
// artists. When many are out of place, everything is sorted: by std::sort
// for a few thousand slots, by a bitmap of the slot space above that
// (O(n + slot_limit / 64)).
//
// Example:
//   SlotCollector slots;
//   index.ForEachIn(ranges, [&](const geo::CellEntry& e) { slots.Add(e.slot); });
//   std::vector<uint32_t> sorted = std::move(slots).Take(rows.slot_limit());
//
// Thread safety: one collector per thread; Take uses a bitmap of its thread's
// (left all zero after each use).
#ifndef INKDEX_ENGINE_SLOT_COLLECTOR_H_
#define INKDEX_ENGINE_SLOT_COLLECTOR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace inkdex::engine {

class SlotCollector {
 public:
  void Reserve(size_t n) { run_.reserve(n); }

  void Add(uint32_t slot) {
    if (run_.empty() || slot > run_.back()) {
      run_.push_back(slot);
    } else if (slot != run_.back()) {
      AddBelowRun(slot);
    }
  }

  // The slots added, sorted and distinct. REQUIRES: every slot added is
  // below slot_limit.
  std::vector<uint32_t> Take(uint32_t slot_limit) &&;

 private:
  // A few slots high above the run (guest spots of artists located far
  // away) would otherwise put every slot after them aside: the last
  // kMaxHighStrays of the run go aside instead when `slot` then continues
  // the run below them.
  static constexpr size_t kMaxHighStrays = 4;
  void AddBelowRun(uint32_t slot);

  std::vector<uint32_t> run_;    // increasing
  std::vector<uint32_t> stray_;  // the rest, in arrival order
};

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_SLOT_COLLECTOR_H_
