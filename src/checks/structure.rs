//! Document-wide checks on the spanned tree for what the server gets silently wrong: duplicate
//! keys (last wins), aliases (read as the anchor's name), merge keys, keys that are collections,
//! and Spring placeholders (`${...}`, `#{...}`) that the server substitutes before parsing. Also
//! collects the spans of secret values for masking.

use crate::diag::{Code, Diagnostic, Label, Outcome};
use crate::model::instance::is_merge_key;
use crate::model::{self, Kind, Place};
use crate::source::{FileId, Span};
use crate::yaml::pointer::escape;
use crate::yaml::{Entry, Node, NodeKind, Style};
use std::collections::{HashMap, HashSet};

/// A step of the path to the node being checked.
#[derive(Clone, Copy)]
enum Tok<'n> {
    Key(&'n str),
    Index(usize),
}

pub struct Structure {
    pub file: FileId,
    pub diagnostics: Vec<Diagnostic>,
    /// Pointers reported here; schema errors at the same place are dropped.
    pub reported: HashSet<String>,
    /// Spans of secret values (masked in snippets).
    pub secrets: Vec<Span>,
    /// Connection ids seen so far, with the span of their key.
    ids: HashMap<String, Span>,
}

/// What the caller should do with a root entry.
pub enum RootEntry<'n> {
    /// Check it as connection `id`.
    Connection(&'n str),
    /// Not a connection (a merge key or a complex key): reported, nothing more to check.
    Skip,
}

impl Structure {
    pub fn new(file: FileId) -> Self {
        Structure {
            file,
            diagnostics: Vec::new(),
            reported: HashSet::new(),
            secrets: Vec::new(),
            ids: HashMap::new(),
        }
    }

