// Comparison of an engine SearchResponse (all of its pages) with the
// brute-force OracleModel, and a random query generator for the oracle test.
//
// Thread safety: none.
#ifndef INKDEX_TESTS_ORACLE_ORACLE_CHECK_UTIL_H_
#define INKDEX_TESTS_ORACLE_ORACLE_CHECK_UTIL_H_

#include <string>
#include <vector>

#include "inkdex/index.h"
#include "oracle/oracle_util.h"

namespace inkdex::oracle {

// A readable one-line form of a request, for failure messages.
std::string Describe(const SearchRequest& q);

// Random requests over the generated world. `dates` are interesting query
// dates (guest-spot bounds); `ids` the artists a radius or box edge may be
// snapped to.
class QueryGenerator {
 public:
  enum class Kind { kRadius, kViewport, kNearest, kNoGeo };
  QueryGenerator(ArtistGenerator& gen, const OracleModel& model, const StyleTaxonomy& taxonomy);
  SearchRequest Make(Kind kind);

 private:
  void AddFilters(SearchRequest* q);
  const Artist& RandomArtist();

  ArtistGenerator& gen_;
  const OracleModel& model_;
  const StyleTaxonomy& taxonomy_;
  std::vector<std::string> ids_;
  std::vector<std::string> dates_;
};

// Runs `q` against `index`, pages through the results (all pages up to
// `full_paging_limit` matches, else the first three) with limit 100 and
// compares everything with `model`. Records gtest failures; returns false on
// the first mismatch. `matches`, when given, receives the oracle's count.
bool CheckAgainstOracle(const Index& index, const OracleModel& model, const SearchRequest& q,
                        size_t full_paging_limit = 3000, size_t* matches = nullptr);

}  // namespace inkdex::oracle

#endif  // INKDEX_TESTS_ORACLE_ORACLE_CHECK_UTIL_H_
