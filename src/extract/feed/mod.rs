//! Sources that already publish a feed: RSS 0.9x, 1.0 (RDF) and 2.0, Atom 0.3 and 1.0, JSON
//! Feed, normalized into the same [`Article`] as scraped pages. Read the way feedparser reads
//! them, since feeds are written by hand, by old CMSes and by templates: a document a strict
//! parser refuses is recovered (see `xml`) and its problems reported, every field a date may
//! sit in is read leniently (see `date`), and an item is kept when it has a title or a link.

mod date;
mod json;
mod xml;

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use url::Url;

use super::dom::text_of;
use super::{ExtractError, clean};
use crate::config::Rules;
use crate::model::{Article, Image, Page, escape_html, tidy_url};
use xml::{Doc, El};

/// A feed's items, and what was wrong with the document if anything was.
#[derive(Debug)]
pub struct FeedItems {
    /// Newest first as the feed lists them, each identity once.
    pub articles: Vec<Article>,
    /// What a strict parser refuses in the document (its items are kept all the same).
    pub problem: Option<String>,
}

/// Guids longer than this are not ids but content put in the wrong element.
const MAX_ID_CHARS: usize = 1000;

/// Every item of the feed in `page`.
pub fn articles(page: &Page, rules: &Rules) -> Result<FeedItems, ExtractError> {
    let text = page.html.trim_start_matches('\u{feff}').trim_start();
    let (items, problem) = if text.starts_with('{') {
        (json::articles(text, page, rules)?, None)
    } else {
        let not_feed = |reason: String| ExtractError::Missing { field: "items", reason };
        let doc = Doc::parse(text).ok_or_else(|| not_feed("neither XML nor JSON".into()))?;
        let root = doc.root();
        let reader = Reader { core: root.namespace(), page, rules };
        let items = match root.local() {
            "rss" | "RDF" | "channel" => reader.rss(root),
            "feed" => reader.atom(root),
            other => return Err(not_feed(format!("<{other}> is neither RSS nor Atom"))),
        };
        let problem = doc.problems.first().map(|first| match doc.problem_count {
            1 => format!("not well-formed XML, read anyway: {first}"),
            n => format!("not well-formed XML, read anyway: {first} (and {} more)", n - 1),
        });
        (items, problem)
    };
    Ok(FeedItems { articles: unique(items), problem })
}

/// Each identity once, the first listing winning. A guid given to items with other links is not
/// an id (a template bug): the later items go by their link.
fn unique(items: Vec<Article>) -> Vec<Article> {
    let mut ids = HashSet::new();
    let mut keys = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for mut item in items {
        if let Some(id) = &item.id
            && !ids.insert(id.clone())
        {
            item.id = None;
        }
        if keys.insert(item.key()) {
            out.push(item);
        }
    }
    out
}

/// The namespaces a feed's elements come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// The format's own elements: no namespace, the root's, or RSS 0.90/1.0/Atom 0.3's.
    Core,
    Atom,
    Dc,
    DcTerms,
    Content,
    Media,
    Other,
}

struct Reader<'a> {
    /// The root element's namespace: a prefixed `<r:rss>` puts every core element in it.
    core: Option<&'a str>,
    page: &'a Page,
    rules: &'a Rules,
}

