//! The FHIR probe: the server's `FhirConnectionTestClientJersey.testConnection` (fact 39):
//! `GET {base-url}/metadata` with `Accept: application/fhir+json; fhirVersion=4.0` and the
//! configured auth; success is HTTP 200 with a FHIR R4 CapabilityStatement. A failure here is
//! only logged by the server, and only when `test-connection-on-startup` is on.

use super::net::{self, Client, Mode, Names, Req, Resp, Timeouts};
use super::oidc::AccessToken;
use super::tls::TlsSetup;
use super::{Flow, ProbeOptions, ProbeTarget, Recorder, ServerOutcome, codes, join, step};
use crate::secrets::{Piece, Text};
use crate::text;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::Value;

use super::codes::{Group, ProbeCode};

pub static HTTP_REDIRECT: ProbeCode = ProbeCode {
    name: "http-redirect",
    group: Group::Http,
    summary: "a redirect the server's HTTP client does not follow (a 3xx other than 301/302/303/307/308, or without `Location`), a circular one, or more than 10 in a row",
    docs: r##"**What:** a redirect the server's HTTP client does not follow: a 3xx other than 301, 302,
303, 307 and 308, or one without `Location`; a redirect to a URL already visited (HttpClient's
`CircularRedirectException`); or more than 10 in a row (HttpClient allows 50; the probe stops
at 10). Redirects of GET requests are followed as the server follows them, and the step that
passes lists them; to another origin the BPE sends its `Authorization` header too, the probe
does not. **Fix:** set `base-url` to the final URL (without `/metadata`)."##,
};

pub static HTTP_UNAUTHORIZED: ProbeCode = ProbeCode {
    name: "http-unauthorized",
    group: Group::Http,
    summary: "`401`: the credential was not accepted, or none was sent",
    docs: r##"**What:** `401`. The detail says which credential was offered (Basic auth and its user, a bearer
token, the OIDC access token with its claims, a client certificate) and what the server asks for
(`WWW-Authenticate`), plus any OperationOutcome issues. **Fix:** correct the credential of the
auth block, or configure the one the server asks for."##,
};

pub static HTTP_FORBIDDEN: ProbeCode = ProbeCode {
    name: "http-forbidden",
    group: Group::Http,
    summary: "`403`: the credential was accepted but not allowed",
    docs: r##"**What:** `403`: the credential was accepted but not allowed. **Fix:** grant the BPE's identity
(user, client certificate, token audience or roles) access on the FHIR server."##,
};

pub static HTTP_STATUS: ProbeCode = ProbeCode {
    name: "http-status",
    group: Group::Http,
    summary: "another status than 200, e.g. `404` (a wrong `base-url` path) or `5xx`",
    docs: r##"**What:** another status than 200, e.g. `404` (wrong `base-url` path) or `5xx`. The detail shows
OperationOutcome issues or the start of the body. **Fix:** check the path of `base-url` (it must
be the FHIR base, where `/metadata` is served)."##,
};

pub static NOT_CAPABILITY_STATEMENT: ProbeCode = ProbeCode {
    name: "not-a-capability-statement",
    group: Group::Http,
    summary: "`200`, but the body is not a FHIR R4 CapabilityStatement (HTML, another resource, not JSON)",
    docs: r##"**What:** `200`, but the body is not a FHIR R4 CapabilityStatement (HTML, another resource, not
JSON). **Why:** the server calls its test successful only with a CapabilityStatement. **Fix:**
point `base-url` at the FHIR base, not at a web page or a proxy's landing page."##,
};

pub(crate) const ACCEPT: &str = "application/fhir+json; fhirVersion=4.0";

static NAMES: Names = Names {
    resolve: step::FHIR_RESOLVE,
    connect: step::FHIR_CONNECT,
    proxy: step::FHIR_PROXY,
    tls: step::FHIR_TLS,
    http: step::FHIR_HTTP,
};

