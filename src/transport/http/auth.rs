//! Who may call the remote server, and with whose HeyGen key: decided here, in one place.
//!
//! # The two modes and the threat each answers
//!
//! **Each caller brings their own key** (the default): every request carries the caller's
//! HeyGen key as `X-Api-Key` (HeyGen's own header) or `Authorization: Bearer`. The server
//! holds no key, so a stolen server, log or replica gives nothing to spend with, and one
//! caller can never spend another's credits: each HeyGen call uses the key that came with
//! the request, and HeyGen refuses another account's sessions. A request without a key is
//! refused with 401 before anything else happens.
//!
//! **One server-held key** (single tenant, behind a company's gateway): `HEYGEN_API_KEY` (or
//! `HEYGEN_ACCESS_TOKEN`) is set on the server and every HeyGen call spends it. The threat is
//! an open relay of a paid key, so callers must prove they may spend it with
//! `Authorization: Bearer <HEYGEN_MCP_TOKEN>` (compared in constant time), and the server
//! refuses to start without `HEYGEN_MCP_TOKEN` unless it listens on loopback and answers no
//! other host name (a proxy in front, named by `--allowed-hosts`, would open it to anyone).
//! On loopback without a token, only processes on the same machine can reach it.
//!
//! `HEYGEN_MCP_TOKEN` with callers' own keys: every request needs the token as
//! `Authorization: Bearer` and the caller's HeyGen key as `X-Api-Key` — a private gateway in
//! front of per-user keys.

use axum::http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::config::{CredentialLookup, CredentialSource, Credentials};

/// How this deployment authenticates callers and which key reaches HeyGen.
#[derive(Debug, Clone)]
pub enum AuthMode {
    /// Each request's own HeyGen key; optionally a shared gate token too.
    CallersKeys { gate: Option<SecretString> },
    /// The server's key for every call; callers show the token (unless loopback-only).
    ServerKey {
        credentials: Credentials,
        token: Option<SecretString>,
    },
}

/// Why a request was refused (401, with a `WWW-Authenticate` challenge added by the caller
/// of [`AuthMode::credentials_for`]): words that say what to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: &'static str,
}

/// A request let in: whose key it spends, and who it counts as for per-caller limits.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub credentials: CredentialLookup,
    /// A hash of the credential that let it in (never the credential itself): the HeyGen key
    /// a caller brought, or the token in server-key mode, whose callers all count as one.
    pub caller: u64,
}

impl AuthMode {
    /// Decides the mode from the server's settings; `Err` when it must not start.
    /// `local_only`: listening on loopback and answering no other host name.
    pub fn from_settings(
        server_credentials: Option<Credentials>,
        token: Option<SecretString>,
        local_only: bool,
    ) -> Result<Self, String> {
        match (server_credentials, token) {
            (Some(_), None) if !local_only => Err(
                "refusing to serve a server-held HeyGen key without HEYGEN_MCP_TOKEN on a non-loopback address or behind --allowed-hosts (a proxy): anyone who can reach it could spend the key. Set HEYGEN_MCP_TOKEN (callers send Authorization: Bearer <token>), listen on 127.0.0.1 without --allowed-hosts, or unset HEYGEN_API_KEY so each caller brings their own key"
                    .into(),
            ),
            (Some(credentials), token) => Ok(Self::ServerKey { credentials, token }),
            (None, token) => Ok(Self::CallersKeys { gate: token }),
        }
    }

    /// Whose key a request uses and who it counts as, or why it is refused.
    pub fn admit(&self, headers: &HeaderMap) -> Result<Admitted, Refusal> {
        let bearer = header(headers, "authorization").and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
        let api_key = header(headers, "x-api-key");
        match self {
            Self::ServerKey { credentials, token } => {
                if let Some(token) = token
                    && !bearer.is_some_and(|b| same(b, token))
                {
                    return Err(Refusal {
                        message: "This server needs its access token: send Authorization: Bearer <HEYGEN_MCP_TOKEN> (ask whoever runs it).",
                    });
                }
                let source = match credentials {
                    Credentials::ApiKey(_) => "the server's HEYGEN_API_KEY",
                    Credentials::Bearer(_) => "the server's HEYGEN_ACCESS_TOKEN",
                };
                Ok(Admitted {
                    credentials: CredentialLookup::Found(
                        credentials.clone(),
                        CredentialSource::Env(source),
                    ),
                    caller: hash(bearer.unwrap_or_default()),
                })
            }
            Self::CallersKeys { gate: Some(gate) } => {
                if !bearer.is_some_and(|b| same(b, gate)) {
                    return Err(Refusal {
                        message: "This server needs its access token as Authorization: Bearer <HEYGEN_MCP_TOKEN>, and your HeyGen API key as X-Api-Key.",
                    });
                }
                match api_key {
                    Some(key) => Ok(caller(key)),
                    None => Err(Refusal {
                        message: "Send your HeyGen API key as X-Api-Key (https://app.heygen.com/settings/api).",
                    }),
                }
            }
            Self::CallersKeys { gate: None } => match api_key.or(bearer) {
                Some(key) => Ok(caller(key)),
                None => Err(Refusal {
                    message: "Send your HeyGen API key as X-Api-Key: <key> (or Authorization: Bearer <key>); get one at https://app.heygen.com/settings/api.",
                }),
            },
        }
    }
}

