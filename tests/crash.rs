//! Crash safety: `bantin scrape` killed with SIGKILL at random points, fifty times, while it
//! writes the store and the static files. After every kill the database passes
//! `PRAGMA integrity_check`, no committed article is gone, and every exported feed parses
//! whole (files are written to a temporary name and renamed).

mod common;

use std::time::Duration;

use bantin::sample::{Fault, SamplePortal};
use common::{Install, stdout};

fn check_exports(install: &Install, round: usize) {
    check_dir(&install.path("public/feeds"), round);
}

fn check_dir(dir: &std::path::Path, round: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            check_dir(&path, round);
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let whole = match path.extension().and_then(|e| e.to_str()) {
            Some("rss") => rss::Channel::read_from(&bytes[..]).is_ok(),
            Some("atom") => atom_syndication::Feed::read_from(&bytes[..]).is_ok(),
            Some("json") => serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
            _ => true, // .gz twins, and temporary files a kill left behind (never read by anyone)
        };
        assert!(whole, "round {round}: {name} is partial");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_kills_lose_nothing() {
    let portal = SamplePortal::start().await.unwrap();
    let install = Install::with_fetch(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap(), "timeout_secs = 5\n");
    let feed_file = install.path("feeds/sample.toml");
    let text = std::fs::read_to_string(&feed_file).unwrap();
    // Every run re-checks articles, so every run writes.
    std::fs::write(&feed_file, format!("{text}recheck_hours = 0\n")).unwrap();
    let config = install.config.clone();
    let database = install.path("state/bantin.sqlite");

    let mut committed = 0;
    let mut killed = 0;
    for round in 0..50 {
        // The edit comes and goes, so re-checks keep finding changes to write.
        portal.set_fault(if round % 2 == 0 { Fault::EditedArticle } else { Fault::None });
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(["scrape", "--config", config.to_str().unwrap()])
            .env("RUST_LOG", "off")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(fastrand::u64(0..120))).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        let _ = child.wait();

        if database.exists() {
            let conn = rusqlite::Connection::open(&database).unwrap();
            let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(integrity, "ok", "round {round}");
            let has_table: bool = conn
                .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'articles'", [], |r| r.get::<_, i64>(0))
                .map(|n| n == 1)
                .unwrap();
            if has_table {
                let count: usize =
                    conn.query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0)).unwrap() as usize;
                assert!(count >= committed, "round {round}: {count} articles after {committed} were committed");
                committed = count;
            }
        }
        check_exports(&install, round);
    }
    assert!(killed >= 25, "most rounds were killed mid-run ({killed} of 50)");

    // A clean run afterwards completes the store.
    portal.set_fault(Fault::None);
    let out = install.cli(&["scrape"]).await;
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(install.article_count(), 12);
    assert!(install.cli(&["export"]).await.status.success());
    check_exports(&install, 50);
    let mut leftovers = Vec::new();
    let mut dirs = vec![install.path("public")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().is_dir() {
                dirs.push(entry.path());
            } else if entry.file_name().to_string_lossy().starts_with(".bantin-tmp-") {
                leftovers.push(entry.path());
            }
        }
    }
    assert!(leftovers.is_empty(), "temporary files of killed runs are cleaned up: {leftovers:?}");
}
