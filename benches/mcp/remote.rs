//! Issue 13, the remote server (`heygen-mcp http`): per-call overhead over HTTP against the
//! same call on stdio; throughput and latency of 1,000 concurrent clients against one replica
//! and against three behind HAProxy; idle memory per replica; cold start to first answer.
//!
//! Every HTTP request is a JSON-RPC POST to `/mcp` in the 2025-11-25 stateless form
//! (`MCP-Protocol-Version: 2025-11-25`, `Accept: application/json, text/event-stream`, no
//! session), answered by one SSE `data:` line, over keep-alive connections (reqwest). The
//! same client loop drives one replica directly and HAProxy in front of three. Replicas,
//! the load backend (`heygen-mcp sandbox`) and HAProxy are child processes, killed when
//! dropped, so the CPU each one uses can be read from /proc.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::task::JoinSet;

use crate::calls::{
    call_get_video, completed_video, direct_get, get_video_params, launch_against, loopback,
};
use crate::child::{proc_memory, serve};
use crate::stats::{Summary, Table, delta_us, mb_from_kib, median_u64, ms, summarize, us, verdict};
use crate::{Error, KEY, direct_client};

/// Issue 13's goals.
pub const HTTP_OVER_STDIO_TARGET_US: f64 = 150.0;
pub const SCALING_TARGET: f64 = 2.5;
pub const REPLICA_RSS_TARGET_MB: f64 = 20.0;
/// The load backend's latency, on every `/v3` request (the sandbox's `latency_ms` switch).
pub const LOAD_LATENCY_MS: u64 = 50;

const PROTOCOL: &str = "2025-11-25";
/// Per-caller limits out of the way, for one caller that calls back to back.
const UNLIMITED: &[&str] = &["--caller-rate", "1000000", "--caller-concurrency", "10000"];

fn tools_list() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
}

fn get_video_call(video_id: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
           "params": {"name": "get_video", "arguments": {"video_id": video_id}}})
}

/// An HTTP client for many keep-alive connections to loopback.
fn load_client() -> Result<reqwest::Client, Error> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .pool_idle_timeout(Duration::from_secs(120))
        .no_proxy()
        .build()?)
}

/// One JSON-RPC POST; the JSON-RPC answer (from the SSE `data:` line, or a JSON body).
/// Fails on any HTTP status but 200, a JSON-RPC error, or a tool result with `isError`.
async fn rpc(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    body: &axum::body::Bytes,
) -> Result<Value, RpcError> {
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", PROTOCOL)
        .header("x-api-key", key)
        .body(body.clone())
        .send()
        .await
        .map_err(RpcError::Transport)?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(RpcError::Transport)?;
    if status != 200 {
        return Err(RpcError::Status(status, text.chars().take(200).collect()));
    }
    let message =
        answer(&text).ok_or_else(|| RpcError::Answer(text.chars().take(200).collect()))?;
    match message.get("result") {
        Some(result) if result.get("isError") != Some(&Value::Bool(true)) => Ok(message),
        _ => Err(RpcError::Answer(
            message.to_string().chars().take(300).collect(),
        )),
    }
}

#[derive(Debug)]
enum RpcError {
    Transport(reqwest::Error),
    Status(u16, String),
    Answer(String),
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "transport: {e}"),
            Self::Status(status, body) => write!(f, "HTTP {status}: {body}"),
            Self::Answer(body) => write!(f, "unexpected answer: {body}"),
        }
    }
}

impl std::error::Error for RpcError {}

fn answer(text: &str) -> Option<Value> {
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
        .find(|m| m.get("id").is_some())
        .or_else(|| serde_json::from_str(text).ok())
}

fn free_port() -> Result<u16, Error> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A child process in an empty temporary home, killed when dropped.
struct Proc {
    child: Child,
    _home: tempfile::TempDir,
}

