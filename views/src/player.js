// Player view (ui://heygen/player.html), for show_video and get_video: the finished video,
// or, while it renders, its status and progress, looked up by the view itself through the
// app-only follow_video tool (no model turns) until it is done.

import { connect, getHostCapabilities, on, onTeardown, updateModelContext } from "./mcp-app.js";
import { $, applyHostContext, createFollower, errorText, setText, showProblem, showStatus, structured } from "./common.js";
import { createVideoPanel } from "./video-panel.js";

const panel = createVideoPanel($("player"));
let videoId = null;
let watched = false; // the view saw the video before it was done

function showVideo(video) {
  setText($("title"), video.title || "HeyGen video");
  switch (video.status) {
    case "completed":
      showStatus("");
      showProblem("");
      $("player").hidden = false;
      panel.show(video);
      if (watched) tellModel(`The video ${video.id} finished rendering; the user can watch it in the player view.`);
      break;
    case "failed": {
      const reason = video.failure_message || video.failure_code || "HeyGen gave no reason";
      showStatus("");
      showProblem(`The video failed: ${reason}`, false);
      break;
    }
    default:
      watched = true;
      showStatus(video.status === "pending" ? "Waiting to render…" : "Rendering…", null);
      follower.follow({ video_id: video.id });
  }
}

function tellModel(text) {
  if (getHostCapabilities().updateModelContext) updateModelContext(text, { video_id: videoId }).catch(() => {});
}

const follower = createFollower({
  onState(state) {
    if (state.title) setText($("title"), state.title);
    showProblem("");
    if (state.video && (state.state === "completed" || state.state === "failed")) {
      showVideo(state.video);
    } else if (state.state === "working") {
      showStatus(state.status, state.progress);
    } else {
      showStatus(state.status);
      showProblem(state.message || state.status, true);
    }
  },
  onError(error) {
    showProblem(`Could not check on the video: ${errorText(error)}`, false);
  },
  onPause(reason) {
    const text = reason === "timeout" ? "Still rendering after an hour; stopped checking." : "Stopped checking on the video.";
    showProblem(text, true);
  },
});

$("check").addEventListener("click", () => {
  $("check").hidden = true;
  showStatus("Checking…");
  if (videoId) follower.follow({ video_id: videoId }, 0);
});

on("hostcontextchanged", applyHostContext);
on("toolinput", ({ arguments: args }) => {
  if (args?.video_id) showStatus(`Looking up video ${args.video_id}…`);
});
on("toolresult", (result) => {
  try {
    const video = structured(result);
    videoId = video.id;
    showVideo(video);
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

connect({ name: "heygen-player", version: "1.0.0" }).then(
  ({ hostContext }) => {
    applyHostContext(hostContext ?? {});
    showStatus("Waiting for the video…");
  },
  (error) => showProblem(`The host did not connect: ${errorText(error)}`, false),
);
