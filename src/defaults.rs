//! The server's defaults (spec §4): each from its `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_*`
//! variable when set, else the built-in value. The variables are shown to the user as a small
//! pseudo-source `<environment>` (one `NAME=value` line each; unset ones as a comment with the
//! built-in value), so a bad value gets a diagnostic with a position like any other mistake.
//! A compose service's own values replace them for its config, each with its place in the
//! compose file (`Defaults::with_overrides`).

use crate::duration::{Nanos, parse_java};
use crate::secrets::{Piece, Text};
use crate::source::{FileId, SourceDb, SourceFile, SourceKind, Span};

pub const PREFIX: &str = "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Duration,
    Path,
    Text,
}

/// (variable suffix, kind, built-in value), as DSF `spring/config/PropertiesConfig.java:153-198`
/// declares them (the durations are strings given to `Duration.parse` where they are used:
/// :656-664, :683-702).
pub const VARIABLES: [(&str, Kind, &str); 12] = [
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
    ("OIDC_CACHE", Kind::Bool, "true"),
    (
        "OIDC_CACHE_TIMEOUT_CONFIGURATION_RESOURCE",
        Kind::Duration,
        "PT1H",
    ),
    ("OIDC_CACHE_TIMEOUT_JWKS_RESOURCE", Kind::Duration, "PT1H"),
    ("OIDC_CACHE_TIMEOUT_ACCESS_TOKEN", Kind::Duration, "PT10S"),
];

