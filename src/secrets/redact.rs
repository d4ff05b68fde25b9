//! Showing text safely: the [`Redactor`] renders every [`Text`] an output shows, piece by piece,
//! through the masks of the sources it quotes, the URL redactor and the scrubber of the
//! secret values the run knows.
//!
//! Until every rule quotes by span, messages written as free strings (`Piece::Legacy`) are
//! cleaned by [`legacy`]: what they quote (between backticks or double quotes) from a masked
//! region near one of the diagnostic's labels becomes `****`.

use super::MASK;
use super::masks::{merge, scanned, tree_masks};
use super::scrub::Scrubber;
use super::text::{Piece, Text};
use super::url::url_credentials;
use crate::source::{FileId, SourceDb, SourceKind, Span, ceil_char, floor_char};

/// The longest quote of source text shown in a text (characters); the rest is `…`.
pub const MAX_QUOTE: usize = 200;

/// Renders texts for output, in one place: every output format gets its texts from here.
pub struct Redactor<'a> {
    db: &'a SourceDb,
    /// Per source, the regions masked in its own text (for quotes of it).
    own: Vec<Vec<Span>>,
    /// Per source, the regions masked where it is shown: its own, and those of the sources
    /// embedded in it, relocated (empty for an embedded source: it is shown in its host).
    shown: Vec<Vec<Span>>,
    scrub: Scrubber,
}

