//! Configuration: flags, environment and the credential chain.
//!
//! Credentials never pass through clap (flags show up in `ps` and `--help`); they are read
//! from the environment or the HeyGen CLI's credentials file into `SecretString`s, whose
//! `Debug` prints nothing of the secret.

use std::path::PathBuf;

use clap::Parser;
use url::Url;

mod credentials;

pub use credentials::{CredentialLookup, CredentialSource, Credentials};
use credentials::{lookup_credentials, now_unix};

/// The production API.
pub const DEFAULT_API_BASE: &str = "https://api.heygen.com";

/// Command-line flags; each can also be set by the environment variable named beside it.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "heygen-mcp",
    version,
    about = "MCP server for HeyGen's Video Agent"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Serve against the built-in offline sandbox instead of HeyGen: no key, no credits.
    #[arg(long, global = true, env = "HEYGEN_SANDBOX", value_parser = parse_flag)]
    pub sandbox: bool,
    /// Offer only the tools that read (no create, send, stop, delete, upload or download).
    #[arg(long, global = true, env = "HEYGEN_READ_ONLY", value_parser = parse_flag)]
    pub read_only: bool,
    /// Groups of tools to offer, comma-separated: video_agent, videos, discovery, brand,
    /// files, or all (default: all).
    #[arg(long, global = true, env = "HEYGEN_TOOLSETS", value_name = "LIST")]
    pub toolsets: Option<String>,
    /// HeyGen API base URL.
    #[arg(long, global = true, env = "HEYGEN_API_BASE", default_value = DEFAULT_API_BASE, hide_env_values = true)]
    pub api_base: String,
    /// Allow a plain-http API base that is not loopback (keys would travel in clear text).
    #[arg(long, global = true, env = "HEYGEN_ALLOW_HTTP", value_parser = parse_flag)]
    pub allow_http: bool,
    /// Retries after a rate limit (any call) or a server/network failure (reads and deletes).
    #[arg(long, global = true, env = "HEYGEN_MAX_RETRIES", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub max_retries: u32,
    /// Directories whose files may be uploaded, separated like PATH (default: your home
    /// directory; empty: none besides the output directory and the client's roots).
    #[arg(long, global = true, env = "HEYGEN_ALLOWED_DIRS")]
    pub allowed_dirs: Option<std::ffi::OsString>,
    /// Where download_video saves files (default ~/Downloads/HeyGen).
    #[arg(long, global = true, env = "HEYGEN_OUTPUT_DIR")]
    pub output_dir: Option<std::ffi::OsString>,
    /// More directories whose files may be uploaded, one argument each after `--` (how a
    /// Claude Desktop extension passes a folder list).
    #[arg(last = true, value_name = "ALLOWED_DIR")]
    pub allowed_dir_list: Vec<std::ffi::OsString>,
    /// Longest wait_for_video may block in one call, in seconds (default: 50, or 600 for
    /// hosts known to allow long calls; set, it applies to every host).
    #[arg(long, global = true, env = "HEYGEN_WAIT_MAX_SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    pub wait_max_seconds: Option<u64>,
    /// Don't answer long calls (create, send, wait) with MCP tasks, even for clients that
    /// take them (HEYGEN_TASKS=0 does the same).
    #[arg(long = "no-tasks", global = true, env = "HEYGEN_TASKS", action = clap::ArgAction::SetFalse, value_parser = parse_flag)]
    pub tasks: bool,
    /// Don't offer the inline views (video player, storyboard review) to hosts that render
    /// them (HEYGEN_UI=0 does the same).
    #[arg(long = "no-ui", global = true, env = "HEYGEN_UI", action = clap::ArgAction::SetFalse, value_parser = parse_flag)]
    pub ui: bool,
    /// More origins the inline views may load media from (comma-separated), should HeyGen
    /// serve files from a host beyond *.heygen.ai and *.heygen.com.
    #[arg(
        long,
        global = true,
        env = "HEYGEN_MEDIA_ORIGINS",
        value_delimiter = ','
    )]
    pub media_origins: Vec<String>,
    /// Log lines as text (default) or json (one object a line; for log collectors).
    #[arg(long, global = true, env = "HEYGEN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// A session thinking this long with no change is reported as stuck, in seconds.
    #[arg(long, global = true, env = "HEYGEN_STALL_SECONDS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub stall_seconds: u64,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `heygen-mcp http`: MCP over Streamable HTTP.
