//! `check --test-connections`' network layer against real servers on 127.0.0.1 made by the tests
//! (TLS with an rcgen PKI, an OpenID provider, a CONNECT proxy, a listener that never answers).
//! The tests call the library (`probe::run` with hand-built targets) and assert what a user sees:
//! the verdict, the steps, their codes and details, the server's outcome, and that no secret is
//! printed.

mod golden;
mod interop;
mod issuer;
mod jdk;
mod leaks;
mod pki;
mod servers;

use dsf_connections::probe::{
    self, BasicCredentials, OidcTarget, ProbeOptions, ProbeResult, ProbeStep, ProbeTarget,
    ProxyConfig, Resolve, ServerOutcome, TrustRoots, codes,
};
use dsf_connections::secrets::Secret;
use issuer::{Alg, CLIENT_ID, Knobs};
use pki::{PKI, trust_other, trust_root};
use serde_json::json;
use servers::{ClientAuth, HttpReq, HttpResp};
use std::sync::Arc;
use std::time::Duration;

fn capability() -> serde_json::Value {
    json!({"resourceType": "CapabilityStatement", "status": "active", "fhirVersion": "4.0.1",
        "software": {"name": "DSF FHIR Server", "version": "2.1.0"}})
}

/// A FHIR server at `/fhir` whose metadata needs `authorized(req)`.
fn fhir_server(
    tls: Option<Arc<rustls::ServerConfig>>,
    authorized: impl Fn(&HttpReq) -> bool + Send + Sync + 'static,
) -> servers::Server {
    servers::http(
        tls,
        Arc::new(move |r: &HttpReq| {
            if r.path != "/fhir/metadata" {
                return HttpResp::new(404, "text/plain", "no such path");
            }
            if !authorized(r) {
                return HttpResp::fhir(
                    401,
                    &json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error",
                        "code": "login", "diagnostics": "authentication required"}]}),
                )
                .with_header("WWW-Authenticate", "Basic realm=\"fhir\"");
            }
            HttpResp::fhir(200, &capability())
        }),
    )
}

fn good_tls() -> Arc<rustls::ServerConfig> {
    servers::tls_config(&PKI.server, ClientAuth::None)
}

fn target(id: &str, base_url: String) -> ProbeTarget {
    ProbeTarget {
        id: id.into(),
        base_url,
        test_on_startup: true,
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(10),
        trust: trust_root(),
        client_identity: None,
        basic: None,
        bearer: None,
        oidc: None,
    }
}

fn fhir_url(port: u16) -> String {
    format!("https://fhir.test:{port}/fhir")
}

/// Options with `fhir.test` and `oidc.test` resolved to 127.0.0.1 on these ports.
fn opts(ports: &[u16]) -> ProbeOptions {
    let mut resolve = Vec::new();
    for &port in ports {
        for host in ["fhir.test", "oidc.test"] {
            resolve.push(Resolve {
                host: host.into(),
                port,
                addr: "127.0.0.1".parse().expect("ip"),
            });
        }
    }
    ProbeOptions {
        resolve,
        probe_timeout: Duration::from_secs(20),
        ..ProbeOptions::default()
    }
}

/// The detail of the step of this name (empty when there is none).
fn step_detail(r: &ProbeResult, name: &str) -> String {
    r.steps
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.detail_text())
        .unwrap_or_default()
}

fn probe_one(t: ProbeTarget, o: &ProbeOptions) -> ProbeResult {
    probe::run(&[t], o).expect("runtime").remove(0)
}

fn names(r: &ProbeResult) -> Vec<&'static str> {
    r.steps.iter().map(|s| s.name).collect()
}

/// The failed step (the last one), with the result shown when there is none.
fn failure(r: &ProbeResult) -> &ProbeStep {
    let last = r.steps.last().unwrap_or_else(|| panic!("no steps: {r:#?}"));
    assert!(!r.ok && !last.ok, "expected a failure: {r:#?}");
    last
}

fn human(results: &[ProbeResult]) -> String {
    let mut out = Vec::new();
    let db = dsf_connections::source::SourceDb::default();
    let r = dsf_connections::secrets::Redactor::new(&db, Default::default());
    dsf_connections::emit::probes::render(results, &r, false, &mut out).expect("render");
    String::from_utf8(out).expect("utf8")
}

#[test]
fn fhir_success_shows_every_step_and_the_server_software() {
    let s = fhir_server(Some(good_tls()), |_| true);
    let r = probe_one(target("fhir", fhir_url(s.port)), &opts(&[s.port]));
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.server_outcome, ServerOutcome::Ok);
    assert_eq!(
        names(&r),
        [
            "fhir.name-resolution",
            "fhir.tcp-connect",
            "fhir.tls-handshake",
            "fhir.http-status",
            "fhir.capability-statement"
        ]
    );
    assert!(
        r.steps[0].detail_text().contains("--resolve"),
        "{}",
        r.steps[0].detail_text()
    );
    let tls = &r.steps[2].detail_text();
    assert!(
        tls.contains("TLS 1.3") && tls.contains("Probe Test Intermediate CA"),
        "{tls}"
    );
    assert_eq!(
        r.steps[4].detail_text(),
        "DSF FHIR Server 2.1.0, FHIR 4.0.1"
    );
    let req = &s.requests()[0];
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/fhir/metadata");
    assert_eq!(
        req.header("accept"),
        Some("application/fhir+json; fhirVersion=4.0")
    );
    assert_eq!(req.header("authorization"), None);
    // the JSON shape of the report's `probes`
    let v = serde_json::to_value(&r).expect("json");
    assert_eq!(v["connection"], "fhir");
    assert_eq!(v["server_outcome"], "ok");
    assert!(v["duration_ms"].is_u64());
    assert_eq!(v["steps"][4]["name"], "fhir.capability-statement");
    assert_eq!(v["steps"][4]["code"], serde_json::Value::Null);
    let text = human(&[r]);
    assert!(text.starts_with("✓ fhir: ok in "), "{text}");
    assert!(
        text.contains("CapabilityStatement  DSF FHIR Server 2.1.0"),
        "{text}"
    );
    assert!(text.ends_with("probes: 1 ok, 0 failed\n"), "{text}");
}

#[test]
fn plain_http_has_no_tls_step() {
    let s = fhir_server(None, |_| true);
    let r = probe_one(
        target("plain", format!("http://127.0.0.1:{}/fhir", s.port)),
        &opts(&[]),
    );
    assert!(r.ok, "{r:#?}");
    assert!(!names(&r).contains(&"fhir.tls-handshake"));
    assert!(r.steps[0].detail_text().contains("nothing to resolve"));
}

#[test]
fn basic_auth_is_preemptive_and_iso_8859_1() {
    let expected = format!("Basic {}", {
        use base64::Engine;
        // "user:pässword" in ISO-8859-1: ä is one byte, 0xE4
        base64::engine::general_purpose::STANDARD.encode(b"user:p\xe4ssword")
    });
    let s = fhir_server(Some(good_tls()), move |r| {
        r.header("authorization") == Some(expected.as_str())
    });
    let mut t = target("basic", fhir_url(s.port));
    t.basic = Some(BasicCredentials {
        username: "user".into(),
        password: Secret::new("pässword"),
    });
    let r = probe_one(t.clone(), &opts(&[s.port]));
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        s.requests().len(),
        1,
        "one request: the credentials went with the first"
    );

    t.basic = Some(BasicCredentials {
        username: "user".into(),
        password: Secret::new("wrong-password-canary"),
    });
    let r = probe_one(t, &opts(&[s.port]));
    let f = failure(&r);
    assert_eq!(f.name, "fhir.http-status");
    assert_eq!(f.code, Some(&codes::HTTP_UNAUTHORIZED));
    assert!(f.detail_text().contains("401"), "{}", f.detail_text());
    assert!(
        f.detail_text().contains("Basic auth as user `user`"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text()
            .contains("error login: authentication required"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text().contains("Basic realm=\"fhir\""),
        "{}",
        f.detail_text()
    );
    assert_eq!(r.server_outcome, ServerOutcome::Logged);
    assert!(!human(&[r]).contains("wrong-password-canary"));
}

#[test]
fn bearer_token_and_its_rejection() {
    let s = fhir_server(Some(good_tls()), |r| {
        r.header("authorization") == Some("Bearer good-token")
    });
    let mut t = target("bearer", fhir_url(s.port));
    t.bearer = Some(Secret::new("good-token"));
    assert!(probe_one(t.clone(), &opts(&[s.port])).ok);
    t.bearer = Some(Secret::new("bad-token-canary"));
    t.test_on_startup = false;
    let r = probe_one(t, &opts(&[s.port]));
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::HTTP_UNAUTHORIZED));
    assert!(
        f.detail_text().contains("a bearer token (bearer-auth)"),
        "{}",
        f.detail_text()
    );
    // not tested by the server at start-up: the failure shows later
    assert_eq!(r.server_outcome, ServerOutcome::NotTested);
    assert!(!format!("{r:?}").contains("bad-token-canary"));
}

fn mtls_server() -> servers::Server {
    let tls = servers::tls_config(&PKI.server, ClientAuth::Required(PKI.root.der.clone()));
    fhir_server(Some(tls), |_| true)
}

#[test]
fn client_certificates_pem_pkcs12_sec1_and_pkcs1() {
    let s = mtls_server();
    let identities = [
        ("pkcs8", PKI.client.clone()),
        ("sec1", PKI.client_sec1.clone()),
        ("pkcs1-rsa", PKI.client_rsa_pkcs1.clone()),
        (
            "pkcs12",
            probe::ClientIdentity::from_pkcs12(&PKI.client_p12, pki::P12_PASSWORD).expect("p12"),
        ),
    ];
    for (id, identity) in identities {
        let mut t = target(id, fhir_url(s.port));
        t.client_identity = Some(identity);
        let r = probe_one(t, &opts(&[s.port]));
        assert!(r.ok, "{id}: {r:#?}");
        assert!(
            r.steps[2]
                .detail_text()
                .contains("client certificate CN=probe-client"),
            "{id}: {}",
            r.steps[2].detail_text()
        );
    }
    assert!(probe::ClientIdentity::from_pkcs12(&PKI.client_p12, "wrong").is_err());
}

