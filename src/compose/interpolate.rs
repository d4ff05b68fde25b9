//! Docker compose's own interpolation, which happens before the container sees a value:
//! `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`,
//! `${VAR:+alternative}`, `${VAR+alternative}` and `$$` (a literal `$`), as compose-go's
//! `template` package does it: names are `[_A-Za-z][_A-Za-z0-9]*`, defaults nest, a `${` that
//! is not a valid expression is an error, and a `$` followed by anything else stays as written.
//!
//! The result keeps its source map: text outside expressions is copied with its segments, and
//! each expression becomes one inexact segment pointing at the whole `${...}` as written, so a
//! diagnostic about a substituted value points at the expression. What compose would warn
//! about or refuse is returned as [`Finding`]s with inner ranges; the caller reports them.

use super::embed::{Mapped, copy_segments};
use crate::source::{OffsetMap, Segment, Span};
use std::ops::Range;

/// A variable's value as compose looks it up: the environment of `docker compose`, then `.env`.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// `$name` or `${name}` of a variable that is not set: compose substitutes an empty string.
    Unset { name: String, braced: bool },
    /// `${name:?msg}` or `${name?msg}` of a variable not set (or empty): compose refuses to start.
    Required {
        name: String,
        message: String,
        empty_ok: bool,
    },
    /// `${` that is not an expression compose understands (or nested deeper than we follow):
    /// compose refuses to start.
    Invalid,
    /// The value grows beyond [`MAX_VALUE`] (values referring to each other): not followed.
    TooLarge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The expression, in the text given to [`interpolate`].
    pub range: Range<usize>,
}

/// What one `$` starts.
enum Expr<'t> {
    /// `$$`
    Escaped,
    Named(&'t str),
    Braced {
        name: &'t str,
        /// The operator and the text after it (`:-`, `default`), when there is one.
        op: Option<(&'static str, Range<usize>)>,
    },
    Invalid,
}

fn name_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count(),
        _ => 0,
    }
}

/// The expression starting at `text[at] == '$'` and its end, or `None` for a literal `$`.
fn parse(text: &str, at: usize) -> Option<(Expr<'_>, usize)> {
    let bytes = text.as_bytes();
    match bytes.get(at + 1)? {
        b'$' => Some((Expr::Escaped, at + 2)),
        b'{' => {
            let start = at + 2;
            let n = name_len(&bytes[start..]);
            // compose's pattern does not reach past the end of the line (searched only as far
            // as needed: a line of 100,000 expressions stays linear)
            let invalid = || {
                let end = text[at..]
                    .find(['}', '\n'])
                    .filter(|i| bytes[at + i] == b'}')
                    .map_or(at + 2, |i| at + i + 1);
                Some((Expr::Invalid, end))
            };
            if n == 0 {
                return invalid();
            }
            let name = &text[start..start + n];
            let after = start + n;
            if bytes.get(after) == Some(&b'}') {
                return Some((Expr::Braced { name, op: None }, after + 1));
            }
            const OPS: [&str; 6] = [":?", ":-", ":+", "?", "-", "+"];
            let Some(op) = OPS.iter().find(|op| text[after..].starts_with(**op)) else {
                return invalid();
            };
            // `${A:-x` without any `}` on the line is invalid too
            let Some(close) = closing_brace(text, at).filter(|c| *c >= after + op.len()) else {
                return invalid();
            };
            Some((
                Expr::Braced {
                    name,
                    op: Some((op, after + op.len()..close)),
                },
                close + 1,
            ))
        }
        b if b.is_ascii_alphabetic() || *b == b'_' => {
            let n = name_len(&bytes[at + 1..]);
            Some((Expr::Named(&text[at + 1..at + 1 + n]), at + 1 + n))
        }
        _ => None,
    }
}

