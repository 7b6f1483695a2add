//! Issue 14: WebSub, with bantin as the hub of its own feeds. Real HTTP on loopback: a
//! subscriber server that answers the hub's challenge and records what it is sent, the hub in
//! bantin's server, scrapes of the sample portal, and the daemon's own after-run step
//! (`bantin::daemon::publish`).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use bantin::config::Config;
use bantin::fetch::Fetcher;
use bantin::metrics::Metrics;
use bantin::sample::SamplePortal;
use bantin::schedule::Runner;
use bantin::serve::Feeds;
use bantin::store::Store;
use bantin::websub::Hub;
use common::{Install, metric};
use hmac::Mac;
use url::Url;

/// What the subscriber server saw.
#[derive(Default)]
struct Seen {
    /// (callback name, query) of each verification.
    verifications: Vec<(String, std::collections::HashMap<String, String>)>,
    /// (callback name, headers, body) of each delivery.
    deliveries: Vec<(String, HeaderMap, Bytes)>,
}

type Shared = Arc<Mutex<Seen>>;

async fn verify(
    State(seen): State<Shared>,
    Path(name): Path<String>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> (StatusCode, String) {
    let challenge = query.get("hub.challenge").cloned().unwrap_or_default();
    seen.lock().unwrap().verifications.push((name.clone(), query));
    if name == "refuses" { (StatusCode::NOT_FOUND, String::new()) } else { (StatusCode::OK, challenge) }
}

async fn receive(State(seen): State<Shared>, Path(name): Path<String>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match name.as_str() {
        // Accepts the connection and never answers.
        "hangs" => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK
        }
        "fails" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => {
            seen.lock().unwrap().deliveries.push((name, headers, body));
            StatusCode::NO_CONTENT
        }
    }
}

