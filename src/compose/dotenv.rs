//! `.env` files as docker compose reads them (compose-go's `dotenv` parser): the `.env` beside
//! the compose file (or `--env-file`) for interpolation, and a service's `env_file:` for its
//! container. `KEY=value` or `KEY: value`, `export KEY=value`, `#` comments; an unquoted value
//! ends at the line (a ` #` starts a comment) and is interpolated; a single-quoted value is
//! taken as written; a double-quoted one may span lines, decodes `\n`-style escapes and is
//! interpolated; `KEY` alone takes the variable from the environment of `docker compose`.
//! Each value keeps where it is written, for diagnostics about it.

use super::embed::Mapped;
use super::interpolate::{Finding, Lookup, interpolate};
use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Var {
    pub name: String,
    pub name_span: Span,
    /// The value as decoded (before interpolation); `None`: `KEY` alone, from the environment.
    pub value: Option<Mapped>,
    /// Unquoted and double-quoted values are interpolated, single-quoted ones are not.
    pub interpolated: bool,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r')
}

/// The line number (1-based) of `offset`, for error messages.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parse a `.env` file; `Err` says why compose would refuse it (with the line).
pub fn parse(text: &str) -> Result<Vec<Var>, String> {
    let bytes = text.as_bytes();
    let mut vars = Vec::new();
    // a UTF-8 byte order mark is skipped, as compose-go skips it
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    loop {
        // the next statement: skip blanks, line breaks and comment lines
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'\n') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        if bytes[i] == b'#' {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        if text[i..].starts_with("export") && bytes.get(i + 6).is_some_and(|b| is_space(*b)) {
            i += 6;
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
        }
        let key_start = i;
        let mut sep = None;
        while i < bytes.len() {
            let b = bytes[i];
            if matches!(b, b'=' | b':' | b'\n') {
                sep = Some(b);
                break;
            }
            let c = text[i..].chars().next().unwrap_or(' ');
            if !(is_space(b) || c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']')) {
                return Err(format!(
                    "line {}: unexpected character `{c}` in a variable name",
                    line_of(text, i)
                ));
            }
            i += c.len_utf8();
        }
        let name = text[key_start..i].trim_end_matches(|c: char| c.is_whitespace());
        if name.contains(' ') {
            return Err(format!(
                "line {}: a variable name cannot contain a space",
                line_of(text, key_start)
            ));
        }
        let name_span = Span::new(key_start, key_start + name.len());
        if sep.is_none_or(|s| s == b'\n') {
            i += 1;
            if !name.is_empty() {
                vars.push(Var {
                    name: name.to_string(),
                    name_span,
                    value: None,
                    interpolated: false,
                });
            }
            continue;
        }
        i += 1;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let (value, interpolated, next) = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => quoted(text, i, q)?,
            _ => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                let mut v = &text[i..end];
                if let Some(c) = v.find(" #") {
                    v = &v[..c];
                }
                let v = v.trim_end();
                (Mapped::literal(v, i), true, end)
            }
        };
        vars.push(Var {
            name: name.to_string(),
            name_span,
            value: Some(value),
            interpolated,
        });
        i = next;
    }
    Ok(vars)
}

/// A quoted value from the quote at `at`: the value, whether it is interpolated, where the
/// statement ends.
fn quoted(text: &str, at: usize, q: u8) -> Result<(Mapped, bool, usize), String> {
    let bytes = text.as_bytes();
    let mut chars = String::new();
    let mut escape = false;
    let mut plain = true;
    let mut i = at + 1;
    while i < bytes.len() {
        let c = text[i..].chars().next().unwrap_or('\0');
        let n = c.len_utf8();
        if bytes[i] != q {
            if !escape && c == '\\' {
                escape = true;
                plain = false;
                i += n;
                continue;
            }
            if escape {
                escape = false;
                chars.push('\\');
            }
            chars.push(c);
            i += n;
            continue;
        }
        if escape {
            escape = false;
            chars.push(c);
            i += n;
            continue;
        }
        let host = Span::new(at, i + 1);
        let value = if q == b'"' {
            expand_escapes(&chars)
        } else {
            chars
        };
        let mapped = if plain {
            Mapped::literal(&value, at + 1)
        } else {
            Mapped::whole(value, host)
        };
        return Ok((mapped, q == b'"', i + 1));
    }
    Err(format!(
        "line {}: unterminated quoted value",
        line_of(text, at)
    ))
}

/// The escapes of a double-quoted value: `\a \b \f \n \r \t \v \\ \"`, octal `\0NNN`, and `\$`,
/// which stays a literal `$` through interpolation (as `$$`).
fn expand_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.peek().copied() {
            Some(e @ ('a' | 'b' | 'c' | 'f' | 'n' | 'r' | 't' | 'v' | '"' | '\\')) => {
                it.next();
                out.push(match e {
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'v' => '\u{b}',
                    other => other,
                });
            }
            Some('$') => {
                it.next();
                out.push_str("$$");
            }
            Some('0') => {
                it.next();
                let mut digits = String::new();
                while digits.len() < 3 && it.peek().is_some_and(|d| d.is_digit(8)) {
                    digits.extend(it.next());
                }
                match u32::from_str_radix(if digits.is_empty() { "0" } else { &digits }, 8)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\0");
                        out.push_str(&digits);
                    }
                }
            }
            _ => out.push('\\'),
        }
    }
    out
}

