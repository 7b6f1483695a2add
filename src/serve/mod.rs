//! The read path: every published feed over HTTP (RSS, Atom, JSON Feed, history pages), the
//! index page with autodiscovery, OPML, the feed stylesheet, and health. Each document is
//! rendered and compressed once per change and kept in memory, so a GET never touches SQLite
//! or compresses anything on the hot path; a scrape that changed the store drops the cache.

mod export;
mod pages;

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Utc};
use sha2::{Digest, Sha256};
use url::Url;

use crate::config::{ALL_FEEDS, Config, Filter};
use crate::metrics::{Metrics, StatusLabels};
use crate::model::{FeedItem, FeedMeta, Format, Paging, vietnam};
use crate::publish::{self, OpmlEntry, PublishError};
use crate::select;
use crate::store::{Query, Store, StoreError};

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

/// One published feed: what it shows and under which path.
#[derive(Debug, Clone)]
pub struct Published {
    /// Path under `/feeds/` without extension: `backan`, `backan/tin-tuc-su-kien`, `all`.
    pub path: String,
    pub title: String,
    pub description: String,
    pub site: Url,
    /// Items of which sources and category, `limit` per page.
    pub query: Query,
    /// Minutes between scrapes of its sources: how long readers may cache it.
    pub ttl_minutes: u32,
    /// The feed of every source, listed last.
    pub combined: bool,
    /// For merged feeds: filters and one copy per story.
    pub selection: Option<Selection>,
}

/// What a merged feed keeps of its sources' items.
#[derive(Debug, Clone)]
pub struct Selection {
    pub filter: Filter,
    pub categories: Vec<String>,
    pub dedupe_window: std::time::Duration,
}

/// How many of the newest items a merged feed chooses from: filters and de-duplication run
/// over these, so history pages of a merged feed reach this far back.
const CANDIDATES: usize = 5000;

/// `limit` items of `feed` from the `offset`-th, newest first.
pub fn page_items(store: &Store, feed: &Published, offset: usize, limit: usize) -> Result<Vec<FeedItem>, StoreError> {
    match &feed.selection {
        None => store.items(&Query { limit, offset, ..feed.query.clone() }),
        Some(selection) => {
            Ok(selected(store, feed, selection, offset + limit)?.into_iter().skip(offset).take(limit).collect())
        }
    }
}

/// How many items `feed` shows in all.
pub fn item_count(store: &Store, feed: &Published) -> Result<usize, StoreError> {
    match &feed.selection {
        None => store.count(&feed.query),
        // Without filters, the store's count (title de-duplication aside) avoids reading every row.
        Some(selection) if selection.filter.is_empty() && selection.categories.is_empty() => store.count(&feed.query),
        Some(selection) => Ok(selected(store, feed, selection, CANDIDATES)?.len()),
    }
}

/// At least `needed` selected items (fewer only when the sources have no more), newest first.
/// Reads a margin beyond what is needed, growing it when filters leave too few.
fn selected(
    store: &Store,
    feed: &Published,
    selection: &Selection,
    needed: usize,
) -> Result<Vec<FeedItem>, StoreError> {
    let now = Utc::now().with_timezone(&vietnam());
    let mut fetch = (needed * 2 + 100).min(CANDIDATES);
    loop {
        let candidates = store.items(&Query { limit: fetch, offset: 0, ..feed.query.clone() })?;
        let exhausted = candidates.len() < fetch;
        let kept =
            candidates.into_iter().filter(|i| select::keep(&selection.filter, &selection.categories, i, now)).collect();
        let kept = select::dedupe(kept, selection.dedupe_window);
        if kept.len() >= needed || exhausted || fetch >= CANDIDATES {
            return Ok(kept);
        }
        fetch = (fetch * 4).min(CANDIDATES);
    }
}

/// One rendered document, in every encoding we send, with its validators.
#[derive(Debug)]
pub struct Rendered {
    /// Shared, so answering a request copies no bytes.
    pub body: Bytes,
    gzip: Bytes,
    brotli: Bytes,
    pub content_type: &'static str,
    /// Strong validator of the identity bytes; the compressed forms add a suffix.
    pub etag: String,
    /// The newest item's update, in HTTP date format.
    pub last_modified: Option<String>,
    /// How long a reader may cache it: half the sources' scrape interval, within 1 min–1 h.
    pub max_age: u64,
    /// Header values built once, not per request.
    headers: Headers,
}

#[derive(Debug)]
struct Headers {
    cache_control: HeaderValue,
    last_modified: Option<HeaderValue>,
    /// ETag of each representation: [identity, gzip, br] × [feed type, XML for browsers].
    etags: [[HeaderValue; 2]; 3],
}

