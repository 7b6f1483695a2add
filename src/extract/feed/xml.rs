//! A recovering XML reader: the document as a tree whatever the feed's author got wrong, and a
//! list of what was wrong. Real feeds carry a raw `&` in a link, an HTML entity XML does not
//! define, a stray `</b>`, an element never closed; a strict parser drops the whole feed for
//! one of them, feedparser (the reference of feed readers) keeps every item and flags the feed.
//! Tokens come from `quick-xml` with its checks relaxed; the tree is rebuilt here the way
//! libxml2's recover mode does: an end tag closes up to its open element, a stray one is
//! dropped, whatever is open at the end is closed.

use quick_xml::events::Event;
use url::Url;

/// Elements nested deeper are flattened into their ancestor: every walk here is recursive.
const MAX_DEPTH: usize = 256;
/// Past this many elements the rest of the document is ignored (a feed has a few thousand).
const MAX_ELEMENTS: usize = 200_000;
/// Problems kept for the report; a broken feed can have thousands of the same one.
const MAX_PROBLEMS: usize = 5;

/// The parsed document.
pub struct Doc {
    nodes: Vec<Node>,
    /// What a strict parser would have refused, first few only, in document order.
    pub problems: Vec<String>,
    /// How many problems there were in all.
    pub problem_count: usize,
}

struct Node {
    /// The qualified name as written: `dc:date`, `item`.
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Child>,
    parent: Option<usize>,
}

enum Child {
    Element(usize),
    Text(String),
}

/// An element of a [`Doc`].
#[derive(Clone, Copy)]
pub struct El<'a> {
    doc: &'a Doc,
    id: usize,
}

impl Doc {
    /// Reads `xml` as far as it can be read. `None` when it holds no element at all.
    pub fn parse(xml: &str) -> Option<Doc> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.check_comments = false;
        let mut doc = Doc { nodes: Vec::new(), problems: Vec::new(), problem_count: 0 };
        let mut open: Vec<usize> = Vec::new();
        loop {
            let at = reader.buffer_position();
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    doc.problem(format!("XML error at byte {at}: {e}; the rest is ignored"));
                    break;
                }
            };
            if matches!(event, Event::Start(_) | Event::Empty(_)) && doc.nodes.len() >= MAX_ELEMENTS {
                doc.problem(format!("more than {MAX_ELEMENTS} elements; the rest is ignored"));
                break;
            }
            match event {
                Event::Start(start) => {
                    let id = doc.element(&start, open.last().copied());
                    if open.len() < MAX_DEPTH {
                        open.push(id);
                    }
                }
                Event::Empty(start) => {
                    doc.element(&start, open.last().copied());
                }
                Event::End(end) => {
                    let name = String::from_utf8_lossy(end.name().as_ref()).into_owned();
                    match open.iter().rposition(|id| doc.nodes[*id].name == name) {
                        Some(pos) => {
                            for unclosed in open.drain(pos + 1..).collect::<Vec<_>>() {
                                let unclosed = doc.nodes[unclosed].name.clone();
                                doc.problem(format!("<{unclosed}> not closed before </{name}>"));
                            }
                            open.truncate(pos);
                        }
                        None => doc.problem(format!("stray </{name}> at byte {at}")),
                    }
                }
                Event::Text(text) => {
                    let text =
                        text.xml10_content().unwrap_or_else(|_| String::from_utf8_lossy(&text).into_owned().into());
                    if text.contains('&') {
                        doc.problem(format!("unescaped & at byte {at}"));
                    }
                    doc.text(open.last().copied(), &text);
                }
                Event::CData(data) => {
                    let text = String::from_utf8_lossy(&data).into_owned();
                    doc.text(open.last().copied(), &text);
                }
                Event::GeneralRef(reference) => {
                    let name = String::from_utf8_lossy(&reference).into_owned();
                    let text = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => match quick_xml::escape::resolve_xml_entity(&name) {
                            Some(text) => text.to_string(),
                            None => {
                                // Feeds written by HTML tools use `&nbsp;`, `&eacute;`, …
                                doc.problem(format!("entity &{name}; is not defined in XML"));
                                quick_xml::escape::resolve_html5_entity(&name)
                                    .map_or_else(|| format!("&{name};"), str::to_string)
                            }
                        },
                    };
                    doc.text(open.last().copied(), &text);
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        for unclosed in open.iter().rev() {
            let name = doc.nodes[*unclosed].name.clone();
            doc.problem(format!("<{name}> not closed at the end of the document"));
        }
        (!doc.nodes.is_empty()).then_some(doc)
    }

    pub fn root(&self) -> El<'_> {
        El { doc: self, id: 0 }
    }

    fn problem(&mut self, problem: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        }
    }

    fn element(&mut self, start: &quick_xml::events::BytesStart<'_>, parent: Option<usize>) -> usize {
        let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        // `html_attributes`: unquoted and valueless attributes read as HTML would.
        for attr in start.html_attributes().flatten() {
            let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
            let (value, well_formed) = unescape(&String::from_utf8_lossy(&attr.value));
            if !well_formed {
                self.problem(format!("attribute {key} of <{name}> has an unescaped &"));
            }
            attrs.push((key, value));
        }
        let id = self.nodes.len();
        self.nodes.push(Node { name, attrs, children: Vec::new(), parent });
        match parent {
            Some(parent) => self.nodes[parent].children.push(Child::Element(id)),
            // A second root: kept under the first, so nothing is lost.
            None if id > 0 => {
                self.problem("more than one root element".into());
                self.nodes[id].parent = Some(0);
                self.nodes[0].children.push(Child::Element(id));
            }
            None => {}
        }
        id
    }

    fn text(&mut self, parent: Option<usize>, text: &str) {
        let Some(parent) = parent else { return };
        match self.nodes[parent].children.last_mut() {
            Some(Child::Text(last)) => last.push_str(text),
            _ => self.nodes[parent].children.push(Child::Text(text.to_string())),
        }
    }
}

