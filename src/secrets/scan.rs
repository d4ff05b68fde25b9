//! The text scan for secrets, for where the parsed tree cannot say: a file that fails to parse,
//! a misspelled key, text YAML reads otherwise than a person does. It finds values after
//! secret-like keys (`password:`, `pssword :`, `apikey=`, `"token":"…"`), with their quoted,
//! block, flow or plain continuation lines, and in the block structure the whole rest of the
//! key's line, whatever YAML makes of it (a tag, an anchor, a comment, text after a quote);
//! values anchored elsewhere (`x: &a …`) and aliased by a secret key (`password: *a`); and
//! credentials on command lines (`--token X`, `-u user:pass`). Line breaks are those of the
//! server's YAML reader: LF, CR, NEL, LS and PS.
//!
//! Every scan here is linear in the text: the scan keeps where it is (line, flow depth, quote)
//! from key to key, and never rescans text it has passed.

use super::names::{Secrecy, secrecy};
use crate::source::Span;
use std::collections::{HashMap, HashSet};

/// Length of the line break at byte `i`: LF, CR, CR LF, NEL (U+0085), LS (U+2028) or PS
/// (U+2029); 0 when there is none.
pub(crate) fn break_len(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') => 1,
        Some(0xC2) if bytes.get(i + 1) == Some(&0x85) => 2,
        Some(0xE2)
            if bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
        {
            3
        }
        _ => 0,
    }
}

/// Whether the line starting at `i` follows a NEL, LS or PS (not LF or CR).
fn unicode_break_before(bytes: &[u8], i: usize) -> bool {
    let before = &bytes[..i.min(bytes.len())];
    before.ends_with(&[0xC2, 0x85])
        || before.ends_with(&[0xE2, 0x80, 0xA8])
        || before.ends_with(&[0xE2, 0x80, 0xA9])
}

/// Where the line holding `from` ends (its line break, or the end of the text).
pub(crate) fn line_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' | b'\r' => return i,
            0xC2 | 0xE2 if break_len(bytes, i) > 0 => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Where the line after the one holding `from` starts (the end of the text on the last line).
fn next_line(text: &str, from: usize) -> usize {
    let e = line_end(text, from);
    e + break_len(text.as_bytes(), e)
}

/// Whether a line is blank: nothing but white space.
fn blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// `---` or `...` at the start of a line, alone or before a blank.
fn document_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && matches!(line.as_bytes().get(3), None | Some(b' ' | b'\t'))
}

/// The key of a line that holds one (`key:`, `- key: value`, `"key" : value`), from the text
/// after its indentation.
fn key_of_line(body: &str) -> Option<&str> {
    let mut t = body;
    // list items
    while let Some(rest) = t.strip_prefix('-') {
        if !rest.starts_with([' ', '\t']) {
            break;
        }
        t = rest.trim_start_matches([' ', '\t']);
    }
    let bytes = t.as_bytes();
    let sep_after = |at: usize| matches!(bytes.get(at + 1), None | Some(b' ' | b'\t'));
    match bytes.first() {
        None | Some(b'#') => None,
        Some(&q @ (b'\'' | b'"')) => {
            let close = closing_quote(t, 1, q);
            let rest = t.get(close + 1..)?;
            let colon = close + 1 + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
            (bytes.get(colon) == Some(&b':') && sep_after(colon)).then(|| &t[1..close])
        }
        _ => {
            let colon = t
                .match_indices(':')
                .map(|(c, _)| c)
                .find(|&c| sep_after(c))?;
            let key = t[..colon].trim_end_matches([' ', '\t']);
            (!key.is_empty() && !key.contains(" #")).then_some(key)
        }
    }
}

/// Whether a line (after its indentation) holds a key of the block structure: not one written
/// inside a flow collection (`a, b: c`), nor a closing bracket.
fn block_key_line(body: &str) -> bool {
    !body.starts_with(['}', ']'])
        && key_of_line(body).is_some_and(|k| !k.contains([',', '{', '}', '[', ']']))
}

/// Indentation (spaces and tabs) of the line starting at `line_start`, and whether it holds a
/// tab.
fn indentation(text: &str, line_start: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut i = line_start;
    let mut tab = false;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        tab |= bytes[i] == b'\t';
        i += 1;
    }
    (i - line_start, tab)
}

/// How a value goes on after its first line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rest {
    /// A plain value: on lines indented deeper than its key, and on tab-indented lines that hold
    /// no key (a tab is no indentation to YAML, but a reader sees one).
    Plain,
    /// A block scalar (`|`, `>-`), or a value that starts on the next line: on every line up to
    /// the next one that holds a key at the key's indentation or less, or a document marker, so
    /// content indented too little or with tabs (which YAML rejects, but a snippet shows) stays
    /// hidden.
    Block,
}

/// Where a value continued on the lines after the one at `line_start` ends (blank lines
/// included, but not at the end), if it continues at all.
fn continuation(text: &str, line_start: usize, key_indent: usize, rest: Rest) -> Option<usize> {
    let mut end = None;
    let mut next = next_line(text, line_start);
    while next < text.len() {
        let le = line_end(text, next);
        let line = &text[next..le];
        if !blank(line) {
            if document_marker(line) {
                break;
            }
            let (indent, tab) = indentation(text, next);
            if indent <= key_indent {
                let key_line = key_of_line(&line[indent..]).is_some();
                let goes_on = match rest {
                    // after a NEL, LS or PS the reader sees the value go on (an editor may
                    // not even break the line there), whatever YAML makes of the rest
                    Rest::Plain => {
                        (tab || unicode_break_before(text.as_bytes(), next)) && !key_line
                    }
                    Rest::Block => !key_line,
                };
                if !goes_on {
                    break;
                }
            }
            end = Some(le);
        }
        next = next_line(text, next);
    }
    end
}

/// The key written just before byte `sep` (a `:` or `=`), without quotes or the blanks between
/// it and `sep`: its start, its text and whether it was quoted.
fn key_before(text: &str, sep: usize) -> (usize, &str, bool) {
    let bytes = text.as_bytes();
    let mut k = sep;
    while k > 0 && matches!(bytes[k - 1], b' ' | b'\t') {
        k -= 1;
    }
    let mut quoted = false;
    while k > 0 && matches!(bytes[k - 1], b'\'' | b'"') {
        k -= 1;
        quoted = true;
    }
    let end = k;
    // letters and digits of any script (`tоken` with a Cyrillic `о`, fullwidth `ｐｗ`), `-`,
    // `_` and `.`; no white space (NEL, LS and PS are line breaks)
    let start = text[..end]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.')
                || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
        })
        .last()
        .map_or(end, |(i, _)| i);
    (start, &text[start..end], quoted)
}

