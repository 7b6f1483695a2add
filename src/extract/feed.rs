//! RSS and Atom sources, read with the `rss` and `atom_syndication` parsers and normalized into
//! the same [`Article`] as scraped pages, with the same identity and date rules. Tolerant of
//! what real feeds do: links in CDATA with spaces, relative links, HTML in titles, local-time or
//! missing dates, duplicate guids, a declared legacy encoding.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use url::Url;

use super::dom::text_of;
use super::{ExtractError, clean, date};
use crate::config::Rules;
use crate::model::{Article, Image, Page};

/// Every item of the feed in `page`, newest first as the feed lists them, each URL once.
pub fn articles(page: &Page, rules: &Rules) -> Result<Vec<Article>, ExtractError> {
    // The text is already decoded; a declaration naming the old encoding would mislead the parser.
    let xml = utf8_declaration(&page.html);
    let trimmed = xml.trim_start_matches('\u{feff}').trim_start();
    let mut seen = HashSet::new();
    let articles: Vec<Article> = if let Ok(channel) = rss::Channel::read_from(trimmed.as_bytes()) {
        let base = Url::parse(channel.link().trim()).ok().map(|l| page.url.join(l.as_str()).unwrap_or(l));
        let base = base.unwrap_or_else(|| page.url.clone());
        channel.items().iter().filter_map(|item| rss_item(item, &base, rules)).collect()
    } else if let Ok(feed) = atom_syndication::Feed::read_from(trimmed.as_bytes()) {
        let base = feed.base().and_then(|b| page.url.join(b).ok()).unwrap_or_else(|| page.url.clone());
        feed.entries().iter().filter_map(|entry| atom_entry(entry, &base)).collect()
    } else {
        return Err(ExtractError::Missing { field: "items", reason: "neither an RSS nor an Atom document".into() });
    };
    // Duplicate guids and repeated items: the first listing of a URL wins.
    Ok(articles.into_iter().filter(|a| seen.insert(a.url.clone())).collect())
}

fn rss_item(item: &rss::Item, base: &Url, rules: &Rules) -> Option<Article> {
    let guid_link = item.guid().filter(|g| g.is_permalink()).map(|g| g.value());
    let url = absolute(item.link().or(guid_link)?, base)?;
    let title = plain(item.title()?);
    if title.is_empty() {
        return None;
    }
    let body_html = item.content().or(item.description()).unwrap_or_default();
    let image = item.enclosure().filter(|e| e.mime_type().starts_with("image/")).and_then(|e| {
        Some(Image { url: absolute(e.url(), &url)?, length: e.length().parse().ok(), mime: Some(e.mime_type().into()) })
    });
    let author = item
        .dublin_core_ext()
        .and_then(|dc| dc.creators().first().cloned())
        .or_else(|| item.author().map(str::to_string))
        .map(|a| clean::text(&a))
        .filter(|a| !a.is_empty());
    Some(Article {
        url: clean::canonical_url(&url),
        published: item.pub_date().and_then(|d| parse_date(d, rules)),
        summary: item.description().map(plain).filter(|s| !s.is_empty()),
        author,
        image,
        caption: None,
        categories: item.categories().iter().map(|c| clean::text(c.name())).filter(|c| !c.is_empty()).collect(),
        content_html: clean::html(body_html, &url),
        content_text: plain(body_html),
        title,
    })
}

fn atom_entry(entry: &atom_syndication::Entry, base: &Url) -> Option<Article> {
    let link =
        entry.links().iter().find(|l| l.rel() == "alternate").or_else(|| entry.links().first()).map(|l| l.href())?;
    let url = absolute(link, base)?;
    let title = plain(entry.title().as_str());
    if title.is_empty() {
        return None;
    }
    let body_html = entry.content().and_then(|c| c.value()).or(entry.summary().map(|s| s.as_str())).unwrap_or_default();
    let published: DateTime<FixedOffset> = entry.published().copied().unwrap_or(*entry.updated());
    Some(Article {
        url: clean::canonical_url(&url),
        published: Some(published),
        summary: entry.summary().map(|s| plain(s.as_str())).filter(|s| !s.is_empty()),
        author: entry.authors().first().map(|a| clean::text(a.name())).filter(|a| !a.is_empty()),
        image: None,
        caption: None,
        categories: entry.categories().iter().map(|c| clean::text(c.term())).filter(|c| !c.is_empty()).collect(),
        content_html: clean::html(body_html, &url),
        content_text: plain(body_html),
        title,
    })
}

/// A link as feeds write it: trimmed (CDATA keeps the spaces around it), made absolute.
fn absolute(link: &str, base: &Url) -> Option<Url> {
    let url = base.join(link.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// Text of a field that may hold HTML (titles often do), entities decoded, NFC.
fn plain(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(&super::dom::bound(html));
    clean::text(&text_of(fragment.root_element()))
}

/// RFC 822, RFC 3339, or the site's own (day-first, local time) format.
fn parse_date(text: &str, rules: &Rules) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    DateTime::parse_from_rfc2822(text)
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .or_else(|| date::by_rules(text, &rules.date_formats, rules.timezone))
}

/// The document with its XML declaration saying UTF-8, which the decoded text now is.
fn utf8_declaration(xml: &str) -> std::borrow::Cow<'_, str> {
    let head = xml.trim_start_matches('\u{feff}').trim_start();
    if !head.starts_with("<?xml") {
        return std::borrow::Cow::Borrowed(xml);
    }
    let Some(end) = head.find("?>") else { return std::borrow::Cow::Borrowed(xml) };
    std::borrow::Cow::Owned(format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{}", &head[end + 2..]))
}
