//! The DSF server's own test inputs (FhirClientConfigYamlReaderTest / FhirClientConfigYamlTest),
//! with `#[name]` placeholders replaced by generated files, must get the server's verdict.

use crate::util::{codes, diagnostics, manifest_dir, run, temp_dir};
use serde_json::Value;
use std::path::Path;

/// Placeholder files. The key-material rules are not implemented yet, so dummies suffice.
fn materialise(yaml: &str, dir: &Path) -> String {
    let mut out = yaml.replace("#[password]", "pa55w0rd");
    for name in [
        "ca.crt",
        "client.crt",
        "client.key",
        "client.p12",
        "password.file",
        "server.crt",
        "server.key",
    ] {
        let path = dir.join(name);
        std::fs::write(
            &path,
            if name == "password.file" {
                "pa55w0rd\n"
            } else {
                "dummy\n"
            },
        )
        .expect("write placeholder file");
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
    let out = run(
        &["check", "--format", "json", &path.display().to_string()],
        None,
        &[],
    );
    let json = serde_json::from_str(&out.stdout).expect("json output");
    (out.code, json)
}

#[test]
fn valid_case_is_valid_with_nine_connections() {
    let (code, json) = check("valid-9-connections.yaml");
    assert_eq!(codes(&json), Vec::<String>::new());
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
            "missing-property",
            "conflicting-properties",
        ],
        "/cert-auth-p12-private-key/cert-auth",
    ),
    (
        "invalid-05-cert-auth-p12-cert.yaml",
        &[
            "missing-property",
            "missing-property",
            "conflicting-properties",
        ],
        "/cert-auth-p12-cert/cert-auth",
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

#[test]
fn all_errors_case_reports_each_conflict_in_the_first_connection_only() {
    let (code, json) = check("all-13-errors-missing-files.yaml");
    assert_eq!(code, 1);
    let diags = diagnostics(&json);
    assert!(
        diags
            .iter()
            .all(|d| d["connection"] == "some-fhir-server-id")
    );
    let conflicts: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "conflicting-properties")
        .map(|d| d["pointer"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        conflicts,
        [
            "/some-fhir-server-id/cert-auth/private-key-file",
            "/some-fhir-server-id/cert-auth/certificate-file",
            "/some-fhir-server-id/cert-auth/password-file",
            "/some-fhir-server-id/basic-auth/password-file",
            "/some-fhir-server-id/bearer-auth/token-file",
            "/some-fhir-server-id/oidc-auth/client-secret-file",
        ]
    );
}
