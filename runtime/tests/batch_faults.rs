//! A batch against a misbehaving server: every callback still runs exactly once, and each
//! fault fails only the calls it affects.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::*;
use discogen_runtime::testing::{
    BatchFailure, Misbehavior, PartFailure, PartOrder, RawResponse, Stall, TestRequest,
    TestResponse, TestServer,
};
use discogen_runtime::{Auth, BatchError, BatchSummary, Client, Error, Response};
use serde_json::json;

/// Answers every animal with its own name, so a part given to the wrong call shows.
fn echo_name(request: &TestRequest) -> TestResponse {
    let name = request.path.trim_start_matches("/farm/v1/animals/");
    TestResponse::json(200, &json!({"animalName": name}))
}

type Outcomes = Vec<(String, Result<Response<Animal>, Error>)>;

/// Queues `get_animal(name)` for each name under the generated ids "1", "2", …, runs the
/// batch and returns each call's outcome in id order, checking that each ran exactly once.
async fn run(
    client: &Client,
    names: &[&str],
    configure: impl FnOnce(&mut discogen_runtime::Batch<'_>),
) -> (Outcomes, BatchSummary) {
    let outcomes = Mutex::new(Vec::new());
    let batch_wide = Mutex::new(Vec::new());
    let mut batch = client.new_batch();
    for name in names {
        get_animal(client, name)
            .queue(&mut batch, |id, result| {
                outcomes.lock().unwrap().push((id.to_owned(), result))
            })
            .unwrap();
    }
    batch.on_response(|id, _| batch_wide.lock().unwrap().push(id.to_owned()));
    configure(&mut batch);
    let summary = batch.execute().await;
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort_by_key(|(id, _)| id.parse::<usize>().unwrap());
    let ids: Vec<String> = (1..=names.len()).map(|n| n.to_string()).collect();
    assert_eq!(
        outcomes
            .iter()
            .map(|(id, _)| id.clone())
            .collect::<Vec<_>>(),
        ids,
        "each callback exactly once"
    );
    let mut batch_wide = batch_wide.into_inner().unwrap();
    batch_wide.sort_by_key(|id| id.parse::<usize>().unwrap());
    assert_eq!(batch_wide, ids, "each batch-wide callback exactly once");
    assert_eq!(summary.succeeded + summary.failed, names.len());
    (outcomes, summary)
}

fn name_of(outcome: &Result<Response<Animal>, Error>) -> &str {
    match outcome {
        Ok(response) => response.body.animal_name.as_deref().unwrap_or("?"),
        Err(error) => panic!("expected an answer, got {error}"),
    }
}

fn batch_error(outcome: &Result<Response<Animal>, Error>) -> &BatchError {
    match outcome {
        Err(Error::Batch(error)) => error,
        other => panic!("expected a batch error, got {other:?}"),
    }
}

async fn server_with(misbehavior: Misbehavior) -> TestServer {
    TestServer::builder()
        .misbehavior(misbehavior)
        .start(echo_name)
        .await
}

#[tokio::test]
async fn a_missing_part_fails_only_its_call() {
    let server = server_with(Misbehavior {
        drop_parts: vec![1],
        ..Misbehavior::default()
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b", "c"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0].1), "a");
    assert!(matches!(
        batch_error(&outcomes[1].1),
        BatchError::MissingPart
    ));
    assert_eq!(name_of(&outcomes[2].1), "c");
    assert_eq!((summary.succeeded, summary.failed), (2, 1));
}

#[tokio::test]
async fn a_duplicated_part_is_reported_and_runs_nothing_twice() {
    let server = server_with(Misbehavior {
        duplicate_parts: vec![0, 2],
        ..Misbehavior::default()
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b", "c"], |_| {}).await;
    let names: Vec<&str> = outcomes.iter().map(|(_, o)| name_of(o)).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(summary.unmatched_parts.len(), 2);
    assert!(
        summary.unmatched_parts[0].starts_with("<response-")
            && summary.unmatched_parts[0].ends_with("+1>")
    );
    assert!(
        summary.unmatched_parts[1].ends_with("+3>"),
        "{:?}",
        summary.unmatched_parts
    );
}

#[tokio::test]
async fn reordered_parts_are_matched_by_content_id() {
    for order in [
        PartOrder::Reversed,
        PartOrder::Shuffled { seed: 7 },
        PartOrder::Shuffled { seed: 99 },
    ] {
        let server = server_with(Misbehavior {
            order,
            ..Misbehavior::default()
        })
        .await;
        let client = farm_client(&server.url(), Auth::None);
        let names = ["a", "b", "c", "d", "e", "f"];
        let (outcomes, _) = run(&client, &names, |_| {}).await;
        let got: Vec<&str> = outcomes.iter().map(|(_, o)| name_of(o)).collect();
        assert_eq!(got, names, "{order:?}");
    }
}

#[tokio::test]
async fn without_content_ids_parts_are_matched_by_position() {
    let server = server_with(Misbehavior {
        drop_content_ids: true,
        ..Misbehavior::default()
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b", "c"], |_| {}).await;
    let got: Vec<&str> = outcomes.iter().map(|(_, o)| name_of(o)).collect();
    assert_eq!(got, ["a", "b", "c"]);
    assert!(summary.unmatched_parts.is_empty());

    // More parts than calls: the extra ones are reported.
    server.set_misbehavior(Misbehavior {
        drop_content_ids: true,
        duplicate_parts: vec![2],
        ..Misbehavior::default()
    });
    let (_, summary) = run(&client, &["a", "b", "c"], |_| {}).await;
    assert_eq!(summary.unmatched_parts, ["part 3 (no Content-ID)"]);
}

/// A batch answer written by hand: `(Content-ID or "", inner HTTP response)` per part.
fn raw_batch(parts: &[(&str, &str)]) -> RawResponse {
    let mut body = String::from("preamble\r\n");
    for (content_id, response) in parts {
        body.push_str("--b0undary\r\nContent-Type: application/http\r\n");
        if !content_id.is_empty() {
            body.push_str(&format!("Content-ID: {content_id}\r\n"));
        }
        body.push_str(&format!("\r\n{response}\r\n"));
    }
    body.push_str("--b0undary--\r\n");
    RawResponse::new(200, "multipart/mixed; boundary=\"b0undary\"", body)
}

#[tokio::test]
async fn unknown_content_ids_and_unparsable_parts_fail_only_their_calls() {
    let server = server_with(Misbehavior {
        raw_response: Some(raw_batch(&[
            ("<response-whatever+1>", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"animalName\":\"one\"}"),
            ("<response-whatever+nobody>", "HTTP/1.1 200 OK\r\n\r\n{}"),
            ("<response-whatever+2>", "this is not a status line\r\n\r\n"),
            ("<Response-Whatever + 4>", "HTTP/1.1 404\r\ncontent-type: application/json\r\n\r\n{\"error\":{\"code\":404,\"message\":\"gone\",\"status\":\"NOT_FOUND\"}}"),
        ])),
        ..Misbehavior::default()
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b", "c", "d"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0].1), "one");
    match batch_error(&outcomes[1].1) {
        BatchError::UnparsablePart(error) => assert_eq!(error.part, Some(2), "{error}"),
        other => panic!("expected an unparsable part, got {other}"),
    }
    assert!(matches!(
        batch_error(&outcomes[2].1),
        BatchError::MissingPart
    ));
    let not_found = outcomes[3].1.as_ref().unwrap_err();
    assert_eq!(not_found.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(not_found.google_error().unwrap().message, "gone");
    assert_eq!(summary.unmatched_parts, ["<response-whatever+nobody>"]);
}

#[tokio::test]
async fn a_failed_batch_request_fails_only_its_calls() {
    let server = server_with(Misbehavior {
        fail_batch: Some(BatchFailure::new(400).for_batches(1)),
        ..Misbehavior::default()
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b", "c", "d"], |batch| {
        batch.max_calls_per_request(2).max_in_flight(1);
    })
    .await;
    for (_, outcome) in &outcomes[..2] {
        match batch_error(outcome) {
            BatchError::OuterStatus { status, error } => {
                assert_eq!(status.as_u16(), 400);
                assert!(
                    error
                        .error
                        .as_ref()
                        .unwrap()
                        .message
                        .contains("batch request failed")
                );
            }
            other => panic!("expected the outer status, got {other}"),
        }
    }
    assert_eq!(name_of(&outcomes[2].1), "c");
    assert_eq!(name_of(&outcomes[3].1), "d");
    assert_eq!(
        (summary.http_requests, summary.retried),
        (2, 0),
        "400 is not retried"
    );
}

#[tokio::test]
async fn a_non_multipart_answer_fails_every_call_of_the_request() {
    let server = server_with(Misbehavior {
        non_multipart: true,
        ..Misbehavior::default()
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, _) = run(&client, &["a", "b"], |_| {}).await;
    for (_, outcome) in &outcomes {
        match batch_error(outcome) {
            BatchError::NotMultipart { content_type } => {
                assert!(content_type.starts_with("application/json"))
            }
            other => panic!("expected NotMultipart, got {other}"),
        }
    }
}

#[tokio::test]
async fn a_body_cut_short_keeps_the_complete_parts() {
    // The declared length is short: the client gets a body that ends inside the last part.
    let server = server_with(Misbehavior {
        content_length_offset: Some(-60),
        ..Misbehavior::default()
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, _) = run(&client, &["a", "b", "c"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0].1), "a");
    assert_eq!(name_of(&outcomes[1].1), "b");
    match batch_error(&outcomes[2].1) {
        BatchError::UnparsablePart(error) => {
            assert!(error.message.contains("cut short"), "{error}")
        }
        other => panic!("expected the cut part, got {other}"),
    }

    // No closing delimiter at all.
    server.set_misbehavior(Misbehavior {
        unclosed_boundary: true,
        ..Misbehavior::default()
    });
    let (outcomes, _) = run(&client, &["a", "b"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0].1), "a");
    assert!(matches!(
        batch_error(&outcomes[1].1),
        BatchError::UnparsablePart(_)
    ));

    // The connection drops mid-body: a transport error for every call of the request.
    server.set_misbehavior(Misbehavior {
        cut_body_after: Some(100),
        ..Misbehavior::default()
    });
    let (outcomes, summary) = run(&client, &["a", "b"], |_| {}).await;
    for (_, outcome) in &outcomes {
        assert!(matches!(outcome, Err(Error::Transport(_))), "{outcome:?}");
    }
    assert_eq!(summary.retried, 0, "transport errors are not retried");
}

#[tokio::test]
async fn thousands_of_empty_parts_and_odd_headers_do_not_disturb_the_real_ones() {
    let server = server_with(Misbehavior {
        empty_parts: 3000,
        invalid_utf8_header: true,
        ..Misbehavior::default()
    })
    .await;
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b"], |_| {}).await;
    assert_eq!(name_of(&outcomes[0].1), "a");
    assert_eq!(name_of(&outcomes[1].1), "b");
    assert_eq!(summary.unmatched_parts.len(), 3000);
}

#[tokio::test]
async fn a_stalled_server_times_out_per_request_and_per_batch() {
    let server = server_with(Misbehavior {
        delay: Some(Duration::from_secs(30)),
        ..Misbehavior::default()
    })
    .await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let (outcomes, _) = run(&client, &["a", "b"], |_| {}).await;
    for (_, outcome) in &outcomes {
        assert!(
            matches!(outcome, Err(Error::Timeout(d)) if *d == Duration::from_millis(200)),
            "{outcome:?}"
        );
    }

    // A stall mid-body, and only the batch's own timeout.
    server.set_misbehavior(Misbehavior {
        stall: Some(Stall {
            after_bytes: 50,
            duration: Duration::from_secs(30),
        }),
        ..Misbehavior::default()
    });
    let client = farm_client(&server.url(), Auth::None);
    let (outcomes, _) = run(&client, &["a", "b"], |batch| {
        batch.timeout(Duration::from_millis(300));
    })
    .await;
    for (_, outcome) in &outcomes {
        assert!(
            matches!(outcome, Err(Error::Timeout(d)) if *d == Duration::from_millis(300)),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn the_batch_timeout_ends_a_backoff_and_keeps_finished_outcomes() {
    let server = server_with(Misbehavior {
        fail_parts: vec![PartFailure::request_id("2", 503)],
        ..Misbehavior::default()
    })
    .await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .retry(discogen_runtime::RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(60),
        })
        .build()
        .unwrap();
    let (outcomes, summary) = run(&client, &["a", "b"], |batch| {
        batch.timeout(Duration::from_millis(300));
    })
    .await;
    assert_eq!(name_of(&outcomes[0].1), "a");
    assert!(
        matches!(outcomes[1].1, Err(Error::Timeout(_))),
        "{:?}",
        outcomes[1].1
    );
    assert_eq!(summary.http_requests, 1);
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_for_every_call() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = farm_client(&format!("http://{addr}/"), Auth::None);
    let (outcomes, summary) = run(&client, &["a", "b", "c"], |batch| {
        batch.max_calls_per_request(2);
    })
    .await;
    for (_, outcome) in &outcomes {
        assert!(matches!(outcome, Err(Error::Transport(_))), "{outcome:?}");
    }
    assert_eq!((summary.failed, summary.http_requests), (3, 2));
}

#[tokio::test]
async fn a_response_larger_than_the_limit_is_an_error_not_a_buffer() {
    let server =
        TestServer::start(|_| TestResponse::json(200, &json!({"animalName": "x".repeat(10_000)})))
            .await;
    let client: Client = Client::builder(&FARM)
        .root_url(server.url())
        .max_response_bytes(4096)
        .build()
        .unwrap();
    let (outcomes, _) = run(&client, &["a", "b"], |_| {}).await;
    for (_, outcome) in &outcomes {
        assert!(
            matches!(outcome, Err(Error::ResponseTooLarge { limit: 4096 })),
            "{outcome:?}"
        );
    }
    // The same body without a Content-Length (chunked): stopped while streaming.
    let big = format!("{{\"animalName\":\"{}\"}}", "y".repeat(10_000));
    server.set_misbehavior(Misbehavior {
        raw_response: Some(RawResponse::new(200, "application/json", big)),
        ..Misbehavior::default()
    });
    let single = get_animal(&client, "a").send().await;
    assert!(
        matches!(single, Err(Error::ResponseTooLarge { limit: 4096 })),
        "{single:?}"
    );
}
