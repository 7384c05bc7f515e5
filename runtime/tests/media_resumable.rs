//! Resumable uploads over real TCP: the session, chunk ranges, and resuming after a `503`, a
//! dropped connection or a 401, with the bytes the server ends up holding checked exactly.

mod common;

use common::media::{Fault, SIMPLE_PATH, UploadStore, insert_photo, media_bytes};
use common::*;
use discogen_runtime::http::Method;
use discogen_runtime::testing::{TestRequest, TestResponse, TestServer};
use discogen_runtime::{Auth, CHUNK_GRANULARITY, Client, Error, Media, StaticToken};
use serde_json::json;

const CHUNK: usize = CHUNK_GRANULARITY;

/// The `Content-Range` of every `PUT`, in order.
fn put_ranges(requests: &[TestRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.method == Method::PUT)
        .map(|r| r.header("content-range").unwrap_or("-").to_owned())
        .collect()
}

fn client_with(server: &TestServer, auth: impl Into<Auth>, attempts: u32) -> Client {
    Client::builder(&FARM)
        .root_url(server.url())
        .auth(auth)
        .retry(fast_retry(attempts))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_session_is_started_with_the_metadata_then_filled_chunk_by_chunk() {
    let store = UploadStore::with_faults(Vec::new());
    let server = store.start_server().await;
    let client = client_with(&server, StaticToken::bearer("t0k"), 4);
    let data = media_bytes(3 * CHUNK + 1000);
    let mut call = insert_photo(&client, &["image/*"], None);
    call.json_body(&json!({"caption": "a pony"}));
    call.set_query("name", "pony.png");
    let response = call
        .upload(Media::new("image/png", data.clone()))
        .resumable()
        .chunk_size(CHUNK)
        .send()
        .await
        .unwrap();
    assert_eq!(response.body.etag.as_deref(), Some("787432"));

    let sessions = store.sessions();
    assert_eq!(sessions.len(), 1);
    let session = &sessions[0];
    assert!(session.data == data, "the server holds exactly the media");
    assert_eq!(session.metadata, Some(json!({"caption": "a pony"})));
    assert_eq!(session.upload_content_type.as_deref(), Some("image/png"));
    assert_eq!(session.upload_content_length.as_deref(), Some("787432"));

    let requests = server.requests();
    let start = &requests[0];
    assert_eq!(start.method, Method::POST);
    // The simple path with uploadType=resumable, as Google's clients (and emulators) use it.
    assert_eq!(start.path, format!("/{SIMPLE_PATH}"));
    assert_eq!(start.query_param("uploadType"), Some("resumable"));
    assert_eq!(start.query_param("name"), Some("pony.png"));
    assert_eq!(
        start.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    assert_eq!(start.header("authorization"), Some("Bearer t0k"));
    assert_eq!(
        put_ranges(&requests),
        [
            "bytes 0-262143/787432",
            "bytes 262144-524287/787432",
            "bytes 524288-786431/787432",
            "bytes 786432-787431/787432",
        ]
    );
    for put in requests.iter().filter(|r| r.method == Method::PUT) {
        assert_eq!(put.query_param("upload_id"), Some("0"));
        assert_eq!(put.header("authorization"), Some("Bearer t0k"));
        assert_eq!(put.header("content-type"), Some("image/png"));
        assert_eq!(
            put.header("content-length"),
            Some(put.body.len().to_string().as_str())
        );
    }
}

#[tokio::test]
async fn a_chunk_answered_503_is_resumed_from_what_the_server_kept() {
    let store = UploadStore::with_faults(vec![(
        2,
        Fault::Status {
            status: 503,
            keep: 1000,
        },
    )]);
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 4);
    let data = media_bytes(3 * CHUNK);
    insert_photo(&client, &[], None)
        .upload(Media::new("application/octet-stream", data.clone()))
        .chunk_size(CHUNK)
        .send()
        .await
        .unwrap();
    assert!(store.sessions()[0].data == data);
    assert_eq!(
        put_ranges(&server.requests()),
        [
            "bytes 0-262143/786432",
            "bytes 262144-524287/786432",
            // What do you hold? 262144 + 1000 bytes.
            "bytes */786432",
            "bytes 263144-525287/786432",
            "bytes 525288-786431/786432",
        ]
    );
}

#[tokio::test]
async fn a_dropped_connection_is_resumed_and_the_bytes_are_exact() {
    let store = UploadStore::with_faults(vec![
        (2, Fault::Drop { keep: 100_000 }),
        (4, Fault::Drop { keep: 0 }),
    ]);
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 4);
    let data = media_bytes(4 * CHUNK + 12_345);
    let response = insert_photo(&client, &[], None)
        .upload(Media::new("application/octet-stream", data.clone()))
        .chunk_size(CHUNK)
        .send()
        .await
        .unwrap();
    assert_eq!(response.body.etag, Some(data.len().to_string()));
    assert!(store.sessions()[0].data == data, "resumed bytes are exact");
    let ranges = put_ranges(&server.requests());
    assert_eq!(
        ranges.iter().filter(|r| r.starts_with("bytes */")).count(),
        2
    );
    assert!(
        ranges.contains(&"bytes 362144-624287/1060921".to_owned()),
        "{ranges:?}"
    );
}

