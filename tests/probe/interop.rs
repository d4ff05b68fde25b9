//! Interoperability with the real thing: Debian's nginx (TLS, `ssl_verify_client`, `auth_basic`,
//! a static bearer check) and oidc-provider from npm (JWT access tokens for client credentials),
//! started on 127.0.0.1 by `.ci/servers/start.sh` from `.ci/run`, which exports their addresses
//! as `DSF_CI_*`. Without them the test says it is skipped (on the terminal, past the test
//! harness's capture); with `DSF_CI_REQUIRE_SERVERS` set (as `.ci/run` does) it fails instead.

use super::pki::trust_other;
use super::{names, opts, probe_one, target};
use dsf_connections::probe::{
    self, BasicCredentials, ClientIdentity, KeyFormat, OidcTarget, PrivateKey, ProbeResult,
    ServerOutcome, TrustRoots, codes,
};
use dsf_connections::secrets::{Secret, SecretBytes};
use std::io::Write;
use std::time::Duration;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set by .ci/servers/start.sh"))
}

fn pem_file(path: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    pem::parse_many(text)
        .expect("PEM")
        .into_iter()
        .map(pem::Pem::into_contents)
        .collect()
}

fn servers_present() -> bool {
    if std::env::var_os("DSF_CI_SERVERS").is_some() {
        return true;
    }
    if std::env::var_os("DSF_CI_REQUIRE_SERVERS").is_some() {
        panic!("DSF_CI_REQUIRE_SERVERS is set but DSF_CI_SERVERS is not: start.sh did not run");
    }
    // straight to the terminal: the harness captures println! of passing tests
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED probe::interop: no CI servers (DSF_CI_SERVERS unset); `bash .ci/run` starts nginx and oidc-provider and runs it\n"
    );
    false
}

fn ok(r: &ProbeResult) {
    assert!(r.ok, "{}: {r:#?}", r.connection);
}

