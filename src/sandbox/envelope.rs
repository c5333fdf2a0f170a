//! HeyGen's response envelopes: `{"data": …}`, the list shape with `has_more`/`next_token`,
//! and `{"error": {"code", "message", "param", "doc_url"}}` (`StandardAPIError`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Message HeyGen sends for a rejected key; clients match on the code, people read this.
pub(crate) const INVALID_KEY_MESSAGE: &str =
    "Invalid or expired API key. Verify your x-api-key header.";

/// An error answered with HeyGen's error envelope.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub param: Option<String>,
    /// Seconds for a `Retry-After` header (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            param: None,
            retry_after: None,
        }
    }

    /// 400 `invalid_parameter` naming the offending field.
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", message).with_param(param)
    }

    /// 400 `invalid_parameter` about the request as a whole (e.g. a body that is not JSON).
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }

    /// 404 `not_found`; `what` is the resource's name as HeyGen words it ("Session", "Video").
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "{what} not found: no {} with id '{id}'.",
                what.to_lowercase()
            ),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    pub fn body(&self) -> Value {
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "param": self.param,
                "doc_url": null,
            }
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// `{"data": …}` with status 200.
pub(crate) fn data(value: Value) -> Response {
    axum::Json(json!({ "data": value })).into_response()
}

/// One page of a list: `{"data": [...], "has_more", "next_token"}`.
pub(crate) fn list(items: Vec<Value>, next_token: Option<String>) -> Response {
    axum::Json(json!({
        "data": items,
        "has_more": next_token.is_some(),
        "next_token": next_token,
    }))
    .into_response()
}

pub(crate) type ApiResult = Result<Response, ApiError>;
