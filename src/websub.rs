//! WebSub (W3C Recommendation, 2018): bantin as the hub of its own feeds. A site that
//! aggregates a feed subscribes once (§5.1) and gets each new version POSTed to its callback
//! the moment the feed changes (§7), signed with its secret when it gave one; no polling.
//! Intent is verified by a GET to the callback with a challenge before anything is stored
//! (§5.3). Subscriptions live in SQLite with their lease. Callbacks are refused on internal
//! addresses (unless `allow_networks` says otherwise): a hub that POSTs wherever it is told is a
//! way into the machine's network. Each delivery is its own task with its own retries, so a
//! slow or dead subscriber delays no other and no scrape.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hmac::{Hmac, Mac};
use url::Url;

use crate::config::{Config, WebsubConfig};
use crate::metrics::{Metrics, ResultLabels};
use crate::store::{Store, Subscription};

/// Why a subscription request was refused (each an HTTP 4xx with the reason as body).
#[derive(Debug, thiserror::Error)]
pub enum WebsubError {
    /// A parameter is missing or malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The topic is not a feed this hub publishes (§5.2 denial).
    #[error("unknown topic: {0}")]
    UnknownTopic(String),
    /// The callback is on an address this hub does not send to.
    #[error("callback refused: {0}")]
    Callback(String),
    /// The hub holds as many subscriptions as it allows.
    #[error("too many subscriptions")]
    Full,
    /// The built-in hub is turned off (`websub.enabled = false`).
    #[error("this server is not a WebSub hub")]
    Disabled,
}

/// Largest request the hub reads; a subscription is a few hundred bytes.
const MAX_REQUEST_BYTES: usize = 16 * 1024;
/// WebSub §5.1: a secret MUST be less than 200 bytes.
const MAX_SECRET_BYTES: usize = 199;
const MAX_URL_BYTES: usize = 2048;

/// The hub: its settings, the topics it serves, and the client it calls subscribers with.
pub struct Hub {
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    /// Shared with the client's resolver, which applies `allow_networks` at connect time.
    config: Arc<RwLock<WebsubConfig>>,
    /// Every feed URL that may be subscribed to (page 1 of each feed in each format).
    topics: RwLock<Vec<String>>,
    client: reqwest::Client,
    /// Delivery attempts after the first, and the first wait (doubling): `[fetch]`'s retry policy.
    retries: u32,
    retry_base: Duration,
    /// The hub's own URL, for `Link` headers.
    url: String,
    /// Verifications and deliveries started and not yet finished.
    pending: AtomicUsize,
}

