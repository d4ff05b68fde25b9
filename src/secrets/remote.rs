//! Masking of secrets in the text a probe shows. Much of that text comes from the servers (bodies,
//! headers, OAuth errors, OperationOutcome diagnostics, token claims), and a server may echo a
//! credential it was sent: verbatim, with control characters or white space inside, escaped
//! (JSON `\uXXXX`, `%XX`, `&amp;`), or cut short by the probe's own truncation. So:
//!
//! - every form a secret travels in is registered: the secret itself, its URL-encoded,
//!   JSON-escaped and XML-escaped forms, and whatever the caller adds (the base64 of Basic
//!   credentials, the parts of an access token);
//! - text is matched in a *normalised view*: control characters, white space and invisible
//!   format characters are skipped, and JSON/Rust escapes, `%XX` and XML entities are decoded,
//!   so `sec\nret`, `sec%72et` or `sec&#114;et` match `secret`; a match masks the whole stretch
//!   of the original text it covers;
//! - text is masked before it is collapsed to one line or cut to a length, never after only, and
//!   at a cut, a tail that is the start of a secret (6 characters, or half the secret) is masked
//!   too, so truncation cannot leave a secret's prefix behind.
//!
//! A server that *wants* to leak a secret it was sent can always encode it some other way; this
//! is about the echoes that happen (error pages quoting the request, debug output) and the forms
//! the probe itself sends.

use base64::Engine;

/// What a masked stretch of text becomes.
pub(crate) const MASK: &str = "****";

/// Secrets shorter than this (in characters of the normalised view) are not masked inside other
/// text: it would garble the output. No secret is ever put into a message on purpose.
const MIN_LEN: usize = 4;

/// At a cut, the tail is masked when it is the start of a secret this long (or half the secret).
const MIN_PREFIX: usize = 6;

/// The most of a tail compared with the starts of secrets: above every limit text is cut to
/// (the whole of a longer secret is inside the text, where the search finds it), and it keeps
/// the comparison cheap for long tokens.
const MAX_TAIL: usize = 1024;

struct Form {
    /// The normalised view of the form.
    norm: String,
    /// Its length in characters.
    chars: usize,
}

/// The registered secrets (all their forms) and the masking.
#[derive(Default)]
pub(crate) struct Scrubber {
    forms: Vec<Form>,
    /// The longest form, in characters of the view.
    longest: usize,
}

/// When a tail that starts a secret is masked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    /// Only when the text was cut.
    AtCut,
    /// Always: the text came from a server, and its end may be a cut made elsewhere (a body cap,
    /// the server's own truncation).
    Always,
}

impl Scrubber {
    /// Registers a secret with the forms it travels in.
    pub(crate) fn add(&mut self, secret: &str) {
        // the secret as the config has it, and as the other charsets read it: US-ASCII as the
        // OIDC client sends it (`?` for every other character), its ISO-8859-1 bytes read as
        // UTF-8 (U+FFFD for each), its UTF-8 bytes read as ISO-8859-1 (`Ã¤` for `ä`)
        let mut readings = vec![secret.to_string()];
        if !secret.is_ascii() {
            let each = |f: &dyn Fn(char) -> String| secret.chars().map(f).collect::<String>();
            readings.push(each(&|c| if c.is_ascii() { c.into() } else { "?".into() }));
            readings.push(each(&|c| {
                if c.is_ascii() {
                    c.into()
                } else if u32::from(c) <= 0xFF {
                    "\u{fffd}".into()
                } else {
                    "?".into()
                }
            }));
            readings.push(secret.bytes().map(char::from).collect());
        }
        for r in &readings {
            self.add_encodings(r);
        }
        // base64 of its bytes in both charsets (a server quoting what it decoded, or a token)
        let mut bytes = vec![secret.as_bytes().to_vec()];
        if !secret.is_ascii() && secret.chars().all(|c| u32::from(c) <= 0xFF) {
            bytes.push(
                secret
                    .chars()
                    .filter_map(|c| u8::try_from(c).ok())
                    .collect(),
            );
        }
        for b in bytes {
            for f in base64_forms(&b) {
                self.add_form(&f);
            }
        }
    }

