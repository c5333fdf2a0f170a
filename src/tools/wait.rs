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

use std::time::{Duration, Instant};

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::HeyGenServer;
use super::error::{Op, ToolError};
use super::steps;
use super::views::{MessageView, VideoView};
use crate::api::ApiError;
use crate::api::types::{ListVideosQuery, Session, SessionStatus, VideoDetail, VideoStatus};
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

impl HeyGenServer {
    /// One look at a session or video, reported as wait_for_video would report it, without
    /// waiting, with what was seen in words: what `tasks/get` answers from.
    pub(super) async fn look(
        &self,
        ctx: &RequestContext<RoleServer>,
        session_id: Option<String>,
        video_id: Option<String>,
    ) -> Result<(WaitOutcome, String), ApiError> {
        let settings = self.settings().wait;
        let mut waiter = Waiter::new(self, ctx, session_id, video_id, LOOK_TIMEOUT);
        waiter.once = true;
        waiter.token = None;
        let outcome = waiter.poll_until_done(settings).await?;
        Ok((outcome, waiter.status))
    }
}

/// How long one look may take (a slow or rate-limited HeyGen): then it reports what it has.
const LOOK_TIMEOUT: Duration = Duration::from_secs(20);

struct Waiter<'a> {
    server: &'a HeyGenServer,
    ctx: &'a RequestContext<RoleServer>,
    token: Option<ProgressToken>,
    /// The last progress value sent; each notification must be larger.
    sent: f64,
    /// The highest progress seen.
    progress: f64,
    /// The pause before the next poll; grows from `first_delay` to `max_delay`.
    delay: Duration,
    started: Instant,
    deadline: Instant,
    polls: u32,
    session_id: Option<String>,
    video_id: Option<String>,
    /// The session's title and creation time, once seen.
    title: Option<String>,
    created_at: Option<i64>,
    /// False once the session endpoint 404s after the video was assigned.
    session_answers: bool,
    /// Session 404s in a row before a video_id is known.
    session_404s: u32,
    /// 429s in a row: each one slows the polling down further.
    rate_limited: u32,
    /// Poll once and report, instead of waiting (tasks).
    once: bool,
    /// What the last poll found, in words ("rendering, 40 %").
    status: String,
}

/// A waiting call sends progress at least this often (hosts time out calls that go quiet).
const HEARTBEAT: Duration = Duration::from_secs(25);

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

/// How long a wait backs off at most after repeated rate limits.
const MAX_RATE_LIMITED_DELAY: Duration = Duration::from_secs(120);

/// What one poll found.
enum Step {
    Done(Box<WaitOutcome>),
    Continue { progress: f64, status: String },
}

impl<'a> Waiter<'a> {
    fn new(
        server: &'a HeyGenServer,
        ctx: &'a RequestContext<RoleServer>,
        session_id: Option<String>,
        video_id: Option<String>,
        timeout: Duration,
    ) -> Self {
        Self {
            server,
            ctx,
            token: ctx.meta.get_progress_token(),
            sent: 0.0,
            progress: 0.0,
            delay: Duration::ZERO,
            started: Instant::now(),
            deadline: Instant::now() + timeout,
            polls: 0,
            session_id,
            video_id,
            title: None,
            created_at: None,
            session_answers: true,
            session_404s: 0,
            rate_limited: 0,
            once: false,
            status: String::from("waiting"),
        }
    }

    async fn run(&mut self, settings: WaitSettings) -> Result<WaitOutcome, ApiError> {
        let key = self
            .video_id
            .clone()
            .or_else(|| self.session_id.clone())
            .unwrap_or_default();
        let memory = &self.server.shared.wait_memory;
        self.delay = memory.resume_delay(&key).unwrap_or(settings.first_delay);
        let outcome = self.poll_until_done(settings).await;
        // A wait that timed out is resumed by the next call: remember its pace under the id
        // the next call will be given (the video_id once known).
        if let Ok(outcome) = &outcome
            && outcome.state == "still_running"
        {
            let next_key = self.video_id.clone().unwrap_or(key);
            memory.remember_delay(next_key, self.delay);
        }
        outcome
    }

