//! One fixture per rule: `tests/fixtures/rules/<code>.yaml` makes the mistake of rule `<code>` the
//! way an operator would, and says at its top what the tool must report:
//!
//! ```text
//! # expect: <code> <pointer> <line>:<column>-<end_line>:<end_column>
//! # expect-bug: <code> <pointer> <line>:<column>-<end_line>:<end_column>
//! # expect-bug: not <code> <pointer> <line>:<column>-<end_line>:<end_column>
//! # expect-bug: <code> unreachable
//! # args: --base-dir {pki}
//! # env: NAME=value
//! ```
//!
//! `expect` is a diagnostic that must be reported exactly so (pointer `""` is the document;
//! positions as in the JSON output: 1-based, columns in characters, end exclusive). `expect-bug`
//! rows are known bugs of the tool, printed instead of failing: a diagnostic that should be
//! reported so but is not, one that is reported so but should not be (`not`), or a rule that no
//! input triggers (`unreachable`). `args` replaces the default `--skip-file-checks`; `env` lines
//! set variables for the run. `{pki}` (in the YAML, args and env) is a directory of generated
//! files, see [`pki_dir`].
//!
//! The directive lines are blanked (their line breaks kept, so line numbers are those of the
//! fixture file) and the rest goes to `check --format json <args> -` on standard input, so a
//! fixture of directives alone is a blank config. Every diagnostic reported must be expected (or
//! be a known bug's: any of a missing row's code, exactly a `not` row): a fixture triggers its rule
//! and, where unavoidable, the rules it lists besides.
//!
//! Each fixture's texts (messages, helps, labels, the summary and the human output) are pinned
//! by a snapshot, `tests/snapshots/tests__rule_fixtures__<code>.snap` (see [`texts`]).

use crate::pki::{self, PASSWORD, Usage};
use crate::util::{Out, TempDir, dates_and_times, manifest_dir, run, temp_dir, transcript};
use dsf_connections::rules::ALL;
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

const FIXTURES: &str = "tests/fixtures/rules";

/// A diagnostic as a fixture names it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expect {
    code: String,
    pointer: String,
    /// line, column, end line, end column
    range: [u64; 4],
}

impl Expect {
    /// `<code> <pointer> <line>:<column>-<end_line>:<end_column>`
    fn parse(s: &str) -> Result<Expect, String> {
        let parts: Vec<&str> = s.split_whitespace().collect();
        let [code, pointer, range] = parts[..] else {
            return Err(format!(
                "want `<code> <pointer> <l>:<c>-<l>:<c>`, got `{s}`"
            ));
        };
        let numbers: Vec<u64> = range
            .split(['-', ':'])
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| format!("bad range `{range}`"))?;
        let range: [u64; 4] = numbers
            .try_into()
            .map_err(|_| format!("bad range `{range}`"))?;
        Ok(Expect {
            code: code.to_string(),
            pointer: if pointer == "\"\"" {
                String::new()
            } else {
                pointer.to_string()
            },
            range,
        })
    }

    /// A diagnostic of the JSON output.
    fn of(d: &Value) -> Expect {
        let n = |k: &str| d[k].as_u64().unwrap_or(0);
        Expect {
            code: d["code"].as_str().unwrap_or_default().to_string(),
            pointer: d["pointer"].as_str().unwrap_or_default().to_string(),
            range: [n("line"), n("column"), n("end_line"), n("end_column")],
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let [l, c, el, ec] = self.range;
        let pointer = if self.pointer.is_empty() {
            "\"\""
        } else {
            &self.pointer
        };
        write!(f, "{} {pointer} {l}:{c}-{el}:{ec}", self.code)
    }
}

/// A known bug, as an `expect-bug` row names it.
enum Bug {
    /// Should be reported so, is not.
    Missing(Expect),
    /// Is reported so, should not be.
    Spurious(Expect),
    /// No input triggers the rule.
    Unreachable(String),
}

impl Bug {
    fn parse(s: &str) -> Result<Bug, String> {
        if let Some(rest) = s.strip_prefix("not ") {
            return Expect::parse(rest).map(Bug::Spurious);
        }
        match s.split_whitespace().collect::<Vec<_>>()[..] {
            [code, "unreachable"] => Ok(Bug::Unreachable(code.to_string())),
            _ => Expect::parse(s).map(Bug::Missing),
        }
    }

