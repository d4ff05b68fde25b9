//! YAML syntax and limit errors as diagnostics: the parser's message in plain words, at the
//! offending token, with a fix where one can be guessed. Recognises the DSF documentation's own
//! trap: a value opened with `'` and "closed" with a typographic `’` (U+2019), so it never ends.

use crate::diag::{Code, Diagnostic, Label};
use crate::source::{FileId, Span};
use crate::yaml::{LoadError, LoadErrorKind};

const TYPOGRAPHIC: &[(char, &str)] = &[
    ('\u{2019}', "U+2019 RIGHT SINGLE QUOTATION MARK"),
    ('\u{2018}', "U+2018 LEFT SINGLE QUOTATION MARK"),
    ('\u{201C}', "U+201C LEFT DOUBLE QUOTATION MARK"),
    ('\u{201D}', "U+201D RIGHT DOUBLE QUOTATION MARK"),
    ('\u{00B4}', "U+00B4 ACUTE ACCENT"),
    ('\u{2032}', "U+2032 PRIME"),
];

pub fn diagnostic(file: FileId, text: &str, e: &LoadError) -> Diagnostic {
    // the scanner's own guard against deep flow nesting
    if e.kind == LoadErrorKind::Limit || e.message.contains("recursion limit") {
        return Diagnostic::new(Code::InputLimit, file, e.span, e.message.clone())
            .label("limit reached here")
            .help("a connections config needs neither deep nesting nor aliases; check that this is the right file");
    }
    let msg = e.message.as_str();
    if msg.contains("quoted scalar")
        && let Some(d) = unclosed_quote(file, text, e)
    {
        return d;
    }
    if msg.contains("tab") {
        // the scanner stops after the tab: point at the tab itself
        let line_start = text[..e.span.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let span = text[line_start..e.span.start.min(text.len())]
            .rfind('\t')
            .map_or(e.span, |i| Span::new(line_start + i, line_start + i + 1));
        return Diagnostic::new(
            Code::YamlTabIndentation,
            file,
            span,
            "a tab character is used for indentation; YAML allows only spaces",
        )
        .label("tab")
        .help("replace the tabs at the start of this line with spaces");
    }
    let help = if msg.contains("mapping values are not allowed") {
        "a value containing `: ` must be quoted, or a key is indented deeper than its siblings"
    } else if msg.contains("did not find expected key") || msg.contains("expected <block end>") {
        "check the indentation: keys of one block must start in the same column"
    } else if msg.contains("did not find expected") {
        "a bracket, brace or quote is not closed, or the indentation is off"
    } else {
        "check the YAML syntax at this point"
    };
    Diagnostic::new(
        Code::YamlSyntax,
        file,
        e.span,
        format!("invalid YAML: {msg}"),
    )
    .label("here")
    .help(help)
}

/// The opening quote of the scalar that never closed: the first quote after the last token the
/// parser completed.
fn unclosed_quote(file: FileId, text: &str, e: &LoadError) -> Option<Diagnostic> {
    let from = e.last_good.min(e.span.start).min(text.len());
    let rel = text.get(from..)?.find(['\'', '"'])?;
    let open = from + rel;
    let quote = text[open..].chars().next()?;
    let line_end = text[open..].find('\n').map_or(text.len(), |i| open + i);
    let open_span = Span::new(open, open + 1);
    let typo = text[open + 1..line_end].char_indices().find_map(|(i, c)| {
        TYPOGRAPHIC
            .iter()
            .find(|(t, _)| *t == c)
            .map(|(_, name)| (open + 1 + i, c, *name))
    });
    Some(match typo {
        Some((at, c, name)) => Diagnostic::new(
            Code::YamlTypographicQuote,
            file,
            open_span,
            format!(
                "this quoted value never ends: it is closed with `{c}` ({name}), which YAML does not treat as a quote"
            ),
        )
        .label(format!("opened with {quote}"))
        .related(Label::new(Span::new(at, at + c.len_utf8())).message(format!("`{c}` is not `{quote}`")))
        .help(format!("replace `{c}` with `{quote}` (a common copy-paste slip from web pages)")),
        None => Diagnostic::new(
            Code::YamlSyntax,
            file,
            open_span,
            format!("this quoted value is never closed with a matching `{quote}`"),
        )
        .label(format!("opened with {quote}"))
        .help(format!("add the closing `{quote}` at the end of the value")),
    })
}
