// PostingMatch: every document a text query matches, with the weight
// Xapian's matcher gives it under TfIdfWeight("lnn"), computed by reading
// each of the query's posting lists once, front to back, instead of through
// Xapian's matcher.
//
// Why: Xapian's matcher walks a query document by document through a tree
// of OR and AND posting lists, a few virtual calls and a weight object per
// posting at every level. inkdex wants every match (an exact total, facets,
// its own ranking), so nothing is pruned, and a broad text pays for every
// posting at every level: a one-letter last word without a place ("t")
// expands to 128 terms, 3.8 million postings at 1,000,000 artists, ~230 ms
// in Xapian's matcher and ~75 ms here. Term at a time: a term's postings are
// read into a sorted list (a synonym's summed in a per-thread array indexed
// by document), and the lists are combined by merging; an AND reads its
// rarest side first and skips through the others to its matches only.
//
// Weights: 1 + ln(wdf) per term ("l"; 0 for wdf 0), a synonym's on the sum of
// its terms' wdfs, added up over the terms and synonyms a document matches,
// except under the right side of AND_NOT and FILTER (which only select), as
// Xapian's matcher does. The sums may differ from Xapian's in the last bit
// (another order of addition).
//
// Supported queries (CanMatchByPostings): term leaves, MatchNothing, AND, OR,
// AND_MAYBE, AND_NOT, FILTER, SYNONYM of distinct terms, and PHRASE and NEAR on a
// database without positions (Xapian matches those as AND there). Anything
// else (MatchAll, posting sources, values, weight scaling, positions) is left
// to Xapian's matcher by the caller.
//
// Cost: O(postings read + matches), plus for a synonym of many postings a
// pass over a per-thread array of 4 bytes per document (4 MB at 1,000,000
// artists, kept by the thread for its next query).
// Thread safety: as the Xapian::Database (one thread at a time).
#ifndef INKDEX_TEXT_POSTING_MATCH_H_
#define INKDEX_TEXT_POSTING_MATCH_H_

#include <cstdint>
#include <functional>
#include <vector>

#include <xapian.h>

#include "absl/status/statusor.h"
#include "engine/searcher.h"
#include "text/term_walk.h"

namespace inkdex::text {

// Whether MatchByPostings evaluates `query` against `db`.
bool CanMatchByPostings(const Xapian::Database& db, const Xapian::Query& query);

// Every document `query` matches (among `restrict_to` when non-null), with its
// weight, ascending by docid. CANCELLED "text match stopped" when `stop` (if
// set; polled every 1,024 postings) returned true. Xapian's errors
// (a reader overtaken by commits: DatabaseModifiedError) propagate as
// exceptions, as from Enquire::get_mset.
// REQUIRES: CanMatchByPostings(db, query); restrict_to sorted ascending;
// every term leaf has a wqf of 1 (ParseText's queries do).
// `freqs`, if set, holds term frequencies already read (ParseText's prefix
// walk) and receives those looked up here.
absl::StatusOr<std::vector<engine::SlotWeight>> MatchByPostings(
    const Xapian::Database& db, const Xapian::Query& query,
    const std::vector<uint32_t>* restrict_to, const std::function<bool()>& stop,
    TermFreqs* freqs = nullptr);

// How many documents `query` matches, estimated from its terms' frequencies
// as Xapian's matcher estimates (each side independent of the others), in
// [0, doccount]: for a plan's choice, never a total. Cost: a frequency lookup
// for each term not in `freqs` (which receives it); no posting list is read.
// REQUIRES: CanMatchByPostings(db, query).
uint64_t EstimateByPostings(const Xapian::Database& db, const Xapian::Query& query,
                            TermFreqs* freqs = nullptr);

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_POSTING_MATCH_H_
