//! `heygen-mcp config <host>`: the config block that adds this server to an MCP host, with
//! this binary's absolute path, printed or merged into the host's config file.
//!
//! A merge changes one entry and nothing else: the file is parsed (a file that is not plain
//! JSON, say one with comments, is refused untouched), copied to `<file>.bak-<unix time>`,
//! the `heygen` entry added or its command updated (its own args and env kept, so a key
//! already pasted in survives), written to a temporary file beside it and renamed into
//! place, then read back and checked. Keys keep the order they had in the file.
//!
//! No secret is ever written or printed: the block carries a placeholder (VS Code prompts
//! for the key instead), even when `HEYGEN_API_KEY` is set in this shell.

use std::io::Write;
use std::path::{Path, PathBuf};

mod files;
mod json;
mod merge;

use files::{back_up, replace_file};
use json::Json;
use merge::{Change, block, has_vscode_input, merge, server_names};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What stands where the key goes.
pub const KEY_PLACEHOLDER: &str = "<your HeyGen API key>";

/// The entry's name in every host's server list.
const SERVER_NAME: &str = "heygen";

/// VS Code's prompt for the key (it stores the answer in its secret storage).
const VSCODE_INPUT_ID: &str = "heygen-api-key";

const KEY_PAGE: &str = "https://app.heygen.com/settings/api";

/// The hosts whose config this command writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Host {
    ClaudeDesktop,
    ClaudeCode,
    Vscode,
    Cursor,
}

impl Host {
    fn title(self) -> &'static str {
        match self {
            Self::ClaudeDesktop => "Claude Desktop",
            Self::ClaudeCode => "Claude Code",
            Self::Vscode => "VS Code",
            Self::Cursor => "Cursor",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Self::ClaudeDesktop => "claude-desktop",
            Self::ClaudeCode => "claude-code",
            Self::Vscode => "vscode",
            Self::Cursor => "cursor",
        }
    }

    /// The object that lists servers in this host's file.
    fn servers_key(self) -> &'static str {
        match self {
            Self::Vscode => "servers",
            _ => "mcpServers",
        }
    }
}

/// Where config files live, from the environment (HOME, APPDATA, XDG_CONFIG_HOME), so tests
/// can point them elsewhere.
struct Places {
    home: Option<PathBuf>,
    appdata: Option<PathBuf>,
    xdg_config: Option<PathBuf>,
    cwd: PathBuf,
    /// `HEYGEN_API_KEY` is set in this shell (its value is never read here).
    key_in_env: bool,
}

impl Places {
    fn from_env() -> Result<Self, Error> {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Ok(Self {
            home: var("HOME").or_else(|| var("USERPROFILE")),
            appdata: var("APPDATA"),
            xdg_config: var("XDG_CONFIG_HOME"),
            cwd: std::env::current_dir()
                .map_err(|e| format!("cannot tell the current directory: {e}"))?,
            key_in_env: std::env::var_os("HEYGEN_API_KEY").is_some_and(|v| !v.is_empty()),
        })
    }

    fn home(&self) -> Result<&Path, Error> {
        self.home
            .as_deref()
            .ok_or_else(|| "HOME is not set, so the host's config file cannot be found".into())
    }

    /// The host's config file (Claude Code has none this command writes).
    fn config_file(&self, host: Host) -> Result<PathBuf, Error> {
        Ok(match host {
            Host::ClaudeDesktop if cfg!(target_os = "macos") => self
                .home()?
                .join("Library/Application Support/Claude/claude_desktop_config.json"),
            Host::ClaudeDesktop if cfg!(windows) => self
                .appdata
                .as_deref()
                .ok_or("APPDATA is not set, so Claude Desktop's config file cannot be found")?
                .join("Claude")
                .join("claude_desktop_config.json"),
            Host::ClaudeDesktop => match &self.xdg_config {
                Some(dir) => dir.clone(),
                None => self.home()?.join(".config"),
            }
            .join("Claude")
            .join("claude_desktop_config.json"),
            Host::Cursor => self.home()?.join(".cursor").join("mcp.json"),
            Host::Vscode => self.cwd.join(".vscode").join("mcp.json"),
            Host::ClaudeCode => self.home()?.join(".claude.json"),
        })
    }
}

/// Prints the block for `host`, or with `write` merges it into the host's config file.
pub fn run(host: Host, write: bool, exe: &Path, out: &mut impl Write) -> Result<(), Error> {
    let places = Places::from_env()?;
    let exe = std::path::absolute(exe)?;
    let exe_text = exe
        .to_str()
        .ok_or_else(|| format!("this binary's path {} is not valid UTF-8, which JSON config files cannot hold; move it to a plain path", exe.display()))?;
    match (host, write) {
        (Host::ClaudeCode, false) => print_claude_code(exe_text, &places, out)?,
        (Host::ClaudeCode, true) => {
            return Err(format!(
                "not written: Claude Code keeps its servers in ~/.claude.json, a file it rewrites itself while it runs, so an edit from outside can be lost or undo its own. Add the server with Claude Code's command instead:\n  {}",
                claude_code_command(exe_text)
            )
            .into());
        }
        (_, false) => print_block(host, exe_text, &places, out)?,
        (_, true) => write_block(host, exe_text, &places, out)?,
    }
    if let Some(note) = build_dir_note(&exe) {
        writeln!(out, "\n{note}")?;
    }
    Ok(())
}

