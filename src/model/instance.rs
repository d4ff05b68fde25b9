//! Turns one connection's spanned YAML into the JSON value the server effectively reads, typed
//! the way Jackson over SnakeYAML types it, so the bundled JSON schema judges what the server
//! judges: text properties take a scalar's raw text (`123` is "123"), secrets keep unquoted
//! numbers and booleans as such (the server rejects them), flags and timeouts keep YAML 1.1 types,
//! null properties are absent, later duplicate keys win, aliases are their anchor's name.

use crate::props::{Block, Kind};
use crate::yaml::scalar::{Plain, jackson_type, resolve_plain};
use crate::yaml::{Node, NodeKind, Scalar, Style};
use serde_json::{Map, Number, Value};

/// The JSON value of a connection (`null` for `id:` with nothing under it).
pub fn connection(node: &Node) -> Value {
    block(node, &crate::props::CONNECTION)
}

fn block(node: &Node, def: &'static Block) -> Value {
    match &node.kind {
        NodeKind::Map(entries) => {
            let mut map = Map::new();
            for e in entries {
                let Some(key) = e.key.text() else { continue };
                if is_merge_key(&e.key) {
                    continue; // reported by the structure checks
                }
                let kind = def.prop(key).map(|p| p.kind);
                let value = match kind {
                    Some(k) => typed(&e.value, k),
                    None => Some(generic(&e.value)),
                };
                match value {
                    Some(v) => {
                        map.insert(key.to_string(), v);
                    }
                    None => {
                        // null means "not set"; a later null also undoes an earlier duplicate
                        map.remove(key);
                    }
                }
            }
            Value::Object(map)
        }
        _ if node.is_null() => Value::Null,
        _ => generic(node),
    }
}

pub fn is_merge_key(key: &Node) -> bool {
    matches!(&key.kind, NodeKind::Scalar(s) if s.value == "<<" && s.style.is_plain())
}

/// The value of a property of `kind` as the server reads it; `None` for a null (absent) value.
pub fn typed(node: &Node, kind: Kind) -> Option<Value> {
    if let Kind::Block(def) = kind {
        return Some(block(node, def));
    }
    match &node.kind {
        NodeKind::Alias { name, .. } => Some(Value::String(name.to_string())),
        NodeKind::Scalar(s) => scalar(s, kind),
        NodeKind::Seq(items) => match kind {
            Kind::Audience => Some(Value::Array(
                items
                    .iter()
                    .map(|i| match &i.kind {
                        NodeKind::Scalar(_) | NodeKind::Alias { .. } => {
                            typed(i, Kind::Text).unwrap_or(Value::Null)
                        }
                        _ => generic(i),
                    })
                    .collect(),
            )),
            // the server joins a list of one-character strings into a char[]
            Kind::Secret if items.iter().all(one_char) => Some(Value::String(
                items.iter().filter_map(Node::text).collect::<String>(),
            )),
            _ => Some(generic(node)),
        },
        NodeKind::Map(_) => Some(generic(node)),
    }
}

/// A list item the server joins into a `char[]`: text of exactly one character (a number or
/// boolean item is an error, as for the secret itself).
fn one_char(n: &Node) -> bool {
    matches!(&n.kind, NodeKind::Scalar(s)
        if s.value.chars().count() == 1 && jackson_type(s) == Plain::Text)
}

fn scalar(s: &Scalar, kind: Kind) -> Option<Value> {
    let typing = jackson_type(s);
    let text = || Value::String(s.value.to_string());
    match kind {
        Kind::Text | Kind::Audience => match typing {
            Plain::Null => None,
            // Jackson cannot turn `.inf` or `.nan` into text ("malformed numeric value"):
            // a number here makes the schema reject it as one
            Plain::Float(f) if !f.is_finite() => Some(Value::Number(Number::from(0))),
            _ => Some(text()),
        },
        Kind::Secret => match typing {
            Plain::Null => None,
            Plain::Bool(b) => Some(Value::Bool(b)),
            Plain::Int(_) | Plain::BigInt | Plain::Float(_) => Some(number_or_text(typing, s)),
            Plain::Text => Some(text()),
        },
        Kind::Bool => match typing {
            Plain::Null => None,
            Plain::Bool(b) => Some(Value::Bool(b)),
            Plain::Int(i) => Some(Value::Number(Number::from(i64::from(i != 0)))),
            // text goes through Jackson's BooleanDeserializer: blank or "null" is null
            Plain::Text if crate::yaml::scalar::text_bool(&s.value) == Some(None) => None,
            // floats and other text are rejected: keep the text, so the schema rejects it
            _ => Some(text()),
        },
        Kind::Duration => match typing {
            Plain::Null => None,
            Plain::Int(_) | Plain::Float(_) => Some(number_or_text(typing, s)),
            Plain::Text if s.value.trim().is_empty() => None,
            _ => Some(Value::String(s.value.trim().to_string())),
        },
        Kind::Block(_) => None,
    }
}

fn number_or_text(typing: Plain, s: &Scalar) -> Value {
    match typing {
        Plain::Int(i) => i64::try_from(i)
            .map(|v| Value::Number(Number::from(v)))
            .unwrap_or_else(|_| Value::String(s.value.to_string())),
        Plain::Float(f) => Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(s.value.to_string())),
        _ => Value::String(s.value.to_string()),
    }
}

/// Plain YAML 1.1 typing, for values whose property the server does not know.
fn generic(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(s) if s.style == Style::Plain => match resolve_plain(&s.value) {
            Plain::Null => Value::Null,
            Plain::Bool(b) => Value::Bool(b),
            t @ (Plain::Int(_) | Plain::Float(_) | Plain::BigInt) => number_or_text(t, s),
            Plain::Text => Value::String(s.value.to_string()),
        },
        NodeKind::Scalar(s) => Value::String(s.value.to_string()),
        NodeKind::Alias { name, .. } => Value::String(name.to_string()),
        NodeKind::Seq(items) => Value::Array(items.iter().map(generic).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .filter_map(|e| Some((e.key.text()?.to_string(), generic(&e.value))))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};
    use serde_json::json;

    fn conn(text: &str) -> Value {
        let doc = load(text, Limits::default()).ok();
        let root = doc.as_ref().and_then(|d| d.root.as_ref());
        let first = root
            .and_then(Node::as_map)
            .and_then(|m| m.first())
            .map(|e| connection(&e.value));
        first.unwrap_or(Value::Null)
    }

    #[test]
    fn types_like_the_server() {
        let v = conn(
            "c:\n  base-url: 123\n  connect-timeout: 010\n  read-timeout: '5'\n  enable-debug-logging: yes\n  test-connection-on-startup: 'yes'\n  basic-auth:\n    username: true\n    password: 1234\n  cert-auth:\n",
        );
        assert_eq!(
            v,
            json!({
                "base-url": "123", "connect-timeout": 8, "read-timeout": "5",
                "enable-debug-logging": true, "test-connection-on-startup": "yes",
                "basic-auth": {"username": "true", "password": 1234}, "cert-auth": null
            })
        );
    }

    #[test]
    fn null_is_absent_and_last_duplicate_wins() {
        let v = conn(
            "c:\n  base-url: a\n  base-url: b\n  read-timeout: ~\n  oidc-auth:\n    required-audience: [a, ~]\n",
        );
        assert_eq!(
            v,
            json!({"base-url": "b", "oidc-auth": {"required-audience": ["a", null]}})
        );
    }
}
