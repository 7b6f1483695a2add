//! Issue 12: a feed URL opened in a browser is a page; feed readers keep getting the feed. The
//! index, feed, history and article pages over real HTTP (tests/browser.rs shows them in
//! Chromium).

mod common;

use bantin::sample::SamplePortal;
use common::{Install, stdout};
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};

const BROWSER: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8";

/// The Accept headers of feedcheck's clients and of common readers, and none at all.
const READERS: [&str; 5] = [
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, application/json;q=0.9, */*;q=0.8",
    "application/atom+xml,application/rdf+xml,application/rss+xml,application/x-netcdf,application/xml;q=0.9,text/xml;q=0.2,*/*;q=0.1",
    "application/rss+xml, application/rdf+xml;q=0.8, application/atom+xml;q=0.6, application/xml;q=0.4, text/xml;q=0.4",
    "*/*",
    "",
];

async fn site() -> (SamplePortal, Install, url::Url) {
    common::scraped_sample(5).await
}

async fn get(url: &url::Url, headers: &[(reqwest::header::HeaderName, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(url.clone());
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_gets_a_page_and_feed_readers_the_feed() {
    let (_portal, _install, base) = site().await;
    for ext in ["rss", "atom", "json"] {
        let url = base.join(&format!("feeds/sample.{ext}")).unwrap();
        let page = get(&url, &[(ACCEPT, BROWSER)]).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()[CONTENT_TYPE], "text/html; charset=utf-8", "{ext}");
        assert!(page.headers()[VARY].to_str().unwrap().contains("Accept,"), "{ext}");
        let page_etag = page.headers()[ETAG].to_str().unwrap().to_string();
        let html = page.text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"vi\">"), "{html}");
        assert!(html.contains("Bắc Kạn: Khai mạc Tuần Văn hóa - Du lịch hồ Ba Bể năm 2024"), "{html}");
        assert!(html.contains(">12/04/2024 00:00</time>"), "{html}");

        let mut feed_etag = None;
        for reader in READERS {
            let headers: Vec<_> = if reader.is_empty() { vec![] } else { vec![(ACCEPT, reader)] };
            let feed = get(&url, &headers).await;
            let content_type = feed.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
            assert!(content_type.starts_with("application/"), "{ext}, Accept: {reader}: {content_type}");
            assert!(feed.headers()[VARY].to_str().unwrap().contains("Accept,"));
            let etag = feed.headers()[ETAG].to_str().unwrap().to_string();
            assert_ne!(etag, page_etag, "the page is its own representation");
            assert_eq!(feed_etag.get_or_insert(etag.clone()), &etag, "{reader}: the same feed for every reader");
        }
        // 304 on both, each on its own validator only.
        assert_eq!(get(&url, &[(ACCEPT, BROWSER), (IF_NONE_MATCH, &page_etag)]).await.status(), 304);
        let feed_etag = feed_etag.unwrap();
        assert_eq!(get(&url, &[(ACCEPT, READERS[0]), (IF_NONE_MATCH, &feed_etag)]).await.status(), 304);
        assert_eq!(get(&url, &[(ACCEPT, BROWSER), (IF_NONE_MATCH, &feed_etag)]).await.status(), 200);
    }
    // The XML still names its stylesheet for browsers that apply it.
    let rss = get(&base.join("feeds/sample.rss").unwrap(), &[(ACCEPT, READERS[0])]).await.text().await.unwrap();
    assert!(rss.contains("<?xml-stylesheet type=\"text/xsl\""), "{rss}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_vietnamese_unless_english_is_preferred() {
    let (_portal, _install, base) = site().await;
    let vi = get(&base, &[(ACCEPT_LANGUAGE, "vi-VN,vi;q=0.9,en;q=0.8")]).await.text().await.unwrap();
    assert!(vi.contains("<html lang=\"vi\">") && vi.contains("Tin mới nhất") && vi.contains("Sao chép"), "{vi}");
    let en = get(&base, &[(ACCEPT_LANGUAGE, "en-GB,en;q=0.9")]).await;
    assert!(en.headers()[VARY].to_str().unwrap().contains("Accept-Language"));
    let en = en.text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Latest news") && en.contains(">Copy<"), "{en}");
    assert!(en.contains("12 articles · latest 12/04/2024 00:00"), "{en}");
    let feed = get(&base.join("feeds/sample.rss").unwrap(), &[(ACCEPT, BROWSER), (ACCEPT_LANGUAGE, "en")]).await;
    assert!(feed.text().await.unwrap().contains("Older articles"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_history_and_article_pages() {
    let (_portal, _install, base) = site().await;
    let index = get(&base, &[]).await.text().await.unwrap();
    // The newest articles of every source, with source, date and lead, above the feeds.
    let latest = index.find("Tin mới nhất").unwrap();
    let feeds = index.find("Các kênh tin").unwrap();
    let first = index.find("Bắc Kạn: Khai mạc Tuần Văn hóa").unwrap();
    assert!(latest < first && first < feeds, "{index}");
    assert!(
        index.contains("Sample portal · <time datetime=\"2024-04-12T00:00:00+07:00\">12/04/2024 00:00</time>"),
        "{index}"
    );
    assert!(index.contains("12 bài · mới nhất 12/04/2024 00:00"), "{index}");

    // History: page 2 of 3 links both ways; past the end is 404.
    let history = base.join("feeds/sample.rss?page=2").unwrap();
    let page = get(&history, &[(ACCEPT, BROWSER)]).await.text().await.unwrap();
    assert!(page.contains(&format!("href=\"{}\" rel=\"prev\"", base.join("feeds/sample.rss").unwrap())), "{page}");
    assert!(
        page.contains(&format!("href=\"{}\" rel=\"next\"", base.join("feeds/sample.rss?page=3").unwrap())),
        "{page}"
    );
    assert_eq!(get(&base.join("feeds/sample.rss?page=4").unwrap(), &[(ACCEPT, BROWSER)]).await.status(), 404);

    // Every listed article links to its own page: the body, the original, the feeds it is in.
    let article_link = regex::Regex::new(r#"<h3><a href="([^"]+/articles/\d+)">"#).unwrap();
    let link = article_link.captures(&index).expect("a link to an article page")[1].to_string();
    let article = get(&url::Url::parse(&link).unwrap(), &[]).await;
    assert_eq!(article.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let article = article.text().await.unwrap();
    assert!(article.contains("<h1>Bắc Kạn: Khai mạc Tuần Văn hóa - Du lịch hồ Ba Bể năm 2024</h1>"), "{article}");
    assert!(article.contains("<figure><img src=") && article.contains("<figcaption>"), "{article}");
    assert!(article.contains("/pages/chi-tiet-tin-tuc.aspx?ItemID="), "the original link: {article}");
    for feed in ["feeds/sample.rss", "feeds/sample/tin-tuc-su-kien.rss", "feeds/all.rss"] {
        assert!(article.contains(&format!("href=\"{}\"", base.join(feed).unwrap())), "{feed}: {article}");
    }
    for missing in ["articles/999999", "articles/x", "articles/-1"] {
        assert_eq!(get(&base.join(missing).unwrap(), &[]).await.status(), 404, "{missing}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_and_pages_carry_the_portals_icon_found_once() {
    let (portal, install, base) = site().await;
    let icon = portal.url().join("/Style%20Library/images/favicon.ico").unwrap();
    let asked = |portal: &SamplePortal| portal.requests().iter().filter(|r| r.contains("favicon.ico")).count();
    assert_eq!(asked(&portal), 1, "probed once: {:?}", portal.requests());
    // RSS 2.0 takes only GIF, JPEG or PNG as its image: an .ico goes to Atom and JSON Feed.
    let rss = get(&base.join("feeds/sample.rss").unwrap(), &[]).await.text().await.unwrap();
    assert!(!rss.contains("<image>"), "{rss}");
    let atom = get(&base.join("feeds/sample/tin-tuc-su-kien.atom").unwrap(), &[]).await.text().await.unwrap();
    assert!(atom.contains(&format!("<icon>{icon}</icon>")), "a category feed has its source's icon: {atom}");
    let json = get(&base.join("feeds/sample.json").unwrap(), &[]).await.text().await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!((json["icon"].as_str(), json["favicon"].as_str()), (Some(icon.as_str()), Some(icon.as_str())));
    let page = get(&base.join("feeds/sample.rss").unwrap(), &[(ACCEPT, BROWSER)]).await.text().await.unwrap();
    assert!(page.contains(&format!("<link rel=\"icon\" href=\"{icon}\">")), "{page}");
    // The feed of all sources has no one source's icon.
    let all = get(&base.join("feeds/all.atom").unwrap(), &[]).await.text().await.unwrap();
    assert!(!all.contains("<icon>"), "{all}");

    // Looked for once: the next run does not ask again.
    let out = install.cli(&["scrape"]).await;
    assert!(out.status.success());
    assert_eq!(asked(&portal), 1, "{:?}", portal.requests());

    // A feed file's own icon and logo win; a PNG logo is RSS's image.
    install.add_to_feed("icon = \"https://cdn.example/icon.png\"\nlogo = \"https://cdn.example/logo.png\"");
    let check = install.cli(&["check"]).await;
    assert!(check.status.success(), "{}{}", stdout(&check), common::stderr(&check));
    let rss = install.cli(&["render", "--feed", "sample"]).await;
    let rss = stdout(&rss);
    assert!(rss.contains("<image><url>https://cdn.example/logo.png</url><title>Sample portal</title>"), "{rss}");
    install.add_to_feed("");
    let file = install.path("feeds/sample.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("https://cdn.example/icon.png", "ftp://cdn.example/icon.png")).unwrap();
    let refused = install.cli(&["check"]).await;
    assert!(!refused.status.success());
    let err = common::stderr(&refused);
    assert!(err.contains("sample.toml") && err.contains("icon"), "names the file and the key: {err}");
}
