//! A page region as a flat list of blocks: each paragraph, heading, list, figure or run of
//! inline text once, in reading order, whatever the nesting of `div`s and layout tables around
//! them. Scoring, field taking and the accounting of what went where all work on these blocks.

use ego_tree::NodeId;
use scraper::{ElementRef, Node};

use super::clean;
use super::dom::{line_text, selector, text_of};
use crate::model::escape_html;

/// Toolbar links that web parts render as text; a block made only of them is not content.
const TOOLBAR_WORDS: &[&str] = &[
    "a-",
    "a+",
    "tăng cỡ chữ",
    "giảm cỡ chữ",
    "cỡ chữ",
    "in bài viết",
    "in bài",
    "in trang",
    "gửi email",
    "gửi e-mail",
    "gửi cho bạn bè",
    "gửi bạn bè",
    "bản in",
    "quay lại",
    "trở về",
    "chia sẻ",
    "lưu bài",
    "lưu tin",
    "gửi bài",
    "về đầu trang",
    "email",
    "print",
];

/// One block of text (or an image) as a reader sees it.
#[derive(Debug, Clone)]
pub struct Block {
    pub html: String,
    pub text: String,
    /// The element the block is, or for a run of inline content the element holding it: where
    /// the block sits in the page, for scoring its ancestors.
    pub at: NodeId,
    /// Characters of the text inside links.
    pub link_chars: usize,
    /// A list (`ul`, `ol`, `dl`) or a table of several rows of links.
    pub list: bool,
    /// The first image in the block: its `src` (the full-size picture when the image is a
    /// thumbnail linking to one), and the caption the markup gives it (`figcaption`, else
    /// `alt`, else `title`).
    pub image: Option<(String, Option<String>)>,
    /// A `figure`, a table holding an image, or an image whose text sits in an element of its
    /// own (`<div><a><img></a><div class="caption">…</div></div>`): its text is the caption.
    pub figure: bool,
    /// Italic or centred: how portals set captions.
    pub caption_like: bool,
    /// Right-aligned, or wholly bold or italic: how portals set bylines.
    pub byline_like: bool,
    /// Wholly bold.
    pub bold: bool,
}

impl Block {
    pub fn chars(&self) -> usize {
        self.text.chars().count()
    }

    /// The share of the text inside links.
    pub fn link_density(&self) -> f64 {
        let chars = self.chars();
        if chars == 0 { 0.0 } else { self.link_chars as f64 / chars as f64 }
    }

    /// A line of toolbar or share links ("Tăng cỡ chữ | Giảm cỡ chữ | In bài", "Chia sẻ: …").
    pub fn is_toolbar(&self) -> bool {
        is_toolbar(&self.text)
    }

    /// A date line, the font-size or print links that often share its run allowed
    /// ("Cập nhật: 5/4/2024 | 08:15 Tăng cỡ chữ Giảm cỡ chữ").
    pub fn is_date_bar(&self) -> bool {
        super::date::is_date_line(&without_toolbar_words(&self.text))
    }
}

/// The blocks under `root`, in reading order, leaving out what `skip` says and page machinery.
/// Containers (`div`s, layout tables, `section`s …) are walked into, so nesting never decides
/// what a block is; inline content between blocks becomes one block per run, a blank line
/// (`<br><br>`) ending the run, as old editors wrote paragraphs.
pub fn segment(root: ElementRef, skip: &dyn Fn(ElementRef) -> bool) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !skip(root) {
        walk(root, skip, &mut blocks);
    }
    blocks.retain(|b| !b.text.is_empty() || b.image.is_some());
    blocks
}

fn walk(container: ElementRef, skip: &dyn Fn(ElementRef) -> bool, blocks: &mut Vec<Block>) {
    let mut run = String::new();
    // Where the run starts in the page: its first node.
    let mut start: Option<NodeId> = None;
    let mut breaks = 0;
    // Whether the run so far ends with a whole inline element (a `<font>` line), not text.
    let mut ends_with_element = false;
    for node in container.children() {
        let Some(e) = ElementRef::wrap(node) else {
            if let Node::Text(t) = node.value() {
                if t.trim().is_empty() {
                    run.push(' ');
                    continue;
                }
                if breaks == 1 {
                    run.push_str("<br>");
                }
                run.push_str(&escape_html(t));
                start.get_or_insert(node.id());
                ends_with_element = false;
                breaks = 0;
            }
            continue;
        };
        let name = e.value().name();
        match name {
            "br" => {
                breaks += 1;
                if breaks == 2 {
                    push_run(&mut run, &mut start, container, blocks);
                }
                continue;
            }
            // Page machinery that can sit among the paragraphs; never content.
            "script" | "style" | "input" | "noscript" | "link" | "meta" | "template" | "textarea" | "select"
            | "button" | "iframe" | "object" | "svg" => {}
            _ if is_inline(name) && !has_block(e) && !has_blank_line(e) => {
                if skip(e) {
                    push_run(&mut run, &mut start, container, blocks);
                } else {
                    if breaks == 1 && ends_with_element {
                        // `<font>date</font><br><font><b>title</b></font>`: lines each set in
                        // their own element are blocks of their own.
                        push_run(&mut run, &mut start, container, blocks);
                    } else if breaks == 1 {
                        run.push_str("<br>");
                    }
                    run.push_str(&e.html());
                    start.get_or_insert(e.id());
                    ends_with_element = true;
                }
            }
            _ => {
                push_run(&mut run, &mut start, container, blocks);
                if skip(e) {
                    // Left out: a related box, the web-part chrome.
                } else if is_container(e) {
                    walk(e, skip, blocks);
                } else {
                    blocks.push(block(e, e.id()));
                }
            }
        }
        breaks = 0;
    }
    push_run(&mut run, &mut start, container, blocks);
}

fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "strong"
            | "i"
            | "em"
            | "u"
            | "span"
            | "font"
            | "sub"
            | "sup"
            | "small"
            | "big"
            | "s"
            | "strike"
            | "nobr"
            | "abbr"
            | "time"
            | "mark"
            | "cite"
            | "q"
            | "label"
    )
}

/// Whether an element holds block-level elements (a `<span>` around `<p>`s, a `<div>` of
/// paragraphs).
fn has_block(e: ElementRef) -> bool {
    e.descendants().skip(1).filter_map(|n| n.value().as_element()).any(|el| {
        matches!(
            el.name(),
            "p" | "div"
                | "table"
                | "ul"
                | "ol"
                | "dl"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "section"
                | "article"
                | "figure"
                | "blockquote"
                | "center"
                | "header"
                | "footer"
                | "aside"
                | "nav"
                | "form"
        )
    })
}

/// Whether a blank line (`<br><br>`, whitespace between) separates paragraphs among the
/// element's children.
fn has_blank_line(e: ElementRef) -> bool {
    let mut breaks = 0;
    for node in e.children() {
        match node.value() {
            Node::Element(el) if el.name() == "br" => {
                breaks += 1;
                if breaks == 2 {
                    return true;
                }
            }
            Node::Text(t) if t.trim().is_empty() => {}
            // Through inline wrappers: `<div><font>…<br><br>…</font></div>`.
            Node::Element(el) if is_inline(el.name()) && ElementRef::wrap(node).is_some_and(has_blank_line) => {
                return true;
            }
            _ => breaks = 0,
        }
    }
    false
}

/// A table of data (every row the same number of short cells, at least two by two), kept
/// whole; any other table is layout, read cell by cell.
fn is_data_table(table: ElementRef) -> bool {
    let rows: Vec<ElementRef> = table.select(selector("tr")).collect();
    let cells = |r: &ElementRef| {
        r.children().filter_map(ElementRef::wrap).filter(|c| matches!(c.value().name(), "td" | "th")).count()
    };
    let widths: Vec<usize> = rows.iter().map(cells).collect();
    rows.len() >= 2
        && widths.iter().all(|w| *w >= 2 && *w == widths[0])
        && table.select(selector("td, th")).all(|c| clean::text(&line_text(c)).chars().count() <= 80)
}

/// An element walked into rather than taken whole: a wrapper of other blocks. A figure (one
/// image and its caption in an element of its own) and a data table stay whole.
fn is_container(e: ElementRef) -> bool {
    let name = e.value().name();
    match name {
        "div" | "section" | "article" | "main" | "header" | "footer" | "aside" | "nav" | "center" | "form" | "span"
        | "font" | "td" | "th" | "a" | "b" | "strong" | "i" | "em" | "u" => {
            (has_block(e) || has_blank_line(e)) && !is_figure(e)
        }
        // A layout table's rows: each cell is a block or holds blocks.
        "tbody" | "thead" | "tfoot" | "tr" => true,
        // Paragraphs written as one `<p>` with blank lines between them.
        "p" => has_blank_line(e) && !is_figure(e),
        // A layout table (paragraphs in its cells) is walked; a picture with its caption row or
        // a data table is one block.
        "table" => !is_figure(e) && !is_data_table(e),
        _ => false,
    }
}

/// One image, and text that is short and all in one element apart from the image (or none).
fn is_figure(e: ElementRef) -> bool {
    let mut images = e.select(selector("img"));
    let (Some(img), None) = (images.next(), images.next()) else { return false };
    // A caption is a line or two: a container of the whole story is not read to find that out.
    let mut raw = 0;
    for node in e.descendants() {
        if let Node::Text(t) = node.value() {
            raw += t.trim().len();
            if raw > 1_500 {
                return false;
            }
        }
    }
    let text = clean::text(&line_text(e));
    if text.is_empty() {
        return true;
    }
    text.chars().count() <= 300
        && e.descendants().filter_map(ElementRef::wrap).any(|c| {
            c.id() != e.id()
                && !matches!(c.value().name(), "a" | "b" | "strong")
                && !c.descendants().any(|d| d.id() == img.id())
                && clean::text(&line_text(c)) == text
        })
}

