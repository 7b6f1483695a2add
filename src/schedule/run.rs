//! One run of one source: the one place that chains fetch → extract → store. A run either
//! stores what it extracted in one transaction or stores nothing; a failed fetch or extraction
//! never becomes an item and never deletes one. Saved pages (`bantin import`) take the same
//! path from extraction on.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use url::Url;

use crate::config::{FeedDef, Profile};
use crate::extract::{self, ExtractError, ListLink};
use crate::fetch::{FetchError, Fetched, Fetcher, Validators};
use crate::metrics::{Metrics, RunLabels};
use crate::model::{Article, Page, PageRequest, now};
use crate::serve::Published;
use crate::store::{CachedPage, SaveCounts, Store, StoreError};

/// Why part of a run failed. Each says where, so its log line is enough to act on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A page or feed could not be fetched.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A page or feed gave no article: it no longer matches its profile.
    #[error("{url}: {source}")]
    Extract {
        url: Url,
        #[source]
        source: ExtractError,
    },
    /// The store refused a read or a write.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The list pages answered but held no article link.
    #[error("no article links found on {pages} (layout change?)")]
    NoLinks { pages: String },
    /// A list page that listed articles lists none now.
    #[error("layout change: {page} listed {before} articles before and none now")]
    LayoutChange { page: String, before: usize },
    /// A list page answered 304 but its copy from last time is gone.
    #[error("{page}: 304 Not Modified without a kept copy")]
    NotModifiedWithoutCopy { page: String },
    /// A feed source's document has no items.
    #[error("{url}: the feed has no items")]
    EmptyFeed { url: Url },
    /// The thread running a store call died.
    #[error("store task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The run panicked: a bantin bug.
    #[error("internal error (bantin bug, please report): {0}")]
    Panicked(String),
}

/// What runs sources: the fetcher, the store and the metrics they count into.
pub struct Runner {
    pub fetcher: Arc<Fetcher>,
    pub store: Arc<Store>,
    pub metrics: Arc<Metrics>,
    /// Every published feed: retention keeps what each of them shows. Without them a source's
    /// retention does not run (see [`retain`]).
    pub feeds: Arc<Vec<Published>>,
}

/// What `bantin import` stored.
#[derive(Debug)]
pub struct Imported {
    /// The title of each page, in the order given.
    pub titles: Vec<String>,
    pub counts: SaveCounts,
}

/// What one run of one source did.
#[derive(Debug, Default)]
pub struct RunReport {
    pub source: String,
    /// List pages fetched.
    pub pages: usize,
    /// Of those, answered 304 Not Modified (read from the copy kept last time).
    pub not_modified: usize,
    /// Stored articles fetched again to catch edits.
    pub rechecked: usize,
    /// Article pages fetched (only articles not yet stored are fetched).
    pub articles_fetched: usize,
    /// New / updated / unchanged; articles already stored and not re-fetched count as unchanged.
    pub counts: SaveCounts,
    /// New articles left for the next run: their list page already gave `max_new_per_page`.
    pub deferred: usize,
    /// Article pages that gave no article.
    pub extraction_errors: usize,
    /// Article pages whose article left substantial text in no field (each also a warning).
    pub extraction_warnings: usize,
    /// List pages that listed articles before and none now.
    pub layout_changes: usize,
    /// How long the run took.
    pub duration: Duration,
    /// Every failure with its cause; any entry makes the run a failure.
    pub errors: Vec<RunError>,
    /// What went wrong without losing anything (a feed that is not well-formed but was read).
    pub warnings: Vec<String>,
    /// The source's icons were found (or changed): its feeds show them.
    pub icons_changed: bool,
    /// Articles retention deleted: history pages and counts change.
    pub pruned: usize,
}

impl RunReport {
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn changed(&self) -> bool {
        self.counts.new + self.counts.updated > 0 || self.icons_changed || self.pruned > 0
    }

    /// The run stopped on a panic (see [`super::supervised`]).
    pub fn panicked(&self) -> bool {
        self.errors.iter().any(|e| matches!(e, RunError::Panicked(_)))
    }
}

impl Runner {
    pub fn new(fetcher: Arc<Fetcher>, store: Arc<Store>, metrics: Arc<Metrics>) -> Runner {
        Runner { fetcher, store, metrics, feeds: Arc::default() }
    }

