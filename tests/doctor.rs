//! `heygen-mcp doctor`, run as a user would: the real binary, a clean environment, a HOME of
//! its own, and the sandbox standing in for HeyGen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::KEY;
use heygen_mcp::sandbox::{SANDBOX_INVALID_KEY, Sandbox, SandboxOptions};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn doctor(flags: &[&str], env: &[(&str, &str)], home: &Path) -> Run {
    // Flags after the subcommand, as the README writes them.
    let mut args = vec!["doctor"];
    args.extend_from_slice(flags);
    let out = common::command(&args, env, home)
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .output()
        .await
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for secret in [KEY, SANDBOX_INVALID_KEY] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a key was printed:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

/// The line a check printed, e.g. `line(&run, "key")`.
fn line<'a>(run: &'a Run, check: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| l.get(6..).is_some_and(|rest| rest.starts_with(check)))
        .unwrap_or_else(|| panic!("no {check} line in:\n{}", run.stdout))
}

fn level<'a>(run: &'a Run, check: &str) -> &'a str {
    line(run, check).split_whitespace().next().unwrap()
}

async fn sandbox() -> Sandbox {
    Sandbox::start(([127, 0, 0, 1], 0).into(), SandboxOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_sandbox_setup_passes_and_says_what_is_left_to_spend() {
    let home = tempfile::tempdir().unwrap();
    // A real key in the environment is neither sent to the sandbox nor shown.
    let run = doctor(&["--sandbox"], &[("HEYGEN_API_KEY", KEY)], home.path()).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(line(&run, "version").contains(env!("CARGO_PKG_VERSION")));
    assert!(
        line(&run, "version").contains("2025-06-18"),
        "{}",
        run.stdout
    );
    assert!(line(&run, "credentials").contains("sandbox"));
    assert_eq!(level(&run, "left to spend"), "ok");
    assert!(
        line(&run, "left to spend").contains("125.50 USD"),
        "{}",
        run.stdout
    );
    // The default output folder did not exist: it is created, and that is said.
    let output = home.path().join("Downloads").join("HeyGen");
    assert!(output.is_dir());
    assert!(
        line(&run, "output folder").contains("created"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);

    // HEYGEN_SANDBOX=1 is the same switch.
    let run = doctor(&[], &[("HEYGEN_SANDBOX", "1")], home.path()).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!line(&run, "output folder").contains("created"));
}

#[tokio::test]
async fn a_key_that_works_is_named_by_where_it_came_from() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let base = sandbox.base_url().to_owned();
    let run = doctor(
        &[],
        &[("HEYGEN_API_KEY", KEY), ("HEYGEN_API_BASE", &base)],
        home.path(),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        line(&run, "credentials").contains("environment variable HEYGEN_API_KEY"),
        "{}",
        run.stdout
    );
    assert_eq!(level(&run, "key"), "ok");
    assert!(line(&run, "left to spend").contains("Left to spend"));

    // The HeyGen CLI's credentials file is found too, and named.
    std::fs::create_dir_all(home.path().join(".heygen")).unwrap();
    std::fs::write(
        home.path().join(".heygen").join("credentials"),
        format!(r#"{{"api_key": "{KEY}"}}"#),
    )
    .unwrap();
    let run = doctor(&[], &[("HEYGEN_API_BASE", &base)], home.path()).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        line(&run, "credentials").contains("credentials file"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn a_refused_key_blocks_use() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let run = doctor(
        &[],
        &[
            ("HEYGEN_API_KEY", SANDBOX_INVALID_KEY),
            ("HEYGEN_API_BASE", sandbox.base_url()),
        ],
        home.path(),
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(level(&run, "reachable"), "ok");
    assert_eq!(level(&run, "key"), "FAIL");
    assert!(
        line(&run, "key").contains("the key was refused"),
        "{}",
        run.stdout
    );
    assert!(line(&run, "key").contains("HEYGEN_API_KEY"));
    assert!(
        run.stdout.contains("1 problem blocks use"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn no_key_blocks_use_and_says_how_to_set_one() {
    let home = tempfile::tempdir().unwrap();
    let run = doctor(&[], &[], home.path()).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(level(&run, "credentials"), "FAIL");
    let said = line(&run, "credentials");
    assert!(
        said.contains("HEYGEN_API_KEY") && said.contains("https://app.heygen.com/settings/api"),
        "{said}"
    );
    assert_eq!(level(&run, "HeyGen"), "skip");
}

#[tokio::test]
async fn heygen_out_of_reach_blocks_use() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let home = tempfile::tempdir().unwrap();
    let run = doctor(
        &[],
        &[("HEYGEN_API_KEY", KEY), ("HEYGEN_API_BASE", &base)],
        home.path(),
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(level(&run, "reachable"), "FAIL");
    assert!(line(&run, "reachable").contains("cannot reach"));
}

#[tokio::test]
async fn an_unwritable_output_folder_blocks_use() {
    let home = tempfile::tempdir().unwrap();
    // A file where the folder should be.
    let in_the_way = home.path().join("not-a-folder");
    std::fs::write(&in_the_way, b"x").unwrap();
    let dir = in_the_way.to_str().unwrap();
    let run = doctor(&["--sandbox"], &[("HEYGEN_OUTPUT_DIR", dir)], home.path()).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(level(&run, "output folder"), "FAIL");
    assert!(
        line(&run, "output folder").contains("not a folder"),
        "{}",
        run.stdout
    );
    assert!(line(&run, "output folder").contains("HEYGEN_OUTPUT_DIR"));
    // Read-only, nothing is downloaded: the same folder is only worth a warning.
    let run = doctor(
        &["--sandbox", "--read-only"],
        &[("HEYGEN_OUTPUT_DIR", dir)],
        home.path(),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(level(&run, "output folder"), "warn");
}

#[cfg(unix)]
#[tokio::test]
async fn a_folder_without_write_permission_blocks_use() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let locked = home.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    // Root writes anywhere, but not under a file: then the folder is one that cannot be made.
    let blocked = if std::fs::write(locked.join("probe"), b"x").is_ok() {
        let file = home.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        file.join("HeyGen")
    } else {
        locked.clone()
    };
    let run = doctor(
        &["--sandbox"],
        &[("HEYGEN_OUTPUT_DIR", blocked.to_str().unwrap())],
        home.path(),
    )
    .await;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(run.code, 1, "{}", run.stdout);
    let said = line(&run, "output folder");
    assert!(
        said.starts_with("FAIL") && said.contains("downloads will fail"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn allowed_folders_are_listed_and_a_missing_one_is_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let present = home.path().to_str().unwrap().to_owned();
    let missing = home.path().join("gone");
    let dirs = std::env::join_paths([Path::new(&present), &missing]).unwrap();
    let run = doctor(
        &["--sandbox"],
        &[("HEYGEN_ALLOWED_DIRS", dirs.to_str().unwrap())],
        home.path(),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(level(&run, "allowed folders"), "warn");
    let said = line(&run, "allowed folders");
    assert!(
        said.contains(&present) && said.contains(missing.to_str().unwrap()),
        "{said}"
    );
}

#[tokio::test]
async fn an_unknown_toolset_blocks_use() {
    let home = tempfile::tempdir().unwrap();
    let run = doctor(
        &["--sandbox"],
        &[("HEYGEN_TOOLSETS", "videos,bogus")],
        home.path(),
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(level(&run, "settings"), "FAIL");
    assert!(line(&run, "settings").contains("bogus"), "{}", run.stdout);
    // What can still be checked is.
    assert_eq!(level(&run, "output folder"), "ok");
}

#[tokio::test]
async fn heygen_failing_blocks_use_and_says_to_try_later() {
    let sandbox = sandbox().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
        .post(format!("{}/_sandbox/faults", sandbox.base_url()))
        .json(&serde_json::json!({"server_error": 1, "status": 502, "html": true}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = doctor(
        &[],
        &[
            ("HEYGEN_API_KEY", KEY),
            ("HEYGEN_API_BASE", sandbox.base_url()),
        ],
        home.path(),
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(level(&run, "reachable"), "ok");
    assert_eq!(level(&run, "key"), "FAIL");
    assert!(line(&run, "key").contains("502"), "{}", run.stdout);
    assert!(line(&run, "key").contains("try again"), "{}", run.stdout);
}
