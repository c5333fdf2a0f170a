//! `heygen-mcp demo`, run twice in a HOME of its own: it says where the video goes, never
//! replaces an earlier one, finishes its progress at 100 %, and leaves no dead sandbox link
//! as its last word.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

async fn demo(home: &Path) -> String {
    let out = common::command(&["demo"], &[("HEYGEN_SANDBOX_TIME_SCALE", "5")], home)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The path the run says, before its first tool call, that it will write.
fn announced(stdout: &str) -> String {
    let before_first_call = stdout.split("\n[1]").next().unwrap();
    let (_, rest) = before_first_call
        .split_once("will be saved as ")
        .unwrap_or_else(|| panic!("no path announced:\n{before_first_call}"));
    rest.split(" (").next().unwrap().to_owned()
}

#[tokio::test]
async fn two_runs_make_two_files_and_end_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let first = demo(home.path()).await;
    let second = demo(home.path()).await;

    let (one, two) = (announced(&first), announced(&second));
    assert_ne!(one, two, "the second run must not reuse the first file");
    let folder = home.path().join("Downloads").join("HeyGen");
    for (stdout, path) in [(&first, &one), (&second, &two)] {
        assert!(Path::new(path).starts_with(&folder), "{path}");
        assert!(Path::new(path).is_file(), "{path} was not written");
        assert!(
            stdout.contains(&format!("Saved to {path}")),
            "the file saved is not the one announced:\n{stdout}"
        );
        // The render's progress ends where its result does.
        let render = stdout
            .rsplit("] wait_for_video ")
            .next()
            .unwrap()
            .split("    {")
            .next()
            .unwrap();
        let last = render
            .lines()
            .rfind(|l| l.trim_start().starts_with("progress"))
            .unwrap_or_else(|| panic!("no progress drawn:\n{render}"));
        assert!(last.contains("100 %"), "{last}");
        // Each progress line says its number once, and none repeats the one before.
        let lines: Vec<&str> = stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("progress"))
            .collect();
        for pair in lines.windows(2) {
            assert_ne!(pair[0], pair[1]);
        }
        for line in &lines {
            assert_eq!(line.matches('%').count(), 1, "{line}");
        }
        // After the sandbox stops, no link to it.
        let tail = stdout.rsplit("Saved to ").next().unwrap();
        assert!(!tail.contains("http://127.0.0.1"), "{tail}");
    }
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(files, 2);
}
