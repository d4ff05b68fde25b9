//! Human output: each diagnostic with its code, where it is (`file:line:column`, from the one
//! resolver), the snippet with its marks (secrets masked, control characters visible, long
//! lines windowed), help, what the server does and how to read the code's docs; then the
//! `explain` tables, and a summary with what was left out (not with `--quiet`, which also shows
//! only failed probes). All input text passes through `text::visible`.

use super::snippet::{Mark, snippet};
use super::text::visible;
use super::{clip, explain};
use crate::diag::{Diagnostic, Severity};
use crate::report::Report;
use owo_colors::OwoColorize;
use std::io::Write;

pub struct Style<'a> {
    pub color: bool,
    /// `--quiet`: problems only.
    pub quiet: bool,
    /// Every text shown is rendered by it.
    pub r: &'a crate::secrets::Redactor<'a>,
}

pub fn emit(report: &Report, style: &Style, w: &mut dyn Write) -> std::io::Result<()> {
    for d in &report.diagnostics {
        let text = render(report, d, style);
        w.write_all(text.as_bytes())?;
    }
    if report.models.is_some() {
        let (rows, omitted) = explain::explain_all(report, style.r);
        explain::emit_human(&rows, style.color, w)?;
        if let Some(note) = explain::explained_note(omitted) {
            writeln!(w, "note: {note}")?;
        }
        if !rows.is_empty() {
            writeln!(w)?;
        }
    }
    if let Some((results, not_probed)) = &report.probes {
        for n in not_probed.iter().filter(|_| !style.quiet) {
            writeln!(
                w,
                "- {}: not probed: {}",
                visible(&n.connection),
                visible(&n.reason)
            )?;
        }
        if style.quiet {
            let failed: Vec<_> = results.iter().filter(|r| !r.ok).cloned().collect();
            if !failed.is_empty() {
                crate::emit::probes::render(&failed, style.r, style.color, w)?;
            } else if results.is_empty() {
                // nothing probed is a problem too (exit 3): say why
                let line = crate::emit::probes::summary(results, not_probed);
                writeln!(w, "{line}")?;
            }
        } else {
            crate::emit::probes::render(results, style.r, style.color, w)?;
            writeln!(w)?;
        }
    }
    if style.quiet {
        return Ok(());
    }
    summary(report, style, w)
}

fn render(report: &Report, d: &Diagnostic, style: &Style) -> String {
    let db = &report.sources;
    let r = style.r;
    let loc = db.locate(d.primary.file, d.primary.span);
    let src = db.get(loc.file);
    let shown_masks = r.shown(loc.file);
    let mut marks = vec![Mark {
        span: loc.span,
        primary: true,
        message: d.primary.message.as_ref().map(|m| r.text(m)),
    }];
    for l in &d.related {
        let (file, span) = db.relocate(l.file, l.span);
        // a label in another file than the primary's is named in the text instead
        if file == loc.file {
            marks.push(Mark {
                span,
                primary: false,
                message: l.message.as_ref().map(|m| r.text(m)),
            });
        }
    }
    let severity = d.severity.as_str();
    let head = format!("{severity}[{}]", d.code());
    let head = if style.color {
        match d.severity {
            Severity::Error => head.red().bold().to_string(),
            Severity::Warning => head.yellow().bold().to_string(),
        }
    } else {
        head
    };
    let message = visible(&clip(&r.text(&d.message))).into_owned();
    let message = if style.color {
        message.bold().to_string()
    } else {
        message
    };
    let mut out = format!("{head}: {message}\n");
    let lines = snippet(
        src,
        shown_masks,
        &marks,
        &super::snippet::Style { color: style.color },
    );
    // the columns before the `|`, not counting the colours' escape sequences
    let gutter = lines.first().map_or(1, |l| {
        columns_before(l, '|').unwrap_or(2).saturating_sub(1).max(1)
    });
    let pad = " ".repeat(gutter);
    out.push_str(&format!(
        "{pad}--> {}:{}:{}\n",
        visible(&src.name),
        loc.start.line,
        loc.start.column
    ));
    for l in &lines {
        out.push_str(l);
        out.push('\n');
    }
    if let Some(help) = &d.help {
        out.push_str(&format!(
            "{pad} = help: {}\n",
            visible(&clip(&r.text(help)))
        ));
    }
    if let Some(o) = d.outcome {
        out.push_str(&format!("{pad} = server: the DSF BPE {}\n", o.sentence()));
    }
    if let Some(fix) = &d.fix {
        let line = match &d.fix_unavailable {
            Some(why) => format!("not offered here: {}", r.text(why)),
            None => format!(
                "{} ({})",
                r.text(&fix.description),
                match fix.applicability {
                    crate::diag::Applicability::Safe => "check --fix",
                    crate::diag::Applicability::Unsafe => "check --fix --unsafe-fixes",
                }
            ),
        };
        out.push_str(&format!("{pad} = fix: {}\n", visible(&clip(&line))));
    }
    // every diagnostic ends with where its code is explained
    out.push_str(&format!(
        "{pad} = docs: {}\n",
        super::docs::command(d.code())
    ));
    out.push('\n');
    out
}

