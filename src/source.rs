//! Sources and positions: the texts we check, byte spans into them, and the mapping from a byte
//! offset to the 1-based line and character column a user sees. Checks only ever hold byte spans;
//! turning them into lines and columns happens here, once, when a report is emitted.

use std::ops::Range;

/// Index of a source in a [`SourceDb`].
pub type FileId = usize;

/// A byte range in one source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A 1-based line and 1-based column counted in characters (a tab is one character).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One input text, already decoded to UTF-8 with any byte-order mark removed.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// Byte offset of the start of every line; a line ends at `\n` (so CRLF lines keep their `\r`).
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(line_breaks(&text));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// Line and character column of a byte offset (clamped to the text and to a char boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line.saturating_sub(1)];
        let column = self.text[start..offset].chars().count() + 1;
        Position { line, column }
    }

    /// Start and end position of a span; the end is exclusive, as in the JSON output contract.
    pub fn range(&self, span: Span) -> (Position, Position) {
        (self.position(span.start), self.position(span.end))
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based line `index` starts; `None` past the last line.
    pub fn line_start(&self, index: usize) -> Option<usize> {
        self.line_starts.get(index).copied()
    }
}

fn line_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

/// All sources of one run.
#[derive(Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        self.files.len() - 1
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate()
    }
}

/// Converts the parser's character indices into byte offsets. Parser events arrive in document
/// order, so a cursor that walks forward (and rarely back) costs O(n) over a whole file; pure
/// ASCII text needs no walking at all.
pub struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    char_pos: usize,
    byte_pos: usize,
}

impl<'a> CharToByte<'a> {
    pub fn new(text: &'a str) -> Self {
        CharToByte {
            text,
            ascii: text.is_ascii(),
            char_pos: 0,
            byte_pos: 0,
        }
    }

    pub fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        while self.char_pos < char_index {
            match self.text[self.byte_pos..].chars().next() {
                Some(c) => {
                    self.byte_pos += c.len_utf8();
                    self.char_pos += 1;
                }
                None => break,
            }
        }
        while self.char_pos > char_index {
            match self.text[..self.byte_pos].chars().next_back() {
                Some(c) => {
                    self.byte_pos -= c.len_utf8();
                    self.char_pos -= 1;
                }
                None => break,
            }
        }
        self.byte_pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_crlf_keeps_lines() {
        let f = SourceFile::new("t", "a: 1\r\nä\tb: x\n".to_string());
        let x = f.text.find('x').unwrap_or(0);
        assert_eq!(f.position(x), Position { line: 2, column: 6 });
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        assert_eq!(f.position(f.text.len()), Position { line: 3, column: 1 });
    }

    #[test]
    fn char_to_byte_walks_both_ways() {
        let text = "äöü: x";
        let mut c = CharToByte::new(text);
        assert_eq!(c.byte(5), 8);
        assert_eq!(c.byte(1), 2);
        assert_eq!(c.byte(100), text.len());
    }
}
