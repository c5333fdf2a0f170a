//! Figures 2 and 3: per-call overhead of the MCP layer; many calls in flight through one
//! server.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use rmcp::model::{CallToolRequestParams, JsonObject};
use rmcp::service::ServerSink;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::child::{Launch, serve};
use crate::stats::{Summary, Table, delta_us, ms, summarize, us, verdict};
use crate::{Error, KEY, direct_client};

pub const OVERHEAD_TARGET_US: f64 = 100.0;
pub const CONCURRENCY_TARGET_RATIO: f64 = 2.0;
/// Latency the concurrency backend adds to every request.
pub const BACKEND_LATENCY: Duration = Duration::from_millis(50);

pub fn loopback() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

/// The server binary pointed at `base` with a key.
pub fn launch_against(bin: &std::path::Path, base: &str) -> Launch {
    Launch {
        label: "heygen-mcp".into(),
        program: bin.to_path_buf(),
        args: Vec::new(),
        env: vec![
            ("HEYGEN_API_KEY".into(), KEY.into()),
            ("HEYGEN_API_BASE".into(), base.into()),
        ],
    }
}

/// Creates a generate-mode session on `base` and polls until its video is completed, so
/// that `get_video` answers with the full set of links.
pub async fn completed_video(http: &reqwest::Client, base: &str) -> Result<String, Error> {
    let created: Value = http
        .post(format!("{base}/v3/video-agents"))
        .header("x-api-key", KEY)
        .json(&json!({ "prompt": "A 30-second video about otters" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let session_id = created["data"]["session_id"]
        .as_str()
        .ok_or("create answered without a session_id")?
        .to_owned();
    for _ in 0..400 {
        let session: Value = http
            .get(format!("{base}/v3/video-agents/{session_id}"))
            .header("x-api-key", KEY)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if session["data"]["status"] == "completed"
            && let Some(video_id) = session["data"]["video_id"].as_str()
        {
            return Ok(video_id.to_owned());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err("the sandbox video did not complete within 10 s".into())
}

pub fn get_video_params(video_id: &str) -> CallToolRequestParams {
    let mut arguments = JsonObject::new();
    arguments.insert("video_id".into(), Value::String(video_id.to_owned()));
    CallToolRequestParams::new("get_video").with_arguments(arguments)
}

pub async fn call_get_video(
    peer: &ServerSink,
    params: &CallToolRequestParams,
) -> Result<(), Error> {
    let result = tokio::time::timeout(Duration::from_secs(30), peer.call_tool(params.clone()))
        .await
        .map_err(|_| "get_video took over 30 s")??;
    if result.is_error == Some(true) {
        return Err(format!("get_video failed: {:?}", result.content).into());
    }
    Ok(())
}

pub async fn direct_get(http: &reqwest::Client, url: &str) -> Result<(), Error> {
    let body = http
        .get(url)
        .header("x-api-key", KEY)
        .header("accept", "application/json")
        .timeout(Duration::from_secs(30))
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let _: Value = serde_json::from_slice(&body)?;
    Ok(())
}

pub struct Overhead {
    pub mcp: Summary,
    pub direct: Summary,
}

/// `get_video` through the server versus the same GET made here, interleaved one for one
/// so that drift and noise fall on both.
pub async fn overhead(
    bin: &std::path::Path,
    calls: usize,
    warmup: usize,
) -> Result<Overhead, Error> {
    let sandbox = Sandbox::start(loopback(), SandboxOptions { time_scale: 1000.0 }).await?;
    let base = sandbox.base_url().to_owned();
    let http = direct_client()?;
    let video_id = completed_video(&http, &base).await?;
    let url = format!("{base}/v3/videos/{video_id}");
    let served = serve(&launch_against(bin, &base)).await?;
    let peer = served.client.peer().clone();
    let params = get_video_params(&video_id);
    for _ in 0..warmup {
        call_get_video(&peer, &params).await?;
        direct_get(&http, &url).await?;
    }
    let mut mcp = Vec::with_capacity(calls);
    let mut direct = Vec::with_capacity(calls);
    for _ in 0..calls {
        let t = Instant::now();
        call_get_video(&peer, &params).await?;
        mcp.push(t.elapsed());
        let t = Instant::now();
        direct_get(&http, &url).await?;
        direct.push(t.elapsed());
    }
    served.close().await;
    sandbox.shutdown().await;
    Ok(Overhead {
        mcp: summarize(mcp),
        direct: summarize(direct),
    })
}

pub fn report_overhead(o: &Overhead) -> String {
    let mut table = Table::new(&["path", "calls", "p50", "p90", "p99", "max"]);
    for (label, s) in [
        ("get_video via MCP (stdio, release binary)", &o.mcp),
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
    let added50 = delta_us(o.mcp.p50, o.direct.p50);
    let added99 = delta_us(o.mcp.p99, o.direct.p99);
    format!(
        "{}  added by the MCP layer: p50 {added50:+.0} µs, p99 {added99:+.0} µs   target ≤ 100 µs at p50   {}\n",
        table.render(),
        verdict(added50 <= OVERHEAD_TARGET_US)
    )
}

/// Every request waits `BACKEND_LATENCY` before the sandbox answers it.
async fn slow(request: Request, next: Next) -> Response {
    tokio::time::sleep(BACKEND_LATENCY).await;
    next.run(request).await
}

/// The sandbox's router behind a fixed latency, on loopback.
struct SlowBackend {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl SlowBackend {
    async fn start() -> Result<Self, Error> {
        let app = heygen_mcp::sandbox::router(SandboxOptions { time_scale: 1000.0 })
            .layer(axum::middleware::from_fn(slow));
        let listener = tokio::net::TcpListener::bind(loopback()).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self {
            base,
            stop: Some(stop),
            task,
        })
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

pub struct Concurrency {
    pub inflight: usize,
    pub single: Summary,
    /// Wall time of each burst through the server.
    pub bursts: Vec<Duration>,
    /// The same burst made directly with reqwest: what the backend allows.
    pub direct_burst: Duration,
}

pub async fn concurrency(
    bin: &std::path::Path,
    inflight: usize,
    bursts: usize,
) -> Result<Concurrency, Error> {
    let backend = SlowBackend::start().await?;
    let http = direct_client()?;
    let video_id = completed_video(&http, &backend.base).await?;
    let served = serve(&launch_against(bin, &backend.base)).await?;
    let peer = served.client.peer().clone();
    let params = get_video_params(&video_id);

    for _ in 0..3 {
        call_get_video(&peer, &params).await?;
    }
    let mut single = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        call_get_video(&peer, &params).await?;
        single.push(t.elapsed());
    }
    let mut walls = Vec::new();
    for _ in 0..bursts {
        let t = Instant::now();
        let mut set = JoinSet::new();
        for _ in 0..inflight {
            let peer = peer.clone();
            let params = params.clone();
            set.spawn(async move { call_get_video(&peer, &params).await });
        }
        while let Some(joined) = set.join_next().await {
            joined??;
        }
        walls.push(t.elapsed());
    }
    let url = format!("{}/v3/videos/{video_id}", backend.base);
    let t = Instant::now();
    let mut set = JoinSet::new();
    for _ in 0..inflight {
        let http = http.clone();
        let url = url.clone();
        set.spawn(async move { direct_get(&http, &url).await });
    }
    while let Some(joined) = set.join_next().await {
        joined??;
    }
    let direct_burst = t.elapsed();
    served.close().await;
    backend.stop().await;
    Ok(Concurrency {
        inflight,
        single: summarize(single),
        bursts: walls,
        direct_burst,
    })
}

/// The median burst's wall time over one call's.
pub fn burst_ratio(c: &Concurrency) -> f64 {
    median_burst(c).as_secs_f64() / c.single.p50.as_secs_f64().max(1e-9)
}

fn median_burst(c: &Concurrency) -> Duration {
    let mut sorted = c.bursts.clone();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

pub fn report_concurrency(c: &Concurrency) -> String {
    let single = c.single.p50;
    let median = median_burst(c);
    let worst = c.bursts.iter().max().copied().unwrap_or_default();
    let ratio = burst_ratio(c);
    let mut table = Table::new(&["what", "wall time", "vs one call"]);
    table.row(vec![
        format!("one get_video call (p50 of {})", c.single.n),
        ms(single),
        "1.00x".into(),
    ]);
    for (i, wall) in c.bursts.iter().enumerate() {
        table.row(vec![
            format!("{} calls in flight, burst {}", c.inflight, i + 1),
            ms(*wall),
            format!(
                "{:.2}x",
                wall.as_secs_f64() / single.as_secs_f64().max(1e-9)
            ),
        ]);
    }
    table.row(vec![
        format!("{} direct GETs in flight (backend alone)", c.inflight),
        ms(c.direct_burst),
        format!(
            "{:.2}x",
            c.direct_burst.as_secs_f64() / single.as_secs_f64().max(1e-9)
        ),
    ]);
    format!(
        "{}  median burst {} = {ratio:.2}x one call (worst {})   target ≤ 2x   {}\n",
        table.render(),
        ms(median),
        ms(worst),
        verdict(ratio <= CONCURRENCY_TARGET_RATIO)
    )
}
