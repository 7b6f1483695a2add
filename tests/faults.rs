//! The failure policy, proven on a fault-injecting portal on 127.0.0.1: whatever the portal does,
//! no item is invented, no stored item is lost, the feed keeps its last good content, the error
//! shows in `/readyz` (and the scrape's exit code), and the next good cycle recovers.

mod common;

use std::time::Instant;

use bantin::sample::{Fault, SamplePortal};
use common::{Install, stdout};

struct Case {
    fault: Fault,
    /// What the scrape's error line must say.
    error: &'static str,
}

async fn feed_titles(base: &url::Url) -> Vec<String> {
    let body = reqwest::get(base.join("feeds/sample.rss").unwrap()).await.unwrap().bytes().await.unwrap();
    rss::Channel::read_from(&body[..]).unwrap().items().iter().map(|i| i.title().unwrap().to_string()).collect()
}

async fn health(base: &url::Url) -> serde_json::Value {
    let body = reqwest::get(base.join("readyz").unwrap()).await.unwrap().bytes().await.unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_keeps_the_last_good_feed_and_recovers() {
    let portal = SamplePortal::start().await.unwrap();
    let list = portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap();
    let install = Install::with_fetch(
        &list,
        "timeout_secs = 1\nconnect_timeout_secs = 1\nretries = 1\nmax_body_bytes = 1048576\n",
    );
    assert!(install.cli(&["scrape"]).await.status.success());
    let (base, feeds) = install.serve();
    let good = feed_titles(&base).await;
    assert_eq!(good.len(), 12);

    let cases = [
        Case { fault: Fault::Status(500), error: "HTTP 500" },
        Case {
            fault: Fault::ServiceUnavailable { retry_after_secs: 3600 },
            error: "HTTP 503, asked to retry after 3600 s",
        },
        Case { fault: Fault::Hang, error: "timed out" },
        Case { fault: Fault::Drip, error: "timed out" },
        Case { fault: Fault::Truncated, error: "connection closed before message completed" },
        Case { fault: Fault::RedirectLoop, error: "too many redirects" },
        Case { fault: Fault::Huge, error: "body larger than 1048576 bytes" },
        Case { fault: Fault::RobotsDisallow, error: "disallowed by robots.txt" },
        Case { fault: Fault::ListLayoutChanged, error: "layout change" },
    ];
    for case in cases {
        portal.set_fault(case.fault);
        let started = Instant::now();
        let out = install.cli(&["scrape"]).await;
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{:?}: {text}", case.fault);
        assert!(text.contains("0 new, 0 updated"), "{:?}: {text}", case.fault);
        assert!(text.contains(case.error), "{:?}: wanted `{}` in {text}", case.fault, case.error);
        assert!(started.elapsed().as_secs() < 20, "{:?} took {:?}", case.fault, started.elapsed());
        assert_eq!(install.article_count(), 12, "{:?}: nothing lost", case.fault);
        feeds.changed("sample").await.unwrap(); // as the daemon does after a run that changed something
        assert_eq!(feed_titles(&base).await, good, "{:?}: the last good feed is served", case.fault);
        let h = health(&base).await;
        assert_eq!(h["status"], "degraded", "{:?}", case.fault);
        assert!(h["sources"][0]["last_error"].as_str().unwrap().contains(case.error), "{:?}: {h}", case.fault);

        portal.set_fault(Fault::None);
        let out = install.cli(&["scrape"]).await;
        assert!(out.status.success(), "{:?}: recovery: {}", case.fault, stdout(&out));
        assert_eq!(health(&base).await["status"], "ok", "{:?}: recovered", case.fault);
    }
}

/// Faults in the articles themselves: pages that lose their body never become items, and
/// pages in a charset they do not declare still read right (no mojibake items).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_article_pages_invent_nothing() {
    let portal = SamplePortal::start().await.unwrap();
    let list = portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap();
    let reference = Install::new(&list);
    assert!(reference.cli(&["scrape"]).await.status.success());
    let (reference_base, _) = reference.serve();
    let mut expected = feed_titles(&reference_base).await;
    expected.sort();

    portal.set_fault(Fault::NoViewData);
    let install = Install::new(&list);
    let out = install.cli(&["scrape"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("0 new") && stdout(&out).contains("12 errors"), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .contains("no body: no Block_BanTin_ViewData web part and no article text after the Block_BanTin_Toolbar"),
        "{}",
        stdout(&out)
    );
    assert_eq!(install.article_count(), 0, "no item from a page without its body");

    for fault in [Fault::InvalidUtf8, Fault::WrongCharset] {
        portal.set_fault(fault);
        let install = Install::new(&list);
        let out = install.cli(&["scrape"]).await;
        assert!(out.status.success(), "{fault:?}: {}", stdout(&out));
        let (base, _) = install.serve();
        let mut titles = feed_titles(&base).await;
        titles.sort();
        assert_eq!(titles, expected, "{fault:?}: the same Vietnamese titles, no mojibake");
    }

    // A 503 that says "come back in a second" is waited out, then retried.
    portal.set_fault(Fault::ServiceUnavailable { retry_after_secs: 1 });
    let install = Install::with_fetch(&list, "retries = 2\n");
    let before = portal.requests().len();
    let started = Instant::now();
    let out = install.cli(&["scrape"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("HTTP 503"), "{}", stdout(&out));
    assert!(started.elapsed().as_millis() >= 2000, "two Retry-After waits of 1 s: {:?}", started.elapsed());
    let list_requests =
        portal.requests()[before..].iter().filter(|r| r.starts_with("GET /Pages/tin-tuc-su-kien.aspx")).count();
    assert_eq!(list_requests, 3, "one request and two retries");
}

/// Issue 13: the first request to a host is its robots.txt; a portal still starting (connection
/// refused) is retried there as anywhere, not reported as down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_on_the_robots_request_is_retried() {
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let url = url::Url::parse(&format!("http://{addr}/Pages/tin-tuc-su-kien.aspx")).unwrap();
    let config = bantin::config::FetchConfig {
        retries: 3,
        retry_base: std::time::Duration::from_millis(200),
        min_interval: std::time::Duration::ZERO,
        trusted_hosts: vec!["127.0.0.1".into()],
        ..bantin::config::FetchConfig::polite("bantin-test")
    };
    let fetcher = bantin::fetch::Fetcher::new(config).unwrap();
    // The portal comes up 150 ms after the first attempt was refused.
    let late = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        SamplePortal::start_on(addr).await.unwrap()
    });
    let page = fetcher.page(&url).await;
    let portal = late.await.unwrap();
    assert!(page.is_ok(), "{page:?}");
    assert_eq!(portal.requests().first().map(String::as_str), Some("GET /robots.txt"), "{:?}", portal.requests());
}
