#!/usr/bin/env bash
# The MCP Inspector CLI (@modelcontextprotocol/inspector, installed in tests/interop/node_modules
# by `npm ci`) against `heygen-mcp --sandbox`:
#   - tools/list --strict: exit 0 and no schema-portability finding at all (errors or warnings);
#   - tools/list in the modern protocol era (2026-07-28): the same tools;
#   - create_video_agent in the modern era: a task the Inspector polls to the finished video;
#     in the 2025-11-25 era: today's plain result;
#   - each read-only tool (readOnlyHint true) called once: those that need no argument must
#     succeed (exit 0, structuredContent, no isError); those that need ids get well-formed
#     unknown ids and must report a tool error (exit 5) that says "not found", except
#     wait_for_video, which waits through a session 404 (HeyGen answers 404 for a while for
#     sessions that exist) and says so in its result.
# Each Inspector run spawns a fresh server, so no id from one call survives to the next.
# Usage: inspector.sh [BINARY]   (default: $HEYGEN_MCP_BIN or target/debug/heygen-mcp)
# Prints one line per check and, last, `N passed, M failed`; exits 1 on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:-${HEYGEN_MCP_BIN:-$repo/target/debug/heygen-mcp}}
inspector="$here/node_modules/.bin/mcp-inspector"
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
finish() {
    echo "--    inspector interop took ${SECONDS} s"
    echo "$passed passed, $failed failed"
    if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}

