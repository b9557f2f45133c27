#include "engine/slot_collector.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <limits>

namespace inkdex::engine {

void SlotCollector::AddBelowRun(uint32_t slot) {
  // REQUIRES: slot < run_.back().
  size_t above = 0;  // the run's last slots above `slot`
  while (above < run_.size() && run_[run_.size() - 1 - above] > slot) {
    if (++above > kMaxHighStrays) {
      stray_.push_back(slot);  // `slot` is the one out of place
      return;
    }
  }
  if (above < run_.size() && run_[run_.size() - 1 - above] == slot) return;  // in the run
  stray_.insert(stray_.end(), run_.end() - static_cast<ptrdiff_t>(above), run_.end());
  run_.resize(run_.size() - above);
  run_.push_back(slot);
}

std::vector<uint32_t> SlotCollector::Take(uint32_t slot_limit) && {
  if (stray_.empty()) return std::move(run_);
  if (stray_.size() * 4 <= run_.size()) {
    std::sort(stray_.begin(), stray_.end());
    std::vector<uint32_t> merged;
    merged.reserve(run_.size() + stray_.size());
    std::merge(run_.begin(), run_.end(), stray_.begin(), stray_.end(), std::back_inserter(merged));
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    return merged;
  }
  std::vector<uint32_t> slots = std::move(run_);
  slots.insert(slots.end(), stray_.begin(), stray_.end());
  if (slots.size() < 4096) {
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    return slots;
  }
  // No 125 KB allocation a query at 1,000,000 artists: the thread's bitmap.
  thread_local std::vector<uint64_t> bits;
  const size_t words = (static_cast<size_t>(slot_limit) + 63) / 64;
  if (bits.size() < words) bits.resize(words, 0);
  uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
  for (uint32_t slot : slots) {
    bits[slot >> 6] |= uint64_t{1} << (slot & 63);
    lo = std::min(lo, slot);
    hi = std::max(hi, slot);
  }
  slots.clear();
  for (size_t w = lo >> 6; w <= (hi >> 6); ++w) {
    for (uint64_t b = bits[w]; b != 0; b &= b - 1) {
      slots.push_back(static_cast<uint32_t>(w * 64 + std::countr_zero(b)));
    }
    bits[w] = 0;
  }
  return slots;
}

}  // namespace inkdex::engine
