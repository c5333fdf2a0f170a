//! `heygen-mcp doctor`: what a new user gets wrong, checked in plain words.
//!
//! The configuration is resolved exactly as `serve` resolves it (flags, environment, the
//! credential chain, `--sandbox`), then each check prints one line: `ok`, `warn`, `FAIL`, or
//! `skip` when an earlier failure makes it meaningless. A `FAIL` is something that stops the
//! server from working; the command then exits non-zero. No line ever shows a credential:
//! each passes through a redactor that knows it.

use std::io::Write;
use std::time::Duration;

use rmcp::ServerHandler;
use tracing::instrument::WithSubscriber;

use crate::api::{ApiError, HeyGenClient, RetryPolicy, Timeouts};
use crate::config::{Cli, Config, CredentialLookup, CredentialSource, Credentials};
use crate::redact::{Redactor, display_url};
use crate::setup::Prepared;
use crate::tools::{AccountView, HeyGenServer};

mod folders;

use folders::{allowed_folders, output_folder};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Doctor waits this long for HeyGen to connect and to answer, and does not retry: a
/// slow answer is itself worth reporting.
const PATIENCE: Duration = Duration::from_secs(10);

const KEY_PAGE: &str = "https://app.heygen.com/settings/api";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Ok,
    Warn,
    Fail,
    /// Not checked, because an earlier check failed.
    Skip,
}

/// The lines printed so far, and whether any blocks use.
struct Report<'a, W: Write> {
    out: &'a mut W,
    redactor: Redactor,
    failures: usize,
    warnings: usize,
}

impl<W: Write> Report<'_, W> {
    fn line(&mut self, level: Level, what: &str, detail: &str) -> std::io::Result<()> {
        let tag = match level {
            Level::Ok => "ok",
            Level::Warn => {
                self.warnings += 1;
                "warn"
            }
            Level::Fail => {
                self.failures += 1;
                "FAIL"
            }
            Level::Skip => "skip",
        };
        writeln!(
            self.out,
            "{tag:<5} {what:<16} {}",
            self.redactor.redact(detail)
        )
    }
}

/// Runs every check, printing one line each; `Ok(false)` when something blocks use.
pub async fn run(cli: &Cli, out: &mut impl Write) -> Result<bool, Error> {
    writeln!(
        out,
        "heygen-mcp doctor: checking what a host gets when it starts `heygen-mcp{}` with this shell's settings.\n",
        if cli.sandbox { " --sandbox" } else { "" }
    )?;
    // Resolved as `serve` resolves it; with --sandbox this starts the simulator, kept
    // running until the checks are done. Its log lines would only interrupt the report.
    let prepared = crate::setup::prepare(cli)
        .with_subscriber(tracing::subscriber::NoSubscriber::default())
        .await;
    let redactor = match &prepared {
        Ok(Prepared {
            config:
                Config {
                    credentials: CredentialLookup::Found(credentials, _),
                    ..
                },
            ..
        }) => credentials.redactor(),
        _ => Redactor::default(),
    };
    crate::redact::redact_logs(&redactor);
    let mut report = Report {
        out,
        redactor,
        failures: 0,
        warnings: 0,
    };
    let server = prepared.as_ref().ok().map(|prepared| {
        HeyGenServer::new(
            HeyGenClient::new(&prepared.config),
            prepared.settings.clone(),
        )
    });

    version(&mut report, server.as_ref())?;
    match &prepared {
        Ok(prepared) => {
            credentials(&mut report, &prepared.config.credentials)?;
            api(&mut report, &prepared.config, prepared.sandbox.is_some()).await?;
        }
        Err(problem) => {
            report.line(
                Level::Fail,
                "settings",
                &format!("{problem} (the server refuses to start)"),
            )?;
            if let Ok(config) = Config::resolve(cli, |name| std::env::var(name).ok()) {
                credentials(&mut report, &config.credentials)?;
            }
            report.line(
                Level::Skip,
                "HeyGen",
                "not contacted: the settings above are not usable",
            )?;
        }
    }
    let offered = |tool: &str| {
        server
            .as_ref()
            .is_none_or(|s| s.tools().iter().any(|t| t.name == tool))
    };
    let files = cli.file_access();
    output_folder(&mut report, &files, offered("download_video"))?;
    allowed_folders(&mut report, files.allowed())?;
    tools(&mut report, cli, server.as_ref())?;

    if let Ok(Prepared {
        sandbox: Some(sandbox),
        ..
    }) = prepared
    {
        sandbox.shutdown().await;
    }
    let Report {
        out,
        failures,
        warnings,
        ..
    } = report;
    match (failures, warnings) {
        (0, 0) => writeln!(out, "\nAll good: nothing blocks use.")?,
        (0, _) => writeln!(
            out,
            "\nNothing blocks use; the warn lines say what may surprise you."
        )?,
        (1, _) => writeln!(
            out,
            "\n1 problem blocks use: fix the FAIL line above, then run `heygen-mcp doctor` again."
        )?,
        (n, _) => writeln!(
            out,
            "\n{n} problems block use: fix the FAIL lines above, then run `heygen-mcp doctor` again."
        )?,
    }
    writeln!(
        out,
        "A host starts the server with the \"env\" of its own config file, not this shell's: `heygen-mcp config <host>` prints that block."
    )?;
    Ok(failures == 0)
}

