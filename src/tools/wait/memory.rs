//! What `wait_for_video` remembers between calls.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::api::types::Session;

/// What waits remember across calls, per id: how long each session has shown the same
/// status, progress and messages (a stall shows over many short waits, not within one), and
/// the polling delay a timed-out wait had reached, so the next call resumes it instead of
/// starting fast again. Entries unused for a day are dropped.
#[derive(Default)]
pub struct Memory {
    stalls: Mutex<HashMap<String, (Snapshot, Instant)>>,
    delays: Mutex<HashMap<String, (Duration, Instant)>>,
}

type Snapshot = (String, u64, usize);

const FORGET_AFTER: Duration = Duration::from_secs(86_400);

impl Memory {
    pub(super) fn unchanged_for(&self, session: &Session) -> Duration {
        let now = (
            session.status.to_string(),
            session.progress.unwrap_or(0.0).to_bits(),
            session.messages.len(),
        );
        let Ok(mut seen) = self.stalls.lock() else {
            return Duration::ZERO;
        };
        seen.retain(|_, (_, since)| since.elapsed() < FORGET_AFTER);
        let entry = seen
            .entry(session.session_id.clone())
            .or_insert_with(|| (now.clone(), Instant::now()));
        if entry.0 != now {
            *entry = (now, Instant::now());
        }
        entry.1.elapsed()
    }

    /// The delay a previous, timed-out wait on `key` had reached.
    pub(super) fn resume_delay(&self, key: &str) -> Option<Duration> {
        let mut delays = self.delays.lock().ok()?;
        delays.retain(|_, (_, at)| at.elapsed() < FORGET_AFTER);
        delays.remove(key).map(|(delay, _)| delay)
    }

    pub(super) fn remember_delay(&self, key: String, delay: Duration) {
        if let Ok(mut delays) = self.delays.lock() {
            delays.insert(key, (delay, Instant::now()));
        }
    }
}