    /// The runner of a config whose feeds are `feeds` (`serve::catalog`): its sources' retention
    /// runs, keeping what these feeds show.
    pub fn with_feeds(self, feeds: Vec<Published>) -> Runner {
        Runner { feeds: Arc::new(feeds), ..self }
    }

    /// Runs one source once: list pages (following `?Page=N` up to `max_pages`), then only the
    /// articles the store does not have, then one transaction. Counted in the metrics and
    /// recorded in the store for `/readyz`.
    pub async fn run(&self, def: &FeedDef) -> RunReport {
        self.run_with_progress(def, &|_| {}).await
    }

    /// [`Runner::run`], calling `progress` with the report so far after each page fetched.
    pub async fn run_with_progress(&self, def: &FeedDef, progress: &(dyn Fn(&RunReport) + Sync)) -> RunReport {
        let mut report = run_source(&self.fetcher, &self.store, def, progress).await;
        if !report.failed() {
            report.pruned = prune(&self.store, def, &self.feeds).await;
        }
        if !report.failed() {
            report.icons_changed = find_icons(&self.fetcher, &self.store, def).await;
        }
        self.finish(&report).await;
        report
    }

    /// Counts and records a finished run (also one that panicked before it could).
    pub async fn finish(&self, report: &RunReport) {
        finish(&self.metrics, &self.store, report).await;
    }

    /// Stores saved pages (or text dumps) as `def`'s articles, read like fetched ones: all of
    /// them or, if one gives no article, none.
    pub async fn import(&self, def: &FeedDef, pages: Vec<Page>) -> Result<Imported, RunError> {
        let mut articles = Vec::new();
        for page in pages {
            let article = extract::article(&def.rules, &page, None)
                .map_err(|source| RunError::Extract { url: page.url.clone(), source })?
                .article;
            articles.push(article);
        }
        let titles = articles.iter().map(|a| a.title.clone()).collect();
        let counts = save(&self.store, def, articles, now()).await?;
        Ok(Imported { titles, counts })
    }
}

async fn run_source(
    fetcher: &Fetcher,
    store: &Arc<Store>,
    def: &FeedDef,
    progress: &(dyn Fn(&RunReport) + Sync),
) -> RunReport {
    let started = std::time::Instant::now();
    let mut report = RunReport { source: def.name.clone(), ..RunReport::default() };
    if def.rules.profile == Profile::Feed {
        run_feed_source(fetcher, store, def, &mut report, progress).await;
        report.duration = started.elapsed();
        return report;
    }
    let links = collect_links(fetcher, store, def, &mut report, progress).await;
    if links.is_empty() {
        if report.errors.is_empty() {
            // Pages that answered but held no article link: the portal's layout changed.
            report.errors.push(RunError::NoLinks { pages: list_names(def) });
        }
        report.duration = started.elapsed();
        return report;
    }

    let mut articles: Vec<Article> = Vec::new();
    // New articles fetched per list page: a page listing thousands is read over several runs,
    // newest first, not in one run of hours.
    let mut new_on_page: HashMap<usize, usize> = HashMap::new();
    for (link, page) in &links {
        match blocking(store, {
            let (source, url) = (def.name.clone(), link.url.clone());
            move |s| s.contains(&source, &url, None)
        })
        .await
        {
            Ok(true) => report.counts.unchanged += 1,
            Ok(false) if new_on_page.get(page).is_some_and(|n| *n >= def.max_new_per_page) => report.deferred += 1,
            Ok(false) => match fetch_article(fetcher, def, link, true, &mut report).await.inspect(|_| {
                *new_on_page.entry(*page).or_default() += 1;
            }) {
                Ok(article) => {
                    report.articles_fetched += 1;
                    progress(&report);
                    articles.push(article);
                }
                Err(e) => {
                    report.articles_fetched += 1;
                    report.extraction_errors += 1;
                    report.errors.push(e);
                }
            },
            Err(e) => report.errors.push(e),
        }
    }
    if report.deferred > 0 {
        tracing::info!(source = %def.name, deferred = report.deferred, "new articles left for the next run");
    }

    // Lists run newest first; storing oldest first makes insertion order follow recency, which
    // breaks ties between same-day articles the way the portal ordered them.
    articles.reverse();
    let saved = save(store, def, articles, now()).await;
    match saved {
        Ok(counts) => {
            report.counts.new += counts.new;
            report.counts.updated += counts.updated;
            report.counts.unchanged += counts.unchanged;
        }
        Err(e) => report.errors.push(e),
    }
    recheck(fetcher, store, def, &mut report).await;
    report.duration = started.elapsed();
    report
}

