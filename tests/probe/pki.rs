//! The probe tests' PKI, made once per test run with rcgen: a root, an intermediate the servers
//! send, server certificates (good, expired, for another name, from another CA), and client
//! identities (trusted and untrusted; PKCS#8, SEC1, PKCS#1 and PKCS#12-derived).

use dsf_connections::probe::{ClientIdentity, KeyFormat, PrivateKey, TrustRoots};
use dsf_connections::secrets::SecretBytes;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256,
};
use std::sync::LazyLock;

pub const RSA_KEY_PEM: &str = include_str!("../fixtures/probe/rsa-2048.throwaway-test-key.pem");

/// The names every good server certificate holds.
pub const SERVER_NAMES: &[&str] = &["fhir.test", "oidc.test", "localhost", "127.0.0.1"];

pub struct Ca {
    pub key: KeyPair,
    pub params: CertificateParams,
    pub der: Vec<u8>,
}

/// A certificate chain (leaf first) and the leaf's PKCS#8 key.
#[derive(Clone)]
pub struct Chain {
    pub certs: Vec<Vec<u8>>,
    pub key: Vec<u8>,
}

pub struct Pki {
    pub root: Ca,
    pub other_root: Ca,
    /// leaf + intermediate
    pub server: Chain,
    pub server_leaf_only: Chain,
    pub expired: Chain,
    pub not_yet_valid: Chain,
    pub wrong_name: Chain,
    pub other_ca: Chain,
    pub client: ClientIdentity,
    pub client_sec1: ClientIdentity,
    pub client_rsa_pkcs1: ClientIdentity,
    pub client_p12: Vec<u8>,
    pub client_untrusted: ClientIdentity,
    /// A server certificate without subject alternative names, CN `fhir.test`
    pub cn_only: Chain,
    /// Self-signed server certificates (`openssl req -x509` style), each its own trust store:
    /// with CA:TRUE, without any extension but the names, and one that expired
    pub self_signed_ca: Chain,
    pub self_signed_plain: Chain,
    pub self_signed_expired: Chain,
    /// A CA certificate (CA:TRUE) for the server names, issued by the intermediate
    pub ca_as_server: Chain,
    /// The same with a CA's key usage (keyCertSign, cRLSign: no digitalSignature)
    pub ca_as_server_no_signature: Chain,
}

pub const P12_PASSWORD: &str = "p12-pa55";

fn dn(cn: &str) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::CommonName, cn);
    d.push(DnType::OrganizationName, "Probe Test");
    d
}

fn ymd(days_from_now: i64) -> time_parts::Date {
    time_parts::from_days(days_from_now)
}

mod time_parts {
    pub struct Date(pub i32, pub u8, pub u8);
    pub fn from_days(days: i64) -> Date {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let d = dsf_connections::crypto::date(now + days * 86_400);
        let p: Vec<i64> = d.split('-').map(|x| x.parse().expect("number")).collect();
        Date(p[0] as i32, p[1] as u8, p[2] as u8)
    }
}

fn validity(params: &mut CertificateParams, from: i64, to: i64) {
    let a = ymd(from);
    let b = ymd(to);
    params.not_before = rcgen::date_time_ymd(a.0, a.1, a.2);
    params.not_after = rcgen::date_time_ymd(b.0, b.1, b.2);
}

fn ca(cn: &str, parent: Option<&Ca>) -> Ca {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("CA key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name = dn(cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut params, -10, 3650);
    let cert = match parent {
        Some(p) => params
            .signed_by(&key, &Issuer::from_params(&p.params, &p.key))
            .expect("signed CA"),
        None => params.self_signed(&key).expect("root"),
    };
    Ca {
        der: cert.der().to_vec(),
        key,
        params,
    }
}

fn leaf(
    issuer: &Ca,
    cn: &str,
    names: &[&str],
    client: bool,
    from: i64,
    to: i64,
) -> (KeyPair, Vec<u8>) {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("leaf key");
    let der = leaf_with(issuer, &key, cn, names, client, from, to);
    (key, der)
}

fn leaf_with(
    issuer: &Ca,
    key: &KeyPair,
    cn: &str,
    names: &[&str],
    client: bool,
    from: i64,
    to: i64,
) -> Vec<u8> {
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
    params.distinguished_name = dn(cn);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![if client {
        ExtendedKeyUsagePurpose::ClientAuth
    } else {
        ExtendedKeyUsagePurpose::ServerAuth
    }];
    validity(&mut params, from, to);
    params
        .signed_by(key, &Issuer::from_params(&issuer.params, &issuer.key))
        .expect("leaf")
        .der()
        .to_vec()
}

fn identity(chain: Vec<Vec<u8>>, format: KeyFormat, der: Vec<u8>) -> ClientIdentity {
    ClientIdentity {
        chain,
        key: PrivateKey {
            format,
            der: SecretBytes::new(der),
        },
    }
}

/// The inner key of a PKCS#8 document (SEC1 for EC, PKCS#1 for RSA).
fn inner_key(pkcs8_der: &[u8]) -> Vec<u8> {
    use der::Decode;
    let info = pkcs8::PrivateKeyInfoRef::from_der(pkcs8_der).expect("pkcs8");
    info.private_key.as_bytes().to_vec()
}

fn p12(chain: &[Vec<u8>], key: &[u8]) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKeyChain};
    let certs = chain
        .iter()
        .map(|c| Certificate::from_der(c).expect("cert"))
        .collect::<Vec<_>>();
    let key = p12_keystore::PrivateKey::from_der(key).expect("key");
    let mut store = KeyStore::new();
    store.add_entry(
        "client",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(vec![1u8, 2, 3], key, certs)),
    );
    store.writer(P12_PASSWORD).write().expect("write p12")
}

