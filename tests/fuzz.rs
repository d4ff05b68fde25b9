//! A bounded mutation fuzzer, run by `cargo test`: configs from the fixtures, mutated with the
//! characters and shapes that broke YAML tools before (tabs, quotes, escapes, control and
//! multi-byte characters, line breaks of every kind, brackets, anchors, deep nesting), are
//! checked in-process. For every input: no panic, every span on a character boundary inside its
//! source, the JSON output parses, no raw control character in human output, and secret canaries
//! written before the mutated part appear in no output.
//!
//! It is deterministic (a fixed seed), 400 cases, some 20 seconds in a debug build. For a longer run:
//!     FUZZ_CASES=200000 FUZZ_SEED=7 cargo test --release --test tests fuzz -- --nocapture

use dsf_connections::app::{Io, run};
use std::ffi::OsString;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const PIECES: &[&str] = &[
    "\t",
    " ",
    "\n",
    "\r",
    "\r\n",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    ":",
    ": ",
    "- ",
    "'",
    "\"",
    "\\",
    "\\e",
    "\\x4",
    "\\u12",
    "#",
    "&a ",
    "*a",
    "!!str ",
    "!!bool ",
    "!x ",
    "<<: ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "?",
    "|",
    ">-",
    "---\n",
    "...\n",
    "%YAML 2.0\n",
    "\u{1b}[2J",
    "\u{7}",
    "\0",
    "\u{202e}",
    "ä",
    "😀",
    "’",
    "“",
    "${X}",
    "#{y}",
    "~",
    "null",
    "yes",
    "y",
    "010",
    "1:30",
    ".inf",
    "5s",
    "P1W",
    "PT0S",
    "-PT1S",
    "99999999999999999999d",
    "https://u:p@h/",
    "base-url",
    "password",
    "token",
    "client-secret",
    "cert-auth:\n",
    "oidc-auth:\n",
    "  ",
    "    ",
];

const SEEDS: &[&str] = &[
    include_str!("../fixtures/example.yaml"),
    include_str!("../fixtures/valid.yaml"),
    include_str!("fixtures/dsf-server-tests/valid-9-connections.yaml"),
    include_str!("fixtures/explain/every-method.yaml"),
    "c: {base-url: https://x, read-timeout: PT5S, basic-auth: {username: u, password: p}}\n",
];

const CANARY: &str = "CANARYfuzz";

/// Secret-like places for the canary, written before everything else.
const CANARY_PLACES: &[&str] = &[
    "s0:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: 'CANARYfuzz'\n",
    "s1:\n  base-url: https://x\n  bearer-auth:\n    token: CANARYfuzz\n      CANARYfuzz\n",
    "s2:\n  base-url: https://user:CANARYfuzz@x/fhir\n",
    "s3:\n  base-url: https://x\n  oidc-auth:\n    client-secert: CANARYfuzz\n",
    "s4:\n  base-url: https://x\n  basic-auth:\n    pssword: \"CANARYfuzz\"\n",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(s.len() + 1);
        match rng.below(6) {
            0 | 1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                s.splice(at..at, piece.chars());
            }
            2 => {
                let end = (at + rng.below(20)).min(s.len());
                s.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(40)).min(s.len());
                let copy: Vec<char> = s[at..end].to_vec();
                let to = rng.below(s.len() + 1);
                s.splice(to..to, copy);
            }
            4 => {
                // deep nesting
                let n = rng.below(80);
                s.splice(at..at, std::iter::repeat_n('[', n));
            }
            _ => {
                let end = (at + 1).min(s.len());
                let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('?');
                s.splice(at..end, [c]);
            }
        }
    }
    s.into_iter().collect()
}

fn run_tool(args: &[&str], stdin: &str) -> (u8, String) {
    let mut input = stdin.as_bytes();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let env = |_: &str| Ok(None);
    let status = {
        let mut io = Io {
            stdin: &mut input,
            stdout: &mut out,
            stderr: &mut err,
            env: &env,
            env_names: &Vec::new,
            stdout_is_terminal: false,
            stderr_is_terminal: false,
        };
        let argv: Vec<OsString> = std::iter::once("dsf-connections")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        run(argv, &mut io)
    };
    out.extend_from_slice(&err);
    (status.code(), String::from_utf8_lossy(&out).into_owned())
}

