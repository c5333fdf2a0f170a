//! Fault switches and the gate every `/v3` request passes: request counting, added latency,
//! injected 5xx and 429 answers, API-key checks, error envelopes in HTTP 200, and error envelopes
//! for 405s. The session-level production behaviours are in [`super::production`].
//!
//! Admin endpoints (no key needed): `POST /_sandbox/faults` sets switches,
//! `GET /_sandbox/faults` shows them, `DELETE /_sandbox/faults` clears them,
//! `GET /_sandbox/stats` counts `/v3` requests per route.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::SANDBOX_INVALID_KEY;
use super::envelope::{self, ApiError, ApiResult, INVALID_KEY_MESSAGE};
use super::production::SessionQuirks;
use super::state::Shared;
use super::validate;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Faults {
    /// The next N `/v3` requests answer 429 `rate_limit_exceeded`.
    pub rate_limit: u64,
    /// `Retry-After` seconds sent with those 429s.
    pub retry_after: u64,
    /// The next N `/v3` requests answer `status` (5xx).
    pub server_error: u64,
    pub status: u16,
    /// Send the 5xx as an HTML page, as a proxy or load balancer would.
    pub html: bool,
    /// Media URLs issued from now on are already expired (403 when fetched).
    pub expire_media: bool,
    /// Seconds (real time) a session GET shows the session as it was before an accepted
    /// chat message.
    pub stale_after_send: f64,
    /// A session GET answers 404 once the session has a video.
    pub session_404_after_video: bool,
    /// Sessions created from now on answer their first N GETs with 404.
    pub session_404_fresh: u64,
    /// The next N `/v3` requests answer HTTP 200 with an error envelope and no `data`.
    pub error_in_200: u64,
    /// Every `/v3` request waits this many milliseconds before it is handled (a backend's
    /// latency, for load tests).
    pub latency_ms: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            rate_limit: 0,
            retry_after: 1,
            server_error: 0,
            status: 500,
            html: false,
            expire_media: false,
            stale_after_send: 0.0,
            session_404_after_video: false,
            session_404_fresh: 0,
            error_in_200: 0,
            latency_ms: 0,
        }
    }
}

/// Runs before every route; only `/v3` paths are counted, faulted and authenticated.
pub(crate) async fn gate(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if path != "/v3" && !path.starts_with("/v3/") {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let number = shared.count_request(format!("{method} {}", route_template(&path)));
    let latency = shared.faults().latency_ms;
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    let mut response = guarded(&shared, request, next).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        response = method_not_allowed(response, &method, &path);
    }
    // HeyGen documents no request-id header; this one only helps match sandbox logs.
    if let Ok(value) = HeaderValue::from_str(&format!("sbx_req_{number}")) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

async fn guarded(shared: &Shared, request: Request, next: Next) -> Response {
    if let Some(response) = injected_server_error(shared) {
        return response;
    }
    if let Err(error) = authenticate(request.headers()) {
        return error.into_response();
    }
    if let Some(error) = injected_rate_limit(shared) {
        return error.into_response();
    }
    if let Some(response) = injected_error_in_200(shared) {
        return response;
    }
    next.run(request).await
}

/// The route a path matches, for per-route stats ("/v3/videos/{video_id}").
fn route_template(path: &str) -> &'static str {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    super::API_ROUTES
        .iter()
        .find(|route| {
            let pattern: Vec<&str> = route.split('/').collect();
            pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p.starts_with('{') || p == s)
        })
        .copied()
        .unwrap_or("(unknown route)")
}

/// Any non-empty `x-api-key`, or `Authorization: Bearer <token>`.
fn authenticate(headers: &HeaderMap) -> Result<(), ApiError> {
    let api_key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty());
    match api_key.or(bearer) {
        None => Err(ApiError::unauthorized(
            "Missing API key. Send it in the x-api-key header (or Authorization: Bearer).",
        )),
        Some(SANDBOX_INVALID_KEY) => Err(ApiError::unauthorized(INVALID_KEY_MESSAGE)),
        Some(_) => Ok(()),
    }
}

fn injected_server_error(shared: &Shared) -> Option<Response> {
    let (status, html) = {
        let mut faults = shared.faults();
        if faults.server_error == 0 {
            return None;
        }
        faults.server_error -= 1;
        (faults.status, faults.html)
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Server Error");
    if html {
        let page = format!(
            "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1></center><hr><center>heygen-mcp sandbox (injected fault)</center></body></html>",
            code = status.as_u16()
        );
        let mut response = (status, page).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return Some(response);
    }
    let message = format!("{reason} (sandbox injected fault).");
    Some(ApiError::new(status, "internal_error", message).into_response())
}

fn injected_rate_limit(shared: &Shared) -> Option<ApiError> {
    let mut faults = shared.faults();
    if faults.rate_limit == 0 {
        return None;
    }
    faults.rate_limit -= 1;
    let mut error = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_exceeded",
        "Too many requests. Retry after the duration specified in the Retry-After header.",
    );
    error.retry_after = Some(faults.retry_after);
    Some(error)
}

