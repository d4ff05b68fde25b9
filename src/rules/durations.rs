//! Timeouts (`connect-timeout`, `read-timeout`, also in `oidc-auth`), as the server reads them:
//! Java's `Duration.parse` grammar or a plain number of seconds. Values the schema accepts but
//! the server does not: above `P24DT20H31M23.647S` (rejected), so large that milliseconds
//! overflow, negative (the BPE does not start once it builds a client), zero (Java waits
//! forever); and a plain number that is surely meant as milliseconds (`5000` is 83 minutes).

use super::{Ctx, Rule, name_of, on_value};
use crate::diag::{Applicability, Diagnostic, Fix, FixDoc, Outcome, Severity};
use crate::duration::{MAX_MILLIS, Nanos, ParseError, parse_java, suggest};
use crate::model::{At, Connection, Timeout, Written, build_failure_outcome};
use crate::rules::schema_errors::{Anchor, MapCtx, Path};
use crate::secrets::{Piece, Text};
use crate::text;
use crate::yaml::{Node, NodeKind};

pub static INVALID_DURATION: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Safe,
        why: "every notation it rewrites (`5s`, `500ms`, `1h30m`, `2d`, a quoted number of seconds, weeks as `P1W`) has one meaning, and the server accepts the ISO-8601 form",
    }),
    name: "invalid-duration",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a timeout that is not an ISO-8601 duration or a number of seconds",
    docs: r##"**What:** A timeout that is neither a Java ISO-8601 duration nor a plain number of seconds (`5s`, `10m`, `'5'`, `P1W`).

**Why it matters:** The config fails to load: no connections.

Bad:

```yaml
  connect-timeout: 5s
```

Fix:

```yaml
  connect-timeout: PT5S
```"##,
};
pub fn invalid_duration(ctx: &MapCtx, path: &Path, node: Option<&Node>) -> Diagnostic {
    if ctx.quiet {
        return ctx.diag(&INVALID_DURATION, path, Anchor::Value, Text::new());
    }
    let name = ctx.name(path);
    let scalar = node.and_then(Node::as_scalar);
    let text = node
        .and_then(Node::text)
        .unwrap_or_default()
        .trim()
        .to_string();
    let accepted = "an ISO-8601 duration such as PT30S, PT0.5S, PT5M, PT1H or P1D (no years, months or weeks), or a plain number of seconds";
    let mut help = match parse_java(&text) {
        // the unit is one letter the parser names: the tool's own word
        Err(ParseError::CalendarUnit(u)) => {
            text!("Java durations have no years, months or weeks (`{}`). ", u)
        }
        Err(ParseError::Overflow) => Text::from("The number is too large. "),
        _ => Text::new(),
    };
    // what the value is, quoted from where it is written
    let value = |t: &str| match node {
        Some(n) => Piece::decoded(ctx.file, n.span, t),
        None => Piece::value(t),
    };
    let quoted_number = scalar.is_some_and(|s| !s.style.is_plain()) && text.parse::<f64>().is_ok();
    // a suggestion is a Java duration the tool computed: its own words
    let suggested = suggest(&text);
    let fix = match (node, &suggested) {
        (Some(n), Some(s)) if n.is_flow_scalar() => Some(Fix::replace(
            Applicability::Safe,
            text!("write `{}` as `{}`", value(&text), Piece::own(s.clone())),
            n.span,
            s.clone(),
        )),
        _ => None,
    };
    let suggestion = suggested.map(Piece::own);
    if quoted_number {
        help = text!(
            "A quoted number is text, not seconds: write {} without quotes for {} seconds, or `{}`. ",
            value(&text),
            value(&text),
            suggestion.unwrap_or(Piece::from("PT…S"))
        );
    } else if let Some(s) = suggestion {
        help.push(text!("Did you mean `{}`? ", s));
    }
    help.push(text!("Accepted: {}.", accepted));
    let found = match node {
        Some(n) if matches!(n.kind, NodeKind::Scalar(_)) => text!("`{}`", value(&text)),
        Some(n) => Text::from(n.kind_name()),
        None => Text::from("nothing"),
    };
    ctx.diag(
        &INVALID_DURATION,
        path,
        Anchor::Value,
        text!("`{}` is not a duration: found {}", name, found),
    )
    .label("not a duration")
    .help(help)
    .maybe_fix(fix)
}

