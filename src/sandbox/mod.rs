//! An offline simulator of HeyGen's v3 Video Agent API — what stripe-mock is to Stripe.
//!
//! A real HTTP server on loopback that answers with HeyGen's envelopes, validates
//! requests strictly from the OpenAPI contract, and moves sessions through HeyGen's states
//! on a clock that can be sped up. No key, no credits, no network.
//!
//! # Endpoints
//!
//! `POST|GET /v3/video-agents`, `GET /v3/video-agents/styles`,
//! `GET|POST /v3/video-agents/{session_id}`,
//! `GET /v3/video-agents/{session_id}/resources/{resource_id}`,
//! `GET /v3/video-agents/{session_id}/videos`, `POST /v3/video-agents/{session_id}/stop`,
//! `GET /v3/videos`, `GET|DELETE /v3/videos/{video_id}`, `GET /v3/videos/{video_id}/scenes`,
//! `POST /v3/assets`, `POST /v3/assets/direct-uploads`, `POST /v3/assets/{asset_id}/complete`,
//! `GET /v3/avatars`, `GET /v3/avatars/{group_id}`, `GET /v3/avatars/looks`,
//! `GET /v3/avatars/looks/{look_id}`, `GET /v3/voices`, `GET /v3/voices/{voice_id}`,
//! `GET /v3/users/me`, `GET /v3/brand-kits`, `GET /v3/brand-kits/{brand_kit_id}`,
//! `GET /v3/brand-glossaries`, `GET /v3/brand-glossaries/{brand_glossary_id}` (read-only;
//! the write methods HeyGen has on these paths answer 405).
//! Every `/v3` request needs a non-empty `x-api-key` (or `Authorization: Bearer …`);
//! the key [`SANDBOX_INVALID_KEY`] is refused with 401 to show the error path.
//! Media (`/media/…`) needs no key; its URLs expire after an hour like presigned URLs.
//!
//! # Catalogue
//!
//! A fixed set with stable ids. Avatar groups (each with 2–3 looks): public
//! `sbx_group_anna` (female: `sbx_look_anna_business`, `sbx_look_anna_casual`,
//! `sbx_look_anna_studio`), `sbx_group_daniel` (male: `sbx_look_daniel_business`,
//! `sbx_look_daniel_casual`), `sbx_group_sofia` (female, photo avatar:
//! `sbx_look_sofia_office`, `sbx_look_sofia_outdoor`), and the account's private
//! `sbx_group_my_twin` (digital twin: `sbx_look_my_twin_office`, `sbx_look_my_twin_podcast`).
//! Voices: English `sbx_voice_en_sara`, `sbx_voice_en_olivia` (female),
//! `sbx_voice_en_james`, `sbx_voice_en_marcus` (male); Spanish `sbx_voice_es_lucia`
//! (female), `sbx_voice_es_mateo` (male); private `sbx_voice_my_clone`. Voice engines are
//! `starfish` and `elevenlabs`. `GET /v3/users/me` is a wallet account with $125.50 that
//! never goes down. Look and group previews are PNGs of a silhouette with the names; voice
//! previews are 0.6-second WAV tones, not speech. Public previews have plain URLs (like the
//! style thumbnails); the private twin's and clone's are signed and expire.
//!
//! Brand kits: `sbx_brand_acme` (complete: three colours, a tertiary role colour outside
//! them, two logos, two fonts with roles), `sbx_brand_northwind` (its primary-logo role
//! names a deleted logo, so the list's `logo_url` is null) and `sbx_brand_example_import`
//! (a website import that ended in status `error`: one colour, nothing else). Logos are
//! public PNGs under `/media/brand/`. Brand glossaries: `sbx_glossary_acme` (pronunciations,
//! a Don't Translate rule and a Force Translate rule) and `sbx_glossary_northwind` (no
//! terms yet; the rule lists are omitted, as the contract says).
//!
//! # Timing
//!
//! With `time_scale` 1.0, a "30-second video" thinks for 1 s and renders for 5 s; the
//! render takes a sixth of the video's length (2–60 s). The length comes from the prompt
//! ("a 45-second…", "2 minutes") or defaults to 30 s. `HEYGEN_SANDBOX_TIME_SCALE=10`
//! makes everything ten times faster.
//!
//! # Fault switches
//!
//! Prompt or message markers (case-insensitive):
//! - `[sandbox:fail]`: the next render fails halfway: video `failed` with failure_code
//!   `sandbox_render_failed`, session `failed`.
//! - `[sandbox:fail-quiet]`: the same failure without a reason, as HeyGen sometimes
//!   reports it (heygen-cli #321): the video has `"title": ""` and no `failure_code` or
//!   `failure_message` keys, and the session `failed` with no error message.
//! - `[sandbox:stall]`: the thinking step this text starts never ends (stop it with
//!   `POST …/stop`).
//! - `[sandbox:ask]` (chat mode, in the prompt): the agent asks a question first
//!   (`waiting_for_input`); any reply leads on to the storyboard.
//! - `[sandbox:consent]` (in the prompt): when the first thinking step ends the session
//!   goes to `pending_consent` (outside the documented status enum, as third-party clients
//!   have seen it) with a model message saying the avatar's owner must consent, at
//!   progress 15 with no video. Consent never comes: the session takes no messages (400,
//!   as while busy) and stays there until `POST …/stop`, which turns it `failed` like any
//!   run stopped before it finished.
//!
//! Admin endpoints under `/_sandbox/` (no key):
//! - `POST /_sandbox/faults` with any of `{"rate_limit": N, "retry_after": S}` (the next N
//!   `/v3` requests get 429 `rate_limit_exceeded` with `Retry-After: S`, default 1),
//!   `{"server_error": N, "status": 502, "html": true}` (the next N get that 5xx, as an
//!   HTML page when `html`, else a JSON envelope with code `internal_error`),
//!   `{"expire_media": true}` (media URLs issued from then on are already expired: 403),
//!   `{"error_in_200": N}` (the next N `/v3` requests that pass the key check and any
//!   429s answer HTTP 200 with `{"error": {"code": "internal_error", "message"}}` and no
//!   `data`; the request is not carried out),
//!   `{"latency_ms": N}` (every `/v3` request waits N ms, 0–60000, before it is handled, as
//!   a distant or loaded backend would; counted first, then delayed, then faulted; for load
//!   tests such as `bench/run.sh`'s remote figures; 0 turns it off).
//! - HeyGen's production behaviours for `GET /v3/video-agents/{id}` (no other endpoint
//!   changes): `{"stale_after_send": S}` (for S seconds of real time, fractions allowed,
//!   after a chat message is accepted, the GET shows the session exactly as it was just
//!   before that message), `{"session_404_after_video": true}` (404 `not_found` once the
//!   session has a `video_id`; its videos, `GET /v3/videos/{id}`, the lists and messages
//!   still work), `{"session_404_fresh": N}` (each session created from then on answers
//!   its first N GETs with 404). A fresh 404 is counted first, then the after-video 404,
//!   then the stale view.
//! - `GET /_sandbox/faults`, `DELETE /_sandbox/faults` (reset, including stale views and
//!   fresh 404s already promised to sessions), `GET /_sandbox/stats`.
//!
//! Chat replies: a message during review that approves ("approve", "looks good",
//! "go ahead", "proceed", "yes", "ok", "lgtm") without asking for a change starts the
//! render; anything else is a revision request and yields a new storyboard.
//!
//! # Contract choices
//!
//! - Unknown body fields are rejected, including `auto_proceed` and `skip_agentic_stop`
//!   from older docs: the current contract does not have them.
//! - Stop: HeyGen has no `stopped` status, so a busy session (thinking, generating,
//!   pending_consent) becomes `failed`, its rendering video `failed` with failure_code
//!   `stopped`; stopping an idle session is a no-op.
//! - `VideoDetail` has no progress field; progress is on the session (0–100).
//! - A completed video reports the simulated `duration`; the file served is a 2-second
//!   placeholder clip that says "SANDBOX — not a real render".
//! - `POST /v3/videos` answers 501: only the Video Agent is simulated.
//! - A chat session takes messages when reviewing, waiting_for_input, completed or failed;
//!   while thinking, generating or pending_consent a message gets 400 `invalid_parameter`.
//! - `style_id` must name a sandbox style (400 `invalid_parameter`), `avatar_id` a
//!   catalogue look id (400 `avatar_not_found`) and `voice_id` a catalogue voice (400
//!   `voice_not_found`), on create and on send; HeyGen lists those codes without a status
//!   for the Video Agent calls. `brand_kit_id` (create and send) and `brand_glossary_id`
//!   (create) must name a sandbox brand kit or glossary: 400 `invalid_parameter` with that
//!   `param`, the only error these calls document (the contract's `resource_not_found`
//!   is the brand GETs' 404 for an id in the path).
//! - Unknown brand kit or glossary ids on their GETs answer 404 `resource_not_found`, as
//!   the contract shows. `GET /v3/brand-kits` pages 20 by default, `GET
//!   /v3/brand-glossaries` 10; `limit` 1–100 on both.
//! - `GET /v3/videos/{video_id}/scenes` describes completed videos: one scene per
//!   storyboard scene (`sbx_scene_N`), a colour background (the applied brand kit's
//!   primary colour, else `#1E3A5F`), the chosen avatar as an `avatar` element, the scene
//!   text as a `text` script entry with the chosen voice; the video context has the title,
//!   aspect ratio, `1080p`, captions enabled and the glossary. A video not yet completed
//!   (or failed) answers 400 `invalid_parameter` on `video_id`; an unknown one 404.
//! - A message's `avatar_id`, `voice_id` and `brand_kit_id` apply to the run it starts
//!   and to later ones.
//! - Unknown ids on the catalogue GETs answer 404 with the contract's codes:
//!   `avatar_not_found` (group), `not_found` (look), `voice_not_found` (voice). An unknown
//!   `group_id` filter, `engine`, `language` or `gender` just matches nothing (they are not
//!   enums in the contract); `ownership`, `avatar_type` and `type` are, so a bad value is a
//!   400. The avatar lists take `limit` 1–50, voices 1–100.
//! - `GET /v3/video-agents/{id}/videos` also pages with `limit`/`token` (default 20).
//! - `Idempotency-Key` works on the two asset-creating POSTs, as in the contract.
//! - Every `/v3` response carries `x-request-id: sbx_req_N` (HeyGen documents none).

