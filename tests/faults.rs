//! Faults on the wire, from a raw loopback server that misbehaves on purpose: connection
//! resets, truncated and invalid bodies, wrong shapes, HTML 5xx pages, rate limits with and
//! without Retry-After, slowness past the timeout. For each, the retries per method, the
//! final message, and that a create or send is never sent twice for one tool call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{call, is_error, text};
use heygen_mcp::api::types::CreateVideoAgentRequest;
use heygen_mcp::api::{ApiError, HeyGenClient, RetryPolicy, Timeouts};
use heygen_mcp::config::{Config, CredentialLookup, CredentialSource, Credentials};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the raw server does for a path.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Reads the request, then resets the connection (RST) without a byte of answer.
    Reset,
    /// Promises 200 bytes, sends a few, closes.
    Truncated,
    /// 200 with a body that is not JSON.
    InvalidJson,
    /// 200 with JSON of the wrong shape.
    WrongShape,
    /// 502 with an HTML page.
    HtmlBadGateway,
    /// 429 without Retry-After.
    RateLimitedBare,
    /// Answers after 3 s.
    Slow,
}

#[derive(Clone, Default)]
struct Counts(Arc<Mutex<HashMap<String, usize>>>);

impl Counts {
    fn of(&self, key: &str) -> usize {
        self.0.lock().unwrap().get(key).copied().unwrap_or(0)
    }
}

async fn raw_server(faults: HashMap<&'static str, Fault>) -> (String, Counts) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let counts = Counts::default();
    let seen = counts.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let faults = faults.clone();
            let seen = seen.clone();
            tokio::spawn(async move { answer(stream, &faults, &seen).await });
        }
    });
    (base, counts)
}

