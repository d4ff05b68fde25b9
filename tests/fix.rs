//! `check --fix` (issue 18): every fixable rule's fixture pair (before → after), the same in
//! compose files for each scalar style and list form, idempotence, CRLF and BOM, atomic writes,
//! `--diff` exit codes, standard input, rollbacks, and canary secrets in every format.

use crate::util::{codes, json_of, run, temp_dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures(dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = crate::util::manifest_dir()
        .join("tests/fixtures/fix")
        .join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            n.ends_with(ext) && !n.ends_with(&format!(".fixed{ext}"))
        })
        .collect();
    out.sort();
    out
}

fn fixed_of(p: &Path, ext: &str) -> PathBuf {
    let s = p.to_string_lossy();
    PathBuf::from(format!("{}.fixed{ext}", s.trim_end_matches(ext)))
}

/// The codes of a check of `path`, counted.
fn code_counts(path: &Path) -> BTreeMap<String, usize> {
    let p = path.to_string_lossy();
    let (_, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", &p],
        None,
        &[],
    ));
    let mut out = BTreeMap::new();
    for c in codes(&json) {
        *out.entry(c).or_insert(0) += 1;
    }
    out
}

/// `path` copied into a fresh directory, fixed with `flags`: (the directory, the copy, run).
fn fix_copy(path: &Path, flags: &[&str]) -> (crate::util::TempDir, PathBuf, crate::util::Out) {
    let dir = temp_dir("fix");
    let copy = dir.join(path.file_name().expect("name"));
    std::fs::copy(path, &copy).expect("copy");
    let c = copy.to_string_lossy().into_owned();
    let mut args = vec!["check", "--skip-file-checks"];
    args.extend_from_slice(flags);
    args.push(&c);
    let out = run(&args, None, &[]);
    (dir, copy, out)
}

/// Nothing new after the fix: every code of the fixed text was there before, as often.
fn nothing_new(before: &BTreeMap<String, usize>, after: &BTreeMap<String, usize>, what: &Path) {
    for (code, n) in after {
        assert!(
            before.get(code).copied().unwrap_or(0) >= *n,
            "{}: `{code}` is new after the fix: {after:?} (before {before:?})",
            what.display()
        );
    }
}

#[test]
fn every_fixable_rule_has_a_fixture_pair_that_fixes_it() {
    let pairs = fixtures("", ".yaml");
    let names: Vec<String> = pairs
        .iter()
        .map(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    // every rule whose docs announce a fix has a pair (the compose rule's is a compose file)
    let docs = std::fs::read_to_string(crate::util::manifest_dir().join("docs/codes.md"))
        .expect("docs/codes.md");
    for section in docs.split("\n### `").skip(1) {
        let code = section.split('`').next().unwrap_or_default();
        if section.contains("**Fix safety:** a") && code != "compose-unescaped-dollar" {
            assert!(
                names.iter().any(|n| n == code),
                "no fixture pair for {code}"
            );
        }
    }
    assert!(pairs.len() >= 10, "{pairs:?}");
    for (before, code) in pairs.iter().zip(&names) {
        let counts = code_counts(before);
        assert!(
            counts.contains_key(code),
            "{}: does not trigger {code}: {counts:?}",
            before.display()
        );
        let (_dir, copy, out) = fix_copy(before, &["--fix", "--unsafe-fixes"]);
        let expected = std::fs::read(fixed_of(before, ".yaml")).expect("the .fixed.yaml");
        let got = std::fs::read(&copy).expect("fixed");
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{}: {}{}",
            before.display(),
            out.stdout,
            out.stderr
        );
        let after = code_counts(&copy);
        assert!(
            !after.contains_key(code),
            "{}: {code} still there: {after:?}",
            before.display()
        );
        nothing_new(&counts, &after, before);
    }
}

