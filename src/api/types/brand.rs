//! Brand kits and glossaries, and a video's scenes: the queries we send and what we read.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::lenient;
use crate::schema::portable;

/// Query of `GET /v3/brand-kits`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct ListBrandKitsQuery {
    /// Page size, 1-100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// From next_token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
}

/// Query of `GET /v3/brand-glossaries`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = portable)]
pub struct ListBrandGlossariesQuery {
    /// Page size, 1-100 (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// From next_token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub token: Option<String>,
}

/// `BrandKitItem`.
#[derive(Debug, Clone, Deserialize)]
pub struct BrandKitItem {
    pub brand_kit_id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub logo_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub colors: Vec<String>,
}

/// `BrandKitDetail`: the parts a choice needs; roles are kept as HeyGen sends them.
#[derive(Debug, Clone, Deserialize)]
pub struct BrandKitDetail {
    pub brand_kit_id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub colors: Vec<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub color_roles: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub logos: Vec<BrandKitLogo>,
    #[serde(default)]
    pub fonts: Vec<BrandKitFont>,
}

/// `BrandKitLogo`.
#[derive(Debug, Clone, Deserialize)]
pub struct BrandKitLogo {
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub url: Option<String>,
}

/// `BrandKitFont`.
#[derive(Debug, Clone, Deserialize)]
pub struct BrandKitFont {
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
}

/// `BrandGlossaryItem`.
#[derive(Debug, Clone, Deserialize)]
pub struct BrandGlossaryItem {
    pub brand_glossary_id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub updated_at: Option<String>,
}

/// `VideoScenesResponse`: scenes are an open set of shapes (HeyGen adds element types), so
/// each is read as JSON and trimmed by the tool.
#[derive(Debug, Clone, Deserialize)]
pub struct VideoScenes {
    #[serde(default, deserialize_with = "lenient::text")]
    pub video_id: String,
    #[serde(default, deserialize_with = "lenient::object")]
    pub video: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub scenes: Vec<serde_json::Value>,
}
