//! Issue 14: HeyGen requests and model-visible calls for one long render, with MCP tasks and
//! without.
//!
//! Without tasks (a host that does not declare the extension, as most do today), the model
//! calls `create_video_agent`, then `wait_for_video` again after each `still_running` answer
//! (one call per ≤ 50 s): every call is a model turn. With tasks, the model makes one
//! `tools/call` and gets a task; the host polls `tasks/get` at the `pollIntervalMs` each
//! answer gives, without the model, and hands the model the result when the task completes.
//!
//! Scaled as in waiting.rs: the sandbox's clock runs fast enough for the render to take
//! `wall` seconds, and every delay on both sides (the server's wait settings, the host's
//! poll interval) is divided by `k = real / wall`, so the schedule of requests is the one
//! real time would give. Lateness is measured on the wall clock and multiplied by `k`. Both
//! run side by side, each against its own sandbox, through the same server code (tasks on;
//! only the client's capabilities differ), in this process over an in-memory duplex.

use std::time::{Duration, Instant};

use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientCapabilities, ClientConfig, GetTaskParams,
    Implementation, JsonObject, ProtocolVersion, TaskPayload, TaskStatus,
};
use rmcp::service::{RunningService, ServerSink};
use rmcp::{ClientHandler, ClientLifecycleMode, ClientServiceExt, RoleClient, ServiceExt};
use serde_json::{Value, json};

use crate::calls::loopback;
use crate::stats::{Table, ms};
use crate::waiting::{Render, SIX_MINUTE_VIDEO, scaled_server};
use crate::{Error, direct_client};

/// A host that declares the tasks extension.
#[derive(Clone)]
struct TaskHost;

impl ClientHandler for TaskHost {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_tasks().build(),
            Implementation::new("heygen-mcp-bench-tasks", "0"),
        )
    }
}

/// One way of following a render to its end.
#[derive(Debug, Clone)]
pub struct Run {
    /// HeyGen (`/v3`) requests from the create to the answer that shows completion,
    /// the create included.
    pub requests: u64,
    pub by_route: Vec<(String, u64)>,
    /// Tool calls the model makes: each one is a model turn.
    pub model_calls: u64,
    /// `tasks/get` polls the host makes on its own (no model turn).
    pub host_polls: u64,
    /// Real seconds between completion and the answer that showed it.
    pub late: f64,
}

pub struct Case {
    pub label: String,
    pub k: f64,
    pub wall: Duration,
    pub without: Run,
    pub with: Run,
}

/// One render of `real` (create → completed) simulated in `wall`.
pub async fn measure(real: Duration, wall: Duration) -> Result<Case, Error> {
    let render = &SIX_MINUTE_VIDEO;
    let k = real.as_secs_f64() / wall.as_secs_f64();
    let scale = render.sim_total / wall.as_secs_f64();
    let started = Instant::now();
    let (without, with) = tokio::try_join!(
        without_tasks(render, scale, k),
        with_tasks(render, scale, k)
    )?;
    Ok(Case {
        label: format!(
            "{:.0} min render (scaled, k = {k:.0})",
            real.as_secs_f64() / 60.0
        ),
        k,
        wall: started.elapsed(),
        without,
        with,
    })
}

fn call(name: &str, arguments: Value) -> CallToolRequestParams {
    let arguments = match arguments {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    };
    CallToolRequestParams::new(name.to_owned()).with_arguments(arguments)
}

/// The server over an in-memory duplex, driven by `client`.
async fn connect<C: ClientHandler>(
    base: &str,
    k: f64,
    client: C,
    lifecycle: ClientLifecycleMode,
) -> Result<(RunningService<RoleClient, C>, tokio::task::JoinHandle<()>), Error> {
    let server = scaled_server(base, k, true)?;
    let (client_io, server_io) = tokio::io::duplex(1 << 20);
    let task = tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    Ok((
        client.serve_with_lifecycle(client_io, lifecycle).await?,
        task,
    ))
}

/// `create_video_agent` as a tool call; the session id and the instant HeyGen created it
/// (the middle of the call).
async fn create(peer: &ServerSink, render: &Render) -> Result<(String, Instant), Error> {
    let sent = Instant::now();
    let result = peer
        .call_tool(call(
            "create_video_agent",
            json!({ "prompt": render.prompt }),
        ))
        .await?;
    let at = sent + sent.elapsed() / 2;
    let created = result
        .structured_content
        .ok_or("create_video_agent returned no structured result")?;
    let id = created["session_id"]
        .as_str()
        .ok_or_else(|| format!("create_video_agent answered {created}"))?;
    Ok((id.to_owned(), at))
}

