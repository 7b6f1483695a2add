//! Which blocks are the article, chosen by their content the way content extractors do
//! (Readability's paragraph scores summed into their containers, jusText's link density and
//! boilerplate boxes), never by position: a related-news box after the byline, a share bar or a
//! tag cloud loses to three real paragraphs wherever it stands.
//!
//! Every block of the region leaves with a fate: the article's body, or dropped with a reason
//! ([`Dropped`]); what is neither is reported as lost by the caller's accounting.

use std::collections::{HashMap, HashSet};

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};

use super::blocks::Block;
use super::clean;
use super::date;
use super::dom::{line_text, selector};

/// The visible titles of boxes that list or gather *other* things next to the article: never
/// its body. Compared lower-case, without a trailing colon.
const BOX_TITLES: &[&str] = &[
    "các tin khác",
    "tin khác",
    "tin tức khác",
    "tin bài khác",
    "các bài khác",
    "bài viết khác",
    "các tin đã đưa",
    "tin đã đưa",
    "tin xem nhiều",
    "xem nhiều",
    "xem nhiều nhất",
    "đọc nhiều",
    "tin đọc nhiều",
    "đọc nhiều nhất",
    "tin liên quan",
    "bài liên quan",
    "bài viết liên quan",
    "tin bài liên quan",
    "tin cùng chuyên mục",
    "cùng chuyên mục",
    "tin mới",
    "tin mới nhất",
    "tin mới hơn",
    "tin cũ hơn",
    "tin nổi bật",
    "xem thêm",
    "đọc thêm",
    "từ khóa",
    "từ khoá",
    "tags",
    "bình luận",
    "ý kiến bạn đọc",
    "gửi ý kiến",
    "gửi bình luận",
    "ý kiến của bạn",
    "liên kết website",
];

/// Box titles looked at per page, at most.
const MAX_BOXES: usize = 64;

/// Levels above the story's element whose neighbours may join the article's region.
const MAX_WIDENING: usize = 3;

/// Siblings after a box title looked at, at most.
const MAX_BOX_LINES: usize = 200;

/// Words that make a short label the title of a box of other news.
const BOX_WORDS: [&str; 8] =
    ["liên quan", "cùng chuyên mục", "xem nhiều", "đọc nhiều", "tin khác", "bài khác", "tin mới", "bài viết khác"];

/// Why a block is not part of the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// Inside a box titled as other news, tags, comments ("Tin liên quan", "Từ khóa").
    Box,
    /// Mostly links: a list of other articles, a menu.
    Links,
    /// Font-size, print, e-mail or share links.
    Toolbar,
    /// A line that only gives the date (it becomes the article's date).
    DateLine,
    /// The article's title, repeated.
    Title,
    /// A short line outside the article's region (a label, a counter).
    Short,
}

impl Dropped {
    pub fn reason(self) -> &'static str {
        match self {
            Dropped::Box => "in a related-news, tags or comments box",
            Dropped::Links => "mostly links",
            Dropped::Toolbar => "toolbar or share links",
            Dropped::DateLine => "a date line",
            Dropped::Title => "the title repeated",
            Dropped::Short => "a short line outside the article",
        }
    }
}

/// The blocks of a scope sorted into the article's and the rest.
pub struct Sorted {
    /// The region's blocks in reading order: the body before field taking.
    pub body: Vec<Block>,
    /// Blocks left out, each with why.
    pub dropped: Vec<(Block, Dropped)>,
    /// Substantial blocks outside the chosen region with no reason to leave them out.
    pub unplaced: Vec<Block>,
    /// The element that scored highest: the story's own container.
    pub best: NodeId,
}

/// Boxes of other content (related news, most read, tags, comments) under `root`, by their
/// visible titles: the title and what follows it.
pub fn boxes(root: ElementRef) -> HashSet<NodeId> {
    let mut found = HashSet::new();
    // The site's footer: its contact and copyright lines are never an article's.
    for e in root.select(selector("footer, aside, nav, [class*=footer], [id*=footer], [class*=copyright]")) {
        found.insert(e.id());
    }
    let titles = root
        .select(selector("h1, h2, h3, h4, h5, h6, div, span, p, strong, b, li, td, th, label, legend"))
        .filter(|e| {
            // Box titles are a few words; most elements have no text of their own at all.
            let own = || e.children().filter_map(|c| c.value().as_text()).map(|t| t.trim());
            let len: usize = own().map(str::len).sum();
            (1..=80).contains(&len) && is_box_title(&own().collect::<Vec<_>>().join(" "))
        })
        // A page has a handful of boxes; a page with thousands of box titles would cost a walk
        // of the page each.
        .take(MAX_BOXES);
    for e in titles {
        // The title's own wrapper (`<div class="title"><h3>…`) is part of the box title.
        let mut title = e;
        while let Some(parent) = title.parent().and_then(ElementRef::wrap) {
            if clean::text(&line_text(parent)) != clean::text(&line_text(title)) || parent.id() == root.id() {
                break;
            }
            title = parent;
        }
        let Some(parent) = title.parent().and_then(ElementRef::wrap) else { continue };
        // A box is a few dozen lines at most: what lies further is not looked at.
        let siblings = || title.next_siblings().take(MAX_BOX_LINES);
        let column = parent.id() == root.id()
            || story_before(parent, title)
            || siblings().filter_map(ElementRef::wrap).any(is_story);
        if column {
            // The article's own column: the box is the title and the link-like siblings after it.
            found.insert(title.id());
            for sibling in siblings() {
                if let Some(s) = ElementRef::wrap(sibling) {
                    if is_story(s) {
                        break;
                    }
                    found.insert(s.id());
                } else if sibling.value().as_text().is_some_and(|t| t.trim().chars().count() > 80) {
                    break;
                }
            }
        } else {
            found.insert(parent.id());
        }
    }
    found
}

