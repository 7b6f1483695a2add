//! What a page should give, how an extraction is compared with it field by field, and the
//! report: every mismatch is collected (one failure says little about a family), then counted
//! per family value and per field.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bantin::model::Article;
use chrono::{DateTime, FixedOffset};

/// The article as a reader of the page names it.
#[derive(Debug, Clone)]
pub struct Expected {
    pub title: String,
    pub published: Option<DateTime<FixedOffset>>,
    pub summary: Option<String>,
    pub author: Option<String>,
    /// Absolute URL of the lead image.
    pub image: Option<String>,
    pub caption: Option<String>,
    pub paragraphs: Vec<String>,
    /// Text of the page that is not the article's (boxes, toolbar, footer): in neither
    /// `content_text` nor `content_html`.
    pub absent: Vec<String>,
}

/// One page and what it must give.
pub struct Case {
    pub name: String,
    /// (family, value) pairs the page was composed from: failures are counted by them.
    pub families: Vec<(String, String)>,
    pub url: String,
    pub bytes: Vec<u8>,
    /// The `Content-Type` header it is served with (`None`: the bytes say).
    pub content_type: Option<String>,
    pub expected: Expected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Title,
    Published,
    Summary,
    Author,
    Image,
    Caption,
    Body,
    Clean,
}

pub const FIELDS: [Field; 8] = [
    Field::Title,
    Field::Published,
    Field::Summary,
    Field::Author,
    Field::Image,
    Field::Caption,
    Field::Body,
    Field::Clean,
];

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Published => "published",
            Field::Summary => "summary",
            Field::Author => "author",
            Field::Image => "image",
            Field::Caption => "caption",
            Field::Body => "body",
            Field::Clean => "no-boilerplate",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Mismatch {
    pub field: Field,
    pub expected: String,
    pub got: String,
}

/// A case's outcome.
pub struct Scored {
    pub name: String,
    pub families: Vec<(String, String)>,
    pub mismatches: Vec<Mismatch>,
}

fn show(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_string(), |v| format!("{v:?}"))
}

fn show_date(value: Option<&DateTime<FixedOffset>>) -> String {
    value.map_or_else(|| "None".to_string(), |d| d.to_rfc3339())
}

/// Every field of `got` that differs from `expected`. A refusal fails every field.
pub fn compare(expected: &Expected, got: &Result<Article, String>) -> Vec<Mismatch> {
    let article = match got {
        Ok(article) => article,
        Err(error) => {
            return FIELDS
                .iter()
                .map(|&field| Mismatch { field, expected: "an article".into(), got: format!("refused: {error}") })
                .collect();
        }
    };
    let mut out = Vec::new();
    let mut check = |field: Field, ok: bool, expected: String, got: String| {
        if !ok {
            out.push(Mismatch { field, expected, got });
        }
    };
    check(
        Field::Title,
        article.title == expected.title,
        format!("{:?}", expected.title),
        format!("{:?}", article.title),
    );
    // Equal instants: a date read as 14:30+07:00 or as 07:30Z is the same date.
    check(
        Field::Published,
        article.published == expected.published,
        show_date(expected.published.as_ref()),
        show_date(article.published.as_ref()),
    );
    check(
        Field::Summary,
        article.summary == expected.summary,
        show(expected.summary.as_deref()),
        show(article.summary.as_deref()),
    );
    check(
        Field::Author,
        article.author == expected.author,
        show(expected.author.as_deref()),
        show(article.author.as_deref()),
    );
    let image = article.image.as_ref().map(|i| i.url.as_str());
    check(Field::Image, image == expected.image.as_deref(), show(expected.image.as_deref()), show(image));
    check(
        Field::Caption,
        article.caption == expected.caption,
        show(expected.caption.as_deref()),
        show(article.caption.as_deref()),
    );
    let want = expected.paragraphs.join("\n\n");
    check(Field::Body, article.content_text == want, want.clone(), article.content_text.clone());
    let leaked: Vec<&String> = expected
        .absent
        .iter()
        .filter(|s| article.content_text.contains(s.as_str()) || article.content_html.contains(s.as_str()))
        .collect();
    check(Field::Clean, leaked.is_empty(), "none of the page's other text".into(), format!("{leaked:?}"));
    out
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}…")
}

