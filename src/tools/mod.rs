//! The MCP layer: one `#[tool_router]` block per area, combined into [`HeyGenServer`].
//!
//! Each call is checked against the tool's input schema before it reaches a handler, so no
//! request leaves for HeyGen with arguments the schema forbids. API failures come back as
//! results with `isError: true` worded for the model; protocol errors are kept for unknown
//! tools and bugs.

mod aliases;
mod args;
mod discovery;
mod download;
mod error;
mod files;
mod media;
mod validate;
mod video_agent;
mod videos;
mod views;
mod wait;
mod wait_memory;

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, CustomRequest,
    CustomResult, Implementation, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};

pub use download::remove_partial_downloads;
pub use error::{Op, ToolError};
pub use wait::WaitSettings;

use crate::api::HeyGenClient;
use validate::Validators;

/// Says on every result that it came from the sandbox, so no one takes it for a real video.
fn mark_as_sandbox(mut result: CallToolResult) -> CallToolResult {
    result.content.push(ContentBlock::text(SANDBOX_NOTE));
    let mut meta = result.meta.take().unwrap_or_default();
    meta.insert("heygen-mcp/sandbox".into(), serde_json::Value::Bool(true));
    result.meta = Some(meta);
    result
}

/// The last line of defence: no credential leaves in a result, whatever path put it there.
fn redact_result(result: &mut CallToolResult, redactor: &crate::redact::Redactor) {
    if redactor.is_empty() {
        return;
    }
    for block in &mut result.content {
        if let Some(text) = block.as_text() {
            let redacted = redactor.redact(&text.text);
            if let std::borrow::Cow::Owned(redacted) = redacted {
                *block = ContentBlock::text(redacted);
            }
        }
    }
    if let Some(structured) = &mut result.structured_content {
        redactor.redact_json(structured);
    }
}

/// Appended to every result in sandbox mode.
pub const SANDBOX_NOTE: &str = "[SANDBOX] Simulated by heygen-mcp's offline sandbox: no real video was made and no credits were used. Media links serve placeholder files.";

/// What the model reads once, at the start: the workflow across tools.
pub const INSTRUCTIONS: &str = "\
HeyGen Video Agent: describe a video in words and HeyGen's agent writes the script, picks avatar and voice, composes scenes and renders it.
Workflow:
1. Optional: list_avatar_looks and list_voices to pin an avatar_id (a look id) and voice_id; get_current_user shows what is left to spend. upload_asset (or {type: path} items in files) sends local files.
2. create_video_agent with a prompt (topic, audience, length, tone). mode=generate (default) goes straight to a finished video. mode=chat stops at a storyboard for the user: use it when the user wants to review.
3. wait_for_video with the session_id does the polling. When it returns needs_input (chat mode: a storyboard or a question), show the user the newest model message and its frames (get_video_agent_resource returns the image), then send_video_agent_message to approve or ask for changes, and wait again; each revision yields a new storyboard. When it returns still_running, tell the user and call it again.
4. Renders take 5-10x the video's length (often 20-45 minutes). Once a video_id exists, poll get_video (not the session) if you poll yourself, every 1-2 minutes.
5. When the video is completed, give the user video_url (a temporary link; get_video again gives a fresh one), or save it with download_video.
Creating a session or approving a storyboard costs HeyGen credits: don't create twice for one request; if a create fails ambiguously, check list_video_agent_sessions first. Every result has next_step: follow it.";

/// How the server behaves, beyond the client it drives.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Offer only the tools that read.
    pub read_only: bool,
    /// The client points at the offline sandbox: every result says so.
    pub sandbox: bool,
    pub wait: WaitSettings,
    /// Where local files may be read and written.
    pub files: crate::files::FileAccess,
}

/// The MCP server: HeyGen's API as tools.
///
/// Cheap to clone: everything but the client is shared. Each tool call runs on a clone whose
/// client is tied to that call (its cancellation), so a cancelled call sends nothing more.
#[derive(Clone)]
pub struct HeyGenServer {
    client: HeyGenClient,
    settings: Arc<Settings>,
    tool_router: Arc<ToolRouter<Self>>,
    validators: Arc<Validators>,
    wait_memory: Arc<wait_memory::Memory>,
}

impl HeyGenServer {
    pub fn new(client: HeyGenClient, settings: Settings) -> Self {
        let all = Self::video_agent_tools()
            + Self::video_tools()
            + Self::wait_tools()
            + Self::file_tools()
            + Self::discovery_tools();
        let mut tool_router = ToolRouter::new();
        for mut route in all {
            let reads = route
                .attr
                .annotations
                .as_ref()
                .and_then(|a| a.read_only_hint)
                == Some(true);
            if settings.read_only && !reads {
                continue;
            }
            crate::schema::compact_tool(&mut route.attr);
            tool_router.add_route(route);
        }
        let validators = Arc::new(Validators::new(&tool_router.list_all()));
        Self {
            client,
            settings: Arc::new(settings),
            tool_router: Arc::new(tool_router),
            validators,
            wait_memory: Arc::default(),
        }
    }

    /// This server as one call sees it: every HeyGen request stops with the call's cancel.
    fn for_call(&self, context: &RequestContext<RoleServer>) -> Self {
        Self {
            client: self.client.cancelled_by(context.ct.clone()),
            ..self.clone()
        }
    }

    /// The tools this server offers, as tools/list returns them.
    pub fn tools(&self) -> Vec<rmcp::model::Tool> {
        self.tool_router.list_all()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for HeyGenServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                    .with_title("HeyGen Video Agent"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    /// The stand-in for a request too large to read (see [`crate::transport::stdio`]).
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        if request.method == crate::transport::stdio::OVERSIZED_METHOD {
            let bytes = request
                .params
                .as_ref()
                .and_then(|p| p.get("bytes"))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or_default();
            return Err(ErrorData::invalid_request(
                format!(
                    "The request was too large to read ({} MB; the limit is {} MB). Send large files as {{type: path}} or upload_asset instead of base64, or split the request.",
                    bytes >> 20,
                    crate::transport::stdio::MAX_LINE_BYTES >> 20
                ),
                None,
            ));
        }
        Err(ErrorData::new(
            rmcp::model::ErrorCode::METHOD_NOT_FOUND,
            request.method,
            None,
        ))
    }

    async fn call_tool(
        &self,
        mut request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(tool) = self.tool_router.get(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!("tool not found: {}", request.name),
                None,
            ));
        };
        // Checked as a JSON value without copying the arguments (a prompt may be large).
        let mut arguments = request.arguments.take().unwrap_or_default();
        let normalised = aliases::normalise(tool, &mut arguments);
        let arguments = serde_json::Value::Object(arguments);
        let checked = normalised.and_then(|()| self.validators.check(tool, &arguments));
        if let serde_json::Value::Object(arguments) = arguments {
            request.arguments = Some(arguments);
        }
        let call = self.for_call(&context);
        let response = match checked {
            Err(problem) => CallToolResult::error(vec![ContentBlock::text(problem)]).into(),
            Ok(()) => {
                self.tool_router
                    .call(ToolCallContext::new(&call, request, context))
                    .await?
            }
        };
        Ok(match response {
            CallToolResponse::Complete(mut result) => {
                redact_result(&mut result, call.client.redactor());
                if self.settings.sandbox {
                    result = mark_as_sandbox(result);
                }
                CallToolResponse::Complete(result)
            }
            other => other,
        })
    }
}
