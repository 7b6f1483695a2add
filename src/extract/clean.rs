//! Text and HTML hygiene shared by every profile: NFC text without invisible characters,
//! allow-listed HTML with absolute URLs, and canonical article URLs.

use std::collections::{HashMap, HashSet};

use ammonia::{Builder, UrlRelative};
use unicode_normalization::UnicodeNormalization;
use url::Url;

use crate::model::is_xml_char;

/// Plain text as feeds should carry it: NFC, entities already decoded by the parser, no
/// zero-width or XML-forbidden characters, every whitespace run (NBSP included) one space.
pub fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in nfc(raw).chars() {
        if is_invisible(c) || !is_xml_char(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// `text` in NFC, borrowed when it already is (nearly always: normalizing costs more than the
/// quick check).
pub fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => std::borrow::Cow::Borrowed(text),
        _ => std::borrow::Cow::Owned(text.nfc().collect()),
    }
}

/// Characters that render as nothing: pasted from Word or CMS editors, they break search and
/// equality. (ZWJ/ZWNJ carry meaning in other scripts, never in Vietnamese.)
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Allow-listed HTML: no scripts, styles, event handlers, classes or `javascript:` URLs; every
/// URL made absolute against `base` (the page's final URL); text NFC without invisibles.
pub fn html(fragment: &str, base: &Url) -> String {
    // Bounded first: feed items bring HTML that no page parse has bounded yet.
    let prepared: String =
        nfc(&super::dom::bound(fragment)).chars().filter(|c| !is_invisible(*c) && is_xml_char(*c)).collect();
    let tags: HashSet<&str> = [
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "a",
        "img",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "figure",
        "figcaption",
        "hr",
        "pre",
        "code",
    ]
    .into();
    let attributes: HashMap<&str, HashSet<&str>> = [
        ("a", ["href", "title"].into()),
        ("img", ["src", "alt", "title", "width", "height"].into()),
        ("td", ["colspan", "rowspan"].into()),
        ("th", ["colspan", "rowspan"].into()),
    ]
    .into();
    let cleaned = Builder::default()
        .tags(tags)
        .tag_attributes(attributes)
        .generic_attributes(HashSet::new())
        .url_schemes(["http", "https", "mailto"].into())
        .url_relative(UrlRelative::RewriteWithBase(base.clone()))
        .link_rel(Some("noopener noreferrer"))
        .clean(&prepared)
        .to_string();
    // Word and SharePoint editors space with NBSP runs; in a feed reader they only stop wrapping.
    collapse_spaces(&cleaned.replace("&nbsp;", " "))
}

fn collapse_spaces(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut last_space = false;
    for c in html.chars() {
        let space = c == ' ';
        if !(space && last_space) {
            out.push(c);
        }
        last_space = space;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_nfc_single_spaced_and_visible() {
        assert_eq!(text("  Vie\u{0323}\u{0302}t\u{00A0}\u{00A0}Nam\u{200B}\n\t2024\u{000B} "), "Việt Nam 2024");
    }

    #[test]
    fn html_is_allow_listed_and_absolute() {
        let base = Url::parse("https://portal.example/Pages/a.aspx?ItemID=1").unwrap();
        let out = html(
            r#"<p class="MsoNormal" onclick="x()" style="color:red">A&nbsp;<a href="/b.aspx">b</a><o:p></o:p>
               <a href="javascript:alert(1)">j</a><img src="../img/c.jpg"><script>bad()</script></p>"#,
            &base,
        );
        assert!(out.contains(r#"<a href="https://portal.example/b.aspx" rel="noopener noreferrer">b</a>"#), "{out}");
        assert!(out.contains(r#"<img src="https://portal.example/img/c.jpg">"#), "{out}");
        for banned in ["class", "onclick", "style", "javascript", "script", "o:p", "&nbsp;"] {
            assert!(!out.contains(banned), "{banned} in {out}");
        }
    }
}
