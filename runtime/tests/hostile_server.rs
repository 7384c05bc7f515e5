//! Hostile servers, over TCP, that batch_faults.rs does not already cover: bodies past the size
//! limit (streamed without end, chunked, or declared), more parts than calls (beyond the
//! decoder's part limit too), stalls mid-body under the per-request timeout, Content-Length
//! lies outside and inside the parts, bytes that are not UTF-8 in the outer headers, other
//! 2xx answers that are not multipart, and one Content-ID answered twice with different
//! bodies. Each call's callback still runs exactly once, and each fault fails only the calls
//! it affects. (SECURITY.md lists every hostile input and where it is tested.)

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use discogen_runtime::http::{HeaderName, HeaderValue};
use discogen_runtime::multipart::MAX_PARTS;
use discogen_runtime::testing::{
    Misbehavior, RawResponse, Stall, TestRequest, TestResponse, TestServer,
};
use discogen_runtime::{
    Auth, BatchError, BatchSummary, Client, DEFAULT_MAX_RESPONSE_BYTES, Error, Response,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers every animal with its own name, so a part given to the wrong call shows.
fn echo_name(request: &TestRequest) -> TestResponse {
    let name = request.path.trim_start_matches("/farm/v1/animals/");
    TestResponse::json(200, &json!({"animalName": name}))
}

type Outcome = Result<Response<Animal>, Error>;

/// Queues `get_animal(name)` for each name (ids "1", "2", …), runs the batch, checks that each
/// callback ran exactly once and returns the outcomes in id order.
async fn run(
    client: &Client,
    names: &[&str],
    configure: impl FnOnce(&mut discogen_runtime::Batch<'_>),
) -> (Vec<Outcome>, BatchSummary) {
    let outcomes = Mutex::new(Vec::new());
    let mut batch = client.new_batch();
    for name in names {
        get_animal(client, name)
            .queue(&mut batch, |id, result| {
                outcomes
                    .lock()
                    .unwrap()
                    .push((id.parse::<usize>().unwrap(), result))
            })
            .unwrap();
    }
    configure(&mut batch);
    let summary = batch.execute().await;
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort_by_key(|(id, _)| *id);
    let ids: Vec<usize> = outcomes.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids,
        (1..=names.len()).collect::<Vec<_>>(),
        "each callback exactly once"
    );
    assert_eq!(summary.succeeded + summary.failed, names.len());
    (outcomes.into_iter().map(|(_, o)| o).collect(), summary)
}

fn name_of(outcome: &Outcome) -> &str {
    match outcome {
        Ok(response) => response.body.animal_name.as_deref().unwrap_or("?"),
        Err(error) => panic!("expected an answer, got {error}"),
    }
}

fn batch_error(outcome: &Outcome) -> &BatchError {
    match outcome {
        Err(Error::Batch(error)) => error,
        other => panic!("expected a batch error, got {other:?}"),
    }
}

fn client_for(server: &TestServer) -> Client {
    farm_client(&server.url(), Auth::None)
}

/// A client for `url` that accepts response bodies of at most `limit` bytes.
fn limited_client(url: &str, limit: usize) -> Client {
    Client::builder(&FARM)
        .root_url(url)
        .max_response_bytes(limit)
        .build()
        .unwrap()
}

/// One part of a hand-written answer: `Content-ID` (none when empty) and the inner response.
fn part(content_id: &str, inner: &str) -> String {
    let mut part = String::from("--b0undary\r\nContent-Type: application/http\r\n");
    if !content_id.is_empty() {
        part.push_str(&format!("Content-ID: {content_id}\r\n"));
    }
    part.push_str(&format!("\r\n{inner}\r\n"));
    part
}

fn ok_json(body: &str) -> String {
    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{body}")
}

fn multipart(parts: &[String], close: bool) -> RawResponse {
    let mut body = parts.concat();
    if close {
        body.push_str("--b0undary--\r\n");
    }
    RawResponse::new(200, "multipart/mixed; boundary=b0undary", body)
}

async fn raw_server(response: RawResponse) -> TestServer {
    TestServer::builder()
        .misbehavior(Misbehavior {
            raw_response: Some(response),
            ..Misbehavior::default()
        })
        .start(echo_name)
        .await
}

#[test]
fn the_default_response_limit_is_256_mib() {
    // Documented in SECURITY.md and on ClientBuilder::max_response_bytes.
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 256 * 1024 * 1024);
}

