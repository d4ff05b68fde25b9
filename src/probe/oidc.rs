//! The OIDC probe: the server's start-up token test for a connection with `oidc-auth`
//! (`FhirClientConnectionsConfig.testConnection` → `OidcClientJersey`, facts 40-43), step by step
//! in the server's order, one function per step: [`discovery`], [`issuer`], [`jwks`],
//! [`grant_type`], [`token_endpoint`], [`token_request`], and the access token's checks
//! ([`token_checks`]: key, signature, times, audience, authorized party). Each failure says
//! whether it stops the BPE from starting (an exception the server does not catch) or is only
//! logged (`OidcClientException`); each step's codes are declared beside it.
//!
//! The server swaps the OIDC timeouts (fact 43): the configured read timeout bounds the TCP
//! connect, the configured connect timeout bounds each read. The probe does the same and says so.

use super::codes::{Group, ProbeCode};
use super::jwt::{self, Jwk, Jws, TimeProblem, VerifyKey};
use super::net::{self, Client, Mode, Names, Req, Resp, Timeouts};
use super::tls::TlsSetup;
use super::{Flow, OidcTarget, ProbeOptions, Recorder, ServerOutcome, Stop, codes, join, step};
use crate::secrets::{Piece, Secret, Text};
use crate::text;
use serde_json::Value;
use std::time::SystemTime;

use ServerOutcome::{DoesNotStart, Logged};

/// The token the FHIR probe sends, and its non-secret claims for messages (server text).
pub(crate) struct AccessToken {
    pub token: Secret,
    pub claims: Piece,
}

static NAMES: Names = Names {
    resolve: step::OIDC_RESOLVE,
    connect: step::OIDC_CONNECT,
    proxy: step::OIDC_PROXY,
    tls: step::OIDC_TLS,
    http: step::OIDC_DISCOVERY,
};

