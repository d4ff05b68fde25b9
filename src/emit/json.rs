//! `--format json`: one object, version 1, documented in the README. Positions come from the one
//! resolver: lines and columns are 1-based, columns count characters (`column_utf16` counts
//! UTF-16 code units), ends are exclusive, and an embedded source is reported in its host file.

use super::{clip, explain};
use crate::diag::{Diagnostic, Label};
use crate::probe::{ProbeResult, ServerOutcome};
use crate::report::Report;
use crate::secrets::Redactor;
use crate::source::Location;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
struct Out<'r> {
    version: u32,
    inputs: Vec<InputOut<'r>>,
    diagnostics: Vec<DiagOut<'r>>,
    summary: Summary<'r>,
    /// With `explain`: each connection's effective settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    connections: Option<Vec<explain::Explained>>,
    /// With `--test-connections`: one result per probed connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    probes: Option<Vec<ProbeJson<'r, 'r>>>,
    /// With `--test-connections`: connections not probed, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_probed: Option<&'r [crate::probe::from_model::NotProbed]>,
}

#[derive(Serialize)]
struct InputOut<'r> {
    name: &'r str,
    /// The compose service whose config this is.
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'r str>,
    /// The ids of its connections: the first [`MAX_IDS`] (each cut as pointers cut it).
    connections: Vec<std::borrow::Cow<'r, str>>,
    /// Ids beyond [`MAX_IDS`], left out of `connections`.
    #[serde(skip_serializing_if = "is_zero")]
    connections_omitted: usize,
}

/// Connection ids listed per input (a hostile config can have a million; a real one dozens).
const MAX_IDS: usize = 1000;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
    column_utf16: usize,
    end_line: usize,
    end_column: usize,
    end_column_utf16: usize,
}

impl From<Location> for Position {
    fn from(l: Location) -> Self {
        Position {
            line: l.start.line,
            column: l.start.column,
            column_utf16: l.start.column_utf16,
            end_line: l.end.line,
            end_column: l.end.column,
            end_column_utf16: l.end.column_utf16,
        }
    }
}

#[derive(Serialize)]
struct DiagOut<'r> {
    severity: &'static str,
    code: &'static str,
    message: String,
    help: Option<String>,
    outcome: Option<&'static str>,
    file: &'r str,
    connection: Option<&'r str>,
    pointer: &'r str,
    #[serde(flatten)]
    position: Position,
    related: Vec<RelatedOut<'r>>,
    /// The rule's repair, when it has one here (`check --fix`).
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixOut>,
}

#[derive(Serialize)]
struct FixOut {
    applicability: &'static str,
    description: String,
    /// Why `check --fix` cannot apply it here (it is then not applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    unavailable: Option<String>,
}

#[derive(Serialize)]
struct RelatedOut<'r> {
    file: &'r str,
    pointer: Option<&'r str>,
    #[serde(flatten)]
    position: Position,
    message: Option<String>,
}

#[derive(Serialize)]
struct Summary<'r> {
    errors: usize,
    warnings: usize,
    connections: usize,
    /// Diagnostics left out by `--max-diagnostics`, per code (their errors are counted above).
    omitted: BTreeMap<&'static str, usize>,
    /// Diagnostics left out by `--select`, `--ignore` or an inline comment.
    suppressed: usize,
    /// How many of those are errors (the server still fails on them).
    suppressed_errors: usize,
    notes: Vec<String>,
    /// Inputs that could not be read: `[name, why]`.
    failed: &'r [(String, String)],
}

fn related<'r>(report: &'r Report, r: &Redactor, l: &'r Label) -> RelatedOut<'r> {
    let loc = report.sources.locate(l.file, l.span);
    RelatedOut {
        file: &report.sources.get(loc.file).name,
        pointer: l.pointer.as_deref(),
        position: loc.into(),
        message: l.message.as_ref().map(|m| clip(&r.text(m)).into_owned()),
    }
}

fn diag<'r>(report: &'r Report, r: &Redactor, d: &'r Diagnostic) -> DiagOut<'r> {
    let loc = report.sources.locate(d.primary.file, d.primary.span);
    DiagOut {
        severity: d.severity.as_str(),
        code: d.code(),
        message: clip(&r.text(&d.message)).into_owned(),
        help: d.help.as_ref().map(|h| clip(&r.text(h)).into_owned()),
        outcome: d.outcome.map(|o| o.as_str()),
        file: &report.sources.get(loc.file).name,
        connection: d.connection.as_deref(),
        pointer: &d.pointer,
        position: loc.into(),
        related: d.related.iter().map(|l| related(report, r, l)).collect(),
        fix: d.fix.as_ref().map(|f| FixOut {
            applicability: f.applicability.as_str(),
            description: clip(&r.text(&f.description)).into_owned(),
            unavailable: d
                .fix_unavailable
                .as_ref()
                .map(|w| clip(&r.text(w)).into_owned()),
        }),
    }
}

