//! Per-caller limits: how many requests one caller may have in flight, and how fast it may
//! send them. A caller is whoever holds a credential (see [`super::auth::AuthMode::caller_id`]);
//! one noisy caller slows only itself. Limits are per replica, as they should be: each
//! replica protects its own capacity.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What one caller may do at once and per second.
#[derive(Debug, Clone, Copy)]
pub struct LimitSettings {
    pub concurrent: usize,
    pub per_second: f64,
    pub burst: f64,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            concurrent: 32,
            per_second: 50.0,
            burst: 100.0,
        }
    }
}

/// A caller idle this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(600);

pub struct Limits {
    settings: LimitSettings,
    callers: Mutex<HashMap<u64, Caller>>,
}

struct Caller {
    in_flight: Arc<Semaphore>,
    tokens: f64,
    refilled: Instant,
}

/// The answer to "may this request go on?".
pub enum Admission {
    Go(OwnedSemaphorePermit),
    /// Come back in this many seconds (sent as `Retry-After`).
    Later(u64, &'static str),
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            callers: Mutex::default(),
        }
    }

    pub fn admit(&self, caller: u64) -> Admission {
        let Ok(mut callers) = self.callers.lock() else {
            return Admission::Later(1, "the server is busy");
        };
        let now = Instant::now();
        if callers.len() > 10_000 {
            callers.retain(|_, c| now.duration_since(c.refilled) < FORGET_AFTER);
        }
        let settings = self.settings;
        let entry = callers.entry(caller).or_insert_with(|| Caller {
            in_flight: Arc::new(Semaphore::new(settings.concurrent)),
            tokens: settings.burst,
            refilled: now,
        });
        let elapsed = now.duration_since(entry.refilled).as_secs_f64();
        entry.tokens = (entry.tokens + elapsed * settings.per_second).min(settings.burst);
        entry.refilled = now;
        if entry.tokens < 1.0 {
            let wait = ((1.0 - entry.tokens) / settings.per_second).ceil().max(1.0);
            return Admission::Later(wait as u64, "too many requests from this caller");
        }
        match entry.in_flight.clone().try_acquire_owned() {
            Ok(permit) => {
                entry.tokens -= 1.0;
                Admission::Go(permit)
            }
            Err(_) => Admission::Later(1, "too many requests in flight from this caller"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_is_limited_alone() {
        let limits = Limits::new(LimitSettings {
            concurrent: 2,
            per_second: 1.0,
            burst: 3.0,
        });
        let a1 = limits.admit(1);
        let a2 = limits.admit(1);
        assert!(matches!((&a1, &a2), (Admission::Go(_), Admission::Go(_))));
        assert!(
            matches!(limits.admit(1), Admission::Later(1, _)),
            "two in flight"
        );
        assert!(
            matches!(limits.admit(2), Admission::Go(_)),
            "another caller"
        );
        drop((a1, a2));
        assert!(matches!(limits.admit(1), Admission::Go(_)));
        assert!(
            matches!(limits.admit(1), Admission::Later(_, _)),
            "burst spent"
        );
    }
}
