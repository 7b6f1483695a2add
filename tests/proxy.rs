//! Issue 13: the reverse-proxy snippets in `docs/` work as shipped. nginx (TLS in front of
//! bantin, and serving `output_dir` with gzip_static) and Caddy, from their Debian packages,
//! run on loopback with each snippet's placeholders replaced by test addresses; feeds, 304s,
//! `Vary` and the page negotiation pass through.

mod common;

use std::path::Path;
use std::process::Child;

use common::command;

use bantin::sample::SamplePortal;
use common::Install;
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};

const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs");
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// A server process, stopped when the test ends however it ends: SIGTERM, so nginx's master
/// stops its workers (killed, it would leave them holding the test's output open).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            common::signal(&self.0, libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

/// A client that shows the coding the server chose instead of undoing it.
fn raw_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().no_gzip().no_brotli().no_deflate()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_for(port: u16, server: &mut Running, log: &Path) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("server exited ({status}): {}", std::fs::read_to_string(log).unwrap_or_default());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("nothing listens on {port}: {}", std::fs::read_to_string(log).unwrap_or_default());
}

/// nginx with `site` as its one server, its files in `dir`.
async fn nginx(dir: &Path, site: &str, port: u16) -> Running {
    let conf = dir.join("nginx.conf");
    let d = dir.display();
    std::fs::write(
        &conf,
        format!(
            "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             # Root in CI: workers read the test's private temporary directory.\nuser root;\n\
             events {{}}\nhttp {{\n include /etc/nginx/mime.types;\n access_log off;\n\
             client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n{site}\n}}\n"
        ),
    )
    .unwrap();
    // `-e`: the log nginx opens before it reads the config is the test's too, not the system's.
    let child = command("/usr/sbin/nginx")
        .args(["-p", &d.to_string(), "-e", &format!("{d}/error.log"), "-c", conf.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap())
        .spawn()
        .expect("nginx runs (scripts/test-setup.sh installs it)");
    let mut running = Running(child);
    wait_for(port, &mut running, &dir.join("error.log")).await;
    running
}

async fn bantin() -> (SamplePortal, Install, url::Url) {
    common::scraped_sample(50).await
}

/// Through the proxy at `front`: the feed with its validators and `Vary`, a 304, a browser's
/// page, compression.
async fn passes_through(client: &reqwest::Client, front: &url::Url) {
    let url = front.join("feeds/sample.rss").unwrap();
    let feed = client.get(url.clone()).header(ACCEPT, "application/rss+xml").send().await.unwrap();
    assert_eq!(feed.status(), 200);
    assert_eq!(feed.headers()[CONTENT_TYPE], "application/rss+xml; charset=utf-8");
    assert_eq!(feed.headers()[VARY], "Accept, Accept-Encoding, Accept-Language");
    let etag = feed.headers()[ETAG].to_str().unwrap().to_string();
    assert!(feed.text().await.unwrap().contains("<rss"));
    let again = client.get(url.clone()).header(ACCEPT, "application/rss+xml").header(IF_NONE_MATCH, &etag);
    assert_eq!(again.send().await.unwrap().status(), 304);
    let page = client.get(url.clone()).header(ACCEPT, BROWSER).send().await.unwrap();
    assert_eq!(page.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let gzip = client.get(url).header(ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_with_tls_in_front_of_bantin() {
    let (_portal, _install, base) = bantin().await;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = command("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .args(["-keyout", key.to_str().unwrap(), "-out", cert.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let port = free_port();
    let site = std::fs::read_to_string(format!("{DOCS}/nginx/bantin-proxy.conf"))
        .unwrap()
        .replace("listen 443 ssl", &format!("listen 127.0.0.1:{port} ssl"))
        .replace("/etc/ssl/certs/feeds.example.vn.pem", cert.to_str().unwrap())
        .replace("/etc/ssl/private/feeds.example.vn.key", key.to_str().unwrap())
        .replace("127.0.0.1:8080", base.host_str().map(|h| format!("{h}:{}", base.port().unwrap())).unwrap().as_str());
    let _nginx = nginx(dir.path(), &site, port).await;
    let client = raw_client().danger_accept_invalid_certs(true).build().unwrap();
    passes_through(&client, &url::Url::parse(&format!("https://localhost:{port}/")).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_serving_the_static_files_with_gzip_static() {
    let (_portal, install, _base) = bantin().await;
    let out_dir = install.path("www");
    let exported = install.cli(&["export", "--out", out_dir.to_str().unwrap()]).await;
    assert!(exported.status.success(), "{}", common::stderr(&exported));
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let site = std::fs::read_to_string(format!("{DOCS}/nginx/bantin-static.conf"))
        .unwrap()
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace("/var/www/bantin", out_dir.to_str().unwrap());
    let _nginx = nginx(dir.path(), &site, port).await;
    let client = raw_client().build().unwrap();
    let front = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let url = front.join("feeds/sample.rss").unwrap();
    let plain = client.get(url.clone()).header(ACCEPT_ENCODING, "identity").send().await.unwrap();
    assert_eq!(plain.headers()[CONTENT_TYPE], "application/rss+xml; charset=utf-8");
    let etag = plain.headers()[ETAG].to_str().unwrap().to_string();
    let bytes = plain.bytes().await.unwrap();
    assert!(bytes == std::fs::read(out_dir.join("feeds/sample.rss")).unwrap(), "the exported bytes");
    // The .gz twin as it is, not compressed again.
    let gz = client.get(url.clone()).header(ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
    assert!(gz.bytes().await.unwrap() == std::fs::read(out_dir.join("feeds/sample.rss.gz")).unwrap());
    let again = client.get(url).header(ACCEPT_ENCODING, "identity").header(IF_NONE_MATCH, &etag);
    assert_eq!(again.send().await.unwrap().status(), 304);
    for (path, content_type) in [
        ("feeds/sample.atom", "application/atom+xml; charset=utf-8"),
        ("feeds/sample.json", "application/feed+json; charset=utf-8"),
        ("opml", "text/x-opml; charset=utf-8"),
        ("", "text/html; charset=utf-8"),
    ] {
        let r = client.get(front.join(path).unwrap()).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()[CONTENT_TYPE].to_str().unwrap()), (200, content_type), "/{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caddy_in_front_of_bantin() {
    let (_portal, _install, base) = bantin().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // On loopback without certificates: plain HTTP on a test port, and no admin endpoint.
    let site = std::fs::read_to_string(format!("{DOCS}/caddy/Caddyfile"))
        .unwrap()
        .replace("feeds.example.vn", &format!("http://127.0.0.1:{port}"))
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{}", base.port().unwrap()));
    let caddyfile = dir.path().join("Caddyfile");
    std::fs::write(&caddyfile, format!("{{\n\tadmin off\n\tstorage file_system {}\n}}\n{site}", dir.path().display()))
        .unwrap();
    let log = dir.path().join("caddy.log");
    let child = command("caddy")
        .args(["run", "--adapter", "caddyfile", "--config", caddyfile.to_str().unwrap()])
        .env("HOME", dir.path())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("caddy runs (scripts/test-setup.sh installs it)");
    let mut caddy = Running(child);
    wait_for(port, &mut caddy, &log).await;
    passes_through(&raw_client().build().unwrap(), &url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap())
        .await;
}