async fn answer(mut stream: TcpStream, faults: &HashMap<&'static str, Fault>, seen: &Counts) {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&request).to_string();
    let mut words = head.split_whitespace();
    let (method, path) = (
        words.next().unwrap_or("").to_owned(),
        words.next().unwrap_or("").to_owned(),
    );
    let key = format!("{method} {path}");
    *seen.0.lock().unwrap().entry(key).or_default() += 1;
    let reply = |status: &str, content_type: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let response = match faults.get(path.as_str()) {
        Some(Fault::Reset) => {
            // A zero linger makes the close an immediate RST, which is the fault wanted here
            // (tokio deprecates it because a non-zero linger blocks on drop).
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            return;
        }
        Some(Fault::Truncated) => {
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n{\"data\": {\"id\"".to_owned()
        }
        Some(Fault::InvalidJson) => reply("200 OK", "application/json", "{this is not json"),
        Some(Fault::WrongShape) => reply("200 OK", "application/json", r#"{"data": {"id": 42, "status": ["completed"]}}"#),
        Some(Fault::HtmlBadGateway) => reply("502 Bad Gateway", "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
        Some(Fault::RateLimitedBare) => reply("429 Too Many Requests", "application/json", r#"{"error": {"code": "rate_limit_exceeded", "message": "Too many requests"}}"#),
        Some(Fault::Slow) => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            reply("200 OK", "application/json", r#"{"data": {"id": "v_slow", "status": "pending"}}"#)
        }
        None => reply("404 Not Found", "application/json", r#"{"error": {"code": "not_found", "message": "no such thing"}}"#),
    };
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn client(base: &str, retries: u32) -> HeyGenClient {
    let config = Config {
        api_base: base.parse().unwrap(),
        credentials: CredentialLookup::Found(
            Credentials::ApiKey("k".to_owned().into()),
            CredentialSource::Env("HEYGEN_API_KEY"),
        ),
        max_retries: retries,
        read_only: false,
    };
    let policy = RetryPolicy {
        max_retries: retries,
        base_delay: Duration::from_millis(5),
        max_wait: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_millis(500),
        write: Duration::from_millis(500),
    };
    HeyGenClient::with_policy(&config, policy, timeouts)
}

fn create() -> CreateVideoAgentRequest {
    CreateVideoAgentRequest {
        prompt: "A 30-second video".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn each_fault_is_retried_per_method_and_reported() {
    let faults = HashMap::from([
        ("/v3/videos/reset", Fault::Reset),
        ("/v3/videos/truncated", Fault::Truncated),
        ("/v3/videos/badjson", Fault::InvalidJson),
        ("/v3/videos/shape", Fault::WrongShape),
        ("/v3/videos/html", Fault::HtmlBadGateway),
        ("/v3/videos/bare429", Fault::RateLimitedBare),
        ("/v3/videos/slow", Fault::Slow),
        ("/v3/video-agents", Fault::Reset),
        ("/v3/video-agents/s_trunc", Fault::Truncated),
        ("/v3/video-agents/s_html", Fault::HtmlBadGateway),
        ("/v3/video-agents/s_429", Fault::RateLimitedBare),
    ]);
    let (base, counts) = raw_server(faults).await;
    let c = client(&base, 2);
    // GET: transient failures are retried (1 + 2 attempts); answers that arrived are not.
    let cases: [(&str, usize, &str); 7] = [
        ("reset", 3, "connection"),
        ("truncated", 3, "cut off"),
        ("badjson", 1, "could not be read"),
        ("shape", 1, "data.status"),
        ("html", 3, "HTML page"),
        ("bare429", 3, "429"),
        ("slow", 3, "timed out"),
    ];
    for (id, attempts, message) in cases {
        let err = c.get_video(id).await.unwrap_err();
        assert_eq!(
            counts.of(&format!("GET /v3/videos/{id}")),
            attempts,
            "{id}: {err:?}"
        );
        assert!(err.to_string().contains(message), "{id}: {err}");
    }
    // POST: only a rate limit is retried; anything ambiguous is reported, never resent.
    let err = c.create_video_agent(&create()).await.unwrap_err();
    assert_eq!(counts.of("POST /v3/video-agents"), 1);
    assert!(
        matches!(
            err,
            ApiError::Transport {
                maybe_applied: true,
                ..
            }
        ),
        "{err:?}"
    );
    let send = heygen_mcp::api::types::SendMessageRequest {
        message: "approve".into(),
        ..Default::default()
    };
    for (session, attempts) in [("s_trunc", 1), ("s_html", 1), ("s_429", 3)] {
        let err = c
            .send_video_agent_message(session, &send)
            .await
            .unwrap_err();
        assert_eq!(
            counts.of(&format!("POST /v3/video-agents/{session}")),
            attempts,
            "{session}: {err:?}"
        );
    }
}

#[tokio::test]
async fn through_the_tools_an_ambiguous_create_is_sent_once_and_says_how_to_check() {
    let (base, counts) = raw_server(HashMap::from([
        ("/v3/video-agents", Fault::Truncated),
        ("/v3/video-agents/s_1", Fault::Reset),
        ("/v3/videos/v_1", Fault::HtmlBadGateway),
    ]))
    .await;
    let served = common::serve(
        &[],
        &[
            ("HEYGEN_API_KEY", common::KEY),
            ("HEYGEN_API_BASE", &base),
            ("HEYGEN_MAX_RETRIES", "2"),
        ],
    )
    .await;
    let created = call(
        &served,
        "create_video_agent",
        json!({"prompt": "A 30-second video"}),
    )
    .await;
    assert!(is_error(&created));
    assert_eq!(
        counts.of("POST /v3/video-agents"),
        1,
        "a create is never sent twice"
    );
    assert!(
        text(&created).contains("may have reached HeyGen")
            && text(&created).contains("list_video_agent_sessions"),
        "{}",
        text(&created)
    );

    let sent = call(
        &served,
        "send_video_agent_message",
        json!({"session_id": "s_1", "message": "approve"}),
    )
    .await;
    assert!(is_error(&sent));
    assert_eq!(
        counts.of("POST /v3/video-agents/s_1"),
        1,
        "a send is never sent twice"
    );
    assert!(
        text(&sent).contains("get_video_agent_session"),
        "{}",
        text(&sent)
    );

    let got = call(&served, "get_video", json!({"video_id": "v_1"})).await;
    assert!(is_error(&got));
    assert_eq!(counts.of("GET /v3/videos/v_1"), 3);
    assert!(
        text(&got).contains("HTML page") && text(&got).contains("safe to call again"),
        "{}",
        text(&got)
    );
}

#[tokio::test]
async fn an_unreachable_api_is_explained() {
    // Bind then drop: nothing listens on this port any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let served = common::serve(
        &[],
        &[
            ("HEYGEN_API_KEY", common::KEY),
            ("HEYGEN_API_BASE", &base),
            ("HEYGEN_MAX_RETRIES", "0"),
        ],
    )
    .await;
    let result = call(&served, "create_video_agent", json!({"prompt": "hello"})).await;
    assert!(is_error(&result));
    let message = text(&result);
    assert!(
        message.contains("could not connect") && message.contains("HEYGEN_API_BASE"),
        "{message}"
    );
}