/// Applies the feed's retention after a good run (a failing portal never costs stored items).
/// Returns how many articles went.
async fn prune(store: &Arc<Store>, def: &FeedDef, feeds: &Arc<Vec<Published>>) -> usize {
    if def.retain_for.is_none() && def.retain_items.is_none() {
        return 0;
    }
    let (owned, feeds) = (def.clone(), feeds.clone());
    match blocking(store, move |s| retain(s, &owned, &feeds, now())).await {
        Ok(0) => 0,
        Ok(n) => {
            tracing::info!(source = %def.name, deleted = n, "retention");
            n
        }
        Err(e) => {
            tracing::warn!(source = %def.name, error = %e, "retention failed");
            0
        }
    }
}

/// `def`'s retention at `now`: deletes its articles published before `retain_days` or beyond
/// its newest `retain_items`, but never one that page 1 of a feed in `feeds` shows (its own,
/// its categories', merged and filtered feeds', the feed of all sources) nor its newest
/// `keep_at_least`. Returns how many went. `feeds` must be the config's whole catalog: without
/// the source's own feed in it nothing is deleted, since what the others show is unknown.
pub fn retain(
    store: &Store,
    def: &FeedDef,
    feeds: &[Published],
    now: DateTime<FixedOffset>,
) -> Result<usize, StoreError> {
    if !feeds.iter().any(|f| f.path == def.name) {
        tracing::warn!(source = %def.name, "retention skipped: the feeds that show this source are not known");
        return Ok(0);
    }
    // What each feed shows now: a category's newest or a filter's matches may be far older
    // than the source's newest, and a merged feed shows the earliest copy of a story.
    let mut shown = HashSet::new();
    for feed in feeds.iter().filter(|f| f.shows(&def.name)) {
        let page = crate::serve::page_items(store, feed, 0, feed.query.limit)?;
        shown.extend(page.into_iter().filter(|i| i.source == def.name).map(|i| i.number));
    }
    let before = def.retain_for.and_then(|d| chrono::Duration::from_std(d).ok()).map(|d| now - d);
    store.prune(&def.name, before, def.retain_items, def.keep_at_least, &shown)
}

/// Fetches again a few recent articles not fetched for `recheck_every`: portals edit stories
/// after publishing, and an edit must reach the feed (as a new `updated`, same id).
async fn recheck(fetcher: &Fetcher, store: &Arc<Store>, def: &FeedDef, report: &mut RunReport) {
    let now = now();
    let window = chrono::Duration::from_std(def.recheck_window).unwrap_or_default();
    let every = chrono::Duration::from_std(def.recheck_every).unwrap_or_default();
    let due = blocking(store, {
        let source = def.name.clone();
        // A few per run: the cost stays bounded however many articles are recent.
        move |s| s.due_for_recheck(&source, now - window, now - every, 5)
    })
    .await;
    let due = match due {
        Ok(due) => due,
        Err(e) => return report.errors.push(e),
    };
    let mut articles = Vec::new();
    for url in due {
        let link = ListLink { url, title: None, published: None, summary: None, categories: Vec::new() };
        report.articles_fetched += 1;
        report.rechecked += 1;
        match fetch_article(fetcher, def, &link, false, report).await {
            Ok(article) => articles.push(article),
            // An article that vanished or broke keeps its stored copy; it is not an error of
            // this run's new content, only worth a line in the log. The attempt counts, or the
            // same failing articles would be tried every run and no other ever re-checked.
            Err(e) => {
                tracing::warn!(source = %def.name, error = %e, "re-check failed");
                let (source, url) = (def.name.clone(), link.url.clone());
                if let Err(e) = blocking(store, move |s| s.mark_checked(&source, &url, now)).await {
                    report.errors.push(e);
                }
            }
        }
    }
    if articles.is_empty() {
        return;
    }
    let saved = save(store, def, articles, now).await;
    match saved {
        // Unchanged re-checks were already counted as unchanged from the list.
        Ok(counts) => report.counts.updated += counts.updated,
        Err(e) => report.errors.push(e),
    }
}

