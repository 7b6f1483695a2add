//! The human-facing pages: the index with subscribe links and autodiscovery, and health.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::Feeds;
use crate::model::{Format, escape_html, vietnam};
use crate::store::SourceState;

/// One feed's line on the index: what a subscriber wants to know before subscribing.
struct Line {
    path: String,
    title: String,
    items: usize,
    last_update: Option<String>,
}

async fn lines(feeds: &Feeds) -> Result<Vec<Line>, super::ServeError> {
    let catalog = feeds.catalog();
    let store = feeds.inner.store.clone();
    let lines = tokio::task::spawn_blocking(move || {
        catalog
            .iter()
            .map(|f| {
                let newest = super::page_items(&store, f, 0, 1)?;
                Ok(Line {
                    path: f.path.clone(),
                    title: f.title.clone(),
                    items: super::item_count(&store, f)?,
                    last_update: newest
                        .first()
                        .map(|i| i.updated.with_timezone(&vietnam()).format("%d/%m/%Y %H:%M").to_string()),
                })
            })
            .collect::<Result<Vec<_>, crate::store::StoreError>>()
    })
    .await??;
    Ok(lines)
}

pub async fn index(State(feeds): State<Feeds>) -> Response {
    let list = match lines(&feeds).await {
        Ok(list) => list,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("store unavailable: {e}\n")).into_response(),
    };
    let base = feeds.public_url().as_str().trim_end_matches('/');
    let title = escape_html(&feeds.inner.title);
    let mut head = String::new();
    let mut rows = String::new();
    for line in &list {
        let links: Vec<String> = Format::ALL
            .iter()
            .map(|f| format!("<a href=\"{base}/feeds/{}.{}\">{}</a>", line.path, f.extension(), f.label()))
            .collect();
        for format in Format::ALL {
            head.push_str(&format!(
                "<link rel=\"alternate\" type=\"{}\" title=\"{} ({})\" href=\"{base}/feeds/{}.{}\">\n",
                format.media_type(),
                escape_html(&line.title),
                format.label(),
                line.path,
                format.extension()
            ));
        }
        let updated = line.last_update.as_deref().unwrap_or("chưa có bài");
        rows.push_str(&format!(
            "<li><h2>{}</h2><p>{} bài · mới nhất {}</p><p>{}</p></li>\n",
            escape_html(&line.title),
            line.items,
            escape_html(updated),
            links.join(" · ")
        ));
    }
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>\n{head}<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em}}\
         li{{list-style:none;margin:1.5em 0}}h2{{margin:0;font-size:1.2em}}</style></head>\
         <body><h1>{title}</h1><p>Tin tức từ các cổng thông tin, dạng RSS, Atom và JSON Feed. \
         News feeds of portals: subscribe with any feed reader, or import <a href=\"{base}/opml\">all feeds (OPML)</a>.</p>\
         <ul>\n{rows}</ul></body></html>\n"
    ))
    .into_response()
}

/// Liveness: answers while the process serves, without touching the store.
pub async fn health() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// Readiness with detail: the store answers, and each source's last success, consecutive
/// failures and last error. `degraded` (still 200: the feeds are served) when a source's last
/// run failed; 503 when the store cannot be read.
pub async fn ready(State(feeds): State<Feeds>) -> Response {
    let catalog = feeds.catalog();
    let store = feeds.inner.store.clone();
    let states = tokio::task::spawn_blocking(move || {
        catalog
            .iter()
            .filter(|f| f.selection.is_none() && f.query.category.is_none())
            .map(|f| Ok((f.path.clone(), store.source_state(&f.path)?, store.count(&f.query)?)))
            .collect::<Result<Vec<(String, SourceState, usize)>, crate::store::StoreError>>()
    })
    .await;
    match states {
        Ok(Ok(states)) => {
            let degraded = states.iter().any(|(_, s, _)| s.last_error.is_some());
            let sources: Vec<_> = states
                .iter()
                .map(|(name, s, items)| {
                    json!({
                        "name": name,
                        "items": items,
                        "last_attempt": s.last_attempt.map(|t| t.to_rfc3339()),
                        "last_success": s.last_success.map(|t| t.to_rfc3339()),
                        "consecutive_failures": s.consecutive_failures,
                        "last_error": s.last_error,
                    })
                })
                .collect();
            Json(json!({"status": if degraded { "degraded" } else { "ok" }, "store": "ok", "sources": sources}))
                .into_response()
        }
        Ok(Err(e)) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "error", "store": e.to_string()}))).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"status": "error", "error": e.to_string()})))
            .into_response(),
    }
}