impl Proc {
    fn spawn(program: &Path, args: &[String], env: &[(&str, String)]) -> Result<Self, Error> {
        let home = tempfile::tempdir()?;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .env("HOME", home.path())
            .current_dir(home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        Ok(Self {
            child: cmd.spawn()?,
            _home: home,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(3), self.child.wait()).await;
    }
}

/// A running `heygen-mcp http` replica: callers bring their own keys (no key on the server).
struct Replica {
    proc: Proc,
    url: String,
    port: u16,
}

impl Replica {
    /// Starts one (default flags plus `extra`) and waits for its first answer; returns it
    /// with the time from just before spawn to that answer (a `tools/list`).
    async fn start(bin: &Path, api_base: &str, extra: &[&str]) -> Result<(Self, Duration), Error> {
        let port = free_port()?;
        let http = load_client()?;
        let url = format!("http://127.0.0.1:{port}/mcp");
        let body = axum::body::Bytes::from(tools_list().to_string());
        let mut args = vec![
            "http".to_owned(),
            "--listen".to_owned(),
            format!("127.0.0.1:{port}"),
        ];
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        let started = Instant::now();
        let mut proc = Proc::spawn(bin, &args, &[("HEYGEN_API_BASE", api_base.to_owned())])?;
        loop {
            match rpc(&http, &url, KEY, &body).await {
                Ok(_) => break,
                Err(RpcError::Transport(e)) if e.is_connect() => {
                    if proc.exited() {
                        return Err("heygen-mcp http exited before answering".into());
                    }
                    if started.elapsed() > Duration::from_secs(10) {
                        return Err(
                            format!("heygen-mcp http: no answer on {url} within 10 s").into()
                        );
                    }
                    tokio::time::sleep(Duration::from_micros(200)).await;
                }
                Err(e) => return Err(format!("heygen-mcp http: first answer failed: {e}").into()),
            }
        }
        let first_answer = started.elapsed();
        Ok((Self { proc, url, port }, first_answer))
    }
}

/// HAProxy (round robin, keep-alive both sides) in front of `ports`.
struct Balancer {
    proc: Proc,
    url: String,
    _config: tempfile::TempDir,
}

impl Balancer {
    async fn start(ports: &[u16]) -> Result<Self, Error> {
        let port = free_port()?;
        let dir = tempfile::tempdir()?;
        let servers: String = ports
            .iter()
            .enumerate()
            .map(|(i, p)| format!("    server r{} 127.0.0.1:{p}\n", i + 1))
            .collect();
        let config = format!(
            "global\n    maxconn 8000\n\
             defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n    timeout http-request 10s\n    timeout http-keep-alive 60s\n\
             frontend mcp\n    bind 127.0.0.1:{port}\n    maxconn 8000\n    default_backend replicas\n\
             backend replicas\n    balance roundrobin\n    http-reuse always\n{servers}"
        );
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, config)?;
        let mut proc = Proc::spawn(
            Path::new("haproxy"),
            &["-db".into(), "-f".into(), path.display().to_string()],
            &[],
        )?;
        let url = format!("http://127.0.0.1:{port}/mcp");
        let http = load_client()?;
        let body = axum::body::Bytes::from(tools_list().to_string());
        let started = Instant::now();
        loop {
            match rpc(&http, &url, KEY, &body).await {
                Ok(_) => break,
                Err(e) => {
                    if proc.exited() {
                        return Err("haproxy exited at start (bad config?)".into());
                    }
                    if started.elapsed() > Duration::from_secs(10) {
                        return Err(format!("haproxy: no answer within 10 s: {e}").into());
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
        Ok(Self {
            proc,
            url,
            _config: dir,
        })
    }
}

/// Established TCP connections of process `pid` to 127.0.0.1:`port`, from /proc/net/tcp
/// and the process's socket inodes.
fn connections_to(pid: u32, port: u16) -> usize {
    let inodes: std::collections::HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| {
            dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                .filter_map(|target| {
                    let target = target.to_string_lossy().into_owned();
                    target
                        .strip_prefix("socket:[")
                        .and_then(|t| t.strip_suffix(']'))
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return 0;
    };
    let remote = format!("0100007F:{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(2) == Some(&remote.as_str())
                && fields.get(3) == Some(&"01")
                && fields.get(9).is_some_and(|inode| inodes.contains(*inode))
        })
        .count()
}

/// Whether HAProxy can be run.
pub fn haproxy_available() -> bool {
    std::process::Command::new("haproxy")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

// ------------------------------------------------------------------ per-call overhead

pub struct Overhead {
    pub stdio: Summary,
    pub http: Summary,
    pub direct: Summary,
}

/// `get_video` over stdio, the same call over HTTP (one replica, keep-alive), and the same
/// GET direct, interleaved one for one against one sandbox.
pub async fn overhead(bin: &Path, calls: usize, warmup: usize) -> Result<Overhead, Error> {
    let sandbox = Sandbox::start(loopback(), SandboxOptions { time_scale: 1000.0 }).await?;
    let base = sandbox.base_url().to_owned();
    let direct_http = direct_client()?;
    let video_id = completed_video(&direct_http, &base).await?;
    let url = format!("{base}/v3/videos/{video_id}");
    let served = serve(&launch_against(bin, &base)).await?;
    let peer = served.client.peer().clone();
    let params = get_video_params(&video_id);
    // One caller making thousands of calls back to back: its rate limit is lifted (the
    // limiter still runs on every request).
    let (replica, _) = Replica::start(bin, &base, UNLIMITED).await?;
    let http = load_client()?;
    let body = axum::body::Bytes::from(get_video_call(&video_id).to_string());
    for _ in 0..warmup {
        call_get_video(&peer, &params).await?;
        rpc(&http, &replica.url, KEY, &body).await?;
        direct_get(&direct_http, &url).await?;
    }
    let (mut stdio, mut over_http, mut direct) = (
        Vec::with_capacity(calls),
        Vec::with_capacity(calls),
        Vec::with_capacity(calls),
    );
    for _ in 0..calls {
        let t = Instant::now();
        call_get_video(&peer, &params).await?;
        stdio.push(t.elapsed());
        let t = Instant::now();
        rpc(&http, &replica.url, KEY, &body).await?;
        over_http.push(t.elapsed());
        let t = Instant::now();
        direct_get(&direct_http, &url).await?;
        direct.push(t.elapsed());
    }
    served.close().await;
    replica.proc.stop().await;
    sandbox.shutdown().await;
    Ok(Overhead {
        stdio: summarize(stdio),
        http: summarize(over_http),
        direct: summarize(direct),
    })
}

pub fn http_over_stdio_us(o: &Overhead) -> f64 {
    delta_us(o.http.p50, o.stdio.p50)
}

pub fn report_overhead(o: &Overhead) -> String {
    let mut table = Table::new(&["path", "calls", "p50", "p90", "p99", "max"]);
    for (label, s) in [
        ("get_video via MCP over stdio (release binary)", &o.stdio),
        (
            "get_video via MCP over HTTP (heygen-mcp http, keep-alive)",
            &o.http,
        ),
        ("same GET direct (reqwest)", &o.direct),
    ] {
        table.row(vec![
            label.into(),
            s.n.to_string(),
            us(s.p50),
            us(s.p90),
            us(s.p99),
            us(s.max),
        ]);
    }
    let over50 = http_over_stdio_us(o);
    let over99 = delta_us(o.http.p99, o.stdio.p99);
    format!(
        "{}  HTTP over stdio: p50 {over50:+.0} µs, p99 {over99:+.0} µs   target ≤ 150 µs at p50   {}\n  HTTP over the direct GET: p50 {:+.0} µs\n",
        table.render(),
        verdict(over50 <= HTTP_OVER_STDIO_TARGET_US),
        delta_us(o.http.p50, o.direct.p50),
    )
}

// ------------------------------------------------------------------ cold start, idle RSS

pub struct Cold {
    pub first_answer: Summary,
    /// VmRSS after the first answer, KiB, one per start.
    pub rss_kib: Vec<u64>,
    pub anon_kib: Vec<u64>,
    pub file_kib: Vec<u64>,
}

/// `runs` starts of `heygen-mcp http`: spawn → first answer (tools/list), then its memory
/// 100 ms later, idle.
pub async fn cold(bin: &Path, runs: usize) -> Result<Cold, Error> {
    let sandbox = Sandbox::start(loopback(), SandboxOptions::default()).await?;
    let mut times = Vec::new();
    let (mut rss, mut anon, mut file) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs + 2 {
        let (replica, took) = Replica::start(bin, sandbox.base_url(), &[]).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let memory = proc_memory(replica.proc.pid())?;
        replica.proc.stop().await;
        // Two untimed starts warm the page cache.
        if run >= 2 {
            times.push(took);
            rss.push(memory.rss);
            anon.push(memory.anon);
            file.push(memory.file);
        }
    }
    sandbox.shutdown().await;
    Ok(Cold {
        first_answer: summarize(times),
        rss_kib: rss,
        anon_kib: anon,
        file_kib: file,
    })
}

pub fn idle_rss_mb(c: &Cold) -> f64 {
    mb_from_kib(median_u64(c.rss_kib.clone()))
}

pub fn report_cold(c: &Cold) -> String {
    let mut table = Table::new(&[
        "heygen-mcp http",
        "runs",
        "first answer p50",
        "p90",
        "max",
        "idle VmRSS",
        "(anon + file)",
        "target",
        "",
    ]);
    let rss = idle_rss_mb(c);
    table.row(vec![
        "spawn → tools/list answered over HTTP".into(),
        c.first_answer.n.to_string(),
        ms(c.first_answer.p50),
        ms(c.first_answer.p90),
        ms(c.first_answer.max),
        format!("{rss:.1} MB"),
        format!(
            "({:.1} + {:.1})",
            mb_from_kib(median_u64(c.anon_kib.clone())),
            mb_from_kib(median_u64(c.file_kib.clone()))
        ),
        "RSS ≤ 20 MB".into(),
        verdict(rss <= REPLICA_RSS_TARGET_MB).into(),
    ]);
    table.render()
}

// ------------------------------------------------------------------ load

/// CPU time a process (or this one) has used, from /proc/PID/stat, in seconds.
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces): state is field 3; utime and
    // stime are 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / 100.0
}

/// Busy and total jiffies of the whole machine, from /proc/stat.
fn machine_jiffies() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return (0.0, 0.0);
    };
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return (0.0, 0.0);
    };
    let values: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: f64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0.0) + values.get(4).copied().unwrap_or(0.0);
    (total - idle, total)
}

/// One process whose CPU is read during a run.
#[derive(Clone)]
struct Watched {
    label: String,
    pid: String,
}

pub struct LoadRun {
    pub label: String,
    pub window: Duration,
    pub completed: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// Latency of every call that started inside the window.
    pub samples: Vec<Duration>,
    pub latency: Summary,
    /// Cores each watched process used during the window (CPU seconds per second).
    pub cores: Vec<(String, f64)>,
    /// Share of the machine's CPU busy during the window, 0-1.
    pub machine_busy: f64,
    /// Backend (`/v3`) requests during the whole run, warm-up included.
    pub backend_requests: u64,
    pub calls_total: u64,
}

impl LoadRun {
    pub fn throughput(&self) -> f64 {
        self.completed as f64 / self.window.as_secs_f64()
    }
}

/// How hard and how long to load.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub clients: usize,
    pub warmup: Duration,
    pub window: Duration,
    pub rounds: usize,
}

