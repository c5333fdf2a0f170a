# Sourced by scripts/package-mcpb.sh and packaging/check.sh: installs the packaging tools on
# first use (or when their pins change), then reuses them offline, as tests/interop/run.sh does.
#   packaging_node_modules  npm ci in packaging/ (@anthropic-ai/mcpb, @modelcontextprotocol/sdk)
#   packaging_venv          check-jsonschema in target/packaging-venv (override: HEYGEN_PACKAGING_VENV)
# After sourcing: $packaging (this directory), $mcpb (the mcpb CLI), $packaging_python.

packaging=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mcpb=$packaging/node_modules/.bin/mcpb
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

# SHA-256 of a file, in hex (sha256sum on Linux and Git Bash, shasum on macOS).
packaging_sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

packaging_node_modules() {
    local want
    want=$(packaging_sha256 "$packaging/package-lock.json")
    if [ ! -x "$mcpb" ] || [ "$(cat "$packaging/node_modules/.packaging-lock" 2>/dev/null)" != "$want" ]; then
        echo "packaging: npm ci in packaging/"
        (cd "$packaging" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
        echo "$want" >"$packaging/node_modules/.packaging-lock"
    fi
}

packaging_venv() {
    local venv=${HEYGEN_PACKAGING_VENV:-$(cd "$packaging/.." && pwd)/target/packaging-venv} want
    want=$(packaging_sha256 "$packaging/requirements.txt")
    packaging_python=$venv/bin/python
    if [ ! -x "$packaging_python" ] || [ "$(cat "$venv/.packaging-requirements" 2>/dev/null)" != "$want" ]; then
        echo "packaging: creating $venv (pip install -r packaging/requirements.txt)"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$packaging_python" -m pip install --quiet --no-input -r "$packaging/requirements.txt"
        echo "$want" >"$venv/.packaging-requirements"
    fi
}
