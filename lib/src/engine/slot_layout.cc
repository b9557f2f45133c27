#include "engine/slot_layout.h"

#include <vector>

namespace inkdex::engine {

SlotLayoutCount MeasureSlotLayout(const Snapshot& snapshot) {
  const std::vector<geo::CellEntry>& base = snapshot.geo_base->entries();
  const std::vector<geo::CellEntry>& delta = snapshot.geo_delta->entries();
  SlotLayoutCount count;
  bool first = true;
  uint32_t previous = 0;
  auto visit = [&](const geo::CellEntry& e) {
    if (e.location != 0 || !snapshot.Valid(e)) return;
    ++count.artists;
    if (!first && (e.slot <= previous || e.slot - previous > kNearSlots)) ++count.breaks;
    first = false;
    previous = e.slot;
  };
  // Both are sorted by (cell, slot): merged, they give every entry in cell
  // order.
  size_t i = 0, j = 0;
  while (i < base.size() || j < delta.size()) {
    if (j == delta.size() || (i < base.size() && base[i] < delta[j])) {
      visit(base[i++]);
    } else {
      visit(delta[j++]);
    }
  }
  return count;
}

}  // namespace inkdex::engine
