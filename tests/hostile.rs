//! Hostile input (issue 7), one test per class: nothing crashes or hangs, cost and output stay
//! bounded, input text never reaches a terminal as control characters, line breaks are counted
//! the way the parser counts them, secrets stay hidden wherever they are written, and the exit
//! code stays honest. The timings of these inputs are measured in `bench/hostile.py`, not here.

use crate::util::{json_of, run, temp_dir};
use serde_json::Value;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dsf-connections");

/// Characters that must never reach a terminal from input text.
fn assert_no_raw_controls(what: &str, text: &str) {
    let bad = text.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
    });
    assert!(bad.is_none(), "{what}: raw {bad:?} in\n{text}");
}

fn human(args: &[&str], yaml: &[u8]) -> crate::util::Out {
    let mut a = vec!["check", "--color", "never", "--skip-file-checks"];
    a.extend_from_slice(args);
    a.push("-");
    run(&a, Some(yaml), &[])
}

#[test]
fn long_lines_never_panic_and_are_shown_as_a_window() {
    let tabs = format!(
        "c:\n  base-url: 'x{}'\n  read-timeout: 5s\n",
        "\t".repeat(16_384)
    );
    let key = format!("c:\n  base-url: https://x\n  {}: 1\n", "k".repeat(65_534));
    let mut flow = String::from("{");
    for i in 0..20_000 {
        flow.push_str(&format!(
            "c{i}: {{base-url: https://x, read-timeout: 5s}}, "
        ));
    }
    flow.push_str("z: {}}\n");
    for (name, yaml) in [("tabs", tabs), ("key", key), ("flow", flow)] {
        let out = human(&["--max-diagnostics", "5"], yaml.as_bytes());
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        // every shown line is a window, not the whole line
        let longest = out.stdout.lines().map(str::len).max().unwrap_or(0);
        assert!(longest < 1_000, "{name}: a line of {longest} bytes");
    }
}

#[test]
fn millions_of_mistakes_are_capped_and_counted() {
    let mut yaml = String::new();
    for _ in 0..50_000 {
        yaml.push_str("c:\n  base-url: https://x\n");
    }
    let (code, json) = json_of(run(
        &[
            "check",
            "--format",
            "json",
            "--skip-file-checks",
            "--max-input-size",
            "16777216",
            // (a generated config that large is also over the kernel's limit: not this test's)
            "--ignore",
            "config-too-large",
            "-",
        ],
        Some(yaml.as_bytes()),
        &[],
    ));
    assert_eq!(code, 1);
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(1000));
    assert_eq!(json["summary"]["errors"], 49_999);
    assert_eq!(
        json["summary"]["omitted"]["duplicate-connection-id"],
        48_999
    );
    let out = human(
        &[
            "--max-input-size",
            "16777216",
            "--ignore",
            "config-too-large",
        ],
        yaml.as_bytes(),
    );
    assert!(out.stdout.len() < 2_000_000, "{} bytes", out.stdout.len());
    assert!(
        out.stdout.contains("48999 more diagnostics not shown"),
        "{}",
        &out.stdout[out.stdout.len().saturating_sub(300)..]
    );
}

