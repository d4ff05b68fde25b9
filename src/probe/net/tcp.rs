//! Name resolution (or `--resolve`), the TCP connect (each address in turn, each with the
//! connect timeout), and the stream whose reads are bounded by the read timeout.

use super::*;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub static DNS_FAILED: ProbeCode = ProbeCode {
    name: "dns-failed",
    group: Group::Network,
    summary: "the host name of `base-url` (or of the proxy) does not resolve here",
    docs: r##"**What:** the host name of `base-url` (or of the proxy) does not resolve here. **Why:** in a
compose network, names like `dic1-fhir` exist only inside the network. **Fix:** check the
spelling; when probing from the host, map the name with `--resolve dic1-fhir:443:127.0.0.1` (TLS
still checks the certificate against `dic1-fhir`)."##,
};

pub static CONNECT_REFUSED: ProbeCode = ProbeCode {
    name: "connect-refused",
    group: Group::Network,
    summary: "the TCP connection was refused: nothing listens on that address and port",
    docs: r##"**What:** the TCP connection was refused: nothing listens on that address and port. **Why:** the
server is down, or the port in `base-url` is wrong. **Fix:** check the port (443 is implied by
`https://`) and that the server runs."##,
};

pub static CONNECT_TIMEOUT: ProbeCode = ProbeCode {
    name: "connect-timeout",
    group: Group::Network,
    summary: "no TCP answer within the configured connect timeout (`connect-timeout`, default PT2S; for OIDC the configured `read-timeout`, because the server swaps the two)",
    docs: r##"**What:** no TCP answer within the configured connect timeout (`connect-timeout`, default PT2S;
for OIDC the configured `read-timeout`, because the server swaps the two). **Why:** a firewall
drops the packets, or the host is unreachable. **Fix:** open the firewall between the BPE and the
server, or go through the proxy (`DEV_DSF_PROXY_URL`)."##,
};

pub static CONNECT_FAILED: ProbeCode = ProbeCode {
    name: "connect-failed",
    group: Group::Network,
    summary: "the TCP connection failed for another reason (network unreachable, no route)",
    docs: r##"**What:** the TCP connection failed for another reason (network unreachable, no route). **Fix:**
check routing from this host; the detail has the operating system's error."##,
};

/// The error marking a read that waited longer than the read timeout.
#[derive(Debug)]
pub(crate) struct ReadTimedOut;

impl std::fmt::Display for ReadTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("read timed out")
    }
}

impl std::error::Error for ReadTimedOut {}

/// A stream whose every read fails after waiting `limit` for data (Java's `SO_TIMEOUT`); it
/// counts the bytes read, so a phase cut by its deadline can tell silence from slowness.
pub(crate) struct TimedIo<S> {
    inner: S,
    limit: Option<Duration>,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    received: Arc<AtomicUsize>,
}

impl<S> TimedIo<S> {
    pub(crate) fn new(inner: S, limit: Duration) -> Self {
        TimedIo {
            inner,
            limit: (!limit.is_zero()).then_some(limit),
            timer: None,
            received: Arc::new(AtomicUsize::new(0)),
        }
    }
    /// The count of bytes read so far, shared.
    pub(crate) fn received(&self) -> Arc<AtomicUsize> {
        self.received.clone()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for TimedIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.timer = None;
                let n = buf.filled().len().saturating_sub(before);
                this.received.fetch_add(n, Ordering::Relaxed);
                Poll::Ready(r)
            }
            Poll::Pending => {
                if let Some(limit) = this.limit {
                    let timer = this
                        .timer
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                    if timer.as_mut().poll(cx).is_ready() {
                        this.timer = None;
                        return Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            ReadTimedOut,
                        )));
                    }
                }
                Poll::Pending
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for TimedIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl Client<'_> {
    pub(super) async fn resolve(
        &self,
        host: &str,
        ip: Option<IpAddr>,
        port: u16,
    ) -> Result<(Vec<SocketAddr>, Text), Failure> {
        if let Some(ip) = ip {
            return Ok((
                vec![SocketAddr::new(ip, port)],
                text!(
                    "{} (an address: nothing to resolve)",
                    Piece::own(ip.to_string())
                ),
            ));
        }
        if let Some(r) = self
            .options
            .resolve
            .iter()
            .find(|r| r.port == port && r.host.eq_ignore_ascii_case(host))
        {
            return Ok((
                vec![SocketAddr::new(r.addr, port)],
                text!(
                    "{}:{} → {} (--resolve)",
                    Piece::value(host),
                    port,
                    Piece::own(r.addr.to_string())
                ),
            ));
        }
        match tokio::net::lookup_host((host, port)).await {
            Ok(addrs) => {
                let mut list: Vec<SocketAddr> = Vec::new();
                for a in addrs {
                    if !list.contains(&a) {
                        list.push(a);
                    }
                }
                if list.is_empty() {
                    return Err(Failure::new(
                        &codes::DNS_FAILED,
                        text!("`{}` has no address", Piece::value(host)),
                    ));
                }
                let shown: Vec<String> = list.iter().map(|a| a.ip().to_string()).collect();
                Ok((
                    list,
                    text!("{} → {}", Piece::value(host), Piece::own(shown.join(", "))),
                ))
            }
            Err(e) => Err(Failure::new(
                &codes::DNS_FAILED,
                text!(
                    "cannot resolve `{}`: {} (in a compose network, probe from the host with --resolve {}:{}:ADDRESS)",
                    Piece::value(host),
                    Piece::own(e.to_string()),
                    Piece::value(host),
                    port
                ),
            )),
        }
    }

    /// Each address in turn, each with the connect timeout (as Apache HttpClient does).
    pub(super) async fn connect(&self, addrs: &[SocketAddr]) -> Result<(TcpStream, Text), Failure> {
        let limit = self.timeouts.connect;
        let mut errors: Vec<(SocketAddr, &'static ProbeCode, Text)> = Vec::new();
        for &addr in addrs {
            let attempt = TcpStream::connect(addr);
            let r = if limit.is_zero() {
                Ok(attempt.await)
            } else {
                tokio::time::timeout(limit, attempt).await
            };
            match r {
                Ok(Ok(s)) => {
                    let _ = s.set_nodelay(true);
                    return Ok((s, Text::from(Piece::own(addr.to_string()))));
                }
                Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    errors.push((addr, &codes::CONNECT_REFUSED, "refused: nothing listens on this port".into()))
                }
                Ok(Err(e)) => errors.push((addr, &codes::CONNECT_FAILED, Piece::own(e.to_string()).into())),
                Err(_) => errors.push((
                    addr,
                    &codes::CONNECT_TIMEOUT,
                    text!(
                        "no answer within the connect timeout of {} ({}): a firewall may drop the packets",
                        Piece::own(human_duration(limit)),
                        self.timeouts.connect_name
                    ),
                )),
            }
        }
        let code = errors.first().map_or(&codes::CONNECT_FAILED, |e| e.1);
        let detail = join(
            errors
                .into_iter()
                .map(|(a, _, m)| text!("{}: {}", Piece::own(a.to_string()), m)),
            "; ",
        );
        Err(Failure::new(code, detail))
    }
}
