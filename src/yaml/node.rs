//! The spanned YAML tree: every key and value keeps its byte span, its decoded text and its
//! scalar style, because the DSF server types a scalar by how it was written (plain `5` is a
//! number, `'5'` is text) and by the property it lands in. Aliases stay unresolved, as in the
//! server, which reads `*name` as the text `name`.

use crate::source::Span;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl Style {
    pub fn is_plain(self) -> bool {
        self == Style::Plain
    }
}

/// An explicit tag on a scalar; only the core-schema tags change how the server types a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    None,
    Str,
    Int,
    Float,
    Bool,
    Null,
    /// `!!map`, `!foo`, ...: on a scalar the server reads it as text.
    Other,
}

#[derive(Debug, Clone)]
pub struct Scalar<'a> {
    pub value: Cow<'a, str>,
    pub style: Style,
    pub tag: Tag,
}

#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// The value itself, without a leading anchor (`&a`) or tag (`!!str`).
    pub span: Span,
    pub kind: NodeKind<'a>,
}

#[derive(Debug, Clone)]
pub enum NodeKind<'a> {
    Scalar(Scalar<'a>),
    /// `*name`: `anchor` is the span of the anchored node, when the anchor was seen.
    Alias {
        name: &'a str,
        anchor: Option<Span>,
    },
    Map(Vec<Entry<'a>>),
    Seq(Vec<Node<'a>>),
}

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub key: Node<'a>,
    pub value: Node<'a>,
}

impl<'a> Node<'a> {
    /// The text the server uses for this node as a mapping key or a text value: a scalar's
    /// decoded value, an alias's anchor name. `None` for collections.
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(&s.value),
            NodeKind::Alias { name, .. } => Some(name),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry<'a>]> {
        match &self.kind {
            NodeKind::Map(e) => Some(e),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar<'a>> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// A plain (or `!!null`-tagged) scalar that YAML 1.1 reads as null: empty, `~`, `null`.
    /// Whether this is a plain or quoted scalar, whose span a fix may replace whole by another
    /// scalar (a block scalar's span leaves out its header).
    pub fn is_flow_scalar(&self) -> bool {
        self.as_scalar().is_some_and(|s| {
            matches!(
                s.style,
                Style::Plain | Style::SingleQuoted | Style::DoubleQuoted
            )
        })
    }

    pub fn is_null(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar(s) => {
                (s.style.is_plain() && s.tag == Tag::None && crate::yaml::scalar::is_null(&s.value))
                    || s.tag == Tag::Null
            }
            _ => false,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(_) if self.is_null() => "nothing (null)",
            NodeKind::Scalar(s) if s.style.is_plain() && s.tag == Tag::None => {
                match crate::yaml::scalar::resolve_plain(&s.value) {
                    crate::yaml::scalar::Plain::Bool(_) => "a boolean",
                    crate::yaml::scalar::Plain::Int(_) | crate::yaml::scalar::Plain::Float(_) => {
                        "a number"
                    }
                    _ => "text",
                }
            }
            NodeKind::Scalar(_) => "text",
            NodeKind::Alias { .. } => "an alias",
            NodeKind::Map(_) => "a mapping",
            NodeKind::Seq(_) => "a list",
        }
    }
}

impl<'a> Entry<'a> {
    pub fn key_text(&self) -> Option<&str> {
        self.key.text()
    }
}

/// The entry the server uses for `key` in a mapping: the last one, since later duplicates win.
pub fn lookup<'n, 'a>(entries: &'n [Entry<'a>], key: &str) -> Option<&'n Entry<'a>> {
    entries.iter().rev().find(|e| e.key_text() == Some(key))
}
