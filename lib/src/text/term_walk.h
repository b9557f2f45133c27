// Walking the terms of a Xapian database that begin with a prefix, reading
// as little of the database as possible.
//
// Xapian's own walk (allterms_begin(prefix) and ++) steps through every
// posting-list chunk of every term it passes: going past a term held by
// 500,000 documents reads ~250 B-tree blocks (~400 us at 1M artists), and a
// wildcard such as "traditional*" pays that before any matching starts.
// These functions step past a frequent term with one seek instead (~2 block
// reads), and read rare terms sequentially as Xapian does.
//
// Limits: a term that begins with another term followed by a NUL byte would
// be stepped over; inkdex's terms never contain NUL (TermGenerator splits
// on it, and prefixes are ASCII letters).
//
// Thread safety: as the Xapian::Database passed in (one thread at a time).
#ifndef INKDEX_TEXT_TERM_WALK_H_
#define INKDEX_TEXT_TERM_WALK_H_

#include <cstddef>
#include <string>
#include <vector>

#include <xapian.h>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"

namespace inkdex::text {

// Calls fn(term, termfreq) for the terms beginning with `prefix`, in byte
// order, until fn returns false. Cost: ~1 us a rare term, ~3 us a frequent
// one.
void ForEachTermWithPrefix(const Xapian::Database& db, const std::string& prefix,
                           absl::FunctionRef<bool(const std::string&, Xapian::doccount)> fn);

// The frequencies of terms a search has read, by term: the prefix walk
// reads each term's frequency anyway, and the matcher and the plan's estimate
// would otherwise look each one up again (a B-tree descent and a block read,
// ~2 us, each).
using TermFreqs = absl::flat_hash_map<std::string, Xapian::doccount>;

// The terms beginning with `prefix`, at most `limit` of them (limit >= 1):
// when there are more, the `limit` most frequent, chosen exactly as Xapian's
// OP_WILDCARD with WILDCARD_LIMIT_MOST_FREQUENT chooses them (the same
// std::nth_element over the same sequence), so queries built from them match
// what the wildcard would.
// `freqs`, if set, receives the chosen terms' frequencies.
std::vector<std::string> MostFrequentTermsWithPrefix(const Xapian::Database& db,
                                                     const std::string& prefix, size_t limit,
                                                     TermFreqs* freqs = nullptr);

// Query(OP_WILDCARD, prefix, limit, WILDCARD_LIMIT_MOST_FREQUENT) expanded
// now: an OP_SYNONYM of MostFrequentTermsWithPrefix (MatchNothing when there
// are none), matching and weighting the same documents.
Xapian::Query PrefixSynonymQuery(const Xapian::Database& db, const std::string& prefix,
                                 size_t limit, TermFreqs* freqs = nullptr);

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_TERM_WALK_H_
