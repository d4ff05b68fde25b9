//! Every rule of the tool, findable by its code. A rule is one `Rule` declaration (its stable
//! code, severity, what the DSF BPE does with the mistake, a summary and its documentation) next
//! to the function that finds it, in the family file named after what it checks. [`ALL`] lists
//! them; `docs/codes.md` and `--explain-code` are generated from it (a test keeps the file in
//! step). Per-connection rules take the resolved [`Connection`] and return diagnostics; rules of
//! the YAML layer are called by the loader and the schema mapper.
//!
//! To add a rule: declare its `Rule` and write its function in the family file (a connection
//! rule also goes into [`CONNECTION_CHECKS`]), list it in [`ALL`], add one fixture
//! `tests/fixtures/rules/<code>.yaml` that triggers it, and regenerate the docs
//! (`UPDATE_DOCS=1 cargo test docs_are_generated`).

pub mod compose;
pub mod connection;
pub mod defaults;
pub mod document;
pub mod durations;
pub mod files;
pub mod input;
pub mod key_material;
pub mod properties;
pub mod proxy;
pub mod reindent;
pub mod relocate;
pub mod schema_errors;
pub mod structure;
pub mod syntax;
pub mod values;

use crate::diag::Diagnostic;
use crate::model::{At, Connection};

pub use crate::diag::Rule;

/// Every rule, in the order of `docs/codes.md`.
pub static ALL: &[&Rule] = &[
    &input::INPUT_NOT_UTF8,
    &input::INPUT_LIMIT,
    &input::CONFIG_BLANK,
    &syntax::YAML_SYNTAX,
    &syntax::YAML_TYPOGRAPHIC_QUOTE,
    &syntax::YAML_TAB_INDENTATION,
    &syntax::YAML_INDENTATION,
    &syntax::YAML_BAD_ESCAPE,
    &syntax::YAML_UNPRINTABLE,
    &syntax::YAML_VERSION,
    &syntax::YAML_LINE_SEPARATOR,
    &structure::YAML_DUPLICATE_KEY,
    &structure::DUPLICATE_CONNECTION_ID,
    &structure::YAML_ALIAS,
    &structure::YAML_MERGE_KEY,
    &document::YAML_MULTIPLE_DOCUMENTS,
    &structure::YAML_COMPLEX_KEY,
    &structure::SPRING_PLACEHOLDER,
    &document::ROOT_NULL,
    &document::ROOT_NOT_MAPPING,
    &document::ROOT_NO_CONTENT,
    &properties::CONNECTION_EMPTY,
    &properties::UNKNOWN_PROPERTY,
    &properties::INVALID_TYPE,
    &properties::MISSING_PROPERTY,
    &properties::CONFLICTING_PROPERTIES,
    &values::BLANK_VALUE,
    &durations::INVALID_DURATION,
    &durations::DURATION_TOO_LARGE,
    &durations::DURATION_NEGATIVE,
    &durations::DURATION_ZERO,
    &durations::DURATION_MILLISECONDS,
    &values::INVALID_BOOLEAN,
    &values::SECRET_NOT_STRING,
    &values::PASSWORD_NOT_LATIN1,
    &values::SECRET_LOOKS_LIKE_PATH,
    &values::AUDIENCE_LOOKS_LIKE_LIST,
    &values::TYPOGRAPHIC_QUOTES,
    &connection::ID_STARTS_WITH_HASH,
    &connection::NULL_AUTH_BLOCK,
    &connection::SEVERAL_AUTH_BLOCKS,
    &connection::CREDENTIALS_OVER_HTTP,
    &connection::INVALID_URL,
    &connection::URL_QUERY_OR_FRAGMENT,
    &connection::OIDC_NOT_HTTPS,
    &proxy::PROXY_URL_SCHEME,
    &files::FILE_NOT_READABLE,
    &files::FILE_EMPTY,
    &files::SECRET_FILE_EMPTY,
    &files::SECRET_FILE_MULTILINE,
    &files::SECRET_FILE_NOT_UTF8,
    &key_material::TRUST_STORE_INVALID,
    &key_material::CERTIFICATE_INVALID,
    &key_material::NOT_CLIENT_CERTIFICATE,
    &key_material::PRIVATE_KEY_INVALID,
    &key_material::PRIVATE_KEY_PASSWORD,
    &key_material::KEY_MISMATCH,
    &key_material::PKCS12_INVALID,
    &key_material::KEY_NOT_VERIFIED,
    &key_material::KEY_KDF_TOO_COSTLY,
    &key_material::CERTIFICATE_EXPIRED,
    &key_material::CERTIFICATE_NOT_YET_VALID,
    &key_material::CERTIFICATE_EXPIRES_SOON,
    &defaults::INVALID_DEFAULT,
    &defaults::DEFAULT_TRUST_STORE_MISSING,
    &defaults::DEFAULT_TRUST_STORE_INVALID,
    &properties::INVALID_VALUE,
    &compose::COMPOSE_UNESCAPED_DOLLAR,
    &compose::COMPOSE_VARIABLE_UNSET,
    &compose::COMPOSE_VARIABLE_REQUIRED,
    &compose::COMPOSE_INVALID_INTERPOLATION,
    &compose::COMPOSE_SECRET_NOT_MOUNTED,
    &compose::COMPOSE_PATH_NOT_MOUNTED,
    &compose::COMPOSE_ENV_FILE_UNREADABLE,
    &compose::COMPOSE_INVALID_ENVIRONMENT,
    &compose::COMPOSE_NO_CONFIG,
    &compose::VARIABLE_MISSPELT,
    &compose::VARIABLE_SPELLING,
    &compose::CONFIG_TOO_LARGE,
];

