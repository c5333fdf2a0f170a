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
    pub progress: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Newest first.
    pub messages: Vec<MessageView>,
    pub next_step: String,
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
            "Rendering video {id}: poll get_video with video_id {id} (not the session) every 1-2 minutes; a render takes 5-10x the video's length."
        ),
        (SessionStatus::Generating, None) => {
            "Rendering is starting: call get_video_agent_session again in 30 s to get the video_id.".into()
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
        (SessionStatus::Other(status), _) => {
            format!("Status {status:?} is new to this server: call get_video_agent_session again in 30 s.")
        }
    }
}

/// What the model should do next, given a video's status.
pub fn video_next_step(video: &VideoDetail) -> String {
    match &video.status {
        VideoStatus::Pending | VideoStatus::Processing => {
            "Still rendering: call get_video again in 1-2 minutes (a render takes 5-10x the video's length).".into()
        }
        VideoStatus::Completed => {
            "Ready. video_url (and the captioned cut and subtitles) are temporary signed links: share or download them soon; call get_video again for fresh links.".into()
        }
        VideoStatus::Failed => format!(
            "Rendering failed{}. Adjust the request and create a new session with create_video_agent.",
            video.failure_message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
        ),
        VideoStatus::Other(status) => {
            format!("Status {status:?} is new to this server: call get_video again in a minute.")
        }
    }
}

impl SessionView {
    pub fn from_session(session: Session) -> Self {
        let next_step = session_next_step(&session.status, session.video_id.as_deref());
        Self {
            session_id: session.session_id,
            status: session.status.to_string(),
            progress: session.progress.unwrap_or(0.0),
            video_id: session.video_id,
            created_at: session.created_at,
            messages: session
                .messages
                .into_iter()
                .map(MessageView::from)
                .collect(),
            next_step,
        }
    }
}

impl From<SessionMessage> for MessageView {
    fn from(m: SessionMessage) -> Self {
        Self {
            role: m.role,
            content: m.content,
            kind: m.kind,
            resource_ids: m.resource_ids,
            created_at: m.created_at,
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