/// Parse an `env_file:` of `format: raw` as compose-go does: one `KEY=value` a line, the value
/// everything after the first `=` as written (no quotes removed, no escapes, no `#` comment, no
/// interpolation), `KEY` alone from the environment; blank lines and `#` lines skipped, a
/// line's leading blanks and its `\r` ignored. `Err` says why compose would refuse it.
pub fn parse_raw(text: &str) -> Result<Vec<Var>, String> {
    let mut vars = Vec::new();
    let mut at = if text.starts_with('\u{feff}') { 3 } else { 0 };
    for (n, line) in text[at..].split('\n').enumerate() {
        let start = at;
        at += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let body = line.trim_start_matches([' ', '\t']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let key_start = start + (line.len() - body.len());
        let (name, value) = match body.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (body, None),
        };
        if name.is_empty() {
            return Err(format!("line {}: no variable name", n + 1));
        }
        if name.contains(char::is_whitespace) {
            return Err(format!(
                "line {}: a variable name cannot contain a blank",
                n + 1
            ));
        }
        vars.push(Var {
            name: name.to_string(),
            name_span: Span::new(key_start, key_start + name.len()),
            value: value.map(|v| Mapped::literal(v, key_start + name.len() + 1)),
            interpolated: false,
        });
    }
    Ok(vars)
}

/// A variable's value, interpolated as compose does it: `lookup` (the environment of `docker
/// compose`) first, then the variables read before it in the same file.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub name: String,
    pub name_span: Span,
    pub value: Mapped,
    /// What compose would warn about or refuse, at the expression in the file.
    pub findings: Vec<(Span, Finding)>,
}

/// Bytes all values of one file may take together: values refer to each other, and a hostile
/// file could double its size line by line.
const MAX_TOTAL: usize = 16 * 1024 * 1024;

pub fn resolve(vars: &[Var], lookup: Lookup) -> Vec<Resolved> {
    let mut out: Vec<Resolved> = Vec::new();
    let mut total = 0usize;
    // the value of each variable read so far (a later one replaces an earlier one)
    let mut values: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for v in vars {
        let (value, findings) = match &v.value {
            None => match lookup(&v.name) {
                Some(val) => (Mapped::whole(val, v.name_span), Vec::new()),
                None => continue,
            },
            Some(m) if v.interpolated => {
                let earlier = |name: &str| lookup(name).or_else(|| values.get(name).cloned());
                interpolate(m.clone(), &earlier)
            }
            Some(m) => (m.clone(), Vec::new()),
        };
        total = total.saturating_add(value.text.len());
        if total > MAX_TOTAL {
            out.push(Resolved {
                name: v.name.clone(),
                name_span: v.name_span,
                value: Mapped::whole(String::new(), v.name_span),
                findings: vec![(
                    v.name_span,
                    super::interpolate::Finding {
                        kind: super::interpolate::FindingKind::TooLarge,
                        range: 0..0,
                    },
                )],
            });
            break;
        }
        values.insert(v.name.clone(), value.text.clone());
        out.push(Resolved {
            name: v.name.clone(),
            name_span: v.name_span,
            value,
            findings,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, String)> {
        let vars = parse(text).unwrap_or_else(|e| panic!("{e}"));
        resolve(&vars, &|n: &str| {
            (n == "FROM_ENV").then(|| "env".to_string())
        })
        .into_iter()
        .map(|r| (r.name, r.value.text))
        .collect()
    }

    #[test]
    fn raw_values_are_taken_as_written() {
        let text = "# c\n  A=\"q\" # not a comment\r\n\tB=${X:-d}\\n\nC\nD=a=b\n";
        let vars = parse_raw(text).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(&str, Option<&str>)> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_ref().map(|m| m.text.as_str())))
            .collect();
        assert_eq!(
            got,
            [
                ("A", Some("\"q\" # not a comment")),
                ("B", Some("${X:-d}\\n")),
                ("C", None),
                ("D", Some("a=b"))
            ]
        );
        assert!(vars.iter().all(|v| !v.interpolated));
        // where each value is written
        let a = &vars[0];
        assert_eq!(&text[a.name_span.range()], "A");
        let m = a.value.as_ref().map(|m| m.host());
        assert_eq!(m.map(|h| &text[h.range()]), Some("\"q\" # not a comment"));
        assert_eq!(
            parse_raw("B C=1\n").err().as_deref(),
            Some("line 1: a variable name cannot contain a blank")
        );
        assert_eq!(
            parse_raw("\n=v\n").err().as_deref(),
            Some("line 2: no variable name")
        );
    }

    #[test]
    fn the_forms_compose_reads() {
        let text = "# comment\nA=1\nexport B = two words # comment\nC='lit $A \\n'\nD=\"x\\ny $A\"\nE: ${A}-$FROM_ENV\nFROM_ENV\nF=\"multi\nline\"\nG=pa$$word\r\n";
        let v = values(text);
        let get = |k: &str| v.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("1"));
        assert_eq!(get("B"), Some("two words"));
        assert_eq!(get("C"), Some("lit $A \\n"));
        assert_eq!(get("D"), Some("x\ny 1"));
        assert_eq!(get("E"), Some("1-env"));
        assert_eq!(get("FROM_ENV"), Some("env"));
        assert_eq!(get("F"), Some("multi\nline"));
        assert_eq!(get("G"), Some("pa$word"));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let text = "\u{feff}A=1\nB=2\n";
        assert_eq!(
            values(text),
            [("A".into(), "1".into()), ("B".into(), "2".into())]
        );
        let vars = parse(text).unwrap_or_default();
        assert_eq!(&text[vars[0].name_span.range()], "A");
    }

    #[test]
    fn spans_of_plain_values() {
        let text = "A=1\nPW=secret # c\n";
        let vars = parse(text).unwrap_or_default();
        let pw = vars[1].value.as_ref().map(|m| m.host()).unwrap_or_default();
        assert_eq!(&text[pw.range()], "secret");
    }

    #[test]
    fn errors() {
        assert!(parse("A B=1\n").is_err());
        assert!(parse("A=\"open\n").is_err());
        assert!(parse("A!=1\n").is_err());
    }
}