fn version(
    report: &mut Report<'_, impl Write>,
    server: Option<&HeyGenServer>,
) -> std::io::Result<()> {
    let mut detail = format!("heygen-mcp {}", env!("CARGO_PKG_VERSION"));
    if let Some(server) = server {
        let versions: Vec<String> = ServerHandler::supported_protocol_versions(server)
            .iter()
            .map(ToString::to_string)
            .collect();
        detail.push_str(&format!("; MCP protocol versions {}", versions.join(", ")));
    }
    report.line(Level::Ok, "version", &detail)
}

fn credentials(
    report: &mut Report<'_, impl Write>,
    lookup: &CredentialLookup,
) -> std::io::Result<()> {
    match lookup {
        CredentialLookup::Found(_, CredentialSource::Sandbox) => report.line(
            Level::Ok,
            "credentials",
            "none needed: --sandbox serves the offline simulator (run doctor without --sandbox to check your own key)",
        ),
        CredentialLookup::Found(Credentials::ApiKey(_), source) => report.line(
            Level::Ok,
            "credentials",
            &format!("an API key, from {source} (not shown)"),
        ),
        CredentialLookup::Found(Credentials::Bearer(_), source) => report.line(
            Level::Ok,
            "credentials",
            &format!("an OAuth access token, from {source} (not shown)"),
        ),
        CredentialLookup::Missing(why) => report.line(Level::Fail, "credentials", why),
    }
}

