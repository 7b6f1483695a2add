//! The shared vocabulary of every stage: a fetched page, an extracted article, a stored feed item,
//! what a feed publishes. No I/O lives here; a change to "what an article is" starts here and the
//! compiler lists every stage that must follow.

use chrono::{DateTime, FixedOffset};
use unicode_normalization::UnicodeNormalization;
use url::Url;

/// The portals' local time, Asia/Ho_Chi_Minh: UTC+7 all year (Vietnam has no DST).
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("+07:00 is a valid offset")
}

/// The time now in Vietnam: the write path's "first seen" and "checked", the read path's
/// "now" for filters. Extraction never reads the clock.
pub fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&vietnam())
}

/// XML 1.0 `Char`: strict feed parsers reject a whole document for one U+000B, and neither
/// feed crate filters them, so every text that reaches a feed passes through here.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// `text` without the characters XML forbids.
pub fn xml_safe(text: &str) -> String {
    text.chars().filter(|c| is_xml_char(*c)).collect()
}

/// `text` safe inside HTML or XML text and double-quoted attributes.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Whether `url` is one bantin fetches or publishes: http or https. A page can point anywhere
/// (`data:`, `javascript:`, `file:`); nothing else reaches a request or a feed.
pub fn is_web_url(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())
}

/// A fetched document, already decoded to NFC text.
#[derive(Debug, Clone)]
pub struct Page {
    /// The final URL after redirects: every relative link in `html` resolves against it.
    pub url: Url,
    pub html: String,
}

/// How to ask for a list page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageRequest {
    Get(Url),
    /// An ASP.NET postback: the form's fields, with `__EVENTTARGET` naming the pager link.
    Post {
        url: Url,
        fields: Vec<(String, String)>,
    },
}

/// One article as a profile extracts it from its page, before the store has seen it.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Canonical URL (identity params only, lower-case path): the article's identity.
    pub url: Url,
    pub title: String,
    /// `None` when the page shows no date; the store then stamps the first-seen time once.
    pub published: Option<DateTime<FixedOffset>>,
    /// The lead, plain text.
    pub summary: Option<String>,
    pub author: Option<String>,
    pub image: Option<Image>,
    /// The lead image's caption. Kept apart from the image because a text dump of a page has
    /// the caption but not the image.
    pub caption: Option<String>,
    /// The categories (sections) the source lists it under.
    pub categories: Vec<String>,
    /// Sanitized body HTML with absolute URLs, without the lead image, caption and author line.
    pub content_html: String,
    /// The body as plain text, paragraphs separated by blank lines.
    pub content_text: String,
}

/// The article's lead image.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub url: Url,
    /// Size and media type as the image server reported them; `None` when never measured,
    /// so no feed ever carries a made-up enclosure length.
    pub length: Option<u64>,
    pub mime: Option<String>,
}

impl Article {
    /// The article as `bantin extract` prints it and the extraction snapshots record it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "url": self.url.as_str(),
            "id": identity_key(&self.url),
            "title": self.title,
            "published": self.published.map(|d| d.to_rfc3339()),
            "summary": self.summary,
            "author": self.author,
            "image": (self.image.is_some() || self.caption.is_some())
                .then(|| serde_json::json!({"url": self.image.as_ref().map(|i| i.url.as_str()), "caption": self.caption})),
            "categories": self.categories,
            "content_html": self.content_html,
            "content_text": self.content_text,
        })
    }
}

/// The identity of an article: its canonical URL without scheme or port, so the same article
/// over http and https, or through a moved port, stays one item.
pub fn identity_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.query() {
        Some(q) => format!("{host}{}?{q}", url.path()),
        None => format!("{host}{}", url.path()),
    }
}

/// Query keys that identified an article alone under the rule before lists were kept.
const LEGACY_ID_KEYS: [&str; 4] = ["itemid", "id", "newsid", "articleid"];

