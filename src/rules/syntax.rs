//! YAML syntax as the server's reader (SnakeYAML 2.5) sees it. Parser errors become diagnostics
//! in plain words at the offending character, classified by the parser's error kind: tabs,
//! unclosed quotes (and the DSF documentation's own trap, a value opened with `'` and "closed"
//! with a typographic `’`), bad escapes, unprintable characters, keys indented deeper or
//! shallower than their siblings. Beyond what our parser (YAML 1.2) rejects, SnakeYAML also
//! rejects a tab anywhere a token may start (after `key:`, after a `,` in a flow mapping, on a
//! blank line), `%YAML` versions other than 1.x, and reads NEL, LS and PS as line breaks.

use super::Rule;
use crate::diag::{Applicability, Diagnostic, Fix, FixDoc, Outcome, Severity};
use crate::secrets::{Piece, Text};
use crate::source::{FileId, Span};
use crate::text;
use crate::yaml::{LoadError, LoadErrorKind};

pub static YAML_SYNTAX: Rule = Rule {
    fix: None,
    name: "yaml-syntax",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "the text is not valid YAML",
    docs: r##"**What:** The text is not valid YAML (an unclosed bracket or quote, `: ` inside a plain value, a stray character...). Indentation, tabs, escapes and typographic quotes have codes of their own.

**Why it matters:** The server logs `Unable to parse FHIR server connections configuration` and runs with no connections.

Bad:

```yaml
fhir:
  base-url: http://x
  oidc-auth:
    required-audience: [fhir, account    # the list is never closed
```

**Fix:** Fix the syntax at the position shown."##,
};
pub static YAML_TYPOGRAPHIC_QUOTE: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Safe,
        why: "the value was opened with `'` or `\"` and the typographic quote is where it visibly ends: replaced by the opening quote, the value is what it looks like",
    }),
    name: "yaml-typographic-quote",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a quoted value is closed with a typographic quote and never ends",
    docs: r##"**What:** A value opened with `'` or `"` is "closed" with a typographic quote such as `’` (U+2019), so it never ends.

**Why it matters:** The DSF documentation's own examples contain this slip (`'password.file’`); copied, the whole rest of the file becomes one string and the server starts with no connections.

Bad:

```yaml
    password-file: 'password.file’
```

Fix:

```yaml
    password-file: 'password.file'
```"##,
};
pub static YAML_TAB_INDENTATION: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Safe,
        why: "a tab between tokens becomes one space; indentation tabs become spaces under the line above (one step deeper below `key:`), each further tab one step of the file's own indentation, and the result must parse again or the fix is rolled back",
    }),
    name: "yaml-tab-indentation",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a tab is used for indentation",
    docs: r##"**What:** A tab is used to indent.

**Why it matters:** YAML forbids tabs for indentation; the server fails to parse the config.

Bad:

```yaml
fhir:
	base-url: http://x
```

**Fix:** Indent with spaces."##,
};
pub static YAML_INDENTATION: Rule = Rule {
    fix: None,
    name: "yaml-indentation",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a key indented deeper or shallower than the keys beside it",
    docs: r##"**What:** A key is indented by a different number of spaces than the other keys of its block, so YAML cannot tell where it belongs.

**Why it matters:** Indented one space too deep, the key becomes part of the previous value (`x read-timeout`), then the `:` after it is a syntax error; too shallow, the block ends early. Either way the server cannot read the config and starts with no connections.

Bad:

```yaml
fhir:
  base-url: https://fhir.example.org/fhir
   read-timeout: PT5S    # one space too deep
```

**Fix:** Indent every key of a block by the same number of spaces as the first one."##,
};

pub static YAML_BAD_ESCAPE: Rule = Rule {
    fix: None,
    name: "yaml-bad-escape",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a double-quoted value with an escape YAML does not know (`\\q`, `\\xZZ`, `\\ud800`)",
    docs: r##"**What:** Inside double quotes, a backslash starts an escape (`\n`, `\t`, `\\`, `\x41`, `\u00e4`); this one is not a valid escape.

**Why it matters:** The server cannot read the config and starts with no connections. Windows paths and passwords with backslashes are the usual cause.

Bad:

```yaml
    password: "pa\ss"
