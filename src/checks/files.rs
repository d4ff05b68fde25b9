//! Files named in a connection, checked as the server checks them: readable, not empty, secret
//! files one non-blank UTF-8 line, trust stores all certificates, and the cert-auth key material
//! (PKCS#12, or PEM certificate plus private key: decryptable with the password, a client
//! certificate, a matching key). Beyond the server: warnings for certificates that expired, are
//! not yet valid or expire within 30 days. Nothing read from a file is ever put in a message.

use super::rules::RuleCtx;
use super::values::{is_latin1, not_latin1};
use crate::crypto::{self, CertInfo, ClientCheck, KeyError, P12Error, PublicId};
use crate::diag::{Code, Diagnostic, Label, Outcome};
use crate::files::{Content, Files};
use std::path::Path;

const SOON: i64 = 30 * 86_400;

pub fn check(ctx: &RuleCtx, out: &mut Vec<Diagnostic>) {
    let Some(files) = ctx.files else { return };
    for block in [None, Some("oidc-auth")] {
        trust_store(ctx, files, block, out);
    }
    if let Some(pw) = secret_file(
        ctx,
        files,
        "basic-auth",
        "password-file",
        Outcome::DoesNotStart,
        out,
    ) && !is_latin1(&pw)
    {
        let at = ctx.at(Some("basic-auth"), "password-file");
        out.push(not_latin1(ctx, &at, "the password in `password-file`"));
    }
    secret_file(
        ctx,
        files,
        "bearer-auth",
        "token-file",
        Outcome::NoConnections,
        out,
    );
    secret_file(
        ctx,
        files,
        "oidc-auth",
        "client-secret-file",
        Outcome::NoConnections,
        out,
    );
    cert_auth(ctx, files, out);
}

/// Read the file of `block.prop`; report an unreadable or (if `nonempty`) empty file.
fn read(
    ctx: &RuleCtx,
    files: &Files,
    block: Option<&str>,
    prop: &str,
    nonempty: bool,
    out: &mut Vec<Diagnostic>,
) -> Option<(String, Content)> {
    let configured = ctx.text(block, prop)?;
    if configured.trim().is_empty() {
        return None; // blank: the schema reports it
    }
    let at = ctx.at(block, prop);
    let (path, content) = files.read(configured);
    let shown = path.display().to_string();
    match content.as_ref() {
        Err(e) => {
            out.push(
                ctx.on_value(
                    Code::FileNotReadable,
                    &at,
                    format!("`{prop}`: cannot read {shown}: {}", e.describe()),
                )
                .label("not readable")
                .help(not_readable_help(files, configured, &path)),
            );
            None
        }
        Ok(bytes) if nonempty && bytes.is_empty() => {
            out.push(
                ctx.on_value(Code::FileEmpty, &at, format!("`{prop}`: {shown} is empty"))
                    .label("empty file"),
            );
            None
        }
        Ok(_) => Some((shown, content)),
    }
}

fn not_readable_help(files: &Files, configured: &str, resolved: &Path) -> String {
    let mut help =
        String::from("the BPE reads this path inside its container or working directory");
    if Path::new(configured) != resolved {
        help.push_str(&format!(
            " (`{configured}` was looked up as {})",
            resolved.display()
        ));
    }
    if files.options.path_maps.is_empty() && configured.starts_with('/') {
        help.push_str(
            "; to check a container path here, map it with --path-map /run/secrets=./secrets",
        );
    }
    help.push_str("; --skip-file-checks turns file checks off");
    help
}

