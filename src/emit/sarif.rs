//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it (and validated against the
//! OASIS schema in the tests). One run; `tool.driver` with one `rules[]` entry per code used
//! (summary, documentation as text and Markdown, `helpUri` to the code's section of
//! docs/codes.md, default level); one result per diagnostic with its region in UTF-16 code
//! units (SARIF's default `columnKind`, so columns come from `column_utf16`; ends exclusive, as
//! SARIF's are), related labels as `relatedLocations`, the RFC 6901 pointer as a logical
//! location, and a `partialFingerprints` entry that hashes the code, source and pointer, never a
//! line number, so a finding is not new after every push.
//!
//! A pseudo-source (standard input without `--stdin-filename`, the variable, `<environment>`)
//! has no file to point at: its results carry only the logical location, and the message says
//! where. Probe results are not findings in the code: failed probes and unreadable inputs go
//! into `invocations[0].toolExecutionNotifications` (with `executionSuccessful` false for an
//! unreadable input), where SARIF keeps what happened while the tool ran.

use super::ci::{self, Options};
use super::clip;
use super::docs;
use super::text::visible;
use crate::diag::{Diagnostic, Label, Severity};
use crate::report::Report;
use crate::rules::Rule;
use serde::Serialize;
use std::io::Write;

const SCHEMA: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";
/// The `partialFingerprints` key; the version part changes only if the hash input changes.
pub const FINGERPRINT_KEY: &str = "dsfConnections/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleOut>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Markdown {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Markdown,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    descriptor: Option<Descriptor>,
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: std::collections::BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A path as a relative URI reference: every byte outside the unreserved and path characters
/// percent-encoded (a space is `%20`; a `:` too, so `c:` cannot read as a scheme).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `invalid-duration` → `InvalidDuration` (SARIF's `name` is an identifier-like name).
fn pascal(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The docs in plain text: Markdown emphasis and code fences dropped.
fn plain(markdown: &str) -> String {
    markdown
        .lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("**", "")
}

/// The first paragraph of a rule's docs (its "What:"), as plain text.
fn what(rule: &Rule) -> String {
    let first = rule
        .docs
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or(rule.summary);
    plain(first).replace("What: ", "").trim().to_string()
}

fn rule_out(rule: &'static Rule) -> RuleOut {
    let mut tags = vec!["dsf-bpe"];
    if let Some(o) = rule.outcome {
        tags.push(o.as_str());
    }
    RuleOut {
        id: rule.name,
        name: pascal(rule.name),
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text { text: what(rule) },
        help: Markdown {
            text: plain(rule.docs.trim()),
            markdown: rule.docs.trim().to_string(),
        },
        help_uri: docs::code_url(rule.name),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties { tags },
    }
}

fn location(report: &Report, label: &Label, opts: &Options, id: Option<usize>) -> Location {
    let loc = report.sources.locate(label.file, label.span);
    let physical_location = ci::file_path(report, loc.file, opts).map(|path| PhysicalLocation {
        artifact_location: ArtifactLocation { uri: uri(&path) },
        region: Region {
            start_line: loc.start.line,
            start_column: loc.start.column_utf16,
            end_line: loc.end.line,
            end_column: loc.end.column_utf16,
        },
    });
    let logical_locations = label
        .pointer
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| LogicalLocation {
            fully_qualified_name: visible(p).into_owned(),
            kind: "property",
        })
        .collect();
    // without a file, the message names the place
    let mut message = label
        .message
        .as_ref()
        .map(|m| visible(&clip(&opts.r.text(m))).into_owned());
    if physical_location.is_none() {
        let name = ci::display_name(report.sources.get(loc.file), opts);
        let at = format!("{}:{}:{}", visible(&name), loc.start.line, loc.start.column);
        message = Some(match message {
            Some(m) => format!("{at}: {m}"),
            None => at,
        });
    }
    Location {
        id,
        physical_location,
        logical_locations,
        message: message.map(|text| Text { text }),
    }
}