#[test]
fn client_certificate_missing_or_rejected() {
    let s = mtls_server();
    let r = probe_one(target("none", fhir_url(s.port)), &opts(&[s.port]));
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_CLIENT_CERT_REQUIRED), "{r:#?}");
    assert!(
        f.detail_text().contains("none is configured") || f.detail_text().contains("none was sent"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text().contains("Probe Test Root CA"),
        "names the accepted issuers: {}",
        f.detail_text()
    );

    let mut t = target("untrusted", fhir_url(s.port));
    t.client_identity = Some(PKI.client_untrusted.clone());
    let r = probe_one(t, &opts(&[s.port]));
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_CLIENT_CERT_REJECTED), "{r:#?}");
    assert!(
        f.detail_text().contains("CN=untrusted-client"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text().contains("Some Other Root CA"),
        "names its issuer: {}",
        f.detail_text()
    );
}

fn tls_failure(chain: &pki::Chain, trust: TrustRoots, url_host: &str) -> ProbeResult {
    let s = fhir_server(Some(servers::tls_config(chain, ClientAuth::None)), |_| true);
    let mut o = opts(&[s.port]);
    o.resolve.push(Resolve {
        host: url_host.into(),
        port: s.port,
        addr: "127.0.0.1".parse().expect("ip"),
    });
    let mut t = target("tls", format!("https://{url_host}:{}/fhir", s.port));
    t.trust = trust;
    let r = probe_one(t, &o);
    assert_eq!(failure(&r).name, "fhir.tls-handshake", "{r:#?}");
    r
}

#[test]
fn unknown_issuer_names_the_issuer_and_the_trusted_subjects() {
    let r = tls_failure(&PKI.server, trust_other(), "fhir.test");
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_UNKNOWN_ISSUER));
    assert!(
        f.detail_text()
            .contains("issued by CN=Probe Test Intermediate CA"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text().contains("ca/other-root.pem"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text().contains("CN=Some Other Root CA"),
        "{}",
        f.detail_text()
    );

    // a server certificate from another CA, trusted roots ours
    let f = failure(&tls_failure(&PKI.other_ca, trust_root(), "fhir.test")).clone();
    assert_eq!(f.code, Some(&codes::TLS_UNKNOWN_ISSUER));
    assert!(
        f.detail_text().contains("Some Other Root CA")
            && f.detail_text().contains("Probe Test Root CA"),
        "{}",
        f.detail_text()
    );
}

#[test]
fn missing_intermediate_is_named() {
    let r = tls_failure(&PKI.server_leaf_only, trust_root(), "fhir.test");
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_UNKNOWN_ISSUER));
    assert!(
        f.detail_text().contains("sent no intermediate certificate"),
        "{}",
        f.detail_text()
    );
}

#[test]
fn expired_and_not_yet_valid_certificates_show_dates() {
    let r = tls_failure(&PKI.expired, trust_root(), "fhir.test");
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_EXPIRED));
    assert!(
        f.detail_text().contains("CN=expired.test") && f.detail_text().contains("expired on 20"),
        "{}",
        f.detail_text()
    );
    let r = tls_failure(&PKI.not_yet_valid, trust_root(), "fhir.test");
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_NOT_YET_VALID));
    assert!(
        f.detail_text().contains("valid only from 20"),
        "{}",
        f.detail_text()
    );
}

#[test]
fn name_mismatch_lists_the_names_in_the_certificate() {
    let r = tls_failure(&PKI.wrong_name, trust_root(), "fhir.test");
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_NAME_MISMATCH));
    assert!(
        f.detail_text().contains("other.example") && f.detail_text().contains("www.other.example"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text().contains("not `fhir.test`"),
        "{}",
        f.detail_text()
    );
}

/// HttpClient 4 follows redirects of a GET (Jersey's `FOLLOW_REDIRECTS` is on by default;
/// `DefaultRedirectStrategy`, `RedirectExec` copies the request's headers to the next request).
#[test]
fn redirects_are_followed_as_the_server_follows_them() {
    // same origin: the credential goes along, the steps pass, the detail lists the hop
    let s = servers::http_with_port(Some(good_tls()), |port| {
        Arc::new(move |r: &HttpReq| match r.path.as_str() {
            "/fhir/metadata" => HttpResp::new(301, "text/html", "moved").with_header(
                "Location",
                &format!("https://fhir.test:{port}/new/fhir/metadata"),
            ),
            "/new/fhir/metadata" if r.header("authorization") == Some("Bearer same-origin") => {
                HttpResp::fhir(200, &capability())
            }
            _ => HttpResp::new(404, "text/plain", "no"),
        })
    });
    let mut t = target("redirect", fhir_url(s.port));
    t.bearer = Some(Secret::new("same-origin"));
    let r = probe_one(t, &opts(&[s.port]));
    assert!(r.ok, "{r:#?}");
    let http = r.steps[3].detail_text();
    assert!(
        http.contains(&format!(
            "followed 301 Moved Permanently to https://fhir.test:{}/new/fhir/metadata",
            s.port
        )) && !http.contains("another origin"),
        "{http}"
    );
    assert_eq!(s.requests().len(), 2);

    // another origin: the BPE would send the token there; the probe does not, and says so
    let target_server = fhir_server(Some(good_tls()), |r| r.header("authorization").is_none());
    let to = target_server.port;
    let s = servers::http(
        Some(good_tls()),
        Arc::new(move |_r: &HttpReq| {
            HttpResp::new(302, "text/html", "found")
                .with_header("Location", &format!("https://oidc.test:{to}/fhir/metadata"))
        }),
    );
    let mut t = target("redirect", fhir_url(s.port));
    t.bearer = Some(Secret::new("stays-home"));
    let r = probe_one(t, &opts(&[s.port, to]));
    assert!(r.ok, "{r:#?}");
    let http = r.steps[3].detail_text();
    assert!(
        http.contains("another origin: the BPE sends its Authorization header there as well; the probe did not"),
        "{http}"
    );
    assert_eq!(target_server.requests()[0].header("authorization"), None);
    // and where that host wants the credential, its 401 says the probe withheld it
    let wants = fhir_server(Some(good_tls()), |r| r.header("authorization").is_some());
    let to = wants.port;
    let s = servers::http(
        Some(good_tls()),
        Arc::new(move |_r: &HttpReq| {
            HttpResp::new(302, "text/html", "found")
                .with_header("Location", &format!("https://oidc.test:{to}/fhir/metadata"))
        }),
    );
    let mut t = target("redirect", fhir_url(s.port));
    t.bearer = Some(Secret::new("stays-home"));
    let r = probe_one(t, &opts(&[s.port, to]));
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::HTTP_UNAUTHORIZED), "{r:#?}");
    assert!(
        f.detail_text()
            .contains("the BPE sends its Authorization header there as well; the probe did not"),
        "{}",
        f.detail_text()
    );

    // a circular redirect is refused, as HttpClient refuses it (CircularRedirectException)
    let s = servers::http_with_port(Some(good_tls()), |port| {
        Arc::new(move |r: &HttpReq| {
            let next = if r.path == "/fhir/metadata" {
                "/b"
            } else {
                "/fhir/metadata"
            };
            HttpResp::new(307, "text/html", "again")
                .with_header("Location", &format!("https://fhir.test:{port}{next}"))
        })
    });
    let r = probe_one(target("loop", fhir_url(s.port)), &opts(&[s.port]));
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::HTTP_REDIRECT));
    assert!(
        f.detail_text().contains("circular redirect"),
        "{}",
        f.detail_text()
    );
    assert_eq!(s.requests().len(), 2);

    // from plain http:// to https://: the same trust store verifies the hop
    let secure = fhir_server(Some(good_tls()), |_| true);
    let to = secure.port;
    let s = servers::http(
        None,
        Arc::new(move |_r: &HttpReq| {
            HttpResp::new(308, "text/html", "upgrade")
                .with_header("Location", &format!("https://fhir.test:{to}/fhir/metadata"))
        }),
    );
    let r = probe_one(
        target("upgrade", format!("http://fhir.test:{}/fhir", s.port)),
        &opts(&[s.port, to]),
    );
    assert!(r.ok, "{r:#?}");
    assert_eq!(secure.requests().len(), 1);

    // a 3xx HttpClient does not follow (300, or one without Location) is reported as it came
    let s = servers::http(
        Some(good_tls()),
        Arc::new(|_r: &HttpReq| HttpResp::new(302, "text/html", "nowhere")),
    );
    let r = probe_one(target("nowhere", fhir_url(s.port)), &opts(&[s.port]));
    assert_eq!(failure(&r).code, Some(&codes::HTTP_REDIRECT), "{r:#?}");
}

/// `client/oidc/OidcClientProviderImpl.java:121-124`: only the token cache needs `exp`; with
/// `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE=false` a token without it works.
#[test]
fn a_token_without_exp_fails_only_with_the_oidc_cache_on() {
    let knobs = || Knobs {
        exp_in: None,
        ..Knobs::default()
    };
    let iss = issuer::start(knobs());
    let fhir = fhir_server(Some(good_tls()), |r| {
        r.header("authorization")
            .is_some_and(|a| a.starts_with("Bearer ey"))
    });
    let mut o = opts(&[iss.server.port, fhir.port]);
    o.oidc_cache = false;
    let r = probe_one(oidc_target(&iss, fhir.port), &o);
    assert!(r.ok, "{r:#?}");
    let times = step_detail(&r, "oidc.token-times");
    assert!(times.contains("no `exp`"), "{times}");
    let (_, f) = oidc_failure(knobs(), |_| {});
    assert_eq!(f.code, Some(&codes::OIDC_TOKEN_NO_EXP));
    assert_eq!(f.server_outcome, Some(ServerOutcome::DoesNotStart));
}

