//! Pagination over real TCP: `Pages` and `Items` follow `nextPageToken`, stop at the last
//! page (no token, or an empty one), end with the first error, and fetch lazily.

mod common;

use std::collections::HashMap;

use common::*;
use discogen_runtime::http::Method;
use discogen_runtime::testing::{TestRequest, TestResponse, TestServer};
use discogen_runtime::{Auth, Call, Client, Error, Items, Pages};
use futures_util::stream::FusedStream;
use futures_util::{Stream, StreamExt, TryStreamExt};
use serde::Deserialize;
use serde_json::{Value, json};

/// A page as list methods answer: items and the token of the next page.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct NamePage {
    items: Option<Vec<String>>,
    next_page_token: Option<String>,
}

fn next_token(page: &NamePage) -> Option<&str> {
    page.next_page_token.as_deref()
}

fn items_of(page: NamePage) -> Vec<String> {
    page.items.unwrap_or_default()
}

/// A server whose pages are given by token (`""` is the first page, asked without a token);
/// a token it does not know is answered with a 400 Google error.
async fn serve(pages: Vec<(&'static str, Value)>) -> TestServer {
    let pages: HashMap<&str, Value> = pages.into_iter().collect();
    TestServer::start(move |request: &TestRequest| {
        let token = request.query_param("pageToken").unwrap_or("");
        match pages.get(token) {
            Some(page) => TestResponse::json(200, page),
            None => TestResponse::google_error(400, &format!("no page {token:?}")),
        }
    })
    .await
}

fn list(client: &Client) -> Call<NamePage> {
    let mut call = Call::new(
        client,
        Method::GET,
        "farm.animals.list",
        "animals".into(),
        &[READONLY],
    );
    call.set_query("pageSize", "2");
    call
}

/// The `pageToken` each request carried, in order (`None` for the first page).
fn tokens_sent(server: &TestServer) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|request| request.query_param("pageToken").map(str::to_owned))
        .collect()
}

fn three_pages() -> Vec<(&'static str, Value)> {
    vec![
        ("", json!({"items": ["a", "b"], "nextPageToken": "t1"})),
        ("t1", json!({"items": ["c", "d"], "nextPageToken": "t2"})),
        ("t2", json!({"items": ["e"]})),
    ]
}

#[tokio::test]
async fn pages_follow_the_token_until_a_page_has_none() {
    let server = serve(three_pages()).await;
    let client = farm_client(&server.url(), Auth::None);
    let pages: Vec<NamePage> = Pages::new(list(&client), next_token)
        .try_collect()
        .await
        .unwrap();
    let items: Vec<Vec<String>> = pages.into_iter().map(items_of).collect();
    assert_eq!(items, [vec!["a", "b"], vec!["c", "d"], vec!["e"]]);
    assert_eq!(
        tokens_sent(&server),
        [None, Some("t1".into()), Some("t2".into())]
    );
    // Every page is the same call: the other parameters go with each one.
    for request in server.requests() {
        assert_eq!(request.path, "/farm/v1/animals");
        assert_eq!(request.query_param("pageSize"), Some("2"));
    }
}

