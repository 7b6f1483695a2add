//! Extraction on saved pages: every corpus page against its reviewed snapshot (a new case is a new
//! file in `tests/fixtures/corpus/`), invariants that hold for every page, the seed text dump
//! against its HTML page, list pages, and the css profile.

use std::path::Path;

use bantin::config::{FeedDef, Profile, Rules};
use bantin::extract::{self, Extracted, PageRequest};
use bantin::model::{Article, Page};
use url::Url;

const CORPUS_URL: &str = "https://portal.example.gov.vn/Pages/chi-tiet-tin-tuc.aspx?ItemID=100";

fn page(path: &Path, url: &str) -> Page {
    let bytes = std::fs::read(path).unwrap();
    Page { url: Url::parse(url).unwrap(), html: bantin::fetch::decode(&bytes, None) }
}

fn portal() -> Rules {
    Rules::new(Profile::PublishingPortal)
}

/// What must hold for every article whatever its markup.
fn assert_clean(article: &Article, name: &str) {
    use unicode_normalization::is_nfc;
    let texts = [
        Some(article.title.as_str()),
        article.summary.as_deref(),
        article.author.as_deref(),
        article.caption.as_deref(),
        Some(article.content_text.as_str()),
        Some(article.content_html.as_str()),
    ];
    for text in texts.into_iter().flatten() {
        assert!(is_nfc(text), "{name}: not NFC: {text}");
        for banned in ['\u{200B}', '\u{FEFF}', '\u{A0}', '\u{B}'] {
            assert!(!text.contains(banned), "{name}: {banned:?} in {text}");
        }
        for banned in ["Tăng cỡ chữ", "Giảm cỡ chữ", "In bài", "Gửi email", "PublishingPortal -", "Các tin khác"]
        {
            assert!(!text.contains(banned), "{name}: `{banned}` in {text}");
        }
    }
    let html = &article.content_html;
    for banned in ["<script", "<style", "<input", "javascript:", "onclick", "class=", "style=", "&nbsp;", "<o:p", "  "]
    {
        assert!(!html.contains(banned), "{name}: `{banned}` in {html}");
    }
    for attr in ["src=\"", "href=\""] {
        for (i, _) in html.match_indices(attr) {
            let url = &html[i + attr.len()..];
            assert!(url.starts_with("https://") || url.starts_with("http://"), "{name}: relative URL in {html}");
        }
    }
    if let Some(caption) = &article.caption {
        assert!(!article.content_text.contains(caption.as_str()), "{name}: caption repeated in the body");
    }
    if let Some(author) = &article.author {
        assert!(!article.content_text.ends_with(author.as_str()), "{name}: author left in the body");
    }
}

#[test]
fn corpus_pages_match_their_snapshots() {
    insta::glob!("fixtures/corpus/*.html", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let value = match extract::article(&portal(), &page(path, CORPUS_URL), None) {
            Ok(extract::Extracted { article, unplaced }) => {
                assert!(unplaced.is_empty(), "{name}: text in no field: {unplaced:?}");
                assert!(!name.starts_with("broken-"), "{name} must not give an article");
                assert_clean(&article, &name);
                article.to_json()
            }
            Err(e) => {
                assert!(name.starts_with("broken-"), "{name}: {e}");
                serde_json::json!({ "error": e.to_string() })
            }
        };
        insta::assert_json_snapshot!(value);
    });
}

#[test]
fn sample_portal_articles_match_their_snapshots() {
    insta::glob!("fixtures/publishing-portal/article-*.html", |path| {
        let id = path.file_stem().unwrap().to_string_lossy().trim_start_matches("article-").to_string();
        let url = format!("https://backan.gov.vn/Pages/chi-tiet-tin-tuc.aspx?ItemID={id}");
        let article = extract::article(&portal(), &page(path, &url), None).map(|e| e.article).unwrap();
        assert_clean(&article, &id);
        insta::assert_json_snapshot!(article.to_json());
    });
}

