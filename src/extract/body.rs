//! The body of an article by structure, shared by every HTML profile: the container's blocks,
//! the lead image and its caption, the byline, and the sanitized HTML and text of the rest.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Node};
use url::Url;

use super::clean;
use super::dom::{selector, text_of};
use crate::model::{Image, escape_html, is_web_url};

/// Toolbar links that web parts render as text; a block made only of them is not content.
const TOOLBAR_WORDS: [&str; 9] =
    ["tăng cỡ chữ", "giảm cỡ chữ", "in bài", "gửi email", "bản in", "quay lại", "chia sẻ", "lưu bài", "gửi bài"];

/// One top-level element of the body, with what classification needs.
#[derive(Debug, Clone)]
pub struct Block {
    pub html: String,
    pub text: String,
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

/// The element holding the body paragraphs: the one with the most `<p>` children.
pub fn container<'a>(root: ElementRef<'a>, skip: &dyn Fn(ElementRef) -> bool) -> ElementRef<'a> {
    let paragraphs =
        |e: &ElementRef| e.children().filter(|c| c.value().as_element().is_some_and(|el| el.name() == "p")).count();
    let best = root
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| !skip(*e))
        .max_by_key(|e| (paragraphs(e), std::cmp::Reverse(e.ancestors().count())));
    let mut chosen = best.filter(|e| paragraphs(e) > 0).unwrap_or(root);
    // Old editors wrote the body as text with <br> runs inside nested divs: go down to the
    // element that holds the text itself.
    loop {
        // Empty siblings (SharePoint's `ms-clear` divs) do not count.
        let elements: Vec<ElementRef> = chosen
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|e| !text_of(*e).trim().is_empty() || e.select(selector("img")).next().is_some())
            .collect();
        let has_text = chosen.children().any(|c| c.value().as_text().is_some_and(|t| !t.trim().is_empty()));
        match elements.as_slice() {
            [only] if !has_text && !skip(*only) => chosen = *only,
            _ => return chosen,
        }
    }
}

/// The container's children as blocks, without page machinery, empty paragraphs or toolbar
/// text. Inline content between block elements (text, links, bold) becomes one paragraph per
/// run, a blank line (`<br><br>`) ending the run, as old editors wrote paragraphs.
pub fn blocks(container: ElementRef, skip: &dyn Fn(ElementRef) -> bool) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut run = String::new();
    let mut breaks = 0;
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
                breaks = 0;
            }
            continue;
        };
        match e.value().name() {
            "br" => {
                breaks += 1;
                if breaks == 2 {
                    push_run(&mut run, &mut blocks);
                }
                continue;
            }
            // Page machinery that can sit among the paragraphs; never content.
            "script" | "style" | "input" | "noscript" | "link" | "meta" | "template" => {}
            name if is_inline(name) => {
                if breaks == 1 {
                    run.push_str("<br>");
                }
                run.push_str(&e.html());
            }
            _ => {
                push_run(&mut run, &mut blocks);
                if !skip(e) {
                    blocks.push(block(e));
                }
            }
        }
        breaks = 0;
    }
    push_run(&mut run, &mut blocks);
    blocks.retain(|b| (!b.text.is_empty() && !is_toolbar(&b.text)) || b.image.is_some());
    blocks
}

fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "b" | "strong" | "i" | "em" | "u" | "span" | "font" | "sub" | "sup" | "small" | "big" | "s" | "strike"
    )
}

/// Ends a run of inline content as one paragraph block.
fn push_run(run: &mut String, blocks: &mut Vec<Block>) {
    let html = std::mem::take(run);
    if html.trim().is_empty() {
        return;
    }
    let fragment = scraper::Html::parse_fragment(&format!("<p>{html}</p>"));
    if let Some(p) = fragment.select(selector("p")).next() {
        blocks.push(block(p));
    }
}

fn is_toolbar(text: &str) -> bool {
    if text.len() > 120 {
        return false; // a line of toolbar links is short
    }
    let mut rest = text.to_lowercase();
    for word in TOOLBAR_WORDS {
        rest = rest.replace(word, "");
    }
    rest.chars().all(|c| !c.is_alphanumeric() || c.is_ascii_digit())
}