/// The duration variables the server rejects when negative (`assertPositive`,
/// `PropertiesConfig.java:501-507`, and `client/oidc/OidcClientProviderImpl.java:76-90`): read
/// whenever the OIDC client provider is made at start-up, whatever the connections are
/// (`spring/config/OidcClientProviderConfig.java`). The two default timeouts are not checked
/// there: a negative one is accepted and fails where a client is built with it.
pub const NOT_NEGATIVE: [&str; 4] = [
    "OIDC_TIME_VALIDATION_LEEWAY",
    "OIDC_CACHE_TIMEOUT_CONFIGURATION_RESOURCE",
    "OIDC_CACHE_TIMEOUT_JWKS_RESOURCE",
    "OIDC_CACHE_TIMEOUT_ACCESS_TOKEN",
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
    /// Where the value is written: the `<environment>` source, or a compose file.
    pub file: FileId,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Defaults {
    /// The `<environment>` pseudo-source of the tool's own environment.
    pub file: FileId,
    pub test_connection_on_startup: Default<bool>,
    pub enable_debug_logging: Default<bool>,
    pub connect_timeout: Default<Nanos>,
    pub read_timeout: Default<Nanos>,
    pub trust_store: Default<String>,
    pub oidc_discovery_path: Default<String>,
    pub oidc_verify_authorized_party: Default<bool>,
    pub oidc_leeway: Default<Nanos>,
    /// The OIDC client cache (`..._OIDC_CACHE`) and its three timeouts; not part of a
    /// connection, but read and checked at start-up.
    pub oidc_cache: Default<bool>,
    pub oidc_cache_configuration: Default<Nanos>,
    pub oidc_cache_jwks: Default<Nanos>,
    pub oidc_cache_access_token: Default<Nanos>,
    /// Each variable as read (in [`VARIABLES`] order), to rebuild with a service's own values.
    raw: Vec<Raw>,
}

/// One variable as written, before conversion.
#[derive(Debug, Clone)]
struct Raw {
    name: String,
    value: String,
    origin: Origin,
    file: FileId,
    span: Span,
}

/// A value a compose service sets for one of the variables, and where it is written.
#[derive(Debug, Clone)]
pub struct Override {
    pub name: String,
    pub value: String,
    pub file: FileId,
    pub span: Span,
}

/// Spring's boolean conversion: true/on/yes/1, false/off/no/0, any case.
pub(crate) fn spring_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// A `DEFAULT_*` variable the server cannot read, where it is set (the rule
/// `invalid-default` words it).
#[derive(Debug, Clone)]
pub struct BadDefault {
    pub file: FileId,
    pub span: Span,
    /// The variable's name after [`PREFIX`].
    pub suffix: &'static str,
    pub what: &'static str,
    pub help: Text,
}

/// Read the defaults from `env`; adds the `<environment>` source and reports bad values.
pub fn read(
    env: &dyn Fn(&str) -> Option<String>,
    sources: &mut SourceDb,
    out: &mut Vec<BadDefault>,
) -> Defaults {
    let mut text = String::new();
    let mut raw: Vec<Raw> = Vec::new();
    for (suffix, _, builtin) in VARIABLES {
        let name = format!("{PREFIX}{suffix}");
        // a variable set to an empty value is a value to Spring (`${name:default}` takes the
        // default only when the variable is absent): see [`blank`]
        let (value, origin, line) = match env(&name) {
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
        raw.push(Raw {
            name,
            value,
            origin,
            // set below, once the source exists
            file: 0,
            span,
        });
    }
    let file = sources.add(SourceFile::new(
        "<environment>",
        SourceKind::Environment,
        text,
    ));
    for r in &mut raw {
        r.file = file;
    }
    build(file, raw, &|_| true, out)
}

impl Defaults {
    /// The defaults a compose service's container sees: its own values (from `environment:` or
    /// `env_file:`) replace those of the tool's environment. Only the service's bad values are
    /// reported here; the others were reported when the environment was read.
    pub fn with_overrides(&self, overrides: &[Override], out: &mut Vec<BadDefault>) -> Defaults {
        let mut raw = self.raw.clone();
        let mut replaced = vec![false; raw.len()];
        for o in overrides {
            if let Some(i) = raw.iter().position(|r| r.name == o.name) {
                raw[i] = Raw {
                    name: o.name.clone(),
                    value: o.value.clone(),
                    origin: Origin::Env(o.name.clone()),
                    file: o.file,
                    span: o.span,
                };
                replaced[i] = true;
            }
        }
        build(self.file, raw, &|i| replaced[i], out)
    }
}

/// What the server does with a variable set to an empty or blank value. Spring's
/// `PropertyPlaceholderHelper` uses the default of `${name:default}` only when the variable is
/// absent; an empty environment value is given to the field as it is (`PropertiesConfig.java`,
/// `@Value` fields). Then a boolean goes through `CustomBooleanEditor` (not allowing empty:
/// "Invalid boolean value []"), a duration through `Duration.parse` (a `DateTimeParseException`),
/// and the default trust store through `AbstractCertificateConfig.checkFileOrFolder` ("not
/// defined"): each stops the BPE when it starts. The discovery path becomes `/`.
fn blank(builtin: &str, what: &str) -> Text {
    crate::text!(
        "the server takes an empty value as given, not as unset, and cannot read it as {}: remove the variable to get the default `{}`",
        Piece::own(what),
        Piece::own(builtin)
    )
}

/// Convert the variables; `report(i)` says whether a bad value of variable `i` is reported.
fn build(
    file: FileId,
    raw: Vec<Raw>,
    report: &dyn Fn(usize) -> bool,
    out: &mut Vec<BadDefault>,
) -> Defaults {
    let get = |suffix: &'static str| {
        let i = VARIABLES.iter().position(|v| v.0 == suffix).unwrap_or(0);
        let builtin = VARIABLES.get(i).map_or("", |v| v.2);
        (i, raw.get(i).cloned(), builtin)
    };
    let mut boolean = |suffix: &'static str| {
        let (i, r, builtin) = get(suffix);
        let r = r.unwrap_or_else(|| missing(file, suffix, builtin));
        let value = spring_bool(&r.value).unwrap_or_else(|| {
            if report(i) {
                let empty = r.value.trim().is_empty();
                out.push(BadDefault {
                    file: r.file,
                    span: r.span,
                    suffix,
                    what: if empty {
                        "is empty"
                    } else {
                        "is not a boolean"
                    },
                    help: if empty {
                        blank(builtin, "a boolean")
                    } else {
                        Text::from("use true or false")
                    },
                });
            }
            spring_bool(builtin).unwrap_or(false)
        });
        Default {
            value,
            origin: r.origin,
            file: r.file,
            span: r.span,
        }
    };
    let test_connection_on_startup = boolean("DEFAULT_TEST_CONNECTION_ON_STARTUP");
    let enable_debug_logging = boolean("DEFAULT_ENABLE_DEBUG_LOGGING");
    let oidc_verify_authorized_party = boolean("DEFAULT_OIDC_VERIFY_AUTHORIZED_PARTY");
    let oidc_cache = boolean("OIDC_CACHE");
    let mut duration = |suffix: &'static str| {
        let (i, r, builtin) = get(suffix);
        let r = r.unwrap_or_else(|| missing(file, suffix, builtin));
        // `Duration.parse` takes the string as it is: no trimming, no plain numbers
        let parsed = if r.value.trim() == r.value {
            parse_java(&r.value)
        } else {
            Err(crate::duration::ParseError::Syntax)
        };
        let negative_ok = !NOT_NEGATIVE.contains(&suffix);
        let value = match parsed {
            Ok(n) if negative_ok || !n.is_negative() => n,
            Ok(_) => {
                if report(i) {
                    out.push(BadDefault {
                        file: r.file,
                        span: r.span,
                        suffix,
                        what: "is negative",
                        help: Text::from("the server rejects a negative value here when it starts; use PT0S or more"),
                    });
                }
                parse_java(builtin).unwrap_or(Nanos(0))
            }
            _ if r.value.trim().is_empty() => {
                if report(i) {
                    out.push(BadDefault {
                        file: r.file,
                        span: r.span,
                        suffix,
                        what: "is empty",
                        help: blank(builtin, "a duration"),
                    });
                }
                parse_java(builtin).unwrap_or(Nanos(0))
            }
            _ => {
                if report(i) {
                    // a suggestion is a Java duration the tool computed: its own words
                    let hint = match crate::duration::suggest(&r.value) {
                        Some(s) => crate::text!(
                            "write it as an ISO-8601 duration, e.g. `{}`",
                            Piece::own(s)
                        ),
                        None => Text::from("write it as an ISO-8601 duration such as PT30S"),
                    };
                    out.push(BadDefault {
                        file: r.file,
                        span: r.span,
                        suffix,
                        what: "is not an ISO-8601 duration",
                        help: hint,
                    });
                }
                parse_java(builtin).unwrap_or(Nanos(0))
            }
        };
        Default {
            value,
            origin: r.origin,
            file: r.file,
            span: r.span,
        }
    };
    let connect_timeout = duration("DEFAULT_TIMEOUT_CONNECT");
    let read_timeout = duration("DEFAULT_TIMEOUT_READ");
    let oidc_leeway = duration("OIDC_TIME_VALIDATION_LEEWAY");
    let oidc_cache_configuration = duration("OIDC_CACHE_TIMEOUT_CONFIGURATION_RESOURCE");
    let oidc_cache_jwks = duration("OIDC_CACHE_TIMEOUT_JWKS_RESOURCE");
    let oidc_cache_access_token = duration("OIDC_CACHE_TIMEOUT_ACCESS_TOKEN");
    let mut text = |suffix: &'static str, must_not_be_blank: bool| {
        let (i, r, builtin) = get(suffix);
        let mut r = r.unwrap_or_else(|| missing(file, suffix, builtin));
        if must_not_be_blank && r.value.trim().is_empty() {
            if report(i) {
                out.push(BadDefault {
                    file: r.file,
                    span: r.span,
                    suffix,
                    what: "is empty",
                    help: blank(builtin, "a file or folder"),
                });
            }
            // the rest is checked as with the default
            r.value = builtin.to_string();
        }
        Default {
            value: r.value,
            origin: r.origin,
            file: r.file,
            span: r.span,
        }
    };
    Defaults {
        file,
        test_connection_on_startup,
        enable_debug_logging,
        connect_timeout,
        read_timeout,
        trust_store: text("DEFAULT_TRUST_SERVER_CERTIFICATE_CAS", true),
        // the server adds a leading `/` when it is missing
        // (`config/FhirClientConfigYamlReaderImpl.java:94-96`)
        oidc_discovery_path: {
            let mut p = text("DEFAULT_OIDC_DISCOVERY_PATH", false);
            if !p.value.starts_with('/') {
                p.value.insert(0, '/');
            }
            p
        },
        oidc_verify_authorized_party,
        oidc_leeway,
        oidc_cache,
        oidc_cache_configuration,
        oidc_cache_jwks,
        oidc_cache_access_token,
        raw,
    }
}

/// A variable that was never read (not reached: `read` reads them all): the built-in value.
fn missing(file: FileId, suffix: &str, builtin: &str) -> Raw {
    Raw {
        name: format!("{PREFIX}{suffix}"),
        value: builtin.to_string(),
        origin: Origin::BuiltIn,
        file,
        span: Span::default(),
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
        assert_eq!(db.get(d.file).slice(out[0].span), "5s");
        assert_eq!(d.read_timeout.origin, Origin::BuiltIn);
    }
}
