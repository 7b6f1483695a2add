use chrono::TimeZone;
use url::Url;

use super::*;
use crate::model::{Article, Image, Paging, vietnam};

fn meta() -> FeedMeta {
    FeedMeta {
        path: "t".into(),
        title: "Tin & \"sự kiện\"".into(),
        description: "d".into(),
        site: Url::parse("https://portal.example/").unwrap(),
        self_base: Url::parse("https://feeds.example/").unwrap(),
        ttl_minutes: 30,
        empty_updated: vietnam().with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
        icon: None,
        logo: None,
        hubs: vec!["https://feeds.example/websub".into()],
    }
}

fn item(title: &str, body: &str, image_length: Option<u64>) -> FeedItem {
    let published = vietnam().with_ymd_and_hms(2024, 4, 5, 0, 0, 0).unwrap();
    FeedItem {
        number: 1,
        source: "portal".into(),
        guid: "tag:portal.example,2024-04-05:/a?ItemID=1".into(),
        published,
        updated: published + chrono::Duration::hours(2),
        article: Article {
            url: Url::parse("https://portal.example/a?ItemID=1").unwrap(),
            id: None,
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
            categories: vec!["Tin tức - Sự kiện".into()],
            content_html: body.into(),
            content_text: "x".into(),
        },
    }
}

#[test]
fn rss_survives_hostile_text_and_reads_back() {
    let items = [item("A ]]> & <script>alert(1)</script>\u{1}!", "<p>]]&gt; body</p>", Some(9467))];
    let bytes = render(Format::Rss, &meta(), &items, Paging::FIRST_ONLY).unwrap();
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
    let bytes = render(Format::Rss, &meta(), &[item("t", "<p>b</p>", None)], Paging::FIRST_ONLY).unwrap();
    let channel = ::rss::Channel::read_from(&bytes[..]).unwrap();
    let item = &channel.items()[0];
    assert!(item.enclosure().is_none());
    assert!(item.content().unwrap().contains("https://portal.example/i.jpg"), "image kept in content");
    let media = &item.extensions()["media"]["content"][0];
    assert_eq!(media.attrs()["url"], "https://portal.example/i.jpg");
    assert_eq!(media.attrs()["medium"], "image");
    assert!(!media.attrs().contains_key("fileSize"));
    // JSON Feed attachments need a media type: without a measured one there is no attachment,
    // and the item's `image` still carries the picture.
    let json = render(Format::Json, &meta(), &[self::item("t", "<p>b</p>", None)], Paging::FIRST_ONLY).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert!(v["items"][0].get("attachments").is_none(), "{}", v["items"][0]);
    assert_eq!(v["items"][0]["image"], "https://portal.example/i.jpg");
}

#[test]
fn atom_reads_back_with_stable_dates() {
    let items = [item("A & B", "<p>body</p>", Some(10))];
    let bytes = render(Format::Atom, &meta(), &items, Paging::FIRST_ONLY).unwrap();
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    let feed = ::atom_syndication::Feed::read_from(&bytes[..]).unwrap();
    assert_eq!(feed.updated().to_rfc3339(), "2024-04-05T02:00:00+07:00");
    assert_eq!(feed.id(), "https://feeds.example/feeds/t.atom");
    let e = &feed.entries()[0];
    assert_eq!(e.title().as_str(), "A & B");
    assert_eq!(e.published().unwrap().to_rfc3339(), "2024-04-05T00:00:00+07:00");
    assert_eq!(e.links().iter().find(|l| l.rel() == "enclosure").unwrap().length(), Some("10"));
    assert_eq!(render(Format::Atom, &meta(), &items, Paging::FIRST_ONLY).unwrap(), bytes, "rendering is deterministic");
}

#[test]
fn empty_feed_has_a_real_updated() {
    let bytes = render(Format::Atom, &meta(), &[], Paging::FIRST_ONLY).unwrap();
    let feed = ::atom_syndication::Feed::read_from(&bytes[..]).unwrap();
    assert_eq!(feed.updated().to_rfc3339(), "2024-01-01T00:00:00+07:00");
}

