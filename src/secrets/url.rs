//! The one URL redactor: the password part of credentials in URLs (`https://user:****@host`) and
//! every value of their query and fragment but the FHIR API's formatting and paging parameters,
//! for snippets, messages, `explain` and probes alike.

use super::MASK;
use super::masks::merge;
use super::scan::{MAX_PARAMS, secret_param};
use crate::source::Span;
use std::borrow::Cow;

/// Query and fragment parameters whose values are shown: the FHIR API's own formatting and
/// paging parameters, which carry no credential and help read a URL. Everything else in a query
/// or fragment is masked: a credential there can have any name, or none (`#abc`).
const HARMLESS_PARAMS: &[&str] = &["_format", "_pretty", "_summary", "_count"];

/// The password part of `scheme://user:pass@host` (all of the user part without a `:`); in the
/// query and the fragment, every value but those of [`HARMLESS_PARAMS`] and every part without a
/// `=` (`?abc`, `#abc`); in the path, the values of credential-like path parameters
/// (`;jsessionid=…`).
pub(crate) fn url_secrets(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find("://") {
        let start = from + rel + 3;
        let bytes = text.as_bytes();
        // the URL ends at a blank, a quote, or a `,` before a blank (a flow collection's
        // separator); a `,` inside it is kept, so a value is not cut short
        let end = text[start..]
            .char_indices()
            .find(|&(i, c)| {
                c.is_whitespace()
                    || matches!(c, '\'' | '"' | '<' | '>' | '`')
                    || (c == ','
                        && bytes
                            .get(start + i + 1)
                            .is_none_or(|b| b.is_ascii_whitespace()))
            })
            .map_or(text.len(), |(i, _)| start + i);
        let url = &text[start..end];
        let authority_end = url.find(['/', '?', '#', ';']).unwrap_or(url.len());
        if let Some(at) = url[..authority_end].rfind('@') {
            let userinfo = &url[..at];
            match userinfo.find(':') {
                Some(colon) => out.push(Span::new(start + colon + 1, start + at)),
                None => out.push(Span::new(start, start + at)),
            }
        }
        let path_end = query_start(&url[authority_end..]).map_or(url.len(), |x| authority_end + x);
        // path parameters, by name
        for (i, _) in url[authority_end..path_end].match_indices(';') {
            let ps = authority_end + i + 1;
            let pe = url[ps..path_end]
                .find([';', '/'])
                .map_or(path_end, |x| ps + x);
            if let Some((name, value)) = url[ps..pe].split_once('=')
                && !value.is_empty()
                && secret_param(name)
            {
                out.push(Span::new(start + ps + name.len() + 1, start + pe));
            }
        }
        // the query and the fragment: every part
        let (query, fragment) = match url[path_end..].split_once('#') {
            Some((q, f)) => (q, Some((path_end + q.len() + 1, f))),
            None => (&url[path_end..], None),
        };
        let parts = query
            .strip_prefix('?')
            .map(|q| (path_end + 1, q))
            .into_iter()
            .chain(fragment);
        for (base, part) in parts {
            let mut at = start + base;
            for (n, piece) in part.split(['&', ';']).enumerate() {
                // past a thousand parameters the rest of the part is one masked region (more
                // hidden, never less: a URL of a million tokens is not a million spans)
                if n == MAX_PARAMS {
                    out.push(Span::new(at, start + base + part.len()));
                    break;
                }
                match piece.split_once('=') {
                    Some((name, value))
                        if !value.is_empty() && !HARMLESS_PARAMS.contains(&name) =>
                    {
                        let vs = at + name.len() + 1;
                        out.push(Span::new(vs, vs + value.len()));
                    }
                    None if !piece.is_empty() && !HARMLESS_PARAMS.contains(&piece) => {
                        out.push(Span::new(at, at + piece.len()));
                    }
                    _ => {}
                }
                at += piece.len() + 1;
            }
        }
        from = end.max(start);
    }
    out
}

/// Where the query or fragment of a URL's path part starts: the first `?` or `#` that is not
/// inside a variable (`${PATH:?set PATH}`, compose's and the shell's syntax).
fn query_start(path: &str) -> Option<usize> {
    let bytes = path.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'?' | b'#' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// A URL value (a setting's decoded value) with its credentials masked, for output that shows
/// values. The whole value is the URL: a blank, quote or line break that the value holds (a
/// quoted or block scalar continued on the next line) does not end it, as it ends a URL found
/// in free text.
pub fn url_credentials(s: &str) -> Cow<'_, str> {
    // the same bytes with every character that would end a URL in text made a plain one
    let mut joined = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_whitespace() || matches!(c, '\'' | '"' | '<' | '>' | '`') {
            joined.extend(std::iter::repeat_n('_', c.len_utf8()));
        } else {
            joined.push(c);
        }
    }
    let regions = merge(s, url_secrets(&joined));
    if regions.is_empty() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(masked(s, &regions))
}

/// Free text (what a server sent) with the credentials of every URL in it masked: a URL ends at
/// a blank or a quote, as in [`url_secrets`].
pub fn urls_in_text(s: &str) -> Cow<'_, str> {
    let regions = merge(s, url_secrets(s));
    if regions.is_empty() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(masked(s, &regions))
}

/// `s` with each of `regions` (sorted, apart) replaced by the mask.
fn masked(s: &str, regions: &[Span]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for r in regions {
        out.push_str(&s[at..r.start]);
        out.push_str(MASK);
        at = r.end;
    }
    out.push_str(&s[at..]);
    out
}
