//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request: `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`
//! (`::warning` for warnings). GitHub's escaping applies: `%`, CR and LF in the message, and
//! also `:` and `,` in properties; input text is made visible first, so no raw control character
//! reaches the log. `col`/`endColumn` are left out of multi-line spans (GitHub only uses them
//! within one line). A pseudo-source (standard input without `--stdin-filename`, the variable,
//! `<environment>`) gives an annotation without `file`, its position in the message. Failed
//! probes are error annotations without a file; inputs that could not be read too. Unless
//! `--quiet`, notes, passed probes and a plain summary line follow (plain text, not a
//! `::notice`, so a clean run adds no annotation to every pull request). Plain lines need no
//! escaping: each starts with our own text, and input text in them is made visible, so no
//! line break inside can start a command.

use super::ci::{self, Options};
use super::clip;
use super::text::visible;
use crate::diag::{Diagnostic, Severity};
use crate::report::Report;
use std::io::Write;

/// Escape a command's message (data).
pub fn escape_data(s: &str) -> String {
    crate::printable::github_escape_data(s)
}

/// Escape a command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(report: &Report, d: &Diagnostic, opts: &Options) -> String {
    let loc = report.sources.locate(d.primary.file, d.primary.span);
    let src = report.sources.get(loc.file);
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(path) = ci::file_path(report, loc.file, opts) {
        props.push(format!("file={}", escape_property(&visible(&path))));
        props.push(format!("line={}", loc.start.line));
        props.push(format!("endLine={}", loc.end.line));
        if loc.start.line == loc.end.line {
            props.push(format!("col={}", loc.start.column));
            props.push(format!("endColumn={}", loc.end.column));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("dsf-connections ({})", d.code()))
    ));
    // the message: where (as in concise output, for the raw log), what, help, server, docs
    let mut text = format!(
        "{}:{}:{}: {}",
        visible(&ci::display_name(src, opts)),
        loc.start.line,
        loc.start.column,
        visible(&clip(&opts.r.text(&d.message)))
    );
    if let Some(help) = &d.help {
        text.push_str(&format!("\nhelp: {}", visible(&clip(&opts.r.text(help)))));
    }
    if let Some(o) = d.outcome {
        text.push_str(&format!("\nserver: the DSF BPE {}", o.sentence()));
    }
    text.push_str(&format!("\ndocs: {}", super::docs::code_url(d.code())));
    format!("::{command} {}::{}", props.join(","), escape_data(&text))
}

pub fn emit(report: &Report, opts: &Options, w: &mut dyn Write) -> std::io::Result<()> {
    for d in &report.diagnostics {
        writeln!(w, "{}", annotation(report, d, opts))?;
    }
    for (name, why) in &report.failed {
        writeln!(
            w,
            "::error title=dsf-connections::{}",
            escape_data(&visible(&format!("{name}: {why}")))
        )?;
    }
    if let Some((results, not_probed)) = &report.probes {
        if results.is_empty() {
            // the job fails (exit 3) with no failed probe to annotate: say why
            writeln!(
                w,
                "::error title=dsf-connections probe::{}",
                escape_data(&crate::emit::probes::summary(results, not_probed))
            )?;
        }
        for r in results {
            if r.ok {
                if let Some(line) = ci::probe_line(r, opts.quiet, opts.r) {
                    writeln!(w, "{line}")?;
                }
                continue;
            }
            let code = ci::failed_step(r).and_then(|s| s.code);
            let title = match code {
                Some(c) => format!("dsf-connections probe ({c})"),
                None => "dsf-connections probe".to_string(),
            };
            let mut text = format!(
                "{}: {}",
                visible(&r.connection),
                ci::probe_failure(r, opts.r)
            );
            if let Some(c) = code {
                text.push_str(&format!("\ndocs: {}", super::docs::probe_code_url(c.name)));
            }
            writeln!(
                w,
                "::error title={}::{}",
                escape_property(&title),
                escape_data(&text)
            )?;
        }
        if !opts.quiet {
            for n in not_probed {
                let line = format!(
                    "probe {}: not probed: {}",
                    visible(&n.connection),
                    visible(&n.reason)
                );
                writeln!(w, "{line}")?;
            }
        }
    }
    if !opts.quiet {
        for n in &report.notes {
            writeln!(w, "note: {}", visible(&opts.r.text(n)))?;
        }
        writeln!(w, "dsf-connections: {}", ci::summary(report))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    }
}
