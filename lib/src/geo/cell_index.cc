#include "geo/cell_index.h"

#include <algorithm>

namespace inkdex::geo {

CellIndex::CellIndex(std::vector<CellEntry> entries) : entries_(std::move(entries)) {
  std::sort(entries_.begin(), entries_.end());
}

}  // namespace inkdex::geo