/// Jersey reads these with Jackson: any JSON media type.
fn is_json(resp: &Resp) -> bool {
    let ct = resp.content_type().to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

fn not_json(resp: &Resp, what: &'static str, rec: &Recorder) -> Text {
    let ct = resp.content_type();
    text!(
        "{}: the {} comes as `{}`, not JSON; the server cannot read it",
        resp.status_line(),
        what,
        if ct.is_empty() {
            Piece::from("no content type")
        } else {
            rec.server_text(ct, 100)
        }
    )
}

/// A 2xx answer whose body is beyond the probe's cap.
fn too_large(resp: &Resp, outcome: ServerOutcome, rec: &mut Recorder) -> Stop {
    rec.fail(
        &codes::BODY_TOO_LARGE,
        text!("{}: {}", resp.status_line(), resp.too_large()),
        outcome,
    )
}

/// A URL a server sent, for a message: its registered secrets masked, cut to `limit`
/// characters (its credentials and query values are masked where it is shown).
fn server_url(rec: &Recorder, url: &str, limit: usize) -> Piece {
    rec.server_value(url, limit)
}

/// `missing`, or the server's URL in backticks.
fn url_or_missing(rec: &Recorder, url: Option<&str>) -> Text {
    url.map_or(Text::from("missing"), |u| {
        text!("`{}`", server_url(rec, u, 300))
    })
}

pub(crate) async fn probe(
    o: &OidcTarget,
    options: &ProbeOptions,
    rec: &mut Recorder,
) -> Flow<AccessToken> {
    let setup = match TlsSetup::new(&o.trust, None, options.now) {
        Ok(s) => s,
        Err(f) => {
            rec.start(step::OIDC_TLS);
            return Err(rec.fail(f.code, f.detail, DoesNotStart));
        }
    };
    // decided once, by the OIDC base URL, for every OIDC request (fact 44)
    let proxy = options.proxy.as_ref().filter(|p| p.applies_to(&o.base_url));
    rec.oidc_via_proxy = Some(proxy.is_some());
    let client = Client {
        options,
        proxy,
        tls: Some(&setup),
        timeouts: Timeouts {
            connect: o.read_timeout,
            connect_name: "oidc-auth read-timeout, which the server uses as connect timeout",
            read: o.connect_timeout,
            read_name: "oidc-auth connect-timeout, which the server uses as read timeout",
        },
        outcome: DoesNotStart,
    };
    let doc = discovery(&client, o, rec).await?;
    issuer(&doc, o, rec)?;
    let keys = jwks(&client, &doc, rec).await?;
    // the rest throws OidcClientException: logged, the BPE starts (but see each code)
    grant_type(&doc, rec)?;
    let token_url = token_endpoint(&doc, o, rec)?;
    let token = token_request(&client, o, token_url, rec).await?;
    token_checks(o, options, &keys, token, rec)
}

/// What the probe reads from the discovery document.
struct Discovery {
    issuer: Option<String>,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    grant_types: Vec<String>,
}

pub static OIDC_DISCOVERY_STATUS: ProbeCode = ProbeCode {
    name: "oidc-discovery-status",
    group: Group::Oidc,
    summary: "`GET {base-url}{discovery-path}` did not answer 200",
    docs: r##"**What:** `GET {base-url}{discovery-path}` did not answer 200. **Server:** does not start.
**Fix:** check `oidc-auth.base-url` (e.g. `https://keycloak/realms/dsf`) and `discovery-path`."##,
};

pub static OIDC_DISCOVERY_INVALID: ProbeCode = ProbeCode {
    name: "oidc-discovery-invalid",
    group: Group::Oidc,
    summary: "the discovery document is not JSON (or comes with a non-JSON content type)",
    docs: r##"**What:** the discovery document is not JSON (or comes with a non-JSON content type). **Server:**
does not start. **Fix:** point `base-url` at the OpenID provider itself."##,
};

/// `GET {base-url}{discovery-path}`: a JSON object, answered 200.
async fn discovery(client: &Client<'_>, o: &OidcTarget, rec: &mut Recorder) -> Flow<Discovery> {
    let discovery_url = format!("{}{}", o.base_url, o.discovery_path);
    let req = Req {
        method: hyper::Method::GET,
        url: &discovery_url,
        accept: "application/json",
        authorization: None,
        body: None,
        body_limit: net::DOC_BODY,
    };
    let resp = client.get(rec, Mode::Explicit(&NAMES), req).await?;
    if resp.status.as_u16() != 200 {
        let location = resp
            .header("location")
            .map(|l| text!(" to {}", server_url(rec, l, 500)))
            .unwrap_or_default();
        return Err(rec.fail(
            &OIDC_DISCOVERY_STATUS,
            text!(
                "{}{}{} for {}: the server needs 200 (check base-url and discovery-path)",
                resp.status_line(),
                location,
                resp.redirects.clone(),
                Piece::value(&discovery_url)
            ),
            DoesNotStart,
        ));
    }
    if !is_json(&resp) {
        return Err(rec.fail(
            &OIDC_DISCOVERY_INVALID,
            not_json(&resp, "discovery document", rec),
            DoesNotStart,
        ));
    }
    if resp.truncated {
        return Err(too_large(&resp, DoesNotStart, rec));
    }
    let doc: Value = match serde_json::from_slice(&resp.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return Err(rec.fail(
                &OIDC_DISCOVERY_INVALID,
                text!(
                    "{}: the discovery document is not a JSON object",
                    resp.status_line()
                ),
                DoesNotStart,
            ));
        }
    };
    let field = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
    let found = Discovery {
        issuer: field("issuer"),
        token_endpoint: field("token_endpoint"),
        jwks_uri: field("jwks_uri"),
        grant_types: doc
            .get("grant_types_supported")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|g| g.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    };
    drop(doc);
    rec.pass(text!(
        "{} from {}{}",
        resp.status_line(),
        Piece::value(&discovery_url),
        resp.redirects.clone()
    ));
    Ok(found)
}

pub static OIDC_ISSUER_MISMATCH: ProbeCode = ProbeCode {
    name: "oidc-issuer-mismatch",
    group: Group::Oidc,
    summary: "the discovery document's `issuer` is not exactly `base-url` minus one trailing slash",
    docs: r##"**What:** the discovery document's `issuer` is not exactly `base-url` minus one trailing slash.
**Server:** does not start. **Fix:** set `oidc-auth.base-url` to the issuer the provider
publishes. An issuer ending in `/` never matches (the server strips one `/` from `base-url`)."##,
};

