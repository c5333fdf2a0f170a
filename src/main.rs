//! heygen-mcp: parse configuration, log to stderr, then serve MCP over stdio (or run the
//! sandbox alone, or the demo).

use std::io::IsTerminal;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::Parser;
use rmcp::ServiceExt;
use tracing_subscriber::EnvFilter;

use heygen_mcp::api::HeyGenClient;
use heygen_mcp::config::{Cli, Command, Config, CredentialLookup, CredentialSource, Credentials};
use heygen_mcp::redact::display_url;
use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use heygen_mcp::tools::{HeyGenServer, Settings, Toolsets, WaitSettings};
use heygen_mcp::transport::stdio::{LineLimit, MAX_LINE_BYTES};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // stdout carries JSON-RPC only; every log line goes to stderr.
    tracing_subscriber::fmt()
        .with_writer(heygen_mcp::redact::LogWriter)
        .with_ansi(false)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("heygen_mcp=info,warn")),
        )
        .init();
    let outcome = match cli.command.clone() {
        Some(Command::Sandbox { port }) => run_sandbox(port).await,
        Some(Command::Demo) => run_demo().await,
        Some(Command::Doctor) => {
            let mut out = std::io::stdout();
            match heygen_mcp::doctor::run(&cli, &mut out).await {
                Ok(true) => Ok(()),
                Ok(false) => return std::process::ExitCode::FAILURE,
                Err(error) => Err(error),
            }
        }
        Some(Command::Config { host, write }) => {
            let mut out = std::io::stdout();
            match std::env::current_exe() {
                Ok(exe) => heygen_mcp::host_config::run(host, write, &exe, &mut out),
                Err(e) => Err(e.into()),
            }
        }
        None => serve(cli).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // Said once, on stderr (tracing goes there too: no second copy).
            eprintln!("heygen-mcp: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(cli: Cli) -> Result<(), Error> {
    let mut config = Config::resolve(&cli, |name| std::env::var(name).ok())?;
    // Run by hand in a terminal: say what this is instead of waiting silently.
    let by_hand = std::io::stdin().is_terminal();
    if by_hand {
        eprintln!(
            "heygen-mcp is an MCP server: an MCP host (Claude Desktop, Claude Code, VS Code, Cursor ...) starts it and talks JSON-RPC on stdin/stdout.\n\
             Try instead:\n  heygen-mcp demo                 make a video end to end on the offline sandbox\n  \
             heygen-mcp doctor               check your setup (key, folders, HeyGen reachable)\n  \
             heygen-mcp config claude-desktop  print (or --write) the config for your host\n\
             Waiting for JSON-RPC on stdin; Ctrl-D quits."
        );
    }
    // Kept alive for as long as the server runs.
    let mut sandbox = None;
    if cli.sandbox {
        let running = Sandbox::start(loopback(0), SandboxOptions::from_env()).await?;
        config.api_base = running.base_url().parse()?;
        config.credentials = CredentialLookup::Found(
            Credentials::ApiKey("sandbox".to_owned().into()),
            CredentialSource::Sandbox,
        );
        tracing::info!(
            url = running.base_url(),
            "sandbox mode: serving the offline simulator"
        );
        sandbox = Some(running);
    }
    match &config.credentials {
        CredentialLookup::Found(credentials, source) => {
            heygen_mcp::redact::redact_logs(&credentials.redactor());
            tracing::info!("using HeyGen credentials from {source}")
        }
        CredentialLookup::Missing(_) => {
            tracing::warn!(
                "no HeyGen credentials found; tools will explain how to set HEYGEN_API_KEY"
            )
        }
    }
    let toolsets = match cli.toolsets.as_deref() {
        Some(list) => {
            Toolsets::parse(list).map_err(|e| format!("--toolsets / HEYGEN_TOOLSETS: {e}"))?
        }
        None => Toolsets::default(),
    };
    let settings = Settings {
        read_only: config.read_only,
        toolsets,
        sandbox: sandbox.is_some(),
        wait: WaitSettings {
            max_timeout: cli
                .wait_max_seconds
                .map_or(WaitSettings::default().max_timeout, Duration::from_secs),
            max_for_every_client: cli.wait_max_seconds.is_some(),
            stall_after: Duration::from_secs(cli.stall_seconds),
            ..WaitSettings::default()
        },
        files: cli.file_access(),
    };
    let server = HeyGenServer::new(HeyGenClient::new(&config), settings);
    tracing::info!(api = %display_url(&config.api_base), read_only = config.read_only, "heygen-mcp serving on stdio");
    // Non-blocking pipes on the IO reactor when the host gives us pipes (every MCP host does);
    // plain stdio otherwise. Measured in BENCHMARKS.md: less per-call overhead and latency
    // under load than stdio()'s blocking thread pool.
    let (read, write) = rmcp::transport::stdio_pipes();
    let read = LineLimit::new(read, MAX_LINE_BYTES);
    let running = match server.serve((read, write)).await {
        Ok(running) => running,
        // Stdin closed before a client said hello (someone ran it by hand and pressed
        // Ctrl-D): nothing went wrong.
        Err(error) if by_hand => {
            tracing::debug!("no MCP client connected: {error}");
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    // A stop signal ends the process at once; destructors do not run on the way out, so
    // partial downloads are removed first. Calls in flight get no answer (the host asked
    // for the stop), rather than one that blames the client.
    tokio::spawn(async {
        let signal = stop_signal().await;
        heygen_mcp::tools::remove_partial_downloads();
        tracing::info!("{signal}: stopping");
        std::process::exit(if signal == "SIGTERM" { 143 } else { 130 });
    });
    running.waiting().await?;
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT), naming which.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "SIGINT"
}

/// `heygen-mcp sandbox`: the simulator alone, until Ctrl-C.
async fn run_sandbox(port: u16) -> Result<(), Error> {
    let address = loopback(port);
    let sandbox = Sandbox::start(address, SandboxOptions::from_env())
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let url = sandbox.base_url();
    eprintln!(
        "HeyGen sandbox listening on {url} (Ctrl-C to stop). Any non-empty x-api-key works. Try:\n  \
         curl -s -H 'x-api-key: demo' {url}/v3/video-agents/styles\n  \
         curl -s -H 'x-api-key: demo' -H 'content-type: application/json' -d '{{\"prompt\":\"A 30-second video about otters\"}}' {url}/v3/video-agents"
    );
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}

/// `heygen-mcp demo`: a terminal-facing subcommand, so it writes to stdout.
async fn run_demo() -> Result<(), Error> {
    let exe = std::env::current_exe()?;
    let mut out = std::io::stdout();
    heygen_mcp::demo::run(&exe, &mut out).await
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}
