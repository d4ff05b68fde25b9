//! Where the cursor stands in the config, read from the text by indentation (the text being
//! typed is rarely valid YAML): the keys above it, and the key or value of its own line. In a
//! compose file the config is the value of `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG` (a
//! block scalar, `KEY: |` or `- KEY=|`), and the keys above the variable are not the config's.

use crate::input::ENV_VAR;
use crate::props::{Block, CONNECTION, Kind, Prop};

#[derive(Debug, PartialEq, Eq)]
pub struct Context {
    /// The config's keys above the cursor's line, outermost first (`[id, "oidc-auth"]`).
    pub path: Vec<String>,
    /// The key written on the cursor's line and its byte span.
    pub key: Option<(String, usize, usize)>,
    /// The cursor stands after the key's `:`.
    pub in_value: bool,
    /// The cursor stands on the key.
    pub on_key: bool,
}

impl Context {
    /// The block whose properties are written at the cursor's line.
    pub fn block(&self) -> Option<&'static Block> {
        match self.path.as_slice() {
            [_] => Some(&CONNECTION),
            [_, b] => match CONNECTION.prop(b)?.kind {
                Kind::Block(b) => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    /// The property of the cursor's line, with its block.
    pub fn prop(&self) -> Option<(&'static Block, &'static Prop)> {
        let block = self.block()?;
        let (k, _, _) = self.key.as_ref()?;
        Some((block, block.prop(k)?))
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The key a line writes (`key:` or `- key:`, `- KEY=value`), where it starts, and the
/// line's level (a list item's is its dash's).
fn key_of(line: &str) -> Option<(&str, usize, usize)> {
    let level = indent(line);
    let mut start = level;
    let mut rest = &line[start..];
    if let Some(r) = rest.strip_prefix("- ") {
        start += 2 + indent(r);
        rest = r.trim_start_matches(' ');
    }
    if rest.starts_with('#') || rest.is_empty() {
        return None;
    }
    let end = rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(str::len))
        .or_else(|| rest.find(':').filter(|i| rest[i + 1..].trim().is_empty()))
        .or_else(|| rest.find('='))?;
    let key = rest[..end]
        .trim_end()
        .trim_matches(|c| c == '"' || c == '\'');
    Some((key, start, level))
}

/// The context at byte `at` of `text`; `None` when the cursor is not inside a config (a
/// compose file outside the variable's value).
pub fn at(text: &str, at: usize) -> Option<Context> {
    let at = crate::source::floor_char(text, at.min(text.len()));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let cursor = at - line_start;
    let own = key_of(line).filter(|(k, _, _)| !k.is_empty());
    let mut level = match own {
        Some((_, _, l)) => l,
        // a line being typed: the cursor's column counts
        None => indent(&line[..cursor.min(line.len())]),
    };
    let mut above: Vec<String> = Vec::new();
    let mut compose_root = false;
    for l in text[..line_start].lines().rev() {
        let l = l.trim_end_matches('\r');
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let Some((k, _, s)) = key_of(l) else { continue };
        if s < level {
            if k == ENV_VAR {
                compose_root = true;
                break;
            }
            above.push(k.to_string());
            level = s;
            if s == 0 {
                break;
            }
        }
    }
    above.reverse();
    // a compose file (or the docs' `environment:` fragment) outside the variable's value
    if !compose_root
        && above
            .first()
            .is_some_and(|k| k == "services" || k == "environment")
    {
        return None;
    }
    if !compose_root && own.is_some_and(|(k, _, _)| k == ENV_VAR) {
        return None;
    }
    let key = own.map(|(k, s, _)| (k.to_string(), line_start + s, line_start + s + k.len()));
    let (in_value, on_key) = match &own {
        Some((k, s, _)) => (cursor > s + k.len(), cursor >= *s && cursor <= s + k.len()),
        None => (false, false),
    };
    Some(Context {
        path: above,
        key,
        in_value,
        on_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(text: &str) -> Option<Context> {
        let at = text.find('^').unwrap_or(text.len());
        let t = text.replacen('^', "", 1);
        super::at(&t, at)
    }

    #[test]
    fn standalone_config_paths() {
        let c = ctx("fhir:\n  base-url: x\n  oidc-auth:\n    cli^\n").unwrap_or_else(|| panic!());
        assert_eq!(c.path, ["fhir", "oidc-auth"]);
        assert_eq!(c.block().map(|b| b.name), Some("oidc-auth"));
        let c = ctx("fhir:\n  test-connection-on-startup: ^\n").unwrap_or_else(|| panic!());
        assert!(c.in_value);
        assert_eq!(
            c.prop().map(|(_, p)| p.name),
            Some("test-connection-on-startup")
        );
    }

    #[test]
    fn inside_a_compose_block_scalar_only() {
        let compose = "services:\n  bpe:\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base^\n";
        let c = ctx(compose).unwrap_or_else(|| panic!());
        assert_eq!(c.path, ["fhir"]);
        assert_eq!(c.block().map(|b| b.name), Some("connection"));
        let list = "services:\n  bpe:\n    environment:\n      - DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG=|\n        a:\n          ^\n";
        assert_eq!(ctx(list).map(|c| c.path), Some(vec!["a".to_string()]));
        assert_eq!(ctx("services:\n  bpe:\n    ima^\n"), None);
    }
}
