use chrono::TimeZone;
use url::Url;

use super::*;
use crate::model::{Article, Image, vietnam};

fn meta() -> FeedMeta {
    FeedMeta {
        name: "t".into(),
        title: "Tin & \"sự kiện\"".into(),
        description: "d".into(),
        site: Url::parse("https://portal.example/").unwrap(),
        self_base: Url::parse("https://feeds.example/").unwrap(),
        ttl_minutes: 30,
        empty_updated: vietnam().with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn item(title: &str, body: &str, image_length: Option<u64>) -> FeedItem {
    let published = vietnam().with_ymd_and_hms(2024, 4, 5, 0, 0, 0).unwrap();
    FeedItem {
        guid: "tag:portal.example,2024-04-05:/a?ItemID=1".into(),
        published,
        updated: published + chrono::Duration::hours(2),
        article: Article {
            url: Url::parse("https://portal.example/a?ItemID=1").unwrap(),
            title: title.into(),
            published: Some(published),
            summary: Some("lead \u{b} with a control char".into()),
            author: Some("Thu Cúc".into()),
            image: Some(Image {
                url: Url::parse("https://portal.example/i.jpg").unwrap(),
                length: image_length,
                mime: image_length.map(|_| "image/jpeg".into()),
            }),
            caption: Some("cap <b>".into()),
            content_html: body.into(),
            content_text: "x".into(),
        },
    }
}

#[test]
fn rss_survives_hostile_text_and_reads_back() {
    let items = [item("A ]]> & <script>alert(1)</script>\u{1}!", "<p>]]&gt; body</p>", Some(9467))];
    let bytes = render(Format::Rss, &meta(), &items).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    assert!(!text.contains('\u{1}') && !text.contains('\u{b}'));
    let channel = ::rss::Channel::read_from(&bytes[..]).unwrap();
    let it = &channel.items()[0];
    assert_eq!(it.title(), Some("A ]]> & <script>alert(1)</script>!"));
    assert_eq!(it.pub_date(), Some("Fri, 5 Apr 2024 00:00:00 +0700"));
    assert_eq!(it.guid().unwrap().value(), "tag:portal.example,2024-04-05:/a?ItemID=1");
    assert!(!it.guid().unwrap().is_permalink());
    assert_eq!(it.enclosure().unwrap().length(), "9467");
    assert_eq!(it.dublin_core_ext().unwrap().creators(), ["Thu Cúc"]);
    assert!(
        it.content().unwrap().starts_with("<figure><img src=\"https://portal.example/i.jpg\" alt=\"cap &lt;b&gt;\">")
    );
    assert_eq!(channel.last_build_date(), Some("Fri, 5 Apr 2024 02:00:00 +0700"));
}

#[test]
fn rss_never_invents_an_enclosure_length() {
    let bytes = render(Format::Rss, &meta(), &[item("t", "<p>b</p>", None)]).unwrap();
    let channel = ::rss::Channel::read_from(&bytes[..]).unwrap();
    assert!(channel.items()[0].enclosure().is_none());
    assert!(channel.items()[0].content().unwrap().contains("https://portal.example/i.jpg"), "image kept in content");
}

#[test]
fn atom_reads_back_with_stable_dates() {
    let items = [item("A & B", "<p>body</p>", Some(10))];
    let bytes = render(Format::Atom, &meta(), &items).unwrap();
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    let feed = ::atom_syndication::Feed::read_from(&bytes[..]).unwrap();
    assert_eq!(feed.updated().to_rfc3339(), "2024-04-05T02:00:00+07:00");
    assert_eq!(feed.id(), "https://feeds.example/feeds/t.atom");
    let e = &feed.entries()[0];
    assert_eq!(e.title().as_str(), "A & B");
    assert_eq!(e.published().unwrap().to_rfc3339(), "2024-04-05T00:00:00+07:00");
    assert_eq!(e.links().iter().find(|l| l.rel() == "enclosure").unwrap().length(), Some("10"));
    assert_eq!(render(Format::Atom, &meta(), &items).unwrap(), bytes, "rendering is deterministic");
}

#[test]
fn empty_feed_has_a_real_updated() {
    let bytes = render(Format::Atom, &meta(), &[]).unwrap();
    let feed = ::atom_syndication::Feed::read_from(&bytes[..]).unwrap();
    assert_eq!(feed.updated().to_rfc3339(), "2024-01-01T00:00:00+07:00");
}
