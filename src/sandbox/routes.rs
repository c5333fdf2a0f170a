//! `/v3/video-agents` and `/v3/videos` handlers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::brand::check_brand_ids;
use super::catalogue_routes::check_avatar_and_voice;
use super::envelope::{self, ApiError, ApiResult};
use super::query::Query;
use super::session::NewSession;
use super::state::{Shared, Store};
use super::validate::{self, FileInput};
use super::video::{Choices, VideoState};
use super::views::{self, Links, STYLES};

/// Default page size for lists, except `GET /v3/videos` (10).
const DEFAULT_LIMIT: usize = 20;
const VIDEOS_DEFAULT_LIMIT: usize = 10;

/// `{"type":"asset_id"}` inputs must name an asset that finished uploading.
fn check_assets(store: &Store, files: &[FileInput]) -> Result<(), ApiError> {
    for (i, file) in files.iter().enumerate() {
        let FileInput::AssetId(id) = file else {
            continue;
        };
        let ready = store
            .assets
            .get(id)
            .is_some_and(|a| a.completed && a.bytes.is_some());
        if !ready {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "asset_not_found",
                format!(
                    "Asset '{id}' not found. Upload it with POST /v3/assets (or finish a \
                     direct upload with POST /v3/assets/{{asset_id}}/complete) first."
                ),
            )
            .with_param(format!("files[{i}].asset_id")));
        }
    }
    Ok(())
}

/// `POST /v3/video-agents`: starts a session in `thinking`.
pub(crate) async fn create_session(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let obj = validate::json_object(body, "CreateVideoAgentRequest")?;
    let request = validate::create_request(&obj)?;
    if let Some(style_id) = &request.style_id
        && !STYLES.iter().any(|(id, ..)| id == style_id)
    {
        return Err(ApiError::invalid(
            "style_id",
            format!("Unknown style_id '{style_id}'. List styles with GET /v3/video-agents/styles."),
        ));
    }
    check_avatar_and_voice(request.avatar_id.as_deref(), request.voice_id.as_deref())?;
    check_brand_ids(
        request.brand_kit_id.as_deref(),
        request.brand_glossary_id.as_deref(),
    )?;
    let hide_fresh = shared.faults().session_404_fresh;
    let mut store = shared.store();
    check_assets(&store, &request.files)?;
    let id = store.create_session(NewSession {
        prompt: request.prompt,
        mode: request.mode,
        portrait: request.orientation.map(|o| o == "portrait"),
        choices: Choices {
            avatar_id: request.avatar_id,
            voice_id: request.voice_id,
            brand_kit_id: request.brand_kit_id,
            brand_glossary_id: request.brand_glossary_id,
        },
    });
    store.quirks.hide_fresh(&id, hide_fresh);
    let session = store
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Session", &id))?;
    tracing::debug!(session_id = %id, "sandbox session created");
    Ok(envelope::data(json!({
        "session_id": session.id,
        "status": session.status(),
        "video_id": session.video_id(),
        "created_at": session.created_at,
    })))
}

