//! The credential chain: `HEYGEN_API_KEY`, `HEYGEN_ACCESS_TOKEN`, then the HeyGen CLI's
//! stored credentials, read into [`SecretString`]s that never print.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::is_placeholder;

/// How requests authenticate.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Sent as `x-api-key`.
    ApiKey(SecretString),
    /// An OAuth access token, sent as `Authorization: Bearer`.
    Bearer(SecretString),
}

impl Credentials {
    /// A redactor that knows this credential.
    pub fn redactor(&self) -> crate::redact::Redactor {
        use secrecy::ExposeSecret;
        match self {
            Self::ApiKey(secret) | Self::Bearer(secret) => {
                crate::redact::Redactor::new([secret.expose_secret()])
            }
        }
    }
}

/// Where the credentials came from, said in messages (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    Env(&'static str),
    File(PathBuf),
    /// The built-in sandbox takes any key; a real one is never sent to it.
    Sandbox,
}

impl std::fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Env(name) => write!(f, "environment variable {name}"),
            Self::File(path) => write!(f, "credentials file {}", path.display()),
            Self::Sandbox => f.write_str("the sandbox (no real key needed)"),
        }
    }
}

/// The outcome of the credential chain.
#[derive(Debug, Clone)]
pub enum CredentialLookup {
    Found(Credentials, CredentialSource),
    /// Nothing usable; the text says what was tried or what was wrong.
    Missing(String),
}

/// First found wins: `HEYGEN_API_KEY`, `HEYGEN_ACCESS_TOKEN`, then the HeyGen CLI's stored
/// credentials (`$HEYGEN_CONFIG_DIR/credentials` or `~/.heygen/credentials`).
pub(super) fn lookup_credentials(
    env: &impl Fn(&str) -> Option<String>,
    now: i64,
) -> CredentialLookup {
    let non_empty = |name: &str| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !is_placeholder(v))
    };
    if let Some(key) = non_empty("HEYGEN_API_KEY") {
        return CredentialLookup::Found(
            Credentials::ApiKey(key.into()),
            CredentialSource::Env("HEYGEN_API_KEY"),
        );
    }
    if let Some(token) = non_empty("HEYGEN_ACCESS_TOKEN") {
        return CredentialLookup::Found(
            Credentials::Bearer(token.into()),
            CredentialSource::Env("HEYGEN_ACCESS_TOKEN"),
        );
    }
    let dir = match (non_empty("HEYGEN_CONFIG_DIR"), non_empty("HOME")) {
        (Some(dir), _) => PathBuf::from(dir),
        (None, Some(home)) => Path::new(&home).join(".heygen"),
        (None, None) => return CredentialLookup::Missing(missing_text(None)),
    };
    let path = dir.join("credentials");
    match std::fs::read_to_string(&path) {
        Ok(text) => match parse_credentials_file(&text, now) {
            Ok(credentials) => CredentialLookup::Found(credentials, CredentialSource::File(path)),
            Err(problem) => CredentialLookup::Missing(format!(
                "the credentials file {} {problem}. {}",
                path.display(),
                missing_text(None)
            )),
        },
        Err(_) => CredentialLookup::Missing(missing_text(Some(&path))),
    }
}

fn missing_text(tried: Option<&Path>) -> String {
    let file = tried.map_or_else(String::new, |p| format!(", nor {}", p.display()));
    format!(
        "No HeyGen credentials: neither HEYGEN_API_KEY nor HEYGEN_ACCESS_TOKEN is set{file}. \
         Create an API key at https://app.heygen.com/settings/api and set HEYGEN_API_KEY in the \
         \"env\" block of this server's entry in your MCP host's config, then restart the server."
    )
}

