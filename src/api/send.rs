//! The one send path: a request described once ([`Call`]), sent with auth, timeouts,
//! retries, decoding, error mapping and cancellation ([`HeyGenClient::send`]); the retry
//! policy it follows is described in the parent module.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use super::decode::{decode, transport_error};
use super::policy::retry_wait;
use super::types::Page;
use super::{ApiError, HeyGenClient, assets};

/// One request to send: method, path segments (each percent-encoded), query and body.
pub(super) struct Call<'a> {
    method: Method,
    path: &'a [&'a str],
    query: Option<String>,
    body: Body,
    /// Makes a POST safe to retry: HeyGen answers a repeated key with the first response.
    idempotency_key: Option<String>,
    /// Overrides the read/write timeout (uploads take longer).
    timeout: Option<Duration>,
}

enum Body {
    None,
    Json(Vec<u8>),
    /// A local file sent as the multipart part `file`, read afresh from its open descriptor
    /// for each attempt.
    File(crate::files::LocalFile),
}

impl<'a> Call<'a> {
    pub(super) fn new(method: Method, path: &'a [&'a str]) -> Self {
        Self {
            method,
            path,
            query: None,
            body: Body::None,
            idempotency_key: None,
            timeout: None,
        }
    }

    pub(super) fn query(mut self, query: &impl serde::Serialize) -> Result<Self, ApiError> {
        let encoded = serde_urlencoded::to_string(query)
            .map_err(|e| local_error(format!("could not encode the query: {e}")))?;
        self.query = Some(encoded).filter(|q| !q.is_empty());
        Ok(self)
    }

    pub(super) fn json(mut self, body: &impl serde::Serialize) -> Result<Self, ApiError> {
        self.body = Body::Json(
            serde_json::to_vec(body)
                .map_err(|e| local_error(format!("could not encode the request: {e}")))?,
        );
        Ok(self)
    }

    /// A local file as the multipart part `file`.
    pub(super) fn file(mut self, file: crate::files::LocalFile) -> Self {
        self.body = Body::File(file);
        self
    }

    pub(super) fn idempotency_key(mut self, key: String, timeout: Duration) -> Self {
        self.idempotency_key = Some(key);
        self.timeout = Some(timeout);
        self
    }
}

/// A failure before anything was sent: nothing to retry, nothing about the network.
pub(super) fn local_error(message: String) -> ApiError {
    ApiError::InvalidInput(message)
}

impl HeyGenClient {
    fn url(&self, path: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        url
    }

    /// `{"data": T}` endpoints.
    pub(super) async fn data<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, ApiError> {
        #[derive(serde::Deserialize)]
        struct Envelope<T> {
            data: T,
        }
        self.send::<Envelope<T>>(call).await.map(|e| e.data)
    }

    /// `{"data": [...], "has_more", "next_token"}` endpoints.
    pub(super) async fn page<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<Page<T>, ApiError> {
        self.send::<Page<T>>(call).await
    }

    /// The one send path: auth, timeouts, retries, decoding, error mapping, cancellation.
    pub(super) async fn send<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, ApiError> {
        let (auth_name, auth_value) = self
            .auth
            .header
            .as_ref()
            .map_err(|why| ApiError::MissingCredentials(why.clone()))?;
        let http = self.http()?;
        let idempotent = matches!(call.method, Method::GET | Method::DELETE | Method::HEAD)
            || call.idempotency_key.is_some();
        let timeout = call.timeout.unwrap_or(if call.method == Method::GET {
            self.inner.timeouts.read
        } else {
            self.inner.timeouts.write
        });
        let mut url = self.url(call.path);
        url.set_query(call.query.as_deref());
        let retry = self.inner.retry;
        let first = Instant::now();
        let mut attempt = 0u32;
        loop {
            // Nothing that has not started is sent after a cancel.
            if self.is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            let mut request = http
                .request(call.method.clone(), url.clone())
                .timeout(timeout)
                .header(auth_name, auth_value.clone())
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(key) = &call.idempotency_key {
                request = request.header("idempotency-key", key);
            }
            request = match &call.body {
                Body::None => request,
                Body::Json(body) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone()),
                Body::File(file) => request.multipart(assets::form(file)?),
            };
            let started = Instant::now();
            // The status HeyGen answered with, whatever became of the body (for metrics).
            let mut answered = None;
            let exchange = async {
                match request.send().await {
                    Ok(response) => {
                        answered = Some(response.status().as_u16());
                        decode::<T>(response, idempotent, &self.auth.redactor).await
                    }
                    Err(error) => Err(transport_error(&error, idempotent)),
                }
            };
            // A read in flight is abandoned on cancel; a write is let finish, so it is
            // never cut off half-sent, and what it did is at least logged.
            let outcome = if idempotent {
                tokio::select! {
                    () = self.cancelled() => return Err(ApiError::Cancelled),
                    outcome = exchange => outcome,
                }
            } else {
                exchange.await
            };
            let wait = match &outcome {
                Ok(_) => None,
                // A keyed request retried while the first is still running gets 409
                // `request_in_progress`: waiting and asking again returns the first result.
                Err(error) if call.idempotency_key.is_some() && error.status() == Some(409) => {
                    Some(retry.backoff(attempt))
                }
                Err(error) => retry_wait(error, idempotent, &retry, attempt),
            };
            if let Some(observer) = &self.observer {
                let endpoint = endpoint(&call.method, call.path);
                observer.heygen_call(&endpoint, answered, started.elapsed());
            }
            tracing::debug!(
                method = %call.method,
                path = url.path(),
                attempt,
                elapsed_ms = started.elapsed().as_millis() as u64,
                status = outcome.as_ref().err().and_then(ApiError::status),
                ok = outcome.is_ok(),
                "heygen request"
            );
            if self.is_cancelled() {
                tracing::info!(method = %call.method, path = url.path(), ok = outcome.is_ok(), "the call was cancelled while this request ran; its answer goes to no one");
                return Err(ApiError::Cancelled);
            }
            let within_budget =
                |wait: Duration| first.elapsed().saturating_add(wait) <= retry.budget;
            match wait {
                Some(wait) if attempt < retry.max_retries && within_budget(wait) => {
                    tracing::info!(
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying heygen request"
                    );
                    self.pause(wait).await?;
                    attempt += 1;
                }
                _ => return outcome,
            }
        }
    }
}

/// The route a request went to, with ids left out, for metrics: `GET /v3/videos/{id}`.
fn endpoint(method: &Method, path: &[&str]) -> String {
    const LITERAL: &[&str] = &[
        "v3",
        "video-agents",
        "resources",
        "videos",
        "stop",
        "styles",
        "assets",
        "direct-uploads",
        "complete",
        "avatars",
        "looks",
        "voices",
        "users",
        "me",
        "brand-kits",
        "brand-glossaries",
        "scenes",
    ];
    let mut out = format!("{method} ");
    for segment in path {
        out.push('/');
        out.push_str(if LITERAL.contains(segment) {
            segment
        } else {
            "{id}"
        });
    }
    out
}
