//! Discovery tools: find the avatar look, voice and budget before creating a video.
//!
//! Catalogues are long, so each item is trimmed to what a choice needs: id, name, gender,
//! language, a preview link, the look's default voice and orientation.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

mod views;

pub use views::{AccountView, GroupList, GroupView, LookList, LookView, VoiceList, VoiceView};

use super::HeyGenServer;
use super::error::{Op, ToolError};
use super::steps;
use crate::api::types::{ListAvatarGroupsQuery, ListAvatarLooksQuery, ListVoicesQuery};
use crate::schema::{ID_PATTERN, strict_input};

const LIST_GROUPS: Op = Op::new("list avatar groups", "list_avatar_groups without a token");
const GET_GROUP: Op = Op::new("get avatar group", "list_avatar_groups");
const LIST_LOOKS: Op = Op::new("list avatar looks", "list_avatar_looks without a token");
const GET_LOOK: Op = Op::new("get avatar look", "list_avatar_looks");
const LIST_VOICES: Op = Op::new("list voices", "list_voices without a token");
const GET_VOICE: Op = Op::new("get voice", "list_voices");
const ACCOUNT: Op = Op::new("get the account", "get_current_user");

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct GroupRef {
    /// Avatar group id from list_avatar_groups.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub group_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct LookRef {
    /// Look id (the avatar_id Video Agent takes) from list_avatar_looks.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub look_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct VoiceRef {
    /// Voice id from list_voices.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub voice_id: String,
}

/// No arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct NoArgs {}

