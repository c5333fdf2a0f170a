//! `/media/…`: the sandbox's stand-in for HeyGen's storage and CDN. No API key, like
//! presigned URLs; signed URLs carry `?expires=<unix seconds>` and answer 403 after it,
//! with an S3-style XML error, as S3 does.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::assets::UPLOAD_TOKEN_HEADER;
use super::brand;
use super::catalogue;
use super::media;
use super::query::Query;
use super::state::{Shared, unix_now};
use super::video::VideoState;
use super::views::STYLES;

fn storage_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>\n"
    );
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

fn missing() -> Response {
    storage_error(
        StatusCode::NOT_FOUND,
        "NoSuchKey",
        "The specified key does not exist.",
    )
}

/// The 403 to answer unless `expires` is present and still in the future.
fn expiry_denial(raw_query: Option<&str>) -> Option<Response> {
    let expires = Query::parse(raw_query)
        .get("expires")
        .and_then(|e| e.parse::<i64>().ok());
    match expires {
        Some(expires) if unix_now() < expires => None,
        Some(_) => Some(storage_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Request has expired",
        )),
        None => Some(storage_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Query-string authentication requires the expires parameter",
        )),
    }
}

fn file(content_type: &'static str, bytes: impl Into<axum::body::Body>) -> Response {
    let mut response = Response::new(bytes.into());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn png(result: Result<Vec<u8>, png::EncodingError>) -> Response {
    match result {
        Ok(bytes) => file("image/png", bytes),
        Err(e) => {
            tracing::error!(error = %e, "sandbox could not encode a PNG");
            storage_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "PNG encoding failed",
            )
        }
    }
}