/// The project's seed: a web-archive text dump of article 12345 reads as the HTML page does.
#[test]
fn seed_dump_gives_the_same_article_as_the_page() {
    let url = "https://backan.gov.vn/Pages/chi-tiet-tin-tuc.aspx?ItemID=12345";
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let html = extract::article(&portal(), &page(&fixtures.join("publishing-portal/article-12345.html"), url), None)
        .map(|e| e.article)
        .unwrap();
    let dump_page = page(&fixtures.join("000_55768d6cad423618.txt"), url);
    assert!(extract::is_dump(&dump_page.html));
    let dump = extract::article(&portal(), &dump_page, None).map(|e| e.article).unwrap();
    assert_eq!(dump.url, html.url);
    assert_eq!(dump.title, html.title);
    assert_eq!(dump.published, html.published);
    assert_eq!(dump.summary, html.summary);
    assert_eq!(dump.caption, html.caption);
    assert_eq!(dump.author, html.author);
    assert_eq!(dump.content_text, html.content_text);
    assert_eq!(dump.content_text.split("\n\n").count(), 8);
    assert!(dump.image.is_none() && html.image.is_some(), "a dump has no image URL");
}

#[test]
fn list_pages_give_links_dates_leads_and_pages() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let base = "https://backan.gov.vn/Pages/tin-tuc-su-kien.aspx";
    let list = extract::list(&portal(), &page(&fixtures.join("publishing-portal/list-page-1.html"), base));
    let ids: Vec<&str> = list.links.iter().map(|l| l.url.query().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "ItemID=12351",
            "ItemID=12350",
            "ItemID=12348",
            "ItemID=12347",
            "ItemID=12346",
            "ItemID=12345",
            "ItemID=12344",
            "ItemID=12343"
        ],
        "the list block's links, in order, not the 'Tin xem nhiều' ones twice"
    );
    let seed = &list.links[5];
    assert_eq!(seed.url.as_str(), "https://backan.gov.vn/pages/chi-tiet-tin-tuc.aspx?ItemID=12345");
    assert_eq!(seed.title.as_deref(), Some("Phấn đấu tăng trưởng công nghiệp năm 2024 đạt trên 16%"));
    assert_eq!(seed.published.unwrap().to_rfc3339(), "2024-04-05T00:00:00+07:00");
    assert!(seed.summary.as_deref().unwrap().starts_with("Năm 2024, Bắc Kạn tiếp tục"));
    assert_eq!(list.pages, [PageRequest::Get(Url::parse(&format!("{base}?Page=2")).unwrap())]);

    let last = extract::list(
        &portal(),
        &page(&fixtures.join("publishing-portal/list-page-2.html"), &format!("{base}?Page=2")),
    );
    assert_eq!(last.links.len(), 4);

    // Pages rendered without any article link are a layout change for the caller to report.
    let article_page = page(&fixtures.join("publishing-portal/article-12345.html"), base);
    assert!(
        extract::list(&portal(), &article_page).links.iter().all(|l| !l.url.as_str().contains("12351")),
        "related-news blocks are not the list"
    );
}

#[test]
fn postback_pagers_post_the_form_back() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let base = "https://backan.gov.vn/Pages/tin-tuc-su-kien.aspx";
    let list = extract::list(&portal(), &page(&fixtures.join("lists/list-postback.html"), base));
    assert_eq!(list.links.len(), 8);
    let [PageRequest::Post { url, fields }] = list.pages.as_slice() else {
        panic!("one postback page: {:?}", list.pages)
    };
    assert_eq!(url.as_str(), base, "the form's action, resolved");
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(field("__EVENTTARGET"), Some("ctl00$PlaceHolderMain$g_eeeaba13$pager"));
    assert_eq!(field("__EVENTARGUMENT"), Some("Page$2"));
    assert!(field("__VIEWSTATE").is_some_and(|v| v.len() > 100), "hidden fields travel with the post");
    assert_eq!(fields.iter().filter(|(k, _)| k == "__EVENTTARGET").count(), 1);
}