#[test]
fn nginx_and_oidc_provider_with_every_auth_kind() {
    if !servers_present() {
        return;
    }
    let pki = env("DSF_CI_PKI_DIR");
    let trust = TrustRoots {
        certificates: pem_file(&format!("{pki}/root.pem")),
        source: format!("{pki}/root.pem"),
    };
    let with_trust = |id: &str, url: String| {
        let mut t = target(id, url);
        t.trust = trust.clone();
        t
    };
    let open = with_trust("open", env("DSF_CI_FHIR_OPEN"));

    let mut basic = with_trust("basic", env("DSF_CI_FHIR_BASIC"));
    basic.basic = Some(BasicCredentials {
        username: env("DSF_CI_BASIC_USER"),
        password: Secret::new(env("DSF_CI_BASIC_PASSWORD")),
    });
    let mut basic_wrong = basic.clone();
    basic_wrong.id = "basic-wrong".into();
    basic_wrong.basic = Some(BasicCredentials {
        username: env("DSF_CI_BASIC_USER"),
        password: Secret::new("interop-wrong-password"),
    });

    let mut bearer = with_trust("bearer", env("DSF_CI_FHIR_BEARER"));
    bearer.bearer = Some(Secret::new(env("DSF_CI_BEARER_TOKEN")));

    let mut chain = pem_file(&format!("{pki}/client.pem"));
    chain.extend(pem_file(&format!("{pki}/root.pem")));
    let key = pem_file(&format!("{pki}/client.key")).remove(0);
    let mut mtls_pem = with_trust("mtls-pem", env("DSF_CI_FHIR_MTLS"));
    mtls_pem.client_identity = Some(ClientIdentity {
        chain,
        key: PrivateKey {
            format: KeyFormat::Pkcs8,
            der: SecretBytes::new(key),
        },
    });
    let p12 = std::fs::read(format!("{pki}/client.p12")).expect("client.p12");
    let mut mtls_p12 = with_trust("mtls-p12", env("DSF_CI_FHIR_MTLS"));
    mtls_p12.client_identity = Some(
        ClientIdentity::from_pkcs12(&p12, &env("DSF_CI_P12_PASSWORD")).expect("openssl's PKCS#12"),
    );
    let mtls_none = with_trust("mtls-none", env("DSF_CI_FHIR_MTLS"));

    let mut untrusted = with_trust("untrusted", env("DSF_CI_FHIR_OPEN"));
    untrusted.trust = trust_other();
    let redirect = with_trust(
        "redirect",
        env("DSF_CI_FHIR_OPEN").replace("/fhir", "/old/fhir"),
    );

    let oidc_target = |id: &str, secret: String, audience: &str| {
        let mut t = with_trust(id, env("DSF_CI_FHIR_JWT"));
        t.oidc = Some(OidcTarget {
            base_url: env("DSF_CI_OIDC_BASE"),
            discovery_path: "/.well-known/openid-configuration".into(),
            client_id: env("DSF_CI_OIDC_CLIENT_ID"),
            client_secret: Secret::new(secret),
            required_audience: vec![audience.into()],
            verify_authorized_party: true,
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_secs(10),
            trust: trust.clone(),
            leeway: Duration::from_secs(10),
        });
        t
    };
    let oidc = oidc_target(
        "oidc",
        env("DSF_CI_OIDC_CLIENT_SECRET"),
        &env("DSF_CI_OIDC_AUDIENCE"),
    );
    let oidc_secret = oidc_target(
        "oidc-wrong-secret",
        "interop-wrong-secret".into(),
        &env("DSF_CI_OIDC_AUDIENCE"),
    );
    let oidc_aud = oidc_target(
        "oidc-wrong-audience",
        env("DSF_CI_OIDC_CLIENT_SECRET"),
        "urn:someone:else",
    );

    let targets = vec![
        open,
        basic,
        basic_wrong,
        bearer,
        mtls_pem,
        mtls_p12,
        mtls_none,
        untrusted,
        redirect,
        oidc,
        oidc_secret,
        oidc_aud,
    ];
    let results = probe::run(&targets, &opts(&[])).expect("run");
    let by = |id: &str| results.iter().find(|r| r.connection == id).expect("result");
    let code = |id: &str| by(id).steps.last().and_then(|s| s.code);

    for id in ["open", "basic", "bearer", "mtls-pem", "mtls-p12", "oidc"] {
        ok(by(id));
    }
    assert!(
        by("open").steps[4]
            .detail_text()
            .contains("nginx CI stand-in 1.0, FHIR 4.0.1")
    );
    assert!(
        by("mtls-pem").steps[2]
            .detail_text()
            .contains("client certificate CN=dsf-ci-client sent")
    );
    assert!(names(by("oidc")).contains(&"oidc.token-signature"));
    assert_eq!(code("basic-wrong"), Some(&codes::HTTP_UNAUTHORIZED));
    assert_eq!(code("mtls-none"), Some(&codes::TLS_CLIENT_CERT_REQUIRED));
    assert_eq!(code("untrusted"), Some(&codes::TLS_UNKNOWN_ISSUER));
    assert!(
        by("untrusted").steps[2]
            .detail_text()
            .contains("DSF CI Intermediate CA")
    );
    // followed as HttpClient 4 follows a GET redirect (issue 16): the step lists the hop
    assert_eq!(code("redirect"), None);
    assert_eq!(code("oidc-wrong-secret"), Some(&codes::OIDC_TOKEN_STATUS));
    assert_eq!(
        by("oidc-wrong-secret").server_outcome,
        ServerOutcome::Logged
    );
    assert!(
        by("oidc-wrong-secret")
            .steps
            .last()
            .expect("step")
            .detail_text()
            .contains("invalid_client")
    );
    assert_eq!(code("oidc-wrong-audience"), Some(&codes::OIDC_AUDIENCE));

    let mut out = Vec::new();
    let db = dsf_connections::source::SourceDb::default();
    let r = dsf_connections::secrets::Redactor::new(&db, Default::default());
    dsf_connections::emit::probes::render(&results, &r, false, &mut out).expect("render");
    let out =
        String::from_utf8(out).expect("utf8") + &serde_json::to_string(&results).expect("json");
    if std::env::var_os("DSF_CI_SHOW").is_some() {
        let _ = writeln!(std::io::stderr(), "{out}");
    }
    for secret in [
        env("DSF_CI_BASIC_PASSWORD"),
        env("DSF_CI_BEARER_TOKEN"),
        env("DSF_CI_OIDC_CLIENT_SECRET"),
        "interop-wrong-password".into(),
        "interop-wrong-secret".into(),
    ] {
        assert!(!out.contains(&secret), "a secret leaked");
    }
    assert!(!out.contains("eyJ"), "an access token leaked");
}

#[test]
fn a_single_probe_also_works_against_nginx() {
    if !servers_present() {
        return;
    }
    let mut t = target("single", env("DSF_CI_FHIR_OPEN"));
    t.trust = TrustRoots {
        certificates: pem_file(&format!("{}/root.pem", env("DSF_CI_PKI_DIR"))),
        source: "root.pem".into(),
    };
    ok(&probe_one(t, &opts(&[])));
}
