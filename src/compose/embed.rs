//! The source map of a value written in a compose file: the text the container receives (the
//! YAML scalar decoded) and, for every byte of it, where it is written. This is what actionlint
//! left out ("sourcemap is necessary"): a literal block line is the same text at another offset
//! (an exact segment); an escape (`\n`, `''`), a fold or a compose `${VAR}` stands for text the
//! scalar rewrote (an inexact segment: the whole written form). Text the scalar adds (a folded
//! line break's space, chomped newlines) has no segment and maps to the nearest written place.
//!
//! Verify, then map: the text rebuilt from the segments must equal what the YAML parser decoded;
//! when it does not (a construct this module does not follow), the whole value becomes one
//! inexact segment, so a diagnostic still lands on the value, never on a wrong line.

use crate::source::{Encoding, OffsetMap, Segment, Span};
use crate::yaml::{Node, Style};

/// A decoded value and its map into the host text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub text: String,
    /// Inner offsets to the host; its host value is where the whole value is written (the
    /// fallback for anything unmapped).
    pub map: OffsetMap,
    /// False when the map fell back to the whole value.
    pub faithful: bool,
}

impl Mapped {
    /// One inexact segment: every inner offset maps to the whole written value.
    pub fn whole(text: String, host: Span) -> Mapped {
        let segments = if text.is_empty() {
            Vec::new()
        } else {
            vec![Segment {
                inner_start: 0,
                inner_end: text.len(),
                host_start: host.start,
                host_end: host.end,
                exact: false,
            }]
        };
        Mapped {
            text,
            map: OffsetMap::new(segments, host),
            faithful: false,
        }
    }

    /// Text written literally at `host` (a `.env` value without quotes or escapes).
    pub fn literal(text: &str, host_start: usize) -> Mapped {
        let host = Span::new(host_start, host_start + text.len());
        let segments = if text.is_empty() {
            Vec::new()
        } else {
            vec![Segment {
                inner_start: 0,
                inner_end: text.len(),
                host_start,
                host_end: host.end,
                exact: true,
            }]
        };
        Mapped {
            text: text.to_string(),
            map: OffsetMap::new(segments, host),
            faithful: true,
        }
    }

    /// Where the whole value is written.
    pub fn host(&self) -> Span {
        self.map.host_value()
    }

    pub fn segments(&self) -> &[Segment] {
        self.map.segments()
    }

    /// The host span of an inner range.
    pub fn host_span(&self, inner: std::ops::Range<usize>) -> Span {
        self.map.span_to_host(Span::new(inner.start, inner.end))
    }

    /// The part `range` of the text, as its own mapped value (`KEY=value` → `value`).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Mapped {
        let text = self.text.get(range.clone()).unwrap_or("").to_string();
        let mut segments = Vec::new();
        copy_segments(self.segments(), range.clone(), 0, &mut segments);
        let host = if text.is_empty() {
            let at = self.host_span(range.clone()).start;
            Span::new(at, at)
        } else {
            self.host_span(range)
        };
        Mapped {
            text,
            map: OffsetMap::new(segments, host)
                .with_encoding(self.map.encoding(), self.map.interpolated()),
            faithful: self.faithful,
        }
    }
}

/// The segments of `from` that cover inner `range`, moved to start at `to` (cut at the range;
/// an exact segment is cut byte for byte, an inexact one keeps its whole host span).
pub fn copy_segments(
    from: &[Segment],
    range: std::ops::Range<usize>,
    to: usize,
    out: &mut Vec<Segment>,
) {
    let first = from.partition_point(|s| s.inner_end <= range.start);
    for s in &from[first..] {
        if s.inner_start >= range.end {
            break;
        }
        let a = s.inner_start.max(range.start);
        let b = s.inner_end.min(range.end);
        if a >= b {
            continue;
        }
        let (host_start, host_end) = if s.exact {
            (
                s.host_start + (a - s.inner_start),
                s.host_start + (b - s.inner_start),
            )
        } else {
            (s.host_start, s.host_end)
        };
        out.push(Segment {
            inner_start: to + (a - range.start),
            inner_end: to + (b - range.start),
            host_start,
            host_end,
            exact: s.exact,
        });
    }
}

