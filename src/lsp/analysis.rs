//! One document checked by the one pipeline, as `check` checks the file, and everything the
//! server answers from it (diagnostics, connections for symbols and hovers, links, fixes) made
//! into owned, already redacted values: every text that leaves here went through the run's
//! one [`Redactor`], so nothing later can reach a secret.

use super::{edits, text};
use crate::emit::explain::Row;
use crate::model::{Connection, FileRef, SecretFile, Trust};
use crate::report::Report;
use crate::secrets::Redactor;
use crate::source::{FileId, SourceKind};
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, TextEdit, Url,
};
use std::path::Path;

/// Connections kept for hovers, symbols and links (as `explain` keeps them).
const MAX_MODELS: usize = 1000;

/// What a check of one version of a document gave.
#[derive(Debug, Default)]
pub struct Analysis {
    pub diagnostics: Vec<lsp_types::Diagnostic>,
    /// Parallel to `diagnostics`: what hovers and code actions need of each.
    pub extra: Vec<Extra>,
    pub connections: Vec<Conn>,
    pub links: Vec<(Range, Url)>,
}

#[derive(Debug, Default, Clone)]
pub struct Extra {
    pub code: String,
    pub help: Option<String>,
    /// The fix, mapped into the document (`None`: the rule offers none, or it cannot be mapped).
    pub fix: Option<Fix>,
    /// Why no fix is offered, when the rule says so.
    pub fix_unavailable: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub title: String,
    pub safe: bool,
    pub edits: Vec<TextEdit>,
}

/// A connection as the document shows it, with its effective settings (`explain`'s rows,
/// secrets as `****`).
#[derive(Debug, Clone)]
pub struct Conn {
    pub id: String,
    pub auth: Vec<String>,
    /// The id as written.
    pub selection: Range,
    /// The id and its mapping.
    pub range: Range,
    pub rows: Vec<Row>,
}

/// Check `text`, the content of the document at `path`, with `check`'s arguments.
pub fn analyse(
    path: &Path,
    text: String,
    args: &crate::cli::CheckArgs,
    settings: &super::settings::Settings,
) -> Analysis {
    let name = path.display().to_string();
    let loaded = crate::input::Loaded {
        name: name.clone(),
        kind: SourceKind::File,
        text,
        invalid_utf8_at: None,
        bom: false,
    };
    let env = |n: &str| std::env::var(n).ok();
    let run = crate::pipeline::Run {
        args,
        env: &env,
        env_names: std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect(),
        keep_models: MAX_MODELS,
        keeper: "the language server",
    };
    let (mut report, models) =
        match crate::pipeline::run(&run, vec![Ok(crate::pipeline::Input::One(loaded))]) {
            Ok(c) => (c.report, c.models),
            Err(why) => return Analysis::failed(&why),
        };
    report.models = Some(models);
    let scrubber = crate::pipeline::scrubber(&report);
    let r = Redactor::new(&report.sources, scrubber);
    let Some(doc) = report
        .sources
        .iter()
        .find(|(_, s)| s.kind == SourceKind::File && s.name == name)
        .map(|(id, _)| id)
    else {
        let why = report
            .failed
            .iter()
            .map(|(n, w)| format!("{n}: {w}"))
            .collect::<Vec<_>>()
            .join("; ");
        return Analysis::failed(&r.scrubber().text(&why));
    };
    let mut out = Analysis::default();
    for (n, why) in &report.failed {
        out.diagnostics
            .push(plain(&r.scrubber().text(&format!("{n}: {why}"))));
        out.extra.push(Extra::default());
    }
    for d in &report.diagnostics {
        let Some((diag, extra)) = diagnostic(&report, &r, doc, d, settings) else {
            continue;
        };
        out.diagnostics.push(diag);
        out.extra.push(extra);
    }
    out.connections = connections(&report, &r, doc);
    out.links = links(&report, doc);
    out
}

impl Analysis {
    pub fn failed(why: &str) -> Analysis {
        Analysis {
            diagnostics: vec![plain(why)],
            extra: vec![Extra::default()],
            ..Analysis::default()
        }
    }
}

/// A problem of the tool itself (the input could not be read as asked), at the start.
fn plain(message: &str) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("dsf-connections".into()),
        message: message.to_string(),
        ..lsp_types::Diagnostic::default()
    }
}

/// `Pos` is 1-based with UTF-16 columns, as `check --format json`'s `column_utf16`.
fn lsp_pos(p: crate::source::Pos) -> Position {
    let n = |v: usize| u32::try_from(v.saturating_sub(1)).unwrap_or(u32::MAX);
    Position::new(n(p.line), n(p.column_utf16))
}

fn lsp_range(report: &Report, file: FileId, span: crate::source::Span) -> (FileId, Range) {
    let loc = report.sources.locate(file, span);
    (loc.file, Range::new(lsp_pos(loc.start), lsp_pos(loc.end)))
}

/// The URI of a source shown as a file (the document, a compose `env_file:`), else none.
fn uri_of(report: &Report, file: FileId) -> Option<Url> {
    let s = report.sources.get(file);
    if s.kind != SourceKind::File {
        return None;
    }
    Url::from_file_path(&s.name).ok()
}

