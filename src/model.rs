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
    /// The article's link. For portal pages the canonical URL ([`canonical_url`]); for other
    /// sites and feeds the link as given, tracking parameters dropped ([`tidy_url`]).
    pub url: Url,
    /// The source's own id for it: a feed item's `guid` or Atom `id`. Identity when present:
    /// feeds reuse one link for many items (a podcast's home page).
    pub id: Option<String>,
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
    /// The article's identity within its source: its id when it has one, else its link.
    pub fn key(&self) -> String {
        article_key(&self.url, self.id.as_deref())
    }

    /// The article as `bantin extract` prints it and the extraction snapshots record it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "url": self.url.as_str(),
            "id": self.key(),
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

/// Query keys that only track who shared a link (`utm_*` too): campaign tags, click ids, Zalo's
/// share tags (common on Vietnamese sites). Dropped from every link bantin keeps.
const TRACKING_KEYS: [&str; 6] = ["fbclid", "gclid", "msclkid", "zarsrc", "gidzl", "mc_eid"];

/// On a SharePoint portal, also query keys that say nothing about which article a link
/// reaches: the `Source=` back-link and dialog flag, paging, mobile views.
const PORTAL_NOISE_KEYS: [&str; 5] = ["source", "page", "isdlg", "mobile", "mobileview"];

fn is_tracking(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("utm_") || TRACKING_KEYS.contains(&key.as_str())
}

/// A link as a site or feed gave it, without its tracking parameters. Nothing else changes:
/// paths are case-sensitive on most servers, and `?rss` is not `?rss=`.
pub fn tidy_url(url: &Url) -> Url {
    let Some(query) = url.query() else { return url.clone() };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            let key = url::form_urlencoded::parse(key.as_bytes())
                .next()
                .map_or_else(|| key.to_string(), |(k, _)| k.into_owned());
            !pair.is_empty() && !is_tracking(&key)
        })
        .collect();
    let mut out = url.clone();
    out.set_query((!kept.is_empty()).then(|| kept.join("&")).as_deref());
    out
}

/// Keys written one way whatever the link used: SharePoint's item id and list name (ASP.NET
/// reads query keys case-insensitively, so `itemid=7` and `ItemID=7` are one article).
const SPELLINGS: [&str; 2] = ["ItemID", "l"];

/// A portal article's canonical URL (the `publishing-portal` profile only): no fragment, lower-case path (SharePoint paths are
/// case-insensitive), and the query without its noise, keys in one spelling, sorted. An item
/// id is unique only within its SharePoint list, so the list (`l=`) stays: `?ItemID=7&l=A` and
/// `?ItemID=7&l=B` are two articles, and every link to either gives the same URL.
pub fn canonical_url(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_fragment(None);
    let path = out.path().to_ascii_lowercase();
    out.set_path(&path);
    let mut kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.is_empty() && !is_tracking(&k) && !PORTAL_NOISE_KEYS.contains(&k.as_str())
        })
        .map(|(k, v)| {
            let key =
                SPELLINGS.iter().find(|s| s.eq_ignore_ascii_case(&k)).map_or_else(|| k.into_owned(), |s| s.to_string());
            (key, v.into_owned())
        })
        .collect();
    kept.sort_by(|a, b| a.0.to_ascii_lowercase().cmp(&b.0.to_ascii_lowercase()).then_with(|| a.cmp(b)));
    kept.dedup();
    if kept.is_empty() {
        out.set_query(None);
    } else {
        out.query_pairs_mut().clear().extend_pairs(kept);
    }
    out
}

/// The identity within its source of the article at `url` with the source's own `id` for it.
pub fn article_key(url: &Url, id: Option<&str>) -> String {
    match id {
        // `:` cannot follow a host in a link's key: the two kinds never meet.
        Some(id) => format!("id:{id}"),
        None => identity_key(url),
    }
}

