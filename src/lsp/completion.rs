//! Completion of property names and of enumerated values where the cursor stands in the
//! config, also inside a compose file's block scalar.

use super::{context, props, text};
use lsp_types::{
    CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind, Position,
};

pub fn complete(doc: &str, pos: Position) -> Vec<CompletionItem> {
    let Some(c) = context::at(doc, text::offset(doc, pos)) else {
        return Vec::new();
    };
    let docs = |block, prop| {
        Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: props::markdown(block, prop),
        }))
    };
    if c.in_value {
        let Some((block, prop)) = c.prop() else {
            return Vec::new();
        };
        return props::values(prop)
            .iter()
            .map(|v| CompletionItem {
                label: v.to_string(),
                kind: Some(CompletionItemKind::VALUE),
                documentation: docs(block, prop),
                ..CompletionItem::default()
            })
            .collect();
    }
    let Some(block) = c.block() else {
        return Vec::new();
    };
    block
        .props
        .iter()
        .map(|p| CompletionItem {
            label: p.name.to_string(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(props::type_name(p).to_string()),
            documentation: docs(block, p),
            insert_text: Some(match p.kind {
                crate::props::Kind::Block(_) => format!("{}:", p.name),
                _ => format!("{}: ", p.name),
            }),
            ..CompletionItem::default()
        })
        .collect()
}
