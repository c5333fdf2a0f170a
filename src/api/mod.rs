//! Typed client for HeyGen's v3 API.
//!
//! Every endpoint function (in [`video_agent`] and [`videos`]) goes through one private send
//! path, `HeyGenClient::send` (in [`send`]), which owns authentication, timeouts, retries,
//! decoding and error mapping. This module holds the client itself: its connection pools,
//! credentials, cancellation and observer.
//!
//! # Retry policy
//!
//! - **429** is retried for every method: a rate-limited request was not processed.
//! - **5xx, timeouts and connection errors** are retried only for `GET` and `DELETE`, which are
//!   idempotent, and for uploads that carry an idempotency key.
//! - A **create or send** (`POST`) is never retried after an ambiguous failure: the Video Agent
//!   endpoints take no idempotency key, so a retry could start a second paid video. The error
//!   says the request may have been applied and how to check.
//! - **Never faster when asked for slower**: each retry waits at least the exponential backoff
//!   for its attempt (from [`RetryPolicy::base_delay`]); `Retry-After` (seconds or an HTTP
//!   date) can only lengthen that, up to [`RetryPolicy::max_wait`]. `Retry-After: 0` or a
//!   date in the past does not make a retry immediate.
//! - **A budget**: no call waits for retries beyond [`RetryPolicy::budget`] in total (45 s,
//!   well inside the 60 s most hosts give a tool call). Past it the last answer is returned:
//!   for a 429 that means HeyGen did not accept the request, and trying again later is safe.
//! - **Cancellation**: a client's cancel reaches this loop (see [`HeyGenClient::cancelled_by`]).
//!   No attempt is started after it, whatever the method; a read in flight is abandoned, a
//!   write in flight is let finish (its outcome is logged) so nothing is half-sent.
//!
//! `HEYGEN_MAX_RETRIES` sets the number of retries.

mod assets;
mod brand;
mod decode;
mod discovery;
pub mod error;
mod policy;
mod send;
pub mod types;
mod video_agent;
mod videos;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;
use url::Url;

pub use error::{ApiError, ApiFailure, TransportKind};
pub use policy::{RetryPolicy, Timeouts};

use crate::config::{Config, CredentialLookup, Credentials};
use crate::redact::Redactor;
use decode::transport_error;
use send::{Call, local_error};

/// A connection that delivers no byte for this long is given up (per read, not in total).
const MEDIA_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle connections kept per host, and for how long: enough for a busy remote replica
/// (over HTTP/1.1, hundreds of calls in flight) not to reconnect under load; over HTTP/2 one
/// connection carries them all.
const IDLE_CONNECTIONS: usize = 256;
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);

/// The HeyGen v3 client. Cheap to clone: clones share the connection pools.
///
/// Credentials and cancellation are per client value, not per pool: [`Self::with_credentials`]
/// gives the same pools another caller's key (the remote server uses one per request), and
/// [`Self::cancelled_by`] ties every request it sends to one MCP call's cancellation.
#[derive(Clone)]
pub struct HeyGenClient {
    inner: Arc<Inner>,
    auth: Arc<Auth>,
    cancel: Option<CancellationToken>,
    observer: Option<Arc<dyn CallObserver>>,
}

/// Told about every request the client sends (the remote server's metrics).
pub trait CallObserver: Send + Sync {
    /// `endpoint` is the route with ids left out (`GET /v3/videos/{id}`); `status` is
    /// `None` when HeyGen gave no answer.
    fn heygen_call(&self, endpoint: &str, status: Option<u16>, took: Duration);
}

/// Whose requests these are.
struct Auth {
    /// The auth header, or why there is none.
    header: Result<(HeaderName, HeaderValue), String>,
    /// Knows the credential, to keep it out of everything HeyGen's answers put in front of
    /// the model or into a log.
    redactor: Redactor,
}

impl Auth {
    fn new(credentials: &CredentialLookup) -> Self {
        match credentials {
            CredentialLookup::Found(credentials, _) => Self {
                header: auth_header(credentials),
                redactor: credentials.redactor(),
            },
            CredentialLookup::Missing(why) => Self {
                header: Err(why.clone()),
                redactor: Redactor::default(),
            },
        }
    }
}

struct Inner {
    base: Url,
    retry: RetryPolicy,
    timeouts: Timeouts,
    /// Built on first use, so start-up does no TLS work.
    http: OnceLock<Result<reqwest::Client, String>>,
    media_http: OnceLock<Result<reqwest::Client, String>>,
}