pub(crate) async fn probe(
    t: &ProbeTarget,
    options: &ProbeOptions,
    rec: &mut Recorder,
    token: Option<&AccessToken>,
) -> Flow<()> {
    let outcome = if t.test_on_startup {
        ServerOutcome::Logged
    } else {
        ServerOutcome::NotTested
    };
    let https = t.base_url.starts_with("https:");
    let setup = if https {
        match TlsSetup::new(&t.trust, t.client_identity.as_ref(), options.now) {
            Ok(s) => Some(s),
            Err(f) => {
                rec.start(step::FHIR_TLS);
                return Err(rec.fail(f.code, f.detail, outcome));
            }
        }
    } else {
        // for a redirect to https://, which the server follows with the same trust store
        TlsSetup::new(&t.trust, t.client_identity.as_ref(), options.now).ok()
    };
    let proxy = options.proxy.as_ref().filter(|p| p.applies_to(&t.base_url));
    rec.via_proxy = proxy.is_some();
    let client = Client {
        options,
        proxy,
        tls: setup.as_ref(),
        timeouts: Timeouts {
            connect: t.connect_timeout,
            connect_name: "connect-timeout",
            read: t.read_timeout,
            read_name: "read-timeout",
        },
        outcome,
    };
    let url = metadata_url(&t.base_url);
    let authorization = if let Some(b) = &t.basic {
        Some(net::basic_value(&b.username, b.password.expose(), true))
    } else if let Some(b) = &t.bearer {
        Some(format!("Bearer {}", b.expose()))
    } else {
        token.map(|a| format!("Bearer {}", a.token.expose()))
    };
    let req = Req {
        method: hyper::Method::GET,
        url: &url,
        accept: ACCEPT,
        authorization,
        body: None,
        body_limit: net::CAPABILITY_BODY,
    };
    let resp = client.get(rec, Mode::Explicit(&NAMES), req).await?;
    judge_status(t, &resp, &url, setup.as_ref(), token, rec, outcome)?;
    rec.start(step::FHIR_CAPABILITY);
    let verdict = capability(&resp, rec);
    drop(resp);
    match verdict {
        Ok(d) => {
            rec.pass(d);
            Ok(())
        }
        Err((code, d)) => Err(rec.fail(code, d, outcome)),
    }
}

/// The URL the server's test asks for: `FhirConnectionTestClientJersey.getResource` appends `/`
/// to the base URL (`client/fhir/FhirConnectionTestClientJersey.java:136-139`), then Jersey's
/// `path("metadata")` adds `metadata` to the URL's path, and everything from the first `?` or
/// `#` on stays where it is, the added `/` included: `…/fhir?x=1` is asked for as
/// `…/fhir/metadata?x=1/`.
pub(crate) fn metadata_url(base: &str) -> String {
    let base = if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    };
    match base.find(['?', '#']) {
        Some(i) => {
            let (path, rest) = base.split_at(i);
            let sep = if path.ends_with('/') { "" } else { "/" };
            format!("{path}{sep}metadata{rest}")
        }
        None => format!("{base}metadata"),
    }
}

