//! Files named in a connection, judged as the server reads them: readable, not empty, and for
//! secret files (`password-file`, `token-file`, `client-secret-file`) one non-blank line of
//! UTF-8. The file and key service did the reading; nothing read is ever put in a message.

use super::{Ctx, Rule, on_value, value_of};
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::model::{Connection, FileRef, FileState, Loaded, SecretFile, SecretFileError, Trust};
use crate::secrets::{Piece, Text};
use crate::text;

pub static FILE_NOT_READABLE: Rule = Rule {
    fix: None,
    name: "file-not-readable",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a file named in the config cannot be read",
    docs: r##"**What:** A file named in the config cannot be read here: it does not exist, is not readable, or is a directory. Relative paths resolve against `--base-dir`, container paths can be mapped with `--path-map`.

**Why it matters:** The server reports `file '…' not readable` and starts with no connections.

Bad:

```yaml
  trusted-root-certificates-file: /run/secrets/ca.pem   # not mounted
```

**Fix:** Mount or create the file, or fix the path."##,
};
pub static FILE_EMPTY: Rule = Rule {
    fix: None,
    name: "file-empty",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a key, certificate or trust store file is empty",
    docs: r##"**What:** A key, certificate or trust store file is empty.

**Why it matters:** The server reports `file empty`: no connections.

**Fix:** Put the PEM content into the file."##,
};
pub static SECRET_FILE_EMPTY: Rule = Rule {
    fix: None,
    name: "secret-file-empty",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a password, token or client secret file whose first line is blank",
    docs: r##"**What:** A `password-file`, `token-file` or `client-secret-file` whose first line is blank, or which is empty.

**Why it matters:** The server uses the first line as the secret and rejects a blank one (no connections); an empty `password-file` under basic-auth or cert-auth even stops the BPE from starting.

**Fix:** Write the secret on the first line."##,
};
pub static SECRET_FILE_MULTILINE: Rule = Rule {
    fix: None,
    name: "secret-file-multiline",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a secret file with more than one line",
    docs: r##"**What:** A secret file with more than one line (one trailing line break is fine).

**Why it matters:** The server rejects it: no connections.

**Fix:** Keep only the secret, on one line."##,
};
pub static SECRET_FILE_NOT_UTF8: Rule = Rule {
    fix: None,
    name: "secret-file-not-utf8",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a secret file that is not UTF-8 text",
    docs: r##"**What:** A secret file that is not UTF-8 text.

**Why it matters:** The server reads secret files as UTF-8 and rejects other bytes: no connections.

**Fix:** Save the file as UTF-8."##,
};
/// Where the file was looked up, for messages: the path on this machine, or as configured.
fn shown(f: &FileRef) -> Piece {
    match (&f.host, f.path.ok(), f.path.at()) {
        (Some(h), _, _) => Piece::value(&h.display().to_string()),
        (None, Some(p), Some(at)) => value_of(at, p),
        (None, p, _) => Piece::value(p.map(String::as_str).unwrap_or_default()),
    }
}

/// A path for a message (a container path, a path on this machine): not a secret.
fn path(p: &std::path::Path) -> Piece {
    Piece::value(&p.display().to_string())
}

fn not_readable_help(ctx: &Ctx, f: &FileRef) -> Text {
    let configured = f.path.ok().map(String::as_str).unwrap_or_default();
    // a compose service: the file comes through one of its mounts
    if let (Some(c), Some(inside), Some(host)) = (&ctx.container, &f.container, &f.host) {
        return text!(
            "service `{}` mounts {} from {}: put the file there, or fix the mount; --skip-file-checks turns file checks off",
            Piece::value(&c.service),
            path(inside),
            path(host)
        );
    }
    let mut help = Text::from("the BPE reads this path inside its container or working directory");
    if let Some(host) = &f.host
        && std::path::Path::new(configured) != host
        && let Some(at) = f.path.at()
    {
        help.push(text!(
            " (`{}` was looked up as {})",
            value_of(at, configured),
            path(host)
        ));
    }
    if !ctx.path_maps && configured.starts_with('/') {
        help.push(
            "; to check a container path here, map it with --path-map /run/secrets=./secrets",
        );
    }
    help.push("; --skip-file-checks turns file checks off");
    help
}

/// A file the server must be able to read; `empty` is the outcome of a 0-byte file (`None`: a
/// key or certificate file, for which 0 bytes is `file-empty`).
fn readable(
    ctx: &Ctx,
    prop: &'static str,
    f: &FileRef,
    empty: Option<Outcome>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(at) = f.path.at() else { return };
    if f.path
        .ok()
        .is_some_and(|p| super::values::has_typographic_quotes(p))
    {
        return; // reported as typographic quotes
    }
    match &f.state {
        // a container path no mount brings here: the compose rules report it, once per mount
        FileState::Unreadable(crate::files::FileError::NotMounted(_)) => {}
        FileState::Unreadable(e) => out.push(
            on_value(
                &FILE_NOT_READABLE,
                at,
                // the file error's description is the tool's (or the system's) own words
                text!("`{}`: cannot read {}: {}", prop, shown(f), Piece::own(e.describe())),
            )
            .label("not readable")
            .help(not_readable_help(ctx, f)),
        ),
        FileState::Empty => out.push(match empty {
            None => on_value(&FILE_EMPTY, at, text!("`{}`: {} is empty", prop, shown(f)))
                .label("empty file")
                .help("the file has 0 bytes: copy the PEM or PKCS#12 content into it, or point at the right file"),
            Some(outcome) => on_value(
                &SECRET_FILE_EMPTY,
                at,
                text!("`{}`: {} is empty", prop, shown(f)),
            )
            .outcome(Some(outcome))
            .label("no secret")
            .help("the server uses the first line of the file as the secret; write it there"),
        }),
        FileState::NotChecked | FileState::Read => {}
    }
}

