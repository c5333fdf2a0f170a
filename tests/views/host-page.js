// The browser side of the test host, on the ext-apps host-side bridge (AppBridge). It plays
// the part of a chat host: the "model" calls a tool (window.openTool), the host reads the
// tool's ui:// resource, renders it in a sandboxed iframe behind the sandbox proxy and hands
// it the tool's input and result; then it serves the view's requests. Like a real host it
// only forwards tools/call for tools whose visibility includes "app". Everything the view
// asks for is recorded in window.hostLog for the test to read.
import {
  AppBridge,
  PostMessageTransport,
  RESOURCE_MIME_TYPE,
  buildAllowAttribute,
  getToolUiResourceUri,
} from "@modelcontextprotocol/ext-apps/app-bridge";

const SANDBOX_ORIGIN = document.querySelector('meta[name="sandbox-origin"]').content;
const HOST_INFO = { name: "heygen-views-test-host", version: "1.0.0" };
const HOST_CAPABILITIES = {
  openLinks: {},
  serverTools: {},
  serverResources: {},
  logging: {},
  updateModelContext: { text: {}, structuredContent: {} },
  message: { text: {} },
};
const WIDTH = 680;

const hostLog = (window.hostLog = []);
const bridges = (window.bridges = {});
let instances = 0;

async function rpc(method, params) {
  const response = await fetch("/rpc", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ method, params }),
  });
  const { result, error } = await response.json();
  if (error) throw Object.assign(new Error(error.message), { code: error.code });
  return result;
}

let listed;
const tools = async () => (listed ??= (await rpc("tools/list", {})).tools);
const visibility = (tool) => tool._meta?.ui?.visibility ?? ["model", "app"];

function loadProxy(iframe, instance, csp) {
  const url = new URL("/sandbox.html", SANDBOX_ORIGIN);
  url.searchParams.set("instance", String(instance));
  url.searchParams.set("csp", JSON.stringify(csp ?? {}));
  return new Promise((resolve) => {
    const ready = (event) => {
      if (event.source === iframe.contentWindow && event.data?.method === "ui/notifications/sandbox-proxy-ready") {
        window.removeEventListener("message", ready);
        resolve();
      }
    };
    window.addEventListener("message", ready);
    iframe.src = url.href;
  });
}

/**
 * The model calls tool `name` with `args` and the host shows its view. Options: theme,
 * styles (host style variables), sandbox (the view frame's sandbox attribute), result (a
 * CallToolResult to hand the view instead of calling the tool: a conversation reopened
 * later). Resolves with the instance number once the view has the tool's input.
 */
window.openTool = async function openTool(name, args, options = {}) {
  const instance = ++instances;
  const log = (type, data) => hostLog.push({ instance, type, at: Date.now(), ...data });
  const tool = (await tools()).find((candidate) => candidate.name === name);
  if (!tool) throw new Error(`tools/list has no ${name}`);
  if (!visibility(tool).includes("model")) throw new Error(`${name} is not for the model`);
  const uri = getToolUiResourceUri(tool);
  if (!uri) throw new Error(`${name} has no view`);

  const result = options.result ? Promise.resolve(options.result) : rpc("tools/call", { name, arguments: args });
  const { contents } = await rpc("resources/read", { uri });
  const content = contents[0];
  if (content.mimeType !== RESOURCE_MIME_TYPE) throw new Error(`${uri} has MIME type ${content.mimeType}`);
  const ui = content._meta?.ui ?? {};
  log("resource", { uri, ui });

  const box = document.createElement("section");
  box.dataset.instance = String(instance);
  if (ui.prefersBorder !== false) box.className = "border";
  const iframe = document.createElement("iframe");
  iframe.setAttribute("sandbox", "allow-scripts allow-same-origin");
  iframe.setAttribute("title", `${name} view`);
  const allow = buildAllowAttribute(ui.permissions);
  if (allow) iframe.setAttribute("allow", allow);
  box.append(iframe);
  document.getElementById("apps").append(box);
  // As a chat scrolls to a new message (browsers throttle frames out of view).
  box.scrollIntoView();
  await loadProxy(iframe, instance, ui.csp);

  const hostContext = {
    theme: options.theme ?? "light",
    platform: "web",
    displayMode: "inline",
    availableDisplayModes: ["inline"],
    containerDimensions: { maxWidth: WIDTH, maxHeight: 2000 },
    locale: "en-US",
    timeZone: "UTC",
    toolInfo: { tool },
  };
  if (options.styles) hostContext.styles = { variables: options.styles };
  const bridge = new AppBridge(null, HOST_INFO, HOST_CAPABILITIES, { hostContext });
  bridges[instance] = { bridge, hostContext };
  bridge.oncalltool = async (params) => {
    const target = (await tools()).find((candidate) => candidate.name === params.name);
    if (!target || !visibility(target).includes("app")) {
      log("tools/call refused", { params });
      throw new Error(`${params.name} is not callable from a view`);
    }
    log("tools/call", { params });
    const answer = await rpc("tools/call", params);
    log("tools/call result", { params, result: answer });
    return answer;
  };
  bridge.onreadresource = (params) => rpc("resources/read", params);
  bridge.onupdatemodelcontext = async (params) => (log("ui/update-model-context", { params }), {});
  bridge.onmessage = async (params) => (log("ui/message", { params }), {});
  bridge.onopenlink = async (params) => (log("ui/open-link", { params }), {});
  bridge.onrequestdisplaymode = async () => ({ mode: "inline" });
  bridge.onloggingmessage = (params) => log("log", { params });
  bridge.onsizechange = ({ height }) => {
    if (height != null) iframe.style.height = `${height}px`;
    log("size", { height });
  };
  const initialized = new Promise((resolve) => (bridge.oninitialized = resolve));
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  await bridge.sendSandboxResourceReady({
    html: content.text,
    csp: ui.csp,
    permissions: ui.permissions,
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
  });
  await initialized;
  log("initialized", { app: bridge.getAppVersion() });
  await bridge.sendToolInput({ arguments: args });
  result.then(
    (answer) => {
      log("tool-result", { result: answer });
      return bridge.sendToolResult(answer);
    },
    (error) => bridge.sendToolCancelled({ reason: String(error?.message ?? error) }),
  );
  return instance;
};

/** The host switches theme (or other context) while the view is open. */
window.changeContext = (instance, change) => {
  const open = bridges[instance];
  open.hostContext = { ...open.hostContext, ...change };
  open.bridge.setHostContext(open.hostContext);
};

window.hostReady = true;
