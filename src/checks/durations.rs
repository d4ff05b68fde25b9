//! Timeout values the schema accepts but the server does not: above `P24DT20H31M23.647S` (the
//! server rejects them), so large that milliseconds overflow (the BPE does not start), negative
//! (the BPE does not start once it builds a client), or zero (Java waits forever).

use crate::diag::{Code, Diagnostic, Outcome};
use crate::duration::{MAX_MILLIS, Nanos, parse_java};
use crate::source::{FileId, Span};
use crate::yaml::pointer::{PointerIndex, join};
use serde_json::Value;

const TIMEOUTS: [&str; 2] = ["connect-timeout", "read-timeout"];

/// Check the timeouts of one connection's typed instance (`ptr` is `/id`).
pub fn check(
    file: FileId,
    ptr: &str,
    instance: &Value,
    index: &PointerIndex,
    out: &mut Vec<Diagnostic>,
) {
    let blocks = [
        (ptr.to_string(), Some(instance)),
        (join(ptr, "oidc-auth"), instance.get("oidc-auth")),
    ];
    for (base, block) in blocks {
        let Some(block) = block else { continue };
        for name in TIMEOUTS {
            let Some(value) = block.get(name) else {
                continue;
            };
            let Some(nanos) = nanos(value) else { continue };
            let at = join(&base, name);
            let span = index.locate(&at).map_or(Span::default(), |(l, _)| l.value);
            if let Some(d) = judge(file, &at, name, nanos, span) {
                out.push(d);
            }
        }
    }
}

/// `None` when the value is not a duration at all (the schema reports that).
fn nanos(v: &Value) -> Option<Result<Nanos, ()>> {
    match v {
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => Ok(Nanos(i as i128 * 1_000_000_000)),
            None => n.as_f64().and_then(Nanos::from_seconds_f64).ok_or(()),
        }),
        Value::String(s) => parse_java(s).ok().map(Ok),
        _ => None,
    }
}

fn judge(
    file: FileId,
    at: &str,
    name: &str,
    nanos: Result<Nanos, ()>,
    span: Span,
) -> Option<Diagnostic> {
    let overflow = |n: Nanos| n.0.abs() / 1_000_000 > i64::MAX as i128;
    match nanos {
        Err(()) => Some(too_large(file, at, name, span, Outcome::DoesNotStart)),
        Ok(n) if overflow(n) => Some(too_large(file, at, name, span, Outcome::DoesNotStart)),
        Ok(n) if n.millis() > MAX_MILLIS => Some(too_large(file, at, name, span, Outcome::NoConnections)),
        Ok(n) if n.is_negative() => Some(
            Diagnostic::new(Code::DurationNegative, file, span, format!("`{name}` is negative"))
                .at(at)
                .label("negative")
                .help("use a positive duration such as PT30S; the server passes its validation but cannot build a client with it"),
        ),
        Ok(n) if n.0 == 0 => Some(
            Diagnostic::new(Code::DurationZero, file, span, format!("`{name}` is zero, which means wait forever"))
                .at(at)
                .label("no timeout")
                .help("set a finite timeout (the server's default connect timeout is PT2S, read timeout PT10M)"),
        ),
        Ok(_) => None,
    }
}

fn too_large(file: FileId, at: &str, name: &str, span: Span, outcome: Outcome) -> Diagnostic {
    let why = if outcome == Outcome::DoesNotStart {
        " (so large that milliseconds overflow)"
    } else {
        ""
    };
    Diagnostic::new(
        Code::DurationTooLarge,
        file,
        span,
        format!("`{name}` is too large{why}: the maximum is P24DT20H31M23.647S"),
    )
    .at(at)
    .outcome(Some(outcome))
    .label("too large")
    .help("timeouts are counted in milliseconds as a 32-bit number; use at most P24DT20H31M23.647S (about 24.8 days)")
}
