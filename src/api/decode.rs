//! Reading HeyGen's answers: bodies (bounded), envelopes, error mapping, Retry-After.
//!
//! Everything HeyGen says that can reach a result or a log line passes through the
//! [`Redactor`] first: an upstream that echoes the request must not leak the key.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{ApiError, ApiFailure, TransportKind};
use crate::redact::Redactor;

/// Largest response body read into memory; HeyGen's JSON answers are a few KB.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Plain-text error bodies up to this length are quoted (redacted); longer ones summarised.
const MAX_QUOTED_BODY: usize = 300;

pub(super) fn transport_error(error: &reqwest::Error, idempotent: bool) -> ApiError {
    let (kind, what) = if error.is_timeout() {
        (TransportKind::Timeout, "timed out waiting for HeyGen")
    } else if error.is_connect() {
        (TransportKind::Connect, "could not connect to HeyGen")
    } else {
        (TransportKind::Other, "the connection to HeyGen failed")
    };
    // A refused connection never reached HeyGen; anything else after sending may have.
    let maybe_applied = !idempotent && kind != TransportKind::Connect;
    ApiError::Transport {
        kind,
        message: format!("{what} ({})", root_cause(error)),
        maybe_applied,
    }
}

/// The innermost cause, which says what actually happened ("connection reset by peer").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    // reqwest's own messages carry the URL; ours are already about HeyGen.
    cause.to_string()
}

