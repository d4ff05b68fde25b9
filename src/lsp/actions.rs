//! Code actions from the fix model: each diagnostic's fix as a quick fix on it (a safe fix is
//! the preferred one), and "fix all safe problems" as a source action over the document.

use super::analysis::Analysis;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Url, WorkspaceEdit,
};
use std::collections::HashMap;

/// The kind of the fix-all action (`source.fixAll.dsf-connections`, as ruff names its own).
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.dsf-connections")
}

fn edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

fn overlaps(a: &Range, b: &Range) -> bool {
    a.start < b.end && b.start < a.end
}

/// The actions for `range` of the document; `only` as the client asks (`None`: all).
pub fn actions(
    uri: &Url,
    a: &Analysis,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let wants = |k: &CodeActionKind| {
        only.is_none_or(|o| o.iter().any(|w| k.as_str().starts_with(w.as_str())))
    };
    let mut out = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        for (d, x) in a.diagnostics.iter().zip(&a.extra) {
            let Some(fix) = &x.fix else { continue };
            if !(d.range.start <= range.end && range.start <= d.range.end) {
                continue;
            }
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit(uri, fix.edits.clone())),
                is_preferred: Some(fix.safe),
                ..CodeAction::default()
            }));
        }
    }
    let all = fix_all_kind();
    if wants(&all) || only.is_some_and(|o| o.contains(&CodeActionKind::SOURCE_FIX_ALL)) {
        let edits = safe_edits(a);
        if !edits.is_empty() {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "dsf-connections: fix all safe problems".into(),
                kind: Some(all),
                edit: Some(edit(uri, edits)),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// Every safe fix's edits, a fix left out whole when one of its edits overlaps one taken.
fn safe_edits(a: &Analysis) -> Vec<TextEdit> {
    let mut taken: Vec<TextEdit> = Vec::new();
    for fix in a
        .extra
        .iter()
        .filter_map(|x| x.fix.as_ref())
        .filter(|f| f.safe)
    {
        if fix.edits.iter().any(|e| {
            taken
                .iter()
                .any(|t| overlaps(&t.range, &e.range) || t.range == e.range)
        }) {
            continue;
        }
        taken.extend(fix.edits.iter().cloned());
    }
    taken.sort_by_key(|e| e.range.start);
    taken
}
