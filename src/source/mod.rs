//! Sources and positions: the texts we check, byte spans into them, and the one resolver that
//! turns a span into the file, line and column a user sees. Checks only ever hold byte spans;
//! lines and columns are computed here, late, for every output format alike. A source knows its
//! kind: a file, standard input, the config variable, the `<environment>` pseudo-source of the
//! `DEFAULT_*` variables, or text embedded in another source, whose spans are relocated into the
//! host (see `embed`).

pub mod embed;
pub mod lines;

pub use embed::{Encoding, OffsetMap, Segment};
pub use lines::{LineIndex, Pos};

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

/// Where a source's text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A file; its name is the path as given.
    File,
    /// Standard input (`<stdin>`, or the name given with `--stdin-filename`, then `named`).
    Stdin { named: bool },
    /// The value of `$DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG`.
    EnvVar,
    /// The `<environment>` pseudo-source: one `NAME=value` line per `DEFAULT_*` variable.
    Environment,
    /// Text decoded from a value of another source (a config inside a compose file).
    Embedded { host: FileId, map: OffsetMap },
}

/// One text, decoded to UTF-8 with any byte-order mark removed.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub kind: SourceKind,
    pub text: String,
    pub lines: LineIndex,
    /// Spans of secret values, masked wherever this text is shown.
    pub secrets: Vec<Span>,
    /// What the text scan for secrets found (`emit::mask`), when it ran beside the check.
    pub text_masks: Option<Vec<Span>>,
    /// `secrets` sorted and merged, for [`SourceFile::in_secret`] (built on first use).
    secret_index: std::sync::OnceLock<Vec<Span>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, kind: SourceKind, text: String) -> Self {
        SourceFile {
            name: name.into(),
            kind,
            lines: LineIndex::new(&text),
            text,
            secrets: Vec::new(),
            text_masks: None,
            secret_index: std::sync::OnceLock::new(),
        }
    }

    /// Whether `span` (an empty one counts as its first byte) overlaps a secret value: in
    /// logarithmic time (`explain` asks for every setting of up to 1,000 connections, and a
    /// file may hold hundreds of thousands of secrets). Ask once `secrets` is final.
    pub fn in_secret(&self, span: Span) -> bool {
        let end = span.end.max(span.start + 1);
        self.secrets_in(Span::new(span.start, end)).next().is_some()
    }

    /// The secret values (merged where they touch) that overlap `range`, in order, found by
    /// binary search.
    pub fn secrets_in(&self, range: Span) -> impl Iterator<Item = Span> + '_ {
        let index = self
            .secret_index
            .get_or_init(|| merge_spans(self.secrets.clone()));
        let from = index.partition_point(|s| s.end <= range.start);
        index[from..]
            .iter()
            .take_while(move |s| s.start < range.end)
            .copied()
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    pub fn pos(&self, offset: usize) -> Pos {
        self.lines.pos(&self.text, offset)
    }

    /// Whether this is a real file on disk (annotations and SARIF name a path for it).
    pub fn is_file(&self) -> bool {
        matches!(
            self.kind,
            SourceKind::File | SourceKind::Stdin { named: true }
        )
    }
}

/// A span resolved for output: the file it is shown in (the host of an embedded source) and its
/// start and end (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
    pub start: Pos,
    pub end: Pos,
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
    pub fn get_mut(&mut self, id: FileId) -> &mut SourceFile {
        &mut self.files[id]
    }
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate()
    }

    /// Bytes of text held, over all sources.
    pub fn total_text(&self) -> usize {
        self.files.iter().map(|f| f.text.len()).sum()
    }

    /// The file a span is shown in, and the span there: embedded sources are relocated into
    /// their host (repeatedly, should a host be embedded itself).
    pub fn relocate(&self, mut file: FileId, mut span: Span) -> (FileId, Span) {
        // a bounded walk: embedding never nests deeper than the number of sources
        for _ in 0..self.files.len() {
            match &self.files[file].kind {
                SourceKind::Embedded { host, map } => {
                    span = map.span_to_host(span);
                    file = *host;
                }
                _ => break,
            }
        }
        (file, span)
    }

    /// The one resolver every output format uses.
    pub fn locate(&self, file: FileId, span: Span) -> Location {
        let (file, span) = self.relocate(file, span);
        let src = &self.files[file];
        Location {
            file,
            span,
            start: src.pos(span.start),
            end: src.pos(span.end),
        }
    }

    /// Every secret span to mask when `file` is shown: its own and those of the sources
    /// embedded in it, relocated.
    pub fn masks(&self, file: FileId) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        for (id, src) in self.iter() {
            if src.secrets.is_empty() {
                continue;
            }
            let shown_in = if id == file {
                true
            } else {
                self.relocate(id, Span::default()).0 == file && id != file
            };
            if shown_in {
                out.extend(src.secrets.iter().map(|s| self.relocate(id, *s).1));
            }
        }
        out
    }
}

/// `i` moved back to the nearest character boundary of `text` (and into it).
pub fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `i` moved on to the nearest character boundary of `text` (and into it).
pub fn ceil_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `spans` sorted, with the overlapping and touching ones joined.
pub fn merge_spans(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    // in place: a 16 MiB URL of query tokens is two million spans
    let mut kept: usize = 0;
    for i in 0..spans.len() {
        let s = spans[i];
        match kept.checked_sub(1).map(|k| &mut spans[k]) {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => {
                spans[kept] = s;
                kept += 1;
            }
        }
    }
    spans.truncate(kept);
    spans.shrink_to_fit();
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_secret_agrees_with_a_linear_search() {
        let mut src = SourceFile::new("c.yaml", SourceKind::File, "x".repeat(200));
        src.secrets = vec![
            Span::new(50, 60),
            Span::new(10, 20),
            Span::new(15, 40),
            Span::new(100, 101),
            Span::new(120, 180),
            Span::new(130, 140),
        ];
        let linear = |span: Span| {
            src.secrets
                .iter()
                .any(|s| s.start < span.end.max(span.start + 1) && span.start < s.end)
        };
        for start in 0..200 {
            for end in start..(start + 30).min(200) {
                let span = Span::new(start, end);
                assert_eq!(src.in_secret(span), linear(span), "{span:?}");
            }
        }
    }

    #[test]
    fn embedded_spans_are_located_in_the_host() {
        let mut db = SourceDb::default();
        let host = db.add(SourceFile::new(
            "compose.yml",
            SourceKind::File,
            "x:\n  V: |\n    a: 1\n    b: ä\n".to_string(),
        ));
        let map = OffsetMap::new(
            vec![
                Segment {
                    inner_start: 0,
                    inner_end: 5,
                    host_start: 14,
                    host_end: 19,
                    exact: true,
                },
                Segment {
                    inner_start: 5,
                    inner_end: 11,
                    host_start: 23,
                    host_end: 29,
                    exact: true,
                },
            ],
            Span::new(9, 29),
        );
        let inner = db.add(SourceFile::new(
            "compose.yml (V)",
            SourceKind::Embedded { host, map },
            "a: 1\nb: ä\n".to_string(),
        ));
        let loc = db.locate(inner, Span::new(8, 10));
        assert_eq!(loc.file, host);
        assert_eq!((loc.start.line, loc.start.column), (4, 8));
        assert_eq!((loc.end.line, loc.end.column), (4, 9));
        db.get_mut(inner).secrets.push(Span::new(3, 4));
        assert_eq!(db.masks(host), vec![Span::new(17, 18)]);
    }
}
