//! Video tools: status and links, listing, deletion.

use rmcp::handler::server::tool::schema_for_output;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::HeyGenServer;
use super::args::{GetVideoArgs, VideoRef};
use super::error::{Op, ToolError};
use super::media::{inline_image, structured_with};
use super::steps;
use super::views::{VideoDeleted, VideoList, VideoView};
use crate::api::types::ListVideosQuery;
use crate::schema::portable;

const GET: Op = Op::new("get video", "list_videos");
const LIST: Op = Op::new("list videos", "list_videos without a token");
const DELETE: Op = Op::new("delete video", "list_videos");

#[tool_router(router = video_tools, vis = "pub(super)")]
impl HeyGenServer {
    /// Get a video: status (pending, processing, completed, failed), then its links (video, captioned, SRT, thumbnail, GIF) and duration, or failure_code and failure_message.
    #[tool(
        title = "Get video",
        output_schema = schema_for_output::<VideoView>(),
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_video(
        &self,
        Parameters(GetVideoArgs {
            video_id,
            include_thumbnail,
        }): Parameters<GetVideoArgs>,
    ) -> Result<CallToolResult, ToolError> {
        let video = self
            .client
            .get_video(&video_id)
            .await
            .map_err(|e| self.fail(GET, Some(&video_id), e))?;
        let mut extra = Vec::new();
        let mut note = None;
        if include_thumbnail == Some(true) {
            let shown = match &video.thumbnail_url {
                Some(url) => inline_image(&self.client, url).await,
                None => Err("this video has no thumbnail yet".into()),
            };
            match shown {
                Ok(image) => extra.push(image),
                Err(why) => note = Some(format!("The thumbnail is not shown: {why}.")),
            }
        }
        let mut view = VideoView::new(video, self.listed());
        view.note = note;
        Ok(structured_with(&view, extra))
    }

    /// List the account's videos, newest first (id, status, title, duration), optionally by folder_id or title. For links call get_video.
    #[tool(
        title = "List videos",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_videos(
        &self,
        Parameters(query): Parameters<ListVideosQuery>,
    ) -> Result<Json<VideoList>, ToolError> {
        let page = self
            .client
            .list_videos(&query)
            .await
            .map_err(|e| self.fail(LIST, None, e))?;
        let pointers = [("get_video", "get_video gives a video's links.")];
        Ok(Json(VideoList {
            next_step: steps::list(self.listed(), page.has_more, &pointers),
            videos: page.data.into_iter().map(Into::into).collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }

    /// Delete a video permanently from the HeyGen account. Cannot be undone: confirm with the user first.
    #[tool(
        title = "Delete video",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn delete_video(
        &self,
        Parameters(VideoRef { video_id }): Parameters<VideoRef>,
    ) -> Result<Json<VideoDeleted>, ToolError> {
        let deleted = self
            .client
            .delete_video(&video_id)
            .await
            .map_err(|e| self.fail(DELETE, Some(&video_id), e))?;
        Ok(Json(VideoDeleted {
            id: deleted.id,
            deleted: deleted.deleted,
        }))
    }

    /// Get a completed video's scenes in order: background, avatars and elements, and each scene's narration and voice: what is in the video, to describe it or plan a revision.
    #[tool(
        title = "Get video scenes",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_video_scenes(
        &self,
        Parameters(VideoRef { video_id }): Parameters<VideoRef>,
    ) -> Result<Json<ScenesView>, ToolError> {
        let scenes = self
            .client
            .get_video_scenes(&video_id)
            .await
            .map_err(|e| self.fail(SCENES, Some(&video_id), e))?;
        let context = scenes.video.unwrap_or_default();
        let text = |key: &str| context.get(key).and_then(Value::as_str).map(str::to_owned);
        Ok(Json(ScenesView {
            video_id: if scenes.video_id.is_empty() {
                video_id
            } else {
                scenes.video_id
            },
            title: text("title").filter(|t| !t.is_empty()),
            aspect_ratio: text("aspect_ratio"),
            scenes: scenes.scenes.iter().map(SceneView::from_json).collect(),
        }))
    }
}

const SCENES: Op = Op::new("get the scenes of video", "list_videos");

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct ScenesView {
    pub video_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    pub scenes: Vec<SceneView>,
}

/// One scene, trimmed: HeyGen's element types are an open set, so unknown ones are named
/// by type only.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct SceneView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub avatar_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_id: Option<String>,
}

impl SceneView {
    fn from_json(scene: &Value) -> Self {
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let background = scene.get("background").filter(|b| !b.is_null()).map(|b| {
            let kind = text(b, "type").unwrap_or_else(|| "unknown".into());
            match text(b, "color").or_else(|| text(b, "url")) {
                Some(detail) => format!("{kind} {detail}"),
                None => kind,
            }
        });
        let elements: Vec<&Value> = scene
            .get("elements")
            .and_then(Value::as_array)
            .map(|e| e.iter().collect())
            .unwrap_or_default();
        let script: Vec<&Value> = scene
            .get("script")
            .and_then(Value::as_array)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        let spoken: Vec<String> = script.iter().filter_map(|s| text(s, "text")).collect();
        Self {
            scene_id: text(scene, "id"),
            background,
            avatar_ids: elements
                .iter()
                .filter_map(|e| text(e, "avatar_id"))
                .collect(),
            elements: elements.iter().filter_map(|e| text(e, "type")).collect(),
            script: (!spoken.is_empty()).then(|| super::views::cut(spoken.join(" "), 2000)),
            voice_id: script.iter().find_map(|s| text(s, "voice_id")),
        }
    }
}
