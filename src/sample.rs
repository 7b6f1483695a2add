//! The bundled sample portal: the fixture site of `tests/fixtures/publishing-portal`, compiled
//! into the binary and served on 127.0.0.1, so the demo and the tests scrape a real HTTP server
//! without any network. It logs every request, so tests can count what a scrape cost.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};
use tokio::sync::oneshot;
use url::Url;

static SITE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests/fixtures/publishing-portal");
static LISTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests/fixtures/lists");

/// A running sample portal; it stops when dropped.
pub struct SamplePortal {
    addr: SocketAddr,
    state: Shared,
    stop: Option<oneshot::Sender<()>>,
}

/// What the portal does wrong, for tests of the failure policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// List pages come back as article pages: the list block is gone (a redesign).
    ListLayoutChanged,
}

#[derive(Clone, Default)]
struct Shared {
    log: Arc<Mutex<Vec<String>>>,
    fault: Arc<Mutex<Fault>>,
}

impl SamplePortal {
    /// Binds an ephemeral port on 127.0.0.1 and starts serving.
    pub async fn start() -> std::io::Result<SamplePortal> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Shared::default();
        let app = Router::new().fallback(page).with_state(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                tracing::error!(error = %e, "sample portal stopped");
            }
        });
        Ok(SamplePortal { addr, state, stop: Some(stop) })
    }

    /// The portal's home page.
    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}/", self.addr)).expect("socket address makes a URL")
    }

    /// Every request so far, as `METHOD /path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.state.log.lock().expect("log lock").clone()
    }

    /// From now on, answer with `fault`.
    pub fn set_fault(&self, fault: Fault) {
        *self.state.fault.lock().expect("fault lock") = fault;
    }
}

impl Drop for SamplePortal {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn page(State(state): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_ascii_lowercase();
    let query = parts.uri.query().unwrap_or_default().to_string();
    state.log.lock().expect("log lock").push(format!("{} {}", parts.method, parts.uri));
    let fault = *state.fault.lock().expect("fault lock");
    let param = |source: &str, key: &str| {
        url::form_urlencoded::parse(source.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.into_owned())
    };
    let list_page = |n: String| match fault {
        Fault::ListLayoutChanged => (&SITE, "article-12345.html".to_string()),
        Fault::None => (&SITE, format!("list-page-{n}.html")),
    };
    let (dir, file) = match (&parts.method, path.as_str()) {
        (&Method::GET | &Method::HEAD, "/" | "/pages/tin-tuc-su-kien.aspx") => {
            list_page(param(&query, "Page").unwrap_or_else(|| "1".into()))
        }
        // The same list paged by ASP.NET postbacks, as many portals do it.
        (&Method::GET | &Method::HEAD, "/pages/tin-postback.aspx") => (&LISTS, "list-postback.html".into()),
        (&Method::POST, "/pages/tin-tuc-su-kien.aspx") => {
            let Ok(form) = axum::body::to_bytes(body, 1 << 20).await else {
                return StatusCode::BAD_REQUEST.into_response();
            };
            let form = String::from_utf8_lossy(&form).into_owned();
            // ASP.NET refuses a postback without the page's view state.
            if param(&form, "__VIEWSTATE").is_none_or(|v| v.is_empty()) {
                return (StatusCode::BAD_REQUEST, "Invalid postback or callback argument").into_response();
            }
            let n = param(&form, "__EVENTARGUMENT").and_then(|a| a.strip_prefix("Page$").map(str::to_string));
            list_page(n.unwrap_or_else(|| "1".into()))
        }
        (&Method::GET | &Method::HEAD, "/pages/chi-tiet-tin-tuc.aspx") => {
            (&SITE, format!("article-{}.html", param(&query, "ItemID").unwrap_or_default()))
        }
        (&Method::GET | &Method::HEAD, "/robots.txt") => {
            return ([(header::CONTENT_TYPE, "text/plain")], "User-agent: *\nDisallow:\n").into_response();
        }
        (&Method::GET | &Method::HEAD, p) if p.ends_with(".jpg") || p.ends_with(".jpeg") || p.ends_with(".png") => {
            (&SITE, "placeholder.jpg".into())
        }
        (&Method::GET | &Method::HEAD, _) => return StatusCode::NOT_FOUND.into_response(),
        _ => return StatusCode::METHOD_NOT_ALLOWED.into_response(),
    };
    // Only plain names reach the lookup: a query value like `../x` finds nothing.
    match dir.get_file(&file).filter(|_| !file.contains('/')) {
        Some(f) if file.ends_with(".jpg") => ([(header::CONTENT_TYPE, "image/jpeg")], f.contents()).into_response(),
        Some(f) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], f.contents()).into_response(),
        None => (StatusCode::NOT_FOUND, "Không tìm thấy trang").into_response(),
    }
}