fn result(
    report: &Report,
    d: &Diagnostic,
    rule_index: usize,
    fingerprint: String,
    opts: &Options,
) -> SarifResult {
    let mut text = visible(&clip(&opts.r.text(&d.message))).into_owned();
    if let Some(help) = &d.help {
        text.push_str(&format!("\nhelp: {}", visible(&clip(&opts.r.text(help)))));
    }
    if let Some(o) = d.outcome {
        text.push_str(&format!("\nserver: the DSF BPE {}", o.sentence()));
    }
    let mut primary = d.primary.clone();
    // the primary label's own message is shown by the location; the result's message says what
    if primary.pointer.is_none() && !d.pointer.is_empty() {
        primary.pointer = Some(d.pointer.clone());
    }
    SarifResult {
        rule_id: d.code(),
        rule_index,
        level: level(d.severity),
        message: Text { text },
        locations: vec![location(report, &primary, opts, None)],
        related_locations: d
            .related
            .iter()
            .enumerate()
            .map(|(i, l)| location(report, l, opts, Some(i + 1)))
            .collect(),
        partial_fingerprints: [(FINGERPRINT_KEY, fingerprint)].into_iter().collect(),
    }
}

fn notifications(report: &Report, opts: &Options) -> Vec<Notification> {
    let mut out: Vec<Notification> = report
        .failed
        .iter()
        .map(|(name, why)| Notification {
            level: "error",
            message: Text {
                text: visible(&format!("{name}: {why}")).into_owned(),
            },
            descriptor: None,
        })
        .collect();
    if let Some((results, not_probed)) = &report.probes {
        if results.is_empty() {
            // nothing was probed: the run failed (exit 3) without a failed probe
            out.push(Notification {
                level: "error",
                message: Text {
                    text: crate::emit::probes::summary(results, not_probed),
                },
                descriptor: None,
            });
        }
        for r in results.iter().filter(|r| !r.ok) {
            out.push(Notification {
                level: "error",
                message: Text {
                    text: format!(
                        "probe {}: {}",
                        visible(&r.connection),
                        ci::probe_failure(r, opts.r)
                    ),
                },
                descriptor: ci::failed_step(r)
                    .and_then(|s| s.code)
                    .map(|c| Descriptor { id: c.name }),
            });
        }
    }
    out
}

pub fn emit(report: &Report, opts: &Options, w: &mut dyn Write) -> std::io::Result<()> {
    // rules in the order of the registry, each once
    let mut used: Vec<&'static Rule> = Vec::new();
    for d in &report.diagnostics {
        if !used.iter().any(|r| r.name == d.code()) {
            used.push(d.rule);
        }
    }
    let order = |r: &&Rule| {
        crate::rules::ALL
            .iter()
            .position(|a| a.name == r.name)
            .unwrap_or(usize::MAX)
    };
    used.sort_by_key(order);
    let fingerprints = ci::fingerprints(report, opts);
    let results = report
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fp)| {
            let index = used.iter().position(|r| r.name == d.code()).unwrap_or(0);
            result(report, d, index, fp, opts)
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "dsf-connections",
                    version: crate::VERSION,
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: docs::REPOSITORY,
                    rules: used.into_iter().map(rule_out).collect(),
                },
            },
            invocations: vec![Invocation {
                execution_successful: report.failed.is_empty(),
                tool_execution_notifications: notifications(report, opts),
            }],
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    // serialize first: serde_json would hide a broken pipe inside its own error type
    let text = serde_json::to_string_pretty(&log).map_err(std::io::Error::other)?;
    let text = super::text::json_escape_unsafe(text);
    w.write_all(text.as_bytes())?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_names() {
        assert_eq!(uri("conf/a b.yaml"), "conf/a%20b.yaml");
        assert_eq!(uri("c:/x#1.yaml"), "c%3A/x%231.yaml");
        assert_eq!(uri("ä.yaml"), "%C3%A4.yaml");
        assert_eq!(pascal("invalid-duration"), "InvalidDuration");
    }
}
