//! One HTTP exchange, phase by phase, as the server's Jersey/Apache client makes it: name
//! resolution (or `--resolve`), TCP connect (connect timeout, each address in turn), the proxy's
//! CONNECT tunnel, the TLS handshake, then one HTTP/1.1 request on hyper. Reads are bounded like
//! Java's `SO_TIMEOUT` (the read timeout is the longest wait for the next bytes, handshake
//! included). Redirects of a GET are followed as HttpClient 4 follows them ([`Client::get`]).
//! Each phase is either its own step or folded into the
//! caller's step, and every failure gets a stable code and an operator's sentence.
//!
//! This module is the transport only, one file per phase: [`tcp`] (name resolution, TCP connect,
//! the read-timed stream), [`tunnel`] (the proxy's CONNECT), the TLS handshake here (its
//! verification and wording live in `probe::tls`), [`http`] (the request and its bounded
//! answer). URL parsing is `probe::endpoint`; wording helpers are `probe::words`; what a server
//! must never be shown back is registered with `secrets::remote`.

mod http;
mod tcp;
mod tunnel;

pub use http::{BODY_TOO_LARGE, HTTP_FAILED};
pub(crate) use http::{CAPABILITY_BODY, DOC_BODY, Req, Resp, basic_value};
pub use tcp::{CONNECT_FAILED, CONNECT_REFUSED, CONNECT_TIMEOUT, DNS_FAILED};
pub(crate) use tcp::{ReadTimedOut, TimedIo};
pub use tunnel::{PROXY_AUTH, PROXY_REFUSED, PROXY_UNSUPPORTED};

use super::codes::{self, Group, ProbeCode};
use super::endpoint::{Target, parse_target};
use super::tls::{self, TlsSetup};
use super::words::{chain_text, human_duration, join};
use super::{Flow, ProbeOptions, ProxyConfig, Recorder, ServerOutcome};
use crate::secrets::{Piece, Text};
use crate::text;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

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

/// Redirects one GET follows at most (HttpClient 4: 50; real chains are one or two long).
pub(crate) const MAX_REDIRECTS: usize = 10;

/// Scheme, host and port of a URL (`None` when it does not parse).
pub(crate) fn origin_of(u: &str) -> Option<(String, String, Option<u16>)> {
    let u = url::Url::parse(u).ok()?;
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_ascii_lowercase(),
        u.port_or_known_default(),
    ))
}

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

pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
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
        // what this request sends is never shown back: its query values, its credentials
        rec.secrets().add_url(req.url);
        if let Some(a) = &req.authorization {
            rec.secrets().add_authorization(a);
        }
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
            Box::new(CloseIsEnd(tls))
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

    /// A GET as Jersey on HttpClient 4 makes it: `DefaultRedirectStrategy` follows 301, 302, 303,
    /// 307 and 308 with a `Location` (relative ones resolved against the URL asked for),
    /// `RedirectExec` sends the original request's headers again (Jersey's `Authorization`
    /// included, also to another host), and a URL visited before ends it
    /// (`CircularRedirectException`; HttpClient allows 50 redirects, the probe [`MAX_REDIRECTS`]).
    /// The probe itself sends the `Authorization` header to the same origin only (scheme, host and
    /// port of the first URL); the step's detail says where the BPE would send it besides.
    pub(crate) async fn get(&self, rec: &mut Recorder, mode: Mode, req: Req<'_>) -> Flow<Resp> {
        let first = req.url.to_string();
        let authorization = req.authorization.clone();
        let (accept, body_limit) = (req.accept, req.body_limit);
        let mut resp = self.send(rec, mode, req).await?;
        let origin = origin_of(&first);
        let mut visited = vec![first.clone()];
        let mut notes = Text::new();
        loop {
            let status = resp.status.as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                break;
            }
            let Some(next) = resp.header("location").and_then(|l| {
                let base = url::Url::parse(visited.last()?).ok()?;
                base.join(l).ok().map(|u| u.to_string())
            }) else {
                // no usable Location: the caller reports the 3xx as it came
                break;
            };
            rec.secrets().add_url(&next);
            let shown = rec.server_value(&next, 300);
            if visited.contains(&next) {
                return Err(rec.fail(
                    &super::fhir::HTTP_REDIRECT,
                    text!(
                        "{} to {}, a URL already visited: a circular redirect, which the server's HTTP client refuses (CircularRedirectException)",
                        resp.status_line(),
                        shown
                    ),
                    self.outcome,
                ));
            }
            if visited.len() > MAX_REDIRECTS {
                return Err(rec.fail(
                    &super::fhir::HTTP_REDIRECT,
                    text!(
                        "more than {} redirects (the last {} to {}); the probe follows at most {}, the server's HTTP client 50",
                        MAX_REDIRECTS,
                        resp.status_line(),
                        shown,
                        MAX_REDIRECTS
                    ),
                    self.outcome,
                ));
            }
            let foreign = origin_of(&next) != origin;
            notes.push(text!(
                "; followed {} to {}",
                resp.status_line(),
                shown.clone()
            ));
            if foreign {
                notes.push(match &authorization {
                    Some(_) => Text::from(
                        " (another origin: the BPE sends its Authorization header there as well; the probe did not)",
                    ),
                    None => Text::from(" (another origin)"),
                });
            }
            if next.starts_with("http:") && first.starts_with("https:") {
                notes.push(" (from https:// to plain http://: the BPE follows it unencrypted)");
            }
            drop(resp);
            let hop = Req {
                method: hyper::Method::GET,
                url: &next,
                accept,
                authorization: if foreign { None } else { authorization.clone() },
                body: None,
                body_limit,
            };
            resp = match self.send(rec, Mode::Folded, hop).await {
                Ok(r) => r,
                Err(stop) => {
                    rec.prefix_last(text!("redirected{}; then ", notes.clone()));
                    return Err(stop);
                }
            };
            visited.push(next);
        }
        resp.redirects = notes;
        Ok(resp)
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
}

/// A TLS stream whose end without `close_notify` reads as the end of the stream, as the JDK's
/// `SSLSocket` under HttpClient reads it: a close-delimited answer (no `Content-Length`, HTTP/1.0
/// style) from a server that just closes the connection is a complete answer for the BPE
/// (`BaseOidcClientJersey` then judges its status). An answer with `Content-Length` or chunked
/// that ends early is still an error: hyper knows its length.
struct CloseIsEnd<S>(S);

impl<S: AsyncRead + Unpin> AsyncRead for CloseIsEnd<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        match std::pin::Pin::new(&mut self.0).poll_read(cx, buf) {
            std::task::Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                std::task::Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for CloseIsEnd<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
