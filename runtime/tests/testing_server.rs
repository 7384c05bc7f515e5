//! The test server over real TCP: the seeds' Farm example, the outer-header rule, single
//! calls, recording, shutdown.

use bytes::Bytes;
use discogen_runtime::http::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use discogen_runtime::http::{HeaderMap, Method, StatusCode};
use discogen_runtime::multipart::{self, RequestPart, ResponsePart};
use discogen_runtime::testing::{TestRequest, TestResponse, TestServer};
use serde_json::json;

const FARM_REQUEST: &str = include_str!("data/farm_batch_request.txt");

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// The Farm API as the seeds' example answers it.
fn farm(request: &TestRequest) -> TestResponse {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/farm/v1/animals/pony") => TestResponse::json(
            200,
            &json!({"kind": "farm#animal", "etag": "etag/pony", "animalName": "pony"}),
        )
        .header(ETAG, "\"etag/pony\""),
        ("PUT", "/farm/v1/animals/sheep") => TestResponse::json(
            200,
            &json!({"kind": "farm#animal", "animalName": "sheep", "animalAge": 5}),
        )
        .header(ETAG, "\"etag/sheep\""),
        ("GET", "/farm/v1/animals")
            if request.header("if-none-match") == Some("\"etag/animals\"") =>
        {
            TestResponse::status(304).header(ETAG, "\"etag/animals\"")
        }
        _ => TestResponse::google_error(404, "no such animal"),
    }
}

async fn post_batch(
    url: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, HeaderMap, Bytes) {
    let response = client()
        .post(url)
        .header("authorization", "Bearer outer")
        .header(CONTENT_TYPE.as_str(), content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.bytes().await.unwrap())
}

fn decode(headers: &HeaderMap, body: Bytes) -> Vec<ResponsePart> {
    let content_type = headers[CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("multipart/mixed; boundary="),
        "{content_type}"
    );
    multipart::decode_response_bytes(content_type, body).unwrap()
}

#[tokio::test]
async fn farm_example_round_trips_through_the_server() {
    let server = TestServer::builder().batch_path("batch").start(farm).await;
    let (status, headers, body) = post_batch(
        &server.batch_url(),
        "multipart/mixed; boundary=batch_foobarbaz",
        FARM_REQUEST,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let parts = decode(&headers, body);
    assert_eq!(parts.len(), 3);
    let ids: Vec<_> = parts
        .iter()
        .map(|p| p.content_id.as_deref().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "<response-item1:12930812@barnyard.example.com>",
            "<response-item2:12930812@barnyard.example.com>",
            "<response-item3:12930812@barnyard.example.com>",
        ]
    );
    let pony: serde_json::Value = serde_json::from_slice(&parts[0].body).unwrap();
    assert_eq!(
        (parts[0].status, &pony["animalName"]),
        (StatusCode::OK, &json!("pony"))
    );
    assert_eq!(parts[1].headers[ETAG], "\"etag/sheep\"");
    assert_eq!(parts[2].status, StatusCode::NOT_MODIFIED);
    assert_eq!(parts[2].headers[ETAG], "\"etag/animals\"");
    assert!(parts[2].body.is_empty());

    let received = server.parts();
    assert_eq!(received.len(), 3);
    assert_eq!(
        (&received[1].method, received[1].header("if-match")),
        (&Method::PUT, Some("\"etag/sheep\""))
    );
    assert!(
        received
            .iter()
            .all(|p| p.header("authorization") == Some("Bearer outer") && p.batch == Some(0))
    );
    assert_eq!(
        (server.batches_received(), server.single_calls_received()),
        (1, 0)
    );
    let outer = &server.requests()[0];
    assert_eq!(
        (outer.path.as_str(), outer.body.len()),
        ("/batch", FARM_REQUEST.len())
    );
}

fn part(request_id: &str, method: Method, path: &str, headers: &[(&str, &str)]) -> RequestPart {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            discogen_runtime::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    RequestPart {
        content_id: multipart::content_id("base", request_id),
        method,
        path_and_query: path.into(),
        headers: map,
        body: Bytes::new(),
    }
}

/// Echoes what the handler saw, so the client can check it.
fn echo(request: &TestRequest) -> TestResponse {
    let headers: serde_json::Map<_, _> = request
        .headers
        .iter()
        .map(|(n, v)| (n.to_string(), json!(String::from_utf8_lossy(v.as_bytes()))))
        .collect();
    TestResponse::json(
        200,
        &json!({"path": request.path, "query": request.query, "headers": headers}),
    )
}

