//! README: "one run of a feed at a time", and politeness per host "across all feeds", across a
//! reload. The daemon runs in-process over a real SQLite file against a fake portal on
//! 127.0.0.1 that holds source a's first answer half-sent: the reload comes while that run is
//! in progress. The new schedule must not start a second run of a (it is counted as skipped),
//! and source b, added by the reload, must wait for the same host's pacing as a's run.

mod fake_portal;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use bantin::config::Config;
use fake_portal::{Portal, Reply};
use tokio::sync::{mpsc, watch};

const MIN_INTERVAL: Duration = Duration::from_millis(1000);

fn rss(source: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{source}</title><link>https://{source}.example/</link><description>d</description>
<item><title>Tin của {source}</title><link>https://{source}.example/tin/1</link><guid>{source}-1</guid><pubDate>Mon, 01 Jan 2024 08:00:00 +0700</pubDate><description>Nội dung {source}.</description></item>
</channel></rss>"#
    )
    .into_bytes()
}

fn feed_file(dir: &Path, portal: &Portal, name: &str) {
    let site = portal.url("/");
    let list = portal.url(&format!("/{name}.xml"));
    // Icons given, so a run is one request (no home-page look-up); once a year, so only the
    // start-up run (the source never ran) happens during the test.
    std::fs::write(
        dir.join(format!("feeds/{name}.toml")),
        format!(
            "name = \"{name}\"\ntitle = \"{name}\"\nsite = \"{site}\"\nprofile = \"rss\"\nlist_pages = [\"{list}\"]\n\
             schedule = \"0 0 1 1 *\"\nicon = \"{site}icon.png\"\nlogo = \"{site}logo.png\"\n"
        ),
    )
    .unwrap();
}

fn load(dir: &Path) -> Config {
    // No BANTIN_* variable of the caller's shell reaches this config.
    Config::load_with_env(&dir.join("bantin.toml"), std::iter::empty()).unwrap()
}

/// Every sample of the exposition, by name and labels in order: `name{a="x",b="y"}` → value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            Some((key.to_string(), value.parse().ok()?))
        })
        .collect()
}

async fn runs(base: &url::Url, source: &str, result: &str) -> f64 {
    let text = reqwest::get(base.join("metrics").unwrap()).await.unwrap().text().await.unwrap();
    let key = format!("bantin_scrape_runs_total{{source=\"{source}\",result=\"{result}\"}}");
    samples(&text).get(&key).copied().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_never_starts_a_second_run_of_a_source_nor_a_second_pacing() {
    let (a, b) = (rss("a"), rss("b"));
    // Only the first answer to a's list is held; the rest are answered at once.
    let held_once = std::sync::atomic::AtomicBool::new(false);
    let portal = Portal::start(move |path| {
        let body = match path {
            "/a.xml" => a.clone(),
            "/b.xml" => b.clone(),
            _ => return None,
        };
        let hold = path == "/a.xml" && !held_once.swap(true, std::sync::atomic::Ordering::SeqCst);
        Some(Reply { content_type: "application/rss+xml", body, hold })
    })
    .await;

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("feeds")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    std::fs::write(
        dir.path().join("bantin.toml"),
        format!(
            "listen = \"{addr}\"\ndatabase = \"bantin.sqlite\"\n[fetch]\nmin_interval_ms = {}\nobey_robots = false\nretries = 0\n",
            MIN_INTERVAL.as_millis()
        ),
    )
    .unwrap();
    feed_file(dir.path(), &portal, "a");
    let (stop, stopped) = watch::channel(false);
    let (reload, reloads) = mpsc::unbounded_channel();
    let daemon = tokio::spawn(bantin::run(load(dir.path()), listener, stopped, reloads));
    let base = url::Url::parse(&format!("http://{addr}/")).unwrap();

    // a's start-up run is in progress: its list answer is half-sent.
    portal.wait_for("a's list held", |s| s.holding.len() == 1).await;

    // The reload adds b, on the same portal.
    feed_file(dir.path(), &portal, "b");
    reload.send(Ok(load(dir.path()))).unwrap();

    // The new schedule finds a overdue (it never succeeded) while its run is in progress: it
    // skips it. A second run of a would reach the portal instead; whichever happens first
    // decides.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while runs(&base, "a", "skipped").await < 1.0 {
        let seen = portal.seen();
        assert!(
            seen.arrivals.iter().all(|r| r.path != "/a.xml" || r.id == 0),
            "a second run of a started beside the first: {:?}",
            seen.arrivals
        );
        assert!(tokio::time::Instant::now() < deadline, "a's run due at the reload was neither skipped nor started");
        // A poll interval; the verdict is what the metrics and the portal say.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // b's run comes with the host's shared pacing: at least min_interval after a's request,
    // although a's run holds its answer the whole time.
    let seen = portal.wait_for("b's list", |s| s.arrivals.iter().any(|r| r.path == "/b.xml")).await;
    let first = &seen.arrivals[0];
    let b_list = seen.arrivals.iter().find(|r| r.path == "/b.xml").unwrap();
    let gap = b_list.at - first.at;
    // The slot is taken just before a request is sent, so the gap the portal sees may be a
    // connection set-up shorter than the interval, never a whole interval shorter.
    assert!(gap >= MIN_INTERVAL.mul_f64(0.9), "b asked {gap:?} after a: its pacing is not a's");

    // a's run ends; both sources are stored once, each by one run.
    portal.release(first.id);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while runs(&base, "a", "ok").await < 1.0 || runs(&base, "b", "ok").await < 1.0 {
        assert!(tokio::time::Instant::now() < deadline, "the runs never finished: {:?}", portal.seen());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = portal.seen();
    let lists: Vec<&str> = seen.arrivals.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(lists, ["/a.xml", "/b.xml"], "one request per run, one run per source");
    assert_eq!(runs(&base, "a", "skipped").await, 1.0);
    for pair in seen.arrivals.windows(2) {
        assert!(pair[1].at - pair[0].at >= MIN_INTERVAL.mul_f64(0.9), "{:?}", seen.arrivals);
    }

    stop.send(true).unwrap();
    daemon.await.unwrap().unwrap();
}
