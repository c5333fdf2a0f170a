//! The sandbox's switches and markers for how HeyGen behaves in production beyond its
//! contract, over real HTTP: stale session reads after a message, session 404s (after the
//! video is assigned, and on fresh sessions), error envelopes inside HTTP 200, sessions
//! parked in `pending_consent`, and failed videos that carry no reason; and the added
//! latency load tests use (`latency_ms`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// 50× speed: a 30-second video thinks for 20 ms and renders for 100 ms.
const FAST: f64 = 50.0;

struct Api {
    sandbox: Sandbox,
    http: reqwest::Client,
}

impl Api {
    async fn start(time_scale: f64) -> Api {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start(
            "127.0.0.1:0".parse().unwrap(),
            SandboxOptions { time_scale },
        )
        .await
        .unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Api { sandbox, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.http.get(self.url(path)).header("x-api-key", "k")).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(
            self.http
                .post(self.url(path))
                .header("x-api-key", "k")
                .json(&body),
        )
        .await
    }

    /// `POST /_sandbox/faults`, returning the answer.
    async fn set_faults(&self, body: Value) -> (StatusCode, Value) {
        send(self.http.post(self.url("/_sandbox/faults")).json(&body)).await
    }

    async fn faults(&self, body: Value) {
        let (status, answer) = self.set_faults(body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }

    async fn clear_faults(&self) -> Value {
        let (status, body) = send(self.http.delete(self.url("/_sandbox/faults"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].clone()
    }

    async fn create(&self, body: Value) -> String {
        let (status, body) = self.post("/v3/video-agents", body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"]["session_id"].as_str().unwrap().to_string()
    }

    async fn session(&self, id: &str) -> Value {
        let (status, body) = self.get(&format!("/v3/video-agents/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].clone()
    }

    async fn wait_for(&self, id: &str, status: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let session = self.session(id).await;
            if session["status"] == status {
                return session;
            }
            assert!(
                Instant::now() < deadline,
                "{id} never reached {status}: {session}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn wait_for_video(&self, video_id: &str, status: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (code, body) = self.get(&format!("/v3/videos/{video_id}")).await;
            assert_eq!(code, StatusCode::OK, "{body}");
            if body["data"]["status"] == status {
                return body["data"].clone();
            }
            assert!(
                Instant::now() < deadline,
                "{video_id} never reached {status}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn send_message(&self, id: &str, message: &str) -> (StatusCode, Value) {
        self.post(
            &format!("/v3/video-agents/{id}"),
            json!({ "message": message }),
        )
        .await
    }

    async fn session_videos(&self, id: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/v3/video-agents/{id}/videos")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].as_array().unwrap().clone()
    }

    async fn session_ids(&self) -> Vec<String> {
        let (status, body) = self.get("/v3/video-agents").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["session_id"].as_str().unwrap().to_string())
            .collect()
    }
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }));
    (status, body)
}

#[track_caller]
fn assert_error(got: &(StatusCode, Value), status: u16, code: &str, param: Option<&str>) {
    let (got_status, body) = got;
    assert_eq!(got_status.as_u16(), status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["param"].as_str(), param, "{body}");
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    assert!(body["error"].as_object().unwrap().contains_key("doc_url"));
}

/// The 404 a session GET answers, checked to be the ordinary `not_found` envelope.
#[track_caller]
fn assert_session_404(got: &(StatusCode, Value), id: &str) {
    assert_error(got, 404, "not_found", None);
    let message = got.1["error"]["message"].as_str().unwrap();
    assert!(message.contains(id), "{message}");
}

// ---------------------------------------------------------------- the switches themselves

#[tokio::test]
async fn production_switches_are_shown_validated_and_reset() {
    let api = Api::start(FAST).await;
    let (status, set) = api
        .set_faults(json!({
            "stale_after_send": 1.5,
            "session_404_after_video": true,
            "session_404_fresh": 3,
            "error_in_200": 0
        }))
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    let (_, shown) = send(api.http.get(api.url("/_sandbox/faults"))).await;
    for body in [&set, &shown] {
        let faults = &body["data"];
        assert_eq!(faults["stale_after_send"], 1.5, "{faults}");
        assert_eq!(faults["session_404_after_video"], true);
        assert_eq!(faults["session_404_fresh"], 3);
        assert_eq!(faults["error_in_200"], 0);
    }
    // Switches not named keep their values.
    api.faults(json!({"stale_after_send": 2})).await;
    let (_, shown) = send(api.http.get(api.url("/_sandbox/faults"))).await;
    assert_eq!(shown["data"]["stale_after_send"], 2.0);
    assert_eq!(shown["data"]["session_404_fresh"], 3);

    let bad = [
        (json!({"stale_after_send": -1}), "stale_after_send"),
        (json!({"stale_after_send": 3601}), "stale_after_send"),
        (json!({"stale_after_send": "2"}), "stale_after_send"),
        (json!({"stale_after_send": null}), "stale_after_send"),
        (
            json!({"session_404_after_video": "yes"}),
            "session_404_after_video",
        ),
        (
            json!({"session_404_after_video": 1}),
            "session_404_after_video",
        ),
        (json!({"session_404_fresh": -1}), "session_404_fresh"),
        (json!({"session_404_fresh": 1.5}), "session_404_fresh"),
        (json!({"error_in_200": "3"}), "error_in_200"),
        (json!({"error_in_200": -2}), "error_in_200"),
        (json!({"stale_after": 1}), "stale_after"),
    ];
    for (body, param) in bad {
        assert_error(
            &api.set_faults(body).await,
            400,
            "invalid_parameter",
            Some(param),
        );
    }
    // A refused request changes nothing.
    let (_, shown) = send(api.http.get(api.url("/_sandbox/faults"))).await;
    assert_eq!(shown["data"]["stale_after_send"], 2.0);

    let cleared = api.clear_faults().await;
    assert_eq!(cleared["stale_after_send"], 0.0);
    assert_eq!(cleared["session_404_after_video"], false);
    assert_eq!(cleared["session_404_fresh"], 0);
    assert_eq!(cleared["error_in_200"], 0);
}

// ---------------------------------------------------------------- stale_after_send

#[tokio::test]
async fn stale_after_send_shows_the_session_as_it_was_before_the_message() {
    let api = Api::start(FAST).await;
    api.faults(json!({"stale_after_send": 1.0})).await;
    let id = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    // The create is not a message: the first reads are live.
    let before = api.wait_for(&id, "reviewing").await;
    assert!(before["video_id"].is_null());

    let sent_at = Instant::now();
    let (status, body) = api.send_message(&id, "Looks good, go ahead").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stale = api.session(&id).await;
    let videos = api.session_videos(&id).await;
    assert!(
        sent_at.elapsed() < Duration::from_millis(900),
        "too slow to observe the window"
    );
    // Exactly the old view: status, progress, title, video_id, messages.
    assert_eq!(stale, before);
    // Everything else already shows the new run.
    assert_eq!(videos.len(), 1, "{videos:?}");
    let video_id = videos[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.get(&format!("/v3/videos/{video_id}")).await.0,
        StatusCode::OK
    );
    assert!(api.session_ids().await.contains(&id));

    tokio::time::sleep(Duration::from_millis(1100).saturating_sub(sent_at.elapsed())).await;
    let live = api.session(&id).await;
    assert_ne!(live, before);
    assert_eq!(live["video_id"], video_id.as_str());
    assert!(
        ["generating", "completed"].contains(&live["status"].as_str().unwrap()),
        "{live}"
    );
    let users: Vec<&str> = live["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["Looks good, go ahead", "p"]);
}

#[tokio::test]
async fn stale_views_follow_accepted_messages_only_and_end_on_reset() {
    let api = Api::start(FAST).await;
    // Off by default: a message shows at once.
    let id = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    api.wait_for(&id, "reviewing").await;
    api.send_message(&id, "make it bluer").await;
    let live = api.session(&id).await;
    assert_eq!(live["messages"][0]["content"], "make it bluer");

    api.faults(json!({"stale_after_send": 30})).await;
    api.wait_for(&id, "reviewing").await;
    // A refused message leaves no stale view behind.
    let refused = api
        .post(
            &format!("/v3/video-agents/{id}"),
            json!({"message": "x", "voice_id": "nope"}),
        )
        .await;
    assert_error(&refused, 400, "voice_not_found", Some("voice_id"));
    let after_refusal = api.session(&id).await;
    assert_eq!(after_refusal["status"], "reviewing");

    let before = api.session(&id).await;
    api.send_message(&id, "approve").await;
    assert_eq!(api.session(&id).await, before);
    // The session list is not the session GET: it is unaffected.
    assert!(api.session_ids().await.contains(&id));
    // Reset ends the stale view at once.
    api.clear_faults().await;
    let live = api.session(&id).await;
    assert_ne!(live, before);
    assert!(live["video_id"].is_string(), "{live}");
}

// ---------------------------------------------------------------- session_404_after_video

#[tokio::test]
async fn session_404_after_video_hides_the_session_once_it_has_a_video() {
    // 5×: thinking takes 200 ms, so the first read is sure to come before the video.
    let api = Api::start(5.0).await;
    api.faults(json!({"session_404_after_video": true})).await;
    let id = api
        .create(json!({"prompt": "A 30-second video about otters"}))
        .await;
    // Before the video exists the session reads normally.
    let first = api.get(&format!("/v3/video-agents/{id}")).await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    assert_eq!(first.1["data"]["status"], "thinking");
    assert!(first.1["data"]["video_id"].is_null());

    let deadline = Instant::now() + Duration::from_secs(10);
    let hidden = loop {
        let got = api.get(&format!("/v3/video-agents/{id}")).await;
        if got.0 == StatusCode::NOT_FOUND {
            break got;
        }
        assert!(got.1["data"]["video_id"].is_null(), "{}", got.1);
        assert!(Instant::now() < deadline, "never hidden");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert_session_404(&hidden, &id);
    let unknown = api.get("/v3/video-agents/sbx_session_999999").await;
    assert_eq!(
        hidden.1["error"]["message"]
            .as_str()
            .unwrap()
            .replace(&id, "X"),
        unknown.1["error"]["message"]
            .as_str()
            .unwrap()
            .replace("sbx_session_999999", "X"),
        "the same envelope as for a session that does not exist"
    );

    // The video, the session's video list and the session list keep working.
    let videos = api.session_videos(&id).await;
    let video_id = videos[0]["id"].as_str().unwrap().to_string();
    let video = api.wait_for_video(&video_id, "completed").await;
    assert!(video["video_url"].is_string());
    assert!(api.session_ids().await.contains(&id));
    assert_session_404(&api.get(&format!("/v3/video-agents/{id}")).await, &id);

    // Chat: the review reads normally; from the approval on, only messages reach it.
    let chat = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    api.wait_for(&chat, "reviewing").await;
    let (status, body) = api.send_message(&chat, "approve").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_session_404(&api.get(&format!("/v3/video-agents/{chat}")).await, &chat);
    let first_video = api.session_videos(&chat).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.wait_for_video(&first_video, "completed").await;
    let (status, body) = api.send_message(&chat, "now a 15-second cut").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while api.session_videos(&chat).await.len() < 2 {
        assert!(Instant::now() < deadline, "no second video");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stop = api
        .post(&format!("/v3/video-agents/{chat}/stop"), json!({}))
        .await;
    assert_eq!(stop.0, StatusCode::OK, "{}", stop.1);

    // Off again: the session is there after all.
    api.clear_faults().await;
    assert_eq!(api.session(&id).await["status"], "completed");
}

// ---------------------------------------------------------------- session_404_fresh

#[tokio::test]
async fn session_404_fresh_hides_new_sessions_for_their_first_gets() {
    let api = Api::start(FAST).await;
    let older = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    api.faults(json!({"session_404_fresh": 2})).await;
    let fresh = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    let other = api.create(json!({"prompt": "q"})).await;

    // Sessions from before the switch are unaffected.
    assert_eq!(
        api.get(&format!("/v3/video-agents/{older}")).await.0,
        StatusCode::OK
    );
    for _ in 0..2 {
        assert_session_404(&api.get(&format!("/v3/video-agents/{fresh}")).await, &fresh);
    }
    // Hidden from the GET only: listed, and its videos readable.
    assert!(api.session_ids().await.contains(&other));
    assert!(api.session_videos(&other).await.len() <= 1);
    // Each session counts its own GETs.
    assert_session_404(&api.get(&format!("/v3/video-agents/{other}")).await, &other);
    let third = api.get(&format!("/v3/video-agents/{fresh}")).await;
    assert_eq!(third.0, StatusCode::OK, "{}", third.1);
    assert_eq!(third.1["data"]["session_id"], fresh.as_str());
    api.wait_for(&fresh, "reviewing").await;
    assert_session_404(&api.get(&format!("/v3/video-agents/{other}")).await, &other);
    assert_eq!(
        api.get(&format!("/v3/video-agents/{other}")).await.0,
        StatusCode::OK
    );

    // Messages reach a session that is still hidden.
    let hidden_chat = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, body) = api.send_message(&hidden_chat, "approve").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_session_404(
        &api.get(&format!("/v3/video-agents/{hidden_chat}")).await,
        &hidden_chat,
    );

    // Reset: a session with 404s still owed reads at once, and new ones are not hidden.
    api.clear_faults().await;
    assert_eq!(
        api.get(&format!("/v3/video-agents/{hidden_chat}")).await.0,
        StatusCode::OK
    );
    let after = api.create(json!({"prompt": "p"})).await;
    assert_eq!(
        api.get(&format!("/v3/video-agents/{after}")).await.0,
        StatusCode::OK
    );
}

// ---------------------------------------------------------------- error_in_200

#[tokio::test]
async fn error_in_200_answers_an_error_envelope_with_status_200() {
    let api = Api::start(FAST).await;
    api.faults(json!({"error_in_200": 2})).await;
    // Refused keys are still refused, and do not use up the switch.
    let anonymous = send(api.http.get(api.url("/v3/video-agents"))).await;
    assert_error(&anonymous, 401, "unauthorized", None);

    let listed = api.get("/v3/video-agents").await;
    let created = api.post("/v3/video-agents", json!({"prompt": "p"})).await;
    for (status, body) in [&listed, &created] {
        assert_eq!(*status, StatusCode::OK, "{body}");
        let object = body.as_object().unwrap();
        assert!(!object.contains_key("data"), "{body}");
        assert_eq!(object.keys().collect::<Vec<_>>(), ["error"], "{body}");
        assert_eq!(body["error"]["code"], "internal_error");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    // The create was not carried out.
    let (status, body) = api.get("/v3/video-agents").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"], json!([]), "{body}");
    let (_, faults) = send(api.http.get(api.url("/_sandbox/faults"))).await;
    assert_eq!(faults["data"]["error_in_200"], 0);

    // Errors inside a 200 and real errors: a 429 comes first and does not use it up.
    api.faults(json!({"error_in_200": 1, "rate_limit": 1}))
        .await;
    let limited = api.get("/v3/voices").await;
    assert_error(&limited, 429, "rate_limit_exceeded", None);
    let wrapped = api.get("/v3/voices").await;
    assert_eq!(wrapped.0, StatusCode::OK);
    assert_eq!(wrapped.1["error"]["code"], "internal_error");
    let normal = api.get("/v3/voices").await;
    assert!(normal.1["data"].is_array(), "{}", normal.1);
}

// ---------------------------------------------------------------- latency_ms

#[tokio::test]
async fn latency_ms_delays_every_v3_answer_and_nothing_else() {
    const LATENCY: Duration = Duration::from_millis(150);
    let api = Api::start(FAST).await;
    let id = api.create(json!({"prompt": "p"})).await;
    api.faults(json!({"latency_ms": 150})).await;
    let (_, shown) = send(api.http.get(api.url("/_sandbox/faults"))).await;
    assert_eq!(shown["data"]["latency_ms"], 150);

    for path in ["/v3/voices".to_owned(), format!("/v3/video-agents/{id}")] {
        let t = Instant::now();
        let (status, body) = api.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(t.elapsed() >= LATENCY, "{path} took {:?}", t.elapsed());
    }
    // Refusals wait too: the delay comes before everything else the gate does.
    let t = Instant::now();
    let anonymous = send(api.http.get(api.url("/v3/voices"))).await;
    assert_error(&anonymous, 401, "unauthorized", None);
    assert!(t.elapsed() >= LATENCY);
    // Requests wait side by side, not one after another.
    let t = Instant::now();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let request = api
                .http
                .get(api.url("/v3/users/me"))
                .header("x-api-key", "k");
            tokio::spawn(send(request))
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().0, StatusCode::OK);
    }
    assert!(t.elapsed() >= LATENCY);
    assert!(
        t.elapsed() < LATENCY * 6,
        "8 requests at once took {:?}",
        t.elapsed()
    );
    // Admin endpoints are not delayed; every /v3 request is still counted.
    let t = Instant::now();
    let (_, stats) = send(api.http.get(api.url("/_sandbox/stats"))).await;
    assert!(t.elapsed() < LATENCY, "stats took {:?}", t.elapsed());
    assert_eq!(stats["data"]["requests_total"], 1 + 2 + 1 + 8);

    for bad in [
        json!(-1),
        json!(60_001),
        json!(1.5),
        json!("50"),
        json!(null),
    ] {
        assert_error(
            &api.set_faults(json!({ "latency_ms": bad })).await,
            400,
            "invalid_parameter",
            Some("latency_ms"),
        );
    }
    let cleared = api.clear_faults().await;
    assert_eq!(cleared["latency_ms"], 0);
    let t = Instant::now();
    assert_eq!(api.get("/v3/voices").await.0, StatusCode::OK);
    assert!(t.elapsed() < LATENCY, "after reset: {:?}", t.elapsed());
}

// ---------------------------------------------------------------- [sandbox:consent]

#[tokio::test]
async fn the_consent_marker_parks_the_session_in_pending_consent_until_stopped() {
    let api = Api::start(FAST).await;
    let id = api
        .create(json!({"prompt": "A video with my twin [Sandbox:Consent]", "mode": "chat"}))
        .await;
    let parked = api.wait_for(&id, "pending_consent").await;
    assert_eq!(parked["progress"], 15);
    assert!(parked["video_id"].is_null());
    assert_eq!(parked["title"], "Sandbox: A video with my twin");
    let newest = &parked["messages"][0];
    assert_eq!(newest["role"], "model");
    assert_eq!(newest["type"], "text");
    assert!(
        newest["content"].as_str().unwrap().contains("consent"),
        "{newest}"
    );
    // No storyboard: consent is needed before the agent goes on.
    assert_eq!(parked["messages"].as_array().unwrap().len(), 2);

    // It stays there: 300 ms at 50× is 15 simulated seconds.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let still = api.session(&id).await;
    assert_eq!(still, parked);
    // No messages while waiting for someone else; nothing rendered.
    let refused = api.send_message(&id, "approve").await;
    assert_error(&refused, 400, "invalid_parameter", None);
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pending_consent")
    );
    assert!(api.session_videos(&id).await.is_empty());

    // Stop ends the run like any unfinished one.
    let stop = api
        .post(&format!("/v3/video-agents/{id}/stop"), json!({}))
        .await;
    assert_eq!(stop.0, StatusCode::OK, "{}", stop.1);
    let stopped = api.session(&id).await;
    assert_eq!(stopped["status"], "failed");
    assert_eq!(stopped["progress"], 15);
    assert!(
        stopped["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Stopped")
    );

    // Generate mode parks the same way; without the marker nothing waits.
    let generate = api.create(json!({"prompt": "p [sandbox:consent]"})).await;
    api.wait_for(&generate, "pending_consent").await;
    let plain = api.create(json!({"prompt": "p"})).await;
    api.wait_for(&plain, "completed").await;
}

#[tokio::test]
async fn the_consent_marker_counts_in_the_prompt_only() {
    let api = Api::start(FAST).await;
    let id = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    api.wait_for(&id, "reviewing").await;
    let (status, body) = api
        .send_message(&id, "use warmer colours [sandbox:consent]")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let revised = api.wait_for(&id, "reviewing").await;
    assert_eq!(revised["messages"][0]["type"], "resource");
}

// ---------------------------------------------------------------- [sandbox:fail-quiet]

#[tokio::test]
async fn the_fail_quiet_marker_fails_without_a_reason() {
    let api = Api::start(FAST).await;
    let id = api
        .create(json!({"prompt": "A quiet one [SANDBOX:fail-quiet]"}))
        .await;
    let session = api.wait_for(&id, "failed").await;
    let video_id = session["video_id"].as_str().unwrap().to_string();
    assert!(
        session["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["type"] != "error"),
        "no error message: {session}"
    );
    let progress = session["progress"].as_u64().unwrap();
    assert!((20..100).contains(&progress), "{progress}");

    let (status, body) = api.get(&format!("/v3/videos/{video_id}")).await;
    assert_eq!(status, StatusCode::OK);
    let video = body["data"].as_object().unwrap();
    assert_eq!(video["status"], "failed");
    assert_eq!(video["title"], "");
    assert!(!video.contains_key("failure_code"), "{body}");
    assert!(!video.contains_key("failure_message"), "{body}");
    assert!(video["video_url"].is_null());
    // Every view of the video says the same.
    let listed = api.session_videos(&id).await;
    assert_eq!(listed[0]["title"], "");
    assert!(!listed[0].as_object().unwrap().contains_key("failure_code"));
    let (_, all) = api.get("/v3/videos?title=quiet").await;
    assert_eq!(all["data"], json!([]), "{all}");

    // In chat mode the marker in a follow-up fails only that render, quietly.
    let chat = api.create(json!({"prompt": "Tea", "mode": "chat"})).await;
    api.wait_for(&chat, "reviewing").await;
    api.send_message(&chat, "approve").await;
    api.wait_for(&chat, "completed").await;
    api.send_message(&chat, "another one [sandbox:fail-quiet]")
        .await;
    api.wait_for(&chat, "failed").await;
    let videos = api.session_videos(&chat).await;
    assert_eq!(videos[0]["status"], "failed");
    assert_eq!(videos[0]["title"], "");
    assert_eq!(videos[1]["status"], "completed");
    assert_eq!(videos[1]["title"], "Sandbox: Tea");
    // The loud marker still explains itself.
    let loud = api.create(json!({"prompt": "p [sandbox:fail]"})).await;
    let failed = api.wait_for(&loud, "failed").await;
    assert_eq!(failed["messages"][0]["type"], "error");
}
