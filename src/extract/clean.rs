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

/// Query keys known to say nothing about which article a link reaches: tracking (`utm_*` too,
/// and Zalo's share tags, common on Vietnamese sites), SharePoint's `Source=` back-link and
/// dialog flag, paging, mobile views. Every other parameter may identify the article.
const NOISE_KEYS: [&str; 10] =
    ["source", "fbclid", "gclid", "msclkid", "zarsrc", "gidzl", "page", "isdlg", "mobile", "mobileview"];

/// Keys written one way whatever the link used: SharePoint's item id and list name (ASP.NET
/// reads query keys case-insensitively, so `itemid=7` and `ItemID=7` are one article).
const SPELLINGS: [&str; 2] = ["ItemID", "l"];

/// The article's canonical URL: no fragment, lower-case path (SharePoint paths are
/// case-insensitive), and the query without its noise, keys in one spelling, sorted. An item
/// id is unique only within its SharePoint list, so the list (`l=`) stays: `?ItemID=7&l=A` and
/// `?ItemID=7&l=B` are two articles, and every link to either gives the same URL.
pub fn canonical_url(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_fragment(None);
    let path = out.path().to_ascii_lowercase();
    out.set_path(&path);
    let mut kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.is_empty() && !k.starts_with("utm_") && !NOISE_KEYS.contains(&k.as_str())
        })
        .map(|(k, v)| {
            let key =
                SPELLINGS.iter().find(|s| s.eq_ignore_ascii_case(&k)).map_or_else(|| k.into_owned(), |s| s.to_string());
            (key, v.into_owned())
        })
        .collect();
    kept.sort_by(|a, b| a.0.to_ascii_lowercase().cmp(&b.0.to_ascii_lowercase()).then_with(|| a.cmp(b)));
    kept.dedup();
    if kept.is_empty() {
        out.set_query(None);
    } else {
        out.query_pairs_mut().clear().extend_pairs(kept);
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

    #[test]
    fn canonical_url_drops_noise_and_keeps_the_list() {
        let c = |u: &str| canonical_url(&Url::parse(u).unwrap()).to_string();
        let want = "https://backan.gov.vn/pages/chi-tiet-tin-tuc.aspx?ItemID=12345";
        assert_eq!(
            c("https://BACKAN.gov.vn/Pages/Chi-Tiet-Tin-Tuc.aspx?itemid=12345&Source=%2FPages%2Fx.aspx#top"),
            want
        );
        assert_eq!(c("https://backan.gov.vn/Pages/chi-tiet-tin-tuc.aspx?utm_source=fb&ItemID=12345&zarsrc=30"), want);
        assert_eq!(
            c("https://example.vn/news/a-b.html?utm_medium=x&b=2&a=1"),
            "https://example.vn/news/a-b.html?a=1&b=2"
        );
        assert_eq!(c("https://example.vn/news/a-b.html?fbclid=zz"), "https://example.vn/news/a-b.html");
        // An item id is unique within its list only: the list stays, in one spelling and order.
        let list_a = "https://yenbai.gov.vn/noidung/tintuc/pages/chi-tiet-tin-tuc.aspx?ItemID=1061&l=Tinhoatdong";
        for link in [
            "https://yenbai.gov.vn/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?l=Tinhoatdong&ItemID=1061",
            "https://yenbai.gov.vn/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?ItemID=1061&l=Tinhoatdong",
            "https://yenbai.gov.vn/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?itemId=1061&L=Tinhoatdong&Source=x&IsDlg=1",
        ] {
            assert_eq!(c(link), list_a, "{link}");
        }
        assert_ne!(
            c("https://yenbai.gov.vn/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?ItemID=1061&l=ThongBao"),
            list_a
        );
        assert_eq!(
            c("https://yenbai.gov.vn/a.aspx?l=Tin%20t%E1%BB%A9c&ItemID=1"),
            "https://yenbai.gov.vn/a.aspx?ItemID=1&l=Tin+t%E1%BB%A9c"
        );
    }
}
