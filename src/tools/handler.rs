//! The MCP handler: what the server says about itself, which tools it lists, and the one path
//! every tool call takes (aliases, validation, the call, redaction, the sandbox mark).

use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams, ContentBlock,
    CustomRequest, CustomResult, DiscoverResult, GetTaskParams, GetTaskResult, Implementation,
    InitializeRequestParams, InitializeResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig, Tool, UpdateTaskParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::{HeyGenServer, aliases};
use crate::redact::Redactor;

/// Appended to every result in sandbox mode.
pub const SANDBOX_NOTE: &str = "[SANDBOX] Simulated by heygen-mcp's offline sandbox: no real video was made and no credits were used. Media links serve placeholder files.";

impl ServerHandler for HeyGenServer {
    fn get_info(&self) -> ServerConfig {
        let settings = &self.shared.settings;
        let mut capabilities = ServerCapabilities::builder().enable_tools().build();
        if settings.tasks {
            capabilities.extensions = ServerCapabilities::builder()
                .enable_tasks()
                .build()
                .extensions;
        }
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                    .with_title("HeyGen Video Agent"),
            )
            .with_instructions(self.view.instructions.clone())
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        context.peer.set_peer_info(request.clone());
        let mut result = self.negotiate_initialize(&request)?;
        self.offer_views(&mut result.capabilities, Some(&request.capabilities));
        Ok(result)
    }

    async fn discover(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<DiscoverResult, ErrorData> {
        let mut result = DiscoverResult::from_server_info(
            self.supported_protocol_versions().into_owned(),
            self.get_info(),
        );
        self.offer_views(
            &mut result.capabilities,
            context.client_capabilities().as_ref(),
        );
        Ok(result)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(
            self.view_for(&context).tools.clone(),
        ))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        let ui = self.shared.settings.ui.then(|| {
            let extras = super::Extras {
                ui: true,
                tasks: false,
            };
            self.shared
                .view(self.view.read_only, &self.view.toolsets, extras)
        });
        [Some(&self.view), ui.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|view| view.tools.iter().find(|tool| tool.name == name).cloned())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let shown =
            self.shared.settings.ui && super::ui::takes_ui(context.client_capabilities().as_ref());
        Ok(ListResourcesResult::with_all_items(if shown {
            super::ui::resources()
        } else {
            Vec::new()
        }))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let read = self
            .shared
            .settings
            .ui
            .then(|| super::ui::read(&request.uri, &self.shared.settings.media_origins))
            .flatten();
        match read {
            Some(result) => Ok(result.into()),
            None => Err(ErrorData::resource_not_found(
                format!("no resource {}", request.uri),
                None,
            )),
        }
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
        let view = self.view_for(&context);
        let listed = view.tools.iter().find(|t| t.name == request.name);
        let Some(tool) = listed else {
            return Err(ErrorData::invalid_params(
                format!("tool not found: {}", request.name),
                None,
            ));
        };
        // Checked as a JSON value without copying the arguments (a prompt may be large).
        let mut arguments = request.arguments.take().unwrap_or_default();
        let normalised = aliases::normalise(tool, &mut arguments);
        let arguments = serde_json::Value::Object(arguments);
        let checked = normalised.and_then(|()| self.shared.validators.check(tool, &arguments));
        if let serde_json::Value::Object(arguments) = arguments {
            request.arguments = Some(arguments);
        }
        let task = self.takes_task(&request.name, &context);
        // A wait as a task waits in the host, not here: the task follows the ids at once.
        if task && request.name == "wait_for_video" && checked.is_ok() {
            let id = |key: &str| {
                request
                    .arguments
                    .as_ref()
                    .and_then(|a| a.get(key))
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            };
            if let Some(created) = self.task_following(id("session_id"), id("video_id")) {
                return Ok(CallToolResponse::Task(created));
            }
        }
        let call = self.for_call(&context);
        // Finished however the call ends: an answer, an error, or a client that went away.
        let mut watch = self
            .shared
            .settings
            .observer
            .clone()
            .map(|observer| Watched::start(observer, &request.name));
        let response = match checked {
            Err(problem) => CallToolResult::error(vec![ContentBlock::text(problem)]).into(),
            Ok(()) => {
                self.shared
                    .tool_router
                    .call(ToolCallContext::new(&call, request, context))
                    .await?
            }
        };
        if let Some(watch) = &mut watch {
            watch.ok = match &response {
                CallToolResponse::Complete(result) => result.is_error != Some(true),
                _ => true,
            };
        }
        drop(watch);
        Ok(match response {
            CallToolResponse::Complete(result) => match task.then(|| call.task_for(&result)) {
                Some(Some(created)) => CallToolResponse::Task(created),
                _ => CallToolResponse::Complete(call.finish(result)),
            },
            other => other,
        })
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        self.task_state(&request.task_id, &context).await
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.answer_task(&request.task_id, &request.input_responses, &context)
            .await
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        HeyGenServer::cancel_task(self, &request.task_id, &context).await
    }
}

impl HeyGenServer {
    /// What every result goes through on its way out: credentials redacted, and in sandbox
    /// mode the note that it is simulated.
    pub(super) fn finish(&self, mut result: CallToolResult) -> CallToolResult {
        redact_result(&mut result, self.client.redactor());
        if self.shared.settings.sandbox {
            result = mark_as_sandbox(result);
        }
        result
    }
}

/// Says on every result that it came from the sandbox, so no one takes it for a real video.
fn mark_as_sandbox(mut result: CallToolResult) -> CallToolResult {
    result.content.push(ContentBlock::text(SANDBOX_NOTE));
    let mut meta = result.meta.take().unwrap_or_default();
    meta.insert("heygen-mcp/sandbox".into(), serde_json::Value::Bool(true));
    result.meta = Some(meta);
    result
}

/// The last line of defence: no credential leaves in a result, whatever path put it there.
fn redact_result(result: &mut CallToolResult, redactor: &Redactor) {
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

impl HeyGenServer {
    /// Resources are the views (`ui://`): the capability is declared to clients that render
    /// them, so everyone else sees exactly the capabilities they saw before views existed.
    fn offer_views(
        &self,
        capabilities: &mut ServerCapabilities,
        client: Option<&rmcp::model::ClientCapabilities>,
    ) {
        if self.shared.settings.ui && super::ui::takes_ui(client) {
            capabilities.resources = ServerCapabilities::builder()
                .enable_resources()
                .build()
                .resources;
        }
    }
}

/// A tool call an observer watches: reported finished when dropped, so a call whose client
/// goes away (the future dropped) or that fails is counted too.
struct Watched {
    observer: super::Observer,
    name: String,
    started: std::time::Instant,
    ok: bool,
}

impl Watched {
    fn start(observer: super::Observer, name: &str) -> Self {
        observer.0.started(name);
        Self {
            observer,
            name: name.to_owned(),
            started: std::time::Instant::now(),
            ok: false,
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let took = self.started.elapsed();
        self.observer.0.finished(&self.name, self.ok, took);
        tracing::info!(tool = %self.name, ok = self.ok, duration_ms = took.as_millis() as u64, "tool call");
    }
}
