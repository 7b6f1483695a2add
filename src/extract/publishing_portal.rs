//! The SharePoint "PublishingPortal" profile of Vietnamese provincial e-government portals.
//!
//! The live markup inside the `Block_BanTin_*` web parts was never seen by this project, so
//! nothing here depends on their inner class names. Blocks are found by their web-part titles
//! (SharePoint 2010 or 2013 chrome, the same in every install), and fields by structure: the
//! first heading of the toolbar, its bold lead, the image then italic caption that open the body,
//! the short right-aligned last line. Without chrome, the page's main area is read the same way,
//! minus the related-news boxes. Every field can be pinned by a CSS selector in the feed's config.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};
use url::Url;

use super::blocks::{Block, is_toolbar, segment};
use super::body;
use super::dom::{configured, is_hidden, line_text, select_first, selector, spaced_text, text_of, within};
use super::score::{self, Dropped};
use super::{ExtractError, Extracted, ListPage, PageRequest, clean, date, links};
use crate::config::Rules;
use crate::model::{Article, Page};

const TOOLBAR: &str = "block_bantin_toolbar";
const VIEWDATA: &str = "block_bantin_viewdata";
/// Web parts that list *other* articles next to the one shown: never list or body content.
const RELATED_PARTS: [&str; 6] = ["xemnhieu", "tinkhac", "lienquan", "tinmoi", "cungchuyenmuc", "tindadua"];
/// Elements that hold a byline on portals that give it its own element.
const AUTHOR_ELEMENTS: &str =
    "[itemprop=author], [rel=author], [class*=author], [class*=tacgia], [class*=tac-gia], [class*=TacGia]";