    fn code(&self) -> &str {
        match self {
            Bug::Missing(e) | Bug::Spurious(e) => &e.code,
            Bug::Unreachable(code) => code,
        }
    }
}

struct Fixture {
    expect: Vec<Expect>,
    bugs: Vec<Bug>,
    args: Option<Vec<String>>,
    env: Vec<(String, String)>,
    /// The fixture with its directive lines blanked.
    input: Vec<u8>,
}

/// Read the directives of the leading comment lines and blank them.
fn parse(bytes: &[u8]) -> Result<Fixture, String> {
    let mut f = Fixture {
        expect: Vec::new(),
        bugs: Vec::new(),
        args: None,
        env: Vec::new(),
        input: Vec::with_capacity(bytes.len()),
    };
    let mut header = true;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        header &= line.starts_with(b"#");
        let text = std::str::from_utf8(line).unwrap_or_default();
        let body = text.trim_end_matches(['\r', '\n']);
        let directive = header
            .then(|| body.strip_prefix("# "))
            .flatten()
            .and_then(|d| d.split_once(':'))
            .filter(|(name, _)| matches!(*name, "expect" | "expect-bug" | "args" | "env"));
        let Some((name, value)) = directive else {
            f.input.extend_from_slice(line);
            continue;
        };
        let value = value.trim();
        match name {
            "expect" => f.expect.push(Expect::parse(value)?),
            "expect-bug" => f.bugs.push(Bug::parse(value)?),
            "args" => f
                .args
                .get_or_insert_with(Vec::new)
                .extend(value.split_whitespace().map(String::from)),
            _ => {
                let (k, v) = value
                    .split_once('=')
                    .ok_or_else(|| format!("`# env:` wants NAME=value, got `{value}`"))?;
                f.env.push((k.to_string(), v.to_string()));
            }
        }
        f.input.extend_from_slice(&line[body.len()..]);
    }
    Ok(f)
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(i) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// A fixed set of files for the fixtures, by name under `{pki}` (fixtures pass `--base-dir {pki}`
/// and name them relatively, so positions do not depend on where the directory is). The password
/// of every encrypted key and PKCS#12 file is in `client.password`, except where a name says
/// otherwise. `ca/server_root_cas` is the built-in default trust store as `--base-dir` finds it.
fn pki_dir() -> TempDir {
    let dir = temp_dir("rule-fixtures");
    let ca = pki::ca();
    let leaf = |cn: &str, usage: Usage, from: i64, to: i64| pki::leaf(&ca, cn, usage, from, to);
    let client = leaf("client", Usage::Client, -1, 365);
    let expired = leaf("expired", Usage::Client, -400, -3);
    let future = leaf("not-yet-valid", Usage::Client, 5, 400);
    let soon = leaf("expires-soon", Usage::Client, -355, 10);
    let server = leaf("server", Usage::Server, -1, 365);
    let no_eku = leaf("no-eku", Usage::NoEku, -1, 365);
    let other = leaf("other", Usage::Client, -1, 365);
    let key = |l: &pki::Leaf| pki::encrypted_key(&l.key, PASSWORD).into_bytes();
    let chain = |l: &pki::Leaf| format!("{}{}", l.pem, ca.pem).into_bytes();
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "ca/server_root_cas/root_ca.pem",
            ca.pem.clone().into_bytes(),
        ),
        ("ca.crt", ca.pem.clone().into_bytes()),
        // a client certificate with its chain, its encrypted key, the password, as PKCS#12
        ("client.crt", chain(&client)),
        ("client.key", key(&client)),
        ("client.password", format!("{PASSWORD}\n").into_bytes()),
        ("client.p12", pki::pkcs12(&client, &ca, PASSWORD)),
        // the same, exported with another password
        (
            "client-other-password.p12",
            pki::pkcs12(&client, &ca, "another-password"),
        ),
        // the client certificate as DER, not PEM
        ("client.der", client.der.clone()),
        // the client key, but the certificate first in the file
        (
            "client-cert-first.key",
            format!(
                "{}{}",
                client.pem,
                pki::encrypted_key(&client.key, PASSWORD)
            )
            .into_bytes(),
        ),
        // another client's key
        ("other.key", key(&other)),
        // validity
        ("expired.crt", chain(&expired)),
        ("expired.key", key(&expired)),
        ("not-yet-valid.crt", chain(&future)),
        ("not-yet-valid.key", key(&future)),
        ("expires-soon.crt", chain(&soon)),
        ("expires-soon.key", key(&soon)),
        // usages: a TLS server certificate (no clientAuth), key usage without extended key usage
        ("server.crt", chain(&server)),
        ("server.key", key(&server)),
        ("no-eku.crt", chain(&no_eku)),
        ("no-eku.key", key(&no_eku)),
        // the client key as `openssl ec -des` writes it (legacy PEM, single DES)
        (
            "client-des.key",
            pki::legacy_des_encrypted_ec_key(&client.key, PASSWORD).into_bytes(),
        ),
        // a key as `openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES` writes it (PKCS#12 PBE)
        ("client-pbe-sha1-3des.key", pbe_sha1_3des_key()),
        // keys whose encryption asks for too much to run (`key-kdf-too-costly`): scrypt of 1 PiB,
        // PBKDF2 of 2^32 - 1 iterations, a PKCS#12 file of 50 keys of 1,000,000 iterations each
        (
            "client-scrypt-2-40.key",
            pki::costly::key(pki::costly::scrypt(1 << 40, 8, 1)),
        ),
        (
            "client-pbkdf2-max.key",
            pki::costly::key(pki::costly::pbkdf2(
                pkcs5::pbes2::Pbkdf2Prf::HmacWithSha256,
                u32::MAX,
            )),
        ),
        (
            "client-50-keys.p12",
            pki::costly::p12(
                Some(1_000_000),
                pki::costly::shrouded_bags(
                    (0..50)
                        .map(|_| {
                            pki::costly::pbkdf2(pkcs5::pbes2::Pbkdf2Prf::HmacWithSha256, 1_000_000)
                        })
                        .collect(),
                ),
                None,
            ),
        ),
        // plain files
        ("notes.txt", b"ask the admin for the CA file\n".to_vec()),
        ("empty.pem", Vec::new()),
        ("empty.password", Vec::new()),
        ("multiline.password", b"first-try\nsecond-try\n".to_vec()),
        (
            "blank-first-line.token",
            b"\neyJhbGciOiJSUzI1NiJ9\n".to_vec(),
        ),
        // `s\u{e4}cret` saved as ISO-8859-1
        ("latin1.secret", b"s\xe4cret\n".to_vec()),
        ("euro.password", "Pa55\u{20ac}\n".as_bytes().to_vec()),
        // a trust store folder holding a private key instead of a CA certificate
        (
            "ca/broken_root_cas/server.pem",
            server.key.serialize_pem().into_bytes(),
        ),
    ];
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create pki folder");
        }
        std::fs::write(&path, bytes).expect("write pki file");
    }
    std::fs::create_dir_all(dir.join("empty-folder")).expect("create empty folder");
    dir
}

