//! YAML 1.1 typing of scalars as the DSF server's reader does it: SnakeYAML's resolver for plain
//! scalars (`yes`/`on` are booleans, `010` is octal, `1_000` is an integer, `1e3` a float, `~`
//! null), then Jackson's own decoding (`1:30` stays text: Jackson does not read base-60
//! numbers), and Jackson's rules for explicit tags (`!!bool y` is true, `!!int '5'` is 5, any
//! other tag makes text). Everything else is text.

use super::node::{Scalar, Tag};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plain {
    Null,
    Bool(bool),
    Int(i128),
    /// An integer too large even for i128: still a number to the server.
    BigInt,
    Float(f64),
    Text,
}

pub fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

pub fn bool_word(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

pub fn resolve_plain(s: &str) -> Plain {
    if is_null(s) {
        return Plain::Null;
    }
    if let Some(b) = bool_word(s) {
        return Plain::Bool(b);
    }
    if let Some(i) = int(s) {
        return i;
    }
    if let Some(f) = float(s) {
        return Plain::Float(f);
    }
    Plain::Text
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

/// SnakeYAML INT: `[-+]?0b[01_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
/// | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`.
fn int(s: &str) -> Option<Plain> {
    let (neg, body) = split_sign(s);
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(d) = body.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = body.strip_prefix("0x") {
        (16, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else if body.contains(':') {
        // SnakeYAML tags `1:30` as an int, Jackson then reads it as text
        return None;
    } else {
        if body.starts_with('_') {
            return None;
        }
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c == '_' || c.is_digit(radix)) {
        return None;
    }
    let mut value: Option<i128> = Some(0);
    let mut any = false;
    for c in digits.chars().filter(|&c| c != '_') {
        any = true;
        let d = c.to_digit(radix)? as i128;
        value = value
            .and_then(|v| v.checked_mul(radix as i128))
            .and_then(|v| v.checked_add(d));
    }
    if !any {
        // `0b_`, `0x__`: SnakeYAML's regex matches, Java then fails to parse it: text.
        return None;
    }
    Some(match value {
        Some(v) => Plain::Int(if neg { -v } else { v }),
        None => Plain::BigInt,
    })
}

/// SnakeYAML 2 FLOAT: `[-+]?(\.[0-9]+|[0-9_]+(\.[0-9_]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF)
/// | \.(nan|NaN|NAN)` (the sexagesimal form is left out: nobody writes `1:30.5` as a timeout).
fn float(s: &str) -> Option<f64> {
    match s {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let (_, body) = split_sign(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    if let Some(e) = exponent {
        let (_, digits) = split_sign(e);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let ok_mantissa = if let Some(frac) = mantissa.strip_prefix('.') {
        !frac.is_empty() && frac.chars().all(|c| c.is_ascii_digit())
    } else {
        let (int_part, frac) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
            None => (mantissa, None),
        };
        // `08` is no int (not octal), but the float pattern takes it: 8.0
        int_part.chars().any(|c| c.is_ascii_digit())
            && int_part.chars().all(|c| c.is_ascii_digit() || c == '_')
            && frac.is_none_or(|f| f.chars().all(|c| c.is_ascii_digit() || c == '_'))
    };
    if !ok_mantissa {
        return None;
    }
    s.replace('_', "").parse::<f64>().ok()
}

/// Jackson's matcher for an explicit `!!bool`: y/n, yes/no, on/off, true/false in any case.
fn tagged_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "y" | "yes" | "on" | "true" => Some(true),
        "n" | "no" | "off" | "false" => Some(false),
        _ => None,
    }
}

/// How the server's reader types a scalar, from its style, tag and text.
pub fn jackson_type(s: &Scalar) -> Plain {
    match s.tag {
        Tag::None if s.style.is_plain() => resolve_plain(&s.value),
        // quoted (or block) scalars are text
        Tag::None => Plain::Text,
        Tag::Null => Plain::Null,
        Tag::Bool => tagged_bool(&s.value).map_or(Plain::Text, Plain::Bool),
        Tag::Int if s.value.is_empty() => Plain::Null,
        Tag::Int => int(&s.value).unwrap_or(Plain::Text),
        Tag::Float if s.value.is_empty() => Plain::Null,
        Tag::Float => float(&s.value).map_or(Plain::Text, Plain::Float),
        Tag::Str | Tag::Other => Plain::Text,
    }
}

/// Jackson's `BooleanDeserializer` for text (a quoted or tagged value): only the true/false
/// spellings, trimmed; blank or "null" is null (`Some(None)`); anything else fails (`None`).
pub fn text_bool(s: &str) -> Option<Option<bool>> {
    match s.trim() {
        "true" | "True" | "TRUE" => Some(Some(true)),
        "false" | "False" | "FALSE" => Some(Some(false)),
        "" | "null" => Some(None),
        _ => None,
    }
}

/// `s` as a double-quoted YAML scalar (what a fix writes for a value of any characters).
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` as an item of a flow sequence: plain when YAML reads it back as the same text, else
/// double-quoted.
pub fn flow_item(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.contains([',', '[', ']', '{', '}', '#', ':', '\n', '\t'])
        && !s.ends_with(' ')
        && matches!(resolve_plain(s), Plain::Text)
        && bool_word(s).is_none();
    if plain {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_typing() {
        assert_eq!(resolve_plain("yes"), Plain::Bool(true));
        assert_eq!(resolve_plain("Off"), Plain::Bool(false));
        assert_eq!(resolve_plain("y"), Plain::Text);
        assert_eq!(resolve_plain("yEs"), Plain::Text);
        assert_eq!(resolve_plain("010"), Plain::Int(8));
        assert_eq!(resolve_plain("0x10"), Plain::Int(16));
        assert_eq!(resolve_plain("0b101"), Plain::Int(5));
        assert_eq!(resolve_plain("1_000"), Plain::Int(1000));
        assert_eq!(resolve_plain("-5"), Plain::Int(-5));
        assert_eq!(resolve_plain("1:30"), Plain::Text);
        assert_eq!(resolve_plain("1e3"), Plain::Float(1000.0));
        assert_eq!(resolve_plain("0.5"), Plain::Float(0.5));
        assert_eq!(resolve_plain(".5"), Plain::Float(0.5));
        assert_eq!(resolve_plain("1."), Plain::Float(1.0));
        assert_eq!(resolve_plain("~"), Plain::Null);
        assert_eq!(resolve_plain("PT5S"), Plain::Text);
        assert_eq!(resolve_plain("5s"), Plain::Text);
        assert_eq!(resolve_plain("08"), Plain::Float(8.0));
        assert_eq!(
            resolve_plain("99999999999999999999999999999999999999999"),
            Plain::BigInt
        );
        assert!(matches!(resolve_plain(".inf"), Plain::Float(f) if f.is_infinite()));
    }
}
