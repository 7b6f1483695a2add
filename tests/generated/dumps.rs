//! Generated text dumps: the plain-text rendering web archives keep of portal pages (see
//! `tests/fixtures/000_55768d6cad423618.txt`). Each web part is a segment opened by its chrome
//! title; `<p>` blocks are separated by a blank line, toolbar lines are not. A dump has no image
//! URL, only the caption's line.

use unicode_normalization::UnicodeNormalization;
use url::Url;

use super::check::{Case, Expected};
use super::dates::{DateForm, dmy, random_when};
use super::design::{Rng, covering};
use super::text::{CREDITS, FURNITURE, OTHER_HEADLINES, PORTALS, RELATED_TITLES, STORIES};

family!(Share {
    None = "none",
    BeforeTitle = "share line before title",
    EndOfBody = "share line after body",
});

family!(DumpOrder {
    DateToolsTitleLead = "date/tools/title/lead",
    TitleDateToolsLead = "title/date/tools/lead",
    TitleLeadDateTools = "title/lead/date/tools",
});

family!(Caption {
    None = "none",
    First = "caption line first",
});

family!(DumpByline {
    None = "none",
    LastLine = "last line",
    LabelTinAnh = "label Tin, anh",
    ThenCredit = "byline then Nguon/Theo credit",
    AfterCaption = "byline after a closing photo's caption",
    CreditOnly = "credit only",
});

family!(Related {
    None = "none",
    Inside = "list after the byline",
    Block = "related block",
});

family!(Accents {
    Nfc = "nfc",
    Nfd = "nfd",
});

family!(DumpLead {
    Present = "present",
    None = "none",
});

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub share: Share,
    pub order: DumpOrder,
    pub date: DateForm,
    pub caption: Caption,
    pub byline: DumpByline,
    pub related: Related,
    pub accents: Accents,
    pub lead: DumpLead,
    pub story: usize,
}

const SEED: u64 = 0x6475_6d70_7321_2121;

pub fn sizes() -> Vec<usize> {
    vec![
        Share::ALL.len(),
        DumpOrder::ALL.len(),
        DateForm::ALL.len(),
        Caption::ALL.len(),
        DumpByline::ALL.len(),
        Related::ALL.len(),
        Accents::ALL.len(),
        DumpLead::ALL.len(),
        STORIES.len(),
    ]
}

pub fn rows() -> Vec<Vec<usize>> {
    covering(&sizes(), &[], SEED)
}

fn spec(row: &[usize]) -> Spec {
    Spec {
        share: Share::ALL[row[0]],
        order: DumpOrder::ALL[row[1]],
        date: DateForm::ALL[row[2]],
        caption: Caption::ALL[row[3]],
        byline: DumpByline::ALL[row[4]],
        related: Related::ALL[row[5]],
        accents: Accents::ALL[row[6]],
        lead: DumpLead::ALL[row[7]],
        story: row[8],
    }
}

fn families(s: &Spec) -> Vec<(String, String)> {
    [
        ("dump share", s.share.label()),
        ("dump order", s.order.label()),
        ("date", s.date.label()),
        ("dump caption", s.caption.label()),
        ("dump byline", s.byline.label()),
        ("dump related", s.related.label()),
        ("dump accents", s.accents.label()),
        ("dump lead", s.lead.label()),
        ("article", STORIES[s.story].slug),
    ]
    .into_iter()
    .map(|(f, v)| (f.to_string(), v.to_string()))
    .collect()
}

pub fn cases() -> Vec<Case> {
    rows().iter().enumerate().map(|(i, row)| dump(i, spec(row))).collect()
}

