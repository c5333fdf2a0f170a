//! The inline views (MCP Apps) from the protocol side: what a client that renders them sees
//! (links on tools, `show_video`, the app-only `follow_video`, the documents with their
//! Content-Security-Policy), and that a client that does not is shown nothing new. The
//! views themselves are tested in a real browser (tests/views).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, ExtensionCapabilities, Implementation,
    ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};

/// A client that renders views.
#[derive(Clone)]
struct Host;

impl ClientHandler for Host {
    fn get_info(&self) -> ClientConfig {
        let mut extensions = ExtensionCapabilities::new();
        extensions.insert(
            "io.modelcontextprotocol/ui".into(),
            json!({"mimeTypes": ["text/html;profile=mcp-app"]})
                .as_object()
                .unwrap()
                .clone(),
        );
        let mut capabilities = ClientCapabilities::default();
        capabilities.extensions = Some(extensions);
        ClientConfig::new(capabilities, Implementation::new("view-host", "1.0"))
    }
}

async fn host(
    args: &[&str],
    base: &str,
    home: &std::path::Path,
) -> RunningService<RoleClient, Host> {
    let command = common::command(
        args,
        &[("HEYGEN_API_KEY", common::KEY), ("HEYGEN_API_BASE", base)],
        home,
    );
    Host.serve(
        TokioChildProcess::builder(command)
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
            .0,
    )
    .await
    .unwrap()
}

fn call(name: &str, args: Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name.to_owned()).with_arguments(args.as_object().unwrap().clone())
}

#[tokio::test]
async fn a_client_that_renders_views_gets_links_tools_and_documents() {
    let sandbox = Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxOptions { time_scale: 20.0 },
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let client = host(&["--sandbox"], sandbox.base_url(), home.path()).await;
    let offered = client.peer_info().unwrap().capabilities.clone();
    assert!(
        offered.resources.is_some(),
        "resources offered: {offered:?}"
    );
    let tools = client.list_all_tools().await.unwrap();
    let meta = |name: &str| {
        let tool = tools
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} listed"));
        serde_json::to_value(&tool.meta).unwrap()
    };
    assert_eq!(
        meta("show_video")["ui"]["resourceUri"],
        "ui://heygen/player.html"
    );
    assert_eq!(
        meta("get_video")["ui/resourceUri"],
        "ui://heygen/player.html"
    );
    assert_eq!(
        meta("wait_for_video")["ui"]["resourceUri"],
        "ui://heygen/storyboard.html"
    );
    assert_eq!(meta("follow_video")["ui"]["visibility"], json!(["app"]));
    assert_eq!(
        meta("create_video_agent"),
        Value::Null,
        "tools no view shows carry nothing"
    );
    insta::assert_json_snapshot!(
        "tools_list_for_a_view_host",
        tools
            .iter()
            .map(|t| json!({"name": t.name, "_meta": t.meta}))
            .collect::<Vec<_>>()
    );

    let resources = client.list_all_resources().await.unwrap();
    assert_eq!(resources.len(), 2);
    for uri in ["ui://heygen/player.html", "ui://heygen/storyboard.html"] {
        let read = client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap();
        let ResourceContents::TextResourceContents {
            mime_type,
            text,
            meta,
            ..
        } = &read.contents[0]
        else {
            panic!("a text document")
        };
        assert_eq!(mime_type.as_deref(), Some("text/html;profile=mcp-app"));
        assert!(text.len() <= 60 * 1024, "{uri} is {} bytes", text.len());
        assert!(text.to_ascii_lowercase().starts_with("<!doctype html>"));
        let csp = serde_json::to_value(meta).unwrap()["ui"]["csp"].clone();
        // --sandbox: exactly the sandbox server's own origin, nothing else.
        assert_eq!(csp["resourceDomains"].as_array().unwrap().len(), 1, "{csp}");
        assert!(
            csp["resourceDomains"][0]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
        assert!(csp.get("connectDomains").is_none());
    }

    // The app-only tool follows a session to its storyboard, frames and all.
    let created = client
        .call_tool(call(
            "create_video_agent",
            json!({"prompt": "A 30-second video", "mode": "chat"}),
        ))
        .await
        .unwrap();
    let session = created.structured_content.unwrap()["session_id"].clone();
    let mut state = Value::Null;
    for _ in 0..100 {
        let followed = client
            .call_tool(call("follow_video", json!({"session_id": session})))
            .await
            .unwrap();
        state = followed.structured_content.unwrap();
        if state["state"] != "working" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state["state"], "needs_input", "{state}");
    assert_eq!(state["can_answer"], true);
    let frames = state["frames"].as_array().unwrap();
    assert!(
        !frames.is_empty()
            && frames
                .iter()
                .all(|f| f["url"].as_str().unwrap().contains("/media/storyboards/"))
    );
}

#[tokio::test]
async fn views_can_be_turned_off_and_plain_clients_see_nothing_new() {
    let home = tempfile::tempdir().unwrap();
    let client = host(&["--no-ui"], "http://127.0.0.1:9", home.path()).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(
        tools
            .iter()
            .all(|t| t.meta.is_none() && t.name != "show_video" && t.name != "follow_video")
    );
    assert!(
        client
            .read_resource(ReadResourceRequestParams::new("ui://heygen/player.html"))
            .await
            .is_err()
    );
    // A plain client (no extension): the same 25 tools as ever, no links (the tools/list
    // snapshot in tests/mcp.rs holds the whole list).
    let plain = common::serve(&[], &[]).await;
    let tools = plain.client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 25);
    assert!(tools.iter().all(|t| t.meta.is_none()));
    assert!(plain.client.list_all_resources().await.unwrap().is_empty());
    let offered = &plain.client.peer_info().unwrap().capabilities;
    assert!(
        offered.resources.is_none() && offered.tools.is_some(),
        "the capabilities a plain client always saw: {offered:?}"
    );
}
