//! Byte offset → 1-based line and column, computed the way the server's YAML 1.1 parser counts:
//! a line ends at LF, CR, CR LF, NEL, LS or PS (a file with CR-only line endings has many lines,
//! not one). Columns are
//! available in characters (what an editor's "column" shows; a tab or `ä` is one) and in UTF-16
//! code units (SARIF's default). Lookups cost O(log lines) plus a scan of at most one checkpoint
//! interval, so a 16 MiB one-line file with a million diagnostics stays linear overall.

/// Distance between checkpoints of the running character count (non-ASCII text only).
const CHECKPOINT: usize = 4096;

/// A 1-based position. `column` counts characters, `column_utf16` UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub column_utf16: usize,
}

#[derive(Debug, Default)]
pub struct LineIndex {
    /// Byte offset where each line starts (4 bytes each: inputs are capped far below 4 GiB, and
    /// 16 MiB of blank lines are 16 million lines).
    starts: Vec<u32>,
    /// For non-ASCII text: (characters, UTF-16 units) before byte `i * CHECKPOINT`.
    checkpoints: Option<Vec<(usize, usize)>>,
}

/// Characters and UTF-16 units in a byte slice that may start or end inside a character:
/// counting lead bytes works at any offset.
fn count(bytes: &[u8]) -> (usize, usize) {
    let mut chars = 0;
    let mut wide = 0;
    for &b in bytes {
        if b & 0xC0 != 0x80 {
            chars += 1;
        }
        if b >= 0xF0 {
            wide += 1;
        }
    }
    (chars, chars + wide)
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // room for every line at once (no doubling of a large index); NEL, LS and PS are rare
        let breaks = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
        let mut starts: Vec<u32> = Vec::with_capacity(breaks + 1);
        starts.push(0);
        let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let ascii = text.is_ascii();
        if ascii && !text.contains('\r') {
            // the common case: LF only, found with memchr
            let mut from = 0;
            while let Some(i) = text[from..].find('\n') {
                from += i + 1;
                starts.push(at(from));
            }
            return LineIndex {
                starts,
                checkpoints: None,
            };
        }
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(at(i + 1)),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(at(i + 2));
                    i += 1;
                }
                b'\r' => starts.push(at(i + 1)),
                // NEL (C2 85), LS and PS (E2 80 A8/A9): line breaks in YAML 1.1
                0xC2 if bytes.get(i + 1) == Some(&0x85) => {
                    starts.push(at(i + 2));
                    i += 1;
                }
                0xE2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
                {
                    starts.push(at(i + 3));
                    i += 2;
                }
                _ => {}
            }
            i += 1;
        }
        let checkpoints = (!ascii).then(|| {
            let mut cps = Vec::with_capacity(bytes.len() / CHECKPOINT + 1);
            let mut total = (0, 0);
            for chunk in bytes.chunks(CHECKPOINT) {
                cps.push(total);
                let (c, u) = count(chunk);
                total = (total.0 + c, total.1 + u);
            }
            cps.push(total);
            cps
        });
        LineIndex {
            starts,
            checkpoints,
        }
    }

    /// Number of lines (a text ending in a line break has an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// 0-based index of the line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s as usize <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based line `index` starts.
    pub fn line_start(&self, index: usize) -> Option<usize> {
        self.starts.get(index).map(|&s| s as usize)
    }

    /// The byte range of 0-based line `index`, without its line break.
    pub fn line_range(&self, text: &str, index: usize) -> std::ops::Range<usize> {
        let start = self.line_start(index).unwrap_or(text.len());
        let next = self.line_start(index + 1).unwrap_or(text.len());
        let bytes = text.as_bytes();
        let mut end = next;
        if end >= start + 3
            && bytes[end - 3] == 0xE2
            && bytes[end - 2] == 0x80
            && matches!(bytes[end - 1], 0xA8 | 0xA9)
        {
            return start..end - 3;
        }
        if end >= start + 2 && bytes[end - 2] == 0xC2 && bytes[end - 1] == 0x85 {
            return start..end - 2;
        }
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// Characters and UTF-16 units before `offset`.
    fn units_before(&self, text: &str, offset: usize) -> (usize, usize) {
        match &self.checkpoints {
            None => (offset, offset),
            Some(cps) => {
                let k = offset / CHECKPOINT;
                let base = cps.get(k).copied().unwrap_or_default();
                let (c, u) = count(&text.as_bytes()[k * CHECKPOINT..offset]);
                (base.0 + c, base.1 + u)
            }
        }
    }

    /// Position of a byte offset (clamped to the text and to a character boundary).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line).unwrap_or(0);
        let (c0, u0) = self.units_before(text, start);
        let (c1, u1) = self.units_before(text, offset);
        Pos {
            line: line + 1,
            column: c1 - c0 + 1,
            column_utf16: u1 - u0 + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(idx: &LineIndex, text: &str, at: usize) -> (usize, usize, usize) {
        let q = idx.pos(text, at);
        (q.line, q.column, q.column_utf16)
    }

    #[test]
    fn breaks_are_lf_cr_and_crlf() {
        let text = "a\r\nb\rc\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.lines(), 4);
        assert_eq!(p(&idx, text, 3), (2, 1, 1));
        assert_eq!(p(&idx, text, 5), (3, 1, 1));
        assert_eq!(p(&idx, text, 7), (4, 1, 1));
        assert_eq!(idx.line_range(text, 0), 0..1);
        assert_eq!(idx.line_range(text, 1), 3..4);
        assert_eq!(idx.line_range(text, 3), 7..8);
    }

    #[test]
    fn yaml_1_1_breaks_nel_ls_ps() {
        let text = "a\u{85}b\u{2028}c\u{2029}d";
        let idx = LineIndex::new(text);
        assert_eq!(idx.lines(), 4);
        assert_eq!(idx.line_range(text, 0), 0..1);
        assert_eq!(p(&idx, text, text.find('d').unwrap_or(0)), (4, 1, 1));
    }

    #[test]
    fn columns_in_chars_and_utf16() {
        let text = "x: ä😀\tz\n";
        let idx = LineIndex::new(text);
        let z = text.find('z').unwrap_or(0);
        assert_eq!(p(&idx, text, z), (1, 7, 8));
        // inside a multi-byte character: its start
        assert_eq!(p(&idx, text, 4), (1, 4, 4));
    }

    #[test]
    fn long_non_ascii_line_uses_checkpoints() {
        let text = "ä".repeat(10_000) + "x";
        let idx = LineIndex::new(&text);
        assert_eq!(p(&idx, &text, text.len() - 1), (1, 10_001, 10_001));
    }
}
