//! Downloads over real TCP: `alt=media`, the download service, byte ranges, and streaming
//! (chunks as they arrive, errors mid-body, media larger than the buffered limit).

mod common;

use std::time::Duration;

use common::media::media_bytes;
use common::*;
use discogen_runtime::bytes::Bytes;
use discogen_runtime::http::StatusCode;
use discogen_runtime::testing::{
    Misbehavior, RawResponse, Stall, TestRequest, TestResponse, TestServer,
};
use discogen_runtime::{Auth, Client, Error};
use futures_util::StreamExt;

/// Serves `media` at every path, honouring `Range: bytes=a-b` / `bytes=a-` like Google's
/// servers (206 with Content-Range; 416 past the end).
fn serve_media(media: Bytes) -> impl Fn(&TestRequest) -> TestResponse + Send + Sync + 'static {
    move |request| {
        let len = media.len() as u64;
        let Some(range) = request.header("range") else {
            return TestResponse::status(200)
                .header("content-type", "application/octet-stream")
                .with_body(media.clone());
        };
        let (first, last) = range
            .strip_prefix("bytes=")
            .and_then(|r| r.split_once('-'))
            .expect("a byte range");
        let first: u64 = first.parse().unwrap();
        let last: u64 = if last.is_empty() {
            len - 1
        } else {
            last.parse::<u64>().unwrap().min(len - 1)
        };
        if first >= len {
            return TestResponse::google_error(416, "range not satisfiable")
                .header("content-range", format!("bytes */{len}"));
        }
        TestResponse::status(206)
            .header("content-range", format!("bytes {first}-{last}/{len}"))
            .with_body(media.slice(first as usize..=last as usize))
    }
}

#[tokio::test]
async fn downloads_use_alt_media_and_the_download_service_when_asked() {
    let server = TestServer::start(|request| {
        TestResponse::status(200)
            .header("content-type", "image/png")
            .with_body(format!("bytes of {}", request.path))
    })
    .await;
    let client = farm_client(&server.url(), Auth::api_key("secret-key"));
    let mut call = get_animal(&client, "pony");
    call.set_query("alt", "json");
    let direct = call.download(false).send().await.unwrap();
    assert_eq!(&direct.body[..], b"bytes of /farm/v1/animals/pony");
    let via_service = get_animal(&client, "pony")
        .download(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        &via_service.body[..],
        b"bytes of /download/farm/v1/animals/pony"
    );
    for request in server.requests() {
        let alt: Vec<&str> = request
            .query
            .iter()
            .filter(|(n, _)| n == "alt")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(alt, ["media"]);
        assert_eq!(request.query_param("key"), Some("secret-key"));
    }
    // A download answered with an error is an error, not bytes.
    server.set_misbehavior(Misbehavior {
        raw_response: Some(RawResponse::new(
            403,
            "application/json",
            r#"{"error":{"code":403,"message":"no"}}"#,
        )),
        ..Misbehavior::default()
    });
    let error = get_animal(&client, "pony")
        .download(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.google_error().unwrap().message, "no");
    let error = get_animal(&client, "pony")
        .download(false)
        .stream()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FORBIDDEN));
}

