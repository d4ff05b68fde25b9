//! `check --fix`: the rounds. Check, take every fix the user allows whose edits map exactly
//! into an input, apply the ones that do not overlap, check the result again, and keep an
//! input's fixes only when the result still parses, decodes back (an embedded config reads as
//! the fixed text) and has no error the input did not have; otherwise the input's fixes are
//! tried one at a time and a fix that still breaks it is rolled back and reported. Rounds
//! repeat, bounded, until nothing applies (ruff's loop). Nothing here writes or prints.

use super::{HostEdit, apply, host_edits};
use crate::diag::{Applicability, Diagnostic, Severity};
use crate::input::Loaded;
use crate::pipeline::{self, Checked, Input, Run};
use crate::report::Report;
use crate::secrets::scrub::Scrubber;
use crate::secrets::{Redactor, Text};
use crate::source::{FileId, SourceDb, SourceKind};
use crate::text;
use std::collections::{HashMap, HashSet};

/// Diagnostics a round keeps at least (`--max-diagnostics` applies to what is shown after).
pub const ROUND_CAP: u64 = 20_000;
/// Rounds at most: a fix may reveal another (a key renamed, then its value judged).
const MAX_ROUNDS: usize = 8;
/// Rounds at most once an input's fixes are tried in smaller sets after a rollback.
const MAX_SOLO_ROUNDS: usize = 64;

/// A fix applied (or, with `--diff`, to be applied), for `--show-fixes`: rendered when it was
/// found (its description quotes the text of that round), masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The input's name.
    pub input: String,
    /// The input's index (in the inputs of the run).
    pub index: usize,
    pub line: usize,
    pub column: usize,
    pub code: &'static str,
    pub applicability: Applicability,
    pub description: String,
}

/// A fix rolled back: what it would have broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolledBack {
    pub fix: Listed,
    pub why: String,
}

/// What the rounds did.
pub struct Fixed {
    /// The check of the fixed texts (the original check when nothing was fixed).
    pub checked: Checked,
    /// The check of the texts as read, when they changed (the masks of `--diff`'s old lines).
    pub first: Option<Checked>,
    /// The inputs as read, and their texts after the fixes (index by index).
    pub original: Vec<FixInput>,
    pub texts: Vec<Option<String>>,
    pub applied: Vec<Listed>,
    pub rolled_back: Vec<RolledBack>,
    /// Fixes left in the final check that `--unsafe-fixes` would apply.
    pub unsafe_available: usize,
    /// The names of the inputs whose fixes could not be written (`unwritten::keep_disk`).
    pub not_written: Vec<String>,
}

impl Fixed {
    /// The indices of the inputs whose text changed.
    pub fn changed(&self) -> impl Iterator<Item = usize> + '_ {
        self.original
            .iter()
            .enumerate()
            .filter_map(|(i, l)| match (l, &self.texts[i]) {
                (Ok(l), Some(t)) if *t != l.text => Some(i),
                _ => None,
            })
    }
}

/// An input `--fix` may edit: one file or standard input as read (a merged compose project
/// is not one: its values come from several files).
pub type FixInput = Result<Loaded, (String, String)>;

/// The inputs as the pipeline takes them (by value: a caller that keeps them clones them, once).
pub fn as_inputs(inputs: Vec<FixInput>) -> Vec<pipeline::InputResult> {
    inputs.into_iter().map(|l| l.map(Input::One)).collect()
}

/// Which fixes a run applies.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub unsafe_fixes: bool,
    /// Whether the fixes' descriptions are rendered (`--show-fixes`): the masks they need
    /// cost as much as a tenth of a check.
    pub describe: bool,
}

impl Options {
    fn allows(self, a: Applicability) -> bool {
        a == Applicability::Safe || self.unsafe_fixes
    }
}

