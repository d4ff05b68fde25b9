//! `dsf-connections lsp` over its real standard streams (issue 19): ranges in UTF-16 and in
//! the compose file's lines equal `check --format json`'s, changes published in order, and no
//! canary secret in any byte the server writes. The editor-level suite is tests/lsp (pytest-lsp).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    msgs: Receiver<Value>,
    /// Every byte of every message the server wrote, for the canary check.
    wire: std::sync::Arc<std::sync::Mutex<String>>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dsf-connections"))
            .arg("lsp")
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, msgs) = channel();
        let wire = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let w = wire.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.trim().parse().expect("length");
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let text = String::from_utf8(body).expect("utf-8");
                w.lock().expect("wire").push_str(&text);
                if tx.send(serde_json::from_str(&text).expect("json")).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            msgs,
            wire,
            next_id: 1,
        };
        let caps = json!({"capabilities": {}, "initializationOptions": {"dsf-connections": {"skipFileChecks": true}}});
        c.request("initialize", caps);
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, v: Value) {
        self.send_raw(&v.to_string());
    }

    /// One body, as is, with its right `Content-Length`.
    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&self) -> Value {
        self.msgs
            .recv_timeout(Duration::from_secs(60))
            .expect("a message from the server")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.recv();
            if m["id"] == id {
                return m["result"].clone();
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let m = self.recv();
            if m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
            {
                return m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.diagnostics(uri, 1)
    }

    /// Shut down and exit; the exit status and everything written.
    fn finish(mut self) -> (i32, String) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("wait");
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let wire = self.wire.lock().expect("wire").clone();
        (status.code().unwrap_or(-1), wire + &err)
    }
}