/// How many characters of `line` come before `c`, leaving out ANSI escape sequences (ours:
/// `ESC [ ... letter`; input text in a line is made visible, so it holds no ESC of its own).
fn columns_before(line: &str, c: char) -> Option<usize> {
    let mut n = 0;
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        if ch == c {
            return Some(n);
        }
        if ch == '\u{1b}' {
            for ch in chars.by_ref() {
                if ch.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    None
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
    let failed = report.failed.len();
    let nothing_checked = report.inputs.is_empty() && failed > 0;
    // with --test-connections: `ok` only when the probes passed too
    let probes = report.probes.as_ref().filter(|_| !nothing_checked);
    let probes_failed = probes.is_some_and(|(r, _)| crate::probe::failed(r));
    let line = if nothing_checked {
        // every input failed: there is nothing to call "no problems"
        format!(
            "not ok: nothing was checked: {} could not be read (see the {} above)",
            plural(failed, "input"),
            if failed == 1 { "error" } else { "errors" }
        )
    } else if e == 0 && wn == 0 && failed > 0 {
        // exit 2: never "ok" when an input was not checked
        format!("not ok: no problems in {conns}{inputs}, but not everything could be checked")
    } else if e == 0 && wn == 0 && probes_failed {
        format!("not ok: no problems in {conns}{inputs}")
    } else if e == 0 && wn == 0 && report.omitted.suppressed_errors > 0 {
        // the user's choice, but not one to hide: the server still fails on those
        format!(
            "ok: no problems in {conns}{inputs}, {} suppressed",
            plural(report.omitted.suppressed_errors, "error")
        )
    } else if e == 0 && wn == 0 && c == 0 && report.unreadable() == 0 && !report.notes.is_empty() {
        // nothing found because nothing was there to check: the notes say why
        format!(
            "ok: nothing was checked{inputs}: see the {} below",
            if report.notes.len() == 1 {
                "note"
            } else {
                "notes"
            }
        )
    } else if e == 0 && wn == 0 {
        format!("ok: no problems in {conns}{inputs}")
    } else {
        format!(
            "{}, {} in {conns}{inputs}",
            plural(e, "error"),
            plural(wn, "warning")
        )
    };
    let line = match probes {
        Some((results, not_probed)) => format!(
            "{line}; {}",
            crate::emit::probes::summary(results, not_probed)
        ),
        None => line,
    };
    let line = if style.color {
        if e > 0 || failed > 0 || probes_failed {
            line.red().bold().to_string()
        } else if wn > 0 {
            line.yellow().bold().to_string()
        } else {
            line.green().bold().to_string()
        }
    } else {
        line
    };
    writeln!(w, "{line}")?;
    let capped = report.omitted.capped_total();
    if capped > 0 {
        let per_code: Vec<String> = report
            .omitted
            .capped
            .iter()
            .map(|(code, (_, n))| format!("{code}: {n}"))
            .collect();
        writeln!(
            w,
            "note: {} not shown (--max-diagnostics): {}",
            plural(capped, "more diagnostic"),
            per_code.join(", ")
        )?;
    }
    if report.omitted.suppressed > 0 {
        writeln!(
            w,
            "note: {} suppressed by --select/--ignore or `# dsf-connections: ignore`{}",
            plural(report.omitted.suppressed, "diagnostic"),
            match report.omitted.suppressed_errors {
                0 => String::new(),
                n => format!(
                    "; {} of them {}: the server still fails on {}",
                    n,
                    if n == 1 { "an error" } else { "errors" },
                    if n == 1 { "it" } else { "them" }
                ),
            }
        )?;
    }
    for n in &report.notes {
        writeln!(w, "note: {}", visible(&style.r.text(n)))?;
    }
    if !report.failed.is_empty() && !nothing_checked {
        writeln!(
            w,
            "{} could not be checked (see the errors above)",
            plural(report.failed.len(), "input")
        )?;
    }
    Ok(())
}
