//! Texts for people (messages, help, labels, probe details) as typed pieces: the tool's own
//! words, and quotes of what came from outside, each kind with its own rendering. A rule never
//! copies source text into a string: it quotes it by span (`Piece::Source`), and the one
//! redactor (`secrets::Redactor`) decides, when the text is shown, what of it may be seen. So
//! an output is secret-safe because of how it is built, not because of what a later pass
//! catches.
//!
//! Build texts with [`text!`](crate::text): `text!("`{}` is not a duration: found {}", name,
//! Piece::source(file, span))`. Its arguments are pieces: `&'static str` (the tool's words),
//! numbers, [`Piece`]s and other [`Text`]s. A `String` is not a piece: words the tool composes at
//! run time (a list of accepted values, a suggestion it computed) say so with [`Piece::own`],
//! and input text goes in as a quote.

use crate::source::{FileId, Span};
use std::borrow::Cow;

/// One piece of a [`Text`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Piece {
    /// The tool's own words.
    Own(Cow<'static, str>),
    /// Source text, quoted by its span: shown as written (or as `shown`, the decoded form the
    /// message means) unless the span touches a masked region; then `****`.
    Source {
        file: FileId,
        span: Span,
        shown: Option<Box<str>>,
    },
    /// A value the tool decoded or read elsewhere (a file's content, a variable's value) that
    /// is not a secret: shown with the credentials of URLs in it masked, and every secret the
    /// run knows scrubbed.
    Value(Box<str>),
    /// A secret, named but never shown: `****`.
    Secret,
    /// Text a server sent (a probe's response): secrets the probe sent are masked in every
    /// form they travel in, and the text is made one line.
    Remote(Box<str>),
}

impl Piece {
    /// Words the tool composed itself at run time (never input text).
    pub fn own(s: impl Into<String>) -> Piece {
        Piece::Own(Cow::Owned(s.into()))
    }
    /// The source text at `span` of `file`, as written.
    pub fn source(file: FileId, span: Span) -> Piece {
        Piece::Source {
            file,
            span,
            shown: None,
        }
    }
    /// The value written at `span` of `file`, shown in its decoded form `shown`.
    pub fn decoded(file: FileId, span: Span, shown: &str) -> Piece {
        Piece::Source {
            file,
            span,
            shown: Some(shown.into()),
        }
    }
    /// A value that is not a secret (see [`Piece::Value`]).
    pub fn value(s: &str) -> Piece {
        Piece::Value(s.into())
    }
    /// Text a server sent.
    pub fn remote(s: &str) -> Piece {
        Piece::Remote(s.into())
    }
}

impl From<&'static str> for Piece {
    fn from(s: &'static str) -> Piece {
        Piece::Own(Cow::Borrowed(s))
    }
}

macro_rules! number_pieces {
    ($($t:ty),*) => {$(
        impl From<$t> for Piece {
            fn from(n: $t) -> Piece {
                Piece::Own(Cow::Owned(n.to_string()))
            }
        }
    )*};
}
number_pieces!(u8, u16, u32, u64, u128, usize, i32, i64, i128, f64, char);

/// A text for people, in pieces (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Vec<Piece>);

impl Text {
    pub fn new() -> Text {
        Text(Vec::new())
    }
    pub fn pieces(&self) -> &[Piece] {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0
            .iter()
            .all(|p| matches!(p, Piece::Own(s) if s.is_empty()))
    }
    pub fn push(&mut self, p: impl Into<Part>) {
        p.into().append_to(&mut self.0);
    }
    /// This text followed by `other`.
    pub fn then(mut self, other: impl Into<Part>) -> Text {
        self.push(other);
        self
    }

