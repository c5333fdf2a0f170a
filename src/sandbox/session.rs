//! The Video Agent state machine.
//!
//! generate: thinking → (storyboard, auto-approved) → generating → completed | failed.
//! chat: thinking → [waiting_for_input →] reviewing ⇄ (revision: thinking → reviewing)
//! → approval → generating → completed; a later message starts another
//! thinking → generating → completed run with a new video.
//!
//! With the consent marker in the prompt, the first thinking step ends in
//! `pending_consent` (an avatar's owner must consent; a status outside HeyGen's documented
//! enum, seen by third-party clients), where the session stays: consent never arrives.
//!
//! Stop: HeyGen's statuses have no `stopped`, and a stopped run will not finish, so a
//! session stopped while thinking, generating or pending consent becomes `failed`
//! (pollers waiting for a terminal status return) and its video, if rendering, `failed`
//! with failure_code `stopped`. A session pending consent is mid-run, blocked on someone
//! other than the user, so it counts as busy: it takes no messages, and stop ends the run.
//! Stopping an idle session (reviewing, waiting, completed, failed) is a no-op.
//! Storyboards and earlier videos stay readable ("partial results are preserved").

use super::envelope::ApiError;
use super::script::{self, Markers};
use super::state::{Resource, Store};
use super::video::{Choices, Video, VideoState};

/// Simulated seconds (at time scale 1) the agent thinks before each answer.
const THINK_SECS: f64 = 1.0;
/// Progress shown while a session waits for an avatar owner's consent: thinking is done.
const CONSENT_PROGRESS: u8 = 15;
const MAX_MESSAGES: usize = 40;

/// Render time: a 30-second video renders in 5 simulated seconds.
fn render_secs(duration: f64) -> f64 {
    (duration / 6.0).clamp(2.0, 60.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Generate,
    Chat,
}

/// What the agent produces when its thinking ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Question,
    Storyboard,
    Render,
}

/// How the next render was asked to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RenderFault {
    Fail,
    FailQuiet,
}

impl RenderFault {
    fn from_markers(markers: Markers) -> Option<Self> {
        if markers.fail_quiet {
            Some(Self::FailQuiet)
        } else if markers.fail {
            Some(Self::Fail)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone)]
enum Phase {
    Thinking { until: f64, next: Next },
    PendingConsent,
    WaitingForInput,
    Reviewing,
    Generating { video_id: String, until: f64 },
    Completed,
    Failed,
}

#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub role: &'static str,
    pub kind: &'static str,
    pub content: String,
    pub created_at: i64,
    pub resource_ids: Option<Vec<String>>,
}

#[derive(Debug)]
pub(crate) struct Session {
    pub id: String,
    pub seq: u64,
    pub mode: Mode,
    pub prompt: String,
    pub title: String,
    pub portrait: bool,
    pub created_at: i64,
    duration: f64,
    phase: Phase,
    phase_since: f64,
    progress_at_failure: u8,
    /// Chronological; shown newest first.
    pub messages: Vec<Message>,
    /// Chronological.
    pub videos: Vec<String>,
    scenes: Vec<String>,
    revisions: u32,
    render_fault: Option<RenderFault>,
    /// The first thinking step ends in `pending_consent`.
    await_consent: bool,
    /// Avatar, voice and brand ids for the next render.
    choices: Choices,
}

/// What `POST /v3/video-agents` asked for, already validated.
#[derive(Debug)]
pub(crate) struct NewSession {
    pub prompt: String,
    pub mode: Mode,
    pub portrait: Option<bool>,
    pub choices: Choices,
}

impl Session {
    pub fn status(&self) -> &'static str {
        match self.phase {
            Phase::Thinking { .. } => "thinking",
            Phase::PendingConsent => "pending_consent",
            Phase::WaitingForInput => "waiting_for_input",
            Phase::Reviewing => "reviewing",
            Phase::Generating { .. } => "generating",
            Phase::Completed => "completed",
            Phase::Failed => "failed",
        }
    }

    pub fn progress(&self, now: f64) -> u8 {
        let share = |from: f64, until: f64| ((now - from) / (until - from)).clamp(0.0, 1.0);
        match &self.phase {
            Phase::Thinking { until, .. } => 5 + (10.0 * share(self.phase_since, *until)) as u8,
            Phase::PendingConsent => CONSENT_PROGRESS,
            Phase::WaitingForInput | Phase::Reviewing => 20,
            Phase::Generating { until, .. } => 20 + (79.0 * share(self.phase_since, *until)) as u8,
            Phase::Completed => 100,
            Phase::Failed => self.progress_at_failure,
        }
    }

    pub fn video_id(&self) -> Option<&str> {
        self.videos.last().map(String::as_str)
    }

    fn is_busy(&self) -> bool {
        matches!(
            self.phase,
            Phase::Thinking { .. } | Phase::Generating { .. } | Phase::PendingConsent
        )
    }
}

