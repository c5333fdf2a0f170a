// The Node side of the test host for the MCP App views.
//
//   chromium ── host page (origin A: /, /host.js, POST /rpc)
//                 └ iframe: sandbox proxy (origin B: /sandbox.html, CSP header from _meta.ui.csp)
//                     └ iframe srcdoc: the view (inherits B's CSP)
//   POST /rpc ── the official MCP TypeScript client ── stdio ── heygen-mcp --sandbox
//
// The MCP client lives here rather than in the page so the real stdio binary runs unchanged;
// the page's AppBridge forwards the view's tools/call and resources/read to /rpc. The proxy
// is on its own origin, as the spec requires of web hosts, and gets the view's CSP as an HTTP
// header built the way the spec says hosts must build it (restrictive defaults, nothing
// beyond what _meta.ui.csp declares).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { load, viewsModules } from "./modules.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { Client } = await load("@modelcontextprotocol/client");
const { StdioClientTransport } = await load("@modelcontextprotocol/client/stdio");
const { build } = await load("esbuild");

export const UI_EXTENSION = "io.modelcontextprotocol/ui";
export const UI_MIME = "text/html;profile=mcp-app";

const safeSources = (list) =>
  (Array.isArray(list) ? list : []).filter((source) => typeof source === "string" && !/[\s;,'"]/.test(source));

/** The view's Content-Security-Policy, from _meta.ui.csp (spec: "CSP construction"). */
export function buildCsp(csp = {}) {
  const resources = safeSources(csp.resourceDomains).join(" ");
  const connect = safeSources(csp.connectDomains).join(" ");
  const frames = safeSources(csp.frameDomains).join(" ");
  const baseUris = safeSources(csp.baseUriDomains).join(" ");
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${resources}`,
    `style-src 'self' 'unsafe-inline' ${resources}`,
    `img-src 'self' data: ${resources}`,
    `font-src 'self' ${resources}`,
    `media-src 'self' data: ${resources}`,
    `connect-src ${connect ? `'self' ${connect}` : "'none'"}`,
    `frame-src ${frames || "'none'"}`,
    "object-src 'none'",
    `base-uri ${baseUris || "'self'"}`,
  ]
    .map((directive) => directive.trim())
    .join("; ");
}

// VIEWS_FROM_TREE=1: the host shows src/ui/*.html as they are now instead of the copies built
// into the binary, so a view can be changed and retested without rebuilding the server.
function fromTree(result) {
  if (process.env.VIEWS_FROM_TREE !== "1") return result;
  for (const content of result.contents ?? []) {
    const view = /^ui:\/\/heygen\/(\w+)\.html$/.exec(content.uri)?.[1];
    if (view) content.text = readFileSync(join(here, `../../src/ui/${view}.html`), "utf8");
  }
  return result;
}

function listen(handler) {
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error?.stack ?? error));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

/** An MCP client of the binary over stdio; `ui` declares the MCP Apps extension. */
export async function connectClient({ command, args, env, ui }) {
  const client = new Client(
    { name: "heygen-views-test-host", version: "1.0.0" },
    { capabilities: ui ? { extensions: { [UI_EXTENSION]: { mimeTypes: [UI_MIME] } } } : {} },
  );
  // The SDK passes only a few variables to the child unless told: give it the whole environment.
  await client.connect(new StdioClientTransport({ command, args, env: { ...process.env, ...env }, stderr: "inherit" }));
  return client;
}

/** Starts the host and sandbox origins around a UI client of the server; returns their URLs. */
export async function startHost({ command, args = [], env = {} }) {
  const client = await connectClient({ command, args, env, ui: true });
  const calls = [];

  const page = (
    await build({
      entryPoints: [join(here, "host-page.js")],
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "es2022",
      nodePaths: [viewsModules],
      logLevel: "silent",
    })
  ).outputFiles[0].text;
  const proxyPage = readFileSync(join(here, "sandbox-proxy.html"), "utf8");

  let hostOrigin = "";
  const sandbox = await listen((request, response) => {
    const url = new URL(request.url, "http://x");
    if (url.pathname !== "/sandbox.html") {
      response.writeHead(404);
      return response.end();
    }
    let csp;
    try {
      csp = JSON.parse(url.searchParams.get("csp") ?? "{}");
    } catch {
      csp = {};
    }
    response.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": buildCsp(csp),
      "cache-control": "no-store",
    });
    response.end(proxyPage.replace("__HOST_ORIGIN__", hostOrigin));
  });

  const host = await listen(async (request, response) => {
    const url = new URL(request.url, "http://x");
    if (url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MCP Apps test host</title><link rel="icon" href="data:,">
<meta name="sandbox-origin" content="${sandbox.origin}">
<style>body{margin:16px;font:14px system-ui;background:#eee}section{margin:0 0 16px;width:680px}
iframe{display:block;width:100%;height:120px;border:0;background:transparent}section.border iframe{border:1px solid #bbb;border-radius:10px}</style>
</head><body><main id="apps"></main><script type="module" src="/host.js"></script></body></html>`);
    }
    if (url.pathname === "/host.js") {
      response.writeHead(200, { "content-type": "text/javascript" });
      return response.end(page);
    }
    if (url.pathname === "/rpc" && request.method === "POST") {
      let body = "";
      for await (const chunk of request) body += chunk;
      const { method, params } = JSON.parse(body);
      let answer;
      try {
        let result;
        if (method === "tools/list") result = await client.listTools(params);
        else if (method === "tools/call") result = await client.callTool(params, { timeout: 120_000 });
        else if (method === "resources/read") result = fromTree(await client.readResource(params, { cacheMode: "bypass" }));
        else throw Object.assign(new Error(`/rpc does not forward ${method}`), { code: -32601 });
        answer = { result };
        if (method === "tools/call") calls.push({ name: params.name, arguments: params.arguments, result });
      } catch (error) {
        answer = { error: { code: error.code ?? -32603, message: String(error.message ?? error) } };
      }
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(JSON.stringify(answer));
    }
    response.writeHead(404);
    response.end();
  });
  hostOrigin = host.origin;

  return {
    url: `${host.origin}/`,
    client,
    /** Every tools/call the host forwarded (the views' and the simulated model's). */
    calls,
    async close() {
      await client.close().catch(() => {});
      host.server.close();
      sandbox.server.close();
    },
  };
}
