//! Partners' services as sources ("flux croisés"): the client side.
//!
//! One [`Host`] per upstream host holds what a good client owes a partner:
//! a deadline on every request (queueing, waiting for a rate slot and
//! retries included), a cap on concurrent requests, a cap on requests per
//! second, retries with backoff only for idempotent retryable failures,
//! keep-alive (one pooled client), a `User-Agent` naming tuile. It also
//! keeps what `/ready` and `/metrics` tell of the host. Hosts outlive
//! reloads, so that limits hold across them.
//!
//! The protocol readers ([`wms`], [`wmts`]) build on it; failures are
//! [`UpstreamError`]s naming the upstream (its URL without query, so no key
//! shows), which protocols answer as 502 or 504.

pub mod answer;
pub mod capabilities;
pub mod features;
pub mod wms;
pub mod wmts;

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use parking_lot::Mutex;
use serde::Deserialize;

/// How tuile behaves toward one upstream host (`[upstreams."host"]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HostConfig {
    /// The longest a request to the host may take, all retries included, in ms.
    pub timeout_ms: u64,
    /// The longest a connection may take to open, in ms.
    pub connect_timeout_ms: u64,
    /// Requests in flight to the host at once; more wait their turn.
    pub max_concurrent: usize,
    /// Requests per second to the host (0: no cap). The Géoplateforme
    /// allows 40 per address on its raster services.
    pub max_rps: u32,
    /// Retries of a request that failed in a way worth retrying (connection
    /// lost, 429, 502, 503, 504), with doubling backoff.
    pub retries: u32,
    /// Layers one WMS request may name (0: any number). The Géoplateforme
    /// allows 2: a source naming more is asked in several requests, drawn
    /// over each other in order.
    pub max_layers: usize,
}

impl Default for HostConfig {
    fn default() -> HostConfig {
        HostConfig {
            timeout_ms: 10_000,
            connect_timeout_ms: 3_000,
            max_concurrent: 8,
            max_rps: 0,
            retries: 2,
            max_layers: 0,
        }
    }
}

/// A key an upstream needs: sent as a header or a query parameter, read
/// from the environment or a secret file (never written in `tuile.toml`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// The header carrying it (`Authorization`, `X-Api-Key`…).
    pub header: Option<String>,
    /// Or the query parameter (`apikey`).
    pub param: Option<String>,
    /// The environment variable holding the value.
    pub env: Option<String>,
    /// Or the file holding it (a mounted secret).
    pub file: Option<std::path::PathBuf>,
}

/// A key read and ready to send.
#[derive(Clone)]
pub enum Credential {
    Header(reqwest::header::HeaderName, reqwest::header::HeaderValue),
    Param(String, String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the value, even in logs.
        match self {
            Credential::Header(n, _) => write!(f, "header {n}"),
            Credential::Param(n, _) => write!(f, "parameter {n}"),
        }
    }
}

impl KeyConfig {
    pub fn read(&self) -> Result<Credential, String> {
        let value = match (&self.env, &self.file) {
            (Some(var), None) => {
                std::env::var(var).map_err(|_| format!("the upstream key's variable {var} is not set"))?
            }
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the upstream key from {}: {e}", path.display()))?,
            _ => return Err("an upstream key is read from exactly one of `env` or `file`".into()),
        };
        let value = value.trim().to_string();
        match (&self.header, &self.param) {
            (Some(h), None) => {
                let name = reqwest::header::HeaderName::from_bytes(h.as_bytes())
                    .map_err(|_| format!("`{h}` is not a header name"))?;
                let mut v = reqwest::header::HeaderValue::from_str(&value)
                    .map_err(|_| "the upstream key cannot be sent in a header".to_string())?;
                v.set_sensitive(true);
                Ok(Credential::Header(name, v))
            }
            (None, Some(p)) => Ok(Credential::Param(p.clone(), value)),
            _ => Err("an upstream key goes in exactly one of `header` or `param`".into()),
        }
    }
}