/// The identity an article had before canonical URLs kept every identifying parameter (only
/// its id parameter, e.g. `ItemID`, was kept then), when that differs from today's: stores
/// written then hold it under this key. `canonical` is a canonical URL.
pub fn legacy_identity_key(canonical: &Url) -> Option<String> {
    let pairs: Vec<(String, String)> = canonical.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if pairs.len() < 2 {
        return None;
    }
    let (key, value) =
        pairs.iter().find(|(k, v)| LEGACY_ID_KEYS.contains(&k.to_ascii_lowercase().as_str()) && !v.is_empty())?;
    let mut legacy = canonical.clone();
    legacy.query_pairs_mut().clear().append_pair(key, value);
    Some(identity_key(&legacy))
}

/// An article as the store keeps and feeds publish it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// Permanent id (RSS `guid`, Atom `id`): a `tag:` URI minted once from the canonical URL.
    pub guid: String,
    pub article: Article,
    /// The publication time as stored: the page's date, or the first-seen time when it had none.
    pub published: DateTime<FixedOffset>,
    /// Last time the stored content changed (equals `published` until an edit is seen).
    pub updated: DateTime<FixedOffset>,
}

/// The output formats a feed is published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    /// File extension and URL suffix.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == ext)
    }

    /// The media type without parameters, as `<link rel="alternate" type>` and OPML want it.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Json => "application/feed+json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Rss => "RSS",
            Format::Atom => "Atom",
            Format::Json => "JSON Feed",
        }
    }
}

/// What a published feed says about itself: everything but its items.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    /// The feed's path under `/feeds/`, without extension: `backan`, `backan/tin-tuc`, `all`.
    pub path: String,
    pub title: String,
    pub description: String,
    /// The portal's home page (RSS `link`, Atom `rel="alternate"`).
    pub site: Url,
    /// Where this feed is served; `{self_base}feeds/{path}.{ext}` is its self link.
    pub self_base: Url,
    /// Minutes a reader may cache the feed (RSS `ttl`), from the source's schedule.
    pub ttl_minutes: u32,
    /// Atom needs an `updated` even for a feed with no items yet.
    pub empty_updated: DateTime<FixedOffset>,
}

/// Which page of a feed's history a document is (RFC 5005 paged feeds): page 1 is the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    /// Older items exist beyond this page.
    pub has_next: bool,
}

impl Paging {
    pub const FIRST_ONLY: Paging = Paging { page: 1, has_next: false };
}

impl FeedMeta {
    /// The URL of page `page` of this feed in `format`.
    pub fn url(&self, format: Format, page: u32) -> String {
        let base = self.self_base.as_str().trim_end_matches('/');
        let mut url = format!("{base}/feeds/{}.{}", self.path, format.extension());
        if page > 1 {
            url.push_str(&format!("?page={page}"));
        }
        url
    }

    /// Where the stylesheet that shows XML feeds to people in a browser is served.
    pub fn stylesheet_url(&self) -> String {
        format!("{}/feed.xsl", self.self_base.as_str().trim_end_matches('/'))
    }
}

/// A URL path segment from a category name: "Tin tức - Sự kiện" → "tin-tuc-su-kien".
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if ('\u{300}'..='\u{36f}').contains(&c) => continue,
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use url::Url;

    #[test]
    fn the_legacy_identity_is_the_id_alone() {
        let legacy = |u: &str| super::legacy_identity_key(&Url::parse(u).unwrap());
        assert_eq!(
            legacy("https://yenbai.gov.vn/pages/a.aspx?ItemID=1061&l=Tinhoatdong").as_deref(),
            Some("yenbai.gov.vn/pages/a.aspx?ItemID=1061")
        );
        assert_eq!(legacy("https://yenbai.gov.vn/pages/a.aspx?ItemID=1061"), None, "nothing changed");
        assert_eq!(legacy("https://example.vn/a.html?a=1&b=2"), None, "no id: the old rule kept every parameter too");
    }

    #[test]
    fn slugs_drop_diacritics() {
        assert_eq!(super::slug("Tin tức - Sự kiện"), "tin-tuc-su-kien");
        assert_eq!(super::slug("  Đời sống & Xã hội! "), "doi-song-xa-hoi");
    }
}
