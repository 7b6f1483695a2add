//! Page → article links and [`Article`]s. Pure functions: no network, database or clock, so
//! every rule here is tested on saved pages alone.

pub mod clean;
pub mod date;
mod publishing_portal;

use chrono::{DateTime, FixedOffset};
use url::Url;

use crate::config::{Profile, Selectors};
use crate::model::{Article, Page};

pub use clean::canonical_url;

/// Why a page gave no article. A page that stopped matching its profile is an error with the
/// field and the reason, never an article with an empty field.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// A required field (title or body) was not found.
    #[error("no {field}: {reason}")]
    Missing { field: &'static str, reason: String },
}

/// What a list page offers: links to articles, and links to more list pages.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    /// Article links in page order, canonical and without duplicates.
    pub links: Vec<ListLink>,
    /// Other pages of the same list (`?Page=N`), absolute.
    pub pages: Vec<Url>,
}

/// One article as a list page shows it; the list's date and lead are fallbacks for the
/// article page's own.
#[derive(Debug, Clone, PartialEq)]
pub struct ListLink {
    pub url: Url,
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub summary: Option<String>,
}

/// Reads a list page with `profile`.
pub fn list(profile: Profile, selectors: &Selectors, page: &Page) -> ListPage {
    match profile {
        Profile::PublishingPortal => publishing_portal::list(page, selectors),
    }
}

/// Reads an article page with `profile`; `listed` is what the list page said of it.
pub fn article(
    profile: Profile,
    selectors: &Selectors,
    page: &Page,
    listed: Option<&ListLink>,
) -> Result<Article, ExtractError> {
    let mut article = match profile {
        Profile::PublishingPortal => publishing_portal::article(page, selectors)?,
    };
    if let Some(listed) = listed {
        article.published = article.published.or(listed.published);
        article.summary = article.summary.or_else(|| listed.summary.clone());
    }
    Ok(article)
}
