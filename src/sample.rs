//! The bundled sample portal: the fixture site of `tests/fixtures/publishing-portal`, compiled
//! into the binary and served on 127.0.0.1, so the demo and the tests scrape a real HTTP server
//! without any network. It logs every request, so tests can count what a scrape cost.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};
use tokio::sync::oneshot;
use url::Url;

static SITE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests/fixtures/publishing-portal");
static LISTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests/fixtures/lists");
static FEEDS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests/fixtures/feeds");

/// A running sample portal; it stops when dropped.
pub struct SamplePortal {
    addr: SocketAddr,
    state: Shared,
    stop: Option<oneshot::Sender<()>>,
}

/// What the portal does wrong, for tests of the failure policy. Faults apply to every page
/// (robots.txt aside) until cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// List pages come back as article pages: the list block is gone (a redesign).
    ListLayoutChanged,
    /// Every page answers with this status.
    Status(u16),
    /// 503 with `Retry-After` in seconds.
    ServiceUnavailable { retry_after_secs: u64 },
    /// The server accepts the request and never answers.
    Hang,
    /// The body comes a few bytes at a time, slower than any timeout allows.
    Drip,
    /// The body stops half-way through its declared length and the connection closes.
    Truncated,
    /// Every page redirects to itself.
    RedirectLoop,
    /// A 50 MB body.
    Huge,
    /// Pages in windows-1258 bytes, served as UTF-8: invalid UTF-8.
    InvalidUtf8,
    /// UTF-8 pages whose header declares windows-1258.
    WrongCharset,
    /// Article pages without their Block_BanTin_ViewData web part.
    NoViewData,
    /// robots.txt disallows the portal's pages.
    RobotsDisallow,
    /// Article 12345 was edited after publication: a new title and one more sentence.
    EditedArticle,
    /// Article pages answer 404 (list pages still answer).
    ArticlesGone,
    /// The seed article's ViewData part holds, after a related-news box, a paragraph the
    /// article's region does not reach: text that must be reported, not lost silently.
    LostParagraph,
    /// The seed article's lead image `src` is this (`data:`, `javascript:`, `file:` URLs).
    LeadImageSrc(&'static str),
    /// The seed article's lead image is on another server (an internal address).
    LeadImageOn(SocketAddr),
}

/// What [`Fault::LostParagraph`] adds: a related box, then a paragraph beyond it.
const LOST: &str = "<div><h3>Tin liên quan</h3><ul>\
    <li><a href=\"/Pages/chi-tiet-tin-tuc.aspx?ItemID=12340\">Bắc Kạn đẩy mạnh thu hút đầu tư vào khu công nghiệp</a> (01/04/2024)</li>\
    <li><a href=\"/Pages/chi-tiet-tin-tuc.aspx?ItemID=12341\">Hội nghị xúc tiến đầu tư năm 2024 của tỉnh Bắc Kạn</a> (02/04/2024)</li>\
    </ul></div><div><p>Đoạn văn này đứng sau hộp tin liên quan: phần mềm phải báo rằng nó không thuộc trường nào của bài viết.</p></div>";

#[derive(Clone, Default)]
struct Shared {
    log: Arc<Mutex<Vec<String>>>,
    /// Requests answered 304 Not Modified.
    not_modified: Arc<std::sync::atomic::AtomicUsize>,
    fault: Arc<Mutex<Fault>>,
}

impl SamplePortal {
    /// Binds an ephemeral port on 127.0.0.1 and starts serving.
    pub async fn start() -> std::io::Result<SamplePortal> {
        SamplePortal::start_on("127.0.0.1:0".parse().expect("a socket address")).await
    }

    /// Starts serving on `addr` (a port a test reserved, to start the portal late).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<SamplePortal> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
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

