//! The remote server (`heygen-mcp http`) through real HTTP on loopback: who may call with
//! whose key, the checks at the door (Host, Origin, body size, per-caller limits), per-request
//! tool views, what changes for tools remotely, health and metrics, JSON logs, and draining on
//! SIGTERM. The protocol itself (both eras, through a load balancer, many replicas) is driven
//! by the official Python SDK in tests/remote.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// A running `heygen-mcp http`, its address and everything it logged.
struct Remote {
    child: tokio::process::Child,
    base: String,
    logs: Arc<Mutex<String>>,
    _home: tempfile::TempDir,
}

impl Remote {
    async fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let home = tempfile::tempdir().unwrap();
        let mut all = vec!["--sandbox", "http", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut child = common::command(&all, env, home.path())
            .env("RUST_LOG", "heygen_mcp=debug")
            .env("HEYGEN_SANDBOX_TIME_SCALE", "20")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let logs = Arc::new(Mutex::new(String::new()));
        let base = loop {
            let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
                .await
                .expect("the server announces its address")
                .unwrap()
                .expect("the server exited before listening");
            logs.lock().unwrap().push_str(&format!("{line}\n"));
            if let Some(rest) = line.split("serving MCP at ").nth(1) {
                break rest.split("/mcp").next().unwrap().to_owned();
            }
        };
        let sink = logs.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        Self {
            child,
            base,
            logs,
            _home: home,
        }
    }

    fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A JSON-RPC POST to /mcp in the 2025-11-25 era; returns the status, headers and the
/// JSON-RPC message the answer carries (from SSE `data:` lines or a JSON body).
async fn rpc(
    base: &str,
    headers: &[(&str, &str)],
    body: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = http()
        .post(format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let response_headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let message = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
        .rfind(|m| m.get("id").is_some())
        .or_else(|| serde_json::from_str(&text).ok())
        .unwrap_or(Value::String(text));
    (status, response_headers, message)
}

fn call(name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

fn list() -> Value {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
}

fn names(message: &Value) -> Vec<String> {
    message["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {message}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

const KEY: (&str, &str) = ("x-api-key", "caller-key-0123456789");

#[tokio::test]
async fn each_caller_brings_a_key_and_the_server_keeps_none() {
    let remote = Remote::start(&[], &[]).await;
    let (status, headers, body) = rpc(&remote.base, &[], list()).await;
    assert_eq!(status, 401);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert!(body.as_str().unwrap().contains("X-Api-Key"), "{body}");
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let (status, headers, body) = rpc(&remote.base, &[KEY], init).await;
    assert_eq!(status, 200);
    // Stateless: the only session id is the client's own declaration, handed back to carry.
    let handle = headers["mcp-session-id"].to_str().unwrap();
    let carried = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        handle.strip_prefix("hgc1.").expect("our handle"),
    )
    .unwrap();
    let carried = String::from_utf8(carried).unwrap();
    assert!(
        carried.contains("\"name\":\"t\"") && !carried.contains(KEY.1),
        "{carried}"
    );
    assert_eq!(body["result"]["protocolVersion"], "2025-11-25");
    let (_, _, tools) = rpc(
        &remote.base,
        &[("authorization", "Bearer caller-key-0123456789")],
        list(),
    )
    .await;
    let names = names(&tools);
    // The server's disk is not the user's.
    assert!(
        !names.contains(&"download_video".to_owned())
            && !names.contains(&"upload_asset".to_owned())
    );
    assert!(names.contains(&"create_video_agent".to_owned()));
    let (_, _, created) = rpc(
        &remote.base,
        &[KEY],
        call(
            "create_video_agent",
            json!({"prompt": "p", "files": [{"type": "path", "path": "/etc/hosts"}]}),
        ),
    )
    .await;
    assert_eq!(created["result"]["isError"], true, "{created}");
    assert!(created.to_string().contains("runs remotely"), "{created}");
    assert!(
        !remote.logs().contains("caller-key-0123456789"),
        "a caller's key in the logs"
    );
}

#[tokio::test]
async fn a_server_held_key_needs_a_token_off_loopback() {
    let home = tempfile::tempdir().unwrap();
    // Off loopback, or on loopback behind a proxy that --allowed-hosts lets in.
    for listen in [
        &["http", "--listen", "0.0.0.0:0"][..],
        &[
            "http",
            "--listen",
            "127.0.0.1:0",
            "--allowed-hosts",
            "mcp.example.com",
        ],
    ] {
        let refused = common::command(listen, &[("HEYGEN_API_KEY", common::KEY)], home.path())
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        assert!(!refused.status.success(), "{listen:?} started");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("HEYGEN_MCP_TOKEN"), "{said}");
        assert!(!said.contains(common::KEY));
    }

    let sandbox = heygen_mcp::sandbox::Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        heygen_mcp::sandbox::SandboxOptions { time_scale: 20.0 },
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut child = common::command(
        &["http", "--listen", "127.0.0.1:0"],
        &[
            ("HEYGEN_API_KEY", common::KEY),
            ("HEYGEN_API_BASE", sandbox.base_url()),
            ("HEYGEN_MCP_TOKEN", "gate-token-42"),
            ("RUST_LOG", "trace"),
        ],
        home.path(),
    )
    .stdin(Stdio::null())
    .stderr(Stdio::piped())
    .kill_on_drop(true)
    .spawn()
    .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    let base = loop {
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), stderr.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "exited: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if let Some(rest) = seen.split("serving MCP at ").nth(1)
            && rest.contains("/mcp")
        {
            break rest.split("/mcp").next().unwrap().to_owned();
        }
    };
    let (status, _, _) = rpc(&base, &[("authorization", "Bearer wrong")], list()).await;
    assert_eq!(status, 401);
    // A HeyGen key of one's own does not open a server-key deployment.
    let (status, _, _) = rpc(&base, &[("x-api-key", "gate-token-42")], list()).await;
    assert_eq!(status, 401);
    let (status, _, created) = rpc(
        &base,
        &[("authorization", "Bearer gate-token-42")],
        call("create_video_agent", json!({"prompt": "A 30-second video"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_ne!(created["result"]["isError"], true, "{created}");
    assert!(!created.to_string().contains(common::KEY));
    child.start_kill().unwrap();
    let mut rest = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), stderr.read_to_string(&mut rest)).await;
    seen.push_str(&rest);
    assert!(
        !seen.contains(common::KEY) && !seen.contains("gate-token-42"),
        "a secret in the logs"
    );
}

#[tokio::test]
async fn the_door_checks_host_origin_size_and_rate() {
    let remote = Remote::start(
        &[
            "--allowed-hosts",
            "mcp.example.com",
            "--allowed-origins",
            "https://app.example.com",
            "--caller-rate",
            "2",
            "--max-body-mb",
            "1",
        ],
        &[],
    )
    .await;
    let (status, _, _) = rpc(&remote.base, &[KEY, ("host", "evil.example")], list()).await;
    assert_eq!(status, 403, "an unknown Host (DNS rebinding)");
    let (status, _, _) = rpc(&remote.base, &[KEY, ("host", "mcp.example.com")], list()).await;
    assert_eq!(status, 200);
    let (status, _, _) = rpc(
        &remote.base,
        &[KEY, ("origin", "https://evil.example")],
        list(),
    )
    .await;
    assert_eq!(status, 403, "a browser page from another origin");
    let (status, _, _) = rpc(
        &remote.base,
        &[KEY, ("origin", "https://app.example.com")],
        list(),
    )
    .await;
    assert_eq!(status, 200);
    let big = call(
        "create_video_agent",
        json!({"prompt": "x".repeat(2 * 1024 * 1024)}),
    );
    let (status, _, _) = rpc(&remote.base, &[("x-api-key", "another-caller-1")], big).await;
    assert_eq!(status, 413);
    // A burst of 4 a caller (rate 2/s): the next is refused with Retry-After; another
    // caller is not slowed by it.
    let mut refused = None;
    for _ in 0..10 {
        let (status, headers, _) =
            rpc(&remote.base, &[("x-api-key", "busy-caller-1")], list()).await;
        if status == 429 {
            refused = Some(headers);
            break;
        }
    }
    let headers = refused.expect("a caller over its rate is refused");
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let (status, _, _) = rpc(&remote.base, &[("x-api-key", "calm-caller-1")], list()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn headers_choose_the_tools_a_request_sees() {
    let remote = Remote::start(&["--toolsets", "video_agent,videos,discovery"], &[]).await;
    let (_, _, all) = rpc(&remote.base, &[KEY], list()).await;
    let all = names(&all);
    assert!(
        !all.contains(&"list_brand_kits".to_owned()),
        "the deployment's toolsets bound it"
    );
    let (_, _, readers) = rpc(&remote.base, &[KEY, ("x-mcp-readonly", "true")], list()).await;
    let readers = names(&readers);
    assert!(
        !readers.contains(&"create_video_agent".to_owned())
            && readers.contains(&"get_video".to_owned())
    );
    let (_, _, videos) = rpc(
        &remote.base,
        &[KEY, ("x-mcp-toolsets", "videos,brand")],
        list(),
    )
    .await;
    assert_eq!(
        names(&videos),
        [
            "delete_video",
            "get_video",
            "get_video_scenes",
            "list_videos"
        ],
        "a header narrows, never widens"
    );
    let (status, _, body) = rpc(
        &remote.base,
        &[KEY, ("x-mcp-toolsets", "everything")],
        list(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.as_str().unwrap().contains("video_agent"), "{body}");
    // A call to a tool the request's view does not list is refused.
    let (_, _, refused) = rpc(
        &remote.base,
        &[KEY, ("x-mcp-readonly", "1")],
        call("create_video_agent", json!({"prompt": "p"})),
    )
    .await;
    assert!(refused.to_string().contains("tool not found"), "{refused}");
}

/// A 2025-11-25 client declares views once, at `initialize`; the answer's `Mcp-Session-Id`
/// carries that declaration, so every later request (on any replica) is served as that
/// client, and a client that declared nothing sees what it always saw. Tasks stay a
/// 2026-07-28 matter: naming them at initialize changes no result.
#[tokio::test]
async fn what_a_client_declared_at_initialize_travels_with_it() {
    let remote = Remote::start(&[], &[]).await;
    let initialize = |capabilities: Value| {
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": capabilities,
            "clientInfo": {"name": "remote-test", "version": "1"}}})
    };
    let (status, headers, plain) = rpc(&remote.base, &[KEY], initialize(json!({}))).await;
    assert_eq!(status, 200, "{plain}");
    let plain_handle = headers["mcp-session-id"].to_str().unwrap().to_owned();
    assert!(plain_handle.starts_with("hgc1."), "{plain_handle}");
    assert!(
        plain["result"]["capabilities"].get("resources").is_none(),
        "no views, no resources: {plain}"
    );
    let (_, headers, viewer) = rpc(
        &remote.base,
        &[KEY],
        initialize(json!({"extensions": {
            "io.modelcontextprotocol/ui": {"mimeTypes": ["text/html;profile=mcp-app"]},
            "io.modelcontextprotocol/tasks": {}}})),
    )
    .await;
    assert!(
        viewer["result"]["capabilities"]["resources"].is_object(),
        "{viewer}"
    );
    let handle = headers["mcp-session-id"].to_str().unwrap().to_owned();
    assert_ne!(handle, plain_handle);

    fn with(handle: &str) -> [(&str, &str); 2] {
        [KEY, ("mcp-session-id", handle)]
    }
    let (_, _, tools) = rpc(&remote.base, &with(&handle), list()).await;
    let tools = names(&tools);
    assert!(
        tools.contains(&"show_video".to_owned()) && tools.contains(&"follow_video".to_owned()),
        "{tools:?}"
    );
    for others in [&with(&plain_handle)[..], &[KEY][..]] {
        let (_, _, tools) = rpc(&remote.base, others, list()).await;
        assert!(!names(&tools).contains(&"show_video".to_owned()));
    }
    let (_, _, view) = rpc(
        &remote.base,
        &with(&handle),
        json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read", "params": {"uri": "ui://heygen/player.html"}}),
    )
    .await;
    assert_eq!(
        view["result"]["contents"][0]["mimeType"], "text/html;profile=mcp-app",
        "{view}"
    );
    // Tasks are a 2026-07-28 extension: a 2025-11-25 session that named it at initialize
    // (as the MCP Inspector does) is answered as before, whichever handle it sends.
    for handle in [&handle, &plain_handle] {
        let (_, _, created) = rpc(
            &remote.base,
            &with(handle),
            call("create_video_agent", json!({"prompt": "A 30-second video"})),
        )
        .await;
        assert!(
            created["result"]["structuredContent"]["session_id"].is_string(),
            "a plain result: {created}"
        );
    }
}

#[tokio::test]
async fn health_metrics_and_json_logs() {
    let remote = Remote::start(&["--log-format", "json"], &[]).await;
    let client = http();
    assert_eq!(
        client
            .get(format!("{}/healthz", remote.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client
            .get(format!("{}/readyz", remote.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let _ = rpc(
        &remote.base,
        &[KEY, ("x-request-id", "req-abc-1")],
        call("list_video_agent_styles", json!({})),
    )
    .await;
    let _ = rpc(
        &remote.base,
        &[KEY],
        call("get_video", json!({"video_id": "nope_1"})),
    )
    .await;
    let metrics = client
        .get(format!("{}/metrics", remote.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "heygen_mcp_tool_calls_total{tool=\"list_video_agent_styles\",outcome=\"ok\"} 1",
        "heygen_mcp_tool_calls_total{tool=\"get_video\",outcome=\"error\"} 1",
        "heygen_mcp_heygen_requests_total{endpoint=\"GET /v3/videos/{id}\",status=\"404\"} 1",
        "heygen_mcp_tool_calls_in_flight 0",
    ] {
        assert!(metrics.contains(line), "missing {line} in\n{metrics}");
    }
    assert!(metrics.contains("heygen_mcp_tool_call_seconds_bucket"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let logs = remote.logs();
    let tool_line = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["fields"]["tool"] == "list_video_agent_styles")
        .unwrap_or_else(|| panic!("no JSON tool line in\n{logs}"));
    assert_eq!(tool_line["span"]["request_id"], "req-abc-1", "{tool_line}");
    assert!(tool_line["fields"]["duration_ms"].is_u64());
    assert!(!logs.contains("caller-key-0123456789"));
}

#[tokio::test]
async fn sigterm_drains_and_a_wait_returns_its_ids() {
    let mut remote = Remote::start(
        &["--drain-seconds", "10", "--drain-notice-seconds", "2"],
        &[],
    )
    .await;
    let (_, _, created) = rpc(
        &remote.base,
        &[KEY],
        call(
            "create_video_agent",
            json!({"prompt": "A video [sandbox:stall]"}),
        ),
    )
    .await;
    let session = created["result"]["structuredContent"]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = remote.base.clone();
    let waiting = tokio::spawn(async move {
        rpc(
            &base,
            &[KEY],
            call(
                "wait_for_video",
                json!({"session_id": session, "timeout_seconds": 50}),
            ),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(800)).await;
    let pid = remote.child.id().unwrap();
    let started = Instant::now();
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let (status, _, waited) = waiting.await.unwrap();
    assert_eq!(status, 200);
    let outcome = &waited["result"]["structuredContent"];
    assert_eq!(outcome["state"], "still_running", "{waited}");
    assert!(outcome["session_id"].is_string());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the wait returned at once"
    );
    let exit = tokio::time::timeout(Duration::from_secs(10), remote.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "{exit:?}\n{}", remote.logs());
}

/// A client that opens a connection and sends nothing is let go after the header timeout.
#[tokio::test]
async fn a_silent_connection_is_closed() {
    let remote = Remote::start(&[], &[]).await;
    let address = remote.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the server kept a silent connection open for 20 s"
    );
}