/// A secret file's content as the server reads it: strict UTF-8, its first line, which must not
/// be blank, and nothing after the first line break. Returns the secret.
fn secret_file(
    ctx: &RuleCtx,
    files: &Files,
    block: &str,
    prop: &str,
    zero_bytes: Outcome,
    out: &mut Vec<Diagnostic>,
) -> Option<String> {
    let (shown, content) = read(ctx, files, Some(block), prop, false, out)?;
    let bytes = content.as_ref().as_ref().ok()?;
    let at = ctx.at(Some(block), prop);
    let Ok(text) = std::str::from_utf8(bytes) else {
        out.push(
            ctx.on_value(
                Code::SecretFileNotUtf8,
                &at,
                format!("`{prop}`: {shown} is not UTF-8 text"),
            )
            .label("not UTF-8")
            .help("the server reads secret files as UTF-8; save it as UTF-8"),
        );
        return None;
    };
    let (first, rest) = match text.find(['\n', '\r']) {
        Some(i) => {
            let after = if text[i..].starts_with("\r\n") {
                i + 2
            } else {
                i + 1
            };
            (&text[..i], &text[after..])
        }
        None => (text, ""),
    };
    if first.trim().is_empty() {
        let outcome = if bytes.is_empty() {
            zero_bytes
        } else {
            Outcome::NoConnections
        };
        out.push(
            ctx.on_value(
                Code::SecretFileEmpty,
                &at,
                if bytes.is_empty() {
                    format!("`{prop}`: {shown} is empty")
                } else {
                    format!("`{prop}`: the first line of {shown} is blank")
                },
            )
            .outcome(Some(outcome))
            .label("no secret")
            .help("the server uses the first line of the file as the secret; write it there"),
        );
        return None;
    }
    if !rest.is_empty() {
        out.push(
            ctx.on_value(
                Code::SecretFileMultiline,
                &at,
                format!("`{prop}`: {shown} has more than one line"),
            )
            .label("more than one line")
            .help("the file must hold the secret on one line (one trailing line break is fine)"),
        );
        return None;
    }
    Some(first.to_string())
}

/// The connection's or oidc-auth's own trust store: a PEM file of certificates only.
fn trust_store(ctx: &RuleCtx, files: &Files, block: Option<&str>, out: &mut Vec<Diagnostic>) {
    let prop = "trusted-root-certificates-file";
    let Some((shown, content)) = read(ctx, files, block, prop, true, out) else {
        return;
    };
    let Ok(bytes) = content.as_ref() else { return };
    let at = ctx.at(block, prop);
    match crypto::certificates(bytes) {
        Err(e) => out.push(
            ctx.on_value(Code::TrustStoreInvalid, &at, format!("`{prop}`: {shown}: {}", e.describe()))
                .label("not a certificate file")
                .help("a trust store is a PEM file of CA certificates (`-----BEGIN CERTIFICATE-----` blocks) and nothing else"),
        ),
        Ok(certs) => {
            for c in &certs {
                validity(ctx, &at, c, "trusted certificate", out);
            }
        }
    }
}

/// Expired, not yet valid, or expiring within 30 days.
fn validity(ctx: &RuleCtx, at: &str, c: &CertInfo, what: &str, out: &mut Vec<Diagnostic>) {
    let (code, message) = if c.not_after < ctx.now {
        (
            Code::CertificateExpired,
            format!("{what} `{}` expired on {}", c.subject, c.not_after_date()),
        )
    } else if c.not_before > ctx.now {
        (
            Code::CertificateNotYetValid,
            format!(
                "{what} `{}` is not valid before {}",
                c.subject,
                c.not_before_date()
            ),
        )
    } else if c.not_after - ctx.now < SOON {
        (
            Code::CertificateExpiresSoon,
            format!("{what} `{}` expires on {}", c.subject, c.not_after_date()),
        )
    } else {
        return;
    };
    out.push(
        ctx.on_value(code, at, message)
            .label("certificate validity")
            .help("renew the certificate; TLS connections fail with an expired or not yet valid certificate"),
    );
}

