//! SQLite: every SQL statement, numbered migrations, and identity. The store keeps every article
//! ever seen, so a feed never loses an item the portal's front page dropped, and keeps serving
//! when the portal dies. Writes are single transactions in WAL mode: a crash leaves the last
//! committed state.

mod migrations;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
#[cfg(test)]
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, FixedOffset, SecondsFormat};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};
use url::Url;

pub use crate::model::identity_key;
use crate::model::{Article, FeedItem, Image, vietnam};

/// Why the store refused.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or created.
    #[error("cannot open database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    /// The database's directory could not be created.
    #[error("cannot create directory {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    /// The database is newer than this binary (a downgrade would lose data).
    #[error("database schema version {found} is newer than this bantin knows ({known}); upgrade bantin")]
    TooNew { found: i64, known: i64 },
    /// The file is not a bantin database (another program's SQLite file, or not SQLite at all).
    #[error("{path} is not a bantin database: {reason}")]
    NotBantin { path: PathBuf, reason: String },
    /// A statement failed (disk full, locked, constraint).
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A stored value does not parse back (hand-edited or damaged rows).
    #[error("stored article {key}: {reason}")]
    Corrupt { key: String, reason: String },
}

impl StoreError {
    /// The database given is not one this bantin can use (another program's, or newer): bad
    /// input, not a failure of the run.
    pub fn is_wrong_database(&self) -> bool {
        matches!(self, StoreError::NotBantin { .. } | StoreError::TooNew { .. })
    }
}

/// Which items a feed shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub sources: Vec<String>,
    /// Only items of this category.
    pub category: Option<String>,
    pub limit: usize,
    /// Items skipped from the newest (history pages).
    pub offset: usize,
}

/// A list page as last fetched, with the validators it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPage {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body: String,
}

/// What one save did to the source's articles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaveCounts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// A WebSub subscription to one of bantin's feeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub callback: String,
    /// The feed's URL (page 1, one format).
    pub topic: String,
    /// The subscriber's `hub.secret`: deliveries are signed with it.
    pub secret: Option<String>,
    /// End of the lease, unix seconds.
    pub expires: i64,
    /// Why the last delivery failed, if it did.
    pub last_error: Option<String>,
}

impl Subscription {
    /// A row of `SELECT callback, topic, secret, expires, last_error FROM websub`.
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Subscription> {
        Ok(Subscription {
            callback: r.get(0)?,
            topic: r.get(1)?,
            secret: r.get(2)?,
            expires: r.get(3)?,
            last_error: r.get(4)?,
        })
    }
}

/// A source's icons as found on its site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Icons {
    pub icon: Option<Url>,
    pub logo: Option<Url>,
    /// When they were looked for.
    pub checked: Option<DateTime<FixedOffset>>,
}

/// A source's recent run history, for health reporting and start-up catch-up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceState {
    pub last_attempt: Option<DateTime<FixedOffset>>,
    pub last_success: Option<DateTime<FixedOffset>>,
    pub consecutive_failures: u32,
    pub last_error: Option<String>,
    /// What the last run read despite errors (a feed that is not well-formed).
    pub last_warning: Option<String>,
}

/// One SQLite database in WAL mode: one connection that writes (SQLite serializes writers
/// anyway) and a few read-only ones, so renders and health checks never wait behind a scrape's
/// transaction.
pub struct Store {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    /// Where the next reader search starts, so concurrent reads spread over the pool.
    next_reader: AtomicUsize,
    /// Read-only connections handed out since open: what shows which requests read the store.
    reads: AtomicU64,
}

