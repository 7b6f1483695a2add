//! Helpers shared by the integration tests: a temporary install (config + feeds + database)
//! pointing at the sample portal, the CLI as a child process, and the server on a free port.
#![allow(dead_code)] // each test binary uses its own subset

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use bantin::config::Config;
use bantin::serve::Feeds;
use bantin::store::Store;
use url::Url;

/// A config directory laid out like /etc/bantin, with one feed over `portal`.
pub struct Install {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    /// Bound before the config is written, so `public_url` (self links, static files) is the
    /// address the test server really answers on.
    listener: std::sync::Mutex<Option<std::net::TcpListener>>,
    pub base: Url,
}

impl Install {
    pub fn new(list_page: &Url) -> Install {
        Install::with_fetch(list_page, "timeout_secs = 5\n")
    }

    /// An install whose `[fetch]` table also has `fetch` (TOML lines).
    pub fn with_fetch(list_page: &Url, fetch: &str) -> Install {
        let dir = tempfile::tempdir().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let base = Url::parse(&format!("http://{addr}/")).unwrap();
        let config = dir.path().join("bantin.toml");
        std::fs::write(
            &config,
            format!(
                "listen = \"{addr}\"\npublic_url = \"{base}\"\ndatabase = \"state/bantin.sqlite\"\noutput_dir = \"public\"\nall_limit = 5\n\
                 [fetch]\nmin_interval_ms = 0\nretry_base_ms = 10\n{fetch}"
            ),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("feeds")).unwrap();
        let install = Install { dir, config, listener: std::sync::Mutex::new(Some(listener)), base };
        install.write_feed(list_page);
        install
    }

    /// (Re)writes the one feed definition, `sample`, with `list_page` as its list.
    pub fn write_feed(&self, list_page: &Url) {
        let site = list_page.join("/").unwrap();
        std::fs::write(
            self.dir.path().join("feeds/sample.toml"),
            format!(
                "name = \"sample\"\ntitle = \"Sample portal\"\nsite = \"{site}\"\nprofile = \"publishing-portal\"\n\
                 list_pages = [{{ url = \"{list_page}\", category = \"Tin tức - Sự kiện\" }}]\n\
                 category_feeds = true\nschedule = \"*/30 * * * *\"\nlimit = 50\n"
            ),
        )
        .unwrap();
    }

    /// Appends `line` (a TOML key = value) to the feed definition.
    pub fn add_to_feed(&self, line: &str) {
        let file = self.path("feeds/sample.toml");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(file, format!("{text}{line}\n")).unwrap();
    }

    /// Sets the feed's cron schedule (the seconds-first form runs it every few seconds).
    pub fn set_schedule(&self, schedule: &str) {
        let file = self.path("feeds/sample.toml");
        let text = std::fs::read_to_string(&file)
            .unwrap()
            .replace("schedule = \"*/30 * * * *\"", &format!("schedule = \"{schedule}\""));
        std::fs::write(file, text).unwrap();
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn load(&self) -> Config {
        load_config(&self.config)
    }

    /// Runs `bantin ARGS --config CONFIG` off the async threads (the sample portal answers on them).
    pub async fn cli(&self, args: &[&str]) -> Output {
        let mut full: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        full.push("--config".into());
        full.push(self.config.display().to_string());
        cli(full).await
    }

    /// The install's reserved port, for a server the test starts itself (once).
    pub fn take_listener(&self) -> tokio::net::TcpListener {
        let listener = self.listener.lock().unwrap().take().expect("taken once");
        listener.set_nonblocking(true).unwrap();
        tokio::net::TcpListener::from_std(listener).unwrap()
    }

    /// Serves the install's feeds on its port (once); returns the base URL.
    pub fn serve(&self) -> (Url, Feeds) {
        let config = self.load();
        let listener = self.take_listener();
        let store = Arc::new(Store::open(&config.database).unwrap());
        let feeds = Feeds::new(store, &config, Default::default());
        let server = feeds.clone();
        tokio::spawn(async move { bantin::serve::run(listener, server, std::future::pending()).await.unwrap() });
        (self.base.clone(), feeds)
    }

    pub fn article_count(&self) -> usize {
        Store::open(&self.path("state/bantin.sqlite")).unwrap().source_count("sample").unwrap()
    }
}

pub async fn cli(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || bantin().args(&args).env("RUST_LOG", "warn").output().unwrap()).await.unwrap()
}

/// `program` without any of the caller's `BANTIN_*` variables: a developer who exported
/// `BANTIN_DATABASE` (or any override) must not send a test's scrapes into that database.
/// Every process a test starts comes from here. (bantin reads no `HOME` or `XDG_*` path; the
/// feed checks give newsboat a home of its own.)
pub fn command(program: impl AsRef<OsStr>) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("BANTIN_") {
            command.env_remove(key);
        }
    }
    command
}

