//! Document-wide checks on the spanned tree for what the server gets silently wrong: duplicate
//! keys (last wins), aliases (read as the anchor's name), merge keys, keys that are collections,
//! and Spring placeholders (`${...}`, `#{...}`) that the server substitutes before parsing.

use crate::diag::{Code, Diagnostic, Label, Outcome};
use crate::model::instance::is_merge_key;
use crate::model::{self, Kind, Place};
use crate::source::{FileId, Span};
use crate::yaml::pointer::escape;
use crate::yaml::{Node, NodeKind};
use std::collections::{HashMap, HashSet};

pub struct Structure<'o> {
    pub file: FileId,
    pub out: &'o mut Vec<Diagnostic>,
    /// Pointers reported here; schema errors at the same place are dropped.
    pub reported: HashSet<String>,
    /// Spans of secret values (masked in snippets).
    pub secrets: Vec<Span>,
    path: Vec<String>,
}

impl<'o> Structure<'o> {
    pub fn new(file: FileId, out: &'o mut Vec<Diagnostic>) -> Self {
        Structure {
            file,
            out,
            reported: HashSet::new(),
            secrets: Vec::new(),
            path: Vec::new(),
        }
    }

    fn pointer(&self) -> String {
        let mut p = String::new();
        for t in &self.path {
            p.push('/');
            p.push_str(&escape(t));
        }
        p
    }

    fn place(&self) -> Place {
        if self.path.is_empty() {
            return Place::Unknown;
        }
        let rest: Vec<&str> = self.path[1..].iter().map(String::as_str).collect();
        model::place(&rest)
    }

    pub fn walk(&mut self, node: &Node) {
        match &node.kind {
            NodeKind::Alias { name, anchor } => self.alias(node.span, name, *anchor),
            NodeKind::Scalar(s) => {
                if !self.path.is_empty() && (s.value.contains("${") || s.value.contains("#{")) {
                    self.placeholder(node.span);
                }
            }
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.path.push(i.to_string());
                    self.walk(item);
                    self.path.pop();
                }
            }
            NodeKind::Map(entries) => {
                let mut seen: HashMap<&str, Span> = HashMap::with_capacity(entries.len());
                for e in entries {
                    let key = match &e.key.kind {
                        NodeKind::Map(_) | NodeKind::Seq(_) => {
                            let p = self.pointer();
                            self.out.push(
                                Diagnostic::new(
                                    Code::YamlComplexKey,
                                    self.file,
                                    e.key.span,
                                    "a key must be a single value, not a list or mapping",
                                )
                                .at(p)
                                .help("write the key as plain text followed by `:`"),
                            );
                            continue;
                        }
                        _ => e.key.text().unwrap_or_default(),
                    };
                    if is_merge_key(&e.key) {
                        self.merge_key(e.key.span);
                        continue;
                    }
                    if let NodeKind::Alias { name, anchor } = &e.key.kind {
                        self.path.push(key.to_string());
                        self.alias(e.key.span, name, *anchor);
                        self.path.pop();
                    }
                    if model::is_secret_name(key) {
                        self.secrets.push(secret_span(&e.value));
                    }
                    if let Some(first) = seen.insert(key, e.key.span) {
                        self.duplicate(key, first, e.key.span);
                    }
                    self.path.push(key.to_string());
                    self.walk(&e.value);
                    self.path.pop();
                }
            }
        }
    }

    fn duplicate(&mut self, key: &str, first: Span, second: Span) {
        let root = self.path.is_empty();
        let p = format!("{}/{}", self.pointer(), escape(key));
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
        self.out.push(
            Diagnostic::new(code, self.file, second, message)
                .at(p.clone())
                .label("defined again here")
                .related(Label::new(first).pointer(p).message("first defined here"))
                .help(help),
        );
    }

    fn alias(&mut self, span: Span, name: &str, anchor: Option<Span>) {
        let p = self.pointer();
        let map_expected = matches!(self.place(), Place::Connection)
            || matches!(self.place(), Place::Prop(_, prop) if matches!(prop.kind, Kind::Block(_)));
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
        self.out.push(d);
    }

    fn merge_key(&mut self, span: Span) {
        let p = format!("{}/{}", self.pointer(), escape("<<"));
        self.out.push(
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

    fn placeholder(&mut self, span: Span) {
        let p = self.pointer();
        let name = self.path.last().cloned().unwrap_or_default();
        self.out.push(
            Diagnostic::new(
                Code::SpringPlaceholder,
                self.file,
                span,
                format!(
                    "`{name}` contains `${{` or `#{{`: the server's property resolver substitutes it before the YAML is read"
                ),
            )
            .at(p)
            .label("substituted by Spring")
            .help("an unresolvable `${...}` stops the BPE; if this is literal text (say, in a password), move the secret to a `*-file` property"),
        );
    }
}

/// The part of a secret value to mask: inside the quotes of a quoted scalar, else all of it.
fn secret_span(node: &Node) -> Span {
    match &node.kind {
        NodeKind::Scalar(s)
            if matches!(
                s.style,
                crate::yaml::Style::SingleQuoted | crate::yaml::Style::DoubleQuoted
            ) && node.span.len() >= 2 =>
        {
            Span::new(node.span.start + 1, node.span.end - 1)
        }
        _ => node.span,
    }
}
