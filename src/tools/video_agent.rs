//! Video Agent tools: create a session, follow it, talk to it, stop it.

use rmcp::handler::server::tool::schema_for_output;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::HeyGenServer;
use super::args::{ResourceRef, SendMessageArgs, SessionRef};
use super::error::{Op, ToolError};
use super::media::{inline_image, structured_with};
use super::steps;
use super::views::{
    MessageSent, ResourceView, SessionCreated, SessionItem, SessionList, SessionStopped,
    SessionVideos, SessionView, StyleList, VideoView,
};
use crate::api::ApiError;
use crate::api::types::{
    CreateVideoAgentRequest, ListSessionsQuery, ListStylesQuery, SendMessageRequest, SessionMode,
    SessionStatus,
};

const CREATE: Op = Op::starts_work("create a Video Agent session", "list_video_agent_sessions");
const GET_SESSION: Op =
    Op::new("get Video Agent session", "list_video_agent_sessions").on_session();
const SEND: Op =
    Op::starts_work("send a message to session", "get_video_agent_session").on_session();
const GET_RESOURCE: Op = Op::new(
    "get resource",
    "get_video_agent_session (resource_ids in its messages)",
);
const SESSION_VIDEOS: Op =
    Op::new("list the videos of session", "list_video_agent_sessions").on_session();
const STOP: Op = Op::new("stop session", "list_video_agent_sessions").on_session();

/// After a message, HeyGen may report the old state for a moment. The send waits (this
/// long at most) until the session shows the message was taken, so no later call — on this
/// process or another — mistakes the storyboard just answered for a new one.
const SETTLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(8);
const SETTLE_POLL: std::time::Duration = std::time::Duration::from_millis(750);
const LIST_SESSIONS: Op = Op::new(
    "list Video Agent sessions",
    "list_video_agent_sessions without a token",
);
const LIST_STYLES: Op = Op::new(
    "list Video Agent styles",
    "list_video_agent_styles without a token",
);