/// Spans of every diagnostic lie inside their source and on character boundaries.
fn spans_are_sound(text: &str) -> Result<(), String> {
    use dsf_connections::check::Checker;
    use dsf_connections::diag::filter::{Filter, Sink};
    use dsf_connections::source::{SourceDb, SourceFile, SourceKind};
    let mut db = SourceDb::default();
    let mut found = Vec::new();
    let defaults = dsf_connections::defaults::read(&|_: &str| None, &mut db, &mut found);
    let mut checker = Checker::new(
        dsf_connections::files::FileOptions {
            skip: true,
            ..Default::default()
        },
        defaults,
    )?;
    let file = db.add(SourceFile::new(
        "fuzz",
        SourceKind::Stdin { named: false },
        text.to_string(),
    ));
    let mut sink = Sink::new(Filter {
        max: 10_000,
        ..Filter::default()
    });
    let checked = checker.check(file, db.get(file), &mut sink);
    let labels = sink
        .kept
        .iter()
        .flat_map(|d| std::iter::once(&d.primary).chain(d.related.iter()));
    for l in labels {
        let src = &db.get(l.file).text;
        if l.span.end > src.len()
            || !src.is_char_boundary(l.span.start)
            || !src.is_char_boundary(l.span.end)
        {
            return Err(format!(
                "label {:?} outside or inside a character of {} bytes",
                l.span,
                src.len()
            ));
        }
    }
    for s in &checked.secrets {
        if s.end > text.len() || !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
            return Err(format!("secret span {s:?} not on character boundaries"));
        }
    }
    Ok(())
}

fn no_raw_controls(text: &str) -> bool {
    !text.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
    })
}

#[test]
fn mutated_configs_never_break_the_tool() {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED);
    let mut rng = Rng(seed | 1);
    let mut failures = Vec::new();
    for case in 0..cases {
        let canary = CANARY_PLACES[rng.below(CANARY_PLACES.len())];
        let seed_text = SEEDS[rng.below(SEEDS.len())];
        let body = mutate(&mut rng, seed_text);
        let input = format!("{canary}{body}");
        let result = std::panic::catch_unwind(|| {
            let mut problems = Vec::new();
            if let Err(e) = spans_are_sound(&input) {
                problems.push(e);
            }
            let (code, json) = run_tool(
                &["check", "--format", "json", "--skip-file-checks", "-"],
                &input,
            );
            if serde_json::from_str::<serde_json::Value>(&json).is_err() && code != 2 {
                problems.push(format!("JSON does not parse (exit {code})"));
            }
            for args in [
                &["check", "--color", "never", "--skip-file-checks", "-"][..],
                &["explain", "--color", "never", "--skip-file-checks", "-"],
            ] {
                let (_, text) = run_tool(args, &input);
                if !no_raw_controls(&text) {
                    problems.push(format!("{args:?}: raw control character in human output"));
                }
                if text.contains(CANARY) {
                    problems.push(format!("{args:?}: the canary leaks"));
                }
            }
            // the fixes: no panic, and a diff (context lines too) masks what a snippet masks
            let (_, diffed) = run_tool(
                &[
                    "check",
                    "--diff",
                    "--unsafe-fixes",
                    "--show-fixes",
                    "--skip-file-checks",
                    "-",
                ],
                &input,
            );
            if diffed.contains(CANARY) {
                problems.push("check --diff: the canary leaks".into());
            }
            if !no_raw_controls(
                &diffed
                    .lines()
                    .filter(|l| !l.starts_with([' ', '-', '+']))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ) {
                problems.push("check --diff: raw control character in the listing".into());
            }
            let (_, explained) = run_tool(
                &["explain", "--format", "json", "--skip-file-checks", "-"],
                &input,
            );
            if explained.contains(CANARY) {
                problems.push("explain json: the canary leaks".into());
            }
            if json.contains(CANARY) {
                problems.push("check json: the canary leaks".into());
            }
            problems
        });
        match result {
            Ok(problems) if problems.is_empty() => {}
            Ok(problems) => failures.push(format!(
                "case {case}: {}\ninput: {input:?}",
                problems.join("; ")
            )),
            Err(_) => failures.push(format!("case {case}: PANIC\ninput: {input:?}")),
        }
        if failures.len() >= 5 {
            break;
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
