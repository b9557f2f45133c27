// The gate's inkdex side: per query, inkdex's answer (InkdexPeer with every
// match id) and the lookups gate.h needs, computed from the artist records
// (GateArtists) rather than trusted from any system under test.
//
// Sort keys: for the ids of inkdex's first SearchRequest::kMaxLimit hits, the
// key of the hit (relevance: -score; distance; -rating; rate; missing values
// last as +inf, as engine/ranking.h orders them); for other ids, computed from
// the record for every sort but relevance (whose text weight only Xapian
// knows), which is then unknown.
//
// Thread safety: GateArtists is immutable after From; a reference's lookups
// read it, so it must outlive them.
#ifndef INKDEX_BENCH_COMPARE_REFERENCE_H_
#define INKDEX_BENCH_COMPARE_REFERENCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "compare/gate.h"
#include "compare/match_geometry.h"
#include "inkdex_peer.h"
#include "query_set.h"

namespace inkdex::bench {

// What the gate needs of one artist.
struct GateArtist {
  std::vector<DatedLocation> locations;  // primary first
  double rating = 0;                     // NaN when unrated
  uint32_t review_count = 0;
  double hourly_rate = 0;  // NaN when unknown
};

class GateArtists {
 public:
  static GateArtists From(const std::vector<Artist>& artists);

  const GateArtist* Find(const std::string& id) const;
  // Artists whose nearest active location is within the gate's tolerance of
  // `radius_km` (when set) or of a distance-ring edge (when `rings`).
  int64_t CountNearEdges(const SearchRequest& request, bool rings) const;
  size_t size() const { return by_id_.size(); }

 private:
  absl::flat_hash_map<std::string, GateArtist> by_id_;
};

// The key engine/ranking.h sorts by for sort orders other than relevance.
double NonRelevanceKey(SortOrder sort, double distance_km, double rating, uint32_t review_count,
                       double hourly_rate);

// REQUIRES: `inkdex` open; `artists` holds the records the index was built
// from, and outlives the result.
absl::StatusOr<InkdexReference> MakeReference(InkdexPeer& inkdex, const GateArtists& artists,
                                              const BenchQuery& query);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_COMPARE_REFERENCE_H_