mod assets;
mod brand;
mod catalogue;
mod catalogue_routes;
mod envelope;
mod faults;
mod idempotency;
mod media;
mod media_routes;
mod production;
mod query;
mod routes;
mod script;
mod session;
mod state;
mod validate;
mod video;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use script::{ASK_MARKER, CONSENT_MARKER, FAIL_MARKER, FAIL_QUIET_MARKER, STALL_MARKER};

/// The API key the sandbox refuses with 401, to exercise the error path.
pub const SANDBOX_INVALID_KEY: &str = "sandbox-invalid-key";

/// Environment variable read by [`SandboxOptions::from_env`].
pub const TIME_SCALE_ENV: &str = "HEYGEN_SANDBOX_TIME_SCALE";

/// The `/v3` routes served; literal routes come before parameterised ones that could
/// also match them.
const API_ROUTES: &[&str] = &[
    "/v3/video-agents",
    "/v3/video-agents/styles",
    "/v3/video-agents/{session_id}",
    "/v3/video-agents/{session_id}/resources/{resource_id}",
    "/v3/video-agents/{session_id}/videos",
    "/v3/video-agents/{session_id}/stop",
    "/v3/videos",
    "/v3/videos/{video_id}",
    "/v3/videos/{video_id}/scenes",
    "/v3/assets",
    "/v3/assets/direct-uploads",
    "/v3/assets/{asset_id}/complete",
    "/v3/avatars",
    "/v3/avatars/looks",
    "/v3/avatars/looks/{look_id}",
    "/v3/avatars/{group_id}",
    "/v3/voices",
    "/v3/voices/{voice_id}",
    "/v3/users/me",
    "/v3/brand-kits",
    "/v3/brand-kits/{brand_kit_id}",
    "/v3/brand-glossaries",
    "/v3/brand-glossaries/{brand_glossary_id}",
];

