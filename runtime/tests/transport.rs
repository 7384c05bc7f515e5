//! A custom `Transport` in place of reqwest: single calls, batches (encoded by the runtime,
//! answered by the transport), downloads, errors and limits — with no server at all.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use discogen_runtime::bytes::Bytes;
use discogen_runtime::http::header::{AUTHORIZATION, CONTENT_TYPE};
use discogen_runtime::http::{self, HeaderMap, Method, StatusCode};
use discogen_runtime::multipart::{self, ResponsePart};
use discogen_runtime::{Client, Error, StaticToken, TransportError};

type Exchange = Result<http::Response<Bytes>, TransportError>;

fn client_with(
    transport: impl Fn(http::Request<Bytes>) -> Exchange + Send + Sync + 'static,
) -> Client {
    Client::builder(&FARM)
        .auth(StaticToken::bearer("t0k"))
        .retry(fast_retry(3))
        .transport(transport)
        .build()
        .unwrap()
}

fn json_response(status: u16, body: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn a_single_call_goes_through_the_transport_with_every_header() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = client_with(move |request| {
        log.lock().unwrap().push((
            request.method().clone(),
            request.uri().to_string(),
            request.headers().clone(),
        ));
        Ok(json_response(
            200,
            r#"{"animalName":"pony","animalAge":"34"}"#,
        ))
    });
    let mut call = get_animal(&client, "pony");
    call.set_query("fields", "animalName");
    let error = call.send().await.unwrap_err();
    // "34" is not an i64 in the test type: the body did reach the decoder.
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let (method, uri, headers) = seen.lock().unwrap().remove(0);
    assert_eq!(method, Method::GET);
    assert_eq!(
        uri,
        "https://farm.googleapis.com/farm/v1/animals/pony?fields=animalName"
    );
    assert_eq!(headers[AUTHORIZATION], "Bearer t0k");
    assert!(headers.contains_key("x-goog-api-client"));

    let ok = client_with(|_| Ok(json_response(200, r#"{"animalName":"pony"}"#)));
    let response = get_animal(&ok, "pony").send().await.unwrap();
    assert_eq!(response.body.animal_name.as_deref(), Some("pony"));
}

#[tokio::test]
async fn retries_and_status_errors_work_over_a_transport() {
    let attempts = Arc::new(Mutex::new(0));
    let count = attempts.clone();
    let client = client_with(move |_| {
        let mut count = count.lock().unwrap();
        *count += 1;
        Ok(match *count {
            1 => json_response(503, r#"{"error":{"code":503,"message":"busy"}}"#),
            _ => json_response(404, r#"{"error":{"code":404,"message":"no pony"}}"#),
        })
    });
    let error = get_animal(&client, "pony").send().await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(error.google_error().unwrap().message, "no pony");
    assert_eq!(*attempts.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_transport_error_and_an_oversized_answer_are_errors() {
    let failing = client_with(|_| Err("connection refused by the test".into()));
    let error = get_animal(&failing, "pony").send().await.unwrap_err();
    match &error {
        Error::Transport(inner) => assert_eq!(inner.to_string(), "connection refused by the test"),
        other => panic!("expected a transport error, got {other:?}"),
    }

    let limited: Client = Client::builder(&FARM)
        .max_response_bytes(10)
        .transport(|_: http::Request<Bytes>| Ok(json_response(200, r#"{"animalName":"pony"}"#)))
        .build()
        .unwrap();
    let error = get_animal(&limited, "pony").send().await.unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 10 }),
        "{error:?}"
    );
}

/// Answers a batch the way a server does: each part by its Content-ID, in reverse order.
fn answer_batch(request: http::Request<Bytes>) -> Exchange {
    let content_type = request.headers()[CONTENT_TYPE].to_str()?.to_owned();
    assert_eq!(request.uri(), "https://farm.googleapis.com/batch");
    assert_eq!(request.method(), Method::POST);
    let parts = multipart::decode_request(&content_type, request.into_body())?;
    let answers: Vec<ResponsePart> = parts
        .iter()
        .rev()
        .map(|part| {
            let name = part.path_and_query.rsplit('/').next().unwrap_or_default();
            let (status, body) = if name == "missing" {
                (
                    StatusCode::NOT_FOUND,
                    r#"{"error":{"code":404}}"#.to_owned(),
                )
            } else {
                (StatusCode::OK, format!(r#"{{"animalName":"{name}"}}"#))
            };
            let id = part.content_id.as_deref().unwrap_or_default();
            ResponsePart {
                content_id: Some(format!("<response-{}", &id[1..])),
                status,
                headers: HeaderMap::new(),
                body: Bytes::from(body),
            }
        })
        .collect();
    let body = multipart::encode_response("answer_boundary", &answers);
    Ok(http::Response::builder()
        .header(CONTENT_TYPE, "multipart/mixed; boundary=answer_boundary")
        .body(Bytes::from(body))?)
}

#[tokio::test]
async fn a_batch_is_encoded_answered_and_decoded_through_the_transport() {
    let client = client_with(answer_batch);
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let mut batch = client.new_batch();
    for name in ["cow", "missing", "hen"] {
        let outcomes = outcomes.clone();
        get_animal(&client, name)
            .queue(&mut batch, move |id, result| {
                let outcome = result.map(|response| response.body.animal_name.unwrap());
                outcomes
                    .lock()
                    .unwrap()
                    .push((id.to_owned(), outcome.map_err(|e| e.status())));
            })
            .unwrap();
    }
    let summary = batch.execute().await;
    assert_eq!((summary.succeeded, summary.failed), (2, 1));
    assert_eq!(summary.http_requests, 1);
    let mut outcomes = outcomes.lock().unwrap().clone();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            ("1".to_owned(), Ok("cow".to_owned())),
            ("2".to_owned(), Err(Some(StatusCode::NOT_FOUND))),
            ("3".to_owned(), Ok("hen".to_owned())),
        ]
    );
}

#[tokio::test]
async fn a_download_over_a_transport_arrives_as_one_chunk() {
    let client = client_with(|request| {
        assert!(request.uri().query().unwrap().contains("alt=media"));
        Ok(http::Response::new(Bytes::from_static(b"moo")))
    });
    let mut stream = get_animal(&client, "cow")
        .download(false)
        .stream()
        .await
        .unwrap()
        .body;
    assert_eq!(stream.next_chunk().await.unwrap().unwrap(), "moo");
    assert!(stream.next_chunk().await.is_none());
}
