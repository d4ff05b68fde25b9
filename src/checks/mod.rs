//! Checks one source: YAML load, the document's shape, the structure checks, then per
//! connection the typed instance through the bundled schema and the value rules the schema
//! cannot express. Returns diagnostics; never prints.

pub mod default_trust;
pub mod durations;
pub mod files;
pub mod rules;
pub mod semantics;
pub mod structure;
pub mod syntax;
pub mod values;

use crate::defaults::Defaults;
use crate::diag::{Code, Diagnostic};
use crate::explain::{self, Explained};
use crate::files::{FileOptions, Files};
use crate::model::instance;
use crate::schema::Schema;
use crate::schema::map::{MapCtx, map_errors};
use crate::source::{FileId, SourceFile, Span};
use crate::yaml::pointer::{PointerIndex, escape};
use crate::yaml::{Entry, Limits, Node, NodeKind, load_streaming};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::HashSet;
use structure::{RootEntry, Structure};

/// What checking one source found.
#[derive(Debug)]
pub struct SourceReport {
    /// Connection ids in document order, as the server would have them (duplicates once).
    pub connections: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Spans of secret values, for masking.
    pub secrets: Vec<Span>,
    /// False when the text is not YAML at all.
    pub readable: bool,
    /// Effective settings per connection (with `explain`).
    pub explained: Vec<Explained>,
}

pub struct Checker {
    pub schema: Schema,
    pub limits: Limits,
    /// `None` with `--skip-file-checks`.
    pub files: Option<Files>,
    /// Seconds since the epoch, for certificate validity.
    pub now: i64,
    pub defaults: Defaults,
    /// Whether some connection relies on the default trust store.
    uses_default_trust: Cell<bool>,
    /// Also compute each connection's effective settings.
    pub explain: bool,
}