/// `clients` tasks, each with its own key and its own keep-alive connection, call
/// `get_video` back to back for `warmup + window`; calls that end inside the window count
/// for throughput, calls that start inside it for latency.
async fn load(
    label: &str,
    url: &str,
    video_id: &str,
    plan: Plan,
    watched: &[Watched],
    backend: &Backend,
) -> Result<LoadRun, Error> {
    let Plan {
        clients,
        warmup,
        window,
        ..
    } = plan;
    let http = load_client()?;
    let body = axum::body::Bytes::from(get_video_call(video_id).to_string());
    let started = Instant::now();
    let from = started + warmup;
    let until = from + window;
    let stop = Arc::new(AtomicBool::new(false));
    let before = backend.requests(&http).await?;
    let mut set = JoinSet::new();
    for i in 0..clients {
        let (http, body, url, stop) = (http.clone(), body.clone(), url.to_owned(), stop.clone());
        let key = format!("bench-caller-{i:04}");
        set.spawn(async move {
            let mut latencies = Vec::new();
            let (mut completed, mut total, mut errors) = (0u64, 0u64, 0u64);
            let mut first_error = None;
            while !stop.load(Ordering::Relaxed) && Instant::now() < until {
                let t = Instant::now();
                let outcome = rpc(&http, &url, &key, &body).await;
                let end = Instant::now();
                total += 1;
                match outcome {
                    Ok(_) => {
                        if end >= from && end < until {
                            completed += 1;
                        }
                        if t >= from && t < until {
                            latencies.push(end - t);
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        if first_error.is_none() {
                            first_error = Some(e.to_string());
                        }
                        // Don't spin on a refusal.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            (latencies, completed, total, errors, first_error)
        });
    }
    tokio::time::sleep_until(from.into()).await;
    let cpu_before: Vec<f64> = watched.iter().map(|w| cpu_seconds(&w.pid)).collect();
    let machine_before = machine_jiffies();
    let t0 = Instant::now();
    tokio::time::sleep_until(until.into()).await;
    let measured = t0.elapsed().as_secs_f64();
    let cpu_after: Vec<f64> = watched.iter().map(|w| cpu_seconds(&w.pid)).collect();
    let machine_after = machine_jiffies();
    let mut latencies = Vec::new();
    let (mut completed, mut calls_total, mut errors) = (0, 0, 0);
    let mut first_error = None;
    let joined = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(joined) = set.join_next().await {
            let (l, c, t, e, f) = joined?;
            latencies.extend(l);
            completed += c;
            calls_total += t;
            errors += e;
            if first_error.is_none() {
                first_error = f;
            }
        }
        Ok::<_, Error>(())
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    joined.map_err(|_| "clients still busy 60 s after the window")??;
    let after = backend.requests(&http).await?;
    drop(http);
    let busy = machine_after.0 - machine_before.0;
    let total = machine_after.1 - machine_before.1;
    Ok(LoadRun {
        label: label.to_owned(),
        window,
        completed,
        errors,
        first_error,
        latency: summarize(latencies.clone()),
        samples: latencies,
        cores: watched
            .iter()
            .zip(cpu_before.iter().zip(&cpu_after))
            .map(|(w, (b, a))| (w.label.clone(), (a - b) / measured.max(1e-9)))
            .collect(),
        machine_busy: if total > 0.0 { busy / total } else { 0.0 },
        backend_requests: after.saturating_sub(before),
        calls_total,
    })
}

/// `heygen-mcp sandbox` as a child process, for load: its CPU is then its own.
struct Backend {
    proc: Proc,
    base: String,
    port: u16,
}

impl Backend {
    async fn start(bin: &Path) -> Result<Self, Error> {
        let port = free_port()?;
        let proc = Proc::spawn(
            bin,
            &["sandbox".into(), "--port".into(), port.to_string()],
            &[("HEYGEN_SANDBOX_TIME_SCALE", "1000".into())],
        )?;
        let base = format!("http://127.0.0.1:{port}");
        let backend = Self { proc, base, port };
        let http = load_client()?;
        let started = Instant::now();
        while backend.requests(&http).await.is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                return Err("heygen-mcp sandbox did not answer within 10 s".into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(backend)
    }

    async fn requests(&self, http: &reqwest::Client) -> Result<u64, Error> {
        let stats: Value = http
            .get(format!("{}/_sandbox/stats", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        stats["data"]["requests_total"]
            .as_u64()
            .ok_or_else(|| "no requests_total in /_sandbox/stats".into())
    }

    async fn latency(&self, http: &reqwest::Client, ms: u64) -> Result<(), Error> {
        http.post(format!("{}/_sandbox/faults", self.base))
            .json(&json!({ "latency_ms": ms }))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }
}

pub struct Scaling {
    pub runs: Vec<LoadRun>,
    /// Replica memory after the load, idle again (KiB, one per replica).
    pub rss_after_kib: Vec<u64>,
    /// Open file descriptors of each replica then (no connections left: about 10).
    pub fds_after: Vec<usize>,
    /// Of those, established TCP connections to the backend (the HeyGen client's pool).
    pub backend_connections: Vec<usize>,
    pub haproxy: bool,
}

pub const ONE: &str = "one replica, direct";
pub const BALANCED_ONE: &str = "HAProxy → one replica";
pub const THREE: &str = "HAProxy → three replicas";

/// The configurations, alternated `rounds` times: one replica direct, HAProxy in front of
/// one (what the balancer costs), HAProxy in front of three.
pub async fn scaling(
    bin: &Path,
    plan: Plan,
    print: &mut impl FnMut(&str),
) -> Result<Scaling, Error> {
    let backend = Backend::start(bin).await?;
    let http = load_client()?;
    let video_id = completed_video(&http, &backend.base).await?;
    backend.latency(&http, LOAD_LATENCY_MS).await?;
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(Replica::start(bin, &backend.base, &[]).await?.0);
    }
    let haproxy = haproxy_available();
    let balancers = if haproxy {
        Some((
            Balancer::start(&[replicas[0].port]).await?,
            Balancer::start(&replicas.iter().map(|r| r.port).collect::<Vec<_>>()).await?,
        ))
    } else {
        print("  haproxy not found (apt-get install haproxy): the balanced rows are skipped");
        None
    };
    let me = Watched {
        label: "bench (clients)".into(),
        pid: "self".into(),
    };
    let sandbox = Watched {
        label: "sandbox".into(),
        pid: backend.proc.pid().to_string(),
    };
    let replica = |i: usize| Watched {
        label: format!("replica {}", i + 1),
        pid: replicas[i].proc.pid().to_string(),
    };
    let mut configs: Vec<(&str, String, Vec<Watched>)> = vec![(
        ONE,
        replicas[0].url.clone(),
        vec![replica(0), sandbox.clone(), me.clone()],
    )];
    if let Some((one, three)) = &balancers {
        let hap = |b: &Balancer| Watched {
            label: "haproxy".into(),
            pid: b.proc.pid().to_string(),
        };
        configs.push((
            BALANCED_ONE,
            one.url.clone(),
            vec![replica(0), hap(one), sandbox.clone(), me.clone()],
        ));
        configs.push((
            THREE,
            three.url.clone(),
            vec![
                replica(0),
                replica(1),
                replica(2),
                hap(three),
                sandbox.clone(),
                me.clone(),
            ],
        ));
    }
    let mut runs = Vec::new();
    for round in 0..plan.rounds {
        for (label, url, watched) in &configs {
            let run = load(label, url, &video_id, plan, watched, &backend).await?;
            print(&format!(
                "  ... round {}: {label}: {:.0} calls/s, p99 {}, {} errors",
                round + 1,
                run.throughput(),
                ms(run.latency.p99),
                run.errors
            ));
            runs.push(run);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    // Idle again: the clients' connections are closed; HAProxy goes too (it keeps idle
    // connections to the replicas), then two seconds to settle.
    if let Some((one, three)) = balancers {
        one.proc.stop().await;
        three.proc.stop().await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut rss_after = Vec::new();
    let mut fds_after = Vec::new();
    let mut backend_connections = Vec::new();
    for r in &replicas {
        rss_after.push(proc_memory(r.proc.pid())?.rss);
        fds_after
            .push(std::fs::read_dir(format!("/proc/{}/fd", r.proc.pid())).map_or(0, |d| d.count()));
        backend_connections.push(connections_to(r.proc.pid(), backend.port));
    }
    for r in replicas {
        r.proc.stop().await;
    }
    backend.proc.stop().await;
    Ok(Scaling {
        runs,
        rss_after_kib: rss_after,
        fds_after,
        backend_connections,
        haproxy,
    })
}

/// All runs of one configuration together: calls per second over all their windows, and
/// the latency of all their calls.
pub struct Pooled {
    pub throughput: f64,
    pub latency: Summary,
    pub errors: u64,
}

pub fn pooled(s: &Scaling, label: &str) -> Option<Pooled> {
    let runs: Vec<&LoadRun> = s.runs.iter().filter(|r| r.label == label).collect();
    if runs.is_empty() {
        return None;
    }
    let completed: u64 = runs.iter().map(|r| r.completed).sum();
    let seconds: f64 = runs.iter().map(|r| r.window.as_secs_f64()).sum();
    let samples: Vec<Duration> = runs
        .iter()
        .flat_map(|r| r.samples.iter().copied())
        .collect();
    Some(Pooled {
        throughput: completed as f64 / seconds.max(1e-9),
        latency: summarize(samples),
        errors: runs.iter().map(|r| r.errors).sum(),
    })
}

/// CPU the replicas used per completed call in one configuration, µs.
pub fn replica_cpu_per_call_us(s: &Scaling, label: &str) -> Option<f64> {
    let runs: Vec<&LoadRun> = s.runs.iter().filter(|r| r.label == label).collect();
    let calls: f64 = runs.iter().map(|r| r.completed as f64).sum();
    if calls == 0.0 {
        return None;
    }
    let seconds: f64 = runs
        .iter()
        .flat_map(|r| {
            r.cores
                .iter()
                .filter(|(who, _)| who.starts_with("replica"))
                .map(|(_, c)| c * r.window.as_secs_f64())
        })
        .sum();
    Some(seconds / calls * 1e6)
}

pub fn scaling_ratio(s: &Scaling) -> Option<f64> {
    let one = pooled(s, ONE)?;
    let three = pooled(s, THREE)?;
    Some(three.throughput / one.throughput.max(1e-9))
}

pub fn rss_after_mb(s: &Scaling) -> f64 {
    mb_from_kib(s.rss_after_kib.iter().copied().max().unwrap_or(0))
}

pub fn report_scaling(s: &Scaling, clients: usize) -> String {
    let ideal = clients as f64 / (LOAD_LATENCY_MS as f64 / 1000.0);
    let mut out = String::new();
    let mut table = Table::new(&[
        "configuration (round)",
        "calls/s",
        "of ideal",
        "p50",
        "p99",
        "max",
        "errors",
        "machine CPU busy",
        "cores used, by process",
    ]);
    let mut rounds = std::collections::HashMap::<&str, usize>::new();
    for r in &s.runs {
        let round = rounds.entry(r.label.as_str()).or_default();
        *round += 1;
        let cores: Vec<String> = r
            .cores
            .iter()
            .map(|(label, c)| format!("{label} {c:.2}"))
            .collect();
        table.row(vec![
            format!("{} ({})", r.label, round),
            format!("{:.0}", r.throughput()),
            format!("{:.0} %", r.throughput() / ideal * 100.0),
            ms(r.latency.p50),
            ms(r.latency.p99),
            ms(r.latency.max),
            r.errors.to_string(),
            format!("{:.0} %", r.machine_busy * 100.0),
            cores.join(", "),
        ]);
    }
    out.push_str(&table.render());
    for r in &s.runs {
        if let Some(e) = &r.first_error {
            out.push_str(&format!("  first error in {}: {e}\n", r.label));
        }
        if r.backend_requests != r.calls_total {
            out.push_str(&format!(
                "  note: {}: {} calls made, {} backend requests\n",
                r.label, r.calls_total, r.backend_requests
            ));
        }
    }
    out.push_str(&format!(
        "  ideal = {clients} clients / {LOAD_LATENCY_MS} ms backend latency = {ideal:.0} calls/s\n"
    ));
    let mut summary = Table::new(&["pooled over rounds", "calls/s", "p50", "p99", "errors"]);
    for label in [ONE, BALANCED_ONE, THREE] {
        if let Some(p) = pooled(s, label) {
            summary.row(vec![
                label.into(),
                format!("{:.0}", p.throughput),
                ms(p.latency.p50),
                ms(p.latency.p99),
                p.errors.to_string(),
            ]);
        }
    }
    out.push_str(&summary.render());
    // CPU per call, from the pooled runs: where the work goes.
    let mut per_call = Table::new(&["CPU per call (µs)", "configuration", "value"]);
    for label in [ONE, BALANCED_ONE, THREE] {
        let runs: Vec<&LoadRun> = s.runs.iter().filter(|r| r.label == label).collect();
        if runs.is_empty() {
            continue;
        }
        let calls: f64 = runs.iter().map(|r| r.completed as f64).sum();
        let mut by: Vec<(String, f64)> = Vec::new();
        for r in &runs {
            for (who, cores) in &r.cores {
                let who = if who.starts_with("replica") {
                    "replicas".to_owned()
                } else {
                    who.clone()
                };
                let seconds = cores * r.window.as_secs_f64();
                match by.iter_mut().find(|(w, _)| *w == who) {
                    Some((_, s)) => *s += seconds,
                    None => by.push((who, seconds)),
                }
            }
        }
        for (who, seconds) in by {
            per_call.row(vec![
                who,
                label.into(),
                format!("{:.0}", seconds / calls.max(1.0) * 1e6),
            ]);
        }
    }
    out.push_str(&per_call.render());
    if let Some(replica_us) = replica_cpu_per_call_us(s, ONE) {
        out.push_str(&format!(
            "  at {replica_us:.0} µs of replica CPU per call, one core of replica serves at most {:.0} calls/s; {clients} clients on a {LOAD_LATENCY_MS} ms backend ask for {ideal:.0}\n",
            1e6 / replica_us.max(1.0)
        ));
    }
    match scaling_ratio(s) {
        Some(ratio) => out.push_str(&format!(
            "  three replicas / one = {ratio:.2}x   target ≥ 2.5x   {}\n",
            verdict(ratio >= SCALING_TARGET)
        )),
        None => out.push_str(&format!(
            "  three replicas / one: not measured ({})\n",
            if s.haproxy {
                "a configuration did not run"
            } else {
                "haproxy not installed"
            }
        )),
    }
    let rss: Vec<String> = s
        .rss_after_kib
        .iter()
        .map(|k| format!("{:.1} MB", mb_from_kib(*k)))
        .collect();
    let fds: Vec<String> = s.fds_after.iter().map(ToString::to_string).collect();
    let pooled: Vec<String> = s
        .backend_connections
        .iter()
        .map(ToString::to_string)
        .collect();
    out.push_str(&format!(
        "  replicas' VmRSS idle after the load (clients and HAProxy gone): {}   target ≤ 20 MB   {}\n  their open fds then: {}, of which connections to the backend still open: {}\n",
        rss.join(", "),
        verdict(rss_after_mb(s) <= REPLICA_RSS_TARGET_MB),
        fds.join(", "),
        pooled.join(", "),
    ));
    out
}
