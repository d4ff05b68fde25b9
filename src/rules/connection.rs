//! Mistakes in a connection that the server accepts but that break or endanger it: ids starting
//! with `#` (unreachable from plugins), auth blocks present but empty, several header-based auth
//! blocks (several Authorization headers), base URLs that are not absolute http(s) URLs or carry
//! a query or fragment, credentials over plain http, an OIDC provider over plain http.

use super::{Ctx, Rule, on_key, on_value, value_of};
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::model::{At, Block, Connection, Setting};
use crate::secrets::Piece;
use crate::text;

pub static ID_STARTS_WITH_HASH: Rule = Rule {
    fix: None,
    name: "id-starts-with-hash",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a connection id starting with `#`, which plugins cannot use",
    docs: r##"**What:** A connection id starts with `#`.

**Why it matters:** Plugins cannot refer to such ids; `#dsf` is replaced by the server's built-in connection.

Bad:

```yaml
"#fhir":
  base-url: https://x/fhir
```

Fix:

```yaml
fhir:
  base-url: https://x/fhir
```"##,
};
fn id(c: &Connection, out: &mut Vec<Diagnostic>) {
    if c.id.starts_with('#') {
        let why = if c.id == "#dsf" {
            "`#dsf` is the server's built-in connection and replaces this one"
        } else {
            "plugins cannot refer to ids starting with `#` (they are reserved for built-in entries)"
        };
        out.push(
            Diagnostic::new(
                &ID_STARTS_WITH_HASH,
                c.file,
                c.key,
                text!(
                    "connection id `{}` starts with `#`",
                    Piece::decoded(c.file, c.key, &c.id)
                ),
            )
            .at(c.pointer.clone())
            .label("unreachable")
            .help(text!("{}; rename the connection", why)),
        );
    }
}

pub static NULL_AUTH_BLOCK: Rule = Rule {
    fix: None,
    name: "null-auth-block",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "an auth block with nothing under it, which has no effect",
    docs: r##"**What:** An auth block with nothing under it (`cert-auth:` alone).

**Why it matters:** The server accepts it as "no such authentication": the connection runs without the authentication you may have meant.

Bad:

```yaml
fhir:
  base-url: https://x/fhir
  cert-auth:
```

**Fix:** Indent the block's properties below it, or remove the line."##,
};
fn null_blocks(c: &Connection, out: &mut Vec<Diagnostic>) {
    let blocks = [
        (
            "cert-auth",
            c.cert_auth
                .at()
                .filter(|_| matches!(c.cert_auth, Block::Null(_))),
        ),
        (
            "basic-auth",
            c.basic_auth
                .at()
                .filter(|_| matches!(c.basic_auth, Block::Null(_))),
        ),
        (
            "bearer-auth",
            c.bearer_auth
                .at()
                .filter(|_| matches!(c.bearer_auth, Block::Null(_))),
        ),
        (
            "oidc-auth",
            c.oidc_auth
                .at()
                .filter(|_| matches!(c.oidc_auth, Block::Null(_))),
        ),
    ];
    for (name, at) in blocks {
        if let Some(at) = at {
            out.push(
                on_key(
                    &NULL_AUTH_BLOCK,
                    at,
                    text!("`{}` has no settings, so it has no effect", name),
                )
                .label("empty")
                .help(text!(
                    "indent the `{}` properties below it, or remove the line",
                    name
                )),
            );
        }
    }
}

pub static SEVERAL_AUTH_BLOCKS: Rule = Rule {
    fix: None,
    name: "several-auth-blocks",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "more than one of basic-auth, bearer-auth and oidc-auth in one connection",
    docs: r##"**What:** More than one of `basic-auth`, `bearer-auth` and `oidc-auth` in one connection.

**Why it matters:** Each of them adds an Authorization header; the server would send several, which FHIR servers reject or resolve unpredictably. (`cert-auth` works at the TLS level and may be combined with any one of them.)

Bad:

```yaml
fhir:
  basic-auth: {username: u, password-file: /p}
  bearer-auth: {token-file: /t}
```

**Fix:** Keep one of them."##,
};
/// Auth blocks that put an Authorization header on each request, with where they are written.
fn header_auth(c: &Connection) -> Vec<(&'static str, &At)> {
    let mut v = Vec::new();
    if let Block::Present(at, _) = &c.basic_auth {
        v.push(("basic-auth", at));
    }
    if let Block::Present(at, _) = &c.bearer_auth {
        v.push(("bearer-auth", at));
    }
    if let Block::Present(at, _) = &c.oidc_auth {
        v.push(("oidc-auth", at));
    }
    v
}

