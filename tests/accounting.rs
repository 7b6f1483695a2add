//! Issue 21: text of an article's blocks that lands in no field is a warning on the source,
//! seen in `/readyz` and `/metrics`, while the article is still published.

mod common;

use std::time::{Duration, Instant};

use bantin::sample::{Fault, SamplePortal};
use common::{Install, metric};
use tokio::sync::watch;

async fn get(url: url::Url) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_in_no_field_is_a_warning_in_readyz_and_metrics() {
    let portal = SamplePortal::start().await.unwrap();
    portal.set_fault(Fault::LostParagraph);
    let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    let config = install.load();
    let base = install.base.clone();
    let listener = install.take_listener();
    let (stop, stopped) = watch::channel(false);
    let (_reload, reloads) = tokio::sync::mpsc::unbounded_channel();
    let daemon = tokio::spawn(bantin::run(config, listener, stopped, reloads));

    // The first run starts at once (the source never ran); its end is recorded in /readyz.
    let started = Instant::now();
    let ready = loop {
        let ready: serde_json::Value = serde_json::from_str(&get(base.join("readyz").unwrap()).await).unwrap();
        if ready["sources"][0]["items"].as_u64() == Some(12) && !ready["sources"][0]["last_warning"].is_null() {
            break ready;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no run recorded: {ready}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let source = &ready["sources"][0];
    assert_eq!(ready["status"], "ok", "a warning does not degrade the source: {ready}");
    let warning = source["last_warning"].as_str().unwrap();
    assert!(warning.contains("ItemID=12345") && warning.contains("text in no field"), "{warning}");
    assert!(warning.contains("Đoạn văn này đứng sau hộp tin liên quan"), "{warning}");

    let metrics = get(base.join("metrics").unwrap()).await;
    let sample = [("source", "sample")];
    assert_eq!(metric(&metrics, "bantin_extraction_warnings_total", &sample), Some(1.0), "{metrics}");
    assert_eq!(metric(&metrics, "bantin_articles_new_total", &sample), Some(12.0), "{metrics}");

    stop.send(true).unwrap();
    daemon.await.unwrap().unwrap();
}
