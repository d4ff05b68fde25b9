//! Every branch of the schema-error mapping, each with the code, pointer and the exact text it
//! marks. The validator's version is pinned exactly; these tests are what keeps a future upgrade
//! from silently changing a branch.

use super::*;
use crate::diag::filter::{Filter, Sink};
use crate::model::instance;
use crate::yaml::{Limits, load};
use serde_json::{Map, Value, json};

/// Map the schema errors of the first connection of `yaml` against `schema`.
fn mapped_with(schema: &Schema, yaml: &str) -> Vec<(String, String, String)> {
    let doc = load(yaml, Limits::default()).expect("yaml");
    let root = doc.root.expect("root");
    let entry = &root.as_map().expect("map")[0];
    let id = entry.key_text().expect("id").to_string();
    let mut wrapper = Map::new();
    wrapper.insert(id, instance::connection(&entry.value));
    let wrapper = Value::Object(wrapper);
    let reported = HashSet::new();
    let ctx = MapCtx {
        file: 0,
        text: yaml,
        entry,
        schema,
        reported: &reported,
        quiet: false,
    };
    let mut sink = Sink::new(Filter {
        max: 1000,
        ..Filter::default()
    });
    map_errors(&ctx, schema.validator().iter_errors(&wrapper), &mut sink);
    let mut out: Vec<(String, String, String)> = sink
        .kept
        .iter()
        .map(|d| {
            (
                d.code().to_string(),
                d.pointer.clone(),
                yaml[d.primary.span.range()].to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn mapped(yaml: &str) -> Vec<(String, String, String)> {
    mapped_with(&Schema::bundled().expect("schema"), yaml)
}

fn one(code: &str, pointer: &str, text: &str) -> Vec<(String, String, String)> {
    vec![(code.into(), pointer.into(), text.into())]
}

#[test]
fn additional_properties_mark_each_key() {
    assert_eq!(
        mapped("c:\n  base-url: https://x\n  base_url: y\n  zzz: 1\n"),
        vec![
            (
                "unknown-property".into(),
                "/c/base_url".into(),
                "base_url".into()
            ),
            ("unknown-property".into(), "/c/zzz".into(), "zzz".into()),
        ]
    );
    assert_eq!(
        mapped(
            "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: p\n    pasword: q\n"
        ),
        one("unknown-property", "/c/basic-auth/pasword", "pasword")
    );
}

#[test]
fn a_typo_is_not_also_a_missing_property() {
    // `base_url` stands for the missing `base-url`: one diagnostic, not two
    assert_eq!(
        mapped("c:\n  base_url: https://x\n"),
        one("unknown-property", "/c/base_url", "base_url")
    );
    // ... also when the missing one is asked for by an anyOf
    assert_eq!(
        mapped("c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    pasword: p\n"),
        one("unknown-property", "/c/basic-auth/pasword", "pasword")
    );
}

#[test]
fn required_marks_the_block_key_or_the_empty_value() {
    assert_eq!(
        mapped("c:\n  read-timeout: PT5S\n"),
        one("missing-property", "/c", "c")
    );
    assert_eq!(
        mapped("c:\n  base-url:\n"),
        one("missing-property", "/c/base-url", "base-url")
    );
}

#[test]
fn dependent_required_marks_the_property_that_asks() {
    assert_eq!(
        mapped(
            "c:\n  base-url: https://x\n  cert-auth:\n    private-key-file: k\n    password: p\n"
        ),
        one(
            "missing-property",
            "/c/cert-auth/private-key-file",
            "private-key-file"
        )
    );
}

#[test]
fn any_of_with_and_without_annotation() {
    // annotated: the server would not start (a PEM key without a password; a `p12-file` alone
    // is judged by what the JDK finds in it, `rules::key_material`)
    let got = mapped(
        "c:\n  base-url: https://x\n  cert-auth:\n    private-key-file: k\n    certificate-file: c\n",
    );
    assert_eq!(got, one("missing-property", "/c/cert-auth", "cert-auth"));
    // not annotated: one of the alternatives is needed
    assert_eq!(
        mapped("c:\n  base-url: https://x\n  basic-auth:\n    username: u\n"),
        one("missing-property", "/c/basic-auth", "basic-auth")
    );
}

#[test]
fn min_properties_is_an_empty_block() {
    assert_eq!(
        mapped("c:\n  base-url: https://x\n  bearer-auth: {}\n"),
        one("missing-property", "/c/bearer-auth", "bearer-auth")
    );
}

#[test]
fn false_schema_is_a_conflict_on_both_keys() {
    let got =
        mapped("c:\n  base-url: https://x\n  bearer-auth:\n    token: t\n    token-file: f\n");
    assert_eq!(
        got,
        one(
            "conflicting-properties",
            "/c/bearer-auth/token-file",
            "token-file"
        )
    );
}

#[test]
fn type_and_pattern_by_place() {
    let cases: &[(&str, (&str, &str, &str))] = &[
        ("c:\n", ("connection-empty", "/c", "c")),
        ("c: https://x\n", ("invalid-type", "/c", "https://x")),
        (
            "c:\n  base-url: https://x\n  enable-debug-logging: y\n",
            ("invalid-boolean", "/c/enable-debug-logging", "y"),
        ),
        (
            "c:\n  base-url: https://x\n  read-timeout: 5s\n",
            ("invalid-duration", "/c/read-timeout", "5s"),
        ),
        (
            "c:\n  base-url: https://x\n  bearer-auth:\n    token: 1234\n",
            ("secret-not-string", "/c/bearer-auth/token", "1234"),
        ),
        (
            "c:\n  base-url: https://x\n  bearer-auth:\n    token: {a: b}\n",
            ("invalid-type", "/c/bearer-auth/token", "{a: b}"),
        ),
        (
            "c:\n  base-url: ' '\n",
            ("blank-value", "/c/base-url", "' '"),
        ),
        (
            "c:\n  base-url: https://x\n  basic-auth: text\n",
            ("invalid-type", "/c/basic-auth", "text"),
        ),
        (
            "c:\n  base-url: [a]\n",
            ("invalid-type", "/c/base-url", "[a]"),
        ),
        (
            "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    required-audience: [a, '']\n",
            ("blank-value", "/c/oidc-auth/required-audience/1", "''"),
        ),
        (
            "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    required-audience: [a, [b]]\n",
            ("invalid-type", "/c/oidc-auth/required-audience/1", "[b]"),
        ),
    ];
    let mut failures = Vec::new();
    for (yaml, want) in cases {
        let got = mapped(yaml);
        let want = vec![(want.0.to_string(), want.1.to_string(), want.2.to_string())];
        if got != want {
            failures.push(format!("{yaml:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn any_other_keyword_is_an_invalid_value() {
    let schema = Schema::from_document(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "additionalProperties": {"properties": {"read-timeout": {"maximum": 10}}}
    }))
    .expect("schema");
    assert_eq!(
        mapped_with(&schema, "c:\n  read-timeout: 11\n"),
        one("invalid-value", "/c/read-timeout", "11")
    );
}

#[test]
fn a_false_schema_outside_dependent_schemas_is_not_allowed_here() {
    let schema = Schema::from_document(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "additionalProperties": {"properties": {"x": false}}
    }))
    .expect("schema");
    assert_eq!(
        mapped_with(&schema, "c:\n  x: 1\n"),
        one("invalid-value", "/c/x", "x")
    );
}

#[test]
fn a_conflict_also_marks_the_other_key() {
    let yaml = "c:\n  base-url: https://x\n  bearer-auth:\n    token: t\n    token-file: f\n";
    let doc = load(yaml, Limits::default()).expect("yaml");
    let root = doc.root.expect("root");
    let entry = &root.as_map().expect("map")[0];
    let schema = Schema::bundled().expect("schema");
    let mut wrapper = Map::new();
    wrapper.insert("c".into(), instance::connection(&entry.value));
    let reported = HashSet::new();
    let ctx = MapCtx {
        file: 0,
        text: yaml,
        entry,
        schema: &schema,
        reported: &reported,
        quiet: false,
    };
    let mut sink = Sink::new(Filter {
        max: 10,
        ..Filter::default()
    });
    map_errors(
        &ctx,
        schema.validator().iter_errors(&Value::Object(wrapper)),
        &mut sink,
    );
    let d = &sink.kept[0];
    assert_eq!(&yaml[d.related[0].span.range()], "token");
    assert_eq!(
        d.related[0].pointer.as_deref(),
        Some("/c/bearer-auth/token")
    );
}