fn cert_auth(ctx: &RuleCtx, files: &Files, out: &mut Vec<Diagnostic>) {
    let block = Some("cert-auth");
    if ctx.block(block).is_none() {
        return;
    }
    // the server checks a password file whatever else is wrong
    let from_file = ctx.text(block, "password-file").and_then(|_| {
        secret_file(
            ctx,
            files,
            "cert-auth",
            "password-file",
            Outcome::DoesNotStart,
            out,
        )
    });
    let password = match (
        ctx.text(block, "password"),
        ctx.text(block, "password-file"),
    ) {
        (Some(p), _) => Password {
            value: Some(p.to_string()),
            from: Some(ctx.at(block, "password")),
        },
        (None, Some(_)) => Password {
            value: from_file,
            from: Some(ctx.at(block, "password-file")),
        },
        (None, None) => Password {
            value: None,
            from: None,
        },
    };
    let (p12, key, cert) = (
        ctx.text(block, "p12-file").is_some(),
        ctx.text(block, "private-key-file").is_some(),
        ctx.text(block, "certificate-file").is_some(),
    );
    match (p12, key, cert) {
        (true, false, false) => {
            pkcs12(ctx, files, &password, out);
        }
        (false, true, true) => {
            pem_pair(ctx, files, &password, out);
        }
        // a combination the schema rejects: still say which files are missing
        _ => {
            for prop in ["p12-file", "private-key-file", "certificate-file"] {
                read(ctx, files, block, prop, true, out);
            }
        }
    }
}

/// The cert-auth password: its value (`None` when its file was unusable) and the pointer of the
/// property it comes from (`None` when no password is configured).
struct Password {
    value: Option<String>,
    from: Option<String>,
}

impl Password {
    /// A "password from here" label on `d`.
    fn label(&self, ctx: &RuleCtx, d: Diagnostic) -> Diagnostic {
        match &self.from {
            Some(p) => d.related(
                Label::new(ctx.key_span(p))
                    .pointer(p.clone())
                    .message("password from here"),
            ),
            None => d,
        }
    }
}

fn pkcs12(ctx: &RuleCtx, files: &Files, password: &Password, out: &mut Vec<Diagnostic>) {
    let block = Some("cert-auth");
    let Some((shown, content)) = read(ctx, files, block, "p12-file", true, out) else {
        return;
    };
    let Ok(bytes) = content.as_ref() else { return };
    // no password: the schema reports that the BPE would not start; a bad password file is reported
    let Some(pw) = password.value.as_deref() else {
        return;
    };
    let at = ctx.at(block, "p12-file");
    match crypto::pkcs12(bytes, pw) {
        Err(P12Error::WrongPasswordOrCorrupt) => {
            let d = ctx
                .on_value(Code::Pkcs12Invalid, &at, format!("`p12-file`: {shown} cannot be opened with the configured password"))
                .label("cannot open")
                .help("check the password (or password-file), or whether the file is damaged");
            out.push(password.label(ctx, d));
        }
        Err(P12Error::Invalid(why)) => out.push(
            ctx.on_value(Code::Pkcs12Invalid, &at, format!("`p12-file`: {shown}: {why}"))
                .label("not PKCS#12")
                .help("the file must be a PKCS#12 (.p12/.pfx) keystore with the client key and its certificate chain"),
        ),
        Ok(info) if info.entries != 1 || info.chain.is_empty() => out.push(
            ctx.on_value(
                Code::Pkcs12Invalid,
                &at,
                if info.chain.is_empty() {
                    format!("`p12-file`: {shown} holds no private key with a certificate chain")
                } else {
                    format!("`p12-file`: {shown} holds {} entries; the server needs exactly one", info.entries)
                },
            )
            .label("wrong content")
            .help("export a PKCS#12 file with exactly one entry: the client key and its certificate chain"),
        ),
        Ok(info) => {
            if let Some(leaf) = info.chain.first() {
                validity(ctx, &at, leaf, "client certificate", out);
            }
        }
    }
}