/// Once the cap is full, checks only count what they find (and skip writing messages): the
/// counts per code and severity must be exactly those of a run that keeps everything, for every
/// kind of mistake, in block and flow style, for duplicates, aliases and suppressed ones.
#[test]
fn capped_counts_are_exact_for_every_kind_of_mistake() {
    let mut yaml = String::new();
    for i in 0..300 {
        yaml.push_str(&format!(
            "c{i}:\n  base_url: https://x\n  base-url: ftp://x y\n  read-timeout: 5 s\n  connect-timeout: -1\n  read-timeout: PT1S\n  enable-debug-logging: yes\n  bearer-auth:\n    token: 12\n  basic-auth: {{usernme: u, pasword: 'p', password: 7}}\n"
        ));
        yaml.push_str(&format!(
            "d{i}: https://x\ne{i}:\nc{i}: {{base-url: https://x, conect-timeout: x}}\n"
        ));
        yaml.push_str(&format!(
            "f{i}:\n  base-url: https://x\n  read-timeout: x # dsf-connections: ignore[invalid-duration]\n"
        ));
    }
    let counts = |max: &str| {
        let (code, json) = json_of(run(
            &[
                "check",
                "--format",
                "json",
                "--skip-file-checks",
                "--max-diagnostics",
                max,
                "-",
            ],
            Some(yaml.as_bytes()),
            &[],
        ));
        assert_eq!(code, 1);
        let mut by_code = std::collections::BTreeMap::<String, i64>::new();
        for d in json["diagnostics"].as_array().into_iter().flatten() {
            *by_code
                .entry(d["code"].as_str().unwrap_or("").to_string())
                .or_default() += 1;
        }
        for (c, n) in json["summary"]["omitted"].as_object().into_iter().flatten() {
            *by_code.entry(c.clone()).or_default() += n.as_i64().unwrap_or(0);
        }
        let summary = &json["summary"];
        (
            by_code,
            summary["errors"].clone(),
            summary["warnings"].clone(),
            summary["suppressed"].clone(),
        )
    };
    let all = counts("1000000");
    assert!(all.0.len() >= 8, "{:?}", all.0);
    assert_eq!(counts("5"), all);
    assert_eq!(counts("1"), all);
}

/// Run with a deadline: a hang is a failure, not a stuck test run.
fn run_within(args: &[&str], env: &[(&str, &str)], limit: Duration) -> (i32, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let mut out = String::new();
            if let Some(mut s) = child.stdout.take() {
                let _ = s.read_to_string(&mut out);
            }
            return (status.code().unwrap_or(-1), out);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn huge_collections_inside_a_connection_hit_a_limit() {
    // a mapping of 50,000 duplicate keys is held whole by the parser: refused early instead
    let mut yaml = String::from("c:\n  base-url: https://x\n");
    for _ in 0..50_000 {
        yaml.push_str("  read-timeout: PT1S\n");
    }
    let (code, json) = json_of(run(
        &[
            "check",
            "--format",
            "json",
            "--skip-file-checks",
            "--max-input-size",
            "16777216",
            "-",
        ],
        Some(yaml.as_bytes()),
        &[],
    ));
    assert_eq!(code, 1);
    let last = json["diagnostics"]
        .as_array()
        .and_then(|d| d.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["code"], "input-limit", "{json}");
    // a list at the root is no config, and is held whole: it gets the same limit
    let (code, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", "-"],
        Some("-\n".repeat(20_000).as_bytes()),
        &[],
    ));
    assert_eq!(code, 1);
    assert_eq!(json["diagnostics"][0]["code"], "input-limit", "{json}");
    // and so is a flow collection beyond 256 KiB, before the parser reads it ahead (a bit
    // smaller one is read: the limit is not lower than it says)
    let mut flow = String::from("{");
    while flow.len() < 250_000 {
        flow.push_str("c: {base-url: https://x}, ");
    }
    let (code, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", "-"],
        Some(format!("{flow}z: {{}}}}\n").as_bytes()),
        &[],
    ));
    assert_eq!(code, 1);
    assert_ne!(json["diagnostics"][0]["code"], "input-limit", "{json}");
    while flow.len() < 280_000 {
        flow.push_str("c: {base-url: https://x}, ");
    }
    flow.push_str("z: {}}\n");
    let (code, json) = json_of(run(
        &[
            "check",
            "--format",
            "json",
            "--skip-file-checks",
            "--max-input-size",
            "2097152",
            "-",
        ],
        Some(flow.as_bytes()),
        &[],
    ));
    assert_eq!(code, 1);
    assert_eq!(json["diagnostics"][0]["code"], "input-limit", "{json}");
    assert_eq!(json["diagnostics"][0]["column"], 1);
}

