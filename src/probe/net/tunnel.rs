//! The forward proxy's `CONNECT` tunnel, with its credentials when configured.

use super::http::USER_AGENT;
use super::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub static PROXY_AUTH: ProbeCode = ProbeCode {
    name: "proxy-auth-required",
    group: Group::Proxy,
    summary: "the proxy answered `407`",
    docs: r##"**What:** the proxy answered `407`. The detail says whether credentials were offered. **Fix:**
set `DEV_DSF_PROXY_USERNAME` and `DEV_DSF_PROXY_PASSWORD` (or `_PASSWORD_FILE`) to credentials the
proxy accepts."##,
};

pub static PROXY_REFUSED: ProbeCode = ProbeCode {
    name: "proxy-refused",
    group: Group::Proxy,
    summary: "the proxy refused the `CONNECT` tunnel (another status than 2xx) or closed the connection",
    docs: r##"**What:** the proxy refused the `CONNECT` tunnel (another status than 2xx) or closed the
connection. **Why:** proxies often allow `CONNECT` only to some ports or hosts. **Fix:** ask the
proxy's operator to allow the target, or add the host to `DEV_DSF_PROXY_NOPROXY` when it must be
reached directly."##,
};

pub static PROXY_UNSUPPORTED: ProbeCode = ProbeCode {
    name: "proxy-unsupported",
    group: Group::Proxy,
    summary: "`DEV_DSF_PROXY_URL` is an `https://` URL; the probe speaks to `http://` proxies only",
    docs: r##"**What:** `DEV_DSF_PROXY_URL` is an `https://` URL; the probe speaks to `http://` proxies only.
**Fix:** none needed for the server; probe from a host where the target is reachable without the
proxy, or through an `http://` proxy."##,
};

impl Client<'_> {
    /// `CONNECT host:port` through the proxy, with its credentials when configured.
    pub(super) async fn tunnel(
        &self,
        stream: &mut TimedIo<TcpStream>,
        proxy: &ProxyConfig,
        target: &Target,
        rec: &Recorder,
    ) -> Result<((), Text), Failure> {
        let authority = if target.host.contains(':') {
            format!("[{}]:{}", target.host, target.port)
        } else {
            format!("{}:{}", target.host, target.port)
        };
        let mut head = format!(
            "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: {USER_AGENT}\r\n"
        );
        if let Some(auth) = proxy_authorization(proxy) {
            head.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
        }
        head.push_str("\r\n");
        let io_fail = |e: io::Error| match cause(&e) {
            Cause::ReadTimeout => self.read_timeout_failure("the proxy's answer to CONNECT"),
            _ => Failure::new(
                &codes::PROXY_REFUSED,
                text!(
                    "the proxy closed the connection: {}",
                    Piece::remote(&chain_text(&e))
                ),
            ),
        };
        stream.write_all(head.as_bytes()).await.map_err(io_fail)?;
        let mut buf = Vec::with_capacity(512);
        let mut byte = [0u8; 1];
        // byte by byte up to the blank line: nothing of the tunnelled TLS may be consumed
        while !buf.ends_with(b"\r\n\r\n") {
            if buf.len() > 16 * 1024 {
                return Err(Failure::new(
                    &codes::PROXY_REFUSED,
                    "the proxy's answer to CONNECT has no end of headers",
                ));
            }
            let n = stream.read(&mut byte).await.map_err(io_fail)?;
            if n == 0 {
                return Err(Failure::new(
                    &codes::PROXY_REFUSED,
                    "the proxy closed the connection instead of answering CONNECT",
                ));
            }
            buf.push(byte[0]);
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Response::new(&mut headers);
        let status = match parsed.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => parsed.code.unwrap_or(0),
            _ => {
                return Err(Failure::new(
                    &codes::PROXY_REFUSED,
                    "the proxy's answer to CONNECT is not HTTP",
                ));
            }
        };
        // the proxy's own words: server text
        let reason = rec.server_text(parsed.reason.unwrap_or(""), 100);
        match status {
            200..=299 => Ok((
                (),
                text!(
                    "CONNECT {} → {} {} (proxy {})",
                    Piece::value(&authority),
                    status,
                    reason,
                    Piece::value(&proxy.authority())
                ),
            )),
            407 => {
                let offered = match (&proxy.username, &proxy.password) {
                    (Some(u), Some(_)) => text!("Basic credentials of user `{}` were offered (DEV_DSF_PROXY_USERNAME/PASSWORD)", Piece::value(u)),
                    _ => "no credentials were offered: set DEV_DSF_PROXY_USERNAME and DEV_DSF_PROXY_PASSWORD".into(),
                };
                Err(Failure::new(
                    &codes::PROXY_AUTH,
                    text!(
                        "the proxy {} answered 407 {}: {}",
                        Piece::value(&proxy.authority()),
                        reason,
                        offered
                    ),
                ))
            }
            _ => Err(Failure::new(
                &codes::PROXY_REFUSED,
                text!(
                    "the proxy {} refused CONNECT {}: {} {}",
                    Piece::value(&proxy.authority()),
                    Piece::value(&authority),
                    status,
                    reason
                ),
            )),
        }
    }
}

pub(super) fn proxy_authorization(proxy: &ProxyConfig) -> Option<String> {
    match (&proxy.username, &proxy.password) {
        (Some(u), Some(p)) => Some(basic_value(u, p.expose(), true)),
        _ => None,
    }
}
