//! README: "two in flight per host". A request is in flight until its body is read: a portal
//! that is slow to send bodies must not get a third request while two of its bodies are
//! still coming. A fake portal on 127.0.0.1 holds each body half-sent until the test lets it
//! finish, and counts the requests in progress at once.

mod fake_portal;

use std::sync::Arc;
use std::time::Duration;

use bantin::config::FetchConfig;
use bantin::fetch::{Fetcher, HostLoad};
use fake_portal::{Portal, Reply, html};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_flight_slot_is_held_until_the_body_is_read() {
    let portal =
        Portal::start(|_| Some(Reply { content_type: "text/html; charset=utf-8", body: html(64 * 1024), hold: true }))
            .await;
    let config = FetchConfig {
        max_in_flight: 2,
        min_interval: Duration::ZERO,
        obey_robots: false,
        trusted_hosts: vec!["127.0.0.1".into()],
        ..FetchConfig::polite("bantin-test")
    };
    // The observer hears each answer's status once its headers are in.
    let (headers_in, mut statuses) = tokio::sync::mpsc::unbounded_channel::<String>();
    let fetcher = Arc::new(
        Fetcher::observed(config, Arc::new(move |outcome: &str| drop(headers_in.send(outcome.to_string())))).unwrap(),
    );
    let pages: Vec<_> = (0..3)
        .map(|i| {
            let (fetcher, url) = (fetcher.clone(), portal.url(&format!("/Pages/{i}.aspx")));
            tokio::spawn(async move { fetcher.page(&url).await })
        })
        .collect();
    let host = portal.url("/");

    // Two requests sent, both answers' headers read by the client, both bodies half-sent.
    portal.wait_for("two held answers", |s| s.holding.len() >= 2).await;
    for _ in 0..2 {
        assert_eq!(statuses.recv().await.as_deref(), Some("200"));
    }
    // Now either the third request reaches the portal (the slot went with the headers) or the
    // fetcher shows it waiting behind two requests still in flight. Whichever comes first
    // decides; neither depends on how long anything takes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let seen = portal.seen();
        assert!(
            seen.arrivals.len() < 3,
            "a third request was sent while two bodies were still being read: {:?}",
            seen.arrivals
        );
        if fetcher.host_load(&host) == (HostLoad { in_flight: 2, waiting: 1 }) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "neither happened: {:?}", fetcher.host_load(&host));
        // A poll interval, not a wait for something to happen: the verdict is the state seen.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    // One body ends: then, and only then, the third request goes.
    let first = portal.seen().holding[0];
    portal.release(first);
    let seen = portal.wait_for("the third request", |s| s.arrivals.len() == 3).await;
    assert!(seen.arrivals[2].in_progress <= 2, "{:?}", seen.arrivals);
    for id in 0..3 {
        portal.wait_for("the answer held", |s| s.holding.contains(&id) || s.done.contains(&id)).await;
        portal.release(id);
    }
    for page in pages {
        let page = page.await.unwrap().expect("every page arrives whole");
        assert!(page.html.ends_with("</body></html>"), "the whole body was read");
    }
    let seen = portal.seen();
    assert_eq!(seen.max_in_progress, 2, "never more than two at once: {:?}", seen.arrivals);
    assert_eq!(fetcher.host_load(&host), HostLoad::default());
}
