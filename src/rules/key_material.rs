//! Key material, judged with the server's rules (crypto-utils): trust stores of PEM
//! certificates only; the cert-auth PKCS#12 (opens with the password, exactly one key entry) or
//! PEM certificate and key (decryptable with the password, the first certificate a client
//! certificate, the key matching it). Beyond the server: certificates that expired, are not yet
//! valid or expire within 30 days. The file and key service decoded everything; messages name
//! subjects and files, never key bytes.

use super::{Ctx, Rule, on_value, value_of};
use crate::crypto::{CertInfo, CertsError, ClientCheck, KeyError, P12Error, PublicId};
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::model::{At, CertAuth, Connection, FileRef, KeyMaterial, Loaded, Trust};
use crate::secrets::{Piece, Text};
use crate::text;

pub static TRUST_STORE_INVALID: Rule = Rule {
    fix: None,
    name: "trust-store-invalid",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a trust store that is not a PEM file of certificates",
    docs: r##"**What:** A `trusted-root-certificates-file` that is not a PEM file of certificates: no certificate, or a PEM object of another type (a key, say).

**Why it matters:** The server rejects it: no connections.

**Fix:** Put only the CA certificates (`-----BEGIN CERTIFICATE-----`) into the file."##,
};
pub static CERTIFICATE_INVALID: Rule = Rule {
    fix: None,
    name: "certificate-invalid",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a client certificate file that is not a PEM file of certificates",
    docs: r##"**What:** A `certificate-file` that is not a PEM file of certificates.

**Why it matters:** The server rejects it: no connections.

**Fix:** Put the client certificate first, then its chain, all as PEM certificates."##,
};
pub static NOT_CLIENT_CERTIFICATE: Rule = Rule {
    fix: None,
    name: "not-client-certificate",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "the client certificate lacks digitalSignature or clientAuth",
    docs: r##"**What:** The first certificate of `certificate-file` is not a client certificate: the server requires key usage digitalSignature and extended key usage clientAuth.

**Why it matters:** The server rejects it (no connections); a certificate with key usage but no extended key usage at all makes the BPE fail to start.

**Fix:** Use a certificate issued for TLS client authentication."##,
};
pub static PRIVATE_KEY_INVALID: Rule = Rule {
    fix: None,
    name: "private-key-invalid",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a private key file the server cannot read",
    docs: r##"**What:** A `private-key-file` the server cannot read: no PEM block at all (the BPE does not start), a first PEM object that is not a private key, or an unreadable key.

**Why it matters:** The server reads only the first PEM object of the file.

**Fix:** Put the private key (PKCS#8, PKCS#1 or SEC1) first in the file."##,
};
pub static PRIVATE_KEY_PASSWORD: Rule = Rule {
    fix: None,
    name: "private-key-password",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "the private key cannot be decrypted with the configured password",
    docs: r##"**What:** The private key cannot be decrypted with `password` or the content of `password-file`.

**Why it matters:** The server rejects it: no connections.

**Fix:** Use the password the key was encrypted with."##,
};
pub static KEY_MISMATCH: Rule = Rule {
    fix: None,
    name: "key-mismatch",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "the private key does not belong to the client certificate",
    docs: r##"**What:** The private key does not belong to the first certificate of `certificate-file`.

**Why it matters:** The server compares them and rejects a mismatch: no connections.

**Fix:** Pair the key with the certificate issued for it."##,
};
pub static PKCS12_INVALID: Rule = Rule {
    fix: None,
    name: "pkcs12-invalid",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a PKCS#12 file that cannot be opened or does not hold exactly one key entry",
    docs: r##"**What:** A `p12-file` that cannot be opened with the password, is not PKCS#12, asks for more than 5,000,000 iterations for its MAC, an encrypted safe or its key (the JDK's own limit: "MAC iteration count too large"), or does not hold exactly one entry with a private key and its certificate chain.

**Why it matters:** The server rejects it: no connections.

**Fix:** Export a PKCS#12 file with exactly the client key and its chain, with the configured password."##,
};
pub static KEY_NOT_VERIFIED: Rule = Rule {
    fix: None,
    name: "key-not-verified",
    severity: Severity::Warning,
    outcome: None,
    summary: "key material this tool cannot check (the server may still accept it)",
    docs: r##"**What:** Key material this tool cannot check: PKCS#8 keys encrypted with a PKCS#12 PBE scheme, legacy PEM keys encrypted with a cipher other than AES-128/192/256-CBC or DES-EDE3-CBC, key algorithms other than RSA and EC P-256/P-384, or a PKCS#12 file of more than 1,024 certificates.

**Why it matters:** The server may accept it; this tool cannot confirm that the key opens and matches.

**Fix:** Convert the key to PBES2-encrypted PKCS#8 (`openssl pkcs8 -topk8 -v2 aes-256-cbc`) to have it checked."##,
};
pub static KEY_KDF_TOO_COSTLY: Rule = Rule {
    fix: None,
    name: "key-kdf-too-costly",
    severity: Severity::Warning,
    outcome: None,
    summary: "an encrypted key whose key derivation is too costly to run: not verified",
    docs: r##"**What:** An encrypted `private-key-file` or `p12-file` names a key derivation (PBKDF2 iterations, scrypt N, r and p) costlier than this tool runs: more than 128 MiB of memory, more work than 5,000,000 PBKDF2-HMAC-SHA-256 iterations for the file, or more than is left of the run's budget of 10,000,000 for all files together. The key was not decrypted, so it is not verified: neither the password nor whether it matches the certificate.

**Why it matters:** The server (Bouncy Castle, the JDK) derives the key at start-up with the file's parameters, taking as long and as much memory as they ask: OpenSSL and keytool write 2,048 to 600,000 PBKDF2 iterations and scrypt of 16 MiB, a file asking for far more was not made by them, and a start-up can take minutes or run out of memory. A PKCS#12 file with an iteration count above the JDK's own limit (5,000,000) is `pkcs12-invalid`: the server cannot open it at all.

**Fix:** Encrypt the key again with common parameters (`openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 100000`, or `openssl pkcs12 -export` with its defaults). A key reported because the run's budget was spent on other files is checked in a run of its own."##,
};
pub static CERTIFICATE_EXPIRED: Rule = Rule {
    fix: None,
    name: "certificate-expired",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "a certificate that has expired",
    docs: r##"**What:** A client or trusted certificate has expired (the message names its subject and date).

**Why it matters:** TLS handshakes with it fail; the server itself does not check this.

**Fix:** Renew the certificate."##,
};
pub static CERTIFICATE_NOT_YET_VALID: Rule = Rule {
    fix: None,
    name: "certificate-not-yet-valid",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "a certificate that is not valid yet",
    docs: r##"**What:** A client or trusted certificate is not valid yet.

**Why it matters:** TLS handshakes with it fail until the date in the message.

**Fix:** Check the certificate's dates and the clock of the machine that issued it."##,
};
pub static CERTIFICATE_EXPIRES_SOON: Rule = Rule {
    fix: None,
    name: "certificate-expires-soon",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "a certificate that expires within 30 days",
    docs: r##"**What:** A client or trusted certificate expires within 30 days.

**Why it matters:** The connection stops working on that date.

**Fix:** Renew the certificate before the date in the message."##,
};
const SOON: i64 = 30 * 86_400;

/// Where the file was looked up, for messages: the path on this machine, or as configured.
fn shown(f: &FileRef) -> Piece {
    match (&f.host, f.path.ok(), f.path.at()) {
        (Some(h), _, _) => Piece::value(&h.display().to_string()),
        (None, Some(p), Some(at)) => value_of(at, p),
        (None, p, _) => Piece::value(p.map(String::as_str).unwrap_or_default()),
    }
}

/// What a certificate or key file says of itself (a subject, a PEM label, a parser's
/// complaint): read from a file, not a secret, shown through the URL redactor and scrubber.
fn from_file(s: &str) -> Piece {
    Piece::value(s)
}

/// Expired, not yet valid, or expiring within 30 days.
fn validity(ctx: &Ctx, at: &At, c: &CertInfo, what: &'static str, out: &mut Vec<Diagnostic>) {
    let (rule, message) = if c.not_after < ctx.now {
        (
            &CERTIFICATE_EXPIRED,
            text!(
                "{} `{}` expired on {}",
                what,
                from_file(&c.subject),
                Piece::own(c.not_after_date())
            ),
        )
    } else if c.not_before > ctx.now {
        (
            &CERTIFICATE_NOT_YET_VALID,
            text!(
                "{} `{}` is not valid before {}",
                what,
                from_file(&c.subject),
                Piece::own(c.not_before_date())
            ),
        )
    } else if c.not_after - ctx.now < SOON {
        (
            &CERTIFICATE_EXPIRES_SOON,
            text!(
                "{} `{}` expires on {}",
                what,
                from_file(&c.subject),
                Piece::own(c.not_after_date())
            ),
        )
    } else {
        return;
    };
    out.push(
        on_value(rule, at, message)
            .label("certificate validity")
            .help("renew the certificate; TLS connections fail with an expired or not yet valid certificate"),
    );
}

fn certs_error(
    rule: &'static Rule,
    prop: &'static str,
    f: &FileRef,
    e: &CertsError,
) -> Option<Diagnostic> {
    let at = f.path.at()?;
    if *e == CertsError::EmptyFile {
        return None; // reported as an empty file
    }
    let help = if rule == &TRUST_STORE_INVALID {
        "a trust store is a PEM file of CA certificates (`-----BEGIN CERTIFICATE-----` blocks) and nothing else"
    } else {
        "the file must hold PEM certificates only, the client certificate first"
    };
    Some(
        on_value(
            rule,
            at,
            text!("`{}`: {}: {}", prop, shown(f), from_file(&e.describe())),
        )
        .label("not a certificate file")
        .help(help),
    )
}

fn trust_store(ctx: &Ctx, t: &Trust, out: &mut Vec<Diagnostic>) {
    let Trust::Own { file, certificates } = t else {
        return;
    };
    let prop = "trusted-root-certificates-file";
    match certificates {
        Loaded::Invalid(e) => out.extend(certs_error(&TRUST_STORE_INVALID, prop, file, e)),
        Loaded::Ok(certs) => {
            if let Some(at) = file.path.at() {
                for c in certs.iter() {
                    validity(ctx, at, c, "trusted certificate", out);
                }
            }
        }
        Loaded::NotChecked => {}
    }
}

/// A "password from here" label.
fn password_label(a: &CertAuth, d: Diagnostic) -> Diagnostic {
    let at = a
        .password
        .as_ref()
        .and_then(|p| p.at())
        .or_else(|| a.password_file.as_ref().and_then(|f| f.file.path.at()));
    match at {
        Some(at) => d.also(at.key, Some(at.pointer()), "password from here"),
        None => d,
    }
}

/// Why a key was not decrypted: a derivation too costly or the run's budget spent.
fn too_costly(
    prop: &'static str,
    at: &At,
    s: Piece,
    why: &crate::crypto::kdf::TooCostly,
    server: &'static str,
) -> Diagnostic {
    use crate::crypto::kdf::TooCostly;
    let help = match why {
        TooCostly::Budget => Text::from(
            "the key is not verified; check this file in a run of its own to have it decrypted",
        ),
        _ => text!(
            "the key is not verified (neither the password nor the certificate); {}",
            Piece::own(server)
        ),
    };
    on_value(
        &KEY_KDF_TOO_COSTLY,
        at,
        text!(
            "`{}`: {} was not decrypted: {}",
            Piece::own(prop),
            s,
            Piece::own(why.describe())
        ),
    )
    .label("not verified")
    .help(help)
}

fn pkcs12(
    ctx: &Ctx,
    a: &CertAuth,
    loaded: &Loaded<std::sync::Arc<crate::crypto::P12Info>, P12Error>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(f) = &a.p12_file else { return };
    let Some(at) = f.path.at() else { return };
    let s = shown(f);
    match loaded {
        Loaded::Invalid(P12Error::WrongPasswordOrCorrupt) => out.push(password_label(
            a,
            on_value(&PKCS12_INVALID, at, text!("`p12-file`: {} cannot be opened with the configured password", s.clone()))
                .label("cannot open")
                .help("check the password (or password-file), or whether the file is damaged"),
        )),
        Loaded::Invalid(P12Error::Refused(why)) => out.push(
            on_value(&PKCS12_INVALID, at, text!("`p12-file`: {}: {}", s.clone(), Piece::own(why)))
                .label("the JDK refuses it")
                .help("export the PKCS#12 file again with keytool's or OpenSSL's defaults (10,000 or 2,048 iterations)"),
        ),
        Loaded::Invalid(P12Error::TooCostly(why)) => out.push(too_costly(
            "p12-file",
            at,
            s.clone(),
            why,
            "the server opens it at start-up with these parameters, taking as long and as much memory as they ask; export it again with common parameters (`openssl pkcs12 -export` or keytool with their defaults)",
        )),
        Loaded::Invalid(P12Error::Unverifiable(why)) => out.push(
            on_value(&KEY_NOT_VERIFIED, at, text!("`p12-file`: {} could not be checked: {}", s.clone(), from_file(why)))
                .label("not verified"),
        ),
        Loaded::Invalid(P12Error::Invalid(why)) => out.push(
            on_value(&PKCS12_INVALID, at, text!("`p12-file`: {}: {}", s.clone(), from_file(why)))
                .label("not PKCS#12")
                .help("the file must be a PKCS#12 (.p12/.pfx) keystore with the client key and its certificate chain"),
        ),
        Loaded::Ok(info) if info.entries != 1 || info.chain.is_empty() => out.push(
            on_value(
                &PKCS12_INVALID,
                at,
                if info.chain.is_empty() && info.entries <= 1 {
                    text!("`p12-file`: {} holds no private key with a certificate chain", s.clone())
                } else {
                    text!("`p12-file`: {} holds {} entries; the server needs exactly one", s.clone(), info.entries)
                },
            )
            .label("wrong content")
            .help("export a PKCS#12 file with exactly one entry: the client key and its certificate chain"),
        ),
        Loaded::Ok(info) => {
            if let Some(leaf) = info.chain.first() {
                validity(ctx, at, leaf, "client certificate", out);
            }
        }
        Loaded::NotChecked => {}
    }
}

fn client_certificate(at: &At, leaf: &CertInfo, out: &mut Vec<Diagnostic>) {
    let (why, outcome) = match leaf.client {
        ClientCheck::Ok => return,
        ClientCheck::NoKeyUsage => ("it has no key usage extension", Outcome::NoConnections),
        ClientCheck::NoDigitalSignature => (
            "its key usage lacks digitalSignature",
            Outcome::NoConnections,
        ),
        ClientCheck::NoClientAuth => (
            "its extended key usage lacks clientAuth (TLS client authentication)",
            Outcome::NoConnections,
        ),
        ClientCheck::NoExtendedKeyUsage => (
            "it has key usage but no extended key usage extension",
            Outcome::DoesNotStart,
        ),
    };
    out.push(
        on_value(
            &NOT_CLIENT_CERTIFICATE,
            at,
            text!("the first certificate (`{}`) is not a client certificate: {}", from_file(&leaf.subject), why),
        )
        .outcome(Some(outcome))
        .label("not a client certificate")
        .help("use a certificate issued for TLS client authentication (key usage digitalSignature and extended key usage clientAuth), first in the file"),
    );
}

fn key_error(a: &CertAuth, at: &At, s: Piece, e: &KeyError) -> Diagnostic {
    match e {
        KeyError::NoPem => on_value(&PRIVATE_KEY_INVALID, at, text!("`private-key-file`: {} holds no PEM block", s))
            .outcome(Some(Outcome::DoesNotStart))
            .label("no PEM")
            .help("the file must start with a PEM private key (`-----BEGIN PRIVATE KEY-----` or `-----BEGIN ENCRYPTED PRIVATE KEY-----`)"),
        KeyError::NotAKey(label) => on_value(&PRIVATE_KEY_INVALID, at, text!("`private-key-file`: the first PEM object of {} is a `{}`, not a private key", s, from_file(label)))
            .label("not a key")
            .help("the server reads only the first PEM object of the key file: put the private key first"),
        KeyError::Invalid(why) => on_value(&PRIVATE_KEY_INVALID, at, text!("`private-key-file`: {}: {}", s, from_file(why)))
            .label("unreadable key")
            .help("the file must hold a PEM private key first (PKCS#8, PKCS#1 RSA or SEC1 EC, plain or encrypted)"),
        KeyError::NeedsPassword | KeyError::WrongPassword => password_label(
            a,
            on_value(&PRIVATE_KEY_PASSWORD, at, text!("`private-key-file`: {} cannot be decrypted with the configured password", s))
                .label("wrong password")
                .help("check `password` or the content of `password-file`"),
        ),
        KeyError::Unverifiable(why) => on_value(&KEY_NOT_VERIFIED, at, text!("`private-key-file`: {} could not be checked: {}", s, from_file(why)))
            .label("not verified"),
        KeyError::TooCostly(why) => too_costly(
            "private-key-file",
            at,
            s,
            why,
            "the server decrypts it at start-up with these parameters, taking as long and as much memory as they ask; encrypt it again with common parameters (`openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 100000`)",
        ),
    }
}

fn pem(
    ctx: &Ctx,
    a: &CertAuth,
    certificates: &Loaded<std::sync::Arc<Vec<CertInfo>>, CertsError>,
    key: &Loaded<std::sync::Arc<crate::crypto::PrivateKey>, KeyError>,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(cert_file), Some(key_file)) = (&a.certificate_file, &a.private_key_file) else {
        return;
    };
    let leaf = match certificates {
        Loaded::Invalid(e) => {
            out.extend(certs_error(
                &CERTIFICATE_INVALID,
                "certificate-file",
                cert_file,
                e,
            ));
            None
        }
        Loaded::Ok(certs) => {
            let leaf = certs.first();
            if let (Some(leaf), Some(at)) = (leaf, cert_file.path.at()) {
                client_certificate(at, leaf, out);
                validity(ctx, at, leaf, "client certificate", out);
            }
            leaf
        }
        Loaded::NotChecked => None,
    };
    let Some(key_at) = key_file.path.at() else {
        return;
    };
    let public = match key {
        Loaded::Invalid(e) => {
            out.push(key_error(a, key_at, shown(key_file), e));
            return;
        }
        Loaded::Ok(k) => &k.public,
        Loaded::NotChecked => return,
    };
    let (Some(leaf), Some(cert_at)) = (leaf, cert_file.path.at()) else {
        return;
    };
    match (public, &leaf.public) {
        (PublicId::Other(_), _) | (_, PublicId::Other(_)) => out.push(
            on_value(&KEY_NOT_VERIFIED, key_at, "whether the private key matches the certificate could not be checked: the key algorithm is not supported by this tool")
                .label("not verified")
                .help("RSA and EC P-256/P-384 keys are checked; other algorithms are left to the server"),
        ),
        (k, c) if !k.same_key(c) => out.push(
            on_value(
                &KEY_MISMATCH,
                key_at,
                text!("the private key does not belong to the certificate `{}`", from_file(&leaf.subject)),
            )
            .label("other key")
            .also(cert_at.value_or_key(), Some(cert_at.pointer()), "certificate")
            .help(if k.algorithm() != c.algorithm() {
                text!("the key is {} but the certificate's key is {}; pair the files that belong together", Piece::own(k.algorithm()), Piece::own(c.algorithm()))
            } else {
                Text::from("pair the key with the certificate issued for it")
            }),
        ),
        _ => {}
    }
}

pub fn check(ctx: &Ctx, c: &Connection, out: &mut Vec<Diagnostic>) {
    trust_store(ctx, &c.trust, out);
    if let Some(o) = c.oidc_auth.get() {
        trust_store(ctx, &o.trust, out);
    }
    let Some(a) = c.cert_auth.get() else { return };
    match &a.material {
        KeyMaterial::Pkcs12(loaded) => pkcs12(ctx, a, loaded, out),
        KeyMaterial::Pem { certificates, key } => pem(ctx, a, certificates, key, out),
        KeyMaterial::NotChecked => {}
    }
}
