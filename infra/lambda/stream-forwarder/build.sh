#!/usr/bin/env bash
# Packages the stream-forwarder Lambda as a zip: handler.py, the Python gRPC
# stubs of proto/inkdex/v1/stream_ingest.proto generated now, and (unless
# SKIP_DEPENDENCIES=1) grpcio and protobuf for the Lambda runtime (Python
# 3.12, x86_64; the runtime has boto3 but not grpcio).
#
#   infra/lambda/stream-forwarder/build.sh [OUT_DIR]   # default: ./build
#   -> OUT_DIR/package/ (the tree) and OUT_DIR/stream-forwarder.zip
#
# Stubs: protoc with grpc_python_plugin (Debian: protobuf-compiler 3.21,
# protobuf-compiler-grpc), else `python3 -m grpc_tools.protoc` (pip
# grpcio-tools; Debian's python3-grpc-tools 1.14 bundles a protoc too old for
# the protobuf 4 runtime, so it is only the fallback). Dependencies come from
# pip (manylinux wheels for cp312); where pip cannot reach its index, set
# SKIP_DEPENDENCIES=1 and add grpcio and protobuf as a Lambda layer instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=$(mkdir -p "${1:-$here/build}" && cd "${1:-$here/build}" && pwd)
package=$out/package
python=${PYTHON:-python3}

rm -rf "$package" "$out/stream-forwarder.zip"
mkdir -p "$package"
proto=$repo/proto/inkdex/v1/stream_ingest.proto
if command -v protoc >/dev/null && command -v grpc_python_plugin >/dev/null; then
  protoc -I "$repo/proto" --python_out="$package" --grpc_python_out="$package" \
    --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" "$proto"
elif "$python" -c 'import grpc_tools.protoc' 2>/dev/null; then
  "$python" -m grpc_tools.protoc -I "$repo/proto" --python_out="$package" \
    --grpc_python_out="$package" "$proto"
else
  echo "build.sh: need protoc + grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc)" \
       "or grpc_tools (pip grpcio-tools) to generate the stubs" >&2
  exit 1
fi
cp "$here/handler.py" "$package/"

if [ "${SKIP_DEPENDENCIES:-0}" != 1 ]; then
  "$python" -m pip install --quiet --target "$package" --implementation cp \
    --python-version 3.12 --platform manylinux2014_x86_64 --only-binary=:all: \
    'grpcio>=1.51' 'protobuf>=4.21,<5'
fi

(cd "$package" && zip -qr "$out/stream-forwarder.zip" .)
echo "build.sh: wrote $out/stream-forwarder.zip"