/// The site's own footer lines: who runs the portal, its copyright.
fn is_site_footer(text: &str) -> bool {
    text.len() <= 300 && {
        let lower = text.to_lowercase();
        ["cơ quan chủ quản", "bản quyền thuộc", "copyright", "©", "ghi rõ nguồn", "giấy phép số"]
            .iter()
            .any(|mark| lower.contains(mark))
    }
}

/// Whether `text` is the title of a box of other content: "Tin liên quan", "Từ khóa:".
pub fn is_box_title(text: &str) -> bool {
    if text.len() > 80 {
        return false;
    }
    let label = clean::text(text).to_lowercase();
    let label = label.trim_matches(|c: char| !c.is_alphanumeric() && c != ':').trim_end_matches(':').trim();
    // A short label naming other news in its own words: "Bài viết cùng chuyên mục".
    let named =
        label.split_whitespace().count() <= 6 && !label.contains(':') && BOX_WORDS.iter().any(|w| label.contains(w));
    named
        || BOX_TITLES
            .iter()
            .any(|t| label == *t || label.strip_prefix(t).is_some_and(|rest| rest.trim_start().starts_with(':')))
}

/// Whether `parent` holds article text before `title`: then it is the article's column, not
/// the box.
fn story_before(parent: ElementRef, title: ElementRef) -> bool {
    let mut chars = 0;
    for node in parent.descendants() {
        if node.id() == title.id() {
            break;
        }
        if let Node::Text(t) = node.value()
            && !node.ancestors().filter_map(|a| a.value().as_element()).any(|a| a.name() == "a")
        {
            chars += t.trim().chars().count();
        }
    }
    chars >= 80
}

/// Text like an article's paragraph: long, few links, not a list of dated titles.
fn is_story(e: ElementRef) -> bool {
    let text = clean::text(&line_text(e));
    let links: usize = e.select(selector("a[href]")).map(|a| clean::text(&line_text(a)).chars().count()).sum();
    let chars = text.chars().count();
    chars >= 120 && links * 3 < chars && e.select(selector("li")).next().is_none()
}

/// How much a block looks like article text: positive for prose (more for longer, punctuated
/// text), slightly positive for short lines and pictures (bylines, captions: they join the
/// region they sit next to), negative for links, toolbars and boxes.
pub fn value(block: &Block, boxed: bool) -> f64 {
    let chars = block.chars() as f64;
    if boxed || is_site_footer(&block.text) {
        return -(1.0 + chars / 100.0).min(4.0);
    }
    if block.text.is_empty() {
        return if block.image.is_some() { 0.5 } else { 0.0 };
    }
    if block.is_toolbar() {
        return -0.5;
    }
    let density = block.link_density();
    if density > 0.5 {
        return -(1.0 + chars / 80.0).min(4.0);
    }
    if chars < 25.0 || date::is_date_line(&block.text) {
        return 0.1;
    }
    let marks = block.text.chars().filter(|c| matches!(c, ',' | '.' | ';' | ':')).count() as f64;
    1.0 + (marks * 0.5).min(3.0) + (chars * (1.0 - density) / 100.0).min(3.0)
}

