//! The fields a body's blocks hold, shared by every HTML profile: the lead image and its
//! caption, the byline, the bold lead, and the sanitized HTML and text of the rest.

use std::sync::LazyLock;

use regex::Regex;
use scraper::ElementRef;
use url::Url;

use super::blocks::Block;
use super::clean;
use super::dom::selector;
use crate::model::{Image, escape_html, is_web_url};

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
        r"(?i)^(?:(?:tác giả|người viết|phóng viên|nhóm phóng viên|pv|thực hiện|(?:tin|bài)(?:\s*(?:,|và|\+|/)\s*ảnh)?|ảnh)\s*[:：]|(?:được viết bởi|viết bởi|đăng bởi|người đăng)\s*[:：]?)\s*",
    )
    .expect("static regex")
});

/// A source credit in brackets after a byline: "(Theo TTXVN)".
static CREDIT_NOTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\(((?:theo|nguồn)\b[^)]*)\)\s*$").expect("static regex"));

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
    // Only a short line can be a byline: the label patterns are not run over every paragraph.
    blocks.retain(|b| b.text != author && (b.text.len() > 240 || author_name(&b.text).as_deref() != Some(author)));
}

/// Whether `text` starts with a byline label: a byline whatever its style.
pub fn is_labelled_byline(text: &str) -> bool {
    BYLINE_LABEL.is_match(text.trim()) && is_byline(text)
}

/// Whether `text` credits a source ("Nguồn: Báo Bắc Kạn", "Theo TTXVN"): it stays in the body,
/// where readers see it, and is never the author.
pub fn is_credit(text: &str) -> bool {
    text.chars().count() <= 120 && SOURCE_CREDIT.is_match(text.trim())
}

/// A line that is only a person's name as Vietnamese writes it: every word capitalised
/// ("Thu Cúc", "Nguyễn Văn An", "PV"), a few words, no digits.
fn is_name(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | '–' | '&'))
        .filter(|w| !w.is_empty() && *w != "và")
        .collect();
    (1..=8).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase) && !w.chars().any(|c| c.is_ascii_digit()))
}

/// Where the byline is among a body's texts, in order, each with whether its style sets it
/// apart (right-aligned, bold, italic): a short last line set apart, labelled ("Tác giả:") or
/// a bare name after the story, before or after source credits, which stay in the body.
pub fn find_byline(texts: &[(&str, bool)]) -> Option<(usize, String)> {
    let mut lines = texts.iter().enumerate().rev().filter(|(_, (t, _))| !t.is_empty());
    let (mut index, mut line) = lines.next()?;
    // Past at most two credit lines at the very end.
    for _ in 0..2 {
        if !is_credit(line.0) {
            break;
        }
        (index, line) = lines.next()?;
    }
    let (text, styled) = *line;
    let story_before = lines.next().is_some();
    let set_apart = styled || is_labelled_byline(text) || is_name(text);
    if !(story_before && set_apart && is_byline(text) && !is_credit(text)) {
        return None;
    }
    Some((index, author_name(text)?))
}

/// The byline among the body's last blocks (see [`find_byline`]), or a name glued after the
/// story's end mark `./.` in the last paragraph. Gives the author's name (see [`author_name`]).
pub fn take_author(blocks: &mut [Block]) -> Option<String> {
    let texts: Vec<(&str, bool)> =
        blocks.iter().map(|b| (if b.image.is_some() { "" } else { b.text.as_str() }, b.byline_like)).collect();
    if let Some((index, author)) = find_byline(&texts) {
        // "Hoàng Nam (Theo Cổng TTĐT tỉnh Nam Định)": the name goes to the author, the credit
        // stays where readers see it.
        let credit = CREDIT_NOTE.captures(&blocks[index].text).map(|c| c[1].to_string());
        match credit {
            Some(credit) => {
                blocks[index].html = format!("<p>{}</p>", escape_html(&credit));
                blocks[index].text = credit;
            }
            None => {
                blocks[index].text.clear();
                blocks[index].html.clear();
            }
        }
        return Some(author);
    }
    let last = blocks.iter().rposition(|b| !b.text.is_empty())?;
    let caps = GLUED_BYLINE.captures(&blocks[last].text)?;
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
