//! Feed items → feed documents. Pure: the same items give the same bytes, so a feed's ETag only
//! changes when its content does (no render time anywhere in the output).

mod atom;
mod json;
mod opml;
mod rss;
#[cfg(test)]
mod tests;

use chrono::{DateTime, FixedOffset};

use crate::model::{FeedItem, FeedMeta, Format, Paging, escape_html, xml_safe};

pub use opml::{OpmlEntry, opml};

/// The XSLT that browsers apply to the RSS and Atom documents (served as `/feed.xsl`).
pub const STYLESHEET: &str = include_str!("feed.xsl");

/// Why a feed could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The RSS writer failed (it only fails on I/O, which a `Vec` never has).
    #[error("cannot write RSS: {0}")]
    Rss(#[from] ::rss::Error),
    /// The Atom writer failed.
    #[error("cannot write Atom: {0}")]
    Atom(#[from] ::atom_syndication::Error),
    /// The JSON writer failed.
    #[error("cannot write JSON Feed: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders `items` (newest first) as one page of the feed in `format`.
pub fn render(format: Format, meta: &FeedMeta, items: &[FeedItem], paging: Paging) -> Result<Vec<u8>, PublishError> {
    match format {
        Format::Rss => rss::render(meta, items, paging).map(|xml| with_stylesheet(xml, meta)),
        Format::Atom => atom::render(meta, items, paging).map(|xml| with_stylesheet(xml, meta)),
        Format::Json => json::render(meta, items, paging),
    }
}

const GENERATOR: &str = concat!("bantin ", env!("CARGO_PKG_VERSION"));

/// The feed's last change: its newest item's update, so re-rendering unchanged items changes
/// nothing.
fn last_change(meta: &FeedMeta, items: &[FeedItem]) -> DateTime<FixedOffset> {
    items.iter().map(|i| i.updated).max().unwrap_or(meta.empty_updated)
}

/// RFC 5005 links of a page: (`rel`, URL) for first, previous and next.
fn paging_links(meta: &FeedMeta, format: Format, paging: Paging) -> Vec<(&'static str, String)> {
    let mut links = Vec::new();
    if paging.page > 1 || paging.has_next {
        links.push(("first", meta.url(format, 1)));
    }
    if paging.page > 1 {
        links.push(("previous", meta.url(format, paging.page - 1)));
    }
    if paging.has_next {
        links.push(("next", meta.url(format, paging.page + 1)));
    }
    links
}

/// Adds the `<?xml-stylesheet?>` instruction after the XML declaration: browsers then show a
/// readable page, while feed readers ignore it.
fn with_stylesheet(mut xml: Vec<u8>, meta: &FeedMeta) -> Vec<u8> {
    let pi = format!("\n<?xml-stylesheet type=\"text/xsl\" href=\"{}\"?>", escape_html(&meta.stylesheet_url()));
    let at = xml.windows(2).position(|w| w == b"?>").map_or(0, |p| p + 2);
    xml.splice(at..at, pi.into_bytes());
    xml
}

/// The full HTML of an item: its lead image and caption as a figure, then the body.
fn content_html(item: &FeedItem) -> String {
    let a = &item.article;
    let mut html = String::new();
    if let Some(image) = &a.image {
        let caption = a.caption.as_deref().unwrap_or_default();
        html.push_str(&format!(
            "<figure><img src=\"{}\" alt=\"{}\">",
            escape_html(image.url.as_str()),
            escape_html(caption)
        ));
        if !caption.is_empty() {
            html.push_str(&format!("<figcaption>{}</figcaption>", escape_html(caption)));
        }
        html.push_str("</figure>\n");
    }
    html.push_str(&a.content_html);
    if let Some(author) = &a.author {
        html.push_str(&format!("\n<p><strong>{}</strong></p>", escape_html(author)));
    }
    xml_safe(&html)
}