/// Read-only connections: enough for the renders (bounded by the server) and `/readyz` at once.
const READERS: usize = 3;

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
        }
        let mut conn = Connection::open(path).map_err(open_err)?;
        // Whose file and which version, before anything writes to it: a file we refuse is
        // left byte for byte as it was.
        migrations::check(&conn, path)?;
        // Only a new, empty file takes this (so before WAL writes the header); it lets
        // pruning give space back without a VACUUM.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL").map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::apply(&mut conn)?;
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )
                .map_err(open_err)?;
                reader.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(Mutex::new(reader))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Store { writer: Mutex::new(conn), readers, next_reader: AtomicUsize::new(0), reads: AtomicU64::new(0) })
    }

    /// How many reads (statements on the read-only connections) ran since open.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// The connection that writes.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done transaction behind (it rolls
        // back on drop), so the connection is still good.
        self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A free read-only connection, or (all busy) the next one in turn. In WAL mode a reader
    /// sees the last committed state and never waits for the writer.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            match self.readers[(start + i) % self.readers.len()].try_lock() {
                Ok(guard) => return guard,
                Err(std::sync::TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        self.readers[start % self.readers.len()].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `source` already has the article at `url` (with the source's own `id` for it).
    /// An article an older bantin stored under another key (see `older_keys`) is recognised and
    /// takes its key now, so it is not fetched again as a new one.
    pub fn contains(&self, source: &str, url: &Url, id: Option<&str>) -> Result<bool, StoreError> {
        let key = crate::model::article_key(url, id);
        if has_key(&self.reader(), source, &key)? {
            return Ok(true);
        }
        // Only when an old-style copy exists is the writer needed to adopt it.
        let mut old = false;
        for (older, _) in older_keys(&key, url) {
            old = old || has_key(&self.reader(), source, &older)?;
        }
        if !old {
            return Ok(false);
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let adopted = adopt_older(&tx, source, &key, url, &HashSet::new())?;
        tx.commit()?;
        Ok(adopted)
    }

    /// Upserts `articles` for `source` in one transaction: all of them or none. `now` stamps
    /// first sight and edits; it is never used as a publication date unless the page had none.
    pub fn save(
        &self,
        source: &str,
        articles: &[Article],
        now: DateTime<FixedOffset>,
    ) -> Result<SaveCounts, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut counts = SaveCounts::default();
        // Copies an older bantin stored under other keys take their keys now, in listing order
        // (newest first: the first listing of a link won then too). A key one of these articles
        // has as its own is never taken from it.
        let own: HashSet<String> = articles.iter().map(Article::key).collect();
        for article in articles.iter().rev() {
            let key = article.key();
            if !has_key(&tx, source, &key)? {
                adopt_older(&tx, source, &key, &article.url, &own)?;
            }
        }
        // Undated articles first seen together are stamped a second apart, newest listed latest:
        // they keep the source's order and no two share a timestamp (`atom:updated`).
        let mut undated_left = articles.iter().filter(|a| a.published.is_none()).count() as i64;
        for article in articles {
            let key = article.key();
            let first_seen = match article.published {
                Some(_) => now,
                None => {
                    undated_left -= 1;
                    now - chrono::Duration::seconds(undated_left)
                }
            };
            let hash = content_hash(article);
            // A page date in the future is a typo or a clock problem: never publish ahead of now.
            let published = article.published.map(|p| p.min(now));
            let stored = || -> Result<Option<(String, String, String)>, rusqlite::Error> {
                tx.query_row(
                    "SELECT content_hash, published, categories FROM articles WHERE source = ?1 AND key = ?2",
                    params![source, key],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
            };
            let existing = stored()?;
            // Categories accumulate: an article found under a second list keeps the first.
            let mut categories: Vec<&str> = existing.as_ref().map_or(Vec::new(), |e| e.2.lines().collect());
            for category in &article.categories {
                if !categories.contains(&category.as_str()) {
                    categories.push(category);
                }
            }
            let categories = categories.join("\n");
            match existing {
                None => {
                    let published = published.unwrap_or(first_seen);
                    tx.execute(
                        "INSERT INTO articles (source, key, guid, url, title, published, published_ts, summary, author,
                             image_url, image_caption, image_length, image_mime, content_html, content_text,
                             content_hash, first_seen, updated, updated_ts, categories, checked_ts)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?6, ?7, ?18, ?19)",
                        params![
                            source,
                            key,
                            mint_guid(&article.url, article.id.as_deref(), now),
                            article.url.as_str(),
                            article.title,
                            stamp(published),
                            published.timestamp(),
                            article.summary,
                            article.author,
                            article.image.as_ref().map(|i| i.url.as_str()),
                            article.caption.as_deref(),
                            article.image.as_ref().and_then(|i| i.length).map(|n| n as i64),
                            article.image.as_ref().and_then(|i| i.mime.as_deref()),
                            article.content_html,
                            article.content_text,
                            hash,
                            stamp(now),
                            categories,
                            now.timestamp_millis(),
                        ],
                    )?;
                    counts.new += 1;
                }
                Some((old_hash, _, _)) if old_hash == hash => {
                    tx.execute(
                        "UPDATE articles SET categories = ?3, checked_ts = ?4 WHERE source = ?1 AND key = ?2",
                        params![source, key, categories, now.timestamp_millis()],
                    )?;
                    counts.unchanged += 1;
                }
                Some((_, old_published, _)) => {
                    // An edit: new content and `updated`, same guid, first_seen and (unless the
                    // page now shows one) the same publication date.
                    let published = published.map(stamp).unwrap_or(old_published);
                    let ts = DateTime::parse_from_rfc3339(&published).map(|d| d.timestamp()).unwrap_or(now.timestamp());
                    tx.execute(
                        "UPDATE articles SET url = ?3, title = ?4, published = ?5, published_ts = ?6, summary = ?7,
                             author = ?8, content_html = ?9, content_text = ?10, content_hash = ?11,
                             updated = ?12, updated_ts = ?13,
                             image_length = CASE WHEN image_url IS ?14 THEN image_length ELSE ?15 END,
                             image_mime = CASE WHEN image_url IS ?14 THEN image_mime ELSE ?16 END,
                             image_url = ?14, image_caption = ?17, categories = ?18, checked_ts = ?19
                         WHERE source = ?1 AND key = ?2",
                        params![
                            source,
                            key,
                            article.url.as_str(),
                            article.title,
                            published,
                            ts,
                            article.summary,
                            article.author,
                            article.content_html,
                            article.content_text,
                            hash,
                            stamp(now),
                            now.timestamp(),
                            article.image.as_ref().map(|i| i.url.as_str()),
                            article.image.as_ref().and_then(|i| i.length).map(|n| n as i64),
                            article.image.as_ref().and_then(|i| i.mime.as_deref()),
                            article.caption.as_deref(),
                            categories,
                            now.timestamp_millis(),
                        ],
                    )?;
                    counts.updated += 1;
                }
            }
        }
        crate::fault::crash_point("store: articles written, not committed");
        tx.commit()?;
        crate::fault::crash_point("store: articles committed");
        Ok(counts)
    }

    /// The items `query` selects, newest first: each article once, however many of the
    /// sources have it (the earliest-published copy, so its id stays when others pick it up).
    pub fn items(&self, query: &Query) -> Result<Vec<FeedItem>, StoreError> {
        if query.sources.is_empty() {
            return Ok(Vec::new());
        }
        let (marks, sources) = source_params(query, 4);
        // Each clause only when it selects something: a clause SQLite cannot rule out before
        // running reads every row it passes over (a history page skips thousands).
        let category = if query.category.is_some() { CATEGORY_CLAUSE } else { "?1 IS NULL" };
        // One source holds each key once (UNIQUE (source, key)): no other copy to look for.
        let earliest_copy =
            if query.sources.len() > 1 { EARLIEST_COPY_CLAUSE.replace("{marks}", &marks) } else { String::new() };
        let sql = format!(
            "SELECT {ROW_COLUMNS}
             FROM articles a
             WHERE source IN ({marks}) AND {category} {earliest_copy}
             ORDER BY published_ts DESC, id DESC LIMIT ?2 OFFSET ?3"
        );
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut values: Vec<rusqlite::types::Value> =
            vec![query.category.clone().into(), (query.limit as i64).into(), (query.offset as i64).into()];
        values.extend(sources);
        let rows = stmt.query_map(rusqlite::params_from_iter(values), Row::read)?;
        rows.map(|row| row?.into_item()).collect()
    }

    /// The article numbered `number` (its [`FeedItem::number`]), if it is still stored.
    pub fn item(&self, number: i64) -> Result<Option<FeedItem>, StoreError> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM articles a WHERE id = ?1");
        let row = self.reader().prepare_cached(&sql)?.query_row([number], Row::read).optional()?;
        row.map(Row::into_item).transpose()
    }

    /// How many distinct articles `query` selects (ignoring its limit).
    pub fn count(&self, query: &Query) -> Result<usize, StoreError> {
        self.count_at_most(query, usize::MAX)
    }

    /// [`Store::count`], but stops counting at `cap`: a merged feed's history only reaches so
    /// far, and counting every distinct article of a million-row store takes a second.
    pub fn count_at_most(&self, query: &Query, cap: usize) -> Result<usize, StoreError> {
        if query.sources.is_empty() {
            return Ok(0);
        }
        let (marks, sources) = source_params(query, 3);
        let category = if query.category.is_some() { CATEGORY_CLAUSE } else { "?1 IS NULL" };
        let sql = format!(
            "SELECT count(*) FROM (SELECT DISTINCT key FROM articles WHERE source IN ({marks}) AND {category} LIMIT ?2)"
        );
        let cap = i64::try_from(cap).unwrap_or(-1);
        let mut values: Vec<rusqlite::types::Value> = vec![query.category.clone().into(), cap.into()];
        values.extend(sources);
        let n: i64 = self.reader().prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(values), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// How many articles `source` has in the store.
    pub fn source_count(&self, source: &str) -> Result<usize, StoreError> {
        self.count(&Query { sources: vec![source.to_string()], ..Query::default() })
    }

    /// Remembers that the list page `key` showed `links` article links; returns how many it
    /// showed the time before. A page that drops to zero is only remembered once it recovers,
    /// so the alarm repeats until then.
    pub fn list_page_links(&self, key: &str, links: usize) -> Result<Option<usize>, StoreError> {
        let conn = self.conn();
        let before: Option<i64> =
            conn.query_row("SELECT links FROM list_pages WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        if links > 0 || before.is_none() {
            conn.execute(
                "INSERT INTO list_pages (key, links) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET links = excluded.links, checked = excluded.checked",
                params![key, links as i64],
            )?;
        }
        Ok(before.map(|n| n as usize))
    }

    /// The last copy of the list page `key`, if it came with validators.
    pub fn cached_page(&self, key: &str) -> Result<Option<CachedPage>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT url, etag, last_modified, body FROM page_cache WHERE key = ?1", [key], |r| {
                Ok(CachedPage { url: r.get(0)?, etag: r.get(1)?, last_modified: r.get(2)?, body: r.get(3)? })
            })
            .optional()?)
    }

    /// Keeps `page` as the last copy of the list page `key`.
    pub fn cache_page(&self, key: &str, page: &CachedPage) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO page_cache (key, url, etag, last_modified, body) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (key) DO UPDATE SET url = excluded.url, etag = excluded.etag,
                 last_modified = excluded.last_modified, body = excluded.body,
                 fetched = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            params![key, page.url, page.etag, page.last_modified, page.body],
        )?;
        Ok(())
    }

    /// Up to `limit` articles of `source` first seen after `seen_after` and not fetched since
    /// `checked_before`, least recently checked first: the ones to fetch again for edits.
    pub fn due_for_recheck(
        &self,
        source: &str,
        seen_after: DateTime<FixedOffset>,
        checked_before: DateTime<FixedOffset>,
        limit: usize,
    ) -> Result<Vec<Url>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT url FROM articles
             WHERE source = ?1 AND first_seen > ?2 AND checked_ts <= ?3
             ORDER BY checked_ts, id LIMIT ?4",
        )?;
        let rows = stmt
            .query_map(params![source, stamp(seen_after), checked_before.timestamp_millis(), limit as i64], |r| {
                r.get::<_, String>(0)
            })?;
        rows.map(|url| {
            let url = url?;
            Url::parse(&url).map_err(|e| StoreError::Corrupt { key: url.clone(), reason: e.to_string() })
        })
        .collect()
    }

    /// Records that `source`'s article at `url` was fetched (or tried) at `at`.
    pub fn mark_checked(&self, source: &str, url: &Url, at: DateTime<FixedOffset>) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE articles SET checked_ts = ?3 WHERE source = ?1 AND key = ?2",
            params![source, identity_key(url), at.timestamp_millis()],
        )?;
        Ok(())
    }

    /// Deletes `source`'s articles published before `before` or beyond the newest `max_items`,
    /// but never its newest `keep_newest` nor the articles numbered in `protect` (the ones
    /// feeds still show). Returns how many went; the space is returned to the file a little
    /// at a time (incremental vacuum), not by a `VACUUM` that would lock the store.
    pub fn prune(
        &self,
        source: &str,
        before: Option<DateTime<FixedOffset>>,
        max_items: Option<usize>,
        keep_newest: usize,
        protect: &HashSet<i64>,
    ) -> Result<usize, StoreError> {
        let keep_newest = max_items.map_or(keep_newest, |m| m.max(keep_newest));
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let candidates: Vec<i64> = {
            let mut stmt = tx.prepare_cached(
                "SELECT id FROM articles WHERE source = ?1 AND id NOT IN (
                     SELECT id FROM articles WHERE source = ?1 ORDER BY published_ts DESC, id DESC LIMIT ?2)
                 AND (?3 IS NOT NULL AND published_ts < ?3 OR ?4)",
            )?;
            let rows = stmt.query_map(
                params![source, keep_newest as i64, before.map(|b| b.timestamp()), max_items.is_some()],
                |r| r.get(0),
            )?;
            rows.collect::<Result<_, _>>()?
        };
        let mut deleted = 0;
        {
            let mut delete = tx.prepare_cached("DELETE FROM articles WHERE id = ?1")?;
            for id in candidates.into_iter().filter(|id| !protect.contains(id)) {
                deleted += delete.execute([id])?;
            }
        }
        tx.commit()?;
        if deleted > 0 {
            conn.execute_batch("PRAGMA incremental_vacuum(1000);")?;
        }
        Ok(deleted)
    }

    /// Records a run's outcome: `error` is `None` on success; `warning` says what went wrong
    /// without failing the run.
    pub fn record_run(
        &self,
        source: &str,
        at: DateTime<FixedOffset>,
        error: Option<&str>,
        warning: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO source_state (source, last_attempt, last_success, consecutive_failures, last_error, last_warning)
             VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, CASE WHEN ?3 IS NULL THEN 0 ELSE 1 END, ?3, ?4)
             ON CONFLICT (source) DO UPDATE SET
                 last_attempt = excluded.last_attempt,
                 last_success = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success END,
                 consecutive_failures = CASE WHEN ?3 IS NULL THEN 0 ELSE consecutive_failures + 1 END,
                 last_error = ?3,
                 last_warning = ?4",
            params![source, stamp(at), error, warning],
        )?;
        Ok(())
    }

    /// The icons found on `source`'s site, and when they were looked for; `None` if never.
    pub fn icons(&self, source: &str) -> Result<Option<Icons>, StoreError> {
        let row = self
            .reader()
            .query_row("SELECT icon, logo, checked FROM icons WHERE source = ?1", [source], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
            })
            .optional()?;
        let url = |s: Option<String>| s.and_then(|s| Url::parse(&s).ok());
        Ok(row.map(|(icon, logo, checked)| Icons {
            icon: url(icon),
            logo: url(logo),
            checked: DateTime::parse_from_rfc3339(&checked).ok(),
        }))
    }

    /// Records what was found of `source`'s icons at `at`.
    pub fn set_icons(
        &self,
        source: &str,
        icon: Option<&Url>,
        logo: Option<&Url>,
        at: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO icons (source, icon, logo, checked) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (source) DO UPDATE SET icon = ?2, logo = ?3, checked = ?4",
            params![source, icon.map(Url::as_str), logo.map(Url::as_str), stamp(at)],
        )?;
        Ok(())
    }

    /// Adds or renews a WebSub subscription; `None` when `max_total` subscriptions exist, or
    /// `max_per_host` for the callback's host (a renewal is always accepted).
    pub fn subscribe(&self, sub: &Subscription, max_total: usize, max_per_host: usize) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let renewal: bool = tx
            .query_row(
                "SELECT 1 FROM websub WHERE callback = ?1 AND topic = ?2",
                params![sub.callback, sub.topic],
                |_| Ok(true),
            )
            .optional()?
            .unwrap_or(false);
        if !renewal {
            let total: i64 = tx.query_row("SELECT count(*) FROM websub", [], |r| r.get(0))?;
            let host =
                Url::parse(&sub.callback).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
            let same_host = tx
                .prepare_cached("SELECT callback FROM websub")?
                .query_map([], |r| r.get::<_, String>(0))?
                .filter_map(Result::ok)
                .filter(|c| Url::parse(c).ok().and_then(|u| u.host_str().map(str::to_string)).as_deref() == Some(&host))
                .count();
            if total as usize >= max_total || same_host >= max_per_host {
                return Ok(false);
            }
        }
        tx.execute(
            "INSERT INTO websub (callback, topic, secret, expires, last_error) VALUES (?1, ?2, ?3, ?4, NULL)
             ON CONFLICT (callback, topic) DO UPDATE SET secret = ?3, expires = ?4, last_error = NULL",
            params![sub.callback, sub.topic, sub.secret, sub.expires],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Ends a subscription; whether there was one.
    pub fn unsubscribe(&self, callback: &str, topic: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute("DELETE FROM websub WHERE callback = ?1 AND topic = ?2", params![callback, topic])? > 0)
    }

    /// The subscriptions to `topic` whose lease runs past `now` (unix seconds); expired ones
    /// are deleted on the way.
    pub fn subscribers(&self, topic: &str, now: i64) -> Result<Vec<Subscription>, StoreError> {
        self.conn().execute("DELETE FROM websub WHERE expires <= ?1", [now])?;
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT callback, topic, secret, expires, last_error FROM websub WHERE topic = ?1 AND expires > ?2",
        )?;
        let rows = stmt.query_map(params![topic, now], Subscription::read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every subscription that is still leased, for `/readyz`.
    pub fn subscriptions(&self, now: i64) -> Result<Vec<Subscription>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT callback, topic, secret, expires, last_error FROM websub WHERE expires > ?1 ORDER BY callback, topic",
        )?;
        let rows = stmt.query_map([now], Subscription::read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the outcome of the last delivery to a subscription (`None`: delivered).
    pub fn delivered(&self, callback: &str, topic: &str, error: Option<&str>) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE websub SET last_error = ?3 WHERE callback = ?1 AND topic = ?2",
            params![callback, topic, error],
        )?;
        Ok(())
    }

    pub fn source_state(&self, source: &str) -> Result<SourceState, StoreError> {
        let row = self
            .reader()
            .query_row(
                "SELECT last_attempt, last_success, consecutive_failures, last_error, last_warning
                 FROM source_state WHERE source = ?1",
                [source],
                |r| {
                    let parse = |s: Option<String>| s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok());
                    Ok(SourceState {
                        last_attempt: parse(r.get(0)?),
                        last_success: parse(r.get(1)?),
                        consecutive_failures: r.get(2)?,
                        last_error: r.get(3)?,
                        last_warning: r.get(4)?,
                    })
                },
            )
            .optional()?;
        Ok(row.unwrap_or_default())
    }
}

