//! Fixes on disk: a rule's [`Fix`] edits bytes of the diagnostic's own source; here they become
//! edits of the file on disk ([`host_edits`]), which for a config embedded in a compose file
//! means mapping each edit through the source's offset map and re-encoding the replacement for
//! the scalar that holds the config (a block's indentation, a double-quoted string's escapes, a
//! single-quoted one's `''`, compose's `$$`). Where no exact mapping exists the fix is not
//! offered, and the reason says why. [`apply`] splices edits into a text; `run` drives
//! `check --fix` (apply, check again, roll back what breaks), `write` replaces a file atomically,
//! `unwritten` reports a file whose fixes could not be written as it is on disk,
//! and `diff` renders `--diff`.

pub mod diff;
pub mod run;
pub mod unwritten;
pub mod write;

use crate::diag::Fix;
use crate::secrets::Text;
use crate::source::{Encoding, FileId, Segment, SourceDb, SourceKind, Span};

/// One replacement in a file on disk (a compose file for an embedded config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEdit {
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
}

/// The edits of `fix` (on `file`, the diagnostic's source) in the file they are written in.
/// `Err` says why they cannot be mapped exactly.
pub fn host_edits(db: &SourceDb, file: FileId, fix: &Fix) -> Result<Vec<HostEdit>, Text> {
    let src = db.get(file);
    match &src.kind {
        SourceKind::File | SourceKind::Stdin { .. } => Ok(fix
            .edits
            .iter()
            .map(|e| HostEdit {
                file,
                span: e.span,
                replacement: line_endings(&src.text, e.span.start, &e.replacement),
            })
            .collect()),
        SourceKind::EnvVar => Err(Text::from(
            "the config comes from the environment variable, not from a file",
        )),
        SourceKind::Environment => Err(Text::from("the environment is not a file")),
        SourceKind::Embedded { host, map } => {
            let host_src = db.get(*host);
            if !matches!(host_src.kind, SourceKind::File | SourceKind::Stdin { .. }) {
                return Err(Text::from("the config is not written in a file"));
            }
            let mut out = Vec::with_capacity(fix.edits.len());
            for e in &fix.edits {
                let span = host_span(map.segments(), &src.text, e.span, map.encoding())?;
                let replacement = encode(
                    &host_src.text,
                    span,
                    &src.text,
                    e.span,
                    &e.replacement,
                    map.encoding(),
                    map.interpolated(),
                    map.host_value(),
                )?;
                out.push(HostEdit {
                    file: *host,
                    span,
                    replacement,
                });
            }
            Ok(out)
        }
    }
}

/// `text` with `edits` (of one file) applied: sorted by position, never overlapping.
pub fn apply(text: &str, edits: &[HostEdit]) -> Result<String, Text> {
    let mut sorted: Vec<&HostEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.span.start < at {
            return Err(Text::from("two fixes change the same text"));
        }
        let (Some(before), true) = (text.get(at..e.span.start), e.span.end <= text.len()) else {
            return Err(Text::from("a fix lies outside the text"));
        };
        if !text.is_char_boundary(e.span.end) {
            return Err(Text::from("a fix splits a character"));
        }
        out.push_str(before);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    Ok(out)
}

/// Whether two sets of edits touch the same bytes (two insertions at one place count).
pub fn overlaps(a: &[HostEdit], b: &[HostEdit]) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| {
            x.file == y.file
                && x.span.start < y.span.end.max(y.span.start + 1)
                && y.span.start < x.span.end.max(x.span.start + 1)
        })
    })
}