#[tool_router(router = video_agent_tools, vis = "pub(super)")]
impl HeyGenServer {
    /// Make a video with HeyGen's Video Agent: it writes the script, picks avatar and voice, composes scenes and renders from your prompt. mode=generate goes straight to a video; chat stops at a storyboard to review. Costs credits. Next: wait_for_video.
    #[tool(
        title = "Create video (Video Agent)",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    pub async fn create_video_agent(
        &self,
        Parameters(mut request): Parameters<CreateVideoAgentRequest>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<SessionCreated>, ToolError> {
        if request.callback_id.is_some() && request.callback_url.is_none() {
            return Err(self.fail(
                CREATE,
                None,
                ApiError::InvalidInput(
                    "callback_id is only accepted together with callback_url (HeyGen refuses it alone): add callback_url, or drop callback_id".into(),
                ),
            ));
        }
        self.upload_paths(&mut request.files, &ctx).await?;
        self.not_while_stopping()
            .map_err(|e| self.fail(CREATE, None, e))?;
        let chat = request.mode == Some(SessionMode::Chat);
        let created = match self.client.create_video_agent(&request).await {
            Ok(created) => created,
            // HeyGen took it: an answer we cannot fully read must not look like a failure.
            Err(ApiError::Decode {
                accepted_id: Some(session_id),
                ..
            }) => {
                return Ok(Json(SessionCreated {
                    session_id,
                    status: "unknown".into(),
                    title: None,
                    video_id: None,
                    created_at: None,
                    next_step: format!(
                        "HeyGen accepted the request and created this session, though part of its answer could not be read. Do not create it again{}",
                        self.listed().pick(
                            "wait_for_video",
                            ": call wait_for_video with this session_id.",
                            "."
                        )
                    ),
                }));
            }
            Err(e) => return Err(self.fail(CREATE, None, e)),
        };
        let next_step = if chat && self.listed().has("wait_for_video") {
            "Chat mode: call wait_for_video with this session_id; it returns when the storyboard is ready to show the user.".to_owned()
        } else {
            steps::session(self.listed(), &created.status, created.video_id.as_deref())
        };
        Ok(Json(SessionCreated {
            session_id: created.session_id,
            status: created.status.to_string(),
            title: created.title.filter(|t| !t.trim().is_empty()),
            video_id: created.video_id,
            created_at: created.created_at,
            next_step,
        }))
    }

    /// Get a Video Agent session: status, title, progress 0-100, video_id once rendering starts, and up to 40 messages newest first (storyboards carry resource_ids). To wait for a change, use wait_for_video.
    #[tool(
        title = "Get Video Agent session",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_video_agent_session(
        &self,
        Parameters(SessionRef { session_id }): Parameters<SessionRef>,
    ) -> Result<Json<SessionView>, ToolError> {
        let session = self
            .client
            .get_video_agent_session(&session_id)
            .await
            .map_err(|e| self.fail(GET_SESSION, Some(&session_id), e))?;
        Ok(Json(SessionView::new(session, self.listed())))
    }

    /// Reply in a chat-mode session: approve the storyboard ("Looks good, render it"), ask for changes, answer a question, or ask for a follow-up video. Approvals and follow-ups render and cost credits. Next: wait_for_video.
    #[tool(
        title = "Send message to Video Agent",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    pub async fn send_video_agent_message(
        &self,
        Parameters(SendMessageArgs {
            session_id,
            mut request,
        }): Parameters<SendMessageArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<MessageSent>, ToolError> {
        self.upload_paths(&mut request.files, &ctx).await?;
        self.send_settled(&session_id, &request).await.map(Json)
    }

    /// Get a session resource (storyboard frame, draft, avatar, voice): type, media URLs and, for images, the image to show the user. Ids come from messages' resource_ids.
    #[tool(
        title = "Get Video Agent resource",
        output_schema = schema_for_output::<ResourceView>(),
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_video_agent_resource(
        &self,
        Parameters(ResourceRef {
            session_id,
            resource_id,
            include_image,
        }): Parameters<ResourceRef>,
    ) -> Result<CallToolResult, ToolError> {
        let resource = self
            .client
            .get_video_agent_resource(&session_id, &resource_id)
            .await
            .map_err(|e| self.fail(GET_RESOURCE, Some(&resource_id), e))?;
        let image_url = resource
            .url
            .clone()
            .or_else(|| resource.thumbnail_url.clone());
        let mut view = ResourceView::from(resource);
        view.next_step = (view.resource_type == "image").then(|| {
            self.listed()
                .pick(
                    "send_video_agent_message",
                    "Show the image to the user; when they have seen every frame, answer with send_video_agent_message (approve, or ask for changes).",
                    "Show the image to the user.",
                )
                .to_owned()
        });
        let mut extra = Vec::new();
        if include_image.unwrap_or(true)
            && view.resource_type == "image"
            && let Some(url) = image_url
        {
            match inline_image(&self.client, &url).await {
                Ok(image) => extra.push(image),
                Err(why) => view.note = Some(format!("The image is not shown inline: {why}.")),
            }
        }
        Ok(structured_with(&view, extra))
    }

    /// List the videos a session has produced, newest first, with status and download links. A chat session makes one video per approved storyboard or follow-up.
    #[tool(
        title = "List session videos",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_video_agent_session_videos(
        &self,
        Parameters(SessionRef { session_id }): Parameters<SessionRef>,
    ) -> Result<Json<SessionVideos>, ToolError> {
        let page = self
            .client
            .list_video_agent_session_videos(&session_id)
            .await
            .map_err(|e| self.fail(SESSION_VIDEOS, Some(&session_id), e))?;
        let pointers = [
            (
                "download_video",
                "Each video's links are temporary: get_video gives fresh ones, download_video saves a file.",
            ),
            (
                "get_video",
                "Each video's links are temporary: get_video gives fresh ones.",
            ),
        ];
        Ok(Json(SessionVideos {
            next_step: steps::list(self.listed(), page.has_more, &pointers),
            videos: page
                .data
                .into_iter()
                .map(|v| VideoView::new(v, self.listed()))
                .collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }

    /// Stop a Video Agent session: the agent halts at its next step and renders nothing more. Use when the user cancels. Cannot be undone; a finished video is kept.
    #[tool(
        title = "Stop Video Agent session",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn stop_video_agent_session(
        &self,
        Parameters(SessionRef { session_id }): Parameters<SessionRef>,
    ) -> Result<Json<SessionStopped>, ToolError> {
        let stopped = self
            .client
            .stop_video_agent_session(&session_id)
            .await
            .map_err(|e| self.fail(STOP, Some(&session_id), e))?;
        Ok(Json(SessionStopped {
            session_id: stopped.session_id,
            next_step: self
                .listed()
                .pick(
                    "get_video_agent_session",
                    "Stop requested: get_video_agent_session shows the final state.",
                    "Stop requested: the session ends at the agent's next step.",
                )
                .into(),
        }))
    }

    /// List your Video Agent sessions, newest first (session_id, title, created_at).
    #[tool(
        title = "List Video Agent sessions",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_video_agent_sessions(
        &self,
        Parameters(query): Parameters<ListSessionsQuery>,
    ) -> Result<Json<SessionList>, ToolError> {
        let page = self
            .client
            .list_video_agent_sessions(&query)
            .await
            .map_err(|e| self.fail(LIST_SESSIONS, None, e))?;
        let pointers = [
            (
                "wait_for_video",
                "Follow a session with wait_for_video (its session_id).",
            ),
            (
                "get_video_agent_session",
                "get_video_agent_session shows a session's status and messages.",
            ),
        ];
        Ok(Json(SessionList {
            next_step: steps::list(self.listed(), page.has_more, &pointers),
            sessions: page
                .data
                .into_iter()
                .map(|s| SessionItem {
                    session_id: s.session_id,
                    title: s.title.filter(|t| !t.trim().is_empty()),
                    created_at: s.created_at,
                })
                .collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }

    /// List visual styles for create_video_agent's style_id (name, tags, aspect ratio, preview links), optionally by tag.
    #[tool(
        title = "List Video Agent styles",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_video_agent_styles(
        &self,
        Parameters(query): Parameters<ListStylesQuery>,
    ) -> Result<Json<StyleList>, ToolError> {
        let page = self
            .client
            .list_video_agent_styles(&query)
            .await
            .map_err(|e| self.fail(LIST_STYLES, None, e))?;
        let pointers = [(
            "create_video_agent",
            "Pass a style_id to create_video_agent.",
        )];
        Ok(Json(StyleList {
            next_step: steps::list(self.listed(), page.has_more, &pointers),
            styles: page.data.into_iter().map(Into::into).collect(),
            has_more: page.has_more,
            next_token: page.next_token,
        }))
    }
}

impl HeyGenServer {
    /// A paid write is not started once the process is stopping (a replica draining): it
    /// might be cut off after HeyGen took it, and then be sent again elsewhere.
    fn not_while_stopping(&self) -> Result<(), ApiError> {
        if self.settings().stopping.is_cancelled() {
            return Err(ApiError::Transport {
                kind: crate::api::TransportKind::Other,
                message: "this server is shutting down, so nothing was sent to HeyGen; make the same call again (another server will take it)".into(),
                maybe_applied: false,
            });
        }
        Ok(())
    }

    /// Sends a chat message once, then waits (briefly) until HeyGen shows it was taken: the
    /// newest message is the user's, or the agent is busy again. Shared by the tool, tasks
    /// and the storyboard view, so each gets the same once-only, settled send.
    pub(super) async fn send_settled(
        &self,
        session_id: &str,
        request: &SendMessageRequest,
    ) -> Result<MessageSent, ToolError> {
        self.not_while_stopping()
            .map_err(|e| self.fail(SEND, Some(session_id), e))?;
        let sent = match self
            .client
            .send_video_agent_message(session_id, request)
            .await
        {
            Ok(sent) => sent,
            Err(ApiError::Decode {
                accepted_id: Some(_),
                ..
            }) => crate::api::types::SendMessageResponse {
                session_id: session_id.to_owned(),
                run_id: None,
                title: None,
            },
            Err(e) => return Err(self.fail(SEND, Some(session_id), e)),
        };
        let settled = self.settle(session_id, &request.message).await;
        let next_step = match (settled, self.listed().has("wait_for_video")) {
            (true, true) => {
                "Message sent: call wait_for_video with this session_id for the agent's answer or the new video."
            }
            (true, false) => "Message sent: get_video_agent_session shows the agent's answer.",
            (false, _) => {
                "Message sent, but HeyGen does not show it yet. Do not send it again: follow the session with wait_for_video (or get_video_agent_session); if the same storyboard comes back, check again before answering."
            }
        };
        Ok(MessageSent {
            session_id: if sent.session_id.is_empty() {
                session_id.to_owned()
            } else {
                sent.session_id
            },
            run_id: sent.run_id,
            title: sent.title.filter(|t| !t.trim().is_empty()),
            next_step: next_step.into(),
        })
    }

    /// True once the session shows the message was taken; false if it did not within
    /// [`SETTLE_TIMEOUT`] (or could not be read). Never fails the send: it already happened.
    async fn settle(&self, session_id: &str, message: &str) -> bool {
        let deadline = std::time::Instant::now() + SETTLE_TIMEOUT;
        loop {
            if let Ok(session) = self.client.get_video_agent_session(session_id).await {
                let busy = matches!(
                    session.status,
                    SessionStatus::Thinking | SessionStatus::Generating
                );
                let ours = session
                    .messages
                    .first()
                    .is_some_and(|m| m.role == "user" && m.content.trim() == message.trim());
                if busy || ours {
                    return true;
                }
            }
            if std::time::Instant::now() + SETTLE_POLL > deadline
                || self.client.pause(SETTLE_POLL).await.is_err()
            {
                return false;
            }
        }
    }
}