```

**Fix:** Use single quotes, in which a backslash is just a backslash (`'pa\ss'`), or double the backslash (`"pa\\ss"`)."##,
};

pub static YAML_UNPRINTABLE: Rule = Rule {
    fix: None,
    name: "yaml-unprintable",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a control character (such as NUL) that YAML does not allow in a document",
    docs: r##"**What:** The text contains a control character (NUL, BEL, ESC, ...) that YAML forbids outside escapes.

**Why it matters:** The server cannot read the config and starts with no connections. Such characters come from binary files, broken copy and paste, or terminal escape sequences.

Bad:

```yaml
    password: abc<NUL>def
```

**Fix:** Remove the character; write it as an escape in double quotes (`"\0"`, `"\e"`) if it is really meant."##,
};

pub static YAML_VERSION: Rule = Rule {
    fix: None,
    name: "yaml-version",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a `%YAML` directive with a version the server's reader does not accept",
    docs: r##"**What:** The document starts with `%YAML 2.0` (or another version than 1.x).

**Why it matters:** SnakeYAML accepts `%YAML 1.1` and `%YAML 1.2` (and reads both as YAML 1.1) but rejects other major versions: the server starts with no connections.

Bad:

```yaml
%YAML 2.0
---
fhir:
  base-url: https://fhir.example.org/fhir
```

**Fix:** Remove the directive, or write `%YAML 1.1`."##,
};

pub static YAML_LINE_SEPARATOR: Rule = Rule {
    fix: None,
    name: "yaml-line-separator",
    severity: Severity::Error,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a Unicode line break (NEL, LS, PS) that the server reads as a new line",
    docs: r##"**What:** The text contains U+0085 (NEL), U+2028 (LINE SEPARATOR) or U+2029 (PARAGRAPH SEPARATOR).

**Why it matters:** The server's YAML 1.1 reader treats them as line breaks; editors, this tool and YAML 1.2 tools do not. The server therefore reads another structure or value than the one you see. They usually come from copying text out of word processors or web pages.

Bad:

```yaml
fhir:
  base-url: https://fhir.example.org/fhir<U+2028>  read-timeout: PT5S