/// A key file as `openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES` writes it: an encrypted PKCS#8 key with
/// pbeWithSHAAnd3-KeyTripleDES-CBC (1.2.840.113549.1.12.1.3), OpenSSL's default before 1.1. Only
/// the structure is OpenSSL's; the ciphertext is filler, as neither the tool nor this test
/// decrypts PKCS#12 PBE.
fn pbe_sha1_3des_key() -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let n = content.len();
        if n < 0x80 {
            out.push(n as u8);
        } else {
            out.extend_from_slice(&[0x81, n as u8]);
        }
        out.extend_from_slice(content);
        out
    }
    let oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];
    let params = tlv(
        0x30,
        &[tlv(0x04, &[0x5a; 8]), tlv(0x02, &[0x08, 0x00])].concat(),
    );
    let algorithm = tlv(0x30, &[tlv(0x06, &oid), params].concat());
    let ciphertext: Vec<u8> = (0u8..144).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
    let info = tlv(0x30, &[algorithm, tlv(0x04, &ciphertext)].concat());
    pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", info)).into_bytes()
}

fn fixture_path(code: &str) -> PathBuf {
    manifest_dir().join(FIXTURES).join(format!("{code}.yaml"))
}

/// Run `check FORMAT_ARGS <args> -` on a parsed fixture (its `{pki}` replaced by `pki`).
fn run_fixture(f: &Fixture, pki: &Path, format_args: &[&str]) -> Out {
    let dir = pki.display().to_string();
    let input = replace(&f.input, b"{pki}", dir.as_bytes());
    let mut args: Vec<String> = vec!["check".into()];
    args.extend(format_args.iter().map(|a| a.to_string()));
    args.extend(
        f.args
            .clone()
            .unwrap_or_else(|| vec!["--skip-file-checks".into()])
            .iter()
            .map(|a| a.replace("{pki}", &dir)),
    );
    args.push("-".into());
    let env: Vec<(String, String)> = f
        .env
        .iter()
        .map(|(k, v)| (k.clone(), v.replace("{pki}", &dir)))
        .collect();
    run(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(&input),
        &env.iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    )
}

