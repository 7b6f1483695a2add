//! The human-facing pages: the index with subscribe links and autodiscovery (rendered by the
//! cache like any document), and health.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde_json::json;
use url::Url;

use super::Feeds;
use crate::model::{Format, escape_html, vietnam};
use crate::store::SourceState;

/// One feed's line on the index: what a subscriber wants to know before subscribing.
pub struct Line {
    pub path: String,
    pub title: String,
    pub items: usize,
    pub newest: Option<DateTime<FixedOffset>>,
}

/// The index page: every feed with its item count, last update and subscribe links, and
/// `<link rel="alternate">` autodiscovery for each.
pub fn index_html(title: &str, public_url: &Url, lines: &[Line]) -> String {
    let base = public_url.as_str().trim_end_matches('/');
    let title = escape_html(title);
    let mut head = String::new();
    let mut rows = String::new();
    for line in lines {
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
        let updated = line.newest.map(|t| t.with_timezone(&vietnam()).format("%d/%m/%Y %H:%M").to_string());
        rows.push_str(&format!(
            "<li><h2>{}</h2><p>{} bài · mới nhất {}</p><p>{}</p></li>\n",
            escape_html(&line.title),
            line.items,
            escape_html(updated.as_deref().unwrap_or("chưa có bài")),
            links.join(" · ")
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>\n{head}<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em}}\
         li{{list-style:none;margin:1.5em 0}}h2{{margin:0;font-size:1.2em}}</style></head>\
         <body><h1>{title}</h1><p>Tin tức từ các cổng thông tin, dạng RSS, Atom và JSON Feed. \
         News feeds of portals: subscribe with any feed reader, or import <a href=\"{base}/opml\">all feeds (OPML)</a>.</p>\
         <ul>\n{rows}</ul></body></html>\n"
    )
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
            .filter(|f| f.is_source())
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
                        "last_warning": s.last_warning,
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