    /// One reading of a secret with the forms it travels in: itself, URL-encoded, JSON- and
    /// XML-escaped.
    fn add_encodings(&mut self, secret: &str) {
        self.add_form(secret);
        // application/x-www-form-urlencoded (space as `+`) and percent-encoding (space as `%20`)
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        self.add_form(&form);
        self.add_form(&form.replace('+', "%20"));
        // JSON string content, and XML/HTML text (the view decodes both, but the forms are
        // registered in case a server mixes them with other encodings)
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(&json);
        self.add_form(json);
        self.add_form(&json.replace('/', "\\/"));
        self.add_form(&xml_escape(secret));
    }

    /// An `Authorization` (or `Proxy-Authorization`) header value the probe sends: its
    /// credential (after the scheme, which stays readable: `Basic ****`) and the whole value in
    /// base64 (a server dumping its request headers encoded).
    pub(crate) fn add_authorization(&mut self, value: &str) {
        self.add_form(value.split_once(' ').map_or(value, |(_, c)| c));
        for f in base64_forms(value.as_bytes()) {
            self.add_form(&f);
        }
    }

    /// Basic credentials: the password with its forms, and `user:password` as base64 in both
    /// charsets (ISO-8859-1 as the FHIR and proxy clients send it, US-ASCII as the OIDC client
    /// does, UTF-8 as a server may re-encode it), with the header values the probe sends.
    pub(crate) fn add_basic(&mut self, user: &str, password: &str) {
        self.add(password);
        for f in basic_forms(user, password) {
            self.add_authorization(&format!("Basic {f}"));
            self.add_form(&f);
        }
    }

    /// A bearer token: the token with its forms, and the header value the probe sends.
    pub(crate) fn add_bearer(&mut self, token: &str) {
        self.add(token);
        self.add_authorization(&format!("Bearer {token}"));
    }

    /// An access token the probe got: as a bearer token, and for a JWS or JWE (parts separated
    /// by `.`) each part but the first (the header says only which key and algorithm) and the
    /// signed part `header.payload`.
    pub(crate) fn add_access_token(&mut self, token: &str) {
        self.add_bearer(token);
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() > 1 {
            for p in &parts[1..] {
                self.add(p);
            }
            if let Some((signed, _)) = token.rsplit_once('.') {
                self.add(signed);
            }
        }
    }

