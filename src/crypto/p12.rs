//! Opening a PKCS#12 file with every key derivation priced first, for the whole file.
//!
//! p12-keystore caps each derivation (1,000,000 iterations, 1 GiB of scrypt), not the file: 50
//! encrypted bags at 1,000,000 iterations each take seconds, 24,000 half an hour, and a bag
//! inside an encrypted safe cannot be priced before the safe is open. So the layers are opened
//! here, one by one, each derivation charged to the file's [`Meter`] before it runs: the MAC
//! (verified here), the encrypted safes, then the keys they and the plain safes hold. What
//! p12-keystore then reads is the same file without a MAC, its safes in the clear and each key
//! encrypted again with one PBKDF2 iteration: it builds the entries and chains as before, with
//! no costly derivation of its own left. The JDK's own limit (5,000,000 iterations for the MAC,
//! a safe or a key) is the server's: above it the file cannot be opened at all.

use super::P12Error;
use super::kdf::{self, Hash, JDK_MAX_ITERATIONS, Kdf, Meter};
use der::asn1::OctetString;
use der::{Any, Decode, Encode};
use pkcs8::spki::AlgorithmIdentifierOwned;
use pkcs8::spki::ObjectIdentifier as Oid;
use pkcs12::SafeBag;
use pkcs12::cms::content_info::ContentInfo;
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::pbe_params::EncryptedPrivateKeyInfo;
use pkcs12::pfx::{Pfx, Version};

pub(super) const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
pub(super) const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
const PBE_SHA1_3DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");
pub(super) const SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
const KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
pub(super) const CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
pub(super) const SECRET_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.5");

/// Key and secret entries beyond which the file is judged by their number alone (the server
/// needs exactly one): their keys are not decrypted, and p12-keystore does not name them
/// (its aliases are found in quadratic time when many share a name).
pub const MAX_KEY_ENTRIES: usize = 64;
/// Certificates beyond which the file is not read further (p12-keystore builds chains in
/// quadratic time): a client's PKCS#12 holds its chain, a few certificates.
pub const MAX_CERTIFICATES: usize = 1_024;

/// What opening the layers gave: a file for p12-keystore, or a verdict already.
pub enum Opened {
    /// The same content without costly derivations.
    Rebuilt(Vec<u8>),
    /// More key or secret entries than [`MAX_KEY_ENTRIES`]: the server needs exactly one.
    Entries(usize),
}

fn invalid(_: impl std::fmt::Debug) -> P12Error {
    P12Error::Invalid("not a PKCS#12 file".into())
}

/// A derivation the JDK refuses to run: the server cannot open the file.
fn jdk_limit(kdf: &Kdf, what: &str) -> Result<(), P12Error> {
    match kdf.iterations() {
        Some(n) if n > JDK_MAX_ITERATIONS => Err(P12Error::Refused(format!(
            "its {what} uses {} iterations; the JDK opens no PKCS#12 file with more than {}",
            kdf::grouped(n),
            kdf::grouped(JDK_MAX_ITERATIONS)
        ))),
        _ => Ok(()),
    }
}

fn charge(meter: &mut Meter, kdf: &Kdf, what: &str) -> Result<(), P12Error> {
    jdk_limit(kdf, what)?;
    meter.charge(kdf).map_err(P12Error::TooCostly)
}

/// A safe of the file: in the clear, or encrypted (not opened yet).
enum Safe {
    Plain(Vec<SafeBag>),
    Encrypted(AlgorithmIdentifierOwned, Option<OctetString>),
}

