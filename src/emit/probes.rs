//! Human output of probe results: per connection a header with the verdict and what the server
//! would do, then one line per step (mark, time, label, detail, code); and the progress line
//! shown on a terminal while probes run.

use crate::printable::visible;
use crate::probe::from_model::NotProbed;
pub use crate::probe::words::elapsed;
use crate::probe::{ProbeResult, ServerOutcome, step};
use crate::secrets::Redactor;
use owo_colors::OwoColorize;
use std::io::{self, Write};

/// The human label of a step name.
pub fn label(name: &str) -> &'static str {
    match name {
        step::FHIR_RESOLVE | step::OIDC_RESOLVE => "name resolution",
        step::FHIR_CONNECT | step::OIDC_CONNECT => "TCP connect",
        step::FHIR_PROXY | step::OIDC_PROXY => "proxy CONNECT",
        step::FHIR_TLS | step::OIDC_TLS => "TLS handshake",
        step::FHIR_HTTP => "HTTP status",
        step::FHIR_CAPABILITY => "CapabilityStatement",
        step::OIDC_DISCOVERY => "OIDC discovery",
        step::OIDC_ISSUER => "OIDC issuer",
        step::OIDC_JWKS => "OIDC JWKS",
        step::OIDC_GRANT_TYPE => "OIDC grant type",
        step::OIDC_TOKEN_ENDPOINT => "OIDC token endpoint",
        step::OIDC_TOKEN => "OIDC token request",
        step::OIDC_TOKEN_KEY => "token key",
        step::OIDC_SIGNATURE => "token signature",
        step::OIDC_TIMES => "token times",
        step::OIDC_AUDIENCE => "token audience",
        step::OIDC_AZP => "token azp",
        step::PROBE => "probe",
        _ => "step",
    }
}

fn verdict(r: &ProbeResult) -> String {
    match r.server_outcome {
        ServerOutcome::Ok if r.server_tests_at_startup => "the server tests it at start-up".into(),
        ServerOutcome::Ok => {
            "the server does not test it at start-up (test-connection-on-startup: false)".into()
        }
        ServerOutcome::Logged => "the server would log this at start-up and run on".into(),
        ServerOutcome::DoesNotStart => "the BPE would NOT start".into(),
        ServerOutcome::NotTested => {
            "the server does not test it at start-up: this fails when a process plugin uses it"
                .into()
        }
        ServerOutcome::Unknown => "cut short by --probe-timeout".into(),
    }
}

/// Every result, then a one-line summary; details rendered by `r`, like diagnostics.
pub fn render(
    results: &[ProbeResult],
    r: &Redactor,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let redactor = r;
    let width = results
        .iter()
        .flat_map(|r| r.steps.iter().map(|s| label(s.name).len()))
        .max()
        .unwrap_or(0);
    for r in results {
        let mut via = Vec::new();
        if r.via_proxy {
            via.push("FHIR");
        }
        if r.oidc_via_proxy == Some(true) {
            via.push("OIDC");
        }
        let via = if via.is_empty() {
            String::new()
        } else {
            format!(", {} via the proxy", via.join(" and "))
        };
        let state = if r.ok { "ok" } else { "FAILED" };
        let head = format!(
            "{} {}: {state} in {}{via}: {}",
            mark(r.ok, color),
            visible(&r.connection),
            elapsed(r.duration),
            verdict(r)
        );
        writeln!(out, "{head}")?;
        for s in &r.steps {
            let code = match s.code {
                Some(c) if color => format!(" [{}]", c.red()),
                Some(c) => format!(" [{c}]"),
                None => String::new(),
            };
            writeln!(
                out,
                "  {} {:>6}  {:<width$}  {}{code}",
                mark(s.ok, color),
                elapsed(s.duration),
                label(s.name),
                visible(&redactor.text(&s.detail)),
            )?;
        }
    }
    let failed = results.iter().filter(|r| !r.ok).count();
    writeln!(
        out,
        "probes: {} ok, {failed} failed",
        results.len() - failed
    )?;
    Ok(())
}

/// Failed connections named in a summary at most; the rest are counted.
const NAMED: usize = 5;

/// The probes in one phrase for the summary line (input text made visible):
/// `probes: all 5 ok`, `probes: 2 of 5 connections failed (a, b), 1 not probed`,
/// `probes: nothing was probed, ...` with why.
pub fn summary(results: &[ProbeResult], not_probed: &[NotProbed]) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let skipped = match not_probed.len() {
        0 => String::new(),
        n => format!(", {n} not probed"),
    };
    if results.is_empty() {
        if not_probed.is_empty() {
            return "probes: nothing was probed: there is no connection to probe".into();
        }
        // the why of a reason is its first clause (the fix follows after `; `)
        let why = |n: &NotProbed| -> String {
            let r = n.reason.as_str();
            r.split_once("; ").map_or(r, |(w, _)| w).to_string()
        };
        let mut whys: Vec<String> = not_probed.iter().map(why).collect();
        whys.sort();
        whys.dedup();
        let n = not_probed.len();
        let none = if n == 1 {
            "the one connection could not be".to_string()
        } else {
            format!("none of the {n} connections could be")
        };
        return match whys.as_slice() {
            [one] => format!("probes: nothing was probed, {none}: {}", visible(one)),
            _ => format!(
                "probes: nothing was probed, {none} ({} reasons: see `not probed` above)",
                whys.len()
            ),
        };
    }
    let failed: Vec<&ProbeResult> = results.iter().filter(|r| !r.ok).collect();
    if failed.is_empty() {
        return match results.len() {
            1 => format!("probes: 1 connection ok{skipped}"),
            n => format!("probes: all {n} connections ok{skipped}"),
        };
    }
    let mut names: Vec<String> = failed
        .iter()
        .take(NAMED)
        .map(|r| visible(&crate::emit::clip(&r.connection)).into_owned())
        .collect();
    if failed.len() > NAMED {
        names.push(format!("{} more", failed.len() - NAMED));
    }
    format!(
        "probes: {} of {} failed ({}){skipped}",
        failed.len(),
        plural(results.len(), "connection"),
        names.join(", ")
    )
}

fn mark(ok: bool, color: bool) -> String {
    match (ok, color) {
        (true, true) => "✓".green().to_string(),
        (false, true) => "✗".red().to_string(),
        (true, false) => "✓".into(),
        (false, false) => "✗".into(),
    }
}
