// Keeps packaging/manifest.json and packaging/server.json true to the code:
//  - manifest.json's `tools` = the real tools/list of the binary (name + first sentence of the
//    description, cut the way tests/readme.rs cuts the README table), in tools/list order;
//  - manifest.json's `version`, server.json's `version` and each package's `version` (and the
//    version inside each `.mcpb` release URL) = Cargo.toml's version.
//
// Usage: node packaging/sync.mjs [--update] [BINARY]
//   BINARY defaults to $HEYGEN_MCP_BIN or target/debug/heygen-mcp. Without --update it only
//   checks and exits 1 on drift (printing what differs); with --update it rewrites the files.
// Runs offline; needs packaging/node_modules (scripts/package-mcpb.sh installs it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..");
const args = process.argv.slice(2);
const update = args.includes("--update");
const binary = resolve(
  args.find((a) => !a.startsWith("--")) ?? process.env.HEYGEN_MCP_BIN ?? join(repo, "target/debug/heygen-mcp"),
);

/** The first sentence, as tests/readme.rs takes it: up to and including the first ". ". */
function firstSentence(description) {
  const text = description ?? "";
  const end = text.indexOf(". ");
  return (end === -1 ? text : text.slice(0, end + 2)).trim();
}

function cargoVersion() {
  const toml = readFileSync(join(repo, "Cargo.toml"), "utf8");
  const pkg = toml.split(/^\[/m).find((s) => s.startsWith("package]"));
  const m = pkg && pkg.match(/^version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error("no [package] version in Cargo.toml");
  return m[1];
}

async function listTools() {
  // A clean environment: no HEYGEN_* setting of the caller's (read-only, toolsets) may hide a tool.
  const home = mkdtempSync(join(tmpdir(), "heygen-sync-"));
  const transport = new StdioClientTransport({
    command: binary,
    args: [],
    env: { PATH: process.env.PATH ?? "", HOME: home, RUST_LOG: "error" },
    stderr: "inherit",
  });
  const client = new Client({ name: "heygen-mcp-packaging-sync", version: "0" });
  try {
    await client.connect(transport);
    const tools = [];
    let cursor;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools.map((t) => ({ name: t.name, description: firstSentence(t.description) }));
  } finally {
    await client.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 2) + "\n");
}

const problems = [];
const manifestPath = join(here, "manifest.json");
const serverPath = join(here, "server.json");
const manifest = readJson(manifestPath);
const server = readJson(serverPath);
const version = cargoVersion();

if (spawnSync(binary, ["--version"]).status !== 0) {
  console.error(`sync: cannot run ${binary} (build it first)`);
  process.exit(2);
}
const tools = await listTools();
const have = JSON.stringify(manifest.tools ?? []);
const want = JSON.stringify(tools);
if (have !== want) {
  const old = new Map((manifest.tools ?? []).map((t) => [t.name, t.description]));
  const now = new Map(tools.map((t) => [t.name, t.description]));
  for (const [name, d] of now) {
    if (!old.has(name)) problems.push(`manifest.json: tool ${name} is missing`);
    else if (old.get(name) !== d) problems.push(`manifest.json: tool ${name} says ${JSON.stringify(old.get(name))}, tools/list says ${JSON.stringify(d)}`);
  }
  for (const name of old.keys()) if (!now.has(name)) problems.push(`manifest.json: tool ${name} is not in tools/list`);
  if (problems.length === 0) problems.push("manifest.json: tools are not in tools/list order");
  manifest.tools = tools;
}
if (manifest.version !== version) {
  problems.push(`manifest.json: version ${manifest.version}, Cargo.toml ${version}`);
  manifest.version = version;
}
if (server.version !== version) {
  problems.push(`server.json: version ${server.version}, Cargo.toml ${version}`);
  server.version = version;
}
for (const p of server.packages ?? []) {
  if (p.version !== version) {
    problems.push(`server.json: ${p.registryType} package ${p.identifier} has version ${p.version}, Cargo.toml ${version}`);
    p.version = version;
  }
  if (p.registryType === "mcpb") {
    const url = p.identifier.replace(/\/v[^/]+\/heygen-mcp-[^-/]+-/, `/v${version}/heygen-mcp-${version}-`);
    if (url !== p.identifier) {
      problems.push(`server.json: ${p.identifier} does not name version ${version}`);
      p.identifier = url;
      delete p.fileSha256; // the hash was of another version's file
    }
  }
}

if (problems.length === 0) {
  console.log(`sync: manifest.json and server.json match ${binary} (${tools.length} tools) and Cargo.toml ${version}`);
} else if (update) {
  writeJson(manifestPath, manifest);
  writeJson(serverPath, server);
  for (const p of problems) console.log(`updated: ${p}`);
} else {
  for (const p of problems) console.error(`drift: ${p}`);
  console.error("sync: run `node packaging/sync.mjs --update [BINARY]` and review the diff");
  process.exit(1);
}