/// Reachable, the key accepted, and what is left to spend: one `GET /v3/users/me`.
async fn api(
    report: &mut Report<'_, impl Write>,
    config: &Config,
    sandbox: bool,
) -> std::io::Result<()> {
    let base = display_url(&config.api_base);
    if sandbox {
        report.line(
            Level::Ok,
            "API",
            "the built-in offline sandbox (no real video, no credits)",
        )?;
    } else if config.api_base.as_str().trim_end_matches('/') == crate::config::DEFAULT_API_BASE {
        report.line(Level::Ok, "API", &base)?;
    } else {
        report.line(
            Level::Ok,
            "API",
            &format!(
                "{base} (set by --api-base / HEYGEN_API_BASE; HeyGen's own is {})",
                crate::config::DEFAULT_API_BASE
            ),
        )?;
    }
    let source = match &config.credentials {
        CredentialLookup::Found(_, source) => source,
        CredentialLookup::Missing(_) => {
            report.line(
                Level::Skip,
                "HeyGen",
                "not contacted: no credentials to send",
            )?;
            return Ok(());
        }
    };
    let client = HeyGenClient::with_policy(
        config,
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        Timeouts {
            connect: PATIENCE,
            read: PATIENCE,
            write: PATIENCE,
        },
    );
    let user = match client.get_current_user().await {
        Ok(user) => user,
        Err(ApiError::Transport { message, .. }) => {
            report.line(
                Level::Fail,
                "reachable",
                &format!(
                    "cannot reach {base}: {message}. Check the network connection, a proxy (HTTPS_PROXY) or a firewall, and --api-base / HEYGEN_API_BASE."
                ),
            )?;
            return report.line(Level::Skip, "key", "not checked: HeyGen did not answer");
        }
        Err(ApiError::MissingCredentials(why)) => {
            report.line(
                Level::Skip,
                "reachable",
                "not contacted: the credential cannot be sent",
            )?;
            return report.line(Level::Fail, "key", &why);
        }
        Err(error) if error.status() == Some(401) => {
            report.line(Level::Ok, "reachable", &format!("{base} answered"))?;
            return report.line(
                Level::Fail,
                "key",
                &format!(
                    "the key was refused ({error}). It came from {source}: check it has no stray quotes or spaces, or create a new one at {KEY_PAGE}."
                ),
            );
        }
        Err(error @ ApiError::Decode { .. }) => {
            report.line(Level::Ok, "reachable", &format!("{base} answered"))?;
            report.line(Level::Ok, "key", "accepted")?;
            return report.line(
                Level::Warn,
                "left to spend",
                &format!("unknown: the account could not be read ({error})"),
            );
        }
        Err(error) => {
            let Some(status) = error.status() else {
                return report.line(Level::Fail, "key", &format!("not confirmed: {error}"));
            };
            report.line(Level::Ok, "reachable", &format!("{base} answered"))?;
            let remedy = if status == 429 || status >= 500 {
                "HeyGen is busy or having trouble: try again in a minute.".to_owned()
            } else {
                format!(
                    "Check that --api-base / HEYGEN_API_BASE is HeyGen's API, and the key at {KEY_PAGE}."
                )
            };
            return report.line(
                Level::Fail,
                "key",
                &format!("not confirmed: {error}. {remedy}"),
            );
        }
    };
    report.line(Level::Ok, "reachable", &format!("{base} answered"))?;
    let account = AccountView::from(user);
    let plan = [
        account.plan.as_ref().map(|plan| format!("plan {plan}")),
        account
            .billing_type
            .as_ref()
            .map(|billing| format!("billing {billing}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    report.line(
        Level::Ok,
        "key",
        &if plan.is_empty() {
            "accepted".to_owned()
        } else {
            format!("accepted ({plan})")
        },
    )?;
    let amounts = [
        account.wallet_balance,
        account.credits_remaining,
        account
            .spending_usd
            .zip(account.spending_cap_usd)
            .map(|(spent, cap)| cap - spent),
    ];
    let reported: Vec<f64> = amounts.into_iter().flatten().collect();
    if reported.is_empty() {
        report.line(Level::Warn, "left to spend", &account.summary)
    } else if reported.iter().all(|left| *left <= 0.0) {
        report.line(
            Level::Warn,
            "left to spend",
            &format!(
                "{} New videos will fail until the account is topped up.",
                account.summary
            ),
        )
    } else {
        report.line(Level::Ok, "left to spend", &account.summary)
    }
}

fn tools(
    report: &mut Report<'_, impl Write>,
    cli: &Cli,
    server: Option<&HeyGenServer>,
) -> std::io::Result<()> {
    let Some(server) = server else {
        return report.line(
            Level::Skip,
            "tools",
            "not counted: the settings above are not usable",
        );
    };
    let mut detail = format!("{} tools offered", server.tools().len());
    if let Some(list) = &cli.toolsets {
        detail.push_str(&format!("; toolsets {}", list.trim()));
    }
    if cli.read_only {
        detail.push_str("; read-only: no create, send, stop, delete, upload or download");
    }
    report.line(Level::Ok, "tools", &detail)
}
