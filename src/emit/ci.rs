//! What the CI formats (concise, GitHub, SARIF, GitLab) share: the paths they name files by
//! (relative to the working directory, with forward slashes, as the repository-aware consumers
//! resolve them against the checkout), the stable fingerprint of a finding, and the one-line
//! summary. Positions themselves always come from `SourceDb::locate`.

use super::text::visible;
use crate::diag::Diagnostic;
use crate::probe::{ProbeResult, ProbeStep, ServerOutcome};
use crate::report::Report;
use crate::secrets::Redactor;
use crate::source::{FileId, SourceFile};
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// What the CI formats need besides the report.
#[derive(Clone)]
pub struct Options<'a> {
    /// The working directory, against which file paths are made relative.
    pub cwd: Option<PathBuf>,
    /// `--quiet`: problems only, no summary or notes.
    pub quiet: bool,
    /// Every text shown is rendered by it.
    pub r: &'a crate::secrets::Redactor<'a>,
}

/// `name` relative to `cwd` when it lies inside it, with `.` segments dropped and forward
/// slashes (`./conf/a.yaml` → `conf/a.yaml`, `/repo/conf/a.yaml` in `/repo` → `conf/a.yaml`).
/// A path outside the working directory keeps its `..` or its absolute form.
pub fn relative_path(name: &str, cwd: Option<&Path>) -> String {
    let path = Path::new(name);
    let inside = cwd
        .filter(|_| path.is_absolute())
        .and_then(|c| path.strip_prefix(c).ok());
    let path = inside.unwrap_or(path);
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::RootDir => absolute = true,
            Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
            Component::ParentDir => parts.push("..".into()),
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The path a source is shown at (its host's, for embedded text), or `None` for a pseudo-source
/// (standard input without `--stdin-filename`, the variable, `<environment>`).
pub fn file_path(report: &Report, shown: FileId, opts: &Options) -> Option<String> {
    let src = report.sources.get(shown);
    src.is_file()
        .then(|| relative_path(&src.name, opts.cwd.as_deref()))
}

/// How a source is named in text: its path for files, its name for pseudo-sources.
pub fn display_name(src: &SourceFile, opts: &Options) -> String {
    if src.is_file() {
        relative_path(&src.name, opts.cwd.as_deref())
    } else {
        src.name.clone()
    }
}

/// One fingerprint per diagnostic, stable across runs and edits elsewhere in the file: a hash
/// of the code, the source the diagnostic is about (an embedded config names its service) and
/// the pointer, never of line numbers. A diagnostic without a pointer into a connection (a
/// syntax error) adds its message. The same key twice gets its ordinal, so fingerprints are
/// unique within a report, as GitLab requires. No source text is hashed: it may be a secret.
pub fn fingerprints(report: &Report, opts: &Options) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let key = fingerprint_key(report, d, opts);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            let key = if *n > 1 {
                format!("{key}\0{}", *n)
            } else {
                key
            };
            hex(&Md5::digest(key.as_bytes()))
        })
        .collect()
}

fn fingerprint_key(report: &Report, d: &Diagnostic, opts: &Options) -> String {
    let src = report.sources.get(d.primary.file);
    let mut key = format!(
        "dsf-connections/v1\0{}\0{}\0{}",
        d.code(),
        display_name(src, opts),
        d.pointer
    );
    if d.connection.is_none() {
        key.push('\0');
        key.push_str(&opts.r.text(&d.message));
    }
    key
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `2 errors, 1 warning in 5 connections` (counts include what the cap left out).
pub fn summary(report: &Report) -> String {
    if report.inputs.is_empty() && !report.failed.is_empty() {
        // every input failed: nothing to call "no problems"
        return format!(
            "nothing was checked: {} could not be read",
            plural(report.failed.len(), "input")
        );
    }
    let c = report.connections();
    let conns = if c == 0 {
        "no connections".to_string()
    } else {
        plural(c, "connection")
    };
    let mut line = if report.errors() == 0 && report.warnings() == 0 {
        format!("no problems in {conns}")
    } else {
        format!(
            "{}, {} in {conns}",
            plural(report.errors(), "error"),
            plural(report.warnings(), "warning")
        )
    };
    let capped = report.omitted.capped_total();
    if capped > 0 {
        line.push_str(&format!(
            " ({} not shown: --max-diagnostics)",
            plural(capped, "diagnostic")
        ));
    }
    if !report.failed.is_empty() {
        line.push_str(&format!(
            "; {} could not be read",
            plural(report.failed.len(), "input")
        ));
    }
    if let Some((results, not_probed)) = &report.probes {
        line.push_str("; ");
        line.push_str(&crate::emit::probes::summary(results, not_probed));
    }
    line
}

/// The step that failed a probe (the last failed one: a probe stops at its first failure, but
/// a timeout may add a `probe` step after it).
pub fn failed_step(r: &ProbeResult) -> Option<&ProbeStep> {
    r.steps.iter().rev().find(|s| !s.ok)
}

/// What the server does with a failed probe, in a few words.
pub fn probe_outcome(r: &ProbeResult) -> &'static str {
    match r.server_outcome {
        ServerOutcome::Ok => "ok",
        ServerOutcome::Logged => "the server would log this at start-up and run on",
        ServerOutcome::DoesNotStart => "the BPE would not start",
        ServerOutcome::NotTested => "the server does not test it at start-up",
        ServerOutcome::Unknown => "cut short by --probe-timeout",
    }
}

/// A failed probe as text: `TLS handshake: certificate expired (the BPE would not start)`, its
/// detail rendered by `redactor`.
pub fn probe_failure(r: &ProbeResult, redactor: &Redactor) -> String {
    let (label, detail) = failed_step(r).map_or(("probe", String::new()), |s| {
        (crate::emit::probes::label(s.name), redactor.text(&s.detail))
    });
    format!(
        "{label}: {} ({})",
        visible(&super::clip(&detail)),
        probe_outcome(r)
    )
}

/// A probe as one concise line, `None` for a passed probe under `--quiet`:
/// `probe fhir: error[tls-expired] TLS handshake: ... (the BPE would not start)` or
/// `probe fhir: ok in 120 ms`.
pub fn probe_line(r: &ProbeResult, quiet: bool, redactor: &Redactor) -> Option<String> {
    let id = visible(&r.connection);
    if r.ok {
        return (!quiet).then(|| {
            format!(
                "probe {id}: ok in {}",
                crate::emit::probes::elapsed(r.duration)
            )
        });
    }
    let code = failed_step(r)
        .and_then(|s| s.code)
        .map(|c| format!("[{c}]"))
        .unwrap_or_default();
    Some(format!(
        "probe {id}: error{code} {}",
        probe_failure(r, redactor)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_relative_to_the_working_directory() {
        let cwd = Path::new("/repo");
        assert_eq!(relative_path("./conf/a.yaml", Some(cwd)), "conf/a.yaml");
        assert_eq!(relative_path("/repo/conf/a.yaml", Some(cwd)), "conf/a.yaml");
        assert_eq!(
            relative_path("/elsewhere/a.yaml", Some(cwd)),
            "/elsewhere/a.yaml"
        );
        assert_eq!(relative_path("../a.yaml", Some(cwd)), "../a.yaml");
        assert_eq!(relative_path("a b.yaml", None), "a b.yaml");
    }
}
