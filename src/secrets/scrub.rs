//! The last line of defence for secrets: every secret value the run knows (decoded secret
//! settings, secret variables compose substituted, the text of every masked span) is replaced
//! by `****` wherever it appears in what the tool writes, in each form an output format could
//! give it (as is, made visible, JSON-escaped, escaped for GitHub's workflow commands). Masking
//! at the source is the first line; this one catches a secret that travelled into a message
//! (`found `…``), a note, or a non-secret setting (`username` = password).

use crate::secrets::MASK;
use crate::source::{FileId, SourceDb, Span, ceil_char, floor_char};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::borrow::Cow;
use std::collections::HashSet;

/// Shorter values are not scrubbed from other text: it would garble the output (a password
/// `abc` would turn every `abc` into `****`), and no check quotes a secret on purpose.
pub const MIN_LEN: usize = 4;

/// A longer secret is matched by overlapping pieces of `PIECE` bytes (every `PIECE / 2`), over
/// its first `MAX_COVERED` bytes, and by its last `PIECE` bytes: patterns stay small whatever
/// the input holds (a 16 MiB token), and an output quoting part of it shows fewer than `PIECE`
/// bytes of it in a row (at the ends of the quote; outputs cut texts to a few KiB). Its first and last piece come first; the pieces in
/// between only while the run's pattern budget lasts.
const LONG: usize = 256;
const PIECE: usize = 32;
const MAX_COVERED: usize = 8 * 1024;
/// Bytes of patterns in all: the automaton stays small and builds in a few milliseconds for any
/// input (about 2,000 secrets of 32 characters, with their escaped forms; 256 KiB took a
/// tenth of a second, 1 MiB half a second). Masking at the source hides every secret of a
/// secret setting regardless; this is the net for one that travelled elsewhere.
const BUDGET: usize = 64 * 1024;

/// The patterns for one secret text: itself, or its pieces when long (`true`: first or last).
fn pieces_of(s: &str, out: &mut dyn FnMut(&str, bool)) {
    if s.len() <= LONG {
        out(s, true);
        return;
    }
    let down = |i| floor_char(s, i);
    let up = |i| ceil_char(s, i);
    let mut start = 0;
    while start < s.len().min(MAX_COVERED) {
        let end = down((start + PIECE).min(s.len()));
        if end <= start {
            break;
        }
        out(&s[start..end], start == 0);
        start = up(start + PIECE / 2);
    }
    // the end of the secret, for a text cut from its far side
    out(&s[up(s.len() - PIECE)..], true);
}

/// A value shorter than this is scrubbed only where it stands as a word of its own: a password
/// `qx7z` hides `qx7z` but not `qx7z0`; a longer value is distinctive enough to hide anywhere.
const WORD_LEN: usize = 12;

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Whether the match `start..end` of a pattern of `len` characters may be replaced in `hay`.
fn stands_alone(hay: &[u8], start: usize, end: usize, len: usize) -> bool {
    if len >= WORD_LEN {
        return true;
    }
    let edge = |i: Option<usize>, inner: usize| match i.and_then(|i| hay.get(i)) {
        // only a word character next to a word character joins the two
        Some(&b) => !(is_word_byte(b) && hay.get(inner).copied().is_some_and(is_word_byte)),
        None => true,
    };
    edge(start.checked_sub(1), start) && edge(Some(end), end.wrapping_sub(1))
}

/// Bytes of source around a diagnostic's label whose secrets come first (a connection's
/// password is written a few lines from its other settings).
const NEAR: usize = 4096;

/// What the run knows of its secrets, for the scrubber.
pub struct Known<'r> {
    /// Secret values that go first (the secret variables compose substituted: few, and able
    /// to turn up in any setting).
    pub first: &'r [String],
    /// Stretches of source whose secrets come next: around each diagnostic shown, inside each
    /// connection `explain` shows (a password written again in a non-secret setting is quoted
    /// there).
    pub near: Vec<(FileId, Span)>,
    /// The decoded secret values.
    pub values: &'r HashSet<String>,
    /// The sources, whose secret spans' texts come last.
    pub db: &'r SourceDb,
    /// The words the tool itself prints (property names, its docs and examples). A secret that
    /// is one of them (`password`, `secret`, `1234`) is not scrubbed from other text: where the
    /// tool prints such a word it tells a reader nothing, and hiding it would garble every
    /// message (`****-file`). Masking at the source still hides the value itself.
    pub vocabulary: &'r HashSet<String>,
}

/// Bytes of source around a diagnostic's label whose secrets come first.
pub const NEAR_LABEL: usize = NEAR;