#[tokio::test]
async fn a_last_chunk_whose_answer_was_lost_completes_on_the_status_query() {
    let store = UploadStore::with_faults(vec![(2, Fault::Drop { keep: usize::MAX })]);
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 4);
    let data = media_bytes(CHUNK + 10);
    let response = insert_photo(&client, &[], None)
        .upload(Media::new("image/png", data.clone()))
        .chunk_size(CHUNK)
        .resumable()
        .send()
        .await
        .unwrap();
    assert_eq!(response.body.animal_name.as_deref(), Some("photo"));
    assert!(store.sessions()[0].data == data);
    assert_eq!(
        put_ranges(&server.requests()),
        [
            "bytes 0-262143/262154",
            "bytes 262144-262153/262154",
            "bytes */262154"
        ]
    );
}

#[tokio::test]
async fn a_reader_of_unknown_length_sends_open_ranges_then_the_total() {
    let store = UploadStore::with_faults(Vec::new());
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 4);
    // The end falls on a chunk boundary: the total goes in an empty last request.
    let even = media_bytes(2 * CHUNK);
    insert_photo(&client, &[], None)
        .upload(Media::from_reader(
            "image/png",
            std::io::Cursor::new(even.clone()),
            None,
        ))
        .chunk_size(CHUNK)
        .send()
        .await
        .unwrap();
    let odd = media_bytes(CHUNK + 5);
    insert_photo(&client, &[], None)
        .upload(Media::from_reader(
            "image/png",
            std::io::Cursor::new(odd.clone()),
            None,
        ))
        .chunk_size(CHUNK)
        .send()
        .await
        .unwrap();
    let sessions = store.sessions();
    assert!(sessions[0].data == even && sessions[1].data == odd);
    assert_eq!(sessions[0].upload_content_length, None);
    assert_eq!(
        put_ranges(&server.requests()),
        [
            "bytes 0-262143/*",
            "bytes 262144-524287/*",
            "bytes */524288",
            "bytes 0-262143/*",
            "bytes 262144-262148/262149",
        ]
    );
}

#[tokio::test]
async fn files_and_empty_media_are_uploaded_resumably() {
    let store = UploadStore::with_faults(vec![(
        2,
        Fault::Status {
            status: 500,
            keep: 7,
        },
    )]);
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 4);
    let data = media_bytes(2 * CHUNK + 99);
    let dir = std::env::temp_dir().join(format!("discogen-resumable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("photo.bin");
    std::fs::write(&path, &data).unwrap();
    insert_photo(&client, &[], None)
        .upload(Media::from_file("application/octet-stream", &path))
        .chunk_size(CHUNK)
        .send()
        .await
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    insert_photo(&client, &[], None)
        .upload(Media::new("image/png", Vec::new()))
        .resumable()
        .send()
        .await
        .unwrap();
    let sessions = store.sessions();
    assert!(sessions[0].data == data);
    assert_eq!(sessions[0].upload_content_length.as_deref(), Some("524387"));
    assert!(sessions[1].data.is_empty() && sessions[1].complete);
    assert_eq!(put_ranges(&server.requests()).last().unwrap(), "bytes */0");
}

#[tokio::test]
async fn a_chunk_answered_401_gets_one_token_refresh() {
    let store = UploadStore::with_faults(vec![(
        1,
        Fault::Status {
            status: 401,
            keep: 0,
        },
    )]);
    let server = store.start_server().await;
    let token = CountingToken::new();
    let client = client_with(&server, Auth::Token(token.clone()), 4);
    let data = media_bytes(CHUNK + 1);
    insert_photo(&client, &[], None)
        .upload(Media::new("image/png", data.clone()))
        .chunk_size(CHUNK)
        .send()
        .await
        .unwrap();
    assert_eq!(token.refreshes(), 1);
    assert_eq!(
        *token.refreshed_scopes.lock().unwrap(),
        [vec![SCOPE.to_owned()]]
    );
    let authorizations: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        authorizations,
        [
            "Bearer token-0",
            "Bearer token-0",
            "Bearer token-1",
            "Bearer token-1",
            "Bearer token-1"
        ]
    );
    assert!(store.sessions()[0].data == data);
}

