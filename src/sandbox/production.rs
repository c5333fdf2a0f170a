//! How HeyGen answers `GET /v3/video-agents/{session_id}` in production, beyond the
//! contract, when a fault switch asks for it:
//!
//! - `session_404_fresh`: a session created while the switch is set answers its first N
//!   GETs with 404 (seen right after some chat-mode creates);
//! - `session_404_after_video`: a session that has a `video_id` answers 404 (vm0-ai/vm0
//!   #33077): clients must poll the video instead;
//! - `stale_after_send`: for S seconds (real time) after a chat message is accepted, the
//!   session reads exactly as it did just before that message.
//!
//! In that order: a fresh 404 is counted even when a later rule would answer anyway.
//! Only this GET is affected; the session's videos, its list entry and messages to it
//! behave as usual.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::envelope::ApiError;

#[derive(Debug, Default)]
pub(crate) struct SessionQuirks {
    /// GETs still to answer 404, per session created under `session_404_fresh`.
    fresh_404: HashMap<String, u64>,
    /// The view to answer instead of the live one, and until when.
    stale: HashMap<String, (Instant, Value)>,
}

impl SessionQuirks {
    /// A new session's first `count` GETs answer 404.
    pub fn hide_fresh(&mut self, session_id: &str, count: u64) {
        if count > 0 {
            self.fresh_404.insert(session_id.to_string(), count);
        }
    }

    /// Answer `view` (the session as it was before a message) for `seconds`.
    pub fn hold_stale(&mut self, session_id: &str, view: Value, seconds: f64) {
        if seconds > 0.0 {
            let until = Instant::now() + Duration::from_secs_f64(seconds);
            self.stale.insert(session_id.to_string(), (until, view));
        }
    }

    /// What `GET /v3/video-agents/{session_id}` answers, given the live view.
    pub fn session_view(
        &mut self,
        session_id: &str,
        live: Value,
        has_video: bool,
        hide_after_video: bool,
    ) -> Result<Value, ApiError> {
        if let Some(left) = self.fresh_404.get_mut(session_id) {
            *left -= 1;
            if *left == 0 {
                self.fresh_404.remove(session_id);
            }
            return Err(ApiError::not_found("Session", session_id));
        }
        if hide_after_video && has_video {
            return Err(ApiError::not_found("Session", session_id));
        }
        match self.stale.get(session_id) {
            Some((until, view)) if Instant::now() < *until => Ok(view.clone()),
            Some(_) => {
                self.stale.remove(session_id);
                Ok(live)
            }
            None => Ok(live),
        }
    }
}