/// `OidcClientJersey` posts the client id and secret to whatever `token_endpoint` names.
#[test]
fn a_token_endpoint_on_another_origin_is_named() {
    let r = oidc_probe(
        Knobs {
            token_elsewhere: true,
            ..Knobs::default()
        },
        |_| {},
    );
    assert!(r.ok, "{r:#?}");
    let d = step_detail(&r, "oidc.token-endpoint");
    assert!(
        d.contains("https://fhir.test:") && d.contains("another origin") && d.contains("secret"),
        "{d}"
    );
    let r = oidc_probe(Knobs::default(), |_| {});
    let d = step_detail(&r, "oidc.token-endpoint");
    assert!(!d.contains("another origin"), "{d}");
}

/// A `303 See Other` to the token POST is followed as HttpClient 4 follows it
/// (`DefaultRedirectStrategy`: a 303 for any method, as a GET without the form; `RedirectExec`
/// sends the original headers again, the Basic auth of the client included), here within the
/// token endpoint's origin; the GET's answer is the token response.
#[test]
fn a_303_to_the_token_request_is_followed_with_a_get() {
    let r = oidc_probe(
        Knobs {
            token_see_other: true,
            ..Knobs::default()
        },
        |_| {},
    );
    assert!(r.ok, "{r:#?}");
    let d = step_detail(&r, "oidc.token-request");
    assert!(
        d.contains("followed 303 See Other to")
            && d.contains("/realms/test/token-issued")
            && d.contains("a GET without the form"),
        "{d}"
    );
    assert!(d.contains("access token issued"), "{d}");
    assert!(!d.contains("another origin"), "{d}");
}

/// OIDC discovery is a GET of the same client: its redirects are followed too
/// (`dsf-common-oidc …/BaseOidcClientJersey.java:139`).
#[test]
fn oidc_discovery_follows_a_redirect() {
    let r = oidc_probe(Knobs::default(), |o| {
        o.discovery_path = "/moved-discovery".into()
    });
    assert!(r.ok, "{r:#?}");
    let d = step_detail(&r, "oidc.discovery");
    assert!(d.contains("followed 302 Found to"), "{d}");
}

/// `FhirConnectionTestClientJersey.java:136-139` appends `/` to base-url; Jersey's
/// `path("metadata")` extends the path and keeps the query, the `/` included.
#[test]
fn a_base_url_with_a_query_is_extended_as_jersey_extends_it() {
    let s = servers::http(
        Some(good_tls()),
        Arc::new(|r: &HttpReq| {
            if r.path == "/fhir/metadata?tenant=a/" {
                HttpResp::fhir(200, &capability())
            } else {
                HttpResp::new(404, "text/plain", "no")
            }
        }),
    );
    let url = format!("https://fhir.test:{}/fhir?tenant=a", s.port);
    let r = probe_one(target("query", url), &opts(&[s.port]));
    assert!(r.ok, "{r:#?}");
    assert_eq!(s.requests()[0].path, "/fhir/metadata?tenant=a/");
}

#[test]
fn a_200_that_is_not_a_capability_statement() {
    let s = servers::http(
        Some(good_tls()),
        Arc::new(|_r: &HttpReq| {
            HttpResp::new(
                200,
                "text/html",
                "<html><body>Welcome to nginx!</body></html>",
            )
        }),
    );
    let r = probe_one(target("html", fhir_url(s.port)), &opts(&[s.port]));
    let f = failure(&r);
    assert_eq!(f.name, "fhir.capability-statement");
    assert_eq!(f.code, Some(&codes::NOT_CAPABILITY_STATEMENT));
    assert!(
        f.detail_text().contains("Welcome to nginx"),
        "{}",
        f.detail_text()
    );
}

#[test]
fn refused_and_unresolvable() {
    let port = servers::closed_port();
    let r = probe_one(
        target("refused", format!("https://127.0.0.1:{port}/fhir")),
        &opts(&[]),
    );
    let f = failure(&r);
    assert_eq!(
        (f.name, f.code),
        ("fhir.tcp-connect", Some(&codes::CONNECT_REFUSED))
    );
    assert!(
        f.detail_text().contains(&format!("127.0.0.1:{port}")),
        "{}",
        f.detail_text()
    );

    let r = probe_one(
        target("dns", "https://nonexistent.invalid/fhir".into()),
        &opts(&[]),
    );
    let f = failure(&r);
    assert_eq!(
        (f.name, f.code),
        ("fhir.name-resolution", Some(&codes::DNS_FAILED))
    );
    assert!(
        f.detail_text()
            .contains("--resolve nonexistent.invalid:443:"),
        "{}",
        f.detail_text()
    );
}

#[test]
fn a_server_that_never_answers_is_cut_by_the_probe_timeout() {
    let port = servers::silent();
    let mut t = target("silent", format!("https://127.0.0.1:{port}/fhir"));
    t.read_timeout = Duration::from_secs(600);
    let mut o = opts(&[]);
    o.probe_timeout = Duration::from_millis(500);
    let r = probe_one(t, &o);
    let f = failure(&r);
    assert!(r.ended_by_probe_timeout);
    assert_eq!(
        (f.name, f.code),
        ("fhir.tls-handshake", Some(&codes::PROBE_TIMEOUT))
    );
    assert!(
        f.detail_text()
            .contains("the server would wait up to 10 min here (read-timeout)"),
        "{}",
        f.detail_text()
    );
    assert_eq!(r.server_outcome, ServerOutcome::Unknown);
}

/// Issue 15: the config's timeouts of zero (the server waits forever) do not turn the cap off,
/// and a zero cap (only a library caller can pass one) is the default 30 s, not none.
#[test]
fn timeouts_of_zero_are_still_cut_by_the_probe_timeout() {
    let port = servers::silent();
    let mut t = target("silent", format!("https://127.0.0.1:{port}/fhir"));
    t.read_timeout = Duration::ZERO;
    t.connect_timeout = Duration::ZERO;
    let mut o = opts(&[]);
    o.probe_timeout = Duration::from_millis(500);
    let started = std::time::Instant::now();
    let r = probe_one(t, &o);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(r.ended_by_probe_timeout);
    let f = failure(&r);
    assert!(
        f.detail_text()
            .contains("the server would wait forever here (read-timeout is 0)"),
        "{}",
        f.detail_text()
    );
    o.probe_timeout = Duration::ZERO;
    assert_eq!(o.cap(), Duration::from_secs(30));
}

#[test]
fn the_configured_read_timeout_ends_a_silent_server_first() {
    let port = servers::silent();
    let mut t = target("silent", format!("https://127.0.0.1:{port}/fhir"));
    t.read_timeout = Duration::from_millis(200);
    let r = probe_one(t, &opts(&[]));
    let f = failure(&r);
    assert!(!r.ended_by_probe_timeout);
    assert_eq!(f.code, Some(&codes::READ_TIMEOUT));
    assert!(
        f.detail_text().contains("200 ms (read-timeout)"),
        "{}",
        f.detail_text()
    );
}

#[test]
fn many_connections_one_silent_all_finish_in_input_order() {
    let s = fhir_server(Some(good_tls()), |_| true);
    let silent = servers::silent();
    let mut targets: Vec<ProbeTarget> = (0..20)
        .map(|i| target(&format!("c{i:02}"), fhir_url(s.port)))
        .collect();
    targets.insert(
        7,
        target("silent", format!("https://127.0.0.1:{silent}/fhir")),
    );
    let mut o = opts(&[s.port]);
    o.probe_timeout = Duration::from_millis(800);
    o.concurrency = 4;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    o.progress = Some(Arc::new(move |p: &probe::Progress| {
        seen2.lock().expect("progress").push((p.done, p.total));
    }));
    let results = probe::run(&targets, &o).expect("run");
    assert_eq!(results.len(), 21);
    assert_eq!(results[7].connection, "silent");
    assert!(results[7].ended_by_probe_timeout);
    assert_eq!(results.iter().filter(|r| r.ok).count(), 20);
    assert_eq!(results[0].connection, "c00");
    let seen = seen.lock().expect("progress");
    assert!(
        seen.contains(&(21, 21)),
        "progress reached the end: {seen:?}"
    );
    let line = probe::progress::progress_line(&probe::Progress {
        done: 3,
        total: 21,
        slowest: Some(("silent".into(), Duration::from_millis(1500))),
    });
    assert_eq!(line, "probing 3/21 done, slowest: silent (1.5 s)");
}

fn proxy_config(port: u16, creds: Option<(&str, &str)>, no_proxy: &str) -> ProxyConfig {
    let env = |name: &str| match name {
        "DEV_DSF_PROXY_URL" => Some(format!("http://127.0.0.1:{port}")),
        "DEV_DSF_PROXY_USERNAME" => creds.map(|c| c.0.to_string()),
        "DEV_DSF_PROXY_PASSWORD" => creds.map(|c| c.1.to_string()),
        "DEV_DSF_PROXY_NOPROXY" => Some(no_proxy.to_string()),
        _ => None,
    };
    ProxyConfig::from_env(&env)
        .expect("valid")
        .expect("configured")
}

#[test]
fn https_through_a_connect_proxy() {
    let s = fhir_server(Some(good_tls()), |_| true);
    let p = servers::proxy(None);
    let mut o = opts(&[s.port]);
    o.proxy = Some(proxy_config(p.port, None, "localhost"));
    let r = probe_one(target("proxied", fhir_url(s.port)), &o);
    assert!(r.ok, "{r:#?}");
    assert!(r.via_proxy);
    assert!(names(&r).contains(&"fhir.proxy-connect"));
    assert_eq!(p.seen(), [format!("CONNECT fhir.test:{} HTTP/1.1", s.port)]);
    assert!(human(&[r]).contains("FHIR via the proxy"));
}

#[test]
fn plain_http_through_the_proxy_uses_absolute_form() {
    let s = fhir_server(None, |_| true);
    let p = servers::proxy(None);
    let mut o = opts(&[]);
    o.proxy = Some(proxy_config(p.port, None, ""));
    let r = probe_one(
        target("plain", format!("http://fhir.test:{}/fhir", s.port)),
        &o,
    );
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        p.seen(),
        [format!(
            "GET http://fhir.test:{}/fhir/metadata HTTP/1.1",
            s.port
        )]
    );
}

