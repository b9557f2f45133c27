#!/usr/bin/env bash
# Installs the npm tools behind inkdex's static Terraform checks (infra/checks):
#   - Node.js and npm from Debian, only when `node` is missing;
#   - infra/checks/node_modules via `npm ci` (the HCL parser @cdktf/hcl2json);
#   - the provider schemas: `npm pack` of the prebuilt CDKTF provider packages
#     named in infra/checks/package.json ("providerSchemas"), of which only the
#     `.jsii` manifest is extracted and compacted into infra/checks/.cache/schema.json.
# Idempotent: when everything is in place (stamps match package-lock.json and
# the provider versions) it does nothing and does not touch the network.
# Run as root (make does this for you; apt-get needs it when node is missing).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
checks="$root/infra/checks"
cache="$checks/.cache"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-npm-tools: node/npm missing; run as root to install them from Debian" >&2
    exit 1
  fi
  echo "install-npm-tools: installing nodejs npm from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

# 1. npm dependencies, reinstalled only when package-lock.json changed.
lock_sum=$(sha256sum "$checks/package-lock.json" | cut -d' ' -f1)
if [[ ! -f "$checks/node_modules/.inkdex-stamp" || "$(cat "$checks/node_modules/.inkdex-stamp")" != "$lock_sum" ]]; then
  echo "install-npm-tools: npm ci in infra/checks" >&2
  (cd "$checks" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" >"$checks/node_modules/.inkdex-stamp"
fi

# 2. Provider schemas, rebuilt only when the pinned versions or the builder changed.
specs=$(node -e 'const p=require(process.argv[1]);for(const[n,v]of Object.entries(p.providerSchemas))console.log(`${n}@${v}`)' "$checks/package.json")
schema_sum=$(printf '%s\n%s\n' "$specs" "$(sha256sum "$checks/build-schema.js" | cut -d' ' -f1)" | sha256sum | cut -d' ' -f1)
if [[ ! -f "$cache/schema.json" || ! -f "$cache/schema.stamp" || "$(cat "$cache/schema.stamp")" != "$schema_sum" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  jsii=()
  for spec in $specs; do
    echo "install-npm-tools: npm pack $spec (schema only)" >&2
    tgz=$(cd "$work" && npm pack "$spec" --silent 2>/dev/null | tail -n 1)
    dir="$work/${tgz%.tgz}"
    mkdir -p "$dir"
    tar -xzf "$work/$tgz" -C "$dir" package/.jsii
    rm -f "$work/$tgz"
    jsii+=("$dir/package/.jsii")
  done
  mkdir -p "$cache"
  node "$checks/build-schema.js" "$cache/schema.json" "${jsii[@]}"
  echo "$schema_sum" >"$cache/schema.stamp"
fi
