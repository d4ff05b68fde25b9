//! The probe flags of `check` (`#[command(flatten)]` into the check arguments). Parsing only.

use std::net::IpAddr;
use std::time::Duration;

use super::Resolve;

#[derive(Debug, Clone, clap::Args)]
pub struct ProbeArgs {
    /// Probe every connection that passed its checks, the way the BPE tests it at start-up
    /// (exit 3 when a probe fails).
    #[arg(long)]
    pub test_connections: bool,

    /// Cap on each probe's whole run (e.g. 30s, 1m; above zero); the server's own read timeout
    /// is 10 min.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_probe_timeout)]
    pub probe_timeout: Duration,

    /// Probes running at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,

    /// Connect to ADDR for HOST:PORT, as curl does; TLS still verifies HOST (repeatable), e.g.
    /// --resolve dic1-fhir:443:127.0.0.1
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse_resolve)]
    pub resolve: Vec<Resolve>,
}

/// A duration above zero: the cap on a probe cannot be turned off (a config's `read-timeout: 0`
/// against a silent server would otherwise wait forever).
fn parse_probe_timeout(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e} (e.g. 30s, 2m, 500ms)"))?;
    if d.is_zero() {
        return Err(
            "the probe timeout must be above zero: it is what ends a probe of a server that never answers (e.g. 30s, 2m)"
                .into(),
        );
    }
    Ok(d)
}

/// curl's `HOST:PORT:ADDR`; ADDR may be an IPv6 address, with or without brackets.
pub fn parse_resolve(s: &str) -> Result<Resolve, String> {
    let err = || format!("`{s}` is not HOST:PORT:ADDRESS (e.g. dic1-fhir:443:127.0.0.1)");
    let (host, rest) = s.split_once(':').ok_or_else(err)?;
    let (port, addr) = rest.split_once(':').ok_or_else(err)?;
    if host.is_empty() {
        return Err(err());
    }
    let port: u16 = port.parse().map_err(|_| err())?;
    let addr = addr.trim_start_matches('[').trim_end_matches(']');
    let addr: IpAddr = addr.parse().map_err(|_| err())?;
    Ok(Resolve {
        host: host.to_string(),
        port,
        addr,
    })
}

impl ProbeArgs {
    /// Options for [`super::run`]: clock now, no proxy and no progress (the caller sets
    /// `proxy` from [`super::ProxyConfig::from_env`] and `progress` on a terminal).
    pub fn options(&self) -> super::ProbeOptions {
        super::ProbeOptions {
            concurrency: usize::from(self.concurrency),
            probe_timeout: self.probe_timeout,
            resolve: self.resolve.clone(),
            ..super::ProbeOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_like_curl() {
        let r = parse_resolve("dic1-fhir:443:127.0.0.1").expect("valid");
        assert_eq!((r.host.as_str(), r.port), ("dic1-fhir", 443));
        assert_eq!(r.addr.to_string(), "127.0.0.1");
        let r = parse_resolve("h:8443:[::1]").expect("valid");
        assert_eq!(r.addr.to_string(), "::1");
        let r = parse_resolve("h:8443:::1").expect("valid");
        assert_eq!(r.addr.to_string(), "::1");
        assert!(parse_resolve("h:x:1.2.3.4").is_err());
        assert!(parse_resolve("h:443").is_err());
        assert!(parse_resolve(":443:1.2.3.4").is_err());
    }

    #[test]
    fn flags_flatten_into_a_command() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cmd {
            #[command(flatten)]
            probe: ProbeArgs,
        }
        let c = Cmd::try_parse_from([
            "x",
            "--test-connections",
            "--probe-timeout",
            "5s",
            "--resolve",
            "h:1:127.0.0.1",
        ])
        .expect("parses");
        assert!(c.probe.test_connections);
        assert_eq!(c.probe.probe_timeout, Duration::from_secs(5));
        assert_eq!(c.probe.concurrency, 16);
        assert!(Cmd::try_parse_from(["x", "--concurrency", "0"]).is_err());
        for zero in ["0", "0s", "0ms"] {
            let e = Cmd::try_parse_from(["x", "--probe-timeout", zero])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains("must be above zero"), "{zero}: {e}");
        }
    }
}