impl Rendered {
    fn new(body: Vec<u8>, content_type: &'static str, last_modified: Option<String>, max_age: u64) -> Rendered {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&body).expect("writing to memory");
        let gzip = gz.finish().expect("writing to memory");
        let mut brotli = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut brotli, 4096, 9, 22);
            w.write_all(&body).expect("writing to memory");
        }
        let hash = &hex::encode(Sha256::digest(&body))[..32];
        let etag = format!("\"{hash}\"");
        // Each coding and type is its own representation, so its own strong validator
        // (RFC 9110 §8.8.3).
        let etags = [None, Some("gzip"), Some("br")].map(|coding| {
            [false, true].map(|xml| {
                let coding = coding.map(|c| format!("-{c}")).unwrap_or_default();
                let xml = if xml { "-xml" } else { "" };
                HeaderValue::from_str(&format!("\"{hash}{coding}{xml}\"")).expect("hex is a valid header")
            })
        });
        let headers = Headers {
            cache_control: HeaderValue::from_str(&format!("public, max-age={max_age}")).expect("ascii"),
            last_modified: last_modified.as_deref().and_then(|lm| HeaderValue::from_str(lm).ok()),
            etags,
        };
        Rendered {
            headers,
            body: Bytes::from(body),
            gzip: Bytes::from(gzip),
            brotli: Bytes::from(brotli),
            content_type,
            etag,
            last_modified,
            max_age,
        }
    }
}

/// The read side's shared state: the store, the published feeds and the rendered cache.
#[derive(Clone)]
pub struct Feeds {
    inner: Arc<Inner>,
}

/// Rendered documents by feed path (looked up without allocating), then by format and page.
type Cache = HashMap<String, HashMap<(Format, u32), Arc<Rendered>>>;

struct Inner {
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    public_url: Url,
    title: String,
    catalog: RwLock<Arc<Vec<Published>>>,
    cache: RwLock<Cache>,
    /// Bumped by every invalidation; a render that started before one is not cached.
    generation: AtomicU64,
}

