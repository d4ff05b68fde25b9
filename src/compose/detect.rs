//! Is an input a docker compose file? By its content, never its name: a YAML mapping whose
//! `services` is a mapping of services (not a connection that happens to be called `services`,
//! which has connection properties). Also the DSF documentation's fragment: a mapping whose
//! only key is the variable, or an `environment:` block that sets it. A cheap look at the text
//! decides first, so a plain config is never parsed twice.

use super::tree::Tree;
use crate::input::ENV_VAR;
use crate::yaml::Node;

/// `--input-kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InputKind {
    /// Recognise a compose file (or fragment) by its content.
    #[default]
    Auto,
    /// A connections config, whatever it looks like.
    Config,
    /// A compose file or the docs' fragment.
    Compose,
}

pub enum Shape<'n, 'a> {
    /// A compose file: its `services` mapping.
    Compose(&'n Node<'a>),
    /// A fragment: the mapping or list that sets the variable.
    Fragment(&'n Node<'a>),
    /// `docker inspect` output: a list of containers, each a mapping with `Config.Env`.
    Inspect(&'n Node<'a>),
    Other,
}

/// Whether the text could be a compose file or fragment at all: a line starting (after
/// indentation, a `- ` or a quote) with `services:`, `environment:` or the variable.
/// Whether `text` is surely meant as a compose file: a top-level `services:` key.
pub fn is_compose_text(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("services:")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    })
}

/// Whether `text` may be `docker inspect` output: a JSON array of containers with
/// `"Config": {"Env": [...]}`.
pub fn is_inspect(text: &str) -> bool {
    text.trim_start().starts_with('[') && text.contains("\"Env\"")
}

pub fn may_be_compose(text: &str) -> bool {
    if is_inspect(text) {
        return true;
    }
    if !(text.contains("services") || text.contains("environment") || text.contains(ENV_VAR)) {
        return false;
    }
    text.lines().any(|line| {
        let l = line.trim_start();
        let l = l
            .strip_prefix("- ")
            .unwrap_or(l)
            .trim_start_matches(['"', '\'']);
        l.starts_with("services:")
            || l.starts_with("environment:")
            || l.strip_prefix(ENV_VAR)
                .is_some_and(|rest| rest.starts_with([':', '=', '"', '\'']))
    })
}

/// Keys a connection can have: a mapping holding one of them is a connection, not services.
fn is_connection_key(key: &str) -> bool {
    crate::props::CONNECTION.prop(key).is_some()
}

/// Top-level keys only a compose file has.
const COMPOSE_KEYS: [&str; 7] = [
    "version", "name", "networks", "volumes", "secrets", "configs", "include",
];

pub fn shape<'n, 'a>(tree: &Tree<'n, 'a>, root: &'n Node<'a>) -> Shape<'n, 'a> {
    let containers = tree.items(root);
    if !containers.is_empty()
        && containers.iter().all(|c| {
            tree.get(c, "Config")
                .and_then(|config| tree.get(config, "Env"))
                .is_some_and(|env| tree.resolve(env).as_map().is_none())
        })
    {
        return Shape::Inspect(root);
    }
    let entries = tree.entries(root);
    if root.as_map().is_none() {
        return Shape::Other;
    }
    if let Some((_, services, _)) = entries.iter().find(|(k, _, _)| *k == "services") {
        let keys = tree.entries(services);
        let composish = entries
            .iter()
            .any(|(k, _, _)| COMPOSE_KEYS.contains(k) || k.starts_with("x-"));
        let is_map = services.as_map().is_some();
        if is_map
            && !keys.iter().any(|(k, _, _)| is_connection_key(k))
            && (!keys.is_empty() || composish)
        {
            return Shape::Compose(services);
        }
        if services.is_null() && composish {
            return Shape::Compose(services);
        }
    }
    match entries.as_slice() {
        [(key, _, _)] if *key == ENV_VAR => Shape::Fragment(root),
        [(key, block, _)] if *key == "environment" => {
            let sets = tree.entries(block).iter().any(|(k, _, _)| *k == ENV_VAR)
                || tree.items(block).iter().any(|i| {
                    tree.text(i).is_some_and(|t| {
                        t.strip_prefix(ENV_VAR)
                            .is_some_and(|r| r.is_empty() || r.starts_with('='))
                    })
                });
            if sets {
                Shape::Fragment(block)
            } else {
                Shape::Other
            }
        }
        _ => Shape::Other,
    }
}