/// Why an upstream gave nothing usable. Messages name the upstream by its
/// URL without query: a key in the query never shows.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream {upstream} did not answer within {ms} ms")]
    Timeout { upstream: String, ms: u64 },
    #[error("the upstream {upstream} answered HTTP {status}")]
    Status { upstream: String, status: u16 },
    #[error("the upstream {upstream} answered an exception: {text}")]
    Exception { upstream: String, text: String },
    #[error("the upstream {upstream} sent an unusable answer: {msg}")]
    Invalid { upstream: String, msg: String },
    #[error("cannot reach the upstream {upstream}: {msg}")]
    Unreachable { upstream: String, msg: String },
}

impl UpstreamError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, UpstreamError::Timeout { .. })
    }

    pub fn invalid(url: &str, msg: impl Into<String>) -> UpstreamError {
        UpstreamError::Invalid {
            upstream: public_url(url),
            msg: msg.into(),
        }
    }
}

impl From<UpstreamError> for crate::error::Error {
    fn from(e: UpstreamError) -> Self {
        let kind = if e.is_timeout() {
            crate::error::ErrorKind::UpstreamTimeout
        } else {
            crate::error::ErrorKind::Upstream
        };
        crate::error::Error::caused_by(kind, e)
    }
}

/// A URL as messages show it: scheme, host and path, no query.
pub fn public_url(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_string()
}

/// The host key of a URL (`host` or `host:port`), as `[upstreams]` names it.
pub fn host_of(url: &str) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{}` is not a URL: {e}", public_url(url)))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{}` is not an http(s) URL", public_url(url)));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("`{}` has no host", public_url(url)))?;
    Ok(match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

/// An answer as received: status 2xx, its media type and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub content_type: String,
    pub body: Bytes,
}

/// The most an upstream answer may weigh.
const MAX_BODY: usize = 64 << 20;

/// What `/ready` and `/metrics` say of a host.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct HostState {
    /// Failed requests in a row (0: the last one succeeded).
    pub failures_in_a_row: u32,
    pub last_success: Option<String>,
    pub last_error: Option<String>,
}

/// One upstream host: its client, limits and state.
pub struct Host {
    pub name: String,
    config: HostConfig,
    client: reqwest::Client,
    permits: tokio::sync::Semaphore,
    limiter: Option<governor::DefaultDirectRateLimiter>,
    state: Mutex<HostState>,
    pub requests: AtomicU64,
    pub errors: AtomicU64,
    pub retries: AtomicU64,
}

fn hosts() -> &'static Mutex<HashMap<String, Arc<Host>>> {
    static HOSTS: OnceLock<Mutex<HashMap<String, Arc<Host>>>> = OnceLock::new();
    HOSTS.get_or_init(Default::default)
}

/// The host named `name` (as [`host_of`] names it), with the settings
/// given (kept across reloads unless the settings changed).
fn host(name: &str, config: &HostConfig) -> Result<Arc<Host>, String> {
    let mut all = hosts().lock();
    if let Some(h) = all.get(name)
        && h.config == *config
    {
        return Ok(Arc::clone(h));
    }
    let h = Arc::new(Host::new(name, config.clone())?);
    all.insert(name.to_string(), Arc::clone(&h));
    Ok(h)
}

/// A partner's service as a remote source reads it: its URL, its host
/// (limits and state, shared by every source on it) and the key it needs.
pub struct Endpoint {
    pub url: String,
    pub host: Arc<Host>,
    key: Option<Credential>,
}

impl Endpoint {
    /// The endpoint a remote source configures: its `url` and `key`, on a
    /// host with its `[upstreams."host"]` settings.
    pub fn of(config: &crate::config::Config, sc: &crate::config::SourceConfig) -> Result<Endpoint, String> {
        let url = sc
            .url
            .as_deref()
            .filter(|u| !u.is_empty())
            .ok_or("a remote source needs `url`")?;
        let name = host_of(url)?;
        let host_config = config.upstreams.get(&name).cloned().unwrap_or_default();
        Ok(Endpoint {
            url: url.to_string(),
            host: host(&name, &host_config)?,
            key: sc.key.as_ref().map(KeyConfig::read).transpose()?,
        })
    }

