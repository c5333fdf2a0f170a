//! The sandbox's avatar, voice, account and brand endpoints against HeyGen's contract, over
//! real HTTP: shapes (required fields per schema), filters, pagination, validation (status,
//! code, param), auth, counting, faults, real preview media and logos, and Video Agent's
//! checks of `avatar_id` / `voice_id` / `brand_kit_id` / `brand_glossary_id` against the
//! catalogue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use heygen_mcp::sandbox::{SANDBOX_INVALID_KEY, Sandbox, SandboxOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};

const GROUP_REQUIRED: &[&str] = &["id", "name", "created_at", "looks_count"];
const LOOK_REQUIRED: &[&str] = &["id", "name", "avatar_type"];
const VOICE_ITEM_REQUIRED: &[&str] = &[
    "voice_id",
    "name",
    "language",
    "gender",
    "support_pause",
    "support_locale",
    "type",
];
const CATALOGUE_ROUTES: &[&str] = &[
    "/v3/avatars",
    "/v3/avatars/sbx_group_anna",
    "/v3/avatars/looks",
    "/v3/avatars/looks/sbx_look_anna_business",
    "/v3/voices",
    "/v3/voices/sbx_voice_en_sara",
    "/v3/users/me",
    "/v3/brand-kits",
    "/v3/brand-kits/sbx_brand_acme",
    "/v3/brand-glossaries",
    "/v3/brand-glossaries/sbx_glossary_acme",
];
const BRAND_KIT_KEYS: &[&str] = &["brand_kit_id", "name", "logo_url", "colors"];
const BRAND_KIT_DETAIL_KEYS: &[&str] = &[
    "brand_kit_id",
    "name",
    "status",
    "colors",
    "color_roles",
    "logos",
    "logo_roles",
    "fonts",
    "font_roles",
];
const GLOSSARY_KEYS: &[&str] = &["brand_glossary_id", "name", "created_at", "updated_at"];

struct Api {
    sandbox: Sandbox,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let options = SandboxOptions { time_scale: 20.0 };
        let sandbox = Sandbox::start("127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Api { sandbox, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let request = self.http.get(self.url(path)).header("x-api-key", "k");
        send(request).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let request = self.http.post(self.url(path)).header("x-api-key", "k");
        send(request.json(&body)).await
    }

    /// A successful single-item GET's `data`.
    async fn data(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body["data"].clone()
    }

    /// A successful list GET's items, after checking the list envelope.
    async fn list(&self, path: &str) -> Vec<Value> {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body["has_more"], false, "{path}: {body}");
        assert!(body["next_token"].is_null(), "{path}: {body}");
        body["data"].as_array().unwrap().clone()
    }

    /// Every item of a list, page by page; also returns the number of pages.
    async fn walk(&self, path: &str, limit: usize) -> (Vec<Value>, usize) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (mut items, mut pages, mut token) = (Vec::new(), 0, String::new());
        loop {
            let page_path = format!("{path}{sep}limit={limit}&token={token}");
            let (status, body) = self.get(&page_path).await;
            assert_eq!(status, StatusCode::OK, "{page_path}: {body}");
            let page = body["data"].as_array().unwrap();
            assert!(page.len() <= limit && !page.is_empty(), "{body}");
            items.extend(page.iter().cloned());
            pages += 1;
            assert_eq!(body["has_more"], body["next_token"].is_string(), "{body}");
            match body["next_token"].as_str() {
                Some(next) => token = next.to_string(),
                None => return (items, pages),
            }
        }
    }

    async fn fetch(&self, url: &str) -> (StatusCode, String, Vec<u8>) {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
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
    (status, response.json().await.unwrap())
}

#[track_caller]
fn assert_error(got: &(StatusCode, Value), status: u16, code: &str, param: Option<&str>) {
    let (got_status, body) = got;
    assert_eq!(got_status.as_u16(), status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["param"].as_str(), param, "{body}");
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
}

#[track_caller]
fn assert_required(item: &Value, fields: &[&str]) {
    for field in fields {
        let value = &item[*field];
        assert!(!value.is_null(), "missing required '{field}' in {item}");
    }
}

fn ids(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[key].as_str().unwrap().to_string())
        .collect()
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    (frame.width, frame.height)
}

