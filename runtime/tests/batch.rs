//! Batches over real TCP against the test server: the seeds' Farm example, request ids,
//! splitting, headers, and what `add` refuses.

mod common;

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use common::*;
use discogen_runtime::http::header::{AUTHORIZATION, IF_MATCH, IF_NONE_MATCH};
use discogen_runtime::http::{HeaderName, Method, StatusCode};
use discogen_runtime::multipart::{self, ResponsePart};
use discogen_runtime::testing::{TestRequest, TestResponse, TestServer};
use discogen_runtime::{Auth, Call, Client, Error, Response, StaticToken};
use serde_json::json;

/// The seeds' Farm server: pony, sheep (If-Match), the list (If-None-Match → 304).
fn farm_handler(request: &TestRequest) -> TestResponse {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/farm/v1/animals/pony") => TestResponse::json(
            200,
            &json!({"kind": "farm#animal", "etag": "etag/pony", "selfLink": "/farm/v1/animals/pony",
                    "animalName": "pony", "animalAge": 34, "peltColor": "white"}),
        )
        .header("etag", "\"etag/pony\""),
        ("PUT", "/farm/v1/animals/sheep") => {
            if request.header("if-match") != Some("\"etag/sheep\"") {
                return TestResponse::google_error(412, "etag mismatch");
            }
            let mut animal = request.json().unwrap();
            animal["kind"] = json!("farm#animal");
            animal["etag"] = json!("etag/sheep");
            TestResponse::json(200, &animal).header("etag", "\"etag/sheep\"")
        }
        ("GET", "/farm/v1/animals")
            if request.header("if-none-match") == Some("\"etag/animals\"") =>
        {
            TestResponse::status(304).header("etag", "\"etag/animals\"")
        }
        ("DELETE", _) => TestResponse::json(200, &json!(null)),
        ("GET", path) if path.starts_with("/farm/v1/animals/") => {
            let name = path.trim_start_matches("/farm/v1/animals/");
            TestResponse::json(200, &json!({"animalName": name}))
        }
        _ => TestResponse::google_error(404, "no such thing"),
    }
}

fn sheep() -> Animal {
    Animal {
        animal_name: Some("sheep".into()),
        animal_age: Some(5),
        pelt_color: Some("green".into()),
        ..Animal::default()
    }
}

