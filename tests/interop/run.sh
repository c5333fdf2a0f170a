#!/usr/bin/env bash
# Third-party MCP clients against heygen-mcp --sandbox: the official Python SDK
# (python_client.py) and the MCP Inspector CLI (inspector.sh). See README.md here.
#
# Usage: tests/interop/run.sh [BINARY]   (default: $HEYGEN_MCP_BIN or target/debug/heygen-mcp)
# Builds nothing. Installs the clients on first use (or when requirements.txt /
# package-lock.json change): a venv at target/interop-venv (override: HEYGEN_INTEROP_VENV)
# and tests/interop/node_modules. After that it runs offline.
# The last line is the combined `N passed, M failed`; exit status 1 if either client failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:-${HEYGEN_MCP_BIN:-$repo/target/debug/heygen-mcp}}
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
venv=${HEYGEN_INTEROP_VENV:-$repo/target/interop-venv}
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

if [ ! -x "$bin" ]; then
    echo "interop: no executable at $bin (run cargo build first)" >&2
    exit 1
fi

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

# Python SDK venv, reused while requirements.txt is unchanged.
want=$(hash_of "$here/requirements.txt")
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.interop-requirements" 2>/dev/null)" != "$want" ]; then
    echo "interop: creating $venv (pip install -r tests/interop/requirements.txt)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --no-input -r "$here/requirements.txt"
    echo "$want" >"$venv/.interop-requirements"
fi

# Inspector, reused while package-lock.json is unchanged (npm ci would reinstall, needing the network).
want=$(hash_of "$here/package-lock.json")
if [ ! -x "$here/node_modules/.bin/mcp-inspector" ] || [ "$(cat "$here/node_modules/.interop-lock" 2>/dev/null)" != "$want" ]; then
    echo "interop: npm ci in tests/interop"
    (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$want" >"$here/node_modules/.interop-lock"
fi

passed=0
failed=0
logs=$(mktemp -d "${TMPDIR:-/tmp}/heygen-interop-logs.XXXXXX")
trap 'rm -rf "$logs"' EXIT
# run NAME COMMAND...: runs a client script, echoes its output, adds its summary line to the totals.
run() {
    local name=$1 status=0 summary
    shift
    echo "== interop: $name"
    timeout 300 "$@" 2>&1 | tee "$logs/$name.log" || status=$?
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$name.log" | tail -n 1 || true)
    if [ -z "$summary" ]; then
        echo "interop: $name ended (status $status) without a summary line"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + ${summary%% passed*}))
    local f=${summary#*, }
    failed=$((failed + ${f%% failed}))
    if [ "$status" -ne 0 ] && [ "${f%% failed}" -eq 0 ]; then
        failed=$((failed + 1)) # a non-zero exit always counts
    fi
}

run python-sdk "$venv/bin/python" "$here/python_client.py" "$bin"
run inspector bash "$here/inspector.sh" "$bin"

echo "== interop: both clients, ${SECONDS} s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