    /// GETs `url` (on this endpoint's host, with its key).
    pub async fn get(&self, url: &str) -> Result<Answer, UpstreamError> {
        self.host.get(url, self.key.as_ref()).await
    }

    /// [`Endpoint::get`] from synchronous code (opening a layer).
    pub fn get_blocking(&self, url: &str) -> Result<Answer, UpstreamError> {
        let (host, url, key) = (Arc::clone(&self.host), url.to_string(), self.key.clone());
        blocking(async move { host.get(&url, key.as_ref()).await })
    }
}

/// The host serving `url`, when a layer has used it.
pub fn known_host(url: &str) -> Option<Arc<Host>> {
    hosts().lock().get(&host_of(url).ok()?).cloned()
}

fn now_text() -> String {
    jiff::Timestamp::try_from(SystemTime::now())
        .map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string())
        .unwrap_or_default()
}

impl Host {
    fn new(name: &str, config: HostConfig) -> Result<Host, String> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("tuile/", env!("CARGO_PKG_VERSION"), " (cascading OGC server)"))
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| format!("cannot set up an HTTP client: {e}"))?;
        let limiter =
            NonZeroU32::new(config.max_rps).map(|rps| governor::RateLimiter::direct(governor::Quota::per_second(rps)));
        Ok(Host {
            name: name.to_string(),
            permits: tokio::sync::Semaphore::new(config.max_concurrent.max(1)),
            config,
            client,
            limiter,
            state: Mutex::default(),
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        })
    }

    pub fn state(&self) -> HostState {
        self.state.lock().clone()
    }

    /// Whether the host answered its last request.
    pub fn is_up(&self) -> bool {
        self.state.lock().failures_in_a_row == 0
    }

    /// Layers one WMS request may name (0: any number).
    pub fn max_layers(&self) -> usize {
        self.config.max_layers
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.config.timeout_ms)
    }

    fn record(&self, result: &Result<Answer, UpstreamError>) {
        let mut s = self.state.lock();
        match result {
            // A host that says "no such tile" (404) or "bad request" is up.
            Ok(_)
            | Err(UpstreamError::Status {
                status: 400..=428 | 430..=499,
                ..
            }) => {
                s.failures_in_a_row = 0;
                s.last_success = Some(now_text());
            }
            Err(e) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                s.failures_in_a_row += 1;
                s.last_error = Some(format!("{} {e}", now_text()));
            }
        }
    }

    /// GETs `url` (with the key, when given) within the host's deadline,
    /// on the upstream runtime (see [`runtime`]).
    pub async fn get(self: &Arc<Self>, url: &str, key: Option<&Credential>) -> Result<Answer, UpstreamError> {
        let (host, url, key) = (Arc::clone(self), url.to_string(), key.cloned());
        let task = runtime().spawn(async move {
            let deadline = tokio::time::Instant::now() + host.timeout();
            let result = host.get_by(&url, key.as_ref(), deadline).await;
            host.record(&result);
            result
        });
        task.await.unwrap_or_else(|e| {
            Err(UpstreamError::Unreachable {
                upstream: String::new(),
                msg: format!("the request task failed: {e}"),
            })
        })
    }

    async fn get_by(
        &self,
        url: &str,
        key: Option<&Credential>,
        deadline: tokio::time::Instant,
    ) -> Result<Answer, UpstreamError> {
        let upstream = public_url(url);
        let timeout = || UpstreamError::Timeout {
            upstream: upstream.clone(),
            ms: self.config.timeout_ms,
        };
        // Waiting for a turn counts against the deadline too.
        let _permit = tokio::time::timeout_at(deadline, self.permits.acquire())
            .await
            .map_err(|_| timeout())?
            .expect("the host's semaphore is never closed");
        let mut attempt = 0;
        loop {
            if let Some(l) = &self.limiter {
                tokio::time::timeout_at(deadline, l.until_ready())
                    .await
                    .map_err(|_| timeout())?;
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let mut request = self.client.get(url);
            request = match key {
                Some(Credential::Header(n, v)) => request.header(n, v),
                Some(Credential::Param(n, v)) => request.query(&[(n, v)]),
                None => request,
            };
            let outcome = match tokio::time::timeout_at(deadline, request.send()).await {
                Err(_) => return Err(timeout()),
                Ok(Err(e)) => Attempt::Retry(UpstreamError::Unreachable {
                    upstream: upstream.clone(),
                    msg: short(&e),
                }),
                Ok(Ok(resp)) => self.read(resp, &upstream, deadline).await?,
            };
            let error = match outcome {
                Attempt::Done(a) => return Ok(a),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e) => e,
            };
            if attempt >= self.config.retries {
                return Err(error);
            }
            attempt += 1;
            self.retries.fetch_add(1, Ordering::Relaxed);
            let pause = Duration::from_millis(100 << attempt.min(6));
            if tokio::time::Instant::now() + pause >= deadline {
                return Err(error);
            }
            tokio::time::sleep(pause).await;
        }
    }

    async fn read(
        &self,
        resp: reqwest::Response,
        upstream: &str,
        deadline: tokio::time::Instant,
    ) -> Result<Attempt, UpstreamError> {
        let status = resp.status().as_u16();
        if !resp.status().is_success() {
            let e = UpstreamError::Status {
                upstream: upstream.to_string(),
                status,
            };
            return Ok(if matches!(status, 429 | 502 | 503 | 504) {
                Attempt::Retry(e)
            } else {
                Attempt::Fail(e)
            });
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if resp.content_length().is_some_and(|n| n as usize > MAX_BODY) {
            return Ok(Attempt::Fail(UpstreamError::invalid(
                upstream,
                "the answer is too large",
            )));
        }
        let mut body = Vec::new();
        let mut resp = resp;
        loop {
            match tokio::time::timeout_at(deadline, resp.chunk()).await {
                Err(_) => {
                    return Err(UpstreamError::Timeout {
                        upstream: upstream.to_string(),
                        ms: self.config.timeout_ms,
                    });
                }
                Ok(Ok(Some(chunk))) => {
                    body.extend_from_slice(&chunk);
                    if body.len() > MAX_BODY {
                        return Ok(Attempt::Fail(UpstreamError::invalid(
                            upstream,
                            "the answer is too large",
                        )));
                    }
                }
                Ok(Ok(None)) => break,
                // A connection cut mid-answer: worth another try.
                Ok(Err(e)) => {
                    return Ok(Attempt::Retry(UpstreamError::invalid(
                        upstream,
                        format!("the answer was cut short ({})", short(&e)),
                    )));
                }
            }
        }
        Ok(Attempt::Done(Answer {
            content_type,
            body: Bytes::from(body),
        }))
    }
}