/// Sorts `blocks` (the segmentation of `scope`) into the article's region and the rest.
/// The region is the element whose blocks sum to the highest value (the deepest of equals),
/// widened by its neighbours, up to [`MAX_WIDENING`] levels above it within the scope, while they
/// are not negative: a byline or a picture beside the text joins it, a related box stops it. With `whole`, the
/// region is the scope itself (a body a selector named).
pub fn sort(doc: &Html, scope: NodeId, blocks: Vec<Block>, boxes: &HashSet<NodeId>, whole: bool) -> Sorted {
    let ancestors = |id: NodeId| {
        let node = doc.tree.get(id);
        node.into_iter().flat_map(|n| std::iter::once(n).chain(n.ancestors())).map(|n| n.id())
    };
    let within_scope = |id: NodeId| {
        let mut up: Vec<NodeId> = Vec::new();
        for a in ancestors(id) {
            up.push(a);
            if a == scope {
                return up;
            }
        }
        up // a block outside the tree's scope (never: blocks come from it)
    };
    // Each block's elements from itself up to the scope, walked once.
    let paths: Vec<Vec<NodeId>> = blocks.iter().map(|b| within_scope(b.at)).collect();
    let boxed: Vec<bool> = paths.iter().map(|up| up.iter().any(|a| boxes.contains(a))).collect();
    let values: Vec<f64> = blocks.iter().zip(&boxed).map(|(b, boxed)| value(b, *boxed)).collect();

    let mut score: HashMap<NodeId, f64> = HashMap::new();
    let mut depth: HashMap<NodeId, usize> = HashMap::new();
    let mut content: HashSet<NodeId> = HashSet::new();
    for (up, v) in paths.iter().zip(&values) {
        let n = up.len();
        for (i, &a) in up.iter().enumerate() {
            *score.entry(a).or_default() += v;
            depth.insert(a, n - i);
            if *v >= 1.0 {
                content.insert(a);
            }
        }
    }
    let best = content
        .iter()
        .copied()
        .max_by(|a, b| {
            score[a].partial_cmp(&score[b]).unwrap_or(std::cmp::Ordering::Equal).then(depth[a].cmp(&depth[b]))
        })
        .filter(|_| !whole)
        .unwrap_or(scope);

    // Widen the region level by level.
    let mut roots: HashSet<NodeId> = HashSet::from([best]);
    let mut current = best;
    // A byline or picture sits a level or two from the story's element; further out are the
    // site's rows and columns.
    for _ in 0..MAX_WIDENING {
        if current == scope {
            break;
        }
        let Some(node) = doc.tree.get(current) else { break };
        for direction in [true, false] {
            let siblings: Box<dyn Iterator<Item = _>> =
                if direction { Box::new(node.next_siblings()) } else { Box::new(node.prev_siblings()) };
            for sibling in siblings {
                if score.get(&sibling.id()).copied().unwrap_or(0.0) < 0.0 {
                    break;
                }
                roots.insert(sibling.id());
            }
        }
        match node.parent() {
            Some(parent) => current = parent.id(),
            None => break,
        }
    }

    let last_content = values.iter().rposition(|v| *v >= 1.0);
    let first_content = values.iter().position(|v| *v >= 1.0);
    let mut sorted = Sorted { body: Vec::new(), dropped: Vec::new(), unplaced: Vec::new(), best };
    for (i, (((block, v), boxed), up)) in blocks.into_iter().zip(values).zip(boxed).zip(paths).enumerate() {
        let inside = up.iter().any(|a| roots.contains(a));
        let reason = if boxed || is_site_footer(&block.text) {
            Some(Dropped::Box)
        } else if block.is_toolbar() {
            Some(Dropped::Toolbar)
        } else if v < 0.0
            && (!inside || block.list || last_content.is_none_or(|l| i > l) || first_content.is_some_and(|f| i < f))
        {
            // Links inside the story (a document linked in a sentence) stay; a list of links, or
            // links before its first paragraph or after its last, are menus and other articles.
            Some(Dropped::Links)
        } else if !inside && block.chars() < 40 && block.image.is_none() {
            Some(Dropped::Short)
        } else {
            None
        };
        match reason {
            Some(reason) => sorted.dropped.push((block, reason)),
            None if inside => sorted.body.push(block),
            None => sorted.unplaced.push(block),
        }
    }
    sorted
}

/// Why a chosen body is no article: mostly links, or mostly dated lines (a list page, or a
/// related box taken for the story).
pub fn refusal(body: &[Block], dropped: &[(Block, Dropped)]) -> Option<String> {
    let texts: Vec<&Block> = body.iter().filter(|b| !b.text.is_empty()).collect();
    let links_dropped: usize =
        dropped.iter().filter(|(_, why)| *why == Dropped::Links).map(|(b, _)| b.link_chars).sum();
    if texts.iter().all(|b| b.chars() < 40) && links_dropped >= 80 {
        return Some(format!("the article's blocks hold only links ({links_dropped} characters of them)"));
    }
    let chars: usize = texts.iter().map(|b| b.chars()).sum();
    let links: usize = texts.iter().map(|b| b.link_chars).sum();
    if chars > 0 && links * 2 > chars {
        return Some(format!("the chosen body is mostly links ({links} of {chars} characters)"));
    }
    let dated = texts.iter().filter(|b| b.chars() < 200 && !date::scan(&b.text, crate::model::vietnam()).is_empty());
    let dated = dated.count();
    if dated >= 3 && dated * 2 > texts.len() {
        return Some(format!("the chosen body is mostly dated lines ({dated} of {})", texts.len()));
    }
    None
}
