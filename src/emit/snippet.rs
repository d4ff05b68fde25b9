//! Source snippets for human output: the lines a diagnostic's labels mark, with the marks under
//! them. Secret values are shown as `****`, control characters visibly (`\u{1b}`), tabs as four
//! spaces, and a long line only as a window around its marks (with `…` where it is cut), so a
//! 16 MiB one-line file costs a few hundred bytes per diagnostic. Columns are counted in display
//! width, so marks stay under their text with wide characters too.

use super::text::{display_width, escape_char, is_unsafe};
use crate::emit::text::{ceil_char, floor_char};
use crate::secrets::MASK;
use crate::source::{SourceFile, Span};

/// Bytes shown around the marks of a long line.
const WINDOW: usize = 100;

pub struct Mark {
    pub span: Span,
    pub primary: bool,
    pub message: Option<String>,
}

pub struct Style {
    pub color: bool,
}

struct ShownLine {
    number: usize,
    text: String,
    /// (start column, width, primary, message) of each mark on this line.
    marks: Vec<(usize, usize, bool, Option<String>)>,
    /// Marks too far away on a long line to be shown in its window: (primary, where and what).
    far: Vec<(bool, String)>,
}

/// The masked region holding `offset`, if any (`masks` sorted and disjoint).
fn mask_at(masks: &[Span], offset: usize) -> Option<Span> {
    let i = masks.partition_point(|m| m.start <= offset);
    i.checked_sub(1)
        .map(|i| masks[i])
        .filter(|m| offset < m.end)
}

