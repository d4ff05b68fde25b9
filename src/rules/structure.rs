//! Document-wide rules on the spanned tree, for what the server gets silently wrong or cannot
//! read: duplicate keys (the last one wins, except that a key beyond the number of properties a
//! block can hold is a parse error), aliases (read as the anchor's name), merge keys, keys that
//! are collections, and Spring placeholders (`${...}`, `#{...}`) substituted before parsing.

use super::Rule;
use crate::diag::filter::Sink;
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::model::instance::is_merge_key;
use crate::props::{self, Block, CONNECTION, Kind, Place};
use crate::secrets::{Piece, Text};
use crate::source::{FileId, Span};
use crate::text;
use crate::yaml::pointer::escape;
use crate::yaml::{Entry, Node, NodeKind};
use std::collections::{HashMap, HashSet};

pub static YAML_DUPLICATE_KEY: Rule = Rule {
    fix: None,
    name: "yaml-duplicate-key",
    severity: Severity::Error,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a key appears twice in one mapping",
    docs: r##"**What:** A key appears twice in one mapping.

**Why it matters:** The server silently uses the last value; the first one is lost without a word.

Bad:

```yaml
fhir:
  base-url: https://a/fhir
  base-url: https://b/fhir
```

**Fix:** Remove the one you do not want."##,
};
pub static DUPLICATE_CONNECTION_ID: Rule = Rule {
    fix: None,
    name: "duplicate-connection-id",
    severity: Severity::Error,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a connection id is defined twice",
    docs: r##"**What:** A connection id is defined twice.

**Why it matters:** The server keeps only the last definition, so the first connection silently disappears.

Bad:

```yaml
fhir:
  base-url: https://a/fhir
fhir:
  base-url: https://b/fhir
```

**Fix:** Give each connection its own id."##,
};
pub static YAML_ALIAS: Rule = Rule {
    fix: None,
    name: "yaml-alias",
    severity: Severity::Error,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "an alias (`*name`), which the server does not resolve",
    docs: r##"**What:** An alias (`*name`).

**Why it matters:** The server's YAML reader does not expand aliases: `base-url: *u` becomes the text `u`. Where a mapping is expected (`cert-auth: *shared`), the config fails to load.

Bad:

```yaml
a:
  base-url: &u https://x/fhir
b:
  base-url: *u
```

**Fix:** Write the value out in full."##,
};
pub static YAML_MERGE_KEY: Rule = Rule {
    fix: None,
    name: "yaml-merge-key",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a merge key (`<<`), which the server does not support",
    docs: r##"**What:** A merge key (`<<: *base`).

**Why it matters:** The server reads `<<` as an unknown property and starts with no connections.

Bad:

```yaml
defaults: &defaults
  connect-timeout: PT5S
a:
  <<: *defaults
  base-url: https://x/fhir
```

**Fix:** Repeat the shared properties in each connection."##,
};
pub static YAML_COMPLEX_KEY: Rule = Rule {
    fix: None,
    name: "yaml-complex-key",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a key that is a list or mapping",
    docs: r##"**What:** A key that is itself a list or mapping.

**Why it matters:** The server cannot read it and starts with no connections.

Bad:

```yaml
? [a, b]
: x
```

**Fix:** Use plain text keys."##,
};
pub static SPRING_PLACEHOLDER: Rule = Rule {
    fix: None,
    name: "spring-placeholder",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "`${` or `#{` in a value, which the server substitutes before reading the YAML",
    docs: r##"**What:** A value contains `${` or `#{`.

**Why it matters:** Spring resolves the whole variable before the YAML is read: `${NAME}` is substituted (an unresolvable one stops the BPE) and `#{...}` is evaluated, so a password containing them is changed.

Bad:

```yaml
    password: 'pa${ss'
```

**Fix:** Move such secrets into a file (`password-file`)."##,
};
/// A step of the path to the node being checked: a key with the span of where it is written.
#[derive(Clone, Copy)]
enum Tok<'n> {
    Key(&'n str, Span),
    Index(usize),
}

pub struct Structure {
    pub file: FileId,
    /// Pointers reported here; schema errors at the same place are dropped.
    pub reported: HashSet<String>,
    /// Connection ids seen so far, with the span of their key.
    ids: HashMap<String, Span>,
}

/// What the caller should do with a root entry.
pub enum RootEntry<'n> {
    /// Check it as connection `id` (`first`: not a duplicate of an earlier one).
    Connection { id: &'n str, first: bool },
    /// Not a connection (a merge key or a complex key): reported, nothing more to check.
    Skip,
}

impl Structure {
    pub fn new(file: FileId) -> Self {
        Structure {
            file,
            reported: HashSet::new(),
            ids: HashMap::new(),
        }
    }

