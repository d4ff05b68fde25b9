//! `explain`: a renderer of the resolved model. Per connection, the effective settings the
//! server would use (defaults applied the server's way: `oidc-auth` falls back to the global
//! defaults, never to the connection's values), where each value comes from (the config with
//! its line, a `DEFAULT_*` variable, the built-in default), the certificates behind file
//! settings, and secrets as `****`. Human and JSON output share the rows built here.

use super::text::visible;
use crate::crypto::CertInfo;
use crate::duration::{Nanos, short};
use crate::model::*;
use crate::secrets::MASK;
use crate::secrets::url::url_credentials;
use crate::source::SourceDb;
use owo_colors::OwoColorize;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    pub id: String,
    pub file: String,
    pub line: usize,
    /// The authentication methods in effect (`none` when there is none).
    pub auth: Vec<String>,
    pub settings: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Dotted property name (`oidc-auth.client-id`).
    pub name: String,
    /// The effective value as text; secrets are `****`.
    pub value: String,
    /// A human reading of the value (`500ms`), when it helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<String>,
    pub origin: OriginOut,
    /// The value is not valid (see the diagnostics); shown as written. Present only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
    /// For a file of a compose service: its path inside the container, when it differs from
    /// the value (a relative path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_path: Option<String>,
    /// For a file: where it was looked up on this machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// Certificates of a trust store or client certificate file: the first
    /// [`MAX_CERTIFICATES`] of them (none for a store in the trust-store section).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertSummary>,
    /// How many certificates the file holds (present when it holds any), the ones not in
    /// `certificates` included.
    #[serde(skip_serializing_if = "is_zero")]
    pub certificate_count: usize,
    /// A trust store listed once in the trust-store section ([`super::stores`]): its index there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_store: Option<usize>,
    /// Which loaded trust store this row names ([`super::stores::store_key`]).
    #[serde(skip)]
    pub(super) store_key: Option<usize>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Certificates `explain` shows per file and connection (the rest counted): a trust store of
/// 6,538 certificates named by 1,000 connections would print them 6.5 million times; its
/// certificates are checked (expired, not yet valid, expiring) all the same.
pub const MAX_CERTIFICATES: usize = 3;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum OriginOut {
    /// Written in the config, at this line.
    Config { line: usize },
    /// From an environment variable; `line` when it is written in a file (a compose service's
    /// environment).
    Env {
        variable: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
    },
    /// The server's built-in default.
    BuiltIn,
    /// Computed from other settings.
    Derived,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertSummary {
    pub subject: String,
    pub not_after: String,
    pub expired: bool,
}

struct Builder<'d> {
    db: &'d SourceDb,
    now: i64,
    rows: Vec<Row>,
}

pub(super) fn summarize(certs: &[&CertInfo], now: i64, max: usize) -> Vec<CertSummary> {
    certs
        .iter()
        .take(max)
        .map(|c| CertSummary {
            subject: c.subject.clone(),
            not_after: c.not_after_date(),
            expired: c.not_after < now,
        })
        .collect()
}

