//! Typed configuration: the daemon's settings (`config/bantin.toml`) and one feed definition per
//! `feeds/*.toml`. Loading validates everything up front, so a bad file fails at start (or at a
//! reload) with the file, the key and the reason, never half-way through a scrape.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use url::Url;

use crate::model::vietnam;

/// Everything the daemon runs with, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// Public URL of the server, used in self links and the index page.
    pub public_url: Url,
    /// SQLite database file.
    pub database: PathBuf,
    /// Static copies of every feed are written here after each scrape (none when unset).
    pub output_dir: Option<PathBuf>,
    /// Default log filter (`RUST_LOG` overrides it).
    pub log_level: String,
    /// The service's name: the index page's title and the feed of all sources'.
    pub title: String,
    /// Items in the feed of all sources (`/feeds/all.*`).
    pub combined_limit: usize,
    /// Bytes of rendered history pages (`?page=N`, N ≥ 2) kept in memory.
    pub history_cache_bytes: usize,
    pub server: ServerLimits,
    pub fetch: FetchConfig,
    pub feeds: Vec<FeedDef>,
    /// Feeds that merge sources (feed files with `sources = [...]`).
    pub combined: Vec<CombinedDef>,
    /// Where the feed files are.
    pub feeds_dir: PathBuf,
}

/// What one client may hold of the HTTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Connections open at once; more are closed as they arrive.
    pub max_connections: usize,
    /// Time a client has to send a request's headers, counted from when the connection waits
    /// for one: it also closes idle keep-alive connections.
    pub header_timeout: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits { max_connections: 2048, header_timeout: Duration::from_secs(15) }
    }
}

/// How the fetcher treats portals. `trusted_hosts` is filled from the feeds at load.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub user_agent: String,
    /// Minimum gap between two requests to one host.
    pub min_interval: Duration,
    pub connect_timeout: Duration,
    /// Whole-request timeout, body included.
    pub timeout: Duration,
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    /// Requests in flight to one host at once.
    pub max_in_flight: usize,
    /// Extra attempts after a timeout, a refused connection, a 5xx or a 429.
    pub retries: u32,
    /// The first retry waits this long (plus jitter), each next one twice as long.
    pub retry_base: Duration,
    /// A `Retry-After` longer than this is not waited for: the fetch fails and the source
    /// tries again at its next run.
    pub max_retry_after: Duration,
    /// Whether to obey robots.txt (the default; turn off only for your own sites).
    pub obey_robots: bool,
    /// Hosts that may be on internal addresses (loopback, private networks): those the
    /// configured sources are on. Every other internal address is refused.
    pub trusted_hosts: Vec<String>,
}

/// One source, as one `feeds/NAME.toml` defines it, and the feed published from it.
#[derive(Debug, Clone)]
pub struct FeedDef {
    /// Slug used in URLs and the store: `[a-z0-9-]+`.
    pub name: String,
    pub title: String,
    pub description: String,
    /// The portal's home page.
    pub site: Url,
    /// How its pages are read.
    pub rules: Rules,
    /// Pages listing articles, the first page of each pagination.
    pub list_pages: Vec<ListPageDef>,
    /// How many pages of each list to follow through `?Page=N` links.
    pub max_pages: usize,
    /// New articles fetched from one list page per run (newest first; the rest next run).
    pub max_new_per_page: usize,
    pub schedule: Schedule,
    /// Items in the published feed.
    pub limit: usize,
    /// Also publish each list page's category as its own feed (`/feeds/NAME/CATEGORY.rss`).
    pub category_feeds: bool,
    /// Articles first seen within this window are fetched again to catch edits.
    pub recheck_window: Duration,
    /// How often one of those articles is fetched again.
    pub recheck_every: Duration,
    /// Stored articles older than this are deleted (never those still in a published feed).
    pub retain_for: Option<Duration>,
    /// At most this many stored articles are kept (the newest; never fewer than published).
    pub retain_items: Option<usize>,
    /// For feed sources: read each new item's page with this profile and publish its full text
    /// (feeds often carry only a summary).
    pub full_text: Option<Profile>,
    /// When set, images and full-text pages are fetched only from the source's own hosts (its
    /// site and list pages) and these; others are left unrequested.
    pub allowed_hosts: Option<Vec<String>>,
    /// Retention never goes below this many newest articles: the largest window any published
    /// feed (its own, a merged one, the feed of all sources) shows of this source.
    pub keep_at_least: usize,
}

/// A list page to scrape, and the category its articles belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPageDef {
    pub url: Url,
    pub category: Option<String>,
}

/// Everything extraction needs to know about a source: its profile and its overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub profile: Profile,
    pub selectors: Selectors,
    /// `strftime` formats for the date field (e.g. `%d/%m/%Y %H:%M`); empty: any day-first date.
    pub date_formats: Vec<String>,
    /// The zone the site's dates are written in.
    pub timezone: FixedOffset,
    /// Longer titles are cut (with "…"): a page can hold a 100 KB heading.
    pub max_title_chars: usize,
    /// Longer bodies are cut at a paragraph: a page can hold megabytes of text.
    pub max_body_bytes: usize,
}

