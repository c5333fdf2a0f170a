//! Shared harness: the real binary, spawned over stdio and driven by rmcp's client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;
use tokio::process::Command;

pub const KEY: &str = "sk-test-0123456789abcdef";

/// The binary with a clean environment: no inherited HeyGen variables, a HOME with no
/// credentials file, plus `env`.
pub fn command(args: &[&str], env: &[(&str, &str)], home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_heygen-mcp"));
    cmd.args(args).env_clear().env("HOME", home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// A server spawned for a test. Its stderr (logged at trace level) is collected, and when it
/// is dropped the test fails if the API key ever appeared there.
pub struct Served {
    pub client: RunningService<RoleClient, ()>,
    pub stderr: Arc<Mutex<String>>,
    _home: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let logged = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        if !std::thread::panicking() {
            assert!(
                !logged.contains(KEY) && !logged.contains(&KEY[3..15]),
                "the API key appeared in the server's logs"
            );
        }
    }
}

pub async fn serve(args: &[&str], env: &[(&str, &str)]) -> Served {
    let home = tempfile::tempdir().unwrap();
    let mut command = command(args, env, home.path());
    command.env("RUST_LOG", "trace");
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = ().serve(transport).await.unwrap();
    let collected = Arc::new(Mutex::new(String::new()));
    if let Some(mut pipe) = stderr {
        let sink = collected.clone();
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n) = pipe.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if let Ok(mut text) = sink.lock() {
                    text.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
    }
    Served {
        client,
        stderr: collected,
        _home: home,
    }
}

/// Served against `base` with the test key.
pub async fn serve_with_key(base: &str, args: &[&str]) -> Served {
    serve(args, &[("HEYGEN_API_KEY", KEY), ("HEYGEN_API_BASE", base)]).await
}

/// Calls a tool; no result may ever carry the key.
pub async fn call(served: &Served, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(arguments) = args else {
        panic!("arguments must be an object")
    };
    let result = served
        .client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
        .await
        .unwrap();
    let rendered = serde_json::to_string(&result).unwrap();
    assert!(
        !rendered.contains(KEY),
        "the API key appeared in a {tool} result"
    );
    result
}

pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// Checks a structured result against the tool's declared outputSchema, and that the text
/// copy says the same thing.
pub fn assert_valid_output(schema: &JsonObject, result: &CallToolResult) {
    assert!(!is_error(result), "tool failed: {}", text(result));
    let structured = result
        .structured_content
        .clone()
        .expect("structuredContent");
    let validator = jsonschema::validator_for(&Value::Object(schema.clone())).unwrap();
    let problems: Vec<String> = validator
        .iter_errors(&structured)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "output does not match schema: {problems:?}\n{structured}"
    );
    let copy: Value = serde_json::from_str(&text(result)).expect("text copy is JSON");
    assert_eq!(copy, structured);
}
