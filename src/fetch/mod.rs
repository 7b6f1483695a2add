//! All network I/O toward portals, politely: an honest User-Agent, robots.txt obeyed, per-host
//! pacing and an in-flight cap shared by every source, conditional GET, retries with backoff and
//! jitter (honouring `Retry-After`), timeouts, a redirect cap, a body-size cap, and charset
//! decoding into a [`Page`](crate::model::Page).

mod charset;
mod policy;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use robotxt::Robots;
use tokio::sync::Semaphore;
use url::Url;

use crate::config::FetchConfig;
use crate::model::{Page, PageRequest};

pub use charset::decode;
pub use policy::is_internal;

/// Why a fetch failed. Every variant names the URL so a log line is enough to act on.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The HTTP client could not be built (bad User-Agent or TLS setup).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// No usable answer: connection refused, DNS, timeout, too many redirects, broken body.
    #[error("{url}: {reason}")]
    Request { url: Url, reason: String },
    /// The server answered with a non-success status (after the retries it allows).
    #[error("{url}: HTTP {status}")]
    Status { url: Url, status: u16 },
    /// The server asked to come back later than we wait within one run.
    #[error("{url}: HTTP {status}, asked to retry after {seconds} s")]
    RetryLater { url: Url, status: u16, seconds: u64 },
    /// The body exceeded the configured cap and was abandoned.
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: Url, limit: usize },
    /// The URL is not http(s): pages point at `data:`, `javascript:` or `file:` URLs too.
    #[error("{url}: not an http(s) URL")]
    NotWeb { url: Url },
    /// The URL is on an internal address (loopback, private, link-local, metadata) that no
    /// configured source lives on.
    #[error("{url}: refused: {reason}")]
    Internal { url: Url, reason: String },
    /// The server answered an unconditional request with 304 Not Modified.
    #[error("{url}: HTTP 304 to a request without validators")]
    UnexpectedNotModified { url: Url },
    /// robots.txt forbids the path (or could not be read, which RFC 9309 treats the same).
    #[error("{url}: disallowed by robots.txt{detail}")]
    Robots { url: Url, detail: String },
}

/// What a `HEAD` request says about a resource, for enclosures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub length: Option<u64>,
    pub mime: Option<String>,
}

/// A page's validators from its last fetch, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The answer to a conditional GET.
#[derive(Debug)]
pub enum Fetched {
    /// 304: the page is as it was.
    NotModified,
    /// The page, and its new validators.
    Page(Page, Validators),
}

/// Told the outcome of every request: an HTTP status ("200", "304"), or what went wrong before
/// one ("timeout", "connect", "robots", "too_large", "not_web", "internal", "error"). The
/// daemon counts them in its metrics.
pub type Observer = Arc<dyn Fn(&str) + Send + Sync>;

/// The portal-facing HTTP client. Shared by all sources, so pacing holds per host across them.
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    /// The robots.txt agent token: the User-Agent's product name.
    agent: String,
    /// Shared with the fetchers of later config generations ([`Fetcher::successor`]): pacing
    /// and the in-flight cap hold per host across a reload, whichever generation's run asks.
    hosts: Arc<Mutex<HashMap<String, Host>>>,
    observer: Observer,
    policy: policy::Policy,
}

/// Per-host politeness state.
struct Host {
    /// The earliest instant the next request may start.
    next_slot: Instant,
    in_flight: Arc<Semaphore>,
    /// The permits `in_flight` was given: `max_in_flight` when the host was first asked.
    cap: usize,
    /// Requests whose pacing slot came and that wait for an in-flight permit.
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    robots: Option<(Instant, Arc<Robots>)>,
}

/// What one host's requests are doing now: for `/metrics`-style inspection and the tests that
/// show the in-flight cap holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostLoad {
    /// Requests holding one of the host's in-flight permits (sent, or reading their body).
    pub in_flight: usize,
    /// Requests waiting for a permit.
    pub waiting: usize,
}

/// A response, and the host's in-flight permit it holds until its body is read or dropped.
struct Answer {
    response: reqwest::Response,
    slot: tokio::sync::OwnedSemaphorePermit,
}

/// How long a fetched robots.txt is trusted.
const ROBOTS_TTL: Duration = Duration::from_secs(3600);

