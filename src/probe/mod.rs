//! The network layer of `check --test-connections`: probes each connection the way the DSF BPE
//! tests it at start-up (spec §5, facts 39-44), step by step, concurrently, and says what the
//! server would do with each failure. Only this layer is async: [`run`] starts a tokio runtime
//! for the probes alone.
//!
//! Input is plain data ([`ProbeTarget`]); output is one [`ProbeResult`] per target, in input
//! order, its details typed texts rendered by the run's redactor: [`render`] (human), the CI
//! formats and `emit::json::ProbeJson` (JSON). Steps are recorded as
//! they finish, so a probe cut short by `--probe-timeout` still shows how far it got.

pub mod args;
pub mod codes;
mod endpoint;
mod fhir;
pub mod from_model;
mod hostname;
mod jwt;
mod net;
mod oidc;
mod pkix;
pub mod progress;
pub mod proxy;
pub mod target;
mod tls;
pub mod words;

pub use proxy::ProxyConfig;
pub use target::{
    BasicCredentials, ClientIdentity, KeyFormat, OidcTarget, PrivateKey, ProbeTarget, TrustRoots,
};

use crate::secrets::{Piece, Text};
use futures_util::StreamExt;
use serde::Serialize;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use words::{human_duration, join};

use codes::{Group, ProbeCode};

pub static PROBE_TIMEOUT: ProbeCode = ProbeCode {
    name: "probe-timeout",
    group: Group::Network,
    summary: "`--probe-timeout` (default 30 s) ended the probe before the configured timeouts would have",
    docs: r##"**What:** `--probe-timeout` (default 30 s) ended the probe before the configured timeouts would
have. The detail says how long the server itself would wait at that step (the default read
timeout is ten minutes). **Why:** a smoke check should not wait as long as the server may. **Fix:**
find out why the server does not answer; a larger `--probe-timeout` shows whether it answers at
all."##,
};

/// Step names (the `name` of a step in JSON; stable). [`render::label`] gives the human label.
pub mod step {
    pub const FHIR_RESOLVE: &str = "fhir.name-resolution";
    pub const FHIR_CONNECT: &str = "fhir.tcp-connect";
    pub const FHIR_PROXY: &str = "fhir.proxy-connect";
    pub const FHIR_TLS: &str = "fhir.tls-handshake";
    pub const FHIR_HTTP: &str = "fhir.http-status";
    pub const FHIR_CAPABILITY: &str = "fhir.capability-statement";
    pub const OIDC_RESOLVE: &str = "oidc.name-resolution";
    pub const OIDC_CONNECT: &str = "oidc.tcp-connect";
    pub const OIDC_PROXY: &str = "oidc.proxy-connect";
    pub const OIDC_TLS: &str = "oidc.tls-handshake";
    pub const OIDC_DISCOVERY: &str = "oidc.discovery";
    pub const OIDC_ISSUER: &str = "oidc.issuer";
    pub const OIDC_JWKS: &str = "oidc.jwks";
    pub const OIDC_GRANT_TYPE: &str = "oidc.grant-type";
    pub const OIDC_TOKEN_ENDPOINT: &str = "oidc.token-endpoint";
    pub const OIDC_TOKEN: &str = "oidc.token-request";
    pub const OIDC_TOKEN_KEY: &str = "oidc.token-key";
    pub const OIDC_SIGNATURE: &str = "oidc.token-signature";
    pub const OIDC_TIMES: &str = "oidc.token-times";
    pub const OIDC_AUDIENCE: &str = "oidc.token-audience";
    pub const OIDC_AZP: &str = "oidc.token-authorized-party";
    /// Only when `--probe-timeout` ends a probe between two steps.
    pub const PROBE: &str = "probe";
}

/// What the DSF BPE does at start-up with this connection's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerOutcome {
    /// The probe passed.
    Ok,
    /// The server tests this and only logs the failure; it starts, the connection stays configured.
    Logged,
    /// The failure stops the BPE from starting (an uncaught exception during start-up).
    DoesNotStart,
    /// The server does not test this at start-up (`test-connection-on-startup` is false): the
    /// failure shows when a process plugin uses the connection.
    NotTested,
    /// The probe timeout ended the probe before the server's own timeouts would have.
    Unknown,
}

