#include "engine/suggest_index.h"

#include <algorithm>
#include <bit>
#include <tuple>

#include <xapian.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/snapshot.h"
#include "text/fold.h"

namespace inkdex::engine {

std::string SuggestKey(std::string_view s) {
  // Names with accents (and prefixes typed with or without them) fold as
  // text search folds (text/fold.h), then lowercase beyond ASCII: "Łuk",
  // "łuk" and "luk" are the same key. ASCII text skips both.
  std::string folded;
  if (text::HasNonAscii(s)) {
    const std::string accents_folded = text::FoldAccents(s);
    folded.reserve(accents_folded.size());
    for (Xapian::Utf8Iterator it(accents_folded); it != Xapian::Utf8Iterator(); ++it) {
      Xapian::Unicode::append_utf8(folded, Xapian::Unicode::tolower(*it));
    }
    s = folded;
  }
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

namespace {

// The longest prefix of `s` of at most `n` bytes that ends on a UTF-8
// character boundary.
std::string_view Utf8Prefix(std::string_view s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

std::string SuggestTerm(std::string_view original) {
  // 118: the bound the terms had as Xapian terms (245 bytes with a prefix),
  // kept so that completions order and cut exactly as they did.
  constexpr size_t kMaxPart = 118;
  const std::string key = SuggestKey(original);
  const std::string_view k = Utf8Prefix(key, kMaxPart);
  const std::string_view o = Utf8Prefix(original, kMaxPart);
  std::string term;
  term.reserve(k.size() + 1 + o.size());
  term.append(k);
  term.push_back(kSuggestSeparator);
  term.append(o);
  return term;
}

size_t SuggestIndex::Base::LowerBound(std::string_view t, uint32_t slot) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int c = term(mid).compare(t);
    if (c < 0 || (c == 0 && slots[mid] < slot)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

size_t SuggestIndex::Base::PrefixEnd(size_t from, std::string_view prefix) const {
  size_t lo = from, hi = size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (term(mid).starts_with(prefix)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

void SuggestIndex::Base::BuildMaxTree() {
  max_tree.clear();
  leaves = 0;
  if (size() == 0 || std::any_of(slots.begin(), slots.end(), [](uint32_t s) { return s != 0; })) {
    return;
  }
  leaves = std::bit_ceil(size());
  max_tree.assign(2 * leaves, 0);
  std::copy(counts.begin(), counts.end(), max_tree.begin() + leaves);
  for (size_t v = leaves - 1; v >= 1; --v) {
    max_tree[v] = std::max(max_tree[2 * v], max_tree[2 * v + 1]);
  }
}

void SuggestIndex::ForEachWithPrefixByCount(
    std::string_view prefix, absl::FunctionRef<bool(std::string_view, int64_t)> fn) const {
  const Base& base = *base_;
  const size_t lo = base.LowerBound(prefix, 0);
  const size_t hi = base.PrefixEnd(lo, prefix);
  // The delta's terms in the range, with their live counts (the base's
  // plus the change), most first; the base entries they replace are skipped
  // below.
  struct Counted {
    std::string_view term;
    int64_t count;
  };
  std::vector<Counted> changed;
  absl::flat_hash_set<size_t> replaced;
  if (delta_ != nullptr) {
    auto d = std::lower_bound(delta_->begin(), delta_->end(), prefix,
                              [](const Change& c, std::string_view p) { return c.term < p; });
    for (; d != delta_->end() && std::string_view(d->term).starts_with(prefix); ++d) {
      int64_t count = d->count;
      const size_t b = base.LowerBound(d->term, 0);
      if (b < hi && base.term(b) == d->term) {
        count += base.counts[b];
        replaced.insert(b);
      }
      if (count > 0) changed.push_back({d->term, count});
    }
    std::sort(changed.begin(), changed.end(), [](const Counted& a, const Counted& b) {
      return a.count != b.count ? a.count > b.count : a.term < b.term;
    });
  }
  // The base's entries in [lo, hi), most first, lowest index on a tie:
  // nodes of the max-tree in a heap ordered by (max, first leaf). A node
  // comes out before every leaf below it, so leaves come out in order. (A
  // base has a tree whenever it has entries: every slot is 0, REQUIRES.)
  struct Node {
    int64_t max;
    size_t first, width;  // the leaves it covers
    size_t v;
  };
  auto after = [](const Node& a, const Node& b) {
    return a.max != b.max ? a.max < b.max : a.first > b.first;
  };
  auto node = [&](size_t v, size_t first, size_t width) {
    return Node{base.max_tree[v], first, width, v};
  };
  // The canonical nodes of [lo, hi), found top-down.
  std::vector<Node> heap, todo;
  if (lo < hi && !base.max_tree.empty()) todo.push_back(node(1, 0, base.leaves));
  while (!todo.empty()) {
    const Node n = todo.back();
    todo.pop_back();
    if (n.first >= hi || n.first + n.width <= lo) continue;
    if (lo <= n.first && n.first + n.width <= hi) {
      heap.push_back(n);
      continue;
    }
    todo.push_back(node(2 * n.v, n.first, n.width / 2));
    todo.push_back(node(2 * n.v + 1, n.first + n.width / 2, n.width / 2));
  }
  std::make_heap(heap.begin(), heap.end(), after);
  // The next base entry not replaced by the delta; false when none is left.
  auto next_base = [&](size_t* index) {
    while (!heap.empty() && heap.front().max > 0) {
      std::pop_heap(heap.begin(), heap.end(), after);
      Node n = heap.back();
      heap.pop_back();
      while (n.width > 1) {
        // The child holding the max goes on; the other waits in the heap.
        const Node left = node(2 * n.v, n.first, n.width / 2);
        const Node right = node(2 * n.v + 1, n.first + n.width / 2, n.width / 2);
        const bool go_left = left.max == n.max;
        if (const Node& other = go_left ? right : left; other.max > 0) {
          heap.push_back(other);
          std::push_heap(heap.begin(), heap.end(), after);
        }
        n = go_left ? left : right;
      }
      *index = n.first;
      if (!replaced.contains(n.first)) return true;
    }
    return false;
  };
  size_t b = 0;
  bool have_base = next_base(&b);
  size_t c = 0;
  while (have_base || c < changed.size()) {
    bool take_base = have_base;
    if (have_base && c < changed.size()) {
      const int64_t bc = base.counts[b];
      take_base = bc != changed[c].count ? bc > changed[c].count : base.term(b) < changed[c].term;
    }
    if (take_base) {
      if (!fn(base.term(b), base.counts[b])) return;
      have_base = next_base(&b);
    } else {
      if (!fn(changed[c].term, changed[c].count)) return;
      ++c;
    }
  }
}

void SuggestIndex::ForEachWithPrefix(
    std::string_view prefix,
    absl::FunctionRef<bool(std::string_view, int64_t, uint32_t)> fn) const {
  const Base& base = *base_;
  size_t b = base.LowerBound(prefix, 0);
  static const Delta kEmpty;
  const Delta& delta = delta_ != nullptr ? *delta_ : kEmpty;
  auto d = std::lower_bound(delta.begin(), delta.end(), prefix,
                            [](const Change& c, std::string_view p) { return c.term < p; });
  // The term being gathered: its entries are adjacent in both sequences.
  std::string term;
  int64_t count = 0;
  uint32_t lowest = 0;
  bool have = false;
  auto flush = [&]() {
    const bool go_on = !have || count <= 0 || fn(term, count, lowest);
    have = false;
    count = 0;
    return go_on;
  };
  while (true) {
    const bool base_left = b < base.size() && base.term(b).starts_with(prefix);
    const bool delta_left = d != delta.end() && std::string_view(d->term).starts_with(prefix);
    if (!base_left && !delta_left) break;
    // The smaller (term, slot) of the two heads; equal keys are combined.
    std::string_view t;
    uint32_t slot;
    int64_t n = 0;
    int cmp = 0;
    if (base_left && delta_left) {
      cmp = base.Compare(b, *d);
    } else {
      cmp = base_left ? -1 : 1;
    }
    if (cmp <= 0) {
      t = base.term(b);
      slot = base.slots[b];
      n += base.counts[b];
    }
    if (cmp >= 0) {
      t = d->term;
      slot = d->slot;
      n += d->count;
    }
    if (!have || t != term) {
      if (!flush()) return;
      term.assign(t);
      have = true;
    }
    if (n > 0) {
      if (count == 0) lowest = slot;  // keys come in slot order within a term
      count += n;
    }
    if (cmp <= 0) ++b;
    if (cmp >= 0) ++d;
  }
  flush();
}

uint64_t SuggestIndex::MemoryBytes() const {
  const Base& base = *base_;
  uint64_t bytes = base.blob.capacity() + base.offsets.capacity() * sizeof(uint64_t) +
                   base.slots.capacity() * sizeof(uint32_t) +
                   base.counts.capacity() * sizeof(int64_t);
  if (delta_ != nullptr) {
    for (const Change& c : *delta_) bytes += sizeof(Change) + c.term.capacity();
  }
  return bytes;
}

void SuggestIndex::Update::Add(std::string term, uint32_t slot, int64_t count) {
  if (count != 0) changes_.push_back({std::move(term), slot, count});
}

namespace {

// The sum of two sorted, distinct change lists, zeros dropped.
SuggestIndex::Delta Sum(const SuggestIndex::Delta& a, SuggestIndex::Delta b) {
  if (a.empty()) return b;
  SuggestIndex::Delta out;
  out.reserve(a.size() + b.size());
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && *i < *j)) {
      out.push_back(*i++);
    } else if (i == a.end() || *j < *i) {
      out.push_back(std::move(*j++));
    } else {
      if (const int64_t n = i->count + j->count; n != 0) out.push_back({i->term, i->slot, n});
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<const SuggestIndex> SuggestIndex::Update::Finish() && {
  // This commit's changes, combined per key in place (a snapshot load makes
  // one per artist: no second copy of them).
  std::sort(changes_.begin(), changes_.end());
  size_t kept = 0;
  for (size_t i = 0; i < changes_.size(); ++i) {
    if (kept > 0 && changes_[kept - 1].term == changes_[i].term &&
        changes_[kept - 1].slot == changes_[i].slot) {
      changes_[kept - 1].count += changes_[i].count;
      if (changes_[kept - 1].count == 0) --kept;
    } else {
      if (kept != i) changes_[kept] = std::move(changes_[i]);
      ++kept;
    }
  }
  changes_.resize(kept);
  Delta mine = std::move(changes_);
  if (mine.empty()) return base_;
  static const Delta kEmpty;
  Delta delta = Sum(base_->delta_ != nullptr ? *base_->delta_ : kEmpty, std::move(mine));
  auto next = std::make_shared<SuggestIndex>();
  const size_t threshold = std::max<size_t>(4096, base_->base_->size() / 32);
  if (delta.size() > threshold) {
    next->base_ = Merge(*base_->base_, delta);
  } else {
    next->base_ = base_->base_;
    if (!delta.empty()) next->delta_ = std::make_shared<const Delta>(std::move(delta));
  }
  return next;
}

std::shared_ptr<const SuggestIndex::Base> SuggestIndex::Merge(const Base& base,
                                                              const Delta& delta) {
  auto out = std::make_shared<Base>();
  out->offsets.reserve(base.size() + delta.size() + 1);
  out->slots.reserve(base.size() + delta.size());
  out->counts.reserve(base.size() + delta.size());
  out->blob.reserve(base.blob.size());
  out->offsets.push_back(0);
  auto append = [&](std::string_view t, uint32_t slot, int64_t n) {
    if (n == 0) return;
    out->blob.append(t);
    out->offsets.push_back(out->blob.size());
    out->slots.push_back(slot);
    out->counts.push_back(n);
  };
  size_t b = 0;
  auto d = delta.begin();
  while (b < base.size() || d != delta.end()) {
    int cmp;
    if (b == base.size()) {
      cmp = 1;
    } else if (d == delta.end()) {
      cmp = -1;
    } else {
      cmp = base.Compare(b, *d);
    }
    if (cmp < 0) {
      append(base.term(b), base.slots[b], base.counts[b]);
      ++b;
    } else if (cmp > 0) {
      append(d->term, d->slot, d->count);
      ++d;
    } else {
      append(base.term(b), base.slots[b], base.counts[b] + d->count);
      ++b;
      ++d;
    }
  }
  out->BuildMaxTree();
  return out;
}

namespace {

// (term, count, lowest slot), as ForEachWithPrefix reports them.
using ListEntry = std::tuple<std::string, int64_t, uint32_t>;

std::vector<ListEntry> Listed(const SuggestIndex& index) {
  std::vector<ListEntry> out;
  index.ForEachWithPrefix("", [&out](std::string_view term, int64_t count, uint32_t slot) {
    out.emplace_back(std::string(term), count, slot);
    return true;
  });
  return out;
}

// `entries` (term, slot) sorted and grouped as ForEachWithPrefix groups them.
std::vector<ListEntry> Grouped(std::vector<std::pair<std::string, uint32_t>> entries) {
  std::sort(entries.begin(), entries.end());
  std::vector<ListEntry> out;
  for (auto& [term, slot] : entries) {
    if (!out.empty() && std::get<0>(out.back()) == term) {
      ++std::get<1>(out.back());
    } else {
      out.emplace_back(std::move(term), 1, slot);
    }
  }
  return out;
}

std::vector<ListEntry> Counted(const absl::flat_hash_map<const std::string*, int64_t>& counts) {
  std::vector<ListEntry> out;
  for (const auto& [s, n] : counts) out.emplace_back(SuggestTerm(*s), n, 0);
  std::sort(out.begin(), out.end());
  return out;
}

void Compare(const char* what, const std::vector<ListEntry>& have,
             const std::vector<ListEntry>& want, size_t max_problems,
             std::vector<std::string>* problems) {
  auto show = [](const ListEntry& e) {
    std::string term = std::get<0>(e);
    std::replace(term.begin(), term.end(), kSuggestSeparator, '|');
    return absl::StrCat("'", term, "' x", std::get<1>(e), " (slot ", std::get<2>(e), ")");
  };
  size_t i = 0, j = 0;
  while ((i < have.size() || j < want.size()) && problems->size() < max_problems) {
    if (i < have.size() && j < want.size() && have[i] == want[j]) {
      ++i, ++j;
    } else if (j == want.size() ||
               (i < have.size() && std::get<0>(have[i]) < std::get<0>(want[j]))) {
      problems->push_back(
          absl::StrCat("suggest ", what, ": lists ", show(have[i++]), " that no live artist has"));
    } else if (i == have.size() || std::get<0>(want[j]) < std::get<0>(have[i])) {
      problems->push_back(absl::StrCat("suggest ", what, ": lacks ", show(want[j++])));
    } else {
      problems->push_back(absl::StrCat("suggest ", what, ": lists ", show(have[i++]),
                                       "; the rows say ", show(want[j++])));
    }
  }
}

}  // namespace

RowSuggestNames SuggestNamesOf(const Row& row) {
  RowSuggestNames n;
  if (!row.name.empty()) n.name = &row.name;
  if (!row.studio_name->empty()) n.studio = row.studio_name;
  const std::string* city = row.locations.empty() ? nullptr : row.locations[0].city;
  if (city != nullptr && !city->empty()) n.city = city;
  return n;
}

std::vector<std::string> CheckSuggestIndexes(const Snapshot& snapshot, size_t max_problems) {
  std::vector<std::pair<std::string, uint32_t>> names;
  absl::flat_hash_map<const std::string*, int64_t> studios, cities;
  for (uint32_t slot = 0; slot < snapshot.rows.slot_limit(); ++slot) {
    const Row& row = snapshot.rows.row(slot);
    if (!row.live) continue;
    const RowSuggestNames n = SuggestNamesOf(row);
    if (n.name != nullptr) names.emplace_back(SuggestTerm(*n.name), slot);
    if (n.studio != nullptr) ++studios[n.studio];
    if (n.city != nullptr) ++cities[n.city];
  }
  std::vector<std::string> problems;
  Compare("artist names", Listed(*snapshot.suggest_artists), Grouped(std::move(names)),
          max_problems, &problems);
  Compare("studios", Listed(*snapshot.suggest_studios), Counted(studios), max_problems, &problems);
  Compare("cities", Listed(*snapshot.suggest_cities), Counted(cities), max_problems, &problems);
  return problems;
}

}  // namespace inkdex::engine
