//! Rendering the feed of all sources over a large store: 50 sources × 1,000 stored items
//! (50,000 rows): the re-render after one source changed; then what a reader costs, as an
//! in-process lookup of the rendered document (no HTTP) and as a real request over loopback
//! (one keep-alive connection, `Accept-Encoding: gzip`, the client's own work included).

use std::sync::Arc;

use bantin::config::{Config, FeedDef};
use bantin::model::{Article, Format, vietnam};
use bantin::serve::Feeds;
use bantin::store::Store;
use chrono::TimeZone;
use criterion::{Criterion, criterion_group, criterion_main};
use url::Url;

const SOURCES: usize = 50;
const ITEMS: usize = 1000;

fn setup() -> (tempfile::TempDir, Feeds) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("bench.sqlite")).unwrap());
    let base = Url::parse("http://127.0.0.1:9/").unwrap();
    let start = vietnam().with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut feeds = Vec::new();
    for s in 0..SOURCES {
        let name = format!("source-{s}");
        let articles: Vec<Article> = (0..ITEMS)
            .map(|i| Article {
                url: Url::parse(&format!("https://portal-{s}.example/Pages/a.aspx?ItemID={i}")).unwrap(),
                id: None,
                title: format!("Tin số {i} của nguồn {s}"),
                published: Some(start + chrono::Duration::minutes((i * SOURCES + s) as i64)),
                summary: Some("Tóm tắt bài viết về kinh tế - xã hội của tỉnh.".into()),
                author: Some("Thu Cúc".into()),
                image: None,
                caption: None,
                categories: vec!["Tin tức".into()],
                content_html: "<p>Nội dung bài viết về kinh tế - xã hội của tỉnh trong quý I.</p>".repeat(8),
                content_text: "Nội dung".into(),
            })
            .collect();
        store.save(&name, &articles, start + chrono::Duration::days(400)).unwrap();
        let mut def = FeedDef::sample(&base);
        def.name = name;
        feeds.push(def);
    }
    let mut config = Config::defaults("127.0.0.1:9".parse().unwrap(), dir.path().join("bench.sqlite"), feeds);
    config.public_url = base;
    config.title = "bench".into();
    let feeds = Feeds::new(store, &config, Default::default());
    (dir, feeds)
}

fn merging(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_dir, feeds) = setup();
    let mut group = c.benchmark_group("all-feeds-50x1000");
    group.sample_size(20);
    runtime.block_on(feeds.warm()).unwrap();
    // What the write path pays after a scrape changed one source: its feed and the feed of all
    // sources in three formats each (query, filter, de-duplicate, render, gzip, brotli), their
    // counts, and the index.
    group.bench_function("one-source-changed", |b| b.iter(|| runtime.block_on(feeds.changed("source-0")).unwrap()));
    group.bench_function("in-process-lookup", |b| {
        b.iter(|| runtime.block_on(feeds.rendered("all", Format::Rss, 1)).unwrap().unwrap())
    });
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/feeds/all.rss", listener.local_addr().unwrap());
    let server = feeds.clone();
    runtime.spawn(async move { bantin::serve::run(listener, server, std::future::pending()).await });
    // One connection kept alive, as a feed reader polling many feeds of one site does.
    let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    group.bench_function("request-over-loopback", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let response = client.get(&url).header("accept-encoding", "gzip").send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, merging);
criterion_main!(benches);
