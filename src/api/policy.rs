//! How long to wait and whether to retry: the backoff, `Retry-After` (which only lengthens
//! a wait), and the per-request timeouts.

use std::time::Duration;

use super::ApiError;

/// When and how long to wait before retrying. See [`crate::api`] for the policy.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    /// The longest a single retry waits, however long `Retry-After` asks for.
    pub max_wait: Duration,
    /// The longest one call spends waiting for retries, in total.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
            budget: Duration::from_secs(45),
        }
    }
}

impl RetryPolicy {
    /// The floor for retry number `attempt` (0-based): exponential, capped by `max_wait`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.base_delay
            .saturating_mul(1 << attempt.min(6))
            .min(self.max_wait)
    }

    /// The wait before retry `attempt`: the backoff, lengthened (never shortened) by the
    /// server's `Retry-After`, clamped to `max_wait`.
    pub fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let asked = retry_after.unwrap_or_default().min(self.max_wait);
        self.backoff(attempt).max(asked)
    }
}

/// Per-request timeouts: reads answer fast; writes may make HeyGen do real work.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub read: Duration,
    pub write: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(30),
            write: Duration::from_secs(120),
        }
    }
}

/// The wait before retrying after `error`, or `None` when it must not be retried: a 429
/// always may (nothing was done), other transient failures only on idempotent requests.
pub(super) fn retry_wait(
    error: &ApiError,
    idempotent: bool,
    policy: &RetryPolicy,
    attempt: u32,
) -> Option<Duration> {
    match (error, error.status()) {
        (_, Some(429)) => Some(policy.wait(attempt, error.retry_after())),
        _ if idempotent && error.is_transient() => Some(policy.wait(attempt, error.retry_after())),
        _ => None,
    }
}
