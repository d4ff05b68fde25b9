//! The server's YAML dialect, fact by fact: one row per `[run]` example of
//! `dsf-bpe-dialect.md` (facts reproduced by running Jackson 2.21.2 over SnakeYAML 2.5, the
//! libraries DSF 2.1 ships). Each row is a minimal config that is valid apart from the example,
//! the server's verdict, and, where the fact gives it, the effective value as the server reads it
//! (checked through `explain --format json`; secrets are masked, so their values are not).
//!
//! Verdicts, as `check --format json --skip-file-checks` must report them:
//! - `ok`: exit 0 and no error (warnings allowed);
//! - `no-connections`: exit 1 and an error whose outcome is `no-connections`;
//! - `does-not-start`: exit 1 and an error whose outcome is `does-not-start`;
//! - `silently-wrong`: accepted by the server but read differently than written: a diagnostic of
//!   any severity whose outcome is `silently-wrong`.
//!
//! Every row runs; the failures are collected and reported together, each with its fact number.

use crate::util::run;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    NoConnections,
    DoesNotStart,
    SilentlyWrong,
}
impl Verdict {
    fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::NoConnections => "no-connections",
            Verdict::DoesNotStart => "does-not-start",
            Verdict::SilentlyWrong => "silently-wrong",
        }
    }
}

const OK: Verdict = Verdict::Ok;
const NO_CONNECTIONS: Verdict = Verdict::NoConnections;
const DOES_NOT_START: Verdict = Verdict::DoesNotStart;
const SILENTLY_WRONG: Verdict = Verdict::SilentlyWrong;

/// `(connection id, setting name, value)` as `explain --format json` must show it. When an id is
/// listed twice, the last entry is the effective one (the server keeps the last).
type Effective = (&'static str, &'static str, &'static str);

/// The setting must not appear at all.
const ABSENT: &str = "<absent>";

struct Row {
    fact: u32,
    name: &'static str,
    yaml: &'static str,
    verdict: Verdict,
    effective: &'static [Effective],
    /// The connection ids `explain` lists, in order.
    ids: Option<&'static [&'static str]>,
}

const fn row(fact: u32, name: &'static str, yaml: &'static str, verdict: Verdict) -> Row {
    Row {
        fact,
        name,
        yaml,
        verdict,
        effective: &[],
        ids: None,
    }
}

const fn eff(
    fact: u32,
    name: &'static str,
    yaml: &'static str,
    verdict: Verdict,
    effective: &'static [Effective],
) -> Row {
    Row {
        effective,
        ..row(fact, name, yaml, verdict)
    }
}

const fn ids(
    fact: u32,
    name: &'static str,
    yaml: &'static str,
    verdict: Verdict,
    ids: &'static [&'static str],
) -> Row {
    Row {
        ids: Some(ids),
        ..row(fact, name, yaml, verdict)
    }
}

/// One valid connection `c`, plus `$extra` lines.
macro_rules! conn {
    ($($extra:literal),*) => {
        concat!("c:\n  base-url: https://x\n", $($extra),*)
    };
}

/// Connection `c` with a basic-auth block of user name `$user` and password `p`.
macro_rules! user {
    ($user:literal) => {
        concat!(
            "c:\n  base-url: https://x\n  basic-auth:\n    username: ",
            $user,
            "\n    password: p\n"
        )
    };
}

/// Connection `c` with a basic-auth block of user name `u` and password `$password`.
macro_rules! password {
    ($password:literal) => {
        concat!(
            "c:\n  base-url: https://x\n  basic-auth:\n    username: u\n    password: ",
            $password,
            "\n"
        )
    };
}

/// Connection `c` with an oidc-auth block (base-url, client-id), plus `$extra` lines in it.
macro_rules! oidc_bare {
    ($($extra:literal),*) => {
        concat!(
            "c:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n",
            $($extra),*
        )
    };
}

/// Connection `c` with a complete oidc-auth block, plus `$extra` lines in it.
macro_rules! oidc {
    ($($extra:literal),*) => {
        oidc_bare!("    client-secret: s\n", $($extra),*)
    };
}

/// `enable-debug-logging: $v`, expected to mean `$want`.
macro_rules! flag {
    ($fact:literal, $v:literal, $want:literal) => {
        eff(
            $fact,
            concat!("boolean ", $v),
            conn!("  enable-debug-logging: ", $v, "\n"),
            OK,
            &[("c", "enable-debug-logging", $want)],
        )
    };
}