/// Walks a RIFF/WAVE file's chunks; returns (channels, sample rate, bits, data bytes).
fn wav_format(bytes: &[u8]) -> (u16, u32, u16, usize) {
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let u16_at = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap());
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(u32_at(4) as usize, bytes.len() - 8, "RIFF size");
    assert_eq!(&bytes[8..12], b"WAVE");
    let (mut at, mut format, mut data) = (12, None, None);
    while at + 8 <= bytes.len() {
        let size = u32_at(at + 4) as usize;
        let body = at + 8;
        assert!(body + size <= bytes.len(), "chunk overruns the file");
        match &bytes[at..at + 4] {
            b"fmt " => {
                assert_eq!(u16_at(body), 1, "PCM");
                let (channels, rate, bits) =
                    (u16_at(body + 2), u32_at(body + 4), u16_at(body + 14));
                assert_eq!(
                    u32_at(body + 8),
                    rate * u32::from(channels) * u32::from(bits / 8)
                );
                format = Some((channels, rate, bits));
            }
            b"data" => data = Some(size),
            _ => {}
        }
        at = body + size + size % 2;
    }
    let (channels, rate, bits) = format.expect("no fmt chunk");
    (channels, rate, bits, data.expect("no data chunk"))
}

// ---------------------------------------------------------------- avatar groups

#[tokio::test]
async fn avatar_groups_list_filter_and_get() {
    let api = Api::start().await;
    let all = api.list("/v3/avatars").await;
    assert_eq!(all.len(), 4);
    for group in &all {
        assert_required(group, GROUP_REQUIRED);
        assert!(group["looks_count"].as_u64().unwrap() >= 2, "{group}");
        let voice = group["default_voice_id"].as_str().unwrap();
        api.data(&format!("/v3/voices/{voice}")).await;
    }
    let public = api.list("/v3/avatars?ownership=public").await;
    assert_eq!(public.len(), 3);
    let genders: HashSet<&str> = public
        .iter()
        .map(|g| g["gender"].as_str().unwrap())
        .collect();
    assert_eq!(genders, HashSet::from(["female", "male"]));
    assert!(public.iter().all(|g| g["status"].is_null()));
    let private = api.list("/v3/avatars?ownership=private").await;
    assert_eq!(ids(&private, "id"), ["sbx_group_my_twin"]);
    assert_eq!(private[0]["status"], "completed");

    let anna = api.data("/v3/avatars/sbx_group_anna").await;
    assert_required(&anna, GROUP_REQUIRED);
    assert_eq!(anna, all[0]);
    assert_eq!(anna["looks_count"], 3);
    assert_error(
        &api.get("/v3/avatars/sbx_group_nobody").await,
        404,
        "avatar_not_found",
        None,
    );
}

// ---------------------------------------------------------------- looks

#[tokio::test]
async fn looks_have_the_contract_shape_and_filters_combine() {
    let api = Api::start().await;
    let all = api.list("/v3/avatars/looks?limit=50").await;
    assert_eq!(all.len(), 9);
    for look in &all {
        assert_required(look, LOOK_REQUIRED);
        let kind = look["avatar_type"].as_str().unwrap();
        assert!(["studio_avatar", "digital_twin", "photo_avatar"].contains(&kind));
        let orientation = look["preferred_orientation"].as_str().unwrap();
        assert!(["portrait", "landscape", "square"].contains(&orientation));
        assert!(!look["supported_api_engines"].as_array().unwrap().is_empty());
        assert!(look["tags"].is_array() && look["group_id"].is_string());
        let voice = look["default_voice_id"].as_str().unwrap();
        api.data(&format!("/v3/voices/{voice}")).await;
    }

    let anna = api.list("/v3/avatars/looks?group_id=sbx_group_anna").await;
    assert_eq!(
        ids(&anna, "id"),
        [
            "sbx_look_anna_business",
            "sbx_look_anna_casual",
            "sbx_look_anna_studio"
        ]
    );
    let business = &anna[0];
    assert_eq!(business["name"], "Business Suit");
    assert_eq!(business["tags"], json!(["business", "formal"]));
    assert_eq!(business["gender"], "female");
    assert_eq!(business["default_voice_id"], "sbx_voice_en_sara");

    let photo = api.list("/v3/avatars/looks?avatar_type=photo_avatar").await;
    assert_eq!(
        ids(&photo, "group_id"),
        ["sbx_group_sofia", "sbx_group_sofia"]
    );
    let twin = api
        .list("/v3/avatars/looks?avatar_type=digital_twin&ownership=private")
        .await;
    assert_eq!(twin.len(), 2);
    assert!(twin.iter().all(|l| l["status"] == "completed"));
    let public_studio = api
        .list("/v3/avatars/looks?avatar_type=studio_avatar&ownership=public")
        .await;
    assert_eq!(public_studio.len(), 5);
    let none = api
        .list("/v3/avatars/looks?group_id=sbx_group_anna&avatar_type=photo_avatar")
        .await;
    assert!(none.is_empty());
    assert!(api.list("/v3/avatars/looks?group_id=nope").await.is_empty());

    let look = api.data("/v3/avatars/looks/sbx_look_anna_business").await;
    assert_eq!(&look, business);
    assert_eq!(
        (look["image_width"].as_u64(), look["image_height"].as_u64()),
        (Some(1920), Some(1080))
    );
    let missing = api.get("/v3/avatars/looks/sbx_look_nobody").await;
    assert_error(&missing, 404, "not_found", None);
    assert!(
        missing.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sbx_look_nobody")
    );
}

