//! Renders as MCP tasks (`io.modelcontextprotocol/tasks`): one call from prompt to video.
//!
//! When a client declares the tasks extension, `create_video_agent`,
//! `send_video_agent_message` and `wait_for_video` answer with a task that ends when the
//! video does. The host polls `tasks/get`; a storyboard or a question from the agent turns
//! the task `input_required` with a form (approve, or describe a change), and
//! `tasks/update` sends the answer as a chat message. `tasks/cancel` stops the session.
//!
//! # Stateless and durable
//!
//! Nothing about a task lives in this process. Its id is the HeyGen ids it follows, encoded
//! (versioned, URL-safe, no secrets): `tasks/get` answers from HeyGen itself, on a process
//! started after the task was, or on any replica. Whoever polls uses their own key, and
//! HeyGen refuses another account's session, so an id is no credential. Two answers are
//! kept in memory as a courtesy only — a declined form and a cancel — and another process
//! falls back to what HeyGen shows (the form again; the stopped session as failed).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::model::{
    CallToolResult, CreateTaskResult, DetailedTask, ElicitRequest, ElicitRequestParams,
    ElicitResult, ElicitationAction, ElicitationSchema, EnumSchema, GetTaskResult, InputRequest,
    JsonObject, Task, TaskPayload, TaskStatus,
};
use rmcp::service::RequestContext;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::HeyGenServer;
use super::wait::WaitOutcome;
use crate::api::types::SendMessageRequest;

/// The tools that answer with a task when the client takes tasks.
pub const TASK_TOOLS: [&str; 3] = [
    "create_video_agent",
    "send_video_agent_message",
    "wait_for_video",
];

/// Version 1 of the task id encoding.
const PREFIX: &str = "hgt1.";

/// A task outlives the longest render with room to spare.
const TTL: Duration = Duration::from_secs(24 * 3600);

/// What a task id carries: the HeyGen ids it follows and when it began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Handle {
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    session_id: Option<String>,
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    video_id: Option<String>,
    /// Unix milliseconds.
    #[serde(rename = "t")]
    created_ms: u64,
}

