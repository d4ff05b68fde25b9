//! Key material as the server reads it (crypto-utils' PemReader, KeyPairValidator,
//! CertificateValidator and the JDK PKCS#12 keystore), on well-kept crates: `pem` for the
//! envelopes, x509-parser for certificates, RustCrypto's pkcs8/pkcs1/sec1 for keys (PBES2
//! decryption included), p256/p384 to derive EC public keys, p12-keystore for PKCS#12.
//! Nothing here prints key material; errors say what is wrong, never what the bytes are.

pub mod kdf;
pub mod legacy;
mod p12;
mod p12_open;
pub use p12_open::open_without_password as pkcs12_without_password;

use crate::secrets::SecretBytes;

use der::Decode;
use x509_parser::prelude::*;

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

/// What identifies a key pair's public half, for matching a private key to a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicId {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        curve: String,
        point: Vec<u8>,
    },
    /// An algorithm we cannot compare (Ed25519, P-521, DSA...), by OID.
    Other(String),
}

impl PublicId {
    /// Whether both are the same public key (an EC key without named curve matches by point).
    pub fn same_key(&self, other: &PublicId) -> bool {
        match (self, other) {
            (PublicId::Ec { curve: a, point: p }, PublicId::Ec { curve: b, point: q }) => {
                p == q && (a == b || a.is_empty() || b.is_empty())
            }
            (a, b) => a == b,
        }
    }

    pub fn algorithm(&self) -> &'static str {
        match self {
            PublicId::Rsa { .. } => "RSA",
            PublicId::Ec { .. } => "EC",
            PublicId::Other(_) => "other",
        }
    }
}

/// The server's client-certificate test (crypto-utils 5.2.1 `isClientCertificate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientCheck {
    Ok,
    NoKeyUsage,
    NoDigitalSignature,
    /// Key usage with digitalSignature but no extended key usage: the server throws.
    NoExtendedKeyUsage,
    NoClientAuth,
}

#[derive(Debug, Clone)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// The certificate itself (DER), for a TLS library.
    pub der: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    pub client: ClientCheck,
    pub public: PublicId,
}

impl CertInfo {
    /// `YYYY-MM-DD` of the end of validity.
    pub fn not_after_date(&self) -> String {
        date(self.not_after)
    }
    pub fn not_before_date(&self) -> String {
        date(self.not_before)
    }
}

pub fn date(unix: i64) -> String {
    // days since 1970-01-01 to a civil date (Howard Hinnant's algorithm)
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b[i..].to_vec()
}

pub fn parse_certificate(der_bytes: &[u8]) -> Result<CertInfo, String> {
    let (_, cert) = X509Certificate::from_der(der_bytes)
        .map_err(|_| "not a valid X.509 certificate".to_string())?;
    let ku = cert
        .key_usage()
        .ok()
        .flatten()
        .map(|k| k.value.digital_signature());
    let eku = cert
        .extended_key_usage()
        .ok()
        .flatten()
        .map(|e| e.value.client_auth);
    let client = match (ku, eku) {
        (None, _) => ClientCheck::NoKeyUsage,
        (Some(false), _) => ClientCheck::NoDigitalSignature,
        (Some(true), None) => ClientCheck::NoExtendedKeyUsage,
        (Some(true), Some(false)) => ClientCheck::NoClientAuth,
        (Some(true), Some(true)) => ClientCheck::Ok,
    };
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    let public = match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(k)) => PublicId::Rsa {
            n: strip_zeros(k.modulus),
            e: strip_zeros(k.exponent),
        },
        Ok(x509_parser::public_key::PublicKey::EC(p)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|a| a.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            PublicId::Ec {
                point: normalize_point(&curve, p.data()),
                curve,
            }
        }
        _ => PublicId::Other(alg),
    };
    Ok(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        der: der_bytes.to_vec(),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        client,
        public,
    })
}

/// Uncompressed SEC1 encoding, so compressed and uncompressed forms compare equal.
fn normalize_point(curve: &str, point: &[u8]) -> Vec<u8> {
    let full = match curve {
        OID_P256 => p256::PublicKey::from_sec1_bytes(point)
            .ok()
            .map(|k| k.to_sec1_bytes().to_vec()),
        OID_P384 => p384::PublicKey::from_sec1_bytes(point)
            .ok()
            .map(|k| k.to_sec1_bytes().to_vec()),
        _ => None,
    };
    full.unwrap_or_else(|| point.to_vec())
}

