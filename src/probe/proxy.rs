//! The forward proxy as the server reads it (`DEV_DSF_PROXY_*`, dsf-common `ProxyConfigImpl`,
//! spec fact 44), and its no-proxy decision as a pure function.

use crate::secrets::Secret;

/// A usable forward proxy: `DEV_DSF_PROXY_URL` with an http(s) scheme and a host.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// The URL as configured (never contains a password we print: userinfo is not used).
    pub url: String,
    pub https: bool,
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `DEV_DSF_PROXY_NOPROXY`, split on commas and white space, blanks dropped.
    pub no_proxy: Vec<String>,
}

impl ProxyConfig {
    /// Reads `DEV_DSF_PROXY_URL`, `_USERNAME`, `_PASSWORD` (or the first line of the file named by
    /// `_PASSWORD_FILE`, which wins when readable, as the server's secrets reader does) and
    /// `_NOPROXY`. `Ok(None)`: no proxy configured. `Err`: a URL the server ignores (it logs a
    /// warning and connects directly), with the reason.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<ProxyConfig>, String> {
        // blank (as compose files often set it) means no proxy
        let Some(url) = env("DEV_DSF_PROXY_URL").filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let (https, host, port) = parse_proxy_url(&url)?;
        let password = env("DEV_DSF_PROXY_PASSWORD_FILE")
            .and_then(|path| crate::files::read_regular(std::path::Path::new(&path)).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.lines().next().map(str::to_string))
            .or_else(|| env("DEV_DSF_PROXY_PASSWORD"))
            .map(Secret::new);
        let no_proxy = env("DEV_DSF_PROXY_NOPROXY")
            .map(|v| split_no_proxy(&v))
            .unwrap_or_default();
        Ok(Some(ProxyConfig {
            url,
            https,
            host,
            port,
            username: env("DEV_DSF_PROXY_USERNAME"),
            password,
            no_proxy,
        }))
    }

    /// Whether the server sends requests for `target_url` through this proxy.
    pub fn applies_to(&self, target_url: &str) -> bool {
        !target_url.trim().is_empty() && !is_no_proxy(&self.no_proxy, target_url)
    }

    /// `host:port` of the proxy, for messages.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Spring's `'${dev.dsf.proxy.noProxy:}'.trim().split('[,\s]+')`, blank entries dropped.
pub fn split_no_proxy(value: &str) -> Vec<String> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_proxy_url(url: &str) -> Result<(bool, String, u16), String> {
    let ignored = |why: &str| format!("DEV_DSF_PROXY_URL is ignored by the server ({why})");
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| ignored("not a URL with a scheme"))?;
    let https = match scheme {
        "http" => false,
        "https" => true,
        _ => return Err(ignored("the scheme is not http or https")),
    };
    let (host, port) = authority(rest).ok_or_else(|| ignored("no host name"))?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = match port {
        Some(p) => p.parse().map_err(|_| ignored("the port is not a number"))?,
        None if https => 443,
        None => 80,
    };
    Ok((https, host, port))
}

/// Host (as written: IPv6 in brackets, case kept) and port text of the part after `scheme://`,
/// like Java's `URI.getHost()`: `None` when the host is not a server-based host name.
fn authority(rest: &str) -> Option<(&str, Option<&str>)> {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    let auth = auth.rsplit_once('@').map_or(auth, |(_, a)| a);
    let (host, port) = if auth.starts_with('[') {
        let close = auth.find(']')?;
        let after = &auth[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return None,
        };
        (&auth[..=close], port)
    } else {
        match auth.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (auth, None),
        }
    };
    let plain = host.starts_with('[')
        || host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if host.is_empty() || !plain || port.is_some_and(|p| !p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    Some((host, port.filter(|p| !p.is_empty())))
}

