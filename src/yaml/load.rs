//! Builds the spanned tree from saphyr-parser's event stream, in the server's dialect: only the
//! first document counts (a later one is noted, never parsed, as the server never reads it),
//! aliases stay unresolved, and limits on depth and alias count make hostile input fail fast.
//! The builder keeps its own stack, so nesting never recurses.

use super::node::{Entry, Node, NodeKind, Scalar, Style, Tag};
use crate::source::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};
use std::collections::HashMap;

/// Limits that keep a hostile input cheap. A connections config is a few kilobytes, two levels
/// of blocks and no aliases; these leave a wide margin.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_aliases: usize,
    pub max_anchors: usize,
    /// Entries of one mapping or list (the root mapping of connections is streamed, not held).
    pub max_collection: usize,
    /// Bytes of one flow collection (see `flow`).
    pub max_flow_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_aliases: 1000,
            max_anchors: 10_000,
            // a block has at most 12 properties; real audience lists are short
            max_collection: 10_000,
            // about 7,000 connections written in flow style, twice what the config variable can
            // hold in a container (131,028 bytes); the parser holds ~45x of it (its scanner
            // keeps every token of a flow collection at the root until its end)
            max_flow_bytes: 256 * 1024,
        }
    }
}

#[derive(Debug)]
pub struct Document<'a> {
    /// `None` when the text holds no YAML node at all (blank, or only comments).
    pub root: Option<Node<'a>>,
    /// The `---` of a second document, which the server ignores.
    pub second_document: Option<Span>,
    /// Spans of every scalar (and whether it is plain), collected only when the text holds a
    /// tab: where tabs may stand depends on them.
    pub scalars: Vec<(Span, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    Syntax,
    Limit,
}

#[derive(Debug, Clone)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    pub message: String,
    pub span: Span,
    /// Where the last complete token ended: a scan error about an unclosed quote is reported at
    /// the end of the text, and the opening quote is found after this point.
    pub last_good: usize,
}

enum Frame<'a> {
    Map {
        start: usize,
        flow: bool,
        anchor: usize,
        entries: Vec<Entry<'a>>,
        key: Option<Node<'a>>,
        /// End of the last entry's value (entries handed to a callback are not kept).
        last_end: Option<usize>,
    },
    Seq {
        start: usize,
        flow: bool,
        anchor: usize,
        items: Vec<Node<'a>>,
    },
}

pub fn load<'a>(text: &'a str, limits: Limits) -> Result<Document<'a>, LoadError> {
    load_streaming(text, limits, None)
}

/// Like [`load`], but each entry of a root mapping is handed to `on_root_entry` as soon as it is
/// complete and then dropped, so memory stays proportional to one connection, not the file. The
/// returned root mapping then has no entries.
pub fn load_streaming<'a, 'c>(
    text: &'a str,
    limits: Limits,
    on_root_entry: Option<&'c mut dyn FnMut(Entry<'a>)>,
) -> Result<Document<'a>, LoadError> {
    Builder {
        text,
        bytes: CharToByte::new(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        aliases: 0,
        limits,
        last_good: 0,
        on_root_entry,
        scalars: text.contains('\t').then(Vec::new),
    }
    .run()
}

struct Builder<'a, 'c> {
    text: &'a str,
    bytes: CharToByte<'a>,
    stack: Vec<Frame<'a>>,
    anchors: HashMap<usize, Span>,
    aliases: usize,
    limits: Limits,
    last_good: usize,
    on_root_entry: Option<&'c mut dyn FnMut(Entry<'a>)>,
    scalars: Option<Vec<(Span, bool)>>,
}

