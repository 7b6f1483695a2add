//! The SharePoint "PublishingPortal" profile of Vietnamese provincial e-government portals.
//!
//! The live markup inside the `Block_BanTin_*` web parts was never seen by this project, so
//! nothing here depends on their inner class names. Blocks are found by their web-part titles
//! (the SharePoint chrome, the same in every install), and fields by structure: the first heading
//! of the toolbar, its bold lead, the image then italic caption that open the body, the short
//! right-aligned last line. Every field can be pinned by a CSS selector in the feed's config.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{ExtractError, ListLink, ListPage, clean, date};
use crate::config::Selectors;
use crate::model::{Article, Image, Page};

const TOOLBAR: &str = "block_bantin_toolbar";
const VIEWDATA: &str = "block_bantin_viewdata";
/// Web parts that list *other* articles next to the one shown: never list or body content.
const RELATED: [&str; 5] = ["xemnhieu", "tinkhac", "lienquan", "tinmoi", "cungchuyenmuc"];

pub fn article(page: &Page, selectors: &Selectors) -> Result<Article, ExtractError> {
    let doc = Html::parse_document(&page.html);
    let parts = web_parts(&doc);
    let main = main_area(&doc);
    let toolbar = find_part(&parts, TOOLBAR);
    let viewdata = find_part(&parts, VIEWDATA);

    let heading = match &selectors.title {
        Some(sel) => {
            Some(select_first(&doc, sel).ok_or_else(|| missing("title", format!("selector `{sel}` matched nothing")))?)
        }
        None => first_heading(toolbar.unwrap_or(main)).or_else(|| first_heading(main)),
    };
    let heading = heading.ok_or_else(|| {
        missing(
            "title",
            "no heading in the Block_BanTin_Toolbar web part or the page".into(),
        )
    })?;
    let title = clean::text(&text_of(heading));
    if title.is_empty() {
        return Err(missing("title", "the article heading is empty".into()));
    }

    let published = match &selectors.date {
        Some(sel) => select_first(&doc, sel).and_then(|e| date::find(&spaced_text(e))),
        // The toolbar's own date first; the page header's "today" must never win.
        None => toolbar
            .and_then(|t| date::find(&spaced_text(t)))
            .or_else(|| viewdata.and_then(|v| date::find(&spaced_text(v)))),
    };

    let summary = match &selectors.summary {
        Some(sel) => select_first(&doc, sel).map(|e| clean::text(&text_of(e))),
        None => lead_after(toolbar.unwrap_or(main), heading),
    }
    .filter(|s| !s.is_empty() && *s != title);

    let container = match &selectors.body {
        Some(sel) => {
            select_first(&doc, sel).ok_or_else(|| missing("body", format!("selector `{sel}` matched nothing")))?
        }
        None => body_container(viewdata.unwrap_or(main)),
    };
    let mut blocks = blocks_of(container);

    let image = match &selectors.image {
        Some(sel) => select_first(&doc, sel)
            .and_then(|img| image_of(img, &page.url))
            .map(|mut image| {
                image.caption = selectors
                    .caption
                    .as_ref()
                    .and_then(|c| select_first(&doc, c))
                    .map(|e| clean::text(&text_of(e)));
                image
            }),
        None => take_lead_image(&mut blocks, &page.url),
    };
    if let Some(caption) = image.as_ref().and_then(|i| i.caption.as_ref()) {
        blocks.retain(|b| &b.text != caption);
    }

    let author = match &selectors.author {
        Some(sel) => select_first(&doc, sel).map(|e| clean::text(&text_of(e))),
        None => take_author(&mut blocks),
    }
    .filter(|a| !a.is_empty());
    if let Some(author) = &author {
        blocks.retain(|b| &b.text != author);
    }

    let body: Vec<&Block> = blocks.iter().filter(|b| !b.text.is_empty() || b.has_image).collect();
    if !body.iter().any(|b| !b.text.is_empty()) {
        return Err(missing(
            "body",
            "no text paragraphs in the Block_BanTin_ViewData web part".into(),
        ));
    }
    let content_html = body
        .iter()
        .map(|b| clean::html(&b.html, &page.url))
        .filter(|h| !h.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let content_text = body
        .iter()
        .map(|b| b.text.as_str())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");

    Ok(Article {
        url: clean::canonical_url(&page.url),
        title,
        published,
        summary,
        author,
        image,
        content_html,
        content_text,
    })
}

pub fn list(page: &Page, selectors: &Selectors) -> ListPage {
    let doc = Html::parse_document(&page.html);
    let parts = web_parts(&doc);
    let anchor_sel = selector(selectors.list_link.as_deref().unwrap_or("a[href]"));

    // Prefer the list web parts; without chrome titles, anything but the related-news blocks.
    let lists: Vec<ElementRef> = parts
        .iter()
        .filter(|p| p.title.contains("list"))
        .map(|p| p.body)
        .collect();
    let roots: Vec<ElementRef> = if !lists.is_empty() {
        lists
    } else if !parts.is_empty() {
        parts
            .iter()
            .filter(|p| !RELATED.iter().any(|r| p.title.contains(r)))
            .map(|p| p.body)
            .collect()
    } else {
        vec![main_area(&doc)]
    };

    let mut order: Vec<Url> = Vec::new();
    let mut anchors: HashMap<Url, Vec<ElementRef>> = HashMap::new();
    for root in &roots {
        for a in root.select(&anchor_sel) {
            let Some(url) = article_url(a, &page.url) else { continue };
            if !anchors.contains_key(&url) {
                order.push(url.clone());
            }
            anchors.entry(url).or_default().push(a);
        }
    }
    let links = order
        .into_iter()
        .map(|url| {
            let group = &anchors[&url];
            let title = group.iter().map(|a| clean::text(&text_of(*a))).find(|t| !t.is_empty());
            let item = item_container(group[0], &url, &page.url);
            let published = item.and_then(|i| date::find(&spaced_text(i)));
            let summary = item.and_then(|i| lead_paragraph(i, title.as_deref()));
            ListLink {
                url,
                title,
                published,
                summary,
            }
        })
        .collect();

    ListPage {
        links,
        pages: pagination(&doc, &page.url),
    }
}

/// A SharePoint web part: its chrome title (lower-cased) and its body element.
struct WebPart<'a> {
    title: String,
    body: ElementRef<'a>,
}

