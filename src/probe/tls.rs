//! TLS as the server does it, and no weaker: rustls with the `ring` provider (the one crypto
//! provider of the binary), trusting exactly the connection's roots (never the system's), host
//! name verification by webpki with the server-sent intermediates, and the configured client
//! certificate. A thin wrapper around webpki's verifier records what the server presented and a
//! wrapper around the client-certificate resolver records what it asked for, so that a failed
//! handshake can be explained in the operator's words (issuer and trusted subjects, dates,
//! names in the certificate, client certificate required or rejected).

use super::codes;
use super::endpoint::Target;
use super::join;
use super::net::Failure;
use super::target::{ClientIdentity, KeyFormat, TrustRoots};
use crate::secrets::{Piece, Text};
use crate::text;
use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
    ServerName, UnixTime,
};
use rustls::sign::CertifiedKey;
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme,
};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use x509_parser::prelude::*;

use super::codes::{Group, ProbeCode};

pub static TRUST_STORE: ProbeCode = ProbeCode {
    name: "trust-store-unusable",
    group: Group::Settings,
    summary: "none of the certificates in the connection's trust store (or the default trust store) can be used as a root",
    docs: r##"**What:** none of the certificates in the connection's trust store (or the default trust store)
can be used as a root. **Why:** the probe trusts exactly what the BPE trusts, never the system's
roots. **Fix:** put the PEM certificate of the CA that issued the server's chain into
`trusted-root-certificates-file` (or the default store)."##,
};

pub static CLIENT_IDENTITY: ProbeCode = ProbeCode {
    name: "client-identity-unusable",
    group: Group::Settings,
    summary: "the `cert-auth` key or chain cannot be used for TLS (an empty chain, or a key type rustls/ring does not support, such as a P-521 or DSA key)",
    docs: r##"**What:** the `cert-auth` key or chain cannot be used for TLS (an empty chain, or a key type
rustls/ring does not support, such as a P-521 or DSA key). **Why:** without it no client
certificate can be sent. **Fix:** use an RSA (≥ 2048 bit) or ECDSA P-256/P-384 key; `check` itself
reports key/certificate mismatches."##,
};

pub static TLS_UNKNOWN_ISSUER: ProbeCode = ProbeCode {
    name: "tls-unknown-issuer",
    group: Group::Tls,
    summary: "the server's certificate chain does not lead to a root in the connection's trust store",
    docs: r##"**What:** the server's certificate chain does not lead to a root in the connection's trust store.
The detail names the server certificate, its issuer, the chain the server sent, and the subjects
of the trusted certificates. **Why:** the BPE would reject the same chain. A common cause is a
server that does not send its intermediate certificate (the detail says so). **Fix:** add the root
CA of the server's chain to `trusted-root-certificates-file`, or make the server send its chain."##,
};

pub static TLS_EXPIRED: ProbeCode = ProbeCode {
    name: "tls-expired",
    group: Group::Tls,
    summary: "a certificate of the server's chain has expired; the detail names it with its dates",
    docs: r##"**What:** a certificate of the server's chain has expired; the detail names it with its dates.
**Fix:** renew the certificate on the server."##,
};

pub static TLS_NOT_YET_VALID: ProbeCode = ProbeCode {
    name: "tls-not-yet-valid",
    group: Group::Tls,
    summary: "a certificate of the server's chain is valid only from a later date",
    docs: r##"**What:** a certificate of the server's chain is valid only from a later date. **Why:** usually
a clock that is wrong on one of the two hosts, or a certificate issued for the future. **Fix:**
check both clocks (NTP)."##,
};

pub static TLS_NAME_MISMATCH: ProbeCode = ProbeCode {
    name: "tls-name-mismatch",
    group: Group::Tls,
    summary: "the server's certificate does not hold the host name of `base-url`; the detail lists the names it holds",
    docs: r##"**What:** the server's certificate does not hold the host name of `base-url`; the detail lists the
names it holds. Names are compared as the server's HttpClient 4 compares them: the DNS subject
alternative names for a host name, the IP ones for an IP address, the CN only when there is no
DNS or IP subject alternative name at all; one `*` stands for part of one label, left of the
registrable domain. **Fix:** use one of those names in `base-url`; to reach it at another address
from this host, add `--resolve NAME:PORT:ADDRESS`."##,
};

