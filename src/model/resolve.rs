//! Builds the resolved [`Connection`] from one connection's spanned YAML, the way the server
//! builds its client config: values typed as Jackson types them (one typing, shared with the
//! schema instance), the last of duplicate keys wins, absent values take the `DEFAULT_*`
//! variables or the built-in defaults (`oidc-auth` falls back to the global defaults, never to
//! the connection's own values), and every file the connection names is read and decoded through
//! the file and key service. Nothing is judged here: rules do that on the result.

use super::*;
use crate::defaults::{self, Defaults};
use crate::files::FileService;
use crate::props::{BASIC_AUTH, BEARER_AUTH, CERT_AUTH, OIDC_AUTH};
use crate::source::FileId;
use crate::yaml::pointer::join;
use crate::yaml::{Entry, Node, NodeKind};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

pub struct Context<'a> {
    pub file: FileId,
    pub defaults: &'a Defaults,
    /// `None` with `--skip-file-checks`.
    pub files: Option<&'a FileService>,
    /// The BPE's container, when checking a compose service (also with `--skip-file-checks`).
    pub container: Option<&'a crate::files::Container>,
}

/// The entries of a mapping node (none for anything else).
fn entries<'n, 'a>(node: &'n Node<'a>) -> &'n [Entry<'a>] {
    node.as_map().unwrap_or_default()
}

struct Scope<'c, 'n, 'a> {
    ctx: &'c Context<'c>,
    entries: &'n [Entry<'a>],
    /// The block's typed instance (built once for the schema): values come from here.
    values: Option<&'n Map<String, Value>>,
    pointer: Arc<str>,
}

impl<'c, 'n, 'a> Scope<'c, 'n, 'a> {
    /// The entry the server uses for `name` (the last of duplicates), and where it is.
    fn find(&self, name: &'static str) -> Option<(&'n Entry<'a>, At)> {
        let e = crate::yaml::node::lookup(self.entries, name)?;
        Some((
            e,
            At {
                file: self.ctx.file,
                key: e.key.span,
                value: e.value.span,
                parent: Arc::clone(&self.pointer),
                name: Cow::Borrowed(name),
                flow: e.value.is_flow_scalar(),
            },
        ))
    }

    /// The typed value of `name` (as in the schema instance); `None` when absent or null.
    fn value(&self, name: &'static str) -> Option<(&'n Value, At, &'n Node<'a>)> {
        let v = self.values?.get(name)?;
        let (e, at) = self.find(name)?;
        Some((v, at, &e.value))
    }