/// SharePoint 2010 and 2013 both give the title element `id="WebPartTitleWPQn"` and the body
/// `id="WebPartWPQn"`; the number differs per page, so it is read, never assumed.
fn web_parts(doc: &Html) -> Vec<WebPart<'_>> {
    let bodies: HashMap<&str, ElementRef> = doc
        .select(&selector("[id^='WebPartWPQ']"))
        .filter_map(|e| Some((e.value().id()?, e)))
        .collect();
    doc.select(&selector("[id^='WebPartTitleWPQ']"))
        .filter_map(|t| {
            let suffix = t.value().id()?.strip_prefix("WebPartTitle")?;
            let body = *bodies.get(format!("WebPart{suffix}").as_str())?;
            let title = t
                .value()
                .attr("title")
                .map(str::to_string)
                .unwrap_or_else(|| text_of(t));
            Some(WebPart {
                title: title.to_lowercase(),
                body,
            })
        })
        .collect()
}

fn find_part<'a>(parts: &[WebPart<'a>], name: &str) -> Option<ElementRef<'a>> {
    parts.iter().find(|p| p.title.contains(name)).map(|p| p.body)
}

/// Where the page's own content lives, leaving out the site header and menus when possible.
fn main_area(doc: &Html) -> ElementRef<'_> {
    select_first(doc, "#DeltaPlaceHolderMain")
        .or_else(|| select_first(doc, "#MSO_ContentTable"))
        .or_else(|| select_first(doc, "body"))
        .unwrap_or_else(|| doc.root_element())
}

