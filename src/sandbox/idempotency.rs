//! `Idempotency-Key` on `POST /v3/assets` and `POST /v3/assets/direct-uploads`: within
//! 24 hours a repeated key on the same route gets the original response back, and a
//! repeat that arrives while the original is still running gets 409 `request_in_progress`.
//! Only successes are remembered, so a retry after an error is processed afresh.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::envelope::ApiError;
use super::state::Shared;

const HEADER: &str = "idempotency-key";
const KEEP_FOR: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug)]
enum Entry {
    InProgress,
    Done { at: Instant, data: Value },
}

/// Remembered keys, per route.
#[derive(Debug, Default)]
pub(crate) struct Keys(HashMap<(&'static str, String), Entry>);

pub(crate) enum Begin {
    /// Run the request; finish the claim with its result (no claim without a key).
    Proceed(Option<Claim>),
    /// The `data` of the original response.
    Replay(Value),
}

/// A key being processed. Dropped unfinished (e.g. the client went away), it frees the
/// key so a retry is not told "in progress" forever.
pub(crate) struct Claim {
    shared: Arc<Shared>,
    route: &'static str,
    key: String,
    finished: bool,
}

fn valid(key: &str) -> bool {
    (1..=255).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'))
}

pub(crate) fn begin(
    shared: &Arc<Shared>,
    route: &'static str,
    headers: &HeaderMap,
) -> Result<Begin, ApiError> {
    let Some(raw) = headers.get(HEADER) else {
        return Ok(Begin::Proceed(None));
    };
    let key = raw.to_str().ok().filter(|k| valid(k)).ok_or_else(|| {
        ApiError::invalid(
            "Idempotency-Key",
            "'Idempotency-Key' must be 1-255 characters from [A-Za-z0-9_:.-].",
        )
    })?;
    let mut keys = shared.idempotency();
    let slot = (route, key.to_string());
    match keys.0.get(&slot) {
        Some(Entry::Done { at, data }) if at.elapsed() < KEEP_FOR => {
            return Ok(Begin::Replay(data.clone()));
        }
        Some(Entry::InProgress) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "request_in_progress",
                "A request with this Idempotency-Key is already in progress. Retry shortly.",
            ));
        }
        _ => {}
    }
    keys.0.insert(slot, Entry::InProgress);
    Ok(Begin::Proceed(Some(Claim {
        shared: shared.clone(),
        route,
        key: key.to_string(),
        finished: false,
    })))
}

impl Claim {
    pub fn finish(mut self, result: &Result<Value, ApiError>) {
        self.finished = true;
        let mut keys = self.shared.idempotency();
        let slot = (self.route, std::mem::take(&mut self.key));
        match result {
            Ok(data) => {
                let entry = Entry::Done {
                    at: Instant::now(),
                    data: data.clone(),
                };
                keys.0.insert(slot, entry);
            }
            Err(_) => {
                keys.0.remove(&slot);
            }
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if !self.finished {
            let slot = (self.route, std::mem::take(&mut self.key));
            self.shared.idempotency().0.remove(&slot);
        }
    }
}
