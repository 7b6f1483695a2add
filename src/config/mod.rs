//! Typed configuration: the daemon's settings (`config/bantin.toml`) and one feed definition per
//! `feeds/*.toml`. Loading validates everything up front, so a bad file fails at start (or at a
//! reload) with the file, the key and the reason, never half-way through a scrape.
//!
//! Files: this one (the daemon's settings, loading, errors), `feed.rs` (a source's feed file),
//! `merged.rs` (feed files that merge sources), `schedule.rs` (cron expressions), `opml.rs`
//! (feed files from a reader's OPML export).

mod feed;
mod merged;
mod opml;
mod schedule;

pub use feed::{FeedDef, ListPageDef, Profile, Rules, Selectors};
pub use merged::{Filter, MergedDef};
pub use opml::{OpmlImport, feed_files_from_opml};
pub use schedule::Schedule;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

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
    /// How log lines are written to stderr.
    pub log_format: LogFormat,
    /// The service's name: the index page's title and the feed of all sources'.
    pub title: String,
    /// Items per page of the feed of all sources (`/feeds/all.*`).
    pub all_limit: usize,
    /// Bytes of rendered history pages (`?page=N`, N ≥ 2) kept in memory.
    pub history_cache_bytes: usize,
    pub server: ServerLimits,
    pub fetch: FetchConfig,
    pub websub: WebsubConfig,
    pub feeds: Vec<FeedDef>,
    /// Feeds that merge sources (feed files with `sources = [...]`).
    pub merged: Vec<MergedDef>,
    /// Where the feed files are.
    pub feeds_dir: PathBuf,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One line of text per event (colour only on a terminal).
    #[default]
    Text,
    /// One JSON object per line, the event's fields at the top level.
    Json,
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

/// WebSub: bantin as the hub of its own feeds, and other hubs it announces and pings.
#[derive(Debug, Clone, PartialEq)]
pub struct WebsubConfig {
    /// The built-in hub at `/websub`.
    pub enabled: bool,
    /// Other hubs named in every feed and pinged (`hub.mode=publish`) after each change.
    pub hubs: Vec<Url>,
    /// Networks whose addresses a callback may be on although internal (loopback, private).
    pub allow_networks: Vec<(std::net::IpAddr, u8)>,
    /// Lease when the subscriber asks for none, and the longest granted.
    pub lease: Duration,
    pub max_lease: Duration,
    /// Subscriptions in all, and per callback host.
    pub max_subscriptions: usize,
    pub max_per_host: usize,
}

impl Default for WebsubConfig {
    fn default() -> Self {
        WebsubConfig {
            enabled: true,
            hubs: Vec::new(),
            allow_networks: Vec::new(),
            lease: Duration::from_secs(10 * 86_400),
            max_lease: Duration::from_secs(30 * 86_400),
            max_subscriptions: 10_000,
            max_per_host: 100,
        }
    }
}

