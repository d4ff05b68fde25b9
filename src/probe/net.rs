//! One HTTP exchange, phase by phase, as the server's Jersey/Apache client makes it: name
//! resolution (or `--resolve`), TCP connect (connect timeout, each address in turn), the proxy's
//! CONNECT tunnel, the TLS handshake, then one HTTP/1.1 request on hyper. Reads are bounded like
//! Java's `SO_TIMEOUT` (the read timeout is the longest wait for the next bytes, handshake
//! included). Redirects are never followed. Each phase is either its own step or folded into the
//! caller's step, and every failure gets a stable code and an operator's sentence.

use super::codes;
use super::tls::{self, TlsSetup};
use super::{Flow, ProbeOptions, ProxyConfig, Recorder, ServerOutcome, human_duration, join};
use crate::secrets::{Piece, Text};
use crate::text;
use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Bytes};
use hyper::{HeaderMap, Method, Request, StatusCode};
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::codes::{Group, ProbeCode};

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

pub static READ_TIMEOUT: ProbeCode = ProbeCode {
    name: "read-timeout",
    group: Group::Network,
    summary: "the server accepted the connection but sent nothing within the read timeout (`read-timeout`; for OIDC the configured `connect-timeout`, swapped by the server) while the probe waited for the TLS handshake, the proxy or the HTTP response",
    docs: r##"**What:** the server accepted the connection but sent nothing within the read timeout
(`read-timeout`; for OIDC the configured `connect-timeout`, swapped by the server) while the
probe waited for the TLS handshake, the proxy or the HTTP response. The read timeout bounds
each wait for data, as in the server, and the probe also bounds the whole of each phase (the TLS
handshake, the proxy's answer, the HTTP response with its body) by it, so a server that sends a
byte now and then cannot hold the probe; the detail then says how many bytes came. **Why:** an
overloaded or hung server, or a port that speaks another protocol and waits for the client.
**Fix:** check the server; raise the timeout only if the server is known to be slow."##,
};

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

pub static HTTP_FAILED: ProbeCode = ProbeCode {
    name: "http-failed",
    group: Group::Http,
    summary: "no HTTP response: the connection closed or the answer was not HTTP",
    docs: r##"**What:** no HTTP response: the connection closed or the answer was not HTTP. **Fix:** check
that `base-url` points at a FHIR server; the detail has the error."##,
};

pub static BODY_TOO_LARGE: ProbeCode = ProbeCode {
    name: "body-too-large",
    group: Group::Http,
    summary: "a `200` answer whose body is larger than the probe reads: 16 MiB for the CapabilityStatement, 1 MiB for an OIDC discovery document, JWKS or token response (a `Content-Length` above that fails at once, without reading)",
    docs: r##"**What:** a `200` answer whose body is larger than the probe reads: 16 MiB for the
CapabilityStatement, 1 MiB for an OIDC discovery document, JWKS or token response (a
`Content-Length` above that fails at once, without reading). Error answers are read up to 64 KiB
and only their start is shown, so they never fail this way. **Why:** real ones are far smaller; a
body this large is a misconfigured endpoint (a file download, a stream) or a server sending
without end, and the probe bounds its memory (many connections are probed at once). The server
itself would try to read it whole. **Fix:** check that `base-url` (or the OIDC base URL) points
at the FHIR server or the provider."##,
};

// Bodies are read up to a cap that depends on what they are for, and memory beyond a small part
// of each is reserved from one budget for the whole process: 200 probes against servers that
// stream endless bodies hold about 200 × (FREE_BODY + hyper's and TLS buffers) + BODY_BUDGET,
// not 200 × 16 MiB.

/// Bodies that are only shown as text (error answers; 200 characters are shown).
pub(crate) const TEXT_BODY: usize = 64 * 1024;
/// OIDC discovery documents, JWKS and token responses, parsed whole (real ones are a few kB).
pub(crate) const DOC_BODY: usize = 1024 * 1024;
/// A CapabilityStatement, parsed whole (a large server's is well below).
pub(crate) const CAPABILITY_BODY: usize = 16 * 1024 * 1024;
/// The part of a body read without a reservation from [`BUDGET`].
const FREE_BODY: usize = 64 * 1024;
/// Bytes of larger bodies all probes of the process may hold at once: four CapabilityStatements
/// at the cap, or 64 OIDC documents. A body beyond `FREE_BODY` reserves its declared length (or,
/// without `Content-Length`, its cap) before it is read further, and holds it until its answer
/// is judged; a probe waits for the reservation (its read timeout does not run meanwhile).
const BODY_BUDGET: usize = 64 * 1024 * 1024;
static BUDGET: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(BODY_BUDGET);
/// hyper's read buffer (its default is about 400 kB per connection); response heads beyond it
/// fail.
const READ_BUFFER: usize = 64 * 1024;
const USER_AGENT: &str = concat!("dsf-connections/", env!("CARGO_PKG_VERSION"), " (probe)");

/// The timeouts in force and how the config names them (for messages).
#[derive(Debug, Clone)]
pub(crate) struct Timeouts {
    pub connect: Duration,
    pub connect_name: &'static str,
    pub read: Duration,
    pub read_name: &'static str,
}

/// Step names when the phases of an exchange are steps of their own.
pub(crate) struct Names {
    pub resolve: &'static str,
    pub connect: &'static str,
    pub proxy: &'static str,
    pub tls: &'static str,
    pub http: &'static str,
}

pub(crate) enum Mode {
    /// Each phase is a step; the `http` step is left running for the caller to judge.
    Explicit(&'static Names),
    /// The caller's running step covers the whole exchange; a failing phase names itself.
    Folded,
}

pub(crate) struct Failure {
    pub code: &'static ProbeCode,
    pub detail: Text,
}

impl Failure {
    pub(crate) fn new(code: &'static ProbeCode, detail: impl Into<Text>) -> Self {
        Failure {
            code,
            detail: detail.into(),
        }
    }
}

pub(crate) struct Req<'a> {
    pub method: Method,
    pub url: &'a str,
    pub accept: &'a str,
    pub authorization: Option<String>,
    /// Content type and body.
    pub body: Option<(&'a str, Vec<u8>)>,
    /// The most of a 2xx body that is read (other answers: [`TEXT_BODY`]).
    pub body_limit: usize,
}

pub(crate) struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body, at most `limit` bytes.
    pub body: Vec<u8>,
    /// The body is larger than `limit`: `body` holds what was read before the probe stopped
    /// (nothing when `Content-Length` said so).
    pub truncated: bool,
    pub limit: usize,
    /// The body's share of [`BUDGET`], given back when the answer is dropped.
    _reserved: Option<tokio::sync::SemaphorePermit<'static>>,
}

impl Resp {
    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// `the body is larger than 16 MiB, ...` for a truncated body.
    pub(crate) fn too_large(&self) -> Text {
        text!(
            "the body is larger than {}, the most the probe reads for this answer (a misconfigured endpoint, or a server streaming without end)",
            Piece::own(human_size(self.limit))
        )
    }
    /// `200 OK` (the canonical reason: the server's own reason phrase is not shown).
    pub(crate) fn status_line(&self) -> Piece {
        Piece::own(
            format!(
                "{} {}",
                self.status.as_u16(),
                self.status.canonical_reason().unwrap_or("")
            )
            .trim_end(),
        )
    }
}

/// Everything one exchange needs besides the request.
pub(crate) struct Client<'a> {
    pub options: &'a ProbeOptions,
    pub proxy: Option<&'a ProxyConfig>,
    /// `None` for plain http:// (then no TLS phase runs).
    pub tls: Option<&'a TlsSetup>,
    pub timeouts: Timeouts,
    /// What the server does when this exchange fails below HTTP (network, TLS).
    pub outcome: ServerOutcome,
}

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
            &codes::INVALID_URL,
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
                &codes::INVALID_URL,
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
                &codes::INVALID_URL,
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