    /// A URL the probe requests: the password of its userinfo and every value of its query and
    /// fragment that the URL redactor masks (a server echoes its request path, a `Location`, a
    /// link), as written and percent-decoded. A value shorter than four characters cannot be
    /// told from other text: it is masked only where the URL redactor sees a URL.
    pub(crate) fn add_url(&mut self, url: &str) {
        for span in super::url::url_secrets(url) {
            let Some(raw) = url.get(span.range()) else {
                continue;
            };
            self.add(raw);
            let decoded = url::form_urlencoded::parse(format!("x={raw}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned());
            if let Some(d) = decoded.filter(|d| d != raw) {
                self.add(&d);
            }
        }
    }

    fn add_form(&mut self, form: &str) {
        let norm = View::of(form, usize::MAX).text;
        let chars = norm.chars().count();
        if chars < MIN_LEN || self.forms.iter().any(|f| f.norm == norm) {
            return;
        }
        self.longest = self.longest.max(chars);
        self.forms.push(Form { norm, chars });
    }

    /// The text with every occurrence of a secret masked; nothing else changes.
    pub(crate) fn scrub(&self, text: &str) -> String {
        self.render(text, None, false, Tail::AtCut)
    }

    /// At most `limit` characters of `text` (then `…`), secrets masked first.
    pub(crate) fn clip(&self, text: &str, limit: usize, tail: Tail) -> String {
        self.render(text, Some(limit), false, tail)
    }

    /// Server text on one line: secrets masked, then control characters and runs of white space
    /// made one space, then cut to `limit` characters (then `…`); a tail that starts a secret is
    /// masked.
    pub(crate) fn one_line(&self, text: &str, limit: usize) -> String {
        self.render(text, Some(limit), true, Tail::Always)
    }

    fn render(&self, text: &str, limit: Option<usize>, collapse: bool, tail: Tail) -> String {
        if self.forms.is_empty() && limit.is_none() && !collapse {
            return text.to_string();
        }
        // only what can be shown matters, plus room for a secret that starts there
        let needed = limit.map_or(usize::MAX, |l| {
            l.saturating_add(self.longest).saturating_add(1)
        });
        let view = View::of(text, needed);
        let mut masked = vec![false; view.units.len()];
        for form in &self.forms {
            let mut from = 0;
            while let Some(pos) = view.text.get(from..).and_then(|t| t.find(&form.norm)) {
                let at = from + pos;
                let first = view.char_at(at);
                view.mask(first, first + form.chars, &mut masked);
                from = at + view.text[at..].chars().next().map_or(1, char::len_utf8);
            }
        }
        let (mut out, shown, cut) = self.emit(text, &view, &masked, limit, collapse);
        // the view ends before the text does: the shown part ends at a cut too
        let cut = cut || !view.complete;
        if (cut || tail == Tail::Always) && self.mask_tail(&view, shown, &mut masked) {
            out = emit_units(text, &view.units[..shown], &masked[..shown], collapse);
        }
        if cut {
            out.push('…');
        }
        out
    }

    /// Renders the units up to `limit` output characters: the text, the units shown, whether
    /// the text was cut.
    fn emit(
        &self,
        text: &str,
        view: &View,
        masked: &[bool],
        limit: Option<usize>,
        collapse: bool,
    ) -> (String, usize, bool) {
        let limit = limit.unwrap_or(usize::MAX);
        let mut shown = view.units.len();
        let mut count = 0usize;
        let mut pending_space = false;
        let mut i = 0;
        while i < view.units.len() {
            let u = &view.units[i];
            let (piece_len, next) = if masked[i] {
                let mut j = i;
                while j < view.units.len() && masked[j] {
                    j += 1;
                }
                (MASK.chars().count(), j)
            } else if collapse && u.kind == Kind::Blank {
                pending_space = count > 0;
                i += 1;
                continue;
            } else {
                (text[u.start..u.end].chars().count(), i + 1)
            };
            let after = count
                .saturating_add(usize::from(pending_space))
                .saturating_add(piece_len);
            if after > limit {
                shown = i;
                break;
            }
            count = after;
            pending_space = false;
            i = next;
        }
        let out = emit_units(text, &view.units[..shown], &masked[..shown], collapse);
        (out, shown, shown < view.units.len())
    }

    /// Masks the end of the shown units when it is the start of a secret; true if it did.
    fn mask_tail(&self, view: &View, shown: usize, masked: &mut [bool]) -> bool {
        // the view characters of the shown units, back to the last masked unit
        let mut tail: Vec<(char, usize)> = Vec::new();
        for i in (0..shown).rev() {
            if masked[i] {
                break;
            }
            if let Kind::Char(c) = view.units[i].kind {
                tail.push((c, i));
            }
            if tail.len() >= self.longest.min(MAX_TAIL) {
                break;
            }
        }
        tail.reverse();
        let Some(&(_, last)) = tail.last() else {
            return false;
        };
        // the cut may also fall inside an escape (`%2`, `\u00`, `&#1`): its start is no part
        // of the secret's view, so the prefix may end before it
        let mut ends = vec![tail.len()];
        for k in 1..=5.min(tail.len()) {
            if matches!(tail[tail.len() - k].0, '%' | '\\' | '&') {
                ends.push(tail.len() - k);
            }
        }
        let mut any = false;
        for form in &self.forms {
            let need = MIN_PREFIX.min(form.chars.div_ceil(2));
            let prefix: Vec<char> = form.norm.chars().take(tail.len()).collect();
            'ends: for &end in &ends {
                let most = end.min(form.chars.saturating_sub(1));
                for p in (need..=most).rev() {
                    let start = end - p;
                    if tail[start..end]
                        .iter()
                        .map(|(c, _)| *c)
                        .eq(prefix[..p].iter().copied())
                    {
                        // from the prefix to the end of the shown text
                        for m in &mut masked[tail[start].1..=last] {
                            *m = true;
                        }
                        any = true;
                        break 'ends;
                    }
                }
            }
        }
        any
    }
}

/// The forms Basic credentials travel in, to mask in what servers answer: the base64 of
/// `user:password` in both charsets (ISO-8859-1 or US-ASCII as sent, UTF-8 as a server may
/// re-encode it), standard and URL-safe, with and without padding.
pub(crate) fn basic_forms(user: &str, password: &str) -> Vec<String> {
    let mut out = Vec::new();
    for bytes in [
        basic_bytes(user, password, true),
        basic_bytes(user, password, false),
        format!("{user}:{password}").into_bytes(),
    ] {
        out.extend(base64_forms(&bytes));
    }
    out.sort();
    out.dedup();
    out
}

/// `bytes` in base64, standard and URL-safe, with and without padding.
fn base64_forms(bytes: &[u8]) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut out: Vec<String> = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .map(|e| e.encode(bytes))
        .collect();
    out.dedup();
    out
}

