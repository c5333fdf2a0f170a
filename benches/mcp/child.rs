//! Child processes: a bare JSON-RPC exchange for cold starts (the same bytes for every
//! server), and an rmcp client over stdio for tool calls. Every child is killed when dropped.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdout, Command};

use crate::Error;

/// A server to start: program, arguments and the only environment it gets.
#[derive(Debug, Clone)]
pub struct Launch {
    pub label: String,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Launch {
    /// A clean environment: nothing inherited, HOME and the working directory an empty
    /// temporary directory (no HeyGen credentials file, no `.env`).
    fn command(&self, home: &std::path::Path) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .env_clear()
            .env("HOME", home)
            .current_dir(home)
            .kill_on_drop(true);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"heygen-mcp-bench","version":"0"}}}"#;
const INITIALIZED_AND_LIST: &str = concat!(
    r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    "\n",
    r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
    "\n"
);

/// One cold start: times from just before spawn, memory read right after tools/list.
#[derive(Debug, Clone)]
pub struct ColdSample {
    pub initialized: Duration,
    pub listed: Duration,
    pub memory: Memory,
    pub initialize_result: Value,
    pub list_result: Value,
    /// The tools/list response line as it came over stdout.
    pub list_bytes: usize,
}

pub async fn cold_start(launch: &Launch, limit: Duration) -> Result<ColdSample, Error> {
    let home = tempfile::tempdir()?;
    let mut cmd = launch.command(home.path());
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = cmd.spawn()?;
    let pid = child.id().ok_or("child exited at once")?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();

    let exchange = async {
        stdin.write_all(INITIALIZE.as_bytes()).await?;
        stdin.write_all(b"\n").await?;
        stdin.flush().await?;
        let (initialize_result, _) = response(&mut lines, 1).await?;
        let initialized = started.elapsed();
        stdin.write_all(INITIALIZED_AND_LIST.as_bytes()).await?;
        stdin.flush().await?;
        let (list_result, list_bytes) = response(&mut lines, 2).await?;
        let listed = started.elapsed();
        Ok::<_, Error>((
            initialized,
            listed,
            initialize_result,
            list_result,
            list_bytes,
        ))
    };
    let outcome = tokio::time::timeout(limit, exchange).await;
    // Read memory before the process sees EOF and starts to exit.
    let memory = proc_memory(pid);
    drop(stdin);
    if tokio::time::timeout(Duration::from_secs(3), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
    let (initialized, listed, initialize_result, list_result, list_bytes) = outcome
        .map_err(|_| format!("{}: no tools/list answer within {limit:?}", launch.label))??;
    Ok(ColdSample {
        initialized,
        listed,
        memory: memory?,
        initialize_result,
        list_result,
        list_bytes,
    })
}

/// Reads lines until the response with `id`; returns its `result` and the line's length.
async fn response(
    lines: &mut Lines<BufReader<ChildStdout>>,
    id: u64,
) -> Result<(Value, usize), Error> {
    while let Some(line) = lines.next_line().await? {
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if message.get("id").and_then(Value::as_u64) != Some(id) {
            continue;
        }
        return match message.get("result") {
            Some(result) => Ok((result.clone(), line.len())),
            None => Err(format!("request {id} failed: {message}").into()),
        };
    }
    Err("server closed stdout before answering".into())
}

/// A live process's memory from /proc/PID/status, in KiB.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss: u64,
    pub hwm: u64,
    /// Heap, stacks and other private pages.
    pub anon: u64,
    /// Pages of the executable and shared libraries that were touched.
    pub file: u64,
}

pub fn proc_memory(pid: u32) -> Result<Memory, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64, Error> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("{name} missing from /proc/{pid}/status").into())
    };
    Ok(Memory {
        rss: field("VmRSS:")?,
        hwm: field("VmHWM:")?,
        anon: field("RssAnon:")?,
        file: field("RssFile:")?,
    })
}

/// A server driven by rmcp's client over the child's stdio.
pub struct Served {
    pub client: RunningService<RoleClient, ()>,
    _home: tempfile::TempDir,
}

pub async fn serve(launch: &Launch) -> Result<Served, Error> {
    let home = tempfile::tempdir()?;
    let (transport, _stderr) = TokioChildProcess::builder(launch.command(home.path()))
        .stderr(Stdio::null())
        .spawn()?;
    let client = tokio::time::timeout(Duration::from_secs(20), ().serve(transport))
        .await
        .map_err(|_| format!("{}: no initialize answer within 20 s", launch.label))??;
    Ok(Served {
        client,
        _home: home,
    })
}

impl Served {
    /// Closes stdin and waits for the server to go.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.client.cancel()).await;
    }
}
