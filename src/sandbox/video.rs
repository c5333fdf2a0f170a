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
    /// `reason` is None for a failure HeyGen reports without one.
    Failed {
        at: f64,
        reason: Option<Failure>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub code: &'static str,
    pub message: String,
}

/// The ids the user chose for a run (on create, or overridden by a message); a video
/// keeps those it was rendered with, for its scenes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Choices {
    pub avatar_id: Option<String>,
    pub voice_id: Option<String>,
    pub brand_kit_id: Option<String>,
    pub brand_glossary_id: Option<String>,
}

impl Choices {
    /// These choices with every id `overrides` sets replacing the one here.
    pub fn overridden_by(&self, overrides: &Choices) -> Choices {
        let pick = |new: &Option<String>, old: &Option<String>| new.clone().or_else(|| old.clone());
        Choices {
            avatar_id: pick(&overrides.avatar_id, &self.avatar_id),
            voice_id: pick(&overrides.voice_id, &self.voice_id),
            brand_kit_id: pick(&overrides.brand_kit_id, &self.brand_kit_id),
            brand_glossary_id: pick(&overrides.brand_glossary_id, &self.brand_glossary_id),
        }
    }
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
    /// The failure at `fail_at` carries no code, message or title.
    pub fail_quietly: bool,
    pub stopped_at: Option<f64>,
    pub choices: Choices,
}

impl Video {
    /// Sort key for "newest first": videos come into being lazily, in whatever order
    /// sessions are advanced, so order by the simulated instant, then by id.
    pub fn order_key(&self) -> u64 {
        let millis = (self.render_start * 1000.0) as u64;
        (millis << 20) | (self.seq & 0xF_FFFF)
    }

    /// The title as HeyGen shows it: empty once the video has failed without a reason.
    pub fn shown_title(&self, now: f64) -> &str {
        match self.state(now) {
            VideoState::Failed { reason: None, .. } => "",
            _ => &self.title,
        }
    }

    pub fn state(&self, now: f64) -> VideoState {
        if let Some(at) = self.stopped_at.filter(|at| *at <= now) {
            return VideoState::Failed {
                at,
                reason: Some(Failure {
                    code: "stopped",
                    message: "The session was stopped before rendering finished.".to_string(),
                }),
            };
        }
        if let Some(at) = self.fail_at.filter(|at| *at <= now) {
            let reason = (!self.fail_quietly).then(|| Failure {
                code: "sandbox_render_failed",
                message: format!(
                    "Rendering failed: the sandbox was asked to fail this render with \
                     the {} marker.",
                    script::FAIL_MARKER
                ),
            });
            return VideoState::Failed { at, reason };
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
