//! Hovers: on a property its documentation, type, server default and the effective value of
//! the resolved model (`explain`'s row: secrets are `****`, redacted in the analysis); on a
//! diagnostic's range the code's documentation.

use super::analysis::Analysis;
use super::{context, props, text};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

pub fn hover(doc: &str, analysis: Option<&Analysis>, pos: Position) -> Option<Hover> {
    let at = text::offset(doc, pos);
    let mut parts = Vec::new();
    if let Some(c) = context::at(doc, at).filter(|c| c.on_key)
        && let Some((block, prop)) = c.prop()
    {
        let mut s = props::markdown(block, prop);
        if let Some(row) = analysis.and_then(|a| effective(a, &c.path, block, prop)) {
            s.push_str(&row);
        }
        parts.push(s);
    }
    for (d, extra) in analysis
        .into_iter()
        .flat_map(|a| a.diagnostics.iter().zip(&a.extra))
    {
        if extra.code.is_empty() || !(d.range.start <= pos && pos <= d.range.end) {
            continue;
        }
        let mut s = format!("**{}**: {}", extra.code, d.message);
        if let Some(h) = &extra.help {
            s.push_str(&format!("\n\nhelp: {h}"));
        }
        match (&extra.fix, &extra.fix_unavailable) {
            (Some(f), _) => s.push_str(&format!("\n\nfix: {}", f.title)),
            (None, Some(why)) => s.push_str(&format!("\n\nno automatic fix: {why}")),
            (None, None) => {}
        }
        if let Some(docs) = crate::emit::docs::explain(&extra.code) {
            s.push_str("\n\n---\n\n");
            s.push_str(&docs);
        }
        parts.push(s);
    }
    (!parts.is_empty()).then(|| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: None,
    })
}

/// The effective value line of `explain` for the property of this connection.
fn effective(
    a: &Analysis,
    path: &[String],
    block: &crate::props::Block,
    prop: &crate::props::Prop,
) -> Option<String> {
    let id = path.first()?;
    let conn = a.connections.iter().find(|c| &c.id == id)?;
    let dotted = if block.name == "connection" {
        prop.name.to_string()
    } else {
        format!("{}.{}", block.name, prop.name)
    };
    let row = conn.rows.iter().find(|r| r.name == dotted)?;
    let from = match &row.origin {
        crate::emit::explain::OriginOut::Config { line } => format!("the config, line {line}"),
        crate::emit::explain::OriginOut::Env { variable, .. } => format!("${variable}"),
        crate::emit::explain::OriginOut::BuiltIn => "the server's built-in default".into(),
        crate::emit::explain::OriginOut::Derived => "other settings".into(),
    };
    let human = row
        .human
        .as_ref()
        .map(|h| format!(" ({h})"))
        .unwrap_or_default();
    let mut s = format!("\n\nEffective value: `{}`{human}, from {from}", row.value);
    if let Some(at) = &row.checked_at {
        s.push_str(&format!("; checked here at `{at}`"));
    }
    if row.invalid {
        s.push_str(" (not valid: see the diagnostics)");
    }
    Some(s)
}