/// The issuer: an exact string compare with the base URL minus one trailing slash.
fn issuer(doc: &Discovery, o: &OidcTarget, rec: &mut Recorder) -> Flow<()> {
    rec.start(step::OIDC_ISSUER);
    match &doc.issuer {
        Some(i) if *i == o.base_url => {
            rec.pass(text!("`{}` equals the base-url", Piece::value(&o.base_url)));
            Ok(())
        }
        other => {
            let shown = other
                .as_deref()
                .map_or(Piece::from("(none)"), |i| server_url(rec, i, 300));
            let hint = match other {
                Some(i) if i.ends_with('/') && i.trim_end_matches('/') == o.base_url => Text::from(
                    " (the server strips one trailing `/` from base-url, so an issuer ending in `/` never matches: the provider must publish it without)",
                ),
                Some(_) => text!(": set oidc-auth base-url to `{}`", shown.clone()),
                None => Text::new(),
            };
            Err(rec.fail(
                &OIDC_ISSUER_MISMATCH,
                text!(
                    "the discovery document's issuer `{}` is not the base-url `{}` (exact compare){}",
                    shown,
                    Piece::value(&o.base_url),
                    hint
                ),
                DoesNotStart,
            ))
        }
    }
}

/// The JWKS and how the provider names its keys (server text, the first few).
struct Keys {
    keys: Vec<Jwk>,
    listed: Text,
}

pub static OIDC_JWKS_URI: ProbeCode = ProbeCode {
    name: "oidc-jwks-uri",
    group: Group::Oidc,
    summary: "`jwks_uri` is missing or not `https://`",
    docs: r##"**What:** `jwks_uri` is missing or not `https://`. **Server:** does not start. **Fix:** configure
the provider's public URL with https."##,
};

pub static OIDC_JWKS_STATUS: ProbeCode = ProbeCode {
    name: "oidc-jwks-status",
    group: Group::Oidc,
    summary: "the JWKS request did not answer 200",
    docs: r##"**What:** the JWKS request did not answer 200. **Server:** does not start. **Fix:** check that
the provider serves its `jwks_uri` to the BPE's network."##,
};

pub static OIDC_JWKS_INVALID: ProbeCode = ProbeCode {
    name: "oidc-jwks-invalid",
    group: Group::Oidc,
    summary: "the JWKS is not JSON, or two keys share a `kid`",
    docs: r##"**What:** the JWKS is not JSON, or two keys share a `kid`. **Server:** does not start. **Fix:**
remove the duplicate key at the provider."##,
};

/// The JWKS, read before the token is requested: an https `jwks_uri` answering 200 with JSON.
async fn jwks(client: &Client<'_>, doc: &Discovery, rec: &mut Recorder) -> Flow<Keys> {
    rec.start(step::OIDC_JWKS);
    let jwks_url = match &doc.jwks_uri {
        Some(u) if u.starts_with("https://") => u.as_str(),
        other => {
            return Err(rec.fail(
                &OIDC_JWKS_URI,
                text!(
                    "jwks_uri is {}: the server needs an https:// URL",
                    url_or_missing(rec, other.as_deref())
                ),
                DoesNotStart,
            ));
        }
    };
    let req = Req {
        method: hyper::Method::GET,
        url: jwks_url,
        accept: "application/json",
        authorization: None,
        body: None,
        body_limit: net::DOC_BODY,
    };
    let resp = client.get(rec, Mode::Folded, req).await?;
    let jwks_shown = text!(
        "{}{}",
        server_url(rec, jwks_url, 300),
        resp.redirects.clone()
    );
    if resp.status.as_u16() != 200 {
        return Err(rec.fail(
            &OIDC_JWKS_STATUS,
            text!(
                "{} for {}: the server needs 200",
                resp.status_line(),
                jwks_shown
            ),
            DoesNotStart,
        ));
    }
    if !is_json(&resp) {
        return Err(rec.fail(
            &OIDC_JWKS_INVALID,
            not_json(&resp, "JWKS", rec),
            DoesNotStart,
        ));
    }
    if resp.truncated {
        return Err(too_large(&resp, DoesNotStart, rec));
    }
    let parsed = jwt::parse_jwks(&resp.body);
    drop(resp);
    let keys = match parsed {
        Ok(k) => k,
        Err(e) => {
            return Err(rec.fail(
                &OIDC_JWKS_INVALID,
                text!("the JWKS is unusable: {}", rec.server_value(&e, 500)),
                DoesNotStart,
            ));
        }
    };
    const LISTED: usize = 10;
    let mut listed: Vec<Text> = keys
        .iter()
        .take(LISTED)
        .map(|k| Text::from(rec.server_value(&jwt::describe_key(k), 200)))
        .collect();
    if keys.len() > LISTED {
        listed.push(text!("{} more", keys.len() - LISTED));
    }
    let listed = join(listed, ", ");
    rec.pass(text!(
        "{} key{} from {}: {}",
        keys.len(),
        if keys.len() == 1 { "" } else { "s" },
        jwks_shown,
        listed.clone()
    ));
    Ok(Keys { keys, listed })
}