#[tool_router(router = discovery_tools, vis = "pub(super)")]
impl HeyGenServer {
    /// List avatar groups (a person; each has looks), public or private. create_video_agent's avatar_id is a LOOK id: use list_avatar_looks with a group_id.
    #[tool(
        title = "List avatar groups",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_avatar_groups(
        &self,
        Parameters(query): Parameters<ListAvatarGroupsQuery>,
    ) -> Result<Json<GroupList>, ToolError> {
        let page = self
            .client
            .list_avatar_groups(&query)
            .await
            .map_err(|e| self.fail(LIST_GROUPS, None, e))?;
        let pointers = [(
            "list_avatar_looks",
            "list_avatar_looks with a group_id gives its looks: their avatar_id is what a video takes.",
        )];
        Ok(Json(GroupList {
            next_step: steps::list(self.listed(), page.has_more, &pointers),
            groups: page.data.into_iter().map(GroupView::from).collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }

    /// Get one avatar group: name, gender, number of looks, default voice. Its looks (the avatar_ids) come from list_avatar_looks with this group_id.
    #[tool(
        title = "Get avatar group",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_avatar_group(
        &self,
        Parameters(GroupRef { group_id }): Parameters<GroupRef>,
    ) -> Result<Json<GroupView>, ToolError> {
        let group = self
            .client
            .get_avatar_group(&group_id)
            .await
            .map_err(|e| self.fail(GET_GROUP, Some(&group_id), e))?;
        let mut view = GroupView::from(group);
        view.next_step = self.listed().has("list_avatar_looks").then(|| {
            format!("list_avatar_looks with group_id {} gives its looks (each look's avatar_id is what a video takes).", view.group_id)
        });
        Ok(Json(view))
    }

    /// List avatar looks (an avatar in one outfit), by group_id, avatar_type or ownership. A look's avatar_id is what create_video_agent takes; pinning one makes renders more reliable.
    #[tool(
        title = "List avatar looks",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_avatar_looks(
        &self,
        Parameters(query): Parameters<ListAvatarLooksQuery>,
    ) -> Result<Json<LookList>, ToolError> {
        let page = self
            .client
            .list_avatar_looks(&query)
            .await
            .map_err(|e| self.fail(LIST_LOOKS, None, e))?;
        let pointers = [(
            "create_video_agent",
            "Pass an avatar_id to create_video_agent, with its default_voice_id as voice_id (or one from list_voices).",
        )];
        let empty = page.data.is_empty();
        Ok(Json(LookList {
            next_step: steps::list(self.listed(), page.has_more, &pointers)
                .or_else(|| empty.then(|| NOTHING_MATCHED.to_owned())),
            looks: page.data.into_iter().map(LookView::from).collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }

    /// Get one avatar look by its id (the avatar_id for create_video_agent): name, tags, gender, default voice, preferred orientation, preview image.
    #[tool(
        title = "Get avatar look",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_avatar_look(
        &self,
        Parameters(LookRef { look_id }): Parameters<LookRef>,
    ) -> Result<Json<LookView>, ToolError> {
        let look = self
            .client
            .get_avatar_look(&look_id)
            .await
            .map_err(|e| self.fail(GET_LOOK, Some(&look_id), e))?;
        let mut view = LookView::from(look);
        view.next_step = self.listed().has("create_video_agent").then(|| {
            "Pass avatar_id to create_video_agent (with default_voice_id as voice_id, if the user has no other voice in mind).".to_owned()
        });
        Ok(Json(view))
    }

    /// List voices for create_video_agent's voice_id, by language (English, Spanish...), gender, engine or type (public, private clones), with preview audio.
    #[tool(
        title = "List voices",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_voices(
        &self,
        Parameters(query): Parameters<ListVoicesQuery>,
    ) -> Result<Json<VoiceList>, ToolError> {
        let page = self
            .client
            .list_voices(&query)
            .await
            .map_err(|e| self.fail(LIST_VOICES, None, e))?;
        let pointers = [(
            "create_video_agent",
            "Pass a voice_id to create_video_agent; preview_audio_url lets the user listen first.",
        )];
        let next_step = if page.data.is_empty() && query_names_a_code(&query) {
            Some("No voice matched: language takes a name such as English or Spanish (and gender female or male), not a code. Try again with the name.".to_owned())
        } else if page.data.is_empty() {
            Some(NOTHING_MATCHED.to_owned())
        } else {
            steps::list(self.listed(), page.has_more, &pointers)
        };
        Ok(Json(VoiceList {
            next_step,
            voices: page.data.into_iter().map(VoiceView::from).collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }

    /// Get one voice by id: name, language, gender, status, preview audio.
    #[tool(
        title = "Get voice",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_voice(
        &self,
        Parameters(VoiceRef { voice_id }): Parameters<VoiceRef>,
    ) -> Result<Json<VoiceView>, ToolError> {
        let voice = self
            .client
            .get_voice(&voice_id)
            .await
            .map_err(|e| self.fail(GET_VOICE, Some(&voice_id), e))?;
        let mut view = VoiceView::from(voice);
        view.next_step = self
            .listed()
            .has("create_video_agent")
            .then(|| "Pass voice_id to create_video_agent.".to_owned());
        Ok(Json(view))
    }

    /// Get the HeyGen account: plan, billing type, and what is left to spend (wallet balance or credits). Check it before a long or repeated render.
    #[tool(
        title = "Get account",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_current_user(
        &self,
        Parameters(NoArgs {}): Parameters<NoArgs>,
    ) -> Result<Json<AccountView>, ToolError> {
        let user = self
            .client
            .get_current_user()
            .await
            .map_err(|e| self.fail(ACCOUNT, None, e))?;
        Ok(Json(user.into()))
    }
}

/// An empty list under filters.
const NOTHING_MATCHED: &str = "Nothing matched these filters: they take values as HeyGen writes them (language: English, Spanish; gender: female, male). Omit a filter to see what there is.";

/// A language or gender filter written as a code ("en", "en-US", "f") rather than a name.
fn query_names_a_code(query: &ListVoicesQuery) -> bool {
    let code = |value: &Option<String>| {
        value.as_deref().is_some_and(|v| {
            let v = v.trim();
            v.len() <= 5
                && !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_')
                && (v.len() <= 3 || v.contains(['-', '_']))
        })
    };
    code(&query.language) || code(&query.gender)
}