```

**Fix:** Replace the character with a normal line break (or remove it)."##,
};

/// Named control characters, for messages: the tool's own description of a character (its
/// code point and name), never the character itself.
fn char_name(c: char) -> Piece {
    let name = match c {
        '\0' => "NUL",
        '\u{7}' => "BEL",
        '\u{8}' => "BACKSPACE",
        '\u{1b}' => "ESC",
        '\u{7f}' => "DEL",
        '\u{85}' => "NEL",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{feff}' => "BYTE ORDER MARK",
        _ => "",
    };
    Piece::own(if name.is_empty() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} {name}", c as u32)
    })
}

pub use crate::yaml::{TYPOGRAPHIC, typographic};

/// What kind of error the parser reported, from its exact message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    Limit,
    UnclosedQuote,
    BadEscape,
    Unprintable,
    Tab,
    ColonNotFollowedBySpace,
    MappingValueHere,
    ExpectedKey,
    Other,
}

fn kind(e: &LoadError) -> ErrorKind {
    if e.kind == LoadErrorKind::Limit {
        return ErrorKind::Limit;
    }
    match e.message.as_str() {
        "recursion limit exceeded" => ErrorKind::Limit,
        "while scanning a quoted scalar, found unexpected end of stream"
        | "while scanning a quoted scalar, found unexpected document indicator" => {
            ErrorKind::UnclosedQuote
        }
        "while parsing a quoted scalar, found unknown escape character"
        | "while parsing a quoted scalar, found invalid Unicode character escape code"
        | "while parsing a quoted scalar, did not find expected hexadecimal number" => {
            ErrorKind::BadEscape
        }
        "found unprintable character" => ErrorKind::Unprintable,
        "tabs disallowed within this context (block indentation)"
        | "tabs disallowed in this context"
        | "tab cannot be used as indentation"
        | "while scanning a plain scalar, found a tab"
        | "a block scalar content cannot start with a tab" => ErrorKind::Tab,
        "':' must be followed by a valid YAML whitespace" => ErrorKind::ColonNotFollowedBySpace,
        "mapping values are not allowed in this context" => ErrorKind::MappingValueHere,
        "while parsing a block mapping, did not find expected key"
        | "while parsing a block collection, did not find expected '-' indicator"
        | "invalid indentation" => ErrorKind::ExpectedKey,
        _ => ErrorKind::Other,
    }
}

fn line_bounds(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    (start, end)
}

fn char_span(text: &str, at: usize) -> Span {
    let len = text
        .get(at..)
        .and_then(|t| t.chars().next())
        .map_or(0, char::len_utf8);
    Span::new(at, at + len)
}

/// A parser error as a diagnostic.
pub fn diagnostic(file: FileId, text: &str, e: &LoadError) -> Diagnostic {
    // a value "closed" with a typographic quote runs on into the lines after it: whatever the
    // parser trips over later (an indentation error, a quote of the next connection) is its
    // consequence
    if kind(e) != ErrorKind::Limit
        && let Some(d) = typographic_close(file, text, e)
    {
        return d;
    }
    match kind(e) {
        // the loader's own words about its limits (numbers only)
        ErrorKind::Limit => Diagnostic::new(&super::input::INPUT_LIMIT, file, e.span, Piece::own(e.message.clone()))
            .label("limit reached here")
            .help("a connections config needs neither deep nesting nor aliases; check that this is the right file"),
        ErrorKind::UnclosedQuote => unclosed_quote(file, text, e),
        ErrorKind::BadEscape => bad_escape(file, text, e),
        ErrorKind::Unprintable => {
            let span = char_span(text, e.span.start);
            let c = text[span.range()].chars().next().unwrap_or('\0');
            unprintable_char(file, span, c)
        }
        ErrorKind::Tab => {
            // the scanner stops after the tab: point at the tab itself
            let (start, _) = line_bounds(text, e.span.start);
            let upto = e.span.start.min(text.len());
            let at = text[start..upto].rfind('\t').map(|i| start + i).or_else(|| {
                text[upto..].find('\t').map(|i| upto + i)
            });
            tab(file, text, at.unwrap_or(e.span.start))
        }
        ErrorKind::ColonNotFollowedBySpace => {
            // the scanner reports the character after the colon
            let colon = text[..e.span.start.min(text.len())].rfind(':');
            match colon {
                Some(c) if text[c + 1..].starts_with('\t') => tab(file, text, c + 1),
                _ => Diagnostic::new(&YAML_SYNTAX, file, e.span, "a `:` inside a value is read as the start of a nested mapping")
                    .label("here")
                    .help("quote the value, or put a space after the colon of a key"),
            }
        }
        ErrorKind::MappingValueHere => long_key(file, text, e)
            .or_else(|| colon_in_value(file, text, e))
            .or_else(|| misindented(file, text, e, true))
            .unwrap_or_else(|| {
            Diagnostic::new(&YAML_SYNTAX, file, e.span, "a `: ` that YAML cannot place: a plain value contains `: `, or a key is indented too deep")
                .label("here")
                .help("quote a value containing `: `; keys of one block start in the same column")
        }),
        ErrorKind::ExpectedKey => misindented(file, text, e, false).unwrap_or_else(|| {
            Diagnostic::new(&YAML_SYNTAX, file, e.span, text!("invalid YAML: {}", parser_says(file, e)))
                .label("here")
                .help("check the indentation: keys of one block must start in the same column")
        }),
        ErrorKind::Other if e.message.contains("simple key") => long_key(file, text, e)
            .unwrap_or_else(|| {
                Diagnostic::new(&YAML_SYNTAX, file, e.span, text!("invalid YAML: {}", parser_says(file, e)))
                    .label("here")
                    .help("check the YAML syntax at this point")
            }),
        ErrorKind::Other => {
            let help = if e.message.contains("did not find expected") {
                "a bracket, brace or quote is not closed, or the indentation is off"
            } else {
                "check the YAML syntax at this point"
            };
            Diagnostic::new(&YAML_SYNTAX, file, e.span, text!("invalid YAML: {}", parser_says(file, e)))
                .label("here")
                .help(help)
        }
    }
}

/// What the parser says: its own fixed words. One message names the character the parser
/// stopped at, one of `%`, `@` and a backtick: said in the tool's words as well (a quote of it
/// would be masked inside a secret, and say nothing); any other such message quotes it.
fn parser_says(file: FileId, e: &LoadError) -> Text {
    const UNEXPECTED: [&str; 3] = [
        "unexpected character: `%'",
        "unexpected character: `@'",
        "unexpected character: ``'",
    ];
    match UNEXPECTED.iter().find(|m| **m == e.message) {
        Some(m) => Text::from(*m),
        None if e.message.starts_with("unexpected character: `") => {
            text!("unexpected character: `{}'", Piece::source(file, e.span))
        }
        None => Text::from(Piece::own(e.message.clone())),
    }
}

