//! Crash safety: `bantin scrape` killed with SIGKILL at every crash point a run passes, one
//! run per point (`BANTIN_TEST_CRASH_AT=N`, see `bantin::fault`: articles written but not
//! committed, committed; a file written but not renamed, renamed). Twice: from an empty install,
//! and from a full one whose article was edited since. Each run starts from the same saved
//! state, so point N is the same place every time. After each kill the database passes
//! `PRAGMA integrity_check`, every article is as it was before the run or as a whole run leaves
//! it (none lost, none half-updated), and every exported file (`.gz` twins included) that was
//! there is still there and whole.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use bantin::sample::{Fault, SamplePortal};
use common::Install;

/// An article as it matters here: its title and body hash, by guid.
type Articles = BTreeMap<String, (String, String)>;

/// The store's articles and the exported files, as found between runs.
struct State {
    articles: Articles,
    files: BTreeSet<PathBuf>,
}

fn articles(database: &Path) -> Articles {
    if !database.exists() {
        return Articles::new();
    }
    let conn = rusqlite::Connection::open(database).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    let tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'articles'", [], |r| r.get(0)).unwrap();
    if tables == 0 {
        return Articles::new();
    }
    let mut statement = conn.prepare("SELECT guid, title, content_hash FROM articles").unwrap();
    statement.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))).unwrap().collect::<Result<_, _>>().unwrap()
}

/// Every exported file under `dir` (relative paths), each checked whole: feeds parse, `.gz`
/// twins decompress to a document that parses. Temporary files a kill left are not served.
fn files(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(".bantin-tmp-") {
                continue;
            }
            let mut bytes = std::fs::read(&path).unwrap();
            let mut inner = path.clone();
            if name.ends_with(".gz") {
                let mut plain = Vec::new();
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut plain)
                    .unwrap_or_else(|e| panic!("{name} is not whole gzip: {e}"));
                bytes = plain;
                inner.set_extension("");
            }
            let whole = match inner.extension().and_then(|e| e.to_str()) {
                Some("rss") => rss::Channel::read_from(&bytes[..]).is_ok(),
                Some("atom") => atom_syndication::Feed::read_from(&bytes[..]).is_ok(),
                Some("json") => serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
                Some("html") => String::from_utf8(bytes).is_ok_and(|t| t.trim_end().ends_with("</html>")),
                Some("xml") | Some("xsl") => {
                    !bytes.is_empty() && String::from_utf8(bytes).is_ok_and(|t| t.trim_end().ends_with('>'))
                }
                other => panic!("an exported file of an unknown kind: {name} ({other:?})"),
            };
            assert!(whole, "{name} is partial");
            found.insert(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    found
}

fn state(install: &Install) -> State {
    State { articles: articles(&install.path("state/bantin.sqlite")), files: files(&install.path("public")) }
}