impl<'a> Redactor<'a> {
    /// The redactor of a run: the masks of every source, and the scrubber of the secret values
    /// the run knows.
    pub fn new(db: &'a SourceDb, scrub: Scrubber) -> Redactor<'a> {
        let own: Vec<Vec<Span>> = db
            .iter()
            .map(|(_, src)| {
                merge(
                    &src.text,
                    [
                        &tree_masks(&src.text, src.secrets.clone())[..],
                        &scanned(src),
                    ]
                    .concat(),
                )
            })
            .collect();
        let mut shown: Vec<Vec<Span>> = vec![Vec::new(); own.len()];
        for (id, src) in db.iter() {
            let (host, _) = db.relocate(id, Span::default());
            if matches!(src.kind, SourceKind::Embedded { .. }) && host != id {
                shown[host].extend(own[id].iter().map(|s| db.relocate(id, *s).1));
            } else {
                shown[id].extend_from_slice(&own[id]);
            }
        }
        for (id, (_, src)) in db.iter().enumerate() {
            let spans = std::mem::take(&mut shown[id]);
            shown[id] = merge(&src.text, spans);
        }
        Redactor {
            db,
            own,
            shown,
            scrub,
        }
    }

    /// The sources the texts quote.
    pub fn db(&self) -> &SourceDb {
        self.db
    }

    /// The regions to mask where `file` is shown (a snippet of it), sorted and disjoint.
    pub fn shown(&self, file: FileId) -> &[Span] {
        self.shown.get(file).map_or(&[], Vec::as_slice)
    }

    /// The regions masked in `file`'s own text, sorted and disjoint.
    pub fn own(&self, file: FileId) -> &[Span] {
        self.own.get(file).map_or(&[], Vec::as_slice)
    }

    /// Whether `span` (an empty one counts as its first byte) of `file` touches a mask.
    pub fn masked(&self, file: FileId, span: Span) -> bool {
        let masks = self.own(file);
        let end = span.end.max(span.start + 1);
        let i = masks.partition_point(|m| m.end <= span.start);
        masks.get(i).is_some_and(|m| m.start < end)
    }

    /// `t` as it may be shown: each quote through the masks of its source, each value through
    /// the URL redactor, then every secret value the run knows scrubbed from the whole.
    pub fn text(&self, t: &Text) -> String {
        let mut out = String::new();
        for p in t.pieces() {
            match p {
                Piece::Own(w) => out.push_str(w),
                Piece::Source { file, span, shown } => {
                    self.quote(*file, *span, shown.as_deref(), &mut out)
                }
                Piece::Value(v) => push_clipped(&mut out, &url_credentials(v)),
                Piece::Secret => out.push_str(MASK),
                // scrubbed of what the probe sent already; URLs in it shown as every URL is
                Piece::Remote(v) => out.push_str(&super::url::urls_in_text(v)),
                Piece::Legacy(s) => out.push_str(s),
            }
        }
        self.scrub.text(&out).into_owned()
    }

    /// A value shown on its own (an `explain` setting, a file name): credentials of URLs masked,
    /// known secrets scrubbed.
    pub fn value(&self, v: &str) -> String {
        self.scrub.text(&url_credentials(v)).into_owned()
    }

    /// The scrubber of the secret values the run knows.
    pub fn scrubber(&self) -> &Scrubber {
        &self.scrub
    }

    /// The last line of defence, over the final output: every known secret value scrubbed.
    pub fn bytes(&self, out: Vec<u8>) -> Vec<u8> {
        self.scrub.bytes(out)
    }

    fn quote(&self, file: FileId, span: Span, shown: Option<&str>, out: &mut String) {
        let Some(src) = (file < self.own.len()).then(|| self.db.get(file)) else {
            return;
        };
        let slice = src.slice(span);
        if !self.masked(file, span) {
            push_clipped(out, shown.unwrap_or(slice));
            return;
        }
        if shown.is_some_and(|s| s != slice) {
            // a decoded form cannot be masked in part
            out.push_str(MASK);
            return;
        }
        // the quote with its masked parts as `****`
        let masks = self.own(file);
        let mut quoted = String::new();
        let mut at = span.start;
        let first = masks.partition_point(|m| m.end <= span.start);
        for m in masks[first..]
            .iter()
            .take_while(|m| m.start < span.end.max(span.start + 1))
        {
            if m.start > at {
                quoted.push_str(src.slice(Span::new(at, m.start)));
            }
            quoted.push_str(MASK);
            at = at.max(m.end);
        }
        if at < span.end {
            quoted.push_str(src.slice(Span::new(at, span.end)));
        }
        push_clipped(out, &quoted);
    }
}

/// `s` onto `out`, cut to [`MAX_QUOTE`] characters (then `…`).
fn push_clipped(out: &mut String, s: &str) {
    match s.char_indices().nth(MAX_QUOTE) {
        None => out.push_str(s),
        Some((i, _)) => {
            out.push_str(&s[..i]);
            out.push('…');
        }
    }
}

/// Bytes of source on either side of a label that a message is taken to quote from.
const QUOTE_WINDOW: usize = 1024;

/// Words of a masked region looked for, unquoted, in one message (per stretch of source).
const MAX_WORDS: usize = 64;

/// A stretch of source text around a label, with the masked regions that overlap it.
struct View<'a> {
    text: &'a str,
    base: usize,
    masks: &'a [Span],
    /// What the label marks, as far as the stretch goes.
    label: Span,
}

impl View<'_> {
    /// Whether `[start, end)` (offsets into the whole text) overlaps a mask.
    fn masked(&self, start: usize, end: usize) -> bool {
        let i = self.masks.partition_point(|m| m.end <= start);
        self.masks.get(i).is_some_and(|m| m.start < end)
    }

    /// The text of `[start, end)` (offsets into the whole text), as far as the stretch goes.
    fn slice(&self, start: usize, end: usize) -> &str {
        let s = ceil_char(self.text, start.saturating_sub(self.base));
        let e = floor_char(self.text, end.saturating_sub(self.base));
        self.text.get(s..e).unwrap_or("")
    }
}

/// The stretch of `text` around `span` (a label) a message about it may quote.
fn view<'a>(text: &'a str, masks: &'a [Span], span: Span) -> View<'a> {
    let from = floor_char(text, span.start.saturating_sub(QUOTE_WINDOW));
    let to = span.end.min(span.start.saturating_add(4 * QUOTE_WINDOW));
    let to = ceil_char(text, to.saturating_add(QUOTE_WINDOW));
    let first = masks.partition_point(|m| m.end <= from);
    let last = first + masks[first..].partition_point(|m| m.start < to);
    View {
        text: &text[from..to],
        base: from,
        masks: &masks[first..last],
        label: Span::new(span.start.clamp(from, to), span.end.clamp(from, to)),
    }
}

