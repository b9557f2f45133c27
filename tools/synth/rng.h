// Rng: a small, fast, deterministic pseudo-random generator (SplitMix64) for
// synthetic data, plus the sampling helpers the generator needs.
//
// Every value the generator makes is drawn from an Rng seeded from a tuple
// such as (seed, record index) or (seed, city, studio slot), so any record can
// be regenerated alone and in any order. Not cryptographic.
//
// Thread-safety: an Rng is a value; use one per thread.
#ifndef INKDEX_TOOLS_SYNTH_RNG_H_
#define INKDEX_TOOLS_SYNTH_RNG_H_

#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "absl/types/span.h"

namespace inkdex::synth {

// Finalizer of SplitMix64: a bijective 64-bit mix with good avalanche.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t state) : state_(state) {}
  // Seeds from a tuple; different tuples give independent-looking streams.
  Rng(std::initializer_list<uint64_t> key) : state_(0x243f6a8885a308d3ULL) {
    for (uint64_t k : key) state_ = Mix64(state_ ^ k);
  }

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform integer in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Exponential with the given mean.
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  // Standard normal (Box-Muller; one of the pair is discarded).
  double Normal() {
    double u = 1.0 - Uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * Uniform());
  }

  // A uniformly chosen element. REQUIRES: !items.empty().
  template <typename T>
  const T& Pick(absl::Span<const T> items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_RNG_H_