pub static OIDC_GRANT_TYPE: ProbeCode = ProbeCode {
    name: "oidc-grant-type",
    group: Group::Oidc,
    summary: "`grant_types_supported` does not contain `client_credentials`",
    docs: r##"**What:** `grant_types_supported` does not contain `client_credentials`. **Server:** logged.
**Fix:** enable the client credentials grant (Keycloak: "Service accounts roles" on the client)."##,
};

/// `grant_types_supported` holds `client_credentials`.
fn grant_type(doc: &Discovery, rec: &mut Recorder) -> Flow<()> {
    rec.start(step::OIDC_GRANT_TYPE);
    if !doc.grant_types.iter().any(|g| g == "client_credentials") {
        return Err(rec.fail(
            &OIDC_GRANT_TYPE,
            text!(
                "grant_types_supported is [{}]: client_credentials is missing (enable the client credentials grant at the provider)",
                rec.server_value(&doc.grant_types.join(", "), 300)
            ),
            Logged,
        ));
    }
    rec.pass("client_credentials is supported");
    Ok(())
}

pub static OIDC_TOKEN_ENDPOINT: ProbeCode = ProbeCode {
    name: "oidc-token-endpoint",
    group: Group::Oidc,
    summary: "`token_endpoint` is missing or not `https://`",
    docs: r##"**What:** `token_endpoint` is missing or not `https://`. **Server:** logged. **Fix:** serve the
provider over https."##,
};

/// An https `token_endpoint`.
fn token_endpoint<'d>(doc: &'d Discovery, o: &OidcTarget, rec: &mut Recorder) -> Flow<&'d str> {
    rec.start(step::OIDC_TOKEN_ENDPOINT);
    match &doc.token_endpoint {
        Some(u) if u.starts_with("https://") => {
            let mut d = Text::from(server_url(rec, u, 300));
            // `OidcClientJersey` posts the client secret to whatever token_endpoint says
            if net::origin_of(u) != net::origin_of(&o.base_url) {
                d.push(
                    ": on another origin than the OIDC base-url; the BPE sends the client id and secret there (Basic auth), and so does this probe",
                );
            }
            rec.pass(d);
            Ok(u)
        }
        other => Err(rec.fail(
            &OIDC_TOKEN_ENDPOINT,
            text!(
                "token_endpoint is {}: the server needs an https:// URL",
                url_or_missing(rec, other.as_deref())
            ),
            Logged,
        )),
    }
}

pub static OIDC_TOKEN_STATUS: ProbeCode = ProbeCode {
    name: "oidc-token-status",
    group: Group::Oidc,
    summary: "the token request (`client_id:client_secret` as Basic auth, `grant_type=client_credentials`) did not answer 200; the detail has the OAuth error (`invalid_client`, `unauthorized_client`...)",
    docs: r##"**What:** the token request (`client_id:client_secret` as Basic auth, `grant_type=client_credentials`)
did not answer 200; the detail has the OAuth error (`invalid_client`, `unauthorized_client`...).
A network or TLS failure of this request is reported with its network code and stops the server.
**Server:** logged. **Fix:** correct `client-id` or `client-secret`, or allow the grant for the
client."##,
};

pub static OIDC_TOKEN_INVALID: ProbeCode = ProbeCode {
    name: "oidc-token-invalid",
    group: Group::Oidc,
    summary: "the token response has no `access_token`, is not JSON (the server does not start), or a time claim is not a number",
    docs: r##"**What:** the token response has no `access_token`, is not JSON (the server does not start), or a
time claim is not a number. **Fix:** check the provider's token endpoint."##,
};

