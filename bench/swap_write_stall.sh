#!/usr/bin/env bash
# How long writes wait while inkdex-server swaps in another index (SIGHUP),
# the stall bench/load/ANALYSIS.md ("Twentieth session: writes during an index
# swap") reports.
#
#   bench/swap_write_stall.sh BUILD_DIR [--artists N] [--keep]
#
#   1. copies the benchmark index of N artists (default 1,000,000; the one
#      bench/run.sh measures, built with inkdex_build_bench when missing) twice
#      into BUILD_DIR/bench-results/swap/ (the copies take the writes);
#   2. starts BUILD_DIR/bin/inkdex-server on a symlink to the first copy;
#   3. upserts one record per `inkdex upsert` call, one call after another,
#      for 3 s, then re-points the symlink to the second copy and sends
#      SIGHUP, and goes on writing for 3 s after the swap is logged;
#   4. prints the swap's duration and the longest and mean upsert call
#      (a call costs a process start, the commit interval and a synced
#      commit: ~0.15 s without a swap).
# The copies are removed afterwards unless --keep.
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--artists N] [--keep]" >&2
  exit 2
}
(($# >= 1)) || usage
build_arg=$1
shift
artists=1000000
keep=0
while (($#)); do
  case $1 in
    --artists) artists=${2:?}; shift 2 ;;
    --keep) keep=1; shift ;;
    *) usage ;;
  esac
done
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_dirs "$build_arg"

source_index=$data_base/$artists
if ! grep -qx "artists=$artists" "$source_index/inkdex-bench.complete" 2>/dev/null; then
  "$build/bin/inkdex_build_bench" --artists="$artists" --build_dir="$build" \
    --out="$data_base/build-$artists.json" >&2
fi
work=$results/swap
rm -rf "$work"
mkdir -p "$work"
cp -r "$source_index" "$work/a"
cp -r "$source_index" "$work/b"
ln -sfn "$work/a" "$work/current"
echo "bench-token-$$" >"$work/token"
"$build/bin/inkdex" synth --count 200 --seed 7 --out "$work/writes.jsonl" 2>/dev/null

"$build/bin/inkdex-server" --index "$work/current" --listen 127.0.0.1:0 \
  --metrics-listen 127.0.0.1:0 --write-token-file "$work/token" >"$work/server.out" \
  2>"$work/server.log" &
server=$!
cleanup() {
  rm -f "$work/writing"
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  ((keep)) || rm -rf "$work/a" "$work/b"
}
trap cleanup EXIT
until grep -q '"event":"listening"' "$work/server.log"; do
  kill -0 "$server" || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
address=$(grep '"event":"listening"' "$work/server.log" | sed 's/.*"grpc":"\([^"]*\)".*/\1/')

touch "$work/writing"
(
  i=0
  while [[ -f $work/writing ]]; do
    i=$((i + 1))
    sed -n "$((i % 200 + 1))p" "$work/writes.jsonl" >"$work/one.jsonl"
    start=$(date +%s.%N)
    "$build/bin/inkdex" upsert --server "$address" --token-file "$work/token" \
      --input "$work/one.jsonl" >/dev/null
    echo "$start $(date +%s.%N)"
  done >"$work/calls"
) &
writer=$!
sleep 3
ln -sfn "$work/b" "$work/current"
swap_start=$(date +%s.%N)
kill -HUP "$server"
until grep -q '"event":"swapped"' "$work/server.log"; do
  grep -q '"event":"swap_failed"' "$work/server.log" && { cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done
swap_end=$(date +%s.%N)
sleep 3
rm -f "$work/writing"
wait "$writer"

echo "$("$build/bin/inkdex-server" --version 2>&1 | head -1), $artists artists, $(nproc) cores"
awk -v s="$swap_start" -v e="$swap_end" 'BEGIN { printf "swap (SIGHUP to logged): %.2f s\n", e - s }'
awk '{ d = $2 - $1; if (d > max) max = d; sum += d; n++ }
     END { printf "upsert calls: %d, longest %.3f s, mean %.3f s\n", n, max, sum / n }' \
  "$work/calls"