/// Render the window `[from, to)` of a line; returns the text and a column lookup for offsets.
fn render(text: &str, from: usize, to: usize, masks: &[Span]) -> (String, Vec<(usize, usize)>) {
    let mut out = String::new();
    // (byte offset, display column) at each rendered step, for mark positions
    let mut cols: Vec<(usize, usize)> = Vec::new();
    let mut col = 0;
    let mut i = from;
    while i < to {
        cols.push((i, col));
        if let Some(m) = mask_at(masks, i) {
            out.push_str(MASK);
            col += MASK.len();
            i = m.end.min(to).max(i + 1);
            i = ceil_char(text, i);
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c == '\t' {
            out.push_str("    ");
        } else if is_unsafe(c) {
            out.push_str(&escape_char(c));
        } else {
            out.push(c);
        }
        col += display_width(c);
        i += c.len_utf8();
    }
    cols.push((to, col));
    (out, cols)
}

fn column(cols: &[(usize, usize)], offset: usize) -> usize {
    let i = cols.partition_point(|(o, _)| *o <= offset);
    i.checked_sub(1).map_or(0, |i| cols[i].1)
}

/// The snippet lines of one diagnostic in `src` (its host file when embedded).
pub fn snippet(src: &SourceFile, masks: &[Span], marks: &[Mark], style: &Style) -> Vec<String> {
    if src.text.trim().is_empty() || marks.is_empty() {
        return Vec::new();
    }
    let text = src.text.as_str();
    let lines = &src.lines;
    // which lines to show: each mark's first line, and the line before the primary mark
    let mut wanted: Vec<usize> = marks.iter().map(|m| lines.line_of(m.span.start)).collect();
    if let Some(p) = marks.iter().find(|m| m.primary) {
        let l = lines.line_of(p.span.start);
        if l > 0 && !text[lines.line_range(text, l - 1)].trim().is_empty() {
            wanted.push(l - 1);
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    // the window of the primary mark's line, reused for context lines so they stay aligned
    let mut shown: Vec<ShownLine> = Vec::new();
    let mut last_window: Option<(usize, usize)> = None;
    for &l in &wanted {
        let range = lines.line_range(text, l);
        let mut on_line: Vec<&Mark> = marks
            .iter()
            .filter(|m| lines.line_of(m.span.start) == l)
            .collect();
        // on a long line, marks far from the primary one (or the first) get no window of their
        // own: they are named by their column below (one window spanning both would print the
        // line between them, a megabyte for a one-line config)
        let mut far: Vec<&Mark> = Vec::new();
        if range.len() > 2 * WINDOW + 40
            && let Some(anchor) = on_line
                .iter()
                .find(|m| m.primary)
                .or(on_line.first())
                .map(|m| m.span.start)
        {
            let (near, away): (Vec<&Mark>, Vec<&Mark>) = on_line
                .iter()
                .partition(|m| m.span.start.abs_diff(anchor) <= 2 * WINDOW);
            on_line = near;
            far = away;
        }
        let (from, to) = if range.len() <= 2 * WINDOW + 40 {
            (range.start, range.end)
        } else if let (Some(lo), Some(hi)) = (
            on_line.iter().map(|m| m.span.start).min(),
            on_line.iter().map(|m| m.span.start).max(),
        ) {
            let from = floor_char(text, lo.saturating_sub(WINDOW).max(range.start));
            let to = ceil_char(text, (hi + WINDOW).min(range.end));
            (from, to)
        } else {
            // a context line: the columns of the line below it
            let (a, b) = last_window.unwrap_or((0, 2 * WINDOW));
            let from = floor_char(text, (range.start + a).min(range.end));
            let to = ceil_char(text, (range.start + b).min(range.end));
            (from, to)
        };
        last_window = Some((from - range.start, to - range.start));
        let (mut body, cols) = render(text, from, to, masks);
        let lead = if from > range.start { "…" } else { "" };
        if to < range.end {
            body.push('…');
        }
        let shift = usize::from(!lead.is_empty());
        let mut line_marks = Vec::new();
        for m in on_line {
            let start = m.span.start.clamp(from, to);
            let end = m.span.end.min(range.end).clamp(start, to);
            let c0 = column(&cols, start);
            let c1 = if end > start {
                // a mark ending inside a masked value covers the mask
                match mask_at(masks, end.saturating_sub(1)) {
                    Some(_) => column(&cols, end.saturating_sub(1)) + MASK.len(),
                    None => column(&cols, end),
                }
            } else {
                c0 + 1
            };
            line_marks.push((
                c0 + shift,
                c1.max(c0 + 1) - c0,
                m.primary,
                m.message.clone(),
            ));
        }
        line_marks.sort_by_key(|m| m.0);
        let far = far
            .iter()
            .map(|m| {
                let at = src.pos(m.span.start);
                let what = m.message.as_deref().unwrap_or("also");
                (m.primary, format!("{what} at {}:{}", at.line, at.column))
            })
            .collect();
        shown.push(ShownLine {
            number: l + 1,
            text: format!("{lead}{body}"),
            marks: line_marks,
            far,
        });
    }
    let gutter = shown.last().map_or(1, |s| s.number.to_string().len());
    let pad = " ".repeat(gutter);
    let paint = |s: &str, primary: bool| -> String {
        if !style.color {
            return s.to_string();
        }
        use owo_colors::OwoColorize;
        if primary {
            s.red().bold().to_string()
        } else {
            s.blue().bold().to_string()
        }
    };
    let bar = paint("|", false);
    let mut out = vec![format!("{pad} {bar}")];
    let mut previous: Option<usize> = None;
    for s in &shown {
        if previous.is_some_and(|p| s.number > p + 1) {
            out.push(format!("{pad} {}", paint(":", false)));
        }
        previous = Some(s.number);
        let number = paint(&format!("{:>gutter$}", s.number), false);
        out.push(format!("{number} {bar} {}", s.text).trim_end().to_string());
        for (col, width, primary, message) in &s.marks {
            let ch = if *primary { "^" } else { "-" };
            let marker = paint(&ch.repeat((*width).clamp(1, 2 * WINDOW)), *primary);
            let msg = message
                .as_deref()
                .map(|m| format!(" {}", paint(&super::clip(m), *primary)))
                .unwrap_or_default();
            out.push(format!("{pad} {bar} {}{marker}{msg}", " ".repeat(*col)));
        }
        for (primary, what) in &s.far {
            let ch = if *primary { "^" } else { "-" };
            out.push(format!(
                "{pad} {bar} {} {}",
                paint(ch, *primary),
                paint(&super::clip(what), *primary)
            ));
        }
    }
    out.push(format!("{pad} {bar}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceKind;

    fn plain(text: &str, masks: &[Span], marks: &[Mark]) -> String {
        let src = SourceFile::new("t", SourceKind::File, text.to_string());
        snippet(&src, masks, marks, &Style { color: false }).join("\n")
    }

    fn mark(start: usize, end: usize, message: &str) -> Mark {
        Mark {
            span: Span::new(start, end),
            primary: true,
            message: Some(message.to_string()),
        }
    }

    #[test]
    fn marks_under_the_value_with_tabs_and_wide_characters() {
        let text = "a:\n\tb: 😀 x\n";
        let x = text.find('x').unwrap_or(0);
        let out = plain(text, &[], &[mark(x, x + 1, "here")]);
        assert_eq!(
            out,
            "  |\n1 | a:\n2 |     b: 😀 x\n  |           ^ here\n  |"
        );
    }

    #[test]
    fn secrets_are_masked_and_controls_escaped() {
        let text = "p: 'hunter2'\nq: \u{1b}[2J\n";
        let out = plain(
            text,
            &[Span::new(4, 11)],
            &[
                mark(4, 11, "secret"),
                Mark {
                    span: Span::new(16, 17),
                    primary: false,
                    message: None,
                },
            ],
        );
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("p: '****'"), "{out}");
        assert!(out.contains("\\u{1b}[2J"), "{out}");
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn long_lines_are_windowed() {
        let text = format!("{{{}x: 1}}", "a: 1, ".repeat(20_000));
        let x = text.find('x').unwrap_or(0);
        let out = plain(&text, &[], &[mark(x, x + 1, "here")]);
        assert!(out.len() < 600, "{}", out.len());
        assert!(out.contains('…'));
        let lines: Vec<&str> = out.lines().collect();
        let code = lines[1];
        let caret = lines[2];
        let at = caret.find('^').unwrap_or(0);
        assert_eq!(code.chars().nth(at), Some('x'), "{out}");
    }
}
