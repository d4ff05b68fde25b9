//! Positions as LSP counts them (0-based lines, UTF-16 code units) against byte offsets of a
//! document's text, and the edits of `didChange` (full and incremental) applied to it.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// The byte offset of `pos` in `text`: a character past the line's end clamps to the end of
/// the line (as the protocol asks), a line past the end to the end of the text.
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    // a `\r` before the `\n` is part of the line ending, not a character to stand after
    let content_end = if text[line_start..line_end].ends_with('\r') {
        line_end - 1
    } else {
        line_end
    };
    let mut units = 0u32;
    for (i, c) in text[line_start..content_end].char_indices() {
        if units >= pos.character {
            return line_start + i;
        }
        units += c.len_utf16() as u32;
    }
    content_end
}

/// The position of byte offset `at` (clamped to a character boundary of `text`).
pub fn position(text: &str, at: usize) -> Position {
    let at = crate::source::floor_char(text, at.min(text.len()));
    let before = &text[..at];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(character).unwrap_or(u32::MAX),
    )
}

pub fn range(text: &str, start: usize, end: usize) -> Range {
    Range::new(position(text, start), position(text, end))
}

/// Apply one `didChange` event: a range replaces that range, none the whole text.
pub fn apply_change(text: &mut String, change: &TextDocumentContentChangeEvent) {
    match change.range {
        Some(r) => {
            let start = offset(text, r.start);
            let end = offset(text, r.end).max(start);
            text.replace_range(start..end, &change.text);
        }
        None => *text = change.text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs_and_clamp() {
        let t = "a: 😀x\r\nbé: y\n";
        // 😀 is two UTF-16 units
        assert_eq!(offset(t, Position::new(0, 5)), "a: 😀".len());
        assert_eq!(position(t, "a: 😀".len()), Position::new(0, 5));
        // past the line's end: before the \r\n
        assert_eq!(offset(t, Position::new(0, 99)), "a: 😀x".len());
        assert_eq!(offset(t, Position::new(1, 1)), "a: 😀x\r\nb".len());
        assert_eq!(offset(t, Position::new(9, 0)), t.len());
    }

    #[test]
    fn incremental_change_replaces_its_range() {
        let mut t = String::from("x: 1\ny: 2\n");
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(1, 3), Position::new(1, 4))),
            range_length: None,
            text: "22".into(),
        };
        apply_change(&mut t, &change);
        assert_eq!(t, "x: 1\ny: 22\n");
    }
}
