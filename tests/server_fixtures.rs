//! The DSF server's own test inputs (FhirClientConfigYamlReaderTest / FhirClientConfigYamlTest),
//! with `#[name]` placeholders replaced by generated files, must get the server's verdict.

use crate::util::{codes, diagnostics, manifest_dir, run, temp_dir};
use serde_json::Value;
use std::path::Path;

/// Replace `#[name]` placeholders with generated files, `#[password]` with the password.
fn materialise(yaml: &str, dir: &Path) -> String {
    let mut out = yaml.replace("#[password]", crate::pki::PASSWORD);
    for (name, path) in crate::pki::dsf_test_files(dir) {
        out = out.replace(&format!("#[{name}]"), &path.display().to_string());
    }
    out
}

fn check(file: &str) -> (i32, Value) {
    let dir = temp_dir("server");
    let src = manifest_dir()
        .join("tests/fixtures/dsf-server-tests")
        .join(file);
    let yaml = std::fs::read_to_string(&src).expect("fixture");
    let path = dir.join(file);
    std::fs::write(&path, materialise(&yaml, &dir)).expect("write fixture");
    let ca = dir.join("ca.crt").display().to_string();
    let env = [(
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
        ca.as_str(),
    )];
    let out = run(
        &["check", "--format", "json", &path.display().to_string()],
        None,
        &env,
    );
    let json = serde_json::from_str(&out.stdout).expect("json output");
    (out.code, json)
}

#[test]
fn valid_case_is_valid_with_nine_connections() {
    let (code, json) = check("valid-9-connections.yaml");
    // `cert-auth:` alone is accepted by the server; we warn that it has no effect
    assert_eq!(codes(&json), ["null-auth-block"]);
    assert_eq!(
        diagnostics(&json)[0]["pointer"],
        "/empty-cert-auth/cert-auth"
    );
    assert_eq!(code, 0);
    assert_eq!(json["summary"]["connections"], 9);
    assert_eq!(json["inputs"][0]["connections"][8], "empty-cert-auth");
}

/// (file, the codes we report, the pointer of the first).
const INVALID: &[(&str, &[&str], &str)] = &[
    (
        "invalid-01-no-base-url.yaml",
        &["connection-empty"],
        "/no-base-url",
    ),
    (
        "invalid-02-cert-auth-password-file.yaml",
        &["missing-property"],
        "/cert-auth-password-file/cert-auth",
    ),
    (
        "invalid-03-cert-auth-password.yaml",
        &["missing-property"],
        "/cert-auth-password/cert-auth",
    ),
    // server: 2 errors (p12 vs key, key without certificate); we add that p12 needs a password
    (
        "invalid-04-cert-auth-p12-private-key.yaml",
        &[
            "missing-property",
            "conflicting-properties",
            "missing-property",
        ],
        "/cert-auth-p12-private-key/cert-auth",
    ),
    (
        // the server's two errors: p12-file conflicts with certificate-file, which needs
        // private-key-file (a PKCS#12 file needs no password to the server's validation)
        "invalid-05-cert-auth-p12-cert.yaml",
        &["conflicting-properties", "missing-property"],
        "/cert-auth-p12-cert/cert-auth/certificate-file",
    ),
    (
        "invalid-06-cert-auth-private-key-password.yaml",
        &["missing-property"],
        "/cert-auth-private-key-password/cert-auth/private-key-file",
    ),
    (
        "invalid-07-cert-auth-certificate-password-file.yaml",
        &["missing-property"],
        "/cert-auth-certificate-password-file/cert-auth/certificate-file",
    ),
    (
        "invalid-09-basic-auth-password-file.yaml",
        &["missing-property"],
        "/basic-auth-password-file/basic-auth",
    ),
    (
        "invalid-10-basic-auth-password-file.yaml",
        &["missing-property"],
        "/basic-auth-password-file/basic-auth",
    ),
    (
        "invalid-11-basic-auth-password-file.yaml",
        &["password-not-latin1"],
        "/basic-auth-password-file/basic-auth/password",
    ),
    (
        "invalid-12-basic-auth-username.yaml",
        &["missing-property"],
        "/basic-auth-username/basic-auth",
    ),
    (
        "invalid-13-oidc-auth-discovery-client-id-client-secret.yaml",
        &["missing-property"],
        "/oidc-auth-discovery-client-id-client-secret/oidc-auth",
    ),
    (
        "invalid-14-oidc-auth-discovery-base-url-client-id.yaml",
        &["missing-property"],
        "/oidc-auth-discovery-base-url-client-id/oidc-auth",
    ),
    (
        "invalid-15-oidc-auth-discovery-base-url-client-secret.yaml",
        &["missing-property"],
        "/oidc-auth-discovery-base-url-client-secret/oidc-auth",
    ),
    (
        "invalid-16-read-timeout-too-large.yaml",
        &["duration-too-large"],
        "/read-timeout-too-large/read-timeout",
    ),
    (
        "invalid-17-connection-timeout-too-large.yaml",
        &["duration-too-large"],
        "/connection-timeout-too-large/connect-timeout",
    ),
    (
        "invalid-18-oidc-auth-empty-audience-inline.yaml",
        &["blank-value"],
        "/oidc-auth-empty-audience-inline/oidc-auth/required-audience/1",
    ),
    (
        "invalid-19-oidc-auth-empty-audience-list.yaml",
        &["blank-value"],
        "/oidc-auth-empty-audience-list/oidc-auth/required-audience/1",
    ),
];

