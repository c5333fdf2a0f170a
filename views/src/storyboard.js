// Storyboard review view (ui://heygen/storyboard.html), for get_video_agent_session and
// wait_for_video: the agent's message and its storyboard frames, with Approve and render and
// Request changes. An action sends one chat message through send_video_agent_message (the
// path the model uses), tells the model what happened, then follows the session through the
// app-only follow_video tool: to the next storyboard, or through rendering to the video.

import {
  callTool,
  connect,
  getHostCapabilities,
  on,
  onTeardown,
  sendMessage,
  updateModelContext,
} from "./mcp-app.js";
import {
  $,
  AFTER_ACTION_MS,
  applyHostContext,
  createFollower,
  errorText,
  h,
  resultText,
  safeUrl,
  setText,
  showProblem,
  showStatus,
  structured,
} from "./common.js";
import { createVideoPanel } from "./video-panel.js";

const APPROVAL = "Looks good: approve the storyboard and render the video.";
// How long the session may still show the storyboard the user answered before the view stops
// waiting for the agent's next move and offers to check again.
const STALE_LIMIT_MS = 2 * 60_000;

const panel = createVideoPanel($("player"));
const reply = $("reply");
const approve = $("approve");
const request = $("request");
const lightbox = $("lightbox");

let sessionId = null;
let videoId = null;
let storyboard = null; // { key, message, frames: [{ resource_id, url }] | null, question }
let answeredKey = null; // the storyboard (or question) the user answered; actions stay off until another comes
let approved = false; // that answer was an approval
let sending = false;
let watching = false; // the view followed the session before it ended
let shown = 0; // the frame open in the lightbox
let framesRefreshed = false; // this storyboard's links were refreshed once already
let staleSince = 0; // when a look first showed the answered storyboard again
let canAnswer = true; // false when the server offers no send_video_agent_message (read-only)

const followArgs = () => (sessionId ? { session_id: sessionId } : { video_id: videoId });

// ---- what the view shows ----

function setActionsEnabled(enabled) {
  for (const control of [approve, request, reply]) control.disabled = !enabled;
}

function showReview({ message, frames, resourceIds, question }) {
  const key = JSON.stringify([message ?? "", frames ? frames.map((frame) => frame.resource_id) : resourceIds ?? []]);
  if (key !== storyboard?.key) framesRefreshed = false;
  storyboard = { key, message, frames, question };
  $("review").hidden = false;
  $("player").hidden = true;
  setText($("message"), message || (question ? "The agent has a question." : "The storyboard is ready."));
  renderFrames(frames, resourceIds ?? []);

  approve.hidden = question;
  $("reply-label").textContent = question ? "Your answer" : "What should change?";
  request.textContent = question ? "Send answer" : "Request changes";
  $("actions").hidden = !canAnswer;
  const answered = key === answeredKey;
  $("controls").hidden = answered && approved;
  setActionsEnabled(Boolean(frames) && !answered && !sending);
  if (!answered) setText($("action-note"), "");
  document.body.dataset.review = answered ? "sent" : frames ? "open" : "loading";
}

function renderFrames(frames, resourceIds) {
  const list = $("frames");
  if (!frames) {
    // Only the ids so far: placeholders until follow_video gives the images' links.
    list.replaceChildren(
      ...resourceIds.map((_, index) =>
        h("li", {}, h("div", { class: "frame loading" }, `Loading frame ${index + 1}…`)),
      ),
    );
    return;
  }
  const count = frames.length;
  list.replaceChildren(
    ...frames.map((frame, index) => {
      const image = h("img", { alt: `Storyboard frame ${index + 1} of ${count}`, src: safeUrl(frame.url) ?? "" });
      image.addEventListener("error", refreshFrames, { once: true });
      const button = h(
        "button",
        { type: "button", class: "frame", "aria-haspopup": "dialog", title: "Enlarge", "data-index": index },
        image,
        h("span", { class: "number", "aria-hidden": "true" }, String(index + 1)),
      );
      button.addEventListener("click", () => openFrame(index));
      return h("li", {}, button);
    }),
  );
}

// Frame links are signed like the video's; when one stops loading, one look gets fresh ones.
function refreshFrames() {
  if (framesRefreshed || !sessionId) return;
  framesRefreshed = true;
  follower.follow(followArgs(), 0);
}

function showVideo(video) {
  videoId = video.id;
  $("review").hidden = true;
  $("player").hidden = false;
  showStatus("");
  showProblem("");
  panel.show(video);
  document.body.dataset.review = "done";
}

