//! What the tools return: trimmed views of HeyGen's answers, plus the next step in words.
//!
//! Output fields carry no doc comments on purpose: names say what they are, and every
//! description would be repeated in the model's context on each conversation.

use schemars::JsonSchema;
use serde::Serialize;

use super::steps;
use super::toolsets::Listed;
use crate::api::types::{Session, SessionMessage, SessionResource, StyleItem, VideoDetail};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct SessionList {
    pub sessions: Vec<SessionItem>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct VideoDeleted {
    pub id: String,
    pub deleted: bool,
}

/// At most this many messages are shown, newest first (HeyGen documents up to 40).
pub const MAX_MESSAGES: usize = 40;

/// A message longer than this is cut, saying so.
pub const MAX_MESSAGE_CHARS: usize = 4000;

impl SessionView {
    pub fn new(session: Session, listed: &Listed) -> Self {
        let next_step = steps::session(listed, &session.status, session.video_id.as_deref());
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
            next_step: None,
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

impl VideoView {
    pub fn new(v: VideoDetail, listed: &Listed) -> Self {
        let next_step = steps::video(listed, &v);
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
