//! Small DOM helpers over `scraper`, shared by the profiles, and the one way a page becomes a
//! DOM: within bounds on nesting and size, whatever the page.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

/// Elements nested deeper than this are flattened (their tags dropped, their text kept): the
/// HTML tree builder checks the stack of open elements at each tag, so 50,000 nested `<div>`s
/// cost a minute of CPU. Real article pages nest a few dozen deep.
pub const MAX_DEPTH: usize = 256;

/// Beyond this many tags the rest of a page is dropped: a DOM node costs a hundred bytes or
/// more, and an article page has a few thousand.
pub const MAX_TAGS: usize = 200_000;

/// Parses a whole page within [`MAX_DEPTH`] and [`MAX_TAGS`], saying what was cut.
pub fn document(html: &str) -> Html {
    let bounded = bound(html);
    if let Cow::Owned(cut) = &bounded {
        tracing::warn!(bytes = html.len(), kept = cut.len(), "page nested or sized beyond limits: flattened");
    }
    Html::parse_document(&bounded)
}

/// Elements whose contents are text, not markup: tags inside them are not tags.
const RAW_TEXT: [&str; 5] = ["script", "style", "textarea", "title", "xmp"];

/// Elements that never hold others, or that HTML closes implicitly (a `<p>` or `<li>` left
/// open ends at the next one, so counting them would see depth that is not there).
const NOT_NESTING: [&str; 26] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p",
    "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
];

/// `html` with tags nested deeper than [`MAX_DEPTH`] removed and everything after the
/// [`MAX_TAGS`]th tag dropped; borrowed unchanged when within both. One linear pass over the
/// tags, lenient like browsers: a tag that does not close ends the scan.
pub fn bound(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut tags = 0usize;
    // Byte ranges of tags to drop, and where to cut the page.
    let mut drop: Vec<(usize, usize)> = Vec::new();
    let mut cut = html.len();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        if html[start..].starts_with("<!--") {
            at = html[start..].find("-->").map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let name_len = bytes[name_start.min(bytes.len())..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 {
            at = start + 1;
            continue;
        }
        let Some(end) = tag_end(bytes, name_start + name_len) else { break };
        tags += 1;
        if tags > MAX_TAGS {
            cut = start;
            break;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let self_closing = bytes[end - 1] == b'/';
        at = end + 1;
        if closing {
            if !NOT_NESTING.contains(&name.as_str()) {
                if depth > MAX_DEPTH {
                    drop.push((start, end + 1));
                }
                depth = depth.saturating_sub(1);
            }
        } else if RAW_TEXT.contains(&name.as_str()) {
            let close = format!("</{name}");
            let rest = html[at..].to_ascii_lowercase();
            at = rest.find(&close).map_or(html.len(), |e| at + e);
        } else if !self_closing && !NOT_NESTING.contains(&name.as_str()) {
            depth += 1;
            if depth > MAX_DEPTH {
                drop.push((start, end + 1));
            }
        }
    }
    if drop.is_empty() && cut == html.len() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(cut);
    let mut from = 0;
    for (start, end) in drop.into_iter().filter(|(s, _)| *s < cut) {
        out.push_str(&html[from..start]);
        from = end;
    }
    out.push_str(&html[from..cut]);
    Cow::Owned(out)
}

/// The index of the `>` that ends a tag whose name ends at `from`, skipping quoted values.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in bytes.iter().enumerate().skip(from) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), b) if q == *b => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The element's text as a reader sees it: script and style contents left out.
pub fn text_of(e: ElementRef) -> String {
    visible_text(e).collect()
}

/// Text with a space between every text node, so a date in one cell and a time in the next,
/// or `<p>a</p><p>b</p>` without whitespace, do not run together.
pub fn spaced_text(e: ElementRef) -> String {
    visible_text(e).collect::<Vec<_>>().join(" ")
}

/// Text as lines read: a space where a `<br>` or a block element breaks the line, so
/// `Chuyển đổi<br>số` is "Chuyển đổi số", while inline markup (`Bắc <b>Kạn</b>`) joins as written.
pub fn line_text(e: ElementRef) -> String {
    let mut out = String::new();
    for edge in e.traverse() {
        let (node, opening) = match edge {
            ego_tree::iter::Edge::Open(node) => (node, true),
            ego_tree::iter::Edge::Close(node) => (node, false),
        };
        match node.value() {
            Node::Text(t) if opening && !is_hidden(node) => out.push_str(t),
            Node::Element(el) if is_line_break(el.name()) => out.push(' '),
            _ => {}
        }
    }
    out
}

/// Elements that start a new line when rendered.
pub fn is_line_break(name: &str) -> bool {
    matches!(
        name,
        "br" | "p"
            | "div"
            | "li"
            | "td"
            | "th"
            | "tr"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "table"
            | "section"
            | "article"
            | "figure"
            | "figcaption"
            | "blockquote"
            | "dt"
            | "dd"
            | "hr"
    )
}

fn visible_text(e: ElementRef<'_>) -> impl Iterator<Item = &str> + '_ {
    e.descendants().filter_map(|node| match node.value() {
        Node::Text(t) if !is_hidden(node) => Some(&**t),
        _ => None,
    })
}

/// A text node a reader never sees: inside a script, a style, a template, a form control.
pub fn is_hidden(text: NodeRef<'_, Node>) -> bool {
    text.parent()
        .and_then(|p| p.value().as_element().map(|el| el.name()))
        .is_some_and(|name| matches!(name, "script" | "style" | "noscript" | "template" | "textarea" | "option"))
}

pub fn select_first<'a>(doc: &'a Html, css: &str) -> Option<ElementRef<'a>> {
    doc.select(&Selector::parse(css).ok()?).next()
}

/// A selector literal of this crate, compiled once: extraction runs them per block, and
/// compiling costs more than matching.
pub fn selector(css: &'static str) -> &'static Selector {
    static COMPILED: LazyLock<Mutex<HashMap<&'static str, &'static Selector>>> = LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    compiled.entry(css).or_insert_with(|| Box::leak(Box::new(configured(css))))
}

/// A selector from a feed's config, validated when the config was loaded.
pub fn configured(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector `{css}` was validated: {e}"))
}

/// Whether `e` is `ancestor` or inside it.
pub fn within(e: ElementRef, ancestor: ElementRef) -> bool {
    e.id() == ancestor.id() || e.ancestors().any(|a| a.id() == ancestor.id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_parsed_as_they_are() {
        let page = "<html><body><div><p>a<p>b<ul><li>x<li>y</ul><img src=x><br/><script>if (a<b) {}</script></div>";
        assert!(matches!(bound(page), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_flattened_keeping_the_text() {
        let n = MAX_DEPTH * 4;
        let page = format!("<body>{}sâu{}<p>sau</p></body>", "<div class=\"x>y\">".repeat(n), "</div>".repeat(n));
        let bounded = bound(&page);
        let doc = Html::parse_document(&bounded);
        let divs = doc.select(&Selector::parse("div").unwrap()).count();
        assert!((MAX_DEPTH - 2..=MAX_DEPTH).contains(&divs), "{divs} divs kept");
        let text: String = doc.root_element().text().collect();
        assert_eq!(text, "sâusau");
    }

    #[test]
    fn huge_pages_are_cut_after_the_tag_limit() {
        let page = format!("<body>{}<p>end</p>", "<i>x</i>".repeat(MAX_TAGS));
        let bounded = bound(&page);
        assert!(bounded.len() < page.len() && !bounded.contains("end"));
        assert!(bounded.is_char_boundary(bounded.len()));
    }
}
