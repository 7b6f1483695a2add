//! The `bantin` command line: parses arguments, sets up logging and signals, maps failures to
//! exit codes (1: a run failed, 2: bad input or config). No pipeline logic lives here.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use bantin::config::{Config, ConfigError, FeedDef, LogFormat, Profile, Rules};
use bantin::fetch::Fetcher;
use bantin::model::{Format, Page};
use bantin::sample::SamplePortal;
use bantin::schedule::{RunReport, Runner};
use bantin::serve::Feeds;
use bantin::store::Store;
use clap::{Parser, Subcommand, ValueEnum};
use tokio::sync::watch;
use url::Url;

const DEFAULT_CONFIG: &str = "/etc/bantin/bantin.toml";

#[derive(Parser)]
#[command(
    name = "bantin",
    version,
    about = "Turns news portals into RSS, Atom and JSON feeds: scrape, store in SQLite, publish",
    long_about = "Turns news portals into RSS, Atom and JSON feeds: scrapes each source on its schedule, \
                  keeps the articles in SQLite and serves the feeds over HTTP. `bantin demo` runs on a \
                  bundled sample portal without network or config.",
    after_help = "Environment: BANTIN_CONFIG names the config file; BANTIN_<KEY> overrides a key of it \
                  (BANTIN_LISTEN, BANTIN_FETCH_TIMEOUT_SECS, ...; see `bantin check --print-config`). \
                  RUST_LOG overrides log_level."
)]
struct Cli {
    /// The daemon's config file; its feed files are in its `feeds_dir` (default: `feeds/` beside it).
    #[arg(short, long, global = true, env = "BANTIN_CONFIG", default_value = DEFAULT_CONFIG, value_name = "FILE")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scrape the bundled sample portal on loopback and serve its feeds: no network, no config.
    Demo {
        /// Address to serve the feeds on (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
        listen: SocketAddr,
    },
    /// Run the daemon: scrape every feed on its schedule and serve the feeds.
    Run,
    /// Run one scrape cycle and exit; non-zero exit if any source failed.
    Scrape {
        /// Only this feed (by name).
        #[arg(long, value_name = "NAME")]
        feed: Option<String>,
    },
    /// Extract one saved article page and print it as JSON.
    Extract {
        /// How to read the page.
        #[arg(long, value_enum, default_value = "publishing-portal")]
        profile: ProfileArg,
        /// Read with this feed file's profile, selectors and date rules instead.
        #[arg(long, value_name = "FEED_TOML")]
        feed: Option<PathBuf>,
        /// The page's URL: relative links resolve against it and it gives the article's identity.
        #[arg(long)]
        url: Url,
        /// The saved HTML page or text dump, or `-` for standard input.
        file: PathBuf,
    },
    /// Store saved pages or text dumps as articles of a feed (to backfill a portal that is gone).
    Import {
        /// The feed (by name) the articles belong to.
        #[arg(long, value_name = "NAME")]
        feed: String,
        /// The URL each file was saved from, one `--url` per file, in order.
        #[arg(long = "url", required = true)]
        urls: Vec<Url>,
        /// Saved HTML pages or text dumps.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Create feed files (profile "feed") for the feeds of a reader's OPML export not yet configured.
    ImportOpml {
        /// The OPML file, or `-` for standard input.
        file: PathBuf,
    },
    /// Print a feed as it is published, from the store.
    Render {
        /// A feed's path: a feed name, `NAME/CATEGORY` or `all`.
        #[arg(long, value_name = "PATH")]
        feed: String,
        /// The format to print.
        #[arg(long, value_enum, default_value = "rss")]
        format: FormatArg,
        /// A history page (RFC 5005); 1 is the feed itself.
        #[arg(long, default_value_t = 1)]
        page: u32,
    },
    /// Write every feed, the index, the OPML and the stylesheet as static files (for nginx or a CDN).
    Export {
        /// Directory to write into (default: the config's `output_dir`).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Validate the config and feed files and print each feed's next runs.
    Check {
        /// Also print the effective settings (file, defaults and BANTIN_* variables) as TOML.
        #[arg(long)]
        print_config: bool,
    },
    /// Print a shell completion script (e.g. `bantin completions bash > /etc/bash_completion.d/bantin`).
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `bantin man | man -l -`.
    Man,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    PublishingPortal,
    Css,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Rss,
    Atom,
    Json,
}

/// A mistake in what the user gave (arguments, files): exit code 2, like a bad config.
#[derive(Debug)]
struct BadInput(String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Exit code 2 for input the user can fix, 1 for a run that failed.
fn exit_code(e: &anyhow::Error) -> ExitCode {
    let bad_input = e.chain().any(|c| {
        c.is::<BadInput>()
            || c.is::<bantin::config::ConfigError>()
            || c.is::<bantin::extract::ExtractError>()
            || c.downcast_ref::<bantin::store::StoreError>().is_some_and(|s| s.is_wrong_database())
            || matches!(c.downcast_ref::<bantin::DaemonError>(), Some(bantin::DaemonError::Store(s)) if s.is_wrong_database())
    });
    if bad_input { ExitCode::from(2) } else { ExitCode::FAILURE }
}

/// The error and its causes on one line, each cause once (error types often repeat their
/// source in their own message).
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain().map(|c| c.to_string()) {
        if !line.contains(&cause) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&cause);
        }
    }
    line
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // tests/crash.rs chooses where a debug build dies (see bantin::fault).
    #[cfg(debug_assertions)]
    if let Some(at) = std::env::var("BANTIN_TEST_CRASH_AT").ok().and_then(|v| v.parse().ok()) {
        bantin::fault::arm(at);
    }
    tune_allocator();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Store calls and renders queue here; more threads would only hold more memory.
        .max_blocking_threads(32)
        .build()
        .expect("tokio runtime");
    match runtime.block_on(dispatch(cli.command, cli.config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bantin: {}", one_line(&e));
            exit_code(&e)
        }
    }
}

