//! The Rust contender of the end-to-end comparison (`tests/bench/compare`, target 3).
//!
//! ```text
//! e2e ROOT_URL BUCKET CALLS RUNS MODE
//! ```
//! MODE is `batch` (all calls in one batch), `sequential` (one by one) or `concurrent:K`
//! (one by one, at most K in flight). Each run builds the calls, sends them and decodes every
//! answer into a typed `Object`; a warm-up run opens the connection first. Prints
//! `{"runs_ms": [...]}`.
//!
//! `e2e --dump-batch-body ROOT_URL BUCKET CALLS FILE` writes the batch request this client
//! sends (its body to FILE, the Content-Type on stdout) without sending it: what curl posts.

use std::time::Instant;

use discogen_bench::storage_v1::Storage;
use discogen_bench::{batch_of_gets, single_gets};
use discogen_runtime::bytes::Bytes;
use discogen_runtime::http;

fn usage() -> ! {
    eprintln!(
        "usage: e2e ROOT_URL BUCKET CALLS RUNS batch|sequential|concurrent:K\n       \
         e2e --dump-batch-body ROOT_URL BUCKET CALLS FILE"
    );
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if args.first().map(String::as_str) == Some("--dump-batch-body") {
        let [_, root, bucket, calls, file] = &args[..] else {
            usage()
        };
        let calls: usize = calls.parse().unwrap_or_else(|_| usage());
        let content_type = runtime.block_on(dump_batch(root, bucket, calls, file));
        println!("{content_type}");
        return;
    }
    let [root, bucket, calls, runs, mode] = &args[..] else {
        usage()
    };
    let calls: usize = calls.parse().unwrap_or_else(|_| usage());
    let runs: usize = runs.parse().unwrap_or_else(|_| usage());
    let storage = Storage::builder()
        .root_url(root.as_str())
        .build()
        .expect("client");
    let run_once = || {
        let start = Instant::now();
        let matched = runtime.block_on(async {
            match mode.as_str() {
                "batch" => {
                    let (summary, matched) = batch_of_gets(&storage, bucket, calls).await;
                    assert_eq!(summary.http_requests, 1, "{summary:?}");
                    matched
                }
                "sequential" => single_gets(&storage, bucket, calls, 1).await.expect("gets"),
                other => {
                    let limit = other
                        .strip_prefix("concurrent:")
                        .and_then(|k| k.parse().ok())
                        .unwrap_or_else(|| usage());
                    single_gets(&storage, bucket, calls, limit)
                        .await
                        .expect("gets")
                }
            }
        });
        let elapsed = start.elapsed();
        assert_eq!(matched, calls, "every call must get its own object");
        elapsed.as_secs_f64() * 1000.0
    };
    run_once();
    let times: Vec<String> = (0..runs).map(|_| format!("{:.3}", run_once())).collect();
    println!("{{\"runs_ms\": [{}]}}", times.join(", "));
}

/// Builds the batch as `batch` mode does, captures the request at the transport and writes
/// its body to `file`. Returns its Content-Type.
async fn dump_batch(root: &str, bucket: &str, calls: usize, file: &str) -> String {
    let captured = std::sync::Arc::new(std::sync::Mutex::new(None));
    let sink = captured.clone();
    let storage = Storage::builder()
        .root_url(root)
        .transport(move |request: http::Request<Bytes>| {
            let content_type = request.headers()[http::header::CONTENT_TYPE]
                .to_str()?
                .to_owned();
            *sink.lock().expect("lock") = Some((content_type, request.into_body()));
            Ok(http::Response::builder().status(503).body(Bytes::new())?)
        })
        .retry(discogen_runtime::RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        })
        .build()
        .expect("client");
    batch_of_gets(&storage, bucket, calls).await;
    let (content_type, body) = captured
        .lock()
        .expect("lock")
        .take()
        .expect("a batch request");
    std::fs::write(file, &body).unwrap_or_else(|error| panic!("{file}: {error}"));
    content_type
}