/// Where the scan is in the text: the line, and whether it is inside a flow collection or a
/// quoted scalar. It only moves forward, over each byte once, so the scan stays linear however
/// many keys a (hostile, long) line holds.
#[derive(Default)]
struct Tracker {
    /// Scanned up to here.
    pos: usize,
    line_start: usize,
    /// Indentation of the line, once its first character that is not a blank was seen.
    indent: Option<usize>,
    /// Open `{` and `[`.
    depth: usize,
    /// Indentation of the line where the outermost open bracket or quote was opened.
    open_indent: usize,
    quote: Option<u8>,
    comment: bool,
    /// The byte before, 0 at the start of a line.
    prev: u8,
}

/// Whether a quote, bracket or comment may start after `prev` (not inside a plain word:
/// `it's`, `a{b`).
fn token_start(prev: u8) -> bool {
    matches!(prev, 0 | b' ' | b'\t' | b':' | b',' | b'[' | b'{')
}

impl Tracker {
    /// Move to byte `to` (nothing when it is there already).
    fn advance(&mut self, text: &str, to: usize) {
        let bytes = text.as_bytes();
        let to = to.min(bytes.len());
        let mut j = self.pos;
        while j < to {
            let br = break_len(bytes, j);
            if br > 0 {
                j += br;
                self.line_start = j;
                self.indent = None;
                self.comment = false;
                self.prev = 0;
                continue;
            }
            let b = bytes[j];
            if self.indent.is_none() && !matches!(b, b' ' | b'\t') {
                let indent = j - self.line_start;
                self.indent = Some(indent);
                // a bracket or quote left open (a syntax error, or brackets in a block
                // scalar) ends at the next key of the block structure at its level
                if (self.depth > 0 || self.quote.is_some()) && indent <= self.open_indent {
                    let body = &text[j..line_end(text, j)];
                    if document_marker(body) || block_key_line(body) {
                        self.depth = 0;
                        self.quote = None;
                    }
                }
            }
            let mut step = 1;
            if self.comment {
                // to the end of the line
            } else if let Some(q) = self.quote {
                match b {
                    b'\\' if q == b'"' && break_len(bytes, j + 1) == 0 => step = 2,
                    b'\'' if q == b'\'' && bytes.get(j + 1) == Some(&b'\'') => step = 2,
                    _ if b == q => self.quote = None,
                    _ => {}
                }
            } else {
                match b {
                    b'#' if matches!(self.prev, 0 | b' ' | b'\t') => self.comment = true,
                    b'\'' | b'"' if token_start(self.prev) => {
                        if self.depth == 0 {
                            self.open_indent = self.indent.unwrap_or(0);
                        }
                        self.quote = Some(b);
                    }
                    b'{' | b'[' if token_start(self.prev) => {
                        if self.depth == 0 {
                            self.open_indent = self.indent.unwrap_or(0);
                        }
                        self.depth = self.depth.saturating_add(1);
                    }
                    b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
            }
            self.prev = b;
            j += step;
        }
        self.pos = self.pos.max(j);
    }

    /// Indentation of the current line.
    fn indent(&self, text: &str) -> usize {
        self.indent
            .unwrap_or_else(|| indentation(text, self.line_start).0)
    }
}

/// Where a value written inside a flow collection, starting at `s`, ends: at the first `,`, `}`
/// or `]` outside a quote, a comment or a collection of its own, across lines; or before a line
/// that goes back to the block structure (a key at `open_indent` or less, a document marker).
fn flow_end(text: &str, s: usize, open_indent: usize) -> usize {
    flow_scan(text, s, open_indent, false)
}

/// Where a flow collection opening at `s` (`[a, b]`, `{x: y}`) ends: after its closing bracket,
/// or where [`flow_end`] would stop looking.
fn collection_end(text: &str, s: usize, open_indent: usize) -> usize {
    flow_scan(text, s, open_indent, true)
}

fn flow_scan(text: &str, s: usize, open_indent: usize, collection: bool) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut prev = 0u8;
    let mut j = s;
    while j < bytes.len() {
        let br = break_len(bytes, j);
        if br > 0 {
            let next = j + br;
            let (indent, _) = indentation(text, next);
            let le = line_end(text, next);
            if document_marker(&text[next..le])
                || (indent <= open_indent && block_key_line(&text[next + indent..le]))
            {
                return j;
            }
            j = next;
            prev = 0;
            continue;
        }
        let b = bytes[j];
        match b {
            b'\'' | b'"' if token_start(prev) => {
                j = closing_quote(text, j + 1, b).saturating_add(1);
                prev = b;
                continue;
            }
            b'#' if matches!(prev, 0 | b' ' | b'\t') => {
                j = line_end(text, j);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b',' | b'}' | b']' if depth == 0 => return j,
            b'}' | b']' => {
                depth -= 1;
                if collection && depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        prev = b;
        j += 1;
    }
    bytes.len()
}

/// Where a value stands: the line of its key and whether it is in a flow collection.
struct Ctx {
    line_start: usize,
    key_indent: usize,
    flow: bool,
    /// Indentation of the line where the flow collection opened.
    open_indent: usize,
    /// A key of the top level of the block structure (in a connections config, a connection
    /// id: a name, not a secret key).
    top: bool,
}

impl Ctx {
    fn of(text: &str, at: &Tracker, key_start: Option<usize>) -> Ctx {
        Ctx {
            line_start: at.line_start,
            key_indent: at.indent(text),
            flow: at.depth > 0,
            open_indent: at.open_indent,
            top: at.depth == 0 && key_start == Some(at.line_start),
        }
    }
}

/// Whether the value of the key on the line at `line_start` is a block mapping: the first line
/// after it that holds more than a comment is a key indented deeper (not a list item).
fn opens_mapping(text: &str, line_start: usize, key_indent: usize) -> bool {
    let mut next = next_line(text, line_start);
    while next < text.len() {
        let le = line_end(text, next);
        let (indent, _) = indentation(text, next);
        let body = &text[next + indent..le];
        if !blank(body) && !body.starts_with('#') {
            return indent > key_indent && !body.starts_with('-') && key_of_line(body).is_some();
        }
        next = next_line(text, next);
    }
    false
}

/// The first byte from `s` that is not a space or tab.
fn skip_blanks(bytes: &[u8], mut s: usize) -> usize {
    while matches!(bytes.get(s), Some(b' ' | b'\t')) {
        s += 1;
    }
    s
}

/// Where a token (an anchor, tag or alias name) starting at `s` ends.
fn token_end(bytes: &[u8], mut s: usize) -> usize {
    while s < bytes.len()
        && !matches!(bytes[s], b' ' | b'\t' | b',' | b'[' | b']' | b'{' | b'}')
        && break_len(bytes, s) == 0
    {
        s += 1;
    }
    s
}

/// What to mask of a value: a span, less the quotes around a quoted scalar (they are no part
/// of the secret, and a reader sees where it starts and ends).
#[derive(Clone, Copy)]
struct Masked {
    span: Span,
    /// The opening and the closing quote, if any.
    quotes: Option<(usize, usize)>,
}

impl Masked {
    /// The regions to mask.
    fn push_to(self, out: &mut Vec<Span>) {
        let Some((open, close)) = self.quotes else {
            out.push(self.span);
            return;
        };
        let mut at = self.span.start;
        for q in [open, close] {
            if q >= at && q < self.span.end {
                out.push(Span::new(at, q));
                at = q + 1;
            }
        }
        out.push(Span::new(at, self.span.end));
    }
}

/// What to mask of the value written after a secret key's separator (at `after`): `None` when
/// there is nothing to mask. An alias names its anchor in `aliases`.
///
/// In the block structure that is everything after the separator to the end of the line, and to
/// the end of the line where the value ends, whatever YAML makes of it: a tag or an anchor
/// (`password: !abc`, `&abc`), a comment (`abc #def`), a block header (`>abc`), text after a
/// closing quote (`"abc"def`) or an alias (`*a def`) are all a secret someone wrote. In a flow
/// collection the value ends at the next `,`, `}` or `]`.
fn value_span<'t>(
    text: &'t str,
    after: usize,
    ctx: &Ctx,
    kind: Secrecy,
    aliases: &mut HashSet<&'t str>,
) -> Option<Masked> {
    let bytes = text.as_bytes();
    let start = skip_blanks(bytes, after);
    // the end of the key's line: looked for only in the block structure, where the value takes
    // the rest of the line (many keys on one long flow line would make it quadratic)
    let le = || line_end(text, start);
    let mut s = start;
    // an anchor or a tag before the value
    while matches!(bytes.get(s), Some(b'&' | b'!')) {
        s = skip_blanks(bytes, token_end(bytes, s));
    }
    // a comment alone after the key: the value (if any) is on the lines below
    let comment =
        bytes.get(s) == Some(&b'#') && matches!(bytes.get(s.wrapping_sub(1)), Some(b' ' | b'\t'));
    let at_line_end = s >= bytes.len() || break_len(bytes, s) > 0 || comment;
    let core = match bytes.get(s) {
        Some(b'*') => {
            // an alias: the anchored value is the secret too (not for the names of an
            // authentication, whose anchored value may be a block of settings)
            let end = token_end(bytes, s);
            if kind == Secrecy::Any && end > s + 1 {
                aliases.insert(&text[s + 1..end]);
            }
            Span::new(s, end)
        }
        Some(&q @ (b'\'' | b'"')) => Span::new(s + 1, closing_quote(text, s + 1, q)),
        // a block of settings: its keys are judged one by one
        Some(b'{' | b'[') if kind == Secrecy::Scalar => return None,
        // the same on the lines below; but a tag or anchor alone on the line is what is left
        // of a credential that starts with `!` or `&`
        _ if at_line_end && kind == Secrecy::Scalar => {
            return ((s > start || comment)
                && !ctx.flow
                && !opens_mapping(text, ctx.line_start, ctx.key_indent))
            .then_some(Masked {
                span: Span::new(start, le()),
                quotes: None,
            });
        }
        // a connection whose id reads like a secret (`no-password:`): its properties are
        // judged one by one, as the parsed tree judges them
        _ if at_line_end && ctx.top && opens_mapping(text, ctx.line_start, ctx.key_indent) => {
            return None;
        }
        _ if ctx.flow => Span::new(s, s),
        Some(b'|' | b'>') => {
            let end = continuation(text, ctx.line_start, ctx.key_indent, Rest::Block);
            let le = le();
            Span::new(le, end.unwrap_or(le))
        }
        // nothing on the line: a value on the lines below (a list, a scalar)
        _ if at_line_end => {
            let end = continuation(text, ctx.line_start, ctx.key_indent, Rest::Block);
            Span::new(s, end.unwrap_or(s))
        }
        _ => {
            let mut end = le();
            if let Some(more) = continuation(text, ctx.line_start, ctx.key_indent, Rest::Plain) {
                // a plain value continues on more indented lines
                end = more;
            }
            if matches!(bytes[s], b'{' | b'[') {
                // a flow collection, to its closing bracket (on whichever line)
                end = end.max(collection_end(text, s, ctx.key_indent));
            }
            Span::new(s, end)
        }
    };
    let quotes = matches!(bytes.get(s), Some(b'\'' | b'"'))
        .then_some((s, core.end))
        .filter(|&(_, close)| close < bytes.len());
    let end = if ctx.flow {
        // to the next `,`, `}` or `]` (quotes and collections of the value's own skipped),
        // across lines; a comment there is masked with it
        core.end.max(flow_end(text, s, ctx.open_indent))
    } else {
        line_end(text, core.end.max(le()))
    };
    Some(Masked {
        span: Span::new(start, end),
        quotes,
    })
}

/// Values after secret-like keys, found in the text alone; and the values anchored where a
/// secret key's value is an alias.
pub(crate) fn scan(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut aliases: HashSet<&str> = HashSet::new();
    let mut at = Tracker::default();
    // the end of the line where a quote a key was found in does not close
    let mut unclosed = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c != b':' && c != b'=' {
            i += 1;
            continue;
        }
        let (key_start, key, quoted) = key_before(text, i);
        let after = i + 1;
        i += 1;
        let sep_ok = c == b'='
            // `"token":"…"` (JSON style) needs no blank after a quoted key
            || quoted
            || matches!(bytes.get(after), None | Some(b' ' | b'\t'))
            || break_len(bytes, after) > 0;
        if key.is_empty() || !sep_ok {
            continue;
        }
        // (`secrecy` remembers the keys a config repeats)
        let kind = secrecy(key);
        if kind == Secrecy::No {
            continue;
        }
        // `name=value` in a URL's query or fragment: up to the next parameter
        if c == b'=' && key_start > 0 && matches!(bytes[key_start - 1], b'?' | b'&' | b'#' | b';') {
            let end = param_end(text, after);
            out.push(Span::new(after, end));
            i = end.max(i);
            continue;
        }
        at.advance(text, after);
        if let Some(q) = at.quote {
            // a key inside a quoted scalar (`"Authorization: Bearer …"`, `"DB_PASSWORD=…"`):
            // the value ends at the closing quote, when that is on the line; what is written
            // right after that quote (a syntax error) too
            // a line searched in vain is not searched again (linear on a hostile line)
            if unclosed.is_none_or(|le| after > le) {
                match quote_on_line(bytes, after, q) {
                    Ok(close) => {
                        out.push(Span::new(skip_blanks(bytes, after).min(close), close));
                        let junk = token_end(bytes, close + 1);
                        out.push(Span::new(close + 1, junk));
                        i = junk.max(i);
                        continue;
                    }
                    Err(le) => unclosed = Some(le),
                }
            }
        }
        let ctx = Ctx::of(text, &at, Some(key_start));
        if let Some(v) = value_span(text, after, &ctx, kind, &mut aliases) {
            v.push_to(&mut out);
            i = v.span.end.max(i);
        }
    }
    if !aliases.is_empty() {
        out.extend(anchored(text, &aliases));
    }
    out
}

/// URL parameters masked one by one; the rest of a query or fragment is masked whole.
pub(crate) const MAX_PARAMS: usize = 1000;

/// Where a URL parameter's value starting at `from` ends.
fn param_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(|ch: char| matches!(ch, '&' | '#' | ';' | '\'' | '"') || ch.is_whitespace())
        .map_or(text.len(), |x| from + x)
}

