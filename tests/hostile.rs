//! What a hostile or careless world sends: no input panics a parser (property tests over
//! extraction, text dumps, dates, feeds, URLs, charsets and config), and pages that point
//! elsewhere than the web never make bantin request or publish it.
//!
//! `PROPTEST_CASES=20000 cargo test --release --test hostile` runs the properties longer
//! (`scripts/fuzz.sh`); the default keeps the suite quick.

mod common;

use bantin::config::{Config, Profile, Rules};
use bantin::extract;
use bantin::model::Page;
use proptest::prelude::*;
use url::Url;

/// Fragments real portal markup is made of, plus the broken and hostile ones.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<div>".to_string()),
        Just("</div>".to_string()),
        Just("<p>".to_string()),
        Just("</p>".to_string()),
        Just("<br>".to_string()),
        Just("<h1>".to_string()),
        Just("</h1>".to_string()),
        Just("<strong>".to_string()),
        Just("<em>".to_string()),
        Just("<table><tr><td>".to_string()),
        Just("</td></tr></table>".to_string()),
        Just("<span title=\"PublishingPortal - Block_BanTin_Toolbar\">".to_string()),
        Just("<span title=\"PublishingPortal - Block_BanTin_ViewData\">".to_string()),
        Just("<div id=\"WebPartWPQ2\">".to_string()),
        Just("<div id=\"WebPartTitleWPQ2\">PublishingPortal - Block_BanTin_ViewData</div>".to_string()),
        Just("PublishingPortal - Block_BanTin_Toolbar\n".to_string()),
        Just("<img src=\"data:image/png;base64,AAAA\">".to_string()),
        Just("<img src=\"javascript:alert(1)\">".to_string()),
        Just("<img src=\"&#106;avascript:x\">".to_string()),
        Just("<img src=\"file:///etc/passwd\">".to_string()),
        Just("<img src=\"//\">".to_string()),
        Just("<img src=\"/a.jpg\">".to_string()),
        Just("<a href=\"/Pages/chi-tiet-tin-tuc.aspx?ItemID=7&l=A\">".to_string()),
        Just("<a href=\"javascript:__doPostBack('x','Page$2')\">2</a>".to_string()),
        Just("<input type=\"hidden\" name=\"__VIEWSTATE\" value=\"x\">".to_string()),
        Just("05/04/2024 10:30".to_string()),
        Just("31/02/2024".to_string()),
        Just("99/99/99999".to_string()),
        Just("./.".to_string()),
        Just("Tác giả: ".to_string()),
        Just("<script>x</script>".to_string()),
        Just("\u{200B}\u{FEFF}\u{000B}\u{0000}".to_string()),
        "[^<>]{0,40}",
        "\\PC{0,20}",
    ]
}

fn page_html() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat())
}

fn base() -> Url {
    Url::parse("https://portal.example/Pages/chi-tiet-tin-tuc.aspx?ItemID=1").unwrap()
}

proptest! {
    #[test]
    fn extraction_never_panics(html in page_html()) {
        let page = Page { url: base(), html };
        for profile in [Profile::PublishingPortal, Profile::Feed] {
            let rules = Rules::new(profile);
            let _ = extract::article(&rules, &page, None).map(|e| e.article);
            let _ = extract::list(&rules, &page);
        }
    }

    #[test]
    fn dates_never_panic(text in "\\PC{0,80}", formats in prop::collection::vec("[%a-zA-Z:/. -]{0,12}", 0..3)) {
        let _ = extract::date::find(&text);
        let _ = extract::date::by_rules(&text, &formats, bantin::model::vietnam());
    }

    #[test]
    fn charsets_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), header in "[a-z0-9=; -]{0,30}") {
        let text = bantin::fetch::decode(&bytes, Some(&header));
        let nul = char::from(0);
        prop_assert!(!text.contains(nul) || bytes.contains(&0), "a NUL from nowhere");
    }

    #[test]
    fn config_files_never_panic(text in "[a-z_=\\[\\]\".0-9 \n:/*-]{0,200}") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("feeds")).unwrap();
        std::fs::write(dir.path().join("feeds/x.toml"), &text).unwrap();
        let config = dir.path().join("bantin.toml");
        std::fs::write(&config, &text).unwrap();
        // Whatever it says, loading gives a config or an error naming the file.
        if let Err(e) = Config::load_with_env(&config, std::iter::empty()) {
            prop_assert!(e.to_string().contains(".toml"), "{e}");
        }
    }
}

