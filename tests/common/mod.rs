//! Shared harness: the real binary, spawned over stdio and driven by rmcp's client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Stdio;

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

pub struct Served {
    pub client: RunningService<RoleClient, ()>,
    pub stderr: Option<tokio::process::ChildStderr>,
    _home: tempfile::TempDir,
}

pub async fn serve(args: &[&str], env: &[(&str, &str)]) -> Served {
    let home = tempfile::tempdir().unwrap();
    let (transport, stderr) = TokioChildProcess::builder(command(args, env, home.path()))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = ().serve(transport).await.unwrap();
    Served {
        client,
        stderr,
        _home: home,
    }
}

/// Served against `base` with the test key.
pub async fn serve_with_key(base: &str, args: &[&str]) -> Served {
    serve(args, &[("HEYGEN_API_KEY", KEY), ("HEYGEN_API_BASE", base)]).await
}

pub async fn call(served: &Served, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(arguments) = args else {
        panic!("arguments must be an object")
    };
    served
        .client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
        .await
        .unwrap()
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