function showFailure(text) {
  showStatus("");
  $("review").hidden = true;
  showProblem(text, false);
  document.body.dataset.review = "failed";
}

// ---- the lightbox ----

function openFrame(index) {
  shown = index;
  showFrame();
  lightbox.showModal();
}

function showFrame() {
  const frames = storyboard?.frames ?? [];
  const frame = frames[shown];
  if (!frame) return;
  $("lightbox-image").src = safeUrl(frame.url) ?? "";
  $("lightbox-image").alt = `Storyboard frame ${shown + 1} of ${frames.length}`;
  $("lightbox-caption").textContent = `Frame ${shown + 1} of ${frames.length}`;
  $("previous").disabled = shown === 0;
  $("next").disabled = shown === frames.length - 1;
}

function step(delta) {
  const count = storyboard?.frames?.length ?? 0;
  const next = shown + delta;
  if (next < 0 || next >= count) return;
  shown = next;
  showFrame();
}

$("previous").addEventListener("click", () => step(-1));
$("next").addEventListener("click", () => step(1));
$("close").addEventListener("click", () => lightbox.close());
lightbox.addEventListener("keydown", (event) => {
  if (event.key === "ArrowLeft") step(-1);
  else if (event.key === "ArrowRight") step(1);
  // Browsers close a modal dialog on Esc themselves, but not every embedded frame gets to.
  else if (event.key === "Escape") lightbox.close();
});
// A click on the backdrop (outside the dialog's box) closes it too.
lightbox.addEventListener("click", (event) => {
  const box = lightbox.getBoundingClientRect();
  const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
  if (event.target === lightbox && !inside) lightbox.close();
});
lightbox.addEventListener("close", () => {
  $("frames").querySelector(`[data-index="${shown}"]`)?.focus();
});

// ---- the two actions ----

async function send(kind) {
  if (sending || !storyboard || storyboard.key === answeredKey || !sessionId) return;
  const text = kind === "approve" ? APPROVAL : reply.value.trim();
  if (!text) {
    setText($("action-note"), storyboard.question ? "Write your answer first." : "Write what should change first.");
    reply.focus();
    return;
  }
  const answering = storyboard;
  sending = true;
  setActionsEnabled(false);
  setText($("action-note"), "Sending…");
  let result;
  try {
    result = await callTool("send_video_agent_message", { session_id: sessionId, message: text });
  } catch (error) {
    result = { isError: true, content: [{ type: "text", text: errorText(error) }] };
  }
  sending = false;
  if (result.isError) {
    // The server reports a failed send as an error result (it never retries a send), so the
    // user may try again; a call the host could not deliver says so in the note.
    setText($("action-note"), `Not sent: ${resultText(result) || "the call failed"}`);
    setActionsEnabled(true);
    return;
  }
  answeredKey = answering.key;
  approved = kind === "approve";
  // An approval is final for this storyboard: its controls go; a change request keeps them
  // (disabled) until the revised storyboard comes.
  $("controls").hidden = approved;
  document.body.dataset.review = "sent";
  if (kind !== "approve") reply.value = "";
  const action = kind === "approve" ? "approved" : answering.question ? "answered" : "requested_changes";
  setText(
    $("action-note"),
    action === "approved"
      ? "Approved. The agent is rendering the video."
      : action === "answered"
        ? "Answer sent. The agent is thinking."
        : "Changes requested. The agent is revising the storyboard.",
  );
  tellModel(action, text);
  watching = true;
  showStatus("The agent is working…", null);
  follower.follow(followArgs(), AFTER_ACTION_MS);
}

// Buttons, not a form: hosts may frame views without allow-forms, which blocks submit events.
approve.addEventListener("click", () => send("approve"));
request.addEventListener("click", () => send("changes"));
reply.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    send("changes");
  }
});

// The model learns what happened in the view on its next turn (no turn is forced); hosts
// without ui/update-model-context get it as a chat message from the user instead.
function tellModel(action, text) {
  const session = `session ${sessionId}`;
  const forModel = {
    approved: `The user approved the storyboard for ${session} in the review view; the video is rendering.`,
    requested_changes: `The user asked for changes to the storyboard for ${session} in the review view: "${text}". The agent is revising it; the view shows the new storyboard when it comes.`,
    answered: `The user answered the agent's question for ${session} in the review view: "${text}".`,
    completed: `The video for ${session} is ready (video_id ${videoId}); the user sees it in the review view.`,
    failed: `The video for ${session} failed; the review view shows why.`,
  }[action];
  const asUser = {
    approved: "I approved the storyboard in the review view.",
    requested_changes: `I asked for changes in the review view: "${text}"`,
    answered: `I answered in the review view: "${text}"`,
  }[action];
  const capabilities = getHostCapabilities();
  const told = capabilities.updateModelContext
    ? updateModelContext(forModel, { session_id: sessionId, video_id: videoId ?? undefined, action, message: text })
    : capabilities.message && asUser
      ? sendMessage(asUser)
      : null;
  told?.catch(() => {});
}

