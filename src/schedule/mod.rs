//! When each source runs: every source on its own cron schedule (an overdue one at once), one
//! run of a source at a time across config generations (`Running`), each run its own task so
//! a panic ends that run only. What a run does is `run.rs`.

mod run;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use tokio::sync::{mpsc, watch};

use crate::config::FeedDef;
use crate::metrics::RunLabels;
use crate::store::Store;

pub use run::{Imported, RunError, RunReport, Runner, retain};

/// The sources with a run in progress, shared by every config generation: a reload starts a
/// new schedule while the old one's runs finish, and a source's run due meanwhile is skipped
/// (cron's "no overlap": the run in progress is doing its work), never started beside it.
#[derive(Clone, Default)]
pub struct Running {
    sources: Arc<std::sync::Mutex<HashSet<String>>>,
}

/// A source's run in progress; the source is free again when this is dropped.
pub struct RunSlot {
    running: Running,
    source: String,
}

impl Running {
    /// Takes `source`'s slot, or `None` while one of its runs is in progress.
    pub fn start(&self, source: &str) -> Option<RunSlot> {
        let mut sources = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        sources.insert(source.to_string()).then(|| RunSlot { running: self.clone(), source: source.to_string() })
    }
}

impl Drop for RunSlot {
    fn drop(&mut self) {
        self.running.sources.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.source);
    }
}

/// Runs every source on its schedule until `shutdown` turns true. A source whose last success
/// is older than its interval (or that never ran) runs at once rather than at its next tick.
/// A run due while `running` has one of the same source (an earlier generation's, after a
/// reload) is skipped and counted as `scrape_runs{result="skipped"}`. Each finished run is
/// sent on `reports`.
pub async fn daemon(
    runner: Arc<Runner>,
    defs: Vec<FeedDef>,
    running: Running,
    reports: mpsc::UnboundedSender<RunReport>,
    shutdown: watch::Receiver<bool>,
) {
    let mut tasks = tokio::task::JoinSet::new();
    for def in defs {
        let (runner, reports, mut shutdown) = (runner.clone(), reports.clone(), shutdown.clone());
        let running = running.clone();
        tasks.spawn(async move {
            let mut first = true;
            loop {
                let now = crate::model::now();
                let wait = if first && overdue(&runner.store, &def, now).await {
                    Duration::ZERO
                } else {
                    match def.schedule.after(now).next() {
                        // Up to a tenth of the interval (at most 30 s) later: sources on the
                        // same cron expression do not all hit their portals in the same second.
                        Some(next) => {
                            let jitter = (def.schedule.interval(now) / 10).min(Duration::from_secs(30));
                            (next - now).to_std().unwrap_or(Duration::ZERO) + jitter.mul_f64(fastrand::f64())
                        }
                        None => {
                            if let Some(warning) = def.schedule.no_run_after(now) {
                                tracing::warn!(source = %def.name, "{warning}");
                            }
                            return;
                        }
                    }
                };
                first = false;
                tracing::debug!(source = %def.name, wait_secs = wait.as_secs(), "next run");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.wait_for(|stop| *stop) => return,
                }
                let Some(slot) = running.start(&def.name) else {
                    tracing::info!(source = %def.name, "run skipped: the previous one is still in progress");
                    let labels = RunLabels { source: def.name.clone(), result: "skipped".into() };
                    runner.metrics.runs.get_or_create(&labels).inc();
                    continue;
                };
                let report = supervised(&def.name, {
                    let (runner, def) = (runner.clone(), def.clone());
                    async move { runner.run(&def).await }
                })
                .await;
                if report.panicked() {
                    // The run never reached its own bookkeeping: count and record it here, so
                    // `/readyz` shows the source degraded with the cause until a run succeeds.
                    runner.finish(&report).await;
                }
                drop(slot);
                if reports.send(report).is_err() {
                    return;
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

/// Runs `run` as its own task, so a panic anywhere in it (a parser bug a page found) ends that
/// run only: it comes back as a failed report naming the panic, and the source runs again at
/// its next scheduled time while the other sources never notice.
pub async fn supervised(source: &str, run: impl std::future::Future<Output = RunReport> + Send + 'static) -> RunReport {
    match tokio::spawn(run).await {
        Ok(report) => report,
        Err(e) => {
            let cause = match e.try_into_panic() {
                Ok(payload) => payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".into()),
                Err(e) => e.to_string(),
            };
            tracing::error!(source, cause = %cause, "run panicked");
            RunReport { source: source.to_string(), errors: vec![RunError::Panicked(cause)], ..RunReport::default() }
        }
    }
}

async fn overdue(store: &Arc<Store>, def: &FeedDef, now: DateTime<FixedOffset>) -> bool {
    let source = def.name.clone();
    let state = run::blocking(store, move |s| s.source_state(&source)).await;
    let interval = chrono::Duration::from_std(def.schedule.interval(now)).unwrap_or(chrono::Duration::hours(1));
    match state {
        Ok(state) => state.last_success.is_none_or(|t| now - t > interval),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_run_becomes_a_failed_report_and_the_next_run_happens() {
        let report = supervised("broken", async { panic!("index out of bounds: the len is 0") }).await;
        assert!(report.panicked() && report.failed());
        assert_eq!(report.source, "broken");
        assert!(report.errors[0].to_string().contains("index out of bounds"), "{:?}", report.errors);
        let formatted = supervised("broken", async { panic!("{} of {}", 1, 2) }).await;
        assert!(formatted.errors[0].to_string().contains("1 of 2"), "{:?}", formatted.errors);
        let fine = supervised("fine", async { RunReport { source: "fine".into(), ..RunReport::default() } }).await;
        assert!(!fine.panicked() && !fine.failed());
    }
}