/// `GET /v3/video-agents`: sessions, newest first.
pub(crate) async fn list_sessions(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let limit = query.limit(DEFAULT_LIMIT)?;
    let mut store = shared.store();
    let mut items: Vec<(u64, Value)> = store
        .sessions
        .values()
        .map(|s| (s.seq, views::session_item(s)))
        .collect();
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    let (page, next) = store.paginate("sessions", items, limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `GET /v3/video-agents/styles`: the sandbox's fixed style catalogue.
pub(crate) async fn list_styles(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let limit = query.limit(DEFAULT_LIMIT)?;
    let tag = query.get("tag").filter(|t| !t.is_empty());
    let links = Links::new(&shared, &headers);
    let items: Vec<(u64, Value)> = STYLES
        .iter()
        .enumerate()
        .filter(|(_, (_, _, tags, _))| tag.is_none_or(|tag| tags.contains(&tag)))
        .filter_map(|(i, _)| Some(((STYLES.len() - i) as u64, views::style(i, &links)?)))
        .collect();
    let scope = format!("styles:{}", tag.unwrap_or_default());
    let (page, next) = shared
        .store()
        .paginate(&scope, items, limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `GET /v3/video-agents/{session_id}`: status, progress, video id, last 40 messages,
/// unless a production switch has it answer 404 or an older view.
pub(crate) async fn get_session(
    State(shared): State<Arc<Shared>>,
    Path(session_id): Path<String>,
) -> ApiResult {
    let hide_after_video = shared.faults().session_404_after_video;
    let mut store = shared.store();
    store.advance(&session_id);
    let session = store
        .sessions
        .get(&session_id)
        .ok_or_else(|| ApiError::not_found("Session", &session_id))?;
    let has_video = session.video_id().is_some();
    let live = views::session(session, store.now);
    let view = store
        .quirks
        .session_view(&session_id, live, has_video, hide_after_video)?;
    Ok(envelope::data(view))
}

/// `POST /v3/video-agents/{session_id}`: a chat-mode follow-up (approve, revise, new video).
pub(crate) async fn send_message(
    State(shared): State<Arc<Shared>>,
    Path(session_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let stale_secs = shared.faults().stale_after_send;
    let mut store = shared.store();
    if !store.sessions.contains_key(&session_id) {
        return Err(ApiError::not_found("Session", &session_id));
    }
    let obj = validate::json_object(body, "SendMessageRequest")?;
    let request = validate::send_request(&obj)?;
    check_avatar_and_voice(request.avatar_id.as_deref(), request.voice_id.as_deref())?;
    check_brand_ids(request.brand_kit_id.as_deref(), None)?;
    check_assets(&store, &request.files)?;
    store.advance(&session_id);
    let before = store
        .sessions
        .get(&session_id)
        .map(|s| views::session(s, store.now));
    let overrides = Choices {
        avatar_id: request.avatar_id,
        voice_id: request.voice_id,
        brand_kit_id: request.brand_kit_id,
        brand_glossary_id: None,
    };
    let run_id = store.send_message(&session_id, &request.message, &overrides)?;
    if let Some(before) = before {
        store.quirks.hold_stale(&session_id, before, stale_secs);
    }
    let title = store.sessions.get(&session_id).map(|s| s.title.clone());
    Ok(envelope::data(json!({
        "session_id": session_id,
        "run_id": run_id,
        "title": title,
    })))
}

/// `GET /v3/video-agents/{session_id}/resources/{resource_id}`: a storyboard image.
pub(crate) async fn get_resource(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((session_id, resource_id)): Path<(String, String)>,
) -> ApiResult {
    let links = Links::new(&shared, &headers);
    let store = shared.store();
    if !store.sessions.contains_key(&session_id) {
        return Err(ApiError::not_found("Session", &session_id));
    }
    let resource = store
        .resources
        .get(&resource_id)
        .filter(|r| r.session_id == session_id)
        .ok_or_else(|| ApiError::not_found("Resource", &resource_id))?;
    Ok(envelope::data(views::resource(resource, &links)))
}

/// `GET /v3/video-agents/{session_id}/videos`: the session's videos, newest first.
pub(crate) async fn list_session_videos(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(session_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let limit = query.limit(DEFAULT_LIMIT)?;
    let links = Links::new(&shared, &headers);
    let mut store = shared.store();
    store.advance(&session_id);
    let session = store
        .sessions
        .get(&session_id)
        .ok_or_else(|| ApiError::not_found("Session", &session_id))?;
    let clock = store.clock;
    let items: Vec<(u64, Value)> = session
        .videos
        .iter()
        .rev()
        .filter_map(|id| store.videos.get(id))
        .map(|v| {
            (
                v.order_key(),
                views::video(v, store.now, |t| clock.unix_at(t), &links),
            )
        })
        .collect();
    let scope = format!("session_videos:{session_id}");
    let (page, next) = store.paginate(&scope, items, limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `POST /v3/video-agents/{session_id}/stop`: body must be `{}`.
pub(crate) async fn stop_session(
    State(shared): State<Arc<Shared>>,
    Path(session_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let mut store = shared.store();
    if !store.sessions.contains_key(&session_id) {
        return Err(ApiError::not_found("Session", &session_id));
    }
    validate::stop_request(&validate::json_object(body, "StopSessionRequest")?)?;
    store.stop(&session_id)?;
    Ok(envelope::data(json!({ "session_id": session_id })))
}

/// `GET /v3/videos`: every sandbox video, newest first; `title` and `folder_id` filter.
pub(crate) async fn list_videos(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let limit = query.limit(VIDEOS_DEFAULT_LIMIT)?;
    let title = match query.get("title") {
        Some("") => {
            return Err(ApiError::invalid(
                "title",
                "'title' must be at least 1 character.",
            ));
        }
        other => other.map(str::to_lowercase),
    };
    // Sandbox videos are never filed in folders, so any folder filter matches nothing.
    let folder_filter = query.get("folder_id").is_some();
    let links = Links::new(&shared, &headers);
    let mut store = shared.store();
    store.advance_all();
    let clock = store.clock;
    let mut items: Vec<(u64, Value)> = store
        .videos
        .values()
        .filter(|_| !folder_filter)
        .filter(|v| {
            title
                .as_ref()
                .is_none_or(|t| v.shown_title(store.now).to_lowercase().contains(t))
        })
        .map(|v| {
            (
                v.order_key(),
                views::video(v, store.now, |t| clock.unix_at(t), &links),
            )
        })
        .collect();
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    let (page, next) = store.paginate("videos", items, limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `GET /v3/videos/{video_id}`: status and, once completed, freshly signed media URLs.
pub(crate) async fn get_video(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(video_id): Path<String>,
) -> ApiResult {
    let links = Links::new(&shared, &headers);
    let store = shared.store();
    let video = store
        .videos
        .get(&video_id)
        .ok_or_else(|| ApiError::not_found("Video", &video_id))?;
    let clock = store.clock;
    Ok(envelope::data(views::video(
        video,
        store.now,
        |t| clock.unix_at(t),
        &links,
    )))
}

/// `GET /v3/videos/{video_id}/scenes`: the scenes of a completed video. Until then (and
/// after a failure) there is no finished video to describe, so the sandbox answers 400
/// `invalid_parameter` on `video_id`, one of the errors the contract documents here.
pub(crate) async fn get_video_scenes(
    State(shared): State<Arc<Shared>>,
    Path(video_id): Path<String>,
) -> ApiResult {
    let store = shared.store();
    let video = store
        .videos
        .get(&video_id)
        .ok_or_else(|| ApiError::not_found("Video", &video_id))?;
    let status = match video.state(store.now) {
        VideoState::Completed { .. } => return Ok(envelope::data(views::scenes(video))),
        VideoState::Pending => "pending",
        VideoState::Processing => "processing",
        VideoState::Failed { .. } => "failed",
    };
    Err(ApiError::invalid(
        "video_id",
        format!(
            "Video '{video_id}' is {status}: scenes can be read once it is completed. Poll \
             GET /v3/videos/{video_id} until its status is completed."
        ),
    ))
}

/// `DELETE /v3/videos/{video_id}`.
pub(crate) async fn delete_video(
    State(shared): State<Arc<Shared>>,
    Path(video_id): Path<String>,
) -> ApiResult {
    let mut store = shared.store();
    store
        .videos
        .remove(&video_id)
        .ok_or_else(|| ApiError::not_found("Video", &video_id))?;
    Ok(envelope::data(json!({ "id": video_id, "deleted": true })))
}

/// `POST /v3/videos`: avatar/studio videos are outside what the sandbox simulates.
pub(crate) async fn create_video() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "not_implemented",
        "The sandbox simulates the Video Agent only; POST /v3/videos is not simulated.",
    )
}

/// Any other `/v3` path.
pub(crate) async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("No route for {}.", uri.path()),
    )
}