/// Open the layers of `data` with `password`, each derivation charged before it runs. What
/// can be seen before anything is decrypted (the MAC, the encrypted safes, the bags of the
/// plain safes) is priced together first, then what the encrypted safes hold.
pub fn open(data: &[u8], password: &str, meter: &mut Meter) -> Result<Opened, P12Error> {
    let pfx = Pfx::from_der(data).map_err(invalid)?;
    if pfx.version != Version::V3 {
        return Err(invalid(()));
    }
    if pfx.auth_safe.content_type != DATA {
        return Err(P12Error::WrongPasswordOrCorrupt);
    }
    let auth_safe = OctetString::from_der(&pfx.auth_safe.content.to_der().map_err(invalid)?)
        .map_err(invalid)?;
    let mut visible: Vec<(Kdf, &str)> = Vec::new();
    if let Some(mac) = &pfx.mac_data {
        visible.push((mac_kdf(mac)?, "MAC"));
    }
    let mut safes = Vec::new();
    for safe in Vec::<ContentInfo>::from_der(auth_safe.as_bytes()).map_err(invalid)? {
        match safe.content_type {
            DATA => {
                let der = OctetString::from_der(&safe.content.to_der().map_err(invalid)?)
                    .map_err(invalid)?;
                let bags = bags_of(der.as_bytes()).map_err(invalid)?;
                for b in &bags {
                    visible.extend(bag_kdf(b)?);
                }
                safes.push(Safe::Plain(bags));
            }
            ENCRYPTED_DATA => {
                let enc = EncryptedData::from_der(&safe.content.to_der().map_err(invalid)?)
                    .map_err(invalid)?;
                if enc.version != pkcs12::cms::content_info::CmsVersion::V0 {
                    return Err(invalid(()));
                }
                let info = enc.enc_content_info;
                // a scheme neither this module nor p12-keystore decrypts
                let kdf = kdf_of(&info.content_enc_alg)?.ok_or(P12Error::WrongPasswordOrCorrupt)?;
                visible.push((kdf, "encrypted safe"));
                safes.push(Safe::Encrypted(
                    info.content_enc_alg,
                    info.encrypted_content,
                ));
            }
            _ => return Err(P12Error::WrongPasswordOrCorrupt),
        }
    }
    for (kdf, what) in &visible {
        jdk_limit(kdf, what)?;
    }
    let plain_keys = safes
        .iter()
        .map(|s| match s {
            Safe::Plain(bags) => bags.iter().filter(|b| is_entry(b)).count(),
            Safe::Encrypted(..) => 0,
        })
        .sum::<usize>();
    if plain_keys > MAX_KEY_ENTRIES {
        return Ok(Opened::Entries(plain_keys));
    }
    meter
        .fits(visible.iter().map(|(k, _)| k))
        .map_err(P12Error::TooCostly)?;
    if let Some(mac) = &pfx.mac_data {
        verify_mac(mac, password, auth_safe.as_bytes(), meter)?;
    }
    // every safe in the clear: the bags of encrypted safes become visible, to be counted and
    // priced like the others
    let mut contents: Vec<Vec<SafeBag>> = Vec::with_capacity(safes.len());
    for safe in safes {
        contents.push(match safe {
            Safe::Plain(bags) => bags,
            Safe::Encrypted(alg, Some(bytes)) => {
                let der = decrypt(&alg, bytes.as_bytes(), password, meter, "encrypted safe")?;
                let bags = bags_of(&der).map_err(|_| P12Error::WrongPasswordOrCorrupt)?;
                for b in &bags {
                    if let Some((kdf, what)) = bag_kdf(b)? {
                        jdk_limit(&kdf, what)?;
                    }
                }
                bags
            }
            Safe::Encrypted(_, None) => Vec::new(),
        });
    }
    let bags = || contents.iter().flatten();
    let keys = bags().filter(|b| is_entry(b)).count();
    if keys > MAX_KEY_ENTRIES {
        return Ok(Opened::Entries(keys));
    }
    let certificates = bags().filter(|b| b.bag_id == CERT_BAG).count();
    if certificates > MAX_CERTIFICATES {
        return Err(P12Error::Unverifiable(format!(
            "it holds {} certificates; this tool reads PKCS#12 files of up to {}",
            kdf::grouped(certificates as u64),
            kdf::grouped(MAX_CERTIFICATES as u64)
        )));
    }
    let keyed = bags()
        .map(bag_kdf)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    meter
        .fits(keyed.iter().map(|(k, _)| k))
        .map_err(P12Error::TooCostly)?;
    // the keys: decrypted here (charged), encrypted again with one iteration for p12-keystore;
    // secret keys charged here, decrypted by p12-keystore
    for bag in contents.iter_mut().flatten() {
        match bag.bag_id {
            SHROUDED_KEY_BAG => bag.bag_value = cheap_shrouded(&bag.bag_value, password, meter)?,
            SECRET_BAG => {
                if let Some((kdf, what)) = bag_kdf(bag)? {
                    charge(meter, &kdf, what)?;
                }
            }
            _ => {}
        }
    }
    rebuild(&contents).map(Opened::Rebuilt).map_err(invalid)
}