pub static TLS_BAD_CERTIFICATE: ProbeCode = ProbeCode {
    name: "tls-bad-certificate",
    group: Group::Tls,
    summary: "the server's certificate is unacceptable for another reason (bad signature, wrong key usage, unsupported algorithm, revoked)",
    docs: r##"**What:** the server's certificate is unacceptable for another reason (bad signature, wrong key
usage, unsupported algorithm, revoked). The detail says why in plain words. **Fix:** reissue the
server certificate for TLS server use."##,
};

pub static TLS_CLIENT_CERT_REQUIRED: ProbeCode = ProbeCode {
    name: "tls-client-cert-required",
    group: Group::Tls,
    summary: "the server requires a client certificate and none was sent (TLS alert `certificate_required`, or nginx' `400 No required SSL certificate was sent`)",
    docs: r##"**What:** the server requires a client certificate and none was sent (TLS alert
`certificate_required`, or nginx' `400 No required SSL certificate was sent`). The detail lists
the CAs the server accepts client certificates from, when it names them. **Fix:** configure
`cert-auth` for this connection."##,
};

pub static TLS_CLIENT_CERT_REJECTED: ProbeCode = ProbeCode {
    name: "tls-client-cert-rejected",
    group: Group::Tls,
    summary: "the server rejected the client certificate that was sent (an alert such as `bad_certificate` or `unknown_ca`, or nginx' `400 The SSL certificate error`)",
    docs: r##"**What:** the server rejected the client certificate that was sent (an alert such as
`bad_certificate` or `unknown_ca`, or nginx' `400 The SSL certificate error`). **Why:** its issuer
is not among the CAs the server trusts for clients, or it expired. **Fix:** use a client
certificate issued by a CA the server trusts, or add that CA to the server's client trust."##,
};

pub static TLS_HANDSHAKE: ProbeCode = ProbeCode {
    name: "tls-handshake-failed",
    group: Group::Tls,
    summary: "the TLS handshake failed otherwise: the port does not speak TLS (an `https://` URL at a plain-HTTP port), no common protocol version or cipher suite, or the server closed the connection",
    docs: r##"**What:** the TLS handshake failed otherwise: the port does not speak TLS (an `https://` URL at a
plain-HTTP port), no common protocol version or cipher suite, or the server closed the
connection. **Fix:** check the scheme and port of `base-url`; the detail has the alert or error."##,
};

/// What the peer showed during the handshake.
#[derive(Debug, Default)]
struct Observed {
    /// The server's chain as sent, leaf first (DER).
    presented: Vec<Vec<u8>>,
    client_auth_requested: bool,
    /// Distinguished names of the CAs the server accepts client certificates from.
    acceptable_issuers: Vec<String>,
    client_cert_offered: bool,
    /// The server's certificate is itself in the trust store (accepted as is).
    trusted_leaf: bool,
    /// The server's certificate is a CA certificate, accepted by the JDK's rules ([`super::pkix`]).
    ca_leaf: bool,
    /// Why HttpClient's host name check failed.
    name_mismatch: Option<super::hostname::Mismatch>,
}

/// A client config for one connection plus what it observes.
pub(crate) struct TlsSetup {
    pub config: Arc<ClientConfig>,
    observed: Arc<Mutex<Observed>>,
    trust_source: Piece,
    trust_subjects: Vec<String>,
    client: Option<Summary>,
    now: i64,
}

/// The parts of a certificate messages name.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    pub subject: String,
    pub issuer: String,
    pub not_before: i64,
    pub not_after: i64,
    /// DNS names and IP addresses of the subject alternative names.
    pub names: Vec<String>,
}

pub(crate) fn summary(der: &[u8]) -> Option<Summary> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let names = super::hostname::names(der)
        .map(|n| {
            let mut v = n.dns;
            v.extend(n.ips.iter().map(|i| format!("IP {i}")));
            v
        })
        .unwrap_or_default();
    Some(Summary {
        subject: name_text(&cert.subject().to_string()),
        issuer: name_text(&cert.issuer().to_string()),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        names,
    })
}

