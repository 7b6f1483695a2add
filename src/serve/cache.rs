//! Rendered documents and the cache that holds them. A document is rendered and compressed once
//! per change: requests for one that is being rendered wait for that render (single flight)
//! and never start their own. The hot set (page 1 of every feed, the index, OPML, the
//! stylesheet) is kept until replaced; history pages live in a cache bounded in bytes.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use axum::http::HeaderValue;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::ServeError;
use super::html::Lang;
use crate::model::Format;

/// A document the server publishes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Doc {
    /// Page `page` (from 1) of the feed at `path` in `format`.
    Feed { path: String, format: Format, page: u32 },
    /// The same page as HTML, for people in a browser.
    FeedPage { path: String, page: u32, lang: Lang },
    /// The HTML index page.
    Index { lang: Lang },
    /// A stored article's page.
    Article { number: i64, lang: Lang },
    /// Every feed as OPML.
    Opml,
    /// The XSLT browsers apply to the XML feeds.
    Stylesheet,
}

impl Doc {
    /// Hot documents are rendered ahead of readers and never evicted.
    fn is_hot(&self) -> bool {
        // Pages in English are rendered when first asked for (most readers are Vietnamese),
        // and forgotten when a source they show changes, like history pages.
        match self {
            Doc::Feed { page, .. } => *page == 1,
            Doc::FeedPage { page, lang, .. } => *page == 1 && *lang == Lang::Vi,
            Doc::Index { lang } => *lang == Lang::Vi,
            Doc::Article { .. } => false,
            Doc::Opml | Doc::Stylesheet => true,
        }
    }
}

/// One rendered document, in every encoding we send, with its validators.
#[derive(Debug)]
pub struct Rendered {
    /// Shared, so answering a request copies no bytes.
    pub body: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
    pub content_type: &'static str,
    /// Strong validator of the identity bytes; the compressed forms add a suffix.
    pub etag: String,
    /// The newest item's update, as an HTTP date.
    pub last_modified: Option<std::time::SystemTime>,
    /// Header values built once, not per request.
    pub headers: Headers,
    /// The one source an article page shows: it is forgotten when that source changes, and
    /// kept when another does.
    pub source: Option<String>,
}

#[derive(Debug)]
pub struct Headers {
    pub cache_control: HeaderValue,
    pub last_modified: Option<HeaderValue>,
    /// ETag of each representation: identity, gzip, br.
    pub etags: [HeaderValue; 3],
}

impl Rendered {
    /// Compresses `body` both ways and computes its validators. CPU-heavy: call it off the
    /// async threads, and only through the document cache, which bounds how many run at once.
    pub fn new(
        body: Vec<u8>,
        content_type: &'static str,
        last_modified: Option<std::time::SystemTime>,
        max_age: u64,
    ) -> Rendered {
        let gzip = gzip(&body);
        let brotli = brotli(&body);
        let hash = &hex::encode(Sha256::digest(&body))[..32];
        let etag = format!("\"{hash}\"");
        // Each coding is its own representation, so its own strong validator
        // (RFC 9110 §8.8.3).
        let etags = [None, Some("gzip"), Some("br")].map(|coding| {
            let coding = coding.map(|c| format!("-{c}")).unwrap_or_default();
            HeaderValue::from_str(&format!("\"{hash}{coding}\"")).expect("hex is a valid header")
        });
        let headers = Headers {
            cache_control: HeaderValue::from_str(&format!("public, max-age={max_age}")).expect("ascii"),
            last_modified: last_modified.and_then(|t| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok()),
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
            source: None,
        }
    }

    /// This document, as one that shows `source`'s article only.
    pub fn of_source(self, source: &str) -> Rendered {
        Rendered { source: Some(source.to_string()), ..self }
    }

    /// Bytes held, for the history cache's budget.
    pub fn size(&self) -> usize {
        self.body.len() + self.gzip.len() + self.brotli.len() + 512
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    // Level 6: within a few percent of 9 on feeds, at a third of the time.
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::new(6));
    gz.write_all(body).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

fn brotli(body: &[u8]) -> Vec<u8> {
    // The window sized to the document: brotli allocates it whole, and a 4 MB window for a
    // 300 KB feed is memory spent on nothing.
    let window = (usize::BITS - body.len().max(1).leading_zeros()).clamp(10, 22);
    let mut out = Vec::with_capacity(body.len() / 5);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 6, window);
        w.write_all(body).expect("writing to memory");
    }
    out
}

/// What a render produced, shared with every request that waited for it.
type Outcome = Result<Option<Arc<Rendered>>, Arc<ServeError>>;

