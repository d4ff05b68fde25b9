//! Checks one source, in one direction: the text-level rules, then the YAML parser, which hands
//! over each connection as soon as it is complete; per connection the structure rules on the
//! spanned tree, the bundled schema on its typed instance, the resolved model, and the rules on
//! that model. Connections are dropped once checked (unless `explain` or the probes need their
//! models), so memory follows one connection, not the file. Diagnostics go into the sink;
//! nothing is printed here.

use crate::defaults::Defaults;
use crate::diag::Diagnostic;
use crate::diag::filter::Sink;
use crate::files::{FileOptions, FileService};
use crate::model::{Connection, Trust, instance, resolve};
use crate::rules::schema_errors::{MapCtx, Path, Seg, map_errors};
use crate::rules::{self, document, input, structure, syntax};
use crate::schema::Schema;
use crate::source::{FileId, SourceFile, Span};
use crate::yaml::{Entry, Limits, Node, NodeKind, load_streaming};
use serde_json::{Map, Value};
use std::collections::HashSet;
use structure::{RootEntry, Structure};

/// What checking one source found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Connection ids in document order, as the server would have them (duplicates once).
    pub connections: Vec<String>,
    /// The resolved connections (only when asked to keep them).
    pub models: Vec<Connection>,
    /// Spans of secret values, for masking.
    pub secrets: Vec<Span>,
    /// The secret values as decoded, to keep out of every output.
    pub secret_values: std::collections::HashSet<String>,
    /// False when the text is not YAML at all.
    pub readable: bool,
    /// What the text's patterns (and, without a whole tree, the text scan) found to mask.
    pub text_masks: Option<Vec<Span>>,
    /// Whether the secrets layer walked the tree of the whole text (no syntax error, no second
    /// document the parser left unread).
    pub whole_tree: bool,
}

pub struct Checker {
    schema: std::sync::Arc<Schema>,
    limits: Limits,
    /// `None` with `--skip-file-checks`.
    pub files: Option<FileService>,
    pub defaults: Defaults,
    ctx: rules::Ctx,
    /// Keep up to this many resolved connections (for `explain` and the probes).
    pub keep_models: usize,
    /// Whether the run wants resolved connections at all (then those beyond `keep_models` are
    /// counted as left out).
    pub wants_models: bool,
    /// Connections resolved but not kept (beyond `keep_models`).
    pub models_dropped: usize,
    /// Whether some connection relies on the default trust store.
    uses_default_trust: bool,
    /// For a negative `DEFAULT_TIMEOUT_CONNECT` / `_READ`: whether some client built at
    /// start-up uses it.
    negative_default_at_startup: [bool; 2],
}

