//! A compose service's environment as its container receives it: the `env_file:` files first
//! (later ones win), then `environment:` (mapping form `KEY: value`, or list form
//! `- KEY=value`), each value decoded from its YAML scalar with its source map and interpolated
//! by compose's rules. `KEY:` without a value (or `- KEY`) passes the variable of the
//! environment of `docker compose` through.

use super::dotenv;
use super::embed::{self, Mapped};
use super::interpolate::{Finding, Lookup, interpolate};
use super::tree::Tree;
use crate::source::Span;
use crate::yaml::Node;
use std::path::{Path, PathBuf};

/// Which text a value is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The `i`-th compose file of the project (0: the file itself when one is read alone):
    /// an override, an included or an extended file sets the value there.
    Compose(usize),
    /// The `i`-th file of [`Env::files`].
    EnvFile(usize),
}

#[derive(Debug, Clone)]
pub enum Value {
    /// Written in a file, decoded and interpolated, with its map into that file.
    Written(Mapped),
    /// `KEY` alone: the value of the environment of `docker compose` (`None`: not set there).
    Inherited(Option<String>),
}

#[derive(Debug, Clone)]
pub struct Var {
    pub name: String,
    pub place: Place,
    /// Where the name is written.
    pub name_span: Span,
    pub value: Value,
    /// What compose's interpolation would warn about or refuse, at the expression.
    pub findings: Vec<(Span, Finding)>,
}

impl Var {
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Written(m) => Some(&m.text),
            Value::Inherited(v) => v.as_deref(),
        }
    }
}

