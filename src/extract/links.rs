//! Article links on list pages, shared by the profiles: grouped by canonical URL, with the
//! title, date and lead the list shows next to each.

use std::collections::HashMap;

use scraper::ElementRef;
use url::Url;

use super::dom::{selector, spaced_text, text_of};
use super::{ListLink, clean, date};
use crate::config::Rules;

/// The links among `anchors` that `to_url` accepts, in page order, each once.
pub fn collect<'a>(
    anchors: impl Iterator<Item = ElementRef<'a>>,
    rules: &Rules,
    to_url: &dyn Fn(ElementRef) -> Option<Url>,
) -> Vec<ListLink> {
    let mut order: Vec<Url> = Vec::new();
    let mut groups: HashMap<Url, Vec<ElementRef>> = HashMap::new();
    for a in anchors {
        let Some(url) = to_url(a) else { continue };
        if !groups.contains_key(&url) {
            order.push(url.clone());
        }
        groups.entry(url).or_default().push(a);
    }
    order
        .into_iter()
        .map(|url| {
            let group = &groups[&url];
            let title = group.iter().map(|a| clean::text(&text_of(*a))).find(|t| !t.is_empty());
            let item = item_container(group[0], &url, to_url);
            let published = item.and_then(|i| date::by_rules(&spaced_text(i), &rules.date_formats, rules.timezone));
            let summary = item.and_then(|i| lead_paragraph(i, title.as_deref()));
            ListLink { url, title, published, summary, categories: Vec::new() }
        })
        .collect()
}

/// The largest ancestor of `anchor` that holds links to no other article: the list item.
fn item_container<'a>(
    anchor: ElementRef<'a>,
    url: &Url,
    to_url: &dyn Fn(ElementRef) -> Option<Url>,
) -> Option<ElementRef<'a>> {
    let mut best = None;
    for node in anchor.ancestors() {
        let Some(e) = ElementRef::wrap(node) else { break };
        if !e.select(selector("a[href]")).filter_map(to_url).all(|u| &u == url) {
            break;
        }
        best = Some(e);
    }
    best
}

fn lead_paragraph(item: ElementRef, title: Option<&str>) -> Option<String> {
    item.select(selector("p, div")).map(|p| clean::text(&text_of(p))).find(|t| {
        t.chars().count() >= 15 && Some(t.as_str()) != title && (date::find(t).is_none() || t.chars().count() > 30)
    })
}