/// The secret values the run knows, each once, in the order the scrubber's budget takes them.
/// The budget cannot hold every secret of a huge file, so the order matters: first the secrets
/// compose substituted, then those near what the output shows, then the rest, up to twice
/// the budget.
fn ordered_secrets<'r>(known: &Known<'r>) -> Vec<&'r str> {
    let mut order = Order::default();
    for s in known.first {
        order.take(s);
    }
    'near: for &(file, range) in &known.near {
        let src = known.db.get(file);
        for span in src.secrets_in(range) {
            if !order.take(value_of(&src.text, span)) {
                break 'near;
            }
        }
    }
    for s in known.values {
        if !order.take(s) {
            break;
        }
    }
    'rest: for (_, src) in known.db.iter() {
        for span in &src.secrets {
            if !order.take(value_of(&src.text, *span)) {
                break 'rest;
            }
        }
    }
    order.ordered
}

/// Secret values in the order first taken, each once, up to twice the budget.
#[derive(Default)]
struct Order<'r> {
    ordered: Vec<&'r str>,
    seen: HashSet<&'r str>,
    taken: usize,
}

impl<'r> Order<'r> {
    /// False once full.
    fn take(&mut self, s: &'r str) -> bool {
        if self.taken > 2 * BUDGET {
            return false;
        }
        if self.seen.insert(s) {
            self.taken += s.len();
            self.ordered.push(s);
        }
        true
    }
}

/// A secret span's text, without the quotes of a quoted scalar.
fn value_of(text: &str, span: Span) -> &str {
    let t = text.get(span.range()).unwrap_or("").trim();
    let quoted = t.len() >= 2
        && ((t.starts_with('\'') && t.ends_with('\'')) || (t.starts_with('"') && t.ends_with('"')));
    if quoted { &t[1..t.len() - 1] } else { t }
}

#[derive(Default, Clone, Debug)]
pub struct Scrubber {
    ac: Option<AhoCorasick>,
    /// characters of each pattern, by pattern id
    lens: Vec<usize>,
}

impl Scrubber {
    /// A scrubber for the secrets the run knows.
    pub fn for_run(known: &Known) -> Self {
        Scrubber::with_vocabulary(ordered_secrets(known), known.vocabulary)
    }