impl std::fmt::Debug for HeyGenClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeyGenClient")
            .field("base", &crate::redact::display_url(&self.inner.base))
            .field("authenticated", &self.auth.header.is_ok())
            .finish_non_exhaustive()
    }
}

impl HeyGenClient {
    pub fn new(config: &Config) -> Self {
        Self::with_policy(
            config,
            RetryPolicy {
                max_retries: config.max_retries,
                ..RetryPolicy::default()
            },
            Timeouts::default(),
        )
    }

    pub fn with_policy(config: &Config, retry: RetryPolicy, timeouts: Timeouts) -> Self {
        Self {
            inner: Arc::new(Inner {
                base: config.api_base.clone(),
                retry,
                timeouts,
                http: OnceLock::new(),
                media_http: OnceLock::new(),
            }),
            auth: Arc::new(Auth::new(&config.credentials)),
            cancel: None,
            observer: None,
        }
    }

    /// A client that reports every request to `observer`.
    pub fn observed_by(&self, observer: Arc<dyn CallObserver>) -> Self {
        Self {
            observer: Some(observer),
            ..self.clone()
        }
    }

    /// The same connection pools with other credentials.
    pub fn with_credentials(&self, credentials: &CredentialLookup) -> Self {
        Self {
            auth: Arc::new(Auth::new(credentials)),
            ..self.clone()
        }
    }

    /// A client whose requests stop when `token` is cancelled: nothing not yet started is
    /// sent after that, and retry waits end at once.
    pub fn cancelled_by(&self, token: CancellationToken) -> Self {
        Self {
            cancel: Some(token),
            ..self.clone()
        }
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// Removes this client's credentials from text bound for a result or a log.
    pub fn redactor(&self) -> &Redactor {
        &self.auth.redactor
    }

    /// Resolves when the call this client serves is cancelled; never, for a client without
    /// a cancellation token.
    pub async fn cancelled(&self) {
        match &self.cancel {
            Some(token) => token.cancelled().await,
            None => std::future::pending().await,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// Sleeps, unless the call is cancelled first.
    pub async fn pause(&self, wait: Duration) -> Result<(), ApiError> {
        tokio::select! {
            () = self.cancelled() => Err(ApiError::Cancelled),
            () = tokio::time::sleep(wait) => Ok(()),
        }
    }

    /// The client for HeyGen's API. It follows no redirect: reqwest strips only
    /// `Authorization` on a cross-host hop, so a redirect could carry `x-api-key` elsewhere.
    fn http(&self) -> Result<&reqwest::Client, ApiError> {
        self.build(&self.inner.http, reqwest::redirect::Policy::none())
    }

    /// The client for storage links (no credentials): redirects are followed, and a stalled
    /// download gives up after a minute without a byte.
    fn media_http(&self) -> Result<&reqwest::Client, ApiError> {
        self.build(
            &self.inner.media_http,
            reqwest::redirect::Policy::limited(5),
        )
    }

    fn build<'a>(
        &self,
        slot: &'a OnceLock<Result<reqwest::Client, String>>,
        redirects: reqwest::redirect::Policy,
    ) -> Result<&'a reqwest::Client, ApiError> {
        let built = slot.get_or_init(|| {
            // Ring is the process-wide TLS provider; a second install attempt is harmless.
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
                .user_agent(concat!(
                    env!("CARGO_PKG_NAME"),
                    "/",
                    env!("CARGO_PKG_VERSION")
                ))
                .connect_timeout(self.inner.timeouts.connect)
                .read_timeout(MEDIA_READ_TIMEOUT)
                // After a burst (a remote server under load), keep a few connections warm
                // and let the rest go: an idle one costs a descriptor and memory.
                .pool_max_idle_per_host(IDLE_CONNECTIONS)
                .pool_idle_timeout(IDLE_CONNECTION_TIMEOUT)
                .redirect(redirects)
                .build()
                .map_err(|e| format!("could not set up the HTTP client: {e}"))
        });
        built
            .as_ref()
            .map_err(|message| local_error(message.clone()))
    }
}

fn auth_header(credentials: &Credentials) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = match credentials {
        Credentials::ApiKey(key) => (
            HeaderName::from_static("x-api-key"),
            key.expose_secret().to_owned(),
        ),
        Credentials::Bearer(token) => (
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", token.expose_secret()),
        ),
    };
    let mut value = HeaderValue::from_str(&value)
        .map_err(|_| "the HeyGen credential contains characters not allowed in an HTTP header; check HEYGEN_API_KEY for stray quotes or newlines".to_owned())?;
    // Sensitive values are never indexed by HTTP/2 and print as "Sensitive" in Debug output.
    value.set_sensitive(true);
    Ok((name, value))
}