/// `raw` with its character and entity references replaced, a `&` that starts none kept as
/// it is (`?a=1&b=2` in a link); and whether every `&` started a known reference.
fn unescape(raw: &str) -> (String, bool) {
    let mut out = String::with_capacity(raw.len());
    let mut well_formed = true;
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let reference = rest[1..].find(';').filter(|end| *end <= 32).map(|end| &rest[1..=end]);
        let resolved = reference.and_then(|name| match name.strip_prefix('#') {
            Some(number) => {
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => number.parse().ok(),
                };
                code.and_then(char::from_u32).map(String::from)
            }
            None => quick_xml::escape::resolve_html5_entity(name).map(str::to_string),
        });
        match (reference, resolved) {
            (Some(name), Some(text)) => {
                out.push_str(&text);
                rest = &rest[name.len() + 2..];
            }
            _ => {
                well_formed = false;
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    (out, well_formed)
}

impl<'a> El<'a> {
    fn node(&self) -> &'a Node {
        &self.doc.nodes[self.id]
    }

    /// The name without its prefix: `date` for `dc:date`.
    pub fn local(&self) -> &'a str {
        let name = &self.node().name;
        name.rsplit_once(':').map_or(name.as_str(), |(_, local)| local)
    }

    fn prefix(&self) -> Option<&'a str> {
        self.node().name.split_once(':').map(|(prefix, _)| prefix)
    }

    /// The element's namespace: the URI its prefix is bound to; for an unbound prefix (`dc:`
    /// used without declaring it is common) the prefix itself.
    pub fn namespace(&self) -> Option<&'a str> {
        let declaration = match self.prefix() {
            Some(prefix) => format!("xmlns:{prefix}"),
            None => "xmlns".to_string(),
        };
        let mut at = Some(*self);
        while let Some(el) = at {
            if let Some((_, uri)) = el.node().attrs.iter().find(|(k, _)| *k == declaration) {
                return (!uri.is_empty()).then_some(uri.as_str());
            }
            at = el.parent();
        }
        self.prefix()
    }

    pub fn parent(&self) -> Option<El<'a>> {
        self.node().parent.map(|id| El { doc: self.doc, id })
    }

    /// An attribute by its local name (`about` finds `rdf:about`).
    pub fn attr(&self, local: &str) -> Option<&'a str> {
        self.node()
            .attrs
            .iter()
            .find(|(k, _)| k == local || k.rsplit_once(':').is_some_and(|(p, l)| l == local && p != "xmlns"))
            .map(|(_, v)| v.as_str())
    }

    pub fn children(&self) -> impl Iterator<Item = El<'a>> + 'a {
        let doc = self.doc;
        self.node().children.iter().filter_map(move |c| match c {
            Child::Element(id) => Some(El { doc, id: *id }),
            Child::Text(_) => None,
        })
    }

    /// Whether the element holds elements, not only text: markup written unescaped.
    pub fn has_elements(&self) -> bool {
        self.children().next().is_some()
    }

    /// All the text inside, markup dropped.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for child in &self.node().children {
            match child {
                Child::Text(text) => out.push_str(text),
                Child::Element(id) => El { doc: self.doc, id: *id }.collect_text(out),
            }
        }
    }

    /// The content as markup: text escaped, elements written back (Atom `xhtml` content, or
    /// HTML a feed put in `<description>` without escaping it).
    pub fn inner_xml(&self) -> String {
        let mut out = String::new();
        self.write_children(&mut out);
        out
    }

    fn write_children(&self, out: &mut String) {
        for child in &self.node().children {
            match child {
                Child::Text(text) => out.push_str(&crate::model::escape_html(text)),
                Child::Element(id) => {
                    let el = El { doc: self.doc, id: *id };
                    let node = el.node();
                    // The XHTML namespace's prefix means nothing to the HTML reader after.
                    let name = el.local();
                    out.push('<');
                    out.push_str(name);
                    for (k, v) in node.attrs.iter().filter(|(k, _)| !k.starts_with("xmlns")) {
                        out.push_str(&format!(" {k}=\"{}\"", crate::model::escape_html(v)));
                    }
                    out.push('>');
                    el.write_children(out);
                    out.push_str(&format!("</{name}>"));
                }
            }
        }
    }

    /// The base URL of the element's content: `xml:base` of it and its ancestors, resolved in
    /// turn against `document`, the URL the feed was fetched from.
    pub fn base(&self, document: &Url) -> Url {
        let mut chain = Vec::new();
        let mut at = Some(*self);
        while let Some(el) = at {
            if let Some((_, base)) = el.node().attrs.iter().find(|(k, _)| k == "xml:base") {
                chain.push(base.trim());
            }
            at = el.parent();
        }
        chain.iter().rev().fold(document.clone(), |base, next| base.join(next).unwrap_or(base))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_documents_have_no_problems() {
        let doc = Doc::parse(r#"<?xml version="1.0"?><a xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:b x="1 &amp; 2">t&#233;&lt;</dc:b><![CDATA[<raw>]]></a>"#).unwrap();
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let b = doc.root().children().next().unwrap();
        assert_eq!(
            (b.local(), b.namespace(), b.attr("x")),
            ("b", Some("http://purl.org/dc/elements/1.1/"), Some("1 & 2"))
        );
        assert_eq!(doc.root().text(), "té<<raw>");
    }

    #[test]
    fn broken_documents_are_recovered_and_reported() {
        let doc = Doc::parse("<rss><channel><item><title>A &nbsp;&amp; B & C</b></title><link>http://x/?a=1&b=2</link></item><item><title>D").unwrap();
        let items: Vec<_> = doc.root().children().next().unwrap().children().collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].children().next().unwrap().text(), "A \u{a0}& B & C");
        assert_eq!(items[0].children().nth(1).unwrap().text(), "http://x/?a=1&b=2");
        assert_eq!(items[1].text(), "D");
        let problems = doc.problems.join("\n");
        for expected in ["nbsp", "unescaped &", "stray </b>", "<title> not closed"] {
            assert!(problems.contains(expected), "{expected} in {problems}");
        }
    }

    #[test]
    fn an_end_tag_closes_what_is_open_inside_it() {
        let doc = Doc::parse("<feed><entry><title>T<b>bold</title><id>1</id></entry></feed>").unwrap();
        let entry = doc.root().children().next().unwrap();
        assert_eq!(entry.children().map(|c| c.local()).collect::<Vec<_>>(), ["title", "id"]);
        assert_eq!(doc.problem_count, 1);
    }

    #[test]
    fn xml_base_chains() {
        let doc =
            Doc::parse(r#"<feed xml:base="https://a.example/x/"><entry xml:base="y/"><link/></entry></feed>"#).unwrap();
        let link = doc.root().children().next().unwrap().children().next().unwrap();
        assert_eq!(link.base(&Url::parse("https://doc.example/f").unwrap()).as_str(), "https://a.example/x/y/");
    }
}
