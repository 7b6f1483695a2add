//! A site's icons from its home page: `<link rel="icon">` (or the old `shortcut icon`) for the
//! feed's icon, `apple-touch-icon` (180 px and up, square) for its logo; `/favicon.ico` when the
//! page names no icon, as browsers assume.

use url::Url;

use super::dom::{document, selector};
use crate::model::{Page, is_web_url};

/// Icon and logo candidates the page names, best first, and `/favicon.ico` last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IconLinks {
    pub icons: Vec<Url>,
    pub logos: Vec<Url>,
}

pub fn links(page: &Page) -> IconLinks {
    let doc = document(&page.html);
    let base = doc
        .select(selector("base[href]"))
        .next()
        .and_then(|b| page.url.join(b.value().attr("href")?).ok())
        .unwrap_or_else(|| page.url.clone());
    let mut out = IconLinks::default();
    // (size, url): the larger the better for a logo; for an icon, the first named.
    let mut logos: Vec<(u32, Url)> = Vec::new();
    for link in doc.select(selector("link[rel][href]")) {
        let rel = link.value().attr("rel").unwrap_or_default().to_ascii_lowercase();
        let Some(url) = link.value().attr("href").and_then(|h| base.join(h.trim()).ok()).filter(is_web_url) else {
            continue;
        };
        let words: Vec<&str> = rel.split_ascii_whitespace().collect();
        if words.contains(&"icon") && !out.icons.contains(&url) {
            out.icons.push(url);
        } else if words.iter().any(|w| w.starts_with("apple-touch-icon")) {
            let size = link.value().attr("sizes").and_then(|s| s.split(['x', 'X']).next()?.parse().ok()).unwrap_or(180);
            logos.push((size, url));
        }
    }
    logos.sort_by_key(|(size, _)| std::cmp::Reverse(*size));
    out.logos = logos.into_iter().map(|(_, url)| url).collect();
    if let Ok(favicon) = page.url.join("/favicon.ico")
        && !out.icons.contains(&favicon)
    {
        out.icons.push(favicon);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_and_logos_from_the_head() {
        let page = Page {
            url: Url::parse("https://portal.example/Pages/home.aspx").unwrap(),
            html: r#"<html><head>
                <link rel="shortcut icon" href="/Style%20Library/images/favicon.ico" type="image/vnd.microsoft.icon">
                <link rel="apple-touch-icon" sizes="120x120" href="/touch-120.png">
                <link rel="apple-touch-icon" sizes="180x180" href="/touch-180.png">
                <link rel="icon" href="javascript:alert(1)">
                <link rel="stylesheet" href="/x.css"></head></html>"#
                .into(),
        };
        let found = links(&page);
        let urls = |v: &[Url]| v.iter().map(Url::to_string).collect::<Vec<_>>();
        assert_eq!(
            urls(&found.icons),
            ["https://portal.example/Style%20Library/images/favicon.ico", "https://portal.example/favicon.ico"]
        );
        assert_eq!(
            urls(&found.logos),
            ["https://portal.example/touch-180.png", "https://portal.example/touch-120.png"]
        );
        let bare = links(&Page { url: page.url.clone(), html: "<p>no head</p>".into() });
        assert_eq!(urls(&bare.icons), ["https://portal.example/favicon.ico"]);
    }
}
