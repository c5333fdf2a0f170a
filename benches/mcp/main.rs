//! heygen-mcp's benchmark: prints every figure of issues 7, 13 (the remote server) and 14
//! (tasks) beside its target, with HeyGen's official Python server (heygen-mcp 0.0.3 on
//! PyPI) alongside where the figure applies.
//! Run it with `bench/run.sh` (see BENCHMARKS.md), which builds the release binary and the
//! peer's venv and passes their paths in:
//!
//! - `HEYGEN_BENCH_BIN`: the release binary (default: the one cargo built for this bench).
//! - `HEYGEN_BENCH_PEER`: the peer's console script; without it the peer rows are skipped.
//! - `HEYGEN_BENCH_COLD_RUNS` (50), `HEYGEN_BENCH_PEER_RUNS` (50), `HEYGEN_BENCH_CALLS`
//!   (2000), `HEYGEN_BENCH_WARMUP` (200), `HEYGEN_BENCH_INFLIGHT` (256),
//!   `HEYGEN_BENCH_CLIENTS` (1000, concurrent clients of the remote load),
//!   `HEYGEN_BENCH_LOAD_SECONDS` (6, measured seconds per load run, after 2 s of warm-up),
//!   `HEYGEN_BENCH_LOAD_ROUNDS` (2, rounds over the load configurations),
//!   `HEYGEN_BENCH_ONLY` (comma-separated sections to run: size, cold, calls, concurrency,
//!   wait, remote, tasks; default all).
//!
//! All traffic stays on 127.0.0.1: backends are the sandbox (in this process, or
//! `heygen-mcp sandbox` as a child for the remote load), or the sandbox's router behind a
//! fixed delay; the remote section also runs `heygen-mcp http` replicas and HAProxy. Every
//! child process is killed when dropped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod calls;
mod child;
mod cold;
mod remote;
mod stats;
mod tasks;
mod waiting;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use heygen_mcp::api::HeyGenClient;
use heygen_mcp::config::{Config, CredentialLookup};
use heygen_mcp::tools::{HeyGenServer, Settings};

use child::Launch;
use stats::{Table, ms, summarize, verdict};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The key the bench's servers send to its loopback backends.
pub const KEY: &str = "bench-key";
const BINARY_TARGET_BYTES: u64 = 10_000_000;
/// Every figure together may not take longer than this.
const WHOLE_RUN_LIMIT: Duration = Duration::from_secs(1200);

/// A plain HTTP client for loopback (no TLS needed; the provider is installed as the
/// server does, because reqwest is built without a default one).
pub fn direct_client() -> Result<reqwest::Client, Error> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()?)
}

struct Options {
    bin: PathBuf,
    peer: Option<PathBuf>,
    cold_runs: usize,
    peer_runs: usize,
    calls: usize,
    warmup: usize,
    inflight: usize,
    clients: usize,
    load_seconds: usize,
    load_rounds: usize,
    only: Option<Vec<String>>,
}

impl Options {
    fn runs(&self, section: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|s| s == section))
    }

    fn from_env() -> Self {
        let number = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        Self {
            // Absolute, because the servers run in a temporary working directory.
            bin: std::env::var_os("HEYGEN_BENCH_BIN")
                .map(PathBuf::from)
                .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_heygen-mcp"))),
            peer: std::env::var_os("HEYGEN_BENCH_PEER")
                .map(PathBuf::from)
                .and_then(|p| std::fs::canonicalize(p).ok()),
            cold_runs: number("HEYGEN_BENCH_COLD_RUNS", 50),
            peer_runs: number("HEYGEN_BENCH_PEER_RUNS", 50),
            calls: number("HEYGEN_BENCH_CALLS", 2000),
            warmup: number("HEYGEN_BENCH_WARMUP", 200),
            inflight: number("HEYGEN_BENCH_INFLIGHT", 256),
            clients: number("HEYGEN_BENCH_CLIENTS", 1000),
            load_seconds: number("HEYGEN_BENCH_LOAD_SECONDS", 6),
            load_rounds: number("HEYGEN_BENCH_LOAD_ROUNDS", 2),
            only: std::env::var("HEYGEN_BENCH_ONLY")
                .ok()
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect()),
        }
    }
}