/// The CLI writes either JSON (`api_key`, or `oauth.access_token` with `expires_at`) or, in
/// older versions, the bare key on one line.
fn parse_credentials_file(text: &str, now: i64) -> Result<Credentials, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty");
    }
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        if text.lines().count() == 1 && !text.contains(char::is_whitespace) {
            return Ok(Credentials::ApiKey(text.to_owned().into()));
        }
        return Err("is neither JSON nor a single-line key");
    };
    if let Some(key) = json
        .get("api_key")
        .and_then(|v| v.as_str())
        .filter(|k| !k.is_empty())
    {
        return Ok(Credentials::ApiKey(key.to_owned().into()));
    }
    let Some(oauth) = json.get("oauth") else {
        return Err("has neither api_key nor oauth.access_token");
    };
    let Some(token) = oauth
        .get("access_token")
        .and_then(|v| v.as_str())
        .filter(|t| !t.is_empty())
    else {
        return Err("has an oauth entry without access_token");
    };
    if let Some(expires) = oauth.get("expires_at").and_then(expiry_unix)
        && expires <= now
    {
        return Err("holds an OAuth token that has expired (run `heygen auth login` again)");
    }
    Ok(Credentials::Bearer(token.to_owned().into()))
}

/// `expires_at` as unix seconds (or milliseconds), or an RFC 3339 string as Go writes it.
fn expiry_unix(value: &serde_json::Value) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(if n > 100_000_000_000 { n / 1000 } else { n });
    }
    let text = value.as_str()?;
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

pub(super) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    pub(in crate::config) fn env_of(
        pairs: &[(&str, &str)],
    ) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    pub(in crate::config) fn secret_of(lookup: &CredentialLookup) -> (String, &'static str) {
        match lookup {
            CredentialLookup::Found(Credentials::ApiKey(k), _) => {
                (k.expose_secret().to_owned(), "key")
            }
            CredentialLookup::Found(Credentials::Bearer(t), _) => {
                (t.expose_secret().to_owned(), "bearer")
            }
            CredentialLookup::Missing(text) => (text.clone(), "missing"),
        }
    }

    #[test]
    fn api_key_wins_over_token_and_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        std::fs::write(dir.path().join("credentials"), "file-key").ok();
        let d = dir.path().to_string_lossy().into_owned();
        let env = env_of(&[
            ("HEYGEN_API_KEY", "k1"),
            ("HEYGEN_ACCESS_TOKEN", "t1"),
            ("HEYGEN_CONFIG_DIR", &d),
        ]);
        assert_eq!(
            secret_of(&lookup_credentials(&env, 0)),
            ("k1".into(), "key")
        );
        let env = env_of(&[
            ("HEYGEN_API_KEY", " "),
            ("HEYGEN_ACCESS_TOKEN", "t1"),
            ("HEYGEN_CONFIG_DIR", &d),
        ]);
        assert_eq!(
            secret_of(&lookup_credentials(&env, 0)),
            ("t1".into(), "bearer")
        );
        let env = env_of(&[("HEYGEN_CONFIG_DIR", &d)]);
        assert_eq!(
            secret_of(&lookup_credentials(&env, 0)),
            ("file-key".into(), "key")
        );
    }

    #[test]
    fn credentials_file_formats() {
        let key = parse_credentials_file(r#"{"api_key":"abc"}"#, 0);
        assert!(matches!(key, Ok(Credentials::ApiKey(k)) if k.expose_secret() == "abc"));
        let fresh = parse_credentials_file(
            r#"{"oauth":{"access_token":"tok","expires_at":"2030-01-01T00:00:00Z"}}"#,
            1_800_000_000,
        );
        assert!(matches!(fresh, Ok(Credentials::Bearer(t)) if t.expose_secret() == "tok"));
        let expired = parse_credentials_file(
            r#"{"oauth":{"access_token":"tok","expires_at":"2030-01-01T00:00:00+01:00"}}"#,
            1_893_456_000,
        );
        assert!(matches!(expired, Err(e) if e.contains("expired")));
        let expired_unix =
            parse_credentials_file(r#"{"oauth":{"access_token":"t","expires_at":100}}"#, 200);
        assert!(expired_unix.is_err());
        assert!(matches!(
            parse_credentials_file("legacy-key\n", 0),
            Ok(Credentials::ApiKey(_))
        ));
        assert!(parse_credentials_file("two words", 0).is_err());
        assert!(parse_credentials_file(r#"{"other":1}"#, 0).is_err());
    }

    #[test]
    fn missing_credentials_name_the_variable() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let d = dir.path().to_string_lossy().into_owned();
        let (text, kind) = secret_of(&lookup_credentials(&env_of(&[("HOME", &d)]), 0));
        assert_eq!(kind, "missing");
        assert!(
            text.contains("HEYGEN_API_KEY") && text.contains(".heygen/credentials"),
            "{text}"
        );
    }
}