    /// Check one entry of the root mapping (a connection) and everything below it.
    pub fn root_entry<'n>(&mut self, e: &'n Entry, out: &mut Sink) -> RootEntry<'n> {
        let mut path = Vec::with_capacity(4);
        let Some(id) = self.key(e, &mut path, out) else {
            return RootEntry::Skip;
        };
        let earlier = self.ids.get(id).copied();
        match earlier {
            Some(span) => self.duplicate(&path, id, span, e.key.span, None, out),
            None => {
                self.ids.insert(id.to_string(), e.key.span);
            }
        }
        path.push(Tok::Key(id, e.key.span));
        self.walk(&e.value, &mut path, out);
        RootEntry::Connection {
            id,
            first: earlier.is_none(),
        }
    }

    /// The text of an entry's key, after the checks every key gets; `None` to skip the entry.
    fn key<'n>(
        &mut self,
        e: &'n Entry,
        path: &mut Vec<Tok<'n>>,
        out: &mut Sink,
    ) -> Option<&'n str> {
        match &e.key.kind {
            NodeKind::Map(_) | NodeKind::Seq(_) => {
                let d = Diagnostic::new(
                    &YAML_COMPLEX_KEY,
                    self.file,
                    e.key.span,
                    "a key must be a single value, not a list or mapping",
                )
                .at(pointer(path))
                .help("write the key as plain text followed by `:`");
                out.push(d);
                return None;
            }
            _ if is_merge_key(&e.key) => {
                self.merge_key(path, e.key.span, out);
                return None;
            }
            NodeKind::Alias { name, anchor } => {
                path.push(Tok::Key(name, e.key.span));
                self.alias(path, e.key.span, name, *anchor, out);
                path.pop();
            }
            NodeKind::Scalar(_) => {}
        }
        let key = e.key.text().unwrap_or_default();
        Some(key)
    }

    fn walk<'n>(&mut self, node: &'n Node, path: &mut Vec<Tok<'n>>, out: &mut Sink) {
        match &node.kind {
            NodeKind::Alias { name, anchor } => self.alias(path, node.span, name, *anchor, out),
            NodeKind::Scalar(s) => {
                if has_placeholder(&s.value) {
                    self.placeholder(path, node.span, out);
                }
            }
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Tok::Index(i));
                    self.walk(item, path, out);
                    path.pop();
                }
            }
            NodeKind::Map(entries) => self.mapping(entries, path, out),
        }
    }

    fn mapping<'n>(&mut self, entries: &'n [Entry], path: &mut Vec<Tok<'n>>, out: &mut Sink) {
        let block = block_of(path);
        // blocks are small, so a linear scan beats hashing; a huge (hostile) mapping gets a map,
        // so duplicate detection never turns quadratic
        let mut seen: Option<HashMap<&str, Span>> =
            (entries.len() > 16).then(|| HashMap::with_capacity(entries.len()));
        // the server's record types take each property once; after all of them, any further
        // key is a parse error
        let mut known: Vec<&str> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let Some(key) = self.key(e, path, out) else {
                continue;
            };
            let full = block.is_some_and(|b| known.len() == b.props.len());
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
                self.duplicate(path, key, first, e.key.span, block.filter(|_| full), out);
            } else if block.is_some_and(|b| b.prop(key).is_some()) {
                known.push(key);
            }
            path.push(Tok::Key(key, e.key.span));
            self.walk(&e.value, path, out);
            path.pop();
        }
    }

    /// The key `key` written at `at`, for a message: a property of the server's model in the
    /// tool's words, anything else (a connection id, an unknown key) quoted from where it is
    /// written.
    fn name(&self, key: &str, at: Span) -> Piece {
        match props::static_name(key) {
            Some(name) => Piece::from(name),
            None => Piece::decoded(self.file, at, key),
        }
    }

    fn duplicate(
        &mut self,
        path: &[Tok],
        key: &str,
        first: Span,
        second: Span,
        full: Option<&'static Block>,
        out: &mut Sink,
    ) {
        let rule = if path.is_empty() {
            &DUPLICATE_CONNECTION_ID
        } else {
            &YAML_DUPLICATE_KEY
        };
        if out.full() {
            // only counted: the code, severity and place are what matter
            out.push(Diagnostic::new(rule, self.file, second, Text::new()));
            return;
        }
        let p = format!("{}/{}", pointer(path), escape(key));
        let d = if path.is_empty() {
            Diagnostic::new(
                &DUPLICATE_CONNECTION_ID,
                self.file,
                second,
                text!(
                    "connection `{}` is defined twice",
                    Piece::decoded(self.file, second, key)
                ),
            )
            .help("the server silently keeps only the last definition: rename one or merge them")
        } else if let Some(block) = full {
            Diagnostic::new(
                &YAML_DUPLICATE_KEY,
                self.file,
                second,
                text!(
                    "`{}` appears again after all {} properties of {} were given: the server cannot read this",
                    self.name(key, second),
                    block.props.len(),
                    if block.name == "connection" { text!("a connection") } else { text!("`{}`", block.name) }
                ),
            )
            .outcome(Some(Outcome::NoConnections))
            .help("remove the repeated key")
        } else {
            Diagnostic::new(
                &YAML_DUPLICATE_KEY,
                self.file,
                second,
                text!("`{}` appears twice here", self.name(key, second)),
            )
            .help("the server silently uses the last one: remove the one you do not want")
        };
        out.push(d.at(p.clone()).label("defined again here").also(
            first,
            Some(p),
            "first defined here",
        ));
    }

    fn alias(
        &mut self,
        path: &[Tok],
        span: Span,
        name: &str,
        anchor: Option<Span>,
        out: &mut Sink,
    ) {
        let p = pointer(path);
        // the server reads the anchor's name as text; where text cannot stand, it cannot read on
        let unreadable = match place(path) {
            Place::Connection => true,
            Place::Prop(_, prop) => match prop.kind {
                Kind::Block(_) => true,
                Kind::Bool => crate::yaml::scalar::text_bool(name).is_none(),
                Kind::Duration => crate::duration::parse_java(name).is_err(),
                Kind::Text | Kind::Secret | Kind::Audience => false,
            },
            _ => false,
        };
        // quoted from where they are written: the alias (`*name`), its name after the `*`
        let name_at = Span::new(
            span.end.saturating_sub(name.len()).max(span.start),
            span.end,
        );
        let mut d = Diagnostic::new(
            &YAML_ALIAS,
            self.file,
            span,
            text!(
                "alias `{}` is not resolved by the DSF server: it reads the text `{}`",
                Piece::source(self.file, span),
                Piece::decoded(self.file, name_at, name)
            ),
        )
        .at(p.clone())
        .label("read as text")
        .help("write the value out in full; the server's YAML reader does not expand aliases");
        if unreadable {
            d = d.outcome(Some(Outcome::NoConnections));
        }
        if let Some(a) = anchor {
            d = d.also(a, None, "anchor defined here");
        }
        self.reported.insert(p);
        out.push(d);
    }

    fn merge_key(&mut self, path: &[Tok], span: Span, out: &mut Sink) {
        let p = format!("{}/{}", pointer(path), escape("<<"));
        out.push(
            Diagnostic::new(
                &YAML_MERGE_KEY,
                self.file,
                span,
                "merge keys (`<<`) are not supported by the DSF server: it reads `<<` as an unknown property",
            )
            .at(p)
            .label("merge key")
            .help("repeat the shared properties in each connection instead"),
        );
    }

    fn placeholder(&mut self, path: &[Tok], span: Span, out: &mut Sink) {
        let name = match path.last() {
            Some(Tok::Key(k, at)) => text!("`{}`", self.name(k, *at)),
            Some(Tok::Index(_)) | None => text!("`a value`"),
        };
        out.push(
            Diagnostic::new(
                &SPRING_PLACEHOLDER,
                self.file,
                span,
                text!(
                    "{} contains `${{` or `#{{`: the server's property resolver substitutes it before the YAML is read",
                    name
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
            Tok::Key(k, _) => p.push_str(&escape(k)),
            Tok::Index(i) => p.push_str(&i.to_string()),
        }
    }
    p
}

fn place(path: &[Tok]) -> Place {
    if path.is_empty() {
        return Place::Unknown;
    }
    // the common depths without allocating: a connection, a property, a block's property
    let rest: Option<Vec<&str>> = path[1..]
        .iter()
        .map(|t| match t {
            Tok::Key(k, _) => Some(*k),
            Tok::Index(_) => None,
        })
        .collect();
    match rest {
        Some(rest) => props::place(&rest),
        // an index below a connection: only `required-audience` items have one
        None => {
            let owned: Vec<String> = path[1..]
                .iter()
                .map(|t| match t {
                    Tok::Key(k, _) => k.to_string(),
                    Tok::Index(i) => i.to_string(),
                })
                .collect();
            let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
            props::place(&refs)
        }
    }
}

/// The server's block a mapping at `path` is read as (none for the root and unknown places).
fn block_of(path: &[Tok]) -> Option<&'static Block> {
    match place(path) {
        Place::Connection => Some(&CONNECTION),
        Place::Prop(_, prop) => match prop.kind {
            Kind::Block(b) => Some(b),
            _ => None,
        },
        _ => None,
    }
}
