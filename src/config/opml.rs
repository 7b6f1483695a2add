//! Feed files from a reader's OPML export (`bantin import-opml`).

use super::{ALL_FEEDS, parse_http_url};

/// What an OPML export gives: a feed file per new feed, and how many of its feeds were already
/// configured (or listed twice).
#[derive(Debug, Default)]
pub struct OpmlImport {
    /// `(file name, TOML)` per feed not yet configured.
    pub files: Vec<(String, String)>,
    /// Outlines skipped: their feed URL is a configured list page already.
    pub known: usize,
}

/// Feed files for the feeds of a reader's OPML export: one per outline with an `xmlUrl` that no
/// feed in `configured` (list page URLs) reads yet, named after its title, never reusing a name
/// in `taken`. Importing the same export twice writes nothing the second time.
pub fn feed_files_from_opml(opml: &str, taken: &[String], configured: &[url::Url]) -> OpmlImport {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        name: &'a str,
        title: &'a str,
        site: &'a str,
        profile: &'a str,
        list_pages: [&'a str; 1],
    }
    // OPML is XML, but an HTML parser reads its outlines just as well and forgives the
    // hand-edited ones (attribute names come out lower-cased).
    let doc = scraper::Html::parse_document(opml);
    let outline = scraper::Selector::parse("outline[xmlurl]").expect("static selector");
    let mut names: Vec<String> = taken.to_vec();
    let mut seen: Vec<url::Url> = configured.to_vec();
    let mut out = OpmlImport::default();
    for o in doc.select(&outline) {
        let attr = |k: &str| o.value().attr(k).map(str::trim).filter(|v| !v.is_empty());
        let Some(xml_url) = attr("xmlurl").and_then(|u| parse_http_url(u).ok()) else { continue };
        if seen.contains(&xml_url) {
            out.known += 1;
            continue;
        }
        seen.push(xml_url.clone());
        let title = attr("title").or(attr("text")).unwrap_or(xml_url.as_str()).to_string();
        let site =
            attr("htmlurl").and_then(|u| parse_http_url(u).ok()).unwrap_or_else(|| xml_url.join("/").expect("root"));
        let stem = Some(crate::model::slug(&title)).filter(|s| !s.is_empty()).unwrap_or_else(|| "feed".into());
        let stem: String = stem.chars().take(56).collect::<String>().trim_end_matches('-').to_string();
        let mut name = stem.clone();
        let mut n = 2;
        while names.contains(&name) || name == ALL_FEEDS {
            name = format!("{stem}-{n}");
            n += 1;
        }
        names.push(name.clone());
        let file =
            Out { name: &name, title: &title, site: site.as_str(), profile: "feed", list_pages: [xml_url.as_str()] };
        let text = format!("# Imported from OPML.\n{}", toml::to_string(&file).expect("plain strings serialize"));
        out.files.push((format!("{name}.toml"), text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_feed_of_an_opml_export_becomes_a_feed_file_with_a_free_name() {
        let opml = r#"<opml version="2.0"><body><outline text="Tin">
            <outline text="Báo Bắc Kạn" xmlUrl="https://baobackan.vn/rss/home.rss" htmlUrl="https://baobackan.vn/"/>
            <outline text="Báo Bắc Kạn" xmlUrl="https://baobackan.vn/rss/kinh-te.rss"/>
            <outline text="All" xmlUrl="https://all.example/feed"/>
            <outline text="no feed" htmlUrl="https://x.example/"/>
            <outline text="bad" xmlUrl="javascript:alert(1)"/>
        </outline></body></opml>"#;
        let files = feed_files_from_opml(opml, &["bao-bac-kan".into()], &[]).files;
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["bao-bac-kan-2.toml", "bao-bac-kan-3.toml", "all-2.toml"], "{files:?}");
        assert!(files[0].1.contains("profile = \"feed\""), "{}", files[0].1);
        assert!(files[0].1.contains("https://baobackan.vn/rss/home.rss"));
    }
}