#[tokio::test]
async fn failures_without_progress_end_the_upload_after_the_policy_attempts() {
    let faults = (1..=10)
        .map(|n| {
            (
                n,
                Fault::Status {
                    status: 503,
                    keep: 0,
                },
            )
        })
        .collect();
    let store = UploadStore::with_faults(faults);
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 3);
    let error = insert_photo(&client, &[], None)
        .upload(Media::new("image/png", media_bytes(10)))
        .resumable()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
    let chunks = server
        .requests()
        .iter()
        .filter(|r| r.method == Method::PUT && !r.body.is_empty())
        .count();
    assert_eq!(chunks, 3, "one chunk attempt per allowed attempt");
}

#[tokio::test]
async fn an_expired_session_is_an_api_error_at_once() {
    let store = UploadStore::with_faults(vec![(
        1,
        Fault::Status {
            status: 404,
            keep: 0,
        },
    )]);
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 4);
    let error = insert_photo(&client, &[], None)
        .upload(Media::new("image/png", media_bytes(10)))
        .resumable()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status == 404),
        "{error:?}"
    );
    assert_eq!(
        server.requests().len(),
        2,
        "start and one chunk, nothing more"
    );
}

#[tokio::test]
async fn a_relative_location_is_resolved_and_a_missing_one_is_an_error() {
    let store = UploadStore::with_faults(Vec::new());
    store.set_relative_location();
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 4);
    insert_photo(&client, &[], None)
        .upload(Media::new("image/png", "pony"))
        .resumable()
        .send()
        .await
        .unwrap();
    assert_eq!(store.sessions()[0].data, b"pony");

    let store = UploadStore::with_faults(Vec::new());
    store.set_no_location();
    let server = store.start_server().await;
    let client = client_with(&server, Auth::None, 4);
    let error = insert_photo(&client, &[], None)
        .upload(Media::new("image/png", "pony"))
        .resumable()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::ResumableUpload(m) if m.contains("no Location")),
        "{error}"
    );
}

/// A server that starts a session, then answers every `PUT` with `answer`.
async fn lying_server(answer: TestResponse) -> TestServer {
    TestServer::start(move |request| {
        if request.method == Method::POST {
            TestResponse::status(200).header("location", "/session?upload_id=1")
        } else {
            answer.clone()
        }
    })
    .await
}

#[tokio::test]
async fn protocol_violations_are_reported_not_followed() {
    let cases = [
        (
            TestResponse::status(308).header("range", "bytes=0-999999"),
            "holds 1000000 bytes, but only 10 were sent",
        ),
        (
            TestResponse::status(308).header("range", "bytes=5-9"),
            "not `bytes=0-N`",
        ),
    ];
    for (answer, expected) in cases {
        let server = lying_server(answer).await;
        let client = client_with(&server, Auth::None, 4);
        let error = insert_photo(&client, &[], None)
            .upload(Media::new("image/png", media_bytes(10)))
            .resumable()
            .send()
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
    // "Complete" before the last byte was sent.
    let server = lying_server(TestResponse::json(200, &json!({}))).await;
    let client = client_with(&server, Auth::None, 4);
    let error = insert_photo(&client, &[], None)
        .upload(Media::new("image/png", media_bytes(CHUNK + 1)))
        .chunk_size(CHUNK)
        .resumable()
        .send()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("ended the upload after byte 0"),
        "{error}"
    );
}