fn print_claude_code(exe: &str, places: &Places, out: &mut impl Write) -> Result<(), Error> {
    writeln!(
        out,
        "Run this (user scope: every project), with your key from {KEY_PAGE} in place of {KEY_PLACEHOLDER}:\n\n  {}\n",
        claude_code_command(exe)
    )?;
    if places.key_in_env {
        writeln!(
            out,
            "HEYGEN_API_KEY is set in this shell: writing -e HEYGEN_API_KEY=\"$HEYGEN_API_KEY\" instead lets the shell fill it in."
        )?;
    }
    writeln!(
        out,
        "Then check with: claude mcp get {SERVER_NAME}. (--write is not offered for Claude Code: `claude mcp add` is the safe way to change its settings.)"
    )?;
    Ok(())
}

/// The server name comes before `-e`: `-e` takes any number of values and would swallow it.
fn claude_code_command(exe: &str) -> String {
    format!(
        "claude mcp add {SERVER_NAME} -s user -e {} -- {}",
        shell_quote(&format!("HEYGEN_API_KEY={KEY_PLACEHOLDER}")),
        shell_quote(exe)
    )
}

fn print_block(host: Host, exe: &str, places: &Places, out: &mut impl Write) -> Result<(), Error> {
    let file = places.config_file(host)?;
    let where_ = match host {
        Host::Vscode => format!(
            "{} in your project (or, for every workspace, the file VS Code opens with \"MCP: Open User Configuration\")",
            Path::new(".vscode").join("mcp.json").display()
        ),
        _ => file.display().to_string(),
    };
    writeln!(
        out,
        "Add this to {where_}, merged with any servers already there:\n"
    )?;
    let text = to_text(&block(host, exe))?;
    write!(out, "{text}")?;
    writeln!(out)?;
    match host {
        Host::Vscode => writeln!(
            out,
            "VS Code asks for the HeyGen API key ({KEY_PAGE}) the first time it starts the server and keeps it in its secret storage."
        )?,
        _ => writeln!(
            out,
            "Replace {KEY_PLACEHOLDER} with your key from {KEY_PAGE}{}, then restart {}.",
            key_not_copied(places),
            host.title()
        )?,
    }
    writeln!(
        out,
        "Or run `heygen-mcp config {} --write` to merge it into {} for you (a backup is kept).",
        host.arg(),
        file.display()
    )?;
    Ok(())
}

fn key_not_copied(places: &Places) -> &'static str {
    if places.key_in_env {
        " (HEYGEN_API_KEY is set in this shell, but a key is never copied into a file or printed)"
    } else {
        ""
    }
}

fn write_block(host: Host, exe: &str, places: &Places, out: &mut impl Write) -> Result<(), Error> {
    let given = places.config_file(host)?;
    // A config kept in a dotfiles repo is often a symlink: write the file it points to,
    // rather than replacing the link with a copy.
    let file = match std::fs::symlink_metadata(&given) {
        Ok(meta) if meta.file_type().is_symlink() => given.canonicalize().map_err(|e| {
            format!(
                "{} is a symbolic link that leads nowhere ({e}); nothing was changed",
                given.display()
            )
        })?,
        _ => given.clone(),
    };
    let original = match std::fs::read_to_string(&file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", file.display()).into()),
    };
    let document = match original.as_deref() {
        None => Json::Object(Vec::new()),
        Some(text) if text.trim().is_empty() => Json::Object(Vec::new()),
        Some(text) => serde_json::from_str::<Json>(text).map_err(|e| {
            format!(
                "{} is not plain JSON ({e}); comments or trailing commas are not rewritten here. Nothing was changed: add the block that `heygen-mcp config {}` prints by hand.",
                file.display(),
                host.arg()
            )
        })?,
    };
    let others = server_names(&document, host);
    let had_prompt = has_vscode_input(&document);
    let before = document.clone();
    let (merged, change) = merge(document, host, exe).map_err(|problem| {
        format!(
            "{}: {problem}. Nothing was changed: add the block that `heygen-mcp config {}` prints by hand.",
            file.display(),
            host.arg()
        )
    })?;
    let text = to_text(&merged)?;
    if original.is_some() && merged == before {
        writeln!(
            out,
            "{} already has this heygen entry; nothing was changed.",
            file.display()
        )?;
        return say_next(host, &file, &text, places, out);
    }
    let backup = match &original {
        Some(_) => Some(back_up(&file)?),
        None => None,
    };
    replace_file(&file, &text)?;
    check_written(&file, host, exe, backup.as_deref())?;
    let others = if others.is_empty() {
        String::new()
    } else {
        format!("; other servers untouched: {}", others.join(", "))
    };
    match change {
        Change::Added if original.is_none() => {
            writeln!(out, "created {} with the heygen entry", file.display())?
        }
        Change::Added => writeln!(out, "added heygen to {}{others}", file.display())?,
        Change::Updated { was } => writeln!(
            out,
            "replaced the existing heygen entry's command in {} (was {}; its args and env were kept){others}",
            file.display(),
            was.as_deref().unwrap_or("not set")
        )?,
        Change::Replaced => writeln!(
            out,
            "replaced the existing heygen entry in {} (it was not an object){others}",
            file.display()
        )?,
    }
    if host == Host::Vscode && !had_prompt {
        writeln!(
            out,
            "added the {VSCODE_INPUT_ID} prompt to \"inputs\" (VS Code asks for the key with it)"
        )?;
    }
    match &backup {
        Some(backup) => writeln!(out, "backup of the previous file: {}", backup.display())?,
        None => writeln!(out, "(there was no file before, so there is no backup)")?,
    }
    say_next(host, &file, &text, places, out)
}