/// The db source of each input that fixes may edit: a file or standard input read as given
/// (the k-th source of a name is the k-th input of that name), not the environment variable,
/// an env_file or a file that was not valid UTF-8.
pub fn input_files(db: &SourceDb, inputs: &[FixInput]) -> HashMap<FileId, usize> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in inputs.iter().enumerate() {
        if let Ok(l) = l
            && l.invalid_utf8_at.is_none()
            && matches!(l.kind, SourceKind::File | SourceKind::Stdin { .. })
        {
            by_name.entry(l.name.as_str()).or_default().push(i);
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = HashMap::new();
    for (id, src) in db.iter() {
        if !matches!(src.kind, SourceKind::File | SourceKind::Stdin { .. }) {
            continue;
        }
        let Some(list) = by_name.get(src.name.as_str()) else {
            continue;
        };
        let k = seen.entry(src.name.as_str()).or_insert(0);
        if let Some(&i) = list.get(*k)
            && inputs
                .get(i)
                .and_then(|l| l.as_ref().ok())
                .is_some_and(|l| l.text == src.text)
        {
            out.insert(id, i);
        }
        *k += 1;
    }
    out
}

/// The bytes the fixes of a round change, per file: disjoint intervals by start, so each fix is
/// tested in logarithmic time (a file of 100,000 fixes stays linear-logarithmic).
#[derive(Default)]
struct Taken(std::collections::BTreeMap<(FileId, usize), usize>);

impl Taken {
    /// Whether `edits` are clear of those taken (an insertion counts as its first byte); they
    /// are taken if so.
    fn take(&mut self, edits: &[HostEdit]) -> bool {
        let range = |e: &HostEdit| (e.span.start, e.span.end.max(e.span.start + 1));
        let clear = edits.iter().all(|e| {
            let (s, t) = range(e);
            self.0
                .range(..(e.file, t))
                .next_back()
                .is_none_or(|(&(f, _), &end)| f != e.file || end <= s)
        }) && !overlaps_within(edits);
        if clear {
            for e in edits {
                let (s, t) = range(e);
                self.0.insert((e.file, s), t);
            }
        }
        clear
    }
}

/// Whether two edits of one fix touch the same bytes (sorted: a fix may have an edit per line).
fn overlaps_within(edits: &[HostEdit]) -> bool {
    let mut r: Vec<(FileId, usize, usize)> = edits
        .iter()
        .map(|e| (e.file, e.span.start, e.span.end.max(e.span.start + 1)))
        .collect();
    r.sort_unstable();
    r.windows(2).any(|w| w[0].0 == w[1].0 && w[1].1 < w[0].2)
}

/// One fix of a round, mapped.
struct Candidate {
    input: usize,
    edits: Vec<HostEdit>,
    /// The inner source and its edits (to verify an embedded config decodes back).
    inner: Option<(FileId, Vec<crate::diag::Edit>)>,
    listed: Listed,
    key: (usize, usize, &'static str, String),
}

/// Every diagnostic's fix that maps, or why it does not, in `report`'s terms.
fn candidates(
    report: &Report,
    inputs: &[FixInput],
    options: Options,
    skip: &HashSet<(usize, usize, &'static str, String)>,
) -> Vec<Candidate> {
    let db = &report.sources;
    let files = input_files(db, inputs);
    let redactor = options
        .describe
        .then(|| Redactor::new(db, Scrubber::default()));
    let mut out = Vec::new();
    for d in &report.diagnostics {
        let Some(fix) = d.fix.as_ref().filter(|f| options.allows(f.applicability)) else {
            continue;
        };
        let Ok(edits) = host_edits(db, d.file(), fix) else {
            continue;
        };
        let Some(&input) = edits.first().and_then(|e| files.get(&e.file)) else {
            continue;
        };
        let loc = db.locate(d.file(), d.primary.span);
        let first = &edits[0];
        let key = (input, first.span.start, d.code(), first.replacement.clone());
        if skip.contains(&key) {
            continue;
        }
        let inner = matches!(db.get(d.file()).kind, SourceKind::Embedded { .. })
            .then(|| (d.file(), fix.edits.clone()));
        out.push(Candidate {
            input,
            edits,
            inner,
            listed: Listed {
                input: db.get(loc.file).name.clone(),
                index: input,
                line: loc.start.line,
                column: loc.start.column,
                code: d.code(),
                applicability: fix.applicability,
                description: redactor
                    .as_ref()
                    .map(|r| r.text(&fix.description))
                    .unwrap_or_default(),
            },
            key,
        });
    }
    out
}

/// Why no fix is offered, on each diagnostic whose rule has one that cannot be mapped (and on
/// those in a source fixes cannot write).
pub fn annotate(report: &mut Report, inputs: &[FixInput]) {
    let files = input_files(&report.sources, inputs);
    let db = &report.sources;
    for d in &mut report.diagnostics {
        let Some(fix) = &d.fix else { continue };
        let why = match host_edits(db, d.file(), fix) {
            Err(why) => Some(why),
            Ok(edits) if !edits.iter().all(|e| files.contains_key(&e.file)) => Some(Text::from(
                "the text is not in an input file the tool can rewrite (an env_file, or not valid UTF-8)",
            )),
            Ok(_) => None,
        };
        d.fix_unavailable = why;
    }
}

/// Why no fix is offered, from the sources alone (a plain `check`: which inputs could be
/// rewritten is not asked).
pub fn annotate_sources(report: &mut Report) {
    let db = &report.sources;
    for d in &mut report.diagnostics {
        if let Some(fix) = &d.fix {
            d.fix_unavailable = host_edits(db, d.file(), fix).err();
        }
    }
}

/// The texts with `chosen` applied; `Err` names the input whose edits did not apply.
fn texts_with(
    texts: &[Option<String>],
    chosen: &[&Candidate],
) -> Result<Vec<Option<String>>, usize> {
    let mut by_input: HashMap<usize, Vec<HostEdit>> = HashMap::new();
    for c in chosen {
        by_input
            .entry(c.input)
            .or_default()
            .extend(c.edits.iter().cloned());
    }
    let mut out = texts.to_vec();
    for (i, edits) in by_input {
        let Some(t) = &texts[i] else { return Err(i) };
        out[i] = Some(apply(t, &edits).map_err(|_| i)?);
    }
    Ok(out)
}

/// The inputs with their current texts.
pub(super) fn loaded(original: &[FixInput], texts: &[Option<String>]) -> Vec<FixInput> {
    original
        .iter()
        .zip(texts)
        .map(|(l, t)| match (l, t) {
            (Ok(l), Some(t)) => {
                let mut l = l.clone();
                l.text.clone_from(t);
                Ok(l)
            }
            (l, _) => l.clone(),
        })
        .collect()
}

/// Per input: how many errors of each (code, pointer) it has (`coarse`: per code only).
fn errors_by_input(
    report: &Report,
    files: &HashMap<FileId, usize>,
    coarse: bool,
) -> HashMap<usize, HashMap<(&'static str, String), usize>> {
    let mut out: HashMap<usize, HashMap<(&'static str, String), usize>> = HashMap::new();
    for d in &report.diagnostics {
        if d.severity != Severity::Error {
            continue;
        }
        let (host, _) = report.sources.relocate(d.file(), d.primary.span);
        if let Some(&i) = files.get(&host) {
            *out.entry(i)
                .or_default()
                .entry((
                    d.code(),
                    if coarse {
                        String::new()
                    } else {
                        d.pointer.clone()
                    },
                ))
                .or_insert(0) += 1;
        }
    }
    out
}

/// Per input, the embedded sources in it, in order.
fn embedded_by_input(db: &SourceDb, files: &HashMap<FileId, usize>) -> HashMap<usize, Vec<FileId>> {
    let mut out: HashMap<usize, Vec<FileId>> = HashMap::new();
    for (id, src) in db.iter() {
        if let SourceKind::Embedded { host, .. } = src.kind
            && let Some(&i) = files.get(&host)
        {
            out.entry(i).or_default().push(id);
        }
    }
    out
}

/// Why the fixed input `i` is worse than before, if it is: a new error (unparsable included),
/// or an embedded config that does not read back as the fixed text.
fn regression(
    i: usize,
    before: &Report,
    after: &Report,
    chosen: &[&Candidate],
    inputs_before: &[FixInput],
    inputs_after: &[FixInput],
) -> Option<String> {
    let files_before = input_files(&before.sources, inputs_before);
    let files_after = input_files(&after.sources, inputs_after);
    // with diagnostics left out by the cap, pointers cannot be compared: per code, in all
    let coarse = before.omitted.capped_total() + after.omitted.capped_total() > 0;
    let (mut old, mut new) = (
        errors_by_input(before, &files_before, coarse),
        errors_by_input(after, &files_after, coarse),
    );
    if coarse {
        for (report, counts) in [(before, &mut old), (after, &mut new)] {
            let e = counts.entry(i).or_default();
            for (code, (sev, n)) in &report.omitted.capped {
                if *sev == Severity::Error {
                    *e.entry((code, String::new())).or_insert(0) += n;
                }
            }
        }
    }
    let empty = HashMap::new();
    let old_i = old.get(&i).unwrap_or(&empty);
    // a text that did not parse had no other errors to compare: what parsing it now reveals
    // is not the fix's doing, only a syntax error is
    let unparsable = old_i.keys().any(|(code, _)| code.starts_with("yaml-"));
    for ((code, pointer), n) in new.get(&i).unwrap_or(&empty) {
        if unparsable && !code.starts_with("yaml-") {
            continue;
        }
        if old_i.get(&(*code, pointer.clone())).copied().unwrap_or(0) < *n {
            return Some(if code.starts_with("yaml-") {
                format!("it leaves the text unparsable (`{code}`)")
            } else {
                format!("it adds the error `{code}`")
            });
        }
    }
    // an embedded config must read back as the fixed text
    let emb_before = embedded_by_input(&before.sources, &files_before);
    let emb_after = embedded_by_input(&after.sources, &files_after);
    let (b, a) = (
        emb_before.get(&i).map_or(&[][..], Vec::as_slice),
        emb_after.get(&i).map_or(&[][..], Vec::as_slice),
    );
    if b.len() != a.len() {
        return Some("the compose file no longer holds the config where it did".into());
    }
    for (k, (&ob, &oa)) in b.iter().zip(a).enumerate() {
        // (a fix of the compose file itself, such as `$$`, changes the config on purpose)
        if !chosen
            .iter()
            .any(|c| c.inner.as_ref().is_some_and(|(f, _)| *f == ob))
        {
            continue;
        }
        let mut edits: Vec<HostEdit> = Vec::new();
        for c in chosen.iter().filter(|c| c.input == i) {
            if let Some((f, e)) = &c.inner
                && *f == ob
            {
                edits.extend(e.iter().map(|e| HostEdit {
                    file: ob,
                    span: e.span,
                    replacement: e.replacement.clone(),
                }));
            }
        }
        let expected = apply(&before.sources.get(ob).text, &edits).ok();
        if expected.as_deref() != Some(after.sources.get(oa).text.as_str()) {
            return Some(format!(
                "the config (number {} in the file) would not read back as the fixed text",
                k + 1
            ));
        }
    }
    None
}

/// Run the rounds from the first check of `original`.
pub fn fix(
    run: &Run,
    original: Vec<FixInput>,
    first: Checked,
    options: Options,
) -> Result<Fixed, String> {
    let mut texts: Vec<Option<String>> = original
        .iter()
        .map(|l| l.as_ref().ok().map(|l| l.text.clone()))
        .collect();
    let mut current = first;
    let mut first: Option<Checked> = None;
    // the first check is kept for the masks of the original text
    let mut replace = |current: &mut Checked, next: Checked| {
        let old = std::mem::replace(current, next);
        if first.is_none() {
            first = Some(old);
        }
    };
    let mut applied = Vec::new();
    let mut rolled_back: Vec<RolledBack> = Vec::new();
    let mut skip: HashSet<(usize, usize, &'static str, String)> = HashSet::new();
    // inputs whose fixes broke them: how many of their fixes a round tries (halved on each
    // failure until the one that breaks it is found, doubled on success)
    let mut limits: HashMap<usize, usize> = HashMap::new();
    let mut rounds = 0;
    loop {
        rounds += 1;
        let limit = if limits.is_empty() {
            MAX_ROUNDS
        } else {
            MAX_SOLO_ROUNDS
        };
        if rounds > limit {
            break;
        }
        let inputs_before = loaded(&original, &texts);
        let all = candidates(&current.report, &inputs_before, options, &skip);
        // the fixes of this round: no two touching the same bytes, within an input's limit
        let mut chosen: Vec<&Candidate> = Vec::new();
        let mut taken = Taken::default();
        let mut per_input: HashMap<usize, usize> = HashMap::new();
        for c in &all {
            let n = per_input.entry(c.input).or_insert(0);
            if limits.get(&c.input).is_some_and(|l| *n >= *l) {
                continue;
            }
            if !taken.take(&c.edits) {
                continue;
            }
            *n += 1;
            chosen.push(c);
        }
        if chosen.is_empty() {
            break;
        }
        let new_texts = match texts_with(&texts, &chosen) {
            Ok(t) => t,
            Err(i) => {
                // cannot happen for edits that do not overlap; never loop on it
                for c in chosen.iter().filter(|c| c.input == i) {
                    skip.insert(c.key.clone());
                }
                continue;
            }
        };
        let inputs_after = loaded(&original, &new_texts);
        let after = pipeline::run(run, as_inputs(inputs_after.clone()))?;
        let touched: HashSet<usize> = chosen.iter().map(|c| c.input).collect();
        let mut failed = Vec::new();
        for &i in &touched {
            if let Some(why) = regression(
                i,
                &current.report,
                &after.report,
                &chosen,
                &inputs_before,
                &inputs_after,
            ) {
                failed.push((i, why));
            }
        }
        if failed.is_empty() {
            applied.extend(chosen.iter().map(|c| c.listed.clone()));
            texts = new_texts;
            for l in limits.values_mut() {
                *l = l.saturating_mul(2);
            }
            replace(&mut current, after);
            continue;
        }
        // keep the inputs that passed; the others try half as many, or lose their one fix
        for &i in &touched {
            let Some((_, why)) = failed.iter().find(|(f, _)| *f == i) else {
                if let Some(l) = limits.get_mut(&i) {
                    *l = l.saturating_mul(2);
                }
                texts[i].clone_from(&new_texts[i]);
                applied.extend(
                    chosen
                        .iter()
                        .filter(|c| c.input == i)
                        .map(|c| c.listed.clone()),
                );
                continue;
            };
            let mine: Vec<&&Candidate> = chosen.iter().filter(|c| c.input == i).collect();
            if mine.len() == 1 {
                skip.insert(mine[0].key.clone());
                rolled_back.push(RolledBack {
                    fix: mine[0].listed.clone(),
                    why: why.clone(),
                });
            } else {
                limits.insert(i, mine.len() / 2);
            }
        }
        replace(
            &mut current,
            pipeline::run(run, as_inputs(loaded(&original, &texts)))?,
        );
    }
    let inputs = loaded(&original, &texts);
    let mut checked = current;
    annotate(&mut checked.report, &inputs);
    let unsafe_available = if options.unsafe_fixes {
        0
    } else {
        count_unsafe(&checked.report)
    };
    Ok(Fixed {
        checked,
        first,
        original,
        texts,
        applied,
        rolled_back,
        unsafe_available,
        not_written: Vec::new(),
    })
}

/// The report as `--max-diagnostics` shows it: the first `max`, the rest counted by code.
pub fn cap(report: &mut Report, max: usize) {
    if report.diagnostics.len() <= max {
        return;
    }
    for d in report.diagnostics.drain(max..) {
        report
            .omitted
            .capped
            .entry(d.code())
            .or_insert((d.severity, 0))
            .1 += 1;
    }
}

/// Unsafe fixes on offer in `report` (annotated first).
pub fn count_unsafe(report: &Report) -> usize {
    report
        .diagnostics
        .iter()
        .filter(|d| {
            fixable(d)
                && d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Unsafe)
        })
        .count()
}

/// Safe fixes on offer in `report` (annotated first).
pub fn count_safe(report: &Report) -> usize {
    report
        .diagnostics
        .iter()
        .filter(|d| {
            fixable(d)
                && d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Safe)
        })
        .count()
}

/// The note of a plain `check` when fixes are on offer (`2 fixable with check --fix (1 more
/// with --unsafe-fixes)`).
pub fn fixable_note(report: &Report) -> Option<Text> {
    let (safe, unsafe_) = (count_safe(report), count_unsafe(report));
    if safe + unsafe_ == 0 {
        return None;
    }
    Some(match (safe, unsafe_) {
        (0, u) => text!("{} fixable with `check --fix --unsafe-fixes`", u),
        (s, 0) => text!("{} fixable with `check --fix`", s),
        (s, u) => text!(
            "{} fixable with `check --fix` ({} more with --unsafe-fixes)",
            s,
            u
        ),
    })
}

fn fixable(d: &Diagnostic) -> bool {
    d.fix.is_some() && d.fix_unavailable.is_none()
}

/// The summary line of a fix run (`Fixed 3 problems (2 more with --unsafe-fixes).`).
pub fn summary(f: &Fixed, diff: bool) -> Text {
    let n = f.applied.len();
    let mut t = text!(
        "{} {} problem{}",
        Text::from(if diff { "Would fix" } else { "Fixed" }),
        n,
        Text::from(if n == 1 { "" } else { "s" })
    );
    if f.unsafe_available > 0 {
        t.push(text!(" ({} more with --unsafe-fixes)", f.unsafe_available));
    }
    if !f.rolled_back.is_empty() {
        t.push(text!("; {} rolled back (see above)", f.rolled_back.len()));
    }
    if !f.not_written.is_empty() {
        let n = f.not_written.len();
        t.push(text!(
            "; the fixes of {} file{} were NOT written (see above)",
            n,
            Text::from(if n == 1 { "" } else { "s" })
        ));
    }
    t.push(".");
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn e(file: FileId, s: usize, t: usize) -> HostEdit {
        HostEdit {
            file,
            span: Span::new(s, t),
            replacement: String::new(),
        }
    }

    #[test]
    fn taken_refuses_what_touches_a_taken_byte() {
        let mut t = Taken::default();
        assert!(t.take(&[e(0, 10, 20)]));
        assert!(!t.take(&[e(0, 15, 16)]));
        assert!(!t.take(&[e(0, 5, 11)]));
        assert!(!t.take(&[e(0, 10, 10)]), "an insertion at a taken byte");
        assert!(t.take(&[e(0, 20, 25)]), "touching is not overlapping");
        assert!(t.take(&[e(1, 12, 13)]), "another file");
        assert!(t.take(&[e(0, 0, 5), e(0, 30, 31)]));
        assert!(!t.take(&[e(0, 40, 41), e(0, 24, 26)]), "one edit of many");
        assert!(t.take(&[e(0, 40, 41)]), "a refused fix takes nothing");
        assert!(overlaps_within(&[e(0, 1, 3), e(0, 2, 4)]));
        assert!(!overlaps_within(&[e(0, 3, 4), e(0, 1, 3)]));
    }
}
