//! Renders as MCP tasks (`io.modelcontextprotocol/tasks`): one call from prompt to video.
//!
//! When a 2026-07-28 request declares the tasks extension, `create_video_agent`,
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

use std::time::Duration;

use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::model::{
    CallToolResult, CreateTaskResult, DetailedTask, ElicitResult, ElicitationAction, GetTaskResult,
    InputRequest, JsonObject, TaskPayload, TaskStatus,
};
use rmcp::service::RequestContext;
use serde_json::Value;

mod form;
mod handle;

use form::{input_key, message_for};
pub use handle::TaskMemory;
use handle::{Handle, now_ms, task};

use super::HeyGenServer;
use super::wait::WaitOutcome;
use crate::api::types::SendMessageRequest;

/// For a client that takes tasks: the tools that answer with one list the shape their task
/// ends with, which is what `wait_for_video` returns (a host checks a task's final result
/// against the tool's `outputSchema`).
pub(super) fn with_task_results(tools: &mut [rmcp::model::Tool], all: &[rmcp::model::Tool]) {
    let Some(waited) = all
        .iter()
        .find(|tool| tool.name == "wait_for_video")
        .and_then(|tool| tool.output_schema.clone())
    else {
        return;
    };
    for tool in tools
        .iter_mut()
        .filter(|tool| TASK_TOOLS.contains(&tool.name.as_ref()))
    {
        tool.output_schema = Some(waited.clone());
    }
}

/// How long a task waits through session 404s (HeyGen answers 404 for a while for sessions
/// that exist) before it ends as a session this key does not see.
const UNSEEN_SESSION: Duration = Duration::from_secs(10 * 60);

/// The tools that answer with a task when the client takes tasks.
pub const TASK_TOOLS: [&str; 3] = [
    "create_video_agent",
    "send_video_agent_message",
    "wait_for_video",
];

impl HeyGenServer {
    /// Whether this call should answer with a task: the request is in the 2026-07-28 era
    /// (no `initialize`) and declares the extension, as SEP-2663 defines it (per-request
    /// capabilities). A 2025-11-25 session is answered as before even when its `initialize`
    /// named the extension: that era's tasks are requested per call (`params.task`), and
    /// clients such as the MCP Inspector name the extension there without taking a task
    /// they did not ask for.
    pub(super) fn takes_task(&self, tool: &str, context: &RequestContext<RoleServer>) -> bool {
        TASK_TOOLS.contains(&tool) && self.takes_tasks(context)
    }

    /// Whether this request's client takes tasks (see [`Self::takes_task`]).
    pub(super) fn takes_tasks(&self, context: &RequestContext<RoleServer>) -> bool {
        self.settings().tasks
            && context
                .protocol_version()
                .is_some_and(|version| !version.has_initialize())
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
        let looked = match looked {
            Ok(looked) => looked,
            Err(error) => {
                let failure = call.fail(super::ui::FOLLOW, handle.session_id.as_deref(), error);
                let result = call.finish(CallToolResult::error(vec![
                    rmcp::model::ContentBlock::text(failure.to_string()),
                ]));
                return Ok(ended(task_id, &handle, "Ended with an error", &result));
            }
        };
        let (outcome, status) = (looked.outcome, looked.status);
        if looked.session_unseen
            && now_ms().saturating_sub(handle.created_ms) > UNSEEN_SESSION.as_millis() as u64
        {
            return Ok(call.ended_unseen(task_id, &handle));
        }
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
                    return Ok(call.ended_by_decline(task_id, &handle, outcome));
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
                Ok(ended(task_id, &handle, message, &result))
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
        let outcome = call
            .look(context, Some(session_id.clone()), handle.video_id.clone())
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
            .outcome;
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
                if !self.shared.tasks.claim(task_id, &key) {
                    // Sent already, or being sent by a concurrent update: once is enough.
                    return Ok(());
                }
                if let Err(e) = call.send_settled(&session_id, &request).await {
                    if e.refused() {
                        self.shared.tasks.release(task_id, &key);
                    }
                    return Err(ErrorData::internal_error(e.to_string(), None));
                }
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

    /// The session endpoint has answered 404 since the task began, long past the while HeyGen
    /// takes for sessions that exist, and no video of it was found: the task ends with what
    /// to do instead of polling a session that is not there for this key.
    fn ended_unseen(&self, task_id: &str, handle: &Handle) -> GetTaskResult {
        let listed = self.listed();
        let text = format!(
            "HeyGen has answered 404 for session {} since this task began, over {} minutes ago, and no video of it was found: this key does not see that session (a mistyped id, or another account's). Look for the video {}, or start again{}.",
            handle.session_id.as_deref().unwrap_or("?"),
            UNSEEN_SESSION.as_secs() / 60,
            listed.pick(
                "list_videos",
                "with list_videos",
                "in HeyGen (https://app.heygen.com)"
            ),
            listed.pick("create_video_agent", " with create_video_agent", ""),
        );
        let result = self.finish(CallToolResult::error(vec![
            rmcp::model::ContentBlock::text(text),
        ]));
        ended(
            task_id,
            handle,
            "Ended: HeyGen does not know the session",
            &result,
        )
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
        ended(task_id, handle, "Ended: the review was declined", &result)
    }
}

/// A task that has ended with this result.
fn ended(task_id: &str, handle: &Handle, message: &str, result: &CallToolResult) -> GetTaskResult {
    GetTaskResult::new(DetailedTask::new(
        task(
            task_id,
            handle,
            TaskStatus::Completed,
            message,
            Duration::from_secs(60),
        ),
        TaskPayload::Completed {
            result: as_object(result),
        },
    ))
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