/// `enable-debug-logging: $v`, rejected by the server.
macro_rules! bad_flag {
    ($fact:literal, $v:literal) => {
        row(
            $fact,
            concat!("boolean ", $v),
            conn!("  enable-debug-logging: ", $v, "\n"),
            NO_CONNECTIONS,
        )
    };
}

/// `connect-timeout: $v`, expected to mean `$want` (as `explain` writes durations).
macro_rules! timeout {
    ($fact:literal, $v:literal, $want:literal) => {
        eff(
            $fact,
            concat!("duration ", $v),
            conn!("  connect-timeout: ", $v, "\n"),
            OK,
            &[("c", "connect-timeout", $want)],
        )
    };
}

/// `connect-timeout: $v`, rejected by the server.
macro_rules! bad_timeout {
    ($fact:literal, $v:literal) => {
        row(
            $fact,
            concat!("duration ", $v),
            conn!("  connect-timeout: ", $v, "\n"),
            NO_CONNECTIONS,
        )
    };
}

/// A negative `connect-timeout: $v` (meaning `$want`) on a connection tested at start-up.
// Assumption: a negative timeout only stops the BPE when a client is built at start-up (fact 21:
// the start-up test or oidc-auth; the plugin path is unverified), so these rows switch the
// start-up test on to make the verdict `does-not-start` certain. The value itself is [run].
macro_rules! negative_timeout {
    ($fact:literal, $v:literal, $want:literal) => {
        eff(
            $fact,
            concat!("negative duration ", $v),
            conn!(
                "  test-connection-on-startup: true\n  connect-timeout: ",
                $v,
                "\n"
            ),
            DOES_NOT_START,
            &[("c", "connect-timeout", $want)],
        )
    };
}

/// `connect-timeout: $v`, whose milliseconds overflow a long: the BPE does not start.
macro_rules! overflow_timeout {
    ($fact:literal, $v:literal) => {
        row(
            $fact,
            concat!("duration overflow ", $v),
            conn!("  connect-timeout: ", $v, "\n"),
            DOES_NOT_START,
        )
    };
}

/// basic-auth `username: $v`, read as the text `$want`.
macro_rules! text {
    ($fact:literal, $v:literal, $want:literal) => {
        eff(
            $fact,
            concat!("text ", $v),
            user!($v),
            OK,
            &[("c", "basic-auth.username", $want)],
        )
    };
}

/// `oidc-auth.required-audience: $v`, accepted; `explain` joins the list with `, `.
macro_rules! audience {
    ($fact:literal, $v:literal, $want:literal) => {
        eff(
            $fact,
            concat!("audience ", $v),
            oidc!("    required-audience: ", $v, "\n"),
            OK,
            &[("c", "oidc-auth.required-audience", $want)],
        )
    };
}

const DEFAULT_TRUST: &str = "ca/server_root_cas";

