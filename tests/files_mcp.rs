//! Local files through the MCP server: downloads land atomically and refresh expired links,
//! uploads below and above 32 MB, path items become asset ids, escapes from the allowed
//! directories are refused, storyboard images come back inline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use base64::Engine;
use common::{call, is_error, text};
use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

struct Setup {
    sandbox: Sandbox,
    served: common::Served,
    allowed: tempfile::TempDir,
    output: tempfile::TempDir,
    _outside: tempfile::TempDir,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxOptions { time_scale: 20.0 },
    )
    .await
    .unwrap();
    let allowed = tempfile::tempdir().unwrap();
    let output = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let served = common::serve(
        &[],
        &[
            ("HEYGEN_API_KEY", "k"),
            ("HEYGEN_API_BASE", sandbox.base_url()),
            ("HEYGEN_ALLOWED_DIRS", allowed.path().to_str().unwrap()),
            ("HEYGEN_OUTPUT_DIR", output.path().to_str().unwrap()),
        ],
    )
    .await;
    Setup {
        sandbox,
        served,
        allowed,
        output,
        _outside: outside,
    }
}

fn ok(result: &rmcp::model::CallToolResult) -> Value {
    assert!(!is_error(result), "tool failed: {}", text(result));
    result.structured_content.clone().unwrap()
}

async fn finished_video(served: &common::Served) -> String {
    let created = ok(&call(
        served,
        "create_video_agent",
        json!({"prompt": "A 30-second video about files"}),
    )
    .await);
    for _ in 0..10 {
        let waited = ok(&call(
            served,
            "wait_for_video",
            json!({"session_id": created["session_id"]}),
        )
        .await);
        if waited["state"] == "completed" {
            return waited["video_id"].as_str().unwrap().to_owned();
        }
    }
    panic!("video never completed");
}

fn png_bytes() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

