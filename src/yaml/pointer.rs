//! RFC 6901 JSON pointers into the connections document, and their resolution to the key span
//! and value span in the spanned tree. The root mapping (one entry per connection, possibly
//! thousands) is indexed once; below it, blocks are small and scanned.

use super::node::{Entry, Node, NodeKind};
use crate::source::Span;
use std::cell::RefCell;
use std::collections::HashMap;

/// Escape one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

pub fn unescape(token: &str) -> String {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~")
    } else {
        token.to_string()
    }
}

/// Append a token to a pointer.
pub fn join(pointer: &str, token: &str) -> String {
    let mut p = String::with_capacity(pointer.len() + token.len() + 1);
    p.push_str(pointer);
    p.push('/');
    p.push_str(&escape(token));
    p
}

/// Where a pointer lands: the key of the member (none for the root or a list item) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    pub key: Option<Span>,
    pub value: Span,
}

pub struct PointerIndex<'t, 'a> {
    root: Option<&'t Node<'a>>,
    /// Root key text → index of the entry the server uses (the last of duplicates).
    root_keys: HashMap<&'t str, usize>,
    /// Key indexes of large nested mappings, built when first asked (by the mapping's address),
    /// so resolving many pointers into one huge mapping never turns quadratic.
    large: RefCell<HashMap<usize, HashMap<&'t str, usize>>>,
}

/// Mappings up to this size are scanned.
const SCAN: usize = 16;

impl<'t, 'a> PointerIndex<'t, 'a> {
    pub fn new(root: Option<&'t Node<'a>>) -> Self {
        let mut root_keys = HashMap::new();
        if let Some(entries) = root.and_then(Node::as_map) {
            root_keys.reserve(entries.len());
            for (i, e) in entries.iter().enumerate() {
                if let Some(k) = e.key_text() {
                    root_keys.insert(k, i);
                }
            }
        }
        PointerIndex {
            root,
            root_keys,
            large: RefCell::new(HashMap::new()),
        }
    }

    /// The entry the server uses for `key` in `entries` (at `depth` below the root).
    fn entry(&self, depth: usize, entries: &'t [Entry<'a>], key: &str) -> Option<&'t Entry<'a>> {
        if depth == 0 {
            return self.root_keys.get(key).map(|&i| &entries[i]);
        }
        if entries.len() <= SCAN {
            return super::node::lookup(entries, key);
        }
        let mut large = self.large.borrow_mut();
        let index = large.entry(entries.as_ptr() as usize).or_insert_with(|| {
            entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| Some((e.key_text()?, i)))
                .collect()
        });
        index.get(key).map(|&i| &entries[i])
    }

    /// Index of the root entry the server uses for connection `id` (the last of duplicates).
    pub fn root_entry(&self, id: &str) -> Option<usize> {
        self.root_keys.get(id).copied()
    }

    /// Resolve `pointer`; when a token does not exist, the deepest existing ancestor is returned
    /// with `exact == false`.
    pub fn locate(&self, pointer: &str) -> Option<(Located, bool)> {
        let root = self.root?;
        let mut here = Located {
            key: None,
            value: root.span,
        };
        let mut node = root;
        let tokens = pointer.split('/').skip(1).map(unescape);
        for (depth, token) in tokens.enumerate() {
            let next = match &node.kind {
                NodeKind::Map(entries) => {
                    let entry = self.entry(depth, entries, &token);
                    entry.map(|e| {
                        (
                            Located {
                                key: Some(e.key.span),
                                value: e.value.span,
                            },
                            &e.value,
                        )
                    })
                }
                NodeKind::Seq(items) => token.parse::<usize>().ok().and_then(|i| {
                    items.get(i).map(|n| {
                        (
                            Located {
                                key: None,
                                value: n.span,
                            },
                            n,
                        )
                    })
                }),
                _ => None,
            };
            match next {
                Some((loc, n)) => {
                    here = loc;
                    node = n;
                }
                None => return Some((here, false)),
            }
        }
        Some((here, true))
    }

    pub fn node(&self, pointer: &str) -> Option<&'t Node<'a>> {
        let mut node = self.root?;
        for (depth, token) in pointer.split('/').skip(1).map(unescape).enumerate() {
            node = match &node.kind {
                NodeKind::Map(entries) => &self.entry(depth, entries, &token)?.value,
                NodeKind::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};

    #[test]
    fn escapes_round_trip() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(unescape("a~1b~0c"), "a/b~c");
        assert_eq!(join("/x", "a/b"), "/x/a~1b");
    }

    #[test]
    fn locates_last_duplicate_and_falls_back_to_ancestor() {
        let text = "c:\n  base-url: a\nc:\n  base-url: b\n  l: [x, y]\n";
        let doc = load(text, Limits::default()).ok();
        let root = doc.as_ref().and_then(|d| d.root.as_ref());
        let idx = PointerIndex::new(root);
        let (loc, exact) = idx.locate("/c/base-url").unwrap_or((
            Located {
                key: None,
                value: Span::default(),
            },
            false,
        ));
        assert!(exact);
        assert_eq!(&text[loc.value.range()], "b");
        let (loc, _) = idx.locate("/c/l/1").expect("located");
        assert_eq!(&text[loc.value.range()], "y");
        let (loc, exact) = idx.locate("/c/missing").expect("located");
        assert!(!exact);
        assert_eq!(loc.key.map(|k| &text[k.range()]), Some("c"));
    }
}
