//! Video Agent endpoints: sessions, messages, resources, styles.

use reqwest::Method;

use super::types::{
    CreateVideoAgentRequest, CreateVideoAgentResponse, ListSessionsQuery, ListStylesQuery, Page,
    SendMessageRequest, SendMessageResponse, Session, SessionListItem, SessionResource,
    StopSessionResponse, StyleItem, VideoDetail,
};
use super::{ApiError, Call, HeyGenClient};

impl HeyGenClient {
    /// `POST /v3/video-agents`
    pub async fn create_video_agent(
        &self,
        body: &CreateVideoAgentRequest,
    ) -> Result<CreateVideoAgentResponse, ApiError> {
        self.data(Call::new(Method::POST, &["v3", "video-agents"]).json(body)?)
            .await
    }

    /// `GET /v3/video-agents`
    pub async fn list_video_agent_sessions(
        &self,
        query: &ListSessionsQuery,
    ) -> Result<Page<SessionListItem>, ApiError> {
        self.page(Call::new(Method::GET, &["v3", "video-agents"]).query(query)?)
            .await
    }

    /// `GET /v3/video-agents/styles`
    pub async fn list_video_agent_styles(
        &self,
        query: &ListStylesQuery,
    ) -> Result<Page<StyleItem>, ApiError> {
        self.page(Call::new(Method::GET, &["v3", "video-agents", "styles"]).query(query)?)
            .await
    }

    /// `GET /v3/video-agents/{session_id}`
    pub async fn get_video_agent_session(&self, session_id: &str) -> Result<Session, ApiError> {
        self.data(Call::new(Method::GET, &["v3", "video-agents", session_id]))
            .await
    }

    /// `POST /v3/video-agents/{session_id}`
    pub async fn send_video_agent_message(
        &self,
        session_id: &str,
        body: &SendMessageRequest,
    ) -> Result<SendMessageResponse, ApiError> {
        self.data(Call::new(Method::POST, &["v3", "video-agents", session_id]).json(body)?)
            .await
    }

    /// `GET /v3/video-agents/{session_id}/resources/{resource_id}`
    pub async fn get_video_agent_resource(
        &self,
        session_id: &str,
        resource_id: &str,
    ) -> Result<SessionResource, ApiError> {
        self.data(Call::new(
            Method::GET,
            &["v3", "video-agents", session_id, "resources", resource_id],
        ))
        .await
    }

    /// `GET /v3/video-agents/{session_id}/videos`
    pub async fn list_video_agent_session_videos(
        &self,
        session_id: &str,
    ) -> Result<Page<VideoDetail>, ApiError> {
        self.page(Call::new(
            Method::GET,
            &["v3", "video-agents", session_id, "videos"],
        ))
        .await
    }

    /// `POST /v3/video-agents/{session_id}/stop`. HeyGen requires a body, even an empty one.
    pub async fn stop_video_agent_session(
        &self,
        session_id: &str,
    ) -> Result<StopSessionResponse, ApiError> {
        let empty = serde_json::Map::new();
        self.data(
            Call::new(Method::POST, &["v3", "video-agents", session_id, "stop"]).json(&empty)?,
        )
        .await
    }
}
