//! `/v3/avatars`, `/v3/avatars/looks`, `/v3/voices` and `/v3/users/me`: read-only views
//! of the fixed catalogue in [`super::catalogue`], and the check that Video Agent's
//! `avatar_id` / `voice_id` name something in it.
//!
//! Public items' previews are public URLs, like HeyGen's CDN files and the style
//! thumbnails; the account's private twin and clone get signed URLs that expire.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::catalogue::{self, GROUPS, Group, LOOKS, Look, VOICES, Voice};
use super::envelope::{self, ApiError, ApiResult};
use super::query::Query;
use super::state::Shared;
use super::views::Links;

const DEFAULT_LIMIT: usize = 20;
/// The avatar lists take at most 50 a page; voices take the usual 100.
const AVATARS_MAX_LIMIT: usize = 50;
const VOICES_MAX_LIMIT: usize = 100;
const OWNERSHIP: &[&str] = &["public", "private"];
const AVATAR_TYPES: &[&str] = &["studio_avatar", "digital_twin", "photo_avatar"];
const VOICE_TYPES: &[&str] = &["public", "private"];

/// Public previews never expire; private ones are signed like other per-account media.
fn preview(links: &Links, private: bool, path: &str) -> String {
    if private {
        links.signed(path)
    } else {
        links.public(path)
    }
}

fn ownership_matches(ownership: Option<&str>, private: bool) -> bool {
    ownership.is_none_or(|o| (o == "private") == private)
}

/// Catalogue order as pagination keys: strictly decreasing, as `Store::paginate` needs.
pub(crate) fn keyed(items: Vec<Value>) -> Vec<(u64, Value)> {
    let len = items.len() as u64;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| (len - i as u64, item))
        .collect()
}

fn group_view(group: &Group, links: &Links) -> Value {
    let default_voice = group.looks().next().map(|l| l.default_voice_id);
    json!({
        "id": group.id,
        "name": group.name,
        "preview_image_url": preview(links, group.private, &format!("/media/avatar-groups/{}.png", group.id)),
        // No preview clips exist in the sandbox; null rather than a stand-in.
        "preview_video_url": null,
        "gender": group.gender,
        "created_at": group.created_at(),
        "looks_count": group.looks().count(),
        "default_voice_id": default_voice,
        // HeyGen sends consent and training status for the account's own avatars only.
        "consent_status": group.private.then_some("approved"),
        "status": group.private.then_some("completed"),
        "error": null,
    })
}

fn look_view(look: &Look, links: &Links) -> Value {
    let private = look.private();
    let (width, height) = look.orientation.native_size();
    json!({
        "id": look.id,
        "name": look.name,
        "avatar_type": look.avatar_type,
        "group_id": look.group_id,
        "preview_image_url": preview(links, private, &format!("/media/looks/{}.png", look.id)),
        "preview_video_url": null,
        "gender": look.group().map(|g| g.gender),
        "tags": look.tags,
        "default_voice_id": look.default_voice_id,
        "supported_api_engines": look.engines(),
        "image_width": width,
        "image_height": height,
        "preferred_orientation": look.orientation.as_str(),
        "status": private.then_some("completed"),
        "error": null,
    })
}

fn voice_preview(voice: &Voice, links: &Links) -> String {
    preview(
        links,
        voice.private,
        &format!("/media/voices/{}.wav", voice.id),
    )
}

fn voice_item(voice: &Voice, links: &Links) -> Value {
    json!({
        "voice_id": voice.id,
        "name": voice.name,
        "language": voice.language,
        "gender": voice.gender,
        "preview_audio_url": voice_preview(voice, links),
        "support_pause": true,
        "support_locale": false,
        "type": if voice.private { "private" } else { "public" },
    })
}

fn voice_detail(voice: &Voice, links: &Links) -> Value {
    json!({
        "voice_id": voice.id,
        "name": voice.name,
        "language": voice.language,
        "gender": voice.gender,
        "preview_audio_url": voice_preview(voice, links),
        // Clone status is only reported for cloned (private) voices.
        "status": voice.private.then_some("complete"),
        "failure_message": null,
        "support_pause": true,
        "support_interactive_avatar": false,
        "created_at": voice.created_at(),
    })
}

/// `GET /v3/avatars`: avatar groups, optionally only public or only private ones.
pub(crate) async fn list_groups(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let ownership = query.one_of("ownership", OWNERSHIP)?;
    let limit = query.limit_up_to(DEFAULT_LIMIT, AVATARS_MAX_LIMIT)?;
    let links = Links::new(&shared, &headers);
    let items = GROUPS
        .iter()
        .filter(|g| ownership_matches(ownership, g.private))
        .map(|g| group_view(g, &links))
        .collect();
    let scope = format!("avatar_groups:{}", ownership.unwrap_or_default());
    let (page, next) = shared
        .store()
        .paginate(&scope, keyed(items), limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `GET /v3/avatars/{group_id}`.
pub(crate) async fn get_group(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(group_id): Path<String>,
) -> ApiResult {
    // HeyGen answers an unknown group with 404 `avatar_not_found`, not `not_found`.
    let group = catalogue::group(&group_id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "avatar_not_found",
            format!("Avatar group not found: no avatar group with id '{group_id}'."),
        )
    })?;
    Ok(envelope::data(group_view(
        group,
        &Links::new(&shared, &headers),
    )))
}