const ROWS: &[Row] = &[
    // §0, fact 4: entries are kept in YAML order.
    ids(
        4,
        "connections in YAML order",
        "b:\n  base-url: https://b\na:\n  base-url: https://a\n",
        OK,
        &["b", "a"],
    ),
    // §1, fact 10: the YAML 1.1 boolean words.
    flag!(10, "true", "true"),
    flag!(10, "True", "true"),
    flag!(10, "TRUE", "true"),
    flag!(10, "false", "false"),
    flag!(10, "False", "false"),
    flag!(10, "FALSE", "false"),
    flag!(10, "yes", "true"),
    flag!(10, "Yes", "true"),
    flag!(10, "YES", "true"),
    flag!(10, "no", "false"),
    flag!(10, "No", "false"),
    flag!(10, "NO", "false"),
    flag!(10, "on", "true"),
    flag!(10, "On", "true"),
    flag!(10, "ON", "true"),
    flag!(10, "off", "false"),
    flag!(10, "Off", "false"),
    flag!(10, "OFF", "false"),
    // The same words on the two other boolean properties.
    eff(
        10,
        "test-connection-on-startup on",
        conn!("  test-connection-on-startup: on\n"),
        OK,
        &[("c", "test-connection-on-startup", "true")],
    ),
    eff(
        10,
        "verify-authorized-party off",
        oidc!("    verify-authorized-party: off\n"),
        OK,
        &[("c", "oidc-auth.verify-authorized-party", "false")],
    ),
    // Fact 11: y/n are strings; mixed case is not a boolean.
    bad_flag!(11, "y"),
    bad_flag!(11, "Y"),
    bad_flag!(11, "n"),
    bad_flag!(11, "N"),
    bad_flag!(11, "tRue"),
    bad_flag!(11, "yEs"),
    bad_flag!(11, "oN"),
    // Fact 12: quoted, only the true/false spellings (trimmed); "null", "" and " " are null.
    flag!(12, "'true'", "true"),
    flag!(12, "'True'", "true"),
    flag!(12, "\"TRUE\"", "true"),
    flag!(12, "'false'", "false"),
    flag!(12, "'False'", "false"),
    flag!(12, "'FALSE'", "false"),
    flag!(12, "' true '", "true"),
    bad_flag!(12, "'yes'"),
    bad_flag!(12, "\"on\""),
    bad_flag!(12, "\"y\""),
    bad_flag!(12, "'no'"),
    bad_flag!(12, "\"1\""),
    bad_flag!(12, "\"0\""),
    flag!(12, "\"null\"", "false"),
    flag!(12, "\"\"", "false"),
    flag!(12, "\" \"", "false"),
    // Fact 13: integers (0 is false), floats rejected.
    flag!(13, "0", "false"),
    flag!(13, "1", "true"),
    flag!(13, "2", "true"),
    flag!(13, "-1", "true"),
    flag!(13, "0x0", "false"),
    bad_flag!(13, "1.0"),
    bad_flag!(13, "1e0"),
    bad_flag!(13, ".inf"),
    // Fact 14: null spellings and empty mean the default (false).
    flag!(14, "~", "false"),
    flag!(14, "null", "false"),
    flag!(14, "Null", "false"),
    flag!(14, "NULL", "false"),
    eff(
        14,
        "boolean empty",
        conn!("  enable-debug-logging:\n"),
        OK,
        &[("c", "enable-debug-logging", "false")],
    ),
    // Fact 15: tags.
    flag!(15, "!!bool yes", "true"),
    flag!(15, "!!bool y", "true"),
    bad_flag!(15, "!!bool 1"),
    flag!(15, "!!str true", "true"),
    bad_flag!(15, "!!str yes"),
    flag!(15, "!!int 1", "true"),
    bad_flag!(15, "!custom yes"),
    flag!(15, "! true", "true"),
    // Fact 16: an alias yields the anchor's name ("t"), not a boolean.
    row(
        16,
        "boolean alias",
        "c:\n  base-url: &t https://x\n  enable-debug-logging: *t\n",
        NO_CONNECTIONS,
    ),
    // §2, fact 17: strings go to Duration.parse.
    timeout!(17, "pt5s", "PT5S"),
    negative_timeout!(17, "-PT5S", "PT-5S"),
    negative_timeout!(17, "PT-5S", "PT-5S"),
    timeout!(17, "-PT-5S", "PT5S"),
    timeout!(17, "PT1,5S", "PT1.5S"),
    timeout!(17, "PT1.5S", "PT1.5S"),
    timeout!(17, "PT1.S", "PT1S"),
    timeout!(17, "PT1.123456789S", "PT1.123456789S"),
    bad_timeout!(17, "PT.5S"),
    bad_timeout!(17, "PT1.1234567891S"),
    // Java's Duration prints a day as 24 hours; `explain` does the same.
    timeout!(17, "P1D", "PT24H"),
    // Assumption: the trimming of fact 17 applies to quoted text with spaces.
    timeout!(17, "' PT5S '", "PT5S"),
    bad_timeout!(17, "P1Y"),
    bad_timeout!(17, "P1M"),
    bad_timeout!(17, "P1W"),
    bad_timeout!(17, "P"),
    bad_timeout!(17, "PT"),
    bad_timeout!(17, "P1DT"),
    bad_timeout!(17, "5s"),
    bad_timeout!(17, "1:30"),
    bad_timeout!(17, "\"5\""),
    // Fact 18: numbers are seconds.
    timeout!(18, "5", "PT5S"),
    timeout!(18, "0.5", "PT0.5S"),
    timeout!(18, "1e3", "PT16M40S"),
    timeout!(18, "1_000", "PT16M40S"),
    timeout!(18, "0x10", "PT16S"),
    timeout!(18, "010", "PT8S"),
    negative_timeout!(18, "-5", "PT-5S"),
    timeout!(18, "!!int '5'", "PT5S"),
    bad_timeout!(18, ".inf"),
    bad_timeout!(18, ".nan"),
    // Long.MAX_VALUE + 1: beyond the range of a long.
    bad_timeout!(18, "9223372036854775808"),
    // Fact 19: blank and null mean the default (PT2S); lists, maps, booleans are errors.
    timeout!(19, "''", "PT2S"),
    timeout!(19, "' '", "PT2S"),
    timeout!(19, "~", "PT2S"),
    eff(
        19,
        "duration empty",
        conn!("  connect-timeout:\n"),
        OK,
        &[("c", "connect-timeout", "PT2S")],
    ),
    bad_timeout!(19, "[PT5S]"),
    bad_timeout!(19, "{a: b}"),
    bad_timeout!(19, "true"),
    // Fact 20: the maximum is accepted; beyond it a validation error; overflow stops the BPE.
    timeout!(20, "P24DT20H31M23.647S", "PT596H31M23.647S"),
    timeout!(20, "2147483.647", "PT596H31M23.647S"),
    // One millisecond above the accepted maximum (the "too large" rule itself is [src]).
    bad_timeout!(20, "P24DT20H31M23.648S"),
    overflow_timeout!(20, "P1000000000000D"),
    overflow_timeout!(20, "10000000000000000"),
    overflow_timeout!(20, "1e30"),
    // §3, fact 22: text properties take any scalar as its raw text.
    text!(22, "123", "123"),
    text!(22, "0x1F", "0x1F"),
    text!(22, "010", "010"),
    text!(22, "1_000", "1_000"),
    text!(22, "1e3", "1e3"),
    text!(22, "yes", "yes"),
    text!(22, "true", "true"),
    text!(22, "2001-12-14", "2001-12-14"),
    // Null text: shown on trusted-root-certificates-file, where null means the default store.
    eff(
        22,
        "text ~",
        conn!("  trusted-root-certificates-file: ~\n"),
        OK,
        &[("c", "trusted-root-certificates-file", DEFAULT_TRUST)],
    ),
    eff(
        22,
        "text null",
        conn!("  trusted-root-certificates-file: null\n"),
        OK,
        &[("c", "trusted-root-certificates-file", DEFAULT_TRUST)],
    ),
    eff(
        22,
        "text empty",
        conn!("  trusted-root-certificates-file:\n"),
        OK,
        &[("c", "trusted-root-certificates-file", DEFAULT_TRUST)],
    ),
    // '' stays "": a blank user name, which the server's validation rejects.
    row(22, "text ''", user!("''"), NO_CONNECTIONS),
    row(22, "text list", user!("[u]"), NO_CONNECTIONS),
    row(22, "text map", user!("{a: b}"), NO_CONNECTIONS),
    row(22, "text .inf", user!(".inf"), NO_CONNECTIONS),
    // Fact 23: secrets (char[]) reject numbers and booleans, join lists of 1-char strings.
    row(23, "password 1234", password!("1234"), NO_CONNECTIONS),
    row(
        23,
        "client-secret 42",
        oidc_bare!("    client-secret: 42\n"),
        NO_CONNECTIONS,
    ),
    row(
        23,
        "token true",
        conn!("  bearer-auth:\n    token: true\n"),
        NO_CONNECTIONS,
    ),
    row(23, "password yes", password!("yes"), NO_CONNECTIONS),
    row(23, "password [a, b, c]", password!("[a, b, c]"), OK),
    row(
        23,
        "token [a, b, c]",
        conn!("  bearer-auth:\n    token: [a, b, c]\n"),
        OK,
    ),
    row(
        23,
        "client-secret [a, b, c]",
        oidc_bare!("    client-secret: [a, b, c]\n"),
        OK,
    ),
    // Assumption: [] is the password "", which basic-auth validation rejects as blank (fact 34).
    row(23, "password []", password!("[]"), NO_CONNECTIONS),
    row(23, "password [ab, c]", password!("[ab, c]"), NO_CONNECTIONS),
    row(23, "password [1, 2]", password!("[1, 2]"), NO_CONNECTIONS),
    row(23, "password !!str 1234", password!("!!str 1234"), OK),
    // Fact 24: block scalars keep the trailing newline.
    // Assumption: the server accepts "https://x\n" (it passes validation), which is not the URL
    // the operator meant: silently wrong.
    eff(
        24,
        "base-url as block scalar",
        "c:\n  base-url: |\n    https://x\n",
        SILENTLY_WRONG,
        &[("c", "base-url", "https://x\n")],
    ),
    eff(
        24,
        "multi-line double-quoted text",
        user!("\"a\n      b\""),
        OK,
        &[("c", "basic-auth.username", "a b")],
    ),
    text!(24, "u   # comment", "u"),
    // §4, fact 25: required-audience, a scalar or a list; `explain` joins items with ", ".
    audience!(25, "aud", "aud"),
    audience!(25, "123", "123"),
    audience!(25, "true", "true"),
    // [""]: a blank item, rejected by validation (fact 26).
    row(
        25,
        "audience ''",
        oidc!("    required-audience: ''\n"),
        NO_CONNECTIONS,
    ),
    audience!(25, "[1, true, 1.5]", "1, true, 1.5"),
    // [] and null both mean "no audience check"; `explain` words that its own way, not asserted.
    row(25, "audience []", oidc!("    required-audience: []\n"), OK),
    row(25, "audience ~", oidc!("    required-audience: ~\n"), OK),
    row(25, "audience empty", oidc!("    required-audience:\n"), OK),
    row(
        25,
        "audience nested list",
        oidc!("    required-audience: [[a]]\n"),
        NO_CONNECTIONS,
    ),
    row(
        25,
        "audience nested map",
        oidc!("    required-audience: [{a: b}]\n"),
        NO_CONNECTIONS,
    ),
    // Assumption: a map as the value itself fails like a nested one (a list cannot be read
    // from a map).
    row(
        25,
        "audience map",
        oidc!("    required-audience: {a: b}\n"),
        NO_CONNECTIONS,
    ),
    // §5, fact 27: unknown keys, case-sensitive.
    row(
        27,
        "unknown key baseUrl",
        conn!("  baseUrl: https://x\n"),
        NO_CONNECTIONS,
    ),
    row(
        27,
        "unknown key base_url",
        conn!("  base_url: https://x\n"),
        NO_CONNECTIONS,
    ),
    row(
        27,
        "unknown key Base-Url",
        conn!("  Base-Url: https://x\n"),
        NO_CONNECTIONS,
    ),
    row(
        27,
        "unknown key scope in oidc-auth",
        oidc!("    scope: openid\n"),
        NO_CONNECTIONS,
    ),
    row(
        27,
        "unknown key foo with null",
        conn!("  foo:\n"),
        NO_CONNECTIONS,
    ),
    // Fact 28: duplicate keys, the last wins.
    // Assumption: the server silently drops the first definition, which is not what the operator
    // wrote: silently wrong.
    eff(
        28,
        "duplicate connection id",
        "c:\n  base-url: https://a\nc:\n  base-url: https://b\n",
        SILENTLY_WRONG,
        &[("c", "base-url", "https://b")],
    ),
    eff(
        28,
        "duplicate property",
        "c:\n  base-url: https://a\n  base-url: https://b\n",
        SILENTLY_WRONG,
        &[("c", "base-url", "https://b")],
    ),
    // The second basic-auth replaces the first wholesale: no password/password-file conflict.
    eff(
        28,
        "duplicate auth block",
        conn!(
            "  basic-auth:\n    username: u\n    password: p\n",
            "  basic-auth:\n    username: v\n    password-file: /f\n"
        ),
        SILENTLY_WRONG,
        &[
            ("c", "basic-auth.username", "v"),
            ("c", "basic-auth.password-file", "/f"),
            ("c", "basic-auth.password", ABSENT),
        ],
    ),
    // Once every creator parameter has been seen, a further key is a parse error.
    // Assumption: a key with a null value counts as seen (Jackson's PropertyValueBuffer counts
    // assignments, not values), so these rows complete each record with nulls.
    row(
        28,
        "bearer-auth: key after all 2 properties",
        conn!("  bearer-auth:\n    token: t\n    token-file:\n    token: u\n"),
        NO_CONNECTIONS,
    ),
    row(
        28,
        "basic-auth: key after all 3 properties",
        conn!(
            "  basic-auth:\n    username: u\n    password: p\n    password-file:\n",
            "    username: v\n"
        ),
        NO_CONNECTIONS,
    ),
    row(
        28,
        "cert-auth: key after all 5 properties",
        conn!(
            "  cert-auth:\n    p12-file: /p\n    password: p\n    private-key-file:\n",
            "    certificate-file:\n    password-file:\n    p12-file: /q\n"
        ),
        NO_CONNECTIONS,
    ),
    row(
        28,
        "connection: key after all 10 properties",
        conn!(
            "  test-connection-on-startup:\n  enable-debug-logging:\n  connect-timeout:\n",
            "  read-timeout:\n  trusted-root-certificates-file:\n  cert-auth:\n  basic-auth:\n",
            "  bearer-auth:\n  oidc-auth:\n  base-url: https://y\n"
        ),
        NO_CONNECTIONS,
    ),
    row(
        28,
        "oidc-auth: key after all 12 properties",
        oidc!(
            "    discovery-path:\n    test-connection-on-startup:\n    enable-debug-logging:\n",
            "    connect-timeout:\n    read-timeout:\n    trusted-root-certificates-file:\n",
            "    client-secret-file:\n    required-audience:\n    verify-authorized-party:\n",
            "    client-id: j\n"
        ),
        NO_CONNECTIONS,
    ),
    // Fact 29: anchors are transparent, aliases are not resolved, merge keys are unknown.
    eff(
        29,
        "anchor on a scalar",
        "c:\n  base-url: &u https://x\n",
        OK,
        &[("c", "base-url", "https://x")],
    ),
    eff(
        29,
        "anchor on a connection",
        "c: &c\n  base-url: https://x\n",
        OK,
        &[("c", "base-url", "https://x")],
    ),
    eff(
        29,
        "scalar alias",
        "a:\n  base-url: &u https://x\nb:\n  base-url: *u\n",
        SILENTLY_WRONG,
        &[("b", "base-url", "u")],
    ),
    row(
        29,
        "alias to an auth block",
        "a:\n  base-url: https://x\n  basic-auth: &b\n    username: u\n    password: p\nb:\n  base-url: https://y\n  basic-auth: *b\n",
        NO_CONNECTIONS,
    ),
    row(
        29,
        "alias to a connection",
        "a: &a\n  base-url: https://x\nb: *a\n",
        NO_CONNECTIONS,
    ),
    eff(
        29,
        "alias to an audience list",
        "a:\n  base-url: https://x\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    required-audience: &l [x, y]\nb:\n  base-url: https://y\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    required-audience: *l\n",
        SILENTLY_WRONG,
        &[("b", "oidc-auth.required-audience", "l")],
    ),
    row(
        29,
        "merge key",
        conn!("  <<: {read-timeout: PT1S}\n"),
        NO_CONNECTIONS,
    ),
    // Fact 30: documents, directives, encodings.
    // Assumption: a second document holding a connection is silently dropped: silently wrong.
    ids(
        30,
        "second document",
        "c:\n  base-url: https://x\n---\nd:\n  base-url: https://y\n",
        SILENTLY_WRONG,
        &["c"],
    ),
    // Assumption: a broken second document changes nothing in the server (it is never read),
    // so it must not be an error here (a warning is fine).
    ids(
        30,
        "broken second document",
        "c:\n  base-url: https://x\n---\nd: [\n",
        OK,
        &["c"],
    ),
    ids(
        30,
        "leading ---",
        "---\nc:\n  base-url: https://x\n",
        OK,
        &["c"],
    ),
    ids(
        30,
        "document end ...",
        "c:\n  base-url: https://x\n...\n",
        OK,
        &["c"],
    ),
    eff(
        30,
        "%YAML 1.1",
        "%YAML 1.1\n---\nc:\n  base-url: https://x\n  enable-debug-logging: yes\n",
        OK,
        &[("c", "enable-debug-logging", "true")],
    ),
    // YAML 1.1 typing still applies: 010 is octal.
    eff(
        30,
        "%YAML 1.2",
        "%YAML 1.2\n---\nc:\n  base-url: https://x\n  connect-timeout: 010\n",
        OK,
        &[("c", "connect-timeout", "PT8S")],
    ),
    row(
        30,
        "%YAML 2.0",
        "%YAML 2.0\n---\nc:\n  base-url: https://x\n",
        NO_CONNECTIONS,
    ),
    eff(
        30,
        "byte order mark",
        "\u{feff}c:\n  base-url: https://x\n",
        OK,
        &[("c", "base-url", "https://x")],
    ),
    eff(
        30,
        "CRLF",
        "c:\r\n  base-url: https://x\r\n  basic-auth:\r\n    username: u\r\n    password: p\r\n",
        OK,
        &[
            ("c", "base-url", "https://x"),
            ("c", "basic-auth.username", "u"),
        ],
    ),
    row(
        30,
        "tab indentation",
        "c:\n\tbase-url: https://x\n",
        NO_CONNECTIONS,
    ),
    // Fact 31: the root and the connection ids.
    ids(
        31,
        "mapping root",
        "c:\n  base-url: https://x\n",
        OK,
        &["c"],
    ),
    ids(31, "empty mapping root", "{}\n", OK, &[]),
    row(
        31,
        "list root",
        "- c:\n    base-url: https://x\n",
        NO_CONNECTIONS,
    ),
    row(31, "scalar root", "c\n", NO_CONNECTIONS),
    row(
        31,
        "comment-only text",
        "# c:\n#   base-url: https://x\n",
        NO_CONNECTIONS,
    ),
    row(31, "root ~", "~\n", DOES_NOT_START),
    row(31, "root null", "null\n", DOES_NOT_START),
    row(31, "root --- alone", "---\n", DOES_NOT_START),
    ids(31, "id 1", "1:\n  base-url: https://x\n", OK, &["1"]),
    ids(31, "id yes", "yes:\n  base-url: https://x\n", OK, &["yes"]),
    ids(
        31,
        "id null",
        "null:\n  base-url: https://x\n",
        OK,
        &["null"],
    ),
    ids(31, "id ~", "~:\n  base-url: https://x\n", OK, &["~"]),
    // A blank id is unreachable from plugins (fact 9): a warning at most.
    ids(31, "id ''", "'':\n  base-url: https://x\n", OK, &[""]),
    row(
        31,
        "complex key",
        "? [a, b]\n: {base-url: https://x}\n",
        NO_CONNECTIONS,
    ),
    // Fact 32: connection and auth block values; tags on mappings and scalars.
    row(32, "connection empty", "c:\n", NO_CONNECTIONS),
    row(32, "connection ~", "c: ~\n", NO_CONNECTIONS),
    row(32, "connection null", "c: null\n", NO_CONNECTIONS),
    row(32, "connection {}", "c: {}\n", NO_CONNECTIONS),
    row(32, "connection scalar", "c: https://x\n", NO_CONNECTIONS),
    row(32, "connection ''", "c: ''\n", NO_CONNECTIONS),
    eff(
        32,
        "auth block empty",
        conn!("  basic-auth:\n"),
        OK,
        &[("c", "basic-auth.username", ABSENT)],
    ),
    row(32, "auth block ~", conn!("  basic-auth: ~\n"), OK),
    row(32, "auth block null", conn!("  basic-auth: null\n"), OK),
    row(
        32,
        "auth block ''",
        conn!("  basic-auth: ''\n"),
        NO_CONNECTIONS,
    ),
    row(
        32,
        "auth block scalar",
        conn!("  basic-auth: u\n"),
        NO_CONNECTIONS,
    ),
    eff(
        32,
        "tag !!map on a connection",
        "c: !!map\n  base-url: https://x\n",
        OK,
        &[("c", "base-url", "https://x")],
    ),
    eff(
        32,
        "tag !foo on a connection",
        "c: !foo\n  base-url: https://x\n",
        OK,
        &[("c", "base-url", "https://x")],
    ),
    // A custom tag makes `5` the text "5", which Duration.parse rejects (fact 17).
    bad_timeout!(32, "!foo 5"),
    // §8, fact 52: the dsf.dev documentation's examples close the quote with U+2019.
    row(
        52,
        "docs password-file with U+2019",
        conn!("  basic-auth:\n    username: u\n    password-file: 'password.file\u{2019}\n"),
        NO_CONNECTIONS,
    ),
    row(
        52,
        "docs client-secret-file with U+2019",
        oidc_bare!("    client-secret-file: 'path/password.file\u{2019}\n"),
        NO_CONNECTIONS,
    ),
];

