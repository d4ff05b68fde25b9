//! A PKCS#12 file as the JDK opens it without a password (`KeyStore.load(stream, null)`, what the
//! server does for a `p12-file` with neither `password` nor `password-file`:
//! `config/FhirClientConfigYaml.java:120-125`, crypto-utils' `KeyStoreReader.readPkcs12`).
//! `sun.security.pkcs12.PKCS12KeyStore.engineLoad` then verifies no MAC, skips every encrypted
//! safe ("no password was supplied"), keeps each shrouded key bag and secret bag as an entry
//! without decrypting it, ignores a plain key bag (not a bag type it reads), makes a certificate
//! a trusted-certificate entry only with Oracle's trusted-key-usage attribute, and gives a key
//! entry the chain of the certificates in the clear that match its local key id (or its friendly
//! name) and their issuers. So an OpenSSL 3 default file (certificates in an encrypted safe)
//! opens with one key entry and no chain, and a file whose certificates are in the clear opens
//! with a chain whose key cannot be used (measured with Java 17: `getKey(alias, null)` and
//! `KeyManagerFactory.init(store, null)` throw `UnrecoverableKeyException`).

use super::p12::{CERT_BAG, DATA, ENCRYPTED_DATA, SECRET_BAG, SHROUDED_KEY_BAG, bags_of};
use super::{CertInfo, P12Error, P12Info, parse_certificate};
use der::Decode;
use der::asn1::{ContextSpecific, OctetString};
use pkcs8::spki::ObjectIdentifier as Oid;
use pkcs12::SafeBag;
use pkcs12::cms::content_info::ContentInfo;
use pkcs12::pfx::{Pfx, Version};

const LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
const FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
/// Oracle's trusted key usage: what makes a certificate bag a trusted-certificate entry.
const TRUSTED_KEY_USAGE: Oid = Oid::new_unwrap("2.16.840.1.113894.746875.1.1");
/// Chain links followed from the matched certificate (the JDK follows issuers until a
/// self-signed one or none; a loop or a long list ends here).
const MAX_CHAIN: usize = 10;

fn invalid<E>(_: E) -> P12Error {
    P12Error::Invalid("not a PKCS#12 file".into())
}

/// The content of attribute `oid` of a bag, as bytes.
fn attribute(bag: &SafeBag, oid: Oid) -> Option<Vec<u8>> {
    bag.bag_attributes
        .iter()
        .flat_map(|set| set.iter())
        .find(|a| a.oid == oid)
        .and_then(|a| a.values.iter().next())
        .map(|v| v.value().to_vec())
}

struct Cert {
    info: CertInfo,
    key_id: Option<Vec<u8>>,
    name: Option<Vec<u8>>,
}

/// What the JDK sees in `data` without a password.
pub fn open_without_password(data: &[u8]) -> Result<P12Info, P12Error> {
    let pfx = Pfx::from_der(data).map_err(invalid)?;
    if pfx.version != Version::V3 || pfx.auth_safe.content_type != DATA {
        return Err(invalid(()));
    }
    let auth_safe =
        OctetString::from_der(&der::Encode::to_der(&pfx.auth_safe.content).map_err(invalid)?)
            .map_err(invalid)?;
    let mut skipped = 0;
    let mut bags = Vec::new();
    for safe in Vec::<ContentInfo>::from_der(auth_safe.as_bytes()).map_err(invalid)? {
        match safe.content_type {
            DATA => {
                let der =
                    OctetString::from_der(&der::Encode::to_der(&safe.content).map_err(invalid)?)
                        .map_err(invalid)?;
                bags.extend(bags_of(der.as_bytes()).map_err(invalid)?);
            }
            ENCRYPTED_DATA => skipped += 1,
            _ => return Err(invalid(())),
        }
    }
    let keys: Vec<&SafeBag> = bags
        .iter()
        .filter(|b| b.bag_id == SHROUDED_KEY_BAG || b.bag_id == SECRET_BAG)
        .collect();
    let mut certs = Vec::new();
    let mut trusted = 0;
    for b in bags.iter().filter(|b| b.bag_id == CERT_BAG) {
        if certs.len() >= super::p12::MAX_CERTIFICATES {
            break;
        }
        let Ok(bag) = ContextSpecific::<pkcs12::CertBag>::from_der(&b.bag_value) else {
            continue;
        };
        let Ok(info) = parse_certificate(bag.value.cert_value.as_bytes()) else {
            continue;
        };
        if attribute(b, TRUSTED_KEY_USAGE).is_some() {
            trusted += 1;
        }
        certs.push(Cert {
            info,
            key_id: attribute(b, LOCAL_KEY_ID),
            name: attribute(b, FRIENDLY_NAME),
        });
    }
    let private_keys: Vec<&&SafeBag> = keys
        .iter()
        .filter(|b| b.bag_id == SHROUDED_KEY_BAG)
        .collect();
    let chain = match private_keys.as_slice() {
        [key] => chain_of(key, &certs),
        _ => Vec::new(),
    };
    Ok(P12Info {
        entries: keys.len() + trusted,
        chain,
        key: None,
        without_password: Some(skipped),
    })
}

/// `PKCS12KeyStore.findMatchedCertificate`: the certificate of the key's local key id (else of
/// its friendly name), then its issuers among the certificates in the clear.
fn chain_of(key: &SafeBag, certs: &[Cert]) -> Vec<CertInfo> {
    let id = attribute(key, LOCAL_KEY_ID);
    let name = attribute(key, FRIENDLY_NAME);
    let matched = certs
        .iter()
        .find(|c| id.is_some() && c.key_id == id)
        .or_else(|| certs.iter().find(|c| name.is_some() && c.name == name));
    let mut chain: Vec<CertInfo> = Vec::new();
    let mut next = matched;
    while let Some(c) = next {
        if chain.len() >= MAX_CHAIN || chain.iter().any(|x| x.der == c.info.der) {
            break;
        }
        chain.push(c.info.clone());
        if c.info.issuer == c.info.subject {
            break;
        }
        next = certs.iter().find(|x| x.info.subject == c.info.issuer);
    }
    chain
}