fn diagnostic(
    report: &Report,
    r: &Redactor,
    doc: FileId,
    d: &crate::diag::Diagnostic,
    settings: &super::settings::Settings,
) -> Option<(lsp_types::Diagnostic, Extra)> {
    // a diagnostic of another file (an env_file, the tool's environment) is not this one's
    let (host, range) = lsp_range(report, d.primary.file, d.primary.span);
    if host != doc {
        return None;
    }
    let severity = match settings.severity_of(d.code()) {
        Some(s) => s?,
        None => match d.severity {
            crate::diag::Severity::Error => DiagnosticSeverity::ERROR,
            crate::diag::Severity::Warning => DiagnosticSeverity::WARNING,
        },
    };
    let related = d
        .related
        .iter()
        .filter_map(|l| {
            let (file, range) = lsp_range(report, l.file, l.span);
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(report, file)?, range),
                message: l
                    .message
                    .as_ref()
                    .map(|m| crate::emit::clip(&r.text(m)).into_owned())
                    .unwrap_or_default(),
            })
        })
        .collect::<Vec<_>>();
    let diag = lsp_types::Diagnostic {
        range,
        severity: Some(severity),
        code: Some(NumberOrString::String(d.code().to_string())),
        code_description: Url::parse(&crate::emit::docs::code_url(d.code()))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("dsf-connections".into()),
        message: crate::emit::clip(&r.text(&d.message)).into_owned(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    };
    let extra = Extra {
        code: d.code().to_string(),
        help: d
            .help
            .as_ref()
            .map(|h| crate::emit::clip(&r.text(h)).into_owned()),
        fix: None,
        fix_unavailable: d.fix_unavailable.as_ref().map(|t| r.text(t)),
    };
    let mut extra = extra;
    if let Some(fix) = &d.fix {
        match fix_in_doc(report, r, doc, d.primary.file, fix) {
            Ok(f) => extra.fix = Some(f),
            Err(why) => extra.fix_unavailable = Some(why),
        }
    }
    Some((diag, extra))
}

fn connections(report: &Report, r: &Redactor, doc: FileId) -> Vec<Conn> {
    let explained = crate::emit::explain::explain_all(report, r, 0).connections;
    let models = report.models.as_deref().unwrap_or_default();
    models
        .iter()
        .zip(explained)
        .filter_map(|(m, e)| {
            let (host, selection) = lsp_range(report, m.file, m.key);
            let (_, value) = lsp_range(report, m.file, m.value);
            (host == doc).then(|| Conn {
                id: e.id,
                auth: e.auth,
                selection,
                range: Range::new(selection.start, value.end.max(selection.end)),
                rows: e.settings,
            })
        })
        .collect()
}

/// Every file a connection names, where it was found here.
fn file_refs(c: &Connection) -> Vec<&FileRef> {
    fn trust(t: &Trust) -> Option<&FileRef> {
        match t {
            Trust::Own { file, .. } => Some(file),
            Trust::Default { .. } => None,
        }
    }
    fn secret(s: &Option<SecretFile>) -> Option<&FileRef> {
        s.as_ref().map(|s| &s.file)
    }
    let mut out: Vec<&FileRef> = Vec::new();
    out.extend(trust(&c.trust));
    if let Some(a) = c.cert_auth.get() {
        out.extend(
            a.p12_file
                .iter()
                .chain(&a.private_key_file)
                .chain(&a.certificate_file),
        );
        out.extend(secret(&a.password_file));
    }
    if let Some(a) = c.basic_auth.get() {
        out.extend(secret(&a.password_file));
    }
    if let Some(a) = c.bearer_auth.get() {
        out.extend(secret(&a.token_file));
    }
    if let Some(a) = c.oidc_auth.get() {
        out.extend(trust(&a.trust));
        out.extend(secret(&a.client_secret_file));
    }
    out
}

fn links(report: &Report, doc: FileId) -> Vec<(Range, Url)> {
    let mut out = Vec::new();
    for c in report.models.iter().flatten() {
        for f in file_refs(c) {
            let (Some(at), Some(host)) = (f.path.at(), &f.host) else {
                continue;
            };
            // a link to a file that is not there would open an empty buffer
            if !host.exists() {
                continue;
            }
            let Some(abs) = std::path::absolute(host).ok() else {
                continue;
            };
            let (file, range) = lsp_range(report, at.file, at.value);
            if file != doc {
                continue;
            }
            if let Ok(url) = Url::from_file_path(abs) {
                out.push((range, url));
            }
        }
    }
    out
}

/// A rule's fix as edits of the document (through the fix model's mapping into the file on
/// disk, a compose file for an embedded config). A replacement that holds the text it
/// replaces (quoting a value) is sent as the insertions around it, and one that replaces a
/// secret as the edits around it ([`edits::keeping`]); a fix that would still send a secret
/// is not offered.
fn fix_in_doc(
    report: &Report,
    r: &Redactor,
    doc: FileId,
    file: FileId,
    fix: &crate::diag::Fix,
) -> Result<Fix, String> {
    let host = crate::fix::host_edits(&report.sources, file, fix).map_err(|t| r.text(&t))?;
    let doc_text = &report.sources.get(doc).text;
    let secrets = edits::secrets(r, doc, doc_text);
    let mut out = Vec::new();
    for e in host {
        if e.file != doc {
            return Err("the fix edits another file".into());
        }
        for (start, end, new) in edits::minimal(doc_text, e.span.start, e.span.end, &e.replacement)
        {
            let Some(kept) = edits::keeping(doc_text, start, end, &new, &secrets) else {
                return Err(edits::MOVES_A_SECRET.into());
            };
            for (start, end, new) in kept {
                if r.scrubber().text(&new) != new {
                    return Err("the fix would send a secret value to the editor".into());
                }
                out.push(TextEdit::new(text::range(doc_text, start, end), new));
            }
        }
    }
    Ok(Fix {
        title: r.text(&fix.description),
        safe: fix.applicability == crate::diag::Applicability::Safe,
        edits: out,
    })
}