impl ServerOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ServerOutcome::Ok => "ok",
            ServerOutcome::Logged => "logged",
            ServerOutcome::DoesNotStart => "does-not-start",
            ServerOutcome::NotTested => "not-tested",
            ServerOutcome::Unknown => "unknown",
        }
    }
}

/// curl's `--resolve HOST:PORT:ADDR`: connect to ADDR for HOST:PORT; TLS still verifies HOST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    pub host: String,
    pub port: u16,
    pub addr: IpAddr,
}

/// Progress of a run, for a status line on a terminal.
#[derive(Debug, Clone)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// The probe running longest: connection id and time so far.
    pub slowest: Option<(String, Duration)>,
}

pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

#[derive(Clone)]
pub struct ProbeOptions {
    /// Probes running at once (`--concurrency`, default 16).
    pub concurrency: usize,
    /// Cap on each probe's whole run (`--probe-timeout`, default 30 s, above zero); zero is
    /// taken as the default: a probe is always capped, whatever the config's timeouts say.
    pub probe_timeout: Duration,
    /// The server's forward proxy (`DEV_DSF_PROXY_*`).
    pub proxy: Option<ProxyConfig>,
    pub resolve: Vec<Resolve>,
    /// The time certificates and token times are checked against.
    pub now: SystemTime,
    /// Called every 200 ms and after each finished probe; set it only for a terminal.
    pub progress: Option<ProgressFn>,
    /// The server's OIDC cache (`DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE`, default
    /// on): only with it does a token without `exp` stop the BPE.
    pub oidc_cache: bool,
}

impl ProbeOptions {
    /// The cap on one probe: `probe_timeout`, or the default 30 s for zero (the command line
    /// refuses zero; a probe of a silent server with `read-timeout: 0` must still end).
    pub fn cap(&self) -> Duration {
        if self.probe_timeout.is_zero() {
            Duration::from_secs(30)
        } else {
            self.probe_timeout
        }
    }
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            concurrency: 16,
            probe_timeout: Duration::from_secs(30),
            proxy: None,
            resolve: Vec::new(),
            now: SystemTime::now(),
            progress: None,
            oidc_cache: true,
        }
    }
}

impl std::fmt::Debug for ProbeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeOptions")
            .field("concurrency", &self.concurrency)
            .field("probe_timeout", &self.probe_timeout)
            .field("proxy", &self.proxy)
            .field("resolve", &self.resolve)
            .field("now", &self.now)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// The result of probing one connection. Its JSON (`probes[]` in `--format json`, a versioned
/// contract) is written by `emit::json::ProbeJson`, which renders each detail through the run's
/// [`Redactor`](crate::secrets::Redactor); serialising a result on its own renders the details
/// with no secret value of a run known ([`plain`]).
#[derive(Debug, Clone)]
pub struct ProbeResult {
    pub connection: String,
    pub ok: bool,
    pub duration: Duration,
    pub server_outcome: ServerOutcome,
    /// The connection's effective `test-connection-on-startup`.
    pub server_tests_at_startup: bool,
    /// Whether the FHIR request went through the proxy.
    pub via_proxy: bool,
    /// Whether the OIDC requests went through the proxy (`None` without `oidc-auth`).
    pub oidc_via_proxy: Option<bool>,
    /// The probe timeout, not a configured timeout, ended the probe.
    pub ended_by_probe_timeout: bool,
    pub steps: Vec<ProbeStep>,
}

#[derive(Debug, Clone)]
pub struct ProbeStep {
    /// Stable step name, see [`step`].
    pub name: &'static str,
    pub ok: bool,
    pub duration: Duration,
    /// What the step found, in typed pieces: the tool's words (`Own`), values of the config
    /// (`Value`: shown through the one URL redactor), text a server sent (`Remote`: scrubbed of
    /// every form of what the probe sent before it got here). Rendered by the emitters'
    /// `Redactor`, like a diagnostic's message.
    pub detail: Text,
    /// For failures: a stable code, see [`codes`].
    pub code: Option<&'static ProbeCode>,
    /// For failures: what the server does with this failure at start-up.
    pub server_outcome: Option<ServerOutcome>,
}