#[test]
fn proxy_credentials_and_407() {
    let s = fhir_server(Some(good_tls()), |_| true);
    let p = servers::proxy(Some(("proxy-user", "proxy-pass-canary")));
    let mut o = opts(&[s.port]);
    o.proxy = Some(proxy_config(
        p.port,
        Some(("proxy-user", "proxy-pass-canary")),
        "",
    ));
    assert!(probe_one(target("ok", fhir_url(s.port)), &o).ok);

    o.proxy = Some(proxy_config(p.port, None, ""));
    let r = probe_one(target("no-creds", fhir_url(s.port)), &o);
    let f = failure(&r);
    assert_eq!(
        (f.name, f.code),
        ("fhir.proxy-connect", Some(&codes::PROXY_AUTH))
    );
    assert!(
        f.detail_text().contains("no credentials were offered"),
        "{}",
        f.detail_text()
    );

    o.proxy = Some(proxy_config(
        p.port,
        Some(("proxy-user", "wrong-proxy-pass")),
        "",
    ));
    let r = probe_one(target("bad-creds", fhir_url(s.port)), &o);
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::PROXY_AUTH));
    assert!(
        f.detail_text().contains("user `proxy-user`"),
        "{}",
        f.detail_text()
    );
    let out = human(std::slice::from_ref(&r)) + &serde_json::to_string(&r).expect("json");
    assert!(!out.contains("wrong-proxy-pass") && !out.contains("proxy-pass-canary"));
}

#[test]
fn no_proxy_entries_bypass_the_proxy() {
    let s = fhir_server(Some(good_tls()), |_| true);
    let p = servers::proxy(None);
    let mut o = opts(&[s.port]);
    for list in ["fhir.test", &format!("fhir.test:{}", s.port), "test", "*"] {
        o.proxy = Some(proxy_config(p.port, None, list));
        let r = probe_one(target("direct", fhir_url(s.port)), &o);
        assert!(r.ok && !r.via_proxy, "{list}: {r:#?}");
    }
    assert!(p.seen().is_empty(), "{:?}", p.seen());
}

// ---- OIDC ----

fn oidc_target(iss: &issuer::Issuer, fhir_port: u16) -> ProbeTarget {
    let mut t = target("oidc", fhir_url(fhir_port));
    t.oidc = Some(OidcTarget {
        base_url: iss.base_url.clone(),
        discovery_path: "/.well-known/openid-configuration".into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new("oidc-client-secret"),
        required_audience: vec!["fhir-server".into()],
        verify_authorized_party: true,
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(10),
        trust: trust_root(),
        leeway: Duration::from_secs(10),
    });
    t
}

/// Probe a connection with OIDC against an issuer with these knobs and a FHIR server that
/// wants a JWT bearer token.
fn oidc_probe(knobs: Knobs, change: impl FnOnce(&mut OidcTarget)) -> ProbeResult {
    let iss = issuer::start(knobs);
    let fhir = fhir_server(Some(good_tls()), |r| {
        r.header("authorization")
            .is_some_and(|a| a.starts_with("Bearer ey"))
    });
    let mut t = oidc_target(&iss, fhir.port);
    if let Some(o) = t.oidc.as_mut() {
        change(o);
    }
    probe_one(t, &opts(&[iss.server.port, fhir.port]))
}

#[test]
fn oidc_success_with_every_signature_algorithm() {
    for alg in [
        Alg::Rs256,
        Alg::Rs384,
        Alg::Rs512,
        Alg::Es256,
        Alg::Es384,
        Alg::Es512,
    ] {
        let r = oidc_probe(
            Knobs {
                alg,
                ..Knobs::default()
            },
            |_| {},
        );
        assert!(r.ok, "{alg:?}: {r:#?}");
        assert_eq!(r.oidc_via_proxy, Some(false));
        let sig = r
            .steps
            .iter()
            .find(|s| s.name == "oidc.token-signature")
            .expect("signature step");
        assert_eq!(sig.detail_text(), format!("{} signature valid", alg.name()));
        if alg == Alg::Rs256 {
            assert_eq!(
                names(&r),
                [
                    "oidc.name-resolution",
                    "oidc.tcp-connect",
                    "oidc.tls-handshake",
                    "oidc.discovery",
                    "oidc.issuer",
                    "oidc.jwks",
                    "oidc.grant-type",
                    "oidc.token-endpoint",
                    "oidc.token-request",
                    "oidc.token-key",
                    "oidc.token-signature",
                    "oidc.token-times",
                    "oidc.token-audience",
                    "oidc.token-authorized-party",
                    "fhir.name-resolution",
                    "fhir.tcp-connect",
                    "fhir.tls-handshake",
                    "fhir.http-status",
                    "fhir.capability-statement",
                ]
            );
        }
    }
}

/// Run one broken OIDC setup; returns the failed step.
fn oidc_failure(knobs: Knobs, change: impl FnOnce(&mut OidcTarget)) -> (ProbeResult, ProbeStep) {
    let r = oidc_probe(knobs, change);
    let f = failure(&r).clone();
    assert_eq!(
        r.server_outcome,
        f.server_outcome.expect("outcome of a failure")
    );
    (r, f)
}

#[test]
fn oidc_failures_that_stop_the_bpe() {
    let cases: Vec<(Knobs, &str, &codes::ProbeCode, &str)> = vec![
        (
            Knobs {
                discovery_status: 404,
                ..Knobs::default()
            },
            "oidc.discovery",
            &codes::OIDC_DISCOVERY_STATUS,
            "404",
        ),
        (
            Knobs {
                issuer: Some("https://elsewhere/realms/test".into()),
                ..Knobs::default()
            },
            "oidc.issuer",
            &codes::OIDC_ISSUER_MISMATCH,
            "set oidc-auth base-url to `https://elsewhere/realms/test`",
        ),
        (
            Knobs {
                jwks_scheme: "http",
                ..Knobs::default()
            },
            "oidc.jwks",
            &codes::OIDC_JWKS_URI,
            "https://",
        ),
        (
            Knobs {
                duplicate_kid: true,
                ..Knobs::default()
            },
            "oidc.jwks",
            &codes::OIDC_JWKS_INVALID,
            "two keys have the kid `key-1`",
        ),
        (
            Knobs {
                jwk_use: None,
                ..Knobs::default()
            },
            "oidc.token-key",
            &codes::OIDC_KEY_UNUSABLE,
            "no `use`",
        ),
        (
            Knobs {
                small_rsa: true,
                ..Knobs::default()
            },
            "oidc.token-key",
            &codes::OIDC_KEY_UNUSABLE,
            "1024 bits",
        ),
        (
            Knobs {
                jwk_alg: Some(""),
                ..Knobs::default()
            },
            "oidc.token-key",
            &codes::OIDC_KEY_UNUSABLE,
            "no `alg`",
        ),
        (
            Knobs {
                exp_in: None,
                ..Knobs::default()
            },
            "oidc.token-times",
            &codes::OIDC_TOKEN_NO_EXP,
            "no `exp`",
        ),
    ];
    for (knobs, step, code, text) in cases {
        let (r, f) = oidc_failure(knobs, |_| {});
        assert_eq!((f.name, f.code), (step, Some(code)), "{r:#?}");
        assert!(
            f.detail_text().contains(text),
            "{code}: {}",
            f.detail_text()
        );
        assert_eq!(r.server_outcome, ServerOutcome::DoesNotStart, "{code}");
    }
}

#[test]
fn oidc_issuer_with_trailing_slash() {
    // the server strips one trailing `/` from base-url: an issuer ending in `/` never matches
    let (_, f) = oidc_failure(
        Knobs {
            issuer_suffix: "/",
            ..Knobs::default()
        },
        |_| {},
    );
    assert_eq!(f.code, Some(&codes::OIDC_ISSUER_MISMATCH));
    assert!(
        f.detail_text().contains("never matches"),
        "{}",
        f.detail_text()
    );
}

#[test]
fn oidc_failures_that_are_only_logged() {
    let cases: Vec<(Knobs, &str, &codes::ProbeCode, &str)> = vec![
        (
            Knobs {
                grant_types: vec!["authorization_code"],
                ..Knobs::default()
            },
            "oidc.grant-type",
            &codes::OIDC_GRANT_TYPE,
            "client_credentials is missing",
        ),
        (
            Knobs {
                token_endpoint_scheme: "http",
                ..Knobs::default()
            },
            "oidc.token-endpoint",
            &codes::OIDC_TOKEN_ENDPOINT,
            "https://",
        ),
        (
            Knobs {
                client_secret: "another-secret".into(),
                ..Knobs::default()
            },
            "oidc.token-request",
            &codes::OIDC_TOKEN_STATUS,
            "invalid_client (client authentication failed)",
        ),
        (
            Knobs {
                opaque: true,
                ..Knobs::default()
            },
            "oidc.token-key",
            &codes::OIDC_TOKEN_NOT_JWT,
            "not a JWT",
        ),
        (
            Knobs {
                token_kid: None,
                ..Knobs::default()
            },
            "oidc.token-key",
            &codes::OIDC_TOKEN_NO_KID,
            "no `kid`",
        ),
        (
            Knobs {
                token_kid: Some("key-2"),
                ..Knobs::default()
            },
            "oidc.token-key",
            &codes::OIDC_KEY_NOT_FOUND,
            "kid `key-2` is not in the JWKS",
        ),
        (
            Knobs {
                jwk_use: Some("enc"),
                ..Knobs::default()
            },
            "oidc.token-key",
            &codes::OIDC_KEY_NOT_FOUND,
            "use `enc`",
        ),
        (
            Knobs {
                token_alg: Some("RS384"),
                ..Knobs::default()
            },
            "oidc.token-key",
            &codes::OIDC_ALG_MISMATCH,
            "signed with `RS384`",
        ),
        (
            Knobs {
                tamper: true,
                ..Knobs::default()
            },
            "oidc.token-signature",
            &codes::OIDC_SIGNATURE,
            "does not verify",
        ),
        (
            Knobs {
                alg: Alg::Es512,
                tamper: true,
                ..Knobs::default()
            },
            "oidc.token-signature",
            &codes::OIDC_SIGNATURE,
            "does not verify",
        ),
        (
            Knobs {
                exp_in: Some(-60),
                ..Knobs::default()
            },
            "oidc.token-times",
            &codes::OIDC_TOKEN_EXPIRED,
            "expired at",
        ),
        (
            Knobs {
                iat_in: 120,
                ..Knobs::default()
            },
            "oidc.token-times",
            &codes::OIDC_TOKEN_NOT_YET_VALID,
            "in the future",
        ),
        (
            Knobs {
                aud: json!("account"),
                ..Knobs::default()
            },
            "oidc.token-audience",
            &codes::OIDC_AUDIENCE,
            "fhir-server missing",
        ),
        (
            Knobs {
                azp: Some("someone-else".into()),
                ..Knobs::default()
            },
            "oidc.token-authorized-party",
            &codes::OIDC_AUTHORIZED_PARTY,
            "azp is `someone-else`",
        ),
        (
            Knobs {
                azp: None,
                ..Knobs::default()
            },
            "oidc.token-authorized-party",
            &codes::OIDC_AUTHORIZED_PARTY,
            "azp is missing",
        ),
    ];
    for (knobs, step, code, text) in cases {
        let (r, f) = oidc_failure(knobs, |_| {});
        assert_eq!((f.name, f.code), (step, Some(code)), "{r:#?}");
        assert!(
            f.detail_text().contains(text),
            "{code}: {}",
            f.detail_text()
        );
        assert_eq!(r.server_outcome, ServerOutcome::Logged, "{code}");
        // no FHIR request without a token
        assert!(!names(&r).contains(&"fhir.http-status"));
    }
}

