//! What is secret, by name: the server's secret properties, anything named like a credential
//! (also in fullwidth or look-alike letters), and anything the tool would itself suggest
//! renaming to a secret property ("what we would call a secret in a did-you-mean is a
//! secret", by construction).

use crate::props::{AUTH_BLOCKS, CONNECTION, Kind, fold};

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
    // what proves an identity in OAuth (`client-assertion`), htpasswd-style user lists
    // (`basicauth.users`, Traefik's labels)
    "assertion",
    "basicauth",
    "digestauth",
    "htpasswd",
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
const SECRET_WORDS: &[&str] = &["pw", "psw", "pssw", "pwd", "cred", "otp", "pin"];

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
    // a variable named like the connections config but not it (`..._CONNECTION_CONFIG`)
    // holds a config the tool does not check as one: its tokens and passwords would show raw
    if k.contains("connection")
        && k.contains("conf")
        && !k.contains("default")
        && !k.contains("oidc")
        && k != "devdsfbpefhirclientconnectionsconfig"
    {
        return Secrecy::Any;
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

/// Whether a value looks like the path of a file (`/run/secrets/x`, `./token.txt`): such a
/// value under a secret name is a file's name, not the secret (`*_PRIVATE_KEY: /run/...`).
pub fn looks_like_path(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() || s.contains(char::is_whitespace) {
        return false;
    }
    let rooted = s.starts_with('/') && s[1..].contains('/')
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with("~/")
        || s.starts_with("/run/secrets/");
    // a file name: `basic.password`, `token.txt` (not `bearer...token`)
    let extension = s.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))
            && matches!(
                ext.to_ascii_lowercase().as_str(),
                "txt" | "password" | "pass" | "pw" | "secret" | "token" | "key" | "pem" | "file"
            )
    });
    rooted || extension
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