/// The token request: the client id and secret as Basic auth (US-ASCII), the client credentials
/// grant; an `access_token` in a JSON answer, registered as a secret at once.
async fn token_request(
    client: &Client<'_>,
    o: &OidcTarget,
    token_url: &str,
    rec: &mut Recorder,
) -> Flow<String> {
    rec.start(step::OIDC_TOKEN);
    let authorization = net::basic_value(&o.client_id, o.client_secret.expose(), false);
    let req = Req {
        method: hyper::Method::POST,
        url: token_url,
        accept: "application/json",
        authorization: Some(authorization.clone()),
        body: Some((
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials".to_vec(),
        )),
        body_limit: net::DOC_BODY,
    };
    let mut resp = client.send(rec, Mode::Folded, req).await?;
    if resp.status.as_u16() == 303
        && let Some(next) = resp
            .header("location")
            .and_then(|l| url::Url::parse(token_url).ok()?.join(l).ok())
            .map(|u| u.to_string())
    {
        resp = see_other(client, rec, token_url, &next, &resp, authorization).await?;
    }
    if resp.status.as_u16() != 200 {
        return Err(rec.fail(&OIDC_TOKEN_STATUS, token_error(&resp, o, rec), Logged));
    }
    if !is_json(&resp) {
        return Err(rec.fail(
            &OIDC_TOKEN_INVALID,
            not_json(&resp, "token response", rec),
            DoesNotStart,
        ));
    }
    if resp.truncated {
        return Err(too_large(&resp, Logged, rec));
    }
    let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    let Some(token) = body
        .get("access_token")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Err(rec.fail(
            &OIDC_TOKEN_INVALID,
            text!("{}: the answer has no access_token", resp.status_line()),
            Logged,
        ));
    };
    // masked wherever a server echoes it, in every form it travels in
    rec.secrets().add_access_token(&token);
    let expires_in = body
        .get("expires_in")
        .map(|v| text!(", expires_in {} s", rec.server_value(&v.to_string(), 40)))
        .unwrap_or_default();
    drop(body);
    rec.pass(text!(
        "{}{}: access token issued{}",
        resp.status_line(),
        resp.redirects.clone(),
        expires_in
    ));
    Ok(token)
}

/// A 303 to the token POST, followed as the server's HTTP client follows it: HttpClient 4's
/// `DefaultRedirectStrategy` redirects a 303 whatever the method, as a GET without the form
/// (`getRedirect`), and `RedirectExec` sends the original headers again, the client id and
/// secret as Basic auth included (to any host); further redirects of that GET as for every GET.
/// A 301, 302, 307 or 308 of a POST is not followed: that answer is the token response. The
/// probe sends the credentials only within the token endpoint's origin.
async fn see_other(
    client: &Client<'_>,
    rec: &mut Recorder,
    token_url: &str,
    next: &str,
    first: &Resp,
    authorization: String,
) -> Flow<Resp> {
    rec.secrets().add_url(next);
    let same = net::origin_of(next) == net::origin_of(token_url);
    let mut note = text!(
        "; followed {} to {} with a GET without the form, as the server's HTTP client does",
        first.status_line(),
        rec.server_value(next, 300)
    );
    if !same {
        note.push(" (another origin: the BPE sends the client id and secret there as well; the probe did not)");
    }
    let hop = Req {
        method: hyper::Method::GET,
        url: next,
        accept: "application/json",
        authorization: same.then_some(authorization),
        body: None,
        body_limit: net::DOC_BODY,
    };
    match client.get(rec, Mode::Folded, hop).await {
        Ok(mut r) => {
            note.push(r.redirects.clone());
            r.redirects = note;
            Ok(r)
        }
        Err(stop) => {
            rec.prefix_last(text!("redirected{}; then ", note));
            Err(stop)
        }
    }
}

/// A failed token request: status and the OAuth error (RFC 6749 §5.2), masked and cut like all
/// server text (a provider may quote the client secret it got, in any encoding), or else the
/// start of the body.
fn token_error(resp: &Resp, o: &OidcTarget, rec: &Recorder) -> Text {
    let mut out = Text::from(resp.status_line());
    match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) => {
            if let Some(e) = v.get("error").and_then(Value::as_str) {
                out.push(text!(": {}", rec.server_text(e, 100)));
            }
            if let Some(d) = v.get("error_description").and_then(Value::as_str) {
                out.push(text!(" ({})", rec.server_text(d, 300)));
            }
        }
        Err(_) if !resp.body.is_empty() => {
            out.push(text!(
                ": {}",
                rec.server_text(&String::from_utf8_lossy(&resp.body), 200)
            ));
        }
        Err(_) => {}
    }
    if matches!(resp.status.as_u16(), 400 | 401) {
        out.push(text!(
            "; sent client-id `{}` and the client secret as Basic auth with grant_type=client_credentials",
            Piece::value(&o.client_id)
        ));
    }
    out
}

