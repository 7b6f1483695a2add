//! RSS 2.0 with the content, Dublin Core, Atom (`rel="self"`, paging) and Media RSS extensions.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, ChannelBuilder, Enclosure, Guid, ItemBuilder};

use super::{GENERATOR, PublishError, content_html, last_change, paging_links};
use crate::model::{FeedItem, FeedMeta, Format, Paging, xml_safe};

const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

pub fn render(meta: &FeedMeta, items: &[FeedItem], paging: Paging) -> Result<Vec<u8>, PublishError> {
    let last_build = last_change(meta, items).to_rfc2822();
    let mut links = vec![Link {
        href: meta.url(Format::Rss, paging.page),
        rel: "self".into(),
        mime_type: Some(Format::Rss.media_type().into()),
        ..Link::default()
    }];
    for (rel, href) in paging_links(meta, Format::Rss, paging) {
        links.push(Link { href, rel: rel.into(), mime_type: Some(Format::Rss.media_type().into()), ..Link::default() });
    }
    for hub in &meta.hubs {
        links.push(Link { href: hub.clone(), rel: "hub".into(), ..Link::default() });
    }
    let items: Vec<rss::Item> = items.iter().map(item).collect();
    let uses_media = items.iter().any(|i| i.extensions().contains_key("media"));
    let mut namespaces = BTreeMap::new();
    if uses_media {
        namespaces.insert("media".to_string(), MEDIA_NS.to_string());
    }
    let channel = ChannelBuilder::default()
        .title(xml_safe(&meta.title))
        .link(meta.site.to_string())
        .description(xml_safe(&meta.description))
        .language(Some("vi".to_string()))
        .generator(Some(GENERATOR.to_string()))
        .ttl(Some(meta.ttl_minutes.to_string()))
        .last_build_date(Some(last_build))
        .atom_ext(Some(AtomExtension { links }))
        // RSS has one image, and RSS 2.0 allows only GIF, JPEG or PNG there (a favicon is
        // usually an .ico): the logo when it is one of those, else the icon.
        .image([&meta.logo, &meta.icon].into_iter().flatten().find(|u| rss_image_format(u)).map(|image| rss::Image {
            url: image.to_string(),
            title: xml_safe(&meta.title),
            link: meta.site.to_string(),
            ..rss::Image::default()
        }))
        .namespaces(namespaces)
        .items(items)
        .build();
    Ok(channel.write_to(Vec::new())?)
}

fn item(feed_item: &FeedItem) -> rss::Item {
    let a = &feed_item.article;
    // An enclosure must state its byte length. Without a measured one the image goes out as
    // `media:content`, which has no required length, rather than with an invented one.
    let enclosure = a.image.as_ref().and_then(|img| {
        Some(Enclosure { url: img.url.to_string(), length: img.length?.to_string(), mime_type: img.mime.clone()? })
    });
    let mut extensions = ExtensionMap::default();
    if let (Some(img), None) = (&a.image, &enclosure) {
        let mut attrs =
            BTreeMap::from([("url".to_string(), img.url.to_string()), ("medium".to_string(), "image".into())]);
        if let Some(mime) = &img.mime {
            attrs.insert("type".into(), mime.clone());
        }
        let content = Extension { name: "media:content".into(), attrs, ..Extension::default() };
        extensions.insert("media".into(), BTreeMap::from([("content".to_string(), vec![content])]));
    }
    ItemBuilder::default()
        .title(Some(xml_safe(&a.title)))
        .link(Some(a.url.to_string()))
        .guid(Some(Guid { value: feed_item.guid.clone(), permalink: false }))
        .pub_date(Some(feed_item.published.to_rfc2822()))
        // Readers that show only `description` need one even when the source gave no lead (the
        // W3C validator warns about `content:encoded` without it): the body's opening then.
        .description(Some(xml_safe(&a.summary.clone().unwrap_or_else(|| excerpt(&a.content_text)))))
        .content(Some(content_html(feed_item)))
        .dublin_core_ext(
            a.author.as_ref().map(|author| DublinCoreExtension {
                creators: vec![xml_safe(author)],
                ..DublinCoreExtension::default()
            }),
        )
        .categories(a.categories.iter().map(|c| Category { name: xml_safe(c), domain: None }).collect::<Vec<_>>())
        .enclosure(enclosure)
        .extensions(extensions)
        .build()
}

/// Whether `url` names a GIF, JPEG or PNG file, the formats RSS 2.0 allows for a channel image.
fn rss_image_format(url: &url::Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    [".gif", ".jpg", ".jpeg", ".png"].iter().any(|ext| path.ends_with(ext))
}

/// The first sentences of `text`, up to about 300 characters, cut at a word.
fn excerpt(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= 300 {
        return text;
    }
    let cut = text.floor_char_boundary(300);
    let cut = text[..cut].rfind(' ').unwrap_or(cut);
    format!("{}…", &text[..cut])
}