/// A key or secret bag: an entry of the keystore.
fn is_entry(b: &SafeBag) -> bool {
    matches!(b.bag_id, SHROUDED_KEY_BAG | KEY_BAG | SECRET_BAG)
}

pub(super) fn bags_of(der: &[u8]) -> der::Result<Vec<SafeBag>> {
    if der.is_empty() {
        return Ok(Vec::new());
    }
    Vec::<SafeBag>::from_der(der)
}

/// The derivation a bag asks for: a shrouded key's, or an encrypted secret key's.
fn bag_kdf(bag: &SafeBag) -> Result<Option<(Kdf, &'static str)>, P12Error> {
    match bag.bag_id {
        SHROUDED_KEY_BAG => {
            use der::asn1::ContextSpecific;
            let cs = ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value)
                .map_err(invalid)?;
            // an unknown scheme: p12-keystore refuses it (wrong password or damaged)
            let kdf =
                kdf_of(&cs.value.encryption_algorithm)?.ok_or(P12Error::WrongPasswordOrCorrupt)?;
            Ok(Some((kdf, "key")))
        }
        SECRET_BAG => Ok(secret_kdf(&bag.bag_value)?.map(|k| (k, "secret key"))),
        _ => Ok(None),
    }
}

fn mac_kdf(mac: &pkcs12::MacData) -> Result<Kdf, P12Error> {
    let hash = hash_of(&mac.mac.algorithm.oid).ok_or(P12Error::WrongPasswordOrCorrupt)?;
    if mac.iterations < 1 {
        return Err(invalid(()));
    }
    Ok(Kdf::Pkcs12 {
        hash,
        iterations: mac.iterations as u64,
        outputs: vec![hash.output_len()],
    })
}

fn hash_of(oid: &Oid) -> Option<Hash> {
    Some(match oid.to_string().as_str() {
        "1.3.14.3.2.26" => Hash::Sha1,
        "2.16.840.1.101.3.4.2.4" => Hash::Sha224,
        "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
        "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
        "2.16.840.1.101.3.4.2.3" | "2.16.840.1.101.3.4.2.5" | "2.16.840.1.101.3.4.2.6" => {
            Hash::Sha512
        }
        _ => return None,
    })
}

