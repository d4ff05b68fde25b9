//! One mistake per case: the diagnostic's code, pointer, line and column (1-based, characters),
//! and that the mistake yields exactly the expected number of diagnostics.

use crate::util::{check_json, codes, diagnostics};

struct Case {
    name: &'static str,
    yaml: &'static str,
    code: &'static str,
    pointer: &'static str,
    line: u64,
    column: u64,
    /// How many diagnostics the whole input yields.
    total: usize,
    exit: i32,
}

const fn case(
    name: &'static str,
    yaml: &'static str,
    code: &'static str,
    pointer: &'static str,
    line: u64,
    column: u64,
) -> Case {
    Case {
        name,
        yaml,
        code,
        pointer,
        line,
        column,
        total: 1,
        exit: 1,
    }
}

const CASES: &[Case] = &[
    case(
        "typo snake_case",
        "c:\n  base_url: https://x\n",
        "unknown-property",
        "/c/base_url",
        2,
        3,
    ),
    case(
        "typo camelCase",
        "c:\n  baseUrl: https://x\n",
        "unknown-property",
        "/c/baseUrl",
        2,
        3,
    ),
    case(
        "property at the wrong level",
        "c:\n  base-url: https://x\n  username: u\n",
        "unknown-property",
        "/c/username",
        3,
        3,
    ),
    case(
        "unknown property in a block",
        "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password_file: /p\n",
        "unknown-property",
        "/c/basic-auth/password_file",
        5,
        5,
    ),
    case(
        "duration 5s",
        "c:\n  base-url: https://x\n  connect-timeout: 5s\n",
        "invalid-duration",
        "/c/connect-timeout",
        3,
        20,
    ),
    case(
        "quoted number duration",
        "c:\n  base-url: https://x\n  read-timeout: '5'\n",
        "invalid-duration",
        "/c/read-timeout",
        3,
        17,
    ),
    case(
        "weeks",
        "c:\n  base-url: https://x\n  read-timeout: P1W\n",
        "invalid-duration",
        "/c/read-timeout",
        3,
        17,
    ),
    case(
        "duration in oidc-auth",
        "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    read-timeout: 10m\n",
        "invalid-duration",
        "/c/oidc-auth/read-timeout",
        7,
        19,
    ),
    case(
        "boolean y",
        "c:\n  base-url: https://x\n  test-connection-on-startup: y\n",
        "invalid-boolean",
        "/c/test-connection-on-startup",
        3,
        31,
    ),
    case(
        "quoted yes",
        "c:\n  base-url: https://x\n  enable-debug-logging: 'yes'\n",
        "invalid-boolean",
        "/c/enable-debug-logging",
        3,
        25,
    ),
    case(
        "float boolean",
        "c:\n  base-url: https://x\n  enable-debug-logging: 1.0\n",
        "invalid-boolean",
        "/c/enable-debug-logging",
        3,
        25,
    ),
    case(
        "password as number",
        "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: 1234\n",
        "secret-not-string",
        "/c/basic-auth/password",
        5,
        15,
    ),
    case(
        "token and token-file",
        "c:\n  base-url: https://x\n  bearer-auth:\n    token: t\n    token-file: /t\n",
        "conflicting-properties",
        "/c/bearer-auth/token-file",
        5,
        5,
    ),
    case(
        "missing base-url",
        "c:\n  read-timeout: PT1S\n",
        "missing-property",
        "/c",
        1,
        1,
    ),
    case(
        "base-url without value",
        "c:\n  base-url:\n",
        "missing-property",
        "/c/base-url",
        2,
        3,
    ),
    case(
        "blank base-url",
        "c:\n  base-url: '  '\n",
        "blank-value",
        "/c/base-url",
        2,
        13,
    ),
    case(
        "connection without settings",
        "c:\nd:\n  base-url: https://x\n",
        "connection-empty",
        "/c",
        1,
        1,
    ),
    case(
        "connection is a scalar",
        "c: https://x\n",
        "invalid-type",
        "/c",
        1,
        4,
    ),
    case(
        "empty cert-auth",
        "c:\n  base-url: https://x\n  cert-auth: {}\n",
        "missing-property",
        "/c/cert-auth",
        3,
        3,
    ),
    case(
        "empty bearer-auth",
        "c:\n  base-url: https://x\n  bearer-auth: {}\n",
        "missing-property",
        "/c/bearer-auth",
        3,
        3,
    ),
    case(
        "key without certificate",
        "c:\n  base-url: https://x\n  cert-auth:\n    private-key-file: /k\n    password: p\n",
        "missing-property",
        "/c/cert-auth/private-key-file",
        4,
        5,
    ),
    case(
        "key without password",
        "c:\n  base-url: https://x\n  cert-auth:\n    private-key-file: /k\n    certificate-file: /c\n",
        "missing-property",
        "/c/cert-auth",
        3,
        3,
    ),
    case(
        "username without password",
        "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n",
        "missing-property",
        "/c/basic-auth",
        3,
        3,
    ),
    case(
        "blank audience item",
        "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    required-audience: [a, '']\n",
        "blank-value",
        "/c/oidc-auth/required-audience/1",
        7,
        28,
    ),
    case(
        "dangling audience item",
        "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    required-audience:\n      - a\n      -\n",
        "blank-value",
        "/c/oidc-auth/required-audience/1",
        9,
        7,
    ),
    case(
        "audience as mapping",
        "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    required-audience: {a: b}\n",
        "invalid-type",
        "/c/oidc-auth/required-audience",
        7,
        24,
    ),
    case(
        "auth block as text",
        "c:\n  base-url: https://x\n  basic-auth: user\n",
        "invalid-type",
        "/c/basic-auth",
        3,
        15,
    ),
    case(
        "duration too large",
        "c:\n  base-url: https://x\n  read-timeout: P25D\n",
        "duration-too-large",
        "/c/read-timeout",
        3,
        17,
    ),
    case(
        "negative duration",
        "c:\n  base-url: https://x\n  connect-timeout: -5\n",
        "duration-negative",
        "/c/connect-timeout",
        3,
        20,
    ),
    case(
        "duplicate connection id",
        "c:\n  base-url: https://x\nc:\n  base-url: http://y\n",
        "duplicate-connection-id",
        "/c",
        3,
        1,
    ),
    case(
        "duplicate key",
        "c:\n  base-url: https://x\n  base-url: http://y\n",
        "yaml-duplicate-key",
        "/c/base-url",
        3,
        3,
    ),
    case(
        "alias",
        "a:\n  base-url: &u https://x\nb:\n  base-url: *u\n",
        "yaml-alias",
        "/b/base-url",
        4,
        13,
    ),
    case(
        "merge key",
        "b:\n  <<: {read-timeout: PT1S}\n  base-url: https://x\n",
        "yaml-merge-key",
        "/b/<<",
        2,
        3,
    ),
    case("null root", "~\n", "root-null", "", 1, 1),
    case("document separator alone", "---\n", "root-null", "", 1, 1),
    case(
        "list root",
        "- base-url: https://x\n",
        "root-not-mapping",
        "",
        1,
        1,
    ),
    case(
        "only comments",
        "# c:\n#   base-url: https://x\n",
        "root-no-content",
        "",
        1,
        1,
    ),
    case(
        "complex key",
        "? [a, b]\n: x\n",
        "yaml-complex-key",
        "",
        1,
        3,
    ),
    case(
        "tab indentation",
        "c:\n\tbase-url: https://x\n",
        "yaml-tab-indentation",
        "",
        2,
        1,
    ),
    case(
        "typographic quote",
        "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password-file: 'password.file’\n",
        "yaml-typographic-quote",
        "",
        5,
        20,
    ),
    case(
        "unclosed double quote",
        "c:\n  base-url: \"https://x\n",
        "yaml-syntax",
        "",
        2,
        13,
    ),
    case(
        "CRLF line endings",
        "c:\r\n  base-url: https://x\r\n  connect-timeout: 5s\r\n",
        "invalid-duration",
        "/c/connect-timeout",
        3,
        20,
    ),
    case(
        "flow style",
        "c: {base-url: https://h, connect-timeout: 5s}\n",
        "invalid-duration",
        "/c/connect-timeout",
        1,
        43,
    ),
    case(
        "multi-byte text before the error",
        "c: {base-url: 'https://häöü', connect-timeout: 5s}\n",
        "invalid-duration",
        "/c/connect-timeout",
        1,
        48,
    ),
    case(
        "literal block scalar",
        "c:\n  base-url: https://x\n  connect-timeout: |\n    5s\n",
        "invalid-duration",
        "/c/connect-timeout",
        4,
        5,
    ),
    case(
        "byte order mark",
        "\u{feff}c:\n  base-url: https://x\n  connect-timeout: 5s\n",
        "invalid-duration",
        "/c/connect-timeout",
        3,
        20,
    ),
    case(
        "id with slash and tilde",
        "a/b~c:\n  base-url: ''\n",
        "blank-value",
        "/a~1b~0c/base-url",
        2,
        13,
    ),
    Case {
        exit: 0,
        ..case(
            "second document",
            "c:\n  base-url: https://x\n---\nd: 1\n",
            "yaml-multiple-documents",
            "",
            3,
            1,
        )
    },
    Case {
        exit: 0,
        ..case(
            "spring placeholder",
            "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: 'a${b}'\n",
            "spring-placeholder",
            "/c/basic-auth/password",
            5,
            15,
        )
    },
    Case {
        exit: 0,
        ..case(
            "zero timeout",
            "c:\n  base-url: https://x\n  read-timeout: 0\n",
            "duration-zero",
            "/c/read-timeout",
            3,
            17,
        )
    },
];

