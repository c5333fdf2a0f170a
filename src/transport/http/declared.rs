//! What a 2025-11-25 client declared at `initialize`, carried by the client itself.
//!
//! Such a client says once, at `initialize`, that it renders views, and what it is called. A stateless replica never sees that request again, and another replica never
//! saw it. So the answer to `initialize` hands the declaration back in `Mcp-Session-Id`,
//! encoded, not stored; the client sends that header with every later request, and whichever
//! replica serves it puts the declaration into the request's `_meta`, where a 2026-07-28
//! client puts its capabilities itself. From there rmcp and the tools read it as they read any
//! client's. Nothing is remembered anywhere: the handle is the state.
//!
//! The handle holds no secret (the client's own words and random bytes that make it unique),
//! so a forged one only changes what its own sender is shown.

use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Version 1 of the handle encoding.
const PREFIX: &str = "hgc1.";

/// A handle longer than this is not one of ours (headers have limits; ours are ~150 bytes).
const MAX_LEN: usize = 2048;

/// The capabilities that change what this server offers (the views extension); the rest is
/// not carried.
const CARRIED: &[&str] = &["extensions"];

/// Where a 2026-07-28 request carries its client's capabilities and name.
const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
const META_CLIENT: &str = "io.modelcontextprotocol/clientInfo";

/// The session id header of Streamable HTTP.
pub const HEADER: &str = "mcp-session-id";

/// A client's declaration, as its handle carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    #[serde(rename = "c")]
    capabilities: Map<String, Value>,
    /// `clientInfo` (name and version, cut short).
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    client: Option<Map<String, Value>>,
    #[serde(rename = "r")]
    nonce: String,
}

impl Declared {
    /// The declaration a request's handle carries, if it has one of ours.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let handle = headers.get(HEADER)?.to_str().ok()?;
        if handle.len() > MAX_LEN {
            return None;
        }
        let json = URL_SAFE_NO_PAD.decode(handle.strip_prefix(PREFIX)?).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// The request body with the declaration in its `_meta`, where the request does not say
    /// otherwise itself. A body that is not one JSON-RPC request is returned as it was.
    pub fn restore_into(&self, body: &[u8]) -> Option<Vec<u8>> {
        let mut message: Value = serde_json::from_slice(body).ok()?;
        let request = message.as_object_mut()?;
        if !request.get("method").is_some_and(Value::is_string) {
            return None;
        }
        let params = request
            .entry("params")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()?;
        let meta = params
            .entry("_meta")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()?;
        meta.entry(META_CAPABILITIES)
            .or_insert_with(|| Value::Object(self.capabilities.clone()));
        if let Some(client) = &self.client {
            meta.entry(META_CLIENT)
                .or_insert_with(|| Value::Object(client.clone()));
        }
        serde_json::to_vec(&message).ok()
    }
}

/// The handle for an `initialize` request, or `None` when the body is not one.
pub fn handle_for(body: &[u8]) -> Option<HeaderValue> {
    #[derive(Deserialize)]
    struct Request {
        method: String,
        #[serde(default)]
        params: Value,
    }
    let request: Request = serde_json::from_slice(body).ok()?;
    if request.method != "initialize" {
        return None;
    }
    let capabilities = request
        .params
        .get("capabilities")
        .and_then(Value::as_object)
        .map(|all| {
            all.iter()
                .filter(|(key, _)| CARRIED.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default();
    let client = request
        .params
        .get("clientInfo")
        .and_then(Value::as_object)
        .map(|info| {
            ["name", "version"]
                .iter()
                .map(|key| {
                    let text = info.get(*key).and_then(Value::as_str).unwrap_or_default();
                    (
                        key.to_string(),
                        Value::String(text.chars().take(64).collect()),
                    )
                })
                .collect()
        });
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).ok()?;
    let declared = Declared {
        capabilities,
        client,
        nonce: URL_SAFE_NO_PAD.encode(nonce),
    };
    let encoded = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&declared).ok()?);
    let handle = format!("{PREFIX}{encoded}");
    if handle.len() > MAX_LEN {
        // Too much declared to carry: the client is served as one that declared nothing.
        return None;
    }
    HeaderValue::from_str(&handle).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declaration_survives_the_round_trip_and_strangers_are_ignored() {
        let body = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","clientInfo":{"name":"claude-ai","version":"1"},
            "capabilities":{"roots":{},"sampling":{},"extensions":{"io.modelcontextprotocol/ui":{"mimeTypes":["text/html;profile=mcp-app"]}}}}}"#;
        let handle =
            handle_for(body).unwrap_or_else(|| unreachable!("an initialize gets a handle"));
        let again = handle_for(body).unwrap_or_else(|| unreachable!("a second one"));
        assert_ne!(handle, again, "each handle is unique");
        let text = handle.to_str().unwrap_or_else(|e| unreachable!("{e}"));
        assert!(
            text.bytes().all(|b| (0x21..=0x7e).contains(&b)),
            "visible ASCII only"
        );
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, handle);
        let declared = Declared::from_headers(&headers).unwrap_or_else(|| unreachable!("decodes"));
        let restored = declared
            .restore_into(br#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
            .unwrap_or_else(|| unreachable!("a request"));
        let restored: Value = serde_json::from_slice(&restored).unwrap_or_default();
        let meta = &restored["params"]["_meta"];
        assert_eq!(meta[META_CLIENT]["name"], "claude-ai");
        assert!(meta[META_CAPABILITIES]["extensions"]["io.modelcontextprotocol/ui"].is_object());
        assert!(
            meta[META_CAPABILITIES].get("roots").is_none(),
            "only what matters is carried"
        );
        // What a request says itself wins.
        let own = declared
            .restore_into(br#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/clientCapabilities":{}}}}"#)
            .unwrap_or_else(|| unreachable!("a request"));
        let own: Value = serde_json::from_slice(&own).unwrap_or_default();
        assert_eq!(
            own["params"]["_meta"][META_CAPABILITIES],
            serde_json::json!({})
        );
        assert!(declared.restore_into(b"[1,2]").is_none());

        assert!(handle_for(br#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#).is_none());
        for stranger in [
            "",
            "hgc1.",
            "hgc1.!!",
            "3f2a-uuid-from-elsewhere",
            "hgc1.e30",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(HEADER, HeaderValue::from_static(stranger));
            assert!(Declared::from_headers(&headers).is_none(), "{stranger}");
        }
    }
}
