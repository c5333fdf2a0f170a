#!/usr/bin/env bash
# heygen-mcp http replicas behind HAProxy, driven by the official MCP Python SDK in both
# protocol eras, with a replica drained (SIGTERM) mid-call and one killed (SIGKILL) between
# calls. See replicas.py for what it checks.
#
# Usage: tests/remote/run.sh [BINARY]   (default: $HEYGEN_MCP_BIN or target/debug/heygen-mcp)
# Builds nothing. Needs HAProxy: installed with apt-get when `haproxy -v` fails and this runs
# as root (as CI does); otherwise install it first. Reuses the Python SDK venv of
# tests/interop (target/interop-venv, override: HEYGEN_INTEROP_VENV), creating it the same
# way when absent. After that it runs offline. The last line is `N passed, M failed`; exit
# status 1 on any failure. Every process it starts is stopped on exit. HEYGEN_REMOTE_LOGS=DIR
# keeps the logs (sandbox, replicas, HAProxy's request log) and the HAProxy config there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:-${HEYGEN_MCP_BIN:-$repo/target/debug/heygen-mcp}}
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
venv=${HEYGEN_INTEROP_VENV:-$repo/target/interop-venv}
requirements=$repo/tests/interop/requirements.txt
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

if [ ! -x "$bin" ]; then
    echo "remote: no executable at $bin (run cargo build first)" >&2
    exit 1
fi
if ! "$bin" http --help >/dev/null 2>&1; then
    echo "remote: $bin has no http subcommand (an old build? run cargo build)" >&2
    exit 1
fi

if ! haproxy -v >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "remote: HAProxy is not installed; install it (apt-get install haproxy) or run as root" >&2
        exit 1
    fi
    echo "remote: installing HAProxy (apt-get install haproxy)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi
haproxy -v | sed -n 1p

# The Python SDK venv of tests/interop, reused while its requirements.txt is unchanged.
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.interop-requirements" 2>/dev/null)" != "$want" ]; then
    echo "remote: creating $venv (pip install -r tests/interop/requirements.txt)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --no-input -r "$requirements"
    echo "$want" >"$venv/.interop-requirements"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/heygen-remote.XXXXXX")
py=
# shellcheck disable=SC2329 # run by the EXIT trap
cleanup() {
    # replicas.py stops its children itself (and they die with it: PR_SET_PDEATHSIG); this
    # is for when it could not: each process it wrote down (pid and start time, so a pid
    # reused since by another process is left alone).
    if [ -n "$py" ]; then kill "$py" 2>/dev/null || true; wait "$py" 2>/dev/null || true; fi
    if [ -f "$work/pids" ]; then
        local pid started now
        while read -r pid started; do
            now=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f20) || continue
            if [ -n "$now" ] && [ "$now" = "$started" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
        done <"$work/pids"
    fi
    if [ -n "${HEYGEN_REMOTE_LOGS:-}" ]; then
        mkdir -p "$HEYGEN_REMOTE_LOGS" && cp "$work"/*.log "$work"/haproxy.cfg "$HEYGEN_REMOTE_LOGS"/ 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

status=0
timeout 240 "$venv/bin/python" "$here/replicas.py" "$bin" "$work" &
py=$!
wait "$py" || status=$?
py=
exit "$status"
