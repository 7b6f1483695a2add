//! Page → article links and [`Article`](crate::model::Article)s. Pure functions: no network, database or clock, so
//! every rule here is tested on saved pages alone.

mod blocks;
mod body;
pub mod clean;
mod css;
pub mod date;
mod dom;
mod dump;
mod feed;
mod icons;
mod links;
mod publishing_portal;
mod score;

use chrono::{DateTime, FixedOffset};
use url::Url;

use crate::config::{Profile, Rules};
use crate::model::{Article, Page};

pub use crate::model::PageRequest;
pub use body::author_name;

pub use dump::is_dump;
pub use feed::FeedItems;
pub use icons::{IconLinks, links as icon_links};

/// Why a page gave no article. A page that stopped matching its profile is an error with the
/// field and the reason, never an article with an empty field.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// A required field (title or body) was not found.
    #[error("no {field}: {reason}")]
    Missing { field: &'static str, reason: String },
    /// The page's best body candidate is no article: mostly links or dated lines (a list page,
    /// a related-news box). Refused rather than published.
    #[error("not an article: {reason}")]
    NotArticle { reason: String },
}

/// An article, and the substantial texts of its page's article blocks that landed in no field
/// and were not dropped as boilerplate with a reason.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub article: Article,
    /// Excerpts of the texts left out (at most a few, each cut short): a warning on the
    /// source, never silent.
    pub unplaced: Vec<String>,
}

/// Texts this long are accounted for: shorter ones are labels, counters and buttons.
const SUBSTANTIAL_CHARS: usize = 40;

/// What of `left` (blocks outside the article's fields and not dropped with a reason) is
/// substantial and appears in no field of `article`, as excerpts.
fn unplaced(article: &Article, left: Vec<blocks::Block>) -> Vec<String> {
    let fields = [Some(&article.title), article.summary.as_ref(), article.caption.as_ref(), article.author.as_ref()];
    left.into_iter()
        .filter(|b| b.chars() >= SUBSTANTIAL_CHARS)
        .filter(|b| !fields.iter().flatten().any(|f| f.contains(b.text.as_str()) || b.text == **f))
        .filter(|b| !article.content_text.contains(b.text.as_str()))
        .take(5)
        .map(|b| {
            let excerpt: String = b.text.chars().take(80).collect();
            if b.chars() > 80 { format!("{excerpt}…") } else { excerpt }
        })
        .collect()
}

/// What a list page offers: links to articles, and the requests for more list pages.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    /// Article links in page order, canonical and without duplicates.
    pub links: Vec<ListLink>,
    /// Other pages of the same list: `?Page=N` links, or ASP.NET postbacks.
    pub pages: Vec<PageRequest>,
}

/// One article as a list page shows it; the list's date and lead are fallbacks for the
/// article page's own.
#[derive(Debug, Clone, PartialEq)]
pub struct ListLink {
    pub url: Url,
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub summary: Option<String>,
    /// The categories of the lists it was found on (set by the caller, from the feed's config).
    pub categories: Vec<String>,
}

/// Reads a list page.
pub fn list(rules: &Rules, page: &Page) -> ListPage {
    match rules.profile {
        Profile::PublishingPortal => publishing_portal::list(page, rules),
        Profile::Css => css::list(page, rules),
        // A feed is not paged through links; its items come from `feed_articles`.
        Profile::Feed => ListPage { links: Vec::new(), pages: Vec::new() },
    }
}

/// The items of an RSS, Atom or JSON Feed document as articles.
pub fn feed_articles(rules: &Rules, page: &Page) -> Result<FeedItems, ExtractError> {
    let mut items = feed::articles(page, rules)?;
    items.articles = items.articles.into_iter().map(|a| within_limits(a, rules)).collect();
    Ok(items)
}

/// Reads an article page, or a PublishingPortal text dump; `listed` is what the list page said
/// of it.
pub fn article(rules: &Rules, page: &Page, listed: Option<&ListLink>) -> Result<Extracted, ExtractError> {
    let Extracted { mut article, unplaced } = match rules.profile {
        Profile::PublishingPortal if dump::is_dump(&page.html) => dump::article(page)?,
        Profile::PublishingPortal => publishing_portal::article(page, rules)?,
        Profile::Css => css::article(page, rules)?,
        Profile::Feed => Extracted {
            article: feed::articles(page, rules)?
                .articles
                .into_iter()
                .find(|a| crate::model::identity_key(&a.url) == crate::model::identity_key(&page.url))
                .ok_or_else(|| ExtractError::Missing {
                    field: "item",
                    reason: format!("no item links to {}", page.url),
                })?,
            unplaced: Vec::new(),
        },
    };
    if let Some(listed) = listed {
        article.published = article.published.or(listed.published);
        article.summary = article.summary.or_else(|| listed.summary.clone());
        article.categories = listed.categories.clone();
    }
    Ok(Extracted { article: within_limits(article, rules), unplaced })
}

/// The article with its title and body cut to the feed's limits: a page can hold a 100 KB
/// heading or megabytes of body, and every feed document would carry them.
fn within_limits(mut article: Article, rules: &Rules) -> Article {
    if article.title.chars().count() > rules.max_title_chars {
        tracing::warn!(url = %article.url, chars = article.title.chars().count(), "title cut to the limit");
        article.title = article.title.chars().take(rules.max_title_chars.saturating_sub(1)).collect::<String>() + "…";
    }
    if article.content_html.len() > rules.max_body_bytes {
        tracing::warn!(url = %article.url, bytes = article.content_html.len(), "body cut to the limit");
        let html = &article.content_html;
        let cut = html.floor_char_boundary(rules.max_body_bytes);
        // At the end of the last whole paragraph, then through the sanitizer, which closes
        // whatever the cut left open.
        let cut = html[..cut].rfind("</p>").map_or(cut, |p| p + 4);
        article.content_html = clean::html(&html[..cut], &article.url) + "\n<p>…</p>";
        let text = &article.content_text;
        let cut = text.floor_char_boundary(rules.max_body_bytes);
        let cut = text[..cut].rfind("\n\n").unwrap_or(cut);
        article.content_text = format!("{}\n\n…", &text[..cut]);
    }
    article
}
