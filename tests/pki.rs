//! Key material made in the test, as the DSF server's own test makes it: an EC P-384 CA, a client
//! certificate (digitalSignature + clientAuth) followed by the CA, its key as PBES2/AES-encrypted
//! PKCS#8, a PKCS#12 of key and chain, a server-only certificate, and a password file.

use der::Decode;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384,
};
use std::path::{Path, PathBuf};

pub const PASSWORD: &str = "pa55w0rd";

pub struct Ca {
    pub key: KeyPair,
    pub params: CertificateParams,
    pub pem: String,
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

/// Validity from `days_from_now` days relative to today for `days` days.
fn validity(params: &mut CertificateParams, from_days: i64, to_days: i64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let ymd = |t: i64| {
        let d = dsf_connections::crypto::date(t);
        let parts: Vec<i64> = d.split('-').filter_map(|p| p.parse().ok()).collect();
        rcgen::date_time_ymd(parts[0] as i32, parts[1] as u8, parts[2] as u8)
    };
    params.not_before = ymd(now + from_days * 86_400);
    params.not_after = ymd(now + to_days * 86_400);
}

pub fn ca() -> Ca {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).expect("CA key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name = name("Test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut params, -1, 3650);
    let pem = params.self_signed(&key).expect("CA cert").pem();
    Ca { key, params, pem }
}

#[derive(Clone, Copy)]
pub enum Usage {
    Client,
    Server,
    /// key usage digitalSignature without any extended key usage
    NoEku,
}

pub struct Leaf {
    pub key: KeyPair,
    pub pem: String,
    pub der: Vec<u8>,
}

pub fn leaf(ca: &Ca, cn: &str, usage: Usage, from_days: i64, to_days: i64) -> Leaf {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("leaf key");
    let mut params = CertificateParams::new(vec![cn.to_string()]).expect("params");
    params.distinguished_name = name(cn);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = match usage {
        Usage::Client => vec![ExtendedKeyUsagePurpose::ClientAuth],
        Usage::Server => vec![ExtendedKeyUsagePurpose::ServerAuth],
        Usage::NoEku => vec![],
    };
    validity(&mut params, from_days, to_days);
    let issuer = Issuer::from_params(&ca.params, &ca.key);
    let cert = params.signed_by(&key, &issuer).expect("leaf cert");
    Leaf {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        key,
    }
}

/// The key as PBES2 (PBKDF2-SHA256, AES-256-CBC) encrypted PKCS#8 PEM.
pub fn encrypted_key(key: &KeyPair, password: &str) -> String {
    let der = key.serialize_der();
    let info = pkcs8::PrivateKeyInfoRef::from_der(&der).expect("pkcs8");
    let params =
        pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(2048, &[7u8; 16], [9u8; 16])
            .expect("pbes2 params");
    let doc = info.encrypt_with_params(params, password).expect("encrypt");
    pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", doc.as_bytes()))
}

pub fn pkcs12(leaf: &Leaf, ca: &Ca, password: &str) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let ca_der = pem::parse(&ca.pem).expect("ca pem").into_contents();
    let chain = vec![
        Certificate::from_der(&leaf.der).expect("leaf"),
        Certificate::from_der(&ca_der).expect("ca"),
    ];
    let key = PrivateKey::from_der(&leaf.key.serialize_der()).expect("key");
    let mut store = KeyStore::new();
    store.add_entry(
        "client",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(vec![1u8, 2, 3], key, chain)),
    );
    store.writer(password).write().expect("write p12")
}

/// The files of the DSF server test, under `dir`; returns the map placeholder → path.
pub fn dsf_test_files(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let ca = ca();
    let client = leaf(&ca, "client", Usage::Client, -1, 365);
    let server = leaf(&ca, "server", Usage::Server, -1, 365);
    let files: Vec<(&'static str, Vec<u8>)> = vec![
        ("ca.crt", ca.pem.clone().into_bytes()),
        (
            "client.crt",
            format!("{}{}", client.pem, ca.pem).into_bytes(),
        ),
        (
            "client.key",
            encrypted_key(&client.key, PASSWORD).into_bytes(),
        ),
        ("client.p12", pkcs12(&client, &ca, PASSWORD)),
        ("password.file", format!("{PASSWORD}\n").into_bytes()),
        (
            "server.crt",
            format!("{}{}", server.pem, ca.pem).into_bytes(),
        ),
        (
            "server.key",
            encrypted_key(&server.key, PASSWORD).into_bytes(),
        ),
    ];
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).expect("write pki file");
            (name, path)
        })
        .collect()
}