/// Runs `property` as `proptest!` would (`PROPTEST_CASES`, this file's regressions), and
/// returns (cases run, cases where the property had something to check): a property that
/// holds only because every case failed early checks nothing, so each caller asserts a floor.
fn checked_cases<S: Strategy>(
    strategy: S,
    property: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) -> (usize, usize) {
    use std::cell::Cell;
    let config = ProptestConfig {
        source_file: Some(file!()),
        // tests/hostile.proptest-regressions, as the properties in `proptest!` use it.
        failure_persistence: Some(Box::new(prop::test_runner::FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    };
    let (cases, checked) = (Cell::new(0), Cell::new(0));
    let mut runner = prop::test_runner::TestRunner::new(config);
    let result = runner.run(&strategy, |value| {
        cases.set(cases.get() + 1);
        let did = property(value)?;
        checked.set(checked.get() + usize::from(did));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    (cases.get(), checked.get())
}

/// At least one case in twenty reached the assertions (the generators give three or more in
/// twenty: a floor several deviations below, so random cases do not make it flaky).
fn assert_floor(what: &str, (cases, checked): (usize, usize)) {
    println!("{what}: {checked} of {cases} cases checked");
    assert!(checked * 20 >= cases && checked > 0, "{what}: only {checked} of {cases} cases had anything to check");
}

#[test]
fn extracted_images_and_links_are_on_the_web() {
    let articles = checked_cases(page_html(), |html| {
        let page = Page { url: base(), html };
        let Ok(article) = extract::article(&Rules::new(Profile::PublishingPortal), &page, None).map(|e| e.article)
        else {
            return Ok(false);
        };
        prop_assert!(bantin::model::is_web_url(&article.url));
        if let Some(image) = &article.image {
            prop_assert!(bantin::model::is_web_url(&image.url), "{}", image.url);
        }
        Ok(true)
    });
    assert_floor("pages that gave an article", articles);
    let lists = checked_cases(page_html(), |html| {
        let page = Page { url: base(), html };
        let links = extract::list(&Rules::new(Profile::PublishingPortal), &page).links;
        for link in &links {
            prop_assert!(bantin::model::is_web_url(&link.url), "{}", link.url);
        }
        Ok(!links.is_empty())
    });
    assert_floor("pages that gave list links", lists);
}

#[test]
fn feeds_never_panic() {
    let items = prop::collection::vec(("\\PC{0,30}", "[a-z:/.?=&#%0-9]{0,40}", "\\PC{0,40}"), 0..8);
    let read = checked_cases((items, any::<bool>()), |(items, atom)| {
        let xml = if atom {
            let entries: String = items
                .iter()
                .map(|(t, l, d)| {
                    format!("<entry><title>{t}</title><link href=\"{l}\"/><id>{l}</id><updated>{d}</updated></entry>")
                })
                .collect();
            format!(
                "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title>{entries}</feed>"
            )
        } else {
            let entries: String = items
                .iter()
                .map(|(t, l, d)| format!("<item><title>{t}</title><link>{l}</link><pubDate>{d}</pubDate></item>"))
                .collect();
            format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>x</title>{entries}</channel></rss>")
        };
        let page = Page { url: Url::parse("https://site.example/feed.xml").unwrap(), html: xml };
        let Ok(read) = extract::feed_articles(&Rules::new(Profile::Feed), &page) else { return Ok(false) };
        for a in &read.articles {
            prop_assert!(bantin::model::is_web_url(&a.url));
        }
        Ok(!read.articles.is_empty())
    });
    assert_floor("feeds that gave items", read);
}

/// Markup soup: the recovering reader must read anything without a panic, and whatever it
/// makes an item of links to the web.
#[test]
fn the_feed_reader_never_panics_on_markup_soup() {
    let root = prop::sample::select(vec![
        "<rss><channel>",
        "<feed xmlns='http://www.w3.org/2005/Atom'>",
        "<rdf:RDF>",
        "<r:rss xmlns:r='x'>",
        "",
    ]);
    // Whole items too, with links on the web and off it: soup alone never made an item, so
    // the assertion below was never reached.
    let link = "(https://site\\.example/[a-z]{0,6}|/[a-z]{0,6}|javascript:[a-z]{0,4}|data:[a-z/,]{0,6}|file:///[a-z]{0,4}|//[a-z]{0,4})";
    let soup = format!(
        "(<[a-z:/!?]{{0,8}}( [a-z:]{{1,5}}=[\"']?[a-z&;#0-9:/.]{{0,8}}[\"']?)?/?>|&[a-z#0-9]{{0,6}};?|<!\\[CDATA\\[[^\\]]{{0,8}}\\]\\]>|[^<&]{{0,12}}|<(item|entry|title|link|guid|pubDate|updated)>\
         |<item><title>[a-z]{{1,6}}</title><link>{link}</link></item>|<entry><title>[a-z]{{1,6}}</title><link href='{link}'/></entry>){{0,60}}"
    );
    let read = checked_cases((root, soup.as_str()), |(root, soup)| {
        let page = Page { url: Url::parse("https://site.example/feed.xml").unwrap(), html: format!("{root}{soup}") };
        let Ok(items) = extract::feed_articles(&Rules::new(Profile::Feed), &page) else { return Ok(false) };
        for a in &items.articles {
            prop_assert!(bantin::model::is_web_url(&a.url));
        }
        Ok(!items.articles.is_empty())
    });
    assert_floor("soups read as a feed with items", read);
}

#[test]
fn canonical_urls_never_panic_and_are_stable() {
    let parsed = checked_cases(("[a-zA-Z0-9/._%-]{0,30}", "[a-zA-Z0-9=&%_.;-]{0,40}"), |(path, query)| {
        let Ok(url) = Url::parse(&format!("https://portal.example/{path}?{query}")) else { return Ok(false) };
        let once = bantin::model::canonical_url(&url);
        prop_assert_eq!(bantin::model::canonical_url(&once), once.clone(), "canonical is a fixed point");
        let _ = bantin::model::legacy_identity_key(&once);
        Ok(true)
    });
    assert_floor("URLs that parsed", parsed);
}

mod pages {
    //! Hostile pages on the fake portal, scraped for real.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::common::{self, Install, stdout};
    use bantin::sample::{Fault, SamplePortal};

    async fn served(base: &url::Url) -> String {
        let mut all = String::new();
        for ext in ["rss", "atom", "json"] {
            let url = base.join(&format!("feeds/sample.{ext}")).unwrap();
            all.push_str(&reqwest::get(url).await.unwrap().text().await.unwrap());
        }
        all
    }

    /// A lead image that is not on the web panicked the scraper (`data:`: no root for
    /// robots.txt) or was published (`javascript:`, `file:`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lead_images_off_the_web_are_neither_fetched_nor_published() {
        for src in [
            "data:image/png;base64,iVBORw0KGgo=",
            "javascript:alert(1)",
            "&#106;avascript:alert(1)",
            "file:///etc/passwd",
        ] {
            let portal = SamplePortal::start().await.unwrap();
            portal.set_fault(Fault::LeadImageSrc(src));
            let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
            let out = install.cli(&["scrape"]).await;
            assert!(out.status.success(), "{src}: {}{}", stdout(&out), common::stderr(&out));
            assert!(stdout(&out).contains("12 new"), "{src}: {}", stdout(&out));
            let (base, feeds) = install.serve();
            feeds.warm().await.unwrap();
            let text = served(&base).await;
            for bad in ["data:image", "javascript:", "file:///"] {
                assert!(!text.contains(bad), "{src}: {bad} published");
            }
        }
    }

    /// An image on an internal address got a robots.txt GET and a HEAD probe, and its length
    /// was published.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_image_on_an_internal_address_is_never_requested() {
        let internal = tokio::net::TcpListener::bind("127.0.0.3:0").await.unwrap();
        let addr = internal.local_addr().unwrap();
        let reached = Arc::new(AtomicUsize::new(0));
        let counter = reached.clone();
        tokio::spawn(async move {
            while let Ok((_socket, _)) = internal.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let portal = SamplePortal::start().await.unwrap();
        portal.set_fault(Fault::LeadImageOn(addr));
        let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
        let out = install.cli(&["scrape"]).await;
        assert!(out.status.success(), "{}{}", stdout(&out), common::stderr(&out));
        assert_eq!(reached.load(Ordering::SeqCst), 0, "no connection to {addr}");
        let (base, feeds) = install.serve();
        feeds.warm().await.unwrap();
        let rss = reqwest::get(base.join("feeds/sample.rss").unwrap()).await.unwrap().text().await.unwrap();
        let image = format!("http://{addr}/PictureLibrary/lead.jpg");
        assert!(rss.contains(&image), "the image is still the article's, for readers to load");
        assert!(!rss.contains(&format!("<enclosure url=\"{image}\"")), "but no length was measured");
    }
}

fn seed_page() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/publishing-portal/article-12345.html"))
        .unwrap()
}

/// 50,000 nested `<div>`s took a minute of CPU (the tree builder scans its open elements at
/// every tag); deeper content is now flattened and its text kept.
#[test]
fn deeply_nested_pages_are_flattened_not_slow() {
    let page = seed_page();
    let at = page.find("<p style=\"text-align: center;\">").unwrap();
    let n = 50_000;
    let deep = format!("{}{}Đoạn sâu nhất.{}{}", &page[..at], "<div>".repeat(n), "</div>".repeat(n), &page[at..]);
    let article = extract::article(&Rules::new(Profile::PublishingPortal), &Page { url: base(), html: deep }, None)
        .map(|e| e.article)
        .expect("still an article");
    assert!(article.content_text.contains("Đoạn sâu nhất."));
    assert!(article.content_text.contains("ngành công nghiệp Bắc Kạn./."), "the rest of the body follows");
}

/// A 100 KB title and a 7 MB body were published whole.
#[test]
fn titles_and_bodies_are_capped() {
    let page = seed_page();
    let title = "Phấn đấu tăng trưởng công nghiệp năm 2024 đạt trên 16%";
    let long_title = "Tiêu đề rất dài ".repeat(6_000);
    let paragraph = format!("<p>{}</p>\n", "Nội dung báo cáo dài. ".repeat(50));
    let at = page.find("<p style=\"text-align: center;\">").unwrap();
    let huge = format!("{}{}{}", &page[..at], paragraph.repeat(6_000), &page[at..]).replace(title, &long_title);
    let rules = Rules::new(Profile::PublishingPortal);
    let article = extract::article(&rules, &Page { url: base(), html: huge }, None).map(|e| e.article).unwrap();
    assert_eq!(article.title.chars().count(), rules.max_title_chars);
    assert!(article.title.ends_with('…'));
    assert!(article.content_html.len() <= rules.max_body_bytes + 64, "{} bytes", article.content_html.len());
    assert!(article.content_html.ends_with("<p>…</p>"), "cut at a paragraph and marked");
    assert!(article.content_text.len() <= rules.max_body_bytes + 8);
}
