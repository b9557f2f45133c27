// SuggestIndex: the names as-you-type completion offers anywhere (artist
// names, studio names or cities: one index each), with how many searchable
// artists carry each, in the byte order of their suggest terms
// (SuggestTerm: the key, accent-folded and lowercased, '\x1f', the
// original), so that a typed prefix is a range.
//
// Entries are keyed (term, slot). An index that counts per name (studios,
// cities) keeps one entry per term with slot 0 and the count; one that must
// name an artist (artist names) keeps an entry per artist, slot = the
// artist's row, count 1, and reports each term's lowest slot.
//
// A snapshot holds a large sorted base, shared between snapshots, and a
// small delta of the changes since it was built; Update derives the next
// index by copying the delta (O(delta)) and merges the delta into a new base
// once it outgrows max(4096, base / 32) keys (O(base), amortized over the
// changes that grew it). A commit's own changes cost a sort.
//
// Memory: ~20 bytes per entry plus the term's bytes (the base keeps terms in
// one buffer); the delta ~50 bytes per key.
// Thread safety: immutable once built; share freely.
#ifndef INKDEX_ENGINE_SUGGEST_INDEX_H_
#define INKDEX_ENGINE_SUGGEST_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"

namespace inkdex::engine {

inline constexpr char kSuggestSeparator = '\x1f';

// The suggest key of a name, and of a typed prefix: accent-folded as text
// search folds (text/fold.h: "Łukasz" -> "Lukasz"), lowercased (Unicode),
// runs of spaces folded to one, none leading. Cost: a copy for ASCII text;
// ~50 ns a non-ASCII character.
std::string SuggestKey(std::string_view s);
// key + '\x1f' + original, each part cut to 118 bytes (on a UTF-8
// boundary), which bounds what an absurd name costs.
std::string SuggestTerm(std::string_view original);

class SuggestIndex {
 public:
  // A count change of (term, slot).
  struct Change {
    std::string term;
    uint32_t slot = 0;
    int64_t count = 0;
    bool operator<(const Change& o) const {
      const int c = term.compare(o.term);
      return c != 0 ? c < 0 : slot < o.slot;
    }
  };
  // The changes since the base: sorted by (term, slot), distinct, non-zero.
  using Delta = std::vector<Change>;

  SuggestIndex() = default;

  // Calls fn(term, count, lowest_slot) for each term that begins with
  // `prefix` and has a positive count, in byte order, until fn returns
  // false. lowest_slot is the lowest slot with a positive count (0 for an
  // index counting per name). Cost: O(log n) to find the range, then
  // O(entries read).
  void ForEachWithPrefix(
      std::string_view prefix,
      absl::FunctionRef<bool(std::string_view term, int64_t count, uint32_t lowest_slot)> fn) const;

  // Calls fn(term, count) for the terms that begin with `prefix`, most
  // artists first (equal counts in byte order), until fn returns false: the
  // first few completions of a one-letter prefix without reading every name
  // it begins. REQUIRES: an index counting per name (every slot 0).
  // Cost: O(log n) to find the range, O(k log k) for the k keys of the delta
  // in it, then O(log n) per term reported (a max-tree over the base's
  // counts, built with the base: 16 bytes an entry).
  void ForEachWithPrefixByCount(
      std::string_view prefix,
      absl::FunctionRef<bool(std::string_view term, int64_t count)> fn) const;

  size_t base_size() const { return base_->size(); }
  size_t delta_size() const { return delta_ == nullptr ? 0 : delta_->size(); }
  // Approximate heap bytes held (shared base included).
  uint64_t MemoryBytes() const;

  // The changes of one commit on top of an index.
  class Update {
   public:
    explicit Update(std::shared_ptr<const SuggestIndex> base) : base_(std::move(base)) {}
    // `count` more (or, negative, fewer) artists carry `term` at `slot`.
    void Add(std::string term, uint32_t slot, int64_t count);
    // The next index (the base itself when nothing changed).
    std::shared_ptr<const SuggestIndex> Finish() &&;

   private:
    std::shared_ptr<const SuggestIndex> base_;
    std::vector<Change> changes_;  // in call order
  };

 private:
  struct Base {
    std::string blob;               // the terms, concatenated in order
    std::vector<uint64_t> offsets;  // term i is blob[offsets[i], offsets[i+1])
    std::vector<uint32_t> slots;
    std::vector<int64_t> counts;
    // When every slot is 0 (an index counting per name): a binary max-tree
    // over `counts`, node 1 the root, node v's children 2v and 2v+1, leaf i
    // at `leaves` + i (`leaves` a power of two, padded with 0); empty
    // otherwise.
    std::vector<int64_t> max_tree;
    size_t leaves = 0;
    std::string_view term(size_t i) const {
      return std::string_view(blob).substr(offsets[i], offsets[i + 1] - offsets[i]);
    }
    size_t size() const { return slots.size(); }
    // <0, 0, >0 as entry i's (term, slot) is before, at or after c's.
    int Compare(size_t i, const Change& c) const {
      const int t = term(i).compare(c.term);
      return t != 0 ? t : (slots[i] > c.slot) - (slots[i] < c.slot);
    }
    // The first entry whose (term, slot) is not less than (term, slot).
    size_t LowerBound(std::string_view term, uint32_t slot) const;
    // The first entry at or after `from` whose term does not begin with
    // `prefix`. REQUIRES: entries [from, ...) that begin with it are adjacent.
    size_t PrefixEnd(size_t from, std::string_view prefix) const;
    // Builds max_tree when every slot is 0.
    void BuildMaxTree();
  };

  // The base with `delta` applied; keys whose count falls to 0 dropped.
  static std::shared_ptr<const Base> Merge(const Base& base, const Delta& delta);

  std::shared_ptr<const Base> base_ = std::make_shared<Base>(Base{"", {0}, {}, {}, {}, 0});
  std::shared_ptr<const Delta> delta_;  // null: empty
};

struct Row;
struct Snapshot;

// What a live row adds to the three indexes: its name (an entry of its own,
// at its slot), its studio name and its primary location's city (counted per
// interned string); null where the row has none. The one rule both the
// incremental update (SnapshotUpdate) and CheckSuggestIndexes follow.
struct RowSuggestNames {
  const std::string* name = nullptr;
  const std::string* studio = nullptr;
  const std::string* city = nullptr;
};
RowSuggestNames SuggestNamesOf(const Row& row);

// The differences between `snapshot`'s suggest indexes and what its live rows
// say they must hold (names with their lowest slot, studio and city counts),
// at most `max_problems`, for Index::Verify: the indexes are maintained
// incrementally, commit by commit. Cost: O(n log n) time and ~50 bytes an
// artist of memory.
std::vector<std::string> CheckSuggestIndexes(const Snapshot& snapshot, size_t max_problems);

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_SUGGEST_INDEX_H_