    /// `fmt` with each `{}` replaced by the next of `args` (`{{` and `}}` are braces), as
    /// [`text!`](crate::text) builds it.
    pub fn format(fmt: &'static str, args: Vec<Part>) -> Text {
        let mut out = Vec::with_capacity(2 * args.len() + 1);
        let mut args = args.into_iter();
        let mut lit = String::new();
        let mut rest = fmt;
        while let Some(i) = rest.find(['{', '}']) {
            lit.push_str(&rest[..i]);
            let tail = &rest[i..];
            if let Some(after) = tail.strip_prefix("{{") {
                lit.push('{');
                rest = after;
            } else if let Some(after) = tail.strip_prefix("}}") {
                lit.push('}');
                rest = after;
            } else if let Some(after) = tail.strip_prefix("{}") {
                if !lit.is_empty() {
                    out.push(Piece::own(std::mem::take(&mut lit)));
                }
                if let Some(a) = args.next() {
                    a.append_to(&mut out);
                }
                rest = after;
            } else {
                lit.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            out.push(Piece::own(lit));
        }
        // (more arguments than `{}`: a bug in a message; shown at the end rather than lost)
        for a in args {
            a.append_to(&mut out);
        }
        Text(out)
    }

    /// Every string piece cut to `max` characters (then `…`): a kept diagnostic stays small
    /// whatever it quotes.
    pub fn bound(&mut self, max: usize) {
        for p in &mut self.0 {
            let s: &mut dyn FnMut(&str) -> Option<String> = &mut |s: &str| {
                s.char_indices()
                    .nth(max)
                    .map(|(i, _)| format!("{}…", &s[..i]))
            };
            match p {
                Piece::Own(w) => {
                    if let Some(c) = s(w) {
                        *w = Cow::Owned(c);
                    }
                }
                Piece::Value(v) | Piece::Remote(v) => {
                    if let Some(c) = s(v) {
                        *v = c.into();
                    }
                }
                Piece::Source { shown: Some(v), .. } => {
                    if let Some(c) = s(v) {
                        *v = c.into();
                    }
                }
                Piece::Source { .. } | Piece::Secret => {}
            }
        }
    }

    /// The text without redaction, for tests and for texts that hold only the tool's words.
    /// `None` when it quotes anything.
    pub fn own_words(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.0 {
            match p {
                Piece::Own(w) => s.push_str(w),
                _ => return None,
            }
        }
        Some(s)
    }
}

/// What [`text!`](crate::text) takes as an argument: a piece or a whole text.
pub enum Part {
    One(Piece),
    Many(Text),
}

impl Part {
    fn append_to(self, out: &mut Vec<Piece>) {
        match self {
            Part::One(p) => out.push(p),
            Part::Many(t) => out.extend(t.0),
        }
    }
}

impl<T: Into<Piece>> From<T> for Part {
    fn from(p: T) -> Part {
        Part::One(p.into())
    }
}

impl From<Text> for Part {
    fn from(t: Text) -> Part {
        Part::Many(t)
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Text {
        Text(vec![Piece::from(s)])
    }
}

impl From<Piece> for Text {
    fn from(p: Piece) -> Text {
        Text(vec![p])
    }
}

/// A [`Text`] from a format string whose `{}` take pieces (see the module docs).
#[macro_export]
macro_rules! text {
    ($fmt:literal $(,)?) => {
        $crate::secrets::text::Text::format($fmt, Vec::new())
    };
    ($fmt:literal, $($arg:expr),+ $(,)?) => {
        $crate::secrets::text::Text::format(
            $fmt,
            vec![$($crate::secrets::text::Part::from($arg)),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_interleaves_pieces_and_keeps_braces() {
        let t = crate::text!(
            "`{}` is {} (${{VAR}})",
            Piece::source(0, Span::new(1, 2)),
            5usize
        );
        assert_eq!(
            t.pieces(),
            &[
                Piece::from("`"),
                Piece::source(0, Span::new(1, 2)),
                Piece::own("` is "),
                Piece::own("5"),
                Piece::own(" (${VAR})"),
            ]
        );
        assert_eq!(crate::text!("plain").own_words().as_deref(), Some("plain"));
        let nested = crate::text!("a {} c", crate::text!("b{}", 1usize));
        assert_eq!(nested.own_words().as_deref(), Some("a b1 c"));
    }
}