const ARGS: [&str; 4] = ["--format", "json", "--skip-file-checks", "-"];

/// Run `dsf-connections <command> --format json --skip-file-checks -` on `yaml`.
fn run_json(command: &str, yaml: &str) -> Result<(i32, Value), String> {
    let mut args = vec![command];
    args.extend(ARGS);
    let out = run(&args, Some(yaml.as_bytes()), &[]);
    serde_json::from_str(&out.stdout)
        .map(|json| (out.code, json))
        .map_err(|e| {
            format!(
                "`{command}` printed no JSON ({e}), exit {}: {}{}",
                out.code, out.stdout, out.stderr
            )
        })
}

fn diagnostics(json: &Value) -> &[Value] {
    json["diagnostics"].as_array().map_or(&[], Vec::as_slice)
}

fn verdict_holds(verdict: Verdict, exit: i32, json: &Value) -> bool {
    let diags = diagnostics(json);
    let error_with = |outcome: &str| {
        diags
            .iter()
            .any(|d| d["severity"] == "error" && d["outcome"] == outcome)
    };
    match verdict {
        Verdict::Ok => exit == 0 && !diags.iter().any(|d| d["severity"] == "error"),
        Verdict::NoConnections => exit == 1 && error_with("no-connections"),
        Verdict::DoesNotStart => exit == 1 && error_with("does-not-start"),
        Verdict::SilentlyWrong => diags.iter().any(|d| d["outcome"] == "silently-wrong"),
    }
}

