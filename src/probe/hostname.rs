//! Host name verification as the server's HTTP stack does it: Apache HttpClient 4's
//! `DefaultHostnameVerifier` (Jersey's `ApacheConnector` passes no verifier of its own, so
//! `SSLConnectionSocketFactory` uses the default one, with the public suffix list).
//!
//! - The subject alternative names of the matching kind decide: DNS names for a host name, IP
//!   addresses for an IP address. Other kinds (e-mail, URI) do not count as names.
//! - Without any DNS or IP subject alternative name, the most specific CN of the subject is
//!   compared instead (also for an IP address, as a string).
//! - Case-insensitive; one `*` per name, standing for a part of one label (`*.example.org`,
//!   `f*.example.org`); the `*` must lie left of the registrable domain (`*.org` matches
//!   nothing). The probe approximates the public suffix list by the last two labels.

use std::net::IpAddr;

/// Why a certificate does not match.
#[derive(Debug, Clone)]
pub(crate) struct Mismatch {
    /// The names compared (`IP 10.0.0.1` for IP addresses, `CN x` for the CN fallback).
    pub compared: Vec<String>,
    /// No DNS/IP subject alternative name: the CN was compared.
    pub cn_fallback: bool,
}

/// The names of a certificate as HttpClient reads them.
pub(crate) struct Names {
    pub dns: Vec<String>,
    pub ips: Vec<IpAddr>,
    /// The most specific (last) CN of the subject.
    pub cn: Option<String>,
}

pub(crate) fn names(der: &[u8]) -> Option<Names> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => dns.push((*d).to_string()),
                GeneralName::IPAddress(b) => {
                    if let Ok(a) = <[u8; 4]>::try_from(*b) {
                        ips.push(IpAddr::from(a));
                    } else if let Ok(a) = <[u8; 16]>::try_from(*b) {
                        ips.push(IpAddr::from(a));
                    }
                }
                _ => {}
            }
        }
    }
    let cn = cert
        .subject()
        .iter_common_name()
        .last()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string);
    Some(Names { dns, ips, cn })
}

/// `Ok` when HttpClient 4 accepts the certificate for `host` (a host name or an IP address).
pub(crate) fn verify(names: &Names, host: &str, ip: Option<IpAddr>) -> Result<(), Mismatch> {
    let host_l = host.trim_end_matches('.').to_ascii_lowercase();
    if !names.dns.is_empty() || !names.ips.is_empty() {
        let ok = match ip {
            Some(ip) => names.ips.contains(&ip),
            None => names.dns.iter().any(|d| matches(&host_l, d)),
        };
        if ok {
            return Ok(());
        }
        let mut compared: Vec<String> = names.dns.clone();
        compared.extend(names.ips.iter().map(|i| format!("IP {i}")));
        return Err(Mismatch {
            compared,
            cn_fallback: false,
        });
    }
    match &names.cn {
        Some(cn) if matches(&host_l, cn) => Ok(()),
        // an IP host against an IP written as CN: a string compare in HttpClient
        Some(cn) if ip.is_some_and(|i| cn.parse::<IpAddr>().ok() == Some(i)) => Ok(()),
        Some(cn) => Err(Mismatch {
            compared: vec![format!("CN {cn}")],
            cn_fallback: true,
        }),
        None => Err(Mismatch {
            compared: Vec::new(),
            cn_fallback: true,
        }),
    }
}

/// `matchIdentityStrict` of HttpClient 4.5 (host already lower case).
fn matches(host: &str, identity: &str) -> bool {
    let identity = identity.trim_end_matches('.').to_ascii_lowercase();
    if host.contains('.') {
        // the registrable domain of the identity (public suffix list approximated by two labels)
        let labels: Vec<&str> = identity.split('.').collect();
        if labels.len() < 2 {
            // a single label against a dotted host: only an exact match (never true here)
            return host == identity;
        }
        let root = labels[labels.len() - 2..].join(".");
        let within = host == root
            || (host.ends_with(&root) && host[..host.len() - root.len()].ends_with('.'));
        if !within {
            return false;
        }
    }
    match identity.find('*') {
        Some(i) => {
            let (prefix, suffix) = (&identity[..i], &identity[i + 1..]);
            if host.len() < prefix.len() + suffix.len()
                || !host.starts_with(prefix)
                || !host.ends_with(suffix)
            {
                return false;
            }
            !host[prefix.len()..host.len() - suffix.len()].contains('.')
        }
        None => host == identity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(v: &[&str]) -> Names {
        Names {
            dns: v.iter().map(|s| s.to_string()).collect(),
            ips: Vec::new(),
            cn: Some("ignored.example.org".into()),
        }
    }

    #[test]
    fn wildcards_as_httpclient_4() {
        assert!(matches("a.example.org", "*.example.org"));
        assert!(matches("a.example.org", "*.EXAMPLE.org"));
        assert!(!matches("example.org", "*.example.org"));
        assert!(!matches("a.b.example.org", "*.example.org"));
        assert!(matches("foo.example.org", "f*.example.org"));
        assert!(!matches("bar.example.org", "f*.example.org"));
        // left of the registrable domain only
        assert!(!matches("example.org", "*.org"));
        assert!(!matches("www.x.org", "www.*.org"));
        assert!(matches("fhir.test", "fhir.test"));
        assert!(matches("localhost", "localhost"));
        assert!(!matches("localhost", "*.localhost"));
    }

    #[test]
    fn san_kind_decides_and_cn_is_only_a_fallback() {
        assert!(verify(&dns(&["a.example.org"]), "a.example.org", None).is_ok());
        // a SAN present: the CN is never compared
        assert!(verify(&dns(&["a.example.org"]), "ignored.example.org", None).is_err());
        // an IP host with only DNS SANs fails, even if the DNS name is the IP written out
        let ip: IpAddr = "127.0.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert!(verify(&dns(&["127.0.0.1"]), "127.0.0.1", Some(ip)).is_err());
        let cn_only = Names {
            dns: Vec::new(),
            ips: Vec::new(),
            cn: Some("127.0.0.1".into()),
        };
        assert!(verify(&cn_only, "127.0.0.1", Some(ip)).is_ok());
        let m = verify(&cn_only, "fhir.test", None).err();
        assert!(m.is_some_and(|m| m.cn_fallback && m.compared == ["CN 127.0.0.1"]));
    }
}