#[test]
fn a_fifo_named_in_the_config_is_refused_not_waited_for() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("pw.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: mkfifo is not available");
        return;
    }
    let config = dir.join("c.yaml");
    std::fs::write(
        &config,
        format!(
            "c:\n  base-url: https://x\n  trusted-root-certificates-file: {0}\n  basic-auth:\n    username: u\n    password-file: {0}\nd:\n  base-url: https://y\n",
            fifo.display()
        ),
    )
    .expect("write");
    let f = fifo.display().to_string();
    let (code, out) = run_within(
        &["check", "--format", "json", &config.display().to_string()],
        &[(
            "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
            &f,
        )],
        Duration::from_secs(30),
    );
    assert_eq!(code, 1, "{out}");
    let json: Value = serde_json::from_str(&out).expect("json");
    let messages: Vec<String> = json["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| format!("{} {}", d["code"], d["message"]))
        .collect();
    assert!(
        messages
            .iter()
            .filter(|m| m.contains("named pipe (FIFO)"))
            .count()
            >= 3,
        "{messages:#?}"
    );
}

#[test]
fn control_characters_in_input_reach_no_terminal() {
    let nasty = "c\u{1b}]0;pwned\u{7}:\n  base-url: \"https://x/\\e[2J\\e[8mhidden\"\n  basic-auth:\n    username: \"\\e]0;title\\a\u{202e}evil\"\n    password-file: \"/run/\\e[31mred\"\n  \"k\\e[1m\": 1\n";
    for args in [
        &["check", "--color", "never", "--skip-file-checks", "-"][..],
        &["explain", "--color", "never", "--skip-file-checks", "-"],
        &["check", "--color", "never", "-"],
    ] {
        let out = run(args, Some(nasty.as_bytes()), &[]);
        assert_no_raw_controls(&format!("{args:?} stdout"), &out.stdout);
        assert_no_raw_controls(&format!("{args:?} stderr"), &out.stderr);
        assert!(out.stdout.contains("\\u{1b}"), "{}", out.stdout);
    }
    // the tool's own errors quote input names visibly too
    let out = run(&["check", "no\u{1b}[2Jsuch.yaml"], None, &[]);
    assert_eq!(out.code, 2);
    assert_no_raw_controls("stderr", &out.stderr);
}

#[test]
fn cr_only_line_breaks_are_lines_in_every_format() {
    let yaml = b"c:\r  base-url: https://x\r  read-timeout: 5s\r";
    let (_, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", "-"],
        Some(yaml),
        &[],
    ));
    let d = &json["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(17))
    );
    let out = human(&[], yaml);
    assert!(out.stdout.contains("<stdin>:3:17"), "{}", out.stdout);
    assert!(
        out.stdout.contains("3 |   read-timeout: 5s"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('\r'));
}

#[test]
fn a_closed_pipe_keeps_the_verdict() {
    let mut yaml = String::new();
    for i in 0..2_000 {
        yaml.push_str(&format!("c{i}:\n  base_url: https://x\n"));
    }
    let mut child = Command::new(BIN)
        .args(["check", "--color", "never", "--skip-file-checks", "-"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(yaml.as_bytes()).expect("stdin");
    }
    // read a little, then close the pipe, as `| head` does
    let mut first = [0u8; 64];
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read(&mut first);
    }
    let status = child.wait().expect("wait");
    assert_ne!(
        status.code(),
        Some(0),
        "an invalid config exited 0 on a closed pipe"
    );
}

#[test]
fn closed_standard_input_is_a_read_failure() {
    // a closed fd 0 is reopened as /dev/null by the runtime: what the tool sees is this
    let out = Command::new(BIN)
        .args(["check", "-"])
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("standard input is closed"), "{err}");
}