/// A tab where the server's reader expects a token.
fn tab(file: FileId, text: &str, at: usize) -> Diagnostic {
    let (start, _) = line_bounds(text, at);
    let before = &text[start..at.min(text.len())];
    let (message, help) = if before.trim_matches([' ', '\t']).is_empty() {
        (
            "a tab character is used for indentation; YAML allows only spaces",
            "replace the tabs at the start of this line with spaces",
        )
    } else if before.trim_end_matches([' ', '\t']).ends_with(':') {
        (
            "a tab character follows `key:`; the server's YAML reader allows only spaces there",
            "replace the tab after the colon with a space",
        )
    } else {
        (
            "a tab character separates tokens here; the server's YAML reader allows only spaces",
            "replace the tab with a space",
        )
    };
    Diagnostic::new(&YAML_TAB_INDENTATION, file, Span::new(at, at + 1), message)
        .label("tab")
        .help(help)
        .maybe_fix(super::reindent::tab_fix(text, at))
}

/// Leading spaces of the line holding `at`.
fn indent_at(text: &str, at: usize) -> usize {
    let (start, end) = line_bounds(text, at);
    text[start..end].len() - text[start..end].trim_start_matches(' ').len()
}

/// The key of a `key: value` line, if the line is one, with its offset in the line.
fn key_of(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start_matches(' ');
    let mut at = line.len() - t.len();
    let t = match t.strip_prefix("- ") {
        Some(rest) => {
            at += 2;
            rest
        }
        None => t,
    };
    let colon = t
        .find(": ")
        .or_else(|| t.strip_suffix(':').map(|k| k.len()))?;
    let raw = &t[..colon];
    let key = raw.trim();
    at += raw.len() - raw.trim_start().len();
    (!key.is_empty() && !key.starts_with('#') && !key.contains(['{', '[', '"', '\'']))
        .then_some((at, key))
}

/// A key `key_of` found in the line starting at `line_start`, for a message: a property of the
/// server's model in the tool's words, anything else quoted from where it is written.
fn key_piece(file: FileId, line_start: usize, (at, key): (usize, &str)) -> Piece {
    match crate::props::static_name(key) {
        Some(name) => Piece::from(name),
        None => Piece::source(
            file,
            Span::new(line_start + at, line_start + at + key.len()),
        ),
    }
}

/// The previous line that holds a key, with its start offset.
fn previous_key_line(text: &str, line_start: usize) -> Option<(usize, &str)> {
    let mut end = line_start.checked_sub(1)?;
    loop {
        let (s, e) = line_bounds(text, end);
        let line = &text[s..e];
        if key_of(line).is_some() {
            return Some((s, line));
        }
        end = s.checked_sub(1)?;
    }
}

/// A key of more than 1,024 characters: YAML (and the server's SnakeYAML) ends an implicit key
/// there, so the `:` after it is no longer seen as the key's.
fn long_key(file: FileId, text: &str, e: &LoadError) -> Option<Diagnostic> {
    let (start, end) = line_bounds(text, e.span.start);
    let line = &text[start..end];
    let indent = line.len() - line.trim_start_matches([' ', '-']).len();
    let key_start = start + indent;
    let upto = e.span.start.clamp(key_start, end);
    let key = text.get(key_start..upto)?.trim_end();
    let chars = key.chars().count();
    if chars <= 1024 || key.contains(": ") {
        return None;
    }
    Some(
        Diagnostic::new(
            &YAML_SYNTAX,
            file,
            Span::new(key_start, key_start + key.len()),
            text!(
                "a key of {} characters: YAML ends an implicit key after 1,024 characters, so its `:` is not found",
                chars
            ),
        )
        .label("this key is too long")
        .help("shorten the key (a connection id is a name), or write it as an explicit key: `? key` on one line, `: value` on the next"),
    )
}

/// `username: a: b`: the error is at a `: ` after the colon of the line's own key, so the plain
/// value holds a `: ` (YAML would read a nested key there).
fn colon_in_value(file: FileId, text: &str, e: &LoadError) -> Option<Diagnostic> {
    let (start, end) = line_bounds(text, e.span.start);
    let line = &text[start..end];
    let key = key_piece(file, start, key_of(line)?);
    let indent = line.len() - line.trim_start_matches(' ').len();
    let t = &line[indent..];
    let dash = if t.starts_with("- ") { 2 } else { 0 };
    let key_colon = start + indent + dash + t[dash..].find(':')?;
    let at = e.span.start.min(end);
    // the last `:` of the value at or before the place the scanner stopped
    let colon = text
        .get(key_colon + 1..end)?
        .match_indices(':')
        .map(|(i, _)| key_colon + 1 + i)
        .take_while(|&c| c <= at)
        .last()?;
    Some(
        Diagnostic::new(
            &YAML_SYNTAX,
            file,
            Span::new(colon, colon + 1),
            text!("the value of `{}` contains `: `, which YAML reads as the start of a nested key", key.clone()),
        )
        .label("`: ` inside a plain value")
        .help(text!(
            "quote the value of `{}` (single quotes keep it as written), or remove the space after this colon",
            key
        )),
    )
}