/// The access token's checks, in the server's order: its key, signature, times, audience and
/// authorized party, then the `exp` the server's token cache needs.
fn token_checks(
    o: &OidcTarget,
    options: &ProbeOptions,
    keys: &Keys,
    token: String,
    rec: &mut Recorder,
) -> Flow<AccessToken> {
    let (jws, vkey, claims) = token_key(keys, &token, rec)?;
    token_signature(&jws, &vkey, &claims, rec)?;
    token_times(o, options, &jws, rec)?;
    token_audience(o, &jws, &claims, rec)?;
    token_authorized_party(o, &jws, &claims, rec)?;
    // the server's token cache computes the expiry from `exp` after verification
    // (`client/oidc/OidcClientProviderImpl.java:121-124`); without the cache `exp` is optional
    if options.oidc_cache && !matches!(jws.exp(), Ok(Some(_))) {
        rec.start(step::OIDC_TIMES);
        return Err(rec.fail(
            &OIDC_TOKEN_NO_EXP,
            "the token has no `exp`: the server's token cache (on: DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE is not false) throws a NullPointerException",
            DoesNotStart,
        ));
    }
    Ok(AccessToken {
        token: Secret::new(token),
        claims,
    })
}

pub static OIDC_TOKEN_NOT_JWT: ProbeCode = ProbeCode {
    name: "oidc-token-not-jwt",
    group: Group::Oidc,
    summary: "the access token is not a JWT (an opaque token)",
    docs: r##"**What:** the access token is not a JWT (an opaque token). **Server:** logged. **Fix:** make the
provider issue JWT access tokens for this client (e.g. oidc-provider's `accessTokenFormat: 'jwt'`)."##,
};

pub static OIDC_TOKEN_NO_KID: ProbeCode = ProbeCode {
    name: "oidc-token-no-kid",
    group: Group::Oidc,
    summary: "the token's header has no `kid`",
    docs: r##"**What:** the token's header has no `kid`. **Server:** logged. **Fix:** configure the provider to
put `kid` into access tokens."##,
};

pub static OIDC_KEY_NOT_FOUND: ProbeCode = ProbeCode {
    name: "oidc-key-not-found",
    group: Group::Oidc,
    summary: "no JWKS key has the token's `kid`, or that key's `use` is not `sig`",
    docs: r##"**What:** no JWKS key has the token's `kid`, or that key's `use` is not `sig`. **Server:** logged.
**Fix:** publish the signing key with `use: sig`; after a key rotation, check that the JWKS holds
the new key."##,
};

pub static OIDC_KEY_UNUSABLE: ProbeCode = ProbeCode {
    name: "oidc-key-unusable",
    group: Group::Oidc,
    summary: "the JWKS key of the token's `kid` is unusable for the server: no `use`, no `kty` or `alg`, a `kty` other than RSA/EC, an `alg` other than RS256/384/512 or ES256/384/512, a curve other than P-256/384/521, or an RSA key below 2048 bits",
    docs: r##"**What:** the JWKS key of the token's `kid` is unusable for the server: no `use`, no `kty` or
`alg`, a `kty` other than RSA/EC, an `alg` other than RS256/384/512 or ES256/384/512, a curve other
than P-256/384/521, or an RSA key below 2048 bits. **Server:** does not start (the server's check
throws). **Fix:** publish `kty`, `alg` and `use` for the signing key, with a supported algorithm."##,
};

pub static OIDC_ALG_MISMATCH: ProbeCode = ProbeCode {
    name: "oidc-alg-mismatch",
    group: Group::Oidc,
    summary: "the token's `alg` differs from the JWKS key's `alg`",
    docs: r##"**What:** the token's `alg` differs from the JWKS key's `alg`. **Server:** logged. **Fix:** make
the provider sign with the key's algorithm."##,
};

/// The token is a JWT whose `kid` names a JWKS key with `use: sig`, usable by the server, of
/// the token's `alg`. Returns the token, the key and the token's public claims (server text).
fn token_key(keys: &Keys, token: &str, rec: &mut Recorder) -> Flow<(Jws, VerifyKey, Piece)> {
    rec.start(step::OIDC_TOKEN_KEY);
    let jws = match jwt::decode(token) {
        Ok(j) => j,
        Err(e) => {
            return Err(rec.fail(
                &OIDC_TOKEN_NOT_JWT,
                text!(
                    "the access token is not a JWT: {}",
                    rec.server_value(&e, 300)
                ),
                Logged,
            ));
        }
    };
    // claims, key ids and algorithms are the provider's words: server text
    let claims = rec.server_value(&jws.public_claims(), 500);
    let Some(kid_raw) = jws.header_text("kid") else {
        return Err(rec.fail(
            &OIDC_TOKEN_NO_KID,
            text!("the token's header has no `kid` (claims: {})", claims),
            Logged,
        ));
    };
    let kid = rec.server_value(&kid_raw, 100);
    let Some(key) = keys
        .keys
        .iter()
        .find(|k| k.kid.as_deref() == Some(kid_raw.as_str()))
    else {
        return Err(rec.fail(
            &OIDC_KEY_NOT_FOUND,
            text!(
                "kid `{}` is not in the JWKS (keys: {}; claims: {})",
                kid,
                keys.listed.clone(),
                claims
            ),
            Logged,
        ));
    };
    match key.use_.as_deref() {
        Some("sig") => {}
        Some(u) => {
            return Err(rec.fail(
                &OIDC_KEY_NOT_FOUND,
                text!(
                    "the JWKS key `{}` has use `{}`, the server needs `sig`",
                    kid,
                    rec.server_value(u, 50)
                ),
                Logged,
            ));
        }
        None => {
            return Err(rec.fail(
                &OIDC_KEY_UNUSABLE,
                text!(
                    "the JWKS key `{}` has no `use` (the server's check throws a NullPointerException)",
                    kid
                ),
                DoesNotStart,
            ));
        }
    }
    let vkey = match jwt::usable_key(key) {
        Ok(k) => k,
        Err(e) => {
            return Err(rec.fail(
                &OIDC_KEY_UNUSABLE,
                text!(
                    "the JWKS key `{}` is unusable for the server: {}",
                    kid,
                    rec.server_value(&e, 300)
                ),
                DoesNotStart,
            ));
        }
    };
    let alg = jws.header_text("alg").unwrap_or_default();
    if alg != vkey.alg {
        return Err(rec.fail(
            &OIDC_ALG_MISMATCH,
            text!(
                "the token is signed with `{}`, the JWKS key `{}` is for {}",
                rec.server_value(&alg, 50),
                kid,
                vkey.alg
            ),
            Logged,
        ));
    }
    rec.pass(text!(
        "kid `{}`: {}",
        kid,
        rec.server_value(&jwt::describe_key_type(key), 200)
    ));
    Ok((jws, vkey, claims))
}

pub static OIDC_SIGNATURE: ProbeCode = ProbeCode {
    name: "oidc-signature-invalid",
    group: Group::Oidc,
    summary: "the signature does not verify with the JWKS key (or the key's curve does not fit its `alg`)",
    docs: r##"**What:** the signature does not verify with the JWKS key (or the key's curve does not fit its
`alg`). **Server:** logged. **Fix:** check that the provider signs with the key it publishes."##,
};

