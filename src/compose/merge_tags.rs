//! Compose's merge tags on a key of a service (compose-go's `!reset` and `!override`): in a
//! later file (`-f`, an override, an `extends:` child), `!reset` drops the key's value (the
//! earlier files' and its own), `!override` replaces the earlier value instead of merging into
//! it. The YAML tree keeps no tags of collections, so they are read from the text between a
//! key and its value.

use super::tree::Tree;
use crate::source::Span;
use crate::yaml::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeTag {
    Reset,
    Override,
}

/// The merge tag written on `value`, the value of the key at `key`.
pub fn tag(text: &str, key: Span, value: &Node) -> Option<MergeTag> {
    let gap = text.get(key.end..value.span.start)?;
    // a scalar's span starts after its tag, a collection's may start at it
    let head = text
        .get(value.span.start..value.span.end)
        .filter(|v| v.starts_with('!'))
        .map_or("", |v| {
            v.split([' ', '\t', '\r', '\n']).next().unwrap_or("")
        });
    gap.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .chain([head])
        .flat_map(|l| l.split([' ', '\t', ':', '\r']))
        .find_map(|t| match t {
            "!reset" => Some(MergeTag::Reset),
            "!override" => Some(MergeTag::Override),
            _ => None,
        })
}

/// The merge tags of one service as a file writes it.
#[derive(Debug, Clone, Default)]
pub struct Tags {
    pub service: Option<MergeTag>,
    pub environment: Option<MergeTag>,
    pub env_file: Option<MergeTag>,
    pub volumes: Option<MergeTag>,
    pub secrets: Option<MergeTag>,
    pub configs: Option<MergeTag>,
    /// `environment:` entries tagged `!reset` (mapping form): the variable is dropped.
    pub reset_vars: Vec<String>,
}

impl Tags {
    /// The tags of the service `node`, whose name is written at `key`.
    pub fn of(tree: &Tree, text: &str, key: Span, node: &Node) -> Tags {
        let mut t = Tags {
            service: tag(text, key, node),
            ..Tags::default()
        };
        for (name, value, at) in tree.entries(node) {
            let found = tag(text, at, value);
            match name {
                "environment" => {
                    t.environment = found;
                    t.reset_vars = tree
                        .entries(value)
                        .into_iter()
                        .filter(|(_, v, k)| tag(text, *k, v) == Some(MergeTag::Reset))
                        .map(|(n, _, _)| n.to_string())
                        .collect();
                }
                "env_file" => t.env_file = found,
                "volumes" => t.volumes = found,
                "secrets" => t.secrets = found,
                "configs" => t.configs = found,
                _ => {}
            }
        }
        t
    }

    /// The tag on the mounts of `key` (`volumes`, `secrets`, `configs`).
    pub fn mounts(&self, key: &str) -> Option<MergeTag> {
        match key {
            "volumes" => self.volumes,
            "secrets" => self.secrets,
            _ => self.configs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};

    #[test]
    fn tags_between_a_key_and_its_value() {
        let text = "bpe: !override\n  environment: !reset {}\n  env_file: !override [a.env]\n  volumes: # c\n    !reset []\n  secrets: [x]\n";
        let doc = load(text, Limits::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let Some(root) = doc.root.as_ref() else {
            panic!("no root")
        };
        let tree = Tree::new(root);
        let (_, node, key) = tree.entries(root)[0];
        let t = Tags::of(&tree, text, key, node);
        assert_eq!(t.service, Some(MergeTag::Override));
        assert_eq!(t.environment, Some(MergeTag::Reset));
        assert_eq!(t.env_file, Some(MergeTag::Override));
        assert_eq!(t.volumes, Some(MergeTag::Reset));
        assert_eq!(t.secrets, None);
        let text = "environment:\n  A: !reset null\n  B: '!reset'\n  C: !reset\n";
        let doc = load(text, Limits::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let Some(root) = doc.root.as_ref() else {
            panic!("no root")
        };
        let tree = Tree::new(root);
        let t = Tags::of(&tree, text, Span::new(0, 0), root);
        assert_eq!(t.reset_vars, ["A", "C"]);
    }
}