#[tokio::test]
async fn ranges_are_sent_as_range_headers_and_206_is_accepted() {
    let media = Bytes::from(media_bytes(1000));
    let server = TestServer::start(serve_media(media.clone())).await;
    let client = farm_client(&server.url(), Auth::None);
    let download = || get_animal(&client, "pony").download(false);

    let head = download().range(0..100).send().await.unwrap();
    assert_eq!(head.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(head.headers["content-range"], "bytes 0-99/1000");
    assert_eq!(head.body, media.slice(0..100));
    let tail = download().range(900..).send().await.unwrap();
    assert_eq!(tail.body, media.slice(900..));
    let inclusive = download().range(10..=10).send().await.unwrap();
    assert_eq!(inclusive.body, media.slice(10..11));
    let prefix = download().range(..=4).stream().await.unwrap();
    assert_eq!(prefix.status, StatusCode::PARTIAL_CONTENT);
    let chunks: Vec<Bytes> = prefix.body.map(Result::unwrap).collect().await;
    assert_eq!(chunks.concat(), media.slice(..5));
    let sent: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("range").unwrap().to_owned())
        .collect();
    assert_eq!(
        sent,
        ["bytes=0-99", "bytes=900-", "bytes=10-10", "bytes=0-4"]
    );

    let past_the_end = download().range(5000..).send().await.unwrap_err();
    assert_eq!(
        past_the_end.status(),
        Some(StatusCode::RANGE_NOT_SATISFIABLE)
    );
    #[allow(clippy::reversed_empty_ranges)]
    let empty = download().range(10..10).send().await.unwrap_err();
    assert!(
        matches!(&empty, Error::InvalidRequest(m) if m.contains("byte range is empty")),
        "{empty:?}"
    );
    assert_eq!(
        server.requests().len(),
        5,
        "an empty range is refused unsent"
    );
}

#[tokio::test]
async fn a_stream_delivers_media_larger_than_the_buffered_limit() {
    let media = Bytes::from(media_bytes(6 * 1024 * 1024 + 17));
    let server = TestServer::start(serve_media(media.clone())).await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    let too_large = get_animal(&client, "pony").download(false).send().await;
    assert!(
        matches!(too_large, Err(Error::ResponseTooLarge { limit: 1048576 })),
        "{too_large:?}"
    );
    let mut response = get_animal(&client, "pony")
        .download(false)
        .stream()
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers["content-length"], media.len().to_string());
    let mut offset = 0;
    let mut chunks = 0;
    while let Some(chunk) = response.body.next_chunk().await {
        let chunk = chunk.unwrap();
        assert!(chunk.len() <= 1024 * 1024, "chunks arrive as they come");
        assert!(
            chunk == media.slice(offset..offset + chunk.len()),
            "bytes at {offset}"
        );
        offset += chunk.len();
        chunks += 1;
    }
    assert_eq!(offset, media.len());
    assert!(chunks > 1);
}

#[tokio::test]
async fn a_body_cut_short_ends_the_stream_with_an_error() {
    let media = Bytes::from(media_bytes(300_000));
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            cut_body_after: Some(100_000),
            ..Misbehavior::default()
        })
        .start(serve_media(media.clone()))
        .await;
    let client = farm_client(&server.url(), Auth::None);
    let response = get_animal(&client, "pony")
        .download(false)
        .stream()
        .await
        .unwrap();
    let items: Vec<Result<Bytes, Error>> = response.body.collect().await;
    let (last, chunks) = items.split_last().unwrap();
    assert!(matches!(last, Err(Error::Transport(_))), "{last:?}");
    let received: Vec<u8> = chunks
        .iter()
        .flat_map(|chunk| chunk.as_ref().unwrap().to_vec())
        .collect();
    assert!(received.len() <= 100_000 && media.starts_with(&received));
}

#[tokio::test]
async fn the_client_timeout_limits_the_wait_for_each_chunk() {
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            stall: Some(Stall {
                after_bytes: 10,
                duration: Duration::from_secs(30),
            }),
            ..Misbehavior::default()
        })
        .start(serve_media(Bytes::from(media_bytes(100))))
        .await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let mut response = get_animal(&client, "pony")
        .download(false)
        .stream()
        .await
        .unwrap();
    let first = response.body.next_chunk().await.unwrap().unwrap();
    assert_eq!(first.len(), 10);
    let stalled = response.body.next_chunk().await.unwrap();
    assert!(matches!(stalled, Err(Error::Timeout(_))), "{stalled:?}");
    assert!(
        response.body.next_chunk().await.is_none(),
        "nothing after an error"
    );
}
