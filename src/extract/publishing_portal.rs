//! The SharePoint "PublishingPortal" profile of Vietnamese provincial e-government portals.
//!
//! The live markup inside the `Block_BanTin_*` web parts was never seen by this project, so
//! nothing here depends on their inner class names. Blocks are found by their web-part titles
//! (SharePoint 2010 or 2013 chrome, the same in every install), and fields by structure: the
//! first heading of the toolbar, its bold lead, the image then italic caption that open the body,
//! the short right-aligned last line. Without chrome, the page's main area is read the same way,
//! minus the related-news boxes. Every field can be pinned by a CSS selector in the feed's config.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use scraper::{ElementRef, Html, Node};
use url::Url;

use super::body::{self, Block};
use super::dom::{configured, is_hidden, select_first, selector, spaced_text, text_of, within};
use super::{ExtractError, ListPage, PageRequest, clean, date, links};
use crate::config::Rules;
use crate::model::{Article, Page};

const TOOLBAR: &str = "block_bantin_toolbar";
const VIEWDATA: &str = "block_bantin_viewdata";
/// Web parts that list *other* articles next to the one shown: never list or body content.
const RELATED_PARTS: [&str; 6] = ["xemnhieu", "tinkhac", "lienquan", "tinmoi", "cungchuyenmuc", "tindadua"];
/// The same boxes by their visible titles, for pages rendered without web-part chrome.
const RELATED_TITLES: [&str; 8] = [
    "các tin khác",
    "tin khác",
    "tin xem nhiều",
    "tin liên quan",
    "tin cùng chuyên mục",
    "tin mới",
    "tin mới nhất",
    "tin đã đưa",
];
/// Elements that hold a byline on portals that give it its own element.
const AUTHOR_ELEMENTS: &str =
    "[itemprop=author], [rel=author], [class*=author], [class*=tacgia], [class*=tac-gia], [class*=TacGia]";

pub fn article(page: &Page, rules: &Rules) -> Result<Article, ExtractError> {
    let selectors = &rules.selectors;
    let doc = super::dom::document(&page.html);
    let parts = web_parts(&doc);
    let main = main_area(&doc);
    let related = related_boxes(&doc, &parts);
    let skip = |e: ElementRef| related.iter().any(|r| within(e, *r)) || in_chrome(e);
    let toolbar = find_part(&parts, TOOLBAR);
    let viewdata = find_part(&parts, VIEWDATA);

    let heading = match &selectors.title {
        Some(sel) => {
            select_first(&doc, sel).ok_or_else(|| missing("title", format!("selector `{sel}` matched nothing")))?
        }
        None => toolbar
            .and_then(|t| first_heading(t, &skip).or_else(|| title_by_structure(t, &skip)))
            .or_else(|| first_heading(main, &skip))
            .ok_or_else(|| {
                missing("title", "no heading or title line in the Block_BanTin_Toolbar web part or the page".into())
            })?,
    };
    let title = clean::text(&text_of(heading));
    if title.is_empty() {
        return Err(missing("title", "the article heading is empty".into()));
    }

    let published = match &selectors.date {
        Some(sel) => {
            select_first(&doc, sel).and_then(|e| date::by_rules(&spaced_text(e), &rules.date_formats, rules.timezone))
        }
        // The toolbar's own date, else the one next to the heading: never the page header's "today".
        None => toolbar
            .and_then(|t| date::find(&spaced_text(t)))
            .or_else(|| date_near(heading))
            .or_else(|| viewdata.and_then(|v| date::find(&spaced_text(v)))),
    };

    let container = match (&selectors.body, viewdata) {
        (Some(sel), _) => {
            select_first(&doc, sel).ok_or_else(|| missing("body", format!("selector `{sel}` matched nothing")))?
        }
        (None, Some(viewdata)) => body::container(viewdata, &skip),
        // A page with web parts but no ViewData is not an article page (or no longer one).
        (None, None) if !parts.is_empty() => {
            return Err(missing("body", "the page has web parts but no Block_BanTin_ViewData".into()));
        }
        (None, None) => body::container(main, &skip),
    };

    let mut summary = match &selectors.summary {
        Some(sel) => select_first(&doc, sel).map(|e| clean::text(&text_of(e))),
        None => match toolbar {
            Some(t) => lead_after(t, heading),
            None => bold_lead_near(heading, container),
        },
    }
    .filter(|s| !s.is_empty() && *s != title);
    let mut blocks: Vec<Block> = body::blocks(container, &skip);
    blocks.retain(|b| b.text != title || b.image.is_some());
    match &summary {
        Some(s) => blocks.retain(|b| &b.text != s),
        None => summary = body::take_bold_lead(&mut blocks),
    }

    let (image, caption) = match &selectors.image {
        Some(sel) => {
            let image = select_first(&doc, sel).and_then(|e| body::image_of(e, &page.url));
            let caption =
                selectors.caption.as_ref().and_then(|c| select_first(&doc, c)).map(|e| clean::text(&text_of(e)));
            (image, caption)
        }
        None => body::take_lead_image(&mut blocks, &page.url),
    };
    if let Some(caption) = &caption {
        blocks.retain(|b| &b.text != caption);
    }

    let author_element = || {
        let scope = viewdata.unwrap_or(main);
        scope.select(selector(AUTHOR_ELEMENTS)).map(|e| clean::text(&text_of(e))).find_map(|t| body::author_name(&t))
    };
    let author = match &selectors.author {
        Some(sel) => {
            select_first(&doc, sel).map(|e| clean::text(&text_of(e))).map(|t| body::author_name(&t).unwrap_or(t))
        }
        None => author_element().or_else(|| body::take_author(&mut blocks)),
    }
    .filter(|a| !a.is_empty());
    if let Some(author) = &author {
        body::drop_byline(&mut blocks, author);
    }

    let (content_html, content_text) = body::assemble(&blocks, &page.url);
    if content_text.is_empty() {
        return Err(missing("body", "no text paragraphs in the Block_BanTin_ViewData web part or the page".into()));
    }
    Ok(Article {
        url: crate::model::canonical_url(&page.url),
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
    })
}

