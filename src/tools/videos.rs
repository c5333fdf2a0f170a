//! Video tools: status and links, listing, deletion.

use rmcp::handler::server::tool::schema_for_output;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};

use super::HeyGenServer;
use super::args::{GetVideoArgs, VideoRef};
use super::error::{Op, ToolError};
use super::media::{inline_image, structured_with};
use super::views::{VideoDeleted, VideoList, VideoView};
use crate::api::types::ListVideosQuery;

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
            .map_err(|e| ToolError::new(GET, Some(&video_id), e))?;
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
        let mut view = VideoView::from(video);
        view.note = note;
        Ok(structured_with(&view, extra))
    }

    /// List the account's videos, newest first (id, status, title, duration), optionally by folder_id or title. For links call get_video. If has_more, call again with token=next_token.
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
            .map_err(|e| ToolError::new(LIST, None, e))?;
        Ok(Json(VideoList {
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
            .map_err(|e| ToolError::new(DELETE, Some(&video_id), e))?;
        Ok(Json(VideoDeleted {
            id: deleted.id,
            deleted: deleted.deleted,
        }))
    }
}
