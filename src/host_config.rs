//! `heygen-mcp config <host>`: the config block that adds this server to an MCP host.

use std::io::Write;
use std::path::Path;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The hosts whose config this command writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Host {
    ClaudeDesktop,
    ClaudeCode,
    Vscode,
    Cursor,
}

/// Prints the block for `host`, or with `write` merges it into the host's config file.
pub fn run(host: Host, write: bool, exe: &Path, out: &mut impl Write) -> Result<(), Error> {
    let _ = (host, write, exe, out);
    Err("config is not built yet".into())
}
