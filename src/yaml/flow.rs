//! A cheap look at flow collections (`{...}`, `[...]`) before parsing. Our YAML parser reads a
//! whole flow collection ahead before it emits its first event (it could turn out to be a key),
//! holding some 45 bytes per byte of it: a one-line config of half a million connections would
//! take gigabytes before we see any of it. So the largest flow collection is measured first,
//! skipping quoted text and comments, and one beyond the limit is refused as hostile.

/// The start and length (bytes) of the largest flow collection, if there is one.
pub fn largest(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    // a flow collection starts where a node may start: at a line's first non-blank character,
    // after `- `, or after `: `
    let mut node_start = true;
    while i < b.len() {
        match b[i] {
            b'\n' | b'\r' => node_start = true,
            b' ' | b'\t' => {}
            b'-' | b'?'
                if b.get(i + 1)
                    .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) =>
            {
                node_start = true;
            }
            b':' if b
                .get(i + 1)
                .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) =>
            {
                node_start = true;
            }
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                i = skip_line(b, i);
                continue;
            }
            b'{' | b'[' if node_start => {
                let end = flow_end(b, i);
                let len = end - i;
                if best.is_none_or(|(_, l)| len > l) {
                    best = Some((i, len));
                }
                i = end;
                node_start = false;
                continue;
            }
            b'\'' | b'"' if node_start => {
                i = quoted_end(b, i);
                node_start = false;
                continue;
            }
            _ => {
                // a plain scalar or anything else: up to the next `: `, `- ` or line break
                node_start = false;
            }
        }
        i += 1;
    }
    best
}

fn skip_line(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The end of a quoted scalar opening at `i` (or of the text when it never closes).
fn quoted_end(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() {
        if q == b'"' && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == q {
            if q == b'\'' && b.get(j + 1) == Some(&b'\'') {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

/// The end of the flow collection opening at `i` (or of the text when it never closes).
fn flow_end(b: &[u8], i: usize) -> usize {
    let mut depth = 0usize;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            b'\'' | b'"' => {
                j = quoted_end(b, j);
                continue;
            }
            b'#' if matches!(b[j - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                j = skip_line(b, j);
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_flow_collections_only() {
        assert_eq!(largest("a: {b: c}\n"), Some((3, 6)));
        assert_eq!(largest("{a: [1, 2], b: 'x}'}\n"), Some((0, 20)));
        // brackets in plain or quoted text and comments are not collections
        assert_eq!(largest("a: x{y\nb: '{'\n# {\n"), None);
        assert_eq!(largest("- [a, b]\n- {c: d}\n"), Some((2, 6)));
        // never closed: to the end
        assert_eq!(largest("a: [1, 2\n"), Some((3, 6)));
    }
}
