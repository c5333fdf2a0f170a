// The packed MCP Bundle, started the way Claude Desktop starts it.
//
// Unpacks the .mcpb with the official CLI (`mcpb unpack`), computes the launch command with
// @anthropic-ai/mcpb's own reference implementation of the manifest's variable substitution
// (`getMcpConfigForManifest`: `${__dirname}`, `${user_config.*}`, arrays spliced into args,
// unset optional values left as literal placeholders), spawns exactly that command, args and
// env (plus HOME pointing to a temporary directory and a fast sandbox clock), connects with
// the official MCP TypeScript SDK client, and completes sandbox lifecycles through it.
//
// Cases:
//   chosen settings   sandbox on, output folder and two upload folders chosen, no key:
//                     tools/list, create -> wait -> download into the chosen folder, an upload
//                     from the second folder, an upload from elsewhere refused
//   blank optionals   only sandbox on: the key stays `${user_config.api_key}`, the output folder
//                     is the default `${HOME}/Downloads/HeyGen` unexpanded, no folders: the
//                     video lands in $HOME/Downloads/HeyGen
//   nothing set       no key, no sandbox: the server starts, lists its tools and answers a call
//                     with how to set HEYGEN_API_KEY (the placeholder is not taken for a key)
//
// Usage: node tests/bundle/run.mjs [BUNDLE.mcpb]
//   (default: target/dist/heygen-mcp-<Cargo.toml version>-<this platform>.mcpb, which
//   scripts/package-mcpb.sh makes). Needs packaging/node_modules (the script installs it).
// Prints one line per check and, last, `N passed, M failed`; exit status 1 on any failure.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const packaging = join(repo, "packaging");
const TIME_SCALE = "20";
const TOTAL_TIMEOUT_MS = 240_000;