#[tokio::test]
async fn farm_example_round_trips_with_both_callbacks() {
    let server = TestServer::start(farm_handler).await;
    let client = farm_client(&server.url(), StaticToken::bearer("farm-token"));
    let events = Mutex::new(Vec::<String>::new());
    let mut pony = None;
    let mut sheep_result = None;
    let mut list_result = None;
    let mut batch = client.new_batch();
    get_animal(&client, "pony")
        .queue(&mut batch, |id, result| {
            events.lock().unwrap().push(format!("call {id}"));
            pony = Some(result);
        })
        .unwrap();
    update_animal(&client, &sheep(), "\"etag/sheep\"")
        .queue_with_id(
            &mut batch,
            "item2:12930812@barnyard.example.com",
            |id, result| {
                events.lock().unwrap().push(format!("call {id}"));
                sheep_result = Some(result);
            },
        )
        .unwrap();
    list_animals(&client, "\"etag/animals\"")
        .queue(&mut batch, |id, result| {
            events.lock().unwrap().push(format!("call {id}"));
            list_result = Some(result);
        })
        .unwrap();
    batch.on_response(|id, result| {
        let what = match result {
            Ok(part) => format!("ok {}", part.status.as_u16()),
            Err(error) => format!("err {error}"),
        };
        events.lock().unwrap().push(format!("batch {id} {what}"));
    });
    let summary = batch.execute().await;

    assert_eq!(
        (summary.succeeded, summary.failed, summary.retried),
        (2, 1, 0)
    );
    assert_eq!(summary.http_requests, 1);
    assert!(summary.unmatched_parts.is_empty());
    let pony = pony.unwrap().unwrap();
    assert_eq!(pony.status, StatusCode::OK);
    assert_eq!(pony.headers["etag"], "\"etag/pony\"");
    assert_eq!(pony.body.animal_name.as_deref(), Some("pony"));
    assert_eq!(pony.body.animal_age, Some(34));
    let sheep = sheep_result.unwrap().unwrap().into_body();
    assert_eq!(sheep.etag.as_deref(), Some("etag/sheep"));
    assert_eq!(sheep.pelt_color.as_deref(), Some("green"));
    match list_result.unwrap() {
        Err(Error::NotModified { headers }) => assert_eq!(headers["etag"], "\"etag/animals\""),
        other => panic!("expected NotModified, got {other:?}"),
    }
    // Per-call callback first, then the batch-wide one, for each call.
    let events = events.into_inner().unwrap();
    assert_eq!(events.len(), 6);
    for pair in events.chunks(2) {
        let id = pair[0].strip_prefix("call ").unwrap();
        assert!(pair[1].starts_with(&format!("batch {id} ")), "{events:?}");
    }
    assert!(events.contains(&"batch 1 ok 200".to_string()), "{events:?}");
    assert!(
        events.contains(&"batch 2 err not modified (HTTP 304)".to_string()),
        "{events:?}"
    );

    // What went over the wire: one POST to the batch URL with the seeds' part layout.
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let outer = &requests[0];
    assert_eq!(
        (outer.method.clone(), outer.path.as_str()),
        (Method::POST, "/batch")
    );
    assert_eq!(outer.header("authorization"), Some("Bearer farm-token"));
    let parts = server.parts();
    let lines: Vec<(String, String, Option<String>)> = parts
        .iter()
        .map(|p| (p.method.to_string(), p.path.clone(), p.request_id()))
        .collect();
    assert_eq!(
        lines,
        [
            (
                "GET".into(),
                "/farm/v1/animals/pony".into(),
                Some("1".into())
            ),
            (
                "PUT".into(),
                "/farm/v1/animals/sheep".into(),
                Some("item2:12930812@barnyard.example.com".into())
            ),
            ("GET".into(), "/farm/v1/animals".into(), Some("2".into())),
        ]
    );
    assert_eq!(parts[1].header("content-type"), Some("application/json"));
    assert_eq!(
        parts[1].json().unwrap(),
        json!({"animalName": "sheep", "animalAge": 5, "peltColor": "green"})
    );
}

#[tokio::test]
async fn request_ids_are_generated_around_taken_ones_and_duplicates_refused() {
    let server = TestServer::start(farm_handler).await;
    let client = farm_client(&server.url(), Auth::None);
    let seen = Mutex::new(Vec::new());
    let mut batch = client.new_batch();
    let record = |id: &str, result: Result<Response<Animal>, Error>| {
        seen.lock()
            .unwrap()
            .push((id.to_owned(), result.unwrap().body.animal_name.unwrap()));
    };
    assert_eq!(
        get_animal(&client, "a")
            .queue_with_id(&mut batch, "2", record)
            .unwrap(),
        "2"
    );
    assert_eq!(
        get_animal(&client, "b").queue(&mut batch, record).unwrap(),
        "1"
    );
    assert_eq!(
        get_animal(&client, "c").queue(&mut batch, record).unwrap(),
        "3"
    );
    let duplicate = get_animal(&client, "d")
        .queue_with_id(&mut batch, "3", record)
        .unwrap_err();
    assert!(
        duplicate
            .to_string()
            .contains("\"3\" is already in the batch"),
        "{duplicate}"
    );
    for (bad, why) in [
        ("", "cannot be empty"),
        ("a\r\nX-Injected: 1", "not printable ASCII at byte 1"),
        ("ünï", "not printable ASCII at byte 0"),
    ] {
        let error = get_animal(&client, "x")
            .queue_with_id(&mut batch, bad, record)
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest(m) if m.contains(why)),
            "{bad:?}: {error}"
        );
    }
    let long = "x".repeat(discogen_runtime::MAX_REQUEST_ID_LEN + 1);
    let error = get_animal(&client, "x")
        .queue_with_id(&mut batch, long, record)
        .unwrap_err();
    assert!(
        error.to_string().contains("longer than the limit of 256"),
        "{error}"
    );
    // Ids with characters that matter in a Content-ID still round-trip.
    get_animal(&client, "e")
        .queue_with_id(&mut batch, "a+b <c>%", record)
        .unwrap();
    assert_eq!(batch.len(), 4);

    let summary = batch.execute().await;
    assert_eq!((summary.succeeded, summary.failed), (4, 0));
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    let expected = [("1", "b"), ("2", "a"), ("3", "c"), ("a+b <c>%", "e")];
    assert_eq!(
        seen,
        expected.map(|(id, name)| (id.to_owned(), name.to_owned()))
    );
    // Refused calls were never sent.
    assert_eq!(server.parts().len(), 4);
}