    fn text(&self, name: &'static str) -> Option<Setting<String>> {
        let (v, at, node) = self.value(name)?;
        Some(Setting {
            value: match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(node.kind_name().to_string()),
            },
            origin: Origin::Config(at),
        })
    }

    fn secret(&self, name: &'static str) -> Option<Setting<Secret>> {
        let (v, at, _) = self.value(name)?;
        Some(Setting {
            value: match v {
                Value::String(s) => Ok(Secret::new(s.as_str())),
                // never keep the text of a secret, not even a wrong one
                _ => Err(String::new()),
            },
            origin: Origin::Config(at),
        })
    }

    fn boolean(&self, name: &'static str, default: &defaults::Default<bool>) -> Setting<bool> {
        let Some((v, at, node)) = self.value(name) else {
            return from_default(default, |b| *b);
        };
        let value = match v {
            Value::Bool(b) => Ok(*b),
            Value::Number(n) => Ok(n.as_i64() != Some(0)),
            Value::String(s) => match crate::yaml::scalar::text_bool(s) {
                Some(Some(b)) => Ok(b),
                _ => Err(node.text().unwrap_or_default().to_string()),
            },
            _ => Err(node.kind_name().to_string()),
        };
        Setting {
            value,
            origin: Origin::Config(at),
        }
    }

    fn timeout(&self, name: &'static str, default: &defaults::Default<Nanos>) -> Timeout {
        let Some((v, at, node)) = self.value(name) else {
            return Timeout {
                setting: from_default(default, |n| *n),
                written: Written::Default,
            };
        };
        let (value, written) = match v {
            Value::Number(_) => (
                crate::duration::from_json_seconds(v)
                    .ok_or_else(|| node.text().unwrap_or_default().to_string()),
                Written::Number,
            ),
            Value::String(s) => (
                crate::duration::parse_java(s).map_err(|_| s.clone()),
                Written::Text,
            ),
            _ => (Err(node.kind_name().to_string()), Written::Text),
        };
        Timeout {
            setting: Setting {
                value,
                origin: Origin::Config(at),
            },
            written,
        }
    }

    fn file(&self, name: &'static str) -> Option<FileRef> {
        let path = self.text(name)?;
        Some(file_ref(self.ctx, path))
    }

    fn secret_file(&self, name: &'static str) -> Option<SecretFile> {
        let file = self.file(name)?;
        let secret = match (&file.state, &file.host, self.ctx.files) {
            (FileState::Read, Some(host), Some(files)) => match files.read_host(host) {
                Ok(bytes) => match secret_from(&bytes) {
                    Ok(s) => Loaded::Ok(s),
                    Err(e) => Loaded::Invalid(e),
                },
                Err(_) => Loaded::NotChecked,
            },
            _ => Loaded::NotChecked,
        };
        Some(SecretFile { file, secret })
    }

    fn trust(&self, defaults: &Defaults) -> Trust {
        match self.file("trusted-root-certificates-file") {
            Some(file) => {
                let certificates = match (&file.state, &file.host, self.ctx.files) {
                    (FileState::Read, Some(host), Some(files)) => {
                        match files.certificates_host(host) {
                            Ok(Ok(c)) => Loaded::Ok(c),
                            Ok(Err(e)) => Loaded::Invalid(e),
                            Err(_) => Loaded::NotChecked,
                        }
                    }
                    _ => Loaded::NotChecked,
                };
                Trust::Own { file, certificates }
            }
            None => {
                let d = &defaults.trust_store;
                Trust::Default {
                    path: from_default(d, Clone::clone),
                    store: self.ctx.files.map(|f| f.default_trust(&d.value)),
                }
            }
        }
    }

    /// A nested block: `None` inside when absent.
    fn block(&self, name: &'static str) -> (Block<()>, Option<Scope<'c, 'n, 'a>>) {
        let Some((e, at)) = self.find(name) else {
            return (Block::Absent, None);
        };
        if e.value.is_null() {
            return (Block::Null(at), None);
        }
        if !matches!(e.value.kind, NodeKind::Map(_)) {
            return (Block::Invalid(at), None);
        }
        let scope = Scope {
            ctx: self.ctx,
            entries: entries(&e.value),
            values: self
                .values
                .and_then(|v| v.get(name))
                .and_then(Value::as_object),
            pointer: Arc::from(at.pointer()),
        };
        (Block::Present(at, ()), Some(scope))
    }
}

fn with<T>(b: Block<()>, value: Option<T>) -> Block<T> {
    match (b, value) {
        (Block::Present(at, ()), Some(v)) => Block::Present(at, v),
        (Block::Present(at, ()), None) | (Block::Invalid(at), _) => Block::Invalid(at),
        (Block::Null(at), _) => Block::Null(at),
        (Block::Absent, _) => Block::Absent,
    }
}

fn from_default<T, U>(d: &defaults::Default<T>, value: impl Fn(&T) -> U) -> Setting<U> {
    Setting {
        value: Ok(value(&d.value)),
        origin: match &d.origin {
            defaults::Origin::Env(variable) => Origin::Env {
                variable: variable.clone(),
                file: d.file,
                span: d.span,
            },
            defaults::Origin::BuiltIn => Origin::BuiltIn,
        },
    }
}

