//! Hand-written pages (`tests/fixtures/heldout/NAME.html` or `NAME.txt`), each with
//! `NAME.expected.json`: the fields as a person reading the page names them.

use std::path::Path;

use chrono::DateTime;
use serde_json::Value;

use super::check::{Case, Expected};

fn text(json: &Value, key: &str) -> Option<String> {
    json.get(key).and_then(Value::as_str).map(String::from)
}

fn strings(json: &Value, key: &str) -> Vec<String> {
    json.get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default()
}

pub fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/heldout");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory").path())
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|page| {
            let stem = page.file_stem().and_then(|s| s.to_str()).expect("utf-8 name").to_string();
            let json_path = dir.join(format!("{stem}.expected.json"));
            let raw = std::fs::read_to_string(&json_path).unwrap_or_else(|e| panic!("{}: {e}", json_path.display()));
            let json: Value = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{}: {e}", json_path.display()));
            let published = text(&json, "published").map(|d| {
                DateTime::parse_from_rfc3339(&d)
                    .unwrap_or_else(|e| panic!("{}: published {d:?}: {e}", json_path.display()))
            });
            Case {
                name: format!("held-out {stem}"),
                families: vec![("held-out page".into(), stem.clone())],
                url: text(&json, "url").unwrap_or_else(|| panic!("{}: no url", json_path.display())),
                bytes: std::fs::read(&page).expect("readable page"),
                content_type: text(&json, "content_type"),
                expected: Expected {
                    title: text(&json, "title").unwrap_or_else(|| panic!("{}: no title", json_path.display())),
                    published,
                    summary: text(&json, "summary"),
                    author: text(&json, "author"),
                    image: text(&json, "image"),
                    caption: text(&json, "caption"),
                    paragraphs: strings(&json, "paragraphs"),
                    absent: strings(&json, "absent"),
                },
            }
        })
        .collect()
}
