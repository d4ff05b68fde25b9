//! Schema errors in the operator's words. Each validator error is dispatched by its keyword to
//! the rule that words it (`rules::properties`, `rules::values`, `rules::durations`), anchored
//! where the mistake is: an unknown property on its key, a bad value on the value, a missing
//! property on the enclosing block's key, a conflict on both keys. Spans are found by walking
//! the error's instance path (its segments) through the spanned tree; the validator's own text,
//! which can embed the instance (and secrets), is never used. The validator's version is pinned
//! exactly in Cargo.toml, and every branch here has a test.

use crate::diag::{Diagnostic, Outcome};
use crate::props::{self, Block, Place};
use crate::rules::{self, Rule};
use crate::schema::Schema;
use crate::secrets::{Piece, Text};
use crate::source::{FileId, Span};
use crate::yaml::pointer::escape;
use crate::yaml::{Entry, Node, NodeKind};
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind as K;
use jsonschema::paths::LocationSegment;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A path into the connections document, as unescaped segments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(pub Vec<Seg>);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Path {
    fn of(e: &ValidationError) -> Path {
        Path(
            e.instance_path()
                .iter()
                .map(|s| match s {
                    LocationSegment::Property(p) => Seg::Key(p.to_string()),
                    LocationSegment::Index(i) => Seg::Index(i),
                })
                .collect(),
        )
    }
    pub fn child(&self, name: &str) -> Path {
        let mut p = self.0.clone();
        p.push(Seg::Key(name.to_string()));
        Path(p)
    }
    pub fn parent(&self) -> Path {
        Path(self.0[..self.0.len().saturating_sub(1)].to_vec())
    }
    /// RFC 6901 pointer.
    pub fn pointer(&self) -> String {
        let mut p = String::new();
        for s in &self.0 {
            p.push('/');
            match s {
                Seg::Key(k) => p.push_str(&escape(k)),
                Seg::Index(i) => p.push_str(&i.to_string()),
            }
        }
        p
    }
    /// The last segment as text: the property, connection id or list index.
    pub fn name(&self) -> String {
        match self.0.last() {
            Some(Seg::Key(k)) => k.clone(),
            Some(Seg::Index(i)) => i.to_string(),
            None => String::new(),
        }
    }
    pub fn depth(&self) -> usize {
        self.0.len()
    }
    /// What the path designates in the server's model.
    pub fn place(&self) -> Place {
        if self.0.is_empty() {
            return Place::Unknown;
        }
        let rest: Vec<String> = self.0[1..]
            .iter()
            .map(|s| match s {
                Seg::Key(k) => k.clone(),
                Seg::Index(i) => i.to_string(),
            })
            .collect();
        let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
        props::place(&rest)
    }
    /// The block definition of the object at this path (a connection or an auth block).
    pub fn block(&self) -> &'static Block {
        match self.place() {
            Place::Prop(_, p) => match p.kind {
                props::Kind::Block(b) => b,
                _ => &props::CONNECTION,
            },
            _ => &props::CONNECTION,
        }
    }
    /// "connection `c`" or "`cert-auth`", for messages.
    pub fn label(&self) -> String {
        match self.depth() {
            0 => "the document".to_string(),
            1 => format!("connection `{}`", self.name()),
            _ => format!("`{}`", self.name()),
        }
    }
}

/// Where a path lands in the tree.
#[derive(Debug, Clone, Copy)]
pub struct Found<'t, 'a> {
    /// The key of the member (none for a list item or the root).
    pub key: Option<Span>,
    pub value: Span,
    pub node: &'t Node<'a>,
    /// False when the walk stopped at an ancestor.
    pub exact: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Key,
    Value,
}

pub struct MapCtx<'x, 'a> {
    pub file: FileId,
    pub text: &'x str,
    /// The connection being checked (the document's only entry, as far as paths go).
    pub entry: &'x Entry<'a>,
    pub schema: &'x Schema,
    /// Pointers a structure rule already reported (an alias, say): no second diagnostic there.
    pub reported: &'x HashSet<String>,
    /// The diagnostics are only counted ([`Sink::full`](crate::diag::filter::Sink::full)):
    /// their code, severity and place must be right, their texts are never read.
    pub quiet: bool,
}

/// The entry the server uses for `key` (the last of duplicates); large mappings get an index,
/// so many lookups into one hostile mapping stay linear.
fn member<'t, 'a>(
    entries: &'t [Entry<'a>],
    key: &str,
    index: Option<&HashMap<&'t str, usize>>,
) -> Option<&'t Entry<'a>> {
    match index {
        Some(ix) => ix.get(key).map(|&i| &entries[i]),
        None => crate::yaml::node::lookup(entries, key),
    }
}

fn index_of<'t>(entries: &'t [Entry]) -> Option<HashMap<&'t str, usize>> {
    (entries.len() > 16).then(|| {
        entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((e.key_text()?, i)))
            .collect()
    })
}