impl Rules {
    /// The profile's defaults: everything found by structure, dates day-first in Vietnam time.
    pub fn new(profile: Profile) -> Rules {
        Rules {
            profile,
            selectors: Selectors::default(),
            date_formats: Vec::new(),
            timezone: vietnam(),
            max_title_chars: DEFAULT_MAX_TITLE_CHARS,
            max_body_bytes: DEFAULT_MAX_BODY_KB << 10,
        }
    }
}

/// How a source's pages are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Vietnamese SharePoint e-government portals (`Block_BanTin_*` web parts).
    PublishingPortal,
    /// Any site: fields by the CSS selectors of the feed's `[selectors]` table.
    Css,
    /// A site that already publishes RSS or Atom (`rss`, `atom` or `feed`: the document says which).
    Feed,
}

impl Profile {
    pub const NAMES: [(&str, Profile); 5] = [
        ("publishing-portal", Profile::PublishingPortal),
        ("css", Profile::Css),
        ("rss", Profile::Feed),
        ("atom", Profile::Feed),
        ("feed", Profile::Feed),
    ];

    pub fn parse(name: &str) -> Option<Profile> {
        Profile::NAMES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    }
}

/// Per-field CSS selector overrides for the extractor; unset fields are found by structure.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Selectors {
    pub title: Option<String>,
    pub date: Option<String>,
    pub summary: Option<String>,
    pub image: Option<String>,
    pub caption: Option<String>,
    /// The element whose children are the body paragraphs.
    pub body: Option<String>,
    pub author: Option<String>,
    /// Article links on list pages.
    pub list_link: Option<String>,
    /// The "next page" link on list pages (css profile; the portal profile finds pagers itself).
    pub next_page: Option<String>,
}

/// A cron schedule, kept with the text it was written as.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub expr: String,
    cron: cron::Schedule,
}

impl Schedule {
    /// Accepts standard 5-field crontab (`*/30 * * * *`, weekdays 0–7 with 0 and 7 = Sunday)
    /// and the `cron` crate's 6–7 field form with seconds first (weekdays 1–7, 1 = Sunday).
    pub fn parse(expr: &str) -> Result<Schedule, String> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        let translated = match fields.len() {
            5 => from_crontab(&fields)?,
            6 | 7 => fields.join(" "),
            n => return Err(format!("expected 5 fields (crontab) or 6-7 (with seconds), got {n}")),
        };
        let cron = cron::Schedule::from_str(&translated).map_err(|e| e.to_string())?;
        if cron.upcoming(vietnam()).next().is_none() {
            return Err("never fires".into());
        }
        Ok(Schedule { expr: expr.to_string(), cron })
    }

    /// Fire times after `after`, evaluated in Vietnam time (the portals' clock).
    pub fn after(&self, after: DateTime<FixedOffset>) -> impl Iterator<Item = DateTime<FixedOffset>> + '_ {
        self.cron.after(&after.with_timezone(&vietnam()))
    }

    /// The gap between the next two runs: how long a reader may cache the feed.
    pub fn interval(&self, now: DateTime<FixedOffset>) -> Duration {
        let mut next = self.after(now);
        match (next.next(), next.next()) {
            (Some(a), Some(b)) => (b - a).to_std().unwrap_or(Duration::from_secs(3600)),
            _ => Duration::from_secs(3600),
        }
    }
}

/// Crontab's day-of-week numbering (0 = Sunday) differs from the `cron` crate's (1 = Sunday),
/// so the weekday field is rewritten with names, which both agree on.
fn from_crontab(fields: &[&str]) -> Result<String, String> {
    let (dom, dow) = (fields[2], fields[4]);
    if dom != "*" && dom != "?" && dow != "*" && dow != "?" {
        // crontab fires when either matches, the cron crate only when both do: refuse rather
        // than silently run on fewer days than the operator wrote.
        return Err("day-of-month and day-of-week are both restricted; crontab ORs them but \
                    this scheduler would AND them: use one, or two feeds"
            .into());
    }
    let dow = if dow == "*" || dow == "?" { dow.to_string() } else { crontab_weekdays(dow)? };
    Ok(format!("0 {} {} {} {} {}", fields[0], fields[1], fields[2], fields[3], dow))
}

fn crontab_weekdays(field: &str) -> Result<String, String> {
    const NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let day = |s: &str| -> Result<usize, String> {
        if let Ok(n) = s.parse::<usize>() {
            return if n <= 7 { Ok(n % 7) } else { Err(format!("weekday {n} out of range 0-7")) };
        }
        NAMES.iter().position(|name| name.eq_ignore_ascii_case(s)).ok_or_else(|| format!("unknown weekday `{s}`"))
    };
    let mut days = [false; 7];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<usize>().map_err(|_| format!("bad step in `{part}`"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("zero step in `{part}`"));
        }
        let (lo, hi) = match range {
            "*" => (0, 6),
            r => match r.split_once('-') {
                // `5-7` means Friday to Sunday: keep 7 as 7 while walking the range.
                Some((a, b)) => (day(a)?, b.parse::<usize>().ok().filter(|&n| n == 7).map_or(day(b)?, |n| n)),
                None => (day(r)?, day(r)?),
            },
        };
        if lo > hi {
            return Err(format!("weekday range `{range}` runs backwards"));
        }
        for d in (lo..=hi).step_by(step) {
            days[d % 7] = true;
        }
    }
    Ok(NAMES.iter().zip(days).filter(|(_, on)| *on).map(|(n, _)| *n).collect::<Vec<_>>().join(","))
}