#[test]
fn css_profile_reads_a_newspaper() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/css");
    let def = FeedDef::load(&fixtures.join("feed.toml")).unwrap();
    let url = "https://baothainguyen.example.vn/du-lich/thai-nguyen-don-2-trieu-khach/?utm_source=home";
    let article =
        extract::article(&def.rules, &page(&fixtures.join("article.html"), url), None).map(|e| e.article).unwrap();
    assert_clean(&article, "css");
    assert_eq!(article.url.as_str(), "https://baothainguyen.example.vn/du-lich/thai-nguyen-don-2-trieu-khach/");
    assert_eq!(article.title, "Thái Nguyên đón hơn 2 triệu lượt khách du lịch");
    assert_eq!(article.published.unwrap().to_rfc3339(), "2025-07-10T09:15:00+07:00");
    assert_eq!(article.author.as_deref(), Some("Ngọc Hà"));
    assert_eq!(
        article.summary.as_deref(),
        Some("Sáu tháng đầu năm, Thái Nguyên đón hơn 2 triệu lượt khách, tăng 12% so với cùng kỳ.")
    );
    assert_eq!(
        article.image.unwrap().url.as_str(),
        "https://baothainguyen.example.vn/wp-content/uploads/2025/07/ho-nui-coc.jpg"
    );
    assert_eq!(article.caption.as_deref(), Some("Hồ Núi Cốc mùa hè"));
    assert_eq!(article.content_text.split("\n\n").count(), 2, "{}", article.content_text);

    let list =
        extract::list(&def.rules, &page(&fixtures.join("list.html"), "https://baothainguyen.example.vn/du-lich/"));
    assert_eq!(list.links.len(), 2);
    assert_eq!(list.links[0].url.as_str(), "https://baothainguyen.example.vn/du-lich/thai-nguyen-don-2-trieu-khach/");
    assert_eq!(list.links[1].published.unwrap().to_rfc3339(), "2025-07-08T00:00:00+07:00");
    assert_eq!(list.pages, [PageRequest::Get(Url::parse("https://baothainguyen.example.vn/du-lich/page/2/").unwrap())]);

    // A page the selectors no longer match is an error naming the field and the selector.
    let err =
        extract::article(&def.rules, &page(&fixtures.join("list.html"), url), None).map(|e| e.article).unwrap_err();
    assert_eq!(err.to_string(), "no title: selector `h1.entry-title` matched nothing");
}

fn feed_rules() -> Rules {
    Rules::new(Profile::Feed)
}

#[test]
fn feed_sources_normalize_like_pages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds");
    let read =
        |name: &str, url: &str| extract::feed_articles(&feed_rules(), &page(&dir.join(name), url)).unwrap().articles;

    // A government RSS: CDATA links with spaces, relative links, HTML in titles, local dates.
    let gov = read("vn-gov-cdata.rss", "https://thainguyen.example.gov.vn/rss/tin-tuc.rss");
    assert_eq!(gov.len(), 2);
    // The link as the feed gives it: a feed's links are not rewritten (only a portal's pages are).
    assert_eq!(
        gov[0].url.as_str(),
        "https://thainguyen.example.gov.vn/Pages/chi-tiet-tin-tuc.aspx?ItemID=501&Source=%2fPages%2ftin-tuc.aspx"
    );
    assert_eq!(gov[0].title, "Thái Nguyên: Khởi công cầu Gia Bẩy mới");
    assert_eq!(gov[0].published.unwrap().to_rfc3339(), "2024-04-05T10:30:00+07:00", "day-first, Vietnam time");
    assert!(gov[0].content_html.contains("src=\"https://thainguyen.example.gov.vn/PictureLibrary/cau-gia-bay.jpg\""));
    assert_eq!(gov[1].published, None, "no date: the store stamps first sight, once");

    // The same feed in windows-1258, declared in the XML prolog, reads the same.
    let legacy = read("windows-1258.rss", "https://thainguyen.example.gov.vn/rss/tin-tuc.rss");
    assert_eq!(legacy.iter().map(|a| &a.title).collect::<Vec<_>>(), gov.iter().map(|a| &a.title).collect::<Vec<_>>());

    // A newspaper: +0700 dates, content:encoded, dc:creator, enclosure, duplicate guids.
    let paper = read("newspaper.rss", "https://baobackan.example.vn/rss/thoi-su.rss");
    assert_eq!(paper.len(), 2, "an item repeated under another guid or title appears once");
    let first = &paper[0];
    assert_eq!(first.url.as_str(), "https://baobackan.example.vn/thoi-su/phan-dau-tang-truong-cong-nghiep-2024.html");
    assert_eq!(first.published.unwrap().to_rfc3339(), "2024-04-05T08:15:00+07:00");
    assert_eq!(first.author.as_deref(), Some("Thu Cúc"));
    assert_eq!(first.categories, ["Kinh tế"]);
    assert_eq!(first.image.as_ref().unwrap().length, Some(48211));
    assert!(!first.content_html.contains("script") && !first.content_html.contains("MsoNormal"));
    assert_eq!(paper[1].title, "Ba Bể đón hơn 40.000 lượt khách", "the first listing wins");

    // Atom with xml:base and relative links, HTML title.
    let atom = read("relative.atom", "https://sotttt.example.gov.vn/feed.atom");
    assert_eq!(atom[0].url.as_str(), "https://sotttt.example.gov.vn/tin/tap-huan-attt-77.html");
    assert_eq!(atom[0].title, "Tập huấn an toàn thông tin");
    assert_eq!(atom[0].author.as_deref(), Some("Văn phòng Sở"));
    assert!(atom[0].content_html.contains("href=\"https://sotttt.example.gov.vn/tai-lieu/attt.pdf\""));

    // Not a feed: an error, not an empty list.
    let not_feed = extract::feed_articles(&feed_rules(), &page(&dir.join("../css/list.html"), "https://x.example/"));
    assert!(not_feed.is_err());
}

