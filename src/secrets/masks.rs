//! Where secrets are in each source, for whatever shows it: the secret values the parsed tree
//! found (`tree`), the patterns of the text (credentials in URLs, tokens on command lines,
//! JWTs, `Bearer`/`Basic` credentials, password hashes), and, where there is no tree (a text
//! that does not parse, an env file), what the text scan of `scan` finds.

use super::scan::{flag_secrets, scan};
use super::url::url_secrets;
use crate::source::Span;

/// The text masks of a source: [`patterns`] when its tree was walked, else [`text_masks`].
pub(crate) fn scanned(src: &crate::source::SourceFile) -> std::borrow::Cow<'_, [Span]> {
    match &src.text_masks {
        Some(m) => std::borrow::Cow::Borrowed(m),
        None => std::borrow::Cow::Owned(text_masks(&src.text)),
    }
}

/// The parsed tree's secret spans, each ending with its last character that is not white
/// space: the span of a block scalar (`|`, `>-`) runs over its trailing line breaks into the
/// next line's indentation, which a mask must leave alone (`****foo: 1`).
pub(crate) fn tree_masks(text: &str, mut spans: Vec<Span>) -> Vec<Span> {
    for s in &mut spans {
        if let Some(t) = text.get(s.start..s.end.min(text.len())) {
            s.end = s.start + t.trim_end().len();
        }
    }
    spans
}

/// What the text alone says to mask, for a text with no tree: values after secret keys, and
/// the [`patterns`].
pub fn text_masks(text: &str) -> Vec<Span> {
    let mut out = scan(text);
    out.extend(patterns(text));
    crate::source::merge_spans(out)
}

/// The secrets a text shows by their form, wherever they stand: credentials in URLs and on
/// command lines, JWTs, `Bearer`/`Basic` credentials, password hashes.
pub fn patterns(text: &str) -> Vec<Span> {
    let mut out = config_patterns(text);
    out.extend(flag_secrets(text));
    crate::source::merge_spans(out)
}

/// [`patterns`] but command-line credentials, for a config (which holds no command lines; a
/// compose file's `command:` does).
pub fn config_patterns(text: &str) -> Vec<Span> {
    let mut out = url_secrets(text);
    out.extend(tokens(text));
    // the scans find some values twice (`?token=…` is a query value and a secret key's value):
    // joined now, what is kept is one span per masked region
    crate::source::merge_spans(out)
}

pub(crate) fn merge(text: &str, mut regions: Vec<Span>) -> Vec<Span> {
    regions.retain(|s| !s.is_empty() && s.end <= text.len());
    let mut merged = crate::source::merge_spans(regions);
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

/// Characters of a token (base64, base64url, JWT parts).
fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=')
}

/// Where a run of [`token_byte`]s starting at `from` ends.
fn token_end(bytes: &[u8], from: usize) -> usize {
    from + bytes[from.min(bytes.len())..]
        .iter()
        .take_while(|&&b| token_byte(b))
        .count()
}

/// What starts a token found by its form: a JWT's header, an Authorization header's scheme,
/// a password hash's prefix (also with compose's `$$`).
const TOKEN_STARTS: &[&str] = &[
    "eyJ", "Bearer ", "bearer ", "BEARER ", "Basic ", "basic ", "BASIC ", "$apr1$", "$2y$", "$2a$",
    "$2b$", "$6$", "$5$", "$$apr1$$", "$$2y$$", "$$2a$$", "$$2b$$", "$$6$$", "$$5$$",
];

static TOKEN_FINDER: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(TOKEN_STARTS)
            .ok()
    });

/// JWTs (`eyJ…` with two dots: a signed token is a credential wherever it stands), the
/// credential after `Bearer ` or `Basic ` (an Authorization header written out), and password
/// hashes (`$apr1$…`, `$2y$…`, also with compose's `$$`: htpasswd lines in labels). One pass.
fn tokens(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let Some(finder) = TOKEN_FINDER.as_ref() else {
        return out;
    };
    let mut covered = 0;
    for m in finder.find_iter(text) {
        let (s, marker) = (m.start(), TOKEN_STARTS[m.pattern().as_usize()]);
        if s < covered {
            continue;
        }
        let span = if marker == "eyJ" {
            let e = token_end(bytes, s);
            let dots = bytes[s..e].iter().filter(|&&b| b == b'.').count();
            let starts_word = s == 0 || !token_byte(bytes[s - 1]);
            (starts_word && dots >= 2 && e - s >= 16).then(|| Span::new(s, e))
        } else if marker.starts_with('$') {
            let mut e = m.end();
            while e < bytes.len() && (token_byte(bytes[e]) || bytes[e] == b'$') {
                e += 1;
            }
            (e - s >= marker.len() + 8).then(|| Span::new(s, e))
        } else {
            let e = token_end(bytes, m.end());
            (e - m.end() >= 8).then(|| Span::new(m.end(), e))
        };
        if let Some(span) = span {
            covered = span.end;
            out.push(span);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let mut out = String::new();
        let mut at = 0;
        for r in merge(text, patterns(text)) {
            out.push_str(&text[at..r.start]);
            out.push_str(crate::secrets::MASK);
            at = r.end;
        }
        out.push_str(&text[at..]);
        out
    }

    #[test]
    fn tokens_by_their_form() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(masked(&format!("X: {jwt} y")), "X: **** y");
        assert_eq!(
            masked("h: 'Authorization: Bearer abcdefgh12345' and Basic dXNlcjpwYXNz"),
            "h: 'Authorization: Bearer ****' and Basic ****"
        );
        assert_eq!(
            masked(
                "- traefik.http.middlewares.a.basicauth.users=u:$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/"
            ),
            "- traefik.http.middlewares.a.basicauth.users=u:****"
        );
        // ordinary words stay
        assert_eq!(
            masked("Basic auth as user `bpe`"),
            "Basic auth as user `bpe`"
        );
        assert_eq!(masked("eyJust.a.word"), "eyJust.a.word");
    }
}
