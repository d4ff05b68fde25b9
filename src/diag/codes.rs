//! Stable diagnostic codes: a public API (JSON output, docs/codes.md, CI filters). Never rename
//! one; add a new code instead. Each code has a default severity, the server outcome it usually
//! means, and a one-line summary; `docs/codes.md` has a section per code (a test checks it).

use super::{Outcome, Severity};

macro_rules! codes {
    ($($variant:ident = $name:literal, $sev:ident, $outcome:expr, $summary:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev),* }
            }
            pub fn outcome(self) -> Option<Outcome> {
                match self { $(Code::$variant => $outcome),* }
            }
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }
        }
    };
}

use Outcome::*;

codes! {
    InputNotUtf8 = "input-not-utf8", Error, None, "the input is not valid UTF-8";
    InputLimit = "input-limit", Error, None, "the input exceeds a safety limit (size, nesting or aliases)";
    YamlSyntax = "yaml-syntax", Error, Some(NoConnections), "the text is not valid YAML";
    YamlTypographicQuote = "yaml-typographic-quote", Error, Some(NoConnections), "a quoted value is closed with a typographic quote and never ends";
    YamlTabIndentation = "yaml-tab-indentation", Error, Some(NoConnections), "a tab is used for indentation";
    YamlDuplicateKey = "yaml-duplicate-key", Error, Some(SilentlyWrong), "a key appears twice in one mapping";
    DuplicateConnectionId = "duplicate-connection-id", Error, Some(SilentlyWrong), "a connection id is defined twice";
    YamlAlias = "yaml-alias", Error, Some(SilentlyWrong), "an alias (`*name`), which the server does not resolve";
    YamlMergeKey = "yaml-merge-key", Error, Some(NoConnections), "a merge key (`<<`), which the server does not support";
    YamlMultipleDocuments = "yaml-multiple-documents", Warning, Some(SilentlyWrong), "a second YAML document, which the server ignores";
    YamlComplexKey = "yaml-complex-key", Error, Some(NoConnections), "a key that is a list or mapping";
    SpringPlaceholder = "spring-placeholder", Warning, Some(SilentlyWrong), "`${` or `#{` in a value, which the server substitutes before reading the YAML";
    RootNull = "root-null", Error, Some(DoesNotStart), "the document is null (`~`, `null` or `---` alone)";
    RootNotMapping = "root-not-mapping", Error, Some(NoConnections), "the document is not a mapping of connection ids";
    RootNoContent = "root-no-content", Error, Some(NoConnections), "the text holds only comments";
    ConnectionEmpty = "connection-empty", Error, Some(NoConnections), "a connection id with nothing under it";
    UnknownProperty = "unknown-property", Error, Some(NoConnections), "a property the server does not know (often a typo)";
    InvalidType = "invalid-type", Error, Some(NoConnections), "a value of the wrong kind (a list where text is expected, ...)";
    MissingProperty = "missing-property", Error, Some(NoConnections), "a required property is missing";
    ConflictingProperties = "conflicting-properties", Error, Some(NoConnections), "two properties that exclude each other are both set";
    BlankValue = "blank-value", Error, Some(NoConnections), "a value the server requires to be non-blank is blank";
    InvalidDuration = "invalid-duration", Error, Some(NoConnections), "a timeout that is not an ISO-8601 duration or a number of seconds";
    DurationTooLarge = "duration-too-large", Error, Some(NoConnections), "a timeout above P24DT20H31M23.647S (2^31-1 ms)";
    DurationNegative = "duration-negative", Error, Some(DoesNotStart), "a negative timeout";
    DurationZero = "duration-zero", Warning, Some(MayFail), "a zero timeout, which Java treats as wait forever";
    InvalidBoolean = "invalid-boolean", Error, Some(NoConnections), "a flag that is not one of the boolean words the server accepts";
    SecretNotString = "secret-not-string", Error, Some(NoConnections), "a password, token or client secret written as a number or boolean";
    PasswordNotLatin1 = "password-not-latin1", Error, Some(NoConnections), "a basic-auth password with characters outside ISO-8859-1";
    IdStartsWithHash = "id-starts-with-hash", Warning, Some(SilentlyWrong), "a connection id starting with `#`, which plugins cannot use";
    NullAuthBlock = "null-auth-block", Warning, Some(SilentlyWrong), "an auth block with nothing under it, which has no effect";
    SeveralAuthBlocks = "several-auth-blocks", Warning, Some(MayFail), "more than one of basic-auth, bearer-auth and oidc-auth in one connection";
    CredentialsOverHttp = "credentials-over-http", Warning, Some(MayFail), "credentials sent to a plain http:// base URL";
    InvalidUrl = "invalid-url", Error, Some(MayFail), "a base URL that is not an absolute http(s) URL";
    UrlQueryOrFragment = "url-query-or-fragment", Warning, Some(MayFail), "a base URL with a query or fragment";
    OidcNotHttps = "oidc-not-https", Warning, Some(MayFail), "an OIDC provider reached over plain http";
    FileNotReadable = "file-not-readable", Error, Some(NoConnections), "a file named in the config cannot be read";
    FileEmpty = "file-empty", Error, Some(NoConnections), "a key, certificate or trust store file is empty";
    SecretFileEmpty = "secret-file-empty", Error, Some(NoConnections), "a password, token or client secret file whose first line is blank";
    SecretFileMultiline = "secret-file-multiline", Error, Some(NoConnections), "a secret file with more than one line";
    SecretFileNotUtf8 = "secret-file-not-utf8", Error, Some(NoConnections), "a secret file that is not UTF-8 text";
    TrustStoreInvalid = "trust-store-invalid", Error, Some(NoConnections), "a trust store that is not a PEM file of certificates";
    CertificateInvalid = "certificate-invalid", Error, Some(NoConnections), "a client certificate file that is not a PEM file of certificates";
    NotClientCertificate = "not-client-certificate", Error, Some(NoConnections), "the client certificate lacks digitalSignature or clientAuth";
    PrivateKeyInvalid = "private-key-invalid", Error, Some(NoConnections), "a private key file the server cannot read";
    PrivateKeyPassword = "private-key-password", Error, Some(NoConnections), "the private key cannot be decrypted with the configured password";
    KeyMismatch = "key-mismatch", Error, Some(NoConnections), "the private key does not belong to the client certificate";
    Pkcs12Invalid = "pkcs12-invalid", Error, Some(NoConnections), "a PKCS#12 file that cannot be opened or does not hold exactly one key entry";
    KeyNotVerified = "key-not-verified", Warning, None, "key material this tool cannot check (the server may still accept it)";
    CertificateExpired = "certificate-expired", Warning, Some(MayFail), "a certificate that has expired";
    CertificateNotYetValid = "certificate-not-yet-valid", Warning, Some(MayFail), "a certificate that is not valid yet";
    CertificateExpiresSoon = "certificate-expires-soon", Warning, Some(MayFail), "a certificate that expires within 30 days";
    InvalidDefault = "invalid-default", Error, Some(DoesNotStart), "a DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_* variable with a bad value";
    DefaultTrustStoreMissing = "default-trust-store-missing", Warning, None, "the default trust store does not exist on this machine";
    DefaultTrustStoreInvalid = "default-trust-store-invalid", Error, Some(DoesNotStart), "the default trust store holds no readable certificate";
    InvalidValue = "invalid-value", Error, Some(NoConnections), "a value the schema rejects for another reason";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {}", c.as_str());
            assert!(
                c.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            );
        }
    }
}
