//! The server through a real MCP client over stdio: tools/list, invariants over all tools,
//! every tool end to end against a strict loopback fake, tool errors, read-only mode, stdout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use common::{KEY, assert_valid_output, call, is_error, serve, serve_with_key, text};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ALL_TOOLS: [&str; 25] = [
    "create_video_agent",
    "delete_video",
    "download_video",
    "get_avatar_group",
    "get_avatar_look",
    "get_brand_kit",
    "get_current_user",
    "get_video",
    "get_video_agent_resource",
    "get_video_agent_session",
    "get_video_scenes",
    "get_voice",
    "list_avatar_groups",
    "list_avatar_looks",
    "list_brand_glossaries",
    "list_brand_kits",
    "list_video_agent_session_videos",
    "list_video_agent_sessions",
    "list_video_agent_styles",
    "list_videos",
    "list_voices",
    "send_video_agent_message",
    "stop_video_agent_session",
    "upload_asset",
    "wait_for_video",
];

fn data(value: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": value }))
}

fn page(items: Value, next: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({ "data": items, "has_more": next.is_some(), "next_token": next }))
}

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-request-id", "req_abc")
        .set_body_json(
            json!({"error": {"code": code, "message": message, "param": null, "doc_url": null}}),
        )
}

#[tokio::test]
async fn server_identifies_itself_from_cargo() {
    let served = serve(&[], &[]).await;
    let info = served.client.peer_info().unwrap();
    let server = info.server_info.clone().unwrap();
    assert_eq!(server.name, "heygen-mcp");
    assert_eq!(server.version, env!("CARGO_PKG_VERSION"));
    let instructions = info.instructions.clone().unwrap_or_default();
    for needle in [
        "mode=chat",
        "needs_input",
        "wait_for_video",
        "get_video",
        "5-10x",
        "list_avatar_looks",
    ] {
        assert!(instructions.contains(needle), "instructions lack {needle}");
    }
}

#[tokio::test]
async fn tools_list_matches_snapshot() {
    let served = serve(&[], &[]).await;
    let tools = served.client.list_all_tools().await.unwrap();
    insta::assert_json_snapshot!("tools_list", tools);
}

#[tokio::test]
async fn every_tool_meets_the_invariants() {
    let served = serve(&[], &[]).await;
    let tools = served.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ALL_TOOLS);
    for tool in &tools {
        let name = &tool.name;
        assert!(
            tool.title.as_deref().is_some_and(|t| !t.is_empty()),
            "{name}: title"
        );
        let description = tool.description.as_deref().unwrap_or_default();
        assert!(description.len() >= 60, "{name}: description too thin");
        let a = tool
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: annotations"));
        for (hint, value) in [
            ("readOnly", a.read_only_hint),
            ("destructive", a.destructive_hint),
            ("idempotent", a.idempotent_hint),
            ("openWorld", a.open_world_hint),
        ] {
            assert!(value.is_some(), "{name}: {hint}Hint must be explicit");
        }
        for (kind, schema) in [
            ("input", Some(&tool.input_schema)),
            ("output", tool.output_schema.as_ref()),
        ] {
            let schema = schema.unwrap_or_else(|| panic!("{name}: {kind}Schema missing"));
            assert_eq!(
                schema.get("type"),
                Some(&json!("object")),
                "{name}: {kind} root"
            );
            for combinator in ["oneOf", "anyOf", "allOf", "not"] {
                assert!(
                    !schema.contains_key(combinator),
                    "{name}: top-level {combinator} in {kind}"
                );
            }
            let rendered = serde_json::to_string(schema).unwrap();
            assert!(
                !rendered.contains("\"null\""),
                "{name}: {kind} schema has a null type: {rendered}"
            );
            jsonschema::draft202012::meta::validate(&Value::Object(schema.as_ref().clone()))
                .unwrap_or_else(|e| panic!("{name}: {kind} schema is not valid JSON Schema: {e}"));
        }
        assert_eq!(
            tool.input_schema.get("additionalProperties"),
            Some(&json!(false)),
            "{name}: unknown args must be refused"
        );
        let properties = tool
            .input_schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap();
        for (arg, spec) in properties {
            assert!(
                spec.get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| !d.is_empty()),
                "{name}.{arg}: description"
            );
        }
        // Writers say so; readers are safe.
        let read_only = a.read_only_hint == Some(true);
        let writes = [
            "create_video_agent",
            "send_video_agent_message",
            "stop_video_agent_session",
            "delete_video",
            "download_video",
            "upload_asset",
        ];
        assert_eq!(
            read_only,
            !writes.contains(&name.as_ref()),
            "{name}: readOnlyHint"
        );
        if name == "delete_video" || name == "stop_video_agent_session" {
            assert_eq!(a.destructive_hint, Some(true), "{name}: destructive");
        }
    }
}

