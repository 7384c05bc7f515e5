//! Runs the client-side batch work of target 1 a given number of times (default 20), for
//! profilers whose counts are stable on a shared machine:
//! `valgrind --tool=callgrind target/release/examples/client_side 20`.

use discogen_bench::storage_v1::Storage;
use discogen_bench::{batch_of_gets, canned};
use discogen_runtime::bytes::Bytes;
use discogen_runtime::http;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(20, |n| n.parse().expect("a number of rounds"));
    let body = canned::response_body(1000);
    let storage = Storage::builder()
        .transport(move |_request: http::Request<Bytes>| {
            Ok(http::Response::builder()
                .header(http::header::CONTENT_TYPE, canned::CONTENT_TYPE)
                .body(body.clone())?)
        })
        .build()
        .expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    for _ in 0..rounds {
        let (summary, matched) = runtime.block_on(batch_of_gets(&storage, "bucket", 1000));
        assert_eq!((summary.succeeded, matched), (1000, 1000));
    }
}
