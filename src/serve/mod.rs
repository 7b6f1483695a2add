//! The read path: every published feed over HTTP (RSS, Atom, JSON Feed, history pages), the
//! same as HTML pages for browsers, the index and article pages, OPML, the feed stylesheet,
//! health and metrics.
//!
//! Readers of what is read most never pay for a render: page 1 of every feed (each format, and
//! the Vietnamese page), the Vietnamese index and the OPML are rendered and compressed on the
//! write path (at start-up, then after each change, only the documents the change touches) and
//! swapped in whole; requests read bytes from memory. History pages, English pages and article
//! pages are rendered on first request, once however many ask, into a cache bounded in bytes,
//! and forgotten when a source they show changes (an article page: its own source only). Those
//! renders, `/readyz` and unknown article numbers are what reads SQLite on a request: a page
//! per stored article would not fit in memory ahead of time.
//!
//! Files: `catalog.rs` (which feeds exist and what they show), `cache.rs` (rendered documents,
//! single flight, the history cache), `http.rs` (handlers and HTTP semantics), `html.rs` and
//! `templates/` (the pages people read), `pages.rs` (health), `export.rs` (static files).

mod cache;
mod catalog;
mod export;
mod html;
mod http;
mod listen;
mod pages;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, FixedOffset};
use url::Url;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::model::{FeedItem, FeedMeta, Format, Paging};
use crate::publish::{self, OpmlEntry, PublishError};
use crate::store::{Store, StoreError};

pub use cache::{Doc, Rendered};
pub use catalog::{Published, Selection, catalog, item_count, page_items};
pub use export::export;
pub use html::Lang;

/// Why a document could not be produced.
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
    /// A page template failed to render.
    #[error("cannot render a page: {0}")]
    Template(#[from] askama::Error),
    /// A blocking task died (a panic in the store or renderer).
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The render this request waited for failed (its cause was logged by the renderer).
    #[error("render failed: {0}")]
    RenderFailed(String),
}

/// What the index shows of a feed, computed when its sources change.
#[derive(Debug, Clone, Default)]
struct FeedStats {
    items: usize,
    newest: Option<DateTime<FixedOffset>>,
}

fn stats(store: &Store, feed: &Published) -> Result<FeedStats, StoreError> {
    let newest = page_items(store, feed, 0, 1)?.first().map(|i| i.updated);
    Ok(FeedStats { items: item_count(store, feed)?, newest })
}

/// The items of one page of a feed, newest first, and whether an older page exists.
struct PageItems {
    items: Vec<FeedItem>,
    has_next: bool,
}

/// Page `page` of `feed` from the store; `None` past the end (page 1 always exists).
fn read_page(store: &Store, feed: &Published, page: u32) -> Result<Option<PageItems>, StoreError> {
    let per_page = feed.query.limit;
    // One more than a page tells whether an older page exists.
    let mut items = page_items(store, feed, per_page * (page as usize - 1), per_page + 1)?;
    if page > 1 && items.is_empty() {
        return Ok(None);
    }
    let has_next = items.len() > per_page;
    items.truncate(per_page);
    Ok(Some(PageItems { items, has_next }))
}

/// One page's items as a document in `format`, compressed, with its validators.
fn render_page(meta: &FeedMeta, format: Format, page: u32, items: &PageItems) -> Result<Rendered, PublishError> {
    let body = publish::render(format, meta, &items.items, Paging { page, has_next: items.has_next })?;
    let newest = items.items.iter().map(|i| i.updated).max();
    let max_age = (u64::from(meta.ttl_minutes) * 30).clamp(60, 3600);
    Ok(Rendered::new(body, format.content_type(), newest.map(Into::into), max_age))
}

/// One page of a feed as HTML, with the feed's validators' rules.
fn render_html(
    site: &SiteInfo,
    lang: html::Lang,
    feed: &Published,
    meta: &FeedMeta,
    page: u32,
    items: &PageItems,
) -> Result<Rendered, ServeError> {
    let body = html::feed(&site.site(), lang, feed, meta, page, &items.items, items.has_next)?;
    let newest = items.items.iter().map(|i| i.updated).max();
    let max_age = (u64::from(meta.ttl_minutes) * 30).clamp(60, 3600);
    Ok(Rendered::new(body.into_bytes(), "text/html; charset=utf-8", newest.map(Into::into), max_age))
}

/// What pages show of the whole site, owned so a render can take it to its own thread.
#[derive(Clone)]
struct SiteInfo {
    title: String,
    base: String,
    catalog: Arc<Vec<Published>>,
    icons: Arc<HashMap<String, Url>>,
}