/// Segments one value keeps; beyond, the rest of the value joins the last segment (a value of
/// millions of escapes maps coarsely instead of taking gigabytes).
const MAX_SEGMENTS: usize = 50_000;

/// Collects decoded text and its segments, joining exact runs that continue each other.
struct Builder<'h> {
    host: &'h str,
    text: String,
    segments: Vec<Segment>,
    /// A block scalar's indentation (0 for flow scalars).
    indent: usize,
}

impl Builder<'_> {
    /// Past [`MAX_SEGMENTS`]: widen the last segment over the new text instead of adding one.
    fn coarse(&mut self, end: usize) -> bool {
        if self.segments.len() < MAX_SEGMENTS {
            return false;
        }
        if let Some(last) = self.segments.last_mut() {
            last.inner_end = self.text.len();
            last.host_end = last.host_end.max(end);
            last.exact = false;
        }
        true
    }

    fn exact(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        let inner_start = self.text.len();
        self.text.push_str(&self.host[start..end]);
        if self.coarse(end) {
            return;
        }
        if let Some(last) = self.segments.last_mut()
            && last.exact
            && last.inner_end == inner_start
            && last.host_end == start
        {
            last.inner_end = self.text.len();
            last.host_end = end;
            return;
        }
        self.segments.push(Segment {
            inner_start,
            inner_end: self.text.len(),
            host_start: start,
            host_end: end,
            exact: true,
        });
    }

    fn rewritten(&mut self, decoded: &str, start: usize, end: usize) {
        if decoded.is_empty() {
            return;
        }
        let inner_start = self.text.len();
        self.text.push_str(decoded);
        if self.coarse(end) {
            return;
        }
        self.segments.push(Segment {
            inner_start,
            inner_end: self.text.len(),
            host_start: start,
            host_end: end,
            exact: false,
        });
    }

    /// Text the scalar adds (a folded space, a line break): no place of its own.
    fn added(&mut self, s: &str) {
        self.text.push_str(s);
    }
}

/// A line of the host: where its content starts and ends (without the break).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

/// The line holding `offset` and those after it, up to the end of the text (`\n`, `\r\n`, `\r`).
/// Each step costs the length of its line (a `\n` found with memchr, a `\r` looked for within
/// the line), so mapping every value of a large compose file stays linear.
fn lines_from(text: &str, offset: usize) -> impl Iterator<Item = Line> + '_ {
    let bytes = text.as_bytes();
    let mut start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    std::iter::from_fn(move || {
        if start > bytes.len() {
            return None;
        }
        let rest = &text[start..];
        let lf = rest.find('\n').unwrap_or(rest.len());
        let end = start + rest[..lf].find('\r').unwrap_or(lf);
        let next = match bytes.get(end) {
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
            None => bytes.len() + 1,
        };
        let line = Line { start, end };
        start = next;
        Some(line)
    })
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Map the scalar `node` of `host`. `decoded` is what the YAML parser made of it.
pub fn scalar(host: &str, node: &Node, decoded: &str) -> Mapped {
    let Some(s) = node.as_scalar() else {
        return Mapped::whole(decoded.to_string(), node.span);
    };
    let built = match s.style {
        Style::Literal | Style::Folded => block(host, node.span, decoded, s.style == Style::Folded),
        Style::Plain => flow(host, node.span, None),
        Style::SingleQuoted => flow(host, node.span, Some(b'\'')),
        Style::DoubleQuoted => flow(host, node.span, Some(b'"')),
    };
    let encoding = |indent: usize| match s.style {
        Style::Literal => Encoding::Literal { indent },
        Style::Folded => Encoding::Folded { indent },
        Style::Plain => Encoding::Plain,
        Style::SingleQuoted => Encoding::SingleQuoted,
        Style::DoubleQuoted => Encoding::DoubleQuoted,
    };
    match built {
        Some(b) if b.text == decoded => Mapped {
            text: b.text,
            map: OffsetMap::new(b.segments, node.span).with_encoding(encoding(b.indent), false),
            faithful: true,
        },
        // a block scalar's chomping adds line breaks that are written nowhere
        Some(b)
            if matches!(s.style, Style::Literal | Style::Folded)
                && decoded.len() >= b.text.len()
                && decoded.starts_with(&b.text)
                && decoded[b.text.len()..].bytes().all(|c| c == b'\n') =>
        {
            let mut text = b.text;
            text.push_str(&decoded[text.len()..]);
            Mapped {
                text,
                map: OffsetMap::new(b.segments, node.span).with_encoding(encoding(b.indent), false),
                faithful: true,
            }
        }
        _ => Mapped::whole(decoded.to_string(), node.span),
    }
}

