//! The daemon's wiring: the store, the metrics, the read side (rendered feeds, the HTTP
//! server) and the write side (one scheduler per config generation), with systemd's
//! notifications, reloads and the static export after each change.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use crate::{config, fetch, metrics, schedule, serve, store, websub};

/// Why the daemon could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    /// The HTTP server failed.
    #[error("HTTP server: {0}")]
    Serve(#[from] std::io::Error),
    /// The WebSub hub's HTTP client could not be built.
    #[error("WebSub hub: {0}")]
    Hub(#[from] reqwest::Error),
}

/// What follows a run that changed its source's articles: the source's feeds re-rendered, each
/// changed feed pushed to its WebSub subscribers and announced to external hubs, the static
/// files written again. Nothing for a run that changed nothing.
pub async fn publish(
    report: &schedule::RunReport,
    feeds: &serve::Feeds,
    hub: &Arc<websub::Hub>,
    output_dir: Option<&std::path::Path>,
) {
    if !report.changed() {
        return;
    }
    let touched = match feeds.changed(&report.source).await {
        Ok(touched) => touched,
        Err(e) => {
            tracing::error!(source = %report.source, error = %e, "feeds not refreshed after a change");
            return;
        }
    };
    let mut topics = Vec::new();
    for (path, format, topic) in feeds.topics().into_iter().filter(|(path, _, _)| touched.contains(path)) {
        if let Ok(Some(doc)) = feeds.rendered(&path, format, 1).await {
            hub.distribute(topic.clone(), doc.content_type, doc.body.clone()).await;
        }
        topics.push(topic);
    }
    hub.ping_external(&topics).await;
    export_to(feeds, output_dir).await;
}

/// The daemon: every source on its schedule, feeds served on `listener`, static files exported
/// after each change when `output_dir` is set; until `shutdown` turns true. Each config received
/// on `reloads` replaces the feeds and schedules (the listen address and database stay).
/// Tells systemd (when it started us with `Type=notify`) when it is ready, reloading and
/// stopping, pings its watchdog, and keeps a one-line status.
pub async fn run(
    config: config::Config,
    listener: tokio::net::TcpListener,
    shutdown: watch::Receiver<bool>,
    mut reloads: mpsc::UnboundedReceiver<Result<config::Config, config::ConfigError>>,
) -> Result<(), DaemonError> {
    let store = Arc::new(store::Store::open(&config.database)?);
    let metrics = Arc::new(metrics::Metrics::new());
    let feeds = serve::Feeds::new(store.clone(), &config, metrics.clone());
    let (reports_tx, mut reports) = mpsc::unbounded_channel::<schedule::RunReport>();

    // Every hot document rendered before anyone is told we are ready: no reader waits for one.
    if let Err(e) = feeds.warm().await {
        tracing::error!(error = %e, "some documents could not be rendered at start");
    }
    let hub = websub::Hub::new(store.clone(), &config, metrics.clone())?;
    hub.reconfigure(&config.websub, feeds.topics().into_iter().map(|(_, _, topic)| topic).collect());
    let output_dir = config.output_dir.clone();
    let publisher = feeds.clone();
    let pusher = hub.clone();
    tokio::spawn(async move {
        export_to(&publisher, output_dir.as_deref()).await;
        while let Some(report) = reports.recv().await {
            let outcome = if report.failed() { "failed" } else { "ok" };
            let status = format!(
                "{}: {outcome}, {} new, {} updated, {} errors",
                report.source,
                report.counts.new,
                report.counts.updated,
                report.errors.len()
            );
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Status(&status)]);
            publish(&report, &publisher, &pusher, output_dir.as_deref()).await;
        }
    });

    // One schedule per config generation; a reload stops the old one between runs. Its runs in
    // progress finish, so the generations share what keeps the portals safe from two of them:
    // the sources running now (a source's run due meanwhile is skipped) and the fetcher's
    // per-host pacing and in-flight cap (each generation's fetcher succeeds the last).
    let running = schedule::Running::default();
    let mut fetcher = Arc::new(fetch::Fetcher::observed(config.fetch.clone(), metrics.fetch_observer())?);
    let start = |config: &config::Config, fetcher: Arc<fetch::Fetcher>| -> watch::Sender<bool> {
        let runner =
            Arc::new(schedule::Runner::new(fetcher, store.clone(), metrics.clone()).with_feeds(serve::catalog(config)));
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(schedule::daemon(runner, config.feeds.clone(), running.clone(), reports_tx.clone(), stopped));
        stop
    };
    let mut generation = start(&config, fetcher.clone());
    let ready = format!("serving {} feeds on {}", config.feeds.len(), config.listen);
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready, sd_notify::NotifyState::Status(&ready)]);
    if let Some(interval) = sd_notify::watchdog_enabled() {
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval / 2).await;
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
            }
        });
    }

    let mut server_stop = shutdown.clone();
    let server = tokio::spawn(serve::run_with(listener, feeds.clone(), hub.router(), async move {
        let _ = server_stop.wait_for(|s| *s).await;
    }));
    let mut shutdown = shutdown;
    let running = config;
    loop {
        // The select's output is taken out first: it would hold the shutdown flag's borrow
        // across the reload's awaits.
        let new = tokio::select! {
            _ = shutdown.wait_for(|s| *s) => break,
            Some(new) = reloads.recv() => new,
        };
        // The new fetcher is built before anything stops: a client that cannot be built is a
        // refused reload, and the running config stays.
        let built = new.map_err(|e| e.to_string()).and_then(|new| {
            let next = fetcher.successor(new.fetch.clone()).map_err(|e| e.to_string())?;
            Ok((new, Arc::new(next)))
        });
        let (new, next) = match built {
            Ok(built) => built,
            Err(e) => {
                tracing::error!(error = %e, "reload refused; the running config stays");
                metrics.reloads.get_or_create(&metrics::ResultLabels { result: "refused".into() }).inc();
                let status = format!("reload refused: {e}");
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Status(&status)]);
                continue;
            }
        };
        let _ = sd_notify::notify(&[sd_notify::NotifyState::Reloading]);
        if new.listen != running.listen || new.database != running.database {
            tracing::warn!("listen and database changes take effect at the next restart");
        }
        let _ = generation.send(true);
        fetcher = next;
        generation = start(&new, fetcher.clone());
        if let Err(e) = feeds.reconfigure(&new).await {
            tracing::error!(error = %e, "some documents could not be rendered after the reload");
        }
        hub.reconfigure(&new.websub, feeds.topics().into_iter().map(|(_, _, topic)| topic).collect());
        tracing::info!(feeds = new.feeds.len(), "config reloaded");
        metrics.reloads.get_or_create(&metrics::ResultLabels { result: "ok".into() }).inc();
        let status = format!("reloaded: {} feeds", new.feeds.len());
        let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready, sd_notify::NotifyState::Status(&status)]);
    }
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    let _ = generation.send(true);
    match server.await {
        Ok(result) => result?,
        Err(e) => tracing::error!(error = %e, "HTTP server task failed"),
    }
    Ok(())
}

async fn export_to(feeds: &serve::Feeds, dir: Option<&std::path::Path>) {
    let Some(dir) = dir else { return };
    match serve::export(feeds, dir).await {
        Ok(files) => tracing::info!(dir = %dir.display(), files = files.len(), "static feeds written"),
        Err(e) => tracing::error!(dir = %dir.display(), error = %e, "cannot write static feeds"),
    }
}
