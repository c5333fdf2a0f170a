//! Figure 5, waiting: API requests made by `wait_for_video` for a render of a given
//! length, versus naive polling every 5 seconds, and how late each notices completion.
//!
//! Scaled runs: the sandbox's clock runs `scale` times fast and the server's wait settings
//! (first and largest delay, call timeout, stall limit) are divided by `k`, the ratio of the
//! real render time being simulated to the wall time the run takes. Every delay of both
//! pollers then shrinks by the same factor, so the schedule of polls — and with it the
//! number of requests — is the one real time would give; lateness is measured on the wall
//! clock and multiplied by `k`. The server runs in this process (`HeyGenServer` over an
//! in-memory duplex) because its wait settings are not flags. One short case also runs at
//! real time through the release binary, to check the scaling against the real thing.

use std::time::{Duration, Instant};

use heygen_mcp::api::HeyGenClient;
use heygen_mcp::config::{Config, CredentialLookup, CredentialSource, Credentials};
use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use heygen_mcp::tools::{HeyGenServer, Settings, WaitSettings};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, JsonObject};
use rmcp::service::ServerSink;
use serde_json::{Value, json};

use crate::calls::loopback;
use crate::child::{Launch, serve};
use crate::stats::{Table, ms};
use crate::{Error, KEY, direct_client};

/// Naive polling interval, in real seconds.
const NAIVE_INTERVAL: f64 = 5.0;

/// A sandbox video request: its prompt, and the simulated seconds from create to completed
/// (1 s of thinking, then a sixth of the video's length, 2-60 s, of rendering).
pub struct Render {
    pub prompt: &'static str,
    pub sim_total: f64,
}

/// 1 + 360/6: the longest render the sandbox makes, so the most room to scale.
pub const SIX_MINUTE_VIDEO: Render = Render {
    prompt: "A 6-minute video about otters",
    sim_total: 61.0,
};
/// 1 + 30/6: six seconds at real time.
const THIRTY_SECOND_VIDEO: Render = Render {
    prompt: "A 30-second video about otters",
    sim_total: 6.0,
};

/// One poller's run.
#[derive(Debug, Clone, Copy)]
pub struct Poller {
    pub requests: u64,
    pub tool_calls: u64,
    /// Real seconds between completion and the poll that saw it.
    pub late: f64,
}

pub struct WaitCase {
    pub label: String,
    pub wall: Duration,
    pub tool: Poller,
    pub naive: Poller,
}

/// The scaled cases, then the real-time check through the binary.
pub async fn measure(
    bin: &std::path::Path,
    print: &mut impl FnMut(&str),
) -> Result<Vec<WaitCase>, Error> {
    let mut cases = Vec::new();
    let real_time = real_time_case(bin).await?;
    print(&format!(
        "  ... real-time case done in {}",
        ms(real_time.wall)
    ));
    cases.push(real_time);
    // (the sandbox video, real seconds create → completed, wall seconds to spend on it).
    // The first repeats the real-time case ten times faster: the same schedule, scaled.
    let scaled = [
        (&THIRTY_SECOND_VIDEO, 6.0, 0.6),
        (&SIX_MINUTE_VIDEO, 60.0, 3.0),
        (&SIX_MINUTE_VIDEO, 300.0, 5.0),
        (&SIX_MINUTE_VIDEO, 1200.0, 8.0),
        (&SIX_MINUTE_VIDEO, 2700.0, 15.0),
    ];
    for (render, real, wall) in scaled {
        let real = Duration::from_secs_f64(real);
        let case = scaled_case(render, real, Duration::from_secs_f64(wall)).await?;
        print(&format!("  ... {} done", case.label));
        cases.push(case);
    }
    Ok(cases)
}

async fn scaled_case(
    render: &Render,
    real_render: Duration,
    wall: Duration,
) -> Result<WaitCase, Error> {
    let k = real_render.as_secs_f64() / wall.as_secs_f64();
    let scale = render.sim_total / wall.as_secs_f64();
    let started = Instant::now();
    let (tool, naive) = tokio::try_join!(scaled_tool(render, scale, k), naive(scale, k, render))?;
    Ok(WaitCase {
        label: format!("{} render (scaled, k = {k:.0})", human(real_render)),
        wall: started.elapsed(),
        tool,
        naive,
    })
}

