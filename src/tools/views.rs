//! What the tools return: trimmed views of HeyGen's answers, plus the next step in words.
//!
//! Output fields carry no doc comments on purpose: names say what they are, and every
//! description would be repeated in the model's context on each conversation.

use schemars::JsonSchema;
use serde::Serialize;

use crate::api::types::{
    Session, SessionMessage, SessionResource, SessionStatus, StyleItem, VideoDetail, VideoStatus,
};
use crate::schema::portable;

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct SessionCreated {
    pub session_id: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    pub next_step: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct SessionView {
    pub session_id: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub progress: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Newest first.
    pub messages: Vec<MessageView>,
    /// Older messages left out (at most 40 are shown).
    #[serde(skip_serializing_if = "is_zero")]
    pub messages_omitted: usize,
    pub next_step: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct MessageView {
    pub role: String,
    pub content: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct MessageSent {
    pub session_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub next_step: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct SessionStopped {
    pub session_id: String,
    pub next_step: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct ResourceView {
    pub resource_id: String,
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Why the image is not shown inline, when it was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct SessionList {
    pub sessions: Vec<SessionItem>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct SessionItem {
    pub session_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct StyleList {
    pub styles: Vec<StyleView>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct StyleView {
    pub style_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_video_url: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct VideoView {
    pub id: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captioned_video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gif_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_page_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    /// Why the thumbnail is not shown, when it was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub next_step: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct VideoList {
    /// Newest first.
    pub videos: Vec<VideoSummary>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct VideoSummary {
    pub id: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct SessionVideos {
    /// Newest first.
    pub videos: Vec<VideoView>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct VideoDeleted {
    pub id: String,
    pub deleted: bool,
}

/// What the model should do next, given a session's status.
pub fn session_next_step(status: &SessionStatus, video_id: Option<&str>) -> String {
    match (status, video_id) {
        (SessionStatus::Thinking, _) => {
            "The agent is working on the script and scenes: call wait_for_video with this session_id.".into()
        }
        (SessionStatus::WaitingForInput, _) => {
            "The agent asked a question (newest model message): relay it to the user and answer with send_video_agent_message.".into()
        }
        (SessionStatus::Reviewing, _) => {
            "A storyboard is ready: show the user the newest model message and its resource_ids (get_video_agent_resource), then send_video_agent_message to approve or ask for changes.".into()
        }
        (SessionStatus::Generating, Some(id)) => format!(
            "Rendering video {id} (5-10x the video's length): call wait_for_video with video_id {id}."
        ),
        (SessionStatus::Generating, None) => {
            "Rendering is starting: call wait_for_video with this session_id.".into()
        }
        (SessionStatus::Completed, Some(id)) => {
            format!("Done: call get_video with video_id {id} for the download links.")
        }
        (SessionStatus::Completed, None) => {
            "Done: call list_video_agent_session_videos for the session's videos.".into()
        }
        (SessionStatus::Failed, _) => {
            "The session failed (see the newest messages); fix the prompt or files and start again with create_video_agent.".into()
        }
        (SessionStatus::Other(status), _) => unknown_status_step(status),
    }
}

/// A session status this server does not know: never read as "still working". Some need
/// the user (`pending_consent`: an avatar's owner must consent in HeyGen's web app).
pub fn unknown_status_step(status: &str) -> String {
    let hint = if status.contains("consent") {
        " It usually means the chosen avatar needs its owner's consent: ask the user to approve it in HeyGen (https://app.heygen.com), then call wait_for_video again."
    } else {
        " It may need the user: ask them to check the session in HeyGen (https://app.heygen.com); call wait_for_video again to keep following it."
    };
    format!("HeyGen reports status {status:?}, which this server does not know.{hint}")
}

/// What the model should do next, given a video's status.
pub fn video_next_step(video: &VideoDetail) -> String {
    match &video.status {
        VideoStatus::Pending | VideoStatus::Processing => format!(
            "Still rendering (5-10x the video's length): call wait_for_video with video_id {}.",
            video.id
        ),
        VideoStatus::Completed => {
            "Ready. video_url (and the captioned cut and subtitles) are temporary signed links: share or download them soon; call get_video again for fresh links.".into()
        }
        VideoStatus::Failed => failure_step(video),
        VideoStatus::Other(status) => format!(
            "HeyGen reports video status {status:?}, which this server does not know: call wait_for_video with video_id {} to keep following it.",
            video.id
        ),
    }
}

/// Why a render failed, in HeyGen's words when it gave any, and what usually helps.
pub fn failure_step(video: &VideoDetail) -> String {
    let reason = [&video.failure_message, &video.failure_code]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty());
    match reason {
        Some(reason) => {
            let reason = reason.trim_end_matches('.');
            let lead = if reason.to_ascii_lowercase().starts_with("rendering failed") {
                String::new()
            } else {
                "Rendering failed: ".into()
            };
            format!("{lead}{reason}. Tell the user, adjust the request, and start again with create_video_agent.")
        }
        None => "Rendering failed and HeyGen gave no reason. What usually helps: start again with create_video_agent (the same prompt often succeeds another time), with a shorter prompt if it is long (failures have been seen above about 2,500 characters).".into(),
    }
}

/// At most this many messages are shown, newest first (HeyGen documents up to 40).
pub const MAX_MESSAGES: usize = 40;

/// A message longer than this is cut, saying so.
pub const MAX_MESSAGE_CHARS: usize = 4000;

impl SessionView {
    pub fn from_session(session: Session) -> Self {
        let next_step = session_next_step(&session.status, session.video_id.as_deref());
        let omitted = session.messages.len().saturating_sub(MAX_MESSAGES);
        Self {
            session_id: session.session_id,
            status: session.status.to_string(),
            title: session.title.filter(|t| !t.trim().is_empty()),
            progress: session.progress.unwrap_or(0.0),
            video_id: session.video_id,
            created_at: session.created_at,
            messages: session
                .messages
                .into_iter()
                .take(MAX_MESSAGES)
                .map(MessageView::from)
                .collect(),
            messages_omitted: omitted,
            next_step,
        }
    }
}

impl From<SessionMessage> for MessageView {
    fn from(m: SessionMessage) -> Self {
        Self {
            role: if m.role.is_empty() {
                "unknown".into()
            } else {
                m.role
            },
            content: cut(m.content, MAX_MESSAGE_CHARS),
            kind: m.kind,
            resource_ids: m.resource_ids,
            created_at: m.created_at,
        }
    }
}

/// `text` cut to `max` characters, saying how much was left out.
pub fn cut(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some((end, _)) => {
            let left = text[end..].chars().count();
            format!("{} … [cut: {left} more characters]", &text[..end])
        }
    }
}

impl From<SessionResource> for ResourceView {
    fn from(r: SessionResource) -> Self {
        Self {
            resource_id: r.resource_id,
            resource_type: r.resource_type,
            source_type: r.source_type,
            url: r.url,
            thumbnail_url: r.thumbnail_url,
            preview_url: r.preview_url,
            created_at: r.created_at,
            metadata: r.metadata,
            note: None,
        }
    }
}

impl From<StyleItem> for StyleView {
    fn from(s: StyleItem) -> Self {
        Self {
            style_id: s.style_id,
            name: s.name,
            tags: s.tags.unwrap_or_default(),
            aspect_ratio: s.aspect_ratio,
            thumbnail_url: s.thumbnail_url,
            preview_video_url: s.preview_video_url,
        }
    }
}

impl From<VideoDetail> for VideoView {
    fn from(v: VideoDetail) -> Self {
        let next_step = video_next_step(&v);
        Self {
            id: v.id,
            status: v.status.to_string(),
            title: v.title,
            duration: v.duration,
            created_at: v.created_at,
            completed_at: v.completed_at,
            video_url: v.video_url,
            captioned_video_url: v.captioned_video_url,
            subtitle_url: v.subtitle_url,
            thumbnail_url: v.thumbnail_url,
            gif_url: v.gif_url,
            video_page_url: v.video_page_url,
            failure_code: v.failure_code,
            failure_message: v.failure_message,
            note: None,
            next_step,
        }
    }
}

impl From<VideoDetail> for VideoSummary {
    fn from(v: VideoDetail) -> Self {
        Self {
            id: v.id,
            status: v.status.to_string(),
            title: v.title,
            duration: v.duration,
            created_at: v.created_at,
        }
    }
}
