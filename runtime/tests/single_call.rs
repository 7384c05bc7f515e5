//! Single calls over real TCP: URLs, query, headers, bodies, outcomes, limits (media: media_*.rs).

mod common;

use std::time::Duration;

use common::*;
use discogen_runtime::http::header::{AUTHORIZATION, IF_NONE_MATCH, USER_AGENT};
use discogen_runtime::http::{HeaderName, Method, StatusCode};
use discogen_runtime::testing::{Misbehavior, TestResponse, TestServer};
use discogen_runtime::{Auth, Client, Error, StaticToken};
use serde_json::json;

#[tokio::test]
async fn a_get_is_sent_to_base_url_plus_path_and_decoded() {
    let server = TestServer::start(|_| {
        TestResponse::json(200, &json!({"animalName": "pony", "animalAge": "34"}))
            .header("etag", "\"p\"")
    })
    .await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .auth(StaticToken::bearer("t0k"))
        .default_header(HeaderName::from_static("x-farm-tenant"), "north")
        .build()
        .unwrap();
    let mut call = get_animal(&client, "pony%2Fsmall");
    call.set_query("fields", "animalName,kind");
    call.set_query("fields", "animalName"); // replaces
    call.set_query_repeated("tag", ["a b", "c&d=e", "ü"]);
    call.set_header(USER_AGENT, "my-app/2");
    let response = call.send().await;
    // animalAge "34" is not an i64 in this test type: a decode error that keeps the body.
    match response {
        Err(Error::Decode {
            status,
            body,
            message,
        }) => {
            assert_eq!(status, StatusCode::OK);
            let kept: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(kept["animalAge"], "34");
            assert!(message.contains("invalid type"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let request = &server.requests()[0];
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.path, "/farm/v1/animals/pony%2Fsmall");
    let query: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        query,
        [
            ("fields", "animalName"),
            ("tag", "a b"),
            ("tag", "c&d=e"),
            ("tag", "ü")
        ]
    );
    assert_eq!(request.header("authorization"), Some("Bearer t0k"));
    assert_eq!(request.header("x-farm-tenant"), Some("north"));
    assert_eq!(
        request.header("user-agent"),
        Some("my-app/2"),
        "a call's header overrides the default"
    );
    assert!(
        request
            .header("x-goog-api-client")
            .unwrap()
            .starts_with("gdcl/discogen-")
    );
}

#[tokio::test]
async fn a_json_body_is_sent_with_its_content_type_and_the_answer_decoded() {
    let server = TestServer::start(|request| {
        let mut animal = request.json().unwrap();
        animal["etag"] = json!("etag/sheep");
        TestResponse::json(200, &animal)
    })
    .await;
    let client = farm_client(&server.url(), Auth::api_key("k y"));
    let sheep = Animal {
        animal_name: Some("sheep".into()),
        animal_age: Some(5),
        ..Animal::default()
    };
    let response = update_animal(&client, &sheep, "\"etag/sheep\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.body,
        Animal {
            etag: Some("etag/sheep".into()),
            ..sheep
        }
    );
    let request = &server.requests()[0];
    assert_eq!(request.method, Method::PUT);
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("if-match"), Some("\"etag/sheep\""));
    assert_eq!(
        request.json().unwrap(),
        json!({"animalName": "sheep", "animalAge": 5})
    );
    assert_eq!(request.query_param("key"), Some("k y"));
}

#[tokio::test]
async fn status_outcomes_304_errors_and_empty_bodies() {
    let server = TestServer::start(|request| match request.path.as_str() {
        "/farm/v1/animals" => TestResponse::status(304).header("etag", "\"etag/animals\""),
        "/farm/v1/animals/missing" => {
            TestResponse::google_error(404, "no such animal").header("x-why", "gone")
        }
        "/farm/v1/animals/teapot" => TestResponse::status(418).with_body("<html>not json</html>"),
        "/farm/v1/animals/empty" => TestResponse::status(200),
        "/farm/v1/animals/null" => TestResponse::status(200).with_body("null"),
        "/farm/v1/animals/object" => TestResponse::status(200).with_body("{}"),
        _ => TestResponse::status(204),
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);

    let not_modified = list_animals(&client, "\"etag/animals\"")
        .send()
        .await
        .unwrap_err();
    assert!(not_modified.is_not_modified());
    match &not_modified {
        Error::NotModified { headers } => assert_eq!(headers["etag"], "\"etag/animals\""),
        other => panic!("{other:?}"),
    }

    let missing = get_animal(&client, "missing").send().await.unwrap_err();
    let Error::Api(api) = &missing else {
        panic!("{missing:?}")
    };
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.headers["x-why"], "gone");
    let google = api.error.as_ref().unwrap();
    assert_eq!(
        (google.code, google.message.as_str(), google.status.as_str()),
        (404, "no such animal", "NOT_FOUND")
    );
    assert!(missing.to_string().contains("no such animal"), "{missing}");

    let teapot = get_animal(&client, "teapot").send().await.unwrap_err();
    let Error::Api(api) = &teapot else {
        panic!("{teapot:?}")
    };
    assert_eq!(
        (api.status.as_u16(), &api.body[..], api.error.is_none()),
        (418, &b"<html>not json</html>"[..], true)
    );

    // A struct type decodes an empty body as `{}`.
    let empty = get_animal(&client, "empty").send().await.unwrap();
    assert_eq!(empty.body, Animal::default());
    // `()` ignores whatever the body holds.
    for name in ["empty", "null", "object", "no-content"] {
        let unit = delete_animal(&client, name).send().await;
        assert!(unit.is_ok(), "{name}: {unit:?}");
    }
}

#[tokio::test]
async fn a_single_call_times_out_and_reports_refused_connections() {
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            delay: Some(Duration::from_secs(30)),
            ..Misbehavior::default()
        })
        .start(|_| TestResponse::status(200))
        .await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let error = get_animal(&client, "slow").send().await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout(d) if d == Duration::from_millis(150)),
        "{error:?}"
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = farm_client(&format!("http://{addr}/"), Auth::None);
    let error = get_animal(&client, "pony").send().await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn a_bad_root_url_or_default_header_is_a_build_error() {
    let bad_root = Client::builder(&FARM).root_url("not a url").build();
    assert!(matches!(bad_root, Err(Error::InvalidRequest(m)) if m.contains("invalid base URL")));
    let bad_header = Client::builder(&FARM)
        .default_header(HeaderName::from_static("x-a"), "a\r\nb: c")
        .build();
    assert!(matches!(bad_header, Err(Error::InvalidRequest(_))));
}

#[tokio::test]
async fn per_call_authorization_replaces_the_token_and_is_not_logged() {
    let server = TestServer::start(|_| TestResponse::status(200)).await;
    let client = farm_client(&server.url(), StaticToken::bearer("client-token"));
    let mut call = get_animal(&client, "pony");
    call.set_header(AUTHORIZATION, "Bearer per-call-token");
    call.set_header(IF_NONE_MATCH, "\"x\"");
    assert!(!format!("{call:?}").contains("per-call-token"));
    call.send().await.unwrap();
    let request = &server.requests()[0];
    let values: Vec<_> = request.headers.get_all("authorization").iter().collect();
    assert_eq!(values, ["Bearer per-call-token"]);
}