/// The codes a compose fixture keeps after its fixes (the rest are fixed).
const COMPOSE_LEFT: &[(&str, &[&str])] = &[
    ("crlf-bom.yml", &["unknown-property"]),
    ("double-quoted.yml", &["compose-secret-not-mounted"]),
    ("literal.yml", &["compose-secret-not-mounted"]),
];

#[test]
fn fixes_inside_compose_files_keep_each_scalar_style_and_list_form() {
    let pairs = fixtures("compose", ".yml");
    let names: Vec<String> = pairs
        .iter()
        .map(|p| p.file_name().and_then(|s| s.to_str()).unwrap_or("").into())
        .collect();
    for style in [
        "literal.yml",
        "literal-tabs.yml",
        "folded.yml",
        "double-quoted.yml",
        "single-quoted.yml",
        "list-double-quoted.yml",
        "list-literal.yml",
        "crlf-bom.yml",
    ] {
        assert!(
            names.iter().any(|n| n == style),
            "no compose fixture {style}"
        );
    }
    for (before, name) in pairs.iter().zip(&names) {
        let counts = code_counts(before);
        let (_dir, copy, out) = fix_copy(before, &["--fix", "--unsafe-fixes"]);
        let expected = std::fs::read(fixed_of(before, ".yml")).expect("the .fixed.yml");
        let got = std::fs::read(&copy).expect("fixed");
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{name}: {}{}",
            out.stdout,
            out.stderr
        );
        assert_eq!(got, expected, "{name}: bytes differ (line endings, BOM?)");
        let after = code_counts(&copy);
        let left: Vec<&str> = COMPOSE_LEFT
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[][..], |(_, l)| *l)
            .to_vec();
        let after_codes: Vec<&str> = after.keys().map(String::as_str).collect();
        assert_eq!(after_codes, left, "{name}: left after the fix");
        assert!(
            after.values().sum::<usize>() < counts.values().sum::<usize>(),
            "{name}"
        );
        nothing_new(&counts, &after, before);
    }
}

#[test]
fn fixing_twice_changes_nothing_the_second_time() {
    for before in fixtures("", ".yaml")
        .into_iter()
        .chain(fixtures("compose", ".yml"))
    {
        let (_dir, copy, _) = fix_copy(&before, &["--fix", "--unsafe-fixes"]);
        let once = std::fs::read(&copy).expect("once");
        let c = copy.to_string_lossy().into_owned();
        let again = run(
            &["check", "--skip-file-checks", "--fix", "--unsafe-fixes", &c],
            None,
            &[],
        );
        assert_eq!(std::fs::read(&copy).expect("twice"), once, "{}", c);
        assert!(
            again.stdout.contains("Fixed 0 problems"),
            "{c}: {}",
            again.stdout
        );
        let diff = run(
            &[
                "check",
                "--skip-file-checks",
                "--diff",
                "--unsafe-fixes",
                &c,
            ],
            None,
            &[],
        );
        assert_eq!(diff.code, 0, "{c}: {}", diff.stdout);
        assert_eq!(diff.stdout, "", "{c}");
    }
}

#[test]
fn crlf_bom_and_trailing_blanks_are_kept() {
    let dir = temp_dir("fix-crlf");
    let f = dir.join("c.yaml");
    std::fs::write(
        &f,
        "\u{feff}# comment  \r\nfhir:\r\n  base-url: https://x.example.org/fhir \r\n  connect-timeout: 5s\t\r\n",
    )
    .expect("write");
    let c = f.to_string_lossy().into_owned();
    let out = run(&["check", "--skip-file-checks", "--fix", &c], None, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        std::fs::read_to_string(&f).expect("read"),
        "\u{feff}# comment  \r\nfhir:\r\n  base-url: https://x.example.org/fhir \r\n  connect-timeout: PT5S\t\r\n"
    );
}

