//! What one probe needs to know about one connection: plain owned data, filled by the caller from
//! the resolved connection model (effective settings, decoded key material, secrets). No I/O here;
//! the network layer only reads these values.

use crate::secrets::{Secret, SecretBytes};
use std::time::Duration;

/// One connection to probe, with every setting already effective (defaults applied).
#[derive(Debug, Clone)]
pub struct ProbeTarget {
    /// The connection id (the YAML key).
    pub id: String,
    /// Effective `base-url`, one trailing `/` already stripped (as the server's accessor does).
    pub base_url: String,
    /// Effective `test-connection-on-startup`: whether the server itself runs the FHIR test.
    pub test_on_startup: bool,
    /// Effective `connect-timeout`; zero means "wait forever", as in Java.
    pub connect_timeout: Duration,
    /// Effective `read-timeout`; zero means "wait forever".
    pub read_timeout: Duration,
    /// Exactly the roots the BPE trusts for this connection (its own file, or the default store).
    pub trust: TrustRoots,
    /// The `cert-auth` key and chain (PEM key + certificate file, or the PKCS#12 entry).
    pub client_identity: Option<ClientIdentity>,
    pub basic: Option<BasicCredentials>,
    pub bearer: Option<Secret>,
    pub oidc: Option<OidcTarget>,
}

/// Trusted root certificates and where they came from (for messages).
#[derive(Debug, Clone, Default)]
pub struct TrustRoots {
    /// DER certificates.
    pub certificates: Vec<Vec<u8>>,
    /// Where the roots were read from, e.g. the file path or `the default trust store (ca/server_root_cas)`.
    pub source: String,
}

/// A client certificate chain and its private key, for mutual TLS.
#[derive(Debug, Clone)]
pub struct ClientIdentity {
    /// DER certificates, leaf first.
    pub chain: Vec<Vec<u8>>,
    pub key: PrivateKey,
}

/// A decoded (unencrypted) private key.
#[derive(Debug, Clone)]
pub struct PrivateKey {
    pub format: KeyFormat,
    pub der: SecretBytes,
}

/// The DER encoding of a private key, as rustls needs to know it (decoded by `crypto`).
pub use crate::crypto::KeyFormat;

/// `basic-auth`: the username and the password (inline or from `password-file`).
#[derive(Debug, Clone)]
pub struct BasicCredentials {
    pub username: String,
    pub password: Secret,
}

/// `oidc-auth` with its effective settings (they fall back to the global defaults, not to the
/// enclosing connection's values).
#[derive(Debug, Clone)]
pub struct OidcTarget {
    /// Effective `oidc-auth.base-url`, one trailing `/` stripped.
    pub base_url: String,
    /// Effective discovery path, with a leading `/`.
    pub discovery_path: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub required_audience: Vec<String>,
    pub verify_authorized_party: bool,
    /// As configured. The server swaps the two (fact 43); the probe applies the swap itself.
    pub connect_timeout: Duration,
    /// As configured (see `connect_timeout`).
    pub read_timeout: Duration,
    pub trust: TrustRoots,
    /// `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_TIME_VALIDATION_LEEWAY` (whole seconds count).
    pub leeway: Duration,
}

impl ClientIdentity {
    /// The key entry of a decoded PKCS#12 file: its chain and key.
    pub fn from_p12(info: &crate::crypto::P12Info) -> Option<ClientIdentity> {
        let key = info.key.as_ref()?;
        Some(ClientIdentity {
            chain: info.chain.iter().map(|c| c.der.clone()).collect(),
            key: PrivateKey {
                format: key.format,
                der: key.der.clone(),
            },
        })
    }

    /// A PKCS#12 file opened with `password` (through `crypto`, as the checks open it).
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<ClientIdentity, String> {
        let budget = crate::crypto::kdf::Budget::default();
        let info = crate::crypto::pkcs12(data, password, &mut budget.meter())
            .map_err(|_| "the PKCS#12 file cannot be opened with this password".to_string())?;
        ClientIdentity::from_p12(&info)
            .ok_or_else(|| "the PKCS#12 file holds no private key entry".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn plain_data_crosses_threads() {
        assert_send_sync::<ProbeTarget>();
    }

    #[test]
    fn debug_hides_secrets() {
        let b = BasicCredentials {
            username: "u".into(),
            password: Secret::new("canary-pw"),
        };
        assert!(!format!("{b:?}").contains("canary-pw"));
    }
}
