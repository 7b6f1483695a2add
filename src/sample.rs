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

/// A running sample portal; it stops when dropped.
pub struct SamplePortal {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    stop: Option<oneshot::Sender<()>>,
}

impl SamplePortal {
    /// Binds an ephemeral port on 127.0.0.1 and starts serving.
    pub async fn start() -> std::io::Result<SamplePortal> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new().fallback(page).with_state(log.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                tracing::error!(error = %e, "sample portal stopped");
            }
        });
        Ok(SamplePortal {
            addr,
            log,
            stop: Some(stop),
        })
    }

    /// The portal's home page.
    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}/", self.addr)).expect("socket address makes a URL")
    }

    /// Every request so far, as `METHOD /path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log lock").clone()
    }
}

impl Drop for SamplePortal {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn page(State(log): State<Arc<Mutex<Vec<String>>>>, request: Request) -> Response {
    let uri = request.uri();
    let path = uri.path().to_ascii_lowercase();
    let query = uri.query().unwrap_or_default();
    log.lock()
        .expect("log lock")
        .push(format!("{} {}", request.method(), uri));
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let param = |key: &str| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.into_owned())
    };
    let file = match path.as_str() {
        "/" | "/pages/tin-tuc-su-kien.aspx" => {
            format!("list-page-{}.html", param("Page").unwrap_or_else(|| "1".into()))
        }
        "/pages/chi-tiet-tin-tuc.aspx" => format!("article-{}.html", param("ItemID").unwrap_or_default()),
        "/robots.txt" => return ([(header::CONTENT_TYPE, "text/plain")], "User-agent: *\nDisallow:\n").into_response(),
        p if p.ends_with(".jpg") || p.ends_with(".jpeg") || p.ends_with(".png") => "placeholder.jpg".into(),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    // Only plain names reach the lookup: a query value like `../x` finds nothing.
    match SITE.get_file(&file).filter(|_| !file.contains('/')) {
        Some(f) if file.ends_with(".jpg") => ([(header::CONTENT_TYPE, "image/jpeg")], f.contents()).into_response(),
        Some(f) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], f.contents()).into_response(),
        None => (StatusCode::NOT_FOUND, "Không tìm thấy trang").into_response(),
    }
}
