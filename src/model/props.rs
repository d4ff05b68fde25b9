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

/// How secret a key's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrecy {
    /// Not a secret.
    No,
    /// A secret when it is a scalar: keys that name an authentication (`auth`, `NPM_AUTH`,
    /// `basic-auth`), whose value is a credential when written inline but a block of settings
    /// (`username`, `password`, ...) when it is a mapping, whose keys are judged one by one.
    Scalar,
    /// A secret whatever it is: a mapping or list under the key is masked whole.
    Any,
}

/// Whether a key names a secret, so its value is masked in every output. Errs on the side of
/// masking: the server's secret properties, anything named like a credential, and anything the
/// tool would suggest renaming to a secret property ("what we would call a secret in a
/// did-you-mean is a secret", by construction).
pub fn is_secret_name(key: &str) -> bool {
    secrecy(key) == Secrecy::Any
}

/// Whether a key's value is masked when it is a scalar: every secret name, and the names of an
/// authentication (see [`Secrecy::Scalar`]).
pub fn is_scalar_secret_name(key: &str) -> bool {
    secrecy(key) != Secrecy::No
}

/// Credential words found anywhere in a key (lower case, letters and digits only).
const SECRET_PARTS: &[&str] = &[
    "password",
    "passwd",
    "passwort",
    "kennwort",
    "geheimnis",
    "secret",
    "token",
    "tkn",
    "pass",
    "pasw",
    "pswd",
    "pword",
    "pwd",
    "credential",
    "apikey",
    "privatekey",
    "signingkey",
    "encryptionkey",
    "hmackey",
    "masterkey",
    "accesskey",
    "sessionkey",
    "cookie",
    // credentials, and what derives or proves one (`DB_CREDS`, `PASSWORD_SALT`, `HMAC`,
    // `WEBHOOK_SIGNATURE`)
    "creds",
    "salt",
    "hmac",
    "signature",
    // "password" in Spanish and French/German usage
    "contrasena",
    "contraseña",
    "parole",
];

/// Credential words that count only as a whole word of a key (`DB_PW`, `admin-pw`, `otp`),
/// where a substring would match ordinary words.
const SECRET_WORDS: &[&str] = &["pw", "otp", "pin"];

/// [`SECRET_PARTS`], then what every word-based test of [`secrecy`] needs in a key: a secret
/// word, `key`, `auth` (also the start of `authorization`, `authorisation`).
static SECRET_HINTS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        let hints = SECRET_PARTS
            .iter()
            .chain(SECRET_WORDS)
            .chain(&["key", "auth"]);
        aho_corasick::AhoCorasick::new(hints).ok()
    });

/// The secrecy of a property of the server's model named `key`.
fn model_secrecy(key: &str) -> Option<Secrecy> {
    let p = std::iter::once(&CONNECTION)
        .chain(AUTH_BLOCKS.iter().copied())
        .find_map(|b| b.prop(key))?;
    Some(match p.kind {
        Kind::Secret => Secrecy::Any,
        // `basic-auth: hunter2` is a mistake that shows a credential
        Kind::Block(_) => Secrecy::Scalar,
        _ => Secrecy::No,
    })
}

/// How secret the value of `key` is. The key is judged after folding fullwidth forms and
/// look-alike letters (Cyrillic, Greek) to ASCII, so `ｐａｓｓｗｏｒｄ` and `tоken` (with a
/// Cyrillic `о`) are what they look like.
pub fn secrecy(key: &str) -> Secrecy {
    // the common case first, without folding: a property of the server's model as written
    if let Some(s) = model_secrecy(key) {
        return s;
    }
    // every key of a file is judged (by the text scan and the tree)
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, Secrecy>> =
            Default::default();
    }
    crate::suggest::remembered(&SEEN, key, || judge_secrecy(key))
}