#[test]
fn invalid_cases_are_invalid_at_the_right_property() {
    let mut failures = Vec::new();
    for (file, want, pointer) in INVALID {
        let (code, json) = check(file);
        let got = codes(&json);
        let first = diagnostics(&json)
            .first()
            .map(|d| d["pointer"].as_str().unwrap_or("").to_string());
        if code != 1 || got != *want || first.as_deref() != Some(*pointer) {
            failures.push(format!(
                "{file}: exit {code}, codes {got:?}, first pointer {first:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The server reports 13 validation errors for the first connection of this input; each must be
/// matched by one of our diagnostics at the property it concerns.
#[test]
fn all_13_server_errors_are_matched_at_their_property() {
    let (code, json) = check("all-13-errors-missing-files.yaml");
    assert_eq!(code, 1);
    let diags = diagnostics(&json);
    let c = "/some-fhir-server-id";
    let server_errors: [(&str, String); 13] = [
        (
            "file-not-readable",
            format!("{c}/trusted-root-certificates-file"),
        ),
        (
            "conflicting-properties",
            format!("{c}/cert-auth/private-key-file"),
        ),
        (
            "conflicting-properties",
            format!("{c}/cert-auth/certificate-file"),
        ),
        (
            "conflicting-properties",
            format!("{c}/cert-auth/password-file"),
        ),
        ("file-not-readable", format!("{c}/cert-auth/password-file")),
        ("file-not-readable", format!("{c}/cert-auth/p12-file")),
        (
            "conflicting-properties",
            format!("{c}/basic-auth/password-file"),
        ),
        ("file-not-readable", format!("{c}/basic-auth/password-file")),
        (
            "conflicting-properties",
            format!("{c}/bearer-auth/token-file"),
        ),
        ("file-not-readable", format!("{c}/bearer-auth/token-file")),
        (
            "file-not-readable",
            format!("{c}/oidc-auth/trusted-root-certificates-file"),
        ),
        (
            "conflicting-properties",
            format!("{c}/oidc-auth/client-secret-file"),
        ),
        (
            "file-not-readable",
            format!("{c}/oidc-auth/client-secret-file"),
        ),
    ];
    let mut lines = std::collections::HashSet::new();
    for (code, pointer) in &server_errors {
        let d = diags
            .iter()
            .find(|d| d["code"] == *code && d["pointer"] == pointer.as_str());
        let d = d.unwrap_or_else(|| panic!("no {code} at {pointer}: {:?}", codes(&json)));
        assert_eq!(d["severity"], "error");
        lines.insert((d["line"].as_u64(), d["code"].as_str().map(str::to_string)));
    }
    assert_eq!(lines.len(), 13, "each at its own line");
    // no error for the second connection; only the warning that its OIDC token goes over http
    let other: Vec<&str> = diags
        .iter()
        .filter(|d| d["connection"] == "some-other-fhir-server-id")
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(other, ["credentials-over-http"]);
}
