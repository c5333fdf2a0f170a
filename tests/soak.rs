//! Soak: thousands of calls to one server process on the sandbox. Memory, file descriptors
//! and threads must stay flat after warm-up. The figures are printed (`--nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call, is_error, text};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy)]
struct Usage {
    rss_kb: u64,
    fds: usize,
    threads: u64,
}

fn usage(pid: u32) -> Usage {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    Usage {
        rss_kb: field("VmRSS:"),
        fds: std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|d| d.count())
            .unwrap_or(0),
        threads: field("Threads:"),
    }
}

fn server_pid(parent: u32) -> u32 {
    // The server is the test process's child running our binary.
    let children = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
        .unwrap_or_default();
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    all.into_iter()
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let ppid = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
            let cmd = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            ppid == Some(parent) && cmd.contains("heygen-mcp")
        })
        .chain(children.split_whitespace().filter_map(|p| p.parse().ok()))
        .next()
        .expect("the server process")
}

async fn round(served: &common::Served, i: usize, session: &Value, resource: &Value) {
    let (tool, args) = match i % 6 {
        0 => ("list_video_agent_styles", json!({"limit": 5})),
        1 => ("get_video_agent_session", json!({"session_id": session})),
        2 => (
            "get_video_agent_resource",
            json!({"session_id": session, "resource_id": resource, "include_image": i % 60 == 2}),
        ),
        3 => ("list_voices", json!({"language": "English"})),
        4 => ("get_video", json!({"video_id": "sbx_video_unknown"})),
        _ => ("list_video_agent_sessions", json!({"limit": 10})),
    };
    let result = call(served, tool, args).await;
    assert_eq!(
        is_error(&result),
        tool == "get_video",
        "{tool}: {}",
        text(&result)
    );
}

#[tokio::test]
async fn thousands_of_calls_leave_memory_and_descriptors_flat() {
    let served = common::serve(&["--sandbox"], &[("HEYGEN_SANDBOX_TIME_SCALE", "50")]).await;
    let pid = server_pid(std::process::id());
    let created = call(
        &served,
        "create_video_agent",
        json!({"prompt": "A 30-second soak test", "mode": "chat"}),
    )
    .await;
    let session = created.structured_content.unwrap()["session_id"].clone();
    let review = call(&served, "wait_for_video", json!({"session_id": session})).await;
    let resource = review.structured_content.unwrap()["messages"][0]["resource_ids"][0].clone();

    let warm_up = 600;
    let total = 4_200;
    for i in 0..warm_up {
        round(&served, i, &session, &resource).await;
    }
    let before = usage(pid);
    let started = std::time::Instant::now();
    for i in warm_up..total {
        round(&served, i, &session, &resource).await;
    }
    let elapsed = started.elapsed();
    let after = usage(pid);
    let calls = total - warm_up;
    eprintln!(
        "soak: {calls} calls in {:.1} s ({:.0} calls/s); RSS {} kB -> {} kB ({:+} kB); fds {} -> {}; threads {} -> {}",
        elapsed.as_secs_f64(),
        calls as f64 / elapsed.as_secs_f64(),
        before.rss_kb,
        after.rss_kb,
        after.rss_kb as i64 - before.rss_kb as i64,
        before.fds,
        after.fds,
        before.threads,
        after.threads,
    );
    assert!(
        after.rss_kb < before.rss_kb + 8 * 1024,
        "memory grew: {before:?} -> {after:?}"
    );
    assert!(
        after.fds <= before.fds + 4,
        "descriptors leaked: {before:?} -> {after:?}"
    );
    assert!(
        after.threads <= before.threads + 2,
        "threads leaked: {before:?} -> {after:?}"
    );
}
