//! From the resolved model to what a probe needs: each connection's effective settings, decoded
//! key material and secrets, as plain data ([`ProbeTarget`]). A connection the checks found an
//! error in, or whose key material could not be decoded here, is not probed, with the reason.

use super::target::{
    BasicCredentials, ClientIdentity, OidcTarget, PrivateKey, ProbeTarget, TrustRoots,
};
use crate::crypto::CertInfo;
use crate::duration::Nanos;
use crate::files::container::Unmounted;
use crate::files::{DefaultTrustState, FileError};
use crate::model::{
    Connection, FileState, KeyMaterial, Loaded, Origin, Setting, Timeout, Trust, effective_url,
};
use crate::secrets::Secret;
use std::time::Duration;

/// A connection left out, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotProbed {
    pub connection: String,
    pub reason: String,
}

fn duration(n: Nanos) -> Option<Duration> {
    u64::try_from(n.0).ok().map(Duration::from_nanos)
}

fn timeout(t: &Timeout) -> Result<Duration, String> {
    t.setting
        .ok()
        .copied()
        .and_then(duration)
        .ok_or_else(|| "a timeout is not usable".to_string())
}

/// The trust store of a connection (`whose` is `its`) or of its OIDC provider (`its
/// oidc-auth's`), or in plain words which file could not be read, why, and what to do.
fn trust(t: &Trust, whose: &str) -> Result<TrustRoots, String> {
    let source = match t {
        Trust::Own { file, .. } => file.path.ok().cloned().unwrap_or_default(),
        Trust::Default { path, .. } => format!(
            "the default trust store ({})",
            path.ok().cloned().unwrap_or_default()
        ),
    };
    let certificates: Vec<&CertInfo> = t.certificates().ok_or_else(|| unreadable(t, whose))?;
    Ok(TrustRoots {
        certificates: certificates.iter().map(|c| c.der.clone()).collect(),
        source,
    })
}

const DEFAULT_TRUST_VAR: &str =
    "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS";

/// Why a trust store has no certificates here, with the fix.
fn unreadable(t: &Trust, whose: &str) -> String {
    let owner = if whose == "its" {
        "the connection"
    } else {
        "its oidc-auth"
    };
    match t {
        Trust::Own { file, certificates } => {
            let why = match (&file.state, certificates) {
                (FileState::Unreadable(e), _) => e.describe(),
                (FileState::Empty, _) => "the file is empty".to_string(),
                (_, Loaded::Invalid(e)) => e.describe(),
                _ => "it was not read".to_string(),
            };
            format!(
                "{whose} trust store {} (trusted-root-certificates-file) could not be read here: {why}",
                file.path.ok().map_or("", String::as_str)
            )
        }
        Trust::Default { path, store } => {
            let configured = path.ok().map_or("", String::as_str);
            let named = match &path.origin {
                Origin::Env { variable, .. } => format!("set by ${variable}"),
                _ => "the server's built-in default".to_string(),
            };
            let why = match store.as_deref() {
                None => "no file was read (--skip-file-checks)".to_string(),
                Some(store) => match (&store.unmounted, &store.state) {
                    (Some(u), _) => FileError::NotMounted(u.clone()).describe(),
                    (None, DefaultTrustState::Missing) => format!(
                        "there is no file or folder {} on this machine{}",
                        store.host.display(),
                        if store.host.is_relative() {
                            " (relative to the current directory)"
                        } else {
                            ""
                        }
                    ),
                    (None, DefaultTrustState::Loaded { .. }) => {
                        "it holds no certificate".to_string()
                    }
                },
            };
            // a compose service's path is its container's: the mount's folder is mapped
            let map = match store.as_deref().and_then(|s| s.unmounted.as_ref()) {
                Some(Unmounted::Path { dir }) => format!("--path-map {}=FOLDER", dir.display()),
                Some(_) => "--path-map CONTAINER-FOLDER=FOLDER".to_string(),
                None => format!("--path-map {configured}=PATH"),
            };
            format!(
                "{whose} trust store is the default one, {configured} ({named}: {owner} has no trusted-root-certificates-file), and {why}; to probe it, check a copy of it here with {map}, set ${DEFAULT_TRUST_VAR} to a PEM file of its CA certificates, or give {owner} a trusted-root-certificates-file"
            )
        }
    }
}

fn secret(
    inline: Option<&Setting<Secret>>,
    file: Option<&crate::model::SecretFile>,
) -> Option<Secret> {
    inline
        .and_then(|s| s.ok().cloned())
        .or_else(|| file.and_then(|f| f.secret.ok().cloned()))
}