if [ ! -x "$bin" ]; then fail "no executable at $bin (build it with cargo build)"; finish; fi
if [ ! -x "$inspector" ]; then fail "no Inspector at $inspector (run npm ci in tests/interop)"; finish; fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d "${TMPDIR:-/tmp}/heygen-inspector.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/output" "$work/allowed"
# The Inspector writes ~/.mcp-inspector; the server would default its dirs to ~ as well.
export HOME="$work/home"
# Runs the Inspector CLI on a fresh sandboxed server: inspect NAME ARGS... -> $work/NAME.{out,err}, rc in $rc.
inspect() {
    local name=$1
    shift
    rc=0
    timeout 90 "$inspector" --cli \
        -e HEYGEN_SANDBOX_TIME_SCALE=20 \
        -e "HEYGEN_OUTPUT_DIR=$work/output" \
        -e "HEYGEN_ALLOWED_DIRS=$work/allowed" \
        -e RUST_LOG=heygen_mcp=warn \
        --format json "$@" "$bin" --sandbox \
        </dev/null >"$work/$name.out" 2>"$work/$name.err" || rc=$?
}
show() { # the tail of a run's stdout and stderr, indented
    sed -e 's/^/      out: /' "$work/$1.out" | cut -c1-400 | tail -n 20
    sed -e 's/^/      err: /' "$work/$1.err" | cut -c1-400 | tail -n 20
}
# json FILE EXPR: evaluates a JS expression over the parsed JSON `j` of FILE and prints it.
json() { node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const r = (0, eval)("(j) => " + process.argv[2])(j); process.stdout.write(typeof r === "string" ? r : JSON.stringify(r));' "$1" "$2"; }

# expect NAME PREDICATE OK FAIL: run NAME (already inspected) must have exited 0 with a result
# for which the JS PREDICATE over `j` holds; prints OK or FAIL (and the run's tail).
expect() {
    if [ "$rc" -eq 0 ] && [ "$(json "$work/$1.out" "$2")" = true ]; then
        ok "$3"
    else
        fail "$4 (exit $rc)"
        show "$1"
    fi
}

# 1. tools/list --strict: portable schemas.
inspect list --method tools/list --strict
if [ "$rc" -ne 0 ]; then
    fail "tools/list --strict exited $rc (6 = unportable schema)"
    show list
    finish
fi
findings=$(json "$work/list.out" 'j.schemaFindings ? j.schemaFindings : ""' || echo "(unreadable output)")
count=$(json "$work/list.out" 'String(j.result.tools.length)' || echo "?")
if [ -z "$findings" ] && [ ! -s "$work/list.err" ]; then
    ok "tools/list --strict: $count tools, exit 0, no portability findings"
else
    fail "tools/list --strict: $count tools, portability findings: $findings"
    sed -e 's/^/      /' "$work/list.err"
fi

# 2. The modern protocol era lists the same tools.
inspect modern --protocol-era modern -q --method tools/list
if [ "$rc" -eq 0 ] && [ "$(json "$work/modern.out" 'j.result.tools.map(t => t.name).join(",")')" = "$(json "$work/list.out" 'j.result.tools.map(t => t.name).join(",")')" ]; then
    ok "tools/list --protocol-era modern: the same $count tools"
else
    fail "tools/list --protocol-era modern: exit $rc or a different tool list"
    show modern
fi

# 3. A render as a task: in the modern era the Inspector takes the tasks extension, so
# create_video_agent answers with a task; the Inspector polls tasks/get until it ends and
# checks the final result against the tool's listed outputSchema. In the 2025-11-25 era it
# names the extension too but takes no task it did not ask for: a plain result.
inspect task --protocol-era modern --method tools/call --tool-name create_video_agent \
    --tool-args-json '{"prompt": "A 30-second video about otters, as a task"}'
expect task 'j.result.isError !== true && j.result.structuredContent.state === "completed" && /^http/.test(j.result.structuredContent.video.video_url)' \
    "tools/call create_video_agent --protocol-era modern -> a task, polled to a finished video" \
    "tools/call create_video_agent --protocol-era modern: expected a task that ends with the finished video"
inspect legacy-create -q --method tools/call --tool-name create_video_agent \
    --tool-args-json '{"prompt": "A 30-second video about otters, 2025-11-25"}'
expect legacy-create 'typeof j.result.structuredContent.session_id === "string" && j.result.structuredContent.status !== undefined' \
    "tools/call create_video_agent (2025-11-25, extension named at initialize) -> a plain result" \
    "tools/call create_video_agent (2025-11-25): expected today's plain result"

# 4. Each read-only tool once. Lines: name <TAB> argument JSON <TAB> expectation (ok | waiting | notfound).
plan=$(json "$work/list.out" '
  j.result.tools.filter(t => t.annotations && t.annotations.readOnlyHint === true).map(t => {
    const schema = t.inputSchema || {};
    const props = schema.properties || {};
    const required = schema.required || [];
    // wait_for_video needs one of two optional ids: give it an unknown session. HeyGen
    // answers 404 for a while for sessions that exist, so the wait goes on and says so.
    if (t.name === "wait_for_video") return [t.name, JSON.stringify({session_id: "sbx_session_999999", timeout_seconds: 1}), "waiting"].join("\t");
    if (required.length === 0) return [t.name, "{}", "ok"].join("\t");
    const args = {};
    for (const name of required) {
      const p = props[name] || {};
      if (p.type !== "string" || !/_id$/.test(name)) return [t.name, "", "unknown:" + name].join("\t");
      args[name] = "interop_unknown_" + name.replace(/_id$/, "") + "_999999";
    }
    return [t.name, JSON.stringify(args), "notfound"].join("\t");
  }).join("\n")')
[ -n "$plan" ] || { fail "no read-only tools in tools/list"; finish; }

writes=$(json "$work/list.out" 'j.result.tools.filter(t => !(t.annotations && t.annotations.readOnlyHint === true)).map(t => t.name).join(" ")')
echo "--    not called (not read-only): $writes"

while IFS=$'\t' read -r tool args expect; do
    case "$expect" in
    unknown:*)
        fail "$tool: required argument ${expect#unknown:} is not an id; teach tests/interop/inspector.sh how to call it"
        continue
        ;;
    esac
    inspect "call-$tool" -q --method tools/call --tool-name "$tool" --tool-args-json "$args"
    out="$work/call-$tool.out"
    if [ "$expect" = waiting ]; then
        expect "call-$tool" 'j.result.isError !== true && j.result.structuredContent.state === "still_running" && /404/.test(j.result.structuredContent.next_step)' \
            "tools/call $tool $args -> exit 0, still_running, the next step about the 404" \
            "tools/call $tool $args: expected state still_running and a next_step about the 404"
    elif [ "$expect" = ok ]; then
        expect "call-$tool" 'j.result.isError !== true && typeof j.result.structuredContent === "object"' \
            "tools/call $tool $args -> exit 0, structuredContent" \
            "tools/call $tool $args: expected structuredContent"
    else
        message=$(json "$out" '(j.result.content || []).filter(c => c.type === "text").map(c => c.text).join(" ")' 2>/dev/null || true)
        code=$(json "$work/call-$tool.err" 'j.error.code' 2>/dev/null || true)
        if [ "$rc" -eq 5 ] && [ "$code" = tool_is_error ] && grep -qi 'not found' <<<"$message"; then
            ok "tools/call $tool $args -> exit 5 tool_is_error: $(cut -c1-80 <<<"$message")..."
        else
            fail "tools/call $tool $args -> exit $rc ($code), expected 5 with a not-found message: $message"
            show "call-$tool"
        fi
    fi
done <<<"$plan"

finish