/// A key indented differently from the key above it: deeper (`mapping values are not allowed`:
/// YAML read it as the continuation of that key's plain value), or shallower but not back to
/// the parent's level (`did not find expected key`).
fn misindented(file: FileId, text: &str, e: &LoadError, deeper: bool) -> Option<Diagnostic> {
    let (start, end) = line_bounds(text, e.span.start);
    let (key_at, key_text) = key_of(&text[start..end])?;
    let key = key_piece(file, start, (key_at, key_text));
    let (prev_start, prev) = previous_key_line(text, start)?;
    let (mine, theirs) = (indent_at(text, start), indent_at(text, prev_start));
    if (deeper && mine <= theirs) || (!deeper && mine >= theirs) {
        return None;
    }
    // a key below `basic-auth:` is nested, not indented too deep
    if deeper && prev.trim_end().ends_with(':') {
        return None;
    }
    let prev_key = key_piece(file, prev_start, key_of(prev)?);
    let key_start = start + mine;
    let (message, label, help) = if deeper {
        (
            text!(
                "`{}` is indented {} deeper than `{}` above it, so YAML reads it as part of the value of `{}`",
                key.clone(),
                spaces(mine - theirs),
                prev_key.clone(),
                prev_key.clone()
            ),
            "indented too deep",
            text!(
                "indent `{}` by {}, like `{}`",
                key,
                spaces(theirs),
                prev_key
            ),
        )
    } else {
        (
            text!(
                "`{}` is indented by {}, but `{}` above it by {}: YAML cannot tell which block it belongs to",
                key.clone(),
                spaces(mine),
                prev_key,
                spaces(theirs)
            ),
            "indentation does not match",
            text!(
                "indent `{}` like the other keys of its block (by {})",
                key,
                spaces(theirs)
            ),
        )
    };
    Some(
        Diagnostic::new(
            &YAML_INDENTATION,
            file,
            Span::new(key_start, key_start + key_text.len()),
            message,
        )
        .label(label)
        .help(help),
    )
}

/// "1 space", "4 spaces": a width the tool counted.
fn spaces(n: usize) -> Text {
    text!("{} space{}", n, if n == 1 { "" } else { "s" })
}

/// The first line before the parser's error that opens a quoted value with `'` or `"` and, instead
/// of the matching quote, has a typographic quote after it (`'password.file’`): that value never
/// ends where it seems to, so the error is its consequence.
fn typographic_close(file: FileId, text: &str, e: &LoadError) -> Option<Diagnostic> {
    let limit = e.span.start.min(text.len());
    let mut start = 0;
    while start <= limit {
        let end = text[start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        if let Some((open, quote)) = value_quote(line) {
            let rest = &line[open + 1..];
            // `'it''s'` escapes a quote by doubling it: any matching quote means no slip here
            // the slip closes the value: the typographic quote is the line's last character
            // (a comment may follow)
            let body = rest.find(" #").map_or(rest, |i| &rest[..i]).trim_end();
            if !rest.contains(quote)
                && let Some((i, c)) = body.char_indices().next_back()
                && let Some(name) = typographic(c)
            {
                let open = start + open;
                let at = open + 1 + i;
                return Some(typographic_diagnostic(file, open, quote, at, c, name));
            }
        }
        if end >= text.len() {
            break;
        }
        start = end + 1;
    }
    None
}

/// Where a line's value opens with `'` or `"`: after `key: `, after `- `, or at the line's
/// start (a continuation); not in a comment line.
fn value_quote(line: &str) -> Option<(usize, char)> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return None;
    }
    let indent = line.len() - trimmed.len();
    let quoted = |i: usize| match line[i..].chars().next() {
        Some(q @ ('\'' | '"')) => Some((i, q)),
        _ => None,
    };
    let after_dash = trimmed
        .strip_prefix("- ")
        .map(|r| indent + 2 + (r.len() - r.trim_start().len()));
    if let Some(i) = after_dash.and_then(quoted) {
        return Some(i);
    }
    // the first `: ` outside quotes ends the key
    let colon = line.find(": ")?;
    let key = &line[..colon];
    if key.contains(['\'', '"']) {
        return None;
    }
    let value = colon + 2;
    let skip = line[value..].len() - line[value..].trim_start().len();
    quoted(value + skip)
}