fn verify_mac(
    mac: &pkcs12::MacData,
    password: &str,
    data: &[u8],
    meter: &mut Meter,
) -> Result<(), P12Error> {
    use hmac::{KeyInit, Mac};
    use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
    let oid = mac.mac.algorithm.oid;
    charge(meter, &mac_kdf(mac)?, "MAC")?;
    let salt = mac.mac_salt.as_bytes();
    let expected = mac.mac.digest.as_bytes();
    macro_rules! verify {
        ($d:ty) => {{
            let size = <$d as hmac::digest::OutputSizeUser>::output_size();
            let key =
                derive_key_utf8::<$d>(password, salt, Pkcs12KeyType::Mac, mac.iterations, size)
                    .map_err(|_| P12Error::WrongPasswordOrCorrupt)?;
            let mut m = <hmac::Hmac<$d> as KeyInit>::new_from_slice(&key)
                .map_err(|_| P12Error::WrongPasswordOrCorrupt)?;
            m.update(data);
            m.verify_slice(expected)
                .map_err(|_| P12Error::WrongPasswordOrCorrupt)
        }};
    }
    match oid.to_string().as_str() {
        "1.3.14.3.2.26" => verify!(sha1::Sha1),
        "2.16.840.1.101.3.4.2.4" => verify!(sha2::Sha224),
        "2.16.840.1.101.3.4.2.1" => verify!(sha2::Sha256),
        "2.16.840.1.101.3.4.2.2" => verify!(sha2::Sha384),
        "2.16.840.1.101.3.4.2.3" => verify!(sha2::Sha512),
        "2.16.840.1.101.3.4.2.5" => verify!(sha2::Sha512_224),
        "2.16.840.1.101.3.4.2.6" => verify!(sha2::Sha512_256),
        _ => Err(P12Error::WrongPasswordOrCorrupt),
    }
}

/// The derivation an encryption algorithm of the file asks for (`None`: a scheme neither
/// p12-keystore nor this module decrypts).
fn kdf_of(alg: &AlgorithmIdentifierOwned) -> Result<Option<Kdf>, P12Error> {
    let params = || -> Result<Vec<u8>, P12Error> {
        alg.parameters
            .as_ref()
            .ok_or_else(|| invalid(()))?
            .to_der()
            .map_err(invalid)
    };
    Ok(match alg.oid {
        PBES2 => {
            let p = pkcs5::pbes2::Parameters::from_der(&params()?).map_err(invalid)?;
            Some(super::pbes2_kdf(&p))
        }
        PBE_SHA1_3DES | PBE_SHA1_RC2_40 => {
            let p = pkcs12::pbe_params::Pkcs12PbeParams::from_der(&params()?).map_err(invalid)?;
            if p.iterations < 1 {
                return Err(invalid(()));
            }
            let key = if alg.oid == PBE_SHA1_3DES { 24 } else { 5 };
            Some(Kdf::Pkcs12 {
                hash: Hash::Sha1,
                iterations: p.iterations as u64,
                outputs: vec![key, 8],
            })
        }
        _ => None,
    })
}

/// Decrypt with the file's algorithm, priced first.
fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    data: &[u8],
    password: &str,
    meter: &mut Meter,
    what: &str,
) -> Result<Vec<u8>, P12Error> {
    let Some(kdf) = kdf_of(alg)? else {
        return Err(P12Error::WrongPasswordOrCorrupt);
    };
    charge(meter, &kdf, what)?;
    let wrong = |_| P12Error::WrongPasswordOrCorrupt;
    match alg.oid {
        PBES2 => {
            let der = alg.parameters.as_ref().ok_or_else(|| invalid(()))?;
            let p = pkcs5::pbes2::Parameters::from_der(&der.to_der().map_err(invalid)?)
                .map_err(invalid)?;
            p.decrypt(password.as_bytes(), data).map_err(wrong)
        }
        _ => {
            let der = alg.parameters.as_ref().ok_or_else(|| invalid(()))?;
            let p = pkcs12::pbe_params::Pkcs12PbeParams::from_der(&der.to_der().map_err(invalid)?)
                .map_err(invalid)?;
            pbes1_decrypt(alg.oid, p.salt.as_bytes(), p.iterations, data, password)
        }
    }
}

