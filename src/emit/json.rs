//! `--format json`: one object, version 1, documented in the README. Lines and columns are
//! 1-based, columns count characters, ends are exclusive.

use crate::diag::{Diagnostic, Label};
use crate::report::Report;
use crate::source::SourceFile;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Out<'r> {
    version: u32,
    inputs: Vec<InputOut<'r>>,
    diagnostics: Vec<DiagOut<'r>>,
    summary: Summary,
    /// With `explain`: each connection's effective settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    connections: Option<&'r [crate::explain::Explained]>,
}

#[derive(Serialize)]
struct InputOut<'r> {
    name: &'r str,
    connections: &'r [String],
}

#[derive(Serialize)]
struct DiagOut<'r> {
    severity: &'static str,
    code: &'static str,
    message: &'r str,
    help: Option<&'r str>,
    outcome: Option<&'static str>,
    file: &'r str,
    connection: Option<&'r str>,
    pointer: &'r str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    related: Vec<RelatedOut<'r>>,
}

#[derive(Serialize)]
struct RelatedOut<'r> {
    pointer: Option<&'r str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: Option<&'r str>,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    connections: usize,
}

fn related<'r>(src: &SourceFile, l: &'r Label) -> RelatedOut<'r> {
    let (s, e) = src.range(l.span);
    RelatedOut {
        pointer: l.pointer.as_deref(),
        line: s.line,
        column: s.column,
        end_line: e.line,
        end_column: e.column,
        message: l.message.as_deref(),
    }
}

fn diag<'r>(report: &'r Report, d: &'r Diagnostic) -> DiagOut<'r> {
    let src = report.sources.get(d.file);
    let (s, e) = src.range(d.primary.span);
    DiagOut {
        severity: d.severity.as_str(),
        code: d.code.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        outcome: d.outcome.map(|o| o.as_str()),
        file: &src.name,
        connection: d.connection.as_deref(),
        pointer: &d.pointer,
        line: s.line,
        column: s.column,
        end_line: e.line,
        end_column: e.column,
        related: d.related.iter().map(|l| related(src, l)).collect(),
    }
}

pub fn emit(report: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    let out = Out {
        version: 1,
        inputs: report
            .inputs
            .iter()
            .map(|i| InputOut {
                name: &i.name,
                connections: &i.connections,
            })
            .collect(),
        diagnostics: report.diagnostics.iter().map(|d| diag(report, d)).collect(),
        summary: Summary {
            errors: report.errors(),
            warnings: report.warnings(),
            connections: report.connections(),
        },
        connections: report.explained.as_deref(),
    };
    // serialize first: serde_json would hide a broken pipe inside its own error type
    let text = serde_json::to_string_pretty(&out).map_err(std::io::Error::other)?;
    w.write_all(text.as_bytes())?;
    writeln!(w)
}
