//! Output formats. Each renders a whole `Report` through the one location resolver
//! (`SourceDb::locate`); none decides anything. `human` and `json` are the tool's own; `concise`,
//! `github`, `sarif` and `gitlab` are for CI and editors, and share `ci` (paths, fingerprints)
//! and `docs` (where each code is documented).

pub mod ci;
pub mod concise;
pub mod docs;
pub mod environment;
pub mod explain;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod markdown;
pub mod probes;
pub mod sarif;
pub mod snippet;
pub mod stores;
pub mod text;

/// Longest message, help or label text shown (input quoted in a message can be huge).
pub const MAX_TEXT: usize = 400;

/// `s` cut to [`MAX_TEXT`] characters, with `…` where it was cut.
pub fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(MAX_TEXT) {
        None => std::borrow::Cow::Borrowed(s),
        Some((i, _)) => std::borrow::Cow::Owned(format!("{}…", &s[..i])),
    }
}
