//! A held-out, generative corpus for the article extractor (issue 21).
//!
//! Pages and text dumps are composed from families of markup (chrome, toolbar order, date forms,
//! bylines and credits, boxes, images, encodings…) by a pairwise covering design, and every field
//! is asserted against what the generator put there, never against what bantin once returned.
//! Written without reading the extractor, so passing it means the rules generalize rather than
//! fit. Hand-written pages in `tests/fixtures/heldout/` are checked the same way, and pages
//! that are not articles must be refused.
//!
//! Every mismatch is collected before the test fails, then counted per family value and per
//! field: one failing page says little, a family that fails everywhere says what to fix.
//! `cargo test --test generated -- --nocapture` prints the tables.

use std::panic::{AssertUnwindSafe, catch_unwind};

use bantin::config::{Profile, Rules};
use bantin::model::{Article, Page};
use url::Url;

/// An enum of family values, all of them in `ALL`, each with the label reports name it by.
macro_rules! family {
    ($name:ident { $($variant:ident = $label:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}

#[path = "generated/check.rs"]
mod check;
#[path = "generated/dates.rs"]
mod dates;
#[path = "generated/design.rs"]
mod design;
#[path = "generated/dumps.rs"]
mod dumps;
#[path = "generated/heldout.rs"]
mod heldout;
#[path = "generated/markup.rs"]
mod markup;
#[path = "generated/pages.rs"]
mod pages;
#[path = "generated/text.rs"]
mod text;

use check::{Case, Scored, compare, report};

/// The one call into the extractor: when its signature changes, only this changes.
fn extract(case: &Case) -> Result<Article, String> {
    let rules = Rules::new(Profile::PublishingPortal);
    let page = Page {
        url: Url::parse(&case.url).expect("the generator writes valid URLs"),
        html: bantin::fetch::decode(&case.bytes, case.content_type.as_deref()),
    };
    bantin::extract::article(&rules, &page, None).map(|e| e.article).map_err(|e| e.to_string())
}

/// `extract`, with a panic reported as a refusal of that page instead of ending the batch.
fn extract_caught(case: &Case) -> Result<Article, String> {
    catch_unwind(AssertUnwindSafe(|| extract(case))).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(format!("panicked: {why}"))
    })
}

fn score(batch: &str, cases: &[Case]) {
    let scored: Vec<Scored> = cases
        .iter()
        .map(|case| Scored {
            name: case.name.clone(),
            families: case.families.clone(),
            mismatches: compare(&case.expected, &extract_caught(case)),
        })
        .collect();
    let (checked, correct) = report(batch, &scored);
    assert_eq!(correct, checked, "{batch}: {} of {checked} fields wrong (tables above)", checked - correct);
}

#[test]
fn generated_pages_give_every_field() {
    score("generated pages", &pages::cases());
}

#[test]
fn generated_text_dumps_give_every_field() {
    score("generated text dumps", &dumps::cases());
}

#[test]
fn held_out_pages_give_every_field() {
    use unicode_normalization::UnicodeNormalization;
    let cases = heldout::cases();
    assert!(cases.len() >= 10, "held-out pages: {}", cases.len());
    for case in &cases {
        // Decoded as bantin decodes pages (header, BOM, <meta>): the soundness check reads what
        // the extractor reads.
        let text: String = bantin::fetch::decode(&case.bytes, case.content_type.as_deref()).nfc().collect();
        if text.contains("<html") { check_case_is_sound(case, &text) } else { check_dump_is_sound(case, &text) }
    }
    score("held-out pages", &cases);
}

#[test]
fn pages_that_are_not_articles_are_refused() {
    let cases: Vec<Case> = pages::refusals().into_iter().chain(dumps::refusals()).collect();
    let mut published = Vec::new();
    for case in &cases {
        if let Ok(article) = extract_caught(case) {
            let body: String = article.content_text.chars().take(100).collect();
            published.push(format!("  {}: published {:?}, body {body:?}…", case.name, article.title));
        }
    }
    println!("\n== refusals: {} of {} non-articles refused", cases.len() - published.len(), cases.len());
    for line in &published {
        println!("{line}");
    }
    assert!(published.is_empty(), "{} non-articles published as articles (listed above)", published.len());
}

// ---- the generator checked on its own, without bantin ----

/// The text a browser shows of `html`: scripts, styles and the head left out, `<br>` and
/// block boundaries as spaces, NBSP as a space, whitespace runs collapsed, NFC.
fn visible_text(html: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    fn walk(node: ego_tree::NodeRef<scraper::Node>, out: &mut String) {
        match node.value() {
            scraper::Node::Text(text) => out.push_str(text),
            scraper::Node::Element(el) => {
                let name = el.name();
                if matches!(name, "script" | "style" | "head" | "title") {
                    return;
                }
                let inline = matches!(name, "a" | "b" | "strong" | "em" | "i" | "span" | "font" | "nobr" | "u");
                if !inline {
                    out.push(' ');
                }
                for child in node.children() {
                    walk(child, out);
                }
                if !inline {
                    out.push(' ');
                }
            }
            _ => {
                for child in node.children() {
                    walk(child, out);
                }
            }
        }
    }
    let doc = scraper::Html::parse_document(html);
    let mut out = String::new();
    walk(doc.tree.root(), &mut out);
    let out = out.replace('\u{a0}', " ");
    out.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect()
}

/// Each expected string is on the page as a reader sees it, and no boilerplate string is in
/// the expected body: a wrong expectation would blame the extractor for the generator's bug.
fn check_case_is_sound(case: &Case, html: &str) {
    let visible = visible_text(html);
    let e = &case.expected;
    let mut wanted: Vec<&str> = vec![e.title.as_str()];
    wanted.extend(e.summary.as_deref());
    wanted.extend(e.author.as_deref());
    wanted.extend(e.caption.as_deref());
    wanted.extend(e.paragraphs.iter().map(String::as_str));
    for s in wanted {
        assert!(visible.contains(s), "{}: {s:?} is not on the page", case.name);
    }
    let body = e.paragraphs.join("\n\n");
    for s in &e.absent {
        assert!(!body.contains(s.as_str()), "{}: boilerplate {s:?} is in the expected body", case.name);
    }
    for p in &e.paragraphs {
        assert!(!p.trim().is_empty() && p.trim() == p, "{}: paragraph {p:?}", case.name);
    }
}

#[test]
fn the_generated_corpus_is_sound() {
    use unicode_normalization::UnicodeNormalization;

    let missing = design::missing_pairs(&pages::sizes(), &pages::rows());
    assert!(missing.is_empty(), "pages miss pairs {missing:?}");
    let missing = design::missing_pairs(&dumps::sizes(), &dumps::rows());
    assert!(missing.is_empty(), "dumps miss pairs {missing:?}");

    let pages = pages::cases();
    let dumps = dumps::cases();
    assert!(pages.len() >= 300, "{} pages", pages.len());
    println!("{} pages, {} dumps", pages.len(), dumps.len());

    // To read the corpus: GENERATED_CORPUS_DIR=/tmp/corpus cargo test --test generated sound
    if let Some(dir) = std::env::var_os("GENERATED_CORPUS_DIR") {
        std::fs::create_dir_all(&dir).expect("creatable directory");
        for (i, case) in pages.iter().enumerate() {
            std::fs::write(std::path::Path::new(&dir).join(format!("page-{i:03}.html")), &case.bytes)
                .expect("writable");
        }
        for (i, case) in dumps.iter().enumerate() {
            std::fs::write(std::path::Path::new(&dir).join(format!("dump-{i:03}.txt")), &case.bytes).expect("writable");
        }
    }

    let again = pages::cases();
    for (a, b) in pages.iter().zip(&again) {
        assert!(a.bytes == b.bytes && a.name == b.name, "{} differs from one run to the next", a.name);
    }
    let mut names: Vec<&str> = pages.iter().chain(&dumps).map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), pages.len() + dumps.len(), "page names are unique");

    for story in text::STORIES {
        for p in story.paragraphs {
            let n = p.chars().count();
            assert!((150..=600).contains(&n), "{}: a paragraph of {n} characters", story.slug);
        }
        assert!((3..=6).contains(&story.paragraphs.len()), "{}", story.slug);
    }

    for case in &pages {
        // Decoded here by encoding_rs alone: the page must say what the generator meant.
        let html = if case.families.iter().any(|(_, v)| v == markup::Encoding::Win1258Nfd.label()) {
            encoding_rs::WINDOWS_1258.decode(&case.bytes).0.nfc().collect::<String>()
        } else {
            String::from_utf8(case.bytes.clone()).expect("utf-8 or ascii")
        };
        check_case_is_sound(case, &html);
    }
    for case in &dumps {
        let text: String = std::str::from_utf8(&case.bytes).expect("utf-8").nfc().collect();
        check_dump_is_sound(case, &text);
    }
}

/// Each expected string is a line of the dump (or in one), and no boilerplate string is in the
/// expected body.
fn check_dump_is_sound(case: &Case, text: &str) {
    let e = &case.expected;
    let mut wanted: Vec<&str> = vec![e.title.as_str()];
    wanted.extend(e.summary.as_deref());
    wanted.extend(e.author.as_deref());
    wanted.extend(e.caption.as_deref());
    wanted.extend(e.paragraphs.iter().map(String::as_str));
    for s in wanted {
        assert!(text.lines().any(|l| l.contains(s)), "{}: {s:?} is not in the dump", case.name);
    }
    let body = e.paragraphs.join("\n\n");
    for s in &e.absent {
        assert!(!body.contains(s.as_str()), "{}: boilerplate {s:?} is in the expected body", case.name);
    }
}