/// Why the configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file or directory could not be read.
    #[error("{file}: cannot read: {source}")]
    Read { file: PathBuf, source: std::io::Error },
    /// A key is unknown, missing, mistyped or has a value that cannot work.
    #[error("{file}: key `{key}`: {reason}")]
    Invalid { file: PathBuf, key: String, reason: String },
}

fn invalid(file: &Path, key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { file: file.to_path_buf(), key: key.to_string(), reason: reason.into() }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    public_url: Option<String>,
    database: Option<PathBuf>,
    feeds_dir: Option<PathBuf>,
    output_dir: Option<PathBuf>,
    user_agent: Option<String>,
    log_level: Option<String>,
    title: Option<String>,
    combined_limit: Option<usize>,
    history_cache_mb: Option<usize>,
    max_connections: Option<usize>,
    client_timeout_secs: Option<u64>,
    #[serde(default)]
    fetch: RawFetch,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFetch {
    min_interval_ms: Option<u64>,
    connect_timeout_secs: Option<u64>,
    timeout_secs: Option<u64>,
    max_body_bytes: Option<usize>,
    max_redirects: Option<usize>,
    max_in_flight: Option<usize>,
    retries: Option<u32>,
    retry_base_ms: Option<u64>,
    max_retry_after_secs: Option<u64>,
    obey_robots: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    name: String,
    title: String,
    description: Option<String>,
    site: String,
    profile: String,
    list_pages: Vec<RawListPage>,
    max_pages: Option<usize>,
    schedule: Option<String>,
    limit: Option<usize>,
    #[serde(default)]
    selectors: Selectors,
    #[serde(default)]
    date_formats: Vec<String>,
    timezone: Option<String>,
    #[serde(default)]
    category_feeds: bool,
    recheck_days: Option<u64>,
    recheck_hours: Option<u64>,
    retain_days: Option<u64>,
    retain_items: Option<usize>,
    full_text: Option<String>,
    max_new_per_page: Option<usize>,
    max_title_chars: Option<usize>,
    max_body_kb: Option<usize>,
    allowed_hosts: Option<Vec<String>>,
}

/// `"https://…"` or `{ url = "https://…", category = "Tin tức" }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawListPage {
    Url(String),
    WithCategory { url: String, category: Option<String> },
}

/// Every key `bantin.toml` accepts (the shipped example must show each one).
pub const KEYS: [&str; 22] = [
    "max_connections",
    "client_timeout_secs",
    "history_cache_mb",
    "fetch.max_in_flight",
    "fetch.retries",
    "fetch.retry_base_ms",
    "fetch.max_retry_after_secs",
    "fetch.obey_robots",
    "title",
    "combined_limit",
    "listen",
    "public_url",
    "database",
    "feeds_dir",
    "output_dir",
    "user_agent",
    "log_level",
    "fetch.min_interval_ms",
    "fetch.connect_timeout_secs",
    "fetch.timeout_secs",
    "fetch.max_body_bytes",
    "fetch.max_redirects",
];

pub const DEFAULT_TITLE: &str = "bantin";
/// The name of the feed that merges every source.
pub const ALL_FEEDS: &str = "all";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE: &str = "/var/lib/bantin/bantin.sqlite";
/// History pages are read rarely (readers page back once); a few MiB keep the popular ones.
pub const DEFAULT_HISTORY_CACHE_MB: usize = 8;
/// A real headline is under 300 characters.
pub const DEFAULT_MAX_TITLE_CHARS: usize = 1000;
/// A long report is a few hundred KB of HTML.
pub const DEFAULT_MAX_BODY_KB: usize = 1024;
/// New articles fetched from one list page in one run; the rest (older) wait for the next.
pub const DEFAULT_MAX_NEW_PER_PAGE: usize = 50;
pub const DEFAULT_SCHEDULE: &str = "*/30 * * * *";
pub const DEFAULT_USER_AGENT: &str =
    concat!("bantin/", env!("CARGO_PKG_VERSION"), " (news feed generator; +https://github.com/bantin/bantin)");

impl FetchConfig {
    /// The defaults of `[fetch]`: polite to a slow government server.
    pub fn polite(user_agent: &str) -> FetchConfig {
        FetchConfig {
            user_agent: user_agent.to_string(),
            min_interval: Duration::from_millis(1000),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            max_redirects: 5,
            max_in_flight: 2,
            retries: 2,
            retry_base: Duration::from_millis(2000),
            max_retry_after: Duration::from_secs(300),
            obey_robots: true,
            trusted_hosts: Vec::new(),
        }
    }
}