/// `64 KiB`, `16 MiB`.
pub(crate) fn human_size(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// The forms Basic credentials travel in, to mask in what servers answer: the base64 of
/// `user:password` in both charsets (ISO-8859-1 or US-ASCII as sent, UTF-8 as a server may
/// re-encode it), standard and URL-safe, with and without padding.
pub(crate) fn basic_forms(user: &str, password: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut out = Vec::new();
    for bytes in [
        basic_bytes(user, password, true),
        basic_bytes(user, password, false),
        format!("{user}:{password}").into_bytes(),
    ] {
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
            out.push(engine.encode(&bytes));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn basic_bytes(user: &str, password: &str, latin1: bool) -> Vec<u8> {
    let limit = if latin1 { 0xFF } else { 0x7F };
    format!("{user}:{password}")
        .chars()
        .map(|c| {
            u8::try_from(u32::from(c))
                .ok()
                .filter(|&b| u32::from(b) <= limit)
                .unwrap_or(b'?')
        })
        .collect()
}

/// `Basic base64(user:password)`: ISO-8859-1 for Jersey's Basic feature (`latin1`), US-ASCII for
/// the OIDC client; characters outside the charset become `?`, as Java's encoder does.
pub(crate) fn basic_value(user: &str, password: &str, latin1: bool) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(basic_bytes(user, password, latin1))
    )
}

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

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// What went wrong below HTTP, found by walking an error's chain.
pub(crate) enum Cause<'e> {
    ReadTimeout,
    Tls(&'e rustls::Error),
    Io,
    Other,
}

pub(crate) fn cause<'e>(err: &'e (dyn std::error::Error + 'static)) -> Cause<'e> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut io_seen = false;
    while let Some(e) = cur {
        if e.downcast_ref::<ReadTimedOut>().is_some() {
            return Cause::ReadTimeout;
        }
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return Cause::Tls(t);
        }
        if let Some(ioe) = e.downcast_ref::<io::Error>() {
            // io::Error::source() skips its payload: look at it directly
            if let Some(inner) = ioe.get_ref() {
                if inner.downcast_ref::<ReadTimedOut>().is_some() {
                    return Cause::ReadTimeout;
                }
                if let Some(t) = inner.downcast_ref::<rustls::Error>() {
                    return Cause::Tls(t);
                }
            }
            io_seen = true;
        }
        cur = e.source();
    }
    if io_seen { Cause::Io } else { Cause::Other }
}

