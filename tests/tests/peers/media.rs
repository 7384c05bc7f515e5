//! Media against fake-gcs-server: `objects.insert` with simple, multipart and resumable
//! uploads (checked on the wire through the proxy, and by downloading the bytes back), a
//! resumable upload interrupted and resumed, and `objects.get` with `alt=media` (buffered,
//! streamed, ranged).
//!
//! Why the interruption is where it is: fake-gcs-server 1.54 takes a resumable status query
//! (an empty `PUT` with `Content-Range: bytes */N`) as "finish the upload with what you
//! hold": it stores the object and forgets the session, where real Cloud Storage answers
//! `308` with the range it holds. It also finishes an upload on any chunk whose range reaches
//! a known total. So a cut before the last chunk reaches it makes the query store a short
//! object, and a cut after it leaves no session to ask about (404). The one interruption it
//! can resume is one on a request that completes the upload while it already holds every
//! byte: media of unknown length goes in chunks `bytes a-b/*` and ends with an empty
//! `bytes */N`, and the resumed test cuts that request. The test after it cuts an earlier
//! chunk, which this server then ends early: that must be an error, not a short object
//! passed off as success.

use discogen_runtime::{CHUNK_GRANULARITY, Error, Media, UploadProtocol};
use http::StatusCode;

use crate::peer::{create_bucket, download, peer, storage, storage_at, string_map, unique_bucket};
use crate::proxy::{Exchange, Proxy};
use crate::storage_v1::Object;

/// `len` bytes that differ from one offset to the next (so a misplaced chunk shows).
fn media_bytes(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
        .collect()
}

/// The uploads that reached the peer (the session's start and its chunks).
fn uploads(proxy: &Proxy) -> Vec<Exchange> {
    proxy
        .exchanges()
        .into_iter()
        .filter(|exchange| exchange.path().starts_with("/upload/"))
        .collect()
}

/// `Content-Range` of each `PUT` to the session, and whether the peer answered it.
fn chunk_ranges(uploads: &[Exchange]) -> Vec<(String, Option<u16>)> {
    uploads
        .iter()
        .filter(|exchange| exchange.method == http::Method::PUT)
        .map(|exchange| {
            let range = exchange
                .header("content-range")
                .unwrap_or("none")
                .to_owned();
            (range, exchange.status.map(|s| s.as_u16()))
        })
        .collect()
}

#[tokio::test]
async fn simple_upload_sends_the_media_alone() {
    let bucket = unique_bucket("simple");
    create_bucket(&storage(), &bucket).await;
    let proxy = Proxy::start(&peer().url).await;
    let storage = storage_at(&proxy.url());
    let data = media_bytes(3000);

    let object = storage
        .objects()
        .insert(&bucket, Object::default())
        .name("simple/upload.bin")
        .upload(Media::new("application/octet-stream", data.clone()))
        .protocol(UploadProtocol::SingleRequest)
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(object.name.as_deref(), Some("simple/upload.bin"));
    assert_eq!(object.size, Some(3000));

    let sent = uploads(&proxy);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path(), format!("/upload/storage/v1/b/{bucket}/o"));
    assert_eq!(sent[0].query_param("uploadType"), Some("media"));
    assert_eq!(sent[0].query_param("name"), Some("simple%2Fupload.bin"));
    assert_eq!(
        sent[0].header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(&sent[0].body[..], &data[..]);
    assert_eq!(download(&storage, &bucket, "simple/upload.bin").await, data);
}

