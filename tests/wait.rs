//! wait_for_video against a fake that renders forever or answers slowly: the deadline holds
//! even inside a slow poll, and the ids found along the way come back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{call, serve_with_key};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn data(value: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": value }))
}

#[tokio::test]
async fn a_timeout_while_rendering_returns_the_video_id_to_resume_with() {
    let fake = MockServer::start().await;
    Mock::given(path("/v3/video-agents/s_1"))
        .respond_with(data(json!({"session_id": "s_1", "status": "generating", "progress": 40, "video_id": "v_9", "created_at": 1})))
        .mount(&fake)
        .await;
    Mock::given(path("/v3/videos/v_9"))
        .respond_with(data(json!({"id": "v_9", "status": "processing"})))
        .mount(&fake)
        .await;
    let served = serve_with_key(&fake.uri(), &[]).await;
    let outcome = call(
        &served,
        "wait_for_video",
        json!({"session_id": "s_1", "timeout_seconds": 2}),
    )
    .await;
    let outcome = outcome.structured_content.unwrap();
    assert_eq!(outcome["state"], "still_running");
    assert_eq!(outcome["video_id"], "v_9");
    assert_eq!(outcome["progress"], 40.0);
    let next = outcome["next_step"].as_str().unwrap();
    assert!(
        next.contains("video_id v_9") && next.contains("rendering, 40 %"),
        "{next}"
    );
}

#[tokio::test]
async fn the_deadline_holds_inside_a_slow_poll() {
    let fake = MockServer::start().await;
    Mock::given(path("/v3/video-agents/s_1"))
        .respond_with(
            data(json!({"session_id": "s_1", "status": "thinking", "created_at": 1}))
                .set_delay(Duration::from_secs(20)),
        )
        .mount(&fake)
        .await;
    let served = serve_with_key(&fake.uri(), &[]).await;
    let started = Instant::now();
    let outcome = call(
        &served,
        "wait_for_video",
        json!({"session_id": "s_1", "timeout_seconds": 2}),
    )
    .await;
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    let outcome = outcome.structured_content.unwrap();
    assert_eq!(outcome["state"], "still_running", "{outcome}");
    assert!(
        outcome["next_step"]
            .as_str()
            .unwrap()
            .contains("session_id s_1")
    );
}

#[tokio::test]
async fn a_resumed_wait_keeps_the_pace_it_had_reached() {
    let fake = MockServer::start().await;
    Mock::given(path("/v3/videos/v_9"))
        .respond_with(data(json!({"id": "v_9", "status": "processing"})))
        .mount(&fake)
        .await;
    let served = serve_with_key(&fake.uri(), &[]).await;
    let first = call(
        &served,
        "wait_for_video",
        json!({"video_id": "v_9", "timeout_seconds": 4}),
    )
    .await;
    let again = call(
        &served,
        "wait_for_video",
        json!({"video_id": "v_9", "timeout_seconds": 4}),
    )
    .await;
    let (first, again) = (
        first.structured_content.unwrap(),
        again.structured_content.unwrap(),
    );
    assert_eq!(again["state"], "still_running");
    // First call: polls at 0, 1, 2.6 s. The resumed call starts from the 4.1 s delay reached.
    assert!(
        again["polls"].as_u64() < first["polls"].as_u64(),
        "{first} then {again}"
    );
}
