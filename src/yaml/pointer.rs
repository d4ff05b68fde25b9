//! RFC 6901 JSON pointers: how diagnostics name the place of a mistake (`/fhir/basic-auth/password`).
//! Pointers are made from paths, never parsed back to find a span.

/// Longest token a pointer holds (characters): a hostile megabyte-long key would otherwise be
/// copied into every pointer of every diagnostic under it. Longer tokens end with `…`.
pub const MAX_TOKEN: usize = 1024;

/// `token` cut to [`MAX_TOKEN`] characters.
pub fn bounded(token: &str) -> std::borrow::Cow<'_, str> {
    match token.char_indices().nth(MAX_TOKEN) {
        None => std::borrow::Cow::Borrowed(token),
        Some((i, _)) => std::borrow::Cow::Owned(format!("{}…", &token[..i])),
    }
}

/// Escape one reference token (`~` → `~0`, `/` → `~1`), cut to [`MAX_TOKEN`] characters.
pub fn escape(token: &str) -> String {
    let token = bounded(token);
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.into_owned()
    }
}

pub fn unescape(token: &str) -> String {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~")
    } else {
        token.to_string()
    }
}

/// Append a token to a pointer.
pub fn join(pointer: &str, token: &str) -> String {
    let mut p = String::with_capacity(pointer.len() + token.len() + 1);
    p.push_str(pointer);
    p.push('/');
    for c in bounded(token).chars() {
        match c {
            '~' => p.push_str("~0"),
            '/' => p.push_str("~1"),
            c => p.push(c),
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(unescape("a~1b~0c"), "a/b~c");
        assert_eq!(join("/x", "a/b"), "/x/a~1b");
    }
}
