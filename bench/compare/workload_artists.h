// The benchmark workload's artists parsed: records 0..count-1 of
// GenerateRecordLines (workload.h) through ParseArtistRecord with the
// built-in taxonomy, as every compared system receives them in Peer::Build.
//
// Thread safety: a free function without shared state.
#ifndef INKDEX_BENCH_COMPARE_WORKLOAD_ARTISTS_H_
#define INKDEX_BENCH_COMPARE_WORKLOAD_ARTISTS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "inkdex/artist.pb.h"

namespace inkdex::bench {

// INVALID_ARGUMENT naming the record when one does not parse.
absl::StatusOr<std::vector<Artist>> GenerateArtists(uint64_t count);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_COMPARE_WORKLOAD_ARTISTS_H_