/// Lets at most `limit` batch requests into the handler at once and records the most seen;
/// each waits until `limit` are inside (or a generous time passes), so that a client that
/// sends more than `limit` at once is caught whatever the timing.
struct ConcurrencyGate {
    limit: usize,
    /// Batch requests the test will send in all: the last ones need not wait for company.
    expected: usize,
    state: Mutex<(usize, usize, std::collections::HashSet<usize>)>,
    changed: Condvar,
}

impl ConcurrencyGate {
    fn enter(&self, batch: usize) {
        let mut state = self.state.lock().unwrap();
        if !state.2.insert(batch) {
            return; // Only a batch's first part waits.
        }
        state.0 += 1;
        state.1 = state.1.max(state.0);
        self.changed.notify_all();
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, Duration::from_secs(5), |s| {
                s.0 < self.limit && s.2.len() < self.expected
            })
            .unwrap();
        // Leaving: the request is answered once its parts are done.
        state.0 -= 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn large_batches_are_split_with_bounded_concurrency() {
    let gate = Arc::new(ConcurrencyGate {
        limit: 2,
        expected: 3,
        state: Mutex::new((0, 0, Default::default())),
        changed: Condvar::new(),
    });
    let server_gate = Arc::clone(&gate);
    let server = TestServer::start(move |request| {
        server_gate.enter(request.batch.unwrap_or(usize::MAX));
        TestResponse::json(200, &json!({"animalName": request.path}))
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let answered = Mutex::new(vec![0u32; 2501]);
    let mut batch = client.new_batch();
    for n in 0..2501 {
        let answered = &answered;
        get_animal(&client, &n.to_string())
            .queue(&mut batch, move |_, result| {
                assert_eq!(
                    result.unwrap().body.animal_name,
                    Some(format!("/farm/v1/animals/{n}"))
                );
                answered.lock().unwrap()[n] += 1;
            })
            .unwrap();
    }
    batch.max_in_flight(2);
    let summary = batch.execute().await;
    assert_eq!(summary.succeeded, 2501);
    assert_eq!(summary.http_requests, 3);
    assert!(answered.into_inner().unwrap().iter().all(|&n| n == 1));
    let mut sizes: Vec<usize> = (0..3)
        .map(|b| server.parts().iter().filter(|p| p.batch == Some(b)).count())
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [501, 1000, 1000]);
    assert_eq!(
        gate.state.lock().unwrap().1,
        2,
        "at most (and here exactly) 2 requests in flight"
    );

    // A smaller cap, as Gmail needs.
    server.clear_records();
    let mut batch = client.new_batch();
    for n in 0..250 {
        get_animal(&client, &n.to_string())
            .queue(&mut batch, |_, r| assert!(r.is_ok()))
            .unwrap();
    }
    batch.max_calls_per_request(100);
    let summary = batch.execute().await;
    assert_eq!((summary.succeeded, summary.http_requests), (250, 3));
    assert_eq!(server.batches_received(), 3);
}

#[tokio::test]
async fn common_headers_go_outside_and_a_calls_own_headers_inside() {
    let server = TestServer::start(farm_handler).await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .auth(StaticToken::bearer("outer-token"))
        .default_header(HeaderName::from_static("x-farm-tenant"), "north")
        .build()
        .unwrap();
    let mut batch = client.new_batch();
    let mut own = get_animal(&client, "pony");
    own.set_header(AUTHORIZATION, "Bearer own-token");
    own.set_header(IF_NONE_MATCH, "\"v1\"");
    own.queue(&mut batch, |_, r| assert!(r.is_ok())).unwrap();
    get_animal(&client, "cow")
        .queue(&mut batch, |_, r| assert!(r.is_ok()))
        .unwrap();
    assert!(batch.execute().await.failed == 0);

    let outer = &server.requests()[0];
    assert_eq!(outer.header("authorization"), Some("Bearer outer-token"));
    assert_eq!(
        outer.header("user-agent"),
        Some(concat!("discogen/", env!("CARGO_PKG_VERSION")))
    );
    assert!(
        outer
            .header("x-goog-api-client")
            .unwrap()
            .contains("discogen")
    );
    assert_eq!(outer.header("x-farm-tenant"), Some("north"));
    assert!(
        outer
            .header("content-type")
            .unwrap()
            .starts_with("multipart/mixed; boundary=")
    );
    // Inside the parts: only the call's own headers.
    let content_type = outer.header("content-type").unwrap();
    let sent = multipart::decode_request(content_type, outer.body.clone()).unwrap();
    assert_eq!(sent[0].headers.len(), 2, "{:?}", sent[0].headers);
    assert_eq!(sent[0].headers["authorization"], "Bearer own-token");
    assert_eq!(sent[0].headers["if-none-match"], "\"v1\"");
    assert!(sent[1].headers.is_empty(), "{:?}", sent[1].headers);
    // As the server applies them: the call's own Authorization wins for that call only.
    let parts = server.parts();
    assert_eq!(parts[0].header("authorization"), Some("Bearer own-token"));
    assert_eq!(parts[1].header("authorization"), Some("Bearer outer-token"));
    assert_eq!(parts[1].header("x-farm-tenant"), Some("north"));
}

#[tokio::test]
async fn api_key_goes_on_the_outer_request_and_reaches_every_part() {
    let server = TestServer::start(farm_handler).await;
    let client = farm_client(&server.url(), Auth::api_key("k&y=1"));
    let mut batch = client.new_batch();
    let mut call = get_animal(&client, "pony");
    call.set_query("fields", "animalName,kind");
    call.set_query_repeated("tag", ["a b", "c&d"]);
    call.queue(&mut batch, |_, r| assert!(r.is_ok())).unwrap();
    batch.execute().await;
    let outer = &server.requests()[0];
    assert_eq!(outer.query, [("key".to_owned(), "k&y=1".to_owned())]);
    let part = &server.parts()[0];
    let query: Vec<(&str, &str)> = part
        .query
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        query,
        [
            ("fields", "animalName,kind"),
            ("tag", "a b"),
            ("tag", "c&d"),
            ("key", "k&y=1")
        ]
    );
}

#[tokio::test]
async fn invalid_calls_are_refused_before_anything_is_sent() {
    let server = TestServer::start(farm_handler).await;
    let client = farm_client(&server.url(), Auth::None);
    let zoo: Client = Client::builder(&ZOO)
        .root_url(server.url())
        .build()
        .unwrap();
    let mut batch = client.new_batch();

    let mut injected = get_animal(&client, "pony");
    injected.set_header(IF_MATCH, "\"x\"\r\nAuthorization: Bearer stolen");
    let error = injected
        .queue(&mut batch, |_, _| panic!("refused calls never run"))
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m.contains("contains CR or LF")),
        "{error}"
    );

    let mut upload = get_animal(&client, "pony");
    upload.set_query("uploadType", "media");
    let error = upload
        .queue(&mut batch, |_, _| panic!("refused calls never run"))
        .unwrap_err();
    assert!(
        error.to_string().contains("media upload cannot be queued"),
        "{error}"
    );

    let mut download = get_animal(&client, "pony");
    download.set_query("alt", "media");
    let error = download
        .queue(&mut batch, |_, _| panic!("refused calls never run"))
        .unwrap_err();
    assert!(error.to_string().contains("media download"), "{error}");

    let other_api: Call<Animal> = Call::new(
        &zoo,
        Method::GET,
        "zoo.animals.get",
        "animals/x".into(),
        &[],
    );
    let error = other_api
        .queue(&mut batch, |_, _| panic!("refused calls never run"))
        .unwrap_err();
    assert!(
        error.to_string().contains("not of this batch's API"),
        "{error}"
    );

    let raw_path: Call<Animal> = Call::new(
        &client,
        Method::GET,
        "farm.animals.get",
        "animals/a b\r\n".into(),
        &[],
    );
    let error = raw_path
        .queue(&mut batch, |_, _| panic!("refused calls never run"))
        .unwrap_err();
    assert!(
        error.to_string().contains("must be percent-encoded"),
        "{error}"
    );

    // The same header injection is refused for a single call too.
    let mut single = get_animal(&client, "pony");
    single.set_header(IF_MATCH, "x\ny");
    assert!(matches!(single.send().await, Err(Error::InvalidRequest(_))));

    assert!(batch.is_empty());
    assert_eq!(batch.execute().await, Default::default());
    assert!(server.requests().is_empty(), "nothing may reach the server");
}

