//! Checks a tool's arguments against the input schema the model was shown, before anything
//! is sent. The schema is the single statement of the bounds, enums and id shapes.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rmcp::model::{JsonObject, Tool};

/// One lazily compiled validator per tool (compiled on the tool's first call, then reused),
/// from the tool's full input schema: every bound and id pattern, even those tools/list
/// leaves out to spare the model's context.
#[derive(Default)]
pub struct Validators {
    by_tool: HashMap<String, Slot>,
}

type Slot = (
    Arc<JsonObject>,
    OnceLock<Result<jsonschema::Validator, String>>,
);

impl Validators {
    pub fn new(tools: &[Tool]) -> Self {
        Self {
            by_tool: tools
                .iter()
                .map(|t| {
                    (
                        t.name.to_string(),
                        (t.input_schema.clone(), OnceLock::new()),
                    )
                })
                .collect(),
        }
    }

    /// `Ok` when the arguments fit; otherwise one line per problem, naming the argument.
    pub fn check(&self, tool: &Tool, arguments: &serde_json::Value) -> Result<(), String> {
        let Some((schema, slot)) = self.by_tool.get(tool.name.as_ref()) else {
            return Ok(());
        };
        let validator = slot.get_or_init(|| compile(schema));
        let validator = match validator {
            Ok(v) => v,
            // A schema that does not compile is our bug; refuse rather than send unchecked ids.
            Err(e) => {
                tracing::error!(tool = %tool.name, "input schema does not compile: {e}");
                return Err(format!(
                    "{} cannot check its arguments (a bug in heygen-mcp; please report it)",
                    tool.name
                ));
            }
        };
        let problems: Vec<String> = validator
            .iter_errors(arguments)
            .take(8)
            .map(|e| describe(&e))
            .collect();
        if problems.is_empty() {
            return Ok(());
        }
        Err(format!(
            "Invalid arguments for {}: {}. Fix them and call again (the tool's input schema lists every argument with its bounds).",
            tool.name,
            problems.join("; ")
        ))
    }
}

fn compile(schema: &Arc<JsonObject>) -> Result<jsonschema::Validator, String> {
    let schema = serde_json::Value::Object(schema.as_ref().clone());
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| e.to_string())
}

/// `files[2].type: ...` rather than `/files/2/type`; values are masked so a 10 MB prompt is
/// not echoed back.
fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind as Kind;
    let path = argument_path(error.instance_path().as_str());
    let what = match error.kind() {
        Kind::AdditionalProperties { unexpected } => {
            return format!("unknown argument(s) {}", unexpected.iter().map(|u| format!("`{}`", join(&path, u))).collect::<Vec<_>>().join(", "));
        }
        Kind::Required { property } => {
            return format!("missing required argument `{}`", join(&path, property.as_str().unwrap_or("?")));
        }
        Kind::OneOfNotValid { .. } | Kind::OneOfMultipleValid { .. } if path.starts_with("files[") => {
            "must be exactly one of {type: path, path} (a local file: the server uploads it), {type: url, url}, {type: asset_id, asset_id} or {type: base64, media_type, data}".to_owned()
        }
        Kind::Pattern { .. } if path.ends_with("file_name") => {
            "must be a plain file name (no directories, no leading dot)".to_owned()
        }
        Kind::Pattern { .. } => {
            "is not a valid id (letters, digits, '_', '-', '.', ':'; no slashes or spaces)".to_owned()
        }
        _ => error.masked_with("the value").to_string(),
    };
    if path.is_empty() {
        what
    } else {
        format!("`{path}`: {what}")
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// A JSON pointer (`/files/2/type`) as an argument path (`files[2].type`).
fn argument_path(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}