fn judge_status(
    t: &ProbeTarget,
    resp: &Resp,
    url: &str,
    tls: Option<&TlsSetup>,
    token: Option<&AccessToken>,
    rec: &mut Recorder,
    outcome: ServerOutcome,
) -> Flow<()> {
    let status = resp.status.as_u16();
    let line = resp.status_line();
    if status == 200 {
        rec.pass(text!(
            "{} ({}, {}){}",
            line,
            if resp.content_type().is_empty() {
                Piece::from("no content type")
            } else {
                rec.server_text(resp.content_type(), 100)
            },
            if resp.truncated {
                Piece::own(format!(
                    "more than {}",
                    super::words::human_size(resp.limit)
                ))
            } else {
                Piece::own(size(resp.body.len()))
            },
            resp.redirects.clone()
        ));
        return Ok(());
    }
    if (300..400).contains(&status) {
        // masked before the URL parser re-encodes it
        let location = rec.scrub(resp.header("location").unwrap_or(""));
        let absolute = url::Url::parse(url)
            .ok()
            .and_then(|base| base.join(&location).ok())
            .map(|u| u.to_string())
            .unwrap_or(location);
        // the suggestion is the URL without query and fragment: nothing of it is masked
        let base = absolute
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/')
            .strip_suffix("/metadata")
            .map(str::to_string);
        let suggestion = base
            .map(|b| text!(": set base-url to `{}`", rec.server_value(&b, 500)))
            .unwrap_or_default();
        return Err(rec.fail(
            &codes::HTTP_REDIRECT,
            text!(
                "{}{} to {}: a redirect the server's HTTP client does not follow (it follows 301, 302, 303, 307 and 308 with a Location header){}",
                line,
                resp.redirects.clone(),
                rec.server_value(&absolute, 500),
                suggestion
            ),
            outcome,
        ));
    }
    // the redirects followed to this answer belong to its status
    let line = text!("{}{}", line, resp.redirects.clone());
    let body = body_text(resp, rec);
    let body_empty = matches!(&body, Piece::Remote(b) if b.is_empty());
    let issues = operation_outcome(&resp.body, rec);
    let mut detail = line.clone();
    if let Some(i) = &issues {
        detail.push(text!("; OperationOutcome: {}", i.clone()));
    }
    // nginx answers a missing or bad client certificate with its own 400 pages
    let raw = String::from_utf8_lossy(&resp.body);
    if status == 400 && raw.contains("No required SSL certificate was sent") {
        return Err(rec.fail(
            &codes::TLS_CLIENT_CERT_REQUIRED,
            text!("{}: the server requires a client certificate and none was sent (cert-auth is not configured)", line),
            outcome,
        ));
    }
    if status == 400 && raw.contains("SSL certificate error") {
        let sent = tls
            .and_then(TlsSetup::client_subject)
            .map_or(Piece::from("the client certificate"), Piece::value);
        return Err(rec.fail(
            &codes::TLS_CLIENT_CERT_REJECTED,
            text!("{}: the server rejected {} (its issuer is not among the CAs the server trusts for clients, or it expired)", line, sent),
            outcome,
        ));
    }
    if status == 401 || status == 403 {
        let offered = offered(t, tls, token);
        detail.push(text!("; offered: {}", offered));
        if let Some(w) = resp.header("www-authenticate") {
            detail.push(text!("; the server asks for: {}", rec.server_text(w, 300)));
        }
        if issues.is_none() && !body_empty {
            detail.push(text!("; body: {}", body.clone()));
        }
        let code = if status == 401 {
            &codes::HTTP_UNAUTHORIZED
        } else {
            &codes::HTTP_FORBIDDEN
        };
        return Err(rec.fail(code, detail, outcome));
    }
    if issues.is_none() && !body_empty {
        detail.push(text!("; body: {}", body));
    }
    Err(rec.fail(&codes::HTTP_STATUS, detail, outcome))
}

/// Which credential the request carried, in words (never the secret).
fn offered(t: &ProbeTarget, tls: Option<&TlsSetup>, token: Option<&AccessToken>) -> Text {
    let mut parts = Vec::new();
    if let Some(b) = &t.basic {
        parts.push(text!(
            "Basic auth as user `{}` (basic-auth)",
            Piece::value(&b.username)
        ));
    } else if t.bearer.is_some() {
        parts.push(Text::from("a bearer token (bearer-auth)"));
    } else if let Some(a) = token {
        parts.push(text!("the OIDC access token ({})", a.claims.clone()));
    }
    if let Some(subject) = tls.and_then(TlsSetup::client_subject) {
        let asked = if tls.is_some_and(TlsSetup::client_auth_requested) {
            "sent"
        } else {
            "configured, but the server did not ask for it"
        };
        parts.push(text!(
            "client certificate {} ({})",
            Piece::value(subject),
            asked
        ));
    }
    if parts.is_empty() {
        Text::from("no credentials (no auth block is configured)")
    } else {
        join(parts, " and ")
    }
}