/// A caller let in with their own HeyGen key, counted by that key.
fn caller(key: &str) -> Admitted {
    Admitted {
        credentials: CredentialLookup::Found(
            Credentials::ApiKey(key.to_owned().into()),
            CredentialSource::Env("the caller's request"),
        ),
        caller: hash(key),
    }
}

/// A stable, non-reversible name for a credential.
fn hash(credential: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    credential.hash(&mut hasher);
    hasher.finish()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Constant-time comparison, so the time a refusal takes says nothing about the token.
fn same(given: &str, expected: &SecretString) -> bool {
    given
        .as_bytes()
        .ct_eq(expected.expose_secret().as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = v.parse() {
                map.insert(*k, v);
            }
        }
        map
    }

    fn key_of(admitted: Result<Admitted, Refusal>) -> String {
        match admitted.map(|a| a.credentials) {
            Ok(CredentialLookup::Found(Credentials::ApiKey(k), _)) => k.expose_secret().into(),
            Ok(_) => "other".into(),
            Err(_) => "refused 401".into(),
        }
    }

    #[test]
    fn callers_bring_their_own_keys() {
        let mode =
            AuthMode::from_settings(None, None, false).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(key_of(mode.admit(&headers(&[("x-api-key", "k1")]))), "k1");
        assert_eq!(
            key_of(mode.admit(&headers(&[("authorization", "Bearer k2")]))),
            "k2"
        );
        assert_eq!(key_of(mode.admit(&headers(&[]))), "refused 401");
    }

    #[test]
    fn a_server_key_needs_the_token_off_loopback() {
        let key = Credentials::ApiKey("server-key".to_owned().into());
        assert!(AuthMode::from_settings(Some(key.clone()), None, false).is_err());
        assert!(AuthMode::from_settings(Some(key.clone()), None, true).is_ok());
        let mode = AuthMode::from_settings(Some(key), Some("t0ken".to_owned().into()), false)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            key_of(mode.admit(&headers(&[("authorization", "Bearer t0ken")]))),
            "server-key"
        );
        assert_eq!(
            key_of(mode.admit(&headers(&[("authorization", "Bearer nope")]))),
            "refused 401"
        );
        // A caller's own key does not open a server-key deployment.
        assert_eq!(
            key_of(mode.admit(&headers(&[("x-api-key", "t0ken")]))),
            "refused 401"
        );
    }

    #[test]
    fn a_gate_token_with_callers_keys() {
        let mode = AuthMode::from_settings(None, Some("gate".to_owned().into()), false)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let both = headers(&[("authorization", "Bearer gate"), ("x-api-key", "k9")]);
        assert_eq!(key_of(mode.admit(&both)), "k9");
        assert_eq!(
            key_of(mode.admit(&headers(&[("x-api-key", "k9")]))),
            "refused 401"
        );
    }

    #[test]
    fn callers_count_by_the_credential_that_let_them_in() {
        let mode =
            AuthMode::from_settings(None, None, false).unwrap_or_else(|e| unreachable!("{e}"));
        let caller = |pairs: &[(&'static str, &str)]| {
            mode.admit(&headers(pairs))
                .map(|a| a.caller)
                .unwrap_or_else(|e| unreachable!("{e:?}"))
        };
        // Noise in a header that plays no part does not make a new caller.
        assert_eq!(
            caller(&[("x-api-key", "k1")]),
            caller(&[("x-api-key", "k1"), ("authorization", "Bearer noise")])
        );
        assert_ne!(
            caller(&[("x-api-key", "k1")]),
            caller(&[("x-api-key", "k2")])
        );
        let key = Credentials::ApiKey("server-key".to_owned().into());
        let shared = AuthMode::from_settings(Some(key), Some("t0ken".to_owned().into()), false)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let one = |extra: &str| {
            shared
                .admit(&headers(&[
                    ("authorization", "bearer t0ken"),
                    ("x-api-key", extra),
                ]))
                .map(|a| a.caller)
                .unwrap_or_else(|e| unreachable!("{e:?}"))
        };
        assert_eq!(one("a"), one("b"), "server-key callers are one caller");
    }
}