fn first_heading(root: ElementRef<'_>) -> Option<ElementRef<'_>> {
    root.select(&selector("h1, h2, h3, h4"))
        .find(|h| !in_chrome(*h) && !clean::text(&text_of(*h)).is_empty())
}

/// True inside SharePoint's web-part title chrome, whose headings name the web part.
fn in_chrome(e: ElementRef) -> bool {
    std::iter::once(*e)
        .chain(e.ancestors())
        .filter_map(ElementRef::wrap)
        .any(|a| {
            let v = a.value();
            v.id().is_some_and(|id| id.starts_with("WebPartTitle"))
                || v.classes()
                    .any(|c| matches!(c, "ms-webpart-titleText" | "ms-webpart-chrome-title" | "ms-WPTitle"))
        })
}

/// The lead after the heading: the first bold run, else the first substantial text element.
fn lead_after(root: ElementRef, heading: ElementRef) -> Option<String> {
    let after: Vec<ElementRef> = root
        .descendants()
        .filter_map(ElementRef::wrap)
        .skip_while(|e| e.id() != heading.id())
        .skip(1)
        .collect();
    let substantial = |e: &ElementRef| clean::text(&text_of(*e)).chars().count() >= 15;
    let bold = after
        .iter()
        .find(|e| matches!(e.value().name(), "strong" | "b") && substantial(e));
    let plain = || {
        after.iter().find(|e| {
            matches!(e.value().name(), "p" | "div" | "span")
                && substantial(e)
                && !e.children().any(|c| is_block(c.value()))
        })
    };
    bold.or_else(plain).map(|e| clean::text(&text_of(*e)))
}

fn is_block(node: &scraper::Node) -> bool {
    node.as_element().is_some_and(|e| {
        matches!(
            e.name(),
            "p" | "div" | "table" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4"
        )
    })
}

/// The element holding the body paragraphs: the one with the most `<p>` children.
fn body_container(root: ElementRef<'_>) -> ElementRef<'_> {
    let paragraphs = |e: &ElementRef| {
        e.children()
            .filter(|c| c.value().as_element().is_some_and(|el| el.name() == "p"))
            .count()
    };
    let best = root
        .descendants()
        .filter_map(ElementRef::wrap)
        .max_by_key(|e| (paragraphs(e), std::cmp::Reverse(e.ancestors().count())));
    best.filter(|e| paragraphs(e) > 0).unwrap_or(root)
}

/// One top-level element of the body, with what classification needs.
struct Block {
    html: String,
    text: String,
    has_image: bool,
    image: Option<(String, Option<String>)>,
    caption_like: bool,
    author_like: bool,
}

fn blocks_of(container: ElementRef) -> Vec<Block> {
    container
        .children()
        .filter_map(|node| match node.value() {
            // Page machinery that can sit among the paragraphs; never content.
            scraper::Node::Element(e)
                if matches!(e.name(), "script" | "style" | "input" | "noscript" | "link" | "meta") =>
            {
                None
            }
            scraper::Node::Element(_) => ElementRef::wrap(node).map(block),
            scraper::Node::Text(t) if !clean::text(t).is_empty() => Some(Block {
                html: format!("<p>{}</p>", escape(&clean::text(t))),
                text: clean::text(t),
                has_image: false,
                image: None,
                caption_like: false,
                author_like: false,
            }),
            _ => None,
        })
        .collect()
}

fn block(e: ElementRef) -> Block {
    let text = clean::text(&text_of(e));
    let img = e
        .select(&selector("img"))
        .next()
        .or_else(|| (e.value().name() == "img").then_some(e));
    let covered_by = |tags: &str| {
        let inner: String = e.select(&selector(tags)).map(|x| text_of(x)).collect();
        !text.is_empty() && clean::text(&inner) == text
    };
    let styled = |needle: &str| {
        std::iter::once(e)
            .chain(e.descendants().filter_map(ElementRef::wrap))
            .any(|x| {
                let style = x
                    .value()
                    .attr("style")
                    .unwrap_or_default()
                    .replace(' ', "")
                    .to_ascii_lowercase();
                style.contains(&format!("text-align:{needle}"))
                    || x.value().attr("align").is_some_and(|a| a.eq_ignore_ascii_case(needle))
            })
    };
    let figcaption = e
        .select(&selector("figcaption"))
        .next()
        .map(|c| clean::text(&text_of(c)));
    Block {
        html: e.html(),
        has_image: img.is_some(),
        image: img.and_then(|i| {
            i.value().attr("src").map(|s| {
                (
                    s.to_string(),
                    figcaption.or_else(|| i.value().attr("alt").map(clean::text)),
                )
            })
        }),
        caption_like: covered_by("em, i") || styled("center"),
        author_like: styled("right") || covered_by("strong, b") || covered_by("em, i"),
        text,
    }
}

/// Takes the image that opens the body (before any text paragraph) and the caption line after
/// it out of the blocks: they become the article's image, shown once, not twice.
fn take_lead_image(blocks: &mut Vec<Block>, base: &Url) -> Option<Image> {
    let first_image = blocks.iter().position(|b| b.image.is_some())?;
    let first_text = blocks.iter().position(|b| !b.text.is_empty() && b.image.is_none());
    if first_text.is_some_and(|t| t < first_image) {
        return None;
    }
    let lead = blocks.remove(first_image);
    let (src, alt) = lead.image.expect("position() found an image");
    let url = base.join(&src).ok()?;
    let mut caption = alt.filter(|a| !a.is_empty());
    if !lead.text.is_empty() {
        caption = Some(lead.text.clone()); // a figure whose caption sits beside the image
    } else if let Some(next) = blocks.get(first_image)
        && next.image.is_none()
        && next.caption_like
        && next.text.chars().count() <= 300
    {
        caption = Some(blocks.remove(first_image).text);
    }
    Some(Image {
        url,
        caption,
        length: None,
        mime: None,
    })
}

fn image_of(img: ElementRef, base: &Url) -> Option<Image> {
    let img = if img.value().name() == "img" {
        img
    } else {
        img.select(&selector("img")).next()?
    };
    let url = base.join(img.value().attr("src")?).ok()?;
    Some(Image {
        url,
        caption: img.value().attr("alt").map(clean::text).filter(|a| !a.is_empty()),
        length: None,
        mime: None,
    })
}

/// The byline: a short last line, right-aligned, bold or italic, that is not the story's end.
fn take_author(blocks: &mut Vec<Block>) -> Option<String> {
    let last = blocks.iter().rposition(|b| !b.text.is_empty())?;
    let b = &blocks[last];
    let short = b.text.chars().count() <= 60 && b.text.split_whitespace().count() <= 8;
    let ends_story = b.text.ends_with("./.") || b.text.ends_with('.');
    if short && !ends_story && b.author_like && !b.has_image && last > 0 {
        Some(blocks.remove(last).text)
    } else {
        None
    }
}

/// An article link: same host as the page, with an item id in the query.
fn article_url(a: ElementRef, base: &Url) -> Option<Url> {
    let url = base.join(a.value().attr("href")?.trim()).ok()?;
    let same_site = url.host_str().map(str::to_ascii_lowercase) == base.host_str().map(str::to_ascii_lowercase);
    let has_id = url
        .query_pairs()
        .any(|(k, v)| k.eq_ignore_ascii_case("itemid") && !v.is_empty());
    (same_site && has_id && matches!(url.scheme(), "http" | "https")).then(|| clean::canonical_url(&url))
}

/// The largest ancestor of `anchor` that holds links to no other article: the list item.
fn item_container<'a>(anchor: ElementRef<'a>, url: &Url, base: &Url) -> Option<ElementRef<'a>> {
    let mut best = None;
    for node in anchor.ancestors() {
        let Some(e) = ElementRef::wrap(node) else { break };
        let only_this = e
            .select(&selector("a[href]"))
            .filter_map(|a| article_url(a, base))
            .all(|u| &u == url);
        if !only_this {
            break;
        }
        best = Some(e);
    }
    best
}

