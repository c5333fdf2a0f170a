//! A rendered (or rendering) video. Its status is a pure function of the simulated
//! clock, so `GET /v3/videos/{id}` needs no session to be advanced.

use super::script;

/// Share of the render window a video spends `pending` before `processing`.
const PENDING_SHARE: f64 = 0.15;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VideoState {
    Pending,
    Processing,
    Completed {
        at: f64,
    },
    Failed {
        at: f64,
        code: &'static str,
        message: String,
    },
}

#[derive(Debug)]
pub(crate) struct Video {
    pub id: String,
    pub seq: u64,
    pub title: String,
    pub portrait: bool,
    pub duration: f64,
    pub scenes: Vec<String>,
    pub created_at: i64,
    pub render_start: f64,
    pub render_end: f64,
    pub fail_at: Option<f64>,
    pub stopped_at: Option<f64>,
}

impl Video {
    /// Sort key for "newest first": videos come into being lazily, in whatever order
    /// sessions are advanced, so order by the simulated instant, then by id.
    pub fn order_key(&self) -> u64 {
        let millis = (self.render_start * 1000.0) as u64;
        (millis << 20) | (self.seq & 0xF_FFFF)
    }

    pub fn state(&self, now: f64) -> VideoState {
        if let Some(at) = self.stopped_at.filter(|at| *at <= now) {
            return VideoState::Failed {
                at,
                code: "stopped",
                message: "The session was stopped before rendering finished.".to_string(),
            };
        }
        if let Some(at) = self.fail_at.filter(|at| *at <= now) {
            return VideoState::Failed {
                at,
                code: "sandbox_render_failed",
                message: format!(
                    "Rendering failed: the sandbox was asked to fail this render with \
                     the {} marker.",
                    script::FAIL_MARKER
                ),
            };
        }
        if now >= self.render_end {
            VideoState::Completed {
                at: self.render_end,
            }
        } else if now < self.render_start + PENDING_SHARE * (self.render_end - self.render_start) {
            VideoState::Pending
        } else {
            VideoState::Processing
        }
    }
}