/// Articles listed under the category `?1` (categories are newline-separated).
const CATEGORY_CLAUSE: &str = "instr(char(10) || categories || char(10), char(10) || ?1 || char(10)) > 0";

/// The earliest-published copy of a URL only: no other selected source has an earlier one.
const EARLIEST_COPY_CLAUSE: &str = "AND NOT EXISTS (SELECT 1 FROM articles b
    WHERE b.key = a.key AND b.source IN ({marks})
      AND (b.published_ts < a.published_ts OR (b.published_ts = a.published_ts AND b.id < a.id)))";

/// Keys an older bantin stored the article at `url` (now under `key`) under, newest rule
/// first, each with whether it may be adopted only as the one candidate:
/// - the canonical URL: before feed and CSS sources kept links as given, every profile's links
///   were canonical (lower-case path, sorted query), and feed items went by link, not guid;
/// - the canonical URL with SharePoint's item id alone, from before lists were kept (`l=`).
fn older_keys(key: &str, url: &Url) -> Vec<(String, bool)> {
    let canonical = crate::model::canonical_url(url);
    let mut keys = Vec::new();
    let by_link = identity_key(&canonical);
    if by_link != key {
        keys.push((by_link, false));
    }
    if let Some(id_only) = crate::model::legacy_identity_key(&canonical) {
        keys.push((id_only, true));
    }
    keys
}

