//! Task ids (the HeyGen ids a task follows, encoded) and the little a process remembers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use rmcp::ErrorData;
use rmcp::model::{Task, TaskStatus};
use serde::{Deserialize, Serialize};

/// Version 1 of the task id encoding.
const PREFIX: &str = "hgt1.";

/// A task outlives the longest render with room to spare.
const TTL: Duration = Duration::from_secs(24 * 3600);

/// What a task id carries: the HeyGen ids it follows and when it began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Handle {
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub(super) session_id: Option<String>,
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    pub(super) video_id: Option<String>,
    /// Unix milliseconds.
    #[serde(rename = "t")]
    pub(super) created_ms: u64,
}

impl Handle {
    pub(super) fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    }

    pub(super) fn decode(id: &str) -> Result<Self, ErrorData> {
        let unknown = || {
            ErrorData::invalid_params(
                format!(
                    "unknown task id {:?}: not one this server gave out",
                    shorten(id)
                ),
                None,
            )
        };
        let encoded = id.strip_prefix(PREFIX).ok_or_else(unknown)?;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| unknown())?;
        let handle: Handle = serde_json::from_slice(&json).map_err(|_| unknown())?;
        let valid = |id: &Option<String>| id.as_deref().is_none_or(is_id);
        if handle.session_id.is_none() && handle.video_id.is_none()
            || !valid(&handle.session_id)
            || !valid(&handle.video_id)
        {
            return Err(unknown());
        }
        Ok(handle)
    }
}

/// The shape every HeyGen id has (see [`crate::schema::ID_PATTERN`]).
fn is_id(id: &str) -> bool {
    let mut chars = id.chars();
    id.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
}

fn shorten(id: &str) -> String {
    id.chars().take(80).collect()
}

/// What this process remembers about tasks, as a courtesy (see the module docs).
#[derive(Default)]
pub struct TaskMemory {
    marks: Mutex<HashMap<String, Mark>>,
}

#[derive(Default, Clone)]
pub(super) struct Mark {
    pub(super) cancelled: bool,
    pub(super) declined: Option<String>,
    /// The form whose answer this process sent (or is sending).
    answered: Option<String>,
}

impl TaskMemory {
    pub(super) fn get(&self, id: &str) -> Mark {
        self.marks
            .lock()
            .ok()
            .and_then(|m| m.get(id).cloned())
            .unwrap_or_default()
    }

    /// Claims the answer to form `key`: true for the first claim only, so this process sends
    /// an answer once however often, or however concurrently, the update is retried.
    pub(super) fn claim(&self, id: &str, key: &str) -> bool {
        let mut first = false;
        self.update(id, |m| {
            if m.answered.as_deref() != Some(key) {
                m.answered = Some(key.to_owned());
                first = true;
            }
        });
        first
    }

    /// Gives a claim back: HeyGen refused the answer, so nothing was sent.
    pub(super) fn release(&self, id: &str, key: &str) {
        self.update(id, |m| {
            if m.answered.as_deref() == Some(key) {
                m.answered = None;
            }
        });
    }

    pub(super) fn update(&self, id: &str, change: impl FnOnce(&mut Mark)) {
        if let Ok(mut marks) = self.marks.lock() {
            if marks.len() > 10_000 {
                marks.clear();
            }
            change(marks.entry(id.to_owned()).or_default());
        }
    }
}

pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn rfc3339(ms: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

pub(super) fn task(
    id: &str,
    handle: &Handle,
    status: TaskStatus,
    message: &str,
    poll: Duration,
) -> Task {
    Task::new(id, status, rfc3339(handle.created_ms), rfc3339(now_ms()))
        .with_status_message(message)
        .with_ttl_ms(TTL.as_millis() as u64)
        .with_poll_interval_ms(poll.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_strangers_are_refused() {
        let handle = Handle {
            session_id: Some("sess_0123abcd".into()),
            video_id: None,
            created_ms: 1_800_000_000_000,
        };
        let id = handle.encode();
        assert!(id.starts_with(PREFIX) && id.chars().all(|c| c.is_ascii_graphic()));
        assert_eq!(Handle::decode(&id).ok(), Some(handle));
        for stranger in [
            "",
            "hgt1.",
            "hgt1.!!!",
            "task-1",
            "hgt1.e30",
            "hgt1.eyJzIjoiLi4vZXRjIiwidCI6MX0",
        ] {
            assert!(Handle::decode(stranger).is_err(), "{stranger}");
        }
    }
}