/// `GET /media/storyboards/{resource_id}.png`: a storyboard scene, drawn on request.
pub(crate) async fn storyboard(
    State(shared): State<Arc<Shared>>,
    Path(file_name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(denied) = expiry_denial(raw.as_deref()) {
        return denied;
    }
    let Some(id) = file_name.strip_suffix(".png") else {
        return missing();
    };
    let resource = {
        let mut store = shared.store();
        store.advance_all();
        store.resources.get(id).cloned()
    };
    let Some(resource) = resource else {
        return missing();
    };
    png(media::storyboard_png(
        resource.scene,
        resource.scenes,
        &resource.text,
        resource.portrait,
    ))
}

/// `GET /media/videos/{video_id}/{file}`: `video.mp4`, `captioned.mp4`, `thumbnail.png`,
/// `subtitles.srt` of a completed video.
pub(crate) async fn video_file(
    State(shared): State<Arc<Shared>>,
    Path((video_id, file_name)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(denied) = expiry_denial(raw.as_deref()) {
        return denied;
    }
    let video = {
        let mut store = shared.store();
        store.advance_all();
        store
            .videos
            .get(&video_id)
            .filter(|v| matches!(v.state(store.now), VideoState::Completed { .. }))
            .map(|v| (v.title.clone(), v.portrait, v.scenes.clone(), v.duration))
    };
    let Some((title, portrait, scenes, duration)) = video else {
        return missing();
    };
    match file_name.as_str() {
        "video.mp4" => file("video/mp4", media::SAMPLE_MP4),
        "captioned.mp4" => file("video/mp4", media::SAMPLE_CAPTIONED_MP4),
        "thumbnail.png" => png(media::thumbnail_png(&title, portrait)),
        "subtitles.srt" => file(
            "application/x-subrip; charset=utf-8",
            media::srt(&scenes, duration),
        ),
        _ => missing(),
    }
}

/// `GET /media/styles/{style_id}.png`: a style's catalogue thumbnail (public, no expiry).
pub(crate) async fn style_thumbnail(Path(file_name): Path<String>) -> Response {
    let style = file_name
        .strip_suffix(".png")
        .and_then(|id| STYLES.iter().find(|(style_id, ..)| *style_id == id));
    match style {
        Some((_, name, tags, _)) => png(media::style_png(name, tags)),
        None => missing(),
    }
}

/// Private catalogue media is signed like other account media; public media never expires.
fn catalogue_denial(private: bool, raw_query: Option<&str>) -> Option<Response> {
    if private {
        expiry_denial(raw_query)
    } else {
        None
    }
}

/// `GET /media/looks/{look_id}.png`: a look's preview, in the look's orientation.
pub(crate) async fn look_preview(
    Path(file_name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(look) = file_name.strip_suffix(".png").and_then(catalogue::look) else {
        return missing();
    };
    if let Some(denied) = catalogue_denial(look.private(), raw.as_deref()) {
        return denied;
    }
    let name = look.group().map_or(look.name, |g| g.name);
    let (width, height) = match look.orientation {
        catalogue::Orientation::Landscape => (320, 180),
        catalogue::Orientation::Portrait => (180, 320),
        catalogue::Orientation::Square => (240, 240),
    };
    png(media::avatar_png(name, look.name, width, height))
}

/// `GET /media/avatar-groups/{group_id}.png`: an avatar group's preview.
pub(crate) async fn group_preview(
    Path(file_name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(group) = file_name.strip_suffix(".png").and_then(catalogue::group) else {
        return missing();
    };
    if let Some(denied) = catalogue_denial(group.private, raw.as_deref()) {
        return denied;
    }
    let looks = format!("{} looks", group.looks().count());
    png(media::avatar_png(group.name, &looks, 320, 180))
}

/// `GET /media/voices/{voice_id}.wav`: a voice's preview, a short tone (not speech).
pub(crate) async fn voice_preview(
    Path(file_name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(voice) = file_name.strip_suffix(".wav").and_then(catalogue::voice) else {
        return missing();
    };
    if let Some(denied) = catalogue_denial(voice.private, raw.as_deref()) {
        return denied;
    }
    file("audio/wav", media::tone_wav(voice.preview_hz))
}

/// `GET /media/brand/{logo_id}.png`: a brand kit's logo, drawn in the kit's colours
/// (public, like HeyGen's CDN; no expiry).
pub(crate) async fn brand_logo(Path(file_name): Path<String>) -> Response {
    let Some((kit, logo)) = file_name.strip_suffix(".png").and_then(brand::logo) else {
        return missing();
    };
    let colour = |hex: Option<&str>, fallback| hex.and_then(brand::rgb).unwrap_or(fallback);
    png(media::logo_png(
        logo.text,
        colour(kit.primary_color(), [30, 58, 95]),
        colour(kit.accent_color(), [255, 255, 255]),
    ))
}

/// `GET /media/assets/{asset_id}`: an uploaded asset's bytes (public URL, no expiry).
pub(crate) async fn asset(
    State(shared): State<Arc<Shared>>,
    Path(asset_id): Path<String>,
) -> Response {
    let found = {
        let store = shared.store();
        store
            .assets
            .get(&asset_id)
            .filter(|a| a.completed)
            .and_then(|a| Some((a.mime_type.clone(), a.name.clone(), a.bytes.clone()?)))
    };
    let Some((mime, name, bytes)) = found else {
        return missing();
    };
    let mut response = Response::new(bytes.into());
    if let Ok(value) = HeaderValue::from_str(&mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    let safe_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{safe_name}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `PUT /media/uploads/{asset_id}`: the direct-upload target. Like a presigned PUT, it
/// insists on the headers it handed out and on the declared size.
pub(crate) async fn put_upload(
    State(shared): State<Arc<Shared>>,
    Path(asset_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(denied) = expiry_denial(raw.as_deref()) {
        return denied;
    }
    let header = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header(header::CONTENT_TYPE);
    let token = header(header::HeaderName::from_static(UPLOAD_TOKEN_HEADER));
    let mut store = shared.store();
    let Some(asset) = store
        .assets
        .get_mut(&asset_id)
        .filter(|a| !a.upload_token.is_empty())
    else {
        return missing();
    };
    if content_type.as_deref() != Some(asset.mime_type.as_str())
        || token.as_deref() != Some(asset.upload_token.as_str())
    {
        return storage_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "Send the upload_headers exactly as returned by POST /v3/assets/direct-uploads",
        );
    }
    if body.len() as u64 != asset.declared_size {
        return storage_error(
            StatusCode::BAD_REQUEST,
            "IncompleteBody",
            "The body size does not match the size_bytes declared for this upload",
        );
    }
    asset.bytes = Some(body.to_vec());
    StatusCode::OK.into_response()
}
