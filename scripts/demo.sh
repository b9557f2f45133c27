#!/usr/bin/env bash
# The inkdex demo (`make demo`): synthesizes ~100,000 artists, builds an index
# and runs a few searches against it, printed as tables; then starts
# inkdex-server on the index, runs the same searches through gRPC and leaves
# the server running (demo/server.pid, log in demo/server.log) with the
# commands to query it. A second run stops the previous server first.
#
# Usage: scripts/demo.sh [BUILD_DIR]   (default: build; the binary is BUILD_DIR/bin/inkdex)
#
# Data and index live in demo/ (gitignored). They are rebuilt only when
# missing or older than the binary, so a second run is quick; DEMO_REBUILD=1
# forces a rebuild, DEMO_COUNT changes the number of artists.
#
# Structure: each step is a function; main() calls them in order. Queries go
# through the inkdex() wrapper with the "${TARGET[@]}" flags, so serving the
# same queries from another target (a server) only changes TARGET.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${1:-build}"
case "${BUILD_DIR}" in /*) ;; *) BUILD_DIR="${ROOT}/${BUILD_DIR}" ;; esac
BIN="${BUILD_DIR}/bin/inkdex"
SERVER_BIN="${BUILD_DIR}/bin/inkdex-server"
DEMO_DIR="${ROOT}/demo"
DATA="${DEMO_DIR}/artists.jsonl"
INDEX="${DEMO_DIR}/index"
INDEX_STAMP="${DEMO_DIR}/.index-built"
COUNT="${DEMO_COUNT:-100000}"
SERVER_PID_FILE="${DEMO_DIR}/server.pid"
SERVER_LOG="${DEMO_DIR}/server.log"
TOKEN_FILE="${DEMO_DIR}/write-token"
PORT="${DEMO_PORT:-50051}"
METRICS_PORT="${DEMO_METRICS_PORT:-9464}"
SERVER_ADDR=""
METRICS_ADDR=""
SEED=42
TARGET=(--index "${INDEX}")

if [[ -t 1 ]]; then
  BOLD=$'\e[1m'; DIM=$'\e[2m'; RESET=$'\e[0m'
else
  BOLD=""; DIM=""; RESET=""
fi

inkdex() { "${BIN}" "$@"; }

# Prints a header explaining the query, the command, then runs it.
demo_query() {
  local title="$1"
  shift
  printf '\n%s==> %s%s\n' "${BOLD}" "${title}" "${RESET}"
  printf '%s$ inkdex %s%s\n\n' "${DIM}" "$*" "${RESET}"
  inkdex "$@"
}

# True when $1 is missing or older than any of the following files.
stale() {
  local target="$1"
  shift
  [[ -e "${target}" ]] || return 0
  local source
  for source in "$@"; do
    [[ "${source}" -nt "${target}" ]] && return 0
  done
  return 1
}

check_binary() {
  local b
  for b in "${BIN}" "${SERVER_BIN}"; do
    if [[ ! -x "${b}" ]]; then
      echo "demo: ${b} not found; run 'make demo' (or 'make' first)" >&2
      exit 1
    fi
  done
}

stop_previous_server() {
  [[ -f "${SERVER_PID_FILE}" ]] || return 0
  local pid
  pid="$(cat "${SERVER_PID_FILE}")"
  if kill -0 "${pid}" 2>/dev/null && grep -q inkdex-server "/proc/${pid}/cmdline" 2>/dev/null; then
    echo "demo: stopping the previous demo server (pid ${pid})"
    kill -TERM "${pid}"
    local i
    for i in $(seq 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "${SERVER_PID_FILE}"
}

# Starts inkdex-server on the demo index in the background, on DEMO_PORT
# (50051) when free, else on a free port; sets SERVER_ADDR from the
# server's "listening" line.
start_server() {
  printf '\n%s==> Starting inkdex-server on %s%s\n' "${BOLD}" "${INDEX#"${ROOT}/"}" "${RESET}"
  [[ -s "${TOKEN_FILE}" ]] || (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"${TOKEN_FILE}")
  local attempt listen metrics out="${DEMO_DIR}/server.out"
  for attempt in preferred any; do
    if [[ "${attempt}" == preferred ]]; then
      listen="127.0.0.1:${PORT}"; metrics="127.0.0.1:${METRICS_PORT}"
    else
      listen="127.0.0.1:0"; metrics="127.0.0.1:0"
    fi
    : >"${out}"
    nohup "${SERVER_BIN}" --index "${INDEX}" --listen "${listen}" --metrics-listen "${metrics}" \
      --write-token-file "${TOKEN_FILE}" >"${out}" 2>"${SERVER_LOG}" </dev/null &
    local pid=$!
    local i
    for i in $(seq 300); do
      if grep -q '"listening"' "${out}" 2>/dev/null; then
        echo "${pid}" >"${SERVER_PID_FILE}"
        SERVER_ADDR="$(sed -n 's/.*"grpc":"\([^"]*\)".*/\1/p' "${out}" | head -1)"
        METRICS_ADDR="$(sed -n 's/.*"metrics":"\([^"]*\)".*/\1/p' "${out}" | head -1)"
        echo "demo: inkdex-server (pid ${pid}) serves ${SERVER_ADDR}, metrics on http://${METRICS_ADDR}/metrics"
        return 0
      fi
      kill -0 "${pid}" 2>/dev/null || break
      sleep 0.1
    done
    kill "${pid}" 2>/dev/null || true
    echo "demo: inkdex-server did not start on ${listen}; last log lines:" >&2
    tail -n 3 "${SERVER_LOG}" >&2 || true
  done
  exit 1
}

ensure_data() {
  mkdir -p "${DEMO_DIR}"
  if [[ -n "${DEMO_REBUILD:-}" ]] || stale "${DATA}" "${BIN}"; then
    printf '%s==> Synthesizing %s artists (seed %s) into %s%s\n' "${BOLD}" "${COUNT}" "${SEED}" \
      "${DATA#"${ROOT}/"}" "${RESET}"
    inkdex synth --count "${COUNT}" --seed "${SEED}" --out "${DATA}.tmp"
    mv "${DATA}.tmp" "${DATA}"
  else
    echo "demo: ${DATA#"${ROOT}/"} is up to date"
  fi
}

ensure_index() {
  if [[ -n "${DEMO_REBUILD:-}" ]] || stale "${INDEX_STAMP}" "${DATA}" "${BIN}" ||
    [[ ! -d "${INDEX}" ]]; then
    printf '\n%s==> Building the index %s%s\n' "${BOLD}" "${INDEX#"${ROOT}/"}" "${RESET}"
    rm -f "${INDEX_STAMP}"
    inkdex build --input "${DATA}" --index "${INDEX}" --force
    touch "${INDEX_STAMP}"
  else
    echo "demo: ${INDEX#"${ROOT}/"} is up to date"
  fi
}

run_queries() {
  demo_query "Fine-line artists within 5 km of central Leeds" \
    search "${TARGET[@]}" --lat 53.7997 --lon -1.5492 --radius-km 5 --style fineline --limit 10

  demo_query "\"dragon\" in Japanese style within 15 km of Tokyo" \
    search "${TARGET[@]}" --text dragon --style japanese --lat 35.6762 --lon 139.6503 \
    --radius-km 15 --limit 10

  demo_query "A map viewport over Berlin, best rated first" \
    search "${TARGET[@]}" --bbox 52.45,13.25,52.58,13.55 --sort rating --limit 10

  demo_query "Nearest artists with open books to Times Square, New York" \
    search "${TARGET[@]}" --lat 40.758 --lon -73.9855 --sort distance --booking-open --limit 8 \
    --no-facets

  demo_query "Realism in London under 150/h, rated 4.5 or better" \
    search "${TARGET[@]}" --lat 51.5074 --lon -0.1278 --radius-km 10 --style realism \
    --max-hourly-rate 150 --min-rating 4.5 --limit 8

  demo_query "Completions for \"sar\" (artists, studios, styles, cities)" \
    suggest "${TARGET[@]}" --prefix sar --limit 8
}

print_next_steps() {
  local bin_rel="${BIN#"${ROOT}/"}"
  local index_rel="${INDEX#"${ROOT}/"}"
  local token_rel="${TOKEN_FILE#"${ROOT}/"}"
  local s="--server ${SERVER_ADDR}"
  cat <<EOT

${BOLD}==> The server is still running${RESET} (pid $(cat "${SERVER_PID_FILE}"), log ${SERVER_LOG#"${ROOT}/"}); query it:
  ${bin_rel} search ${s} --lat 53.4808 --lon -2.2426 --radius-km 10 --style blackwork --style dotwork
  ${bin_rel} search ${s} --text "koi sleeve" --sort rating --json
  ${bin_rel} search ${s} --lat 48.8566 --lon 2.3522 --radius-km 5 --explain --limit 5
  ${bin_rel} suggest ${s} --prefix neo --lat 51.5 --lon -0.12
  ${bin_rel} get ${s} artist-0000042
  ${bin_rel} stats ${s}
  head -3 ${DATA#"${ROOT}/"} | ${bin_rel} upsert ${s} --token-file ${token_rel} --input -
  curl -s http://${METRICS_ADDR}/metrics | grep inkdex_requests_total
  ${bin_rel} help search

${BOLD}==> Stop it${RESET} (it drains calls in flight and exits 0); the index then opens locally again:
  kill \$(cat ${SERVER_PID_FILE#"${ROOT}/"})
  ${bin_rel} search --index ${index_rel} --lat 51.5074 --lon -0.1278 --radius-km 5
  ${bin_rel} verify --index ${index_rel}
EOT
}

main() {
  check_binary
  stop_previous_server
  ensure_data
  ensure_index
  run_queries
  start_server
  TARGET=(--server "${SERVER_ADDR}")
  printf '\n%s==> The same searches through gRPC (inkdex search --server %s)%s\n' "${BOLD}" \
    "${SERVER_ADDR}" "${RESET}"
  run_queries
  print_next_steps
}

main
