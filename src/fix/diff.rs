//! `check --diff`: a unified diff of each fixed file, every line shown through the redactor of
//! the text it comes from (a removed line through the original's masks, an added line through
//! the fixed text's), so a line touching a secret value shows it as `****`.

use crate::secrets::Redactor;
use crate::source::{FileId, Span};
use similar::{ChangeTag, TextDiff};

/// Byte spans of the lines of `text` (each with its line break).
fn line_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        out.push(Span::new(at, at + l.len()));
        at += l.len();
    }
    out
}

/// The line at `line` (with its break) of a redactor's file as a diff shows it: masked, but its
/// line break and leading blanks kept, so a line inside a multi-line secret stays a line at its
/// indentation (`      ****`) and only the file's real last line can lack a break.
fn shown_line((r, file): (&Redactor, FileId), line: Span) -> String {
    let raw = r.db().get(file).text.get(line.range()).unwrap_or_default();
    let body = raw
        .strip_suffix('\n')
        .map_or(raw, |b| b.strip_suffix('\r').unwrap_or(b));
    let indent = body.len() - body.trim_start_matches([' ', '\t']).len();
    let mut out = String::with_capacity(raw.len());
    out.push_str(&body[..indent]);
    if body.len() > indent {
        let content = Span::new(line.start + indent, line.start + body.len());
        out.push_str(&r.shown_slice(file, content));
    }
    out.push_str(&raw[body.len()..]);
    out
}

/// The diff of `old` (file `old.1` of its redactor's sources) to `new`, named `name`.
pub fn unified(name: &str, old: (&Redactor, FileId), new: (&Redactor, FileId)) -> String {
    let old_text = &old.0.db().get(old.1).text;
    let new_text = &new.0.db().get(new.1).text;
    let (old_lines, new_lines) = (line_spans(old_text), line_spans(new_text));
    // bounded: past the deadline the diff is approximate (larger hunks), never a hang
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(500))
        .diff_lines(old_text.as_str(), new_text.as_str());
    let mut out = format!("--- {name}\n+++ {name}\n");
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o, n) = (
            first.old_range().start..last.old_range().end,
            first.new_range().start..last.new_range().end,
        );
        let at = |r: &std::ops::Range<usize>| if r.is_empty() { r.start } else { r.start + 1 };
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            at(&o),
            o.len(),
            at(&n),
            n.len()
        ));
        for op in &group {
            for change in diff.iter_changes(op) {
                let (sign, line) = match change.tag() {
                    ChangeTag::Delete => (
                        '-',
                        change
                            .old_index()
                            .and_then(|i| old_lines.get(i))
                            .map(|s| shown_line(old, *s)),
                    ),
                    ChangeTag::Insert => (
                        '+',
                        change
                            .new_index()
                            .and_then(|i| new_lines.get(i))
                            .map(|s| shown_line(new, *s)),
                    ),
                    ChangeTag::Equal => (
                        ' ',
                        change
                            .old_index()
                            .and_then(|i| old_lines.get(i))
                            .map(|s| shown_line(old, *s)),
                    ),
                };
                let line = line.unwrap_or_default();
                out.push(sign);
                out.push_str(&line);
                if !line.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}
