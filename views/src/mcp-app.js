// The view's side of MCP Apps (io.modelcontextprotocol/ui, 2026-01-26): JSON-RPC 2.0 over
// postMessage with the host. It covers what the two views use, with no dependencies; the
// official App class of @modelcontextprotocol/ext-apps bundles to about 540 KB, nine times
// the 60 KB a view may weigh (see ../README.md).

const PROTOCOL_VERSION = "2026-01-26";
const REQUEST_TIMEOUT_MS = 120_000;

// Host notifications, by the event name handlers subscribe to.
const EVENTS = {
  "ui/notifications/tool-input": "toolinput",
  "ui/notifications/tool-input-partial": "toolinputpartial",
  "ui/notifications/tool-result": "toolresult",
  "ui/notifications/tool-cancelled": "toolcancelled",
  "ui/notifications/host-context-changed": "hostcontextchanged",
};

const host = window.parent;
const pending = new Map();
const handlers = {};
let nextId = 1;
let hostContext = {};
let hostCapabilities = {};
let teardown = () => {};

function post(message) {
  // The view cannot know the host's origin (it may sit behind a sandbox proxy); messages
  // are accepted only from the parent window, below.
  host.postMessage({ jsonrpc: "2.0", ...message }, "*");
}

function notify(method, params = {}) {
  post({ method, params });
}

function request(method, params = {}) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`the host did not answer ${method}`));
    }, REQUEST_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    post({ id, method, params });
  });
}

function emit(event, params) {
  for (const handler of handlers[event] ?? []) {
    try {
      handler(params);
    } catch (error) {
      console.error(error);
    }
  }
}

async function answer(message) {
  const { id, method } = message;
  if (method === "ping") return post({ id, result: {} });
  if (method === "ui/resource-teardown") {
    try {
      await teardown();
    } catch (error) {
      console.error(error);
    }
    return post({ id, result: {} });
  }
  post({ id, error: { code: -32601, message: `Method not found: ${method}` } });
}

window.addEventListener("message", (event) => {
  if (event.source !== host) return;
  const message = event.data;
  if (!message || message.jsonrpc !== "2.0") return;
  if (message.method === undefined) {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.error) {
      waiting.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    } else {
      waiting.resolve(message.result ?? {});
    }
  } else if (message.id !== undefined) {
    answer(message);
  } else if (EVENTS[message.method]) {
    const params = message.params ?? {};
    if (message.method === "ui/notifications/host-context-changed") {
      hostContext = { ...hostContext, ...params };
    }
    emit(EVENTS[message.method], params);
  }
});

// Reports the document's natural height so hosts with a flexible frame can fit it
// (the same measure as the official App's autoResize).
function reportSize() {
  let queued = false;
  let last = "";
  const measure = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const root = document.documentElement;
      const saved = root.style.height;
      root.style.height = "max-content";
      const height = Math.ceil(root.getBoundingClientRect().height);
      root.style.height = saved;
      const width = Math.ceil(window.innerWidth);
      if (`${width}x${height}` === last) return;
      last = `${width}x${height}`;
      notify("ui/notifications/size-changed", { width, height });
    });
  };
  const observer = new ResizeObserver(measure);
  observer.observe(document.documentElement);
  observer.observe(document.body);
  measure();
}

/** Subscribes to a host notification: toolinput, toolresult, toolcancelled, hostcontextchanged. */
export function on(event, handler) {
  (handlers[event] ??= []).push(handler);
}

/** Runs before the view is removed (the host waits for it). */
export function onTeardown(handler) {
  teardown = handler;
}

/** The handshake. Subscribe with on() first: the host sends the tool's input and result after it. */
export async function connect(appInfo) {
  const result = await request("ui/initialize", {
    appInfo,
    appCapabilities: { availableDisplayModes: ["inline"] },
    protocolVersion: PROTOCOL_VERSION,
  });
  hostContext = result.hostContext ?? {};
  hostCapabilities = result.hostCapabilities ?? {};
  notify("ui/notifications/initialized");
  reportSize();
  return result;
}

export const getHostContext = () => hostContext;
export const getHostCapabilities = () => hostCapabilities;

/** Calls a tool of this view's server through the host; resolves with the CallToolResult. */
export function callTool(name, args) {
  return request("tools/call", { name, arguments: args });
}

/** Replaces what the model will read about this view on its next turn (no turn is forced). */
export function updateModelContext(text, structuredContent) {
  return request("ui/update-model-context", { content: [{ type: "text", text }], structuredContent });
}

/** Posts a message in the chat as the user (the host may start a model turn). */
export function sendMessage(text) {
  return request("ui/message", { role: "user", content: [{ type: "text", text }] });
}

/** Asks the host to open a URL in the user's browser. */
export async function openLink(url) {
  const result = await request("ui/open-link", { url });
  if (result.isError) throw new Error("the host did not open the link");
}
