//! Atom 1.0 (RFC 4287), with RFC 5005 paging links.

use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text, WriteConfig};
use url::Url;

use super::{GENERATOR, PublishError, content_html, last_change, paging_links};
use crate::model::{FeedItem, FeedMeta, Format, Paging, xml_safe};

pub fn render(meta: &FeedMeta, items: &[FeedItem], paging: Paging) -> Result<Vec<u8>, PublishError> {
    let mut links = vec![
        link(&meta.url(Format::Atom, paging.page), "self", Some(Format::Atom.media_type())),
        link(meta.site.as_str(), "alternate", Some("text/html")),
    ];
    for (rel, href) in paging_links(meta, Format::Atom, paging) {
        links.push(link(&href, rel, Some(Format::Atom.media_type())));
    }
    for hub in &meta.hubs {
        links.push(link(hub, "hub", None));
    }
    let feed = Feed {
        title: Text::plain(xml_safe(&meta.title)),
        // The feed's first-page URL is as permanent as the feed; every page shares the id.
        id: meta.url(Format::Atom, 1),
        // Never the render time (and never the crate's 1970 default): the newest change.
        updated: last_change(meta, items),
        subtitle: Some(Text::plain(xml_safe(&meta.description))),
        authors: vec![Person { name: xml_safe(&meta.title), uri: Some(meta.site.to_string()), ..Person::default() }],
        links,
        generator: Some(atom_syndication::Generator { value: GENERATOR.into(), uri: None, version: None }),
        lang: Some("vi".into()),
        icon: meta.icon.as_ref().map(Url::to_string),
        logo: meta.logo.as_ref().map(Url::to_string),
        entries: items.iter().map(entry).collect(),
        ..Feed::default()
    };
    // The crate's declaration omits the encoding; strict checkers want it stated.
    let mut out = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n".to_vec();
    feed.write_with_config(&mut out, WriteConfig { write_document_declaration: false, indent_size: None })?;
    Ok(out)
}

fn entry(item: &FeedItem) -> Entry {
    let a = &item.article;
    let mut links = vec![link(a.url.as_str(), "alternate", Some("text/html"))];
    if let Some(img) = &a.image {
        links.push(Link {
            length: img.length.map(|n| n.to_string()),
            ..link(img.url.as_str(), "enclosure", img.mime.as_deref())
        });
    }
    let body = Some(content_html(item)).filter(|html| !html.trim().is_empty());
    Entry {
        id: item.guid.clone(),
        title: Text::plain(xml_safe(&a.title)),
        updated: item.updated,
        published: Some(item.published),
        // An entry whose source gave neither body nor lead (a feed item with a title only)
        // says its title as its summary: an empty content element is an empty pane in readers,
        // and an entry with no text at all a validator warning.
        summary: a.summary.as_deref().or(body.is_none().then_some(a.title.as_str())).map(|s| Text::plain(xml_safe(s))),
        content: body.map(|html| Content {
            content_type: Some("html".into()),
            value: Some(html),
            ..Content::default()
        }),
        authors: a.author.iter().map(|name| Person { name: xml_safe(name), ..Person::default() }).collect(),
        categories: a.categories.iter().map(|c| Category { term: xml_safe(c), ..Category::default() }).collect(),
        links,
        ..Entry::default()
    }
}

fn link(href: &str, rel: &str, mime: Option<&str>) -> Link {
    Link { href: href.to_string(), rel: rel.to_string(), mime_type: mime.map(str::to_string), ..Link::default() }
}