/// Why a file of certificates (trust store or client chain) is not what the server needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertsError {
    /// A file of 0 bytes (the server says "file empty").
    EmptyFile,
    NoCertificates,
    /// The n-th PEM object (1-based) is of another type.
    NotACertificate {
        index: usize,
        label: String,
    },
    Unparsable {
        index: usize,
        reason: String,
    },
}

impl CertsError {
    pub fn describe(&self) -> String {
        match self {
            CertsError::EmptyFile => "the file is empty".into(),
            CertsError::NoCertificates => {
                "it holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)".into()
            }
            CertsError::NotACertificate { index, label } => {
                format!("PEM object {index} is a `{label}`, not a certificate")
            }
            CertsError::Unparsable { index, reason } => format!("certificate {index}: {reason}"),
        }
    }
}

/// All PEM objects must be certificates, at least one (crypto-utils `PemReader.readCertificates`).
pub fn certificates(data: &[u8]) -> Result<Vec<CertInfo>, CertsError> {
    if data.is_empty() {
        return Err(CertsError::EmptyFile);
    }
    let objects = ::pem::parse_many(data).map_err(|_| CertsError::NoCertificates)?;
    if objects.is_empty() {
        return Err(CertsError::NoCertificates);
    }
    let mut out = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        if !matches!(o.tag(), "CERTIFICATE" | "X509 CERTIFICATE") {
            return Err(CertsError::NotACertificate {
                index: i + 1,
                label: o.tag().to_string(),
            });
        }
        out.push(
            parse_certificate(o.contents()).map_err(|reason| CertsError::Unparsable {
                index: i + 1,
                reason,
            })?,
        );
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// No PEM block at all: the server hits a NullPointerException.
    NoPem,
    /// The first PEM object is not a private key.
    NotAKey(String),
    /// Encrypted, but no password was given.
    NeedsPassword,
    WrongPassword,
    Invalid(String),
    /// A form the server reads but this tool cannot check (reported as a warning).
    Unverifiable(String),
    /// Its key derivation is over a limit of this tool: not decrypted (a warning).
    TooCostly(kdf::TooCostly),
}

/// The encoding of decoded private-key DER, as TLS libraries name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    Pkcs8,
    Pkcs1,
    Sec1,
}

/// A decrypted private key: its DER (secret) and the public half, to match a certificate.
#[derive(Debug, Clone)]
pub struct PrivateKey {
    pub format: KeyFormat,
    pub der: SecretBytes,
    pub public: PublicId,
}

fn key(format: KeyFormat, der: &[u8], public: PublicId) -> PrivateKey {
    PrivateKey {
        format,
        der: SecretBytes::new(der.to_vec()),
        public,
    }
}

/// The key derivation of PBES2 parameters, to price it before it runs.
pub fn pbes2_kdf(params: &pkcs5::pbes2::Parameters) -> kdf::Kdf {
    use pkcs5::pbes2::{Kdf, Pbkdf2Prf};
    match &params.kdf {
        Kdf::Pbkdf2(p) => kdf::Kdf::Pbkdf2 {
            prf: match p.prf {
                Pbkdf2Prf::HmacWithSha1 => kdf::Hash::Sha1,
                Pbkdf2Prf::HmacWithSha224 => kdf::Hash::Sha224,
                Pbkdf2Prf::HmacWithSha256 => kdf::Hash::Sha256,
                Pbkdf2Prf::HmacWithSha384 => kdf::Hash::Sha384,
                // SHA-512 and whatever a later version adds: priced as the dearest
                _ => kdf::Hash::Sha512,
            },
            iterations: u64::from(p.iteration_count),
            key_len: p
                .key_length
                .map_or(params.encryption.key_size() as u64, u64::from),
        },
        Kdf::Scrypt(p) => kdf::Kdf::Scrypt {
            n: p.cost_parameter,
            r: u64::from(p.block_size),
            p: u64::from(p.parallelization),
        },
        // a KDF of a later version of the crate: its decryption fails as unsupported
        _ => kdf::Kdf::Pbkdf2 {
            prf: kdf::Hash::Sha256,
            iterations: 0,
            key_len: 0,
        },
    }
}

