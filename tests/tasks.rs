//! Renders as MCP tasks, through the real binary: rmcp's client with the tasks extension
//! declared (generate to a finished video in one call; chat through input_required, a
//! revision and an approval; cancel; a failed render), a client without it (unchanged),
//! a task finished on a new process after the first was killed, and the 2026-07-28 wire
//! form written by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, ClientCapabilities, ClientConfig,
    GetTaskParams, GetTaskResult, Implementation, ProtocolVersion, TaskPayload, TaskStatus,
    UpdateTaskParams,
};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ClientLifecycleMode, ClientServiceExt, RoleClient};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A client that declares the tasks extension.
#[derive(Clone)]
struct TaskClient;

impl ClientHandler for TaskClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_tasks().build(),
            Implementation::new("task-test", "1.0"),
        )
    }
}

async fn sandbox() -> Sandbox {
    Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxOptions { time_scale: 20.0 },
    )
    .await
    .unwrap()
}

async fn connect(base: &str, home: &std::path::Path) -> RunningService<RoleClient, TaskClient> {
    connect_with(&[], base, home, modern()).await
}

/// The 2026-07-28 era: `server/discover`, then every request carries the client's
/// capabilities, as SEP-2663 expects of a client that takes tasks.
fn modern() -> ClientLifecycleMode {
    ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    }
}

async fn connect_with(
    flags: &[&str],
    base: &str,
    home: &std::path::Path,
    lifecycle: ClientLifecycleMode,
) -> RunningService<RoleClient, TaskClient> {
    let command = common::command(
        flags,
        &[("HEYGEN_API_KEY", common::KEY), ("HEYGEN_API_BASE", base)],
        home,
    );
    TaskClient
        .serve_with_lifecycle(
            TokioChildProcess::builder(command)
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
                .0,
            lifecycle,
        )
        .await
        .unwrap()
}

fn call(name: &str, args: Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name.to_owned()).with_arguments(args.as_object().unwrap().clone())
}

async fn start(client: &RunningService<RoleClient, TaskClient>, name: &str, args: Value) -> String {
    match client
        .peer()
        .call_tool_once(call(name, args))
        .await
        .unwrap()
    {
        CallToolResponse::Task(created) => {
            assert_eq!(created.task.status, TaskStatus::Working);
            assert!(
                created.task.poll_interval_ms.is_some() && created.task.ttl_ms >= Some(3_600_000)
            );
            created.task.task_id
        }
        other => panic!("expected a task, got {other:?}"),
    }
}

/// Polls until the task is terminal or asks for input.
async fn settle(client: &RunningService<RoleClient, TaskClient>, id: &str) -> GetTaskResult {
    for _ in 0..200 {
        let got = client
            .peer()
            .get_task(GetTaskParams::new(id))
            .await
            .unwrap();
        assert!(
            got.task
                .task
                .status_message
                .as_deref()
                .is_some_and(|m| !m.is_empty())
        );
        if got.task.status() != TaskStatus::Working {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the task never left working")
}

fn result_of(got: &GetTaskResult) -> Value {
    match &got.task.payload {
        TaskPayload::Completed { result } => result["structuredContent"].clone(),
        other => panic!("expected a completed task, got {other:?}"),
    }
}

fn form_key(got: &GetTaskResult) -> (String, Value) {
    match &got.task.payload {
        TaskPayload::InputRequired { input_requests } => {
            let (key, request) = input_requests.iter().next().unwrap();
            (key.clone(), serde_json::to_value(request).unwrap())
        }
        other => panic!("expected input_required, got {other:?}"),
    }
}

#[tokio::test]
async fn generate_mode_is_one_call_to_a_finished_video() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let client = connect(sandbox.base_url(), home.path()).await;
    let id = start(
        &client,
        "create_video_agent",
        json!({"prompt": "A 30-second video about otters"}),
    )
    .await;
    let done = settle(&client, &id).await;
    assert_eq!(done.task.status(), TaskStatus::Completed);
    let result = result_of(&done);
    assert_eq!(result["state"], "completed", "{result}");
    assert!(
        result["video"]["video_url"]
            .as_str()
            .unwrap()
            .starts_with("http")
    );
    assert_eq!(sandbox_creates(&sandbox).await, 1);
    // A host checks the task's final result against the tool's listed outputSchema (the MCP
    // Inspector does): for a client that takes tasks, the list gives the shape tasks end with.
    let tools = client.peer().list_all_tools().await.unwrap();
    let schema = |name: &str| {
        let tool = tools.iter().find(|t| t.name == name).unwrap();
        Value::Object(tool.output_schema.as_deref().unwrap().clone())
    };
    assert_eq!(schema("create_video_agent"), schema("wait_for_video"));
    assert_eq!(schema("send_video_agent_message"), schema("wait_for_video"));
    let validator = jsonschema::validator_for(&schema("create_video_agent")).unwrap();
    assert!(validator.is_valid(&result), "{result}");
}

#[tokio::test]
async fn chat_goes_through_review_revision_and_approval() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let client = connect(sandbox.base_url(), home.path()).await;
    let id = start(
        &client,
        "create_video_agent",
        json!({"prompt": "A 30-second video about otters", "mode": "chat"}),
    )
    .await;
    let review = settle(&client, &id).await;
    assert_eq!(review.task.status(), TaskStatus::InputRequired);
    let (key, form) = form_key(&review);
    let message = form["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("storyboard") && message.contains("/media/storyboards/"),
        "{message}"
    );
    assert!(form["params"]["requestedSchema"]["properties"]["decision"].is_object());
    // A revision: a new storyboard, under a new key.
    let answer = json!({"action": "accept", "content": {"decision": "change", "changes": "Make the intro shorter"}});
    // Sent twice at once (a host retrying while the first is still on its way): once.
    let update = || {
        client.peer().update_task(UpdateTaskParams::new(
            id.clone(),
            [(key.clone(), answer.clone())].into(),
        ))
    };
    let (first, second) = tokio::join!(update(), update());
    first.unwrap();
    second.unwrap();
    // The same answer again (a retried update) sends nothing more.
    client
        .peer()
        .update_task(UpdateTaskParams::new(
            id.clone(),
            [(key.clone(), answer)].into(),
        ))
        .await
        .unwrap();
    let revised = settle(&client, &id).await;
    let (second, _) = form_key(&revised);
    assert_ne!(second, key, "a new storyboard asks anew");
    client
        .peer()
        .update_task(UpdateTaskParams::new(
            id.clone(),
            [(
                second,
                json!({"action": "accept", "content": {"decision": "approve"}}),
            )]
            .into(),
        ))
        .await
        .unwrap();
    let done = settle(&client, &id).await;
    assert_eq!(result_of(&done)["state"], "completed");
    let stats = sandbox_stats(&sandbox).await;
    assert_eq!(
        stats["POST /v3/video-agents/{session_id}"], 2,
        "a revision and an approval, each once: {stats}"
    );
}

