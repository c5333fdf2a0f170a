//! Wire types of HeyGen's v3 API, named as HeyGen names them.
//!
//! Request types are strict and double as the tools' input types: their JSON Schema (bounds,
//! enums, descriptions) is what the model sees. Optional fields are skipped when unset because
//! HeyGen rejects unknown fields and we only send what the caller chose.
//!
//! Response types are lenient: unknown fields are ignored and every enum has an `Other`
//! variant, so a status HeyGen adds tomorrow decodes instead of failing the call.

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
    /// Up to 20 reference files (slides, images, footage): {type: url|asset_id|base64|path, ...}.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 20))]
    pub files: Option<Vec<FileInput>>,
    /// HTTPS URL HeyGen calls when the video is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2048))]
    pub callback_url: Option<String>,
    /// Your id echoed back in the callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255))]
    pub callback_id: Option<String>,
    /// true: HeyGen keeps no memory of this session for future ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = false))]
    pub incognito_mode: Option<bool>,
    /// Older API: skip the review wait. Sent only if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_proceed: Option<bool>,
    /// Older API: skip agent stops. Sent only if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_agentic_stop: Option<bool>,
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
    /// Older API: skip the review wait. Sent only if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_proceed: Option<bool>,
}

/// A status string HeyGen sends, decoded without failing on values it adds later.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know yet.
            #[serde(untagged)]
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(text) => text,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum!(
    /// Session status (`GetSessionResponse.status`).
    SessionStatus {
        Thinking => "thinking",
        WaitingForInput => "waiting_for_input",
        Reviewing => "reviewing",
        Generating => "generating",
        Completed => "completed",
        Failed => "failed",
    }
);

open_enum!(
    /// `VideoStatus`.
    VideoStatus {
        Pending => "pending",
        Processing => "processing",
        Completed => "completed",
        Failed => "failed",
    }
);

/// `CreateVideoAgentResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateVideoAgentResponse {
    pub session_id: String,
    pub status: SessionStatus,
    #[serde(default)]
    pub video_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// `GetSessionResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub session_id: String,
    pub status: SessionStatus,
    #[serde(default)]
    pub progress: Option<f64>,
    #[serde(default)]
    pub video_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub messages: Vec<SessionMessage>,
}

/// `SessionMessage`. `role` and `type` stay strings: they are shown, never matched on.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionMessage {
    pub role: String,
    #[serde(default)]
    pub content: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub resource_ids: Option<Vec<String>>,
}

/// `SendMessageResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct SendMessageResponse {
    pub session_id: String,
    #[serde(default)]
    pub run_id: Option<String>,
}

/// `StopSessionResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct StopSessionResponse {
    pub session_id: String,
}

/// `SessionResource`.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionResource {
    pub resource_id: String,
    pub resource_type: String,
    #[serde(default)]
    pub source_type: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub preview_url: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `SessionListItem`.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionListItem {
    pub session_id: String,
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// `StyleItem`.
#[derive(Debug, Clone, Deserialize)]
pub struct StyleItem {
    pub style_id: String,
    pub name: String,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub preview_video_url: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub aspect_ratio: Option<String>,
}

/// `VideoDetail`. `title` is not in the published schema but HeyGen's list filter uses it, so
/// it is read when present.
#[derive(Debug, Clone, Deserialize)]
pub struct VideoDetail {
    pub id: String,
    pub status: VideoStatus,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub completed_at: Option<i64>,
    #[serde(default)]
    pub video_url: Option<String>,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub gif_url: Option<String>,
    #[serde(default)]
    pub captioned_video_url: Option<String>,
    #[serde(default)]
    pub subtitle_url: Option<String>,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub folder_id: Option<String>,
    #[serde(default)]
    pub output_language: Option<String>,
    #[serde(default)]
    pub failure_code: Option<String>,
    #[serde(default)]
    pub failure_message: Option<String>,
    #[serde(default)]
    pub video_page_url: Option<String>,
}

/// `DeleteVideoResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct DeleteVideoResponse {
    pub id: String,
    #[serde(default = "yes")]
    pub deleted: bool,
}

fn yes() -> bool {
    true
}

/// A page of a list endpoint: `{"data": [...], "has_more", "next_token"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub next_token: Option<String>,
}

/// `StandardAPIError`: the body of every HeyGen error, inside `{"error": …}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub doc_url: Option<String>,
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
    /// next_token from the previous page.
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
    /// next_token from the previous page.
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
    /// next_token from the previous page.
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