impl Checker {
    pub fn new(files: FileOptions, defaults: Defaults) -> Result<Checker, String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Ok(Checker {
            schema: Schema::shared()?,
            limits: Limits::default(),
            ctx: rules::Ctx {
                now,
                path_maps: !files.path_maps.is_empty(),
                container: files.container.clone(),
                proxy: false,
                once: Default::default(),
            },
            files: (!files.skip).then(|| FileService::new(files)),
            defaults,
            keep_models: 0,
            wants_models: false,
            models_dropped: 0,
            uses_default_trust: false,
            negative_default_at_startup: [false; 2],
        })
    }

    /// Whether the server's forward proxy is on (see [`rules::proxy::enabled`]).
    pub fn set_proxy(&mut self, enabled: bool) {
        self.ctx.proxy = enabled;
    }

    pub fn check(&mut self, file: FileId, source: &SourceFile, sink: &mut Sink) -> Checked {
        let mut checked = self.check_text(file, source, sink);
        // with a tree, the secrets layer walked it; without one, the text scan stands in
        checked.text_masks = Some(if checked.whole_tree {
            crate::secrets::masks::config_patterns(&source.text)
        } else {
            crate::secrets::masks::text_masks(&source.text)
        });
        checked
    }

    fn check_text(&mut self, file: FileId, source: &SourceFile, sink: &mut Sink) -> Checked {
        let mut checked = Checked {
            readable: true,
            ..Checked::default()
        };
        // a blank value is a valid config with zero connections, as in the server
        if source.text.trim().is_empty() {
            sink.push(input::blank(file, &source.kind));
            return checked;
        }
        sink.extend(syntax::line_separators(file, &source.text));
        sink.extend(syntax::unprintable(file, &source.text));
        // NEL, LS and PS become LF for our parser, at the same offsets: lines as the server sees them
        let server_text = crate::yaml::with_server_breaks(&source.text);
        let text = server_text.as_ref();
        sink.extend(syntax::directives(file, text));
        let mut structure = Structure::new(file);
        let mut secrets = crate::secrets::tree::Collector::default();
        let mut uses_default_trust = false;
        let mut negative_default = [false; 2];
        let mut dropped = 0;
        let this = &*self;
        // connections are checked one by one as the parser completes them, then dropped
        let mut on_entry = |entry: &Entry| {
            secrets.connection(text, entry);
            let RootEntry::Connection { id, first } = structure.root_entry(entry, sink) else {
                return;
            };
            // identity by the whole key (`first`); everything shown names it cut (a
            // megabyte-long key would be copied into every message and pointer of the connection)
            let id = crate::yaml::pointer::bounded(id).into_owned();
            if first {
                checked.connections.push(id.clone());
            }
            if let Some(model) = this.connection(file, text, entry, &id, &structure.reported, sink)
            {
                uses_default_trust |= relies_on_default_trust(&model);
                let used = default_timeouts_at_startup(&model);
                negative_default[0] |= used[0];
                negative_default[1] |= used[1];
                if checked.models.len() < this.keep_models {
                    checked.models.push(model);
                } else if this.wants_models {
                    dropped += 1;
                }
            }
        };
        // a large config (a generated one: 10,000 connections are 2 MB) is parsed on a second core
        // beside the checks; a small one on this thread, where a thread would cost more than it
        // saves
        let loaded = if text.len() >= PARALLEL_FROM {
            parse_beside(text, self.limits, &mut on_entry)
        } else {
            load_streaming(text, self.limits, Some(&mut |e: Entry| on_entry(&e)))
        };
        self.uses_default_trust |= uses_default_trust;
        self.negative_default_at_startup[0] |= negative_default[0];
        self.negative_default_at_startup[1] |= negative_default[1];
        self.models_dropped += dropped;
        checked.secrets = secrets.spans;
        checked.secret_values = secrets.values;
        let doc = match loaded {
            Ok(doc) => doc,
            Err(e) => {
                sink.push(syntax::diagnostic(file, text, &e));
                checked.readable = false;
                return checked;
            }
        };
        if !doc.scalars.is_empty() || text.contains('\t') {
            sink.extend(syntax::tabs(file, text, &doc.scalars));
        }
        // a root that is not a mapping of connections: the secrets layer walks it whole
        if let Some(root) = doc.root.as_ref().filter(|r| r.as_map().is_none()) {
            let mut c = crate::secrets::tree::Collector::default();
            c.document(text, root);
            checked.secrets.extend(c.spans);
            checked.secret_values.extend(c.values);
        }
        checked.whole_tree = doc.second_document.is_none();
        if let Some(span) = doc.second_document {
            sink.push(document::second_document(file, span));
        }
        match doc.root.as_ref() {
            None => sink.push(document::no_content(file, text)),
            Some(Node {
                kind: NodeKind::Map(_),
                ..
            }) => {}
            Some(root) if root.is_null() => sink.push(document::root_null(file, text, root)),
            Some(root) => sink.push(document::root_not_mapping(file, root)),
        }
        checked
    }

    /// Schema, resolution and rules for one connection; its model when it is a mapping.
    fn connection(
        &self,
        file: FileId,
        text: &str,
        entry: &Entry,
        id: &str,
        reported: &HashSet<String>,
        sink: &mut Sink,
    ) -> Option<Connection> {
        let value = instance::connection(&entry.value);
        let map_ctx = MapCtx {
            file,
            text,
            entry,
            schema: &self.schema,
            reported,
            quiet: sink.full(),
        };
        // a connection that is not a mapping (`c: https://x`, a list, nothing) has one verdict,
        // the schema's type error: given without building and validating an instance (a file
        // of a million one-line connections)
        if !value.is_object() && matches!(entry.value.kind, NodeKind::Scalar(_) | NodeKind::Seq(_))
        {
            let path = Path(vec![Seg::Key(id.to_string())]);
            if reported.is_empty() || !reported.contains(&path.pointer()) {
                let value = Some(&entry.value);
                let d = rules::properties::connection_not_mapping(&map_ctx, &path, value);
                sink.push(d);
            }
            return None;
        }
        let mut wrapper = Map::with_capacity(1);
        wrapper.insert(id.to_string(), value);
        let wrapper = Value::Object(wrapper);
        let instance = wrapper.get(id).unwrap_or(&Value::Null);
        if !self.schema.validator().is_valid(&wrapper) {
            let errors = self.schema.validator().iter_errors(&wrapper);
            map_errors(&map_ctx, errors, sink);
        }
        let ctx = resolve::Context {
            file,
            defaults: &self.defaults,
            files: self.files.as_ref(),
            container: self.ctx.container.as_deref(),
        };
        let model = resolve::connection(&ctx, entry, id, instance)?;
        let mut found: Vec<Diagnostic> = Vec::new();
        for check in rules::CONNECTION_CHECKS {
            check(&self.ctx, &model, &mut found);
        }
        // a value a structure rule reported (an alias) is not judged again
        sink.extend(
            found
                .into_iter()
                .filter(|d| reported.is_empty() || !reported.contains(&d.pointer)),
        );
        Some(model)
    }

    /// What concerns the whole run rather than one input: the default trust store. Returns a
    /// note for the summary when there is nothing worth a diagnostic.
    pub fn finish(&self, sink: &mut Sink) -> Option<crate::secrets::Text> {
        let d = &self.defaults;
        for (i, t) in [&d.connect_timeout, &d.read_timeout]
            .into_iter()
            .enumerate()
        {
            if t.value.is_negative() {
                sink.push(rules::durations::negative_default(
                    t,
                    self.negative_default_at_startup[i],
                ));
            }
        }
        if !self.uses_default_trust {
            return None;
        }
        let d = &self.defaults.trust_store;
        // in a compose service's container: through its mounts (also without file checks)
        let mut mounted = false;
        if let Some(container) = self.ctx.container.as_deref() {
            match container.find(&d.value) {
                (_, crate::files::Found::Host(_)) => mounted = true,
                (inside, crate::files::Found::Unmounted(u)) => {
                    let builtin = d.origin == crate::defaults::Origin::BuiltIn;
                    if builtin || matches!(u, crate::files::Unmounted::NotOnHost { .. }) {
                        // worth a note only when files are checked at all
                        self.files.as_ref()?;
                        return Some(crate::text!(
                            "the default trust store {} of service `{}` is not mounted from this machine: it was not checked",
                            crate::secrets::Piece::value(&inside.display().to_string()),
                            crate::secrets::Piece::value(&container.service)
                        ));
                    }
                    let found =
                        rules::compose::unmounted(&self.ctx, &d.value, &inside, &u, |rule, m| {
                            Diagnostic::new(rule, d.file, d.span, m).at("")
                        });
                    sink.extend(found);
                    return None;
                }
            }
        }
        let files = self.files.as_ref()?;
        let store = files.default_trust(&d.value);
        // a missing store only matters when the user named it or mapped its folder here
        let mapped = mounted
            || files
                .options
                .path_maps
                .iter()
                .any(|(c, _)| std::path::Path::new(&d.value).starts_with(c))
            || files.options.base_dir.is_some();
        let meaningful = d.origin != crate::defaults::Origin::BuiltIn || mapped;
        match rules::defaults::check(&store, d.file, d.span, meaningful) {
            Ok(diag) => {
                sink.extend(diag);
                None
            }
            Err(note) => Some(note),
        }
    }
}

