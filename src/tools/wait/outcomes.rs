//! What a wait reports: one [`WaitOutcome`] per way it can end, each with the next step.

use std::time::Duration;

use super::WaitOutcome;
use super::waiter::Waiter;
use crate::api::types::{Session, SessionStatus, VideoDetail, VideoStatus};
use crate::tools::steps;
use crate::tools::views::{MessageView, VideoView};

impl Waiter<'_> {
    pub(super) fn outcome(
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

    pub(super) fn needs_input(&self, session: Session) -> WaitOutcome {
        let progress = session.progress.unwrap_or(0.0);
        let next = steps::storyboard(self.server.listed());
        let mut outcome = self.outcome("needs_input", Some(&session), None, progress, next);
        outcome.messages = newest_model_messages(session);
        outcome
    }

    pub(super) async fn session_failed(&mut self, session: Session) -> WaitOutcome {
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

    pub(super) fn stuck(&self, session: Session, stall_after: Duration) -> WaitOutcome {
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

    pub(super) fn video_done(&self, video: VideoDetail) -> WaitOutcome {
        let (state, progress) = match video.status {
            VideoStatus::Completed => ("completed", 100.0),
            _ => ("failed", self.progress),
        };
        let next = steps::video(self.server.listed(), &video);
        self.outcome(state, None, Some(video), progress, next)
    }

    pub(super) fn still_running(&self, status: &str) -> WaitOutcome {
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

/// "45 seconds", "2 minutes", "10 minutes".
fn describe_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..=89 => format!("{seconds} seconds"),
        _ => format!("{} minutes", (seconds + 30) / 60),
    }
}

pub(super) fn newest_model_messages(session: Session) -> Vec<MessageView> {
    session
        .messages
        .into_iter()
        .filter(|m| m.role != "user")
        .take(3)
        .map(Into::into)
        .collect()
}
