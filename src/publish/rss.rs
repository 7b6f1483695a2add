//! RSS 2.0 with the content, Dublin Core and Atom (`rel="self"`) extensions.

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{ChannelBuilder, Enclosure, Guid, ItemBuilder};

use super::{GENERATOR, PublishError, content_html, last_change};
use crate::model::{FeedItem, FeedMeta, Format, xml_safe};

pub fn render(meta: &FeedMeta, items: &[FeedItem]) -> Result<Vec<u8>, PublishError> {
    let last_build = last_change(meta, items).to_rfc2822();
    let items = items.iter().map(item).collect::<Vec<_>>();
    let channel = ChannelBuilder::default()
        .title(xml_safe(&meta.title))
        .link(meta.site.to_string())
        .description(xml_safe(&meta.description))
        .language(Some("vi".to_string()))
        .generator(Some(GENERATOR.to_string()))
        .ttl(Some(meta.ttl_minutes.to_string()))
        .last_build_date(Some(last_build))
        .atom_ext(Some(AtomExtension {
            links: vec![Link {
                href: meta.self_url(Format::Rss),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Link::default()
            }],
        }))
        .items(items)
        .build();
    Ok(channel.write_to(Vec::new())?)
}

fn item(feed_item: &FeedItem) -> rss::Item {
    let a = &feed_item.article;
    // An enclosure must state its byte length; without a measured one, the image stays in the
    // content only rather than carrying an invented length.
    let enclosure = a.image.as_ref().and_then(|img| {
        Some(Enclosure { url: img.url.to_string(), length: img.length?.to_string(), mime_type: img.mime.clone()? })
    });
    ItemBuilder::default()
        .title(Some(xml_safe(&a.title)))
        .link(Some(a.url.to_string()))
        .guid(Some(Guid { value: feed_item.guid.clone(), permalink: false }))
        .pub_date(Some(feed_item.published.to_rfc2822()))
        .description(a.summary.as_deref().map(xml_safe))
        .content(Some(content_html(feed_item)))
        .dublin_core_ext(
            a.author.as_ref().map(|author| DublinCoreExtension {
                creators: vec![xml_safe(author)],
                ..DublinCoreExtension::default()
            }),
        )
        .enclosure(enclosure)
        .build()
}
