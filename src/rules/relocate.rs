//! The fix of `unknown-property` for a property written beside the auth block it belongs to
//! (`password:` next to `basic-auth:`): the entry's line moves into the block, after its last
//! entry, at the block's indentation, its text (value and comment) unchanged. Only for the
//! simple shape, where a line move is exact: the entry alone on its line with a one-line
//! plain or quoted value, the block a block mapping of such lines, the property not set there.

use crate::diag::{Applicability, Edit, Fix};
use crate::secrets::Piece;
use crate::source::Span;
use crate::text;
use crate::yaml::{Entry, Node};

/// Start of the line holding `at`, and the start of the next line (after its break).
fn line_of(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let next = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    (start, next)
}

/// Whether `e` is a `key: value` alone on its line with a one-line flow value.
fn one_line(text: &str, e: &Entry) -> bool {
    let (start, next) = line_of(text, e.key.span.start);
    text[start..e.key.span.start].bytes().all(|b| b == b' ')
        && e.value.is_flow_scalar()
        && e.value.span.end <= next
        && !text[e.key.span.start..e.value.span.end].contains('\n')
}

/// Move the entry `name` of `entries` into the sibling block `home`.
pub fn into_block(
    text: &str,
    entries: &[Entry],
    name: &str,
    home: &'static str,
    shown: Piece,
) -> Option<Fix> {
    let moved = entries.iter().find(|e| e.key_text() == Some(name))?;
    let block = entries.iter().find(|e| e.key_text() == Some(home))?;
    let inner: &[Entry] = block.value.as_map()?;
    let last = inner.last()?;
    // a block mapping (not `{...}`), of one-line entries, without the property
    if text[block.value.span.start..].starts_with('{')
        || !one_line(text, moved)
        || !inner.iter().all(|e| one_line(text, e))
        || inner.iter().any(|e| e.key_text() == Some(name))
    {
        return None;
    }
    let (from, to) = line_of(text, moved.key.span.start);
    let (first_start, _) = line_of(text, inner[0].key.span.start);
    let indent = inner[0].key.span.start - first_start;
    let (_, after_last) = line_of(text, last.value.span.end.max(last.key.span.end));
    // the moved line's own content, as written (the comment too), with the text's line break
    let content = text[moved.key.span.start..to].trim_end_matches(['\n', '\r']);
    let eol = if text[from..to].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut insert = String::new();
    if !text[..after_last].ends_with('\n') {
        insert.push_str(eol);
    }
    insert.push_str(&" ".repeat(indent));
    insert.push_str(content);
    insert.push_str(eol);
    let edits = if after_last == from {
        // the line right after the block: it only gets the block's indentation
        vec![Edit::replace(Span::new(from, to), insert)]
    } else if to <= after_last || after_last < from {
        vec![
            Edit::replace(Span::new(from, to), ""),
            Edit::insert(after_last, insert),
        ]
    } else {
        return None;
    };
    Some(Fix {
        description: text!("move `{}` into `{}`", shown, Piece::own(home)),
        applicability: Applicability::Safe,
        edits,
    })
}

/// The mapping entries of `node`, when it is a mapping.
pub fn entries<'n, 'a>(node: &'n Node<'a>) -> Option<&'n [Entry<'a>]> {
    node.as_map()
}
