// RowTable: the rows of one snapshot, indexed by slot, in fixed-size pages
// shared between snapshots. A commit copies only the pages it changes
// (copy-on-write), so publishing a snapshot costs O(changed pages), not
// O(artists).
//
// Thread safety: a RowTable is immutable once built; Builder is used by the
// single writer.
#ifndef INKDEX_ENGINE_ROW_TABLE_H_
#define INKDEX_ENGINE_ROW_TABLE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/row.h"

namespace inkdex::engine {

class RowTable {
 public:
  // 64 rows a page. A commit copies every page it touches, row by row
  // (strings and location vectors included), and a stream batch's changes
  // are scattered: at 1,000,000 artists a 1,000-record batch touches ~1,000
  // pages, so page size is most of its snapshot cost. Measured at 1M
  // (bench/ANALYSIS.md, "Row pages of 64"): directory-like stream batches
  // ~6,000 -> ~9,300 records/s end to end going from 512 to 64 rows, and
  // searches unchanged within the noise (one more page pointer per 64 rows).
  // A row copy allocates nothing for most artists (row.h), which keeps the
  // copies cheap too.
  static constexpr uint32_t kPageBits = 6;
  static constexpr uint32_t kPageSize = 1u << kPageBits;
  struct Page {
    std::array<Row, kPageSize> rows;
    std::array<HotRow, kPageSize> hot;  // MakeHot(rows[i]), kept in step by Builder
  };

  // Slots are 1-based (Xapian docids); slot 0 is never used.
  uint32_t slot_limit() const { return static_cast<uint32_t>(pages_.size()) * kPageSize; }
  // REQUIRES: slot < slot_limit().
  const Row& row(uint32_t slot) const {
    return pages_[slot >> kPageBits]->rows[slot & (kPageSize - 1)];
  }
  const HotRow& hot(uint32_t slot) const {
    return pages_[slot >> kPageBits]->hot[slot & (kPageSize - 1)];
  }
  bool has(uint32_t slot) const { return slot < slot_limit(); }

  // Copy-on-write editing: starts from an existing table's pages.
  class Builder {
   public:
    explicit Builder(const RowTable& base) : pages_(base.pages_) {}
    // Returns a row that may be modified; copies its page on first touch.
    // REQUIRES: Sync(slot) after the last modification.
    Row& Mutable(uint32_t slot);
    // Refreshes the slot's HotRow from its Row.
    void Sync(uint32_t slot) {
      Page& page = const_cast<Page&>(*pages_[slot >> kPageBits]);
      page.hot[slot & (kPageSize - 1)] = MakeHot(page.rows[slot & (kPageSize - 1)]);
    }
    RowTable Build() &&;

   private:
    std::vector<std::shared_ptr<const Page>> pages_;
    std::vector<bool> owned_;  // page copied by this builder
  };

 private:
  std::vector<std::shared_ptr<const Page>> pages_;
};

inline Row& RowTable::Builder::Mutable(uint32_t slot) {
  const uint32_t p = slot >> kPageBits;
  if (p >= pages_.size()) pages_.resize(p + 1);
  if (owned_.size() < pages_.size()) owned_.resize(pages_.size(), false);
  if (!owned_[p]) {
    pages_[p] = pages_[p] ? std::make_shared<Page>(*pages_[p]) : std::make_shared<Page>();
    owned_[p] = true;
  }
  return const_cast<Page&>(*pages_[p]).rows[slot & (kPageSize - 1)];
}

inline RowTable RowTable::Builder::Build() && {
  RowTable t;
  t.pages_ = std::move(pages_);
  return t;
}

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_ROW_TABLE_H_