#[tokio::test]
async fn cancel_stops_the_session_and_a_failed_render_ends_the_task() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let client = connect(sandbox.base_url(), home.path()).await;
    let id = start(
        &client,
        "create_video_agent",
        json!({"prompt": "A video [sandbox:stall]"}),
    )
    .await;
    client
        .peer()
        .cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .unwrap();
    let got = client
        .peer()
        .get_task(GetTaskParams::new(id.clone()))
        .await
        .unwrap();
    assert_eq!(got.task.status(), TaskStatus::Cancelled);
    assert_eq!(
        sandbox_stats(&sandbox).await["POST /v3/video-agents/{session_id}/stop"],
        1
    );

    let id = start(
        &client,
        "create_video_agent",
        json!({"prompt": "A 30-second video [sandbox:fail]"}),
    )
    .await;
    let done = settle(&client, &id).await;
    assert_eq!(done.task.status(), TaskStatus::Completed);
    let result = result_of(&done);
    assert_eq!(result["state"], "failed");
    assert!(
        result["next_step"]
            .as_str()
            .unwrap()
            .contains("create_video_agent")
    );

    // A malformed or foreign id gets the spec's error, not a panic.
    for bad in ["nope", "hgt1.!!", "hgt1.eyJ0IjoxfQ"] {
        let err = client
            .peer()
            .get_task(GetTaskParams::new(bad))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("-32602") || err.to_string().contains("unknown task"),
            "{err}"
        );
    }
}

/// A task id in the server's encoding (version 1: URL-safe base64 of the ids it follows and
/// when it began), as a host would hold one for a session this key does not see.
fn task_id_for(session_id: &str, began_ms_ago: u64) -> String {
    use base64::Engine;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let json = json!({"s": session_id, "t": now - began_ms_ago}).to_string();
    format!(
        "hgt1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    )
}

/// HeyGen answers 404 for a while for sessions that exist, so a task waits through it; one
/// that has seen nothing but 404s for over 10 minutes ends and says what to do.
#[tokio::test]
async fn a_task_for_a_session_heygen_never_knew_ends() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let client = connect(sandbox.base_url(), home.path()).await;
    let get = |id: String| {
        let peer = client.peer().clone();
        async move { peer.get_task(GetTaskParams::new(id)).await.unwrap() }
    };
    let fresh = get(task_id_for("sbx_session_424242", 5_000)).await;
    assert_eq!(fresh.task.status(), TaskStatus::Working, "{fresh:?}");
    let old = get(task_id_for("sbx_session_424242", 11 * 60 * 1000)).await;
    assert_eq!(old.task.status(), TaskStatus::Completed, "{old:?}");
    let TaskPayload::Completed { result } = &old.task.payload else {
        panic!("{old:?}")
    };
    assert_eq!(result["isError"], true, "{result:?}");
    let text = result["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("sbx_session_424242")
            && text.contains("list_videos")
            && text.contains("create_video_agent"),
        "{text}"
    );
}