impl Checker {
    pub fn new(limits: Limits, files: FileOptions, defaults: Defaults) -> Result<Checker, String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Ok(Checker {
            schema: Schema::bundled()?,
            limits,
            files: (!files.skip).then(|| Files::new(files)),
            now,
            defaults,
            uses_default_trust: Cell::new(false),
            explain: false,
        })
    }

    /// Checks that concern the whole run rather than one input: the default trust store.
    pub fn finish(&self, out: &mut Vec<Diagnostic>) {
        if let (true, Some(files)) = (self.uses_default_trust.get(), &self.files) {
            default_trust::check(&self.defaults, files, out);
        }
    }

    /// An https connection (or OIDC provider) without its own trust store uses the default one.
    fn note_default_trust(&self, value: &Value) {
        let needs = |block: Option<&Value>| {
            block.is_some_and(|b| {
                b.get("trusted-root-certificates-file").is_none()
                    && b.get("base-url")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.trim_start().to_ascii_lowercase().starts_with("https:"))
            })
        };
        if needs(Some(value)) || needs(value.get("oidc-auth")) {
            self.uses_default_trust.set(true);
        }
    }

    pub fn check(&self, file: FileId, source: &SourceFile) -> SourceReport {
        let mut report = SourceReport {
            connections: Vec::new(),
            diagnostics: Vec::new(),
            secrets: Vec::new(),
            readable: true,
            explained: Vec::new(),
        };
        let text = source.text.as_str();
        // a blank value is a valid config with zero connections, as in the server
        if text.trim().is_empty() {
            return report;
        }
        let mut structure = Structure::new(file);
        let mut connection_diags = Vec::new();
        let mut ids: HashSet<String> = HashSet::new();
        // connections are checked one by one as the parser completes them, then dropped
        let mut on_entry = |entry: Entry| {
            let RootEntry::Connection(id) = structure.root_entry(&entry) else {
                return;
            };
            if ids.insert(id.to_string()) {
                report.connections.push(id.to_string());
            }
            let explained = self.check_connection(
                file,
                source,
                entry,
                &structure.reported,
                &mut connection_diags,
            );
            report.explained.extend(explained);
        };
        let loaded = load_streaming(text, self.limits, Some(&mut on_entry));
        report.diagnostics = structure.diagnostics;
        report.diagnostics.append(&mut connection_diags);
        report.secrets = structure.secrets;
        let doc = match loaded {
            Ok(doc) => doc,
            Err(e) => {
                report.diagnostics.push(syntax::diagnostic(file, text, &e));
                report.readable = false;
                return report;
            }
        };
        if let Some(span) = doc.second_document {
            report.diagnostics.push(
                Diagnostic::new(
                    Code::YamlMultipleDocuments,
                    file,
                    span,
                    "a second YAML document starts here; the server reads only the first and ignores the rest",
                )
                .label("ignored from here on")
                .help("put every connection into one mapping, and remove this `---`"),
            );
        }
        let Some(root) = doc.root.as_ref() else {
            let first = text.find('#').unwrap_or(0);
            let end = text[first..].find('\n').map_or(text.len(), |i| first + i);
            report.diagnostics.push(
                Diagnostic::new(
                    Code::RootNoContent,
                    file,
                    Span::new(first, end),
                    "the config holds only comments: the server fails with \"no content to map\"",
                )
                .help("add connections, or leave the variable empty (blank means no connections, which is valid)"),
            );
            return report;
        };
        match &root.kind {
            NodeKind::Map(_) => {}
            _ if root.is_null() => report.diagnostics.push(
                Diagnostic::new(
                    Code::RootNull,
                    file,
                    first_token(text, root.span),
                    "the config is null: the server fails on it with a NullPointerException",
                )
                .help("remove the `~`/`null`/`---`, or leave the variable empty for no connections"),
            ),
            _ => report.diagnostics.push(
                Diagnostic::new(
                    Code::RootNotMapping,
                    file,
                    root.span,
                    format!(
                        "the config must be a mapping of connection ids, found {}",
                        root.kind_name()
                    ),
                )
                .label("not a mapping")
                .help("write `my-connection-id:` at the start of a line, then its properties indented below it"),
            ),
        }
        report
    }

    /// Schema and value rules for one connection.
    fn check_connection(
        &self,
        file: FileId,
        source: &SourceFile,
        entry: Entry,
        reported: &HashSet<String>,
        out: &mut Vec<Diagnostic>,
    ) -> Option<Explained> {
        let id = entry.key_text().map(str::to_string)?;
        let line = source.position(entry.key.span.start).line;
        let value = instance::connection(&entry.value);
        self.note_default_trust(&value);
        // a root holding just this connection, so pointers resolve as in the whole document
        let root = Node {
            span: entry.key.span.cover(entry.value.span),
            kind: NodeKind::Map(vec![entry]),
        };
        let index = PointerIndex::new(Some(&root));
        let ptr = format!("/{}", escape(&id));
        let ctx = rules::RuleCtx {
            file,
            ptr: &ptr,
            instance: &value,
            index: &index,
            files: self.files.as_ref(),
            now: self.now,
        };
        let mut found = Vec::new();
        for rule in rules::RULES {
            rule(&ctx, &mut found);
        }
        // a value the structure checks reported (an alias) is not judged again
        found.retain(|d| !reported.contains(&d.pointer));
        out.append(&mut found);
        let mut wrapper = Map::with_capacity(1);
        wrapper.insert(id, value);
        let wrapper = Value::Object(wrapper);
        let ctx = MapCtx {
            file,
            text: &source.text,
            index: &index,
            schema: &self.schema,
            reported,
        };
        map_errors(&ctx, self.schema.validator().iter_errors(&wrapper), out);
        if !self.explain {
            return None;
        }
        let ctx = explain::Context {
            source,
            index: &index,
            defaults: &self.defaults,
            files: self.files.as_ref(),
            now: self.now,
        };
        let id = wrapper.as_object()?.keys().next()?.clone();
        Some(explain::explain(&ctx, &id, line, wrapper.get(&id)?))
    }
}

/// A null root written as `---` alone has an empty span: point at the first non-blank line.
fn first_token(text: &str, span: Span) -> Span {
    if !span.is_empty() {
        return span;
    }
    let start = text.len() - text.trim_start().len();
    let end = text[start..]
        .find(['\r', '\n'])
        .map_or(text.len(), |i| start + i);
    Span::new(start, end)
}
