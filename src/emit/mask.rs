//! What to hide when a source is shown: the secret values the parsed tree found (relocated into
//! the host file for embedded sources), and what a scan of the text alone finds, so masking
//! holds where the tree does not exist or does not name the secret (a file that fails to parse,
//! a misspelled key): values after secret-like keys (`password:`, `pssword:`, `apikey=`), with
//! their quoted, block or plain continuation lines; the password part of credentials in URLs
//! (`https://user:pass@host`); and query parameters that carry a token or key.

use crate::model::props::is_secret_name;
use crate::source::{FileId, SourceDb, Span};
use std::borrow::Cow;

pub const MASK: &str = "****";

/// Every region to mask when `file` is shown, sorted and disjoint.
pub fn masks(db: &SourceDb, file: FileId) -> Vec<Span> {
    let text = &db.get(file).text;
    let mut regions = db.masks(file);
    regions.extend(scan(text));
    regions.extend(url_secrets(text));
    merge(text, regions)
}

fn merge(text: &str, mut regions: Vec<Span>) -> Vec<Span> {
    regions.retain(|s| !s.is_empty() && s.end <= text.len());
    regions.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(regions.len());
    for r in regions {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    // whole characters only
    for m in &mut merged {
        while !text.is_char_boundary(m.start) {
            m.start -= 1;
        }
        while !text.is_char_boundary(m.end) {
            m.end += 1;
        }
    }
    merged
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(['\n', '\r'])
        .map_or(text.len(), |x| from + x)
}

fn next_line(text: &str, from: usize) -> usize {
    let e = line_end(text, from);
    if text[e..].starts_with("\r\n") {
        e + 2
    } else if e < text.len() {
        e + 1
    } else {
        e
    }
}

fn indent(text: &str, line_start: usize) -> usize {
    let rest = &text[line_start..line_end(text, line_start)];
    rest.len() - rest.trim_start_matches([' ', '\t']).len()
}

/// Lines after `line_start` indented deeper than `key_indent` (blank lines included): the
/// continuation of a value. Returns where they end, if there are any.
fn continuation(text: &str, line_start: usize, key_indent: usize) -> Option<usize> {
    let mut end = None;
    let mut next = next_line(text, line_start);
    while next < text.len() {
        let le = line_end(text, next);
        let blank = text[next..le].trim().is_empty();
        if !blank && indent(text, next) <= key_indent {
            break;
        }
        if !blank {
            end = Some(le);
        }
        next = next_line(text, next);
    }
    end
}

/// The key written just before byte `sep` (a `:` or `=`), without quotes.
fn key_before(text: &str, sep: usize) -> &str {
    let bytes = text.as_bytes();
    let mut k = sep;
    while k > 0 && matches!(bytes[k - 1], b'\'' | b'"') {
        k -= 1;
    }
    let end = k;
    while k > 0
        && (bytes[k - 1].is_ascii_alphanumeric() || matches!(bytes[k - 1], b'-' | b'_' | b'.'))
    {
        k -= 1;
    }
    &text[k..end]
}

/// What the scan knows about the line it is on.
#[derive(Default)]
struct Line {
    start: usize,
    /// Scanned for `{`/`[` up to here.
    scanned: usize,
    flow: bool,
    indent: Option<usize>,
}

/// Values after secret-like keys, found in the text alone.
fn scan(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // keys repeat in a config: judge each spelling once
    let mut judged: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    let mut line = Line::default();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c != b':' && c != b'=' {
            i += 1;
            continue;
        }
        let key = key_before(text, i);
        let after = i + 1;
        i += 1;
        let sep_ok = if c == b'=' {
            // `KEY=value` (environment lists): no blank after `=`
            !key.is_empty()
        } else {
            matches!(bytes.get(after), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
        };
        if key.is_empty() || !sep_ok || !*judged.entry(key).or_insert_with(|| is_secret_name(key)) {
            continue;
        }
        // where the line starts, whether it is in a flow collection, and its indentation: kept
        // from key to key, so many keys on one (hostile, long) line stay linear
        if line.scanned > i || line.start > i {
            line = Line::default();
        }
        let from = line.scanned.max(line.start);
        if let Some(b) = text[from..i].rfind(['\n', '\r']) {
            line = Line {
                start: from + b + 1,
                scanned: from + b + 1,
                flow: false,
                indent: None,
            };
        }
        line.flow |= text[line.scanned..i].contains(['{', '[']);
        line.scanned = i;
        let line_start = line.start;
        let flow = line.flow;
        let key_indent = *line.indent.get_or_insert_with(|| indent(text, line_start));
        let mut s = after;
        while matches!(bytes.get(s), Some(b' ' | b'\t')) {
            s += 1;
        }
        let (vs, ve) = match bytes.get(s) {
            Some(&q @ (b'\'' | b'"')) => (s + 1, closing_quote(text, s + 1, q)),
            Some(b'|' | b'>') => {
                let le = line_end(text, s);
                (le, continuation(text, line_start, key_indent).unwrap_or(le))
            }
            // nothing on the line: a value on the lines below (a list, a plain continuation)
            None | Some(b'\n' | b'\r') => {
                (s, continuation(text, line_start, key_indent).unwrap_or(s))
            }
            // `name=value` in a URL query: up to the next parameter
            _ if c == b'='
                && i >= 2 + key.len()
                && matches!(bytes[i - 1 - key.len() - 1], b'?' | b'&') =>
            {
                let end = text[s..]
                    .find(|ch: char| {
                        ch == '&' || ch == '#' || ch.is_whitespace() || ch == '\'' || ch == '"'
                    })
                    .map_or(text.len(), |x| s + x);
                (s, end)
            }
            _ if flow => {
                let mut end = text[s..]
                    .find([',', '}', ']', '\n', '\r'])
                    .map_or(text.len(), |x| s + x);
                end = text[s..end].find(" #").map_or(end, |x| s + x);
                (s, end)
            }
            _ => {
                let le = line_end(text, s);
                let mut end = text[s..le].find(" #").map_or(le, |x| s + x);
                if let Some(more) = continuation(text, line_start, key_indent) {
                    // a plain value continues on more indented lines
                    end = more;
                }
                (s, end)
            }
        };
        if ve > vs {
            out.push(Span::new(vs, ve));
        }
        i = ve.max(i);
    }
    out
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

/// Whether a query parameter name carries a credential.
fn secret_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    is_secret_name(name)
        || ["key", "sig", "auth", "code", "credential"]
            .iter()
            .any(|w| n.contains(w))
}

/// The password part of `scheme://user:pass@host` (all of the user part without a `:`), and the
/// values of credential-like query parameters.
fn url_secrets(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find("://") {
        let start = from + rel + 3;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '<' | '>' | '`' | ','))
            .map_or(text.len(), |x| start + x);
        let url = &text[start..end];
        let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
        if let Some(at) = url[..authority_end].rfind('@') {
            let userinfo = &url[..at];
            match userinfo.find(':') {
                Some(colon) => out.push(Span::new(start + colon + 1, start + at)),
                None => out.push(Span::new(start, start + at)),
            }
        }
        if let Some(q) = url.find('?') {
            let query_end = url[q..].find('#').map_or(url.len(), |x| q + x);
            let mut p = q + 1;
            for param in url[q + 1..query_end].split('&') {
                if let Some((name, value)) = param.split_once('=')
                    && !value.is_empty()
                    && secret_param(name)
                {
                    let vs = start + p + name.len() + 1;
                    out.push(Span::new(vs, vs + value.len()));
                }
                p += param.len() + 1;
            }
        }
        from = end.max(start);
    }
    out
}