#[tokio::test]
async fn a_client_without_tasks_gets_todays_results() {
    let sandbox = sandbox().await;
    let served = common::serve_with_key(sandbox.base_url(), &[]).await;
    let created = common::call(
        &served,
        "create_video_agent",
        json!({"prompt": "A 30-second video"}),
    )
    .await;
    assert!(created.structured_content.unwrap()["session_id"].is_string());
    // A 2025-11-25 session that names the extension at initialize (as the MCP Inspector
    // does) and a 2026-07-28 client with tasks turned off on the server get plain results.
    let home = tempfile::tempdir().unwrap();
    let legacy = connect_with(
        &[],
        sandbox.base_url(),
        home.path(),
        ClientLifecycleMode::Initialize,
    )
    .await;
    let off = connect_with(&["--no-tasks"], sandbox.base_url(), home.path(), modern()).await;
    for client in [&legacy, &off] {
        let response = client
            .peer()
            .call_tool_once(call(
                "create_video_agent",
                json!({"prompt": "A 30-second video"}),
            ))
            .await
            .unwrap();
        match response {
            CallToolResponse::Complete(result) => {
                assert!(result.structured_content.unwrap()["session_id"].is_string());
            }
            other => panic!("a plain result, not a task: {other:?}"),
        }
        let tools = client.peer().list_all_tools().await.unwrap();
        let create = tools
            .iter()
            .find(|t| t.name == "create_video_agent")
            .unwrap();
        let required = &create.output_schema.as_ref().unwrap()["required"];
        assert!(
            required.as_array().unwrap().contains(&json!("session_id")),
            "today's create_video_agent result: {required}"
        );
    }
}

/// The task lives in HeyGen: a new server process finishes what a killed one started.
#[tokio::test]
async fn a_task_survives_a_restart() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let first = connect(sandbox.base_url(), home.path()).await;
    let id = start(
        &first,
        "create_video_agent",
        json!({"prompt": "A 60-second video about otters", "mode": "chat"}),
    )
    .await;
    let review = settle(&first, &id).await;
    let (key, _) = form_key(&review);
    drop(first);
    let second = connect(sandbox.base_url(), home.path()).await;
    let again = settle(&second, &id).await;
    assert_eq!(
        form_key(&again).0,
        key,
        "the same storyboard, asked again by a new process"
    );
    second
        .peer()
        .update_task(UpdateTaskParams::new(
            id.clone(),
            [(
                key,
                json!({"action": "accept", "content": {"decision": "approve"}}),
            )]
            .into(),
        ))
        .await
        .unwrap();
    let done = settle(&second, &id).await;
    assert_eq!(result_of(&done)["state"], "completed");
}

/// The wire, written by hand: the 2026-07-28 stateless form over stdio, every request's
/// `_meta` carrying the protocol version and the client's capabilities.
#[tokio::test]
async fn the_2026_wire_by_hand() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let mut child = common::command(
        &[],
        &[
            ("HEYGEN_API_KEY", common::KEY),
            ("HEYGEN_API_BASE", sandbox.base_url()),
        ],
        home.path(),
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .kill_on_drop(true)
    .spawn()
    .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}}
    });
    let mut next = 0;
    let mut rpc = async |method: &str, mut params: Value| -> Value {
        next += 1;
        params["_meta"] = meta.clone();
        let line = json!({"jsonrpc": "2.0", "id": next, "method": method, "params": params});
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        loop {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == next {
                return message;
            }
        }
    };
    let created = rpc(
        "tools/call",
        json!({"name": "create_video_agent", "arguments": {"prompt": "A 30-second video"}}),
    )
    .await;
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    let id = created["result"]["taskId"].as_str().unwrap().to_owned();
    assert!(
        id.is_ascii() && !id.contains(char::is_whitespace),
        "fits an Mcp-Name header"
    );
    let mut last = Value::Null;
    for _ in 0..200 {
        last = rpc("tasks/get", json!({"taskId": id})).await;
        if last["result"]["status"] == "completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["result"]["status"], "completed", "{last}");
    assert_eq!(
        last["result"]["result"]["structuredContent"]["state"],
        "completed"
    );
    let unknown = rpc("tasks/get", json!({"taskId": "hgt1.bm9wZQ"})).await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    // Without the extension declared, the same call is answered at once, as before.
    let plain = {
        next += 1;
        let line = json!({"jsonrpc": "2.0", "id": next, "method": "tools/call", "params": {
            "name": "list_video_agent_styles", "arguments": {},
            "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}});
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        loop {
            let line = lines.next_line().await.unwrap().unwrap();
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == next {
                break message;
            }
        }
    };
    assert!(
        plain["result"]["structuredContent"]["styles"].is_array(),
        "{plain}"
    );
}

async fn sandbox_stats(sandbox: &Sandbox) -> Value {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stats: Value = reqwest::get(format!("{}/_sandbox/stats", sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["data"]["by_route"].clone()
}

async fn sandbox_creates(sandbox: &Sandbox) -> u64 {
    sandbox_stats(sandbox).await["POST /v3/video-agents"]
        .as_u64()
        .unwrap_or(0)
}