fn pem_pair(ctx: &RuleCtx, files: &Files, password: &Password, out: &mut Vec<Diagnostic>) {
    let block = Some("cert-auth");
    let cert_at = ctx.at(block, "certificate-file");
    let key_at = ctx.at(block, "private-key-file");
    let cert_file = read(ctx, files, block, "certificate-file", true, out);
    let key_file = read(ctx, files, block, "private-key-file", true, out);
    let leaf = cert_file.and_then(|(shown, content)| {
        let bytes = content.as_ref().as_ref().ok()?;
        match crypto::certificates(bytes) {
            Err(e) => {
                out.push(
                    ctx.on_value(
                        Code::CertificateInvalid,
                        &cert_at,
                        format!("`certificate-file`: {shown}: {}", e.describe()),
                    )
                    .label("not a certificate file")
                    .help("the file must hold PEM certificates only, the client certificate first"),
                );
                None
            }
            Ok(mut certs) => {
                let leaf = certs.swap_remove(0);
                client_certificate(ctx, &cert_at, &leaf, out);
                validity(ctx, &cert_at, &leaf, "client certificate", out);
                Some(leaf)
            }
        }
    });
    let Some((shown, content)) = key_file else {
        return;
    };
    let Ok(bytes) = content.as_ref() else { return };
    // no password: the schema reports it (the BPE would not start); a bad password file was reported
    let Some(pw) = password.value.as_deref() else {
        return;
    };
    let public = match crypto::private_key(bytes, Some(pw.as_bytes())) {
        Ok(p) => p,
        Err(e) => {
            out.push(key_error(ctx, &key_at, &shown, password, e));
            return;
        }
    };
    let Some(leaf) = leaf else { return };
    match (&public, &leaf.public) {
        (PublicId::Other(_), _) | (_, PublicId::Other(_)) => out.push(
            ctx.on_value(Code::KeyNotVerified, &key_at, "whether the private key matches the certificate could not be checked: the key algorithm is not supported by this tool")
                .label("not verified")
                .help("RSA and EC P-256/P-384 keys are checked; other algorithms are left to the server"),
        ),
        (a, b) if !a.same_key(b) => out.push(
            ctx.on_value(
                Code::KeyMismatch,
                &key_at,
                format!("the private key does not belong to the certificate `{}`", leaf.subject),
            )
            .label("other key")
            .related(Label::new(ctx.value_span(&cert_at)).pointer(cert_at.clone()).message("certificate"))
            .help(if a.algorithm() != b.algorithm() {
                format!("the key is {} but the certificate's key is {}; pair the files that belong together", a.algorithm(), b.algorithm())
            } else {
                "pair the key with the certificate issued for it".to_string()
            }),
        ),
        _ => {}
    }
}

fn client_certificate(ctx: &RuleCtx, at: &str, leaf: &CertInfo, out: &mut Vec<Diagnostic>) {
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
        ctx.on_value(
            Code::NotClientCertificate,
            at,
            format!("the first certificate (`{}`) is not a client certificate: {why}", leaf.subject),
        )
        .outcome(Some(outcome))
        .label("not a client certificate")
        .help("use a certificate issued for TLS client authentication (key usage digitalSignature and extended key usage clientAuth), first in the file"),
    );
}

fn key_error(ctx: &RuleCtx, at: &str, shown: &str, password: &Password, e: KeyError) -> Diagnostic {
    match e {
        KeyError::NoPem => ctx
            .on_value(Code::PrivateKeyInvalid, at, format!("`private-key-file`: {shown} holds no PEM block"))
            .outcome(Some(Outcome::DoesNotStart))
            .label("no PEM")
            .help("the file must start with a PEM private key (`-----BEGIN PRIVATE KEY-----` or `-----BEGIN ENCRYPTED PRIVATE KEY-----`)"),
        KeyError::NotAKey(label) => ctx
            .on_value(Code::PrivateKeyInvalid, at, format!("`private-key-file`: the first PEM object of {shown} is a `{label}`, not a private key"))
            .label("not a key")
            .help("the server reads only the first PEM object of the key file: put the private key first"),
        KeyError::Invalid(why) => ctx
            .on_value(Code::PrivateKeyInvalid, at, format!("`private-key-file`: {shown}: {why}"))
            .label("unreadable key"),
        KeyError::NeedsPassword | KeyError::WrongPassword => {
            let d = ctx
                .on_value(Code::PrivateKeyPassword, at, format!("`private-key-file`: {shown} cannot be decrypted with the configured password"))
                .label("wrong password")
                .help("check `password` or the content of `password-file`");
            password.label(ctx, d)
        }
        KeyError::Unverifiable(why) => ctx
            .on_value(Code::KeyNotVerified, at, format!("`private-key-file`: {shown} could not be checked: {why}"))
            .label("not verified"),
    }
}
