//! The door of `/mcp`: what every MCP request passes before rmcp sees it. Draining (503),
//! authentication (401), the tool-view headers, per-caller limits (429), the client's
//! declaration restored or handed back ([`super::declared`]), the request's scope; and the
//! permit held until the response body ends.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::OwnedSemaphorePermit;
use tracing::Instrument;

use super::limits::Admission;
use super::{App, REQUEST, RequestScope, declared};
use crate::tools::Toolsets;

/// Before an MCP request reaches rmcp: draining, authentication, limits, the request's view.
pub(super) async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let response = admitted(&app, request, next).await;
    app.metrics.http_response(response.status().as_u16());
    response
}

async fn admitted(app: &App, request: Request, next: Next) -> Response {
    if app.draining.load(Ordering::SeqCst) {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "This replica is shutting down; send the request again (another replica will answer).",
            Some(1),
        );
    }
    let headers = request.headers();
    let admitted = match app.auth.admit(headers) {
        Ok(admitted) => admitted,
        Err(refusal) => {
            let mut response = refuse(StatusCode::UNAUTHORIZED, refusal.message, None);
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"heygen-mcp\""),
            );
            return response;
        }
    };
    let read_only = headers
        .get("x-mcp-readonly")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| crate::config::parse_flag(v) == Ok(true));
    let toolsets = match headers.get("x-mcp-toolsets").and_then(|v| v.to_str().ok()) {
        Some(list) => match Toolsets::parse(list) {
            Ok(toolsets) => Some(toolsets),
            Err(problem) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    &format!("X-MCP-Toolsets: {problem}"),
                    None,
                );
            }
        },
        None => None,
    };
    let permit = match app.limits.admit(admitted.caller) {
        Admission::Go(permit) => permit,
        Admission::Later(seconds, why) => {
            return refuse(StatusCode::TOO_MANY_REQUESTS, why, Some(seconds));
        }
    };
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map_or_else(next_request_id, str::to_owned);
    let declared = declared::Declared::from_headers(headers);
    // A request with a session handle gets the declaration it carries into its `_meta`; one
    // without may be `initialize`, whose answer carries the client's declaration back.
    let reads_body = request.method() == Method::POST
        && (declared.is_some()
            || headers
                .get("mcp-method")
                .is_none_or(|method| method == "initialize"));
    let (request, handle) = if reads_body {
        match with_declaration(request, declared.as_ref(), app.max_body_bytes).await {
            Ok(read) => read,
            Err(refusal) => return refusal,
        }
    } else {
        (request, None)
    };
    let scope = RequestScope {
        credentials: admitted.credentials,
        read_only,
        toolsets,
    };
    let span = tracing::info_span!("request", request_id = %request_id);
    let mut response = REQUEST
        .scope(scope, next.run(request))
        .instrument(span)
        .await;
    if let Some(handle) = handle
        && response.status().is_success()
    {
        response.headers_mut().insert(declared::HEADER, handle);
    }
    // The permit is held until the response body (an SSE stream, for long calls) ends.
    response.map(|body| {
        Body::new(Holding {
            body,
            _permit: permit,
        })
    })
}

/// Reads the body: a request with a session handle gets its declaration restored; one without
/// may be `initialize`, and then the handle its answer carries is made.
async fn with_declaration(
    request: Request,
    declared: Option<&declared::Declared>,
    limit: usize,
) -> Result<(Request, Option<HeaderValue>), Response> {
    let (mut parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        let inner = e.into_inner();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(inner.as_ref());
        let mut too_large = false;
        while let Some(error) = cause {
            too_large |= error.is::<http_body_util::LengthLimitError>();
            cause = error.source();
        }
        if too_large {
            refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("The request body is larger than {limit} bytes."),
                None,
            )
        } else {
            refuse(
                StatusCode::BAD_REQUEST,
                "The request body could not be read (cut off, or sent too slowly); send it again.",
                None,
            )
        }
    })?;
    let (body, handle) = match declared {
        Some(declared) => match declared.restore_into(&bytes) {
            Some(restored) => {
                parts
                    .headers
                    .insert(header::CONTENT_LENGTH, restored.len().into());
                (Body::from(restored), None)
            }
            None => (Body::from(bytes), None),
        },
        None => {
            let handle = declared::handle_for(&bytes);
            (Body::from(bytes), handle)
        }
    };
    Ok((Request::from_parts(parts, body), handle))
}

/// A refusal with a plain-text body that says what to do.
fn refuse(status: StatusCode, message: &str, retry_after: Option<u64>) -> Response {
    let mut response = (status, format!("{message}\n")).into_response();
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn next_request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("hm-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A response body that keeps a caller's in-flight permit until it ends.
struct Holding {
    body: Body,
    _permit: OwnedSemaphorePermit,
}

impl http_body::Body for Holding {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