/// The server's no-proxy match (`ProxyConfigImpl.isNoProxyUrl`): `*` anywhere in the list; else an
/// entry equal to the target's host, `host:port`, the host minus its first label, or that with
/// `:port` (the port defaults to 80/443 by scheme). Case-sensitive, no wildcards, no CIDR. A
/// target whose host cannot be read goes through the proxy.
pub fn is_no_proxy(no_proxy: &[String], target_url: &str) -> bool {
    if no_proxy.iter().any(|e| e == "*") {
        return true;
    }
    let Some((scheme, rest)) = target_url.split_once("://") else {
        return false;
    };
    let Some((host, port)) = authority(rest) else {
        return false;
    };
    let port = match port.and_then(|p| p.parse::<u32>().ok()) {
        Some(p) => p.to_string(),
        None => match scheme {
            "http" | "ws" => "80".into(),
            "https" | "wss" => "443".into(),
            // the server throws here; the config checks report such URLs
            _ => return false,
        },
    };
    let sub_host = host.split('.').skip(1).collect::<Vec<_>>().join(".");
    let candidates = [
        host.to_string(),
        format!("{host}:{port}"),
        sub_host.clone(),
        format!("{sub_host}:{port}"),
    ];
    no_proxy.iter().any(|e| candidates.contains(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn np(list: &str, url: &str) -> bool {
        is_no_proxy(&split_no_proxy(list), url)
    }

    #[test]
    fn exact_host_and_host_port() {
        assert!(np("fhir.example.org", "https://fhir.example.org/fhir"));
        assert!(np("fhir.example.org:443", "https://fhir.example.org/fhir"));
        assert!(np(
            "fhir.example.org:8443",
            "https://fhir.example.org:8443/fhir"
        ));
        assert!(!np(
            "fhir.example.org:443",
            "https://fhir.example.org:8443/fhir"
        ));
        assert!(np("fhir.example.org:80", "http://fhir.example.org/fhir"));
    }

    #[test]
    fn host_minus_first_label_only() {
        assert!(np("example.org", "https://fhir.example.org/fhir"));
        assert!(np("example.org:443", "https://fhir.example.org"));
        // only one label is removed: no suffix match beyond it
        assert!(!np("org", "https://fhir.example.org/fhir"));
        assert!(!np("example.org", "https://a.fhir.example.org/fhir"));
        // no wildcard or leading-dot syntax
        assert!(!np(".example.org", "https://fhir.example.org/fhir"));
        assert!(!np("*.example.org", "https://fhir.example.org/fhir"));
    }

    #[test]
    fn star_disables_the_proxy_and_matching_is_case_sensitive() {
        assert!(np("foo, *", "https://anything/fhir"));
        assert!(!np("FHIR.example.org", "https://fhir.example.org/fhir"));
        assert!(!np("fhir.example.org", "https://FHIR.example.org/fhir"));
    }

    #[test]
    fn splitting_on_commas_and_white_space() {
        assert_eq!(split_no_proxy(" a, b\tc ,,d\n"), vec!["a", "b", "c", "d"]);
        assert!(split_no_proxy("  ").is_empty());
    }

    #[test]
    fn userinfo_ipv6_and_unreadable_hosts() {
        assert!(np("fhir", "https://u:p@fhir:443/x"));
        assert!(np("[::1]", "https://[::1]:8443/fhir"));
        assert!(np("[::1]:8443", "https://[::1]:8443/fhir"));
        // Java's URI has no host for names with `_`: the proxy is used
        assert!(!np("dic_fhir", "https://dic_fhir/fhir"));
        assert!(!np("x", "not a url"));
    }

    #[test]
    fn proxy_from_env() {
        let env = |name: &str| match name {
            "DEV_DSF_PROXY_URL" => Some("http://proxy.local:3128".to_string()),
            "DEV_DSF_PROXY_USERNAME" => Some("u".to_string()),
            "DEV_DSF_PROXY_PASSWORD" => Some("pw".to_string()),
            "DEV_DSF_PROXY_NOPROXY" => Some("localhost, internal".to_string()),
            _ => None,
        };
        let p = ProxyConfig::from_env(&env)
            .expect("valid")
            .expect("configured");
        assert_eq!(
            (p.host.as_str(), p.port, p.https),
            ("proxy.local", 3128, false)
        );
        assert_eq!(p.password.as_ref().map(Secret::expose), Some("pw"));
        assert!(!p.applies_to("https://localhost/fhir"));
        assert!(p.applies_to("https://fhir.example.org/fhir"));
        let none = |_: &str| None;
        assert!(ProxyConfig::from_env(&none).expect("no proxy").is_none());
        let blank = |name: &str| (name == "DEV_DSF_PROXY_URL").then(|| " ".to_string());
        assert!(ProxyConfig::from_env(&blank).expect("no proxy").is_none());
        let bad = |name: &str| (name == "DEV_DSF_PROXY_URL").then(|| "socks5://p:1080".to_string());
        assert!(ProxyConfig::from_env(&bad).is_err());
        let https = |name: &str| (name == "DEV_DSF_PROXY_URL").then(|| "https://p".to_string());
        let p = ProxyConfig::from_env(&https)
            .expect("valid")
            .expect("configured");
        assert_eq!((p.port, p.https), (443, true));
    }

    #[test]
    fn password_file_wins_when_readable() {
        let dir = std::env::temp_dir().join(format!("dsf-proxy-pw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("pw");
        std::fs::write(&file, "from-file\nsecond line\n").expect("write");
        let path = file.to_string_lossy().into_owned();
        let env = move |name: &str| match name {
            "DEV_DSF_PROXY_URL" => Some("http://p:1".to_string()),
            "DEV_DSF_PROXY_PASSWORD" => Some("inline".to_string()),
            "DEV_DSF_PROXY_PASSWORD_FILE" => Some(path.clone()),
            _ => None,
        };
        let p = ProxyConfig::from_env(&env)
            .expect("valid")
            .expect("configured");
        assert_eq!(p.password.as_ref().map(Secret::expose), Some("from-file"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
