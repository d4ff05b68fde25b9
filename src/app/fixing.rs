//! `check --fix`, `--diff`, `--show-fixes`: the rounds of `fix::run`, then the output. Written
//! files are replaced atomically (`fix::write`); standard input's fixed text goes to standard
//! output and the report to standard error; `--diff` prints diffs and exits 1 when there is
//! something to fix. Everything shown goes through the redactors of the texts it quotes.

use super::{Io, emit_report, error_line, finish, load_inputs, scrubber};
use crate::cli::{CheckArgs, FixArgs, Format};
use crate::exit::ExitStatus;
use crate::fix::run::{self, Fixed, Listed};
use crate::input::Loaded;
use crate::secrets::{Piece, Redactor, Text};
use crate::source::SourceKind;
use crate::text;
use std::io::Write;

pub fn check(args: &CheckArgs, fix: &FixArgs, io: &mut Io) -> ExitStatus {
    let loaded = match load_inputs(args, io) {
        Ok(l) => l,
        Err(m) => {
            let _ = io.stderr.write_all(error_line(&m).as_bytes());
            return ExitStatus::Usage;
        }
    };
    // a merged project's values come from several files, each of which can be fixed alone
    let mut files = Vec::with_capacity(loaded.len());
    for l in loaded {
        match l {
            Ok(crate::pipeline::Input::One(l)) => files.push(Ok(l)),
            Ok(crate::pipeline::Input::Project(p)) => {
                let m = format!(
                    "--fix, --diff and --show-fixes take files, not a merged compose project ({}): run them on each compose file",
                    p.name
                );
                let _ = io.stderr.write_all(error_line(&m).as_bytes());
                return ExitStatus::Usage;
            }
            Err(e) => files.push(Err(e)),
        }
    }
    let loaded = files;
    let io_env = io.env;
    let env = |name: &str| io_env(name).ok().flatten();
    // the rounds see (almost) every diagnostic: one left out by the cap has no fix, and would
    // look new once those before it are fixed
    let mut rounds_args = args.clone();
    rounds_args.max_diagnostics = args.max_diagnostics.max(run::ROUND_CAP);
    let pipeline_run = crate::pipeline::Run {
        args: &rounds_args,
        env: &env,
        env_names: (io.env_names)(),
        keep_models: 0,
        keeper: "--fix",
    };
    let fixed =
        crate::pipeline::run(&pipeline_run, run::as_inputs(loaded.clone())).and_then(|first| {
            let options = run::Options {
                unsafe_fixes: fix.unsafe_fixes,
                describe: fix.show_fixes,
            };
            run::fix(&pipeline_run, loaded, first, options)
        });
    let mut fixed = match fixed {
        Ok(f) => f,
        Err(m) => {
            let _ = io.stderr.write_all(error_line(&m).as_bytes());
            return ExitStatus::Usage;
        }
    };
    let writes = fix.fix && !fix.diff;
    // `check --fix - > fixed.yaml`: standard output is the text, whatever the outcome, and
    // everything else goes to standard error
    let stdin_mode = writes && args.inputs.iter().any(|i| i == "-");
    let mut failed_writes = Vec::new();
    let mut stdout_text = None;
    if writes {
        for (i, l) in fixed.original.iter().enumerate() {
            if let Ok(l) = l
                && matches!(l.kind, SourceKind::Stdin { .. })
            {
                if l.invalid_utf8_at.is_some() {
                    failed_writes.push((
                        i,
                        l.name.clone(),
                        "not valid UTF-8: --fix cannot pass it through unchanged".to_string(),
                    ));
                } else {
                    let t = fixed.texts[i].as_deref().unwrap_or(&l.text);
                    stdout_text = Some(with_bom(l, t));
                }
            }
        }
        for i in fixed.changed().collect::<Vec<_>>() {
            let (Ok(l), Some(t)) = (&fixed.original[i], &fixed.texts[i]) else {
                continue;
            };
            match l.kind {
                SourceKind::Stdin { .. } => {}
                _ => {
                    if let Err(why) = crate::fix::write::replace(
                        std::path::Path::new(&l.name),
                        &with_bom(l, &l.text),
                        &with_bom(l, t),
                    ) {
                        failed_writes.push((i, l.name.clone(), why));
                    }
                }
            }
        }
    }
    // what was not written is reported as it is on disk, never as fixed
    let failed: Vec<usize> = failed_writes.iter().map(|f| f.0).collect();
    if let Err(m) =
        crate::fix::unwritten::keep_disk(&pipeline_run, &mut fixed, &failed, fix.unsafe_fixes)
    {
        let _ = io.stderr.write_all(error_line(&m).as_bytes());
        return ExitStatus::Usage;
    }
    let diff = fix.diff.then(|| diffs(&fixed));
    let listing = fix.show_fixes.then(|| listing(&fixed, writes));
    let summary = run::summary(&fixed, !writes);
    let rolled: Vec<Text> = fixed
        .rolled_back
        .iter()
        .map(|r| {
            text!(
                "{}:{}:{}: the fix of `{}` was rolled back: {}",
                Piece::value(&r.fix.input),
                r.fix.line,
                r.fix.column,
                Piece::own(r.fix.code),
                Piece::value(&r.why)
            )
        })
        .collect();
    // `--show-fixes` alone writes nothing: the report is of the text as it is
    if !fix.fix
        && !fix.diff
        && let Some(first) = fixed.first.take()
    {
        fixed.checked = first;
        run::annotate(&mut fixed.checked.report, &fixed.original);
    }
    let report = &mut fixed.checked.report;
    run::cap(
        report,
        usize::try_from(args.max_diagnostics).unwrap_or(usize::MAX),
    );
    report.notes.extend(rolled.iter().cloned());
    for (_, name, _) in &failed_writes {
        report.notes.push(text!(
            "{}: the fixes were NOT written (see the error above); what is shown for it is the file as it is on disk",
            Piece::value(name)
        ));
    }
    report.notes.push(summary.clone());
    let status = if !report.failed.is_empty() || !failed_writes.is_empty() {
        ExitStatus::Usage
    } else if fix.diff {
        if fixed.changed().next().is_some() {
            ExitStatus::Invalid
        } else {
            ExitStatus::Valid
        }
    } else if report.errors() > 0 || (args.warnings_fail() && report.warnings() > 0) {
        ExitStatus::Invalid
    } else {
        ExitStatus::Valid
    };
    if status == ExitStatus::Usage {
        // a run that could not finish leaves standard output empty, not half a config
        stdout_text = None;
    }
    let report = &fixed.checked.report;
    let redactor = Redactor::new(&report.sources, scrubber(report));
    let failed_writes = failed_writes.iter().map(|(_, n, w)| (n.clone(), w.clone()));
    for (name, why) in report.failed.iter().cloned().chain(failed_writes) {
        let line = error_line(&format!("{name}: {why}"));
        let _ = io
            .stderr
            .write_all(redactor.scrubber().text(&line).as_bytes());
    }
    // machine formats and fixed standard input keep their stream clean: listings go to stderr
    let side_stderr = stdin_mode || args.format != Format::Human || fix.diff;
    let mut side = Vec::new();
    if let Some(d) = &diff {
        let _ = io.stdout.write_all(&redactor.bytes(d.clone().into_bytes()));
    }
    if let Some(l) = &listing {
        side.extend_from_slice(l.as_bytes());
    }
    if fix.diff {
        for r in &rolled {
            side.extend_from_slice(redactor.text(r).as_bytes());
            side.push(b'\n');
        }
        side.extend_from_slice(redactor.text(&summary).as_bytes());
        side.push(b'\n');
    }
    let side = redactor.bytes(side);
    let written = if side_stderr {
        io.stderr.write_all(&side)
    } else {
        io.stdout.write_all(&side)
    };
    if fix.diff {
        return finish(written.and_then(|()| io.stdout.flush()), status, io.stderr);
    }
    let written = written.and_then(|()| {
        if !stdin_mode {
            return emit_report(&fixed.checked.report, &redactor, args, io);
        }
        if let Some(t) = &stdout_text {
            io.stdout.write_all(t)?;
        }
        let mut err = StreamIo(&mut *io.stderr);
        emit_to(&fixed, &redactor, args, io.stdout_is_terminal, &mut err)
    });
    finish(written.and_then(|()| io.stdout.flush()), status, io.stderr)
}