/// What the tool said: `exit N: code (severity, outcome), ...`.
fn describe(exit: i32, json: &Value) -> String {
    let diags: Vec<String> = diagnostics(json)
        .iter()
        .map(|d| {
            format!(
                "{} ({}, {})",
                d["code"].as_str().unwrap_or("?"),
                d["severity"].as_str().unwrap_or("?"),
                d["outcome"].as_str().unwrap_or("no outcome")
            )
        })
        .collect();
    format!("exit {exit}: [{}]", diags.join(", "))
}

/// The differences between the row's expected effective values / ids and `explain`.
fn explain_mismatches(r: &Row) -> Vec<String> {
    let (_, json) = match run_json("explain", r.yaml) {
        Ok(x) => x,
        Err(e) => return vec![e],
    };
    let conns = json["connections"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let mut out = Vec::new();
    if let Some(want) = r.ids {
        let got: Vec<&str> = conns.iter().filter_map(|c| c["id"].as_str()).collect();
        if got != want {
            out.push(format!("explain ids {got:?}, want {want:?}"));
        }
    }
    for &(id, name, want) in r.effective {
        // the last connection of that id is the one the server keeps
        let Some(conn) = conns.iter().rev().find(|c| c["id"] == id) else {
            out.push(format!("explain has no connection `{id}`"));
            continue;
        };
        let got = conn["settings"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == name))
            .map(|s| s["value"].as_str().unwrap_or("<not text>"))
            .unwrap_or(ABSENT);
        if got != want {
            out.push(format!("explain {id}.{name} = {got:?}, want {want:?}"));
        }
    }
    out
}

#[test]
fn the_server_dialect_fact_by_fact() {
    assert!(ROWS.len() > 150, "every [run] example has a row");
    let mut seen = std::collections::HashSet::new();
    for r in ROWS {
        assert!(
            seen.insert((r.fact, r.name)),
            "two rows named fact {} ({})",
            r.fact,
            r.name
        );
    }
    let mut failures = Vec::new();
    for r in ROWS {
        let mut problems = Vec::new();
        let mut said = String::new();
        match run_json("check", r.yaml) {
            Ok((exit, json)) => {
                said = describe(exit, &json);
                if !verdict_holds(r.verdict, exit, &json) {
                    problems.push(format!("verdict: want {}", r.verdict.label()));
                }
            }
            Err(e) => problems.push(e),
        }
        if !r.effective.is_empty() || r.ids.is_some() {
            problems.extend(explain_mismatches(r));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "fact {} ({}): {}\n    yaml: {:?}\n    we said: {said}",
                r.fact,
                r.name,
                problems.join("; "),
                r.yaml
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} dialect rows disagree with the server:\n{}",
        failures.len(),
        ROWS.len(),
        failures.join("\n")
    );
}
