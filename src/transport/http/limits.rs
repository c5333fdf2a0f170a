//! Per-caller limits: how many requests one caller may have in flight, and how fast it may
//! send them. A caller is whoever holds a credential (see [`super::auth::Admitted`]); one
//! noisy caller slows only itself. A caller with nothing in flight and a full bucket is
//! forgotten (it is the same as a new one), so the table holds only recent callers. Limits are per replica, as they should be: each
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

/// Past this many callers the table is swept (at most once a second).
const SWEEP_ABOVE: usize = 10_000;
/// Past this many (after a sweep), new callers wait: a flood of made-up keys cannot grow
/// the table without bound.
const MOST_CALLERS: usize = 100_000;

pub struct Limits {
    settings: LimitSettings,
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    callers: HashMap<u64, Caller>,
    swept: Option<Instant>,
}

struct Caller {
    in_flight: Arc<Semaphore>,
    tokens: f64,
    refilled: Instant,
}

impl Caller {
    /// Nothing in flight and a full bucket: the same as a caller never seen.
    fn is_idle(&self, now: Instant, settings: &LimitSettings) -> bool {
        let refill = now.duration_since(self.refilled).as_secs_f64() * settings.per_second;
        self.in_flight.available_permits() == settings.concurrent
            && self.tokens + refill >= settings.burst
    }
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
            table: Mutex::default(),
        }
    }

    pub fn admit(&self, caller: u64) -> Admission {
        let Ok(mut table) = self.table.lock() else {
            return Admission::Later(1, "the server is busy");
        };
        let now = Instant::now();
        let settings = self.settings;
        if table.callers.len() > SWEEP_ABOVE
            && table
                .swept
                .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1))
        {
            table.swept = Some(now);
            table.callers.retain(|_, c| !c.is_idle(now, &settings));
        }
        if table.callers.len() >= MOST_CALLERS && !table.callers.contains_key(&caller) {
            return Admission::Later(1, "the server is busy");
        }
        let entry = table.callers.entry(caller).or_insert_with(|| Caller {
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

    #[test]
    fn idle_callers_are_forgotten() {
        let limits = Limits::new(LimitSettings {
            concurrent: 1,
            per_second: 1_000_000.0,
            burst: 1.0,
        });
        let held = limits.admit(0);
        for caller in 1..=(SWEEP_ABOVE as u64 + 10) {
            drop(limits.admit(caller));
        }
        // Swept once the table passed SWEEP_ABOVE: what is left came after the sweep.
        let left = limits
            .table
            .lock()
            .map(|t| t.callers.len())
            .unwrap_or_default();
        assert!(left < 100, "idle callers forgotten: {left} left");
        assert!(matches!(held, Admission::Go(_)));
        assert!(
            matches!(limits.admit(0), Admission::Later(..)),
            "still busy"
        );
    }
}
