//! `/v3/assets` handlers: multipart upload and the three-step direct upload.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::envelope::{self, ApiError, ApiResult};
use super::idempotency::{self, Begin};
use super::state::{Asset, Shared, unix_now};
use super::validate;
use super::views::Links;

/// `POST /v3/assets` accepts files up to 32 MB.
pub(crate) const UPLOAD_MAX_BYTES: usize = 32 * 1024 * 1024;
/// Direct uploads are held in memory too, so the sandbox caps them lower than HeyGen.
pub(crate) const DIRECT_UPLOAD_MAX_BYTES: u64 = 256 * 1024 * 1024;
const DIRECT_UPLOAD_TTL_SECS: i64 = 3600;
pub(crate) const UPLOAD_TOKEN_HEADER: &str = "x-sandbox-upload-token";

/// Accepted types: (name, canonical MIME, other MIME spellings, file extensions).
const ACCEPTED: &[(&str, &str, &[&str], &[&str])] = &[
    ("png", "image/png", &[], &["png"]),
    (
        "jpeg",
        "image/jpeg",
        &["image/jpg", "image/pjpeg"],
        &["jpg", "jpeg"],
    ),
    ("mp4", "video/mp4", &[], &["mp4"]),
    ("webm", "video/webm", &["audio/webm"], &["webm"]),
    ("mp3", "audio/mpeg", &["audio/mp3"], &["mp3"]),
    (
        "wav",
        "audio/wav",
        &["audio/x-wav", "audio/wave", "audio/vnd.wave"],
        &["wav"],
    ),
    ("pdf", "application/pdf", &[], &["pdf"]),
    (
        "srt",
        "application/x-subrip",
        &["text/srt", "application/srt"],
        &["srt"],
    ),
];

/// The accepted MIME type for a part, from its content type or, when that is missing or
/// generic, its file name's extension.
fn accepted_mime(content_type: Option<&str>, file_name: Option<&str>) -> Option<&'static str> {
    let declared = content_type
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|ct| !ct.is_empty());
    let generic = [
        "application/octet-stream",
        "text/plain",
        "binary/octet-stream",
    ];
    if let Some(ct) = declared.as_deref().filter(|ct| !generic.contains(ct)) {
        return ACCEPTED
            .iter()
            .find(|(_, mime, aliases, _)| *mime == ct || aliases.contains(&ct))
            .map(|(_, mime, ..)| *mime);
    }
    let ext = file_name?.rsplit_once('.')?.1.to_ascii_lowercase();
    ACCEPTED
        .iter()
        .find(|(.., exts)| exts.contains(&ext.as_str()))
        .map(|(_, mime, ..)| *mime)
}

fn unsupported(what: &str) -> ApiError {
    let names: Vec<&str> = ACCEPTED.iter().map(|(name, ..)| *name).collect();
    ApiError::invalid(
        "file",
        format!(
            "Unsupported file type {what}. Accepted: {}.",
            names.join(", ")
        ),
    )
}

/// `POST /v3/assets`: multipart/form-data with exactly one part named `file`, ≤ 32 MB.
pub(crate) async fn upload(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult {
    let claim = match idempotency::begin(&shared, "POST /v3/assets", &headers) {
        Ok(Begin::Proceed(claim)) => claim,
        Ok(Begin::Replay(data)) => {
            drain(multipart).await;
            return Ok(envelope::data(data));
        }
        Err(error) => {
            drain(multipart).await;
            return Err(error);
        }
    };
    let result = receive_upload(&shared, &headers, multipart).await;
    if let Some(claim) = claim {
        claim.finish(&result);
    }
    result.map(envelope::data)
}

/// Reads an unwanted upload to the end, so the client sees our answer, not a reset.
async fn drain(multipart: Result<Multipart, MultipartRejection>) {
    let Ok(mut multipart) = multipart else { return };
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

async fn receive_upload(
    shared: &Shared,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Value, ApiError> {
    let missing = || {
        ApiError::invalid(
            "file",
            "File is required. Upload a file using multipart/form-data.",
        )
    };
    let mut multipart = multipart.map_err(|_| missing())?;
    let mut file: Option<(Option<String>, Option<String>, Vec<u8>)> = None;
    let mut file_parts = 0;
    let mut too_large = false;
    // Read every part to the end even after a problem, so the client gets our answer
    // instead of a connection reset mid-upload.
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                return Err(ApiError::invalid(
                    "file",
                    format!("Malformed multipart body: {e}"),
                ));
            }
        };
        let is_file = field.name() == Some("file");
        let meta = (
            field.file_name().map(str::to_string),
            field.content_type().map(str::to_string),
        );
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if is_file && !too_large {
                        if bytes.len() + chunk.len() > UPLOAD_MAX_BYTES {
                            too_large = true;
                            bytes = Vec::new();
                        } else {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(ApiError::invalid(
                        "file",
                        format!("Could not read the file part: {e}"),
                    ));
                }
            }
        }
        if is_file {
            file_parts += 1;
            file = Some((meta.0, meta.1, bytes));
        }
    }
    if too_large {
        return Err(ApiError::invalid(
            "file",
            "File exceeds the 32 MB limit of POST /v3/assets; use POST /v3/assets/direct-uploads for larger files.",
        ));
    }
    if file_parts > 1 {
        return Err(ApiError::invalid(
            "file",
            "Send exactly one part named 'file'.",
        ));
    }
    let (file_name, content_type, bytes) = file.ok_or_else(missing)?;
    let mime = accepted_mime(content_type.as_deref(), file_name.as_deref())
        .ok_or_else(|| unsupported(content_type.as_deref().unwrap_or("(none)")))?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("file", "The uploaded file is empty."));
    }
    let links = Links::new(shared, headers);
    let size = bytes.len();
    let mut store = shared.store();
    let (id, _) = store.next_id("asset");
    let name = file_name.unwrap_or_else(|| format!("{id}.{}", extension(mime)));
    store.assets.insert(
        id.clone(),
        Asset {
            id: id.clone(),
            name,
            mime_type: mime.to_string(),
            bytes: Some(bytes),
            completed: true,
            declared_size: size as u64,
            upload_token: String::new(),
        },
    );
    Ok(json!({
        "asset_id": id,
        "url": links.public(&format!("/media/assets/{id}")),
        "mime_type": mime,
        "size_bytes": size,
    }))
}

