//! Value rules of the server that a JSON schema cannot express, checked on the typed instance.

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::yaml::pointer::{PointerIndex, join};
use serde_json::Value;

pub fn check(
    file: FileId,
    ptr: &str,
    instance: &Value,
    index: &PointerIndex,
    out: &mut Vec<Diagnostic>,
) {
    latin1_password(file, ptr, instance, index, out);
}

/// Basic auth sends `user:password` encoded as ISO-8859-1; the server rejects other characters.
fn latin1_password(
    file: FileId,
    ptr: &str,
    instance: &Value,
    index: &PointerIndex,
    out: &mut Vec<Diagnostic>,
) {
    let Some(Value::String(pw)) = instance.get("basic-auth").and_then(|b| b.get("password")) else {
        return;
    };
    if pw.chars().all(|c| (c as u32) <= 0xFF) {
        return;
    }
    let at = join(&join(ptr, "basic-auth"), "password");
    let span = index.locate(&at).map_or(Span::default(), |(l, _)| l.value);
    out.push(
        Diagnostic::new(
            Code::PasswordNotLatin1,
            file,
            span,
            "the basic-auth `password` contains characters outside ISO-8859-1 (Latin-1)",
        )
        .at(at)
        .label("not encodable")
        .help("HTTP Basic authentication encodes the password as ISO-8859-1: use only Latin-1 characters (no emoji, no characters from other scripts)"),
    );
}