/// A fake with every endpoint strict on method, path, query, key and exact body.
async fn strict_fake() -> MockServer {
    let server = MockServer::start().await;
    let session = json!({
        "session_id": "s_1", "status": "reviewing", "progress": 35, "created_at": 1_763_000_000,
        "messages": [
            {"role": "model", "content": "Here is the storyboard: 3 scenes. Approve or ask for changes.", "type": "resource", "resource_ids": ["r_1", "r_2", "r_3"], "created_at": 1_763_000_100},
            {"role": "user", "content": "Make a 30-second video about our launch", "type": "text", "created_at": 1_763_000_000}
        ]
    });
    let rendering = json!({
        "session_id": "s_1", "status": "generating", "progress": 40, "created_at": 1_763_000_000, "video_id": "v_1",
        "messages": [{"role": "user", "content": "Looks good, render it", "type": "text", "created_at": 1_763_000_200}]
    });
    let completed = json!({
        "id": "v_1", "status": "completed", "created_at": 1_763_000_000, "completed_at": 1_763_000_900,
        "video_url": "https://files.example/v_1.mp4?sig=1", "thumbnail_url": "https://files.example/v_1.jpg",
        "captioned_video_url": "https://files.example/v_1_cap.mp4", "subtitle_url": "https://files.example/v_1.srt",
        "gif_url": "https://files.example/v_1.gif", "duration": 30.4, "video_page_url": "https://app.heygen.com/videos/v_1"
    });
    let mocks = [
        Mock::given(method("POST")).and(path("/v3/video-agents")).and(header("x-api-key", KEY))
            .and(body_json(json!({"prompt": "Make a 30-second video about our launch", "mode": "chat", "orientation": "landscape"})))
            .respond_with(data(json!({"session_id": "s_1", "status": "thinking", "created_at": 1_763_000_000}))),
        Mock::given(method("GET")).and(path("/v3/video-agents/s_1")).and(header("x-api-key", KEY)).respond_with(data(session)).up_to_n_times(1),
        // After the approval the send checks that HeyGen took it: the reply is on top.
        Mock::given(method("GET")).and(path("/v3/video-agents/s_1")).and(header("x-api-key", KEY)).respond_with(data(rendering)),
        Mock::given(method("POST")).and(path("/v3/video-agents/s_1")).and(header("x-api-key", KEY))
            .and(body_json(json!({"message": "Looks good, render it"})))
            .respond_with(data(json!({"session_id": "s_1", "run_id": "run_7"}))),
        Mock::given(method("GET")).and(path("/v3/video-agents/s_1/resources/r_1")).and(header("x-api-key", KEY))
            .respond_with(data(json!({"resource_id": "r_1", "resource_type": "image", "source_type": "generated", "url": format!("{}/media/r_1.png", server.uri()), "metadata": {"scene": 1, "text": "Opening"}}))),
        Mock::given(method("GET")).and(path("/v3/video-agents/s_1/videos")).and(header("x-api-key", KEY)).respond_with(page(json!([completed.clone()]), None)),
        Mock::given(method("POST")).and(path("/v3/video-agents/s_1/stop")).and(header("x-api-key", KEY)).and(body_json(json!({})))
            .respond_with(data(json!({"session_id": "s_1"}))),
        Mock::given(method("GET")).and(path("/v3/video-agents")).and(header("x-api-key", KEY)).and(query_param("limit", "2"))
            .respond_with(page(json!([{"session_id": "s_1", "created_at": 1}, {"session_id": "s_0", "created_at": 0}]), Some("tok_2"))),
        Mock::given(method("GET")).and(path("/v3/video-agents/styles")).and(header("x-api-key", KEY)).and(query_param("tag", "cinematic"))
            .respond_with(page(json!([{"style_id": "st_1", "name": "Film noir", "tags": ["cinematic"], "aspect_ratio": "16:9", "thumbnail_url": "https://cdn.example/st_1.jpg"}]), None)),
        Mock::given(method("GET")).and(path("/v3/videos/v_1")).and(header("x-api-key", KEY)).respond_with(data(completed)),
        Mock::given(method("GET")).and(path("/v3/videos")).and(header("x-api-key", KEY)).and(query_param("token", "tok_9"))
            .respond_with(page(json!([{"id": "v_1", "status": "completed", "duration": 30.4}, {"id": "v_0", "status": "failed", "failure_code": "x"}]), None)),
        // Storage: the storyboard frame is fetched without credentials and shown inline.
        Mock::given(method("GET")).and(path("/media/r_1.png")).and(|r: &Request| !r.headers.contains_key("x-api-key"))
            .respond_with(ResponseTemplate::new(200).insert_header("content-type", "image/png").set_body_bytes(b"\x89PNG\r\n\x1a\nframe".to_vec())),
        Mock::given(method("DELETE")).and(path("/v3/videos/v_1")).and(header("x-api-key", KEY)).respond_with(data(json!({"id": "v_1", "deleted": true}))),
    ];
    for mock in mocks {
        mock.expect(1).mount(&server).await;
    }
    server
}

