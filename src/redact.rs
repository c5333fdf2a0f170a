//! Keeping credentials out of everything the server emits.
//!
//! HeyGen (or a proxy in front of it) may echo the request back: in an error message, a
//! `param`, a `doc_url`, an `X-Request-Id`, or a body that fails to decode. Every such text is
//! passed through a [`Redactor`] that knows the exact credentials in use before it reaches a
//! tool result or a log line.

use std::borrow::Cow;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

/// What stands in for a credential.
pub const REDACTED: &str = "[REDACTED]";

/// Secrets shorter than this are not searched for: a one-letter test key would otherwise
/// blank out every "k" in a message, and no real HeyGen credential is that short.
const MIN_SECRET_LEN: usize = 8;

/// Replaces known credentials in text. Cheap to clone.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<[SecretString]>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// Redacts each secret as given and in its percent-encoded form (as it would appear in
    /// an echoed URL).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut all: Vec<String> = Vec::new();
        for secret in secrets {
            let secret = secret.trim();
            if secret.len() < MIN_SECRET_LEN {
                continue;
            }
            let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            for form in [secret.to_owned(), encoded] {
                if !all.contains(&form) {
                    all.push(form);
                }
            }
        }
        // Longest first, so a secret that contains another is replaced whole.
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Self {
            secrets: all.into_iter().map(SecretString::from).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for secret in self.secrets.iter() {
            let secret = secret.expose_secret();
            if out.contains(secret) {
                out = Cow::Owned(out.replace(secret, REDACTED));
            }
        }
        out
    }

    pub fn redact_owned(&self, text: String) -> String {
        match self.redact(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(redacted) => redacted,
        }
    }

    /// Every string in a JSON value, keys included.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        if self.is_empty() {
            return;
        }
        match value {
            serde_json::Value::String(text) => {
                if let Cow::Owned(redacted) = self.redact(text) {
                    *text = redacted;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            serde_json::Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    let Some(mut inner) = map.remove(&key) else {
                        continue;
                    };
                    self.redact_json(&mut inner);
                    map.insert(self.redact_owned(key), inner);
                }
            }
            _ => {}
        }
    }
}

/// The credentials kept out of the process's log lines (set once they are known).
static LOG_SECRETS: std::sync::RwLock<Option<Redactor>> = std::sync::RwLock::new(None);

/// From now on, log lines have these credentials replaced.
pub fn redact_logs(redactor: &Redactor) {
    if let Ok(mut slot) = LOG_SECRETS.write() {
        *slot = Some(redactor.clone());
    }
}

/// stderr for `tracing`, with the credentials given to [`redact_logs`] replaced in every line:
/// a log line may quote what HeyGen sent back.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogWriter;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        LogWriter
    }
}

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let secrets = LOG_SECRETS.read().ok().and_then(|slot| slot.clone());
        match secrets {
            Some(redactor) if !redactor.is_empty() => {
                let text = String::from_utf8_lossy(buf);
                std::io::stderr().write_all(redactor.redact(&text).as_bytes())?;
            }
            _ => std::io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// A URL for display: any user name or password in it is replaced.
pub fn display_url(url: &url::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    let text = shown.to_string();
    match text.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{REDACTED}@{rest}"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_and_encoded_secrets_are_replaced() {
        let r = Redactor::new(["sk-abc/def+ghi", "tok-123456789"]);
        assert_eq!(
            r.redact("key sk-abc/def+ghi and sk-abc%2Fdef%2Bghi, token tok-123456789"),
            "key [REDACTED] and [REDACTED], token [REDACTED]"
        );
        let mut value = json!({"a": ["x tok-123456789"], "tok-123456789": 1});
        r.redact_json(&mut value);
        assert_eq!(value, json!({"a": ["x [REDACTED]"], "[REDACTED]": 1}));
    }

    #[test]
    fn short_secrets_are_not_searched() {
        let r = Redactor::new(["k"]);
        assert!(r.is_empty());
        assert_eq!(r.redact("keep"), "keep");
    }

    #[test]
    fn urls_lose_their_credentials() {
        let url: url::Url = "https://user:hunter22@api.example.com/v3"
            .parse()
            .unwrap_or_else(|e| unreachable!("{e}"));
        let shown = display_url(&url);
        assert!(
            !shown.contains("hunter22") && !shown.contains("user"),
            "{shown}"
        );
    }
}
