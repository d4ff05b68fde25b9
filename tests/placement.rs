//! Mistakes that were once missed or mis-placed (issue 6): each case asserts the code, pointer,
//! start and end of the diagnostic, and the server outcome where the mistake is one the server
//! accepts silently. Tabs point at the tab itself in every variant.

use crate::util::{check_json, diagnostics};
use serde_json::Value;

struct Case {
    name: &'static str,
    yaml: &'static str,
    code: &'static str,
    pointer: &'static str,
    /// (line, column, end line, end column), 1-based, end exclusive.
    at: (u64, u64, u64, u64),
    /// The expected outcome, when it matters.
    outcome: Option<&'static str>,
}

const fn case(
    name: &'static str,
    yaml: &'static str,
    code: &'static str,
    pointer: &'static str,
    at: (u64, u64, u64, u64),
) -> Case {
    Case {
        name,
        yaml,
        code,
        pointer,
        at,
        outcome: None,
    }
}

const fn silent(mut c: Case, outcome: &'static str) -> Case {
    c.outcome = Some(outcome);
    c
}

const CASES: &[Case] = &[
    // tabs: the diagnostic is on the tab, whatever precedes it
    case(
        "tab indenting a key after a scalar value",
        "c:\n  base-url: https://x\n\tread-timeout: PT5S\n",
        "yaml-tab-indentation",
        "",
        (3, 1, 3, 2),
    ),
    case(
        "tab indenting the first key of a block",
        "c:\n\tbase-url: https://x\n",
        "yaml-tab-indentation",
        "",
        (2, 1, 2, 2),
    ),
    case(
        "tab after spaces in the indentation",
        "c:\n  basic-auth:\n  \tusername: u\n",
        "yaml-tab-indentation",
        "",
        (3, 3, 3, 4),
    ),
    case(
        "tab inside a flow mapping",
        "c: {base-url: https://x,\tread-timeout: PT5S}\n",
        "yaml-tab-indentation",
        "",
        (1, 25, 1, 26),
    ),
    case(
        "tab after key:",
        "c:\n  base-url:\thttps://x\n",
        "yaml-tab-indentation",
        "",
        (2, 12, 2, 13),
    ),
    case(
        "tab alone on a line",
        "c:\n  base-url: https://x\n\t\n",
        "yaml-tab-indentation",
        "",
        (3, 1, 3, 2),
    ),
    case(
        "tab after a quoted value",
        "c:\n  base-url: 'https://x'\t\n",
        "yaml-tab-indentation",
        "",
        (2, 24, 2, 25),
    ),
    // what the server accepts and then gets wrong
    silent(
        case(
            "a path written as the password",
            "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: /run/secrets/basic.password\n",
            "secret-looks-like-path",
            "/c/basic-auth/password",
            (5, 15, 5, 42),
        ),
        "silently-wrong",
    ),
    silent(
        case(
            "a relative path written as the token",
            "c:\n  base-url: https://x\n  bearer-auth:\n    token: ./token.txt\n",
            "secret-looks-like-path",
            "/c/bearer-auth/token",
            (4, 12, 4, 23),
        ),
        "silently-wrong",
    ),
    silent(
        case(
            "milliseconds as a plain number",
            "c:\n  base-url: https://x\n  connect-timeout: 5000\n",
            "duration-milliseconds",
            "/c/connect-timeout",
            (3, 20, 3, 24),
        ),
        "silently-wrong",
    ),
    silent(
        case(
            "milliseconds in oidc-auth",
            "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    read-timeout: 60000\n",
            "duration-milliseconds",
            "/c/oidc-auth/read-timeout",
            (7, 19, 7, 24),
        ),
        "silently-wrong",
    ),
    silent(
        case(
            "one audience that is a list",
            "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    required-audience: fhir, account\n",
            "audience-looks-like-list",
            "/c/oidc-auth/required-audience",
            (7, 24, 7, 37),
        ),
        "silently-wrong",
    ),
    silent(
        case(
            "typographic quotes around a URL",
            "c:\n  base-url: “https://x/fhir”\n",
            "typographic-quotes",
            "/c/base-url",
            (2, 13, 2, 29),
        ),
        "silently-wrong",
    ),
    case(
        "typographic quotes around a file path",
        "c:\n  base-url: https://x\n  trusted-root-certificates-file: ‘/run/secrets/x’\n",
        "typographic-quotes",
        "/c/trusted-root-certificates-file",
        (3, 35, 3, 51),
    ),
    silent(
        case(
            "a block scalar keeps its line break in the URL",
            "c:\n  base-url: |\n    https://x\n",
            "invalid-url",
            "/c/base-url",
            (3, 5, 4, 1),
        ),
        "silently-wrong",
    ),
    // synonyms get a did-you-mean
    case(
        "url for base-url",
        "c:\n  url: https://x\n",
        "unknown-property",
        "/c/url",
        (2, 3, 2, 6),
    ),
    case(
        "server for base-url",
        "c:\n  server: https://x\n",
        "unknown-property",
        "/c/server",
        (2, 3, 2, 9),
    ),
    case(
        "clientId",
        "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    clientId: i\n    client-secret: s\n",
        "unknown-property",
        "/c/oidc-auth/clientId",
        (5, 5, 5, 13),
    ),
    case(
        "secret for client-secret",
        "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    secret: s\n",
        "unknown-property",
        "/c/oidc-auth/secret",
        (6, 5, 6, 11),
    ),
    // indentation in the operator's words
    case(
        "a key one space too deep",
        "c:\n  base-url: https://x\n   read-timeout: PT5S\n",
        "yaml-indentation",
        "",
        (3, 4, 3, 16),
    ),
    case(
        "a key one space too shallow",
        "c:\n  base-url: https://x\n read-timeout: PT5S\n",
        "yaml-indentation",
        "",
        (3, 2, 3, 14),
    ),
    case(
        "a value with `: ` under a block key is no indentation problem",
        "c:\n  basic-auth:\n    username: a: b\n",
        "yaml-syntax",
        "",
        (3, 16, 3, 17),
    ),
    case(
        "a value with `: ` in a list item, after multi-byte text",
        "c:\n  x:\n    - username: ä: b\n",
        "yaml-syntax",
        "",
        (3, 18, 3, 19),
    ),
    // classified by kind, not by words in the parser's message
    case(
        "NUL is not a tab",
        "c:\n  base-url: https://x\0y\n",
        "yaml-unprintable",
        "",
        (2, 22, 2, 23),
    ),
    case(
        "unknown escape",
        "c:\n  base-url: \"https://x\\q\"\n",
        "yaml-bad-escape",
        "",
        (2, 23, 2, 25),
    ),
    case(
        "bad hex escape",
        "c:\n  base-url: \"x\\xZZ\"\n",
        "yaml-bad-escape",
        "",
        (2, 15, 2, 19),
    ),
    case(
        "lone surrogate escape",
        "c:\n  base-url: \"x\\ud800\"\n",
        "yaml-bad-escape",
        "",
        (2, 15, 2, 21),
    ),
];

