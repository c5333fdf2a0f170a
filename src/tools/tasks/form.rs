//! The form a task shows when the agent waits for the user: a storyboard to approve or
//! change, or a question to answer; its key, and the chat message an answer stands for.

use rmcp::model::{ElicitRequest, ElicitRequestParams, ElicitationSchema, EnumSchema};
use serde_json::Value;

use super::super::HeyGenServer;
use super::super::wait::WaitOutcome;

impl HeyGenServer {
    /// The form for a storyboard (approve, or describe a change) or an agent's question.
    pub(super) async fn review_request(
        &self,
        call: &HeyGenServer,
        outcome: &WaitOutcome,
    ) -> ElicitRequest {
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

/// The form's key: the storyboard (or question) it answers, so a later one gets a new key
/// and an answer to an old one is recognised.
pub(super) fn input_key(outcome: &WaitOutcome) -> String {
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
pub(super) fn message_for(outcome: &WaitOutcome, content: Option<&Value>) -> Option<String> {
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
