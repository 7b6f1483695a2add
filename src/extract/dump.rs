//! Text dumps of PublishingPortal pages: the plain-text rendering that web archives keep, where
//! each web part starts with a line "PublishingPortal - Block_…". Read with the same rules as
//! the HTML page (first line the title, a date, the lead; a short first line the caption, a
//! short last line the author), so a dump and its page give the same article.

use super::body::author_name;
use super::{ExtractError, clean, date};
use crate::model::{Article, Page, escape_html};

const MARKER: &str = "PublishingPortal - Block_";
const TOOLBAR_LINES: [&str; 6] = ["tăng cỡ chữ", "giảm cỡ chữ", "in bài", "gửi email", "bản in", "quay lại"];

/// Whether `text` is a dump rather than HTML.
pub fn is_dump(text: &str) -> bool {
    let head = &text[..text.floor_char_boundary(4096)];
    head.contains(MARKER) && !head.contains("<div") && !head.contains("<html") && !head.contains("<HTML")
}

pub fn article(page: &Page) -> Result<Article, ExtractError> {
    let mut toolbar: Vec<String> = Vec::new();
    let mut viewdata: Vec<String> = Vec::new();
    let mut current: Option<&mut Vec<String>> = None;
    for line in page.html.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix(MARKER) {
            let name = name.to_ascii_lowercase();
            current = if name.starts_with("bantin_toolbar") {
                Some(&mut toolbar)
            } else if name.starts_with("bantin_viewdata") {
                Some(&mut viewdata)
            } else {
                None // related news and other web parts
            };
            continue;
        }
        let text = clean::text(trimmed);
        if let Some(lines) = current.as_deref_mut()
            && !text.is_empty()
        {
            lines.push(text);
        }
    }
    if toolbar.is_empty() && viewdata.is_empty() {
        return Err(ExtractError::Missing {
            field: "title", reason: format!("no \"{MARKER}…\" segments in the dump")
        });
    }

    let mut published = None;
    let mut head: Vec<String> = Vec::new();
    for line in toolbar {
        let lower = line.to_lowercase();
        let mut rest = lower.clone();
        for word in TOOLBAR_LINES {
            rest = rest.replace(word, "");
        }
        if rest.trim().is_empty() {
            continue; // the font-size and print links
        }
        if published.is_none()
            && let Some(d) = date::find(&line)
            && line.chars().count() <= 40
        {
            published = Some(d);
            continue;
        }
        head.push(line);
    }
    let mut head = head.into_iter();
    let title = head.next().ok_or_else(|| ExtractError::Missing {
        field: "title",
        reason: "the Block_BanTin_Toolbar segment has no title line".into(),
    })?;
    let summary = Some(head.collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty());

    let mut paragraphs = viewdata;
    // The same byline rule as the page's: a short last line, its label left out; a source
    // credit ("Theo TTXVN") stays in the body.
    let author = match paragraphs.last().filter(|_| paragraphs.len() > 1).and_then(|l| author_name(l)) {
        Some(name) => {
            paragraphs.pop();
            Some(name)
        }
        None => None,
    };
    // The image is gone from a dump; its caption stays as a short first line above the story.
    let caption = (paragraphs.len() > 1 && is_caption(&paragraphs[0])).then(|| paragraphs.remove(0));
    if paragraphs.is_empty() {
        return Err(ExtractError::Missing {
            field: "body",
            reason: "the Block_BanTin_ViewData segment is empty".into(),
        });
    }
    Ok(Article {
        url: crate::model::canonical_url(&page.url),
        id: None,
        title,
        published,
        summary,
        author,
        image: None,
        caption,
        categories: Vec::new(),
        content_html: paragraphs.iter().map(|p| format!("<p>{}</p>", escape_html(p))).collect::<Vec<_>>().join("\n"),
        content_text: paragraphs.join("\n\n"),
    })
}

fn is_caption(line: &str) -> bool {
    line.chars().count() <= 200 && !line.ends_with('.') && !line.ends_with("./.")
}
