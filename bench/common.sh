# Sourced by bench/run.sh and bench/serve_bench.sh: the directories every
# benchmark script works in.
#   bench_dirs BUILD_DIR   sets repo, build (absolute), data_base (benchmark
#                          indexes: $INKDEX_BENCH_DIR or BUILD_DIR/bench-data)
#                          and results (BUILD_DIR/bench-results), creating them.
bench_dirs() {
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  [[ -d "$1" ]] || { echo "$0: no build directory $1 (run make build)" >&2; exit 1; }
  build=$(cd "$1" && pwd)
  data_base=${INKDEX_BENCH_DIR:-$build/bench-data}
  results=$build/bench-results
  mkdir -p "$data_base" "$results"
}
