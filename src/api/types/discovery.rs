//! Avatars, voices and the account: the queries we send and the answers we read.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::lenient;
use crate::schema::{ID_PATTERN, portable};

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
    /// From next_token.
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
    /// From next_token.
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
    /// From next_token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
}

/// `AvatarGroupItem`.
#[derive(Debug, Clone, Deserialize)]
pub struct AvatarGroup {
    pub id: String,
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub preview_image_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub gender: Option<String>,
    #[serde(default)]
    pub looks_count: Option<u32>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub default_voice_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
}

/// `AvatarLookItem`. Its `id` is what Video Agent takes as `avatar_id`.
#[derive(Debug, Clone, Deserialize)]
pub struct AvatarLook {
    pub id: String,
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub avatar_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub group_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub preview_image_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub default_voice_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub preferred_orientation: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
}

/// `AudioVoiceItem`, and the common fields of `VoiceDetailV3`.
#[derive(Debug, Clone, Deserialize)]
pub struct Voice {
    pub voice_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub language: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub preview_audio_url: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
}

/// `UserInfoResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserInfo {
    pub username: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
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
    #[serde(default, deserialize_with = "lenient::text")]
    pub currency: String,
    #[serde(default, deserialize_with = "lenient::number")]
    pub remaining_balance: Option<f64>,
}

/// `SubscriptionInfo`.
#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionInfo {
    #[serde(default, deserialize_with = "lenient::text")]
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
    #[serde(default, deserialize_with = "lenient::integer")]
    pub remaining: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub resets_at: Option<String>,
}

/// `UsageBasedInfo`.
#[derive(Debug, Clone, Deserialize)]
pub struct UsageBasedInfo {
    #[serde(default, deserialize_with = "lenient::number")]
    pub spending_current_usd: Option<f64>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub spending_cap_usd: Option<f64>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub remaining_credits: Option<f64>,
}