impl Feeds {
    pub fn new(store: Arc<Store>, config: &Config, metrics: Arc<Metrics>) -> Feeds {
        Feeds {
            inner: Arc::new(Inner {
                store,
                metrics,
                public_url: config.public_url.clone(),
                title: config.title.clone(),
                catalog: RwLock::new(Arc::new(catalog(config))),
                cache: RwLock::new(HashMap::new()),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// Drops every cached rendering: call after a scrape changed the store.
    pub fn invalidate(&self) {
        let mut cache = self.inner.cache.write().expect("cache lock");
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        cache.clear();
    }

    /// Takes the feeds of a reloaded config.
    pub fn reconfigure(&self, config: &Config) {
        *self.inner.catalog.write().expect("catalog lock") = Arc::new(catalog(config));
        self.invalidate();
    }

    /// Every published feed, sources first, the combined feed last.
    pub fn catalog(&self) -> Arc<Vec<Published>> {
        self.inner.catalog.read().expect("catalog lock").clone()
    }

    pub fn public_url(&self) -> &Url {
        &self.inner.public_url
    }

    /// Page `page` of the feed at `path` in `format`, from the cache or freshly rendered;
    /// `None` if there is no such feed or page.
    pub async fn rendered(&self, path: &str, format: Format, page: u32) -> Result<Option<Arc<Rendered>>, ServeError> {
        if let Some(hit) = self.inner.cache.read().expect("cache lock").get(path).and_then(|f| f.get(&(format, page))) {
            return Ok(Some(hit.clone()));
        }
        let Some(feed) = self.catalog().iter().find(|f| f.path == path).cloned() else { return Ok(None) };
        if page == 0 {
            return Ok(None);
        }
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let store = self.inner.store.clone();
        let meta = self.meta(&feed);
        let rendered = tokio::task::spawn_blocking(move || -> Result<Option<Rendered>, ServeError> {
            let per_page = feed.query.limit;
            // One more than a page tells whether an older page exists.
            let mut items = page_items(&store, &feed, per_page * (page as usize - 1), per_page + 1)?;
            if page > 1 && items.is_empty() {
                return Ok(None);
            }
            let has_next = items.len() > per_page;
            items.truncate(per_page);
            let body = publish::render(format, &meta, &items, Paging { page, has_next })?;
            let newest = items.iter().map(|i| i.updated).max();
            let max_age = (u64::from(meta.ttl_minutes) * 30).clamp(60, 3600);
            Ok(Some(Rendered::new(body, format.content_type(), newest.map(http_date), max_age)))
        })
        .await??;
        let Some(rendered) = rendered else { return Ok(None) };
        let rendered = Arc::new(rendered);
        let mut cache = self.inner.cache.write().expect("cache lock");
        if self.inner.generation.load(Ordering::SeqCst) == generation {
            cache.entry(path.to_string()).or_default().insert((format, page), rendered.clone());
        }
        Ok(Some(rendered))
    }

    /// The OPML of every feed (RSS URLs).
    pub fn opml(&self) -> Vec<u8> {
        let entries: Vec<OpmlEntry> = self
            .catalog()
            .iter()
            .map(|f| {
                let meta = self.meta(f);
                OpmlEntry { title: f.title.clone(), xml_url: meta.url(Format::Rss, 1), html_url: f.site.to_string() }
            })
            .collect();
        publish::opml(&self.inner.title, &entries)
    }

    fn meta(&self, feed: &Published) -> FeedMeta {
        FeedMeta {
            path: feed.path.clone(),
            title: feed.title.clone(),
            description: feed.description.clone(),
            site: feed.site.clone(),
            self_base: self.inner.public_url.clone(),
            ttl_minutes: feed.ttl_minutes,
            empty_updated: Utc::now().with_timezone(&vietnam()),
        }
    }

    /// The HTTP routes.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(pages::index))
            .route("/healthz", get(pages::health))
            .route("/readyz", get(pages::ready))
            .route("/metrics", get(metrics))
            .route("/opml", get(opml))
            .route("/feed.xsl", get(stylesheet))
            .route("/feeds/{*file}", get(feed))
            .with_state(self.clone())
    }
}

/// The feeds a config publishes: each source, its categories when asked, and all sources.
fn catalog(config: &Config) -> Vec<Published> {
    let now = Utc::now().with_timezone(&vietnam());
    let ttl =
        |def: &crate::config::FeedDef| (def.schedule.interval(now).as_secs() / 60).clamp(1, u64::from(u32::MAX)) as u32;
    let mut feeds = Vec::new();
    for def in &config.feeds {
        let query = Query { sources: vec![def.name.clone()], category: None, limit: def.limit, offset: 0 };
        feeds.push(Published {
            path: def.name.clone(),
            title: def.title.clone(),
            description: def.description.clone(),
            site: def.site.clone(),
            query: query.clone(),
            ttl_minutes: ttl(def),
            combined: false,
            selection: None,
        });
        if def.category_feeds {
            let mut seen = Vec::new();
            for category in def.list_pages.iter().filter_map(|p| p.category.clone()) {
                if seen.contains(&category) {
                    continue;
                }
                seen.push(category.clone());
                feeds.push(Published {
                    path: format!("{}/{}", def.name, crate::model::slug(&category)),
                    title: format!("{} — {category}", def.title),
                    description: format!("{}: {category}", def.description),
                    site: def.site.clone(),
                    query: Query { category: Some(category), ..query.clone() },
                    ttl_minutes: ttl(def),
                    combined: false,
                    selection: None,
                });
            }
        }
    }
    for def in &config.combined {
        let members: Vec<&crate::config::FeedDef> =
            config.feeds.iter().filter(|f| def.sources.contains(&f.name)).collect();
        feeds.push(Published {
            path: def.name.clone(),
            title: def.title.clone(),
            description: def.description.clone(),
            site: config.public_url.clone(),
            query: Query { sources: def.sources.clone(), category: None, limit: def.limit, offset: 0 },
            ttl_minutes: members.iter().map(|d| ttl(d)).min().unwrap_or(60),
            combined: false,
            selection: Some(Selection {
                filter: def.filter.clone(),
                categories: def.categories.clone(),
                dedupe_window: def.dedupe_window,
            }),
        });
    }
    if !config.feeds.is_empty() {
        feeds.push(Published {
            path: ALL_FEEDS.into(),
            title: format!("{} — tất cả nguồn tin (all sources)", config.title),
            description: format!("{}: every source in one feed", config.title),
            site: config.public_url.clone(),
            query: Query {
                sources: config.feeds.iter().map(|d| d.name.clone()).collect(),
                category: None,
                limit: config.combined_limit,
                offset: 0,
            },
            ttl_minutes: config.feeds.iter().map(ttl).min().unwrap_or(60),
            combined: true,
            selection: Some(Selection {
                filter: Filter::default(),
                categories: Vec::new(),
                dedupe_window: std::time::Duration::from_secs(48 * 3600),
            }),
        });
    }
    feeds
}

/// Serves `feeds` on `listener` until `shutdown` resolves.
pub async fn run(
    listener: tokio::net::TcpListener,
    feeds: Feeds,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Responses are written whole; waiting for ACKs (Nagle) only adds latency.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, feeds.router()).with_graceful_shutdown(shutdown).await
}

async fn feed(
    State(feeds): State<Feeds>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such feed\n").into_response();
    let Some((path, format)) = file.rsplit_once('.').and_then(|(p, ext)| Some((p, Format::from_extension(ext)?)))
    else {
        return not_found();
    };
    let page_param = query
        .as_deref()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "page").map(|(_, v)| v));
    let page = match page_param.map(|p| p.parse::<u32>()) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => return (StatusCode::BAD_REQUEST, "page must be a number from 1\n").into_response(),
    };
    let response = match feeds.rendered(path, format, page).await {
        Ok(Some(doc)) => respond(&doc, &headers),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(feed = path, error = %e, "cannot render feed");
            (StatusCode::INTERNAL_SERVER_ERROR, "feed unavailable\n").into_response()
        }
    };
    let status = StatusLabels { status: response.status().as_str().to_string() };
    feeds.inner.metrics.feed_requests.get_or_create(&status).inc();
    response
}

