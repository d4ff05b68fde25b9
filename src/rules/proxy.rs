//! The server's forward proxy (`DEV_DSF_PROXY_URL`, `DEV_DSF_PROXY_NOPROXY`) and the URLs its
//! proxy code cannot judge. DSF `dsf-common-config .../ProxyConfigImpl.java`: the proxy is on when
//! its URL is an http(s) URL with a host (:53-79) and the no-proxy list does not hold `*` (:95-98);
//! then every client it builds asks `isNoProxyUrl` (:127-158), which for a URL without an explicit
//! port looks the default port up by the scheme, case-sensitively (:148, :160-167): any scheme but
//! `http`, `ws`, `https`, `wss` (`HTTPS://…`, `Https://…`) throws `IllegalArgumentException`.

use super::{Ctx, Rule, on_value};
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::model::{At, Connection, build_failure_outcome};
use crate::secrets::Piece;
use crate::text;

/// Whether the server's forward proxy is on, from `DEV_DSF_PROXY_URL` and
/// `DEV_DSF_PROXY_NOPROXY` as `env` gives them.
pub fn enabled(env: &dyn Fn(&str) -> Option<String>) -> bool {
    let Some(url) = env("DEV_DSF_PROXY_URL") else {
        return false;
    };
    // `new URI(url).toURL()`: the protocol is lower-cased by `URL`, the host must be there
    let ok = match split(&url) {
        Some(u) => {
            let scheme = u.scheme.to_ascii_lowercase();
            (scheme == "http" || scheme == "https") && !u.host.is_empty()
        }
        None => false,
    };
    // `#{'${dev.dsf.proxy.noProxy:}'.trim().split('[,\\s]+')}` (PropertiesConfig.java:400)
    let star = env("DEV_DSF_PROXY_NOPROXY").is_some_and(|v| {
        v.split(|c: char| c == ',' || c.is_whitespace())
            .any(|s| s == "*")
    });
    ok && !star
}

struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: bool,
}

/// A hierarchical URL's scheme, host and whether a port is written, as `java.net.URI` parses
/// them; `None` where `URI` finds no host (the proxy code then does not look at the scheme).
fn split(url: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = url.split_once(':')?;
    let mut chars = scheme.chars();
    if !chars.next()?.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let rest = rest.strip_prefix("//")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        match after.strip_prefix(':') {
            Some(p) if p.chars().all(|c| c.is_ascii_digit()) => (h, !p.is_empty()),
            Some(_) => return None,
            None if after.is_empty() => (h, false),
            None => return None,
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => (h, !p.is_empty()),
            Some(_) => return None,
            None => (hostport, false),
        }
    };
    if host.is_empty() || url.chars().any(char::is_whitespace) {
        return None;
    }
    Some(Parts { scheme, host, port })
}

pub static PROXY_URL_SCHEME: Rule = Rule {
    fix: None,
    name: "proxy-url-scheme",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "with a forward proxy set, a URL whose scheme the server's proxy code does not know (`HTTPS://…` without a port)",
    docs: r##"**What:** The server has a forward proxy (`DEV_DSF_PROXY_URL`), and a `base-url` (of a connection or its `oidc-auth`) has no explicit port and a scheme other than exactly `http` or `https`, typically upper case: `HTTPS://fhir.example.org/fhir`.

**Why it matters:** Before it builds a client, the server asks its proxy configuration whether the URL bypasses the proxy. That code looks up the default port by the scheme, case-sensitively, and throws for any other spelling. The BPE does not start when the client is built at start-up (every `oidc-auth` provider; a FHIR server with `test-connection-on-startup`); otherwise the connection fails when a plugin uses it. Without a proxy, or with `DEV_DSF_PROXY_NOPROXY=*`, the same URL works.

Bad:

```yaml
fhir:
  base-url: HTTPS://fhir.example.org/fhir
```

Fix:

```yaml
fhir:
  base-url: https://fhir.example.org/fhir
```"##,
};

fn judge(at: &At, url: &str, outcome: Outcome, out: &mut Vec<Diagnostic>) {
    let Some(u) = split(url) else { return };
    if u.port || matches!(u.scheme, "http" | "https" | "ws" | "wss") {
        return;
    }
    let scheme = Piece::decoded(at.file, at.value, u.scheme);
    let lower = u.scheme.to_ascii_lowercase();
    let fix = if matches!(lower.as_str(), "http" | "https") {
        // the lower-case spelling is the tool's own word
        text!(
            "write the scheme in lower case (`{}://`)",
            Piece::own(lower)
        )
    } else {
        text!("use an http or https URL")
    };
    let when = match outcome {
        Outcome::DoesNotStart => "the BPE does not start: this client is built at start-up",
        Outcome::SilentlyWrong => {
            "a user `#dsf` is replaced by the built-in connection, so this URL is never used"
        }
        _ => "the connection fails when a plugin uses it",
    };
    out.push(
        on_value(
            &PROXY_URL_SCHEME,
            at,
            text!(
                "with the forward proxy set (DEV_DSF_PROXY_URL), the server's proxy code throws for the scheme `{}` of a URL without a port: {}",
                scheme,
                when
            ),
        )
        .outcome(Some(outcome))
        .label("scheme not known to the proxy code")
        .help(text!("{}; the server matches `http` and `https` case-sensitively when the URL has no port", fix)),
    );
}

pub fn check(ctx: &Ctx, c: &Connection, out: &mut Vec<Diagnostic>) {
    if !ctx.proxy {
        return;
    }
    if let Some(s) = &c.base_url
        && let (Ok(url), Some(at)) = (&s.value, s.at())
    {
        judge(
            at,
            url,
            build_failure_outcome(c, c.fhir_client_at_startup()),
            out,
        );
    }
    if let Some(o) = c.oidc_auth.get()
        && let Some(s) = &o.base_url
        && let (Ok(url), Some(at)) = (&s.value, s.at())
    {
        judge(
            at,
            url,
            build_failure_outcome(c, c.oidc_client_at_startup()),
            out,
        );
    }
}
