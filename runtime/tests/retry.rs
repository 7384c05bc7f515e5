//! Retries over real TCP: 401 after a token refresh, 429/5xx with backoff and Retry-After,
//! for single calls, batch parts and whole batch requests.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use discogen_runtime::testing::{
    BatchFailure, Misbehavior, PartFailure, TestRequest, TestResponse, TestServer,
};
use discogen_runtime::{
    Auth, AuthError, BatchError, BatchSummary, BoxFuture, Client, Error, TokenSource,
};
use serde_json::json;

fn echo_name(request: &TestRequest) -> TestResponse {
    let name = request.path.trim_start_matches("/farm/v1/animals/");
    TestResponse::json(200, &json!({"animalName": name}))
}

/// Runs `get_animal(name)` for each name (ids "1", "2", …) and returns the outcomes in order.
async fn run(client: &Client, names: &[&str]) -> (Vec<Result<String, Error>>, BatchSummary) {
    let outcomes = Mutex::new(vec![None; names.len()]);
    let mut batch = client.new_batch();
    for (index, name) in names.iter().enumerate() {
        let outcomes = &outcomes;
        get_animal(client, name)
            .queue(&mut batch, move |_, result| {
                let slot = &mut outcomes.lock().unwrap()[index];
                assert!(slot.is_none(), "a callback ran twice");
                *slot = Some(result.map(|r| r.body.animal_name.unwrap_or_default()));
            })
            .unwrap();
    }
    let summary = batch.execute().await;
    let outcomes = outcomes
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|o| o.expect("a callback never ran"))
        .collect();
    (outcomes, summary)
}

/// Request ids of the parts received in batch request `batch`.
fn ids_in_batch(server: &TestServer, batch: usize) -> Vec<String> {
    server
        .parts()
        .iter()
        .filter(|p| p.batch == Some(batch))
        .filter_map(|p| p.request_id())
        .collect()
}

fn status(outcome: &Result<String, Error>) -> Option<u16> {
    outcome
        .as_ref()
        .err()
        .and_then(|e| e.status())
        .map(|s| s.as_u16())
}

#[tokio::test]
async fn parts_answered_401_are_resent_alone_after_one_refresh() {
    // "b" and "d" need a fresh token; the others accept the first one.
    let server = TestServer::start(|request| {
        let stale = request.header("authorization") == Some("Bearer token-0");
        if stale && (request.path.ends_with("/b") || request.path.ends_with("/d")) {
            return TestResponse::google_error(401, "token expired");
        }
        echo_name(request)
    })
    .await;
    let token = CountingToken::new();
    let client = farm_client(&server.url(), Auth::Token(token.clone()));
    let (outcomes, summary) = run(&client, &["a", "b", "c", "d"]).await;
    let names: Vec<String> = outcomes.into_iter().map(Result::unwrap).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(token.refreshes(), 1);
    assert_eq!(
        (summary.http_requests, summary.retried, summary.succeeded),
        (2, 2, 4)
    );
    assert_eq!(
        ids_in_batch(&server, 1),
        ["2", "4"],
        "only the 401 parts are resent"
    );
    assert_eq!(
        server.requests()[1].header("authorization"),
        Some("Bearer token-1")
    );
    // Scopes asked for: the union over the calls of each request.
    let refreshed = token.refreshed_scopes.lock().unwrap().clone();
    assert_eq!(refreshed, [vec![SCOPE.to_owned(), READONLY.to_owned()]]);
}

#[tokio::test]
async fn a_second_401_is_final_and_the_token_is_refreshed_once() {
    let server = TestServer::start(|request| {
        if request.path.ends_with("/b") {
            return TestResponse::google_error(401, "no access, whatever the token");
        }
        echo_name(request)
    })
    .await;
    let token = CountingToken::new();
    let client = farm_client(&server.url(), Auth::Token(token.clone()));
    let (outcomes, summary) = run(&client, &["a", "b"]).await;
    assert_eq!(outcomes[0].as_deref().unwrap(), "a");
    assert_eq!(status(&outcomes[1]), Some(401));
    assert_eq!(
        outcomes[1]
            .as_ref()
            .unwrap_err()
            .google_error()
            .unwrap()
            .status,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        (token.refreshes(), summary.http_requests, summary.retried),
        (1, 2, 1)
    );

    // Without a token source there is nothing to refresh: the 401 is final at once.
    server.clear_records();
    let client = farm_client(&server.url(), Auth::api_key("key"));
    let (outcomes, summary) = run(&client, &["b"]).await;
    assert_eq!(status(&outcomes[0]), Some(401));
    assert_eq!(summary.http_requests, 1);
}

#[tokio::test]
async fn parts_answered_429_or_503_are_resent_until_they_succeed() {
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            fail_parts: vec![
                PartFailure::request_id("2", 429)
                    .for_batches(2)
                    .retry_after("0"),
                PartFailure::request_id("3", 503).for_batches(1),
            ],
            ..Misbehavior::default()
        })
        .start(echo_name)
        .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b", "c"]).await;
    let names: Vec<String> = outcomes.into_iter().map(Result::unwrap).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(
        (summary.http_requests, summary.retried, summary.succeeded),
        (3, 2, 3)
    );
    assert_eq!(ids_in_batch(&server, 0), ["1", "2", "3"]);
    assert_eq!(ids_in_batch(&server, 1), ["2", "3"]);
    assert_eq!(ids_in_batch(&server, 2), ["2"]);
}