fn name_text(s: &str) -> String {
    if s.is_empty() {
        "(empty name)".into()
    } else {
        s.to_string()
    }
}

fn date(unix: i64) -> String {
    crate::crypto::date(unix)
}

/// The JDK's trust decision (PKIX as `SunJSSE` makes it for Jersey's `SslConfigurator`) and
/// HttpClient 4's host name check, in the order the server makes them:
///
/// 1. A server certificate that is itself in the trust store (byte for byte) is accepted as is:
///    `PKIXValidator.engineValidate` returns at once, and `Validator.validate` skips the end-entity
///    checks for such a chain of one. No dates, no key usage, no CA flag are looked at (a
///    self-signed `openssl req -x509` certificate as its own trust store, measured with Java 17).
/// 2. Otherwise the chain is built from the certificates the server sent to a trusted root and
///    checked (dates, signatures, CA flags, extended key usage `serverAuth` when present): webpki
///    does this part.
/// 3. Then the host name, by HttpClient's `DefaultHostnameVerifier` ([`super::hostname`]), never by
///    webpki (which knows no CN fallback).
///
/// The signature of the handshake is verified with the server certificate's key either way.
#[derive(Debug)]
struct JdkVerifier {
    roots: Arc<rustls::RootCertStore>,
    /// The trust store's certificates as given (DER).
    anchors: Vec<Vec<u8>>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
    observed: Arc<Mutex<Observed>>,
    now: UnixTime,
}