// ---- following the session ----

const follower = createFollower({
  onState(state) {
    if (state.title) setText($("title"), state.title);
    sessionId ??= state.session_id ?? null;
    videoId = state.video_id ?? videoId;
    showProblem("");
    document.body.dataset.state = state.state;
    switch (state.state) {
      case "working":
        watching = true;
        showStatus(state.status, state.progress);
        break;
      case "needs_input": {
        canAnswer = state.can_answer !== false;
        const waiting = state.question ? "The agent asks a question." : "The storyboard is ready for your review.";
        showStatus(canAnswer ? waiting : `${waiting} Answer the agent in the chat.`);
        showReview({ message: state.message, frames: state.frames ?? [], question: Boolean(state.question) });
        if (storyboard.key !== answeredKey) {
          staleSince = 0;
        } else if (Date.now() - (staleSince ||= Date.now()) < STALE_LIMIT_MS) {
          // HeyGen may show the session as it was just before our message for a moment.
          showStatus("The agent is working…", null);
          follower.again();
        } else {
          showProblem("The agent has not answered the message yet.", true);
        }
        break;
      }
      case "completed":
        if (state.video) showVideo(state.video);
        if (watching) tellModel("completed");
        break;
      case "failed": {
        const reason = state.message || state.video?.failure_message || state.status;
        showFailure(`The video failed: ${reason}`);
        if (watching) tellModel("failed");
        break;
      }
      default:
        showStatus(state.status);
        showProblem(state.message || state.status, true);
    }
  },
  onError(error) {
    showProblem(`Could not check on the session: ${errorText(error)}`, false);
  },
  onPause(reason) {
    showProblem(reason === "timeout" ? "No change for an hour; stopped checking." : "Stopped checking.", true);
  },
});

$("check").addEventListener("click", () => {
  staleSince = 0;
  showProblem("");
  showStatus("Checking…", null);
  follower.follow(followArgs(), 0);
});

// ---- what the model's tool call returned ----

// The newest message from the agent (messages come newest first).
const agentMessage = (messages) => (messages ?? []).find((message) => message.role !== "user");

function showToolResult(data) {
  sessionId = data.session_id ?? null;
  videoId = data.video_id ?? data.video?.id ?? null;
  if (data.title) setText($("title"), data.title);
  if (data.state === "completed" && data.video) {
    // wait_for_video already carries the finished video with fresh links.
    showVideo(data.video);
    return;
  }
  if (data.state === "failed" || data.status === "failed") {
    const reason = data.video?.failure_message || agentMessage(data.messages)?.content || "HeyGen gave no reason";
    showFailure(`The video failed: ${reason}`);
    return;
  }
  const waiting = data.state === "needs_input" || data.status === "reviewing" || data.status === "waiting_for_input";
  const message = agentMessage(data.messages);
  if (waiting && message) {
    // The frames' links (and whether it is a question) come with the first look.
    showStatus("Loading the storyboard…", null);
    showReview({ message: message.content, frames: null, resourceIds: message.resource_ids ?? [], question: false });
  } else {
    showStatus(data.state === "stuck" || data.state === "needs_attention" ? "Checking…" : "The agent is working…", null);
  }
  // One look now gets the frames' links, or the session's state; more follow while it works.
  if (sessionId || videoId) follower.follow(followArgs(), 0);
}

on("hostcontextchanged", applyHostContext);
on("toolinput", ({ arguments: args }) => {
  if (args?.session_id) showStatus(`Looking up session ${args.session_id}…`, null);
});
on("toolresult", (result) => {
  try {
    showToolResult(structured(result));
  } catch (error) {
    showStatus("");
    showProblem(errorText(error), false);
  }
});
on("toolcancelled", ({ reason }) => {
  showStatus("");
  showProblem(reason ? `The call was cancelled: ${reason}` : "The call was cancelled.", false);
});
onTeardown(() => follower.stop());

connect({ name: "heygen-storyboard", version: "1.0.0" }).then(
  ({ hostContext }) => {
    applyHostContext(hostContext ?? {});
    showStatus("Waiting for the session…", null);
  },
  (error) => showProblem(`The host did not connect: ${errorText(error)}`, false),
);
