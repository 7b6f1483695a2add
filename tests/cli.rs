//! The command line's contract: bad input gives one line naming what and where, exit code 2;
//! a failed source exits 1 and changes no stored data.

mod common;

use bantin::sample::{Fault, SamplePortal};
use common::{Install, cli, stderr, stdout};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn missing_config_names_the_file() {
    let out = cli(args(&["check", "--config", "/nonexistent/bantin.toml"])).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("bantin: /nonexistent/bantin.toml: cannot read: No such file"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Each broken feed file and the words its error must contain: the file, the key, the reason.
#[tokio::test]
async fn bad_feed_files_name_file_key_and_reason() {
    let cases: [(&str, &str, &[&str]); 6] = [
        ("colour = \"red\"\n", "colour", &["unknown field"]),
        ("profile = \"wordpress\"\n", "profile", &["unknown profile `wordpress`"]),
        ("schedule = \"every hour\"\n", "schedule", &["not a cron expression", "5 fields"]),
        ("schedule = \"0 8 * * 9\"\n", "schedule", &["weekday 9 out of range"]),
        ("list_pages = [\"ftp://x/\"]\n", "list_pages[0]", &["not an http(s) URL"]),
        ("[selectors]\ntitle = \"h1[\"\n", "selectors.title", &["not a CSS selector"]),
    ];
    for (extra, key, reasons) in cases {
        let install = Install::new(&url::Url::parse("http://127.0.0.1:9/list").unwrap());
        let file = install.path("feeds/sample.toml");
        let mut text = std::fs::read_to_string(&file).unwrap();
        // Later keys override earlier ones in these tests by replacing the line.
        let first_word = extra.split([' ', '\n']).next().unwrap();
        text = text.lines().filter(|l| !l.starts_with(&format!("{first_word} "))).collect::<Vec<_>>().join("\n");
        std::fs::write(&file, format!("{text}\n{extra}")).unwrap();
        let out = install.cli(&["check"]).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{extra}: {err}");
        assert!(err.contains(&format!("{}: key `{key}`", file.display())), "{extra}: {err}");
        for reason in reasons {
            assert!(err.contains(reason), "{extra}: {err}");
        }
    }
}

#[tokio::test]
async fn bad_daemon_setting_names_key() {
    let install = Install::new(&url::Url::parse("http://127.0.0.1:9/list").unwrap());
    std::fs::write(&install.config, "listen = \"localhost\"\n").unwrap();
    let err = stderr(&install.cli(&["check"]).await);
    assert!(err.contains("bantin.toml: key `listen`: `localhost` is not an address:port"), "{err}");
    std::fs::write(&install.config, "[fetch]\ntimeout_secs = \"ten\"\n").unwrap();
    let err = stderr(&install.cli(&["check"]).await);
    assert!(err.contains("key `fetch.timeout_secs`: invalid type"), "{err}");
    // Values a typo gives: they passed `check` and then hung the first scrape.
    std::fs::write(&install.config, "[fetch]\nmin_interval_ms = 18446744073709551615\n").unwrap();
    let out = install.cli(&["check"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("key `fetch.min_interval_ms`: 18446744073709551615 is out of range 0-3600000"));
    std::fs::write(&install.config, "max_connections = 0\n").unwrap();
    assert!(stderr(&install.cli(&["check"]).await).contains("key `max_connections`: must be from 1 to 1000000"));
}

#[tokio::test]
async fn check_prints_next_runs() {
    let install = Install::new(&url::Url::parse("http://127.0.0.1:9/list").unwrap());
    let out = install.cli(&["check"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text.lines().find(|l| l.contains("schedule `*/30 * * * *`")).expect(&text);
    assert_eq!(line.matches("+07:00").count(), 3, "{line}");

    // A schedule whose year is over: the config still loads, and check says the feed will not
    // be scraped again.
    install.set_schedule("0 0 8 1 1 * 2001");
    let out = install.cli(&["check"]).await;
    assert!(out.status.success(), "a warning, not a refused config: {}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.starts_with("  warning: schedule `0 0 8 1 1 * 2001` has no run after ")
            && l.ends_with(": the source will not be scraped again")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_sources_exit_1_and_keep_stored_articles() {
    let portal = SamplePortal::start().await.unwrap();
    let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    let first = install.cli(&["scrape"]).await;
    assert!(first.status.success(), "{}{}", stdout(&first), stderr(&first));
    assert_eq!(install.article_count(), 12);
    let (base, _feeds) = install.serve();

    // A portal that refuses connections.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = url::Url::parse(&format!("http://{}/Pages/tin-tuc-su-kien.aspx", closed.local_addr().unwrap())).unwrap();
    drop(closed);
    install.write_feed(&dead);
    let out = install.cli(&["scrape"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 new"), "{}", stdout(&out));
    assert!(stdout(&out).contains("  error: http://127.0.0.1:"), "{}", stdout(&out));
    assert_eq!(install.article_count(), 12, "nothing deleted");

    // A portal whose list page no longer has article links (layout change).
    install.write_feed(&portal.url().join("/robots.txt").unwrap());
    let out = install.cli(&["scrape", "--feed", "sample"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no article links found on"), "{}", stdout(&out));
    assert_eq!(install.article_count(), 12, "nothing deleted");

    // The feed keeps serving the last good content, and health says what went wrong.
    let body = reqwest::get(base.join("feeds/sample.rss").unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(rss::Channel::read_from(&body[..]).unwrap().items().len(), 12);
    let health = reqwest::get(base.join("readyz").unwrap()).await.unwrap().text().await.unwrap();
    assert!(health.contains("\"status\":\"degraded\"") && health.contains("no article links"), "{health}");

    // The real list page redesigned: it answered with links before, now with none.
    install.write_feed(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    portal.set_fault(Fault::ListLayoutChanged);
    let out = install.cli(&["scrape"]).await;
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("  error: layout change: http://127.0.0.1:"), "{text}");
    assert!(text.contains("/Pages/tin-tuc-su-kien.aspx listed 8 articles before and none now"), "{text}");
    assert_eq!(install.article_count(), 12, "nothing deleted");
    portal.set_fault(Fault::None);
    let out = install.cli(&["scrape"]).await;
    assert!(out.status.success(), "recovers on the next good cycle: {}", stdout(&out));
    let health = reqwest::get(base.join("readyz").unwrap()).await.unwrap().text().await.unwrap();
    assert!(health.contains("\"status\":\"ok\""), "{health}");

    let out = install.cli(&["scrape", "--feed", "other"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no feed named `other`"));
}

#[tokio::test]
async fn extract_prints_the_article_as_json() {
    let page = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/publishing-portal/article-12345.html");
    let url = "https://backan.gov.vn/Pages/chi-tiet-tin-tuc.aspx?ItemID=12345&Source=/Pages/x.aspx";
    let out = cli(args(&["extract", "--profile", "publishing-portal", "--url", url, page])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["url"], "https://backan.gov.vn/pages/chi-tiet-tin-tuc.aspx?ItemID=12345");
    assert_eq!(json["id"], "backan.gov.vn/pages/chi-tiet-tin-tuc.aspx?ItemID=12345");
    assert_eq!(json["title"], "Phấn đấu tăng trưởng công nghiệp năm 2024 đạt trên 16%");
    assert_eq!(json["published"], "2024-04-05T00:00:00+07:00");
    assert_eq!(json["author"], "Thu Cúc");
    assert_eq!(json["image"]["url"], "https://backan.gov.vn/PictureLibrary/9f35456be5aa0969/image003.jpg");
    assert_eq!(json["image"]["caption"], "Sản xuất gỗ tại Công ty TNHH Minh Ngọc, huyện Chợ Mới");
    let text = json["content_text"].as_str().unwrap();
    assert_eq!(text.split("\n\n").count(), 8, "eight body paragraphs");
    assert!(!text.contains("Thu Cúc") && !text.contains("Sản xuất gỗ tại"), "author and caption not in the body");

    // The same page on standard input gives the same article.
    let stdin_out = tokio::task::spawn_blocking(move || {
        common::bantin()
            .args(["extract", "--url", url, "-"])
            .stdin(std::fs::File::open(page).unwrap())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(stdin_out.stdout, out.stdout);

    let broken = cli(args(&["extract", "--url", url, concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")])).await;
    assert_eq!(broken.status.code(), Some(2));
    assert!(stderr(&broken).contains("no title"), "{}", stderr(&broken));
}

/// The shipped config/bantin.toml documents every default: loading it gives the same settings
/// as loading an empty file, and it names every key the daemon accepts.
#[test]
fn shipped_config_states_the_defaults() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let etc = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("config/bantin.toml"), etc.path().join("bantin.toml")).unwrap();
    std::fs::create_dir(etc.path().join("feeds")).unwrap();
    for feed in std::fs::read_dir(root.join("feeds")).unwrap() {
        let feed = feed.unwrap().path();
        std::fs::copy(&feed, etc.path().join("feeds").join(feed.file_name().unwrap())).unwrap();
    }
    let shipped = bantin::config::Config::load(&etc.path().join("bantin.toml")).unwrap();
    std::fs::write(etc.path().join("empty.toml"), "").unwrap();
    let defaults = bantin::config::Config::load(&etc.path().join("empty.toml")).unwrap();
    assert_eq!(format!("{shipped:?}"), format!("{defaults:?}"));
    assert_eq!(shipped.feeds.len(), 1);
    assert_eq!(shipped.feeds[0].name, "backan");

    let text = std::fs::read_to_string(root.join("config/bantin.toml")).unwrap();
    for key in bantin::config::KEYS {
        let leaf = key.rsplit('.').next().unwrap();
        assert!(
            text.lines().any(|l| l.trim_start_matches("# ").starts_with(&format!("{leaf} = "))),
            "{key} undocumented"
        );
    }
}

/// A reader's OPML export becomes feed files that load as feed sources; names never collide.
#[tokio::test]
async fn opml_export_becomes_feed_files() {
    let install = Install::new(&url::Url::parse("http://127.0.0.1:9/list").unwrap());
    let opml = install.path("reader.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>Reader</title></head><body>
        <outline text="Tin tỉnh"><outline type="rss" text="Báo Bắc Kạn" xmlUrl="https://baobackan.example.vn/rss/thoi-su.rss" htmlUrl="https://baobackan.example.vn/"/>
        <outline type="rss" title="Sample" text="Sample" xmlUrl="https://other.example/feed.xml"/></outline>
        <outline text="no feed here"/></body></opml>"#,
    )
    .unwrap();
    let out = install.cli(&["import-opml", opml.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 feed files written"), "{}", stdout(&out));
    let text = std::fs::read_to_string(install.path("feeds/bao-bac-kan.toml")).unwrap();
    assert!(text.contains("name = \"bao-bac-kan\"") && text.contains("profile = \"feed\""), "{text}");
    assert!(text.contains("list_pages = [\"https://baobackan.example.vn/rss/thoi-su.rss\"]"), "{text}");
    assert!(install.path("feeds/sample-2.toml").exists(), "`sample` is taken by the existing feed");
    let check = install.cli(&["check"]).await;
    assert!(check.status.success(), "the files load: {}", stderr(&check));
    assert_eq!(stdout(&check).matches("\nfeed ").count() + usize::from(stdout(&check).starts_with("feed ")), 3);

    // The same export again: every feed is configured already, nothing is written.
    let files = || std::fs::read_dir(install.path("feeds")).unwrap().count();
    let before = files();
    let again = install.cli(&["import-opml", opml.to_str().unwrap()]).await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("0 feed files written, 2 feeds already configured"), "{}", stdout(&again));
    assert_eq!(files(), before);
}

/// `bantin export` says how many files it wrote: every one, `.gz` twins included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_counts_every_file_it_writes() {
    let portal = SamplePortal::start().await.unwrap();
    let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    assert!(install.cli(&["scrape"]).await.status.success());
    let out_dir = install.path("exported");
    let out = install.cli(&["export", "--out", out_dir.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).map(|p| if p.is_dir() { count(&p) } else { 1 }).sum()
    }
    let written = count(&out_dir);
    assert!(written > 14, "feeds, twins, index, OPML, stylesheet: {written}");
    assert!(stdout(&out).starts_with(&format!("{written} files written to ")), "{}", stdout(&out));
}

/// A database that is another program's, or newer than this bantin, is refused with exit 2 and
/// left byte for byte as it was (the refusal used to switch it to WAL first).
#[tokio::test]
async fn a_database_bantin_cannot_use_is_refused_untouched() {
    let install = Install::new(&url::Url::parse("http://127.0.0.1:9/list").unwrap());
    let db = install.path("state/bantin.sqlite");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let make = |setup: &str| {
        let _ = std::fs::remove_file(&db);
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(setup).unwrap();
        drop(conn);
        std::fs::read(&db).unwrap()
    };
    let cases = [
        ("CREATE TABLE articles (id INTEGER); PRAGMA user_version = 99;", "newer than this bantin"),
        ("CREATE TABLE invoices (id INTEGER);", "is not a bantin database: it has tables bantin did not create"),
        ("PRAGMA application_id = 1234;", "is not a bantin database: its application id is 0x4d2"),
    ];
    for (setup, said) in cases {
        let before = make(setup);
        for command in [&["scrape"][..], &["render", "--feed", "sample", "--format", "rss"]] {
            let out = install.cli(command).await;
            assert_eq!(out.status.code(), Some(2), "{setup} / {command:?}: {}", stderr(&out));
            assert!(stderr(&out).contains(said), "{setup}: {}", stderr(&out));
            assert_eq!(std::fs::read(&db).unwrap(), before, "{setup}: the file is unchanged");
            assert!(!install.path("state/bantin.sqlite-wal").exists(), "{setup}: no WAL created");
        }
    }
    std::fs::write(&db, "not a database at all, just text that is long enough to be a header......").unwrap();
    let out = install.cli(&["scrape"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not an SQLite database"), "{}", stderr(&out));
}

/// `bantin extract … | head` panicked on the broken pipe; a reader that stops early now ends
/// the command quietly.
#[test]
fn output_to_a_reader_that_stops_early_is_no_panic() {
    use std::io::Read;
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/publishing-portal/article-12345.html"
    ))
    .unwrap();
    let at = seed.find("<p style=\"text-align: justify;\">").unwrap();
    // A body larger than a pipe's buffer, so the write meets the closed pipe.
    let big = format!("{}{}{}", &seed[..at], "<p>Nội dung dài của bài viết.</p>".repeat(8_000), &seed[at..]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.html");
    std::fs::write(&file, big).unwrap();
    let mut child = common::bantin()
        .args(["extract", "--url", "https://portal.example/Pages/a.aspx?ItemID=1", file.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe closes
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// `bantin ARGS` with `env` set (and nothing else of the test's own BANTIN_* variables).
async fn cli_with_env(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || common::bantin().args(&args).envs(env).output().unwrap()).await.unwrap()
}

/// Issue 13: `-c`, environment overrides that name themselves in errors, and the effective
/// settings printed as TOML that loads back to the same settings.
#[tokio::test]
async fn settings_come_from_the_file_then_the_environment() {
    let install = Install::new(&url::Url::parse("http://127.0.0.1:9/list").unwrap());
    let config = install.config.display().to_string();
    let printed = cli_with_env(
        &["check", "-c", &config, "--print-config"],
        &[("BANTIN_LISTEN", "127.0.0.1:9999"), ("BANTIN_FETCH_TIMEOUT_SECS", "7"), ("BANTIN_LOG_FORMAT", "json")],
    )
    .await;
    assert!(printed.status.success(), "{}", stderr(&printed));
    let text = stdout(&printed);
    let toml_start = text.find("# The settings in effect").expect("the settings");
    let settings: toml::Table = toml::from_str(&text[toml_start..]).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(settings["listen"].as_str(), Some("127.0.0.1:9999"));
    assert_eq!(settings["fetch"]["timeout_secs"].as_integer(), Some(7));
    assert_eq!(settings["fetch"]["min_interval_ms"].as_integer(), Some(0), "from the file");
    assert_eq!(settings["fetch"]["max_redirects"].as_integer(), Some(5), "the default");
    assert_eq!(settings["log_format"].as_str(), Some("json"));
    for key in bantin::config::KEYS {
        let found = match key.split_once('.') {
            Some((table, leaf)) => settings[table].get(leaf).is_some(),
            None => settings.get(key).is_some(),
        };
        assert!(found, "{key} printed");
    }
    // What is printed is a config: loaded again, the same settings.
    let again = install.path("printed.toml");
    std::fs::write(&again, &text[toml_start..]).unwrap();
    let loaded = bantin::config::Config::load_with_env(&again, std::iter::empty()).unwrap();
    let printed_settings = text[toml_start..].split_once('\n').unwrap().1;
    assert_eq!(loaded.to_toml(), printed_settings);

    let bad = cli_with_env(&["check", "-c", &config], &[("BANTIN_ALL_LIMIT", "many")]).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("key `all_limit`: BANTIN_ALL_LIMIT: `many` is not a number"), "{}", stderr(&bad));
    let zero = cli_with_env(&["check", "-c", &config], &[("BANTIN_ALL_LIMIT", "0")]).await;
    assert!(stderr(&zero).contains("must be at least 1 (set by BANTIN_ALL_LIMIT)"), "{}", stderr(&zero));
}

#[tokio::test]
async fn completions_and_the_manual_page() {
    let bash = cli_with_env(&["completions", "bash"], &[]).await;
    assert!(bash.status.success() && stdout(&bash).contains("_bantin()"), "{}", stdout(&bash));
    assert!(stdout(&bash).contains("--print-config"), "subcommands' flags complete");
    let zsh = cli_with_env(&["completions", "zsh"], &[]).await;
    assert!(stdout(&zsh).starts_with("#compdef bantin"), "{}", stdout(&zsh));
    let man = cli_with_env(&["man"], &[]).await;
    let page = stdout(&man);
    assert!(page.contains(".TH bantin") && page.contains("BANTIN_CONFIG"), "{page}");
}

/// Logs are plain text when stderr is not a terminal (journald, a file), or JSON lines.
#[tokio::test]
async fn logs_have_no_colour_codes_off_a_terminal_and_can_be_json() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = url::Url::parse(&format!("http://{}/list", closed.local_addr().unwrap())).unwrap();
    drop(closed);
    let install = Install::new(&dead);
    let config = install.config.display().to_string();
    let text = cli_with_env(&["scrape", "-c", &config], &[("RUST_LOG", "info")]).await;
    let logs = stderr(&text);
    assert!(logs.contains("run finished"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "no ANSI escape codes: {logs:?}");
    let json = cli_with_env(&["scrape", "-c", &config], &[("RUST_LOG", "info"), ("BANTIN_LOG_FORMAT", "json")]).await;
    let lines: Vec<serde_json::Value> = stderr(&json)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let finished = lines.iter().find(|l| l["message"] == "run finished").expect("a JSON line per event");
    assert_eq!(finished["level"], "INFO");
    assert_eq!(finished["source"], "sample");
}
