//! What the daemon counts, for `/metrics` in the Prometheus text format: portal fetches by
//! outcome, articles stored, extraction errors, layout-change alarms, scrape runs and their
//! duration, and feed requests by status. One registry, created by whoever wires the daemon and
//! handed to the fetcher, the scheduler and the server: no global recorder.

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// An HTTP status ("200", "304", "503"), or what went wrong before one ("timeout",
    /// "connect", "robots", "too_large", "error").
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SourceLabels {
    pub source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RunLabels {
    pub source: String,
    /// "ok", "failed", "panicked" (a bantin bug; the source runs again on schedule), or
    /// "skipped" (due while the source's previous run, of an earlier config, was in progress).
    pub result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    /// "ok" or "refused" (reloads); "ok", "retried" or "dropped" (WebSub deliveries).
    pub result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    pub status: String,
}

/// Every metric bantin exports.
pub struct Metrics {
    registry: Registry,
    pub fetches: Family<OutcomeLabels, Counter>,
    pub articles_new: Family<SourceLabels, Counter>,
    pub articles_updated: Family<SourceLabels, Counter>,
    pub extraction_errors: Family<SourceLabels, Counter>,
    pub extraction_warnings: Family<SourceLabels, Counter>,
    pub layout_changes: Family<SourceLabels, Counter>,
    pub runs: Family<RunLabels, Counter>,
    pub run_seconds: Family<SourceLabels, Histogram>,
    pub feed_requests: Family<StatusLabels, Counter>,
    pub connections: Gauge,
    pub reloads: Family<ResultLabels, Counter>,
    /// WebSub deliveries: "ok", "retried" (an attempt that failed and was tried again),
    /// "dropped" (every attempt failed).
    pub websub_deliveries: Family<ResultLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("bantin");
        let fetches = Family::<OutcomeLabels, Counter>::default();
        registry.register("portal_fetches", "Requests to portals, by HTTP status or failure", fetches.clone());
        let articles_new = Family::<SourceLabels, Counter>::default();
        registry.register("articles_new", "Articles stored for the first time", articles_new.clone());
        let articles_updated = Family::<SourceLabels, Counter>::default();
        registry.register("articles_updated", "Stored articles whose content changed", articles_updated.clone());
        let extraction_errors = Family::<SourceLabels, Counter>::default();
        registry.register("extraction_errors", "Article pages that gave no article", extraction_errors.clone());
        let extraction_warnings = Family::<SourceLabels, Counter>::default();
        registry.register(
            "extraction_warnings",
            "Article pages whose substantial text landed in no field",
            extraction_warnings.clone(),
        );
        let layout_changes = Family::<SourceLabels, Counter>::default();
        registry.register(
            "layout_changes",
            "List pages that listed articles before and none now",
            layout_changes.clone(),
        );
        let runs = Family::<RunLabels, Counter>::default();
        registry.register("scrape_runs", "Scrape runs by result", runs.clone());
        let run_seconds = Family::<SourceLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0])
        });
        registry.register("scrape_duration_seconds", "How long a scrape run took", run_seconds.clone());
        let feed_requests = Family::<StatusLabels, Counter>::default();
        registry.register(
            "feed_requests",
            "Feed requests served, by HTTP status (304s are cache hits)",
            feed_requests.clone(),
        );
        let reloads = Family::<ResultLabels, Counter>::default();
        registry.register("config_reloads", "Config reloads (SIGHUP), applied or refused", reloads.clone());
        let connections = Gauge::default();
        registry.register("http_connections", "HTTP connections open now", connections.clone());
        let websub_deliveries = Family::<ResultLabels, Counter>::default();
        registry.register("websub_deliveries", "WebSub content deliveries to subscribers", websub_deliveries.clone());
        Metrics {
            websub_deliveries,
            registry,
            connections,
            reloads,
            fetches,
            articles_new,
            articles_updated,
            extraction_errors,
            extraction_warnings,
            layout_changes,
            runs,
            run_seconds,
            feed_requests,
        }
    }

    pub fn fetch(&self, outcome: &str) {
        self.fetches.get_or_create(&OutcomeLabels { outcome: outcome.to_string() }).inc();
    }

    /// An observer for a fetcher that counts each request's outcome here.
    pub fn fetch_observer(self: &Arc<Self>) -> crate::fetch::Observer {
        let metrics = self.clone();
        Arc::new(move |outcome: &str| metrics.fetch(outcome))
    }

    pub fn source(source: &str) -> SourceLabels {
        SourceLabels { source: source.to_string() }
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String");
        out
    }
}
