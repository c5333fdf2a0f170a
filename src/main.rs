//! heygen-mcp: parse configuration, log to stderr, serve MCP over stdio.

use std::time::Duration;

use clap::Parser;
use rmcp::ServiceExt;
use tracing_subscriber::EnvFilter;

use heygen_mcp::api::HeyGenClient;
use heygen_mcp::config::{Cli, Config, CredentialLookup};
use heygen_mcp::tools::{HeyGenServer, Settings, WaitSettings};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // stdout carries JSON-RPC only; every log line goes to stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("heygen_mcp=info,warn")),
        )
        .init();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("heygen-mcp: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::resolve(&cli, |name| std::env::var(name).ok())?;
    match &config.credentials {
        CredentialLookup::Found(_, source) => {
            tracing::info!("using HeyGen credentials from {source}")
        }
        CredentialLookup::Missing(_) => {
            tracing::warn!(
                "no HeyGen credentials found; tools will explain how to set HEYGEN_API_KEY"
            )
        }
    }
    let settings = Settings {
        read_only: config.read_only,
        sandbox: false,
        wait: WaitSettings {
            max_timeout: Duration::from_secs(cli.wait_max_seconds),
            stall_after: Duration::from_secs(cli.stall_seconds),
            ..WaitSettings::default()
        },
    };
    let server = HeyGenServer::new(HeyGenClient::new(&config), settings);
    tracing::info!(api = %config.api_base, read_only = config.read_only, "heygen-mcp serving on stdio");
    let running = server.serve(rmcp::transport::stdio()).await?;
    running.waiting().await?;
    Ok(())
}
