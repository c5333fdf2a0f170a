//! HeyGen as a hostile upstream and as it really answers in production, through the real
//! binary over MCP stdio. A raw loopback server scripts each answer and records every
//! request, so each test asserts what reached "HeyGen" — above all, that nothing paid was
//! sent twice and nothing was sent after a cancel — and what the model was told.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{KEY, call, is_error, text};
use rmcp::model::{CallToolRequest, CallToolRequestParams, ClientRequest};
use rmcp::service::PeerRequestOptions;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the fake saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn route(&self) -> String {
        format!(
            "{} {}",
            self.method,
            self.path.split('?').next().unwrap_or("")
        )
    }
}

/// How the fake answers one request.
enum Reply {
    Json(u16, Vec<(&'static str, String)>, Value),
    Raw(u16, &'static str, Vec<u8>),
    /// Headers at once, then the body a byte at a time, this far apart.
    Drip(&'static str, Vec<u8>, Duration),
}

fn data(value: Value) -> Reply {
    Reply::Json(200, vec![], json!({ "data": value }))
}

fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply::Json(
        status,
        vec![],
        json!({"error": {"code": code, "message": message}}),
    )
}

fn rate_limited(retry_after: &str) -> Reply {
    Reply::Json(
        429,
        vec![("retry-after", retry_after.to_owned())],
        json!({"error": {"code": "rate_limit_exceeded", "message": "Too many requests"}}),
    )
}

type Router = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A loopback HTTP/1.1 server: `router(request, n)` answers the n-th (0-based) request to
/// the same route.
struct Fake {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    async fn start(router: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
        let router: Arc<Router> = Arc::new(router);
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (router, log) = (router.clone(), log.clone());
                tokio::spawn(async move { serve_one(stream, router, log).await });
            }
        });
        Self { base, seen }
    }

    fn count(&self, route: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.route() == route)
            .count()
    }

    fn total(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve_one(mut stream: TcpStream, router: Arc<Router>, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let method = first.next().unwrap_or("").to_owned();
    let path = first.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let seen = Seen {
        method,
        path,
        headers,
        body,
    };
    let n = {
        let mut log = log.lock().unwrap();
        let n = log.iter().filter(|s| s.route() == seen.route()).count();
        log.push(seen.clone());
        n
    };
    let reply = router(&seen, n);
    let (status, content_type, extra, body, drip) = match reply {
        Reply::Json(status, extra, value) => (
            status,
            "application/json",
            extra,
            serde_json::to_vec(&value).unwrap(),
            None,
        ),
        Reply::Raw(status, content_type, body) => (status, content_type, vec![], body, None),
        Reply::Drip(content_type, body, every) => (200, content_type, vec![], body, Some(every)),
    };
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    match drip {
        None => {
            let _ = stream.write_all(&body).await;
        }
        Some(every) => {
            for byte in body {
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(every).await;
            }
        }
    }
    let _ = stream.shutdown().await;
}

fn not_found() -> Reply {
    error(404, "not_found", "no such thing")
}

async fn serve(fake: &Fake, extra: &[(&str, &str)]) -> common::Served {
    let mut env = vec![
        ("HEYGEN_API_KEY", KEY),
        ("HEYGEN_API_BASE", fake.base.as_str()),
    ];
    env.extend_from_slice(extra);
    common::serve(&[], &env).await
}

fn structured(result: &rmcp::model::CallToolResult) -> Value {
    assert!(!is_error(result), "tool failed: {}", text(result));
    result.structured_content.clone().unwrap()
}

/// Starts a tool call, cancels it after `after`, and returns once the cancel is sent.
async fn call_and_cancel(served: &common::Served, tool: &str, args: Value, after: Duration) {
    let Value::Object(arguments) = args else {
        panic!("arguments must be an object")
    };
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(
        CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments),
    ));
    let handle = served
        .client
        .peer()
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    tokio::time::sleep(after).await;
    handle
        .cancel(Some("the user gave up".into()))
        .await
        .unwrap();
}

// ---- Money: a cancelled call sends nothing more ----