/// The key material of `fixtures/secrets/` (used by fixtures/valid.yaml and example.yaml through
/// `--path-map /run/secrets=fixtures/secrets`), valid for a century. Regenerate with
/// `cargo test -- --ignored regenerate_fixture_secrets`.
pub fn write_fixture_secrets(dir: &Path) {
    let password = "fixture-password";
    let ca = ca_valid_for(36_500);
    let client = leaf(
        &ca,
        "dsf-connections example client",
        Usage::Client,
        -1,
        36_500,
    );
    std::fs::create_dir_all(dir).expect("secrets dir");
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("root_ca.crt", ca.pem.clone().into_bytes()),
        (
            "client.crt",
            format!("{}{}", client.pem, ca.pem).into_bytes(),
        ),
        (
            "client.key",
            encrypted_key(&client.key, password).into_bytes(),
        ),
        ("client.key.password", format!("{password}\n").into_bytes()),
        ("client.p12", pkcs12(&client, &ca, password)),
        ("basic.password", b"example-basic-password\n".to_vec()),
        ("bearer.token", b"example-bearer-token\n".to_vec()),
        ("oidc.secret", b"example-oidc-client-secret\n".to_vec()),
        ("tx.token", b"example-tx-token\n".to_vec()),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write fixture secret");
    }
}

fn ca_valid_for(days: i64) -> Ca {
    let mut ca = ca();
    validity(&mut ca.params, -1, days);
    ca.pem = ca.params.self_signed(&ca.key).expect("CA cert").pem();
    ca
}

/// The EC key as OpenSSL's legacy encrypted SEC1 PEM (`openssl ec -aes256`): EVP_BytesToKey
/// (MD5) over the password and the IV's first 8 bytes, AES-256-CBC.
pub fn legacy_encrypted_ec_key(key: &KeyPair, password: &str) -> String {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
    let sec1 = sec1_der(key);
    let iv = [0x11u8; 16];
    let k = dsf_connections::crypto::legacy::derive_key(password.as_bytes(), &iv[..8], 32);
    let mut buf = vec![0u8; sec1.len() + 16];
    let n = cbc::Encryptor::<aes::Aes256>::new_from_slices(&k, &iv)
        .expect("cipher")
        .encrypt_padded_b2b::<Pkcs7>(&sec1, &mut buf)
        .expect("encrypt")
        .len();
    buf.truncate(n);
    legacy_pem(buf, "AES-256-CBC", &iv)
}

/// The same with single DES (`openssl ec -des`), a cipher OpenSSL still offers and this tool
/// does not decrypt.
pub fn legacy_des_encrypted_ec_key(key: &KeyPair, password: &str) -> String {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
    let sec1 = sec1_der(key);
    let iv = [0x22u8; 8];
    let k = dsf_connections::crypto::legacy::derive_key(password.as_bytes(), &iv, 8);
    let mut buf = vec![0u8; sec1.len() + 8];
    let n = cbc::Encryptor::<des::Des>::new_from_slices(&k, &iv)
        .expect("cipher")
        .encrypt_padded_b2b::<Pkcs7>(&sec1, &mut buf)
        .expect("encrypt")
        .len();
    buf.truncate(n);
    legacy_pem(buf, "DES-CBC", &iv)
}

/// The EC key as SEC1 DER with its named curve, as `openssl ec` writes it.
fn sec1_der(key: &KeyPair) -> Vec<u8> {
    use der::Encode;
    let der = key.serialize_der();
    let info = pkcs8::PrivateKeyInfoRef::from_der(&der).expect("pkcs8");
    let inner = sec1::EcPrivateKey::from_der(info.private_key.as_bytes()).expect("sec1");
    let curve = info
        .algorithm
        .parameters
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
        .expect("named curve");
    sec1::EcPrivateKey {
        private_key: inner.private_key,
        parameters: Some(sec1::EcParameters::NamedCurve(curve)),
        public_key: inner.public_key,
    }
    .to_der()
    .expect("sec1 der")
}

fn legacy_pem(encrypted: Vec<u8>, cipher: &str, iv: &[u8]) -> String {
    let mut pem = pem::Pem::new("EC PRIVATE KEY", encrypted);
    pem.headers_mut()
        .add("Proc-Type", "4,ENCRYPTED")
        .expect("header");
    let iv: String = iv.iter().map(|b| format!("{b:02X}")).collect();
    pem.headers_mut()
        .add("DEK-Info", &format!("{cipher},{iv}"))
        .expect("header");
    pem::encode(&pem)
}

