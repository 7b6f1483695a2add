//! Issue 12: what a person sees, in real Chromium (the Debian package, driven by puppeteer-core
//! from `tests/browser/check.mjs`): the index, a feed URL, a history page and an article page,
//! at 1280 px and 360 px. Screenshots are kept in `target/screenshots/`.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_read_well_in_chromium_on_a_desktop_and_a_phone() {
    // Five a page, so the sample's twelve articles have a history.
    let (_portal, _install, base) = common::scraped_sample(5).await;

    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let pages = [
        ("index", base.to_string()),
        ("feed", base.join("feeds/sample.rss").unwrap().to_string()),
        ("history", base.join("feeds/sample.atom?page=2").unwrap().to_string()),
        ("article", base.join("articles/1").unwrap().to_string()),
    ];
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/check.mjs");
    let mut args = vec![script.to_string(), "/usr/bin/chromium".into(), shots.display().to_string()];
    args.extend(pages.iter().map(|(name, url)| format!("{name}={url}")));
    let output = tokio::task::spawn_blocking(move || common::command("node").args(&args).output())
        .await
        .unwrap()
        .expect("node runs (scripts/test-setup.sh installs what this test needs)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let seen: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(seen.len(), 8);

    let date = regex::Regex::new(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b").unwrap();
    for page in &seen {
        let (name, width) = (page["name"].as_str().unwrap(), page["width"].as_u64().unwrap());
        let at = format!("{name} at {width} px");
        let text = page["text"].as_str().unwrap();
        assert_eq!(page["status"], 200, "{at}");
        assert_eq!(page["contentType"], "text/html; charset=utf-8", "{at}: a page, not the feed's XML");
        assert_eq!(page["lang"], "vi", "{at}");
        assert!(!text.contains("XSLT") && !text.contains("xml-stylesheet"), "{at}: no XSLT anywhere: {text}");
        assert!(date.is_match(text), "{at}: dates as dd/mm/yyyy HH:MM: {text}");
        assert!(text.contains("Theo dõi") && text.contains("Sao chép"), "{at}: the subscribe box: {text}");
        assert_eq!(page["copyButtons"], 3, "{at}: RSS, Atom, JSON Feed");
        assert_eq!(page["externalAssets"], 0, "{at}: one inline stylesheet, nothing to fetch");
        assert_eq!(page["imagesWithoutAlt"], 0, "{at}");
        let headings: Vec<u64> = page["headings"].as_array().unwrap().iter().map(|h| h.as_u64().unwrap()).collect();
        assert_eq!(headings.first(), Some(&1), "{at}: starts with its h1: {headings:?}");
        assert!(headings.windows(2).all(|w| w[1] <= w[0] + 1), "{at}: no heading level skipped: {headings:?}");
        if width == 360 {
            let (scroll, client) = (page["scrollWidth"].as_u64().unwrap(), page["clientWidth"].as_u64().unwrap());
            assert!(scroll <= client, "{at}: scrolls sideways ({scroll} > {client})");
        }
        assert!(std::path::Path::new(page["screenshot"].as_str().unwrap()).exists(), "{at}: screenshot kept");
        match name {
            "index" => {
                assert!(text.contains("Tin mới nhất") && text.contains("Các kênh tin"), "{at}: {text}");
                assert!(text.contains("Sample portal"), "{at}: {text}");
                assert!(text.contains("12 bài · mới nhất"), "{at}: {text}");
            }
            "feed" => assert!(text.contains("Bài cũ hơn"), "{at}: a link to the history: {text}"),
            "history" => {
                assert!(text.contains("Bài mới hơn") && text.contains("Bài cũ hơn"), "{at}: {text}");
                assert!(page["title"].as_str().unwrap().contains("Trang 2"), "{at}");
            }
            _ => {
                assert!(text.contains("Xem bài gốc"), "{at}: the original link: {text}");
                assert!(text.contains("Có trong các kênh tin"), "{at}: {text}");
            }
        }
    }
}
