//! The document as a whole: what the root is (a mapping of connection ids, or null, a list, a
//! scalar, only comments), and a second document, which the server never reads.

use super::Rule;
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::source::{FileId, Span};
use crate::yaml::Node;

pub static YAML_MULTIPLE_DOCUMENTS: Rule = Rule {
    fix: None,
    name: "yaml-multiple-documents",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a second YAML document, which the server ignores",
    docs: r##"**What:** A second YAML document (`---`).

**Why it matters:** The server reads only the first document; connections after `---` are silently ignored.

Bad:

```yaml
a:
  base-url: https://x/fhir
---
b:
  base-url: https://y/fhir
```

**Fix:** Put all connections in one mapping."##,
};
pub fn second_document(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        &YAML_MULTIPLE_DOCUMENTS,
        file,
        span,
        "a second YAML document starts here; the server reads only the first and ignores the rest",
    )
    .label("ignored from here on")
    .help("put every connection into one mapping, and remove this `---`")
}

pub static ROOT_NULL: Rule = Rule {
    fix: None,
    name: "root-null",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "the document is null (`~`, `null` or `---` alone)",
    docs: r##"**What:** The document is null: `~`, `null` or `---` alone.

**Why it matters:** The server hits a NullPointerException: the BPE does not start.

Bad:

```yaml
~
```

**Fix:** Leave the variable empty (no connections) or write connections."##,
};
/// A null root written as `---` alone has an empty span: point at the first non-blank line.
pub fn root_null(file: FileId, text: &str, root: &Node) -> Diagnostic {
    let span = if root.span.is_empty() {
        let start = text.len() - text.trim_start().len();
        let end = text[start..]
            .find(['\r', '\n'])
            .map_or(text.len(), |i| start + i);
        Span::new(start, end)
    } else {
        root.span
    };
    Diagnostic::new(
        &ROOT_NULL,
        file,
        span,
        "the config is null: the server fails on it with a NullPointerException",
    )
    .help("remove the `~`/`null`/`---`, or leave the variable empty for no connections")
}

pub static ROOT_NOT_MAPPING: Rule = Rule {
    fix: None,
    name: "root-not-mapping",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "the document is not a mapping of connection ids",
    docs: r##"**What:** The document is a list or a plain value, not a mapping of connection ids.

**Why it matters:** The server starts with no connections.

Bad:

```yaml
- base-url: https://x/fhir
```

**Fix:** Start each connection with its id: `my-id:`."##,
};
pub fn root_not_mapping(file: FileId, root: &Node) -> Diagnostic {
    Diagnostic::new(
        &ROOT_NOT_MAPPING,
        file,
        root.span,
        crate::text!(
            "the config must be a mapping of connection ids, found {}",
            root.kind_name()
        ),
    )
    .label("not a mapping")
    .help("write `my-connection-id:` at the start of a line, then its properties indented below it")
}

pub static ROOT_NO_CONTENT: Rule = Rule {
    fix: None,
    name: "root-no-content",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "the text holds only comments",
    docs: r##"**What:** The text holds only comments.

**Why it matters:** Unlike a blank value, a comment-only text fails with "no content to map": no connections.

Bad:

```yaml
# fhir:
#   base-url: https://x/fhir
```

**Fix:** Leave the variable empty, or uncomment a connection."##,
};
pub fn no_content(file: FileId, text: &str) -> Diagnostic {
    let first = text.find('#').unwrap_or(0);
    let end = text[first..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| first + i);
    Diagnostic::new(
        &ROOT_NO_CONTENT,
        file,
        Span::new(first, end),
        "the config holds only comments: the server fails with \"no content to map\"",
    )
    .help(
        "add connections, or leave the variable empty (blank means no connections, which is valid)",
    )
}
