//! `heygen-mcp config <host>`, run as a user would: the real binary, with HOME,
//! XDG_CONFIG_HOME and APPDATA pointed at a temporary folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::KEY;
use serde_json::{Value, json};

const PLACEHOLDER: &str = "<your HeyGen API key>";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A user's machine: a HOME, its config folders, and a project folder to run in.
struct Machine {
    root: tempfile::TempDir,
}

impl Machine {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        std::fs::create_dir_all(root.path().join("project")).unwrap();
        Self { root }
    }

    fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    fn project(&self) -> PathBuf {
        self.root.path().join("project")
    }

    fn claude_desktop_file(&self) -> PathBuf {
        if cfg!(target_os = "macos") {
            self.home()
                .join("Library/Application Support/Claude/claude_desktop_config.json")
        } else if cfg!(windows) {
            self.root
                .path()
                .join("appdata/Claude/claude_desktop_config.json")
        } else {
            self.root
                .path()
                .join("xdg/Claude/claude_desktop_config.json")
        }
    }

    /// `heygen-mcp config <args>`, with HEYGEN_API_KEY set: it must never show up.
    async fn config(&self, args: &[&str]) -> Run {
        let mut all = vec!["config"];
        all.extend_from_slice(args);
        let out = common::command(&all, &[("HEYGEN_API_KEY", KEY)], &self.home())
            .env("XDG_CONFIG_HOME", self.root.path().join("xdg"))
            .env("APPDATA", self.root.path().join("appdata"))
            .current_dir(self.project())
            .output()
            .await
            .unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            !run.stdout.contains(KEY) && !run.stderr.contains(KEY),
            "the key was printed:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        self.assert_key_in_no_file(self.root.path());
        run
    }

    fn assert_key_in_no_file(&self, dir: &Path) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                self.assert_key_in_no_file(&path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                assert!(
                    !text.contains(KEY),
                    "the key was written to {}",
                    path.display()
                );
            }
        }
    }
}

