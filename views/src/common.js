// Helpers both views share: DOM building (text only), the host's theme and size, tool
// results, and following a session or video through the app-only follow_video tool.

import { callTool, getHostContext } from "./mcp-app.js";

/** An element with attributes and children; strings become text nodes, never markup. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat().filter((child) => child != null && child !== false));
  return element;
}

export const $ = (id) => document.getElementById(id);

/** Shows text in an element (or hides the element when there is none). */
export function setText(element, text) {
  element.textContent = text ?? "";
  element.hidden = !text;
}

// Both views have a status line with a progress bar at the top (#status, #progress) and a
// problem line with a "Check again" button at the bottom (#problem, #check).

/** percent: a number, null for "not known yet" (a moving bar), or left out for no bar. */
export function showStatus(text, percent) {
  setText($("status"), text);
  const progress = $("progress");
  progress.hidden = percent === undefined;
  if (typeof percent === "number") progress.value = percent;
  else progress.removeAttribute("value");
}

export function showProblem(text, canCheckAgain = false) {
  setText($("problem"), text);
  $("check").hidden = !canCheckAgain;
}

/** Only http(s) links from the API are used as sources or opened. */
export function safeUrl(url) {
  if (typeof url !== "string") return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** What a failed call says: its first text block. */
export function resultText(result) {
  return (result?.content ?? []).find((block) => block.type === "text")?.text ?? "";
}

/** A tool's structuredContent, or an Error carrying the text of a failed call. */
export function structured(result) {
  if (result.isError) throw new Error(resultText(result) || "the call failed");
  if (!result.structuredContent) throw new Error("the result carries no data for this view");
  return result.structuredContent;
}

export function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

export function formatTime(unixSeconds) {
  if (!Number.isFinite(unixSeconds)) return "";
  const context = getHostContext();
  try {
    return new Date(unixSeconds * 1000).toLocaleString(context.locale, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: context.timeZone,
    });
  } catch {
    return new Date(unixSeconds * 1000).toLocaleString();
  }
}

/** Follows the host: theme (light/dark), its style variables, a fixed frame height, safe areas. */
export function applyHostContext(context) {
  const root = document.documentElement;
  const prefersDark = window.matchMedia?.("(prefers-color-scheme: dark)").matches;
  const theme = context.theme ?? root.dataset.theme ?? (prefersDark ? "dark" : "light");
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
  for (const [name, value] of Object.entries(context.styles?.variables ?? {})) {
    if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
  }
  const dimensions = context.containerDimensions;
  if (dimensions) {
    root.style.height = Number.isFinite(dimensions.height) ? `${dimensions.height}px` : "";
    root.classList.toggle("fixed-height", Number.isFinite(dimensions.height));
  }
  const insets = context.safeAreaInsets;
  if (insets) {
    for (const side of ["top", "right", "bottom", "left"]) {
      root.style.setProperty(`--inset-${side}`, `${Number(insets[side]) || 0}px`);
    }
  }
}

// How often to look at HeyGen: 2 s after the view opens (1 s after the user acts: it answers
// them), then every 5 s while the agent thinks and 10 s while it renders; slower after ten
// minutes; after an hour the view stops and offers to check again. Failed looks back off up
// to a minute.
const FIRST_LOOK_MS = 2_000;
export const AFTER_ACTION_MS = 1_000;
const THINKING_MS = 5_000;
const RENDERING_MS = 10_000;
const PATIENT_MS = 30_000;
const PATIENT_AFTER_MS = 10 * 60_000;
const GIVE_UP_AFTER_MS = 60 * 60_000;
const MAX_FAILURES = 5;

/**
 * Follows a session or a video through follow_video. onState(viewState) gets every look;
 * looks go on while the state is "working" and stop otherwise (the caller may follow again).
 * onPause(reason) says why following stopped without a new state: "timeout" or "error".
 * onError(error) gets each failed look (they are retried, backing off, a few times).
 */
export function createFollower({ onState, onError, onPause }) {
  let timer = 0;
  let args = null;
  let startedAt = 0;
  let failures = 0;
  let running = false;

  const stop = () => {
    clearTimeout(timer);
    running = false;
  };

  const schedule = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(look, delay);
  };

  async function look() {
    const askedFor = args;
    let state;
    try {
      state = structured(await callTool("follow_video", askedFor));
    } catch (error) {
      if (!running || askedFor !== args) return;
      failures += 1;
      onError(error);
      if (failures >= MAX_FAILURES) {
        stop();
        onPause("error");
      } else {
        schedule(Math.min(60_000, RENDERING_MS * 2 ** (failures - 1)));
      }
      return;
    }
    if (!running || askedFor !== args) return;
    failures = 0;
    const working = state.state === "working";
    if (!working) running = false;
    onState(state);
    if (!working || !running || askedFor !== args) return;
    const elapsed = Date.now() - startedAt;
    if (elapsed > GIVE_UP_AFTER_MS) {
      stop();
      onPause("timeout");
    } else {
      const rendering = Boolean(state.video_id);
      schedule(elapsed > PATIENT_AFTER_MS ? PATIENT_MS : rendering ? RENDERING_MS : THINKING_MS);
    }
  }

  return {
    /** Starts (or restarts) following; the first look comes after `delay` ms. */
    follow(followArgs, delay = FIRST_LOOK_MS) {
      args = followArgs;
      startedAt = Date.now();
      failures = 0;
      running = true;
      schedule(delay);
    },
    /** Looks again later without resetting the clock (a storyboard not yet replaced). */
    again(delay = THINKING_MS) {
      running = true;
      schedule(delay);
    },
    stop,
  };
}