impl SiteInfo {
    fn site(&self) -> html::Site<'_> {
        html::Site { title: &self.title, base: &self.base, catalog: &self.catalog, icons: &self.icons }
    }
}

/// How many of the newest articles the index shows.
const LATEST_ON_INDEX: usize = 20;

/// How many renders run at once: each holds its items, its bytes and the compressors' state.
const CONCURRENT_RENDERS: usize = 2;

/// The read side's shared state: the store, the published feeds and the rendered documents.
#[derive(Clone)]
pub struct Feeds {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    limits: crate::config::ServerLimits,
    public_url: Url,
    title: String,
    /// WebSub hubs every feed names (discovery, WebSub §4).
    hubs: RwLock<Vec<String>>,
    catalog: RwLock<Arc<Vec<Published>>>,
    /// Per feed path; missing until the feed's first refresh.
    stats: RwLock<HashMap<String, FeedStats>>,
    documents: Arc<cache::Documents>,
    /// The newest items of the feed of all sources (its page 1, read when it is refreshed):
    /// the index shows the first of them without reading the store again.
    latest: RwLock<Option<Arc<PageItems>>>,
    /// Icons found on each source's site (by source name), read at each refresh.
    icons: RwLock<HashMap<String, crate::store::Icons>>,
    /// One refresh (start-up, change, reload) at a time, in the order they were asked for.
    refreshing: tokio::sync::Mutex<()>,
}