/// The binary's own path, as it prints it.
fn exe() -> String {
    std::fs::canonicalize(env!("CARGO_BIN_EXE_heygen-mcp"))
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

/// The JSON block in printed output: from a line `{` to the next line `}`.
fn printed_block(stdout: &str) -> Value {
    let lines: Vec<&str> = stdout.lines().collect();
    let start = lines.iter().position(|l| *l == "{").expect("a block");
    let end = start + lines[start..].iter().position(|l| *l == "}").unwrap();
    serde_json::from_str(&lines[start..=end].join("\n")).unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Files in `dir` whose name starts with `prefix`.
fn named_like(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn every_host_gets_a_block_with_this_binarys_absolute_path() {
    let machine = Machine::new();
    let exe = exe();
    assert!(Path::new(&exe).is_absolute());
    for host in ["claude-desktop", "cursor"] {
        let run = machine.config(&[host]).await;
        assert_eq!(run.code, 0, "{host}: {}", run.stderr);
        let block = printed_block(&run.stdout);
        assert_eq!(
            block,
            json!({"mcpServers": {"heygen": {
                "command": exe, "args": [], "env": {"HEYGEN_API_KEY": PLACEHOLDER}
            }}}),
            "{host}"
        );
        assert!(run.stdout.contains("--write"), "{}", run.stdout);
    }
    let run = machine.config(&["claude-desktop"]).await;
    assert!(
        run.stdout
            .contains(machine.claude_desktop_file().to_str().unwrap()),
        "{}",
        run.stdout
    );

    let run = machine.config(&["vscode"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        printed_block(&run.stdout),
        json!({
            "servers": {"heygen": {
                "type": "stdio", "command": exe, "args": [],
                "env": {"HEYGEN_API_KEY": "${input:heygen-api-key}"}
            }},
            "inputs": [{"type": "promptString", "id": "heygen-api-key",
                        "description": "HeyGen API key", "password": true}]
        })
    );

    let run = machine.config(&["claude-code"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The name comes before -e, which would otherwise take it as one more variable.
    assert!(
        run.stdout.contains(&format!(
            "claude mcp add heygen -s user -e 'HEYGEN_API_KEY={PLACEHOLDER}' -- {exe}"
        )) || cfg!(windows),
        "{}",
        run.stdout
    );
    // Nothing was written by printing.
    assert!(!machine.claude_desktop_file().exists());
    assert!(!machine.project().join(".vscode").exists());
}

#[tokio::test]
async fn write_merges_into_an_existing_config_and_keeps_other_servers() {
    let machine = Machine::new();
    let file = machine.claude_desktop_file();
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // Keys in an order no sorting would give.
    let original = r#"{
  "mcpServers": {
    "filesystem": {
      "env": {"DEBUG": "1"},
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"]
    }
  },
  "globalShortcut": "Ctrl+Space"
}
"#;
    std::fs::write(&file, original).unwrap();
    let before: Value = serde_json::from_str(original).unwrap();

    let run = machine.config(&["claude-desktop", "--write"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("added heygen to"), "{}", run.stdout);
    assert!(run.stdout.contains("filesystem"), "{}", run.stdout);
    let after = read_json(&file);
    assert_eq!(
        after["mcpServers"]["filesystem"],
        before["mcpServers"]["filesystem"]
    );
    assert_eq!(after["globalShortcut"], "Ctrl+Space");
    assert_eq!(after["mcpServers"]["heygen"]["command"], exe());
    assert_eq!(
        after["mcpServers"]["heygen"]["env"]["HEYGEN_API_KEY"],
        PLACEHOLDER
    );
    // Keys keep their order: the file changes only where heygen was added.
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.find("mcpServers") < text.find("globalShortcut"),
        "{text}"
    );
    assert!(text.find("\"env\"") < text.find("\"command\""), "{text}");
    assert!(text.find("filesystem") < text.find("heygen"), "{text}");
    // The backup is the file as it was, and the output says where it is.
    let backups = named_like(file.parent().unwrap(), "claude_desktop_config.json.bak-");
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), original);
    assert!(
        run.stdout.contains(backups[0].to_str().unwrap()),
        "{}",
        run.stdout
    );
    // It says which line to edit, and that the key in this shell was not copied.
    let line = text.lines().position(|l| l.contains(PLACEHOLDER)).unwrap() + 1;
    assert!(
        run.stdout.contains(&format!("edit line {line} of")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("never copied"), "{}", run.stdout);

    // Again: nothing to do, nothing touched, no new backup.
    let run = machine.config(&["claude-desktop", "--write"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("nothing was changed"), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // The user pastes a key; the binary moves; --write again replaces the command, not
    // the entry, and there is still exactly one heygen.
    let edited = text
        .replace(PLACEHOLDER, "pasted-by-the-user")
        .replace(&exe(), "/old/place/heygen-mcp");
    std::fs::write(&file, &edited).unwrap();
    let run = machine.config(&["claude-desktop", "--write"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("replaced the existing heygen entry")
            && run.stdout.contains("/old/place/heygen-mcp"),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("\"heygen\"").count(), 1, "{text}");
    let after = read_json(&file);
    assert_eq!(after["mcpServers"]["heygen"]["command"], exe());
    assert_eq!(
        after["mcpServers"]["heygen"]["env"]["HEYGEN_API_KEY"],
        "pasted-by-the-user"
    );
    assert_eq!(
        after["mcpServers"]["filesystem"],
        before["mcpServers"]["filesystem"]
    );
    let backups = named_like(file.parent().unwrap(), "claude_desktop_config.json.bak-");
    assert_eq!(backups.len(), 2);
    assert!(
        run.stdout.contains("restart Claude Desktop"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn a_file_that_is_not_plain_json_is_left_exactly_as_it_was() {
    let machine = Machine::new();
    let file = machine.home().join(".cursor").join("mcp.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let commented =
        "{\n  // my servers\n  \"mcpServers\": {\n    \"other\": {\"command\": \"x\"},\n  }\n}\n";
    std::fs::write(&file, commented).unwrap();
    let run = machine.config(&["cursor", "--write"]).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("not plain JSON") && run.stderr.contains("Nothing was changed"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&file).unwrap(), commented.as_bytes());
    assert_eq!(
        named_like(file.parent().unwrap(), "").len(),
        1,
        "no backup, no temp file"
    );

    // JSON that is not the expected shape is refused the same way.
    let odd = r#"{"mcpServers": ["not", "an", "object"]}"#;
    std::fs::write(&file, odd).unwrap();
    let run = machine.config(&["cursor", "--write"]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is not a JSON object"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), odd);
}

#[tokio::test]
async fn a_missing_file_is_created_with_its_folders() {
    let machine = Machine::new();
    let run = machine.config(&["cursor", "--write"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = machine.home().join(".cursor").join("mcp.json");
    assert!(run.stdout.contains("created"), "{}", run.stdout);
    assert!(run.stdout.contains("no backup"), "{}", run.stdout);
    assert_eq!(
        read_json(&file),
        json!({"mcpServers": {"heygen": {
            "command": exe(), "args": [], "env": {"HEYGEN_API_KEY": PLACEHOLDER}
        }}})
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "a file meant to hold a key is private: {mode:o}"
        );
    }
}

#[tokio::test]
async fn vscode_writes_the_project_file_and_keeps_other_servers_and_inputs() {
    let machine = Machine::new();
    let file = machine.project().join(".vscode").join("mcp.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let original = json!({
        "servers": {"github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}},
        "inputs": [{"type": "promptString", "id": "gh-token", "password": true}]
    });
    std::fs::write(&file, serde_json::to_string_pretty(&original).unwrap()).unwrap();
    let run = machine.config(&["vscode", "--write"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = read_json(&file);
    assert_eq!(after["servers"]["github"], original["servers"]["github"]);
    assert_eq!(after["servers"]["heygen"]["type"], "stdio");
    assert_eq!(after["servers"]["heygen"]["command"], exe());
    let ids: Vec<&str> = after["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gh-token", "heygen-api-key"]);
    // Twice: no second prompt, no second entry.
    let run = machine.config(&["vscode", "--write"]).await;
    assert_eq!(run.code, 0);
    assert_eq!(read_json(&file), after);
}

#[tokio::test]
async fn claude_code_is_not_written_but_told_the_command() {
    let machine = Machine::new();
    let run = machine.config(&["claude-code", "--write"]).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("claude mcp add heygen -s user -e"),
        "{}",
        run.stderr
    );
    assert!(!machine.home().join(".claude.json").exists());
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlinked_config_is_written_through_the_link() {
    let machine = Machine::new();
    let real = machine.root.path().join("dotfiles").join("mcp.json");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, r#"{"mcpServers": {}}"#).unwrap();
    let link = machine.home().join(".cursor").join("mcp.json");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let run = machine.config(&["cursor", "--write"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read_json(&real)["mcpServers"]["heygen"]["command"], exe());
}