/// A server that answers the first request with a chunked `multipart/mixed` body that never
/// ends: it writes until the client hangs up.
async fn endless_server() -> (String, tokio::task::JoinHandle<u64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        // The request head and body are not needed: read what arrives first, then answer.
        let mut request = vec![0; 64 * 1024];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed; boundary=b0undary\r\n\
                    Transfer-Encoding: chunked\r\n\r\n";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let filler = vec![b'x'; 16 * 1024];
        let chunk = [
            format!("{:x}\r\n", filler.len()).as_bytes(),
            &filler,
            b"\r\n",
        ]
        .concat();
        let mut sent = 0;
        while socket.write_all(&chunk).await.is_ok() {
            sent += filler.len() as u64;
        }
        sent
    });
    (url, task)
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    let (url, server) = endless_server().await;
    let client = limited_client(&url, 256 * 1024);
    let (outcomes, summary) = run(&client, &["a", "b", "c"], |_| {}).await;
    for outcome in &outcomes {
        assert!(
            matches!(outcome, Err(Error::ResponseTooLarge { limit: 262_144 })),
            "{outcome:?}"
        );
    }
    assert_eq!((summary.failed, summary.http_requests), (3, 1));
    // The client hung up soon after the limit: the server could not write much more (the
    // kernel's socket buffers hold a few MB at most).
    let sent = server.await.unwrap();
    assert!(sent < 64 * 1024 * 1024, "{sent} bytes sent");
}

#[tokio::test]
async fn a_chunked_or_declared_body_past_the_limit_fails_single_calls_and_batches() {
    // A batch answer without Content-Length (chunked): stopped while streaming.
    let big_part = ok_json(&format!("{{\"animalName\":\"{}\"}}", "y".repeat(20_000)));
    let server = raw_server(multipart(&[part("", &big_part)], true)).await;
    let client = limited_client(&server.url(), 8192);
    let (outcomes, _) = run(&client, &["a", "b"], |_| {}).await;
    for outcome in &outcomes {
        assert!(
            matches!(outcome, Err(Error::ResponseTooLarge { limit: 8192 })),
            "{outcome:?}"
        );
    }
    // A single call whose answer declares its (too large) Content-Length.
    let big =
        TestServer::start(|_| TestResponse::json(200, &json!({"animalName": "z".repeat(20_000)})))
            .await;
    let single = get_animal(&limited_client(&big.url(), 8192), "a")
        .send()
        .await;
    assert!(
        matches!(single, Err(Error::ResponseTooLarge { limit: 8192 })),
        "{single:?}"
    );
    // Just under the limit is fine.
    let small = get_animal(&limited_client(&big.url(), 20_100), "a")
        .send()
        .await;
    assert_eq!(small.unwrap().body.animal_name.unwrap().len(), 20_000);
}

