//! The JDK's certification path check for the one chain webpki refuses and the JDK accepts: a
//! server certificate that is itself a CA certificate (basicConstraints CA:TRUE), chained to a
//! trusted root. webpki refuses a CA as an end entity (`CaUsedAsEndEntity`); the JDK does not
//! look at the end entity's basic constraints at all (`sun.security.validator.EndEntityChecker`:
//! "basic constraints irrelevant in EE certs"; `sun.security.provider.certpath.ConstraintsChecker`
//! checks them for the certificates above it only). So the path is checked here as
//! `PKIXCertPathValidator` checks it (BasicChecker: dates, signatures, name chaining;
//! ConstraintsChecker: CA:TRUE and path length above the leaf; KeyChecker: keyCertSign above the
//! leaf), and the leaf as `EndEntityChecker.checkTLSServer` checks it for an ECDHE or TLS 1.3
//! handshake (key usage digitalSignature and extended key usage serverAuth, each when present).

use rustls::CertificateError;
use std::sync::Arc;
use x509_parser::prelude::*;

/// Certificates a path may hold above the leaf: the JDK's default `jdk.tls.maxCertificateChainLength`
/// is 10.
const MAX_DEPTH: usize = 10;

/// extendedKeyUsage values `checkTLSServer` takes for serverAuth: anyExtendedKeyUsage,
/// Microsoft's and Netscape's Server-Gated-Cryptography.
const SERVER_EKU_EQUIVALENTS: &[&str] = &[
    "2.5.29.37.0",
    "1.3.6.1.4.1.311.10.3.3",
    "2.16.840.1.113730.4.1",
];

/// A reason of ours, named like webpki's so that [`super::tls`] words it the same way.
#[derive(Debug)]
struct Reason(&'static str);

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Reason {}

fn other(name: &'static str) -> CertificateError {
    CertificateError::Other(rustls::OtherError(Arc::new(Reason(name))))
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, CertificateError> {
    X509Certificate::from_der(der)
        .map(|(_, c)| c)
        .map_err(|_| CertificateError::BadEncoding)
}

fn dates(c: &X509Certificate<'_>, now: i64) -> Result<(), CertificateError> {
    let v = c.validity();
    if now > v.not_after.timestamp() {
        Err(CertificateError::Expired)
    } else if now < v.not_before.timestamp() {
        Err(CertificateError::NotValidYet)
    } else {
        Ok(())
    }
}

/// `EndEntityChecker.checkTLSServer` for a signature-based key exchange.
fn server_usage(leaf: &X509Certificate) -> Result<(), CertificateError> {
    if let Ok(Some(ku)) = leaf.key_usage()
        && !ku.value.digital_signature()
    {
        return Err(other("KeyUsageNoDigitalSignature"));
    }
    if let Ok(Some(eku)) = leaf.extended_key_usage() {
        let e = &eku.value;
        let equivalent = e
            .other
            .iter()
            .any(|o| SERVER_EKU_EQUIVALENTS.contains(&o.to_id_string().as_str()));
        if !(e.server_auth || e.any || equivalent) {
            return Err(CertificateError::InvalidPurpose);
        }
    }
    Ok(())
}

/// `ConstraintsChecker` and `KeyChecker` for a certificate above the leaf; `below` counts the
/// certificates under it that are not self-issued.
fn as_ca(c: &X509Certificate, below: usize) -> Result<(), CertificateError> {
    match c.basic_constraints() {
        Ok(Some(bc)) if bc.value.ca => {
            if let Some(len) = bc.value.path_len_constraint
                && below > len as usize + 1
            {
                return Err(other("PathLenConstraintViolated"));
            }
        }
        _ => return Err(other("EndEntityUsedAsCa")),
    }
    if let Ok(Some(ku)) = c.key_usage()
        && !ku.value.key_cert_sign()
    {
        return Err(other("EndEntityUsedAsCa"));
    }
    Ok(())
}

fn signed_by(c: &X509Certificate, issuer: &X509Certificate) -> bool {
    c.issuer().as_raw() == issuer.subject().as_raw()
        && c.verify_signature(Some(issuer.public_key())).is_ok()
}

/// Checks `leaf` (a CA certificate) up to one of `anchors` through `intermediates`, as the JDK
/// would; the trust anchor's own dates and extensions are not looked at (PKIX uses only its
/// name and key).
pub(crate) fn verify_ca_leaf(
    leaf: &[u8],
    intermediates: &[&[u8]],
    anchors: &[Vec<u8>],
    now: i64,
) -> Result<(), CertificateError> {
    let leaf = parse(leaf)?;
    server_usage(&leaf)?;
    let anchors: Vec<X509Certificate> = anchors.iter().filter_map(|a| parse(a).ok()).collect();
    let pool: Vec<X509Certificate> = intermediates.iter().filter_map(|d| parse(d).ok()).collect();
    let mut used = vec![false; pool.len()];
    let mut current = &leaf;
    let mut depth = 0;
    loop {
        dates(current, now)?;
        if anchors.iter().any(|a| signed_by(current, a)) {
            return Ok(());
        }
        if depth >= MAX_DEPTH {
            return Err(other("MaximumPathBuildCallsExceeded"));
        }
        let named = pool
            .iter()
            .enumerate()
            .filter(|(i, p)| !used[*i] && current.issuer().as_raw() == p.subject().as_raw());
        let mut next = None;
        let mut named_any = false;
        for (i, p) in named {
            named_any = true;
            if signed_by(current, p) {
                next = Some(i);
                break;
            }
        }
        let Some(i) = next else {
            let issuer_known = named_any
                || anchors
                    .iter()
                    .any(|a| current.issuer().as_raw() == a.subject().as_raw());
            return Err(if issuer_known {
                CertificateError::BadSignature
            } else {
                CertificateError::UnknownIssuer
            });
        };
        used[i] = true;
        depth += 1;
        as_ca(&pool[i], depth)?;
        current = &pool[i];
    }
}
