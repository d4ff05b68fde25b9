//! YAML in the DSF server's dialect: a spanned tree (`node`), its loader (`load`), YAML 1.1
//! scalar typing (`scalar`) and JSON pointers into the tree (`pointer`).

pub mod load;
pub mod node;
pub mod pointer;
pub mod scalar;

pub use load::{Document, Limits, LoadError, LoadErrorKind, load, load_streaming};
pub use node::{Entry, Node, NodeKind, Scalar, Style, Tag};

/// Lines with their start offsets; LF, CR and CR LF end a line, as the parser counts.
pub fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        if start > bytes.len() {
            return None;
        }
        while i < bytes.len() {
            if bytes[i] == b'\n' || bytes[i] == b'\r' {
                let line = (start, &text[start..i]);
                if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                i += 1;
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