pub static DURATION_TOO_LARGE: Rule = Rule {
    fix: None,
    name: "duration-too-large",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a timeout above P24DT20H31M23.647S (2^31-1 ms)",
    docs: r##"**What:** A timeout above `P24DT20H31M23.647S` (2^31-1 milliseconds).

**Why it matters:** The server rejects it (no connections); if even the milliseconds overflow, the BPE does not start.

Bad:

```yaml
  read-timeout: P25D
```

Fix:

```yaml
  read-timeout: P24D
```"##,
};
pub static DURATION_NEGATIVE: Rule = Rule {
    fix: None,
    name: "duration-negative",
    severity: Severity::Error,
    outcome: Some(Outcome::MayFail),
    summary: "a negative timeout",
    docs: r##"**What:** A negative timeout.

**Why it matters:** It passes the server's validation, but building an HTTP client with it throws. The BPE does not start when that client is built at start-up: the OIDC client of every connection with `oidc-auth` (it uses the `oidc-auth` timeouts), the FHIR client of a connection with `test-connection-on-startup` (from the connection or `..._DEFAULT_TEST_CONNECTION_ON_STARTUP`). Otherwise the BPE starts and the connection fails when a plugin uses it (`may-fail`). A negative `..._DEFAULT_TIMEOUT_CONNECT`/`_READ` is reported the same way at the variable.

Bad:

```yaml
  connect-timeout: -PT5S
```

Fix:

```yaml
  connect-timeout: PT5S
```"##,
};
pub static DURATION_ZERO: Rule = Rule {
    fix: None,
    name: "duration-zero",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "a zero timeout, which Java treats as wait forever",
    docs: r##"**What:** A zero timeout.

**Why it matters:** Java treats 0 as "wait forever": a hanging server blocks the process plugin.

Bad:

```yaml
  read-timeout: PT0S
```

Fix:

```yaml
  read-timeout: PT10M
```"##,
};
pub static DURATION_MILLISECONDS: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Unsafe,
        why: "that the number means milliseconds is a guess (the server reads seconds, and a timeout of an hour may be meant): the fix writes the number of milliseconds as an ISO-8601 duration",
    }),
    name: "duration-milliseconds",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a plain-number timeout that is surely meant as milliseconds (the server reads seconds)",
    docs: r##"**What:** A timeout is written as a plain number of 1000 or more, such as `connect-timeout: 5000`.

**Why it matters:** The server reads a plain number as **seconds**: `5000` is 83 minutes, not 5 seconds. A connect timeout that long means a dead server blocks a process for over an hour instead of failing fast.

Bad:

```yaml
  connect-timeout: 5000
  read-timeout: 60000
```

**Fix:** Write an ISO-8601 duration: `connect-timeout: PT5S`, `read-timeout: PT60S`."##,
};

/// A plain number that reads like milliseconds: a connect timeout of 1000 s or more, a read
/// timeout of 1000 s or more that is a whole multiple of 1000 (5000, 30000, 60000).
fn looks_like_millis(name: &str, n: Nanos) -> bool {
    let secs = n.0 / 1_000_000_000;
    if n.0 % 1_000_000_000 != 0 || secs < 1000 {
        return false;
    }
    name == "connect-timeout" || secs % 1000 == 0
}