    /// A scrubber of `secrets` (tests; no vocabulary spared).
    pub fn new<'s>(secrets: impl IntoIterator<Item = &'s str>) -> Self {
        Scrubber::with_vocabulary(secrets, &HashSet::new())
    }

    pub fn with_vocabulary<'s>(
        secrets: impl IntoIterator<Item = &'s str>,
        words: &HashSet<String>,
    ) -> Self {
        let mut patterns: HashSet<String> = HashSet::new();
        let mut later: Vec<String> = Vec::new();
        let total = std::cell::Cell::new(0usize);
        let mut add_one = |s: &str, first: bool| {
            let plain_word = s.chars().all(char::is_alphanumeric);
            if s.chars().count() >= MIN_LEN
                && !s.trim().is_empty()
                && !(plain_word && words.contains(&s.to_lowercase()))
            {
                if !first {
                    if later.len() < BUDGET / PIECE {
                        later.push(s.to_string());
                    }
                } else if total.get() + s.len() <= BUDGET && patterns.insert(s.to_string()) {
                    total.set(total.get() + s.len());
                }
            }
        };
        let mut add = |s: &str| pieces_of(s, &mut add_one);
        for secret in secrets {
            // a full budget takes no more (the rest of a huge set would cost time for nothing)
            if total.get() + LONG > BUDGET {
                break;
            }
            // a multi-line secret (a block scalar) shows up line by line in a snippet or message
            let pieces = std::iter::once(secret).chain(
                secret
                    .lines()
                    .map(str::trim)
                    .filter(|l| l.len() != secret.len())
                    // a value of a million short lines is covered by its pieces
                    .take(1000),
            );
            for s in pieces {
                add(s);
                add(s.trim());
                add(&crate::printable::visible(s));
                // as the JSON writers write it (bidi and C1 controls escaped too)
                if let Ok(json) = serde_json::to_string(s).map(crate::printable::json_escape_unsafe)
                    && json.len() >= 2
                {
                    add(&json[1..json.len() - 1]);
                }
                add(&crate::printable::github_escape_data(s));
            }
        }
        let mut total = total.get();
        for p in later {
            if total + p.len() > BUDGET {
                break;
            }
            if !patterns.contains(&p) {
                total += p.len();
                patterns.insert(p);
            }
        }
        if patterns.is_empty() {
            return Scrubber::default();
        }
        let patterns: Vec<String> = patterns.into_iter().collect();
        let lens = patterns.iter().map(|p| p.chars().count()).collect();
        // no DFA: its construction is quadratic in a repetitive pattern (`aaaa…`)
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&patterns);
        Scrubber { ac: ac.ok(), lens }
    }

    pub fn text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        match self.replace(s.as_bytes()) {
            // only whole UTF-8 patterns are replaced by ASCII: the result stays UTF-8
            Some(out) => String::from_utf8(out)
                .map(Cow::Owned)
                .unwrap_or(Cow::Borrowed(s)),
            None => Cow::Borrowed(s),
        }
    }

    pub fn bytes(&self, b: Vec<u8>) -> Vec<u8> {
        self.replace(&b).unwrap_or(b)
    }

    /// The haystack with every standing-alone match replaced, or `None` when nothing was.
    fn replace(&self, hay: &[u8]) -> Option<Vec<u8>> {
        let ac = self.ac.as_ref()?;
        let mut out: Option<Vec<u8>> = None;
        let mut last = 0;
        for m in ac.find_iter(hay) {
            let len = self.lens.get(m.pattern().as_usize()).copied().unwrap_or(0);
            if !stands_alone(hay, m.start(), m.end(), len) {
                continue;
            }
            let o = out.get_or_insert_with(|| Vec::with_capacity(hay.len()));
            o.extend_from_slice(&hay[last..m.start()]);
            o.extend_from_slice(MASK.as_bytes());
            last = m.end();
        }
        let mut o = out?;
        o.extend_from_slice(&hay[last..]);
        Some(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_secret_is_replaced() {
        let s = Scrubber::new(["s3cr\"et\tvalue", "abc", "line-one\n  line-two"]);
        assert_eq!(s.text("x s3cr\"et\tvalue y"), "x **** y");
        assert_eq!(s.text(r#"{"m":"s3cr\"et\tvalue"}"#), r#"{"m":"****"}"#);
        // made visible for a terminal
        assert_eq!(s.text(r#"found `s3cr"et\tvalue`"#), "found `****`");
        // too short to scrub from other text
        assert_eq!(s.text("abc"), "abc");
        assert_eq!(s.text("[line-two]"), "[****]");
        assert_eq!(s.text("a line-two b"), "a **** b");
        assert_eq!(
            String::from_utf8(s.bytes(b"line-one%0A  line-two".to_vec())).ok(),
            Some("****".to_string())
        );
    }

    #[test]
    fn a_secret_with_a_bidi_control_is_scrubbed_as_the_json_writers_escape_it() {
        let s = Scrubber::new(["S\u{202e}CRETvalue123"]);
        assert_eq!(s.text(r#"{"m":"S\u202eCRETvalue123"}"#), r#"{"m":"****"}"#);
    }

    #[test]
    fn short_values_only_as_words_and_never_the_tools_own_words() {
        let s = Scrubber::with_vocabulary(
            ["qx7z", "password", "1234", "a-long-distinctive-one"],
            crate::rules::vocabulary(),
        );
        assert_eq!(s.text("/run/secrets/qx7z.key"), "/run/secrets/****.key");
        assert_eq!(s.text("qx7z0 xqx7z"), "qx7z0 xqx7z");
        assert_eq!(s.text("Äqx7z"), "Äqx7z");
        assert_eq!(s.text("`password-file` 1234"), "`password-file` 1234");
        assert_eq!(s.text("xa-long-distinctive-onex"), "x****x");
    }

    #[test]
    fn a_long_secret_is_scrubbed_by_its_pieces() {
        let secret: String = (0..20_000)
            .map(|i| char::from(b'a' + (i % 7) as u8))
            .collect();
        let s = Scrubber::new([secret.as_str()]);
        // a text quoting any 400 bytes of its start, or its end, keeps no long run of it
        for quoted in [
            &secret[..400],
            &secret[1_000..1_400],
            &secret[secret.len() - 300..],
        ] {
            let out = s.text(quoted);
            let longest = out.split(MASK).map(str::len).max().unwrap_or(0);
            assert!(longest < PIECE, "{longest}: {out}");
        }
        // a repetitive one compiles at once
        let long = "a".repeat(1 << 20);
        let s = Scrubber::new([long.as_str()]);
        let quoted = format!("x{}x", &long[..1000]);
        let out = s.text(&quoted);
        assert_eq!(out.matches(MASK).count(), 1000 / PIECE);
        assert!(!out.contains(&"a".repeat(PIECE)));
    }

    #[test]
    fn nothing_to_scrub() {
        let s = Scrubber::new([]);
        assert!(matches!(s.text("text"), Cow::Borrowed(_)));
    }
}
