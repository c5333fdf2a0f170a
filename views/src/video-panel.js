// The finished video: player with poster, duration, the captioned cut and subtitles when
// HeyGen made them, a download link and "Open in HeyGen". Used by the player view and by the
// storyboard view once the video is done. HeyGen's links are signed and expire (about an
// hour); when the video stops loading, one follow_video call fetches fresh ones.

import { callTool, openLink } from "./mcp-app.js";
import { errorText, formatDuration, formatTime, h, safeUrl, setText, structured } from "./common.js";

// Links older than this are refreshed before a download is opened with them.
const LINKS_FRESH_MS = 30 * 60_000;

export function createVideoPanel(container) {
  const video = h("video", { controls: true, playsinline: true, preload: "metadata" });
  const meta = h("p", { class: "meta video-meta" });
  const captioned = h("input", { type: "checkbox", id: "captioned" });
  const subtitles = h("input", { type: "checkbox", id: "subtitles" });
  const captionedToggle = h("label", { class: "toggle", hidden: true }, captioned, "Captions burned in");
  const subtitlesToggle = h("label", { class: "toggle", hidden: true }, subtitles, "Subtitles");
  const download = h("button", { type: "button" }, "Download ", h("span", { class: "hint" }, "(opens in your browser)"));
  const openInHeyGen = h("button", { type: "button", hidden: true }, "Open in HeyGen");
  const note = h("p", { class: "note", role: "status" });
  const retry = h("button", { type: "button", hidden: true }, "Try again");
  container.replaceChildren(
    h("div", { class: "screen" }, video),
    meta,
    h("div", { class: "controls", role: "group", "aria-label": "Video" }, captionedToggle, subtitlesToggle, download, openInHeyGen),
    h("div", { class: "problem" }, note, retry),
  );

  let current = null; // the VideoView shown
  let linksAt = 0;
  let refreshed = false; // fresh links were fetched since the last successful load
  let track = null;

  const source = () => safeUrl(captioned.checked ? current.captioned_video_url : current.video_url);

  function describe() {
    const parts = [];
    const duration = Number.isFinite(video.duration) && video.duration > 0 ? video.duration : current.duration;
    if (duration) parts.push(formatDuration(duration));
    const when = formatTime(current.completed_at ?? current.created_at);
    if (when) parts.push(when);
    setText(meta, parts.join(" · "));
  }

  function load(resumeAt = 0, play = false) {
    const url = source();
    if (!url) {
      setText(note, "HeyGen gave no link to play this video.");
      return;
    }
    video.poster = safeUrl(current.thumbnail_url) ?? "";
    video.src = url;
    if (resumeAt || play) {
      video.addEventListener(
        "loadedmetadata",
        () => {
          video.currentTime = Math.min(resumeAt, video.duration || resumeAt);
          if (play) video.play().catch(() => {});
        },
        { once: true },
      );
    }
  }

  async function freshLinks(extra = {}) {
    const state = structured(await callTool("follow_video", { video_id: current.id, ...extra }));
    if (state.video) {
      current = { ...current, ...state.video };
      linksAt = Date.now();
    }
    return state;
  }

  async function refreshAndReload() {
    const resumeAt = video.currentTime;
    const play = !video.paused;
    refreshed = true;
    retry.hidden = true;
    setText(note, "The link expired; getting a fresh one…");
    try {
      await freshLinks();
      setText(note, "");
      load(resumeAt, play);
    } catch (error) {
      setText(note, `The video did not load: ${errorText(error)}`);
      retry.hidden = false;
    }
  }

  video.addEventListener("loadedmetadata", () => {
    if (video.videoWidth && video.videoHeight) video.style.aspectRatio = `${video.videoWidth} / ${video.videoHeight}`;
    refreshed = false;
    retry.hidden = true;
    setText(note, "");
    describe();
  });
  video.addEventListener("error", () => {
    if (!refreshed) {
      refreshAndReload();
      return;
    }
    const reason = video.error?.message || "the browser could not play it";
    setText(note, `The video did not load (${reason}).`);
    retry.hidden = false;
  });
  retry.addEventListener("click", refreshAndReload);

  captioned.addEventListener("change", () => load(video.currentTime, !video.paused));

  subtitles.addEventListener("change", async () => {
    if (track) {
      track.track.mode = subtitles.checked ? "showing" : "disabled";
      return;
    }
    if (!subtitles.checked) return;
    subtitles.disabled = true;
    try {
      const state = await freshLinks({ subtitles: true });
      if (!state.subtitles_vtt) throw new Error("HeyGen has no subtitles for this video");
      track = h("track", {
        kind: "subtitles",
        label: "Subtitles",
        srclang: "und",
        src: `data:text/vtt;charset=utf-8,${encodeURIComponent(state.subtitles_vtt)}`,
      });
      video.append(track);
      track.track.mode = subtitles.checked ? "showing" : "disabled";
    } catch (error) {
      subtitles.checked = false;
      setText(note, `Subtitles are not available: ${errorText(error)}`);
    } finally {
      subtitles.disabled = false;
    }
  });

  async function open(url) {
    try {
      await openLink(url);
    } catch (error) {
      setText(note, `The link did not open: ${errorText(error)}`);
    }
  }
  download.addEventListener("click", async () => {
    if (Date.now() - linksAt > LINKS_FRESH_MS) {
      try {
        await freshLinks();
      } catch (error) {
        setText(note, `Could not get a fresh link: ${errorText(error)}`);
        return;
      }
    }
    const url = source();
    if (url) open(url);
  });
  openInHeyGen.addEventListener("click", () => {
    const url = safeUrl(current.video_page_url);
    if (url) open(url);
  });

  return {
    /** Shows a completed VideoView. */
    show(view) {
      const same = current?.id === view.id;
      current = view;
      linksAt = Date.now();
      video.setAttribute("aria-label", view.title || "HeyGen video");
      captionedToggle.hidden = !safeUrl(view.captioned_video_url);
      if (captionedToggle.hidden) captioned.checked = false;
      subtitlesToggle.hidden = !view.subtitle_url;
      openInHeyGen.hidden = !safeUrl(view.video_page_url);
      download.hidden = !safeUrl(view.video_url);
      setText(note, "");
      describe();
      if (!same || !video.currentSrc) load();
    },
    get video() {
      return video;
    },
  };
}
