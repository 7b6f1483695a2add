//! README: retention "never deletes an article a feed still shows". On a real SQLite file,
//! with the config loaded from its files: a source with category feeds, a merged feed that
//! filters, and the feed of all sources. Page 1 of every feed must read the same before and
//! after retention, and retention must have deleted exactly what no feed shows.

use std::collections::BTreeSet;
use std::path::Path;

use bantin::config::Config;
use bantin::model::{Article, FeedItem, vietnam};
use bantin::serve::{Published, catalog, page_items};
use bantin::store::Store;
use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use url::Url;

fn start() -> DateTime<FixedOffset> {
    vietnam().with_ymd_and_hms(2024, 1, 1, 8, 0, 0).unwrap()
}

fn article(source: &str, n: i64, title: &str, category: &str) -> Article {
    let published = start() + Duration::hours(n);
    Article {
        url: Url::parse(&format!("https://{source}.example/Pages/a.aspx?ItemID={n}")).unwrap(),
        id: None,
        title: title.into(),
        published: Some(published),
        summary: Some("Tóm tắt.".into()),
        author: None,
        image: None,
        caption: None,
        categories: vec![category.into()],
        content_html: "<p>Nội dung.</p>".into(),
        content_text: "Nội dung.".into(),
    }
}

/// A config of two sources, `src` (two categories, each with its own feed) and `other`, a
/// merged feed of both that keeps only stories about "lễ hội", the feed of all sources; 3 items
/// per page everywhere, `retention` in `src`'s feed file.
fn install(dir: &Path, retention: &str) -> Config {
    std::fs::create_dir_all(dir.join("feeds")).unwrap();
    std::fs::write(dir.join("bantin.toml"), "listen = \"127.0.0.1:9\"\ndatabase = \"bantin.sqlite\"\nall_limit = 3\n")
        .unwrap();
    std::fs::write(
        dir.join("feeds/src.toml"),
        format!(
            r#"name = "src"
title = "Nguồn"
site = "https://src.example/"
profile = "publishing-portal"
list_pages = [
    {{ url = "https://src.example/Pages/kinh-te.aspx", category = "Kinh tế" }},
    {{ url = "https://src.example/Pages/van-hoa.aspx", category = "Văn hóa" }},
]
category_feeds = true
limit = 3
{retention}
"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("feeds/other.toml"),
        "name = \"other\"\ntitle = \"Khác\"\nsite = \"https://other.example/\"\nprofile = \"publishing-portal\"\n\
         list_pages = [\"https://other.example/Pages/tin.aspx\"]\nlimit = 3\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("feeds/le-hoi.toml"),
        "name = \"le-hoi\"\ntitle = \"Lễ hội\"\nsources = [\"src\", \"other\"]\nlimit = 3\n[filter]\ninclude = [\"lễ hội\"]\n",
    )
    .unwrap();
    Config::load_with_env(&dir.join("bantin.toml"), std::iter::empty()).unwrap()
}

/// `src`: 12 articles an hour apart, the newest 6 about the economy, the older 6 about culture
/// (two of the oldest economy ones about a festival); `other`: 2 older ones.
fn fill(store: &Store) {
    let mut src = Vec::new();
    for n in 0..6 {
        src.push(article("src", n, &format!("Văn hóa {n}"), "Văn hóa"));
    }
    src.push(article("src", 6, "Khai mạc lễ hội Lồng Tồng", "Kinh tế"));
    src.push(article("src", 7, "Lễ hội mùa xuân thu hút khách", "Kinh tế"));
    for n in 8..12 {
        src.push(article("src", n, &format!("Kinh tế {n}"), "Kinh tế"));
    }
    let now = start() + Duration::days(400);
    store.save("src", &src, now).unwrap();
    store
        .save("other", &[article("other", 1, "Tin khác 1", "Tin"), article("other", 2, "Tin khác 2", "Tin")], now)
        .unwrap();
}

/// Page 1 of every feed, as (path, article numbers).
fn windows(store: &Store, feeds: &[Published]) -> Vec<(String, Vec<i64>)> {
    feeds
        .iter()
        .map(|f| {
            let items = page_items(store, f, 0, f.query.limit).unwrap();
            (f.path.clone(), items.iter().map(|i: &FeedItem| i.number).collect())
        })
        .collect()
}

fn numbers(store: &Store, source: &str) -> BTreeSet<i64> {
    let query = bantin::store::Query { sources: vec![source.into()], category: None, limit: 1000, offset: 0 };
    store.items(&query).unwrap().iter().map(|i| i.number).collect()
}

fn check(retention: &str, now: DateTime<FixedOffset>) {
    let dir = tempfile::tempdir().unwrap();
    let config = install(dir.path(), retention);
    let store = Store::open(&config.database).unwrap();
    fill(&store);
    let feeds = catalog(&config);
    let paths: Vec<&str> = feeds.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["other", "src", "src/kinh-te", "src/van-hoa", "le-hoi", "all"]);
    let before = windows(&store, &feeds);
    let shown: BTreeSet<i64> = before.iter().flat_map(|(_, n)| n.iter().copied()).collect();
    let src_before = numbers(&store, "src");
    // The case is one where the source's newest items alone would not cover every window.
    let shown_src: BTreeSet<i64> = shown.intersection(&src_before).copied().collect();
    assert!(shown_src.len() > 3, "windows show {shown_src:?}: more than the source's newest three");

    let def = config.feeds.iter().find(|d| d.name == "src").unwrap();
    let deleted = bantin::schedule::retain(&store, def, &feeds, now).unwrap();
    drop(store);

    // Read back through a fresh connection to the file.
    let store = Store::open(&config.database).unwrap();
    assert_eq!(windows(&store, &feeds), before, "page 1 of every feed reads the same after retention");
    let src_after = numbers(&store, "src");
    let gone: BTreeSet<i64> = src_before.difference(&src_after).copied().collect();
    assert_eq!(gone.len(), deleted);
    assert_eq!(src_after, shown_src, "everything no feed shows went, and nothing else");
    assert_eq!(numbers(&store, "other").len(), 2, "another source's articles are not touched");
}

#[test]
fn retain_items_keeps_what_category_and_filtered_merged_feeds_show() {
    check("retain_items = 3", start() + Duration::days(1));
}

#[test]
fn retain_days_keeps_what_every_feed_shows_at_the_given_time() {
    // Forty days on, every article of src is older than the thirty days kept.
    check("retain_days = 30", start() + Duration::days(40));
}