/// The `bantin` binary under test, with a clean environment (see [`command`]).
pub fn bantin() -> std::process::Command {
    command(env!("CARGO_BIN_EXE_bantin"))
}

/// A config as the tests' own processes load it: the file alone, whatever `BANTIN_*`
/// variables the shell running the tests has.
pub fn load_config(path: &Path) -> Config {
    Config::load_with_env(path, std::iter::empty()).unwrap()
}

/// Sends `signal` (`libc::SIGTERM`...) to `child`.
pub fn signal(child: &std::process::Child, signal: i32) {
    // SAFETY: kill(2) on a pid this test started and has not reaped yet.
    let result = unsafe { libc::kill(child.id() as i32, signal) };
    assert_eq!(result, 0, "kill({}, {signal}): {}", child.id(), std::io::Error::last_os_error());
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One document as the feed checks read it: its format and its items.
#[derive(Debug, serde::Deserialize)]
pub struct CheckedFeed {
    pub input: String,
    pub format: String,
    pub items: Vec<CheckedItem>,
}

#[derive(Debug, serde::Deserialize)]
pub struct CheckedItem {
    pub id: Option<String>,
    pub link: Option<String>,
}

/// The Python of the feed checks' venv (scripts/test-setup.sh installs it); its absence fails
/// the test, never skips it.
pub fn checks_python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/checks/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/test-setup.sh (it installs the feed checks)",
        python.display()
    );
    python
}

/// The project's feed checks (tests/checks/check-feeds.py) on `inputs` (URLs or files): schema
/// validation, feedparser, feedsmith and newsboat must all run and agree with each document.
/// Returns what they read, for the caller to compare with what it expects. Runs off the async
/// threads: for URL inputs it requests this process's own server.
pub async fn check_feeds(inputs: &[&str]) -> Vec<CheckedFeed> {
    let python = checks_python();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks/check-feeds.py");
    let inputs: Vec<String> = inputs.iter().map(|s| s.to_string()).collect();
    let count = inputs.len();
    let output = tokio::task::spawn_blocking(move || command(python).arg(script).arg("--json").args(&inputs).output())
        .await
        .unwrap()
        .expect("the feed checks run (scripts/test-setup.sh installs them)");
    assert!(
        output.status.success(),
        "feed checks failed (scripts/test-setup.sh installs what they need):\n{}",
        stderr(&output)
    );
    let checked: Vec<CheckedFeed> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(checked.len(), count, "every input checked: {}", stderr(&output));
    checked
}

/// The sample portal scraped once into an install whose feed shows `limit` items a page, served
/// and warmed: what the serving tests look at.
pub async fn scraped_sample(limit: usize) -> (bantin::sample::SamplePortal, Install, Url) {
    let portal = bantin::sample::SamplePortal::start().await.unwrap();
    let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    let file = install.path("feeds/sample.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("limit = 50", &format!("limit = {limit}"));
    std::fs::write(&file, text).unwrap();
    let out = install.cli(&["scrape"]).await;
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (base, feeds) = install.serve();
    feeds.warm().await.unwrap();
    (portal, install, base)
}

/// The value of the sample `name{labels}` in a Prometheus text exposition (labels in any
/// order, all of them named), or `None` when there is no such sample. Read as the format says,
/// so `x{status="200"} 1` is not found in `x{status="200"} 12`.
pub fn metric(exposition: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut want: Vec<(String, String)> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    want.sort();
    let mut found = None;
    for line in exposition.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (series, value) = match line.find('{') {
            Some(_) => {
                let close = line.rfind('}').unwrap_or_else(|| panic!("no closing brace: {line}"));
                (&line[..close + 1], &line[close + 1..])
            }
            None => line.split_at(line.find(char::is_whitespace).unwrap_or_else(|| panic!("no value: {line}"))),
        };
        let (sample_name, sample_labels) = match series.split_once('{') {
            Some((n, rest)) => (n, parse_labels(rest.strip_suffix('}').unwrap())),
            None => (series, Vec::new()),
        };
        let value: f64 =
            value.split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{line}"));
        let mut sample_labels = sample_labels;
        sample_labels.sort();
        if sample_name == name && sample_labels == want {
            assert!(found.is_none(), "{name}{labels:?} twice in the exposition");
            found = Some(value);
        }
    }
    found
}

/// `a="1",b="x\"y"` as pairs, escapes (`\\`, `\"`, `\n`) undone.
fn parse_labels(text: &str) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("bad labels: {text}"));
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c)) => value.push(c),
                    None => panic!("bad labels: {text}"),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => panic!("bad labels: {text}"),
            }
        };
        labels.push((key.trim_start_matches(',').trim().to_string(), value));
        rest = after[end + 1..].trim_start_matches(',').trim();
    }
    labels
}