/// The report on another stream (standard error, when standard output holds the fixed text).
struct StreamIo<'a>(&'a mut dyn Write);

fn emit_to(
    fixed: &Fixed,
    redactor: &Redactor,
    args: &CheckArgs,
    _terminal: bool,
    out: &mut StreamIo,
) -> std::io::Result<()> {
    let mut sink = std::io::sink();
    let mut empty = std::io::empty();
    let env = |_: &str| Ok(None);
    let names = Vec::new;
    let mut io = Io {
        stdin: &mut empty,
        stdout: out.0,
        stderr: &mut sink,
        env: &env,
        env_names: &names,
        stdout_is_terminal: false,
        stderr_is_terminal: false,
    };
    emit_report(&fixed.checked.report, redactor, args, &mut io)
}

/// The bytes of `text` as the input had them (its byte-order mark kept).
fn with_bom(l: &Loaded, text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    if l.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    out.extend_from_slice(text.as_bytes());
    out
}

/// The diff of every changed input, each side masked by the check of its own text.
fn diffs(fixed: &Fixed) -> String {
    let Some(first) = &fixed.first else {
        return String::new();
    };
    let old_r = Redactor::new(&first.report.sources, scrubber(&first.report));
    let new_report = &fixed.checked.report;
    let new_r = Redactor::new(&new_report.sources, scrubber(new_report));
    let fixed_inputs: Vec<_> = fixed
        .original
        .iter()
        .zip(&fixed.texts)
        .map(|(l, t)| match (l, t) {
            (Ok(l), Some(t)) => {
                let mut l = l.clone();
                l.text.clone_from(t);
                Ok(l)
            }
            (l, _) => l.clone(),
        })
        .collect();
    let old_files = run::input_files(&first.report.sources, &fixed.original);
    let new_files = run::input_files(&new_report.sources, &fixed_inputs);
    let mut out = String::new();
    for i in fixed.changed() {
        let (Some(o), Some(n)) = (
            old_files.iter().find(|(_, v)| **v == i).map(|(k, _)| *k),
            new_files.iter().find(|(_, v)| **v == i).map(|(k, _)| *k),
        ) else {
            continue;
        };
        let name = first.report.sources.get(o).name.clone();
        out.push_str(&crate::fix::diff::unified(&name, (&old_r, o), (&new_r, n)));
    }
    // a secret of the text as read may stand in the fixed text as something else (a token
    // that looked like a path, now `token-file`): scrubbed as the original knew it too
    String::from_utf8_lossy(&old_r.bytes(out.into_bytes())).into_owned()
}

/// `--show-fixes`: each fix applied (or that would be), by file and place.
fn listing(fixed: &Fixed, writes: bool) -> String {
    let head = if writes { "Fixed" } else { "Would fix" };
    let mut out = String::new();
    if fixed.applied.is_empty() {
        out.push_str(&format!("{head}: nothing\n"));
        return out;
    }
    out.push_str(&format!("{head}:\n"));
    for Listed {
        input,
        line,
        column,
        code,
        applicability,
        description,
        ..
    } in &fixed.applied
    {
        let kind = match applicability {
            crate::diag::Applicability::Safe => "",
            crate::diag::Applicability::Unsafe => " (unsafe)",
        };
        out.push_str(&format!(
            "  {}:{line}:{column}: {code}{kind}: {}\n",
            crate::emit::text::visible(input),
            crate::emit::text::visible(description)
        ));
    }
    out
}