/// Run one fixture; its failures, and the known bugs it still shows.
fn check(code: &str, pki: &Path, failures: &mut Vec<String>, bugs: &mut Vec<String>) {
    let path = fixture_path(code);
    let Ok(bytes) = std::fs::read(&path) else {
        failures.push(format!("{code}: no fixture {FIXTURES}/{code}.yaml"));
        return;
    };
    let f = match parse(&bytes) {
        Ok(f) => f,
        Err(e) => {
            failures.push(format!("{code}: bad directive: {e}"));
            return;
        }
    };
    let covered = f.expect.iter().any(|e| e.code == code)
        || f.bugs
            .iter()
            .any(|b| b.code() == code && !matches!(b, Bug::Spurious(_)));
    if !covered {
        failures.push(format!(
            "{code}: the fixture expects no `{code}` diagnostic"
        ));
    }
    let out = run_fixture(&f, pki, &["--format", "json"]);
    let json: Value = match serde_json::from_str(&out.stdout) {
        Ok(j) => j,
        Err(e) => {
            failures.push(format!(
                "{code}: no JSON output ({e}), exit {}: {}",
                out.code, out.stderr
            ));
            return;
        }
    };
    let reported: Vec<(Expect, String)> = json["diagnostics"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|d| {
            (
                Expect::of(d),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let listing = || {
        reported
            .iter()
            .map(|(e, m)| format!("\n      {e}  ({m})"))
            .collect::<String>()
    };
    for e in &f.expect {
        if !reported.iter().any(|(r, _)| r == e) {
            failures.push(format!("{code}: expected {e}; reported:{}", listing()));
        }
    }
    let is_reported = |e: &Expect| reported.iter().any(|(r, _)| r == e);
    for b in &f.bugs {
        bugs.push(match b {
            Bug::Missing(e) if is_reported(e) => format!(
                "{code}: `# expect-bug: {e}` is reported so now: make it `# expect:`"
            ),
            Bug::Missing(e) => format!("{code}: known bug: want {e}; reported:{}", listing()),
            Bug::Spurious(e) if is_reported(e) => {
                format!("{code}: known bug: reported, but should not be: {e}")
            }
            Bug::Spurious(e) => format!(
                "{code}: `# expect-bug: not {e}` is not reported any more: remove the row"
            ),
            Bug::Unreachable(c) if reported.iter().any(|(r, _)| &r.code == c) => format!(
                "{code}: `{c}` is reported now: replace `# expect-bug: {c} unreachable` by `# expect:` rows"
            ),
            Bug::Unreachable(c) => format!("{code}: known bug: no input triggers `{c}`"),
        });
    }
    // anything else reported must be a known bug's
    for (r, m) in &reported {
        let expected = f.expect.contains(r)
            || f.bugs.iter().any(|b| match b {
                Bug::Missing(e) => e.code == r.code,
                Bug::Spurious(e) => e == r,
                Bug::Unreachable(c) => c == &r.code,
            });
        if !expected {
            failures.push(format!("{code}: not expected: {r}  ({m})"));
        }
    }
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    let pki = pki_dir();
    let mut failures = Vec::new();
    let mut bugs = Vec::new();
    for rule in ALL {
        check(rule.name, &pki, &mut failures, &mut bugs);
    }
    let _ = std::fs::remove_dir_all(&pki);
    for b in &bugs {
        println!("{b}");
    }
    assert!(
        failures.is_empty(),
        "the fixtures of {} rules say otherwise than the tool:\n  {}",
        ALL.len(),
        failures.join("\n  ")
    );
}

#[test]
fn no_fixture_for_an_unknown_code() {
    let dir = manifest_dir().join(FIXTURES);
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/rules")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.strip_suffix(".yaml")
                .is_none_or(|code| dsf_connections::rules::find(code).is_none())
        })
        .collect();
    assert!(
        stale.is_empty(),
        "files in {FIXTURES} that are not `<code>.yaml` of a rule: {stale:?}"
    );
}

/// The texts of one fixture's run, pinned by a snapshot: each diagnostic of the JSON output
/// (code, pointer, range, severity, outcome, message, help), its primary label (from SARIF) and
/// related labels, the summary, then the human output (exit code, stdout and stderr). The
/// generated PKI's directory is written `{pki}`, dates `[DATE]`.
fn texts(code: &str, pki: &Path) -> String {
    let bytes = std::fs::read(fixture_path(code)).expect("fixture");
    let f = parse(&bytes).expect("directives");
    let json_out = run_fixture(&f, pki, &["--format", "json"]);
    let sarif_out = run_fixture(&f, pki, &["--format", "sarif"]);
    let human_args = ["--color", "never"];
    let human = run_fixture(&f, pki, &human_args);
    let json: Value = serde_json::from_str(&json_out.stdout)
        .unwrap_or_else(|e| panic!("{code}: not JSON ({e}): {}", json_out.stdout));
    let sarif: Value = serde_json::from_str(&sarif_out.stdout)
        .unwrap_or_else(|e| panic!("{code}: not SARIF ({e}): {}", sarif_out.stdout));
    let results = sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let diagnostics = json["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), diagnostics.len(), "{code}: SARIF and JSON");
    let s = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let place = |d: &Value| {
        format!(
            "{}:{}-{}:{}",
            d["line"], d["column"], d["end_line"], d["end_column"]
        )
    };
    let mut text = format!("exit code (json): {}\n", json_out.code);
    for (d, r) in diagnostics.iter().zip(&results) {
        assert_eq!(
            r["ruleId"], d["code"],
            "{code}: SARIF and JSON in one order"
        );
        text += &format!(
            "{} {} {} {} {}\n  message: {}\n  help: {}\n  label: {}\n",
            s(&d["code"]),
            Expect::of(d)
                .to_string()
                .split(' ')
                .nth(1)
                .unwrap_or_default(),
            place(d),
            s(&d["severity"]),
            s(&d["outcome"]),
            s(&d["message"]),
            s(&d["help"]),
            s(&r["locations"][0]["message"]["text"]),
        );
        for rel in d["related"].as_array().into_iter().flatten() {
            text += &format!(
                "  related: {} {} {}: {}\n",
                s(&rel["file"]),
                s(&rel["pointer"]),
                place(rel),
                s(&rel["message"])
            );
        }
    }
    text += &format!("summary: {}\n\n", json["summary"]);
    for (k, v) in &f.env {
        text += &format!("env: {k}={v}\n");
    }
    let fixture_args = f
        .args
        .clone()
        .unwrap_or_else(|| vec!["--skip-file-checks".into()]);
    let mut args: Vec<&str> = human_args.to_vec();
    args.insert(0, "check");
    args.extend(fixture_args.iter().map(String::as_str));
    args.push("-");
    text += &transcript(&args, &human);
    dates_and_times(&text.replace(&pki.display().to_string(), "{pki}"))
}

/// Every fixture's messages, helps and labels (and its human output) are pinned, one snapshot
/// per fixture (`tests/snapshots/tests__rule_fixtures__<code>.snap`). All fixtures are compared
/// before the test fails, so one run shows every change.
#[test]
fn every_fixture_pins_its_texts() {
    let pki = pki_dir();
    let mut changed = Vec::new();
    for rule in ALL {
        let text = texts(rule.name, &pki);
        let assert = std::panic::AssertUnwindSafe(|| {
            insta::assert_snapshot!(rule.name, text);
        });
        if std::panic::catch_unwind(assert).is_err() {
            changed.push(rule.name);
        }
    }
    assert!(
        changed.is_empty(),
        "the texts of {} fixtures changed: {changed:?}",
        changed.len()
    );
}