/// `10.0.0.0/8`, `127.0.0.1` (a single address), `fd00::/8`.
fn parse_network(text: &str) -> Result<(std::net::IpAddr, u8), String> {
    let (addr, bits) = text.split_once('/').unwrap_or((text, ""));
    let ip: std::net::IpAddr = addr.trim().parse().map_err(|_| format!("`{text}` is not an address or network"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits =
        if bits.is_empty() { max } else { bits.trim().parse::<u8>().map_err(|_| format!("`{text}`: bad prefix"))? };
    if bits > max {
        return Err(format!("`{text}`: prefix longer than {max}"));
    }
    Ok((ip, bits))
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
    log_format: Option<String>,
    title: Option<String>,
    /// Spelled `combined_limit` before bantin settled on "merged" for feed files with
    /// `sources` and "all" for the feed of every source.
    #[serde(alias = "combined_limit")]
    all_limit: Option<usize>,
    history_cache_mb: Option<usize>,
    max_connections: Option<usize>,
    client_timeout_secs: Option<u64>,
    #[serde(default)]
    fetch: RawFetch,
    #[serde(default)]
    websub: RawWebsub,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWebsub {
    enabled: Option<bool>,
    hubs: Option<Vec<String>>,
    allow_networks: Option<Vec<String>>,
    lease_secs: Option<u64>,
    max_lease_secs: Option<u64>,
    max_subscriptions: Option<usize>,
    max_per_host: Option<usize>,
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

/// Every key `bantin.toml` accepts (the shipped example must show each one).
pub const KEYS: [&str; 30] = [
    "websub.enabled",
    "websub.hubs",
    "websub.allow_networks",
    "websub.lease_secs",
    "websub.max_lease_secs",
    "websub.max_subscriptions",
    "websub.max_per_host",
    "log_format",
    "max_connections",
    "client_timeout_secs",
    "history_cache_mb",
    "fetch.max_in_flight",
    "fetch.retries",
    "fetch.retry_base_ms",
    "fetch.max_retry_after_secs",
    "fetch.obey_robots",
    "title",
    "all_limit",
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
pub const DEFAULT_USER_AGENT: &str = concat!("bantin/", env!("CARGO_PKG_VERSION"), " (news feed generator)");

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
        Config::load_with_env(path, std::env::vars())
    }

    /// [`Config::load`] with `env` as the environment: a `BANTIN_<KEY>` variable (the key
    /// upper-cased, `.` as `_`: `BANTIN_FETCH_TIMEOUT_SECS`) overrides that key of the file.
    pub fn load_with_env(path: &Path, env: impl Iterator<Item = (String, String)>) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = env.filter(|(name, _)| name.starts_with(ENV_PREFIX)).collect();
        let overrides: Vec<(&str, String, &str)> = KEYS
            .iter()
            .filter_map(|key| {
                let name = env_name(key);
                env.iter().find(|(n, _)| *n == name).map(|(_, value)| (*key, name, value.as_str()))
            })
            .collect();
        // A reason about a key the environment set says so: the file does not hold that value.
        Config::load_overridden(path, &overrides).map_err(|e| match e {
            ConfigError::Invalid { file, key, reason } => match overrides.iter().find(|(k, _, _)| *k == key) {
                Some((_, name, _)) => ConfigError::Invalid { file, key, reason: format!("{reason} (set by {name})") },
                None => ConfigError::Invalid { file, key, reason },
            },
            e => e,
        })
    }

    fn load_overridden(path: &Path, overrides: &[(&str, String, &str)]) -> Result<Config, ConfigError> {
        let raw: RawConfig = if overrides.is_empty() { parse_file(path)? } else { parse_with(path, overrides)? };
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
        let log_format = match raw.log_format.as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(invalid(path, "log_format", format!("`{other}` is not text or json"))),
        };
        let title = raw.title.unwrap_or_else(|| DEFAULT_TITLE.into());
        if title.trim().is_empty() {
            return Err(invalid(path, "title", "must not be empty"));
        }
        let all_limit = raw.all_limit.unwrap_or(100);
        if all_limit == 0 {
            return Err(invalid(path, "all_limit", "must be at least 1"));
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
        let websub = websub(path, raw.websub)?;
        let feeds_dir = dir.join(raw.feeds_dir.unwrap_or_else(|| "feeds".into()));
        let (mut feeds, merged) = load_feeds(&feeds_dir)?;
        let mut fetch = fetch;
        fetch.trusted_hosts = source_hosts(&feeds);
        for feed in &mut feeds {
            let in_merged =
                merged.iter().filter(|m| m.sources.contains(&feed.name)).map(|m| m.limit).max().unwrap_or(0);
            feed.keep_at_least = feed.limit.max(in_merged).max(all_limit);
        }
        Ok(Config {
            listen,
            public_url,
            database: dir.join(raw.database.unwrap_or_else(|| DEFAULT_DATABASE.into())),
            output_dir: raw.output_dir.filter(|p| !p.as_os_str().is_empty()).map(|p| dir.join(p)),
            log_level,
            log_format,
            title,
            all_limit,
            history_cache_bytes: history_cache_mb << 20,
            server,
            fetch,
            websub,
            feeds,
            merged,
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
            log_format: LogFormat::Text,
            title: DEFAULT_TITLE.into(),
            all_limit: 100,
            history_cache_bytes: DEFAULT_HISTORY_CACHE_MB << 20,
            server: ServerLimits::default(),
            fetch: FetchConfig { trusted_hosts: source_hosts(&feeds), ..FetchConfig::polite(DEFAULT_USER_AGENT) },
            websub: WebsubConfig::default(),
            feeds,
            merged: Vec::new(),
        }
    }

    /// The effective settings as `bantin.toml` text: every key, from the file, the
    /// environment or the default. Loading it gives the same settings.
    pub fn to_toml(&self) -> String {
        let path = |p: &Path| toml::Value::String(p.display().to_string());
        let int = |n: u64| toml::Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
        let mut fetch = toml::Table::new();
        let f = &self.fetch;
        fetch.insert("min_interval_ms".into(), int(f.min_interval.as_millis() as u64));
        fetch.insert("connect_timeout_secs".into(), int(f.connect_timeout.as_secs()));
        fetch.insert("timeout_secs".into(), int(f.timeout.as_secs()));
        fetch.insert("max_body_bytes".into(), int(f.max_body_bytes as u64));
        fetch.insert("max_redirects".into(), int(f.max_redirects as u64));
        fetch.insert("max_in_flight".into(), int(f.max_in_flight as u64));
        fetch.insert("retries".into(), int(u64::from(f.retries)));
        fetch.insert("retry_base_ms".into(), int(f.retry_base.as_millis() as u64));
        fetch.insert("max_retry_after_secs".into(), int(f.max_retry_after.as_secs()));
        fetch.insert("obey_robots".into(), toml::Value::Boolean(f.obey_robots));
        let mut table = toml::Table::new();
        table.insert("listen".into(), toml::Value::String(self.listen.to_string()));
        table.insert("public_url".into(), toml::Value::String(self.public_url.to_string()));
        table.insert("database".into(), path(&self.database));
        table.insert("feeds_dir".into(), path(&self.feeds_dir));
        // Empty: no static copies.
        table.insert("output_dir".into(), path(self.output_dir.as_deref().unwrap_or(Path::new(""))));
        table.insert("user_agent".into(), toml::Value::String(f.user_agent.clone()));
        table.insert("log_level".into(), toml::Value::String(self.log_level.clone()));
        let format = match self.log_format {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        };
        table.insert("log_format".into(), toml::Value::String(format.into()));
        table.insert("title".into(), toml::Value::String(self.title.clone()));
        table.insert("all_limit".into(), int(self.all_limit as u64));
        table.insert("history_cache_mb".into(), int((self.history_cache_bytes >> 20) as u64));
        table.insert("max_connections".into(), int(self.server.max_connections as u64));
        table.insert("client_timeout_secs".into(), int(self.server.header_timeout.as_secs()));
        table.insert("fetch".into(), toml::Value::Table(fetch));
        let w = &self.websub;
        let mut websub = toml::Table::new();
        websub.insert("enabled".into(), toml::Value::Boolean(w.enabled));
        websub.insert(
            "hubs".into(),
            toml::Value::Array(w.hubs.iter().map(|h| toml::Value::String(h.to_string())).collect()),
        );
        let networks = w.allow_networks.iter().map(|(ip, bits)| toml::Value::String(format!("{ip}/{bits}"))).collect();
        websub.insert("allow_networks".into(), toml::Value::Array(networks));
        websub.insert("lease_secs".into(), int(w.lease.as_secs()));
        websub.insert("max_lease_secs".into(), int(w.max_lease.as_secs()));
        websub.insert("max_subscriptions".into(), int(w.max_subscriptions as u64));
        websub.insert("max_per_host".into(), int(w.max_per_host as u64));
        table.insert("websub".into(), toml::Value::Table(websub));
        toml::to_string(&table).expect("a table of plain values serializes")
    }

    pub fn feed(&self, name: &str) -> Option<&FeedDef> {
        self.feeds.iter().find(|f| f.name == name)
    }
}

/// The `[websub]` table, checked.
fn websub(path: &Path, raw: RawWebsub) -> Result<WebsubConfig, ConfigError> {
    let defaults = WebsubConfig::default();
    let hubs = raw
        .hubs
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, hub)| parse_http_url(hub).map_err(|r| invalid(path, &format!("websub.hubs[{i}]"), r)))
        .collect::<Result<Vec<_>, _>>()?;
    let allow_networks = raw
        .allow_networks
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, net)| parse_network(net).map_err(|r| invalid(path, &format!("websub.allow_networks[{i}]"), r)))
        .collect::<Result<Vec<_>, _>>()?;
    let lease = raw.lease_secs.map_or(defaults.lease, Duration::from_secs);
    let max_lease = raw.max_lease_secs.map_or(defaults.max_lease, Duration::from_secs);
    if !(1..=365 * 86_400).contains(&max_lease.as_secs()) {
        return Err(invalid(path, "websub.max_lease_secs", "must be from 1 to 31536000 (a year)"));
    }
    if lease.is_zero() || lease > max_lease {
        return Err(invalid(path, "websub.lease_secs", "must be from 1 to websub.max_lease_secs"));
    }
    let max_subscriptions = raw.max_subscriptions.unwrap_or(defaults.max_subscriptions);
    let max_per_host = raw.max_per_host.unwrap_or(defaults.max_per_host);
    if !(1..=1_000_000).contains(&max_subscriptions) {
        return Err(invalid(path, "websub.max_subscriptions", "must be from 1 to 1000000"));
    }
    if max_per_host == 0 || max_per_host > max_subscriptions {
        return Err(invalid(path, "websub.max_per_host", "must be from 1 to websub.max_subscriptions"));
    }
    Ok(WebsubConfig {
        enabled: raw.enabled.unwrap_or(defaults.enabled),
        hubs,
        allow_networks,
        lease,
        max_lease,
        max_subscriptions,
        max_per_host,
    })
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
pub fn load_feeds(dir: &Path) -> Result<(Vec<FeedDef>, Vec<MergedDef>), ConfigError> {
    let read_err = |source| ConfigError::Read { file: dir.to_path_buf(), source };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut feeds: Vec<FeedDef> = Vec::new();
    let mut merged: Vec<(PathBuf, MergedDef)> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read { file: file.clone(), source })?;
        let is_merge = text.parse::<toml::Table>().is_ok_and(|t| t.contains_key("sources"));
        let name = if is_merge {
            let def = MergedDef::load(&file)?;
            let name = def.name.clone();
            merged.push((file.clone(), def));
            name
        } else {
            let def = FeedDef::load(&file)?;
            let name = def.name.clone();
            feeds.push(def);
            name
        };
        let uses =
            feeds.iter().filter(|f| f.name == name).count() + merged.iter().filter(|(_, m)| m.name == name).count();
        if uses > 1 {
            return Err(invalid(&file, "name", format!("`{name}` is already used by another feed file")));
        }
    }
    for (file, def) in &merged {
        for (i, source) in def.sources.iter().enumerate() {
            if !feeds.iter().any(|f| &f.name == source) {
                return Err(invalid(file, &format!("sources[{i}]"), format!("no source feed named `{source}`")));
            }
        }
    }
    Ok((feeds, merged.into_iter().map(|(_, d)| d).collect()))
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