fn typographic_diagnostic(
    file: FileId,
    open: usize,
    quote: char,
    at: usize,
    c: char,
    name: &'static str,
) -> Diagnostic {
    // the quotes are named in the tool's own words: `'` or `"`, and a character of the table
    // of typographic quotes, which the message names anyway
    Diagnostic::new(
        &YAML_TYPOGRAPHIC_QUOTE,
        file,
        Span::new(open, open + 1),
        text!(
            "this quoted value never ends: it is closed with `{}` ({}), which YAML does not treat as a quote",
            c,
            name
        ),
    )
    .label(text!("opened with {}", quote))
    .also(Span::new(at, at + c.len_utf8()), None, text!("`{}` is not `{}`", c, quote))
    .help(text!("replace `{}` with `{}` (a common copy-paste slip from web pages)", c, quote))
    .fix(straight_quote(at, c, quote))
}

/// The fix of a typographic closing quote: the opening quote instead.
fn straight_quote(at: usize, c: char, quote: char) -> Fix {
    Fix::replace(
        Applicability::Safe,
        text!("replace `{}` with `{}`", c, quote),
        Span::new(at, at + c.len_utf8()),
        quote.to_string(),
    )
}

/// The opening quote of the scalar that never closed: the first quote after the last token the
/// parser completed.
fn unclosed_quote(file: FileId, text: &str, e: &LoadError) -> Diagnostic {
    let from = e.last_good.min(e.span.start).min(text.len());
    let Some(open) = text[from..].find(['\'', '"']).map(|i| from + i) else {
        return Diagnostic::new(&YAML_SYNTAX, file, e.span, "a quoted value is never closed")
            .label("here")
            .help("add the closing quote at the end of the value");
    };
    let quote = if text[open..].starts_with('"') {
        '"'
    } else {
        '\''
    };
    let (_, line_end) = line_bounds(text, open);
    let open_span = Span::new(open, open + 1);
    let typo = text[open + 1..line_end]
        .char_indices()
        .find_map(|(i, c)| typographic(c).map(|name| (open + 1 + i, c, name)));
    // the quotes are named in the tool's own words: `'` or `"`, and a character of the table
    // of typographic quotes, which the message names anyway
    match typo {
        Some((at, c, name)) => Diagnostic::new(
            &YAML_TYPOGRAPHIC_QUOTE,
            file,
            open_span,
            text!(
                "this quoted value never ends: it is closed with `{}` ({}), which YAML does not treat as a quote",
                c,
                name
            ),
        )
        .label(text!("opened with {}", quote))
        .also(Span::new(at, at + c.len_utf8()), None, text!("`{}` is not `{}`", c, quote))
        .help(text!("replace `{}` with `{}` (a common copy-paste slip from web pages)", c, quote))
        .fix(straight_quote(at, c, quote)),
        None => Diagnostic::new(
            &YAML_SYNTAX,
            file,
            open_span,
            text!("this quoted value is never closed with a matching `{}`", quote),
        )
        .label(text!("opened with {}", quote))
        .help(text!("add the closing `{}` at the end of the value", quote)),
    }
}

/// The escape sequence YAML does not accept, inside the double-quoted scalar that starts at the
/// error position.
fn bad_escape(file: FileId, text: &str, e: &LoadError) -> Diagnostic {
    let start = e.span.start.min(text.len());
    let bytes = text.as_bytes();
    let mut i = text[start..].find('"').map_or(start, |q| start + q + 1);
    let mut found = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => break,
            b'\\' => match escape_len(&text[i + 1..]) {
                Ok(n) => i += 1 + n,
                Err((n, why)) => {
                    found = Some((Span::new(i, ceil(text, i + 1 + n)), why));
                    break;
                }
            },
            _ => i += 1,
        }
    }
    let (span, why) = found.unwrap_or((e.span, "YAML does not know it"));
    // the escape is not quoted: it may sit inside a password
    Diagnostic::new(
        &YAML_BAD_ESCAPE,
        file,
        span,
        text!(
            "a backslash escape inside double quotes is not valid: {}",
            why
        ),
    )
    .label("bad escape")
    .help(
        "use single quotes (a backslash is then just a backslash), or write `\\\\` for a backslash",
    )
}