/// Key files whose encryption asks for more work or memory than any tool should spend, built
/// in the test as an attacker would write them: the structure is real, the ciphertext filler,
/// since nothing may decrypt them before pricing them (`crypto::kdf`).
pub mod costly {
    use der::asn1::OctetString;
    use der::{Decode, Encode};
    use pkcs5::pbes2::{self, Kdf, Pbkdf2Params, Pbkdf2Prf, ScryptParams};

    const SALT: [u8; 16] = [7; 16];

    pub fn pbkdf2(prf: Pbkdf2Prf, iterations: u32) -> Kdf {
        Kdf::Pbkdf2(Pbkdf2Params {
            salt: SALT[..].try_into().expect("salt"),
            iteration_count: iterations,
            key_length: None,
            prf,
        })
    }

    pub fn scrypt(n: u64, r: u16, p: u16) -> Kdf {
        Kdf::Scrypt(ScryptParams {
            salt: SALT[..].try_into().expect("salt"),
            cost_parameter: n,
            block_size: r,
            parallelization: p,
            key_length: None,
        })
    }

    fn scheme(kdf: Kdf) -> pkcs5::EncryptionScheme {
        pkcs5::EncryptionScheme::Pbes2(pbes2::Parameters {
            kdf,
            encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [3; 16] },
        })
    }

    /// `EncryptedPrivateKeyInfo` DER with `kdf` and filler for the encrypted key.
    pub fn key_info(kdf: Kdf) -> Vec<u8> {
        pkcs8::EncryptedPrivateKeyInfoOwned {
            encryption_algorithm: scheme(kdf),
            encrypted_data: OctetString::new(vec![0x5a; 144]).expect("octets"),
        }
        .to_der()
        .expect("der")
    }

    /// The same as a PEM key file.
    pub fn key(kdf: Kdf) -> Vec<u8> {
        pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", key_info(kdf))).into_bytes()
    }

    fn any<T: Encode>(t: &T) -> der::Any {
        der::Any::from_der(&t.to_der().expect("der")).expect("any")
    }

    fn data(bytes: Vec<u8>) -> pkcs12::cms::content_info::ContentInfo {
        pkcs12::cms::content_info::ContentInfo {
            content_type: "1.2.840.113549.1.7.1".parse().expect("oid"),
            content: any(&OctetString::new(bytes).expect("octets")),
        }
    }

    /// Shrouded key bags (`pkcs8ShroudedKeyBag`) with these derivations, as SafeContents DER.
    pub fn shrouded_bags(kdfs: Vec<Kdf>) -> Vec<u8> {
        let bags: Vec<pkcs12::SafeBag> = kdfs
            .into_iter()
            .map(|kdf| pkcs12::SafeBag {
                bag_id: "1.2.840.113549.1.12.10.1.2".parse().expect("oid"),
                // pkcs12 encodes the value inside its [0]
                bag_value: key_info(kdf),
                bag_attributes: None,
            })
            .collect();
        bags.to_der().expect("der")
    }

    /// A PKCS#12 file: an optional MAC (SHA-256 with `mac_iterations`, a filler digest), a plain
    /// safe of `plain` SafeContents, and, when given, a safe of `hidden` SafeContents encrypted
    /// for real with `password` and one PBKDF2 iteration (its bags seen only once it is open).
    pub fn p12(
        mac_iterations: Option<i32>,
        plain: Vec<u8>,
        hidden: Option<(Vec<u8>, &str)>,
    ) -> Vec<u8> {
        use pkcs12::cms::content_info::{CmsVersion, ContentInfo};
        use pkcs12::cms::encrypted_data::EncryptedData;
        use pkcs12::cms::enveloped_data::EncryptedContentInfo;
        let mut safes = vec![data(plain)];
        if let Some((contents, password)) = hidden {
            let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(1, &SALT, [4; 16])
                .expect("params");
            let encrypted = params
                .encrypt(password.as_bytes(), &contents)
                .expect("encrypt");
            let enc = EncryptedData {
                version: CmsVersion::V0,
                enc_content_info: EncryptedContentInfo {
                    content_type: "1.2.840.113549.1.7.1".parse().expect("oid"),
                    content_enc_alg: pkcs8::spki::AlgorithmIdentifierOwned {
                        oid: "1.2.840.113549.1.5.13".parse().expect("oid"),
                        parameters: Some(any(&params)),
                    },
                    encrypted_content: Some(OctetString::new(encrypted).expect("octets")),
                },
                unprotected_attrs: None,
            };
            safes.push(ContentInfo {
                content_type: "1.2.840.113549.1.7.6".parse().expect("oid"),
                content: any(&enc),
            });
        }
        let mac_data = mac_iterations.map(|iterations| pkcs12::MacData {
            mac: pkcs12::DigestInfo {
                algorithm: pkcs8::spki::AlgorithmIdentifierOwned {
                    oid: "2.16.840.1.101.3.4.2.1".parse().expect("oid"),
                    parameters: None,
                },
                digest: OctetString::new(vec![0; 32]).expect("octets"),
            },
            mac_salt: OctetString::new(vec![1; 8]).expect("octets"),
            iterations,
        });
        pkcs12::pfx::Pfx {
            version: pkcs12::pfx::Version::V3,
            auth_safe: data(safes.to_der().expect("der")),
            mac_data,
        }
        .to_der()
        .expect("der")
    }
}