// The packages live in packaging/node_modules, which Node's resolution does not search from here.
const requireFromPackaging = createRequire(join(packaging, "package.json"));
async function load(specifier) {
  let path;
  try {
    path = requireFromPackaging.resolve(specifier);
  } catch {
    console.error(`bundle: ${specifier} is not installed; run scripts/package-mcpb.sh (it runs npm ci in packaging/)`);
    process.exit(1);
  }
  return import(pathToFileURL(path).href);
}
const { getMcpConfigForManifest } = await load("@anthropic-ai/mcpb");
const { Client } = await load("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = await load("@modelcontextprotocol/sdk/client/stdio.js");

function defaultBundle() {
  const toml = readFileSync(join(repo, "Cargo.toml"), "utf8");
  const version = toml.split(/^\[/m).find((s) => s.startsWith("package]"))?.match(/^version\s*=\s*"([^"]+)"/m)?.[1];
  const arch = { x64: "x86_64", arm64: "arm64" }[process.arch] ?? process.arch;
  return join(repo, "target/dist", `heygen-mcp-${version}-${process.platform}-${arch}.mcpb`);
}

const bundle = resolve(process.argv[2] ?? defaultBundle());
let passed = 0;
let failed = 0;

class Failure extends Error {}

function brief(value, limit = 110) {
  const text = (typeof value === "string" ? value : JSON.stringify(value) ?? String(value)).split(/\s+/).join(" ");
  return text.length <= limit ? text : text.slice(0, limit - 3) + "...";
}

function check(condition, label, detail) {
  if (condition) {
    passed += 1;
    console.log(`ok    ${label}`);
    return;
  }
  failed += 1;
  console.log(`FAIL  ${label}${detail === undefined ? "" : `: ${brief(detail, 400)}`}`);
  throw new Failure(label);
}

function textOf(result) {
  return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

/** A small valid PNG: upload_asset checks a file's first bytes against its type. */
function pngBytes() {
  return readFileSync(join(packaging, "icon.png"));
}

const work = mkdtempSync(join(tmpdir(), "heygen-bundle-"));
const unpacked = join(work, "extension");
const timer = setTimeout(() => {
  console.log(`FAIL  the whole run took longer than ${TOTAL_TIMEOUT_MS / 1000} s`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

/** Unpacks with `mcpb unpack` and checks what the host will find there. */
function unpack() {
  check(existsSync(bundle), `bundle exists: ${bundle}`);
  // The CLI's own script, run by this node (the .bin shim is a .cmd file on Windows).
  const cli = join(packaging, "node_modules/@anthropic-ai/mcpb/dist/cli/cli.js");
  const run = spawnSync(process.execPath, [cli, "unpack", bundle, unpacked], { encoding: "utf8" });
  check(run.status === 0, "mcpb unpack", run.stderr || run.stdout);
  const manifest = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8"));
  const entry = join(unpacked, manifest.server.entry_point);
  const executable = process.platform === "win32" || (existsSync(entry) && (statSync(entry).mode & 0o111) !== 0);
  check(existsSync(entry) && executable, `entry_point ${manifest.server.entry_point} is there and executable`);
  check(existsSync(join(unpacked, manifest.icon)), `icon ${manifest.icon} is there`);
  check(
    JSON.stringify(manifest.compatibility?.platforms) === JSON.stringify([process.platform]),
    `compatibility.platforms is [${process.platform}]`,
    manifest.compatibility,
  );
  return manifest;
}

/** The launch config exactly as the reference implementation computes it. */
async function launchConfig(manifest, home, userConfig) {
  const config = await getMcpConfigForManifest({
    manifest,
    extensionPath: unpacked,
    systemDirs: {
      HOME: home,
      DESKTOP: join(home, "Desktop"),
      DOCUMENTS: join(home, "Documents"),
      DOWNLOADS: join(home, "Downloads"),
    },
    userConfig,
    pathSeparator: sep,
  });
  check(config !== undefined, `getMcpConfigForManifest gives a config for ${JSON.stringify(userConfig)}`);
  return config;
}

/** Spawns the config's command/args/env and connects the SDK client; runs `body`, then closes. */
async function withServer(label, config, home, body) {
  const env = { ...config.env, HOME: home, HEYGEN_SANDBOX_TIME_SCALE: TIME_SCALE, RUST_LOG: "heygen_mcp=info,warn" };
  // A working directory of its own: a relative path the server might wrongly use lands there.
  const cwd = join(work, "cwd");
  mkdirSync(cwd, { recursive: true });
  const transport = new StdioClientTransport({ command: config.command, args: config.args ?? [], env, cwd, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const client = new Client({ name: "heygen-mcp-bundle-test", version: "0" });
  try {
    await client.connect(transport);
    check(true, `${label}: initialize (${client.getServerVersion()?.name} ${client.getServerVersion()?.version})`);
    await body(client);
  } catch (e) {
    if (!(e instanceof Failure)) {
      failed += 1;
      console.log(`FAIL  ${label}: ${e?.name}: ${brief(e?.message ?? e, 400)}`);
    }
    if (stderr) console.log(`      server stderr (last lines):\n${stderr.trim().split("\n").slice(-10).join("\n")}`);
  } finally {
    await client.close().catch(() => {});
  }
}

async function call(client, name, args, { expectError = false } = {}) {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 });
  const label = `${name} ${brief(args, 70)}`;
  if (expectError) {
    check(result.isError === true, `${label} -> isError`, result.structuredContent ?? textOf(result));
    return textOf(result);
  }
  check(!result.isError && result.structuredContent, `${label} -> ${brief(result.structuredContent, 80)}`, textOf(result));
  return result.structuredContent;
}

async function listTools(client, manifest, label) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  check(
    JSON.stringify(names) === JSON.stringify(manifest.tools.map((t) => t.name)),
    `${label}: tools/list has the manifest's ${manifest.tools.length} tools (${names.length})`,
    names,
  );
  check(names.length === 25, `${label}: 25 tools`, names.length);
}

/** create (generate) -> wait_for_video until completed -> download_video; returns the file's path. */
async function lifecycle(client, label) {
  const created = await call(client, "create_video_agent", { prompt: "A 10-second video about otters, from the bundle test" });
  let outcome;
  for (let round = 0; round < 6; round += 1) {
    outcome = await call(client, "wait_for_video", { session_id: created.session_id, timeout_seconds: 20 });
    if (outcome.state !== "still_running") break;
  }
  check(outcome.state === "completed" && outcome.video_id, `${label}: wait_for_video completed`, outcome);
  const saved = await call(client, "download_video", { video_id: outcome.video_id, file_name: "otters.mp4" });
  const bytes = existsSync(saved.path) ? readFileSync(saved.path) : Buffer.alloc(0);
  check(bytes.length > 0 && bytes.length === saved.size_bytes, `${label}: downloaded file exists with size_bytes`, saved);
  check(bytes.subarray(4, 8).toString("latin1") === "ftyp", `${label}: the file is an MP4`);
  return saved.path;
}

async function chosenSettings(manifest) {
  const label = "chosen settings";
  const home = join(work, "home-a");
  const out = join(work, "out");
  const uploadsA = join(work, "uploads-a");
  const uploadsB = join(work, "uploads-b");
  const elsewhere = join(work, "elsewhere");
  for (const d of [home, uploadsA, uploadsB, elsewhere]) mkdirSync(d, { recursive: true });
  const config = await launchConfig(manifest, home, { sandbox: true, output_dir: out, allowed_dirs: [uploadsA, uploadsB] });
  check(config.command === join(unpacked, "server", process.platform === "win32" ? "heygen-mcp.exe" : "heygen-mcp"), `${label}: command is the bundled binary`, config.command);
  check(JSON.stringify(config.args) === JSON.stringify(["--", uploadsA, uploadsB]), `${label}: args are -- and the two folders`, config.args);
  check(
    config.env.HEYGEN_SANDBOX === "true" && config.env.HEYGEN_READ_ONLY === "false" && config.env.HEYGEN_OUTPUT_DIR === out,
    `${label}: env HEYGEN_SANDBOX=true, HEYGEN_READ_ONLY=false, HEYGEN_OUTPUT_DIR chosen`,
    config.env,
  );
  check(config.env.HEYGEN_API_KEY === "${user_config.api_key}", `${label}: unset key stays the literal placeholder`, config.env.HEYGEN_API_KEY);
  await withServer(label, config, home, async (client) => {
    await listTools(client, manifest, label);
    const path = await lifecycle(client, label);
    check(dirname(path) === out, `${label}: saved into the chosen output folder`, path);
    const picture = join(uploadsB, "logo.png");
    writeFileSync(picture, pngBytes());
    const uploaded = await call(client, "upload_asset", { path: picture });
    check(Boolean(uploaded.asset_id), `${label}: upload from the second chosen folder`, uploaded);
    const outside = join(elsewhere, "secret.png");
    writeFileSync(outside, pngBytes());
    const refused = await call(client, "upload_asset", { path: outside }, { expectError: true });
    check(/allowed/i.test(refused), `${label}: upload from a folder not chosen is refused`, refused);
  });
}

async function blankOptionals(manifest) {
  const label = "blank optionals";
  const home = join(work, "home-b");
  mkdirSync(home, { recursive: true });
  const config = await launchConfig(manifest, home, { sandbox: true });
  check(JSON.stringify(config.args) === JSON.stringify(["--"]), `${label}: args are just --`, config.args);
  check(
    config.env.HEYGEN_API_KEY === "${user_config.api_key}" && config.env.HEYGEN_OUTPUT_DIR === "${HOME}/Downloads/HeyGen",
    `${label}: key placeholder and unexpanded \${HOME} default reach the server`,
    config.env,
  );
  await withServer(label, config, home, async (client) => {
    await listTools(client, manifest, label);
    const path = await lifecycle(client, label);
    check(dirname(path) === join(home, "Downloads", "HeyGen"), `${label}: saved into $HOME/Downloads/HeyGen`, path);
  });
}

async function nothingSet(manifest) {
  const label = "nothing set";
  const home = join(work, "home-c");
  mkdirSync(home, { recursive: true });
  const config = await launchConfig(manifest, home, {});
  check(config.env.HEYGEN_SANDBOX === "false", `${label}: HEYGEN_SANDBOX=false`, config.env);
  await withServer(label, config, home, async (client) => {
    await listTools(client, manifest, label);
    const message = await call(client, "get_current_user", {}, { expectError: true });
    check(/HEYGEN_API_KEY/.test(message), `${label}: a call says how to set HEYGEN_API_KEY`, message);
  });
}

const started = Date.now();
/** Runs a step; a failed check ends that step only (it is counted already). */
async function step(body) {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof Failure)) {
      failed += 1;
      console.log(`FAIL  ${e?.stack ?? e}`);
    }
    return undefined;
  }
}

try {
  const manifest = await step(unpack);
  if (manifest) {
    for (const testCase of [chosenSettings, blankOptionals, nothingSet]) await step(() => testCase(manifest));
  }
} finally {
  clearTimeout(timer);
  rmSync(work, { recursive: true, force: true });
}
console.log(`== bundle: ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
