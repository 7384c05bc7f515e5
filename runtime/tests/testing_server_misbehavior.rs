//! Each misbehaviour switch of the test server, over real TCP.

use std::time::Duration;

use bytes::Bytes;
use discogen_runtime::http::header::{CONTENT_TYPE, RETRY_AFTER};
use discogen_runtime::http::{HeaderMap, Method, StatusCode};
use discogen_runtime::multipart::{self, DecodedParts, RequestPart, ResponsePart};
use discogen_runtime::testing::{
    BatchFailure, Misbehavior, PartFailure, PartOrder, RawResponse, Stall, TestRequest,
    TestResponse, TestServer,
};

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Answers each part with its own request id as the body.
fn echo_id(request: &TestRequest) -> TestResponse {
    TestResponse::status(200).with_body(request.request_id().unwrap_or_default())
}

fn parts(count: usize) -> Vec<RequestPart> {
    (0..count)
        .map(|i| RequestPart {
            content_id: multipart::content_id("base", &format!("id{i}")),
            method: Method::GET,
            path_and_query: format!("/v1/things/{i}"),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        })
        .collect()
}

async fn send(server: &TestServer, parts: &[RequestPart]) -> reqwest::Response {
    let boundary = multipart::safe_boundary(parts);
    client()
        .post(server.batch_url())
        .header(
            "content-type",
            format!("multipart/mixed; boundary={boundary}"),
        )
        .body(multipart::encode_request(&boundary, parts))
        .send()
        .await
        .unwrap()
}

async fn batch(server: &TestServer, parts: &[RequestPart]) -> DecodedParts<ResponsePart> {
    let response = send(server, parts).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    multipart::decode_response_lenient(&content_type, response.bytes().await.unwrap())
}

/// The bodies (request ids) of the decoded parts, in answer order.
fn bodies(decoded: &DecodedParts<ResponsePart>) -> Vec<String> {
    decoded
        .parts
        .iter()
        .map(|p| String::from_utf8(p.as_ref().unwrap().body.to_vec()).unwrap())
        .collect()
}

fn misbehaving(server: &TestServer, misbehavior: Misbehavior) {
    server.set_misbehavior(misbehavior);
}

#[tokio::test]
async fn reorders_parts() {
    let server = TestServer::start(echo_id).await;
    let sent = parts(6);
    assert_eq!(
        bodies(&batch(&server, &sent).await),
        ["id0", "id1", "id2", "id3", "id4", "id5"]
    );

    misbehaving(
        &server,
        Misbehavior {
            order: PartOrder::Reversed,
            ..Misbehavior::default()
        },
    );
    assert_eq!(
        bodies(&batch(&server, &sent).await),
        ["id5", "id4", "id3", "id2", "id1", "id0"]
    );

    misbehaving(
        &server,
        Misbehavior {
            order: PartOrder::Shuffled { seed: 7 },
            ..Misbehavior::default()
        },
    );
    let shuffled = bodies(&batch(&server, &sent).await);
    assert_eq!(
        shuffled,
        bodies(&batch(&server, &sent).await),
        "the same seed gives the same order"
    );
    let mut expected: Vec<String> = (0..6).map(|i| format!("id{i}")).collect();
    fastrand::Rng::with_seed(7).shuffle(&mut expected);
    assert_eq!(shuffled, expected);
    // Content-IDs travel with their parts.
    for part in batch(&server, &sent).await.parts {
        let part = part.unwrap();
        let id = multipart::decoded_request_id(part.content_id.as_deref().unwrap()).unwrap();
        assert_eq!(id.as_bytes(), &part.body[..]);
    }
}

#[tokio::test]
async fn drops_content_ids() {
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            drop_content_ids: true,
            ..Misbehavior::default()
        })
        .start(echo_id)
        .await;
    let decoded = batch(&server, &parts(3)).await;
    assert_eq!(bodies(&decoded), ["id0", "id1", "id2"]);
    assert!(
        decoded
            .parts
            .iter()
            .all(|p| p.as_ref().unwrap().content_id.is_none())
    );
}

#[tokio::test]
async fn drops_and_duplicates_parts() {
    let server = TestServer::start(echo_id).await;
    misbehaving(
        &server,
        Misbehavior {
            drop_parts: vec![1],
            duplicate_parts: vec![2],
            ..Misbehavior::default()
        },
    );
    let decoded = batch(&server, &parts(4)).await;
    assert_eq!(bodies(&decoded), ["id0", "id2", "id2", "id3"]);
    assert_eq!(
        server.parts().len(),
        4,
        "a dropped answer's request was still received"
    );
}