pub(super) async fn decode<T: DeserializeOwned>(
    response: reqwest::Response,
    idempotent: bool,
    redactor: &Redactor,
) -> Result<T, ApiError> {
    let status = response.status();
    let headers = response.headers().clone();
    let request_id = header_str(&headers, "x-request-id").map(|id| redactor.redact_owned(id));
    let body = read_body(response, idempotent).await?;
    let retry_after = retry_after(&headers);
    if status.is_success() {
        let mut de = serde_json::Deserializer::from_slice(&body);
        let decoded = serde_path_to_error::deserialize::<_, T>(&mut de);
        let error = match decoded {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let json = serde_json::from_slice::<Value>(&body).ok();
        // HeyGen has been seen to answer an error envelope with status 200.
        if let Some(failure) = json.as_ref().and_then(error_fields) {
            return Err(api_failure(
                status,
                failure,
                request_id,
                retry_after,
                redactor,
            ));
        }
        return Err(ApiError::Decode {
            path: error.path().to_string(),
            message: redactor.redact_owned(error.inner().to_string()),
            request_id,
            accepted_id: json
                .as_ref()
                .and_then(accepted_id)
                .map(|id| redactor.redact_owned(id)),
        });
    }
    let json = serde_json::from_slice::<Value>(&body).ok();
    if let Some(failure) = json.as_ref().and_then(error_fields) {
        return Err(api_failure(
            status,
            failure,
            request_id,
            retry_after,
            redactor,
        ));
    }
    Err(ApiError::Unexpected {
        status: status.as_u16(),
        summary: redactor.redact_owned(summarize_body(status, &headers, &body)),
        request_id,
        retry_after,
    })
}

/// The error fields HeyGen sends, in any of the shapes seen: `{"error": {"code", "message",
/// "param", "doc_url"}}` (code a string, or a number in legacy answers), `{"error": "text"}`,
/// and the legacy top level `{"code": 40001, "message": "…"}` (or `msg`) without `data`.
struct ErrorFields {
    code: String,
    message: String,
    param: Option<String>,
    doc_url: Option<String>,
}

fn error_fields(json: &Value) -> Option<ErrorFields> {
    let text = |v: Option<&Value>| match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let object = json.as_object()?;
    match object.get("error") {
        Some(Value::Object(error)) => {
            let code = text(error.get("code"));
            let message = text(error.get("message")).or_else(|| text(error.get("msg")));
            if code.is_none() && message.is_none() {
                return None;
            }
            Some(ErrorFields {
                code: code.unwrap_or_else(|| "unknown".into()),
                message: message.unwrap_or_else(|| "(no message)".into()),
                param: text(error.get("param")),
                doc_url: text(error.get("doc_url")),
            })
        }
        Some(Value::String(message)) if !message.trim().is_empty() => Some(ErrorFields {
            code: text(object.get("code")).unwrap_or_else(|| "unknown".into()),
            message: message.trim().to_owned(),
            param: None,
            doc_url: None,
        }),
        _ if object.get("data").is_none_or(Value::is_null) => {
            let message = text(object.get("message")).or_else(|| text(object.get("msg")))?;
            Some(ErrorFields {
                code: text(object.get("code")).unwrap_or_else(|| "unknown".into()),
                message,
                param: None,
                doc_url: None,
            })
        }
        _ => None,
    }
}

fn api_failure(
    status: StatusCode,
    fields: ErrorFields,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    redactor: &Redactor,
) -> ApiError {
    ApiError::Api(Box::new(ApiFailure {
        status: status.as_u16(),
        code: redactor.redact_owned(fields.code),
        message: redactor.redact_owned(fields.message),
        param: fields.param.map(|p| redactor.redact_owned(p)),
        doc_url: fields.doc_url.map(|u| redactor.redact_owned(u)),
        request_id,
        retry_after,
    }))
}

/// The id in an answer that could not be read as a whole: a write with an id took effect.
fn accepted_id(json: &Value) -> Option<String> {
    let data = json.get("data")?;
    ["session_id", "video_id", "asset_id", "id"]
        .iter()
        .find_map(|key| match data.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

async fn read_body(mut response: reqwest::Response, idempotent: bool) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(ApiError::Transport {
                        kind: TransportKind::Other,
                        message: format!(
                            "HeyGen's answer is larger than {} MB; refusing to read it",
                            MAX_BODY_BYTES >> 20
                        ),
                        maybe_applied: !idempotent,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(error) => {
                let mut mapped = transport_error(&error, idempotent);
                if let ApiError::Transport {
                    message,
                    maybe_applied,
                    ..
                } = &mut mapped
                {
                    *message = format!("HeyGen's answer was cut off ({})", root_cause(&error));
                    // The request was received; for a write, its effect is unknown.
                    *maybe_applied = !idempotent;
                }
                return Err(mapped);
            }
        }
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Retry-After` as delta-seconds or an HTTP date. A date in the past (a fast local clock)
/// reads as zero; the retry policy's floor still applies.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = header_str(headers, "retry-after")?;
    let raw = raw.trim();
    if let Ok(seconds) = raw.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = raw.parse::<f64>()
        && seconds.is_finite()
        && seconds >= 0.0
    {
        return Some(Duration::from_secs_f64(seconds.min(86_400.0)));
    }
    let when = httpdate::parse_http_date(raw).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// A short description of a body that is not HeyGen's error envelope. A short plain-text
/// body is quoted (the caller redacts it); HTML and long bodies are only described.
fn summarize_body(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> String {
    let reason = status.canonical_reason().unwrap_or("error");
    let content_type = header_str(headers, "content-type").unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        format!("{reason} and an empty body")
    } else if content_type.contains("html") || trimmed.starts_with('<') {
        format!(
            "{reason} and an HTML page instead of an API answer (a gateway or proxy error, not HeyGen's API)"
        )
    } else if trimmed.len() <= MAX_QUOTED_BODY
        && std::str::from_utf8(body).is_ok()
        && !trimmed
            .chars()
            .any(|c| c.is_control() && !c.is_whitespace())
    {
        let one_line: String = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("{reason}: \"{one_line}\"")
    } else {
        let kind = if content_type.is_empty() {
            "no content type".to_owned()
        } else {
            content_type
        };
        format!(
            "{reason} and a body that is not HeyGen's error format ({} bytes, {kind})",
            body.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_shapes_seen_in_the_wild() {
        let standard = error_fields(
            &json!({"error": {"code": "not_found", "message": "gone", "param": "id"}}),
        );
        assert!(
            matches!(standard, Some(f) if f.code == "not_found" && f.param.as_deref() == Some("id"))
        );
        let numeric = error_fields(&json!({"error": {"code": 400123, "message": "bad avatar"}}));
        assert!(matches!(numeric, Some(f) if f.code == "400123" && f.message == "bad avatar"));
        let legacy =
            error_fields(&json!({"code": 40001, "message": "Invalid voice", "data": null}));
        assert!(matches!(legacy, Some(f) if f.code == "40001"));
        let text = error_fields(&json!({"error": "quota exceeded"}));
        assert!(matches!(text, Some(f) if f.message == "quota exceeded"));
        // A success with data is never an error.
        assert!(error_fields(&json!({"data": {"id": "v"}, "message": "ok"})).is_none());
        assert!(error_fields(&json!({"data": null, "error": null})).is_none());
    }

    #[test]
    fn the_id_of_an_unreadable_write_is_found() {
        assert_eq!(
            accepted_id(&json!({"data": {"session_id": "s_1", "created_at": {}}})).as_deref(),
            Some("s_1")
        );
        assert_eq!(accepted_id(&json!({"data": {"other": 1}})), None);
    }
}
