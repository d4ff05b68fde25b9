//! Where every diagnostic goes before it is kept: the user's `--select`/`--ignore` codes, inline
//! suppression comments (`# dsf-connections: ignore[code]` on the line, or alone on the line
//! above), and the cap on how many are kept (`--max-diagnostics`), so a hostile file of a million
//! mistakes costs bounded memory and output. What is left out is counted per code, and errors
//! left out by the cap still count for the verdict.

use super::{Diagnostic, Severity};
use crate::source::{FileId, Span};
use std::collections::{BTreeMap, HashMap};

pub const DEFAULT_MAX: u64 = 1000;
const MARKER: &str = "dsf-connections:";

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these codes (empty: all).
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Only diagnostics of these connections (and of the document as a whole); empty: all.
    pub connections: Vec<String>,
    pub max: usize,
}

/// The byte ranges an inline suppression comment covers, with its codes (empty: every code),
/// sorted by start. A comment covers at most its own line and the next.
#[derive(Debug, Default)]
struct Suppressions {
    ranges: Vec<(Span, std::sync::Arc<[String]>)>,
}

impl Suppressions {
    fn scan(text: &str) -> Suppressions {
        let mut ranges = Vec::new();
        if !text.contains(MARKER) {
            return Suppressions { ranges };
        }
        let lines: Vec<(usize, &str)> = crate::yaml::lines_with_offsets(text).collect();
        for (i, &(start, line)) in lines.iter().enumerate() {
            let Some(codes) = directive(line) else {
                continue;
            };
            let codes: std::sync::Arc<[String]> = codes.into();
            ranges.push((Span::new(start, start + line.len() + 1), codes.clone()));
            // a comment alone on its line covers the next line too
            if line.trim_start().starts_with('#')
                && let Some(&(next, next_line)) = lines.get(i + 1)
            {
                ranges.push((Span::new(next, next + next_line.len() + 1), codes));
            }
        }
        ranges.sort_by_key(|r| r.0.start);
        Suppressions { ranges }
    }

    fn covers(&self, offset: usize, code: &str) -> bool {
        // the ranges starting at or before `offset`; only the last few can reach it
        let i = self
            .ranges
            .partition_point(|(span, _)| span.start <= offset);
        self.ranges[..i].iter().rev().take(4).any(|(span, codes)| {
            offset < span.end && (codes.is_empty() || codes.iter().any(|c| c == code))
        })
    }
}

/// `# dsf-connections: ignore[a, b]` → `[a, b]`; `# dsf-connections: ignore` → `[]` (all).
fn directive(line: &str) -> Option<Vec<String>> {
    let hash = line.find('#')?;
    let after = line[hash + 1..].trim_start();
    let rest = after.strip_prefix(MARKER)?.trim_start();
    let rest = rest.strip_prefix("ignore")?;
    let rest = rest.trim_start();
    if let Some(list) = rest.strip_prefix('[') {
        let list = &list[..list.find(']')?];
        // codes are short and few; a hostile comment of millions is not kept
        return Some(
            list.split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty() && c.len() <= 64)
                .take(64)
                .map(str::to_string)
                .collect(),
        );
    }
    (rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with('#'))
        .then(Vec::new)
}

/// What was left out of the report.
#[derive(Debug, Default, Clone)]
pub struct Omitted {
    /// Left out by `--select`/`--ignore` or an inline comment.
    pub suppressed: usize,
    /// How many of those were errors: the server still fails on them.
    pub suppressed_errors: usize,
    /// Left out by the cap: code → (severity, count).
    pub capped: BTreeMap<&'static str, (Severity, usize)>,
}

impl Omitted {
    pub fn capped_total(&self) -> usize {
        self.capped.values().map(|(_, n)| n).sum()
    }
    pub fn capped_of(&self, severity: Severity) -> usize {
        self.capped
            .values()
            .filter(|(s, _)| *s == severity)
            .map(|(_, n)| n)
            .sum()
    }
}