/// `user:password` as the probe sends it in Basic auth: ISO-8859-1 (`latin1`) or US-ASCII, a
/// character outside the charset as `?`, as Java's encoder does.
pub(crate) fn basic_bytes(user: &str, password: &str, latin1: bool) -> Vec<u8> {
    let limit = if latin1 { 0xFF } else { 0x7F };
    format!("{user}:{password}")
        .chars()
        .map(|c| {
            u8::try_from(u32::from(c))
                .ok()
                .filter(|&b| u32::from(b) <= limit)
                .unwrap_or(b'?')
        })
        .collect()
}

fn emit_units(text: &str, units: &[Unit], masked: &[bool], collapse: bool) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    let mut i = 0;
    while i < units.len() {
        if masked[i] {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push_str(MASK);
            while i < units.len() && masked[i] {
                i += 1;
            }
            continue;
        }
        let u = &units[i];
        if collapse && u.kind == Kind::Blank {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push_str(&text[u.start..u.end]);
        }
        i += 1;
    }
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A character of the view (possibly decoded from an escape).
    Char(char),
    /// White space, a control or an invisible format character: not in the view, shown as a
    /// space on one line.
    Blank,
    /// An escape of such a character (`\n`, `%0A`, `&#10;`): not in the view, shown as it is.
    Silent,
}

#[derive(Debug)]
struct Unit {
    /// Byte range in the original text.
    start: usize,
    end: usize,
    kind: Kind,
}

/// The text as units (tiling it), and the normalised view of their characters.
struct View {
    units: Vec<Unit>,
    text: String,
    /// For each view character: its byte offset in `text` and its unit.
    chars: Vec<(usize, usize)>,
    /// The whole input was read (not only a prefix).
    complete: bool,
}

impl View {
    /// The units of `text` until the view holds `needed` characters.
    fn of(text: &str, needed: usize) -> View {
        let mut v = View {
            units: Vec::new(),
            text: String::new(),
            chars: Vec::new(),
            complete: true,
        };
        let mut at = 0;
        while at < text.len() {
            if v.chars.len() >= needed {
                v.complete = false;
                break;
            }
            let (end, kind) = unit_at(text, at);
            if let Kind::Char(c) = kind {
                v.chars.push((v.text.len(), v.units.len()));
                v.text.push(c);
            }
            v.units.push(Unit {
                start: at,
                end,
                kind,
            });
            at = end;
        }
        v
    }

    /// The view character at a byte offset of the view text.
    fn char_at(&self, byte: usize) -> usize {
        self.chars.partition_point(|&(b, _)| b < byte)
    }

    /// Marks the units from view character `from` up to (not including) `to`, and everything
    /// between them.
    fn mask(&self, from: usize, to: usize, masked: &mut [bool]) {
        let (Some(&(_, first)), Some(&(_, last))) = (self.chars.get(from), self.chars.get(to - 1))
        else {
            return;
        };
        for m in &mut masked[first..=last] {
            *m = true;
        }
    }
}

