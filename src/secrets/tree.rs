//! Where secrets are in a parsed YAML tree: the secrets layer's walk over a config's
//! connections (as the parser completes them) or over a whole document (a compose file). The
//! policy, in one place:
//!
//! - under a secret name (`password`, `token`, anything named like a credential, and anything
//!   the tool would suggest renaming to a secret property) the value is masked whatever its
//!   shape (text, a list, a mapping), with what YAML puts between the key and the value (a tag,
//!   an anchor) and a comment after it; an alias there masks its anchored value too;
//! - an auth block (`basic-auth`, a misspelt `bearer-aut`, anything named like an
//!   authentication) that is not a mapping (`bearer-auth: TOKEN`, `bearer-auth: [TOKEN]`) is
//!   masked whole; inside one, every value but those of the block's known non-secret settings
//!   (`username`, the `*-file` paths, URLs, timeouts, flags) is masked whatever its shape;
//! - in a document's lists, `KEY=value` items with a secret `KEY` (compose's list form of
//!   `environment:` and `labels:`) are masked from the `=` on.
//!
//! The text's patterns (URL credentials, tokens on command lines, JWTs) are found by
//! `masks::patterns` over the whole text; the text scan of `scan` stands in for this walk only
//! where there is no tree (a text that does not parse).

use super::names::{Secrecy, secrecy};
use crate::props::{AUTH_BLOCKS, Block, CONNECTION, Kind};
use crate::source::Span;
use crate::yaml::{Entry, Node, NodeKind, Style};
use std::collections::HashSet;

/// How much of the decoded secret values is kept for the scrubber (bytes): the output
/// scrubber takes 64 KiB of patterns (and looks at twice as many), and masking at the
/// source hides every secret anyway.
const KEPT: usize = 256 * 1024;

/// The secrets of one source, as the walk finds them.
#[derive(Debug, Default)]
pub struct Collector {
    /// Regions to mask (unsorted, may overlap).
    pub spans: Vec<Span>,
    /// The secret values as decoded, each once, to keep out of every output.
    pub values: HashSet<String>,
    bytes: usize,
    /// Walking a whole document (a compose file) rather than a config's connections.
    whole_document: bool,
}

/// Where a node stands, as far as secrecy goes.
#[derive(Clone, Copy)]
enum At {
    /// Ordinary settings (a connection, a compose service).
    Open,
    /// Inside an auth block: `Some` for one of the server's blocks (its non-secret settings
    /// are shown), `None` for an unknown one (everything is masked but the names of
    /// non-secret settings of any block).
    Auth(Option<&'static Block>),
}

impl Collector {
    /// One entry of a config's root mapping: a connection (its id is a name, not a secret key).
    pub fn connection(&mut self, text: &str, e: &Entry) {
        self.walk(text, &e.value, At::Open);
    }

    /// A whole document (a compose file): every mapping and list.
    pub fn document(&mut self, text: &str, root: &Node) {
        self.whole_document = true;
        self.walk(text, root, At::Open);
    }

    fn walk(&mut self, text: &str, node: &Node, at: At) {
        match &node.kind {
            NodeKind::Map(entries) => {
                for e in entries {
                    self.entry(text, e, at);
                }
            }
            NodeKind::Seq(items) => {
                for item in items {
                    if let NodeKind::Scalar(s) = &item.kind {
                        self.list_item(text, item, &s.value);
                    } else {
                        self.walk(text, item, at);
                    }
                }
            }
            NodeKind::Scalar(_) | NodeKind::Alias { .. } => {}
        }
    }

    fn entry(&mut self, text: &str, e: &Entry, at: At) {
        let Some(key) = e.key.text() else {
            // a key that is a collection: its own keys are judged
            self.walk(text, &e.key, at);
            self.walk(text, &e.value, at);
            return;
        };
        // compose's own sections that name secrets and configs, not hold them
        if self.whole_document && matches!(key, "secrets" | "configs") {
            return self.walk(text, &e.value, at);
        }
        match judge(key, at) {
            // a variable that names a secret's file (`*_PRIVATE_KEY: /run/secrets/x.key`)
            Judged::Secret
                if self.whole_document
                    && e.value.text().is_some_and(super::names::looks_like_path) =>
            {
                self.walk(text, &e.value, at)
            }
            Judged::Secret => self.secret(text, e),
            Judged::AuthBlock(block) => match &e.value.kind {
                NodeKind::Map(_) => self.walk(text, &e.value, At::Auth(block)),
                // a credential where a block of settings belongs
                _ if e.value.is_null() => {}
                _ => self.secret(text, e),
            },
            Judged::Open => self.walk(text, &e.value, at),
        }
    }