impl<'x, 'a> MapCtx<'x, 'a> {
    pub fn find(&self, path: &Path) -> Found<'x, 'a> {
        let entry = self.entry;
        let mut here = Found {
            key: Some(entry.key.span),
            value: entry.value.span,
            node: &entry.value,
            exact: true,
        };
        let mut segs = path.0.iter();
        match segs.next() {
            Some(Seg::Key(id)) if entry.key_text() == Some(id.as_str()) => {}
            // the document itself, or another connection: the connection's key is nearest
            _ => {
                here.exact = path.0.is_empty();
                return here;
            }
        }
        for seg in segs {
            let next = match (&here.node.kind, seg) {
                (NodeKind::Map(entries), Seg::Key(k)) => {
                    member(entries, k, None).map(|e| (Some(e.key.span), &e.value))
                }
                (NodeKind::Seq(items), Seg::Index(i)) => items.get(*i).map(|n| (None, n)),
                _ => None,
            };
            match next {
                Some((key, node)) => {
                    here = Found {
                        key,
                        value: node.span,
                        node,
                        exact: true,
                    };
                }
                None => {
                    here.exact = false;
                    return here;
                }
            }
        }
        here
    }

    /// The span to mark for `path`: its key or its value; an empty value (`key:` alone) or a
    /// path that does not exist marks the nearest key; an empty list item (`-` alone) its dash.
    pub fn span(&self, path: &Path, anchor: Anchor) -> Span {
        let f = self.find(path);
        let span = match (anchor, f.key) {
            (Anchor::Key, Some(k)) => k,
            (_, Some(k)) if !f.exact || f.value.is_empty() => k,
            _ => f.value,
        };
        if !span.is_empty() {
            return span;
        }
        let before = self.text.get(..span.start).unwrap_or("");
        match before
            .trim_end_matches([' ', '\t'])
            .char_indices()
            .next_back()
        {
            Some((i, '-')) => Span::new(i, i + 1),
            _ => span,
        }
    }

    /// The name at the end of `path` for a message: a property of the server's model in the
    /// tool's words, a list index as a number, anything else quoted from where it is written.
    pub fn name(&self, path: &Path) -> Piece {
        match path.0.last() {
            Some(Seg::Key(k)) => match props::static_name(k) {
                Some(s) => Piece::from(s),
                None => {
                    let f = self.find(path);
                    match (f.exact, f.key) {
                        (true, Some(span)) => Piece::decoded(self.file, span, k),
                        // (not in the tree: only the tool's own paths get here)
                        _ => Piece::value(k),
                    }
                }
            },
            Some(Seg::Index(i)) => Piece::from(*i),
            None => Piece::from(""),
        }
    }

    /// "connection `c`", "`cert-auth`" or "the document", for messages.
    pub fn label(&self, path: &Path) -> Text {
        match path.depth() {
            0 => Text::from("the document"),
            1 => crate::text!("connection `{}`", self.name(path)),
            _ => crate::text!("`{}`", self.name(path)),
        }
    }

    /// The scalar at `path` for a message, in its decoded form, quoted from where it is
    /// written (`None` when it is not a scalar).
    pub fn scalar(&self, path: &Path) -> Option<Piece> {
        let f = self.find(path);
        let text = f.node.text().filter(|_| f.exact)?;
        Some(Piece::decoded(self.file, f.node.span, text.trim()))
    }

    pub fn diag(
        &self,
        rule: &'static Rule,
        path: &Path,
        anchor: Anchor,
        message: impl Into<crate::secrets::Text>,
    ) -> Diagnostic {
        let d = Diagnostic::new(rule, self.file, self.span(path, anchor), message);
        if self.quiet { d } else { d.at(path.pointer()) }
    }

    /// `errorMessage` / `x-dsf-outcome` annotations on the schema node holding the failed
    /// keyword.
    pub fn annotation(&self, schema_path: &str) -> (Option<String>, Option<Outcome>) {
        let (parent, keyword) = schema_path.rsplit_once('/').unwrap_or(("", schema_path));
        let Some(node) = self.schema.node(parent) else {
            return (None, None);
        };
        let msg = node
            .get("errorMessage")
            .and_then(|m| m.get(keyword))
            .and_then(|m| m.as_str())
            .map(str::to_string);
        let outcome = node
            .get("x-dsf-outcome")
            .and_then(|m| m.get(keyword))
            .and_then(|m| m.as_str())
            .and_then(|o| match o {
                "does-not-start" => Some(Outcome::DoesNotStart),
                "no-connections" => Some(Outcome::NoConnections),
                _ => None,
            });
        (msg, outcome)
    }

    /// Which present property of the object at `path` asked (by `dependentRequired` at
    /// `schema_path`) for `wanted`.
    pub fn dependent_trigger(&self, path: &Path, schema_path: &str, wanted: &str) -> String {
        self.schema
            .node(schema_path)
            .and_then(|m| m.as_object())
            .and_then(|m| {
                m.iter().find_map(|(k, v)| {
                    let wants = v.as_array()?.iter().any(|x| x.as_str() == Some(wanted));
                    (wants && self.find(&path.child(k)).exact).then(|| k.clone())
                })
            })
            .unwrap_or_default()
    }
}

