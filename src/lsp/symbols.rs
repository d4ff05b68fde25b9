//! Document symbols (one per connection, its auth kinds as the detail) and document links
//! (file settings to the file they resolve to here, through path maps and compose mounts).

use super::analysis::Analysis;
use lsp_types::{DocumentLink, DocumentSymbol, DocumentSymbolResponse, SymbolKind};

pub fn symbols(a: &Analysis) -> DocumentSymbolResponse {
    #[allow(deprecated)] // `deprecated` is a required field of the struct
    let list = a
        .connections
        .iter()
        .map(|c| DocumentSymbol {
            name: c.id.clone(),
            detail: Some(c.auth.join(", ")),
            kind: SymbolKind::OBJECT,
            tags: None,
            deprecated: None,
            range: c.range,
            selection_range: c.selection,
            children: None,
        })
        .collect();
    DocumentSymbolResponse::Nested(list)
}

pub fn links(a: &Analysis) -> Vec<DocumentLink> {
    a.links
        .iter()
        .map(|(range, target)| DocumentLink {
            range: *range,
            target: Some(target.clone()),
            tooltip: Some(target.path().to_string()),
            data: None,
        })
        .collect()
}