fn extension(mime: &str) -> &'static str {
    ACCEPTED
        .iter()
        .find(|(_, m, ..)| *m == mime)
        .and_then(|(.., exts)| exts.first().copied())
        .unwrap_or("bin")
}

/// `POST /v3/assets/direct-uploads`: returns where to PUT the bytes and which headers to send.
pub(crate) async fn start_direct_upload(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let claim = match idempotency::begin(&shared, "POST /v3/assets/direct-uploads", &headers)? {
        Begin::Proceed(claim) => claim,
        Begin::Replay(data) => return Ok(envelope::data(data)),
    };
    let result = new_direct_upload(&shared, &headers, body);
    if let Some(claim) = claim {
        claim.finish(&result);
    }
    result.map(envelope::data)
}

fn new_direct_upload(
    shared: &Shared,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, ApiError> {
    let obj = validate::json_object(body, "CreateAssetUploadRequest")?;
    let request = validate::direct_upload_request(&obj, DIRECT_UPLOAD_MAX_BYTES)?;
    let links = Links::new(shared, headers);
    let mut store = shared.store();
    let (id, seq) = store.next_id("asset");
    let upload_token = format!("sbxup{seq:x}{:x}", unix_now());
    let expires = unix_now() + DIRECT_UPLOAD_TTL_SECS;
    store.assets.insert(
        id.clone(),
        Asset {
            id: id.clone(),
            name: request.filename,
            mime_type: request.content_type.clone(),
            bytes: None,
            completed: false,
            declared_size: request.size_bytes,
            upload_token: upload_token.clone(),
        },
    );
    let mut upload_headers = serde_json::Map::new();
    upload_headers.insert("Content-Type".into(), json!(request.content_type));
    upload_headers.insert(UPLOAD_TOKEN_HEADER.into(), json!(upload_token));
    Ok(json!({
        "asset_id": id,
        "upload_url": format!("{}/media/uploads/{id}?expires={expires}", links.base),
        "upload_headers": upload_headers,
        "expires_in_seconds": DIRECT_UPLOAD_TTL_SECS,
        "max_bytes": request.size_bytes,
        "status": "pending_upload",
    }))
}

/// `POST /v3/assets/{asset_id}/complete`: 409 until the PUT has landed; idempotent after.
pub(crate) async fn complete_direct_upload(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(asset_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let links = Links::new(&shared, &headers);
    let mut store = shared.store();
    let asset = store.assets.get_mut(&asset_id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "asset_not_found",
            format!("Asset not found: no asset with id '{asset_id}'."),
        )
    })?;
    validate::complete_request(&validate::json_object(body, "CompleteAssetUploadRequest")?)?;
    let Some(size) = asset.bytes.as_ref().map(Vec::len) else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "Uploaded object not found yet. Retry after the upload PUT returns 200.",
        ));
    };
    asset.completed = true;
    Ok(envelope::data(json!({
        "asset_id": asset.id,
        "url": links.public(&format!("/media/assets/{}", asset.id)),
        "mime_type": asset.mime_type,
        "size_bytes": size,
        "status": "processing",
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_from_type_or_extension() {
        assert_eq!(accepted_mime(Some("image/png"), None), Some("image/png"));
        assert_eq!(
            accepted_mime(Some("application/octet-stream"), Some("a.SRT")),
            Some("application/x-subrip")
        );
        assert_eq!(accepted_mime(None, Some("clip.mp4")), Some("video/mp4"));
        assert_eq!(accepted_mime(Some("image/gif"), Some("x.png")), None);
        assert_eq!(accepted_mime(None, Some("archive.zip")), None);
    }
}