impl Reader<'_> {
    fn ns(&self, el: El<'_>) -> Ns {
        let Some(uri) = el.namespace() else { return Ns::Core };
        match uri.trim_end_matches(['/', '#']) {
            "http://www.w3.org/2005/Atom" | "atom" => Ns::Atom,
            "http://purl.org/dc/elements/1.1" | "dc" => Ns::Dc,
            "http://purl.org/dc/terms" | "dcterms" => Ns::DcTerms,
            "http://purl.org/rss/1.0/modules/content" | "content" => Ns::Content,
            "http://search.yahoo.com/mrss" | "media" => Ns::Media,
            "http://purl.org/rss/1.0" | "http://my.netscape.com/rdf/simple/0.9" | "http://purl.org/atom/ns" => Ns::Core,
            uri if Some(uri) == self.core.map(|c| c.trim_end_matches(['/', '#'])) => Ns::Core,
            _ => Ns::Other,
        }
    }

    /// The first child that is one of `names` in `ns`, trying the names in order.
    fn child<'d>(&self, el: El<'d>, ns: Ns, names: &[&str]) -> Option<El<'d>> {
        names.iter().find_map(|name| el.children().find(|c| c.local() == *name && self.ns(*c) == ns))
    }

    fn children<'d>(&self, el: El<'d>, ns: Ns, name: &'static str) -> Vec<El<'d>> {
        el.children().filter(|c| c.local() == name && self.ns(*c) == ns).collect()
    }

    fn date(&self, candidates: &[Option<El<'_>>]) -> Option<DateTime<FixedOffset>> {
        candidates.iter().flatten().find_map(|el| {
            let text = el.text();
            date::parse(&text, self.rules.timezone)
                .or_else(|| super::date::by_rules(&text, &self.rules.date_formats, self.rules.timezone))
        })
    }

    /// RSS 0.9x/2.0 items are in the channel, RSS 1.0's beside it.
    fn rss(&self, root: El<'_>) -> Vec<Article> {
        let channel = self.child(root, Ns::Core, &["channel"]);
        let items = channel.into_iter().chain([root]).flat_map(|parent| self.children(parent, Ns::Core, "item"));
        items.filter_map(|item| self.rss_item(item)).collect()
    }

    fn rss_item(&self, item: El<'_>) -> Option<Article> {
        let base = item.base(&self.page.url);
        let guid = self.child(item, Ns::Core, &["guid"]);
        let id =
            guid.map(|g| g.text().trim().to_string()).filter(|g| !g.is_empty() && g.chars().count() <= MAX_ID_CHARS);
        let guid_link = guid.filter(|g| g.attr("isPermaLink").is_none_or(|p| !p.trim().eq_ignore_ascii_case("false")));
        let link = self
            .child(item, Ns::Core, &["link"])
            .and_then(|l| absolute(l.attr("href").map_or_else(|| l.text(), str::to_string).as_str(), &base))
            .or_else(|| self.atom_link(item, &base))
            .or_else(|| guid_link.and_then(|g| absolute(&g.text(), &base)))
            .or_else(|| item.attr("about").and_then(|about| absolute(about, &base)))?;
        let title = self.child(item, Ns::Core, &["title"]).or_else(|| self.child(item, Ns::Dc, &["title"]));
        let description =
            self.child(item, Ns::Core, &["description"]).or_else(|| self.child(item, Ns::Dc, &["description"]));
        let body = self.child(item, Ns::Content, &["encoded"]).or(description);
        let author = self
            .child(item, Ns::Dc, &["creator"])
            .or_else(|| self.child(item, Ns::Core, &["author"]))
            .or_else(|| {
                self.child(item, Ns::Atom, &["author"]).map(|a| self.child(a, Ns::Atom, &["name"]).unwrap_or(a))
            })
            .map(|a| person(&a.text()));
        let categories = self
            .children(item, Ns::Core, "category")
            .into_iter()
            .chain(self.children(item, Ns::Dc, "subject"))
            .map(|c| clean::text(&c.text()))
            .collect();
        let image = self
            .children(item, Ns::Core, "enclosure")
            .into_iter()
            .find_map(|e| image(e.attr("url")?, Some(image_type(e.attr("type"))?), e.attr("length"), &base))
            .or_else(|| self.media_image(item, &base));
        let published = self.date(&[
            self.child(item, Ns::Core, &["pubDate", "pubdate", "date"]),
            self.child(item, Ns::Dc, &["date"]),
            self.child(item, Ns::DcTerms, &["issued", "created", "date"]),
            self.child(item, Ns::Atom, &["published"]),
            self.child(item, Ns::Atom, &["updated"]),
            self.child(item, Ns::DcTerms, &["modified"]),
        ]);
        article(
            link,
            id,
            title.map(title_text),
            published,
            description.map(markup),
            body.map(markup),
            author,
            image,
            categories,
        )
    }

    /// Atom 1.0 and 0.3 (which calls the dates `issued` and `modified`).
    fn atom(&self, root: El<'_>) -> Vec<Article> {
        let core = |el: El<'_>| matches!(self.ns(el), Ns::Core | Ns::Atom);
        root.children()
            .filter(|e| e.local() == "entry" && core(*e))
            .filter_map(|entry| {
                let child =
                    |names: &[&str]| self.child(entry, Ns::Core, names).or_else(|| self.child(entry, Ns::Atom, names));
                let base = entry.base(&self.page.url);
                let link = self.atom_link(entry, &base)?;
                let id = child(&["id"])
                    .map(|i| i.text().trim().to_string())
                    .filter(|i| !i.is_empty() && i.chars().count() <= MAX_ID_CHARS);
                let summary = child(&["summary"]);
                let content = child(&["content"]).or(summary);
                let author = child(&["author"])
                    .map(|a| {
                        self.child(a, Ns::Core, &["name"]).or_else(|| self.child(a, Ns::Atom, &["name"])).unwrap_or(a)
                    })
                    .or_else(|| self.child(entry, Ns::Dc, &["creator"]))
                    .map(|a| person(&a.text()));
                let categories = entry
                    .children()
                    .filter(|c| c.local() == "category" && core(*c))
                    .filter_map(|c| c.attr("term").or(c.attr("label")).map(clean::text))
                    .chain(self.children(entry, Ns::Dc, "subject").into_iter().map(|c| clean::text(&c.text())))
                    .collect();
                let image = entry
                    .children()
                    .filter(|l| l.local() == "link" && l.attr("rel") == Some("enclosure"))
                    .find_map(|l| image(l.attr("href")?, Some(image_type(l.attr("type"))?), l.attr("length"), &base))
                    .or_else(|| self.media_image(entry, &base));
                let published = self.date(&[
                    child(&["published"]),
                    child(&["issued"]),
                    child(&["created"]),
                    self.child(entry, Ns::Dc, &["date"]),
                    child(&["updated"]),
                    child(&["modified"]),
                ]);
                let title = child(&["title"]).or_else(|| self.child(entry, Ns::Dc, &["title"]));
                article(
                    link,
                    id,
                    title.map(title_text),
                    published,
                    summary.map(atom_text),
                    content.map(atom_text),
                    author,
                    image,
                    categories,
                )
            })
            .collect()
    }

    /// An Atom link to the item's page: `rel="alternate"` (or none), HTML first.
    fn atom_link(&self, el: El<'_>, base: &Url) -> Option<Url> {
        let links: Vec<El<'_>> = el
            .children()
            .filter(|l| l.local() == "link" && matches!(self.ns(*l), Ns::Atom | Ns::Core) && l.attr("href").is_some())
            .filter(|l| l.attr("rel").is_none_or(|r| r.trim().is_empty() || r.trim() == "alternate"))
            .collect();
        let html = links.iter().find(|l| l.attr("type").is_none_or(|t| t.contains("html")));
        html.or(links.first()).and_then(|l| absolute(l.attr("href")?, &l.base(base)))
    }

    /// Media RSS: an image `media:content`, else a `media:thumbnail`, also inside `media:group`.
    fn media_image(&self, el: El<'_>, base: &Url) -> Option<Image> {
        let groups = self.children(el, Ns::Media, "group");
        let holders: Vec<El<'_>> = std::iter::once(el).chain(groups).collect();
        let content = holders
            .iter()
            .flat_map(|h| self.children(*h, Ns::Media, "content"))
            .find(|c| c.attr("medium") == Some("image") || c.attr("type").is_some_and(|t| t.starts_with("image/")));
        content
            .and_then(|c| {
                image(c.attr("url")?, c.attr("type").and_then(|t| image_type(Some(t))), c.attr("fileSize"), base)
            })
            .or_else(|| {
                let thumbnail = holders.iter().find_map(|h| self.child(*h, Ns::Media, &["thumbnail"]))?;
                image(thumbnail.attr("url")?, None, None, base)
            })
    }
}

