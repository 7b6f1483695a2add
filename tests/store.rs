//! The store on a real SQLite file: retention never touches what feeds show, and gives space
//! back without a VACUUM.

use bantin::model::{Article, vietnam};
use bantin::store::{Query, Store};
use chrono::TimeZone;
use url::Url;

fn article(n: u32) -> Article {
    let published = vietnam().with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::days(i64::from(n));
    Article {
        url: Url::parse(&format!("https://portal.example/Pages/a.aspx?ItemID={n}")).unwrap(),
        id: None,
        title: format!("Bài {n}"),
        published: Some(published),
        summary: None,
        author: None,
        image: None,
        caption: None,
        categories: Vec::new(),
        content_html: format!("<p>{}</p>", "nội dung ".repeat(200)),
        content_text: "nội dung".into(),
    }
}

#[test]
fn retention_keeps_the_published_window() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let now = vietnam().with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
    let articles: Vec<Article> = (1..=30).map(article).collect(); // 2 Jan .. 31 Jan
    store.save("src", &articles, now).unwrap();
    let newest = |n: usize| -> Vec<String> {
        store
            .items(&Query { sources: vec!["src".into()], limit: n, ..Query::default() })
            .unwrap()
            .into_iter()
            .map(|i| i.article.title)
            .collect()
    };
    let shown = newest(10);

    // By age: everything before 21 January goes, except what the feed still shows.
    let before = vietnam().with_ymd_and_hms(2024, 1, 21, 0, 0, 0).unwrap();
    assert_eq!(store.prune("src", Some(before), None, 10, &Default::default()).unwrap(), 19, "2..=20 January");
    assert_eq!(store.source_count("src").unwrap(), 11);
    // By count, never below the published window.
    assert_eq!(store.prune("src", None, Some(3), 10, &Default::default()).unwrap(), 1);
    assert_eq!(store.source_count("src").unwrap(), 10);
    assert_eq!(newest(10), shown, "the feed's items are untouched");
    // Neither rule: nothing goes.
    assert_eq!(store.prune("src", None, None, 0, &Default::default()).unwrap(), 0);
    let conn = rusqlite::Connection::open(dir.path().join("s.sqlite")).unwrap();
    let mode: i64 = conn.query_row("PRAGMA auto_vacuum", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, 2, "incremental auto-vacuum");
}

#[test]
fn counts_stop_at_their_cap_and_categories_still_select() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let now = vietnam().with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
    let mut articles: Vec<Article> = (1..=30).map(article).collect();
    for a in articles.iter_mut().take(4) {
        a.categories = vec!["Kinh tế".into()];
    }
    store.save("one", &articles, now).unwrap();
    store.save("two", &articles[..10], now).unwrap(); // the same ten articles again
    let both = Query { sources: vec!["one".into(), "two".into()], ..Query::default() };
    assert_eq!(store.count(&both).unwrap(), 30, "an article two sources share counts once");
    assert_eq!(store.count_at_most(&both, 7).unwrap(), 7);
    assert_eq!(store.count_at_most(&both, 100).unwrap(), 30);
    let economy = Query { category: Some("Kinh tế".into()), limit: 50, ..both.clone() };
    assert_eq!(store.count(&economy).unwrap(), 4);
    assert_eq!(store.items(&economy).unwrap().len(), 4);
    let one = Query { sources: vec!["one".into()], limit: 5, offset: 25, category: None };
    let titles: Vec<String> = store.items(&one).unwrap().into_iter().map(|i| i.article.title).collect();
    assert_eq!(titles, ["Bài 5", "Bài 4", "Bài 3", "Bài 2", "Bài 1"], "the last page of one source");
}