fn found(json: &Value, c: &Case) -> Option<String> {
    let all = diagnostics(json);
    let d = all.iter().find(|d| d["code"] == c.code);
    let Some(d) = d else {
        return Some(format!(
            "no {} in {:?}",
            c.code,
            all.iter().map(|d| d["code"].clone()).collect::<Vec<_>>()
        ));
    };
    let at = (
        d["line"].as_u64().unwrap_or(0),
        d["column"].as_u64().unwrap_or(0),
        d["end_line"].as_u64().unwrap_or(0),
        d["end_column"].as_u64().unwrap_or(0),
    );
    let mut problems = Vec::new();
    if d["pointer"] != c.pointer {
        problems.push(format!("pointer {} (want {})", d["pointer"], c.pointer));
    }
    if at != c.at {
        problems.push(format!("at {at:?} (want {:?})", c.at));
    }
    if let Some(o) = c.outcome
        && d["outcome"] != o
    {
        problems.push(format!("outcome {} (want {o})", d["outcome"]));
    }
    (!problems.is_empty()).then(|| format!("{}: {}", d["message"], problems.join(", ")))
}

#[test]
fn each_mistake_is_found_where_it_is() {
    let mut failures = Vec::new();
    for c in CASES {
        let (_, json) = check_json(c.yaml.as_bytes());
        if let Some(problem) = found(&json, c) {
            failures.push(format!("{}: {problem}", c.name));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn secrets_in_these_positions_stay_masked() {
    // the path-as-password is still the password: never shown
    let out = crate::util::run(
        &["check", "--skip-file-checks", "-"],
        Some(b"c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: /run/secrets/CANARY.password\n"),
        &[],
    );
    assert!(!out.stdout.contains("CANARY"), "{}", out.stdout);
    assert!(out.stdout.contains("password: ****"), "{}", out.stdout);
}

/// YAML ends an implicit key after 1,024 characters (the server's SnakeYAML too): a longer key
/// is named as such, over the whole key, not as a stray "simple key expect ':'".
#[test]
fn a_key_longer_than_yaml_allows_is_named() {
    // below a block key, and after a key with its value
    for yaml in [
        format!("c:\n  ä{}: x\n", "k".repeat(1100)),
        format!("c:\n  base-url: https://x\n  ä{}: x\n", "k".repeat(1100)),
    ] {
        let line = yaml.lines().count() as u64;
        let (code, json) = check_json(yaml.as_bytes());
        assert_eq!(code, 1);
        let all = diagnostics(&json);
        let d = all
            .iter()
            .find(|d| d["code"] == "yaml-syntax")
            .expect("a yaml-syntax diagnostic");
        assert!(
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("1101 characters") && m.contains("1,024")),
            "{d:#}"
        );
        let at: Vec<u64> = ["line", "column", "end_line", "end_column"]
            .iter()
            .map(|k| d[*k].as_u64().unwrap_or(0))
            .collect();
        assert_eq!(at, [line, 3, line, 1104]);
    }
}