/// A create rate limited with Retry-After 3 and cancelled after 1 s: the retry that was
/// pending must never be sent (it would create a paid session nobody knows about).
#[tokio::test]
async fn a_cancelled_create_or_send_is_never_retried() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "POST /v3/video-agents" | "POST /v3/video-agents/s_1" => rate_limited("3"),
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    call_and_cancel(
        &served,
        "create_video_agent",
        json!({"prompt": "A video about otters"}),
        Duration::from_secs(1),
    )
    .await;
    call_and_cancel(
        &served,
        "send_video_agent_message",
        json!({"session_id": "s_1", "message": "Approve"}),
        Duration::from_secs(1),
    )
    .await;
    // Past the point where the retries would have gone out.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        fake.count("POST /v3/video-agents"),
        1,
        "no create after the cancel"
    );
    assert_eq!(
        fake.count("POST /v3/video-agents/s_1"),
        1,
        "no send after the cancel"
    );
    // The server is still healthy.
    let styles = call(&served, "list_video_agent_styles", json!({})).await;
    assert!(is_error(&styles));
}

/// The upload behind a `{type: path}` item stops on cancel too, and the create it was for
/// is never sent.
#[tokio::test]
async fn a_cancelled_upload_sends_nothing_more() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "POST /v3/assets" => rate_limited("3"),
        "POST /v3/video-agents" => data(json!({"session_id": "s_1", "status": "thinking"})),
        _ => not_found(),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("logo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n0000").unwrap();
    let served = serve(
        &fake,
        &[("HEYGEN_ALLOWED_DIRS", dir.path().to_str().unwrap())],
    )
    .await;
    call_and_cancel(
        &served,
        "create_video_agent",
        json!({"prompt": "p", "files": [{"type": "path", "path": png.to_str().unwrap()}]}),
        Duration::from_secs(1),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(fake.count("POST /v3/assets"), 1);
    assert_eq!(fake.count("POST /v3/video-agents"), 0);
}

/// A retry budget: however long Retry-After asks for, a call stops waiting for retries well
/// before a host's 60 s timeout, and a rate-limited create says nothing was created.
#[tokio::test]
async fn waiting_for_retries_has_a_budget() {
    use heygen_mcp::api::{HeyGenClient, RetryPolicy, Timeouts};
    use heygen_mcp::config::{Config, CredentialLookup, CredentialSource, Credentials};
    let fake = Fake::start(|_, _| rate_limited("1")).await;
    let config = Config {
        api_base: fake.base.parse().unwrap(),
        credentials: CredentialLookup::Found(
            Credentials::ApiKey(KEY.to_owned().into()),
            CredentialSource::Env("HEYGEN_API_KEY"),
        ),
        max_retries: 10,
        read_only: false,
    };
    let policy = RetryPolicy {
        max_retries: 10,
        base_delay: Duration::from_millis(10),
        max_wait: Duration::from_millis(400),
        budget: Duration::from_millis(1000),
    };
    let client = HeyGenClient::with_policy(&config, policy, Timeouts::default());
    let started = Instant::now();
    let request = heygen_mcp::api::types::CreateVideoAgentRequest {
        prompt: "p".into(),
        ..Default::default()
    };
    let err = client.create_video_agent(&request).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    // 400 ms a retry (Retry-After 1 s, clamped) within 1 s: the first try and two retries.
    assert_eq!(fake.count("POST /v3/video-agents"), 3);
}

// ---- Rate limits: never faster when HeyGen asks for slower ----

/// `Retry-After: 0` (or a date in the past) must not make retries immediate: every retry
/// waits at least its backoff, and wait_for_video slows down on repeated 429s.
#[tokio::test]
async fn retry_after_zero_or_in_the_past_never_floods() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "GET /v3/videos/v_zero" => rate_limited("0"),
        "GET /v3/videos/v_past" => rate_limited("Wed, 21 Oct 2015 07:28:00 GMT"),
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    let started = Instant::now();
    let got = call(&served, "get_video", json!({"video_id": "v_zero"})).await;
    assert!(is_error(&got));
    assert_eq!(
        fake.count("GET /v3/videos/v_zero"),
        4,
        "one try and three retries"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(3400),
        "backoff floors 0.5 + 1 + 2 s, took {:?}",
        started.elapsed()
    );
    let waited = structured(
        &call(
            &served,
            "wait_for_video",
            json!({"video_id": "v_past", "timeout_seconds": 8}),
        )
        .await,
    );
    assert_eq!(waited["state"], "still_running", "{waited}");
    let polls = fake.count("GET /v3/videos/v_past");
    assert!(polls <= 8, "{polls} requests in 8 s");
}

