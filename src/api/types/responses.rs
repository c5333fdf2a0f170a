//! What HeyGen answers for sessions, videos, lists, errors and uploads.

use serde::{Deserialize, Serialize};

use super::lenient;

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

/// `CreateVideoAgentResponse`. Only `session_id` must be readable: HeyGen accepted the
/// create, so nothing else may make it look failed.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateVideoAgentResponse {
    pub session_id: String,
    #[serde(default = "unknown_status", deserialize_with = "session_status")]
    pub status: SessionStatus,
    #[serde(default, deserialize_with = "lenient::string")]
    pub video_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created_at: Option<i64>,
}

fn unknown_status() -> SessionStatus {
    SessionStatus::Other("unknown".into())
}

/// A session status; a value that is not even a string reads as `unknown`.
fn session_status<'de, D: serde::Deserializer<'de>>(de: D) -> Result<SessionStatus, D::Error> {
    Ok(lenient::string(de)?
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s))
                .unwrap_or_else(|_| unknown_status())
        })
        .unwrap_or_else(unknown_status))
}

/// `GetSessionResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub session_id: String,
    pub status: SessionStatus,
    #[serde(default, deserialize_with = "lenient::number")]
    pub progress: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub video_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "messages")]
    pub messages: Vec<SessionMessage>,
}

/// Messages that can be read; one odd message does not hide the others.
fn messages<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<SessionMessage>, D::Error> {
    Ok(match serde_json::Value::deserialize(de)? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|m| serde_json::from_value(m).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// `SessionMessage`. `role` and `type` stay strings: they are shown, never matched on.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionMessage {
    #[serde(default, deserialize_with = "lenient::text")]
    pub role: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub content: String,
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::strings")]
    pub resource_ids: Option<Vec<String>>,
}

/// `SendMessageResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct SendMessageResponse {
    #[serde(default, deserialize_with = "lenient::text")]
    pub session_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub run_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
}

/// `StopSessionResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct StopSessionResponse {
    #[serde(default, deserialize_with = "lenient::text")]
    pub session_id: String,
}

/// `SessionResource`.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionResource {
    pub resource_id: String,
    pub resource_type: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub source_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub preview_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `SessionListItem`.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionListItem {
    pub session_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created_at: Option<i64>,
}

/// `StyleItem`.
#[derive(Debug, Clone, Deserialize)]
pub struct StyleItem {
    pub style_id: String,
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub preview_video_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub aspect_ratio: Option<String>,
}

/// `VideoDetail`. `title` is not in the published schema but HeyGen's list filter uses it, so
/// it is read when present. Everything but `status` is read leniently.
#[derive(Debug, Clone, Deserialize)]
pub struct VideoDetail {
    /// Missing in some answers although the caller gave it; the client fills it in.
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: String,
    pub status: VideoStatus,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    pub completed_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub video_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub gif_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub captioned_video_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub subtitle_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub duration: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub folder_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub output_language: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub failure_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub failure_message: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
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
