//! The one error type of the HeyGen client.

use std::time::Duration;

/// Everything that can go wrong between a call and its decoded answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The caller's input cannot be sent; nothing was sent.
    #[error("{0}")]
    InvalidInput(String),
    /// No credentials were found; nothing was sent.
    #[error("{0}")]
    MissingCredentials(String),
    /// HeyGen answered with its error envelope.
    #[error("HeyGen answered {}: {}", .0.status, .0.message)]
    Api(Box<ApiFailure>),
    /// An error status whose body is not HeyGen's envelope (an HTML page from a proxy, say).
    #[error("HeyGen answered {status} with {summary}")]
    Unexpected {
        status: u16,
        summary: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },
    /// HeyGen's file storage (a presigned link, no credentials) refused a download or an
    /// upload.
    #[error("{summary}")]
    Storage {
        status: u16,
        summary: String,
        upload: bool,
    },
    /// A success whose body does not have the documented shape.
    #[error("HeyGen's answer could not be read: {message} (at `{path}`)")]
    Decode {
        path: String,
        message: String,
        request_id: Option<String>,
        /// The id the answer carries, if any: a write that has one took effect.
        accepted_id: Option<String>,
    },
    /// No answer: timeout, refused or reset connection, truncated body.
    #[error("{message}")]
    Transport {
        kind: TransportKind,
        message: String,
        /// The request may have reached HeyGen (a write whose outcome is unknown).
        maybe_applied: bool,
    },
    /// The client cancelled the call; nothing more was sent after that.
    #[error("cancelled by the client")]
    Cancelled,
}

/// HeyGen's error envelope (`StandardAPIError`) with the response's status and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub param: Option<String>,
    pub doc_url: Option<String>,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Timeout,
    Connect,
    Other,
}

impl ApiError {
    /// The HTTP status, when HeyGen answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(failure) => Some(failure.status),
            Self::Unexpected { status, .. } | Self::Storage { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// HeyGen's `X-Request-Id`, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(failure) => failure.request_id.as_deref(),
            Self::Unexpected { request_id, .. } | Self::Decode { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// A failure that may pass by itself: no answer, or a server error.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transport { .. }) || self.status().is_some_and(|s| s >= 500)
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(failure) => failure.retry_after,
            Self::Unexpected { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}