/// [`pkcs12`] with its certificates moved into a safe in the clear (as `openssl pkcs12 -export
/// -certpbe NONE` writes them, the leaf with the key's local key id), without a MAC: what the
/// JDK opens without a password with a chain, its key still encrypted.
pub fn pkcs12_certs_in_clear(leaf: &Leaf, ca: &Ca, password: &str) -> Vec<u8> {
    use der::Encode;
    use der::asn1::{Any, AnyRef, OctetString};
    use pkcs12::cms::content_info::ContentInfo;
    use pkcs12::pfx::{Pfx, Version};
    use pkcs12::{CertBag, SafeBag};
    let data = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    let cert_bag = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
    let x509 = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
    let pfx = Pfx::from_der(&pkcs12(leaf, ca, password)).expect("pfx");
    let octets = |c: &ContentInfo| {
        OctetString::from_der(&c.content.to_der().expect("der"))
            .expect("octets")
            .as_bytes()
            .to_vec()
    };
    let safes = Vec::<ContentInfo>::from_der(&octets(&pfx.auth_safe)).expect("safes");
    let key_safe = safes
        .iter()
        .find(|s| s.content_type == data)
        .expect("the key's safe");
    // encoding adds the `[0]` around a bag's value that decoding kept: take it off
    let key_bags: Vec<SafeBag> = Vec::<SafeBag>::from_der(&octets(key_safe))
        .expect("bags")
        .into_iter()
        .map(|b| SafeBag {
            bag_value: AnyRef::from_der(&b.bag_value)
                .expect("[0]")
                .value()
                .to_vec(),
            ..b
        })
        .collect();
    let attributes = key_bags[0].bag_attributes.clone();
    let ca_der = pem::parse(&ca.pem).expect("ca pem").into_contents();
    let cert = |der: &[u8], attributes| SafeBag {
        bag_id: cert_bag,
        bag_value: CertBag {
            cert_id: x509,
            cert_value: OctetString::new(der.to_vec()).expect("octets"),
        }
        .to_der()
        .expect("cert bag"),
        bag_attributes: attributes,
    };
    let certs = vec![cert(&leaf.der, attributes), cert(&ca_der, None)];
    let plain = |bags: Vec<SafeBag>| ContentInfo {
        content_type: data,
        content: Any::from_der(
            &OctetString::new(bags.to_der().expect("bags"))
                .expect("octets")
                .to_der()
                .expect("der"),
        )
        .expect("any"),
    };
    let safes = vec![plain(key_bags), plain(certs)];
    Pfx {
        version: Version::V3,
        auth_safe: ContentInfo {
            content_type: data,
            content: Any::from_der(
                &OctetString::new(safes.to_der().expect("safes"))
                    .expect("octets")
                    .to_der()
                    .expect("der"),
            )
            .expect("any"),
        },
        mac_data: None,
    }
    .to_der()
    .expect("pfx")
}

/// A PKCS#12 of two key entries (keytool's `-genkeypair` twice into one store), certificates
/// encrypted as every writer's default.
pub fn pkcs12_two_entries(leaf: &Leaf, password: &str) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let chain = vec![Certificate::from_der(&leaf.der).expect("leaf")];
    let key = || PrivateKey::from_der(&leaf.key.serialize_der()).expect("key");
    let mut store = KeyStore::new();
    for (alias, id) in [("one", 1u8), ("two", 2)] {
        store.add_entry(
            alias,
            KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(vec![id], key(), chain.clone())),
        );
    }
    store.writer(password).write().expect("write p12")
}
