//! The catalog of published feeds: what each one shows (sources, category, filters), under
//! which path, and which of them a change to one source touches. Reading a feed's items from
//! the store lives here too, so "what a feed shows" has one definition.

use url::Url;

use crate::config::{ALL_FEEDS, Config, FeedDef, Filter};
use crate::model::FeedItem;
use crate::select;
use crate::store::{Query, Store, StoreError};

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
    /// For merged feeds: filters and one copy per story.
    pub selection: Option<Selection>,
    /// The icon and logo its feed file sets (else its source's, found on the site).
    pub icon: Option<Url>,
    pub logo: Option<Url>,
}

impl Published {
    /// Whether a change to `source`'s articles changes this feed.
    pub fn shows(&self, source: &str) -> bool {
        self.query.sources.iter().any(|s| s == source)
    }

    /// The last page of history a feed of `count` items has (page 1 exists even when empty).
    pub fn last_page(&self, count: usize) -> u32 {
        u32::try_from(count.div_ceil(self.query.limit.max(1)).max(1)).unwrap_or(u32::MAX)
    }

    /// A feed of one source (or one of its categories): what `/readyz` reports on.
    pub fn is_source(&self) -> bool {
        self.selection.is_none() && self.query.category.is_none()
    }
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

/// How many items `feed` shows in all (merged feeds choose among their newest CANDIDATES).
pub fn item_count(store: &Store, feed: &Published) -> Result<usize, StoreError> {
    match &feed.selection {
        None => store.count(&feed.query),
        // A merged feed shows at most CANDIDATES items. Without filters, the store's count
        // (title de-duplication aside) avoids reading every row.
        Some(selection) if selection.filter.is_empty() && selection.categories.is_empty() => {
            store.count_at_most(&feed.query, CANDIDATES)
        }
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
    let now = crate::model::now();
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

/// The feeds a config publishes: each source, its categories when asked, merged feeds, and
/// the feed of all sources last.
pub fn catalog(config: &Config) -> Vec<Published> {
    let now = crate::model::now();
    let ttl = |def: &FeedDef| (def.schedule.interval(now).as_secs() / 60).clamp(1, u64::from(u32::MAX)) as u32;
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
            selection: None,
            icon: def.icon.clone(),
            logo: def.logo.clone(),
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
                    selection: None,
                    icon: def.icon.clone(),
                    logo: def.logo.clone(),
                });
            }
        }
    }
    for def in &config.merged {
        let members: Vec<&FeedDef> = config.feeds.iter().filter(|f| def.sources.contains(&f.name)).collect();
        feeds.push(Published {
            path: def.name.clone(),
            title: def.title.clone(),
            description: def.description.clone(),
            site: config.public_url.clone(),
            query: Query { sources: def.sources.clone(), category: None, limit: def.limit, offset: 0 },
            ttl_minutes: members.iter().map(|d| ttl(d)).min().unwrap_or(60),
            selection: Some(Selection {
                filter: def.filter.clone(),
                categories: def.categories.clone(),
                dedupe_window: def.dedupe_window,
            }),
            icon: None,
            logo: None,
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
                limit: config.all_limit,
                offset: 0,
            },
            ttl_minutes: config.feeds.iter().map(ttl).min().unwrap_or(60),
            selection: Some(Selection {
                filter: Filter::default(),
                categories: Vec::new(),
                dedupe_window: std::time::Duration::from_secs(48 * 3600),
            }),
            icon: None,
            logo: None,
        });
    }
    feeds
}