impl Handle {
    fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    }

    fn decode(id: &str) -> Result<Self, ErrorData> {
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
struct Mark {
    cancelled: bool,
    declined: Option<String>,
}

impl TaskMemory {
    fn get(&self, id: &str) -> Mark {
        self.marks
            .lock()
            .ok()
            .and_then(|m| m.get(id).cloned())
            .unwrap_or_default()
    }

    fn update(&self, id: &str, change: impl FnOnce(&mut Mark)) {
        if let Ok(mut marks) = self.marks.lock() {
            if marks.len() > 10_000 {
                marks.clear();
            }
            change(marks.entry(id.to_owned()).or_default());
        }
    }
}

fn now_ms() -> u64 {
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

fn task(id: &str, handle: &Handle, status: TaskStatus, message: &str, poll: Duration) -> Task {
    Task::new(id, status, rfc3339(handle.created_ms), rfc3339(now_ms()))
        .with_status_message(message)
        .with_ttl_ms(TTL.as_millis() as u64)
        .with_poll_interval_ms(poll.as_millis() as u64)
}

impl HeyGenServer {
    /// Whether this call should answer with a task.
    pub(super) fn takes_task(&self, tool: &str, context: &RequestContext<RoleServer>) -> bool {
        self.settings().tasks
            && TASK_TOOLS.contains(&tool)
            && context
                .client_capabilities()
                .is_some_and(|c| c.supports_tasks())
    }

    /// The task that follows what a tool call started (its result names the ids), or `None`
    /// when the call failed: a failure is answered as it is.
    pub(super) fn task_for(&self, result: &CallToolResult) -> Option<CreateTaskResult> {
        if result.is_error == Some(true) {
            return None;
        }
        let structured = result.structured_content.as_ref()?;
        let text = |key: &str| {
            structured
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        self.task_following(text("session_id"), text("video_id"))
    }

    /// A task following these ids from now on.
    pub(super) fn task_following(
        &self,
        session_id: Option<String>,
        video_id: Option<String>,
    ) -> Option<CreateTaskResult> {
        if session_id.is_none() && video_id.is_none() {
            return None;
        }
        let handle = Handle {
            session_id,
            video_id,
            created_ms: now_ms(),
        };
        let id = handle.encode();
        let message = "Started: the agent is working on it";
        Some(CreateTaskResult::new(task(
            &id,
            &handle,
            TaskStatus::Working,
            message,
            Duration::from_secs(3),
        )))
    }

    /// `tasks/get`: the task's state, read from HeyGen now.
    pub(super) async fn task_state(
        &self,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        let handle = Handle::decode(task_id)?;
        let mark = self.shared.tasks.get(task_id);
        let detailed = |status, message: &str, poll, payload| {
            GetTaskResult::new(DetailedTask::new(
                task(task_id, &handle, status, message, poll),
                payload,
            ))
        };
        if mark.cancelled {
            return Ok(detailed(
                TaskStatus::Cancelled,
                "Cancelled: the session was stopped",
                Duration::from_secs(60),
                TaskPayload::Cancelled,
            ));
        }
        let call = self.for_call(context);
        let looked = call
            .look(context, handle.session_id.clone(), handle.video_id.clone())
            .await;
        let (outcome, status) = match looked {
            Ok(looked) => looked,
            Err(error) => {
                let failure = call.fail(WAIT_OP, handle.session_id.as_deref(), error);
                let result = call.finish(CallToolResult::error(vec![
                    rmcp::model::ContentBlock::text(failure.to_string()),
                ]));
                return Ok(detailed(
                    TaskStatus::Completed,
                    "Ended with an error",
                    Duration::from_secs(60),
                    TaskPayload::Completed {
                        result: as_object(&result),
                    },
                ));
            }
        };
        match outcome.state.as_str() {
            "still_running" => {
                let rendering = outcome.video_id.is_some() && !status.contains("thinking");
                let poll = if rendering { 15 } else { 3 };
                Ok(detailed(
                    TaskStatus::Working,
                    &capitalised(&status),
                    Duration::from_secs(poll),
                    TaskPayload::Working,
                ))
            }
            "needs_input" => {
                let key = input_key(&outcome);
                if mark.declined.as_deref() == Some(key.as_str()) {
                    return Ok(self.ended_by_decline(task_id, &handle, outcome));
                }
                let request = self.review_request(&call, &outcome).await;
                let mut requests = rmcp::model::InputRequests::new();
                requests.insert(key, InputRequest::Elicitation(request));
                Ok(detailed(
                    TaskStatus::InputRequired,
                    "Waiting for the user: the agent's storyboard (or question) needs an answer",
                    Duration::from_secs(5),
                    TaskPayload::InputRequired {
                        input_requests: requests,
                    },
                ))
            }
            _ => {
                let message = match outcome.state.as_str() {
                    "completed" => "Done: the video is ready",
                    "failed" => "Ended: the render failed",
                    _ => "Ended: the session needs attention",
                };
                let result = call.finish(CallToolResult::structured(
                    serde_json::to_value(&outcome).unwrap_or_default(),
                ));
                Ok(detailed(
                    TaskStatus::Completed,
                    message,
                    Duration::from_secs(60),
                    TaskPayload::Completed {
                        result: as_object(&result),
                    },
                ))
            }
        }
    }

    /// `tasks/update`: the user's answer to the current form, sent once as a chat message.
    pub(super) async fn answer_task(
        &self,
        task_id: &str,
        responses: &rmcp::model::InputResponses,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let handle = Handle::decode(task_id)?;
        let Some(session_id) = handle.session_id.clone() else {
            return Err(ErrorData::invalid_params(
                "this task follows a video, which takes no answers",
                None,
            ));
        };
        let call = self.for_call(context);
        let (outcome, _) = call
            .look(context, Some(session_id.clone()), handle.video_id.clone())
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        if outcome.state != "needs_input" {
            // Answered already (a retried update): the session has moved on; nothing to send.
            return Ok(());
        }
        let key = input_key(&outcome);
        let Some(raw) = responses.get(&key) else {
            // An answer to an earlier form: one click sends once.
            return Ok(());
        };
        let answer: ElicitResult = serde_json::from_value(raw.clone()).map_err(|e| {
            ErrorData::invalid_params(
                format!("the answer is not an elicitation result: {e}"),
                None,
            )
        })?;
        match answer.action {
            ElicitationAction::Accept => {
                let message = message_for(&outcome, answer.content.as_ref())
                    .ok_or_else(|| ErrorData::invalid_params(
                        "say approve, or describe the change in `changes` (or give `answer` to a question)",
                        None,
                    ))?;
                let request = SendMessageRequest {
                    message,
                    ..SendMessageRequest::default()
                };
                call.send_settled(&session_id, &request)
                    .await
                    .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
            }
            _ => self
                .shared
                .tasks
                .update(task_id, |m| m.declined = Some(key)),
        }
        Ok(())
    }

    /// `tasks/cancel`: stops the HeyGen session, as stop_video_agent_session does.
    pub(super) async fn cancel_task(
        &self,
        task_id: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let handle = Handle::decode(task_id)?;
        if let Some(session_id) = &handle.session_id {
            self.for_call(context)
                .client
                .stop_video_agent_session(session_id)
                .await
                .map_err(|e| {
                    ErrorData::internal_error(format!("could not stop the session: {e}"), None)
                })?;
        }
        self.shared.tasks.update(task_id, |m| m.cancelled = true);
        Ok(())
    }

    /// The user declined the form: the task ends, saying how to go on with the tools.
    fn ended_by_decline(
        &self,
        task_id: &str,
        handle: &Handle,
        outcome: WaitOutcome,
    ) -> GetTaskResult {
        let mut outcome = outcome;
        outcome.next_step = format!(
            "The user did not answer the storyboard here; the session still waits for review. {}",
            super::steps::storyboard(self.listed())
        );
        let result = self.finish(CallToolResult::structured(
            serde_json::to_value(&outcome).unwrap_or_default(),
        ));
        GetTaskResult::new(DetailedTask::new(
            task(
                task_id,
                handle,
                TaskStatus::Completed,
                "Ended: the review was declined",
                Duration::from_secs(60),
            ),
            TaskPayload::Completed {
                result: as_object(&result),
            },
        ))
    }

    /// The form for a storyboard (approve, or describe a change) or an agent's question.
    async fn review_request(&self, call: &HeyGenServer, outcome: &WaitOutcome) -> ElicitRequest {
        let newest = outcome.messages.first();
        let text = newest.map(|m| m.content.clone()).unwrap_or_default();
        let mut message = match &outcome.title {
            Some(title) => format!("{title}\n\n{text}"),
            None => text,
        };
        let question = outcome.session_status.as_deref() == Some("waiting_for_input");
        if let (Some(session_id), Some(ids)) = (
            &outcome.session_id,
            newest.and_then(|m| m.resource_ids.as_ref()),
        ) {
            let mut frames = Vec::new();
            for (n, id) in ids.iter().take(12).enumerate() {
                if let Ok(resource) = call.client.get_video_agent_resource(session_id, id).await
                    && let Some(url) = resource.url.or(resource.thumbnail_url)
                {
                    frames.push(format!("{}. {url}", n + 1));
                }
            }
            if !frames.is_empty() {
                message.push_str("\n\nStoryboard frames:\n");
                message.push_str(&frames.join("\n"));
            }
        }
        let schema = if question {
            ElicitationSchema::builder()
                .required_string_with("answer", |s| s.title("Your answer"))
                .build_unchecked()
        } else {
            let decision = EnumSchema::builder(vec!["approve".into(), "change".into()])
                .enum_titles(vec!["Approve and render".into(), "Request changes".into()])
                .map(|b| b.build())
                .unwrap_or_else(|_| {
                    EnumSchema::builder(vec!["approve".into(), "change".into()]).build()
                });
            ElicitationSchema::builder()
                .required_enum_schema("decision", decision)
                .optional_string_with("changes", |s| {
                    s.title("What to change").description(
                        "When you request changes: what the agent should do differently.",
                    )
                })
                .build_unchecked()
        };
        ElicitRequest::new(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message,
            requested_schema: schema,
        })
    }
}

/// The operation a failed look reports as.
const WAIT_OP: super::Op = super::Op::new(
    "follow the video",
    "list_video_agent_sessions (for a session_id) or list_videos (for a video_id)",
);

/// The form's key: the storyboard (or question) it answers, so a later one gets a new key
/// and an answer to an old one is recognised.
fn input_key(outcome: &WaitOutcome) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let newest = outcome.messages.first();
    let parts = [
        newest
            .map(|m| m.content.as_str())
            .unwrap_or_default()
            .to_owned(),
        newest
            .and_then(|m| m.created_at)
            .unwrap_or_default()
            .to_string(),
        newest
            .and_then(|m| m.resource_ids.clone())
            .unwrap_or_default()
            .join(","),
    ];
    for byte in parts.join("\u{1f}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("review-{hash:016x}")
}

/// The chat message an accepted form stands for.
fn message_for(outcome: &WaitOutcome, content: Option<&Value>) -> Option<String> {
    let field = |name: &str| {
        content
            .and_then(|c| c.get(name))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if outcome.session_status.as_deref() == Some("waiting_for_input") {
        return field("answer");
    }
    match field("decision").as_deref() {
        Some("approve") => Some("Looks good: approve the storyboard and render the video.".into()),
        Some("change") => field("changes"),
        _ => None,
    }
}

fn as_object(result: &CallToolResult) -> JsonObject {
    match serde_json::to_value(result) {
        Ok(Value::Object(object)) => object,
        _ => JsonObject::new(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
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
