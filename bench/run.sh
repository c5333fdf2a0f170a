#!/usr/bin/env bash
# heygen-mcp's benchmark: every figure of issue 7, with HeyGen's official Python MCP server
# (heygen-mcp 0.0.3 on PyPI) side by side; the remote server's figures (issue 13: HTTP
# overhead, 1,000 clients against one replica and three behind HAProxy, memory, cold start)
# and tasks against wait_for_video (issue 14). See BENCHMARKS.md.
#
# Usage: bench/run.sh
#   1. cargo build --release (cargo rebuilds only when the sources changed),
#   2. the peer's venv at target/bench-venv from bench/requirements.txt (created on first use or
#      when the requirements change; needs PyPI once, then runs offline),
#   3. HAProxy for the remote figures: installed with apt-get when `haproxy -v` fails and
#      this runs as root; otherwise those rows are skipped (install it first),
#   4. cargo bench --bench mcp, which prints the figures (benches/mcp/main.rs lists the
#      HEYGEN_BENCH_* knobs, e.g. HEYGEN_BENCH_ONLY=cold,calls).
# All benchmark traffic stays on 127.0.0.1. Takes about 5 minutes once built.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$repo"
target=${CARGO_TARGET_DIR:-$repo/target}
venv=$target/bench-venv
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

echo "bench: cargo build --release" >&2
cargo build --release --quiet --bin heygen-mcp

want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/heygen-mcp" ] || [ "$(cat "$venv/.bench-requirements" 2>/dev/null)" != "$want" ]; then
    echo "bench: creating $venv (pip install -r bench/requirements.txt)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    # heygen-mcp 0.0.3 declares Requires-Python >=3.12 but runs on 3.11.
    "$venv/bin/python" -m pip install --quiet --ignore-requires-python -r "$here/requirements.txt"
    echo "$want" >"$venv/.bench-requirements"
fi

if ! haproxy -v >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing HAProxy (apt-get install haproxy)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi
# 1,000 clients hold about 3,000 sockets across the processes: raise the soft limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 8192 ]; then
    echo "bench: open-file limit $(ulimit -n) is low for 1,000 clients; set HEYGEN_BENCH_CLIENTS lower if the remote load fails" >&2
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock benches bench 2>/dev/null)" ]; then
    commit="$commit + uncommitted changes"
fi
echo "heygen-mcp benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
echo "toolchain: $(rustc --version), $("$venv/bin/python" --version) with mcp $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))')"
echo "balancer: $(haproxy -v 2>/dev/null | head -n1 || echo 'HAProxy not installed (remote balanced rows skipped)')"
echo "load average before the figures: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews every figure)"

export HEYGEN_BENCH_BIN="$target/release/heygen-mcp"
export HEYGEN_BENCH_PEER="$venv/bin/heygen-mcp"
cargo bench --quiet --bench mcp
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: done in ${SECONDS} s" >&2
