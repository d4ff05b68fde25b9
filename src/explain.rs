//! `explain`: the effective settings the server would use for each connection (defaults
//! applied the server's way: `oidc-auth` falls back to the global defaults, never to the
//! connection's values), where each value came from (the config with its line, a `DEFAULT_*`
//! variable, the server's built-in default), the certificates behind file settings, and secrets
//! as `****`.

use crate::checks::durations;
use crate::crypto::{self, CertInfo};
use crate::defaults::{self, Defaults};
use crate::duration::Nanos;
use crate::files::Files;
use crate::source::SourceFile;
use crate::yaml::pointer::{PointerIndex, join};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    pub id: String,
    pub file: String,
    pub line: usize,
    /// The authentication methods in effect (`none` when there is none).
    pub auth: Vec<String>,
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    /// Dotted property name (`oidc-auth.client-id`).
    pub name: String,
    /// The effective value as text; secrets are `****`.
    pub value: String,
    /// A human reading of the value (`500ms`), when it helps.
    pub human: Option<String>,
    pub origin: Origin,
    /// The value is not valid (see the diagnostics); shown as written.
    pub invalid: bool,
    /// Certificates of a trust store or client certificate file.
    pub certificates: Vec<CertSummary>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// Written in the config, at this line.
    Config { line: usize },
    /// From an environment variable.
    Env { variable: String },
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

pub struct Context<'x, 't, 'a> {
    pub source: &'x SourceFile,
    pub index: &'x PointerIndex<'t, 'a>,
    pub defaults: &'x Defaults,
    pub files: Option<&'x Files>,
    pub now: i64,
}

struct Builder<'c, 'x, 't, 'a> {
    ctx: &'c Context<'x, 't, 'a>,
    ptr: String,
    settings: Vec<Setting>,
}

const MASK: &str = "****";

impl Builder<'_, '_, '_, '_> {
    fn origin_at(&self, ptr: &str) -> Origin {
        match self.ctx.index.locate(ptr) {
            Some((l, true)) => Origin::Config {
                line: self
                    .ctx
                    .source
                    .position(l.key.unwrap_or(l.value).start)
                    .line,
            },
            _ => Origin::Derived,
        }
    }

    fn push(&mut self, name: &str, value: String, origin: Origin) -> &mut Setting {
        self.settings.push(Setting {
            name: name.to_string(),
            value,
            human: None,
            origin,
            invalid: false,
            certificates: Vec::new(),
        });
        let last = self.settings.len() - 1;
        &mut self.settings[last]
    }

    fn default_origin<T>(d: &defaults::Default<T>) -> Origin {
        match &d.origin {
            defaults::Origin::Env(v) => Origin::Env {
                variable: v.clone(),
            },
            defaults::Origin::BuiltIn => Origin::BuiltIn,
        }
    }

    fn boolean(
        &mut self,
        block: &Value,
        bptr: &str,
        prop: &str,
        name: &str,
        default: &defaults::Default<bool>,
    ) {
        let at = join(bptr, prop);
        match block.get(prop).map(bool_value) {
            Some(Some(b)) => {
                let o = self.origin_at(&at);
                self.push(name, b.to_string(), o);
            }
            Some(None) => {
                let o = self.origin_at(&at);
                let raw = raw_text(block.get(prop));
                self.push(name, raw, o).invalid = true;
            }
            None => {
                self.push(
                    name,
                    default.value.to_string(),
                    Self::default_origin(default),
                );
            }
        }
    }

    fn duration(
        &mut self,
        block: &Value,
        bptr: &str,
        prop: &str,
        name: &str,
        default: &defaults::Default<Nanos>,
    ) {
        let at = join(bptr, prop);
        match block.get(prop) {
            Some(v) => {
                let o = self.origin_at(&at);
                match durations::nanos(v) {
                    Some(Ok(n)) => {
                        let s = self.push(name, n.iso(), o);
                        s.human = human(n);
                        s.invalid = n.millis() > crate::duration::MAX_MILLIS;
                    }
                    _ => self.push(name, raw_text(Some(v)), o).invalid = true,
                }
            }
            None => {
                let s = self.push(name, default.value.iso(), Self::default_origin(default));
                s.human = human(default.value);
            }
        }
    }

    fn text(&mut self, block: &Value, bptr: &str, prop: &str, name: &str) -> Option<String> {
        let v = block.get(prop)?;
        let o = self.origin_at(&join(bptr, prop));
        match v.as_str() {
            Some(s) => {
                self.push(name, s.to_string(), o);
                Some(s.to_string())
            }
            None => {
                self.push(name, raw_text(Some(v)), o).invalid = true;
                None
            }
        }
    }

    fn secret(&mut self, block: &Value, bptr: &str, prop: &str, name: &str) {
        if block.get(prop).is_some() {
            let o = self.origin_at(&join(bptr, prop));
            self.push(name, MASK.into(), o);
        }
    }