fn ceil(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The length of a valid escape after `\`, or the length to mark and why it is not one.
fn escape_len(rest: &str) -> Result<usize, (usize, &'static str)> {
    let Some(c) = rest.chars().next() else {
        return Err((0, "the value ends after the backslash"));
    };
    let hex = |n: usize, why: &'static str| -> Result<usize, (usize, &'static str)> {
        let digits: String = rest.chars().skip(1).take(n).collect();
        let marked = 1 + digits
            .chars()
            .take_while(|d| !matches!(d, '"' | '\\'))
            .map(char::len_utf8)
            .sum::<usize>();
        if digits.chars().count() != n || !digits.chars().all(|d| d.is_ascii_hexdigit()) {
            return Err((marked, why));
        }
        match u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(_) => Ok(1 + n),
            None => Err((
                marked,
                "it names no Unicode character (a surrogate or beyond U+10FFFF)",
            )),
        }
    };
    match c {
        '0' | 'a' | 'b' | 't' | '\t' | 'n' | 'v' | 'f' | 'r' | 'e' | ' ' | '"' | '/' | '\\'
        | 'N' | '_' | 'L' | 'P' | '\n' | '\r' => Ok(c.len_utf8()),
        'x' => hex(2, "`\\x` needs 2 hexadecimal digits"),
        'u' => hex(4, "`\\u` needs 4 hexadecimal digits"),
        'U' => hex(8, "`\\U` needs 8 hexadecimal digits"),
        other => Err((other.len_utf8(), "YAML does not know it")),
    }
}

/// The first tab where SnakeYAML 2.5 looks for a token: it skips only spaces between tokens, so
/// a tab is allowed only inside a scalar (not in the indentation of a plain scalar's continuation
/// line), right after a plain scalar on its line, or in a comment. `scalars` are the spans of the
/// document's scalars, sorted, with whether each is plain.
pub fn tabs(file: FileId, text: &str, scalars: &[(Span, bool)]) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let inside = |pos: usize| {
        let i = scalars.partition_point(|(s, _)| s.start <= pos);
        i.checked_sub(1)
            .map(|i| scalars[i])
            .filter(|(s, _)| pos < s.end)
    };
    let mut from = 0;
    while let Some(rel) = text[from..].find('\t') {
        let at = from + rel;
        from = at + 1;
        let (line_start, line_end) = line_bounds(text, at);
        // the last scalar starting at or before the tab
        let i = scalars.partition_point(|(s, _)| s.start <= at);
        if let Some(&(span, plain)) = i.checked_sub(1).and_then(|i| scalars.get(i)) {
            if at < span.end {
                // inside a scalar; in a plain one, not in a continuation line's indentation
                let indentation = plain
                    && line_start > span.start
                    && text[line_start..at]
                        .bytes()
                        .all(|b| b == b' ' || b == b'\t');
                if !indentation {
                    from = from.max(if plain { at + 1 } else { span.end });
                    continue;
                }
            } else if plain && text[span.end..at].bytes().all(|b| b == b' ' || b == b'\t') {
                // trailing blanks of a plain scalar: skip the whole run
                from = text[at..]
                    .find(|c| c != ' ' && c != '\t')
                    .map_or(text.len(), |k| at + k);
                continue;
            }
        }
        // in a comment: a `#` before it on the line, after a blank, outside any scalar
        let in_comment = text[line_start..at].char_indices().any(|(k, c)| {
            let pos = line_start + k;
            c == '#' && (k == 0 || matches!(bytes[pos - 1], b' ' | b'\t')) && inside(pos).is_none()
        });
        if in_comment {
            from = line_end.max(from);
            continue;
        }
        return Some(tab(file, text, at));
    }
    None
}

/// `%YAML` directives with a major version other than 1, which SnakeYAML rejects.
pub fn directives(file: FileId, text: &str) -> Option<Diagnostic> {
    for (start, line) in crate::yaml::lines_with_offsets(text) {
        if line.starts_with("---")
            || (!line.starts_with('%') && !line.trim().is_empty() && !line.starts_with('#'))
        {
            return None;
        }
        let Some(version) = line.strip_prefix("%YAML") else {
            continue;
        };
        let v = version.trim();
        let v = v.split('#').next().unwrap_or("").trim();
        if !v.starts_with("1.") {
            let at = start + line.find(v).unwrap_or(0);
            return Some(
                Diagnostic::new(
                    &YAML_VERSION,
                    file,
                    Span::new(at, at + v.len()),
                    text!(
                        "`%YAML {}`: the server's YAML reader accepts only version 1.x",
                        Piece::source(file, Span::new(at, at + v.len()))
                    ),
                )
                .label("unsupported version")
                .help("remove the directive, or write `%YAML 1.1`"),
            );
        }
    }
    None
}