impl Config {
    /// Reads the daemon config and every `*.toml` in its feeds directory. Relative paths in the
    /// file are relative to the file's own directory, so `/etc/bantin/bantin.toml` can say
    /// `feeds_dir = "feeds"`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = parse_file(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let listen_text = raw.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|e| invalid(path, "listen", format!("`{listen_text}` is not an address:port ({e})")))?;
        let public_url = match raw.public_url {
            Some(text) => parse_http_url(&text).map_err(|reason| invalid(path, "public_url", reason))?,
            None => Url::parse(&format!("http://{listen}/")).expect("a socket address makes a URL"),
        };
        let user_agent = raw.user_agent.unwrap_or_else(|| DEFAULT_USER_AGENT.to_string());
        if user_agent.trim().is_empty() || user_agent.contains(['\r', '\n']) {
            return Err(invalid(path, "user_agent", "must be one non-empty line"));
        }
        let defaults = FetchConfig::polite(&user_agent);
        let fetch = FetchConfig {
            user_agent,
            min_interval: raw.fetch.min_interval_ms.map_or(defaults.min_interval, Duration::from_millis),
            connect_timeout: raw.fetch.connect_timeout_secs.map_or(defaults.connect_timeout, Duration::from_secs),
            timeout: raw.fetch.timeout_secs.map_or(defaults.timeout, Duration::from_secs),
            max_body_bytes: raw.fetch.max_body_bytes.unwrap_or(defaults.max_body_bytes),
            max_redirects: raw.fetch.max_redirects.unwrap_or(defaults.max_redirects),
            max_in_flight: raw.fetch.max_in_flight.unwrap_or(defaults.max_in_flight),
            retries: raw.fetch.retries.unwrap_or(defaults.retries),
            retry_base: raw.fetch.retry_base_ms.map_or(defaults.retry_base, Duration::from_millis),
            max_retry_after: raw.fetch.max_retry_after_secs.map_or(defaults.max_retry_after, Duration::from_secs),
            obey_robots: raw.fetch.obey_robots.unwrap_or(defaults.obey_robots),
            trusted_hosts: Vec::new(),
        };
        // Ranges a sane operator stays within; outside them a value is a typo (a timeout of
        // 2^64 ms passed `check` and then hung the first scrape forever).
        let ranges: [(&str, u64, u64, u64); 9] = [
            ("fetch.min_interval_ms", fetch.min_interval.as_millis() as u64, 0, 3_600_000),
            ("fetch.connect_timeout_secs", fetch.connect_timeout.as_secs(), 1, 600),
            ("fetch.timeout_secs", fetch.timeout.as_secs(), 1, 3600),
            ("fetch.max_body_bytes", fetch.max_body_bytes as u64, 1024, 1 << 30),
            ("fetch.max_redirects", fetch.max_redirects as u64, 0, 20),
            ("fetch.max_in_flight", fetch.max_in_flight as u64, 1, 64),
            ("fetch.retries", u64::from(fetch.retries), 0, 10),
            ("fetch.retry_base_ms", fetch.retry_base.as_millis() as u64, 0, 600_000),
            ("fetch.max_retry_after_secs", fetch.max_retry_after.as_secs(), 0, 86_400),
        ];
        for (key, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                return Err(invalid(path, key, format!("{value} is out of range {min}-{max}")));
            }
        }
        let log_level = raw.log_level.unwrap_or_else(|| "info".into());
        if tracing_subscriber::EnvFilter::try_new(&log_level).is_err() {
            return Err(invalid(path, "log_level", format!("`{log_level}` is not a log filter (try info, debug)")));
        }
        let title = raw.title.unwrap_or_else(|| DEFAULT_TITLE.into());
        if title.trim().is_empty() {
            return Err(invalid(path, "title", "must not be empty"));
        }
        let combined_limit = raw.combined_limit.unwrap_or(100);
        if combined_limit == 0 {
            return Err(invalid(path, "combined_limit", "must be at least 1"));
        }
        let history_cache_mb = raw.history_cache_mb.unwrap_or(DEFAULT_HISTORY_CACHE_MB);
        if history_cache_mb > 1 << 20 {
            return Err(invalid(path, "history_cache_mb", "must be at most 1048576 (1 TiB)"));
        }
        let defaults = ServerLimits::default();
        let server = ServerLimits {
            max_connections: raw.max_connections.unwrap_or(defaults.max_connections),
            header_timeout: raw.client_timeout_secs.map_or(defaults.header_timeout, Duration::from_secs),
        };
        if !(1..=1_000_000).contains(&server.max_connections) {
            return Err(invalid(path, "max_connections", "must be from 1 to 1000000"));
        }
        if !(1..=3600).contains(&server.header_timeout.as_secs()) {
            return Err(invalid(path, "client_timeout_secs", "must be from 1 to 3600"));
        }
        let feeds_dir = dir.join(raw.feeds_dir.unwrap_or_else(|| "feeds".into()));
        let (mut feeds, combined) = load_feeds(&feeds_dir)?;
        let mut fetch = fetch;
        fetch.trusted_hosts = source_hosts(&feeds);
        for feed in &mut feeds {
            let merged = combined.iter().filter(|c| c.sources.contains(&feed.name)).map(|c| c.limit).max().unwrap_or(0);
            feed.keep_at_least = feed.limit.max(merged).max(combined_limit);
        }
        Ok(Config {
            listen,
            public_url,
            database: dir.join(raw.database.unwrap_or_else(|| DEFAULT_DATABASE.into())),
            output_dir: raw.output_dir.filter(|p| !p.as_os_str().is_empty()).map(|p| dir.join(p)),
            log_level,
            title,
            combined_limit,
            history_cache_bytes: history_cache_mb << 20,
            server,
            fetch,
            feeds,
            combined,
            feeds_dir,
        })
    }

    /// The settings an empty `bantin.toml` gives, listening on `listen` with the database at
    /// `database` and `feeds` as the sources: for the demo, tests and benchmarks.
    pub fn defaults(listen: SocketAddr, database: PathBuf, feeds: Vec<FeedDef>) -> Config {
        Config {
            listen,
            public_url: Url::parse(&format!("http://{listen}/")).expect("a socket address makes a URL"),
            feeds_dir: database.parent().map(Path::to_path_buf).unwrap_or_default(),
            database,
            output_dir: None,
            log_level: "info".into(),
            title: DEFAULT_TITLE.into(),
            combined_limit: 100,
            history_cache_bytes: DEFAULT_HISTORY_CACHE_MB << 20,
            server: ServerLimits::default(),
            fetch: FetchConfig { trusted_hosts: source_hosts(&feeds), ..FetchConfig::polite(DEFAULT_USER_AGENT) },
            feeds,
            combined: Vec::new(),
        }
    }

    pub fn feed(&self, name: &str) -> Option<&FeedDef> {
        self.feeds.iter().find(|f| f.name == name)
    }
}

