//! Servers for the probe tests, all on 127.0.0.1 with port 0, on one background tokio runtime: a
//! tiny HTTP/1.1 server (plain or TLS, optional client certificates) with a handler closure and a
//! request log, a listener that accepts and never answers, and a CONNECT proxy (optionally with
//! credentials) that maps every host name to 127.0.0.1.

use base64::Engine;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::{Arc, LazyLock, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::pki::Chain;

/// One runtime for every test server, driven by a thread of its own.
pub static RT: LazyLock<tokio::runtime::Handle> = LazyLock::new(|| {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("test runtime");
        tx.send(rt.handle().clone()).expect("handle");
        rt.block_on(std::future::pending::<()>());
    });
    rx.recv().expect("test runtime handle")
});

#[derive(Debug, Clone)]
pub struct HttpReq {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReq {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct HttpResp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResp {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        HttpResp {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }
    pub fn json(status: u16, v: &serde_json::Value) -> Self {
        HttpResp::new(status, "application/json", v.to_string())
    }
    pub fn fhir(status: u16, v: &serde_json::Value) -> Self {
        HttpResp::new(status, "application/fhir+json;charset=UTF-8", v.to_string())
    }
    pub fn with_header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

pub type Handler = Arc<dyn Fn(&HttpReq) -> HttpResp + Send + Sync>;

pub struct Server {
    pub port: u16,
    pub log: Arc<Mutex<Vec<HttpReq>>>,
}

impl Server {
    pub fn requests(&self) -> Vec<HttpReq> {
        self.log.lock().expect("log").clone()
    }
}

pub enum ClientAuth {
    None,
    Required(Vec<u8>),
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub fn tls_config(chain: &Chain, client_auth: ClientAuth) -> Arc<rustls::ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = chain
        .certs
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key.clone()));
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions");
    let builder = match client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Required(root) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(CertificateDer::from(root)).expect("client root");
            let v = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider(),
            )
            .build()
            .expect("client verifier");
            builder.with_client_cert_verifier(v)
        }
    };
    Arc::new(builder.with_single_cert(certs, key).expect("server cert"))
}

fn bind() -> (TcpListener, u16) {
    let std = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    std.set_nonblocking(true).expect("nonblocking");
    let port = std.local_addr().expect("addr").port();
    let _guard = RT.enter();
    (TcpListener::from_std(std).expect("tokio listener"), port)
}

/// An HTTP server; with `tls`, HTTPS. The handler sees every request (also logged).
pub fn http(tls: Option<Arc<rustls::ServerConfig>>, handler: Handler) -> Server {
    let (listener, port) = bind();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    RT.spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let handler = handler.clone();
            let log = log2.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    Some(cfg) => {
                        let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
                        if let Ok(s) = acceptor.accept(tcp).await {
                            serve_one(s, handler, log).await;
                        }
                    }
                    None => serve_one(tcp, handler, log).await,
                }
            });
        }
    });
    Server { port, log }
}

/// A server whose handler is built once the port is known (an OIDC issuer names its own URLs).
pub fn http_with_port(
    tls: Option<Arc<rustls::ServerConfig>>,
    make: impl FnOnce(u16) -> Handler,
) -> Server {
    let slot: Arc<Mutex<Option<Handler>>> = Arc::new(Mutex::new(None));
    let s2 = slot.clone();
    let server = http(
        tls,
        Arc::new(move |r: &HttpReq| {
            let h = s2.lock().expect("slot").clone();
            match h {
                Some(h) => h(r),
                None => HttpResp::new(503, "text/plain", "starting"),
            }
        }),
    );
    *slot.lock().expect("slot") = Some(make(server.port));
    server
}

async fn read_head<S: AsyncRead + Unpin>(s: &mut S) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut b = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut b).await.ok()? == 0 || buf.len() > 65_536 {
            return None;
        }
        buf.push(b[0]);
    }
    Some(buf)
}

async fn serve_one<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    handler: Handler,
    log: Arc<Mutex<Vec<HttpReq>>>,
) {
    let Some(head) = read_head(&mut s).await else {
        return;
    };
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    if !matches!(req.parse(&head), Ok(httparse::Status::Complete(_))) {
        return;
    }
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    if s.read_exact(&mut body).await.is_err() {
        return;
    }
    let r = HttpReq {
        method: req.method.unwrap_or("").to_string(),
        path: req.path.unwrap_or("").to_string(),
        headers,
        body,
    };
    log.lock().expect("log").push(r.clone());
    let resp = handler(&r);
    let mut out = format!("HTTP/1.1 {} Status\r\n", resp.status);
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    ));
    let _ = s.write_all(out.as_bytes()).await;
    let _ = s.write_all(&resp.body).await;
    let _ = s.shutdown().await;
}

