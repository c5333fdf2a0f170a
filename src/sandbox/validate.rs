//! Strict request validation, written from HeyGen's OpenAPI contract rather than from any
//! client's types: `additionalProperties: false`, lengths counted in characters, enums,
//! the `type`-keyed file-input union, and pagination bounds. Every failure is a 400
//! `invalid_parameter` whose `param` names the field (`prompt`, `files[2].type`, `limit`).
//!
//! The current contract has no `auto_proceed` (create, send) or `skip_agentic_stop`
//! (create), which older docs show; like the live API, the sandbox rejects them as
//! unknown fields.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use serde_json::{Map, Value};

use super::envelope::ApiError;
use super::session::Mode;

const TEXT_MAX_CHARS: usize = 10_000;
const MAX_FILES: usize = 20;

/// The fields `CreateVideoAgentRequest` allows.
const CREATE_FIELDS: &[&str] = &[
    "prompt",
    "mode",
    "avatar_id",
    "voice_id",
    "style_id",
    "brand_kit_id",
    "brand_glossary_id",
    "orientation",
    "files",
    "callback_url",
    "callback_id",
    "incognito_mode",
];
const SEND_FIELDS: &[&str] = &["message", "avatar_id", "voice_id", "brand_kit_id", "files"];

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FileInput {
    Url,
    AssetId(String),
    Base64,
}

#[derive(Debug)]
pub(crate) struct CreateRequest {
    pub prompt: String,
    pub mode: Mode,
    pub avatar_id: Option<String>,
    pub voice_id: Option<String>,
    pub brand_kit_id: Option<String>,
    pub brand_glossary_id: Option<String>,
    pub orientation: Option<String>,
    pub style_id: Option<String>,
    pub files: Vec<FileInput>,
}

#[derive(Debug)]
pub(crate) struct SendRequest {
    pub message: String,
    pub avatar_id: Option<String>,
    pub voice_id: Option<String>,
    pub brand_kit_id: Option<String>,
    pub files: Vec<FileInput>,
}

#[derive(Debug)]
pub(crate) struct DirectUploadRequest {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: u64,
}

/// The body as a JSON object; `what` names the request schema in messages.
pub(crate) fn json_object(
    body: Result<Bytes, BytesRejection>,
    what: &str,
) -> Result<Map<String, Value>, ApiError> {
    let bytes = body
        .map_err(|e| ApiError::invalid_request(format!("Could not read the request body: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_request(format!(
            "A JSON request body ({what}) is required; send {{}} when there is nothing to set."
        )));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid_request(format!(
            "The request body must be a JSON object ({what})."
        ))),
        Err(e) => Err(ApiError::invalid_request(format!(
            "The request body is not valid JSON: {e}."
        ))),
    }
}

fn reject_unknown(
    obj: &Map<String, Value>,
    allowed: &[&str],
    at: &str,
    what: &str,
) -> Result<(), ApiError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(ApiError::invalid(
            format!("{at}{key}"),
            format!("Unknown field '{key}': {what} does not allow additional properties."),
        )),
        None => Ok(()),
    }
}

/// A required string of 1–10000 characters.
fn text(obj: &Map<String, Value>, key: &str) -> Result<String, ApiError> {
    let bad = || {
        ApiError::invalid(
            key,
            format!("'{key}' is required and must be 1-10000 characters."),
        )
    };
    let value = obj.get(key).and_then(Value::as_str).ok_or_else(bad)?;
    let chars = value.chars().count();
    if chars == 0 || chars > TEXT_MAX_CHARS {
        return Err(bad());
    }
    Ok(value.to_string())
}

/// An optional `string | null` field.
fn nullable_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid(
            key,
            format!("'{key}' must be a string or null."),
        )),
    }
}

fn nullable_strings(obj: &Map<String, Value>, keys: &[&str]) -> Result<(), ApiError> {
    keys.iter()
        .try_for_each(|k| nullable_string(obj, k).map(drop))
}

