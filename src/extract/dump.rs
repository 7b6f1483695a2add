//! Text dumps of PublishingPortal pages: the plain-text rendering that web archives keep, where
//! each web part starts with a line "PublishingPortal - Block_…". Read with the same rules as
//! the HTML page (first line the title, a date, the lead; a short first line the caption, a
//! short last line the author), so a dump and its page give the same article.

use super::blocks::is_toolbar;
use super::body::{author_name, find_byline, is_labelled_byline};
use super::score::is_box_title;
use super::{ExtractError, Extracted, clean, date};
use crate::model::{Article, Page, escape_html};

const MARKER: &str = "PublishingPortal - Block_";

/// Whether `text` is a dump rather than HTML.
pub fn is_dump(text: &str) -> bool {
    let head = &text[..text.floor_char_boundary(4096)];
    head.contains(MARKER) && !head.contains("<div") && !head.contains("<html") && !head.contains("<HTML")
}

pub fn article(page: &Page) -> Result<Extracted, ExtractError> {
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

    // The toolbar's lines in any order: date lines give the date, toolbar and share lines go,
    // the first other line is the title and the rest the lead.
    let mut dates: Vec<String> = Vec::new();
    let mut head: Vec<String> = Vec::new();
    for line in toolbar {
        if is_toolbar(&line) {
            continue;
        }
        if is_date_line(&line) {
            dates.push(line);
            continue;
        }
        head.push(line);
    }
    let mut head = head.into_iter();
    let title = head.next().ok_or_else(|| ExtractError::Missing {
        field: "title",
        reason: "the Block_BanTin_Toolbar segment has no title line".into(),
    })?;
    let lead: Vec<String> = head.filter(|l| l.chars().count() >= 20 && !l.ends_with(':')).collect();
    let summary = Some(lead.join(" ")).filter(|s| !s.is_empty());

    // The story's lines, without toolbar and share lines, date lines, and boxes of other
    // articles (from their title on, until a line long enough to be the story again).
    let mut paragraphs: Vec<String> = Vec::new();
    let mut in_box = false;
    for line in viewdata {
        if is_box_title(&line) {
            in_box = true;
            continue;
        }
        if in_box && line.chars().count() < 200 {
            continue;
        }
        in_box = false;
        if is_toolbar(&line) || line == title {
            continue;
        }
        if is_date_line(&line) {
            dates.push(line);
            continue;
        }
        paragraphs.push(line);
    }
    let published = date::find(&dates.join(" | "));

    // The same byline rule as the page's: a short last line (credits after it stay in the
    // body), or a labelled line right under the caption.
    let texts: Vec<(&str, bool)> = paragraphs.iter().map(|p| (p.as_str(), false)).collect();
    let mut author = find_byline(&texts).map(|(index, name)| {
        paragraphs.remove(index);
        name
    });
    // The image is gone from a dump; its caption stays as a short first line above the story.
    let caption = (paragraphs.len() > 1 && is_caption(&paragraphs[0])).then(|| paragraphs.remove(0));
    if author.is_none()
        && paragraphs.len() > 1
        && is_labelled_byline(&paragraphs[0])
        && let Some(name) = author_name(&paragraphs[0])
    {
        paragraphs.remove(0);
        author = Some(name);
    }
    if paragraphs.is_empty() {
        return Err(ExtractError::Missing {
            field: "body",
            reason: "the Block_BanTin_ViewData segment is empty".into(),
        });
    }
    let article = Article {
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
    };
    Ok(Extracted { article, unplaced: Vec::new() })
}

/// A line that only gives the date (with its labels and weekday), in the toolbar or the story.
fn is_date_line(line: &str) -> bool {
    line.chars().count() <= 120 && date::is_date_line(line)
}

/// A short line that is no sentence of the story, or one short sentence ("Quang cảnh buổi
/// làm việc."), as captions are written.
fn is_caption(line: &str) -> bool {
    let chars = line.chars().count();
    let one_sentence = line.trim_end_matches('.').matches(['.', '!', '?']).count() == 0 && chars <= 120;
    chars <= 200 && !line.ends_with("./.") && !is_labelled_byline(line) && (!line.ends_with('.') || one_sentence)
}
