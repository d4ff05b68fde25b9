//! Docker compose files (issue 9): the config checked where it is written, with positions in
//! the compose file through every scalar style and list form, compose's interpolation first,
//! the container's files found through the service's mounts, the service's own defaults, and
//! no secret of the service in any output.

use crate::pki;
use crate::util::{TempDir, diagnostics, json_of, manifest_dir, run, temp_dir};
use serde_json::Value;
use std::path::Path;

const DSF: &str = "tests/fixtures/compose/dsf-dev-setup-3dic-ttp.docker-compose.yml";
const DOCS: &str = "tests/fixtures/compose/dsf-docs-minimal-fragment.yml";

/// Write `text` as `name` in `dir`; its path as a string.
fn write(dir: &Path, name: &str, text: &[u8]) -> String {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// `check --format json ARGS FILE` with `env`.
fn check(file: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    all.push(file);
    json_of(run(&all, None, env))
}

/// `[line, column, end_line, end_column]` (1-based, columns in characters, end exclusive) of
/// the text from `start` on line `line` to the end of `end` on line `end_line` of `text`.
pub(crate) fn place(text: &str, line: usize, start: &str, end_line: usize, end: &str) -> [u64; 4] {
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let col = |l: usize, needle: &str| {
        let s = lines.get(l - 1).unwrap_or_else(|| panic!("no line {l}"));
        let at = s
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` not on line {l}: {s:?}"));
        s[..at].chars().count() + 1
    };
    let end_col = col(end_line, end) + end.chars().count();
    [
        line as u64,
        col(line, start) as u64,
        end_line as u64,
        end_col as u64,
    ]
}

/// `needle` on line `line`.
pub(crate) fn on(text: &str, line: usize, needle: &str) -> [u64; 4] {
    place(text, line, needle, line, needle)
}

pub(crate) fn range(d: &Value) -> [u64; 4] {
    let n = |k: &str| d[k].as_u64().unwrap_or(0);
    [n("line"), n("column"), n("end_line"), n("end_column")]
}

/// The one diagnostic of `code`.
fn only<'v>(json: &'v Value, code: &str) -> &'v Value {
    let found: Vec<&Value> = diagnostics(json)
        .iter()
        .filter(|d| d["code"] == code)
        .collect();
    assert_eq!(found.len(), 1, "want one {code}: {json:#}");
    found[0]
}

fn codes(json: &Value) -> Vec<&str> {
    diagnostics(json)
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default())
        .collect()
}

/// A compose file with one service `bpe` whose environment block is `block` (lines 5 on).
fn service(block: &str) -> String {
    format!("services:\n  bpe:\n    image: datasharingframework/bpe\n    environment:\n{block}")
}

#[test]
fn dsf_dev_setup_checks_clean_without_file_checks() {
    let (code, json) = check(DSF, &["--skip-file-checks"], &[]);
    assert_eq!(code, 0, "{json:#}");
    assert!(diagnostics(&json).is_empty(), "{json:#}");
    let inputs = json["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0]["service"], "dic1-bpe");
    assert_eq!(inputs[0]["name"], DSF);
    assert_eq!(
        inputs[0]["connections"],
        serde_json::json!([
            "ttp-fhir-cert-auth",
            "dic1-fhir-cert-auth",
            "dic1-fhir-oidc-auth"
        ])
    );
    let human = run(&["check", "--skip-file-checks", DSF], None, &[]);
    assert_eq!(human.code, 0);
    assert!(
        human
            .stdout
            .starts_with("ok: no problems in 3 connections\n"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("checked service `dic1-bpe` (3 connections); 12 other services set no"),
        "{}",
        human.stdout
    );
}

/// The secrets the DSF dev setup names for `dic1-bpe`, made beside a copy of it.
fn dsf_with_secrets() -> (TempDir, String) {
    let dir = temp_dir("compose-dsf");
    let text = std::fs::read(manifest_dir().join(DSF)).expect("fixture");
    let file = write(&dir, "docker-compose.yml", &text);
    let ca = pki::ca();
    let client = pki::leaf(&ca, "dic1", pki::Usage::Client, -1, 365);
    // the compose file gives the key's password as 'password'
    write(
        &dir,
        "secrets/dic1.key",
        pki::encrypted_key(&client.key, "password").as_bytes(),
    );
    write(
        &dir,
        "secrets/dic1.crt",
        format!("{}{}", client.pem, ca.pem).as_bytes(),
    );
    write(&dir, "secrets/root_ca.crt", ca.pem.as_bytes());
    write(
        &dir,
        "secrets/oidc_client_dic1_bpe.secret",
        b"oidc-client-secret\n",
    );
    (dir, file)
}

#[test]
fn dsf_dev_setup_checks_clean_with_its_secrets_beside_it() {
    let (dir, file) = dsf_with_secrets();
    let (code, json) = check(&file, &[], &[]);
    assert_eq!(code, 0, "{json:#}");
    assert!(diagnostics(&json).is_empty(), "{json:#}");
    assert_eq!(json["summary"]["connections"], 3);
    // explain: each file's container path and where it was checked here
    let out = run(&["explain", "--format", "json", &file], None, &[]);
    let (_, json) = json_of(out);
    let conn = &json["connections"][0];
    let row = |name: &str| {
        conn["settings"]
            .as_array()
            .and_then(|s| s.iter().find(|r| r["name"] == name))
            .cloned()
            .unwrap_or_default()
    };
    let key = row("cert-auth.private-key-file");
    assert_eq!(key["value"], "/run/secrets/dic1.key");
    assert_eq!(
        key["checked_at"],
        dir.join("secrets/dic1.key").display().to_string()
    );
    let trust = row("trusted-root-certificates-file");
    assert_eq!(trust["origin"]["line"], 573, "{trust:#}");
    assert_eq!(trust["certificates"][0]["subject"], "CN=Test CA");
    // a secret missing beside it is reported where the config names it
    std::fs::remove_file(dir.join("secrets/oidc_client_dic1_bpe.secret")).expect("rm");
    let (code, json) = check(&file, &[], &[]);
    assert_eq!(code, 1);
    let d = only(&json, "file-not-readable");
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    assert_eq!(
        range(d),
        on(&text, 571, "/run/secrets/oidc_client_dic1_bpe.secret")
    );
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|h| h.contains("service `dic1-bpe` mounts")),
        "{d:#}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// One way of writing the config, with a mistake at a known place.
struct Style {
    name: &'static str,
    /// The environment block (compose lines 5 on).
    block: &'static str,
    code: &'static str,
    /// line, start text, end line, end text of where the mistake must be reported
    at: (usize, &'static str, usize, &'static str),
}

const STYLES: &[Style] = &[
    Style {
        name: "literal |",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: ftp://x\n",
        code: "invalid-url",
        at: (7, "ftp://x", 7, "ftp://x"),
    },
    Style {
        name: "literal |- before another variable",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |-\n        fhir:\n          base-url: ftp://x\n      TZ: Europe/Berlin\n",
        code: "invalid-url",
        at: (7, "ftp://x", 7, "ftp://x"),
    },
    Style {
        name: "literal |+ with trailing blank lines",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |+\n        fhir:\n          base-url: ftp://x\n\n\n      TZ: Europe/Berlin\n",
        code: "invalid-url",
        at: (7, "ftp://x", 7, "ftp://x"),
    },
    Style {
        name: "literal |2 (indentation indicator)",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |2\n          fhir:\n            base-url: ftp://x\n",
        code: "invalid-url",
        at: (7, "ftp://x", 7, "ftp://x"),
    },
    Style {
        name: "literal | with a header comment and a blank line",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |  # the connections\n        a:\n          base-url: https://a.example.org/fhir\n\n        fhir:\n          base-url: ftp://x\n",
        code: "invalid-url",
        at: (10, "ftp://x", 10, "ftp://x"),
    },
    Style {
        name: "folded >",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: >\n        fhir:\n          base-url: ftp://x\n",
        code: "invalid-url",
        at: (7, "ftp://x", 7, "ftp://x"),
    },
    Style {
        name: "folded >- with two connections",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: >-\n        a:\n          base-url: https://a.example.org/fhir\n\n        fhir:\n          base-url: ftp://x\n",
        code: "invalid-url",
        at: (10, "ftp://x", 10, "ftp://x"),
    },
    Style {
        name: "plain",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: fhir\n",
        code: "root-not-mapping",
        at: (5, "fhir", 5, "fhir"),
    },
    Style {
        name: "plain over two lines (folded to one)",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: fhir\n        more\n",
        code: "root-not-mapping",
        at: (5, "fhir", 6, "more"),
    },
    Style {
        name: "single-quoted flow mapping",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: '{fhir: {base-url: ftp://x}}'\n",
        code: "invalid-url",
        at: (5, "ftp://x", 5, "ftp://x"),
    },
    Style {
        name: "single-quoted with '' (one inner quote, two written)",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: '{fhir: {base-url: ftp://x''y}}'\n",
        code: "invalid-url",
        at: (5, "ftp://x''y", 5, "ftp://x''y"),
    },
    Style {
        name: "single-quoted over two lines",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: '{fhir: {\n        base-url: ftp://x}}'\n",
        code: "invalid-url",
        at: (6, "ftp://x", 6, "ftp://x"),
    },
    Style {
        name: "double-quoted with \\n escapes",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"fhir:\\n  base-url: ftp://x\\n\"\n",
        code: "invalid-url",
        at: (5, "ftp://x", 5, "ftp://x"),
    },
    Style {
        name: "double-quoted, the mistake ends in an escape",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"fhir:\\n  base-url: ftp://\\x78\"\n",
        code: "invalid-url",
        at: (5, "ftp://\\x78", 5, "ftp://\\x78"),
    },
    Style {
        name: "double-quoted over two lines",
        block: "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"{fhir: {\n        base-url: ftp://x}}\"\n",
        code: "invalid-url",
        at: (6, "ftp://x", 6, "ftp://x"),
    },
    Style {
        name: "list - KEY=value",
        block: "      - TZ=Europe/Berlin\n      - DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG=fhir\n",
        code: "root-not-mapping",
        at: (6, "fhir", 6, "fhir"),
    },
    Style {
        name: "list, double-quoted",
        block: "      - \"DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG=fhir:\\n  base-url: ftp://x\"\n",
        code: "invalid-url",
        at: (5, "ftp://x", 5, "ftp://x"),
    },
    Style {
        name: "list, single-quoted",
        block: "      - 'DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG={fhir: {base-url: ftp://x}}'\n",
        code: "invalid-url",
        at: (5, "ftp://x", 5, "ftp://x"),
    },
    Style {
        name: "list, literal block item",
        block: "      - |\n        DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG=fhir:\n          base-url: ftp://x\n      - TZ=Europe/Berlin\n",
        code: "invalid-url",
        at: (7, "ftp://x", 7, "ftp://x"),
    },
    Style {
        name: "list, folded block item",
        block: "      - >-\n        DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG={fhir:\n        {base-url: ftp://x}}\n",
        code: "invalid-url",
        at: (7, "ftp://x", 7, "ftp://x"),
    },
];

#[test]
fn every_scalar_style_and_list_form_points_into_the_compose_file() {
    let dir = temp_dir("compose-styles");
    let mut failures = Vec::new();
    for (i, s) in STYLES.iter().enumerate() {
        for crlf in [false, true] {
            let mut text = service(s.block);
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            let file = write(&dir, &format!("style-{i}-{crlf}.yml"), text.as_bytes());
            let (code, json) = check(&file, &["--skip-file-checks"], &[]);
            let want = place(&text, s.at.0, s.at.1, s.at.2, s.at.3);
            let found: Vec<&Value> = diagnostics(&json)
                .iter()
                .filter(|d| d["code"] == s.code)
                .collect();
            let ok = code == 1
                && found.len() == 1
                && range(found[0]) == want
                && found[0]["file"] == file.as_str()
                && json["inputs"][0]["service"] == "bpe";
            if !ok {
                failures.push(format!(
                    "{} (crlf: {crlf}): want {} at {want:?}, exit 1; got exit {code}: {:?}",
                    s.name,
                    s.code,
                    diagnostics(&json)
                        .iter()
                        .map(|d| format!("{} {:?}", d["code"], range(d)))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn related_labels_and_the_human_snippet_show_compose_lines() {
    let text = service(
        "      TZ: Europe/Berlin\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: https://a.example.org/fhir\n        fhir:\n          base-url: https://b.example.org/fhir\n",
    );
    let dir = temp_dir("compose-related");
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 1, "{json:#}");
    let d = only(&json, "duplicate-connection-id");
    assert_eq!(range(d), on(&text, 9, "fhir"));
    assert_eq!(range(&d["related"][0]), on(&text, 7, "fhir"));
    assert_eq!(d["related"][0]["file"], file.as_str());
    let human = run(
        &["check", "--color", "never", "--skip-file-checks", &file],
        None,
        &[],
    );
    assert!(
        human.stdout.contains(&format!("--> {file}:9:9")),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("9 |         fhir:"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("7 |         fhir:"),
        "{}",
        human.stdout
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn two_bpe_services_with_the_mistake_in_the_second() {
    let text = "\
services:
  dic-bpe:
    environment:
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: https://fhir.example.org/fhir
  db:
    image: postgres
  ttp-bpe:
    environment:
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: https://fhir.example.org/fhir
          connect-timeout: 5s
";
    let dir = temp_dir("compose-two");
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 1);
    let d = only(&json, "invalid-duration");
    assert_eq!(range(d), on(text, 14, "5s"));
    assert_eq!(d["connection"], "fhir");
    let services: Vec<&str> = json["inputs"]
        .as_array()
        .map(|i| i.iter().filter_map(|x| x["service"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(services, ["dic-bpe", "ttp-bpe"]);
    // --service restricts the check
    let (code, json) = check(&file, &["--skip-file-checks", "--service", "dic-bpe"], &[]);
    assert_eq!((code, diagnostics(&json).len()), (0, 0), "{json:#}");
    assert_eq!(json["inputs"].as_array().map(Vec::len), Some(1));
    // a service that does not exist (or sets no config) is a usage error
    let out = run(
        &["check", "--skip-file-checks", "--service", "db", &file],
        None,
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--service db"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn several_compose_files_are_each_checked_on_their_own() {
    let dir = temp_dir("compose-several");
    let a = write(&dir, "a/docker-compose.yml", service("      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        one:\n          base-url: https://${HOST}/fhir\n").as_bytes());
    write(&dir, "a/.env", b"HOST=a.example.org\n");
    let b = write(&dir, "b/override.yml", service("      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        two:\n          base-url: https://${HOST}/fhir\n").as_bytes());
    let (code, json) = check(&a, &["--skip-file-checks"], &[]);
    assert_eq!((code, codes(&json)), (0, vec![]));
    let mut args = vec!["check", "--format", "json", "--skip-file-checks"];
    args.extend([a.as_str(), b.as_str()]);
    let (code, json) = json_of(run(&args, None, &[]));
    assert_eq!(code, 0);
    // b has no .env: HOST is unset there
    let d = only(&json, "compose-variable-unset");
    assert_eq!(d["file"], b.as_str());
    assert_eq!(json["inputs"].as_array().map(Vec::len), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_dsf_docs_fragment() {
    let (code, json) = check(DOCS, &["--skip-file-checks"], &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        json["inputs"][0]["connections"],
        serde_json::json!(["min-server"])
    );
    let text = std::fs::read_to_string(manifest_dir().join(DOCS)).unwrap_or_default();
    let dir = temp_dir("compose-docs");
    let bad = text.replace("min-server:", "min-server:\n          read-timeout: 10m");
    let file = write(&dir, "fragment.yml", bad.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 1);
    assert_eq!(range(only(&json, "invalid-duration")), on(&bad, 3, "10m"));
    // an `environment:` block as the fragment
    let block = format!(
        "environment:\n  TZ: Europe/Berlin\n{}",
        bad.replace("\n    ", "\n")
    );
    let block = block.replace("      DEV_DSF", "  DEV_DSF");
    let file = write(&dir, "environment.yml", block.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 1, "{block}\n{json:#}");
    let line = block.lines().position(|l| l.contains("10m")).unwrap_or(0) + 1;
    assert_eq!(
        range(only(&json, "invalid-duration")),
        on(&block, line, "10m")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn input_kind_overrides_the_guess() {
    // as a config, a compose file is a config with one connection `services`: many mistakes
    let (code, json) = check(DSF, &["--skip-file-checks", "--input-kind", "config"], &[]);
    assert_eq!(code, 1);
    assert!(codes(&json).contains(&"unknown-property"), "{json:#}");
    // a config is not a compose file
    let dir = temp_dir("compose-kind");
    let file = write(
        &dir,
        "c.yml",
        b"fhir:\n  base-url: https://fhir.example.org/fhir\n",
    );
    let out = run(
        &[
            "check",
            "--skip-file-checks",
            "--input-kind",
            "compose",
            &file,
        ],
        None,
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a docker compose file"),
        "{}",
        out.stderr
    );
    // a connection called `services` is still a connection
    let file = write(
        &dir,
        "s.yml",
        b"services:\n  base-url: https://fhir.example.org/fhir\n",
    );
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(
        (code, json["inputs"][0]["connections"].clone()),
        (0, serde_json::json!(["services"]))
    );
    // a compose file from standard input, whatever its name
    let out = run(
        &["check", "--format", "json", "--skip-file-checks", "-"],
        Some(service("      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        a:\n          base-url: https://a.example.org/fhir\n").as_bytes()),
        &[],
    );
    let (code, json) = json_of(out);
    assert_eq!(
        (code, json["inputs"][0]["service"].as_str()),
        (0, Some("bpe"))
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The value the container sees for `username` written as `expr`, and the codes reported.
fn interpolated(
    dir: &Path,
    expr: &str,
    dotenv: Option<&str>,
    env: &[(&str, &str)],
) -> (String, Vec<String>) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let sub = dir.join(format!(
        "i{}",
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let text = service(&format!(
        "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: https://fhir.example.org/fhir\n          basic-auth:\n            username: '{expr}'\n            password-file: /run/secrets/pw\n"
    ));
    let file = write(&sub, "docker-compose.yml", text.as_bytes());
    if let Some(d) = dotenv {
        write(&sub, ".env", d.as_bytes());
    }
    let out = run(
        &["explain", "--format", "json", "--skip-file-checks", &file],
        None,
        env,
    );
    let (_, json) = json_of(out);
    let value = json["connections"][0]["settings"]
        .as_array()
        .and_then(|s| s.iter().find(|r| r["name"] == "basic-auth.username"))
        .and_then(|r| r["value"].as_str())
        .unwrap_or("<none>")
        .to_string();
    let codes = codes(&json)
        .into_iter()
        .filter(|c| *c != "compose-secret-not-mounted")
        .map(String::from)
        .collect();
    (value, codes)
}

#[test]
fn compose_interpolation_comes_first() {
    let dir = temp_dir("compose-interpolation");
    let dotenv = "FROM_DOTENV=dot\nBOTH=dotenv\nEMPTY=\nNESTED=${FROM_DOTENV}-n\n";
    let env = [("FROM_ENV", "env"), ("BOTH", "environment")];
    let rows: &[(&str, &str, &[&str])] = &[
        ("$FROM_ENV", "env", &[]),
        ("${FROM_DOTENV}", "dot", &[]),
        ("${BOTH}", "environment", &[]),
        ("${NESTED}", "dot-n", &[]),
        ("u-${UNSET:-default}", "u-default", &[]),
        ("u-${EMPTY:-default}", "u-default", &[]),
        ("u-${EMPTY-default}", "u-", &[]),
        ("u-${UNSET-default}", "u-default", &[]),
        ("u-${FROM_ENV:+alt}", "u-alt", &[]),
        ("u-${EMPTY:+alt}", "u-", &[]),
        ("u-${EMPTY+alt}", "u-alt", &[]),
        ("u-${FROM_DOTENV:?set it}", "u-dot", &[]),
        ("u-${EMPTY?set it}", "u-", &[]),
        ("u-${UNSET:-${FROM_ENV}}", "u-env", &[]),
        ("pa$$word", "pa$word", &[]),
        ("$${SPRING}", "${SPRING}", &["spring-placeholder"]),
        ("cost$5", "cost$5", &[]),
        ("u-${UNSET}", "u-", &["compose-variable-unset"]),
        ("u-$UNSET", "u-", &["compose-variable-unset"]),
        ("pa$word", "pa", &["compose-unescaped-dollar"]),
        (
            "u-${UNSET:?set UNSET}",
            "u-",
            &["compose-variable-required"],
        ),
        (
            "u-${EMPTY:?not empty}",
            "u-",
            &["compose-variable-required"],
        ),
        ("u-${UNSET?set}", "u-", &["compose-variable-required"]),
        ("u-${1x}", "u-", &["compose-invalid-interpolation"]),
    ];
    let mut failures = Vec::new();
    for (expr, want, want_codes) in rows {
        let (value, codes) = interpolated(&dir, expr, Some(dotenv), &env);
        if value != *want || codes != *want_codes {
            failures.push(format!(
                "{expr}: want {want:?} {want_codes:?}, got {value:?} {codes:?}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn interpolation_findings_point_at_the_expression() {
    let dir = temp_dir("compose-findings");
    let text = service(
        "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: ${SCHEME:-ftp}://fhir.example.org/${FHIR_PATH:?set FHIR_PATH}\n          basic-auth:\n            username: dsf\n            password: 'pa$word'\n",
    );
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        range(only(&json, "compose-variable-required")),
        on(&text, 7, "${FHIR_PATH:?set FHIR_PATH}")
    );
    assert_eq!(
        range(only(&json, "compose-unescaped-dollar")),
        on(&text, 10, "$word")
    );
    // a mistake in a substituted value: from the expression on (the unset required variable
    // adds nothing to the value, which ends before it)
    assert_eq!(
        range(only(&json, "invalid-url")),
        place(&text, 7, "${SCHEME:-ftp}", 7, "fhir.example.org/")
    );
    let d = only(&json, "compose-variable-required");
    assert_eq!(d["severity"], "error");
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("set FHIR_PATH"))
    );
    // --env-file replaces .env, the environment wins over both
    write(&dir, ".env", b"FHIR_PATH=from-dotenv\nSCHEME=https\n");
    let other = write(&dir, "other.env", b"SCHEME=ftp\n");
    let (_, json) = check(&file, &["--skip-file-checks"], &[]);
    assert!(!codes(&json).contains(&"compose-variable-required"));
    assert!(!codes(&json).contains(&"invalid-url"), "{json:#}");
    let (_, json) = check(
        &file,
        &["--skip-file-checks", "--env-file", &other],
        &[("FHIR_PATH", "p")],
    );
    assert_eq!(
        codes(&json),
        vec!["invalid-url", "compose-unescaped-dollar"],
        "{json:#}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A CA file, and a compose file with `services_yaml` and `config` (the config lines indented).
fn mounted(tag: &str, service_yaml: &str, config: &str, top: &str) -> (TempDir, String, String) {
    let dir = temp_dir(tag);
    let ca = pki::ca();
    write(&dir, "certs/ca.pem", ca.pem.as_bytes());
    let config: String = config.lines().map(|l| format!("        {l}\n")).collect();
    let text = format!(
        "services:\n  bpe:\n{service_yaml}    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n{config}{top}"
    );
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    (dir, file, text)
}

#[test]
fn files_are_found_through_the_service_mounts() {
    let conn = |path: &str| {
        format!(
            "fhir:\n  base-url: https://fhir.example.org/fhir\n  trusted-root-certificates-file: {path}\n"
        )
    };
    let secrets = "secrets:\n  ca.pem:\n    file: ./certs/ca.pem\n";
    let rows: &[(&str, &str, String, &str)] = &[
        (
            "secret, short syntax",
            "    secrets:\n      - ca.pem\n",
            conn("/run/secrets/ca.pem"),
            secrets,
        ),
        (
            "secret, long syntax with target",
            "    secrets:\n      - source: ca.pem\n        target: server_ca.pem\n",
            conn("/run/secrets/server_ca.pem"),
            secrets,
        ),
        (
            "bind mount, short syntax",
            "    volumes:\n      - ./certs:/etc/dsf/certs:ro\n",
            conn("/etc/dsf/certs/ca.pem"),
            "",
        ),
        (
            "bind mount, long syntax",
            "    volumes:\n      - type: bind\n        source: ./certs\n        target: /etc/dsf/certs\n        read_only: true\n",
            conn("/etc/dsf/certs/ca.pem"),
            "",
        ),
        (
            "relative path through the working directory",
            "    volumes:\n      - ./certs:/opt/bpe/certs:ro\n",
            conn("certs/ca.pem"),
            "",
        ),
        (
            "relative path, the service's working_dir",
            "    working_dir: /srv\n    volumes:\n      - ./certs:/srv/certs:ro\n",
            conn("./certs/../certs/ca.pem"),
            "",
        ),
    ];
    let mut failures = Vec::new();
    for (name, svc, config, top) in rows {
        let (dir, file, _) = mounted("compose-mounts", svc, config, top);
        let (code, json) = check(&file, &[], &[]);
        if code != 0 || !diagnostics(&json).is_empty() {
            failures.push(format!("{name}: exit {code}, {:?}", codes(&json)));
        }
        let (_, json) = json_of(run(&["explain", "--format", "json", &file], None, &[]));
        let row = json["connections"][0]["settings"]
            .as_array()
            .and_then(|s| {
                s.iter()
                    .find(|r| r["name"] == "trusted-root-certificates-file")
            })
            .cloned()
            .unwrap_or_default();
        let host = dir.join("certs/ca.pem").display().to_string();
        if row["checked_at"] != host.as_str() {
            failures.push(format!(
                "{name}: checked at {}, want {host}",
                row["checked_at"]
            ));
        }
        let _ = std::fs::remove_dir_all(dir);
    }
    // a relative path shows its container path
    let (dir, file, _) = mounted(
        "compose-relative",
        "    volumes:\n      - ./certs:/opt/bpe/certs:ro\n",
        &conn("certs/ca.pem"),
        "",
    );
    let out = run(&["explain", "--color", "never", &file], None, &[]);
    assert!(
        out.stdout
            .contains("in the container /opt/bpe/certs/ca.pem"),
        "{}",
        out.stdout
    );
    // --container-workdir moves it
    let (code, json) = check(&file, &["--container-workdir", "/elsewhere"], &[]);
    assert_eq!(code, 0, "a folder no mount covers is a warning: {json:#}");
    assert_eq!(codes(&json), vec!["compose-path-not-mounted"]);
    // --path-map wins over the mounts
    let other = temp_dir("compose-path-map");
    let (_, json) = check(
        &file,
        &["--path-map", &format!("/opt/bpe/certs={}", other.display())],
        &[],
    );
    assert_eq!(codes(&json), vec!["file-not-readable"], "{json:#}");
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(other);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_secret_named_but_not_mounted() {
    let config = "fhir:\n  base-url: https://fhir.example.org/fhir\n  trusted-root-certificates-file: /run/secrets/ca.pem\n  cert-auth:\n    p12-file: /run/secrets/client.p12\n    password-file: /run/secrets/client.p12\nother:\n  base-url: https://other.example.org/fhir\n  trusted-root-certificates-file: /run/secrets/ca.pem\n";
    let top = "secrets:\n  ca.pem:\n    file: ./certs/ca.pem\n";
    let (dir, file, text) = mounted(
        "compose-unmounted",
        "    secrets:\n      - other.pem\n",
        config,
        top,
    );
    for args in [&[][..], &["--skip-file-checks"][..]] {
        let (code, json) = check(&file, args, &[]);
        assert_eq!(code, 1, "{json:#}");
        let found: Vec<&Value> = diagnostics(&json)
            .iter()
            .filter(|d| d["code"] == "compose-secret-not-mounted")
            .collect();
        // once per secret, where it is first named
        assert_eq!(found.len(), 2, "{json:#}");
        assert_eq!(range(found[0]), on(&text, 9, "/run/secrets/ca.pem"));
        assert_eq!(found[0]["severity"], "error");
        assert!(
            found[0]["help"]
                .as_str()
                .is_some_and(|h| h.contains("add `- ca.pem` to the `secrets:` of service `bpe`")),
            "{:#}",
            found[0]
        );
        assert_eq!(range(found[1]), on(&text, 11, "/run/secrets/client.p12"));
        assert!(
            found[1]["help"]
                .as_str()
                .is_some_and(|h| h.contains("declare it at the top level")),
            "{:#}",
            found[1]
        );
        // no file-not-readable besides: the file is not there in the container either
        assert!(!codes(&json).contains(&"file-not-readable"), "{json:#}");
    }
    // folders no mount covers: once per folder, not per file
    let config = "a:\n  base-url: https://a.example.org/fhir\n  trusted-root-certificates-file: /etc/pki/a.pem\nb:\n  base-url: https://b.example.org/fhir\n  trusted-root-certificates-file: /etc/pki/b.pem\n";
    let (dir2, file, text) = mounted("compose-unmounted-dir", "", config, "");
    let (code, json) = check(&file, &[], &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        range(only(&json, "compose-path-not-mounted")),
        on(&text, 7, "/etc/pki/a.pem")
    );
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(dir2);
}

#[test]
fn the_service_defaults_are_its_own() {
    let text = "\
services:
  bpe:
    env_file: bpe.env
    environment:
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT: 5s
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: http://fhir.example.org/fhir
";
    let dir = temp_dir("compose-defaults");
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let env_text = "# defaults\nDEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TEST_CONNECTION_ON_STARTUP=maybe\nDEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ=PT1M\n";
    let env_file = write(&dir, "bpe.env", env_text.as_bytes());
    // the tool's own environment is overridden by the service
    let env = [(
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT",
        "PT9S",
    )];
    let (code, json) = check(&file, &["--skip-file-checks"], &env);
    assert_eq!(code, 1, "{json:#}");
    let found: Vec<&Value> = diagnostics(&json)
        .iter()
        .filter(|d| d["code"] == "invalid-default")
        .collect();
    assert_eq!(found.len(), 2, "{json:#}");
    let in_compose = found
        .iter()
        .find(|d| d["file"] == file.as_str())
        .expect("in compose");
    assert_eq!(range(in_compose), on(text, 5, "5s"));
    let in_env_file = found
        .iter()
        .find(|d| d["file"] == env_file.as_str())
        .expect("in env file");
    assert_eq!(range(in_env_file), on(env_text, 2, "maybe"));
    let (_, json) = json_of(run(
        &["explain", "--format", "json", "--skip-file-checks", &file],
        None,
        &env,
    ));
    let row = |name: &str| {
        json["connections"][0]["settings"]
            .as_array()
            .and_then(|s| s.iter().find(|r| r["name"] == name))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(row("read-timeout")["value"], "PT1M");
    assert_eq!(row("read-timeout")["origin"]["line"], 3);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_secret_of_the_service_in_any_output() {
    let canaries = [
        "CANARYcfg",
        "CANARYproxy",
        "CANARYlist",
        "CANARYsecret",
        "CANARYdotenv",
        "CANARYblock",
    ];
    let text = "\
services:
  bpe:
    secrets:
      - ca.pem
    environment:
      DEV_DSF_PROXY_URL: http://proxy:8080
      DEV_DSF_PROXY_PASSWORD: CANARYproxy
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT: 5s
      MY_API_SECRET: \"CANARYsecret\"
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ: 5m
      DB_TOKEN: >-
        CANARYblock
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: http://fhir.example.org/fhir
          basic-auth:
            username: dsf
            password: 'CANARYcfg'
          read-timeout: 10m
        other:
          base-url: https://x
          bearer-auth:
            token: '${TOKEN_FROM_DOTENV}'
          connect-timeout: 3s
  ttp-bpe:
    environment:
      - DEV_DSF_PROXY_PASSWORD=CANARYlist
      - DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT=5s
      - \"DB_PASSWORD=CANARYquoted\"
      - DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ=5m
      - \"DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG=fhir:\\n  base-url: https://${HOST}/fhir\\n  connect-timeout: 1s\"
  flow-bpe:
    environment: {X_SECRET: CANARYflow, DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ: 5m, DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: 'a: {base-url: https://a}'}
secrets:
  ca.pem:
    file: ./ca.pem
";
    let dir = temp_dir("compose-canaries");
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    write(&dir, ".env", b"TOKEN_FROM_DOTENV=CANARYdotenv\n");
    let mut outputs = 0;
    for args in [
        vec!["check"],
        vec!["check", "--color", "always"],
        vec!["check", "--format", "json"],
        vec!["explain", "--color", "never"],
        vec!["explain", "--format", "json"],
        vec!["check", "--skip-file-checks"],
        vec!["check", "--compose-environment"],
    ] {
        let mut all = args.clone();
        all.push(&file);
        let out = run(&all, None, &[]);
        assert_eq!(out.code, 1, "{args:?}: {}{}", out.stdout, out.stderr);
        for c in canaries {
            assert!(
                !out.stdout.contains(c),
                "{args:?} leaks {c}:\n{}",
                out.stdout
            );
            assert!(
                !out.stderr.contains(c),
                "{args:?} leaks {c}:\n{}",
                out.stderr
            );
        }
        outputs += 1;
    }
    assert_eq!(outputs, 7);
    // the lines with the secrets were shown, masked
    let out = run(
        &["check", "--color", "never", "--skip-file-checks", &file],
        None,
        &[],
    );
    for shown in [
        "DEV_DSF_PROXY_PASSWORD: ****",
        "MY_API_SECRET: ****",
        "password: '****'",
        "- DEV_DSF_PROXY_PASSWORD=****",
        "- \"DB_PASSWORD=****",
        "{X_SECRET: ****",
    ] {
        assert!(
            out.stdout.contains(shown),
            "{shown} not shown:\n{}",
            out.stdout
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn anchors_and_merge_keys_of_shared_settings() {
    let text = "\
x-bpe-env: &bpe-env
  DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ: 10x
services:
  bpe:
    environment:
      <<: *bpe-env
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: https://fhir.example.org/fhir
";
    let dir = temp_dir("compose-anchors");
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 1);
    assert_eq!(range(only(&json, "invalid-default")), on(text, 2, "10x"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_config_from_an_env_file_or_passed_through() {
    let dir = temp_dir("compose-env-file-config");
    let text = "services:\n  bpe:\n    env_file:\n      - path: ./bpe.env\n        required: true\n      - path: ./missing.env\n        required: false\n";
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let env_text = "# the BPE's config\nDEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG={fhir: {base-url: ftp://x}}\n";
    let env_file = write(&dir, "bpe.env", env_text.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 1, "{json:#}");
    let d = only(&json, "invalid-url");
    assert_eq!(d["file"], env_file.as_str());
    assert_eq!(range(d), on(env_text, 2, "ftp://x"));
    // `- KEY` passes the variable of the environment of docker compose through
    let text =
        "services:\n  bpe:\n    environment:\n      - DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG\n";
    let file = write(&dir, "passed.yml", text.as_bytes());
    let config = "fhir:\n  base-url: https://fhir.example.org/fhir\n  read-timeout: 10m\n";
    let (code, json) = check(
        &file,
        &["--skip-file-checks"],
        &[("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG", config)],
    );
    assert_eq!(code, 1);
    let d = only(&json, "invalid-duration");
    assert_eq!(d["file"], "$DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG");
    assert_eq!(range(d), on(config, 3, "10m"));
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 0);
    assert!(
        json["summary"]["notes"][0].as_str().is_some_and(
            |n| n.contains("passes DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG through")
        ),
        "{json:#}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A secret compose substitutes from the environment (or `.env`) and that lands in a message
/// (here: a password variable also used as a timeout, and a secret-named variable used only
/// in a timeout) is scrubbed from every output format; a plain variable's value is shown.
#[test]
fn substituted_secrets_stay_out_of_messages() {
    let text = "\
services:
  bpe:
    environment:
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: https://fhir.example.org/fhir
          connect-timeout: ${BPE_PW}
          read-timeout: \"x${DB_TOKEN}\"
          basic-auth:
            username: \"${BPE_PW}-user\"
            password: ${BPE_PW}
        other:
          base-url: https://other.example.org/fhir
          read-timeout: ${PLAIN_TIMEOUT}
";
    let dir = temp_dir("compose-substituted");
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    write(&dir, ".env", b"DB_TOKEN=CANARYdotenvtoken\n");
    let env = [
        ("BPE_PW", "CANARY'pw\ttab"),
        ("PLAIN_TIMEOUT", "ten-minutes"),
    ];
    for format in ["human", "json", "sarif", "github", "gitlab", "concise"] {
        for cmd in ["check", "explain"] {
            let out = run(
                &[cmd, "--format", format, "--skip-file-checks", &file],
                None,
                &env,
            );
            assert_eq!(out.code, 1, "{cmd} {format}: {}", out.stderr);
            for leak in ["CANARY", "dotenvtoken", "pw\\ttab", "pw\ttab"] {
                assert!(
                    !out.stdout.contains(leak) && !out.stderr.contains(leak),
                    "{cmd} {format} leaks {leak}:\n{}",
                    out.stdout
                );
            }
            if cmd == "check" {
                assert!(
                    out.stdout.contains("ten-minutes"),
                    "{format}: {}",
                    out.stdout
                );
            }
        }
    }
    let (code, json) = check(&file, &["--skip-file-checks"], &env);
    assert_eq!(code, 1);
    let messages: Vec<&str> = diagnostics(&json)
        .iter()
        .filter(|d| d["code"] == "invalid-duration")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "`connect-timeout` is not a duration: found `****`",
            "`read-timeout` is not a duration: found `x****`",
            "`read-timeout` is not a duration: found `ten-minutes`",
        ],
        "{json}"
    );
}

/// An env file compose cannot read stops compose: a missing `env_file:` of the service is an
/// error at its path (a note with `--skip-file-checks`; nothing when `required: false`), and a
/// missing `--env-file` fails the input (exit 2), never "ok".
#[test]
fn unreadable_env_files() {
    let dir = temp_dir("compose-env-file-missing");
    let config = "    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: https://fhir.example.org/fhir\n";
    // short syntax, a list item, the long syntax's `path`
    for (env_file, line, needle) in [
        ("    env_file: ./bpe.env\n", 3, "./bpe.env"),
        ("    env_file:\n      - \"bpe.env\"\n", 4, "\"bpe.env\""),
        ("    env_file:\n      - path: bpe.env\n", 4, "bpe.env"),
    ] {
        let text = format!("services:\n  bpe:\n{env_file}{config}");
        let file = write(&dir, "docker-compose.yml", text.as_bytes());
        let (code, json) = check(&file, &[], &[]);
        assert_eq!(code, 1, "{json:#}");
        let d = only(&json, "compose-env-file-unreadable");
        assert_eq!(d["file"], file.as_str());
        assert_eq!(range(d), on(&text, line, needle), "{env_file}");
        assert_eq!(d["outcome"], "does-not-start");
        let (code, json) = check(&file, &["--skip-file-checks"], &[]);
        assert_eq!(code, 0, "{json:#}");
        assert!(
            json["summary"]["notes"]
                .as_array()
                .is_some_and(|n| n.iter().any(|n| n
                    .as_str()
                    .is_some_and(|n| n.contains("env_file not checked")))),
            "{json:#}"
        );
    }
    let text = format!(
        "services:\n  bpe:\n    env_file:\n      - path: bpe.env\n        required: false\n{config}"
    );
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let (code, json) = check(&file, &[], &[]);
    assert_eq!(code, 0, "{json:#}");
    // `--env-file` names a file that is not there
    let missing = dir.join("nope.env").display().to_string();
    let out = run(&["check", "--env-file", &missing, &file], None, &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(&missing), "{}", out.stderr);
    assert!(out.stdout.contains("not ok"), "{}", out.stdout);
    assert!(
        !out.stdout.lines().any(|l| l.starts_with("ok:")),
        "{}",
        out.stdout
    );
    let (code, json) = check(&file, &["--env-file", &missing], &[]);
    assert_eq!(code, 2);
    assert_eq!(json["summary"]["failed"][0][0], file.as_str());
}

/// An env file far beyond any settings file is refused before it is read, as unreadable
/// (each service naming it would read and hold it again), and a thousand services that each
/// get the same megabyte (through `${VAR}` here) stop at one input's budget, not at 10 GB.
#[test]
fn env_files_and_substitutions_have_a_budget() {
    let dir = temp_dir("compose-budget");
    let config = "    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: https://fhir.example.org/fhir\n";
    let big: String = (0..120_000).map(|i| format!("X{i}=value{i}\n")).collect();
    assert!(big.len() > 1024 * 1024);
    write(&dir, "big.env", big.as_bytes());
    let text = format!("services:\n  bpe:\n    env_file: big.env\n{config}");
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let (code, json) = check(&file, &[], &[]);
    assert_eq!(code, 1, "{json:#}");
    let d = only(&json, "compose-env-file-unreadable");
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("this tool reads of an env_file")),
        "{d:#}"
    );
    // 400 services, each given a config of ~60 KB through `${A}`: 24 MB in all
    let value: String = (0..2_000)
        .map(|i| format!("c{i}: {{base-url: https://x}}\\n"))
        .collect();
    write(&dir, ".env", format!("A=\"{value}\"\n").as_bytes());
    let mut compose = String::from("services:\n");
    for i in 0..400 {
        compose.push_str(&format!(
            "  s{i}: {{environment: {{DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: '${{A}}'}}}}\n"
        ));
    }
    let file = write(&dir, "docker-compose.yml", compose.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 2, "{json:#}");
    let why = json["summary"]["failed"][0][1].as_str().unwrap_or_default();
    assert!(why.contains("the environments of its services"), "{why}");
    assert!(
        json["summary"]["connections"].as_u64().unwrap_or(0) > 2_000,
        "{json:#}"
    );
}

/// A compose file that is not YAML is refused by compose itself: its syntax errors say the BPE
/// does not start, not that it starts with no connections.
#[test]
fn a_compose_file_that_is_not_yaml() {
    let dir = temp_dir("compose-not-yaml");
    let text = "services:\n  bpe:\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        a:\n          base-url: https://h/fhir\n     bad: indentation\n";
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    let (code, json) = check(&file, &["--skip-file-checks"], &[]);
    assert_eq!(code, 1, "{json:#}");
    let d = &diagnostics(&json)[0];
    assert!(
        d["code"].as_str().is_some_and(|c| c.starts_with("yaml-")),
        "{d:#}"
    );
    assert_eq!(d["outcome"], "does-not-start");
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|h| h.contains("docker compose cannot read it")),
        "{d:#}"
    );
    assert_eq!(range(d), on(text, 7, "bad"));
}

/// A compose file's secrets whatever YAML makes of them (a tag, a comment, text after a
/// quote, in `environment:` and in an `env_file`), on command lines of any service (`--db-pass
/// X`, `--token=Y`, `-p Z`, `-pZ`, `curl -u user:pw`, list forms), and under more secret names
/// (`CREDS`, `SALT`, `HMAC`, `SIGNATURE`): none shows in any output, also as the context line of
/// an unrelated error. DSF's own variables that are no secrets stay visible.
#[test]
fn no_secret_on_a_compose_line_whatever_it_is() {
    let text = "\
services:
  kc:
    image: keycloak
    command: start --db-pass CANARYc01 --token CANARYc02 -p CANARYc03 --password=CANARYc04
    entrypoint: [\"sh\", \"-c\", \"curl -u admin:CANARYc05 -H \\\"Authorization: Bearer CANARYc06\\\" http://x\"]
    healthcheck:
      test: [\"CMD\", \"mysqladmin\", \"ping\", \"-uroot\", \"-pCANARYc07\", \"--password\", \"CANARYc08\"]
  db:
    command:
      - --api-key
      - CANARYc09
      - --user=admin:CANARYc10
    environment:
      DB_CREDS: CANARYc11
      PASSWORD_SALT: CANARYc12
      WEBHOOK_HMAC: CANARYc13
      SIGNATURE: CANARYc14
  bpe:
    image: x
    env_file: [svc.env]
    environment:
      FHIR_PASSWORD: !CANARYc15
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT: bad
      DB_PASSWORD: abc #CANARYc16
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ: bad
      DEV_DSF_SERVER_AUTH_OIDC_CLIENT_ID: visible-client-id
      DEV_DSF_BPE_FHIR_CLIENT_CERTIFICATE: /run/secrets/visible.crt
      DEV_DSF_BPE_FHIR_CLIENT_CERTIFICATE_PRIVATE_KEY_PASSWORD_FILE: /run/secrets/visible.pw
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        a:
          base-url: https://fhir.example.org/fhir
          basic-auth:
            username: u
            password: !CANARYc18
          foo: 1
";
    let env = "\
X_PASSWORD=abc #CANARYc19
DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_ENABLE_DEBUG_LOGGING=maybe
Y_TOKEN=\"abc\" CANARYc20
DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TEST_CONNECTION_ON_STARTUP=maybe
";
    let dir = temp_dir("compose-shapes");
    let file = write(&dir, "docker-compose.yml", text.as_bytes());
    write(&dir, "svc.env", env.as_bytes());
    let mut runs = vec![];
    runs.push(vec!["check", "--color", "never", file.as_str()]);
    runs.push(vec!["explain", "--color", "never", file.as_str()]);
    runs.push(vec!["explain", "--format", "json", file.as_str()]);
    for format in ["json", "concise", "github", "sarif", "gitlab"] {
        runs.push(vec!["check", "--format", format, file.as_str()]);
    }
    for args in runs {
        let out = run(&args, None, &[]);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        for text in [&out.stdout, &out.stderr] {
            assert!(!text.contains("CANARYc"), "{args:?} leaks:\n{text}");
        }
    }
    let out = run(&["check", "--color", "never", &file], None, &[]);
    for shown in [
        "FHIR_PASSWORD: ****",
        "DB_PASSWORD: ****",
        "X_PASSWORD=****",
    ] {
        assert!(
            out.stdout.contains(shown),
            "{shown} not shown:\n{}",
            out.stdout
        );
    }
    // a tab on the line below a line shows it as the context of that error
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains("CANARY") && !line.contains("visible") || line.starts_with("        ") {
            continue;
        }
        let mut tabbed = lines[..=i].join("\n");
        tabbed.push_str("\n\tx: 1\n");
        tabbed.push_str(&lines[i + 1..].join("\n"));
        let tabbed = write(&dir, "tabbed.yml", tabbed.as_bytes());
        for cmd in ["check", "explain"] {
            let out = run(&[cmd, "--color", "never", &tabbed], None, &[]);
            assert!(!out.stdout.contains("CANARYc"), "{line}:\n{}", out.stdout);
            let shown = line.trim_start();
            if let Some(visible) = shown.strip_prefix("DEV_DSF_") {
                assert!(out.stdout.contains(visible), "{line}:\n{}", out.stdout);
            } else {
                assert!(out.stdout.contains("****"), "{line}:\n{}", out.stdout);
            }
        }
    }
    // shapes YAML rejects: the error is on the secret's line
    for shape in [
        "\"abc\"CANARYc17",
        "'abc'CANARYc17",
        ">CANARYc17",
        "*a CANARYc17",
    ] {
        let text = format!(
            "services:\n  bpe:\n    environment:\n      OTHER_TOKEN: {shape}\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: 'a: {{base-url: https://h/fhir}}'\n"
        );
        let f = write(&dir, "rejected.yml", text.as_bytes());
        for cmd in ["check", "explain"] {
            let out = run(&[cmd, "--color", "never", &f], None, &[]);
            assert!(
                out.stdout.contains("OTHER_TOKEN: "),
                "{shape}:\n{}",
                out.stdout
            );
            assert!(!out.stdout.contains("CANARYc"), "{shape}:\n{}", out.stdout);
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}