#[tokio::test]
async fn retries_give_up_after_max_attempts_with_the_last_answer() {
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            fail_parts: vec![PartFailure::request_id("1", 503).retry_after("0")],
            ..Misbehavior::default()
        })
        .start(echo_name)
        .await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let (outcomes, summary) = run(&client, &["a", "b"]).await;
    assert_eq!(status(&outcomes[0]), Some(503));
    assert_eq!(outcomes[1].as_deref().unwrap(), "b");
    assert_eq!(
        (summary.http_requests, summary.retried, summary.failed),
        (3, 1, 1)
    );

    // max_attempts 1: never retried.
    server.clear_records();
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .retry(fast_retry(1))
        .build()
        .unwrap();
    let (outcomes, summary) = run(&client, &["a"]).await;
    assert_eq!(status(&outcomes[0]), Some(503));
    assert_eq!(summary.http_requests, 1);
}

#[tokio::test]
async fn a_whole_batch_answered_503_is_resent_whole() {
    let server = TestServer::builder()
        .misbehavior(Misbehavior {
            fail_batch: Some(BatchFailure::new(503).for_batches(2).retry_after("0")),
            ..Misbehavior::default()
        })
        .start(echo_name)
        .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b"]).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!((summary.http_requests, summary.retried), (3, 2));
    assert_eq!(ids_in_batch(&server, 2), ["1", "2"]);

    // Answered 429 every time: each call gets the outer answer after the last attempt.
    server.set_misbehavior(Misbehavior {
        fail_batch: Some(BatchFailure::new(429)),
        ..Misbehavior::default()
    });
    let (outcomes, summary) = run(&client, &["a", "b"]).await;
    for outcome in &outcomes {
        match outcome {
            Err(Error::Batch(BatchError::OuterStatus { status, .. })) => {
                assert_eq!(status.as_u16(), 429)
            }
            other => panic!("expected the outer 429, got {other:?}"),
        }
    }
    assert_eq!(summary.http_requests, 4);
}

/// A token source that cannot produce a token, or cannot refresh one.
struct BrokenToken {
    fail_authorization: bool,
}

impl TokenSource for BrokenToken {
    fn authorization<'a>(&'a self, _: &'a [&'a str]) -> BoxFuture<'a, Result<String, AuthError>> {
        let fail = self.fail_authorization;
        Box::pin(async move {
            if fail {
                Err("no credentials found".into())
            } else {
                Ok("Bearer stale".to_owned())
            }
        })
    }

    fn refresh<'a>(&'a self, _: &'a [&'a str]) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async { Err("the refresh token was revoked".into()) })
    }
}

#[tokio::test]
async fn token_source_failures_become_auth_errors() {
    let server = TestServer::start(|request| {
        if request.path.ends_with("/b") {
            return TestResponse::google_error(401, "expired");
        }
        echo_name(request)
    })
    .await;
    let client = farm_client(
        &server.url(),
        Auth::token_source(BrokenToken {
            fail_authorization: true,
        }),
    );
    let (outcomes, summary) = run(&client, &["a", "b"]).await;
    for outcome in &outcomes {
        assert!(
            matches!(outcome, Err(Error::Auth(e)) if e.to_string() == "no credentials found"),
            "{outcome:?}"
        );
    }
    assert_eq!(summary.http_requests, 0);
    assert!(server.requests().is_empty());

    let client = farm_client(
        &server.url(),
        Auth::token_source(BrokenToken {
            fail_authorization: false,
        }),
    );
    let (outcomes, _) = run(&client, &["a", "b"]).await;
    assert_eq!(outcomes[0].as_deref().unwrap(), "a");
    assert!(
        matches!(&outcomes[1], Err(Error::Auth(e)) if e.to_string().contains("revoked")),
        "{:?}",
        outcomes[1]
    );
    let single = get_animal(&client, "b").send().await;
    assert!(
        matches!(&single, Err(Error::Auth(e)) if e.to_string().contains("revoked")),
        "{single:?}"
    );
}

#[tokio::test]
async fn single_calls_retry_401_once_and_429_5xx_with_backoff() {
    let attempts = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&attempts);
    let server = TestServer::start(move |request| {
        let auth = request.header("authorization").unwrap_or("-").to_owned();
        seen.lock()
            .unwrap()
            .push(format!("{} {auth}", request.path));
        let tries = seen
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.starts_with(&request.path))
            .count();
        match request.path.as_str() {
            "/farm/v1/animals/expired" if auth == "Bearer token-0" => {
                TestResponse::google_error(401, "expired")
            }
            "/farm/v1/animals/busy" if tries < 3 => {
                TestResponse::google_error(if tries == 1 { 429 } else { 503 }, "busy")
                    .header("retry-after", "0")
            }
            "/farm/v1/animals/down" => TestResponse::google_error(500, "down"),
            _ => echo_name(request),
        }
    })
    .await;
    let token = CountingToken::new();
    let client = farm_client(&server.url(), Auth::Token(token.clone()));

    let expired = get_animal(&client, "expired").send().await.unwrap();
    assert_eq!(expired.body.animal_name.as_deref(), Some("expired"));
    assert_eq!(token.refreshes(), 1);

    let busy = get_animal(&client, "busy").send().await.unwrap();
    assert_eq!(busy.body.animal_name.as_deref(), Some("busy"));

    let down = get_animal(&client, "down").send().await.unwrap_err();
    assert_eq!(down.status().map(|s| s.as_u16()), Some(500));

    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(
        attempts,
        [
            "/farm/v1/animals/expired Bearer token-0",
            "/farm/v1/animals/expired Bearer token-1",
            "/farm/v1/animals/busy Bearer token-1",
            "/farm/v1/animals/busy Bearer token-1",
            "/farm/v1/animals/busy Bearer token-1",
            "/farm/v1/animals/down Bearer token-1",
            "/farm/v1/animals/down Bearer token-1",
            "/farm/v1/animals/down Bearer token-1",
            "/farm/v1/animals/down Bearer token-1",
        ]
    );
}
