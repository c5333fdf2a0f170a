//! Full lifecycles through the MCP server and a real MCP client over stdio, against the
//! sandbox: generate, chat with revision and approval, follow-up, stop, failure, rate limits,
//! concurrency, and wait_for_video's progress, early returns, timeout and cancellation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{call, is_error, serve, text};
use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use heygen_mcp::tools::SANDBOX_NOTE;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientRequest, NumberOrString,
    ProgressNotificationParam, ProgressToken, RequestMetaObject,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};

async fn sandbox(time_scale: f64) -> Sandbox {
    Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxOptions { time_scale },
    )
    .await
    .unwrap()
}

fn structured(result: &rmcp::model::CallToolResult) -> Value {
    assert!(!is_error(result), "tool failed: {}", text(result));
    result.structured_content.clone().unwrap()
}

/// Waits until wait_for_video reports something other than still_running.
async fn wait(served: &common::Served, args: Value) -> Value {
    for _ in 0..20 {
        let outcome = structured(&call(served, "wait_for_video", args.clone()).await);
        if outcome["state"] != "still_running" {
            return outcome;
        }
    }
    panic!("never finished");
}

async fn admin(sandbox: &Sandbox, body: Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new()
        .post(format!("{}/_sandbox/faults", sandbox.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

#[tokio::test]
async fn generate_mode_in_sandbox_mode_says_it_is_simulated() {
    let served = serve(&["--sandbox"], &[("HEYGEN_SANDBOX_TIME_SCALE", "20")]).await;
    let created = call(
        &served,
        "create_video_agent",
        json!({"prompt": "A 30-second video about otters"}),
    )
    .await;
    let session_id = structured(&created)["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text(&created).contains(SANDBOX_NOTE));
    let sandbox_flag = created
        .meta
        .as_ref()
        .and_then(|m| m.get("heygen-mcp/sandbox"));
    assert_eq!(sandbox_flag, Some(&json!(true)));
    let done = wait(&served, json!({"session_id": session_id})).await;
    assert_eq!(done["state"], "completed", "{done}");
    let video = &done["video"];
    for link in [
        "video_url",
        "thumbnail_url",
        "captioned_video_url",
        "subtitle_url",
    ] {
        assert!(
            video[link]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:"),
            "{link}: {video}"
        );
    }
    assert_eq!(video["duration"], 30.0);
    let fetched = call(&served, "get_video", json!({"video_id": done["video_id"]})).await;
    assert_eq!(structured(&fetched)["status"], "completed");
    assert!(text(&fetched).contains(SANDBOX_NOTE));
    // Even a refused argument says where it came from.
    let refused = call(&served, "get_video", json!({"video_id": "../x"})).await;
    assert!(is_error(&refused) && text(&refused).contains(SANDBOX_NOTE));
}

#[tokio::test]
async fn chat_review_revision_approval_and_follow_up() {
    let sandbox = sandbox(20.0).await;
    let served = common::serve_with_key(sandbox.base_url(), &[]).await;
    let created = structured(
        &call(
            &served,
            "create_video_agent",
            json!({"prompt": "A 30-second product tour", "mode": "chat"}),
        )
        .await,
    );
    let session_id = created["session_id"].as_str().unwrap().to_owned();
    let args = json!({"session_id": session_id});

    let review = wait(&served, args.clone()).await;
    assert_eq!(review["state"], "needs_input", "{review}");
    assert_eq!(review["session_status"], "reviewing");
    let first_board: Vec<String> =
        serde_json::from_value(review["messages"][0]["resource_ids"].clone()).unwrap();
    assert!(first_board.len() >= 3, "{review}");
    let resource = structured(
        &call(
            &served,
            "get_video_agent_resource",
            json!({"session_id": session_id, "resource_id": first_board[0]}),
        )
        .await,
    );
    assert_eq!(resource["resource_type"], "image");

    call(
        &served,
        "send_video_agent_message",
        json!({"session_id": session_id, "message": "Use a warmer colour palette"}),
    )
    .await;
    let revised = wait(&served, args.clone()).await;
    assert_eq!(revised["state"], "needs_input");
    let second_board: Vec<String> =
        serde_json::from_value(revised["messages"][0]["resource_ids"].clone()).unwrap();
    assert!(
        second_board.iter().all(|id| !first_board.contains(id)),
        "a revision makes a new storyboard"
    );

    call(
        &served,
        "send_video_agent_message",
        json!({"session_id": session_id, "message": "Looks good, go ahead"}),
    )
    .await;
    let first = wait(&served, args.clone()).await;
    assert_eq!(first["state"], "completed", "{first}");

    call(
        &served,
        "send_video_agent_message",
        json!({"session_id": session_id, "message": "Now make a 15-second teaser of it"}),
    )
    .await;
    // A follow-up may stop for review again; approve whatever is asked.
    let mut second = wait(&served, args.clone()).await;
    if second["state"] == "needs_input" {
        call(
            &served,
            "send_video_agent_message",
            json!({"session_id": session_id, "message": "Yes, approve"}),
        )
        .await;
        second = wait(&served, args.clone()).await;
    }
    assert_eq!(second["state"], "completed", "{second}");
    assert_ne!(first["video_id"], second["video_id"]);

    let videos = structured(&call(&served, "list_video_agent_session_videos", args.clone()).await);
    let ids: Vec<&str> = videos["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            second["video_id"].as_str().unwrap(),
            first["video_id"].as_str().unwrap()
        ],
        "newest first"
    );
    let sessions = structured(&call(&served, "list_video_agent_sessions", json!({})).await);
    assert_eq!(sessions["sessions"][0]["session_id"], session_id.as_str());
}

#[tokio::test]
async fn failure_and_stop() {
    let sandbox = sandbox(20.0).await;
    let served = common::serve_with_key(sandbox.base_url(), &[]).await;
    let failing = structured(
        &call(
            &served,
            "create_video_agent",
            json!({"prompt": "[sandbox:fail] A 30-second video"}),
        )
        .await,
    );
    let failed = wait(&served, json!({"session_id": failing["session_id"]})).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    let video = &failed["video"];
    assert_eq!(video["failure_code"], "sandbox_render_failed", "{failed}");
    assert!(
        video["failure_message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );

    let stalled = structured(
        &call(
            &served,
            "create_video_agent",
            json!({"prompt": "[sandbox:stall] A 30-second video"}),
        )
        .await,
    );
    let session_id = stalled["session_id"].as_str().unwrap();
    let waited = structured(
        &call(
            &served,
            "wait_for_video",
            json!({"session_id": session_id, "timeout_seconds": 2}),
        )
        .await,
    );
    assert_eq!(waited["state"], "still_running");
    assert!(
        waited["next_step"].as_str().unwrap().contains(session_id),
        "the ids survive a timeout: {waited}"
    );
    structured(
        &call(
            &served,
            "stop_video_agent_session",
            json!({"session_id": session_id}),
        )
        .await,
    );
    let session = structured(
        &call(
            &served,
            "get_video_agent_session",
            json!({"session_id": session_id}),
        )
        .await,
    );
    assert_eq!(
        session["status"], "failed",
        "a stopped session stops: {session}"
    );
}

#[tokio::test]
async fn rate_limits_are_waited_out_or_explained() {
    let sandbox = sandbox(20.0).await;
    let patient = common::serve_with_key(sandbox.base_url(), &[]).await;
    admin(&sandbox, json!({"rate_limit": 1, "retry_after": 1})).await;
    let before = sandbox.request_count();
    let listed = call(&patient, "list_video_agent_styles", json!({"limit": 2})).await;
    assert_eq!(structured(&listed)["styles"].as_array().unwrap().len(), 2);
    assert_eq!(sandbox.request_count() - before, 2, "one 429, one retry");

    let impatient = common::serve(
        &[],
        &[
            ("HEYGEN_API_KEY", "k"),
            ("HEYGEN_API_BASE", sandbox.base_url()),
            ("HEYGEN_MAX_RETRIES", "0"),
        ],
    )
    .await;
    admin(&sandbox, json!({"rate_limit": 1, "retry_after": 7})).await;
    let before = sandbox.request_count();
    let refused = call(&impatient, "create_video_agent", json!({"prompt": "hello"})).await;
    assert!(is_error(&refused));
    assert!(
        text(&refused).contains("did not accept the request")
            && text(&refused).contains("safe to try again in 7 s"),
        "{}",
        text(&refused)
    );
    assert_eq!(sandbox.request_count() - before, 1, "a create is sent once");
}

#[tokio::test]
async fn many_sessions_progress_independently() {
    let sandbox = sandbox(20.0).await;
    let served = common::serve_with_key(sandbox.base_url(), &[]).await;
    let runs = (0..8).map(|i| {
        let served = &served;
        async move {
            let prompt = if i == 3 {
                "[sandbox:fail] A 30-second clip".to_owned()
            } else {
                format!("A {}-second clip number {i}", 20 + i)
            };
            let created =
                structured(&call(served, "create_video_agent", json!({"prompt": prompt})).await);
            wait(served, json!({"session_id": created["session_id"]})).await
        }
    });
    let outcomes = futures_join_all(runs).await;
    let mut video_ids: Vec<&str> = outcomes
        .iter()
        .map(|o| o["video_id"].as_str().unwrap())
        .collect();
    for (i, outcome) in outcomes.iter().enumerate() {
        let expected = if i == 3 { "failed" } else { "completed" };
        assert_eq!(outcome["state"], expected, "session {i}: {outcome}");
    }
    assert_eq!(outcomes[5]["video"]["duration"], 25.0);
    video_ids.sort_unstable();
    video_ids.dedup();
    assert_eq!(video_ids.len(), 8);
}

/// Runs futures concurrently on this task (no extra dependency for join_all).
async fn futures_join_all<F: std::future::Future<Output = Value>>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<Value> {
    let mut set = Vec::new();
    for future in futures {
        set.push(Box::pin(future));
    }
    let mut results = vec![Value::Null; set.len()];
    let mut pending: Vec<usize> = (0..set.len()).collect();
    std::future::poll_fn(|cx| {
        pending.retain(|&i| match set[i].as_mut().poll(cx) {
            std::task::Poll::Ready(value) => {
                results[i] = value;
                false
            }
            std::task::Poll::Pending => true,
        });
        if pending.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    results
}

/// Collects progress notifications.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.seen.lock().unwrap().push(params);
    }
}

async fn serve_recorded(
    base: &str,
) -> (
    RunningService<RoleClient, Recorder>,
    Recorder,
    tempfile::TempDir,
) {
    let home = tempfile::tempdir().unwrap();
    let command = common::command(
        &[],
        &[("HEYGEN_API_KEY", "k"), ("HEYGEN_API_BASE", base)],
        home.path(),
    );
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let recorder = Recorder::default();
    let client = recorder.clone().serve(transport).await.unwrap();
    (client, recorder, home)
}

fn wait_request(args: Value, token: i64) -> ClientRequest {
    let Value::Object(arguments) = args else {
        unreachable!()
    };
    let mut params = CallToolRequestParams::new("wait_for_video").with_arguments(arguments);
    let mut meta = RequestMetaObject::default();
    meta.set_progress_token(ProgressToken(NumberOrString::Number(token)));
    params.meta = Some(meta);
    ClientRequest::CallToolRequest(CallToolRequest::new(params))
}

#[tokio::test]
async fn wait_for_video_reports_rising_progress() {
    let sandbox = sandbox(1.0).await;
    let (client, recorder, _home) = serve_recorded(sandbox.base_url()).await;
    let Value::Object(args) = json!({"prompt": "A 30-second video about progress bars"}) else {
        unreachable!()
    };
    let created = client
        .call_tool(CallToolRequestParams::new("create_video_agent").with_arguments(args))
        .await
        .unwrap();
    let session_id = created.structured_content.unwrap()["session_id"].clone();
    let handle = client
        .send_cancellable_request(
            wait_request(json!({"session_id": session_id, "timeout_seconds": 60}), 77),
            PeerRequestOptions::default(),
        )
        .await
        .unwrap();
    let token = handle.progress_token.clone();
    let response = handle.await_response().await.unwrap();
    let rmcp::model::ServerResult::CallToolResult(result) = response else {
        panic!("unexpected {response:?}")
    };
    assert_eq!(result.structured_content.unwrap()["state"], "completed");
    let seen = recorder.seen.lock().unwrap().clone();
    assert!(
        seen.len() >= 2,
        "expected several notifications, got {seen:?}"
    );
    for pair in seen.windows(2) {
        assert!(
            pair[1].progress > pair[0].progress,
            "progress must rise: {seen:?}"
        );
    }
    for note in &seen {
        assert_eq!(note.progress_token, token);
        assert_eq!(note.total, Some(100.0));
        assert!(note.message.as_deref().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn cancelling_a_wait_stops_the_polling() {
    let sandbox = sandbox(20.0).await;
    let (client, recorder, _home) = serve_recorded(sandbox.base_url()).await;
    let Value::Object(args) = json!({"prompt": "[sandbox:stall] A 30-second video"}) else {
        unreachable!()
    };
    let created = client
        .call_tool(CallToolRequestParams::new("create_video_agent").with_arguments(args))
        .await
        .unwrap();
    let session_id = created.structured_content.unwrap()["session_id"].clone();
    let handle = client
        .send_cancellable_request(
            wait_request(json!({"session_id": session_id, "timeout_seconds": 120}), 5),
            PeerRequestOptions::default(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let polled = sandbox.request_count();
    assert!(
        polled >= 3,
        "it was polling before the cancel ({polled} requests)"
    );
    handle.cancel(Some("user gave up".into())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_cancel = sandbox.request_count();
    let notes_after_cancel = recorder.seen.lock().unwrap().len();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        sandbox.request_count(),
        after_cancel,
        "no polling after the cancel"
    );
    assert_eq!(
        recorder.seen.lock().unwrap().len(),
        notes_after_cancel,
        "no notifications after the cancel"
    );
    // The server is still fine.
    let Value::Object(args) = json!({"session_id": session_id}) else {
        unreachable!()
    };
    let session = client
        .call_tool(CallToolRequestParams::new("get_video_agent_session").with_arguments(args))
        .await
        .unwrap();
    assert_eq!(session.structured_content.unwrap()["status"], "thinking");
}

#[tokio::test]
async fn the_readme_demo_runs_end_to_end() {
    let home = tempfile::tempdir().unwrap();
    let output = common::command(
        &["demo"],
        &[("HEYGEN_SANDBOX_TIME_SCALE", "20")],
        home.path(),
    )
    .stdin(Stdio::null())
    .output()
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let saved = home.path().join("Downloads/HeyGen");
    let files: Vec<_> = std::fs::read_dir(&saved)
        .map(|d| d.filter_map(Result::ok).collect())
        .unwrap_or_default();
    assert_eq!(
        files.len(),
        1,
        "the demo saves the video under {}",
        saved.display()
    );
    assert!(
        output.status.success(),
        "demo failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "create_video_agent",
        "\"state\": \"needs_input\"",
        "Revised storyboard",
        "\"state\": \"completed\"",
        "The video will be saved as ",
        "Saved to ",
        "Done in",
    ] {
        assert!(
            stdout.contains(expected),
            "demo output lacks {expected:?}:\n{stdout}"
        );
    }
}

#[tokio::test]
async fn a_session_thinking_too_long_is_reported_stuck() {
    let sandbox = sandbox(20.0).await;
    let served = common::serve(
        &[],
        &[
            ("HEYGEN_API_KEY", "k"),
            ("HEYGEN_API_BASE", sandbox.base_url()),
            ("HEYGEN_STALL_SECONDS", "2"),
        ],
    )
    .await;
    let created = structured(
        &call(
            &served,
            "create_video_agent",
            json!({"prompt": "[sandbox:stall] A 30-second video"}),
        )
        .await,
    );
    let outcome = structured(
        &call(
            &served,
            "wait_for_video",
            json!({"session_id": created["session_id"], "timeout_seconds": 20}),
        )
        .await,
    );
    assert_eq!(outcome["state"], "stuck", "{outcome}");
    assert!(outcome["waited_seconds"].as_f64().unwrap() < 15.0);
    assert!(
        outcome["next_step"]
            .as_str()
            .unwrap()
            .contains("stop_video_agent_session")
    );
}

#[tokio::test]
async fn waiting_rides_out_rate_limits() {
    let sandbox = sandbox(20.0).await;
    // No client-level retries: the wait loop itself must honour Retry-After and go on.
    let served = common::serve(
        &[],
        &[
            ("HEYGEN_API_KEY", "k"),
            ("HEYGEN_API_BASE", sandbox.base_url()),
            ("HEYGEN_MAX_RETRIES", "0"),
        ],
    )
    .await;
    let created = structured(
        &call(
            &served,
            "create_video_agent",
            json!({"prompt": "A 30-second video"}),
        )
        .await,
    );
    admin(&sandbox, json!({"rate_limit": 3, "retry_after": 1})).await;
    let outcome = structured(
        &call(
            &served,
            "wait_for_video",
            json!({"session_id": created["session_id"], "timeout_seconds": 30}),
        )
        .await,
    );
    assert_eq!(outcome["state"], "completed", "{outcome}");
    assert!(
        outcome["waited_seconds"].as_f64().unwrap() >= 3.0,
        "each 429 was waited out: {outcome}"
    );
}

#[tokio::test]
async fn the_sandbox_subcommand_serves_http_alone() {
    use tokio::io::AsyncBufReadExt;
    let home = tempfile::tempdir().unwrap();
    let mut child = common::command(&["sandbox", "--port", "0"], &[], home.path())
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if line.contains("listening on") {
            break line
                .split_whitespace()
                .find(|w| w.starts_with("http://127.0.0.1:"))
                .expect("the URL")
                .to_owned();
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let styles: Value = reqwest::Client::new()
        .get(format!("{url}/v3/video-agents/styles"))
        .header("x-api-key", "anything")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!styles["data"].as_array().unwrap().is_empty(), "{styles}");
    child.kill().await.unwrap();
}
