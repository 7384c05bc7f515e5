//! Target 1 of issue 6: the client-side work of a 1000-call batch, with no network.
//!
//! `batch_1000_gets/client_side` builds 1000 typed `objects.get` calls of the generated
//! storage.v1 client, queues them, executes the batch (encode, hand the body to a
//! [`Transport`](discogen_runtime::Transport) that answers with the canned ~840 KB body,
//! decode, map Content-IDs, deserialize 1000 `Object`s, run 1000 callbacks). The other
//! functions time the steps on their own, to show where the time goes.
//!
//! Run with `cargo bench -p discogen-bench --bench batch`; the Python anchor is
//! `tests/bench/python_client_batch.py` (`tests/bench/compare --only client-side` runs both).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use discogen_bench::storage_v1::{Object, Storage};
use discogen_bench::{batch_of_gets, canned, object_name};
use discogen_runtime::bytes::Bytes;
use discogen_runtime::http;
use discogen_runtime::multipart::decode_response;

const CALLS: usize = 1000;

/// A client whose transport answers every request with the canned batch body.
fn canned_client(body: Bytes) -> Storage {
    Storage::builder()
        .transport(move |_request: http::Request<Bytes>| {
            Ok(http::Response::builder()
                .header(http::header::CONTENT_TYPE, canned::CONTENT_TYPE)
                .body(body.clone())?)
        })
        .build()
        .expect("client")
}

fn client_side(c: &mut Criterion) {
    let body = canned::response_body(CALLS);
    let storage = canned_client(body.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (summary, matched) = runtime.block_on(batch_of_gets(&storage, "bucket", CALLS));
    assert_eq!((summary.succeeded, matched), (CALLS, CALLS), "{summary:?}");

    let mut group = c.benchmark_group("batch_1000_gets");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("client_side", |b| {
        b.iter(|| runtime.block_on(batch_of_gets(&storage, "bucket", CALLS)))
    });
    group.bench_function("build_and_queue", |b| {
        b.iter(|| {
            let mut batch = storage.new_batch();
            let objects = storage.objects();
            for index in 0..CALLS {
                objects
                    .get("bucket", &object_name(index))
                    .queue(&mut batch, |_, result| {
                        black_box(result.is_ok());
                    })
                    .expect("a valid call");
            }
            batch
        })
    });
    group.bench_function("decode_response", |b| {
        b.iter(|| decode_response(canned::CONTENT_TYPE, black_box(&body)).expect("decodes"))
    });
    let parts = decode_response(canned::CONTENT_TYPE, &body).expect("decodes");
    group.bench_function("deserialize_objects", |b| {
        b.iter(|| {
            parts
                .iter()
                .map(|part| serde_json::from_slice::<Object>(&part.body).expect("an Object"))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("deserialize_values", |b| {
        b.iter(|| {
            parts
                .iter()
                .map(|part| serde_json::from_slice::<serde_json::Value>(&part.body).expect("JSON"))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, client_side);
criterion_main!(benches);
