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
