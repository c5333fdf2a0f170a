//! The heygen entry as each host expects it, and the merge that adds it to a config file
//! without touching anything else.

use super::json::Json;
use super::{Host, KEY_PLACEHOLDER, SERVER_NAME, VSCODE_INPUT_ID};

/// What a merge did to the file.
pub(super) enum Change {
    Added,
    /// The entry existed: its command was `was`; its args and env were kept.
    Updated {
        was: Option<String>,
    },
    /// The entry existed but was not an object.
    Replaced,
}

/// The block as this host expects it.
pub(super) fn block(host: Host, exe: &str) -> Json {
    let mut top = vec![(
        host.servers_key().to_owned(),
        Json::Object(vec![(SERVER_NAME.to_owned(), entry(host, exe))]),
    )];
    if host == Host::Vscode {
        top.push(("inputs".to_owned(), Json::Array(vec![vscode_input()])));
    }
    Json::Object(top)
}

fn entry(host: Host, exe: &str) -> Json {
    let mut fields = Vec::new();
    if host == Host::Vscode {
        fields.push(("type".to_owned(), Json::from("stdio")));
    }
    fields.push(("command".to_owned(), Json::from(exe)));
    fields.push(("args".to_owned(), Json::Array(Vec::new())));
    fields.push(("env".to_owned(), Json::Object(vec![key_env(host)])));
    Json::Object(fields)
}

pub(super) fn key_env(host: Host) -> (String, Json) {
    let value = match host {
        Host::Vscode => format!("${{input:{VSCODE_INPUT_ID}}}"),
        _ => KEY_PLACEHOLDER.to_owned(),
    };
    ("HEYGEN_API_KEY".to_owned(), Json::String(value))
}

fn vscode_input() -> Json {
    Json::Object(vec![
        ("type".to_owned(), Json::from("promptString")),
        ("id".to_owned(), Json::from(VSCODE_INPUT_ID)),
        ("description".to_owned(), Json::from("HeyGen API key")),
        ("password".to_owned(), Json::Bool(true)),
    ])
}

/// The servers in the file besides heygen.
pub(super) fn server_names(document: &Json, host: Host) -> Vec<String> {
    match document.get(host.servers_key()) {
        Some(Json::Object(servers)) => servers
            .iter()
            .map(|(name, _)| name.clone())
            .filter(|name| name != SERVER_NAME)
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds or updates the heygen entry; everything else stays as it was.
pub(super) fn merge(mut document: Json, host: Host, exe: &str) -> Result<(Json, Change), String> {
    let Json::Object(top) = &mut document else {
        return Err("its top level is not a JSON object".into());
    };
    let servers = entry_mut(top, host.servers_key(), || Json::Object(Vec::new()));
    let Json::Object(servers) = servers else {
        return Err(format!("\"{}\" is not a JSON object", host.servers_key()));
    };
    let change = match servers.iter_mut().find(|(name, _)| name == SERVER_NAME) {
        None => {
            servers.push((SERVER_NAME.to_owned(), entry(host, exe)));
            Change::Added
        }
        Some((_, Json::Object(existing))) => {
            let command = entry_mut(existing, "command", || Json::Null);
            let was = match command {
                Json::String(was) => Some(was.clone()),
                _ => None,
            };
            *command = Json::from(exe);
            if host == Host::Vscode {
                entry_mut(existing, "type", || Json::from("stdio"));
            }
            entry_mut(existing, "args", || Json::Array(Vec::new()));
            if let Json::Object(env) = entry_mut(existing, "env", || Json::Object(Vec::new()))
                && !env
                    .iter()
                    .any(|(k, _)| k == "HEYGEN_API_KEY" || k == "HEYGEN_ACCESS_TOKEN")
            {
                env.push(key_env(host));
            }
            Change::Updated { was }
        }
        Some((_, other)) => {
            *other = entry(host, exe);
            Change::Replaced
        }
    };
    if host == Host::Vscode {
        let inputs = entry_mut(top, "inputs", || Json::Array(Vec::new()));
        let Json::Array(inputs) = inputs else {
            return Err("\"inputs\" is not a JSON array".into());
        };
        if !inputs.iter().any(is_our_input) {
            inputs.push(vscode_input());
        }
    }
    Ok((document, change))
}

fn is_our_input(input: &Json) -> bool {
    input.get("id") == Some(&Json::from(VSCODE_INPUT_ID))
}

pub(super) fn has_vscode_input(document: &Json) -> bool {
    matches!(document.get("inputs"), Some(Json::Array(inputs)) if inputs.iter().any(is_our_input))
}

/// The value under `key`, inserted at the end from `make` if absent.
fn entry_mut<'a>(
    fields: &'a mut Vec<(String, Json)>,
    key: &str,
    make: impl FnOnce() -> Json,
) -> &'a mut Json {
    let index = match fields.iter().position(|(k, _)| k == key) {
        Some(index) => index,
        None => {
            fields.push((key.to_owned(), make()));
            fields.len() - 1
        }
    };
    &mut fields[index].1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Json {
        serde_json::from_str(text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn an_existing_entry_keeps_its_key_and_args() {
        let doc = parse(
            r#"{"mcpServers":{"other":{"command":"x"},"heygen":{"command":"/old","args":["--read-only"],"env":{"HEYGEN_API_KEY":"kept"}}}}"#,
        );
        let (merged, change) =
            merge(doc, Host::Cursor, "/new").unwrap_or_else(|e| unreachable!("{e}"));
        assert!(matches!(change, Change::Updated { was: Some(ref w) } if w == "/old"));
        let entry = merged
            .get("mcpServers")
            .and_then(|s| s.get("heygen"))
            .cloned();
        assert_eq!(
            entry,
            Some(parse(
                r#"{"command":"/new","args":["--read-only"],"env":{"HEYGEN_API_KEY":"kept"}}"#
            ))
        );
    }

    #[test]
    fn vscode_gets_its_prompt_once() {
        let (merged, _) = merge(Json::Object(Vec::new()), Host::Vscode, "/x")
            .unwrap_or_else(|e| unreachable!("{e}"));
        let (again, _) =
            merge(merged.clone(), Host::Vscode, "/x").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(merged, again);
        assert_eq!(merged, block(Host::Vscode, "/x"));
    }
}
