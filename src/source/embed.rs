//! Text embedded in another file (a config inside a docker-compose file): the decoded inner text
//! is checked like any source, and every span found in it is relocated into the host file
//! through an offset map, so positions, snippets and secret masks refer to the host's lines.
//!
//! The map is a sorted list of segments. An exact segment maps inner bytes one to one onto host
//! bytes (a literal block line: the same text at another offset). An inexact segment stands for
//! text the outer scalar rewrote (an escape such as `\n`, a `>` fold, a compose `${VAR}`): every
//! inner offset inside it maps to the host segment as a whole, the nearest faithful place.

use super::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub inner_start: usize,
    pub inner_end: usize,
    pub host_start: usize,
    pub host_end: usize,
    /// Byte-for-byte identical text: offsets map linearly.
    pub exact: bool,
}

/// How the host writes the embedded text: what a replacement must become to be read back as
/// the same text (`fix` re-encodes edits with it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    /// Not known (an `.env` value, a map that fell back to the whole value): no edit maps.
    #[default]
    Unknown,
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// A literal block scalar whose content lines are indented by `indent` spaces.
    Literal {
        indent: usize,
    },
    /// A folded block scalar: line breaks of a replacement would move.
    Folded {
        indent: usize,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Vec<Segment>,
    /// Where the whole embedded value is in the host (the fallback for offsets outside segments).
    host_value: Span,
    encoding: Encoding,
    /// Whether docker compose interpolates the host text (a `$` is written `$$`).
    interpolated: bool,
}

impl OffsetMap {
    /// `segments` must be sorted by inner offset and disjoint.
    pub fn new(mut segments: Vec<Segment>, host_value: Span) -> OffsetMap {
        segments.sort_by_key(|s| s.inner_start);
        OffsetMap {
            segments,
            host_value,
            encoding: Encoding::Unknown,
            interpolated: false,
        }
    }

    /// The same map, saying how the host writes the text.
    pub fn with_encoding(mut self, encoding: Encoding, interpolated: bool) -> OffsetMap {
        self.encoding = encoding;
        self.interpolated = interpolated;
        self
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    pub fn interpolated(&self) -> bool {
        self.interpolated
    }

    pub fn host_value(&self) -> Span {
        self.host_value
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The host offset of an inner offset. `end` says whether the offset ends a span (an
    /// inexact segment then maps to its host end, so a span keeps its width).
    pub fn to_host(&self, inner: usize, end: bool) -> usize {
        // the last segment starting at or before `inner`
        let i = self.segments.partition_point(|s| s.inner_start <= inner);
        let Some(seg) = i.checked_sub(1).and_then(|i| self.segments.get(i)) else {
            return self.host_value.start;
        };
        if inner > seg.inner_end || (inner == seg.inner_end && !end && inner != seg.inner_start) {
            // between segments (text the outer scalar dropped, such as indentation): the next
            // segment's start, or the end of this one
            return match self.segments.get(i) {
                Some(next) if !end => next.host_start,
                _ => seg.host_end,
            };
        }
        if seg.exact {
            (seg.host_start + (inner - seg.inner_start)).min(seg.host_end)
        } else if end && inner > seg.inner_start {
            seg.host_end
        } else {
            seg.host_start
        }
    }

    pub fn span_to_host(&self, span: Span) -> Span {
        let start = self.to_host(span.start, false);
        let end = if span.is_empty() {
            start
        } else {
            self.to_host(span.end, true)
        };
        Span::new(start, end.max(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(inner: (usize, usize), host: (usize, usize), exact: bool) -> Segment {
        Segment {
            inner_start: inner.0,
            inner_end: inner.1,
            host_start: host.0,
            host_end: host.1,
            exact,
        }
    }

    #[test]
    fn exact_lines_map_linearly_and_escapes_as_a_whole() {
        // inner "ab\ncd" from host lines "    ab\n    cd" at 100
        let m = OffsetMap::new(
            vec![seg((0, 3), (104, 107), true), seg((3, 5), (111, 113), true)],
            Span::new(100, 113),
        );
        assert_eq!(m.span_to_host(Span::new(1, 2)), Span::new(105, 106));
        assert_eq!(m.span_to_host(Span::new(3, 5)), Span::new(111, 113));
        assert_eq!(m.span_to_host(Span::new(0, 5)), Span::new(104, 113));
        // an escape `\n` (2 host bytes) decoded to one inner byte
        let m = OffsetMap::new(
            vec![
                seg((0, 2), (10, 12), true),
                seg((2, 3), (12, 14), false),
                seg((3, 5), (14, 16), true),
            ],
            Span::new(9, 17),
        );
        assert_eq!(m.span_to_host(Span::new(2, 3)), Span::new(12, 14));
        assert_eq!(m.span_to_host(Span::new(1, 4)), Span::new(11, 15));
    }
}
