//! Showing text safely: the [`Redactor`] renders every [`Text`] an output shows, piece by piece,
//! through the masks of the sources it quotes, the URL redactor and the scrubber of the
//! secret values the run knows.

use super::MASK;
use super::masks::{merge, scanned, tree_masks};
use super::scrub::Scrubber;
use super::text::{Piece, Text};
use super::url::url_credentials;
use crate::source::{FileId, SourceDb, SourceKind, Span};

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

    /// The text of `span` in `file` as it may be shown where `file` is shown (a diff line): the
    /// masked regions, its own and those of sources embedded in it, as `****`, and every known
    /// secret value scrubbed.
    pub fn shown_slice(&self, file: FileId, span: Span) -> String {
        let src = self.db.get(file);
        let masks = self.shown(file);
        let mut out = String::new();
        let mut at = span.start;
        let first = masks.partition_point(|m| m.end <= span.start);
        for m in masks[first..].iter().take_while(|m| m.start < span.end) {
            if m.start > at {
                out.push_str(src.slice(Span::new(at, m.start)));
            }
            out.push_str(MASK);
            at = at.max(m.end);
        }
        if at < span.end {
            out.push_str(src.slice(Span::new(at, span.end)));
        }
        self.scrub.text(&out).into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, SourceKind};
    use crate::text;

    fn db(text: &str) -> SourceDb {
        let mut db = SourceDb::default();
        db.add(SourceFile::new(
            "c.yaml",
            SourceKind::File,
            text.to_string(),
        ));
        db
    }

    fn at(text: &str, what: &str) -> Span {
        let i = text.find(what).unwrap_or(0);
        Span::new(i, i + what.len())
    }

    #[test]
    fn a_quote_of_masked_source_is_masked() {
        // `def` is the continuation of a secret value (the text scan says so), not a key
        let text = "a:\n  password: abc\n    def: ghi\n  b: 1\n";
        let db = db(text);
        let r = Redactor::new(&db, Scrubber::default());
        let t = text!(
            "`{}` is indented deeper than `{}` above it",
            Piece::source(0, at(text, "def")),
            Piece::from("password")
        );
        assert_eq!(
            r.text(&t),
            "`****` is indented deeper than `password` above it"
        );
        // a decoded form of a masked span is masked whole; an unmasked one shown as decoded
        let t = text!(
            "{} {}",
            Piece::decoded(0, at(text, "abc"), "ABC"),
            Piece::decoded(0, at(text, "b: 1"), "b")
        );
        assert_eq!(r.text(&t), "**** b");
        // a quote over masked and unmasked text keeps the unmasked part
        let line = at(text, "password: abc");
        assert_eq!(
            r.text(&Text::from(Piece::source(0, line))),
            "password: ****"
        );
        assert_eq!(r.text(&Text::from(Piece::Secret)), "****");
    }

    #[test]
    fn values_go_through_the_url_redactor_and_the_scrubber() {
        let db = db("x: 1\n");
        let r = Redactor::new(&db, Scrubber::new(["hunter2-long-secret"]));
        let t = text!(
            "{} and {}",
            Piece::value("https://u:pw@h/fhir?apikey=k1&_format=json"),
            Piece::value("user hunter2-long-secret")
        );
        assert_eq!(
            r.text(&t),
            "https://u:****@h/fhir?apikey=****&_format=json and user ****"
        );
        // a long quote is cut
        let long = "y".repeat(MAX_QUOTE + 50);
        let out = r.text(&Text::from(Piece::value(&long)));
        assert_eq!(out.chars().count(), MAX_QUOTE + 1);
    }
}
