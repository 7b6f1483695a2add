//! The HTTP server against clients that hold connections: slow headers (slowloris), idle
//! keep-alive floods, more connections than the cap. Bounded in count and time; the daemon runs
//! as a child process, as in production, so its memory can be read.

mod common;

use std::time::{Duration, Instant};

use bantin::sample::SamplePortal;
use common::Install;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Daemon(std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Daemon {
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

/// `bantin run` on the install's port with these extra top-level settings; returns once ready.
async fn daemon(settings: &str) -> (Install, Daemon, SamplePortal) {
    let portal = SamplePortal::start().await.unwrap();
    let install = Install::new(&portal.url().join("/Pages/tin-tuc-su-kien.aspx").unwrap());
    let config = std::fs::read_to_string(&install.config).unwrap();
    std::fs::write(&install.config, format!("{settings}\n{config}")).unwrap();
    drop(install.take_listener());
    let child = common::bantin()
        .args(["run", "--config", install.config.to_str().unwrap()])
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let daemon = Daemon(child);
    let health = install.base.join("healthz").unwrap();
    let started = Instant::now();
    while reqwest::get(health.clone()).await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the daemon did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (install, daemon, portal)
}

/// How many connections a test may hold, `wanted` or fewer: each is a descriptor in this
/// process and one in the daemon. The soft `RLIMIT_NOFILE` (often 1,024) is raised to the hard
/// limit first, for this process and the daemons it starts; the output says what was done.
fn connections(wanted: usize) -> usize {
    static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let limit = *LIMIT.get_or_init(|| {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit/setrlimit with a valid struct, for this process only.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) }, 0);
        let soft = limit.rlim_cur;
        // An unlimited hard limit is still capped by the kernel's nr_open.
        limit.rlim_cur = limit.rlim_max.min(1 << 20);
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0, "{}", std::io::Error::last_os_error());
        println!("RLIMIT_NOFILE: soft limit {soft} raised to {} (the hard limit {})", limit.rlim_cur, limit.rlim_max);
        limit.rlim_cur
    });
    // Room for the daemon's own files, the store and the test's runtime.
    let budget = usize::try_from(limit.saturating_sub(256)).unwrap_or(usize::MAX);
    if budget < wanted {
        println!("holding {budget} connections instead of {wanted}: {limit} open files at most");
    }
    wanted.min(budget)
}

fn addr(install: &Install) -> String {
    format!("{}:{}", install.base.host_str().unwrap(), install.base.port().unwrap())
}

/// Whether the server closed `stream` (EOF or reset) within `within`.
async fn closed(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // a 408 or similar before the close
        }
    }
}

async fn healthz_in(install: &Install) -> Duration {
    let started = Instant::now();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let status = client.get(install.base.join("healthz").unwrap()).send().await.expect("healthz answers").status();
    assert_eq!(status, 200);
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_and_health_still_answers() {
    let count = connections(1100);
    let (install, _daemon, _portal) = daemon("client_timeout_secs = 2").await;
    let mut slow = Vec::new();
    for _ in 0..count {
        let mut s = TcpStream::connect(addr(&install)).await.unwrap();
        s.write_all(b"GET /feeds/sample.rss HTTP/1.1\r\nHost: x\r\nX-A: ").await.unwrap();
        slow.push(s);
    }
    // 1,100 connections trickling headers (more than a default soft limit of 1,024): everyone
    // else is still served.
    assert!(healthz_in(&install).await < Duration::from_secs(2));
    for s in &mut slow {
        s.write_all(b"a").await.unwrap();
    }
    // The header deadline passes: the server closes them, however they trickle.
    for s in slow.iter_mut().take(50) {
        assert!(closed(s, Duration::from_secs(10)).await, "a slow-header connection was closed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_and_memory_comes_back() {
    let count = connections(5000);
    let (install, daemon, _portal) = daemon("max_connections = 8000\nclient_timeout_secs = 2").await;
    let client = reqwest::Client::new();
    for _ in 0..20 {
        client.get(install.base.join("feeds/sample.rss").unwrap()).send().await.unwrap();
    }
    let before = daemon.rss_kb();
    let mut idle = Vec::new();
    for _ in 0..count {
        idle.push(TcpStream::connect(addr(&install)).await.unwrap());
    }
    assert!(healthz_in(&install).await < Duration::from_secs(2));
    for s in idle.iter_mut().take(20) {
        assert!(closed(s, Duration::from_secs(10)).await, "an idle connection was closed");
    }
    drop(idle);
    // Every connection has timed out by now; give the daemon a moment to free them.
    let started = Instant::now();
    let mut after = daemon.rss_kb();
    while after > before * 6 / 5 && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        after = daemon.rss_kb();
    }
    assert!(after <= before * 6 / 5, "resident {before} kB before {count} idle connections, {after} kB after");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_are_closed_at_once() {
    let (install, _daemon, _portal) = daemon("max_connections = 40\nclient_timeout_secs = 30").await;
    // Forty-five at once, all held for the same two seconds: whichever arrive beyond the cap
    // (a start-up probe may still hold a slot a moment) are closed at once, not queued.
    let mut held = tokio::task::JoinSet::new();
    for _ in 0..45 {
        let mut stream = TcpStream::connect(addr(&install)).await.unwrap();
        held.spawn(async move { closed(&mut stream, Duration::from_secs(2)).await });
    }
    let refused = held.join_all().await.into_iter().filter(|closed| *closed).count();
    assert!(refused >= 5, "at most 40 held: {refused} of 45 closed");
    assert!(healthz_in(&install).await < Duration::from_secs(2), "served again once they leave");
}
