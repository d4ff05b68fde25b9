//! The JSON-RPC framing on standard input and output, in front of `lsp-server`'s
//! [`Connection`] (built from these channels): a body that is not JSON is answered with a
//! Parse error (-32700), one that is not a message with an Invalid Request (-32600), both
//! with `id: null` as JSON-RPC says, and the server reads on (`lsp-server`'s own reader ends
//! the connection there). A body's bytes are read as they come, never allocated up front from
//! its `Content-Length`, and a body over [`MAX_BODY`] is skipped.

use crossbeam_channel::{Receiver, Sender, bounded};
use lsp_server::{Connection, Message};
use serde_json::{Value, json};
use std::io::{BufRead, Read, Write};
use std::thread::JoinHandle;

/// The largest body read (a document of `check`'s largest default input, JSON-escaped, fits).
pub const MAX_BODY: u64 = 16 * 1024 * 1024;

/// The reader and writer threads.
pub struct Io {
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Io {
    /// Wait for both threads (after the connection is dropped, or the client said `exit`).
    pub fn join(self) -> Result<(), String> {
        let gone = |_| "a transport thread failed".to_string();
        self.writer.join().map_err(gone)?;
        self.reader.join().map_err(gone)
    }
}

/// A connection on standard input and output.
pub fn stdio() -> Result<(Connection, Io), String> {
    let (to_writer, outgoing) = bounded::<Message>(16);
    let (to_loop, incoming) = bounded::<Message>(0);
    let (errors, raw) = bounded::<Value>(16);
    let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
        std::thread::Builder::new()
            .name(name.into())
            .spawn(f)
            .map_err(|e| format!("cannot start the {name} thread: {e}"))
    };
    let writer = spawn(
        "lsp-writer",
        Box::new(move || write_all(&mut std::io::stdout().lock(), &outgoing, &raw)),
    )?;
    let reader = spawn(
        "lsp-reader",
        Box::new(move || read_all(&mut std::io::stdin().lock(), &to_loop, &errors)),
    )?;
    let conn = Connection {
        sender: to_writer,
        receiver: incoming,
    };
    Ok((conn, Io { reader, writer }))
}

fn write_all(out: &mut impl Write, msgs: &Receiver<Message>, raw: &Receiver<Value>) {
    loop {
        let written = crossbeam_channel::select! {
            recv(msgs) -> m => match m {
                Ok(m) => m.write(out),
                // the server has dropped its connection: done
                Err(_) => return,
            },
            recv(raw) -> v => match v {
                Ok(v) => frame(out, &v.to_string()),
                Err(_) => continue,
            },
        };
        // the client has gone
        if written.is_err() {
            return;
        }
    }
}

fn frame(out: &mut impl Write, body: &str) -> std::io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// Read messages until end of input, `exit`, or the server stops taking them.
pub fn read_all(inp: &mut impl BufRead, to_loop: &Sender<Message>, errors: &Sender<Value>) {
    loop {
        let answer = match read_one(inp) {
            Frame::End => return,
            Frame::Message(msg) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if to_loop.send(msg).is_err() || exit {
                    return;
                }
                continue;
            }
            Frame::Bad(code, why, id) => {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": why}})
            }
        };
        if errors.send(answer).is_err() {
            return;
        }
    }
}

const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

enum Frame {
    Message(Message),
    /// An error to answer: its code, message and the id it is for (`null` when unknown).
    Bad(i32, String, Value),
    End,
}