/// PKCS#12 PBE with SHA-1 and 3-key triple DES or 40-bit RC2, CBC (RFC 7292 appendix C), as
/// keytool and OpenSSL 1.x wrote them.
fn pbes1_decrypt(
    oid: Oid,
    salt: &[u8],
    iterations: i32,
    data: &[u8],
    password: &str,
) -> Result<Vec<u8>, P12Error> {
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
    use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
    fn wrong<E>(_: E) -> P12Error {
        P12Error::WrongPasswordOrCorrupt
    }
    let size = if oid == PBE_SHA1_3DES { 24 } else { 5 };
    let key = derive_key_utf8::<sha1::Sha1>(
        password,
        salt,
        Pkcs12KeyType::EncryptionKey,
        iterations,
        size,
    )
    .map_err(wrong)?;
    let iv = derive_key_utf8::<sha1::Sha1>(password, salt, Pkcs12KeyType::Iv, iterations, 8)
        .map_err(wrong)?;
    if oid == PBE_SHA1_3DES {
        cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(wrong)?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(wrong)
    } else {
        cbc::Decryptor::<rc2::Rc2>::new_from_slices(&key, &iv)
            .map_err(wrong)?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(wrong)
    }
}

/// A shrouded key bag's value (`[0] EncryptedPrivateKeyInfo`) decrypted (priced) and encrypted
/// again with one PBKDF2 iteration.
fn cheap_shrouded(value: &[u8], password: &str, meter: &mut Meter) -> Result<Vec<u8>, P12Error> {
    use der::asn1::ContextSpecific;
    let cs = ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(value).map_err(invalid)?;
    let info = cs.value;
    let plain = decrypt(
        &info.encryption_algorithm,
        info.encrypted_data.as_bytes(),
        password,
        meter,
        "key",
    )?;
    let params =
        pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(1, &[0u8; 16], [0u8; 16])
            .map_err(invalid)?;
    let encrypted = params
        .encrypt(password.as_bytes(), &plain)
        .map_err(invalid)?;
    let again = EncryptedPrivateKeyInfo {
        encryption_algorithm: AlgorithmIdentifierOwned {
            oid: PBES2,
            parameters: Some(Any::from_der(&params.to_der().map_err(invalid)?).map_err(invalid)?),
        },
        encrypted_data: OctetString::new(encrypted).map_err(invalid)?,
    };
    ContextSpecific {
        tag_number: cs.tag_number,
        tag_mode: cs.tag_mode,
        value: again,
    }
    .to_der()
    .map_err(invalid)
}

/// The derivation of a secret bag (decrypted by p12-keystore: a key entry of another kind).
fn secret_kdf(value: &[u8]) -> Result<Option<Kdf>, P12Error> {
    use der::{Reader, SliceReader};
    // SecretBag ::= SEQUENCE { secretTypeId OID, secretValue [0] EXPLICIT OCTET STRING }
    let content = || -> der::Result<OctetString> {
        let outer = Any::from_der(value)?;
        let mut r = SliceReader::new(outer.value())?;
        r.sequence(|r| {
            let _id: Oid = Oid::decode(r)?;
            let tagged = Any::decode(r)?;
            OctetString::from_der(tagged.value())
        })
    };
    let Ok(content) = content() else {
        return Ok(None); // p12-keystore cannot read it either
    };
    let Ok(info) = EncryptedPrivateKeyInfo::from_der(content.as_bytes()) else {
        return Ok(None);
    };
    kdf_of(&info.encryption_algorithm)
}

/// The file again: no MAC, every safe in the clear.
fn rebuild(contents: &[Vec<SafeBag>]) -> der::Result<Vec<u8>> {
    // pkcs12 decodes a bag's value with its `[0]` and encodes it adding one: take it off
    let unwrapped = |bags: &Vec<SafeBag>| -> der::Result<Vec<SafeBag>> {
        bags.iter()
            .map(|b| {
                Ok(SafeBag {
                    bag_id: b.bag_id,
                    bag_value: der::asn1::AnyRef::from_der(&b.bag_value)?.value().to_vec(),
                    bag_attributes: b.bag_attributes.clone(),
                })
            })
            .collect()
    };
    let data = |bytes: Vec<u8>| -> der::Result<ContentInfo> {
        Ok(ContentInfo {
            content_type: DATA,
            content: Any::from_der(&OctetString::new(bytes)?.to_der()?)?,
        })
    };
    let safes = contents
        .iter()
        .map(|bags| data(unwrapped(bags)?.to_der()?))
        .collect::<der::Result<Vec<_>>>()?;
    Pfx {
        version: Version::V3,
        auth_safe: data(safes.to_der()?)?,
        mac_data: None,
    }
    .to_der()
}