/// The signature verifies with the JWKS key.
fn token_signature(jws: &Jws, vkey: &VerifyKey, claims: &Piece, rec: &mut Recorder) -> Flow<()> {
    rec.start(step::OIDC_SIGNATURE);
    if let Err(e) = jws.verify(vkey) {
        return Err(rec.fail(
            &OIDC_SIGNATURE,
            text!("{} (claims: {})", rec.server_value(&e, 300), claims.clone()),
            Logged,
        ));
    }
    rec.pass(text!("{} signature valid", vkey.alg));
    Ok(())
}

pub static OIDC_TOKEN_EXPIRED: ProbeCode = ProbeCode {
    name: "oidc-token-expired",
    group: Group::Oidc,
    summary: "`exp` is in the past beyond the leeway (default PT10S)",
    docs: r##"**What:** `exp` is in the past beyond the leeway (default PT10S). **Server:** logged. **Fix:**
check the clocks of the BPE host and the provider."##,
};

pub static OIDC_TOKEN_NOT_YET_VALID: ProbeCode = ProbeCode {
    name: "oidc-token-not-yet-valid",
    group: Group::Oidc,
    summary: "`nbf` or `iat` is in the future beyond the leeway",
    docs: r##"**What:** `nbf` or `iat` is in the future beyond the leeway. **Server:** logged. **Fix:** check
the clocks; `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_TIME_VALIDATION_LEEWAY` widens the
leeway."##,
};

