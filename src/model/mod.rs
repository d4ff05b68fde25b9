//! The resolved model: one [`Connection`] per connection id, produced once from the spanned YAML
//! (by `resolve`), as the server would build it: the effective settings with the server's
//! defaults applied and the origin of each value, the spans of every key and value, secrets as
//! [`Secret`]s, and the files the connection names, read and decoded through the file and key
//! service. There is no I/O in these types; rules judge them, `explain` renders them and the
//! probes take their connection settings from them.

pub mod instance;
pub mod resolve;

use crate::crypto::{CertInfo, CertsError, KeyError, P12Info, PrivateKey};
use crate::duration::Nanos;
use crate::files::{DefaultTrust, FileError};

use crate::secrets::Secret;
use crate::source::{FileId, Span};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

/// Where something is written in the config: a property's key and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub file: FileId,
    pub key: Span,
    pub value: Span,
    /// RFC 6901 pointer of the enclosing block (`/id`, `/id/oidc-auth`), shared by its
    /// properties: most pointers are never needed, so they are made on demand.
    pub parent: Arc<str>,
    /// The property's name (or a list item's index).
    pub name: Cow<'static, str>,
    /// Whether the value is a plain or quoted scalar, whose span a fix may replace whole (a
    /// block scalar's span leaves out its header).
    pub flow: bool,
}

impl At {
    /// RFC 6901 pointer of the property.
    pub fn pointer(&self) -> String {
        crate::yaml::pointer::join(&self.parent, &self.name)
    }

    /// The value's span, or the key's when the value has no width (`key:` alone).
    pub fn value_or_key(&self) -> Span {
        if self.value.is_empty() {
            self.key
        } else {
            self.value
        }
    }
}

/// Where an effective value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written in the config.
    Config(At),
    /// A `DEFAULT_*` variable: its name, and its value's span in the `<environment>` source.
    Env {
        variable: String,
        file: FileId,
        span: Span,
    },
    /// The server's built-in default.
    BuiltIn,
    /// Computed from other settings.
    Derived,
}

impl Origin {
    pub fn at(&self) -> Option<&At> {
        match self {
            Origin::Config(at) => Some(at),
            _ => None,
        }
    }
}

/// An effective value: `Err` holds the text of a value that could not be read (the schema
/// reports it; `explain` shows it as written).
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: Result<T, String>,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn ok(&self) -> Option<&T> {
        self.value.as_ref().ok()
    }
    pub fn at(&self) -> Option<&At> {
        self.origin.at()
    }
}

/// How a plain number or text was written, where the server's typing depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A plain YAML number (seconds, for a timeout).
    Number,
    /// Text (an ISO-8601 duration).
    Text,
    /// Not written: a default.
    Default,
}

#[derive(Debug, Clone)]
pub struct Timeout {
    pub setting: Setting<Nanos>,
    pub written: Written,
}

/// Whether a file named in the config could be read here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    /// Not read: `--skip-file-checks`, or a blank path.
    NotChecked,
    Unreadable(FileError),
    /// 0 bytes.
    Empty,
    Read,
}

/// A property naming a file: the path as configured, its path inside the BPE's container (for a
/// compose service), where it was looked up here (`None` with `--skip-file-checks`, or when no
/// mount brings it here), and whether it could be read.
#[derive(Debug, Clone)]
pub struct FileRef {
    pub path: Setting<String>,
    pub container: Option<PathBuf>,
    pub host: Option<PathBuf>,
    pub state: FileState,
}

/// What decoding a file that could be read gave.
#[derive(Debug, Clone)]
pub enum Loaded<T, E> {
    /// Not decoded: the file was not read, or there was nothing to decode it with (no password).
    NotChecked,
    Invalid(E),
    Ok(T),
}

impl<T, E> Loaded<T, E> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Loaded::Ok(t) => Some(t),
            _ => None,
        }
    }
}

/// Why a secret file cannot be used (a file of 0 bytes is `FileState::Empty`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretFileError {
    FirstLineBlank,
    Multiline,
    NotUtf8,
}

/// A `*-file` property holding a secret (password, token, client secret).
#[derive(Debug, Clone)]
pub struct SecretFile {
    pub file: FileRef,
    pub secret: Loaded<Secret, SecretFileError>,
}

/// A trust store: the connection's own file, or the server's default.
#[derive(Debug, Clone)]
pub enum Trust {
    Own {
        file: FileRef,
        certificates: Loaded<Arc<Vec<CertInfo>>, CertsError>,
    },
    Default {
        path: Setting<String>,
        /// Loaded once for the whole run (`None` with `--skip-file-checks`).
        store: Option<Arc<DefaultTrust>>,
    },
}

impl Trust {
    /// The certificates trusted, when they could be read.
    pub fn certificates(&self) -> Option<Vec<&CertInfo>> {
        match self {
            Trust::Own { certificates, .. } => certificates.ok().map(|c| c.iter().collect()),
            Trust::Default { store, .. } => match store.as_deref().map(|s| &s.state) {
                Some(crate::files::DefaultTrustState::Loaded { certificates, .. }) => {
                    Some(certificates.iter().collect())
                }
                _ => None,
            },
        }
    }
}

/// A nested auth block as written.
#[derive(Debug, Clone)]
pub enum Block<T> {
    Absent,
    /// `cert-auth:` with nothing under it: accepted by the server, means no such auth.
    Null(At),
    /// Not a mapping (the schema reports it).
    Invalid(At),
    Present(At, T),
}

impl<T> Block<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Block::Present(_, t) => Some(t),
            _ => None,
        }
    }
    pub fn at(&self) -> Option<&At> {
        match self {
            Block::Absent => None,
            Block::Null(a) | Block::Invalid(a) | Block::Present(a, _) => Some(a),
        }
    }
}

