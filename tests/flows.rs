//! A model's typical flows through the real binary against the sandbox: chat with review, a
//! one-shot video with a chosen avatar, voice and brand kit, a wrong id, failed renders, and
//! a read-only server. Every result the "model" gets must either be a final answer or name a
//! tool it can call — and never a tool that is not listed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call, is_error, text};
use heygen_mcp::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

/// Every tool any configuration can list.
const KNOWN: &[&str] = &[
    "create_video_agent",
    "delete_video",
    "download_video",
    "get_avatar_group",
    "get_avatar_look",
    "get_brand_kit",
    "get_current_user",
    "get_video",
    "get_video_agent_resource",
    "get_video_agent_session",
    "get_video_scenes",
    "get_voice",
    "list_avatar_groups",
    "list_avatar_looks",
    "list_brand_glossaries",
    "list_brand_kits",
    "list_video_agent_session_videos",
    "list_video_agent_sessions",
    "list_video_agent_styles",
    "list_videos",
    "list_voices",
    "send_video_agent_message",
    "stop_video_agent_session",
    "upload_asset",
    "wait_for_video",
];

/// A scripted model: it calls tools and checks every answer against what it can call.
struct Model {
    served: common::Served,
    listed: Vec<String>,
    calls: usize,
}

/// Whether the model is done after this result, or must be told what to call.
#[derive(PartialEq)]
enum Expect {
    Final,
    Guided,
}

impl Model {
    async fn start(base: &str, args: &[&str], output: &std::path::Path) -> Self {
        let served = common::serve(
            args,
            &[
                ("HEYGEN_API_KEY", "sk-flows-0123456789"),
                ("HEYGEN_API_BASE", base),
                ("HEYGEN_OUTPUT_DIR", output.to_str().unwrap()),
            ],
        )
        .await;
        let listed = served
            .client
            .list_all_tools()
            .await
            .unwrap()
            .iter()
            .map(|t| t.name.to_string())
            .collect();
        Self {
            served,
            listed,
            calls: 0,
        }
    }

    /// Calls a tool and checks what it says: no unlisted tool named; a result the model is
    /// not done with names a listed tool.
    async fn call(&mut self, tool: &str, args: Value, expect: Expect) -> (bool, Value, String) {
        assert!(
            self.listed.iter().any(|l| l == tool),
            "{tool} is not listed"
        );
        self.calls += 1;
        let result = call(&self.served, tool, args).await;
        let said = text(&result);
        let words: Vec<&str> = said
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        let named: Vec<&str> = KNOWN
            .iter()
            .copied()
            .filter(|name| words.contains(name))
            .collect();
        for name in &named {
            assert!(
                self.listed.iter().any(|l| l == name),
                "{tool} told the model to use {name}, which is not listed:\n{said}"
            );
        }
        if expect == Expect::Guided {
            assert!(
                !named.is_empty(),
                "{tool} left the model without a next tool:\n{said}"
            );
        }
        (
            is_error(&result),
            result.structured_content.clone().unwrap_or(Value::Null),
            said,
        )
    }

    /// Waits until the state is not still_running, as a model following next_step would.
    async fn wait(&mut self, args: Value) -> Value {
        for _ in 0..30 {
            let (failed, outcome, said) = self
                .call("wait_for_video", args.clone(), Expect::Guided)
                .await;
            assert!(!failed, "{said}");
            if outcome["state"] != "still_running" {
                return outcome;
            }
        }
        panic!("the wait never ended")
    }
}

