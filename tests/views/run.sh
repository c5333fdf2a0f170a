#!/usr/bin/env bash
# The MCP App views (src/ui/*.html) in headless Chromium, inside a test host built on the
# ext-apps AppBridge, against BINARY --sandbox. See run.mjs for what it checks.
#
# Usage: tests/views/run.sh [BINARY]   (default: $HEYGEN_MCP_BIN or target/debug/heygen-mcp)
# Builds nothing. Needs Chromium (/usr/bin/chromium, Debian's package; or set CHROMIUM) and
# Node 20+. Installs views/node_modules on first use (or when views/package-lock.json
# changes: npm ci, no browser download); after that it runs offline.
# Screenshots go to target/views/. The last line is `N passed, M failed`; exit 1 on failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
views=$repo/views
bin=${1:-${HEYGEN_MCP_BIN:-$repo/target/debug/heygen-mcp}}
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

if [ ! -x "$bin" ]; then
    echo "views: no executable at $bin (run cargo build first)" >&2
    exit 1
fi
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    echo "views: no Chromium at $chromium (apt-get install chromium, or set CHROMIUM)" >&2
    exit 1
fi

# Reused while package-lock.json is unchanged (npm ci would reinstall, needing the network).
want=$(sha256sum "$views/package-lock.json" | cut -d' ' -f1)
if [ ! -d "$views/node_modules/playwright-core" ] || [ "$(cat "$views/node_modules/.views-lock" 2>/dev/null)" != "$want" ]; then
    echo "views: npm ci in views/"
    (cd "$views" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$want" >"$views/node_modules/.views-lock"
fi

CHROMIUM=$chromium exec timeout 240 node "$here/run.mjs" "$bin"