#[tokio::test]
async fn download_lands_atomically_and_never_overwrites_by_default() {
    let s = setup().await;
    let video_id = finished_video(&s.served).await;
    let result = call(&s.served, "download_video", json!({"video_id": video_id})).await;
    let saved = ok(&result);
    let saved_path = Path::new(saved["path"].as_str().unwrap()).to_path_buf();
    assert!(
        saved_path.starts_with(s.output.path().canonicalize().unwrap()),
        "{saved}"
    );
    assert!(
        saved_path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .contains(&video_id)
    );
    let bytes = std::fs::read(&saved_path).unwrap();
    assert_eq!(bytes.len() as u64, saved["size_bytes"].as_u64().unwrap());
    assert_eq!(&bytes[4..8], b"ftyp", "a real MP4");
    assert_eq!(saved["uri"], format!("file://{}", saved_path.display()));
    let link = result.content.iter().find_map(|c| match c {
        rmcp::model::ContentBlock::ResourceLink(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(link.unwrap().uri, saved["uri"].as_str().unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(s.output.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary file left behind: {leftovers:?}"
    );

    let again = call(&s.served, "download_video", json!({"video_id": video_id})).await;
    assert!(
        is_error(&again) && text(&again).contains("overwrite=true"),
        "{}",
        text(&again)
    );
    let replaced = ok(&call(
        &s.served,
        "download_video",
        json!({"video_id": video_id, "overwrite": true}),
    )
    .await);
    assert_eq!(replaced["path"], saved["path"]);

    let srt = ok(&call(
        &s.served,
        "download_video",
        json!({"video_id": video_id, "asset": "subtitles", "file_name": "captions"}),
    )
    .await);
    assert!(
        srt["path"].as_str().unwrap().ends_with("/captions.srt"),
        "{srt}"
    );
    let text_srt = std::fs::read_to_string(srt["path"].as_str().unwrap()).unwrap();
    assert!(
        text_srt.starts_with("1\n") && text_srt.contains(" --> "),
        "{text_srt}"
    );

    for bad in ["../escape.mp4", "sub/dir.mp4", ".hidden"] {
        let refused = call(
            &s.served,
            "download_video",
            json!({"video_id": video_id, "file_name": bad}),
        )
        .await;
        assert!(is_error(&refused), "{bad} accepted");
    }
}

#[tokio::test]
async fn an_expired_link_is_refreshed_before_downloading() {
    let fake = MockServer::start().await;
    let video = |url: &str| {
        ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "v_1", "status": "completed", "video_url": url, "title": "Quarterly update"}}))
    };
    Mock::given(method("GET"))
        .and(path("/v3/videos/v_1"))
        .respond_with(video(&format!("{}/media/old.mp4", fake.uri())))
        .up_to_n_times(2)
        .expect(2)
        .mount(&fake)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/videos/v_1"))
        .respond_with(video(&format!("{}/media/new.mp4", fake.uri())))
        .expect(1)
        .mount(&fake)
        .await;
    Mock::given(method("GET"))
        .and(path("/media/old.mp4"))
        .respond_with(ResponseTemplate::new(403).set_body_string("<Error>AccessDenied</Error>"))
        .expect(1)
        .mount(&fake)
        .await;
    Mock::given(method("GET"))
        .and(path("/media/new.mp4"))
        .and(|r: &wiremock::Request| !r.headers.contains_key("x-api-key"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "video/mp4")
                .set_body_bytes(b"\0\0\0\x18ftypmp42fresh".to_vec()),
        )
        .expect(1)
        .mount(&fake)
        .await;
    let output = tempfile::tempdir().unwrap();
    let served = common::serve(
        &[],
        &[
            ("HEYGEN_API_KEY", "k"),
            ("HEYGEN_API_BASE", &fake.uri()),
            ("HEYGEN_OUTPUT_DIR", output.path().to_str().unwrap()),
        ],
    )
    .await;
    // The first get_video belongs to the check that the video exists; the link it gives is stale.
    ok(&call(&served, "get_video", json!({"video_id": "v_1"})).await);
    let saved = ok(&call(&served, "download_video", json!({"video_id": "v_1"})).await);
    assert!(
        saved["path"]
            .as_str()
            .unwrap()
            .ends_with("quarterly-update-v_1.mp4"),
        "{saved}"
    );
    assert_eq!(
        std::fs::read(saved["path"].as_str().unwrap()).unwrap(),
        b"\0\0\0\x18ftypmp42fresh"
    );
    fake.verify().await;
}