/// What is left for the user: the line with the placeholder, and the restart.
fn say_next(
    host: Host,
    file: &Path,
    text: &str,
    places: &Places,
    out: &mut impl Write,
) -> Result<(), Error> {
    let placeholder = text
        .lines()
        .position(|line| line.contains(KEY_PLACEHOLDER))
        .map(|index| index + 1);
    match (host, placeholder) {
        (Host::Vscode, _) => writeln!(
            out,
            "Next: reload VS Code's MCP servers; it asks for the HeyGen API key ({KEY_PAGE}) the first time and keeps it in its secret storage."
        )?,
        (_, Some(line)) => writeln!(
            out,
            "Next: edit line {line} of {}: replace {KEY_PLACEHOLDER} with your key from {KEY_PAGE}{}. Then restart {}.",
            file.display(),
            key_not_copied(places),
            host.title()
        )?,
        (_, None) => writeln!(
            out,
            "Next: restart {} (the key already in the entry was kept).",
            host.title()
        )?,
    }
    Ok(())
}

/// Reads the file back: it must parse and hold the entry just written.
fn check_written(file: &Path, host: Host, exe: &str, backup: Option<&Path>) -> Result<(), Error> {
    let restore = match backup {
        Some(backup) => format!(
            "; the previous file is at {}, copy it back over {}",
            backup.display(),
            file.display()
        ),
        None => String::new(),
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {} back: {e}{restore}", file.display()))?;
    let document: Json = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} did not read back as JSON ({e}){restore}",
            file.display()
        )
    })?;
    let command = document
        .get(host.servers_key())
        .and_then(|servers| servers.get(SERVER_NAME))
        .and_then(|entry| entry.get("command"));
    if command != Some(&Json::from(exe)) {
        return Err(format!(
            "{} does not hold the heygen entry after writing{restore}",
            file.display()
        )
        .into());
    }
    Ok(())
}

/// Two-space pretty JSON with a final newline, as the hosts write their own files.
fn to_text(document: &Json) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(document)?;
    text.push('\n');
    Ok(text)
}

/// A word for a POSIX shell (single quotes unless it is plain); on Windows, double quotes
/// when it has a space.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c));
    if plain {
        word.to_owned()
    } else if cfg!(windows) {
        format!("\"{word}\"")
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A binary inside a cargo target folder moves or vanishes with the next build or clean.
fn build_dir_note(exe: &Path) -> Option<String> {
    let in_target = exe
        .ancestors()
        .skip(1)
        .any(|dir| dir.file_name().is_some_and(|name| name == "target"))
        && exe
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|name| name == "debug" || name == "release");
    in_target.then(|| {
        format!(
            "Note: {} is inside a cargo target folder; the next `cargo clean` removes it. `cargo install --path .` puts a lasting copy in ~/.cargo/bin: run `heygen-mcp config` from there.",
            exe.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Json {
        serde_json::from_str(text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn keys_keep_their_order() {
        let text = "{\n  \"z\": 1,\n  \"a\": {\n    \"y\": [\n      true,\n      null,\n      1.5\n    ],\n    \"b\": \"x\"\n  }\n}\n";
        let round = to_text(&parse(text)).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(round, text);
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("/usr/bin/heygen-mcp"), "/usr/bin/heygen-mcp");
        if !cfg!(windows) {
            assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
            assert_eq!(
                shell_quote("HEYGEN_API_KEY=<your HeyGen API key>"),
                "'HEYGEN_API_KEY=<your HeyGen API key>'"
            );
        }
    }
}
