//! Brand tools: the brand kits and glossaries whose ids create_video_agent takes.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::HeyGenServer;
use super::error::{Op, ToolError};
use super::steps;
use crate::api::types::{
    BrandGlossaryItem, BrandKitDetail, BrandKitItem, ListBrandGlossariesQuery, ListBrandKitsQuery,
};
use crate::schema::{ID_PATTERN, portable, strict_input};

const LIST_KITS: Op = Op::new("list brand kits", "list_brand_kits without a token");
const GET_KIT: Op = Op::new("get brand kit", "list_brand_kits");
const LIST_GLOSSARIES: Op = Op::new(
    "list brand glossaries",
    "list_brand_glossaries without a token",
);

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct BrandKitRef {
    /// Brand kit id from list_brand_kits.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub brand_kit_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct BrandKitView {
    pub brand_kit_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub colors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color_roles: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logos: Vec<LogoView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fonts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct LogoView {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct BrandKitList {
    pub brand_kits: Vec<BrandKitView>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct GlossaryView {
    pub brand_glossary_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct GlossaryList {
    pub glossaries: Vec<GlossaryView>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[tool_router(router = brand_tools, vis = "pub(super)")]
impl HeyGenServer {
    /// List the account's brand kits (name, colours, logo): a brand_kit_id gives a video the brand's logo, colours and fonts.
    #[tool(
        title = "List brand kits",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_brand_kits(
        &self,
        Parameters(query): Parameters<ListBrandKitsQuery>,
    ) -> Result<Json<BrandKitList>, ToolError> {
        let page = self
            .client
            .list_brand_kits(&query)
            .await
            .map_err(|e| self.fail(LIST_KITS, None, e))?;
        let pointers = [(
            "create_video_agent",
            "Pass a brand_kit_id to create_video_agent (get_brand_kit shows its logos and fonts).",
        )];
        Ok(Json(BrandKitList {
            next_step: steps::list(self.listed(), page.has_more, &pointers),
            brand_kits: page.data.into_iter().map(BrandKitView::from).collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }

    /// Get one brand kit: status, colours and their roles, logos, fonts.
    #[tool(
        title = "Get brand kit",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_brand_kit(
        &self,
        Parameters(BrandKitRef { brand_kit_id }): Parameters<BrandKitRef>,
    ) -> Result<Json<BrandKitView>, ToolError> {
        let kit = self
            .client
            .get_brand_kit(&brand_kit_id)
            .await
            .map_err(|e| self.fail(GET_KIT, Some(&brand_kit_id), e))?;
        let mut view = BrandKitView::from(kit);
        view.next_step = self.listed().has("create_video_agent").then(|| {
            match view.status.as_deref() {
                Some("loading") => "This kit is still being assembled from a website: its colours and logos may change; it can be used as it is.".to_owned(),
                _ => "Pass brand_kit_id to create_video_agent (or send_video_agent_message) to apply it.".to_owned(),
            }
        });
        Ok(Json(view))
    }

    /// List the account's brand glossaries (pronunciations and translation rules): a brand_glossary_id makes the narration say brand terms right.
    #[tool(
        title = "List brand glossaries",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_brand_glossaries(
        &self,
        Parameters(query): Parameters<ListBrandGlossariesQuery>,
    ) -> Result<Json<GlossaryList>, ToolError> {
        let page = self
            .client
            .list_brand_glossaries(&query)
            .await
            .map_err(|e| self.fail(LIST_GLOSSARIES, None, e))?;
        let pointers = [(
            "create_video_agent",
            "Pass a brand_glossary_id to create_video_agent.",
        )];
        Ok(Json(GlossaryList {
            next_step: steps::list(self.listed(), page.has_more, &pointers),
            glossaries: page.data.into_iter().map(GlossaryView::from).collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }
}

impl From<BrandKitItem> for BrandKitView {
    fn from(k: BrandKitItem) -> Self {
        Self {
            brand_kit_id: k.brand_kit_id,
            name: k.name,
            status: None,
            colors: k.colors,
            color_roles: None,
            logo_url: k.logo_url,
            logos: Vec::new(),
            fonts: Vec::new(),
            next_step: None,
        }
    }
}

impl From<BrandKitDetail> for BrandKitView {
    fn from(k: BrandKitDetail) -> Self {
        Self {
            brand_kit_id: k.brand_kit_id,
            name: k.name,
            status: k.status,
            colors: k.colors,
            color_roles: k.color_roles,
            logo_url: None,
            logos: k
                .logos
                .into_iter()
                .map(|l| LogoView {
                    name: l.name,
                    url: l.url,
                })
                .collect(),
            fonts: k.fonts.into_iter().map(|f| f.name).collect(),
            next_step: None,
        }
    }
}

impl From<BrandGlossaryItem> for GlossaryView {
    fn from(g: BrandGlossaryItem) -> Self {
        Self {
            brand_glossary_id: g.brand_glossary_id,
            name: g.name,
            updated_at: g.updated_at,
        }
    }
}
