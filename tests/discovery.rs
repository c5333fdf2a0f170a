//! Discovery through the MCP server against a strict loopback fake: a model picks a female
//! English voice and a business-looking avatar look, passes their ids to create, and learns
//! what the account has left to spend.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use common::{KEY, assert_valid_output, call, is_error, serve_with_key, text};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn data(value: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "data": value }))
}

fn page(items: Value, next: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({ "data": items, "has_more": next.is_some(), "next_token": next }))
}

fn query_count(n: usize) -> impl Fn(&Request) -> bool {
    move |r: &Request| r.url.query_pairs().count() == n
}

fn look(id: &str, name: &str, tags: &[&str]) -> Value {
    json!({
        "id": id, "name": name, "avatar_type": "studio_avatar", "group_id": "ag_anna",
        "preview_image_url": format!("https://files.heygen.ai/look/{id}.jpg"),
        "preview_video_url": "https://files.heygen.ai/look/x.mp4", "gender": "female", "tags": tags,
        "default_voice_id": "v_sara", "supported_api_engines": ["avatar_iv"], "image_width": 1920,
        "image_height": 1080, "preferred_orientation": "landscape", "status": "completed"
    })
}

#[tokio::test]
async fn a_model_can_choose_a_voice_and_a_look_and_check_the_budget() {
    let fake = MockServer::start().await;
    let key = || header("x-api-key", KEY);
    Mock::given(method("GET")).and(path("/v3/avatars")).and(key()).and(query_param("ownership", "public")).and(query_count(1))
        .respond_with(page(json!([{"id": "ag_anna", "name": "Anna", "gender": "female", "created_at": 1, "looks_count": 2, "default_voice_id": "v_sara", "preview_image_url": "https://files.heygen.ai/a.jpg"}]), Some("g2")))
        .expect(1).mount(&fake).await;
    Mock::given(method("GET"))
        .and(path("/v3/avatars/ag_anna"))
        .and(key())
        .respond_with(data(
            json!({"id": "ag_anna", "name": "Anna", "created_at": 1, "looks_count": 2}),
        ))
        .expect(1)
        .mount(&fake)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/avatars/looks"))
        .and(key())
        .and(query_param("group_id", "ag_anna"))
        .and(query_param("avatar_type", "studio_avatar"))
        .and(query_param("limit", "50"))
        .and(query_count(3))
        .respond_with(page(
            json!([
                look("lk_business", "Business Suit", &["business", "formal"]),
                look("lk_casual", "Casual", &["casual"])
            ]),
            None,
        ))
        .expect(1)
        .mount(&fake)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/avatars/looks/lk_business"))
        .and(key())
        .respond_with(data(look("lk_business", "Business Suit", &["business"])))
        .expect(1)
        .mount(&fake)
        .await;
    Mock::given(method("GET")).and(path("/v3/voices")).and(key()).and(query_param("language", "English")).and(query_param("gender", "female")).and(query_param("type", "public")).and(query_count(3))
        .respond_with(page(json!([{"voice_id": "v_sara", "name": "Sara", "language": "English", "gender": "female", "preview_audio_url": "https://files.heygen.ai/v.mp3", "support_pause": true, "support_locale": false, "type": "public"}]), None))
        .expect(1).mount(&fake).await;
    Mock::given(method("GET")).and(path("/v3/voices/v_sara")).and(key())
        .respond_with(data(json!({"voice_id": "v_sara", "name": "Sara", "language": "English", "gender": "female", "status": "complete", "support_pause": true})))
        .expect(1).mount(&fake).await;
    Mock::given(method("GET")).and(path("/v3/users/me")).and(key())
        .respond_with(data(json!({"username": "u_1", "email": "jane@example.com", "first_name": "Jane", "last_name": "Doe", "billing_type": "wallet", "wallet": {"currency": "usd", "remaining_balance": 125.5, "auto_reload": {"enabled": false}}})))
        .expect(1).mount(&fake).await;
    Mock::given(method("POST")).and(path("/v3/video-agents")).and(key())
        .and(body_json(json!({"prompt": "A 30-second welcome video", "avatar_id": "lk_business", "voice_id": "v_sara"})))
        .respond_with(data(json!({"session_id": "s_1", "status": "thinking", "created_at": 1})))
        .expect(1).mount(&fake).await;

    let served = serve_with_key(&fake.uri(), &[]).await;
    let tools: HashMap<String, rmcp::model::Tool> = served
        .client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.name.to_string(), t))
        .collect();
    let run = async |tool: &str, args: Value| {
        let result = call(&served, tool, args).await;
        assert_valid_output(tools[tool].output_schema.as_ref().unwrap(), &result);
        result.structured_content.unwrap()
    };
    let groups = run("list_avatar_groups", json!({"ownership": "public"})).await;
    assert_eq!(groups["groups"][0]["group_id"], "ag_anna");
    assert_eq!(groups["next_token"], "g2");
    run("get_avatar_group", json!({"group_id": "ag_anna"})).await;
    let looks = run(
        "list_avatar_looks",
        json!({"group_id": "ag_anna", "avatar_type": "studio_avatar", "limit": 50}),
    )
    .await;
    let business = looks["looks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["tags"].as_array().unwrap().contains(&json!("business")))
        .unwrap();
    assert_eq!(business["avatar_id"], "lk_business");
    assert_eq!(business["default_voice_id"], "v_sara");
    assert!(
        business.get("preview_video_url").is_none()
            && business.get("supported_api_engines").is_none(),
        "trimmed: {business}"
    );
    run("get_avatar_look", json!({"look_id": "lk_business"})).await;
    let voices = run(
        "list_voices",
        json!({"language": "English", "gender": "female", "type": "public"}),
    )
    .await;
    assert_eq!(voices["voices"][0]["voice_id"], "v_sara");
    assert_eq!(
        voices["voices"][0]["preview_audio_url"],
        "https://files.heygen.ai/v.mp3"
    );
    run("get_voice", json!({"voice_id": "v_sara"})).await;
    let account = run("get_current_user", json!({})).await;
    assert_eq!(account["wallet_balance"], 125.5);
    assert_eq!(account["summary"], "Left to spend: wallet 125.50 USD.");
    run("create_video_agent", json!({"prompt": "A 30-second welcome video", "avatar_id": business["avatar_id"], "voice_id": "v_sara"})).await;
    fake.verify().await;
}