#[derive(Debug, Clone, clap::Args)]
pub struct HttpArgs {
    /// Address to listen on.
    #[arg(long, env = "HEYGEN_MCP_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: std::net::SocketAddr,
    /// Host names (and host:port) callers may use besides loopback, comma-separated; `*`
    /// allows any (only behind a proxy that checks Host itself).
    #[arg(long, env = "HEYGEN_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed to call (scheme://host[:port]), comma-separated; requests
    /// from any other Origin are refused (DNS-rebinding protection).
    #[arg(long, env = "HEYGEN_MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Seconds calls in flight may take to finish after SIGTERM.
    #[arg(long, env = "HEYGEN_MCP_DRAIN_SECONDS", default_value_t = 30)]
    pub drain_seconds: u64,
    /// Seconds after SIGTERM the server keeps answering (not ready, 503) before it stops
    /// accepting connections, so a load balancer sees it leave.
    #[arg(long, env = "HEYGEN_MCP_DRAIN_NOTICE_SECONDS", default_value_t = 5)]
    pub drain_notice_seconds: u64,
    /// Largest request body, in MB.
    #[arg(long, env = "HEYGEN_MCP_MAX_BODY_MB", default_value_t = 16)]
    pub max_body_mb: usize,
    /// Requests one caller may have in flight at once.
    #[arg(long, env = "HEYGEN_MCP_CALLER_CONCURRENCY", default_value_t = 32)]
    pub caller_concurrency: usize,
    /// Requests one caller may send per second (bursts up to twice that).
    #[arg(long, env = "HEYGEN_MCP_CALLER_RATE", default_value_t = 50.0)]
    pub caller_rate: f64,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Serve MCP over Streamable HTTP at /mcp, stateless: run as many replicas as you like
    /// behind a load balancer. Each caller sends their own HeyGen key (X-Api-Key or
    /// Authorization: Bearer), unless HEYGEN_API_KEY and HEYGEN_MCP_TOKEN are set.
    Http(HttpArgs),
    /// Run the offline HeyGen simulator alone, for curl or other clients.
    Sandbox {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Make a video end to end through this server's MCP tools, on the sandbox.
    Demo,
    /// Check the setup in plain words: credentials, HeyGen reachable, the key accepted, what
    /// is left to spend, the output and upload folders, the version. Exits non-zero when
    /// something blocks use.
    Doctor,
    /// Print the config block that adds this server to an MCP host (with this binary's
    /// path); with --write, merge it into the host's config file (a backup is kept).
    Config {
        /// The host: claude-desktop, claude-code, vscode or cursor.
        host: crate::host_config::Host,
        /// Merge the block into the host's config file instead of printing it.
        #[arg(long)]
        write: bool,
    },
}

/// Everything the client needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub api_base: Url,
    pub credentials: CredentialLookup,
    pub max_retries: u32,
    pub read_only: bool,
}

/// A configuration that cannot work; the server refuses to start and says why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the API base (--api-base / HEYGEN_API_BASE) {0:?} is not a valid URL: {1}")]
    BadUrl(String, url::ParseError),
    #[error(
        "the API base (--api-base / HEYGEN_API_BASE) {0} uses plain http to a host that is not loopback; the API key would travel in clear text. Use https, or pass --allow-http (HEYGEN_ALLOW_HTTP=1) if you really mean it."
    )]
    InsecureBase(String),
    #[error("the API base (--api-base / HEYGEN_API_BASE) {0} must be an http or https URL")]
    BadScheme(String),
}

impl Cli {
    /// The allowed directories and the output directory, defaults filled in.
    /// An unset `HEYGEN_ALLOWED_DIRS` allows the home directory; a set one, even empty,
    /// allows exactly what it lists. Directories after `--` are allowed too (and, given
    /// alone, replace the default). Values a host left unsubstituted (`${user_config.x}`)
    /// count as unset; `~` and `${HOME}` (also `${DOWNLOADS}`, `${DOCUMENTS}`, `${DESKTOP}`)
    /// are expanded, as an MCP bundle's defaults may carry them unexpanded.
    pub fn file_access(&self) -> crate::files::FileAccess {
        let defaults = crate::files::FileAccess::default();
        let output = self
            .output_dir
            .as_ref()
            .and_then(|dir| given_path(dir))
            .unwrap_or_else(|| defaults.output_dir().to_path_buf());
        let listed: Vec<PathBuf> = self
            .allowed_dir_list
            .iter()
            .filter_map(|dir| given_path(dir))
            .collect();
        let from_env: Option<Vec<PathBuf>> = self
            .allowed_dirs
            .as_ref()
            .filter(|dirs| !is_unsubstituted(&dirs.to_string_lossy()))
            .map(|dirs| {
                std::env::split_paths(dirs)
                    .filter_map(|d| given_path(d.as_os_str()))
                    .collect()
            });
        let allowed: Vec<PathBuf> = match (from_env, listed.is_empty()) {
            (Some(mut dirs), _) => {
                dirs.extend(listed);
                dirs
            }
            (None, false) => listed,
            (None, true) => defaults.allowed().to_vec(),
        };
        crate::files::FileAccess::new(allowed, output)
    }
}