    /// The value of `e` is a secret: masked with what stands between key and value, and a
    /// comment after it.
    fn secret(&mut self, text: &str, e: &Entry) {
        let v = &e.value;
        if let NodeKind::Scalar(s) = &v.kind {
            self.keep(&s.value);
        }
        if let NodeKind::Alias {
            anchor: Some(a), ..
        } = &v.kind
        {
            // the anchored value is the secret too
            self.spans.push(*a);
        }
        let bytes = text.as_bytes();
        // from after the `:` (a tag or an anchor before the value, on the key's line)
        let mut start = e.key.span.end;
        if let Some(colon) = text
            .get(start..v.span.start.max(start))
            .and_then(|between| between.find(':'))
        {
            start += colon + 1;
        }
        while start < v.span.start && matches!(bytes.get(start), Some(b' ' | b'\t')) {
            start += 1;
        }
        let end = trimmed_end(text, v);
        // a comment after the value, on its last line: it may be the rest of the secret (only
        // blanks are looked at before it: a line can hold a thousand flow values)
        let mut after = end;
        while matches!(bytes.get(after), Some(b' ' | b'\t')) {
            after += 1;
        }
        let end = if bytes.get(after) == Some(&b'#') {
            super::scan::line_end(text, after)
        } else {
            end
        };
        // what stands between on the key's line (a tag, an anchor, a block indicator)
        if let Some(between) = text.get(start..v.span.start) {
            let on_line = between.find(['\n', '\r']).unwrap_or(between.len());
            if !between[..on_line].trim().is_empty() {
                self.spans.push(Span::new(start, start + on_line));
            }
        }
        self.spans.push(inner(v, end));
    }

    /// `KEY=value` in a list (compose's list forms): the value, when `KEY` is a secret name.
    fn list_item(&mut self, text: &str, item: &Node, value: &str) {
        let Some((name, secret)) = value.split_once('=') else {
            return;
        };
        if secrecy(name.trim()) == Secrecy::No
            || secret.is_empty()
            || super::names::looks_like_path(secret)
        {
            return;
        }
        self.keep(secret);
        // in the source: after the first `=` of the item's text
        let src = text.get(item.span.range()).unwrap_or("");
        if let Some(eq) = src.find('=') {
            let end = trimmed_end(text, item);
            let from = item.span.start + eq + 1;
            let end = match item.as_scalar().map(|s| s.style) {
                Some(Style::SingleQuoted | Style::DoubleQuoted) => end.saturating_sub(1).max(from),
                _ => end,
            };
            self.spans.push(Span::new(from, end));
        }
    }

    fn keep(&mut self, v: &str) {
        if self.bytes < KEPT && !v.trim().is_empty() && !self.values.contains(v) {
            self.bytes += v.len();
            self.values.insert(v.to_string());
        }
    }
}

enum Judged {
    Secret,
    /// An auth block (`Some`: one of the server's), or a name of one.
    AuthBlock(Option<&'static Block>),
    Open,
}

fn judge(key: &str, at: At) -> Judged {
    match at {
        At::Auth(block) => {
            // the block's own settings, and the non-secret settings of any block
            let known = block
                .and_then(|b| b.prop(key))
                .or_else(|| AUTH_BLOCKS.iter().find_map(|b| b.prop(key)));
            match known {
                Some(p) if p.kind == Kind::Secret => Judged::Secret,
                Some(_) => Judged::Open,
                // anything else in an auth block may be a misspelt credential (`psw`, `cred`)
                None => Judged::Secret,
            }
        }
        At::Open => match secrecy(key) {
            Secrecy::Any => Judged::Secret,
            Secrecy::Scalar => {
                Judged::AuthBlock(AUTH_BLOCKS.iter().copied().find(|b| b.name == key))
            }
            Secrecy::No if misspelt_auth_block(key) => Judged::AuthBlock(None),
            Secrecy::No => Judged::Open,
        },
    }
}

/// A key the tool would suggest renaming to an auth block (`bearer-aut`, `basicAuth`).
fn misspelt_auth_block(key: &str) -> bool {
    if CONNECTION.prop(key).is_some() {
        return false;
    }
    matches!(
        crate::suggest::property(key, &CONNECTION),
        crate::suggest::Suggestion::Rename(s)
            if AUTH_BLOCKS.iter().any(|b| b.name == s)
    )
}

/// The end of a node's text without trailing white space (a block scalar's span runs over its
/// line breaks into the next line's indentation).
fn trimmed_end(text: &str, n: &Node) -> usize {
    let t = text
        .get(n.span.start..n.span.end.min(text.len()))
        .unwrap_or("");
    n.span.start + t.trim_end().len()
}

/// The part of a secret value to mask: inside the quotes of a quoted scalar, else all of it.
fn inner(n: &Node, end: usize) -> Span {
    match &n.kind {
        NodeKind::Scalar(s)
            if matches!(s.style, Style::SingleQuoted | Style::DoubleQuoted)
                && end >= n.span.start + 2
                && end == n.span.end =>
        {
            Span::new(n.span.start + 1, end - 1)
        }
        _ => Span::new(n.span.start, end),
    }
}