#[tokio::test]
async fn unknown_ids_point_to_the_tool_that_lists_them() {
    let fake = MockServer::start().await;
    let error = |status: u16, code: &str, param: Option<&str>| {
        ResponseTemplate::new(status)
            .set_body_json(json!({"error": {"code": code, "message": "not known", "param": param}}))
    };
    Mock::given(path("/v3/voices/v_nope"))
        .respond_with(error(404, "not_found", None))
        .mount(&fake)
        .await;
    Mock::given(path("/v3/avatars/looks/lk_nope"))
        .respond_with(error(404, "not_found", None))
        .mount(&fake)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/video-agents"))
        .and(body_json(json!({"prompt": "p", "voice_id": "v_nope"})))
        .respond_with(error(400, "voice_not_found", Some("voice_id")))
        .mount(&fake)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/video-agents"))
        .and(body_json(json!({"prompt": "p", "avatar_id": "ag_group"})))
        .respond_with(error(400, "avatar_not_found", Some("avatar_id")))
        .mount(&fake)
        .await;
    let served = serve_with_key(&fake.uri(), &[]).await;
    for (tool, args, remedy) in [
        ("get_voice", json!({"voice_id": "v_nope"}), "list_voices"),
        (
            "get_avatar_look",
            json!({"look_id": "lk_nope"}),
            "list_avatar_looks",
        ),
        (
            "create_video_agent",
            json!({"prompt": "p", "voice_id": "v_nope"}),
            "list_voices",
        ),
        (
            "create_video_agent",
            json!({"prompt": "p", "avatar_id": "ag_group"}),
            "must be a look id",
        ),
        ("list_avatar_looks", json!({"limit": 51}), "`limit`"),
        ("list_voices", json!({"type": "shared"}), "`type`"),
        (
            "list_avatar_groups",
            json!({"ownership": "everyone"}),
            "`ownership`",
        ),
        (
            "get_current_user",
            json!({"verbose": true}),
            "unknown argument",
        ),
    ] {
        let result = call(&served, tool, args.clone()).await;
        assert!(is_error(&result), "{tool} {args}");
        assert!(
            text(&result).contains(remedy),
            "{tool} {args}: {}",
            text(&result)
        );
    }
}

#[tokio::test]
async fn accounts_of_every_billing_type_say_what_is_left() {
    let fake = MockServer::start().await;
    let served = serve_with_key(&fake.uri(), &[]).await;
    let cases = [
        (
            json!({"username": "u", "email": null, "first_name": null, "last_name": null, "billing_type": "subscription",
                "subscription": {"plan": "team", "credits": {"premium_credits": {"remaining": 500, "resets_at": "2026-12-01T00:00:00Z"}, "add_on_credits": {"remaining": 20}}}}),
            "Left to spend: 520 credits.",
        ),
        (
            json!({"username": "u", "email": null, "first_name": null, "last_name": null, "billing_type": "usage_based",
                "usage_based": {"spending_current_usd": 42.5, "spending_cap_usd": 100.0, "remaining_credits": 4426.9}}),
            "Left to spend: 4426.9 credits, 57.50 USD of a 100.00 USD spending cap.",
        ),
        (
            json!({"username": "u", "email": null, "first_name": null, "last_name": null}),
            "did not report a balance",
        ),
    ];
    for (user, summary) in cases {
        fake.reset().await;
        Mock::given(path("/v3/users/me"))
            .respond_with(data(user))
            .mount(&fake)
            .await;
        let account = call(&served, "get_current_user", json!({})).await;
        assert!(!is_error(&account), "{}", text(&account));
        let summary_text = account.structured_content.unwrap()["summary"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(summary_text.contains(summary), "{summary_text}");
    }
}