/// No text is lost or doubled: every text of the ViewData web part (scripts, styles and the
/// related-news boxes aside) ends up in the body, the caption, the author or the lead, and a
/// text long enough to tell is in only one of them. Fails naming the page and the text.
#[test]
fn every_viewdata_text_lands_in_exactly_one_field() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("broken-") || path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let page = page(&path, CORPUS_URL);
        let Ok(article) = extract::article(&portal(), &page, None).map(|e| e.article) else { continue };
        let doc = scraper::Html::parse_document(&page.html);
        // SharePoint 2013 chrome: the title span `WebPartTitleWPQn` names the part, `WebPartWPQn`
        // is its body. Pages in other chrome are covered by their snapshots.
        let title_sel = scraper::Selector::parse("[id^=WebPartTitleWPQ]").unwrap();
        let Some(id) = doc
            .select(&title_sel)
            .find(|t| t.value().attr("title").is_some_and(|t| t.contains("Block_BanTin_ViewData")))
            .and_then(|t| t.value().id().map(|id| id.replace("WebPartTitle", "WebPart")))
        else {
            continue;
        };
        let body = doc.select(&scraper::Selector::parse(&format!("#{id}")).unwrap()).next().unwrap();
        checked += 1;
        let norm = |t: &str| extract::clean::text(t);
        let fields = [
            ("body", norm(&article.content_text)),
            ("caption", article.caption.as_deref().map(norm).unwrap_or_default()),
            ("author", article.author.as_deref().map(norm).unwrap_or_default()),
            ("lead", article.summary.as_deref().map(norm).unwrap_or_default()),
            ("title", norm(&article.title)),
        ];
        for node in body.descendants() {
            let scraper::Node::Text(text) = node.value() else { continue };
            let hidden = node.ancestors().filter_map(|a| a.value().as_element()).any(|e| {
                matches!(e.name(), "script" | "style" | "noscript")
                    || e.classes().any(|c| c.contains("tin-khac") || c.contains("lienquan") || c.contains("related"))
            });
            let text = norm(text);
            if hidden || text.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
                continue;
            }
            // A byline's label and note are left out of the author on purpose.
            let core = text.trim_end_matches(" (tổng hợp)");
            let homes: Vec<&str> = fields
                .iter()
                .filter(|(_, value)| {
                    value.contains(core) || extract::author_name(core).is_some_and(|n| value.contains(&n))
                })
                .map(|(field, _)| *field)
                .collect();
            if homes.is_empty() {
                problems.push(format!("{name}: lost: {text}"));
            } else if core.chars().count() >= 20 && homes.len() > 1 && homes != ["body", "title"] {
                problems.push(format!("{name}: in {homes:?}: {text}"));
            }
        }
    }
    assert!(checked >= 20, "the invariant ran on {checked} pages");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A SharePoint 2013 page with a Toolbar part holding `toolbar` and, when given, a ViewData part