impl Feeds {
    /// The feeds `config` publishes, nothing rendered yet: call [`Feeds::warm`] before
    /// reporting ready (until then a request renders what it asks for, once).
    pub fn new(store: Arc<Store>, config: &Config, metrics: Arc<Metrics>) -> Feeds {
        Feeds {
            inner: Arc::new(Inner {
                store,
                metrics,
                limits: config.server,
                public_url: config.public_url.clone(),
                title: config.title.clone(),
                hubs: RwLock::new(crate::websub::hubs(config)),
                catalog: RwLock::new(Arc::new(catalog::catalog(config))),
                stats: RwLock::new(HashMap::new()),
                icons: RwLock::new(HashMap::new()),
                latest: RwLock::new(None),
                documents: Arc::new(cache::Documents::new(config.history_cache_bytes, CONCURRENT_RENDERS)),
                refreshing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Renders every hot document (page 1 of each feed in each format, the index, the OPML,
    /// the stylesheet): at start-up, so no reader ever waits for one.
    pub async fn warm(&self) -> Result<(), ServeError> {
        let _one = self.inner.refreshing.lock().await;
        let catalog = self.catalog();
        self.refresh(&catalog.iter().collect::<Vec<_>>(), None).await
    }

    /// After a run changed `source`'s articles: re-renders its feeds, its category feeds, the
    /// merged feeds that include it, the feed of all sources and the index, and forgets their
    /// history pages. Every other document keeps its bytes and its ETag.
    /// Returns the paths of the feeds it re-rendered.
    pub async fn changed(&self, source: &str) -> Result<Vec<String>, ServeError> {
        let _one = self.inner.refreshing.lock().await;
        let catalog = self.catalog();
        let touched: Vec<&Published> = catalog.iter().filter(|f| f.shows(source)).collect();
        self.refresh(&touched, Some(source)).await?;
        Ok(touched.iter().map(|f| f.path.clone()).collect())
    }

    /// Every feed's URL in every format (page 1): what WebSub subscribers may subscribe to.
    pub fn topics(&self) -> Vec<(String, Format, String)> {
        let catalog = self.catalog();
        catalog
            .iter()
            .flat_map(|f| {
                let meta = self.meta(f);
                Format::ALL.map(|format| (f.path.clone(), format, meta.url(format, 1)))
            })
            .collect()
    }

    /// The hubs every feed names.
    pub fn hubs(&self) -> Vec<String> {
        self.inner.hubs.read().expect("hubs lock").clone()
    }

    /// Takes the feeds of a reloaded config and renders them; documents of feeds that are gone
    /// are dropped.
    pub async fn reconfigure(&self, config: &Config) -> Result<(), ServeError> {
        let _one = self.inner.refreshing.lock().await;
        let catalog = Arc::new(catalog::catalog(config));
        *self.inner.catalog.write().expect("catalog lock") = catalog.clone();
        *self.inner.hubs.write().expect("hubs lock") = crate::websub::hubs(config);
        self.inner.stats.write().expect("stats lock").retain(|path, _| catalog.iter().any(|f| &f.path == path));
        self.inner.documents.retain_hot(|doc| match doc {
            Doc::Feed { path, .. } | Doc::FeedPage { path, .. } => catalog.iter().any(|f| &f.path == path),
            _ => true,
        });
        self.refresh(&catalog.iter().collect::<Vec<_>>(), None).await
    }

    /// Re-renders `feeds`' page 1 in every format and the index, and forgets the documents
    /// rendered on request that they make stale: after a change to `changed`, its article
    /// pages; otherwise (start-up, reload: the feeds listed on every page may differ) every
    /// one, and the OPML and stylesheet are rendered again. Continues past a failed document,
    /// returning the first error.
    async fn refresh(&self, feeds: &[&Published], changed: Option<&str>) -> Result<(), ServeError> {
        let all_documents = changed.is_none();
        let paths: Vec<&str> = feeds.iter().map(|f| f.path.as_str()).collect();
        if let Err(e) = self.read_icons().await {
            tracing::warn!(error = %e, "cannot read the sources' icons");
        }
        self.inner.documents.forget_history(&paths, changed);
        // What the pages show of the whole site, built once for every page of this refresh.
        let site = self.site_info();
        let mut first_error = None;
        let mut note = |result: Result<_, ServeError>| {
            if let Err(e) = result {
                tracing::error!(error = %e, "cannot render");
                first_error.get_or_insert(e);
            }
        };
        for feed in feeds {
            // Page 1 and the count read once, for the three formats and the index.
            let page = match self.refresh_stats(feed).await {
                Ok(page) => page,
                Err(e) => {
                    note(Err(e));
                    continue;
                }
            };
            for format in Format::ALL {
                let doc = Doc::Feed { path: feed.path.clone(), format, page: 1 };
                let (meta, page) = (self.meta(feed), page.clone());
                let render = async move {
                    let rendered = tokio::task::spawn_blocking(move || render_page(&meta, format, 1, &page)).await??;
                    Ok(Some(rendered))
                };
                note(self.inner.documents.refresh(doc, || render).await.map(drop));
            }
            {
                let lang = html::Lang::Vi;
                let doc = Doc::FeedPage { path: feed.path.clone(), page: 1, lang };
                let (site, meta, page, owned) = (site.clone(), self.meta(feed), page.clone(), (*feed).clone());
                let render = async move {
                    let rendered =
                        tokio::task::spawn_blocking(move || render_html(&site, lang, &owned, &meta, 1, &page))
                            .await??;
                    Ok(Some(rendered))
                };
                note(self.inner.documents.refresh(doc, || render).await.map(drop));
            }
        }
        let mut docs = vec![Doc::Index { lang: html::Lang::Vi }];
        if all_documents {
            docs.extend([Doc::Opml, Doc::Stylesheet]);
        }
        for doc in docs {
            let render = self.page_render(&doc);
            note(self.inner.documents.refresh(doc, || render).await.map(drop));
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Reads `feed`'s page 1 and counts its items: the newest and the count for the index and
    /// the end of its history, the page for its documents.
    async fn refresh_stats(&self, feed: &Published) -> Result<Arc<PageItems>, ServeError> {
        let store = self.inner.store.clone();
        let owned = feed.clone();
        let (page, items) = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            let page = read_page(&store, &owned, 1)?.unwrap_or(PageItems { items: Vec::new(), has_next: false });
            Ok((page, item_count(&store, &owned)?))
        })
        .await??;
        let newest = page.items.first().map(|i| i.updated);
        self.inner.stats.write().expect("stats lock").insert(feed.path.clone(), FeedStats { items, newest });
        let page = Arc::new(page);
        if feed.path == crate::config::ALL_FEEDS {
            *self.inner.latest.write().expect("latest lock") = Some(page.clone());
        }
        Ok(page)
    }

    /// Every published feed, sources first, the feed of all sources last.
    pub fn catalog(&self) -> Arc<Vec<Published>> {
        self.inner.catalog.read().expect("catalog lock").clone()
    }

    pub fn public_url(&self) -> &Url {
        &self.inner.public_url
    }

    /// How many documents were rendered since start (each render is one query, one
    /// serialization and two compressions).
    pub fn renders(&self) -> u64 {
        self.inner.documents.renders()
    }

    /// Page `page` of the feed at `path` in `format`: from memory, or rendered once however
    /// many ask; `None` if there is no such feed or page.
    pub async fn rendered(&self, path: &str, format: Format, page: u32) -> Result<Option<Arc<Rendered>>, ServeError> {
        let doc = Doc::Feed { path: path.to_string(), format, page };
        if let Some(hit) = self.inner.documents.cached(&doc) {
            return Ok(Some(hit));
        }
        let Some(feed) = self.feed_with_page(path, page) else { return Ok(None) };
        let render = self.feed_render(feed, format, page);
        self.inner.documents.get(doc, || render).await
    }

    /// The feed at `path` if it has a page `page`: past the end of its history there is none,
    /// and no render is needed to say so.
    fn feed_with_page(&self, path: &str, page: u32) -> Option<Published> {
        let feed = self.catalog().iter().find(|f| f.path == path).cloned()?;
        let stats = self.inner.stats.read().expect("stats lock").get(path).cloned();
        (page >= 1 && stats.is_none_or(|s| page <= feed.last_page(s.items))).then_some(feed)
    }

    /// Page `page` of the feed at `path` as HTML in `lang`; `None` if there is no such feed or
    /// page.
    pub async fn feed_page(
        &self,
        path: &str,
        page: u32,
        lang: html::Lang,
    ) -> Result<Option<Arc<Rendered>>, ServeError> {
        let doc = Doc::FeedPage { path: path.to_string(), page, lang };
        if let Some(hit) = self.inner.documents.cached(&doc) {
            return Ok(Some(hit));
        }
        let Some(feed) = self.feed_with_page(path, page) else { return Ok(None) };
        let (store, site, meta) = (self.inner.store.clone(), self.site_info(), self.meta(&feed));
        let render = async move {
            tokio::task::spawn_blocking(move || -> Result<Option<Rendered>, ServeError> {
                let Some(items) = read_page(&store, &feed, page)? else { return Ok(None) };
                Ok(Some(render_html(&site, lang, &feed, &meta, page, &items)?))
            })
            .await?
        };
        self.inner.documents.get(doc, || render).await
    }

    /// The page of the stored article numbered `number`, if a published feed has its source.
    pub async fn article(&self, number: i64, lang: html::Lang) -> Result<Option<Arc<Rendered>>, ServeError> {
        let (store, site) = (self.inner.store.clone(), self.site_info());
        let render = async move {
            tokio::task::spawn_blocking(move || -> Result<Option<Rendered>, ServeError> {
                let Some(item) = store.item(number)? else { return Ok(None) };
                if !site.catalog.iter().any(|f| f.shows(&item.source)) {
                    return Ok(None);
                }
                let body = html::article(&site.site(), lang, &item)?;
                let rendered =
                    Rendered::new(body.into_bytes(), "text/html; charset=utf-8", Some(item.updated.into()), 300);
                Ok(Some(rendered.of_source(&item.source)))
            })
            .await?
        };
        self.inner.documents.get(Doc::Article { number, lang }, || render).await
    }

    fn site_info(&self) -> SiteInfo {
        let catalog = self.catalog();
        let icons = catalog.iter().filter_map(|f| Some((f.path.clone(), self.meta(f).icon?))).collect();
        SiteInfo {
            title: self.inner.title.clone(),
            base: self.inner.public_url.as_str().trim_end_matches('/').to_string(),
            catalog,
            icons: Arc::new(icons),
        }
    }

    /// The index, OPML or stylesheet (rendered already, except before [`Feeds::warm`]).
    pub async fn page(&self, doc: Doc) -> Result<Option<Arc<Rendered>>, ServeError> {
        let render = || self.page_render(&doc);
        self.inner.documents.get(doc.clone(), render).await
    }

    /// The render of one page of a feed, to run as its own task.
    fn feed_render(
        &self,
        feed: Published,
        format: Format,
        page: u32,
    ) -> impl Future<Output = Result<Option<Rendered>, ServeError>> + Send + 'static {
        let store = self.inner.store.clone();
        let meta = self.meta(&feed);
        async move {
            tokio::task::spawn_blocking(move || -> Result<Option<Rendered>, ServeError> {
                let Some(items) = read_page(&store, &feed, page)? else { return Ok(None) };
                Ok(Some(render_page(&meta, format, page, &items)?))
            })
            .await?
        }
    }

    /// The render of the index, OPML or stylesheet, from the catalog and the feeds' stats.
    fn page_render(&self, doc: &Doc) -> impl Future<Output = Result<Option<Rendered>, ServeError>> + Send + 'static {
        let catalog = self.catalog();
        let stats = self.inner.stats.read().expect("stats lock").clone();
        let title = self.inner.title.clone();
        let site = self.site_info();
        let store = self.inner.store.clone();
        let known_latest = self.inner.latest.read().expect("latest lock").clone();
        let metas: Vec<FeedMeta> = catalog.iter().map(|f| self.meta(f)).collect();
        let doc = doc.clone();
        async move {
            tokio::task::spawn_blocking(move || -> Result<Option<Rendered>, ServeError> {
                Ok(match doc {
                    Doc::Index { lang } => {
                        let lines = catalog
                            .iter()
                            .map(|f| {
                                // Known after the first refresh; read here only before it.
                                let s = match stats.get(&f.path) {
                                    Some(s) => s.clone(),
                                    None => self::stats(&store, f)?,
                                };
                                Ok(html::Line { feed: f, items: s.items, newest: s.newest })
                            })
                            .collect::<Result<Vec<_>, StoreError>>()?;
                        let newest = lines.iter().filter_map(|l| l.newest).max();
                        let all = catalog.iter().find(|f| f.path == crate::config::ALL_FEEDS);
                        // Read here only before the first refresh.
                        let latest = match (known_latest, all) {
                            (Some(page), _) => page.items.iter().take(LATEST_ON_INDEX).cloned().collect(),
                            (None, Some(all)) => page_items(&store, all, 0, LATEST_ON_INDEX)?,
                            (None, None) => Vec::new(),
                        };
                        let html = html::index(&site.site(), lang, &latest, &lines)?;
                        // Short: a feed's line changes whenever its source does.
                        Some(Rendered::new(html.into_bytes(), "text/html; charset=utf-8", newest.map(Into::into), 60))
                    }
                    Doc::Opml => {
                        let entries: Vec<OpmlEntry> = catalog
                            .iter()
                            .zip(&metas)
                            .map(|(f, meta)| OpmlEntry {
                                title: f.title.clone(),
                                xml_url: meta.url(Format::Rss, 1),
                                html_url: f.site.to_string(),
                            })
                            .collect();
                        Some(Rendered::new(publish::opml(&title, &entries), "text/x-opml; charset=utf-8", None, 3600))
                    }
                    Doc::Stylesheet => Some(Rendered::new(
                        publish::STYLESHEET.as_bytes().to_vec(),
                        "text/xsl; charset=utf-8",
                        None,
                        86400,
                    )),
                    Doc::Feed { .. } | Doc::FeedPage { .. } | Doc::Article { .. } => None,
                })
            })
            .await?
        }
    }

    /// Reads the icons found on the sources' sites.
    async fn read_icons(&self) -> Result<(), ServeError> {
        let (store, catalog) = (self.inner.store.clone(), self.catalog());
        let icons = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            let mut icons = HashMap::new();
            for feed in catalog.iter().filter(|f| f.is_source()) {
                if let Some(found) = store.icons(&feed.path)? {
                    icons.insert(feed.path.clone(), found);
                }
            }
            Ok(icons)
        })
        .await??;
        *self.inner.icons.write().expect("icons lock") = icons;
        Ok(())
    }

    fn meta(&self, feed: &Published) -> FeedMeta {
        // A source's feed (or one of its categories) shows the source's icons; a merged one
        // speaks for no one site.
        let found = match (feed.query.sources.as_slice(), &feed.selection) {
            ([source], None) => self.inner.icons.read().expect("icons lock").get(source).cloned().unwrap_or_default(),
            _ => crate::store::Icons::default(),
        };
        FeedMeta {
            hubs: self.hubs(),
            icon: feed.icon.clone().or(found.icon),
            logo: feed.logo.clone().or(found.logo),
            path: feed.path.clone(),
            title: feed.title.clone(),
            description: feed.description.clone(),
            site: feed.site.clone(),
            self_base: self.inner.public_url.clone(),
            ttl_minutes: feed.ttl_minutes,
            empty_updated: crate::model::now(),
        }
    }

    /// The HTTP routes.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(http::index))
            .route("/healthz", get(pages::health))
            .route("/readyz", get(pages::ready))
            .route("/metrics", get(http::metrics))
            .route("/opml", get(http::opml))
            .route("/feed.xsl", get(http::stylesheet))
            .route("/feeds/{*file}", get(http::feed))
            .route("/articles/{number}", get(http::article))
            .with_state(self.clone())
    }
}

/// Serves `feeds` on `listener` until `shutdown` resolves, within the config's server limits.
pub async fn run(
    listener: tokio::net::TcpListener,
    feeds: Feeds,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    run_with(listener, feeds, Router::new(), shutdown).await
}

/// [`run`], with `extra` routes beside the feeds' (the WebSub hub).
pub async fn run_with(
    listener: tokio::net::TcpListener,
    feeds: Feeds,
    extra: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (limits, open) = (feeds.inner.limits, feeds.inner.metrics.connections.clone());
    listen::serve(listener, feeds.router().merge(extra), limits, open, shutdown).await
}
