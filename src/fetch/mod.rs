//! All network I/O toward portals: one HTTP client with an honest User-Agent, per-host pacing,
//! timeouts, a redirect cap and a body-size cap, and charset decoding into a [`Page`].

mod charset;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use url::Url;

use crate::config::FetchConfig;
use crate::extract::PageRequest;
use crate::model::Page;

pub use charset::decode;

/// Why a fetch failed. Every variant names the URL so a log line is enough to act on.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The HTTP client could not be built (bad User-Agent or TLS setup).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// No usable answer: connection refused, DNS, timeout, too many redirects, broken body.
    #[error("{url}: {reason}")]
    Request { url: Url, reason: String },
    /// The server answered with a non-success status.
    #[error("{url}: HTTP {status}")]
    Status { url: Url, status: u16 },
    /// The body exceeded the configured cap and was abandoned.
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: Url, limit: usize },
}

/// What a `HEAD` request says about a resource, for enclosures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub length: Option<u64>,
    pub mime: Option<String>,
}

/// The portal-facing HTTP client. Shared by all sources, so pacing holds per host across them.
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    /// Per host, the earliest instant the next request may start.
    next_slot: Mutex<HashMap<String, Instant>>,
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::limited(config.max_redirects))
            .build()
            .map_err(FetchError::Client)?;
        Ok(Fetcher { client, config, next_slot: Mutex::new(HashMap::new()) })
    }

    /// GETs an HTML page and decodes it (header charset, BOM, `<meta>`, UTF-8; then NFC).
    pub async fn page(&self, url: &Url) -> Result<Page, FetchError> {
        self.fetch(url, self.client.get(url.clone())).await
    }

    /// A list page: a GET, or an ASP.NET postback (a form POST of the page's hidden fields).
    pub async fn list_page(&self, request: &PageRequest) -> Result<Page, FetchError> {
        match request {
            PageRequest::Get(url) => self.page(url).await,
            PageRequest::Post { url, fields } => self.fetch(url, self.client.post(url.clone()).form(fields)).await,
        }
    }

    async fn fetch(&self, url: &Url, request: reqwest::RequestBuilder) -> Result<Page, FetchError> {
        self.pace(url).await;
        let fail = |e: reqwest::Error| FetchError::Request { url: url.clone(), reason: describe(&e) };
        let mut response = request.send().await.map_err(fail)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status { url: url.clone(), status: status.as_u16() });
        }
        let final_url = response.url().clone();
        let content_type = header(&response, CONTENT_TYPE);
        let limit = self.config.max_body_bytes;
        let too_large = || FetchError::TooLarge { url: url.clone(), limit };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Page { url: final_url, html: decode(&body, content_type.as_deref()) })
    }

    /// Asks for an image's size and type without downloading it.
    pub async fn probe(&self, url: &Url) -> Result<Probe, FetchError> {
        self.pace(url).await;
        let response = self
            .client
            .head(url.clone())
            .send()
            .await
            .map_err(|e| FetchError::Request { url: url.clone(), reason: describe(&e) })?;
        if !response.status().is_success() {
            return Err(FetchError::Status { url: url.clone(), status: response.status().as_u16() });
        }
        // `content_length()` is the body's size, which a HEAD response does not have.
        let length = header(&response, CONTENT_LENGTH).and_then(|v| v.parse().ok());
        let mime = header(&response, CONTENT_TYPE)
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .filter(|m| m.contains('/'));
        Ok(Probe { length, mime })
    }

    /// Waits for this host's next slot, so requests to one portal are at least
    /// `min_interval` apart however many sources share it.
    async fn pace(&self, url: &Url) {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let wait = {
            let mut slots = self.next_slot.lock().expect("pacing lock is never poisoned");
            let now = Instant::now();
            let start = slots.get(&host).copied().filter(|t| *t > now).unwrap_or(now);
            slots.insert(host, start + self.config.min_interval);
            start - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
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