impl<'a> Builder<'a, '_> {
    fn run(mut self) -> Result<Document<'a>, LoadError> {
        if let Some((at, len)) = super::flow::largest(self.text)
            && len > self.limits.max_flow_bytes
        {
            return Err(self.limit(
                format!(
                    "a flow collection (`{{...}}` or `[...]`) of {len} bytes, more than {}: refusing to read it",
                    self.limits.max_flow_bytes
                ),
                Span::new(at, at + 1),
            ));
        }
        let mut parser = Parser::new_from_str(self.text);
        let mut root: Option<Node<'a>> = None;
        let mut documents = 0;
        let mut second_document = None;
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| self.scan_error(&e))?;
            let start = self.bytes.byte(span.start.index());
            let end = self.bytes.byte(span.end.index());
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        second_document = Some(Span::new(start, end.max(start + 3)));
                        break;
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let mut vspan = self.skip_properties(start, end);
                    if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
                        // the parser's span runs past the closing quote over trailing blanks
                        let t = self.text.get(vspan.range()).unwrap_or("");
                        let trimmed = t.trim_end_matches([' ', '\t']).len();
                        vspan = Span::new(vspan.start, vspan.start + trimmed);
                    }
                    if let Some(scalars) = self.scalars.as_mut() {
                        scalars.push((vspan, matches!(style, ScalarStyle::Plain)));
                    }
                    let node = Node {
                        span: vspan,
                        kind: NodeKind::Scalar(Scalar {
                            value,
                            style: style_of(style),
                            tag: tag.map_or(Tag::None, |t| tag_of(&t.handle, &t.suffix)),
                        }),
                    };
                    self.remember_anchor(anchor, vspan)?;
                    self.finish(node, &mut root)?;
                }
                Event::Alias(id) => {
                    self.aliases += 1;
                    if self.aliases > self.limits.max_aliases {
                        return Err(self.limit(
                            format!(
                                "more than {} aliases: refusing to read further",
                                self.limits.max_aliases
                            ),
                            Span::new(start, end),
                        ));
                    }
                    let name = self.text.get(start..end).unwrap_or("");
                    let name = name.strip_prefix('*').unwrap_or(name);
                    let node = Node {
                        span: Span::new(start, end),
                        kind: NodeKind::Alias {
                            name,
                            anchor: self.anchors.get(&id).copied(),
                        },
                    };
                    self.finish(node, &mut root)?;
                }
                Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                    if self.stack.len() >= self.limits.max_depth {
                        return Err(self.limit(
                            format!("nesting deeper than {} levels", self.limits.max_depth),
                            Span::new(start, end),
                        ));
                    }
                    let s = self.skip_properties(start, end).start;
                    let flow = self.text[s..].starts_with(['{', '[']);
                    self.stack
                        .push(if matches!(event, Event::MappingStart(..)) {
                            Frame::Map {
                                start: s,
                                flow,
                                anchor,
                                entries: Vec::new(),
                                key: None,
                                last_end: None,
                            }
                        } else {
                            Frame::Seq {
                                start: s,
                                flow,
                                anchor,
                                items: Vec::new(),
                            }
                        });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    let node = match self.stack.pop() {
                        Some(Frame::Map {
                            start,
                            flow,
                            anchor,
                            entries,
                            last_end,
                            ..
                        }) => {
                            let last = last_end.unwrap_or(start);
                            let span = Span::new(start, if flow { end } else { last });
                            self.remember_anchor(anchor, span)?;
                            Node {
                                span,
                                kind: NodeKind::Map(entries),
                            }
                        }
                        Some(Frame::Seq {
                            start,
                            flow,
                            anchor,
                            items,
                        }) => {
                            let last = items.last().map_or(start, |n| n.span.end);
                            let span = Span::new(start, if flow { end } else { last });
                            self.remember_anchor(anchor, span)?;
                            Node {
                                span,
                                kind: NodeKind::Seq(items),
                            }
                        }
                        None => continue,
                    };
                    self.finish(node, &mut root)?;
                }
                Event::StreamEnd => break,
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            }
            self.last_good = end;
        }
        Ok(Document {
            root,
            second_document,
            scalars: self.scalars.take().unwrap_or_default(),
        })
    }

    fn finish(&mut self, node: Node<'a>, root: &mut Option<Node<'a>>) -> Result<(), LoadError> {
        let at_root = self.stack.len() == 1;
        // only the root mapping (the connections) is streamed; a root list is held, within
        // the limit (it is no config: 16 MiB of `-` lines were a gigabyte of tree)
        let streamed = at_root
            && self.on_root_entry.is_some()
            && matches!(self.stack.last(), Some(Frame::Map { .. }));
        let held = match self.stack.last() {
            Some(Frame::Map { entries, .. }) => entries.len(),
            Some(Frame::Seq { items, .. }) => items.len(),
            None => 0,
        };
        if !streamed && held >= self.limits.max_collection {
            return Err(self.limit(
                format!(
                    "a mapping or list with more than {} entries: refusing to read further",
                    self.limits.max_collection
                ),
                node.span,
            ));
        }
        match self.stack.last_mut() {
            Some(Frame::Map {
                entries,
                key,
                last_end,
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    *last_end = Some(node.span.end);
                    let entry = Entry {
                        key: k,
                        value: node,
                    };
                    match (&mut self.on_root_entry, at_root) {
                        (Some(callback), true) => callback(entry),
                        _ => entries.push(entry),
                    }
                }
            },
            Some(Frame::Seq { items, .. }) => items.push(node),
            None => *root = Some(node),
        }
        Ok(())
    }

    fn remember_anchor(&mut self, anchor: usize, span: Span) -> Result<(), LoadError> {
        if anchor != 0 {
            if self.anchors.len() >= self.limits.max_anchors {
                return Err(self.limit(
                    format!(
                        "more than {} anchors: refusing to read further",
                        self.limits.max_anchors
                    ),
                    span,
                ));
            }
            self.anchors.insert(anchor, span);
        }
        Ok(())
    }

    /// Event spans of anchored or tagged nodes start at `&a` / `!!str`: skip those tokens so a
    /// value's span covers the value only.
    fn skip_properties(&self, start: usize, end: usize) -> Span {
        let bytes = self.text.as_bytes();
        let mut s = start;
        while s < end && matches!(bytes.get(s), Some(b'&' | b'!')) {
            while s < end && !matches!(bytes.get(s), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                s += 1;
            }
            while s < end && matches!(bytes.get(s), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                s += 1;
            }
        }
        Span::new(s, end)
    }

    fn scan_error(&mut self, e: &ScanError) -> LoadError {
        let at = self.bytes.byte(e.marker().index());
        let len = self.text[at..].chars().next().map_or(0, char::len_utf8);
        LoadError {
            kind: LoadErrorKind::Syntax,
            message: e.info().to_string(),
            span: Span::new(at, at + len),
            last_good: self.last_good,
        }
    }

    fn limit(&self, message: String, span: Span) -> LoadError {
        LoadError {
            kind: LoadErrorKind::Limit,
            message,
            span,
            last_good: self.last_good,
        }
    }
}