async fn collect_links(
    fetcher: &Fetcher,
    store: &Arc<Store>,
    def: &FeedDef,
    report: &mut RunReport,
    progress: &(dyn Fn(&RunReport) + Sync),
) -> Vec<(ListLink, usize)> {
    // Each link with the list page (in fetch order) that showed it first.
    let mut links: Vec<(ListLink, usize)> = Vec::new();
    let mut seen_links: HashSet<Url> = HashSet::new();
    let mut seen_pages: HashSet<String> = HashSet::new();
    for start in &def.list_pages {
        let mut queue = VecDeque::from([PageRequest::Get(start.url.clone())]);
        let mut fetched = 0;
        while let Some(request) = queue.pop_front() {
            if fetched >= def.max_pages || !seen_pages.insert(page_key(&request)) {
                continue;
            }
            fetched += 1;
            let key = page_key(&request);
            let Some(page) = fetch_listing(fetcher, store, def, &request, report).await else { continue };
            report.pages += 1;
            progress(report);
            let list = extract::list(&def.rules, &page);
            let count = list.links.len();
            let before = blocking(store, {
                let key = key.clone();
                move |s| s.list_page_links(&key, count)
            })
            .await;
            if count == 0 {
                // A page that listed articles before and lists none now stopped matching.
                match before {
                    Ok(Some(n)) if n > 0 => {
                        report.layout_changes += 1;
                        report.errors.push(RunError::LayoutChange { page: describe(&request), before: n });
                    }
                    _ => {
                        tracing::warn!(source = %def.name, page = %describe(&request), "list page has no article links")
                    }
                }
            }
            for mut link in list.links {
                // An article listed under several categories belongs to all of them.
                if let Some(category) = &start.category {
                    link.categories.push(category.clone());
                }
                if seen_links.insert(link.url.clone()) {
                    links.push((link, report.pages));
                } else if let Some((known, _)) = links.iter_mut().find(|(l, _)| l.url == link.url) {
                    for category in link.categories {
                        if !known.categories.contains(&category) {
                            known.categories.push(category);
                        }
                    }
                }
            }
            queue.extend(list.pages.into_iter().filter(|p| !seen_pages.contains(&page_key(p))));
        }
    }
    links
}

/// A new feed item with the body of its page, read with `profile`: feeds often carry only a
/// summary. Only new items cost a request (`None` for a known one); a page that cannot be read
/// leaves the item as the feed gave it.
async fn with_full_text(
    fetcher: &Fetcher,
    store: &Arc<Store>,
    def: &FeedDef,
    profile: Profile,
    item: Article,
    report: &mut RunReport,
) -> Option<Article> {
    let known = blocking(store, {
        let (source, url, id) = (def.name.clone(), item.url.clone(), item.id.clone());
        move |s| s.contains(&source, &url, id.as_deref())
    })
    .await;
    if !matches!(known, Ok(false)) {
        return None;
    }
    if !def.may_fetch(&item.url) {
        tracing::debug!(source = %def.name, url = %item.url, "full text not fetched: host not in allowed_hosts");
        return Some(item);
    }
    report.articles_fetched += 1;
    let rules = crate::config::Rules { profile, ..def.rules.clone() };
    let page = match fetcher.page(&item.url).await {
        Ok(page) => page,
        Err(e) => {
            tracing::warn!(source = %def.name, error = %e, "full text unavailable; keeping the feed's");
            return Some(item);
        }
    };
    Some(match extract::article(&rules, &page, None).map(|e| e.article) {
        Ok(full) => Article {
            content_html: full.content_html,
            content_text: full.content_text,
            published: item.published.or(full.published),
            summary: item.summary.or(full.summary),
            author: item.author.or(full.author),
            caption: if item.image.is_some() { item.caption } else { full.caption },
            image: item.image.or(full.image),
            ..item
        },
        Err(e) => {
            tracing::warn!(source = %def.name, url = %item.url, error = %e, "full text unreadable; keeping the feed's");
            item
        }
    })
}

