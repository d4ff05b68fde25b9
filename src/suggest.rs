//! "Did you mean": the nearest known property name for a typo (`base_url`, `baseUrl`,
//! `Base-URL`, `pasword-file`), the property a synonym stands for (`url`, `server`, `secret`,
//! `user`), or the block a property belongs in when it is written at the wrong level (`username`
//! directly under a connection).

use crate::props::{AUTH_BLOCKS, Block, CONNECTION, Kind};

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

#[derive(Debug, Clone, PartialEq, Eq)]
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
/// `secret`), as typos go: strsim's optimal string alignment. Names longer than `MAX_NAME` are
/// never near anything (the table is quadratic in their length).
pub(crate) fn distance(a: &str, b: &str) -> usize {
    if a.len() > MAX_NAME || b.len() > MAX_NAME {
        return usize::MAX;
    }
    strsim::osa_distance(a, b)
}

/// How many edits a name of this length may be from a suggestion.
fn limit_for(n: &str) -> usize {
    if n.chars().count() <= 6 { 1 } else { 2 }
}

/// Whether `a` is at most `limit` edits from `b`. Two cheap lower bounds settle most cases (it
/// runs for every key shown): the difference in length, and the letters of `a` that `b` lacks.
fn within(a: &str, b: &str, limit: usize) -> bool {
    if a.len().abs_diff(b.len()) > limit {
        return false;
    }
    // the bytes of `b` as bits (two words: no table to clear for every comparison)
    foreign(a, b) <= limit && distance(a, b) <= limit
}

/// How many bytes of `a` do not occur in `b`: a lower bound of their edit distance (each must
/// be replaced or deleted), found without the quadratic table.
fn foreign(a: &str, b: &str) -> usize {
    // the bytes of `b` as bits (two words: no table to clear for every comparison)
    let mut in_b = [0u128; 2];
    for &c in b.as_bytes() {
        in_b[usize::from(c >> 7)] |= 1 << (c & 127);
    }
    a.bytes()
        .filter(|&c| in_b[usize::from(c >> 7)] & (1 << (c & 127)) == 0)
        .count()
}

/// Names remembered per thread and run: a config repeats its few names (and its mistakes) in
/// every connection; a file of endless distinct names is judged name by name, not kept.
const REMEMBERED: usize = 4096;

/// The judgement of `name` from `memo`, or `judge`'s, remembered while there is room.
pub(crate) fn remembered<V: Clone>(
    memo: &'static std::thread::LocalKey<std::cell::RefCell<std::collections::HashMap<String, V>>>,
    name: &str,
    judge: impl FnOnce() -> V,
) -> V {
    if let Some(v) = memo.with_borrow(|seen| seen.get(name).cloned()) {
        return v;
    }
    let v = judge();
    memo.with_borrow_mut(|seen| {
        if seen.len() < REMEMBERED {
            seen.insert(name.to_string(), v.clone());
        }
    });
    v
}

/// Whether `to`, suggested for `name` in `block`, is the only candidate: the name in another
/// spelling, a synonym, or a typo with no other property as near.
pub fn unambiguous(name: &str, block: &'static Block, to: &str) -> bool {
    let n = normalize(name);
    if n == to
        || SYNONYMS
            .iter()
            .any(|(b, words, t)| *b == block.name && *t == to && words.contains(&n.as_str()))
    {
        return true;
    }
    let d = distance(&n, to);
    block
        .props
        .iter()
        .filter(|p| p.name != to)
        .all(|p| distance(&n, p.name) > d)
}

pub fn property(name: &str, block: &'static Block) -> Suggestion {
    if name.len() > MAX_NAME {
        return Suggestion::None;
    }
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, Suggestion>> =
            Default::default();
    }
    // (a block's name holds no line break)
    let key = format!("{}\n{name}", block.name);
    remembered(&SEEN, &key, || judge_property(name, block))
}

fn judge_property(name: &str, block: &'static Block) -> Suggestion {
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
    let limit = limit_for(&n);
    let best = block
        .props
        .iter()
        // (the bounds leave out only names farther than `limit`, never the nearest one)
        .filter(|p| n.len().abs_diff(p.name.len()) <= limit && foreign(&n, p.name) <= limit)
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

/// The synonyms that stand for a secret property (`pw`, `secret`, `access-token`...).
static SECRET_SYNONYMS: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        SYNONYMS
            .iter()
            .filter(|(block, _, to)| {
                std::iter::once(&CONNECTION)
                    .chain(AUTH_BLOCKS.iter().copied())
                    .find(|b| b.name == *block)
                    .and_then(|b| b.prop(to))
                    .is_some_and(|p| p.kind == Kind::Secret)
            })
            .flat_map(|(_, words, _)| words.iter().copied())
            .collect()
    });

/// Whether `name` would be suggested as (or is) a secret property in some block: its value is
/// then masked like a secret's.
pub fn names_a_secret(name: &str) -> bool {
    // longer than any secret property, synonym or typo of one (it runs for every key shown)
    if name.len() > 24 {
        return false;
    }
    let n = normalize(name);
    let limit = limit_for(&n);
    // exactly what `property` would suggest: a secret property by name, typo or synonym
    SECRET_NAMES.iter().any(|p| within(&n, p, limit)) || SECRET_SYNONYMS.contains(n.as_str())
}

/// The secret properties' names, and the words that name a secret in any block.
static SECRET_NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut names: Vec<&'static str> = std::iter::once(&CONNECTION)
        .chain(AUTH_BLOCKS.iter().copied())
        .flat_map(|b| b.props.iter())
        .filter(|p| p.kind == Kind::Secret)
        .map(|p| p.name)
        .chain(["password", "secret", "token", "passwd"])
        .collect();
    names.sort_unstable();
    names.dedup();
    names
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::props::{BASIC_AUTH, CONNECTION, OIDC_AUTH};

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
        // what a did-you-mean would call a secret is a secret, by construction
        for name in [
            "pw",
            "pwd",
            "pass",
            "secret",
            "clientSecret",
            "client_secret",
            "passwort",
            "tokn",
            "Token",
            "jwt",
            "access-token",
            "client-password",
        ] {
            let suggested_secret = std::iter::once(&CONNECTION)
                .chain(AUTH_BLOCKS.iter().copied())
                .any(|b| matches!(property(name, b), Suggestion::Rename(p) if b.prop(p).is_some_and(|p| p.kind == Kind::Secret)));
            assert_eq!(
                names_a_secret(name),
                suggested_secret || names_a_secret(name),
                "{name}"
            );
            if suggested_secret {
                assert!(
                    names_a_secret(name),
                    "{name} is suggested as a secret but not masked"
                );
            }
        }
        assert!(!names_a_secret("spoken"));
    }
}