#[cfg(test)]
mod tests {
    use crate::crypto::kdf::{Budget, TooCostly};
    use crate::crypto::{P12Error, pkcs12};
    use p12_keystore::{
        Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
        PrivateKeyChain,
    };

    fn store() -> KeyStore {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let mut params = rcgen::CertificateParams::new(vec!["client".into()]).expect("params");
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.self_signed(&key).expect("cert");
        let mut store = KeyStore::new();
        store.add_entry(
            "client",
            KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(
                vec![1u8, 2, 3],
                PrivateKey::from_der(&key.serialize_der()).expect("key"),
                vec![Certificate::from_der(cert.der()).expect("cert")],
            )),
        );
        store
    }

    /// Every scheme p12-keystore reads still opens, with the same entries, through the
    /// layers opened here: PBES2 (keytool, OpenSSL 3), PBE-SHA1-3DES and PBE-SHA1-RC2-40
    /// (keytool before JDK 8u301, OpenSSL 1.x), each MAC digest.
    #[test]
    fn what_tools_write_opens_as_before() {
        let store = store();
        for (enc, mac) in [
            (
                EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
                MacAlgorithm::HmacSha256,
            ),
            (
                EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
                MacAlgorithm::HmacSha1,
            ),
            (
                EncryptionAlgorithm::PbeWithShaAnd40BitRc4Cbc,
                MacAlgorithm::HmacSha1,
            ),
            (
                EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
                MacAlgorithm::HmacSha512,
            ),
            (
                EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
                MacAlgorithm::HmacSha384,
            ),
        ] {
            let der = store
                .writer("pw")
                .encryption_algorithm(enc)
                .mac_algorithm(mac)
                .encryption_iterations(64)
                .mac_iterations(64)
                .write()
                .expect("write");
            let budget = Budget::default();
            let info = pkcs12(&der, "pw", &mut budget.meter()).expect("opens");
            assert_eq!((info.entries, info.chain.len()), (1, 1));
            assert!(info.key.is_some());
            // the key and the MAC, and the safe of certificates when it is encrypted: 64 each
            assert!(crate::crypto::kdf::RUN_BUDGET - budget.left() <= 4 * 64 * 3);
            assert_eq!(
                pkcs12(&der, "wrong", &mut budget.meter()).err(),
                Some(P12Error::WrongPasswordOrCorrupt)
            );
        }
    }

    #[test]
    fn the_jdk_limit_and_the_budget_hold_for_real_files() {
        let store = store();
        let at = |mac: u32, enc: u32| {
            store
                .writer("pw")
                .mac_iterations(mac)
                .encryption_iterations(enc)
                .write()
                .expect("write")
        };
        // above the JDK's limit: the server cannot open it (nothing is derived here); the
        // count written into a file made with 64 (writing 5,000,001 would take the time)
        use der::{Decode, Encode};
        let mut pfx = super::Pfx::from_der(&at(64, 64)).expect("pfx");
        pfx.mac_data.as_mut().expect("mac").iterations = 5_000_001;
        let budget = Budget::default();
        assert!(matches!(
            pkcs12(&pfx.to_der().expect("der"), "pw", &mut budget.meter()),
            Err(P12Error::Refused(_))
        ));
        assert_eq!(budget.left(), crate::crypto::kdf::RUN_BUDGET);
        // within it, but more than the run has left
        let small = Budget::new(100);
        assert_eq!(
            pkcs12(&at(64, 64), "pw", &mut small.meter()).err(),
            Some(P12Error::TooCostly(TooCostly::Budget))
        );
        assert_eq!(small.left(), 100, "refused before anything ran");
    }
}