pub fn list(page: &Page, rules: &Rules) -> ListPage {
    let doc = super::dom::document(&page.html);
    let parts = web_parts(&doc);
    let related = related_boxes(&doc, &parts);
    let anchor_sel = configured(rules.selectors.list_link.as_deref().unwrap_or("a[href]"));

    // Prefer the list web parts; without chrome, the main area minus the related-news boxes.
    let lists: Vec<ElementRef> = parts.iter().filter(|p| p.title.contains("list")).map(|p| p.body).collect();
    let roots: Vec<ElementRef> = if !lists.is_empty() {
        lists
    } else if !parts.is_empty() {
        parts.iter().filter(|p| !RELATED_PARTS.iter().any(|r| p.title.contains(r))).map(|p| p.body).collect()
    } else {
        vec![main_area(&doc)]
    };
    let anchors =
        roots.iter().flat_map(|root| root.select(&anchor_sel)).filter(|a| !related.iter().any(|r| within(*a, *r)));
    let links = links::collect(anchors, rules, &|a| article_url(a, &page.url));

    let mut pages: Vec<PageRequest> = numbered_pages(&doc, &page.url).into_iter().map(PageRequest::Get).collect();
    if pages.is_empty() {
        pages = postback_pages(&doc, &page.url);
    }
    ListPage { links, pages }
}

/// A SharePoint web part: its chrome title (lower-cased) and its body element.
struct WebPart<'a> {
    title: String,
    body: ElementRef<'a>,
}