fn parse_http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err(format!("`{text}` is not an http(s) URL")),
    }
}

/// Parses TOML into `T`, turning serde's complaint into the file, the dotted key and the reason.
/// Environment variables that override `bantin.toml` keys start so.
const ENV_PREFIX: &str = "BANTIN_";

/// The variable that overrides `key`: `fetch.timeout_secs` → `BANTIN_FETCH_TIMEOUT_SECS`.
pub fn env_name(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.replace('.', "_").to_ascii_uppercase())
}

/// Keys whose values are text: an environment value is taken as it is, never as a number.
const TEXT_KEYS: [&str; 9] =
    ["listen", "public_url", "database", "feeds_dir", "output_dir", "user_agent", "log_level", "log_format", "title"];

/// The config file with `overrides` (key, variable, value) set over it.
fn parse_with(path: &Path, overrides: &[(&str, String, &str)]) -> Result<RawConfig, ConfigError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| ConfigError::Read { file: path.to_path_buf(), source })?;
    let mut table: toml::Table =
        toml::from_str(&text).map_err(|e| invalid(path, "-", format!("not valid TOML: {}", e.message().trim())))?;
    for (key, name, value) in overrides {
        let value = if TEXT_KEYS.contains(key) {
            toml::Value::String(value.to_string())
        } else {
            // Numbers and booleans as TOML writes them.
            let parsed: Result<toml::Table, _> = toml::from_str(&format!("v = {value}"));
            parsed
                .ok()
                .and_then(|mut t| t.remove("v"))
                .ok_or_else(|| invalid(path, key, format!("{name}: `{value}` is not a number or true/false")))?
        };
        match key.split_once('.') {
            Some((section, leaf)) => {
                let entry = table.entry(section).or_insert_with(|| toml::Value::Table(toml::Table::new()));
                let toml::Value::Table(section) = entry else {
                    return Err(invalid(path, section, "must be a table"));
                };
                section.insert(leaf.to_string(), value);
            }
            None => {
                table.insert(key.to_string(), value);
            }
        }
    }
    serde_path_to_error::deserialize(toml::Value::Table(table))
        .map_err(|err| invalid(path, &err.path().to_string(), err.inner().message().trim().to_string()))
}

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

    #[test]
    fn the_former_name_of_all_limit_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("feeds")).unwrap();
        let path = dir.path().join("bantin.toml");
        // Without the environment: a BANTIN_ALL_LIMIT in the developer's shell is not this test's.
        let load = || Config::load_with_env(&path, std::iter::empty()).unwrap();
        std::fs::write(&path, "combined_limit = 7\n").unwrap();
        assert_eq!(load().all_limit, 7);
        std::fs::write(&path, "all_limit = 9\n").unwrap();
        assert_eq!(load().all_limit, 9);
    }
}