/// A body mismatch told as paragraphs missing and paragraphs extra.
fn body_diff(expected: &str, got: &str) -> String {
    if got.starts_with("refused: ") {
        return format!("    {}\n", cut(got, 200));
    }
    let want: Vec<&str> = expected.split("\n\n").collect();
    let have: Vec<&str> = got.split("\n\n").collect();
    let mut out = String::new();
    for p in want.iter().filter(|p| !have.contains(p)) {
        let _ = writeln!(out, "    - missing: {}", cut(p, 90));
    }
    for p in have.iter().filter(|p| !want.contains(p)) {
        let _ = writeln!(out, "    + extra:   {}", cut(p, 90));
    }
    if out.is_empty() {
        out = "    (same paragraphs, other order or spacing)\n".into();
    }
    out
}

/// The report of one batch, printed; returns (fields checked, fields correct).
pub fn report(batch: &str, scored: &[Scored]) -> (usize, usize) {
    let checked = scored.len() * FIELDS.len();
    let wrong: usize = scored.iter().map(|s| s.mismatches.len()).sum();
    let correct = checked - wrong;
    let failed_pages = scored.iter().filter(|s| !s.mismatches.is_empty()).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n== {batch}: {} pages, {failed_pages} with a wrong field; {correct}/{checked} fields correct ({:.1}%)",
        scored.len(),
        100.0 * correct as f64 / checked.max(1) as f64
    );
    let _ = write!(out, "   wrong, by field:");
    for field in FIELDS {
        let n = scored.iter().flat_map(|s| &s.mismatches).filter(|m| m.field == field).count();
        let _ = write!(out, " {}={n}", field.label());
    }
    out.push('\n');

    // family -> value -> (pages, failed pages, wrong per field)
    let mut table: BTreeMap<(String, String), (usize, usize, [usize; 8])> = BTreeMap::new();
    for s in scored {
        for (family, value) in &s.families {
            let row = table.entry((family.clone(), value.clone())).or_insert((0, 0, [0; 8]));
            row.0 += 1;
            row.1 += usize::from(!s.mismatches.is_empty());
            for m in &s.mismatches {
                row.2[FIELDS.iter().position(|f| *f == m.field).expect("known field")] += 1;
            }
        }
    }
    let _ = write!(out, "   {:<52} {:>5} {:>6}", "family = value", "pages", "failed");
    for field in FIELDS {
        let _ = write!(out, " {:>6}", &field.label()[..field.label().len().min(6)]);
    }
    out.push('\n');
    for ((family, value), (pages, failed, per_field)) in &table {
        let _ = write!(out, "   {:<52} {pages:>5} {failed:>6}", cut(&format!("{family} = {value}"), 52));
        for n in per_field {
            let _ = write!(out, " {n:>6}");
        }
        out.push('\n');
    }

    // GENERATED_ALL_MISMATCHES=1 lists every mismatch instead of a few per field.
    let all = std::env::var_os("GENERATED_ALL_MISMATCHES").is_some();
    let _ = writeln!(out, "   examples ({} per field):", if all { "all" } else { "at most 3" });
    for field in FIELDS {
        for s in scored.iter().filter(|s| s.mismatches.iter().any(|m| m.field == field)).take(if all {
            usize::MAX
        } else {
            3
        }) {
            let m = s.mismatches.iter().find(|m| m.field == field).expect("filtered");
            let _ = writeln!(out, "   [{}] {}", field.label(), s.name);
            if field == Field::Body {
                out.push_str(&body_diff(&m.expected, &m.got));
            } else {
                let _ = writeln!(out, "    expected {}\n    got      {}", cut(&m.expected, 160), cut(&m.got, 160));
            }
        }
    }
    println!("{out}");
    (checked, correct)
}