/// The rule with this code.
pub fn find(code: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.name == code)
}

/// What a per-connection rule gets besides the connection.
pub struct Ctx {
    /// Seconds since the epoch, for certificate validity.
    pub now: i64,
    /// Whether `--path-map` was given (advice for unreadable container paths).
    pub path_maps: bool,
    /// The BPE's container, when checking a compose service.
    pub container: Option<std::sync::Arc<crate::files::Container>>,
    /// Whether the server's forward proxy is on (`DEV_DSF_PROXY_URL` of the tool's environment
    /// or the compose service): then its proxy code judges every URL a client is built for.
    pub proxy: bool,
    /// What was reported already, for what is reported once per check (a missing mount).
    pub once: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Ctx {
    /// True the first time `key` is seen.
    pub fn first(&self, key: String) -> bool {
        // a panic while holding the lock cannot leave a set inconsistent: use it anyway
        self.once
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key)
    }
}

pub type ConnectionCheck = fn(&Ctx, &Connection, &mut Vec<Diagnostic>);

/// The rules run on every resolved connection, in this order.
pub static CONNECTION_CHECKS: &[ConnectionCheck] = &[
    connection::check,
    durations::check,
    values::check,
    files::check,
    compose::check,
    key_material::check,
    proxy::check,
];

/// The name of the property at `at`, for a message: the tool's own word for a property of the
/// server's model, else quoted from its key.
pub fn name_of(at: &At) -> crate::secrets::Piece {
    match &at.name {
        std::borrow::Cow::Borrowed(s) => crate::secrets::Piece::from(*s),
        std::borrow::Cow::Owned(s) => crate::secrets::Piece::decoded(at.file, at.key, s),
    }
}

/// The value written at `at` for a message, in the decoded form `shown`.
pub fn value_of(at: &At, shown: &str) -> crate::secrets::Piece {
    crate::secrets::Piece::decoded(at.file, at.value, shown)
}

/// A diagnostic on the value written at `at` (its key when the value has no width).
pub fn on_value(
    rule: &'static Rule,
    at: &At,
    message: impl Into<crate::secrets::Text>,
) -> Diagnostic {
    Diagnostic::new(rule, at.file, at.value_or_key(), message).at(at.pointer())
}

/// A diagnostic on the key written at `at`.
pub fn on_key(
    rule: &'static Rule,
    at: &At,
    message: impl Into<crate::secrets::Text>,
) -> Diagnostic {
    Diagnostic::new(rule, at.file, at.key, message).at(at.pointer())
}

/// The words the tool itself prints (property names, its docs and examples), lower case: a
/// secret that is one of them is not scrubbed from other text (see `secrets::scrub::Known`).
pub fn vocabulary() -> &'static std::collections::HashSet<String> {
    static WORDS: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        docs_markdown()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    })
}

/// `docs/codes.md`, made from the rules.
pub fn docs_markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         <!-- generated from src/rules/*.rs: UPDATE_DOCS=1 cargo test docs_are_generated -->\n\n\
         Every diagnostic of `dsf-connections` has one of these stable codes (JSON field `code`,\n\
         `--ignore`/`--select`, `# dsf-connections: ignore[code]`). Each section says what the\n\
         code means, why it matters (what the DSF BPE server does with the mistake), a bad\n\
         example and the fix. `dsf-connections --explain-code CODE` prints one section.\n",
    );
    for r in ALL {
        out.push_str(&format!("\n### `{}`\n\n", r.name));
        out.push_str(&format!(
            "*{}*{}\n\n",
            r.severity.as_str(),
            r.outcome
                .map(|o| format!(", usually: the DSF BPE {}", o.sentence()))
                .unwrap_or_default()
        ));
        out.push_str(r.docs.trim());
        out.push('\n');
        out.push_str(&format!("\n{}\n", fix_sentence(r)));
    }
    out
}

/// What a rule's docs say of its fix (`--explain-code`, docs/codes.md): whether `check --fix`
/// repairs it, of which kind, and why that kind.
pub fn fix_sentence(r: &Rule) -> String {
    match r.fix {
        Some(f) => format!(
            "**Fix safety:** {} ({}): {}.",
            match f.applicability {
                crate::diag::Applicability::Safe => "a safe fix, applied by `check --fix`",
                crate::diag::Applicability::Unsafe => {
                    "an unsafe fix, applied by `check --fix --unsafe-fixes`"
                }
            },
            f.applicability.as_str(),
            f.why
        ),
        None => "**Fix safety:** no automatic fix (`check --fix` leaves it).".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.name), "duplicate {}", r.name);
            assert!(
                r.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}",
                r.name
            );
            assert!(r.docs.contains("**What:**"), "{} lacks docs", r.name);
        }
    }

    #[test]
    fn docs_are_generated() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes.md");
        let generated = docs_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &generated).expect("write docs/codes.md");
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "docs/codes.md is out of date: run UPDATE_DOCS=1 cargo test docs_are_generated"
        );
    }
}
