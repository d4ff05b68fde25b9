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

/// `name` as the tool's own word when it is the name of a property or block of the server's
/// model (so a message can say it without quoting input).
pub fn static_name(name: &str) -> Option<&'static str> {
    std::iter::once(&CONNECTION)
        .chain(AUTH_BLOCKS.iter().copied())
        .flat_map(|b| b.props.iter())
        .find(|p| p.name == name)
        .map(|p| p.name)
}

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

/// `s` with fullwidth ASCII forms (U+FF01..U+FF5E, and the ideographic space) and Cyrillic and
/// Greek letters that look like Latin ones mapped to ASCII, as far as judging a name goes.
pub fn fold(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().map(fold_char).collect())
}

fn fold_char(c: char) -> char {
    let u = c as u32;
    if (0xFF01..=0xFF5E).contains(&u) {
        return char::from_u32(u - 0xFEE0).unwrap_or(c);
    }
    match c {
        '\u{3000}' => ' ',
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'е' | 'ё' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'А' => 'A',
        'В' => 'B',
        'Е' | 'Ё' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'У' => 'Y',
        'Х' => 'X',
        'І' => 'I',
        'Ј' => 'J',
        'Ѕ' => 'S',
        // Greek
        'α' => 'a',
        'ε' => 'e',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        c => c,
    }
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
    fn folding() {
        assert_eq!(fold("plain"), "plain");
        assert_eq!(fold("ｐａｓｓ－ｗｏｒｄ"), "pass-word");
        assert_eq!(fold("t\u{043e}k\u{0435}n"), "token");
        assert_eq!(fold("\u{039f}\u{03b1}"), "Oa");
    }
}