/// The values anchored (`&name`) under the names a secret key aliases (`password: *name`):
/// plain, quoted, block or a whole collection.
fn anchored(text: &str, names: &HashSet<&str>) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = Tracker::default();
    // aliases inside an anchored value are not followed further
    let mut ignored = HashSet::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find('&') {
        let a = from + rel;
        from = a + 1;
        let end = token_end(bytes, a + 1);
        if !names.contains(&text[a + 1..end]) {
            continue;
        }
        at.advance(text, a);
        if a != at.line_start && !token_start(bytes[a - 1]) {
            continue;
        }
        let ctx = Ctx::of(text, &at, None);
        if let Some(v) = value_span(text, end, &ctx, Secrecy::Any, &mut ignored) {
            v.push_to(&mut out);
            from = from.max(v.span.end);
        }
    }
    out
}

/// The closing quote `q` of a quoted scalar that opens before `from`, if it is on the same line;
/// otherwise where that line ends.
fn quote_on_line(bytes: &[u8], from: usize, q: u8) -> Result<usize, usize> {
    let mut j = from;
    while j < bytes.len() {
        if break_len(bytes, j) > 0 {
            return Err(j);
        }
        match bytes[j] {
            b'\\' if q == b'"' && break_len(bytes, j + 1) == 0 => j += 2,
            b'\'' if q == b'\'' && bytes.get(j + 1) == Some(&b'\'') => j += 2,
            b if b == q => return Ok(j),
            _ => j += 1,
        }
    }
    Err(bytes.len())
}

