//! The read path under concurrent readers and changing sources, on the real server over a real
//! SQLite file: one render per document per change, only what changed re-rendered, no request
//! waiting behind a writer. Counts renders; never measures time.

use std::sync::Arc;

use bantin::config::{Config, FeedDef};
use bantin::model::{Article, Format, vietnam};
use bantin::serve::Feeds;
use bantin::store::Store;
use chrono::TimeZone;
use url::Url;

/// Two sources, `a` and `b`, with `n` articles each; the feed of all shows 5 per page.
struct Site {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    feeds: Feeds,
    base: Url,
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

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    vietnam().with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

async fn site(n: u32) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("bantin.sqlite");
    let store = Arc::new(Store::open(&database).unwrap());
    let portal = Url::parse("http://127.0.0.1:9/").unwrap();
    let mut defs = Vec::new();
    for name in ["a", "b"] {
        store.save(name, &(1..=n).map(|i| article(name, i)).collect::<Vec<_>>(), now()).unwrap();
        let mut def = FeedDef::sample(&portal);
        def.name = name.into();
        defs.push(def);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = Config::defaults(addr, database, defs);
    config.all_limit = 5;
    let feeds = Feeds::new(store.clone(), &config, Default::default());
    let server = feeds.clone();
    tokio::spawn(async move { bantin::serve::run(listener, server, std::future::pending()).await.unwrap() });
    Site { _dir: dir, store, feeds, base: Url::parse(&format!("http://{addr}/")).unwrap() }
}

async fn get(url: &Url, etag: Option<&str>) -> (u16, Option<String>) {
    let client = reqwest::Client::new();
    let mut request = client.get(url.clone());
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let response = request.send().await.unwrap();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_string());
    (response.status().as_u16(), etag)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_for_a_cold_document_share_one_render() {
    let site = site(12).await;
    for (path, expected_status) in [("feeds/all.rss", 200), ("feeds/all.atom?page=2", 200), ("feeds/a.json", 200)] {
        let url = site.base.join(path).unwrap();
        let before = site.feeds.renders();
        let requests: Vec<_> = (0..32)
            .map(|_| {
                tokio::spawn({
                    let url = url.clone();
                    async move { get(&url, None).await }
                })
            })
            .collect();
        let mut etags = Vec::new();
        for r in requests {
            let (status, etag) = r.await.unwrap();
            assert_eq!(status, expected_status, "{path}");
            etags.push(etag.unwrap());
        }
        assert_eq!(site.feeds.renders() - before, 1, "{path}: 32 concurrent requests, one render");
        assert!(etags.windows(2).all(|w| w[0] == w[1]), "{path}: every request got the same document");
        // And later requests are served from memory.
        get(&url, None).await;
        assert_eq!(site.feeds.renders() - before, 1, "{path}: cached");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_one_source_leaves_the_other_sources_documents_alone() {
    let site = site(3).await;
    site.feeds.warm().await.unwrap();
    let url = |path: &str| site.base.join(path).unwrap();
    let (_, b_before) = get(&url("feeds/b.rss"), None).await;
    let (_, a_before) = get(&url("feeds/a.rss"), None).await;
    let (_, all_before) = get(&url("feeds/all.rss"), None).await;
    let (_, index_before) = get(&url(""), None).await;
    let warm = site.feeds.renders();

    // What the daemon does after a run stored something new for `a`.
    site.store.save("a", &[article("a", 4)], now()).unwrap();
    site.feeds.changed("a").await.unwrap();
    // a's three formats and its page, all's the same, the index (English pages wait for a
    // reader who asks); nothing of b.
    assert_eq!(site.feeds.renders() - warm, 9);

    let b_before = b_before.unwrap();
    assert_eq!(get(&url("feeds/b.rss"), Some(&b_before)).await.0, 304, "b unchanged: its readers keep getting 304");
    assert_eq!(get(&url("feeds/b.rss"), None).await.1.unwrap(), b_before);
    for (path, before) in [("feeds/a.rss", a_before), ("feeds/all.rss", all_before), ("", index_before)] {
        let (status, now) = get(&url(path), before.as_deref()).await;
        assert_eq!(status, 200, "/{path} changed");
        assert_ne!(now, before, "/{path} has a new ETag");
    }
    assert_eq!(site.feeds.renders() - warm, 9, "readers caused no render");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_opml_and_stylesheet_are_cached_documents_with_validators() {
    let site = site(3).await;
    site.feeds.warm().await.unwrap();
    let warm = site.feeds.renders();
    let client = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
    for path in ["", "opml", "feed.xsl"] {
        let url = site.base.join(path).unwrap();
        let first = client.get(url.clone()).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(first.status(), 200, "/{path}");
        assert_eq!(first.headers()["content-encoding"], "gzip", "/{path}");
        assert!(first.headers()["cache-control"].to_str().unwrap().starts_with("public, max-age="), "/{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        let again = client.get(url).header("accept-encoding", "gzip").header("if-none-match", &etag).send().await;
        assert_eq!(again.unwrap().status(), 304, "/{path} answers 304 to its ETag");
    }
    let index = client.get(site.base.clone()).send().await.unwrap();
    assert_eq!(index.headers()["last-modified"], "Mon, 01 Jan 2024 04:00:00 GMT", "the newest item's time");
    let since = client.get(site.base.clone()).header("if-modified-since", "Monday, 01-Jan-24 04:00:00 GMT");
    assert_eq!(since.send().await.unwrap().status(), 304, "RFC 850 date form");
    assert_eq!(site.feeds.renders(), warm, "all from memory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_pages_past_the_end_are_404_without_a_render() {
    let site = site(12).await;
    site.feeds.warm().await.unwrap();
    let warm = site.feeds.renders();
    // 24 items, 5 per page: pages 1 to 5.
    assert_eq!(get(&site.base.join("feeds/all.rss?page=5").unwrap(), None).await.0, 200);
    assert_eq!(site.feeds.renders(), warm + 1);
    for page in [6, 500, 4_000_000_000u32] {
        assert_eq!(get(&site.base.join(&format!("feeds/all.rss?page={page}")).unwrap(), None).await.0, 404);
    }
    assert_eq!(get(&site.base.join("feeds/a.rss?page=2").unwrap(), None).await.0, 404, "a has one page of 50");
    assert_eq!(site.feeds.renders(), warm + 1, "no render for a page past the end");
    // A page just rendered is dropped when its feed changes, then rendered afresh.
    site.store.save("b", &[article("b", 13)], now()).unwrap();
    site.feeds.changed("b").await.unwrap();
    let after_change = site.feeds.renders();
    assert_eq!(get(&site.base.join("feeds/all.rss?page=5").unwrap(), None).await.0, 200);
    assert_eq!(site.feeds.renders(), after_change + 1, "history of a changed feed is rendered again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_do_not_wait_for_another_writer() {
    let site = site(12).await;
    // Another process (a `bantin scrape`) holds a write transaction open.
    let other = rusqlite::Connection::open(site._dir.path().join("bantin.sqlite")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; UPDATE articles SET title = 'pending' WHERE source = 'a';").unwrap();
    let (status, _) = get(&site.base.join("feeds/a.rss").unwrap(), None).await;
    assert_eq!(status, 200);
    let health = reqwest::get(site.base.join("readyz").unwrap()).await.unwrap();
    assert_eq!(health.status(), 200);
    let body = reqwest::get(site.base.join("feeds/a.rss").unwrap()).await.unwrap().text().await.unwrap();
    assert!(!body.contains("pending"), "readers see the last committed state");
    other.execute_batch("ROLLBACK").unwrap();
    assert!(site.feeds.rendered("a", Format::Atom, 1).await.unwrap().is_some());
}