enum Attempt {
    Done(Answer),
    Fail(UpstreamError),
    Retry(UpstreamError),
}

/// A reqwest error's cause chain, without the URL it repeats.
fn short(e: &reqwest::Error) -> String {
    let mut msg = String::new();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = cause {
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&c.to_string());
        cause = c.source();
    }
    if msg.is_empty() {
        msg = e.to_string();
    }
    msg
}

/// The runtime every upstream request runs on. A pooled connection
/// belongs to the runtime that opened it: one long-lived runtime lets the
/// server's workers, the catalog's (synchronous) opening and `tuile seed`
/// share the hosts' connections and limits.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tuile-upstream")
            .enable_all()
            .build()
            .expect("the upstream runtime starts")
    })
}

/// Runs an upstream request from synchronous code (opening a layer reads
/// its capabilities; seeding), inside or outside an async runtime alike.
pub fn blocking<T: Send + 'static>(future: impl std::future::Future<Output = T> + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    runtime().spawn(async move {
        let _ = tx.send(future.await);
    });
    rx.recv().expect("the upstream runtime runs every task it is given")
}

/// Appends query parameters to a URL that may already have some.
pub fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut url = base.to_string();
    let mut sep = if url.contains('?') {
        if url.ends_with('?') || url.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    for (k, v) in params {
        url.push_str(sep);
        url.push_str(k);
        url.push('=');
        url.extend(form_urlencoded::byte_serialize(v.as_bytes()));
        sep = "&";
    }
    url
}
