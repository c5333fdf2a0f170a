//! Reading HeyGen's answers: bodies (bounded), envelopes, error mapping, Retry-After.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::{ApiError, ApiFailure, TransportKind};
use super::types::ApiErrorBody;

/// Largest response body read into memory; HeyGen's JSON answers are a few KB.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

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
) -> Result<T, ApiError> {
    let status = response.status();
    let headers = response.headers().clone();
    let request_id = header_str(&headers, "x-request-id");
    let body = read_body(response, idempotent).await?;
    if status.is_success() {
        let mut de = serde_json::Deserializer::from_slice(&body);
        return serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| ApiError::Decode {
            path: e.path().to_string(),
            message: e.inner().to_string(),
            request_id,
        });
    }
    let retry_after = retry_after(&headers);
    #[derive(serde::Deserialize)]
    struct ErrorEnvelope {
        error: ApiErrorBody,
    }
    match serde_json::from_slice::<ErrorEnvelope>(&body) {
        Ok(ErrorEnvelope { error }) => Err(ApiError::Api(Box::new(ApiFailure {
            status: status.as_u16(),
            code: error.code,
            message: error.message,
            param: error.param,
            doc_url: error.doc_url,
            request_id,
            retry_after,
        }))),
        Err(_) => Err(ApiError::Unexpected {
            status: status.as_u16(),
            summary: summarize_body(status, &headers, &body),
            request_id,
            retry_after,
        }),
    }
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

/// `Retry-After` as delta-seconds or an HTTP date.
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

/// A short, safe description of a body that is not HeyGen's error envelope. The body itself
/// is not quoted: a proxy that echoes the request would otherwise put the key in a result.
fn summarize_body(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> String {
    let reason = status.canonical_reason().unwrap_or("error");
    let content_type = header_str(headers, "content-type").unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        format!("{reason} and an empty body")
    } else if content_type.contains("html") || trimmed.starts_with('<') {
        format!(
            "{reason} and an HTML page instead of an API answer (a gateway or proxy error, not HeyGen's API)"
        )
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