impl ProbeStep {
    /// The detail as the outputs show it, without the secret values of a run ([`plain`]).
    pub fn detail_text(&self) -> String {
        plain(&self.detail)
    }
}

/// A probe text rendered with no source and no secret value of a run known: each piece as the
/// outputs render it (values through the URL redactor, server text scrubbed already). For
/// library users and tests; the outputs use the run's `Redactor`.
pub fn plain(t: &Text) -> String {
    let db = crate::source::SourceDb::default();
    crate::secrets::Redactor::new(&db, crate::secrets::scrub::Scrubber::default()).text(t)
}

/// Whether the probes did not pass: one failed, or none ran at all (a smoke check that tested
/// nothing has not passed).
pub fn failed(results: &[ProbeResult]) -> bool {
    results.is_empty() || results.iter().any(|r| !r.ok)
}

/// A step failed: the probe of this connection ends here (the failure is recorded).
#[derive(Debug)]
pub(crate) struct Stop;

pub(crate) type Flow<T> = Result<T, Stop>;

/// Collects the steps of one probe as they finish. Details are typed texts ([`Text`]): text from
/// a server becomes a `Remote` piece through [`Recorder::server_text`] or
/// [`Recorder::server_value`], which mask every registered secret *before* the text is
/// collapsed, cut or parsed into a message, so no transformation can split a secret past the
/// masking. As a second line, every piece of a finished detail that is not a fixed word of the
/// tool is scrubbed again (a library's error text, a value), and each is cut to [`MAX_DETAIL`]
/// characters.
pub(crate) struct Recorder {
    steps: Vec<ProbeStep>,
    current: Option<(&'static str, Instant)>,
    /// The configured limit of what the running step waits for, for the probe-timeout message.
    pub(crate) waiting: Option<(Duration, String)>,
    secrets: crate::secrets::remote::Scrubber,
    pub(crate) via_proxy: bool,
    pub(crate) oidc_via_proxy: Option<bool>,
}

/// The longest piece of a step's detail, in characters (server-controlled parts are cut shorter).
const MAX_DETAIL: usize = 2000;

impl Recorder {
    pub(crate) fn new() -> Self {
        Recorder {
            steps: Vec::new(),
            current: None,
            waiting: None,
            secrets: crate::secrets::remote::Scrubber::default(),
            via_proxy: false,
            oidc_via_proxy: None,
        }
    }

    /// Registers a secret, with the forms it travels in (see `secrets::remote`).
    #[cfg(test)]
    pub(crate) fn add_secret(&mut self, secret: &str) {
        self.secrets.add(secret);
    }

    /// The scrubber of what this probe sends, to register secrets with as they are used.
    pub(crate) fn secrets(&mut self) -> &mut crate::secrets::remote::Scrubber {
        &mut self.secrets
    }

    /// The text with every registered secret masked (also when split by control characters or
    /// white space, or escaped); nothing else changes.
    pub(crate) fn scrub(&self, text: &str) -> String {
        self.secrets.scrub(text)
    }

    /// Text from a server (a body, a header, an error description) for a message: secrets masked
    /// first, then on one line (control characters and white space runs made one space), cut to
    /// `limit` characters; a tail that is the start of a secret is masked too.
    pub(crate) fn server_text(&self, text: &str, limit: usize) -> Piece {
        Piece::Remote(self.secrets.one_line(text, limit).into())
    }

    /// Text from a server kept as it is (an issuer, a URL, a key id), secrets masked, cut to
    /// `limit` characters.
    pub(crate) fn server_value(&self, text: &str, limit: usize) -> Piece {
        Piece::Remote(
            self.secrets
                .clip(text, limit, crate::secrets::remote::Tail::Always)
                .into(),
        )
    }

    pub(crate) fn start(&mut self, name: &'static str) {
        self.current = Some((name, Instant::now()));
        self.waiting = None;
    }