impl Hub {
    pub fn new(store: Arc<Store>, config: &Config, metrics: Arc<Metrics>) -> Result<Arc<Hub>, reqwest::Error> {
        let settings = Arc::new(RwLock::new(config.websub.clone()));
        let client = reqwest::Client::builder()
            // The addresses a name resolves to are checked when the connection is made, so a
            // name that moved to an internal address after its check (DNS rebinding) is refused.
            .dns_resolver(Arc::new(CallbackResolver { config: settings.clone() }))
            .user_agent(config.fetch.user_agent.clone())
            .timeout(config.fetch.timeout)
            .connect_timeout(config.fetch.connect_timeout)
            // A redirect could lead anywhere, past the address check.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Arc::new(Hub {
            store,
            metrics,
            config: settings,
            topics: RwLock::new(Vec::new()),
            client,
            retries: config.fetch.retries,
            retry_base: config.fetch.retry_base,
            url: hub_url(&config.public_url),
            pending: AtomicUsize::new(0),
        }))
    }

    /// Takes a reloaded config's settings and the topics of its feeds.
    pub fn reconfigure(&self, websub: &WebsubConfig, topics: Vec<String>) {
        *self.config.write().expect("config lock") = websub.clone();
        *self.topics.write().expect("topics lock") = topics;
    }

    /// `POST /websub`.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/websub", post(request))
            .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
            .with_state(self.clone())
    }

    /// A (un)subscription request: checked now, verified with the subscriber in the background.
    async fn request(self: &Arc<Self>, form: HashMap<String, String>) -> Result<(), WebsubError> {
        if !self.config.read().expect("config lock").enabled {
            return Err(WebsubError::Disabled);
        }
        let field = |name: &str| form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let mode = field("hub.mode").ok_or_else(|| WebsubError::BadRequest("hub.mode missing".into()))?;
        if mode != "subscribe" && mode != "unsubscribe" {
            return Err(WebsubError::BadRequest(format!("hub.mode `{mode}`: subscribe or unsubscribe")));
        }
        let topic = field("hub.topic").ok_or_else(|| WebsubError::BadRequest("hub.topic missing".into()))?;
        if !self.topics.read().expect("topics lock").iter().any(|t| t == topic) {
            return Err(WebsubError::UnknownTopic(topic.to_string()));
        }
        let callback = field("hub.callback").ok_or_else(|| WebsubError::BadRequest("hub.callback missing".into()))?;
        if callback.len() > MAX_URL_BYTES {
            return Err(WebsubError::BadRequest("hub.callback too long".into()));
        }
        let callback = Url::parse(callback).map_err(|e| WebsubError::BadRequest(format!("hub.callback: {e}")))?;
        let secret = field("hub.secret").map(str::to_string);
        if secret.as_ref().is_some_and(|s| s.len() > MAX_SECRET_BYTES) {
            return Err(WebsubError::BadRequest("hub.secret must be under 200 bytes".into()));
        }
        let config = self.config.read().expect("config lock").clone();
        let lease = match field("hub.lease_seconds") {
            None => config.lease,
            Some(n) => Duration::from_secs(
                n.parse::<u64>().map_err(|_| WebsubError::BadRequest("hub.lease_seconds: not a number".into()))?,
            ),
        }
        .clamp(Duration::from_secs(1), config.max_lease);
        // Last: it resolves the callback's name.
        self.check_callback(&callback).await.map_err(WebsubError::Callback)?;
        if mode == "subscribe" {
            // Refused now rather than after the subscriber proved its intent.
            let store = self.store.clone();
            let existing = tokio::task::spawn_blocking(move || store.subscriptions(now()))
                .await
                .map_err(|e| WebsubError::BadRequest(e.to_string()))?
                .map_err(|e| WebsubError::BadRequest(e.to_string()))?;
            let renewal = existing.iter().any(|s| s.callback == callback.as_str() && s.topic == topic);
            if !renewal && existing.len() >= config.max_subscriptions {
                return Err(WebsubError::Full);
            }
        }
        let (mode, topic) = (mode.to_string(), topic.to_string());
        let hub = self.clone();
        self.background(async move { hub.verify(&mode, callback, topic, secret, lease).await });
        Ok(())
    }

    /// §5.3: the subscriber confirms by echoing a challenge; only then is anything stored.
    async fn verify(&self, mode: &str, callback: Url, topic: String, secret: Option<String>, lease: Duration) {
        let challenge = format!("{:032x}", fastrand::u128(..));
        let mut url = callback.clone();
        url.query_pairs_mut()
            .append_pair("hub.mode", mode)
            .append_pair("hub.topic", &topic)
            .append_pair("hub.challenge", &challenge)
            .append_pair("hub.lease_seconds", &lease.as_secs().to_string());
        let confirmed = match self.client.get(url).send().await {
            Ok(r) if r.status().is_success() => r.text().await.is_ok_and(|body| body.trim() == challenge),
            _ => false,
        };
        if !confirmed {
            tracing::info!(callback = %callback, topic, mode, "subscriber did not confirm; nothing changed");
            return;
        }
        let (max_total, max_per_host) = {
            let config = self.config.read().expect("config lock");
            (config.max_subscriptions, config.max_per_host)
        };
        let store = self.store.clone();
        let callback_text = callback.to_string();
        let result = match mode {
            "subscribe" => {
                let sub = Subscription {
                    callback: callback_text,
                    topic: topic.clone(),
                    secret,
                    expires: now() + lease.as_secs() as i64,
                    last_error: None,
                };
                tokio::task::spawn_blocking(move || store.subscribe(&sub, max_total, max_per_host)).await
            }
            _ => tokio::task::spawn_blocking(move || store.unsubscribe(&callback_text, &topic)).await,
        };
        match result {
            Ok(Ok(true)) => tracing::info!(callback = %callback, mode, "subscription confirmed"),
            Ok(Ok(false)) => tracing::warn!(callback = %callback, mode, "subscription not stored: limits reached"),
            Ok(Err(e)) => tracing::error!(error = %e, "cannot store a subscription"),
            Err(e) => tracing::error!(error = %e, "subscription task failed"),
        }
    }

    /// A callback must be http(s) and resolve only to addresses the hub may send to.
    async fn check_callback(&self, callback: &Url) -> Result<(), String> {
        if !crate::model::is_web_url(callback) {
            return Err(format!("{callback}: not an http(s) URL"));
        }
        let host = callback.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
        let port = callback.port_or_known_default().unwrap_or(80);
        let addrs: Vec<IpAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("{host}: {e}"))?
            .map(|a| a.ip())
            .collect();
        let config = self.config.read().expect("config lock");
        match addrs.iter().find(|ip| !allowed(&config, **ip)) {
            _ if addrs.is_empty() => Err(format!("{host} does not resolve")),
            Some(ip) => Err(format!("{host} is on {ip}, an internal address (see websub.allow_networks)")),
            None => Ok(()),
        }
    }

    /// After a change: the new `body` of `topic` to each of its subscribers, each in its own
    /// task (none while the hub is off).
    pub async fn distribute(self: &Arc<Self>, topic: String, content_type: &'static str, body: Bytes) {
        if !self.config.read().expect("config lock").enabled {
            return;
        }
        let store = self.store.clone();
        let lookup = topic.clone();
        let subscribers = match tokio::task::spawn_blocking(move || store.subscribers(&lookup, now())).await {
            Ok(Ok(subscribers)) => subscribers,
            Ok(Err(e)) => return tracing::error!(error = %e, "cannot read subscriptions"),
            Err(e) => return tracing::error!(error = %e, "subscription task failed"),
        };
        for sub in subscribers {
            let (hub, body) = (self.clone(), body.clone());
            self.background(async move { hub.deliver(sub, content_type, body).await });
        }
    }

    /// Calls to subscribers (verifications, deliveries) started and not yet finished: zero
    /// once everything a request or a change set off has ended, retries included.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    /// Runs `call` as its own task, counted in [`Hub::pending`] from before it is spawned.
    fn background(self: &Arc<Self>, call: impl Future<Output = ()> + Send + 'static) {
        /// Uncounts the call however its task ends (a panic included).
        struct Done(Arc<Hub>);
        impl Drop for Done {
            fn drop(&mut self) {
                self.0.pending.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.pending.fetch_add(1, Ordering::SeqCst);
        let done = Done(self.clone());
        tokio::spawn(async move {
            call.await;
            drop(done);
        });
    }

    /// §7: POST the feed, its type, the `Link` header and, with a secret, its HMAC-SHA256;
    /// retried with backoff, then dropped and counted.
    async fn deliver(&self, sub: Subscription, content_type: &'static str, body: Bytes) {
        let count = |result: &str| {
            self.metrics.websub_deliveries.get_or_create(&ResultLabels { result: result.into() }).inc();
        };
        let signature = sub.secret.as_ref().map(|secret| {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
            mac.update(&body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        });
        let link = format!("<{}>; rel=\"hub\", <{}>; rel=\"self\"", self.url, sub.topic);
        let mut attempt = 0;
        let error = loop {
            let outcome = match Url::parse(&sub.callback) {
                Ok(url) => match self.check_callback(&url).await {
                    // Addresses are checked at each delivery: a name can move.
                    Err(reason) => Err(reason),
                    Ok(()) => {
                        let mut request = self
                            .client
                            .post(url)
                            .header(reqwest::header::CONTENT_TYPE, content_type)
                            .header(reqwest::header::LINK, &link)
                            .body(body.clone());
                        if let Some(signature) = &signature {
                            request = request.header("X-Hub-Signature", signature);
                        }
                        match request.send().await {
                            Ok(r) if r.status().is_success() => Ok(()),
                            Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
                            Err(e) => Err(e.to_string()),
                        }
                    }
                },
                Err(e) => Err(e.to_string()),
            };
            match outcome {
                Ok(()) => break None,
                Err(e) if attempt >= self.retries => break Some(e),
                Err(_) => {
                    count("retried");
                    tokio::time::sleep(self.retry_base.saturating_mul(1 << attempt.min(10))).await;
                    attempt += 1;
                }
            }
        };
        match &error {
            None => count("ok"),
            Some(e) => {
                count("dropped");
                tracing::warn!(callback = %sub.callback, topic = %sub.topic, error = %e, "delivery dropped");
            }
        }
        let store = self.store.clone();
        let _ = tokio::task::spawn_blocking(move || store.delivered(&sub.callback, &sub.topic, error.as_deref())).await;
    }

    /// Tells each external hub (`websub.hubs`) that `topics` changed (`hub.mode=publish`).
    pub async fn ping_external(&self, topics: &[String]) {
        let hubs = self.config.read().expect("config lock").hubs.clone();
        for hub in hubs {
            for topic in topics {
                let ping = self.client.post(hub.clone()).form(&[("hub.mode", "publish"), ("hub.url", topic.as_str())]);
                if let Err(e) = ping.send().await.and_then(|r| r.error_for_status()) {
                    tracing::warn!(hub = %hub, topic, error = %e, "hub not pinged");
                }
            }
        }
    }
}

/// Resolves callbacks' names to the addresses the hub may send to, none other.
struct CallbackResolver {
    config: Arc<RwLock<WebsubConfig>>,
}

impl reqwest::dns::Resolve for CallbackResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let config = self.config.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<std::net::SocketAddr> = {
                let config = config.read().expect("config lock");
                found.into_iter().filter(|a| allowed(&config, a.ip())).collect()
            };
            if kept.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} resolves only to addresses the hub does not send to").into();
                return Err(refused);
            }
            let addrs: reqwest::dns::Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// The built-in hub's URL under `public_url`.