/// Fetches a list page (or feed) conditionally: a 304 reads it from the copy kept in the store,
/// a fresh copy with validators is kept for next time. Failures go into the report.
async fn fetch_listing(
    fetcher: &Fetcher,
    store: &Arc<Store>,
    def: &FeedDef,
    request: &PageRequest,
    report: &mut RunReport,
) -> Option<Page> {
    let key = page_key(request);
    let cached = match request {
        PageRequest::Get(_) => blocking(store, {
            let key = key.clone();
            move |s| s.cached_page(&key)
        })
        .await
        .unwrap_or_default(),
        PageRequest::Post { .. } => None,
    };
    let last = cached
        .as_ref()
        .map(|c| Validators { etag: c.etag.clone(), last_modified: c.last_modified.clone() })
        .unwrap_or_default();
    match fetcher.list_page(request, &last).await {
        Ok(Fetched::Page(page, validators)) => {
            if validators != Validators::default() && matches!(request, PageRequest::Get(_)) {
                let copy = CachedPage {
                    url: page.url.to_string(),
                    etag: validators.etag,
                    last_modified: validators.last_modified,
                    body: page.html.clone(),
                };
                if let Err(e) = blocking(store, move |s| s.cache_page(&key, &copy)).await {
                    tracing::warn!(source = %def.name, error = %e, "cannot keep the list page for conditional GET");
                }
            }
            Some(page)
        }
        // 304: the list is as last time; read it from the copy kept then.
        Ok(Fetched::NotModified) => {
            match cached.and_then(|c| Some(Page { url: Url::parse(&c.url).ok()?, html: c.body })) {
                Some(page) => {
                    report.not_modified += 1;
                    Some(page)
                }
                None => {
                    report.errors.push(RunError::NotModifiedWithoutCopy { page: describe(request) });
                    None
                }
            }
        }
        Err(e) => {
            report.errors.push(e.into());
            None
        }
    }
}

/// A source that already publishes RSS or Atom: its items are the articles, no page is scraped.
async fn run_feed_source(
    fetcher: &Fetcher,
    store: &Arc<Store>,
    def: &FeedDef,
    report: &mut RunReport,
    progress: &(dyn Fn(&RunReport) + Sync),
) {
    let mut articles = Vec::new();
    for list in &def.list_pages {
        let request = PageRequest::Get(list.url.clone());
        let Some(page) = fetch_listing(fetcher, store, def, &request, report).await else { continue };
        report.pages += 1;
        progress(report);
        match extract::feed_articles(&def.rules, &page) {
            Ok(items) if items.articles.is_empty() => report.errors.push(RunError::EmptyFeed { url: list.url.clone() }),
            Ok(items) => {
                if let Some(problem) = items.problem {
                    report.warnings.push(format!("{}: {problem}", list.url));
                }
                for mut item in items.articles {
                    item.categories.extend(list.category.clone());
                    if let Some(profile) = def.full_text {
                        // A known item keeps the full text it was stored with: saving the
                        // feed's summary again would replace it.
                        match with_full_text(fetcher, store, def, profile, item, report).await {
                            Some(full) => item = full,
                            None => {
                                report.counts.unchanged += 1;
                                continue;
                            }
                        }
                    }
                    articles.push(item);
                }
            }
            Err(source) => report.errors.push(RunError::Extract { url: list.url.clone(), source }),
        }
    }
    // Feeds list newest first; stored oldest first, insertion order follows recency.
    articles.reverse();
    let saved = save(store, def, articles, now()).await;
    match saved {
        Ok(counts) => report.counts = counts,
        Err(e) => report.errors.push(e),
    }
}

/// How long the icons found on a site (or their absence) are trusted before looking again.
const ICONS_TTL: chrono::Duration = chrono::Duration::days(30);