fn ranges(diags: &[Value]) -> Vec<(String, [u64; 4], String)> {
    let mut v: Vec<_> = diags
        .iter()
        .map(|d| {
            let r = &d["range"];
            let n = |v: &Value| v.as_u64().unwrap_or(u64::MAX);
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                [
                    n(&r["start"]["line"]),
                    n(&r["start"]["character"]),
                    n(&r["end"]["line"]),
                    n(&r["end"]["character"]),
                ],
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn expected(path: &std::path::Path) -> Vec<(String, [u64; 4], String)> {
    let p = path.to_str().expect("path");
    let (_, json) = crate::util::json_of(crate::util::run(
        &["check", "--format", "json", "--skip-file-checks", p],
        None,
        &[],
    ));
    let mut v: Vec<_> = crate::util::diagnostics(&json)
        .iter()
        .filter(|d| d["file"] == p)
        .map(|d| {
            let n = |k: &str| d[k].as_u64().unwrap_or(u64::MAX) - 1;
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                [
                    n("line"),
                    n("column_utf16"),
                    n("end_line"),
                    n("end_column_utf16"),
                ],
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

const CANARY: &str = "cAnArY-5e1f0b";

/// A compose file with CRLF line ends, a flow mapping after an emoji (two UTF-16 units), and
/// secrets in a block scalar and in the service's environment.
fn compose() -> String {
    [
        "services:",
        "  bpe:",
        "    image: ghcr.io/datasharingframework/bpe:2.0.2",
        "    environment:",
        "      DB_PASSWORD: cAnArY-5e1f0b",
        "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |",
        "        a: {base-url: \"https://😀.example.org/fhir\", connect-timeout: 5s}",
        "        b:",
        "          base-url: https://b.example.org/fhir",
        "          basic-auth: {username: u, password: 'cAnArY-5e1f0b', password-file: x}",
        "",
    ]
    .join("\r\n")
}

#[test]
fn compose_diagnostics_equal_check_in_utf16_and_no_secret_leaves() {
    let dir = crate::util::temp_dir("lsp-compose");
    let path = dir.as_path().join("docker-compose.yml");
    std::fs::write(&path, compose()).expect("write");
    let uri = format!("file://{}", path.display());
    let mut c = Client::start();
    let diags = c.open(&uri, &compose());
    assert!(!diags.is_empty());
    assert_eq!(ranges(&diags), expected(&path));
    // the duration after the emoji: UTF-16 columns
    let d = diags
        .iter()
        .find(|d| d["code"] == "invalid-duration")
        .expect("invalid-duration");
    let line = "        a: {base-url: \"https://😀.example.org/fhir\", connect-timeout: ";
    assert_eq!(
        d["range"]["start"],
        json!({"line": 6, "character": line.encode_utf16().count()})
    );
    // every request that answers from the text or the model, on the secrets too
    let td = json!({"uri": uri});
    for (line, ch) in [(4, 8), (4, 22), (9, 50), (9, 60), (6, 60)] {
        let pos = json!({"line": line, "character": ch});
        c.request(
            "textDocument/hover",
            json!({"textDocument": td, "position": pos}),
        );
        c.request(
            "textDocument/completion",
            json!({"textDocument": td, "position": pos}),
        );
    }
    let all = json!({"start": {"line": 0, "character": 0}, "end": {"line": 11, "character": 0}});
    c.request(
        "textDocument/codeAction",
        json!({"textDocument": td, "range": all, "context": {"diagnostics": diags}}),
    );
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": td}));
    assert_eq!(symbols.as_array().map(Vec::len), Some(2), "{symbols}");
    c.request("textDocument/documentLink", json!({"textDocument": td}));
    let (code, wire) = c.finish();
    assert_eq!(code, 0);
    assert!(wire.contains("publishDiagnostics"));
    assert!(!wire.contains(CANARY), "a secret left the server");
}

#[test]
fn changes_are_published_in_order_and_the_last_one_wins() {
    let uri = "file:///nonexistent/dsf/config.yaml";
    let mut c = Client::start();
    let text = "a:\n  base-url: https://a.example.org/fhir\n  read-timeout: PT1S\n";
    assert!(c.open(uri, text).is_empty());
    for v in 2..=30 {
        let value = if v == 30 { "1s" } else { "PT1S" };
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": v},
                "contentChanges": [{
                    "range": {"start": {"line": 2, "character": 16}, "end": {"line": 2, "character": 20}},
                    "text": value,
                }],
            }),
        );
        // the next change replaces what this one wrote
        if v < 30 {
            c.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": {"uri": uri, "version": v},
                    "contentChanges": [{"text": text}],
                }),
            );
        }
    }
    let mut last = 0;
    loop {
        let m = c.recv();
        if m["method"] != "textDocument/publishDiagnostics" {
            continue;
        }
        let v = m["params"]["version"].as_i64().unwrap_or(0);
        assert!(v >= last, "version {v} published after {last}");
        last = v;
        if v == 30 {
            let codes: Vec<_> = m["params"]["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| d["code"].clone())
                .collect();
            assert_eq!(codes, [json!("invalid-duration")]);
            break;
        }
    }
    assert_eq!(c.finish().0, 0);
}

#[test]
fn requests_are_answered_while_a_long_check_runs() {
    // ~1 MB of connections: its check takes far longer than answering a hover
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 1_000_000 {
        text.push_str(&format!(
            "c{i}:\n  base-url: https://f{i}.example.org/fhir\n  read-timeout: 3s\n"
        ));
        i += 1;
    }
    let uri = "file:///nonexistent/dsf/big.yaml";
    let mut c = Client::start();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
    c.send(
        json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/completion", "params": {
        "textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}}}),
    );
    // the answer comes first, the diagnostics of the check after it
    let first = loop {
        let m = c.recv();
        if m["id"] == 99 || m["method"] == "textDocument/publishDiagnostics" {
            break m;
        }
    };
    assert_eq!(first["id"], 99, "the loop waited for the check: {first}");
    let labels: Vec<_> = first["result"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["label"].clone())
        .collect();
    assert!(labels.contains(&json!("read-timeout")), "{labels:?}");
    assert!(!c.diagnostics(uri, 1).is_empty());
    assert_eq!(c.finish().0, 0);
}

/// Every `newText` of every code action in `actions`.
fn new_texts(actions: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for a in actions.as_array().into_iter().flatten() {
        for edits in a["edit"]["changes"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            for e in edits.as_array().into_iter().flatten() {
                out.push(e["newText"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    out
}

/// The hover at `line`:`character`, as text.
fn hover(c: &mut Client, uri: &str, line: u32, character: u32) -> String {
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    );
    h["contents"].to_string()
}

/// The secrets a fix touches, of each kind: short (`q7z`), a word of the tool's own docs
/// (`Indentation`), in typographic quotes (quick fix and fix-all, standalone and in a compose
/// `|` block), a multi-line block scalar: no byte of one is in any edit the server sends; a
/// quote fix is sent as the edits around the value, a move of a secret is not offered.
#[test]
fn no_secret_value_is_in_an_edit() {
    let config = [
        "a:",
        "  base-url: https://a.example.org/fhir",
        "  password: q7z",
        "  basic-auth:",
        "    username: u",
        "b:",
        "  base-url: https://b.example.org/fhir",
        "  password: Indentation",
        "  basic-auth:",
        "    username: u",
        "c:",
        "  base-url: https://c.example.org/fhir",
        "  basic-auth:",
        "    username: u",
        "    password: “CanaryTy-1x9q”",
        "d:",
        "  base-url: https://d.example.org/fhir",
        "  basic-auth:",
        "    username: u",
        "    password: |",
        "      CanaryBlock-7k2",
        "      CanaryLine-4p8",
        "",
    ];
    let compose = [
        "services:",
        "  bpe:",
        "    image: ghcr.io/datasharingframework/bpe:2.0.2",
        "    environment:",
        "      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |",
        "        c:",
        "          base-url: https://c.example.org/fhir",
        "          basic-auth:",
        "            username: u",
        "            password: “CanaryCo-3v5w”",
        "",
    ];
    let canaries = [
        "q7z",
        "CanaryTy-1x9q",
        "CanaryBlock-7k2",
        "CanaryLine-4p8",
        "CanaryCo-3v5w",
    ];
    let dir = crate::util::temp_dir("lsp-edits");
    let mut c = Client::start();
    let mut sent = Vec::new();
    for (name, lines, quote_line) in [
        ("c.yaml", &config[..], 14),
        ("compose.yml", &compose[..], 9),
    ] {
        let text = lines.join("\n");
        let path = dir.as_path().join(name);
        std::fs::write(&path, &text).expect("write");
        let uri = format!("file://{}", path.display());
        let diags = c.open(&uri, &text);
        let quotes = diags
            .iter()
            .find(|d| d["code"] == "typographic-quotes")
            .expect("typographic-quotes");
        let all = json!({"start": {"line": 0, "character": 0}, "end": {"line": lines.len(), "character": 0}});
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": all, "context": {"diagnostics": diags}}),
        );
        // the quote fix is offered, as the two quotes only (quick fix and fix-all)
        let quote_edits: Vec<Value> = actions
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|a| {
                a["edit"]["changes"][&uri]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter(|e| e["range"]["start"]["line"] == quote_line)
            .collect();
        assert_eq!(quote_edits.len(), 4, "{actions}");
        assert!(
            quote_edits.iter().all(|e| e["newText"] == "\""),
            "{actions}"
        );
        assert_eq!(quotes["range"]["start"]["line"], quote_line);
        sent.extend(new_texts(&actions));
        if name == "c.yaml" {
            // no move of `password` into `basic-auth` for `a` and `b`, and the hover says why
            assert!(!sent.iter().any(|t| t.contains("password")), "{sent:?}");
            for line in [2, 7] {
                let h = hover(&mut c, &uri, line, 4);
                assert!(h.contains("would move or change a secret value"), "{h}");
            }
        }
    }
    let (code, wire) = c.finish();
    assert_eq!(code, 0);
    for t in &sent {
        assert!(!t.contains("Indentation"), "{t}");
    }
    for canary in canaries {
        assert!(!wire.contains(canary), "{canary} left the server");
    }
}

/// A body that is not JSON is answered with a Parse error, one that is not a message with an
/// Invalid Request (`id` null unless it has one), and the server goes on answering.
#[test]
fn a_malformed_message_is_answered_and_the_server_goes_on() {
    let mut c = Client::start();
    let mut errors = Vec::new();
    for body in [
        "{bad}",
        "[1, 2]",
        r#"{"jsonrpc":"2.0","id":9,"method":{}}"#,
        "\u{ff}",
    ] {
        c.send_raw(body);
        let m = c.recv();
        errors.push((m["error"]["code"].clone(), m["id"].clone()));
    }
    assert_eq!(
        errors,
        [
            (json!(-32700), Value::Null),
            (json!(-32600), Value::Null),
            (json!(-32600), json!(9)),
            (json!(-32700), Value::Null),
        ]
    );
    // still serving
    let uri = "file:///nowhere/c.yaml";
    let diags = c.open(
        uri,
        "a:\n  base-url: https://a.example.org/fhir\n  connect-timeout: 5s\n",
    );
    assert!(
        diags.iter().any(|d| d["code"] == "invalid-duration"),
        "{diags:?}"
    );
    let (code, _) = c.finish();
    assert_eq!(code, 0);
}

/// The default of a secret-named variable (`${DB_PASSWORD:-...}`) is a secret in what the
/// server publishes and answers, like the variable's value.
#[test]
fn a_secret_variables_default_does_not_leave_the_server() {
    let text = "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.0.2\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        a:\n          base-url: https://a.example.org/fhir\n          connect-timeout: ${DB_PASSWORD:-cAnArY-5e1f0b}\n";
    let dir = crate::util::temp_dir("lsp-compose-default");
    let path = dir.as_path().join("compose.yaml");
    std::fs::write(&path, text).expect("write");
    let uri = format!("file://{}", path.display());
    let mut c = Client::start();
    let diags = c.open(&uri, text);
    assert!(
        diags.iter().any(|d| d["code"] == "invalid-duration"),
        "{diags:?}"
    );
    let td = json!({"uri": uri});
    for ch in [12, 30, 40] {
        let pos = json!({"line": 7, "character": ch});
        c.request(
            "textDocument/hover",
            json!({"textDocument": td, "position": pos}),
        );
    }
    let all = json!({"start": {"line": 0, "character": 0}, "end": {"line": 8, "character": 0}});
    c.request(
        "textDocument/codeAction",
        json!({"textDocument": td, "range": all, "context": {"diagnostics": diags}}),
    );
    let (code, wire) = c.finish();
    assert_eq!(code, 0);
    assert!(!wire.contains(CANARY), "a secret left the server");
}