impl Fetcher {
    /// A fetcher nobody observes (one-shot commands).
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        Fetcher::observed(config, Arc::new(|_: &str| {}))
    }

    /// A fetcher that tells `observer` the outcome of every request.
    pub fn observed(config: FetchConfig, observer: Observer) -> Result<Fetcher, FetchError> {
        Fetcher::build(config, observer, Arc::default())
    }

    /// The fetcher of a reloaded config: its own client (User-Agent, timeouts, the hosts it
    /// may reach) over this one's per-host state, so pacing, the in-flight cap and robots.txt
    /// hold across the reload while this one's runs finish. A changed `max_in_flight` applies
    /// to every host from now on (permits in use are taken back as they are returned).
    pub fn successor(&self, config: FetchConfig) -> Result<Fetcher, FetchError> {
        {
            let mut hosts = self.hosts.lock().expect("hosts lock is never poisoned");
            for host in hosts.values_mut() {
                resize(host, config.max_in_flight);
            }
        }
        Fetcher::build(config, self.observer.clone(), self.hosts.clone())
    }

    fn build(
        config: FetchConfig,
        observer: Observer,
        hosts: Arc<Mutex<HashMap<String, Host>>>,
    ) -> Result<Fetcher, FetchError> {
        let policy = policy::Policy::new(&config.trusted_hosts);
        let max_redirects = config.max_redirects;
        let redirects = policy.clone();
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            // Each hop is checked like the first URL: a public page may redirect inwards.
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > max_redirects {
                    return attempt.error("too many redirects");
                }
                if !crate::model::is_web_url(attempt.url()) {
                    let refused = format!("redirect to {}: not an http(s) URL", attempt.url());
                    return attempt.error(refused);
                }
                match redirects.check(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(reason) => {
                        let refused = format!("redirect to {} refused: {reason}", attempt.url());
                        attempt.error(refused)
                    }
                }
            }))
            .dns_resolver(policy.resolver())
            .build()
            .map_err(FetchError::Client)?;
        let agent = config.user_agent.split(['/', ' ']).next().unwrap_or("bantin").to_string();
        Ok(Fetcher { client, config, agent, hosts, observer, policy })
    }

    /// GETs an HTML page and decodes it (header charset, BOM, `<meta>`, sniffing; then NFC).
    pub async fn page(&self, url: &Url) -> Result<Page, FetchError> {
        match self.fetch(url, None, &Validators::default()).await? {
            Fetched::Page(page, _) => Ok(page),
            Fetched::NotModified => Err(FetchError::UnexpectedNotModified { url: url.clone() }),
        }
    }

    /// A list page: a conditional GET with the page's last validators, or an ASP.NET postback
    /// (a form POST of the page's hidden fields, never conditional).
    pub async fn list_page(&self, request: &PageRequest, last: &Validators) -> Result<Fetched, FetchError> {
        match request {
            PageRequest::Get(url) => self.fetch(url, None, last).await,
            PageRequest::Post { url, fields } => self.fetch(url, Some(fields), &Validators::default()).await,
        }
    }

    /// Asks for an image's size and type without downloading it.
    pub async fn probe(&self, url: &Url) -> Result<Probe, FetchError> {
        // A HEAD answer has no body: its slot goes with its headers.
        let Answer { response, .. } = self.send(url, || self.client.head(url.clone())).await?;
        // `content_length()` is the body's size, which a HEAD response does not have.
        let length = header(&response, CONTENT_LENGTH).and_then(|v| v.parse().ok());
        let mime = header(&response, CONTENT_TYPE)
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .filter(|m| m.contains('/'));
        Ok(Probe { length, mime })
    }

    async fn fetch(
        &self,
        url: &Url,
        form: Option<&Vec<(String, String)>>,
        last: &Validators,
    ) -> Result<Fetched, FetchError> {
        let build = || {
            let mut request = match form {
                Some(fields) => self.client.post(url.clone()).form(fields),
                None => self.client.get(url.clone()),
            };
            if let Some(etag) = &last.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &last.last_modified {
                request = request.header(IF_MODIFIED_SINCE, lm);
            }
            request
        };
        // The in-flight slot stays taken until the body is read (or abandoned): a portal that
        // is slow to send bodies has two requests on it, not one per header received.
        let Answer { mut response, slot } = self.send(url, build).await?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let validators = Validators { etag: header(&response, ETAG), last_modified: header(&response, LAST_MODIFIED) };
        let final_url = response.url().clone();
        let content_type = header(&response, CONTENT_TYPE);
        let limit = self.config.max_body_bytes;
        let too_large = || FetchError::TooLarge { url: url.clone(), limit };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            (self.observer)("too_large");
            return Err(too_large());
        }
        let mut body = Vec::new();
        let broken = |e: reqwest::Error| FetchError::Request { url: url.clone(), reason: describe(&e) };
        while let Some(chunk) = response.chunk().await.map_err(broken)? {
            if body.len() + chunk.len() > limit {
                (self.observer)("too_large");
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        drop(slot);
        Ok(Fetched::Page(Page { url: final_url, html: decode(&body, content_type.as_deref()) }, validators))
    }

    /// Sends a request politely: robots.txt first, then pacing and the in-flight cap, then
    /// retries with exponential backoff and jitter on timeouts, connection failures, 5xx and
    /// 429, waiting out `Retry-After` when the server gives one. Returns a 2xx or 304 answer
    /// with the in-flight permit its body still needs.
    async fn send(&self, url: &Url, build: impl Fn() -> reqwest::RequestBuilder) -> Result<Answer, FetchError> {
        if !crate::model::is_web_url(url) {
            (self.observer)("not_web");
            return Err(FetchError::NotWeb { url: url.clone() });
        }
        if let Err(reason) = self.policy.check(url) {
            (self.observer)("internal");
            return Err(FetchError::Internal { url: url.clone(), reason });
        }
        if let Err(e) = self.check_robots(url).await {
            (self.observer)("robots");
            return Err(e);
        }
        let mut attempt = 0;
        loop {
            let slot = self.slot(url).await;
            let outcome = build().send().await;
            (self.observer)(&match &outcome {
                Ok(response) => response.status().as_u16().to_string(),
                Err(e) if e.is_timeout() => "timeout".into(),
                Err(e) if e.is_connect() => "connect".into(),
                Err(_) => "error".into(),
            });
            let retry_in = match outcome {
                Ok(response) if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED => {
                    return Ok(Answer { response, slot });
                }
                Ok(response) => {
                    let status = response.status();
                    let retryable = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
                    if !retryable || attempt >= self.config.retries {
                        return Err(FetchError::Status { url: url.clone(), status: status.as_u16() });
                    }
                    match retry_after(&response) {
                        Some(wait) if wait > self.config.max_retry_after => {
                            return Err(FetchError::RetryLater {
                                url: url.clone(),
                                status: status.as_u16(),
                                seconds: wait.as_secs(),
                            });
                        }
                        Some(wait) => wait,
                        None => self.backoff(attempt),
                    }
                }
                Err(e) if (e.is_timeout() || e.is_connect()) && attempt < self.config.retries => self.backoff(attempt),
                Err(e) => return Err(FetchError::Request { url: url.clone(), reason: describe(&e) }),
            };
            // An error's body is never read, and the wait before a retry holds no permit.
            drop(slot);
            attempt += 1;
            tracing::debug!(url = %url, attempt, wait_ms = retry_in.as_millis() as u64, "retrying");
            tokio::time::sleep(retry_in).await;
        }
    }

    /// `retry_base × 2^attempt`, plus up to 50% jitter so retries from many sources spread out.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.config.retry_base.saturating_mul(1 << attempt.min(10));
        base + base.mul_f64(fastrand::f64() * 0.5)
    }

    /// What the requests to `url`'s host are doing now.
    pub fn host_load(&self, url: &Url) -> HostLoad {
        let hosts = self.hosts.lock().expect("hosts lock is never poisoned");
        hosts.get(&origin(url)).map_or(HostLoad::default(), |host| HostLoad {
            in_flight: host.cap.saturating_sub(host.in_flight.available_permits()),
            waiting: host.waiting.load(std::sync::atomic::Ordering::SeqCst),
        })
    }

    /// Waits for the host's next pacing slot and an in-flight permit.
    async fn slot(&self, url: &Url) -> tokio::sync::OwnedSemaphorePermit {
        let (wait, in_flight, waiting) = {
            let mut hosts = self.hosts.lock().expect("hosts lock is never poisoned");
            let host = self.host(&mut hosts, url);
            let now = Instant::now();
            let start = host.next_slot.max(now);
            host.next_slot = start + self.config.min_interval;
            (start - now, host.in_flight.clone(), host.waiting.clone())
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        // Counted down on drop: a run stopped while it waits is no longer waiting.
        struct Waiting(Arc<std::sync::atomic::AtomicUsize>);
        impl Drop for Waiting {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
        waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _waiting = Waiting(waiting);
        in_flight.acquire_owned().await.expect("the semaphore is never closed")
    }

    fn host<'a>(&self, hosts: &'a mut HashMap<String, Host>, url: &Url) -> &'a mut Host {
        let key = origin(url);
        hosts.entry(key).or_insert_with(|| Host {
            next_slot: Instant::now(),
            in_flight: Arc::new(Semaphore::new(self.config.max_in_flight)),
            cap: self.config.max_in_flight,
            waiting: Arc::default(),
            robots: None,
        })
    }

    /// RFC 9309: a robots.txt that answers 4xx allows everything; one that cannot be read
    /// (5xx, no connection) forbids everything until it can.
    async fn check_robots(&self, url: &Url) -> Result<(), FetchError> {
        if !self.config.obey_robots {
            return Ok(());
        }
        let cached = {
            let mut hosts = self.hosts.lock().expect("hosts lock is never poisoned");
            self.host(&mut hosts, url).robots.clone().filter(|(at, _)| at.elapsed() < ROBOTS_TTL)
        };
        let robots = match cached {
            Some((_, robots)) => robots,
            None => {
                let robots_url = url.join("/robots.txt").map_err(|_| FetchError::NotWeb { url: url.clone() })?;
                let unreachable =
                    |e: reqwest::Error| FetchError::Request { url: robots_url.clone(), reason: describe(&e) };
                // Retried like any request: the first request to a host is often this one, and
                // a refused connection or a 5xx here is as passing as anywhere.
                let mut attempt = 0;
                let (answer, slot) = loop {
                    let slot = self.slot(url).await;
                    let outcome = self.client.get(robots_url.clone()).send().await;
                    let retryable = match &outcome {
                        Ok(r) => r.status().is_server_error() || r.status() == StatusCode::TOO_MANY_REQUESTS,
                        Err(e) => e.is_timeout() || e.is_connect(),
                    };
                    if !retryable || attempt >= self.config.retries {
                        // Kept until robots.txt's body is read, like any body.
                        break (outcome, slot);
                    }
                    drop(slot);
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                };
                let (robots, unreadable) = {
                    match answer {
                        Ok(r) if r.status().is_success() => match r.bytes().await {
                            Ok(body) => (Robots::parse(&body, self.agent.as_str()), None),
                            Err(e) => (Robots::disallow_all(), Some(describe(&e))),
                        },
                        Ok(r) if r.status().is_client_error() => (Robots::allow_all(), None),
                        Ok(r) => (Robots::disallow_all(), Some(format!("HTTP {}", r.status().as_u16()))),
                        // The portal itself is unreachable: say so, not "disallowed".
                        Err(e) => return Err(unreachable(e)),
                    }
                };
                drop(slot);
                let robots = Arc::new(robots);
                // An unreadable robots.txt is asked again next time rather than trusted for an hour.
                if unreadable.is_none() {
                    let mut hosts = self.hosts.lock().expect("hosts lock is never poisoned");
                    self.host(&mut hosts, url).robots = Some((Instant::now(), robots.clone()));
                }
                if let Some(reason) = unreadable {
                    return Err(FetchError::Robots { url: url.clone(), detail: format!(" (unreadable: {reason})") });
                }
                robots
            }
        };
        if robots.is_url_allowed(url) {
            Ok(())
        } else {
            Err(FetchError::Robots { url: url.clone(), detail: String::new() })
        }
    }
}