/// Whether a link points at a picture file rather than a page.
fn is_picture(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp"].iter().any(|ext| path.ends_with(ext))
}

/// `html` without its first image (and the link around it, if that link holds nothing else).
fn without_first_image(html: &str) -> String {
    static LINKED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)<a\b[^>]*>\s*<img\b[^>]*>\s*</a>").expect("static regex"));
    static IMG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<img\b[^>]*>").expect("static regex"));
    let first_img = IMG.find(html).map(|m| m.start());
    match LINKED.find(html) {
        // The linked image is the first image: take the link with it.
        Some(m) if first_img.is_some_and(|i| i >= m.start() && i < m.end()) => {
            format!("{}{}", &html[..m.start()], &html[m.end()..])
        }
        _ => IMG.replace(html, "").into_owned(),
    }
}

fn block(e: ElementRef) -> Block {
    let text = clean::text(&text_of(e));
    let img = if e.value().name() == "img" { Some(e) } else { e.select(selector("img")).next() };
    let covered_by = |tags: &'static str| {
        let mut runs = e.select(selector(tags)).peekable();
        if runs.peek().is_none() {
            return false;
        }
        let inner: String = runs.map(text_of).collect();
        !text.is_empty() && clean::text(&inner) == text
    };
    let aligned = |needle: &str| {
        std::iter::once(e).chain(e.descendants().filter_map(ElementRef::wrap)).any(|x| {
            let style = x.value().attr("style").unwrap_or_default().replace(' ', "").to_ascii_lowercase();
            style.contains(&format!("text-align:{needle}"))
                || x.value().attr("align").is_some_and(|a| a.eq_ignore_ascii_case(needle))
        })
    };
    let figcaption = e.select(selector("figcaption")).next().map(|c| clean::text(&text_of(c)));
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
        Some((full.unwrap_or(&src).to_string(), figcaption.clone().or_else(|| attr("alt")).or_else(|| attr("title"))))
    });
    // The image's text in an element of its own, apart from the image: a caption block.
    let caption_apart = img.is_some_and(|i| {
        !text.is_empty()
            && text.chars().count() <= 300
            && e.descendants().filter_map(ElementRef::wrap).any(|c| {
                matches!(c.value().name(), "div" | "p" | "span" | "em" | "i" | "small" | "td")
                    && c.id() != e.id()
                    && !c.descendants().any(|d| d.id() == i.id())
                    && clean::text(&text_of(c)) == text
            })
    });
    let italic = covered_by("em, i");
    let bold = covered_by("strong, b");
    // Editors that write `<div>`s (or `<span>`s, `<font>`s) for paragraphs: the sanitizer drops
    // the tag, so the block becomes a `<p>` of its contents, or it would run into the next.
    let html = match e.value().name() {
        "div" | "span" | "font" | "section" | "article" | "center" if !text.is_empty() => {
            format!("<p>{}</p>", e.inner_html())
        }
        _ => e.html(),
    };
    Block {
        html,
        figure: image.is_some() && (matches!(e.value().name(), "figure" | "table") || caption_apart),
        caption_like: italic || aligned("center"),
        byline_like: aligned("right") || bold || italic,
        bold,
        image,
        text,
    }
}