/// Longest text a kept diagnostic holds (characters): far beyond what any output shows
/// ([`crate::emit::MAX_TEXT`]), so secrets are scrubbed from whole texts before that clip, while
/// a thousand diagnostics quoting a megabyte-long key stay a few megabytes.
const MAX_KEPT_TEXT: usize = 4096;

fn cut(s: &mut String) {
    if let Some((i, _)) = s.char_indices().nth(MAX_KEPT_TEXT) {
        s.truncate(i);
        s.push('…');
        // truncating keeps the capacity: give the megabyte back
        s.shrink_to_fit();
    }
}

/// `d` with every text cut to [`MAX_KEPT_TEXT`].
fn bounded(mut d: Diagnostic) -> Diagnostic {
    d.message.bound(MAX_KEPT_TEXT);
    d.help.iter_mut().for_each(|h| h.bound(MAX_KEPT_TEXT));
    d.connection.iter_mut().for_each(cut);
    cut(&mut d.pointer);
    for l in std::iter::once(&mut d.primary).chain(d.related.iter_mut()) {
        l.message.iter_mut().for_each(|m| m.bound(MAX_KEPT_TEXT));
        l.pointer.iter_mut().for_each(cut);
    }
    d
}

/// Collects diagnostics through the filter.
pub struct Sink {
    filter: Filter,
    suppressions: HashMap<FileId, Suppressions>,
    pub kept: Vec<Diagnostic>,
    pub omitted: Omitted,
}

impl Sink {
    pub fn new(filter: Filter) -> Sink {
        Sink {
            filter,
            suppressions: HashMap::new(),
            kept: Vec::new(),
            omitted: Omitted::default(),
        }
    }

    /// Learn the inline suppression comments of a source (once, when it is added).
    pub fn scan_source(&mut self, file: FileId, text: &str) {
        let s = Suppressions::scan(text);
        if !s.ranges.is_empty() {
            self.suppressions.insert(file, s);
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        // `--connection`: other connections are not checked at all
        if !self.filter.connections.is_empty()
            && d.connection
                .as_ref()
                .is_some_and(|c| !self.filter.connections.contains(c))
        {
            return;
        }
        let code = d.rule.name;
        let selected =
            self.filter.select.is_empty() || self.filter.select.iter().any(|c| c == code);
        let ignored = self.filter.ignore.iter().any(|c| c == code);
        let inline = self
            .suppressions
            .get(&d.primary.file)
            .is_some_and(|s| s.covers(d.primary.span.start, code));
        if !selected || ignored || inline {
            self.omitted.suppressed += 1;
            if d.severity == Severity::Error {
                self.omitted.suppressed_errors += 1;
            }
            return;
        }
        if self.kept.len() >= self.filter.max.max(1) {
            self.omitted.capped.entry(code).or_insert((d.severity, 0)).1 += 1;
            return;
        }
        self.kept.push(bounded(d));
    }

    /// Whether every further diagnostic is only counted (by code and severity, as capped or
    /// suppressed) and never shown: checks may then skip their messages. Not with
    /// `--connection`, which filters by the connection a diagnostic names.
    pub fn full(&self) -> bool {
        self.filter.connections.is_empty() && self.kept.len() >= self.filter.max.max(1)
    }

    pub fn extend(&mut self, diags: impl IntoIterator<Item = Diagnostic>) {
        for d in diags {
            self.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        assert_eq!(
            directive("  x: 1  # dsf-connections: ignore[duration-zero, a]"),
            Some(vec!["duration-zero".to_string(), "a".to_string()])
        );
        assert_eq!(directive("# dsf-connections: ignore"), Some(vec![]));
        assert_eq!(directive("# dsf-connections: ignored"), None);
        assert_eq!(directive("x: 1"), None);
    }

    #[test]
    fn comment_line_covers_the_next_line() {
        let text = "a:\n  # dsf-connections: ignore[x]\n  b: 1\n  c: 2\n";
        let s = Suppressions::scan(text);
        let b = text.find("b:").unwrap_or(0);
        let c = text.find("c:").unwrap_or(0);
        assert!(s.covers(b, "x"));
        assert!(!s.covers(b, "y"));
        assert!(!s.covers(c, "x"));
    }
}