#[test]
fn oidc_failures_show_the_token_claims_never_the_token() {
    let (r, f) = oidc_failure(
        Knobs {
            aud: json!(["account"]),
            ..Knobs::default()
        },
        |_| {},
    );
    assert!(
        f.detail_text().contains("iss=https://oidc.test:"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text().contains("aud=[account]") && f.detail_text().contains("azp=bpe-client"),
        "{}",
        f.detail_text()
    );
    assert!(
        f.detail_text().contains("scope=fhir") && f.detail_text().contains("exp=20"),
        "{}",
        f.detail_text()
    );
    let out = human(std::slice::from_ref(&r)) + &serde_json::to_string(&r).expect("json");
    assert!(!out.contains("eyJ"), "a JWT leaked: {out}");
}

#[test]
fn oidc_options_change_the_checks() {
    // azp not verified when switched off; several required audiences must all be present
    let r = oidc_probe(
        Knobs {
            azp: None,
            ..Knobs::default()
        },
        |o| o.verify_authorized_party = false,
    );
    assert!(r.ok, "{r:#?}");
    let (_, f) = oidc_failure(Knobs::default(), |o| {
        o.required_audience = vec!["fhir-server".into(), "other".into(), "third".into()]
    });
    assert_eq!(f.code, Some(&codes::OIDC_AUDIENCE));
    assert!(
        f.detail_text().contains("third missing") && !f.detail_text().contains("other missing"),
        "{}",
        f.detail_text()
    );
    // a larger leeway accepts a token from a clock 2 min ahead
    let r = oidc_probe(
        Knobs {
            iat_in: 120,
            ..Knobs::default()
        },
        |o| o.leeway = Duration::from_secs(180),
    );
    assert!(r.ok, "{r:#?}");
}

#[test]
fn oidc_trust_store_is_its_own() {
    let (r, f) = oidc_failure(Knobs::default(), |o| o.trust = trust_other());
    assert_eq!(
        (f.name, f.code),
        ("oidc.tls-handshake", Some(&codes::TLS_UNKNOWN_ISSUER))
    );
    assert_eq!(r.server_outcome, ServerOutcome::DoesNotStart);
}

#[test]
fn oidc_timeouts_are_swapped_as_the_server_does() {
    let port = servers::silent();
    let mut t = target("oidc-silent", fhir_url(1));
    t.oidc = Some(OidcTarget {
        base_url: format!("https://127.0.0.1:{port}"),
        discovery_path: "/.well-known/openid-configuration".into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new("x-secret"),
        required_audience: vec![],
        verify_authorized_party: true,
        // the server uses the connect timeout as read timeout
        connect_timeout: Duration::from_millis(200),
        read_timeout: Duration::from_secs(600),
        trust: trust_root(),
        leeway: Duration::from_secs(10),
    });
    let r = probe_one(t, &opts(&[]));
    let f = failure(&r);
    assert_eq!(
        (f.name, f.code),
        ("oidc.tls-handshake", Some(&codes::READ_TIMEOUT))
    );
    assert!(
        f.detail_text()
            .contains("oidc-auth connect-timeout, which the server uses as read timeout"),
        "{}",
        f.detail_text()
    );
    assert_eq!(r.server_outcome, ServerOutcome::DoesNotStart);
}

#[test]
fn oidc_through_the_proxy_is_decided_by_the_oidc_base_url() {
    let iss = issuer::start(Knobs::default());
    let fhir = fhir_server(Some(good_tls()), |_| true);
    let p = servers::proxy(None);
    let mut o = opts(&[iss.server.port, fhir.port]);
    // the FHIR server is exempt, the OIDC provider is not
    o.proxy = Some(proxy_config(p.port, None, "fhir.test"));
    let r = probe_one(oidc_target(&iss, fhir.port), &o);
    assert!(r.ok, "{r:#?}");
    assert_eq!((r.via_proxy, r.oidc_via_proxy), (false, Some(true)));
    // discovery, JWKS and token all went through the proxy
    let connect = format!("CONNECT oidc.test:{} HTTP/1.1", iss.server.port);
    assert_eq!(p.seen(), [connect.clone(), connect.clone(), connect]);
    assert!(human(&[r]).contains("OIDC via the proxy"));
}

// ---- secrets ----

#[test]
fn secret_canaries_never_appear_in_any_output() {
    // a server that echoes the Authorization header back, as a misconfigured one might
    let echo = servers::http(
        Some(good_tls()),
        Arc::new(|r: &HttpReq| {
            HttpResp::new(
                500,
                "text/plain",
                format!("cannot handle {:?}", r.header("authorization")),
            )
        }),
    );
    let iss = issuer::start(Knobs {
        aud: json!("nope"),
        ..Knobs::default()
    });
    let p = servers::proxy(Some(("pu", "canary-proxy-password")));
    let mut basic = target(
        "basic",
        format!(
            "https://canary-user:canary-url-password@fhir.test:{}/fhir",
            echo.port
        ),
    );
    basic.basic = Some(BasicCredentials {
        username: "user".into(),
        password: Secret::new("canary-basic-password"),
    });
    let mut bearer = target("bearer", fhir_url(echo.port));
    bearer.bearer = Some(Secret::new("canary-bearer-token"));
    let mut oidc = oidc_target(&iss, echo.port);
    if let Some(o) = oidc.oidc.as_mut() {
        o.client_secret = Secret::new("canary-client-secret");
    }
    let mut o = opts(&[echo.port, iss.server.port]);
    o.proxy = Some(proxy_config(
        p.port,
        Some(("pu", "canary-proxy-password")),
        "",
    ));
    let results = probe::run(&[basic, bearer, oidc], &o).expect("run");
    assert!(results.iter().all(|r| !r.ok), "{results:#?}");
    let out = format!(
        "{}{}{results:?}",
        human(&results),
        serde_json::to_string(&results).expect("json")
    );
    for canary in [
        "canary-basic-password",
        "canary-bearer-token",
        "canary-client-secret",
        "canary-proxy-password",
        "canary-url-password",
        "eyJ",
    ] {
        assert!(!out.contains(canary), "{canary} leaked:\n{out}");
    }
    // the echo was seen and masked, not dropped (the scheme stays: it is no secret)
    for masked in ["Basic ****", "Bearer ****"] {
        assert!(
            out.contains(&format!("cannot handle Some(\\\"{masked}\\\")"))
                || out.contains(&format!("cannot handle Some(\"{masked}\")")),
            "{masked}: {out}"
        );
    }
}

/// PEM of a DER certificate.
fn pem_cert(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// The whole command line, end to end: `check --test-connections` on a config naming a real
/// TLS server (through `--resolve`), with the exit code and JSON a CI job reads.
#[test]
fn check_test_connections_end_to_end() {
    let s = fhir_server(Some(good_tls()), |r| {
        r.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v == "Bearer CANARYe2e")
    });
    let dir = crate::util::temp_dir("probe-e2e");
    let ca = dir.join("root.pem");
    std::fs::write(&ca, pem_cert(&PKI.root.der)).expect("write ca");
    let config = format!(
        "ok:\n  base-url: https://fhir.test:{port}/fhir\n  test-connection-on-startup: yes\n  trusted-root-certificates-file: {ca}\n  bearer-auth:\n    token: CANARYe2e\n\
         down:\n  base-url: https://fhir.test:{closed}/fhir\n  trusted-root-certificates-file: {ca}\n\
         broken:\n  base-url: https://fhir.test:{port}/fhir\n  read-timeout: 5s\n",
        port = s.port,
        closed = servers::closed_port(),
        ca = ca.display()
    );
    let path = dir.join("c.yaml");
    std::fs::write(&path, &config).expect("write config");
    let p = path.display().to_string();
    let resolve = format!("fhir.test:{}:127.0.0.1", s.port);
    let resolve_closed = format!("fhir.test:{}:127.0.0.1", servers::closed_port());
    let run = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--test-connections",
            "--resolve",
            &resolve,
            "--resolve",
            &resolve_closed,
        ];
        args.extend_from_slice(extra);
        args.push(&p);
        crate::util::run(&args, None, &[])
    };
    // the broken connection is not probed; the config has an error: exit 1
    let out = run(&["--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["not_probed"][0]["connection"], "broken");
    assert_eq!(json["probes"][0]["connection"], "ok");
    assert_eq!(json["probes"][0]["ok"], true, "{}", json["probes"]);
    assert_eq!(json["probes"][0]["server_outcome"], "ok");
    assert_eq!(json["probes"][1]["ok"], false);
    assert!(
        json["probes"][1]["steps"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["code"].is_string()))
    );
    assert!(!out.stdout.contains("CANARYe2e"));
    // --connection restricts checking and probing: only `ok`, which works: exit 0
    let out = run(&["--connection", "ok"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("ok: ok in"), "{}", out.stdout);
    assert!(!out.stdout.contains("CANARYe2e"));
    // a probe failed in a valid config: exit 3
    let out = run(&["--connection", "down", "--format", "json"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    // an unknown id is a usage error
    let out = run(&["--connection", "nope"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // probes need the files the config names
    let out = crate::util::run(
        &["check", "--test-connections", "--skip-file-checks", &p],
        None,
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("drop --skip-file-checks"),
        "{}",
        out.stderr
    );
}

/// `check --test-connections` where nothing could be probed has not passed: exit 3, and a
/// summary that says nothing was probed and why, in every format (also with `--quiet`).
#[test]
fn nothing_probed_fails_the_smoke_check() {
    let dir = crate::util::temp_dir("nothing-probed");
    let path = dir.join("c.yaml");
    // both on the default trust store, which is not on this machine
    std::fs::write(
        &path,
        "a:\n  base-url: https://fhir.test/fhir\nb:\n  base-url: https://fhir.test/x\n",
    )
    .expect("write");
    let p = path.display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "--test-connections"];
        args.extend_from_slice(extra);
        args.push(&p);
        crate::util::run(&args, None, &[])
    };
    let why = "probes: nothing was probed, none of the 2 connections could be: its trust store \
               is the default one, ca/server_root_cas (the server's built-in default: the \
               connection has no trusted-root-certificates-file), and there is no file or folder \
               ca/server_root_cas on this machine (relative to the current directory)";
    let human = run(&[]);
    assert_eq!(human.code, 3, "{}", human.stdout);
    assert!(
        !human.stdout.lines().any(|l| l.starts_with("ok:")),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .lines()
            .any(|l| l == format!("not ok: no problems in 2 connections; {why}")),
        "{}",
        human.stdout
    );
    let quiet = run(&["--quiet"]);
    assert_eq!(quiet.code, 3);
    assert_eq!(quiet.stdout, format!("{why}\n"));
    for format in ["concise", "github"] {
        let out = run(&["--format", format]);
        assert_eq!(out.code, 3, "{format}");
        assert_eq!(
            out.stdout.lines().last(),
            Some(format!("dsf-connections: no problems in 2 connections; {why}").as_str()),
            "{format}: {}",
            out.stdout
        );
    }
    let github = run(&["--format", "github"]);
    assert!(
        github
            .stdout
            .starts_with(&format!("::error title=dsf-connections probe::{why}\n")),
        "{}",
        github.stdout
    );
    let concise = run(&["--format", "concise", "--quiet"]);
    assert_eq!(concise.stdout, format!("dsf-connections: {why}\n"));
    let sarif = run(&["--format", "sarif"]);
    assert_eq!(sarif.code, 3);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("sarif");
    let n = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(n["message"]["text"], why);
    assert_eq!(run(&["--format", "json"]).code, 3);
    // documented where exit codes are
    let help = crate::util::run(&["check", "--help"], None, &[]);
    assert!(
        help.stdout
            .contains("or no connection could be tested\n     at all"),
        "{}",
        help.stdout
    );
    // a config without connections: nothing to probe is no pass either
    let empty = crate::util::run(&["check", "--test-connections", "-"], Some(b"{}\n"), &[]);
    assert_eq!(empty.code, 3, "{}", empty.stdout);
    assert!(
        empty.stdout.contains(
            "not ok: no problems in no connections; probes: nothing was probed: there is no connection to probe"
        ),
        "{}",
        empty.stdout
    );
}

/// After probes the summary says what failed, in each format's summary; `ok` only when the
/// config and every probe are fine.
#[test]
fn the_summary_names_the_failed_probes() {
    let s = fhir_server(None, |_| true);
    let closed = servers::closed_port();
    let dir = crate::util::temp_dir("probe-summary");
    let path = dir.join("c.yaml");
    std::fs::write(
        &path,
        format!(
            "up:\n  base-url: http://127.0.0.1:{port}/fhir\n\
             down-1:\n  base-url: http://127.0.0.1:{closed}/fhir\n\
             up-2:\n  base-url: http://127.0.0.1:{port}/fhir\n\
             down-2:\n  base-url: http://127.0.0.1:{closed}/x\n\
             tls:\n  base-url: https://fhir.test/fhir\n",
            port = s.port
        ),
    )
    .expect("write");
    let p = path.display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "--test-connections"];
        args.extend_from_slice(extra);
        args.push(&p);
        crate::util::run(&args, None, &[])
    };
    let failed = "probes: 2 of 4 connections failed (down-1, down-2), 1 not probed";
    let human = run(&[]);
    assert_eq!(human.code, 3, "{}", human.stdout);
    assert!(
        human
            .stdout
            .lines()
            .any(|l| l == format!("not ok: no problems in 5 connections; {failed}")),
        "{}",
        human.stdout
    );
    assert!(
        !human.stdout.lines().any(|l| l.starts_with("ok:")),
        "{}",
        human.stdout
    );
    for format in ["concise", "github"] {
        let out = run(&["--format", format]);
        assert_eq!(out.code, 3);
        assert_eq!(
            out.stdout.lines().last(),
            Some(format!("dsf-connections: no problems in 5 connections; {failed}").as_str()),
            "{format}: {}",
            out.stdout
        );
    }
    // only the connections that work: ok, and says so
    let ok = run(&["--connection", "up", "--connection", "up-2"]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(
        ok.stdout
            .lines()
            .any(|l| l == "ok: no problems in 2 connections; probes: all 2 connections ok"),
        "{}",
        ok.stdout
    );
}

/// A connection on the default trust store that is not on this machine is not probed, with a
/// reason in plain words: which file, why it could not be read, and the three ways to fix it;
/// the same for an OIDC provider's trust store.
#[test]
fn not_probed_for_the_default_trust_store_says_which_file_and_the_fix() {
    let dir = crate::util::temp_dir("not-probed-trust");
    let path = dir.join("c.yaml");
    std::fs::write(
        &path,
        "fhir:\n  base-url: https://fhir.test/fhir\n\
         oidc:\n  base-url: https://fhir.test/fhir\n  trusted-root-certificates-file: /run/secrets/root_ca.crt\n  oidc-auth:\n    base-url: https://oidc.test/\n    client-id: c\n    client-secret: s3cret-of-the-test\n",
    )
    .expect("write");
    let p = path.display().to_string();
    let out = crate::util::run(
        &[
            "check",
            "--test-connections",
            "--path-map",
            "/run/secrets=fixtures/secrets",
            &p,
        ],
        None,
        &[],
    );
    let var = "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS";
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("- ") && l.contains(": not probed: "))
        .collect();
    assert_eq!(
        lines,
        [
            format!(
                "- fhir: not probed: its trust store is the default one, ca/server_root_cas (the \
                 server's built-in default: the connection has no trusted-root-certificates-file), \
                 and there is no file or folder ca/server_root_cas on this machine (relative to \
                 the current directory); to probe it, check a copy of it here with --path-map \
                 ca/server_root_cas=PATH, set ${var} to a PEM file of its CA certificates, or give \
                 the connection a trusted-root-certificates-file"
            ),
            format!(
                "- oidc: not probed: its oidc-auth's trust store is the default one, \
                 ca/server_root_cas (the server's built-in default: its oidc-auth has no \
                 trusted-root-certificates-file), and there is no file or folder \
                 ca/server_root_cas on this machine (relative to the current directory); to probe \
                 it, check a copy of it here with --path-map ca/server_root_cas=PATH, set ${var} \
                 to a PEM file of its CA certificates, or give its oidc-auth a \
                 trusted-root-certificates-file"
            ),
        ],
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("the trust store the"),
        "{}",
        out.stdout
    );
}

/// A compose service's probes go through its own `DEV_DSF_PROXY_*` (issue 9); a config given
/// directly in the same run uses the tool's environment (here: no proxy).
#[test]
fn a_compose_service_probes_through_its_own_proxy() {
    let s = fhir_server(None, |_| true);
    let p = servers::proxy(None);
    let dir = crate::util::temp_dir("compose-proxy");
    let compose = format!(
        "services:\n  bpe:\n    environment:\n      DEV_DSF_PROXY_URL: http://127.0.0.1:{}\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        via-proxy:\n          base-url: http://fhir.test:{}/fhir\n          test-connection-on-startup: yes\n",
        p.port, s.port
    );
    let config = format!(
        "direct:\n  base-url: http://127.0.0.1:{}/fhir\n  test-connection-on-startup: yes\n",
        s.port
    );
    let compose_file = dir.join("docker-compose.yml");
    let config_file = dir.join("config.yaml");
    std::fs::write(&compose_file, compose).expect("write");
    std::fs::write(&config_file, config).expect("write");
    let out = crate::util::run(
        &[
            "check",
            "--format",
            "json",
            "--test-connections",
            &compose_file.display().to_string(),
            &config_file.display().to_string(),
        ],
        None,
        &[],
    );
    let (code, json) = crate::util::json_of(out);
    assert_eq!(code, 0, "{json:#}");
    let probes = json["probes"].as_array().expect("probes");
    assert_eq!(probes.len(), 2, "{json:#}");
    assert_eq!(
        p.seen(),
        [format!(
            "GET http://fhir.test:{}/fhir/metadata HTTP/1.1",
            s.port
        )]
    );
    let _ = std::fs::remove_dir_all(dir);
}

// ---- hostile servers: echoed secrets in any shape, endless and dribbled bodies ----

/// The secrets of the echo tests: no 6 characters of any of them occur in the tool's own words.
const ECHO_TOKEN: &str = "Q7x9-Vf2Kp.L8mZr4Wt_s";
const ECHO_USER: &str = "bpe";
const ECHO_PASSWORD: &str = "Jm4&Tq9 zR/x+P2w%Kv";
const ECHO_CLIENT_SECRET: &str = "Hs8 k/Q3+z&Wp5=Rn9 Yv";

/// Everything a user may see of these results: human, JSON, Debug, and the details as they are.
fn all_output(results: &[ProbeResult]) -> String {
    let details: Vec<String> = results
        .iter()
        .flat_map(|r| r.steps.iter().map(|s| s.detail_text()))
        .collect();
    format!(
        "{}\n{}\n{results:?}\n{}",
        human(results),
        serde_json::to_string(results).expect("json"),
        details.join("\n")
    )
}

/// Neither `secret` nor any piece of `min` characters of it is in `out`.
fn assert_no_fragments(out: &str, secret: &str, min: usize) {
    let chars: Vec<char> = secret.chars().collect();
    for w in chars.windows(min.min(chars.len())) {
        let piece: String = w.iter().collect();
        assert!(
            !out.contains(&piece),
            "`{piece}` of `{secret}` leaked:\n{out}"
        );
    }
}

/// `s` with `sep` after every `n` characters.
fn interleave(s: &str, n: usize, sep: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(n)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(sep)
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn form_encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// How an echo server answers, given the request's Authorization header.
type Answer = Box<dyn Fn(&str) -> HttpResp + Send + Sync>;

/// A FHIR server at `/fhir` answering every metadata request with `answer(authorization)`.
fn echo_server(answer: impl Fn(&str) -> HttpResp + Send + Sync + 'static) -> servers::Server {
    servers::http(
        Some(good_tls()),
        Arc::new(move |r: &HttpReq| answer(r.header("authorization").unwrap_or(""))),
    )
}

/// Each failed, and its failed step shows a mask (the echo arrived and was masked, not lost).
fn assert_masked_failures(results: &[ProbeResult]) {
    for r in results {
        let f = failure(r);
        assert!(f.detail_text().contains("****"), "{}: {r:#?}", r.connection);
    }
}

#[test]
fn a_bearer_token_echoed_with_control_characters_or_cut_is_masked() {
    let token = || ECHO_TOKEN.to_string();
    let answers: Vec<Answer> = vec![
        // newlines, carriage returns, tabs, NUL and spaces inside the token
        Box::new(move |_| HttpResp::new(401, "text/plain", interleave(&token(), 3, "\n"))),
        Box::new(move |_| {
            HttpResp::new(
                401,
                "text/plain",
                format!("bad token <{}>", interleave(&token(), 4, "\r\n\t \u{0}  ")),
            )
        }),
        // terminal escapes: invisible on a terminal, the token looks whole there
        Box::new(move |_| {
            HttpResp::new(
                500,
                "text/plain",
                format!("x {} y", interleave(&token(), 5, "\u{1b}[1;31m")),
            )
        }),
        // in WWW-Authenticate with a tab and spaces, and in an OperationOutcome with JSON escapes
        Box::new(move |_| {
            let diagnostics = format!("token {} is unknown", interleave(&token(), 6, "\n\u{1}"));
            HttpResp::fhir(
                401,
                &json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error",
                    "code": "login", "diagnostics": diagnostics}]}),
            )
            .with_header(
                "WWW-Authenticate",
                &format!(
                    "Bearer error=\"invalid_token\", error_description=\"{}\"",
                    interleave(&token(), 7, "\t ")
                ),
            )
        }),
        // the whole token, where the 200-character cut of the body falls inside it
        Box::new(move |_| {
            HttpResp::new(
                500,
                "text/plain",
                format!("{}{} trailing words", "w".repeat(190), token()),
            )
        }),
        // a body that ends inside the token (cut by the server, or by a body cap)
        Box::new(move |_| {
            HttpResp::new(
                500,
                "text/plain",
                format!("{}{}", "v".repeat(150), &token()[..12]),
            )
        }),
        // XML with character references, as a 200 that is no CapabilityStatement
        Box::new(move |_| {
            let t = token();
            let xml = format!(
                "<error><token>{}&#{};{}</token></error>",
                &t[..5],
                u32::from(t.as_bytes()[5]),
                &t[6..]
            );
            HttpResp::new(200, "application/xml", xml)
        }),
        // percent-encoded in a redirect's Location
        Box::new(move |_| {
            HttpResp::new(302, "text/plain", "").with_header(
                "Location",
                &format!(
                    "https://login.test/?t={}%0A",
                    token().replace('-', "%2D").replace('.', "%2e")
                ),
            )
        }),
        // JSON escapes in a plain JSON error
        Box::new(move |_| {
            let t = token();
            let escaped: String = t
                .chars()
                .map(|c| format!("\\u{:04x}", u32::from(c)))
                .collect();
            HttpResp::new(
                403,
                "application/json",
                format!("{{\"error\": \"forbidden\", \"token\": \"{escaped}\"}}"),
            )
        }),
    ];
    let servers: Vec<servers::Server> = answers
        .into_iter()
        .map(|a| echo_server(move |auth| a(auth)))
        .collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let targets: Vec<ProbeTarget> = servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut t = target(&format!("echo-{i}"), fhir_url(s.port));
            t.bearer = Some(Secret::new(ECHO_TOKEN));
            t
        })
        .collect();
    let results = probe::run(&targets, &opts(&ports)).expect("run");
    assert_masked_failures(&results);
    for s in &servers {
        assert_eq!(
            s.requests()[0].header("authorization"),
            Some(format!("Bearer {ECHO_TOKEN}").as_str())
        );
    }
    let out = all_output(&results);
    assert_no_fragments(&out, ECHO_TOKEN, 6);
    // the cut still shows the text around the mask
    let cut = &failure(&results[4]).detail_text();
    assert!(cut.contains("www****"), "{cut}");
    assert!(
        failure(&results[1])
            .detail_text()
            .contains("bad token <****>"),
        "{}",
        failure(&results[1]).detail_text()
    );
}