/// SharePoint 2010 and 2013 both give the title element `id="WebPartTitleWPQn"` and the body
/// `id="WebPartWPQn"`; the number differs per page, so it is read, never assumed. Chrome titles
/// without those ids are paired with the nearest web-part body around them.
fn web_parts(doc: &Html) -> Vec<WebPart<'_>> {
    // One walk over the elements instead of three attribute-prefix selectors over the page.
    let mut bodies: HashMap<&str, ElementRef> = HashMap::new();
    let mut titles: Vec<ElementRef> = Vec::new();
    let mut chrome_titles: Vec<ElementRef> = Vec::new();
    for e in doc.root_element().descendants().filter_map(ElementRef::wrap) {
        let v = e.value();
        match v.id() {
            Some(id) if id.starts_with("WebPartTitleWPQ") => titles.push(e),
            Some(id) if id.starts_with("WebPartWPQ") => {
                bodies.insert(id, e);
            }
            _ if v.classes().any(|c| matches!(c, "ms-WPTitle" | "ms-webpart-titleText" | "js-webpart-titleCell")) => {
                chrome_titles.push(e)
            }
            _ => {}
        }
    }
    let title_of =
        |t: ElementRef| t.value().attr("title").map(str::to_string).unwrap_or_else(|| text_of(t)).to_lowercase();
    let mut parts: Vec<WebPart> = titles
        .iter()
        .filter_map(|t| {
            let suffix = t.value().id()?.strip_prefix("WebPartTitle")?;
            let body = *bodies.get(format!("WebPart{suffix}").as_str())?;
            Some(WebPart { title: title_of(*t), body })
        })
        .collect();
    let body_sel = selector(".ms-WPBody, [webpartid], [WebPartID]");
    for t in chrome_titles {
        let paired = t.ancestors().filter_map(ElementRef::wrap).any(|a| titles.iter().any(|x| x.id() == a.id()));
        if paired {
            continue;
        }
        let body =
            t.ancestors().filter_map(ElementRef::wrap).take(10).find_map(|a| {
                a.select(body_sel).find(|b| !within(t, *b) && !parts.iter().any(|p| p.body.id() == b.id()))
            });
        if let Some(body) = body {
            parts.push(WebPart { title: title_of(t), body });
        }
    }
    parts
}

fn find_part<'a>(parts: &[WebPart<'a>], name: &str) -> Option<ElementRef<'a>> {
    parts.iter().find(|p| p.title.contains(name)).map(|p| p.body)
}

/// Where the page's own content lives, leaving out the site header and menus when possible.
fn main_area(doc: &Html) -> ElementRef<'_> {
    ["#DeltaPlaceHolderMain", "#MSO_ContentTable", "[role=main]", "main", "body"]
        .iter()
        .find_map(|css| select_first(doc, css))
        .unwrap_or_else(|| doc.root_element())
}

/// Related-news boxes: web parts titled so, or, without chrome, the box around a heading that
/// reads "Các tin khác", "Tin xem nhiều", ...
fn related_boxes<'a>(doc: &'a Html, parts: &[WebPart<'a>]) -> Vec<ElementRef<'a>> {
    let mut boxes: Vec<ElementRef> =
        parts.iter().filter(|p| RELATED_PARTS.iter().any(|r| p.title.contains(r))).map(|p| p.body).collect();
    for e in doc.select(selector("h1, h2, h3, h4, h5, div, span, p, strong, b, li")) {
        let own: String = e.children().filter_map(|c| c.value().as_text().map(|t| t.to_string())).collect();
        // Box titles are a few words; most elements have no text of their own at all.
        if own.trim().is_empty() || own.len() > 80 {
            continue;
        }
        let label = clean::text(&own).to_lowercase();
        let label = label.trim_end_matches(':').trim();
        if !RELATED_TITLES.contains(&label) {
            continue;
        }
        let Some(parent) = e.parent().and_then(ElementRef::wrap) else {
            continue;
        };
        // The box is the title's parent, unless that parent is the article's own column.
        let is_column = parent.select(selector("h1, p")).count() > 3;
        let target = if is_column { e.next_siblings().find_map(ElementRef::wrap) } else { Some(parent) };
        if let Some(target) = target {
            boxes.push(target);
        }
    }
    boxes
}

fn first_heading<'a>(root: ElementRef<'a>, skip: &dyn Fn(ElementRef) -> bool) -> Option<ElementRef<'a>> {
    let heading_sel = selector("h1, h2, h3, h4");
    let headings = || root.select(heading_sel).filter(|h| !skip(*h) && !clean::text(&text_of(*h)).is_empty());
    // An h1 anywhere beats an earlier h2: portals use h2-h4 for box titles around the article.
    headings().find(|h| h.value().name() == "h1").or_else(|| headings().next())
}

