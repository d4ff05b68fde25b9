//! Each property's documentation, type and server default, from the editor schema (the one
//! `dsf-connections schema` prints: the same words as yaml-language-server shows).

use crate::props::{Block, Kind, Prop};
use serde_json::Value;

fn schema() -> &'static Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| crate::schema::editor::editor_schema().unwrap_or(Value::Null))
}

fn node(block: &Block, prop: &Prop) -> Option<&'static Value> {
    let conn = schema().get("additionalProperties")?.get("properties")?;
    if block.name == "connection" {
        conn.get(prop.name)
    } else {
        conn.get(block.name)?.get("properties")?.get(prop.name)
    }
}

pub fn description(block: &Block, prop: &Prop) -> String {
    node(block, prop)
        .and_then(|n| n.get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The server's default, as YAML would write it (`None`: required, or no default).
pub fn default(block: &Block, prop: &Prop) -> Option<String> {
    match node(block, prop)?.get("default")? {
        Value::Null => Some("not set".into()),
        Value::String(s) => Some(s.clone()),
        v => Some(v.to_string()),
    }
}

pub fn type_name(prop: &Prop) -> &'static str {
    match prop.kind {
        Kind::Text => "text",
        Kind::Secret => "secret text (masked in every output)",
        Kind::Bool => "boolean",
        Kind::Duration => "duration (java.time.Duration, or seconds)",
        Kind::Audience => "text or list of texts",
        Kind::Block(_) => "mapping",
    }
}

/// The values a property takes from a fixed set.
pub fn values(prop: &Prop) -> &'static [&'static str] {
    match prop.kind {
        Kind::Bool => &["true", "false"],
        _ => &[],
    }
}

/// The property's documentation in Markdown (hover and completion).
pub fn markdown(block: &Block, prop: &Prop) -> String {
    let dotted = if block.name == "connection" {
        prop.name.to_string()
    } else {
        format!("{}.{}", block.name, prop.name)
    };
    let mut s = format!(
        "**{dotted}**: {}\n\n{}",
        type_name(prop),
        description(block, prop)
    );
    if let Some(d) = default(block, prop) {
        s.push_str(&format!("\n\nServer default: `{d}`"));
    }
    s
}
