//! The generic profile: any site, its fields named by the CSS selectors of the feed's
//! `[selectors]` table (title, body and list links required; the rest optional, found by the same
//! structure rules as the portal profile, or from the page's `<meta>` tags).

use scraper::ElementRef;
use url::Url;

use super::blocks::segment;
use super::dom::{configured, line_text, select_first, selector, spaced_text};
use super::{ExtractError, Extracted, ListPage, PageRequest, body, clean, date, links, score};
use crate::config::Rules;
use crate::model::{Article, Image, Page, is_web_url};

pub fn article(page: &Page, rules: &Rules) -> Result<Extracted, ExtractError> {
    let doc = super::dom::document(&page.html);
    let s = &rules.selectors;
    let required = |field: &'static str, sel: &Option<String>| -> Result<ElementRef<'_>, ExtractError> {
        let sel = sel.as_deref().unwrap_or("*:not(*)");
        select_first(&doc, sel)
            .ok_or_else(|| ExtractError::Missing { field, reason: format!("selector `{sel}` matched nothing") })
    };
    let title = clean::text(&line_text(required("title", &s.title)?));
    if title.is_empty() {
        return Err(ExtractError::Missing { field: "title", reason: "the title element is empty".into() });
    }
    let container = required("body", &s.body)?;
    let text = |sel: &Option<String>| {
        sel.as_deref().and_then(|css| select_first(&doc, css)).map(|e| clean::text(&line_text(e)))
    };
    let meta = |name: &str| {
        select_first(&doc, &format!("meta[property='{name}'], meta[name='{name}']"))
            .and_then(|m| m.value().attr("content"))
            .map(clean::text)
            .filter(|t| !t.is_empty())
    };

    // The selector names the body: all of it is the article but for boxes and toolbars in it.
    let boxes = score::boxes(container);
    let sorted = score::sort(&doc, container.id(), segment(container, &|_| false), &boxes, true);
    if let Some(reason) = score::refusal(&sorted.body, &sorted.dropped) {
        return Err(ExtractError::NotArticle { reason });
    }
    let mut blocks = sorted.body;
    blocks.retain(|b| b.text != title || b.image.is_some());
    let published = s
        .date
        .as_deref()
        .and_then(|css| select_first(&doc, css))
        .and_then(|e| {
            // A `<time datetime>` is exact; its text is often "3 hours ago".
            e.value()
                .attr("datetime")
                .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                .or_else(|| date::by_rules(&spaced_text(e), &rules.date_formats, rules.timezone))
        })
        .or_else(|| meta("article:published_time").and_then(|d| chrono::DateTime::parse_from_rfc3339(&d).ok()));
    let summary = text(&s.summary).or_else(|| meta("description")).or_else(|| meta("og:description"));
    if let Some(summary) = &summary {
        blocks.retain(|b| &b.text != summary);
    }
    let (image, caption) = match &s.image {
        Some(css) => (select_first(&doc, css).and_then(|e| body::image_of(e, &page.url)), text(&s.caption)),
        None => match body::take_lead_image(&mut blocks, &page.url) {
            (None, _) => {
                let og = meta("og:image").and_then(|u| page.url.join(&u).ok()).filter(is_web_url).map(|url| Image {
                    url,
                    length: None,
                    mime: None,
                });
                (og, text(&s.caption))
            }
            (image, caption) => (image, text(&s.caption).or(caption)),
        },
    };
    if let Some(caption) = &caption {
        blocks.retain(|b| &b.text != caption);
    }
    let author = match &s.author {
        Some(_) => text(&s.author),
        None => meta("author").or_else(|| body::take_author(&mut blocks)),
    }
    .filter(|a| !a.is_empty());
    if let Some(author) = &author {
        body::drop_byline(&mut blocks, author);
    }
    let (content_html, content_text) = body::assemble(&blocks, &page.url);
    if content_text.is_empty() {
        return Err(ExtractError::Missing { field: "body", reason: "the body element holds no text".into() });
    }
    let article = Article {
        url: page_url(&page.url),
        id: None,
        title,
        published,
        summary,
        author,
        image,
        caption,
        categories: Vec::new(),
        content_html,
        content_text,
    };
    Ok(Extracted { article, unplaced: Vec::new() })
}

pub fn list(page: &Page, rules: &Rules) -> ListPage {
    let doc = super::dom::document(&page.html);
    let s = &rules.selectors;
    let anchor_sel = configured(s.list_link.as_deref().unwrap_or("a[href]"));
    let links = links::collect(doc.select(&anchor_sel), rules, &|a| link_url(a, &page.url));
    // A pager link is a page, not an article: its query is kept whole.
    let next = s.next_page.as_deref().and_then(|css| select_first(&doc, css)).and_then(|e| {
        let a = if e.value().name() == "a" { e } else { e.select(selector("a[href]")).next()? };
        page.url.join(a.value().attr("href")?.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https"))
    });
    let pages = next.map(PageRequest::Get).into_iter().collect();
    ListPage { links, pages }
}

/// An http(s) link (the element itself or its first `a`), canonical.
fn link_url(e: ElementRef, base: &Url) -> Option<Url> {
    let a = if e.value().name() == "a" { e } else { e.select(selector("a[href]")).next()? };
    let url = base.join(a.value().attr("href")?.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| page_url(&url))
}

/// An article page's URL as the site links it: tracking parameters and the fragment (the same
/// page's comments, a heading) dropped, the rest kept as written.
fn page_url(url: &Url) -> Url {
    let mut url = crate::model::tidy_url(url);
    url.set_fragment(None);
    url
}
