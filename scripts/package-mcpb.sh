#!/usr/bin/env bash
# Packs heygen-mcp for people without a Rust toolchain:
#   target/dist/heygen-mcp-<version>-<platform>.mcpb    MCP Bundle (Claude Desktop extension)
#   target/dist/heygen-mcp-<version>-<platform>.tar.gz  the binary, README.md and LICENSE
# and prints the SHA-256 of both. <platform> is darwin-arm64, darwin-x86_64, linux-x86_64,
# linux-arm64, win32-x86_64 or win32-arm64, from --target or the host.
#
# Usage: scripts/package-mcpb.sh [--target <triple>] [--no-build | --binary PATH] [--update-server-json]
#   --target <triple>     build for that Rust target (it must be installed and buildable here;
#                         a macOS or Windows bundle is built on macOS or Windows)
#   --no-build            pack the release binary already built (CI builds it just before)
#   --binary PATH         pack this binary instead (implies --no-build; for trying the script
#                         with a debug build; it must be for the platform being packed)
#   --update-server-json  write the .mcpb's SHA-256 into packaging/server.json's entry for
#                         this platform (do it for the file you upload to the release)
#
# Needs cargo (unless --no-build), Node 18+ and npm (the first run installs
# @anthropic-ai/mcpb into packaging/node_modules; later runs work offline), tar. Runs in bash
# (on Windows: Git Bash).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
target=""
build=1
bin=
update_server_json=0
while [ $# -gt 0 ]; do
    case "$1" in
        --target) target=${2:?--target needs a triple}; shift 2 ;;
        --target=*) target=${1#--target=}; shift ;;
        --no-build) build=0; shift ;;
        --binary) bin=${2:?--binary needs a path}; build=0; shift 2 ;;
        --update-server-json) update_server_json=1; shift ;;
        -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "package-mcpb: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=packaging/setup.sh
source "$repo/packaging/setup.sh"

version=$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1)
triple=${target:-$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')}
if [ -z "$triple" ]; then # no rustc (--no-build on a machine without Rust): ask uname
    triple="$(uname -m)-$(uname -s)"
fi
case "$triple" in
    *-apple-darwin | *-Darwin) os=darwin ;;
    *-windows-* | *-MINGW* | *-MSYS* | *-CYGWIN*) os=win32 ;;
    *-linux-* | *-Linux) os=linux ;;
    *) echo "package-mcpb: no bundle platform for target $triple" >&2; exit 2 ;;
esac
case "$triple" in
    x86_64-*) arch=x86_64 ;;
    aarch64-* | arm64-*) arch=arm64 ;;
    *) echo "package-mcpb: no bundle platform for target $triple" >&2; exit 2 ;;
esac
platform=$os-$arch
exe=heygen-mcp
[ "$os" = win32 ] && exe=heygen-mcp.exe

target_dir=${CARGO_TARGET_DIR:-$repo/target}
if [ -z "$bin" ] && [ -n "$target" ]; then
    bin=$target_dir/$target/release/$exe
elif [ -z "$bin" ]; then
    bin=$target_dir/release/$exe
fi

if [ "$build" = 1 ]; then
    echo "== package-mcpb: cargo build --release --locked ${target:+--target $target}"
    (cd "$repo" && cargo build --release --locked --bin heygen-mcp ${target:+--target "$target"})
fi
if [ ! -x "$bin" ]; then
    echo "package-mcpb: no release binary at $bin (drop --no-build, or build it first)" >&2
    exit 1
fi
if [ -z "$target" ] || [ "$target" = "$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')" ]; then
    built=$("$bin" --version)
    if [ "$built" != "heygen-mcp $version" ]; then
        echo "package-mcpb: $bin says \"$built\", Cargo.toml says $version: rebuild it" >&2
        exit 1
    fi
fi

packaging_node_modules

name=heygen-mcp-$version-$platform
stage=$target_dir/mcpb/$platform
dist=$target_dir/dist
rm -rf "$stage"
mkdir -p "$stage/server" "$dist"
cp "$bin" "$stage/server/$exe"
cp "$repo/packaging/icon.png" "$repo/README.md" "$repo/LICENSE" "$stage/"
# The manifest as committed, with this build's version and the one platform it runs on.
node - "$repo/packaging/manifest.json" "$stage/manifest.json" "$version" "$os" "$exe" <<'JS'
const fs = require("node:fs");
const [from, to, version, os, exe] = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(from, "utf8"));
manifest.version = version;
manifest.compatibility = { ...manifest.compatibility, platforms: [os] };
manifest.server.entry_point = `server/${exe}`;
fs.writeFileSync(to, JSON.stringify(manifest, null, 2) + "\n");
JS

echo "== package-mcpb: mcpb validate"
"$mcpb" validate "$stage/manifest.json"
echo "== package-mcpb: mcpb pack"
rm -f "$dist/$name.mcpb"
(cd "$stage" && "$mcpb" pack . "$dist/$name.mcpb")

# The standalone archive: one top-level directory, as release archives usually have.
tree=$target_dir/mcpb/$name
rm -rf "$tree"
mkdir -p "$tree"
cp "$bin" "$tree/$exe"
cp "$repo/README.md" "$repo/LICENSE" "$tree/"
# Dated like the binary, so the same binary gives the same .tar.gz (`mcpb pack` stamps its
# zip entries with the current time: each .mcpb differs, hence --update-server-json).
touch -r "$bin" "$tree" "$tree"/*
tar_flags=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    tar_flags=(--owner=0 --group=0 --numeric-owner --sort=name)
fi
tar -C "$target_dir/mcpb" ${tar_flags[@]+"${tar_flags[@]}"} -czf "$dist/$name.tar.gz" "$name"
rm -rf "$tree"

mcpb_sha=$(packaging_sha256 "$dist/$name.mcpb")
tar_sha=$(packaging_sha256 "$dist/$name.tar.gz")
if [ "$update_server_json" = 1 ]; then
    node - "$repo/packaging/server.json" "$name.mcpb" "$mcpb_sha" <<'JS'
const fs = require("node:fs");
const [path, file, sha] = process.argv.slice(2);
const server = JSON.parse(fs.readFileSync(path, "utf8"));
const entry = (server.packages ?? []).find((p) => p.registryType === "mcpb" && p.identifier.endsWith(`/${file}`));
if (!entry) {
  console.error(`package-mcpb: packaging/server.json has no mcpb package whose URL ends in /${file}`);
  process.exit(1);
}
entry.fileSha256 = sha;
fs.writeFileSync(path, JSON.stringify(server, null, 2) + "\n");
console.log(`packaging/server.json: fileSha256 of ${file} set`);
JS
fi

echo
echo "$mcpb_sha  $dist/$name.mcpb"
echo "$tar_sha  $dist/$name.tar.gz"
