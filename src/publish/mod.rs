//! Feed items → feed documents. Pure: the same items give the same bytes, so a feed's ETag only
//! changes when its content does (no render time anywhere in the output).

mod atom;
mod rss;

use chrono::{DateTime, FixedOffset};

use crate::model::{FeedItem, FeedMeta, Format, xml_safe};

/// Why a feed could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The RSS writer failed (it only fails on I/O, which a `Vec` never has).
    #[error("cannot write RSS: {0}")]
    Rss(#[from] ::rss::Error),
    /// The Atom writer failed.
    #[error("cannot write Atom: {0}")]
    Atom(#[from] ::atom_syndication::Error),
}

/// Renders `items` (newest first) as a complete document in `format`.
pub fn render(format: Format, meta: &FeedMeta, items: &[FeedItem]) -> Result<Vec<u8>, PublishError> {
    match format {
        Format::Rss => rss::render(meta, items),
        Format::Atom => atom::render(meta, items),
    }
}

const GENERATOR: &str = concat!("bantin ", env!("CARGO_PKG_VERSION"));

/// The feed's last change: its newest item's update, so re-rendering unchanged items changes
/// nothing.
fn last_change(meta: &FeedMeta, items: &[FeedItem]) -> DateTime<FixedOffset> {
    items.iter().map(|i| i.updated).max().unwrap_or(meta.empty_updated)
}

/// The full HTML of an item: its lead image and caption as a figure, then the body.
fn content_html(item: &FeedItem) -> String {
    let a = &item.article;
    let mut html = String::new();
    if let Some(image) = &a.image {
        let caption = a.caption.as_deref().unwrap_or_default();
        html.push_str(&format!("<figure><img src=\"{}\" alt=\"{}\">", escape(image.url.as_str()), escape(caption)));
        if !caption.is_empty() {
            html.push_str(&format!("<figcaption>{}</figcaption>", escape(caption)));
        }
        html.push_str("</figure>\n");
    }
    html.push_str(&a.content_html);
    if let Some(author) = &a.author {
        html.push_str(&format!("\n<p><strong>{}</strong></p>", escape(author)));
    }
    xml_safe(&html)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests;