/// HeyGen has answered errors inside a 200 (its own OpenClaw plugin tests for it): only
/// `code` and `message`, no `data`. The request is not carried out.
fn injected_error_in_200(shared: &Shared) -> Option<Response> {
    {
        let mut faults = shared.faults();
        if faults.error_in_200 == 0 {
            return None;
        }
        faults.error_in_200 -= 1;
    }
    let body = json!({
        "error": {
            "code": "internal_error",
            "message": "An internal error occurred; please retry (sandbox injected fault: \
                        error envelope in HTTP 200).",
        }
    });
    Some((StatusCode::OK, axum::Json(body)).into_response())
}

/// axum's 405 has an empty body; HeyGen clients expect the error envelope.
fn method_not_allowed(response: Response, method: &axum::http::Method, path: &str) -> Response {
    let allow = response.headers().get(header::ALLOW).cloned();
    let message = format!("Method {method} is not allowed on {path}.");
    let mut out = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        message,
    )
    .into_response();
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

/// Longest `stale_after_send` accepted: an hour.
const MAX_STALE_SECS: f64 = 3600.0;
/// Longest `latency_ms` accepted: a minute.
const MAX_LATENCY_MS: u64 = 60_000;

/// `POST /_sandbox/faults`: sets any of `rate_limit`, `retry_after`, `server_error`,
/// `status`, `html`, `expire_media`, `stale_after_send`, `session_404_after_video`,
/// `session_404_fresh`, `error_in_200`, `latency_ms`; returns the switches now in force.
pub(crate) async fn set_faults(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let obj = validate::json_object(body, "sandbox faults")?;
    let mut next = shared.faults().clone();
    for (key, value) in &obj {
        let bad = || ApiError::invalid(key.as_str(), format!("'{key}' has the wrong type."));
        match key.as_str() {
            "rate_limit" => next.rate_limit = value.as_u64().ok_or_else(bad)?,
            "retry_after" => next.retry_after = value.as_u64().ok_or_else(bad)?,
            "server_error" => next.server_error = value.as_u64().ok_or_else(bad)?,
            "status" => {
                next.status = value
                    .as_u64()
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| (500..=599).contains(s))
                    .ok_or_else(|| ApiError::invalid("status", "'status' must be 500-599."))?;
            }
            "html" => next.html = value.as_bool().ok_or_else(bad)?,
            "expire_media" => next.expire_media = value.as_bool().ok_or_else(bad)?,
            "stale_after_send" => {
                next.stale_after_send = value
                    .as_f64()
                    .filter(|s| (0.0..=MAX_STALE_SECS).contains(s))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "stale_after_send",
                            "'stale_after_send' must be a number of seconds from 0 to 3600.",
                        )
                    })?;
            }
            "session_404_after_video" => {
                next.session_404_after_video = value.as_bool().ok_or_else(bad)?;
            }
            "session_404_fresh" => next.session_404_fresh = value.as_u64().ok_or_else(bad)?,
            "error_in_200" => next.error_in_200 = value.as_u64().ok_or_else(bad)?,
            "latency_ms" => {
                next.latency_ms = value
                    .as_u64()
                    .filter(|ms| *ms <= MAX_LATENCY_MS)
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "latency_ms",
                            "'latency_ms' must be a whole number of milliseconds from 0 to 60000.",
                        )
                    })?;
            }
            _ => {
                return Err(ApiError::invalid(
                    key.as_str(),
                    format!("Unknown fault '{key}'."),
                ));
            }
        }
    }
    *shared.faults() = next.clone();
    tracing::info!(faults = ?next, "sandbox faults set");
    Ok(envelope::data(json!(next)))
}

/// `GET /_sandbox/faults`.
pub(crate) async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    let faults = shared.faults().clone();
    envelope::data(json!(faults))
}

/// `DELETE /_sandbox/faults`: back to normal behaviour, including sessions still showing
/// a stale view or 404s from switches set earlier.
pub(crate) async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    *shared.faults() = Faults::default();
    shared.store().quirks = SessionQuirks::default();
    envelope::data(json!(Faults::default()))
}

/// `GET /_sandbox/stats`: `/v3` requests received, in total and per route.
pub(crate) async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    let total = shared.requests.load(std::sync::atomic::Ordering::Relaxed);
    let by_route: Value = json!(shared.stats());
    envelope::data(json!({ "requests_total": total, "by_route": by_route }))
}
