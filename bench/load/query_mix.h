// The load generator's query mix: the library benchmark's query classes
// (bench/query_set.h, Q1..Q6) converted to inkdex.v1 requests once, and a
// fixed "plan" that says which query the i-th call of a run sends.
//
// Weights say how often each class is drawn. The plan is a pure function of
// (weights, queries, plan length, seed): every run of the load generator, and
// every step of a sweep, sends the same sequence of requests. Within a class
// the queries are used in list order, so a plan longer than a class's list
// cycles through it.
//
// Thread safety: a QueryMix is immutable after Create/FromQueries; any number
// of threads may call At() at once.
#ifndef INKDEX_BENCH_LOAD_QUERY_MIX_H_
#define INKDEX_BENCH_LOAD_QUERY_MIX_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "inkdex/v1/artist_search.pb.h"
#include "query_set.h"

namespace inkdex::bench::load {

inline constexpr size_t kClassCount = 6;

// Relative weight per class, indexed by static_cast<size_t>(QueryClass).
// Non-negative; at least one positive.
using MixWeights = std::array<double, kClassCount>;

// The default mix (bench/README.md, "gRPC load generator"): Q1_local 35,
// Q2_text 15, Q3_viewport 25, Q4_nearest 10, Q5_suggest 14, Q6_wide 1.
MixWeights DefaultMix();

// Parses "Q1_local=35,Q2=15,...": class names as ParseQueryClass accepts
// them ("Q1_local" or "Q1"); classes not named get weight 0. INVALID_ARGUMENT
// naming the item for an unknown class, a repeated class, a weight that is
// not a finite number >= 0, or when every weight is 0.
absl::StatusOr<MixWeights> ParseMix(std::string_view spec);

// "Q1_local=35,Q2_text=15,..." (classes with weight > 0 only).
std::string MixToString(const MixWeights& weights);

// One request ready for the wire.
struct WireQuery {
  QueryClass query_class = QueryClass::kLocal;
  v1::SearchRequest search;    // every class but kSuggest
  v1::SuggestRequest suggest;  // kSuggest
  bool is_suggest() const { return query_class == QueryClass::kSuggest; }
};

class QueryMix {
 public:
  // The first `per_class` benchmark queries (MakeQueries, kQuerySeed) of
  // every class with a positive weight, converted with api::ToProto, and a
  // plan of `plan_length` draws. REQUIRES: per_class > 0, plan_length > 0.
  static absl::StatusOr<QueryMix> Create(const MixWeights& weights, size_t per_class,
                                         size_t plan_length, uint64_t seed);

  // The same from ready-made queries: every class with a positive weight
  // must have at least one query in `queries` (INVALID_ARGUMENT otherwise).
  static absl::StatusOr<QueryMix> FromQueries(std::vector<WireQuery> queries,
                                              const MixWeights& weights, size_t plan_length,
                                              uint64_t seed);

  // The query the i-th call of a run sends (the plan cycles).
  const WireQuery& At(uint64_t i) const { return queries_[IndexAt(i)]; }
  // Its index in queries().
  size_t IndexAt(uint64_t i) const { return plan_[i % plan_.size()]; }
  const std::vector<WireQuery>& queries() const { return queries_; }
  size_t plan_length() const { return plan_.size(); }
  const MixWeights& weights() const { return weights_; }

 private:
  QueryMix() = default;

  MixWeights weights_{};
  std::vector<WireQuery> queries_;
  std::vector<uint32_t> plan_;  // indexes into queries_
};

}  // namespace inkdex::bench::load

#endif  // INKDEX_BENCH_LOAD_QUERY_MIX_H_