fn judge_secrecy(key: &str) -> Secrecy {
    let folded = fold(key);
    let key = folded.trim();
    // ... in look-alike letters or with blanks around it
    if let Some(s) = model_secrecy(key) {
        return s;
    }
    let k: String = if key.is_ascii() {
        key.bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect()
    } else {
        key.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    // paths to secret files are not secrets themselves
    if k.ends_with("file") || k.ends_with("path") {
        return Secrecy::No;
    }
    // the judgement runs for every key of a file the text scan sees: one pass over `k` finds
    // the credential parts, and whether any word-based test below could hold (every word of
    // the key is a part of `k`)
    let hint = match SECRET_HINTS.as_ref() {
        Some(hints) => {
            let mut hint = false;
            for m in hints.find_overlapping_iter(k.as_str()) {
                if m.pattern().as_usize() < SECRET_PARTS.len() {
                    return Secrecy::Any;
                }
                hint = true;
            }
            hint
        }
        // (a fixed set of short literals always builds; without it, the plain way)
        None if SECRET_PARTS.iter().any(|w| k.contains(w)) => return Secrecy::Any,
        None => true,
    };
    if !hint {
        return if crate::suggest::names_a_secret(key) {
            Secrecy::Any
        } else {
            Secrecy::No
        };
    }
    let words = words(key);
    let last = words.last().map(String::as_str);
    if words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        // `SIGNING_KEY`, `private_key`, `apiKey`: a key that is itself a key
        || last == Some("key")
        || crate::suggest::names_a_secret(key)
    {
        return Secrecy::Any;
    }
    // `authorization` and `auth` name a credential only at the end of a key (`AUTHORIZATION`,
    // `NPM_AUTH`, `npmAuth`, `oauth`, `AUTH_HEADER`): in the middle they name a topic
    // (`DEV_DSF_SERVER_AUTH_OIDC_CLIENT_ID`, `..._AUTHORIZATION_CODE_FLOW`)
    let tail = match words.as_slice() {
        [.., w, h] if h == "header" => w.as_str(),
        [.., w] => w.as_str(),
        [] => "",
    };
    if tail == "authorization" || tail == "authorisation" {
        return Secrecy::Any;
    }
    if tail == "auth" || tail.ends_with("auth") {
        return Secrecy::Scalar;
    }
    Secrecy::No
}

/// The words of a key, lower case: split at anything but letters and digits, and where
/// camel case starts a word (`signingKey`, `NPMAuth`).
fn words(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let starts = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_numeric()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if starts && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
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
            "AUTHORIZATION_HEADER",
            "proxy-authorization",
            "secret",
        ] {
            assert!(is_secret_name(k), "{k}");
        }
        for k in ["password-file", "token-file", "username", "base-url"] {
            assert!(!is_secret_name(k), "{k}");
        }
    }

    #[test]
    fn more_secret_names() {
        for k in [
            "DB_PW",
            "admin-pw",
            "adminPw",
            "pswd",
            "db-pswd",
            "pword",
            "tkn",
            "GITHUB_TKN",
            "session_cookie",
            "cookie",
            "SIGNING_KEY",
            "ENCRYPTION_KEY",
            "HMAC_KEY",
            "MASTER_KEY",
            "private_key",
            "privateKey",
            "signingKey",
            "jwt-signing-key",
            "key",
            "otp",
            "otp-code",
            "kennwort",
            "Geheimnis",
            "private-key-password",
            // fullwidth forms and look-alike letters
            "ｐａｓｓｗｏｒｄ",
            "ＴＯＫＥＮ",
            "t\u{043e}ken",
            "p\u{0430}ssword",
            "\u{0441}lient-secret",
            "s\u{0435}cr\u{0435}t",
            "t\u{03bf}ken",
            "p\u{03b1}ssword",
            // credentials under other words
            "CREDS",
            "DB_CREDS",
            "AwsCreds",
            "SALT",
            "PASSWORD_SALT",
            "HMAC",
            "WEBHOOK_HMAC",
            "SIGNATURE",
            "WEBHOOK_SIGNATURE",
            "CONTRASENA",
            "contraseña",
            "PAROLE",
        ] {
            assert!(is_secret_name(k), "{k}");
        }
        // paths to secret files, and names that only contain a credential word's letters
        for k in [
            "username",
            "base-url",
            "certificate-file",
            "private-key-file",
            "password-file",
            "DB_PW_FILE",
            "SIGNING_KEY_PATH",
            "private_key_path",
            "monkey",
            "keystore-type",
            "key-id",
            "pwm",
            "client-id",
            "auth-url",
            "AUTH_METHOD",
            "authority",
            "author",
            // DSF's own variables about authentication, not credentials
            "DEV_DSF_SERVER_AUTH_OIDC_CLIENT_ID",
            "DEV_DSF_SERVER_AUTH_OIDC_AUTHORIZATION_CODE_FLOW",
            "DEV_DSF_SERVER_AUTH_TRUST_CLIENT_CERTIFICATE_CAS",
            "DEV_DSF_BPE_FHIR_CLIENT_CERTIFICATE",
            "DEV_DSF_BPE_FHIR_CLIENT_CERTIFICATE_PRIVATE_KEY_PASSWORD_FILE",
            "DEV_DSF_BPE_DB_USER_PASSWORD_FILE",
            "DB_CREDS_FILE",
            "HMAC_KEY_FILE",
            "SALT_FILE",
            "authorization-url",
        ] {
            assert!(!is_secret_name(k), "{k}");
        }
        // `auth` names are secrets only as scalars: the DSF blocks are mappings of settings
        for k in [
            "auth",
            "NPM_AUTH",
            "_auth",
            "npmAuth",
            "AUTH_HEADER",
            "oauth",
            "basic-auth",
            "bearer-auth",
            "oidc-auth",
            "cert-auth",
            "ｂａｓｉｃ－ａｕｔｈ",
        ] {
            assert_eq!(secrecy(k), Secrecy::Scalar, "{k}");
            assert!(is_scalar_secret_name(k) && !is_secret_name(k), "{k}");
        }
        assert!(is_scalar_secret_name("password"));
        assert!(!is_scalar_secret_name("username"));
        assert_eq!(secrecy("base-url"), Secrecy::No);
    }

    #[test]
    fn folding() {
        assert_eq!(fold("plain"), "plain");
        assert_eq!(fold("ｐａｓｓ－ｗｏｒｄ"), "pass-word");
        assert_eq!(fold("t\u{043e}k\u{0435}n"), "token");
        assert_eq!(fold("\u{039f}\u{03b1}"), "Oa");
    }
}
