#!/usr/bin/env bash
# Installs the Debian 12 packages inkdex needs to build, test and run its demo.
# Idempotent: when every package is already present it installs nothing and
# does not touch the network. Run as root (make does this for you).
#
#   scripts/install-deps.sh            # build + test + demo dependencies
#   scripts/install-deps.sh --bench    # also what the benchmark report needs (matplotlib)
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config git ca-certificates
  libxapian-dev librocksdb-dev libabsl-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libs2-dev libssl-dev libcurl4-openssl-dev zlib1g-dev libicu-dev
  libsimdjson-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus-cpp-dev libcivetweb-dev libgoogle-perftools-dev
  python3 python3-grpcio python3-grpc-tools python3-boto3 python3-botocore python3-jsonschema
  clang-format openssl curl
  # The benchmark's peer systems (bench/peers/), built and tested with the rest.
  libsqlite3-dev libpq-dev postgresql postgresql-15-postgis-3
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-matplotlib)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo $0) to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node tooling for the Terraform checks (infra/checks): idempotent as well.
bash "$(dirname "$0")/install-npm-tools.sh"

# DynamoDB Local and Java for the stream tests (tests/dynamodb): idempotent as well.
bash "$(dirname "$0")/install-dynamodb-local.sh"
