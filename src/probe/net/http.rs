//! One HTTP/1.1 request on hyper over the prepared stream, and its answer read within the body
//! caps and the memory budget of all probes, bounded as a whole by the read timeout.

use super::tunnel::proxy_authorization;
use super::*;
use crate::probe::words::human_size;
use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Bytes};
use hyper::{HeaderMap, Method, Request, StatusCode};
use std::pin::Pin;

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
pub(super) const USER_AGENT: &str =
    concat!("dsf-connections/", env!("CARGO_PKG_VERSION"), " (probe)");

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
    /// The redirects followed to this answer, for the step's detail (`; followed 301 to …`).
    pub redirects: Text,
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

/// `Basic base64(user:password)`: ISO-8859-1 for Jersey's Basic feature (`latin1`), US-ASCII for
/// the OIDC client; characters outside the charset become `?`, as Java's encoder does.
pub(crate) fn basic_value(user: &str, password: &str, latin1: bool) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(crate::secrets::remote::basic_bytes(user, password, latin1))
    )
}

impl Client<'_> {
    pub(super) async fn exchange(
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
            redirects: Text::new(),
        })
    }

    pub(super) fn http_failure(&self, e: &hyper::Error) -> Failure {
        match cause(e) {
            Cause::ReadTimeout => self.read_timeout_failure("the HTTP response"),
            Cause::Tls(t) => match self.tls {
                Some(setup) => setup.explain_after_handshake(t),
                None => Failure::new(&codes::TLS_HANDSHAKE, tls::tls_problem(t)),
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
}