pub fn article(page: &Page, rules: &Rules) -> Result<Extracted, ExtractError> {
    let selectors = &rules.selectors;
    let doc = super::dom::document(&page.html);
    let parts = web_parts(&doc);
    let main = main_area(&doc);
    let part_toolbar = find_part(&parts, TOOLBAR);
    let viewdata = find_part(&parts, VIEWDATA);
    let related_parts: Vec<ElementRef> =
        parts.iter().filter(|p| RELATED_PARTS.iter().any(|r| p.title.contains(r))).map(|p| p.body).collect();
    // Where the body is: the ViewData part, else the page's main zone after the Toolbar part
    // (portals that render the body without the part's chrome), else the main zone.
    let scope = viewdata.unwrap_or(main);
    let mut boxes = score::boxes(scope);
    boxes.extend(related_parts.iter().map(|p| p.id()));
    let order: HashMap<NodeId, usize> =
        doc.root_element().descendants().enumerate().map(|(i, n)| (n.id(), i)).collect();
    let boxed = |e: ElementRef| e.ancestors().chain(std::iter::once(*e)).any(|a| boxes.contains(&a.id()));
    let skip_chrome = |e: ElementRef| in_chrome(e) || related_parts.iter().any(|r| within(e, *r));
    let skip_title = |e: ElementRef| skip_chrome(e) || boxed(e);

    let heading = match &selectors.title {
        Some(sel) => {
            select_first(&doc, sel).ok_or_else(|| missing("title", format!("selector `{sel}` matched nothing")))?
        }
        None => part_toolbar
            .and_then(|t| first_heading(t, &skip_title).or_else(|| title_by_structure(t, &skip_title)))
            .or_else(|| first_heading(main, &skip_title))
            .or_else(|| title_from_document(&doc, main, &skip_title))
            .or_else(|| title_above_story(&doc, main, &skip_title))
            .ok_or_else(|| {
                missing("title", "no heading or title line in the Block_BanTin_Toolbar web part or the page".into())
            })?,
    };
    let title = clean::text(&line_text(heading));
    if title.is_empty() {
        return Err(missing("title", "the article heading is empty".into()));
    }
    if is_error_title(&title) {
        return Err(ExtractError::NotArticle { reason: format!("an error page (\"{title}\")") });
    }
    // Without a Toolbar part, the block around the heading (title, date line, lead, links)
    // plays its role, when the story follows it.
    let header = part_toolbar.or_else(|| header_of(heading, main, &order));
    let before_header =
        |e: ElementRef| header.is_some_and(|t| within(e, t) || (order[&e.id()] < order[&t.id()] && !within(t, e)));
    // Without the ViewData part, other web parts (ads, menus, boxes) are still not the body.
    let other_parts: Vec<ElementRef> =
        parts.iter().filter(|p| !p.title.contains(TOOLBAR) && !p.title.contains(VIEWDATA)).map(|p| p.body).collect();
    let skip_body = |e: ElementRef| {
        skip_chrome(e) || (viewdata.is_none() && (before_header(e) || other_parts.iter().any(|p| within(e, *p))))
    };

    let mut published = match &selectors.date {
        Some(sel) => {
            select_first(&doc, sel).and_then(|e| date::by_rules(&spaced_text(e), &rules.date_formats, rules.timezone))
        }
        // The toolbar's own date, else the one next to the heading: never the page header's
        // "today" or a related article's.
        None => header.and_then(|t| date::find_in(&spaced_text(t), rules.timezone)).or_else(|| {
            // Checked per ancestor of each text node: set lookups, not walks (`boxes` holds the
            // related parts too).
            let excluded = |id: NodeId| {
                boxes.contains(&id) || doc.tree.get(id).and_then(ElementRef::wrap).is_some_and(is_chrome_title)
            };
            date_near(heading, main, &excluded, rules.timezone)
        }),
    };

    let (blocks, whole) = match &selectors.body {
        Some(sel) => {
            let e =
                select_first(&doc, sel).ok_or_else(|| missing("body", format!("selector `{sel}` matched nothing")))?;
            (segment(e, &|_| false), Some(e))
        }
        None => (segment(scope, &skip_body), None),
    };
    let root = whole.unwrap_or(scope);
    let mut sorted = score::sort(&doc, root.id(), blocks, &boxes, whole.is_some());
    let mut dropped = std::mem::take(&mut sorted.dropped);
    let mut body = Vec::new();
    for block in std::mem::take(&mut sorted.body) {
        if block.text == title && block.image.is_none() {
            dropped.push((block, Dropped::Title));
        } else if block.chars() <= 160 && block.is_date_bar() {
            published = published.or_else(|| date::find_in(&block.text, rules.timezone));
            dropped.push((block, Dropped::DateLine));
        } else {
            body.push(block);
        }
    }
    for (block, why) in &dropped {
        let excerpt: String = block.text.chars().take(60).collect();
        tracing::debug!(url = %page.url, reason = why.reason(), text = %excerpt, "left out of the article");
    }
    if let Some(reason) = score::refusal(&body, &dropped) {
        return Err(ExtractError::NotArticle { reason });
    }

    let mut summary = match &selectors.summary {
        Some(sel) => select_first(&doc, sel).map(|e| clean::text(&line_text(e))),
        None => match header {
            Some(t) => toolbar_lead(t, heading, &title, &skip_title),
            None => bold_lead_near(heading, body.first().map(|b| b.at))
                .or_else(|| lead_before_story(&doc, &body, heading, sorted.best, &order)),
        },
    }
    .filter(|s| !s.is_empty() && *s != title);
    match &summary {
        Some(s) => body.retain(|b| &b.text != s),
        None => summary = body::take_bold_lead(&mut body).or_else(|| take_named_lead(&doc, &mut body)),
    }
    // A bold lead under the title and nothing else: a page whose story is missing.
    if let (None, [only]) = (&summary, body.iter().filter(|b| !b.text.is_empty()).collect::<Vec<_>>().as_slice())
        && only.bold
        && only.image.is_none()
    {
        return Err(missing("body", "only a lead under the title, no story".into()));
    }

    let (image, caption) = match &selectors.image {
        Some(sel) => {
            let image = select_first(&doc, sel).and_then(|e| body::image_of(e, &page.url));
            let caption =
                selectors.caption.as_ref().and_then(|c| select_first(&doc, c)).map(|e| clean::text(&line_text(e)));
            (image, caption)
        }
        None => body::take_lead_image(&mut body, &page.url),
    };
    if let Some(caption) = &caption {
        body.retain(|b| &b.text != caption);
    }

    let author_element = || {
        scope
            .select(selector(AUTHOR_ELEMENTS))
            .filter(|e| !boxed(*e) && !skip_body(*e))
            .map(|e| clean::text(&line_text(e)))
            .find_map(|t| body::author_name(&t))
    };
    let author = match &selectors.author {
        Some(sel) => {
            select_first(&doc, sel).map(|e| clean::text(&line_text(e))).map(|t| body::author_name(&t).unwrap_or(t))
        }
        None => author_element().or_else(|| body::take_author(&mut body)),
    }
    .filter(|a| !a.is_empty());
    if let Some(author) = &author {
        body::drop_byline(&mut body, author);
    }

    let (content_html, content_text) = body::assemble(&body, &page.url);
    if content_text.is_empty() {
        let reason = match (viewdata, part_toolbar) {
            (Some(_), _) => "no text paragraphs in the Block_BanTin_ViewData web part",
            (None, Some(_)) => "no Block_BanTin_ViewData web part and no article text after the Block_BanTin_Toolbar",
            (None, None) => "no text paragraphs in the page",
        };
        return Err(missing("body", reason.into()));
    }
    let article = Article {
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
    };
    // Accounting: what the toolbar and the region's surroundings hold that no field took.
    let mut left = sorted.unplaced;
    if let Some(t) = header {
        // The date line often shares its run with the font-size links.
        let chrome = |b: &Block| b.is_toolbar() || b.is_date_bar();
        left.extend(segment(t, &skip_title).into_iter().filter(|b| !chrome(b)));
    }
    // Before the title is the site's own header: only what follows it is the article's.
    let heading_at = order[&heading.id()];
    left.retain(|b| order.get(&b.at).is_none_or(|at| *at > heading_at));
    let unplaced = super::unplaced(&article, left);
    Ok(Extracted { article, unplaced })
}