async fn real_time_case(bin: &std::path::Path) -> Result<WaitCase, Error> {
    let started = Instant::now();
    let tool = async {
        let sandbox = Sandbox::start(loopback(), SandboxOptions { time_scale: 1.0 }).await?;
        let launch = Launch {
            label: "heygen-mcp".into(),
            program: bin.to_path_buf(),
            args: Vec::new(),
            env: vec![
                ("HEYGEN_API_KEY".into(), KEY.into()),
                ("HEYGEN_API_BASE".into(), sandbox.base_url().into()),
            ],
        };
        let served = serve(&launch).await?;
        let peer = served.client.peer().clone();
        let outcome = drive_wait_tool(&sandbox, &peer, &THIRTY_SECOND_VIDEO, 1.0, 1.0).await;
        served.close().await;
        sandbox.shutdown().await;
        outcome
    };
    let (tool, naive) = tokio::try_join!(tool, naive(1.0, 1.0, &THIRTY_SECOND_VIDEO))?;
    Ok(WaitCase {
        label: "6 s render (real time, release binary)".into(),
        wall: started.elapsed(),
        tool,
        naive,
    })
}

/// The server in this process against `base`, with every wait setting divided by `k`;
/// answering with MCP tasks (to clients that take them) when `tasks`.
pub fn scaled_server(base: &str, k: f64, tasks: bool) -> Result<HeyGenServer, Error> {
    let defaults = WaitSettings::default();
    let settings = Settings {
        sandbox: true,
        tasks,
        wait: WaitSettings {
            default_timeout: defaults.default_timeout.div_f64(k),
            max_timeout: defaults.max_timeout.div_f64(k),
            max_for_every_client: false,
            stall_after: defaults.stall_after.div_f64(k),
            first_delay: defaults.first_delay.div_f64(k),
            max_delay: defaults.max_delay.div_f64(k),
        },
        ..Settings::default()
    };
    let config = Config {
        api_base: url::Url::parse(base)?,
        credentials: CredentialLookup::Found(
            Credentials::ApiKey(KEY.to_owned().into()),
            CredentialSource::Sandbox,
        ),
        max_retries: 3,
        read_only: false,
    };
    Ok(HeyGenServer::new(HeyGenClient::new(&config), settings))
}

/// The server in this process, with every wait setting divided by `k`.
async fn scaled_tool(render: &Render, scale: f64, k: f64) -> Result<Poller, Error> {
    let sandbox = Sandbox::start(loopback(), SandboxOptions { time_scale: scale }).await?;
    let server = scaled_server(sandbox.base_url(), k, false)?;
    let (client_io, server_io) = tokio::io::duplex(1 << 20);
    let server_task = tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let client = ().serve(client_io).await?;
    let outcome = drive_wait_tool(&sandbox, client.peer(), render, scale, k).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), client.cancel()).await;
    server_task.abort();
    sandbox.shutdown().await;
    outcome
}

/// Creates a session, then calls wait_for_video as a model would: again after each
/// still_running answer, with the video_id once the answer names one (as its next_step
/// says).
async fn drive_wait_tool(
    sandbox: &Sandbox,
    peer: &ServerSink,
    render: &Render,
    scale: f64,
    k: f64,
) -> Result<Poller, Error> {
    let http = direct_client()?;
    let (session_id, created) = create(&http, sandbox.base_url(), render.prompt).await?;
    let before = sandbox.request_count();
    let done_at = created + Duration::from_secs_f64(render.sim_total / scale);
    let deadline = done_at + Duration::from_secs_f64(render.sim_total / scale * 2.0 + 10.0);
    let mut arguments = JsonObject::new();
    arguments.insert("session_id".into(), Value::String(session_id));
    let mut tool_calls = 0;
    loop {
        if Instant::now() > deadline || tool_calls >= 10_000 {
            return Err("wait_for_video never reported completion".into());
        }
        tool_calls += 1;
        let params = CallToolRequestParams::new("wait_for_video").with_arguments(arguments.clone());
        let result = tokio::time::timeout(Duration::from_secs(120), peer.call_tool(params))
            .await
            .map_err(|_| "wait_for_video took over 120 s")??;
        let outcome = result
            .structured_content
            .ok_or("wait_for_video returned no structured result")?;
        match outcome["state"].as_str() {
            Some("completed") => {
                let noticed = Instant::now();
                return Ok(Poller {
                    requests: sandbox.request_count() - before,
                    tool_calls,
                    late: noticed.saturating_duration_since(done_at).as_secs_f64() * k,
                });
            }
            Some("still_running") => {
                if let Some(video_id) = outcome["video_id"].as_str() {
                    arguments = JsonObject::new();
                    arguments.insert("video_id".into(), Value::String(video_id.to_owned()));
                }
            }
            other => return Err(format!("wait_for_video answered {other:?}: {outcome}").into()),
        }
    }
}