/// glibc's malloc, tuned for a long-running server. Each thread that allocates gets its own
/// arena (up to eight per core) and memory freed in one is not reused by another: with renders
/// and scrapes moving between the blocking pool's threads, resident memory kept growing; two
/// arenas keep it flat. Freed memory in the middle of a heap is only given back to the system
/// by `malloc_trim`: after 5,000 idle connections closed, the daemon stayed 50% larger until a
/// trim, so one runs every few seconds (it costs well under a millisecond here). mimalloc was
/// tried instead: twice the resident memory (`benches/traffic.sh`, `tests/limits.rs`).
/// `MALLOC_ARENA_MAX` in the environment still wins.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: sets one allocator parameter, before any other thread exists.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, 2);
            }
        }
        let _ = std::thread::Builder::new().name("malloc-trim".into()).spawn(|| {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(5));
                // SAFETY: malloc_trim only returns free pages to the system; it is thread-safe.
                unsafe {
                    libc::malloc_trim(0);
                }
            }
        });
    }
}

async fn dispatch(command: Command, config: PathBuf) -> Result<ExitCode> {
    match command {
        Command::Demo { listen } => demo(listen).await,
        Command::Run => {
            let settings = load(&config)?;
            init_logging(&settings.log_level, settings.log_format);
            let listener = bind(settings.listen).await?;
            tracing::info!(listen = %settings.listen, feeds = settings.feeds.len(), "bantin running");
            bantin::run(settings, listener, shutdown_signal(), reload_signal(config.clone())).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Scrape { feed } => scrape(&config, feed.as_deref()).await,
        Command::Extract { profile, feed, url, file } => extract(profile, feed.as_deref(), url, &file),
        Command::Import { feed, urls, files } => import(&config, &feed, urls, &files).await,
        Command::Render { feed, format, page } => render(&config, &feed, format, page).await,
        Command::Export { out } => export(&config, out).await,
        Command::ImportOpml { file } => import_opml(&config, &file),
        Command::Check { print_config } => check(&config, print_config),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "bantin",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load(path: &Path) -> Result<Config> {
    Ok(Config::load(path)?)
}

/// Logs to stderr: text, coloured only on a terminal (journald and files get plain text), or
/// JSON lines with the same fields.
fn init_logging(default_filter: &str, format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).try_init(),
        LogFormat::Json => logs.json().flatten_event(true).try_init(),
    };
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))
}