pub fn list(page: &Page, rules: &Rules) -> ListPage {
    let doc = super::dom::document(&page.html);
    let parts = web_parts(&doc);
    let mut related: Vec<NodeId> = score::boxes(doc.root_element()).into_iter().collect();
    related.extend(parts.iter().filter(|p| RELATED_PARTS.iter().any(|r| p.title.contains(r))).map(|p| p.body.id()));
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
    let anchors = roots
        .iter()
        .flat_map(|root| root.select(&anchor_sel))
        .filter(|a| !a.ancestors().any(|r| related.contains(&r.id())));
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
            // `WebPartTitleWPQ3` / `WebPartWPQ3`, or `WebPartTitlectl00_…_g_6a1b` / `WebPartctl00_…`.
            Some(id) if id.starts_with("WebPartTitle") => titles.push(e),
            Some(id) if id.starts_with("WebPart") => {
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
    let paired: HashSet<NodeId> = titles.iter().map(|t| t.id()).collect();
    let chrome: HashSet<NodeId> = chrome_titles.iter().map(|t| t.id()).collect();
    for t in chrome_titles {
        // A title inside another (SharePoint 2013's `h2` in its title cell) names the same part.
        if t.ancestors().any(|a| paired.contains(&a.id()) || chrome.contains(&a.id())) {
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

fn first_heading<'a>(root: ElementRef<'a>, skip: &dyn Fn(ElementRef) -> bool) -> Option<ElementRef<'a>> {
    let heading_sel = selector("h1, h2, h3, h4");
    let headings = || {
        root.select(heading_sel).filter(|h| {
            let text = clean::text(&line_text(*h));
            !skip(*h) && !text.is_empty() && !is_toolbar(&text) && !date::is_date_line(&text)
        })
    };
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
        let text = clean::text(&line_text(*e));
        let chars = text.chars().count();
        (15..=400).contains(&chars) && !date::is_date_line(&text) && !is_toolbar(&text)
    })
}

/// Without heading or toolbar: the element whose text opens the document's `<title>` ("Tiêu đề
/// - Cổng thông tin điện tử tỉnh …"), the longest such.
fn title_from_document<'a>(
    doc: &'a Html,
    main: ElementRef<'a>,
    skip: &dyn Fn(ElementRef) -> bool,
) -> Option<ElementRef<'a>> {
    let title = clean::text(&text_of(select_first(doc, "title")?));
    main.descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| !skip(*e) && !e.children().any(|c| is_block(c.value())))
        .filter_map(|e| {
            let text = clean::text(&line_text(e));
            (text.chars().count() >= 10 && title.starts_with(&text)).then_some((e, text.len()))
        })
        .max_by_key(|(_, len)| *len)
        .map(|(e, _)| e)
}

