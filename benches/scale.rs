//! The read path over a big store: 1,000,000 articles across 100 sources (one with 30,000, the
//! others about 9,800), written through the store's own `save`, kept in
//! `target/bench-data/scale-1m.sqlite` between runs. Prints the time from opening the store to
//! every hot document rendered (what the daemon waits for before it reports ready), then
//! measures a cold history page (`?page=500`), the write path's work after one source changed
//! (its feeds, the feed of all sources, the index), and `/` and page 1 from memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use bantin::config::{Config, FeedDef};
use bantin::model::{Article, Format, vietnam};
use bantin::serve::{Doc, Feeds, Lang};
use bantin::store::Store;
use chrono::TimeZone;
use criterion::{Criterion, criterion_group, criterion_main};
use url::Url;

const SOURCES: usize = 100;
const TOTAL: usize = 1_000_000;
const BIG_SOURCE: usize = 30_000;

fn per_source(s: usize) -> usize {
    if s == 0 { BIG_SOURCE } else { (TOTAL - BIG_SOURCE).div_ceil(SOURCES - 1) }
}

fn article(s: usize, i: usize) -> Article {
    let start = vietnam().with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    Article {
        url: Url::parse(&format!("https://portal-{s}.example/Pages/chi-tiet-tin-tuc.aspx?ItemID={i}")).unwrap(),
        id: None,
        title: format!("Tin số {i} của cổng thông tin {s}: hoạt động kinh tế - xã hội"),
        published: Some(start + chrono::Duration::minutes((i * 7 + s) as i64)),
        summary: Some("Tóm tắt bài viết về tình hình kinh tế - xã hội của tỉnh trong tháng.".into()),
        author: Some("Thu Cúc".into()),
        image: None,
        caption: None,
        categories: vec!["Tin tức - Sự kiện".into()],
        content_html: "<p>Nội dung bài viết về kinh tế - xã hội của tỉnh trong quý I năm nay.</p>".repeat(4),
        content_text: "Nội dung bài viết về kinh tế - xã hội của tỉnh.".into(),
    }
}

/// The store, generated once (a few minutes) and reused.
fn database() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join("scale-1m.sqlite");
    let done = dir.join("scale-1m.done");
    if done.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["scale-1m.sqlite", "scale-1m.sqlite-wal", "scale-1m.sqlite-shm"] {
        let _ = std::fs::remove_file(dir.join(file));
    }
    let started = Instant::now();
    let store = Store::open(&path).unwrap();
    let seen = vietnam().with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for s in 0..SOURCES {
        for chunk in (0..per_source(s)).collect::<Vec<_>>().chunks(5_000) {
            let articles: Vec<Article> = chunk.iter().map(|&i| article(s, i)).collect();
            store.save(&format!("source-{s}"), &articles, seen).unwrap();
        }
    }
    drop(store);
    std::fs::write(&done, "").unwrap();
    eprintln!("generated {TOTAL} articles in {:.0} s", started.elapsed().as_secs_f64());
    path
}

fn config(database: PathBuf) -> Config {
    let portal = Url::parse("http://127.0.0.1:9/").unwrap();
    let feeds = (0..SOURCES)
        .map(|s| {
            let mut def = FeedDef::sample(&portal);
            def.name = format!("source-{s}");
            def
        })
        .collect();
    let mut config = Config::defaults("127.0.0.1:9".parse().unwrap(), database, feeds);
    // Every history request renders: what a cold page costs.
    config.history_cache_bytes = 0;
    config
}

fn scale(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = database();
    let started = Instant::now();
    let store = Arc::new(Store::open(&database).unwrap());
    let feeds = Feeds::new(store, &config(database), Default::default());
    runtime.block_on(feeds.warm()).unwrap();
    eprintln!(
        "start-up to ready over {TOTAL} articles, {SOURCES} sources: {:.2} s ({} documents rendered)",
        started.elapsed().as_secs_f64(),
        feeds.renders()
    );

    let mut group = c.benchmark_group("scale-1m");
    group.sample_size(10);
    group.bench_function("history-page-500-cold", |b| {
        b.iter(|| runtime.block_on(feeds.rendered("source-0", Format::Rss, 500)).unwrap().unwrap())
    });
    group.bench_function("one-source-changed", |b| b.iter(|| runtime.block_on(feeds.changed("source-1")).unwrap()));
    group.bench_function("index-from-memory", |b| {
        b.iter(|| runtime.block_on(feeds.page(Doc::Index { lang: Lang::Vi })).unwrap().unwrap())
    });
    group.bench_function("all-rss-page-1-from-memory", |b| {
        b.iter(|| runtime.block_on(feeds.rendered("all", Format::Rss, 1)).unwrap().unwrap())
    });
    group.finish();
}

criterion_group!(benches, scale);
criterion_main!(benches);
