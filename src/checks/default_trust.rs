//! The default trust store (`..._DEFAULT_TRUST_SERVER_CERTIFICATE_CAS`, built-in
//! `ca/server_root_cas`), used by every https connection without its own trust store: one PEM
//! file, or a folder whose `*.pem`/`*.crt` files (case-sensitive, not recursive) hold at least
//! one certificate. Checked once per run, and only when a connection relies on it.

use crate::crypto;
use crate::defaults::Defaults;
use crate::diag::{Code, Diagnostic};
use crate::files::{FileError, Files};

pub fn check(defaults: &Defaults, files: &Files, out: &mut Vec<Diagnostic>) {
    let configured = &defaults.trust_store.value;
    let path = files.resolve(configured);
    let shown = path.display().to_string();
    let at = |code, message: String| {
        Diagnostic::new(code, defaults.file, defaults.trust_store.span, message).at("")
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(_) => {
            out.push(
                at(
                    Code::DefaultTrustStoreMissing,
                    format!("the default trust store {shown} does not exist here, so it was not checked"),
                )
                .label("not found")
                .help("https connections without `trusted-root-certificates-file` use it; check it on the BPE host, or map its folder with --path-map"),
            );
            return;
        }
    };
    let mut certificates = 0;
    let mut problems = Vec::new();
    if meta.is_dir() {
        for p in crate::files::trust_folder_files(&path) {
            let (_, content) = files.read(&p.display().to_string());
            match content.as_ref() {
                Ok(bytes) => match crypto::certificates(bytes) {
                    Ok(c) => certificates += c.len(),
                    Err(e) => problems.push(format!("{}: {}", p.display(), e.describe())),
                },
                Err(e) => problems.push(format!("{}: {}", p.display(), e.describe())),
            }
        }
    } else {
        let (_, content) = files.read(configured);
        match content.as_ref() {
            Ok(bytes) => match crypto::certificates(bytes) {
                Ok(c) => certificates = c.len(),
                Err(e) => problems.push(e.describe()),
            },
            Err(FileError::NotFound) => {}
            Err(e) => problems.push(e.describe()),
        }
    }
    if !problems.is_empty() || certificates == 0 {
        let why = if problems.is_empty() {
            "it holds no certificate".to_string()
        } else {
            problems.join("; ")
        };
        out.push(
            at(Code::DefaultTrustStoreInvalid, format!("the default trust store {shown} cannot be used: {why}"))
                .label("default trust store")
                .help("it must be a PEM file of CA certificates, or a folder of *.pem/*.crt files with at least one certificate"),
        );
    }
}