#[test]
fn huge_numbers_in_durations_do_not_overflow() {
    // the test binary is a debug build: an overflow would panic (exit 101)
    let big = "99999999999999999999999999999999999999999d1d";
    let out = human(&[], format!("c:\n  base-url: https://x\n  connect-timeout: {big}\n  read-timeout: P99999999999999999999999999999999999999999D\n").as_bytes());
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("invalid-duration"), "{}", out.stdout);
    let out = run(
        &["check", "--skip-file-checks", "-"],
        Some(b"c:\n  base-url: https://x\n"),
        &[(
            "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ",
            big,
        )],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("invalid-default"), "{}", out.stdout);
}

const CANARY: &str = "CANARYsecret";

/// Every output a person or a machine reads, for one input.
fn every_output(yaml: &str) -> Vec<(String, String)> {
    let mut outs = Vec::new();
    for args in [
        &["check", "--color", "never", "--skip-file-checks", "-"][..],
        &["check", "--format", "json", "--skip-file-checks", "-"],
        &["explain", "--color", "never", "--skip-file-checks", "-"],
        &["explain", "--format", "json", "--skip-file-checks", "-"],
    ] {
        let out = run(args, Some(yaml.as_bytes()), &[]);
        assert_ne!(out.code, 101, "{args:?} panicked: {}", out.stderr);
        outs.push((format!("{args:?}"), out.stdout + &out.stderr));
    }
    outs
}

#[test]
fn secrets_stay_hidden_wherever_they_are_written() {
    let c = CANARY;
    let cases = [
        // a multi-line plain secret in a connection broken by a later syntax error
        format!(
            "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: {c}\n      {c}2\n  read-timeout: [\n"
        ),
        // an unterminated multi-line quote
        format!("c:\n  base-url: https://x\n  bearer-auth:\n    token: '{c}\n    {c}3\n"),
        // misspelled secret keys, and keys that are secrets by any reading
        format!(
            "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secert: {c}\n"
        ),
        format!("c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    pssword: {c}\n"),
        format!("c:\n  base-url: https://x\n  bearer-auth:\n    tokn: {c}\n"),
        format!("c:\n  base-url: https://x\n  oidc-auth:\n    secrte: {c}\n"),
        format!(
            "c:\n  base-url: https://x\n  pw: {c}\n  apikey: {c}\n  credentials: {c}\n  authorization: Bearer {c}\n  secret: {c}\n"
        ),
        // credentials in URLs: userinfo, and a query parameter
        format!("c:\n  base-url: https://user:{c}@fhir.example.org/fhir\n  read-timeout: 5s\n"),
        format!("c:\n  base-url: https://fhir.example.org/fhir?access_token={c}\n"),
        format!(
            "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://u:{c}@o/realms/r\n    client-id: i\n    client-secret: s\n    read-timeout: 5s\n"
        ),
        // an anchor aliased into a secret
        format!("c:\n  base-url: &pw '{c}'\n  basic-auth:\n    username: u\n    password: *pw\n"),
        // secrets next to errors about them
        format!(
            "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: \"{c}\\q\"\n"
        ),
        format!("c:\n  base-url: https://x\n  bearer-auth:\n    token: '{c}’\n"),
    ];
    for yaml in &cases {
        for (what, text) in every_output(yaml) {
            assert!(
                !text.contains(c),
                "{what} shows the secret of\n{yaml}\n---\n{text}"
            );
        }
    }
}

#[test]
fn a_megabyte_long_connection_id_is_named_cut_everywhere() {
    // an explicit key (`? `) has no length limit in YAML: its id would be copied into every
    // message and pointer of the connection (2 GB of JSON for 1,200 mistakes, before)
    let mut yaml = format!("? {}\n:\n", "k".repeat(1_000_000));
    for i in 0..1_200 {
        yaml.push_str(&format!("  bad{i}: x\n"));
    }
    for format in ["json", "sarif", "human", "concise", "github", "gitlab"] {
        let out = run(
            &["check", "--format", format, "--skip-file-checks", "-"],
            Some(yaml.as_bytes()),
            &[],
        );
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(
            out.stdout.len() < 12_000_000,
            "{format}: {} bytes",
            out.stdout.len()
        );
    }
    let (_, json) = json_of(run(
        &[
            "check",
            "--format",
            "json",
            "--skip-file-checks",
            "--ignore",
            "config-too-large",
            "-",
        ],
        Some(yaml.as_bytes()),
        &[],
    ));
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "unknown-property");
    assert_eq!(d["line"], 3);
    let pointer = d["pointer"].as_str().unwrap_or_default();
    assert_eq!(pointer, format!("/{}…/bad0", "k".repeat(1024)));
    assert_eq!(
        json["inputs"][0]["connections"][0],
        format!("{}…", "k".repeat(1024))
    );
}

