//! Views the host shows inline (MCP Apps, `io.modelcontextprotocol/ui`): a video player and a
//! storyboard review, each one HTML document embedded in the binary (built from `views/`).
//!
//! Only a client that declares the extension (with the `text/html;profile=mcp-app` MIME type)
//! sees any of it: the tools' `_meta.ui` links, `show_video`, and the app-only `follow_video`
//! the views poll so no model turn is spent on waiting. Every result keeps its full text and
//! structured content; a view is an addition, never the only way.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{
    ClientCapabilities, MetaObject, ReadResourceResult, Resource, ResourceContents, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::HeyGenServer;
use super::args::VideoRef;
use super::error::{Op, ToolError};
use super::views::VideoView;
use super::wait::WaitOutcome;
use crate::api::ApiError;
use crate::schema::{ID_PATTERN, portable, strict_input};

/// The extension a client declares to get views.
pub const EXTENSION: &str = "io.modelcontextprotocol/ui";
/// The MIME type of a view.
pub const MIME: &str = "text/html;profile=mcp-app";

pub const PLAYER: &str = "ui://heygen/player.html";
pub const STORYBOARD: &str = "ui://heygen/storyboard.html";

const PLAYER_HTML: &str = include_str!("../ui/player.html");
const STORYBOARD_HTML: &str = include_str!("../ui/storyboard.html");

/// The tools whose results a view shows, and which view.
const LINKED: &[(&str, &str)] = &[
    ("show_video", PLAYER),
    ("get_video", PLAYER),
    ("get_video_agent_session", STORYBOARD),
    ("wait_for_video", STORYBOARD),
];

/// Tools only views call.
const APP_ONLY: &[&str] = &["follow_video"];

/// Whether a client with these capabilities renders views.
pub fn takes_ui(capabilities: Option<&ClientCapabilities>) -> bool {
    capabilities
        .and_then(|c| c.extensions.clone())
        .and_then(|extensions| extensions.get(EXTENSION).cloned())
        .and_then(|ui| ui.get("mimeTypes").cloned())
        .and_then(|types| types.as_array().cloned())
        .is_some_and(|types| types.iter().any(|t| t == MIME))
}

/// The tools of a view for a UI client: the views' own tools added when a tool they serve
/// is listed, and `_meta.ui` on every tool a view shows.
pub fn with_ui(mut tools: Vec<Tool>, all: &[Tool]) -> Vec<Tool> {
    let listed = |name: &str| tools.iter().any(|t| t.name == name);
    let mut extra = Vec::new();
    if listed("get_video") {
        extra.push("show_video");
    }
    if LINKED.iter().any(|(name, _)| listed(name)) {
        extra.push("follow_video");
    }
    for name in extra {
        if let Some(tool) = all.iter().find(|t| t.name == name) {
            tools.push(tool.clone());
        }
    }
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    for tool in &mut tools {
        let mut meta = tool.meta.take().unwrap_or_default();
        if let Some((_, uri)) = LINKED.iter().find(|(name, _)| tool.name == *name) {
            meta.0.insert("ui".into(), json!({"resourceUri": uri}));
            // The flat key older hosts read (the ext-apps SDK writes both).
            meta.0.insert("ui/resourceUri".into(), json!(uri));
        }
        if APP_ONLY.contains(&tool.name.as_ref()) {
            meta.0.insert("ui".into(), json!({"visibility": ["app"]}));
        }
        tool.meta = (!meta.0.is_empty()).then_some(meta);
    }
    tools
}

/// The views as resources/list shows them.
pub fn resources() -> Vec<Resource> {
    [
        (PLAYER, "player", "Video player", "The finished video with poster, captions and subtitles; status and progress while it renders."),
        (STORYBOARD, "storyboard", "Storyboard review", "The agent's storyboard frames, with Approve and render, and Request changes."),
    ]
    .into_iter()
    .map(|(uri, name, title, description)| {
        let mut resource = Resource::new(uri, name)
            .with_title(title)
            .with_description(description);
        resource.mime_type = Some(MIME.into());
        resource
    })
    .collect()
}

/// A view's document, with the Content-Security-Policy that lets in exactly `media_origins`.
pub fn read(uri: &str, media_origins: &[String]) -> Option<ReadResourceResult> {
    let html = match uri {
        PLAYER => PLAYER_HTML,
        STORYBOARD => STORYBOARD_HTML,
        _ => return None,
    };
    let mut meta = MetaObject::default();
    meta.0.insert(
        "ui".into(),
        json!({"csp": {"resourceDomains": media_origins}, "prefersBorder": true}),
    );
    Some(ReadResourceResult::new(vec![
        ResourceContents::TextResourceContents {
            uri: uri.into(),
            mime_type: Some(MIME.into()),
            text: html.into(),
            meta: Some(meta),
        },
    ]))
}

/// Where a view may load media from: HeyGen's file hosts, or the sandbox's own origin.
pub fn media_origins(api_base: &url::Url, sandbox: bool, extra: &[String]) -> Vec<String> {
    let mut origins = if sandbox {
        vec![api_base.origin().ascii_serialization()]
    } else {
        vec![
            "https://*.heygen.ai".to_owned(),
            "https://*.heygen.com".to_owned(),
        ]
    };
    origins.extend(extra.iter().cloned());
    origins
}

/// The operation a failed look reports as (also a task's).
pub(super) const FOLLOW: Op = Op::new(
    "follow the video",
    "list_video_agent_sessions (for a session_id) or list_videos (for a video_id)",
);
const SHOW: Op = Op::new("show video", "list_videos");

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct FollowArgs {
    /// Session id to follow.
    #[serde(default)]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub session_id: Option<String>,
    /// Video id to follow.
    #[serde(default)]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub video_id: Option<String>,
    /// Also return the subtitles as WebVTT (default false).
    #[serde(default)]
    pub subtitles: Option<bool>,
}