/// The identity of an article: its canonical URL without scheme or port, so the same article
/// over http and https, or through a moved port, stays one item.
pub fn identity_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let mut key = format!("{host}{}", url.path());
    if let Some(query) = url.query() {
        key = format!("{key}?{query}");
    }
    // Canonical URLs have none; a feed's `…/#/article/7` links are one app's distinct pages.
    if let Some(fragment) = url.fragment() {
        key = format!("{key}#{fragment}");
    }
    key
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
    /// The store's number for it: its page is `/articles/{number}`.
    pub number: i64,
    /// The source it was read from.
    pub source: String,
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
    /// A small square image (RSS `image` when there is no logo, Atom `icon`, JSON `favicon`).
    pub icon: Option<Url>,
    /// A larger one (RSS `image`, Atom `logo`, JSON `icon`).
    pub logo: Option<Url>,
    /// WebSub hubs to name (`rel="hub"`, JSON Feed `hubs`).
    pub hubs: Vec<String>,
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
    fn canonical_url_drops_noise_and_keeps_the_list() {
        let c = |u: &str| super::canonical_url(&Url::parse(u).unwrap()).to_string();
        let want = "https://backan.gov.vn/pages/chi-tiet-tin-tuc.aspx?ItemID=12345";
        assert_eq!(
            c("https://BACKAN.gov.vn/Pages/Chi-Tiet-Tin-Tuc.aspx?itemid=12345&Source=%2FPages%2Fx.aspx#top"),
            want
        );
        assert_eq!(c("https://backan.gov.vn/Pages/chi-tiet-tin-tuc.aspx?utm_source=fb&ItemID=12345&zarsrc=30"), want);
        assert_eq!(
            c("https://example.vn/news/a-b.html?utm_medium=x&b=2&a=1"),
            "https://example.vn/news/a-b.html?a=1&b=2"
        );
        assert_eq!(c("https://example.vn/news/a-b.html?fbclid=zz"), "https://example.vn/news/a-b.html");
        // An item id is unique within its list only: the list stays, in one spelling and order.
        let list_a = "https://yenbai.gov.vn/noidung/tintuc/pages/chi-tiet-tin-tuc.aspx?ItemID=1061&l=Tinhoatdong";
        for link in [
            "https://yenbai.gov.vn/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?l=Tinhoatdong&ItemID=1061",
            "https://yenbai.gov.vn/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?ItemID=1061&l=Tinhoatdong",
            "https://yenbai.gov.vn/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?itemId=1061&L=Tinhoatdong&Source=x&IsDlg=1",
        ] {
            assert_eq!(c(link), list_a, "{link}");
        }
        assert_ne!(
            c("https://yenbai.gov.vn/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?ItemID=1061&l=ThongBao"),
            list_a
        );
        assert_eq!(
            c("https://yenbai.gov.vn/a.aspx?l=Tin%20t%E1%BB%A9c&ItemID=1"),
            "https://yenbai.gov.vn/a.aspx?ItemID=1&l=Tin+t%E1%BB%A9c"
        );
    }

    #[test]
    fn tidy_urls_lose_tracking_only() {
        let t = |u: &str| super::tidy_url(&Url::parse(u).unwrap()).to_string();
        assert_eq!(
            t("https://x.example/Video/AbC123?rss&utm_source=feed&b=2#c"),
            "https://x.example/Video/AbC123?rss&b=2#c"
        );
        assert_eq!(t("https://x.example/a?fbclid=1"), "https://x.example/a");
        assert_eq!(t("https://x.example/a?q=%C3%A1&UTM_Medium=x"), "https://x.example/a?q=%C3%A1");
    }
    #[test]
    fn slugs_drop_diacritics() {
        assert_eq!(super::slug("Tin tức - Sự kiện"), "tin-tuc-su-kien");
        assert_eq!(super::slug("  Đời sống & Xã hội! "), "doi-song-xa-hoi");
    }
}
