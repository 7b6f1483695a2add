//! The daemon's wiring: the store, the metrics, the read side (rendered feeds, the HTTP
//! server) and the write side (one scheduler per config generation), with systemd's
//! notifications, reloads and the static export after each change.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use crate::{config, fetch, metrics, schedule, serve, store};

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
    let output_dir = config.output_dir.clone();
    let publisher = feeds.clone();
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
            if report.changed() {
                if let Err(e) = publisher.changed(&report.source).await {
                    tracing::error!(source = %report.source, error = %e, "feeds not refreshed after a change");
                }
                export_to(&publisher, output_dir.as_deref()).await;
            }
        }
    });

    // One schedule per config generation; a reload stops the old one between runs.
    let start = |config: &config::Config| -> Result<watch::Sender<bool>, DaemonError> {
        let fetcher = Arc::new(fetch::Fetcher::observed(config.fetch.clone(), metrics.fetch_observer())?);
        let runner = Arc::new(schedule::Runner::new(fetcher, store.clone(), metrics.clone()));
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(schedule::daemon(runner, config.feeds.clone(), reports_tx.clone(), stopped));
        Ok(stop)
    };
    let mut generation = start(&config)?;
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
    let server = tokio::spawn(serve::run(listener, feeds.clone(), async move {
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
        let new = match new {
            Ok(new) => new,
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
        generation = start(&new)?;
        if let Err(e) = feeds.reconfigure(&new).await {
            tracing::error!(error = %e, "some documents could not be rendered after the reload");
        }
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