/// The rendered documents: the hot set, the history pages and the renders in progress.
pub struct Documents {
    hot: RwLock<HashMap<Doc, Arc<Rendered>>>,
    history: Mutex<History>,
    /// Renders in progress; a request for one of these waits for its outcome.
    flights: Mutex<HashMap<Doc, watch::Receiver<Option<Outcome>>>>,
    /// At most this many renders (query, render, compress) at once: memory stays bounded
    /// whatever the burst.
    permits: Arc<tokio::sync::Semaphore>,
    /// Renders done, for tests and metrics.
    renders: std::sync::atomic::AtomicU64,
}

impl Documents {
    pub fn new(history_bytes: usize, concurrent_renders: usize) -> Documents {
        Documents {
            hot: RwLock::new(HashMap::new()),
            history: Mutex::new(History::new(history_bytes)),
            flights: Mutex::new(HashMap::new()),
            permits: Arc::new(tokio::sync::Semaphore::new(concurrent_renders.max(1))),
            renders: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The document if it is rendered.
    pub fn cached(&self, doc: &Doc) -> Option<Arc<Rendered>> {
        if doc.is_hot() {
            self.hot.read().expect("hot cache lock").get(doc).cloned()
        } else {
            self.history.lock().expect("history lock").get(doc)
        }
    }

    /// How many renders ran since start.
    pub fn renders(&self) -> u64 {
        self.renders.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The document from the cache, or rendered by `render` once however many ask at the same
    /// time. `render` runs as its own task: a client that hangs up does not cancel it.
    pub async fn get<F, Fut>(self: &Arc<Self>, doc: Doc, render: F) -> Result<Option<Arc<Rendered>>, ServeError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<Rendered>, ServeError>> + Send + 'static,
    {
        if let Some(hit) = self.cached(&doc) {
            return Ok(Some(hit));
        }
        let mut waiting = {
            let mut flights = self.flights.lock().expect("flights lock");
            // Checked again under the flights lock: a render stores its document before it
            // leaves the flights, so a document is always in one or the other.
            if let Some(hit) = self.cached(&doc) {
                return Ok(Some(hit));
            }
            match flights.get(&doc) {
                Some(flight) => flight.clone(),
                None => self.start(&mut flights, doc, render()),
            }
        };
        wait(&mut waiting).await
    }

    /// Renders `doc` again and replaces the cached copy: the write path after a change. Waits
    /// for a render of `doc` already in progress (it may have read the store before the change)
    /// so the fresh one is stored last; readers meanwhile get the previous bytes.
    pub async fn refresh<F, Fut>(self: &Arc<Self>, doc: Doc, render: F) -> Result<Option<Arc<Rendered>>, ServeError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<Rendered>, ServeError>> + Send + 'static,
    {
        let mut render = Some(render);
        loop {
            let mut waiting = {
                let mut flights = self.flights.lock().expect("flights lock");
                match flights.get(&doc) {
                    Some(flight) => Err(flight.clone()),
                    None => Ok(self.start(&mut flights, doc.clone(), (render.take().expect("rendered once"))())),
                }
            };
            match &mut waiting {
                Ok(mine) => return wait(mine).await,
                Err(other) => {
                    let _ = wait(other).await;
                }
            }
        }
    }

    /// Forgets the history pages of the feeds at `paths` (their English pages too), the
    /// article pages of `source` (an edit changes one; every source's when `None`) and the
    /// English index (it lists the latest).
    pub fn forget_history(&self, paths: &[&str], source: Option<&str>) {
        self.history.lock().expect("history lock").retain(|doc, rendered| match doc {
            Doc::Feed { path, .. } | Doc::FeedPage { path, .. } => !paths.contains(&path.as_str()),
            Doc::Article { .. } => source.is_some() && rendered.source.as_deref() != source,
            Doc::Index { .. } => false,
            _ => true,
        });
    }

    /// Forgets every document not in `keep` (feeds gone after a reload).
    pub fn retain_hot(&self, keep: impl Fn(&Doc) -> bool) {
        self.hot.write().expect("hot cache lock").retain(|doc, _| keep(doc));
        self.history.lock().expect("history lock").retain(|doc, _| keep(doc));
    }

    /// Registers the render of `doc` in `flights` and runs it as a task.
    fn start<Fut>(
        self: &Arc<Self>,
        flights: &mut HashMap<Doc, watch::Receiver<Option<Outcome>>>,
        doc: Doc,
        render: Fut,
    ) -> watch::Receiver<Option<Outcome>>
    where
        Fut: Future<Output = Result<Option<Rendered>, ServeError>> + Send + 'static,
    {
        let (done, waiting) = watch::channel(None);
        flights.insert(doc.clone(), waiting.clone());
        let documents = self.clone();
        let epoch = self.history.lock().expect("history lock").epoch;
        tokio::spawn(async move {
            let outcome = {
                let _permit = documents.permits.clone().acquire_owned().await;
                documents.renders.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                render.await
            };
            let outcome: Outcome = match outcome {
                Ok(Some(rendered)) => Ok(Some(Arc::new(rendered))),
                Ok(None) => Ok(None),
                Err(e) => Err(Arc::new(e)),
            };
            let mut flights = documents.flights.lock().expect("flights lock");
            match &outcome {
                Ok(Some(rendered)) if doc.is_hot() => {
                    documents.hot.write().expect("hot cache lock").insert(doc.clone(), rendered.clone());
                }
                Ok(Some(rendered)) => {
                    documents.history.lock().expect("history lock").insert(doc.clone(), rendered.clone(), epoch)
                }
                // A feed or page that no longer exists keeps no bytes.
                Ok(None) if doc.is_hot() => {
                    documents.hot.write().expect("hot cache lock").remove(&doc);
                }
                _ => {}
            }
            flights.remove(&doc);
            drop(flights);
            let _ = done.send(Some(outcome));
        });
        waiting
    }
}

async fn wait(flight: &mut watch::Receiver<Option<Outcome>>) -> Result<Option<Arc<Rendered>>, ServeError> {
    let outcome = match flight.wait_for(Option::is_some).await {
        Ok(outcome) => outcome.clone().expect("waited for Some"),
        // The render task panicked: its sender is gone without an outcome.
        Err(_) => return Err(ServeError::RenderFailed("the render task stopped".into())),
    };
    outcome.map_err(|e| ServeError::RenderFailed(e.to_string()))
}

/// History pages, least recently used first out, within a byte budget.
struct History {
    budget: usize,
    used: usize,
    tick: u64,
    pages: HashMap<Doc, (Arc<Rendered>, u64)>,
    /// Bumped whenever pages are forgotten: a render that started before cannot be stored.
    epoch: u64,
}

impl History {
    fn new(budget: usize) -> History {
        History { budget, used: 0, tick: 0, pages: HashMap::new(), epoch: 0 }
    }

    fn get(&mut self, doc: &Doc) -> Option<Arc<Rendered>> {
        self.tick += 1;
        let tick = self.tick;
        self.pages.get_mut(doc).map(|(rendered, used)| {
            *used = tick;
            rendered.clone()
        })
    }

    fn insert(&mut self, doc: Doc, rendered: Arc<Rendered>, epoch: u64) {
        let size = rendered.size();
        if epoch != self.epoch || size > self.budget {
            return;
        }
        while self.used + size > self.budget {
            let Some(oldest) = self.pages.iter().min_by_key(|(_, (_, used))| *used).map(|(d, _)| d.clone()) else {
                break;
            };
            if let Some((gone, _)) = self.pages.remove(&oldest) {
                self.used -= gone.size();
            }
        }
        self.tick += 1;
        self.used += size;
        if let Some((old, _)) = self.pages.insert(doc, (rendered, self.tick)) {
            self.used -= old.size();
        }
    }

    fn retain(&mut self, keep: impl Fn(&Doc, &Rendered) -> bool) {
        self.epoch += 1;
        let mut used = 0;
        self.pages.retain(|doc, (rendered, _)| {
            let kept = keep(doc, rendered);
            if kept {
                used += rendered.size();
            }
            kept
        });
        self.used = used;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: u32) -> Doc {
        Doc::Feed { path: "a".into(), format: Format::Rss, page: n + 2 }
    }

    fn doc(bytes: usize) -> Arc<Rendered> {
        Arc::new(Rendered::new(vec![b'x'; bytes], "text/plain", None, 60))
    }

    #[test]
    fn history_stays_within_its_budget_dropping_the_least_recently_used() {
        let one = doc(1000).size();
        let mut history = History::new(one * 3);
        for n in 0..3 {
            history.insert(page(n), doc(1000), 0);
        }
        assert!(history.get(&page(0)).is_some()); // page 1 is now the least recently used
        history.insert(page(3), doc(1000), 0);
        assert!(history.used <= one * 3);
        assert!(history.get(&page(1)).is_none());
        assert!(history.get(&page(0)).is_some() && history.get(&page(3)).is_some());
    }

    #[test]
    fn a_render_from_before_a_forget_is_not_stored() {
        let mut history = History::new(1 << 20);
        let epoch = history.epoch;
        history.retain(|_, _| false);
        history.insert(page(0), doc(10), epoch);
        assert!(history.get(&page(0)).is_none());
        history.insert(page(0), doc(10), history.epoch);
        assert!(history.get(&page(0)).is_some());
    }

    #[test]
    fn brotli_window_follows_the_document() {
        for size in [0, 100, 5000, 300_000] {
            let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let mut out = Vec::new();
            brotli::BrotliDecompress(&mut &brotli(&body)[..], &mut out).unwrap();
            assert_eq!(out, body);
        }
    }
}