pub fn hub_url(public_url: &Url) -> String {
    format!("{}/websub", public_url.as_str().trim_end_matches('/'))
}

/// The hubs every feed names: bantin's own (when enabled) and the configured ones.
pub fn hubs(config: &Config) -> Vec<String> {
    let own = config.websub.enabled.then(|| hub_url(&config.public_url));
    own.into_iter().chain(config.websub.hubs.iter().map(Url::to_string)).collect()
}

fn allowed(config: &WebsubConfig, ip: IpAddr) -> bool {
    !crate::fetch::is_internal(ip) || config.allow_networks.iter().any(|(net, bits)| in_network(ip, *net, *bits))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

fn now() -> i64 {
    crate::model::now().timestamp()
}

async fn request(State(hub): State<Arc<Hub>>, Form(form): Form<HashMap<String, String>>) -> Response {
    match hub.request(form).await {
        // §5.2: accepted, verified asynchronously.
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e @ WebsubError::Full) => (StatusCode::TOO_MANY_REQUESTS, e.to_string()).into_response(),
        Err(e @ WebsubError::Disabled) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
        Err(e @ WebsubError::Callback(_)) => (StatusCode::FORBIDDEN, e.to_string()).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_contain_their_addresses() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_network(ip("10.1.2.3"), ip("10.0.0.0"), 8));
        assert!(!in_network(ip("11.1.2.3"), ip("10.0.0.0"), 8));
        assert!(in_network(ip("127.0.0.1"), ip("127.0.0.1"), 32));
        assert!(in_network(ip("fd00::1"), ip("fd00::"), 8));
        assert!(in_network(ip("1.2.3.4"), ip("0.0.0.0"), 0));
        assert!(!in_network(ip("::1"), ip("127.0.0.1"), 32));
        let config = WebsubConfig::default();
        assert!(!allowed(&config, ip("127.0.0.1")) && !allowed(&config, ip("169.254.169.254")));
        assert!(allowed(&config, ip("8.8.8.8")));
        let open = WebsubConfig { allow_networks: vec![(ip("127.0.0.0"), 8)], ..config };
        assert!(allowed(&open, ip("127.0.0.1")) && !allowed(&open, ip("192.168.1.1")));
    }
}