// ---- HeyGen as it really answers ----

fn completed_video(id: &str) -> Value {
    json!({"id": id, "status": "completed", "title": "Otters", "video_url": "https://files.example/v.mp4",
           "thumbnail_url": "https://files.example/v.jpg", "duration": 30.0, "created_at": 1_800_000_100})
}

/// The session endpoint 404s for sessions that exist: wait_for_video keeps going and finds
/// the video through the session's videos.
#[tokio::test]
async fn a_session_404_is_waited_through_and_the_video_found() {
    let fake = Fake::start(|seen, n| match seen.route().as_str() {
        "GET /v3/video-agents/s_gone" => error(404, "not_found", "Session not found"),
        "GET /v3/video-agents/s_gone/videos" if n < 2 => {
            Reply::Json(200, vec![], json!({"data": [], "has_more": false}))
        }
        "GET /v3/video-agents/s_gone/videos" => Reply::Json(
            200,
            vec![],
            json!({"data": [completed_video("v_found")], "has_more": false}),
        ),
        "GET /v3/videos/v_found" => data(completed_video("v_found")),
        "GET /v3/video-agents/s_lost" | "GET /v3/video-agents/s_lost/videos" => {
            error(404, "not_found", "Session not found")
        }
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    let waited = structured(
        &call(
            &served,
            "wait_for_video",
            json!({"session_id": "s_gone", "timeout_seconds": 20}),
        )
        .await,
    );
    assert_eq!(waited["state"], "completed", "{waited}");
    assert_eq!(waited["video_id"], "v_found");

    // Nothing to find: a resumable state, not an error, that says what is going on.
    let waited = call(
        &served,
        "wait_for_video",
        json!({"session_id": "s_lost", "timeout_seconds": 3}),
    )
    .await;
    let waited = structured(&waited);
    assert_eq!(waited["state"], "still_running", "{waited}");
    let next = waited["next_step"].as_str().unwrap();
    assert!(
        next.contains("404") && next.contains("wait_for_video"),
        "{next}"
    );

    // The remedy for a session 404 is not a circle back to the same id.
    let got = call(
        &served,
        "get_video_agent_session",
        json!({"session_id": "s_lost"}),
    )
    .await;
    assert!(is_error(&got));
    assert!(
        text(&got).contains("call wait_for_video with this session_id"),
        "{}",
        text(&got)
    );
}

/// A failed video without a reason: say so, and what usually helps.
#[tokio::test]
async fn a_failure_without_a_reason_is_explained() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "GET /v3/videos/v_f" => data(json!({"id": "v_f", "status": "failed", "title": ""})),
        "GET /v3/videos/v_r" => data(json!({"id": "v_r", "status": "failed",
            "failure_code": "render_error", "failure_message": "Rendering failed: avatar unavailable"})),
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    let got = structured(&call(&served, "get_video", json!({"video_id": "v_f"})).await);
    let next = got["next_step"].as_str().unwrap();
    assert!(
        next.contains("gave no reason") && next.contains("shorter prompt"),
        "{next}"
    );
    let waited = structured(&call(&served, "wait_for_video", json!({"video_id": "v_f"})).await);
    assert_eq!(waited["state"], "failed");
    assert!(
        waited["next_step"]
            .as_str()
            .unwrap()
            .contains("gave no reason")
    );
    let got = structured(&call(&served, "get_video", json!({"video_id": "v_r"})).await);
    let next = got["next_step"].as_str().unwrap();
    assert!(
        !next.contains("Rendering failed: Rendering failed"),
        "{next}"
    );
    assert!(next.contains("avatar unavailable"), "{next}");
}

/// Titles are how a user finds "my otters video": carried through every view.
#[tokio::test]
async fn session_titles_are_shown() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "GET /v3/video-agents" => Reply::Json(200, vec![], json!({"data": [
            {"session_id": "s_1", "title": "Otters at play", "created_at": 1}], "has_more": false})),
        "GET /v3/video-agents/s_1" => data(json!({"session_id": "s_1", "status": "reviewing",
            "title": "Otters at play", "created_at": 1, "messages": [{"role": "model", "content": "Storyboard", "type": "resource", "resource_ids": ["r"]}]})),
        "POST /v3/video-agents" => data(json!({"session_id": "s_1", "status": "thinking", "title": "Otters at play", "created_at": 1})),
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    let listed = structured(&call(&served, "list_video_agent_sessions", json!({})).await);
    assert_eq!(listed["sessions"][0]["title"], "Otters at play");
    let got = structured(
        &call(
            &served,
            "get_video_agent_session",
            json!({"session_id": "s_1"}),
        )
        .await,
    );
    assert_eq!(got["title"], "Otters at play");
    let waited = structured(&call(&served, "wait_for_video", json!({"session_id": "s_1"})).await);
    assert_eq!(
        (waited["state"].as_str(), waited["title"].as_str()),
        (Some("needs_input"), Some("Otters at play"))
    );
    let created =
        structured(&call(&served, "create_video_agent", json!({"prompt": "otters"})).await);
    assert_eq!(created["title"], "Otters at play");
}

