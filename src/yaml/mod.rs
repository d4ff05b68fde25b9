//! YAML in the DSF server's dialect: a spanned tree (`node`), its loader (`load`), YAML 1.1
//! scalar typing (`scalar`) and JSON pointers into the tree (`pointer`).

pub mod flow;
pub mod load;
pub mod node;
pub mod pointer;
pub mod scalar;

pub use load::{Document, Limits, LoadError, LoadErrorKind, load, load_streaming};
pub use node::{Entry, Node, NodeKind, Scalar, Style, Tag};

/// Quote characters of word processors and web pages that YAML does not take as quotes, with
/// their Unicode names: a value wrapped in them keeps them as part of the value.
pub const TYPOGRAPHIC: &[(char, &str)] = &[
    ('\u{2019}', "U+2019 RIGHT SINGLE QUOTATION MARK"),
    ('\u{2018}', "U+2018 LEFT SINGLE QUOTATION MARK"),
    ('\u{201C}', "U+201C LEFT DOUBLE QUOTATION MARK"),
    ('\u{201D}', "U+201D RIGHT DOUBLE QUOTATION MARK"),
    ('\u{201E}', "U+201E DOUBLE LOW-9 QUOTATION MARK"),
    (
        '\u{00AB}',
        "U+00AB LEFT-POINTING DOUBLE ANGLE QUOTATION MARK",
    ),
    (
        '\u{00BB}',
        "U+00BB RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK",
    ),
    ('\u{00B4}', "U+00B4 ACUTE ACCENT"),
    ('\u{2032}', "U+2032 PRIME"),
];

/// The name of a typographic quote character.
pub fn typographic(c: char) -> Option<&'static str> {
    TYPOGRAPHIC.iter().find(|(t, _)| *t == c).map(|(_, n)| *n)
}

/// The length of the line break starting at `i`, if one does: LF, CR, CR LF, and the YAML 1.1
/// breaks NEL, LS and PS (the server's parser counts them; editors mostly do too).
pub fn break_len(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'\n' => Some(1),
        b'\r' => Some(if bytes.get(i + 1) == Some(&b'\n') {
            2
        } else {
            1
        }),
        0xC2 if bytes.get(i + 1) == Some(&0x85) => Some(2),
        0xE2 if bytes.get(i + 1) == Some(&0x80)
            && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
        {
            Some(3)
        }
        _ => None,
    }
}

/// Lines with their start offsets, as the server's parser counts them (see [`break_len`]).
pub fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        if start > bytes.len() {
            return None;
        }
        while i < bytes.len() {
            // jump to the next byte that can start a line break
            match bytes[i..]
                .iter()
                .position(|&b| matches!(b, b'\n' | b'\r' | 0xC2 | 0xE2))
            {
                Some(k) => i += k,
                None => {
                    i = bytes.len();
                    break;
                }
            }
            if let Some(n) = break_len(bytes, i) {
                let line = (start, &text[start..i]);
                i += n;
                start = i;
                return Some(line);
            }
            i += 1;
        }
        let line = (start, &text[start..]);
        start = bytes.len() + 1;
        Some(line)
    })
}

/// The text our YAML 1.2 parser reads: NEL, LS and PS, line breaks to the server's YAML 1.1
/// parser, become blanks and a LF of the same byte length, so both see the same lines and every
/// offset stays valid in the original text.
pub fn with_server_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() || !text.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{85}' => out.push_str(" \n"),
            '\u{2028}' | '\u{2029}' => out.push_str("  \n"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}