/// Ends a run of inline content as one paragraph block, placed at its first node.
fn push_run(run: &mut String, start: &mut Option<NodeId>, container: ElementRef, blocks: &mut Vec<Block>) {
    let html = std::mem::take(run);
    let at = start.take().unwrap_or(container.id());
    if html.trim().is_empty() {
        return;
    }
    let fragment = scraper::Html::parse_fragment(&format!("<p>{html}</p>"));
    if let Some(p) = fragment.select(selector("p")).next() {
        blocks.push(block(p, at));
    }
}

/// `text` without toolbar link words ("Tăng cỡ chữ", "In bài" …), lower-cased.
fn without_toolbar_words(text: &str) -> String {
    let mut rest = text.to_lowercase();
    for word in TOOLBAR_WORDS {
        rest = rest.replace(word, " ");
    }
    rest
}

pub fn is_toolbar(text: &str) -> bool {
    if text.is_empty() || text.chars().count() > 120 {
        return false; // a line of toolbar links is short
    }
    let lower = text.to_lowercase();
    let share = lower.starts_with("chia sẻ") || lower.starts_with("share");
    let rest = without_toolbar_words(text);
    if rest == lower && !share {
        return false;
    }
    // The font-size buttons "A- A A+" leave single letters.
    let left =
        rest.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && !is_digits(w) && *w != "a").count();
    // "Chia sẻ: Facebook Zalo Twitter" names the networks.
    left == 0 || (share && left <= 5)
}

fn is_digits(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_digit())
}

/// Whether a link points at a picture file rather than a page.
fn is_picture(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp"].iter().any(|ext| path.ends_with(ext))
}

fn block(e: ElementRef, at: NodeId) -> Block {
    let text = clean::text(&line_text(e));
    let img = if e.value().name() == "img" { Some(e) } else { e.select(selector("img")).next() };
    let covered_by = |tags: &'static str| {
        let mut runs = e.select(selector(tags)).peekable();
        if runs.peek().is_none() {
            return false;
        }
        let inner: String = runs.map(|r| line_text(r) + " ").collect();
        !text.is_empty() && clean::text(&inner) == text
    };
    let aligned = |needle: &str| {
        std::iter::once(e).chain(e.descendants().filter_map(ElementRef::wrap)).any(|x| {
            let style = x.value().attr("style").unwrap_or_default().replace(' ', "").to_ascii_lowercase();
            style.contains(&format!("text-align:{needle}"))
                || x.value().attr("align").is_some_and(|a| a.eq_ignore_ascii_case(needle))
        })
    };
    // An empty caption element says the picture has no caption: the alt text is no caption then.
    let figcaption = e.select(selector("figcaption")).next().map(|c| clean::text(&text_of(c)));
    let figcaption_given = figcaption.is_some();
    let figcaption = figcaption.filter(|t| !t.is_empty());
    let image = img.and_then(|i| {
        let attr = |name| i.value().attr(name).map(clean::text).filter(|t| !t.is_empty());
        let src = i.value().attr("src")?.trim().to_string();
        // A thumbnail linking to its full-size picture: the picture is the image readers want.
        let full = i
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take_while(|a| a.id() != e.id())
            .find(|a| a.value().name() == "a")
            .and_then(|a| a.value().attr("href"))
            .map(str::trim)
            .filter(|href| is_picture(href));
        // Alt text is a caption only when it reads like one: "fdi", "anh1", "image003" do not.
        let described = |t: &String| t.split_whitespace().count() >= 3;
        let caption = if figcaption_given {
            figcaption.clone()
        } else {
            attr("alt").filter(described).or_else(|| attr("title").filter(described))
        };
        Some((full.unwrap_or(&src).to_string(), caption))
    });
    let link_chars = if e.value().name() == "a" {
        text.chars().count()
    } else {
        e.select(selector("a[href]")).map(|a| clean::text(&line_text(a)).chars().count()).sum()
    };
    let name = e.value().name();
    let italic = covered_by("em, i");
    let bold = covered_by("strong, b");
    // Editors that write `<div>`s (or `<span>`s, `<font>`s) for paragraphs: the sanitizer drops
    // the tag, so the block becomes a `<p>` of its contents, or it would run into the next.
    let html = match name {
        "div" | "span" | "font" | "section" | "article" | "center" | "td" | "th" | "a" | "b" | "strong" | "em"
        | "i" | "u"
            if !text.is_empty() && img.is_none() =>
        {
            format!("<p>{}</p>", e.inner_html())
        }
        "div" | "span" | "font" | "section" | "article" | "center" | "td" | "th" if !text.is_empty() => {
            format!("<p>{}</p>", e.inner_html())
        }
        _ => e.html(),
    };
    Block {
        html,
        at,
        link_chars: link_chars.min(text.chars().count()),
        list: matches!(name, "ul" | "ol" | "dl") || (name == "table" && e.select(selector("a[href]")).nth(1).is_some()),
        figure: image.is_some() && (matches!(name, "figure" | "table") || is_figure(e) && !text.is_empty()),
        caption_like: italic || aligned("center"),
        byline_like: aligned("right") || bold || italic,
        bold,
        image,
        text,
    }
}