/// The last keyword of a schema path, and the property a `dependentSchemas` entry is for.
fn dependent_schema_of(schema_path: &str) -> Option<String> {
    let segs: Vec<&str> = schema_path.split('/').collect();
    segs.iter()
        .position(|s| *s == "dependentSchemas")
        .and_then(|i| segs.get(i + 1))
        .map(|s| crate::yaml::pointer::unescape(s))
}

pub fn map_errors<'e>(
    ctx: &MapCtx,
    errors: impl Iterator<Item = ValidationError<'e>>,
    out: &mut crate::diag::filter::Sink,
) {
    let errors: Vec<(Path, ValidationError<'e>)> = errors.map(|e| (Path::of(&e), e)).collect();
    // (object, property) a misspelt key stands for: a "missing" error for it is the same mistake
    // (a few per connection: a list is all it takes)
    let mut typos: Vec<(Path, &'static str)> = Vec::new();
    for (path, e) in &errors {
        if let K::AdditionalProperties { unexpected } = e.kind() {
            for name in unexpected {
                if let crate::suggest::Suggestion::Rename(r) =
                    crate::suggest::property(name, path.block())
                {
                    typos.push((path.clone(), r));
                }
            }
        }
    }
    let is_typo = |p: &Path, prop: &str| typos.iter().any(|(o, t)| o == p && *t == prop);
    // `required` errors for one object are merged into one diagnostic
    let mut missing: BTreeMap<Path, Vec<String>> = BTreeMap::new();
    for (path, e) in &errors {
        let schema_path = e.schema_path().as_str();
        if !ctx.reported.is_empty() && ctx.reported.contains(&path.pointer()) {
            continue;
        }
        match e.kind() {
            K::AdditionalProperties { unexpected } => {
                let found = ctx.find(path);
                let entries = found.node.as_map().unwrap_or_default();
                let index = index_of(entries);
                for name in unexpected {
                    let key = member(entries, name, index.as_ref()).map(|e| e.key.span);
                    out.push(rules::properties::unknown_property(ctx, path, name, key));
                }
            }
            K::Required { property } => {
                let prop = property.as_str().unwrap_or_default().to_string();
                if schema_path.ends_with("/dependentRequired") {
                    let trigger = ctx.dependent_trigger(path, schema_path, &prop);
                    out.push(rules::properties::needs_partner(ctx, path, &trigger, &prop));
                } else {
                    missing.entry(path.clone()).or_default().push(prop);
                }
            }
            K::AnyOf { context } => {
                let typo = context.iter().flatten().any(|b| match b.kind() {
                    K::Required { property } => is_typo(path, property.as_str().unwrap_or("")),
                    _ => false,
                });
                if !typo {
                    out.push(rules::properties::any_of(ctx, path, schema_path, context));
                }
            }
            K::MinProperties { .. } => {
                out.push(rules::properties::empty_block(ctx, path, schema_path));
            }
            K::FalseSchema => {
                let first = dependent_schema_of(schema_path);
                out.push(rules::properties::conflict(ctx, path, first.as_deref()));
            }
            K::Type { .. } | K::Pattern { .. } => {
                let pattern = matches!(e.kind(), K::Pattern { .. });
                if let Some(d) = bad_value(ctx, path, pattern) {
                    out.push(d);
                }
            }
            other => out.push(rules::properties::invalid_value(ctx, path, other.keyword())),
        }
    }
    for (path, mut props) in missing {
        props.retain(|p| !is_typo(&path, p));
        if !props.is_empty() {
            out.push(rules::properties::missing(ctx, &path, &props));
        }
    }
}

/// A `type` or `pattern` error, worded by what the server reads at that place.
fn bad_value(ctx: &MapCtx, path: &Path, pattern: bool) -> Option<Diagnostic> {
    let found = ctx.find(path);
    let node = found.exact.then_some(found.node);
    Some(match path.place() {
        Place::Connection => rules::properties::connection_not_mapping(ctx, path, node),
        Place::Prop(_, prop) => match prop.kind {
            props::Kind::Bool => rules::values::invalid_boolean(ctx, path, node),
            props::Kind::Duration => rules::durations::invalid_duration(ctx, path, node),
            props::Kind::Secret if !pattern => rules::values::secret_not_string(ctx, path, node),
            props::Kind::Text | props::Kind::Secret | props::Kind::Audience if pattern => {
                rules::values::blank(ctx, path)
            }
            kind => rules::properties::invalid_type(ctx, path, node, kind),
        },
        Place::AudienceItem => rules::values::audience_item(ctx, path, node),
        Place::Unknown => return None,
    })
}

#[cfg(test)]
mod tests;
