//! Tool failures, worded for the model: what failed, why, and what to do next.

use rmcp::model::{ContentBlock, IntoContents};

use super::toolsets::Listed;
use crate::api::{ApiError, TransportKind};

/// What a tool was doing, for the first words of its error and the remedy.
#[derive(Debug, Clone, Copy)]
pub struct Op {
    /// "get video", "create a Video Agent session" …
    pub action: &'static str,
    /// The tool that lists valid ids, named when HeyGen says "not found".
    pub list_tool: &'static str,
    /// A POST that may start paid work and has no idempotency key.
    pub starts_work: bool,
    /// What to do about a 404, when it is not "this id does not exist".
    pub not_found: Option<&'static str>,
}

/// HeyGen's session endpoint answers 404 for sessions that exist (right after some chat-mode
/// creates, and once the video is assigned); listing sessions would only return the same id.
pub const SESSION_NOT_FOUND: &str = "HeyGen's session endpoint answers 404 for a while for sessions that exist (right after a chat-mode create, and once the session's video is assigned), so this session may well be fine: call wait_for_video with this session_id, which keeps trying and finds the session's video. If the id did not come from create_video_agent, list_video_agent_sessions shows your sessions.";

/// The tool that lists valid values for an id argument HeyGen refused.
const ID_LISTERS: &[(&str, &str)] = &[
    ("avatar_id", "list_avatar_looks"),
    ("voice_id", "list_voices"),
    ("style_id", "list_video_agent_styles"),
    ("brand_kit_id", "list_brand_kits"),
    ("brand_glossary_id", "list_brand_glossaries"),
];

impl Op {
    /// A call that is safe to repeat.
    pub const fn new(action: &'static str, list_tool: &'static str) -> Self {
        Self {
            action,
            list_tool,
            starts_work: false,
            not_found: None,
        }
    }

    /// A call that may start paid work; repeating it after an unclear failure could pay twice.
    pub const fn starts_work(action: &'static str, list_tool: &'static str) -> Self {
        Self {
            starts_work: true,
            ..Self::new(action, list_tool)
        }
    }

    /// A call on a session id, whose 404 may be HeyGen's transient one.
    pub const fn on_session(self) -> Self {
        Self {
            not_found: Some(SESSION_NOT_FOUND),
            ..self
        }
    }
}

/// A failed tool call; becomes a result with `isError: true` so the model can correct itself.
#[derive(Debug)]
pub struct ToolError {
    op: Op,
    subject: Option<String>,
    error: ApiError,
    /// The tools the client sees: a remedy names only those.
    listed: Option<Listed>,
}

impl ToolError {
    pub fn new(op: Op, subject: Option<&str>, error: ApiError) -> Self {
        Self {
            op,
            subject: subject.map(str::to_owned),
            error,
            listed: None,
        }
    }

    /// Words the remedy for a client that sees only `listed`.
    pub fn for_listed(mut self, listed: &Listed) -> Self {
        self.listed = Some(listed.clone());
        self
    }

    /// Whether the remedy may name `tool` (the first word of an op's list tool).
    fn has(&self, tool: &str) -> bool {
        let name = tool.split_whitespace().next().unwrap_or(tool);
        self.listed.as_ref().is_none_or(|l| l.has(name))
    }

    /// Whether the request certainly did not take effect: refused before it was sent, or
    /// answered with a 4xx by HeyGen, so sending it again cannot do it twice.
    pub fn refused(&self) -> bool {
        match &self.error {
            ApiError::InvalidInput(_) | ApiError::MissingCredentials(_) => true,
            ApiError::Transport { maybe_applied, .. } => !maybe_applied,
            other => other.status().is_some_and(|s| (400..500).contains(&s)),
        }
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Failed to {}", self.op.action)?;
        if let Some(subject) = &self.subject {
            write!(f, " {subject}")?;
        }
        match &self.error {
            ApiError::MissingCredentials(text) => return write!(f, ": {text}"),
            ApiError::InvalidInput(text) => return write!(f, ": {text}"),
            ApiError::Cancelled => {
                return f.write_str(": cancelled by the client; nothing more was sent.");
            }
            ApiError::Api(failure) => {
                write!(f, ": {} (HeyGen code {}", failure.message, failure.code)?;
                if let Some(param) = &failure.param {
                    write!(f, ", param {param}")?;
                }
                if let Some(id) = &failure.request_id {
                    write!(f, ", request id {id}")?;
                }
                if let Some(url) = &failure.doc_url {
                    write!(f, ", see {url}")?;
                }
                f.write_str(").")?;
            }
            other => {
                write!(f, ": {other}")?;
                if let Some(id) = other.request_id() {
                    write!(f, " (request id {id})")?;
                }
                f.write_str(".")?;
            }
        }
        write!(f, " {}", self.remedy())
    }
}