/// Texts of at least this many bytes are parsed on a thread of their own (see [`parse_beside`]):
/// the 10,000-connection benchmark (2 MB) takes 0.7x the time with it; a config of a few
/// dozen connections gains nothing.
const PARALLEL_FROM: usize = 256 * 1024;

/// Entries handed from the parsing thread to the checking one at a time: enough to make the
/// hand-over cost nothing next to the work, few enough to keep memory at a few connections.
const BATCH: usize = 64;

/// [`load_streaming`] on a second thread, `on_entry` on this one: parsing (a third of the time
/// of a large config) and checking the connections already parsed run side by side, in the
/// order the parser completes them, so the diagnostics are the same as on one thread. Checked
/// batches go back to the parser to be freed where they were allocated (freeing another
/// thread's memory costs the allocator a lock per block).
fn parse_beside<'a>(
    text: &'a str,
    limits: Limits,
    on_entry: &mut dyn FnMut(&Entry<'a>),
) -> Result<crate::yaml::Document<'a>, crate::yaml::LoadError> {
    // at most this many batches wait: a slow check holds the parser back, not memory
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Entry<'a>>>(4);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<Vec<Entry<'a>>>();
    std::thread::scope(|s| {
        let parser = std::thread::Builder::new().spawn_scoped(s, move || {
            let mut batch = Vec::with_capacity(BATCH);
            let mut hand_over = |entry: Entry<'a>| {
                batch.push(entry);
                if batch.len() == BATCH {
                    let next = match done_rx.try_recv() {
                        Ok(mut checked) => {
                            checked.clear();
                            checked
                        }
                        Err(_) => Vec::with_capacity(BATCH),
                    };
                    // the checking side is gone only when it panicked: parse on, it is cheap
                    let _ = tx.send(std::mem::replace(&mut batch, next));
                }
            };
            let loaded = load_streaming(text, limits, Some(&mut hand_over));
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            loaded
        });
        let Ok(parser) = parser else {
            // no second thread to be had (a process limit): parse on this one
            return load_streaming(text, limits, Some(&mut |e: Entry<'a>| on_entry(&e)));
        };
        for batch in rx {
            batch.iter().for_each(&mut *on_entry);
            // (once the parser is done, nobody takes them back: they are freed here)
            let _ = done_tx.send(batch);
        }
        // a panic while parsing is a bug like any other: it ends the run here, as it would have
        parser
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// An https connection (or OIDC provider) without its own trust store uses the default one.
/// Which of the default connect and read timeouts a client the server builds at start-up uses
/// (a connection's FHIR client when tested at start-up, the OIDC client of every connection with
/// `oidc-auth`), when the connection does not set its own.
fn default_timeouts_at_startup(c: &Connection) -> [bool; 2] {
    let default = |t: &crate::model::Timeout| t.setting.at().is_none();
    let mut used = [false; 2];
    if c.fhir_client_at_startup() {
        used[0] |= default(&c.connect_timeout);
        used[1] |= default(&c.read_timeout);
    }
    if let Some(o) = c.oidc_auth.get().filter(|_| c.oidc_client_at_startup()) {
        used[0] |= default(&o.connect_timeout);
        used[1] |= default(&o.read_timeout);
    }
    used
}

fn relies_on_default_trust(c: &Connection) -> bool {
    let https = |url: Option<&String>| {
        url.is_some_and(|u| u.trim_start().to_ascii_lowercase().starts_with("https:"))
    };
    let own = |t: &Trust| matches!(t, Trust::Own { .. });
    (https(c.base_url.as_ref().and_then(|s| s.ok())) && !own(&c.trust))
        || c.oidc_auth
            .get()
            .is_some_and(|o| https(o.base_url.as_ref().and_then(|s| s.ok())) && !own(&o.trust))
}
