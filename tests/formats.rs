//! The CI formats as their consumers read them, on the same fixtures: concise lines, GitHub
//! workflow commands (escaping, multi-line spans, pseudo-sources, the summary), SARIF validated
//! against the official OASIS schema (fingerprints stable across runs and edits elsewhere,
//! UTF-16 columns), the GitLab Code Quality fields; and the CI exit policy, `--quiet`,
//! `--stdin-filename`, `--explain-code`, completions, the man page and `--version`.

use crate::util::{manifest_dir, run, temp_dir};
use serde_json::Value;

const EXAMPLE: &str = "fixtures/example.yaml";
const FORMATS: &[&str] = &["human", "json", "concise", "github", "sarif", "gitlab"];

fn check(args: &[&str], stdin: Option<&str>) -> crate::util::Out {
    let mut all = vec!["check", "--skip-file-checks"];
    all.extend_from_slice(args);
    run(&all, stdin.map(str::as_bytes), &[])
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The JSON output's diagnostics, the reference every format is compared with.
fn reference(args: &[&str], stdin: Option<&str>) -> Vec<Value> {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let out = check(&a, stdin);
    json(&out.stdout)["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn sarif_validator() -> jsonschema::Validator {
    let path = manifest_dir().join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
    let schema: Value = json(&std::fs::read_to_string(path).expect("SARIF schema"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(v: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn concise_lines() {
    let out = check(&["--format", "concise", EXAMPLE], None);
    assert_eq!(out.code, 1);
    let diags = reference(&[EXAMPLE], None);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "fixtures/example.yaml:5:3: error[unknown-property] unknown property `base_url` in connection `fhir-data`"
    );
    for (d, line) in diags.iter().zip(&lines) {
        let want = format!(
            "{}:{}:{}: {}[{}] ",
            d["file"].as_str().unwrap_or_default(),
            d["line"],
            d["column"],
            d["severity"].as_str().unwrap_or_default(),
            d["code"].as_str().unwrap_or_default()
        );
        assert!(line.starts_with(&want), "{line} does not start with {want}");
    }
    assert_eq!(
        lines.last().copied(),
        Some("dsf-connections: 7 errors, 0 warnings in 3 connections")
    );
    // --quiet: the diagnostic lines alone
    let quiet = check(&["--format", "concise", "--quiet", EXAMPLE], None);
    assert_eq!(quiet.stdout.lines().count(), diags.len());
    assert_eq!(quiet.code, 1);
}

/// A quoted value is quoted in the message, the same in every format: `'yes'` is text because
/// of its quotes, and a message that drops them reads as if `yes` had been rejected.
#[test]
fn concise_shows_a_quoted_value_as_the_human_output_does() {
    let yaml = "c:\n  base-url: http://x\n  test-connection-on-startup: 'yes'\n  enable-debug-logging: \"on\"\n";
    let human = check(&["--color", "never", "-"], Some(yaml));
    let concise = check(&["--format", "concise", "-"], Some(yaml));
    let messages = |out: &str, start: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.split_once(start).map(|(_, m)| m.to_string()))
            .collect()
    };
    let human = messages(&human.stdout, "error[invalid-boolean]: ");
    let concise = messages(&concise.stdout, "error[invalid-boolean] ");
    assert_eq!(
        human,
        [
            "`test-connection-on-startup` must be a boolean, found `'yes'`",
            "`enable-debug-logging` must be a boolean, found `\"on\"`"
        ]
    );
    assert_eq!(concise, human);
    let json = reference(&["-"], Some(yaml));
    assert_eq!(json[0]["message"].as_str(), Some(human[0].as_str()));
}

/// Bidi controls, C1 controls and line separators in ids, keys, values and probe details are
/// `\uXXXX` escapes in every JSON output (serde_json writes them raw), and the JSON reads back
/// as the same strings; a secret holding one is still scrubbed in its escaped form.
#[test]
fn json_outputs_escape_bidi_and_c1_controls() {
    let raw = |c: char| {
        matches!(c, '\u{80}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
    };
    let dir = temp_dir("json-bidi");
    let file = dir.join("c.yaml");
    std::fs::write(
        &file,
        "\"x\\u202Ey\":\n  base-url: \"http://127.0.0.1:1/a\\u2066b\\u0090c\\u2028d\"\n\
         \"bad\\u061C\":\n  base-url: http://x\n  \"ba\\u200Fse-url\\u2029\": 1\n\
         \"auth\":\n  base-url: http://127.0.0.1:1/\n  basic-auth:\n    username: \"S\\u202ECRETvalue123\"\n    password: \"S\\u202ECRETvalue123\"\n",
    )
    .expect("write");
    let f = file.display().to_string();
    for args in [
        &["check", "--test-connections", "--format", "json", &f][..],
        &["check", "--test-connections", "--format", "sarif", &f][..],
        &["check", "--format", "gitlab", &f][..],
        &["explain", "--format", "json", &f][..],
    ] {
        let out = run(args, None, &[]);
        assert_eq!(out.code, 1, "{args:?}: {}{}", out.stdout, out.stderr);
        let bad: Vec<char> = out.stdout.chars().filter(|&c| raw(c)).collect();
        assert!(bad.is_empty(), "{args:?}: raw {bad:?} in\n{}", out.stdout);
        assert!(
            !out.stdout.contains("CRETvalue123"),
            "{args:?}: {}",
            out.stdout
        );
        let v = json(&out.stdout);
        if !args.contains(&"json") {
            continue; // SARIF and GitLab messages are made visible (`\u{61c}`) before
        }
        assert!(
            out.stdout.contains("bad\\u061c"),
            "{args:?}: {}",
            out.stdout
        );
        let text = v.to_string(); // serde_json's own writing: the characters themselves
        assert!(text.contains("bad\u{061c}"), "{args:?}: {text}");
        if args[0] == "explain" {
            assert!(text.contains("a\u{2066}b\u{90}c\u{2028}d"), "{text}");
        }
        if args.contains(&"json") && args[0] == "check" {
            assert_eq!(v["inputs"][0]["connections"][0], "x\u{202e}y");
            assert_eq!(v["probes"][0]["connection"], "x\u{202e}y");
            let m = v["diagnostics"][0]["message"].as_str().unwrap_or_default();
            assert!(m.contains("ba\u{200f}se-url\u{2029}"), "{m}");
        }
    }
}

#[test]
fn github_annotations() {
    let out = check(&["--format", "github", EXAMPLE], None);
    assert_eq!(out.code, 1);
    let first = out.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "::error file=fixtures/example.yaml,line=5,endLine=5,col=3,endColumn=11,\
         title=dsf-connections (unknown-property)::fixtures/example.yaml:5:3: unknown property \
         `base_url` in connection `fhir-data`%0Ahelp: did you mean `base-url`? (property names \
         are case-sensitive and use dashes)%0Aserver: the DSF BPE starts with NO connections \
         (not even #dsf)%0Adocs: https://github.com/dsf-connections/dsf-connections/blob/main/docs/codes.md#unknown-property"
    );
    let annotations = out.stdout.lines().filter(|l| l.starts_with("::")).count();
    assert_eq!(annotations, reference(&[EXAMPLE], None).len());
    assert_eq!(
        out.stdout.lines().last(),
        Some("dsf-connections: 7 errors, 0 warnings in 3 connections")
    );
}

#[test]
fn github_escapes_messages_and_properties() {
    // a key holding `%`, `:`, `,` and an escaped line break, in a file whose name holds them too
    let yaml = "c:\n  base-url: http://x\n  \"a%b:c,d\\ne\": 1\n";
    let out = check(
        &[
            "--format",
            "github",
            "--stdin-filename",
            "conf/a:b,c%d.yaml",
            "-",
        ],
        Some(yaml),
    );
    assert_eq!(out.code, 1);
    let line = out.stdout.lines().next().unwrap_or_default();
    assert!(
        line.starts_with("::error file=conf/a%3Ab%2Cc%25d.yaml,line=3,endLine=3,col=3,"),
        "{line}"
    );
    // in the message `%` is escaped, `:` and `,` are not; the input's line break is shown as
    // `\n`, and the message's own lines are joined by an escaped LF
    assert!(
        line.contains("::conf/a:b,c%25d.yaml:3:3: unknown property `a%25b:c,d\\ne`"),
        "{line}"
    );
    assert!(line.contains("%0Ahelp: "), "{line}");
    for l in out.stdout.lines() {
        assert!(
            !l.chars().any(|c| c.is_control()),
            "raw control character: {l:?}"
        );
    }
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
}

#[test]
fn github_multi_line_spans_and_pseudo_sources() {
    // a folded scalar: the span runs over three lines, so no col/endColumn
    let yaml = "c:\n  base-url: http://x\n  connect-timeout: >-\n    5\n    s\n";
    let out = check(
        &["--format", "github", "--stdin-filename", "a.yaml", "-"],
        Some(yaml),
    );
    let line = out.stdout.lines().next().unwrap_or_default();
    assert!(
        line.starts_with(
            "::error file=a.yaml,line=4,endLine=6,title=dsf-connections (invalid-duration)::"
        ),
        "{line}"
    );
    // standard input without a name: no file, the position in the message
    let out = check(&["--format", "github", "-"], Some(yaml));
    let line = out.stdout.lines().next().unwrap_or_default();
    assert!(
        line.starts_with("::error title=dsf-connections (invalid-duration)::<stdin>:4:5: "),
        "{line}"
    );
    // the variable, and `<environment>`
    let out = run(
        &["check", "--format", "github"],
        None,
        &[
            (
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG",
                "c:\n  base_url: x\n",
            ),
            (
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT",
                "5s",
            ),
        ],
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with(
            "::error title=dsf-connections (unknown-property)::$DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG:2:3: "
        ),
        "{}",
        out.stdout
    );
    assert!(
        lines[1].starts_with("::error title=dsf-connections (invalid-default)::<environment>:"),
        "{}",
        out.stdout
    );
    assert!(lines.iter().all(|l| !l.contains("file=")));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let v = sarif_validator();
    let out = check(&["--format", "sarif", EXAMPLE], None);
    assert_eq!(out.code, 1);
    let log = json(&out.stdout);
    assert_valid_sarif(&v, &log);
    let run0 = &log["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "dsf-connections");
    assert!(
        run0["tool"]["driver"]["informationUri"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run0["results"].as_array().expect("results");
    let diags = reference(&[EXAMPLE], None);
    assert_eq!(results.len(), diags.len());
    // one rule per code used, each with its docs
    let used: std::collections::BTreeSet<&str> =
        diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(rules.len(), used.len());
    for r in rules {
        let id = r["id"].as_str().unwrap_or_default();
        assert!(used.contains(id));
        assert_eq!(
            r["helpUri"],
            format!(
                "https://github.com/dsf-connections/dsf-connections/blob/main/docs/codes.md#{id}"
            )
        );
        let rule = dsf_connections::rules::find(id).expect("known code");
        assert_eq!(r["shortDescription"]["text"], rule.summary);
        assert_eq!(r["help"]["markdown"], rule.docs.trim());
        assert_eq!(r["defaultConfiguration"]["level"], rule.severity.as_str());
    }
    for (res, d) in results.iter().zip(&diags) {
        assert_eq!(res["ruleId"], d["code"]);
        assert_eq!(
            rules[res["ruleIndex"].as_u64().unwrap_or(99) as usize]["id"],
            d["code"]
        );
        assert_eq!(res["level"], d["severity"]);
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "fixtures/example.yaml");
        assert_eq!(loc["region"]["startLine"], d["line"]);
        assert_eq!(loc["region"]["startColumn"], d["column_utf16"]);
        assert_eq!(loc["region"]["endLine"], d["end_line"]);
        assert_eq!(loc["region"]["endColumn"], d["end_column_utf16"]);
        assert!(
            res["message"]["text"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);
}

fn fingerprints(log: &Value) -> Vec<String> {
    log["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            r["partialFingerprints"]["dsfConnections/v1"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn sarif_fingerprints_are_stable_and_unique() {
    let dir = temp_dir("sarif-fp");
    let file = dir.join("connections.yaml");
    let text = std::fs::read_to_string(manifest_dir().join(EXAMPLE)).expect("example");
    std::fs::write(&file, &text).expect("write");
    let f = file.display().to_string();
    let first = json(&check(&["--format", "sarif", &f], None).stdout);
    let second = json(&check(&["--format", "sarif", &f], None).stdout);
    let fp = fingerprints(&first);
    assert_eq!(fp, fingerprints(&second), "not stable across runs");
    assert!(fp.iter().all(|f| f.len() == 32));
    let unique: std::collections::BTreeSet<&String> = fp.iter().collect();
    assert_eq!(unique.len(), fp.len(), "not unique: {fp:?}");
    // lines added above every finding move them, but do not make them new findings
    std::fs::write(&file, format!("# a comment\n# another\n{text}")).expect("write");
    let moved = json(&check(&["--format", "sarif", &f], None).stdout);
    assert_eq!(fp, fingerprints(&moved));
    let line = |log: &Value| {
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
    };
    assert_eq!(line(&moved), line(&first).map(|l| l + 2));
    // the GitLab report uses the same fingerprints
    let gitlab = json(&check(&["--format", "gitlab", &f], None).stdout);
    let gl: Vec<String> = gitlab
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["fingerprint"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(gl, fp);
}

#[test]
fn sarif_columns_count_utf16_code_units() {
    // 😀 is one character but two UTF-16 code units; ä is one of each
    let yaml = "c:\n  base-url: https://x\n  basic-auth: {username: \"😀😀ä\", nope: 1}\n";
    let out = check(
        &["--format", "sarif", "--stdin-filename", "mb.yaml", "-"],
        Some(yaml),
    );
    let log = json(&out.stdout);
    assert_valid_sarif(&sarif_validator(), &log);
    let result = log["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["ruleId"] == "unknown-property")
        .expect("an unknown-property result");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    let line = yaml.lines().nth(2).unwrap_or_default();
    let byte = line.find("nope").unwrap_or_default();
    let utf16 = line[..byte].encode_utf16().count() + 1;
    let chars = line[..byte].chars().count() + 1;
    assert_eq!(chars + 2, utf16);
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], utf16 as u64);
    assert_eq!(region["endColumn"], (utf16 + 4) as u64);
    // the human and concise columns count characters
    let concise = check(
        &["--format", "concise", "--stdin-filename", "mb.yaml", "-"],
        Some(yaml),
    );
    assert!(
        concise
            .stdout
            .contains(&format!("mb.yaml:3:{chars}: error[unknown-property]")),
        "{}",
        concise.stdout
    );
}

#[test]
fn sarif_related_locations_pseudo_sources_and_clean_runs() {
    let v = sarif_validator();
    // a duplicate connection id: the first definition is a related location
    let yaml = "a:\n  base-url: http://x\na:\n  base-url: http://y\n";
    let log = json(
        &check(
            &["--format", "sarif", "--stdin-filename", "d.yaml", "-"],
            Some(yaml),
        )
        .stdout,
    );
    assert_valid_sarif(&v, &log);
    let related = log["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| {
            r["relatedLocations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect::<Vec<_>>();
    assert!(!related.is_empty(), "{log}");
    assert_eq!(
        related[0]["physicalLocation"]["artifactLocation"]["uri"],
        "d.yaml"
    );
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 1);
    // unnamed standard input: no physical location, the place in the message
    let log = json(&check(&["--format", "sarif", "-"], Some("c:\n  base_url: x\n")).stdout);
    assert_valid_sarif(&v, &log);
    let loc = &log["runs"][0]["results"][0]["locations"][0];
    assert!(loc.get("physicalLocation").is_none());
    assert!(
        loc["message"]["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("<stdin>:2:3")
    );
    // a clean run: a valid log without results
    let out = check(&["--format", "sarif", "fixtures/valid.yaml"], None);
    assert_eq!(out.code, 0);
    let log = json(&out.stdout);
    assert_valid_sarif(&v, &log);
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    // an unreadable input: a notification, and the run marked unsuccessful
    let out = check(&["--format", "sarif", "no/such/file.yaml"], None);
    assert_eq!(out.code, 2);
    let log = json(&out.stdout);
    assert_valid_sarif(&v, &log);
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn gitlab_code_quality_fields() {
    let out = check(&["--format", "gitlab", EXAMPLE], None);
    assert_eq!(out.code, 1);
    let issues = json(&out.stdout);
    let issues = issues.as_array().expect("an array");
    let diags = reference(&[EXAMPLE], None);
    assert_eq!(issues.len(), diags.len());
    for (i, d) in issues.iter().zip(&diags) {
        assert!(
            i["description"]
                .as_str()
                .is_some_and(|s| s.contains(d["message"].as_str().unwrap_or("?")))
        );
        assert_eq!(i["check_name"], d["code"]);
        assert!(i["fingerprint"].as_str().is_some_and(|f| f.len() == 32));
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap_or_default())
        );
        assert_eq!(i["location"]["path"], "fixtures/example.yaml");
        assert_eq!(i["location"]["lines"]["begin"], d["line"]);
    }
    assert_eq!(issues[0]["severity"], "critical");
    // a clean run is an empty report
    let out = check(&["--format", "gitlab", "fixtures/valid.yaml"], None);
    assert_eq!(json(&out.stdout), serde_json::json!([]));
}

#[test]
fn stdin_filename_names_standard_input_in_every_format() {
    let yaml = "c:\n  base_url: x\n";
    for format in FORMATS {
        let out = check(
            &[
                "--format",
                format,
                "--stdin-filename",
                "conf/fhir.yaml",
                "-",
            ],
            Some(yaml),
        );
        assert_eq!(out.code, 1, "{format}");
        assert!(
            out.stdout.contains("conf/fhir.yaml"),
            "{format}: {}",
            out.stdout
        );
        assert!(!out.stdout.contains("<stdin>"), "{format}: {}", out.stdout);
    }
}

#[test]
fn deny_warnings_and_fail_on() {
    // a warning only: `null-auth-block`
    let yaml = "c:\n  base-url: http://x\n  cert-auth:\n";
    assert_eq!(check(&["-"], Some(yaml)).code, 0);
    assert_eq!(check(&["--deny-warnings", "-"], Some(yaml)).code, 1);
    assert_eq!(check(&["--fail-on", "warning", "-"], Some(yaml)).code, 1);
    assert_eq!(check(&["--fail-on", "error", "-"], Some(yaml)).code, 0);
    let both = check(&["--deny-warnings", "--fail-on", "error", "-"], Some(yaml));
    assert_eq!(both.code, 2, "{}", both.stderr);
}

#[test]
fn quiet_prints_only_problems() {
    let out = check(&["--quiet", "fixtures/valid.yaml"], None);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    let out = check(
        &["--quiet", "--format", "github", "fixtures/valid.yaml"],
        None,
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    let out = check(&["--quiet", EXAMPLE], None);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("error[unknown-property]"));
    assert!(!out.stdout.contains("errors, 0 warnings"), "{}", out.stdout);
    assert!(!out.stdout.contains("note:"), "{}", out.stdout);
}

#[test]
fn human_diagnostics_end_with_their_docs() {
    let out = check(&["--color", "never", EXAMPLE], None);
    let diags = reference(&[EXAMPLE], None);
    assert_eq!(
        out.stdout
            .matches(" = docs: dsf-connections --explain-code ")
            .count(),
        diags.len()
    );
    for block in out.stdout.split("\n\n").filter(|b| b.starts_with("error[")) {
        let code = &block[6..block.find(']').unwrap_or(6)];
        assert!(
            block
                .trim_end()
                .ends_with(&format!("= docs: dsf-connections --explain-code {code}")),
            "{block}"
        );
    }
}

/// `--explain-code` renders the Markdown of the docs for a terminal: no `**` or ``` fences,
/// code blocks indented, bold and colour only on a terminal without NO_COLOR.
#[test]
fn explain_code_prints_the_docs() {
    let out = run(&["--explain-code", "invalid-duration"], None, &[]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("invalid-duration (error"));
    for raw in ["**", "```", "\u{1b}["] {
        assert!(!out.stdout.contains(raw), "{raw:?} in\n{}", out.stdout);
    }
    assert!(
        out.stdout.contains("\nWhat: A timeout that is neither"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "\nBad:\n\n      connect-timeout: 5s\n\nFix:\n\n      connect-timeout: PT5S\n"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .lines()
            .filter(|l| !l.starts_with("Online: "))
            .all(|l| l.chars().count() <= 80),
        "{}",
        out.stdout
    );
    let probe = run(&["--explain-code", "tls-unknown-issuer"], None, &[]);
    assert_eq!(probe.code, 0);
    assert!(!probe.stdout.contains("**"), "{}", probe.stdout);
    assert!(
        probe
            .stdout
            .contains("\nWhat: the server's certificate chain"),
        "{}",
        probe.stdout
    );
    // on a terminal (a pseudo-terminal through util-linux `script`): styled, still no markup
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok()
    {
        let on_tty = |env: &[(&str, &str)]| {
            let mut cmd = std::process::Command::new("script");
            cmd.args(["-qec"])
                .arg(format!(
                    "{} --explain-code invalid-duration",
                    env!("CARGO_BIN_EXE_dsf-connections")
                ))
                .arg("/dev/null")
                .env_clear()
                .envs(env.iter().copied());
            let out = cmd.output().expect("script");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let styled = on_tty(&[]);
        assert!(styled.contains("\u{1b}[1mWhat:"), "{styled:?}");
        assert!(
            !styled.contains("**") && !styled.contains("```"),
            "{styled:?}"
        );
        let no_color = on_tty(&[("NO_COLOR", "1")]);
        assert!(no_color.contains("What: A timeout"), "{no_color:?}");
        assert!(!no_color.contains("\u{1b}["), "{no_color:?}");
    }
    assert!(
        probe
            .stdout
            .contains("docs/probe-codes.md#tls-unknown-issuer")
    );
    let unknown = run(&["--explain-code", "invalid-duraton"], None, &[]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `invalid-duration`"),
        "{}",
        unknown.stderr
    );
    // no command at all: the help, as a usage error
    let bare = run(&[], None, &[]);
    assert_eq!(bare.code, 2);
    assert!(bare.stderr.contains("Usage"), "{}", bare.stderr);
}

/// `dsf-connections codes` (and `--explain-code` without a code) lists every diagnostic and
/// probe code with its severity or kind and summary, grouped; it has its man page and is
/// completed.
#[test]
fn codes_lists_every_code() {
    let out = run(&["codes"], None, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let row = |code: &str, kind: &str| {
        out.stdout.lines().any(|l| {
            let mut w = l.split_whitespace();
            l.starts_with("  ") && w.next() == Some(code) && w.next() == Some(kind)
        })
    };
    for r in dsf_connections::rules::ALL {
        assert!(
            row(r.name, r.severity.as_str()),
            "{} in\n{}",
            r.name,
            out.stdout
        );
        assert!(out.stdout.contains(r.summary), "{}", r.name);
    }
    for c in dsf_connections::probe::codes::ALL {
        assert!(row(c.name, "probe"), "{} in\n{}", c.name, out.stdout);
    }
    for heading in [
        "Diagnostic codes",
        "Errors: the run fails (exit 1)",
        "Warnings",
        "Probe codes",
        "Network",
        "TLS",
    ] {
        assert!(
            out.stdout.lines().any(|l| l.starts_with(heading)),
            "{heading}: {}",
            out.stdout
        );
    }
    assert!(!out.stdout.contains("**"), "{}", out.stdout);
    let bare = run(&["--explain-code"], None, &[]);
    assert_eq!(bare.code, 0, "{}", bare.stderr);
    assert_eq!(bare.stdout, out.stdout);
    let man = run(&["man", "codes"], None, &[]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.contains(".TH \"dsf\\-connections\\-codes\" 1"));
    let page = run(&["man"], None, &[]);
    assert!(page.stdout.contains("dsf\\-connections\\-codes(1)"));
    let bash = run(&["completions", "bash"], None, &[]);
    assert!(
        bash.stdout
            .contains("check explain schema completions man codes"),
        "{}",
        bash.stdout
    );
    let unknown = run(&["--explain-code", "zzzzzzzzzzzz"], None, &[]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("`dsf-connections codes` lists the codes"),
        "{}",
        unknown.stderr
    );
}

/// The man pages keep their footer (the version in its place, the page name whole) and show
/// the exit codes as a list: roff `.TP` items, and as man renders them (with groff, when it is
/// installed), one item per code, not one wrapped paragraph.
#[test]
fn man_pages_list_the_exit_codes_and_keep_the_footer() {
    for (command, page) in [
        ("", "dsf-connections"),
        ("check", "dsf-connections-check"),
        // the longest name: its footer was cut the most
        ("completions", "dsf-connections-completions"),
    ] {
        let out = run(
            &["man", command]
                .map(|a| a)
                .iter()
                .filter(|a| !a.is_empty())
                .copied()
                .collect::<Vec<_>>(),
            None,
            &[],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let th = out
            .stdout
            .lines()
            .find(|l| l.starts_with(".TH "))
            .unwrap_or_else(|| panic!("no .TH in\n{}", out.stdout));
        // every argument quoted: an empty date cannot shift the version into its place
        assert!(
            th.starts_with(&format!(".TH \"{}\" 1 \"", page.replace('-', "\\-")))
                && th.ends_with(&format!(
                    "\"dsf\\-connections {}\" \"User Commands\"",
                    env!("CARGO_PKG_VERSION")
                )),
            "{th}"
        );
        if command.is_empty() {
            assert!(
                out.stdout.contains(
                    ".SH \"EXIT STATUS\"\n.TP\n.B 0\nvalid (warnings allowed)\n.TP\n.B 1\n"
                ),
                "{}",
                out.stdout
            );
        }
        let dir = temp_dir("man");
        let file = dir.join(format!("{page}.1"));
        std::fs::write(&file, &out.stdout).expect("write");
        let Ok(groff) = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-P-cbou", "-rLL=80n", "-ww"])
            .arg(&file)
            // groff runs troff and grotty through PATH
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
        else {
            eprintln!("skipped: no groff to render the man page");
            continue;
        };
        let text = String::from_utf8_lossy(&groff.stdout);
        let warnings = String::from_utf8_lossy(&groff.stderr);
        assert!(
            groff.status.success() && warnings.trim().is_empty(),
            "groff: {warnings}"
        );
        let lines: Vec<String> = text
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        let footer = lines.last().cloned().unwrap_or_default();
        assert!(
            footer.starts_with(&format!("dsf-connections {} ", env!("CARGO_PKG_VERSION")))
                && footer.ends_with(&format!(" {page}(1)")),
            "{footer:?}"
        );
        if command == "completions" {
            continue; // no exit codes on this page
        }
        let at = lines.iter().position(|l| l == "EXIT STATUS");
        let Some(at) = at else {
            panic!("no EXIT STATUS in\n{text}");
        };
        assert_eq!(lines[at + 1], "0 valid (warnings allowed)", "{text}");
        assert!(
            lines[at + 3].starts_with("2 the tool could not run: "),
            "{text}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("3 valid, but a connection test failed")),
            "{text}"
        );
    }
}

#[test]
fn completions_man_page_and_version() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run(&["completions", shell], None, &[]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("dsf-connections"), "{shell}");
        assert!(out.stdout.contains("stdin-filename"), "{shell}");
    }
    let man = run(&["man"], None, &[]);
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie"),
        "{}",
        &man.stdout[..man.stdout.len().min(200)]
    );
    assert!(man.stdout.contains(".TH \"dsf\\-connections\" 1"));
    assert!(
        man.stdout.contains("explain\\-code"),
        "man page lacks --explain-code"
    );
    // each command has its page, the one the tool's page refers to
    let check = run(&["man", "check"], None, &[]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.contains(".TH \"dsf\\-connections\\-check\" 1"));
    assert!(
        man.stdout.contains("dsf\\-connections\\-check(1)"),
        "the tool's page names it"
    );
    for option in [
        "path\\-map",
        "test\\-connections",
        "input\\-kind",
        "deny\\-warnings",
    ] {
        assert!(check.stdout.contains(option), "man check lacks {option}");
    }
    let nope = run(&["man", "nope"], None, &[]);
    assert_eq!(nope.code, 2);
    assert!(
        nope.stderr.contains("one of check, explain"),
        "{}",
        nope.stderr
    );
    let version = run(&["--version"], None, &[]);
    assert_eq!(version.code, 0);
    assert!(
        version
            .stdout
            .starts_with(&format!("dsf-connections {}", env!("CARGO_PKG_VERSION")))
    );
}

/// The bash completion script, sourced in a real bash: what it offers after
/// `dsf-connections `, `dsf-connections check --fo` and the like (clap_complete's script named
/// its subcommands `dsf__subcmd__connections__...` in one place and `dsf__connections__...` in
/// the other, so nothing was completed after a subcommand).
#[test]
fn bash_completion_completes_after_a_subcommand() {
    let Ok(_) = std::process::Command::new("bash").arg("--version").output() else {
        eprintln!("skipped: no bash");
        return;
    };
    let script = run(&["completions", "bash"], None, &[]);
    assert_eq!(script.code, 0);
    let dir = temp_dir("bash-completion");
    let file = dir.join("dsf-connections.bash");
    std::fs::write(&file, &script.stdout).expect("write");
    // COMP_WORDS as bash splits the line; the function gets the command, cur and prev words
    let harness = r#"
source "$1" || exit 1
offer() {
  COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
  COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _dsf__connections dsf-connections "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  echo "${COMPREPLY[*]}"
}
offer dsf-connections ""
offer dsf-connections check --fo
offer dsf-connections check --format ""
offer dsf-connections explain --col
offer dsf-connections completions ""
offer dsf-connections check --test-con
"#;
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", harness, "harness"])
        .arg(&file)
        .env_clear()
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let offers: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(offers.len(), 6, "{stdout}");
    for sub in ["check", "explain", "schema", "completions", "man"] {
        assert!(offers[0].contains(&sub), "{sub}: {stdout}");
    }
    assert_eq!(offers[1], ["--format"], "{stdout}");
    assert_eq!(
        offers[2],
        ["human", "json", "concise", "github", "sarif", "gitlab"]
    );
    assert_eq!(offers[3], ["--color"], "{stdout}");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(offers[4].contains(&shell), "{shell}: {stdout}");
    }
    assert_eq!(offers[5], ["--test-connections"], "{stdout}");
}

/// The fish script in a real fish (skipped without one): subcommands and their options.
#[test]
fn fish_completion_completes_subcommands_and_their_options() {
    let Ok(_) = std::process::Command::new("fish").arg("--version").output() else {
        eprintln!("skipped: no fish");
        return;
    };
    let script = run(&["completions", "fish"], None, &[]);
    let dir = temp_dir("fish-completion");
    let file = dir.join("dsf-connections.fish");
    std::fs::write(&file, &script.stdout).expect("write");
    let offer = |line: &str| -> Vec<String> {
        let out = std::process::Command::new("fish")
            .args(["--no-config", "-c"])
            .arg(format!("source {}; complete -C '{line}'", file.display()))
            .env_clear()
            .env("HOME", &*dir)
            .output()
            .expect("run fish");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(offer("dsf-connections check --fo"), ["--format"]);
    assert!(offer("dsf-connections ").contains(&"check".to_string()));
    assert!(offer("dsf-connections check --format ").contains(&"sarif".to_string()));
}

#[test]
fn failed_probes_as_lines_annotations_and_notifications() {
    // nothing listens on port 1 of the loopback: the probe fails at once, without a network
    let dir = temp_dir("probe-lines");
    let file = dir.join("p.yaml");
    std::fs::write(&file, "c:\n  base-url: http://127.0.0.1:1/fhir\n").expect("write");
    let f = file.display().to_string();
    let probe = |format: &str| {
        run(
            &["check", "--test-connections", "--format", format, &f],
            None,
            &[],
        )
    };
    let concise = probe("concise");
    assert_eq!(concise.code, 3, "{}{}", concise.stdout, concise.stderr);
    assert!(
        concise
            .stdout
            .lines()
            .any(|l| l.starts_with("probe c: error[connect-refused] TCP connect: ")),
        "{}",
        concise.stdout
    );
    let github = probe("github");
    assert!(
        github.stdout.lines().any(|l| l.starts_with(
            "::error title=dsf-connections probe (connect-refused)::c: TCP connect: "
        )),
        "{}",
        github.stdout
    );
    let sarif = json(&probe("sarif").stdout);
    assert_valid_sarif(&sarif_validator(), &sarif);
    let n = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["descriptor"]["id"], "connect-refused");
}
