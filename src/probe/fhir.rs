//! The FHIR probe: the server's `FhirConnectionTestClientJersey.testConnection` (fact 39):
//! `GET {base-url}/metadata` with `Accept: application/fhir+json; fhirVersion=4.0` and the
//! configured auth; success is HTTP 200 with a FHIR R4 CapabilityStatement. A failure here is
//! only logged by the server, and only when `test-connection-on-startup` is on.

use super::net::{self, Client, Mode, Names, Req, Resp, Timeouts};
use super::oidc::AccessToken;
use super::tls::TlsSetup;
use super::{Flow, ProbeOptions, ProbeTarget, Recorder, ServerOutcome, codes, step};
use serde_json::Value;

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
        None
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
    let url = if t.base_url.ends_with('/') {
        format!("{}metadata", t.base_url)
    } else {
        format!("{}/metadata", t.base_url)
    };
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
    };
    let resp = client.send(rec, Mode::Explicit(&NAMES), req).await?;
    judge_status(t, &resp, &url, setup.as_ref(), token, rec, outcome)?;
    rec.start(step::FHIR_CAPABILITY);
    match capability(&resp) {
        Ok(d) => {
            rec.pass(d);
            Ok(())
        }
        Err(d) => Err(rec.fail(codes::NOT_CAPABILITY_STATEMENT, d, outcome)),
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
        rec.pass(format!(
            "{line} ({}, {})",
            if resp.content_type().is_empty() {
                "no content type"
            } else {
                resp.content_type()
            },
            size(resp.body.len())
        ));
        return Ok(());
    }
    if (300..400).contains(&status) {
        let location = resp.header("location").unwrap_or("");
        let absolute = url::Url::parse(url)
            .ok()
            .and_then(|base| base.join(location).ok())
            .map(|u| u.to_string())
            .unwrap_or_else(|| location.to_string());
        let location = net::redact_url(&absolute);
        let suggestion = location
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/')
            .strip_suffix("/metadata")
            .map(|b| format!(": set base-url to `{b}`"))
            .unwrap_or_default();
        return Err(rec.fail(
            codes::HTTP_REDIRECT,
            format!(
                "{line} to {location}; redirects are not followed (credentials must not travel to another address){suggestion}"
            ),
            outcome,
        ));
    }
    let body = body_text(resp);
    let issues = operation_outcome(&resp.body);
    let mut detail = line.clone();
    if let Some(i) = &issues {
        detail.push_str(&format!("; OperationOutcome: {i}"));
    }
    // nginx answers a missing or bad client certificate with its own 400 pages
    if status == 400 && body.contains("No required SSL certificate was sent") {
        return Err(rec.fail(
            codes::TLS_CLIENT_CERT_REQUIRED,
            format!("{line}: the server requires a client certificate and none was sent (cert-auth is not configured)"),
            outcome,
        ));
    }
    if status == 400 && body.contains("SSL certificate error") {
        let sent = tls
            .and_then(TlsSetup::client_subject)
            .unwrap_or("the client certificate");
        return Err(rec.fail(
            codes::TLS_CLIENT_CERT_REJECTED,
            format!("{line}: the server rejected {sent} (its issuer is not among the CAs the server trusts for clients, or it expired)"),
            outcome,
        ));
    }
    if status == 401 || status == 403 {
        let offered = offered(t, tls, token);
        detail.push_str(&format!("; offered: {offered}"));
        if let Some(w) = resp.header("www-authenticate") {
            detail.push_str(&format!("; the server asks for: {w}"));
        }
        if issues.is_none() && !body.is_empty() {
            detail.push_str(&format!("; body: {body}"));
        }
        let code = if status == 401 {
            codes::HTTP_UNAUTHORIZED
        } else {
            codes::HTTP_FORBIDDEN
        };
        return Err(rec.fail(code, detail, outcome));
    }
    if issues.is_none() && !body.is_empty() {
        detail.push_str(&format!("; body: {body}"));
    }
    Err(rec.fail(codes::HTTP_STATUS, detail, outcome))
}

/// Which credential the request carried, in words (never the secret).
fn offered(t: &ProbeTarget, tls: Option<&TlsSetup>, token: Option<&AccessToken>) -> String {
    let mut parts = Vec::new();
    if let Some(b) = &t.basic {
        parts.push(format!("Basic auth as user `{}` (basic-auth)", b.username));
    } else if t.bearer.is_some() {
        parts.push("a bearer token (bearer-auth)".to_string());
    } else if let Some(a) = token {
        parts.push(format!("the OIDC access token ({})", a.claims));
    }
    if let Some(subject) = tls.and_then(TlsSetup::client_subject) {
        let asked = if tls.is_some_and(TlsSetup::client_auth_requested) {
            "sent"
        } else {
            "configured, but the server did not ask for it"
        };
        parts.push(format!("client certificate {subject} ({asked})"));
    }
    if parts.is_empty() {
        "no credentials (no auth block is configured)".into()
    } else {
        parts.join(" and ")
    }
}

fn size(n: usize) -> String {
    if n < 10_000 {
        format!("{n} bytes")
    } else {
        format!("{} kB", n / 1000)
    }
}

/// The first 200 characters of a body, on one line.
pub(crate) fn body_text(resp: &Resp) -> String {
    let text = String::from_utf8_lossy(&resp.body);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if out.chars().count() > 200 {
        out = out.chars().take(200).collect::<String>() + "…";
    }
    out
}

/// `severity code: diagnostics` of each issue of a FHIR OperationOutcome.
fn operation_outcome(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if v.get("resourceType")?.as_str()? != "OperationOutcome" {
        return None;
    }
    let issues: Vec<String> = v
        .get("issue")?
        .as_array()?
        .iter()
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
    Some(if issues.is_empty() {
        "no issues".into()
    } else {
        issues.join("; ")
    })
}

fn capability(resp: &Resp) -> Result<String, String> {
    if resp.truncated {
        return Err("the body is larger than 16 MiB".into());
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
            Ok(
                "an XML CapabilityStatement (the server asked for JSON; its client parses XML too)"
                    .into(),
            )
        } else {
            Err(format!(
                "the XML body is not a CapabilityStatement: {}",
                body_text(resp)
            ))
        };
    }
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|_| format!("the body is not JSON: {}", body_text(resp)))?;
    let rt = v.get("resourceType").and_then(Value::as_str).unwrap_or("");
    if rt != "CapabilityStatement" {
        return Err(if rt.is_empty() {
            "the JSON body is not a FHIR resource (no resourceType): is base-url the FHIR base?"
                .into()
        } else {
            format!("the body is a {rt}, not a CapabilityStatement: is base-url the FHIR base?")
        });
    }
    let s = |p: &[&str]| {
        let mut cur = &v;
        for k in p {
            cur = cur.get(k)?;
        }
        cur.as_str().map(str::to_string)
    };
    let software = match (s(&["software", "name"]), s(&["software", "version"])) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n,
        _ => "software not named".into(),
    };
    let version = s(&["fhirVersion"]);
    let fhir = match version.as_deref() {
        Some(v) if v.starts_with("4.0") => format!("FHIR {v}"),
        Some(v) => format!("FHIR {v}: not R4 (4.0.x); the BPE's R4 client may misread this server"),
        None => "no fhirVersion".into(),
    };
    Ok(format!("{software}, {fhir}"))
}
