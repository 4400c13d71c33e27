#!/usr/bin/env bash
# Regenerates src/export/proto/onnx-pb.ts from src/export/proto/onnx.proto (ONNX's published
# schema, Apache-2.0, copied from Debian's libonnx-dev 1.12: /usr/include/onnx/onnx.proto) with
# protoc-gen-es, the code generator of @bufbuild/protobuf. The generated file is committed, so
# neither tool is a dependency; run this only when onnx.proto changes.
set -euo pipefail
cd "$(dirname "$0")/../src/export/proto"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp onnx.proto "$tmp/"
cat > "$tmp/buf.yaml" <<'YAML'
version: v2
YAML
cat > "$tmp/buf.gen.yaml" <<'YAML'
version: v2
plugins:
  - local: protoc-gen-es
    out: out
    opt: [target=ts, import_extension=js]
YAML
(cd "$tmp" && npx --yes -p @bufbuild/buf@1.75.0 -p @bufbuild/protoc-gen-es@2.13.0 buf generate)
cp "$tmp/out/onnx_pb.ts" onnx-pb.ts