    fn finish(
        &mut self,
        ok: bool,
        detail: Text,
        code: Option<&'static ProbeCode>,
        outcome: Option<ServerOutcome>,
    ) {
        let (name, started) = self.current.take().unwrap_or(("probe", Instant::now()));
        let mut detail = self.rescrub(detail);
        detail.bound(MAX_DETAIL);
        self.steps.push(ProbeStep {
            name,
            ok,
            duration: started.elapsed(),
            detail,
            code,
            server_outcome: outcome,
        });
        self.waiting = None;
    }

    /// Every piece that is not a fixed word of the tool scrubbed of the registered secrets.
    fn rescrub(&self, detail: Text) -> Text {
        let mut out = Text::new();
        for p in detail.pieces() {
            out.push(match p {
                Piece::Own(std::borrow::Cow::Owned(w)) => Piece::own(self.scrub(w)),
                Piece::Value(v) => Piece::Value(self.scrub(v).into()),
                Piece::Remote(v) => Piece::Remote(self.scrub(v).into()),
                other => other.clone(),
            });
        }
        out
    }

    pub(crate) fn pass(&mut self, detail: impl Into<Text>) {
        self.finish(true, detail.into(), None, None);
    }

    pub(crate) fn fail(
        &mut self,
        code: &'static ProbeCode,
        detail: impl Into<Text>,
        outcome: ServerOutcome,
    ) -> Stop {
        self.finish(false, detail.into(), Some(code), Some(outcome));
        Stop
    }

    /// Puts `context` before the detail of the step that just failed (a redirect's hop).
    pub(crate) fn prefix_last(&mut self, context: Text) {
        let rescrubbed = self.rescrub(context);
        if let Some(last) = self.steps.last_mut() {
            let mut d = rescrubbed;
            d.push(std::mem::take(&mut last.detail));
            d.bound(MAX_DETAIL);
            last.detail = d;
        }
    }

    pub(crate) fn running(&self) -> bool {
        self.current.is_some()
    }
}

/// Probes every target, at most `options.concurrency` at once; results in input order.
pub async fn probe_all(targets: &[ProbeTarget], options: &ProbeOptions) -> Vec<ProbeResult> {
    let total = targets.len();
    let started: Mutex<Vec<Option<Instant>>> = Mutex::new(vec![None; total]);
    let mark = |i: usize, v: Option<Instant>| {
        if let Ok(mut s) = started.lock() {
            s[i] = v;
        }
    };
    let mut stream = futures_util::stream::iter(targets.iter().enumerate().map(|(i, t)| {
        let mark = &mark;
        async move {
            mark(i, Some(Instant::now()));
            let r = probe_one(t, options).await;
            mark(i, None);
            (i, r)
        }
    }))
    .buffer_unordered(options.concurrency.max(1));

    let mut results: Vec<Option<ProbeResult>> = vec![None; total];
    let mut done = 0;
    let report = |done: usize| {
        if let Some(progress) = &options.progress {
            let slowest = started.lock().ok().and_then(|s| {
                s.iter()
                    .enumerate()
                    .filter_map(|(i, t)| t.map(|t| (i, t.elapsed())))
                    .max_by_key(|(_, e)| *e)
                    .map(|(i, e)| (targets[i].id.clone(), e))
            });
            progress(&Progress {
                done,
                total,
                slowest,
            });
        }
    };
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            next = stream.next() => match next {
                Some((i, r)) => {
                    results[i] = Some(r);
                    done += 1;
                    report(done);
                }
                None => break,
            },
            _ = tick.tick(), if options.progress.is_some() => report(done),
        }
    }
    results.into_iter().flatten().collect()
}

/// The synchronous entry: a tokio runtime for the probes only, then the results.
pub fn run(targets: &[ProbeTarget], options: &ProbeOptions) -> std::io::Result<Vec<ProbeResult>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let results = rt.block_on(probe_all(targets, options));
    // a name lookup still running in the blocking pool (a hung resolver) must not hold us up
    rt.shutdown_timeout(Duration::from_millis(100));
    Ok(results)
}

