//! Stable codes of failed probe steps (the `code` of a step in `--format json`). Like the
//! diagnostic codes they are public API: never renamed; each has a section in
//! docs/probe-codes.md (a test checks that).

// configuration the probe cannot use
pub const INVALID_URL: &str = "invalid-url";
pub const TRUST_STORE: &str = "trust-store-unusable";
pub const CLIENT_IDENTITY: &str = "client-identity-unusable";
// network
pub const DNS_FAILED: &str = "dns-failed";
pub const CONNECT_REFUSED: &str = "connect-refused";
pub const CONNECT_TIMEOUT: &str = "connect-timeout";
pub const CONNECT_FAILED: &str = "connect-failed";
pub const READ_TIMEOUT: &str = "read-timeout";
pub const PROBE_TIMEOUT: &str = "probe-timeout";
// proxy
pub const PROXY_AUTH: &str = "proxy-auth-required";
pub const PROXY_REFUSED: &str = "proxy-refused";
pub const PROXY_UNSUPPORTED: &str = "proxy-unsupported";
// TLS
pub const TLS_UNKNOWN_ISSUER: &str = "tls-unknown-issuer";
pub const TLS_EXPIRED: &str = "tls-expired";
pub const TLS_NOT_YET_VALID: &str = "tls-not-yet-valid";
pub const TLS_NAME_MISMATCH: &str = "tls-name-mismatch";
pub const TLS_BAD_CERTIFICATE: &str = "tls-bad-certificate";
pub const TLS_CLIENT_CERT_REQUIRED: &str = "tls-client-cert-required";
pub const TLS_CLIENT_CERT_REJECTED: &str = "tls-client-cert-rejected";
pub const TLS_HANDSHAKE: &str = "tls-handshake-failed";
// HTTP and FHIR
pub const HTTP_FAILED: &str = "http-failed";
pub const HTTP_REDIRECT: &str = "http-redirect";
pub const HTTP_UNAUTHORIZED: &str = "http-unauthorized";
pub const HTTP_FORBIDDEN: &str = "http-forbidden";
pub const HTTP_STATUS: &str = "http-status";
pub const NOT_CAPABILITY_STATEMENT: &str = "not-a-capability-statement";
pub const BODY_TOO_LARGE: &str = "body-too-large";
// OIDC
pub const OIDC_DISCOVERY_STATUS: &str = "oidc-discovery-status";
pub const OIDC_DISCOVERY_INVALID: &str = "oidc-discovery-invalid";
pub const OIDC_ISSUER_MISMATCH: &str = "oidc-issuer-mismatch";
pub const OIDC_JWKS_URI: &str = "oidc-jwks-uri";
pub const OIDC_JWKS_STATUS: &str = "oidc-jwks-status";
pub const OIDC_JWKS_INVALID: &str = "oidc-jwks-invalid";
pub const OIDC_GRANT_TYPE: &str = "oidc-grant-type";
pub const OIDC_TOKEN_ENDPOINT: &str = "oidc-token-endpoint";
pub const OIDC_TOKEN_STATUS: &str = "oidc-token-status";
pub const OIDC_TOKEN_INVALID: &str = "oidc-token-invalid";
pub const OIDC_TOKEN_NOT_JWT: &str = "oidc-token-not-jwt";
pub const OIDC_TOKEN_NO_KID: &str = "oidc-token-no-kid";
pub const OIDC_KEY_NOT_FOUND: &str = "oidc-key-not-found";
pub const OIDC_KEY_UNUSABLE: &str = "oidc-key-unusable";
pub const OIDC_ALG_MISMATCH: &str = "oidc-alg-mismatch";
pub const OIDC_SIGNATURE: &str = "oidc-signature-invalid";
pub const OIDC_TOKEN_EXPIRED: &str = "oidc-token-expired";
pub const OIDC_TOKEN_NOT_YET_VALID: &str = "oidc-token-not-yet-valid";
pub const OIDC_TOKEN_NO_EXP: &str = "oidc-token-no-exp";
pub const OIDC_AUDIENCE: &str = "oidc-audience";
pub const OIDC_AUTHORIZED_PARTY: &str = "oidc-authorized-party";

/// Every code, for the documentation test and tools that list them.
pub const ALL: &[&str] = &[
    INVALID_URL,
    TRUST_STORE,
    CLIENT_IDENTITY,
    DNS_FAILED,
    CONNECT_REFUSED,
    CONNECT_TIMEOUT,
    CONNECT_FAILED,
    READ_TIMEOUT,
    PROBE_TIMEOUT,
    PROXY_AUTH,
    PROXY_REFUSED,
    PROXY_UNSUPPORTED,
    TLS_UNKNOWN_ISSUER,
    TLS_EXPIRED,
    TLS_NOT_YET_VALID,
    TLS_NAME_MISMATCH,
    TLS_BAD_CERTIFICATE,
    TLS_CLIENT_CERT_REQUIRED,
    TLS_CLIENT_CERT_REJECTED,
    TLS_HANDSHAKE,
    HTTP_FAILED,
    HTTP_REDIRECT,
    HTTP_UNAUTHORIZED,
    HTTP_FORBIDDEN,
    HTTP_STATUS,
    NOT_CAPABILITY_STATEMENT,
    BODY_TOO_LARGE,
    OIDC_DISCOVERY_STATUS,
    OIDC_DISCOVERY_INVALID,
    OIDC_ISSUER_MISMATCH,
    OIDC_JWKS_URI,
    OIDC_JWKS_STATUS,
    OIDC_JWKS_INVALID,
    OIDC_GRANT_TYPE,
    OIDC_TOKEN_ENDPOINT,
    OIDC_TOKEN_STATUS,
    OIDC_TOKEN_INVALID,
    OIDC_TOKEN_NOT_JWT,
    OIDC_TOKEN_NO_KID,
    OIDC_KEY_NOT_FOUND,
    OIDC_KEY_UNUSABLE,
    OIDC_ALG_MISMATCH,
    OIDC_SIGNATURE,
    OIDC_TOKEN_EXPIRED,
    OIDC_TOKEN_NOT_YET_VALID,
    OIDC_TOKEN_NO_EXP,
    OIDC_AUDIENCE,
    OIDC_AUTHORIZED_PARTY,
];