#[test]
fn basic_credentials_echoed_as_base64_or_encoded_are_masked() {
    let sent = base64(format!("{ECHO_USER}:{ECHO_PASSWORD}").as_bytes());
    let answers: Vec<Answer> = vec![
        // the base64 alone, as a server logging the header would
        Box::new(|auth| {
            let b64 = auth.strip_prefix("Basic ").unwrap_or(auth).to_string();
            HttpResp::new(401, "text/plain", format!("credentials {b64} rejected"))
        }),
        // wrapped in lines, MIME style
        Box::new(|auth| {
            let b64 = auth.strip_prefix("Basic ").unwrap_or(auth);
            HttpResp::new(401, "text/plain", interleave(b64, 8, "\r\n"))
        }),
        // the whole header, where the 200-character cut falls inside it
        Box::new(|auth| {
            HttpResp::new(
                500,
                "text/plain",
                format!("{}Authorization: {auth}", "u".repeat(170)),
            )
        }),
        // URL-safe base64 without padding, in an OperationOutcome
        Box::new(|auth| {
            let b64 = auth
                .strip_prefix("Basic ")
                .unwrap_or(auth)
                .trim_end_matches('=')
                .replace('+', "-")
                .replace('/', "_");
            HttpResp::fhir(
                403,
                &json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error",
                    "code": "forbidden", "diagnostics": format!("not allowed: {b64}")}]}),
            )
        }),
        // the password itself, form-encoded and JSON-escaped
        Box::new(|_| {
            HttpResp::new(
                401,
                "text/plain",
                format!(
                    "password={} json={}",
                    form_encoded(ECHO_PASSWORD),
                    serde_json::to_string(ECHO_PASSWORD).unwrap_or_default()
                ),
            )
        }),
    ];
    let servers: Vec<servers::Server> = answers
        .into_iter()
        .map(|a| echo_server(move |auth| a(auth)))
        .collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let targets: Vec<ProbeTarget> = servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut t = target(&format!("echo-{i}"), fhir_url(s.port));
            t.basic = Some(BasicCredentials {
                username: ECHO_USER.into(),
                password: Secret::new(ECHO_PASSWORD),
            });
            t
        })
        .collect();
    let results = probe::run(&targets, &opts(&ports)).expect("run");
    assert_masked_failures(&results);
    assert_eq!(
        servers[0].requests()[0].header("authorization"),
        Some(format!("Basic {sent}").as_str())
    );
    let out = all_output(&results);
    for secret in [
        ECHO_PASSWORD.to_string(),
        sent.clone(),
        form_encoded(ECHO_PASSWORD),
    ] {
        assert_no_fragments(&out, &secret, 6);
    }
    // the user name is no secret and stays
    assert!(
        failure(&results[0])
            .detail_text()
            .contains("Basic auth as user `bpe`"),
        "{}",
        failure(&results[0]).detail_text()
    );
}

