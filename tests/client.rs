//! The HeyGen client against a loopback fake: every endpoint's method, path, query, headers and
//! exact body; every error class; the retry policy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use heygen_mcp::api::types::{
    CreateVideoAgentRequest, FileInput, ListSessionsQuery, ListStylesQuery, ListVideosQuery,
    Orientation, SendMessageRequest, SessionMode, SessionStatus, VideoStatus,
};
use heygen_mcp::api::{ApiError, HeyGenClient, RetryPolicy, Timeouts, TransportKind};
use heygen_mcp::config::{Config, CredentialLookup, CredentialSource, Credentials};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "test-key-7f3a";

fn config(server: &MockServer, credentials: Credentials) -> Config {
    Config {
        api_base: server.uri().parse().unwrap(),
        credentials: CredentialLookup::Found(credentials, CredentialSource::Env("HEYGEN_API_KEY")),
        max_retries: 3,
        read_only: false,
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_wait: Duration::from_millis(300),
        ..RetryPolicy::default()
    }
}

fn client(server: &MockServer) -> HeyGenClient {
    HeyGenClient::with_policy(
        &config(server, Credentials::ApiKey(KEY.into())),
        fast_retries(),
        Timeouts::default(),
    )
}

/// The key goes in `x-api-key`, and no `Authorization` header is sent beside it.
fn api_key_only(req: &Request) -> bool {
    req.headers.get("x-api-key").is_some_and(|v| v == KEY)
        && !req.headers.contains_key("authorization")
}

fn no_query(req: &Request) -> bool {
    req.url.query().is_none()
}

fn data(value: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": value }))
}

fn list(items: serde_json::Value, next: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({ "data": items, "has_more": next.is_some(), "next_token": next }))
}