/// A new config on each SIGHUP. A config that does not load is reported and the running one
/// stays.
fn reload_signal(path: PathBuf) -> tokio::sync::mpsc::UnboundedReceiver<Result<Config, ConfigError>> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).expect("SIGHUP handler");
        while hup.recv().await.is_some() {
            tracing::info!(config = %path.display(), "reloading");
            // A config that does not load goes to the daemon too: it keeps the running one
            // and says so (log, status, metric).
            if tx.send(Config::load(&path)).is_err() {
                return;
            }
        }
    });
    rx
}

/// Turns true on Ctrl-C or SIGTERM.
fn shutdown_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutting down");
        let _ = tx.send(true);
    });
    rx
}

async fn demo(listen: SocketAddr) -> Result<ExitCode> {
    init_logging("info", LogFormat::Text);
    let portal = SamplePortal::start().await.context("cannot start the sample portal")?;
    let listener = bind(listen).await.context("try --listen 127.0.0.1:0 for a free port")?;
    let addr = listener.local_addr()?;
    let state = tempfile::tempdir().context("cannot create a temporary directory")?;
    let feed = FeedDef::sample(&portal.url());
    let mut config = Config::defaults(addr, state.path().join("bantin.sqlite"), vec![feed.clone()]);
    // The sample portal is this process on loopback: no need to pace requests.
    config.fetch.min_interval = std::time::Duration::ZERO;
    config.title = "bantin demo".into();
    // Scrape once before serving, so the first feed a reader opens is already full.
    let runner = runner(&config)?;
    let report = runner.run(&feed).await;
    drop(runner);
    print_report(&report);
    println!("sample portal: {}", portal.url());
    println!("feeds:         http://{addr}/");
    for format in Format::ALL {
        println!("               http://{addr}/feeds/{}.{}", feed.name, format.extension());
    }
    println!("               http://{addr}/opml");
    println!("press Ctrl-C to stop");
    let (_no_reloads, reloads) = tokio::sync::mpsc::unbounded_channel();
    bantin::run(config, listener, shutdown_signal(), reloads).await?;
    Ok(ExitCode::SUCCESS)
}