/// Looks for `def`'s icons on its home page, once (then every `ICONS_TTL`), unless its feed
/// file sets both: the first named icon and logo that answer as images. Returns whether what is
/// stored changed. Failures only mean another look next run.
async fn find_icons(fetcher: &Fetcher, store: &Arc<Store>, def: &FeedDef) -> bool {
    if def.icon.is_some() && def.logo.is_some() {
        return false;
    }
    let stored = blocking(store, {
        let source = def.name.clone();
        move |s| s.icons(&source)
    })
    .await;
    let stored = match stored {
        Ok(stored) => stored,
        Err(e) => {
            tracing::warn!(source = %def.name, error = %e, "cannot read stored icons");
            return false;
        }
    };
    if stored.as_ref().and_then(|s| s.checked).is_some_and(|at| now() - at < ICONS_TTL) {
        return false;
    }
    let page = match fetcher.page(&def.site).await {
        Ok(page) => page,
        Err(e) => {
            tracing::debug!(source = %def.name, error = %e, "home page unavailable; icons looked for next run");
            return false;
        }
    };
    let links = extract::icon_links(&page);
    let image = async |candidates: Vec<url::Url>| {
        for url in candidates.into_iter().filter(|u| def.may_fetch(u)) {
            match fetcher.probe(&url).await {
                // `.ico` files are often served without an image type.
                Ok(probe)
                    if probe
                        .mime
                        .as_deref()
                        .is_some_and(|m| m.starts_with("image/") || m == "application/octet-stream") =>
                {
                    return Some(url);
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(icon = %url, error = %e, "not an icon"),
            }
        }
        None
    };
    let icon = image(links.icons).await;
    let logo = image(links.logos).await;
    let changed = stored.as_ref().is_none_or(|s| s.icon != icon || s.logo != logo);
    let source = def.name.clone();
    let saved = blocking(store, move |s| s.set_icons(&source, icon.as_ref(), logo.as_ref(), now())).await;
    if let Err(e) = saved {
        tracing::warn!(source = %def.name, error = %e, "cannot store icons");
        return false;
    }
    changed
}

async fn fetch_article(
    fetcher: &Fetcher,
    def: &FeedDef,
    link: &ListLink,
    probe: bool,
    report: &mut RunReport,
) -> Result<Article, RunError> {
    let page = fetcher.page(&link.url).await?;
    let extract::Extracted { mut article, unplaced } = extract::article(&def.rules, &page, Some(link))
        .map_err(|source| RunError::Extract { url: link.url.clone(), source })?;
    if let Some(first) = unplaced.first() {
        // Published (the fields found are right), but text of the page landed nowhere: the
        // profile no longer reads all of this portal's articles.
        tracing::warn!(source = %def.name, url = %link.url, texts = unplaced.len(), first = %first, "article text in no field");
        report.extraction_warnings += 1;
        report.warnings.push(format!("{}: text in no field: «{first}»", link.url));
    }
    if let Some(image) = article.image.as_mut().filter(|i| probe && def.may_fetch(&i.url)) {
        // Enclosures need a real size; a failed probe leaves it unknown, never invented.
        match fetcher.probe(&image.url).await {
            Ok(probe) => {
                image.length = probe.length;
                image.mime = probe.mime.filter(|m| m.starts_with("image/"));
            }
            Err(e) => tracing::debug!(image = %image.url, error = %e, "cannot measure image"),
        }
    }
    Ok(article)
}

async fn finish(metrics: &Metrics, store: &Arc<Store>, report: &RunReport) {
    let source = Metrics::source(&report.source);
    metrics.articles_new.get_or_create(&source).inc_by(report.counts.new as u64);
    metrics.articles_updated.get_or_create(&source).inc_by(report.counts.updated as u64);
    metrics.extraction_errors.get_or_create(&source).inc_by(report.extraction_errors as u64);
    metrics.extraction_warnings.get_or_create(&source).inc_by(report.extraction_warnings as u64);
    metrics.layout_changes.get_or_create(&source).inc_by(report.layout_changes as u64);
    metrics.run_seconds.get_or_create(&source).observe(report.duration.as_secs_f64());
    let result = if report.panicked() {
        "panicked"
    } else if report.failed() {
        "failed"
    } else {
        "ok"
    };
    metrics.runs.get_or_create(&RunLabels { source: report.source.clone(), result: result.into() }).inc();
    let error = report.errors.first().map(|first| match report.errors.len() {
        1 => first.to_string(),
        n => format!("{first} (and {} more)", n - 1),
    });
    let warning = report.warnings.first().map(|first| match report.warnings.len() {
        1 => first.clone(),
        n => format!("{first} (and {} more)", n - 1),
    });
    let source = report.source.clone();
    let recorded = blocking(store, move |s| s.record_run(&source, now(), error.as_deref(), warning.as_deref())).await;
    if let Err(e) = recorded {
        tracing::error!(source = %report.source, error = %e, "cannot record run");
    }
    tracing::info!(
        source = %report.source,
        pages = report.pages,
        fetched = report.articles_fetched,
        new = report.counts.new,
        updated = report.counts.updated,
        unchanged = report.counts.unchanged,
        errors = report.errors.len(),
        seconds = report.duration.as_secs_f64(),
        "run finished"
    );
    for e in &report.errors {
        tracing::warn!(source = %report.source, error = %e, "run error");
    }
    for warning in &report.warnings {
        tracing::warn!(source = %report.source, warning, "read despite errors");
    }
}

/// A list page's identity for "already fetched" and for its remembered link count.
/// `?Page=1` is the page the list starts on; a postback is its form target and argument.
fn page_key(request: &PageRequest) -> String {
    match request {
        PageRequest::Get(url) => {
            let mut key = url.clone();
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, v)| !(k.eq_ignore_ascii_case("page") && v == "1"))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if pairs.is_empty() {
                key.set_query(None);
            } else {
                key.query_pairs_mut().clear().extend_pairs(pairs);
            }
            key.to_string()
        }
        PageRequest::Post { url, fields } => {
            let field = |name: &str| fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
            format!("POST {url} {} {}", field("__EVENTTARGET"), field("__EVENTARGUMENT"))
        }
    }
}