#[tokio::test]
async fn all_eleven_tools_end_to_end() {
    let fake = strict_fake().await;
    let served = serve_with_key(&fake.uri(), &[]).await;
    let tools: HashMap<String, rmcp::model::Tool> = served
        .client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.name.to_string(), t))
        .collect();
    let calls = [
        (
            "create_video_agent",
            json!({"prompt": "Make a 30-second video about our launch", "mode": "chat", "orientation": "landscape"}),
        ),
        ("get_video_agent_session", json!({"session_id": "s_1"})),
        (
            "get_video_agent_resource",
            json!({"session_id": "s_1", "resource_id": "r_1"}),
        ),
        (
            "send_video_agent_message",
            json!({"session_id": "s_1", "message": "Looks good, render it"}),
        ),
        (
            "list_video_agent_session_videos",
            json!({"session_id": "s_1"}),
        ),
        ("get_video", json!({"video_id": "v_1"})),
        ("list_video_agent_sessions", json!({"limit": 2})),
        ("list_video_agent_styles", json!({"tag": "cinematic"})),
        ("list_videos", json!({"token": "tok_9"})),
        ("stop_video_agent_session", json!({"session_id": "s_1"})),
        ("delete_video", json!({"video_id": "v_1"})),
    ];
    let mut results = HashMap::new();
    for (tool, args) in calls {
        let result = call(&served, tool, args).await;
        assert_valid_output(tools[tool].output_schema.as_ref().unwrap(), &result);
        if tool == "get_video_agent_resource" {
            let image = result
                .content
                .iter()
                .find_map(|c| c.as_image())
                .expect("the frame inline");
            assert_eq!(image.mime_type, "image/png");
        }
        results.insert(tool, result.structured_content.unwrap());
    }
    assert_eq!(results.len(), 11);
    let session = &results["get_video_agent_session"];
    assert_eq!(session["status"], "reviewing");
    assert_eq!(
        session["messages"][0]["resource_ids"],
        json!(["r_1", "r_2", "r_3"])
    );
    assert!(
        session["next_step"]
            .as_str()
            .unwrap()
            .contains("send_video_agent_message")
    );
    assert!(
        results["create_video_agent"]["next_step"]
            .as_str()
            .unwrap()
            .contains("wait_for_video")
    );
    assert_eq!(
        results["get_video"]["video_url"],
        "https://files.example/v_1.mp4?sig=1"
    );
    assert_eq!(results["list_video_agent_sessions"]["next_token"], "tok_2");
    assert_eq!(results["list_video_agent_sessions"]["has_more"], true);
    assert_eq!(results["list_videos"]["videos"][1]["status"], "failed");
    assert_eq!(
        results["delete_video"],
        json!({"id": "v_1", "deleted": true})
    );
    fake.verify().await;
}