async fn scrape(path: &Path, only: Option<&str>) -> Result<ExitCode> {
    let config = load(path)?;
    init_logging(&config.log_level, config.log_format);
    let defs: Vec<&FeedDef> = match only {
        Some(name) => vec![config.feed(name).ok_or_else(|| no_feed(name, path))?],
        None => config.feeds.iter().collect(),
    };
    let runner = runner(&config)?;
    let mut failed = false;
    let mut changed = false;
    // On a terminal, one line per source redrawn as it goes; in logs and pipes, the summary only.
    let live = std::io::IsTerminal::is_terminal(&std::io::stderr());
    for def in defs {
        let progress = |r: &RunReport| {
            if live {
                eprint!("\r{}: {} pages, {} articles fetched…", r.source, r.pages, r.articles_fetched);
            }
        };
        let report = runner.run_with_progress(def, &progress).await;
        if live {
            eprint!("\r\x1b[2K");
        }
        print_report(&report);
        failed |= report.failed();
        changed |= report.changed();
    }
    if let Some(dir) = config.output_dir.as_deref().filter(|_| changed) {
        bantin::serve::export(&Feeds::new(runner.store.clone(), &config, Default::default()), dir).await?;
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The write path of a one-shot command: its own fetcher and metrics, the config's store.
fn runner(config: &Config) -> Result<Runner> {
    let store = Arc::new(Store::open(&config.database)?);
    let runner = Runner::new(Arc::new(Fetcher::new(config.fetch.clone())?), store, Default::default());
    Ok(runner.with_feeds(bantin::serve::catalog(config)))
}

fn no_feed(name: &str, config: &Path) -> BadInput {
    BadInput(format!("no feed named `{name}` in the feeds of {}", config.display()))
}

/// Writes a command's document to stdout. A reader that stops early (`| head`) is no error:
/// the command ends quietly, as Unix tools do, instead of panicking in `println!`.
fn print_document(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn print_report(r: &RunReport) {
    println!(
        "{}: {} pages{}, {} articles fetched, {} new, {} updated, {} unchanged, {} errors{}",
        r.source,
        r.pages,
        if r.not_modified > 0 { format!(" ({} not modified)", r.not_modified) } else { String::new() },
        r.articles_fetched,
        r.counts.new,
        r.counts.updated,
        r.counts.unchanged,
        r.errors.len(),
        if r.deferred > 0 { format!(", {} left for the next run", r.deferred) } else { String::new() }
    );
    for e in &r.errors {
        println!("  error: {e}");
    }
}

fn read_input(file: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if file == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).context("cannot read standard input")?;
    } else {
        bytes = std::fs::read(file).map_err(|e| BadInput(format!("cannot read {}: {e}", file.display())))?;
    }
    Ok(bytes)
}

fn extract(profile: ProfileArg, feed: Option<&Path>, url: Url, file: &Path) -> Result<ExitCode> {
    let rules = match (feed, profile) {
        (Some(feed), _) => FeedDef::load(feed)?.rules,
        (None, ProfileArg::PublishingPortal) => Rules::new(Profile::PublishingPortal),
        (None, ProfileArg::Css) => {
            return Err(BadInput("profile css needs --feed FILE with its [selectors]".into()).into());
        }
    };
    let page = Page { url, html: bantin::fetch::decode(&read_input(file)?, None) };
    let extracted = bantin::extract::article(&rules, &page, None).with_context(|| format!("{}", file.display()))?;
    for text in &extracted.unplaced {
        eprintln!("warning: {}: text in no field: «{text}»", file.display());
    }
    print_document(format!("{}\n", serde_json::to_string_pretty(&extracted.article.to_json())?).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

async fn import(path: &Path, name: &str, urls: Vec<Url>, files: &[PathBuf]) -> Result<ExitCode> {
    let config = load(path)?;
    let def = config.feed(name).ok_or_else(|| no_feed(name, path))?;
    if urls.len() != files.len() {
        return Err(BadInput(format!("{} --url for {} files: give one URL per file", urls.len(), files.len())).into());
    }
    let mut pages = Vec::new();
    for (url, file) in urls.into_iter().zip(files) {
        pages.push(Page { url, html: bantin::fetch::decode(&read_input(file)?, None) });
    }
    // The write path of a scrape from extraction on; all or nothing: one bad page stores none.
    let imported = runner(&config)?.import(def, pages).await?;
    for (file, title) in files.iter().zip(&imported.titles) {
        println!("{}: {title}", file.display());
    }
    let counts = imported.counts;
    println!("{}: {} new, {} updated, {} unchanged", def.name, counts.new, counts.updated, counts.unchanged);
    Ok(ExitCode::SUCCESS)
}

async fn render(path: &Path, name: &str, format: FormatArg, page: u32) -> Result<ExitCode> {
    let config = load(path)?;
    let format = match format {
        FormatArg::Rss => Format::Rss,
        FormatArg::Atom => Format::Atom,
        FormatArg::Json => Format::Json,
    };
    let store = Arc::new(Store::open(&config.database)?);
    let feeds = Feeds::new(store, &config, Default::default());
    if !feeds.catalog().iter().any(|f| f.path == name) {
        return Err(no_feed(name, path).into());
    }
    let doc =
        feeds.rendered(name, format, page).await?.ok_or_else(|| BadInput(format!("`{name}` has no page {page}")))?;
    print_document(&doc.body)?;
    Ok(ExitCode::SUCCESS)
}

fn import_opml(path: &Path, file: &Path) -> Result<ExitCode> {
    let config = load(path)?;
    let opml = String::from_utf8_lossy(&read_input(file)?).into_owned();
    let taken: Vec<String> =
        config.feeds.iter().map(|f| f.name.clone()).chain(config.merged.iter().map(|m| m.name.clone())).collect();
    let configured: Vec<Url> = config.feeds.iter().flat_map(|f| f.list_pages.iter().map(|p| p.url.clone())).collect();
    let import = bantin::config::feed_files_from_opml(&opml, &taken, &configured);
    if import.files.is_empty() && import.known == 0 {
        return Err(BadInput(format!("{}: no outline with an xmlUrl", file.display())).into());
    }
    for (name, text) in &import.files {
        let target = config.feeds_dir.join(name);
        // Never overwrite: an existing file is someone's edited definition.
        let mut f = match std::fs::OpenOptions::new().write(true).create_new(true).open(&target) {
            Ok(f) => f,
            Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot create {}", target.display()))),
        };
        std::io::Write::write_all(&mut f, text.as_bytes())?;
        println!("{}", target.display());
    }
    println!(
        "{} feed files written, {} feeds already configured; check them with `bantin check` and reload",
        import.files.len(),
        import.known
    );
    Ok(ExitCode::SUCCESS)
}

async fn export(path: &Path, out: Option<PathBuf>) -> Result<ExitCode> {
    let config = load(path)?;
    let dir = out
        .or_else(|| config.output_dir.clone())
        .ok_or_else(|| BadInput(format!("give --out DIR or set output_dir in {}", path.display())))?;
    let store = Arc::new(Store::open(&config.database)?);
    let files = bantin::serve::export(&Feeds::new(store, &config, Default::default()), &dir).await?;
    println!("{} files written to {}", files.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}

fn check(path: &Path, print_config: bool) -> Result<ExitCode> {
    let config = load(path)?;
    println!("{}: ok", path.display());
    println!("  listen {}, public URL {}, database {}", config.listen, config.public_url, config.database.display());
    if config.feeds.is_empty() {
        println!("  no feeds defined");
    }
    let now = bantin::model::now();
    for def in &config.feeds {
        println!(
            "feed {} ({}): {}",
            def.name,
            def.title,
            def.list_pages.iter().map(|p| p.url.as_str()).collect::<Vec<_>>().join(", ")
        );
        match def.schedule.no_run_after(now) {
            // Still a valid config: the feed is served from what the store has.
            Some(warning) => println!("  warning: {warning}"),
            None => {
                let next: Vec<String> =
                    def.schedule.after(now).take(3).map(|t| t.format("%Y-%m-%d %H:%M:%S %:z").to_string()).collect();
                println!("  schedule `{}`: next runs {}", def.schedule.expr, next.join(", "));
            }
        }
    }
    if print_config {
        println!("\n# The settings in effect: the file, then BANTIN_* variables, then defaults.");
        print!("{}", config.to_toml());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn every_command_and_argument_says_what_it_is() {
        let cli = super::Cli::command();
        cli.clone().debug_assert();
        let mut missing = Vec::new();
        for command in std::iter::once(&cli).chain(cli.get_subcommands()) {
            if command.get_about().is_none() {
                missing.push(format!("command {}", command.get_name()));
            }
            for arg in command.get_arguments().filter(|a| !matches!(a.get_id().as_str(), "help" | "version")) {
                if arg.get_help().is_none() {
                    missing.push(format!("{} {}", command.get_name(), arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "no help text: {missing:?}");
        let config = cli.get_arguments().find(|a| a.get_id() == "config").unwrap();
        assert_eq!(config.get_short(), Some('c'));
        assert!(config.is_global_set());
    }
}