#[tokio::test]
async fn create_sends_exactly_the_fields_set() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/video-agents"))
        .and(api_key_only)
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"prompt": "A 30-second intro to Rust"})))
        .respond_with(data(
            json!({"session_id": "s_1", "status": "thinking", "created_at": 1_700_000_000}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .create_video_agent(&CreateVideoAgentRequest {
            prompt: "A 30-second intro to Rust".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(created.session_id, "s_1");
    assert_eq!(created.status, SessionStatus::Thinking);
    assert_eq!(created.video_id, None);
}

#[tokio::test]
async fn create_with_every_field() {
    let server = MockServer::start().await;
    let body = json!({
        "prompt": "p", "mode": "chat", "avatar_id": "look_1", "voice_id": "v_1", "style_id": "st_1",
        "brand_kit_id": "bk_1", "brand_glossary_id": "bg_1", "orientation": "portrait",
        "files": [
            {"type": "url", "url": "https://example.com/deck.pdf"},
            {"type": "asset_id", "asset_id": "a_1"},
            {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
        ],
        "callback_url": "https://example.com/cb", "callback_id": "c_1", "incognito_mode": true
    });
    Mock::given(method("POST"))
        .and(path("/v3/video-agents"))
        .and(body_json(body))
        .respond_with(data(json!({"session_id": "s_2", "status": "generating", "video_id": "v_9", "created_at": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let request = CreateVideoAgentRequest {
        prompt: "p".into(),
        mode: Some(SessionMode::Chat),
        avatar_id: Some("look_1".into()),
        voice_id: Some("v_1".into()),
        style_id: Some("st_1".into()),
        brand_kit_id: Some("bk_1".into()),
        brand_glossary_id: Some("bg_1".into()),
        orientation: Some(Orientation::Portrait),
        files: Some(vec![
            FileInput::Url {
                url: "https://example.com/deck.pdf".into(),
            },
            FileInput::AssetId {
                asset_id: "a_1".into(),
            },
            FileInput::Base64 {
                media_type: "image/png".into(),
                data: "iVBORw0KGgo=".into(),
            },
        ]),
        callback_url: Some("https://example.com/cb".into()),
        callback_id: Some("c_1".into()),
        incognito_mode: Some(true),
    };
    let created = client(&server).create_video_agent(&request).await.unwrap();
    assert_eq!(created.video_id.as_deref(), Some("v_9"));
}

#[tokio::test]
async fn bearer_token_goes_in_authorization_only() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/videos/v_1"))
        .and(header("authorization", "Bearer tok-123"))
        .and(|req: &Request| !req.headers.contains_key("x-api-key"))
        .respond_with(data(json!({"id": "v_1", "status": "pending"})))
        .expect(1)
        .mount(&server)
        .await;
    let c = HeyGenClient::with_policy(
        &config(&server, Credentials::Bearer("tok-123".into())),
        fast_retries(),
        Timeouts::default(),
    );
    assert_eq!(
        c.get_video("v_1").await.unwrap().status,
        VideoStatus::Pending
    );
}

#[tokio::test]
async fn session_endpoints() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/video-agents/s_1"))
        .and(api_key_only)
        .and(no_query)
        .respond_with(data(json!({
            "session_id": "s_1", "status": "reviewing", "progress": 40, "video_id": null, "created_at": 5,
            "messages": [{"role": "model", "content": "Storyboard", "type": "resource", "resource_ids": ["r_1", "r_2"], "created_at": 6}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/video-agents/s_1"))
        .and(api_key_only)
        .and(body_json(
            json!({"message": "Looks good", "voice_id": "v_2"}),
        ))
        .respond_with(data(json!({"session_id": "s_1", "run_id": "run_1"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/video-agents/s_1/resources/r_1"))
        .respond_with(data(json!({"resource_id": "r_1", "resource_type": "image", "url": "https://cdn/x.png", "metadata": {"scene": 1}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/video-agents/s_1/videos"))
        .respond_with(list(json!([{"id": "v_2", "status": "completed", "duration": 31.5}, {"id": "v_1", "status": "failed", "failure_code": "x"}]), None))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/video-agents/s_1/stop"))
        .and(body_json(json!({})))
        .respond_with(data(json!({"session_id": "s_1"})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let session = c.get_video_agent_session("s_1").await.unwrap();
    assert_eq!(session.status, SessionStatus::Reviewing);
    assert_eq!(session.progress, Some(40.0));
    assert_eq!(
        session.messages[0].resource_ids.as_deref(),
        Some(&["r_1".to_owned(), "r_2".to_owned()][..])
    );
    let sent = c
        .send_video_agent_message(
            "s_1",
            &SendMessageRequest {
                message: "Looks good".into(),
                voice_id: Some("v_2".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(sent.run_id.as_deref(), Some("run_1"));
    let resource = c.get_video_agent_resource("s_1", "r_1").await.unwrap();
    assert_eq!(resource.metadata.unwrap()["scene"], 1);
    let videos = c.list_video_agent_session_videos("s_1").await.unwrap();
    assert_eq!(videos.data.len(), 2);
    assert_eq!(videos.data[0].duration, Some(31.5));
    assert_eq!(
        c.stop_video_agent_session("s_1").await.unwrap().session_id,
        "s_1"
    );
}

#[tokio::test]
async fn list_endpoints_send_only_the_query_given() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/video-agents"))
        .and(query_param("limit", "5"))
        .and(query_param("token", "tok/+="))
        .and(|r: &Request| r.url.query_pairs().count() == 2)
        .respond_with(list(
            json!([{"session_id": "s_9", "created_at": 9}]),
            Some("next"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/video-agents/styles"))
        .and(query_param("tag", "cinematic"))
        .and(|r: &Request| r.url.query_pairs().count() == 1)
        .respond_with(list(
            json!([{"style_id": "st_1", "name": "Noir", "tags": ["cinematic"]}]),
            None,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/videos"))
        .and(no_query)
        .respond_with(list(json!([{"id": "v_1", "status": "processing"}]), None))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/videos"))
        .and(query_param("limit", "100"))
        .and(query_param("folder_id", "f_1"))
        .and(query_param("title", "Q3 update"))
        .and(|r: &Request| r.url.query_pairs().count() == 3)
        .respond_with(list(json!([]), None))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let sessions = c
        .list_video_agent_sessions(&ListSessionsQuery {
            limit: Some(5),
            token: Some("tok/+=".into()),
        })
        .await
        .unwrap();
    assert!(sessions.has_more);
    assert_eq!(sessions.next_token.as_deref(), Some("next"));
    let styles = c
        .list_video_agent_styles(&ListStylesQuery {
            tag: Some("cinematic".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(styles.data[0].name, "Noir");
    let videos = c.list_videos(&ListVideosQuery::default()).await.unwrap();
    assert_eq!(videos.data[0].status, VideoStatus::Processing);
    let filtered = c
        .list_videos(&ListVideosQuery {
            limit: Some(100),
            folder_id: Some("f_1".into()),
            title: Some("Q3 update".into()),
            token: None,
        })
        .await
        .unwrap();
    assert!(filtered.data.is_empty() && !filtered.has_more);
}

#[tokio::test]
async fn video_endpoints() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/videos/v_1"))
        .respond_with(data(json!({
            "id": "v_1", "status": "completed", "video_url": "https://s3/v.mp4", "thumbnail_url": "https://s3/t.jpg",
            "captioned_video_url": "https://s3/c.mp4", "subtitle_url": "https://s3/s.srt", "duration": 30.2,
            "some_new_field": {"nested": true}
        })))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v3/videos/v_1"))
        .and(api_key_only)
        .respond_with(data(json!({"id": "v_1", "deleted": true})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let video = c.get_video("v_1").await.unwrap();
    assert_eq!(video.subtitle_url.as_deref(), Some("https://s3/s.srt"));
    assert!(c.delete_video("v_1").await.unwrap().deleted);
}

#[tokio::test]
async fn ids_cannot_escape_their_path_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/videos/..%2Fusers%2Fme%3Fx=1"))
        .respond_with(data(json!({"id": "weird", "status": "pending"})))
        .expect(1)
        .mount(&server)
        .await;
    // The tools refuse such ids before this point; the client still encodes them.
    client(&server).get_video("../users/me?x=1").await.unwrap();
}

#[tokio::test]
async fn new_statuses_decode() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/video-agents/s_1"))
        .respond_with(data(
            json!({"session_id": "s_1", "status": "queued_for_gpu", "created_at": 1}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/videos/v_1"))
        .respond_with(data(json!({"id": "v_1", "status": "uploading"})))
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(
        c.get_video_agent_session("s_1").await.unwrap().status,
        SessionStatus::Other("queued_for_gpu".into())
    );
    assert_eq!(
        c.get_video("v_1").await.unwrap().status.as_str(),
        "uploading"
    );
}

#[tokio::test]
async fn error_envelope_is_mapped() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/video-agents"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-request-id", "req_42")
                .set_body_json(json!({"error": {"code": "invalid_parameter", "message": "'prompt' is required", "param": "prompt", "doc_url": "https://docs/x"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_video_agent(&CreateVideoAgentRequest {
            prompt: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    match err {
        ApiError::Api(failure) => {
            assert_eq!(
                (failure.status, failure.code.as_str()),
                (400, "invalid_parameter")
            );
            assert_eq!(failure.param.as_deref(), Some("prompt"));
            assert_eq!(failure.doc_url.as_deref(), Some("https://docs/x"));
            assert_eq!(failure.request_id.as_deref(), Some("req_42"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn every_error_status_is_an_api_error() {
    for status in [401u16, 402, 403, 404, 409, 422] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"error": {"code": "c", "message": "m"}})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server).get_video("v_1").await.unwrap_err();
        assert_eq!(err.status(), Some(status), "{err:?}");
        assert!(matches!(err, ApiError::Api(_)));
    }
}

#[tokio::test]
async fn html_error_page_gives_a_clear_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(502)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body>Bad Gateway</body></html>"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_video_agent(&CreateVideoAgentRequest {
            prompt: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Unexpected { status: 502, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("HTML page"), "{err}");
}

#[tokio::test]
async fn wrong_shape_names_the_path() {
    // A field the server acts on (the status) must be readable; the path says which broke.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(data(json!({"id": "v_1", "status": 42, "duration": 3.5})))
        .mount(&server)
        .await;
    let err = client(&server).get_video("v_1").await.unwrap_err();
    match err {
        ApiError::Decode { path, .. } => assert_eq!(path, "data.status"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn rate_limit_is_retried_for_any_method() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(
                    json!({"error": {"code": "rate_limit_exceeded", "message": "slow down"}}),
                ),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(data(
            json!({"session_id": "s_1", "status": "thinking", "created_at": 1}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .create_video_agent(&CreateVideoAgentRequest {
            prompt: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(created.session_id, "s_1");
}

#[tokio::test]
async fn retry_after_is_honoured_and_clamped() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"error": {"code": "rate_limit_exceeded", "message": "m"}})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(data(json!({"id": "v_1", "status": "pending"})))
        .mount(&server)
        .await;
    let policy = RetryPolicy {
        max_retries: 1,
        base_delay: Duration::from_millis(1),
        max_wait: Duration::from_secs(5),
        ..RetryPolicy::default()
    };
    let c = HeyGenClient::with_policy(
        &config(&server, Credentials::ApiKey(KEY.into())),
        policy,
        Timeouts::default(),
    );
    let started = Instant::now();
    c.get_video("v_1").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited only {:?}",
        started.elapsed()
    );

    // A huge Retry-After is clamped to the policy's max_wait, and the last 429 is reported.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "86400")
                .set_body_json(json!({"error": {"code": "rate_limit_exceeded", "message": "m"}})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let policy = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(1),
        max_wait: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    let c = HeyGenClient::with_policy(
        &config(&server, Credentials::ApiKey(KEY.into())),
        policy,
        Timeouts::default(),
    );
    let started = Instant::now();
    let err = c.get_video("v_1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(86400)));
}

#[tokio::test]
async fn server_errors_are_retried_for_reads_and_deletes_only() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(data(json!({"id": "v_1", "status": "pending"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(500))
        .expect(4)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/video-agents"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/video-agents/s_1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    c.get_video("v_1").await.unwrap();
    assert_eq!(c.delete_video("v_1").await.unwrap_err().status(), Some(500));
    assert_eq!(
        c.create_video_agent(&CreateVideoAgentRequest {
            prompt: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err()
        .status(),
        Some(503)
    );
    assert_eq!(
        c.send_video_agent_message(
            "s_1",
            &SendMessageRequest {
                message: "go".into(),
                ..Default::default()
            }
        )
        .await
        .unwrap_err()
        .status(),
        Some(503)
    );
}

#[tokio::test]
async fn a_create_that_times_out_is_not_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            data(json!({"session_id": "s_1", "status": "thinking", "created_at": 1}))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            data(json!({"id": "v_1", "status": "pending"})).set_delay(Duration::from_secs(3)),
        )
        .expect(3)
        .mount(&server)
        .await;
    let timeouts = Timeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_millis(200),
        write: Duration::from_millis(200),
    };
    let policy = RetryPolicy {
        max_retries: 2,
        ..fast_retries()
    };
    let c = HeyGenClient::with_policy(
        &config(&server, Credentials::ApiKey(KEY.into())),
        policy,
        timeouts,
    );
    let err = c
        .create_video_agent(&CreateVideoAgentRequest {
            prompt: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Transport {
                kind: TransportKind::Timeout,
                maybe_applied: true,
                ..
            }
        ),
        "{err:?}"
    );
    let err = c.get_video("v_1").await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Transport {
                kind: TransportKind::Timeout,
                maybe_applied: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn missing_credentials_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let mut cfg = config(&server, Credentials::ApiKey(KEY.into()));
    cfg.credentials = CredentialLookup::Missing("No HeyGen credentials: set HEYGEN_API_KEY".into());
    let err = HeyGenClient::new(&cfg).get_video("v_1").await.unwrap_err();
    assert!(matches!(err, ApiError::MissingCredentials(ref m) if m.contains("HEYGEN_API_KEY")));
}

#[tokio::test]
async fn redirects_are_not_followed_with_the_key() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/videos/v_1"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/steal", elsewhere.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).get_video("v_1").await.unwrap_err();
    assert_eq!(err.status(), Some(307), "{err:?}");
}