fn size(n: usize) -> String {
    if n < 10_000 {
        format!("{n} bytes")
    } else {
        format!("{} kB", n / 1000)
    }
}

/// The first 200 characters of a body, on one line, secrets masked before it was collapsed and
/// cut.
pub(crate) fn body_text(resp: &Resp, rec: &Recorder) -> Piece {
    rec.server_text(&String::from_utf8_lossy(&resp.body), 200)
}

/// `severity code: diagnostics` of the first issues of a FHIR OperationOutcome, as server text.
fn operation_outcome(body: &[u8], rec: &Recorder) -> Option<Piece> {
    const SHOWN: usize = 5;
    let v: Value = serde_json::from_slice(body).ok()?;
    if v.get("resourceType")?.as_str()? != "OperationOutcome" {
        return None;
    }
    let all = v.get("issue")?.as_array()?;
    let mut issues: Vec<String> = all
        .iter()
        .take(SHOWN)
        .map(|i| {
            let f = |k: &str| i.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let mut s = format!("{} {}", f("severity"), f("code"))
                .trim()
                .to_string();
            let diag = f("diagnostics");
            if !diag.is_empty() {
                s.push_str(&format!(": {diag}"));
            }
            s
        })
        .collect();
    if all.len() > SHOWN {
        issues.push(format!("{} more", all.len() - SHOWN));
    }
    // decoded from JSON first (escapes undone), then masked, collapsed and cut as one text
    Some(if issues.is_empty() {
        Piece::from("no issues")
    } else {
        rec.server_text(&issues.join("; "), 500)
    })
}

fn capability(resp: &Resp, rec: &Recorder) -> Result<Text, (&'static ProbeCode, Text)> {
    let not = |d: Text| (&codes::NOT_CAPABILITY_STATEMENT, d);
    if resp.truncated {
        return Err((&codes::BODY_TOO_LARGE, resp.too_large()));
    }
    let ct = resp.content_type().to_ascii_lowercase();
    let trimmed = String::from_utf8_lossy(&resp.body);
    let trimmed = trimmed.trim_start_matches('\u{feff}').trim_start();
    if ct.contains("xml") || trimmed.starts_with('<') {
        // the server's FHIR adapter parses XML too; we only look at the root element
        let root_ok = trimmed
            .trim_start_matches(|c| c != '<')
            .split("?>")
            .last()
            .is_some_and(|r| r.trim_start().starts_with("<CapabilityStatement"));
        return if root_ok {
            Ok(Text::from(
                "an XML CapabilityStatement (the server asked for JSON; its client parses XML too)",
            ))
        } else {
            Err(not(text!(
                "the XML body is not a CapabilityStatement: {}",
                body_text(resp, rec)
            )))
        };
    }
    let head: Head = serde_json::from_slice(&resp.body)
        .map_err(|_| not(text!("the body is not JSON: {}", body_text(resp, rec))))?;
    let rt = head.resource_type.unwrap_or_default();
    if rt != "CapabilityStatement" {
        return Err(not(if rt.is_empty() {
            Text::from(
                "the JSON body is not a FHIR resource (no resourceType): is base-url the FHIR base?",
            )
        } else {
            text!(
                "the body is a {}, not a CapabilityStatement: is base-url the FHIR base?",
                rec.server_value(&rt, 100)
            )
        }));
    }
    let software = match (head.software.name, head.software.version) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n,
        _ => "software not named".into(),
    };
    let software = rec.server_value(&software, 200);
    let fhir = match head.fhir_version.as_deref() {
        Some(v) if v.starts_with("4.0") => text!("FHIR {}", rec.server_value(v, 50)),
        Some(v) => text!(
            "FHIR {}: not R4 (4.0.x); the BPE's R4 client may misread this server",
            rec.server_value(v, 50)
        ),
        None => Text::from("no fhirVersion"),
    };
    Ok(text!("{}, {}", software, fhir))
}