/// Takes the image that opens the body (before any text paragraph) and its caption out of the
/// blocks: they become the article's image and caption, shown once, not twice.
pub fn take_lead_image(blocks: &mut Vec<Block>, base: &Url) -> (Option<Image>, Option<String>) {
    let Some(first_image) = blocks.iter().position(|b| b.image.is_some()) else {
        return (None, None);
    };
    let first_text = blocks.iter().position(|b| !b.text.is_empty() && b.image.is_none());
    if first_text.is_some_and(|t| t < first_image) {
        return (None, None);
    }
    let lead = &blocks[first_image];
    let (src, markup_caption) = lead.image.clone().expect("position() found an image");
    // An image that is not on the web (`data:`, `javascript:`) is no lead image; the
    // sanitizer deals with it in the body.
    let Some(url) = base.join(&src).ok().filter(is_web_url) else { return (None, None) };
    let image = Some(Image { url, length: None, mime: None });
    let short = |t: &str| t.chars().count() <= 300;
    if lead.figure || (lead.caption_like && short(&lead.text)) || lead.text.is_empty() {
        let lead = blocks.remove(first_image);
        // A figure or caption table, or the image's own centred paragraph (`<img><br><em>…`):
        // its text is the caption.
        let caption = if !lead.text.is_empty() {
            Some(lead.text)
        } else if let Some(next) = blocks.get(first_image)
            && next.image.is_none()
            && next.caption_like
            && short(&next.text)
        {
            Some(blocks.remove(first_image).text)
        } else {
            markup_caption
        };
        (image, caption)
    } else {
        // An image floated inside the first paragraph: the paragraph stays, without the image,
        // which is the article's lead (shown once, not twice).
        blocks[first_image].html = without_first_image(&blocks[first_image].html);
        (image, markup_caption)
    }
}

/// The image of an element a selector chose: the element itself or its first `img`.
pub fn image_of(e: ElementRef, base: &Url) -> Option<Image> {
    let img = if e.value().name() == "img" { e } else { e.select(selector("img")).next()? };
    let url = base.join(img.value().attr("src")?.trim()).ok().filter(is_web_url)?;
    Some(Image { url, length: None, mime: None })
}

static GLUED_BYLINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?s)(.*\./\.)\s*([^./]{2,60})$").expect("static regex"));

/// The labels newsrooms put before a byline: "Tác giả:", "Tin, ảnh:", "Bài và ảnh:", "PV:"…
static BYLINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:tác giả|người viết|phóng viên|nhóm phóng viên|pv|thực hiện|(?:tin|bài)(?:\s*(?:,|và|\+|/)\s*ảnh)?|ảnh)\s*[:：]\s*",
    )
    .expect("static regex")
});

/// A compiler's or translator's note after the name: "Thu Hà (tổng hợp)".
static BYLINE_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*\((?:tổng hợp|t\.?h|st|sưu tầm|lược dịch|dịch|theo [^)]*)\)\s*$").expect("static regex")
});

/// "Theo TTXVN", "Nguồn: Báo Bắc Kạn": where the story came from, not who wrote it.
static SOURCE_CREDIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?:theo|nguồn)\b\s*[:：]?\s*").expect("static regex"));

/// The author's name from a byline as Vietnamese newsrooms write it: the label ("Tác giả:",
/// "Tin, ảnh:", "Bài và ảnh:") and a note ("(tổng hợp)") left out, two names joined by `-`,
/// `,` or "và" given as "A, B". A credit to a source ("Theo TTXVN") is no author: it stays in
/// the body, where readers see it, and this gives `None`.
pub fn author_name(text: &str) -> Option<String> {
    let text = text.trim();
    if SOURCE_CREDIT.is_match(text) {
        return None;
    }
    let name = BYLINE_LABEL.replace(text, "");
    let name = BYLINE_NOTE.replace(&name, "");
    let names: Vec<&str> = name
        .split([',', '-', '–', '&', ';'])
        .flat_map(|part| part.split(" và "))
        .map(|part| part.trim().trim_end_matches('.').trim())
        .filter(|part| !part.is_empty())
        .collect();
    let joined = names.join(", ");
    is_byline(&joined).then_some(joined)
}

/// Drops the byline's own block from `blocks`, however it was written ("Tác giả: X" for the
/// author X).
pub fn drop_byline(blocks: &mut Vec<Block>, author: &str) {
    blocks.retain(|b| b.text != author && author_name(&b.text).as_deref() != Some(author));
}

/// Whether `text` starts with a byline label: a byline whatever its style.
fn is_labelled_byline(text: &str) -> bool {
    BYLINE_LABEL.is_match(text.trim()) && is_byline(text)
}