/// The heading's widest surrounding block that holds no story (at most a lead's worth of text),
/// when a story follows it in `main`.
fn header_of<'a>(
    heading: ElementRef<'a>,
    main: ElementRef<'a>,
    order: &HashMap<NodeId, usize>,
) -> Option<ElementRef<'a>> {
    // Characters of visible text outside links among `nodes`.
    let prose = |nodes: &mut dyn Iterator<Item = ego_tree::NodeRef<'a, Node>>| -> usize {
        nodes
            .filter(|n| !n.ancestors().filter_map(|a| a.value().as_element()).any(|a| a.name() == "a"))
            .filter_map(|n| n.value().as_text().filter(|_| !is_hidden(n)))
            .map(|t| t.trim().chars().count())
            .sum()
    };
    let header = heading
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take_while(|a| a.id() != main.id() && prose(&mut a.descendants()) <= 600)
        .last()?;
    let end = header.descendants().last().map_or(usize::MAX, |n| order[&n.id()]);
    let after = prose(&mut main.descendants().filter(|n| order[&n.id()] > end));
    (after >= 200).then_some(header)
}

/// Without heading, toolbar or telling `<title>`: the short line set just above the page's first
/// paragraph of prose (or its lead), as old table layouts set the title in a bold `<font>`.
fn title_above_story<'a>(
    doc: &'a Html,
    main: ElementRef<'a>,
    skip: &dyn Fn(ElementRef) -> bool,
) -> Option<ElementRef<'a>> {
    let blocks = segment(main, skip);
    let first =
        blocks.iter().position(|b| b.chars() >= 80 && score::value(b, false) >= 1.0 && b.link_density() < 0.3)?;
    let title = blocks[..first].iter().rev().take(3).find(|b| {
        (15..=200).contains(&b.chars())
            && b.link_density() < 0.5
            && !b.text.ends_with('.')
            && !b.is_toolbar()
            && !b.is_date_bar()
    })?;
    let node = doc.tree.get(title.at)?;
    ElementRef::wrap(node).or_else(|| node.parent().and_then(ElementRef::wrap))
}

/// Headings of the error pages portals answer with status 200: SharePoint's "Sorry, something
/// went wrong" in Vietnamese and English, "page not found" and the like.
fn is_error_title(title: &str) -> bool {
    const ERRORS: [&str; 9] = [
        "xin lỗi, đã xảy ra sự cố",
        "đã xảy ra lỗi",
        "sorry, something went wrong",
        "không tìm thấy trang",
        "trang không tồn tại",
        "bài viết không tồn tại",
        "page not found",
        "404 not found",
        "server error",
    ];
    let lower = title.to_lowercase();
    title.chars().count() <= 80 && ERRORS.iter().any(|e| lower.starts_with(e))
}

/// True inside SharePoint's web-part title chrome, whose headings name the web part.
fn in_chrome(e: ElementRef) -> bool {
    std::iter::once(*e).chain(e.ancestors()).filter_map(ElementRef::wrap).any(is_chrome_title)
}

fn is_chrome_title(e: ElementRef) -> bool {
    let v = e.value();
    v.id().is_some_and(|id| id.starts_with("WebPartTitle"))
        || v.classes().any(|c| matches!(c, "ms-webpart-titleText" | "ms-webpart-chrome-title" | "ms-WPTitle"))
}

/// The toolbar's lead, wherever it stands around the title: its text that is not the title, a
/// date line, a label or toolbar links; the bold one if the editor set one in bold, else the
/// longest.
fn toolbar_lead(
    toolbar: ElementRef,
    heading: ElementRef,
    title: &str,
    skip: &dyn Fn(ElementRef) -> bool,
) -> Option<String> {
    let skip = |e: ElementRef| skip(e) || e.id() == heading.id();
    let candidates: Vec<_> = segment(toolbar, &skip)
        .into_iter()
        .filter(|b| {
            b.text != title
                && b.chars() >= 20
                && !b.text.ends_with(':')
                && !b.is_toolbar()
                && b.link_density() < 0.5
                && !b.is_date_bar()
        })
        .collect();
    let bold = candidates.iter().find(|b| b.bold && b.chars() >= 30);
    bold.or_else(|| candidates.iter().max_by_key(|b| b.chars())).map(|b| b.text.clone())
}

