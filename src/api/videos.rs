//! Video endpoints: get, list, delete.

use reqwest::Method;

use super::types::{DeleteVideoResponse, ListVideosQuery, Page, VideoDetail, VideoScenes};
use super::{ApiError, Call, HeyGenClient};

impl HeyGenClient {
    /// `GET /v3/videos/{video_id}`
    pub async fn get_video(&self, video_id: &str) -> Result<VideoDetail, ApiError> {
        let mut video: VideoDetail = self
            .data(Call::new(Method::GET, &["v3", "videos", video_id]))
            .await?;
        // Some answers leave out the id the caller gave.
        if video.id.is_empty() {
            video.id = video_id.to_owned();
        }
        Ok(video)
    }

    /// `GET /v3/videos`
    pub async fn list_videos(
        &self,
        query: &ListVideosQuery,
    ) -> Result<Page<VideoDetail>, ApiError> {
        self.page(Call::new(Method::GET, &["v3", "videos"]).query(query)?)
            .await
    }

    /// `DELETE /v3/videos/{video_id}`
    pub async fn delete_video(&self, video_id: &str) -> Result<DeleteVideoResponse, ApiError> {
        self.data(Call::new(Method::DELETE, &["v3", "videos", video_id]))
            .await
    }

    /// `GET /v3/videos/{video_id}/scenes`
    pub async fn get_video_scenes(&self, video_id: &str) -> Result<VideoScenes, ApiError> {
        self.data(Call::new(
            Method::GET,
            &["v3", "videos", video_id, "scenes"],
        ))
        .await
    }
}