/// The toolbar's title when it is no heading (`<div class="title-detail">`, `<span>`, a table
/// cell, a link): the first line of text that is not the date line, the toolbar's own links
/// (font size, print, e-mail) or too short to be a headline.
fn title_by_structure<'a>(toolbar: ElementRef<'a>, skip: &dyn Fn(ElementRef) -> bool) -> Option<ElementRef<'a>> {
    let tool_link = |a: ElementRef| {
        a.value().attr("href").is_some_and(|h| {
            let h = h.trim().to_ascii_lowercase();
            h.starts_with("javascript:") || h.starts_with("mailto:") || h.starts_with('#') || h.contains("print")
        })
    };
    let a_sel = selector("a");
    toolbar.descendants().filter_map(ElementRef::wrap).find(|e| {
        if !matches!(e.value().name(), "div" | "span" | "td" | "th" | "a" | "p" | "strong" | "b" | "font" | "h5" | "h6")
            || skip(*e)
            || e.children().any(|c| is_block(c.value()))
        {
            return false;
        }
        // A toolbar link, inside one, or holding one.
        let in_link = std::iter::once(*e)
            .chain(e.ancestors().filter_map(ElementRef::wrap))
            .any(|a| a.value().name() == "a" && tool_link(a));
        if in_link || e.select(a_sel).any(tool_link) {
            return false;
        }
        let text = clean::text(&text_of(*e));
        let chars = text.chars().count();
        let date_line = chars < 60 && date::find(&text).is_some();
        (15..=400).contains(&chars) && !date_line
    })
}

/// True inside SharePoint's web-part title chrome, whose headings name the web part.
fn in_chrome(e: ElementRef) -> bool {
    std::iter::once(*e).chain(e.ancestors()).filter_map(ElementRef::wrap).any(|a| {
        let v = a.value();
        v.id().is_some_and(|id| id.starts_with("WebPartTitle"))
            || v.classes().any(|c| matches!(c, "ms-webpart-titleText" | "ms-webpart-chrome-title" | "ms-WPTitle"))
    })
}

/// The lead after the heading: the first bold run, else the first substantial text element.
fn lead_after(root: ElementRef, heading: ElementRef) -> Option<String> {
    let after: Vec<ElementRef> =
        root.descendants().filter_map(ElementRef::wrap).skip_while(|e| e.id() != heading.id()).skip(1).collect();
    let substantial = |e: &ElementRef| clean::text(&text_of(*e)).chars().count() >= 15;
    let bold = after.iter().find(|e| matches!(e.value().name(), "strong" | "b") && substantial(e));
    let plain = || {
        after.iter().find(|e| {
            matches!(e.value().name(), "p" | "div" | "span")
                && substantial(e)
                && !e.children().any(|c| is_block(c.value()))
                && e.select(selector("a")).next().is_none()
        })
    };
    bold.or_else(plain).map(|e| clean::text(&text_of(*e)))
}

/// Without a toolbar: a bold lead set between the heading and the body, as portals do.
fn bold_lead_near(heading: ElementRef, container: ElementRef) -> Option<String> {
    let parent = heading.parent().and_then(ElementRef::wrap)?;
    parent
        .descendants()
        .filter_map(ElementRef::wrap)
        .skip_while(|e| e.id() != heading.id())
        .skip(1)
        .take_while(|e| !within(*e, container))
        .filter(|e| matches!(e.value().name(), "strong" | "b"))
        .map(|e| clean::text(&text_of(e)))
        .find(|t| t.chars().count() >= 15)
}

