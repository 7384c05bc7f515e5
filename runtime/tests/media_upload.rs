//! One-request uploads (simple and multipart) over real TCP, the checks made before anything
//! is sent, media sources, and which protocol an upload picks.

mod common;

use common::media::{RESUMABLE_PATH, SIMPLE_PATH, UploadStore, insert_photo, media_bytes};
use common::*;
use discogen_runtime::http::Method;
use discogen_runtime::testing::{TestResponse, TestServer};
use discogen_runtime::{
    Auth, CHUNK_GRANULARITY, Call, DEFAULT_CHUNK_SIZE, Error, Media, MediaUpload, UploadProtocol,
};
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n--not-a-boundary\r\n";

#[tokio::test]
async fn uploads_are_simple_without_metadata_and_multipart_with_it() {
    let server =
        TestServer::start(|_| TestResponse::json(200, &json!({"animalName": "photo"}))).await;
    let client = farm_client(&server.url(), Auth::api_key("k"));

    let simple = insert_photo(&client, &["image/*"], Some(1024))
        .upload(Media::new("image/png", PNG))
        .send()
        .await
        .unwrap();
    assert_eq!(simple.body.animal_name.as_deref(), Some("photo"));
    let request = &server.requests()[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", format!("/{SIMPLE_PATH}").as_str())
    );
    assert_eq!(request.query_param("uploadType"), Some("media"));
    assert_eq!(request.query_param("key"), Some("k"));
    assert_eq!(request.header("content-type"), Some("image/png"));
    assert_eq!(&request.body[..], PNG);

    let mut with_metadata = insert_photo(&client, &["image/*"], None);
    with_metadata.set_query("uploadType", "resumable");
    with_metadata.json_body(&json!({"caption": "a pony"}));
    with_metadata
        .upload(Media::new("image/png", PNG))
        .send()
        .await
        .unwrap();
    let request = &server.requests()[1];
    let upload_types: Vec<&str> = request
        .query
        .iter()
        .filter(|(n, _)| n == "uploadType")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(upload_types, ["multipart"]);
    let content_type = request.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/related; boundary=")
        .unwrap();
    let mut expected = format!(
        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"caption\":\"a pony\"}}\r\n--{boundary}\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(PNG);
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert_eq!(&request.body[..], &expected[..]);

    // A generated builder always carries its request body; the empty object is no metadata.
    let mut empty_metadata = insert_photo(&client, &["image/*"], None);
    empty_metadata.json_body(&json!({}));
    empty_metadata
        .upload(Media::new("image/png", PNG))
        .send()
        .await
        .unwrap();
    let request = &server.requests()[2];
    assert_eq!(request.query_param("uploadType"), Some("media"));
    assert_eq!(request.header("content-type"), Some("image/png"));
    assert_eq!(&request.body[..], PNG);
}

#[tokio::test]
async fn uploads_outside_accept_or_max_size_are_refused_before_sending() {
    let server = TestServer::start(|_| TestResponse::status(200)).await;
    let client = farm_client(&server.url(), Auth::None);
    let error = insert_photo(&client, &["image/*"], None)
        .upload(Media::new("text/plain", "hello"))
        .send()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("accepts media of type image/*, not \"text/plain\""),
        "{error}"
    );
    for protocol in [UploadProtocol::SingleRequest, UploadProtocol::Resumable] {
        let error = insert_photo(&client, &["*/*"], Some(10))
            .upload(Media::new("image/png", vec![0u8; 11]))
            .protocol(protocol)
            .send()
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("at most 10 bytes, not 11"),
            "{error}"
        );
    }
    // A file's size is taken before anything is sent.
    let dir = std::env::temp_dir().join(format!("discogen-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.png");
    std::fs::write(&path, vec![1u8; 11]).unwrap();
    let error = insert_photo(&client, &["image/png"], Some(10))
        .upload(Media::from_file("image/png", &path))
        .resumable()
        .send()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not 11"), "{error}");
    // So is a reader's declared length.
    let error = insert_photo(&client, &[], Some(10))
        .upload(Media::from_reader("image/png", &[0u8; 11][..], Some(11)))
        .send()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not 11"), "{error}");
    let undeclared = get_animal(&client, "pony")
        .upload(Media::new("image/png", "x"))
        .send()
        .await
        .unwrap_err();
    assert!(
        undeclared
            .to_string()
            .contains("does not accept a media upload"),
        "{undeclared}"
    );
    let bad_type = insert_photo(&client, &[], None)
        .upload(Media::new("image/png\r\nx: y", "x"))
        .send()
        .await
        .unwrap_err();
    assert!(
        bad_type.to_string().contains("invalid media type"),
        "{bad_type}"
    );
    assert!(server.requests().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_reader_of_unknown_length_over_max_size_fails_while_reading() {
    let server = TestServer::start(|_| TestResponse::status(200)).await;
    let client = farm_client(&server.url(), Auth::None);
    let error = insert_photo(&client, &[], Some(10))
        .upload(Media::from_reader("image/png", &[0u8; 11][..], None))
        .protocol(UploadProtocol::SingleRequest)
        .send()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("more than the 10 bytes"),
        "{error}"
    );
    assert!(
        server.requests().is_empty(),
        "a one-request upload reads first"
    );
}

#[tokio::test]
async fn files_and_readers_are_sent_exactly() {
    let server = TestServer::start(|_| TestResponse::json(200, &json!({}))).await;
    let client = farm_client(&server.url(), Auth::None);
    let data = media_bytes(100_000);
    let dir = std::env::temp_dir().join(format!("discogen-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("photo.bin");
    std::fs::write(&path, &data).unwrap();
    insert_photo(&client, &[], None)
        .upload(Media::from_file("application/octet-stream", &path))
        .send()
        .await
        .unwrap();
    insert_photo(&client, &[], None)
        .upload(Media::from_reader(
            "application/octet-stream",
            std::io::Cursor::new(data.clone()),
            None,
        ))
        .protocol(UploadProtocol::SingleRequest)
        .send()
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.query_param("uploadType"), Some("media"));
        assert!(request.body == data);
    }

    let missing = dir.join("missing.bin");
    let error = insert_photo(&client, &[], None)
        .upload(Media::from_file("image/png", &missing))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::MediaSource(_)), "{error:?}");
    assert!(error.to_string().contains("missing.bin"), "{error}");
    // A reader that ends before its declared length is an error, nothing is sent.
    let error = insert_photo(&client, &[], None)
        .upload(Media::from_reader("image/png", &b"abc"[..], Some(5)))
        .protocol(UploadProtocol::SingleRequest)
        .send()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("ended after 3 of its 5 bytes"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn auto_picks_resumable_above_one_chunk_when_the_method_has_it() {
    let store = UploadStore::with_faults(Vec::new());
    let server = store.start_server().await;
    let client = farm_client(&server.url(), Auth::None);
    let small = Media::new("image/png", media_bytes(CHUNK_GRANULARITY));
    insert_photo(&client, &[], None)
        .upload(small)
        .chunk_size(CHUNK_GRANULARITY)
        .send()
        .await
        .unwrap();
    let large = Media::new("image/png", media_bytes(CHUNK_GRANULARITY + 1));
    insert_photo(&client, &[], None)
        .upload(large)
        .chunk_size(CHUNK_GRANULARITY)
        .send()
        .await
        .unwrap();
    // Unknown size: resumable.
    let stream = Media::from_reader("image/png", &b"abc"[..], None);
    insert_photo(&client, &[], None)
        .upload(stream)
        .send()
        .await
        .unwrap();
    let starts: Vec<(String, Option<String>)> = server
        .requests()
        .iter()
        .filter(|r| r.method == Method::POST)
        .map(|r| {
            (
                r.path.clone(),
                r.query_param("uploadType").map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        starts,
        [
            (format!("/{SIMPLE_PATH}"), Some("media".to_owned())),
            (format!("/{SIMPLE_PATH}"), Some("resumable".to_owned())),
            (format!("/{SIMPLE_PATH}"), Some("resumable".to_owned())),
        ]
    );
    let sessions = store.sessions();
    assert_eq!(
        sessions.len(),
        2,
        "only the resumable uploads start sessions"
    );
    assert!(sessions[0].data == media_bytes(CHUNK_GRANULARITY + 1));
    assert_eq!(sessions[1].data, b"abc");
    assert_eq!(DEFAULT_CHUNK_SIZE % CHUNK_GRANULARITY, 0);
}

#[tokio::test]
async fn a_method_with_only_a_resumable_path_uploads_there_and_refuses_one_request() {
    let store = UploadStore::with_faults(Vec::new());
    let server = store.start_server().await;
    let client = farm_client(&server.url(), Auth::None);
    let error = resumable_only_call(&client)
        .upload(Media::new("image/png", "x"))
        .protocol(UploadProtocol::SingleRequest)
        .send()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("offers no upload protocol"),
        "{error}"
    );
    assert!(server.requests().is_empty());
    let mut call = resumable_only_call(&client);
    call.json_body(&json!({"caption": "small"}));
    // Small, but there is no one-request protocol: resumable it is.
    call.upload(Media::new("image/png", "x"))
        .send()
        .await
        .unwrap();
    let start = &server.requests()[0];
    assert_eq!(start.path, format!("/{RESUMABLE_PATH}"));
    assert_eq!(start.query_param("uploadType"), Some("resumable"));
    assert_eq!(store.sessions()[0].data, b"x");
}

/// `farm.photos.insert` as a document with only a resumable protocol would declare it.
fn resumable_only_call(client: &discogen_runtime::Client) -> Call<Animal> {
    let mut call = Call::<Animal>::new(
        client,
        Method::POST,
        "farm.photos.insert",
        "animals/pony/photos".into(),
        &[SCOPE],
    );
    call.set_media_upload(MediaUpload {
        simple_path: None,
        resumable_path: Some(RESUMABLE_PATH.into()),
        accept: &[],
        max_size: None,
    });
    call
}

#[test]
fn debug_shows_the_media_not_its_bytes() {
    let media = Media::new("image/png", vec![7u8; 3]);
    assert_eq!(media.known_len(), Some(3));
    assert_eq!(media.content_type(), "image/png");
    assert_eq!(
        format!("{media:?}"),
        r#"Media { content_type: "image/png", bytes: 3 }"#
    );
    let file = Media::from_file("image/png", "/tmp/x.png");
    assert_eq!(file.known_len(), None);
    assert!(format!("{file:?}").contains("x.png"));
}

/// Users hand these futures to `tokio::spawn`: they must be `Send`, and so must the stream.
#[test]
fn upload_and_download_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = farm_client("http://127.0.0.1:9/", Auth::None);
    let reader = Media::from_reader("image/png", std::io::Cursor::new(vec![1u8]), None);
    let upload = insert_photo(&client, &[], None).upload(reader).send();
    assert_send(&upload);
    let stream = get_animal(&client, "pony").download(false).stream();
    assert_send(&stream);
    let buffered = get_animal(&client, "pony").download(true).send();
    assert_send(&buffered);
    fn assert_stream_send<T: Send + Unpin>() {}
    assert_stream_send::<discogen_runtime::ByteStream>();
}