// ---------------------------------------------------------------- voices

#[tokio::test]
async fn voices_default_to_public_and_filter_case_insensitively() {
    let api = Api::start().await;
    let public = api.list("/v3/voices").await;
    assert_eq!(public.len(), 6);
    for voice in &public {
        assert_required(voice, VOICE_ITEM_REQUIRED);
        assert_eq!(voice["type"], "public");
        assert!(
            voice["preview_audio_url"]
                .as_str()
                .unwrap()
                .ends_with(".wav")
        );
    }
    let languages: HashSet<&str> = public
        .iter()
        .map(|v| v["language"].as_str().unwrap())
        .collect();
    assert_eq!(languages, HashSet::from(["English", "Spanish"]));

    let female_english = api.list("/v3/voices?language=english&gender=FEMALE").await;
    assert_eq!(
        ids(&female_english, "voice_id"),
        ["sbx_voice_en_sara", "sbx_voice_en_olivia"]
    );
    let spanish_male = api.list("/v3/voices?language=Spanish&gender=male").await;
    assert_eq!(ids(&spanish_male, "voice_id"), ["sbx_voice_es_mateo"]);
    let starfish = api.list("/v3/voices?engine=starfish").await;
    assert_eq!(starfish.len(), 4);
    let eleven_spanish = api
        .list("/v3/voices?engine=elevenlabs&language=spanish")
        .await;
    assert_eq!(eleven_spanish.len(), 2);
    assert!(api.list("/v3/voices?engine=nonesuch").await.is_empty());
    assert!(api.list("/v3/voices?language=Klingon").await.is_empty());

    let private = api.list("/v3/voices?type=private").await;
    assert_eq!(ids(&private, "voice_id"), ["sbx_voice_my_clone"]);
    assert_eq!(private[0]["type"], "private");

    let sara = api.data("/v3/voices/sbx_voice_en_sara").await;
    assert_required(&sara, &["voice_id", "support_pause"]);
    assert_eq!(
        (sara["name"].as_str(), sara["language"].as_str()),
        (Some("Sara"), Some("English"))
    );
    assert!(sara["status"].is_null() && sara["created_at"].is_i64());
    let clone = api.data("/v3/voices/sbx_voice_my_clone").await;
    assert_eq!(clone["status"], "complete");
    assert_error(
        &api.get("/v3/voices/sbx_voice_nobody").await,
        404,
        "voice_not_found",
        None,
    );
}

// ---------------------------------------------------------------- account

#[tokio::test]
async fn current_user_has_a_wallet_balance() {
    let api = Api::start().await;
    let me = api.data("/v3/users/me").await;
    for field in ["username", "email", "first_name", "last_name"] {
        assert!(me.as_object().unwrap().contains_key(field), "{me}");
    }
    assert!(me["username"].as_str().unwrap().starts_with("sbx_"));
    assert_eq!(me["billing_type"], "wallet");
    assert_eq!(me["wallet"]["currency"], "usd");
    assert_eq!(me["wallet"]["remaining_balance"], 125.5);
    assert_eq!(me["wallet"]["auto_reload"]["enabled"], false);
    assert!(me["subscription"].is_null() && me["usage_based"].is_null());
}

// ---------------------------------------------------------------- validation and pagination

