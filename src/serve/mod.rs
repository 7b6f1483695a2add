//! The read path: feeds over HTTP with ETag/Last-Modified/304, an index page with
//! autodiscovery, and health. Rendered bytes are cached in memory and dropped when a scrape
//! changes the store, so a repeated GET never touches SQLite.

mod export;
mod pages;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Utc};
use sha2::{Digest, Sha256};
use url::Url;

use crate::config::FeedDef;
use crate::model::{FeedMeta, Format, vietnam};
use crate::publish::{self, PublishError};
use crate::store::{Store, StoreError};

pub use export::export;

/// Why a feed could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Rendering failed.
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// Writing a static file failed.
    #[error("cannot write {path}: {source}")]
    Write { path: std::path::PathBuf, source: std::io::Error },
    /// A blocking task died (a panic in the store or renderer).
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// One rendered feed document and its validators.
#[derive(Debug)]
pub struct Rendered {
    pub body: Vec<u8>,
    pub format: Format,
    /// Strong validator: a hash of the bytes.
    pub etag: String,
    /// The newest item's update, in HTTP date format.
    pub last_modified: Option<String>,
    /// How long a reader may cache it: half the source's schedule interval, within 1 min–1 h.
    pub max_age: u64,
}

/// The read side's shared state: the store, the feed definitions and the rendered cache.
#[derive(Clone)]
pub struct Feeds {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    public_url: Url,
    defs: RwLock<Arc<Vec<FeedDef>>>,
    cache: Mutex<HashMap<(String, Format), Arc<Rendered>>>,
    /// Bumped by every invalidation; a render that started before one is not cached.
    generation: AtomicU64,
}

impl Feeds {
    pub fn new(store: Arc<Store>, defs: Vec<FeedDef>, public_url: Url) -> Feeds {
        Feeds {
            inner: Arc::new(Inner {
                store,
                public_url,
                defs: RwLock::new(Arc::new(defs)),
                cache: Mutex::new(HashMap::new()),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// Drops every cached rendering: call after a scrape changed the store.
    pub fn invalidate(&self) {
        let mut cache = self.inner.cache.lock().expect("cache lock");
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        cache.clear();
    }

    /// Replaces the feed definitions (config reload).
    pub fn set_defs(&self, defs: Vec<FeedDef>) {
        *self.inner.defs.write().expect("defs lock") = Arc::new(defs);
        self.invalidate();
    }

    pub fn defs(&self) -> Arc<Vec<FeedDef>> {
        self.inner.defs.read().expect("defs lock").clone()
    }

    pub fn public_url(&self) -> &Url {
        &self.inner.public_url
    }

    /// The feed `name` in `format`, from the cache or freshly rendered; `None` if no such feed.
    pub async fn rendered(&self, name: &str, format: Format) -> Result<Option<Arc<Rendered>>, ServeError> {
        let key = (name.to_string(), format);
        if let Some(hit) = self.inner.cache.lock().expect("cache lock").get(&key) {
            return Ok(Some(hit.clone()));
        }
        let Some(def) = self.defs().iter().find(|d| d.name == name).cloned() else {
            return Ok(None);
        };
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let store = self.inner.store.clone();
        let meta = self.meta(&def);
        let rendered = tokio::task::spawn_blocking(move || -> Result<Rendered, ServeError> {
            let items = store.items(&def.name, def.limit)?;
            let body = publish::render(format, &meta, &items)?;
            let newest = items.iter().map(|i| i.updated).max();
            Ok(Rendered {
                etag: format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]),
                last_modified: newest.map(http_date),
                max_age: (u64::from(meta.ttl_minutes) * 30).clamp(60, 3600),
                format,
                body,
            })
        })
        .await??;
        let rendered = Arc::new(rendered);
        let mut cache = self.inner.cache.lock().expect("cache lock");
        if self.inner.generation.load(Ordering::SeqCst) == generation {
            cache.insert(key, rendered.clone());
        }
        Ok(Some(rendered))
    }

    fn meta(&self, def: &FeedDef) -> FeedMeta {
        let now = Utc::now().with_timezone(&vietnam());
        FeedMeta {
            name: def.name.clone(),
            title: def.title.clone(),
            description: def.description.clone(),
            site: def.site.clone(),
            self_base: self.inner.public_url.clone(),
            ttl_minutes: (def.schedule.interval(now).as_secs() / 60).max(1) as u32,
            empty_updated: now,
        }
    }

    /// The HTTP routes: `/`, `/feeds/{name}.{rss,atom}`, `/healthz`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(pages::index))
            .route("/healthz", get(pages::health))
            .route("/feeds/{file}", get(feed))
            .with_state(self.clone())
    }
}

/// Serves `feeds` on `listener` until `shutdown` resolves.
pub async fn run(
    listener: tokio::net::TcpListener,
    feeds: Feeds,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, feeds.router()).with_graceful_shutdown(shutdown).await
}

async fn feed(State(feeds): State<Feeds>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some((name, format)) = file.rsplit_once('.').and_then(|(n, ext)| Some((n, Format::from_extension(ext)?)))
    else {
        return (StatusCode::NOT_FOUND, "no such feed\n").into_response();
    };
    match feeds.rendered(name, format).await {
        Ok(Some(doc)) => respond(&doc, &headers),
        Ok(None) => (StatusCode::NOT_FOUND, "no such feed\n").into_response(),
        Err(e) => {
            tracing::error!(feed = name, error = %e, "cannot render feed");
            (StatusCode::INTERNAL_SERVER_ERROR, "feed unavailable\n").into_response()
        }
    }
}

fn respond(doc: &Rendered, request: &HeaderMap) -> Response {
    let mut builder = Response::builder()
        .header(header::ETAG, &doc.etag)
        .header(header::CACHE_CONTROL, format!("public, max-age={}", doc.max_age))
        .header(header::VARY, "Accept-Encoding");
    if let Some(lm) = &doc.last_modified {
        builder = builder.header(header::LAST_MODIFIED, lm);
    }
    if not_modified(doc, request) {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).expect("valid response");
    }
    builder
        .header(header::CONTENT_TYPE, HeaderValue::from_static(doc.format.content_type()))
        .body(Body::from(doc.body.clone()))
        .expect("valid response")
}

/// RFC 9110 §13.1: `If-None-Match` wins when present; `If-Modified-Since` only without it.
fn not_modified(doc: &Rendered, request: &HeaderMap) -> bool {
    if let Some(inm) = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == "*" || t == doc.etag);
    }
    let since = request.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()).and_then(parse_http_date);
    let modified = doc.last_modified.as_deref().and_then(parse_http_date);
    matches!((since, modified), (Some(s), Some(m)) if m <= s)
}

fn http_date(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc).format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn parse_http_date(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc2822(text).ok()
}
