//! What we send: request bodies and queries, which are also the tools' arguments.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::schema::{ID_PATTERN, portable};

/// `SessionMode`: how a Video Agent session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum SessionMode {
    Generate,
    Chat,
}

/// Video orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum Orientation {
    Landscape,
    Portrait,
}

// One file input: exactly one of a public URL, an uploaded asset, inline base64 content, or
// a local path. No doc comments on the type or its variants: they would become schema text
// the model reads in every conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(inline)]
pub enum FileInput {
    Url {
        /// Public HTTPS URL.
        #[schemars(length(min = 1, max = 4096))]
        url: String,
    },
    AssetId {
        /// From upload_asset.
        #[schemars(regex(pattern = ID_PATTERN))]
        asset_id: String,
    },
    Base64 {
        /// e.g. image/png, application/pdf.
        #[schemars(length(min = 1, max = 255))]
        media_type: String,
        /// Base64 bytes.
        #[schemars(length(min = 1))]
        data: String,
    },
    // Not HeyGen's: the tools replace it with the uploaded asset_id before sending, and
    // serializing it fails, so it can never reach the wire.
    #[serde(skip_serializing)]
    Path {
        /// Local file; the server uploads it.
        #[schemars(length(min = 1, max = 4096))]
        path: String,
    },
}

/// `CreateVideoAgentRequest`: the body of `POST /v3/video-agents`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct CreateVideoAgentRequest {
    /// What the video should be: topic, audience, length, tone. 1-10000 characters.
    #[schemars(length(min = 1, max = 10000))]
    pub prompt: String,
    /// generate (default): one shot to a finished video. chat: stops for storyboard review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "generate"))]
    pub mode: Option<SessionMode>,
    /// Avatar LOOK id (avatar_id from list_avatar_looks) to present the video; omit to let the agent choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub avatar_id: Option<String>,
    /// Voice id (list_voices) for narration; omit to let the agent choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub voice_id: Option<String>,
    /// Visual style id from list_video_agent_styles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub style_id: Option<String>,
    /// Brand kit id (logo, colours, fonts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub brand_kit_id: Option<String>,
    /// Brand glossary id (pronunciations, terms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub brand_glossary_id: Option<String>,
    /// landscape (16:9) or portrait (9:16); omit to let the agent choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<Orientation>,
    /// Up to 20 files (slides, images, footage): {type: path, path} (local; uploaded for you), {type: url, url}, {type: asset_id, asset_id} or {type: base64, media_type, data}.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 20))]
    pub files: Option<Vec<FileInput>>,
    /// HTTPS URL HeyGen calls when the video is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2048))]
    pub callback_url: Option<String>,
    /// Your id echoed back in the callback (only with callback_url).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255))]
    pub callback_id: Option<String>,
    /// true: HeyGen keeps no memory of this session for future ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = false))]
    pub incognito_mode: Option<bool>,
}

/// `SendMessageRequest`: the body of `POST /v3/video-agents/{session_id}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct SendMessageRequest {
    /// Your reply: approve the storyboard, ask for changes, or request a follow-up video. 1-10000 characters.
    #[schemars(length(min = 1, max = 10000))]
    pub message: String,
    /// Switch to this avatar LOOK id (list_avatar_looks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub avatar_id: Option<String>,
    /// Switch to this voice id (list_voices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub voice_id: Option<String>,
    /// Apply this brand kit id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub brand_kit_id: Option<String>,
    /// Up to 20 more files, as in create_video_agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 20))]
    pub files: Option<Vec<FileInput>>,
}

/// Query of `GET /v3/video-agents`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct ListSessionsQuery {
    /// Page size, 1-100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100), extend("default" = 20))]
    pub limit: Option<u32>,
    /// From next_token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
}

/// Query of `GET /v3/video-agents/styles`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct ListStylesQuery {
    /// Only styles with this tag, e.g. cinematic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 100))]
    pub tag: Option<String>,
    /// Page size, 1-100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100), extend("default" = 20))]
    pub limit: Option<u32>,
    /// From next_token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
}

/// Query of `GET /v3/videos`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct ListVideosQuery {
    /// Page size, 1-100 (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100), extend("default" = 10))]
    pub limit: Option<u32>,
    /// From next_token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
    /// Only videos in this folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub folder_id: Option<String>,
    /// Only videos whose title matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 500))]
    pub title: Option<String>,
}