#[tokio::test]
async fn missing_credentials_are_a_tool_error_and_send_nothing() {
    let fake = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&fake)
        .await;
    let served = serve(&[], &[("HEYGEN_API_BASE", &fake.uri())]).await;
    assert_eq!(
        served.client.list_all_tools().await.unwrap().len(),
        ALL_TOOLS.len()
    );
    for (tool, args) in [
        ("get_video", json!({"video_id": "v_1"})),
        ("create_video_agent", json!({"prompt": "hello"})),
    ] {
        let result = call(&served, tool, args).await;
        assert!(is_error(&result));
        let message = text(&result);
        assert!(
            message.contains("HEYGEN_API_KEY") && message.contains("env"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn invalid_arguments_name_the_argument_and_send_nothing() {
    let fake = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&fake)
        .await;
    let served = serve_with_key(&fake.uri(), &[]).await;
    let long = "x".repeat(10_001);
    let cases = [
        (
            "create_video_agent",
            json!({}),
            "missing required argument `prompt`",
        ),
        ("create_video_agent", json!({"prompt": ""}), "`prompt`"),
        ("create_video_agent", json!({"prompt": long}), "`prompt`"),
        (
            "create_video_agent",
            json!({"prompt": "p", "mode": "batch"}),
            "`mode`",
        ),
        (
            "create_video_agent",
            json!({"prompt": "p", "orientation": "square"}),
            "`orientation`",
        ),
        (
            "create_video_agent",
            json!({"prompt": "p", "duration": 30}),
            "unknown argument(s) `duration`",
        ),
        (
            "create_video_agent",
            json!({"prompt": "p", "files": [{"type": "base64", "data": "AA=="}]}),
            "`files[0]`",
        ),
        (
            "create_video_agent",
            json!({"prompt": "p", "files": [{"type": "url", "url": "https://x", "asset_id": "a"}]}),
            "`files[0]`",
        ),
        (
            "create_video_agent",
            json!({"prompt": "p", "files": vec![json!({"type": "asset_id", "asset_id": "a"}); 21]}),
            "`files`",
        ),
        (
            "create_video_agent",
            json!({"prompt": "p", "incognito_mode": "yes"}),
            "`incognito_mode`",
        ),
        (
            "get_video",
            json!({"video_id": "../users/me"}),
            "`video_id`: is not a valid id",
        ),
        (
            "get_video",
            json!({"video_id": "a%2Fb"}),
            "`video_id`: is not a valid id",
        ),
        (
            "get_video",
            json!({"video_id": "v?x=1"}),
            "`video_id`: is not a valid id",
        ),
        (
            "get_video_agent_resource",
            json!({"session_id": "s_1", "resource_id": "r/1"}),
            "`resource_id`",
        ),
        ("list_videos", json!({"limit": 0}), "`limit`"),
        ("list_videos", json!({"limit": 101}), "`limit`"),
        (
            "list_video_agent_sessions",
            json!({"limit": "ten"}),
            "`limit`",
        ),
        ("list_videos", json!({"title": ""}), "`title`"),
        (
            "send_video_agent_message",
            json!({"session_id": "s_1"}),
            "missing required argument `message`",
        ),
        (
            "send_video_agent_message",
            json!({"session_id": "s_1", "message": "ok", "mode": "chat"}),
            "unknown argument(s) `mode`",
        ),
    ];
    for (tool, args, expected) in cases {
        let result = call(&served, tool, args.clone()).await;
        assert!(is_error(&result), "{tool} {args} should fail");
        let message = text(&result);
        assert!(message.contains(expected), "{tool} {args}: {message}");
        assert!(
            message.len() < 2_000,
            "message should not echo large values"
        );
    }
}

#[tokio::test]
async fn api_errors_come_back_with_a_remedy() {
    let fake = MockServer::start().await;
    let cases: [(&str, ResponseTemplate, &str); 6] = [
        (
            "v_404",
            error(404, "not_found", "Video not found"),
            "list_videos",
        ),
        (
            "v_401",
            error(401, "unauthorized", "Invalid or expired API key."),
            "HEYGEN_API_KEY",
        ),
        (
            "v_402",
            error(402, "insufficient_credits", "Not enough credits"),
            "credits",
        ),
        (
            "v_403",
            error(403, "forbidden", "Scope missing"),
            "not allowed",
        ),
        (
            "v_429",
            error(429, "rate_limit_exceeded", "Too many requests")
                .insert_header("retry-after", "0"),
            "Rate limited",
        ),
        (
            "v_500",
            ResponseTemplate::new(500).set_body_string("<html>oops</html>"),
            "safe to call again",
        ),
    ];
    for (id, response, _) in &cases {
        Mock::given(path(format!("/v3/videos/{id}")))
            .respond_with(response.clone())
            .mount(&fake)
            .await;
    }
    let served = serve(
        &[],
        &[
            ("HEYGEN_API_KEY", KEY),
            ("HEYGEN_API_BASE", &fake.uri()),
            ("HEYGEN_MAX_RETRIES", "0"),
        ],
    )
    .await;
    for (id, _, remedy) in cases {
        let result = call(&served, "get_video", json!({"video_id": id})).await;
        assert!(is_error(&result), "{id}");
        let message = text(&result);
        assert!(
            message.starts_with(&format!("Failed to get video {id}")),
            "{message}"
        );
        assert!(message.contains(remedy), "{id}: {message}");
        if id != "v_500" {
            assert!(message.contains("request id req_abc"), "{message}");
        }
    }
    // A create that fails with a 5xx may have started a video: the model is told to check.
    Mock::given(method("POST"))
        .and(path("/v3/video-agents"))
        .respond_with(error(502, "bad_gateway", "upstream"))
        .expect(1)
        .mount(&fake)
        .await;
    let result = call(&served, "create_video_agent", json!({"prompt": "hello"})).await;
    assert!(
        text(&result).contains("list_video_agent_sessions"),
        "{}",
        text(&result)
    );
}

#[tokio::test]
async fn read_only_mode_offers_only_readers() {
    for (args, env) in [
        (vec!["--read-only"], vec![]),
        (vec![], vec![("HEYGEN_READ_ONLY", "1")]),
    ] {
        let served = serve(&args, &env).await;
        let tools = served.client.list_all_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(names.len(), 19, "{names:?}");
        assert!(
            tools
                .iter()
                .all(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true))
        );
        let err = served
            .client
            .call_tool(
                rmcp::model::CallToolRequestParams::new("delete_video")
                    .with_arguments(json!({"video_id": "v_1"}).as_object().unwrap().clone()),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("tool not found"), "{err}");
    }
}

#[tokio::test]
async fn unknown_tool_is_a_protocol_error() {
    let served = serve(&[], &[]).await;
    let err = served
        .client
        .call_tool(rmcp::model::CallToolRequestParams::new("make_coffee"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("-32602"), "{err}");
}

/// Only JSON-RPC on stdout, and the key nowhere, even at trace level and through errors.
#[tokio::test]
async fn stdout_is_only_json_rpc_and_the_key_never_leaks() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let fake = MockServer::start().await;
    Mock::given(path("/v3/videos/v_1"))
        .respond_with(error(401, "unauthorized", "Invalid or expired API key."))
        .mount(&fake)
        .await;
    Mock::given(path("/v3/videos/v_2"))
        .respond_with(data(json!({"id": "v_2", "status": "processing"})))
        .mount(&fake)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("down"))
        .mount(&fake)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut child = common::command(
        &[],
        &[
            ("HEYGEN_API_KEY", KEY),
            ("HEYGEN_API_BASE", &fake.uri()),
            ("RUST_LOG", "trace"),
        ],
        home.path(),
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Drained as it comes: trace logging fills a pipe buffer long before the test ends.
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stderr_task = tokio::spawn(async move {
        let mut text = String::new();
        stderr_pipe.read_to_string(&mut text).await.unwrap();
        text
    });
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_video", "arguments": {"video_id": "v_1"}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "get_video", "arguments": {"video_id": "v_2"}}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "create_video_agent", "arguments": {"prompt": "p"}}}),
        json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "get_video", "arguments": {"video_id": 7}}}),
        json!({"jsonrpc": "2.0", "id": 7, "method": "no/such/method"}),
    ];
    for request in &requests {
        stdin
            .write_all(format!("{request}\n").as_bytes())
            .await
            .unwrap();
    }
    stdin.write_all(b"this is not json\n").await.unwrap();
    stdin
        .write_all(format!("{}\n", json!({"jsonrpc": "2.0", "id": 8, "method": "ping"})).as_bytes())
        .await
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut answered = std::collections::BTreeSet::new();
    let mut stdout_text = String::new();
    while answered.len() < 8 {
        let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        stdout_text.push_str(&line);
        let message: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not JSON on stdout: {line:?}: {e}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        if let Some(id) = message["id"].as_i64() {
            answered.insert(id);
        }
    }
    drop(stdin);
    while let Ok(Some(line)) = lines.next_line().await {
        serde_json::from_str::<Value>(&line)
            .unwrap_or_else(|e| panic!("not JSON on stdout: {line:?}: {e}"));
        stdout_text.push_str(&line);
    }
    child.wait().await.unwrap();
    let stderr = stderr_task.await.unwrap();
    assert_eq!(
        answered.into_iter().collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6, 7, 8]
    );
    assert!(
        stderr.contains("heygen request"),
        "trace logs expected on stderr"
    );
    for haystack in [&stdout_text, &stderr] {
        assert!(!haystack.contains(KEY), "the API key leaked");
        assert!(
            !haystack.contains(&KEY[3..15]),
            "part of the API key leaked"
        );
    }
    // Requests did reach the fake with the key: it was sent, just never printed.
    let received = fake.received_requests().await.unwrap();
    assert!(
        received
            .iter()
            .any(|r: &Request| r.headers.get("x-api-key").is_some_and(|v| v == KEY))
    );
}