#[tokio::test]
async fn invalid_queries_name_the_parameter() {
    let api = Api::start().await;
    let cases = [
        ("/v3/avatars?ownership=mine", "ownership"),
        ("/v3/avatars?ownership=", "ownership"),
        ("/v3/avatars?limit=0", "limit"),
        ("/v3/avatars?limit=51", "limit"),
        ("/v3/avatars?limit=ten", "limit"),
        ("/v3/avatars?token=forged", "token"),
        ("/v3/avatars/looks?avatar_type=robot", "avatar_type"),
        ("/v3/avatars/looks?ownership=all", "ownership"),
        ("/v3/avatars/looks?limit=51", "limit"),
        ("/v3/avatars/looks?limit=-1", "limit"),
        ("/v3/avatars/looks?token=forged", "token"),
        ("/v3/voices?type=shared", "type"),
        ("/v3/voices?limit=101", "limit"),
        ("/v3/voices?limit=0", "limit"),
        ("/v3/voices?limit=2.5", "limit"),
        ("/v3/voices?token=forged", "token"),
    ];
    for (path, param) in cases {
        let got = api.get(path).await;
        assert_eq!(got.0, StatusCode::BAD_REQUEST, "{path}: {}", got.1);
        assert_error(&got, 400, "invalid_parameter", Some(param));
    }
    // The bounds themselves are accepted.
    for path in [
        "/v3/avatars?limit=50",
        "/v3/avatars/looks?limit=1",
        "/v3/voices?limit=100",
    ] {
        assert_eq!(api.get(path).await.0, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn pagination_walks_every_page_once() {
    let api = Api::start().await;
    let all_looks = api.list("/v3/avatars/looks").await;
    let (looks, pages) = api.walk("/v3/avatars/looks", 2).await;
    assert_eq!(pages, 5);
    assert_eq!(ids(&looks, "id"), ids(&all_looks, "id"));
    let (groups, pages) = api.walk("/v3/avatars?ownership=public", 1).await;
    assert_eq!((groups.len(), pages), (3, 3));
    let (voices, pages) = api.walk("/v3/voices?language=English", 3).await;
    assert_eq!((voices.len(), pages), (4, 2));
    let unique: HashSet<String> = ids(&voices, "voice_id").into_iter().collect();
    assert_eq!(unique.len(), 4);

    // A token belongs to the list (and filters) that issued it.
    let (_, first) = api.get("/v3/voices?limit=1").await;
    let token = first["next_token"].as_str().unwrap();
    let elsewhere = api.get(&format!("/v3/avatars?token={token}")).await;
    assert_error(&elsewhere, 400, "invalid_parameter", Some("token"));
    let refiltered = api
        .get(&format!("/v3/voices?gender=male&token={token}"))
        .await;
    assert_error(&refiltered, 400, "invalid_parameter", Some("token"));
    let same = api.get(&format!("/v3/voices?limit=1&token={token}")).await;
    assert_eq!(same.0, StatusCode::OK);
    assert_ne!(same.1["data"][0], first["data"][0]);
}

// ---------------------------------------------------------------- auth, stats, faults

#[tokio::test]
async fn catalogue_routes_are_authenticated_counted_and_faultable() {
    let api = Api::start().await;
    for path in CATALOGUE_ROUTES {
        let anonymous = send(api.http.get(api.url(path))).await;
        assert_error(&anonymous, 401, "unauthorized", None);
        let refused = send(
            api.http
                .get(api.url(path))
                .header("x-api-key", SANDBOX_INVALID_KEY),
        )
        .await;
        assert_error(&refused, 401, "unauthorized", None);
        assert_eq!(api.get(path).await.0, StatusCode::OK, "{path}");
    }
    assert_eq!(
        api.sandbox.request_count(),
        3 * CATALOGUE_ROUTES.len() as u64
    );
    let stats = api.fetch(&api.url("/_sandbox/stats")).await.2;
    let stats: Value = serde_json::from_slice(&stats).unwrap();
    for route in [
        "GET /v3/avatars",
        "GET /v3/avatars/{group_id}",
        "GET /v3/avatars/looks",
        "GET /v3/avatars/looks/{look_id}",
        "GET /v3/voices",
        "GET /v3/voices/{voice_id}",
        "GET /v3/users/me",
        "GET /v3/brand-kits",
        "GET /v3/brand-kits/{brand_kit_id}",
        "GET /v3/brand-glossaries",
        "GET /v3/brand-glossaries/{brand_glossary_id}",
    ] {
        assert_eq!(stats["data"]["by_route"][route], 3, "{route}: {stats}");
    }

    let method = send(
        api.http
            .delete(api.url("/v3/voices/sbx_voice_en_sara"))
            .header("x-api-key", "k"),
    )
    .await;
    assert_error(&method, 405, "method_not_allowed", None);

    let faults = api.http.post(api.url("/_sandbox/faults"));
    let set = faults
        .json(&json!({"rate_limit": 1, "retry_after": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let limited = api
        .http
        .get(api.url("/v3/voices"))
        .header("x-api-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "3");
    assert_eq!(api.get("/v3/voices").await.0, StatusCode::OK);
    let faults = api.http.post(api.url("/_sandbox/faults"));
    faults
        .json(&json!({"server_error": 1, "status": 503}))
        .send()
        .await
        .unwrap();
    assert_error(&api.get("/v3/users/me").await, 503, "internal_error", None);
    assert_eq!(api.get("/v3/users/me").await.0, StatusCode::OK);
}

// ---------------------------------------------------------------- preview media

#[tokio::test]
async fn previews_are_real_pngs_and_wavs() {
    let api = Api::start().await;
    let looks = api.list("/v3/avatars/looks").await;
    for look in &looks {
        let (status, content_type, bytes) =
            api.fetch(look["preview_image_url"].as_str().unwrap()).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "image/png"),
            "{look}"
        );
        let (w, h) = png_size(&bytes);
        let expected = match look["preferred_orientation"].as_str().unwrap() {
            "landscape" => w > h,
            "portrait" => w < h,
            _ => w == h,
        };
        assert!(expected, "{w}x{h} for {look}");
    }
    for group in api.list("/v3/avatars").await {
        let (status, _, bytes) = api
            .fetch(group["preview_image_url"].as_str().unwrap())
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(png_size(&bytes), (320, 180));
    }
    let voices = api.list("/v3/voices").await;
    let mut sizes = HashSet::new();
    for voice in voices
        .iter()
        .chain(&api.list("/v3/voices?type=private").await)
    {
        let (status, content_type, bytes) = api
            .fetch(voice["preview_audio_url"].as_str().unwrap())
            .await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "audio/wav")
        );
        let (channels, rate, bits, data) = wav_format(&bytes);
        assert_eq!((channels, rate, bits), (1, 16_000, 16));
        assert!(data >= 16_000, "under half a second: {data} bytes");
        sizes.insert(bytes);
    }
    assert_eq!(sizes.len(), 7, "each voice has its own tone");

    // Public previews never expire; the private twin's are signed like other account media.
    let public = looks[0]["preview_image_url"].as_str().unwrap();
    assert!(!public.contains("expires="), "{public}");
    let twin = api.data("/v3/avatars/looks/sbx_look_my_twin_office").await;
    let signed = twin["preview_image_url"].as_str().unwrap();
    assert!(signed.contains("?expires="), "{signed}");
    let unsigned = signed.split('?').next().unwrap();
    assert_eq!(api.fetch(unsigned).await.0, StatusCode::FORBIDDEN);
    let faults = api.http.post(api.url("/_sandbox/faults"));
    faults
        .json(&json!({"expire_media": true}))
        .send()
        .await
        .unwrap();
    let clone = api.data("/v3/voices/sbx_voice_my_clone").await;
    let expired = api
        .fetch(clone["preview_audio_url"].as_str().unwrap())
        .await;
    assert_eq!(expired.0, StatusCode::FORBIDDEN);
    assert_eq!(api.fetch(public).await.0, StatusCode::OK);
    assert_eq!(
        api.fetch(&api.url("/media/looks/sbx_look_nobody.png"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

// ---------------------------------------------------------------- Video Agent with catalogue ids

#[tokio::test]
async fn video_agent_takes_catalogue_looks_and_voices_only() {
    let api = Api::start().await;
    let agents = "/v3/video-agents";
    let ok = api
        .post(agents, json!({"prompt": "p", "avatar_id": "sbx_look_anna_business", "voice_id": "sbx_voice_en_sara"}))
        .await;
    assert_eq!(ok.0, StatusCode::OK, "{}", ok.1);
    let nulls = api
        .post(
            agents,
            json!({"prompt": "p", "avatar_id": null, "voice_id": null}),
        )
        .await;
    assert_eq!(nulls.0, StatusCode::OK, "{}", nulls.1);
    let private = api
        .post(agents, json!({"prompt": "p", "avatar_id": "sbx_look_my_twin_office", "voice_id": "sbx_voice_my_clone"}))
        .await;
    assert_eq!(private.0, StatusCode::OK, "{}", private.1);

    let cases = [
        (
            json!({"prompt": "p", "avatar_id": "look_1"}),
            "avatar_not_found",
            "avatar_id",
        ),
        (
            json!({"prompt": "p", "avatar_id": "sbx_group_anna"}),
            "avatar_not_found",
            "avatar_id",
        ),
        (
            json!({"prompt": "p", "voice_id": "v_1"}),
            "voice_not_found",
            "voice_id",
        ),
        (
            json!({"prompt": "p", "avatar_id": "sbx_look_anna_business", "voice_id": "sbx_look_anna_business"}),
            "voice_not_found",
            "voice_id",
        ),
    ];
    for (body, code, param) in cases {
        assert_error(&api.post(agents, body).await, 400, code, Some(param));
    }
    let group_hint = api
        .post(
            agents,
            json!({"prompt": "p", "avatar_id": "sbx_group_anna"}),
        )
        .await;
    assert!(
        group_hint.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("look id")
    );

    // Follow-ups in chat mode are checked the same way.
    let (_, created) = api
        .post(agents, json!({"prompt": "p", "mode": "chat"}))
        .await;
    let session = format!(
        "{agents}/{}",
        created["data"]["session_id"].as_str().unwrap()
    );
    let bad_voice = api
        .post(&session, json!({"message": "ok", "voice_id": "nope"}))
        .await;
    assert_error(&bad_voice, 400, "voice_not_found", Some("voice_id"));
    let bad_avatar = api
        .post(&session, json!({"message": "ok", "avatar_id": "nope"}))
        .await;
    assert_error(&bad_avatar, 400, "avatar_not_found", Some("avatar_id"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while api.data(&session).await["status"] != "reviewing" {
        assert!(Instant::now() < deadline, "session never reached reviewing");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let good = api
        .post(&session, json!({"message": "Looks good", "avatar_id": "sbx_look_daniel_casual", "voice_id": "sbx_voice_es_mateo"}))
        .await;
    assert_eq!(good.0, StatusCode::OK, "{}", good.1);
}

// ---------------------------------------------------------------- brand kits and glossaries

/// The object's keys are exactly `keys` (the schema's properties, no more, none missing).
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

#[track_caller]
fn assert_hex_colour(value: &Value) {
    let colour = value.as_str().unwrap();
    assert!(
        colour.len() == 7
            && colour.starts_with('#')
            && colour[1..].chars().all(|c| c.is_ascii_hexdigit()),
        "{colour}"
    );
}

#[tokio::test]
async fn brand_kits_list_and_get_have_the_contract_shape() {
    let api = Api::start().await;
    let kits = api.list("/v3/brand-kits").await;
    assert_eq!(
        ids(&kits, "brand_kit_id"),
        [
            "sbx_brand_acme",
            "sbx_brand_northwind",
            "sbx_brand_example_import"
        ]
    );
    for kit in &kits {
        assert_keys(kit, BRAND_KIT_KEYS);
        assert_required(kit, &["brand_kit_id", "name"]);
        kit["colors"]
            .as_array()
            .unwrap()
            .iter()
            .for_each(assert_hex_colour);
    }
    // The list's logo is the primary one; a primary that was deleted leaves it null.
    assert!(kits[0]["logo_url"].as_str().unwrap().ends_with(".png"));
    assert!(kits[1]["logo_url"].is_null());
    assert!(kits[2]["logo_url"].is_null());

    let acme = api.data("/v3/brand-kits/sbx_brand_acme").await;
    assert_keys(&acme, BRAND_KIT_DETAIL_KEYS);
    assert_eq!(acme["status"], "completed");
    assert_eq!(acme["name"], kits[0]["name"]);
    assert_eq!(acme["colors"], kits[0]["colors"]);
    let roles = &acme["color_roles"];
    assert_keys(roles, &["primary", "secondary", "tertiary", "accent"]);
    for role in ["primary", "secondary", "tertiary", "accent"] {
        assert_hex_colour(&roles[role]);
    }
    // A role may name a colour outside the palette, as HeyGen documents.
    assert!(
        !acme["colors"]
            .as_array()
            .unwrap()
            .contains(&roles["tertiary"])
    );
    let logos = acme["logos"].as_array().unwrap();
    assert_eq!(logos.len(), 2);
    for logo in logos {
        assert_keys(logo, &["logo_id", "name", "url"]);
    }
    assert_eq!(acme["logo_roles"], json!({"primary": logos[0]["logo_id"]}));
    assert_eq!(logos[0]["url"], kits[0]["logo_url"]);
    let fonts = acme["fonts"].as_array().unwrap();
    let font_ids = ids(fonts, "font_id");
    for role in ["title_text", "body_text"] {
        let assigned = &acme["font_roles"][role];
        assert_keys(assigned, &["font_id", "weight"]);
        assert!(font_ids.contains(&assigned["font_id"].as_str().unwrap().to_string()));
        assert!(assigned["weight"].as_u64().unwrap() >= 100);
    }

    let northwind = api.data("/v3/brand-kits/sbx_brand_northwind").await;
    let logo_ids = ids(northwind["logos"].as_array().unwrap(), "logo_id");
    let primary = northwind["logo_roles"]["primary"].as_str().unwrap();
    assert!(!logo_ids.contains(&primary.to_string()), "{northwind}");
    assert!(northwind["color_roles"]["tertiary"].is_null());

    // A website import that failed keeps what it had assembled: a colour, nothing else.
    let import = api.data("/v3/brand-kits/sbx_brand_example_import").await;
    assert_keys(&import, BRAND_KIT_DETAIL_KEYS);
    assert_eq!(import["status"], "error");
    assert_eq!(import["colors"].as_array().unwrap().len(), 1);
    for field in ["color_roles", "logo_roles", "font_roles"] {
        assert!(import[field].is_null(), "{field}: {import}");
    }
    assert_eq!(import["logos"], json!([]));
    assert_eq!(import["fonts"], json!([]));

    for unknown in ["sbx_brand_nope", "sbx_glossary_acme", "SBX_BRAND_ACME"] {
        let got = api.get(&format!("/v3/brand-kits/{unknown}")).await;
        assert_error(&got, 404, "resource_not_found", None);
    }
}

#[tokio::test]
async fn brand_glossaries_list_and_get_have_the_contract_shape() {
    let api = Api::start().await;
    let glossaries = api.list("/v3/brand-glossaries").await;
    assert_eq!(
        ids(&glossaries, "brand_glossary_id"),
        ["sbx_glossary_acme", "sbx_glossary_northwind"]
    );
    for glossary in &glossaries {
        assert_keys(glossary, GLOSSARY_KEYS);
        for stamp in ["created_at", "updated_at"] {
            let text = glossary[stamp].as_str().unwrap();
            assert!(
                text.len() == 20 && text.as_bytes()[10] == b'T' && text.ends_with('Z'),
                "RFC 3339 UTC: {text}"
            );
        }
        assert!(glossary["created_at"].as_str() <= glossary["updated_at"].as_str());
    }

    let acme = api.data("/v3/brand-glossaries/sbx_glossary_acme").await;
    let mut keys = GLOSSARY_KEYS.to_vec();
    keys.extend(["terms", "do_not_translate_terms", "forced_translations"]);
    assert_keys(&acme, &keys);
    let terms = acme["terms"].as_array().unwrap();
    assert!(!terms.is_empty());
    for term in terms {
        assert_keys(term, &["term", "pronunciation"]);
    }
    assert!(
        terms
            .iter()
            .any(|t| t["term"] == "HeyGen" && t["pronunciation"] == "hey-jen")
    );
    for rule in acme["do_not_translate_terms"].as_array().unwrap() {
        assert_keys(rule, &["term"]);
    }
    for rule in acme["forced_translations"].as_array().unwrap() {
        assert_keys(rule, &["term", "translation"]);
    }

    // No terms yet: an empty list, and the rule lists omitted.
    let empty = api
        .data("/v3/brand-glossaries/sbx_glossary_northwind")
        .await;
    let mut keys = GLOSSARY_KEYS.to_vec();
    keys.push("terms");
    assert_keys(&empty, &keys);
    assert_eq!(empty["terms"], json!([]));

    for unknown in ["sbx_glossary_nope", "sbx_brand_acme"] {
        let got = api.get(&format!("/v3/brand-glossaries/{unknown}")).await;
        assert_error(&got, 404, "resource_not_found", None);
    }
}

#[tokio::test]
async fn brand_lists_validate_their_queries_and_page() {
    let api = Api::start().await;
    for list in ["/v3/brand-kits", "/v3/brand-glossaries"] {
        for query in ["limit=0", "limit=101", "limit=ten", "limit=-1", "limit="] {
            let got = api.get(&format!("{list}?{query}")).await;
            assert_error(&got, 400, "invalid_parameter", Some("limit"));
        }
        let forged = api.get(&format!("{list}?token=forged")).await;
        assert_error(&forged, 400, "invalid_parameter", Some("token"));
        for query in ["limit=1", "limit=100", "token="] {
            let path = format!("{list}?{query}");
            assert_eq!(api.get(&path).await.0, StatusCode::OK, "{path}");
        }
    }
    let (kits, pages) = api.walk("/v3/brand-kits", 1).await;
    assert_eq!((kits.len(), pages), (3, 3));
    let (kits, pages) = api.walk("/v3/brand-kits", 2).await;
    assert_eq!((kits.len(), pages), (3, 2));
    let unique: HashSet<String> = ids(&kits, "brand_kit_id").into_iter().collect();
    assert_eq!(unique.len(), 3);
    let (glossaries, pages) = api.walk("/v3/brand-glossaries", 1).await;
    assert_eq!((glossaries.len(), pages), (2, 2));

    // A token belongs to the list that issued it.
    let (_, first) = api.get("/v3/brand-kits?limit=1").await;
    let token = first["next_token"].as_str().unwrap();
    let elsewhere = api
        .get(&format!("/v3/brand-glossaries?token={token}"))
        .await;
    assert_error(&elsewhere, 400, "invalid_parameter", Some("token"));

    // Read-only: HeyGen's write methods on these paths answer 405.
    let writes = [
        (reqwest::Method::POST, "/v3/brand-kits"),
        (reqwest::Method::PATCH, "/v3/brand-kits/sbx_brand_acme"),
        (reqwest::Method::DELETE, "/v3/brand-kits/sbx_brand_acme"),
        (reqwest::Method::POST, "/v3/brand-glossaries"),
        (
            reqwest::Method::PATCH,
            "/v3/brand-glossaries/sbx_glossary_acme",
        ),
        (
            reqwest::Method::DELETE,
            "/v3/brand-glossaries/sbx_glossary_acme",
        ),
    ];
    for (method, path) in writes {
        let request = api
            .http
            .request(method, api.url(path))
            .header("x-api-key", "k")
            .json(&json!({"name": "x"}));
        assert_error(&send(request).await, 405, "method_not_allowed", None);
    }
    assert_eq!(
        api.data("/v3/brand-kits/sbx_brand_acme").await["name"],
        "Acme Robotics"
    );
}

#[tokio::test]
async fn brand_logos_are_real_public_pngs() {
    let api = Api::start().await;
    let faults = api.http.post(api.url("/_sandbox/faults"));
    let set = faults
        .json(&json!({"expire_media": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let mut images = HashSet::new();
    for kit in ["sbx_brand_acme", "sbx_brand_northwind"] {
        let detail = api.data(&format!("/v3/brand-kits/{kit}")).await;
        for logo in detail["logos"].as_array().unwrap() {
            let url = logo["url"].as_str().unwrap();
            // Public CDN files: no signature, so expiring media does not touch them.
            assert!(!url.contains("expires="), "{url}");
            assert!(url.contains("/media/brand/"), "{url}");
            let (status, content_type, bytes) = api.fetch(url).await;
            assert_eq!(
                (status, content_type.as_str()),
                (StatusCode::OK, "image/png"),
                "{url}"
            );
            assert_eq!(png_size(&bytes), (256, 128));
            images.insert(bytes);
        }
    }
    assert_eq!(images.len(), 3, "each logo is its own image");
    for missing in [
        "/media/brand/sbx_logo_northwind_deleted.png",
        "/media/brand/sbx_logo_acme_icon.jpg",
        "/media/brand/nothing.png",
    ] {
        assert_eq!(api.fetch(&api.url(missing)).await.0, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn video_agent_takes_catalogue_brand_ids_only() {
    let api = Api::start().await;
    let agents = "/v3/video-agents";
    for body in [
        json!({"prompt": "p", "brand_kit_id": "sbx_brand_acme", "brand_glossary_id": "sbx_glossary_acme"}),
        json!({"prompt": "p", "brand_kit_id": "sbx_brand_example_import"}),
        json!({"prompt": "p", "brand_glossary_id": "sbx_glossary_northwind"}),
        json!({"prompt": "p", "brand_kit_id": null, "brand_glossary_id": null}),
    ] {
        let got = api.post(agents, body.clone()).await;
        assert_eq!(got.0, StatusCode::OK, "{body}: {}", got.1);
    }
    let cases = [
        (
            json!({"prompt": "p", "brand_kit_id": "bk_1"}),
            "brand_kit_id",
        ),
        (json!({"prompt": "p", "brand_kit_id": ""}), "brand_kit_id"),
        (
            json!({"prompt": "p", "brand_kit_id": "sbx_glossary_acme"}),
            "brand_kit_id",
        ),
        (
            json!({"prompt": "p", "brand_kit_id": "SBX_BRAND_ACME"}),
            "brand_kit_id",
        ),
        (json!({"prompt": "p", "brand_kit_id": 7}), "brand_kit_id"),
        (
            json!({"prompt": "p", "brand_glossary_id": "bg_1"}),
            "brand_glossary_id",
        ),
        (
            json!({"prompt": "p", "brand_glossary_id": "sbx_brand_acme"}),
            "brand_glossary_id",
        ),
        (
            json!({"prompt": "p", "brand_glossary_id": ""}),
            "brand_glossary_id",
        ),
        (
            json!({"prompt": "p", "brand_glossary_id": ["sbx_glossary_acme"]}),
            "brand_glossary_id",
        ),
    ];
    for (body, param) in cases {
        let got = api.post(agents, body.clone()).await;
        assert_error(&got, 400, "invalid_parameter", Some(param));
    }
    let unknown = api
        .post(agents, json!({"prompt": "p", "brand_kit_id": "bk_1"}))
        .await;
    assert!(
        unknown.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("GET /v3/brand-kits")
    );
    // Nothing was created by the refused requests.
    assert_eq!(api.list(agents).await.len(), 4);

    // Follow-ups: brand_kit_id is checked; brand_glossary_id is not a send field at all.
    let (_, created) = api
        .post(agents, json!({"prompt": "p", "mode": "chat"}))
        .await;
    let session = format!(
        "{agents}/{}",
        created["data"]["session_id"].as_str().unwrap()
    );
    let bad_kit = api
        .post(&session, json!({"message": "ok", "brand_kit_id": "bk_1"}))
        .await;
    assert_error(&bad_kit, 400, "invalid_parameter", Some("brand_kit_id"));
    let glossary = api
        .post(
            &session,
            json!({"message": "ok", "brand_glossary_id": "sbx_glossary_acme"}),
        )
        .await;
    assert_error(
        &glossary,
        400,
        "invalid_parameter",
        Some("brand_glossary_id"),
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while api.data(&session).await["status"] != "reviewing" {
        assert!(Instant::now() < deadline, "session never reached reviewing");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let good = api
        .post(
            &session,
            json!({"message": "Looks good", "brand_kit_id": "sbx_brand_northwind"}),
        )
        .await;
    assert_eq!(good.0, StatusCode::OK, "{}", good.1);
}