#[test]
fn writes_are_atomic_and_keep_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("fix-perm");
    let f = dir.join("c.yaml");
    std::fs::write(
        &f,
        "fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: 5s\n",
    )
    .expect("write");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let link = dir.join("link.yaml");
    std::os::unix::fs::symlink(&f, &link).expect("symlink");
    let c = link.to_string_lossy().into_owned();
    let out = run(&["check", "--skip-file-checks", "--fix", &c], None, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        std::fs::read_to_string(&f)
            .expect("read")
            .contains("read-timeout: PT5S")
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // no temporary file is left beside it
    let mut names: Vec<String> = std::fs::read_dir(&*dir)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["c.yaml", "link.yaml"]);
}

#[test]
fn a_fifo_or_a_read_only_file_is_refused_and_left_as_it_is() {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
    let dir = temp_dir("fix-special");
    let text = "fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: 5s\n";
    let fifo = dir.join("ff.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        // written twice: a tool that re-opened the FIFO would read the second and replace it
        let path = fifo.clone();
        let writer = std::thread::spawn(move || {
            for _ in 0..2 {
                let _ = std::fs::write(&path, text);
            }
        });
        let c = fifo.to_string_lossy().into_owned();
        let out = run(&["check", "--skip-file-checks", "--fix", &c], None, &[]);
        // (releases the second write: a reader that does not wait for it)
        let reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(0o4000)
            .open(&fifo);
        let _ = writer.join();
        drop(reader);
        assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("not a regular file (a FIFO)"),
            "{}",
            out.stderr
        );
        let t = std::fs::symlink_metadata(&fifo).expect("meta").file_type();
        assert!(t.is_fifo(), "the FIFO was replaced");
    }
    let f = dir.join("ro.yaml");
    std::fs::write(&f, text).expect("write");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let c = f.to_string_lossy().into_owned();
    let out = run(&["check", "--skip-file-checks", "--fix", &c], None, &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("read-only"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&f).expect("read"), text);
    let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
}

#[test]
fn a_file_that_cannot_be_written_is_reported_as_it_is_on_disk() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("fix-unwritten");
    let text = "fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: 5s\n";
    let f = dir.join("ro.yaml");
    std::fs::write(&f, text).expect("write");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let c = f.to_string_lossy().into_owned();
    let out = run(&["check", "--skip-file-checks", "--fix", &c], None, &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("ok: no problems"), "{}", out.stdout);
    assert!(
        out.stdout.contains("error[invalid-duration]") && out.stdout.contains("ro.yaml:3:17"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("ro.yaml: the fixes were NOT written (see the error above)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Fixed 0 problems; the fixes of 1 file were NOT written (see above)."),
        "{}",
        out.stdout
    );
    let (code, json) = json_of(run(
        &[
            "check",
            "--skip-file-checks",
            "--format",
            "json",
            "--fix",
            &c,
        ],
        None,
        &[],
    ));
    assert_eq!(code, 2);
    assert_eq!(codes(&json), ["invalid-duration"]);
    // the same file twice (its link): written once, the second write refused, nothing left
    let w = dir.join("c.yaml");
    std::fs::write(&w, text).expect("write");
    let link = dir.join("link.yaml");
    std::os::unix::fs::symlink(&w, &link).expect("symlink");
    let (a, b) = (
        w.to_string_lossy().into_owned(),
        link.to_string_lossy().into_owned(),
    );
    let out = run(&["check", "--skip-file-checks", "--fix", &a, &b], None, &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("Fixed 1 problem; the fixes of 1 file were NOT written (see above)."),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("link.yaml: the fixes were NOT written"),
        "{}",
        out.stdout
    );
    assert!(
        std::fs::read_to_string(&w)
            .expect("read")
            .contains("read-timeout: PT5S")
    );
}