/// A character SnakeYAML's reader refuses anywhere in the text.
fn unprintable_char(file: FileId, span: Span, c: char) -> Diagnostic {
    Diagnostic::new(
        &YAML_UNPRINTABLE,
        file,
        span,
        text!(
            "the text contains the control character {}, which YAML does not allow",
            char_name(c)
        ),
    )
    .label(char_name(c))
    .help("remove it; if it is meant, write it as an escape inside double quotes (`\\e`, `\\0`)")
}

/// Whether SnakeYAML's reader accepts a character: tab, LF, CR, printable ASCII, NEL, and the
/// rest of Unicode but C1 controls and U+FFFE/U+FFFF.
fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// The first character the server's YAML reader refuses (ESC, BEL, DEL, a C1 control...).
pub fn unprintable(file: FileId, text: &str) -> Option<Diagnostic> {
    let (at, c) = if text.is_ascii() {
        let at = text.bytes().position(|b| {
            !(b == b'\t' || b == b'\n' || b == b'\r' || (b' '..=b'~').contains(&b))
        })?;
        (at, char::from(text.as_bytes()[at]))
    } else {
        text.char_indices().find(|(_, c)| !printable(*c))?
    };
    Some(unprintable_char(file, Span::new(at, at + c.len_utf8()), c))
}

/// NEL, LS and PS: line breaks to the server, not to us.
pub fn line_separators(file: FileId, text: &str) -> Option<Diagnostic> {
    if text.is_ascii() {
        return None;
    }
    let (at, c) = text
        .char_indices()
        .find(|(_, c)| matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'))?;
    Some(
        Diagnostic::new(
            &YAML_LINE_SEPARATOR,
            file,
            Span::new(at, at + c.len_utf8()),
            text!(
                "the text contains {}, which the server's YAML 1.1 reader treats as a line break",
                char_name(c)
            ),
        )
        .label(char_name(c))
        .help("replace it with a normal line break, or remove it"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_quoted_by_span_or_named_by_the_tool() {
        let text = "a:\n  base-url: https://x/fhir\n   my-key: PT5S\n";
        let Err(e) = crate::yaml::load(text, crate::yaml::Limits::default()) else {
            panic!("parses");
        };
        let d = diagnostic(0, text, &e);
        assert_eq!(d.rule.name, "yaml-indentation");
        let at = text.find("my-key").unwrap_or(0);
        assert_eq!(
            d.message.pieces()[1],
            Piece::source(0, Span::new(at, at + "my-key".len()))
        );
        assert!(d.message.pieces().contains(&Piece::from("base-url")));
        assert!(
            d.message
                .pieces()
                .iter()
                .all(|p| matches!(p, Piece::Own(_) | Piece::Source { .. }))
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(escape_len("n"), Ok(1));
        assert_eq!(escape_len("x41"), Ok(3));
        assert_eq!(escape_len("xZZ\"").map_err(|e| e.0), Err(3));
        assert_eq!(escape_len("ud800").map_err(|e| e.0), Err(5));
        assert_eq!(escape_len("q").map_err(|e| e.0), Err(1));
    }

    #[test]
    fn tabs_where_snakeyaml_rejects_them() {
        let at = |text: &str, scalars: &[(Span, bool)]| {
            tabs(0, text, scalars).map(|d| d.primary.span.start)
        };
        // after `key:` (no scalar around it)
        assert_eq!(
            at(
                "a:\tb\n",
                &[(Span::new(0, 1), true), (Span::new(3, 4), true)]
            ),
            Some(2)
        );
        // inside quotes and after a plain value: fine
        assert_eq!(
            at(
                "a: 'x\ty'\n",
                &[(Span::new(0, 1), true), (Span::new(3, 8), false)]
            ),
            None
        );
        assert_eq!(
            at(
                "a: x\t# c\n",
                &[(Span::new(0, 1), true), (Span::new(3, 4), true)]
            ),
            None
        );
        // after a flow comma
        assert_eq!(
            at(
                "{a: 1,\tb: 2}\n",
                &[
                    (Span::new(1, 2), true),
                    (Span::new(4, 5), true),
                    (Span::new(7, 8), true),
                    (Span::new(10, 11), true)
                ]
            ),
            Some(6)
        );
    }
}