#[tokio::test]
async fn fails_chosen_parts_for_the_next_batches() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&calls);
    let server = TestServer::start(move |request: &TestRequest| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        echo_id(request)
    })
    .await;
    misbehaving(
        &server,
        Misbehavior {
            fail_parts: vec![
                PartFailure::index(0, 401).for_batches(1),
                PartFailure::request_id("id2", 429)
                    .for_batches(2)
                    .retry_after("3"),
            ],
            ..Misbehavior::default()
        },
    );
    let sent = parts(3);
    let first = batch(&server, &sent).await;
    let statuses: Vec<u16> = first
        .parts
        .iter()
        .map(|p| p.as_ref().unwrap().status.as_u16())
        .collect();
    assert_eq!(statuses, [401, 200, 429]);
    let throttled = first.parts[2].as_ref().unwrap();
    assert_eq!(throttled.headers[RETRY_AFTER], "3");
    let error: serde_json::Value = serde_json::from_slice(&throttled.body).unwrap();
    assert_eq!(error["error"]["status"], "RESOURCE_EXHAUSTED");
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "failed parts never reach the handler"
    );

    // The retry: only the failed calls, in a new batch; id2 fails once more, then succeeds.
    let retry = [sent[0].clone(), sent[2].clone()];
    let second = batch(&server, &retry).await;
    let statuses: Vec<u16> = second
        .parts
        .iter()
        .map(|p| p.as_ref().unwrap().status.as_u16())
        .collect();
    assert_eq!(
        statuses,
        [200, 429],
        "id0 is now at index 0 but its failure is spent"
    );
    let third = batch(&server, &retry).await;
    assert_eq!(bodies(&third), ["id0", "id2"]);
    let spent = server.misbehavior().fail_parts;
    assert!(spent.iter().all(|f| f.batches == Some(0)), "{spent:?}");
}

#[tokio::test]
async fn fails_the_whole_batch() {
    let server = TestServer::start(echo_id).await;
    let failure = BatchFailure::new(503).for_batches(1).retry_after("1");
    misbehaving(
        &server,
        Misbehavior {
            fail_batch: Some(failure),
            ..Misbehavior::default()
        },
    );
    let response = send(&server, &parts(2)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[RETRY_AFTER], "1");
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        server.parts().len(),
        2,
        "the parts were received and recorded"
    );
    assert_eq!(bodies(&batch(&server, &parts(2)).await), ["id0", "id1"]);
}

#[tokio::test]
async fn answers_non_multipart_2xx() {
    let server = TestServer::start(echo_id).await;
    misbehaving(
        &server,
        Misbehavior {
            non_multipart: true,
            ..Misbehavior::default()
        },
    );
    let response = send(&server, &parts(2)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("application/json"));
    let error =
        multipart::decode_response(&content_type, &response.bytes().await.unwrap()).unwrap_err();
    assert!(error.message.contains("not multipart"));
}

#[tokio::test]
async fn leaves_the_boundary_unclosed() {
    let server = TestServer::start(echo_id).await;
    misbehaving(
        &server,
        Misbehavior {
            unclosed_boundary: true,
            ..Misbehavior::default()
        },
    );
    let decoded = batch(&server, &parts(3)).await;
    assert!(decoded.parts[0].is_ok() && decoded.parts[1].is_ok());
    let last = decoded.parts[2].as_ref().unwrap_err();
    assert_eq!(last.content_id.as_deref(), Some("<response-base+id2>"));
    assert!(decoded.error.unwrap().message.contains("closing delimiter"));
}

#[tokio::test]
async fn appends_many_empty_parts() {
    let server = TestServer::start(echo_id).await;
    misbehaving(
        &server,
        Misbehavior {
            empty_parts: 2000,
            ..Misbehavior::default()
        },
    );
    let decoded = batch(&server, &parts(2)).await;
    assert_eq!(decoded.parts.len(), 2002);
    assert_eq!(decoded.error, None);
    assert!(decoded.parts[..2].iter().all(Result::is_ok));
    assert!(
        decoded.parts[2..]
            .iter()
            .all(|p| p.as_ref().is_err_and(|e| e.content_id.is_none()))
    );
}

#[tokio::test]
async fn sends_invalid_utf8_in_part_headers() {
    let server = TestServer::start(echo_id).await;
    misbehaving(
        &server,
        Misbehavior {
            invalid_utf8_header: true,
            ..Misbehavior::default()
        },
    );
    let decoded = batch(&server, &parts(1)).await;
    let part = decoded.parts[0].as_ref().unwrap();
    assert_eq!(part.headers["x-invalid-utf8"].as_bytes(), b"\xff\xfe");
    assert!(part.headers["x-invalid-utf8"].to_str().is_err());
}