fn wordy(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_')
}

/// Whether a fragment quoted in a message shows masked text: it is (part of) what a label
/// marks, where that is masked (`def` when the label marks a key that is really a secret's
/// continuation); or, written near a label, it stands as a word of its own only where a mask
/// covers it. Fragments of a few signs only (`: `) never do.
fn shows_masked(fragment: &str, views: &[View]) -> bool {
    if fragment.trim().is_empty()
        || (fragment.chars().count() < 4 && !fragment.chars().any(char::is_alphanumeric))
    {
        return false;
    }
    let first_wordy = fragment.chars().next().is_some_and(wordy);
    let last_wordy = fragment.chars().next_back().is_some_and(wordy);
    let short = fragment.chars().count() < 4;
    // standing as a word of its own at byte `pos` of a view
    let alone = |v: &View, pos: usize| {
        let before = v.text[..pos].chars().next_back();
        let after = v.text[pos + fragment.len()..].chars().next();
        let joined =
            (first_wordy && before.is_some_and(wordy)) || (last_wordy && after.is_some_and(wordy));
        !joined
    };
    // what a label marks
    for v in views {
        let marked = v.slice(v.label.start, v.label.end);
        let at = ceil_char(v.text, v.label.start.saturating_sub(v.base));
        if marked.match_indices(fragment).any(|(p, _)| {
            v.masked(v.base + at + p, v.base + at + p + fragment.len())
                && (!short || alone(v, at + p))
        }) {
            return true;
        }
        if (marked == fragment || marked.chars().count() >= 4)
            && fragment.contains(marked)
            && v.masked(v.base + at, v.base + at + marked.len())
        {
            return true;
        }
    }
    // what is written near a label: a word shown elsewhere is no secret's
    let mut masked = false;
    for v in views {
        for (pos, _) in v.text.match_indices(fragment) {
            if !alone(v, pos) {
                continue;
            }
            if !v.masked(v.base + pos, v.base + pos + fragment.len()) {
                return false;
            }
            masked = true;
        }
    }
    masked
}

/// Where a comment (`#` after a blank) starts in mask `m` at or after `from` (offsets into the
/// whole text), as far as the view goes.
fn comment_after(v: &View, m: &Span, from: usize) -> Option<usize> {
    let start = m.start.max(from);
    let s = ceil_char(v.text, start.saturating_sub(v.base));
    let e = floor_char(v.text, m.end.saturating_sub(v.base));
    let bytes = v.text.as_bytes();
    v.text.get(s..e)?.match_indices('#').find_map(|(i, _)| {
        let at = s + i;
        (at > 0 && matches!(bytes[at - 1], b' ' | b'\t')).then_some(v.base + at)
    })
}

/// `message` with what it quotes (between backticks or double quotes) from masked text
/// replaced by `****`, and with the words (four characters or more) of masked text a label
/// marks that it shows unquoted replaced too; `None` when nothing had to change.
fn redact_text(message: &str, views: &[View]) -> Option<String> {
    let mut out = String::with_capacity(message.len());
    let mut changed = false;
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let q = rest.as_bytes()[open];
        let Some(len) = rest[open + 1..].find(q as char) else {
            break;
        };
        let fragment = &rest[open + 1..open + 1 + len];
        out.push_str(&rest[..=open]);
        if shows_masked(fragment, views) {
            out.push_str(MASK);
            changed = true;
        } else {
            out.push_str(fragment);
        }
        out.push(q as char);
        rest = &rest[open + 1 + len + 1..];
    }
    out.push_str(rest);
    for v in views {
        let words = v
            .masks
            .iter()
            .filter(|m| m.start < v.label.end.max(v.label.start + 1) && v.label.start < m.end)
            // a comment after what the label marks is masked with a secret's line, but no
            // message quotes it: its words (`# quote it`) are left to the message
            .flat_map(|m| {
                let end = comment_after(v, m, v.label.end).unwrap_or(m.end);
                v.slice(m.start, end).split_whitespace()
            })
            .map(|w| w.trim_matches(['\'', '"', ',', '{', '}', '[', ']']))
            .filter(|w| w.chars().count() >= 4 && w.chars().any(char::is_alphanumeric))
            .take(MAX_WORDS);
        for w in words {
            if out.contains(w) {
                out = out.replace(w, MASK);
                changed = true;
            }
        }
    }
    changed.then_some(out)
}

