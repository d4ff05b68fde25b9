//! Secrets never leave the process: canaries placed in every secret position, next to errors
//! about those very values, must not appear in any output format (human, JSON, explain, concise,
//! GitHub, SARIF, GitLab), nor in the fingerprints' input (only hashes of codes, names and
//! pointers, never of source text).

use crate::util::run;

const CANARIES: &[&str] = &[
    "CANARY1pw",
    "CANARY2tok",
    "CANARY3cs",
    "CANARY4flow",
    "CANARY5blk",
    "CANARY6typo",
    "987654321",
    "CANARY8dollar",
];

const CONFIG: &str = "\
a:
  base-url: http://x
  basic-auth:
    username: u
    password: 'CANARY1pw'
    password-file: /p
  bearer-auth:
    token: CANARY2tok
b:
  base-url: http://x
  oidc-auth: {base-url: https://o, client-id: c, client-secret: \"CANARY3cs\", client-secret-file: /s}
  cert-auth: {p12-file: /p, password: CANARY4flow}
c:
  base-url: http://x
  bearer-auth:
    token: |
      CANARY5blk
    token-file: /t
d:
  base-url: http://x
  basic-auth:
    username: u
    pasword: CANARY6typo
e:
  base-url: http://x
  basic-auth:
    username: u
    password: 987654321
f:
  base-url: http://x
  basic-auth:
    username: u
    password: 'x${CANARY8dollar}'
";

fn assert_clean(what: &str, text: &str) {
    for c in CANARIES {
        assert!(!text.contains(c), "{what} leaks {c}:\n{text}");
    }
}

#[test]
fn no_secret_in_any_format() {
    let mut all = vec![
        vec!["check", "-"],
        vec!["check", "--color", "always", "-"],
        vec!["explain", "-"],
        vec!["explain", "--format", "json", "-"],
    ];
    for format in ["json", "concise", "github", "sarif", "gitlab"] {
        all.push(vec!["check", "--format", format, "-"]);
        all.push(vec![
            "check",
            "--format",
            format,
            "--stdin-filename",
            "s.yaml",
            "-",
        ]);
    }
    for args in all {
        let out = run(&args, Some(CONFIG.as_bytes()), &[]);
        assert_eq!(out.code, 1);
        assert_clean(&format!("{args:?} stdout"), &out.stdout);
        assert_clean(&format!("{args:?} stderr"), &out.stderr);
    }
    // the errors about the secrets themselves were reported
    let out = run(
        &["check", "--format", "json", "-"],
        Some(CONFIG.as_bytes()),
        &[],
    );
    for code in [
        "secret-not-string",
        "spring-placeholder",
        "unknown-property",
        "conflicting-properties",
    ] {
        assert!(out.stdout.contains(code), "no {code}");
    }
    let human = run(
        &["check", "--color", "never", "-"],
        Some(CONFIG.as_bytes()),
        &[],
    );
    assert!(human.stdout.contains("password: ****"), "{}", human.stdout);
}

#[test]
fn no_secret_when_the_yaml_does_not_parse() {
    let config =
        "a:\n  base-url: http://x\n  basic-auth:\n    username: u\n    password: 'CANARY1pw’\n";
    for format in ["human", "json", "concise", "github", "sarif", "gitlab"] {
        let out = run(
            &["check", "--format", format, "-"],
            Some(config.as_bytes()),
            &[],
        );
        assert_eq!(out.code, 1);
        assert!(out.stdout.contains("yaml-typographic-quote"), "{format}");
        assert_clean(format, &out.stdout);
        let out = run(
            &["check", "--format", format],
            None,
            &[("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG", config)],
        );
        assert_clean("env", &out.stdout);
        assert_clean("env stderr", &out.stderr);
    }
}

/// Every output for one input: `check` in each format and `explain` in both, stdout and stderr.
fn every_output(yaml: &str) -> Vec<(String, String)> {
    let mut all = vec![
        vec!["check", "--color", "never", "-"],
        vec!["explain", "--color", "never", "-"],
        vec!["explain", "--format", "json", "-"],
    ];
    for format in ["json", "concise", "github", "sarif", "gitlab"] {
        all.push(vec!["check", "--format", format, "-"]);
    }
    all.into_iter()
        .map(|args| {
            let out = run(&args, Some(yaml.as_bytes()), &[]);
            assert_ne!(out.code, 101, "{args:?} panicked: {}", out.stderr);
            (format!("{args:?}"), out.stdout + &out.stderr)
        })
        .collect()
}

/// Secrets the text scan alone has to find (most of these configs do not parse), and messages
/// that would quote them: none shows in any output.
#[test]
fn no_secret_in_what_the_text_scan_masks() {
    let c = "CANARYscan";
    let cases = [
        // a block scalar indented less than its key, or with tabs (the `x: ]` stops the
        // parser before the value, the LS is a diagnostic that shows the lines before it)
        format!(
            "x: ]\na:\n  base-url: http://x\n  bearer-auth:\n    token: |\n{c}1\n\t{c}2\u{2028}\n"
        ),
        format!("a:\n  base-url: http://x\n  basic-auth:\n    password: >-\n  {c}3\n  ]\n"),
        // flow values across lines, quoted or plain
        format!(
            "x: ]\na: {{base-url: http://x, basic-auth: {{username: u, password: \"{c}4\n    {c}5\u{2028}\"}}}}\n"
        ),
        format!(
            "x: ]\na: {{base-url: http://x, bearer-auth: {{token: {c}6\n    {c}7\u{2028}}}}}\n"
        ),
        // blanks between a key and its colon
        format!("x: ]\na:\n  base-url: http://x\n  bearer-auth:\n    token : {c}8\u{2028}\n"),
        // NEL, LS and PS are line breaks
        format!(
            "a:\n  base-url: http://x\n  bearer-auth:\n    token:\u{85}      {c}9\n      x: ]\n"
        ),
        format!(
            "a:\n  base-url: http://x\n  bearer-auth:\n    token:\u{2028}      {c}10\n      x: ]\n"
        ),
        format!(
            "a:\n  base-url: http://x\n  bearer-auth:\n    token:\u{2029}      {c}11\n      x: ]\n"
        ),
        // a value anchored under a key that is no secret, aliased by one
        format!(
            "x: ]\na:\n  basic-auth:\n    username: u\n    password: *pw\n  base-url: &pw {c}12\u{2028}\n"
        ),
        format!(
            "a:\n  base-url: http://x\n  x: &pw '{c}13'\n  ]\n  basic-auth:\n    username: u\n    password: *pw\n"
        ),
        // names of secrets beyond the server's own
        format!("a:\n  base-url: http://x\n  basic-auth:\n    username: u\n    DB_PW: {c}14\n"),
        format!("a:\n  base-url: http://x\n  NPM_AUTH: {c}15\n  admin-pw: {c}16\n"),
        format!("a:\n  base-url: http://x\n  basic-auth: {c}17\n"),
        format!("a:\n  base-url: http://x\n  bearer-auth: '{c}18'\n"),
        format!(
            "a:\n  base-url: http://x\n  SIGNING_KEY: {c}19\n  session_cookie: {c}20\n  otp: {c}21\n  kennwort: {c}22\n  pswd: {c}23\n  tkn: {c}24\n"
        ),
        format!(
            "a:\n  base-url: http://x\n  \u{ff50}\u{ff41}\u{ff53}\u{ff53}\u{ff57}\u{ff4f}\u{ff52}\u{ff44}: {c}25\n  t\u{043e}ken: {c}26\n  p\u{03b1}ssword: {c}27\n"
        ),
        // URL fragments and more parameter names
        format!("a:\n  base-url: https://fhir/x#access_token={c}28&id_token={c}29\n"),
        format!(
            "a:\n  base-url: https://fhir/x?sid={c}30&jwt={c}31&assertion={c}32&signature={c}33&session={c}34\n"
        ),
        // a message about a line that continues a secret must not quote it
        format!("a:\n  base-url: http://x\n  basic-auth:\n    password: abc\n      {c}35: ghi\n"),
        format!("a:\n  base-url: http://x\n  bearer-auth:\n    token : x\n      {c}36: y\n"),
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

/// The names of the DSF authentication blocks mask a scalar written in their place, never the
/// settings inside the block.
#[test]
fn an_auth_block_is_not_masked_whole() {
    let yaml = "a:\n  base-url: http://x\n  basic-auth:\n    username: visibleuser\n    bogus: 1\n    password: CANARYblock\n";
    let out = run(
        &["check", "--color", "never", "-"],
        Some(yaml.as_bytes()),
        &[],
    );
    assert!(
        out.stdout.contains("username: visibleuser"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("CANARYblock"), "{}", out.stdout);
    // the indentation message names the key when it is no secret's continuation
    let yaml = "a:\n  base-url: http://x\n  read-timeout: 5s\n    connect-timeout: 5s\n";
    let out = run(
        &["check", "--color", "never", "-"],
        Some(yaml.as_bytes()),
        &[],
    );
    assert!(out.stdout.contains("`connect-timeout`"), "{}", out.stdout);
}

/// The same in a config embedded in a compose file: messages about the embedded text are
/// checked against its own masks and its host's.
#[test]
fn no_secret_in_an_embedded_config() {
    let yaml = "services:\n  bpe:\n    image: x\n    environment:\n      NPM_AUTH: CANARYemb1\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        a:\n          base-url: http://x\n          basic-auth:\n            password: abc\n              CANARYemb2: ghi\n";
    for (what, text) in every_output(yaml) {
        assert!(
            !text.contains("CANARYemb"),
            "{what} shows the secret:\n{text}"
        );
    }
}

/// `every_output` for a file on disk (`check` and `explain` of a path, not standard input).
fn every_output_of_file(path: &str) -> Vec<(String, String)> {
    let mut all = vec![
        vec!["check", "--color", "never", path],
        vec!["explain", "--color", "never", path],
        vec!["explain", "--format", "json", path],
    ];
    for format in ["json", "concise", "github", "sarif", "gitlab"] {
        all.push(vec!["check", "--format", format, path]);
    }
    all.into_iter()
        .map(|args| {
            let out = run(&args, None, &[]);
            assert_ne!(out.code, 101, "{args:?} panicked: {}", out.stderr);
            (format!("{args:?}"), out.stdout + &out.stderr)
        })
        .collect()
}

/// Secret values YAML reads otherwise than written (a tag, an anchor, a comment, a block
/// header, text after a closing quote or an alias, a NEL or LS line break): the rest of the
/// secret key's line is masked whatever YAML makes of it, on the line in error and as the
/// context line of an error on the next line, in every output.
#[test]
fn no_secret_whatever_yaml_makes_of_the_value() {
    let c = "CANARYyaml";
    let shapes = [
        format!("!{c}"),
        format!("!!{c}"),
        format!("!<{c}>"),
        format!("!{c} rest"),
        format!("!x {c}"),
        format!("&{c}"),
        format!("&a {c}"),
        format!("abc #{c}"),
        format!("abc\t#{c}"),
        format!(">{c}"),
        format!("|{c}"),
        format!("|-{c}"),
        format!("\"abc\"{c}"),
        format!("'abc'{c}"),
        format!("\"abc\" #{c}"),
        format!("*a {c}"),
        format!("*{c}"),
        format!("ab\u{85}{c}"),
        format!("ab\u{2028}{c}"),
        format!("ab\u{2029}{c}"),
        format!("ab\u{85}  {c}"),
        format!("%{c}"),
        format!("@{c}"),
        format!("`{c}"),
        format!("{{{c}"),
        format!("[{c}"),
        format!("? {c}"),
        format!("- {c}"),
    ];
    for (n, shape) in shapes.iter().enumerate() {
        for (block, key) in [
            ("basic-auth:\n    username: u\n", "password"),
            ("bearer-auth:\n", "token"),
            (
                "oidc-auth:\n    base-url: https://kc.example.org/realms/dsf\n    client-id: c\n",
                "client-secret",
            ),
        ] {
            // an unrelated error on the next line shows the secret's line as context
            let yaml = format!(
                "fhir:\n  base-url: https://fhir.example.org/fhir\n  {block}    {key}: {shape}\n    foo: 1\n"
            );
            let outputs = if key == "password" {
                every_output(&yaml)
            } else {
                // the outputs with snippets
                ["check", "explain"]
                    .iter()
                    .map(|cmd| {
                        let out = run(&[cmd, "--color", "never", "-"], Some(yaml.as_bytes()), &[]);
                        assert_ne!(out.code, 101, "{cmd} panicked: {}", out.stderr);
                        (cmd.to_string(), out.stdout + &out.stderr)
                    })
                    .collect()
            };
            for (what, text) in outputs {
                assert!(
                    !text.contains(c),
                    "shape {n}: {what} shows the secret of\n{yaml}\n---\n{text}"
                );
            }
        }
    }
    // from a file too, and the snippet still shows the key and the next line
    let dir = crate::util::temp_dir("secrets-yaml-shapes");
    let path = dir.join("c.yaml");
    std::fs::write(
        &path,
        format!("a:\n  base-url: https://h/fhir\n  basic-auth:\n    username: u\n    password: !{c}\n    foo: 1\n"),
    )
    .expect("write");
    let path = path.display().to_string();
    for (what, text) in every_output_of_file(&path) {
        assert!(!text.contains(c), "{what} shows the secret:\n{text}");
    }
    let out = run(&["check", "--color", "never", &path], None, &[]);
    assert!(out.stdout.contains("password: ****\n"), "{}", out.stdout);
    // (an unknown key in an auth block may be a misspelt credential: its value is masked too)
    assert!(out.stdout.contains("6 |     foo: ****"), "{}", out.stdout);
}

/// A value YAML reads as a tag or an anchor is reported as such, not as a blank value to
/// fill in; the help says to quote it without quoting it.
#[test]
fn a_tag_or_anchor_for_a_value_is_named() {
    for (value, sign, what, code) in [
        ("!Abc123", '!', "a tag", "blank-value"),
        ("!!Abc123", '!', "a tag", "blank-value"),
        ("&Abc123", '&', "an anchor", "missing-property"),
    ] {
        let yaml = format!(
            "a:\n  base-url: https://h/fhir\n  basic-auth:\n    username: u\n    password: {value}\n"
        );
        let out = run(
            &["check", "--format", "json", "-"],
            Some(yaml.as_bytes()),
            &[],
        );
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(!out.stdout.contains("Abc123"), "{}", out.stdout);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        let d = &json["diagnostics"][0];
        assert_eq!(d["code"], code, "{json:#}");
        assert_eq!(
            d["message"],
            format!(
                "`password` starts with `{sign}`, which YAML reads as {what}: the value is empty"
            ),
            "{json:#}"
        );
        assert_eq!(d["help"], format!("quote the value: `password: '{sign}…'`"));
    }
    // a string setting too
    let yaml = "a:\n  base-url: https://h/fhir\n  oidc-auth:\n    base-url: https://kc/realms/x\n    client-id: !dsf\n    client-secret-file: /s\n";
    let out = run(
        &["check", "--format", "json", "-"],
        Some(yaml.as_bytes()),
        &[],
    );
    assert!(
        out.stdout
            .contains("`client-id` starts with `!`, which YAML reads as a tag"),
        "{}",
        out.stdout
    );
    // a blank value is still one
    let yaml = "a:\n  base-url: https://h/fhir\n  basic-auth:\n    username: u\n    password: ''\n";
    let out = run(
        &["check", "--format", "json", "-"],
        Some(yaml.as_bytes()),
        &[],
    );
    assert!(out.stdout.contains("`password` is blank"), "{}", out.stdout);
}

/// The mask of a block scalar ends with its content: the next line's indentation and key show.
#[test]
fn a_block_scalar_mask_ends_with_its_content() {
    for header in [">-", "|", "|+", ">"] {
        let yaml = format!(
            "a:\n  base-url: https://h/fhir\n  basic-auth:\n    username: x\n    password: {header}\n      CANARYblk1\n      CANARYblk2\n\n    foo: 1\n"
        );
        let out = run(
            &["check", "--color", "never", "-"],
            Some(yaml.as_bytes()),
            &[],
        );
        assert!(!out.stdout.contains("CANARYblk"), "{}", out.stdout);
        assert!(
            out.stdout.contains("9 |     foo: ****\n"),
            "{header}:\n{}",
            out.stdout
        );
        assert!(!out.stdout.contains("****foo"), "{}", out.stdout);
    }
}

/// A URL's query and fragment: every value but the FHIR API's formatting parameters, and a
/// part with no name, are masked in snippets and in `explain` (human and JSON).
#[test]
fn no_credential_in_a_url_query_or_fragment() {
    let c = "CANARYquery";
    for tail in [
        format!("#{c}"),
        format!("?{c}"),
        format!("?tok={c}"),
        format!("?tk={c}"),
        format!("?t={c}"),
        format!("?x={c}"),
        format!("#tok={c}"),
        format!("#x={c}"),
        format!("?_format=json&{c}"),
        format!("?a=1,{c}"),
        format!("?_count=5#state={c}"),
    ] {
        let yaml = format!(
            "u:\n  base-url: https://h.example.org/fhir{tail}\n  oidc-auth:\n    base-url: https://kc.example.org/realms/x{tail}\n    client-id: c\n    client-secret-file: /s\n"
        );
        for (what, text) in every_output(&yaml) {
            assert!(!text.contains(c), "{what} shows {tail}:\n{text}");
        }
    }
    // what helps read a FHIR URL stays
    let yaml = "u:\n  base-url: https://h.example.org/fhir?_format=json&_count=5&x=CANARYquery\n";
    let out = run(
        &["explain", "--format", "json", "-"],
        Some(yaml.as_bytes()),
        &[],
    );
    assert!(
        out.stdout
            .contains("https://h.example.org/fhir?_format=json&_count=5&x=****"),
        "{}",
        out.stdout
    );
}

/// The scrubber's budget cannot hold every secret of a huge config: the secrets near what the
/// output shows come first. A password written again in a non-secret setting (quoted in that
/// setting's diagnostic, shown by `explain`) stays hidden behind 20,000 other passwords, at the
/// start or the end of the file; and a URL value continued on the next line is one URL.
#[test]
fn a_secret_quoted_elsewhere_stays_hidden_in_a_huge_config() {
    const C: &str = "Kq601zXw-CANARY-601-XYZp601";
    let canary = format!(
        "canary:\n  base-url: \"https://c.example.org/fhir?x=1\n    &access_token={C}\"\n  connect-timeout: {C}\n  basic-auth: {{username: {C}, password: {C}}}\n"
    );
    let mut others = String::new();
    for i in 0..20_000 {
        others.push_str(&format!(
            "f{i}:\n  base-url: https://f.example.org/fhir\n  basic-auth: {{username: u, password: S{i:07}e2feb89414c343c1027c4d1c386bbc4cd613e30d8f16adf91b75}}\n"
        ));
    }
    for yaml in [format!("{canary}{others}"), format!("{others}{canary}")] {
        for (what, out) in every_output(&yaml) {
            assert!(!out.contains("CANARY"), "{what}: {}", {
                let at = out.find("CANARY").unwrap_or(0);
                &out[at.saturating_sub(200)..(at + 50).min(out.len())]
            });
        }
    }
}

/// r14: a value is masked whatever its shape inside an auth block, under an auth block's name
/// (also misspelt), and under any name the tool would suggest renaming to a secret (short
/// ones next to `password` too); in a compose file, other services' credentials shown as
/// context lines (a Traefik `basicauth.users` label, a JWT in a `DEV_DSF_BPE_*` variable).
#[test]
fn r14_values_are_masked_whatever_their_shape() {
    let configs = [
        "c:\n  base-url: https://x\n  bearer-auth: [CANARYr14a]\n",
        "c:\n  base-url: https://x\n  bearer-auth:\n    - CANARYr14b\n",
        "c:\n  base-url: https://x\n  bearer-aut: CANARYr14c\n",
        "c:\n  base-url: https://x\n  beerer-auth:\n    tokem: CANARYr14d\n",
        "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    psw: CANARYr14e\n    pssw: CANARYr14f\n    cred: CANARYr14g\n",
        "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: c\n    client-assertion: CANARYr14h\n",
        "c:\n  base-url: https://x\n  basic-auth: {username: u, password: [CANARYr14i, x]}\n",
        "c:\n  base-url: https://x\n  psw: CANARYr14j\n  cred: {x: CANARYr14k}\n",
        "c:\n  base-url: https://x\n  cert-auth:\n    p12-file: /p\n    pin: CANARYr14l\n",
    ];
    for yaml in configs {
        for (what, text) in every_output(yaml) {
            assert!(
                !text.contains("CANARYr14"),
                "{what} shows a secret of\n{yaml}\n---\n{text}"
            );
        }
    }
    // the usernames and settings around them stay readable
    let out = run(
        &["check", "--color", "never", "-"],
        Some(configs[4].as_bytes()),
        &[],
    );
    assert!(out.stdout.contains("username: u"), "{}", out.stdout);
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDQU5BUllyMTRqd3QifQ.c2lnbmF0dXJlQ0FOQVJZ";
    let compose = format!(
        "services:\n  proxy:\n    image: traefik\n    labels:\n      - traefik.http.middlewares.auth.basicauth.users=admin:$$apr1$$CANARYr14$$hash0123456\n      - traefik.enable=true\n  other:\n    image: x\n    environment:\n      DEV_DSF_BPE_PROCESS_TOKEN_VALUE: {jwt}\n      FOO: bar\n  bpe:\n    image: datasharingframework/bpe\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        c:\n          base-url: https://x\n          read-timeout: 5s\n"
    );
    for (what, text) in every_output(&compose) {
        assert!(!text.contains("CANARYr14"), "{what}:\n{text}");
        assert!(!text.contains(jwt), "{what}:\n{text}");
    }
}

/// A variable named like the config but misspelt holds a config that is not checked as one: its
/// token must not show (found in a `docker inspect` output and a compose file).
#[test]
fn a_misspelt_config_variable_shows_no_secret() {
    let compose = "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.0\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTION_CONFIG: |\n        b:\n          base-url: https://b.example/fhir\n          bearer-auth: {token: CANARYMISSPELT1}\n";
    let inspect = r#"[{"Id": "abc", "Name": "/bpe", "Config": {"Env": ["DEV_DSF_BPE_FHIR_CLIENT_CONNECTION_CONFIG=b:\n  bearer-auth: {token: CANARYMISSPELT1}\n"]}}]"#;
    for (name, text) in [("docker-compose.yml", compose), ("inspect.json", inspect)] {
        let dir = crate::util::temp_dir("secrets-misspelt-config");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        let path = path.to_str().expect("utf-8");
        for format in ["human", "json", "concise", "github", "sarif", "gitlab"] {
            let out = run(
                &["check", "--skip-file-checks", "--format", format, path],
                None,
                &[],
            );
            assert_ne!(out.code, 0, "{name} {format}");
            assert!(
                !out.stdout.contains("CANARYMISSPELT1") && !out.stderr.contains("CANARYMISSPELT1"),
                "{name} {format}:\n{}",
                out.stdout
            );
        }
    }
}

/// `explain`'s trust-store section goes through the run's redactor: a store whose file name is
/// also a password of the config shows masked there (its path, where it was checked), as in the
/// rows that refer to it.
#[test]
fn no_secret_in_the_trust_store_section() {
    let canary = "CANARY9store";
    let dir = crate::util::temp_dir("secrets-store-section");
    let ca =
        std::fs::read_to_string(crate::util::manifest_dir().join("fixtures/secrets/root_ca.crt"))
            .expect("fixture CA");
    std::fs::write(dir.join(format!("{canary}.pem")), ca.repeat(4)).expect("write");
    let yaml = format!(
        "a:\n  base-url: https://a.example.org/fhir\n  trusted-root-certificates-file: {canary}.pem\n  basic-auth:\n    username: u\n    password: {canary}\n"
    );
    let base = dir.display().to_string();
    for format in ["human", "json"] {
        let out = run(
            &[
                "explain",
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
        assert_ne!(out.code, 101, "{}", out.stderr);
        let text = out.stdout + &out.stderr;
        // the section is there (so the test looks at it) and holds no secret
        assert!(
            text.contains("trust_stores") || text.contains("[1] "),
            "{format}: {text}"
        );
        assert!(!text.contains(canary), "{format} leaks the secret:\n{text}");
    }
}

/// What compose substitutes for a secret-named variable is as secret as its value: the default,
/// alternative or message inside `${DB_PASSWORD:-...}` (also nested, also in `.env` and an
/// `env_file`), landing in a setting that is not secret, shows in no output (check in every
/// format, explain, `--diff`), neither as the config's value nor in the compose file's text.
#[test]
fn no_secret_from_a_secret_variables_default() {
    let dir = crate::util::temp_dir("secrets-variable-defaults");
    let compose = "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.0.0\n    env_file: bpe.env\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        a:\n          base-url: https://h.example.org/fhir\n          connect-timeout: ${DB_PASSWORD:-CANARYdef1}\n          read-timeout: \"${API_TOKEN-CANARYdef2}\"\n          test-connection-on-startup: ${X_SECRET:+CANARYdef3}\n        b:\n          base-url: https://h.example.org/fhir\n          connect-timeout: ${HOST_A:-${DB_PASS:-CANARYdef4}}\n          read-timeout: ${FROM_DOTENV}\n  bpe2:\n    image: ghcr.io/datasharingframework/bpe:2.0.0\n    environment:\n      - \"DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG=a:\\n  base-url: https://h.example.org/fhir\\n  connect-timeout: ${DB_PASSWORD:-CANARY\\x41def8}\\n\"\n";
    std::fs::write(dir.join("compose.yaml"), compose).expect("write");
    std::fs::write(
        dir.join(".env"),
        "X_SECRET=CANARYenv5\nFROM_DOTENV=${MY_PASSWORD:-CANARYdef6}\n",
    )
    .expect("write");
    std::fs::write(dir.join("bpe.env"), "OTHER=${CLIENT_SECRET:-CANARYdef7}\n").expect("write");
    let file = dir.join("compose.yaml").display().to_string();
    let folder = dir.display().to_string();
    let mut outputs = every_output_of_file(&file);
    outputs.extend(every_output_of_file(&folder));
    let diff = run(&["check", "--skip-file-checks", "--diff", &file], None, &[]);
    outputs.push(("--diff".into(), diff.stdout + &diff.stderr));
    let mut seen_error = false;
    for (what, text) in outputs {
        seen_error |= text.contains("connect-timeout");
        assert!(!text.contains("CANARY"), "{what} shows the secret:\n{text}");
    }
    // the values are reported (so the outputs do show what is wrong with them)
    assert!(seen_error);
}
