//! "Did you mean": the nearest known property name for a typo (`base_url`, `baseUrl`,
//! `Base-URL`, `pasword-file`), the property a synonym stands for (`url`, `server`, `secret`,
//! `user`), or the block a property belongs in when it is written at the wrong level (`username`
//! directly under a connection).

use crate::model::props::{AUTH_BLOCKS, Block, CONNECTION, Kind};

/// Words operators use for a property, by block (normalized: lower case, dashes).
const SYNONYMS: &[(&str, &[&str], &str)] = &[
    (
        "connection",
        &[
            "url",
            "uri",
            "base",
            "server",
            "server-url",
            "fhir-url",
            "fhir-base-url",
            "endpoint",
            "address",
            "host",
            "fhir-server",
            "fhir-endpoint",
            "baseurl",
        ],
        "base-url",
    ),
    (
        "connection",
        &[
            "test",
            "test-connection",
            "test-on-startup",
            "check-connection",
        ],
        "test-connection-on-startup",
    ),
    (
        "connection",
        &["debug", "debug-logging", "enable-debug", "logging"],
        "enable-debug-logging",
    ),
    (
        "connection",
        &["timeout", "connection-timeout", "connecttimeout"],
        "connect-timeout",
    ),
    (
        "connection",
        &["socket-timeout", "response-timeout", "readtimeout"],
        "read-timeout",
    ),
    (
        "connection",
        &[
            "trust-store",
            "truststore",
            "ca",
            "ca-file",
            "cacert",
            "ca-cert",
            "ca-certs",
            "root-ca",
            "trusted-ca",
            "trusted-certificates",
            "trusted-root-certificates",
            "server-ca",
            "ca-certificates",
            "trust",
        ],
        "trusted-root-certificates-file",
    ),
    (
        "connection",
        &[
            "cert",
            "mtls",
            "tls",
            "client-cert",
            "certificate-auth",
            "client-certificate",
        ],
        "cert-auth",
    ),
    ("connection", &["basic", "basicauth"], "basic-auth"),
    (
        "connection",
        &["bearer", "token-auth", "bearer-token", "bearerauth"],
        "bearer-auth",
    ),
    (
        "connection",
        &[
            "oidc",
            "oauth",
            "oauth2",
            "openid",
            "client-credentials",
            "oidcauth",
        ],
        "oidc-auth",
    ),
    (
        "cert-auth",
        &["p12", "pkcs12", "keystore", "key-store", "pfx", "p12-path"],
        "p12-file",
    ),
    (
        "cert-auth",
        &["key", "private-key", "key-file", "privatekey"],
        "private-key-file",
    ),
    (
        "cert-auth",
        &[
            "cert",
            "certificate",
            "cert-file",
            "client-cert",
            "crt",
            "client-certificate",
        ],
        "certificate-file",
    ),
    (
        "cert-auth",
        &[
            "pass",
            "pwd",
            "passwd",
            "pw",
            "keystore-password",
            "key-password",
            "secret",
        ],
        "password",
    ),
    (
        "basic-auth",
        &["user", "user-name", "login", "name", "user-id"],
        "username",
    ),
    (
        "basic-auth",
        &["pass", "pwd", "passwd", "pw", "secret"],
        "password",
    ),
    (
        "bearer-auth",
        &["bearer", "access-token", "bearer-token", "jwt", "secret"],
        "token",
    ),
    (
        "oidc-auth",
        &[
            "url",
            "uri",
            "issuer",
            "issuer-url",
            "server",
            "realm",
            "authority",
            "idp",
            "base",
            "provider",
        ],
        "base-url",
    ),
    (
        "oidc-auth",
        &["discovery", "discovery-url", "well-known", "wellknown"],
        "discovery-path",
    ),
    (
        "oidc-auth",
        &["client", "clientid", "id", "client-name"],
        "client-id",
    ),
    (
        "oidc-auth",
        &[
            "secret",
            "client-password",
            "clientsecret",
            "password",
            "pass",
            "pwd",
        ],
        "client-secret",
    ),
    (
        "oidc-auth",
        &["audience", "aud", "audiences"],
        "required-audience",
    ),
    (
        "oidc-auth",
        &["verify-azp", "azp"],
        "verify-authorized-party",
    ),
];

#[derive(Debug, PartialEq, Eq)]
pub enum Suggestion {
    Rename(&'static str),
    /// The blocks where a property of this name belongs.
    Move(Vec<&'static str>),
    None,
}

/// `baseUrl` → `base-url`, `BASE_URL` → `base-url`.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.trim().chars() {
        if c.is_uppercase() && prev_lower {
            out.push('-');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        match c {
            '_' | ' ' | '.' => out.push('-'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Longest name compared; longer ones get no suggestion.
const MAX_NAME: usize = 64;

/// Edit distance where swapping two neighbouring letters counts once (`secrte` is one edit from
/// `secret`), as typos go. Rows live on the stack: it runs for every unknown key.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > MAX_NAME || b.len() > MAX_NAME {
        return usize::MAX;
    }
    // rows i-2, i-1 and i, rotating
    let mut rows = [[0usize; MAX_NAME + 1]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, two_back) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[two_back][j - 2] + 1);
            }
            rows[cur][j] = v;
        }
    }
    rows[a.len() % 3][b.len()]
}