/// A subscriber server on loopback; callbacks are `{base}cb/NAME`.
async fn subscriber() -> (Url, Shared) {
    let seen = Shared::default();
    let app = Router::new().route("/cb/{name}", get(verify).post(receive)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

/// bantin with its hub, serving on the install's port; scrapes run in this process.
struct Bantin {
    base: Url,
    config: Config,
    store: Arc<Store>,
    feeds: Feeds,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
}

impl Bantin {
    async fn start(install: &Install) -> Bantin {
        let config = install.load();
        let store = Arc::new(Store::open(&config.database).unwrap());
        let metrics = Arc::new(Metrics::new());
        let feeds = Feeds::new(store.clone(), &config, metrics.clone());
        feeds.warm().await.unwrap();
        let hub = Hub::new(store.clone(), &config, metrics.clone()).unwrap();
        hub.reconfigure(&config.websub, feeds.topics().into_iter().map(|(_, _, t)| t).collect());
        let listener = install.take_listener();
        let (served, routes) = (feeds.clone(), hub.router());
        tokio::spawn(async move { bantin::serve::run_with(listener, served, routes, std::future::pending()).await });
        Bantin { base: install.base.clone(), config, store, feeds, hub, metrics }
    }

    /// One scrape of the sample source, then what the daemon does after a run.
    async fn scrape(&self) -> bool {
        let fetcher = Arc::new(Fetcher::new(self.config.fetch.clone()).unwrap());
        let runner = Runner::new(fetcher, self.store.clone(), self.metrics.clone());
        let report = runner.run(&self.config.feeds[0]).await;
        assert!(!report.failed(), "{:?}", report.errors);
        bantin::daemon::publish(&report, &self.feeds, &self.hub, None).await;
        report.changed()
    }

    async fn hub(&self, form: &[(&str, &str)]) -> (u16, String) {
        let r = reqwest::Client::new().post(self.base.join("websub").unwrap()).form(form).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    fn topic(&self, ext: &str) -> String {
        self.base.join(&format!("feeds/sample.{ext}")).unwrap().to_string()
    }

    fn subscriptions(&self) -> Vec<bantin::store::Subscription> {
        self.store.subscriptions(chrono::Utc::now().timestamp()).unwrap()
    }
}

fn install(portal: &SamplePortal, websub: &str) -> Install {
    let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    let text = std::fs::read_to_string(&install.config).unwrap();
    std::fs::write(&install.config, format!("{text}\n[websub]\n{websub}")).unwrap();
    install
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_gets_each_new_version_signed_and_nothing_when_nothing_changed() {
    let portal = SamplePortal::start().await.unwrap();
    let install = install(&portal, "allow_networks = [\"127.0.0.1\"]\n");
    let bantin = Bantin::start(&install).await;
    let (sub, seen) = subscriber().await;
    let callback = sub.join("cb/reader").unwrap().to_string();
    let topic = bantin.topic("atom");

    let (status, _) = bantin
        .hub(&[("hub.mode", "subscribe"), ("hub.topic", &topic), ("hub.callback", &callback), ("hub.secret", "s3cret")])
        .await;
    assert_eq!(status, 202, "accepted, verified asynchronously");
    eventually("the subscription", async || bantin.subscriptions().len() == 1).await;
    let (name, query) = seen.lock().unwrap().verifications[0].clone();
    assert_eq!(
        (name.as_str(), query["hub.mode"].as_str(), query["hub.topic"].as_str()),
        ("reader", "subscribe", topic.as_str())
    );
    assert_eq!(query["hub.lease_seconds"], "864000", "the default lease");

    assert!(bantin.scrape().await, "the first scrape stores the sample's articles");
    eventually("a delivery", async || !seen.lock().unwrap().deliveries.is_empty()).await;
    let (_, headers, body) = seen.lock().unwrap().deliveries[0].clone();
    assert_eq!(headers["content-type"], "application/atom+xml; charset=utf-8");
    let link = headers["link"].to_str().unwrap();
    assert!(
        link.contains(&format!("<{}websub>; rel=\"hub\"", bantin.base))
            && link.contains(&format!("<{topic}>; rel=\"self\"")),
        "{link}"
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(&body);
    assert_eq!(
        headers["x-hub-signature"].to_str().unwrap(),
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    );
    let served = reqwest::get(&topic).await.unwrap().bytes().await.unwrap();
    assert!(body == served, "the feed as it is served now");
    assert!(String::from_utf8_lossy(&body).matches("<entry>").count() == 12);

    // A run that changed nothing pushes nothing: once every call the hub set off has ended,
    // the subscriber still has the one delivery.
    assert!(!bantin.scrape().await);
    eventually("the hub's calls to end", async || bantin.hub.pending() == 0).await;
    assert_eq!(seen.lock().unwrap().deliveries.len(), 1);
    let metrics = bantin.metrics.encode();
    assert_eq!(metric(&metrics, "bantin_websub_deliveries_total", &[("result", "ok")]), Some(1.0), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_topics_private_callbacks_and_bad_requests_are_refused() {
    let portal = SamplePortal::start().await.unwrap();
    // No allow_networks: loopback callbacks are internal addresses.
    let install = install(&portal, "");
    let bantin = Bantin::start(&install).await;
    let (sub, seen) = subscriber().await;
    let callback = sub.join("cb/reader").unwrap().to_string();
    let topic = bantin.topic("rss");
    let subscribe = |topic: &str, callback: &str| {
        vec![
            ("hub.mode", "subscribe".to_string()),
            ("hub.topic", topic.to_string()),
            ("hub.callback", callback.to_string()),
        ]
    };
    let post = async |form: Vec<(&str, String)>| {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        bantin.hub(&form).await
    };
    let (status, body) = post(subscribe(&topic, &callback)).await;
    assert_eq!(status, 403);
    assert!(body.contains("internal address"), "{body}");
    let (status, body) =
        post(subscribe(bantin.base.join("feeds/nope.rss").unwrap().as_ref(), "https://example.org/cb")).await;
    assert_eq!((status, body.starts_with("unknown topic")), (400, true), "{body}");
    let (status, _) = post(subscribe(&topic, "ftp://example.org/cb")).await;
    assert_eq!(status, 403);
    let (status, _) = post(vec![("hub.mode", "publish".into()), ("hub.topic", topic.clone())]).await;
    assert_eq!(status, 400);
    let long_secret = "x".repeat(200);
    let mut with_secret = subscribe(&topic, "https://example.org/cb");
    with_secret.push(("hub.secret", long_secret));
    assert_eq!(post(with_secret).await.0, 400, "secrets are under 200 bytes");
    let huge = "x".repeat(100_000);
    assert_eq!(post(vec![("hub.mode", huge)]).await.0, 413, "request bodies are bounded");
    // A refusal is the answer, before anything is set off; a call is counted before its task
    // starts, so none pending means none was made.
    assert_eq!(bantin.hub.pending(), 0, "nothing was called");
    assert!(seen.lock().unwrap().verifications.is_empty(), "nothing was called");
    assert!(bantin.subscriptions().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_expire_unsubscribing_ends_deliveries_and_a_refused_challenge_stores_nothing() {
    let portal = SamplePortal::start().await.unwrap();
    let install = install(&portal, "allow_networks = [\"127.0.0.0/8\"]\n");
    let bantin = Bantin::start(&install).await;
    let (sub, seen) = subscriber().await;
    let topic = bantin.topic("json");
    let cb = |name: &str| sub.join(&format!("cb/{name}")).unwrap().to_string();
    let (bantin_ref, topic_ref) = (&bantin, &topic);
    let subscribe = |callback: String, lease: &'static str| async move {
        let form = [
            ("hub.mode", "subscribe"),
            ("hub.topic", topic_ref.as_str()),
            ("hub.callback", callback.as_str()),
            ("hub.lease_seconds", lease),
        ];
        bantin_ref.hub(&form).await.0
    };
    assert_eq!(subscribe(cb("short"), "2").await, 202);
    assert_eq!(subscribe(cb("leaving"), "3600").await, 202);
    assert_eq!(subscribe(cb("refuses"), "3600").await, 202);
    eventually("two subscriptions", async || bantin.subscriptions().len() == 2).await;
    eventually("three verifications", async || seen.lock().unwrap().verifications.len() == 3).await;
    let form = [("hub.mode", "unsubscribe"), ("hub.topic", topic.as_str()), ("hub.callback", &cb("leaving"))];
    assert_eq!(bantin.hub(&form).await.0, 202);
    eventually("the unsubscription", async || bantin.subscriptions().iter().all(|s| !s.callback.ends_with("leaving")))
        .await;
    eventually("the two-second lease to run out", async || bantin.subscriptions().is_empty()).await;
    assert!(bantin.scrape().await);
    eventually("the hub's calls to end", async || bantin.hub.pending() == 0).await;
    assert!(seen.lock().unwrap().deliveries.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_hangs_or_fails_delays_no_other_and_shows_in_readyz() {
    let portal = SamplePortal::start().await.unwrap();
    let install = install(&portal, "allow_networks = [\"127.0.0.1\"]\n");
    let bantin = Bantin::start(&install).await;
    let (sub, seen) = subscriber().await;
    let topic = bantin.topic("rss");
    for name in ["hangs", "fails", "reader"] {
        let callback = sub.join(&format!("cb/{name}")).unwrap().to_string();
        let form = [("hub.mode", "subscribe"), ("hub.topic", topic.as_str()), ("hub.callback", callback.as_str())];
        assert_eq!(bantin.hub(&form).await.0, 202);
    }
    eventually("three subscriptions", async || bantin.subscriptions().len() == 3).await;
    let started = Instant::now();
    assert!(bantin.scrape().await);
    eventually("the good subscriber's delivery", async || !seen.lock().unwrap().deliveries.is_empty()).await;
    // The hanging one holds its connection for the fetch timeout (5 s here); the other came first.
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    // The failing one is retried (fetch.retries, fetch.retry_base_ms), then dropped and reported.
    eventually("the failure in /readyz", async || {
        let body = reqwest::get(bantin.base.join("readyz").unwrap()).await.unwrap().text().await.unwrap();
        body.contains("cb/fails") && body.contains("HTTP 500")
    })
    .await;
    let metrics = bantin.metrics.encode();
    let deliveries = |result: &str| metric(&metrics, "bantin_websub_deliveries_total", &[("result", result)]);
    assert_eq!(deliveries("dropped"), Some(1.0), "{metrics}");
    assert_eq!(deliveries("retried"), Some(2.0), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_survive_a_restart() {
    let portal = SamplePortal::start().await.unwrap();
    let install = install(&portal, "allow_networks = [\"127.0.0.1\"]\n");
    let (sub, seen) = subscriber().await;
    {
        let bantin = Bantin::start(&install).await;
        let callback = sub.join("cb/reader").unwrap().to_string();
        let topic = bantin.topic("atom");
        let form = [("hub.mode", "subscribe"), ("hub.topic", topic.as_str()), ("hub.callback", callback.as_str())];
        assert_eq!(bantin.hub(&form).await.0, 202);
        eventually("the subscription", async || bantin.subscriptions().len() == 1).await;
    }
    // A new store, feeds and hub over the same database file.
    let config = install.load();
    let store = Arc::new(Store::open(&config.database).unwrap());
    let metrics = Arc::new(Metrics::new());
    let feeds = Feeds::new(store.clone(), &config, metrics.clone());
    feeds.warm().await.unwrap();
    let hub = Hub::new(store.clone(), &config, metrics.clone()).unwrap();
    hub.reconfigure(&config.websub, feeds.topics().into_iter().map(|(_, _, t)| t).collect());
    let runner = Runner::new(Arc::new(Fetcher::new(config.fetch.clone()).unwrap()), store.clone(), metrics);
    let report = runner.run(&config.feeds[0]).await;
    bantin::daemon::publish(&report, &feeds, &hub, None).await;
    eventually("a delivery after the restart", async || seen.lock().unwrap().deliveries.len() == 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_feed_names_its_hub() {
    let portal = SamplePortal::start().await.unwrap();
    let install = install(&portal, "hubs = [\"https://hub.example/\"]\n");
    let bantin = Bantin::start(&install).await;
    let hub = format!("{}websub", bantin.base);
    let get = |ext: &str| {
        let url = bantin.topic(ext);
        async move { reqwest::get(url).await.unwrap() }
    };
    let rss = get("rss").await;
    let link = rss.headers()["link"].to_str().unwrap().to_string();
    assert_eq!(
        link,
        format!("<{hub}>; rel=\"hub\", <https://hub.example/>; rel=\"hub\", <{}>; rel=\"self\"", bantin.topic("rss"))
    );
    let rss = rss.text().await.unwrap();
    assert!(rss.contains(&format!("<atom:link href=\"{hub}\" rel=\"hub\"/>")), "{rss}");
    let atom = get("atom").await.text().await.unwrap();
    assert!(atom.contains(&format!("<link href=\"{hub}\" rel=\"hub\"/>")), "{atom}");
    let json: serde_json::Value = serde_json::from_str(&get("json").await.text().await.unwrap()).unwrap();
    assert_eq!(json["hubs"][0], serde_json::json!({"type": "WebSub", "url": hub}));
    assert_eq!(json["hubs"][1]["url"], "https://hub.example/");
}