    async fn poll_until_done(&mut self, settings: WaitSettings) -> Result<WaitOutcome, ApiError> {
        let mut failures = 0u32;
        let mut status = self.status.clone();
        loop {
            // A poll can be slow (timeouts, Retry-After inside the client): the deadline and a
            // cancel interrupt it too, so the host's timeout never beats us to the answer.
            let polled = tokio::select! {
                () = self.ctx.ct.cancelled() => return Err(ApiError::Cancelled),
                // The process is stopping (a replica draining): hand back the ids now.
                () = self.server.settings().stopping.cancelled() => {
                    return Ok(self.still_running("this server is restarting; any other will go on"));
                }
                () = tokio::time::sleep_until(self.deadline.into()) => {
                    return Ok(self.still_running(&status));
                }
                polled = self.poll(settings.stall_after) => polled,
            };
            let mut pause = self.delay;
            match polled {
                Ok(Step::Done(outcome)) => return Ok(*outcome),
                Ok(Step::Continue {
                    progress,
                    status: now,
                }) => {
                    failures = 0;
                    self.rate_limited = 0;
                    self.progress = self.progress.max(progress);
                    status = now;
                    self.notify(&status).await;
                }
                // Rate limited: never faster than asked, and twice as slow with each 429 in
                // a row (the pace is kept: polling resumes slowly, then speeds up again).
                Err(error) if error.status() == Some(429) => {
                    self.rate_limited += 1;
                    let asked = error.retry_after().unwrap_or_default();
                    self.delay = self
                        .delay
                        .saturating_mul(2)
                        .max(asked)
                        .min(MAX_RATE_LIMITED_DELAY);
                    pause = self.delay;
                    status = "HeyGen asked to slow down (rate limited)".into();
                }
                Err(error) if error.is_transient() => {
                    failures += 1;
                    if failures >= 3 {
                        // Hand back the ids found so far rather than an error that loses them.
                        return Ok(self.still_running(&format!("HeyGen keeps failing: {error}")));
                    }
                }
                Err(error) => return Err(error),
            }
            self.status.clone_from(&status);
            let now = Instant::now();
            if now >= self.deadline || self.once {
                return Ok(self.still_running(&status));
            }
            let pause = pause.min(self.deadline - now);
            self.sleep_with_heartbeat(pause, &status).await?;
            if self.rate_limited == 0 {
                self.delay = self.delay.mul_f64(1.6).min(settings.max_delay);
            }
        }
    }

    async fn poll(&mut self, stall_after: Duration) -> Result<Step, ApiError> {
        let client = &self.server.client;
        // Progress read from the session in this poll, if any.
        let mut fresh_progress = None;
        if let (None, Some(session_id)) = (&self.video_id, &self.session_id.clone()) {
            self.polls += 1;
            let session = match client.get_video_agent_session(session_id).await {
                Ok(session) => session,
                Err(error) if error.status() == Some(404) => {
                    return self.session_not_found(session_id).await;
                }
                Err(error) => return Err(error),
            };
            self.session_404s = 0;
            self.title = session.title.clone().filter(|t| !t.trim().is_empty());
            self.created_at = session.created_at.or(self.created_at);
            // Right after a chat message HeyGen may still show the storyboard just answered:
            // while the newest message is the user's, the agent has not answered yet.
            let answered = session.messages.first().is_some_and(|m| m.role == "user");
            match &session.status {
                SessionStatus::Reviewing | SessionStatus::WaitingForInput if answered => {
                    let progress = session.progress.unwrap_or(0.0);
                    return Ok(Step::Continue {
                        progress,
                        status: "the agent is reading the reply".into(),
                    });
                }
                SessionStatus::Reviewing | SessionStatus::WaitingForInput => {
                    return done(self.needs_input(session));
                }
                SessionStatus::Failed => return done(self.session_failed(session).await),
                SessionStatus::Other(status) => {
                    let next = steps::unknown_status(self.server.listed(), status);
                    let progress = session.progress.unwrap_or(0.0);
                    let mut outcome =
                        self.outcome("needs_attention", Some(&session), None, progress, next);
                    outcome.messages = newest_model_messages(session);
                    return done(outcome);
                }
                SessionStatus::Thinking
                    if self.server.shared.wait_memory.unchanged_for(&session) > stall_after =>
                {
                    return done(self.stuck(session, stall_after));
                }
                _ => {}
            }
            // While the agent thinks, a video_id is the previous video's (a chat follow-up):
            // only once it renders or is done does the id name the video to wait for.
            let rendering = matches!(
                session.status,
                SessionStatus::Generating | SessionStatus::Completed
            );
            match session.video_id.clone().filter(|_| rendering) {
                // Go straight on to the video: it may already be done.
                Some(video_id) => {
                    self.video_id = Some(video_id);
                    fresh_progress = session.progress;
                }
                None if session.status == SessionStatus::Completed => {
                    let next = self.server.listed().pick(
                        "list_video_agent_session_videos",
                        "The session completed without a video_id: call list_video_agent_session_videos for its videos.",
                        "The session completed without a video_id: its videos are in HeyGen (https://app.heygen.com).",
                    );
                    return done(self.outcome(
                        "completed",
                        Some(&session),
                        None,
                        100.0,
                        next.into(),
                    ));
                }
                None => {
                    let progress = session.progress.unwrap_or(0.0);
                    let status = describe_session(&session.status, progress);
                    return Ok(Step::Continue { progress, status });
                }
            }
        }
        let Some(video_id) = self.video_id.clone() else {
            return Err(ApiError::InvalidInput("give session_id or video_id".into()));
        };
        self.polls += 1;
        let video = client.get_video(&video_id).await?;
        match video.status {
            VideoStatus::Completed | VideoStatus::Failed => {
                return done(self.video_done(video));
            }
            _ => {}
        }
        // The video has no progress of its own; the session has, while it still answers.
        if let (None, true, Some(session_id)) =
            (fresh_progress, self.session_answers, &self.session_id)
        {
            self.polls += 1;
            match client.get_video_agent_session(session_id).await {
                Ok(session) => fresh_progress = session.progress,
                Err(e) if e.status() == Some(404) => self.session_answers = false,
                Err(_) => {}
            }
        }
        // Never report less than was already seen (the session may stop answering).
        let progress = fresh_progress.unwrap_or(0.0).max(self.progress);
        Ok(Step::Continue {
            progress,
            status: format!("rendering, {progress:.0} %"),
        })
    }