#[tokio::test]
async fn uploads_small_and_large_files_and_path_items_become_asset_ids() {
    let s = setup().await;
    let small = s.allowed.path().join("slide.png");
    std::fs::write(&small, png_bytes()).unwrap();
    let uploaded = ok(&call(
        &s.served,
        "upload_asset",
        json!({"path": small.to_str().unwrap()}),
    )
    .await);
    assert_eq!(uploaded["mime_type"], "image/png");
    assert_eq!(uploaded["size_bytes"], 72);
    let small_id = uploaded["asset_id"].as_str().unwrap().to_owned();

    // Over 32 MB: the direct-upload route (start, PUT, complete).
    let large = s.allowed.path().join("footage.mp4");
    let mut bytes = b"\0\0\0\x18ftypmp42".to_vec();
    bytes.resize(33 * 1024 * 1024, 7);
    std::fs::write(&large, &bytes).unwrap();
    let big = ok(&call(
        &s.served,
        "upload_asset",
        json!({"path": large.to_str().unwrap()}),
    )
    .await);
    assert_eq!(big["size_bytes"], 33 * 1024 * 1024);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stats: Value = reqwest::get(format!("{}/_sandbox/stats", s.sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let routes = stats["data"]["by_route"].as_object().unwrap();
    let hits = |needle: &str| {
        routes
            .iter()
            .filter(|(route, _)| route.contains(needle))
            .map(|(_, n)| n.as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        hits("direct-uploads"),
        1,
        "the large file took the direct route: {routes:?}"
    );
    assert_eq!(hits("complete"), 1, "{routes:?}");
    assert_ne!(big["asset_id"], small_id.as_str());

    let deck = s.allowed.path().join("deck.pdf");
    std::fs::write(&deck, b"%PDF-1.4 a tiny deck").unwrap();
    let created = ok(&call(
        &s.served,
        "create_video_agent",
        json!({"prompt": "A 30-second video from my deck", "files": [
            {"type": "path", "path": deck.to_str().unwrap()},
            {"type": "asset_id", "asset_id": small_id}
        ]}),
    )
    .await);
    assert!(created["session_id"].is_string());
    // The sandbox only accepts asset ids it issued: the path item was uploaded first.
    let bogus = call(
        &s.served,
        "create_video_agent",
        json!({"prompt": "x", "files": [{"type": "asset_id", "asset_id": "not_uploaded"}]}),
    )
    .await;
    assert!(is_error(&bogus));

    // Path items work on a chat reply too.
    let chat = ok(&call(
        &s.served,
        "create_video_agent",
        json!({"prompt": "A 30-second video", "mode": "chat"}),
    )
    .await);
    let review = ok(&call(
        &s.served,
        "wait_for_video",
        json!({"session_id": chat["session_id"]}),
    )
    .await);
    assert_eq!(review["state"], "needs_input");
    let reply = call(
        &s.served,
        "send_video_agent_message",
        json!({"session_id": chat["session_id"], "message": "Use this slide for the opening", "files": [{"type": "path", "path": small.to_str().unwrap()}]}),
    )
    .await;
    ok(&reply);
}

#[tokio::test]
async fn escapes_from_the_allowed_directories_are_refused_before_sending() {
    let s = setup().await;
    let secret = s._outside.path().join("secret.png");
    std::fs::write(&secret, png_bytes()).unwrap();
    std::os::unix::fs::symlink(&secret, s.allowed.path().join("link.png")).unwrap();
    std::fs::write(s.allowed.path().join("fake.png"), b"not a png at all").unwrap();
    std::fs::write(s.allowed.path().join("notes.txt"), b"hello").unwrap();
    std::fs::create_dir(s.allowed.path().join("folder.png")).unwrap();
    let fifo = s.allowed.path().join("pipe.png");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let inside = s.allowed.path().to_str().unwrap();
    let before = s.sandbox.request_count();
    let cases = [
        (
            secret.to_str().unwrap().to_owned(),
            "outside the directories",
        ),
        (
            format!(
                "{inside}/../{}/secret.png",
                s._outside.path().file_name().unwrap().to_str().unwrap()
            ),
            "outside the directories",
        ),
        (format!("{inside}/link.png"), "outside the directories"),
        ("/dev/null".to_owned(), "outside the directories"),
        (format!("{inside}/missing.png"), "no such file"),
        (format!("{inside}/fake.png"), "does not look like"),
        (format!("{inside}/notes.txt"), "type HeyGen does not accept"),
        (format!("{inside}/folder.png"), "is a directory"),
        (format!("{inside}/pipe.png"), "not a regular file"),
    ];
    for (path, expected) in &cases {
        let refused = call(&s.served, "upload_asset", json!({"path": path})).await;
        assert!(is_error(&refused), "{path} accepted");
        assert!(
            text(&refused).contains(expected),
            "{path}: {}",
            text(&refused)
        );
        let as_item = call(
            &s.served,
            "create_video_agent",
            json!({"prompt": "p", "files": [{"type": "path", "path": path}]}),
        )
        .await;
        assert!(
            is_error(&as_item) && text(&as_item).contains("files[0]"),
            "{path}: {}",
            text(&as_item)
        );
    }
    assert_eq!(
        s.sandbox.request_count(),
        before,
        "nothing was sent for refused files"
    );
}

#[tokio::test]
async fn storyboard_frames_and_thumbnails_come_back_as_images() {
    let s = setup().await;
    let created = ok(&call(
        &s.served,
        "create_video_agent",
        json!({"prompt": "A 30-second tour", "mode": "chat"}),
    )
    .await);
    let review = ok(&call(
        &s.served,
        "wait_for_video",
        json!({"session_id": created["session_id"]}),
    )
    .await);
    let resource_id = review["messages"][0]["resource_ids"][0].clone();
    let result = call(
        &s.served,
        "get_video_agent_resource",
        json!({"session_id": created["session_id"], "resource_id": resource_id}),
    )
    .await;
    let image = result
        .content
        .iter()
        .find_map(|c| c.as_image().cloned())
        .expect("an image block");
    assert_eq!(image.mime_type, "image/png");
    let png = base64::engine::general_purpose::STANDARD
        .decode(&image.data)
        .unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let without = call(&s.served, "get_video_agent_resource", json!({"session_id": created["session_id"], "resource_id": resource_id, "include_image": false})).await;
    assert!(without.content.iter().all(|c| c.as_image().is_none()));

    let video_id = finished_video(&s.served).await;
    let with_thumb = call(
        &s.served,
        "get_video",
        json!({"video_id": video_id, "include_thumbnail": true}),
    )
    .await;
    assert!(with_thumb.content.iter().any(|c| c.as_image().is_some()));
}

/// A client that offers one root, as an IDE does for the open project.
#[derive(Clone)]
struct WithRoots(std::path::PathBuf);

#[allow(deprecated)] // Roots are deprecated for 2026-07-28 sessions; this client speaks 2025-11-25.
impl rmcp::ClientHandler for WithRoots {
    fn get_info(&self) -> rmcp::model::ClientConfig {
        let capabilities = rmcp::model::ClientCapabilities::builder()
            .enable_roots()
            .build();
        rmcp::model::ClientConfig::new(
            capabilities,
            rmcp::model::Implementation::new("roots-test", "0"),
        )
    }

    async fn list_roots(
        &self,
        _: rmcp::service::RequestContext<rmcp::RoleClient>,
    ) -> Result<rmcp::model::ListRootsResult, rmcp::ErrorData> {
        let uri = url::Url::from_directory_path(&self.0).unwrap().to_string();
        Ok(rmcp::model::ListRootsResult::new(vec![
            rmcp::model::Root::new(uri),
        ]))
    }
}

#[tokio::test]
async fn the_clients_roots_are_allowed_and_anchor_relative_paths() {
    use rmcp::ServiceExt;
    let sandbox = Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxOptions { time_scale: 20.0 },
    )
    .await
    .unwrap();
    let project = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("deck.pdf"),
        b"%PDF-1.4 the project's deck",
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let command = common::command(
        &[],
        &[
            ("HEYGEN_API_KEY", "k"),
            ("HEYGEN_API_BASE", sandbox.base_url()),
            // Only an unrelated directory is configured: the project is reachable through the root alone.
            ("HEYGEN_ALLOWED_DIRS", elsewhere.path().to_str().unwrap()),
            ("HEYGEN_OUTPUT_DIR", elsewhere.path().to_str().unwrap()),
        ],
        home.path(),
    );
    let transport = rmcp::transport::TokioChildProcess::new(command).unwrap();
    let client = WithRoots(project.path().to_path_buf())
        .serve(transport)
        .await
        .unwrap();
    let upload = |path: &str| {
        let Value::Object(args) = json!({"path": path}) else {
            unreachable!()
        };
        client
            .call_tool(rmcp::model::CallToolRequestParams::new("upload_asset").with_arguments(args))
    };
    let relative = upload("deck.pdf").await.unwrap();
    assert_ne!(relative.is_error, Some(true), "{:?}", relative.content);
    assert_eq!(
        relative.structured_content.unwrap()["file_name"],
        "deck.pdf"
    );
    let outside = upload("/etc/hostname").await.unwrap();
    assert_eq!(outside.is_error, Some(true));
    let message = outside.content[0].as_text().unwrap().text.clone();
    assert!(message.contains("outside the directories"), "{message}");
}