/// The closing quote of a quoted value that opens before `from` (`''` and `\"` are escapes);
/// the end of the text when it never closes.
fn closing_quote(text: &str, from: usize, q: u8) -> usize {
    let bytes = text.as_bytes();
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' if q == b'"' => j += 2,
            b if b == q => {
                if q == b'\'' && bytes.get(j + 1) == Some(&b'\'') {
                    j += 2;
                } else {
                    return j;
                }
            }
            _ => j += 1,
        }
    }
    text.len()
}

/// Whether a URL parameter name carries a credential.
pub(crate) fn secret_param(name: &str) -> bool {
    let n = crate::props::fold(name).to_ascii_lowercase();
    secrecy(name) != Secrecy::No
        || [
            "key",
            "sig",
            "auth",
            "code",
            "credential",
            "session",
            "jwt",
            "assertion",
            "token",
            "secret",
            "pass",
        ]
        .iter()
        .any(|w| n.contains(w))
        || n.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "sid")
}

/// What a command-line flag takes that is a credential.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagKind {
    /// Not a credential (`--port`, `--password-file`).
    No,
    /// The next argument, or the value after `=` (`--db-pass X`, `--token=Y`, `-p X`).
    Value,
    /// `user:password`: the part after the first `:` (`-u admin:pw`, `--user=admin:pw`).
    UserPassword,
}

/// How a flag's name (without its dashes) is judged. `-p` is a password to mysql, sshpass and
/// others and a port to ssh or psql: its value is masked either way (a port shown as `****` in
/// a snippet costs a reader little, a password shown costs much more), and so is a value
/// written right after it (`-pS3cret`, mysql's form; `-print` becomes `-p****`).
fn flag_kind(name: &str, dashes: usize) -> FlagKind {
    match (dashes, name) {
        (1, "p") => FlagKind::Value,
        (1, "u") | (2, "user") => FlagKind::UserPassword,
        _ if secrecy(name) != Secrecy::No => FlagKind::Value,
        _ => FlagKind::No,
    }
}

