//! Codec throughput (issue 6, target 2): decoding batch responses and encoding batch requests,
//! in bytes per second of the batch body, next to a plain `memchr::memmem` count of the
//! boundary over the same buffer (the practical limit: any decoder must at least find every
//! delimiter).
//!
//! Whatever returns a fresh buffer (`encode_request`, `decode_response`, which copies its input
//! once, and the `copy_into_new_vec` limit) pays the kernel's page faults on that buffer:
//! glibc gives large freed blocks back to the kernel, so each iteration faults its pages in
//! again. That cost, not the codec, bounds those figures; compare them with
//! `copy_into_new_vec`, not with `memmem_boundary_count`.
//!
//! Run with `cargo bench -p discogen-runtime --no-default-features --bench codec`.

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use discogen_runtime::http::header::{CONTENT_TYPE, ETAG, HeaderName, HeaderValue, VARY};
use discogen_runtime::http::{HeaderMap, Method, StatusCode};
use discogen_runtime::multipart::{
    self, RequestPart, ResponsePart, boundary_is_safe, decode_response, decode_response_bytes,
    encode_request, encode_response,
};
use memchr::memmem;

/// The Content-ID base a client would pick for one batch.
const BASE: &str = "batch_3Xq9";
const MB: usize = 1 << 20;
const KB: usize = 1 << 10;

/// A JSON-ish body of exactly `len` bytes: storage object records, as `objects.list` answers,
/// numbered from `first` so that each part's body is distinct (no cache-hot shared source).
fn json_body(len: usize, first: usize) -> Bytes {
    let mut text = String::with_capacity(len + 256);
    text.push_str("{\"kind\":\"storage#objects\",\"items\":[\n");
    let mut n = first;
    while text.len() < len {
        text.push_str(&format!(
            "{{\"kind\":\"storage#object\",\"id\":\"bucket/object-{n:06}/1700000000{n:06}\",\
             \"name\":\"object-{n:06}\",\"bucket\":\"bucket\",\"generation\":\"1700000000{n:06}\",\
             \"contentType\":\"text/plain\",\"size\":\"{}\",\"md5Hash\":\"XrY7u+Ae7tCTyyK7j1rNww==\"}},\n",
            n * 37 % 10_000
        ));
        n += 1;
    }
    text.truncate(len - 2);
    text.push_str("]}");
    Bytes::from(text)
}

/// `parts` answers of `body_len` bytes each, shaped like Google's: Content-ID, `HTTP/1.1 200
/// OK`, Content-Type, ETag, Vary, Content-Length.
fn response_parts(parts: usize, body_len: usize) -> Vec<ResponsePart> {
    (0..parts)
        .map(|i| {
            let mut headers = HeaderMap::new();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=UTF-8"),
            );
            headers.insert(
                ETAG,
                HeaderValue::from_str(&format!("\"CK{i}EAE=\"")).unwrap(),
            );
            headers.insert(VARY, HeaderValue::from_static("Origin"));
            headers.append(VARY, HeaderValue::from_static("X-Origin"));
            ResponsePart {
                content_id: Some(format!("<response-{BASE}+{i}>")),
                status: StatusCode::OK,
                headers,
                body: json_body(body_len, i * body_len / 200),
            }
        })
        .collect()
}

/// A batch response body and its Content-Type.
fn response_body(parts: usize, body_len: usize) -> (String, String, Bytes) {
    let parts = response_parts(parts, body_len);
    let boundary = format!("batch_{}", "Zx81kQ0pW3vN7mB5".repeat(2));
    assert!(multipart::response_boundary_is_safe(&boundary, &parts));
    let body = Bytes::from(encode_response(&boundary, &parts));
    let content_type = format!("multipart/mixed; boundary={boundary}");
    (boundary, content_type, body)
}

/// `objects.get` calls with no body, as the storage client queues them.
fn get_parts(parts: usize) -> Vec<RequestPart> {
    (0..parts)
        .map(|i| RequestPart {
            content_id: multipart::content_id(BASE, &i.to_string()),
            method: Method::GET,
            path_and_query: format!("/storage/v1/b/bucket/o/object-{i:06}?alt=json"),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        })
        .collect()
}

/// `objects.insert`-like calls, each with a JSON body of `body_len` bytes.
fn post_parts(parts: usize, body_len: usize) -> Vec<RequestPart> {
    (0..parts)
        .map(|i| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.insert(
                HeaderName::from_static("x-goog-api-client"),
                HeaderValue::from_static("gl-rust/1.95 gdcl/0.1.0"),
            );
            RequestPart {
                content_id: multipart::content_id(BASE, &i.to_string()),
                method: Method::POST,
                path_and_query: format!("/storage/v1/b/bucket/o?name=object-{i:06}"),
                headers,
                body: json_body(body_len, i * body_len / 200),
            }
        })
        .collect()
}

/// The practical limits beside each codec figure: counting the delimiters with `memmem` (what
/// a decoder must at least do) and copying the body into a fresh `Vec` (what an encoder that
/// returns one contiguous buffer must at least do; for large bodies the kernel's page faults
/// on the fresh allocation dominate).
fn limits(group: &mut BenchmarkGroup<'_, WallTime>, boundary: &str, body: &[u8]) {
    let needle = format!("--{boundary}");
    let finder = memmem::Finder::new(needle.as_bytes());
    group.bench_function("memmem_boundary_count", |b| {
        b.iter(|| finder.find_iter(black_box(body)).count())
    });
    group.bench_function("copy_into_new_vec", |b| b.iter(|| black_box(body).to_vec()));
}

fn decode(c: &mut Criterion) {
    for (name, parts, body_len, samples) in [
        ("decode_100x1MB", 100, MB, 10),
        ("decode_1000x1KB", 1000, KB, 50),
    ] {
        let (boundary, content_type, body) = response_body(parts, body_len);
        // The bench measures what it claims: every part decodes, bodies whole.
        let decoded = decode_response_bytes(&content_type, body.clone()).unwrap();
        assert_eq!(decoded.len(), parts);
        assert!(decoded.iter().all(|p| p.body.len() == body_len));

        let mut group = c.benchmark_group(name);
        group.sample_size(samples);
        group.measurement_time(Duration::from_secs(5));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("decode_response_bytes", |b| {
            b.iter(|| decode_response_bytes(black_box(&content_type), black_box(body.clone())))
        });
        group.bench_function("decode_response", |b| {
            b.iter(|| decode_response(black_box(&content_type), black_box(&body)))
        });
        limits(&mut group, &boundary, &body);
        group.finish();
    }
}

fn encode(c: &mut Criterion) {
    for (name, parts, samples) in [
        ("encode_1000xGET", get_parts(1000), 50),
        ("encode_100x1MB", post_parts(100, MB), 10),
    ] {
        let boundary = multipart::safe_boundary(&parts);
        let body = encode_request(&boundary, &parts);

        let mut group = c.benchmark_group(name);
        group.sample_size(samples);
        group.measurement_time(Duration::from_secs(5));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("encode_request", |b| {
            b.iter(|| encode_request(black_box(&boundary), black_box(&parts)))
        });
        // The executor checks every fresh boundary against the parts before encoding.
        group.bench_function("boundary_is_safe", |b| {
            b.iter(|| boundary_is_safe(black_box(&boundary), black_box(&parts)))
        });
        limits(&mut group, &boundary, &body);
        group.finish();
    }
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
