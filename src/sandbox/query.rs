//! Query-string parameters: pagination (`limit`, `token`) and filters.

use super::envelope::ApiError;

/// Query parameters, first occurrence wins.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `limit`: an integer from 1 to 100, `default` when absent.
    pub fn limit(&self, default: usize) -> Result<usize, ApiError> {
        self.limit_up_to(default, 100)
    }

    /// `limit`: an integer from 1 to `max` (50 on the avatar lists), `default` when absent.
    pub fn limit_up_to(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get("limit") {
            None => Ok(default),
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "limit",
                        format!("'limit' must be an integer between 1 and {max}; got '{raw}'."),
                    )
                }),
        }
    }

    /// An enum-valued filter: absent is None; present must be one of `allowed` exactly.
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<&str>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) if allowed.contains(&value) => Ok(Some(value)),
            Some(value) => Err(ApiError::invalid(
                key,
                format!(
                    "'{key}' must be one of: {}; got '{value}'.",
                    allowed.join(", ")
                ),
            )),
        }
    }

    /// `token`: absent or empty means the first page.
    pub fn token(&self) -> Option<&str> {
        self.get("token").filter(|t| !t.is_empty())
    }
}