fn copy_dir(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    if !from.exists() {
        return;
    }
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The install's state and exported files put back as saved in `saved`.
fn restore(install: &Install, saved: &Path) {
    for dir in ["state", "public"] {
        copy_dir(&saved.join(dir), &install.path(dir));
    }
}

/// `bantin scrape`, killed at crash point `at` (0: never); the point it died at, if it did.
fn scrape(install: &Install, at: u64) -> Option<String> {
    let out = common::bantin()
        .args(["scrape", "--config", install.config.to_str().unwrap()])
        .env("RUST_LOG", "off")
        .env("BANTIN_TEST_CRASH_AT", at.to_string())
        .output()
        .unwrap();
    let stderr = common::stderr(&out);
    match out.status.code() {
        Some(0) => None,
        None => Some(stderr.lines().find_map(|l| l.strip_prefix("crash point ")).expect(&stderr).to_string()),
        Some(code) => panic!("scrape exited {code}: {stderr}"),
    }
}

/// What the kills of one scenario checked.
#[derive(Default)]
struct Checked {
    kills: usize,
    points: BTreeSet<String>,
    articles: usize,
    files: usize,
    /// The last point of the last scenario where a temporary file was left behind.
    temporary_left_at: Option<u64>,
}

/// Kills a run from `saved` at each of its crash points in turn, until a run passes them all.
fn kill_at_every_point(install: &Install, saved: &Path, checked: &mut Checked) {
    restore(install, saved);
    let before = state(install);
    assert!(scrape(install, 0).is_none(), "a whole run from the saved state");
    let whole = state(install);
    assert!(!whole.articles.is_empty() && !whole.files.is_empty(), "a whole run stores and exports");
    // Every point among the first (the store's, then the first files), then every third: a
    // run passes about fifty, and each kill costs a whole debug-build run. Three does not
    // divide into the two points per file, so both kinds of file point keep coming up.
    let points = (1..=6).chain((9..500).step_by(3));
    for at in points {
        restore(install, saved);
        let Some(point) = scrape(install, at) else { return };
        let after = state(install);
        for (guid, article) in &after.articles {
            assert!(
                before.articles.get(guid) == Some(article) || whole.articles.get(guid) == Some(article),
                "killed at {point}: {guid} is neither as before nor as a whole run leaves it: {article:?}"
            );
        }
        let lost: Vec<&String> = before.articles.keys().filter(|g| !after.articles.contains_key(*g)).collect();
        assert!(lost.is_empty(), "killed at {point}: articles lost: {lost:?}");
        let gone: Vec<&PathBuf> = before.files.difference(&after.files).collect();
        assert!(gone.is_empty(), "killed at {point}: files gone: {gone:?}");
        let unknown: Vec<&PathBuf> = after.files.difference(&whole.files).collect();
        assert!(unknown.is_empty(), "killed at {point}: files a whole run does not write: {unknown:?}");
        checked.kills += 1;
        checked.articles += after.articles.len();
        checked.files += after.files.len();
        let name = point.split_once(": ").map_or(point.clone(), |(_, name)| name.to_string());
        if name.ends_with("not renamed") {
            checked.temporary_left_at = Some(at);
        }
        checked.points.insert(name);
    }
    panic!("a run passes fewer than 500 crash points");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_at_any_write_loses_nothing() {
    let portal = SamplePortal::start().await.unwrap();
    let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    // Every run re-checks the articles, so a run over a full store writes too.
    install.add_to_feed("recheck_hours = 0");
    let saved = tempfile::tempdir().unwrap();
    let mut checked = Checked::default();

    // From nothing: the first scrape stores twelve articles and exports every file.
    let empty = saved.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let install_ref = &install;
    tokio::task::block_in_place(|| kill_at_every_point(install_ref, &empty, &mut checked));
    let first = checked.kills;

    // From a full install, the seed article edited since: one article and its feeds rewritten.
    let full = saved.path().join("full");
    restore(&install, &empty);
    tokio::task::block_in_place(|| assert!(scrape(install_ref, 0).is_none()));
    for dir in ["state", "public"] {
        copy_dir(&install.path(dir), &full.join(dir));
    }
    portal.set_fault(Fault::EditedArticle);
    tokio::task::block_in_place(|| kill_at_every_point(install_ref, &full, &mut checked));
    println!(
        "{} kills ({first} from empty, {} from full) at {:?}; {} articles and {} files (.gz included) checked after them",
        checked.kills,
        checked.kills - first,
        checked.points,
        checked.articles,
        checked.files
    );
    assert!(first > 0 && checked.kills > first, "both runs were killed");
    let every_kind = [
        "store: articles written, not committed",
        "store: articles committed",
        "export: temporary file written, not renamed",
        "export: file renamed",
    ];
    for kind in every_kind {
        assert!(checked.points.contains(kind), "no kill at `{kind}`: {:?}", checked.points);
    }
    assert!(checked.articles > 0 && checked.files > 0, "the kills checked articles and files");

    // After a kill, the next run completes the store and cleans up what the kill left.
    restore(&install, &full);
    tokio::task::block_in_place(|| {
        let at = checked.temporary_left_at.expect("a kill left a temporary file");
        assert!(scrape(install_ref, at).unwrap().ends_with("not renamed"));
        assert!(walk(&install_ref.path("public")).iter().any(|p| p.to_string_lossy().contains(".bantin-tmp-")));
        assert!(scrape(install_ref, 0).is_none());
    });
    // The store is complete; `scrape` exports only after a change, so the files come with the
    // next export (the killed run had committed the edit).
    assert!(install.cli(&["export"]).await.status.success());
    assert_eq!(install.article_count(), 12);
    let leftovers: Vec<PathBuf> = walk(&install.path("public"))
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".bantin-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files of killed runs are cleaned up: {leftovers:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_dir() {
            found.extend(walk(&entry.path()));
        } else {
            found.push(entry.path());
        }
    }
    found
}