/// `replacement`'s line breaks as the line at `at` of `text` ends (CRLF files stay CRLF).
fn line_endings(text: &str, at: usize, replacement: &str) -> String {
    if !replacement.contains('\n') || !crlf_at(text, at) {
        return replacement.to_string();
    }
    replacement.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Whether the line holding `at` ends in CRLF (or, at the very end, the line before did).
fn crlf_at(text: &str, at: usize) -> bool {
    let at = crate::source::floor_char(text, at);
    match text[at..].find('\n') {
        Some(i) => text[..at + i].ends_with('\r'),
        None => text[..at].trim_end_matches('\n').contains("\r\n") && text.ends_with("\r\n"),
    }
}

/// The host span of the inner `span`: it must lie in exact segments; between two of them only
/// a literal block's line breaks may stand (the host's indentation is then replaced too).
fn host_span(
    segments: &[Segment],
    inner: &str,
    span: Span,
    encoding: Encoding,
) -> Result<Span, Text> {
    if encoding == Encoding::Unknown {
        return Err(Text::from(
            "the config's text in this file is not mapped byte for byte",
        ));
    }
    // the segment holding the start (an insertion may sit at a segment's end)
    let i = segments.partition_point(|s| s.inner_start <= span.start);
    let first = i
        .checked_sub(1)
        .filter(|&k| span.start <= segments[k].inner_end)
        .ok_or_else(|| Text::from("the fix changes text the compose value does not write"))?;
    // the segment holding the end
    let j = segments.partition_point(|s| s.inner_start < span.end.max(span.start + 1));
    let last = j.checked_sub(1).unwrap_or(first).max(first);
    if span.end > segments[last].inner_end {
        return Err(Text::from(
            "the fix changes text the compose value does not write",
        ));
    }
    for k in first..=last {
        if !segments[k].exact {
            return Err(Text::from(
                "the fix changes text the compose file writes as an escape or an interpolation",
            ));
        }
        if k > first {
            let gap = inner
                .get(segments[k - 1].inner_end..segments[k].inner_start)
                .unwrap_or("");
            if !matches!(encoding, Encoding::Literal { .. }) || gap.bytes().any(|b| b != b'\n') {
                return Err(Text::from(
                    "the fix crosses a line break the compose value folds",
                ));
            }
        }
    }
    let at = |s: &Segment, inner: usize| s.host_start + (inner - s.inner_start);
    Ok(Span::new(
        at(&segments[first], span.start),
        at(&segments[last], span.end.max(segments[last].inner_start)),
    ))
}

/// `replacement` (inner text) as the host must write it at `host` to be read back as it.
#[allow(clippy::too_many_arguments)]
fn encode(
    host_text: &str,
    host: Span,
    inner: &str,
    inner_span: Span,
    replacement: &str,
    encoding: Encoding,
    interpolated: bool,
    value: Span,
) -> Result<String, Text> {
    if replacement.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']) {
        return Err(Text::from(
            "the replacement holds a line break YAML rewrites",
        ));
    }
    let r = if interpolated {
        replacement.replace('$', "$$")
    } else {
        replacement.to_string()
    };
    let multi_line = host_text
        .get(value.range())
        .is_some_and(|v| v.contains('\n'));
    // blanks at a line's start or end in a flow scalar are folding, not text
    let at_line_edge = || {
        let before = &host_text[..host.start];
        let after = &host_text[host.end..];
        let line_before = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
        let line_after = &after[..after.find('\n').unwrap_or(after.len())];
        line_before.trim_matches([' ', '\t']).is_empty()
            || line_after
                .trim_end_matches('\r')
                .trim_matches([' ', '\t'])
                .is_empty()
    };
    let edge_blanks = r.starts_with([' ', '\t']) || r.ends_with([' ', '\t']);
    match encoding {
        Encoding::Unknown => Err(Text::from(
            "the config's text in this file is not mapped byte for byte",
        )),
        Encoding::Literal { indent } => Ok(literal(host_text, host, &r, indent)),
        Encoding::Folded { .. } => {
            let line_start = inner_span.start == 0 || inner[..inner_span.start].ends_with('\n');
            let touches_spaced = line_start
                && (r.starts_with([' ', '\t'])
                    || inner[inner_span.end..].starts_with([' ', '\t']) && r.is_empty());
            if r.contains('\n') || touches_spaced {
                Err(Text::from(
                    "the config is a folded block scalar (`>`) in the compose file: the fix would move its line breaks; write it as a literal block (`|`) to have it fixed",
                ))
            } else {
                Ok(r)
            }
        }
        Encoding::DoubleQuoted => Ok(double_quoted(&r, multi_line)),
        Encoding::SingleQuoted => {
            if r.contains('\n') {
                return Err(Text::from(
                    "the fix adds a line break to a single-quoted compose value, which would need reflowing",
                ));
            }
            if multi_line && edge_blanks && at_line_edge() {
                return Err(Text::from(
                    "the fix puts blanks at a line's edge of a multi-line compose value, where they fold away",
                ));
            }
            Ok(r.replace('\'', "''"))
        }
        Encoding::Plain => {
            let unsafe_plain = r.contains('\n')
                || r.contains(": ")
                || r.contains(" #")
                || r.ends_with(':')
                || (host.start == value.start && r.starts_with(PLAIN_INDICATORS));
            if unsafe_plain || (multi_line && edge_blanks && at_line_edge()) {
                return Err(Text::from(
                    "the replacement cannot be written in this plain (unquoted) compose value",
                ));
            }
            Ok(r)
        }
    }
}

/// Characters a plain scalar cannot start with.
const PLAIN_INDICATORS: &[char] = &[
    '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
];

/// A literal block's replacement: each line break followed by the block's indentation (not on
/// a line left empty), in the host's line endings.
fn literal(host_text: &str, host: Span, r: &str, indent: usize) -> String {
    let eol = if crlf_at(host_text, host.start) {
        "\r\n"
    } else {
        "\n"
    };
    let rest_of_line_empty = host_text[host.end..]
        .split('\n')
        .next()
        .is_none_or(|l| l.trim_end_matches('\r').is_empty());
    let pad = " ".repeat(indent);
    let mut out = String::with_capacity(r.len() + indent);
    let mut lines = r.split('\n').peekable();
    let mut first = true;
    while let Some(line) = lines.next() {
        if !first {
            out.push_str(eol);
            let last = lines.peek().is_none();
            if !(line.is_empty() && (!last || rest_of_line_empty)) {
                out.push_str(&pad);
            }
        }
        out.push_str(line);
        first = false;
    }
    out
}

/// `r` as the inside of a double-quoted scalar: escapes for `\`, `"`, controls and line breaks;
/// in a multi-line value, blanks at its edges escaped too (they could fold away).
fn double_quoted(r: &str, multi_line: bool) -> String {
    let mut out = String::with_capacity(r.len() + 2);
    let n = r.chars().count();
    for (i, c) in r.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' ' if multi_line && (i == 0 || i + 1 == n) => out.push_str("\\ "),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
