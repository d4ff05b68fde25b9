//! Stable codes of failed probe steps (the `code` of a step in `--format json`), in the registry
//! style of the diagnostic codes (`crate::rules::Rule`): one [`ProbeCode`] static per code, with
//! its summary and docs, declared beside the code that produces it (`endpoint`, `net::tcp`,
//! `net::tunnel`, `net::http` and `net` for URLs and the transport, `tls`, `fhir`, `oidc`, `probe_one` for `probe-timeout`) and listed in
//! [`ALL`]. `docs/probe-codes.md`, `--explain-code` and `dsf-connections codes` are made from it
//! (`UPDATE_DOCS=1 cargo test probe_docs_are_generated` regenerates the file; a test keeps it in
//! step). Like the diagnostic codes they are public API: never renamed.
//!
//! To add a code: declare its `ProbeCode` beside the step that fails with it, list it in [`ALL`]
//! (in its group), and regenerate the docs.

use serde::{Serialize, Serializer};

pub use super::PROBE_TIMEOUT;
pub use super::endpoint::INVALID_URL;
pub use super::fhir::{
    HTTP_FORBIDDEN, HTTP_REDIRECT, HTTP_STATUS, HTTP_UNAUTHORIZED, NOT_CAPABILITY_STATEMENT,
};
pub use super::net::{
    BODY_TOO_LARGE, CONNECT_FAILED, CONNECT_REFUSED, CONNECT_TIMEOUT, DNS_FAILED, HTTP_FAILED,
    PROXY_AUTH, PROXY_REFUSED, PROXY_UNSUPPORTED, READ_TIMEOUT,
};
pub use super::oidc::{
    OIDC_ALG_MISMATCH, OIDC_AUDIENCE, OIDC_AUTHORIZED_PARTY, OIDC_DISCOVERY_INVALID,
    OIDC_DISCOVERY_STATUS, OIDC_GRANT_TYPE, OIDC_ISSUER_MISMATCH, OIDC_JWKS_INVALID,
    OIDC_JWKS_STATUS, OIDC_JWKS_URI, OIDC_KEY_NOT_FOUND, OIDC_KEY_UNUSABLE, OIDC_SIGNATURE,
    OIDC_TOKEN_ENDPOINT, OIDC_TOKEN_EXPIRED, OIDC_TOKEN_INVALID, OIDC_TOKEN_NO_EXP,
    OIDC_TOKEN_NO_KID, OIDC_TOKEN_NOT_JWT, OIDC_TOKEN_NOT_YET_VALID, OIDC_TOKEN_STATUS,
};
pub use super::tls::{
    CLIENT_IDENTITY, TLS_BAD_CERTIFICATE, TLS_CLIENT_CERT_REJECTED, TLS_CLIENT_CERT_REQUIRED,
    TLS_EXPIRED, TLS_HANDSHAKE, TLS_NAME_MISMATCH, TLS_NOT_YET_VALID, TLS_UNKNOWN_ISSUER,
    TRUST_STORE,
};

/// The groups of `docs/probe-codes.md` and of `dsf-connections codes`, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Settings,
    Network,
    Proxy,
    Tls,
    Http,
    Oidc,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Settings,
        Group::Network,
        Group::Proxy,
        Group::Tls,
        Group::Http,
        Group::Oidc,
    ];

    /// The group's heading.
    pub fn title(self) -> &'static str {
        match self {
            Group::Settings => "Settings the probe cannot use",
            Group::Network => "Network",
            Group::Proxy => "Proxy",
            Group::Tls => "TLS",
            Group::Http => "HTTP and FHIR",
            Group::Oidc => "OIDC (`oidc-auth`)",
        }
    }
}

/// A probe code: what it is called and what it means. The step that fails with it lives beside
/// it.
#[derive(Debug)]
pub struct ProbeCode {
    /// The stable code (`steps[].code` in JSON, `[code]` in human output). Never renamed.
    pub name: &'static str,
    pub group: Group,
    /// One line, for `dsf-connections codes`.
    pub summary: &'static str,
    /// Markdown: what it means, why it matters, the fix (`**What:** ... **Fix:** ...`).
    pub docs: &'static str,
}

impl PartialEq for ProbeCode {
    fn eq(&self, other: &ProbeCode) -> bool {
        self.name == other.name
    }
}

impl Eq for ProbeCode {}

impl Serialize for ProbeCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

