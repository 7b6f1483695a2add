//! OPML 2.0: every feed, for readers to import in one go.

use crate::model::{escape_html, xml_safe};

/// One feed in the outline.
#[derive(Debug, Clone)]
pub struct OpmlEntry {
    pub title: String,
    /// The feed's URL (its RSS document).
    pub xml_url: String,
    /// The site the feed comes from.
    pub html_url: String,
}

pub fn opml(title: &str, entries: &[OpmlEntry]) -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<opml version=\"2.0\">\n<head>\n");
    out.push_str(&format!("<title>{}</title>\n</head>\n<body>\n", escape_html(&xml_safe(title))));
    for e in entries {
        let title = escape_html(&xml_safe(&e.title));
        out.push_str(&format!(
            "<outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\" htmlUrl=\"{}\"/>\n",
            escape_html(&e.xml_url),
            escape_html(&e.html_url)
        ));
    }
    out.push_str("</body>\n</opml>\n");
    out.into_bytes()
}
