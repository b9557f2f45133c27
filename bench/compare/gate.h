// The correctness gate (issue 5): before anything is timed, each system's
// answer to a query is compared with inkdex's, and a mismatch fails the run.
//
// For one search, a peer's PeerAnswer (collected with collect_ids) must have:
//  * the same match set as inkdex (PeerAnswer::all_ids, compared as sets,
//    no duplicates) and total == |all_ids|;
//  * the same facet counts, value by value (a value missing on one side
//    counts 0; labels are not compared; top cities compared as a map, so the
//    same cities with the same counts);
//  * the same page: position by position, either the same id or two ids
//    whose inkdex sort keys are equal (|a - b| <= kKeyRelativeTolerance *
//    max(1, |a|)). Both pages being sorted, this is exactly "the same page
//    up to reordering among equal keys", including a tie that straddles the
//    page's end.
//
// Tolerance at radius boundaries: an id whose distance from the query point
// (its nearest active location, computed by the runner from the artist
// record with inkdex's geo::DistanceKm: InkdexReference::distance_km) is within
// kBoundaryKm or kBoundaryRelative * radius of the radius may be in one set
// and not the other (a peer on a spheroid or with another formula may round
// it the other way). Such ids may also take each other's places on the page.
// Facet counts may then differ by at most `facet_slack` (the number of
// artists of the whole data set, whatever the other constraints, that sit
// that close to the radius or to a distance-ring edge: 2, 5, 10, 25, 50 km)
// plus the boundary ids the two sets disagree on. Viewport edges, ratings and
// rates are exact comparisons of the same doubles: no tolerance.
//
// Suggest (Q5) is timed but not gated: completions are ranked by each
// system's own heuristics, and Peer::Suggest returns display strings.
//
// Thread safety: pure functions over caller-owned data.
#ifndef INKDEX_BENCH_COMPARE_GATE_H_
#define INKDEX_BENCH_COMPARE_GATE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "inkdex/query.h"
#include "peers/peer.h"

namespace inkdex::bench {

inline constexpr double kBoundaryKm = 1e-6;
inline constexpr double kBoundaryRelative = 1e-9;
inline constexpr double kKeyRelativeTolerance = 1e-9;
inline constexpr double kRingEdgesKm[] = {2, 5, 10, 25, 50};

// True when `distance_km` is within the stated tolerance of `edge_km`.
bool NearBoundary(double distance_km, double edge_km);

// inkdex's answer to one query, and what the gate needs to judge another
// system's answer against it.
struct InkdexReference {
  SearchRequest request;
  std::string query_json;  // QueryToJson, for the mismatch report
  PeerAnswer answer;       // with all_ids
  // inkdex's sort key of an id (smaller first; relevance: -score), or
  // nullopt when the runner cannot tell (an id far down a relevance order).
  std::function<std::optional<double>(const std::string& id)> sort_key;
  // Distance from request.point to the id's nearest active location, or
  // nullopt without a point or for an unknown id.
  std::function<std::optional<double>(const std::string& id)> distance_km;
  int64_t facet_slack = 0;  // see the file comment
};

struct GateResult {
  bool ok = true;
  std::string report;  // empty when ok; otherwise what differs, for a person
};

// Compares `peer` (system `system`) with `ref`.
GateResult CheckAnswer(const InkdexReference& ref, const std::string& system,
                       const PeerAnswer& peer);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_COMPARE_GATE_H_
