//! JSON Feed 1.0 and 1.1 (<https://jsonfeed.org/version/1.1>).

use serde_json::Value;

use super::{ExtractError, MAX_ID_CHARS, absolute, article, date, escape_html, image};
use crate::config::Rules;
use crate::model::{Article, Page};

pub fn articles(text: &str, page: &Page, rules: &Rules) -> Result<Vec<Article>, ExtractError> {
    let not_feed = |reason: String| ExtractError::Missing { field: "items", reason };
    let feed: Value = serde_json::from_str(text).map_err(|e| not_feed(format!("not JSON: {e}")))?;
    let items = feed
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| not_feed("a JSON document without `items`".into()))?;
    // Relative links resolve against the feed's own URL, then the document's.
    let base = feed
        .get("feed_url")
        .and_then(Value::as_str)
        .and_then(|u| absolute(u, &page.url))
        .unwrap_or_else(|| page.url.clone());
    Ok(items
        .iter()
        .filter_map(|item| {
            let link = text_of(item, "url").or(text_of(item, "external_url")).and_then(|u| absolute(u, &base))?;
            // Ids may be numbers in feeds written against 1.0.
            let id = match item.get("id") {
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }
            .filter(|id| !id.is_empty() && id.chars().count() <= MAX_ID_CHARS);
            let body = text_of(item, "content_html")
                .map(str::to_string)
                .or_else(|| text_of(item, "content_text").map(|t| escape_html(t).replace('\n', "<br>\n")));
            let published = ["date_published", "date_modified"]
                .iter()
                .find_map(|key| date::parse(text_of(item, key)?, rules.timezone));
            let authors = item.get("authors").and_then(Value::as_array).and_then(|a| a.first()).or(item.get("author"));
            let author = authors.and_then(|a| text_of(a, "name")).map(super::person);
            let image = ["image", "banner_image"].iter().find_map(|key| image(text_of(item, key)?, None, None, &base));
            let categories = item
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(Value::as_str).map(super::clean::text).collect())
                .unwrap_or_default();
            let title = text_of(item, "title").map(super::plain);
            let summary = text_of(item, "summary").map(str::to_string);
            article(link, id, title, published, summary, body, author, image, categories)
        })
        .collect())
}

fn text_of<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}