#[test]
fn each_mistake_gives_one_diagnostic_at_the_right_place() {
    assert!(CASES.len() >= 25);
    let mut failures = Vec::new();
    for c in CASES {
        let (exit, json) = check_json(c.yaml.as_bytes());
        let diags = diagnostics(&json);
        let found = diags.iter().find(|d| d["code"] == c.code);
        let got = found.map(|d| {
            (
                d["pointer"].as_str().unwrap_or("?").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        });
        let want = Some((c.pointer.to_string(), c.line, c.column));
        if got != want || diags.len() != c.total || exit != c.exit {
            failures.push(format!(
                "{}: want {:?} exit {} total {}, got {:?} exit {} codes {:?}",
                c.name,
                want,
                c.exit,
                c.total,
                got,
                exit,
                codes(&json)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn related_labels_point_at_the_other_half() {
    // duplicate: related = first definition
    let (_, json) = check_json(b"c:\n  base-url: https://x\nc:\n  base-url: http://y\n");
    let d = &diagnostics(&json)[0];
    assert_eq!(d["related"][0]["line"], 1);
    assert_eq!(d["related"][0]["column"], 1);
    assert_eq!(d["related"][0]["message"], "first defined here");
    // conflict: related = the other key
    let (_, json) = check_json(
        b"c:\n  base-url: https://x\n  bearer-auth:\n    token: t\n    token-file: /t\n",
    );
    let d = &diagnostics(&json)[0];
    assert_eq!(d["related"][0]["pointer"], "/c/bearer-auth/token");
    assert_eq!(
        (
            d["related"][0]["line"].as_u64(),
            d["related"][0]["column"].as_u64()
        ),
        (Some(4), Some(5))
    );
    // the typographic quote: related = the offending character
    let (_, json) = check_json("c:\n  base-url: 'x’\n".as_bytes());
    let d = &diagnostics(&json)[0];
    assert_eq!(
        (d["column"].as_u64(), d["related"][0]["column"].as_u64()),
        (Some(13), Some(15))
    );
    assert!(d["message"].as_str().unwrap_or_default().contains("U+2019"));
}

#[test]
fn outcome_says_what_the_server_does() {
    let (_, json) = check_json(b"c:\n  base-url: https://x\n  bearer-auth: {}\n");
    assert_eq!(diagnostics(&json)[0]["outcome"], "does-not-start");
    let (_, json) = check_json(b"c:\n  base_url: https://x\n");
    assert_eq!(diagnostics(&json)[0]["outcome"], "no-connections");
    let (_, json) = check_json(b"~\n");
    assert_eq!(diagnostics(&json)[0]["outcome"], "does-not-start");
}

#[test]
fn typing_follows_yaml_1_1_and_the_property() {
    // all accepted by the server
    let ok = "c:\n  base-url: https://x\n  test-connection-on-startup: Yes\n  enable-debug-logging: 'TRUE'\n  connect-timeout: 010\n  read-timeout: 0.5\n  oidc-auth:\n    base-url: https://o\n    discovery-path: yes\n    client-id: 0x1F\n    client-secret: !!str 1234\n    required-audience: 42\n    verify-authorized-party: 0\n    connect-timeout: pt1,5s\n";
    let (exit, json) = check_json(ok.as_bytes());
    assert_eq!((exit, codes(&json)), (0, Vec::<String>::new()));
}

#[test]
fn alias_bomb_is_cheap() {
    let mut yaml = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let (exit, json) = check_json(yaml.as_bytes());
    assert_eq!(exit, 1);
    let c = codes(&json);
    assert_eq!(c.iter().filter(|c| *c == "yaml-alias").count(), 72);
    // each connection is a list, not a mapping of settings
    assert_eq!(c.iter().filter(|c| *c == "invalid-type").count(), 9);
}

#[test]
fn too_many_aliases_hit_the_limit() {
    let mut yaml = String::from("a:\n  base-url: &a https://x\nb: [");
    yaml.push_str(&vec!["*a"; 2000].join(","));
    yaml.push_str("]\n");
    let (exit, json) = check_json(yaml.as_bytes());
    assert_eq!((exit, codes(&json)), (1, vec!["input-limit".to_string()]));
    assert_eq!(diagnostics(&json)[0]["line"], 3);
}

#[test]
fn deep_nesting_hits_the_limit() {
    let yaml = format!("a: {}", "[".repeat(100_000));
    let (exit, json) = check_json(yaml.as_bytes());
    assert_eq!((exit, codes(&json)), (1, vec!["input-limit".to_string()]));
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let (exit, json) = check_json(b"c:\n  base-url: http://b\xe4r\n");
    let d = &diagnostics(&json)[0];
    assert_eq!(exit, 1);
    assert_eq!(d["code"], "input-not-utf8");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(21))
    );
}

#[test]
fn blank_input_is_valid_with_zero_connections_and_a_warning() {
    let (exit, json) = check_json(b"  \n\n");
    assert_eq!(exit, 0);
    assert_eq!(json["summary"]["connections"], 0);
    assert_eq!(codes(&json), vec!["config-blank".to_string()]);
}
