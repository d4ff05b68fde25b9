//! The fix of `yaml-tab-indentation` (beside its rule in `syntax`): tabs become spaces. A tab
//! that indents is replaced, on its line and on every later line indented with tabs, by the
//! indentation the structure needs: the first such line goes under the line above it (one step
//! deeper when that line opens a block with `key:` or `-`), and each tab counts one step of
//! the file's own indentation (the smallest it uses, else 2). A tab between tokens becomes one
//! space. The result is checked again by `check --fix` and rolled back if it does not parse.

use crate::diag::{Applicability, Edit, Fix};
use crate::source::Span;

/// Lines of `text`: (start, end without the line break).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        let body = l.trim_end_matches('\n').trim_end_matches('\r');
        out.push((at, at + body.len()));
        at += l.len();
    }
    out
}

fn leading(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Whether the line is blank or only a comment (it says nothing of the structure).
fn silent(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    t.is_empty() || t.starts_with('#')
}

/// The file's indentation step: the smallest positive indentation of a space-indented line.
fn step(text: &str) -> usize {
    text.lines()
        .filter(|l| !silent(l))
        .map(leading)
        .filter(|w| !w.contains('\t'))
        .map(str::len)
        .filter(|n| *n > 0)
        .min()
        .unwrap_or(2)
}

/// Columns of leading whitespace, a tab counting `step`.
fn width(w: &str, step: usize) -> usize {
    w.chars().map(|c| if c == '\t' { step } else { 1 }).sum()
}

/// The fix for the tab at `at` of `text`.
pub fn tab_fix(text: &str, at: usize) -> Option<Fix> {
    if text.as_bytes().get(at) != Some(&b'\t') {
        return None;
    }
    let all = lines(text);
    let i = all.iter().position(|(s, e)| *s <= at && at <= *e)?;
    let (start, end) = all[i];
    let line = &text[start..end];
    let lead = leading(line);
    if at >= start + lead.len() {
        // between tokens: one space
        return Some(Fix::replace(
            Applicability::Safe,
            "replace the tab with a space",
            Span::new(at, at + 1),
            " ",
        ));
    }
    let step = step(text);
    // the line above that says something: where this one goes
    let above = all[..i]
        .iter()
        .rev()
        .map(|(s, e)| &text[*s..*e])
        .find(|l| !silent(l));
    let target = match above {
        None => 0,
        Some(a) => {
            let aw = width(leading(a), step);
            let body = a.trim();
            let body = body.split(" #").next().unwrap_or(body).trim_end();
            if body.ends_with(':') || body == "-" || body.ends_with(": |") || body.ends_with(": >")
            {
                aw + step
            } else {
                aw
            }
        }
    };
    let offset = target as isize - width(lead, step) as isize;
    let mut edits = vec![Edit::replace(
        Span::new(start, start + lead.len()),
        " ".repeat(target),
    )];
    for &(s, e) in &all[i + 1..] {
        let l = &text[s..e];
        let w = leading(l);
        if silent(l) || !w.contains('\t') {
            continue;
        }
        let n = (width(w, step) as isize + offset).max(0) as usize;
        edits.push(Edit::replace(Span::new(s, s + w.len()), " ".repeat(n)));
    }
    Some(Fix {
        description: crate::secrets::Text::from("indent with spaces instead of tabs"),
        applicability: Applicability::Safe,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> String {
        let at = text.find('\t').unwrap_or(0);
        let fix = tab_fix(text, at).expect("a fix");
        let mut out = text.to_string();
        for e in fix.edits.iter().rev() {
            out.replace_range(e.span.range(), &e.replacement);
        }
        out
    }

    #[test]
    fn tabs_become_the_indentation_the_structure_needs() {
        assert_eq!(
            fixed("a:\n\tb: 1\n\tc:\n\t\td: 2\n"),
            "a:\n  b: 1\n  c:\n    d: 2\n"
        );
        assert_eq!(
            fixed("a:\n    b: 1\n    c:\n\tx: 2\n"),
            "a:\n    b: 1\n    c:\n        x: 2\n"
        );
        assert_eq!(fixed("a:\tb\n"), "a: b\n");
        assert_eq!(fixed("a:\r\n\tb: 1\r\n"), "a:\r\n  b: 1\r\n");
    }
}