#[tokio::test]
async fn more_parts_than_calls_are_reported_and_answer_nobody() {
    // With Content-IDs: 200 parts for calls that do not exist.
    let mut parts = vec![
        part("<response-x+2>", &ok_json(r#"{"animalName":"two"}"#)),
        part("<response-x+1>", &ok_json(r#"{"animalName":"one"}"#)),
    ];
    for n in 3..203 {
        parts.push(part(
            &format!("<response-x+{n}>"),
            &ok_json(r#"{"animalName":"intruder"}"#),
        ));
    }
    let server = raw_server(multipart(&parts, true)).await;
    let client = client_for(&server);
    let (outcomes, summary) = run(&client, &["a", "b"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0]), "one");
    assert_eq!(name_of(&outcomes[1]), "two");
    assert_eq!(summary.unmatched_parts.len(), 200);
    assert_eq!(summary.unmatched_parts[0], "<response-x+3>");

    // Without Content-IDs (matched by position): the first parts answer, the rest are reported.
    let parts: Vec<String> = ["one", "two", "three", "four", "five"]
        .iter()
        .map(|name| part("", &ok_json(&format!("{{\"animalName\":\"{name}\"}}"))))
        .collect();
    server.set_misbehavior(Misbehavior {
        raw_response: Some(multipart(&parts, true)),
        ..Misbehavior::default()
    });
    let (outcomes, summary) = run(&client, &["a", "b"], |_| {}).await;
    assert_eq!(
        [name_of(&outcomes[0]), name_of(&outcomes[1])],
        ["one", "two"]
    );
    assert_eq!(
        summary.unmatched_parts,
        [
            "part 2 (no Content-ID)",
            "part 3 (no Content-ID)",
            "part 4 (no Content-ID)"
        ]
    );
}

#[tokio::test]
async fn more_parts_than_the_decoder_accepts_keep_the_real_answers() {
    // The calls' parts first, then more empty parts than MAX_PARTS: the decoder stops at its
    // limit instead of allocating for every part, and the real answers still arrive.
    let mut body = part("<response-x+1>", &ok_json(r#"{"animalName":"one"}"#));
    body.push_str(&part("<response-x+2>", &ok_json(r#"{"animalName":"two"}"#)));
    body.push_str(&"--b0undary\r\n".repeat(MAX_PARTS + 10));
    body.push_str("--b0undary--\r\n");
    let server = raw_server(RawResponse::new(
        200,
        "multipart/mixed; boundary=b0undary",
        body,
    ))
    .await;
    let client = client_for(&server);
    let (outcomes, summary) = run(&client, &["a", "b"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0]), "one");
    assert_eq!(name_of(&outcomes[1]), "two");
    assert!(
        summary.unmatched_parts.len() <= MAX_PARTS,
        "{} unmatched",
        summary.unmatched_parts.len()
    );
}

#[tokio::test]
async fn a_stall_mid_body_hits_the_per_request_timeout_of_batches_and_single_calls() {
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            stall: Some(Stall {
                after_bytes: 10,
                duration: Duration::from_secs(30),
            }),
            ..Misbehavior::default()
        })
        .start(echo_name)
        .await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .timeout(Duration::from_millis(250))
        .build()
        .unwrap();
    let (outcomes, summary) = run(&client, &["a", "b"], |_| {}).await;
    for outcome in &outcomes {
        assert!(
            matches!(outcome, Err(Error::Timeout(d)) if *d == Duration::from_millis(250)),
            "{outcome:?}"
        );
    }
    assert_eq!(summary.retried, 0, "timeouts are not retried");
    let single = get_animal(&client, "a").send().await;
    assert!(
        matches!(single, Err(Error::Timeout(d)) if d == Duration::from_millis(250)),
        "{single:?}"
    );
    // The shorter of the two timeouts wins.
    let (outcomes, _) = run(&client, &["a"], |batch| {
        batch.timeout(Duration::from_millis(100));
    })
    .await;
    assert!(
        matches!(outcomes[0], Err(Error::Timeout(d)) if d == Duration::from_millis(100)),
        "{:?}",
        outcomes[0]
    );
}

#[tokio::test]
async fn an_outer_content_length_longer_than_the_body_is_a_transport_error() {
    // The server declares 80 bytes more than it sends, then closes: the body is incomplete,
    // and no call gets a part read from it.
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            content_length_offset: Some(80),
            ..Misbehavior::default()
        })
        .start(echo_name)
        .await;
    let client = client_for(&server);
    let (outcomes, summary) = run(&client, &["a", "b", "c"], |_| {}).await;
    for outcome in &outcomes {
        assert!(matches!(outcome, Err(Error::Transport(_))), "{outcome:?}");
    }
    assert_eq!(summary.failed, 3);
    let single = get_animal(&client, "a").send().await;
    assert!(matches!(single, Err(Error::Transport(_))), "{single:?}");
}

#[tokio::test]
async fn inner_content_lengths_that_lie_affect_only_their_part() {
    let inner = |length: &str, body: &str| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{body}"
        )
    };
    let server = raw_server(multipart(
        &[
            // Longer than the part: ignored, the delimited body is used.
            part("<response-x+1>", &inner("99999", r#"{"animalName":"one"}"#)),
            // Shorter: the body is cut to it, which here is no longer JSON.
            part("<response-x+2>", &inner("5", r#"{"animalName":"two"}"#)),
            // Not a number, or absurdly large: ignored.
            part("<response-x+3>", &inner("-1", r#"{"animalName":"three"}"#)),
            part(
                "<response-x+4>",
                &inner("184467440737095516160", r#"{"animalName":"four"}"#),
            ),
        ],
        true,
    ))
    .await;
    let client = client_for(&server);
    let (outcomes, summary) = run(&client, &["a", "b", "c", "d"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0]), "one");
    match &outcomes[1] {
        Err(Error::Decode { body, .. }) => assert_eq!(&body[..], br#"{"ani"#),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(name_of(&outcomes[2]), "three");
    assert_eq!(name_of(&outcomes[3]), "four");
    assert_eq!((summary.succeeded, summary.failed), (3, 1));
}

#[tokio::test]
async fn bytes_that_are_not_utf8_in_outer_and_inner_headers_are_carried_not_fatal() {
    let inner = "HTTP/1.1 200 \u{fffd}K\r\nX-Inner: caf\u{e9}\r\nContent-Type: application/json\r\n\r\n{\"animalName\":\"one\"}";
    let mut body = part("<response-x+1>", inner).into_bytes();
    // A part header with raw Latin-1 and invalid UTF-8 bytes.
    body.extend_from_slice(b"--b0undary\r\nContent-Type: application/http\r\nX-Bad: \xff\xfe\r\nContent-ID: <response-x+2>\r\n\r\nHTTP/1.1 200 OK\r\nX-Worse: \xc3\x28\r\n\r\n{\"animalName\":\"two\"}\r\n");
    body.extend_from_slice(b"--b0undary--\r\n");
    let mut response = RawResponse::new(200, "multipart/mixed; boundary=b0undary", body);
    response.headers.insert(
        HeaderName::from_static("x-outer"),
        HeaderValue::from_bytes(b"\xff\xfe\x80 not utf-8").unwrap(),
    );
    let server = raw_server(response).await;
    let client = client_for(&server);
    let (outcomes, _) = run(&client, &["a", "b"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0]), "one");
    assert_eq!(name_of(&outcomes[1]), "two");
    let worse = &outcomes[1].as_ref().unwrap().headers["x-worse"];
    assert_eq!(worse.as_bytes(), b"\xc3\x28");

    // The same bytes in the outer Content-Type: no boundary can be read from it, so every
    // call of the request fails, with an error and no panic.
    let mut response = RawResponse::new(200, "text/plain", "--b0undary--\r\n");
    response.headers.insert(
        discogen_runtime::http::header::CONTENT_TYPE,
        HeaderValue::from_bytes(b"multipart/mixed; boundary=\xff\xfe").unwrap(),
    );
    server.set_misbehavior(Misbehavior {
        raw_response: Some(response),
        ..Misbehavior::default()
    });
    let (outcomes, _) = run(&client, &["a", "b"], |_| {}).await;
    for outcome in &outcomes {
        assert!(
            matches!(
                batch_error(outcome),
                BatchError::Undecodable(_) | BatchError::MissingPart
            ),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn other_2xx_answers_that_are_not_multipart_fail_every_call_of_the_request() {
    let cases = [
        RawResponse::new(200, "text/html", "<html>Sign in</html>"),
        RawResponse::new(204, "application/json", ""),
        RawResponse::new(
            200,
            "multipart/form-data; boundary=b0undary",
            "--b0undary--\r\n",
        ),
    ];
    let server = raw_server(cases[0].clone()).await;
    let client = client_for(&server);
    for case in cases {
        let content_type = case.headers["content-type"].to_str().unwrap().to_owned();
        server.set_misbehavior(Misbehavior {
            raw_response: Some(case),
            ..Misbehavior::default()
        });
        let (outcomes, summary) = run(&client, &["a", "b"], |_| {}).await;
        for outcome in &outcomes {
            let error = batch_error(outcome);
            // multipart/form-data is multipart, but its parts are no answers to these calls.
            assert!(
                matches!(
                    error,
                    BatchError::NotMultipart { .. } | BatchError::MissingPart
                ),
                "{content_type}: {error}"
            );
        }
        assert_eq!(summary.failed, 2, "{content_type}");
    }
    // No Content-Type at all.
    let mut bare = RawResponse::new(200, "text/plain", "{}");
    bare.headers.clear();
    server.set_misbehavior(Misbehavior {
        raw_response: Some(bare),
        ..Misbehavior::default()
    });
    let (outcomes, _) = run(&client, &["a"], |_| {}).await;
    assert!(matches!(
        batch_error(&outcomes[0]),
        BatchError::NotMultipart { content_type } if content_type.is_empty()
    ));
    // multipart/mixed without a boundary parameter.
    server.set_misbehavior(Misbehavior {
        raw_response: Some(RawResponse::new(200, "multipart/mixed", "--b0undary--\r\n")),
        ..Misbehavior::default()
    });
    let (outcomes, _) = run(&client, &["a"], |_| {}).await;
    assert!(
        matches!(batch_error(&outcomes[0]), BatchError::Undecodable(e) if e.message.contains("boundary"))
    );
}

#[tokio::test]
async fn a_content_id_answered_twice_keeps_the_first_and_reports_the_second() {
    let batch_wide = Arc::new(AtomicUsize::new(0));
    let server = raw_server(multipart(
        &[
            part("<response-x+1>", &ok_json(r#"{"animalName":"first"}"#)),
            part("<response-x+2>", &ok_json(r#"{"animalName":"two"}"#)),
            part("<response-x+1>", &ok_json(r#"{"animalName":"second"}"#)),
            // The same id, spelled differently (case, spaces, percent-encoding).
            part(
                "< Response-y + %31 >",
                &ok_json(r#"{"animalName":"third"}"#),
            ),
        ],
        true,
    ))
    .await;
    let client = client_for(&server);
    let (outcomes, summary) = run(&client, &["a", "b"], |batch| {
        let batch_wide = batch_wide.clone();
        batch.on_response(move |_, _| {
            batch_wide.fetch_add(1, Ordering::SeqCst);
        });
    })
    .await;
    assert_eq!(name_of(&outcomes[0]), "first");
    assert_eq!(name_of(&outcomes[1]), "two");
    assert_eq!(
        summary.unmatched_parts,
        ["<response-x+1>", "< Response-y + %31 >"]
    );
    assert_eq!(
        batch_wide.load(Ordering::SeqCst),
        2,
        "the batch-wide callback ran once per call"
    );
    assert_eq!(server.batches_received(), 1);
}
