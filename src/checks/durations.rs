//! Timeout values the schema accepts but the server does not: above `P24DT20H31M23.647S` (the
//! server rejects them), so large that milliseconds overflow (the BPE does not start), negative
//! (the BPE does not start once it builds a client), or zero (Java waits forever).

use super::rules::RuleCtx;
use crate::diag::{Code, Diagnostic, Outcome};
use crate::duration::{MAX_MILLIS, Nanos, parse_java};
use serde_json::Value;

const TIMEOUTS: [&str; 2] = ["connect-timeout", "read-timeout"];

pub fn check(ctx: &RuleCtx, out: &mut Vec<Diagnostic>) {
    for block in [None, Some("oidc-auth")] {
        let Some(values) = ctx.block(block) else {
            continue;
        };
        for name in TIMEOUTS {
            let Some(nanos) = values.get(name).and_then(nanos) else {
                continue;
            };
            if let Some(d) = judge(ctx, &ctx.at(block, name), name, nanos) {
                out.push(d);
            }
        }
    }
}

/// The duration the server reads; `None` when the value is not a duration at all (the schema
/// reports that), `Some(Err)` when it is a number beyond any range.
pub fn nanos(v: &Value) -> Option<Result<Nanos, ()>> {
    match v {
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => Ok(Nanos(i as i128 * 1_000_000_000)),
            None => n.as_f64().and_then(Nanos::from_seconds_f64).ok_or(()),
        }),
        Value::String(s) => parse_java(s).ok().map(Ok),
        _ => None,
    }
}

fn judge(ctx: &RuleCtx, at: &str, name: &str, nanos: Result<Nanos, ()>) -> Option<Diagnostic> {
    let overflow = |n: Nanos| n.0.abs() / 1_000_000 > i64::MAX as i128;
    match nanos {
        Err(()) => Some(too_large(ctx, at, name, Outcome::DoesNotStart)),
        Ok(n) if overflow(n) => Some(too_large(ctx, at, name, Outcome::DoesNotStart)),
        Ok(n) if n.millis() > MAX_MILLIS => Some(too_large(ctx, at, name, Outcome::NoConnections)),
        Ok(n) if n.is_negative() => Some(
            ctx.on_value(Code::DurationNegative, at, format!("`{name}` is negative"))
                .label("negative")
                .help("use a positive duration such as PT30S; the server passes its validation but cannot build a client with it"),
        ),
        Ok(n) if n.0 == 0 => Some(
            ctx.on_value(Code::DurationZero, at, format!("`{name}` is zero, which means wait forever"))
                .label("no timeout")
                .help("set a finite timeout (the server's default connect timeout is PT2S, read timeout PT10M)"),
        ),
        Ok(_) => None,
    }
}

fn too_large(ctx: &RuleCtx, at: &str, name: &str, outcome: Outcome) -> Diagnostic {
    let why = if outcome == Outcome::DoesNotStart {
        " (so large that milliseconds overflow)"
    } else {
        ""
    };
    ctx.on_value(
        Code::DurationTooLarge,
        at,
        format!("`{name}` is too large{why}: the maximum is P24DT20H31M23.647S"),
    )
    .outcome(Some(outcome))
    .label("too large")
    .help("timeouts are counted in milliseconds as a 32-bit number; use at most P24DT20H31M23.647S (about 24.8 days)")
}