fn style_of(s: ScalarStyle) -> Style {
    match s {
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
        _ => Style::Plain,
    }
}

fn tag_of(handle: &str, suffix: &str) -> Tag {
    if handle == "tag:yaml.org,2002:" || handle == "!!" {
        match suffix {
            "str" => Tag::Str,
            "int" => Tag::Int,
            "float" => Tag::Float,
            "bool" => Tag::Bool,
            "null" => Tag::Null,
            _ => Tag::Other,
        }
    } else if handle == "!" && suffix.is_empty() {
        // the non-specific tag `!` leaves typing as it was
        Tag::None
    } else {
        Tag::Other
    }
}

/// Converts the parser's character indices into byte offsets. Parser events arrive in document
/// order, so a cursor that walks forward (and rarely back) costs O(n) over a whole file; pure
/// ASCII text needs no walking at all.
struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    char_pos: usize,
    byte_pos: usize,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        CharToByte {
            text,
            ascii: text.is_ascii(),
            char_pos: 0,
            byte_pos: 0,
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
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

    fn root(text: &str) -> Node<'_> {
        match load(text, Limits::default()) {
            Ok(Document { root: Some(r), .. }) => r,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn spans_of_keys_values_and_flow() {
        let text = "a:\n  b: &x 'q'\n  c: {d: *x}\n";
        let r = root(text);
        let a = &r.as_map().unwrap_or_default()[0];
        let inner = a.value.as_map().unwrap_or_default();
        assert_eq!(&text[inner[0].value.span.range()], "'q'");
        assert_eq!(&text[inner[1].value.span.range()], "{d: *x}");
        let d = &inner[1].value.as_map().unwrap_or_default()[0].value;
        match &d.kind {
            NodeKind::Alias { name, anchor } => {
                assert_eq!(*name, "x");
                assert_eq!(anchor.map(|s| &text[s.range()]), Some("'q'"));
            }
            _ => panic!("not an alias"),
        }
    }

    #[test]
    fn second_document_is_not_parsed() {
        let d = load("a: 1\n---\n: : [\n", Limits::default());
        assert!(matches!(
            d,
            Ok(Document {
                second_document: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn depth_limit() {
        let text = format!("a: {}", "[".repeat(100));
        let e = load(&text, Limits::default());
        assert!(matches!(
            e,
            Err(LoadError {
                kind: LoadErrorKind::Limit,
                ..
            })
        ));
    }
}
