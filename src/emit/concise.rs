//! `--format concise`: one line per diagnostic, `file:line:col: severity[code] message`
//! (ruff's concise format), what editors' problem matchers, `grep` and pre-commit logs want.
//! Columns count characters, as in the human output. Failed probes follow as
//! `probe ID: error[code] step: detail` (no `file:line:col`, so a problem matcher does not take
//! the connection for a file); then, unless `--quiet`, passed probes and a summary line.

use super::ci::{self, Options};
use super::clip;
use super::text::visible;
use crate::report::Report;
use std::io::Write;

pub fn emit(report: &Report, opts: &Options, w: &mut dyn Write) -> std::io::Result<()> {
    for d in &report.diagnostics {
        let loc = report.sources.locate(d.primary.file, d.primary.span);
        let name = ci::display_name(report.sources.get(loc.file), opts);
        writeln!(
            w,
            "{}:{}:{}: {}[{}] {}",
            visible(&name),
            loc.start.line,
            loc.start.column,
            d.severity.as_str(),
            d.code(),
            visible(&clip(&opts.r.text(&d.message)))
        )?;
    }
    if let Some((results, not_probed)) = &report.probes {
        for r in results {
            if let Some(line) = ci::probe_line(r, opts.quiet, opts.r) {
                writeln!(w, "{line}")?;
            }
        }
        if opts.quiet && results.is_empty() {
            // nothing probed fails the run (exit 3): the one line that says why
            writeln!(
                w,
                "dsf-connections: {}",
                crate::emit::probes::summary(results, not_probed)
            )?;
        }
        if !opts.quiet {
            for n in not_probed {
                writeln!(
                    w,
                    "probe {}: not probed: {}",
                    visible(&n.connection),
                    visible(&n.reason)
                )?;
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