/// HeyGen's own words reach the model, whatever shape the error came in.
#[tokio::test]
async fn error_shapes_keep_heygens_message() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "GET /v3/videos/in200" => Reply::Json(200, vec![], json!({"error": {"code": "internal_error", "message": "Video lookup is temporarily unavailable"}})),
        "GET /v3/videos/numeric" => Reply::Json(400, vec![], json!({"error": {"code": 400117, "message": "Video id is malformed"}})),
        "GET /v3/videos/legacy" => Reply::Json(404, vec![], json!({"code": 40004, "message": "Video is gone", "data": null})),
        "GET /v3/videos/plain" => Reply::Raw(403, "text/plain", b"Quota exceeded for this key".to_vec()),
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    for (id, words) in [
        ("in200", "Video lookup is temporarily unavailable"),
        ("numeric", "Video id is malformed"),
        ("legacy", "Video is gone"),
        ("plain", "Quota exceeded for this key"),
    ] {
        let got = call(&served, "get_video", json!({"video_id": id})).await;
        assert!(is_error(&got), "{id}");
        let message = text(&got);
        assert!(message.contains(words), "{id}: {message}");
        assert!(!message.contains("update heygen-mcp"), "{id}: {message}");
    }
}

/// A create or send HeyGen accepted is never reported as failed because of an odd field.
#[tokio::test]
async fn odd_fields_never_fail_an_accepted_write() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "POST /v3/video-agents" => {
            let body: Value = serde_json::from_slice(&seen.body).unwrap();
            if body["prompt"] == "numeric id" {
                data(json!({"session_id": 12345, "status": "thinking"}))
            } else {
                data(json!({"session_id": "s_1", "status": "generating", "video_id": "v_1",
                    "created_at": "2026-04-13T10:00:00Z"}))
            }
        }
        "POST /v3/video-agents/s_1" => data(json!({"session_id": "s_1", "run_id": 42})),
        "GET /v3/video-agents/s_1" => data(json!({"session_id": "s_1", "status": "thinking",
            "created_at": "yesterday", "progress": "12",
            "messages": [{"content": "no role here"}, {"role": "user", "content": "Approve", "resource_ids": [1, "r"]}]})),
        "GET /v3/videos/v_1" => data(json!({"status": "processing"})),
        "GET /v3/users/me" => data(json!({"username": "u", "billing_type": "subscription",
            "subscription": {"plan": "pro", "credits": {"premium_credits": {"remaining": 10, "resets_at": 1_800_000_000}}}})),
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    let created =
        structured(&call(&served, "create_video_agent", json!({"prompt": "otters"})).await);
    assert_eq!(created["session_id"], "s_1");
    assert_eq!(created["created_at"], 1_776_074_400);
    let sent = structured(
        &call(
            &served,
            "send_video_agent_message",
            json!({"session_id": "s_1", "message": "Approve"}),
        )
        .await,
    );
    assert_eq!(sent["run_id"], "42");
    let session = structured(
        &call(
            &served,
            "get_video_agent_session",
            json!({"session_id": "s_1"}),
        )
        .await,
    );
    assert_eq!(session["progress"], 12.0);
    assert_eq!(session["messages"][0]["content"], "no role here");
    let video = structured(&call(&served, "get_video", json!({"video_id": "v_1"})).await);
    assert_eq!(video["id"], "v_1", "the id the caller gave fills the gap");
    let user = call(&served, "get_current_user", json!({})).await;
    assert!(!is_error(&user), "{}", text(&user));

    // Only the id could be read: the create took effect and is reported so.
    let created = structured(
        &call(
            &served,
            "create_video_agent",
            json!({"prompt": "numeric id"}),
        )
        .await,
    );
    assert_eq!(created["session_id"], "12345");
    assert!(
        created["next_step"]
            .as_str()
            .unwrap()
            .contains("Do not create it again")
    );
    assert_eq!(fake.count("POST /v3/video-agents"), 2);
}

