//! The HTTP handlers over rendered documents, and the HTTP semantics they follow: content
//! coding by `Accept-Encoding` (RFC 9110 §12.5.3), validators and 304 (§13.1), caching.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Doc, Feeds, Rendered, ServeError, html};
use crate::metrics::StatusLabels;
use crate::model::Format;

pub async fn feed(
    State(feeds): State<Feeds>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such feed\n").into_response();
    let Some((path, format)) = file.rsplit_once('.').and_then(|(p, ext)| Some((p, Format::from_extension(ext)?)))
    else {
        return not_found();
    };
    let page_param = query
        .as_deref()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "page").map(|(_, v)| v));
    let page = match page_param.map(|p| p.parse::<u32>()) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => return (StatusCode::BAD_REQUEST, "page must be a number from 1\n").into_response(),
    };
    // A person's browser gets the page, in their language; a feed reader the feed.
    let browser = html::prefers_html(&headers);
    let doc = if browser {
        feeds.feed_page(path, page, html::Lang::from_headers(&headers)).await
    } else {
        feeds.rendered(path, format, page).await
    };
    let mut response = answer(doc, &headers, "no such feed or page\n");
    // WebSub §4: the hubs and the topic's own URL, for subscribers that read headers only.
    let hubs = feeds.hubs();
    if !browser && !hubs.is_empty() && (response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED)
    {
        let base = feeds.public_url().as_str().trim_end_matches('/');
        let mut link: Vec<String> = hubs.iter().map(|hub| format!("<{hub}>; rel=\"hub\"")).collect();
        let query = if page > 1 { format!("?page={page}") } else { String::new() };
        link.push(format!("<{base}/feeds/{path}.{}{query}>; rel=\"self\"", format.extension()));
        if let Ok(value) = HeaderValue::from_str(&link.join(", ")) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    let status = StatusLabels { status: response.status().as_str().to_string() };
    feeds.inner.metrics.feed_requests.get_or_create(&status).inc();
    response
}

pub async fn index(State(feeds): State<Feeds>, headers: HeaderMap) -> Response {
    answer(feeds.page(Doc::Index { lang: html::Lang::from_headers(&headers) }).await, &headers, "")
}

pub async fn article(State(feeds): State<Feeds>, Path(number): Path<String>, headers: HeaderMap) -> Response {
    let Ok(number) = number.parse::<i64>() else { return (StatusCode::NOT_FOUND, "no such article\n").into_response() };
    let lang = html::Lang::from_headers(&headers);
    answer(feeds.article(number, lang).await, &headers, "no such article\n")
}

pub async fn opml(State(feeds): State<Feeds>, headers: HeaderMap) -> Response {
    answer(feeds.page(Doc::Opml).await, &headers, "")
}

pub async fn stylesheet(State(feeds): State<Feeds>, headers: HeaderMap) -> Response {
    answer(feeds.page(Doc::Stylesheet).await, &headers, "")
}

/// OpenMetrics text: it ends in `# EOF`, which only that format has.
pub async fn metrics(State(feeds): State<Feeds>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        feeds.inner.metrics.encode(),
    )
        .into_response()
}

fn answer(doc: Result<Option<Arc<Rendered>>, ServeError>, request: &HeaderMap, missing: &'static str) -> Response {
    match doc {
        Ok(Some(doc)) => respond(&doc, request),
        Ok(None) => (StatusCode::NOT_FOUND, missing).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot render");
            (StatusCode::INTERNAL_SERVER_ERROR, "document unavailable\n").into_response()
        }
    }
}

/// The coding to send: brotli, then gzip, then none, as `Accept-Encoding` allows. A coding
/// named with `q=0` is refused even when `*` would allow it.
fn choose_encoding(request: &HeaderMap) -> Option<&'static str> {
    let accept = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let weights: Vec<(&str, f32)> = html::weighted(accept).collect();
    let weight = |coding: &str| {
        weights
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(coding))
            .or_else(|| weights.iter().find(|(name, _)| *name == "*"))
            .map_or(0.0, |(_, q)| *q)
    };
    ["br", "gzip"].into_iter().find(|c| weight(c) > 0.0)
}