fn is_block(node: &Node) -> bool {
    node.as_element()
        .is_some_and(|e| matches!(e.name(), "p" | "div" | "table" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4"))
}

/// The date written next to the heading: the last one before it, else the first one right after
/// it, looking in the heading's nearest three ancestors.
fn date_near(heading: ElementRef) -> Option<DateTime<FixedOffset>> {
    for ancestor in heading.ancestors().filter_map(ElementRef::wrap).take(3) {
        let (mut before, mut after) = (String::new(), String::new());
        let mut passed = false;
        for node in ancestor.descendants() {
            if node.id() == heading.id() {
                passed = true;
            }
            let Node::Text(t) = node.value() else { continue };
            if node.ancestors().any(|a| a.id() == heading.id()) {
                continue;
            }
            if !is_hidden(node) {
                let target = if passed { &mut after } else { &mut before };
                target.push_str(t);
                target.push(' ');
            }
        }
        let near_after: String = after.chars().take(120).collect();
        if let Some(d) = date::all(&before).last().or_else(|| date::find(&near_after)) {
            return Some(d);
        }
    }
    None
}

/// An article link: same host as the page, with an item id in the query.
fn article_url(a: ElementRef, base: &Url) -> Option<Url> {
    let url = base.join(a.value().attr("href")?.trim()).ok()?;
    let same_site = url.host_str().map(str::to_ascii_lowercase) == base.host_str().map(str::to_ascii_lowercase);
    let has_id = url.query_pairs().any(|(k, v)| k.eq_ignore_ascii_case("itemid") && !v.is_empty());
    (same_site && has_id && matches!(url.scheme(), "http" | "https")).then(|| crate::model::canonical_url(&url))
}

/// Later pages of the same list: links to this page's path with a numeric `Page` parameter.
fn numbered_pages(doc: &Html, base: &Url) -> Vec<Url> {
    let mut pages: Vec<Url> = Vec::new();
    for a in doc.select(selector("a[href]")) {
        let Some(mut url) = a.value().attr("href").and_then(|h| base.join(h.trim()).ok()) else {
            continue;
        };
        let same_list = url.host_str() == base.host_str() && url.path().eq_ignore_ascii_case(base.path());
        let numbered = url.query_pairs().any(|(k, v)| k.eq_ignore_ascii_case("page") && v.parse::<u32>().is_ok());
        url.set_fragment(None);
        if same_list && numbered && !pages.contains(&url) {
            pages.push(url);
        }
    }
    pages
}

/// ASP.NET pagers that post the form back (`javascript:__doPostBack('target','arg')`): one POST
/// per page-number or "next" link, carrying the form's hidden fields as a browser would.
fn postback_pages(doc: &Html, base: &Url) -> Vec<PageRequest> {
    let Some(form) = select_first(doc, "form") else {
        return Vec::new();
    };
    let action = form.value().attr("action").and_then(|a| base.join(a).ok()).unwrap_or_else(|| base.clone());
    let hidden: Vec<(String, String)> = form
        .select(selector("input[type=hidden][name]"))
        .filter_map(|i| {
            Some((i.value().attr("name")?.to_string(), i.value().attr("value").unwrap_or_default().to_string()))
        })
        .collect();
    let mut pages = Vec::new();
    for a in form.select(selector("a[href*='__doPostBack']")) {
        let label = clean::text(&text_of(a)).to_lowercase();
        let is_pager = label.parse::<u32>().is_ok_and(|n| n > 1)
            || ["trang sau", "tiếp", "sau", "next", ">", "»", ">>"].contains(&label.as_str());
        let Some((target, argument)) = a.value().attr("href").and_then(postback_args) else {
            continue;
        };
        if !is_pager {
            continue;
        }
        let mut fields: Vec<(String, String)> =
            hidden.iter().filter(|(k, _)| k != "__EVENTTARGET" && k != "__EVENTARGUMENT").cloned().collect();
        fields.push(("__EVENTTARGET".into(), target));
        fields.push(("__EVENTARGUMENT".into(), argument));
        let request = PageRequest::Post { url: action.clone(), fields };
        if !pages.contains(&request) {
            pages.push(request);
        }
    }
    pages
}

/// `javascript:__doPostBack('ctl00$m$pager','Page$2')` → (`ctl00$m$pager`, `Page$2`).
fn postback_args(href: &str) -> Option<(String, String)> {
    let inner = href.split_once("__doPostBack(")?.1;
    let mut quoted = inner.split(['\'', '"']).skip(1).step_by(2);
    let target = quoted.next()?.to_string();
    let argument = quoted.next().unwrap_or_default().to_string();
    Some((target, argument))
}

fn missing(field: &'static str, reason: String) -> ExtractError {
    ExtractError::Missing { field, reason }
}
