//! Value rules of the server that a JSON schema cannot express, checked on the typed instance.

use super::rules::RuleCtx;
use crate::diag::{Code, Diagnostic};

pub fn check(ctx: &RuleCtx, out: &mut Vec<Diagnostic>) {
    if let Some(pw) = ctx.text(Some("basic-auth"), "password")
        && !is_latin1(pw)
    {
        let at = ctx.at(Some("basic-auth"), "password");
        out.push(not_latin1(ctx, &at, "the basic-auth `password`"));
    }
}

pub fn is_latin1(s: &str) -> bool {
    s.chars().all(|c| (c as u32) <= 0xFF)
}

/// Basic auth sends `user:password` encoded as ISO-8859-1; the server rejects other characters.
pub fn not_latin1(ctx: &RuleCtx, at: &str, what: &str) -> Diagnostic {
    ctx.on_value(
        Code::PasswordNotLatin1,
        at,
        format!("{what} contains characters outside ISO-8859-1 (Latin-1)"),
    )
    .label("not encodable")
    .help("HTTP Basic authentication encodes the password as ISO-8859-1: use only Latin-1 characters (no emoji, no characters from other scripts)")
}