/// A listener that accepts connections and never sends a byte.
pub fn silent() -> u16 {
    let (listener, port) = bind();
    RT.spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    port
}

/// A plain-HTTP server that answers every request with `head` (status line and headers, without
/// the blank line), then sends `chunk` over and over, `every` apart, until the client goes: an
/// endless body, or one dribbled a byte at a time.
pub fn streaming(head: &str, chunk: Vec<u8>, every: std::time::Duration) -> u16 {
    let (listener, port) = bind();
    let head = format!("{head}\r\nConnection: close\r\n\r\n");
    let chunk = Arc::new(chunk);
    RT.spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let head = head.clone();
            let chunk = chunk.clone();
            tokio::spawn(async move {
                if read_head(&mut s).await.is_none() || s.write_all(head.as_bytes()).await.is_err()
                {
                    return;
                }
                while s.write_all(&chunk).await.is_ok() {
                    if !every.is_zero() {
                        tokio::time::sleep(every).await;
                    }
                }
            });
        }
    });
    port
}

/// A server that answers every request with `answer` (a whole HTTP/1.0-style response without
/// `Content-Length`), then ends the connection by closing it: with `tls`, the TCP connection
/// is closed without a TLS `close_notify`, as some servers and load balancers do.
pub fn close_delimited(tls: Option<Arc<rustls::ServerConfig>>, answer: &'static str) -> u16 {
    let (listener, port) = bind();
    RT.spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    Some(cfg) => {
                        let Ok(mut s) = tokio_rustls::TlsAcceptor::from(cfg).accept(tcp).await
                        else {
                            return;
                        };
                        if read_head(&mut s).await.is_none()
                            || s.write_all(answer.as_bytes()).await.is_err()
                            || s.flush().await.is_err()
                        {
                            return;
                        }
                        // no close_notify: close the TCP connection under the TLS session
                        let (mut tcp, _) = s.into_inner();
                        let _ = tcp.shutdown().await;
                    }
                    None => {
                        if read_head(&mut tcp).await.is_some()
                            && tcp.write_all(answer.as_bytes()).await.is_ok()
                        {
                            let _ = tcp.shutdown().await;
                        }
                    }
                }
            });
        }
    });
    port
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

pub struct Proxy {
    pub port: u16,
    /// `CONNECT` targets and absolute-form request lines, in order.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn seen(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}

/// A forward proxy: CONNECT tunnels and absolute-form plain-http requests, every host mapped
/// to 127.0.0.1. With credentials, anything else gets 407.
pub fn proxy(credentials: Option<(&str, &str)>) -> Proxy {
    let (listener, port) = bind();
    let expected = credentials.map(|(u, p)| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        )
    });
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    RT.spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let expected = expected.clone();
            let log = log2.clone();
            tokio::spawn(async move {
                let _ = tunnel(client, expected, log).await;
            });
        }
    });
    Proxy { port, log }
}

async fn tunnel(
    mut client: TcpStream,
    expected: Option<String>,
    log: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let Some(head) = read_head(&mut client).await else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&head).into_owned();
    let first = text.lines().next().unwrap_or("").to_string();
    log.lock().expect("log").push(first.clone());
    let auth = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("Proxy-Authorization: ")
                .or_else(|| l.strip_prefix("proxy-authorization: "))
        })
        .map(str::to_string);
    if let Some(e) = &expected
        && auth.as_deref() != Some(e.as_str())
    {
        client
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    }
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("").to_string();
    let port_of = |authority: &str| -> u16 {
        authority
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or(80)
    };
    if method == "CONNECT" {
        let mut upstream = match TcpStream::connect(("127.0.0.1", port_of(&target))).await {
            Ok(u) => u,
            Err(_) => {
                client
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                    .await?;
                return Ok(());
            }
        };
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    } else {
        // absolute-form: http://host:port/path
        let rest = target.strip_prefix("http://").unwrap_or(&target);
        let authority = rest.split('/').next().unwrap_or("");
        let path = &rest[authority.len()..];
        let mut upstream = TcpStream::connect(("127.0.0.1", port_of(authority))).await?;
        // as a real proxy does: the origin server gets the origin-form request line
        let forwarded = text.replacen(&target, if path.is_empty() { "/" } else { path }, 1);
        upstream.write_all(forwarded.as_bytes()).await?;
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
    Ok(())
}
