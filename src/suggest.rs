//! "Did you mean": the nearest known property name for a typo (`base_url`, `baseUrl`,
//! `Base-URL`, `pasword-file`), or the block a property belongs in when it is written at the
//! wrong level (`username` directly under a connection).

use crate::model::{AUTH_BLOCKS, Block, CONNECTION};

#[derive(Debug, PartialEq, Eq)]
pub enum Suggestion {
    Rename(&'static str),
    /// The blocks where a property of this name belongs.
    Move(Vec<&'static str>),
    None,
}

/// `baseUrl` → `base-url`, `BASE_URL` → `base-url`.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.trim().chars() {
        if c.is_uppercase() && prev_lower {
            out.push('-');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        match c {
            '_' | ' ' | '.' => out.push('-'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn property(name: &str, block: &'static Block) -> Suggestion {
    let n = normalize(name);
    if n.chars().count() > 64 {
        return Suggestion::None;
    }
    if let Some(p) = block.props.iter().find(|p| p.name == n) {
        return Suggestion::Rename(p.name);
    }
    let limit = if n.len() <= 5 { 1 } else { 2 };
    let best = block
        .props
        .iter()
        .map(|p| (distance(&n, p.name), p.name))
        .min_by_key(|(d, _)| *d);
    if let Some((d, p)) = best
        && d <= limit
    {
        return Suggestion::Rename(p);
    }
    // written at the wrong level?
    let homes: Vec<&'static str> = std::iter::once(&CONNECTION)
        .chain(AUTH_BLOCKS.iter().copied())
        .filter(|other| !std::ptr::eq(*other, block) && other.prop(&n).is_some())
        .map(|other| {
            if std::ptr::eq(other, &CONNECTION) {
                "the connection itself"
            } else {
                other.name
            }
        })
        .collect();
    if homes.is_empty() {
        Suggestion::None
    } else {
        Suggestion::Move(homes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BASIC_AUTH, CONNECTION};

    #[test]
    fn suggestions() {
        assert_eq!(
            property("base_url", &CONNECTION),
            Suggestion::Rename("base-url")
        );
        assert_eq!(
            property("baseUrl", &CONNECTION),
            Suggestion::Rename("base-url")
        );
        assert_eq!(
            property("Base-URL", &CONNECTION),
            Suggestion::Rename("base-url")
        );
        assert_eq!(
            property("conect-timeout", &CONNECTION),
            Suggestion::Rename("connect-timeout")
        );
        assert_eq!(
            property("password_file", &BASIC_AUTH),
            Suggestion::Rename("password-file")
        );
        assert_eq!(
            property("username", &CONNECTION),
            Suggestion::Move(vec!["basic-auth"])
        );
        assert_eq!(
            property("client-id", &CONNECTION),
            Suggestion::Move(vec!["oidc-auth"])
        );
        assert_eq!(property("zzz", &CONNECTION), Suggestion::None);
    }
}
