//! What HeyGen answers for sessions, videos, lists, errors and uploads.

use serde::{Deserialize, Serialize};

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