/// The client key and certificate chain of `cert-auth`, as far as they could be decoded.
#[derive(Debug, Clone)]
pub enum KeyMaterial {
    /// `--skip-file-checks`, or a combination of files the schema rejects.
    NotChecked,
    Pkcs12(Loaded<Arc<P12Info>, crate::crypto::P12Error>),
    Pem {
        certificates: Loaded<Arc<Vec<CertInfo>>, CertsError>,
        key: Loaded<Arc<PrivateKey>, KeyError>,
    },
}

#[derive(Debug, Clone)]
pub struct CertAuth {
    pub p12_file: Option<FileRef>,
    pub private_key_file: Option<FileRef>,
    pub certificate_file: Option<FileRef>,
    pub password: Option<Setting<Secret>>,
    pub password_file: Option<SecretFile>,
    pub material: KeyMaterial,
}

impl CertAuth {
    /// The password the key material is opened with, and where it comes from.
    pub fn effective_password(&self) -> Option<(&Secret, &At)> {
        if let Some(p) = &self.password {
            return Some((p.ok()?, p.at()?));
        }
        let f = self.password_file.as_ref()?;
        Some((f.secret.ok()?, f.file.path.at()?))
    }
}

#[derive(Debug, Clone)]
pub struct BasicAuth {
    pub username: Option<Setting<String>>,
    pub password: Option<Setting<Secret>>,
    pub password_file: Option<SecretFile>,
}

#[derive(Debug, Clone)]
pub struct BearerAuth {
    pub token: Option<Setting<Secret>>,
    pub token_file: Option<SecretFile>,
}

#[derive(Debug, Clone)]
pub struct OidcAuth {
    pub base_url: Option<Setting<String>>,
    pub discovery_path: Setting<String>,
    pub test_connection_on_startup: Setting<bool>,
    pub enable_debug_logging: Setting<bool>,
    pub connect_timeout: Timeout,
    pub read_timeout: Timeout,
    pub trust: Trust,
    pub client_id: Option<Setting<String>>,
    pub client_secret: Option<Setting<Secret>>,
    pub client_secret_file: Option<SecretFile>,
    /// `None`: not set (no audience check).
    pub required_audience: Option<Setting<Vec<String>>>,
    /// Where each item is written, when it is written as a list.
    pub required_audience_items: Vec<At>,
    pub verify_authorized_party: Setting<bool>,
    pub leeway: Setting<Nanos>,
    /// The server's OIDC client cache (`..._OIDC_CACHE`) and how long it keeps the discovery
    /// document, the JWKS and an access token before it expires (shared by every connection).
    pub cache: Setting<bool>,
    pub cache_configuration: Setting<Nanos>,
    pub cache_jwks: Setting<Nanos>,
    pub cache_access_token: Setting<Nanos>,
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub id: String,
    pub file: FileId,
    /// RFC 6901 pointer of the connection (`/id`).
    pub pointer: String,
    /// The id as written.
    pub key: Span,
    /// The connection's value (its mapping).
    pub value: Span,
    pub base_url: Option<Setting<String>>,
    pub test_connection_on_startup: Setting<bool>,
    pub enable_debug_logging: Setting<bool>,
    pub connect_timeout: Timeout,
    pub read_timeout: Timeout,
    pub trust: Trust,
    pub cert_auth: Block<CertAuth>,
    pub basic_auth: Block<BasicAuth>,
    pub bearer_auth: Block<BearerAuth>,
    pub oidc_auth: Block<OidcAuth>,
}

impl Connection {
    /// A user connection `#dsf` is replaced by the server's built-in one before anything is
    /// built from it (DSF `spring/config/FhirClientConnectionsConfig.java:105`, `addConfig` puts
    /// the built-in entry over it: `config/FhirClientConfigsImpl.java:54`).
    pub fn replaced_by_builtin(&self) -> bool {
        self.id == "#dsf"
    }

    /// Whether the server builds this connection's FHIR client at start-up: only to test it,
    /// when its effective `test-connection-on-startup` is true
    /// (`FhirClientConnectionsConfig.java:141-142`, client built in
    /// `client/fhir/FhirConnectionTestClientJersey.java:77-127`).
    pub fn fhir_client_at_startup(&self) -> bool {
        !self.replaced_by_builtin() && self.test_connection_on_startup.ok() == Some(&true)
    }

    /// Whether the server builds this connection's OIDC client at start-up: for every
    /// connection with `oidc-auth`, whatever the test flags say
    /// (`FhirClientConnectionsConfig.java:138-139, 154-155`); it uses the `oidc-auth` timeouts
    /// (`config/FhirClientConfigYamlReaderImpl.java:215-216`).
    pub fn oidc_client_at_startup(&self) -> bool {
        !self.replaced_by_builtin() && self.oidc_auth.get().is_some()
    }
}

/// What a failure to build a client means to the server: the BPE does not start when the client
/// is built at start-up; otherwise it starts and the connection fails when a plugin uses it; a
/// user `#dsf` is never built (the built-in entry replaces it).
pub fn build_failure_outcome(c: &Connection, at_startup: bool) -> crate::diag::Outcome {
    use crate::diag::Outcome;
    if c.replaced_by_builtin() {
        Outcome::SilentlyWrong
    } else if at_startup {
        Outcome::DoesNotStart
    } else {
        Outcome::MayFail
    }
}

/// `base-url` as the server uses it: one trailing `/` removed.
pub fn effective_url(url: &str) -> &str {
    url.strip_suffix('/').unwrap_or(url)
}