#[test]
fn an_oidc_error_description_echoing_the_client_secret_is_masked() {
    let echoes: [fn(&str) -> String; 6] = [
        // form-encoded, as the secret would travel in a form body
        |s| format!("client secret {} is wrong", form_encoded(s)),
        // percent-encoded with lower-case hex and %20
        |s| {
            let enc: String = s
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02x}")
                    }
                })
                .collect();
            format!("bad secret: {enc}")
        },
        // JSON escapes as text (a provider that escapes twice)
        |s| {
            let esc: String = s
                .chars()
                .map(|c| format!("\\u{:04X}", u32::from(c)))
                .collect();
            format!("secret was \"{esc}\"")
        },
        // control characters inside
        |s| format!("secret [{}]", interleave(s, 3, "\n\u{0}\r")),
        // the 300-character cut of the description falls inside the encoded secret
        |s| format!("{}{}", "d".repeat(285), form_encoded(s)),
        // the description itself ends inside the secret
        |s| format!("{}{}", "e".repeat(40), &form_encoded(s)[..11]),
    ];
    let fhir = fhir_server(Some(good_tls()), |_| true);
    let mut targets = Vec::new();
    let mut ports = vec![fhir.port];
    let mut issuers = Vec::new();
    for (i, echo) in echoes.into_iter().enumerate() {
        let iss = issuer::start(Knobs {
            token_error: Some(echo),
            ..Knobs::default()
        });
        let mut t = oidc_target(&iss, fhir.port);
        t.id = format!("oidc-{i}");
        if let Some(o) = t.oidc.as_mut() {
            o.client_secret = Secret::new(ECHO_CLIENT_SECRET);
        }
        ports.push(iss.server.port);
        targets.push(t);
        issuers.push(iss);
    }
    let results = probe::run(&targets, &opts(&ports)).expect("run");
    for r in &results {
        let f = failure(r);
        assert_eq!(f.code, Some(&codes::OIDC_TOKEN_STATUS), "{r:#?}");
        assert!(
            f.detail_text().contains("invalid_client ("),
            "{}",
            f.detail_text()
        );
    }
    assert_masked_failures(&results);
    let out = all_output(&results);
    for secret in [
        ECHO_CLIENT_SECRET.to_string(),
        form_encoded(ECHO_CLIENT_SECRET),
        base64(format!("{CLIENT_ID}:{ECHO_CLIENT_SECRET}").as_bytes()),
    ] {
        assert_no_fragments(&out, &secret, 6);
    }
}