#[tokio::test]
async fn cuts_the_body_short() {
    let server = TestServer::start(echo_id).await;
    misbehaving(
        &server,
        Misbehavior {
            cut_body_after: Some(40),
            ..Misbehavior::default()
        },
    );
    let mut response = send(&server, &parts(3)).await;
    assert_eq!(response.status(), StatusCode::OK, "the head arrives whole");
    assert!(
        response.content_length().unwrap() > 40,
        "the full length is declared"
    );
    let mut received = 0;
    let error = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => panic!("the body must not end cleanly"),
            Err(error) => break error,
        }
    };
    assert_eq!(
        received, 40,
        "exactly the bytes before the cut arrive ({error})"
    );
}

#[tokio::test]
async fn content_length_lies_in_both_directions() {
    let server = TestServer::start(echo_id).await;
    misbehaving(
        &server,
        Misbehavior {
            content_length_offset: Some(-10),
            ..Misbehavior::default()
        },
    );
    let response = send(&server, &parts(2)).await;
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    let declared = response.content_length().unwrap() as usize;
    let body = response.bytes().await.unwrap();
    assert_eq!(
        body.len(),
        declared,
        "the client sees the shorter body as whole"
    );
    let decoded = multipart::decode_response_lenient(&content_type, body);
    assert!(decoded.error.unwrap().message.contains("closing delimiter"));

    misbehaving(
        &server,
        Misbehavior {
            content_length_offset: Some(10),
            ..Misbehavior::default()
        },
    );
    let response = send(&server, &parts(2)).await;
    assert!(
        response.bytes().await.is_err(),
        "the connection closes before the declared length"
    );
}

#[tokio::test]
async fn delays_the_answer() {
    let server = TestServer::start(echo_id).await;
    misbehaving(
        &server,
        Misbehavior {
            delay: Some(Duration::from_secs(30)),
            ..Misbehavior::default()
        },
    );
    let slow = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = slow.get(server.url()).send().await.unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(
        server.single_calls_received(),
        1,
        "the request arrived; only the answer waits"
    );
}

#[tokio::test]
async fn stalls_mid_body() {
    let server = TestServer::start(echo_id).await;
    let stall = Stall {
        after_bytes: 25,
        duration: Duration::from_secs(30),
    };
    misbehaving(
        &server,
        Misbehavior {
            stall: Some(stall),
            ..Misbehavior::default()
        },
    );
    let mut response = send(&server, &parts(2)).await;
    let mut received = Vec::new();
    while received.len() < 25 {
        received.extend_from_slice(&response.chunk().await.unwrap().unwrap());
    }
    assert_eq!(received.len(), 25, "exactly the bytes before the stall");
    let next = tokio::time::timeout(Duration::from_millis(200), response.chunk()).await;
    assert!(next.is_err(), "the rest of the body does not come");
}

#[tokio::test]
async fn sends_raw_responses() {
    let server = TestServer::start(echo_id).await;
    let mut raw = RawResponse::new(
        207,
        "multipart/mixed; boundary=\"odd=boundary\"",
        "--odd=boundary--\r\n",
    );
    raw.headers.insert("x-raw", "yes".parse().unwrap());
    misbehaving(
        &server,
        Misbehavior {
            raw_response: Some(raw),
            ..Misbehavior::default()
        },
    );
    for response in [
        send(&server, &parts(1)).await,
        client().get(server.url()).send().await.unwrap(),
    ] {
        assert_eq!(response.status().as_u16(), 207);
        assert_eq!(response.headers()["x-raw"], "yes");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "multipart/mixed; boundary=\"odd=boundary\""
        );
        assert_eq!(
            &response.bytes().await.unwrap()[..],
            b"--odd=boundary--\r\n"
        );
    }
    assert_eq!(
        server.parts().len(),
        1,
        "the batch was still unwrapped and recorded"
    );

    // A raw Content-Length is sent as given, lie included.
    let mut lying = RawResponse::new(200, "application/json", "{\"a\": 1}");
    lying.headers.insert("content-length", "4".parse().unwrap());
    misbehaving(
        &server,
        Misbehavior {
            raw_response: Some(lying),
            ..Misbehavior::default()
        },
    );
    let response = client().get(server.url()).send().await.unwrap();
    assert_eq!(&response.bytes().await.unwrap()[..], b"{\"a\"");
}

#[tokio::test]
async fn retry_after_on_503_for_every_part() {
    let server = TestServer::start(echo_id).await;
    let failure = PartFailure::all(503).retry_after("Wed, 21 Oct 2015 07:28:00 GMT");
    misbehaving(
        &server,
        Misbehavior {
            fail_parts: vec![failure],
            ..Misbehavior::default()
        },
    );
    for _ in 0..2 {
        let decoded = batch(&server, &parts(2)).await;
        for part in decoded.parts {
            let part = part.unwrap();
            assert_eq!(part.status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(part.headers[RETRY_AFTER], "Wed, 21 Oct 2015 07:28:00 GMT");
        }
    }
}