#[tokio::test]
async fn multipart_upload_sends_metadata_and_media_together() {
    let bucket = unique_bucket("multipart");
    create_bucket(&storage(), &bucket).await;
    let proxy = Proxy::start(&peer().url).await;
    let storage = storage_at(&proxy.url());
    let data = b"name,age\npony,34\n".to_vec();
    let metadata = Object {
        name: Some("table ✓.csv".into()),
        metadata: Some(string_map(&[("source", "multipart")])),
        ..Object::default()
    };

    let object = storage
        .objects()
        .insert(&bucket, metadata)
        .upload(Media::new("text/csv", data.clone()))
        .protocol(UploadProtocol::SingleRequest)
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(object.name.as_deref(), Some("table ✓.csv"));
    assert_eq!(object.content_type.as_deref(), Some("text/csv"));
    assert_eq!(object.size, Some(data.len() as u64));

    let sent = uploads(&proxy);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].query_param("uploadType"), Some("multipart"));
    let content_type = sent[0].header("content-type").unwrap();
    assert!(
        content_type.starts_with("multipart/related; boundary="),
        "{content_type}"
    );

    let stored = storage
        .objects()
        .get(&bucket, "table ✓.csv")
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(
        stored.metadata,
        Some(string_map(&[("source", "multipart")]))
    );
    assert_eq!(download(&storage, &bucket, "table ✓.csv").await, data);
}

#[tokio::test]
async fn resumable_upload_sends_chunks_in_a_session() {
    let bucket = unique_bucket("resumable");
    create_bucket(&storage(), &bucket).await;
    let proxy = Proxy::start(&peer().url).await;
    let storage = storage_at(&proxy.url());
    let len = 2 * CHUNK_GRANULARITY + 1234;
    let data = media_bytes(len);
    let metadata = Object {
        name: Some("big/resumable.bin".into()),
        metadata: Some(string_map(&[("source", "resumable")])),
        ..Object::default()
    };

    let object = storage
        .objects()
        .insert(&bucket, metadata)
        .upload(Media::new("application/octet-stream", data.clone()))
        .resumable()
        .chunk_size(CHUNK_GRANULARITY)
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(object.name.as_deref(), Some("big/resumable.bin"));
    assert_eq!(object.size, Some(len as u64));

    let sent = uploads(&proxy);
    let start = &sent[0];
    assert_eq!(
        (start.method.as_str(), start.query_param("uploadType")),
        ("POST", Some("resumable"))
    );
    assert_eq!(start.path(), format!("/upload/storage/v1/b/{bucket}/o"));
    assert_eq!(
        start.header("x-upload-content-length"),
        Some(len.to_string().as_str())
    );
    let total = len;
    assert_eq!(
        chunk_ranges(&sent),
        [
            (format!("bytes 0-262143/{total}"), Some(308)),
            (format!("bytes 262144-524287/{total}"), Some(308)),
            (format!("bytes 524288-{}/{total}", total - 1), Some(200)),
        ]
    );
    let stored = storage
        .objects()
        .get(&bucket, "big/resumable.bin")
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(
        stored.metadata,
        Some(string_map(&[("source", "resumable")]))
    );
    assert_eq!(download(&storage, &bucket, "big/resumable.bin").await, data);
}

#[tokio::test]
async fn an_interrupted_resumable_upload_is_resumed() {
    let bucket = unique_bucket("interrupted");
    create_bucket(&storage(), &bucket).await;
    let len = 2 * CHUNK_GRANULARITY;
    let finish = format!("bytes */{len}");
    // The media comes from a reader of unknown length: the chunks go as `bytes a-b/*`, and
    // the request that completes the upload is the empty `bytes */N` sent once the reader
    // ends. The proxy cuts the connection on it, after the server took every byte.
    let cut_at = finish.clone();
    let proxy = Proxy::cutting_once(&peer().url, move |exchange| {
        exchange.header("content-range") == Some(cut_at.as_str())
    })
    .await;
    let storage = storage_at(&proxy.url());
    let data = media_bytes(len);
    let reader = std::io::Cursor::new(data.clone());

    let object = storage
        .objects()
        .insert(&bucket, Object::default())
        .name("resumed.bin")
        .upload(Media::from_reader("application/octet-stream", reader, None))
        .resumable()
        .chunk_size(CHUNK_GRANULARITY)
        .send()
        .await
        .unwrap_or_else(|e| panic!("the interrupted upload was not resumed: {e}"))
        .body;
    assert_eq!(object.size, Some(len as u64));

    assert_eq!(
        chunk_ranges(&uploads(&proxy)),
        [
            ("bytes 0-262143/*".to_owned(), Some(308)),
            ("bytes 262144-524287/*".to_owned(), Some(308)),
            // Cut: the client saw its connection drop without an answer…
            (finish.clone(), None),
            // …and asked the server what it holds, which completed the upload.
            (finish, Some(200)),
        ]
    );
    assert_eq!(download(&storage, &bucket, "resumed.bin").await, data);
}