fn read_one(inp: &mut impl BufRead) -> Frame {
    let mut size: Option<Result<u64, String>> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        // a header line is short; a longer one is cut (its rest read as the next line)
        match inp.by_ref().take(4096).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return Frame::End,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("Content-Length")
        {
            size = Some(
                value
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| value.trim().to_string()),
            );
        }
    }
    let size = match size {
        Some(Ok(n)) => n,
        Some(Err(v)) => return bad(PARSE_ERROR, format!("Content-Length {v:?} is not a number")),
        None => return bad(PARSE_ERROR, "a message without Content-Length".into()),
    };
    if size > MAX_BODY {
        return match std::io::copy(&mut inp.by_ref().take(size), &mut std::io::sink()) {
            Ok(n) if n == size => bad(
                INVALID_REQUEST,
                format!("a message of {size} bytes (at most {MAX_BODY} are read)"),
            ),
            _ => Frame::End,
        };
    }
    let mut body = Vec::new();
    match inp.by_ref().take(size).read_to_end(&mut body) {
        Ok(n) if n as u64 == size => {}
        _ => return Frame::End,
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(PARSE_ERROR, format!("Parse error: {e}")),
    };
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    let msg = shape(&value)
        .and_then(|()| serde_json::from_value::<Message>(value).map_err(|e| e.to_string()));
    match msg {
        Ok(msg) => Frame::Message(msg),
        Err(why) => Frame::Bad(INVALID_REQUEST, format!("Invalid Request: {why}"), id),
    }
}

/// Whether `v` is a request, a notification or a response, as JSON-RPC 2.0 writes them
/// (`lsp-server`'s untagged reading takes `[1]` or `{"id": 1, "method": 5}` for a response).
fn shape(v: &Value) -> Result<(), String> {
    let Some(m) = v.as_object() else {
        return Err("not an object".into());
    };
    // lsp-server took a message without `jsonrpc`; one with another version is refused
    if m.get("jsonrpc").is_some_and(|j| j != "2.0") {
        return Err("`jsonrpc` is not \"2.0\"".into());
    }
    let id_ok = |null: bool| match m.get("id") {
        None => true,
        Some(Value::Number(_) | Value::String(_)) => true,
        Some(Value::Null) => null,
        Some(_) => false,
    };
    match m.get("method") {
        Some(Value::String(_)) => {
            if !id_ok(false) {
                return Err("`id` is not a number or a string".into());
            }
            match m.get("params") {
                None | Some(Value::Object(_) | Value::Array(_) | Value::Null) => Ok(()),
                Some(_) => Err("`params` is not an object or an array".into()),
            }
        }
        Some(_) => Err("`method` is not a string".into()),
        None if m.contains_key("id")
            && id_ok(true)
            && (m.contains_key("result") || m.contains_key("error")) =>
        {
            Ok(())
        }
        None => Err("neither a request, a notification nor a response".into()),
    }
}

fn bad(code: i32, why: String) -> Frame {
    Frame::Bad(code, why, Value::Null)
}

#[cfg(test)]
mod tests {
    use super::read_all;
    use crossbeam_channel::unbounded;

    fn frames(bodies: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for b in bodies {
            out.extend(format!("Content-Length: {}\r\n\r\n{b}", b.len()).bytes());
        }
        out
    }

    #[test]
    fn a_bad_body_is_answered_and_the_next_one_read() {
        let input = frames(&[
            "{bad}",
            r#"{"jsonrpc":"2.0","id":7,"method":5}"#,
            r#"{"jsonrpc":"1.0","method":"exit"}"#,
            "[1]",
            r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#,
        ]);
        let (to_loop, msgs) = unbounded();
        let (errors, errs) = unbounded();
        read_all(&mut &input[..], &to_loop, &errors);
        let errs: Vec<_> = errs.try_iter().collect();
        let codes: Vec<_> = errs
            .iter()
            .map(|e| (e["error"]["code"].clone(), e["id"].clone()))
            .collect();
        assert_eq!(
            codes,
            [
                (serde_json::json!(-32700), serde_json::Value::Null),
                (serde_json::json!(-32600), serde_json::json!(7)),
                (serde_json::json!(-32600), serde_json::Value::Null),
                (serde_json::json!(-32600), serde_json::Value::Null),
            ]
        );
        assert_eq!(msgs.try_iter().count(), 1);
    }

    #[test]
    fn a_huge_length_is_not_allocated() {
        // the length promises far more than is there: the end of input, no allocation of it
        let input = b"Content-Length: 18446744073709551615\r\n\r\n{}".to_vec();
        let (to_loop, msgs) = unbounded();
        let (errors, errs) = unbounded();
        read_all(&mut &input[..], &to_loop, &errors);
        assert_eq!(msgs.try_iter().count() + errs.try_iter().count(), 0);
    }
}
