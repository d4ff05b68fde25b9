//! The server's defaults (spec §4): each from its `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_*`
//! variable when set, else the built-in value. The variables are shown to the user as a small
//! pseudo-source `<environment>` (one `NAME=value` line each; unset ones as a comment with the
//! built-in value), so a bad value gets a diagnostic with a position like any other mistake.

use crate::diag::Diagnostic;
use crate::duration::{Nanos, parse_java};
use crate::source::{FileId, SourceDb, SourceFile, SourceKind, Span};

pub const PREFIX: &str = "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Duration,
    Path,
    Text,
}

/// (variable suffix, kind, built-in value)
pub const VARIABLES: [(&str, Kind, &str); 8] = [
    ("DEFAULT_TEST_CONNECTION_ON_STARTUP", Kind::Bool, "false"),
    ("DEFAULT_ENABLE_DEBUG_LOGGING", Kind::Bool, "false"),
    ("DEFAULT_TIMEOUT_CONNECT", Kind::Duration, "PT2S"),
    ("DEFAULT_TIMEOUT_READ", Kind::Duration, "PT10M"),
    (
        "DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
        Kind::Path,
        "ca/server_root_cas",
    ),
    (
        "DEFAULT_OIDC_DISCOVERY_PATH",
        Kind::Text,
        "/.well-known/openid-configuration",
    ),
    ("DEFAULT_OIDC_VERIFY_AUTHORIZED_PARTY", Kind::Bool, "true"),
    ("OIDC_TIME_VALIDATION_LEEWAY", Kind::Duration, "PT10S"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Set in the environment: the variable's name.
    Env(String),
    BuiltIn,
}

#[derive(Debug, Clone)]
pub struct Default<T> {
    pub value: T,
    pub origin: Origin,
    /// The value's span in the `<environment>` source.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Defaults {
    pub file: FileId,
    pub test_connection_on_startup: Default<bool>,
    pub enable_debug_logging: Default<bool>,
    pub connect_timeout: Default<Nanos>,
    pub read_timeout: Default<Nanos>,
    pub trust_store: Default<String>,
    pub oidc_discovery_path: Default<String>,
    pub oidc_verify_authorized_party: Default<bool>,
    pub oidc_leeway: Default<Nanos>,
}

/// Spring's boolean conversion: true/on/yes/1, false/off/no/0, any case.
fn spring_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// Read the defaults from `env`; adds the `<environment>` source and reports bad values.
pub fn read(
    env: &dyn Fn(&str) -> Option<String>,
    sources: &mut SourceDb,
    out: &mut Vec<Diagnostic>,
) -> Defaults {
    let mut text = String::new();
    let mut entries: Vec<(String, Kind, String, Origin, Span)> = Vec::new();
    for (suffix, kind, builtin) in VARIABLES {
        let name = format!("{PREFIX}{suffix}");
        // a blank variable counts as unset, as with Spring's `${name:default}`
        let (value, origin, line) = match env(&name).filter(|v| !v.trim().is_empty()) {
            Some(v) => {
                let v = v.replace(['\r', '\n'], " ");
                (v.clone(), Origin::Env(name.clone()), format!("{name}={v}"))
            }
            None => (
                builtin.to_string(),
                Origin::BuiltIn,
                format!("# {name}={builtin}   (not set: built-in default)"),
            ),
        };
        let start = text.len() + line.find('=').map_or(0, |i| i + 1);
        let span = Span::new(start, start + value.len());
        text.push_str(&line);
        text.push('\n');
        entries.push((name, kind, value, origin, span));
    }
    let file = sources.add(SourceFile::new(
        "<environment>",
        SourceKind::Environment,
        text,
    ));
    let raw = |suffix: &str| {
        let (name, _, value, origin, span) = entries
            .iter()
            .find(|e| e.0.ends_with(suffix))
            .cloned()
            .unwrap_or_else(|| {
                (
                    suffix.to_string(),
                    Kind::Text,
                    String::new(),
                    Origin::BuiltIn,
                    Span::default(),
                )
            });
        let builtin = VARIABLES.iter().find(|v| v.0 == suffix).map_or("", |v| v.2);
        (name, value, origin, span, builtin)
    };
    let mut boolean = |suffix: &str| {
        let (name, value, origin, span, builtin) = raw(suffix);
        let value = spring_bool(&value).unwrap_or_else(|| {
            out.push(crate::rules::defaults::invalid(
                file,
                span,
                &name,
                "is not a boolean",
                "use true or false",
            ));
            spring_bool(builtin).unwrap_or(false)
        });
        Default {
            value,
            origin,
            span,
        }
    };
    let test_connection_on_startup = boolean("DEFAULT_TEST_CONNECTION_ON_STARTUP");
    let enable_debug_logging = boolean("DEFAULT_ENABLE_DEBUG_LOGGING");
    let oidc_verify_authorized_party = boolean("DEFAULT_OIDC_VERIFY_AUTHORIZED_PARTY");
    let mut duration = |suffix: &str| {
        let (name, value, origin, span, builtin) = raw(suffix);
        let value = match parse_java(&value) {
            Ok(n) if !n.is_negative() => n,
            _ => {
                let hint = crate::duration::suggest(&value)
                    .map(|s| format!("write it as an ISO-8601 duration, e.g. `{s}`"))
                    .unwrap_or_else(|| "write it as an ISO-8601 duration such as PT30S".into());
                out.push(crate::rules::defaults::invalid(
                    file,
                    span,
                    &name,
                    "is not a positive ISO-8601 duration",
                    &hint,
                ));
                parse_java(builtin).unwrap_or(Nanos(0))
            }
        };
        Default {
            value,
            origin,
            span,
        }
    };
    let connect_timeout = duration("DEFAULT_TIMEOUT_CONNECT");
    let read_timeout = duration("DEFAULT_TIMEOUT_READ");
    let oidc_leeway = duration("OIDC_TIME_VALIDATION_LEEWAY");
    let text = |suffix: &str| {
        let (_, value, origin, span, _) = raw(suffix);
        Default {
            value,
            origin,
            span,
        }
    };
    Defaults {
        file,
        test_connection_on_startup,
        enable_debug_logging,
        connect_timeout,
        read_timeout,
        trust_store: text("DEFAULT_TRUST_SERVER_CERTIFICATE_CAS"),
        oidc_discovery_path: text("DEFAULT_OIDC_DISCOVERY_PATH"),
        oidc_verify_authorized_party,
        oidc_leeway,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_env_and_reports_bad_values() {
        let env = |name: &str| match name {
            n if n.ends_with("DEFAULT_TIMEOUT_CONNECT") => Some("5s".to_string()),
            n if n.ends_with("DEFAULT_ENABLE_DEBUG_LOGGING") => Some("YES".to_string()),
            _ => None,
        };
        let mut db = SourceDb::default();
        let mut out = Vec::new();
        let d = read(&env, &mut db, &mut out);
        assert!(d.enable_debug_logging.value);
        assert_eq!(d.connect_timeout.value, Nanos(2_000_000_000));
        assert_eq!(out.len(), 1);
        assert_eq!(db.get(d.file).slice(out[0].primary.span), "5s");
        assert_eq!(d.read_timeout.origin, Origin::BuiltIn);
    }
}
