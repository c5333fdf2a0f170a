//! `heygen-mcp http`: MCP over Streamable HTTP, stateless, for any number of replicas.
//!
//! Every request is served on its own: rmcp's [`StreamableHttpService`] in stateless mode
//! (no server-side sessions, 2025-11-25 `initialize` served statelessly too, 2026-07-28
//! requests as they come), with a server built per request from shared, immutable parts and
//! the request's own credentials and tool view. The one `Mcp-Session-Id` a 2025-11-25 client
//! gets is its own `initialize` declaration handed back to carry ([`declared`]). Nothing a later call needs lives in this process:
//! sessions, videos and waits live in HeyGen and are named by ids the model carries, so any
//! replica answers any request.
//!
//! Around `/mcp`: authentication ([`auth`]), per-caller limits ([`limits`]), a body size
//! cap, Host and Origin checks (rmcp's; DNS-rebinding protection), a header-read timeout for
//! slow clients. Beside it: `/healthz`, `/readyz` (false while draining), `/metrics`.
//! SIGTERM drains: `/readyz` turns 503 and new MCP requests get 503 for a notice period (so a
//! load balancer stops sending), calls in flight finish (a wait returns its resumable state
//! at once), then the process exits.

pub mod auth;
mod declared;
pub mod limits;
pub mod metrics;

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::config::CredentialLookup;
use crate::tools::{HeyGenServer, Toolsets};
use auth::AuthMode;
use limits::{Admission, LimitSettings, Limits};
use metrics::Metrics;

/// How the HTTP server listens and what it lets in.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub listen: SocketAddr,
    /// Host header values accepted besides loopback; `*` accepts any (behind a proxy that
    /// checks them).
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed to call; requests without an Origin header are not browsers.
    pub allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub limits: LimitSettings,
    /// How long calls in flight may take to finish after SIGTERM.
    pub drain: Duration,
    /// After SIGTERM, how long the server keeps answering (`/readyz` 503, new MCP requests
    /// 503) before it stops accepting connections, so a load balancer sees it leave.
    pub notice: Duration,
    /// Slow clients: the request head must arrive within this, the body within `body_timeout`.
    pub header_timeout: Duration,
    pub body_timeout: Duration,
}

impl HttpOptions {
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            max_body_bytes: 16 * 1024 * 1024,
            limits: LimitSettings::default(),
            drain: Duration::from_secs(30),
            notice: Duration::from_secs(5),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// What one request may use: whose key, which tools.
#[derive(Clone)]
pub struct RequestScope {
    pub credentials: CredentialLookup,
    pub read_only: bool,
    pub toolsets: Option<Toolsets>,
}

tokio::task_local! {
    /// Set around each `/mcp` request, read by the factory that builds its server.
    static REQUEST: RequestScope;
}

/// Shared by every request of this process.
struct App {
    auth: AuthMode,
    max_body_bytes: usize,
    limits: Limits,
    metrics: Arc<Metrics>,
    draining: AtomicBool,
}

/// Serves until SIGTERM or Ctrl-C, then drains. `template` is the server every request's
/// server is made from (its client holds no key in the callers' keys mode); `stopping` is
/// the token its waits watch, cancelled when draining starts.
pub async fn serve(
    template: HeyGenServer,
    auth: AuthMode,
    options: HttpOptions,
    metrics: Arc<Metrics>,
    stopping: CancellationToken,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let local = listener.local_addr()?;
    let app = Arc::new(App {
        auth,
        max_body_bytes: options.max_body_bytes,
        limits: Limits::new(options.limits),
        metrics,
        draining: AtomicBool::new(false),
    });
    let router = router(template, &options, app.clone());
    tracing::info!(address = %local, "heygen-mcp serving MCP over HTTP at /mcp");
    eprintln!(
        "heygen-mcp: serving MCP at http://{local}/mcp (health: /healthz, /readyz; metrics: /metrics)"
    );
    let shutdown = CancellationToken::new();
    let signals = {
        let (app, shutdown, stopping) = (app.clone(), shutdown.clone(), stopping.clone());
        let notice = options.notice;
        tokio::spawn(async move {
            let signal = crate::transport::stop_signal().await;
            tracing::info!("{signal}: draining");
            // Not ready from now on; waits in flight hand back their ids at once. The server
            // keeps answering for the notice period (503s that a balancer retries elsewhere)
            // before it stops accepting, then lets open calls finish.
            app.draining.store(true, Ordering::SeqCst);
            stopping.cancel();
            tokio::time::sleep(notice).await;
            shutdown.cancel();
        })
    };
    accept_loop(listener, router, &options, shutdown).await;
    signals.abort();
    Ok(())
}

/// The routes: `/mcp` behind the gate, health and metrics beside it.
fn router(template: HeyGenServer, options: &HttpOptions, app: Arc<App>) -> Router {
    let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    let listen_host = options.listen.ip();
    if !listen_host.is_unspecified() {
        hosts.push(listen_host.to_string());
    }
    hosts.extend(options.allowed_hosts.iter().cloned());
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_max_request_body_bytes(options.max_body_bytes)
        .with_allowed_origins(options.allowed_origins.clone())
        .enforce_origin_validation();
    config = if options.allowed_hosts.iter().any(|h| h == "*") {
        config.disable_allowed_hosts()
    } else {
        config.with_allowed_hosts(hosts)
    };
    let mcp = StreamableHttpService::new(
        move || {
            let scope = REQUEST.try_with(Clone::clone).ok();
            Ok(match scope {
                Some(scope) => for_request(&template, &scope),
                None => template.clone(),
            })
        },
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let body_timeout = options.body_timeout;
    Router::new()
        .nest_service("/mcp", mcp)
        .layer(axum::middleware::from_fn_with_state(app.clone(), gate))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            body_timeout,
        ))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(render_metrics))
        .with_state(app)
}

/// The server one request sees: its caller's credentials, its view of the tools (a header
/// may narrow the deployment's toolsets or make it read-only, never widen it).
fn for_request(template: &HeyGenServer, scope: &RequestScope) -> HeyGenServer {
    let settings = template.settings();
    let read_only = settings.read_only || scope.read_only;
    let toolsets = match &scope.toolsets {
        Some(asked) => asked.intersection(&settings.toolsets),
        None => settings.toolsets.clone(),
    };
    template
        .with_client(template.client().with_credentials(&scope.credentials))
        .with_view(read_only, &toolsets)
}

async fn ready(State(app): State<Arc<App>>) -> Response {
    if app.draining.load(Ordering::SeqCst) {
        (StatusCode::SERVICE_UNAVAILABLE, "draining\n").into_response()
    } else {
        "ready\n".into_response()
    }
}

async fn render_metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

/// Before an MCP request reaches rmcp: draining, authentication, limits, the request's view.
async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
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
    let credentials = match app.auth.credentials_for(headers) {
        Ok(credentials) => credentials,
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
        .is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        });
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
    let permit = match app.limits.admit(AuthMode::caller_id(headers)) {
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
        credentials,
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
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if e.to_string().contains("length limit") {
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
            Some(restored) => (Body::from(restored), None),
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

/// Accepts connections until `shutdown`, then lets open connections finish (up to the
/// drain deadline). HTTP/1.1 with a header-read timeout, so a slow client cannot hold a
/// connection open without sending a request.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: Router,
    options: &HttpOptions,
    shutdown: CancellationToken,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .keep_alive(true);
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, _) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(options.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "calls still running after {} s of draining; exiting",
            options.drain.as_secs()
        );
    }
}
