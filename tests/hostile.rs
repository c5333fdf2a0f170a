//! Hostile input: thousands of random and malformed argument objects to every tool (each gets
//! a tool error or a JSON-RPC error, nothing panics, and no HTTP request leaves for invalid
//! input), then malformed JSON-RPC, huge and deeply nested payloads and path-shaped ids on
//! the real binary, which must keep serving.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use heygen_mcp::api::HeyGenClient;
use heygen_mcp::config::{Config, CredentialLookup, CredentialSource, Credentials};
use heygen_mcp::tools::{HeyGenServer, Settings};
use proptest::prelude::*;
use rmcp::model::{CallToolRequestParams, Tool};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The server in process, over an in-memory duplex pipe, with rmcp's client on the other end.
struct InProcess {
    runtime: tokio::runtime::Runtime,
    client: RunningService<RoleClient, ()>,
    fake: MockServer,
    tools: Vec<Tool>,
}

fn in_process() -> InProcess {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (client, fake, tools) = runtime.block_on(async {
        let fake = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {}})))
            .mount(&fake)
            .await;
        let config = Config {
            api_base: fake.uri().parse().unwrap(),
            credentials: CredentialLookup::Found(
                Credentials::ApiKey("k".to_owned().into()),
                CredentialSource::Env("HEYGEN_API_KEY"),
            ),
            max_retries: 0,
            read_only: false,
        };
        let server = HeyGenServer::new(HeyGenClient::new(&config), Settings::default());
        let tools = server.tools();
        let (server_io, client_io) = tokio::io::duplex(1 << 16);
        tokio::spawn(async move {
            if let Ok(running) = server.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
        let client = ().serve(client_io).await.unwrap();
        (client, fake, tools)
    });
    InProcess {
        runtime,
        client,
        fake,
        tools,
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::String),
        Just(Value::String("../../etc/passwd".into())),
        Just(Value::String("a%2Fb?c=d#e".into())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value the schema `spec` does not allow, of the kind `pick` selects.
fn violate(spec: &Value, pick: u8, noise: &Value) -> Value {
    let kind = spec.get("type").and_then(Value::as_str).unwrap_or("");
    let wrong_type = match kind {
        "string" => json!(12345),
        "integer" | "number" => json!("not a number"),
        "boolean" => json!("yes"),
        "array" => json!({"not": "an array"}),
        _ => json!(["not", "an", "object"]),
    };
    match pick % 4 {
        0 => wrong_type,
        1 if spec.get("maxLength").is_some() => {
            json!("x".repeat(spec["maxLength"].as_u64().unwrap() as usize + 1))
        }
        2 if spec.get("maximum").is_some() => json!(spec["maximum"].as_i64().unwrap() + 1),
        3 if spec.get("pattern").is_some() => json!("a/../b"),
        3 if spec.get("enum").is_some() => json!("surely-not-a-member"),
        _ if !noise.is_string() || kind != "string" => noise.clone(),
        _ => wrong_type,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    /// Invalid by construction (an unknown argument, a wrong type, a bound or pattern broken,
    /// or a required argument missing): always a tool error, never a request.
    #[test]
    fn invalid_arguments_never_reach_heygen(
        tool_pick in any::<prop::sample::Index>(),
        arg_pick in any::<prop::sample::Index>(),
        violation in 0u8..6,
        noise in json_value(),
        extra in prop::collection::btree_map("[a-z_]{1,12}", json_value(), 0..3),
    ) {
        thread_local!(static HARNESS: InProcess = in_process());
        HARNESS.with(|h| {
            let tool = tool_pick.get(&h.tools);
            let properties = tool.input_schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
            let required: Vec<String> = tool.input_schema.get("required").and_then(Value::as_array)
                .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default();
            let mut args: Map<String, Value> = Map::new();
            // Keys the schema knows, with random values: these may or may not be valid.
            for (key, value) in &extra {
                if let Some(name) = properties.keys().nth(key.len() % properties.len().max(1)) {
                    args.insert(name.clone(), value.clone());
                }
            }
            // One certain violation.
            let names: Vec<&String> = properties.keys().collect();
            match (violation, names.is_empty()) {
                (0, _) | (_, true) => { args.insert("zz_unknown_argument".into(), noise.clone()); }
                (5, false) if !required.is_empty() => {
                    for name in &required { args.remove(name); }
                }
                (v, false) => {
                    let name = arg_pick.get(&names);
                    let bad = violate(&properties[*name], v, &noise);
                    args.insert((*name).clone(), bad);
                }
            }
            let outcome = h.runtime.block_on(h.client.call_tool(
                CallToolRequestParams::new(tool.name.to_string()).with_arguments(args.clone()),
            ));
            let received = h.runtime.block_on(h.fake.received_requests()).unwrap_or_default().len();
            prop_assert_eq!(received, 0, "{} {:?} reached the API", tool.name, args);
            match outcome {
                Ok(result) => prop_assert!(result.is_error == Some(true), "{} {:?} was accepted", tool.name, args),
                Err(e) => prop_assert!(e.to_string().contains("-32602"), "{e}"),
            }
            Ok(())
        })?;
    }

    /// Anything at all: an answer (tool error or result) and a server that keeps serving.
    #[test]
    fn any_arguments_get_an_answer(tool_pick in any::<prop::sample::Index>(), args in prop::collection::btree_map("[a-z_]{1,16}", json_value(), 0..6)) {
        thread_local!(static HARNESS: InProcess = in_process());
        HARNESS.with(|h| {
            let tool = tool_pick.get(&h.tools);
            let args: Map<String, Value> = args.into_iter().collect();
            let outcome = h.runtime.block_on(h.client.call_tool(
                CallToolRequestParams::new(tool.name.to_string()).with_arguments(args),
            ));
            prop_assert!(outcome.is_ok(), "{}: {:?}", tool.name, outcome.err());
            Ok(())
        })?;
    }
}

/// The binary survives malformed and oversized input on stdin and keeps answering.
#[tokio::test]
async fn malformed_and_oversized_requests_leave_the_server_serving() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let fake = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&fake)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut child = common::command(
        &[],
        &[
            ("HEYGEN_API_KEY", common::KEY),
            ("HEYGEN_API_BASE", &fake.uri()),
        ],
        home.path(),
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let pid = child.id().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next_id = 100;
    let send = async |stdin: &mut tokio::process::ChildStdin, line: Vec<u8>| {
        stdin.write_all(&line).await.unwrap();
        stdin.write_all(b"\n").await.unwrap();
    };
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    send(&mut stdin, init.to_string().into_bytes()).await;
    send(
        &mut stdin,
        br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.to_vec(),
    )
    .await;
    let call = |id: i64, tool: &str, args: Value| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": args}}).to_string().into_bytes()
    };
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let hostile: Vec<(Vec<u8>, bool)> = vec![
        (b"this is not json".to_vec(), false),
        (b"{\"jsonrpc\":\"2.0\",\"id\":".to_vec(), false),
        (vec![0xff, 0xfe, b'{', 0x80, b'}'], false),
        (format!(r#"{{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{"name":"get_video","arguments":{nested}}}}}"#).into_bytes(), false),
        (br#"{"jsonrpc":"2.0","id":3,"method":"no/such/method"}"#.to_vec(), true),
        // Answered with -32600 "Invalid request" and no id: rmcp cannot trust the id of a
        // request it could not read.
        (br#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":"not an object"}"#.to_vec(), false),
        (call(5, "create_video_agent", json!({"prompt": "x".repeat(10 * 1024 * 1024)})), true),
        (call(6, "get_video", json!({"video_id": "../../v3/users/me"})), true),
        (call(7, "get_video", json!({"video_id": "v%2F..%2Fx"})), true),
        (call(8, "get_video_agent_session", json!({"session_id": "s?token=x"})), true),
        (call(9, "get_video_agent_resource", json!({"session_id": "s_1", "resource_id": "r#frag"})), true),
        (call(10, "download_video", json!({"video_id": "v_1", "file_name": "../../.bashrc"})), true),
        (call(11, "get_video", json!({"video_id": "v\u{0}1"})), true),
        // Over the line limit: answered with an error that keeps the id, not dropped.
        (call(12, "create_video_agent", json!({"prompt": "x".repeat(17 * 1024 * 1024)})), true),
    ];
    let mut expected: Vec<i64> = vec![1];
    for (line, answered) in hostile {
        let id = serde_json::from_slice::<Value>(&line)
            .ok()
            .and_then(|v| v["id"].as_i64());
        send(&mut stdin, line).await;
        if answered {
            expected.push(id.unwrap());
        }
        // After every hostile line, a ping still gets its answer.
        next_id += 1;
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "id": next_id, "method": "ping"})
                .to_string()
                .into_bytes(),
        )
        .await;
        expected.push(next_id);
    }
    let mut answers = std::collections::HashMap::new();
    let mut invalid_requests = 0;
    while expected.iter().any(|id| !answers.contains_key(id)) {
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(
            line.len() < 64 * 1024,
            "an answer echoes a huge input: {} bytes",
            line.len()
        );
        let message: Value = serde_json::from_str(&line).unwrap();
        match message["id"].as_i64() {
            Some(id) => {
                answers.insert(id, message);
            }
            None if message["error"]["code"] == -32600 => invalid_requests += 1,
            None => {}
        }
    }
    for id in &expected {
        assert!(answers.contains_key(id), "no answer for {id}");
    }
    for id in [5, 6, 7, 8, 9, 10, 11] {
        assert_eq!(
            answers[&id]["result"]["isError"], true,
            "{id}: {}",
            answers[&id]
        );
    }
    assert_eq!(answers[&3]["error"]["code"], -32601);
    assert_eq!(answers[&12]["error"]["code"], -32600, "{}", answers[&12]);
    assert!(
        answers[&12]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{}",
        answers[&12]
    );
    assert_eq!(
        invalid_requests, 1,
        "the request with non-object params is refused"
    );
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    assert!(
        rss_kb < 256 * 1024,
        "peak memory {rss_kb} kB after a 10 MB prompt"
    );
    drop(stdin);
    let _ = child.wait().await;
}
