//! The server's property table: which properties each block has and how the server types each
//! one (Jackson over SnakeYAML). The instance builder and the resolver type YAML by it, and the
//! schema-error mapper words its messages by it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Java `String`: any scalar, as its raw text.
    Text,
    /// A Java `char[]` secret: text, but an unquoted number or boolean is a parse error.
    Secret,
    /// A Java `Boolean`.
    Bool,
    /// A `java.time.Duration`.
    Duration,
    /// `List<String>` that also accepts a single scalar.
    Audience,
    /// A nested auth block.
    Block(&'static Block),
}

#[derive(Debug, PartialEq, Eq)]
pub struct Prop {
    pub name: &'static str,
    pub kind: Kind,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    pub name: &'static str,
    pub props: &'static [Prop],
}

impl Block {
    pub fn prop(&self, name: &str) -> Option<&'static Prop> {
        self.props.iter().find(|p| p.name == name)
    }
}

const fn p(name: &'static str, kind: Kind) -> Prop {
    Prop { name, kind }
}

pub static CERT_AUTH: Block = Block {
    name: "cert-auth",
    props: &[
        p("p12-file", Kind::Text),
        p("private-key-file", Kind::Text),
        p("certificate-file", Kind::Text),
        p("password", Kind::Secret),
        p("password-file", Kind::Text),
    ],
};

pub static BASIC_AUTH: Block = Block {
    name: "basic-auth",
    props: &[
        p("username", Kind::Text),
        p("password", Kind::Secret),
        p("password-file", Kind::Text),
    ],
};

pub static BEARER_AUTH: Block = Block {
    name: "bearer-auth",
    props: &[p("token", Kind::Secret), p("token-file", Kind::Text)],
};

pub static OIDC_AUTH: Block = Block {
    name: "oidc-auth",
    props: &[
        p("base-url", Kind::Text),
        p("discovery-path", Kind::Text),
        p("test-connection-on-startup", Kind::Bool),
        p("enable-debug-logging", Kind::Bool),
        p("connect-timeout", Kind::Duration),
        p("read-timeout", Kind::Duration),
        p("trusted-root-certificates-file", Kind::Text),
        p("client-id", Kind::Text),
        p("client-secret", Kind::Secret),
        p("client-secret-file", Kind::Text),
        p("required-audience", Kind::Audience),
        p("verify-authorized-party", Kind::Bool),
    ],
};

pub static CONNECTION: Block = Block {
    name: "connection",
    props: &[
        p("base-url", Kind::Text),
        p("test-connection-on-startup", Kind::Bool),
        p("enable-debug-logging", Kind::Bool),
        p("connect-timeout", Kind::Duration),
        p("read-timeout", Kind::Duration),
        p("trusted-root-certificates-file", Kind::Text),
        p("cert-auth", Kind::Block(&CERT_AUTH)),
        p("basic-auth", Kind::Block(&BASIC_AUTH)),
        p("bearer-auth", Kind::Block(&BEARER_AUTH)),
        p("oidc-auth", Kind::Block(&OIDC_AUTH)),
    ],
};

pub static AUTH_BLOCKS: [&Block; 4] = [&CERT_AUTH, &BASIC_AUTH, &BEARER_AUTH, &OIDC_AUTH];

/// What a pointer inside one connection (`/id/...`) designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Connection,
    /// A property, with the block it belongs to.
    Prop(&'static Block, &'static Prop),
    /// An item of `required-audience`.
    AudienceItem,
    Unknown,
}

/// Classify the unescaped tokens after the connection id.
pub fn place(tokens: &[&str]) -> Place {
    let mut block: &'static Block = &CONNECTION;
    let mut result = Place::Connection;
    for t in tokens {
        result = match result {
            Place::Connection => match block.prop(t) {
                Some(prop) => Place::Prop(block, prop),
                None => return Place::Unknown,
            },
            Place::Prop(_, prop) => match prop.kind {
                Kind::Block(b) => {
                    block = b;
                    match b.prop(t) {
                        Some(inner) => Place::Prop(b, inner),
                        None => return Place::Unknown,
                    }
                }
                Kind::Audience => Place::AudienceItem,
                _ => return Place::Unknown,
            },
            _ => return Place::Unknown,
        };
    }
    result
}

/// Whether a key names a secret, so its value is masked in every output. Errs on the side of
/// masking: the server's secret properties, anything named like a credential, and anything the
/// tool would suggest renaming to a secret property ("what we would call a secret in a
/// did-you-mean is a secret", by construction).
pub fn is_secret_name(key: &str) -> bool {
    // the common case: a property of the server's model is a secret by its kind
    if let Some(p) = std::iter::once(&CONNECTION)
        .chain(AUTH_BLOCKS.iter().copied())
        .find_map(|b| b.prop(key))
    {
        return p.kind == Kind::Secret;
    }
    let k: String = key
        .trim()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    // paths to secret files are not secrets themselves
    if k.ends_with("file") || k.ends_with("path") {
        return false;
    }
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "passwort",
        "secret",
        "token",
        "pass",
        "pasw",
        "pwd",
        "credential",
        "authorization",
        "apikey",
        "privatekey",
    ];
    if k == "pw" || k == "pin" || WORDS.iter().any(|w| k.contains(w)) {
        return true;
    }
    crate::suggest::names_a_secret(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        assert_eq!(place(&[]), Place::Connection);
        assert!(matches!(
            place(&["base-url"]),
            Place::Prop(
                _,
                Prop {
                    name: "base-url",
                    ..
                }
            )
        ));
        assert!(matches!(
            place(&["oidc-auth", "client-secret"]),
            Place::Prop(
                _,
                Prop {
                    kind: Kind::Secret,
                    ..
                }
            )
        ));
        assert_eq!(
            place(&["oidc-auth", "required-audience", "1"]),
            Place::AudienceItem
        );
        assert_eq!(place(&["nope"]), Place::Unknown);
    }

    #[test]
    fn secret_names() {
        for k in [
            "password",
            "client-secret",
            "token",
            "pasword",
            "client_secret",
            "client-secert",
            "pssword",
            "tokn",
            "secrte",
            "pw",
            "apikey",
            "credentials",
            "authorization",
            "secret",
        ] {
            assert!(is_secret_name(k), "{k}");
        }
        for k in ["password-file", "token-file", "username", "base-url"] {
            assert!(!is_secret_name(k), "{k}");
        }
    }
}
