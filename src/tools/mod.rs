//! The MCP layer: one `#[tool_router]` block per area, combined into [`HeyGenServer`].
//!
//! Each call is checked against the tool's input schema before it reaches a handler, so no
//! request leaves for HeyGen with arguments the schema forbids. API failures come back as
//! results with `isError: true` worded for the model; protocol errors are kept for unknown
//! tools and bugs.

mod aliases;
mod args;
mod brand;
mod discovery;
mod download;
mod error;
mod files;
mod handler;
mod instructions;
mod media;
mod steps;
mod tasks;
mod toolsets;
mod ui;
mod validate;
mod video_agent;
mod videos;
mod views;
mod wait;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rmcp::RoleServer;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::Tool;
use rmcp::service::RequestContext;

pub use discovery::AccountView;
pub use download::remove_partial_downloads;
pub use error::{Op, ToolError};
pub use handler::SANDBOX_NOTE;
pub use toolsets::{Listed, Toolset, Toolsets};
pub use ui::media_origins;
pub use wait::WaitSettings;

use crate::api::HeyGenClient;
use validate::Validators;

/// Every area's router with the toolset it belongs to.
fn routers() -> Vec<(Toolset, ToolRouter<HeyGenServer>)> {
    vec![
        (Toolset::VideoAgent, HeyGenServer::video_agent_tools()),
        (Toolset::VideoAgent, HeyGenServer::wait_tools()),
        (Toolset::Videos, HeyGenServer::video_tools()),
        (Toolset::Discovery, HeyGenServer::discovery_tools()),
        (Toolset::Brand, HeyGenServer::brand_tools()),
        (Toolset::Files, HeyGenServer::file_tools()),
    ]
}

/// How the server behaves, beyond the client it drives.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Offer only the tools that read.
    pub read_only: bool,
    /// The groups of tools offered.
    pub toolsets: Toolsets,
    /// The client points at the offline sandbox: every result says so.
    pub sandbox: bool,
    pub wait: WaitSettings,
    /// Where local files may be read and written.
    pub files: crate::files::FileAccess,
    /// Served remotely: the server's disk is not the user's, so no tool reads or writes
    /// local files.
    pub remote: bool,
    /// Cancelled when the process starts to stop: waits return their resumable state.
    pub stopping: tokio_util::sync::CancellationToken,
    /// Told about every tool call (the remote server's metrics).
    pub observer: Option<Observer>,
    /// Answer long calls with MCP tasks for clients that take them.
    pub tasks: bool,
    /// Offer the inline views (MCP Apps) to clients that render them.
    pub ui: bool,
    /// The origins the views may load media from (their Content-Security-Policy).
    pub media_origins: Vec<String>,
}

/// Told when a tool call starts and ends.
pub trait ToolObserver: Send + Sync {
    fn started(&self, tool: &str);
    fn finished(&self, tool: &str, ok: bool, took: std::time::Duration);
}

