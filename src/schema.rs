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

/// Drops what costs the model's context and says nothing a client needs: the `$schema`
/// marker (2020-12 is MCP's default) and `format` hints such as `uint32` (bounds are given by
/// `minimum` and `maximum`). Every tool is compacted once, when the server is built.
pub fn compact_tool(tool: &mut rmcp::model::Tool) {
    fn compact(schema: &mut Map<String, Value>) {
        schema.remove("$schema");
        strip_formats(schema);
    }
    let mut input = tool.input_schema.as_ref().clone();
    compact(&mut input);
    tool.input_schema = std::sync::Arc::new(input);
    if let Some(output) = &tool.output_schema {
        let mut output = output.as_ref().clone();
        compact(&mut output);
        tool.output_schema = Some(std::sync::Arc::new(output));
    }
}

/// Removes `format` from a schema and its subschemas; the names inside `properties` and
/// `$defs` are arguments and definitions, never keywords, so they are kept.
fn strip_formats(schema: &mut Map<String, Value>) {
    schema.remove("format");
    for (key, value) in schema.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "$defs", Value::Object(named)) => named.values_mut().for_each(|v| {
                if let Value::Object(inner) = v {
                    strip_formats(inner);
                }
            }),
            (_, Value::Object(inner)) => strip_formats(inner),
            (_, Value::Array(items)) => items.iter_mut().for_each(|item| {
                if let Value::Object(inner) = item {
                    strip_formats(inner);
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