/// Characters the view skips.
fn ignorable(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

fn hex_value(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// The unit starting at byte `at`: its end and kind.
fn unit_at(text: &str, at: usize) -> (usize, Kind) {
    let rest = &text[at..];
    let Some(c) = rest.chars().next() else {
        return (text.len(), Kind::Blank);
    };
    if c == '\u{1b}'
        && let Some(n) = terminal_sequence(rest)
    {
        // invisible on a terminal, like a control character
        return (at + n, Kind::Blank);
    }
    let single = (at + c.len_utf8(), c);
    let (end, decoded) = match c {
        '\\' => backslash(rest).map_or(single, |(n, d)| (at + n, d)),
        '%' => percent(rest).map_or(single, |(n, d)| (at + n, d)),
        '&' => entity(rest).map_or(single, |(n, d)| (at + n, d)),
        _ => single,
    };
    let escaped = end - at != c.len_utf8();
    let kind = match (ignorable(decoded), escaped) {
        (false, _) => Kind::Char(decoded),
        (true, false) => Kind::Blank,
        (true, true) => Kind::Silent,
    };
    (end, kind)
}

/// A terminal's control sequence at the start of `rest` (which starts with ESC): CSI
/// (`ESC [ 1 m`) or OSC (`ESC ] 0 ; title BEL`); its length.
fn terminal_sequence(rest: &str) -> Option<usize> {
    let body = &rest[1..];
    if let Some(csi) = body.strip_prefix('[') {
        // parameters and intermediates, then one final byte
        for (i, b) in csi.bytes().enumerate().take(32) {
            match b {
                0x20..=0x3F => {}
                0x40..=0x7E => return Some(2 + i + 1),
                _ => return None,
            }
        }
        return None;
    }
    if let Some(osc) = body.strip_prefix(']') {
        let end = osc.char_indices().take(256).find_map(|(i, c)| match c {
            '\u{7}' => Some(i + 1),
            '\u{1b}' if osc[i + 1..].starts_with('\\') => Some(i + 2),
            _ => None,
        })?;
        return Some(2 + end);
    }
    None
}

/// `\n`, `\"`, `\u00e4`, `\uD83D\uDE00`, `\u{e4}`, `\xe4`: length and character.
fn backslash(rest: &str) -> Option<(usize, char)> {
    let mut it = rest.chars();
    it.next();
    let n = it.next()?;
    let simple = match n {
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'f' => Some('\u{c}'),
        'b' => Some('\u{8}'),
        'v' => Some('\u{b}'),
        '0' => Some('\0'),
        '/' | '\\' | '"' | '\'' => Some(n),
        _ => None,
    };
    if let Some(d) = simple {
        return Some((2, d));
    }
    match n {
        'u' if rest[2..].starts_with('{') => {
            let close = rest[3..].find('}').filter(|&i| i <= 6)?;
            let v = hex_value(&rest[3..3 + close])?;
            Some((3 + close + 1, char::from_u32(v)?))
        }
        'u' => {
            let hi = hex_value(rest.get(2..6)?)?;
            if (0xD800..0xDC00).contains(&hi) {
                let lo = rest
                    .get(6..8)
                    .filter(|s| *s == "\\u")
                    .and_then(|_| hex_value(rest.get(8..12)?))
                    .filter(|lo| (0xDC00..0xE000).contains(lo))?;
                let v = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Some((12, char::from_u32(v)?));
            }
            Some((6, char::from_u32(hi)?))
        }
        'x' => {
            let v = hex_value(rest.get(2..4)?)?;
            Some((4, char::from_u32(v)?))
        }
        _ => None,
    }
}

/// `%41`, `%C3%A4`: length and character (UTF-8 sequences decoded whole).
fn percent(rest: &str) -> Option<(usize, char)> {
    let byte = |i: usize| -> Option<u8> {
        let s = rest.get(i..i + 3)?;
        let v = hex_value(s.strip_prefix('%')?)?;
        u8::try_from(v).ok()
    };
    let first = byte(0)?;
    if first < 0x80 {
        return Some((3, char::from(first)));
    }
    let len = match first {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = vec![first];
    for k in 1..len {
        bytes.push(byte(k * 3)?);
    }
    let c = std::str::from_utf8(&bytes).ok()?.chars().next()?;
    Some((len * 3, c))
}

/// `&amp;`, `&#39;`, `&#x27;`: length and character.
fn entity(rest: &str) -> Option<(usize, char)> {
    let (semi, _) = rest.char_indices().take(12).find(|&(_, c)| c == ';')?;
    let name = &rest[1..semi];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let num = name.strip_prefix('#')?;
            let v = match num.strip_prefix(['x', 'X']) {
                Some(h) => hex_value(h)?,
                None if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => {
                    num.parse().ok()?
                }
                None => return None,
            };
            char::from_u32(v)?
        }
    };
    Some((semi + 1, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(secrets: &[&str]) -> Scrubber {
        let mut s = Scrubber::default();
        for x in secrets {
            s.add(x);
        }
        s
    }

    #[test]
    fn verbatim_and_longest() {
        let s = with(&["abcd", "abcdefgh", "ab"]);
        assert_eq!(s.scrub("x abcdefgh y abcd ab"), "x **** y **** ab");
        assert_eq!(s.scrub("nothing here"), "nothing here");
        assert_eq!(Scrubber::default().scrub("a\u{1}b"), "a\u{1}b");
    }

    #[test]
    fn control_characters_and_white_space_inside_a_secret() {
        let s = with(&["secret-token"]);
        for echo in [
            "sec\nret-token",
            "sec\r\n  ret-tok\u{0}en",
            "s e c r e t - t o k e n",
            "sec\u{200b}ret\u{feff}-token",
            "sec\\nret-token",
            "sec\\u0072et-token",
            "sec%72et%2Dtoken",
            "sec&#114;et-tok&#x65;n",
            "sec\\u{72}et-token",
            "sec\u{1b}[1;31mret\u{1b}[0m-token",
            "sec\u{1b}]0;title\u{7}ret-token",
        ] {
            let out = s.scrub(&format!("got [{echo}] here"));
            assert_eq!(out, "got [****] here", "{echo:?}");
        }
    }

    #[test]
    fn derived_forms() {
        let s = with(&["p@ss w&rd/\"x\"ä"]);
        for echo in [
            "p%40ss+w%26rd%2F%22x%22%C3%A4",
            "p%40ss%20w%26rd%2F%22x%22%C3%A4",
            "p@ss w&rd\\/\\\"x\\\"\\u00e4",
            "p@ss w&amp;rd/&quot;x&quot;ä",
        ] {
            assert_eq!(s.scrub(&format!("<{echo}>")), "<****>", "{echo}");
        }
    }

    #[test]
    fn one_line_masks_before_collapsing_and_cutting() {
        let s = with(&["hunter2-super-secret"]);
        // the cut at 200 characters falls inside the secret
        let body = format!("{}hunter2-super-secret and more", "x".repeat(190));
        let out = s.one_line(&body, 200);
        assert_eq!(out, format!("{}**** and m…", "x".repeat(190)));
        // the body itself was cut inside the secret (a body cap): the tail is masked
        let out = s.one_line("error: hunter2-super-sec", 200);
        assert_eq!(out, "error: ****");
        // also when the cut falls inside an escape
        assert_eq!(s.one_line("error: hunter2%2Dsup%", 200), "error: ****");
        assert_eq!(s.one_line("error: hunter2-sup\\u00", 200), "error: ****");
        // a short tail that merely looks like the start is kept
        assert_eq!(s.one_line("ok: hunt", 200), "ok: hunt");
        let out = s.one_line("a\n\n b\tc\u{1}d", 200);
        assert_eq!(out, "a b c d");
        let out = s.one_line(&"y".repeat(300), 200);
        assert_eq!(out.chars().count(), 201);
    }

    #[test]
    fn clipped_text_masks_a_secret_across_the_cut() {
        let s = with(&["0123456789abcdef"]);
        let text = format!("{}0123456789abcdef{}", "z".repeat(95), "w".repeat(50));
        let out = s.clip(&text, 100, Tail::AtCut);
        assert_eq!(out, format!("{}****w…", "z".repeat(95)));
        // the text holds only the secret's start, and the cut leaves 6 characters of it
        let text = format!("{}0123456789", "z".repeat(95));
        let out = s.clip(&text, 101, Tail::AtCut);
        assert_eq!(out, format!("{}****…", "z".repeat(95)));
        let out = s.clip(&text, 1000, Tail::AtCut);
        assert!(out.ends_with("0123456789"), "not cut, not masked: {out}");
        let out = s.clip(&text, 1000, Tail::Always);
        assert!(out.ends_with("****"), "{out}");
    }

    #[test]
    fn long_secrets_stay_cheap() {
        // a provider may issue a huge access token; masking stays linear
        let token = "a".repeat(1023) + &"b".repeat(200_000);
        let s = with(&[&token]);
        let started = std::time::Instant::now();
        let text = "a".repeat(300_000);
        assert_eq!(
            s.one_line(&text, 200),
            format!("{}…", "a".repeat(200)).replace(&"a".repeat(200), "****")
        );
        let echo = format!("x {token} y");
        assert_eq!(s.scrub(&echo), "x **** y");
        for _ in 0..20 {
            let _ = s.clip(&echo, 2000, Tail::AtCut);
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn short_secrets_and_odd_escapes() {
        let s = with(&["abc"]);
        assert_eq!(s.scrub("abc"), "abc");
        let s = with(&["abcdef"]);
        for odd in [
            "\\",
            "%",
            "&",
            "\\u",
            "\\uD800",
            "%E4",
            "&#;",
            "&#x110000;",
            "\\u{",
        ] {
            assert_eq!(s.scrub(odd), odd);
            assert_eq!(s.one_line(odd, 10), odd);
        }
    }

    #[test]
    fn what_the_probe_sends_is_registered_in_every_form() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let mut s = Scrubber::default();
        s.add_basic("bpe", "Päss-Wörd-7Zq81x");
        s.add_bearer("Bz4-Kq8Lx2Vm7Np");
        s.add_url("https://h/fhir?apikey=Qv7Lm2Xp9Rt4Wz/metadata&_format=json#frag-Ab12");
        for echo in [
            // ISO-8859-1 bytes read as UTF-8, US-ASCII, UTF-8 read as ISO-8859-1
            "bpe:P\u{fffd}ss-W\u{fffd}rd-7Zq81x".to_string(),
            "P?ss-W?rd-7Zq81x".into(),
            "PÃ¤ss-WÃ¶rd-7Zq81x".into(),
            STANDARD.encode("Päss-Wörd-7Zq81x"),
            STANDARD.encode(b"P\xe4ss-W\xf6rd-7Zq81x"),
            STANDARD.encode("bpe:Päss-Wörd-7Zq81x"),
            URL_SAFE_NO_PAD.encode("Bz4-Kq8Lx2Vm7Np"),
            STANDARD.encode("Bearer Bz4-Kq8Lx2Vm7Np"),
            "GET /fhir?apikey=Qv7Lm2Xp9Rt4Wz/metadata".into(),
            "Qv7Lm2Xp9Rt4Wz%2Fmetadata".into(),
            "#frag-Ab12".into(),
        ] {
            assert!(!s.scrub(&format!("[{echo}]")).contains("7Zq81x"), "{echo}");
            let out = s.scrub(&format!("[{echo}]"));
            assert!(out.contains("****"), "{echo}: {out}");
        }
        // the scheme of a header value stays readable; FHIR's formatting parameters too
        s.add_authorization("Bearer Bz4-Kq8Lx2Vm7Np");
        assert_eq!(s.scrub("Bearer Bz4-Kq8Lx2Vm7Np"), "Bearer ****");
        assert_eq!(s.scrub("_format=json"), "_format=json");
    }
}
