//! `--format gitlab`: a GitLab Code Quality report, the Code Climate subset GitLab reads (one JSON
//! array; per finding `description`, `check_name`, `fingerprint`, `severity`, `location.path`,
//! `location.lines.begin`), plus Code Climate's `type`, `categories` and `lines.end`, which
//! GitLab ignores. Severities: an error the server does not start or runs without connections
//! over is `critical`, other errors `major`, warnings `minor`. Paths are relative to the working
//! directory (the checkout); a pseudo-source is named as it is (`<stdin>`: pass
//! `--stdin-filename` to point into the repository). Fingerprints are those of the SARIF output.
//! Probe results are not code findings and are not in this report.

use super::ci::{self, Options};
use super::clip;
use super::text::visible;
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::report::Report;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

fn severity(d: &Diagnostic) -> &'static str {
    match (d.severity, d.outcome) {
        (Severity::Error, Some(Outcome::DoesNotStart | Outcome::NoConnections)) => "critical",
        (Severity::Error, _) => "major",
        (Severity::Warning, _) => "minor",
    }
}

fn issue(report: &Report, d: &Diagnostic, fingerprint: String, opts: &Options) -> Issue {
    let loc = report.sources.locate(d.primary.file, d.primary.span);
    let src = report.sources.get(loc.file);
    Issue {
        kind: "issue",
        description: format!(
            "{} [{}]",
            visible(&clip(&opts.r.text(&d.message))),
            d.code()
        ),
        check_name: d.code(),
        fingerprint,
        severity: severity(d),
        categories: ["Bug Risk"],
        location: IssueLocation {
            path: visible(&ci::display_name(src, opts)).into_owned(),
            lines: Lines {
                begin: loc.start.line,
                end: loc.end.line,
            },
        },
    }
}

pub fn emit(report: &Report, opts: &Options, w: &mut dyn Write) -> std::io::Result<()> {
    let issues: Vec<Issue> = report
        .diagnostics
        .iter()
        .zip(ci::fingerprints(report, opts))
        .map(|(d, fp)| issue(report, d, fp, opts))
        .collect();
    // serialize first: serde_json would hide a broken pipe inside its own error type
    let text = serde_json::to_string_pretty(&issues).map_err(std::io::Error::other)?;
    let text = super::text::json_escape_unsafe(text);
    w.write_all(text.as_bytes())?;
    writeln!(w)
}