/// The `}` closing the `${` at `at`: braces nest (`${A:-${B}}`); without a matching one, the last
/// `}` of the line, as compose's greedy pattern takes it.
fn closing_brace(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = at;
    let line_end = loop {
        if i >= bytes.len() || bytes[i] == b'\n' {
            break i;
        }
        match bytes[i] {
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            b'{' => {
                depth += 1;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    };
    text[at..line_end].rfind('}').map(|i| at + i)
}

/// Deepest nesting of defaults (`${A:-${B:-...}}`): compose has no limit, a hostile file could
/// nest them ten thousand deep.
const MAX_NESTING: usize = 32;
/// Bytes one interpolation may produce: values referring to each other (`A=${B}${B}` in `.env`)
/// could grow without end.
pub const MAX_VALUE: usize = 1024 * 1024;
/// Findings one interpolation reports at most.
const MAX_FINDINGS: usize = 1000;

/// What an interpolation carries along: how deep it is in nested defaults, and how many bytes it
/// may still produce.
struct Ctx<'l, 'f> {
    lookup: Lookup<'l>,
    findings: &'f mut Vec<Finding>,
    depth: usize,
    budget: usize,
}

impl Ctx<'_, '_> {
    /// Account for `n` more bytes of output; false (and a finding) when the budget is spent.
    fn spend(&mut self, n: usize, range: &Range<usize>) -> bool {
        if n > self.budget {
            if self.budget != usize::MAX {
                self.findings.push(Finding {
                    kind: FindingKind::TooLarge,
                    range: range.clone(),
                });
            }
            // report once
            self.budget = 0;
            return false;
        }
        self.budget -= n;
        true
    }
}

/// Expand `text[range]` (a default, alternative or message, or the whole value), collecting
/// findings with ranges in `text`.
fn expand(text: &str, range: Range<usize>, cx: &mut Ctx) -> String {
    let mut out = String::new();
    if cx.depth >= MAX_NESTING {
        cx.findings.push(Finding {
            kind: FindingKind::Invalid,
            range,
        });
        return out;
    }
    cx.depth += 1;
    let mut i = range.start;
    let mut run = i;
    while let Some(rel) = text[i..range.end].find('$') {
        let at = i + rel;
        let Some((expr, end)) = parse(&text[..range.end], at) else {
            i = at + 1;
            continue;
        };
        let v = value(text, &expr, at..end, cx);
        if !cx.spend(at - run + v.len(), &(at..end)) {
            cx.depth -= 1;
            return out;
        }
        out.push_str(&text[run..at]);
        out.push_str(&v);
        i = end;
        run = end;
    }
    if cx.spend(range.end - run, &(run..range.end)) {
        out.push_str(&text[run..range.end]);
    }
    cx.depth -= 1;
    out
}

/// The value of one expression.
fn value(text: &str, expr: &Expr, range: Range<usize>, cx: &mut Ctx) -> String {
    let lookup = cx.lookup;
    let unset = |name: &str, braced: bool, findings: &mut Vec<Finding>| {
        // one value with a million `$word`s: the first findings say it all
        if findings.len() >= MAX_FINDINGS {
            return String::new();
        }
        findings.push(Finding {
            kind: FindingKind::Unset {
                name: name.to_string(),
                braced,
            },
            range: range.clone(),
        });
        String::new()
    };
    match expr {
        Expr::Escaped => "$".to_string(),
        Expr::Invalid => {
            cx.findings.push(Finding {
                kind: FindingKind::Invalid,
                range,
            });
            String::new()
        }
        Expr::Named(name) => lookup(name).unwrap_or_else(|| unset(name, false, cx.findings)),
        Expr::Braced { name, op: None } => {
            lookup(name).unwrap_or_else(|| unset(name, true, cx.findings))
        }
        Expr::Braced {
            name,
            op: Some((op, arg)),
        } => {
            let v = lookup(name);
            let empty = v.as_deref().is_none_or(str::is_empty);
            match *op {
                ":-" if empty => expand(text, arg.clone(), cx),
                "-" if v.is_none() => expand(text, arg.clone(), cx),
                ":+" if !empty => expand(text, arg.clone(), cx),
                "+" if v.is_some() => expand(text, arg.clone(), cx),
                ":+" | "+" => v.unwrap_or_default(),
                ":?" | "?" if (*op == ":?" && empty) || v.is_none() => {
                    let message = expand(text, arg.clone(), cx);
                    cx.findings.push(Finding {
                        kind: FindingKind::Required {
                            name: name.to_string(),
                            message,
                            empty_ok: *op == "?",
                        },
                        range,
                    });
                    String::new()
                }
                _ => v.unwrap_or_default(),
            }
        }
    }
}

/// Interpolate a value as compose does, keeping its map; what compose would warn about or
/// refuse comes with the host span of its expression.
pub fn interpolate(value: Mapped, lookup: Lookup) -> (Mapped, Vec<(Span, Finding)>) {
    let text = &value.text;
    let mut findings = Vec::new();
    if !text.contains('$') {
        return (value, Vec::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut segments: Vec<Segment> = Vec::new();
    let mut i = 0;
    let mut run = 0;
    let mut cx = Ctx {
        lookup,
        findings: &mut findings,
        depth: 0,
        budget: MAX_VALUE.max(text.len()),
    };
    while let Some(rel) = text[i..].find('$') {
        let at = i + rel;
        let Some((expr, end)) = parse(text, at) else {
            i = at + 1;
            continue;
        };
        copy_segments(value.segments(), run..at, out.len(), &mut segments);
        out.push_str(&text[run..at]);
        let mut v = self::value(text, &expr, at..end, &mut cx);
        if !cx.spend(v.len(), &(at..end)) {
            v.clear();
        }
        if !v.is_empty() {
            let host = value.host_span(at..end);
            segments.push(Segment {
                inner_start: out.len(),
                inner_end: out.len() + v.len(),
                host_start: host.start,
                host_end: host.end,
                exact: false,
            });
            out.push_str(&v);
        }
        i = end;
        run = end;
    }
    copy_segments(value.segments(), run..text.len(), out.len(), &mut segments);
    out.push_str(&text[run..]);
    let findings = findings
        .into_iter()
        .map(|f: Finding| (value.host_span(f.range.clone()), f))
        .collect();
    (
        Mapped {
            text: out,
            map: OffsetMap::new(segments, value.host())
                .with_encoding(value.map.encoding(), value.map.interpolated()),
            faithful: value.faithful,
        },
        findings,
    )
}

/// The operator texts (default, alternative, message) of every `${NAME<op>...}` in `text` whose
/// variable's name is secret-like (as the secrets layer judges names), with the name: what
/// compose substitutes for a secret variable is as secret as its value, and so is the text it
/// comes from. Nested ones too (`${A:-${DB_PASSWORD:-x}}`); `$${...}` is literal.
pub fn secret_args(text: &str) -> Vec<(String, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(rel) = text.get(i..).and_then(|t| t.find('$')) {
        let at = i + rel;
        i = at + 1;
        match bytes.get(at + 1) {
            Some(b'$') => i = at + 2,
            Some(b'{') => {
                let n = name_len(&bytes[at + 2..]);
                let name = &text[at + 2..at + 2 + n];
                if n == 0 || !crate::secrets::names::is_scalar_secret_name(name) {
                    continue;
                }
                // past a secret's expression (what nests in it is masked with it), or, when it
                // is not one compose reads, past its line: each byte is looked at once or twice
                match parse(text, at) {
                    Some((Expr::Braced { op, .. }, end)) => {
                        if let Some((_, arg)) = op {
                            out.push((name.to_string(), arg));
                        }
                        i = end;
                    }
                    _ => {
                        let from = at + 2 + n;
                        let end = text[from..].find('\n').map_or(text.len(), |e| from + e);
                        out.push((name.to_string(), from..end));
                        i = end;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Interpolate a plain string (a `.env` value), without a map.
pub fn interpolate_str(text: &str, lookup: Lookup) -> (String, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut cx = Ctx {
        lookup,
        findings: &mut findings,
        depth: 0,
        budget: MAX_VALUE.max(text.len()),
    };
    let out = expand(text, 0..text.len(), &mut cx);
    (out, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn env(name: &str) -> Option<String> {
        match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            "host" => Some("h".into()),
            _ => None,
        }
    }

    fn run(text: &str) -> (String, Vec<FindingKind>) {
        let (s, f) = interpolate_str(text, &env);
        (s, f.into_iter().map(|f| f.kind).collect())
    }

    #[test]
    fn every_form() {
        let rows: [(&str, &str); 22] = [
            ("a$SET", "avalue"),
            ("a${SET}b", "avalueb"),
            ("${UNSET:-d}", "d"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${UNSET-d}", "d"),
            ("${SET:-d}", "value"),
            ("${SET:+alt}", "alt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("${SET:?no}", "value"),
            ("${EMPTY?no}", ""),
            ("$$SET", "$SET"),
            ("$${SET}", "${SET}"),
            ("pa$$word", "pa$word"),
            ("a$1b", "a$1b"),
            ("a$", "a$"),
            ("a $ b", "a $ b"),
            ("${UNSET:-${SET}}x", "valuex"),
            ("${UNSET:-${ALSO:-deep}}", "deep"),
            ("$host:8443", "h:8443"),
        ];
        for (text, want) in rows {
            assert_eq!(run(text).0, want, "{text}");
            assert!(run(text).1.is_empty(), "{text}: {:?}", run(text).1);
        }
    }

    #[test]
    fn findings() {
        assert_eq!(
            run("pa$word").1,
            vec![FindingKind::Unset {
                name: "word".into(),
                braced: false
            }]
        );
        assert_eq!(run("${NOPE}").0, "");
        assert!(
            matches!(run("${NOPE:?set it}").1[0], FindingKind::Required { ref message, .. } if message == "set it")
        );
        assert!(matches!(
            run("${EMPTY:?x}").1[0],
            FindingKind::Required { .. }
        ));
        assert_eq!(run("${1x}").1, vec![FindingKind::Invalid]);
        assert_eq!(run("a${").1, vec![FindingKind::Invalid]);
        assert_eq!(run("${A:-x\n}").1, vec![FindingKind::Invalid]);
        assert_eq!(run("${A B}").1, vec![FindingKind::Invalid]);
    }

    #[test]
    fn secret_variables_operator_texts() {
        let text = "a ${DB_PASSWORD:-dflt} ${HOST:-h} ${X_TOKEN:+alt} ${API_KEY?msg} $${PASSWORD:-lit} ${A:-${MY_SECRET-in}}";
        let found = secret_args(text);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|(n, r)| (n.as_str(), &text[r.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("DB_PASSWORD", "dflt"),
                ("X_TOKEN", "alt"),
                ("API_KEY", "msg"),
                ("MY_SECRET", "in"),
            ]
        );
        // not an expression compose reads: the rest of its line
        assert_eq!(
            secret_args("${PASSWORD:-x\ny"),
            [("PASSWORD".to_string(), 10..13)]
        );
    }

    #[test]
    fn substituted_text_maps_to_the_expression() {
        // host "  V: x${SET}y" with the value written literally at 6
        let host = "  V: x${SET}y";
        let m = Mapped::literal("x${SET}y", 5);
        let (out, f) = interpolate(m, &env);
        assert!(f.is_empty());
        assert_eq!(out.text, "xvaluey");
        let v = out.host_span(1..6);
        assert_eq!(&host[v.range()], "${SET}");
        assert_eq!(&host[out.host_span(6..7).range()], "y");
        assert_eq!(out.host_span(0..1), Span::new(5, 6));
    }
}