/// holding `viewdata`; `after` follows the parts in the main zone.
fn sp2013(toolbar: &str, viewdata: Option<&str>, after: &str) -> Page {
    let part = |n: u32, name: &str, inner: &str| {
        format!(
            "<div class=\"ms-webpart-chrome\"><div class=\"ms-webpart-chrome-title\"><span id=\"WebPartTitleWPQ{n}\" \
             title=\"PublishingPortal - {name} - My Visual Web Part\"><h2 class=\"ms-webpart-titleText\"><nobr><span>\
             PublishingPortal - {name}</span></nobr></h2></span></div><div id=\"WebPartWPQ{n}\" class=\"ms-WPBody\">{inner}</div></div>"
        )
    };
    let viewdata = viewdata.map(|v| part(4, "Block_BanTin_ViewData", v)).unwrap_or_default();
    let html = format!(
        "<html><body><div class=\"header\">Thứ Hai, 30/11/2026</div><div id=\"DeltaPlaceHolderMain\">{}{viewdata}{after}</div>\
         <div class=\"footer\">Cổng thông tin điện tử</div></body></html>",
        part(3, "Block_BanTin_Toolbar", toolbar)
    );
    Page { url: Url::parse(CORPUS_URL).unwrap(), html }
}

const PARAGRAPHS: [&str; 3] = [
    "Sáng 21/6, UBND tỉnh tổ chức hội nghị sơ kết công tác 6 tháng đầu năm, triển khai nhiệm vụ trọng tâm những tháng cuối năm 2024 với sự tham dự của lãnh đạo các sở, ngành.",
    "Theo báo cáo, tốc độ tăng trưởng kinh tế của tỉnh ước đạt 6,5%, thu ngân sách nhà nước đạt 58% dự toán, nhiều chỉ tiêu quan trọng đạt và vượt kế hoạch đề ra.",
    "Phát biểu kết luận, đồng chí Chủ tịch UBND tỉnh yêu cầu các ngành, địa phương tập trung tháo gỡ khó khăn, đẩy nhanh tiến độ giải ngân vốn đầu tư công./.",
];

fn story() -> String {
    PARAGRAPHS.iter().map(|p| format!("<p>{p}</p>")).collect()
}

const RELATED: &str = "<div><h3>Tin liên quan</h3><ul>\
    <li><a href=\"/Pages/chi-tiet-tin-tuc.aspx?ItemID=7\">Hội nghị triển khai nhiệm vụ năm 2024</a> (05/01/2024)</li>\
    <li><a href=\"/Pages/chi-tiet-tin-tuc.aspx?ItemID=8\">Sơ kết công tác quý I năm 2024 của UBND tỉnh</a> (02/04/2024)</li>\
    <li><a href=\"/Pages/chi-tiet-tin-tuc.aspx?ItemID=9\">Tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024</a> (28/12/2023)</li>\
    </ul></div>";

