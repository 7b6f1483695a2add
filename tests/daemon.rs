//! The daemon as systemd runs it: `bantin::run` on its schedule against the sample portal,
//! with health, readiness and metrics read over HTTP while the portal fails and recovers.

mod common;

use std::time::{Duration, Instant};

use bantin::sample::{Fault, SamplePortal};
use common::Install;
use tokio::sync::watch;

async fn get(url: url::Url) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Polls `check` every 100 ms until it holds, for at most 20 s.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < Duration::from_secs(20), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_reports_failure_and_recovery_in_readyz_and_metrics() {
    let portal = SamplePortal::start().await.unwrap();
    portal.set_fault(Fault::Status(500));
    let install = Install::with_fetch(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap(), "retries = 0\n");
    install.set_schedule("*/2 * * * * *"); // every two seconds
    let config = install.load();
    let base = install.base.clone();
    let listener = install.take_listener();
    let (stop, stopped) = watch::channel(false);
    let (_reload, reloads) = tokio::sync::mpsc::unbounded_channel();
    let daemon = tokio::spawn(bantin::run(config, listener, stopped, reloads));

    let (status, live) = get(base.join("healthz").unwrap()).await;
    assert_eq!((status, live.as_str()), (200, "{\"status\":\"ok\"}"));

    // The first run (at once: the source never ran) fails on the 500s.
    eventually("a failed run in /readyz", async || get(base.join("readyz").unwrap()).await.1.contains("\"degraded\""))
        .await;
    let ready: serde_json::Value = serde_json::from_str(&get(base.join("readyz").unwrap()).await.1).unwrap();
    assert!(ready["sources"][0]["last_error"].as_str().unwrap().contains("HTTP 500"), "{ready}");
    assert!(ready["sources"][0]["consecutive_failures"].as_u64().unwrap() >= 1);
    let metrics = get(base.join("metrics").unwrap()).await.1;
    assert!(metrics.contains("bantin_portal_fetches_total{outcome=\"500\"}"), "{metrics}");
    assert!(metrics.contains("bantin_scrape_runs_total{source=\"sample\",result=\"failed\"}"), "{metrics}");

    // The portal comes back: the next runs store everything, and readiness is ok again.
    portal.set_fault(Fault::None);
    eventually("12 items in /readyz", async || {
        let (_, body) = get(base.join("readyz").unwrap()).await;
        body.contains("\"status\":\"ok\"") && body.contains("\"items\":12")
    })
    .await;
    // The store has them; the feed follows once the run's documents are rendered and swapped in.
    eventually("12 items in the feed", async || {
        let (status, feed) = get(base.join("feeds/sample.rss").unwrap()).await;
        status == 200 && rss::Channel::read_from(feed.as_bytes()).is_ok_and(|c| c.items().len() == 12)
    })
    .await;
    let metrics = get(base.join("metrics").unwrap()).await.1;
    for line in [
        "bantin_articles_new_total{source=\"sample\"} 12",
        "bantin_scrape_runs_total{source=\"sample\",result=\"ok\"}",
        "bantin_portal_fetches_total{outcome=\"200\"}",
        "bantin_feed_requests_total{status=\"200\"} 1",
        "bantin_scrape_duration_seconds_count{source=\"sample\"}",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }

    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), daemon).await.expect("stops within 5 s").unwrap().unwrap();
}

/// A child process killed if the test fails before it stops it.
struct KillOnDrop(Option<std::process::Child>);

impl KillOnDrop {
    fn get(&self) -> &std::process::Child {
        self.0.as_ref().unwrap()
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
        }
    }
}

fn signal(child: &std::process::Child, name: &str) {
    let status =
        std::process::Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

/// `bantin run` as systemd drives it: SIGHUP reloads the feeds (a broken config is refused and
/// the running one stays), SIGTERM stops it with exit code 0 within seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_and_sigterm_stops_cleanly() {
    let portal = SamplePortal::start().await.unwrap();
    let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    let base = install.base.clone();
    drop(install.take_listener()); // free the port for the daemon
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["run", "--config", install.config.to_str().unwrap()])
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(Some(child));
    let sources = async || -> usize {
        match reqwest::get(base.join("readyz").unwrap()).await {
            Ok(r) => serde_json::from_str::<serde_json::Value>(&r.text().await.unwrap()).unwrap()["sources"]
                .as_array()
                .map_or(0, Vec::len),
            Err(_) => 0,
        }
    };
    eventually("the daemon to serve", async || sources().await == 1).await;

    let second = std::fs::read_to_string(install.path("feeds/sample.toml"))
        .unwrap()
        .replace("name = \"sample\"", "name = \"second\"");
    std::fs::write(install.path("feeds/second.toml"), second).unwrap();
    signal(child.get(), "HUP");
    eventually("the reloaded feeds", async || sources().await == 2).await;

    std::fs::write(install.path("feeds/broken.toml"), "name = \"broken\"\nprofile = \"nope\"\n").unwrap();
    signal(child.get(), "HUP");
    // The refusal is observable: wait for it, then check the running config stayed.
    let metrics = async || match reqwest::get(base.join("metrics").unwrap()).await {
        Ok(r) => r.text().await.unwrap(),
        Err(_) => String::new(),
    };
    eventually("the reload to be refused", async || {
        metrics().await.contains("bantin_config_reloads_total{result=\"refused\"} 1")
    })
    .await;
    assert!(metrics().await.contains("bantin_config_reloads_total{result=\"ok\"} 1"), "the first reload applied");
    assert_eq!(sources().await, 2, "a bad config is refused; the running one stays");
    assert!(child.0.as_mut().unwrap().try_wait().unwrap().is_none(), "still running");

    let asked = Instant::now();
    signal(child.get(), "TERM");
    let mut running = child.0.take().unwrap();
    let status = tokio::task::spawn_blocking(move || running.wait().unwrap()).await.unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(asked.elapsed() < Duration::from_secs(5), "stopped in {:?}", asked.elapsed());
}