impl std::fmt::Display for ProbeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every code, by group, in the order of `docs/probe-codes.md`.
pub static ALL: &[&ProbeCode] = &[
    &INVALID_URL,
    &TRUST_STORE,
    &CLIENT_IDENTITY,
    &DNS_FAILED,
    &CONNECT_REFUSED,
    &CONNECT_TIMEOUT,
    &CONNECT_FAILED,
    &READ_TIMEOUT,
    &PROBE_TIMEOUT,
    &PROXY_AUTH,
    &PROXY_REFUSED,
    &PROXY_UNSUPPORTED,
    &TLS_UNKNOWN_ISSUER,
    &TLS_EXPIRED,
    &TLS_NOT_YET_VALID,
    &TLS_NAME_MISMATCH,
    &TLS_BAD_CERTIFICATE,
    &TLS_CLIENT_CERT_REQUIRED,
    &TLS_CLIENT_CERT_REJECTED,
    &TLS_HANDSHAKE,
    &HTTP_FAILED,
    &HTTP_REDIRECT,
    &HTTP_UNAUTHORIZED,
    &HTTP_FORBIDDEN,
    &HTTP_STATUS,
    &NOT_CAPABILITY_STATEMENT,
    &BODY_TOO_LARGE,
    &OIDC_DISCOVERY_STATUS,
    &OIDC_DISCOVERY_INVALID,
    &OIDC_ISSUER_MISMATCH,
    &OIDC_JWKS_URI,
    &OIDC_JWKS_STATUS,
    &OIDC_JWKS_INVALID,
    &OIDC_GRANT_TYPE,
    &OIDC_TOKEN_ENDPOINT,
    &OIDC_TOKEN_STATUS,
    &OIDC_TOKEN_INVALID,
    &OIDC_TOKEN_NOT_JWT,
    &OIDC_TOKEN_NO_KID,
    &OIDC_KEY_NOT_FOUND,
    &OIDC_KEY_UNUSABLE,
    &OIDC_ALG_MISMATCH,
    &OIDC_SIGNATURE,
    &OIDC_TOKEN_EXPIRED,
    &OIDC_TOKEN_NOT_YET_VALID,
    &OIDC_TOKEN_NO_EXP,
    &OIDC_AUDIENCE,
    &OIDC_AUTHORIZED_PARTY,
];

/// The probe code with this name.
pub fn find(name: &str) -> Option<&'static ProbeCode> {
    ALL.iter().copied().find(|c| c.name == name)
}

/// What comes before the codes in `docs/probe-codes.md`.
const INTRO: &str = "# Probe failure codes

<!-- generated from src/probe/*.rs: UPDATE_DOCS=1 cargo test probe_docs_are_generated -->

`check --test-connections` probes each connection the way the DSF BPE tests it at start-up. A
failed step carries one of these codes (`steps[].code` in `--format json`, `[code]` at the end of
the line in human output). Codes are stable: they are never renamed. `dsf-connections
--explain-code CODE` prints a code's section in the terminal (from the same registry, built into
the tool); `dsf-connections codes` lists them all. `invalid-url` is also a diagnostic code, by
design (see its section).

Each failed step also says what the **server** does with it at start-up (`server_outcome`):

- `does-not-start`: an exception the BPE does not catch; the BPE fails to start. This covers
  every network or TLS failure towards the OIDC provider, a failed discovery, an issuer mismatch,
  a bad or unreadable JWKS, and an unusable JWKS key.
- `logged`: the server logs a warning and runs on (a failed FHIR test of a connection with
  `test-connection-on-startup: true`, and most OIDC token problems).
- `not-tested`: the FHIR test failed, but the server does not run it at start-up
  (`test-connection-on-startup: false`); the failure shows when a process plugin uses the
  connection.
- `unknown`: `--probe-timeout` ended the probe before the server's own timeouts would have.

Step names (`steps[].name`): `fhir.name-resolution`, `fhir.tcp-connect`, `fhir.proxy-connect`,
`fhir.tls-handshake`, `fhir.http-status`, `fhir.capability-statement`, and for `oidc-auth`
`oidc.name-resolution`, `oidc.tcp-connect`, `oidc.proxy-connect`, `oidc.tls-handshake`,
`oidc.discovery`, `oidc.issuer`, `oidc.jwks`, `oidc.grant-type`, `oidc.token-endpoint`,
`oidc.token-request`, `oidc.token-key`, `oidc.token-signature`, `oidc.token-times`,
`oidc.token-audience`, `oidc.token-authorized-party`. The OIDC steps run first (the server
fetches a token for every `oidc-auth` connection at start-up), then the FHIR steps with that
token; after an OIDC failure no FHIR request is made, as there is no token to send.
";

/// `docs/probe-codes.md`, made from the registry.
pub fn docs_markdown() -> String {
    let mut out = String::from(INTRO);
    for group in Group::ALL {
        out.push_str(&format!("\n## {}\n", group.title()));
        for c in ALL.iter().filter(|c| c.group == group) {
            out.push_str(&format!("\n### `{}`\n\n{}\n", c.name, c.docs.trim()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_with_docs() {
        let mut seen = std::collections::HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.name), "duplicate {}", c.name);
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}",
                c.name
            );
            assert!(c.docs.starts_with("**What:**"), "{} lacks docs", c.name);
            assert!(!c.docs.contains("\n#"), "{}: a heading in its docs", c.name);
            assert!(
                !c.summary.is_empty() && !c.summary.ends_with('.'),
                "{}",
                c.name
            );
        }
        // ALL is in group order, so the docs list each group once
        let groups: Vec<Group> = ALL.iter().map(|c| c.group).collect();
        assert!(groups.is_sorted_by_key(|g| Group::ALL.iter().position(|x| x == g)));
        assert_eq!(find("dns-failed"), Some(&DNS_FAILED));
        assert_eq!(find("no-such-code"), None);
    }

    #[test]
    fn probe_docs_are_generated() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/probe-codes.md");
        let generated = docs_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &generated).expect("write docs/probe-codes.md");
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "docs/probe-codes.md is out of date: run UPDATE_DOCS=1 cargo test probe_docs_are_generated"
        );
    }
}
