//! JSON Schema conventions shared by every tool.
//!
//! Tool schemas are derived from Rust types with schemars, then made portable: some MCP hosts
//! reject `"type": ["string", "null"]` or a top-level combinator, so optional fields are
//! described by their non-null type and simply left out of `required`. Arguments are checked
//! against the very schema the model was shown (see [`crate::tools::validate`]), so the
//! bounds live in one place.

use schemars::Schema;
use serde_json::{Map, Value};

/// The shape every HeyGen id must have before it goes into a URL path: no `/`, `?`, `%`, `#`
/// or whitespace, and no leading dot, so no id can climb out of its path segment.
/// At most 128 characters, so no id can make a huge URL either.
pub const ID_PATTERN: &str = r"^[A-Za-z0-9][\w.:-]{0,127}$";

/// Makes a derived schema portable: drops the `null` branch of optional fields everywhere.
pub fn portable(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        strip_nulls(object);
    }
}

/// [`portable`], plus `additionalProperties: false` at the root so unknown arguments are
/// refused instead of silently ignored.
pub fn strict_input(schema: &mut Schema) {
    portable(schema);
    if let Some(object) = schema.as_object_mut() {
        object.insert("additionalProperties".into(), Value::Bool(false));
        // Some clients look for `properties` even when a tool takes no arguments.
        object
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// The schema tools/list shows: what costs the model's context and says nothing it needs is
/// dropped. The server still checks every call against the full schema (see
/// [`crate::tools`]), so nothing dropped here is left unchecked:
///
/// - the `$schema` marker (2020-12 is MCP's default) and `format` hints such as `uint32`
///   (bounds are given by `minimum` and `maximum`);
/// - id `pattern`s: every id's description says where it comes from, and a malformed id is
///   refused with a message that says what an id looks like;
/// - the `files` union (four `oneOf` branches, written out in two tools) becomes one object
///   keyed by `type`;
/// - `minLength: 1` and the 4 KB caps on tokens, URLs and paths: noise to a model;
/// - output schemas below the top level and beyond the fields every result has: those
///   keep their types, nested views are just objects, descriptions go (field names say what
///   they are), and optional fields are left out (every result names them in its text copy;
///   a field listed without a type is one that strict hosts and the MCP Inspector flag as
///   unportable).
///
/// Every listed tool is compacted once, when its view is built.
pub fn compact_tool(tool: &mut rmcp::model::Tool) {
    let mut input = tool.input_schema.as_ref().clone();
    input.remove("$schema");
    strip_keywords(&mut input, &["format", "pattern"]);
    strip_loose_bounds(&mut input);
    strip_described_defaults(&mut input);
    if let Some(Value::Object(files)) = input.get_mut("properties").and_then(|p| p.get_mut("files"))
    {
        files.insert("items".into(), compact_file_item());
    }
    tool.input_schema = std::sync::Arc::new(input);
    if let Some(output) = &tool.output_schema {
        tool.output_schema = Some(std::sync::Arc::new(shallow_output(output)));
    }
}

/// An output schema with the top-level fields every result has, with their types; anything
/// nested is an object (or an array of objects) without its fields. Results may carry more
/// fields (`additionalProperties` is left open).
fn shallow_output(schema: &Map<String, Value>) -> Map<String, Value> {
    fn shallow(field: &Value) -> Value {
        let Some(field) = field.as_object() else {
            return field.clone();
        };
        if field.contains_key("$ref") {
            return serde_json::json!({"type": "object"});
        }
        let mut out = Map::new();
        if let Some(kind) = field.get("type") {
            out.insert("type".into(), kind.clone());
        }
        if let Some(items) = field.get("items") {
            let items = match items.get("type") {
                Some(Value::String(kind)) if kind != "object" => serde_json::json!({"type": kind}),
                _ => serde_json::json!({"type": "object"}),
            };
            out.insert("items".into(), items);
        }
        if field.get("type").is_some_and(|t| t == "object") {
            return serde_json::json!({"type": "object"});
        }
        Value::Object(out)
    }
    let mut out = Map::new();
    out.insert("type".into(), Value::String("object".into()));
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Object(properties)) = schema.get("properties") {
        let fields: Map<String, Value> = properties
            .iter()
            .filter(|(name, _)| required.contains(&name.as_str()))
            .map(|(name, field)| (name.clone(), shallow(field)))
            .collect();
        out.insert("properties".into(), Value::Object(fields));
    }
    if let Some(required) = schema.get("required") {
        out.insert("required".into(), required.clone());
    }
    out
}

/// Drops a top-level argument's `default` when its description already states it.
fn strip_described_defaults(schema: &mut Map<String, Value>) {
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for property in properties.values_mut().filter_map(Value::as_object_mut) {
        let described = property
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.contains("default"));
        if described {
            property.remove("default");
        }
    }
}