/// Arguments that can only fail are refused before anything is sent, or mapped to what
/// they mean today.
#[tokio::test]
async fn arguments_heygen_would_refuse_are_handled_before_sending() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "POST /v3/video-agents" => {
            data(json!({"session_id": "s_1", "status": "generating", "video_id": "v_1"}))
        }
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    let refused = call(
        &served,
        "create_video_agent",
        json!({"prompt": "p", "callback_id": "c_1"}),
    )
    .await;
    assert!(is_error(&refused));
    assert!(
        text(&refused).contains("callback_url"),
        "{}",
        text(&refused)
    );
    let refused = call(
        &served,
        "create_video_agent",
        json!({"prompt": "p", "mode": "chat", "auto_proceed": true}),
    )
    .await;
    assert!(is_error(&refused));
    assert!(
        text(&refused).contains("mode=generate"),
        "{}",
        text(&refused)
    );
    assert_eq!(
        fake.total(),
        0,
        "nothing sent for arguments that can only fail"
    );
    // Older docs' flags still work: their meaning is the default mode's.
    let created = call(&served, "create_video_agent",
        json!({"prompt": "p", "auto_proceed": true, "skipAgenticStop": true, "avatarId": "Bryce_public_1"})).await;
    assert!(!is_error(&created), "{}", text(&created));
    let sent: Value = serde_json::from_slice(&fake.requests()[0].body).unwrap();
    assert_eq!(sent, json!({"prompt": "p", "avatar_id": "Bryce_public_1"}));
}