#[test]
fn xml_feeds_carry_the_stylesheet_and_categories() {
    let items = [item("t", "<p>b</p>", Some(1))];
    let rss = String::from_utf8(render(Format::Rss, &meta(), &items, Paging::FIRST_ONLY).unwrap()).unwrap();
    assert!(rss.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"https://feeds.example/feed.xsl\"?>"
    ));
    assert!(rss.contains("<category>Tin tức - Sự kiện</category>"), "{rss}");
    let atom = String::from_utf8(render(Format::Atom, &meta(), &items, Paging::FIRST_ONLY).unwrap()).unwrap();
    assert!(atom.contains("<?xml-stylesheet type=\"text/xsl\" href=\"https://feeds.example/feed.xsl\"?>"));
    assert!(atom.contains("<category term=\"Tin tức - Sự kiện\"/>"), "{atom}");
}

#[test]
fn history_pages_link_to_each_other() {
    let items = [item("t", "<p>b</p>", Some(1))];
    let middle = Paging { page: 2, has_next: true };
    let atom = render(Format::Atom, &meta(), &items, middle).unwrap();
    let feed = ::atom_syndication::Feed::read_from(&atom[..]).unwrap();
    let rel = |r: &str| feed.links().iter().find(|l| l.rel() == r).map(|l| l.href().to_string());
    assert_eq!(rel("self").as_deref(), Some("https://feeds.example/feeds/t.atom?page=2"));
    assert_eq!(rel("first").as_deref(), Some("https://feeds.example/feeds/t.atom"));
    assert_eq!(rel("previous").as_deref(), Some("https://feeds.example/feeds/t.atom"));
    assert_eq!(rel("next").as_deref(), Some("https://feeds.example/feeds/t.atom?page=3"));
    assert_eq!(feed.id(), "https://feeds.example/feeds/t.atom", "every page shares the feed's id");
    let rss = String::from_utf8(render(Format::Rss, &meta(), &items, middle).unwrap()).unwrap();
    assert!(rss.contains("<atom:link href=\"https://feeds.example/feeds/t.rss?page=3\" rel=\"next\""), "{rss}");
    let last = render(Format::Atom, &meta(), &items, Paging { page: 3, has_next: false }).unwrap();
    let feed = ::atom_syndication::Feed::read_from(&last[..]).unwrap();
    assert!(feed.links().iter().all(|l| l.rel() != "next"));
}

#[test]
fn json_feed_has_the_same_item() {
    let items = [item("A & B", "<p>body</p>", Some(9467))];
    let bytes = render(Format::Json, &meta(), &items, Paging { page: 1, has_next: true }).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(v["feed_url"], "https://feeds.example/feeds/t.json");
    assert_eq!(v["next_url"], "https://feeds.example/feeds/t.json?page=2");
    let it = &v["items"][0];
    assert_eq!(it["id"], "tag:portal.example,2024-04-05:/a?ItemID=1");
    assert_eq!(it["title"], "A & B");
    assert_eq!(it["date_published"], "2024-04-05T00:00:00+07:00");
    assert_eq!(it["date_modified"], "2024-04-05T02:00:00+07:00");
    assert_eq!(it["authors"][0]["name"], "Thu Cúc");
    assert_eq!(it["tags"][0], "Tin tức - Sự kiện");
    assert_eq!(it["attachments"][0]["size_in_bytes"], 9467);
    assert!(it["content_html"].as_str().unwrap().ends_with("<p>body</p>\n<p><strong>Thu Cúc</strong></p>"));
}

#[test]
fn opml_lists_every_feed() {
    let entries =
        [OpmlEntry { title: "A & B".into(), xml_url: "https://f/x.rss".into(), html_url: "https://a/".into() }];
    let text = String::from_utf8(opml("bantin", &entries)).unwrap();
    assert!(text.contains("<outline type=\"rss\" text=\"A &amp; B\" title=\"A &amp; B\" xmlUrl=\"https://f/x.rss\" htmlUrl=\"https://a/\"/>"));
}