/// Gives the article an older bantin stored under one of `older_keys` (not one in `taken`) the
/// key `key` and the link `url`; its guid, dates and content stay. The id-only key only when that copy is the one
/// candidate: no other article of the source has the same host, path and id with other
/// parameters (then which list the old copy was is unknown). Returns whether one was adopted.
fn adopt_older(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    key: &str,
    url: &Url,
    taken: &HashSet<String>,
) -> Result<bool, StoreError> {
    for (older, only_candidate) in older_keys(key, url) {
        if taken.contains(&older) || !has_key(tx, source, &older)? {
            continue;
        }
        if only_candidate {
            // Keys are sorted by parameter name and the id sorts before `l`: the other
            // candidates are the old key followed by `&`.
            let candidates: i64 = tx.query_row(
                "SELECT count(*) FROM articles WHERE source = ?1
                 AND (key = ?2 OR (key > ?2 || '&' AND key < ?2 || '&' || char(1114111)))",
                params![source, older],
                |r| r.get(0),
            )?;
            if candidates != 1 {
                continue;
            }
        }
        tx.execute(
            "UPDATE articles SET key = ?3, url = ?4 WHERE source = ?1 AND key = ?2",
            params![source, older, key, url.as_str()],
        )?;
        tracing::info!(source, from = %older, to = %key, "stored article takes its new identity");
        return Ok(true);
    }
    Ok(false)
}

