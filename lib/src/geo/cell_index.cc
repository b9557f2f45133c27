#include "geo/cell_index.h"

#include <algorithm>

namespace inkdex::geo {

CellIndex::CellIndex(std::vector<CellEntry> entries) : entries_(std::move(entries)) {
  std::sort(entries_.begin(), entries_.end());
  BuildFences();
}

void CellIndex::BuildFences() {
  fences_.clear();
  fences_.reserve((entries_.size() + kFenceStride - 1) / kFenceStride);
  for (size_t i = 0; i < entries_.size(); i += kFenceStride) fences_.push_back(entries_[i].cell);
}

}  // namespace inkdex::geo
