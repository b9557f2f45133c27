// The benchmark query sets: fixed, generated lists of searches and suggests
// in six classes (bench/README.md "Query classes" describes each). The lists
// are a pure function of (class, count, seed), so the library benchmarks, a
// load generator and peer systems all run exactly the same queries; peers that
// are not C++ read them from `inkdex_bench_queries` output (QueryToJson).
//
// Query points are gazetteer cities drawn by sampling weight (population
// times market weight, as the synthetic artists are placed), moved up to
// kScatterKm from the city centre in a uniform random direction and distance.
//
// Thread safety: free functions, no shared state; the returned values are
// plain data.
#ifndef INKDEX_BENCH_QUERY_SET_H_
#define INKDEX_BENCH_QUERY_SET_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "inkdex/query.h"

namespace inkdex::bench {

inline constexpr uint64_t kQuerySeed = 20261129;
inline constexpr double kScatterKm = 3.0;

enum class QueryClass { kLocal, kText, kViewport, kNearest, kSuggest, kWide };

// Q1..Q6 in order.
std::span<const QueryClass> AllQueryClasses();
// "Q1_local", "Q2_text", ...
std::string_view QueryClassName(QueryClass c);
std::optional<QueryClass> ParseQueryClass(std::string_view name);

// One benchmark query: a search, or a suggest for QueryClass::kSuggest.
struct BenchQuery {
  QueryClass query_class = QueryClass::kLocal;
  SearchRequest search;
  SuggestRequest suggest;
};

// The first `count` queries of class `c` for `seed`. A longer list extends a
// shorter one (query k does not depend on count).
std::vector<BenchQuery> MakeQueries(QueryClass c, size_t count, uint64_t seed = kQuerySeed);

// The query as one JSON object: {"class", "kind": "search"|"suggest", and the
// request fields that are set, named as in query.h}.
std::string QueryToJson(const BenchQuery& q);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_QUERY_SET_H_