    /// Sleeps, sending a progress heartbeat at least every [`HEARTBEAT`] so a host that
    /// resets its timeout on progress keeps the call alive; a cancel ends the sleep at once.
    async fn sleep_with_heartbeat(
        &mut self,
        pause: Duration,
        status: &str,
    ) -> Result<(), ApiError> {
        let until = Instant::now() + pause;
        loop {
            let now = Instant::now();
            if now >= until {
                return Ok(());
            }
            let chunk = (until - now).min(HEARTBEAT);
            tokio::select! {
                () = self.ctx.ct.cancelled() => return Err(ApiError::Cancelled),
                () = self.server.settings().stopping.cancelled() => return Ok(()),
                () = tokio::time::sleep(chunk) => {}
            }
            if Instant::now() < until {
                self.notify(status).await;
            }
        }
    }

    /// The session endpoint answered 404. HeyGen does that for sessions that exist, so it is
    /// waited through: the session's video list (and, for a session seen before, the
    /// account's newest videos with its title) may already name the video to follow.
    async fn session_not_found(&mut self, session_id: &str) -> Result<Step, ApiError> {
        self.session_404s += 1;
        let client = &self.server.client;
        self.polls += 1;
        if let Ok(page) = client.list_video_agent_session_videos(session_id).await
            && let Some(video) = page.data.into_iter().next()
            && !video.id.is_empty()
        {
            self.video_id = Some(video.id);
            return Ok(Step::Continue {
                progress: self.progress,
                status: "found the session's video".into(),
            });
        }
        if let (Some(title), Some(since)) = (self.title.clone(), self.created_at) {
            self.polls += 1;
            let query = ListVideosQuery {
                limit: Some(20),
                ..ListVideosQuery::default()
            };
            if let Ok(page) = client.list_videos(&query).await
                && let Some(video) = page.data.into_iter().find(|v| {
                    v.title.as_deref() == Some(title.as_str())
                        && v.created_at.is_some_and(|at| at >= since)
                        && !v.id.is_empty()
                })
            {
                self.video_id = Some(video.id);
                return Ok(Step::Continue {
                    progress: self.progress,
                    status: "found the session's video".into(),
                });
            }
        }
        Ok(Step::Continue {
            progress: self.progress,
            status: format!(
                "HeyGen's session endpoint answered 404 {} time(s), as it does for a while for sessions that exist",
                self.session_404s
            ),
        })
    }

    /// Sends a progress notification if the caller asked for them. Progress must rise on
    /// every notification, so a poll that saw no change still nudges it up a little.
    async fn notify(&mut self, status: &str) {
        let Some(token) = &self.token else { return };
        let value = self
            .progress
            .clamp(0.0, 99.0)
            .max(self.sent + 0.1)
            .min(99.9);
        if value <= self.sent || self.ctx.ct.is_cancelled() {
            return;
        }
        self.sent = value;
        let param = ProgressNotificationParam::new(token.clone(), value)
            .with_total(100.0)
            .with_message(status.to_owned());
        if let Err(e) = self.ctx.peer.notify_progress(param).await {
            tracing::debug!("progress notification not sent: {e}");
        }
    }