#[test]
fn an_access_token_echoed_whole_or_in_pieces_is_masked() {
    let iss = issuer::start(Knobs::default());
    let fhir = echo_server(|auth| {
        let token = auth.strip_prefix("Bearer ").unwrap_or(auth);
        let signature = token.rsplit('.').next().unwrap_or("");
        HttpResp::new(
            401,
            "text/plain",
            format!(
                "signature {signature} not accepted; token was {}",
                interleave(token, 40, "\n")
            ),
        )
    });
    let t = oidc_target(&iss, fhir.port);
    let results = probe::run(&[t], &opts(&[iss.server.port, fhir.port])).expect("run");
    let f = failure(&results[0]);
    assert_eq!(f.code, Some(&codes::HTTP_UNAUTHORIZED), "{results:#?}");
    assert!(
        f.detail_text().contains("signature **** not accepted"),
        "{}",
        f.detail_text()
    );
    let sent = fhir.requests()[0]
        .header("authorization")
        .unwrap_or("")
        .trim_start_matches("Bearer ")
        .to_string();
    assert!(sent.starts_with("eyJ"), "{sent}");
    let out = all_output(&results);
    assert!(!out.contains("eyJ"), "{out}");
    let signature = sent.rsplit('.').next().unwrap_or("");
    assert_no_fragments(&out, signature, 6);
}

/// The command line's outputs (human, `--format json`, `--format sarif`) with servers that echo
/// every kind of credential in a mangled form.
#[test]
fn echoed_secrets_are_masked_in_every_output_format() {
    let fhir = echo_server(|auth| match auth.split_once(' ') {
        Some(("Bearer", t)) => HttpResp::new(401, "text/plain", interleave(t, 2, "\n\u{7}")),
        Some(("Basic", b)) => HttpResp::new(401, "text/plain", interleave(b, 5, "\r\n")),
        _ => HttpResp::new(401, "text/plain", "who?"),
    });
    let iss = issuer::start(Knobs {
        token_error: Some(|s| format!("{}{}", "c".repeat(290), form_encoded(s))),
        ..Knobs::default()
    });
    let dir = crate::util::temp_dir("probe-echo");
    let ca = dir.join("root.pem");
    std::fs::write(&ca, pem_cert(&PKI.root.der)).expect("write ca");
    let ca = ca.display();
    let port = fhir.port;
    let config = format!(
        "bearer:\n  base-url: https://fhir.test:{port}/fhir\n  test-connection-on-startup: yes\n  trusted-root-certificates-file: {ca}\n  bearer-auth:\n    token: '{ECHO_TOKEN}'\n\
         basic:\n  base-url: https://fhir.test:{port}/fhir\n  test-connection-on-startup: yes\n  trusted-root-certificates-file: {ca}\n  basic-auth:\n    username: {ECHO_USER}\n    password: '{ECHO_PASSWORD}'\n\
         oidc:\n  base-url: https://fhir.test:{port}/fhir\n  test-connection-on-startup: yes\n  trusted-root-certificates-file: {ca}\n  oidc-auth:\n    base-url: {}\n    client-id: {CLIENT_ID}\n    client-secret: '{ECHO_CLIENT_SECRET}'\n    trusted-root-certificates-file: {ca}\n",
        iss.base_url
    );
    let path = dir.join("c.yaml");
    std::fs::write(&path, &config).expect("write config");
    let p = path.display().to_string();
    let resolve_fhir = format!("fhir.test:{port}:127.0.0.1");
    let resolve_oidc = format!("oidc.test:{}:127.0.0.1", iss.server.port);
    for format in ["human", "json", "sarif", "concise", "github"] {
        let out = crate::util::run(
            &[
                "check",
                "--test-connections",
                "--resolve",
                &resolve_fhir,
                "--resolve",
                &resolve_oidc,
                "--format",
                format,
                &p,
            ],
            None,
            &[],
        );
        let text = format!("{}\n{}", out.stdout, out.stderr);
        assert!(
            text.contains("****"),
            "{format}: the echoes were masked, not lost:\n{text}"
        );
        assert!(
            text.contains("oidc-token-status") && text.contains("http-unauthorized"),
            "{format}: every probe failed as expected:\n{text}"
        );
        for secret in [
            ECHO_TOKEN.to_string(),
            ECHO_PASSWORD.to_string(),
            ECHO_CLIENT_SECRET.to_string(),
            form_encoded(ECHO_CLIENT_SECRET),
            base64(format!("{ECHO_USER}:{ECHO_PASSWORD}").as_bytes()),
        ] {
            assert_no_fragments(&text, &secret, 6);
        }
    }
}

#[test]
fn an_endless_capability_body_fails_at_the_cap_and_does_not_hang() {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json";
    let mut chunk = br#"{"resourceType": "CapabilityStatement", "x": ""#.to_vec();
    chunk.resize(64 * 1024, b'a');
    let endless = servers::streaming(head, chunk.clone(), Duration::ZERO);
    // a Content-Length above the cap fails without reading
    let declared = servers::streaming(
        &format!("{head}\r\nContent-Length: 17000000000"),
        chunk,
        Duration::ZERO,
    );
    let mut o = opts(&[]);
    o.probe_timeout = Duration::from_secs(60);
    let targets = [
        target("endless", format!("http://127.0.0.1:{endless}/fhir")),
        target("declared", format!("http://127.0.0.1:{declared}/fhir")),
    ];
    let started = std::time::Instant::now();
    let results = probe::run(&targets, &o).expect("run");
    assert!(started.elapsed() < Duration::from_secs(30), "{results:#?}");
    for r in &results {
        let f = failure(r);
        assert!(!r.ended_by_probe_timeout, "{r:#?}");
        assert_eq!(
            (f.name, f.code),
            ("fhir.capability-statement", Some(&codes::BODY_TOO_LARGE)),
            "{r:#?}"
        );
        assert!(
            f.detail_text().contains("the body is larger than 16 MiB"),
            "{}",
            f.detail_text()
        );
        assert_eq!(r.server_outcome, ServerOutcome::Logged);
        assert!(
            r.steps[r.steps.len() - 2]
                .detail_text()
                .starts_with("200 OK (application/fhir+json, more than 16 MiB)"),
            "{r:#?}"
        );
    }
    assert!(results[1].duration < Duration::from_secs(5), "{results:#?}");
}

#[test]
fn endless_error_bodies_and_oidc_documents_are_cut_small() {
    // an error answer: only its start is read and shown
    let error = servers::streaming(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain",
        b"overloaded ".repeat(1000),
        Duration::ZERO,
    );
    // a discovery document that never ends (1 MiB cap)
    let mut doc = br#"{"issuer": ""#.to_vec();
    doc.resize(16 * 1024, b'i');
    let discovery = servers::streaming(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json",
        doc,
        Duration::ZERO,
    );
    let mut oidc = target("oidc-endless", fhir_url(1));
    oidc.oidc = Some(OidcTarget {
        base_url: format!("http://127.0.0.1:{discovery}"),
        discovery_path: "/.well-known/openid-configuration".into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new("x-secret"),
        required_audience: vec![],
        verify_authorized_party: true,
        connect_timeout: Duration::from_secs(10),
        read_timeout: Duration::from_secs(10),
        trust: trust_root(),
        leeway: Duration::from_secs(10),
    });
    let mut o = opts(&[]);
    o.probe_timeout = Duration::from_secs(60);
    let results = probe::run(
        &[
            target("error", format!("http://127.0.0.1:{error}/fhir")),
            oidc,
        ],
        &o,
    )
    .expect("run");
    let f = failure(&results[0]);
    assert_eq!(f.code, Some(&codes::HTTP_STATUS), "{results:#?}");
    assert!(
        f.detail_text()
            .starts_with("503 Service Unavailable; body: overloaded overloaded"),
        "{}",
        f.detail_text()
    );
    assert!(f.detail_text().ends_with('…'), "{}", f.detail_text());
    let f = failure(&results[1]);
    assert_eq!(
        (f.name, f.code),
        ("oidc.discovery", Some(&codes::BODY_TOO_LARGE)),
        "{results:#?}"
    );
    assert!(
        f.detail_text().contains("the body is larger than 1 MiB"),
        "{}",
        f.detail_text()
    );
    assert_eq!(results[1].server_outcome, ServerOutcome::DoesNotStart);
}

#[test]
fn a_server_dribbling_its_answer_is_cut_by_the_read_timeout() {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json";
    // a byte every 50 ms: each read waits far less than the read timeout
    let dribble = servers::streaming(head, b" ".to_vec(), Duration::from_millis(50));
    let mut t = target("dribble", format!("http://127.0.0.1:{dribble}/fhir"));
    t.read_timeout = Duration::from_millis(600);
    let mut o = opts(&[]);
    o.probe_timeout = Duration::from_secs(30);
    let r = probe_one(t, &o);
    let f = failure(&r);
    assert!(!r.ended_by_probe_timeout, "{r:#?}");
    assert_eq!(
        (f.name, f.code),
        ("fhir.http-status", Some(&codes::READ_TIMEOUT)),
        "{r:#?}"
    );
    assert!(
        f.detail_text().contains(
            "the HTTP response was not complete within the read timeout of 600 ms (read-timeout)"
        ) && f.detail_text().contains("bytes came"),
        "{}",
        f.detail_text()
    );
    assert!(r.duration < Duration::from_secs(5), "{r:#?}");
}
