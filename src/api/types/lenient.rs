//! Lenient readers for the fields of HeyGen's answers that are only shown, never acted on.
//!
//! HeyGen's answers drift from the contract in small ways (seen in its own clients' tests):
//! `created_at` as a string, `run_id` as a number, `resets_at` as an integer, a message
//! without `role`. A field like that must not make the whole answer unreadable — least of
//! all a create that HeyGen accepted. Each reader here takes what it can and yields `None`
//! (or an empty value) for anything else. Ids and statuses, which the server acts on, stay
//! strict elsewhere.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Unix seconds from an integer, a float, a numeric string or an RFC 3339 date.
pub fn timestamp<'de, D: Deserializer<'de>>(de: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<f64>().ok().map(|f| f as i64).or_else(|| {
            time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
                .ok()
                .map(time::OffsetDateTime::unix_timestamp)
        }),
        _ => None,
    })
}

/// A string, or a number or boolean written as one.
pub fn string<'de, D: Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
    Ok(as_string(Value::deserialize(de)?))
}

/// Like [`string`], empty when absent or unreadable.
pub fn text<'de, D: Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    Ok(as_string(Value::deserialize(de)?).unwrap_or_default())
}

/// A number, or a numeric string.
pub fn number<'de, D: Deserializer<'de>>(de: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    })
}

/// A whole number, or a numeric string.
pub fn integer<'de, D: Deserializer<'de>>(de: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    })
}

/// A list of strings; items that are not strings are skipped.
pub fn strings<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::Array(items) => Some(items.into_iter().filter_map(as_string).collect()),
        _ => None,
    })
}

/// Like [`strings`], empty when absent or unreadable.
pub fn string_list<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    Ok(strings(de)?.unwrap_or_default())
}

/// A JSON object, or nothing.
pub fn object<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<serde_json::Map<String, Value>>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::Object(map) => Some(map),
        _ => None,
    })
}

fn as_string(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Sample {
        #[serde(default, deserialize_with = "timestamp")]
        at: Option<i64>,
        #[serde(default, deserialize_with = "string")]
        id: Option<String>,
        #[serde(default, deserialize_with = "text")]
        role: String,
        #[serde(default, deserialize_with = "number")]
        progress: Option<f64>,
    }

    fn read(value: serde_json::Value) -> Sample {
        serde_json::from_value(value).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn drifted_fields_are_read_or_dropped() {
        let s = read(json!({"at": "2026-04-13T10:00:00Z", "id": 42, "progress": "40"}));
        assert_eq!(s.at, Some(1_776_074_400));
        assert_eq!(s.id.as_deref(), Some("42"));
        assert_eq!(s.role, "");
        assert_eq!(s.progress, Some(40.0));
        let s = read(json!({"at": "soon", "id": {"x": 1}, "role": null, "progress": [1]}));
        assert_eq!((s.at, s.id, s.progress), (None, None, None));
        let s = read(json!({"at": 1711929600.5}));
        assert_eq!(s.at, Some(1_711_929_600));
    }
}