/// One line of the closing summary.
struct Verdict {
    figure: String,
    measured: String,
    target: &'static str,
    pass: Option<bool>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = Options::from_env();
    match tokio::time::timeout(WHOLE_RUN_LIMIT, run(&options)).await {
        Ok(Ok(())) => std::process::ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("bench failed: {error}");
            std::process::ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("bench failed: still running after {WHOLE_RUN_LIMIT:?}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options) -> Result<(), Error> {
    let mut verdicts = Vec::new();
    println!("binary: {}", options.bin.display());
    match &options.peer {
        Some(peer) => println!(
            "peer:   {} (HeyGen's heygen-mcp 0.0.3, Python)",
            peer.display()
        ),
        None => println!(
            "peer:   not found (set HEYGEN_BENCH_PEER, or use bench/run.sh); peer rows skipped"
        ),
    }
    if options.runs("size") {
        binary_size(options, &mut verdicts)?;
        start_up_work()?;
    }
    if options.runs("cold") {
        cold_start_and_context(options, &mut verdicts).await?;
    }
    if options.runs("calls") {
        per_call(options, &mut verdicts).await?;
    }
    if options.runs("concurrency") {
        in_flight(options, &mut verdicts).await?;
    }
    if options.runs("wait") {
        waiting_cases(options, &mut verdicts).await?;
    }
    if options.runs("remote") {
        remote_server(options, &mut verdicts).await?;
    }
    if options.runs("tasks") {
        task_counts(&mut verdicts).await?;
    }
    println!("\n== Summary");
    let mut table = Table::new(&["figure", "measured", "target", "result"]);
    for v in &verdicts {
        table.row(vec![
            v.figure.clone(),
            v.measured.clone(),
            v.target.into(),
            v.pass.map_or("info", verdict).into(),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

fn progress(line: &str) {
    eprintln!("{line}");
}

/// Figure 6: the file's size, and whether it still has a symbol table.
fn binary_size(options: &Options, verdicts: &mut Vec<Verdict>) -> Result<(), Error> {
    let size = std::fs::metadata(&options.bin)?.len();
    let stripped = !std::fs::read(&options.bin)?
        .windows(8)
        .any(|w| w == b".symtab\0");
    let pass = size <= BINARY_TARGET_BYTES;
    println!("\n== 6. Binary size (release profile, as built)");
    println!(
        "  {size} bytes = {:.2} MB ({})   target ≤ 10 MB   {}",
        size as f64 / 1e6,
        if stripped { "stripped" } else { "NOT stripped" },
        verdict(pass)
    );
    verdicts.push(Verdict {
        figure: "binary size".into(),
        measured: format!("{:.2} MB", size as f64 / 1e6),
        target: "≤ 10 MB",
        pass: Some(pass),
    });
    Ok(())
}

/// What the server does before it can answer: the tool router, its schemas and the
/// argument validators, built in `HeyGenServer::new` (the same code, in this process).
fn start_up_work() -> Result<(), Error> {
    let mut builds = Vec::new();
    for _ in 0..20 {
        let config = Config {
            api_base: url::Url::parse("https://api.heygen.com")?,
            credentials: CredentialLookup::Missing("bench".into()),
            max_retries: 3,
            read_only: false,
        };
        let t = Instant::now();
        let server = HeyGenServer::new(HeyGenClient::new(&config), Settings::default());
        builds.push(t.elapsed());
        drop(server);
    }
    let first = builds.first().copied().unwrap_or_default();
    let built = summarize(builds);
    println!(
        "\n== Start-up work: HeyGenServer::new (tool router + schemas + validators), in this process\n  first {}, p50 {} over {} builds (the HTTP client is built lazily, on the first call)",
        ms(first),
        ms(built.p50),
        built.n
    );
    Ok(())
}

/// Figures 1 and 4, from the same starts.
async fn cold_start_and_context(
    options: &Options,
    verdicts: &mut Vec<Verdict>,
) -> Result<(), Error> {
    progress("cold starts ...");
    let ours = |label: &str, args: &[&str]| Launch {
        label: label.into(),
        program: options.bin.clone(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        env: Vec::new(),
    };
    let mut launches = vec![
        (ours("ours (no key)", &[]), true, options.cold_runs),
        (
            ours("ours (--sandbox)", &["--sandbox"]),
            true,
            options.cold_runs,
        ),
    ];
    if let Some(peer) = &options.peer {
        launches.push((
            Launch {
                label: "python peer (dummy key)".into(),
                program: peer.clone(),
                args: Vec::new(),
                env: vec![("HEYGEN_API_KEY".into(), "dummy-key-for-bench".into())],
            },
            false,
            options.peer_runs,
        ));
    }
    let figures = cold::measure(&launches, &mut |line| progress(line)).await?;
    println!(
        "\n== 1. Cold start: spawn → initialize answered → tools/list answered (memory after tools/list; medians)"
    );
    print!("{}", cold::report_start(&figures));
    for f in figures.iter().filter(|f| f.ours) {
        let sandbox = f.label.contains("sandbox");
        let listed = summarize(f.samples.iter().map(|s| s.listed).collect());
        let rss = stats::mb_from_kib(stats::median_u64(
            f.samples.iter().map(|s| s.memory.rss).collect(),
        ));
        verdicts.push(Verdict {
            figure: if sandbox {
                "cold start, --sandbox"
            } else {
                "cold start, no key"
            }
            .into(),
            measured: format!("{} p50", ms(listed.p50)),
            target: "≤ 10 ms",
            pass: Some(listed.p50 <= cold::START_TARGET),
        });
        verdicts.push(Verdict {
            figure: if sandbox {
                "idle RSS, --sandbox"
            } else {
                "idle RSS, no key"
            }
            .into(),
            measured: format!("{rss:.1} MB"),
            target: "≤ 10 MB",
            pass: Some(rss <= cold::RSS_TARGET_MB),
        });
    }
    println!(
        "\n== 4. Size of the model's context: tools/list (compact JSON as sent; 1 KB = 1000 B)"
    );
    print!("{}", cold::report_context(&figures));
    if let Some(per_tool) = cold::ours_per_tool(&figures) {
        verdicts.push(Verdict {
            figure: "tools/list per tool".into(),
            measured: format!("{:.2} KB", per_tool / 1000.0),
            target: "≤ 1.2 KB",
            pass: Some(per_tool <= cold::PER_TOOL_TARGET_BYTES),
        });
    }
    if let Some(bytes) = cold::ours_list_bytes(&figures) {
        verdicts.push(Verdict {
            figure: "tools/list, default toolsets".into(),
            measured: format!("{:.1} KB", bytes as f64 / 1000.0),
            target: "≤ 24 KB",
            pass: Some(bytes <= cold::LIST_TARGET_BYTES),
        });
    }
    Ok(())
}

/// Figure 2.
async fn per_call(options: &Options, verdicts: &mut Vec<Verdict>) -> Result<(), Error> {
    progress("per-call overhead ...");
    let overhead = calls::overhead(&options.bin, options.calls, options.warmup).await?;
    println!(
        "\n== 2. Per-call overhead: get_video through the server vs. the same GET direct, sandbox on loopback ({} interleaved pairs after {} warm-up)",
        options.calls, options.warmup
    );
    print!("{}", calls::report_overhead(&overhead));
    let added = stats::delta_us(overhead.mcp.p50, overhead.direct.p50);
    verdicts.push(Verdict {
        figure: "MCP overhead per call".into(),
        measured: format!("{added:+.0} µs p50"),
        target: "≤ 100 µs",
        pass: Some(added <= calls::OVERHEAD_TARGET_US),
    });
    Ok(())
}

/// Figure 3.
async fn in_flight(options: &Options, verdicts: &mut Vec<Verdict>) -> Result<(), Error> {
    progress("concurrency ...");
    let concurrency = calls::concurrency(&options.bin, options.inflight, 3).await?;
    println!(
        "\n== 3. Concurrency: {} get_video calls in flight through one server, backend latency {} ms",
        options.inflight,
        calls::BACKEND_LATENCY.as_millis()
    );
    print!("{}", calls::report_concurrency(&concurrency));
    let ratio = calls::burst_ratio(&concurrency);
    verdicts.push(Verdict {
        figure: "calls in flight vs one call".into(),
        measured: format!("{ratio:.2}x"),
        target: "≤ 2x",
        pass: Some(ratio <= calls::CONCURRENCY_TARGET_RATIO),
    });
    Ok(())
}

/// Figure 5.
async fn waiting_cases(options: &Options, verdicts: &mut Vec<Verdict>) -> Result<(), Error> {
    progress("waiting (about 40 s) ...");
    let cases = waiting::measure(&options.bin, &mut |line| progress(line)).await?;
    println!(
        "\n== 5. Waiting: API requests until completion is seen, wait_for_video vs. polling every 5 s (real-time figures)"
    );
    print!("{}", waiting::report(&cases));
    if let Some(longest) = cases.last() {
        verdicts.push(Verdict {
            figure: "waiting, longest render".into(),
            measured: format!(
                "{} vs {} requests",
                longest.tool.requests, longest.naive.requests
            ),
            target: "(none set)",
            pass: None,
        });
    }
    Ok(())
}

/// Issue 13: the remote server.
async fn remote_server(options: &Options, verdicts: &mut Vec<Verdict>) -> Result<(), Error> {
    progress("remote: per-call overhead over HTTP ...");
    let overhead = remote::overhead(&options.bin, options.calls, options.warmup).await?;
    println!(
        "\n== 7. Remote: per-call overhead, get_video over HTTP (one replica) vs. over stdio vs. the same GET direct, sandbox on loopback ({} interleaved triples after {} warm-up)",
        options.calls, options.warmup
    );
    print!("{}", remote::report_overhead(&overhead));
    let over = remote::http_over_stdio_us(&overhead);
    verdicts.push(Verdict {
        figure: "HTTP overhead over stdio".into(),
        measured: format!("{over:+.0} µs p50"),
        target: "≤ 150 µs",
        pass: Some(over <= remote::HTTP_OVER_STDIO_TARGET_US),
    });

    progress("remote: cold starts ...");
    let cold = remote::cold(&options.bin, options.cold_runs).await?;
    println!(
        "\n== 8. Remote: cold start to first answer and idle memory per replica (heygen-mcp http, medians for memory)"
    );
    print!("{}", remote::report_cold(&cold));
    verdicts.push(Verdict {
        figure: "HTTP cold start to first answer".into(),
        measured: format!("{} p50", ms(cold.first_answer.p50)),
        target: "(none set)",
        pass: None,
    });
    let rss = remote::idle_rss_mb(&cold);
    verdicts.push(Verdict {
        figure: "idle RSS per replica".into(),
        measured: format!("{rss:.1} MB"),
        target: "≤ 20 MB",
        pass: Some(rss <= remote::REPLICA_RSS_TARGET_MB),
    });

    let plan = remote::Plan {
        clients: options.clients,
        warmup: Duration::from_secs(2),
        window: Duration::from_secs(options.load_seconds as u64),
        rounds: options.load_rounds,
    };
    progress(&format!(
        "remote: {} clients, {} round(s) of {} s per configuration ...",
        plan.clients,
        plan.rounds,
        plan.warmup.as_secs() + plan.window.as_secs()
    ));
    let scaling = remote::scaling(&options.bin, plan, &mut |line| progress(line)).await?;
    println!(
        "\n== 9. Remote: {} concurrent clients calling get_video back to back (each its own X-Api-Key and keep-alive connection), backend latency {} ms; {} s measured per run after 2 s warm-up; rounds alternate",
        plan.clients,
        remote::LOAD_LATENCY_MS,
        plan.window.as_secs()
    );
    print!("{}", remote::report_scaling(&scaling, plan.clients));
    for (figure, label) in [("one replica", remote::ONE), ("HAProxy + 3", remote::THREE)] {
        if let Some(p) = remote::pooled(&scaling, label) {
            verdicts.push(Verdict {
                figure: format!("{} clients, {figure}", plan.clients),
                measured: format!("{:.0} calls/s, p99 {}", p.throughput, ms(p.latency.p99)),
                target: "(none set)",
                pass: None,
            });
        }
    }
    if let Some(ratio) = remote::scaling_ratio(&scaling) {
        verdicts.push(Verdict {
            figure: "three replicas vs one".into(),
            measured: format!("{ratio:.2}x"),
            target: "≥ 2.5x",
            pass: Some(ratio >= remote::SCALING_TARGET),
        });
    }
    let after = remote::rss_after_mb(&scaling);
    verdicts.push(Verdict {
        figure: "replica RSS, idle after load".into(),
        measured: format!("{after:.1} MB"),
        target: "≤ 20 MB",
        pass: Some(after <= remote::REPLICA_RSS_TARGET_MB),
    });
    Ok(())
}

/// Issue 14: one 45-minute render, with tasks and without.
async fn task_counts(verdicts: &mut Vec<Verdict>) -> Result<(), Error> {
    progress("tasks: one 45-minute render, with and without tasks (about 15 s) ...");
    let case = tasks::measure(Duration::from_secs(2700), Duration::from_secs(15)).await?;
    println!(
        "\n== 10. Tasks: HeyGen requests and model-visible calls for one 45-minute render, with MCP tasks and without (scaled, real-time figures)"
    );
    print!("{}", tasks::report(&case));
    verdicts.push(Verdict {
        figure: "45 min render: model calls".into(),
        measured: format!(
            "{} without tasks, {} with",
            case.without.model_calls, case.with.model_calls
        ),
        target: "(none set)",
        pass: None,
    });
    verdicts.push(Verdict {
        figure: "45 min render: HeyGen requests".into(),
        measured: format!(
            "{} without tasks, {} with",
            case.without.requests, case.with.requests
        ),
        target: "(none set)",
        pass: None,
    });
    Ok(())
}
