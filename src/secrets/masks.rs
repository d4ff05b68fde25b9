//! Where secrets are in each source, for whatever shows it: the secret values the parsed tree
//! found (relocated into the host file for embedded sources), and what the text scan finds
//! where the tree cannot say.

use super::scan::{flag_secrets, scan};
use super::url::url_secrets;
use crate::source::{FileId, SourceDb, Span};

/// Every region to mask when `file` is shown, sorted and disjoint.
pub fn masks(db: &SourceDb, file: FileId) -> Vec<Span> {
    let text = &db.get(file).text;
    let mut regions = tree_masks(text, db.masks(file));
    regions.extend_from_slice(&scanned(db.get(file)));
    merge(text, regions)
}

/// [`text_masks`] of a source: found beside its check (`Checker::check` runs the scan on a
/// second thread), or now.
pub(crate) fn scanned(src: &crate::source::SourceFile) -> std::borrow::Cow<'_, [Span]> {
    match &src.text_masks {
        Some(m) => std::borrow::Cow::Borrowed(m),
        None => std::borrow::Cow::Owned(text_masks(&src.text)),
    }
}

/// The parsed tree's secret spans, each ending with its last character that is not white
/// space: the span of a block scalar (`|`, `>-`) runs over its trailing line breaks into the
/// next line's indentation, which a mask must leave alone (`****foo: 1`).
pub(crate) fn tree_masks(text: &str, mut spans: Vec<Span>) -> Vec<Span> {
    for s in &mut spans {
        if let Some(t) = text.get(s.start..s.end.min(text.len())) {
            s.end = s.start + t.trim_end().len();
        }
    }
    spans
}

/// What the text alone says to mask: values after secret keys, credentials in URLs and on
/// command lines.
pub fn text_masks(text: &str) -> Vec<Span> {
    let mut out = scan(text);
    out.extend(url_secrets(text));
    out.extend(flag_secrets(text));
    // the scans find some values twice (`?token=…` is a query value and a secret key's value):
    // joined now, what is kept is one span per masked region
    crate::source::merge_spans(out)
}

pub(crate) fn merge(text: &str, mut regions: Vec<Span>) -> Vec<Span> {
    regions.retain(|s| !s.is_empty() && s.end <= text.len());
    let mut merged = crate::source::merge_spans(regions);
    // whole characters only
    for m in &mut merged {
        while !text.is_char_boundary(m.start) {
            m.start -= 1;
        }
        while !text.is_char_boundary(m.end) {
            m.end += 1;
        }
    }
    merged
}
