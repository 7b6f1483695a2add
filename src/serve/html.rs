//! The pages people read in a browser: the index (latest articles, then every feed), a page per
//! feed and history page, a page per article. Vietnamese first, English when the browser prefers
//! it; dates `dd/mm/yyyy HH:MM` in Vietnam time; one inline stylesheet, no external asset; a
//! subscribe box on every page. Templates are in `templates/` (askama: compiled in, escaping
//! by default).

use askama::Template;
use axum::http::{HeaderMap, header};
use chrono::{DateTime, FixedOffset};

use super::catalog::Published;
use crate::model::{FeedItem, FeedMeta, Format, vietnam};

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    /// English only when `Accept-Language` prefers it to Vietnamese (RFC 9110 §12.5.4);
    /// Vietnamese otherwise, and when neither is named.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let weight = |wanted: &str| {
            weighted(accept)
                .filter(|(range, _)| {
                    range.eq_ignore_ascii_case(wanted)
                        || range.len() > wanted.len()
                            && range[..wanted.len()].eq_ignore_ascii_case(wanted)
                            && range.as_bytes()[wanted.len()] == b'-'
                })
                .map(|(_, q)| q)
                .fold(None, |best: Option<f32>, q| Some(best.map_or(q, |b| b.max(q))))
        };
        match (weight("en"), weight("vi")) {
            (Some(en), Some(vi)) if en > vi => Lang::En,
            (Some(en), None) if en > 0.0 => Lang::En,
            _ => Lang::Vi,
        }
    }

    fn texts(self) -> &'static Texts {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }
}

/// `(value, q)` of each element of a header like `Accept` or `Accept-Language`.
pub fn weighted(header: &str) -> impl Iterator<Item = (&str, f32)> {
    header.split(',').filter_map(|part| {
        let mut fields = part.split(';').map(str::trim);
        let value = fields.next().filter(|v| !v.is_empty())?;
        let q = fields
            .find_map(|f| f.strip_prefix("q=").or_else(|| f.strip_prefix("Q=")))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
        Some((value, q))
    })
}

/// Whether a request to a feed URL is a person's browser: it names `text/html` and prefers it
/// to every feed and XML type (each weighed by its own entry, else `application/*`, else
/// `*/*`). Feed readers never name HTML first; a bare `*/*` is not a browser.
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let entries: Vec<(String, f32)> = weighted(accept).map(|(v, q)| (v.to_ascii_lowercase(), q)).collect();
    let find = |t: &str| entries.iter().find(|(v, _)| v == t).map(|(_, q)| *q);
    let Some(html) = find("text/html") else { return false };
    let feed_types = [
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/xml",
        "text/xml",
        "application/rdf+xml",
    ];
    let feed = feed_types
        .iter()
        .map(|t| {
            let family = if t.starts_with("text/") { "text/*" } else { "application/*" };
            find(t).or_else(|| find(family)).or_else(|| find("*/*")).unwrap_or(0.0)
        })
        .fold(0.0, f32::max);
    html > 0.0 && html > feed
}

/// Every fixed text of the pages, in one language.
struct Texts {
    lang: &'static str,
    skip: &'static str,
    intro: &'static str,
    latest: &'static str,
    feeds: &'static str,
    subscribe: &'static str,
    what_is_a_feed: &'static str,
    copy: &'static str,
    copied: &'static str,
    no_items: &'static str,
    newer: &'static str,
    older: &'static str,
    pages: &'static str,
    page: &'static str,
    original: &'static str,
    author: &'static str,
    in_feeds: &'static str,
    articles: &'static str,
    articles_heading: &'static str,
    newest: &'static str,
    footer: &'static str,
    all_sources: &'static str,
}

static VI: Texts = Texts {
    lang: "vi",
    skip: "Bỏ qua, đến nội dung chính",
    intro: "Tin tức từ các cổng thông tin điện tử, cập nhật tự động. Đọc ngay tại đây, hoặc theo dõi bằng ứng dụng đọc tin.",
    latest: "Tin mới nhất",
    feeds: "Các kênh tin",
    subscribe: "Theo dõi",
    what_is_a_feed: "Kênh tin (RSS, Atom, JSON Feed) đưa bài mới đến ứng dụng đọc tin của bạn ngay khi có, không cần vào lại trang. Sao chép một địa chỉ dưới đây và dán vào ứng dụng đọc tin (Feedly, Inoreader, NetNewsWire, Thunderbird…).",
    copy: "Sao chép",
    copied: "Đã chép",
    no_items: "Chưa có bài nào.",
    newer: "Bài mới hơn",
    older: "Bài cũ hơn",
    pages: "Các trang",
    page: "Trang",
    original: "Xem bài gốc trên cổng thông tin",
    author: "Tác giả",
    in_feeds: "Có trong các kênh tin",
    articles: "bài",
    articles_heading: "Bài viết",
    newest: "mới nhất",
    footer: "Tạo bởi bantin",
    all_sources: "Tất cả các nguồn",
};