/// `GET /v3/avatars/looks`: looks, filtered by group, avatar type and ownership together.
pub(crate) async fn list_looks(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let group_id = query.get("group_id").filter(|g| !g.is_empty());
    let avatar_type = query.one_of("avatar_type", AVATAR_TYPES)?;
    let ownership = query.one_of("ownership", OWNERSHIP)?;
    let limit = query.limit_up_to(DEFAULT_LIMIT, AVATARS_MAX_LIMIT)?;
    let links = Links::new(&shared, &headers);
    // An unknown group_id matches nothing: the contract documents no 404 for this list.
    let items = LOOKS
        .iter()
        .filter(|l| group_id.is_none_or(|g| l.group_id == g))
        .filter(|l| avatar_type.is_none_or(|t| l.avatar_type == t))
        .filter(|l| ownership_matches(ownership, l.private()))
        .map(|l| look_view(l, &links))
        .collect();
    let scope = format!(
        "avatar_looks:{}:{}:{}",
        group_id.unwrap_or_default(),
        avatar_type.unwrap_or_default(),
        ownership.unwrap_or_default()
    );
    let (page, next) = shared
        .store()
        .paginate(&scope, keyed(items), limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `GET /v3/avatars/looks/{look_id}`.
pub(crate) async fn get_look(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(look_id): Path<String>,
) -> ApiResult {
    let look =
        catalogue::look(&look_id).ok_or_else(|| ApiError::not_found("Avatar look", &look_id))?;
    Ok(envelope::data(look_view(
        look,
        &Links::new(&shared, &headers),
    )))
}

/// `GET /v3/voices`: public voices by default, or the account's own with `type=private`;
/// `language` and `gender` match case-insensitively, `engine` exactly.
pub(crate) async fn list_voices(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let private = query.one_of("type", VOICE_TYPES)? == Some("private");
    // Free-form in the contract (no enum), so an unmatched value gives an empty list.
    let engine = query.get("engine").filter(|e| !e.is_empty());
    let language = query.get("language").filter(|l| !l.is_empty());
    let gender = query.get("gender").filter(|g| !g.is_empty());
    let limit = query.limit_up_to(DEFAULT_LIMIT, VOICES_MAX_LIMIT)?;
    let links = Links::new(&shared, &headers);
    let items = VOICES
        .iter()
        .filter(|v| v.private == private)
        .filter(|v| engine.is_none_or(|e| v.engines.contains(&e)))
        .filter(|v| language.is_none_or(|l| v.language.eq_ignore_ascii_case(l)))
        .filter(|v| gender.is_none_or(|g| v.gender.eq_ignore_ascii_case(g)))
        .map(|v| voice_item(v, &links))
        .collect();
    let scope = format!(
        "voices:{private}:{}:{}:{}",
        engine.unwrap_or_default(),
        language.unwrap_or_default().to_lowercase(),
        gender.unwrap_or_default().to_lowercase()
    );
    let (page, next) = shared
        .store()
        .paginate(&scope, keyed(items), limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `GET /v3/voices/{voice_id}`.
pub(crate) async fn get_voice(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(voice_id): Path<String>,
) -> ApiResult {
    let voice = catalogue::voice(&voice_id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "voice_not_found",
            format!("Voice not found: no voice with id '{voice_id}'."),
        )
    })?;
    Ok(envelope::data(voice_detail(
        voice,
        &Links::new(&shared, &headers),
    )))
}

/// `GET /v3/users/me`: the sandbox account and its wallet balance.
pub(crate) async fn current_user() -> ApiResult {
    Ok(envelope::data(catalogue::account()))
}

/// Video Agent's `avatar_id` must be a look id and `voice_id` a voice id from the
/// catalogue. HeyGen documents these codes but no status for them on the Video Agent
/// calls, so they are 400s like the other request errors.
pub(crate) fn check_avatar_and_voice(
    avatar_id: Option<&str>,
    voice_id: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(id) = avatar_id
        && catalogue::look(id).is_none()
    {
        let hint = if catalogue::group(id).is_some() {
            " That is an avatar group id; pass one of its look ids."
        } else {
            ""
        };
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "avatar_not_found",
            format!(
                "Avatar '{id}' not found.{hint} avatar_id takes a look id: list them with \
                 GET /v3/avatars/looks."
            ),
        )
        .with_param("avatar_id"));
    }
    if let Some(id) = voice_id
        && catalogue::voice(id).is_none()
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "voice_not_found",
            format!("Voice '{id}' not found. List voices with GET /v3/voices."),
        )
        .with_param("voice_id"));
    }
    Ok(())
}