/// An error chain as one line (`a: b: c`), repeated texts dropped.
pub(crate) fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = match e.downcast_ref::<io::Error>().and_then(|i| i.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    parts.join(": ")
}

impl Client<'_> {
    fn read_timeout_failure(&self, waiting_for: &'static str) -> Failure {
        let limit = self.timeouts.read;
        Failure::new(
            &codes::READ_TIMEOUT,
            text!(
                "no answer within the read timeout of {} ({}) while waiting for {}",
                Piece::own(human_duration(limit)),
                self.timeouts.read_name,
                waiting_for
            ),
        )
    }

    /// A phase whose answer came partly, then not whole within the read timeout.
    fn slow_failure(&self, what: &'static str, got: usize) -> Failure {
        if got == 0 {
            return self.read_timeout_failure(what);
        }
        Failure::new(
            &codes::READ_TIMEOUT,
            text!(
                "{} was not complete within the read timeout of {} ({}): {} bytes came in that time; the probe bounds the whole of it by the read timeout, so a server sending a byte now and then cannot hold it",
                what,
                Piece::own(human_duration(self.timeouts.read)),
                self.timeouts.read_name,
                got
            ),
        )
    }

    /// A phase bounded as a whole by the read timeout (its reads are bounded each on their own).
    async fn within<T>(
        &self,
        received: &AtomicUsize,
        what: &'static str,
        phase: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        let limit = self.timeouts.read;
        if limit.is_zero() {
            return phase.await;
        }
        let before = received.load(Ordering::Relaxed);
        match tokio::time::timeout(limit, phase).await {
            Ok(r) => r,
            Err(_) => {
                let got = received.load(Ordering::Relaxed).saturating_sub(before);
                Err(self.slow_failure(what, got))
            }
        }
    }

    fn record<T>(
        &self,
        rec: &mut Recorder,
        explicit: bool,
        phase: &'static str,
        r: Result<(T, Text), Failure>,
    ) -> Flow<T> {
        match r {
            Ok((v, detail)) => {
                if explicit {
                    rec.pass(detail);
                }
                Ok(v)
            }
            Err(f) => {
                let detail = if explicit {
                    f.detail
                } else {
                    text!("{}: {}", phase, f.detail)
                };
                Err(rec.fail(f.code, detail, self.outcome))
            }
        }
    }

    /// One request. In `Explicit` mode the `http` step is left running when a response arrives
    /// (whatever its status); the caller passes or fails it.
    pub(crate) async fn send(&self, rec: &mut Recorder, mode: Mode, req: Req<'_>) -> Flow<Resp> {
        let names = match mode {
            Mode::Explicit(n) => Some(n),
            Mode::Folded => None,
        };
        let explicit = names.is_some();
        let target = match parse_target(req.url) {
            Ok(t) => t,
            Err(f) => {
                if let Some(n) = names {
                    rec.start(n.resolve);
                }
                return self.record(rec, explicit, "URL", Err(f));
            }
        };
        if let Some(p) = self.proxy
            && p.https
        {
            if let Some(n) = names {
                rec.start(n.proxy);
            }
            let f = Failure::new(
                &codes::PROXY_UNSUPPORTED,
                text!(
                    "the proxy {} is an https:// URL; this probe speaks to http:// proxies only",
                    Piece::value(&p.url)
                ),
            );
            return self.record(rec, explicit, "proxy", Err(f));
        }

        // name resolution: of the proxy when there is one (the proxy resolves the target)
        let (dial_host, dial_ip, dial_port) = match self.proxy {
            Some(p) => (p.host.clone(), p.host.parse::<IpAddr>().ok(), p.port),
            None => (target.host.clone(), target.ip, target.port),
        };
        if let Some(n) = names {
            rec.start(n.resolve);
        }
        let r = self
            .resolve(&dial_host, dial_ip, dial_port)
            .await
            .map(|(addrs, d)| {
                let d = match self.proxy {
                    Some(p) => text!(
                        "proxy {}: {} (the proxy resolves {})",
                        Piece::value(&p.authority()),
                        d,
                        Piece::value(&target.host)
                    ),
                    None => d,
                };
                (addrs, d)
            });
        let addrs = self.record(rec, explicit, "name resolution", r)?;

        if let Some(n) = names {
            rec.start(n.connect);
        }
        rec.waiting = Some((
            self.timeouts.connect,
            self.timeouts.connect_name.to_string(),
        ));
        let r = self.connect(&addrs).await.map(|(s, d)| {
            let d = match self.proxy {
                Some(_) => text!("proxy at {}", d),
                None => d,
            };
            (s, d)
        });
        let tcp = self.record(rec, explicit, "TCP connect", r)?;
        let mut stream = TimedIo::new(tcp, self.timeouts.read);
        let received = stream.received();

        if let Some(p) = self.proxy
            && target.https
        {
            if let Some(n) = names {
                rec.start(n.proxy);
            }
            rec.waiting = Some((self.timeouts.read, self.timeouts.read_name.to_string()));
            let r = self
                .within(&received, "the proxy's answer to CONNECT", async {
                    self.tunnel(&mut stream, p, &target, &*rec).await
                })
                .await;
            self.record(rec, explicit, "proxy CONNECT", r)?;
        }

        let io: Box<dyn Io> = if target.https {
            if let Some(n) = names {
                rec.start(n.tls);
            }
            rec.waiting = Some((self.timeouts.read, self.timeouts.read_name.to_string()));
            let r = self
                .within(
                    &received,
                    "the TLS handshake",
                    self.handshake(stream, &target),
                )
                .await;
            let tls = self.record(rec, explicit, "TLS handshake", r)?;
            Box::new(tls)
        } else {
            Box::new(stream)
        };

        if let Some(n) = names {
            rec.start(n.http);
        }
        rec.waiting = Some((self.timeouts.read, self.timeouts.read_name.to_string()));
        let proxied_plain = self.proxy.is_some() && !target.https;
        let r = self
            .exchange(io, &target, &req, proxied_plain, &received)
            .await;
        match r {
            Ok(resp) => Ok(resp),
            Err(f) => {
                let detail = if explicit {
                    f.detail
                } else {
                    text!("HTTP: {}", f.detail)
                };
                Err(rec.fail(f.code, detail, self.outcome))
            }
        }
    }

    async fn resolve(
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
    async fn connect(&self, addrs: &[SocketAddr]) -> Result<(TcpStream, Text), Failure> {
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

    /// `CONNECT host:port` through the proxy, with its credentials when configured.
    async fn tunnel(
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

    async fn handshake(
        &self,
        stream: TimedIo<TcpStream>,
        target: &Target,
    ) -> Result<(tokio_rustls::client::TlsStream<TimedIo<TcpStream>>, Text), Failure> {
        let name = tls::server_name(target).map_err(|d| Failure::new(&codes::INVALID_URL, d))?;
        let Some(setup) = self.tls else {
            return Err(Failure::new(
                &codes::TLS_HANDSHAKE,
                "no TLS settings for an https:// URL",
            ));
        };
        let connector = tokio_rustls::TlsConnector::from(setup.config.clone());
        match connector.connect(name, stream).await {
            Ok(s) => {
                let (_, conn) = s.get_ref();
                let detail = setup.describe_success(conn);
                Ok((s, detail))
            }
            Err(e) => Err(match cause(&e) {
                Cause::ReadTimeout => self.read_timeout_failure("the TLS handshake"),
                Cause::Tls(t) => setup.explain(t, &target.host),
                _ => setup.explain_io(&e),
            }),
        }
    }

    async fn exchange(
        &self,
        io: Box<dyn Io>,
        target: &Target,
        req: &Req<'_>,
        proxied_plain: bool,
        received: &AtomicUsize,
    ) -> Result<Resp, Failure> {
        let uri = if proxied_plain {
            &target.absolute
        } else {
            &target.path
        };
        let mut builder = Request::builder()
            .method(req.method.clone())
            .uri(uri.as_str())
            .header(hyper::header::HOST, &target.authority)
            .header(hyper::header::ACCEPT, req.accept)
            .header(hyper::header::USER_AGENT, USER_AGENT)
            .header(hyper::header::CONNECTION, "close");
        if let Some(a) = &req.authorization {
            builder = builder.header(hyper::header::AUTHORIZATION, a);
        }
        if proxied_plain
            && let Some(p) = self.proxy
            && let Some(auth) = proxy_authorization(p)
        {
            builder = builder.header(hyper::header::PROXY_AUTHORIZATION, auth);
        }
        let body = match &req.body {
            Some((ct, bytes)) => {
                builder = builder.header(hyper::header::CONTENT_TYPE, *ct);
                Full::new(Bytes::from(bytes.clone()))
            }
            None => Full::new(Bytes::new()),
        };
        let request = builder.body(body).map_err(|_| {
            Failure::new(
                &codes::INVALID_URL,
                "the request cannot be built from this URL or header value",
            )
        })?;

        let (mut sender, conn) = match hyper::client::conn::http1::Builder::new()
            .max_buf_size(READ_BUFFER)
            .handshake(hyper_util::rt::TokioIo::new(io))
            .await
        {
            Ok(x) => x,
            Err(e) => return Err(self.http_failure(&e)),
        };
        let mut conn = Conn {
            conn: std::pin::pin!(conn),
            done: false,
            error: None,
        };
        // the whole answer is bounded by the read timeout (each read is, too): a server sending
        // a byte now and then cannot hold the probe; waiting for the budget does not count
        let limit = self.timeouts.read;
        let mut deadline = (!limit.is_zero()).then(|| tokio::time::Instant::now() + limit);
        let before = received.load(Ordering::Relaxed);
        let slow = |conn: &Conn<'_, _>| match &conn.error {
            Some(e) => self.http_failure(e),
            None => self.slow_failure(
                "the HTTP response",
                received.load(Ordering::Relaxed).saturating_sub(before),
            ),
        };

        // the head and the body's first FREE_BODY bytes
        let first = conn
            .drive(deadline, async {
                let resp = sender.send_request(request).await?;
                let (parts, mut body) = resp.into_parts();
                let limit = if parts.status.is_success() {
                    req.body_limit
                } else {
                    TEXT_BODY
                };
                let declared = body
                    .size_hint()
                    .exact()
                    .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
                let mut data = Vec::new();
                let rest = if declared.is_some_and(|n| n > limit) {
                    // Content-Length says it is too large: nothing to read
                    Some(Bytes::new())
                } else {
                    if let Some(n) = declared {
                        data.reserve_exact(n.min(FREE_BODY));
                    }
                    fill(&mut body, &mut data, limit.min(FREE_BODY), None).await?
                };
                Ok((parts, body, data, limit, declared, rest))
            })
            .await;
        let (parts, mut body, mut data, limit, declared, mut rest) = match first {
            Ok(x) => x,
            Err(Ended::Http(e)) => {
                return Err(self.http_failure(conn.error.as_ref().unwrap_or(&e)));
            }
            Err(Ended::Deadline) => return Err(slow(&conn)),
        };

        // more than FREE_BODY and allowed more: reserve, then read on
        let mut reserved = None;
        if let Some(chunk) = rest.take_if(|c| !c.is_empty() && limit > FREE_BODY) {
            let want = declared.unwrap_or(limit).min(limit).min(BODY_BUDGET);
            let waited = tokio::time::Instant::now();
            reserved = BUDGET
                .acquire_many(u32::try_from(want).unwrap_or(u32::MAX))
                .await
                .ok();
            deadline = deadline.map(|d| d + waited.elapsed());
            data.reserve_exact(declared.unwrap_or(0).min(limit).saturating_sub(data.len()));
            let more = conn
                .drive(deadline, fill(&mut body, &mut data, limit, Some(chunk)))
                .await;
            rest = match more {
                Ok(r) => r,
                Err(Ended::Http(e)) => {
                    return Err(self.http_failure(conn.error.as_ref().unwrap_or(&e)));
                }
                Err(Ended::Deadline) => return Err(slow(&conn)),
            };
        }
        Ok(Resp {
            status: parts.status,
            headers: parts.headers,
            body: data,
            truncated: rest.is_some(),
            limit,
            _reserved: reserved,
        })
    }

    fn http_failure(&self, e: &hyper::Error) -> Failure {
        match cause(e) {
            Cause::ReadTimeout => self.read_timeout_failure("the HTTP response"),
            Cause::Tls(t) => match self.tls {
                Some(setup) => setup.explain_after_handshake(t),
                None => Failure::new(&codes::TLS_HANDSHAKE, Piece::remote(&t.to_string())),
            },
            _ => {
                let chain = chain_text(e);
                let hint = if e.is_incomplete_message() || chain.contains("closed") {
                    match self.tls.and_then(TlsSetup::client_auth_hint) {
                        Some(h) => text!(" ({})", h),
                        None => Text::new(),
                    }
                } else {
                    Text::new()
                };
                Failure::new(
                    &codes::HTTP_FAILED,
                    text!("no HTTP response: {}{}", Piece::remote(&chain), hint),
                )
            }
        }
    }
}

/// Reads body frames into `data` up to `upto` bytes, starting with `pending`: `None` when the
/// body ended, else the chunk that did not fit. `data` grows at most to `upto`.
async fn fill(
    body: &mut hyper::body::Incoming,
    data: &mut Vec<u8>,
    upto: usize,
    mut pending: Option<Bytes>,
) -> Result<Option<Bytes>, hyper::Error> {
    loop {
        let chunk = match pending.take() {
            Some(c) => c,
            None => match body.frame().await {
                None => return Ok(None),
                Some(frame) => match frame?.into_data() {
                    Ok(c) => c,
                    // trailers
                    Err(_) => continue,
                },
            },
        };
        let need = data.len().saturating_add(chunk.len());
        if need > upto {
            return Ok(Some(chunk));
        }
        if need > data.capacity() {
            // doubling, but never beyond the cap
            let target = data.capacity().saturating_mul(2).max(need).min(upto);
            data.reserve_exact(target - data.len());
        }
        data.extend_from_slice(&chunk);
    }
}

/// Why driving an exchange ended without its result.
enum Ended {
    Http(hyper::Error),
    Deadline,
}

/// hyper's connection future, driven beside the request until it ends (its error is the more
/// precise one: a TLS alert, a read timeout).
struct Conn<'p, C> {
    conn: Pin<&'p mut C>,
    done: bool,
    error: Option<hyper::Error>,
}

