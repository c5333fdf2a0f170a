//! What every way of serving shares: the configuration resolved, the embedded sandbox
//! started when asked for, and the tools' settings — built once here, used by stdio and
//! HTTP alike.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::config::{Cli, Config, CredentialLookup, CredentialSource, Credentials};
use crate::sandbox::{Sandbox, SandboxOptions};
use crate::tools::{Settings, Toolsets, WaitSettings, media_origins};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A configuration ready to serve with.
pub struct Prepared {
    pub config: Config,
    pub settings: Settings,
    /// The embedded simulator, kept alive while the server runs (`--sandbox`).
    pub sandbox: Option<Sandbox>,
}

/// Resolves flags and environment; starts the embedded sandbox for `--sandbox`.
pub async fn prepare(cli: &Cli) -> Result<Prepared, Error> {
    let mut config = Config::resolve(cli, |name| std::env::var(name).ok())?;
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
        tasks: cli.tasks,
        ui: cli.ui,
        media_origins: media_origins(&config.api_base, sandbox.is_some(), &cli.media_origins),
        ..Settings::default()
    };
    Ok(Prepared {
        config,
        settings,
        sandbox,
    })
}

/// `127.0.0.1:port`.
pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}