/// What to probe for `c`, or why it cannot be probed.
pub fn target(c: &Connection) -> Result<ProbeTarget, String> {
    let base_url = c
        .base_url
        .as_ref()
        .and_then(|s| s.ok())
        .map(|u| effective_url(u).to_string())
        .ok_or("it has no base-url")?;
    let client_identity = match c.cert_auth.get().map(|a| &a.material) {
        None => None,
        Some(KeyMaterial::Pem {
            certificates: Loaded::Ok(certs),
            key: Loaded::Ok(key),
        }) => Some(ClientIdentity {
            chain: certs.iter().map(|c| c.der.clone()).collect(),
            key: PrivateKey {
                format: key.format,
                der: key.der.clone(),
            },
        }),
        Some(KeyMaterial::Pkcs12(Loaded::Ok(info))) => {
            Some(ClientIdentity::from_p12(info).ok_or("its PKCS#12 file holds no key")?)
        }
        Some(_) => return Err("its client certificate and key could not be read here".into()),
    };
    let basic = match c.basic_auth.get() {
        None => None,
        Some(b) => Some(BasicCredentials {
            username: b
                .username
                .as_ref()
                .and_then(|s| s.ok())
                .cloned()
                .ok_or("its basic-auth has no username")?,
            password: secret(b.password.as_ref(), b.password_file.as_ref())
                .ok_or("its basic-auth password could not be read")?,
        }),
    };
    let bearer = match c.bearer_auth.get() {
        None => None,
        Some(b) => Some(
            secret(b.token.as_ref(), b.token_file.as_ref())
                .ok_or("its bearer token could not be read")?,
        ),
    };
    let oidc = match c.oidc_auth.get() {
        None => None,
        Some(o) => Some(OidcTarget {
            base_url: o
                .base_url
                .as_ref()
                .and_then(|s| s.ok())
                .map(|u| effective_url(u).to_string())
                .ok_or("its oidc-auth has no base-url")?,
            discovery_path: o.discovery_path.ok().cloned().unwrap_or_default(),
            client_id: o
                .client_id
                .as_ref()
                .and_then(|s| s.ok())
                .cloned()
                .ok_or("its oidc-auth has no client-id")?,
            client_secret: secret(o.client_secret.as_ref(), o.client_secret_file.as_ref())
                .ok_or("its client secret could not be read")?,
            required_audience: o
                .required_audience
                .as_ref()
                .and_then(|s| s.ok())
                .cloned()
                .unwrap_or_default(),
            verify_authorized_party: o.verify_authorized_party.ok().copied().unwrap_or(true),
            connect_timeout: timeout(&o.connect_timeout)?,
            read_timeout: timeout(&o.read_timeout)?,
            trust: trust(&o.trust, "its oidc-auth's")?,
            leeway: o
                .leeway
                .ok()
                .copied()
                .and_then(duration)
                .unwrap_or_default(),
        }),
    };
    // a plain http connection uses no trust store; an unreadable one only matters for https
    let https = base_url.to_ascii_lowercase().starts_with("https:");
    Ok(ProbeTarget {
        id: c.id.clone(),
        base_url,
        test_on_startup: c.test_connection_on_startup.ok().copied().unwrap_or(false),
        connect_timeout: timeout(&c.connect_timeout)?,
        read_timeout: timeout(&c.read_timeout)?,
        trust: trust(&c.trust, "its").or_else(|e| {
            if https {
                Err(e)
            } else {
                Ok(TrustRoots::default())
            }
        })?,
        client_identity,
        basic,
        bearer,
        oidc,
    })
}

/// Probe the connections of a checked run: the last definition of each id (the one the server
/// keeps), those without errors; the others are listed as not probed. Returns the results, the
/// connections not probed, and notes for the summary.
pub fn run_for(
    diagnostics: &[crate::diag::Diagnostic],
    models: &[Connection],
    args: &super::args::ProbeArgs,
    env: &dyn Fn(&str) -> Option<String>,
    progress: bool,
) -> (Vec<super::ProbeResult>, Vec<NotProbed>, Vec<String>) {
    let mut notes = Vec::new();
    let mut targets = Vec::new();
    let mut not_probed = Vec::new();
    for (i, c) in models.iter().enumerate() {
        // a later definition of the same id (in the same input) replaces this one
        if models[i + 1..]
            .iter()
            .any(|later| later.id == c.id && later.file == c.file)
        {
            continue;
        }
        let errors = diagnostics.iter().any(|d| {
            d.severity == crate::diag::Severity::Error
                && d.primary.file == c.file
                && d.connection.as_deref() == Some(c.id.as_str())
        });
        let reason = if errors {
            Err("it has errors (see above); the server would not use it".to_string())
        } else {
            target(c)
        };
        match reason {
            Ok(t) => targets.push(t),
            Err(reason) => not_probed.push(NotProbed {
                connection: c.id.clone(),
                reason,
            }),
        }
    }
    let mut options = args.options();
    match super::ProxyConfig::from_env(env) {
        Ok(proxy) => options.proxy = proxy,
        Err(why) => notes.push(format!(
            "DEV_DSF_PROXY_URL is ignored, as the server ignores it: {why}"
        )),
    }
    // `spring/config/PropertiesConfig.java:180-181` (default true); a value Spring cannot read
    // stops the BPE, which `check` reports: the probe then assumes the default
    options.oidc_cache = env("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE")
        .and_then(|v| crate::defaults::spring_bool(&v))
        .unwrap_or(true);
    if progress {
        options.progress = Some(super::progress::stderr_progress());
    }
    let results = match super::run(&targets, &options) {
        Ok(r) => r,
        Err(e) => {
            // none of them was probed, and the summary says why
            not_probed.extend(targets.iter().map(|t| NotProbed {
                connection: t.id.clone(),
                reason: format!("the probes could not run: {e}"),
            }));
            Vec::new()
        }
    };
    if progress {
        super::progress::clear_progress();
    }
    (results, not_probed, notes)
}
