//! The human-facing pages: the index with subscribe links and autodiscovery, and health.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::Feeds;
use crate::model::Format;

/// One feed's line on the index: what a subscriber wants to know before subscribing.
struct Summary {
    name: String,
    title: String,
    items: usize,
    last_success: Option<String>,
    error: Option<String>,
}

async fn summaries(feeds: &Feeds) -> Result<Vec<Summary>, super::ServeError> {
    let defs = feeds.defs();
    let store = feeds.inner.store.clone();
    let summaries = tokio::task::spawn_blocking(move || {
        defs.iter()
            .map(|d| {
                let state = store.source_state(&d.name)?;
                Ok(Summary {
                    name: d.name.clone(),
                    title: d.title.clone(),
                    items: store.count(&d.name)?,
                    last_success: state.last_success.map(|t| t.format("%d/%m/%Y %H:%M").to_string()),
                    error: state.last_error,
                })
            })
            .collect::<Result<Vec<_>, crate::store::StoreError>>()
    })
    .await??;
    Ok(summaries)
}

pub async fn index(State(feeds): State<Feeds>) -> Response {
    let list = match summaries(&feeds).await {
        Ok(list) => list,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("store unavailable: {e}\n")).into_response(),
    };
    let base = feeds.public_url().as_str().trim_end_matches('/');
    let mut head = String::new();
    let mut rows = String::new();
    for s in &list {
        for format in Format::ALL {
            head.push_str(&format!(
                "<link rel=\"alternate\" type=\"{}\" title=\"{} ({})\" href=\"{base}/feeds/{}.{}\">\n",
                format.content_type().split(';').next().unwrap_or_default(),
                esc(&s.title),
                format.extension().to_uppercase(),
                s.name,
                format.extension()
            ));
        }
        let updated = s.last_success.as_deref().unwrap_or("chưa cập nhật (not yet scraped)");
        let error = s
            .error
            .as_deref()
            .map(|e| format!("<p class=\"error\">Last run failed: {}</p>", esc(e)))
            .unwrap_or_default();
        rows.push_str(&format!(
            "<li><h2>{}</h2><p>{} bài · cập nhật {}</p><p><a href=\"{base}/feeds/{name}.rss\">RSS</a> · \
             <a href=\"{base}/feeds/{name}.atom\">Atom</a></p>{error}</li>\n",
            esc(&s.title),
            s.items,
            esc(updated),
            name = s.name,
        ));
    }
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>bantin feeds</title>\n{head}<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em}}\
         li{{list-style:none;margin:1.5em 0}}h2{{margin:0;font-size:1.2em}}.error{{color:#a00}}</style></head>\
         <body><h1>bantin</h1><p>Feeds of news portals. Subscribe with any feed reader.</p><ul>\n{rows}</ul></body></html>\n"
    ))
    .into_response()
}

/// Liveness with detail: 200 while the process serves; `degraded` when a source's last run failed.
pub async fn health(State(feeds): State<Feeds>) -> Response {
    match summaries(&feeds).await {
        Ok(list) => {
            let degraded = list.iter().any(|s| s.error.is_some());
            let sources: Vec<_> = list
                .iter()
                .map(|s| json!({"name": s.name, "items": s.items, "last_success": s.last_success, "last_error": s.error}))
                .collect();
            Json(json!({"status": if degraded { "degraded" } else { "ok" }, "sources": sources})).into_response()
        }
        Err(e) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "error", "error": e.to_string()}))).into_response()
        }
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
