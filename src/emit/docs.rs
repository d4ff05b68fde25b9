//! Where each code is documented, so every output can link to it: the terminal
//! (`--explain-code CODE`, the `= docs:` line of human output) and the web (SARIF `helpUri`,
//! GitLab and GitHub annotations). Diagnostic codes are documented by their rules
//! (`rules::find(code).docs`, rendered into docs/codes.md), probe codes by theirs
//! (`probe::codes::find(code).docs`, rendered into docs/probe-codes.md): one text serves the file
//! and the terminal, and nothing is parsed at run time.

use crate::probe::codes::{self as probe_codes, Group};
use crate::rules;

/// The repository (Cargo.toml `repository`): the one place the web links are made from.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The stable web address of a diagnostic code's section: codes are never renamed, and a
/// `` ### `code` `` heading gets the anchor `#code`.
pub fn code_url(code: &str) -> String {
    format!("{REPOSITORY}/blob/main/docs/codes.md#{code}")
}

/// The stable web address of a probe code's section.
pub fn probe_code_url(code: &str) -> String {
    format!("{REPOSITORY}/blob/main/docs/probe-codes.md#{code}")
}

/// How to read a code's documentation in the terminal.
pub fn command(code: &str) -> String {
    format!("dsf-connections --explain-code {code}")
}

/// The text `--explain-code CODE` prints: the diagnostic code's docs, the probe code's, or both
/// when a name is both (`invalid-url`). `None` for an unknown code.
pub fn explain(code: &str) -> Option<String> {
    let mut out = String::new();
    if let Some(r) = rules::find(code) {
        out.push_str(&format!("# {} ({}", r.name, r.severity.as_str()));
        if let Some(o) = r.outcome {
            out.push_str(&format!("; usually: the DSF BPE {}", o.sentence()));
        }
        out.push_str(&format!(
            ")\n\n{}\n\n{}\n\n{}\n\nOnline: {}\n",
            r.summary,
            r.docs.trim(),
            rules::fix_sentence(r),
            code_url(r.name)
        ));
    }
    if let Some(c) = probe_codes::find(code) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "# {} (a failed step of check --test-connections)\n\n{}\n\nOnline: {}\n",
            c.name,
            c.docs.trim(),
            probe_code_url(c.name)
        ));
    }
    (!out.is_empty()).then_some(out)
}

/// What `dsf-connections codes` (and `--explain-code` without a code) prints: every diagnostic
/// code by severity and every probe code by its group, each with its
/// kind and one-line summary, one line per code (for `grep`).
pub fn list(styled: bool) -> String {
    let width = rules::ALL
        .iter()
        .map(|r| r.name.len())
        .chain(probe_codes::ALL.iter().map(|c| c.name.len()))
        .max()
        .unwrap_or(0);
    let row = |code: &str, kind: &str, summary: &str| {
        format!(
            "  {code:<width$}  {kind:<7}  {}\n",
            super::markdown::render_inline(summary, styled)
        )
    };
    let head = |text: &str| super::markdown::render(&format!("# {text}"), styled);
    let mut out = head("Diagnostic codes (check, explain)");
    for (severity, title) in [
        (
            crate::diag::Severity::Error,
            "Errors: the run fails (exit 1)",
        ),
        (crate::diag::Severity::Warning, "Warnings"),
    ] {
        out.push('\n');
        out.push_str(&head(title));
        for r in rules::ALL.iter().filter(|r| r.severity == severity) {
            out.push_str(&row(r.name, severity.as_str(), r.summary));
        }
    }
    out.push('\n');
    out.push_str(&head(
        "Probe codes (a failed step of check --test-connections, exit 3)",
    ));
    for group in Group::ALL {
        out.push('\n');
        out.push_str(&head(group.title()));
        for c in probe_codes::ALL.iter().filter(|c| c.group == group) {
            out.push_str(&row(c.name, "probe", c.summary));
        }
    }
    out.push_str(&format!(
        "\n{}\n",
        super::markdown::render_inline(
            "`dsf-connections --explain-code CODE` explains one: what it means, why it matters, a bad example and the fix.",
            styled
        )
    ));
    out
}

/// The known code closest to `code`, for "did you mean".
pub fn suggest(code: &str) -> Option<&'static str> {
    let names = rules::ALL
        .iter()
        .map(|r| r.name)
        .chain(probe_codes::ALL.iter().map(|c| c.name));
    names
        .map(|n| (crate::suggest::distance(code, n), n))
        .filter(|(d, n)| *d <= n.len() / 3 + 1)
        .min()
        .map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_docs_for_the_terminal() {
        for r in rules::ALL {
            let text = explain(r.name).unwrap_or_default();
            assert!(text.contains("**What:**"), "{}", r.name);
        }
        for c in probe_codes::ALL {
            let text = explain(c.name).unwrap_or_default();
            assert!(text.contains("**What:**"), "{}", c.name);
        }
        // a name that is both: both sections
        let both = explain("invalid-url").unwrap_or_default();
        assert!(both.contains("check --test-connections") && both.contains("**What:**"));
        assert_eq!(explain("no-such-code"), None);
    }

    #[test]
    fn the_list_has_every_code_once() {
        let list = list(false);
        for code in rules::ALL
            .iter()
            .map(|r| r.name)
            .chain(probe_codes::ALL.iter().map(|c| c.name))
        {
            let rows = list
                .lines()
                .filter(|l| l.split_whitespace().next() == Some(code))
                .count();
            // `invalid-url` is a diagnostic and a probe code
            let want = if code == "invalid-url" { 2 } else { 1 };
            assert_eq!(rows, want, "{code}");
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("invalid-duraton"), Some("invalid-duration"));
        assert_eq!(suggest("dns-faild"), Some("dns-failed"));
        assert_eq!(suggest("zzzzzzzzzzzzzz"), None);
    }
}