/// What a view shows, from one look at HeyGen.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct ViewState {
    /// working, needs_input, completed, failed, needs_attention or stuck.
    pub state: String,
    pub status: String,
    pub progress: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// The agent asked a question rather than showing a storyboard.
    pub question: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub frames: Vec<Frame>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitles_vtt: Option<String>,
    /// Whether this client may answer the agent (send_video_agent_message is listed).
    pub can_answer: bool,
    pub next_step: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct Frame {
    pub resource_id: String,
    pub url: String,
}

/// Subtitle files larger than this are not turned into a track.
const MAX_SUBTITLE_BYTES: usize = 512 * 1024;

#[tool_router(router = ui_tools, vis = "pub(super)")]
impl HeyGenServer {
    /// Show a video inline in the chat: a player with poster, duration, captions and subtitles, or its progress while it renders. Give video_id.
    #[tool(
        title = "Show video",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn show_video(
        &self,
        Parameters(VideoRef { video_id }): Parameters<VideoRef>,
    ) -> Result<Json<VideoView>, ToolError> {
        let video = self
            .client
            .get_video(&video_id)
            .await
            .map_err(|e| self.fail(SHOW, Some(&video_id), e))?;
        Ok(Json(VideoView::new(video, self.listed())))
    }

    /// For the views: one look at a session or video (status, storyboard frames, fresh links).
    #[tool(
        title = "Follow video (views)",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn follow_video(
        &self,
        Parameters(args): Parameters<FollowArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<ViewState>, ToolError> {
        let subject = args.video_id.clone().or_else(|| args.session_id.clone());
        let fail = |e| self.fail(FOLLOW, subject.as_deref(), e);
        if args.session_id.is_none() && args.video_id.is_none() {
            return Err(fail(ApiError::InvalidInput(
                "give session_id or video_id".into(),
            )));
        }
        let look = self
            .look(&ctx, args.session_id.clone(), args.video_id.clone())
            .await
            .map_err(fail)?;
        let mut view = self.view_state(look.outcome, look.status).await;
        if args.subtitles == Some(true)
            && let Some(url) = view.video.as_ref().and_then(|v| v.subtitle_url.clone())
        {
            view.subtitles_vtt = self.subtitles_vtt(&url).await;
        }
        Ok(Json(view))
    }
}

impl HeyGenServer {
    async fn view_state(&self, outcome: WaitOutcome, status: String) -> ViewState {
        let state = match outcome.state.as_str() {
            "still_running" => "working".to_owned(),
            other => other.to_owned(),
        };
        let newest = outcome.messages.first();
        let mut frames = Vec::new();
        if let (Some(session_id), Some(ids)) = (
            &outcome.session_id,
            newest.and_then(|m| m.resource_ids.clone()),
        ) && outcome.state == "needs_input"
        {
            for id in ids.iter().take(24) {
                if let Ok(resource) = self.client.get_video_agent_resource(session_id, id).await
                    && let Some(url) = resource.url.or(resource.thumbnail_url)
                {
                    frames.push(Frame {
                        resource_id: id.clone(),
                        url,
                    });
                }
            }
        }
        ViewState {
            status: status.clone(),
            progress: outcome.progress,
            title: outcome.title.clone(),
            session_id: outcome.session_id.clone(),
            video_id: outcome.video_id.clone(),
            question: outcome.session_status.as_deref() == Some("waiting_for_input"),
            message: (outcome.state == "needs_input")
                .then(|| newest.map(|m| m.content.clone()))
                .flatten(),
            frames,
            video: outcome.video,
            subtitles_vtt: None,
            can_answer: self.listed().has("send_video_agent_message"),
            next_step: outcome.next_step,
            state,
        }
    }

    /// The video's SRT subtitles as WebVTT, for a `<track>`.
    async fn subtitles_vtt(&self, url: &str) -> Option<String> {
        let mut response = self.client.fetch_media(url).await.ok()?;
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.ok()? {
            if bytes.len() + chunk.len() > MAX_SUBTITLE_BYTES {
                return None;
            }
            bytes.extend_from_slice(&chunk);
        }
        Some(srt_to_vtt(&String::from_utf8_lossy(&bytes)))
    }
}

/// SRT to WebVTT: a header, `.` instead of `,` in the timings' milliseconds, and cue text
/// escaped.
pub fn srt_to_vtt(srt: &str) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for line in srt.trim_start_matches('\u{feff}').lines() {
        let timing =
            line.contains("-->") && line.trim_start().starts_with(|c: char| c.is_ascii_digit());
        if timing {
            out.push_str(&line.replace(',', "."));
        } else {
            // Cue text is markup in WebVTT (<b>, <c>, &amp;): HeyGen's words are shown as
            // written, never as tags.
            out.push_str(
                &line
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;"),
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtitles_become_webvtt() {
        let vtt = srt_to_vtt("1\n00:00:00,000 --> 00:00:02,500\nHello, world\n");
        assert_eq!(
            vtt,
            "WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\nHello, world\n"
        );
        let marked =
            srt_to_vtt("1\n00:00:00,000 --> 00:00:01,000\n<b id=\"x\">otters</b> & seals -> sea\n");
        assert!(
            marked.ends_with("&lt;b id=\"x\"&gt;otters&lt;/b&gt; &amp; seals -&gt; sea\n"),
            "{marked}"
        );
    }
}
