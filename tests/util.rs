//! Test helpers: run the real binary with a clean environment, temp dirs, JSON access.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run `dsf-connections` in the crate root with an empty environment plus `env`: a stray
/// `DEFAULT_*`, `DEV_DSF_*` or `NO_COLOR` on a developer's machine cannot change a result.
pub fn run(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dsf-connections"));
    cmd.args(args)
        .current_dir(manifest_dir())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn dsf-connections");
    if let (Some(mut pipe), Some(input)) = (child.stdin.take(), stdin) {
        // a run that stops before reading its input (a usage error) closes the pipe early
        if let Err(e) = pipe.write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    let out = child.wait_with_output().expect("wait");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `check --format json --skip-file-checks -` on `yaml`: exit code and the parsed JSON.
pub fn check_json(yaml: &[u8]) -> (i32, Value) {
    json_of(run(
        &["check", "--format", "json", "--skip-file-checks", "-"],
        Some(yaml),
        &[],
    ))
}

pub fn json_of(out: Out) -> (i32, Value) {
    let json: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", out.stdout, out.stderr));
    (out.code, json)
}

pub fn diagnostics(json: &Value) -> &Vec<Value> {
    json["diagnostics"].as_array().expect("diagnostics array")
}

pub fn codes(json: &Value) -> Vec<String> {
    diagnostics(json)
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A fresh directory under the system temp dir, removed (with what the test wrote) when the
/// test is done with it.
pub fn temp_dir(tag: &str) -> TempDir {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dsf-connections-test-{}-{}-{tag}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    TempDir(dir)
}

pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl AsRef<std::path::Path> for TempDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One snapshot of a whole run, in the style of ruff's insta-cmd snapshots: the command line,
/// the exit code, standard output and standard error together. Invisible differences are made
/// visible, since insta compares snapshots with `\r\n` turned into `\n` and trailing white space
/// trimmed: a carriage return is `␍`, an escape character `␛`, and an output that does not end
/// with a line break says so.
pub fn transcript(args: &[&str], out: &Out) -> String {
    fn section(name: &str, text: &str) -> String {
        let mut s = format!("----- {name} -----\n");
        s.push_str(&text.replace('\r', "␍").replace('\u{1b}', "␛"));
        if !text.is_empty() && !text.ends_with('\n') {
            s.push_str("\n[no line break at the end]\n");
        }
        s
    }
    format!(
        "$ dsf-connections {}\nexit code: {}\n{}{}----- end -----\n",
        args.join(" "),
        out.code,
        section("stdout", &out.stdout),
        section("stderr", &out.stderr)
    )
}

/// The version the binary names (`0.1.0 (3f2a9c1d7e4b 2026-11-30)` in a git checkout).
pub fn version() -> String {
    let out = run(&["--version"], None, &[]);
    out.stdout
        .trim()
        .strip_prefix("dsf-connections ")
        .unwrap_or_else(|| panic!("--version: {:?}", out.stdout))
        .to_string()
}

/// Replace every run of ASCII digits followed by `suffix` (and then no letter) with `[N]`, the
/// blanks before the digits (right-aligned columns) with one.
pub fn numbers_before(text: &str, suffix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(suffix) {
        let (head, tail) = rest.split_at(at);
        let after = &tail[suffix.len()..];
        let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let boundary = !after.starts_with(|c: char| c.is_ascii_alphanumeric());
        if digits > 0 && boundary {
            let head = &head[..head.len() - digits];
            let trimmed = head.trim_end_matches(' ');
            out.push_str(trimmed);
            if trimmed.len() < head.len() {
                out.push(' ');
            }
            out.push_str("[N]");
        } else {
            out.push_str(head);
        }
        out.push_str(suffix);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `2026-12-30` as `[DATE]`, `05:06:22` as `[TIME]`.
pub fn dates_and_times(text: &str) -> String {
    let b = text.as_bytes();
    let shape = |at: usize, pattern: &[u8]| {
        b.len() >= at + pattern.len()
            && pattern.iter().enumerate().all(|(i, p)| match p {
                b'd' => b[at + i].is_ascii_digit(),
                p => b[at + i] == *p,
            })
            && !b.get(at + pattern.len()).is_some_and(u8::is_ascii_digit)
            && (at == 0 || !b[at - 1].is_ascii_digit())
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if shape(i, b"dddd-dd-dd") {
            out.push_str("[DATE]");
            i += 10;
        } else if shape(i, b"dd:dd:dd") {
            out.push_str("[TIME]");
            i += 8;
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[test]
fn normalisers_replace_only_numbers() {
    assert_eq!(
        numbers_before("ok in 53 ms: a\n  ✓   6 ms  x 12 msg 7ms", " ms"),
        "ok in [N] ms: a\n  ✓ [N] ms  x 12 msg 7ms"
    );
    assert_eq!(
        dates_and_times("until 2026-12-30 05:06:22 UTC, 12026-12-30, 1:2:3"),
        "until [DATE] [TIME] UTC, 12026-12-30, 1:2:3"
    );
}