/// The hosts the sources are configured on (their site and list pages): the only ones whose
/// internal addresses bantin may request.
fn source_hosts(feeds: &[FeedDef]) -> Vec<String> {
    let mut hosts: Vec<String> = feeds
        .iter()
        .flat_map(|f| std::iter::once(&f.site).chain(f.list_pages.iter().map(|p| &p.url)))
        .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Every `*.toml` in `dir`, sorted by file name: sources, and feeds merging them (files with
/// `sources = [...]`). Names must be unique; a merge must name known sources.
pub fn load_feeds(dir: &Path) -> Result<(Vec<FeedDef>, Vec<CombinedDef>), ConfigError> {
    let read_err = |source| ConfigError::Read { file: dir.to_path_buf(), source };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut feeds: Vec<FeedDef> = Vec::new();
    let mut combined: Vec<(PathBuf, CombinedDef)> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read { file: file.clone(), source })?;
        let is_merge = text.parse::<toml::Table>().is_ok_and(|t| t.contains_key("sources"));
        let name = if is_merge {
            let def = CombinedDef::load(&file)?;
            let name = def.name.clone();
            combined.push((file.clone(), def));
            name
        } else {
            let def = FeedDef::load(&file)?;
            let name = def.name.clone();
            feeds.push(def);
            name
        };
        let uses =
            feeds.iter().filter(|f| f.name == name).count() + combined.iter().filter(|(_, c)| c.name == name).count();
        if uses > 1 {
            return Err(invalid(&file, "name", format!("`{name}` is already used by another feed file")));
        }
    }
    for (file, def) in &combined {
        for (i, source) in def.sources.iter().enumerate() {
            if !feeds.iter().any(|f| &f.name == source) {
                return Err(invalid(file, &format!("sources[{i}]"), format!("no source feed named `{source}`")));
            }
        }
    }
    Ok((feeds, combined.into_iter().map(|(_, d)| d).collect()))
}

/// A feed that merges sources, as a feed file with `sources = [...]` defines it.
#[derive(Debug, Clone)]
pub struct CombinedDef {
    pub name: String,
    pub title: String,
    pub description: String,
    pub sources: Vec<String>,
    /// Only items of these categories (any of them); empty: all.
    pub categories: Vec<String>,
    pub limit: usize,
    pub filter: Filter,
    /// Two sources' items with the same title published this close together are one story.
    pub dedupe_window: Duration,
}

/// Which items a feed keeps.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// An item must match one of these (title, summary or body text); empty: any item.
    pub include: Vec<regex::Regex>,
    /// An item matching any of these is left out.
    pub exclude: Vec<regex::Regex>,
    /// Only items by these authors; empty: any author.
    pub authors: Vec<String>,
    /// Only items published this recently.
    pub max_age: Option<Duration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCombined {
    name: String,
    title: String,
    description: Option<String>,
    sources: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    limit: Option<usize>,
    dedupe_hours: Option<u64>,
    #[serde(default)]
    filter: RawFilter,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    authors: Vec<String>,
    max_age_days: Option<u64>,
}

impl Filter {
    /// Keeps every item.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty() && self.authors.is_empty() && self.max_age.is_none()
    }
}

impl CombinedDef {
    pub fn load(path: &Path) -> Result<CombinedDef, ConfigError> {
        let raw: RawCombined = parse_file(path)?;
        check_name(path, &raw.name)?;
        if raw.title.trim().is_empty() {
            return Err(invalid(path, "title", "must not be empty"));
        }
        if raw.sources.is_empty() {
            return Err(invalid(path, "sources", "needs at least one source feed"));
        }
        let limit = raw.limit.unwrap_or(50);
        if limit == 0 {
            return Err(invalid(path, "limit", "must be at least 1"));
        }
        // Case-insensitive: "du lịch" should find "Du lịch" (Unicode-aware, Vietnamese included).
        let compile = |key: &str, patterns: &[String]| -> Result<Vec<regex::Regex>, ConfigError> {
            patterns
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    regex::RegexBuilder::new(p)
                        .case_insensitive(true)
                        .build()
                        .map_err(|e| invalid(path, &format!("filter.{key}[{i}]"), format!("`{p}` is not a regex: {e}")))
                })
                .collect()
        };
        let filter = Filter {
            include: compile("include", &raw.filter.include)?,
            exclude: compile("exclude", &raw.filter.exclude)?,
            authors: raw.filter.authors,
            max_age: raw.filter.max_age_days.map(|d| Duration::from_secs(d * 86_400)),
        };
        Ok(CombinedDef {
            name: raw.name,
            description: raw.description.unwrap_or_else(|| raw.title.clone()),
            title: raw.title,
            sources: raw.sources,
            categories: raw.categories,
            limit,
            filter,
            dedupe_window: Duration::from_secs(raw.dedupe_hours.unwrap_or(48) * 3600),
        })
    }
}

