//! Generated portal article pages. A page is one row of a pairwise covering array over the
//! families below; everything the families leave open (class names, ids, WPQ numbers, which
//! toolbar links, the image path, the box titles) is drawn from a PRNG seeded by the row, so
//! nothing but the article's content stays put from one page to the next.

use chrono::{Duration, NaiveDateTime};
use url::Url;

use super::check::{Case, Expected};
use super::dates::{DateForm, dmy, hm, random_when, weekday_vi};
use super::design::{Rng, covering};
use super::markup::{Encoding, encode, esc, guid, name};
use super::text::{
    CREDITS, FURNITURE, MOST_READ_HEADLINES, MOST_READ_TITLES, OTHER_HEADLINES, PORTALS, RELATED_TITLES, STORIES, Story,
};

family!(Chrome {
    Sp2010 = "sp2010",
    Sp2010NoIds = "sp2010 without ids",
    Sp2013 = "sp2013",
    Sp2016 = "sp2016",
    Plain = "none (plain divs)",
    ToolbarOnly = "toolbar titled, body plain",
});

family!(Order {
    DateBarTitleLead = "datebar/title/lead",
    TitleDateToolsLead = "title/date/tools/lead",
    TitleLeadDateBar = "title/lead/datebar",
    ToolsTitleDateLead = "tools/title/date/lead",
    DateTitleLeadTools = "date/title/lead/tools",
    TitleDateBarLead = "title/datebar/lead",
});

family!(TitleTag {
    H1 = "h1",
    H2 = "h2",
    H3 = "h3",
    StyledDiv = "styled div",
    HeadingLink = "link in heading",
});

family!(TitleText {
    Plain = "plain",
    Br = "<br> inside",
    Nbsp = "&nbsp; inside",
});

family!(Lead {
    Strong = "strong",
    Plain = "plain",
    StyledBold = "bold by style",
    Italic = "italic",
    None = "none",
});

family!(Paras {
    P = "p",
    WordSpans = "word spans",
    Divs = "divs",
    BrSeparated = "br-separated",
    Font = "font tags",
});

family!(Byline {
    None = "none",
    RightStrong = "right, bold",
    RightPlain = "right, plain",
    BoldLast = "bold last line",
    ItalicRight = "right, italic",
    AuthorElement = "author element",
    LabelTacGia = "label Tac gia",
    LabelTinAnh = "label Tin, anh",
    ThenCredit = "byline then credit",
    CreditThenAuthor = "credit then byline",
    CreditOnly = "credit only",
});

family!(Boiler {
    None = "none",
    RelatedInside = "related inside ViewData",
    RelatedPart = "related part after",
    MostRead = "most-read column",
    ShareBar = "share/print bar",
    Tags = "tag line",
    Comments = "comment form",
    Everything = "all boxes",
});

family!(Image {
    None = "none",
    ParaItalic = "img p + italic p",
    BrItalic = "img br italic",
    Figure = "figure/figcaption",
    Table = "table caption row",
    EmptyFigcaption = "empty figcaption",
    EmptyTableCaption = "empty table caption",
    Floated = "floated in 1st paragraph",
});

family!(Masthead {
    Plain = "plain",
    Today = "today's date",
    TodayTime = "today's date and time",
});

/// One page's family values.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub chrome: Chrome,
    pub order: Order,
    pub date: DateForm,
    pub title_tag: TitleTag,
    pub title_text: TitleText,
    pub lead: Lead,
    pub paras: Paras,
    pub byline: Byline,
    pub boiler: Boiler,
    pub image: Image,
    pub encoding: Encoding,
    pub masthead: Masthead,
    pub story: usize,
}

const SEED: u64 = 0x6261_6e74_696e_2131;

pub fn sizes() -> Vec<usize> {
    vec![
        Chrome::ALL.len(),
        Order::ALL.len(),
        DateForm::ALL.len(),
        TitleTag::ALL.len(),
        TitleText::ALL.len(),
        Lead::ALL.len(),
        Paras::ALL.len(),
        Byline::ALL.len(),
        Boiler::ALL.len(),
        Image::ALL.len(),
        Encoding::ALL.len(),
        Masthead::ALL.len(),
        STORIES.len(),
    ]
}

/// Every pair of values, and every (chrome, byline, boxes) triple: where the byline stands,
/// what follows it and which part bounds them is where extractors went wrong (issue 21).
pub fn rows() -> Vec<Vec<usize>> {
    covering(&sizes(), &[[0, 7, 8]], SEED)
}

fn spec(row: &[usize]) -> Spec {
    Spec {
        chrome: Chrome::ALL[row[0]],
        order: Order::ALL[row[1]],
        date: DateForm::ALL[row[2]],
        title_tag: TitleTag::ALL[row[3]],
        title_text: TitleText::ALL[row[4]],
        lead: Lead::ALL[row[5]],
        paras: Paras::ALL[row[6]],
        byline: Byline::ALL[row[7]],
        boiler: Boiler::ALL[row[8]],
        image: Image::ALL[row[9]],
        encoding: Encoding::ALL[row[10]],
        masthead: Masthead::ALL[row[11]],
        story: row[12],
    }
}

fn families(s: &Spec) -> Vec<(String, String)> {
    [
        ("chrome", s.chrome.label()),
        ("toolbar order", s.order.label()),
        ("date", s.date.label()),
        ("title tag", s.title_tag.label()),
        ("title text", s.title_text.label()),
        ("lead", s.lead.label()),
        ("paragraphs", s.paras.label()),
        ("byline", s.byline.label()),
        ("boxes", s.boiler.label()),
        ("image", s.image.label()),
        ("encoding", s.encoding.label()),
        ("masthead", s.masthead.label()),
        ("article", STORIES[s.story].slug),
    ]
    .into_iter()
    .map(|(f, v)| (f.to_string(), v.to_string()))
    .collect()
}

pub fn cases() -> Vec<Case> {
    rows().iter().enumerate().map(|(i, row)| Builder::new(i, spec(row)).build()).collect()
}

/// One page being written: its PRNG, where it lives, and the text it holds that is not the
/// article's.
struct Builder {
    index: usize,
    rng: Rng,
    spec: Spec,
    story: &'static Story,
    host: &'static str,
    portal: &'static str,
    url: Url,
    when: NaiveDateTime,
    absent: Vec<String>,
    wpq: u32,
}