/// `build` is what a client built with this timeout means when building it fails (a negative
/// timeout throws in Jersey's `ClientBuilder`: `FhirConnectionTestClientJersey.java:86-87`,
/// `dsf-common-oidc .../BaseOidcClientJersey.java:117-118`).
fn judge(t: &Timeout, build: Outcome, out: &mut Vec<Diagnostic>) {
    let (Some(n), Some(at)) = (t.setting.ok().copied(), t.setting.at()) else {
        return;
    };
    let name = name_of(at);
    let overflow = n.0.abs() / 1_000_000 > i128::from(i64::MAX);
    if overflow {
        out.push(too_large(at, Outcome::DoesNotStart));
    } else if n.millis() > MAX_MILLIS {
        out.push(too_large(at, Outcome::NoConnections));
    } else if n.is_negative() {
        let when = match build {
            Outcome::DoesNotStart => "the server builds this client at start-up and cannot",
            Outcome::SilentlyWrong => {
                "the server replaces a user `#dsf` by its built-in connection, so this is never used; it could never build a client"
            }
            _ => {
                "the server starts and fails to build this client when a plugin uses the connection"
            }
        };
        out.push(
            on_value(&DURATION_NEGATIVE, at, text!("`{}` is negative", name))
                .outcome(Some(build))
                .label("negative")
                .help(text!("use a positive duration such as PT30S. A negative timeout passes the server's validation, but {}", when)),
        );
    } else if n.0 == 0 {
        out.push(
            on_value(&DURATION_ZERO, at, text!("`{}` is zero, which means wait forever", name))
                .label("no timeout")
                .help("set a finite timeout (the server's default connect timeout is PT2S, read timeout PT10M)"),
        );
    } else if t.written == Written::Number && looks_like_millis(&at.name, n) {
        let secs = n.0 / 1_000_000_000;
        let meant = Nanos(n.0 / 1000);
        out.push(
            on_value(
                &DURATION_MILLISECONDS,
                at,
                // the number is the value the tool parsed: its own words
                text!(
                    "`{}: {}` is {} seconds ({}): a plain number is seconds to the server, not milliseconds",
                    name,
                    secs,
                    secs,
                    Piece::own(crate::duration::short(n))
                ),
            )
            .label("seconds, not milliseconds")
            .help(text!(
                "if you meant {} milliseconds, write `{}`",
                secs,
                Piece::own(meant.iso())
            ))
            .maybe_fix(at.flow.then(|| {
                Fix::replace(
                    Applicability::Unsafe,
                    text!("read {} as milliseconds: `{}`", secs, Piece::own(meant.iso())),
                    at.value,
                    meant.iso(),
                )
            })),
        );
    }
}

fn too_large(at: &At, outcome: Outcome) -> Diagnostic {
    let why = if outcome == Outcome::DoesNotStart {
        " (so large that milliseconds overflow)"
    } else {
        ""
    };
    on_value(
        &DURATION_TOO_LARGE,
        at,
        text!("`{}` is too large{}: the maximum is P24DT20H31M23.647S", name_of(at), why),
    )
    .outcome(Some(outcome))
    .label("too large")
    .help("timeouts are counted in milliseconds as a 32-bit number; use at most P24DT20H31M23.647S (about 24.8 days)")
}

pub fn check(_ctx: &Ctx, c: &Connection, out: &mut Vec<Diagnostic>) {
    // the connection's timeouts serve its FHIR client only; the OIDC client has its own
    let fhir = build_failure_outcome(c, c.fhir_client_at_startup());
    judge(&c.connect_timeout, fhir, out);
    judge(&c.read_timeout, fhir, out);
    if let Some(o) = c.oidc_auth.get() {
        let oidc = build_failure_outcome(c, c.oidc_client_at_startup());
        judge(&o.connect_timeout, oidc, out);
        judge(&o.read_timeout, oidc, out);
    }
}

/// A negative `..._DEFAULT_TIMEOUT_CONNECT` or `_READ`: `PropertiesConfig.java:656-664` parses it
/// without a sign check, so the server starts unless a client built at start-up uses it
/// (`at_startup`); the built-in `#dsf` connection always does when a plugin uses it.
pub fn negative_default(t: &crate::defaults::Default<Nanos>, at_startup: bool) -> Diagnostic {
    let name = match &t.origin {
        crate::defaults::Origin::Env(n) => n.clone(),
        crate::defaults::Origin::BuiltIn => String::new(),
    };
    let (outcome, when) = if at_startup {
        (
            Outcome::DoesNotStart,
            "a client the server builds at start-up (an OIDC client, or a connection tested at start-up) uses it",
        )
    } else {
        (
            Outcome::MayFail,
            "no client built at start-up uses it, but every connection that takes the default (the built-in `#dsf` too) fails when a plugin uses it",
        )
    };
    Diagnostic::new(
        &DURATION_NEGATIVE,
        t.file,
        t.span,
        // the variable's name is one of the tool's own
        text!("`${}` is negative", Piece::own(name)),
    )
    .at("")
    .outcome(Some(outcome))
    .label("negative")
    .help(text!(
        "use a positive duration such as PT30S: the server accepts a negative default, but cannot build an HTTP client with it; {}",
        when
    ))
}