/// Feed files for the feeds of a reader's OPML export: `(file name, TOML)` per outline with an
/// `xmlUrl`, named after its title, never reusing a name in `taken`.
pub fn feed_files_from_opml(opml: &str, taken: &[String]) -> Vec<(String, String)> {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        name: &'a str,
        title: &'a str,
        site: &'a str,
        profile: &'a str,
        list_pages: [&'a str; 1],
    }
    // OPML is XML, but an HTML parser reads its outlines just as well and forgives the
    // hand-edited ones (attribute names come out lower-cased).
    let doc = scraper::Html::parse_document(opml);
    let outline = scraper::Selector::parse("outline[xmlurl]").expect("static selector");
    let mut names: Vec<String> = taken.to_vec();
    let mut files = Vec::new();
    for o in doc.select(&outline) {
        let attr = |k: &str| o.value().attr(k).map(str::trim).filter(|v| !v.is_empty());
        let Some(xml_url) = attr("xmlurl").and_then(|u| parse_http_url(u).ok()) else { continue };
        let title = attr("title").or(attr("text")).unwrap_or(xml_url.as_str()).to_string();
        let site =
            attr("htmlurl").and_then(|u| parse_http_url(u).ok()).unwrap_or_else(|| xml_url.join("/").expect("root"));
        let stem = Some(crate::model::slug(&title)).filter(|s| !s.is_empty()).unwrap_or_else(|| "feed".into());
        let stem: String = stem.chars().take(56).collect::<String>().trim_end_matches('-').to_string();
        let mut name = stem.clone();
        let mut n = 2;
        while names.contains(&name) || name == ALL_FEEDS {
            name = format!("{stem}-{n}");
            n += 1;
        }
        names.push(name.clone());
        let out =
            Out { name: &name, title: &title, site: site.as_str(), profile: "feed", list_pages: [xml_url.as_str()] };
        let text = format!("# Imported from OPML.\n{}", toml::to_string(&out).expect("plain strings serialize"));
        files.push((format!("{name}.toml"), text));
    }
    files
}

fn check_name(path: &Path, name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        return Err(invalid(path, "name", format!("`{name}` must be 1-64 of a-z, 0-9 and -")));
    }
    if name == ALL_FEEDS {
        return Err(invalid(path, "name", format!("`{ALL_FEEDS}` is the feed of all sources; choose another name")));
    }
    Ok(())
}

impl FeedDef {
    pub fn load(path: &Path) -> Result<FeedDef, ConfigError> {
        let raw: RawFeed = parse_file(path)?;
        FeedDef::from_raw(path, raw)
    }

    /// Whether this source may fetch `url` (an image or a full-text page): always, unless
    /// `allowed_hosts` is set and `url` is on none of them nor on the source's own hosts.
    pub fn may_fetch(&self, url: &Url) -> bool {
        let Some(allowed) = &self.allowed_hosts else { return true };
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else { return false };
        let own = std::iter::once(&self.site).chain(self.list_pages.iter().map(|p| &p.url));
        allowed.contains(&host) || own.filter_map(|u| u.host_str()).any(|h| h.eq_ignore_ascii_case(&host))
    }

