#!/usr/bin/env bash
# Runs the inkdex library benchmarks and writes the report.
#
#   bench/run.sh BUILD_DIR [--quick] [--rebuild] [--serve]
#
#   --quick    100,000 artists only; the report goes to
#              BUILD_DIR/bench-results/RESULTS.md (bench/RESULTS.md keeps the
#              full run's numbers).
#   --rebuild  rebuild the benchmark indexes (and so re-measure the build)
#              even when complete ones exist.
#   --serve    then also measure inkdex-server over gRPC (bench/serve_bench.sh,
#              same sizes); without it the report keeps its previous
#              "gRPC service" section.
#
# Last, bench/stream/run.sh measures the DynamoDB stream path (apply
# throughput, freshness against DynamoDB Local; a few minutes) and splices its
# section into the same report.
#
# Full run: 100,000 and 1,000,000 artists, report in bench/RESULTS.md.
# Benchmark indexes live in $INKDEX_BENCH_DIR/<N>, else BUILD_DIR/bench-data/<N>;
# each is built once (minutes for 1M) and reused with its recorded build
# numbers. INKDEX_BENCH_QUERIES sets the queries per class (default 500).
#
# Then inkdex_compare runs inkdex against SQLite, PostgreSQL+PostGIS and plain
# Xapian (bench/compare/, the report's "Peers" section and peers-latency.png):
# same sizes, stores in <bench dir>/peers/<system>/<N>, built once and reused;
# a private PostgreSQL cluster (scripts/bench-postgres.sh) is started for it
# and stopped afterwards. INKDEX_COMPARE_QUERIES sets its timed queries per
# class (default 200), INKDEX_COMPARE_SYSTEMS the peers (default: all built).
# A peer whose answers differ from inkdex's fails the run (after the report is
# written).
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--quick] [--rebuild] [--serve]" >&2
  exit 2
}
(($# >= 1)) || usage
build_arg=$1
shift
quick=0
reuse=--reuse
serve=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --rebuild) reuse= ;;
    --serve) serve=1 ;;
    *) usage ;;
  esac
done

# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
bench_dirs "$build_arg"
queries=${INKDEX_BENCH_QUERIES:-500}

cmake --build "$build" --target inkdex_search_bench inkdex_build_bench inkdex_bench_queries \
  inkdex_compare -j "$(nproc)"

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

# The peers: default systems are those inkdex_compare was built with.
compare_systems=${INKDEX_COMPARE_SYSTEMS:-$("$build/bin/inkdex_compare" --help |
  sed -n 's/.*--systems TEXT=\([a-z,]*\).*/\1/p')}
pg_dir=$data_base/postgres
pg_started=0
stop_postgres() {
  if ((pg_started)); then "$repo/scripts/bench-postgres.sh" stop "$pg_dir" >&2 || true; fi
}
trap stop_postgres EXIT
if [[ ",$compare_systems," == *,postgis,* ]]; then
  echo "== PostgreSQL for the peer comparison: $pg_dir" >&2
  INKDEX_PG_DSN=$("$repo/scripts/bench-postgres.sh" start "$pg_dir")
  INKDEX_PG_DIR=$pg_dir  # the cluster, for its memory
  export INKDEX_PG_DSN INKDEX_PG_DIR
  pg_started=1
fi
echo "== peers: $compare_systems at ${sizes[*]} artists" >&2
compare_status=0
run "$build/bin/inkdex_compare" --systems="$compare_systems" --artists="$artists" \
  --queries="${INKDEX_COMPARE_QUERIES:-200}" --class-budget=30 --data-dir="$data_base/peers" \
  --json="$results/compare.json" || compare_status=$?
stop_postgres
pg_started=0

report_args=(--search "$results/search.json" --build "${build_jsons[@]}" --commands "$commands"
  --repo "$repo")
[[ -f "$results/compare.json" ]] &&
  report_args+=(--compare "$results/compare.json" --compare-plot "$(dirname "$report")/peers-latency.png")
((quick)) && report_args+=(--quick)
[[ -f "$report" ]] && report_args+=(--previous "$report")
/usr/bin/python3 "$repo/bench/report.py" "${report_args[@]}" >"$report.tmp"
mv "$report.tmp" "$report"
echo "== report: $report" >&2
if ((serve)); then
  serve_args=()
  ((quick)) && serve_args+=(--quick)
  "$repo/bench/serve_bench.sh" "$build" "${serve_args[@]}"
fi
# The DynamoDB stream section (issue 4): apply throughput and freshness
# against DynamoDB Local, spliced into the same report.
stream_args=(--report "$report")
((quick)) && stream_args+=(--quick)
stream_status=0
"$repo/bench/stream/run.sh" "$build" "${stream_args[@]}" || stream_status=$?
if ((stream_status)); then
  echo "== stream: bench/stream/run.sh failed (exit $stream_status): a write never became searchable or a run failed; see $report" >&2
fi
if ((compare_status)); then
  echo "== peers: inkdex_compare failed (exit $compare_status): an answer differed from inkdex's or a system failed; see $report" >&2
  exit "$compare_status"
fi
exit "$stream_status"
