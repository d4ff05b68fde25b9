//! Compose interpolates every value of a compose file (not only the environment: `image:`,
//! labels, paths, `x-*` extensions) and refuses to start on an invalid `${...}` or an unset
//! required variable anywhere. This walk finds those outside `services.*.environment` (whose
//! values are judged per variable, `service`), each node once (aliases repeat nodes).

use super::embed;
use super::interpolate::{Finding, FindingKind, Lookup, interpolate};
use super::tree::Tree;
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use std::collections::HashSet;

/// Whether compose refuses the file for this finding (the others are warnings at most).
pub fn fatal(f: &Finding) -> bool {
    matches!(f.kind, FindingKind::Invalid | FindingKind::Required { .. })
}

/// A fatal finding in words, for an error line.
pub fn describe(f: &Finding) -> String {
    match &f.kind {
        FindingKind::Required { name, .. } => format!("required variable {name} is not set"),
        _ => "invalid interpolation".to_string(),
    }
}

/// Where (`services.bpe.image`) and what compose refuses in the values of `root`.
pub fn refused(
    tree: &Tree<'_, '_>,
    text: &str,
    root: &Node<'_>,
    lookup: Lookup,
) -> Vec<(Span, String, Finding)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut path = Vec::new();
    walk(tree, text, root, &mut path, lookup, &mut seen, &mut out);
    out
}

fn walk<'n>(
    tree: &Tree<'n, '_>,
    text: &str,
    node: &'n Node<'_>,
    path: &mut Vec<String>,
    lookup: Lookup,
    seen: &mut HashSet<(usize, usize)>,
    out: &mut Vec<(Span, String, Finding)>,
) {
    let node = tree.resolve(node);
    if !seen.insert((node.span.start, node.span.end)) {
        return;
    }
    match &node.kind {
        NodeKind::Map(_) => {
            for (key, value, _) in tree.entries(node) {
                // a service's variables are judged with their names
                if path.len() == 2 && path[0] == "services" && key == "environment" {
                    continue;
                }
                path.push(key.to_string());
                walk(tree, text, value, path, lookup, seen, out);
                path.pop();
            }
        }
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(format!("[{i}]"));
                walk(tree, text, item, path, lookup, seen, out);
                path.pop();
            }
        }
        NodeKind::Scalar(s) if s.value.contains('$') => {
            let (_, found) = interpolate(embed::scalar(text, node, &s.value), lookup);
            let at = path.join(".").replace(".[", "[");
            for (span, f) in found.into_iter().filter(|(_, f)| fatal(f)) {
                out.push((span, at.clone(), f));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};

    #[test]
    fn every_value_but_the_environment_each_node_once() {
        let text = "x-a: &a \"${A:?boom}\"\nservices:\n  s:\n    image: ${B-x}\n    labels: [*a, \"${ C}\"]\n    environment:\n      E: ${D:?no}\n";
        let doc = load(text, Limits::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let Some(root) = doc.root.as_ref() else {
            panic!("no root")
        };
        let got: Vec<(String, &str)> = refused(&Tree::new(root), text, root, &|_| None)
            .into_iter()
            .map(|(span, at, _)| (at, &text[span.range()]))
            .collect();
        assert_eq!(
            got,
            [
                ("x-a".to_string(), "${A:?boom}"),
                ("services.s.labels[1]".to_string(), "${ C}")
            ]
        );
    }
}