impl<C: Future<Output = Result<(), hyper::Error>>> Conn<'_, C> {
    /// Runs `work` while driving the connection, until `deadline`.
    async fn drive<T>(
        &mut self,
        deadline: Option<tokio::time::Instant>,
        work: impl Future<Output = Result<T, hyper::Error>>,
    ) -> Result<T, Ended> {
        let mut work = std::pin::pin!(work);
        let sleep = tokio::time::sleep_until(deadline.unwrap_or_else(tokio::time::Instant::now));
        let mut sleep = std::pin::pin!(sleep);
        loop {
            tokio::select! {
                r = &mut work => return r.map_err(Ended::Http),
                c = self.conn.as_mut(), if !self.done => {
                    self.done = true;
                    if let Err(e) = c {
                        self.error = Some(e);
                    }
                }
                _ = &mut sleep, if deadline.is_some() => return Err(Ended::Deadline),
            }
        }
    }
}

fn proxy_authorization(proxy: &ProxyConfig) -> Option<String> {
    match (&proxy.username, &proxy.password) {
        (Some(u), Some(p)) => Some(basic_value(u, p.expose(), true)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_charsets() {
        // ISO-8859-1 keeps `ä` as one byte; US-ASCII turns it into `?`
        assert_eq!(basic_value("u", "ä", true), "Basic dTrk");
        assert_eq!(basic_value("u", "ä", false), "Basic dTo/");
        assert_eq!(basic_value("u", "€", true), "Basic dTo/");
    }

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
