//! The probe judges TLS, host names and answers as the BPE's HTTP stack does (Jersey on Apache
//! HttpClient 4 with the JDK's TLS; `dsf-bpe-server …/client/fhir/FhirConnectionTestClientJersey.java:77-99`,
//! `dsf-common-oidc …/BaseOidcClientJersey.java:94-111`: a `SslConfigurator` trust store, no
//! host name verifier of its own, so HttpClient's `DefaultHostnameVerifier`).

use super::pki::{Chain, PKI, trust_itself, trust_other, trust_root};
use super::servers::{self, ClientAuth};
use super::{failure, fhir_server, opts, probe_one, target};
use dsf_connections::probe::{ProbeResult, Resolve, TrustRoots, codes};

fn probe_at(chain: &Chain, trust: TrustRoots, host: &str) -> ProbeResult {
    let s = fhir_server(Some(servers::tls_config(chain, ClientAuth::None)), |_| true);
    let mut o = opts(&[s.port]);
    if host != "127.0.0.1" {
        o.resolve.push(Resolve {
            host: host.into(),
            port: s.port,
            addr: "127.0.0.1".parse().expect("ip"),
        });
    }
    let mut t = target("jdk", format!("https://{host}:{}/fhir", s.port));
    t.trust = trust;
    probe_one(t, &o)
}

fn tls_detail(r: &ProbeResult) -> String {
    super::step_detail(r, "fhir.tls-handshake")
}

/// JDK PKIX (`sun.security.validator.PKIXValidator.engineValidate`: a chain whose first
/// certificate is trusted is returned as is; `Validator.validate` skips the end-entity checks
/// for it). Measured with Java 17's `X509TrustManager.checkServerTrusted`: a trusted
/// self-signed certificate is accepted with CA:TRUE, without extensions, expired or not yet valid.
#[test]
fn a_server_certificate_that_is_itself_trusted_is_accepted() {
    for chain in [&PKI.self_signed_ca, &PKI.self_signed_plain] {
        let r = probe_at(chain, trust_itself(chain), "fhir.test");
        assert!(r.ok, "{r:#?}");
        let d = tls_detail(&r);
        assert!(d.contains("itself is in the trust store"), "{d}");
        assert!(!d.contains("not valid today"), "{d}");
    }
    let r = probe_at(
        &PKI.self_signed_expired,
        trust_itself(&PKI.self_signed_expired),
        "fhir.test",
    );
    assert!(
        r.ok,
        "the JDK does not check a trusted certificate's dates: {r:#?}"
    );
    let d = tls_detail(&r);
    assert!(
        d.contains("not valid today") && d.contains("the BPE still connects"),
        "{d}"
    );
    // a trusted server certificate still needs a matching name (HttpClient checks it after the
    // handshake, whatever the trust manager said)
    let r = probe_at(
        &PKI.self_signed_ca,
        trust_itself(&PKI.self_signed_ca),
        "wrong.test",
    );
    assert_eq!(failure(&r).code, Some(&codes::TLS_NAME_MISMATCH), "{r:#?}");
    // and a leaf from the chain is trusted only as itself: another self-signed one is not
    let r = probe_at(
        &PKI.self_signed_plain,
        trust_itself(&PKI.self_signed_ca),
        "fhir.test",
    );
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_UNKNOWN_ISSUER), "{r:#?}");
    // (both are named CN=fhir.test: a certificate made anew, the old one still trusted)
    assert!(
        f.detail_text().contains("self-signed") && f.detail_text().contains("another key"),
        "{}",
        f.detail_text()
    );
}

