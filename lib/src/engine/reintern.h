// ReinternStrings: a snapshot whose rows point into a new StringPool, so
// that the strings no row uses any more (a studio renamed, a location's
// display rewritten) go with the old pool.
//
// A StringPool only grows (string_pool.h): every distinct location display,
// city, studio name or key and currency written since the index was opened
// stays in it, ~120 bytes each. The index's writer calls this when its pool
// has doubled since the last time (index_impl.cc, MaybeReinternStrings), so
// the pool holds at most about twice the strings its rows use, plus a fixed
// slack, and the cost is amortized over the strings that grew it.
//
// Cost: O(rows): every row page is copied (none is shared with `s`) and each
// row's strings looked up by address and interned again once each: 0.53 s
// at 1,000,000 artists (bench/index_write_bench.cc, BM_ReinternStrings;
// 1.4 s interning every pointer's text), on the writer's thread, with a
// second copy of the rows (~500 bytes an artist) alive until the last
// search holding `s` ends. The cell and suggest indexes are shared: they
// hold no interned pointers.
//
// Thread safety: by the index's single writer (it interns into `pool`);
// `s` is only read.
#ifndef INKDEX_ENGINE_REINTERN_H_
#define INKDEX_ENGINE_REINTERN_H_

#include <memory>

#include "engine/snapshot.h"
#include "engine/string_pool.h"

namespace inkdex::engine {

// REQUIRES: `pool` is not the pool `s`'s rows point into (a new one, or one
// only this call fills). The result holds `pool`.
std::shared_ptr<const Snapshot> ReinternStrings(const Snapshot& s,
                                                std::shared_ptr<StringPool> pool);

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_REINTERN_H_
