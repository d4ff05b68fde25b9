//! A fix's edits as the server may send them: no byte of a secret value in any `newText`.
//! The secrets are the regions the run's [`Redactor`] masks where the document is shown (by
//! span, so a short value or a word of the tool's own docs counts as much as any): an edit
//! that replaces one is split into the edits around it, the secret kept in place; an edit
//! that would take a secret away (a line moved elsewhere) makes the fix not offered.

use crate::secrets::Redactor;
use crate::source::{FileId, Span};

/// Quote characters around a masked value: YAML's, and the typographic ones a mask of a
/// plain scalar (`“…”`) holds; changing them changes no byte of the value.
const QUOTES: &[char] = &[
    '"', '\'', '“', '”', '‘', '’', '„', '‚', '«', '»', '‹', '›', '`',
];

/// Why a fix that would move a secret is not offered.
pub const MOVES_A_SECRET: &str = "the fix would move or change a secret value, and the language server \
never sends one to the editor; apply it with `dsf-connections check --fix`, or by hand";

/// The secret values of `doc`, each mask without the quotes and spaces around it.
pub fn secrets(r: &Redactor, doc: FileId, text: &str) -> Vec<Span> {
    r.shown(doc)
        .iter()
        .filter_map(|m| {
            let t = text.get(m.start..m.end)?;
            let lead = t.len()
                - t.trim_start_matches(|c: char| QUOTES.contains(&c) || c.is_whitespace())
                    .len();
            let core =
                t[lead..].trim_end_matches(|c: char| QUOTES.contains(&c) || c.is_whitespace());
            (!core.is_empty()).then(|| Span::new(m.start + lead, m.start + lead + core.len()))
        })
        .collect()
}

/// The edit replacing `start..end` of `text` with `new` as edits that leave every secret of
/// `secrets` (sorted) in place, or `None` when that is impossible (it deletes a secret, or a
/// secret it replaces is not in its new text).
pub fn keeping(
    text: &str,
    start: usize,
    end: usize,
    new: &str,
    secrets: &[Span],
) -> Option<Vec<(usize, usize, String)>> {
    let mut out = Vec::new();
    let (mut at, mut rest) = (start, new);
    for s in secrets.iter().filter(|s| s.start < end && start < s.end) {
        if s.start < start || s.end > end {
            return None;
        }
        let secret = text.get(s.start..s.end)?;
        let k = rest.find(secret)?;
        out.push((at, s.start, rest[..k].to_string()));
        rest = &rest[k + secret.len()..];
        at = s.end;
    }
    out.push((at, end, rest.to_string()));
    // a piece between two secrets may give back what it replaces (`@host?token=`)
    out.retain(|(a, b, t)| text.get(*a..*b) != Some(t.as_str()));
    // a secret written twice in the new text would still send one copy
    let overlapped = secrets.iter().filter(|s| s.start < end && start < s.end);
    for s in overlapped {
        let secret = text.get(s.start..s.end)?;
        if out.iter().any(|(_, _, t)| t.contains(secret)) {
            return None;
        }
    }
    Some(out)
}

/// One edit as the insertions around the old text when the replacement keeps it whole.
pub fn minimal(text: &str, start: usize, end: usize, new: &str) -> Vec<(usize, usize, String)> {
    let old = text.get(start..end).unwrap_or_default();
    match (old.is_empty(), new.find(old)) {
        (false, Some(k)) => {
            let (before, after) = (&new[..k], &new[k + old.len()..]);
            [(start, before), (end, after)]
                .into_iter()
                .filter(|(_, s)| !s.is_empty())
                .map(|(at, s)| (at, at, s.to_string()))
                .collect()
        }
        _ => vec![(start, end, new.to_string())],
    }
}

#[cfg(test)]
mod tests {
    use super::{keeping, minimal};
    use crate::source::Span;

    #[test]
    fn a_replacement_keeping_the_old_text_is_sent_as_insertions() {
        let t = "password: 1234\n";
        assert_eq!(
            minimal(t, 10, 14, "'1234'"),
            [(10, 10, "'".to_string()), (14, 14, "'".to_string())]
        );
        assert_eq!(minimal(t, 10, 14, "x"), [(10, 14, "x".to_string())]);
        // an insertion (nothing replaced) stays one edit
        assert_eq!(minimal(t, 3, 3, "ab"), [(3, 3, "ab".to_string())]);
    }

    #[test]
    fn a_secret_is_kept_in_place_or_the_edit_refused() {
        let t = "password: “q7z”\n";
        let s = [Span::new(13, 16)];
        let end = t.len() - 1;
        assert_eq!(
            keeping(t, 10, end, "\"q7z\"", &s),
            Some(vec![
                (10, 13, "\"".to_string()),
                (16, end, "\"".to_string())
            ])
        );
        // deleted, or moved elsewhere
        assert_eq!(keeping(t, 0, t.len(), "", &s), None);
        // cut through
        assert_eq!(keeping(t, 14, end, "x", &s), None);
        // sent twice
        assert_eq!(keeping(t, 10, end, "q7z q7z", &s), None);
        // two secrets: the text between them is not sent back
        let u = "“a:s1@h?t=s2”";
        let (s1, s2) = (u.find("s1").unwrap_or(0), u.find("s2").unwrap_or(0));
        assert_eq!(
            keeping(
                u,
                0,
                u.len(),
                "\"a:s1@h?t=s2\"",
                &[Span::new(s1, s1 + 2), Span::new(s2, s2 + 2)]
            ),
            Some(vec![
                (0, 5, "\"a:".to_string()),
                (s2 + 2, u.len(), "\"".to_string())
            ])
        );
        // not touched
        assert_eq!(
            keeping(t, 0, 0, "a:\n", &s),
            Some(vec![(0, 0, "a:\n".to_string())])
        );
    }
}
