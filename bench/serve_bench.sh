#!/usr/bin/env bash
# Measures inkdex-server under gRPC load (bench/README.md, "gRPC load
# generator") and writes the "gRPC service" section of the report.
#
#   bench/serve_bench.sh BUILD_DIR [--quick] [--artists N[,N...]] [--rates LIST]
#                        [--duration S] [--warmup S] [--concurrency N] [--no-report]
#
# For each index size (default 100,000 and 1,000,000; --quick: 100,000):
#   1. makes sure the benchmark index exists (the same index bench/run.sh
#      measures, in $INKDEX_BENCH_DIR/<N>, else BUILD_DIR/bench-data/<N>;
#      built with inkdex_build_bench when its marker file is missing);
#   2. starts BUILD_DIR/bin/inkdex-server on it (loopback, free ports, default
#      flags otherwise) and waits until it is listening and its CPU is quiet;
#   3. runs inkdex_load: an open-loop sweep of rising rates until the server
#      saturates, then one closed-loop step (--concurrency, default 32) for the
#      most it completes; JSON to BUILD_DIR/bench-results/serve-<N>.json;
#   4. stops the server with SIGTERM.
# Nothing is pinned: server and load generator share the machine's cores.
# Then bench/report.py puts the "gRPC service" section into the report
# (bench/RESULTS.md; with --quick BUILD_DIR/bench-results/RESULTS.md), replacing
# that section only; it shows every size with results in
# BUILD_DIR/bench-results, each with its date. --no-report skips this.
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--quick] [--artists N[,N...]] [--rates LIST] [--duration S]" \
    "[--warmup S] [--concurrency N] [--no-report]" >&2
  exit 2
}
(($# >= 1)) || usage
build_arg=$1
shift
quick=0
artists=100000,1000000
rates=250,500,1000,1500,2000,2500,3000,3500,4000,5000,6000,7000,8000,10000,12000,15000,20000
duration=10
warmup=2
concurrency=32
report=1
while (($#)); do
  case "$1" in
    --quick) quick=1; artists=100000 ;;
    --artists) artists=${2:?}; shift ;;
    --rates) rates=${2:?}; shift ;;
    --duration) duration=${2:?}; shift ;;
    --warmup) warmup=${2:?}; shift ;;
    --concurrency) concurrency=${2:?}; shift ;;
    --no-report) report=0 ;;
    *) usage ;;
  esac
  shift
done

# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
bench_dirs "$build_arg"

cmake --build "$build" --target inkdex_server inkdex_load inkdex_build_bench -j "$(nproc)"

commands=  # the current size's commands file, serve-<N>.commands.txt
run() {
  printf '%s\n' "$*" | sed "s|$build|BUILD_DIR|g" >>"$commands"
  "$@"
}

server_pid=
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  server_pid=
}
trap stop_server EXIT

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# Waits until the server uses under 5 % of a core over a second (RocksDB may
# compact the freshly opened index in the background), at most 5 minutes.
wait_quiet() {
  local hz before after
  hz=$(getconf CLK_TCK)
  for _ in $(seq 300); do
    before=$(cpu_ticks "$1")
    sleep 1
    after=$(cpu_ticks "$1")
    ((after - before <= hz / 20)) && return 0
  done
  echo "$0: server still busy after 5 minutes; measuring anyway" >&2
}

for n in ${artists//,/ }; do
  index=$data_base/$n
  echo "== serve benchmark: $n artists" >&2
  commands=$results/serve-$n.commands.txt
  : >"$commands"
  if ! grep -qx "artists=$n" "$index/inkdex-bench.complete" 2>/dev/null; then
    run "$build/bin/inkdex_build_bench" --artists="$n" --build_dir="$build" \
      --out="$data_base/build-$n.json"
  fi

  out=$results/serve-$n.server.out
  log=$results/serve-$n.server.log
  : >"$out"
  printf '%s\n' "$build/bin/inkdex-server --index $index --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0" |
    sed "s|$build|BUILD_DIR|g" >>"$commands"
  "$build/bin/inkdex-server" --index "$index" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
    >"$out" 2>"$log" &
  server_pid=$!
  target=
  for _ in $(seq 600); do
    target=$(sed -n 's/.*"event":"listening".*"grpc":"\([^"]*\)".*/\1/p' "$out")
    [[ -n "$target" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "$0: inkdex-server exited; see $log" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$target" ]] || { echo "$0: inkdex-server did not start listening; see $log" >&2; exit 1; }
  wait_quiet "$server_pid"

  json=$results/serve-$n.json
  run "$build/bin/inkdex_load" --target "$target" --sweep --rates "$rates" \
    --concurrency "$concurrency" --duration "$duration" --warmup "$warmup" \
    --server-pid "$server_pid" --json "$json"
  stop_server
done

# The report covers every size measured so far in this build directory (a
# size measured alone, --artists N, keeps the others' latest results).
if ((report)); then
  if ((quick)); then
    report_file=$results/RESULTS.md
    sizes=$artists
  else
    report_file=$repo/bench/RESULTS.md
    sizes=100000,1000000,$artists
  fi
  jsons=()
  all_commands=$results/serve-commands.txt
  : >"$all_commands"
  for n in $(tr , '\n' <<<"$sizes" | sort -nu); do
    [[ -f "$results/serve-$n.json" ]] || continue
    jsons+=("$results/serve-$n.json")
    cat "$results/serve-$n.commands.txt" >>"$all_commands" 2>/dev/null || true
  done
  /usr/bin/python3 "$repo/bench/report.py" --splice-serve "$report_file" --serve "${jsons[@]}" \
    --commands "$all_commands" --repo "$repo"
  echo "== report: $report_file (section \"gRPC service\")" >&2
fi