fn file_ref(ctx: &Context, path: Setting<String>) -> FileRef {
    let container = match (ctx.container, path.ok()) {
        (Some(c), Some(p)) if !p.trim().is_empty() => Some(c.in_container(p)),
        _ => None,
    };
    let (host, state) = match (ctx.files, path.ok()) {
        (Some(files), Some(p)) if !p.trim().is_empty() => {
            let read = files.read(p);
            let state = match &read.content {
                Err(e) => FileState::Unreadable(e.clone()),
                Ok(b) if b.is_empty() => FileState::Empty,
                Ok(_) => FileState::Read,
            };
            // a path no mount brings here was not looked up at all
            let looked_up = !matches!(read.content, Err(crate::files::FileError::NotMounted(_)));
            (looked_up.then_some(read.host), state)
        }
        _ => (None, FileState::NotChecked),
    };
    FileRef {
        path,
        container,
        host,
        state,
    }
}

/// A secret file's content as the server reads it: strict UTF-8, its first line, which must not
/// be blank, and nothing after the first line break (one trailing break is fine).
pub fn secret_from(bytes: &[u8]) -> Result<Secret, SecretFileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SecretFileError::NotUtf8)?;
    let (first, rest) = match text.find(['\n', '\r']) {
        Some(i) => {
            let after = if text[i..].starts_with("\r\n") {
                i + 2
            } else {
                i + 1
            };
            (&text[..i], &text[after..])
        }
        None => (text, ""),
    };
    if first.trim().is_empty() {
        return Err(SecretFileError::FirstLineBlank);
    }
    if !rest.is_empty() {
        return Err(SecretFileError::Multiline);
    }
    Ok(Secret::new(first))
}

/// Resolve one connection from its tree and its typed instance (`instance::connection`);
/// `None` when its value is not a mapping (the schema reports that).
pub fn connection(ctx: &Context, entry: &Entry, id: &str, instance: &Value) -> Option<Connection> {
    if !matches!(entry.value.kind, NodeKind::Map(_)) {
        return None;
    }
    let d = ctx.defaults;
    let pointer = join("", id);
    let s = Scope {
        ctx,
        entries: entries(&entry.value),
        values: instance.as_object(),
        pointer: Arc::from(pointer.as_str()),
    };
    Some(Connection {
        id: id.to_string(),
        file: ctx.file,
        pointer,
        key: entry.key.span,
        value: entry.value.span,
        base_url: s.text("base-url"),
        test_connection_on_startup: s
            .boolean("test-connection-on-startup", &d.test_connection_on_startup),
        enable_debug_logging: s.boolean("enable-debug-logging", &d.enable_debug_logging),
        connect_timeout: s.timeout("connect-timeout", &d.connect_timeout),
        read_timeout: s.timeout("read-timeout", &d.read_timeout),
        trust: s.trust(d),
        cert_auth: cert_auth(&s),
        basic_auth: {
            let (b, inner) = s.block(BASIC_AUTH.name);
            with(
                b,
                inner.map(|s| BasicAuth {
                    username: s.text("username"),
                    password: s.secret("password"),
                    password_file: s.secret_file("password-file"),
                }),
            )
        },
        bearer_auth: {
            let (b, inner) = s.block(BEARER_AUTH.name);
            with(
                b,
                inner.map(|s| BearerAuth {
                    token: s.secret("token"),
                    token_file: s.secret_file("token-file"),
                }),
            )
        },
        oidc_auth: oidc_auth(&s),
    })
}

fn cert_auth(s: &Scope) -> Block<CertAuth> {
    let (b, inner) = s.block(CERT_AUTH.name);
    let value = inner.map(|s| {
        let mut c = CertAuth {
            p12_file: s.file("p12-file"),
            private_key_file: s.file("private-key-file"),
            certificate_file: s.file("certificate-file"),
            password: s.secret("password"),
            password_file: s.secret_file("password-file"),
            material: KeyMaterial::NotChecked,
        };
        c.material = key_material(s.ctx, &c);
        c
    });
    with(b, value)
}