/// Whether `source` has an article stored under `key`.
fn has_key(conn: &Connection, source: &str, key: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = conn
        .query_row("SELECT 1 FROM articles WHERE source = ?1 AND key = ?2", params![source, key], |r| r.get(0))
        .optional()?;
    Ok(found.is_some())
}

/// The placeholders `?first, ?first+1, …` for `query`'s sources, and their values. Numbered:
/// a bare `?` written before `?1` in the statement would take number 1.
fn source_params(query: &Query, first: usize) -> (String, Vec<rusqlite::types::Value>) {
    let marks = (first..first + query.sources.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    (marks, query.sources.iter().map(|s| s.clone().into()).collect())
}

/// A permanent RFC 4151 `tag:` URI: the article's host, the date bantin first saw it, and its
/// path, or the source's own id for it (`id`, percent-encoded) when it has one: items that
/// share a link must not share a guid. Minted once at first sight and stored, so it never
/// changes afterwards.
pub fn mint_guid(url: &Url, id: Option<&str>, first_seen: DateTime<FixedOffset>) -> String {
    let host = url.host_str().unwrap_or("localhost");
    let date = first_seen.with_timezone(&vietnam()).format("%Y-%m-%d");
    let specific = match id {
        Some(id) => format!("id:{}", url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()),
        None => {
            let specific = identity_key(url);
            specific.strip_prefix(host).unwrap_or(&specific).to_string()
        }
    };
    format!("tag:{host},{date}:{specific}")
}

fn content_hash(a: &Article) -> String {
    let mut h = Sha256::new();
    let image = a.image.as_ref();
    for part in [
        Some(a.title.as_str()),
        a.published.map(stamp).as_deref(),
        a.summary.as_deref(),
        a.author.as_deref(),
        image.map(|i| i.url.as_str()),
        a.caption.as_deref(),
        Some(a.content_html.as_str()),
    ] {
        // A separator that cannot occur in text keeps ("ab","c") and ("a","bc") apart.
        h.update(part.unwrap_or("\u{0}").as_bytes());
        h.update([0xff]);
    }
    hex::encode(h.finalize())
}

fn stamp(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&vietnam()).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The columns [`Row::read`] reads, in its order.
const ROW_COLUMNS: &str = "a.id, a.source, a.key, a.guid, a.url, a.title, a.published, a.summary, a.author,
    a.image_url, a.image_caption, a.image_length, a.image_mime, a.content_html, a.content_text, a.updated,
    a.categories";

struct Row {
    number: i64,
    source: String,
    key: String,
    guid: String,
    url: String,
    title: String,
    published: String,
    summary: Option<String>,
    author: Option<String>,
    image_url: Option<String>,
    image_caption: Option<String>,
    image_length: Option<i64>,
    image_mime: Option<String>,
    content_html: String,
    content_text: String,
    updated: String,
    categories: String,
}

impl Row {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        Ok(Row {
            number: r.get(0)?,
            source: r.get(1)?,
            key: r.get(2)?,
            guid: r.get(3)?,
            url: r.get(4)?,
            title: r.get(5)?,
            published: r.get(6)?,
            summary: r.get(7)?,
            author: r.get(8)?,
            image_url: r.get(9)?,
            image_caption: r.get(10)?,
            image_length: r.get(11)?,
            image_mime: r.get(12)?,
            content_html: r.get(13)?,
            content_text: r.get(14)?,
            updated: r.get(15)?,
            categories: r.get(16)?,
        })
    }

    fn into_item(self) -> Result<FeedItem, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt { key: self.key.clone(), reason };
        let date = |s: &str| DateTime::parse_from_rfc3339(s).map_err(|e| corrupt(format!("date `{s}`: {e}")));
        let url = Url::parse(&self.url).map_err(|e| corrupt(format!("url `{}`: {e}", self.url)))?;
        let image = match &self.image_url {
            Some(u) => Some(Image {
                url: Url::parse(u).map_err(|e| corrupt(format!("image url `{u}`: {e}")))?,
                length: self.image_length.and_then(|n| u64::try_from(n).ok()),
                mime: self.image_mime.clone(),
            }),
            None => None,
        }
        // Stores written before images were checked may hold `javascript:` or `file:` ones: no
        // feed carries them.
        .filter(|i| crate::model::is_web_url(&i.url));
        let published = date(&self.published)?;
        let updated = date(&self.updated)?;
        Ok(FeedItem {
            number: self.number,
            source: self.source,
            guid: self.guid,
            published,
            updated,
            article: Article {
                url,
                id: self.key.strip_prefix("id:").map(str::to_string),
                title: self.title,
                published: Some(published),
                summary: self.summary,
                author: self.author,
                image,
                caption: self.image_caption,
                categories: self.categories.lines().map(str::to_string).collect(),
                content_html: self.content_html,
                content_text: self.content_text,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(n: u32, title: &str) -> Article {
        Article {
            url: Url::parse(&format!("https://Portal.example/Pages/a.aspx?ItemID={n}")).unwrap(),
            id: None,
            title: title.into(),
            published: None,
            summary: None,
            author: None,
            image: None,
            caption: None,
            categories: Vec::new(),
            content_html: "<p>x</p>".into(),
            content_text: "x".into(),
        }
    }

    #[test]
    fn guids_are_tag_uris_of_host_first_sight_and_path() {
        let url = Url::parse("https://backan.gov.vn/pages/chi-tiet-tin-tuc.aspx?ItemID=12345&l=A").unwrap();
        // 23:30 UTC is already the next day in Vietnam: the date is Vietnam's.
        let seen = DateTime::parse_from_rfc3339("2024-04-04T23:30:00+00:00").unwrap();
        assert_eq!(
            mint_guid(&url, None, seen),
            "tag:backan.gov.vn,2024-04-05:/pages/chi-tiet-tin-tuc.aspx?ItemID=12345&l=A"
        );
        let http = Url::parse("http://backan.gov.vn:8080/pages/chi-tiet-tin-tuc.aspx?ItemID=12345&l=A").unwrap();
        assert_eq!(mint_guid(&http, None, seen), mint_guid(&url, None, seen), "scheme and port are not identity");
    }

    #[test]
    fn saves_count_new_updated_and_unchanged_and_keep_the_guid() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let day = |d: u32| DateTime::parse_from_rfc3339(&format!("2024-04-{d:02}T00:00:00+07:00")).unwrap();
        let first = store.save("src", &[article(1, "Một"), article(2, "Hai")], day(1)).unwrap();
        assert_eq!(first, SaveCounts { new: 2, updated: 0, unchanged: 0 });
        let guid = |store: &Store| store.items(&Query { sources: vec!["src".into()], limit: 9, ..Query::default() });
        let before = guid(&store).unwrap();
        let again = store.save("src", &[article(1, "Một"), article(2, "Hai (sửa)"), article(3, "Ba")], day(2)).unwrap();
        assert_eq!(again, SaveCounts { new: 1, updated: 1, unchanged: 1 });
        let after = guid(&store).unwrap();
        let edited = after.iter().find(|i| i.article.title == "Hai (sửa)").unwrap();
        let original = before.iter().find(|i| i.article.title == "Hai").unwrap();
        assert_eq!(edited.guid, original.guid, "an edit keeps the guid");
        assert_eq!(edited.published, original.published, "and the date first seen, for a page without one");
        assert!(edited.updated > original.updated);
    }

    #[test]
    fn reads_proceed_while_this_stores_writer_holds_a_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("s.sqlite")).unwrap());
        store.record_run("src", chrono::Utc::now().with_timezone(&vietnam()), None, None).unwrap();
        let mut writer = store.conn();
        let tx = writer.transaction().unwrap();
        tx.execute("UPDATE source_state SET last_error = 'pending'", []).unwrap();
        // Reads on another thread: with a single shared connection they would wait for the lock
        // this thread holds until the transaction ends, and the channel would time out.
        let (done, finished) = std::sync::mpsc::channel();
        let reader = store.clone();
        std::thread::spawn(move || {
            let state = reader.source_state("src").unwrap();
            let items = reader.items(&Query { sources: vec!["src".into()], limit: 10, ..Query::default() }).unwrap();
            done.send((state, items.len())).unwrap();
        });
        let (state, items) = finished.recv_timeout(std::time::Duration::from_secs(30)).expect("reads finished");
        assert_eq!(state.last_error, None, "the last committed state");
        assert_eq!(items, 0);
        tx.commit().unwrap();
    }
}
