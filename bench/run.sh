#!/usr/bin/env bash
# heygen-mcp's benchmark: every figure of issue 7, with HeyGen's official Python MCP server
# (heygen-mcp 0.0.3 on PyPI) side by side. See BENCHMARKS.md.
#
# Usage: bench/run.sh
#   1. cargo build --release (cargo rebuilds only when the sources changed),
#   2. the peer's venv at target/bench-venv from bench/requirements.txt (created on first use or
#      when the requirements change; needs PyPI once, then runs offline),
#   3. cargo bench --bench mcp, which prints the figures (benches/mcp/main.rs lists the
#      HEYGEN_BENCH_* knobs, e.g. HEYGEN_BENCH_ONLY=cold,calls).
# All benchmark traffic stays on 127.0.0.1. Takes about 3 minutes once built.
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

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    commit="$commit + uncommitted changes"
fi
echo "heygen-mcp benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
echo "toolchain: $(rustc --version), $("$venv/bin/python" --version) with mcp $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))')"

export HEYGEN_BENCH_BIN="$target/release/heygen-mcp"
export HEYGEN_BENCH_PEER="$venv/bin/heygen-mcp"
cargo bench --quiet --bench mcp
echo "bench: done in ${SECONDS} s" >&2