fn lead_paragraph(item: ElementRef, title: Option<&str>) -> Option<String> {
    item.select(&selector("p, div"))
        .map(|p| clean::text(&text_of(p)))
        .find(|t| {
            t.chars().count() >= 15 && Some(t.as_str()) != title && date::find(t).is_none_or(|_| t.chars().count() > 30)
        })
}

/// Later pages of the same list: links to this page's path with a numeric `Page` parameter.
fn pagination(doc: &Html, base: &Url) -> Vec<Url> {
    let mut pages: Vec<Url> = Vec::new();
    for a in doc.select(&selector("a[href]")) {
        let Some(url) = a.value().attr("href").and_then(|h| base.join(h.trim()).ok()) else {
            continue;
        };
        let same_list = url.host_str() == base.host_str() && url.path().eq_ignore_ascii_case(base.path());
        let numbered = url
            .query_pairs()
            .any(|(k, v)| k.eq_ignore_ascii_case("page") && v.parse::<u32>().is_ok());
        let mut url = url;
        url.set_fragment(None);
        if same_list && numbered && !pages.contains(&url) {
            pages.push(url);
        }
    }
    pages
}

fn missing(field: &'static str, reason: String) -> ExtractError {
    ExtractError::Missing { field, reason }
}

fn text_of(e: ElementRef) -> String {
    e.text().collect()
}

/// Text with a space between every text node, so a date in one cell and a time in the next,
/// or `<p>a</p><p>b</p>` without whitespace, do not run together.
fn spaced_text(e: ElementRef) -> String {
    e.text().collect::<Vec<_>>().join(" ")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn select_first<'a>(doc: &'a Html, css: &str) -> Option<ElementRef<'a>> {
    doc.select(&Selector::parse(css).ok()?).next()
}

/// Selectors here are either literals of this file or validated at config load.
fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector `{css}` was validated: {e}"))
}