#[tokio::test]
async fn an_empty_token_is_the_last_page() {
    let server = serve(vec![
        ("", json!({"items": ["a"], "nextPageToken": "t1"})),
        ("t1", json!({"items": ["b"], "nextPageToken": ""})),
    ])
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let mut pages = Pages::new(list(&client), next_token);
    assert_eq!(items_of(pages.next().await.unwrap().unwrap()), ["a"]);
    assert_eq!(items_of(pages.next().await.unwrap().unwrap()), ["b"]);
    assert!(pages.next().await.is_none());
    assert!(pages.is_terminated());
    // Polled again after the end: still the end, and no request with an empty token.
    assert!(pages.next().await.is_none());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_error_mid_way_is_yielded_and_ends_the_stream() {
    let server = serve(vec![
        ("", json!({"items": ["a"], "nextPageToken": "t1"})),
        // "t1" is not served: the second page is answered 400.
        ("t2", json!({"items": ["never"]})),
    ])
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let mut pages = Pages::new(list(&client), next_token);
    assert_eq!(items_of(pages.next().await.unwrap().unwrap()), ["a"]);
    match pages.next().await {
        Some(Err(Error::Api(error))) => {
            assert_eq!(error.status, 400);
            assert_eq!(error.error.unwrap().message, "no page \"t1\"");
        }
        other => panic!("expected the 400 of the second page, got {other:?}"),
    }
    assert!(pages.next().await.is_none());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_undecodable_page_is_an_error_that_ends_the_stream() {
    let server =
        TestServer::start(|_| TestResponse::json(200, &json!({"items": "not a list"}))).await;
    let client = farm_client(&server.url(), Auth::None);
    let outcomes: Vec<Result<NamePage, Error>> =
        Pages::new(list(&client), next_token).collect().await;
    assert_eq!(outcomes.len(), 1);
    assert!(
        matches!(outcomes[0], Err(Error::Decode { .. })),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn items_run_across_pages_and_skip_empty_ones() {
    let server = serve(vec![
        ("", json!({"items": ["a", "b"], "nextPageToken": "t1"})),
        ("t1", json!({"nextPageToken": "t2"})),
        ("t2", json!({"items": [], "nextPageToken": "t3"})),
        ("t3", json!({"items": ["c"]})),
    ])
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let items: Vec<String> = Pages::new(list(&client), next_token)
        .items(items_of)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["a", "b", "c"]);
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn items_end_with_the_first_error() {
    let server = serve(vec![
        ("", json!({"items": ["a", "b"], "nextPageToken": "t1"})),
        ("t1", json!({"items": ["c"], "nextPageToken": "gone"})),
    ])
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let outcomes: Vec<Result<String, Error>> = Pages::new(list(&client), next_token)
        .items(items_of)
        .collect()
        .await;
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    let ok: Vec<&str> = outcomes[..3]
        .iter()
        .map(|item| item.as_ref().unwrap().as_str())
        .collect();
    assert_eq!(ok, ["a", "b", "c"]);
    assert_eq!(
        outcomes[3].as_ref().unwrap_err().status(),
        Some(400.try_into().unwrap())
    );
}

#[tokio::test]
async fn pages_are_fetched_only_when_polled() {
    let server = serve(three_pages()).await;
    let client = farm_client(&server.url(), Auth::None);
    let mut pages = Pages::new(list(&client), next_token);
    assert!(
        server.requests().is_empty(),
        "nothing is sent before the first poll"
    );
    pages.next().await.unwrap().unwrap();
    assert_eq!(server.requests().len(), 1);

    // Items: the second page is asked for only once the first one's items are used up.
    server.clear_records();
    let mut items = Pages::new(list(&client), next_token).items(items_of);
    assert_eq!(items.next().await.unwrap().unwrap(), "a");
    assert_eq!(items.size_hint(), (1, None));
    assert_eq!(items.next().await.unwrap().unwrap(), "b");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(items.next().await.unwrap().unwrap(), "c");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn the_first_page_is_the_call_as_built() {
    // A call given a page token resumes there.
    let server = serve(three_pages()).await;
    let client = farm_client(&server.url(), Auth::None);
    let mut call = list(&client);
    call.set_query("pageToken", "t1");
    let items: Vec<String> = Pages::new(call, next_token)
        .items(items_of)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["c", "d", "e"]);
    assert_eq!(tokens_sent(&server), [Some("t1".into()), Some("t2".into())]);
}

#[tokio::test]
async fn a_token_that_fetches_its_own_page_again_is_an_error() {
    let server = serve(vec![
        ("", json!({"items": ["a"], "nextPageToken": "t1"})),
        ("t1", json!({"items": ["b"], "nextPageToken": "t1"})),
    ])
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let outcomes: Vec<Result<String, Error>> = Pages::new(list(&client), next_token)
        .items(items_of)
        .collect()
        .await;
    assert_eq!(outcomes.len(), 3, "{outcomes:?}");
    assert_eq!(outcomes[1].as_ref().unwrap(), "b");
    match &outcomes[2] {
        Err(Error::Pagination(message)) => {
            assert!(message.starts_with("farm.animals.list "), "{message}");
        }
        other => panic!("expected a pagination error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn streams_are_send_and_unpin_and_debug_redacts() {
    fn send_unpin<S: Stream + Send + Unpin + 'static>(_: &S) {}
    fn spawnable<F: std::future::Future + Send + 'static>(_: F) {}
    let client = Client::builder(&FARM)
        .auth(Auth::api_key("secret-key"))
        .build()
        .unwrap();
    let mut call = list(&client);
    call.set_query("key", "another-secret");
    let pages = Pages::new(call, next_token);
    send_unpin(&pages);
    let debug = format!("{pages:?}");
    assert!(debug.contains("not started"), "{debug}");
    assert!(!debug.contains("secret"), "{debug}");
    let items: Items<NamePage, String> = pages.items(items_of);
    send_unpin(&items);
    // Driving it can be spawned on a multi-threaded runtime (never polled here).
    spawnable(items.collect::<Vec<_>>());
}
