//! The command line as a user meets it: input origins, exit codes, formats, colours, help.

use crate::util::{json_of, run, temp_dir};

const VALID: &str = "c:\n  base-url: http://x\n";
const INVALID: &str = "c:\n  base_url: http://x\n";

#[test]
fn file_stdin_and_env_inputs() {
    let trust = [(
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
        "/run/secrets/root_ca.crt",
    )];
    let out = run(
        &[
            "check",
            "--path-map",
            "/run/secrets=fixtures/secrets",
            "fixtures/valid.yaml",
        ],
        None,
        &trust,
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("ok: no problems in 5 connections"));

    let out = run(&["check", "-"], Some(INVALID.as_bytes()), &[]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("<stdin>:2:3"), "{}", out.stdout);

    let out = run(
        &["check"],
        None,
        &[("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG", INVALID)],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("$DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG:2:3"),
        "{}",
        out.stdout
    );

    let out = run(
        &["check"],
        None,
        &[("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG", "")],
    );
    // set but empty: a warning, since it is more often a deployment slip than intent
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains(
            "warning[config-blank]: $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG is set but empty: the server will start with only its built-in #dsf connection"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn several_inputs_make_one_report() {
    let dir = temp_dir("multi");
    let a = dir.join("a.yaml");
    let b = dir.join("b.yaml");
    std::fs::write(&a, VALID).expect("write");
    std::fs::write(&b, INVALID).expect("write");
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let out = run(&["check", "--format", "json", &a, &b], None, &[]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["inputs"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["diagnostics"][0]["file"], b.as_str());
    assert_eq!(json["summary"]["connections"], 2);
    let out = run(&["check", &a, &b], None, &[]);
    assert!(
        out.stdout
            .contains("1 error, 0 warnings in 2 connections (2 inputs)"),
        "{}",
        out.stdout
    );
}

/// Issue 15: `--probe-timeout 0` would turn the cap off (a silent server and `read-timeout: 0`
/// never end): refused as a usage error, with why.
#[test]
fn a_probe_timeout_of_zero_is_refused() {
    for zero in ["0", "0s", "0ms"] {
        let out = run(
            &["check", "--test-connections", "--probe-timeout", zero, "-"],
            Some(b"c:\n  base-url: https://x\n"),
            &[],
        );
        assert_eq!(out.code, 2, "{zero}: {}", out.stderr);
        assert!(
            out.stderr.contains("the probe timeout must be above zero"),
            "{zero}: {}",
            out.stderr
        );
    }
}

#[test]
fn tool_errors_exit_2() {
    let out = run(&["check", "does/not/exist.yaml"], None, &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("cannot open does/not/exist.yaml: no such file"),
        "{}",
        out.stderr
    );

    let out = run(&["check"], None, &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG is not set")
    );

    let out = run(
        &["check", "--format", "xml", "fixtures/valid.yaml"],
        None,
        &[],
    );
    assert_eq!(out.code, 2);

    let out = run(&["check", "-", "-"], Some(b""), &[]);
    assert_eq!(out.code, 2);

    let out = run(
        &["check", "--max-input-size", "10", "-"],
        Some(VALID.as_bytes()),
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("larger than 10 bytes"),
        "{}",
        out.stderr
    );

    let out = run(&["check", "src"], None, &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is a directory"));
}

/// A directory as INPUT: one error that says so with what to do, and a summary that does not
/// call it "no problems" (it was not checked).
#[test]
fn a_directory_is_one_clear_error() {
    let dir = temp_dir("dir-input");
    let d = dir.join("some-dir");
    std::fs::create_dir(&d).expect("mkdir");
    let d = d.display().to_string();
    let out = run(&["check", &d], None, &[]);
    assert_eq!(out.code, 2);
    let errors: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(
        errors[0].starts_with(&format!("dsf-connections: error: {d}: is a directory: ")),
        "{}",
        out.stderr
    );
    assert_eq!(errors[0].matches(d.as_str()).count(), 2, "{}", out.stderr); // name, hint
    assert!(errors[0].contains(&format!("{d}/*.yaml")), "{}", out.stderr);
    assert!(!out.stdout.contains("no problems"), "{}", out.stdout);
    assert_eq!(
        out.stdout.lines().last(),
        Some("not ok: nothing was checked: 1 input could not be read (see the error above)"),
        "{}",
        out.stdout
    );
    for format in ["concise", "github"] {
        let out = run(&["check", "--format", format, &d], None, &[]);
        assert_eq!(out.code, 2);
        assert!(
            !out.stdout.contains("no problems"),
            "{format}: {}",
            out.stdout
        );
        assert!(
            out.stdout.lines().last().is_some_and(
                |l| l == "dsf-connections: nothing was checked: 1 input could not be read"
            ),
            "{format}: {}",
            out.stdout
        );
    }
    // standard input that is a directory says so too
    let stdin = std::fs::File::open(&d).expect("open dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dsf-connections"))
        .args(["check", "-"])
        .env_clear()
        .stdin(stdin)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.starts_with("dsf-connections: error: <stdin>: is a directory: "),
        "{stderr}"
    );
}

#[test]
fn schema_command_prints_the_editor_schema_and_the_bundled_one() {
    // the default is the form for editors and YAML 1.2 tools: draft-07, no `$id`
    let out = run(&["schema"], None, &[]);
    assert_eq!(out.code, 0);
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema is JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(schema.get("$id").is_none());
    let published = std::fs::read_to_string(
        crate::util::manifest_dir().join("schema/fhir_client_connections.editor.json"),
    )
    .expect("published editor schema");
    assert_eq!(out.stdout, published);

    let out = run(&["schema", "--server-typed"], None, &[]);
    assert_eq!(out.code, 0);
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["$defs"]["connection"]["required"][0], "base-url");
}

#[test]
fn help_documents_exit_codes_and_codes_within_80_columns() {
    let out = run(&["check", "--help"], None, &[]);
    assert_eq!(out.code, 0);
    for needle in [
        "0  valid",
        "1  invalid",
        "2  the tool could not run",
        "3  valid, but a connection test failed",
        "docs/codes.md",
        "--ignore <CODE>",
        "--select <CODE>",
        "--max-diagnostics <N>",
    ] {
        assert!(
            out.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            out.stdout
        );
    }
    let out = run(&["explain", "--help"], None, &[]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("explain prints each connection's effective settings"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("3  valid, but"), "{}", out.stdout);
    for args in [
        &["--help"][..],
        &["check", "--help"],
        &["explain", "--help"],
        &["schema", "--help"],
    ] {
        let out = run(args, None, &[]);
        for line in out.stdout.lines() {
            assert!(
                line.chars().count() <= 80,
                "{args:?}: {line:?} is wider than 80 columns"
            );
        }
    }
}

#[test]
fn colours_follow_flag_and_no_color() {
    let ansi = "\u{1b}[";
    let out = run(
        &["check", "--color", "always", "-"],
        Some(INVALID.as_bytes()),
        &[],
    );
    assert!(out.stdout.contains(ansi));
    let out = run(
        &["check", "--color", "never", "-"],
        Some(INVALID.as_bytes()),
        &[],
    );
    assert!(!out.stdout.contains(ansi));
    // not a terminal: auto means no colour
    let out = run(&["check", "-"], Some(INVALID.as_bytes()), &[]);
    assert!(!out.stdout.contains(ansi));
    let out = run(
        &["check", "--color", "auto", "-"],
        Some(INVALID.as_bytes()),
        &[("NO_COLOR", "1")],
    );
    assert!(!out.stdout.contains(ansi));
}

/// `s` without the ANSI escape sequences (CSI `ESC [ ... letter`) colours add.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // `[`, parameters, then the final letter
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Colours change nothing of the layout: the `-->`, `|` and `= help:` lines stand where they
/// stand without colours.
#[test]
fn colours_keep_the_layout() {
    let args = |color: &'static str| {
        [
            "check",
            "--skip-file-checks",
            "--color",
            color,
            "fixtures/example.yaml",
        ]
    };
    let coloured = run(&args("always"), None, &[]);
    let plain = run(&args("never"), None, &[]);
    assert!(coloured.stdout.contains("\u{1b}["), "{}", coloured.stdout);
    assert!(
        plain.stdout.contains(" --> fixtures/example.yaml:"),
        "{}",
        plain.stdout
    );
    assert_eq!(strip_ansi(&coloured.stdout), plain.stdout);
}

#[test]
fn warnings_alone_exit_0() {
    let out = run(
        &["check", "-"],
        Some(b"c:\n  base-url: http://x\n  read-timeout: 0\n"),
        &[],
    );
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("0 errors, 1 warning in 1 connection"),
        "{}",
        out.stdout
    );
}