    fn from_raw(path: &Path, raw: RawFeed) -> Result<FeedDef, ConfigError> {
        check_name(path, &raw.name)?;
        if raw.title.trim().is_empty() {
            return Err(invalid(path, "title", "must not be empty"));
        }
        let site = parse_http_url(&raw.site).map_err(|r| invalid(path, "site", r))?;
        let known = Profile::NAMES.map(|(n, _)| n).join(", ");
        let profile = Profile::parse(&raw.profile)
            .ok_or_else(|| invalid(path, "profile", format!("unknown profile `{}` (known: {known})", raw.profile)))?;
        if raw.list_pages.is_empty() {
            return Err(invalid(path, "list_pages", "needs at least one URL"));
        }
        let list_pages = raw
            .list_pages
            .into_iter()
            .enumerate()
            .map(|(i, page)| {
                let (url, category) = match page {
                    RawListPage::Url(url) => (url, None),
                    RawListPage::WithCategory { url, category } => (url, category),
                };
                let url = parse_http_url(&url).map_err(|r| invalid(path, &format!("list_pages[{i}]"), r))?;
                let category = category.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
                Ok(ListPageDef { url, category })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        if raw.category_feeds && list_pages.iter().all(|p| p.category.is_none()) {
            return Err(invalid(path, "category_feeds", "no list page has a `category` to publish"));
        }
        let max_pages = raw.max_pages.unwrap_or(3);
        if max_pages == 0 {
            return Err(invalid(path, "max_pages", "must be at least 1"));
        }
        let limit = raw.limit.unwrap_or(50);
        if limit == 0 {
            return Err(invalid(path, "limit", "must be at least 1"));
        }
        let expr = raw.schedule.unwrap_or_else(|| DEFAULT_SCHEDULE.into());
        let schedule = Schedule::parse(&expr)
            .map_err(|r| invalid(path, "schedule", format!("`{expr}` is not a cron expression: {r}")))?;
        let full_text = match raw.full_text.as_deref() {
            None => None,
            Some(_) if profile != Profile::Feed => {
                return Err(invalid(path, "full_text", "only feed sources (profile rss, atom or feed) take it"));
            }
            Some(name) => match Profile::parse(name) {
                Some(p @ Profile::PublishingPortal) => Some(p),
                Some(p @ Profile::Css) if raw.selectors.title.is_some() && raw.selectors.body.is_some() => Some(p),
                Some(Profile::Css) => {
                    return Err(invalid(path, "full_text", "`css` needs selectors.title and selectors.body"));
                }
                _ => {
                    return Err(invalid(
                        path,
                        "full_text",
                        format!("`{name}` is not a page profile (publishing-portal, css)"),
                    ));
                }
            },
        };
        // Ranges a sane feed stays within: beyond them a value is a typo (and day counts
        // beyond them overflow when turned into durations).
        let ranged = |key: &str, value: Option<u64>, default: u64, min: u64, max: u64| match value {
            Some(v) if !(min..=max).contains(&v) => Err(invalid(path, key, format!("{v} is out of range {min}-{max}"))),
            v => Ok(v.unwrap_or(default)),
        };
        let as_u64 = |v: Option<usize>| v.map(|v| v as u64);
        let recheck_days = ranged("recheck_days", raw.recheck_days, 2, 0, 3650)?;
        let recheck_hours = ranged("recheck_hours", raw.recheck_hours, 6, 0, 87_600)?;
        let retain_days = raw.retain_days.map(|d| ranged("retain_days", Some(d), 0, 1, 365_000)).transpose()?;
        let max_new_per_page =
            ranged("max_new_per_page", as_u64(raw.max_new_per_page), DEFAULT_MAX_NEW_PER_PAGE as u64, 1, 100_000)?;
        let max_title_chars =
            ranged("max_title_chars", as_u64(raw.max_title_chars), DEFAULT_MAX_TITLE_CHARS as u64, 20, 100_000)?;
        let max_body_kb = ranged("max_body_kb", as_u64(raw.max_body_kb), DEFAULT_MAX_BODY_KB as u64, 4, 1 << 20)?;
        let rules = Rules {
            max_title_chars: max_title_chars as usize,
            max_body_bytes: (max_body_kb as usize) << 10,
            ..rules(path, profile, raw.selectors, raw.date_formats, raw.timezone.as_deref())?
        };
        Ok(FeedDef {
            name: raw.name,
            description: raw.description.unwrap_or_else(|| raw.title.clone()),
            title: raw.title,
            site,
            rules,
            list_pages,
            max_pages,
            max_new_per_page: max_new_per_page as usize,
            schedule,
            limit,
            category_feeds: raw.category_feeds,
            recheck_window: Duration::from_secs(recheck_days * 86_400),
            recheck_every: Duration::from_secs(recheck_hours * 3600),
            retain_for: retain_days.map(|d| Duration::from_secs(d * 86_400)),
            retain_items: raw.retain_items,
            keep_at_least: limit,
            full_text,
            allowed_hosts: raw.allowed_hosts.map(|hosts| hosts.iter().map(|h| h.trim().to_ascii_lowercase()).collect()),
        })
    }

    /// A feed over the bundled sample portal at `base` (the demo's only source).
    pub fn sample(base: &Url) -> FeedDef {
        let raw = RawFeed {
            name: "backan-sample".into(),
            title: "Bắc Kạn — Tin tức - Sự kiện (sample portal)".into(),
            description: Some("News from the bundled sample PublishingPortal site, served on loopback".into()),
            site: base.to_string(),
            profile: "publishing-portal".into(),
            list_pages: vec![RawListPage::WithCategory {
                url: base.join("/Pages/tin-tuc-su-kien.aspx").expect("static path").to_string(),
                category: Some("Tin tức - Sự kiện".into()),
            }],
            max_pages: None,
            schedule: Some("*/5 * * * *".into()),
            limit: None,
            selectors: Selectors::default(),
            date_formats: Vec::new(),
            timezone: None,
            category_feeds: false,
            recheck_days: None,
            recheck_hours: None,
            retain_days: None,
            retain_items: None,
            full_text: None,
            max_new_per_page: None,
            max_title_chars: None,
            max_body_kb: None,
            allowed_hosts: None,
        };
        FeedDef::from_raw(Path::new("<built-in sample>"), raw).expect("the built-in sample feed is valid")
    }
}

fn rules(
    path: &Path,
    profile: Profile,
    selectors: Selectors,
    date_formats: Vec<String>,
    timezone: Option<&str>,
) -> Result<Rules, ConfigError> {
    let s = &selectors;
    let fields = [
        ("title", &s.title),
        ("date", &s.date),
        ("summary", &s.summary),
        ("image", &s.image),
        ("caption", &s.caption),
        ("body", &s.body),
        ("author", &s.author),
        ("list_link", &s.list_link),
        ("next_page", &s.next_page),
    ];
    for (key, sel) in fields {
        if let Some(sel) = sel
            && let Err(e) = scraper::Selector::parse(sel)
        {
            return Err(invalid(path, &format!("selectors.{key}"), format!("`{sel}` is not a CSS selector: {e}")));
        }
    }
    if profile == Profile::Css {
        for (key, sel) in [("title", &s.title), ("body", &s.body), ("list_link", &s.list_link)] {
            if sel.is_none() {
                return Err(invalid(path, &format!("selectors.{key}"), "required by profile `css`"));
            }
        }
    }
    for (i, format) in date_formats.iter().enumerate() {
        let broken = chrono::format::StrftimeItems::new(format).any(|item| item == chrono::format::Item::Error);
        let has_date = ["%d", "%e", "%F", "%D", "%x"].iter().any(|d| format.contains(d));
        if broken || !has_date || format.trim().is_empty() {
            return Err(invalid(
                path,
                &format!("date_formats[{i}]"),
                format!("`{format}` is not a strftime date format with a day"),
            ));
        }
    }
    let timezone = match timezone {
        None | Some("Asia/Ho_Chi_Minh" | "Asia/Saigon") => vietnam(),
        Some(text) => parse_offset(text).ok_or_else(|| {
            invalid(path, "timezone", format!("`{text}` is not an offset like +07:00 (or Asia/Ho_Chi_Minh)"))
        })?,
    };
    Ok(Rules { selectors, date_formats, timezone, ..Rules::new(profile) })
}

/// `+07:00`, `-05:30`, `+0700` or `UTC`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    if text.eq_ignore_ascii_case("utc") || text == "Z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn parse_http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err(format!("`{text}` is not an http(s) URL")),
    }
}