fn secret_file(
    ctx: &Ctx,
    prop: &'static str,
    f: &SecretFile,
    empty: Outcome,
    out: &mut Vec<Diagnostic>,
) {
    readable(ctx, prop, &f.file, Some(empty), out);
    let (Loaded::Invalid(e), Some(at)) = (&f.secret, f.file.path.at()) else {
        return;
    };
    let s = shown(&f.file);
    out.push(match e {
        SecretFileError::FirstLineBlank => on_value(
            &SECRET_FILE_EMPTY,
            at,
            text!("`{}`: the first line of {} is blank", prop, s),
        )
        .outcome(Some(Outcome::NoConnections))
        .label("no secret")
        .help("the server uses the first line of the file as the secret; write it there"),
        SecretFileError::Multiline => on_value(
            &SECRET_FILE_MULTILINE,
            at,
            text!("`{}`: {} has more than one line", prop, s),
        )
        .label("more than one line")
        .help("the file must hold the secret on one line (one trailing line break is fine)"),
        SecretFileError::NotUtf8 => on_value(
            &SECRET_FILE_NOT_UTF8,
            at,
            text!("`{}`: {} is not UTF-8 text", prop, s),
        )
        .label("not UTF-8")
        .help("the server reads secret files as UTF-8; save it as UTF-8"),
    });
}

/// Whether the server reads the `cert-auth` password file, where a 0-byte one throws
/// (`readAllLines(...).get(0)`: DSF `config/FhirClientConfigYaml.java:710`) and stops the BPE;
/// otherwise only validation's own check sees it ("first line empty or blank", :626-650: no
/// connections). It is read only with key material (`readKeyStore`, :120-143), reached once
/// every key file named is readable and not empty (`validateKeyStore`, :145-164), without an
/// inline `password` (which wins, :704-707), and for PEM files only after the certificate file
/// was read as certificates (:128-129).
fn password_file_read(a: &crate::model::CertAuth) -> bool {
    use crate::crypto::CertsError;
    use crate::model::{FileState, KeyMaterial};
    let usable = |f: &Option<FileRef>| {
        f.as_ref()
            .is_some_and(|f| matches!(f.state, FileState::Read | FileState::NotChecked))
    };
    if a.password.is_some() {
        return false;
    }
    match (&a.p12_file, &a.certificate_file, &a.private_key_file) {
        (Some(_), None, None) => usable(&a.p12_file),
        (None, Some(_), Some(_)) => {
            usable(&a.certificate_file)
                && usable(&a.private_key_file)
                && !matches!(
                    &a.material,
                    KeyMaterial::Pem {
                        certificates: Loaded::Invalid(
                            CertsError::NotACertificate { .. } | CertsError::Unparsable { .. }
                        ),
                        ..
                    }
                )
        }
        _ => false,
    }
}

pub fn check(ctx: &Ctx, c: &Connection, out: &mut Vec<Diagnostic>) {
    let trust = |t: &Trust, out: &mut Vec<Diagnostic>| {
        if let Trust::Own { file, .. } = t {
            readable(ctx, "trusted-root-certificates-file", file, None, out);
        }
    };
    trust(&c.trust, out);
    if let Some(a) = c.cert_auth.get() {
        for (prop, f) in [
            ("p12-file", &a.p12_file),
            ("private-key-file", &a.private_key_file),
            ("certificate-file", &a.certificate_file),
        ] {
            if let Some(f) = f {
                readable(ctx, prop, f, None, out);
            }
        }
        if let Some(f) = &a.password_file {
            let empty = if password_file_read(a) {
                Outcome::DoesNotStart
            } else {
                Outcome::NoConnections
            };
            secret_file(ctx, "password-file", f, empty, out);
        }
    }
    if let Some(f) = c.basic_auth.get().and_then(|a| a.password_file.as_ref()) {
        secret_file(ctx, "password-file", f, Outcome::DoesNotStart, out);
    }
    if let Some(f) = c.bearer_auth.get().and_then(|a| a.token_file.as_ref()) {
        secret_file(ctx, "token-file", f, Outcome::NoConnections, out);
    }
    if let Some(o) = c.oidc_auth.get() {
        if let Some(f) = &o.client_secret_file {
            secret_file(ctx, "client-secret-file", f, Outcome::NoConnections, out);
        }
        trust(&o.trust, out);
    }
}