/// The first PEM object of a private key file, decrypted with `password` when encrypted; the
/// key derivation is charged to `meter` before it runs.
pub fn private_key(
    data: &[u8],
    password: Option<&[u8]>,
    meter: &mut kdf::Meter,
) -> Result<PrivateKey, KeyError> {
    let first = ::pem::parse_many(data)
        .ok()
        .and_then(|v| v.into_iter().next())
        .ok_or(KeyError::NoPem)?;
    let body = first.contents();
    match first.tag() {
        "PRIVATE KEY" => pkcs8_public(body).map(|p| key(KeyFormat::Pkcs8, body, p)),
        "ENCRYPTED PRIVATE KEY" => {
            let password = password.ok_or(KeyError::NeedsPassword)?;
            let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(body).map_err(|_| {
                match encryption_oid(body) {
                    // PKCS#12 PBE (1.2.840.113549.1.12.1.*) or PBES1 (1.2.840.113549.1.5.*):
                    // read by the server, not decrypted here
                    Some(oid)
                        if oid.starts_with("1.2.840.113549.1.12.1.")
                            || oid.starts_with("1.2.840.113549.1.5.") =>
                    {
                        KeyError::Unverifiable(format!(
                            "the key is encrypted with a PKCS#12 or PKCS#5 v1 scheme ({oid}), which this tool cannot decrypt"
                        ))
                    }
                    _ => KeyError::Invalid("not a valid encrypted PKCS#8 key".into()),
                }
            })?;
            let Some(params) = info.encryption_algorithm.pbes2() else {
                return Err(KeyError::Unverifiable(
                    "the key is encrypted with a PKCS#12 PBE scheme, which this tool cannot decrypt"
                        .into(),
                ));
            };
            // priced and bounded before any of it runs (scrypt allocates what N and r ask)
            meter
                .charge(&pbes2_kdf(params))
                .map_err(KeyError::TooCostly)?;
            let plain = info.decrypt(password).map_err(|e| match e {
                pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::UnsupportedAlgorithm {
                    ..
                }) => KeyError::Unverifiable(
                    "the key's encryption algorithm is not supported by this tool".into(),
                ),
                _ => KeyError::WrongPassword,
            })?;
            pkcs8_public(plain.as_bytes())
                .map(|p| key(KeyFormat::Pkcs8, plain.as_bytes(), p))
                .map_err(|e| match e {
                    // garbage after decryption: the password was wrong
                    KeyError::Invalid(_) => KeyError::WrongPassword,
                    other => other,
                })
        }
        label @ ("RSA PRIVATE KEY" | "EC PRIVATE KEY")
            if first.headers().get("Proc-Type").is_some() =>
        {
            let password = password.ok_or(KeyError::NeedsPassword)?;
            let dek = first
                .headers()
                .get("DEK-Info")
                .ok_or_else(|| KeyError::Invalid("an encrypted PEM key without DEK-Info".into()))?;
            let plain = legacy::decrypt(dek, password, body).map_err(|e| match e {
                legacy::LegacyError::Unsupported(c) => KeyError::Unverifiable(format!(
                    "the key is encrypted with {c}, which this tool does not decrypt"
                )),
                legacy::LegacyError::Malformed => {
                    KeyError::Invalid("a malformed DEK-Info header".into())
                }
                legacy::LegacyError::WrongPassword => KeyError::WrongPassword,
            })?;
            let decoded = if label == "RSA PRIVATE KEY" {
                rsa_public(&plain).map(|p| key(KeyFormat::Pkcs1, &plain, p))
            } else {
                sec1_public(&plain, None).map(|p| key(KeyFormat::Sec1, &plain, p))
            };
            // garbage after decryption that happened to pad correctly: a wrong password
            decoded.map_err(|_| KeyError::WrongPassword)
        }
        "RSA PRIVATE KEY" => rsa_public(body).map(|p| key(KeyFormat::Pkcs1, body, p)),
        "EC PRIVATE KEY" => sec1_public(body, None).map(|p| key(KeyFormat::Sec1, body, p)),
        other => Err(KeyError::NotAKey(other.to_string())),
    }
}

/// The encryption algorithm of an `EncryptedPrivateKeyInfo`, whatever its parameters.
fn encryption_oid(body: &[u8]) -> Option<String> {
    use der::{Reader, SliceReader};
    let mut r = SliceReader::new(body).ok()?;
    r.sequence(|r| {
        let alg = pkcs8::spki::AlgorithmIdentifierRef::decode(r)?;
        let _data = <&der::asn1::OctetStringRef>::decode(r)?;
        Ok::<_, der::Error>(alg.oid.to_string())
    })
    .ok()
}

fn pkcs8_public(der_bytes: &[u8]) -> Result<PublicId, KeyError> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der_bytes)
        .map_err(|_| KeyError::Invalid("not a valid PKCS#8 private key".into()))?;
    let oid = info.algorithm.oid.to_string();
    let key = info.private_key.as_bytes();
    match oid.as_str() {
        OID_RSA => rsa_public(key),
        OID_EC => {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                .map(|o| o.to_string());
            sec1_public(key, curve)
        }
        _ => Ok(PublicId::Other(oid)),
    }
}