/// The members of a CapabilityStatement the probe shows, read without building the document in
/// memory (a 16 MiB body as a `serde_json::Value` takes several times that). Like reading a
/// `Value`: a member that is not a string counts as missing, the last of duplicate members wins,
/// and a body that is not an object has no members.
#[derive(Default)]
struct Head {
    resource_type: Option<String>,
    fhir_version: Option<String>,
    software: Software,
}

#[derive(Default)]
struct Software {
    name: Option<String>,
    version: Option<String>,
}

/// A string member, or `None` for any other JSON value (skipped without keeping it).
struct Member(Option<String>);

/// The visitor methods for the JSON values a reader does not want: skip them, give `$empty`.
macro_rules! skip_others {
    ($empty:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok($empty)
        }
    };
}

impl<'de> Deserialize<'de> for Member {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Member;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Member, E> {
                Ok(Member(Some(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Member, E> {
                Ok(Member(Some(v)))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Member, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Member(None))
            }
            skip_others!(Member(None));
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Software {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Software;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Software, E> {
                Ok(Software::default())
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Software, A::Error> {
                let mut s = Software::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => s.name = map.next_value::<Member>()?.0,
                        "version" => s.version = map.next_value::<Member>()?.0,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(s)
            }
            skip_others!(Software::default());
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Head {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Head;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
                let mut h = Head::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "resourceType" => h.resource_type = map.next_value::<Member>()?.0,
                        "fhirVersion" => h.fhir_version = map.next_value::<Member>()?.0,
                        "software" => h.software = map.next_value::<Software>()?,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(h)
            }
            skip_others!(Head::default());
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_url_as_jersey_extends_it() {
        assert_eq!(metadata_url("https://h/fhir"), "https://h/fhir/metadata");
        assert_eq!(metadata_url("https://h/fhir/"), "https://h/fhir/metadata");
        assert_eq!(
            metadata_url("https://h/fhir?x=1"),
            "https://h/fhir/metadata?x=1/"
        );
        assert_eq!(
            metadata_url("https://h/fhir/?x=1"),
            "https://h/fhir/metadata?x=1/"
        );
        assert_eq!(
            metadata_url("https://h/fhir?x=1/"),
            "https://h/fhir/metadata?x=1/"
        );
        assert_eq!(
            metadata_url("https://h/fhir#top"),
            "https://h/fhir/metadata#top/"
        );
    }

    fn head(json: &str) -> Option<(Option<String>, Option<String>, Option<String>)> {
        let h: Head = serde_json::from_str(json).ok()?;
        Some((h.resource_type, h.fhir_version, h.software.name))
    }

    #[test]
    fn the_head_reads_like_a_value() {
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            head(
                r#"{"resourceType":"CapabilityStatement","rest":[{"a":[1,2,{"b":null}]}],"fhirVersion":"4.0.1","software":{"name":"x","version":1}}"#
            ),
            Some((s("CapabilityStatement"), s("4.0.1"), s("x")))
        );
        // not strings: missing; duplicates: the last wins; not an object: no members
        assert_eq!(
            head(r#"{"resourceType":1,"software":{"name":"a"},"software":[]}"#),
            Some((None, None, None))
        );
        assert_eq!(head("[1, 2]"), Some((None, None, None)));
        assert_eq!(head("\"x\""), Some((None, None, None)));
        assert_eq!(head("null"), Some((None, None, None)));
        assert_eq!(head("{\"a\": 1} x"), None);
        assert_eq!(head("{"), None);
    }
}