impl Builder<'_> {
    fn origin(&self, o: &Origin) -> OriginOut {
        match o {
            Origin::Config(at) => OriginOut::Config {
                line: self.db.locate(at.file, at.key).start.line,
            },
            Origin::Env {
                variable,
                file,
                span,
            } => OriginOut::Env {
                variable: variable.clone(),
                line: self
                    .db
                    .get(self.db.relocate(*file, *span).0)
                    .is_file()
                    .then(|| self.db.locate(*file, *span).start.line),
            },
            Origin::BuiltIn => OriginOut::BuiltIn,
            Origin::Derived => OriginOut::Derived,
        }
    }

    fn push(&mut self, name: &str, value: String, origin: &Origin, invalid: bool) -> &mut Row {
        // a value the checks found to be a secret elsewhere (an anchor aliased into a password)
        let value = match origin.at() {
            Some(at) if self.db.get(at.file).in_secret(at.value) => MASK.to_string(),
            _ => value,
        };
        let origin = self.origin(origin);
        self.rows.push(Row {
            name: name.to_string(),
            value,
            human: None,
            origin,
            invalid,
            container_path: None,
            checked_at: None,
            certificates: Vec::new(),
            certificate_count: 0,
            trust_store: None,
            store_key: None,
        });
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }

    fn text(&mut self, name: &str, s: &Option<Setting<String>>) {
        if let Some(s) = s {
            let (value, invalid) = match &s.value {
                Ok(v) => (v.clone(), false),
                Err(raw) => (raw.clone(), true),
            };
            self.push(name, value, &s.origin, invalid);
        }
    }

    fn url(&mut self, name: &str, s: &Option<Setting<String>>) {
        if let Some(s) = s {
            let (value, invalid) = match &s.value {
                Ok(v) => (effective_url(v).to_string(), false),
                Err(raw) => (raw.clone(), true),
            };
            let value = url_credentials(&value).into_owned();
            self.push(name, value, &s.origin, invalid);
        }
    }

    fn secret(&mut self, name: &str, s: &Option<Setting<crate::secrets::Secret>>) {
        if let Some(s) = s {
            self.push(name, MASK.into(), &s.origin, s.value.is_err());
        }
    }

    fn boolean(&mut self, name: &str, s: &Setting<bool>) {
        let (value, invalid) = match &s.value {
            Ok(b) => (b.to_string(), false),
            Err(raw) => (raw.clone(), true),
        };
        self.push(name, value, &s.origin, invalid);
    }

    fn duration(&mut self, name: &str, t: &Timeout) {
        match &t.setting.value {
            Ok(n) => {
                let r = self.push(
                    name,
                    n.iso(),
                    &t.setting.origin,
                    n.millis() > crate::duration::MAX_MILLIS,
                );
                r.human = Some(short(*n));
            }
            Err(raw) => {
                self.push(name, raw.clone(), &t.setting.origin, true);
            }
        }
    }

    fn file(&mut self, name: &str, f: &FileRef) -> &mut Row {
        let (value, invalid) = match &f.path.value {
            Ok(v) => (v.clone(), false),
            Err(raw) => (raw.clone(), true),
        };
        let checked_at = f.host.as_ref().map(|h| h.display().to_string());
        let container = f.container.as_ref().map(|c| c.display().to_string());
        let r = self.push(name, value, &f.path.origin, invalid);
        if container.as_deref() != Some(r.value.as_str()) {
            r.container_path = container;
        }
        if checked_at.as_deref() != Some(r.value.as_str()) {
            r.checked_at = checked_at;
        }
        r
    }

    fn trust(&mut self, name: &str, t: &Trust) {
        let now = self.now;
        let certs = t.certificates();
        let key = super::stores::store_key(t);
        match t {
            Trust::Own { file, .. } => {
                let r = self.file(name, file);
                r.certificates =
                    summarize(certs.as_deref().unwrap_or_default(), now, MAX_CERTIFICATES);
                r.certificate_count = certs.as_ref().map_or(0, Vec::len);
                r.store_key = key;
            }
            Trust::Default { path, store } => {
                let value = path.ok().cloned().unwrap_or_default();
                let host = store.as_ref().map(|s| s.host.display().to_string());
                let r = self.push(name, value, &path.origin, false);
                if host.as_deref() != Some(r.value.as_str()) {
                    r.checked_at = host;
                }
                r.certificates =
                    summarize(certs.as_deref().unwrap_or_default(), now, MAX_CERTIFICATES);
                r.certificate_count = certs.as_ref().map_or(0, Vec::len);
                r.store_key = key;
            }
        }
    }
}

/// What `explain` shows: the connections within the budget, the trust-store section, and how
/// many connections the budget left out.
#[derive(Debug, Default)]
pub struct Explanation {
    pub connections: Vec<Explained>,
    pub trust_stores: Vec<super::stores::StoreOut>,
    pub omitted: usize,
}

