//! The sandbox against HeyGen's contract, over real HTTP: validation (status, code, param
//! for each class of bad request), lifecycles with real media, fault switches,
//! pagination, deletion and concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use heygen_mcp::sandbox::{SANDBOX_INVALID_KEY, Sandbox, SandboxOptions};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
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

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .header("x-api-key", "test-key")
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.request(reqwest::Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.request(reqwest::Method::POST, path).json(&body)).await
    }

    async fn post_raw(&self, path: &str, body: &'static str) -> (StatusCode, Value) {
        let request = self.request(reqwest::Method::POST, path);
        send(
            request
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        send(self.request(reqwest::Method::DELETE, path)).await
    }

    async fn admin(&self, body: Value) {
        let response = self
            .http
            .post(self.url("/_sandbox/faults"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{:?}",
            response.text().await
        );
    }

    /// Creates a session and returns its id.
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

    /// Polls until the session reaches `status`, recording every status seen on the way.
    async fn wait_for(&self, id: &str, status: &str) -> (Value, Vec<String>) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen: Vec<String> = Vec::new();
        loop {
            let session = self.session(id).await;
            let now = session["status"].as_str().unwrap().to_string();
            if seen.last() != Some(&now) {
                seen.push(now.clone());
            }
            if now == status {
                return (session, seen);
            }
            assert!(
                Instant::now() < deadline,
                "session {id} never reached {status}; saw {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn send_message(&self, id: &str, message: &str) {
        let (status, body) = self
            .post(
                &format!("/v3/video-agents/{id}"),
                json!({ "message": message }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"]["run_id"].is_string());
    }

    async fn fetch(&self, url: &str) -> (StatusCode, String, Vec<u8>) {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status();
        let content_type = header(&response, "content-type");
        (
            status,
            content_type,
            response.bytes().await.unwrap().to_vec(),
        )
    }
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }));
    (status, body)
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
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

/// `seen` holds only `expected` statuses, in that order (fast steps may be skipped).
#[track_caller]
fn assert_in_order(seen: &[String], expected: &[&str]) {
    let positions: Vec<Option<usize>> = seen
        .iter()
        .map(|s| expected.iter().position(|e| e == s))
        .collect();
    assert!(
        positions.iter().all(Option::is_some),
        "{seen:?} vs {expected:?}"
    );
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{seen:?} vs {expected:?}"
    );
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    (frame.width, frame.height)
}

// ---------------------------------------------------------------- auth and routing

#[tokio::test]
async fn auth_is_required_on_v3_and_the_documented_key_is_refused() {
    let api = Api::start(FAST).await;
    let url = api.url("/v3/video-agents");
    let missing = send(api.http.get(&url)).await;
    assert_error(&missing, 401, "unauthorized", None);
    let empty = send(api.http.get(&url).header("x-api-key", "")).await;
    assert_error(&empty, 401, "unauthorized", None);
    let invalid = send(api.http.get(&url).header("x-api-key", SANDBOX_INVALID_KEY)).await;
    assert_error(&invalid, 401, "unauthorized", None);
    assert!(
        invalid.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid or expired API key")
    );
    let bearer = send(api.http.get(&url).bearer_auth("oauth-token")).await;
    assert_eq!(bearer.0, StatusCode::OK);
    let response = api.http.get(&url).bearer_auth("t").send().await.unwrap();
    assert!(header(&response, "x-request-id").starts_with("sbx_req_"));
    let bad_bearer = send(api.http.get(&url).bearer_auth(SANDBOX_INVALID_KEY)).await;
    assert_error(&bad_bearer, 401, "unauthorized", None);
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_use_the_error_envelope() {
    let api = Api::start(FAST).await;
    assert_error(&api.get("/v3/nope").await, 404, "not_found", None);
    assert_error(
        &api.get("/v3/video-agents/s/unknown").await,
        404,
        "not_found",
        None,
    );
    let wrong = api.delete("/v3/video-agents").await;
    assert_error(&wrong, 405, "method_not_allowed", None);
    let not_simulated = api.post("/v3/videos", json!({})).await;
    assert_error(&not_simulated, 501, "not_implemented", None);
}

// ---------------------------------------------------------------- create validation

#[tokio::test]
async fn create_accepts_a_valid_request() {
    let api = Api::start(FAST).await;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let full = json!({
        "prompt": "A 30-second video about otters",
        "mode": "generate",
        "avatar_id": null, "voice_id": "sbx_voice_en_sara", "style_id": "sbx_style_cinematic",
        "brand_kit_id": null, "brand_glossary_id": "sbx_glossary_acme", "orientation": "portrait",
        "files": [
            {"type": "url", "url": "https://example.com/a.png"},
            {"type": "base64", "media_type": "image/png", "data": "aGVsbG8="}
        ],
        "callback_url": null, "callback_id": "c1", "incognito_mode": true
    });
    let (status, body) = api.post("/v3/video-agents", full).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    assert_eq!(data["status"], "thinking");
    assert!(data["video_id"].is_null());
    assert!(data["created_at"].as_i64().unwrap() >= before);
    let max = "é".repeat(10_000);
    assert_eq!(
        api.post("/v3/video-agents", json!({ "prompt": max }))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn create_rejects_each_class_of_invalid_body() {
    let api = Api::start(FAST).await;
    let path = "/v3/video-agents";
    assert_error(
        &api.post_raw(path, "{not json").await,
        400,
        "invalid_parameter",
        None,
    );
    assert_error(
        &api.post_raw(path, "[1]").await,
        400,
        "invalid_parameter",
        None,
    );
    assert_error(
        &api.post_raw(path, "").await,
        400,
        "invalid_parameter",
        None,
    );
    let cases = [
        (json!({}), "prompt"),
        (json!({"prompt": ""}), "prompt"),
        (json!({"prompt": "x".repeat(10_001)}), "prompt"),
        (json!({"prompt": 5}), "prompt"),
        (json!({"prompt": "p", "auto_proceed": true}), "auto_proceed"),
        (
            json!({"prompt": "p", "skip_agentic_stop": true}),
            "skip_agentic_stop",
        ),
        (json!({"prompt": "p", "mode": "video"}), "mode"),
        (json!({"prompt": "p", "mode": null}), "mode"),
        (
            json!({"prompt": "p", "orientation": "square"}),
            "orientation",
        ),
        (
            json!({"prompt": "p", "incognito_mode": "yes"}),
            "incognito_mode",
        ),
        (json!({"prompt": "p", "avatar_id": 7}), "avatar_id"),
        (
            json!({"prompt": "p", "brand_glossary_id": ""}),
            "brand_glossary_id",
        ),
        (
            json!({"prompt": "p", "style_id": "no-such-style"}),
            "style_id",
        ),
        (json!({"prompt": "p", "files": "a.png"}), "files"),
        (
            json!({"prompt": "p", "files": [{"type": "url", "url": "https://x.y/a.png", "asset_id": "a"}]}),
            "files[0].asset_id",
        ),
        (
            json!({"prompt": "p", "files": [{"type": "url", "url": "https://x.y/a.png"}, {"type": "base64", "data": "aGVsbG8="}]}),
            "files[1].media_type",
        ),
        (
            json!({"prompt": "p", "files": [{"type": "file", "url": "https://x.y"}]}),
            "files[0].type",
        ),
        (
            json!({"prompt": "p", "files": [{"url": "https://x.y"}]}),
            "files[0].type",
        ),
        (
            json!({"prompt": "p", "files": [{"type": "base64", "media_type": "image/png", "data": "***"}]}),
            "files[0].data",
        ),
        (
            json!({"prompt": "p", "files": [{"type": "url", "url": "not a url"}]}),
            "files[0].url",
        ),
        (
            json!({"prompt": "p", "files": vec![json!({"type": "url", "url": "https://x.y/a.png"}); 21]}),
            "files",
        ),
    ];
    for (body, param) in cases {
        let got = api.post(path, body.clone()).await;
        assert_error(&got, 400, "invalid_parameter", Some(param));
    }
    let unknown_asset = json!({"prompt": "p", "files": [{"type": "url", "url": "https://x.y/a"}, {"type": "asset_id", "asset_id": "nope"}]});
    assert_error(
        &api.post(path, unknown_asset).await,
        400,
        "asset_not_found",
        Some("files[1].asset_id"),
    );
    let twenty = json!({"prompt": "p", "files": vec![json!({"type": "url", "url": "https://x.y/a.png"}); 20]});
    assert_eq!(api.post(path, twenty).await.0, StatusCode::OK);
}

// ---------------------------------------------------------------- query validation

#[tokio::test]
async fn list_queries_are_validated() {
    let api = Api::start(FAST).await;
    let id = api.create(json!({"prompt": "p"})).await;
    let lists = [
        "/v3/video-agents".to_string(),
        "/v3/video-agents/styles".to_string(),
        "/v3/videos".to_string(),
        format!("/v3/video-agents/{id}/videos"),
    ];
    for list in &lists {
        for limit in ["0", "101", "abc", "1.5", ""] {
            let got = api.get(&format!("{list}?limit={limit}")).await;
            assert_error(&got, 400, "invalid_parameter", Some("limit"));
        }
        assert_error(
            &api.get(&format!("{list}?token=forged")).await,
            400,
            "invalid_parameter",
            Some("token"),
        );
        assert_eq!(
            api.get(&format!("{list}?limit=100")).await.0,
            StatusCode::OK
        );
        assert_eq!(api.get(&format!("{list}?limit=1")).await.0, StatusCode::OK);
    }
    assert_error(
        &api.get("/v3/videos?title=").await,
        400,
        "invalid_parameter",
        Some("title"),
    );
    // A token only works on the list that issued it.
    api.create(json!({"prompt": "q"})).await;
    let (_, page) = api.get("/v3/video-agents?limit=1").await;
    let token = page["next_token"].as_str().unwrap();
    let got = api.get(&format!("/v3/videos?token={token}")).await;
    assert_error(&got, 400, "invalid_parameter", Some("token"));
}

#[tokio::test]
async fn unknown_ids_are_404_not_found() {
    let api = Api::start(FAST).await;
    let ghost = "sbx_session_ghost";
    assert_error(
        &api.get(&format!("/v3/video-agents/{ghost}")).await,
        404,
        "not_found",
        None,
    );
    let send = api
        .post(
            &format!("/v3/video-agents/{ghost}"),
            json!({"message": "hi"}),
        )
        .await;
    assert_error(&send, 404, "not_found", None);
    assert_error(
        &api.post(&format!("/v3/video-agents/{ghost}/stop"), json!({}))
            .await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &api.get(&format!("/v3/video-agents/{ghost}/videos")).await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &api.get(&format!("/v3/video-agents/{ghost}/resources/r"))
            .await,
        404,
        "not_found",
        None,
    );
    let id = api.create(json!({"prompt": "p"})).await;
    let resource = api
        .get(&format!("/v3/video-agents/{id}/resources/nope"))
        .await;
    assert_error(&resource, 404, "not_found", None);
    assert!(
        resource.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Resource")
    );
    assert_error(&api.get("/v3/videos/nope").await, 404, "not_found", None);
    assert_error(&api.delete("/v3/videos/nope").await, 404, "not_found", None);
    let complete = api.post("/v3/assets/nope/complete", json!({})).await;
    assert_error(&complete, 404, "asset_not_found", None);
}

#[tokio::test]
async fn stop_requires_an_empty_object_body() {
    let api = Api::start(FAST).await;
    let id = api.create(json!({"prompt": "p"})).await;
    let path = format!("/v3/video-agents/{id}/stop");
    let no_body = send(api.request(reqwest::Method::POST, &path)).await;
    assert_error(&no_body, 400, "invalid_parameter", None);
    assert_error(
        &api.post(&path, json!({"force": true})).await,
        400,
        "invalid_parameter",
        Some("force"),
    );
    assert_error(
        &api.post(&path, json!([])).await,
        400,
        "invalid_parameter",
        None,
    );
    let (status, body) = api.post(&path, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["session_id"], id.as_str());
}

#[tokio::test]
async fn send_message_is_validated_and_chat_only() {
    let api = Api::start(FAST).await;
    let generate = api.create(json!({"prompt": "p"})).await;
    let to_generate = api
        .post(
            &format!("/v3/video-agents/{generate}"),
            json!({"message": "hi"}),
        )
        .await;
    assert_error(&to_generate, 400, "invalid_parameter", None);
    let chat = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    let path = format!("/v3/video-agents/{chat}");
    assert_error(
        &api.post(&path, json!({})).await,
        400,
        "invalid_parameter",
        Some("message"),
    );
    assert_error(
        &api.post(&path, json!({"message": ""})).await,
        400,
        "invalid_parameter",
        Some("message"),
    );
    let long = json!({"message": "x".repeat(10_001)});
    assert_error(
        &api.post(&path, long).await,
        400,
        "invalid_parameter",
        Some("message"),
    );
    let extra = json!({"message": "ok", "auto_proceed": true});
    assert_error(
        &api.post(&path, extra).await,
        400,
        "invalid_parameter",
        Some("auto_proceed"),
    );
    let files = json!({"message": "ok", "files": [{"type": "base64", "data": "aGk="}]});
    assert_error(
        &api.post(&path, files).await,
        400,
        "invalid_parameter",
        Some("files[0].media_type"),
    );
    // While the agent is thinking it does not take messages.
    let stalled = api
        .create(json!({"prompt": "p [sandbox:stall]", "mode": "chat"}))
        .await;
    let busy = api
        .post(
            &format!("/v3/video-agents/{stalled}"),
            json!({"message": "hello?"}),
        )
        .await;
    assert_error(&busy, 400, "invalid_parameter", None);
}

// ---------------------------------------------------------------- assets

fn file_form(part_name: &str, bytes: Vec<u8>, file_name: &str, mime: &str) -> Form {
    let part = Part::bytes(bytes)
        .file_name(file_name.to_string())
        .mime_str(mime)
        .unwrap();
    Form::new().part(part_name.to_string(), part)
}

async fn upload(api: &Api, form: Form) -> (StatusCode, Value) {
    send(
        api.request(reqwest::Method::POST, "/v3/assets")
            .multipart(form),
    )
    .await
}

#[tokio::test]
async fn multipart_upload_accepts_one_file_part_and_its_asset_is_usable() {
    let api = Api::start(FAST).await;
    let png_bytes = {
        let (_, _, bytes) = api
            .fetch(&api.url("/media/styles/sbx_style_retro.png"))
            .await;
        bytes
    };
    let (status, body) = upload(
        &api,
        file_form("file", png_bytes.clone(), "frame.png", "image/png"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    assert_eq!(data["mime_type"], "image/png");
    assert_eq!(data["size_bytes"], png_bytes.len());
    let (status, content_type, served) = api.fetch(data["url"].as_str().unwrap()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "image/png")
    );
    assert_eq!(served, png_bytes);
    let asset_id = data["asset_id"].as_str().unwrap();
    let files = json!([{"type": "asset_id", "asset_id": asset_id}]);
    api.create(json!({"prompt": "p", "files": files})).await;
    // The type may also come from the extension when the part's type is generic.
    let srt = file_form(
        "file",
        b"1\n00:00:00,000 --> 00:00:01,000\nhi\n".to_vec(),
        "a.srt",
        "application/octet-stream",
    );
    let (status, body) = upload(&api, srt).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["mime_type"], "application/x-subrip");
}

#[tokio::test]
async fn multipart_upload_rejects_bad_parts_types_and_sizes() {
    let api = Api::start(FAST).await;
    let wrong_name = upload(
        &api,
        file_form("upload", vec![1, 2, 3], "a.png", "image/png"),
    )
    .await;
    assert_error(&wrong_name, 400, "invalid_parameter", Some("file"));
    let two = file_form("file", vec![1], "a.png", "image/png").part(
        "file",
        Part::bytes(vec![2])
            .file_name("b.png")
            .mime_str("image/png")
            .unwrap(),
    );
    assert_error(
        &upload(&api, two).await,
        400,
        "invalid_parameter",
        Some("file"),
    );
    let gif = upload(
        &api,
        file_form("file", b"GIF89a".to_vec(), "a.gif", "image/gif"),
    )
    .await;
    assert_error(&gif, 400, "invalid_parameter", Some("file"));
    let zip = upload(
        &api,
        file_form("file", vec![1], "a.zip", "application/octet-stream"),
    )
    .await;
    assert_error(&zip, 400, "invalid_parameter", Some("file"));
    let too_large = vec![0u8; 32 * 1024 * 1024 + 1];
    let big = upload(&api, file_form("file", too_large, "big.mp4", "video/mp4")).await;
    assert_error(&big, 400, "invalid_parameter", Some("file"));
    let not_multipart = api.post("/v3/assets", json!({"file": "x"})).await;
    assert_error(&not_multipart, 400, "invalid_parameter", Some("file"));
}

#[tokio::test]
async fn direct_upload_needs_the_put_with_its_headers_before_complete() {
    let api = Api::start(FAST).await;
    let bytes = b"%PDF-1.4 sandbox".to_vec();
    let missing = api
        .post(
            "/v3/assets/direct-uploads",
            json!({"content_type": "application/pdf", "size_bytes": 3}),
        )
        .await;
    assert_error(&missing, 400, "invalid_parameter", Some("filename"));
    let zero = api
        .post(
            "/v3/assets/direct-uploads",
            json!({"filename": "a.pdf", "content_type": "application/pdf", "size_bytes": 0}),
        )
        .await;
    assert_error(&zero, 400, "invalid_parameter", Some("size_bytes"));
    let (status, body) = api
        .post("/v3/assets/direct-uploads", json!({"filename": "doc.pdf", "content_type": "application/pdf", "size_bytes": bytes.len()}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    assert_eq!(data["status"], "pending_upload");
    let asset_id = data["asset_id"].as_str().unwrap();
    let upload_url = data["upload_url"].as_str().unwrap();
    assert!(upload_url.starts_with(api.sandbox.base_url()));
    let complete_path = format!("/v3/assets/{asset_id}/complete");
    assert_error(
        &api.post(&complete_path, json!({})).await,
        409,
        "conflict",
        None,
    );
    // Not yet usable as a file input.
    let early = json!({"prompt": "p", "files": [{"type": "asset_id", "asset_id": asset_id}]});
    assert_error(
        &api.post("/v3/video-agents", early.clone()).await,
        400,
        "asset_not_found",
        Some("files[0].asset_id"),
    );
    let bare_put = api
        .http
        .put(upload_url)
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(bare_put.status(), StatusCode::FORBIDDEN);
    let mut put = api.http.put(upload_url).body(bytes.clone());
    for (name, value) in data["upload_headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
    for _ in 0..2 {
        let (status, done) = api.post(&complete_path, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["data"]["status"], "processing");
        assert_eq!(done["data"]["size_bytes"], bytes.len());
        assert_eq!(done["data"]["mime_type"], "application/pdf");
    }
    assert_eq!(api.post("/v3/video-agents", early).await.0, StatusCode::OK);
}

#[tokio::test]
async fn idempotency_keys_replay_asset_creations() {
    let api = Api::start(FAST).await;
    let form = || file_form("file", b"%PDF-1.4".to_vec(), "a.pdf", "application/pdf");
    let with_key = |key: &str| {
        api.request(reqwest::Method::POST, "/v3/assets")
            .header("Idempotency-Key", key)
    };
    let first = send(with_key("upload-1").multipart(form())).await;
    let again = send(with_key("upload-1").multipart(form())).await;
    assert_eq!(first.0, StatusCode::OK);
    assert_eq!(first, again);
    let other = send(with_key("upload-2").multipart(form())).await;
    assert_ne!(other.1["data"]["asset_id"], first.1["data"]["asset_id"]);
    let bad = send(with_key("not a valid key!").multipart(form())).await;
    assert_error(&bad, 400, "invalid_parameter", Some("Idempotency-Key"));

    let start = || {
        api.request(reqwest::Method::POST, "/v3/assets/direct-uploads")
            .header("Idempotency-Key", "direct-1")
            .json(&json!({"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 10}))
    };
    let (first, again) = (send(start()).await, send(start()).await);
    assert_eq!(first.0, StatusCode::OK);
    assert_eq!(first.1["data"]["asset_id"], again.1["data"]["asset_id"]);
}

// ---------------------------------------------------------------- lifecycles

#[tokio::test]
async fn generate_mode_runs_to_a_completed_video_with_real_media() {
    // Slow enough (a 30-second video takes ~2.4 s) to watch the intermediate states.
    let api = Api::start(2.5).await;
    let id = api
        .create(json!({"prompt": "A 30-second video about lighthouses"}))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let (mut statuses, mut video_statuses, mut progress) = (Vec::new(), Vec::new(), Vec::new());
    let session = loop {
        let session = api.session(&id).await;
        let status = session["status"].as_str().unwrap().to_string();
        if statuses.last() != Some(&status) {
            statuses.push(status.clone());
        }
        progress.push(session["progress"].as_i64().unwrap());
        if let Some(video_id) = session["video_id"].as_str() {
            let (_, video) = api.get(&format!("/v3/videos/{video_id}")).await;
            let video_status = video["data"]["status"].as_str().unwrap().to_string();
            if video_statuses.last() != Some(&video_status) {
                video_statuses.push(video_status);
            }
        }
        if status == "completed" {
            break session;
        }
        assert!(Instant::now() < deadline, "{statuses:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(statuses, ["thinking", "generating", "completed"]);
    assert_eq!(video_statuses.first().map(String::as_str), Some("pending"));
    assert!(
        video_statuses.contains(&"processing".to_string()),
        "{video_statuses:?}"
    );
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert!(progress.iter().any(|p| *p > 20 && *p < 100), "{progress:?}");
    assert_eq!(session["progress"], 100);

    let video_id = session["video_id"].as_str().unwrap();
    let (_, video) = api.get(&format!("/v3/videos/{video_id}")).await;
    let video = &video["data"];
    assert_eq!(video["status"], "completed");
    assert_eq!(video["duration"], 30.0);
    assert!(video["completed_at"].as_i64().unwrap() >= video["created_at"].as_i64().unwrap());
    assert!(video["failure_code"].is_null());
    let (status, content_type, mp4) = api.fetch(video["video_url"].as_str().unwrap()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "video/mp4")
    );
    assert_eq!(&mp4[4..8], b"ftyp");
    let (_, content_type, captioned) = api
        .fetch(video["captioned_video_url"].as_str().unwrap())
        .await;
    assert_eq!(
        (content_type.as_str(), &captioned[4..8]),
        ("video/mp4", &b"ftyp"[..])
    );
    let (_, _, thumbnail) = api.fetch(video["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(png_size(&thumbnail), (320, 180));
    let (_, _, srt) = api.fetch(video["subtitle_url"].as_str().unwrap()).await;
    let srt = String::from_utf8(srt).unwrap();
    let cues: Vec<&str> = srt.trim_end().split("\n\n").collect();
    assert_eq!(cues.len(), 3, "{srt}");
    for (i, cue) in cues.iter().enumerate() {
        let lines: Vec<&str> = cue.lines().collect();
        assert_eq!(lines[0], (i + 1).to_string());
        assert!(lines[1].contains(" --> ") && lines[1].len() == 29, "{cue}");
        assert!(!lines[2].is_empty());
    }
    assert!(srt.contains("00:00:20,000 --> 00:00:30,000"));

    let storyboard = session["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "resource")
        .expect("a storyboard message");
    let resource_id = storyboard["resource_ids"][0].as_str().unwrap();
    let (_, resource) = api
        .get(&format!("/v3/video-agents/{id}/resources/{resource_id}"))
        .await;
    let (_, _, frame) = api.fetch(resource["data"]["url"].as_str().unwrap()).await;
    assert_eq!(png_size(&frame), (640, 360));

    let (_, videos) = api.get(&format!("/v3/video-agents/{id}/videos")).await;
    assert_eq!(videos["data"][0]["id"], video_id);
    assert_eq!(videos["has_more"], false);
    assert!(videos["next_token"].is_null());
}

#[tokio::test]
async fn chat_mode_reviews_revises_approves_and_makes_a_follow_up_video() {
    // 10×: every step lasts at least 100 ms, long enough for polling to see it.
    let api = Api::start(10.0).await;
    let id = api
        .create(json!({"prompt": "A portrait 45-second video about tea", "mode": "chat"}))
        .await;
    let (session, seen) = api.wait_for(&id, "reviewing").await;
    assert_in_order(&seen, &["thinking", "reviewing"]);
    let first = &session["messages"][0];
    assert_eq!(
        (first["role"].as_str(), first["type"].as_str()),
        (Some("model"), Some("resource"))
    );
    assert!(first["content"].as_str().unwrap().contains("approve"));
    let first_ids: Vec<String> = serde_json::from_value(first["resource_ids"].clone()).unwrap();
    assert_eq!(first_ids.len(), 4, "45 s gets four scenes");
    for (i, resource_id) in first_ids.iter().enumerate() {
        let (status, resource) = api
            .get(&format!("/v3/video-agents/{id}/resources/{resource_id}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let resource = &resource["data"];
        assert_eq!(
            (
                resource["resource_type"].as_str(),
                resource["source_type"].as_str()
            ),
            (Some("image"), Some("generated"))
        );
        assert_eq!(resource["metadata"]["scene"], i + 1);
        let (_, content_type, bytes) = api.fetch(resource["url"].as_str().unwrap()).await;
        assert_eq!(content_type, "image/png");
        assert_eq!(png_size(&bytes), (360, 640));
    }

    api.send_message(&id, "Use warmer colours please").await;
    assert_eq!(api.session(&id).await["messages"][0]["role"], "user");
    let (session, _) = api.wait_for(&id, "reviewing").await;
    let revised = &session["messages"][0];
    assert!(
        revised["content"]
            .as_str()
            .unwrap()
            .contains("warmer colours")
    );
    let revised_ids: Vec<String> = serde_json::from_value(revised["resource_ids"].clone()).unwrap();
    assert!(
        revised_ids.iter().all(|r| !first_ids.contains(r)),
        "a revision makes new resources"
    );
    assert!(session["video_id"].is_null());

    api.send_message(&id, "Looks good, go ahead").await;
    let (session, seen) = api.wait_for(&id, "completed").await;
    assert_in_order(&seen, &["generating", "completed"]);
    let first_video = session["video_id"].as_str().unwrap().to_string();

    api.send_message(&id, "Now make a 15-second cut").await;
    let (session, seen) = api.wait_for(&id, "completed").await;
    assert_in_order(&seen, &["thinking", "generating", "completed"]);
    let second_video = session["video_id"].as_str().unwrap().to_string();
    assert_ne!(first_video, second_video);
    let (_, videos) = api.get(&format!("/v3/video-agents/{id}/videos")).await;
    let ids: Vec<&str> = videos["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second_video.as_str(), first_video.as_str()]);
    assert_eq!(videos["data"][0]["duration"], 15.0);
    assert_eq!(videos["data"][1]["duration"], 45.0);

    let messages = session["messages"].as_array().unwrap();
    let times: Vec<i64> = messages
        .iter()
        .map(|m| m["created_at"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let users: Vec<&str> = messages
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        users,
        [
            "Now make a 15-second cut",
            "Looks good, go ahead",
            "Use warmer colours please",
            "A portrait 45-second video about tea"
        ]
    );
    assert!(
        messages
            .iter()
            .filter(|m| m["role"] == "user")
            .all(|m| m["type"] == "text")
    );
}

#[tokio::test]
async fn messages_are_capped_at_forty_newest_first() {
    let api = Api::start(200.0).await;
    let id = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    api.wait_for(&id, "reviewing").await;
    for round in 0..22 {
        api.send_message(&id, &format!("change number {round}"))
            .await;
        api.wait_for(&id, "reviewing").await;
    }
    let messages = api.session(&id).await["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(messages.len(), 40);
    assert!(
        messages[0]["content"]
            .as_str()
            .unwrap()
            .contains("change number 21")
    );
    assert_eq!(messages[1]["content"], "change number 21");
}

#[tokio::test]
async fn a_question_waits_for_input_before_the_storyboard() {
    let api = Api::start(FAST).await;
    let id = api
        .create(json!({"prompt": "p [sandbox:ask]", "mode": "chat"}))
        .await;
    let (session, _) = api.wait_for(&id, "waiting_for_input").await;
    assert_eq!(session["messages"][0]["type"], "text");
    api.send_message(&id, "casual").await;
    api.wait_for(&id, "reviewing").await;
}

// ---------------------------------------------------------------- stop, failure, stall

#[tokio::test]
async fn stop_halts_a_thinking_or_generating_session() {
    let api = Api::start(2.0).await;
    let stalled = api
        .create(json!({"prompt": "p [sandbox:stall]", "mode": "chat"}))
        .await;
    api.post(&format!("/v3/video-agents/{stalled}/stop"), json!({}))
        .await;
    let session = api.session(&stalled).await;
    assert_eq!(session["status"], "failed");
    assert!(session["video_id"].is_null());

    // At 2× a 30-second video renders for 2.5 s: plenty of time to stop it midway.
    let id = api.create(json!({"prompt": "p"})).await;
    let (session, _) = api.wait_for(&id, "generating").await;
    let video_id = session["video_id"].as_str().unwrap();
    let (status, _) = api
        .post(&format!("/v3/video-agents/{id}/stop"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let session = api.session(&id).await;
    assert_eq!(session["status"], "failed");
    assert!(session["progress"].as_i64().unwrap() < 100);
    let (_, video) = api.get(&format!("/v3/videos/{video_id}")).await;
    assert_eq!(video["data"]["status"], "failed");
    assert_eq!(video["data"]["failure_code"], "stopped");
    assert!(video["data"]["video_url"].is_null());
    // The storyboard made before the stop is still there.
    let storyboard = session["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "resource")
        .cloned()
        .unwrap();
    let resource_id = storyboard["resource_ids"][0].as_str().unwrap();
    assert_eq!(
        api.get(&format!("/v3/video-agents/{id}/resources/{resource_id}"))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn stopping_a_finished_session_changes_nothing() {
    let api = Api::start(FAST).await;
    let id = api.create(json!({"prompt": "p"})).await;
    api.wait_for(&id, "completed").await;
    assert_eq!(
        api.post(&format!("/v3/video-agents/{id}/stop"), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(api.session(&id).await["status"], "completed");
}

#[tokio::test]
async fn the_fail_marker_fails_the_render_and_the_session() {
    let api = Api::start(FAST).await;
    let id = api
        .create(json!({"prompt": "A video [sandbox:fail]"}))
        .await;
    let (session, seen) = api.wait_for(&id, "failed").await;
    assert!(
        seen.contains(&"generating".to_string()) || seen.len() == 1,
        "{seen:?}"
    );
    assert_eq!(session["messages"][0]["type"], "error");
    let video_id = session["video_id"].as_str().unwrap();
    let (_, video) = api.get(&format!("/v3/videos/{video_id}")).await;
    let video = &video["data"];
    assert_eq!(video["status"], "failed");
    assert_eq!(video["failure_code"], "sandbox_render_failed");
    assert!(
        video["failure_message"]
            .as_str()
            .unwrap()
            .contains("[sandbox:fail]")
    );
    assert!(video["video_url"].is_null());

    // In chat mode the marker in a follow-up fails only that render.
    let chat = api.create(json!({"prompt": "p", "mode": "chat"})).await;
    api.wait_for(&chat, "reviewing").await;
    api.send_message(&chat, "approve").await;
    api.wait_for(&chat, "completed").await;
    api.send_message(&chat, "another one [sandbox:fail]").await;
    api.wait_for(&chat, "failed").await;
    let (_, videos) = api.get(&format!("/v3/video-agents/{chat}/videos")).await;
    let statuses: Vec<&str> = videos["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["failed", "completed"]);
}

#[tokio::test]
async fn the_stall_marker_keeps_a_session_thinking() {
    let api = Api::start(FAST).await;
    let id = api.create(json!({"prompt": "p [sandbox:stall]"})).await;
    // 300 ms at 50× is 15 simulated seconds, far past any normal thinking step.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let session = api.session(&id).await;
    assert_eq!(session["status"], "thinking");
    assert!(session["progress"].as_i64().unwrap() < 20);
    assert!(session["video_id"].is_null());
}

// ---------------------------------------------------------------- fault switches

#[tokio::test]
async fn rate_limit_fault_answers_429_with_retry_after() {
    let api = Api::start(FAST).await;
    api.admin(json!({"rate_limit": 2, "retry_after": 7})).await;
    for _ in 0..2 {
        let response = api
            .request(reqwest::Method::GET, "/v3/video-agents")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(header(&response, "retry-after"), "7");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "rate_limit_exceeded");
    }
    assert_eq!(api.get("/v3/video-agents").await.0, StatusCode::OK);
}

#[tokio::test]
async fn server_error_fault_answers_5xx_as_html_or_json() {
    let api = Api::start(FAST).await;
    api.admin(json!({"server_error": 1, "status": 502, "html": true}))
        .await;
    let response = api
        .request(reqwest::Method::GET, "/v3/videos")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(header(&response, "content-type").starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("<html>"));
    api.admin(json!({"server_error": 1, "status": 503, "html": false}))
        .await;
    assert_error(&api.get("/v3/videos").await, 503, "internal_error", None);
    assert_eq!(api.get("/v3/videos").await.0, StatusCode::OK);
    let bad = api
        .http
        .post(api.url("/_sandbox/faults"))
        .json(&json!({"status": 404}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn expired_media_is_403_and_get_video_signs_fresh_urls() {
    let api = Api::start(FAST).await;
    let id = api.create(json!({"prompt": "p"})).await;
    let (session, _) = api.wait_for(&id, "completed").await;
    let video_path = format!("/v3/videos/{}", session["video_id"].as_str().unwrap());
    api.admin(json!({"expire_media": true})).await;
    let (_, video) = api.get(&video_path).await;
    let url = video["data"]["video_url"].as_str().unwrap().to_string();
    let (status, content_type, body) = api.fetch(&url).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(content_type, "application/xml");
    assert!(String::from_utf8(body).unwrap().contains("AccessDenied"));
    let unsigned = url.split('?').next().unwrap();
    assert_eq!(api.fetch(unsigned).await.0, StatusCode::FORBIDDEN);

    api.admin(json!({"expire_media": false})).await;
    let (_, video) = api.get(&video_path).await;
    let fresh = video["data"]["video_url"].as_str().unwrap();
    assert_ne!(fresh, url);
    assert_eq!(api.fetch(fresh).await.0, StatusCode::OK);
}

// ---------------------------------------------------------------- pagination, deletion

/// Follows next_token to the end; returns every item's `key`.
async fn walk(api: &Api, path: &str, key: &str) -> (Vec<String>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = match &token {
            Some(token) => format!("{path}{separator}token={token}"),
            None => path.to_string(),
        };
        let (status, page) = api.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages += 1;
        items.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i[key].as_str().unwrap().to_string()),
        );
        assert_eq!(page["has_more"], page["next_token"].is_string());
        match page["next_token"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => return (items, pages),
        }
    }
}

#[tokio::test]
async fn pagination_walks_every_list_newest_first() {
    let api = Api::start(FAST).await;
    let mut created = Vec::new();
    for i in 0..23 {
        created.push(
            api.create(json!({"prompt": format!("video number {i}")}))
                .await,
        );
    }
    created.reverse();
    let (sessions, pages) = walk(&api, "/v3/video-agents?limit=10", "session_id").await;
    assert_eq!((sessions.clone(), pages), (created.clone(), 3));
    let (_, default_page) = api.get("/v3/video-agents").await;
    assert_eq!(default_page["data"].as_array().unwrap().len(), 20);

    for id in &created {
        api.wait_for(id, "completed").await;
    }
    let (_, first_page) = api.get("/v3/videos").await;
    assert_eq!(
        first_page["data"].as_array().unwrap().len(),
        10,
        "GET /v3/videos defaults to 10"
    );
    let (videos, pages) = walk(&api, "/v3/videos", "id").await;
    assert_eq!((videos.len(), pages), (23, 3));
    assert_eq!(videos.iter().collect::<HashSet<_>>().len(), 23);
    let (_, newest) = api.get(&format!("/v3/video-agents/{}", created[0])).await;
    assert_eq!(videos[0], newest["data"]["video_id"].as_str().unwrap());
    let (titled, _) = walk(&api, "/v3/videos?title=NUMBER%2017", "id").await;
    assert_eq!(titled.len(), 1);
    let (foldered, _) = walk(&api, "/v3/videos?folder_id=f1", "id").await;
    assert!(foldered.is_empty());

    let (styles, pages) = walk(&api, "/v3/video-agents/styles?limit=4", "style_id").await;
    assert_eq!((styles.len(), pages), (6, 2));
    let (_, cinematic) = api.get("/v3/video-agents/styles?tag=cinematic").await;
    let cinematic = cinematic["data"].as_array().unwrap().clone();
    assert_eq!(cinematic.len(), 2);
    assert!(
        cinematic
            .iter()
            .all(|s| s["tags"].as_array().unwrap().contains(&json!("cinematic")))
    );
    let (_, content_type, thumb) = api
        .fetch(cinematic[0]["thumbnail_url"].as_str().unwrap())
        .await;
    assert_eq!(content_type, "image/png");
    assert_eq!(png_size(&thumb), (320, 180));
}

#[tokio::test]
async fn deleted_videos_are_gone_everywhere() {
    let api = Api::start(FAST).await;
    let id = api.create(json!({"prompt": "p"})).await;
    let (session, _) = api.wait_for(&id, "completed").await;
    let video_id = session["video_id"].as_str().unwrap();
    let (status, body) = api.delete(&format!("/v3/videos/{video_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"], json!({"id": video_id, "deleted": true}));
    assert_error(
        &api.get(&format!("/v3/videos/{video_id}")).await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &api.delete(&format!("/v3/videos/{video_id}")).await,
        404,
        "not_found",
        None,
    );
    assert!(
        api.get("/v3/videos").await.1["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (_, videos) = api.get(&format!("/v3/video-agents/{id}/videos")).await;
    assert!(videos["data"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------- video scenes

/// The object's keys are exactly `keys`: `VideoScenesResponse` and its parts allow no others.
#[track_caller]
fn assert_keys(item: &Value, keys: &[&str]) {
    let mut got: Vec<&str> = item
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = keys.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "{item}");
}

async fn scenes(api: &Api, video_id: &str) -> Value {
    let (status, body) = api.get(&format!("/v3/videos/{video_id}/scenes")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    assert_keys(data, &["video_id", "video", "scenes"]);
    assert_eq!(data["video_id"], video_id);
    assert_keys(
        &data["video"],
        &[
            "title",
            "aspect_ratio",
            "resolution",
            "caption",
            "brand_glossary_id",
        ],
    );
    let scenes = data["scenes"].as_array().unwrap();
    let mut ids = HashSet::new();
    for scene in scenes {
        assert_keys(scene, &["id", "background", "elements", "script"]);
        assert_keys(&scene["background"], &["type", "color"]);
        assert!(ids.insert(scene["id"].as_str().unwrap().to_string()));
        for element in scene["elements"].as_array().unwrap() {
            assert_keys(element, &["id", "type", "avatar_id"]);
            assert!(ids.insert(element["id"].as_str().unwrap().to_string()));
        }
        for entry in scene["script"].as_array().unwrap() {
            assert_keys(entry, &["id", "type", "text", "voice_id"]);
            assert_eq!(entry["type"], "text");
            assert!(ids.insert(entry["id"].as_str().unwrap().to_string()));
        }
    }
    data.clone()
}

/// The storyboard's scene texts, from its newest storyboard message.
fn storyboard_texts(session: &Value) -> Vec<String> {
    let storyboard = session["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "resource")
        .unwrap();
    storyboard["content"]
        .as_str()
        .unwrap()
        .lines()
        .filter_map(|line| {
            let (number, text) = line.split_once(". ")?;
            number.parse::<u32>().ok()?;
            Some(text.to_string())
        })
        .collect()
}

#[tokio::test]
async fn video_scenes_describe_completed_videos_only() {
    // 5×: a 45-second video renders for 1.5 s, long enough to ask while it renders.
    let api = Api::start(5.0).await;
    let id = api
        .create(json!({
            "prompt": "A 45-second video about tea",
            "avatar_id": "sbx_look_anna_business",
            "voice_id": "sbx_voice_en_sara",
            "brand_kit_id": "sbx_brand_acme",
            "brand_glossary_id": "sbx_glossary_acme"
        }))
        .await;
    let (session, _) = api.wait_for(&id, "generating").await;
    let video_id = session["video_id"].as_str().unwrap().to_string();
    let path = format!("/v3/videos/{video_id}/scenes");
    let early = api.get(&path).await;
    assert_error(&early, 400, "invalid_parameter", Some("video_id"));
    assert!(
        early.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("completed")
    );

    let (session, _) = api.wait_for(&id, "completed").await;
    let data = scenes(&api, &video_id).await;
    let (_, video) = api.get(&format!("/v3/videos/{video_id}")).await;
    assert_eq!(
        data["video"],
        json!({
            "title": video["data"]["title"],
            "aspect_ratio": "16:9",
            "resolution": "1080p",
            "caption": {"enabled": true},
            "brand_glossary_id": "sbx_glossary_acme",
        })
    );
    let texts = storyboard_texts(&session);
    assert_eq!(texts.len(), 4, "a 45-second video has four scenes");
    let scenes_list = data["scenes"].as_array().unwrap();
    assert_eq!(scenes_list.len(), texts.len());
    for (scene, text) in scenes_list.iter().zip(&texts) {
        // The brand kit's primary colour fills the frame.
        assert_eq!(
            scene["background"],
            json!({"type": "color", "color": "#E4572E"})
        );
        let elements = scene["elements"].as_array().unwrap();
        assert_eq!(elements.len(), 1);
        assert_eq!(elements[0]["type"], "avatar");
        assert_eq!(elements[0]["avatar_id"], "sbx_look_anna_business");
        assert_eq!(scene["script"][0]["text"], text.as_str());
        assert_eq!(scene["script"][0]["voice_id"], "sbx_voice_en_sara");
    }

    // No choices: the default colour, no avatar element, no voice; portrait is 9:16.
    let chat = api
        .create(json!({"prompt": "A portrait video about otters", "mode": "chat"}))
        .await;
    api.wait_for(&chat, "reviewing").await;
    api.send_message(&chat, "approve").await;
    let (session, _) = api.wait_for(&chat, "completed").await;
    let first = session["video_id"].as_str().unwrap().to_string();
    let plain = scenes(&api, &first).await;
    assert_eq!(plain["video"]["aspect_ratio"], "9:16");
    assert!(plain["video"]["brand_glossary_id"].is_null());
    for scene in plain["scenes"].as_array().unwrap() {
        assert_eq!(scene["background"]["color"], "#1E3A5F");
        assert_eq!(scene["elements"], json!([]));
        assert!(scene["script"][0]["voice_id"].is_null());
    }
    // A follow-up's avatar and brand kit shape the next video, not the earlier one.
    let (status, body) = api
        .post(
            &format!("/v3/video-agents/{chat}"),
            json!({
                "message": "Again with Daniel",
                "avatar_id": "sbx_look_daniel_casual",
                "brand_kit_id": "sbx_brand_northwind"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let second = loop {
        let session = api.session(&chat).await;
        let video = session["video_id"].as_str().unwrap().to_string();
        if video != first && session["status"] == "completed" {
            break video;
        }
        assert!(Instant::now() < deadline, "no second video: {session}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let again = scenes(&api, &second).await;
    for scene in again["scenes"].as_array().unwrap() {
        assert_eq!(scene["background"]["color"], "#3B2314");
        assert_eq!(scene["elements"][0]["avatar_id"], "sbx_look_daniel_casual");
    }
    assert_eq!(scenes(&api, &first).await, plain);

    // A failed video has no scenes to describe; unknown and deleted ones are not found.
    let failing = api.create(json!({"prompt": "p [sandbox:fail]"})).await;
    let (session, _) = api.wait_for(&failing, "failed").await;
    let failed = session["video_id"].as_str().unwrap();
    let got = api.get(&format!("/v3/videos/{failed}/scenes")).await;
    assert_error(&got, 400, "invalid_parameter", Some("video_id"));
    assert!(
        got.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("failed")
    );
    let unknown = api.get("/v3/videos/sbx_video_999999/scenes").await;
    assert_error(&unknown, 404, "not_found", None);
    api.delete(&format!("/v3/videos/{first}")).await;
    let deleted = api.get(&format!("/v3/videos/{first}/scenes")).await;
    assert_error(&deleted, 404, "not_found", None);
    assert_error(
        &api.post(&path, json!({})).await,
        405,
        "method_not_allowed",
        None,
    );
    let anonymous = send(api.http.get(api.url(&path))).await;
    assert_error(&anonymous, 401, "unauthorized", None);
}

// ---------------------------------------------------------------- concurrency, lifecycle of the server

#[tokio::test]
async fn twenty_concurrent_sessions_progress_independently() {
    let api = std::sync::Arc::new(Api::start(FAST).await);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            // Different lengths finish at different times; odd ones fail on purpose.
            let marker = if i % 2 == 1 { " [sandbox:fail]" } else { "" };
            let prompt = format!("A {}-second video, session {i}{marker}", 10 + 5 * i);
            let id = api.create(json!({ "prompt": prompt })).await;
            let want = if marker.is_empty() {
                "completed"
            } else {
                "failed"
            };
            let (session, _) = api.wait_for(&id, want).await;
            (i, session["video_id"].as_str().unwrap().to_string())
        }));
    }
    let mut video_ids = HashSet::new();
    for task in tasks {
        let (i, video_id) = task.await.unwrap();
        let (_, video) = api.get(&format!("/v3/videos/{video_id}")).await;
        let expected = if i % 2 == 1 { "failed" } else { "completed" };
        assert_eq!(video["data"]["status"], expected);
        if i % 2 == 0 {
            assert_eq!(
                video["data"]["duration"].as_f64().unwrap(),
                f64::from(10 + 5 * i)
            );
        }
        video_ids.insert(video_id);
    }
    assert_eq!(video_ids.len(), 20);
}

#[tokio::test]
async fn request_count_and_stats_count_v3_requests_only() {
    let api = Api::start(FAST).await;
    api.get("/v3/video-agents").await;
    send(api.http.get(api.url("/v3/videos"))).await;
    api.fetch(&api.url("/media/styles/sbx_style_print.png"))
        .await;
    api.admin(json!({})).await;
    assert_eq!(api.sandbox.request_count(), 2);
    let stats: Value = api
        .http
        .get(api.url("/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["data"]["requests_total"], 2);
    assert_eq!(stats["data"]["by_route"]["GET /v3/video-agents"], 1);
    assert_eq!(stats["data"]["by_route"]["GET /v3/videos"], 1);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let api = Api::start(FAST).await;
    let url = api.url("/v3/video-agents");
    let http = api.http.clone();
    api.sandbox.shutdown().await;
    assert!(
        http.get(&url)
            .header("x-api-key", "k")
            .send()
            .await
            .is_err()
    );

    let api = Api::start(FAST).await;
    let url = api.url("/v3/video-agents");
    drop(api.sandbox);
    let fresh = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while fresh
        .get(&url)
        .header("x-api-key", "k")
        .send()
        .await
        .is_ok()
    {
        assert!(Instant::now() < deadline, "the server outlived its Sandbox");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_router_can_be_embedded_and_builds_urls_from_the_host() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    assert_eq!(SandboxOptions::default().time_scale, 1.0);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = heygen_mcp::sandbox::router(SandboxOptions { time_scale: FAST });
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let (status, body) = send(
        http.get(format!("http://{addr}/v3/video-agents/styles"))
            .header("x-api-key", "k"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let thumbnail = body["data"][0]["thumbnail_url"].as_str().unwrap();
    assert!(
        thumbnail.starts_with(&format!("http://{addr}/media/")),
        "{thumbnail}"
    );
    server.abort();
}