/// What the body part gives a reader.
struct Body {
    html: String,
    paragraphs: Vec<String>,
    author: Option<String>,
    image: Option<String>,
    caption: Option<String>,
}

impl Builder {
    fn new(index: usize, spec: Spec) -> Builder {
        let mut rng = Rng::new(SEED ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let (host, portal) = *rng.pick(PORTALS);
        let item = rng.range(1000, 29999);
        let url = if rng.one_in(2) {
            format!("https://{host}/Pages/chi-tiet-tin-tuc.aspx?ItemID={item}")
        } else {
            format!("https://{host}/tin-tuc/Pages/chi-tiet.aspx?ItemID={item}&l=TinTuc")
        };
        let when = random_when(&mut rng);
        Builder {
            index,
            rng,
            spec,
            story: &STORIES[spec.story],
            host,
            portal,
            url: Url::parse(&url).expect("valid"),
            when,
            absent: FURNITURE.iter().map(|s| s.to_string()).collect(),
            wpq: 0,
        }
    }

    fn class(&mut self, role: &[&str]) -> String {
        name(&mut self.rng, role)
    }

    fn build(mut self) -> Case {
        self.wpq = self.rng.range(1, 6);
        let dated = self.spec.date.render(self.when);
        let (date_line, published) = match dated {
            Some((line, at)) => (Some(line), Some(at)),
            None => (None, None),
        };
        let toolbar = self.toolbar(date_line.as_deref());
        let body = self.body();
        let inside = self.inside_boxes();
        let related_part = matches!(self.spec.boiler, Boiler::RelatedPart).then(|| self.related_box());
        let most_read = matches!(self.spec.boiler, Boiler::MostRead | Boiler::Everything).then(|| self.most_read_box());
        let main = self.main_zone(&toolbar, &body.html, &inside, related_part.as_deref());
        let html = self.document(&main, most_read.as_deref());

        let body_text = body.paragraphs.join("\n\n");
        for s in FURNITURE {
            assert!(!body_text.contains(s), "generator: furniture {s:?} inside the body of {}", self.story.slug);
        }
        let absent: Vec<String> = self.absent.iter().filter(|s| !body_text.contains(s.as_str())).cloned().collect();
        let expected = Expected {
            title: self.story.title.to_string(),
            published,
            summary: (self.spec.lead != Lead::None).then(|| self.story.lead.to_string()),
            author: body.author,
            image: body.image,
            caption: body.caption,
            paragraphs: body.paragraphs,
            absent,
        };
        let (bytes, content_type) = encode(&html, self.spec.encoding, &mut self.rng);
        let labels: Vec<String> = families(&self.spec).iter().map(|(_, v)| v.clone()).collect();
        Case {
            name: format!("page {:03} [{}]", self.index, labels.join("; ")),
            families: families(&self.spec),
            url: self.url.to_string(),
            bytes,
            content_type,
            expected,
        }
    }

    // ---- the toolbar part: title, date line, font-size links, lead ----

    fn title_html(&mut self) -> String {
        let words: Vec<&str> = self.story.title.split(' ').collect();
        let inner = match self.spec.title_text {
            TitleText::Plain => esc(self.story.title),
            TitleText::Br => {
                let at = words.iter().position(|w| w.ends_with(':')).map_or(words.len() / 2, |i| i + 1);
                let br = *self.rng.pick(&["<br>", "<br/>", "<br />", " <br />", "<br />\n\t\t"]);
                format!("{}{br}{}", esc(&words[..at].join(" ")), esc(&words[at..].join(" ")))
            }
            TitleText::Nbsp => {
                let at = 1 + self.rng.below(words.len() - 2);
                let nbsp = *self.rng.pick(&["&nbsp;", "&nbsp; ", " &nbsp;", "&#160;"]);
                format!("{}{nbsp}{}", esc(&words[..at].join(" ")), esc(&words[at..].join(" ")))
            }
        };
        let pad = if self.rng.one_in(3) { "\n\t\t\t" } else { "" };
        let inner = format!("{pad}{inner}{pad}");
        let class = self.class(&["tieu-de", "title", "news-title"]);
        match self.spec.title_tag {
            TitleTag::H1 => format!(r#"<h1 class="{class}">{inner}</h1>"#),
            TitleTag::H2 => format!(r#"<h2 class="{class}">{inner}</h2>"#),
            TitleTag::H3 => format!(r#"<h3 class="{class}">{inner}</h3>"#),
            TitleTag::StyledDiv => format!(
                r#"<div class="{class}" style="font-size: 20px; font-weight: bold; color: #0b4d8c; line-height: 28px;">{inner}</div>"#
            ),
            TitleTag::HeadingLink => {
                let href = format!("{}?{}", self.url.path(), self.url.query().unwrap_or_default());
                format!(r#"<h2 class="{class}"><a href="{}">{inner}</a></h2>"#, esc(&href))
            }
        }
    }

    fn date_html(&mut self, line: &str, inline: bool) -> String {
        let class = self.class(&["ngay-dang", "date", "time", "ngaythang"]);
        if inline {
            return format!(r#"<span class="{class}">{}</span>"#, esc(line));
        }
        match self.rng.below(4) {
            0 => format!(r#"<span class="{class}">{}</span>"#, esc(line)),
            1 => format!(
                r#"<div class="{class}"><img src="/Style%20Library/images/clock.png" alt="" /> {}</div>"#,
                esc(line)
            ),
            2 => format!(r#"<p class="{class}"><em>{}</em></p>"#, esc(line)),
            _ => format!(r#"<div class="{class}">{}</div>"#, esc(line)),
        }
    }

    fn tools_html(&mut self) -> String {
        let icons = self.rng.one_in(4);
        let link = |href: &str, text: &str| {
            if icons {
                format!(
                    r#"<a href="{href}" title="{text}"><img src="/Style%20Library/images/tool-{}.png" alt="" /></a>"#,
                    text.len()
                )
            } else {
                format!(r#"<a href="{href}">{text}</a>"#)
            }
        };
        let mut links = vec![link("javascript:ZoomIn();", "Tăng cỡ chữ"), link("javascript:ZoomOut();", "Giảm cỡ chữ")];
        if self.rng.one_in(2) {
            let text = *self.rng.pick(&["In bài viết", "In bài", "In trang"]);
            links.push(link("javascript:window.print();", text));
            self.absent.push(text.to_string());
        }
        if self.rng.one_in(2) {
            links.push(link("mailto:?subject=Tin%20bai", "Gửi email"));
        }
        if self.rng.one_in(2) {
            let share = format!("https://www.facebook.com/sharer/sharer.php?u={}", self.url);
            links.push(link(&esc(&share), "Chia sẻ"));
        }
        let sep = *self.rng.pick(&[" ", " | ", "&nbsp;&nbsp;"]);
        let class = self.class(&["cochu", "font-size", "tool"]);
        format!(r#"<span class="{class}">{}</span>"#, links.join(sep))
    }

    fn lead_html(&mut self) -> Option<String> {
        let class = self.class(&["tom-tat", "sapo", "summary", "trichdan"]);
        let lead = esc(self.story.lead);
        Some(match self.spec.lead {
            Lead::Strong => {
                if self.rng.one_in(2) {
                    format!(r#"<div class="{class}"><strong>{lead}</strong></div>"#)
                } else {
                    format!(r#"<p class="{class}"><b>{lead}</b></p>"#)
                }
            }
            Lead::Plain => {
                if self.rng.one_in(2) {
                    format!(r#"<div class="{class}">{lead}</div>"#)
                } else {
                    format!(r#"<p class="{class}">{lead}</p>"#)
                }
            }
            Lead::StyledBold => {
                format!(r#"<div class="{class}" style="font-weight: bold; text-align: justify;">{lead}</div>"#)
            }
            Lead::Italic => format!(r#"<p class="{class}"><em>{lead}</em></p>"#),
            Lead::None => return None,
        })
    }

    fn toolbar(&mut self, date: Option<&str>) -> String {
        enum Block {
            Title,
            Date,
            Tools,
            DateBar,
            Lead,
        }
        use Block::*;
        let order = match self.spec.order {
            Order::DateBarTitleLead => vec![DateBar, Title, Lead],
            Order::TitleDateToolsLead => vec![Title, Date, Tools, Lead],
            Order::TitleLeadDateBar => vec![Title, Lead, DateBar],
            Order::ToolsTitleDateLead => vec![Tools, Title, Date, Lead],
            Order::DateTitleLeadTools => vec![Date, Title, Lead, Tools],
            Order::TitleDateBarLead => vec![Title, DateBar, Lead],
        };
        let mut html = Vec::new();
        for block in order {
            match block {
                Title => html.push(self.title_html()),
                Date => {
                    if let Some(line) = date {
                        html.push(self.date_html(line, false));
                    }
                }
                Tools => html.push(self.tools_html()),
                DateBar => {
                    let tools = self.tools_html();
                    let date = date.map(|line| self.date_html(line, true)).unwrap_or_default();
                    let class = self.class(&["tool-bar", "toolbar"]);
                    html.push(format!(r#"<div class="{class}">{date} {tools}</div>"#));
                }
                Lead => html.extend(self.lead_html()),
            }
        }
        let class = self.class(&["bantin-toolbar", "chitiet-top"]);
        format!("<div class=\"{class}\">\n\t{}\n</div>", html.join("\n\t"))
    }

    // ---- the body part: image, paragraphs, byline ----

    /// A paragraph's HTML: its text, with now and then a phrase in bold, italic or a link.
    fn inline(&mut self, text: &str) -> String {
        let words: Vec<&str> = text.split(' ').collect();
        if words.len() < 14 || !self.rng.one_in(3) {
            return esc(text);
        }
        let start = self.rng.range(3, (words.len() - 8) as u32) as usize;
        let end = start + self.rng.range(2, 4) as usize;
        let (open, close) = *self.rng.pick(&[
            ("<strong>", "</strong>"),
            ("<em>", "</em>"),
            ("<span style=\"color: #000000;\">", "</span>"),
            ("<a href=\"/Pages/tin-tuc-su-kien.aspx\">", "</a>"),
        ]);
        format!(
            "{} {open}{}{close} {}",
            esc(&words[..start].join(" ")),
            esc(&words[start..end].join(" ")),
            esc(&words[end..].join(" "))
        )
    }

    fn image_src(&mut self) -> (String, String) {
        let file = format!("{}-{}.jpg", self.story.slug, self.rng.range(1, 9));
        let src = match self.rng.below(3) {
            0 => format!("/PictureLibrary/{}/{file}", 2020 + self.rng.range(3, 5)),
            1 => format!("https://{}/PublishingImages/TinTuc/{file}", self.host),
            _ => format!("../PublishingImages/{file}"),
        };
        let absolute = self.url.join(&src).expect("valid image path").to_string();
        (src, absolute)
    }

    fn paragraph_html(&mut self, text: &str, floated: Option<&str>) -> String {
        let lead_in = floated.unwrap_or_default();
        match self.spec.paras {
            Paras::P => {
                let style = *self.rng.pick(&[r#" style="text-align: justify;""#, "", r#" align="justify""#]);
                format!("<p{style}>{lead_in}{}</p>", self.inline(text))
            }
            Paras::WordSpans => {
                // Word splits runs anywhere; the text, read across the spans, is unchanged.
                let middle = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
                let cut = text[..middle].rfind(' ').map_or(0, |i| i + 1);
                let span = r#"<span lang="VI" style="font-size:14.0pt;font-family:&quot;Times New Roman&quot;,&quot;serif&quot;">"#;
                format!(
                    r#"<p class="MsoNormal" style="margin-bottom:6.0pt;text-align:justify;text-indent:36.0pt;line-height:normal">{span}{lead_in}{}</span>{span}{}<o:p></o:p></span></p>"#,
                    esc(&text[..cut]),
                    esc(&text[cut..])
                )
            }
            Paras::Divs => format!(r#"<div style="text-align: justify;">{lead_in}{}</div>"#, self.inline(text)),
            Paras::Font => {
                if self.rng.one_in(2) {
                    format!(
                        r#"<p align="justify"><font face="Times New Roman" size="3">{lead_in}{}</font></p>"#,
                        self.inline(text)
                    )
                } else {
                    format!(
                        r#"<div align="justify"><font size="2" face="Arial">{lead_in}{}</font></div>"#,
                        self.inline(text)
                    )
                }
            }
            Paras::BrSeparated => unreachable!("written as one block"),
        }
    }

    fn empty_paragraph(&self) -> &'static str {
        match self.spec.paras {
            Paras::P | Paras::Font => "<p>&nbsp;</p>",
            Paras::WordSpans => r#"<p class="MsoNormal"><o:p>&nbsp;</o:p></p>"#,
            Paras::Divs => "<div>&nbsp;</div>",
            Paras::BrSeparated => "",
        }
    }

    fn body(&mut self) -> Body {
        let mut html = Vec::new();
        let (mut image, mut caption, mut floated) = (None, None, None);
        if self.spec.image != Image::None {
            let (src, absolute) = self.image_src();
            image = Some(absolute);
            let cap = self.story.caption;
            let alt = if self.rng.one_in(2) { esc(cap) } else { String::new() };
            let img = format!(r#"<img alt="{alt}" src="{}" style="width: 600px; height: 400px;" />"#, esc(&src));
            let block = match self.spec.image {
                Image::ParaItalic => {
                    caption = Some(cap.to_string());
                    format!(
                        "<p style=\"text-align: center;\">{img}</p>\n<p style=\"text-align: center;\"><em>{}</em></p>",
                        esc(cap)
                    )
                }
                Image::BrItalic => {
                    caption = Some(cap.to_string());
                    format!(
                        r#"<p style="text-align: center;">{img}<br /><span style="font-size: 12px;"><i>{}</i></span></p>"#,
                        esc(cap)
                    )
                }
                Image::Figure => {
                    caption = Some(cap.to_string());
                    let class = self.class(&["image", "anh"]);
                    format!(r#"<figure class="{class}">{img}<figcaption>{}</figcaption></figure>"#, esc(cap))
                }
                Image::Table => {
                    caption = Some(cap.to_string());
                    format!(
                        r#"<table align="center" border="0" cellpadding="2" cellspacing="0" style="width: 600px;"><tbody><tr><td>{img}</td></tr><tr><td style="text-align: center;"><span style="font-size: 12px;"><em>{}</em></span></td></tr></tbody></table>"#,
                        esc(cap)
                    )
                }
                Image::EmptyFigcaption => {
                    let img = format!(r#"<img alt="" src="{}" />"#, esc(&src));
                    let class = self.class(&["image", "anh"]);
                    format!(r#"<figure class="{class}">{img}<figcaption></figcaption></figure>"#)
                }
                Image::EmptyTableCaption => {
                    let img = format!(r#"<img alt="" src="{}" width="600" />"#, esc(&src));
                    let empty = *self.rng.pick(&["<em></em>", "&nbsp;", ""]);
                    let class = self.class(&["caption", "chu-thich"]);
                    format!(
                        r#"<table align="center" border="0" cellpadding="3" cellspacing="0"><tbody><tr><td>{img}</td></tr><tr><td class="{class}" style="text-align: center;">{empty}</td></tr></tbody></table>"#
                    )
                }
                Image::Floated => {
                    let style = *self.rng.pick(&[
                        r#"style="float: left; margin: 0 10px 5px 0; width: 280px;""#,
                        r#"align="left" width="280" hspace="8""#,
                        r#"style="float: right; margin-left: 10px; width: 300px;""#,
                    ]);
                    floated = Some(format!(r#"<img alt="" src="{}" {style} />"#, esc(&src)));
                    String::new()
                }
                Image::None => unreachable!(),
            };
            if !block.is_empty() {
                html.push(block);
            }
        }

        let mut paragraphs: Vec<String> = self.story.paragraphs.iter().map(|p| p.to_string()).collect();
        if self.spec.paras == Paras::BrSeparated {
            let sep = *self.rng.pick(&["<br /><br />", "<br>\n<br>", "<br/>\r\n<br/>\r\n"]);
            let text: Vec<String> = paragraphs.iter().map(|p| self.inline(p)).collect();
            let class = self.class(&[]);
            let tag = *self.rng.pick(&["div", "p"]);
            html.push(format!(
                r#"<{tag} class="{class}" style="text-align: justify;">{}{}</{tag}>"#,
                floated.as_deref().unwrap_or_default(),
                text.join(sep)
            ));
        } else {
            let gap = self.rng.one_in(3).then(|| 1 + self.rng.below(paragraphs.len() - 1));
            for (i, p) in paragraphs.iter().enumerate() {
                if gap == Some(i) {
                    html.push(self.empty_paragraph().to_string());
                }
                let lead_in = if i == 0 { floated.as_deref() } else { None };
                html.push(self.paragraph_html(p, lead_in));
            }
        }

        let (byline_html, author, credit) = self.byline();
        html.extend(byline_html);
        paragraphs.extend(credit);
        Body { html: html.join("\n"), paragraphs, author, image, caption }
    }

    /// The byline and credit lines, the author a reader names, and the credit that stays the
    /// body's last line. Why the credit stays: it is text the portal shows readers as part of the
    /// article (where it came from), and it names no person.
    fn byline(&mut self) -> (Vec<String>, Option<String>, Option<String>) {
        let author = self.story.author;
        let credit = *self.rng.pick(CREDITS);
        let right = *self.rng.pick(&[r#"<p style="text-align: right;">"#, r#"<p align="right">"#]);
        let close = "</p>";
        let strong = |name: &str| format!("{right}<strong>{}</strong>{close}", esc(name));
        let credit_line = |rng: &mut Rng| {
            if rng.one_in(2) {
                format!("{right}<em>{}</em>{close}", esc(credit))
            } else {
                format!("{right}{}{close}", esc(credit))
            }
        };
        match self.spec.byline {
            Byline::None => (vec![], None, None),
            Byline::RightStrong => (vec![strong(author)], Some(author.into()), None),
            Byline::RightPlain => {
                let line = if self.rng.one_in(2) {
                    format!(r#"<div style="text-align: right;">{}</div>"#, esc(author))
                } else {
                    format!("{right}{}{close}", esc(author))
                };
                (vec![line], Some(author.into()), None)
            }
            Byline::BoldLast => (vec![format!("<p><b>{}</b></p>", esc(author))], Some(author.into()), None),
            Byline::ItalicRight => (vec![format!("{right}<em>{}</em>{close}", esc(author))], Some(author.into()), None),
            Byline::AuthorElement => {
                let class = *self.rng.pick(&["author", "tacgia", "tac-gia", "news-author", "nguoiviet"]);
                let line = if self.rng.one_in(2) {
                    format!(r#"<div class="{class}">{}</div>"#, esc(author))
                } else {
                    format!(r#"<p><span class="{class}">{}</span></p>"#, esc(author))
                };
                (vec![line], Some(author.into()), None)
            }
            Byline::LabelTacGia => {
                (vec![format!("{right}Tác giả: <strong>{}</strong>{close}", esc(author))], Some(author.into()), None)
            }
            Byline::LabelTinAnh => {
                (vec![format!("{right}<em>Tin, ảnh: {}</em>{close}", esc(author))], Some(author.into()), None)
            }
            Byline::ThenCredit => {
                let credit_html = credit_line(&mut self.rng);
                (vec![strong(author), credit_html], Some(author.into()), Some(credit.into()))
            }
            Byline::CreditThenAuthor => {
                let credit_html = credit_line(&mut self.rng);
                (vec![credit_html, strong(author)], Some(author.into()), Some(credit.into()))
            }
            Byline::CreditOnly => (vec![strong(credit)], None, Some(credit.into())),
        }
    }

    // ---- boxes that are not the article ----

    fn other_date(&mut self) -> NaiveDateTime {
        let days = self.rng.range(1, 40) as i64;
        let days = if self.rng.one_in(4) { -days.min(20) } else { days };
        self.when - Duration::days(days) + Duration::minutes(self.rng.range(0, 600) as i64)
    }

    fn headlines(&mut self, pool: &[&'static str], n: usize) -> Vec<&'static str> {
        let mut all = pool.to_vec();
        self.rng.shuffle(&mut all);
        all.truncate(n);
        for h in &all {
            self.absent.push(h.to_string());
        }
        all
    }

    fn related_box(&mut self) -> String {
        let title = *self.rng.pick(RELATED_TITLES);
        self.absent.push(title.to_string());
        let n = self.rng.range(4, 6) as usize;
        let items = self.headlines(OTHER_HEADLINES, n);
        let (outer, head, list) =
            (self.class(&["tin-khac", "related-news", "othernews"]), self.class(&[]), self.class(&[]));
        let variant = self.rng.below(3);
        let mut rows = Vec::new();
        for h in items {
            let id = self.rng.range(1000, 29999);
            let when = self.other_date();
            let href = format!("/Pages/chi-tiet-tin-tuc.aspx?ItemID={id}");
            rows.push(match variant {
                0 => format!(r#"<li><a href="{href}">{}</a> <span class="{list}">({})</span></li>"#, esc(h), dmy(when)),
                1 => {
                    format!(r#"<tr><td><a href="{href}">{}</a></td><td class="{list}">{}</td></tr>"#, esc(h), dmy(when))
                }
                _ => format!(
                    r#"<div class="{list}"><a href="{href}">{}</a> - <em>{} {}</em></div>"#,
                    esc(h),
                    hm(when),
                    dmy(when)
                ),
            });
        }
        match variant {
            0 => format!(
                "<div class=\"{outer}\">\n<div class=\"{head}\">{}</div>\n<ul>\n{}\n</ul>\n</div>",
                esc(title),
                rows.join("\n")
            ),
            1 => format!(
                "<div class=\"{outer}\">\n<h3 class=\"{head}\">{}</h3>\n<table class=\"{list}\">\n{}\n</table>\n</div>",
                esc(title),
                rows.join("\n")
            ),
            _ => format!(
                "<div class=\"{outer}\">\n<p class=\"{head}\"><strong>{}</strong></p>\n{}\n</div>",
                esc(title),
                rows.join("\n")
            ),
        }
    }

    fn most_read_box(&mut self) -> String {
        let title = *self.rng.pick(MOST_READ_TITLES);
        self.absent.push(title.to_string());
        let items = self.headlines(MOST_READ_HEADLINES, 5);
        let counts = self.rng.one_in(2);
        let rows: Vec<String> = items
            .iter()
            .map(|h| {
                let id = self.rng.range(1000, 29999);
                let views = if counts {
                    format!(" <span>({} lượt xem)</span>", self.rng.range(900, 9000))
                } else {
                    String::new()
                };
                format!(r#"<li><a href="/Pages/chi-tiet-tin-tuc.aspx?ItemID={id}">{}</a>{views}</li>"#, esc(h))
            })
            .collect();
        let (outer, head) = (self.class(&["box-xem-nhieu", "most-view"]), self.class(&[]));
        format!(
            "<div class=\"{outer}\">\n<div class=\"{head}\">{}</div>\n<ul>\n{}\n</ul>\n</div>",
            esc(title),
            rows.join("\n")
        )
    }

    fn share_bar(&mut self) -> String {
        let class = self.class(&["share", "social"]);
        let url = esc(self.url.as_str());
        if self.rng.one_in(2) {
            format!(
                r##"<div class="{class}"><span>Chia sẻ:</span> <a href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a> <a href="https://zalo.me/share?u={url}">Zalo</a> | <a href="javascript:window.print();">In bài viết</a> | <a href="mailto:?subject=Tin">Gửi email</a> | <a href="#top">Về đầu trang</a></div>"##
            )
        } else {
            format!(
                r##"<table class="{class}"><tr><td><a href="https://www.facebook.com/sharer/sharer.php?u={url}">Chia sẻ Facebook</a></td><td><a href="https://zalo.me/share?u={url}">Chia sẻ Zalo</a></td><td><a href="javascript:window.print();">In bài</a></td><td><a href="#top">Về đầu trang</a></td></tr></table>"##
            )
        }
    }

    fn tags_line(&mut self) -> String {
        let class = self.class(&["tags", "tu-khoa"]);
        let tags: Vec<String> = self
            .story
            .tags
            .iter()
            .map(|t| format!(r#"<a href="/Pages/tim-kiem.aspx?k={}">{}</a>"#, esc(&t.replace(' ', "+")), esc(t)))
            .collect();
        self.absent.extend(self.story.tags.iter().map(|t| t.to_string()));
        format!(r#"<div class="{class}"><strong>Từ khóa:</strong> {}</div>"#, tags.join(", "))
    }

    fn comment_form(&mut self) -> String {
        let (outer, head) = (self.class(&["comment", "y-kien"]), self.class(&[]));
        format!(
            r#"<div class="{outer}">
<div class="{head}">Ý kiến bạn đọc</div>
<table>
<tr><td>Họ và tên <span style="color: red;">(*)</span></td><td><input type="text" name="ctl00$txtHoTen" /></td></tr>
<tr><td>Email</td><td><input type="text" name="ctl00$txtEmail" /></td></tr>
<tr><td>Nội dung</td><td><textarea name="ctl00$txtNoiDung" rows="5" cols="60"></textarea></td></tr>
</table>
<p><em>Ý kiến của bạn sẽ được biên tập trước khi đăng. Xin vui lòng gõ tiếng Việt có dấu.</em></p>
<input type="submit" name="ctl00$btnGui" value="Gửi ý kiến" />
</div>"#
        )
    }

    /// Boxes inside the body part, after the byline.
    fn inside_boxes(&mut self) -> String {
        let mut boxes = Vec::new();
        match self.spec.boiler {
            Boiler::RelatedInside => boxes.push(self.related_box()),
            Boiler::ShareBar => boxes.push(self.share_bar()),
            Boiler::Tags => boxes.push(self.tags_line()),
            Boiler::Comments => boxes.push(self.comment_form()),
            Boiler::Everything => {
                boxes.push(self.share_bar());
                boxes.push(self.tags_line());
                boxes.push(self.related_box());
                boxes.push(self.comment_form());
            }
            Boiler::None | Boiler::RelatedPart | Boiler::MostRead => {}
        }
        boxes.join("\n")
    }

    // ---- web parts and the page around them ----

    fn part(&mut self, chrome: Chrome, title: &str, inner: &str) -> String {
        self.wpq += 1;
        let n = self.wpq;
        let id = guid(&mut self.rng);
        let ctl = id.replace('-', "_");
        match chrome {
            Chrome::Sp2010 | Chrome::Sp2010NoIds => {
                let ids = chrome == Chrome::Sp2010;
                let title_id = if ids { format!(r#" id="WebPartTitleWPQ{n}""#) } else { String::new() };
                let body_id = if ids { format!(r#" id="WebPartWPQ{n}""#) } else { String::new() };
                format!(
                    r#"<table class="s4-wpTopTable" border="0" cellpadding="0" cellspacing="0" width="100%">
 <tr><td><table border="0" cellpadding="0" cellspacing="0" width="100%"><tr class="ms-WPHeader">
  <td align="left" class="ms-wpTdSpace">&#160;</td>
  <td title="{title} - My Visual Web Part"{title_id} class="ms-WPHeaderTd"><h3 style="text-align:justify;" class="ms-standardheader ms-WPTitle"><nobr><span>{title}</span></nobr></h3></td>
  <td align="right" class="ms-WPHeaderTdMenu"><div class="ms-WPMenuDiv"><a href="javascript:;"><img class="ms-WPHeaderMenuImg" src="/_layouts/images/wpmenuarrow.png" alt="Web Part Menu" style="border-width:0px;" /></a></div></td>
 </tr></table></td></tr>
 <tr><td class="" valign="top"><div WebPartID="{id}" HasPers="false"{body_id} width="100%" class="ms-WPBody" allowDelete="false" style="">
{inner}
 </div></td></tr>
</table>"#
                )
            }
            Chrome::Sp2013 | Chrome::Plain | Chrome::ToolbarOnly => format!(
                r#"<div id="MSOZoneCell_WebPartWPQ{n}" class="s4-wpcell-plain ms-webpartzone-cell ms-webpart-cell-vertical ms-fullWidth ">
 <div class="ms-webpart-chrome ms-webpart-chrome-vertical ms-webpart-chrome-fullWidth ">
  <div class="ms-webpart-chrome-title" id="WebPartWPQ{n}_ChromeTitle">
   <span title="{title} - My Visual Web Part" id="WebPartTitleWPQ{n}" class="js-webpart-titleCell"><h2 style="text-align:justify;" class="ms-webpart-titleText"><nobr><span>{title}</span><span id="WebPartCaptionWPQ{n}"></span></nobr></h2></span>
  </div>
  <div WebPartID="{id}" HasPers="false" id="WebPartWPQ{n}" width="100%" class="ms-WPBody noindex " allowDelete="false" style="">
   <div id="ctl00_ctl40_g_{ctl}">
{inner}
   </div>
   <div class="ms-clear"></div>
  </div>
 </div>
</div>"#
            ),
            Chrome::Sp2016 => {
                let suffix = *self.rng.pick(&[" - My Visual Web Part", " - Hiển thị tin bài", ""]);
                let k = self.rng.range(30, 60);
                format!(
                    r#"<div id="MSOZoneCell_WebPartctl00_ctl{k}_g_{ctl}" class="s4-wpcell-plain ms-webpartzone-cell ms-webpart-cell-vertical ms-fullWidth">
<div class="ms-webpart-chrome ms-webpart-chrome-vertical ms-webpart-chrome-fullWidth">
<div class="ms-webpart-chrome-title"><span title="{title}{suffix}" id="WebPartTitleWPQ{n}" class="js-webpart-titleCell"><h2 class="ms-webpart-titleText" style="text-align:justify;"><nobr><span>{title}</span><span id="WebPartCaptionWPQ{n}"></span></nobr></h2></span></div>
<div webpartid="{id}" haspers="false" id="WebPartWPQ{n}" width="100%" class="ms-WPBody noindex" onlyformepart="true" allowdelete="false" style=""><div componentid="ctl00_ctl{k}_g_{ctl}" id="ctl00_ctl{k}_g_{ctl}">
{inner}
</div><div class="ms-clear"></div></div>
</div>
</div>"#
                )
            }
        }
    }

    /// A SharePoint 2013 web part with chrome type "None": its body, no title.
    fn untitled_part(&mut self, inner: &str) -> String {
        self.wpq += 1;
        let n = self.wpq;
        let id = guid(&mut self.rng);
        format!(
            r#"<div id="MSOZoneCell_WebPartWPQ{n}" class="s4-wpcell-plain ms-webpartzone-cell ms-webpart-cell-vertical ms-fullWidth ">
 <div class="ms-webpart-chrome ms-webpart-chrome-vertical ms-webpart-chrome-fullWidth ">
  <div WebPartID="{id}" HasPers="false" id="WebPartWPQ{n}" width="100%" class="ms-WPBody noindex " allowDelete="false" style="">
{inner}
   <div class="ms-clear"></div>
  </div>
 </div>
</div>"#
        )
    }

    fn main_zone(&mut self, toolbar: &str, body: &str, inside: &str, related_part: Option<&str>) -> String {
        let chrome = self.spec.chrome;
        let body_class = self.class(&["noi-dung", "content", "ndtin", "chitiet-noidung", "news-content"]);
        let body_id = if self.rng.one_in(2) { format!(r#" id="{}""#, self.class(&[])) } else { String::new() };
        // Boxes go in the body's own container or just after it, in the same part.
        let body_block = if self.rng.one_in(2) {
            format!("<div class=\"{body_class}\"{body_id}>\n{body}\n{inside}\n</div>")
        } else {
            format!("<div class=\"{body_class}\"{body_id}>\n{body}\n</div>\n{inside}")
        };
        match chrome {
            Chrome::Plain => {
                let (outer, bar) = (self.class(&["chi-tiet", "detail"]), self.class(&[]));
                let toolbar =
                    if self.rng.one_in(2) { format!("<div class=\"{bar}\">{toolbar}</div>") } else { toolbar.into() };
                let related = related_part.unwrap_or_default();
                format!("<div class=\"{outer}\">\n{toolbar}\n{body_block}\n</div>\n{related}")
            }
            Chrome::ToolbarOnly => {
                let toolbar = self.part(Chrome::Sp2013, "PublishingPortal - Block_BanTin_Toolbar", toolbar);
                let body = if self.rng.one_in(2) {
                    self.untitled_part(&body_block)
                } else {
                    let wrap = self.class(&[]);
                    format!("<div class=\"{wrap}\">\n{body_block}\n</div>")
                };
                let related = related_part
                    .map(|r| self.part(Chrome::Sp2013, "PublishingPortal - Block_BanTin_TinKhac", r))
                    .unwrap_or_default();
                format!("<div class=\"ms-webpart-zone ms-fullWidth\">\n{toolbar}\n{body}\n{related}\n</div>")
            }
            _ => {
                let toolbar = self.part(chrome, "PublishingPortal - Block_BanTin_Toolbar", toolbar);
                let body = self.part(chrome, "PublishingPortal - Block_BanTin_ViewData", &body_block);
                let related = related_part
                    .map(|r| {
                        let title = *self.rng.pick(&[
                            "PublishingPortal - Block_BanTin_TinKhac",
                            "PublishingPortal - Block_BanTin_TinLienQuan",
                        ]);
                        self.part(chrome, title, r)
                    })
                    .unwrap_or_default();
                if matches!(chrome, Chrome::Sp2010 | Chrome::Sp2010NoIds) {
                    format!("{toolbar}\n{body}\n{related}")
                } else {
                    format!("<div class=\"ms-webpart-zone ms-fullWidth\">\n{toolbar}\n{body}\n{related}\n</div>")
                }
            }
        }
    }

    fn side_zone(&mut self, most_read: Option<&str>) -> String {
        let links = format!(
            "<div class=\"{}\"><select onchange=\"window.open(this.value)\"><option value=\"\">Liên kết website</option><option value=\"https://chinhphu.vn\">Cổng TTĐT Chính phủ</option></select></div>",
            self.class(&[])
        );
        let Some(box_html) = most_read else { return links };
        match self.spec.chrome {
            Chrome::Plain => format!("{box_html}\n{links}"),
            Chrome::ToolbarOnly => {
                let part = self.part(Chrome::Sp2013, "PublishingPortal - Block_BanTin_XemNhieu", box_html);
                format!("<div class=\"ms-webpart-zone ms-fullWidth\">{part}</div>\n{links}")
            }
            chrome => {
                let part = self.part(chrome, "PublishingPortal - Block_BanTin_XemNhieu", box_html);
                format!("{part}\n{links}")
            }
        }
    }

    fn masthead(&mut self) -> String {
        let today =
            self.when + Duration::days(self.rng.range(1, 90) as i64) + Duration::minutes(self.rng.range(0, 900) as i64);
        let class = self.class(&["ngay-hom-nay", "today"]);
        match self.spec.masthead {
            Masthead::Plain => String::new(),
            Masthead::Today => format!(
                r#"<span class="{class}">{}, {}</span>"#,
                weekday_vi(chrono::Datelike::weekday(&today)),
                dmy(today)
            ),
            Masthead::TodayTime => format!(
                r#"<div class="{class}">Hôm nay: {}, ngày {} - {}</div>"#,
                weekday_vi(chrono::Datelike::weekday(&today)),
                dmy(today),
                hm(today)
            ),
        }
    }

    fn document(&mut self, main: &str, most_read: Option<&str>) -> String {
        let side = self.side_zone(most_read);
        let masthead = self.masthead();
        let digest_day = self.when + Duration::days(self.rng.range(100, 400) as i64);
        let css = match self.spec.chrome {
            Chrome::Sp2010 | Chrome::Sp2010NoIds => "/_layouts/1066/styles/Themable/corev4.css",
            _ => "/_layouts/15/1066/styles/Themable/corev15.css?rev=2bpHeX9U8DH09TB5zpJcsQ%3D%3D",
        };
        let (header, menu, crumb, main_col, side_col, footer) = (
            self.class(&["header"]),
            self.class(&["menu-top"]),
            self.class(&["breadcrumb"]),
            self.class(&["col-main"]),
            self.class(&["col-right"]),
            self.class(&["footer"]),
        );
        let crumb = if self.rng.one_in(2) {
            format!(
                r#"<div class="{crumb}"><a href="/">Trang chủ</a> &gt; <a href="/Pages/tin-tuc-su-kien.aspx">Tin tức - Sự kiện</a></div>"#
            )
        } else {
            String::new()
        };
        let columns = match self.spec.chrome {
            Chrome::Sp2010 | Chrome::Sp2010NoIds => format!(
                "<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" class=\"{main_col}\"><tr>\n<td valign=\"top\" width=\"70%\">\n{main}\n</td>\n<td valign=\"top\" class=\"{side_col}\">\n{side}\n</td>\n</tr></table>"
            ),
            _ => format!("<div class=\"{main_col}\">\n{main}\n</div>\n<div class=\"{side_col}\">\n{side}\n</div>"),
        };
        let title = self.story.title;
        let portal = self.portal;
        format!(
            r#"<!DOCTYPE html>
<html dir="ltr" lang="vi-VN">
<head><meta name="GENERATOR" content="Microsoft SharePoint" /><meta http-equiv="Content-type" content="text/html; charset={{charset}}" /><meta http-equiv="X-UA-Compatible" content="IE=10" />
<title>
	{title} - {portal}
</title>
<link rel="shortcut icon" href="/Style%20Library/images/favicon.ico" type="image/vnd.microsoft.icon" />
<link rel="stylesheet" type="text/css" href="{css}" />
<script type="text/javascript">
function ZoomIn() {{ var b = document.getElementById('noidung'); if (b) b.style.fontSize = '1.2em'; }}
function ZoomOut() {{ var b = document.getElementById('noidung'); if (b) b.style.fontSize = '0.9em'; }}
</script>
</head>
<body>
<form method="post" action="./chi-tiet-tin-tuc.aspx?ItemID={item}" id="aspnetForm">
<div class="aspNetHidden">
<input type="hidden" name="__REQUESTDIGEST" id="__REQUESTDIGEST" value="0x{digest:016X},{digest_date}" />
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIBD2QWAgIDD2QWBAIBD2QWAgIDDxYCHgRUZXh0BQ1{digest:X}ZGQ=" />
</div>
<div id="s4-workspace"><div id="s4-bodyContainer">
 <div class="{header}">{masthead}
  <a href="/"><img src="/Style%20Library/images/banner.jpg" alt="{portal}" /></a>
  <ul class="{menu}"><li><a href="/">Trang chủ</a></li><li><a href="/Pages/gioi-thieu.aspx">Giới thiệu</a></li><li><a href="/Pages/tin-tuc-su-kien.aspx">Tin tức - Sự kiện</a></li><li><a href="/Pages/van-ban.aspx">Văn bản</a></li><li><a href="/Pages/lien-he.aspx">Liên hệ</a></li></ul>
  <div><input type="text" name="ctl00$txtSearch" placeholder="Tìm kiếm..." /></div>
 </div>
 {crumb}
 <div id="DeltaPlaceHolderMain">
{columns}
 </div>
 <div class="{footer}">
  <p>{portal}</p>
  <p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh</p>
  <p>Ghi rõ nguồn “{portal}” khi phát hành lại thông tin từ website này.</p>
 </div>
</div></div>
</form>
</body>
</html>
"#,
            item = self.url.query_pairs().find(|(k, _)| k == "ItemID").map(|(_, v)| v.into_owned()).unwrap_or_default(),
            digest = self.rng.next_u64(),
            digest_date = digest_day.format("%d %b %Y %H:%M:%S -0000"),
        )
    }
}

// ---- pages that are not articles ----

family!(Refusal {
    ListPage = "list page",
    RelatedOnly = "only a related-links box",
    EmptyBody = "empty ViewData part",
});

/// Pages that must be refused, one per kind and chrome, named by both.
pub fn refusals() -> Vec<Case> {
    let mut out = Vec::new();
    for (k, kind) in Refusal::ALL.iter().enumerate() {
        for (c, chrome) in Chrome::ALL.iter().enumerate() {
            let index = 1000 + k * 10 + c;
            let spec = Spec {
                chrome: *chrome,
                order: Order::ALL[index % Order::ALL.len()],
                date: DateForm::DmySlash,
                title_tag: TitleTag::H1,
                title_text: TitleText::Plain,
                lead: Lead::Strong,
                paras: Paras::P,
                byline: Byline::None,
                boiler: Boiler::None,
                image: Image::None,
                encoding: Encoding::ALL[index % Encoding::ALL.len()],
                masthead: Masthead::Today,
                story: index % STORIES.len(),
            };
            let mut b = Builder::new(index, spec);
            b.wpq = 2;
            let (date, _) = spec.date.render(b.when).expect("dated");
            let (toolbar, body) = match kind {
                Refusal::ListPage => {
                    let mut rows = Vec::new();
                    for h in OTHER_HEADLINES.iter().chain(MOST_READ_HEADLINES).take(12) {
                        let when = b.other_date();
                        let id = b.rng.range(1000, 29999);
                        rows.push(format!(
                            r#"<li><a href="/Pages/chi-tiet-tin-tuc.aspx?ItemID={id}">{}</a> <span>({})</span></li>"#,
                            esc(h),
                            dmy(when)
                        ));
                    }
                    let pager = r#"<div class="pager"><a href="?Page=1">1</a> <a href="?Page=2">2</a> <a href="?Page=3">3</a> <a href="?Page=2">Trang sau</a></div>"#;
                    ("<h2>Tin tức - Sự kiện</h2>".to_string(), format!("<ul>\n{}\n</ul>\n{pager}", rows.join("\n")))
                }
                Refusal::RelatedOnly => (b.toolbar(Some(&date)), b.related_box()),
                Refusal::EmptyBody => (b.toolbar(Some(&date)), String::from("<div class=\"x\">&nbsp;</div>")),
            };
            let main = b.main_zone(&toolbar, &body, "", None);
            let html = b.document(&main, None);
            let (bytes, content_type) = encode(&html, spec.encoding, &mut b.rng);
            out.push(Case {
                name: format!("refusal {index} [{} | {}]", kind.label(), chrome.label()),
                families: vec![("refusal".into(), kind.label().into()), ("chrome".into(), chrome.label().into())],
                url: b.url.to_string(),
                bytes,
                content_type,
                expected: Expected {
                    title: String::new(),
                    published: None,
                    summary: None,
                    author: None,
                    image: None,
                    caption: None,
                    paragraphs: Vec::new(),
                    absent: Vec::new(),
                },
            });
        }
    }
    out
}