#[tokio::test]
async fn refuses_to_send_a_key_over_plain_http() {
    let home = tempfile::tempdir().unwrap();
    let output = common::command(
        &[],
        &[
            ("HEYGEN_API_KEY", KEY),
            ("HEYGEN_API_BASE", "http://api.example.com"),
        ],
        home.path(),
    )
    .stdin(std::process::Stdio::null())
    .output()
    .await
    .unwrap();
    assert!(!output.status.success());
    assert!(
        output.stdout.is_empty(),
        "nothing but JSON-RPC may reach stdout"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("HEYGEN_ALLOW_HTTP"), "{stderr}");
    assert!(!stderr.contains(KEY));
}

/// A bearer token is as secret as a key: not in trace logs, not in results.
#[tokio::test]
async fn an_access_token_never_appears_in_logs_or_results() {
    let token = "oauth-token-5c1e7a9b2d";
    let fake = MockServer::start().await;
    Mock::given(path("/v3/videos/v_1"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(error(401, "unauthorized", "Invalid or expired token."))
        .expect(1)
        .mount(&fake)
        .await;
    let served = serve(
        &[],
        &[
            ("HEYGEN_ACCESS_TOKEN", token),
            ("HEYGEN_API_BASE", &fake.uri()),
        ],
    )
    .await;
    let result = call(&served, "get_video", json!({"video_id": "v_1"})).await;
    assert!(is_error(&result));
    assert!(!serde_json::to_string(&result).unwrap().contains(token));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let logged = served.stderr.lock().unwrap().clone();
    assert!(
        logged.contains("heygen request"),
        "trace logs were collected"
    );
    assert!(!logged.contains(token), "the token appeared in the logs");
    fake.verify().await;
}

/// Toolsets turn groups of tools on; the instructions name only tools that are listed,
/// whatever the combination (read-only too).
#[tokio::test]
async fn instructions_name_only_listed_tools_for_every_toolset() {
    let mut cases: Vec<(String, bool)> = Vec::new();
    for toolsets in [
        "all",
        "video_agent",
        "videos",
        "discovery",
        "brand",
        "files",
        "video_agent,videos",
        "video_agent,files",
        "videos,discovery",
    ] {
        cases.push((toolsets.to_owned(), false));
        cases.push((toolsets.to_owned(), true));
    }
    for (toolsets, read_only) in cases {
        let mut args = vec!["--toolsets", toolsets.as_str()];
        if read_only {
            args.push("--read-only");
        }
        let served = serve(&args, &[]).await;
        let tools = served.client.list_all_tools().await.unwrap();
        let listed: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
        let instructions = served
            .client
            .peer_info()
            .and_then(|info| info.instructions.clone())
            .unwrap_or_default();
        assert!(!instructions.is_empty());
        let words: Vec<&str> = instructions
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        for name in ALL_TOOLS {
            if words.contains(&name) {
                assert!(
                    listed.iter().any(|l| l == name),
                    "--toolsets {toolsets} (read-only {read_only}): instructions name {name}, which is not listed:\n{instructions}"
                );
            }
        }
        if toolsets.contains("video_agent") && !read_only {
            assert!(listed.iter().any(|l| l == "create_video_agent"));
            assert!(instructions.contains("create_video_agent"));
        }
        if read_only {
            assert!(instructions.contains("only reads"), "{instructions}");
        }
    }
    // Brand tools are in `brand` only; an unknown name stops the server with the valid ones.
    let served = serve(&["--toolsets", "brand"], &[]).await;
    let names: Vec<String> = served
        .client
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(
        names,
        ["get_brand_kit", "list_brand_glossaries", "list_brand_kits"]
    );
    let home = tempfile::tempdir().unwrap();
    let out = common::command(&["--toolsets", "video_agent,colour"], &[], home.path())
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("\"colour\"") && said.contains("discovery"),
        "{said}"
    );
}