/// Keep the free-string pieces (`Piece::Legacy`) of every diagnostic's texts from showing
/// masked text: what they quote from a masked region near one of the diagnostic's labels (a key
/// that is really the continuation of a secret value, a value that is a secret) becomes `****`.
pub fn legacy(r: &Redactor, diagnostics: &mut [crate::diag::Diagnostic]) {
    let db = r.db;
    // a label's text may quote its own source, or the host it is shown in
    let places = |d: &crate::diag::Diagnostic| -> Vec<(FileId, Span)> {
        std::iter::once(&d.primary)
            .chain(&d.related)
            .flat_map(|l| {
                let host = db.relocate(l.file, l.span);
                let own = (l.file, l.span);
                if host.0 == l.file {
                    vec![own]
                } else {
                    vec![own, host]
                }
            })
            .collect()
    };
    for d in diagnostics.iter_mut() {
        let has_legacy = std::iter::once(&d.message)
            .chain(d.help.as_ref())
            .chain(d.primary.message.as_ref())
            .chain(d.related.iter().filter_map(|l| l.message.as_ref()))
            .any(|t| t.pieces().iter().any(|p| matches!(p, Piece::Legacy(_))));
        if !has_legacy {
            continue;
        }
        let views: Vec<View> = places(d)
            .into_iter()
            .filter_map(|(file, span)| {
                let v = view(&db.get(file).text, r.own(file), span);
                (!v.masks.is_empty()).then_some(v)
            })
            .collect();
        if views.is_empty() {
            continue;
        }
        let texts = std::iter::once(&mut d.message)
            .chain(d.help.as_mut())
            .chain(d.primary.message.as_mut())
            .chain(d.related.iter_mut().filter_map(|l| l.message.as_mut()));
        for t in texts {
            t.each_legacy(|s| {
                if let Some(r) = redact_text(s, &views) {
                    *s = r;
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::scan::scan;

    #[test]
    fn messages_do_not_quote_masked_text() {
        let text = "a:\n  password: abc\n    def: ghi\n  b: 1\n";
        let masks = merge(text, scan(text));
        let def = text.find("def").unwrap_or(0);
        let views = [view(text, &masks, Span::new(def, def + 3))];
        let m = "`def` is indented 2 spaces deeper than `password` above it";
        assert_eq!(
            redact_text(m, &views).as_deref(),
            Some("`****` is indented 2 spaces deeper than `password` above it")
        );
        // unquoted words of a masked value, quoted parts of one, in double quotes too
        assert_eq!(
            redact_text("a value ghi\"abc\" here", &views).as_deref(),
            Some("a value ghi\"****\" here")
        );
        let long = "a:\n  password: s3cr3tvalue\n";
        let masks = merge(long, scan(long));
        let at = long.find("s3cr3t").unwrap_or(0);
        let views = [view(long, &masks, Span::new(at, at + 11))];
        assert_eq!(
            redact_text("`s3cr3t` in s3cr3tvalue", &views).as_deref(),
            Some("`****` in ****")
        );
        // a word also written where nothing is masked is no secret's
        let text = "a:\n  token: 'a-token'\n  token-file: /t\n";
        let masks = merge(text, scan(text));
        let at = text.find("token-file").unwrap_or(0);
        let views = [view(text, &masks, Span::new(at, at + 10))];
        assert_eq!(
            redact_text("`token` and `token-file` cannot both be set", &views),
            None
        );
        // short fragments only as words of their own; signs never; unmasked text stays
        assert_eq!(redact_text("`a` and `b` and `: `", &views), None);
        assert_eq!(redact_text("`password` is wrong", &views), None);
    }
}