/// Plain and quoted scalars (`quote`: the quote character): lines are folded (a line break
/// becomes a space, `n` empty lines become `n` line breaks), continuation lines lose their
/// leading and trailing blanks; quoted ones decode `''` or backslash escapes.
fn flow(host: &str, span: Span, quote: Option<u8>) -> Option<Builder<'_>> {
    let bytes = host.as_bytes();
    let (from, to) = match quote {
        Some(q) => {
            if span.len() < 2
                || bytes.get(span.start) != Some(&q)
                || bytes.get(span.end - 1) != Some(&q)
            {
                return None;
            }
            (span.start + 1, span.end - 1)
        }
        None => (span.start, span.end),
    };
    let mut b = Builder {
        host,
        text: String::new(),
        segments: Vec::new(),
        indent: 0,
    };
    let mut empties = 0usize;
    let mut first = true;
    // the line before ended in an escaped line break (double quotes): no folding space
    let mut escaped_break = false;
    let mut lines = lines_from(host, from).peekable();
    while let Some(line) = lines.next() {
        let start = if first { from } else { line.start };
        if start > to {
            break;
        }
        let last = line.end >= to;
        let end = if last { to } else { line.end };
        let mut content = (start, end);
        if !first {
            // leading blanks of continuation lines are folding, not content
            while content.0 < content.1 && matches!(bytes[content.0], b' ' | b'\t') {
                content.0 += 1;
            }
        }
        if !last {
            // trailing blanks before a line break are dropped (an escaped blank is not a blank)
            while content.1 > content.0
                && matches!(bytes[content.1 - 1], b' ' | b'\t')
                && !(quote == Some(b'"') && escaped_at(bytes, content.0, content.1 - 1))
            {
                content.1 -= 1;
            }
        }
        let blank = content.0 == content.1;
        if blank && !first && !last {
            empties += 1;
            continue;
        }
        if !first {
            if escaped_break {
                b.added(&"\n".repeat(empties));
            } else if empties == 0 {
                b.added(" ");
            } else {
                b.added(&"\n".repeat(empties));
            }
        }
        empties = 0;
        escaped_break = false;
        match quote {
            None => b.exact(content.0, content.1),
            Some(b'\'') => single_quoted(&mut b, content.0, content.1),
            Some(_) => {
                escaped_break = double_quoted(&mut b, content.0, content.1, last)?;
            }
        }
        first = false;
        if last {
            break;
        }
        // a line break before the closing quote is always followed by a line
        lines.peek()?;
    }
    Some(b)
}

/// Whether the byte at `i` is the character of a backslash escape (an odd run of `\` before it).
fn escaped_at(bytes: &[u8], from: usize, i: usize) -> bool {
    let mut n = 0;
    let mut j = i;
    while j > from && bytes[j - 1] == b'\\' {
        n += 1;
        j -= 1;
    }
    n % 2 == 1
}

fn single_quoted(b: &mut Builder, start: usize, end: usize) {
    let mut run = start;
    let mut i = start;
    let bytes = b.host.as_bytes();
    while i < end {
        if bytes[i] == b'\'' && i + 1 < end && bytes[i + 1] == b'\'' {
            b.exact(run, i);
            b.rewritten("'", i, i + 2);
            i += 2;
            run = i;
        } else {
            i += 1;
        }
    }
    b.exact(run, end);
}