    fn outcome(
        &self,
        state: &str,
        session: Option<&Session>,
        video: Option<VideoDetail>,
        progress: f64,
        next_step: String,
    ) -> WaitOutcome {
        WaitOutcome {
            state: state.into(),
            session_id: self.session_id.clone(),
            title: session
                .and_then(|s| s.title.clone())
                .or_else(|| video.as_ref().and_then(|v| v.title.clone()))
                .or_else(|| self.title.clone())
                .filter(|t| !t.trim().is_empty()),
            video_id: self.video_id.clone(),
            session_status: session.map(|s| s.status.to_string()),
            video_status: video.as_ref().map(|v| v.status.to_string()),
            progress,
            video: video.map(|v| VideoView::new(v, self.server.listed())),
            messages: Vec::new(),
            waited_seconds: (self.started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
            polls: self.polls,
            next_step,
        }
    }

    fn needs_input(&self, session: Session) -> WaitOutcome {
        let progress = session.progress.unwrap_or(0.0);
        let next = steps::storyboard(self.server.listed());
        let mut outcome = self.outcome("needs_input", Some(&session), None, progress, next);
        outcome.messages = newest_model_messages(session);
        outcome
    }

    async fn session_failed(&mut self, session: Session) -> WaitOutcome {
        let mut video = None;
        if let Some(video_id) = session.video_id.clone() {
            self.video_id = Some(video_id.clone());
            self.polls += 1;
            video = self.server.client.get_video(&video_id).await.ok();
        }
        let listed = self.server.listed();
        let said_why = session
            .messages
            .iter()
            .any(|m| m.role != "user" && !m.content.trim().is_empty());
        let next = match &video {
            Some(video) => steps::failure(listed, video),
            None if said_why => steps::session(listed, &SessionStatus::Failed, None),
            None => steps::no_reason(listed),
        };
        let progress = session.progress.unwrap_or(0.0);
        let mut outcome = self.outcome("failed", Some(&session), video, progress, next);
        outcome.messages = newest_model_messages(session);
        outcome
    }

    fn stuck(&self, session: Session, stall_after: Duration) -> WaitOutcome {
        let stop = self.server.listed().pick(
            "stop_video_agent_session",
            "stop it (stop_video_agent_session) and start over",
            "stop it in HeyGen (https://app.heygen.com) and start over",
        );
        let next = format!(
            "The agent has been thinking for over {} with no change: it may be stuck. Ask the user whether to keep waiting (call wait_for_video again) or {stop}.",
            describe_duration(stall_after)
        );
        let progress = session.progress.unwrap_or(0.0);
        let mut outcome = self.outcome("stuck", Some(&session), None, progress, next);
        outcome.messages = newest_model_messages(session);
        outcome
    }

    fn video_done(&self, video: VideoDetail) -> WaitOutcome {
        let (state, progress) = match video.status {
            VideoStatus::Completed => ("completed", 100.0),
            _ => ("failed", self.progress),
        };
        let next = steps::video(self.server.listed(), &video);
        self.outcome(state, None, Some(video), progress, next)
    }

    fn still_running(&self, status: &str) -> WaitOutcome {
        let id = match (&self.video_id, &self.session_id) {
            (Some(video_id), _) => format!("video_id {video_id}"),
            (None, Some(session_id)) => format!("session_id {session_id}"),
            (None, None) => String::new(),
        };
        let next = if self.session_404s > 0 && self.video_id.is_none() {
            format!(
                "HeyGen's session endpoint keeps answering 404 ({} times in this wait); it does so for a while for sessions that exist, so nothing is lost: call wait_for_video again with {id}. If it still answers 404 after about 10 minutes, look for the video {}.",
                self.session_404s,
                self.server.listed().pick(
                    "list_videos",
                    "with list_videos",
                    "in HeyGen (https://app.heygen.com)"
                )
            )
        } else {
            format!(
                "Not finished yet ({status}). Nothing is lost: tell the user how it is going and call wait_for_video again with {id}."
            )
        };
        self.outcome("still_running", None, None, self.progress, next)
    }
}

fn done(outcome: WaitOutcome) -> Result<Step, ApiError> {
    Ok(Step::Done(Box::new(outcome)))
}

fn describe_session(status: &SessionStatus, progress: f64) -> String {
    match status {
        SessionStatus::Thinking => "the agent is thinking".into(),
        SessionStatus::Generating => format!("generating, {progress:.0} %"),
        other => other.to_string(),
    }
}

/// "45 seconds", "1 minute", "10 minutes".
fn describe_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..=89 => format!("{seconds} seconds"),
        _ => format!("{} minutes", (seconds + 30) / 60),
    }
}

fn newest_model_messages(session: Session) -> Vec<MessageView> {
    session
        .messages
        .into_iter()
        .filter(|m| m.role != "user")
        .take(3)
        .map(Into::into)
        .collect()
}