/// A URL (or any text holding URLs) with its credentials masked, for output that shows values.
pub fn url_credentials(s: &str) -> Cow<'_, str> {
    let regions = merge(s, url_secrets(s));
    if regions.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for r in regions {
        out.push_str(&s[at..r.start]);
        out.push_str(MASK);
        at = r.end;
    }
    out.push_str(&s[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let regions = merge(text, [scan(text), url_secrets(text)].concat());
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

    #[test]
    fn values_after_secret_keys() {
        let m =
            masked("a:\n  password: 'hunter2'\n  token: abc # c\n  x: {client-secret: zz, y: 1}\n");
        assert!(
            !m.contains("hunter2") && !m.contains("abc") && !m.contains("zz"),
            "{m}"
        );
        assert!(m.contains("# c") && m.contains("y: 1"), "{m}");
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
    fn urls() {
        let m = masked("base-url: https://user:pa55@host/fhir?access_token=t0k&x=1\n");
        assert!(!m.contains("pa55") && !m.contains("t0k"), "{m}");
        assert!(m.contains("user:") && m.contains("x=1"), "{m}");
        assert_eq!(url_credentials("https://u:p@h/x"), "https://u:****@h/x");
        assert_eq!(url_credentials("https://h/x"), "https://h/x");
    }
}
