//! Discovery endpoints: avatars (groups and looks), voices, the account.

use reqwest::Method;

use super::types::{
    AvatarGroup, AvatarLook, ListAvatarGroupsQuery, ListAvatarLooksQuery, ListVoicesQuery, Page,
    UserInfo, Voice,
};
use super::{ApiError, Call, HeyGenClient};

impl HeyGenClient {
    /// `GET /v3/avatars`
    pub async fn list_avatar_groups(
        &self,
        query: &ListAvatarGroupsQuery,
    ) -> Result<Page<AvatarGroup>, ApiError> {
        self.page(Call::new(Method::GET, &["v3", "avatars"]).query(query)?)
            .await
    }

    /// `GET /v3/avatars/{group_id}`
    pub async fn get_avatar_group(&self, group_id: &str) -> Result<AvatarGroup, ApiError> {
        self.data(Call::new(Method::GET, &["v3", "avatars", group_id]))
            .await
    }

    /// `GET /v3/avatars/looks`
    pub async fn list_avatar_looks(
        &self,
        query: &ListAvatarLooksQuery,
    ) -> Result<Page<AvatarLook>, ApiError> {
        self.page(Call::new(Method::GET, &["v3", "avatars", "looks"]).query(query)?)
            .await
    }

    /// `GET /v3/avatars/looks/{look_id}`
    pub async fn get_avatar_look(&self, look_id: &str) -> Result<AvatarLook, ApiError> {
        self.data(Call::new(Method::GET, &["v3", "avatars", "looks", look_id]))
            .await
    }

    /// `GET /v3/voices`
    pub async fn list_voices(&self, query: &ListVoicesQuery) -> Result<Page<Voice>, ApiError> {
        self.page(Call::new(Method::GET, &["v3", "voices"]).query(query)?)
            .await
    }

    /// `GET /v3/voices/{voice_id}`
    pub async fn get_voice(&self, voice_id: &str) -> Result<Voice, ApiError> {
        self.data(Call::new(Method::GET, &["v3", "voices", voice_id]))
            .await
    }

    /// `GET /v3/users/me`
    pub async fn get_current_user(&self) -> Result<UserInfo, ApiError> {
        self.data(Call::new(Method::GET, &["v3", "users", "me"]))
            .await
    }
}
