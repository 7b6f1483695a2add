//! A fake portal on 127.0.0.1 that records what it sees: when each request arrived, how many
//! were in progress at once (from the request's arrival to the last byte of its answer), and
//! which answers it holds back. A held answer sends its headers and the first half of its body,
//! then waits until the test releases it: the test decides when a body ends, so no test waits
//! on a timer to find out what the client did meanwhile.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{oneshot, watch};

/// What the portal answers to one path.
#[derive(Clone)]
pub struct Reply {
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Send the headers and half the body, then wait for [`Portal::release`].
    pub hold: bool,
}

/// One request as the portal saw it.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// In arrival order, from 0.
    pub id: usize,
    pub path: String,
    pub at: Instant,
    /// Requests in progress when this one arrived, itself included.
    pub in_progress: usize,
    /// Requests for the same path in progress when this one arrived, itself included.
    pub same_path_in_progress: usize,
}

/// What the portal has seen so far.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub arrivals: Vec<Arrival>,
    /// Ids of the requests whose answer is fully written.
    pub done: Vec<usize>,
    pub in_progress: usize,
    pub max_in_progress: usize,
    /// Held answers that have sent their first half.
    pub holding: Vec<usize>,
}

pub struct Portal {
    pub addr: std::net::SocketAddr,
    seen: watch::Sender<Seen>,
    releases: Arc<Mutex<HashMap<usize, oneshot::Sender<()>>>>,
    paths_in_progress: Arc<Mutex<HashMap<String, usize>>>,
}

impl Portal {
    /// Starts a portal that answers each path with `reply(path)` (`None`: 404).
    pub async fn start(reply: impl Fn(&str) -> Option<Reply> + Send + Sync + 'static) -> Arc<Portal> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let portal = Arc::new(Portal {
            addr: listener.local_addr().unwrap(),
            seen: watch::Sender::new(Seen::default()),
            releases: Arc::default(),
            paths_in_progress: Arc::default(),
        });
        let (server, reply) = (portal.clone(), Arc::new(reply));
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                tokio::spawn(server.clone().answer(socket, reply.clone()));
            }
        });
        portal
    }

    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    pub fn seen(&self) -> Seen {
        self.seen.borrow().clone()
    }

    /// Waits until what the portal saw satisfies `ready`; panics after 30 s (a hung test says
    /// what it waited for instead of hanging).
    pub async fn wait_for(&self, what: &str, ready: impl Fn(&Seen) -> bool) -> Seen {
        let mut rx = self.seen.subscribe();
        match tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|s| ready(s))).await {
            Ok(Ok(seen)) => seen.clone(),
            _ => panic!("the portal never saw {what}: {:?}", self.seen()),
        }
    }

    /// Lets the held answer to request `id` finish its body.
    pub fn release(&self, id: usize) {
        if let Some(go) = self.releases.lock().unwrap().remove(&id) {
            let _ = go.send(());
        }
    }

    async fn answer(
        self: Arc<Self>,
        mut socket: tokio::net::TcpStream,
        reply: Arc<impl Fn(&str) -> Option<Reply> + Send + Sync + 'static>,
    ) {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head);
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let same_path = {
            let mut paths = self.paths_in_progress.lock().unwrap();
            let n = paths.entry(path.clone()).or_default();
            *n += 1;
            *n
        };
        let (go, released) = oneshot::channel();
        let mut id = 0;
        self.seen.send_modify(|seen| {
            id = seen.arrivals.len();
            seen.in_progress += 1;
            seen.max_in_progress = seen.max_in_progress.max(seen.in_progress);
            seen.arrivals.push(Arrival {
                id,
                path: path.clone(),
                at: Instant::now(),
                in_progress: seen.in_progress,
                same_path_in_progress: same_path,
            });
        });
        self.releases.lock().unwrap().insert(id, go);
        let reply = reply(&path);
        let (status, content_type, body, hold) = match reply {
            Some(r) => ("200 OK", r.content_type, r.body, r.hold),
            None => ("404 Not Found", "text/plain", b"not here".to_vec(), false),
        };
        let headers = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let half = if hold { body.len() / 2 } else { body.len() };
        let mut ok = socket.write_all(headers.as_bytes()).await.is_ok()
            && socket.write_all(&body[..half]).await.is_ok()
            && socket.flush().await.is_ok();
        if hold && ok {
            self.seen.send_modify(|seen| seen.holding.push(id));
            let _ = released.await;
            ok = socket.write_all(&body[half..]).await.is_ok() && socket.flush().await.is_ok();
        }
        self.releases.lock().unwrap().remove(&id);
        let _ = ok;
        *self.paths_in_progress.lock().unwrap().get_mut(&path).unwrap() -= 1;
        self.seen.send_modify(|seen| {
            seen.in_progress -= 1;
            seen.done.push(id);
            seen.holding.retain(|h| *h != id);
        });
        let _ = socket.shutdown().await;
    }
}

/// An HTML page of about `bytes` bytes.
pub fn html(bytes: usize) -> Vec<u8> {
    let mut page = b"<!doctype html><html><head><title>t</title></head><body>".to_vec();
    while page.len() < bytes {
        page.extend_from_slice("<p>Nội dung bài viết.</p>\n".as_bytes());
    }
    page.extend_from_slice(b"</body></html>");
    page
}