#[test]
#[ignore = "writes fixtures/secrets; run by hand to regenerate them"]
fn regenerate_fixture_secrets() {
    crate::pki::write_fixture_secrets(&crate::util::manifest_dir().join("fixtures/secrets"));
}

#[test]
fn a_missing_input_is_reported_and_the_others_still_checked() {
    let dir = temp_dir("missing-input");
    let b = dir.join("b.yaml");
    std::fs::write(&b, INVALID).expect("write");
    let b = b.display().to_string();
    let out = run(&["check", "--format", "json", "nope.yaml", &b], None, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("dsf-connections: error: nope.yaml: cannot open nope.yaml: no such file"),
        "{}",
        out.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["diagnostics"][0]["code"], "unknown-property");
    assert_eq!(json["summary"]["failed"][0][0], "nope.yaml");
    let out = run(&["check", "nope.yaml", &b], None, &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("1 input could not be checked"),
        "{}",
        out.stdout
    );
}

#[test]
fn ignore_select_and_inline_suppression() {
    let yaml = "c:\n  base-url: http://x\n  connect-timeout: 0\n  read-timeout: 0 # dsf-connections: ignore[duration-zero]\n";
    let codes_of = |args: &[&str]| {
        let mut a = vec!["check", "--format", "json", "--skip-file-checks"];
        a.extend_from_slice(args);
        a.push("-");
        let out = run(&a, Some(yaml.as_bytes()), &[]);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        let pointers: Vec<String> = json["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["code"].as_str().unwrap_or(""),
                    d["pointer"].as_str().unwrap_or("")
                )
            })
            .collect();
        (pointers, json["summary"]["suppressed"].as_u64())
    };
    // the comment silences the second zero only
    assert_eq!(
        codes_of(&[]),
        (
            vec!["duration-zero /c/connect-timeout".to_string()],
            Some(1)
        )
    );
    assert_eq!(codes_of(&["--ignore", "duration-zero"]), (vec![], Some(2)));
    assert_eq!(codes_of(&["--select", "invalid-url"]), (vec![], Some(2)));
    // a comment on the line above covers the next line
    let above = "c:\n  base-url: http://x\n  # dsf-connections: ignore[duration-zero]\n  connect-timeout: 0\n";
    let out = run(
        &["check", "--format", "json", "--skip-file-checks", "-"],
        Some(above.as_bytes()),
        &[],
    );
    assert!(!out.stdout.contains("duration-zero\""), "{}", out.stdout);
    // a suppressed error passes (the site's choice) but is never hidden: the summary counts it
    let error = "c:\n  base-url: ftp://x  # dsf-connections: ignore[invalid-url]\n";
    let out = run(
        &["check", "--skip-file-checks", "-"],
        Some(error.as_bytes()),
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout
            .starts_with("ok: no problems in 1 connection, 1 error suppressed"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("the server still fails on it"),
        "{}",
        out.stdout
    );
    let (_, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", "-"],
        Some(error.as_bytes()),
        &[],
    ));
    assert_eq!(json["summary"]["suppressed_errors"], 1);
    // an unknown code is a usage error with a suggestion
    let out = run(
        &["check", "--ignore", "duration-zeros", "-"],
        Some(b""),
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `duration-zero`"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_cap_keeps_the_verdict_and_counts_what_it_left_out() {
    let mut yaml = String::from("c:\n  base-url: http://x\n");
    for i in 0..50 {
        yaml.push_str(&format!("  unknown-{i}: 1\n"));
    }
    let out = run(
        &[
            "check",
            "--format",
            "json",
            "--skip-file-checks",
            "--max-diagnostics",
            "10",
            "-",
        ],
        Some(yaml.as_bytes()),
        &[],
    );
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(10));
    assert_eq!(json["summary"]["errors"], 50);
    assert_eq!(json["summary"]["omitted"]["unknown-property"], 40);
    let out = run(
        &[
            "check",
            "--skip-file-checks",
            "--max-diagnostics",
            "10",
            "-",
        ],
        Some(yaml.as_bytes()),
        &[],
    );
    assert!(
        out.stdout.contains(
            "note: 40 more diagnostics not shown (--max-diagnostics): unknown-property: 40"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn explain_aligns_long_values_and_writes_short_durations() {
    let yaml = "c:\n  base-url: https://a-very-long-host-name.example.org/with/a/long/path/to/the/fhir/base\n  read-timeout: P3D\n";
    let out = run(
        &["explain", "--skip-file-checks", "-"],
        Some(yaml.as_bytes()),
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("PT72H (3d)"), "{}", out.stdout);
    // the long URL stands on its own line; the origin column of the others stays aligned
    let origin_cols: Vec<usize> = out
        .stdout
        .lines()
        .filter(|l| l.contains("built-in default") || l.ends_with("config, line 3"))
        .filter_map(|l| {
            l.find("built-in default")
                .or_else(|| l.find("config, line"))
        })
        .collect();
    assert!(origin_cols.len() >= 3, "{}", out.stdout);
    assert!(
        origin_cols.windows(2).all(|w| w[0] == w[1]),
        "{}",
        out.stdout
    );
}

/// A full disk (Linux's `/dev/full`) is an error for every command, never a panic or "success".
#[test]
fn a_full_disk_fails_every_command_cleanly() {
    let Ok(_) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux
    };
    for args in [
        &["schema"][..],
        &["schema", "--server-typed"][..],
        &["completions", "bash"][..],
        &["man"][..],
        &["--explain-code", "yaml-syntax"][..],
        &[
            "check",
            "--skip-file-checks",
            "--format",
            "json",
            "fixtures/valid.yaml",
        ][..],
        &["explain", "--skip-file-checks", "fixtures/valid.yaml"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dsf-connections"))
            .args(args)
            .current_dir(crate::util::manifest_dir())
            .env_clear()
            .stdout(full)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write the output"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// Output that cannot be written (`> /dev/full`) is exit 2 for every command and every verdict:
/// an invalid config, help and version text too, with one error line on standard error.
#[test]
fn a_write_failure_is_exit_2_whatever_the_verdict() {
    let Ok(_) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux
    };
    let dir = temp_dir("full");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, INVALID).expect("write");
    let bad = bad.display().to_string();
    for args in [
        &["check", &bad][..],
        &["check", "--format", "json", &bad][..],
        &["check", "--format", "concise", &bad][..],
        &["explain", &bad][..],
        &["schema"][..],
        &["completions", "zsh"][..],
        &["man", "check"][..],
        &["--help"][..],
        &["check", "--help"][..],
        &["--version"][..],
        &["--explain-code", "invalid-duration"][..],
        &["--explain-code"][..],
        &["codes"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dsf-connections"))
            .args(args)
            .current_dir(crate::util::manifest_dir())
            .env_clear()
            .stdout(full)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
        assert!(
            lines[0].starts_with("dsf-connections: error: cannot write the output: "),
            "{args:?}: {stderr}"
        );
    }
}

/// clap's own usage errors quote the argument: a bidi override or escape in it is made visible.
#[test]
fn usage_errors_show_arguments_visibly() {
    for arg in ["x\u{202e}y", "x\u{1b}[2Jy"] {
        let out = run(&["check", "--select", arg, "-"], Some(b""), &[]);
        assert_eq!(out.code, 2);
        assert!(
            !out.stderr.contains('\u{202e}') && !out.stderr.contains('\u{1b}'),
            "{:?}",
            out.stderr
        );
        assert!(out.stderr.contains("--select"), "{}", out.stderr);
    }
}