async fn sandbox() -> Sandbox {
    Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxOptions { time_scale: 20.0 },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn chat_with_review_revision_and_approval() {
    let sandbox = sandbox().await;
    let out = tempfile::tempdir().unwrap();
    let mut model = Model::start(sandbox.base_url(), &[], out.path()).await;
    let (_, looks, _) = model
        .call(
            "list_avatar_looks",
            json!({"ownership": "public", "limit": 3}),
            Expect::Guided,
        )
        .await;
    let avatar = looks["looks"][0]["avatar_id"].as_str().unwrap().to_owned();
    let (_, created, _) = model
        .call(
            "create_video_agent",
            json!({"prompt": "A 30-second video about otters", "mode": "chat", "avatar_id": avatar}),
            Expect::Guided,
        )
        .await;
    let session = json!({"session_id": created["session_id"]});
    let review = model.wait(session.clone()).await;
    assert_eq!(review["state"], "needs_input", "{review}");
    let frame = review["messages"][0]["resource_ids"][0].clone();
    let (_, resource, _) = model
        .call(
            "get_video_agent_resource",
            json!({"session_id": created["session_id"], "resource_id": frame}),
            Expect::Guided,
        )
        .await;
    assert_eq!(resource["resource_type"], "image");
    model
        .call(
            "send_video_agent_message",
            json!({"session_id": created["session_id"], "message": "Make the intro shorter"}),
            Expect::Guided,
        )
        .await;
    let revised = model.wait(session.clone()).await;
    assert_eq!(revised["state"], "needs_input", "{revised}");
    assert_ne!(
        revised["messages"][0], review["messages"][0],
        "a new storyboard"
    );
    model
        .call(
            "send_video_agent_message",
            json!({"session_id": created["session_id"], "message": "Looks good, render it"}),
            Expect::Guided,
        )
        .await;
    let done = model.wait(session).await;
    assert_eq!(done["state"], "completed", "{done}");
    let (_, saved, _) = model
        .call(
            "download_video",
            json!({"video_id": done["video_id"]}),
            Expect::Final,
        )
        .await;
    assert!(std::path::Path::new(saved["path"].as_str().unwrap()).exists());
}

#[tokio::test]
async fn one_shot_with_a_chosen_avatar_voice_and_brand_kit() {
    let sandbox = sandbox().await;
    let out = tempfile::tempdir().unwrap();
    let mut model = Model::start(sandbox.base_url(), &[], out.path()).await;
    let (_, voices, _) = model
        .call(
            "list_voices",
            json!({"language": "English"}),
            Expect::Guided,
        )
        .await;
    let voice = voices["voices"][0]["voice_id"].clone();
    // A code instead of a name: the model is told what the filter takes.
    let (_, none, said) = model
        .call("list_voices", json!({"language": "en"}), Expect::Final)
        .await;
    assert!(none["voices"].as_array().unwrap().is_empty());
    assert!(said.contains("English"), "{said}");
    let (_, kits, _) = model
        .call("list_brand_kits", json!({}), Expect::Guided)
        .await;
    let kit = kits["brand_kits"][0]["brand_kit_id"].clone();
    model
        .call(
            "get_brand_kit",
            json!({"brand_kit_id": kit}),
            Expect::Guided,
        )
        .await;
    let (_, created, _) = model
        .call(
            "create_video_agent",
            json!({"prompt": "A 30-second launch video", "avatarId": "sbx_look_anna_business",
                   "voice_id": voice, "brand_kit_id": kit}),
            Expect::Guided,
        )
        .await;
    let done = model
        .wait(json!({"session_id": created["session_id"]}))
        .await;
    assert_eq!(done["state"], "completed", "{done}");
    let (_, scenes, _) = model
        .call(
            "get_video_scenes",
            json!({"video_id": done["video_id"]}),
            Expect::Final,
        )
        .await;
    assert_eq!(
        scenes["scenes"][0]["avatar_ids"],
        json!(["sbx_look_anna_business"])
    );
    assert_eq!(scenes["scenes"][0]["voice_id"], voice);
}

#[tokio::test]
async fn a_wrong_id_and_failed_renders_point_the_way() {
    let sandbox = sandbox().await;
    let out = tempfile::tempdir().unwrap();
    let mut model = Model::start(sandbox.base_url(), &[], out.path()).await;
    let (failed, _, said) = model
        .call(
            "create_video_agent",
            json!({"prompt": "p", "avatar_id": "Bryce_public_1"}),
            Expect::Guided,
        )
        .await;
    assert!(failed && said.contains("list_avatar_looks"), "{said}");
    let (failed, _, said) = model
        .call(
            "create_video_agent",
            json!({"prompt": "p", "brand_kit_id": "sbx_brand_nope"}),
            Expect::Guided,
        )
        .await;
    assert!(failed && said.contains("list_brand_kits"), "{said}");
    let (failed, _, said) = model
        .call(
            "get_video",
            json!({"video_id": "v_does_not_exist"}),
            Expect::Guided,
        )
        .await;
    assert!(failed && said.contains("list_videos"), "{said}");
    for (prompt, words) in [
        ("A 30-second video [sandbox:fail]", "sandbox"),
        ("A 30-second video [sandbox:fail-quiet]", "gave no reason"),
    ] {
        let (_, created, _) = model
            .call(
                "create_video_agent",
                json!({"prompt": prompt}),
                Expect::Guided,
            )
            .await;
        let done = model
            .wait(json!({"session_id": created["session_id"]}))
            .await;
        assert_eq!(done["state"], "failed", "{done}");
        let next = done["next_step"].as_str().unwrap();
        assert!(
            next.contains(words) && next.contains("create_video_agent"),
            "{next}"
        );
    }
}

#[tokio::test]
async fn a_read_only_server_follows_without_naming_writers() {
    let sandbox = sandbox().await;
    let out = tempfile::tempdir().unwrap();
    let mut writer = Model::start(sandbox.base_url(), &[], out.path()).await;
    let (_, created, _) = writer
        .call(
            "create_video_agent",
            json!({"prompt": "A 30-second video", "mode": "chat"}),
            Expect::Guided,
        )
        .await;
    let mut reader = Model::start(sandbox.base_url(), &["--read-only"], out.path()).await;
    assert!(!reader.listed.iter().any(|t| t == "create_video_agent"));
    let (_, sessions, _) = reader
        .call("list_video_agent_sessions", json!({}), Expect::Guided)
        .await;
    assert_eq!(sessions["sessions"][0]["session_id"], created["session_id"]);
    // The storyboard waits for the user; a read-only server says where to answer it.
    let review = reader
        .wait(json!({"session_id": created["session_id"]}))
        .await;
    assert_eq!(review["state"], "needs_input");
    assert!(
        review["next_step"]
            .as_str()
            .unwrap()
            .contains("app.heygen.com")
    );
    let (_, session, _) = reader
        .call(
            "get_video_agent_session",
            json!({"session_id": created["session_id"]}),
            Expect::Final,
        )
        .await;
    assert_eq!(session["status"], "reviewing");
    assert!(reader.calls >= 3);
}
