//! The exported schema never drifts from our verdict: the real check-jsonschema (PyPI, pinned in
//! .ci/requirements.txt, installed by `.ci/run`) validates every fixture with the schema that
//! `dsf-connections schema` prints, and must agree with `check --skip-file-checks` (exit 0 or 1)
//! on every fixture a schema can judge. A fixture is left out only when we report one of the codes
//! in [`BEYOND_A_SCHEMA`] for it; the README lists the same limits.
//!
//! Without check-jsonschema on PATH (or `$DSF_CHECK_JSONSCHEMA`) the test is skipped loudly;
//! with `DSF_CI_REQUIRE_TOOLS` set, as `.ci/run` does, it fails instead.

use crate::util::{manifest_dir, run, temp_dir};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Codes whose verdict no JSON schema over YAML 1.2 values can reproduce, and why.
pub const BEYOND_A_SCHEMA: &[(&str, &str)] = &[
    (
        "duration-negative",
        "needs the duration's arithmetic (PT1H-61M is negative)",
    ),
    (
        "duration-too-large",
        "needs the duration's arithmetic (the cap is P24DT20H31M23.647S)",
    ),
    ("invalid-url", "needs a URL parser"),
    (
        "yaml-alias",
        "a YAML tool expands aliases; the server reads `*u` as the text `u`",
    ),
    (
        "yaml-merge-key",
        "a YAML tool applies `<<` merges; the server reads `<<` as a key",
    ),
    (
        "yaml-complex-key",
        "a YAML tool turns a complex key into text its own way",
    ),
    (
        "yaml-multiple-documents",
        "YAML tools reject or read every document; the server reads the first",
    ),
];

const FIXTURE_DIRS: &[&str] = &[
    "tests/fixtures/rules",
    "tests/fixtures/dsf-server-tests",
    "tests/fixtures/human",
    "tests/fixtures/explain",
    "tests/fixtures/schema",
    "fixtures",
];

fn check_jsonschema() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DSF_CHECK_JSONSCHEMA") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join("check-jsonschema"))
        .find(|p| p.is_file());
    if found.is_none() && std::env::var_os("DSF_CI_REQUIRE_TOOLS").is_some() {
        panic!("DSF_CI_REQUIRE_TOOLS is set but check-jsonschema is not on PATH");
    }
    found
}

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in FIXTURE_DIRS {
        let Ok(entries) = std::fs::read_dir(manifest_dir().join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Our verdict (valid = exit 0) and every code we report, without reading the named files.
fn our_verdict(path: &Path) -> (bool, BTreeSet<String>) {
    let p = path.display().to_string();
    let out = run(
        &["check", "--skip-file-checks", "--format", "json", &p],
        None,
        &[],
    );
    assert!(out.code == 0 || out.code == 1, "{p}: {}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).expect("json");
    let codes = json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect();
    (out.code == 0, codes)
}

#[test]
fn check_jsonschema_agrees_with_check_on_every_fixture_a_schema_can_judge() {
    let Some(tool) = check_jsonschema() else {
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED editor_schema: check-jsonschema is not on PATH; `bash .ci/run` installs it\n"
        );
        return;
    };
    let dir = temp_dir("editor-schema");
    let schema_path = dir.join("fhir_client_connections.json");
    let schema = run(&["schema"], None, &[]);
    assert_eq!(schema.code, 0);
    std::fs::write(&schema_path, &schema.stdout).expect("write schema");

    let mut judged = Vec::new();
    let mut left_out = Vec::new();
    for f in fixtures() {
        // a compose file (or the docs' fragment) holds a config; the schema is the config's
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        if text.lines().any(|l| {
            l.starts_with("services:")
                || l.trim_start()
                    .starts_with("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG:")
        }) {
            left_out.push((f, "compose input"));
            continue;
        }
        let (valid, codes) = our_verdict(&f);
        match BEYOND_A_SCHEMA.iter().find(|(c, _)| codes.contains(*c)) {
            Some((code, _)) => left_out.push((f, *code)),
            None => judged.push((f, valid)),
        }
    }
    assert!(
        judged.len() > 60,
        "too few fixtures judged: {}",
        judged.len()
    );

    let out = Command::new(&tool)
        .arg("--output-format")
        .arg("json")
        .arg("--schemafile")
        .arg(&schema_path)
        .args(judged.iter().map(|(f, _)| f))
        .output()
        .expect("run check-jsonschema");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check-jsonschema printed no JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let failed: BTreeSet<String> = ["errors", "parse_errors"]
        .iter()
        .flat_map(|k| report[k].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["filename"].as_str().map(str::to_string))
        .collect();

    let mut disagreements = Vec::new();
    for (f, valid) in &judged {
        let schema_valid = !failed.contains(&f.display().to_string());
        if schema_valid != *valid {
            disagreements.push(format!(
                "{}: check says {}, the schema says {}",
                f.display(),
                if *valid { "valid" } else { "invalid" },
                if schema_valid { "valid" } else { "invalid" }
            ));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "editor_schema: {} fixtures judged by check-jsonschema, {} beyond a schema ({})",
        judged.len(),
        left_out.len(),
        left_out
            .iter()
            .map(|(f, c)| format!(
                "{}: {c}",
                f.file_name().unwrap_or_default().to_string_lossy()
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(
        disagreements.is_empty(),
        "the exported schema disagrees with check:\n{}",
        disagreements.join("\n")
    );
    // both verdicts occur, or the comparison proves little
    assert!(judged.iter().any(|(_, v)| *v) && judged.iter().any(|(_, v)| !*v));
}

#[test]
fn the_readme_lists_what_a_schema_cannot_judge() {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).expect("README");
    for (code, _) in BEYOND_A_SCHEMA {
        assert!(
            readme.contains(&format!("`{code}`")),
            "README lacks `{code}`"
        );
    }
}