impl ToolError {
    fn remedy(&self) -> String {
        let list = self.op.list_tool;
        let unknown_outcome = || {
            let check = if self.has(list) {
                format!("call {list} to check")
            } else {
                "check in HeyGen (https://app.heygen.com)".to_owned()
            };
            format!(
                "The request may have reached HeyGen: {check} whether it took effect before trying again (a second attempt could start a second paid video)."
            )
        };
        match &self.error {
            ApiError::MissingCredentials(_) | ApiError::InvalidInput(_) | ApiError::Cancelled => {
                String::new()
            }
            ApiError::Transport { maybe_applied: true, .. } => unknown_outcome(),
            ApiError::Transport { kind: TransportKind::Timeout, .. } => {
                "HeyGen did not answer in time; it is safe to call again in a moment.".into()
            }
            ApiError::Transport { .. } => {
                "Check the network connection (and HEYGEN_API_BASE if set), then call again.".into()
            }
            ApiError::Storage { upload: false, .. } if self.has("get_video") => {
                "No HeyGen credentials go to file storage, so this is not a key problem: the signed link has probably expired. Call get_video for fresh links and try again.".into()
            }
            ApiError::Storage { upload: false, .. } => {
                "No HeyGen credentials go to file storage, so this is not a key problem: the signed link has probably expired; ask for the video again for fresh links.".into()
            }
            ApiError::Storage { upload: true, .. } => {
                "The storage upload link was refused (it may have expired): upload the file again; nothing was created.".into()
            }
            ApiError::Decode { accepted_id: Some(id), .. } if self.op.starts_work => format!(
                "HeyGen accepted the request (id {id}) although part of its answer could not be read: it took effect, so do not send it again.{}",
                if self.has("wait_for_video") { " Continue with wait_for_video." } else { "" }
            ),
            ApiError::Decode { .. } => {
                "HeyGen's answer had a shape this version of heygen-mcp does not understand; check for an update of heygen-mcp.".into()
            }
            ApiError::Api(_) | ApiError::Unexpected { .. } => self.status_remedy(&unknown_outcome),
        }
    }

    /// The remedy for an answer with an error status (or code).
    fn status_remedy(&self, unknown_outcome: &dyn Fn() -> String) -> String {
        let list = self.op.list_tool;
        let (code, param, message) = match &self.error {
            ApiError::Api(failure) => (
                failure.code.as_str(),
                failure.param.as_deref(),
                failure.message.to_ascii_lowercase(),
            ),
            _ => ("", None, String::new()),
        };
        let or_omit = "or omit it to let the agent choose.";
        // HeyGen's codes for ids it does not know point at the tool that lists them.
        match code {
            "avatar_not_found" if self.has("list_avatar_looks") => {
                return format!(
                    "avatar_id must be a look id: call list_avatar_looks to find one, {or_omit}"
                );
            }
            "avatar_not_found" => return format!("avatar_id must be an avatar look id, {or_omit}"),
            "voice_not_found" | "voice_not_usable" if self.has("list_voices") => {
                return format!("Call list_voices to find a usable voice_id, {or_omit}");
            }
            "voice_not_found" | "voice_not_usable" => {
                return format!("Use another voice_id, {or_omit}");
            }
            "brand_kit_not_found" | "brand_glossary_not_found" if self.has("list_brand_kits") => {
                return "Call list_brand_kits (or list_brand_glossaries) for a valid id, or omit it.".into();
            }
            "asset_not_found" if self.has("upload_asset") => {
                return "Upload the file first with upload_asset (or pass {type: path}) and use the asset_id it returns.".into();
            }
            "asset_not_found" => {
                return "Pass the file as {type: url} or {type: base64}, or {type: path} for a local file.".into();
            }
            _ => {}
        }
        match self.error.status().unwrap_or_default() {
            400 | 422 if self.op.starts_work && message.contains("generate") && message.contains("chat") => {
                let start = if self.has("create_video_agent") {
                    "start a new session with create_video_agent and mode=chat"
                } else {
                    "start a new session in chat mode"
                };
                format!("Only chat-mode sessions take messages: this one was made with mode=generate and runs to its video by itself. To review a storyboard and ask for changes, {start}.")
            }
            400 | 422 if self.op.starts_work && (message.contains("thinking") || message.contains("generating")) && self.has("wait_for_video") => {
                "The agent is busy with the previous message: call wait_for_video with this session_id and send once it returns needs_input or completed.".into()
            }
            400 | 422 => match param {
                Some(param) => {
                    let lister = ID_LISTERS
                        .iter()
                        .find(|(p, tool)| param.starts_with(p) && self.has(tool))
                        .map(|(_, tool)| format!(": {tool} gives valid ids (or omit it)"))
                        .unwrap_or_default();
                    format!("Fix the argument `{param}`{lister} and call again.")
                }
                None => "Fix the arguments and call again.".into(),
            },
            401 => "The credentials were refused: check HEYGEN_API_KEY (or HEYGEN_ACCESS_TOKEN, or run `heygen auth login`) and restart this server.".into(),
            402 => "The account has no credits left for this: top up at https://app.heygen.com (billing) and try again.".into(),
            403 => "These credentials are not allowed to do this (plan or key scopes); use a key with access to the Video Agent API.".into(),
            // Without an id in the call, a 404 means the endpoint itself is missing.
            404 if self.subject.is_none() || list.is_empty() => "HeyGen has no such endpoint at this address: check HEYGEN_API_BASE (normally https://api.heygen.com).".into(),
            404 => match self.op.not_found {
                Some(remedy) if self.has("wait_for_video") => remedy.into(),
                _ if self.has(list) => format!("Call {list} to find a valid id."),
                _ => "Check the id: it may belong to another account or have been deleted.".into(),
            },
            409 => "A conflicting request is still in progress; wait a few seconds and call again.".into(),
            429 => {
                let when = match self.error.retry_after() {
                    Some(wait) if wait.as_secs() > 0 => format!("in {} s", wait.as_secs()),
                    _ => "in a minute".into(),
                };
                if self.op.starts_work {
                    format!("HeyGen did not accept the request (rate limited), so nothing was created and nothing was charged: it is safe to try again {when}.")
                } else {
                    format!("Rate limited: call again {when}.")
                }
            }
            500.. if self.op.starts_work => unknown_outcome(),
            500.. => "HeyGen had a server error; it is safe to call again in a minute.".into(),
            _ => "Check the arguments and call again.".into(),
        }
    }
}

impl IntoContents for ToolError {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![ContentBlock::text(self.to_string())]
    }
}
