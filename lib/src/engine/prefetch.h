// PrefetchForRead: start loading the cache line that holds an address, for
// a scan that will read it a few steps later.
//
// Why not __builtin_prefetch: GCC 12's interprocedural pure-const analysis
// finds a function whose only effect is a prefetch "pure", and a call to a
// pure function whose result is unused (a void helper's, a lambda's) may then
// be dropped before it is inlined. That silently removed every prefetch from
// SearchRun::CollectGeo's cell scan, which reached it through
// Snapshot::PrefetchHot and a lambda (unseen: with slots in cell order the
// hardware overlapped most of those misses anyway, bench/RESULTS.md
// "Thirty-ninth session"). A volatile asm statement is a side effect the
// optimizer must keep wherever it ends up.
//
// Cost: one instruction; it never faults (a prefetch of a bad address is
// ignored), and a prefetch the core cannot keep in flight is dropped.
// Thread safety: none needed.
#ifndef INKDEX_ENGINE_PREFETCH_H_
#define INKDEX_ENGINE_PREFETCH_H_

namespace inkdex::engine {

[[gnu::always_inline]] inline void PrefetchForRead(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 (%0)" : : "r"(p));
#elif defined(__aarch64__)
  asm volatile("prfm pldl1keep, [%0]" : : "r"(p));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_PREFETCH_H_