fn several_auth(c: &Connection, out: &mut Vec<Diagnostic>) {
    let mut present = header_auth(c);
    if present.len() < 2 {
        return;
    }
    // anchor on the block written last
    present.sort_by_key(|(_, at)| at.key.start);
    let names: Vec<&str> = present.iter().map(|(n, _)| *n).collect();
    let Some(((_, last), rest)) = present.split_last() else {
        return;
    };
    let mut d = on_key(
        &SEVERAL_AUTH_BLOCKS,
        last,
        text!(
            "connection sets {} authentication blocks ({}): the server would send an Authorization header for each",
            names.len(),
            Piece::own(names.join(", "))
        ),
    )
    .label("another Authorization header")
    .help("keep one of basic-auth, bearer-auth and oidc-auth (cert-auth may be combined with any of them)");
    for (_, at) in rest {
        d = d.also(at.key, Some(at.pointer()), "also here");
    }
    out.push(d);
}

pub static CREDENTIALS_OVER_HTTP: Rule = Rule {
    fix: None,
    name: "credentials-over-http",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "credentials sent to a plain http:// base URL",
    docs: r##"**What:** A connection with basic, bearer or OIDC authentication whose `base-url` is plain `http://`.

**Why it matters:** Passwords and tokens travel unencrypted.

Bad:

```yaml
fhir:
  base-url: http://fhir.example.org/fhir
  basic-auth: {username: u, password-file: /p}
```

Fix:

```yaml
fhir:
  base-url: https://fhir.example.org/fhir
```"##,
};
pub static INVALID_URL: Rule = Rule {
    fix: None,
    name: "invalid-url",
    severity: Severity::Error,
    outcome: Some(Outcome::MayFail),
    summary: "a base URL that is not an absolute http(s) URL",
    docs: r##"**What:** A `base-url` (of the connection or of `oidc-auth`) that is not an absolute http(s) URL: no scheme, another scheme, no host, or blanks around it.

**Why it matters:** The server does not check URLs; the connection fails when a plugin uses it.

Bad:

```yaml
fhir:
  base-url: fhir.example.org/fhir
```

Fix:

```yaml
fhir:
  base-url: https://fhir.example.org/fhir
```"##,
};
pub static URL_QUERY_OR_FRAGMENT: Rule = Rule {
    fix: None,
    name: "url-query-or-fragment",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "a base URL with a query or fragment",
    docs: r##"**What:** A `base-url` with `?...` or `#...`.

**Why it matters:** The server appends paths such as `/metadata` to the base URL; after a query or fragment they end up in the wrong place.

Bad:

```yaml
  base-url: https://x/fhir?tenant=a
```

**Fix:** Remove the query or fragment."##,
};
pub static OIDC_NOT_HTTPS: Rule = Rule {
    fix: None,
    name: "oidc-not-https",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "an OIDC provider reached over plain http",
    docs: r##"**What:** `oidc-auth.base-url` is plain `http://`.

**Why it matters:** The client secret and the access tokens travel unencrypted (the server only requires https for the token and JWKS endpoints).

Bad:

```yaml
  oidc-auth:
    base-url: http://keycloak:8080/realms/dsf
```

Fix:

```yaml
    base-url: https://keycloak:8443/realms/dsf
```"##,
};
fn urls(c: &Connection, out: &mut Vec<Diagnostic>) {
    if let Some(parsed) = url(c.base_url.as_ref(), "`base-url`", out) {
        let header = header_auth(c);
        if let (Some((block, _)), Some(at)) =
            (header.first(), c.base_url.as_ref().and_then(Setting::at))
            && parsed == Scheme::Http
        {
            out.push(
                on_value(
                    &CREDENTIALS_OVER_HTTP,
                    at,
                    text!(
                        "`base-url` is plain http, so the credentials of `{}` travel unencrypted",
                        *block
                    ),
                )
                .label("http://")
                .help("use https:// for authenticated connections"),
            );
        }
    }
    if let Some(o) = c.oidc_auth.get()
        && let Some(scheme) = url(o.base_url.as_ref(), "`oidc-auth.base-url`", out)
        && scheme == Scheme::Http
        && let Some(at) = o.base_url.as_ref().and_then(Setting::at)
    {
        out.push(
            on_value(
                &OIDC_NOT_HTTPS,
                at,
                "the OIDC provider is reached over plain http",
            )
            .label("http://")
            .help("the client secret and access tokens travel unencrypted; use https://"),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Http,
    Https,
}

/// The common case without a URL parser: `http(s)://host[:port][/path]` in plain ASCII, no
/// user, query or fragment.
fn simple_url(raw: &str) -> Option<Scheme> {
    let (scheme, rest) = if let Some(r) = raw.strip_prefix("https://") {
        (Scheme::Https, r)
    } else {
        (Scheme::Http, raw.strip_prefix("http://")?)
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-']);
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~'));
    (host_ok && port_ok && path_ok).then_some(scheme)
}

/// Errors for a URL that cannot work, warnings for query and fragment; its scheme if usable.
fn url(
    setting: Option<&Setting<String>>,
    what: &'static str,
    out: &mut Vec<Diagnostic>,
) -> Option<Scheme> {
    let s = setting?;
    let (raw, at) = (s.ok()?, s.at()?);
    if let Some(scheme) = simple_url(raw) {
        return Some(scheme);
    }
    // the server strips one trailing `/` and appends paths; surrounding blanks stay in
    let trimmed = raw.trim();
    if trimmed.is_empty() || super::values::has_typographic_quotes(raw) {
        return None; // blank: the schema reports it; typographic quotes: their own rule
    }
    let problem = match url::Url::parse(trimmed) {
        // the URL parser's words name the kind of mistake, never the input
        Err(e) => Some((
            text!(
                "{} is not an absolute URL ({})",
                what,
                Piece::own(e.to_string())
            ),
            None,
        )),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => Some((
            text!(
                "{} has the scheme `{}`; only http and https work",
                what,
                value_of(at, u.scheme())
            ),
            None,
        )),
        Ok(u) if u.host_str().is_none_or(str::is_empty) => {
            Some((text!("{} has no host", what), None))
        }
        // a block scalar keeps its line break: the server takes the URL with it
        Ok(_) if trimmed != raw => Some((
            text!(
                "{} has blanks or a line break around it, which the server keeps in the URL",
                what
            ),
            Some(Outcome::SilentlyWrong),
        )),
        Ok(_) => None,
    };
    if let Some((message, outcome)) = problem {
        let mut d = on_value(&INVALID_URL, at, message)
            .label("not a usable URL")
            .help(if outcome.is_some() {
                "write the URL on the same line as the key, or use `|-` so no line break is kept"
            } else {
                "write an absolute URL such as https://fhir.example.org/fhir"
            });
        if outcome.is_some() {
            d = d.outcome(outcome);
        }
        out.push(d);
        return None;
    }
    let u = url::Url::parse(trimmed).ok()?;
    let scheme = if u.scheme() == "https" {
        Scheme::Https
    } else {
        Scheme::Http
    };
    if u.query().is_some() || u.fragment().is_some() {
        out.push(
            on_value(
                &URL_QUERY_OR_FRAGMENT,
                at,
                text!("{} has a query or fragment, and the server appends paths such as /metadata after it", what),
            )
            .label("? or #")
            .help("remove the `?...` or `#...` part"),
        );
    }
    Some(scheme)
}

pub fn check(_ctx: &Ctx, c: &Connection, out: &mut Vec<Diagnostic>) {
    id(c, out);
    null_blocks(c, out);
    several_auth(c, out);
    urls(c, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_urls_need_no_parser() {
        assert!(simple_url("https://fhir.example.org/fhir") == Some(Scheme::Https));
        assert!(simple_url("http://x:8080/a_b/c~d") == Some(Scheme::Http));
        for hard in [
            "https://u:p@x/",
            "https://x/?a",
            "https://X/",
            "https://x:99999/",
            "ftp://x",
            "https:///x",
            "https://x/ä",
        ] {
            assert!(simple_url(hard).is_none(), "{hard}");
        }
    }
}
