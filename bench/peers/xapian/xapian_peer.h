// The plain Xapian peer (MakePlainXapianPeer, bench/peers/peer.h): what a
// team gets from Xapian 1.4 used the way its documentation suggests, without
// inkdex's design (no geo cell terms, no in-memory rows, no per-style
// counts). The layout is in xapian_schema.h, the queries in xapian_query.h,
// the decider, spies and key maker in xapian_match.h.
//
// A search:
//   1. query = text (QueryParser) FILTER geo (LatLongDistancePostingSource
//      with max_range, or lat/lon value ranges for a viewport) FILTER value
//      range filters FILTER styles;
//   2. Enquire::get_mset with check_at_least = doccount (exact totals) and
//      ActiveLocationDecider (guest spots only count on the query date; the
//      exact radius/box check);
//   3. facets: ValueCountMatchSpy on the rate-band and rating-band slots,
//      FacetSpy (a MatchSpy) for styles (multi-valued), distance rings and
//      cities of the matched location. With a style constraint the style
//      facet is disjunctive, so a second get_mset without the style filter
//      runs FacetSpy for the styles alone;
//   4. order: without text, Enquire::set_sort_by_key with SortKeyMaker
//      (inkdex's key formula from ranking.h, ties by id) so Xapian keeps only
//      the page; with text and relevance, the score needs Xapian's TF weight
//      t, which a KeyMaker cannot see and a Weight cannot combine nonlinearly
//      (t/(1+t)), so every match is fetched with its weight (TfIdfWeight
//      "lnn", as inkdex) and the keys are computed after matching.
//   Nearest-first (a point without radius) sorts by the key maker's distance
//   to the nearest active location: a LatLongDistancePostingSource would
//   rank by the nearest of all locations, active or not.
//
// Deviations from inkdex's semantics (none affects the benchmark's queries;
// the gate needs no tolerance for this peer):
//  * Text uses inkdex's analysis (inkdex's text index is Xapian too: same
//    fields, wdf boosts, biography stemmed without positions) and inkdex's
//    own query parser (text::ParseText: stopwords, style words, the last
//    word also as a prefix of stemmed terms), so matches and TF weights are
//    the same; but a "quoted phrase" matches only the short fields (inkdex
//    also checks the biography's text).
//  * Suggest: styles (id or display name), then the three cities with the
//    most artists, then artists whose full name starts with the prefix,
//    nearest first; not inkdex's ranking (widening rings, studios). The gate
//    does not compare suggestions.
//  * No spelling suggestions, page tokens or per-studio diversity.
// Geography, dates, filters, facets and sort keys follow inkdex exactly: the
// decider re-measures with inkdex's haversine on 6371.0088 km, so there is
// no rounding at radius edges either.
//
// Thread safety: one thread at a time (Peer's contract).
#ifndef INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_PEER_H_
#define INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_PEER_H_

#include "peers/peer.h"

#endif  // INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_PEER_H_
