//! Health: liveness and readiness with each source's state.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Feeds;

use crate::store::SourceState;

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
        let sources = catalog
            .iter()
            .filter(|f| f.is_source())
            .map(|f| Ok((f.path.clone(), store.source_state(&f.path)?, store.count(&f.query)?)))
            .collect::<Result<Vec<(String, SourceState, usize)>, crate::store::StoreError>>()?;
        Ok::<_, crate::store::StoreError>((sources, store.subscriptions(crate::model::now().timestamp())?))
    })
    .await;
    match states {
        Ok(Ok((states, subscriptions))) => {
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
            // WebSub: how many subscribers, and the last error of each whose last delivery failed
            // (a subscriber's trouble is theirs: it does not degrade bantin).
            let failing: Vec<_> = subscriptions
                .iter()
                .filter_map(|s| {
                    Some(json!({"callback": s.callback, "topic": s.topic, "last_error": s.last_error.as_ref()?}))
                })
                .collect();
            let websub = json!({"subscriptions": subscriptions.len(), "failing": failing});
            Json(json!({
                "status": if degraded { "degraded" } else { "ok" },
                "store": "ok",
                "sources": sources,
                "websub": websub,
            }))
            .into_response()
        }
        Ok(Err(e)) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "error", "store": e.to_string()}))).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"status": "error", "error": e.to_string()})))
            .into_response(),
    }
}