#[tokio::test]
async fn an_upload_the_peer_ends_early_is_an_error() {
    let bucket = unique_bucket("ended-early");
    create_bucket(&storage(), &bucket).await;
    let len = 3 * CHUNK_GRANULARITY;
    let second_chunk = format!("bytes 262144-524287/{len}");
    let proxy = Proxy::cutting_once(&peer().url, move |exchange| {
        exchange.header("content-range") == Some(second_chunk.as_str())
    })
    .await;
    let storage = storage_at(&proxy.url());

    let result = storage
        .objects()
        .insert(&bucket, Object::default())
        .name("short.bin")
        .upload(Media::new("application/octet-stream", media_bytes(len)))
        .resumable()
        .chunk_size(CHUNK_GRANULARITY)
        .send()
        .await;
    // The status query after the cut made fake-gcs-server store the first chunk as the whole
    // object; the upload must not pass that off as success.
    match result {
        Err(Error::ResumableUpload(message)) => {
            assert!(
                message.contains("before all of the media was sent"),
                "{message}"
            );
        }
        other => panic!("expected the early end to be an error, got {other:?}"),
    }
    let ranges = chunk_ranges(&uploads(&proxy));
    assert_eq!(
        ranges.last(),
        Some(&(format!("bytes */{len}"), Some(200))),
        "{ranges:?}"
    );
}

#[tokio::test]
async fn downloads_are_whole_streamed_and_ranged() {
    let bucket = unique_bucket("download");
    create_bucket(&storage(), &bucket).await;
    let data = media_bytes(3 * CHUNK_GRANULARITY + 17);
    let name = "media/down load ✓.bin";
    storage()
        .objects()
        .insert(&bucket, Object::default())
        .name(name)
        .upload(Media::new("application/octet-stream", data.clone()))
        .send()
        .await
        .unwrap();
    let proxy = Proxy::start(&peer().url).await;
    let storage = storage_at(&proxy.url());
    let get = || storage.objects().get(&bucket, name);

    let whole = get().download().send().await.unwrap();
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.body, data);
    let request = &proxy.exchanges()[0];
    assert_eq!(
        request.path(),
        format!("/download/storage/v1/b/{bucket}/o/media%2Fdown%20load%20%E2%9C%93.bin"),
        "the download service URL, as the document's useMediaDownloadService asks"
    );
    assert_eq!(request.query_param("alt"), Some("media"));

    let mut stream = get().download().stream().await.unwrap().body;
    let mut streamed = Vec::new();
    while let Some(chunk) = stream.next_chunk().await {
        streamed.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(streamed, data);

    let middle = get().download().range(1000..2000).send().await.unwrap();
    assert_eq!(middle.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(middle.body, data[1000..2000]);
    let tail_start = data.len() as u64 - 10;
    let mut tail = get().download().range(tail_start..).stream().await.unwrap();
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    let mut streamed_tail = Vec::new();
    while let Some(chunk) = tail.body.next_chunk().await {
        streamed_tail.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(streamed_tail, data[data.len() - 10..]);
    let ranges: Vec<_> = proxy
        .exchanges()
        .iter()
        .filter_map(|exchange| exchange.header("range").map(str::to_owned))
        .collect();
    assert_eq!(
        ranges,
        ["bytes=1000-1999".to_owned(), format!("bytes={tail_start}-")]
    );

    let missing = storage
        .objects()
        .get(&bucket, "no such object")
        .download()
        .send()
        .await;
    assert_eq!(
        missing.err().and_then(|e| e.status()),
        Some(StatusCode::NOT_FOUND)
    );
}