fn dump(index: usize, spec: Spec) -> Case {
    let mut rng = Rng::new(SEED ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let story = &STORIES[spec.story];
    let (host, _) = *rng.pick(PORTALS);
    let url = format!("https://{host}/Pages/chi-tiet-tin-tuc.aspx?ItemID={}", rng.range(1000, 29999));
    let when = random_when(&mut rng);
    let dated = spec.date.render(when);
    let mut absent: Vec<String> = FURNITURE.iter().map(|s| s.to_string()).collect();

    let tools = *rng.pick(&[
        "Tăng cỡ chữ Giảm cỡ chữ",
        "Tăng cỡ chữ Giảm cỡ chữ In bài viết Gửi email",
        "Tăng cỡ chữ | Giảm cỡ chữ | In trang",
    ]);
    absent.push("In trang".into());
    let share = *rng.pick(&["Chia sẻ: Facebook Zalo", "Chia sẻ: Facebook Zalo Twitter", "Chia sẻ:  Facebook  Zalo"]);
    let date_line = dated.as_ref().map(|(line, _)| line.clone());
    let lead = (spec.lead == DumpLead::Present).then_some(story.lead);

    let mut lines: Vec<String> = vec!["PublishingPortal - Block_BanTin_Toolbar".into(), String::new()];
    let title = |lines: &mut Vec<String>| {
        if spec.share == Share::BeforeTitle {
            lines.push(share.into());
        }
        lines.push(story.title.into());
    };
    match spec.order {
        DumpOrder::DateToolsTitleLead => {
            lines.extend(date_line.clone());
            lines.push(tools.into());
            title(&mut lines);
            lines.extend(lead.map(String::from));
        }
        DumpOrder::TitleDateToolsLead => {
            title(&mut lines);
            lines.extend(date_line.clone());
            lines.push(tools.into());
            lines.extend(lead.map(String::from));
        }
        DumpOrder::TitleLeadDateTools => {
            title(&mut lines);
            lines.extend(lead.map(String::from));
            lines.extend(date_line.clone());
            lines.push(tools.into());
        }
    }
    lines.push(String::new());
    lines.push(
        rng.pick(&[" PublishingPortal - Block_BanTin_ViewData", "PublishingPortal - Block_BanTin_ViewData"])
            .to_string(),
    );
    lines.push(String::new());
    lines.push(String::new());

    let caption = (spec.caption == Caption::First).then(|| story.caption.to_string());
    if let Some(caption) = &caption {
        lines.push(caption.clone());
        lines.push(String::new());
    }
    let mut paragraphs: Vec<String> = story.paragraphs.iter().map(|p| p.to_string()).collect();
    lines.push(paragraphs.join("\n\n"));

    let credit = *rng.pick(CREDITS);
    // A credit is a line readers see as the article's end: it stays the body's last paragraph.
    let author = match spec.byline {
        DumpByline::None => None,
        DumpByline::LastLine => {
            lines.extend([String::new(), story.author.into()]);
            Some(story.author)
        }
        DumpByline::LabelTinAnh => {
            lines.extend([String::new(), format!("Tin, ảnh: {}", story.author)]);
            Some(story.author)
        }
        DumpByline::ThenCredit => {
            lines.extend([String::new(), story.author.into()]);
            if rng.one_in(2) {
                lines.push(String::new());
            }
            lines.push(credit.into());
            paragraphs.push(credit.into());
            Some(story.author)
        }
        DumpByline::AfterCaption => {
            // The closing photo is not the lead image: its caption is a line of the body.
            lines.extend([String::new(), story.closing_caption.into(), String::new(), story.author.into()]);
            paragraphs.push(story.closing_caption.into());
            Some(story.author)
        }
        DumpByline::CreditOnly => {
            lines.extend([String::new(), credit.into()]);
            paragraphs.push(credit.into());
            None
        }
    };
    if spec.share == Share::EndOfBody {
        lines.extend([String::new(), share.into()]);
    }
    if spec.related != Related::None {
        let box_title = *rng.pick(RELATED_TITLES);
        absent.push(box_title.into());
        lines.push(String::new());
        if spec.related == Related::Block {
            lines.extend(["PublishingPortal - Block_BanTin_TinKhac".into(), String::new()]);
        }
        lines.push(box_title.into());
        let mut pool = OTHER_HEADLINES.to_vec();
        rng.shuffle(&mut pool);
        for h in pool.iter().take(rng.range(3, 6) as usize) {
            absent.push(h.to_string());
            let other = when - chrono::Duration::days(rng.range(1, 40) as i64);
            lines.push(format!("{h} ({})", dmy(other)));
        }
    }
    let mut text = lines.join("\n");
    if rng.one_in(2) {
        text.push('\n');
    }
    if spec.accents == Accents::Nfd {
        text = text.nfd().collect();
    }

    let body_text = paragraphs.join("\n\n");
    let absent = absent.into_iter().filter(|s| !body_text.contains(s.as_str())).collect();
    let labels: Vec<String> = families(&spec).into_iter().map(|(_, v)| v).collect();
    Case {
        name: format!("dump {index:03} [{}]", labels.join("; ")),
        families: families(&spec),
        url: Url::parse(&url).expect("valid").to_string(),
        bytes: text.into_bytes(),
        content_type: None,
        expected: Expected {
            title: story.title.into(),
            published: dated.map(|(_, at)| at),
            summary: lead.map(String::from),
            author: author.map(String::from),
            image: None,
            caption,
            paragraphs,
            absent,
        },
    }
}

/// Dumps that must be refused: a list page's dump, and an article dump whose ViewData segment
/// holds only a related-links list.
pub fn refusals() -> Vec<Case> {
    let story = &STORIES[2];
    let mut list =
        vec!["PublishingPortal - Block_BanTin_DanhSach".to_string(), String::new(), "Tin tức - Sự kiện".into()];
    for (i, h) in OTHER_HEADLINES.iter().take(10).enumerate() {
        list.push(format!("{h} ({:02}/05/2024)", 20 - i));
    }
    let mut related = vec![
        "PublishingPortal - Block_BanTin_Toolbar".to_string(),
        String::new(),
        "05/04/2024".into(),
        "Tăng cỡ chữ Giảm cỡ chữ".into(),
        story.title.into(),
        story.lead.into(),
        String::new(),
        " PublishingPortal - Block_BanTin_ViewData".into(),
        String::new(),
        "Các tin khác".into(),
    ];
    for (i, h) in OTHER_HEADLINES.iter().skip(10).take(6).enumerate() {
        related.push(format!("{h} ({:02}/04/2024)", 4 - i.min(3)));
    }
    let empty = Expected {
        title: String::new(),
        published: None,
        summary: None,
        author: None,
        image: None,
        caption: None,
        paragraphs: Vec::new(),
        absent: Vec::new(),
    };
    [("list page dump", list), ("dump with only a related list", related)]
        .into_iter()
        .map(|(kind, lines)| Case {
            name: format!("refusal [{kind}]"),
            families: vec![("refusal".into(), kind.into())],
            url: "https://backan.gov.vn/Pages/chi-tiet-tin-tuc.aspx?ItemID=4242".into(),
            bytes: lines.join("\n").into_bytes(),
            content_type: None,
            expected: empty.clone(),
        })
        .collect()
}