impl Store {
    pub fn create_session(&mut self, new: NewSession) -> String {
        let (id, seq) = self.next_id("session");
        let markers = Markers::scan(&new.prompt);
        let now = self.now;
        let next = if new.mode == Mode::Chat && markers.ask {
            Next::Question
        } else {
            Next::Storyboard
        };
        let duration = script::expected_duration(&new.prompt);
        let session = Session {
            id: id.clone(),
            seq,
            mode: new.mode,
            title: script::title(&new.prompt),
            portrait: new
                .portrait
                .unwrap_or_else(|| script::wants_portrait(&new.prompt)),
            created_at: self.unix_now(),
            duration,
            phase: thinking(now, markers, next),
            phase_since: now,
            progress_at_failure: 0,
            messages: vec![user_message(&new.prompt, self.unix_now())],
            videos: Vec::new(),
            scenes: script::scenes(&new.prompt, duration, None),
            revisions: 0,
            render_fault: RenderFault::from_markers(markers),
            await_consent: markers.consent,
            choices: new.choices,
            prompt: new.prompt,
        };
        self.sessions.insert(id.clone(), session);
        id
    }

    /// Moves a session through every transition due by now, creating storyboards and
    /// videos at the simulated instant they happened.
    pub fn advance(&mut self, session_id: &str) {
        let Some(mut session) = self.sessions.remove(session_id) else {
            return;
        };
        loop {
            match session.phase.clone() {
                Phase::Thinking { until, .. } if until <= self.now && session.await_consent => {
                    session.await_consent = false;
                    let text = "The avatar chosen for this video needs its owner's consent \
                                before it can be used; I have asked for it and will continue \
                                once it is given. (sandbox: consent never arrives; stop the \
                                session to end this run.)";
                    self.say(&mut session, until, "text", text, None);
                    set_phase(&mut session, Phase::PendingConsent, until);
                }
                Phase::Thinking { until, next } if until <= self.now => match next {
                    Next::Question => {
                        let question = "Before I draft the storyboard: should the narration \
                                        sound formal or casual? (sandbox question)";
                        self.say(&mut session, until, "text", question, None);
                        set_phase(&mut session, Phase::WaitingForInput, until);
                    }
                    Next::Storyboard => {
                        self.storyboard(&mut session, until);
                        if session.mode == Mode::Generate {
                            self.start_render(&mut session, until);
                        } else {
                            set_phase(&mut session, Phase::Reviewing, until);
                        }
                    }
                    Next::Render => self.start_render(&mut session, until),
                },
                Phase::Generating { video_id, until } => {
                    let state = self.videos.get(&video_id).map(|v| v.state(self.now));
                    match state {
                        Some(VideoState::Failed { at, reason }) => {
                            session.progress_at_failure = session.progress(at);
                            // A failure without a reason leaves no message either.
                            if let Some(reason) = reason {
                                self.say(&mut session, at, "error", &reason.message, None);
                            }
                            set_phase(&mut session, Phase::Failed, at);
                        }
                        // A deleted video still finishes on the session's clock.
                        Some(VideoState::Completed { .. }) | None if until <= self.now => {
                            let text = format!(
                                "Your video is ready: \"{}\" (video_id {video_id}).",
                                session.title
                            );
                            self.say(&mut session, until, "text", &text, None);
                            set_phase(&mut session, Phase::Completed, until);
                        }
                        _ => break,
                    }
                }
                _ => break,
            }
        }
        self.sessions.insert(session.id.clone(), session);
    }

    pub fn advance_all(&mut self) {
        let ids: Vec<String> = self.sessions.keys().cloned().collect();
        for id in ids {
            self.advance(&id);
        }
    }

    /// `POST /v3/video-agents/{id}`: returns the run id. The ids `overrides` sets apply to
    /// this run and the ones after it.
    pub fn send_message(
        &mut self,
        session_id: &str,
        text: &str,
        overrides: &Choices,
    ) -> Result<String, ApiError> {
        self.advance(session_id);
        let now = self.now;
        let unix_now = self.unix_now();
        let (run_id, _) = self.next_id("run");
        let session = self
            .sessions
            .get_mut(session_id)
            .ok_or_else(|| ApiError::not_found("Session", session_id))?;
        if session.mode != Mode::Chat {
            return Err(ApiError::invalid_request(
                "Follow-up messages are only accepted for sessions created with mode \
                 'chat'; this session was created in 'generate' mode.",
            ));
        }
        if session.is_busy() {
            return Err(ApiError::invalid_request(format!(
                "The session is {}; send a message once it is reviewing, \
                 waiting_for_input, completed or failed.",
                session.status()
            )));
        }
        let markers = Markers::scan(text);
        if let Some(fault) = RenderFault::from_markers(markers) {
            session.render_fault = Some(fault);
        }
        session.choices = session.choices.overridden_by(overrides);
        session.messages.push(user_message(text, unix_now));
        let next = match session.phase {
            Phase::Reviewing if script::is_approval(text) => None,
            Phase::Reviewing => {
                session.revisions += 1;
                session.scenes = script::scenes(
                    &session.prompt,
                    session.duration,
                    Some((session.revisions, text)),
                );
                Some(Next::Storyboard)
            }
            Phase::WaitingForInput => Some(Next::Storyboard),
            _ => {
                // A follow-up after a finished run: a new video, shaped by the message.
                session.revisions += 1;
                if let Some(duration) = script::named_duration(text) {
                    session.duration = duration;
                }
                session.scenes = script::scenes(
                    &session.prompt,
                    session.duration,
                    Some((session.revisions, text)),
                );
                Some(Next::Render)
            }
        };
        match next {
            Some(next) => set_phase(session, thinking(now, markers, next), now),
            None => {
                let mut session = self
                    .sessions
                    .remove(session_id)
                    .ok_or_else(|| ApiError::not_found("Session", session_id))?;
                self.start_render(&mut session, now);
                self.sessions.insert(session.id.clone(), session);
            }
        }
        Ok(run_id)
    }

