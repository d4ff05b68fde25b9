//! Human output: each diagnostic through miette's graphical handler (file:line:column, the
//! snippet with labels, help, what the server would do), secrets masked, then a one-line summary.

use super::mask::Masked;
use super::snippet::{Shared, Snippets};
use crate::diag::{Diagnostic, Label, Severity};
use crate::report::Report;
use crate::source::FileId;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
use owo_colors::OwoColorize;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn emit(report: &Report, style: &Style, w: &mut dyn Write) -> std::io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut masked: HashMap<FileId, (Masked, Arc<Snippets>)> = HashMap::new();
    for d in &report.diagnostics {
        let m = masked.entry(d.file).or_insert_with(|| {
            let secrets = report
                .input_for(d.file)
                .map(|i| i.secrets.as_slice())
                .unwrap_or_default();
            let source = report.sources.get(d.file);
            let mut m = Masked::new(&source.text, secrets);
            let snippets = Snippets::new(&source.name, std::mem::take(&mut m.text));
            (m, snippets)
        });
        let rendered = render(&handler, d, &m.0, &m.1);
        w.write_all(rendered.as_bytes())?;
    }
    summary(report, style, w)
}

fn label(m: &Masked, l: &Label, primary: bool) -> LabeledSpan {
    let s = m.span(l.span);
    let span = (s.start, s.len());
    if primary {
        LabeledSpan::new_primary_with_span(l.message.clone(), span)
    } else {
        LabeledSpan::new_with_span(l.message.clone(), span)
    }
}

fn render(
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    m: &Masked,
    snippets: &Arc<Snippets>,
) -> String {
    let mut help = d.help.clone().unwrap_or_default();
    if let Some(o) = d.outcome {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str("server: ");
        help.push_str(o.sentence());
    }
    let mut md = MietteDiagnostic::new(d.message.clone())
        .with_code(d.code.as_str())
        .with_severity(match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
        .with_label(label(m, &d.primary, true))
        .and_labels(d.related.iter().map(|l| label(m, l, false)));
    if !help.is_empty() {
        md = md.with_help(help);
    }
    let report = miette::Report::new(md).with_source_code(Shared(Arc::clone(snippets)));
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        // rendering into a String cannot fail in practice; fall back to the bare message
        out = format!("{}: {}\n", d.code.as_str(), d.message);
    }
    out.push('\n');
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn summary(report: &Report, style: &Style, w: &mut dyn Write) -> std::io::Result<()> {
    let (e, wn, c) = (report.errors(), report.warnings(), report.connections());
    let inputs = if report.inputs.len() > 1 {
        format!(" ({})", plural(report.inputs.len(), "input"))
    } else {
        String::new()
    };
    let mut conns = if c == 0 {
        "no connections".to_string()
    } else {
        plural(c, "connection")
    };
    match report.unreadable() {
        0 => {}
        n if n == report.inputs.len() => conns = "a config that could not be read".to_string(),
        n => conns.push_str(&format!(
            " and {} that could not be read",
            plural(n, "input")
        )),
    }
    let blank = report
        .inputs
        .iter()
        .all(|i| report.sources.get(i.file).text.trim().is_empty());
    let line = if e == 0 && wn == 0 && blank {
        // the server treats a blank value as "no connections", without complaint
        "ok: the config is blank, which the server accepts as no connections".to_string()
    } else if e == 0 && wn == 0 {
        format!("ok: no problems in {conns}{inputs}")
    } else {
        format!(
            "{}, {} in {conns}{inputs}",
            plural(e, "error"),
            plural(wn, "warning")
        )
    };
    if style.color {
        if e > 0 {
            writeln!(w, "{}", line.red().bold())
        } else if wn > 0 {
            writeln!(w, "{}", line.yellow().bold())
        } else {
            writeln!(w, "{}", line.green().bold())
        }
    } else {
        writeln!(w, "{line}")
    }
}