/// Gives `host` `cap` in-flight permits. Fewer: the free ones go now, the rest as the requests
/// holding them end (a task takes them back), so a smaller cap holds once they have.
fn resize(host: &mut Host, cap: usize) {
    if cap > host.cap {
        host.in_flight.add_permits(cap - host.cap);
    } else if cap < host.cap {
        let excess = host.cap - cap;
        let owed = excess - host.in_flight.forget_permits(excess);
        if owed > 0 {
            let in_flight = host.in_flight.clone();
            tokio::spawn(async move {
                if let Ok(permits) = in_flight.acquire_many_owned(owed as u32).await {
                    permits.forget();
                }
            });
        }
    }
    host.cap = cap;
}

fn origin(url: &Url) -> String {
    format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default().to_ascii_lowercase())
        + &url.port().map(|p| format!(":{p}")).unwrap_or_default()
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = header(response, RETRY_AFTER)?;
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    Some((at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO))
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// reqwest's Display hides the cause ("error sending request"); the chain says what happened.
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() { "timed out".to_string() } else { error.to_string() };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(cap: usize) -> Host {
        Host {
            next_slot: Instant::now(),
            in_flight: Arc::new(Semaphore::new(cap)),
            cap,
            waiting: Arc::default(),
            robots: None,
        }
    }

    #[test]
    fn a_reload_resizes_the_in_flight_cap_of_hosts_already_asked() {
        let mut h = host(2);
        let held = h.in_flight.clone().try_acquire_owned().unwrap();
        resize(&mut h, 1);
        assert_eq!(h.in_flight.available_permits(), 0, "the free permit went at once");
        drop(held);
        assert_eq!(h.in_flight.available_permits(), 1);
        resize(&mut h, 3);
        assert_eq!((h.in_flight.available_permits(), h.cap), (3, 3));
    }
}
