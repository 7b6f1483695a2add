//! README: which requests read SQLite. Page 1 of every feed (each format, and the Vietnamese
//! page), the Vietnamese index, the OPML and the stylesheet are rendered on the write path: no
//! request for them reads the store. History pages, English pages and article pages are read
//! once after each change of a source they show, then served from memory; a change to another
//! source leaves them in memory. On the real server over a real SQLite file; counts the store's
//! reads and the renders, never measures time.

use std::sync::Arc;

use bantin::config::{Config, FeedDef};
use bantin::model::{Article, vietnam};
use bantin::serve::Feeds;
use bantin::store::{Query, Store};
use chrono::TimeZone;
use url::Url;

struct Site {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    feeds: Feeds,
    base: Url,
    client: reqwest::Client,
}

fn article(source: &str, n: u32) -> Article {
    let published = vietnam().with_ymd_and_hms(2024, 1, 1, 8, 0, 0).unwrap() + chrono::Duration::hours(i64::from(n));
    Article {
        url: Url::parse(&format!("https://{source}.example/Pages/a.aspx?ItemID={n}")).unwrap(),
        id: None,
        title: format!("Tin {n} của {source}"),
        published: Some(published),
        summary: Some("Tóm tắt.".into()),
        author: None,
        image: None,
        caption: None,
        categories: Vec::new(),
        content_html: "<p>Nội dung.</p>".into(),
        content_text: "Nội dung.".into(),
    }
}

/// Two sources `a` and `b` with 12 articles each, 5 per page; served on a free port, warmed
/// (what the daemon does before it reports ready).
async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("bantin.sqlite");
    let store = Arc::new(Store::open(&database).unwrap());
    let now = vietnam().with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let portal = Url::parse("http://127.0.0.1:9/").unwrap();
    let mut defs = Vec::new();
    for name in ["a", "b"] {
        store.save(name, &(1..=12).map(|i| article(name, i)).collect::<Vec<_>>(), now).unwrap();
        let mut def = FeedDef::sample(&portal);
        def.name = name.into();
        def.limit = 5;
        defs.push(def);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = Config::defaults(addr, database, defs);
    config.all_limit = 5;
    let feeds = Feeds::new(store.clone(), &config, Default::default());
    feeds.warm().await.unwrap();
    let server = feeds.clone();
    tokio::spawn(async move { bantin::serve::run(listener, server, std::future::pending()).await.unwrap() });
    let base = Url::parse(&format!("http://{addr}/")).unwrap();
    Site { _dir: dir, store, feeds, base, client: reqwest::Client::new() }
}

impl Site {
    /// GETs `path` with `headers`; returns the status.
    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> u16 {
        let mut request = self.client.get(self.base.join(path).unwrap());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        response.bytes().await.unwrap();
        status
    }

    /// The store reads and renders `path` caused.
    async fn cost(&self, path: &str, headers: &[(&str, &str)]) -> (u64, u64) {
        let (reads, renders) = (self.store.reads(), self.feeds.renders());
        assert_eq!(self.get(path, headers).await, 200, "{path} {headers:?}");
        (self.store.reads() - reads, self.feeds.renders() - renders)
    }

    fn number_of(&self, source: &str) -> i64 {
        let query = Query { sources: vec![source.into()], category: None, limit: 1, offset: 0 };
        self.store.items(&query).unwrap()[0].number
    }
}

const BROWSER: (&str, &str) = ("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
const ENGLISH: (&str, &str) = ("accept-language", "en-GB,en;q=0.9");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_documents_never_read_the_store() {
    let site = site().await;
    let mut hot: Vec<(String, Vec<(&str, &str)>)> = Vec::new();
    for feed in ["a", "b", "all"] {
        for ext in ["rss", "atom", "json"] {
            hot.push((format!("feeds/{feed}.{ext}"), vec![]));
            hot.push((format!("feeds/{feed}.{ext}"), vec![("accept-encoding", "gzip, br")]));
        }
        hot.push((format!("feeds/{feed}.rss"), vec![BROWSER]));
    }
    for path in ["", "opml", "feed.xsl"] {
        hot.push((path.to_string(), vec![]));
    }
    for round in 0..2 {
        for (path, headers) in &hot {
            assert_eq!(site.cost(path, headers).await, (0, 0), "{path} {headers:?} (round {round})");
        }
        // After a change the write path renders them again, so they stay free for readers.
        site.feeds.changed("a").await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_documents_read_the_store_once_per_change_of_their_source() {
    let site = site().await;
    let article = format!("articles/{}", site.number_of("a"));
    let cold: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (article.as_str(), vec![]),
        (article.as_str(), vec![ENGLISH]),
        ("feeds/a.rss?page=2", vec![]),
        ("feeds/a.rss", vec![BROWSER, ENGLISH]),
        ("feeds/a.rss?page=2", vec![BROWSER]),
    ];
    for (path, headers) in &cold {
        let (reads, renders) = site.cost(path, headers).await;
        assert!(reads >= 1 && renders == 1, "first request for {path} {headers:?}: {reads} reads, {renders} renders");
        assert_eq!(site.cost(path, headers).await, (0, 0), "second request for {path} {headers:?}");
    }
    // A change to b leaves a's documents in memory: nothing of them changed.
    site.feeds.changed("b").await.unwrap();
    for (path, headers) in &cold {
        assert_eq!(site.cost(path, headers).await, (0, 0), "{path} {headers:?} after a change to b");
    }
    // A change to a (an edit, a new article) reads them again, once.
    site.feeds.changed("a").await.unwrap();
    for (path, headers) in &cold {
        let (reads, renders) = site.cost(path, headers).await;
        assert!(reads >= 1 && renders == 1, "{path} {headers:?} after a change to a: {reads} reads, {renders} renders");
        assert_eq!(site.cost(path, headers).await, (0, 0), "{path} {headers:?} again");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_and_unknown_articles_read_the_store_each_time() {
    let site = site().await;
    for _ in 0..2 {
        let reads = site.store.reads();
        assert_eq!(site.get("readyz", &[]).await, 200);
        assert!(site.store.reads() > reads, "/readyz asks the store each time");
        let reads = site.store.reads();
        assert_eq!(site.get("articles/999999", &[]).await, 404);
        assert!(site.store.reads() > reads, "an unknown article is looked for each time");
    }
}