impl Config {
    /// Resolves the flags and the credential chain; `env` reads one environment variable
    /// (tests pass a map instead of touching the process environment).
    pub fn resolve(cli: &Cli, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let api_base = check_base(&cli.api_base, cli.allow_http)?;
        Ok(Self {
            api_base,
            credentials: lookup_credentials(&env, now_unix()),
            max_retries: cli.max_retries,
            read_only: cli.read_only,
        })
    }
}

/// A value a host passed without substituting it (`${user_config.api_key}`): a setting of an
/// MCP bundle left blank reaches the server that way.
pub fn is_unsubstituted(value: &str) -> bool {
    let value = value.trim();
    value.starts_with("${") && value.ends_with('}') && !value[2..value.len() - 1].contains('}')
}

/// Unset in effect: empty, or [`is_unsubstituted`].
pub fn is_placeholder(value: &str) -> bool {
    value.trim().is_empty() || is_unsubstituted(value)
}

/// A boolean setting: true/yes/on/1 or false/no/off/0; empty or a placeholder is false.
pub(crate) fn parse_flag(raw: &str) -> Result<bool, String> {
    if is_placeholder(raw) {
        return Ok(false);
    }
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" | "y" | "t" => Ok(true),
        "false" | "no" | "off" | "0" | "n" | "f" => Ok(false),
        other => Err(format!("{other:?} is not true or false")),
    }
}

/// A path setting as given, with the home-relative forms expanded; `None` when unset.
fn given_path(raw: &std::ffi::OsStr) -> Option<PathBuf> {
    let text = raw.to_string_lossy();
    if is_placeholder(&text) {
        return None;
    }
    let home = crate::files::home();
    let expansions = [
        ("${HOME}", ""),
        ("${DOWNLOADS}", "Downloads"),
        ("${DOCUMENTS}", "Documents"),
        ("${DESKTOP}", "Desktop"),
        ("~", ""),
    ];
    for (prefix, under) in expansions {
        if let (Some(rest), Some(home)) = (text.strip_prefix(prefix), &home)
            && (rest.is_empty() || rest.starts_with(['/', '\\']))
        {
            let base = if under.is_empty() {
                home.clone()
            } else {
                home.join(under)
            };
            return Some(base.join(rest.trim_start_matches(['/', '\\'])));
        }
    }
    Some(PathBuf::from(raw))
}

fn check_base(raw: &str, allow_http: bool) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim()).map_err(|e| ConfigError::BadUrl(without_userinfo(raw), e))?;
    let shown = crate::redact::display_url(&url);
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_http || is_loopback(&url) => Ok(url),
        "http" => Err(ConfigError::InsecureBase(shown)),
        _ => Err(ConfigError::BadScheme(shown)),
    }
}

/// A URL that did not parse, with anything before an `@` in its authority hidden.
fn without_userinfo(raw: &str) -> String {
    let (scheme, rest) = raw.split_once("://").unwrap_or(("", raw));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}@{}", crate::redact::REDACTED, &rest[at + 1..]),
        None => raw.to_owned(),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::credentials::tests::{env_of, secret_of};
    use super::*;

    #[test]
    fn unsubstituted_values_count_as_unset() {
        assert!(is_placeholder("${user_config.api_key}") && is_placeholder(" "));
        assert!(!is_placeholder("sk-${x}y") && !is_placeholder("key"));
        assert_eq!(parse_flag("${user_config.read_only}"), Ok(false));
        assert_eq!(parse_flag("TRUE"), Ok(true));
        assert!(parse_flag("maybe").is_err());
        let env = env_of(&[("HEYGEN_API_KEY", "${user_config.api_key}")]);
        assert_eq!(secret_of(&lookup_credentials(&env, 0)).1, "missing");
        assert_eq!(given_path("${user_config.output_dir}".as_ref()), None);
        assert_eq!(
            given_path("/srv/out".as_ref()),
            Some(PathBuf::from("/srv/out"))
        );
        if let Some(home) = crate::files::home() {
            assert_eq!(
                given_path("${HOME}/Downloads/HeyGen".as_ref()),
                Some(home.join("Downloads/HeyGen"))
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        assert!(check_base("https://api.heygen.com", false).is_ok());
        assert!(check_base("http://127.0.0.1:9999", false).is_ok());
        assert!(check_base("http://localhost:1", false).is_ok());
        assert!(check_base("http://[::1]:1", false).is_ok());
        assert!(matches!(
            check_base("http://example.com", false),
            Err(ConfigError::InsecureBase(_))
        ));
        assert!(check_base("http://example.com", true).is_ok());
        assert!(matches!(
            check_base("ftp://x", true),
            Err(ConfigError::BadScheme(_))
        ));
        assert!(matches!(
            check_base("not a url", false),
            Err(ConfigError::BadUrl(..))
        ));
    }
}