/// A status this server does not know is returned at once with what the user may need to
/// do, not waited on until a timeout.
#[tokio::test]
async fn an_unknown_status_is_returned_not_waited_on() {
    let fake = Fake::start(|seen, _| match seen.route().as_str() {
        "GET /v3/video-agents/s_1" => data(json!({"session_id": "s_1", "status": "pending_consent", "progress": 10,
            "messages": [{"role": "model", "content": "The avatar owner must consent.", "type": "text"}]})),
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    let started = Instant::now();
    let waited = structured(
        &call(
            &served,
            "wait_for_video",
            json!({"session_id": "s_1", "timeout_seconds": 30}),
        )
        .await,
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(waited["state"], "needs_attention", "{waited}");
    assert!(waited["next_step"].as_str().unwrap().contains("consent"));
}

/// Right after a chat message HeyGen may still show the storyboard just answered: the send
/// waits until the message shows, and a wait never hands the old storyboard back as new.
#[tokio::test]
async fn the_storyboard_just_answered_is_not_handed_back() {
    let old = json!({"session_id": "s_1", "status": "reviewing", "progress": 20, "messages": [
        {"role": "model", "content": "Storyboard v1", "type": "resource", "resource_ids": ["r_1"]},
        {"role": "user", "content": "Make a video", "type": "text"}]});
    let fake = Fake::start(move |seen, n| match seen.route().as_str() {
        "POST /v3/video-agents/s_1" => data(json!({"session_id": "s_1", "run_id": "run_1"})),
        // Stale for the first three reads after the message, then the agent works on it.
        "GET /v3/video-agents/s_1" if n < 3 => data(old.clone()),
        "GET /v3/video-agents/s_1" if n < 5 => data(json!({"session_id": "s_1", "status": "reviewing", "progress": 20, "messages": [
            {"role": "user", "content": "Shorter intro please", "type": "text"},
            {"role": "model", "content": "Storyboard v1", "type": "resource", "resource_ids": ["r_1"]}]})),
        "GET /v3/video-agents/s_1" => data(json!({"session_id": "s_1", "status": "reviewing", "progress": 20, "messages": [
            {"role": "model", "content": "Storyboard v2", "type": "resource", "resource_ids": ["r_2"]},
            {"role": "user", "content": "Shorter intro please", "type": "text"}]})),
        _ => not_found(),
    })
    .await;
    let served = serve(&fake, &[]).await;
    let sent = structured(
        &call(
            &served,
            "send_video_agent_message",
            json!({"session_id": "s_1", "message": "Shorter intro please"}),
        )
        .await,
    );
    assert!(
        sent["next_step"]
            .as_str()
            .unwrap()
            .contains("wait_for_video"),
        "{sent}"
    );
    assert!(
        fake.count("GET /v3/video-agents/s_1") >= 4,
        "the send waited until HeyGen showed the message"
    );
    let waited = structured(
        &call(
            &served,
            "wait_for_video",
            json!({"session_id": "s_1", "timeout_seconds": 20}),
        )
        .await,
    );
    assert_eq!(waited["state"], "needs_input", "{waited}");
    assert_eq!(
        waited["messages"][0]["content"], "Storyboard v2",
        "{waited}"
    );
    assert_eq!(fake.count("POST /v3/video-agents/s_1"), 1);
}

/// Messages are capped in count and length, and the cut is said.
#[tokio::test]
async fn huge_message_lists_are_cut_and_say_so() {
    let messages: Vec<Value> = (0..60_000)
        .map(|i| json!({"role": "model", "content": format!("message {i}"), "type": "text"}))
        .collect();
    let mut messages = messages;
    messages[0] = json!({"role": "model", "content": "x".repeat(20_000), "type": "text"});
    let session = json!({"session_id": "s_1", "status": "thinking", "messages": messages});
    let fake = Fake::start(move |_, _| data(session.clone())).await;
    let served = serve(&fake, &[]).await;
    let got = call(
        &served,
        "get_video_agent_session",
        json!({"session_id": "s_1"}),
    )
    .await;
    let view = structured(&got);
    assert_eq!(view["messages"].as_array().unwrap().len(), 40);
    assert_eq!(view["messages_omitted"], 59_960);
    let first = view["messages"][0]["content"].as_str().unwrap();
    assert!(
        first.len() < 5_000 && first.contains("[cut: 16000 more characters]"),
        "{}",
        &first[first.len() - 60..]
    );
    assert!(serde_json::to_string(&got).unwrap().len() < 64 * 1024);
}

// ---- Secrets ----

/// An upstream that echoes the key — in a message, a param, a doc_url, X-Request-Id, or a
/// value that fails to decode — must not put it in a result or a log line (common::serve
/// and common::call check both on every call).
#[tokio::test]
async fn an_echoed_key_never_leaves_the_server() {
    let fake = Fake::start(|seen, _| {
        let key = seen
            .headers
            .iter()
            .find(|(k, _)| k == "x-api-key")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        match seen.route().as_str() {
            "GET /v3/videos/echo" => Reply::Json(
                400,
                vec![("x-request-id", format!("req-{key}"))],
                json!({"error": {"code": "invalid_key", "message": format!("Key {key} is not valid"),
                    "param": key, "doc_url": format!("https://docs.example/?key={key}")}}),
            ),
            "DELETE /v3/videos/echo" => data(json!({"id": "echo", "deleted": key})),
            "GET /v3/videos/plain" => Reply::Raw(401, "text/plain", format!("bad key {key}").into_bytes()),
            "GET /v3/videos/in200" => Reply::Json(200, vec![], json!({"error": {"code": key.clone(), "message": key}})),
            _ => not_found(),
        }
    })
    .await;
    let served = serve(&fake, &[]).await;
    for (tool, args) in [
        ("get_video", json!({"video_id": "echo"})),
        ("delete_video", json!({"video_id": "echo"})),
        ("get_video", json!({"video_id": "plain"})),
        ("get_video", json!({"video_id": "in200"})),
    ] {
        let result = call(&served, tool, args).await;
        assert!(is_error(&result), "{tool}");
        assert!(text(&result).contains("[REDACTED]"), "{}", text(&result));
    }
}

/// A password in HEYGEN_API_BASE is neither logged nor shown by --help.
#[tokio::test]
async fn a_password_in_the_api_base_is_never_shown() {
    let home = tempfile::tempdir().unwrap();
    let base = "http://apiuser:hunter2secret@127.0.0.1:9";
    let help = common::command(&["--help"], &[("HEYGEN_API_BASE", base)], home.path())
        .output()
        .await
        .unwrap();
    let shown = String::from_utf8_lossy(&help.stdout);
    assert!(shown.contains("HEYGEN_API_BASE"), "{shown}");
    assert!(!shown.contains("hunter2secret"), "{shown}");
    let served = common::serve(&[], &[("HEYGEN_API_KEY", KEY), ("HEYGEN_API_BASE", base)]).await;
    let _ = call(&served, "get_video", json!({"video_id": "v"})).await;
    let logged = served.stderr.lock().unwrap().clone();
    assert!(logged.contains("[REDACTED]@127.0.0.1"), "{logged}");
    assert!(!logged.contains("hunter2secret"));
    let bad = common::command(
        &[],
        &[("HEYGEN_API_BASE", "http://u:hunter2secret@example.com")],
        home.path(),
    )
    .output()
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !said.contains("hunter2secret") && said.contains("plain http"),
        "{said}"
    );
}

// ---- Inline images ----

/// A dripping image host cannot hold a call, and HTML labelled as a PNG is not shown as an
/// image.
#[tokio::test]
async fn inline_images_have_a_deadline_and_must_be_images() {
    let fake = Fake::start(|seen, _| {
        let url = |file: &str| {
            format!(
                "http://{}/media/{file}",
                seen.headers
                    .iter()
                    .find(|(k, _)| k == "host")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            )
        };
        match seen.route().as_str() {
            "GET /v3/video-agents/s_1/resources/slow" => data(
                json!({"resource_id": "slow", "resource_type": "image", "url": url("slow.png")}),
            ),
            "GET /v3/video-agents/s_1/resources/html" => data(
                json!({"resource_id": "html", "resource_type": "image", "url": url("page.png")}),
            ),
            "GET /media/slow.png" => Reply::Drip(
                "image/png",
                b"\x89PNG\r\n\x1a\n".repeat(100),
                Duration::from_millis(300),
            ),
            "GET /media/page.png" => Reply::Raw(
                200,
                "image/png",
                b"<html><body>login</body></html>".to_vec(),
            ),
            _ => not_found(),
        }
    })
    .await;
    let served = serve(&fake, &[]).await;
    let started = Instant::now();
    let slow = call(
        &served,
        "get_video_agent_resource",
        json!({"session_id": "s_1", "resource_id": "slow"}),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(slow.content.iter().all(|c| c.as_image().is_none()));
    assert!(
        structured(&slow)["note"]
            .as_str()
            .unwrap()
            .contains("did not arrive")
    );
    let html = call(
        &served,
        "get_video_agent_resource",
        json!({"session_id": "s_1", "resource_id": "html"}),
    )
    .await;
    assert!(html.content.iter().all(|c| c.as_image().is_none()));
    assert!(
        structured(&html)["note"]
            .as_str()
            .unwrap()
            .contains("not a PNG")
    );
}
