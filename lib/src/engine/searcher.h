// RunSearch: executes a planned query against one snapshot.
//
// The flow (README "How a query flows"):
//  1. Candidates: the S2 covering of the radius or viewport is scanned in the
//     snapshot's cell indexes and each location is checked exactly (distance
//     or bounds, and the guest-spot dates); with no geo region, candidates are
//     the text matches, else every live row.
//  2. Text in a region: Xapian matches among the artists located in the
//     covering and only its matches are measured; or, when the text is
//     estimated to match far fewer artists than the region holds, the text
//     is matched first and each match checked against the region.
//  3. Filters split candidates into the base set (all but styles: style
//     facets) and the matches (total, other facets, hits).
//  4. Ranking and the page: keys are computed per match, the page cursor
//     skips what earlier pages returned, the top `limit` are selected.
//     Nearest-first over a large match set widens a radius until the page is
//     provably complete instead of measuring every match.
//
// Thread safety: reentrant; the snapshot is shared read-only.
#ifndef INKDEX_ENGINE_SEARCHER_H_
#define INKDEX_ENGINE_SEARCHER_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/query_plan.h"
#include "engine/snapshot.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"

namespace inkdex::engine {

// A text match: a slot and its TF weight (> 0).
struct SlotWeight {
  uint32_t slot;
  double weight;
};

// The slots a text matches, ascending, with their weights. Ascending so that
// the searcher reads the matches' rows in memory order: a text matching most
// of a large index (a one-letter last word) touched the rows in hash order
// before, a cache and TLB miss each, and that was most of its cost.
// Cost: Find is a binary search, O(log n).
struct TextMatches {
  std::vector<SlotWeight> weights;  // ascending by slot, no slot twice
  std::string spelling_suggestion;

  // The weight of `slot`'s match, or null if the text does not match it.
  const double* Find(uint32_t slot) const {
    auto it = std::lower_bound(weights.begin(), weights.end(), slot,
                               [](const SlotWeight& w, uint32_t s) { return w.slot < s; });
    return it != weights.end() && it->slot == slot ? &it->weight : nullptr;
  }
};

// The request's text, as the searcher sees it.
struct TextSearch {
  // Matches the text; when `restrict_to` is non-null (sorted slots), only
  // among those slots. Polls `stop` while matching and, once it returns
  // true, may end early with CANCELLED.
  std::function<absl::StatusOr<TextMatches>(const std::vector<uint32_t>* restrict_to,
                                            const std::function<bool()>& stop)>
      match;
  // An estimate of how many documents match, from term frequencies (each
  // term's posting list opened, none iterated); asked only for a region of
  // 2,000 locations or more.
  std::function<absl::StatusOr<uint64_t>()> estimate;
};

// REQUIRES: plan made by PlanQuery for a request that outlives the call;
// `text` non-null iff the request has text.
absl::StatusOr<SearchResponse> RunSearch(const Snapshot& snapshot, const QueryPlan& plan,
                                         const StyleTaxonomy& taxonomy, const TextSearch* text);

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_SEARCHER_H_
