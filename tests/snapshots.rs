//! Snapshots of the human output (no colour) for representative cases.

use crate::util::run;

fn human(name: &str) -> String {
    let path = format!("tests/fixtures/human/{name}.yaml");
    let out = run(
        &["check", "--color", "never", "--skip-file-checks", &path],
        None,
        &[],
    );
    format!("exit code: {}\n---\n{}", out.code, out.stdout)
}

#[test]
fn example() {
    let out = run(
        &[
            "check",
            "--color",
            "never",
            "--path-map",
            "/run/secrets=fixtures/secrets",
            "fixtures/example.yaml",
        ],
        None,
        &[],
    );
    insta::assert_snapshot!(format!("exit code: {}\n---\n{}", out.code, out.stdout));
}

#[test]
fn typographic_quote() {
    insta::assert_snapshot!(human("typographic-quote"));
}

#[test]
fn duplicates_and_alias() {
    insta::assert_snapshot!(human("duplicates-and-alias"));
}

#[test]
fn cert_auth_combinations() {
    insta::assert_snapshot!(human("cert-auth"));
}

#[test]
fn crlf_tabs_and_multibyte() {
    insta::assert_snapshot!(human("crlf-multibyte"));
}
