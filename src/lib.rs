//! bantin turns news portals into feeds: it fetches a portal's pages, extracts articles,
//! keeps them in SQLite and publishes RSS and Atom over HTTP on a schedule.
//!
//! Data flows `fetch` → `extract` → `store` → `publish` → `serve`; `schedule` drives the write
//! path and `serve` the read path. The leaves depend only on `model` and `config`.

/// Typed configuration: daemon settings and feed definitions, validated at load.
pub mod config;
/// The daemon's wiring: store, metrics, scheduler, server, systemd, reloads.
pub mod daemon;
/// Page → article links and articles: profiles, dates, HTML hygiene. Pure.
pub mod extract;
/// Crash points for the crash test (debug builds only; nothing in release builds).
#[doc(hidden)]
pub mod fault;
/// Network I/O toward portals: client, pacing, caps, charset decoding.
pub mod fetch;
/// What the daemon counts, for `/metrics`.
pub mod metrics;
/// The shared vocabulary: pages, articles, feed items, formats.
pub mod model;
/// Feed items → RSS 2.0 and Atom 1.0 bytes. Pure.
pub mod publish;
/// The bundled sample portal (the fixture site) served on loopback, for the demo and tests.
pub mod sample;
/// When each source runs (`mod.rs`) and what one run does (`run.rs`): the one place that
/// chains fetch → extract → store.
pub mod schedule;
/// Which items a merged feed shows: filters and one copy per story. Pure.
pub mod select;
/// HTTP: feeds, index page, health; cached rendered bytes with ETag/304.
pub mod serve;
/// SQLite: migrations, identity, every SQL statement.
pub mod store;
/// WebSub: bantin as the hub of its feeds, pushing each new version to subscribers.
pub mod websub;

pub use daemon::{DaemonError, run};
