#!/usr/bin/env bash
# Installs DynamoDB Local (AWS's DynamoDB emulator, with the Streams API) for
# the tests in tests/dynamodb/:
#   - Java 17 from Debian (openjdk-17-jre-headless), only when `java` is missing;
#   - the emulator: `npm pack` of amplify-dynamodb-simulator (which ships it in
#     its emulator/ folder), of which only package/emulator is extracted into
#     .cache/dynamodb-local/<version>/emulator at the repository root (outside
#     build/, so `make clean` keeps the ~60 MB download).
# Idempotent: when the stamp matches the pinned version it does nothing and
# does not touch the network. Run as root when java is missing (make does this).
# Prints nothing on success unless it installed something (to stderr).
set -euo pipefail

version=2.9.30
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$root/.cache/dynamodb-local"
target="$cache/$version"
stamp="$cache/stamp"

if ! command -v java >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-dynamodb-local: java missing; run as root to install openjdk-17-jre-headless" >&2
    exit 1
  fi
  echo "install-dynamodb-local: installing openjdk-17-jre-headless from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
fi

if [[ -f "$stamp" && "$(cat "$stamp")" == "$version" && -f "$target/emulator/DynamoDBLocal.jar" ]]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  # scripts/install-npm-tools.sh installs node and npm from Debian first.
  echo "install-dynamodb-local: npm missing (run scripts/install-npm-tools.sh as root)" >&2
  exit 1
fi

echo "install-dynamodb-local: npm pack amplify-dynamodb-simulator@$version (emulator only)" >&2
mkdir -p "$cache"
work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
tgz=$(cd "$work" && npm pack "amplify-dynamodb-simulator@$version" --silent 2>/dev/null | tail -n 1)
tar -xzf "$work/$tgz" -C "$work" package/emulator
if [[ ! -f "$work/package/emulator/DynamoDBLocal.jar" ]]; then
  echo "install-dynamodb-local: $tgz has no package/emulator/DynamoDBLocal.jar" >&2
  exit 1
fi
# Replace the whole version directory at once, so a half-extracted tree is
# never stamped; older versions are dropped.
find "$cache" -mindepth 1 -maxdepth 1 ! -name "$(basename "$work")" -exec rm -rf {} +
mkdir -p "$target"
mv "$work/package/emulator" "$target/emulator"
echo "$version" >"$stamp"