/// A CA certificate (CA:TRUE) as the server certificate, chained to a trusted root through the
/// intermediate the server sends: webpki refuses it (`CaUsedAsEndEntity`), the JDK accepts it
/// (`sun.security.validator.EndEntityChecker.checkRemainingExtensions`: "basic constraints
/// irrelevant in EE certs"; `ConstraintsChecker` looks only above the leaf). Measured with Java 17
/// (`X509TrustManager.checkServerTrusted`, authType `ECDHE_ECDSA`): accepted; the same with
/// keyUsage keyCertSign, cRLSign refused ("KeyUsage does not allow digital signatures").
#[test]
fn a_ca_certificate_as_server_certificate_is_judged_as_the_jdk_judges_it() {
    let r = probe_at(&PKI.ca_as_server, trust_root(), "fhir.test");
    assert!(r.ok, "{r:#?}");
    let d = tls_detail(&r);
    assert!(d.contains("CA:TRUE") && d.contains("Java accepts"), "{d}");
    // still a path to a trusted root, and the name
    let r = probe_at(&PKI.ca_as_server, trust_other(), "fhir.test");
    assert_eq!(failure(&r).code, Some(&codes::TLS_UNKNOWN_ISSUER), "{r:#?}");
    let r = probe_at(&PKI.ca_as_server, trust_root(), "wrong.test");
    assert_eq!(failure(&r).code, Some(&codes::TLS_NAME_MISMATCH), "{r:#?}");
    // the end-entity checks the JDK does make, worded, never a library's debug name
    let r = probe_at(&PKI.ca_as_server_no_signature, trust_root(), "fhir.test");
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_BAD_CERTIFICATE), "{r:#?}");
    let d = f.detail_text();
    assert!(
        d.contains("key usage does not allow digital signatures"),
        "{d}"
    );
    for debug in [
        "KeyUsageNoDigitalSignature",
        "CaUsedAsEndEntity",
        "OtherError",
        "Other(",
        "InvalidCertificate",
    ] {
        assert!(!d.contains(debug), "{d}");
    }
}

/// `DefaultHostnameVerifier.verify`: without DNS/IP subject alternative names the CN decides.
#[test]
fn a_cn_only_certificate_passes_for_its_name_and_fails_for_another() {
    let r = probe_at(&PKI.cn_only, trust_root(), "fhir.test");
    assert!(r.ok, "{r:#?}");
    let r = probe_at(&PKI.cn_only, trust_root(), "oidc.test");
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_NAME_MISMATCH));
    let d = f.detail_text();
    assert!(
        d.contains("no subject alternative name")
            && d.contains("CN fhir.test")
            && d.contains("not `oidc.test`"),
        "{d}"
    );
}

/// An IP address in base-url is compared with IP subject alternative names only: the good
/// server certificate holds `IP 127.0.0.1`; the CN-only one is compared by its CN `fhir.test`.
#[test]
fn ip_hosts_compare_ip_names() {
    let r = probe_at(&PKI.server, trust_root(), "127.0.0.1");
    assert!(r.ok, "{r:#?}");
    let r = probe_at(&PKI.wrong_name, trust_root(), "127.0.0.1");
    let f = failure(&r);
    assert_eq!(f.code, Some(&codes::TLS_NAME_MISMATCH));
    assert!(
        f.detail_text()
            .contains("only IP subject alternative names"),
        "{}",
        f.detail_text()
    );
}

/// `dsf-common-oidc …/BaseOidcClientJersey.java:141-156` judges the status of whatever answer
/// came; an answer ended by closing the connection (no `Content-Length`, no TLS close_notify)
/// is a whole answer to HttpClient and the JDK.
#[test]
fn a_close_delimited_answer_is_read_as_the_server_reads_it() {
    const NOT_FOUND: &str =
        "HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno metadata here";
    const OK: &str = "HTTP/1.0 200 OK\r\nContent-Type: application/fhir+json\r\n\r\n{\"resourceType\": \"CapabilityStatement\", \"status\": \"active\", \"fhirVersion\": \"4.0.1\", \"software\": {\"name\": \"Old\", \"version\": \"1\"}}";
    for tls in [true, false] {
        let cfg = tls.then(|| servers::tls_config(&PKI.server, ClientAuth::None));
        let port = servers::close_delimited(cfg.clone(), NOT_FOUND);
        let scheme = if tls { "https" } else { "http" };
        let r = probe_one(
            target("closed", format!("{scheme}://fhir.test:{port}/fhir")),
            &opts(&[port]),
        );
        let f = failure(&r);
        assert_eq!(f.code, Some(&codes::HTTP_STATUS), "{r:#?}");
        assert!(f.detail_text().contains("404"), "{}", f.detail_text());
        assert!(
            !f.detail_text().contains("close_notify"),
            "{}",
            f.detail_text()
        );
        let port = servers::close_delimited(cfg, OK);
        let r = probe_one(
            target("closed", format!("{scheme}://fhir.test:{port}/fhir")),
            &opts(&[port]),
        );
        assert!(r.ok, "{r:#?}");
    }
}
