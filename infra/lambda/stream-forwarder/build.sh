#!/usr/bin/env bash
# Packages the stream-forwarder Lambda as a zip: handler.py, the Python gRPC
# stubs of proto/inkdex/v1/stream_ingest.proto generated now, and (unless
# SKIP_DEPENDENCIES=1) grpcio and protobuf for the Lambda runtime (Python
# 3.12; the runtime has boto3 but not grpcio). grpcio is native code: ARCH
# (arm64, the default, or x86_64) must be the function's architecture, and
# the stream-consumer module deploys arm64.
#
#   infra/lambda/stream-forwarder/build.sh [OUT_DIR]   # default: ./build
#   -> OUT_DIR/package/ (the tree: the inkdex module's forwarder_source_dir)
#      and OUT_DIR/stream-forwarder.zip (sign it; forwarder_package_path)
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
case "${ARCH:-arm64}" in
  arm64) platform=manylinux2014_aarch64 ;;
  x86_64) platform=manylinux2014_x86_64 ;;
  *) echo "build.sh: ARCH must be arm64 or x86_64, got '${ARCH}'" >&2; exit 2 ;;
esac

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
    --python-version 3.12 --platform "$platform" --only-binary=:all: \
    'grpcio>=1.51' 'protobuf>=4.21,<5'
fi

# Zipped by Python (always present here; the zip tool may not be), in a
# fixed order.
"$python" - "$package" "$out/stream-forwarder.zip" <<'PY'
import os, sys, zipfile
root, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            z.write(path, os.path.relpath(path, root))
PY
echo "build.sh: wrote $out/stream-forwarder.zip"