    /// How many requests were answered 304 Not Modified.
    pub fn not_modified(&self) -> usize {
        self.state.not_modified.load(std::sync::atomic::Ordering::SeqCst)
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
    if path == "/robots.txt" {
        let rules = if fault == Fault::RobotsDisallow {
            "User-agent: *\nDisallow: /Pages/\n"
        } else {
            "User-agent: *\nDisallow:\n"
        };
        return ([(header::CONTENT_TYPE, "text/plain")], rules).into_response();
    }
    match fault {
        Fault::Status(code) => {
            return StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR).into_response();
        }
        Fault::ServiceUnavailable { retry_after_secs } => {
            return (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, retry_after_secs.to_string())])
                .into_response();
        }
        Fault::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
        Fault::RedirectLoop => return (StatusCode::FOUND, [(header::LOCATION, parts.uri.to_string())]).into_response(),
        Fault::Huge => return huge(),
        _ => {}
    }
    let param = |source: &str, key: &str| {
        url::form_urlencoded::parse(source.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.into_owned())
    };
    let list_page = |n: String| match fault {
        Fault::ListLayoutChanged => (&SITE, "article-12345.html".to_string()),
        _ => (&SITE, format!("list-page-{n}.html")),
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
        // Feeds other sites publish, for feed sources (`/rss/NAME`, `/rss/quirks/NAME`).
        (&Method::GET | &Method::HEAD, p) if p.starts_with("/rss/") => {
            let name = &parts.uri.path()["/rss/".len()..];
            let plain_path = name.split('/').all(|part| !part.is_empty() && part != "..");
            return match FEEDS.get_file(name).filter(|_| plain_path) {
                Some(f) => ([(header::CONTENT_TYPE, "text/xml")], f.contents()).into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            };
        }
        // Two SharePoint lists sharing item ids through one detail page (`l=` names the list).
        (&Method::GET | &Method::HEAD, "/pages/tin-hai-danh-sach.aspx") => (&LISTS, "two-lists.html".into()),
        (&Method::GET | &Method::HEAD, "/pages/chi-tiet-tin-tuc.aspx") if fault == Fault::ArticlesGone => {
            return (StatusCode::NOT_FOUND, "Không tìm thấy trang").into_response();
        }
        (&Method::GET | &Method::HEAD, "/pages/chi-tiet-tin-tuc.aspx") => match param(&query, "l") {
            Some(list) => (&LISTS, format!("article-{list}-{}.html", param(&query, "ItemID").unwrap_or_default())),
            None => (&SITE, format!("article-{}.html", param(&query, "ItemID").unwrap_or_default())),
        },
        (&Method::GET | &Method::HEAD, p) if p.ends_with(".jpg") || p.ends_with(".jpeg") || p.ends_with(".png") => {
            (&SITE, "placeholder.jpg".into())
        }
        // The portal's icon, where its pages' `<link rel="shortcut icon">` says.
        (&Method::GET | &Method::HEAD, "/style%20library/images/favicon.ico") => (&SITE, "favicon.ico".into()),
        (&Method::GET | &Method::HEAD, _) => return StatusCode::NOT_FOUND.into_response(),
        _ => return StatusCode::METHOD_NOT_ALLOWED.into_response(),
    };
    // Only plain names reach the lookup: a query value like `../x` finds nothing.
    let Some(file_bytes) = dir.get_file(&file).filter(|_| !file.contains('/')).map(|f| f.contents()) else {
        return (StatusCode::NOT_FOUND, "Không tìm thấy trang").into_response();
    };
    if file.ends_with(".jpg") {
        return ([(header::CONTENT_TYPE, "image/jpeg")], file_bytes).into_response();
    }
    if file.ends_with(".ico") {
        return ([(header::CONTENT_TYPE, "image/vnd.microsoft.icon")], file_bytes).into_response();
    }
    let mut html = String::from_utf8_lossy(file_bytes).into_owned();
    if fault == Fault::EditedArticle && file == "article-12345.html" {
        html = html.replace("đạt trên 16%</h1>", "đạt trên 16% (cập nhật)</h1>").replace(
            "ngành công nghiệp Bắc Kạn./.</p>",
            "ngành công nghiệp Bắc Kạn. Năm 2025, tỉnh tiếp tục mục tiêu này./.</p>",
        );
    }
    let lead_image = match fault {
        Fault::LeadImageSrc(src) => Some(src.to_string()),
        Fault::LeadImageOn(addr) => Some(format!("http://{addr}/PictureLibrary/lead.jpg")),
        _ => None,
    };
    if let Some(src) = lead_image.filter(|_| file == "article-12345.html") {
        html = html.replace("/PictureLibrary/9f35456be5aa0969/image003.jpg", &src);
    }
    if fault == Fault::LostParagraph && file == "article-12345.html" {
        // After the element that holds the story, inside the ViewData part.
        html = html.replace(
            "<strong>Thu Cúc</strong></p>\n       </div>",
            &format!("<strong>Thu Cúc</strong></p>\n       </div>{LOST}"),
        );
    }
    if fault == Fault::NoViewData && file.starts_with("article-") {
        html = html.replace("Block_BanTin_ViewData", "Block_BanTin_QuangCao");
    }
    let mut content_type = "text/html; charset=utf-8";
    let body: Vec<u8> = match fault {
        Fault::InvalidUtf8 => encoding_rs::WINDOWS_1258.encode(&html).0.into_owned(),
        Fault::WrongCharset => {
            content_type = "text/html; charset=windows-1258";
            html.into_bytes()
        }
        _ => html.into_bytes(),
    };
    match fault {
        Fault::Drip => return drip(body, content_type),
        Fault::Truncated => {
            // Half the body under the full length, then the connection drops.
            let half = body[..body.len() / 2].to_vec();
            let parts: Vec<Result<Vec<u8>, std::io::Error>> =
                vec![Ok(half), Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "truncated"))];
            let length = body.len().to_string();
            return (
                [(header::CONTENT_TYPE, content_type), (header::CONTENT_LENGTH, length.as_str())],
                Body::from_stream(futures_util::stream::iter(parts)),
            )
                .into_response();
        }
        _ => {}
    }
    // Validators, as IIS sends them, so conditional GET can be counted.
    let etag = format!("\"{:x}\"", body.len() * 31 + body.iter().map(|b| *b as usize).sum::<usize>());
    if parts.headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        state.not_modified.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::ETAG, etag)], body).into_response()
}

/// A body sent 16 bytes at a time, 250 ms apart: a 45 KB page would take 12 minutes.
fn drip(body: Vec<u8>, content_type: &'static str) -> Response {
    let chunks: Vec<Vec<u8>> = body.chunks(16).map(<[u8]>::to_vec).collect();
    let stream = futures_util::stream::unfold(chunks.into_iter(), |mut rest| async move {
        let chunk = rest.next()?;
        tokio::time::sleep(Duration::from_millis(250)).await;
        Some((Ok::<_, std::io::Error>(chunk), rest))
    });
    ([(header::CONTENT_TYPE, content_type)], Body::from_stream(stream)).into_response()
}

/// 50 MB of text in 64 KB chunks, without a declared length.
fn huge() -> Response {
    const CHUNK: usize = 64 * 1024;
    let stream = futures_util::stream::unfold(0usize, |sent| async move {
        (sent < 50 * 1024 * 1024).then(|| (Ok::<_, std::io::Error>(vec![b'a'; CHUNK]), sent + CHUNK))
    });
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], Body::from_stream(stream)).into_response()
}