#[tokio::test]
async fn outer_headers_and_query_apply_unless_the_part_overrides() {
    let server = TestServer::start(echo).await;
    let parts = [
        part("a", Method::GET, "/v1/a?fields=own", &[]),
        part(
            "b",
            Method::GET,
            "/v1/b",
            &[("authorization", "Bearer own"), ("if-none-match", "\"e\"")],
        ),
    ];
    let boundary = multipart::safe_boundary(&parts);
    let url = format!("{}?key=k1&fields=outer", server.batch_url());
    let content_type = format!("multipart/mixed; boundary={boundary}");
    let response = client()
        .post(url)
        .header("authorization", "Bearer outer")
        .header("x-goog-api-client", "discogen/test")
        .header("content-type", content_type.as_str())
        .body(multipart::encode_request(&boundary, &parts))
        .send()
        .await
        .unwrap();
    let headers = response.headers().clone();
    let answers = decode(&headers, response.bytes().await.unwrap());
    let seen: Vec<serde_json::Value> = answers
        .iter()
        .map(|a| serde_json::from_slice(&a.body).unwrap())
        .collect();

    assert_eq!(seen[0]["headers"]["authorization"], "Bearer outer");
    assert_eq!(seen[1]["headers"]["authorization"], "Bearer own");
    assert_eq!(seen[1]["headers"]["if-none-match"], "\"e\"");
    assert!(
        seen[0]["headers"]["if-none-match"].is_null(),
        "a part's own header stays in its part"
    );
    for answer in &seen {
        assert_eq!(answer["headers"]["x-goog-api-client"], "discogen/test");
        assert!(
            answer["headers"]["content-type"].is_null(),
            "outer Content-* headers are not applied"
        );
        assert!(answer["headers"]["content-length"].is_null());
    }
    assert_eq!(seen[0]["query"], json!([["fields", "own"], ["key", "k1"]]));
    assert_eq!(
        seen[1]["query"],
        json!([["key", "k1"], ["fields", "outer"]])
    );
    let ids: Vec<_> = server
        .parts()
        .iter()
        .map(|p| p.request_id().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b"]);
}

#[tokio::test]
async fn single_calls_go_to_the_handler_directly() {
    let server = TestServer::start(farm).await;
    let url = format!("{}farm/v1/animals/pony?fields=a%20b&x=1", server.url());
    let response = client()
        .get(url)
        .header("authorization", "Bearer t")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[ETAG], "\"etag/pony\"");
    assert_eq!(
        response.headers()["content-length"],
        response.content_length().unwrap().to_string()
    );
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["animalName"], "pony");

    let missing = client()
        .get(format!("{}farm/v1/animals/wolf", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let error: serde_json::Value = serde_json::from_slice(&missing.bytes().await.unwrap()).unwrap();
    assert_eq!(error["error"]["status"], "NOT_FOUND");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path, "/farm/v1/animals/pony");
    assert_eq!(requests[0].query_param("fields"), Some("a b"));
    assert_eq!(requests[0].header("authorization"), Some("Bearer t"));
    assert_eq!(
        (server.batches_received(), server.single_calls_received()),
        (0, 2)
    );
    assert!(server.parts().is_empty());
    server.clear_records();
    assert!(server.requests().is_empty() && server.single_calls_received() == 0);
}

#[tokio::test]
async fn an_undecodable_batch_is_answered_400() {
    let server = TestServer::start(farm).await;
    let (status, _, body) = post_batch(&server.batch_url(), "application/json", "{}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not multipart"),
        "{error}"
    );
    assert_eq!(server.batches_received(), 1);

    // One bad part is answered 400 in its own part; the others are served.
    let body = "--b\r\nContent-ID: <x+1>\r\n\r\nG(T /x\r\n\r\n--b\r\nContent-ID: <x+2>\r\n\r\nGET /farm/v1/animals/pony\r\n\r\n--b--";
    let (status, headers, body) =
        post_batch(&server.batch_url(), "multipart/mixed; boundary=b", body).await;
    assert_eq!(status, StatusCode::OK);
    let parts = decode(&headers, body);
    assert_eq!(
        (parts[0].status.as_u16(), parts[0].content_id.as_deref()),
        (400, Some("<response-x+1>"))
    );
    assert_eq!(parts[1].status, StatusCode::OK);
}

#[tokio::test]
async fn a_panicking_handler_answers_500() {
    let server = TestServer::start(|request: &TestRequest| match request.path.as_str() {
        "/farm/v1/animals/pony" => farm(request),
        _ => panic!("boom in handler"),
    })
    .await;
    let response = client().get(server.url()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.text().await.unwrap().contains("boom in handler"));

    // In a batch only the part whose handler panicked fails.
    let body = "--b\r\n\r\nGET /farm/v1/animals/pony\r\n\r\n--b\r\n\r\nGET /boom\r\n\r\n--b--";
    let (status, headers, body) =
        post_batch(&server.batch_url(), "multipart/mixed; boundary=b", body).await;
    assert_eq!(status, StatusCode::OK);
    let statuses: Vec<u16> = decode(&headers, body)
        .iter()
        .map(|p| p.status.as_u16())
        .collect();
    assert_eq!(statuses, [200, 500]);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let server = TestServer::start(farm).await;
    let addr = server.addr();
    assert_eq!(server.url(), format!("http://{addr}/"));
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let server = TestServer::start(farm).await;
    let addr = server.addr();
    drop(server);
    // The abort takes effect when the runtime next polls the task; give it a bounded chance.
    let mut refused = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(refused, "the dropped server still accepts connections");
}

#[tokio::test]
async fn conditional_single_call_can_answer_304() {
    let server = TestServer::start(farm).await;
    let response = client()
        .get(format!("{}farm/v1/animals", server.url()))
        .header(IF_NONE_MATCH.as_str(), "\"etag/animals\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(response.headers()[ETAG], "\"etag/animals\"");
}
