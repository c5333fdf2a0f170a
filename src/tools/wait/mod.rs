//! `wait_for_video`: the waiting a model should not do itself.
//!
//! A render takes 5-10x the video's length, often most of an hour. Left alone, a model polls
//! in a tight loop and pays for every turn. This tool polls for it: the session until a
//! video_id appears, then the video, with a delay that starts short and settles, progress
//! notifications when the caller asked for them, an early return whenever the user is
//! needed, and a resumable answer when its time is up.
//!
//! How HeyGen really answers shapes it: the session endpoint answers 404 for sessions that
//! exist (right after some chat-mode creates, and once the video is assigned), so a 404 is
//! waited through and the video looked for elsewhere; a rate limit slows the polling down,
//! never speeds it up; a status this server does not know is returned, not waited on; and a
//! storyboard the user has already answered is not handed back as new.

use std::time::Duration;

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod memory;
mod outcomes;
mod waiter;

pub(super) use memory::Memory;
use waiter::Waiter;

use super::HeyGenServer;
use super::error::{Op, ToolError};
use super::views::{MessageView, VideoView};
use crate::api::ApiError;
use crate::schema::{ID_PATTERN, portable, strict_input};

const WAIT: Op = Op::new(
    "wait for the video",
    "list_video_agent_sessions (for a session_id) or list_videos (for a video_id); once a session has a video_id, wait with the video_id",
);

/// Polling and patience limits.
#[derive(Debug, Clone, Copy)]
pub struct WaitSettings {
    pub default_timeout: Duration,
    /// The longest one call may wait, for clients known to allow long calls.
    pub max_timeout: Duration,
    /// The operator set `max_timeout` (HEYGEN_WAIT_MAX_SECONDS): it applies to every client.
    pub max_for_every_client: bool,
    /// A session in `thinking` with no change for this long is reported as stuck.
    pub stall_after: Duration,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for WaitSettings {
    fn default() -> Self {
        Self {
            default_timeout: Duration::from_secs(50),
            max_timeout: Duration::from_secs(600),
            max_for_every_client: false,
            stall_after: Duration::from_secs(600),
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(20),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct WaitArgs {
    /// Session id from create_video_agent (give this or video_id).
    #[serde(default)]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub session_id: Option<String>,
    /// Video id, once known (give this or session_id).
    #[serde(default)]
    #[schemars(regex(pattern = ID_PATTERN))]
    pub video_id: Option<String>,
    /// Seconds to wait before returning the state so far (default, and usual maximum, 50: hosts end calls after about a minute).
    #[serde(default)]
    #[schemars(range(min = 1, max = 600), extend("default" = 50))]
    pub timeout_seconds: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct WaitOutcome {
    /// completed, failed, needs_input, needs_attention, stuck or still_running.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_status: Option<String>,
    pub progress: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoView>,
    /// Newest model messages, when the user is needed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<MessageView>,
    pub waited_seconds: f64,
    pub polls: u32,
    pub next_step: String,
}

#[tool_router(router = wait_tools, vis = "pub(super)")]
impl HeyGenServer {
    /// Wait for a video instead of polling: give session_id (or video_id). Returns when it is completed (with links) or failed, early when the user is needed (storyboard, question) or it looks stuck, else after timeout_seconds: then call again.
    #[tool(
        title = "Wait for video",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn wait_for_video(
        &self,
        Parameters(args): Parameters<WaitArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<WaitOutcome>, ToolError> {
        let subject = args.video_id.clone().or_else(|| args.session_id.clone());
        let fail = |e| self.fail(WAIT, subject.as_deref(), e);
        if args.session_id.is_none() && args.video_id.is_none() {
            return Err(fail(ApiError::InvalidInput(
                "give session_id (from create_video_agent) or video_id".into(),
            )));
        }
        let settings = self.settings().wait;
        // Most hosts end a tool call after about 60 s whatever it asks for; only hosts known
        // to allow long calls (or to reset their timeout on progress) get longer waits.
        let longest = if settings.max_for_every_client || allows_long_calls(&ctx) {
            settings.max_timeout
        } else {
            settings.max_timeout.min(settings.default_timeout)
        };
        let timeout = args
            .timeout_seconds
            .map_or(settings.default_timeout, |s| Duration::from_secs(s.into()))
            .min(longest);
        let mut waiter = Waiter::new(self, &ctx, args.session_id, args.video_id, timeout);
        waiter.run(settings).await.map(Json).map_err(fail)
    }
}

/// What one look saw.
pub(super) struct Look {
    /// As wait_for_video would report it.
    pub outcome: WaitOutcome,
    /// What was seen, in words.
    pub status: String,
    /// The session endpoint answered 404 and no video of the session was found.
    pub session_unseen: bool,
}

impl HeyGenServer {
    /// One look at a session or video, reported as wait_for_video would report it, without
    /// waiting: what `tasks/get` and the views answer from.
    pub(super) async fn look(
        &self,
        ctx: &RequestContext<RoleServer>,
        session_id: Option<String>,
        video_id: Option<String>,
    ) -> Result<Look, ApiError> {
        let settings = self.settings().wait;
        let mut waiter = Waiter::new(self, ctx, session_id, video_id, LOOK_TIMEOUT);
        waiter.once = true;
        waiter.token = None;
        let outcome = waiter.poll_until_done(settings).await?;
        Ok(Look {
            session_unseen: waiter.session_404s > 0 && outcome.video_id.is_none(),
            outcome,
            status: waiter.status,
        })
    }
}

/// How long one look may take (a slow or rate-limited HeyGen): then it reports what it has.
const LOOK_TIMEOUT: Duration = Duration::from_secs(20);

/// Hosts whose tool calls may run longer than a minute: they reset their timeout on progress
/// notifications (Claude Code), so a long wait with heartbeats is safe there.
const LONG_CALL_CLIENTS: &[&str] = &["claude-code"];

/// Whether this call's client is known to allow calls longer than about a minute.
fn allows_long_calls(ctx: &RequestContext<RoleServer>) -> bool {
    let name = ctx
        .client_info()
        .map(|info| info.name.to_ascii_lowercase())
        .or_else(|| {
            ctx.peer
                .peer_info()
                .map(|info| info.client_info.name.to_ascii_lowercase())
        });
    name.is_some_and(|name| LONG_CALL_CLIENTS.iter().any(|c| name == *c))
}