/// A [`ToolObserver`] held by the settings.
#[derive(Clone)]
pub struct Observer(pub Arc<dyn ToolObserver>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

/// The MCP server: HeyGen's API as tools.
///
/// Cheap to clone: everything but the client and the view is shared. Each tool call runs on
/// a clone whose client is tied to that call (its cancellation, and in the remote server the
/// caller's key), so a cancelled call sends nothing more.
#[derive(Clone)]
pub struct HeyGenServer {
    client: HeyGenClient,
    shared: Arc<Shared>,
    view: Arc<View>,
}

/// What every clone shares: the routes of all tools, their validators, the settings.
struct Shared {
    settings: Settings,
    /// Every tool, whatever the view; a call is dispatched here once the view lists it.
    tool_router: ToolRouter<HeyGenServer>,
    toolset_of: HashMap<String, Toolset>,
    validators: Validators,
    wait_memory: wait::Memory,
    tasks: tasks::TaskMemory,
    views: Mutex<HashMap<ViewKey, Arc<View>>>,
}

/// What one kind of client sees: which tools (read-only or not, which toolsets), their
/// published schemas, and the instructions composed for exactly those tools.
struct View {
    tools: Vec<Tool>,
    listed: Listed,
    instructions: String,
    read_only: bool,
    toolsets: Toolsets,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ViewKey {
    read_only: bool,
    toolsets: Vec<&'static str>,
    extras: Extras,
}

/// What a client takes beyond plain tools, which changes what it is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Extras {
    /// Inline views (MCP Apps): the views' tools and `_meta.ui` links.
    ui: bool,
    /// Renders as tasks: the tools that answer with one say their final result's shape.
    tasks: bool,
}

impl HeyGenServer {
    pub fn new(client: HeyGenClient, settings: Settings) -> Self {
        let mut tool_router = ToolRouter::new();
        let mut toolset_of = HashMap::new();
        for (toolset, router) in routers() {
            for route in router {
                toolset_of.insert(route.attr.name.to_string(), toolset);
                tool_router.add_route(route);
            }
        }
        // The views' own tools belong to no toolset: a UI client gets them with the tools
        // they serve.
        for route in HeyGenServer::ui_tools() {
            tool_router.add_route(route);
        }
        // Arguments are checked against the full schemas; tools/list shows compact ones.
        let validators = Validators::new(&tool_router.list_all());
        let shared = Arc::new(Shared {
            tool_router,
            toolset_of,
            validators,
            wait_memory: wait::Memory::default(),
            tasks: tasks::TaskMemory::default(),
            views: Mutex::default(),
            settings,
        });
        let view = shared.view(
            shared.settings.read_only,
            &shared.settings.toolsets,
            Extras::default(),
        );
        Self {
            client,
            shared,
            view,
        }
    }

    /// The same server showing another set of tools (per request, in the remote server).
    pub fn with_view(&self, read_only: bool, toolsets: &Toolsets) -> Self {
        Self {
            view: self.shared.view(read_only, toolsets, Extras::default()),
            ..self.clone()
        }
    }

    /// The view this request's client sees: with the inline views' tools and links when it
    /// renders them (and they are on), else this server's own.
    fn view_for(&self, context: &RequestContext<RoleServer>) -> Arc<View> {
        let extras = Extras {
            ui: self.shared.settings.ui && ui::takes_ui(context.client_capabilities().as_ref()),
            tasks: self.takes_tasks(context),
        };
        if extras == Extras::default() {
            self.view.clone()
        } else {
            self.shared
                .view(self.view.read_only, &self.view.toolsets, extras)
        }
    }

    /// The same server with another client (another caller's key, in the remote server).
    pub fn with_client(&self, client: HeyGenClient) -> Self {
        Self {
            client,
            ..self.clone()
        }
    }

    /// This server as one call sees it: every HeyGen request stops with the call's cancel,
    /// and texts name the tools this client sees.
    fn for_call(&self, context: &RequestContext<RoleServer>) -> Self {
        Self {
            client: self.client.cancelled_by(context.ct.clone()),
            view: self.view_for(context),
            shared: self.shared.clone(),
        }
    }

    /// The tools this server offers, as tools/list returns them.
    pub fn tools(&self) -> Vec<Tool> {
        self.view.tools.clone()
    }

    /// The instructions this server gives, composed for its tools.
    pub fn instructions(&self) -> &str {
        &self.view.instructions
    }

    pub fn settings(&self) -> &Settings {
        &self.shared.settings
    }

    /// The client every call's client is made from.
    pub fn client(&self) -> &HeyGenClient {
        &self.client
    }

    fn listed(&self) -> &Listed {
        &self.view.listed
    }

    /// A tool failure worded for the tools this client sees.
    fn fail(&self, op: Op, subject: Option<&str>, error: crate::api::ApiError) -> ToolError {
        ToolError::new(op, subject, error).for_listed(self.listed())
    }
}

impl Shared {
    /// The view for a combination of read-only and toolsets, built once and then reused.
    fn view(&self, read_only: bool, toolsets: &Toolsets, extras: Extras) -> Arc<View> {
        let key = ViewKey {
            read_only,
            toolsets: toolsets.names(),
            extras,
        };
        if let Ok(views) = self.views.lock()
            && let Some(view) = views.get(&key)
        {
            return view.clone();
        }
        let mut tools: Vec<Tool> = self
            .tool_router
            .list_all()
            .into_iter()
            .filter(|tool| {
                let reads = tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true);
                let on = self
                    .toolset_of
                    .get(tool.name.as_ref())
                    .is_some_and(|t| toolsets.contains(*t));
                let local_files = matches!(tool.name.as_ref(), "download_video" | "upload_asset");
                on && (reads || !read_only) && !(self.settings.remote && local_files)
            })
            .collect();
        tools.iter_mut().for_each(crate::schema::compact_tool);
        if self.settings.remote {
            tools
                .iter_mut()
                .for_each(crate::schema::without_local_files);
        }
        if extras.ui || extras.tasks {
            let mut all = self.tool_router.list_all();
            all.iter_mut().for_each(crate::schema::compact_tool);
            if extras.ui {
                tools = ui::with_ui(tools, &all);
            }
            if extras.tasks {
                tasks::with_task_results(&mut tools, &all);
            }
        }
        let listed = Listed::new(tools.iter().map(|t| t.name.to_string()));
        let view = Arc::new(View {
            instructions: instructions::compose(&listed),
            tools,
            listed,
            read_only,
            toolsets: toolsets.clone(),
        });
        if let Ok(mut views) = self.views.lock() {
            views.insert(key, view.clone());
        }
        view
    }
}