/// The fields every format ends in. An item needs a link and a title; a feed that gives only
/// a link (RSS 2.0 allows it) is titled by its description's first words.
#[allow(clippy::too_many_arguments)]
fn article(
    link: Url,
    id: Option<String>,
    title: Option<String>,
    published: Option<DateTime<FixedOffset>>,
    summary: Option<String>,
    body: Option<String>,
    author: Option<String>,
    image: Option<Image>,
    categories: Vec<String>,
) -> Option<Article> {
    let url = tidy_url(&link);
    let body_html = body.or_else(|| summary.clone()).unwrap_or_default();
    let summary = summary.map(|s| plain(&s)).filter(|s| !s.is_empty());
    let title = title.filter(|t| !t.is_empty()).or_else(|| summary.as_deref().map(first_words))?;
    Some(Article {
        id,
        published,
        summary,
        author: author.filter(|a| !a.is_empty()),
        image,
        caption: None,
        categories: categories.into_iter().filter(|c| !c.is_empty()).collect(),
        content_html: clean::html(&body_html, &url),
        content_text: plain(&body_html),
        title,
        url,
    })
}

/// A title's text: escaped HTML decoded and stripped, unescaped markup (`Test: <b>bold</b>`,
/// Atom's `xhtml`) read as the text of its elements.
fn title_text(el: El<'_>) -> String {
    if el.has_elements() { clean::text(&el.text()) } else { plain(&el.text()) }
}