/// One probe result of `probes[]`, its details rendered by the run's redactor like a
/// diagnostic's message. A versioned contract: the fields, their order and their values are
/// those of the README (`connection`, `ok`, `duration_ms`, `server_outcome`,
/// `server_tests_at_startup`, `via_proxy`, `oidc_via_proxy`, `ended_by_probe_timeout`,
/// `steps[]` with `name`, `ok`, `duration_ms`, `detail`, `code`, and `server_outcome` for
/// failures).
pub struct ProbeJson<'a, 'r> {
    pub result: &'a ProbeResult,
    pub r: &'a Redactor<'r>,
}

#[derive(Serialize)]
struct ProbeOut<'a> {
    connection: &'a str,
    ok: bool,
    duration_ms: u64,
    server_outcome: ServerOutcome,
    server_tests_at_startup: bool,
    via_proxy: bool,
    oidc_via_proxy: Option<bool>,
    ended_by_probe_timeout: bool,
    steps: Vec<StepOut>,
}

#[derive(Serialize)]
struct StepOut {
    name: &'static str,
    ok: bool,
    duration_ms: u64,
    detail: String,
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_outcome: Option<ServerOutcome>,
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Serialize for ProbeJson<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.result;
        ProbeOut {
            connection: &p.connection,
            ok: p.ok,
            duration_ms: millis(p.duration),
            server_outcome: p.server_outcome,
            server_tests_at_startup: p.server_tests_at_startup,
            via_proxy: p.via_proxy,
            oidc_via_proxy: p.oidc_via_proxy,
            ended_by_probe_timeout: p.ended_by_probe_timeout,
            steps: p
                .steps
                .iter()
                .map(|st| StepOut {
                    name: st.name,
                    ok: st.ok,
                    duration_ms: millis(st.duration),
                    detail: self.r.text(&st.detail),
                    code: st.code.map(|c| c.name),
                    server_outcome: st.server_outcome,
                })
                .collect(),
        }
        .serialize(s)
    }
}

/// A probe result on its own in the JSON of `probes[]`, its details rendered with no source
/// and no secret value of a run known (for library users and tests).
impl Serialize for ProbeResult {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let db = crate::source::SourceDb::default();
        let r = crate::secrets::Redactor::new(&db, crate::secrets::scrub::Scrubber::default());
        ProbeJson {
            result: self,
            r: &r,
        }
        .serialize(s)
    }
}

pub fn emit(report: &Report, r: &Redactor, w: &mut dyn Write) -> std::io::Result<()> {
    let (explained, omitted) = explain::explain_all(report, r);
    let mut notes: Vec<String> = report.notes.iter().map(|n| r.text(n)).collect();
    notes.extend(explain::explained_note(omitted));
    let out = Out {
        version: 1,
        inputs: report
            .inputs
            .iter()
            .map(|i| InputOut {
                name: &i.name,
                service: i.service.as_ref().and_then(|s| s.name.as_deref()),
                connections: i
                    .connections
                    .iter()
                    .take(MAX_IDS)
                    .map(|c| crate::yaml::pointer::bounded(c))
                    .collect(),
                connections_omitted: i.connections.len().saturating_sub(MAX_IDS),
            })
            .collect(),
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| diag(report, r, d))
            .collect(),
        summary: Summary {
            errors: report.errors(),
            warnings: report.warnings(),
            connections: report.connections(),
            omitted: report
                .omitted
                .capped
                .iter()
                .map(|(code, (_, n))| (*code, *n))
                .collect(),
            suppressed: report.omitted.suppressed,
            suppressed_errors: report.omitted.suppressed_errors,
            notes,
            failed: &report.failed,
        },
        connections: report.models.is_some().then_some(explained),
        probes: report
            .probes
            .as_ref()
            .map(|(results, _)| results.iter().map(|p| ProbeJson { result: p, r }).collect()),
        not_probed: report.probes.as_ref().map(|(_, n)| n.as_slice()),
    };
    // serialize first: serde_json would hide a broken pipe inside its own error type
    let text = serde_json::to_string_pretty(&out).map_err(std::io::Error::other)?;
    let text = super::text::json_escape_unsafe(text);
    w.write_all(text.as_bytes())?;
    writeln!(w)
}
