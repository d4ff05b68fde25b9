//! The Markdown of the code docs (rules' `docs`, docs/probe-codes.md) rendered for a terminal:
//! headings, `**bold**`, `` `code` ``, fenced code blocks indented, paragraphs and list items
//! wrapped. Styled (bold, colour) only when asked for (`--explain-code` on a terminal without
//! `NO_COLOR`); plain otherwise, where inline code keeps its backticks, but no `**` or ```
//! fence is ever printed. Only the small subset the docs use is read; the text is the tool's
//! own, not input.

use owo_colors::OwoColorize;
use unicode_width::UnicodeWidthStr;

/// Columns paragraphs are wrapped at.
pub const WIDTH: usize = 80;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Style {
    bold: bool,
    code: bool,
}

/// A piece of text in one style.
type Piece = (String, Style);

/// `md` for a terminal.
pub fn render(md: &str, styled: bool) -> String {
    let mut out = String::new();
    let mut paragraph: Option<(String, String)> = None; // (first prefix, text)
    let mut in_fence = false;
    let flush = |paragraph: &mut Option<(String, String)>, out: &mut String| {
        if let Some((prefix, text)) = paragraph.take() {
            let indent = " ".repeat(prefix.width());
            out.push_str(&wrap(
                &inline(&text, styled),
                styled,
                &prefix,
                &indent,
                WIDTH,
            ));
        }
    };
    for line in md.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(&mut paragraph, &mut out);
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            let code = format!("    {line}");
            let code = code.trim_end();
            if styled {
                out.push_str(&code.cyan().to_string());
            } else {
                out.push_str(code);
            }
            out.push('\n');
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut paragraph, &mut out);
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            continue;
        }
        if let Some(heading) = heading(trimmed) {
            flush(&mut paragraph, &mut out);
            let pieces: Vec<Piece> = inline(heading, styled)
                .into_iter()
                .map(|(t, s)| (t, Style { bold: true, ..s }))
                .collect();
            out.push_str(&wrap(&pieces, styled, "", "", WIDTH));
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            flush(&mut paragraph, &mut out);
            paragraph = Some(("- ".to_string(), item.to_string()));
            continue;
        }
        match &mut paragraph {
            Some((_, text)) => {
                text.push(' ');
                text.push_str(trimmed);
            }
            None => paragraph = Some((String::new(), trimmed.to_string())),
        }
    }
    flush(&mut paragraph, &mut out);
    // one line break at the end, however the text ended
    let end = out.trim_end_matches('\n').len();
    out.truncate(end);
    out.push('\n');
    out
}

/// The text of a `#`, `##` or `###` heading.
fn heading(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    ((1..=6).contains(&level) && rest.starts_with(' ')).then(|| rest.trim())
}

/// One line of inline Markdown as it is shown, not wrapped.
pub fn render_inline(text: &str, styled: bool) -> String {
    inline(text, styled)
        .iter()
        .map(|(t, s)| paint(t, *s, styled))
        .collect()
}

/// The pieces of inline Markdown: `**bold**` and `` `code` `` (plain: with its backticks).
fn inline(text: &str, styled: bool) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut style = Style::default();
    let mut current = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !style.code && rest.starts_with("**") {
            if !current.is_empty() {
                pieces.push((std::mem::take(&mut current), style));
            }
            style.bold = !style.bold;
            rest = &rest[2..];
            continue;
        }
        if c == '`' {
            if !style.code && !current.is_empty() {
                pieces.push((std::mem::take(&mut current), style));
            }
            if !styled {
                current.push('`');
            }
            if style.code {
                pieces.push((std::mem::take(&mut current), style));
            }
            style.code = !style.code;
            rest = &rest[1..];
            continue;
        }
        current.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !current.is_empty() {
        pieces.push((current, style));
    }
    pieces
}

fn paint(text: &str, s: Style, styled: bool) -> String {
    match (styled, s.bold, s.code) {
        (false, _, _) | (true, false, false) => text.to_string(),
        (true, true, false) => text.bold().to_string(),
        (true, false, true) => text.cyan().to_string(),
        (true, true, true) => text.cyan().bold().to_string(),
    }
}

/// Pieces wrapped at `width` columns: the first line after `prefix`, the others after `indent`.
/// A word longer than a whole line stays where it is (a URL after `Online:`): breaking
/// before it would not make it fit.
fn wrap(pieces: &[Piece], styled: bool, prefix: &str, indent: &str, width: usize) -> String {
    // words: runs of pieces between spaces
    let mut words: Vec<Vec<Piece>> = vec![Vec::new()];
    for (text, style) in pieces {
        let mut parts = text.split(' ').peekable();
        while let Some(part) = parts.next() {
            if !part.is_empty()
                && let Some(w) = words.last_mut()
            {
                w.push((part.to_string(), *style));
            }
            if parts.peek().is_some() {
                words.push(Vec::new());
            }
        }
    }
    // lines of pieces; a space between two words of one style takes that style
    let mut lines: Vec<Vec<Piece>> = vec![vec![(prefix.to_string(), Style::default())]];
    let mut column = prefix.width();
    let mut first = true;
    for word in words.iter().filter(|w| !w.is_empty()) {
        let w: usize = word.iter().map(|(t, _)| t.width()).sum();
        let fits_alone = indent.width() + w <= width;
        let Some(line) = lines.last_mut() else { break };
        if !first && column + 1 + w > width && fits_alone {
            lines.push(vec![(indent.to_string(), Style::default())]);
            column = indent.width();
        } else if !first {
            let before = line.last().map(|p| p.1).unwrap_or_default();
            let after = word.first().map(|p| p.1).unwrap_or_default();
            let style = if before == after {
                before
            } else {
                Style::default()
            };
            line.push((" ".to_string(), style));
            column += 1;
        }
        if let Some(line) = lines.last_mut() {
            line.extend(word.iter().cloned());
        }
        column += w;
        first = false;
    }
    let mut out = String::new();
    for line in lines {
        // adjacent pieces of one style painted as one
        let mut merged: Vec<Piece> = Vec::new();
        for (t, st) in line {
            match merged.last_mut() {
                Some((text, last)) if *last == st => text.push_str(&t),
                _ => merged.push((t, st)),
            }
        }
        for (t, st) in merged {
            out.push_str(&paint(&t, st, styled));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "**What:** A `connect-timeout` that is wrong.\n\nBad:\n\n```yaml\n  connect-timeout: 5s\n```\n\n### `code`\n\n- `a`: one\n  two\n";

    #[test]
    fn plain_has_no_markup_but_backticks() {
        let out = render(DOC, false);
        assert_eq!(
            out,
            "What: A `connect-timeout` that is wrong.\n\nBad:\n\n      connect-timeout: 5s\n\n`code`\n\n- `a`: one two\n"
        );
    }

    #[test]
    fn styled_bolds_and_colours_without_markup() {
        let out = render(DOC, true);
        assert!(
            !out.contains("**") && !out.contains("```") && !out.contains('`'),
            "{out}"
        );
        assert!(out.contains(&"What:".bold().to_string()), "{out}");
        assert!(out.contains(&"connect-timeout".cyan().to_string()), "{out}");
    }

    #[test]
    fn paragraphs_wrap_within_the_width() {
        let long = "word ".repeat(40);
        let out = render(&format!("- {long}"), false);
        assert!(out.lines().all(|l| l.width() <= WIDTH), "{out}");
        assert!(
            out.lines().skip(1).all(|l| l.starts_with("  word")),
            "{out}"
        );
    }
}
