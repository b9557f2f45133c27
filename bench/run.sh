#!/usr/bin/env bash
# Runs the inkdex library benchmarks and writes the report.
#
#   bench/run.sh BUILD_DIR [--quick] [--rebuild]
#
#   --quick    100,000 artists only; the report goes to
#              BUILD_DIR/bench-results/RESULTS.md (bench/RESULTS.md keeps the
#              full run's numbers).
#   --rebuild  rebuild the benchmark indexes (and so re-measure the build)
#              even when complete ones exist.
#
# Full run: 100,000 and 1,000,000 artists, report in bench/RESULTS.md.
# Benchmark indexes live in $INKDEX_BENCH_DIR/<N>, else BUILD_DIR/bench-data/<N>;
# each is built once (minutes for 1M) and reused with its recorded build
# numbers. INKDEX_BENCH_QUERIES sets the queries per class (default 500).
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--quick] [--rebuild]" >&2
  exit 2
}
(($# >= 1)) || usage
build_arg=$1
shift
quick=0
reuse=--reuse
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --rebuild) reuse= ;;
    *) usage ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
[[ -d "$build_arg" ]] || { echo "$0: no build directory $build_arg (run make build)" >&2; exit 1; }
build=$(cd "$build_arg" && pwd)
data_base=${INKDEX_BENCH_DIR:-$build/bench-data}
results=$build/bench-results
queries=${INKDEX_BENCH_QUERIES:-500}
mkdir -p "$data_base" "$results"

cmake --build "$build" --target inkdex_search_bench inkdex_build_bench inkdex_bench_queries \
  -j "$(nproc)"

if ((quick)); then
  sizes=(100000)
  report=$results/RESULTS.md
else
  sizes=(100000 1000000)
  report=$repo/bench/RESULTS.md
fi

commands=$results/commands.txt
: >"$commands"
run() {
  printf '%s\n' "$*" | sed "s|$build|BUILD_DIR|g" >>"$commands"
  "$@"
}

build_jsons=()
for n in "${sizes[@]}"; do
  out=$data_base/build-$n.json
  echo "== build benchmark: $n artists" >&2
  run "$build/bin/inkdex_build_bench" --artists="$n" --build_dir="$build" --out="$out" $reuse
  build_jsons+=("$out")
done

echo "== search benchmark: ${sizes[*]} artists, $queries queries per class" >&2
artists=$(IFS=,; echo "${sizes[*]}")
run "$build/bin/inkdex_search_bench" --build_dir="$build" --artists="$artists" \
  --queries="$queries" --benchmark_out_format=json --benchmark_out="$results/search.json"

report_args=(--search "$results/search.json" --build "${build_jsons[@]}" --commands "$commands"
  --repo "$repo")
((quick)) && report_args+=(--quick)
/usr/bin/python3 "$repo/bench/report.py" "${report_args[@]}" >"$report.tmp"
mv "$report.tmp" "$report"
echo "== report: $report" >&2