/// The output scrubber's automaton stays small for any secret: a long repetitive token
/// (`aaaa…`, quadratic to compile into a DFA: 16 KiB took 25 s) and a long text that quotes
/// it are handled at once, and the token shows nowhere.
#[test]
fn a_long_repetitive_secret_is_cheap_and_scrubbed() {
    let token = "a".repeat(512 * 1024);
    let yaml = format!(
        "c:\n  base-url: https://x\n  bearer-auth:\n    token: {token}\n  username: {token}\n"
    );
    for format in ["human", "json"] {
        let out = run(
            &[
                "check",
                "--format",
                format,
                "--skip-file-checks",
                "--max-input-size",
                "16777216",
                "-",
            ],
            Some(yaml.as_bytes()),
            &[],
        );
        assert_eq!(out.code, 1, "{}", out.stderr);
        // outputs cut long texts, and the scrubber leaves no long run of the token
        assert!(!out.stdout.contains(&"a".repeat(40)), "{format}");
        assert!(!out.stderr.contains(&"a".repeat(40)), "{format}");
    }
}

/// r14: the default cap is 1 MiB (an environment string cannot exceed 128 KiB on Linux), and
/// `--max-input-size` raises it.
#[test]
fn r14_the_default_input_cap_is_one_mebibyte() {
    let mut yaml = String::from("c:\n  base-url: https://x\n");
    while yaml.len() <= 1024 * 1024 {
        yaml.push_str("# a comment line to make the file larger than the cap\n");
    }
    let out = run(
        &["check", "--skip-file-checks", "-"],
        Some(yaml.as_bytes()),
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("larger than 1048576 bytes"),
        "{}",
        out.stderr
    );
    let out = run(
        &[
            "check",
            "--skip-file-checks",
            "--max-input-size",
            "2097152",
            "-",
        ],
        Some(yaml.as_bytes()),
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

/// Issue 15: key files that name their own key derivation. Each is reported with its code at
/// its property, in `check` and `explain` and every format, and nothing is derived: no abort
/// (scrypt N = 2^40 asked for 128 TiB: SIGABRT, exit 134), no minutes of PBKDF2.
#[test]
fn costly_key_derivations_are_reported_not_run() {
    use crate::pki::costly;
    use pkcs5::pbes2::Pbkdf2Prf::{HmacWithSha256, HmacWithSha512};
    let dir = temp_dir("costly-keys");
    let cert = std::fs::read(crate::util::manifest_dir().join("fixtures/secrets/client.crt"))
        .expect("fixture cert");
    std::fs::write(dir.join("client.crt"), cert).expect("write");
    let pbkdf2 = |prf, n| costly::pbkdf2(prf, n);
    let fifty = |n| {
        (0..50)
            .map(|_| pbkdf2(HmacWithSha256, n))
            .collect::<Vec<_>>()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        // scrypt: 128 TiB, 1 GiB (OpenSSL itself stops at 32 MiB), p = 1,000 (32 s before)
        (
            "scrypt-2-40.key",
            costly::key(costly::scrypt(1 << 40, 8, 1)),
            "key-kdf-too-costly",
        ),
        (
            "scrypt-2-20.key",
            costly::key(costly::scrypt(1 << 20, 8, 1)),
            "key-kdf-too-costly",
        ),
        (
            "scrypt-p1000.key",
            costly::key(costly::scrypt(1 << 14, 8, 1_000)),
            "key-kdf-too-costly",
        ),
        (
            "scrypt-overflow.key",
            costly::key(costly::scrypt(u64::MAX, u16::MAX, u16::MAX)),
            "key-kdf-too-costly",
        ),
        // PBKDF2: 2^32 - 1 iterations (minutes before), SHA-512 at 2,000,000
        (
            "pbkdf2-max.key",
            costly::key(pbkdf2(HmacWithSha256, u32::MAX)),
            "key-kdf-too-costly",
        ),
        (
            "pbkdf2-sha512.key",
            costly::key(pbkdf2(HmacWithSha512, 2_000_000)),
            "key-kdf-too-costly",
        ),
        // PKCS#12: 50 keys of 1,000,000 iterations each (4.8 s before), the same 50 inside an
        // encrypted safe (seen only once it is open), a MAC above the JDK's own limit, and 65 keys
        // (the server needs one: judged by their number, none decrypted)
        (
            "fifty.p12",
            costly::p12(
                Some(1_000_000),
                costly::shrouded_bags(fifty(1_000_000)),
                None,
            ),
            "key-kdf-too-costly",
        ),
        (
            "hidden.p12",
            costly::p12(
                None,
                costly::shrouded_bags(vec![]),
                Some((costly::shrouded_bags(fifty(1_000_000)), "pw")),
            ),
            "key-kdf-too-costly",
        ),
        (
            "mac.p12",
            costly::p12(Some(6_000_000), costly::shrouded_bags(vec![]), None),
            "pkcs12-invalid",
        ),
        (
            "many.p12",
            costly::p12(
                None,
                costly::shrouded_bags((0..65).map(|_| pbkdf2(HmacWithSha256, 2_048)).collect()),
                None,
            ),
            "pkcs12-invalid",
        ),
    ];
    for (name, bytes, code) in cases {
        std::fs::write(dir.join(name), bytes).expect("write");
        let (prop, yaml) = if name.ends_with(".p12") {
            (
                "p12-file",
                format!(
                    "c:\n  base-url: https://x\n  cert-auth:\n    p12-file: {name}\n    password: pw\n"
                ),
            )
        } else {
            (
                "private-key-file",
                format!(
                    "c:\n  base-url: https://x\n  cert-auth:\n    certificate-file: client.crt\n    private-key-file: {name}\n    password: pw\n"
                ),
            )
        };
        let base = dir.display().to_string();
        for command in ["check", "explain"] {
            for format in ["human", "json"] {
                let started = Instant::now();
                let out = run(
                    &[
                        command,
                        "--color",
                        "never",
                        "--format",
                        format,
                        "--base-dir",
                        &base,
                        "-",
                    ],
                    Some(yaml.as_bytes()),
                    &[],
                );
                let took = started.elapsed();
                assert!(
                    ![101, 134].contains(&out.code),
                    "{name} {command} {format}: exit {}: {}",
                    out.code,
                    out.stderr
                );
                assert!(
                    took < Duration::from_secs(10),
                    "{name} {command} {format}: {took:?}"
                );
                assert!(
                    out.stdout.contains(code),
                    "{name} {command} {format}: no {code}:\n{}",
                    out.stdout
                );
                if command == "check" && format == "json" {
                    let (_, json) = json_of(out);
                    let d = json["diagnostics"]
                        .as_array()
                        .and_then(|ds| ds.iter().find(|d| d["code"] == code))
                        .unwrap_or_else(|| panic!("{name}: {json}"));
                    assert_eq!(d["pointer"], format!("/c/cert-auth/{prop}"), "{name}");
                    let message = d["message"].as_str().unwrap_or_default();
                    // the verdict says which key and why
                    assert!(message.contains(name), "{name}: {message}");
                    let why = if code == "pkcs12-invalid" {
                        "entries"
                    } else {
                        "not decrypted"
                    };
                    assert!(
                        message.contains(why) || message.contains("JDK"),
                        "{name}: {message}"
                    );
                }
            }
        }
    }
}
