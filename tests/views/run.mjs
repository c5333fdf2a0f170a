// The MCP App views in a real browser: headless Chromium (Debian's package, driven by
// playwright-core) shows them inside a minimal web host built on the ext-apps AppBridge
// (host-page.js), connected to the real binary in --sandbox mode (harness.mjs).
//
// What it checks, as a user would see it:
//   protocol   a plain client's tools/list carries no UI; a UI client's links four tools to the
//              two ui:// views (ext-apps' own zod schemas validate every _meta.ui), follow_video
//              is app-only, the resources capability and listing, each view is the committed
//              src/ui file, ≤ 60 KB, with a CSP that allows exactly the sandbox's origin and no
//              connections
//   storyboard wait_for_video's view shows every frame (loaded images); HeyGen's text with
//              markup in it shows as text; a frame enlarged and closed by keyboard; every
//              control labelled; Request changes with a text, then Approve and render
//              (double-clicked) send exactly two messages, and the model is told each time; the
//              view follows the session through rendering to the played video; a question gets
//              an answer box; a failed render says why
//   player     show_video's view loads the sandbox MP4 and reports its duration, poster and
//              title; captioned cut, subtitles (a WebVTT track with cues), download and open
//              links through the host; a rendering video followed to the end by the view
//              itself, looks 10 s apart; expired links refreshed with one follow_video call;
//              dark and light themes and the host's style variables; an opaque-origin frame
//   browser    the views' messages (the rules of ext-apps' unreleased mcp-app-validator); no
//              CSP violation and no uncaught error in any frame (then a deliberate violation
//              proves the watch works)
// Screenshots go to target/views/. The last line is `N passed, M failed`; exit 1 on failure.
//
// Usage: node tests/views/run.mjs BINARY   (tests/views/run.sh installs the packages first)
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { UI_MIME, connectClient, startHost } from "./harness.mjs";
import { load } from "./modules.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { chromium } = (await load("playwright-core")).default;
const { McpUiResourceMetaSchema, McpUiToolMetaSchema } = await load("@modelcontextprotocol/ext-apps");

const binary = resolve(process.argv[2] ?? join(repo, "target/debug/heygen-mcp"));
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const shots = join(repo, "target/views");
const TOTAL_TIMEOUT_MS = 180_000;
const VIEW_LINKS = {
  show_video: "ui://heygen/player.html",
  get_video: "ui://heygen/player.html",
  get_video_agent_session: "ui://heygen/storyboard.html",
  wait_for_video: "ui://heygen/storyboard.html",
};
const MAX_VIEW_BYTES = 60 * 1024;
const SANDBOX_MP4_SECONDS = 2;

mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "heygen-views-"));
const server = {
  command: binary,
  args: ["--sandbox"],
  env: { HEYGEN_SANDBOX_TIME_SCALE: "20", HEYGEN_OUTPUT_DIR: join(work, "out"), RUST_LOG: "warn" },
};
setTimeout(() => {
  console.log(`views: gave up after ${TOTAL_TIMEOUT_MS / 1000} s`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS).unref();

let passed = 0;
let failed = 0;
/** Runs one check; a failure is reported and counted, and later checks still run. */
async function check(name, body) {
  const started = Date.now();
  try {
    await body();
    passed += 1;
    console.log(`ok    ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return true;
  } catch (error) {
    failed += 1;
    console.log(`FAIL  ${name}: ${error?.stack ?? error}`);
    return false;
  }
}

// ---- the host, the browser, and what every frame reports ----

const host = await startHost(server);
const model = host.client; // the "model" calls tools on the host's connection, as in a chat
const browserProfile = join(work, "chromium");
const browser = await chromium.launchPersistentContext(browserProfile, {
  executablePath: chromiumPath,
  headless: true,
  viewport: { width: 760, height: 900 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
  ],
});
// In every frame (host, proxy, the views' srcdoc documents), before their scripts run.
await browser.addInitScript(() => {
  document.addEventListener("securitypolicyviolation", (event) => {
    console.warn(`[csp-violation] ${JSON.stringify({ directive: event.effectiveDirective, blocked: event.blockedURI, document: location.href })}`);
  });
  window.addEventListener("error", (event) => console.warn(`[uncaught] ${event.message} at ${event.filename}:${event.lineno}`));
  window.addEventListener("unhandledrejection", (event) => console.warn(`[uncaught] ${event.reason?.stack ?? event.reason}`));
});
const page = browser.pages()[0] ?? (await browser.newPage());
const violations = [];
const uncaught = [];
const viewMessages = [];
page.on("console", (message) => {
  const text = message.text();
  if (text.startsWith("[view-message] ")) viewMessages.push(JSON.parse(text.slice(15)));
  if (text.startsWith("[csp-violation]") || /Content Security Policy/.test(text)) violations.push(text);
  if (text.startsWith("[uncaught]")) uncaught.push(text);
});
page.on("pageerror", (error) => uncaught.push(String(error)));
await page.goto(host.url);
await page.waitForFunction(() => window.hostReady === true);

// ---- helpers ----

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Polls `read` until `done(value)` holds (or 10 s pass); returns the last value. */
async function until(read, done, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

async function tool(name, args) {
  const result = await model.callTool({ name, arguments: args }, { timeout: 120_000 });
  assert.ok(!result.isError, `${name} failed: ${result.content?.[0]?.text}`);
  return result;
}

/** The model calls `name`; the host shows its view. Returns the instance and the view's frame. */
async function open(name, args, options = {}) {
  const instance = await page.evaluate(([n, a, o]) => window.openTool(n, a, o), [name, args, options]);
  for (let i = 0; i < 200; i++) {
    const proxy = page.frames().find((frame) => frame.url().includes(`/sandbox.html?instance=${instance}&`));
    const view = proxy?.childFrames()[0];
    if (view) return { instance, view, box: page.locator(`section[data-instance="${instance}"]`) };
    await sleep(50);
  }
  throw new Error(`no view frame for ${name}`);
}

const hostLog = (instance, type) =>
  page.evaluate(([i, t]) => window.hostLog.filter((entry) => entry.instance === i && (!t || entry.type === t)), [instance, type]);

const followCalls = async (instance) =>
  (await hostLog(instance, "tools/call result")).filter((entry) => entry.params.name === "follow_video");

let sandboxOrigin = null;
async function sandboxStats() {
  const response = await fetch(`${sandboxOrigin}/_sandbox/stats`);
  const body = await response.json();
  return body.data ?? body;
}
const messagesSent = async () => (await sandboxStats()).by_route?.["POST /v3/video-agents/{session_id}"] ?? 0;

async function sandboxFaults(method, body) {
  const response = await fetch(`${sandboxOrigin}/_sandbox/faults`, {
    method,
    headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(response.ok, `${method} /_sandbox/faults: ${response.status}`);
}

/** The <video> of a view, once it has loaded its metadata. */
function videoState(view) {
  return view.evaluate(async () => {
    const video = document.querySelector("video");
    for (let i = 0; i < 200 && !(video?.readyState >= 1); i++) await new Promise((done) => setTimeout(done, 50));
    return {
      readyState: video?.readyState ?? -1,
      duration: video?.duration,
      src: video?.currentSrc,
      poster: video?.poster,
      error: video?.error?.message ?? null,
    };
  });
}

const shot = (box, name) => box.screenshot({ path: join(shots, name) });

/** Shows the frame at `seconds` (for a screenshot). */
async function seek(view, seconds) {
  await view.evaluate(async (at) => {
    const video = document.querySelector("video");
    video.currentTime = at;
    await new Promise((done) => video.addEventListener("seeked", done, { once: true }));
  }, seconds);
  await sleep(200);
}

// ---- protocol ----

const uiTools = (await model.listTools()).tools;

await check("a client without the UI extension sees no UI metadata, no show_video, no follow_video", async () => {
  const plain = await connectClient({ ...server, ui: false });
  try {
    const { tools } = await plain.listTools();
    assert.deepEqual(
      tools.map((t) => t.name).sort(),
      uiTools.map((t) => t.name).filter((name) => name !== "follow_video" && name !== "show_video").sort(),
    );
    for (const t of tools) {
      assert.equal(t._meta?.ui, undefined, `${t.name} has _meta.ui`);
      assert.equal(t._meta?.["ui/resourceUri"], undefined, `${t.name} has _meta["ui/resourceUri"]`);
    }
    if (plain.getServerCapabilities()?.resources) {
      const { resources } = await plain.listResources();
      assert.ok(!resources.some((r) => r.uri.startsWith("ui://")), "ui:// resources listed to a plain client");
    }
  } finally {
    await plain.close();
  }
});

await check("a UI client: four tools open a view (nested and legacy keys), follow_video is app-only", async () => {
  for (const t of uiTools) {
    if (t._meta?.ui !== undefined) {
      const parsed = McpUiToolMetaSchema.safeParse(t._meta.ui);
      assert.ok(parsed.success, `${t.name}: _meta.ui fails the ext-apps schema: ${parsed.error?.message}`);
    }
    const expected = VIEW_LINKS[t.name];
    assert.equal(t._meta?.ui?.resourceUri, expected, `${t.name}: _meta.ui.resourceUri`);
    assert.equal(t._meta?.["ui/resourceUri"], expected, `${t.name}: _meta["ui/resourceUri"]`);
  }
  const follow = uiTools.find((t) => t.name === "follow_video");
  assert.ok(follow, "follow_video is listed for UI clients");
  assert.deepEqual(follow._meta?.ui?.visibility, ["app"]);
  const send = uiTools.find((t) => t.name === "send_video_agent_message");
  assert.ok((send._meta?.ui?.visibility ?? ["model", "app"]).includes("app"), "the views may send messages");
});

const resources = {};
await check("resources/read serves each view: the committed file, MIME type, ≤ 60 KB, valid _meta.ui", async () => {
  for (const view of ["player", "storyboard"]) {
    const uri = `ui://heygen/${view}.html`;
    const { contents } = await model.readResource({ uri }, { cacheMode: "bypass" });
    assert.equal(contents.length, 1);
    const [content] = contents;
    resources[view] = content._meta?.ui;
    assert.equal(content.uri, uri);
    assert.equal(content.mimeType, UI_MIME);
    const committed = readFileSync(join(repo, `src/ui/${view}.html`), "utf8");
    if (process.env.VIEWS_FROM_TREE === "1") console.log("      (VIEWS_FROM_TREE=1: the views shown are src/ui's, not the binary's)");
    else assert.ok(content.text === committed, `${uri} is not src/ui/${view}.html (rebuild the binary after node views/build.mjs)`);
    assert.ok(Buffer.byteLength(content.text) <= MAX_VIEW_BYTES, `${uri}: ${Buffer.byteLength(content.text)} bytes`);
    const ui = content._meta?.ui;
    const parsed = McpUiResourceMetaSchema.safeParse(ui);
    assert.ok(parsed.success, `${uri}: _meta.ui fails the ext-apps schema: ${parsed.error?.message}`);
    assert.equal(ui.prefersBorder, true);
    assert.equal(ui.csp?.connectDomains, undefined, "views need no connections");
  }
});

await check("a UI client is told of the resources capability, and resources/list names both views", async () => {
  assert.ok(model.getServerCapabilities()?.resources, `initialize declares no resources capability: ${JSON.stringify(model.getServerCapabilities())}`);
  const listed = (await model.listResources()).resources;
  for (const view of ["player", "storyboard"]) {
    const entry = listed.find((r) => r.uri === `ui://heygen/${view}.html`);
    assert.ok(entry, `resources/list lacks ui://heygen/${view}.html`);
    assert.equal(entry.mimeType, UI_MIME);
  }
});

// ---- a video rendering while the storyboard is reviewed, for the player to follow ----

// Generate mode goes straight to rendering; a 6-minute video renders in 3 s at time scale 20.
const beaver = (await tool("create_video_agent", { prompt: "A 6-minute video about beavers" })).structuredContent;
let rendering = null;
let renderingFirst = null;
const renderingOpened = await check("show_video on a rendering video: the player shows its status and progress", async () => {
  const session = await until(
    async () => (await tool("get_video_agent_session", { session_id: beaver.session_id })).structuredContent,
    (found) => found.video_id,
  );
  assert.ok(session.video_id, `the session started rendering: ${session.status}`);
  rendering = await open("show_video", { video_id: session.video_id });
  const [delivered] = await until(() => hostLog(rendering.instance, "tool-result"), (log) => log.length > 0);
  renderingFirst = delivered.result.structuredContent;
  assert.notEqual(renderingFirst.status, "completed", "the video was still rendering");
  await rendering.view.waitForFunction(() => !document.getElementById("progress").hidden && document.getElementById("player").hidden);
  assert.match(await rendering.view.locator("#status").textContent(), /render|wait/i);
});

// ---- the storyboard: review, request changes, approve, render, play ----

const otter = (await tool("create_video_agent", { prompt: "A 6-minute video about sea otters for a nature channel", mode: "chat" })).structuredContent;
const review = await open("wait_for_video", { session_id: otter.session_id });
const reviewView = review.view;
let firstIds = [];
let finishedVideo = null;

const reviewOk = await check("the storyboard view shows the agent's message and every frame", async () => {
  await reviewView.waitForSelector('body[data-review="open"]', { timeout: 60_000 });
  const [delivered] = await hostLog(review.instance, "tool-result");
  const outcome = delivered.result.structuredContent;
  assert.equal(outcome.state, "needs_input");
  firstIds = outcome.messages.find((m) => m.role !== "user").resource_ids;
  assert.ok(firstIds.length >= 3, `a storyboard has frames (${firstIds.length})`);
  const frames = await reviewView.evaluate(async () => {
    const images = [...document.querySelectorAll("#frames img")];
    await Promise.all(images.map((img) => (img.complete ? null : new Promise((done) => img.addEventListener("load", done, { once: true })))));
    return images.map((img) => ({ loaded: img.complete && img.naturalWidth > 0, src: img.src, alt: img.alt }));
  });
  assert.equal(frames.length, firstIds.length, "one tile per frame");
  assert.ok(frames.every((frame) => frame.loaded), `every frame image loaded: ${JSON.stringify(frames)}`);
  sandboxOrigin = new URL(frames[0].src).origin;
  const message = await reviewView.locator("#message").textContent();
  assert.ok(message.includes("sea otters"), `the agent's message is shown: ${message}`);
  await shot(review.box, "storyboard.png");
});

await check("text from HeyGen goes in as text: a title and a message with markup show it literally", async () => {
  const markup = '<b id="injected">otters</b> & <img id="injected-image" src=x onerror=alert(1)>';
  const session = (await tool("create_video_agent", { prompt: `A video about ${markup}`, mode: "chat" })).structuredContent;
  const shown = await open("get_video_agent_session", { session_id: session.session_id });
  await shown.view.waitForSelector('body[data-review="open"]', { timeout: 20_000 });
  const text = await shown.view.evaluate(() => ({
    title: document.getElementById("title").textContent,
    message: document.getElementById("message").textContent,
    injected: document.querySelectorAll("#injected, #injected-image, main b").length,
  }));
  assert.ok(text.title.includes('<b id="injected">otters</b>'), `title: ${text.title}`);
  assert.ok(text.message.includes('<b id="injected">otters</b> & <img'), `message: ${text.message}`);
  assert.equal(text.injected, 0, "no element was made from HeyGen's text");
});

await check("keyboard: a frame opens enlarged with Enter, arrows step, Esc closes and focus returns", async () => {
  await reviewView.locator("#frames button").first().focus();
  await reviewView.locator("#frames button").first().press("Enter");
  await reviewView.waitForSelector("dialog[open]");
  const caption = reviewView.locator("#lightbox-caption");
  assert.equal(await caption.textContent(), `Frame 1 of ${firstIds.length}`);
  await reviewView.locator("dialog").press("ArrowRight");
  assert.equal(await caption.textContent(), `Frame 2 of ${firstIds.length}`);
  const large = await reviewView.evaluate(() => {
    const img = document.getElementById("lightbox-image");
    return img.complete && img.naturalWidth > 0;
  });
  assert.ok(large, "the enlarged frame loaded");
  await shot(review.box, "storyboard-frame.png").catch(() => {});
  await reviewView.locator("dialog").press("Escape");
  await reviewView.waitForSelector("dialog:not([open])", { state: "attached" });
  const focused = await reviewView.evaluate(() => document.activeElement?.dataset?.index);
  assert.equal(focused, "1", "focus is back on the frame that was shown");
});

await check("every control is labelled", async () => {
  const unlabelled = await reviewView.evaluate(() => {
    const name = (el) => (el.getAttribute("aria-label") || el.textContent || el.labels?.[0]?.textContent || "").trim();
    return [...document.querySelectorAll("button, textarea, input")].filter((el) => !name(el)).map((el) => el.outerHTML);
  });
  assert.deepEqual(unlabelled, []);
  assert.equal(await reviewView.getByLabel("What should change?").count(), 1);
});

let sentBefore = 0;
const changesOk =
  reviewOk &&
  (await check("Request changes needs a text, then sends it once and the model is told", async () => {
    sentBefore = await messagesSent();
    await reviewView.getByRole("button", { name: "Request changes" }).click();
    await sleep(300);
    assert.equal(await messagesSent(), sentBefore, "an empty request sends nothing");
    assert.match(await reviewView.locator("#action-note").textContent(), /Write what should change/);
    await reviewView.getByLabel("What should change?").fill("Make the opening shorter and add a map of the coast.");
    await reviewView.getByRole("button", { name: "Request changes" }).click();
    await reviewView.waitForSelector('body[data-review="sent"]');
    assert.ok(await reviewView.getByRole("button", { name: "Approve and render" }).isDisabled(), "actions are off after sending");
    assert.equal(await messagesSent(), sentBefore + 1);
    const sends = (await hostLog(review.instance, "tools/call")).filter((e) => e.params.name === "send_video_agent_message");
    assert.deepEqual(sends.map((e) => e.params.arguments), [
      { session_id: otter.session_id, message: "Make the opening shorter and add a map of the coast." },
    ]);
    const [told] = await hostLog(review.instance, "ui/update-model-context");
    assert.match(told.params.content[0].text, /asked for changes.*Make the opening shorter/);
  }));

const approveOk =
  changesOk &&
  (await check("the revised storyboard re-enables the actions; Approve and render (double-clicked) sends once", async () => {
    await reviewView.waitForSelector('body[data-review="open"]', { timeout: 30_000 });
    assert.match(await reviewView.locator("#message").textContent(), /Revised storyboard/);
    const ids = await reviewView.evaluate(() => document.querySelectorAll("#frames img").length);
    assert.ok(ids >= 3, "the new storyboard's frames are shown");
    await reviewView.getByRole("button", { name: "Approve and render" }).dblclick();
    await reviewView.waitForSelector('body[data-review="sent"]');
    await sleep(500);
    assert.equal(await messagesSent(), sentBefore + 2, "exactly two messages in all");
    assert.equal(await reviewView.getByRole("button", { name: "Approve and render" }).isVisible(), false, "approved: the actions are gone");
    const sends = (await hostLog(review.instance, "tools/call")).filter((e) => e.params.name === "send_video_agent_message");
    assert.equal(sends.length, 2);
    assert.match(sends[1].params.arguments.message, /approve/i);
    const told = await hostLog(review.instance, "ui/update-model-context");
    assert.match(told.at(-1).params.content[0].text, /approved the storyboard/);
  }));

if (approveOk) {
  await check("the view follows the session into rendering (status and progress shown)", async () => {
    await reviewView.waitForSelector('body[data-state="working"]', { timeout: 20_000 });
    await reviewView.waitForFunction(() => !document.getElementById("progress").hidden);
    await shot(review.box, "storyboard-rendering.png");
    const looks = (await followCalls(review.instance)).map((e) => e.result.structuredContent);
    assert.ok(
      looks.some((s) => s.state === "working" && s.video_id),
      `follow_video showed rendering: ${JSON.stringify(looks.map((s) => [s.state, s.status]))}`,
    );
  });

  await check("then to completion: the player appears in the review view and plays the video", async () => {
    await reviewView.waitForSelector('body[data-review="done"]', { timeout: 45_000 });
    const video = await videoState(reviewView);
    assert.ok(video.readyState >= 1, `the video loaded: ${JSON.stringify(video)}`);
    assert.ok(Math.abs(video.duration - SANDBOX_MP4_SECONDS) < 0.2, `duration ${video.duration}`);
    assert.equal(await messagesSent(), sentBefore + 2, "following sent no messages");
    const told = await hostLog(review.instance, "ui/update-model-context");
    assert.match(told.at(-1).params.content[0].text, /is ready/);
    const looks = (await followCalls(review.instance)).map((e) => e.result.structuredContent);
    finishedVideo = looks.at(-1).video;
    assert.equal(looks.at(-1).state, "completed");
    await seek(reviewView, 1);
    await shot(review.box, "storyboard-done.png");
  });
}

// ---- the player ----

if (!finishedVideo) {
  // The storyboard flow failed: make a video for the player the model's way.
  const session = (await tool("create_video_agent", { prompt: "A 30-second video about rivers" })).structuredContent;
  finishedVideo = (await tool("wait_for_video", { session_id: session.session_id })).structuredContent.video;
}
sandboxOrigin ??= new URL(finishedVideo.video_url).origin;

await check("each view's CSP allows exactly the sandbox's origin", async () => {
  for (const view of ["player", "storyboard"]) {
    assert.deepEqual(resources[view]?.csp?.resourceDomains, [sandboxOrigin], `${view}: ${JSON.stringify(resources[view])}`);
  }
});

const player = await open("show_video", { video_id: finishedVideo.id });
await check("the player loads the sandbox MP4, reports its duration, with poster and title", async () => {
  const video = await videoState(player.view);
  assert.ok(video.readyState >= 1, `loaded: ${JSON.stringify(video)}`);
  assert.ok(Math.abs(video.duration - SANDBOX_MP4_SECONDS) < 0.2, `duration ${video.duration}`);
  const [delivered] = await hostLog(player.instance, "tool-result");
  const shown = delivered.result.structuredContent;
  assert.equal(video.src, shown.video_url);
  assert.equal(video.poster, shown.thumbnail_url);
  assert.equal(await player.view.locator("h1").textContent(), shown.title);
  assert.match(await player.view.locator(".video-meta").textContent(), /0:02/);
  assert.deepEqual(await followCalls(player.instance), [], "a finished video needs no look");
});

await check("captioned cut, subtitles (WebVTT cues), download and open links go through the host", async () => {
  const { view, instance } = player;
  const [delivered] = await hostLog(instance, "tool-result");
  const shown = delivered.result.structuredContent;
  await view.getByLabel("Captions burned in").check();
  await view.waitForFunction((url) => document.querySelector("video").currentSrc === url && document.querySelector("video").readyState >= 1, shown.captioned_video_url);
  await view.getByLabel("Captions burned in").uncheck();
  await view.waitForFunction((url) => document.querySelector("video").currentSrc === url && document.querySelector("video").readyState >= 1, shown.video_url);
  await view.getByLabel("Subtitles").check();
  const cues = await view.evaluate(async () => {
    const video = document.querySelector("video");
    for (let i = 0; i < 100 && !(video.textTracks[0]?.cues?.length > 0); i++) await new Promise((done) => setTimeout(done, 50));
    const track = video.textTracks[0];
    return { mode: track?.mode, cues: track?.cues?.length ?? 0, first: track?.cues?.[0]?.text };
  });
  assert.equal(cues.mode, "showing");
  assert.ok(cues.cues > 0, `cues: ${JSON.stringify(cues)}`);
  const subtitleLooks = (await followCalls(instance)).filter((e) => e.params.arguments.subtitles === true);
  assert.equal(subtitleLooks.length, 1, "one follow_video call for the subtitles");
  await seek(view, 0.5);
  await shot(player.box, "player.png");
  await view.getByRole("button", { name: /^Download/ }).click();
  const opened = await until(() => hostLog(instance, "ui/open-link"), (log) => log.length > 0);
  assert.equal(opened.length, 1);
  // The newest link the view was given (the subtitles' look brought fresh ones).
  const newest = (await followCalls(instance)).at(-1)?.result.structuredContent.video?.video_url ?? shown.video_url;
  assert.equal(opened[0].params.url, newest);
  const openInHeyGen = view.getByRole("button", { name: "Open in HeyGen" });
  if (shown.video_page_url) {
    await openInHeyGen.click();
    const both = await until(() => hostLog(instance, "ui/open-link"), (log) => log.length > 1);
    assert.equal(both[1].params.url, shown.video_page_url);
  } else {
    assert.equal(await openInHeyGen.isVisible(), false, "no link to HeyGen, no button");
  }
});

if (renderingOpened) {
  await check("meanwhile the player followed the video to the end by itself, looks 10 s apart", async () => {
    await rendering.view.waitForSelector("#player:not([hidden])", { timeout: 30_000 });
    const video = await videoState(rendering.view);
    assert.ok(Math.abs(video.duration - SANDBOX_MP4_SECONDS) < 0.2, `duration ${video.duration}`);
    const looks = await followCalls(rendering.instance);
    assert.equal(looks.at(-1)?.result.structuredContent.state, "completed");
    assert.ok(looks.every((e) => e.params.arguments.video_id === renderingFirst.id));
    const [opened] = await hostLog(rendering.instance, "tool-result");
    const gaps = [looks[0].at - opened.at, ...looks.slice(1).map((e, i) => e.at - looks[i].at)];
    assert.ok(gaps[0] >= 1_500, `first look after ${gaps[0]} ms`);
    assert.ok(gaps.slice(1).every((gap) => gap >= 9_000), `looks ${gaps.join(", ")} ms apart`);
    const told = await hostLog(rendering.instance, "ui/update-model-context");
    assert.match(told.at(-1)?.params.content[0].text ?? "", /finished rendering/);
  });
}

await check("expired links: the player gets fresh ones with one follow_video call and plays", async () => {
  await sandboxFaults("POST", { expire_media: true });
  let stale;
  try {
    stale = await tool("get_video", { video_id: finishedVideo.id });
  } finally {
    await sandboxFaults("DELETE");
  }
  const expiredUrl = stale.structuredContent.video_url;
  const reopened = await open("get_video", { video_id: finishedVideo.id }, { result: stale });
  const video = await videoState(reopened.view);
  assert.ok(video.readyState >= 1, `loaded after the refresh: ${JSON.stringify(video)}`);
  assert.notEqual(video.src, expiredUrl, "a fresh link is playing");
  const looks = await followCalls(reopened.instance);
  assert.equal(looks.length, 1, "exactly one follow_video call");
  assert.deepEqual(looks[0].params.arguments, { video_id: finishedVideo.id });
});

await check("a failed render: both views say why", async () => {
  const session = (await tool("create_video_agent", { prompt: "[sandbox:fail] A video about geese" })).structuredContent;
  const outcome = await tool("wait_for_video", { session_id: session.session_id });
  assert.equal(outcome.structuredContent.state, "failed");
  const reason = outcome.structuredContent.video?.failure_message;
  assert.ok(reason, "the sandbox gives a reason");
  const storyboardView = await open("wait_for_video", { session_id: session.session_id }, { result: outcome });
  await storyboardView.view.waitForSelector('body[data-review="failed"]');
  assert.match(await storyboardView.view.locator("#problem").textContent(), new RegExp(`failed: .*${reason.slice(0, 20)}`));
  const playerView = await open("get_video", { video_id: outcome.structuredContent.video.id });
  await playerView.view.waitForFunction(() => !document.getElementById("problem").hidden);
  assert.match(await playerView.view.locator("#problem").textContent(), new RegExp(`failed: .*${reason.slice(0, 20)}`));
  assert.equal(await playerView.view.locator("#player").isVisible(), false);
});

await check("a question from the agent: an answer box instead of Approve, sent once, then the storyboard", async () => {
  const curious = (await tool("create_video_agent", { prompt: "[sandbox:ask] A video about herons", mode: "chat" })).structuredContent;
  const asked = await open("get_video_agent_session", { session_id: curious.session_id });
  await until(
    async () => (await tool("get_video_agent_session", { session_id: curious.session_id })).structuredContent.status,
    (status) => status === "waiting_for_input",
  );
  // The view opened on a thinking session follows it to the question by itself.
  await asked.view.waitForSelector('body[data-review="open"]', { timeout: 20_000 });
  assert.equal(await asked.view.getByRole("button", { name: "Approve and render" }).isVisible(), false);
  assert.equal(await asked.view.locator("#frames img").count(), 0);
  const before = await messagesSent();
  await asked.view.getByLabel("Your answer").fill("Mostly grey herons, please.");
  await asked.view.getByRole("button", { name: "Send answer" }).click();
  await asked.view.waitForSelector('body[data-review="sent"]');
  assert.equal(await messagesSent(), before + 1);
  await asked.view.waitForSelector('body[data-review="open"]', { timeout: 20_000 });
  assert.ok(await asked.view.getByRole("button", { name: "Approve and render" }).isEnabled());
  assert.ok((await asked.view.locator("#frames img").count()) >= 3, "the storyboard's frames");
  const told = await hostLog(asked.instance, "ui/update-model-context");
  assert.match(told.at(-1).params.content[0].text, /answered the agent's question.*grey herons/);
});

await check("themes: dark from the host, then light, then the host's own colours", async () => {
  const themed = await open("show_video", { video_id: finishedVideo.id }, { theme: "dark" });
  await videoState(themed.view);
  const background = () => themed.view.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const luminance = (css) => {
    const [r, g, b] = css.match(/\d+(\.\d+)?/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  assert.ok(luminance(await background()) < 0.3, `dark background: ${await background()}`);
  await shot(themed.box, "player-dark.png");
  await page.evaluate((i) => window.changeContext(i, { theme: "light" }), themed.instance);
  await themed.view.waitForFunction(() => document.documentElement.dataset.theme === "light");
  assert.ok(luminance(await background()) > 0.7, `light background: ${await background()}`);
  await page.evaluate((i) => window.changeContext(i, { styles: { variables: { "--color-background-primary": "rgb(250, 240, 230)" } } }), themed.instance);
  await themed.view.waitForFunction(() => getComputedStyle(document.body).backgroundColor === "rgb(250, 240, 230)");
});

await check("the player works in an opaque-origin frame (sandbox without allow-same-origin)", async () => {
  const opaque = await open("show_video", { video_id: finishedVideo.id }, { sandbox: "allow-scripts" });
  assert.equal(await opaque.view.evaluate(() => self.origin), "null");
  const video = await videoState(opaque.view);
  assert.ok(Math.abs(video.duration - SANDBOX_MP4_SECONDS) < 0.2, `duration ${video.duration}`);
});

await check("every view finished the handshake and sized its frame", async () => {
  const instances = await page.evaluate(() => [...new Set(window.hostLog.map((entry) => entry.instance))]);
  for (const instance of instances) {
    assert.equal((await hostLog(instance, "initialized")).length, 1, `view ${instance} initialized`);
    const sizes = await hostLog(instance, "size");
    assert.ok(sizes.length > 0 && sizes.at(-1).height > 40, `view ${instance} reported its height: ${JSON.stringify(sizes.at(-1))}`);
  }
});

// The methods a view may send (ext-apps' unreleased mcp-app-validator, rule APP-103).
const VIEW_METHODS = new Set([
  "ui/initialize", "ui/notifications/initialized", "ui/notifications/size-changed",
  "ui/notifications/request-teardown", "ui/open-link", "ui/download-file", "ui/message",
  "ui/update-model-context", "ui/request-display-mode", "tools/call", "tools/list",
  "resources/read", "notifications/message", "ping",
]);
await check("what the views sent: JSON-RPC 2.0, known methods, appCapabilities (validator APP-100..103)", async () => {
  assert.ok(viewMessages.length > 0, "the proxy saw the views' messages");
  for (const message of viewMessages) {
    assert.equal(message.jsonrpc, "2.0", JSON.stringify(message));
    assert.ok(message.answer || VIEW_METHODS.has(message.method), `unknown method: ${JSON.stringify(message)}`);
  }
  const initializes = viewMessages.filter((m) => m.method === "ui/initialize");
  assert.ok(initializes.length > 0 && initializes.every((m) => m.appCapabilities), "ui/initialize carries appCapabilities");
});

await check("no CSP violation and no uncaught error in any frame", async () => {
  assert.deepEqual(violations, []);
  assert.deepEqual(uncaught, []);
});

await check("the CSP watch works: a fetch from a view is blocked and reported (connect-src 'none')", async () => {
  const outcome = await player.view.evaluate(() => fetch("http://127.0.0.1:9/").then(() => "allowed", (error) => `blocked: ${error.message}`));
  assert.match(outcome, /^blocked/);
  for (let i = 0; i < 40 && violations.length === 0; i++) await sleep(50);
  assert.ok(violations.some((v) => v.includes("connect-src")), `reported: ${JSON.stringify(violations)}`);
});

await browser.close();
await host.close();
rmSync(work, { recursive: true, force: true });
console.log(`views: screenshots in ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