/// Whether `a` is at most `limit` edits from `b` (lengths alone often settle it).
fn within(a: &str, b: &str, limit: usize) -> bool {
    a.len().abs_diff(b.len()) <= limit && distance(a, b) <= limit
}

pub fn property(name: &str, block: &'static Block) -> Suggestion {
    if name.len() > MAX_NAME {
        return Suggestion::None;
    }
    let n = normalize(name);
    if n.len() > MAX_NAME {
        return Suggestion::None;
    }
    if let Some(p) = block.props.iter().find(|p| p.name == n) {
        return Suggestion::Rename(p.name);
    }
    if let Some((_, _, to)) = SYNONYMS
        .iter()
        .find(|(b, words, _)| *b == block.name && words.contains(&n.as_str()))
    {
        return Suggestion::Rename(to);
    }
    let limit = if n.chars().count() <= 6 { 1 } else { 2 };
    let best = block
        .props
        .iter()
        .filter(|p| n.len().abs_diff(p.name.len()) <= limit)
        .map(|p| (distance(&n, p.name), p.name))
        .min_by_key(|(d, _)| *d);
    if let Some((d, p)) = best
        && d <= limit
    {
        return Suggestion::Rename(p);
    }
    // written at the wrong level?
    let homes: Vec<&'static str> = std::iter::once(&CONNECTION)
        .chain(AUTH_BLOCKS.iter().copied())
        .filter(|other| !std::ptr::eq(*other, block) && other.prop(&n).is_some())
        .map(|other| {
            if std::ptr::eq(other, &CONNECTION) {
                "the connection itself"
            } else {
                other.name
            }
        })
        .collect();
    if homes.is_empty() {
        Suggestion::None
    } else {
        Suggestion::Move(homes)
    }
}

/// Whether `name` would be suggested as (or is) a secret property in some block: its value is
/// then masked like a secret's.
pub fn names_a_secret(name: &str) -> bool {
    if name.len() > MAX_NAME {
        return false;
    }
    let n = normalize(name);
    if n.len() > MAX_NAME {
        return false;
    }
    std::iter::once(&CONNECTION)
        .chain(AUTH_BLOCKS.iter().copied())
        .any(|block| match property(name, block) {
            Suggestion::Rename(p) => block.prop(p).is_some_and(|p| p.kind == Kind::Secret),
            _ => false,
        })
        || ["password", "secret", "token", "passwd"]
            .iter()
            .any(|w| within(&n, w, if n.len() <= 6 { 1 } else { 2 }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::props::{BASIC_AUTH, CONNECTION, OIDC_AUTH};

    #[test]
    fn suggestions() {
        assert_eq!(
            property("base_url", &CONNECTION),
            Suggestion::Rename("base-url")
        );
        assert_eq!(
            property("baseUrl", &CONNECTION),
            Suggestion::Rename("base-url")
        );
        assert_eq!(
            property("Base-URL", &CONNECTION),
            Suggestion::Rename("base-url")
        );
        assert_eq!(
            property("conect-timeout", &CONNECTION),
            Suggestion::Rename("connect-timeout")
        );
        assert_eq!(
            property("password_file", &BASIC_AUTH),
            Suggestion::Rename("password-file")
        );
        assert_eq!(
            property("username", &CONNECTION),
            Suggestion::Move(vec!["basic-auth"])
        );
        assert_eq!(
            property("client-id", &CONNECTION),
            Suggestion::Move(vec!["oidc-auth"])
        );
        assert_eq!(property("zzz", &CONNECTION), Suggestion::None);
        assert_eq!(property("url", &CONNECTION), Suggestion::Rename("base-url"));
        assert_eq!(
            property("server", &CONNECTION),
            Suggestion::Rename("base-url")
        );
        assert_eq!(
            property("clientId", &OIDC_AUTH),
            Suggestion::Rename("client-id")
        );
        assert_eq!(
            property("secret", &OIDC_AUTH),
            Suggestion::Rename("client-secret")
        );
        assert!(names_a_secret("client-secert"));
        assert!(names_a_secret("tokn"));
        assert!(names_a_secret("secrte"));
        assert!(!names_a_secret("username"));
        assert!(!names_a_secret("base-url"));
        assert!(!names_a_secret("broken"));
        assert!(!names_a_secret("spoken"));
    }
}
