//! Which stored items a merged feed shows: its filters (keywords or regexes, categories,
//! authors, age) and the same story from two sources kept once. Pure.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use unicode_normalization::UnicodeNormalization;

use crate::config::Filter;
use crate::model::FeedItem;

/// Whether `item` passes `filter` and is in one of `categories` (any, when empty).
pub fn keep(filter: &Filter, categories: &[String], item: &FeedItem, now: DateTime<FixedOffset>) -> bool {
    let a = &item.article;
    if !categories.is_empty() && !a.categories.iter().any(|c| categories.contains(c)) {
        return false;
    }
    if !filter.authors.is_empty() && !a.author.as_ref().is_some_and(|au| filter.authors.contains(au)) {
        return false;
    }
    if let Some(max_age) = filter.max_age
        && (now - item.published).to_std().is_ok_and(|age| age > max_age)
    {
        return false;
    }
    if filter.include.is_empty() && filter.exclude.is_empty() {
        return true;
    }
    let text = format!("{}\n{}\n{}", a.title, a.summary.as_deref().unwrap_or_default(), a.content_text);
    let included = filter.include.is_empty() || filter.include.iter().any(|r| r.is_match(&text));
    included && !filter.exclude.iter().any(|r| r.is_match(&text))
}

/// Drops later copies of a story: items whose titles are equal once normalized (NFC, case,
/// punctuation, spacing) and published within `window` of the copy kept. The earliest-published
/// copy stays, so its id does not change when another source picks the story up. `items` come
/// newest first and stay so.
pub fn dedupe(items: Vec<FeedItem>, window: Duration) -> Vec<FeedItem> {
    if window.is_zero() {
        return items;
    }
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
    let mut kept: HashMap<String, Vec<DateTime<FixedOffset>>> = HashMap::new();
    let mut order: Vec<(usize, FeedItem)> = items.into_iter().enumerate().collect();
    // Oldest first, so the first copy seen is the one to keep.
    order.sort_by_key(|(i, item)| (item.published, std::cmp::Reverse(*i)));
    let mut out: Vec<(usize, FeedItem)> = Vec::new();
    for (i, item) in order {
        let key = title_key(&item.article.title);
        let times = kept.entry(key).or_default();
        if times.iter().any(|t| (item.published - *t).abs() <= window) {
            continue;
        }
        times.push(item.published);
        out.push((i, item));
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, item)| item).collect()
}

/// A title as a comparison key: NFC, lower case, letters and digits only, single spaces.
pub fn title_key(title: &str) -> String {
    let mut key = String::new();
    for c in title.nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.ends_with(' ') && !key.is_empty() {
            key.push(' ');
        }
    }
    key.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use url::Url;

    use super::*;
    use crate::model::{Article, vietnam};

    fn item(id: &str, title: &str, day: u32, hour: u32) -> FeedItem {
        let published = vietnam().with_ymd_and_hms(2024, 4, day, hour, 0, 0).unwrap();
        FeedItem {
            number: 1,
            source: "s".into(),
            guid: id.into(),
            published,
            updated: published,
            article: Article {
                url: Url::parse(&format!("https://{id}.example/a")).unwrap(),
                id: None,
                title: title.into(),
                published: Some(published),
                summary: Some("Tóm tắt về du lịch".into()),
                author: Some("Thu Cúc".into()),
                image: None,
                caption: None,
                categories: vec!["Kinh tế".into()],
                content_html: String::new(),
                content_text: "Nội dung".into(),
            },
        }
    }

    #[test]
    fn the_same_story_is_kept_once_the_earliest_copy() {
        let items = vec![
            item("c", "Ba Bể đón 40.000 khách!", 6, 12),
            item("b", "Ba Be\u{0302}\u{0309} đón 40.000 khách", 6, 9), // another source, decomposed
            item("a", "BA BỂ ĐÓN 40.000 KHÁCH", 1, 9),                 // same title, a week earlier: another story
        ];
        let ids: Vec<String> = dedupe(items, Duration::from_secs(48 * 3600)).into_iter().map(|i| i.guid).collect();
        assert_eq!(ids, ["b", "a"], "newest first, the later copy of the 6th dropped");
    }

    #[test]
    fn filters_match_text_categories_authors_and_age() {
        let now = vietnam().with_ymd_and_hms(2024, 4, 10, 0, 0, 0).unwrap();
        let it = item("a", "Khởi công cầu Gia Bẩy", 6, 9);
        let re = |p: &str| regex::RegexBuilder::new(p).case_insensitive(true).build().unwrap();
        let with = |f: Filter| keep(&f, &[], &it, now);
        assert!(with(Filter::default()));
        assert!(with(Filter { include: vec![re("DU LỊCH")], ..Filter::default() }), "summary, any case");
        assert!(!with(Filter { include: vec![re("quảng cáo")], ..Filter::default() }));
        assert!(!with(Filter { exclude: vec![re("gia bẩy")], ..Filter::default() }));
        assert!(!with(Filter { authors: vec!["Minh Tuấn".into()], ..Filter::default() }));
        assert!(!with(Filter { max_age: Some(Duration::from_secs(2 * 86_400)), ..Filter::default() }));
        assert!(keep(&Filter::default(), &["Kinh tế".into()], &it, now));
        assert!(!keep(&Filter::default(), &["Văn hóa".into()], &it, now));
    }
}
