//! Issue 17: an ItemID is unique only within its SharePoint list, so the list (`l=`) is part of
//! an article's identity — in the store, in every feed, across scrapes and across the upgrade
//! from a database written when the canonical URL kept the id alone.

mod common;

use bantin::sample::SamplePortal;
use bantin::store::{Query, Store};
use common::{Install, stdout};

const ACTIVITY: &str = "Hội nghị triển khai nhiệm vụ phát triển kinh tế năm 2024";
const NOTICE: &str = "Thông báo lịch tiếp công dân tháng 4 năm 2024";

/// (guid, link, title) of every stored article, newest first.
fn stored(install: &Install) -> Vec<(String, String, String)> {
    let store = Store::open(&install.path("state/bantin.sqlite")).unwrap();
    let items = store.items(&Query { sources: vec!["sample".into()], limit: 50, ..Query::default() }).unwrap();
    items.into_iter().map(|i| (i.guid, i.article.url.to_string(), i.article.title)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_item_id_in_two_lists_is_two_articles() {
    let portal = SamplePortal::start().await.unwrap();
    let install = Install::new(&portal.url().join("/Pages/tin-hai-danh-sach.aspx").unwrap());
    let out = install.cli(&["scrape"]).await;
    assert!(out.status.success(), "{}{}", stdout(&out), common::stderr(&out));
    // Three links, two articles: `?l=TinHoatDong&ItemID=7` and its `Source=` twin are one.
    assert!(stdout(&out).starts_with("sample: 1 pages, 2 articles fetched, 2 new"), "{}", stdout(&out));
    let first = stored(&install);
    assert_eq!(first.len(), 2);
    let host = portal.url().host_str().unwrap().to_string();
    let port = portal.url().port().unwrap();
    let notice = &first.iter().find(|a| a.2 == NOTICE).expect("the notice").1;
    assert_eq!(notice, &format!("http://{host}:{port}/pages/chi-tiet-tin-tuc.aspx?ItemID=7&l=ThongBao"));
    let activity = first.iter().find(|a| a.2 == ACTIVITY).expect("the activity");
    assert_eq!(activity.1, format!("http://{host}:{port}/pages/chi-tiet-tin-tuc.aspx?ItemID=7&l=TinHoatDong"));
    assert_ne!(first[0].0, first[1].0, "two guids");
    assert!(activity.0.ends_with(":/pages/chi-tiet-tin-tuc.aspx?ItemID=7&l=TinHoatDong"), "{}", activity.0);

    let again = install.cli(&["scrape"]).await;
    assert!(stdout(&again).contains("0 new"), "{}", stdout(&again));
    assert_eq!(stored(&install), first, "ids stable across scrapes");

    // Both are served, as two items with their own ids.
    let (base, feeds) = install.serve();
    feeds.warm().await.unwrap();
    let body = reqwest::get(base.join("feeds/sample.atom").unwrap()).await.unwrap().bytes().await.unwrap();
    let feed = atom_syndication::Feed::read_from(&body[..]).unwrap();
    let mut ids: Vec<&str> = feed.entries().iter().map(|e| e.id()).collect();
    ids.sort();
    let mut want: Vec<&str> = first.iter().map(|a| a.0.as_str()).collect();
    want.sort();
    assert_eq!(ids, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_from_before_keeps_its_article_and_guid_and_gains_the_other() {
    let portal = SamplePortal::start().await.unwrap();
    let install = Install::new(&portal.url().join("/Pages/tin-hai-danh-sach.aspx").unwrap());
    // What the previous bantin stored from this list: the first link's article under the id
    // alone (the other links then looked like the same article and were skipped).
    let page = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lists/article-TinHoatDong-7.html");
    let old_link = portal.url().join("/Pages/chi-tiet-tin-tuc.aspx?ItemID=7").unwrap();
    let imported = install.cli(&["import", "--feed", "sample", "--url", old_link.as_str(), page]).await;
    assert!(imported.status.success(), "{}{}", stdout(&imported), common::stderr(&imported));
    let before = stored(&install);
    assert_eq!(before.len(), 1);
    assert!(before[0].0.ends_with(":/pages/chi-tiet-tin-tuc.aspx?ItemID=7"), "the old key: {}", before[0].0);

    let out = install.cli(&["scrape"]).await;
    assert!(out.status.success(), "{}{}", stdout(&out), common::stderr(&out));
    // The stored article is recognised without fetching it again; only the other list's is new.
    assert!(stdout(&out).starts_with("sample: 1 pages, 1 articles fetched, 1 new"), "{}", stdout(&out));
    let after = stored(&install);
    assert_eq!(after.len(), 2, "no duplicate: {after:?}");
    let activity = after.iter().find(|a| a.2 == ACTIVITY).unwrap();
    assert_eq!(activity.0, before[0].0, "its guid does not change");
    assert!(activity.1.ends_with("?ItemID=7&l=TinHoatDong"), "its link now names its list: {}", activity.1);
    let notice = after.iter().find(|a| a.2 == NOTICE).unwrap();
    assert!(notice.0.ends_with("?ItemID=7&l=ThongBao"), "{}", notice.0);

    let again = install.cli(&["scrape"]).await;
    assert!(stdout(&again).contains("0 articles fetched, 0 new"), "{}", stdout(&again));
    assert_eq!(stored(&install), after, "stable from then on");
}