/// Request bodies up to this size are read; `POST /v3/assets` enforces its own 32 MB.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SandboxOptions {
    /// 1.0 is the default speed; 10.0 runs the simulated clock ten times faster.
    pub time_scale: f64,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self { time_scale: 1.0 }
    }
}

impl SandboxOptions {
    /// Defaults, with `time_scale` from `HEYGEN_SANDBOX_TIME_SCALE` when it is a positive
    /// number.
    pub fn from_env() -> Self {
        let mut options = Self::default();
        if let Ok(raw) = std::env::var(TIME_SCALE_ENV) {
            match raw.trim().parse::<f64>() {
                Ok(scale) if scale.is_finite() && scale > 0.0 => options.time_scale = scale,
                _ => {
                    tracing::warn!(value = %raw, "ignoring {TIME_SCALE_ENV}: not a positive number")
                }
            }
        }
        options
    }

    fn scale(&self) -> f64 {
        if self.time_scale.is_finite() && self.time_scale > 0.0 {
            self.time_scale
        } else {
            1.0
        }
    }
}

/// A running simulator. Dropping it stops the server too.
#[derive(Debug)]
pub struct Sandbox {
    base_url: String,
    local_addr: SocketAddr,
    shared: Arc<state::Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `addr` (port 0 picks a free port) and serves in a background task.
    pub async fn start(addr: SocketAddr, options: SandboxOptions) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let host = if local_addr.ip().is_unspecified() {
            format!("127.0.0.1:{}", local_addr.port())
        } else {
            local_addr.to_string()
        };
        let base_url = format!("http://{host}");
        let shared = Arc::new(state::Shared::new(options.scale(), Some(base_url.clone())));
        let app = build_router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %e, "sandbox server stopped with an error");
            }
        });
        tracing::info!(%base_url, time_scale = options.scale(), "HeyGen sandbox listening");
        Ok(Sandbox {
            base_url,
            local_addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `/v3` requests received so far (including refused ones).
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Stops accepting connections and waits (up to 5 s) for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The simulator as a router, for embedding; media URLs use the request's Host header.
pub fn router(options: SandboxOptions) -> Router {
    build_router(Arc::new(state::Shared::new(options.scale(), None)))
}

fn build_router(shared: Arc<state::Shared>) -> Router {
    let agents = "/v3/video-agents";
    Router::new()
        .route(
            agents,
            post(routes::create_session).get(routes::list_sessions),
        )
        .route("/v3/video-agents/styles", get(routes::list_styles))
        .route(
            "/v3/video-agents/{session_id}",
            get(routes::get_session).post(routes::send_message),
        )
        .route(
            "/v3/video-agents/{session_id}/resources/{resource_id}",
            get(routes::get_resource),
        )
        .route(
            "/v3/video-agents/{session_id}/videos",
            get(routes::list_session_videos),
        )
        .route(
            "/v3/video-agents/{session_id}/stop",
            post(routes::stop_session),
        )
        .route(
            "/v3/videos",
            get(routes::list_videos).post(routes::create_video),
        )
        .route(
            "/v3/videos/{video_id}",
            get(routes::get_video).delete(routes::delete_video),
        )
        .route(
            "/v3/videos/{video_id}/scenes",
            get(routes::get_video_scenes),
        )
        .route("/v3/assets", post(assets::upload))
        .route(
            "/v3/assets/direct-uploads",
            post(assets::start_direct_upload),
        )
        .route(
            "/v3/assets/{asset_id}/complete",
            post(assets::complete_direct_upload),
        )
        .route("/v3/avatars", get(catalogue_routes::list_groups))
        .route("/v3/avatars/looks", get(catalogue_routes::list_looks))
        .route(
            "/v3/avatars/looks/{look_id}",
            get(catalogue_routes::get_look),
        )
        .route("/v3/avatars/{group_id}", get(catalogue_routes::get_group))
        .route("/v3/voices", get(catalogue_routes::list_voices))
        .route("/v3/voices/{voice_id}", get(catalogue_routes::get_voice))
        .route("/v3/users/me", get(catalogue_routes::current_user))
        .route("/v3/brand-kits", get(brand::list_brand_kits))
        .route("/v3/brand-kits/{brand_kit_id}", get(brand::get_brand_kit))
        .route("/v3/brand-glossaries", get(brand::list_glossaries))
        .route(
            "/v3/brand-glossaries/{brand_glossary_id}",
            get(brand::get_glossary),
        )
        .route("/media/storyboards/{file}", get(media_routes::storyboard))
        .route(
            "/media/videos/{video_id}/{file}",
            get(media_routes::video_file),
        )
        .route("/media/styles/{file}", get(media_routes::style_thumbnail))
        .route("/media/assets/{asset_id}", get(media_routes::asset))
        .route("/media/looks/{file}", get(media_routes::look_preview))
        .route(
            "/media/avatar-groups/{file}",
            get(media_routes::group_preview),
        )
        .route("/media/voices/{file}", get(media_routes::voice_preview))
        .route("/media/brand/{file}", get(media_routes::brand_logo))
        .route(
            "/media/uploads/{asset_id}",
            put(media_routes::put_upload).layer(DefaultBodyLimit::max(
                assets::DIRECT_UPLOAD_MAX_BYTES as usize,
            )),
        )
        .route(
            "/_sandbox/faults",
            get(faults::get_faults)
                .post(faults::set_faults)
                .delete(faults::clear_faults),
        )
        .route("/_sandbox/stats", get(faults::stats))
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::gate,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}