fn self_signed(names: &[&str], is_ca: bool, from: i64, to: i64) -> Chain {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
    params.distinguished_name = dn("fhir.test");
    if is_ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    validity(&mut params, from, to);
    Chain {
        certs: vec![
            params
                .self_signed(&key)
                .expect("self-signed")
                .der()
                .to_vec(),
        ],
        key: key.serialize_der(),
    }
}

pub static PKI: LazyLock<Pki> = LazyLock::new(|| {
    let root = ca("Probe Test Root CA", None);
    let intermediate = ca("Probe Test Intermediate CA", Some(&root));
    let other_root = ca("Some Other Root CA", None);
    let chain = |(k, d): (KeyPair, Vec<u8>), with: &Ca| Chain {
        certs: vec![d, with.der.clone()],
        key: k.serialize_der(),
    };
    let server = chain(
        leaf(&intermediate, "fhir.test", SERVER_NAMES, false, -1, 365),
        &intermediate,
    );
    let server_leaf_only = Chain {
        certs: vec![server.certs[0].clone()],
        key: server.key.clone(),
    };
    let expired = chain(
        leaf(
            &intermediate,
            "expired.test",
            SERVER_NAMES,
            false,
            -400,
            -30,
        ),
        &intermediate,
    );
    let not_yet_valid = chain(
        leaf(&intermediate, "future.test", SERVER_NAMES, false, 30, 400),
        &intermediate,
    );
    let wrong_name = chain(
        leaf(
            &intermediate,
            "other.example",
            &["other.example", "www.other.example"],
            false,
            -1,
            365,
        ),
        &intermediate,
    );
    let other_ca = chain(
        leaf(&other_root, "fhir.test", SERVER_NAMES, false, -1, 365),
        &other_root,
    );

    let (ck, cd) = leaf(&root, "probe-client", &[], true, -1, 365);
    let client_chain = vec![cd, root.der.clone()];
    let client_pk8 = ck.serialize_der();
    let client = identity(client_chain.clone(), KeyFormat::Pkcs8, client_pk8.clone());
    let client_sec1 = identity(
        client_chain.clone(),
        KeyFormat::Sec1,
        inner_key(&client_pk8),
    );
    let client_p12 = p12(&client_chain, &client_pk8);

    let rsa =
        KeyPair::from_pkcs8_pem_and_sign_algo(RSA_KEY_PEM, &PKCS_RSA_SHA256).expect("rsa key");
    let rsa_der = leaf_with(&root, &rsa, "probe-client-rsa", &[], true, -1, 365);
    let client_rsa_pkcs1 = identity(
        vec![rsa_der, root.der.clone()],
        KeyFormat::Pkcs1,
        inner_key(&rsa.serialize_der()),
    );

    let (uk, ud) = leaf(&other_root, "untrusted-client", &[], true, -1, 365);
    let client_untrusted = identity(
        vec![ud, other_root.der.clone()],
        KeyFormat::Pkcs8,
        uk.serialize_der(),
    );
    let (nk, nd) = leaf(&intermediate, "fhir.test", &[], false, -1, 365);
    let cn_only = chain((nk, nd), &intermediate);
    let mut ca_params = CertificateParams::new(
        SERVER_NAMES
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    )
    .expect("params");
    ca_params.distinguished_name = dn("fhir.test");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    validity(&mut ca_params, -1, 365);
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
    let ca_as_server = Chain {
        certs: vec![
            ca_params
                .signed_by(
                    &ca_key,
                    &Issuer::from_params(&intermediate.params, &intermediate.key),
                )
                .expect("CA leaf")
                .der()
                .to_vec(),
            intermediate.der.clone(),
        ],
        key: ca_key.serialize_der(),
    };
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_as_server_no_signature = Chain {
        certs: vec![
            ca_params
                .signed_by(
                    &ca_key,
                    &Issuer::from_params(&intermediate.params, &intermediate.key),
                )
                .expect("CA leaf")
                .der()
                .to_vec(),
            intermediate.der.clone(),
        ],
        key: ca_key.serialize_der(),
    };
    Pki {
        ca_as_server,
        ca_as_server_no_signature,
        cn_only,
        self_signed_ca: self_signed(SERVER_NAMES, true, -1, 365),
        self_signed_plain: self_signed(SERVER_NAMES, false, -1, 365),
        self_signed_expired: self_signed(SERVER_NAMES, false, -400, -30),
        root,
        other_root,
        server,
        server_leaf_only,
        expired,
        not_yet_valid,
        wrong_name,
        other_ca,
        client,
        client_sec1,
        client_rsa_pkcs1,
        client_p12,
        client_untrusted,
    }
});

pub fn trust_root() -> TrustRoots {
    TrustRoots {
        certificates: vec![PKI.root.der.clone()],
        source: "ca/test-root.pem".into(),
    }
}

/// A trust store holding exactly this chain's server certificate.
pub fn trust_itself(chain: &Chain) -> TrustRoots {
    TrustRoots {
        certificates: vec![chain.certs[0].clone()],
        source: "ca/server-itself.pem".into(),
    }
}

pub fn trust_other() -> TrustRoots {
    TrustRoots {
        certificates: vec![PKI.other_root.der.clone()],
        source: "ca/other-root.pem".into(),
    }
}