    /// Check one entry of the root mapping (a connection) and everything below it.
    pub fn root_entry<'n>(&mut self, e: &'n Entry) -> RootEntry<'n> {
        let mut path = Vec::with_capacity(4);
        let Some(id) = self.key(e, &mut path) else {
            return RootEntry::Skip;
        };
        if let Some(first) = self.ids.get(id).copied() {
            self.duplicate(&path, id, first, e.key.span);
        } else {
            self.ids.insert(id.to_string(), e.key.span);
        }
        path.push(Tok::Key(id));
        self.walk(&e.value, &mut path);
        RootEntry::Connection(id)
    }

    /// The text of an entry's key, after the checks every key gets; `None` to skip the entry.
    fn key<'n>(&mut self, e: &'n Entry, path: &mut Vec<Tok<'n>>) -> Option<&'n str> {
        match &e.key.kind {
            NodeKind::Map(_) | NodeKind::Seq(_) => {
                let d = Diagnostic::new(
                    Code::YamlComplexKey,
                    self.file,
                    e.key.span,
                    "a key must be a single value, not a list or mapping",
                )
                .at(pointer(path))
                .help("write the key as plain text followed by `:`");
                self.diagnostics.push(d);
                return None;
            }
            _ if is_merge_key(&e.key) => {
                self.merge_key(path, e.key.span);
                return None;
            }
            NodeKind::Alias { name, anchor } => {
                path.push(Tok::Key(name));
                self.alias(path, e.key.span, name, *anchor);
                path.pop();
            }
            NodeKind::Scalar(_) => {}
        }
        let key = e.key.text().unwrap_or_default();
        if model::is_secret_name(key) {
            self.secrets.push(secret_span(&e.value));
        }
        Some(key)
    }

    fn walk<'n>(&mut self, node: &'n Node, path: &mut Vec<Tok<'n>>) {
        match &node.kind {
            NodeKind::Alias { name, anchor } => self.alias(path, node.span, name, *anchor),
            NodeKind::Scalar(s) => {
                if has_placeholder(&s.value) {
                    self.placeholder(path, node.span);
                }
            }
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Tok::Index(i));
                    self.walk(item, path);
                    path.pop();
                }
            }
            NodeKind::Map(entries) => {
                // blocks are small, so a linear scan beats hashing; a huge (hostile) mapping
                // gets a map, so duplicate detection never turns quadratic
                let mut seen: Option<HashMap<&str, Span>> =
                    (entries.len() > 16).then(|| HashMap::with_capacity(entries.len()));
                for (i, e) in entries.iter().enumerate() {
                    let Some(key) = self.key(e, path) else {
                        continue;
                    };
                    let first = match seen.as_mut() {
                        Some(seen) => seen.get(key).copied().or_else(|| {
                            seen.insert(key, e.key.span);
                            None
                        }),
                        None => entries[..i]
                            .iter()
                            .find(|p| p.key.text() == Some(key) && !is_merge_key(&p.key))
                            .map(|p| p.key.span),
                    };
                    if let Some(first) = first {
                        self.duplicate(path, key, first, e.key.span);
                    }
                    path.push(Tok::Key(key));
                    self.walk(&e.value, path);
                    path.pop();
                }
            }
        }
    }

    fn duplicate(&mut self, path: &[Tok], key: &str, first: Span, second: Span) {
        let root = path.is_empty();
        let p = format!("{}/{}", pointer(path), escape(key));
        let (code, message, help) = if root {
            (
                Code::DuplicateConnectionId,
                format!("connection `{key}` is defined twice"),
                "the server silently keeps only the last definition: rename one or merge them",
            )
        } else {
            (
                Code::YamlDuplicateKey,
                format!("`{key}` appears twice here"),
                "the server silently uses the last one: remove the one you do not want",
            )
        };
        self.diagnostics.push(
            Diagnostic::new(code, self.file, second, message)
                .at(p.clone())
                .label("defined again here")
                .related(Label::new(first).pointer(p).message("first defined here"))
                .help(help),
        );
    }

    fn alias(&mut self, path: &[Tok], span: Span, name: &str, anchor: Option<Span>) {
        let p = pointer(path);
        let map_expected = match place(path) {
            Place::Connection => true,
            Place::Prop(_, prop) => matches!(prop.kind, Kind::Block(_)),
            _ => false,
        };
        let mut d = Diagnostic::new(
            Code::YamlAlias,
            self.file,
            span,
            format!(
                "alias `*{name}` is not resolved by the DSF server: it reads the text `{name}`"
            ),
        )
        .at(p.clone())
        .label("read as text")
        .help("write the value out in full; the server's YAML reader does not expand aliases");
        if map_expected {
            d = d.outcome(Some(Outcome::NoConnections));
        }
        if let Some(a) = anchor {
            d = d.related(Label::new(a).message("anchor defined here"));
        }
        self.reported.insert(p);
        self.diagnostics.push(d);
    }

    fn merge_key(&mut self, path: &[Tok], span: Span) {
        let p = format!("{}/{}", pointer(path), escape("<<"));
        self.diagnostics.push(
            Diagnostic::new(
                Code::YamlMergeKey,
                self.file,
                span,
                "merge keys (`<<`) are not supported by the DSF server: it reads `<<` as an unknown property",
            )
            .at(p)
            .label("merge key")
            .help("repeat the shared properties in each connection instead"),
        );
    }

    fn placeholder(&mut self, path: &[Tok], span: Span) {
        let name = match path.last() {
            Some(Tok::Key(k)) => k.to_string(),
            Some(Tok::Index(_)) | None => "a value".to_string(),
        };
        self.diagnostics.push(
            Diagnostic::new(
                Code::SpringPlaceholder,
                self.file,
                span,
                format!(
                    "`{name}` contains `${{` or `#{{`: the server's property resolver substitutes it before the YAML is read"
                ),
            )
            .at(pointer(path))
            .label("substituted by Spring")
            .help("an unresolvable `${...}` stops the BPE; if this is literal text (say, in a password), move the secret to a `*-file` property"),
        );
    }
}

fn has_placeholder(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[1] == b'{' && matches!(w[0], b'$' | b'#'))
}

fn pointer(path: &[Tok]) -> String {
    let mut p = String::new();
    for t in path {
        p.push('/');
        match t {
            Tok::Key(k) => p.push_str(&escape(k)),
            Tok::Index(i) => p.push_str(&i.to_string()),
        }
    }
    p
}

fn place(path: &[Tok]) -> Place {
    if path.is_empty() {
        return Place::Unknown;
    }
    let rest: Vec<String> = path[1..]
        .iter()
        .map(|t| match t {
            Tok::Key(k) => k.to_string(),
            Tok::Index(i) => i.to_string(),
        })
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    model::place(&rest)
}

/// The part of a secret value to mask: inside the quotes of a quoted scalar, else all of it.
fn secret_span(node: &Node) -> Span {
    match &node.kind {
        NodeKind::Scalar(s)
            if matches!(s.style, Style::SingleQuoted | Style::DoubleQuoted)
                && node.span.len() >= 2 =>
        {
            Span::new(node.span.start + 1, node.span.end - 1)
        }
        _ => node.span,
    }
}