/// Drops `minLength: 1` and string caps of 4096 and more, everywhere but in names.
fn strip_loose_bounds(schema: &mut Map<String, Value>) {
    if schema.get("minLength").and_then(Value::as_u64) == Some(1) {
        schema.remove("minLength");
    }
    if schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .is_some_and(|n| n >= 4096)
    {
        schema.remove("maxLength");
    }
    for (key, value) in schema.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "$defs", Value::Object(named)) => named.values_mut().for_each(|v| {
                if let Value::Object(inner) = v {
                    strip_loose_bounds(inner);
                }
            }),
            (_, Value::Object(inner)) => strip_loose_bounds(inner),
            (_, Value::Array(items)) => items.iter_mut().for_each(|item| {
                if let Value::Object(inner) = item {
                    strip_loose_bounds(inner);
                }
            }),
            _ => {}
        }
    }
}

/// For a remote server: `files` items cannot be local paths.
pub fn without_local_files(tool: &mut rmcp::model::Tool) {
    let mut input = tool.input_schema.as_ref().clone();
    let Some(Value::Object(files)) = input.get_mut("properties").and_then(|p| p.get_mut("files"))
    else {
        return;
    };
    if let Some(Value::String(text)) = files.get_mut("description") {
        *text = text.replace("{type: path, path} (local; uploaded for you), ", "");
    }
    if let Some(Value::Object(item)) = files.get_mut("items") {
        if let Some(Value::Object(kind)) =
            item.get_mut("properties").and_then(|p| p.get_mut("type"))
            && let Some(Value::Array(kinds)) = kind.get_mut("enum")
        {
            kinds.retain(|k| k != "path");
        }
        if let Some(Value::Object(properties)) = item.get_mut("properties") {
            properties.remove("path");
        }
    }
    tool.input_schema = std::sync::Arc::new(input);
}

/// One file input as a single object: `type` says which of the other fields it needs (the
/// `files` argument's description lists the four shapes).
fn compact_file_item() -> Value {
    serde_json::json!({
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["path", "url", "asset_id", "base64"]},
            "path": {"type": "string"},
            "url": {"type": "string"},
            "asset_id": {"type": "string"},
            "media_type": {"type": "string"},
            "data": {"type": "string"}
        },
        "required": ["type"],
        "additionalProperties": false
    })
}

/// Removes `keywords` from a schema and its subschemas; the names inside `properties` and
/// `$defs` are arguments and definitions, never keywords, so they are kept.
fn strip_keywords(schema: &mut Map<String, Value>, keywords: &[&str]) {
    for keyword in keywords {
        schema.remove(*keyword);
    }
    for (key, value) in schema.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "$defs", Value::Object(named)) => named.values_mut().for_each(|v| {
                if let Value::Object(inner) = v {
                    strip_keywords(inner, keywords);
                }
            }),
            (_, Value::Object(inner)) => strip_keywords(inner, keywords),
            (_, Value::Array(items)) => items.iter_mut().for_each(|item| {
                if let Value::Object(inner) = item {
                    strip_keywords(inner, keywords);
                }
            }),
            _ => {}
        }
    }
}

fn strip_nulls(object: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = object.get(key) else {
            continue;
        };
        let non_null: Vec<Value> = branches
            .iter()
            .filter(|b| !is_null_schema(b))
            .cloned()
            .collect();
        if non_null.len() == 1 && branches.len() == 2 {
            object.remove(key);
            if let Value::Object(inner) = &non_null[0] {
                for (k, v) in inner {
                    object.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            object.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(values)) = object.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if object.get("default").is_some_and(Value::is_null) {
        object.remove("default");
    }
    for value in object.values_mut() {
        match value {
            Value::Object(inner) => strip_nulls(inner),
            Value::Array(items) => items.iter_mut().for_each(|item| {
                if let Value::Object(inner) = item {
                    strip_nulls(inner);
                }
            }),
            _ => {}
        }
    }
}

fn is_null_schema(value: &Value) -> bool {
    value.get("type").is_some_and(|t| t == "null")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compacting_keeps_arguments_named_like_keywords() {
        let mut tool = rmcp::model::Tool::new(
            "t",
            "d",
            std::sync::Arc::new(
                json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "properties": {
                        "format": {"type": "string", "format": "uri"},
                        "limit": {"type": "integer", "format": "uint32", "minimum": 0}
                    }
                })
                .as_object()
                .cloned()
                .unwrap_or_default(),
            ),
        );
        compact_tool(&mut tool);
        assert_eq!(
            Value::Object(tool.input_schema.as_ref().clone()),
            json!({
                "type": "object",
                "properties": {
                    "format": {"type": "string"},
                    "limit": {"type": "integer", "minimum": 0}
                }
            })
        );
    }

    #[test]
    fn optional_fields_lose_their_null_branch() {
        let mut schema = Schema::try_from(json!({
            "type": "object",
            "properties": {
                "a": {"type": ["string", "null"], "default": null},
                "b": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "null"}], "description": "b"},
                "c": {"type": ["string", "null"], "enum": ["x", "y", null]}
            }
        }))
        .unwrap_or_default();
        strict_input(&mut schema);
        assert_eq!(
            serde_json::to_value(&schema).unwrap_or_default(),
            json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "a": {"type": "string"},
                    "b": {"$ref": "#/$defs/B", "description": "b"},
                    "c": {"type": "string", "enum": ["x", "y"]}
                }
            })
        );
    }
}