    /// `POST /v3/video-agents/{id}/stop`.
    pub fn stop(&mut self, session_id: &str) -> Result<(), ApiError> {
        self.advance(session_id);
        let now = self.now;
        let mut session = self
            .sessions
            .remove(session_id)
            .ok_or_else(|| ApiError::not_found("Session", session_id))?;
        if session.is_busy() {
            if let Phase::Generating { video_id, .. } = &session.phase
                && let Some(video) = self.videos.get_mut(video_id)
            {
                video.stopped_at = Some(now);
            }
            session.progress_at_failure = session.progress(now);
            let text = "Stopped at your request before this run finished.";
            self.say(&mut session, now, "text", text, None);
            set_phase(&mut session, Phase::Failed, now);
        }
        self.sessions.insert(session.id.clone(), session);
        Ok(())
    }

    fn say(
        &self,
        session: &mut Session,
        at: f64,
        kind: &'static str,
        content: &str,
        resource_ids: Option<Vec<String>>,
    ) {
        session.messages.push(Message {
            role: "model",
            kind,
            content: content.to_string(),
            created_at: self.clock.unix_at(at),
            resource_ids,
        });
    }

    fn storyboard(&mut self, session: &mut Session, at: f64) {
        let count = session.scenes.len();
        let mut ids = Vec::new();
        let mut lines = Vec::new();
        for (i, text) in session.scenes.iter().enumerate() {
            let (id, _) = self.next_id("resource");
            self.resources.insert(
                id.clone(),
                Resource {
                    id: id.clone(),
                    session_id: session.id.clone(),
                    scene: i + 1,
                    scenes: count,
                    text: text.clone(),
                    revision: session.revisions,
                    portrait: session.portrait,
                    created_at: self.clock.unix_at(at),
                },
            );
            ids.push(id);
            lines.push(format!("{}. {text}", i + 1));
        }
        let heading = match (session.revisions, session.mode) {
            (0, Mode::Generate) => "Storyboard (generate mode proceeds to rendering):".to_string(),
            (0, Mode::Chat) => "Here is the storyboard:".to_string(),
            (n, _) => format!("Revised storyboard (revision {n}) with your changes:"),
        };
        let ask = if session.mode == Mode::Chat {
            "\nReply to approve it (for example \"looks good, go ahead\") or say what to change."
        } else {
            ""
        };
        let content = format!(
            "{heading}\n{}\nAbout {} seconds, {count} scenes.{ask}",
            lines.join("\n"),
            session.duration.round()
        );
        self.say(session, at, "resource", &content, Some(ids));
    }

    fn start_render(&mut self, session: &mut Session, at: f64) {
        let (id, seq) = self.next_id("video");
        let window = render_secs(session.duration);
        let title = match session.videos.len() {
            0 => session.title.clone(),
            n => format!("{} (version {})", session.title, n + 1),
        };
        let fault = session.render_fault.take();
        let fail_at = fault.map(|_| at + window / 2.0);
        self.videos.insert(
            id.clone(),
            Video {
                id: id.clone(),
                seq,
                title,
                portrait: session.portrait,
                duration: session.duration,
                scenes: session.scenes.clone(),
                created_at: self.clock.unix_at(at),
                render_start: at,
                render_end: at + window,
                fail_at,
                fail_quietly: fault == Some(RenderFault::FailQuiet),
                stopped_at: None,
                choices: session.choices.clone(),
            },
        );
        let text = format!("Rendering your video now (video_id {id}).");
        self.say(session, at, "text", &text, None);
        session.videos.push(id.clone());
        let phase = Phase::Generating {
            video_id: id,
            until: at + window,
        };
        set_phase(session, phase, at);
    }
}

fn thinking(now: f64, markers: Markers, next: Next) -> Phase {
    let until = if markers.stall {
        f64::INFINITY
    } else {
        now + THINK_SECS
    };
    Phase::Thinking { until, next }
}

fn set_phase(session: &mut Session, phase: Phase, at: f64) {
    session.phase = phase;
    session.phase_since = at;
}

fn user_message(text: &str, created_at: i64) -> Message {
    Message {
        role: "user",
        kind: "text",
        content: text.to_string(),
        created_at,
        resource_ids: None,
    }
}

/// Newest first, at most 40, as `GET /v3/video-agents/{id}` shows them.
pub(crate) fn visible_messages(session: &Session) -> impl Iterator<Item = &Message> {
    session.messages.iter().rev().take(MAX_MESSAGES)
}