pub(crate) fn create_request(obj: &Map<String, Value>) -> Result<CreateRequest, ApiError> {
    reject_unknown(obj, CREATE_FIELDS, "", "CreateVideoAgentRequest")?;
    let prompt = text(obj, "prompt")?;
    let mode = match obj.get("mode") {
        None => Mode::Generate,
        Some(Value::String(s)) if s == "generate" => Mode::Generate,
        Some(Value::String(s)) if s == "chat" => Mode::Chat,
        Some(_) => {
            return Err(ApiError::invalid(
                "mode",
                "'mode' must be one of: generate, chat.",
            ));
        }
    };
    let avatar_id = nullable_string(obj, "avatar_id")?;
    let voice_id = nullable_string(obj, "voice_id")?;
    let brand_kit_id = nullable_string(obj, "brand_kit_id")?;
    nullable_strings(obj, &["callback_url", "callback_id"])?;
    let style_id = nullable_string(obj, "style_id")?;
    let brand_glossary_id = nullable_string(obj, "brand_glossary_id")?;
    if brand_glossary_id.as_deref().is_some_and(str::is_empty) {
        return Err(ApiError::invalid(
            "brand_glossary_id",
            "'brand_glossary_id' must be at least 1 character, or null.",
        ));
    }
    let orientation = nullable_string(obj, "orientation")?;
    if orientation
        .as_deref()
        .is_some_and(|o| o != "landscape" && o != "portrait")
    {
        return Err(ApiError::invalid(
            "orientation",
            "'orientation' must be one of: landscape, portrait (or null to auto-detect).",
        ));
    }
    if obj.get("incognito_mode").is_some_and(|v| !v.is_boolean()) {
        return Err(ApiError::invalid(
            "incognito_mode",
            "'incognito_mode' must be a boolean.",
        ));
    }
    Ok(CreateRequest {
        prompt,
        mode,
        avatar_id,
        voice_id,
        brand_kit_id,
        brand_glossary_id,
        orientation,
        style_id,
        files: files(obj)?,
    })
}

pub(crate) fn send_request(obj: &Map<String, Value>) -> Result<SendRequest, ApiError> {
    reject_unknown(obj, SEND_FIELDS, "", "SendMessageRequest")?;
    let message = text(obj, "message")?;
    let avatar_id = nullable_string(obj, "avatar_id")?;
    let voice_id = nullable_string(obj, "voice_id")?;
    let brand_kit_id = nullable_string(obj, "brand_kit_id")?;
    Ok(SendRequest {
        message,
        avatar_id,
        voice_id,
        brand_kit_id,
        files: files(obj)?,
    })
}

/// `StopSessionRequest` is an object with no properties and no additional ones.
pub(crate) fn stop_request(obj: &Map<String, Value>) -> Result<(), ApiError> {
    reject_unknown(obj, &[], "", "StopSessionRequest")
}

