//! heygen-mcp: parse configuration, log to stderr, then serve MCP over stdio; or the
//! subcommands: `http` (the remote server), `sandbox` (the offline simulator alone), `demo`,
//! `doctor`, `config <host>`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use rmcp::ServiceExt;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

use heygen_mcp::api::HeyGenClient;
use heygen_mcp::config::{Cli, Command, CredentialLookup, CredentialSource, HttpArgs, LogFormat};
use heygen_mcp::redact::display_url;
use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use heygen_mcp::setup::{Prepared, loopback, prepare};
use heygen_mcp::tools::{HeyGenServer, Observer};
use heygen_mcp::transport::http::HttpOptions;
use heygen_mcp::transport::http::auth::AuthMode;
use heygen_mcp::transport::http::limits::LimitSettings;
use heygen_mcp::transport::http::metrics::Metrics;
use heygen_mcp::transport::stdio::{LineLimit, MAX_LINE_BYTES};
use heygen_mcp::transport::stop_signal;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // stdout carries JSON-RPC only; every log line goes to stderr.
    let logs = tracing_subscriber::fmt()
        .with_writer(heygen_mcp::redact::LogWriter)
        .with_ansi(false)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("heygen_mcp=info,warn")),
        );
    match cli.log_format {
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Text => logs.init(),
    }
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
        Some(Command::Http(args)) => serve_http(cli, args).await,
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
    let Prepared {
        config,
        settings,
        sandbox,
    } = prepare(&cli).await?;
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

/// `heygen-mcp http`: the same tools over Streamable HTTP, for remote hosts and replicas.
async fn serve_http(cli: Cli, args: HttpArgs) -> Result<(), Error> {
    let Prepared {
        config,
        mut settings,
        sandbox,
    } = prepare(&cli).await?;
    // Only a key set for this server is served to every caller; the HeyGen CLI's stored
    // login (a person's) never is.
    let server_credentials = match &config.credentials {
        CredentialLookup::Found(credentials, CredentialSource::Env(_)) => {
            heygen_mcp::redact::redact_logs(&credentials.redactor());
            Some(credentials.clone())
        }
        CredentialLookup::Found(_, CredentialSource::File(path)) => {
            tracing::info!(
                "not serving the HeyGen CLI's login ({}) to callers; each caller brings a key",
                path.display()
            );
            None
        }
        _ => None,
    };
    let token = std::env::var("HEYGEN_MCP_TOKEN")
        .ok()
        .filter(|t| !heygen_mcp::config::is_placeholder(t))
        .map(|t| secrecy::SecretString::from(t.trim().to_owned()));
    let local_only = args.listen.ip().is_loopback() && args.allowed_hosts.is_empty();
    let auth = AuthMode::from_settings(server_credentials, token, local_only)?;
    let metrics = Arc::new(Metrics::default());
    let stopping = CancellationToken::new();
    settings.remote = true;
    settings.stopping = stopping.clone();
    settings.observer = Some(Observer(metrics.clone()));
    let mut no_key = config.clone();
    no_key.credentials = CredentialLookup::Missing(
        "This request carried no HeyGen key: send X-Api-Key: <your HeyGen API key>.".into(),
    );
    let serving = match &auth {
        AuthMode::ServerKey { .. } => (&config, "a server-held key"),
        AuthMode::CallersKeys { .. } => (&no_key, "each caller's own key"),
    };
    let client = HeyGenClient::new(serving.0).observed_by(metrics.clone());
    let template = HeyGenServer::new(client, settings);
    let mut options = HttpOptions::new(args.listen);
    options.allowed_hosts = args.allowed_hosts;
    options.allowed_origins = args.allowed_origins;
    options.drain = Duration::from_secs(args.drain_seconds);
    options.notice = Duration::from_secs(args.drain_notice_seconds);
    options.max_body_bytes = args.max_body_mb.saturating_mul(1024 * 1024);
    options.limits = LimitSettings {
        concurrent: args.caller_concurrency.max(1),
        per_second: args.caller_rate.max(0.1),
        burst: (args.caller_rate * 2.0).max(1.0),
    };
    tracing::info!(api = %display_url(&config.api_base), keys = serving.1, "heygen-mcp serving over HTTP");
    heygen_mcp::transport::http::serve(template, auth, options, metrics, stopping).await?;
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    Ok(())
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
