//! `heygen-mcp doctor`: what a new user gets wrong, checked in plain words.

use std::io::Write;

use crate::config::Cli;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Runs every check, printing one line each; `Ok(false)` when something blocks use.
pub async fn run(cli: &Cli, out: &mut impl Write) -> Result<bool, Error> {
    let _ = cli;
    writeln!(out, "heygen-mcp {}", env!("CARGO_PKG_VERSION"))?;
    Err("doctor is not built yet".into())
}
