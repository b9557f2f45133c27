#!/usr/bin/env bash
# Two builds of inkdex-server compared on as-you-type and broad text
# searches, the A/B bench/ANALYSIS.md quotes ("Text matches in slot order").
#
#   bench/text_ab.sh OLD_BIN_DIR NEW_BIN_DIR INDEX_DIR [--rounds N] [--keep]
#
#   1. copies INDEX_DIR (an index holds one writer at a time, so each server
#      needs its own) into a temporary directory beside it;
#   2. starts OLD_BIN_DIR/inkdex-server on INDEX_DIR and
#      NEW_BIN_DIR/inkdex-server on the copy (loopback, free ports);
#   3. sends each query within 50 km of London and everywhere (no facets),
#      one server then the other, for N rounds (default 8), with
#      NEW_BIN_DIR/inkdex search --server;
#   4. prints a Markdown table of the medians of each server's own
#      duration_ms (its access log) over rounds 2..N, the ratio, and the
#      total (flagged when the two servers' totals differ).
# Nothing is pinned: the servers share the machine, each call alternating,
# so a disturbance hits both. The copy is removed afterwards unless --keep.
set -euo pipefail

usage() {
  echo "usage: $0 OLD_BIN_DIR NEW_BIN_DIR INDEX_DIR [--rounds N] [--keep]" >&2
  exit 2
}
(($# >= 3)) || usage
old_bin=$(cd "$1" && pwd)
new_bin=$(cd "$2" && pwd)
index=$(cd "$3" && pwd)
shift 3
rounds=8
keep=0
while (($#)); do
  case "$1" in
    --rounds) rounds=${2:?}; shift ;;
    --keep) keep=1 ;;
    *) usage ;;
  esac
  shift
done
((rounds >= 2)) || { echo "$0: --rounds must be at least 2 (round 1 is warm-up)" >&2; exit 2; }

work=$(mktemp -d "$(dirname "$index")/text-ab.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if ((keep)); then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
cp -r "$index" "$work/index"

# The gRPC address a server's log names once it listens.
address() {
  local log=$1 addr
  for _ in $(seq 1 600); do
    addr=$(grep -o '"event":"listening","grpc":"[^"]*"' "$log" | head -1 | sed 's/.*"grpc":"//; s/"$//')
    if [[ -n "$addr" ]]; then echo "$addr"; return; fi
    sleep 0.2
  done
  echo "$0: inkdex-server did not start; see $log" >&2
  exit 1
}
"$old_bin/inkdex-server" --index "$index" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
  >/dev/null 2>"$work/old.log" &
pids+=($!)
"$new_bin/inkdex-server" --index "$work/index" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
  >/dev/null 2>"$work/new.log" &
pids+=($!)
old_addr=$(address "$work/old.log")
new_addr=$(address "$work/new.log")

queries=("rose s" "dragon t" "rose the" "s" "t" "a" "ta" "tattoo" "roses" "black a")
for ((round = 1; round <= rounds; ++round)); do
  for q in "${queries[@]}"; do
    for form in radius everywhere; do
      if [[ $form == radius ]]; then
        geo=(--lat 51.5074 --lon -0.1278 --radius-km 50)
      else
        geo=(--no-facets)
      fi
      for addr in "$old_addr" "$new_addr"; do
        "$new_bin/inkdex" search --server "$addr" --text "$q" "${geo[@]}" --limit 20 >/dev/null
      done
    done
  done
done

/usr/bin/python3 - "$work/old.log" "$work/new.log" "${queries[@]}" <<'EOF'
import json, statistics, sys

old_log, new_log, queries = sys.argv[1], sys.argv[2], sys.argv[3:]

def searches(path):
    out = []
    for line in open(path):
        if '"event":"rpc"' in line and '"method":"Search"' in line:
            out.append(json.loads(line))
    return out

old, new = searches(old_log), searches(new_log)
per_round = len(queries) * 2
rounds = len(old) // per_round
assert rounds == len(new) // per_round >= 2, "missing searches in a server's log"
print("| query | before (ms) | after (ms) | ratio | total |")
print("|---|---:|---:|---:|---:|")
for i in range(per_round):
    q, form = queries[i // 2], ("radius", "everywhere")[i % 2]
    before = statistics.median(old[r * per_round + i]["duration_ms"] for r in range(1, rounds))
    after = statistics.median(new[r * per_round + i]["duration_ms"] for r in range(1, rounds))
    t_old, t_new = old[i].get("total", 0), new[i].get("total", 0)
    total = f"{t_old:,}" if t_old == t_new else f"{t_old:,} (after: {t_new:,})"
    print(f"| `{q}`, {form} | {before:.1f} | {after:.1f} | {after / before:.2f} | {total} |")
EOF
