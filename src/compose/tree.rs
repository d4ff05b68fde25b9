//! Reading a compose file's YAML tree the way compose does, on top of our spanned tree (which
//! keeps aliases unresolved, as the DSF server does): `*alias` stands for the anchored node,
//! and a merge key `<<: *base` (or `<<: [*a, *b]`) adds the entries of the anchored mappings
//! that the mapping does not set itself. Compose files use both for shared service settings.

use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use std::collections::HashMap;

pub struct Tree<'n, 'a> {
    /// Nodes by span, for aliases (an alias knows the span of its anchored node).
    nodes: HashMap<(usize, usize), &'n Node<'a>>,
}

/// Merge keys nest at most this deep (a cycle through aliases cannot hang the walk).
const MAX_MERGE_DEPTH: usize = 16;

impl<'n, 'a> Tree<'n, 'a> {
    pub fn new(root: &'n Node<'a>) -> Tree<'n, 'a> {
        let mut nodes = HashMap::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            nodes.entry((n.span.start, n.span.end)).or_insert(n);
            match &n.kind {
                NodeKind::Map(entries) => {
                    for e in entries {
                        stack.push(&e.value);
                        stack.push(&e.key);
                    }
                }
                NodeKind::Seq(items) => stack.extend(items.iter()),
                _ => {}
            }
        }
        Tree { nodes }
    }

    /// The node itself, or the anchored node an alias stands for.
    pub fn resolve(&self, node: &'n Node<'a>) -> &'n Node<'a> {
        let mut n = node;
        for _ in 0..MAX_MERGE_DEPTH {
            match &n.kind {
                NodeKind::Alias {
                    anchor: Some(span), ..
                } => match self.nodes.get(&(span.start, span.end)) {
                    Some(target) => n = target,
                    None => return n,
                },
                _ => return n,
            }
        }
        n
    }

    /// A mapping's entries as compose sees them: aliases resolved, merge keys expanded (the
    /// mapping's own keys win, then the merged mappings in order). Not a mapping: none.
    pub fn entries(&self, node: &'n Node<'a>) -> Vec<(&'n str, &'n Node<'a>, Span)> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        self.collect(self.resolve(node), 0, &mut seen, &mut out);
        out
    }

    /// `seen`: mappings already merged in this expansion. Merging one twice adds nothing (its
    /// keys are there already), and without it `<<: [*a, *a, ...]` nested a few levels deep
    /// would be exponential.
    fn collect(
        &self,
        node: &'n Node<'a>,
        depth: usize,
        seen: &mut std::collections::HashSet<(usize, usize)>,
        out: &mut Vec<(&'n str, &'n Node<'a>, Span)>,
    ) {
        if !seen.insert((node.span.start, node.span.end)) {
            return;
        }
        let Some(entries) = node.as_map() else { return };
        // where each key is in `out`: a hostile mapping of many keys stays linear
        let mut at: HashMap<&'n str, usize> = HashMap::with_capacity(entries.len());
        let mut merged: Vec<&'n Node<'a>> = Vec::new();
        for e in entries {
            let Some(key) = e.key.text() else { continue };
            if key == "<<" && e.key.as_scalar().is_some_and(|s| s.style.is_plain()) {
                match &self.resolve(&e.value).kind {
                    NodeKind::Seq(items) => merged.extend(items.iter().map(|i| self.resolve(i))),
                    _ => merged.push(self.resolve(&e.value)),
                }
                continue;
            }
            let entry = (key, self.resolve(&e.value), e.key.span);
            // a later duplicate replaces an earlier one, as in compose's YAML reader
            match at.get(key) {
                Some(&i) => out[i] = entry,
                None => {
                    at.insert(key, out.len());
                    out.push(entry);
                }
            }
        }
        if depth >= MAX_MERGE_DEPTH {
            return;
        }
        for m in merged {
            let mut more = Vec::new();
            self.collect(m, depth + 1, seen, &mut more);
            for entry in more {
                if !at.contains_key(entry.0) {
                    at.insert(entry.0, out.len());
                    out.push(entry);
                }
            }
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, node: &'n Node<'a>, key: &str) -> Option<&'n Node<'a>> {
        self.entries(node)
            .into_iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, v, _)| v)
    }

    /// A sequence's items, aliases resolved (not a sequence: none).
    pub fn items(&self, node: &'n Node<'a>) -> Vec<&'n Node<'a>> {
        match &self.resolve(node).kind {
            NodeKind::Seq(items) => items.iter().map(|i| self.resolve(i)).collect(),
            _ => Vec::new(),
        }
    }

    /// A scalar's text (numbers and booleans as written); `None` for null and collections.
    pub fn text(&self, node: &'n Node<'a>) -> Option<&'n str> {
        let n = self.resolve(node);
        if n.is_null() {
            return None;
        }
        n.as_scalar().map(|s| s.value.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};

    #[test]
    fn aliases_and_merge_keys() {
        let text = "x-env: &env\n  A: 1\n  B: 2\ns:\n  <<: *env\n  B: 3\n  C: *env\n";
        let doc = load(text, Limits::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let Some(root) = doc.root.as_ref() else {
            panic!("no root")
        };
        let t = Tree::new(root);
        let s = t.get(root, "s").unwrap_or(root);
        let keys: Vec<(&str, Option<&str>)> = t
            .entries(s)
            .iter()
            .map(|(k, v, _)| (*k, t.text(v)))
            .collect();
        assert_eq!(keys, vec![("B", Some("3")), ("C", None), ("A", Some("1"))]);
        let c = t.get(s, "C").unwrap_or(root);
        assert_eq!(t.entries(c).len(), 2);
    }
}