async fn by_route(base: &str) -> Result<Vec<(String, u64)>, Error> {
    let stats: Value = direct_client()?
        .get(format!("{base}/_sandbox/stats"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(stats["data"]["by_route"]
        .as_object()
        .map(|routes| {
            routes
                .iter()
                .map(|(route, n)| (route.clone(), n.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default())
}

/// The model: create, then wait_for_video after each still_running (with the video_id once
/// an answer names one, as its next_step says).
async fn without_tasks(render: &Render, scale: f64, k: f64) -> Result<Run, Error> {
    let sandbox = Sandbox::start(loopback(), SandboxOptions { time_scale: scale }).await?;
    let (client, server) =
        connect(sandbox.base_url(), k, (), ClientLifecycleMode::Initialize).await?;
    let peer = client.peer().clone();
    let before = sandbox.request_count();
    let outcome = async {
        let (session_id, created) = create(&peer, render).await?;
        let done_at = created + Duration::from_secs_f64(render.sim_total / scale);
        let deadline = done_at + Duration::from_secs_f64(render.sim_total / scale * 2.0 + 10.0);
        let mut arguments = json!({ "session_id": session_id });
        let mut model_calls = 1;
        loop {
            if Instant::now() > deadline {
                return Err::<Run, Error>("wait_for_video never reported completion".into());
            }
            model_calls += 1;
            let result = tokio::time::timeout(
                Duration::from_secs(120),
                peer.call_tool(call("wait_for_video", arguments.clone())),
            )
            .await
            .map_err(|_| "wait_for_video took over 120 s")??;
            let outcome = result
                .structured_content
                .ok_or("wait_for_video returned no structured result")?;
            match outcome["state"].as_str() {
                Some("completed") => {
                    let late = Instant::now().saturating_duration_since(done_at);
                    return Ok(Run {
                        requests: sandbox.request_count() - before,
                        by_route: Vec::new(),
                        model_calls,
                        host_polls: 0,
                        late: late.as_secs_f64() * k,
                    });
                }
                Some("still_running") => {
                    if let Some(video_id) = outcome["video_id"].as_str() {
                        arguments = json!({ "video_id": video_id });
                    }
                }
                other => return Err(format!("wait_for_video answered {other:?}: {outcome}").into()),
            }
        }
    }
    .await;
    finish(sandbox, client, server, outcome).await
}

/// The host: one tools/call answered with a task, then tasks/get at the pollIntervalMs each
/// answer gives (divided by k) until the task is terminal.
async fn with_tasks(render: &Render, scale: f64, k: f64) -> Result<Run, Error> {
    let sandbox = Sandbox::start(loopback(), SandboxOptions { time_scale: scale }).await?;
    // Tasks are a 2026-07-28 extension: the host discovers the server and declares the
    // extension on every request.
    let modern = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    let (client, server) = connect(sandbox.base_url(), k, TaskHost, modern).await?;
    let peer = client.peer().clone();
    let before = sandbox.request_count();
    let outcome = async {
        let sent = Instant::now();
        let response = peer
            .call_tool_once(call(
                "create_video_agent",
                json!({ "prompt": render.prompt }),
            ))
            .await?;
        let created_at = sent + sent.elapsed() / 2;
        let CallToolResponse::Task(created) = response else {
            return Err::<Run, Error>(
                "create_video_agent did not answer with a task to a client that takes them".into(),
            );
        };
        let done_at = created_at + Duration::from_secs_f64(render.sim_total / scale);
        let deadline = done_at + Duration::from_secs_f64(render.sim_total / scale * 2.0 + 10.0);
        let id = created.task.task_id.clone();
        let mut poll = created.task.poll_interval_ms.unwrap_or(1000);
        let mut host_polls = 0;
        loop {
            if Instant::now() > deadline {
                return Err("the task never completed".into());
            }
            tokio::time::sleep(Duration::from_millis(poll).div_f64(k)).await;
            host_polls += 1;
            let got = peer.get_task(GetTaskParams::new(id.clone())).await?;
            poll = got.task.task.poll_interval_ms.unwrap_or(1000);
            match got.task.status() {
                TaskStatus::Working => {}
                TaskStatus::Completed => {
                    let late = Instant::now().saturating_duration_since(done_at);
                    let TaskPayload::Completed { result } = &got.task.payload else {
                        return Err("a completed task without a result".into());
                    };
                    let state = &result["structuredContent"]["state"];
                    if state != "completed" {
                        return Err(format!("the task ended with state {state}").into());
                    }
                    return Ok(Run {
                        requests: sandbox.request_count() - before,
                        by_route: Vec::new(),
                        model_calls: 1,
                        host_polls,
                        late: late.as_secs_f64() * k,
                    });
                }
                other => return Err(format!("the task turned {other:?}").into()),
            }
        }
    }
    .await;
    finish(sandbox, client, server, outcome).await
}

/// Ends a run: HeyGen's requests by route, then the client, server and sandbox stopped.
async fn finish<C: ClientHandler>(
    sandbox: Sandbox,
    client: RunningService<RoleClient, C>,
    server: tokio::task::JoinHandle<()>,
    outcome: Result<Run, Error>,
) -> Result<Run, Error> {
    let routes = by_route(sandbox.base_url()).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), client.cancel()).await;
    server.abort();
    sandbox.shutdown().await;
    let mut run = outcome?;
    run.by_route = routes?;
    Ok(run)
}

fn routes(run: &Run) -> String {
    run.by_route
        .iter()
        .map(|(route, n)| format!("{route} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn report(case: &Case) -> String {
    let mut table = Table::new(&[
        &format!("{} (wall {})", case.label, ms(case.wall)),
        "HeyGen requests",
        "model-visible calls",
        "host polls (tasks/get)",
        "noticed late",
    ]);
    table.row(vec![
        "without tasks: create + wait_for_video loop".into(),
        case.without.requests.to_string(),
        format!(
            "{} (1 create + {} wait_for_video)",
            case.without.model_calls,
            case.without.model_calls - 1
        ),
        "-".into(),
        format!("{:.1} s", case.without.late),
    ]);
    table.row(vec![
        "with tasks: one tools/call, host polls tasks/get".into(),
        case.with.requests.to_string(),
        format!(
            "{} (+ the result when the task ends)",
            case.with.model_calls
        ),
        case.with.host_polls.to_string(),
        format!("{:.1} s", case.with.late),
    ]);
    format!(
        "{}  HeyGen requests by route, without tasks: {}\n  with tasks: {}\n  no target in issue 14 (informational); k = {:.0}.\n",
        table.render(),
        routes(&case.without),
        routes(&case.with),
        case.k
    )
}