static EN: Texts = Texts {
    lang: "en",
    skip: "Skip to the content",
    intro: "News from the portals, updated automatically. Read it here, or follow it in a feed reader.",
    latest: "Latest news",
    feeds: "Feeds",
    subscribe: "Subscribe",
    what_is_a_feed: "A feed (RSS, Atom, JSON Feed) brings new articles to your feed reader as soon as they appear, without visiting the site again. Copy an address below into a feed reader (Feedly, Inoreader, NetNewsWire, Thunderbird…).",
    copy: "Copy",
    copied: "Copied",
    no_items: "No articles yet.",
    newer: "Newer articles",
    older: "Older articles",
    pages: "Pages",
    page: "Page",
    original: "Read it on the portal",
    author: "Author",
    in_feeds: "In these feeds",
    articles: "articles",
    articles_heading: "Articles",
    newest: "latest",
    footer: "Made by bantin",
    all_sources: "All sources",
};

/// What every page has around its content.
struct Frame {
    t: &'static Texts,
    title: String,
    site_title: String,
    home: String,
    opml: String,
    icon: Option<String>,
    alternates: Vec<Link>,
    subscribe: Vec<Link>,
}

#[derive(Clone)]
struct Link {
    label: String,
    href: String,
    media_type: &'static str,
    title: String,
}

/// An item as the lists show it.
struct ItemView {
    title: String,
    /// Its page here.
    page: String,
    /// Its page on the portal.
    link: String,
    source: Option<String>,
    date: String,
    iso: String,
    lead: Option<String>,
    thumb: Option<String>,
}

/// One feed's line on the index.
struct LineView {
    title: String,
    page: String,
    summary: String,
    formats: Vec<Link>,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    frame: Frame,
    items: Vec<ItemView>,
    lines: Vec<LineView>,
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage {
    frame: Frame,
    feed_title: String,
    description: String,
    page: u32,
    page_label: String,
    items: Vec<ItemView>,
    newer: Option<String>,
    older: Option<String>,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    frame: Frame,
    item: ItemView,
    source_page: String,
    author: Option<String>,
    image: Option<String>,
    image_alt: String,
    caption: Option<String>,
    body: String,
    in_feeds: Vec<Link>,
}

/// What the pages need to know of the whole site.
pub struct Site<'a> {
    pub title: &'a str,
    /// `public_url` without its trailing slash.
    pub base: &'a str,
    pub catalog: &'a [Published],
    /// Each feed's icon, by path.
    pub icons: &'a std::collections::HashMap<String, url::Url>,
}

impl Site<'_> {
    /// The frame of a page about `feed` (its formats to subscribe to and to discover), or on
    /// the index about every feed (the feed of all sources to subscribe to).
    fn frame(&self, lang: Lang, title: String, feed: Option<&Published>) -> Frame {
        let t = lang.texts();
        let all = self.catalog.iter().find(|f| f.path == crate::config::ALL_FEEDS);
        let subscribe: Vec<Link> = feed.or(all).map(|f| self.formats(f, &self.feed_title(f, t))).unwrap_or_default();
        let discovered: Vec<&Published> = match feed {
            Some(feed) => vec![feed],
            None => self.catalog.iter().collect(),
        };
        let alternates = discovered.iter().flat_map(|f| self.formats(f, &f.title)).collect();
        Frame {
            t,
            title,
            site_title: self.title.to_string(),
            home: format!("{}/", self.base),
            opml: format!("{}/opml", self.base),
            icon: feed.and_then(|f| self.icons.get(&f.path)).map(url::Url::to_string),
            alternates,
            subscribe,
        }
    }

    /// `feed` in each format, labelled `Title (RSS)`.
    fn formats(&self, feed: &Published, title: &str) -> Vec<Link> {
        Format::ALL
            .iter()
            .map(|f| Link {
                label: f.label().to_string(),
                href: format!("{}/feeds/{}.{}", self.base, feed.path, f.extension()),
                media_type: f.media_type(),
                title: format!("{title} ({})", f.label()),
            })
            .collect()
    }

    fn feed_title(&self, feed: &Published, t: &Texts) -> String {
        if feed.path == crate::config::ALL_FEEDS { t.all_sources.to_string() } else { feed.title.clone() }
    }

    fn source_title(&self, source: &str) -> Option<String> {
        self.catalog.iter().find(|f| f.path == source).map(|f| f.title.clone())
    }

    fn item(&self, item: &FeedItem, with_source: bool) -> ItemView {
        let a = &item.article;
        ItemView {
            title: a.title.clone(),
            page: format!("{}/articles/{}", self.base, item.number),
            link: a.url.to_string(),
            source: if with_source { self.source_title(&item.source) } else { None },
            date: date(item.published),
            iso: item.published.to_rfc3339(),
            lead: a.summary.clone(),
            thumb: a.image.as_ref().map(|i| i.url.to_string()),
        }
    }
}