/// `UploadAssetV3Response`, and the same fields of `CompleteAssetUploadResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct UploadedAsset {
    pub asset_id: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub size_bytes: Option<u64>,
}

/// `CreateAssetUploadRequest`: starts a direct upload for files over 32 MB.
#[derive(Debug, Clone, Serialize)]
pub struct CreateAssetUploadRequest {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: u64,
}

/// `CreateAssetUploadResponse`: where and how to PUT the bytes.
#[derive(Debug, Clone, Deserialize)]
pub struct AssetUploadTicket {
    pub asset_id: String,
    pub upload_url: String,
    #[serde(default)]
    pub upload_headers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

/// Whose avatars or voices to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum Ownership {
    Public,
    Private,
}

/// `AvatarLookType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum AvatarType {
    StudioAvatar,
    DigitalTwin,
    PhotoAvatar,
}

/// Query of `GET /v3/avatars`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct ListAvatarGroupsQuery {
    /// public (HeyGen's stock avatars) or private (your own); omit for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    /// Page size, 1-50 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 50), extend("default" = 20))]
    pub limit: Option<u32>,
    /// next_token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
}

/// Query of `GET /v3/avatars/looks`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct ListAvatarLooksQuery {
    /// Only looks of this avatar group (list_avatar_groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub group_id: Option<String>,
    /// studio_avatar, digital_twin or photo_avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_type: Option<AvatarType>,
    /// public or private; omit for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    /// Page size, 1-50 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 50), extend("default" = 20))]
    pub limit: Option<u32>,
    /// next_token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
}

/// Query of `GET /v3/voices`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct ListVoicesQuery {
    /// public (default) or private (your cloned voices).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "public"))]
    pub kind: Option<Ownership>,
    /// Only voices of this engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 100))]
    pub engine: Option<String>,
    /// Only this language, e.g. English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 100))]
    pub language: Option<String>,
    /// Only this gender: female or male.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub gender: Option<String>,
    /// Page size, 1-100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100), extend("default" = 20))]
    pub limit: Option<u32>,
    /// next_token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
}

/// `AvatarGroupItem`.
#[derive(Debug, Clone, Deserialize)]
pub struct AvatarGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub preview_image_url: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub looks_count: Option<u32>,
    #[serde(default)]
    pub default_voice_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `AvatarLookItem`. Its `id` is what Video Agent takes as `avatar_id`.
#[derive(Debug, Clone, Deserialize)]
pub struct AvatarLook {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub avatar_type: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub preview_image_url: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub default_voice_id: Option<String>,
    #[serde(default)]
    pub preferred_orientation: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `AudioVoiceItem`, and the common fields of `VoiceDetailV3`.
#[derive(Debug, Clone, Deserialize)]
pub struct Voice {
    pub voice_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub preview_audio_url: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `UserInfoResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserInfo {
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub billing_type: Option<String>,
    #[serde(default)]
    pub wallet: Option<WalletInfo>,
    #[serde(default)]
    pub subscription: Option<SubscriptionInfo>,
    #[serde(default)]
    pub usage_based: Option<UsageBasedInfo>,
}

/// `WalletInfo`.
#[derive(Debug, Clone, Deserialize)]
pub struct WalletInfo {
    pub currency: String,
    #[serde(default)]
    pub remaining_balance: Option<f64>,
}

/// `SubscriptionInfo`.
#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionInfo {
    pub plan: String,
    #[serde(default)]
    pub credits: Option<SubscriptionCredits>,
}

/// `SubscriptionCredits`.
#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionCredits {
    #[serde(default)]
    pub premium_credits: Option<CreditPool>,
    #[serde(default)]
    pub add_on_credits: Option<CreditPool>,
}

/// `CreditPool`.
#[derive(Debug, Clone, Deserialize)]
pub struct CreditPool {
    #[serde(default)]
    pub remaining: Option<i64>,
    #[serde(default)]
    pub resets_at: Option<String>,
}

/// `UsageBasedInfo`.
#[derive(Debug, Clone, Deserialize)]
pub struct UsageBasedInfo {
    #[serde(default)]
    pub spending_current_usd: Option<f64>,
    #[serde(default)]
    pub spending_cap_usd: Option<f64>,
    #[serde(default)]
    pub remaining_credits: Option<f64>,
}
