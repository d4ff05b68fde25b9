//! Input text made safe to show a person. A config can hold escape sequences (`"\e]0;…\a"`),
//! raw control characters, bidirectional overrides or line separators; printed as they are, they
//! set a terminal's title, clear the screen, hide or reorder text. Every piece of input text in
//! human-facing output passes through here and comes out visible: `\u{1b}`, `\r`, `\t`.

use std::borrow::Cow;
use unicode_width::UnicodeWidthChar;

/// Whether `c` must not reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // bidirectional controls (Trojan Source), line and paragraph separators
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{2028}' | '\u{2029}'
            // invisible characters that change what a person reads
            | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}')
}

/// The visible form of an unsafe character.
pub fn escape_char(c: char) -> String {
    match c {
        '\t' => "\\t".into(),
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

/// `s` with every unsafe character written visibly.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&escape_char(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with every character [`is_unsafe`] that serde_json leaves raw (DEL, C1 controls,
/// bidirectional controls, line separators, invisible characters) written as a `\uXXXX` escape,
/// so a JSON report shown in a terminal or a diff cannot reorder or hide text. Such a character
/// can only stand inside a JSON string (JSON's own syntax is ASCII), where the escape reads
/// back as the same character; serde_json escapes C0 controls itself, and the newlines and
/// spaces of pretty-printing stay.
pub fn json_escape_unsafe(json: String) -> String {
    let raw = |c: char| c > '\u{7e}' && is_unsafe(c);
    if !json.chars().any(raw) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            // all of them are in the Basic Multilingual Plane: one escape each
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Terminal columns a character takes when shown (escaped characters take their escape's width;
/// a tab is shown as four spaces).
pub fn display_width(c: char) -> usize {
    if c == '\t' {
        4
    } else if is_unsafe(c) {
        escape_char(c).len()
    } else {
        c.width().unwrap_or(0)
    }
}

/// GitHub's workflow-command escaping of a message (`%`, CR, LF), which every annotation's text
/// gets: the scrubber knows this form of a secret too.
pub fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(visible("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(visible("x\r\ny"), "x\\r\\ny");
        assert_eq!(visible("\u{202e}abc"), "\\u{202e}abc");
        assert_eq!(visible("plain ä 😀"), "plain ä 😀");
        assert_eq!(display_width('😀'), 2);
        assert_eq!(display_width('\u{1b}'), 6);
    }

    #[test]
    fn json_keeps_no_unsafe_character_raw() {
        let value = "a\u{202e}b\u{85}c\u{2028}d\u{7f}e\u{1b}ä😀";
        let json =
            serde_json::to_string_pretty(&serde_json::json!({ "k": value })).unwrap_or_default();
        let escaped = json_escape_unsafe(json);
        assert!(
            !escaped.chars().any(|c| c > '\u{7e}' && is_unsafe(c)),
            "{escaped}"
        );
        assert!(escaped.contains("a\\u202eb\\u0085c\\u2028d\\u007fe\\u001bä😀"));
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap_or_default();
        assert_eq!(back["k"], value);
    }
}