async fn probe_one(t: &ProbeTarget, options: &ProbeOptions) -> ProbeResult {
    let started = Instant::now();
    let mut rec = Recorder::new();
    register_secrets(t, options, rec.secrets());
    let cap = options.cap();
    let ended_by_probe_timeout = tokio::time::timeout(cap, probe_steps(t, options, &mut rec))
        .await
        .is_err();
    if ended_by_probe_timeout {
        if !rec.running() {
            // the cap fell between two steps: still a failure of its own
            rec.start(step::PROBE);
        }
        let server = match &rec.waiting {
            Some((limit, what)) if limit.is_zero() => crate::text!(
                "; the server would wait forever here ({} is 0)",
                Piece::own(what.as_str())
            ),
            Some((limit, what)) => crate::text!(
                "; the server would wait up to {} here ({})",
                Piece::own(human_duration(*limit)),
                Piece::own(what.as_str())
            ),
            None => Text::new(),
        };
        let detail = crate::text!(
            "no result within the probe timeout of {} (--probe-timeout){}",
            Piece::own(human_duration(cap)),
            server
        );
        rec.fail(&codes::PROBE_TIMEOUT, detail, ServerOutcome::Unknown);
    }
    let failed = rec.steps.iter().find(|s| !s.ok);
    let ok = failed.is_none() && !rec.steps.is_empty();
    let server_outcome = match failed {
        None => ServerOutcome::Ok,
        Some(s) => s.server_outcome.unwrap_or(ServerOutcome::Unknown),
    };
    ProbeResult {
        connection: t.id.clone(),
        ok,
        duration: started.elapsed(),
        server_outcome,
        server_tests_at_startup: t.test_on_startup,
        via_proxy: rec.via_proxy,
        oidc_via_proxy: rec.oidc_via_proxy,
        ended_by_probe_timeout,
        steps: rec.steps,
    }
}

async fn probe_steps(t: &ProbeTarget, options: &ProbeOptions, rec: &mut Recorder) -> Flow<()> {
    let token = match &t.oidc {
        Some(o) => Some(oidc::probe(o, options, rec).await?),
        None => None,
    };
    fhir::probe(t, options, rec, token.as_ref()).await
}

/// Every secret of a target and the proxy, registered with the forms the probe sends it in
/// (`secrets::remote`): Basic credentials (the password, the header values in both charsets),
/// the bearer token (and its header value), the client secret, the proxy password, and every
/// credential and query value of the configured URLs. The URLs the probe requests, the
/// Authorization values it sends and the access token it gets are registered as they are used.
fn register_secrets(
    t: &ProbeTarget,
    options: &ProbeOptions,
    secrets: &mut crate::secrets::remote::Scrubber,
) {
    if let Some(b) = &t.basic {
        secrets.add_basic(&b.username, b.password.expose());
    }
    if let Some(b) = &t.bearer {
        secrets.add_bearer(b.expose());
    }
    if let Some(o) = &t.oidc {
        secrets.add_basic(&o.client_id, o.client_secret.expose());
        secrets.add_url(&o.base_url);
    }
    if let Some(p) = &options.proxy {
        if let Some(pw) = &p.password {
            secrets.add_basic(p.username.as_deref().unwrap_or_default(), pw.expose());
        }
        secrets.add_url(&p.url);
    }
    secrets.add_url(&t.base_url);
    // userinfo in a URL is a credential too; the masking decodes `%XX`, and the URL parser's
    // decoded password is matched as well
    for url in [
        Some(t.base_url.as_str()),
        t.oidc.as_ref().map(|o| o.base_url.as_str()),
    ]
    .into_iter()
    .flatten()
    {
        if let Ok(u) = url::Url::parse(url)
            && let Some(pw) = u.password()
        {
            secrets.add(pw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_masks_longest_first() {
        let mut r = Recorder::new();
        r.add_secret("abcd");
        r.add_secret("abcdefgh");
        r.add_secret("ab");
        assert_eq!(r.scrub("x abcdefgh y abcd ab"), "x **** y **** ab");
    }
}
