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
mod gate;
pub mod limits;
pub mod metrics;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::config::CredentialLookup;
use crate::tools::{HeyGenServer, Toolsets};
use auth::AuthMode;
use limits::{LimitSettings, Limits};
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
            // Every /mcp request passes the gate, which sets the scope; without one, nothing
            // is served (never the deployment's own key and full view by accident).
            REQUEST
                .try_with(|scope| for_request(&template, scope))
                .map_err(|_| std::io::Error::other("no request scope: request refused"))
        },
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let body_timeout = options.body_timeout;
    Router::new()
        .nest_service("/mcp", mcp)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            gate::gate,
        ))
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