/// A field that holds HTML, escaped (the usual way) or written as elements.
fn markup(el: El<'_>) -> String {
    if el.has_elements() { el.inner_xml() } else { el.text() }
}

/// An Atom text construct as HTML, whatever its `type` says (`text/plain`, `text/html` and no
/// value at all are seen in the wild).
fn atom_text(el: El<'_>) -> String {
    let kind = el.attr("type").unwrap_or("text").trim().to_ascii_lowercase();
    match kind.as_str() {
        _ if el.has_elements() => el.inner_xml(),
        "text" | "text/plain" => escape_html(&el.text()).replace('\n', "<br>\n"),
        // Atom 0.3's `mode="escaped"` and every HTML-ish type hold escaped HTML.
        _ => el.text(),
    }
}

/// `Name`, from `name@example.com (Name)` (RSS's form) or the name alone.
fn person(text: &str) -> String {
    let text = text.trim();
    let name = match (text.find('('), text.ends_with(')')) {
        (Some(open), true) if text[..open].contains('@') => &text[open + 1..text.len() - 1],
        _ => text,
    };
    clean::text(name)
}

/// An image known to be one: `mime` is its media type when the feed gave one.
fn image(url: &str, mime: Option<&str>, length: Option<&str>, base: &Url) -> Option<Image> {
    Some(Image {
        url: absolute(url, base)?,
        length: length.and_then(|l| l.trim().parse().ok()).filter(|l| *l > 0),
        // A bare `image/` says it is an image, not which kind.
        mime: mime.filter(|m| m.len() > "image/".len()).map(str::to_string),
    })
}

/// `mime` when it is an image type (`image/png`); an enclosure of another type is no image.
fn image_type(mime: Option<&str>) -> Option<&str> {
    mime.map(str::trim).filter(|m| m.starts_with("image/"))
}

/// A link as feeds write it: trimmed (CDATA keeps the spaces around it), made absolute.
fn absolute(link: &str, base: &Url) -> Option<Url> {
    let url = base.join(link.trim()).ok()?;
    crate::model::is_web_url(&url).then_some(url)
}

/// Text of a field that may hold HTML (titles often do), entities decoded, NFC.
fn plain(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(&super::dom::bound(html));
    clean::text(&text_of(fragment.root_element()))
}

/// A title for an item that has none: its first ten words.
fn first_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= 10 { words.join(" ") } else { format!("{}…", words[..10].join(" ")) }
}