pub static OIDC_TOKEN_NO_EXP: ProbeCode = ProbeCode {
    name: "oidc-token-no-exp",
    group: Group::Oidc,
    summary: "the token has no `exp` while the server's OIDC cache is on (the default)",
    docs: r##"**What:** the token has no `exp`. **Server:** does not start while its OIDC token cache is on
(`DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE`, on by default, needs `exp`); with the
cache off a token without `exp` is accepted, and so is it by the probe. **Fix:** configure a token
lifetime at the provider."##,
};

/// `exp`, `nbf` and `iat` against now, with the leeway.
fn token_times(o: &OidcTarget, options: &ProbeOptions, jws: &Jws, rec: &mut Recorder) -> Flow<()> {
    rec.start(step::OIDC_TIMES);
    let now = options
        .now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    // java-jwt takes whole seconds of leeway
    let leeway = i64::try_from(o.leeway.as_secs()).unwrap_or(i64::MAX);
    // the texts hold times and claim names the probe knows: the tool's words
    let (code, d) = match jws.check_times(now, leeway) {
        Ok(d) => {
            rec.pass(Piece::own(d));
            return Ok(());
        }
        Err(TimeProblem::Expired(d)) => (&OIDC_TOKEN_EXPIRED, d),
        Err(TimeProblem::NotYet(d)) => (&OIDC_TOKEN_NOT_YET_VALID, d),
        Err(TimeProblem::Invalid(d)) => (&OIDC_TOKEN_INVALID, d),
    };
    Err(rec.fail(code, Piece::own(d), Logged))
}

pub static OIDC_AUDIENCE: ProbeCode = ProbeCode {
    name: "oidc-audience",
    group: Group::Oidc,
    summary: "the token's `aud` lacks one of the `required-audience` values (all are required)",
    docs: r##"**What:** the token's `aud` lacks one of the `required-audience` values (all are required).
**Server:** logged. **Fix:** add an audience mapper at the provider, or correct
`required-audience`."##,
};

/// Every `required-audience` in `aud`.
fn token_audience(o: &OidcTarget, jws: &Jws, claims: &Piece, rec: &mut Recorder) -> Flow<()> {
    rec.start(step::OIDC_AUDIENCE);
    let aud = jws.audiences();
    let aud_shown = rec.server_value(&aud.join(", "), 300);
    let missing: Vec<&str> = o
        .required_audience
        .iter()
        .filter(|r| !aud.contains(r))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(rec.fail(
            &OIDC_AUDIENCE,
            text!(
                "aud is [{}]; required-audience needs every one of [{}]: {} missing (claims: {})",
                aud_shown,
                Piece::value(&o.required_audience.join(", ")),
                Piece::value(&missing.join(", ")),
                claims.clone()
            ),
            Logged,
        ));
    }
    rec.pass(if o.required_audience.is_empty() {
        text!("no required-audience configured (aud [{}])", aud_shown)
    } else {
        text!("aud [{}] holds every required audience", aud_shown)
    });
    Ok(())
}

pub static OIDC_AUTHORIZED_PARTY: ProbeCode = ProbeCode {
    name: "oidc-authorized-party",
    group: Group::Oidc,
    summary: "`azp` is missing or is not the `client-id`, and `verify-authorized-party` is on (the default)",
    docs: r##"**What:** `azp` is missing or is not the `client-id`, and `verify-authorized-party` is on (the
default). **Server:** logged. **Fix:** make the provider set `azp`, or set
`verify-authorized-party: false`."##,
};

/// `azp` is the client id, unless `verify-authorized-party: false`.
fn token_authorized_party(
    o: &OidcTarget,
    jws: &Jws,
    claims: &Piece,
    rec: &mut Recorder,
) -> Flow<()> {
    rec.start(step::OIDC_AZP);
    if !o.verify_authorized_party {
        rec.pass("not checked (verify-authorized-party: false)");
        return Ok(());
    }
    let azp = jws.claim_text("azp");
    if azp.as_deref() != Some(o.client_id.as_str()) {
        return Err(rec.fail(
            &OIDC_AUTHORIZED_PARTY,
            text!(
                "azp is {}, the client-id is `{}`: the provider must set azp to the client id, or set verify-authorized-party: false (claims: {})",
                azp.map_or(Text::from("missing"), |a| text!(
                    "`{}`",
                    rec.server_value(&a, 100)
                )),
                Piece::value(&o.client_id),
                claims.clone()
            ),
            Logged,
        ));
    }
    rec.pass(text!(
        "azp `{}` is the client-id",
        Piece::value(&o.client_id)
    ));
    Ok(())
}
