//! The server's defaults from its environment: `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_*`
//! variables with bad values (shown in the `<environment>` pseudo-source), and the default trust
//! store (built-in `ca/server_root_cas`, inside the BPE image), used by every https connection
//! without its own trust store: checked once per run, when some connection relies on it.

use super::Rule;
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::files::{DefaultTrust, DefaultTrustState};
use crate::secrets::{Piece, Text};
use crate::source::{FileId, Span};
use crate::text;

pub static INVALID_DEFAULT: Rule = Rule {
    fix: None,
    name: "invalid-default",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "a DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_* variable with a bad value",
    docs: r##"**What:** One of the `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_*` variables (or `..._OIDC_TIME_VALIDATION_LEEWAY`, `..._OIDC_CACHE`, `..._OIDC_CACHE_TIMEOUT_CONFIGURATION_RESOURCE`, `..._OIDC_CACHE_TIMEOUT_JWKS_RESOURCE`, `..._OIDC_CACHE_TIMEOUT_ACCESS_TOKEN`) has a value the server cannot convert: a boolean that is not true/false/yes/no/on/off/1/0 (any case), a duration that is not an ISO-8601 duration for Java's `Duration.parse` (no spaces around it), or a negative leeway or cache timeout. The diagnostic points into the pseudo-file `<environment>`, one line per variable.

**Why it matters:** The server converts these when it starts, whatever the connections are; a bad value stops it. (A negative `..._DEFAULT_TIMEOUT_CONNECT`/`_READ` is accepted there and reported as `duration-negative`.)

Bad:

```sh
DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT=5s
```

**Fix:** `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT=PT5S`"##,
};
/// A `DEFAULT_*` variable (`suffix`, one of `defaults::VARIABLES`) with a value the server
/// cannot use.
pub fn invalid(bad: crate::defaults::BadDefault) -> Diagnostic {
    Diagnostic::new(
        &INVALID_DEFAULT,
        bad.file,
        bad.span,
        text!("${}{} {}", crate::defaults::PREFIX, bad.suffix, bad.what),
    )
    .at("")
    .outcome(Some(Outcome::DoesNotStart))
    .label("bad default")
    .help(bad.help)
}

pub static DEFAULT_TRUST_STORE_MISSING: Rule = Rule {
    fix: None,
    name: "default-trust-store-missing",
    severity: Severity::Warning,
    outcome: None,
    summary: "the default trust store does not exist on this machine",
    docs: r##"**What:** Some https connection (or OIDC provider) has no `trusted-root-certificates-file`, so it uses the default trust store (`..._DEFAULT_TRUST_SERVER_CERTIFICATE_CAS`, built-in `ca/server_root_cas`), and that path does not exist on the machine running the check. Reported once per run.

**Why it matters:** On the BPE host a missing default trust store stops the BPE; here it may simply live elsewhere, so this is a warning.

**Fix:** Run the check where the path exists, set the variable, or map the folder with `--path-map`."##,
};
pub static DEFAULT_TRUST_STORE_INVALID: Rule = Rule {
    fix: None,
    name: "default-trust-store-invalid",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "the default trust store holds no readable certificate",
    docs: r##"**What:** The default trust store exists but is not a PEM file of certificates, or is a folder whose `*.pem`/`*.crt` files hold no certificate (or one of them is not a certificate file).

**Why it matters:** The server cannot build its default trust store: the BPE does not start.

**Fix:** Put the CA certificates (PEM) into the file or folder."##,
};
/// What to say about the default trust store: a diagnostic, or (when the user neither set it nor
/// mapped its path, so a missing one only means "not on this machine") a note for the summary.
pub fn check(
    store: &DefaultTrust,
    file: FileId,
    span: Span,
    meaningful: bool,
) -> Result<Option<Diagnostic>, Text> {
    let shown = store.host.display().to_string();
    // the path as this machine sees it (mapped by `--path-map`), quoted from where it is set
    let path = || Piece::decoded(file, span, &shown);
    match &store.state {
        DefaultTrustState::Missing if !meaningful => Err(text!(
            "the default trust store {} (inside the BPE image) was not checked: it is not on this machine",
            path()
        )),
        DefaultTrustState::Missing => Ok(Some(
            Diagnostic::new(
                &DEFAULT_TRUST_STORE_MISSING,
                file,
                span,
                text!("the default trust store {} does not exist here, so it was not checked", path()),
            )
            .at("")
            .label("not found")
            .help("https connections without `trusted-root-certificates-file` use it; check it on the BPE host, or map its folder with --path-map"),
        )),
        DefaultTrustState::Loaded {
            certificates,
            problems,
        } => {
            if problems.is_empty() && !certificates.is_empty() {
                return Ok(None);
            }
            // (the files of a folder and what is wrong with them: read here, written nowhere)
            let why = if problems.is_empty() {
                Piece::from("it holds no certificate")
            } else {
                Piece::value(&problems.join("; "))
            };
            Ok(Some(
                Diagnostic::new(
                    &DEFAULT_TRUST_STORE_INVALID,
                    file,
                    span,
                    text!("the default trust store {} cannot be used: {}", path(), why),
                )
                .at("")
                .label("default trust store")
                .help("it must be a PEM file of CA certificates, or a folder of *.pem/*.crt files with at least one certificate"),
            ))
        }
    }
}