fn respond(doc: &Rendered, request: &HeaderMap) -> Response {
    let encoding = choose_encoding(request);
    let coding_index = match encoding {
        None => 0,
        Some("gzip") => 1,
        Some(_) => 2,
    };
    let mut response = Response::new(Body::empty());
    let headers = response.headers_mut();
    headers.insert(header::ETAG, doc.headers.etags[coding_index].clone());
    headers.insert(header::CACHE_CONTROL, doc.headers.cache_control.clone());
    // Feed URLs answer browsers with a page, and pages follow the reader's language.
    headers.insert(header::VARY, HeaderValue::from_static("Accept, Accept-Encoding, Accept-Language"));
    if let Some(lm) = &doc.headers.last_modified {
        headers.insert(header::LAST_MODIFIED, lm.clone());
    }
    if not_modified(doc, request) {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        return response;
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(doc.content_type));
    if let Some(coding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    *response.body_mut() = Body::from(match encoding {
        Some("br") => doc.brotli.clone(),
        Some(_) => doc.gzip.clone(),
        None => doc.body.clone(),
    });
    response
}

/// RFC 9110 §13.1: `If-None-Match` wins when present; `If-Modified-Since` only without it.
/// A validator of any coding of the same bytes matches.
fn not_modified(doc: &Rendered, request: &HeaderMap) -> bool {
    if let Some(inm) = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let stem = doc.etag.trim_end_matches('"');
        return inm.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| {
            t == "*" || t == doc.etag || t.strip_prefix(stem).is_some_and(|rest| matches!(rest, "-br\"" | "-gzip\""))
        });
    }
    // Any of the three HTTP date forms (RFC 9110 §5.6.7): IMF-fixdate, RFC 850, asctime.
    let since = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v.trim()).ok());
    // HTTP dates have whole seconds; the document's time may have a fraction.
    let modified = doc.last_modified.map(httpdate::HttpDate::from).map(std::time::SystemTime::from);
    matches!((since, modified), (Some(s), Some(m)) if m <= s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }

    #[test]
    fn encoding_follows_accept_encoding() {
        let enc = |v: &str| choose_encoding(&with(header::ACCEPT_ENCODING, v));
        assert_eq!(enc("gzip, deflate, br"), Some("br"));
        assert_eq!(enc("gzip"), Some("gzip"));
        assert_eq!(enc("br;q=0, gzip;q=0.5"), Some("gzip"));
        assert_eq!(enc("identity"), None);
        assert_eq!(choose_encoding(&HeaderMap::new()), None);
        assert_eq!(enc("*"), Some("br"));
        // An explicit refusal is not overridden by the wildcard.
        assert_eq!(enc("br;q=0, gzip;q=0, *"), None);
        assert_eq!(enc("br;q=0, *"), Some("gzip"));
        assert_eq!(enc("*;q=0"), None);
        assert_eq!(enc("gzip;q=garbage"), None);
    }

    #[test]
    fn if_modified_since_reads_all_three_http_date_forms() {
        let modified = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let doc = Rendered::new(b"x".to_vec(), "text/plain", Some(modified), 60);
        for form in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            assert!(not_modified(&doc, &with(header::IF_MODIFIED_SINCE, form)), "{form}");
        }
        assert!(!not_modified(&doc, &with(header::IF_MODIFIED_SINCE, "Sun, 06 Nov 1994 08:49:36 GMT")));
        assert!(!not_modified(&doc, &with(header::IF_MODIFIED_SINCE, "yesterday")));
    }

    #[test]
    fn if_none_match_matches_every_representation_and_wins_over_dates() {
        let doc = Rendered::new(b"x".to_vec(), "text/plain", Some(std::time::SystemTime::UNIX_EPOCH), 60);
        let gz = doc.headers.etags[1].to_str().unwrap().to_string();
        assert!(not_modified(&doc, &with(header::IF_NONE_MATCH, &gz)));
        assert!(not_modified(&doc, &with(header::IF_NONE_MATCH, &format!("\"other\", W/{}", doc.etag))));
        let mut both = with(header::IF_NONE_MATCH, "\"other\"");
        both.insert(header::IF_MODIFIED_SINCE, "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap());
        assert!(!not_modified(&doc, &both));
    }
}
