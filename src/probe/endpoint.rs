//! The parts of a URL an exchange needs (scheme, host, port, `Host` header, request target),
//! parsed as the server's client reads them; a URL it cannot use is `invalid-url`.

use super::codes::{Group, ProbeCode};
use super::net::Failure;
use crate::secrets::Piece;
use crate::text;
use std::net::IpAddr;

pub static INVALID_URL: ProbeCode = ProbeCode {
    name: "invalid-url",
    group: Group::Settings,
    summary: "`base-url` (or an OIDC endpoint) is not an `http://` or `https://` URL with a host",
    docs: r##"**What:** `base-url` (or an OIDC endpoint) is not an `http://` or `https://` URL with a host.
**Why:** the server would fail the same request. **Fix:** write the full URL, e.g.
`https://fhir.example.org/fhir`.

**Also a diagnostic code, by design:** `check` reports a `base-url` it cannot use as the
diagnostic [`invalid-url`](codes.md#invalid-url) and does not probe that connection; the probe
code is for a URL only the probe meets (a discovery URL made of `base-url` and
`discovery-path`, a host name TLS cannot verify, a request that cannot be built from it). It is
one mistake seen at two stages, so both keep the name: codes are never renamed. They never mix:
JSON has the diagnostic's in `diagnostics[].code` and the probe's in `probes[].steps[].code`,
`--ignore`/`--select` filter diagnostics only, and `--explain-code invalid-url` shows both."##,
};

/// A URL's parts the exchange needs.
pub(crate) struct Target {
    pub https: bool,
    /// Without brackets for IPv6.
    pub host: String,
    pub ip: Option<IpAddr>,
    pub port: u16,
    /// `Host` header value.
    pub authority: String,
    /// origin-form request target
    pub path: String,
    /// absolute-form request target, for plain http through a proxy (no userinfo)
    pub absolute: String,
}

pub(crate) fn parse_target(raw: &str) -> Result<Target, Failure> {
    let url = url::Url::parse(raw).map_err(|e| {
        Failure::new(
            &INVALID_URL,
            text!(
                "`{}` is not a URL: {}",
                Piece::value(raw),
                Piece::own(e.to_string())
            ),
        )
    })?;
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        s => {
            return Err(Failure::new(
                &INVALID_URL,
                text!(
                    "`{}`: the scheme `{}` is neither http nor https",
                    Piece::value(raw),
                    Piece::value(s)
                ),
            ));
        }
    };
    let (host, ip) = match url.host() {
        Some(url::Host::Domain(d)) => (d.to_string(), None),
        Some(url::Host::Ipv4(a)) => (a.to_string(), Some(IpAddr::V4(a))),
        Some(url::Host::Ipv6(a)) => (a.to_string(), Some(IpAddr::V6(a))),
        None => {
            return Err(Failure::new(
                &INVALID_URL,
                text!("`{}` has no host", Piece::value(raw)),
            ));
        }
    };
    let port = url
        .port_or_known_default()
        .unwrap_or(if https { 443 } else { 80 });
    let host_text = url.host_str().unwrap_or_default().to_string();
    let authority = match url.port() {
        Some(p) => format!("{host_text}:{p}"),
        None => host_text,
    };
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    let scheme = if https { "https" } else { "http" };
    let absolute = format!("{scheme}://{authority}{path}");
    Ok(Target {
        https,
        host,
        ip,
        port,
        authority,
        path,
        absolute,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = parse_target("https://Fhir.Example.org/fhir/metadata?x=1")
            .unwrap_or_else(|_| panic!("valid"));
        assert_eq!(
            (t.host.as_str(), t.port, t.https),
            ("fhir.example.org", 443, true)
        );
        assert_eq!(t.authority, "fhir.example.org");
        assert_eq!(t.path, "/fhir/metadata?x=1");
        let t = parse_target("http://[::1]:8080/x").unwrap_or_else(|_| panic!("valid"));
        assert_eq!(
            (t.host.as_str(), t.port, t.authority.as_str()),
            ("::1", 8080, "[::1]:8080")
        );
        assert!(t.ip.is_some());
        assert!(parse_target("ftp://x/").is_err());
    }
}