/// Without a toolbar: the text set between the heading and the story's own container (a
/// `div.sapo` beside `div.bodytext`), whatever its style.
fn lead_before_story(
    doc: &Html,
    body: &[Block],
    heading: ElementRef,
    story: NodeId,
    order: &HashMap<NodeId, usize>,
) -> Option<String> {
    let (after, before) = (order[&heading.id()], order[&story]);
    let in_story = |at: NodeId| doc.tree.get(at).is_some_and(|n| n.ancestors().any(|a| a.id() == story) || at == story);
    body.iter()
        .filter(|b| order.get(&b.at).is_some_and(|at| (after..before).contains(at)) && !in_story(b.at))
        .find(|b| b.chars() >= 40 && b.image.is_none() && b.link_density() < 0.3 && !date::is_date_line(&b.text))
        .map(|b| b.text.clone())
}

/// A weak hint, used when structure gave no lead: the body's first text block sits in an element
/// that editors' templates name as the lead (`sapo`, `tomtat`, `summary`, `lead`, `mota`), and a
/// story follows it.
fn take_named_lead(doc: &Html, body: &mut Vec<Block>) -> Option<String> {
    const NAMES: [&str; 6] = ["sapo", "tomtat", "tom-tat", "summary", "lead", "mota"];
    let first = body.iter().position(|b| !b.text.is_empty())?;
    let block = &body[first];
    let named =
        doc.tree.get(block.at).into_iter().flat_map(|n| std::iter::once(n).chain(n.ancestors())).take(3).any(|n| {
            n.value().as_element().is_some_and(|e| {
                e.attrs().filter(|(k, _)| *k == "class" || *k == "id").any(|(_, v)| {
                    let v = v.to_ascii_lowercase();
                    NAMES.iter().any(|name| v.contains(name))
                })
            })
        });
    let story_follows = body[first + 1..].iter().any(|b| b.chars() >= 80);
    (named && story_follows && block.image.is_none() && block.chars() >= 30).then(|| body.remove(first).text)
}

/// Without a toolbar: a bold lead set between the heading and the body, as portals do.
fn bold_lead_near(heading: ElementRef, body_start: Option<NodeId>) -> Option<String> {
    let parent = heading.parent().and_then(ElementRef::wrap)?;
    parent
        .descendants()
        .skip_while(|n| n.id() != heading.id())
        .skip(1)
        .take_while(|n| Some(n.id()) != body_start)
        .filter_map(ElementRef::wrap)
        .filter(|e| matches!(e.value().name(), "strong" | "b"))
        .map(|e| clean::text(&line_text(e)))
        .find(|t| t.chars().count() >= 15)
}

fn is_block(node: &Node) -> bool {
    node.as_element()
        .is_some_and(|e| matches!(e.name(), "p" | "div" | "table" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4"))
}

/// The date written next to the heading: the last one before it, else the first one right after
/// it, looking in the heading's nearest three ancestors within `main`, leaving out the text of
/// `excluded` elements (related boxes, chrome).
fn date_near(
    heading: ElementRef,
    main: ElementRef,
    excluded: &dyn Fn(NodeId) -> bool,
    zone: FixedOffset,
) -> Option<DateTime<FixedOffset>> {
    let ancestors = heading.ancestors().filter_map(ElementRef::wrap).take(3);
    for ancestor in ancestors.take_while(|a| within(*a, main)) {
        let (mut before, mut after) = (String::new(), String::new());
        let mut passed = false;
        for node in ancestor.descendants() {
            if node.id() == heading.id() {
                passed = true;
            }
            // Only the start of what follows the heading counts.
            if passed && after.len() > 480 {
                break;
            }
            let Node::Text(t) = node.value() else { continue };
            if is_hidden(node) || node.ancestors().any(|a| a.id() == heading.id() || excluded(a.id())) {
                continue;
            }
            let target = if passed { &mut after } else { &mut before };
            target.push_str(t);
            target.push(' ');
        }
        let near_after: String = after.chars().take(120).collect();
        let last_before = date::scan(&before, zone).last().map(|f| f.at);
        if let Some(d) = last_before.or_else(|| date::find_in(&near_after, zone)) {
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
