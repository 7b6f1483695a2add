//! The schema as numbered migrations, tracked in `PRAGMA user_version`. Never edit a shipped
//! migration: append a new one, so every existing database walks the same path.

use rusqlite::Connection;

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: articles with their identity and history, and per-source run state.
    "CREATE TABLE articles (
         id            INTEGER PRIMARY KEY,
         source        TEXT NOT NULL,
         key           TEXT NOT NULL,     -- canonical URL without scheme/port: the identity
         guid          TEXT NOT NULL,     -- tag: URI minted at first sight, never changed
         url           TEXT NOT NULL,
         title         TEXT NOT NULL,
         published     TEXT NOT NULL,     -- RFC 3339, +07:00
         published_ts  INTEGER NOT NULL,
         summary       TEXT,
         author        TEXT,
         image_url     TEXT,
         image_caption TEXT,
         image_length  INTEGER,
         image_mime    TEXT,
         content_html  TEXT NOT NULL,
         content_text  TEXT NOT NULL,
         content_hash  TEXT NOT NULL,
         first_seen    TEXT NOT NULL,
         updated       TEXT NOT NULL,
         updated_ts    INTEGER NOT NULL,
         UNIQUE (source, key)
     );
     CREATE INDEX articles_by_date ON articles (source, published_ts DESC, id DESC);
     CREATE TABLE source_state (
         source               TEXT PRIMARY KEY,
         last_attempt         TEXT,
         last_success         TEXT,
         consecutive_failures INTEGER NOT NULL DEFAULT 0,
         last_error           TEXT
     );",
    // 2: how many article links each list page had last time, to tell a layout change.
    "CREATE TABLE list_pages (
         key     TEXT PRIMARY KEY,   -- the page's URL, or POST target for postback pagers
         links   INTEGER NOT NULL,
         checked TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
     );",
    // 3: the categories (list sections) of each article, newline-separated.
    "ALTER TABLE articles ADD COLUMN categories TEXT NOT NULL DEFAULT '';",
    // 4: the last copy of each list page with its validators, for conditional GET: a 304 reads
    // the list from here.
    "CREATE TABLE page_cache (
         key           TEXT PRIMARY KEY,
         url           TEXT NOT NULL,   -- the final URL after redirects
         etag          TEXT,
         last_modified TEXT,
         body          TEXT NOT NULL,
         fetched       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
     );",
    // 5: when each article page was last fetched (first sight or re-check), unix milliseconds
    // (runs a second apart must still order their re-checks).
    "ALTER TABLE articles ADD COLUMN checked_ts INTEGER NOT NULL DEFAULT 0;
     UPDATE articles SET checked_ts = CAST(strftime('%s', first_seen) AS INTEGER) * 1000;",
    // 6: merged feeds read newest first across sources and look up other copies of an article.
    "CREATE INDEX articles_by_time ON articles (published_ts DESC, id DESC);
     CREATE INDEX articles_by_key ON articles (key, published_ts, id);",
    // 7: what the last run read despite errors, for /readyz.
    "ALTER TABLE source_state ADD COLUMN last_warning TEXT;",
    // 8: each source's icons as found on its site (NULL: looked, none), and when.
    "CREATE TABLE icons (
         source  TEXT PRIMARY KEY,
         icon    TEXT,
         logo    TEXT,
         checked TEXT NOT NULL
     );",
    // 9: WebSub subscriptions to bantin's hub: who gets which feed pushed, until when.
    "CREATE TABLE websub (
         callback   TEXT NOT NULL,
         topic      TEXT NOT NULL,
         secret     TEXT,
         expires    INTEGER NOT NULL,   -- unix seconds
         last_error TEXT,
         PRIMARY KEY (callback, topic)
     );
     CREATE INDEX websub_by_topic ON websub (topic, expires);",
];

/// `PRAGMA application_id` of bantin's databases ("btn1"), so `file` and other tools can tell.
const APPLICATION_ID: i32 = 0x6274_6e31;

/// Refuses, without writing anything, a file that is not a bantin database or is newer than
/// this bantin. A database from before the application id was set is recognised by its schema.
pub fn check(conn: &Connection, path: &std::path::Path) -> Result<(), StoreError> {
    let not_bantin = |reason: String| StoreError::NotBantin { path: path.to_path_buf(), reason };
    let header = |pragma: &str| -> Result<i64, StoreError> {
        conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0)).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                not_bantin("not an SQLite database".into())
            }
            e => StoreError::Sql(e),
        })
    };
    let (application_id, version) = (header("application_id")?, header("user_version")?);
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| r.get(0))?;
    let has_articles: bool =
        conn.query_row("SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'articles'", [], |r| {
            r.get(0)
        })?;
    if application_id != 0 && application_id != i64::from(APPLICATION_ID) {
        return Err(not_bantin(format!("its application id is {application_id:#x}")));
    }
    if version == 0 && tables > 0 || version > 0 && !has_articles {
        return Err(not_bantin("it has tables bantin did not create".into()));
    }
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew { found: version, known });
    }
    Ok(())
}

pub fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}