/// Issue 21's families, one page each: the fields a reader sees on the page.
#[test]
fn the_families_that_broke_on_unseen_portals() {
    let toolbar = "<h1>Sơ kết công tác 6 tháng<br>đầu năm 2024</h1><div>9h15, 21/06/2024</div>\
                   <p>UBND tỉnh đánh giá kết quả 6 tháng đầu năm và đề ra nhiệm vụ cuối năm.</p>";
    let byline = "<p style=\"text-align:right\"><strong>Minh Hằng</strong></p><p>Nguồn: Báo Bắc Kạn</p>";
    let cases = [
        ("related box after the byline", sp2013(toolbar, Some(&format!("{}{byline}{RELATED}", story())), "")),
        ("body without ViewData chrome", sp2013(toolbar, None, &format!("<div class=\"x\">{}{byline}</div>", story()))),
        (
            "image with an empty caption element",
            sp2013(
                toolbar,
                Some(&format!(
                    "<div><img src=\"/Images/a.jpg\" alt=\"\"></div><div class=\"cap\"></div>{}{byline}",
                    story()
                )),
                "",
            ),
        ),
    ];
    for (family, page) in cases {
        let Extracted { article, unplaced } =
            extract::article(&portal(), &page, None).unwrap_or_else(|e| panic!("{family}: {e}"));
        assert_eq!(article.title, "Sơ kết công tác 6 tháng đầu năm 2024", "{family}");
        assert_eq!(article.published.unwrap().to_rfc3339(), "2024-06-21T09:15:00+07:00", "{family}");
        assert_eq!(
            article.summary.as_deref(),
            Some("UBND tỉnh đánh giá kết quả 6 tháng đầu năm và đề ra nhiệm vụ cuối năm."),
            "{family}"
        );
        assert_eq!(article.author.as_deref(), Some("Minh Hằng"), "{family}");
        let mut expected: Vec<&str> = PARAGRAPHS.to_vec();
        expected.push("Nguồn: Báo Bắc Kạn");
        assert_eq!(article.content_text, expected.join("\n\n"), "{family}");
        assert!(unplaced.is_empty(), "{family}: {unplaced:?}");
        if family.starts_with("image") {
            assert_eq!(article.image.unwrap().url.path(), "/Images/a.jpg");
            assert_eq!(article.caption, None);
        }
    }
}

/// Issue 21: a paragraph the article's region does not reach is reported, never silently lost.
#[test]
fn text_in_no_field_is_a_warning() {
    let lost = "Đoạn văn này nằm sau hộp tin liên quan, ngoài vùng bài viết được chọn, và không được phép mất đi mà không có cảnh báo.";
    let viewdata = format!("<div class=\"a\">{}</div>{RELATED}<div class=\"b\"><p>{lost}</p></div>", story());
    let Extracted { article, unplaced } =
        extract::article(&portal(), &sp2013("<h1>Tiêu đề bài viết thử nghiệm</h1>", Some(&viewdata), ""), None)
            .unwrap();
    assert_eq!(article.content_text, PARAGRAPHS.join("\n\n"));
    assert_eq!(unplaced.len(), 1, "{unplaced:?}");
    assert!(lost.starts_with(unplaced[0].trim_end_matches('…')), "{unplaced:?}");
}

/// Issue 21: a page whose best body is a list of links (or dated titles) is refused.
#[test]
fn a_body_of_links_is_refused() {
    let links = RELATED.replace("<h3>Tin liên quan</h3>", "");
    let err = extract::article(&portal(), &sp2013("<h1>Tiêu đề bài viết thử nghiệm</h1>", Some(&links), ""), None)
        .unwrap_err();
    assert!(err.to_string().starts_with("not an article"), "{err}");
    let dated: String =
        (1..=6).map(|i| format!("<p>Thông báo số {i} về lịch tiếp công dân ({i:02}/05/2024)</p>")).collect();
    let err = extract::article(&portal(), &sp2013("<h1>Tiêu đề bài viết thử nghiệm</h1>", Some(&dated), ""), None)
        .unwrap_err();
    assert!(err.to_string().contains("dated lines"), "{err}");
}

/// A lead set in plain text at the top of the ViewData part, in an element its template names as
/// the lead (`tomtat`, `sapo`): the lead, not the first paragraph.
#[test]
fn a_lead_named_by_its_template() {
    let viewdata = format!(
        "<div class=\"tomtat\">UBND tỉnh đánh giá kết quả 6 tháng đầu năm và đề ra nhiệm vụ cuối năm.</div>{}",
        story()
    );
    let Extracted { article, .. } =
        extract::article(&portal(), &sp2013("<h1>Tiêu đề bài viết thử nghiệm</h1>", Some(&viewdata), ""), None)
            .unwrap();
    assert_eq!(
        article.summary.as_deref(),
        Some("UBND tỉnh đánh giá kết quả 6 tháng đầu năm và đề ra nhiệm vụ cuối năm.")
    );
    assert_eq!(article.content_text, PARAGRAPHS.join("\n\n"));
}