/// Decode the client key material the way the server does, for the combinations it accepts:
/// a PKCS#12 alone, or a PEM certificate with its key; each needs the password.
fn key_material(ctx: &Context, c: &CertAuth) -> KeyMaterial {
    let Some(files) = ctx.files else {
        return KeyMaterial::NotChecked;
    };
    let password = c.effective_password().map(|(p, _)| p.clone());
    let readable = |f: &FileRef| match (&f.state, &f.host) {
        (FileState::Read, Some(host)) => Some(host.clone()),
        _ => None,
    };
    fn loaded<T, E>(r: Option<Result<T, E>>) -> Loaded<T, E> {
        match r {
            Some(Ok(k)) => Loaded::Ok(k),
            Some(Err(e)) => Loaded::Invalid(e),
            None => Loaded::NotChecked,
        }
    }
    match (&c.p12_file, &c.private_key_file, &c.certificate_file) {
        // opened once per file and password for the whole run (`files::Keys`)
        (Some(p12), None, None) => KeyMaterial::Pkcs12(match (readable(p12), &password) {
            (Some(host), Some(pw)) => loaded(files.pkcs12_host(&host, pw.expose())),
            _ => Loaded::NotChecked,
        }),
        (None, Some(key), Some(cert)) => {
            let certificates = match (&cert.state, &cert.host) {
                (FileState::Read, Some(host)) => match files.certificates_host(host) {
                    Ok(Ok(c)) => Loaded::Ok(c),
                    Ok(Err(e)) => Loaded::Invalid(e),
                    Err(_) => Loaded::NotChecked,
                },
                _ => Loaded::NotChecked,
            };
            let key = match (readable(key), &password) {
                (Some(host), Some(pw)) => {
                    loaded(files.private_key_host(&host, pw.expose().as_bytes()))
                }
                _ => Loaded::NotChecked,
            };
            KeyMaterial::Pem { certificates, key }
        }
        _ => KeyMaterial::NotChecked,
    }
}

fn oidc_auth(s: &Scope) -> Block<OidcAuth> {
    let d = s.ctx.defaults;
    let (b, inner) = s.block(OIDC_AUTH.name);
    let value = inner.map(|s| OidcAuth {
        base_url: s.text("base-url"),
        discovery_path: match s.text("discovery-path") {
            // the server adds a leading `/` when it is missing
            Some(mut p) => {
                if let Ok(v) = &mut p.value
                    && !v.starts_with('/')
                {
                    v.insert(0, '/');
                }
                p
            }
            None => from_default(&d.oidc_discovery_path, Clone::clone),
        },
        test_connection_on_startup: s
            .boolean("test-connection-on-startup", &d.test_connection_on_startup),
        enable_debug_logging: s.boolean("enable-debug-logging", &d.enable_debug_logging),
        connect_timeout: s.timeout("connect-timeout", &d.connect_timeout),
        read_timeout: s.timeout("read-timeout", &d.read_timeout),
        trust: s.trust(d),
        client_id: s.text("client-id"),
        client_secret: s.secret("client-secret"),
        client_secret_file: s.secret_file("client-secret-file"),
        required_audience: s.value("required-audience").map(|(v, at, node)| Setting {
            value: match v {
                Value::String(one) => Ok(vec![one.clone()]),
                Value::Array(items) => items
                    .iter()
                    .map(|i| match i {
                        Value::String(t) => Ok(t.clone()),
                        _ => Err(node.kind_name().to_string()),
                    })
                    .collect(),
                _ => Err(node.kind_name().to_string()),
            },
            origin: Origin::Config(at),
        }),
        required_audience_items: match s.find("required-audience") {
            Some((e, at)) => match &e.value.kind {
                NodeKind::Seq(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| At {
                        file: at.file,
                        key: n.span,
                        value: n.span,
                        parent: Arc::from(at.pointer()),
                        name: Cow::Owned(i.to_string()),
                        flow: n.is_flow_scalar(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        },
        verify_authorized_party: s
            .boolean("verify-authorized-party", &d.oidc_verify_authorized_party),
        leeway: from_default(&d.oidc_leeway, |n| *n),
        cache: from_default(&d.oidc_cache, |b| *b),
        cache_configuration: from_default(&d.oidc_cache_configuration, |n| *n),
        cache_jwks: from_default(&d.oidc_cache_jwks, |n| *n),
        cache_access_token: from_default(&d.oidc_cache_access_token, |n| *n),
    });
    with(b, value)
}