async fn metrics(State(feeds): State<Feeds>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], feeds.inner.metrics.encode()).into_response()
}

async fn opml(State(feeds): State<Feeds>, headers: HeaderMap) -> Response {
    let doc = Rendered::new(feeds.opml(), "text/x-opml; charset=utf-8", None, 3600);
    respond(&doc, &headers)
}

async fn stylesheet(headers: HeaderMap) -> Response {
    let doc = Rendered::new(publish::STYLESHEET.as_bytes().to_vec(), "text/xsl; charset=utf-8", None, 86400);
    respond(&doc, &headers)
}

/// The coding to send: brotli, then gzip, then none, as `Accept-Encoding` allows.
fn choose_encoding(request: &HeaderMap) -> Option<&'static str> {
    let accept = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let accepts = |coding: &str| {
        accept.split(',').any(|part| {
            let mut fields = part.split(';').map(str::trim);
            let name = fields.next().unwrap_or_default();
            let q = fields.find_map(|f| f.strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            (name.eq_ignore_ascii_case(coding) || name == "*") && q > 0.0
        })
    };
    ["br", "gzip"].into_iter().find(|c| accepts(c))
}

/// A browser navigating to an XML feed (it asks for HTML, not for feeds). Browsers show
/// `application/rss+xml` as plain text or download it; as `application/xml` they apply the
/// feed's stylesheet. Feed readers never ask for HTML first, so they get the feed's own type.
fn wants_page(doc: &Rendered, request: &HeaderMap) -> bool {
    let accept = request.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let xml_feed =
        doc.content_type.starts_with("application/rss+xml") || doc.content_type.starts_with("application/atom+xml");
    xml_feed && accept.contains("text/html") && !accept.contains("rss+xml") && !accept.contains("atom+xml")
}

fn respond(doc: &Rendered, request: &HeaderMap) -> Response {
    let encoding = choose_encoding(request);
    let page = wants_page(doc, request);
    let coding_index = match encoding {
        None => 0,
        Some("gzip") => 1,
        Some(_) => 2,
    };
    let mut response = Response::new(Body::empty());
    let headers = response.headers_mut();
    headers.insert(header::ETAG, doc.headers.etags[coding_index][usize::from(page)].clone());
    headers.insert(header::CACHE_CONTROL, doc.headers.cache_control.clone());
    headers.insert(header::VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
    if let Some(lm) = &doc.headers.last_modified {
        headers.insert(header::LAST_MODIFIED, lm.clone());
    }
    if not_modified(doc, request) {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        return response;
    }
    let content_type = if page { "application/xml; charset=utf-8" } else { doc.content_type };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(coding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    *response.body_mut() = Body::from(match encoding {
        Some("br") => doc.brotli.clone(),
        Some(_) => doc.gzip.clone(),
        None => doc.body.clone(),
    });
    response
}

/// RFC 9110 §13.1: `If-None-Match` wins when present; `If-Modified-Since` only without it.
/// A validator of any coding of the same bytes matches.
fn not_modified(doc: &Rendered, request: &HeaderMap) -> bool {
    if let Some(inm) = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let stem = doc.etag.trim_end_matches('"');
        return inm.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| {
            t == "*"
                || t == doc.etag
                || t.strip_prefix(stem)
                    .is_some_and(|rest| matches!(rest, "-br\"" | "-gzip\"" | "-xml\"" | "-br-xml\"" | "-gzip-xml\""))
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_follows_accept_encoding() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, v.parse().unwrap());
            choose_encoding(&h)
        };
        assert_eq!(with("gzip, deflate, br"), Some("br"));
        assert_eq!(with("gzip"), Some("gzip"));
        assert_eq!(with("br;q=0, gzip;q=0.5"), Some("gzip"));
        assert_eq!(with("identity"), None);
        assert_eq!(choose_encoding(&HeaderMap::new()), None);
    }
}
