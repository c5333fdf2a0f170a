#!/usr/bin/env bash
# The packaging checks CI runs: the MCP Bundle manifest against the official CLI
# (`mcpb validate`, @anthropic-ai/mcpb), the manifest's tool list and the versions against the
# real binary and Cargo.toml (packaging/sync.mjs), and server.json against the MCP Registry's
# schema kept in this directory (check-jsonschema, PyPI). Builds nothing.
#
# Usage: packaging/check.sh [BINARY]   (default: $HEYGEN_MCP_BIN or target/debug/heygen-mcp)
# Installs its tools on first use (packaging/setup.sh), then runs offline.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
bin=${1:-${HEYGEN_MCP_BIN:-$repo/target/debug/heygen-mcp}}
# shellcheck source=packaging/setup.sh
source "$here/setup.sh"
packaging_node_modules
packaging_venv

echo "== packaging: mcpb validate packaging/manifest.json"
"$mcpb" validate "$here/manifest.json"
echo "== packaging: tool list and versions (packaging/sync.mjs)"
node "$here/sync.mjs" "$bin"
echo "== packaging: check-jsonschema packaging/server.json"
"$packaging_python" -m check_jsonschema --schemafile "$here/server.schema.json" "$here/server.json"
