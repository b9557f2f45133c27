// MeasureSlotLayout: how closely a snapshot's slots follow the S2 cell order
// of its searchable artists' primary locations.
//
// A build (BulkLoader) and a renumbering (IndexOptions::renumber_slots) give
// slots in cell order, so walking the artists in cell order meets their
// slots in increasing order, a few apart at most (hidden artists and
// tombstones in between). Each artist added or moved since sits among
// neighbours in cell order whose slots are far from its own: about two
// "breaks" each. Text-in-region searches pay for them (Xapian skips through
// the posting lists to the region's slots, and more runs of slots mean more
// posting chunks read).
//
// Cost: one pass over both cell indexes (~40 bytes an entry) with one row
// read per primary entry, in slot order when the layout is good and
// scattered when it is not: tens of milliseconds at 1,000,000 artists.
// Thread safety: reads an immutable snapshot.
#ifndef INKDEX_ENGINE_SLOT_LAYOUT_H_
#define INKDEX_ENGINE_SLOT_LAYOUT_H_

#include <cstdint>

#include "engine/snapshot.h"

namespace inkdex::engine {

// Slots further apart than this (or in reverse) are a break: a row page's
// worth, well within what a build leaves between neighbours.
inline constexpr uint32_t kNearSlots = 64;

struct SlotLayoutCount {
  uint64_t artists = 0;  // searchable artists (their valid primary entries)
  uint64_t breaks = 0;   // neighbours in cell order whose slots are not near
};

SlotLayoutCount MeasureSlotLayout(const Snapshot& snapshot);

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_SLOT_LAYOUT_H_
