//! Argument spellings the schemas don't show but models send.
//!
//! - camelCase (`sessionId`, `avatarId`, `mediaType`): transcripts show HeyGen's hosted server
//!   called that way. Where the snake_case name is an argument, the camelCase one is taken
//!   as it. Schemas keep snake_case: the aliases cost no context.
//! - `auto_proceed` and `skip_agentic_stop`: removed from HeyGen's API on 2026-04-13, still
//!   shown by older docs. Their meaning lives on in `mode`: generate (the default) already
//!   runs to a video without stopping. So `true` without `mode: chat`, or `false`, is
//!   dropped; `true` with `mode: chat` asks for two opposite things and is refused with the
//!   way to say it today.

use rmcp::model::{JsonObject, Tool};
use serde_json::Value;

/// Fields HeyGen removed whose intent `mode` expresses today.
const REMOVED: [&str; 2] = ["auto_proceed", "skip_agentic_stop"];

/// Rewrites the arguments in place; `Err` says what to send instead.
pub fn normalise(tool: &Tool, arguments: &mut JsonObject) -> Result<(), String> {
    let properties = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object);
    let known = |name: &str| properties.is_some_and(|p| p.contains_key(name));
    rename_camel_case(arguments, &known);
    if let Some(Value::Array(files)) = arguments.get_mut("files") {
        for item in files.iter_mut().filter_map(Value::as_object_mut) {
            let item_keys = ["url", "asset_id", "media_type", "data", "path", "type"];
            rename_camel_case(item, &|name| item_keys.contains(&name));
        }
    }
    for name in REMOVED {
        let camel = to_camel(name);
        let Some(value) = arguments.remove(name).or_else(|| arguments.remove(&camel)) else {
            continue;
        };
        if known(name) {
            arguments.insert(name.to_owned(), value);
            continue;
        }
        let chat = arguments.get("mode").and_then(Value::as_str) == Some("chat");
        if value == Value::Bool(true) && chat {
            return Err(format!(
                "Invalid arguments for {}: `{name}` was removed from HeyGen's API (2026-04-13) and cannot be combined with mode=chat. To skip the storyboard review, use mode=generate (the default); in a chat session, approve the storyboard with send_video_agent_message instead.",
                tool.name
            ));
        }
    }
    Ok(())
}

/// `sessionId` → `session_id` when the latter is an argument and not given already.
fn rename_camel_case(object: &mut JsonObject, known: &dyn Fn(&str) -> bool) {
    let renames: Vec<(String, String)> = object
        .keys()
        .filter(|key| key.chars().any(|c| c.is_ascii_uppercase()))
        .map(|key| (key.clone(), to_snake(key)))
        .filter(|(_, snake)| known(snake) && !object.contains_key(snake))
        .collect();
    for (camel, snake) in renames {
        if let Some(value) = object.remove(&camel) {
            object.insert(snake, value);
        }
    }
}

fn to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool() -> Tool {
        let schema = json!({"type": "object", "properties": {
            "session_id": {}, "avatar_id": {}, "mode": {}, "files": {}, "prompt": {}
        }});
        Tool::new(
            "create_video_agent",
            "d",
            std::sync::Arc::new(schema.as_object().cloned().unwrap_or_default()),
        )
    }

    fn run(args: serde_json::Value) -> (Result<(), String>, serde_json::Value) {
        let mut object = args.as_object().cloned().unwrap_or_default();
        let outcome = normalise(&tool(), &mut object);
        (outcome, Value::Object(object))
    }

    #[test]
    fn camel_case_becomes_the_argument() {
        let (ok, args) = run(json!({
            "sessionId": "s", "avatarId": "a", "unknownThing": 1,
            "files": [{"type": "asset_id", "assetId": "x"}]
        }));
        assert!(ok.is_ok());
        assert_eq!(
            args,
            json!({"session_id": "s", "avatar_id": "a", "unknownThing": 1,
                   "files": [{"type": "asset_id", "asset_id": "x"}]})
        );
        // The snake_case spelling wins when both are given.
        let (_, args) = run(json!({"session_id": "s", "sessionId": "t"}));
        assert_eq!(args, json!({"session_id": "s", "sessionId": "t"}));
    }

    #[test]
    fn removed_fields_keep_their_meaning() {
        let (ok, args) = run(json!({"prompt": "p", "auto_proceed": true}));
        assert!(ok.is_ok());
        assert_eq!(args, json!({"prompt": "p"}));
        let (ok, args) = run(json!({"prompt": "p", "skipAgenticStop": false, "mode": "chat"}));
        assert!(ok.is_ok());
        assert_eq!(args, json!({"prompt": "p", "mode": "chat"}));
        let (refused, _) = run(json!({"prompt": "p", "auto_proceed": true, "mode": "chat"}));
        assert!(refused.is_err_and(|e| e.contains("mode=generate")));
    }
}
