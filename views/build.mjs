// Builds the two MCP App views into single self-contained HTML files, src/ui/player.html and
// src/ui/storyboard.html, which the server embeds (include_str!) and serves as
// ui://heygen/*.html. Each views/src/<view>.html holds the markup; its
// `<style>/* @build <view>.css */</style>` and `<script>/* @build <view>.js */</script>`
// are replaced by that file bundled and minified by esbuild (imports inlined; no CDN, nothing
// fetched at run time).
//
//   node views/build.mjs          write src/ui/*.html
//   node views/build.mjs --check  exit 1 if the files in src/ui differ from a fresh build
//
// A view may weigh at most 60 KB.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const VIEWS = ["player", "storyboard"];
const MAX_BYTES = 60 * 1024;
// What the views' hosts run: Claude and ChatGPT (web, desktop), VS Code, recent browsers.
const TARGET = ["chrome111", "firefox121", "safari16.4"];

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const out = join(here, "..", "src", "ui");

async function bundle(entry, loader) {
  const result = await build({
    entryPoints: [join(src, entry)],
    bundle: true,
    write: false,
    minify: true,
    legalComments: "none",
    format: loader === "js" ? "iife" : undefined,
    target: TARGET,
    charset: "utf8",
    logLevel: "silent",
  });
  return result.outputFiles[0].text.trim();
}

async function buildView(name) {
  let html = readFileSync(join(src, `${name}.html`), "utf8");
  const css = await bundle(`${name}.css`, "css");
  const js = await bundle(`${name}.js`, "js");
  if (/<\/style/i.test(css) || /<\/script|<!--/i.test(js)) {
    throw new Error(`${name}: the bundle contains a sequence that would end its element early`);
  }
  const styleMarker = `<style>/* @build ${name}.css */</style>`;
  const scriptMarker = `<script>/* @build ${name}.js */</script>`;
  if (!html.includes(styleMarker) || !html.includes(scriptMarker)) {
    throw new Error(`${name}.html: expected ${styleMarker} and ${scriptMarker}`);
  }
  html = html
    .replace(styleMarker, () => `<style>${css}</style>`)
    .replace(scriptMarker, () => `<script>${js}</script>`)
    .replace(/^<!doctype html>\n/i, (doctype) => `${doctype}<!-- Built from views/src by views/build.mjs; edit there, then run node views/build.mjs. -->\n`);
  const bytes = Buffer.byteLength(html);
  if (bytes > MAX_BYTES) throw new Error(`${name}.html is ${bytes} bytes, over the ${MAX_BYTES}-byte budget`);
  return { path: join(out, `${name}.html`), html, bytes };
}

const check = process.argv.includes("--check");
const stale = [];
for (const name of VIEWS) {
  const view = await buildView(name);
  const shown = relative(process.cwd(), view.path);
  if (check) {
    let current = null;
    try {
      current = readFileSync(view.path, "utf8");
    } catch {}
    if (current !== view.html) stale.push(shown);
    else console.log(`${shown}: current (${view.bytes} bytes)`);
  } else {
    writeFileSync(view.path, view.html);
    console.log(`${shown}: ${view.bytes} bytes`);
  }
}
if (stale.length) {
  console.error(`${stale.join(", ")}: not what views/src builds; run node views/build.mjs and commit the result`);
  process.exit(1);
}
