//! Extraction cost on the seed article: the whole profile vs. parsing the HTML alone, so the
//! README can say what extraction adds beyond the parse.

use std::hint::black_box;

use bantin::config::{Profile, Rules};
use bantin::model::Page;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use url::Url;

fn seed_page() -> Page {
    let html = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/publishing-portal/article-12345.html"
    ))
    .expect("fixture");
    Page { url: Url::parse("https://backan.gov.vn/Pages/chi-tiet-tin-tuc.aspx?ItemID=12345").unwrap(), html }
}

fn extraction(c: &mut Criterion) {
    let page = seed_page();
    let rules = Rules::new(Profile::PublishingPortal);
    let list = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/publishing-portal/list-page-1.html"
    ))
    .expect("fixture");
    let list = Page { url: Url::parse("https://backan.gov.vn/Pages/tin-tuc-su-kien.aspx").unwrap(), html: list };

    let mut group = c.benchmark_group("article-12345");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse only", |b| b.iter(|| scraper::Html::parse_document(black_box(&page.html))));
    group.bench_function("extract article", |b| {
        b.iter(|| bantin::extract::article(&rules, black_box(&page), None).map(|e| e.article).expect("extracts"))
    });
    group.finish();

    let mut group = c.benchmark_group("list-page-1");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse only", |b| b.iter(|| scraper::Html::parse_document(black_box(&list.html))));
    group.bench_function("extract links", |b| b.iter(|| bantin::extract::list(&rules, black_box(&list))));
    group.finish();
}

criterion_group!(benches, extraction);
criterion_main!(benches);