impl ServerCertVerifier for JdkVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let trusted_leaf = self.anchors.iter().any(|a| a == end_entity.as_ref());
        if let Ok(mut o) = self.observed.lock() {
            o.presented = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.as_ref().to_vec())
                .collect();
            o.trusted_leaf = trusted_leaf;
        }
        if !trusted_leaf {
            // only the clock is ours (`ProbeOptions::now`)
            let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
            match rustls::client::verify_server_cert_signed_by_trust_anchor(
                &parsed,
                &self.roots,
                intermediates,
                self.now,
                self.algorithms.all,
            ) {
                Ok(()) => {}
                // webpki's one refusal the JDK does not share: its own path check decides
                Err(rustls::Error::InvalidCertificate(CertificateError::Other(e)))
                    if e.to_string().contains("CaUsedAsEndEntity") =>
                {
                    let others: Vec<&[u8]> = intermediates.iter().map(|c| c.as_ref()).collect();
                    let now = i64::try_from(self.now.as_secs()).unwrap_or(i64::MAX);
                    super::pkix::verify_ca_leaf(end_entity.as_ref(), &others, &self.anchors, now)
                        .map_err(rustls::Error::InvalidCertificate)?;
                    if let Ok(mut o) = self.observed.lock() {
                        o.ca_leaf = true;
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let names = super::hostname::names(end_entity.as_ref()).ok_or(
            rustls::Error::InvalidCertificate(CertificateError::BadEncoding),
        )?;
        let (host, ip) = match server_name {
            ServerName::DnsName(d) => (d.as_ref().to_string(), None),
            ServerName::IpAddress(a) => {
                let ip = std::net::IpAddr::from(*a);
                (ip.to_string(), Some(ip))
            }
            _ => (String::new(), None),
        };
        if let Err(m) = super::hostname::verify(&names, &host, ip) {
            if let Ok(mut o) = self.observed.lock() {
                o.name_mismatch = Some(m);
            }
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName,
            ));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[derive(Debug)]
struct ClientCert {
    key: Option<Arc<CertifiedKey>>,
    observed: Arc<Mutex<Observed>>,
}

impl ResolvesClientCert for ClientCert {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        if let Ok(mut o) = self.observed.lock() {
            o.client_auth_requested = true;
            o.client_cert_offered = self.key.is_some();
            o.acceptable_issuers = root_hint_subjects
                .iter()
                .filter_map(|der| X509Name::from_der(der).ok().map(|(_, n)| n.to_string()))
                .collect();
        }
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TlsSetup {
    pub(crate) fn new(
        trust: &TrustRoots,
        identity: Option<&ClientIdentity>,
        now: SystemTime,
    ) -> Result<TlsSetup, Failure> {
        let provider = provider();
        let mut roots = rustls::RootCertStore::empty();
        let mut trust_subjects = Vec::new();
        for der in &trust.certificates {
            if roots.add(CertificateDer::from(der.clone())).is_ok() {
                trust_subjects
                    .push(summary(der).map_or_else(|| "(unreadable)".into(), |s| s.subject));
            }
        }
        if roots.is_empty() {
            return Err(Failure::new(
                &codes::TRUST_STORE,
                text!(
                    "no usable root certificate in {} (the server trusts exactly these)",
                    source_text(&trust.source)
                ),
            ));
        }
        let unix = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let observed = Arc::new(Mutex::new(Observed::default()));
        let verifier = JdkVerifier {
            roots: Arc::new(roots),
            anchors: trust.certificates.clone(),
            algorithms: provider.signature_verification_algorithms,
            observed: observed.clone(),
            now: UnixTime::since_unix_epoch(unix),
        };
        let (key, client) = match identity {
            Some(id) => {
                let (k, s) = certified_key(id, &provider)?;
                (Some(k), Some(s))
            }
            None => (None, None),
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Failure::new(&codes::TLS_HANDSHAKE, Piece::own(e.to_string())))?
            // "dangerous" only by name: the JDK's decisions, webpki for the chain ([`JdkVerifier`])
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_client_cert_resolver(Arc::new(ClientCert {
                key,
                observed: observed.clone(),
            }));
        Ok(TlsSetup {
            config: Arc::new(config),
            observed,
            trust_source: source_text(&trust.source),
            trust_subjects,
            client,
            now: i64::try_from(unix.as_secs()).unwrap_or(i64::MAX),
        })
    }

    fn observed(&self) -> Observed {
        match self.observed.lock() {
            Ok(o) => Observed {
                presented: o.presented.clone(),
                client_auth_requested: o.client_auth_requested,
                acceptable_issuers: o.acceptable_issuers.clone(),
                client_cert_offered: o.client_cert_offered,
                trusted_leaf: o.trusted_leaf,
                ca_leaf: o.ca_leaf,
                name_mismatch: o.name_mismatch.as_ref().map(|m| super::hostname::Mismatch {
                    compared: m.compared.clone(),
                    cn_fallback: m.cn_fallback,
                }),
            },
            Err(_) => Observed::default(),
        }
    }

    pub(crate) fn describe_success(&self, conn: &rustls::ClientConnection) -> Text {
        let version = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2",
            _ => "TLS",
        };
        let o = self.observed();
        let mut out = Text::from(version);
        if let Some(leaf) = o.presented.first().and_then(|d| summary(d)) {
            out.push(text!(
                ", server certificate {} issued by {}, valid until {}",
                Piece::remote(&leaf.subject),
                Piece::remote(&leaf.issuer),
                Piece::own(date(leaf.not_after))
            ));
            if o.ca_leaf {
                out.push(
                    "; it is a CA certificate (basicConstraints CA:TRUE), which the server's Java accepts as a server certificate (browsers and curl do not)",
                );
            }
            if o.trusted_leaf {
                out.push(
                    "; the certificate itself is in the trust store, which the server's Java accepts as is (no chain, dates or key usage checked)",
                );
                if leaf.not_after < self.now || leaf.not_before > self.now {
                    out.push(text!(
                        "; it is not valid today ({} to {}): the BPE still connects, other clients will not",
                        Piece::own(date(leaf.not_before)),
                        Piece::own(date(leaf.not_after))
                    ));
                }
            }
        }
        match (&self.client, o.client_auth_requested) {
            (Some(c), true) => out.push(text!(
                "; client certificate {} sent",
                Piece::value(&c.subject)
            )),
            (Some(c), false) => out.push(text!(
                "; the server did not ask for the client certificate {} (yet)",
                Piece::value(&c.subject)
            )),
            (None, true) => {
                out.push("; the server asked for a client certificate, none is configured")
            }
            (None, false) => {}
        }
        out
    }

    /// A failed handshake.
    pub(crate) fn explain(&self, err: &rustls::Error, host: &str) -> Failure {
        let o = self.observed();
        let leaf = o.presented.first().and_then(|d| summary(d));
        let leaf_text = leaf.as_ref().map_or_else(
            || Text::from("the server's certificate"),
            |l| text!("the server's certificate {}", Piece::remote(&l.subject)),
        );
        match err {
            rustls::Error::InvalidCertificate(ce) => match ce {
                CertificateError::UnknownIssuer => self.unknown_issuer(&o),
                // a trusted certificate of the issuer's name whose key did not sign: the JDK
                // finds no path either ("unable to find valid certification path")
                CertificateError::BadSignature
                    if o.presented
                        .iter()
                        .filter_map(|d| summary(d))
                        .any(|c| self.trust_subjects.contains(&c.issuer)) =>
                {
                    let mut f = self.unknown_issuer(&o);
                    f.detail.push(
                        " (the trust store holds a certificate of the issuer's name, but with another key: was the server's certificate or its CA made anew?)",
                    );
                    f
                }
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    let expired = o
                        .presented
                        .iter()
                        .filter_map(|d| summary(d))
                        .find(|s| s.not_after < self.now);
                    let text = match expired {
                        Some(s) => text!(
                            "the certificate {} (issued by {}) expired on {} (valid from {}); today is {}",
                            Piece::remote(&s.subject),
                            Piece::remote(&s.issuer),
                            Piece::own(date(s.not_after)),
                            Piece::own(date(s.not_before)),
                            Piece::own(date(self.now))
                        ),
                        None => text!("{} has expired", leaf_text),
                    };
                    Failure::new(
                        &codes::TLS_EXPIRED,
                        text!("{}: renew it on the server", text),
                    )
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    let early = o
                        .presented
                        .iter()
                        .filter_map(|d| summary(d))
                        .find(|s| s.not_before > self.now);
                    let text = match early {
                        Some(s) => text!(
                            "the certificate {} is valid only from {}; today is {} (check the clocks of both hosts)",
                            Piece::remote(&s.subject),
                            Piece::own(date(s.not_before)),
                            Piece::own(date(self.now))
                        ),
                        None => text!("{} is not valid yet", leaf_text),
                    };
                    Failure::new(&codes::TLS_NOT_YET_VALID, text)
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    let holds = match &o.name_mismatch {
                        Some(m) if m.cn_fallback => match m.compared.first() {
                            Some(cn) => text!(
                                "has no subject alternative name (DNS or IP), so the server compares its {}",
                                Piece::remote(cn)
                            ),
                            None => Text::from(
                                "has neither a subject alternative name (DNS or IP) nor a CN",
                            ),
                        },
                        Some(m) if m.compared.is_empty() => {
                            Text::from("holds no subject alternative name of this kind")
                        }
                        Some(m) => text!(
                            "holds {}{}",
                            Piece::remote(&m.compared.join(", ")),
                            if target_is_ip(host) {
                                " (for an IP address in base-url the server compares only IP subject alternative names)"
                            } else {
                                " (subject alternative names; the CN is not compared when there are any)"
                            }
                        ),
                        None => {
                            let names = leaf.as_ref().map(|l| l.names.clone()).unwrap_or_default();
                            if names.is_empty() {
                                Text::from(
                                    "holds no DNS name or IP address (subject alternative names)",
                                )
                            } else {
                                text!("holds {}", Piece::remote(&names.join(", ")))
                            }
                        }
                    };
                    Failure::new(
                        &codes::TLS_NAME_MISMATCH,
                        text!(
                            "{} {}, not `{}`: use one of its names in base-url (and --resolve NAME:PORT:ADDRESS to reach it at another address)",
                            leaf_text,
                            holds,
                            Piece::value(host)
                        ),
                    )
                }
                other => Failure::new(
                    &codes::TLS_BAD_CERTIFICATE,
                    text!(
                        "{} is not acceptable: {}",
                        leaf_text,
                        certificate_problem(other)
                    ),
                ),
            },
            rustls::Error::AlertReceived(alert) => self.alert(*alert, true),
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                Failure::new(
                    &codes::TLS_HANDSHAKE,
                    text!(
                        "the server does not speak TLS here (its answer is not a TLS record): does the port serve plain http://?"
                    ),
                )
            }
            rustls::Error::PeerIncompatible(_) => Failure::new(
                &codes::TLS_HANDSHAKE,
                text!(
                    "no TLS version, cipher suite or key exchange in common with the server; the probe offers TLS 1.2 and 1.3 with the usual ECDHE suites, as the server's Java does"
                ),
            ),
            other => Failure::new(
                &codes::TLS_HANDSHAKE,
                text!("TLS handshake failed: {}", tls_problem(other)),
            ),
        }
    }

    fn unknown_issuer(&self, o: &Observed) -> Failure {
        let chain: Vec<Summary> = o.presented.iter().filter_map(|d| summary(d)).collect();
        let trusted = text!(
            "{} ({} certificate{}: {})",
            self.trust_source.clone(),
            self.trust_subjects.len(),
            if self.trust_subjects.len() == 1 {
                ""
            } else {
                "s"
            },
            Piece::value(&self.trust_subjects.join("; "))
        );
        let Some(leaf) = chain.first() else {
            return Failure::new(
                &codes::TLS_UNKNOWN_ISSUER,
                text!(
                    "the server's certificate does not lead to a root in {}",
                    trusted
                ),
            );
        };
        let mut text = if leaf.subject == leaf.issuer {
            text!(
                "the server's certificate {} is self-signed and not among {}",
                Piece::remote(&leaf.subject),
                trusted
            )
        } else {
            let top = chain.last().map_or(&leaf.issuer, |c| &c.issuer);
            text!(
                "the server's certificate {} is issued by {}; the chain ends at {}, which is not in {}",
                Piece::remote(&leaf.subject),
                Piece::remote(&leaf.issuer),
                Piece::remote(top),
                trusted
            )
        };
        if chain.len() == 1 && leaf.subject != leaf.issuer {
            text.push(text!(
                "; the server sent no intermediate certificate: if {} is an intermediate CA, configure the server to send its chain",
                Piece::remote(&leaf.issuer)
            ));
        } else if chain.len() > 1 {
            let sent = join(
                chain[1..].iter().map(|c| {
                    text!(
                        "{} (issued by {})",
                        Piece::remote(&c.subject),
                        Piece::remote(&c.issuer)
                    )
                }),
                ", ",
            );
            text.push(text!("; the server also sent {}", sent));
        }
        text.push(": add the root CA of that chain to the trust store");
        Failure::new(&codes::TLS_UNKNOWN_ISSUER, text)
    }

    /// An alert from the server. `during`: still in the handshake (else the server's verdict
    /// arrived with the first read, as with TLS 1.3 client certificates).
    fn alert(&self, alert: AlertDescription, during: bool) -> Failure {
        let o = self.observed();
        let name = alert_name(alert);
        let client = self.client.as_ref();
        let issuers = if o.acceptable_issuers.is_empty() {
            Text::new()
        } else {
            text!(
                "; it accepts client certificates issued by: {}",
                Piece::remote(&o.acceptable_issuers.join("; "))
            )
        };
        let when = if during {
            "during the TLS handshake"
        } else {
            "right after the TLS handshake"
        };
        match alert {
            AlertDescription::CertificateRequired => Failure::new(
                &codes::TLS_CLIENT_CERT_REQUIRED,
                text!(
                    "the server requires a client certificate and none is configured (cert-auth) (alert {} {}){}",
                    Piece::own(name.as_str()),
                    when,
                    issuers
                ),
            ),
            AlertDescription::BadCertificate
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnknownCA
            | AlertDescription::AccessDenied
            | AlertDescription::DecryptError
            | AlertDescription::HandshakeFailure
                if o.client_auth_requested =>
            {
                match client {
                    Some(c) if o.client_cert_offered => Failure::new(
                        &codes::TLS_CLIENT_CERT_REJECTED,
                        text!(
                            "the server rejected the client certificate {} (issued by {}, valid until {}) with alert {} {}{}",
                            Piece::value(&c.subject),
                            Piece::value(&c.issuer),
                            Piece::own(date(c.not_after)),
                            Piece::own(name.as_str()),
                            when,
                            issuers
                        ),
                    ),
                    _ => Failure::new(
                        &codes::TLS_CLIENT_CERT_REQUIRED,
                        text!(
                            "the server asked for a client certificate, none was sent, and it ended the session with alert {} {}{}",
                            Piece::own(name.as_str()),
                            when,
                            issuers
                        ),
                    ),
                }
            }
            _ => Failure::new(
                &codes::TLS_HANDSHAKE,
                text!(
                    "the server ended the TLS session with alert {} {}",
                    Piece::own(name.as_str()),
                    when
                ),
            ),
        }
    }

    /// A TLS error that surfaced while reading the HTTP response.
    pub(crate) fn explain_after_handshake(&self, err: &rustls::Error) -> Failure {
        match err {
            rustls::Error::AlertReceived(a) => self.alert(*a, false),
            other => Failure::new(
                &codes::TLS_HANDSHAKE,
                text!("TLS failed: {}", tls_problem(other)),
            ),
        }
    }

    /// An I/O error (not TLS) during the handshake: mostly the server closing the connection.
    pub(crate) fn explain_io(&self, err: &std::io::Error) -> Failure {
        let hint = self
            .client_auth_hint()
            .map(|h| text!(" ({})", h))
            .unwrap_or_default();
        Failure::new(
            &codes::TLS_HANDSHAKE,
            text!(
                "the connection ended during the TLS handshake: {}{}; does the port speak TLS?",
                Piece::remote(&super::words::chain_text(err)),
                hint
            ),
        )
    }

    /// When the server asked for a client certificate: what we sent.
    pub(crate) fn client_auth_hint(&self) -> Option<Text> {
        let o = self.observed();
        if !o.client_auth_requested {
            return None;
        }
        Some(match (&self.client, o.client_cert_offered) {
            (Some(c), true) => text!(
                "the server asked for a client certificate; {} was sent",
                Piece::value(&c.subject)
            ),
            _ => Text::from("the server asked for a client certificate and none is configured"),
        })
    }

    /// The configured client certificate, for messages about 401/403.
    pub(crate) fn client_subject(&self) -> Option<&str> {
        self.client.as_ref().map(|c| c.subject.as_str())
    }

    pub(crate) fn client_auth_requested(&self) -> bool {
        self.observed().client_auth_requested
    }
}

fn target_is_ip(host: &str) -> bool {
    host.trim_matches(|c| c == '[' || c == ']')
        .parse::<std::net::IpAddr>()
        .is_ok()
}

/// A certificate the chain check rejected, in the operator's words (never rustls' or webpki's
/// Debug names, which the `Other` variant would print).
fn certificate_problem(e: &CertificateError) -> &'static str {
    match e {
        CertificateError::BadEncoding => "it is not a well-formed X.509 certificate",
        CertificateError::BadSignature => {
            "a signature in its chain does not verify (a certificate was altered, or signed by another key than its issuer's)"
        }
        CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "a certificate of its chain is signed with an algorithm the probe does not verify (RSA PKCS#1/PSS with SHA-256/384/512, ECDSA P-256/P-384 and Ed25519 are supported): the server's Java may still accept it"
        }
        CertificateError::Revoked => "it is revoked",
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "its extended key usage does not allow TLS server use (serverAuth): reissue it for servers"
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => "it has expired",
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "it is not valid yet"
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "it is not issued for this host name"
        }
        CertificateError::Other(o) => {
            // webpki's reasons, by name (its error type is not ours to match on)
            let name = o.to_string();
            let words = [
                (
                    "EndEntityUsedAsCa",
                    "a certificate the chain uses as a CA is not a CA certificate (no basicConstraints CA:TRUE)",
                ),
                (
                    "KeyUsageNoDigitalSignature",
                    "its key usage does not allow digital signatures, which the TLS handshake needs: reissue it with keyUsage digitalSignature",
                ),
                (
                    "PathLenConstraintViolated",
                    "the chain is longer than a CA's path length constraint allows",
                ),
                (
                    "NameConstraintViolation",
                    "a CA's name constraints do not allow the names in the server certificate",
                ),
                (
                    "UnsupportedCertVersion",
                    "it is not an X.509 version 3 certificate",
                ),
                (
                    "UnsupportedCriticalExtension",
                    "it has a critical extension the probe does not know",
                ),
                (
                    "MaximumPathBuildCallsExceeded",
                    "the chain the server sent is too complex to build a path through",
                ),
                (
                    "RequiredEkuNotFound",
                    "its extended key usage does not allow TLS server use (serverAuth)",
                ),
            ];
            words
                .iter()
                .find(|(k, _)| name.contains(k))
                .map_or("its chain is not acceptable", |(_, w)| w)
        }
        _ => "its chain is not acceptable",
    }
}

