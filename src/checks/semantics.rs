//! Mistakes the server accepts but that break or endanger a connection: several header-based
//! auth blocks (several Authorization headers), credentials over plain http, URLs that are not
//! absolute http(s) URLs or carry a query or fragment, an http OIDC provider, auth blocks that are
//! present but empty, and ids starting with `#` (unreachable from plugins).

use super::rules::RuleCtx;
use crate::diag::{Code, Diagnostic, Label};
use serde_json::Value;

/// Auth blocks that put an Authorization header on each request.
const HEADER_AUTH: [&str; 3] = ["basic-auth", "bearer-auth", "oidc-auth"];

pub fn check(ctx: &RuleCtx, out: &mut Vec<Diagnostic>) {
    id(ctx, out);
    null_blocks(ctx, out);
    several_auth(ctx, out);
    urls(ctx, out);
}

fn id(ctx: &RuleCtx, out: &mut Vec<Diagnostic>) {
    let id = crate::yaml::pointer::unescape(ctx.ptr.trim_start_matches('/'));
    if id.starts_with('#') {
        let why = if id == "#dsf" {
            "`#dsf` is the server's built-in connection and replaces this one"
        } else {
            "plugins cannot refer to ids starting with `#` (they are reserved for built-in entries)"
        };
        out.push(
            ctx.on_key(
                Code::IdStartsWithHash,
                ctx.ptr,
                format!("connection id `{id}` starts with `#`"),
            )
            .label("unreachable")
            .help(format!("{why}; rename the connection")),
        );
    }
}

fn null_blocks(ctx: &RuleCtx, out: &mut Vec<Diagnostic>) {
    for block in ["cert-auth", "basic-auth", "bearer-auth", "oidc-auth"] {
        if ctx.instance.get(block).is_some_and(Value::is_null) {
            let at = crate::yaml::pointer::join(ctx.ptr, block);
            out.push(
                ctx.on_key(
                    Code::NullAuthBlock,
                    &at,
                    format!("`{block}` has no settings, so it has no effect"),
                )
                .label("empty")
                .help(format!(
                    "indent the `{block}` properties below it, or remove the line"
                )),
            );
        }
    }
}

fn several_auth(ctx: &RuleCtx, out: &mut Vec<Diagnostic>) {
    let present: Vec<&str> = HEADER_AUTH
        .iter()
        .copied()
        .filter(|b| ctx.instance.get(*b).is_some_and(Value::is_object))
        .collect();
    if present.len() < 2 {
        return;
    }
    let ptrs: Vec<String> = present
        .iter()
        .map(|b| crate::yaml::pointer::join(ctx.ptr, b))
        .collect();
    // anchor on the block written last
    let mut order: Vec<usize> = (0..ptrs.len()).collect();
    order.sort_by_key(|&i| ctx.key_span(&ptrs[i]).start);
    let (last, rest) = order.split_last().map_or((0, &[][..]), |(l, r)| (*l, r));
    let mut d = ctx
        .on_key(
            Code::SeveralAuthBlocks,
            &ptrs[last],
            format!(
                "connection sets {} authentication blocks ({}): the server would send an Authorization header for each",
                present.len(),
                present.join(", ")
            ),
        )
        .label("another Authorization header")
        .help("keep one of basic-auth, bearer-auth and oidc-auth (cert-auth may be combined with any of them)");
    for &i in rest {
        d = d.related(
            Label::new(ctx.key_span(&ptrs[i]))
                .pointer(ptrs[i].clone())
                .message("also here"),
        );
    }
    out.push(d);
}

fn urls(ctx: &RuleCtx, out: &mut Vec<Diagnostic>) {
    if let Some(url) = ctx.text(None, "base-url") {
        let at = ctx.at(None, "base-url");
        if let Some(parsed) = url_check(ctx, &at, url, "`base-url`", out) {
            let header_auth: Vec<&str> = HEADER_AUTH
                .iter()
                .copied()
                .filter(|b| ctx.instance.get(*b).is_some_and(Value::is_object))
                .collect();
            if parsed.scheme() == "http" && !header_auth.is_empty() {
                out.push(
                    ctx.on_value(
                        Code::CredentialsOverHttp,
                        &at,
                        format!(
                            "`base-url` is plain http, so the credentials of `{}` travel unencrypted",
                            header_auth[0]
                        ),
                    )
                    .label("http://")
                    .help("use https:// for authenticated connections"),
                );
            }
        }
    }
    if let Some(url) = ctx.text(Some("oidc-auth"), "base-url") {
        let at = ctx.at(Some("oidc-auth"), "base-url");
        if let Some(parsed) = url_check(ctx, &at, url, "`oidc-auth.base-url`", out)
            && parsed.scheme() == "http"
        {
            out.push(
                ctx.on_value(
                    Code::OidcNotHttps,
                    &at,
                    "the OIDC provider is reached over plain http",
                )
                .label("http://")
                .help("the client secret and access tokens travel unencrypted; use https://"),
            );
        }
    }
}

/// Errors for a URL that cannot work, warnings for query and fragment; the parsed URL if usable.
fn url_check(
    ctx: &RuleCtx,
    at: &str,
    raw: &str,
    what: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<url::Url> {
    // the server strips one trailing `/` and appends paths; surrounding blanks stay in
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None; // blank: the schema reports it
    }
    let problem = match url::Url::parse(trimmed) {
        Err(e) => Some(format!("{what} is not an absolute URL ({e})")),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => Some(format!(
            "{what} has the scheme `{}`; only http and https work",
            u.scheme()
        )),
        Ok(u) if u.host_str().is_none_or(str::is_empty) => Some(format!("{what} has no host")),
        Ok(_) if trimmed != raw => Some(format!("{what} has blanks or a line break around it")),
        Ok(_) => None,
    };
    if let Some(message) = problem {
        out.push(
            ctx.on_value(Code::InvalidUrl, at, message)
                .label("not a usable URL")
                .help("write an absolute URL such as https://fhir.example.org/fhir"),
        );
        return None;
    }
    let u = url::Url::parse(trimmed).ok()?;
    if u.query().is_some() || u.fragment().is_some() {
        out.push(
            ctx.on_value(
                Code::UrlQueryOrFragment,
                at,
                format!("{what} has a query or fragment, and the server appends paths such as /metadata after it"),
            )
            .label("? or #")
            .help("remove the `?...` or `#...` part"),
        );
    }
    Some(u)
}