    fn trust_store(&mut self, block: &Value, bptr: &str, name: &str) {
        match block
            .get("trusted-root-certificates-file")
            .and_then(Value::as_str)
        {
            Some(path) => {
                let o = self.origin_at(&join(bptr, "trusted-root-certificates-file"));
                let certs = self
                    .ctx
                    .files
                    .map(|f| read_certs(f, path))
                    .unwrap_or_default();
                let now = self.ctx.now;
                let s = self.push(name, path.to_string(), o);
                s.certificates = summarize(&certs, now);
            }
            None => {
                let d = &self.ctx.defaults.trust_store;
                let certs = self
                    .ctx
                    .files
                    .map(|f| default_store_certs(f, &d.value))
                    .unwrap_or_default();
                let now = self.ctx.now;
                let s = self.push(name, d.value.clone(), Self::default_origin(d));
                s.certificates = summarize(&certs, now);
            }
        }
    }
}

fn human(n: Nanos) -> Option<String> {
    let nanos = u64::try_from(n.0).ok()?;
    Some(humantime::format_duration(std::time::Duration::from_nanos(nanos)).to_string())
}

fn bool_value(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => match s.trim() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn raw_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn read_certs(files: &Files, path: &str) -> Vec<CertInfo> {
    let (_, content) = files.read(path);
    match content.as_ref() {
        Ok(bytes) => crypto::certificates(bytes).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The client certificate inside a PKCS#12 file, opened with the configured password.
fn p12_leaf(files: &Files, cert_auth: &Value, path: &str) -> Option<CertInfo> {
    let password = match cert_auth.get("password").and_then(Value::as_str) {
        Some(p) => p.to_string(),
        None => {
            let file = cert_auth.get("password-file")?.as_str()?;
            let (_, content) = files.read(file);
            let text = std::str::from_utf8(content.as_ref().as_ref().ok()?).ok()?;
            text.lines().next()?.to_string()
        }
    };
    let (_, content) = files.read(path);
    let info = crypto::pkcs12(content.as_ref().as_ref().ok()?, &password).ok()?;
    info.chain.into_iter().next()
}

fn default_store_certs(files: &Files, configured: &str) -> Vec<CertInfo> {
    let path = files.resolve(configured);
    if !path.is_dir() {
        return read_certs(files, configured);
    }
    crate::files::trust_folder_files(&path)
        .iter()
        .flat_map(|p| read_certs(files, &p.display().to_string()))
        .collect()
}

fn summarize(certs: &[CertInfo], now: i64) -> Vec<CertSummary> {
    certs
        .iter()
        .map(|c| CertSummary {
            subject: c.subject.clone(),
            not_after: c.not_after_date(),
            expired: c.not_after < now,
        })
        .collect()
}

/// One connection's effective settings.
pub fn explain(ctx: &Context, id: &str, line: usize, instance: &Value) -> Explained {
    let ptr = format!("/{}", crate::yaml::pointer::escape(id));
    let mut b = Builder {
        ctx,
        ptr: ptr.clone(),
        settings: Vec::new(),
    };
    let d = ctx.defaults;
    let empty = Value::Object(serde_json::Map::new());
    let conn = if instance.is_object() {
        instance
    } else {
        &empty
    };
    if let Some(url) = b.text(conn, &ptr, "base-url", "base-url") {
        // the server drops one trailing slash
        if let Some(s) = b.settings.last_mut() {
            s.value = url.strip_suffix('/').unwrap_or(&url).to_string();
        }
    }
    b.boolean(
        conn,
        &ptr,
        "test-connection-on-startup",
        "test-connection-on-startup",
        &d.test_connection_on_startup,
    );
    b.boolean(
        conn,
        &ptr,
        "enable-debug-logging",
        "enable-debug-logging",
        &d.enable_debug_logging,
    );
    b.duration(
        conn,
        &ptr,
        "connect-timeout",
        "connect-timeout",
        &d.connect_timeout,
    );
    b.duration(conn, &ptr, "read-timeout", "read-timeout", &d.read_timeout);
    b.trust_store(conn, &ptr, "trusted-root-certificates-file");
    let mut auth = Vec::new();
    if let Some(c) = conn.get("cert-auth").filter(|v| v.is_object()) {
        let bp = join(&b.ptr, "cert-auth");
        if c.get("p12-file").is_some() {
            auth.push("cert-auth (PKCS#12)".to_string());
            if let Some(path) = b.text(c, &bp, "p12-file", "cert-auth.p12-file") {
                let leaf = ctx.files.and_then(|f| p12_leaf(f, c, &path));
                if let Some(s) = b.settings.last_mut() {
                    s.certificates = summarize(leaf.as_slice(), ctx.now);
                }
            }
        } else {
            auth.push("cert-auth (PEM certificate and key)".to_string());
            if let Some(path) = b.text(c, &bp, "certificate-file", "cert-auth.certificate-file") {
                let certs = ctx.files.map(|f| read_certs(f, &path)).unwrap_or_default();
                if let Some(s) = b.settings.last_mut() {
                    s.certificates = summarize(certs.get(..1).unwrap_or_default(), ctx.now);
                }
            }
            b.text(c, &bp, "private-key-file", "cert-auth.private-key-file");
        }
        b.secret(c, &bp, "password", "cert-auth.password");
        b.text(c, &bp, "password-file", "cert-auth.password-file");
    }
    if let Some(c) = conn.get("basic-auth").filter(|v| v.is_object()) {
        auth.push("basic-auth".into());
        let bp = join(&b.ptr, "basic-auth");
        b.text(c, &bp, "username", "basic-auth.username");
        b.secret(c, &bp, "password", "basic-auth.password");
        b.text(c, &bp, "password-file", "basic-auth.password-file");
    }
    if let Some(c) = conn.get("bearer-auth").filter(|v| v.is_object()) {
        auth.push("bearer-auth".into());
        let bp = join(&b.ptr, "bearer-auth");
        b.secret(c, &bp, "token", "bearer-auth.token");
        b.text(c, &bp, "token-file", "bearer-auth.token-file");
    }
    if let Some(c) = conn.get("oidc-auth").filter(|v| v.is_object()) {
        auth.push("oidc-auth (client credentials)".into());
        oidc(&mut b, c);
    }
    if auth.is_empty() {
        auth.push("none".into());
    }
    Explained {
        id: id.to_string(),
        file: ctx.source.name.clone(),
        line,
        auth,
        settings: b.settings,
    }
}

fn oidc(b: &mut Builder, c: &Value) {
    let d = b.ctx.defaults;
    let bp = join(&b.ptr, "oidc-auth");
    let base = b.text(c, &bp, "base-url", "oidc-auth.base-url").map(|u| {
        let u = u.strip_suffix('/').unwrap_or(&u).to_string();
        if let Some(s) = b.settings.last_mut() {
            s.value = u.clone();
        }
        u
    });
    let path = match c.get("discovery-path").and_then(Value::as_str) {
        Some(p) => {
            let o = b.origin_at(&join(&bp, "discovery-path"));
            let p = if p.starts_with('/') {
                p.to_string()
            } else {
                format!("/{p}")
            };
            b.push("oidc-auth.discovery-path", p.clone(), o);
            p
        }
        None => {
            let dp = &d.oidc_discovery_path;
            b.push(
                "oidc-auth.discovery-path",
                dp.value.clone(),
                Builder::default_origin(dp),
            );
            dp.value.clone()
        }
    };
    if let Some(base) = base {
        b.push(
            "oidc-auth.discovery-url",
            format!("{base}{path}"),
            Origin::Derived,
        );
    }
    b.text(c, &bp, "client-id", "oidc-auth.client-id");
    b.secret(c, &bp, "client-secret", "oidc-auth.client-secret");
    b.text(c, &bp, "client-secret-file", "oidc-auth.client-secret-file");
    match c.get("required-audience") {
        Some(Value::String(s)) => {
            let o = b.origin_at(&join(&bp, "required-audience"));
            b.push("oidc-auth.required-audience", s.clone(), o);
        }
        Some(Value::Array(items)) => {
            let o = b.origin_at(&join(&bp, "required-audience"));
            let list: Vec<String> = items.iter().map(|i| raw_text(Some(i))).collect();
            b.push("oidc-auth.required-audience", list.join(", "), o);
        }
        _ => {
            b.push(
                "oidc-auth.required-audience",
                "(none: the audience is not checked)".into(),
                Origin::BuiltIn,
            );
        }
    }
    b.boolean(
        c,
        &bp,
        "verify-authorized-party",
        "oidc-auth.verify-authorized-party",
        &d.oidc_verify_authorized_party,
    );
    // oidc-auth falls back to the global defaults, not to the connection's values
    b.boolean(
        c,
        &bp,
        "test-connection-on-startup",
        "oidc-auth.test-connection-on-startup",
        &d.test_connection_on_startup,
    );
    b.boolean(
        c,
        &bp,
        "enable-debug-logging",
        "oidc-auth.enable-debug-logging",
        &d.enable_debug_logging,
    );
    b.duration(
        c,
        &bp,
        "connect-timeout",
        "oidc-auth.connect-timeout",
        &d.connect_timeout,
    );
    b.duration(
        c,
        &bp,
        "read-timeout",
        "oidc-auth.read-timeout",
        &d.read_timeout,
    );
    b.trust_store(c, &bp, "oidc-auth.trusted-root-certificates-file");
    let leeway = &d.oidc_leeway;
    let s = b.push(
        "oidc-auth.time-validation-leeway",
        leeway.value.iso(),
        Builder::default_origin(leeway),
    );
    s.human = human(leeway.value);
}