/// A TLS error other than a certificate's, in the operator's words.
pub(crate) fn tls_problem(e: &rustls::Error) -> &'static str {
    match e {
        rustls::Error::PeerMisbehaved(_) => "the server broke the TLS protocol",
        rustls::Error::DecryptError => "a TLS record could not be decrypted",
        rustls::Error::NoCertificatesPresented => "the server sent no certificate",
        rustls::Error::InvalidCertificate(_) => "the server's certificate is not acceptable",
        rustls::Error::InvalidCertRevocationList(_) => "a revocation list is not usable",
        rustls::Error::EncryptError | rustls::Error::FailedToGetRandomBytes => {
            "a local cryptographic operation failed"
        }
        rustls::Error::HandshakeNotComplete => "the handshake did not complete",
        _ => "the TLS session ended with an error",
    }
}

fn source_text(source: &str) -> Piece {
    if source.is_empty() {
        Piece::from("the trust store")
    } else {
        Piece::value(source)
    }
}

fn alert_name(a: AlertDescription) -> String {
    // rustls' Debug names are CamelCase (`BadCertificate`); operators know the RFC's names
    let camel = format!("{a:?}");
    let mut out = String::new();
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out.replace("unknown_c_a", "unknown_ca")
}

fn certified_key(
    id: &ClientIdentity,
    provider: &rustls::crypto::CryptoProvider,
) -> Result<(Arc<CertifiedKey>, Summary), Failure> {
    let der = id.key.der.expose().to_vec();
    let key = match id.key.format {
        KeyFormat::Pkcs8 => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
        KeyFormat::Pkcs1 => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
        KeyFormat::Sec1 => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)),
    };
    // the provider's error would not name the key, but say nothing of its bytes either
    let signing = provider.key_provider.load_private_key(key).map_err(|_| {
        Failure::new(
            &codes::CLIENT_IDENTITY,
            "the client key cannot be used for TLS (rustls/ring accept RSA, ECDSA P-256/P-384 and Ed25519 keys)",
        )
    })?;
    let Some(leaf) = id.chain.first() else {
        return Err(Failure::new(
            &codes::CLIENT_IDENTITY,
            "the client certificate chain is empty",
        ));
    };
    let summary = summary(leaf).ok_or_else(|| {
        Failure::new(
            &codes::CLIENT_IDENTITY,
            "the client certificate is not a valid X.509 certificate",
        )
    })?;
    let chain = id
        .chain
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    Ok((Arc::new(CertifiedKey::new(chain, signing)), summary))
}

/// The name TLS verifies: the URL's host (also with `--resolve`, like curl).
pub(crate) fn server_name(target: &Target) -> Result<ServerName<'static>, Text> {
    match target.ip {
        Some(ip) => Ok(ServerName::IpAddress(ip.into())),
        None => ServerName::try_from(target.host.clone()).map_err(|_| {
            text!(
                "`{}` is not a valid host name for TLS",
                Piece::value(&target.host)
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_read_like_the_rfc() {
        assert_eq!(
            alert_name(AlertDescription::BadCertificate),
            "bad_certificate"
        );
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::CertificateRequired),
            "certificate_required"
        );
    }
}