fn rsa_public(der_bytes: &[u8]) -> Result<PublicId, KeyError> {
    let k = pkcs1::RsaPrivateKeyRef::from_der(der_bytes)
        .map_err(|_| KeyError::Invalid("not a valid RSA private key".into()))?;
    Ok(PublicId::Rsa {
        n: strip_zeros(k.modulus.as_bytes()),
        e: strip_zeros(k.public_exponent.as_bytes()),
    })
}

fn sec1_public(der_bytes: &[u8], curve: Option<String>) -> Result<PublicId, KeyError> {
    let k = sec1::EcPrivateKey::from_der(der_bytes)
        .map_err(|_| KeyError::Invalid("not a valid EC private key".into()))?;
    let curve = curve
        .or_else(|| {
            k.parameters
                .and_then(|p| p.named_curve())
                .map(|o| o.to_string())
        })
        .unwrap_or_default();
    let derived = match curve.as_str() {
        OID_P256 => p256::SecretKey::from_slice(k.private_key)
            .ok()
            .map(|s| s.public_key().to_sec1_bytes().to_vec()),
        OID_P384 => p384::SecretKey::from_slice(k.private_key)
            .ok()
            .map(|s| s.public_key().to_sec1_bytes().to_vec()),
        _ => None,
    };
    match (derived, k.public_key) {
        (Some(point), _) => Ok(PublicId::Ec { curve, point }),
        (None, Some(point)) => Ok(PublicId::Ec {
            point: point.to_vec(),
            curve,
        }),
        (None, None) => Ok(PublicId::Other(format!("EC {curve}"))),
    }
}

#[derive(Debug, Clone)]
pub struct P12Info {
    /// Entries as the JDK counts aliases: key entries and trusted certificates.
    pub entries: usize,
    /// The key entry's certificate chain, leaf first (empty without a key entry).
    pub chain: Vec<CertInfo>,
    /// The key entry's private key (PKCS#8).
    pub key: Option<PrivateKey>,
    /// Opened without a password, as the JDK opens it then (no key decrypted): how many
    /// encrypted safes it passed over.
    pub without_password: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum P12Error {
    WrongPasswordOrCorrupt,
    Invalid(String),
    /// The JDK refuses to open it (an iteration count above its limit): the server cannot.
    Refused(String),
    /// Not opened: a key derivation over a limit of this tool (a warning).
    TooCostly(kdf::TooCostly),
    /// Not opened: a file this tool does not read through (a warning).
    Unverifiable(String),
}

/// A PKCS#12 file opened with `password` as the JDK keystore would (p12-keystore's strict
/// import), every key derivation charged to `meter` before it runs (`p12`).
pub fn pkcs12(data: &[u8], password: &str, meter: &mut kdf::Meter) -> Result<P12Info, P12Error> {
    use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
    let rebuilt = match p12::open(data, password, meter)? {
        p12::Opened::Rebuilt(der) => der,
        p12::Opened::Entries(entries) => {
            return Ok(P12Info {
                entries,
                chain: Vec::new(),
                key: None,
                without_password: None,
            });
        }
    };
    let store = KeyStore::from_pkcs12(&rebuilt, password, Pkcs12ImportPolicy::Strict).map_err(
        |e| match e {
            p12_keystore::error::Error::MacError(_) | p12_keystore::error::Error::UnpadError => {
                P12Error::WrongPasswordOrCorrupt
            }
            p12_keystore::error::Error::DerError(_)
            | p12_keystore::error::Error::InvalidVersion => {
                P12Error::Invalid("not a PKCS#12 file".into())
            }
            _ => P12Error::WrongPasswordOrCorrupt,
        },
    )?;
    let mut chain = Vec::new();
    let mut private = None;
    for (_, entry) in store.entries() {
        if let KeyStoreEntry::PrivateKeyChain(kc) = entry {
            for c in kc.certs() {
                if let Ok(info) = parse_certificate(c.as_der()) {
                    chain.push(info);
                }
            }
            let der = kc.key().as_der();
            private = Some(match pkcs8_public(der) {
                Ok(p) => key(KeyFormat::Pkcs8, der, p),
                Err(_) => key(KeyFormat::Pkcs8, der, PublicId::Other(String::new())),
            });
            break;
        }
    }
    Ok(P12Info {
        entries: store.entries_len(),
        chain,
        key: private,
        without_password: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_798_675_200), "2026-12-31");
    }
}