/// The text of one line of a double-quoted scalar; `Some(true)` when it ends in an escaped
/// line break (`\` at the end of the line), `None` on an escape this module does not know.
fn double_quoted(b: &mut Builder, start: usize, end: usize, last: bool) -> Option<bool> {
    let host = b.host;
    let bytes = host.as_bytes();
    let mut run = start;
    let mut i = start;
    while i < end {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        b.exact(run, i);
        let Some(&c) = bytes.get(i + 1).filter(|_| i + 1 < end) else {
            // `\` at the end of a line: an escaped line break
            return if last { None } else { Some(true) };
        };
        let simple = match c {
            b'0' => Some('\0'),
            b'a' => Some('\u{7}'),
            b'b' => Some('\u{8}'),
            b't' | b'\t' => Some('\t'),
            b'n' => Some('\n'),
            b'v' => Some('\u{b}'),
            b'f' => Some('\u{c}'),
            b'r' => Some('\r'),
            b'e' => Some('\u{1b}'),
            b' ' => Some(' '),
            b'"' => Some('"'),
            b'/' => Some('/'),
            b'\\' => Some('\\'),
            b'N' => Some('\u{85}'),
            b'_' => Some('\u{a0}'),
            b'L' => Some('\u{2028}'),
            b'P' => Some('\u{2029}'),
            _ => None,
        };
        let (decoded, len) = match (simple, c) {
            (Some(ch), _) => (ch, 2),
            (None, b'x' | b'u' | b'U') => {
                let digits = match c {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = host.get(i + 2..i + 2 + digits)?;
                let code = u32::from_str_radix(hex, 16).ok()?;
                (char::from_u32(code)?, 2 + digits)
            }
            _ => return None,
        };
        let mut buf = [0u8; 4];
        b.rewritten(decoded.encode_utf8(&mut buf), i, i + len);
        i += len;
        run = i;
    }
    b.exact(run, end);
    Some(false)
}

/// Literal (`|`) and folded (`>`) block scalars: the content lines follow the header line, each
/// the same text after the block's indentation.
fn block<'h>(host: &'h str, span: Span, decoded: &str, folded: bool) -> Option<Builder<'h>> {
    // the header is on the last line before the content that is not blank
    let mut header_end = span.start;
    loop {
        let line_start = host[..header_end].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        if line_start == 0 {
            return None;
        }
        let prev_end = if host[..line_start].ends_with("\r\n") {
            line_start - 2
        } else {
            line_start - 1
        };
        let prev_start = host[..prev_end].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        header_end = prev_end;
        if !is_blank(&host[prev_start..prev_end]) {
            break;
        }
    }
    let bytes = host.as_bytes();
    let first = lines_from(host, header_end).nth(1)?;
    let leading = |s: &str| s.len() - s.trim_start_matches(' ').len();
    // the block's indentation: the first content line's, less the blanks the value keeps
    let first_content = lines_from(host, first.start)
        .take_while(|l| l.start < bytes.len())
        .find(|l| !is_blank(&host[l.start..l.end]))?;
    let kept = decoded
        .trim_start_matches('\n')
        .split('\n')
        .next()
        .map_or(0, leading);
    let indent = leading(&host[first_content.start..first_content.end]).checked_sub(kept)?;
    if indent == 0 {
        return None;
    }
    // one segment per content line, text as long as the value: allocated once
    let lines = host[first.start..span.end.min(host.len())]
        .matches('\n')
        .count()
        + 1;
    let mut b = Builder {
        host,
        text: String::with_capacity(decoded.len()),
        segments: Vec::with_capacity(lines),
        indent,
    };
    let spaced = |(s, e): (usize, usize)| s < e && matches!(bytes[s], b' ' | b'\t');
    let mut prev: Option<(usize, usize)> = None;
    // blank lines since the last content line: trailing ones belong to the chomping, which the
    // caller takes from the decoded value
    let mut empties = 0usize;
    // content lines: blank ones, or indented at least `indent`; the block ends at the first other
    for l in lines_from(host, first.start).take_while(|l| l.start < bytes.len()) {
        let text = &host[l.start..l.end];
        if text.len() <= indent && is_blank(text) {
            empties += 1;
            continue;
        }
        if text.len() <= indent || !text.as_bytes()[..indent].iter().all(|b| *b == b' ') {
            break;
        }
        let c = (l.start + indent, l.end);
        match prev {
            None => b.added(&"\n".repeat(empties)),
            Some(p) if folded && !spaced(p) && !spaced(c) => {
                if empties == 0 {
                    b.added(" ");
                } else {
                    b.added(&"\n".repeat(empties));
                }
            }
            Some(_) => b.added(&"\n".repeat(empties + 1)),
        }
        b.exact(c.0, c.1);
        prev = Some(c);
        empties = 0;
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, NodeKind, load};

    /// Every value of the mapping (or sequence) under the root key `e`, mapped.
    fn values(text: &str) -> Vec<Mapped> {
        let doc = load(text, Limits::default()).unwrap_or_else(|e| panic!("{e:?}: {text:?}"));
        let root = doc.root.unwrap_or_else(|| panic!("no root: {text:?}"));
        let e = &root.as_map().unwrap_or_default()[0].value;
        let nodes: Vec<_> = match &e.kind {
            NodeKind::Map(m) => m.iter().map(|x| x.value.clone()).collect(),
            NodeKind::Seq(s) => s.clone(),
            _ => vec![e.clone()],
        };
        nodes
            .iter()
            .map(|n| {
                scalar(
                    text,
                    n,
                    &n.as_scalar()
                        .map(|s| s.value.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Each inner byte that is in an exact segment is the same byte in the host.
    fn assert_exact(text: &str, m: &Mapped) {
        for s in m.segments().iter().filter(|s| s.exact) {
            assert_eq!(
                &m.text[s.inner_start..s.inner_end],
                &text[s.host_start..s.host_end],
                "{text:?}"
            );
        }
    }

    #[test]
    fn every_style_is_mapped_faithfully() {
        let cases = [
            "e:\n  K: |\n    a: 1\n    b: 2\n  L: x\n",
            "e:\n  K: |-\n    a: 1\n\n    b:\n      c: 2\n\n\n  L: x\n",
            "e:\n  K: |+\n    a: 1\n    b: 2\n\n\n",
            "e:\n  K: |2\n      a: 1\n    b: 2\n\n",
            "e:\n  K: |\n\n    a: 1\n     \n    b: 2\n",
            "e:\n  K: >\n    a: 1\n    b: 2\n\n    c:\n      d: 3\n    e\n",
            "e:\n  K: >-\n    a: 1\n\n    b: 2\n  L: x\n",
            "e:\n  K: |  # comment\n    a:\t1\n",
            "e:\n  - |\n    K=a: 1\n      b: 2\n  - x\n",
            "e:\n  - >-\n    K=a\n    b\n",
            "e:\n  K: \"a:\\n  b: 1\\t\\u00e4\\x41\\\\ \\\"q\\\"\"  \n",
            "e:\n  K: \"one\n    two\n\n    three \\\n    four\"\n",
            "e:\n  K: 'a:\n\n    b: ''1'''\n",
            "e:\n  K: 'x  \n     y'\n",
            "e:\n  K: plain\n    more\n\n    most\n",
            "e:\n  K: ä plain ö\n",
            "e:\r\n  K: |\r\n    a: 1\r\n    b: 2\r\n",
            "e:\r\n  K: \"a\r\n    b\"\r\n",
            "e:\n  - \"K=a:\\n  b\"\n  - 'K=x'\n  - K=y\n",
        ];
        for text in cases {
            for m in values(text) {
                assert!(m.faithful, "not faithful: {text:?} → {m:?}");
                assert_exact(text, &m);
            }
        }
    }

    #[test]
    fn literal_lines_map_to_their_columns() {
        let text = "e:\n  K: |\n    a: 1\n    bb: 2\n";
        let m = &values(text)[0];
        let map = &m.map;
        let bb = m.text.find("bb").unwrap_or(0);
        let host = map.span_to_host(Span::new(bb, bb + 2));
        assert_eq!(&text[host.range()], "bb");
    }

    #[test]
    fn escapes_map_to_the_whole_escape() {
        let text = "e:\n  K: \"a\\tb\"\n";
        let m = &values(text)[0];
        let tab = m.text.find('\t').unwrap_or(0);
        assert_eq!(&text[m.host_span(tab..tab + 1).range()], "\\t");
        assert_eq!(&text[m.host_span(tab + 1..tab + 2).range()], "b");
    }

    #[test]
    fn slices_keep_their_places() {
        let text = "e:\n  - K=a:1\n";
        let m = &values(text)[0];
        let v = m.slice(2..m.text.len());
        assert_eq!(v.text, "a:1");
        assert_eq!(&text[v.host_span(0..1).range()], "a");
    }
}
