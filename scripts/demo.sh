#!/usr/bin/env bash
# The inkdex demo (`make demo`): synthesizes ~100,000 artists, builds an index
# and runs a few searches against it, printed as tables.
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
DEMO_DIR="${ROOT}/demo"
DATA="${DEMO_DIR}/artists.jsonl"
INDEX="${DEMO_DIR}/index"
INDEX_STAMP="${DEMO_DIR}/.index-built"
COUNT="${DEMO_COUNT:-100000}"
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
  if [[ ! -x "${BIN}" ]]; then
    echo "demo: ${BIN} not found; run 'make demo' (or 'make' first)" >&2
    exit 1
  fi
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
  cat <<EOT

${BOLD}==> Try more${RESET}
  ${bin_rel} search --index ${index_rel} --lat 53.4808 --lon -2.2426 --radius-km 10 --style blackwork --style dotwork
  ${bin_rel} search --index ${index_rel} --text "koi sleeve" --sort rating --json
  ${bin_rel} search --index ${index_rel} --lat 48.8566 --lon 2.3522 --radius-km 5 --explain --limit 5
  ${bin_rel} suggest --index ${index_rel} --prefix neo --lat 51.5 --lon -0.12
  ${bin_rel} get --index ${index_rel} artist-0000042
  ${bin_rel} stats --index ${index_rel}
  ${bin_rel} verify --index ${index_rel}
  ${bin_rel} help search
EOT
}

main() {
  check_binary
  ensure_data
  ensure_index
  run_queries
  print_next_steps
}

main