/// A client polling every 5 (real) seconds: the session until it names the video, then
/// the video until completed. Each poll is one request (and, for a model, one tool call).
async fn naive(scale: f64, k: f64, render: &Render) -> Result<Poller, Error> {
    let sandbox = Sandbox::start(loopback(), SandboxOptions { time_scale: scale }).await?;
    let base = sandbox.base_url().to_owned();
    let http = direct_client()?;
    let (session_id, created) = create(&http, &base, render.prompt).await?;
    let before = sandbox.request_count();
    let done_at = created + Duration::from_secs_f64(render.sim_total / scale);
    // Polls on a fixed 5-second grid from the create, however long each request takes.
    let interval = Duration::from_secs_f64(NAIVE_INTERVAL / k);
    let mut ticks = tokio::time::interval_at((created + interval).into(), interval);
    let mut video_id: Option<String> = None;
    let mut polls = 0u64;
    let outcome = loop {
        if polls >= 100_000 {
            break Err("naive polling never saw completion".into());
        }
        ticks.tick().await;
        polls += 1;
        match &video_id {
            None => {
                let session = get(&http, &format!("{base}/v3/video-agents/{session_id}")).await?;
                let status = session["data"]["status"].as_str().unwrap_or_default();
                if matches!(status, "generating" | "completed") {
                    video_id = session["data"]["video_id"].as_str().map(str::to_owned);
                }
            }
            Some(id) => {
                let video = get(&http, &format!("{base}/v3/videos/{id}")).await?;
                if video["data"]["status"] == "completed" {
                    break Ok(Poller {
                        requests: sandbox.request_count() - before,
                        tool_calls: polls,
                        late: Instant::now()
                            .saturating_duration_since(done_at)
                            .as_secs_f64()
                            * k,
                    });
                }
            }
        }
    };
    sandbox.shutdown().await;
    outcome
}

/// POSTs a generate-mode session; returns its id and the instant it was created (the
/// middle of the request).
async fn create(
    http: &reqwest::Client,
    base: &str,
    prompt: &str,
) -> Result<(String, Instant), Error> {
    let sent = Instant::now();
    let created: Value = http
        .post(format!("{base}/v3/video-agents"))
        .header("x-api-key", KEY)
        .json(&json!({ "prompt": prompt }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let at = sent + sent.elapsed() / 2;
    let id = created["data"]["session_id"]
        .as_str()
        .ok_or("create answered without a session_id")?;
    Ok((id.to_owned(), at))
}

async fn get(http: &reqwest::Client, url: &str) -> Result<Value, Error> {
    Ok(http
        .get(url)
        .header("x-api-key", KEY)
        .timeout(Duration::from_secs(10))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.0} s")
    } else {
        format!("{:.0} min", secs / 60.0)
    }
}

pub fn report(cases: &[WaitCase]) -> String {
    let mut table = Table::new(&[
        "render, create → completed",
        "wall",
        "wait_for_video: requests",
        "tool calls",
        "noticed late",
        "naive 5 s: requests",
        "noticed late",
        "requests saved",
    ]);
    for c in cases {
        let saved = 1.0 - c.tool.requests as f64 / (c.naive.requests.max(1)) as f64;
        table.row(vec![
            c.label.clone(),
            ms(c.wall),
            c.tool.requests.to_string(),
            c.tool.tool_calls.to_string(),
            format!("{:.1} s", c.tool.late),
            c.naive.requests.to_string(),
            format!("{:.1} s", c.naive.late),
            format!("{:.0} %", saved * 100.0),
        ]);
    }
    format!(
        "{}  no target in issue 7 (informational). Naive tool calls = its requests when a model polls.\n",
        table.render()
    )
}
