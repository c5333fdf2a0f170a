//! The polling behind `wait_for_video` (and each `tasks/get`): one session or video followed
//! until it is done, needs the user, or time is up.

use std::time::{Duration, Instant};

use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::RequestContext;

use super::outcomes::newest_model_messages;
use super::{WaitOutcome, WaitSettings};
use crate::api::ApiError;
use crate::api::types::{ListVideosQuery, SessionStatus, VideoStatus};
use crate::tools::HeyGenServer;
use crate::tools::steps;

pub(super) struct Waiter<'a> {
    pub(super) server: &'a HeyGenServer,
    pub(super) ctx: &'a RequestContext<RoleServer>,
    pub(super) token: Option<ProgressToken>,
    /// The last progress value sent; each notification must be larger.
    pub(super) sent: f64,
    /// The highest progress seen.
    pub(super) progress: f64,
    /// The pause before the next poll; grows from `first_delay` to `max_delay`.
    pub(super) delay: Duration,
    pub(super) started: Instant,
    pub(super) deadline: Instant,
    pub(super) polls: u32,
    pub(super) session_id: Option<String>,
    pub(super) video_id: Option<String>,
    /// The session's title and creation time, once seen.
    pub(super) title: Option<String>,
    pub(super) created_at: Option<i64>,
    /// False once the session endpoint 404s after the video was assigned.
    pub(super) session_answers: bool,
    /// Session 404s in a row before a video_id is known.
    pub(super) session_404s: u32,
    /// 429s in a row: each one slows the polling down further.
    pub(super) rate_limited: u32,
    /// Poll once and report, instead of waiting (tasks).
    pub(super) once: bool,
    /// What the last poll found, in words ("rendering, 40 %").
    pub(super) status: String,
}

/// A waiting call sends progress at least this often (hosts time out calls that go quiet).
const HEARTBEAT: Duration = Duration::from_secs(25);

/// How long a wait backs off at most after repeated rate limits.
const MAX_RATE_LIMITED_DELAY: Duration = Duration::from_secs(120);

/// What one poll found.
enum Step {
    Done(Box<WaitOutcome>),
    Continue { progress: f64, status: String },
}

impl<'a> Waiter<'a> {
    pub(super) fn new(
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

    pub(super) async fn run(&mut self, settings: WaitSettings) -> Result<WaitOutcome, ApiError> {
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

    pub(super) async fn poll_until_done(
        &mut self,
        settings: WaitSettings,
    ) -> Result<WaitOutcome, ApiError> {
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