/// Credentials on command lines (a compose file's `command:`, `entrypoint:` or `healthcheck:`,
/// as one string or a list, in any service, where a snippet may show them as context): the
/// argument after a flag named like a secret (`--db-pass X`, `--token=Y`, `-storepass X`,
/// `"--token", "Y"` in a list), after `-p` or attached to it (`-pS3cret`), and the password of
/// `-u user:pass` / `--user user:pass`.
pub(crate) fn flag_secrets(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut judged: HashMap<(&str, usize), FlagKind> = HashMap::new();
    let mut at = Tracker::default();
    let mut from = 0;
    while let Some(rel) = text[from..].find('-') {
        let d = from + rel;
        from = d + 1;
        // a flag starts a word: after a blank, a quote, a bracket or a comma
        if d > 0
            && !matches!(
                bytes[d - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'[' | b',' | b'('
            )
        {
            continue;
        }
        let dashes = if bytes.get(d + 1) == Some(&b'-') {
            2
        } else {
            1
        };
        let name_start = d + dashes;
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut name_end = name_start;
        while bytes
            .get(name_end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            name_end += 1;
        }
        from = name_end;
        let name = &text[name_start..name_end];
        let kind = *judged
            .entry((name, dashes))
            .or_insert_with(|| flag_kind(name, dashes));
        at.advance(text, d);
        let enclosing = at.quote;
        // mysql's `-pS3cret` (and `-password X`: both), curl's `-uadmin:pw`
        let attached = dashes == 1 && name.len() > 1 && matches!(name.as_bytes()[0], b'p' | b'u');
        if attached {
            let end = word_end(bytes, name_start + 1, enclosing, false);
            if name.starts_with('p') {
                out.push(Span::new(name_start + 1, end));
            } else if let Some(c) = text[name_start + 1..end].find(':') {
                out.push(Span::new(name_start + 1 + c + 1, end));
            }
            from = from.max(end);
        }
        if kind == FlagKind::No {
            continue;
        }
        let Some((v, list)) = flag_value(text, name_end, enclosing) else {
            continue;
        };
        // the next item of a list is a scalar of its own: quoted, or plain up to `,` or `]`
        let value = match bytes.get(v) {
            Some(&q @ (b'"' | b'\'')) if list || Some(q) != enclosing => {
                let end = quote_on_line(bytes, v + 1, q).unwrap_or_else(|le| le);
                Span::new(v + 1, end)
            }
            _ if list => Span::new(v, word_end(bytes, v, None, true)),
            _ => Span::new(v, word_end(bytes, v, enclosing, false)),
        };
        match kind {
            FlagKind::UserPassword => {
                if let Some(c) = text[value.start..value.end].find(':') {
                    out.push(Span::new(value.start + c + 1, value.end));
                }
            }
            _ => out.push(value),
        }
        from = from.max(value.end);
    }
    out
}

/// Where a command-line word starting at `s` ends: at a blank, a line break, the quote the
/// command is written in, and in a list at `,` or `]`.
fn word_end(bytes: &[u8], mut s: usize, enclosing: Option<u8>, list: bool) -> usize {
    while let Some(&b) = bytes.get(s) {
        if matches!(b, b' ' | b'\t')
            || break_len(bytes, s) > 0
            || Some(b) == enclosing
            || (list && matches!(b, b',' | b']'))
        {
            break;
        }
        s += 1;
    }
    s
}

/// Where the argument of a flag ending at `e` starts, and whether it is the next item of a list
/// (`"--token", "Y"`, `[--token, Y]`, or on the next line of a block list: `- --token` then
/// `- Y`); `None` when the flag takes nothing there.
fn flag_value(text: &str, e: usize, enclosing: Option<u8>) -> Option<(usize, bool)> {
    let bytes = text.as_bytes();
    match bytes.get(e) {
        Some(b'=') => return Some((e + 1, false)),
        Some(b' ' | b'\t') => {
            let v = skip_blanks(bytes, e);
            if v < bytes.len() && break_len(bytes, v) == 0 && bytes[v] != b'#' {
                return Some((v, false));
            }
        }
        _ => {}
    }
    // the flag is a list item of its own: its value is the next item
    let mut j = e;
    if enclosing.is_some() && bytes.get(j).copied() == enclosing {
        j += 1;
    }
    j = skip_blanks(bytes, j);
    if bytes.get(j) == Some(&b',') {
        let v = skip_blanks(bytes, j + 1);
        return (v < bytes.len() && break_len(bytes, v) == 0).then_some((v, true));
    }
    // a block list: this line is `- --flag`, the next `- value`
    if j < bytes.len() && break_len(bytes, j) == 0 {
        return None;
    }
    let le = j;
    let line_start = text[..e].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    if !text[line_start..e]
        .trim_start_matches([' ', '\t'])
        .starts_with("- ")
    {
        return None;
    }
    let next = next_line(text, le);
    let (indent, _) = indentation(text, next);
    let item = text.get(next + indent..)?.strip_prefix("- ")?;
    let v = next + indent + 2 + (item.len() - item.trim_start_matches([' ', '\t']).len());
    (v < bytes.len() && break_len(bytes, v) == 0).then_some((v, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MASK;
    use crate::secrets::masks::{merge, text_masks};
    use crate::secrets::url::url_credentials;

    fn masked(text: &str) -> String {
        let regions = merge(text, text_masks(text));
        let mut out = String::new();
        let mut at = 0;
        for r in regions {
            out.push_str(&text[at..r.start]);
            out.push_str(MASK);
            at = r.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// `text` masked: none of `hidden` shows, all of `shown` does.
    fn check(text: &str, hidden: &[&str], shown: &[&str]) {
        let m = masked(text);
        for h in hidden {
            assert!(!m.contains(h), "{h:?} shows in\n{m}\n(from {text:?})");
        }
        for s in shown {
            assert!(m.contains(s), "{s:?} is hidden in\n{m}\n(from {text:?})");
        }
    }

    #[test]
    fn values_after_secret_keys() {
        let m =
            masked("a:\n  password: 'hunter2'\n  token: abc # c\n  x: {client-secret: zz, y: 1}\n");
        assert!(
            !m.contains("hunter2") && !m.contains("abc") && !m.contains("zz"),
            "{m}"
        );
        // a comment after a secret is masked with it: it may be the rest of the secret
        assert!(!m.contains("# c") && m.contains("y: 1"), "{m}");
    }

    #[test]
    fn the_rest_of_a_secret_line_whatever_yaml_makes_of_it() {
        for key in [
            "password",
            "token",
            "client-secret",
            "DB_PASSWORD",
            "'password'",
        ] {
            for value in [
                "!zz1",
                "!!zz1",
                "!<zz1>",
                "!zz1 zz2",
                "&zz1",
                "&zz1 zz2",
                "abc #zz1",
                "abc\t#zz1",
                ">zz1",
                "|zz1",
                ">-zz1",
                "\"abc\"zz1",
                "'abc'zz1",
                "\"abc\" #zz1",
                "*a zz1",
                "*zz1",
                "abc\u{85}zz1",
                "abc\u{2028}zz1",
                "abc\u{2029}zz1",
                "abc\u{85}  zz1",
                "abc\u{85}#zz1",
                "!!str\u{85}zz1",
                "'abc' 'zz1'",
                "[a] zz1",
                "{a: b} zz1",
                "%zz1",
                "@zz1",
                "`zz1",
                "? zz1",
                "- zz1",
                ": zz1",
                "zz1: x",
            ] {
                check(
                    &format!("a:\n  basic-auth:\n    {key}: {value}\n    foo: 1\n"),
                    &["zz1", "zz2"],
                    &["foo: 1", "basic-auth:"],
                );
                // in a compose file's environment, and at the top level
                check(
                    &format!(
                        "services:\n  x:\n    environment:\n      {key}: {value}\n      FOO: 1\n"
                    ),
                    &["zz1", "zz2"],
                    &["FOO: 1"],
                );
                check(
                    &format!("{key}: {value}\nfoo: 1\n"),
                    &["zz1", "zz2"],
                    &["foo: 1"],
                );
            }
        }
        // a quoted value keeps its quotes visible
        check("password: 'zz1'\n", &["zz1"], &["password: '"]);
        check(
            "password: \"zz1\" # zz2\n",
            &["zz1", "zz2"],
            &["password: \""],
        );
        // `KEY=value` lines of an env file: the whole rest of the line
        check(
            "X_PASSWORD=abc #zz1\nY_TOKEN=\"abc\" zz2\nZ_SECRET='a'zz3\nFOO=bar # c\n",
            &["zz1", "zz2", "zz3"],
            &["FOO=bar # c"],
        );
        check("- DB_PASSWORD=abc #zz1\n- FOO=1\n", &["zz1"], &["- FOO=1"]);
        // in a flow collection: to the next `,`, `}` or `]`
        check(
            "{password: !zz1, x: 1, token: \"a\"zz2, y: 2, client-secret: &zz3, z: 3}\n",
            &["zz1", "zz2", "zz3"],
            &["x: 1", "y: 2", "z: 3"],
        );
        // a key inside a quoted string ends at its closing quote, which stays visible
        let m = masked("c: [\"curl\", \"-H\", \"Authorization: Bearer zz1\", \"http://x\"]\n");
        assert!(
            !m.contains("zz1") && m.contains("****\", \"http://x\"]"),
            "{m}"
        );
        check("- \"DB_PASSWORD=zz1\"zz2 # c\n", &["zz1", "zz2"], &["# c"]);
        // an anchor on a block of settings is no secret; on an empty value it may be one
        check(
            "a:\n  basic-auth: &b\n    username: u1\n  bearer-auth: &zz1\n  x: 1\n",
            &["zz1"],
            &["&b", "username: u1", "x: 1"],
        );
    }

    #[test]
    fn block_scalar_masks_end_at_their_content() {
        // the value of the tree ends where the next key starts: its indentation stays visible
        for text in [
            "a:\n  basic-auth:\n    password: >-\n      zz1\n      zz2\n    foo: 1\n",
            "a:\n  basic-auth:\n    password: |\n      zz1\n\n    foo: 1\n",
            "a:\n  basic-auth:\n    password: |+\n      zz1\n\n\n    foo: 1\n",
        ] {
            let m = masked(text);
            assert!(!m.contains("zz1") && m.contains("\n    foo: 1"), "{m}");
        }
    }

    #[test]
    fn multi_line_and_unterminated_and_misspelled() {
        let m = masked("a:\n  pssword: first\n    second\n  b: 1\n");
        assert!(
            !m.contains("first") && !m.contains("second") && m.contains("b: 1"),
            "{m}"
        );
        let m = masked("a:\n  client-secert: 'never\n  closed\n");
        assert!(!m.contains("never") && !m.contains("closed"), "{m}");
        let m = masked("a:\n  password: |\n    s3cret\n  b: 1\n");
        assert!(!m.contains("s3cret") && m.contains("b: 1"), "{m}");
        let m = masked("- DEV_DSF_PROXY_PASSWORD=s3cret\n");
        assert!(!m.contains("s3cret"), "{m}");
    }

    #[test]
    fn block_scalars_indented_too_little_or_with_tabs() {
        check(
            "a:\n  password: |\nless1\n\ttab1\n \t tab2\n  b: 1\n",
            &["less1", "tab1", "tab2"],
            &["b: 1", "password: "],
        );
        check(
            "a:\n  token: >-\n s1\n  s2\n    s3: x\n  # s4\n  c: 2\nd: 3\n",
            &["s1", "s2", "s3", "s4"],
            &["c: 2", "d: 3"],
        );
        // a list item holding a key, and a document marker, end it too
        check("- password: |+\nzz1\n- id: b\n", &["zz1"], &["- id: b"]);
        check("password: |\nzz1\n---\nx: 1\n", &["zz1"], &["---", "x: 1"]);
        check("password: >\n\tzz1\n...\n", &["zz1"], &["..."]);
        // a value that starts on the next line
        check(
            "a:\n  password:\n  zz1\n\tzz2\n  b: 1\n",
            &["zz1", "zz2"],
            &["b: 1"],
        );
        // a plain value goes on on tab-indented lines, but not onto the next key
        check(
            "a:\n  password: zz1\n\tzz2\n\tc: 3\n  b: 1\n",
            &["zz1", "zz2"],
            &["c: 3", "b: 1"],
        );
    }

    #[test]
    fn flow_values_across_lines() {
        check(
            "c: {password: \"abc\n def\", x: 1}\n",
            &["abc", "def"],
            &["x: 1"],
        );
        check("a: {token: abc\n  def}\nb: 2\n", &["abc", "def"], &["b: 2"]);
        check(
            "a: {x: 1, token: abc\n  def\n  ghi, y: 2}\n",
            &["abc", "def", "ghi"],
            &["x: 1", "y: 2"],
        );
        // the flow collection opened on an earlier line
        check(
            "x: {\n  token: abc\n  def, y: 1}\nz: 2\n",
            &["abc", "def"],
            &["y: 1", "z: 2"],
        );
        check("[{token: abc\n  def}, 5]\n", &["abc", "def"], &["5]"]);
        // quotes and collections of the value's own
        check(
            "{token: 'a, b}', password: [q1, {q2: q3}], x: 1}\n",
            &["a, b", "q1", "q2", "q3"],
            &["x: 1"],
        );
        check("{password:\n  abc, x: 1}\n", &["abc"], &["x: 1"]);
        check("{token: abc # c, d\n  , x: 1}\n", &["abc"], &["x: 1"]);
        // an unclosed bracket does not take the rest of the file
        check(
            "a: {token: abc\n  def\nb:\n  password: zz\n  username: u\n",
            &["abc", "def", "zz"],
            &["b:", "username: u"],
        );
        // a collection as a block value, across lines
        check(
            "a:\n  password: [zz1,\nzz2]\n  b: 1\n",
            &["zz1", "zz2"],
            &["b: 1"],
        );
        // JSON style
        check(
            "{\"a\": {\"token\":\"zz1\", \"password\" :\"zz2\", \"x\":1}}\n",
            &["zz1", "zz2"],
            &["\"x\":1"],
        );
    }

    #[test]
    fn a_connection_id_is_no_secret_key() {
        check(
            "no-password:\n  # c\n  base-url: https://x\n  cert-auth:\n    password: zz1\n",
            &["zz1"],
            &["base-url: https://x", "cert-auth:"],
        );
        // but a top-level secret written on the lines below is
        check("password:\n  zz1\nb: 1\n", &["zz1"], &["b: 1"]);
        check("- password:\n    k: zz1\n", &["zz1"], &[]);
        check("a:\n  password:\n    k: zz1\n", &["zz1"], &[]);
    }

    #[test]
    fn blanks_before_the_colon() {
        check("a:\n  password : zz1\n  b: 1\n", &["zz1"], &["b: 1"]);
        check("a:\n  token\t:\tzz1\n", &["zz1"], &[]);
        check("{client-secret  : zz1, x: 1}\n", &["zz1"], &["x: 1"]);
        check("'password' : zz1\n", &["zz1"], &[]);
    }

    #[test]
    fn unicode_line_breaks() {
        for br in ['\u{85}', '\u{2028}', '\u{2029}'] {
            check(
                &format!("a:\n  token:{br}    zz1\n  b: 1\n"),
                &["zz1"],
                &["b: 1"],
            );
            check(
                &format!("a:\n  token: zz1{br}  b: 1\n"),
                &["zz1"],
                &["b: 1"],
            );
            check(&format!("x: 1{br}password: zz1"), &["zz1"], &["x: 1"]);
            check(
                &format!("a:{br}  password: |{br}    zz1{br}zz2{br}  b: 1{br}"),
                &["zz1", "zz2"],
                &["b: 1"],
            );
            check(
                &format!("a: {{token: zz1{br}  zz2}}{br}b: 1"),
                &["zz1", "zz2"],
                &["b: 1"],
            );
        }
        assert_eq!(line_end("ab\u{2028}c", 0), 2);
        assert_eq!(next_line("ab\u{2028}c", 0), 5);
        assert_eq!(next_line("ab\u{85}c", 0), 4);
        assert_eq!(next_line("ab\r\nc", 0), 4);
    }

    #[test]
    fn anchors_aliased_by_a_secret() {
        check(
            "x: &a s3cr3t-value\ny: 1\npassword: *a\n",
            &["s3cr3t-value"],
            &["y: 1", "x: &a"],
        );
        check(
            "x: &a 's3cr3t'\ny: &b plain\nbasic-auth:\n  password: *a\n",
            &["s3cr3t"],
            &["plain"],
        );
        check(
            "x: &a |\n  s3cr3t\n  more\ny: 1\ntoken: *a\n",
            &["s3cr3t", "more"],
            &["y: 1"],
        );
        check(
            "x: &a\n  k: s3cr3t\ny: 1\ntoken: *a\n",
            &["s3cr3t"],
            &["y: 1"],
        );
        check(
            "{x: &a s3cr3t, y: 1, password: *a}\n",
            &["s3cr3t"],
            &["y: 1"],
        );
        check("- &a s3cr3t\n- token: *a\n", &["s3cr3t"], &[]);
        // a block of settings after a comment is not masked whole; a secret on the lines
        // below a comment is
        check(
            "a:\n  basic-auth: # c1\n    username: u1\n    password: zz1\n",
            &["zz1"],
            &["# c1", "username: u1"],
        );
        check(
            "a:\n  password: # c1\n    zz1\n  b: 1\n",
            &["zz1", "c1"],
            &["b: 1"],
        );
        // an anchored block of settings aliased by an authentication is not a secret
        check(
            "b: &b {username: u1}\nc:\n  basic-auth: *b\n",
            &[],
            &["username: u1"],
        );
        // a URL's `&` is no anchor
        check(
            "u: https://h/?_count=1&_format=json\npassword: *_format\n",
            &[],
            &["_count=1&_format=json"],
        );
    }

    #[test]
    fn more_secret_names_in_text() {
        check(
            "DB_PW: zz1\nadmin-pw: zz2\nSIGNING_KEY: zz3\nsession_cookie: zz4\nx: 1\n",
            &["zz1", "zz2", "zz3", "zz4"],
            &["x: 1"],
        );
        check("- NPM_AUTH=zz1\n- FOO=bar\n", &["zz1"], &["FOO=bar"]);
        check(
            "\u{ff50}\u{ff41}\u{ff53}\u{ff53}\u{ff57}\u{ff4f}\u{ff52}\u{ff44}: zz1\n",
            &["zz1"],
            &[],
        );
        check("t\u{043e}ken: zz1\n", &["zz1"], &[]);
        check("p\u{03b1}ssword: zz1\n", &["zz1"], &[]);
        // `auth` names: a scalar on the line is a secret, a block of settings is not
        check(
            "a:\n  basic-auth: zz1\n  bearer-auth: 'zz2'\n  oidc-auth: |\n    zz3\nb:\n  basic-auth:\n    username: u1\n    password: zz4\n  cert-auth: {p12-file: /p, password: zz5}\n",
            &["zz1", "zz2", "zz3", "zz4", "zz5"],
            &["username: u1", "p12-file: /p"],
        );
        check(
            "certificate-file: /c\nprivate-key-file: /k\nprivate-key-password: zz1\nSIGNING_KEY_FILE: /s\n",
            &["zz1"],
            &["/c", "/k", "/s"],
        );
    }

    #[test]
    fn a_url_of_many_parameters_is_masked_whole_past_a_thousand() {
        let query: Vec<String> = (0..1_500).map(|i| format!("p{i}=v{i}x")).collect();
        let url = format!("https://h/x?{}#frag=f1", query.join("&"));
        let shown = url_credentials(&url);
        for i in 0..1_500 {
            assert!(
                !shown.contains(&format!("=v{i}x")),
                "v{i}x in {}",
                &shown[..200]
            );
        }
        assert!(
            shown.contains("p999=****") && !shown.contains("p1000="),
            "{}",
            &shown[..200]
        );
        assert!(!shown.contains("f1"));
        assert!(masked(&format!("c:\n  base-url: {url}\n")).contains("p999=****"));
    }

    #[test]
    fn urls() {
        let m = masked("base-url: https://user:pa55@host/fhir?access_token=t0k&_count=1\n");
        assert!(!m.contains("pa55") && !m.contains("t0k"), "{m}");
        assert!(m.contains("user:") && m.contains("_count=1"), "{m}");
        assert_eq!(url_credentials("https://u:p@h/x"), "https://u:****@h/x");
        // a value continued on the next line, or holding a blank or a quote, is one URL
        for (value, hidden) in [
            ("https://h/fhir?x=1\n    &access_token=C1", "C1"),
            ("https://h/fhir?x=1\t&access_token=C2", "C2"),
            ("https://h/fhir?x='&access_token=C3", "C3"),
            ("https://user:C4\n    @h/fhir", "C4"),
            ("https://h/fhir?x=\"&token=C5", "C5"),
        ] {
            let shown = url_credentials(value);
            assert!(!shown.contains(hidden), "{value:?} -> {shown}");
        }
        assert_eq!(url_credentials("https://h/x"), "https://h/x");
        assert_eq!(
            url_credentials("https://h/cb#access_token=t1&id_token=t2&state=s3"),
            "https://h/cb#access_token=****&id_token=****&state=****"
        );
        assert_eq!(
            url_credentials(
                "https://h/x?session=s1&sid=s2&jwt=s3&assertion=s4&signature=s5&page=2#SID=s6"
            ),
            "https://h/x?session=****&sid=****&jwt=****&assertion=****&signature=****&page=****#SID=****"
        );
        assert_eq!(
            url_credentials("https://h/app;jsessionid=s1;v=2/p?x=1"),
            "https://h/app;jsessionid=****;v=2/p?x=****"
        );
        // any name, no name, an empty value; the FHIR API's formatting parameters stay
        for (url, shown) in [
            ("https://h/fhir#s3cr3t", "https://h/fhir#****"),
            ("https://h/fhir?s3cr3t", "https://h/fhir?****"),
            ("https://h/fhir?tok=s3cr3t", "https://h/fhir?tok=****"),
            (
                "https://h/fhir?tk=s3cr3t&t=s3cr3t",
                "https://h/fhir?tk=****&t=****",
            ),
            ("https://h/fhir#x=s3cr3t", "https://h/fhir#x=****"),
            ("https://h/fhir?a=&b", "https://h/fhir?a=&****"),
            ("https://h/fhir?a=1,s3cr3t", "https://h/fhir?a=****"),
            ("https://h/fhir?a=1;s3cr3t", "https://h/fhir?a=****;****"),
            ("https://h/fhir?=s3cr3t", "https://h/fhir?=****"),
            (
                "https://h/fhir?_format=json&_pretty=true",
                "https://h/fhir?_format=json&_pretty=true",
            ),
            (
                "https://h/fhir?_summary=count&_count=5#",
                "https://h/fhir?_summary=count&_count=5#",
            ),
            (
                "https://h/fhir?_format=s3cr3t#_format",
                "https://h/fhir?_format=s3cr3t#_format",
            ),
        ] {
            assert_eq!(url_credentials(url), shown, "{url}");
        }
        check(
            "u: https://h/cb#id_token=zz1&state=zz2\nx: 1\n",
            &["zz1", "zz2"],
            &["x: 1", "state="],
        );
        // a variable's `?` is no query
        assert_eq!(
            url_credentials("https://h/${P:?P}/x?t=zz1"),
            "https://h/${P:?P}/x?t=****"
        );
        // a flow collection's separator ends the URL
        check("{u: https://h/?a=zz1, x: 1}\n", &["zz1"], &["x: 1"]);
    }

    #[test]
    fn command_line_credentials() {
        check(
            "command: start --db-pass zz1 --port 8080 --token zz2 -p zz3 --password=zz4\n",
            &["zz1", "zz2", "zz3", "zz4"],
            &["--port 8080", "start --db-pass "],
        );
        // the value of a flag written as a list, quoted or not, on one line or as a block
        check(
            "test: [\"CMD\", \"mysqladmin\", \"-uroot\", \"-pzz1\", \"--password\", \"zz2\", \"-h\", \"db\"]\n",
            &["zz1", "zz2"],
            &["\"-uroot\"", "\"-h\", \"db\"]", "\"--password\", \""],
        );
        check("c: [--token, zz1, --x, y]\n", &["zz1"], &["--x, y]"]);
        check(
            "command:\n  - --api-key\n  - zz1\n  - --user=admin:zz2\n  - --name\n  - n1\n",
            &["zz1", "zz2"],
            &["--api-key", "--user=admin:", "- n1"],
        );
        // inside a quoted string: the value ends at a blank or the string's end (a header
        // quoted inside it takes the rest of the string: the shell's quotes are not YAML's)
        check(
            "e: [\"sh\", \"-c\", \"curl -u admin:zz1 -H 'X-Api-Key: zz2' http://x\"]\n",
            &["zz1", "zz2"],
            &["curl -u admin:", "\"]"],
        );
        check("c: sh -c 'mysql -pzz1 db'\n", &["zz1"], &[" db'"]);
        // files, flags without a value, words that only contain a dash
        check(
            "c: run --password-file /run/secrets/p --token-file /t --verbose a-token b\n",
            &[],
            &["/run/secrets/p", "/t", "a-token b"],
        );
        check("- -u root\n- -u 1000\n", &[], &["-u root", "-u 1000"]);
        check("c: --token\nd: 1\n", &[], &["d: 1"]);
    }

    #[test]
    fn the_scan_stays_linear_on_hostile_text() {
        let n = 200_000;
        let texts = [
            "{c: {password: 'p', token: t, client-secret: s}, ".repeat(n / 4),
            "password: zz\n".repeat(n / 2),
            format!("{{token: a\n{}", "b\n".repeat(n)),
            format!("x: &a v\n{}password: *a\n", "y: &a w\n".repeat(n / 4)),
            format!("a: [\n{}", "  password: 'x\n".repeat(n / 4)),
            "k : : : : password : ".repeat(n / 4),
            format!("password: |\n{}", "\tq\n".repeat(n)),
            "&a &a &a token: *a ".repeat(n / 4),
            "https://h/?token=a&b=c#sid=1 ".repeat(n / 8),
            "{x: &a v, password: *a, y: &a w, ".repeat(n / 4),
            format!("a:\n  token: >\n{}", "x\n".repeat(n)),
            format!("password:\n{}", "- x\n".repeat(n)),
            "a: 'x\n  b: \"y\n c: {z\n".repeat(n / 4),
            // keys inside quotes, on one line, closed and not
            format!("x: [{}]\n", "\"password: a\", ".repeat(n / 4)),
            format!("x: \"{}\n", "password: a, ".repeat(n / 4)),
            format!("x: [\"{}\n", "token: a, ".repeat(n / 4)),
            // command lines
            "--token --token -p -pabc \"--password\", ".repeat(n / 4),
            format!("c: \"{}\n", "--password \"a ".repeat(n / 4)),
            format!("c: [{}]\n", "--token, ".repeat(n / 4)),
            "- --token\n".repeat(n / 4),
            // URL parameters, and separators with nothing between them
            format!("https://h/?{}", "a=b&c;".repeat(n / 4)),
            format!("https://h/p{}#x", ";a=b".repeat(n / 4)),
            format!("https://h/{}", "&&;;##??".repeat(n / 4)),
            // NEL after NEL after a secret
            format!("password: a{}", "\u{85}b".repeat(n / 4)),
            format!("{{password: !a{}", ", token: !a".repeat(n / 4)),
        ];
        let started = std::time::Instant::now();
        for t in &texts {
            let _ = merge(t, text_masks(t));
        }
        // a quadratic path takes minutes here
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