/// The byline: a short last line set apart (right-aligned, bold or italic, or labelled
/// "Tác giả:" and the like) that is not the story's end, or a name glued after the story's end
/// mark `./.` in the last paragraph. Gives the author's name (see [`author_name`]).
pub fn take_author(blocks: &mut [Block]) -> Option<String> {
    let last = blocks.iter().rposition(|b| !b.text.is_empty())?;
    let b = &blocks[last];
    if is_byline(&b.text) && (b.byline_like || is_labelled_byline(&b.text)) && b.image.is_none() && last > 0 {
        let author = author_name(&b.text)?;
        blocks[last].text.clear();
        blocks[last].html.clear();
        return Some(author);
    }
    let caps = GLUED_BYLINE.captures(&b.text)?;
    let (story, author) = (caps[1].to_string(), caps[2].trim().to_string());
    let author = author_name(&author)?;
    // The paragraph is rebuilt from its text: the name may sit in any inline markup after `./.`.
    blocks[last].html = format!("<p>{}</p>", escape_html(&story));
    blocks[last].text = story;
    Some(author)
}

/// Short, a few words, and not a sentence.
pub fn is_byline(text: &str) -> bool {
    text.chars().count() <= 60
        && text.split_whitespace().count() <= 8
        && !text.ends_with('.')
        && !text.ends_with(':')
        && text.chars().any(char::is_alphabetic)
}

/// A fully bold first paragraph: the lead when the toolbar had none.
pub fn take_bold_lead(blocks: &mut Vec<Block>) -> Option<String> {
    let first = blocks.iter().position(|b| !b.text.is_empty())?;
    let b = &blocks[first];
    (b.bold && b.image.is_none() && b.text.chars().count() >= 30 && blocks.len() > first + 1)
        .then(|| blocks.remove(first).text)
}

/// The sanitized HTML and the plain text of what is left.
pub fn assemble(blocks: &[Block], base: &Url) -> (String, String) {
    let kept: Vec<&Block> = blocks.iter().filter(|b| !b.html.is_empty()).collect();
    // One sanitizer pass over the whole body: building the sanitizer and parsing cost more than
    // the blocks themselves.
    let raw = kept.iter().map(|b| b.html.as_str()).collect::<Vec<_>>().join("\n");
    let html = clean::html(&raw, base);
    let text = kept.iter().map(|b| b.text.as_str()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n\n");
    (html, text)
}

#[cfg(test)]
mod byline_tests {
    use super::author_name;

    #[test]
    fn bylines_as_newsrooms_write_them() {
        for (byline, name) in [
            ("Thu Cúc", Some("Thu Cúc")),
            ("Tác giả: Lương Thị Hạnh", Some("Lương Thị Hạnh")),
            ("TÁC GIẢ: Lương Thị Hạnh", Some("Lương Thị Hạnh")),
            ("Tin, ảnh: Minh Hằng", Some("Minh Hằng")),
            ("Tin và ảnh: Minh Hằng", Some("Minh Hằng")),
            ("Bài và ảnh: Nông Tuấn", Some("Nông Tuấn")),
            ("Bài, ảnh: Nông Tuấn", Some("Nông Tuấn")),
            ("Bài: Hoàng Anh", Some("Hoàng Anh")),
            ("Thu Hà (tổng hợp)", Some("Thu Hà")),
            ("PV", Some("PV")),
            ("Thu Cúc - Minh Hằng", Some("Thu Cúc, Minh Hằng")),
            ("Thu Cúc, Minh Hằng", Some("Thu Cúc, Minh Hằng")),
            ("Thu Cúc và Minh Hằng", Some("Thu Cúc, Minh Hằng")),
            ("Theo TTXVN", None),
            ("Nguồn: Báo Bắc Kạn", None),
            ("Tác giả:", None),
            ("Đây là một câu văn dài của bài viết, không phải là tên tác giả của bài.", None),
        ] {
            assert_eq!(author_name(byline).as_deref(), name, "{byline}");
        }
    }
}