/// Bytes an `explain` output holds at most, its diagnostics included, measured as pretty JSON
/// (the largest format; human output is smaller): however many connections a config has and
/// whatever their files hold, `explain` stays a readable size; the connections past it are
/// counted ([`explained_note`]), and the trust-store section gets what they leave. One budget
/// for the whole output, so that a run without diagnostics shows all 1,000 connections a run
/// keeps (about 1.1 KB each when they name a URL and a file) while one with 1,000 diagnostics
/// stays under 2 MB.
pub const OUTPUT_BUDGET: usize = 1_750_000;

/// Bytes `v` takes in the JSON output: pretty, `depth` levels deep (two spaces each).
pub(super) fn pretty_len<T: Serialize>(v: &T, depth: usize) -> usize {
    serde_json::to_string_pretty(v).map_or(0, |j| j.len() + depth * 2 * j.matches('\n').count())
}

/// The rows of every kept model of `report`, as every output shows them: secrets the run knows
/// scrubbed (a `username` that is also a password), then each text clipped to
/// [`super::MAX_TEXT`] characters (a valid config can hold a megabyte-long `base-url`).
/// `used`: the bytes the output spent before (its diagnostics, as [`pretty_len`] counts them).
pub fn explain_all(
    report: &crate::report::Report,
    redactor: &crate::secrets::Redactor,
    used: usize,
) -> Explanation {
    let Some(models) = &report.models else {
        return Explanation::default();
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let scrubber = redactor.scrubber();
    let fix = |s: &mut String| {
        let t = super::clip(&scrubber.text(s)).into_owned();
        *s = t;
    };
    let mut certs = super::stores::Certs::new();
    let mut spent = used;
    let mut shown = Vec::new();
    // built one by one and left at the budget: the rest are never made
    for c in models {
        let trusts = std::iter::once(&c.trust).chain(c.oidc_auth.get().map(|o| &o.trust));
        for t in trusts {
            if let Some(k) = super::stores::store_key(t) {
                certs
                    .entry(k)
                    .or_insert_with(|| t.certificates().unwrap_or_default());
            }
        }
        let mut e = explain(&report.sources, now, c);
        fix(&mut e.id);
        fix(&mut e.file);
        for r in &mut e.settings {
            fix(&mut r.value);
            r.human.iter_mut().for_each(fix);
            r.container_path.iter_mut().for_each(fix);
            r.checked_at.iter_mut().for_each(fix);
            for c in &mut r.certificates {
                fix(&mut c.subject);
            }
        }
        super::stores::strip(&mut e, &certs);
        spent += pretty_len(&e, 2);
        if spent > OUTPUT_BUDGET && !shown.is_empty() {
            break;
        }
        shown.push(e);
    }
    let omitted = models.len() - shown.len();
    let left = OUTPUT_BUDGET.saturating_sub(spent);
    let trust_stores = super::stores::section(&mut shown, &certs, now, left, &fix);
    Explanation {
        connections: shown,
        trust_stores,
        omitted,
    }
}

/// The note when the output budget left connections out of `explain`.
pub fn explained_note(omitted: usize) -> Option<String> {
    (omitted > 0).then(|| {
        format!(
            "explain shows the connections within its output budget ({:.2} MB with the diagnostics): {omitted} more were left out; pick them with --connection ID",
            OUTPUT_BUDGET as f64 / 1e6
        )
    })
}

pub fn explain(db: &SourceDb, now: i64, c: &Connection) -> Explained {
    let mut b = Builder {
        db,
        now,
        rows: Vec::new(),
    };
    b.url("base-url", &c.base_url);
    b.boolean("test-connection-on-startup", &c.test_connection_on_startup);
    b.boolean("enable-debug-logging", &c.enable_debug_logging);
    b.duration("connect-timeout", &c.connect_timeout);
    b.duration("read-timeout", &c.read_timeout);
    b.trust("trusted-root-certificates-file", &c.trust);
    let mut auth = Vec::new();
    if let Some(a) = c.cert_auth.get() {
        if let Some(p12) = &a.p12_file {
            auth.push("cert-auth (PKCS#12)".to_string());
            let leaf: Vec<&CertInfo> = match &a.material {
                KeyMaterial::Pkcs12(Loaded::Ok(info)) => info.chain.iter().take(1).collect(),
                _ => Vec::new(),
            };
            let r = b.file("cert-auth.p12-file", p12);
            r.certificates = summarize(&leaf, now, MAX_CERTIFICATES);
            r.certificate_count = leaf.len();
        } else {
            auth.push("cert-auth (PEM certificate and key)".to_string());
            if let Some(f) = &a.certificate_file {
                let leaf: Vec<&CertInfo> = match &a.material {
                    KeyMaterial::Pem {
                        certificates: Loaded::Ok(certs),
                        ..
                    } => certs.iter().take(1).collect(),
                    _ => Vec::new(),
                };
                let r = b.file("cert-auth.certificate-file", f);
                r.certificates = summarize(&leaf, now, MAX_CERTIFICATES);
                r.certificate_count = leaf.len();
            }
            if let Some(f) = &a.private_key_file {
                b.file("cert-auth.private-key-file", f);
            }
        }
        b.secret("cert-auth.password", &a.password);
        if let Some(f) = &a.password_file {
            b.file("cert-auth.password-file", &f.file);
        }
    }
    if let Some(a) = c.basic_auth.get() {
        auth.push("basic-auth".into());
        b.text("basic-auth.username", &a.username);
        b.secret("basic-auth.password", &a.password);
        if let Some(f) = &a.password_file {
            b.file("basic-auth.password-file", &f.file);
        }
    }
    if let Some(a) = c.bearer_auth.get() {
        auth.push("bearer-auth".into());
        b.secret("bearer-auth.token", &a.token);
        if let Some(f) = &a.token_file {
            b.file("bearer-auth.token-file", &f.file);
        }
    }
    if let Some(o) = c.oidc_auth.get() {
        auth.push("oidc-auth (client credentials)".into());
        oidc(&mut b, o);
    }
    if auth.is_empty() {
        auth.push("none".into());
    }
    Explained {
        id: c.id.clone(),
        file: db.get(db.relocate(c.file, c.key).0).name.clone(),
        line: db.locate(c.file, c.key).start.line,
        auth,
        settings: b.rows,
    }
}

fn oidc(b: &mut Builder, o: &OidcAuth) {
    b.url("oidc-auth.base-url", &o.base_url);
    let path = o.discovery_path.ok().cloned().unwrap_or_default();
    b.push(
        "oidc-auth.discovery-path",
        path.clone(),
        &o.discovery_path.origin,
        o.discovery_path.value.is_err(),
    );
    if let Some(base) = o.base_url.as_ref().and_then(|s| s.ok()) {
        let url = format!("{}{path}", effective_url(base));
        b.push(
            "oidc-auth.discovery-url",
            url_credentials(&url).into_owned(),
            &Origin::Derived,
            false,
        );
    }
    b.text("oidc-auth.client-id", &o.client_id);
    b.secret("oidc-auth.client-secret", &o.client_secret);
    if let Some(f) = &o.client_secret_file {
        b.file("oidc-auth.client-secret-file", &f.file);
    }
    match &o.required_audience {
        Some(s) => {
            let (value, invalid) = match &s.value {
                Ok(list) => (list.join(", "), false),
                Err(raw) => (raw.clone(), true),
            };
            b.push("oidc-auth.required-audience", value, &s.origin, invalid);
        }
        None => {
            b.push(
                "oidc-auth.required-audience",
                "(none: the audience is not checked)".into(),
                &Origin::BuiltIn,
                false,
            );
        }
    }
    b.boolean(
        "oidc-auth.verify-authorized-party",
        &o.verify_authorized_party,
    );
    // oidc-auth falls back to the global defaults, not to the connection's values
    b.boolean(
        "oidc-auth.test-connection-on-startup",
        &o.test_connection_on_startup,
    );
    b.boolean("oidc-auth.enable-debug-logging", &o.enable_debug_logging);
    b.duration("oidc-auth.connect-timeout", &o.connect_timeout);
    b.duration("oidc-auth.read-timeout", &o.read_timeout);
    b.trust("oidc-auth.trusted-root-certificates-file", &o.trust);
    global_duration(b, "oidc-auth.time-validation-leeway", &o.leeway);
    // the server's OIDC client cache: set by variables only, the same for every connection
    b.boolean("oidc-auth.cache", &o.cache);
    global_duration(
        b,
        "oidc-auth.cache-timeout-configuration-resource",
        &o.cache_configuration,
    );
    global_duration(b, "oidc-auth.cache-timeout-jwks-resource", &o.cache_jwks);
    global_duration(
        b,
        "oidc-auth.cache-timeout-access-token",
        &o.cache_access_token,
    );
}

/// A duration only a variable sets (no connection property).
fn global_duration(b: &mut Builder, name: &str, d: &Setting<Nanos>) {
    let value = d.ok().map(|n| n.iso()).unwrap_or_default();
    let human = d.ok().map(|n| short(*n));
    let r = b.push(name, value, &d.origin, false);
    r.human = human;
}

fn origin_text(o: &OriginOut) -> String {
    match o {
        OriginOut::Config { line } => format!("config, line {line}"),
        OriginOut::Env {
            variable,
            line: None,
        } => format!("${variable}"),
        OriginOut::Env {
            variable,
            line: Some(line),
        } => format!("${variable}, line {line}"),
        OriginOut::BuiltIn => "built-in default".into(),
        OriginOut::Derived => "derived".into(),
    }
}

fn value_text(r: &Row) -> String {
    let mut v = visible(&r.value).into_owned();
    if let Some(h) = &r.human {
        v.push_str(&format!(" ({h})"));
    }
    if r.invalid {
        v.push_str(" (invalid, see above)");
    }
    v
}

/// Values longer than this get their own line, so the origin column stays aligned.
const VALUE_COLUMN: usize = 48;

pub fn emit_human(explained: &[Explained], color: bool, w: &mut dyn Write) -> std::io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    for e in explained {
        let head = format!("{} ({}:{})", visible(&e.id), visible(&e.file), e.line);
        writeln!(w)?;
        if color {
            writeln!(w, "{}", head.bold())?;
        } else {
            writeln!(w, "{head}")?;
        }
        writeln!(w, "  authentication: {}", e.auth.join(" + "))?;
        let width = e.settings.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let vwidth = e
            .settings
            .iter()
            .map(|s| value_text(s).width())
            .filter(|w| *w <= VALUE_COLUMN)
            .max()
            .unwrap_or(0);
        for s in &e.settings {
            let value = super::clip(&value_text(s)).into_owned();
            let o = origin_text(&s.origin);
            let o = if color { o.dimmed().to_string() } else { o };
            if value.width() > VALUE_COLUMN {
                // a long value on its own line, the origin aligned below it
                writeln!(w, "  {:width$}  {value}", s.name)?;
                writeln!(w, "  {:width$}  {:vwidth$}  {o}", "", "")?;
            } else {
                let pad = vwidth.saturating_sub(value.width());
                writeln!(w, "  {:width$}  {value}{}  {o}", s.name, " ".repeat(pad))?;
            }
            if let Some(inside) = &s.container_path {
                writeln!(w, "  {:width$}    in the container {}", "", visible(inside))?;
            }
            if let Some(at) = &s.checked_at {
                writeln!(w, "  {:width$}    checked at {}", "", visible(at))?;
            }
            for c in &s.certificates {
                let state = if c.expired { "expired" } else { "valid until" };
                writeln!(
                    w,
                    "  {:width$}    certificate {}, {state} {}",
                    "",
                    visible(&c.subject),
                    c.not_after
                )?;
            }
            if let Some(i) = s.trust_store {
                writeln!(
                    w,
                    "  {:width$}    {} certificates, listed once under trust store [{}] below",
                    "",
                    crate::crypto::kdf::grouped(s.certificate_count as u64),
                    i + 1
                )?;
            } else if s.certificate_count > s.certificates.len() {
                writeln!(
                    w,
                    "  {:width$}    and {} more certificates",
                    "",
                    crate::crypto::kdf::grouped(
                        (s.certificate_count - s.certificates.len()) as u64
                    )
                )?;
            }
        }
    }
    Ok(())
}