/// An `env_file:` as read: its path and text, or why it could not be read.
#[derive(Debug, Clone)]
pub struct EnvFile {
    pub path: PathBuf,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Env {
    /// In the order compose applies them: env files, then `environment:`.
    pub vars: Vec<Var>,
    pub files: Vec<EnvFile>,
    /// Required `env_file`s compose cannot read (compose refuses to start): where each is named
    /// in the compose file, and why.
    pub unreadable: Vec<(Place, Span, String)>,
    /// Entries of `environment:` compose refuses (it does not start): where, and why.
    pub rejected: Vec<(Place, Span, &'static str)>,
}

impl Env {
    /// Bytes it holds, about: its variables (with what each costs besides its text: spans,
    /// offset maps), the env files read for it.
    pub fn bytes(&self) -> usize {
        let vars: usize = self
            .vars
            .iter()
            .map(|v| 128 + v.name.len() + 2 * v.text().map_or(0, str::len))
            .sum();
        vars + self.files.iter().map(|f| f.text.len()).sum::<usize>()
    }

    /// The variable the container gets for `name` (the last one set wins).
    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }

    /// The same environment read from the `file`-th compose file of a project.
    pub fn relocate(mut self, file: usize) -> Env {
        let at = |p: &mut Place| {
            if let Place::Compose(k) = p {
                *k = file;
            }
        };
        self.vars.iter_mut().for_each(|v| at(&mut v.place));
        self.unreadable.iter_mut().for_each(|u| at(&mut u.0));
        self.rejected.iter_mut().for_each(|r| at(&mut r.0));
        self
    }

    /// `over` merged over this one, as compose merges a service of a later file (`-f`, an
    /// override, an `extends:` child over its base): `env_file:` lists appended (a file named
    /// again stays where it was first), `environment:` entries by name, the later one winning;
    /// every `environment:` entry still wins over every env file.
    pub fn merge(self, over: Env) -> Env {
        let Env {
            vars,
            mut files,
            mut unreadable,
            mut rejected,
        } = self;
        let (mut from_files, mut written): (Vec<Var>, Vec<Var>) = vars
            .into_iter()
            .partition(|v| matches!(v.place, Place::EnvFile(_)));
        // where each of `over`'s files lands among the merged ones (`None`: already there)
        let mut index = Vec::with_capacity(over.files.len());
        for f in over.files {
            if files.iter().any(|g| g.path == f.path) {
                index.push(None);
            } else {
                index.push(Some(files.len()));
                files.push(f);
            }
        }
        for mut v in over.vars {
            match v.place {
                Place::EnvFile(i) => {
                    if let Some(Some(j)) = index.get(i) {
                        v.place = Place::EnvFile(*j);
                        from_files.push(v);
                    }
                }
                Place::Compose(_) => written.push(v),
            }
        }
        from_files.extend(written);
        unreadable.extend(over.unreadable);
        rejected.extend(over.rejected);
        Env {
            vars: from_files,
            files,
            unreadable,
            rejected,
        }
    }

    /// Without what `environment:` sets (`!reset`, `!override` of a later file).
    pub fn without_environment(mut self) -> Env {
        self.vars.retain(|v| matches!(v.place, Place::EnvFile(_)));
        self.rejected.clear();
        self
    }

    /// Without what `env_file:` sets (`!reset`, `!override` of a later file).
    pub fn without_env_files(mut self) -> Env {
        self.vars.retain(|v| matches!(v.place, Place::Compose(_)));
        self.files.clear();
        self.unreadable.clear();
        self
    }

    /// Without the `environment:` entries of `names` (each tagged `!reset`).
    pub fn without_vars(mut self, names: &[String]) -> Env {
        if !names.is_empty() {
            self.vars
                .retain(|v| matches!(v.place, Place::EnvFile(_)) || !names.contains(&v.name));
        }
        self
    }

    /// Each variable once, as the container gets it.
    pub fn effective(&self) -> Vec<&Var> {
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<&Var> = self
            .vars
            .iter()
            .rev()
            .filter(|v| seen.insert(v.name.as_str()))
            .collect();
        out.reverse();
        out
    }
}

/// A value written as a YAML scalar, decoded and interpolated.
fn written(text: &str, node: &Node, lookup: Lookup) -> Option<(Mapped, Vec<(Span, Finding)>)> {
    let scalar = node.as_scalar()?;
    let (mut m, findings) = interpolate(embed::scalar(text, node, &scalar.value), lookup);
    // compose interpolates what it reads here: a `$` written into it must be `$$`
    m.map = m.map.clone().with_encoding(m.map.encoding(), true);
    Some((m, findings))
}

/// `span` without the line breaks and blanks a block node's span runs on with (a block
/// mapping inside a list item ends at the next line's start): a mark ends at the value.
fn trimmed(text: &str, span: Span) -> Span {
    let end = text
        .get(span.start..span.end)
        .map_or(span.end, |t| span.start + t.trim_end().len());
    Span::new(span.start, end.max(span.start))
}

/// The `environment:` block (a mapping or a list) of a service or fragment.
pub fn environment<'n>(
    tree: &Tree<'n, '_>,
    text: &str,
    block: &'n Node<'_>,
    lookup: Lookup,
    rejected: &mut Vec<(Span, &'static str)>,
) -> Vec<Var> {
    let mut vars = Vec::new();
    let block = tree.resolve(block);
    if block.as_map().is_some() {
        for (name, value, name_span) in tree.entries(block) {
            if tree.resolve(value).as_scalar().is_none() && !value.is_null() {
                rejected.push((
                    trimmed(text, tree.resolve(value).span),
                    "the value of a variable must be a string, number, boolean or null, not a list or mapping",
                ));
                continue;
            }
            let var = if value.is_null() {
                Some((Value::Inherited(lookup(name)), Vec::new()))
            } else {
                written(text, value, lookup).map(|(m, f)| (Value::Written(m), f))
            };
            if let Some((value, findings)) = var {
                vars.push(Var {
                    name: name.to_string(),
                    place: Place::Compose(0),
                    name_span,
                    value,
                    findings,
                });
            }
        }
        return vars;
    }
    for item in tree.items(block) {
        let Some((m, findings)) = written(text, item, lookup) else {
            rejected.push((
                trimmed(text, item.span),
                if item.as_map().is_some() {
                    "a mapping inside the list form of `environment:`: each item must be a `KEY=value` string (or use the mapping form `KEY: value` for the whole block)"
                } else {
                    "an item of the list form of `environment:` must be a `KEY=value` string"
                },
            ));
            continue;
        };
        let (name, value) = match m.text.find('=') {
            Some(k) => (
                m.text[..k].to_string(),
                Value::Written(m.slice(k + 1..m.text.len())),
            ),
            None => (m.text.clone(), Value::Inherited(lookup(&m.text))),
        };
        let name_span = m.host_span(0..name.len());
        vars.push(Var {
            name,
            place: Place::Compose(0),
            name_span,
            value,
            findings,
        });
    }
    vars
}

/// The `Config.Env` of `docker inspect`: `KEY=value` strings as the container got them (no
/// interpolation: compose has done it).
pub fn inspected(tree: &Tree<'_, '_>, text: &str, env: &Node<'_>) -> Env {
    let mut out = Env::default();
    for item in tree.items(env) {
        let Some(scalar) = item.as_scalar() else {
            continue;
        };
        let m = embed::scalar(text, item, &scalar.value);
        let Some(k) = m.text.find('=') else {
            continue;
        };
        let name = m.text[..k].to_string();
        let name_span = m.host_span(0..k);
        out.vars.push(Var {
            name,
            place: Place::Compose(0),
            name_span,
            value: Value::Written(m.slice(k + 1..m.text.len())),
            findings: Vec::new(),
        });
    }
    out
}

/// A service's environment: `env_file:` (paths relative to `project_dir`), then `environment:`.
pub fn service_env<'n>(
    tree: &Tree<'n, '_>,
    text: &str,
    service: &'n Node<'_>,
    project_dir: &Path,
    lookup: Lookup,
) -> Env {
    let mut env = Env::default();
    if let Some(files) = tree.get(service, "env_file") {
        let items = match tree.text(files) {
            Some(_) => vec![files],
            None => tree.items(files),
        };
        for item in items {
            // `format: raw`: values as written, as compose-go reads such a file
            let raw = tree
                .get(item, "format")
                .and_then(|f| tree.text(f))
                .is_some_and(|f| f == "raw");
            let (path, required, at) = match tree.text(item) {
                Some(p) => (p.to_string(), true, item.span),
                None => {
                    let path_node = tree.get(item, "path");
                    (
                        path_node
                            .and_then(|p| tree.text(p))
                            .unwrap_or_default()
                            .to_string(),
                        tree.get(item, "required")
                            .and_then(|r| tree.text(r))
                            .is_none_or(|r| r != "false"),
                        path_node.map_or(item.span, |p| p.span),
                    )
                }
            };
            if path.is_empty() {
                continue;
            }
            let full = crate::files::container::normalize(&project_dir.join(&path));
            // an env file of settings is a few KiB; each of its variables costs some 50 times
            // its text here, and every service naming it reads it again
            const MAX_ENV_FILE: u64 = 1024 * 1024;
            let read = crate::files::read_regular_within(&full, MAX_ENV_FILE)
                .map_err(|e| match e {
                    crate::files::FileError::TooLarge(limit) => {
                        format!("larger than the {limit} bytes this tool reads of an env_file")
                    }
                    e => e.describe(),
                })
                .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".to_string()));
            let file_text = match read {
                Ok(t) => t,
                Err(why) => {
                    if required {
                        env.unreadable.push((
                            Place::Compose(0),
                            at,
                            format!("cannot read {}: {why}", full.display()),
                        ));
                    }
                    continue;
                }
            };
            let parsed = if raw {
                dotenv::parse_raw(&file_text)
            } else {
                dotenv::parse(&file_text)
            };
            let parsed = match parsed {
                Ok(p) => p,
                Err(why) => {
                    env.unreadable.push((
                        Place::Compose(0),
                        at,
                        format!("{}: {why}", full.display()),
                    ));
                    continue;
                }
            };
            let index = env.files.len();
            for r in dotenv::resolve(&parsed, lookup) {
                env.vars.push(Var {
                    name: r.name,
                    place: Place::EnvFile(index),
                    name_span: r.name_span,
                    value: Value::Written(r.value),
                    findings: r.findings,
                });
            }
            env.files.push(EnvFile {
                path: full,
                text: file_text,
            });
        }
    }
    if let Some(block) = tree.get(service, "environment") {
        let mut rejected = Vec::new();
        env.vars
            .extend(environment(tree, text, block, lookup, &mut rejected));
        env.rejected = rejected
            .into_iter()
            .map(|(span, why)| (Place::Compose(0), span, why))
            .collect();
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};

    #[test]
    fn both_forms() {
        let text = "a:\n  environment:\n    X: 1\n    Y:\n    Z: \"${SET}!\"\nb:\n  environment:\n    - X=one two\n    - Y\n    - 'Z=q'\n";
        let doc = load(text, Limits::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let Some(root) = doc.root.as_ref() else {
            panic!("no root")
        };
        let tree = Tree::new(root);
        let lookup = |n: &str| (n == "SET" || n == "Y").then(|| "v".to_string());
        for (svc, want) in [("a", ["1", "v", "v!"]), ("b", ["one two", "v", "q"])] {
            let node = tree.get(root, svc).unwrap_or(root);
            let env = service_env(&tree, text, node, Path::new("."), &lookup);
            let got: Vec<&str> = ["X", "Y", "Z"]
                .iter()
                .map(|n| env.get(n).and_then(Var::text).unwrap_or("?"))
                .collect();
            assert_eq!(got, want, "{svc}");
            if let Some(Var {
                value: Value::Written(m),
                ..
            }) = env.get("X")
            {
                assert_eq!(&text[m.host().range()], want[0]);
            }
        }
    }
}