#[tokio::test]
async fn debug_lists_calls_without_secrets() {
    let client = farm_client("http://127.0.0.1:9/", StaticToken::bearer("secret-token"));
    let mut batch = client.new_batch();
    let mut call = get_animal(&client, "pony");
    call.set_header(AUTHORIZATION, "Bearer per-call-secret");
    call.set_header(IF_NONE_MATCH, "\"etag/pony\"");
    call.queue_with_id(&mut batch, "first", |_, _| {}).unwrap();
    let debug = format!("{batch:?}");
    assert!(
        debug.contains("\"first\"") && debug.contains("animals/pony") && debug.contains("GET"),
        "{debug}"
    );
    assert!(debug.contains("etag/pony"), "{debug}");
    assert!(!debug.contains("secret"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(!format!("{client:?}").contains("secret"));
}

/// The futures users hand to `tokio::spawn` must be `Send`.
#[test]
fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = farm_client("http://127.0.0.1:9/", Auth::None);
    let batch = client.new_batch();
    assert_send(&batch.execute());
    assert_send(&get_animal(&client, "x").send());
}

#[tokio::test]
async fn batch_wide_callback_sees_raw_parts_and_decode_errors() {
    let server = TestServer::start(|request| match request.path.as_str() {
        "/farm/v1/animals/broken" => TestResponse::status(200).with_body("{not json"),
        _ => TestResponse::json(200, &json!({"animalName": "ok"})),
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let raw = Mutex::new(Vec::<(String, Result<ResponsePart, String>)>::new());
    let mut broken = None;
    let mut batch = client.new_batch();
    get_animal(&client, "fine")
        .queue(&mut batch, |_, r| assert!(r.is_ok()))
        .unwrap();
    get_animal(&client, "broken")
        .queue(&mut batch, |_, r| broken = Some(r))
        .unwrap();
    delete_animal(&client, "gone")
        .queue(&mut batch, |_, r| assert!(r.is_ok()))
        .unwrap();
    batch.on_response(|id, result| {
        raw.lock()
            .unwrap()
            .push((id.to_owned(), result.cloned().map_err(|e| e.to_string())));
    });
    let summary = batch.execute().await;
    assert_eq!((summary.succeeded, summary.failed), (2, 1));
    match broken.unwrap() {
        Err(Error::Decode { status, body, .. }) => {
            assert_eq!((status.as_u16(), &body[..]), (200, &b"{not json"[..]))
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let mut raw = raw.into_inner().unwrap();
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        &raw[0].1.as_ref().unwrap().body[..],
        br#"{"animalName":"ok"}"#
    );
    assert!(
        raw[1]
            .1
            .as_ref()
            .unwrap_err()
            .contains("cannot decode the 200 OK response body")
    );
    assert_eq!(raw[2].1.as_ref().unwrap().status, StatusCode::OK);
}

#[tokio::test]
async fn the_token_covers_the_scopes_of_the_call_or_of_every_call_in_the_request() {
    let server = TestServer::start(farm_handler).await;
    let token = CountingToken::new();
    let client = farm_client(&server.url(), Auth::Token(token.clone()));
    let _ = list_animals(&client, "\"x\"").send().await;
    let mut batch = client.new_batch();
    list_animals(&client, "\"x\"")
        .queue(&mut batch, |_, _| {})
        .unwrap();
    delete_animal(&client, "cow")
        .queue(&mut batch, |_, _| {})
        .unwrap();
    batch.execute().await;
    let requested = token.requested_scopes.lock().unwrap().clone();
    assert_eq!(
        requested,
        [
            vec![READONLY.to_owned()],
            vec![SCOPE.to_owned(), READONLY.to_owned()]
        ]
    );
    assert_eq!(
        server.requests()[1].header("authorization"),
        Some("Bearer token-0")
    );
}
