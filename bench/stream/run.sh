#!/usr/bin/env bash
# Measures the DynamoDB stream path of issue 4 ("Speed") and writes the
# "DynamoDB stream" section of the benchmark report.
#
#   bench/stream/run.sh BUILD_DIR [--quick] [--runs N] [--report FILE]
#                       [--freshness-arg ARG]...
#
#   1. inkdex_stream_apply_bench (bench/stream/apply_bench.cc): stream
#      records into a copy of the 100,000-artist benchmark index, mapping
#      only, commit only and end to end, sync on and off; then other mixes
#      end to end, at 100,000 and at 1,000,000 artists; N repetitions.
#   2. bench/stream/freshness.py, N times: DynamoDB Local, a 10,000-artist
#      table, inkdex-server following it, 1,000 paced writes and a burst;
#      PutItem-acknowledged to Search-visible latency.
#   3. bench/stream/scan_load.py: `inkdex build --from-dynamodb` and a table
#      load (the server's bootstrap and re-sync) of 100,000 artists from a
#      local Scan endpoint, pages read from the DOM and through trees.
#   4. bench/stream/report.py splices the section into the report
#      (default bench/RESULTS.md; with --quick BUILD_DIR/bench-results/
#      RESULTS.md), leaving the rest of the report alone.
# --runs N: repetitions of each (default 3; --quick: 1). --freshness-arg
# passes an argument to every freshness.py run (e.g.
# --freshness-arg=--commit-interval-ms=20). Needs DynamoDB Local and Java
# (scripts/install-deps.sh). Outputs: BUILD_DIR/bench-results/stream-*.
# Exit status 1 when a freshness run saw a write never become searchable.
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--quick] [--runs N] [--report FILE] [--freshness-arg ARG]..." >&2
  exit 2
}
(($# >= 1)) || usage
build_arg=$1
shift
quick=0
runs=
report=
freshness_args=()
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --runs) runs=${2:?}; shift ;;
    --report) report=${2:?}; shift ;;
    --freshness-arg) freshness_args+=("${2:?}"); shift ;;
    --freshness-arg=*) freshness_args+=("${1#--freshness-arg=}") ;;
    *) usage ;;
  esac
  shift
done

# shellcheck source=bench/common.sh
source "$(dirname "$0")/../common.sh"
bench_dirs "$build_arg"
if [[ -z "$runs" ]]; then
  runs=3
  ((quick)) && runs=1
fi
if [[ -z "$report" ]]; then
  if ((quick)); then report=$results/RESULTS.md; else report=$repo/bench/RESULTS.md; fi
fi

cmake --build "$build" --target inkdex_stream_apply_bench inkdex_server inkdex_cli \
  inkdex_service_e2e_stubs -j "$(nproc)"

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
commands=$results/stream-commands.txt
: >"$commands"
run() {
  printf '%s\n' "$*" | sed "s|$build|BUILD_DIR|g; s|$repo/||g" >>"$commands"
  "$@"
}

echo "== stream apply benchmark ($runs runs)" >&2
run "$build/bin/inkdex_stream_apply_bench" --build_dir="$build" \
  --benchmark_repetitions="$runs" --benchmark_out_format=json \
  --benchmark_out="$results/stream-apply.json"
# Other record mixes, end to end only (the sink, and the reader over it): the directory's own (few new artists,
# most updates a review or availability that changes no indexed text) and
# review-only updates.
mix_args=()
# The same at 1,000,000 artists, where a batch's scattered changes touch
# many more row pages (bench/ANALYSIS.md, "Row pages of 64").
for mix in "directory-like:--mix=5,94,1 --renamed=10" "rating-updates:--mix=0,100,0 --renamed=0" \
  "directory-like-1m:--artists=1000000 --mix=5,94,1 --renamed=10" "stress-1m:--artists=1000000"; do
  label=${mix%%:*}
  echo "== stream apply benchmark, $label mix ($runs runs)" >&2
  # shellcheck disable=SC2086 # the flags are words
  run "$build/bin/inkdex_stream_apply_bench" --build_dir="$build" ${mix#*:} \
    --benchmark_filter='apply_record_batch|read_shard' --benchmark_repetitions="$runs" \
    --benchmark_out_format=json --benchmark_out="$results/stream-apply-$label.json"
  mix_args+=(--apply-mix "$label=$results/stream-apply-$label.json")
done

fresh_jsons=()
status=0
for ((i = 1; i <= runs; i++)); do
  echo "== freshness run $i of $runs" >&2
  out=$results/stream-freshness-$i.json
  rm -f "$out"
  run /usr/bin/python3 "$repo/bench/stream/freshness.py" --build-dir "$build" \
    "${freshness_args[@]}" --json "$out" || status=$?
  [[ -f "$out" ]] && fresh_jsons+=("$out")
done

echo "== table reads (scan_load.py, $runs rounds)" >&2
scan_json=$results/stream-scan-load.json
rm -f "$scan_json"
scan_args=()
run /usr/bin/python3 "$repo/bench/stream/scan_load.py" --build-dir "$build" --rounds "$runs" \
  --json "$scan_json" || status=$?
[[ -f "$scan_json" ]] && scan_args=(--scan-load "$scan_json")

/usr/bin/python3 "$repo/bench/stream/report.py" --report "$report" \
  --apply "$results/stream-apply.json" "${mix_args[@]}" --freshness "${fresh_jsons[@]}" \
  "${scan_args[@]}" \
  --commands "$commands" --load-start "$load_start" --repo "$repo"
echo "== report: $report (DynamoDB stream section)" >&2
exit "$status"
