//! Tool arguments that the request bodies don't carry: ids that go into the URL path.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::api::types::SendMessageRequest;
use crate::schema::{ID_PATTERN, strict_input};

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct SessionRef {
    /// Session id from create_video_agent or list_video_agent_sessions.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub session_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct ResourceRef {
    /// Session id the resource belongs to.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub session_id: String,
    /// Resource id from a session message's resource_ids.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub resource_id: String,
    /// Also return the image itself, to show the user (default true).
    #[serde(default)]
    #[schemars(extend("default" = true))]
    pub include_image: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct VideoRef {
    /// Video id from a session (video_id) or list_videos.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub video_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct GetVideoArgs {
    /// Video id from a session (video_id) or list_videos.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub video_id: String,
    /// Also return the thumbnail image (default false).
    #[serde(default)]
    #[schemars(extend("default" = false))]
    pub include_thumbnail: Option<bool>,
}

/// The session id in the path plus the `SendMessageRequest` body.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct SendMessageArgs {
    /// Chat-mode session id from create_video_agent.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub session_id: String,
    #[serde(flatten)]
    pub request: SendMessageRequest,
}