/// Parses TOML into `T`, turning serde's complaint into the file, the dotted key and the reason.
fn parse_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| ConfigError::Read { file: path.to_path_buf(), source })?;
    let at_line = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| format!(" (line {})", text[..s.start.min(text.len())].lines().count().max(1))).unwrap_or_default()
    };
    let de = toml::Deserializer::parse(&text)
        .map_err(|e| invalid(path, "-", format!("not valid TOML: {}{}", e.message().trim(), at_line(e.span()))))?;
    serde_path_to_error::deserialize(de).map_err(|err| {
        let mut key = err.path().to_string();
        let inner = err.inner();
        let message = inner.message().trim().to_string();
        // A missing key is named only in the message (the path stops at its table).
        if let Some(missing) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            key = if key == "." { missing.to_string() } else { format!("{key}.{missing}") };
        }
        invalid(path, &key, format!("{message}{}", at_line(inner.span())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Timelike, Weekday};

    #[test]
    fn allowed_hosts_limit_images_and_full_text_to_the_source_and_the_list() {
        let mut def = FeedDef::sample(&Url::parse("https://portal.example/").unwrap());
        let url = |u: &str| Url::parse(u).unwrap();
        assert!(def.may_fetch(&url("https://elsewhere.example/a.jpg")), "unset: any host");
        def.allowed_hosts = Some(vec!["cdn.example".into()]);
        assert!(def.may_fetch(&url("https://CDN.example/a.jpg")));
        assert!(def.may_fetch(&url("https://portal.example/PictureLibrary/a.jpg")), "the source's own host");
        assert!(!def.may_fetch(&url("https://elsewhere.example/a.jpg")));
        assert!(!def.may_fetch(&url("https://cdn.example.evil.example/a.jpg")));
    }

    fn runs(expr: &str, n: usize) -> Vec<DateTime<FixedOffset>> {
        let start = vietnam().with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap(); // a Monday
        Schedule::parse(expr).unwrap().after(start).take(n).collect()
    }

    #[test]
    fn crontab_weekday_range_means_monday_to_friday() {
        let days: Vec<Weekday> = runs("0 8 * * 1-5", 7).iter().map(|d| d.weekday()).collect();
        assert_eq!(
            days,
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Mon, Weekday::Tue]
        );
        assert!(runs("0 8 * * 1-5", 7).iter().all(|d| d.hour() == 8 && d.minute() == 0));
    }

    #[test]
    fn crontab_sunday_is_zero_or_seven() {
        for expr in ["0 6 * * 0", "0 6 * * 7", "0 6 * * sun"] {
            assert!(runs(expr, 3).iter().all(|d| d.weekday() == Weekday::Sun), "{expr}");
        }
        let weekend: Vec<Weekday> = runs("0 6 * * 6-7", 2).iter().map(|d| d.weekday()).collect();
        assert_eq!(weekend, [Weekday::Sat, Weekday::Sun]);
    }

    #[test]
    fn seconds_form_is_passed_through() {
        let r = runs("30 */15 * * * *", 2);
        assert_eq!((r[0].minute(), r[0].second()), (0, 30));
        assert_eq!((r[1].minute(), r[1].second()), (15, 30));
    }

    #[test]
    fn interval_is_the_gap_between_runs() {
        let s = Schedule::parse("*/30 * * * *").unwrap();
        assert_eq!(s.interval(vietnam().with_ymd_and_hms(2026, 1, 1, 0, 10, 0).unwrap()), Duration::from_secs(1800));
    }

    #[test]
    fn bad_schedules_say_why() {
        assert!(Schedule::parse("every hour").unwrap_err().contains("5 fields"));
        assert!(Schedule::parse("0 8 1 * 1").unwrap_err().contains("both restricted"));
        assert!(Schedule::parse("0 8 * * 9").unwrap_err().contains("out of range"));
        assert!(Schedule::parse("61 * * * *").is_err());
    }
}
