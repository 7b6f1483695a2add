//! WebSub fan-out: from the moment a changed feed is handed to the hub (the end of a scrape's
//! write path) until 100 subscribers on loopback have each received their delivery (verified,
//! signed with a secret, over HTTP). The subscriber server counts what arrives.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use bantin::config::{Config, FeedDef};
use bantin::store::{Store, Subscription};
use bantin::websub::Hub;
use criterion::{Criterion, criterion_group, criterion_main};
use url::Url;

const SUBSCRIBERS: usize = 100;

fn fan_out(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let received = Arc::new(AtomicUsize::new(0));
    let server = runtime.block_on(async {
        let app = Router::new()
            .route(
                "/cb/{n}",
                post(|State(count): State<Arc<AtomicUsize>>, _body: Bytes| async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    StatusCode::NO_CONTENT
                }),
            )
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    });
    let base = Url::parse("http://127.0.0.1:9/").unwrap();
    let mut config =
        Config::defaults("127.0.0.1:9".parse().unwrap(), dir.path().join("bench.sqlite"), vec![FeedDef::sample(&base)]);
    config.websub.allow_networks = vec![("127.0.0.1".parse().unwrap(), 32)];
    let store = Arc::new(Store::open(&config.database).unwrap());
    let topic = "http://127.0.0.1:9/feeds/backan-sample.atom".to_string();
    for n in 0..SUBSCRIBERS {
        let sub = Subscription {
            callback: format!("http://{server}/cb/{n}"),
            topic: topic.clone(),
            secret: Some(format!("secret-{n}")),
            expires: i64::MAX / 2,
            last_error: None,
        };
        assert!(store.subscribe(&sub, 10_000, 1_000).unwrap());
    }
    let hub = Hub::new(store, &config, Default::default()).unwrap();
    hub.reconfigure(&config.websub, vec![topic.clone()]);
    // A feed page of the size the traffic benchmark serves.
    let body = Bytes::from(vec![b'x'; 300 * 1024]);
    let mut group = c.benchmark_group("websub");
    group.sample_size(20);
    group.bench_function("100-subscribers-delivered", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let before = received.load(Ordering::SeqCst);
                hub.distribute(topic.clone(), "application/atom+xml; charset=utf-8", body.clone()).await;
                while received.load(Ordering::SeqCst) < before + SUBSCRIBERS {
                    tokio::task::yield_now().await;
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, fan_out);
criterion_main!(benches);