fn describe(request: &PageRequest) -> String {
    match request {
        PageRequest::Get(url) => url.to_string(),
        PageRequest::Post { .. } => page_key(request),
    }
}

fn list_names(def: &FeedDef) -> String {
    def.list_pages.iter().map(|p| p.url.as_str()).collect::<Vec<_>>().join(", ")
}

/// Stores `articles` for `def`'s source in one transaction, off the async threads.
async fn save(
    store: &Arc<Store>,
    def: &FeedDef,
    articles: Vec<Article>,
    at: DateTime<FixedOffset>,
) -> Result<SaveCounts, RunError> {
    let source = def.name.clone();
    blocking(store, move |s| s.save(&source, &articles, at)).await
}

/// Runs a store call off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, RunError> {
    let store = store.clone();
    Ok(tokio::task::spawn_blocking(move || f(&store)).await??)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> PageRequest {
        PageRequest::Get(Url::parse(url).unwrap())
    }

    #[test]
    fn a_list_page_is_one_page_however_its_first_page_is_written() {
        let start = page_key(&get("https://portal.example/Pages/tin.aspx"));
        assert_eq!(page_key(&get("https://portal.example/Pages/tin.aspx?Page=1")), start, "?Page=1 is the start");
        assert_eq!(page_key(&get("https://portal.example/Pages/tin.aspx?page=1")), start);
        assert_ne!(page_key(&get("https://portal.example/Pages/tin.aspx?Page=2")), start);
        assert_eq!(
            page_key(&get("https://portal.example/Pages/tin.aspx?cat=3&Page=1")),
            "https://portal.example/Pages/tin.aspx?cat=3"
        );
        let post = |argument: &str| PageRequest::Post {
            url: Url::parse("https://portal.example/Pages/tin.aspx").unwrap(),
            fields: vec![
                ("__VIEWSTATE".into(), "changes every time".into()),
                ("__EVENTTARGET".into(), "ctl00$pager".into()),
                ("__EVENTARGUMENT".into(), argument.into()),
            ],
        };
        assert_eq!(page_key(&post("Page$2")), "POST https://portal.example/Pages/tin.aspx ctl00$pager Page$2");
        assert_ne!(page_key(&post("Page$2")), page_key(&post("Page$3")));
    }

    #[test]
    fn a_report_fails_on_any_error_and_changes_on_new_or_updated() {
        let mut report = RunReport::default();
        assert!(!report.failed() && !report.changed());
        report.counts.unchanged = 12;
        assert!(!report.changed(), "unchanged articles change no feed");
        report.counts.updated = 1;
        assert!(report.changed());
        report.errors.push(RunError::NoLinks { pages: "x".into() });
        assert!(report.failed() && !report.panicked());
    }
}
