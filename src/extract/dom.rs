//! Small DOM helpers over `scraper`, shared by the profiles.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

/// The element's text as a reader sees it: script and style contents left out.
pub fn text_of(e: ElementRef) -> String {
    visible_text(e).collect()
}

/// Text with a space between every text node, so a date in one cell and a time in the next,
/// or `<p>a</p><p>b</p>` without whitespace, do not run together.
pub fn spaced_text(e: ElementRef) -> String {
    visible_text(e).collect::<Vec<_>>().join(" ")
}

fn visible_text(e: ElementRef<'_>) -> impl Iterator<Item = &str> + '_ {
    e.descendants().filter_map(|node| match node.value() {
        Node::Text(t) if !is_hidden(node) => Some(&**t),
        _ => None,
    })
}

/// A text node a reader never sees: inside a script, a style, a template, a form control.
pub fn is_hidden(text: NodeRef<'_, Node>) -> bool {
    text.parent()
        .and_then(|p| p.value().as_element().map(|el| el.name()))
        .is_some_and(|name| matches!(name, "script" | "style" | "noscript" | "template" | "textarea" | "option"))
}

pub fn select_first<'a>(doc: &'a Html, css: &str) -> Option<ElementRef<'a>> {
    doc.select(&Selector::parse(css).ok()?).next()
}

/// A selector literal of this crate, compiled once: extraction runs them per block, and
/// compiling costs more than matching.
pub fn selector(css: &'static str) -> &'static Selector {
    static COMPILED: LazyLock<Mutex<HashMap<&'static str, &'static Selector>>> = LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    compiled.entry(css).or_insert_with(|| Box::leak(Box::new(configured(css))))
}

/// A selector from a feed's config, validated when the config was loaded.
pub fn configured(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector `{css}` was validated: {e}"))
}

/// Whether `e` is `ancestor` or inside it.
pub fn within(e: ElementRef, ancestor: ElementRef) -> bool {
    e.id() == ancestor.id() || e.ancestors().any(|a| a.id() == ancestor.id())
}
