use super::*;
use crate::compose::embed::scalar;
use crate::diag::{Applicability, Edit};
use crate::source::SourceFile;
use crate::yaml::{Limits, load};

/// The compose-like `text` (`e:` holding one value `K`) as host and embedded source, then
/// `find` in the embedded text replaced by `with`: the host text after the fix, or why not.
fn fix_in(text: &str, interpolated: bool, find: &str, with: &str) -> Result<String, String> {
    let doc = load(text, Limits::default()).map_err(|e| format!("{e:?}"))?;
    let root = doc.root.ok_or("no root")?;
    let e = &root.as_map().unwrap_or_default()[0].value;
    let node = match e.as_map() {
        Some(m) => m[0].value.clone(),
        None => e.clone(),
    };
    let decoded = node
        .as_scalar()
        .map(|s| s.value.to_string())
        .unwrap_or_default();
    let m = scalar(text, &node, &decoded);
    let map = m.map.clone().with_encoding(m.map.encoding(), interpolated);
    let mut db = SourceDb::default();
    let host = db.add(SourceFile::new("c.yml", SourceKind::File, text.to_string()));
    let inner = db.add(SourceFile::new(
        "c.yml",
        SourceKind::Embedded { host, map },
        m.text.clone(),
    ));
    let at = m.text.find(find).ok_or("not found")?;
    let fix = Fix::replace(
        Applicability::Safe,
        "t",
        Span::new(at, at + find.len()),
        with,
    );
    let edits = host_edits(&db, inner, &fix).map_err(|t| t.own_words().unwrap_or_default())?;
    apply(text, &edits).map_err(|t| t.own_words().unwrap_or_default())
}

/// The value `K` decoded again from the fixed host text.
fn decoded(text: &str) -> String {
    let doc = load(text, Limits::default()).expect("parses");
    let root = doc.root.expect("root");
    let e = &root.as_map().expect("map")[0].value;
    let node = match e.as_map() {
        Some(m) => m[0].value.clone(),
        None => e.clone(),
    };
    node.as_scalar()
        .map(|s| s.value.to_string())
        .unwrap_or_default()
}

#[test]
fn literal_blocks_get_their_indentation() {
    let text = "e:\n  K: |\n    a:\n      t: 5s\n    b: 1\n";
    let out = fix_in(text, false, "5s", "PT5S").expect("fixed");
    assert_eq!(out, "e:\n  K: |\n    a:\n      t: PT5S\n    b: 1\n");
    let out = fix_in(text, false, "t: 5s", "t:\n  - x\n  - y").expect("fixed");
    assert_eq!(decoded(&out), "a:\n  t:\n  - x\n  - y\nb: 1\n");
    // CRLF stays CRLF
    let text = "e:\r\n  K: |\r\n    a: 1\r\n";
    let out = fix_in(text, false, "1", "[x,\ny]").expect("fixed");
    assert_eq!(out, "e:\r\n  K: |\r\n    a: [x,\r\n    y]\r\n");
}

#[test]
fn quoted_values_are_escaped() {
    let text = "e:\n  K: \"a: 5s\"\n";
    let out = fix_in(text, false, "5s", "x\"\\\ny").expect("fixed");
    assert_eq!(decoded(&out), "a: x\"\\\ny");
    let text = "e:\n  K: 'a: 5s'\n";
    let out = fix_in(text, false, "5s", "it's").expect("fixed");
    assert_eq!(out, "e:\n  K: 'a: it''s'\n");
    assert_eq!(decoded(&out), "a: it's");
    assert!(fix_in(text, false, "5s", "a\nb").is_err());
}

#[test]
fn compose_dollars_are_doubled() {
    let text = "e:\n  K: |\n    p: x\n";
    let out = fix_in(text, true, "x", "pa$word").expect("fixed");
    assert_eq!(out, "e:\n  K: |\n    p: pa$$word\n");
}

#[test]
fn folded_blocks_refuse_line_breaks() {
    let text = "e:\n  K: >\n    a: 5s\n";
    let why = fix_in(text, false, "5s", "x\ny").expect_err("refused");
    assert!(why.contains("folded"), "{why}");
    assert_eq!(
        fix_in(text, false, "5s", "PT5S").expect("fixed"),
        "e:\n  K: >\n    a: PT5S\n"
    );
}

#[test]
fn escapes_are_not_rewritten() {
    let text = "e:\n  K: \"a:\\tb\"\n";
    assert!(fix_in(text, false, "\t", " ").is_err());
}

#[test]
fn apply_refuses_overlaps_and_keeps_the_rest() {
    let e = |s, t, r: &str| HostEdit {
        file: 0,
        span: Span::new(s, t),
        replacement: r.to_string(),
    };
    assert_eq!(
        apply("abcdef", &[e(4, 5, "E"), e(0, 1, "A")]).ok(),
        Some("AbcdEf".to_string())
    );
    assert!(apply("abcdef", &[e(0, 3, "x"), e(2, 4, "y")]).is_err());
    assert!(overlaps(&[e(2, 2, "x")], &[e(2, 3, "y")]));
    assert!(!overlaps(&[e(0, 2, "x")], &[e(2, 3, "y")]));
}

#[test]
fn file_edits_keep_crlf() {
    let mut db = SourceDb::default();
    let f = db.add(SourceFile::new(
        "c.yaml",
        SourceKind::File,
        "a: 1\r\nb: 2\r\n".to_string(),
    ));
    let fix = Fix {
        description: Text::from("t"),
        applicability: Applicability::Safe,
        edits: vec![Edit::replace(Span::new(3, 4), "\n- x\n- y")],
    };
    let edits = host_edits(&db, f, &fix).expect("maps");
    assert_eq!(edits[0].replacement, "\r\n- x\r\n- y");
}