/// A date as people here write it: `05/04/2024 08:15`, Vietnam time.
pub fn date(at: DateTime<FixedOffset>) -> String {
    at.with_timezone(&vietnam()).format("%d/%m/%Y %H:%M").to_string()
}

/// One feed's line on the index.
pub struct Line<'a> {
    pub feed: &'a Published,
    pub items: usize,
    pub newest: Option<DateTime<FixedOffset>>,
}

/// The index: the newest articles of every source, then every feed.
pub fn index(site: &Site<'_>, lang: Lang, latest: &[FeedItem], lines: &[Line<'_>]) -> Result<String, askama::Error> {
    let t = lang.texts();
    let lines = lines
        .iter()
        .map(|line| {
            let newest = line.newest.map_or_else(|| t.no_items.to_string(), |n| format!("{} {}", t.newest, date(n)));
            let title = site.feed_title(line.feed, t);
            LineView {
                page: format!("{}/feeds/{}.rss", site.base, line.feed.path),
                summary: format!("{} {} · {newest}", line.items, t.articles),
                formats: site.formats(line.feed, &title),
                title,
            }
        })
        .collect();
    IndexPage {
        frame: site.frame(lang, site.title.to_string(), None),
        items: latest.iter().map(|i| site.item(i, true)).collect(),
        lines,
    }
    .render()
}

/// Page `page` of a feed.
pub fn feed(
    site: &Site<'_>,
    lang: Lang,
    feed: &Published,
    meta: &FeedMeta,
    page: u32,
    items: &[FeedItem],
    has_next: bool,
) -> Result<String, askama::Error> {
    let t = lang.texts();
    let page_url = |n: u32| meta.url(Format::Rss, n);
    let merged = feed.query.sources.len() > 1;
    let title = if page > 1 { format!("{} · {} {page}", feed.title, t.page) } else { feed.title.clone() };
    FeedPage {
        frame: site.frame(lang, format!("{title} · {}", site.title), Some(feed)),
        feed_title: feed.title.clone(),
        description: feed.description.clone(),
        page,
        page_label: format!("{} {page}", t.page),
        items: items.iter().map(|i| site.item(i, merged)).collect(),
        newer: (page > 1).then(|| page_url(page - 1)),
        older: has_next.then(|| page_url(page + 1)),
    }
    .render()
}

/// An article's own page: the whole body, where it came from and which feeds carry it.
pub fn article(site: &Site<'_>, lang: Lang, item: &FeedItem) -> Result<String, askama::Error> {
    let t = lang.texts();
    let a = &item.article;
    let source = site.catalog.iter().find(|f| f.path == item.source);
    let in_feeds = site
        .catalog
        .iter()
        .filter(|f| f.shows(&item.source))
        .filter(|f| f.query.category.as_ref().is_none_or(|c| a.categories.contains(c)))
        .map(|f| {
            let title = site.feed_title(f, t);
            Link {
                href: format!("{}/feeds/{}.rss", site.base, f.path),
                media_type: Format::Rss.media_type(),
                label: title.clone(),
                title,
            }
        })
        .collect();
    ArticlePage {
        frame: site.frame(lang, format!("{} · {}", a.title, site.title), source),
        item: site.item(item, true),
        source_page: source.map(|f| format!("{}/feeds/{}.rss", site.base, f.path)).unwrap_or_default(),
        author: a.author.clone(),
        image: a.image.as_ref().map(|i| i.url.to_string()),
        image_alt: a.caption.clone().unwrap_or_else(|| a.title.clone()),
        caption: a.caption.clone(),
        // Sanitized when it was extracted (an allow-list of tags, absolute links).
        body: a.content_html.clone(),
        in_feeds,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }

    #[test]
    fn browsers_get_html_and_feed_readers_the_feed() {
        let html = |accept: &str| prefers_html(&headers(header::ACCEPT, accept));
        // Chromium, Firefox, Safari navigating.
        assert!(html(
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
        ));
        assert!(html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        assert!(html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        // feedcheck, feedparser, a reader naming HTML last, a bare wildcard, nothing.
        assert!(!html(
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, application/json;q=0.9, */*;q=0.8"
        ));
        assert!(!html(
            "application/atom+xml,application/rdf+xml,application/rss+xml,application/x-netcdf,application/xml;q=0.9,text/xml;q=0.2,*/*;q=0.1"
        ));
        assert!(!html("application/rss+xml, text/html;q=0.5"));
        assert!(!html("text/html, application/rss+xml"));
        assert!(!html("*/*"));
        assert!(!html(""));
    }

    #[test]
    fn english_only_when_preferred() {
        let lang = |accept: &str| Lang::from_headers(&headers(header::ACCEPT_LANGUAGE, accept));
        assert_eq!(lang("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7"), Lang::Vi);
        assert_eq!(lang("en;q=0.5, vi"), Lang::Vi);
        assert_eq!(lang("fr-FR"), Lang::Vi);
        assert_eq!(lang("english"), Lang::Vi, "a range is a tag, not a prefix");
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Vi);
    }
}