#[test]
fn diff_exits_1_when_there_is_something_to_fix_and_writes_nothing() {
    let dir = temp_dir("fix-diff");
    let f = dir.join("c.yaml");
    let text = "fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: 5s\n";
    std::fs::write(&f, text).expect("write");
    let c = f.to_string_lossy().into_owned();
    let out = run(&["check", "--skip-file-checks", "--diff", &c], None, &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("-  read-timeout: 5s\n+  read-timeout: PT5S\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("Would fix 1 problem."),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&f).expect("read"), text);
    // an unsafe fix only: nothing to fix without --unsafe-fixes, which then finds it
    std::fs::write(
        &f,
        "fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: 60000\n",
    )
    .expect("write");
    let out = run(&["check", "--skip-file-checks", "--diff", &c], None, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("Would fix 0 problems (1 more with --unsafe-fixes)."),
        "{}",
        out.stderr
    );
    let out = run(
        &[
            "check",
            "--skip-file-checks",
            "--diff",
            "--unsafe-fixes",
            &c,
        ],
        None,
        &[],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    // a plain check says what is fixable
    let out = run(&["check", "--skip-file-checks", &c], None, &[]);
    assert!(
        out.stdout
            .contains("= fix: read 60000 as milliseconds: `PT1M` (check --fix --unsafe-fixes)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("1 fixable with `check --fix --unsafe-fixes`"),
        "{}",
        out.stdout
    );
}

#[test]
fn standard_input_is_fixed_to_standard_output() {
    let out = run(
        &["check", "--skip-file-checks", "--fix", "-"],
        Some(b"fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: '5'\n"),
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: PT5S\n"
    );
    assert!(out.stderr.contains("Fixed 1 problem."), "{}", out.stderr);
}

#[test]
fn standard_input_with_fix_always_puts_the_text_on_stdout_and_the_report_on_stderr() {
    // nothing fixed: clean, only unfixable problems, a YAML error, invalid UTF-8 is refused
    let cases: [(&[u8], i32, &str); 4] = [
        (
            b"fhir:\n  base-url: https://x.example.org/fhir\n",
            0,
            "Fixed 0 problems.",
        ),
        (
            b"fhir:\n  base-url: https://x.example.org/fhir\n  bogus-key: 1\n",
            1,
            "unknown-property",
        ),
        (b"fhir: [\n  base-url: x\n", 1, "error"),
        (
            b"fhir:\r\n  base-url: https://x.example.org/fhir\r\n  read-timeout: 5s\r\n",
            0,
            "Fixed 1 problem.",
        ),
    ];
    for format in ["human", "json", "concise"] {
        for (input, code, report) in cases {
            let out = run(
                &[
                    "check",
                    "--skip-file-checks",
                    "--format",
                    format,
                    "--fix",
                    "-",
                ],
                Some(input),
                &[],
            );
            assert_eq!(out.code, code, "{format}: {}", out.stderr);
            let expected = String::from_utf8_lossy(input).replace("5s", "PT5S");
            assert_eq!(out.stdout, expected, "{format}: {}", out.stderr);
            assert!(out.stderr.contains(report), "{format}: {}", out.stderr);
        }
    }
    // a usage error after reading: nothing on standard output at all
    let out = run(
        &[
            "check",
            "--skip-file-checks",
            "--fix",
            "-",
            "no-such-file.yaml",
        ],
        Some(b"fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: 5s\n"),
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("no-such-file.yaml"), "{}", out.stderr);
    let out = run(
        &["check", "--skip-file-checks", "--fix", "-"],
        Some(b"fhir:\n  base-url: https://x.example.org/fhir\xff\n"),
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("not valid UTF-8"), "{}", out.stderr);
}

#[test]
fn a_fix_that_adds_an_error_is_rolled_back_and_reported() {
    // `token-file:` would name a file the service does not mount: a new error
    let dir = temp_dir("fix-rollback");
    let f = dir.join("compose.yml");
    let text = "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:1.7.0\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: https://x.example.org/fhir\n          read-timeout: 5s\n          bearer-auth:\n            token: /run/secrets/token\n";
    std::fs::write(&f, text).expect("write");
    let c = f.to_string_lossy().into_owned();
    let out = run(
        &["check", "--skip-file-checks", "--fix", "--unsafe-fixes", &c],
        None,
        &[],
    );
    assert!(
        out.stdout.contains("the fix of `secret-looks-like-path` was rolled back: it adds the error `compose-secret-not-mounted`"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Fixed 1 problem; 1 rolled back"),
        "{}",
        out.stdout
    );
    let fixed = std::fs::read_to_string(&f).expect("read");
    assert!(
        fixed.contains("read-timeout: PT5S") && fixed.contains("token: /run"),
        "{fixed}"
    );
}

#[test]
fn a_suggested_key_already_set_is_not_renamed() {
    let (_d, copy, _) = {
        let dir = temp_dir("fix-set");
        let f = dir.join("c.yaml");
        std::fs::write(
            &f,
            "fhir:\n  base-url: https://x.example.org/fhir\n  baseUrl: https://y.example.org/fhir\n",
        )
        .expect("write");
        let c = f.to_string_lossy().into_owned();
        let out = run(&["check", "--skip-file-checks", "--fix", &c], None, &[]);
        (dir, f, out)
    };
    assert!(
        std::fs::read_to_string(&copy)
            .expect("read")
            .contains("baseUrl:")
    );
}

#[test]
fn a_folded_block_says_why_it_is_not_fixed() {
    let dir = temp_dir("fix-folded");
    let f = dir.join("compose.yml");
    let text = "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:1.7.0\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: >\n        fhir:\n        \tbase-url: https://x.example.org/fhir\n";
    std::fs::write(&f, text).expect("write");
    let c = f.to_string_lossy().into_owned();
    let out = run(&["check", "--skip-file-checks", "--fix", &c], None, &[]);
    assert!(
        out.stdout
            .contains("= fix: not offered here: the config is a folded block scalar (`>`)"),
        "{}",
        out.stdout
    );
    assert_eq!(std::fs::read_to_string(&f).expect("read"), text);
    let (_, json) = json_of(run(
        &["check", "--skip-file-checks", "--format", "json", &c],
        None,
        &[],
    ));
    let d = &crate::util::diagnostics(&json)[0];
    assert!(
        d["fix"]["unavailable"]
            .as_str()
            .unwrap_or_default()
            .contains("folded block scalar"),
        "{d}"
    );
}

#[test]
fn canary_secrets_never_appear_in_diff_or_show_fixes() {
    const CANARY: &str = "918273645";
    let dir = temp_dir("fix-canary");
    let config = dir.join("c.yaml");
    std::fs::write(
        &config,
        format!(
            "a:\n  base-url: https://a.example.org/fhir\n  basic-auth:\n    username: dsf\n    password: {CANARY}\nb:\n  base-url: https://b.example.org/fhir\n  bearer-auth:\n    token: /run/secrets/tok{CANARY}\nc:\n  base-url: https://c.example.org/fhir\n  oidc-auth:\n    base-url: https://kc.example.org/realms/x\n    client-id: c\n    client-secret: “sec{CANARY}”\n"
        ),
    )
    .expect("write");
    let compose = dir.join("compose.yml");
    std::fs::write(
        &compose,
        format!("services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:1.7.0\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: https://x.example.org/fhir\n          basic-auth:\n            username: dsf\n            password: 'pa$w{CANARY}'\n")
    ).expect("write");
    for file in [&config, &compose] {
        let c = file.to_string_lossy().into_owned();
        for format in ["human", "json", "concise", "github", "sarif", "gitlab"] {
            for flags in [
                &["--diff", "--show-fixes", "--unsafe-fixes"][..],
                &["--diff", "--show-fixes"][..],
                &["--show-fixes", "--unsafe-fixes"][..],
            ] {
                let mut args = vec!["check", "--skip-file-checks", "--format", format];
                args.extend_from_slice(flags);
                args.push(&c);
                let out = run(&args, None, &[]);
                // a diff that touches a secret shows it masked
                if flags.contains(&"--unsafe-fixes") && flags.contains(&"--diff") {
                    assert!(
                        out.stdout.starts_with("--- ") && out.stdout.contains("****"),
                        "{format} {flags:?}: {}{}",
                        out.stdout,
                        out.stderr
                    );
                }
                for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                    assert!(
                        !text.contains(CANARY),
                        "{format} {flags:?} {stream} shows the secret:\n{text}"
                    );
                }
            }
        }
    }
}

#[test]
fn diff_keeps_the_lines_of_a_multi_line_secret_and_marks_only_the_real_end() {
    let dir = temp_dir("fix-diff-multiline");
    let cases = [
        (
            "fhir:\n  base-url: https://x.example.org/fhir\n  basic-auth:\n    username: u\n    password: |\n      CanaryMl-1x9q\n      SecondLn-2x9q\n  connect-timeout: 5s\n",
            "@@ -5,4 +5,4 @@\n     password: ****\n       ****\n       ****\n-  connect-timeout: 5s\n+  connect-timeout: PT5S\n",
        ),
        (
            "fhir:\n  base-url: https://x.example.org/fhir\n  basic-auth:\n    username: u\n    password: \"CanaryQ-1x9q\n      SecondQ-2x9q\"\n  connect-timeout: 5s",
            "@@ -4,4 +4,4 @@\n     username: u\n     password: \"****\n       ****\"\n-  connect-timeout: 5s\n\\ No newline at end of file\n+  connect-timeout: PT5S\n\\ No newline at end of file\n",
        ),
    ];
    for (text, hunk) in cases {
        let f = dir.join("c.yaml");
        std::fs::write(&f, text).expect("write");
        let c = f.to_string_lossy().into_owned();
        let out = run(&["check", "--skip-file-checks", "--diff", &c], None, &[]);
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert_eq!(out.stdout, format!("--- {c}\n+++ {c}\n{hunk}"));
        assert!(!out.stdout.contains("x9q"), "{}", out.stdout);
    }
}

#[test]
fn show_fixes_alone_lists_and_writes_nothing() {
    let dir = temp_dir("fix-show");
    let f = dir.join("c.yaml");
    let text = "fhir:\n  base-url: https://x.example.org/fhir\n  read-timeout: 5s\n";
    std::fs::write(&f, text).expect("write");
    let c = f.to_string_lossy().into_owned();
    let out = run(
        &["check", "--skip-file-checks", "--show-fixes", &c],
        None,
        &[],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("Would fix:\n  ")
            && out
                .stdout
                .contains("invalid-duration: write `5s` as `PT5S`"),
        "{}",
        out.stdout
    );
    // the report is of the text as it is
    assert!(
        out.stdout.contains("error[invalid-duration]"),
        "{}",
        out.stdout
    );
    assert_eq!(std::fs::read_to_string(&f).expect("read"), text);
}

#[test]
fn fixes_beyond_max_diagnostics_are_applied_and_the_rest_stays_capped() {
    let dir = temp_dir("fix-cap");
    let f = dir.join("c.yaml");
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!(
            "c{i}:\n  baseUrl: https://c{i}.example.org/fhir\n  connect-timeout: 5s\n  read-timeout: [1]\n"
        ));
    }
    std::fs::write(&f, &text).expect("write");
    let c = f.to_string_lossy().into_owned();
    let out = run(
        &[
            "check",
            "--skip-file-checks",
            "--max-diagnostics",
            "5",
            "--fix",
            &c,
        ],
        None,
        &[],
    );
    // 80 fixed in one round, none rolled back; the 40 left (a list is no duration) capped at 5
    assert!(out.stdout.contains("Fixed 80 problems."), "{}", out.stdout);
    assert!(!out.stdout.contains("rolled back"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("35 more diagnostics not shown (--max-diagnostics)"),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 1);
    let fixed = std::fs::read_to_string(&f).expect("read");
    assert_eq!(fixed.matches("connect-timeout: PT5S").count(), 40);
    assert!(!fixed.contains("baseUrl"));
}
