//! Secret masking for rendered snippets: every secret value is replaced by `****` in a copy of
//! the text, and spans are mapped onto the copy, so labels still point where they did. Two
//! sources of secret spans: the values the parsed tree found under secret keys, and a line scan
//! for `password: ...`-like text, which also covers files that failed to parse.

use crate::model::is_secret_name;
use crate::source::Span;

pub const MASK: &str = "****";

pub struct Masked {
    pub text: String,
    /// (start, end) in the original text of each replaced region, sorted, disjoint.
    regions: Vec<(usize, usize)>,
    /// `shift[i]`: how far offsets after region `i` move (cumulative), for binary search.
    shift: Vec<isize>,
}

impl Masked {
    pub fn new(text: &str, tree_secrets: &[Span]) -> Masked {
        let mut regions: Vec<(usize, usize)> = tree_secrets
            .iter()
            .filter(|s| !s.is_empty() && s.end <= text.len())
            .map(|s| (s.start, s.end))
            .collect();
        regions.extend(scan_lines(text));
        regions.sort_unstable();
        // merge overlaps
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(regions.len());
        for (s, e) in regions {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged.retain(|&(s, e)| text.is_char_boundary(s) && text.is_char_boundary(e));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for &(s, e) in &merged {
            out.push_str(&text[at..s]);
            out.push_str(MASK);
            at = e;
        }
        out.push_str(&text[at..]);
        let mut total = 0isize;
        let shift = merged
            .iter()
            .map(|&(s, e)| {
                total += MASK.len() as isize - (e - s) as isize;
                total
            })
            .collect();
        Masked {
            text: out,
            regions: merged,
            shift,
        }
    }

    /// Map an offset of the original text onto the masked copy.
    pub fn offset(&self, original: usize) -> usize {
        // regions that start before `original`
        let n = self.regions.partition_point(|&(s, _)| s < original);
        let before = if n == 0 { 0 } else { self.shift[n - 1] };
        match n.checked_sub(1).map(|i| (i, self.regions[i])) {
            // inside a masked region: its start
            Some((i, (s, e))) if original < e => {
                let prior = if i == 0 { 0 } else { self.shift[i - 1] };
                (s as isize + prior) as usize
            }
            _ => (original as isize + before).max(0) as usize,
        }
    }

    pub fn span(&self, span: Span) -> Span {
        let start = self.offset(span.start);
        let end = self.offset(span.end);
        if span.end > span.start && end <= start {
            // a label on a masked value covers the mask
            return Span::new(start, start + MASK.len());
        }
        Span::new(start, end)
    }
}

/// Values after `secret-key:` on each line, up to the end of the value (a quote, `,`, `}`, ` #`
/// or the line end). Errs on the side of masking.
fn scan_lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b':' {
            i += 1;
            continue;
        }
        // the key before the colon
        let mut k = i;
        while k > 0 && matches!(bytes[k - 1], b'\'' | b'"') {
            k -= 1;
        }
        let key_end = k;
        while k > 0 && (bytes[k - 1].is_ascii_alphanumeric() || matches!(bytes[k - 1], b'-' | b'_'))
        {
            k -= 1;
        }
        let key = &text[k..key_end];
        let after = i + 1;
        i += 1;
        if key.is_empty() || !is_secret_name(key) || !matches!(bytes.get(after), Some(b' ' | b'\t'))
        {
            continue;
        }
        let mut s = after;
        while matches!(bytes.get(s), Some(b' ' | b'\t')) {
            s += 1;
        }
        let line_end = text[s..].find(['\n', '\r']).map_or(text.len(), |x| s + x);
        let (vs, ve) = match bytes.get(s) {
            Some(q @ (b'\'' | b'"')) => {
                let close = text[s + 1..line_end]
                    .find(*q as char)
                    .map_or(line_end, |x| s + 1 + x);
                (s + 1, close)
            }
            Some(b'|' | b'>') => {
                // a block scalar: mask the following more-indented lines
                let mut e = line_end;
                let indent_of =
                    |from: usize| text[from..].len() - text[from..].trim_start_matches(' ').len();
                let line_start = text[..i].rfind('\n').map_or(0, |x| x + 1);
                let key_indent = indent_of(line_start);
                let mut next = line_end;
                while next < text.len() {
                    let ls = next + text[next..].find('\n').map_or(text.len() - next, |x| x + 1);
                    if ls >= text.len() {
                        break;
                    }
                    let le = text[ls..].find('\n').map_or(text.len(), |x| ls + x);
                    let blank = text[ls..le].trim().is_empty();
                    if !blank && indent_of(ls) <= key_indent {
                        break;
                    }
                    e = le;
                    next = le;
                }
                (line_end, e)
            }
            _ => {
                let end = text[s..line_end]
                    .find([',', '}', ']'])
                    .map_or(line_end, |x| s + x);
                let end = text[s..end].find(" #").map_or(end, |x| s + x);
                (s, end)
            }
        };
        if ve > vs {
            out.push((vs, ve));
        }
        i = ve.max(i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_maps() {
        let text = "a:\n  password: 'hunter2'\n  token: abc # c\n  x: {client-secret: zz, y: 1}\n";
        let m = Masked::new(text, &[]);
        assert!(!m.text.contains("hunter2"));
        assert!(!m.text.contains("abc"));
        assert!(!m.text.contains("zz"));
        assert!(m.text.contains("password: '****'"));
        assert!(m.text.contains("# c"));
        let y = text.find("y:").unwrap_or(0);
        assert_eq!(&m.text[m.offset(y)..m.offset(y) + 2], "y:");
    }

    #[test]
    fn unterminated_quote_is_masked_to_line_end() {
        let text = "b:\n  password: 'secret’\n";
        let m = Masked::new(text, &[]);
        assert!(!m.text.contains("secret"));
    }

    #[test]
    fn block_scalar_secret() {
        let text = "a:\n  password: |\n    s3cret\n    more\n  b: 1\n";
        let m = Masked::new(text, &[]);
        assert!(!m.text.contains("s3cret"));
        assert!(m.text.contains("b: 1"));
    }
}