/// `files`: null or at most 20 items of the `url | asset_id | base64` union.
fn files(obj: &Map<String, Value>) -> Result<Vec<FileInput>, ApiError> {
    let items = match obj.get("files") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::invalid(
                "files",
                "'files' must be an array or null.",
            ));
        }
    };
    if items.len() > MAX_FILES {
        return Err(ApiError::invalid(
            "files",
            format!(
                "'files' accepts at most {MAX_FILES} items; got {}.",
                items.len()
            ),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| file_input(item, &format!("files[{i}]")))
        .collect()
}

fn file_input(item: &Value, at: &str) -> Result<FileInput, ApiError> {
    let Value::Object(obj) = item else {
        return Err(ApiError::invalid(
            at,
            format!("'{at}' must be an object with a 'type'."),
        ));
    };
    let kind = match obj.get("type") {
        Some(Value::String(kind)) if ["url", "asset_id", "base64"].contains(&kind.as_str()) => kind,
        _ => {
            return Err(ApiError::invalid(
                format!("{at}.type"),
                format!("'{at}.type' is required and must be one of: url, asset_id, base64."),
            ));
        }
    };
    let string_field = |key: &str| -> Result<String, ApiError> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(ApiError::invalid(
                format!("{at}.{key}"),
                format!(
                    "'{at}.{key}' is required for type '{kind}' and must be a non-empty string."
                ),
            )),
        }
    };
    match kind.as_str() {
        "url" => {
            reject_unknown(obj, &["type", "url"], &format!("{at}."), "AssetUrl")?;
            let url = string_field("url")?;
            match url::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(FileInput::Url),
                _ => Err(ApiError::invalid(
                    format!("{at}.url"),
                    format!("'{at}.url' must be a publicly accessible HTTPS URL."),
                )),
            }
        }
        "asset_id" => {
            reject_unknown(obj, &["type", "asset_id"], &format!("{at}."), "AssetId")?;
            Ok(FileInput::AssetId(string_field("asset_id")?))
        }
        _ => {
            reject_unknown(
                obj,
                &["type", "media_type", "data"],
                &format!("{at}."),
                "AssetBase64",
            )?;
            let media_type = string_field("media_type")?;
            if !media_type.contains('/') {
                return Err(ApiError::invalid(
                    format!("{at}.media_type"),
                    format!("'{at}.media_type' must be a MIME type such as image/png."),
                ));
            }
            if base64_len(&string_field("data")?).is_none() {
                return Err(ApiError::invalid(
                    format!("{at}.data"),
                    format!("'{at}.data' is not valid base64."),
                ));
            }
            Ok(FileInput::Base64)
        }
    }
}

/// Decoded length of standard base64 (padding optional, whitespace ignored), or None.
pub(crate) fn base64_len(data: &str) -> Option<usize> {
    let clean: Vec<u8> = data.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let body = clean
        .strip_suffix(b"==")
        .or_else(|| clean.strip_suffix(b"="))
        .unwrap_or(&clean);
    let padded = body.len() != clean.len();
    let valid = body
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/');
    if body.is_empty()
        || !valid
        || body.len() % 4 == 1
        || (padded && !clean.len().is_multiple_of(4))
    {
        return None;
    }
    Some(body.len() * 3 / 4)
}

pub(crate) fn direct_upload_request(
    obj: &Map<String, Value>,
    max_bytes: u64,
) -> Result<DirectUploadRequest, ApiError> {
    let string = |key: &str| match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(ApiError::invalid(
            key,
            format!("'{key}' is required and must be a non-empty string."),
        )),
    };
    let filename = string("filename")?;
    let content_type = string("content_type")?;
    let size_bytes = obj
        .get("size_bytes")
        .and_then(Value::as_u64)
        .filter(|n| (1..=max_bytes).contains(n));
    let Some(size_bytes) = size_bytes else {
        return Err(ApiError::invalid(
            "size_bytes",
            format!("'size_bytes' is required and must be an integer from 1 to {max_bytes}."),
        ));
    };
    nullable_string(obj, "checksum_sha256")?;
    Ok(DirectUploadRequest {
        filename,
        content_type,
        size_bytes,
    })
}

/// `CompleteAssetUploadRequest`: not strict; only `checksum_sha256` is typed.
pub(crate) fn complete_request(obj: &Map<String, Value>) -> Result<(), ApiError> {
    nullable_string(obj, "checksum_sha256").map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rules() {
        assert_eq!(base64_len("aGVsbG8="), Some(5));
        assert_eq!(base64_len("aGVsbG8"), Some(5));
        assert_eq!(base64_len("aGVs\nbG8="), Some(5));
        assert_eq!(base64_len("not base64!"), None);
        assert_eq!(base64_len("a"), None);
        assert_eq!(base64_len("aGVsbG8=="), None);
        assert_eq!(base64_len(""), None);
    }
}
