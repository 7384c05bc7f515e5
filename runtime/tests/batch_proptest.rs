//! Random misbehaviour against a real server: every callback runs exactly once, per-call
//! before batch-wide, with the outcome a model of the server predicts, and the summary adds up.

mod common;

use std::sync::Mutex;

use common::*;
use discogen_runtime::testing::{
    BatchFailure, Misbehavior, PartFailure, PartOrder, TestRequest, TestResponse, TestServer,
};
use discogen_runtime::{Auth, BatchError, Error, Response};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;

/// What the handler answers a call with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Planned {
    Found,
    NotFound,
    NotModified,
    /// 503 in the first batch request that answers it, then found.
    Flaky,
}

/// A whole-batch failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WholeFailure {
    None,
    /// 400 for every batch request: final.
    BadRequest,
    /// 503 for the first batch request only: retried.
    UnavailableOnce,
}

#[derive(Clone, Debug)]
struct Scenario {
    planned: Vec<Planned>,
    order: PartOrder,
    drop_content_ids: bool,
    drop_parts: Vec<usize>,
    duplicate_parts: Vec<usize>,
    /// The answer's closing delimiter never comes: its last part is cut.
    truncate: bool,
    whole: WholeFailure,
}

/// An outcome as the test compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Found,
    NotFound,
    NotModified,
    Missing,
    Unparsable,
    Undecodable,
    Outer(u16),
    Unavailable,
    Other(String),
}

const MAX_ATTEMPTS: u32 = 4;

fn scenario() -> impl Strategy<Value = Scenario> {
    let order = prop_oneof![
        Just(PartOrder::AsSent),
        Just(PartOrder::Reversed),
        any::<u64>().prop_map(|seed| PartOrder::Shuffled { seed }),
    ];
    let whole = prop_oneof![
        6 => Just(WholeFailure::None),
        1 => Just(WholeFailure::BadRequest),
        2 => Just(WholeFailure::UnavailableOnce),
    ];
    (1usize..=10, any::<bool>(), any::<bool>(), order, whole).prop_flat_map(
        |(calls, drop_content_ids, truncate, order, whole)| {
            let planned = prop::collection::vec(
                prop_oneof![
                    Just(Planned::Found),
                    Just(Planned::NotFound),
                    Just(Planned::NotModified),
                    // Truncation cuts a part the model cannot name when retries reorder
                    // rounds; keep the two apart.
                    if truncate {
                        Just(Planned::Found)
                    } else {
                        Just(Planned::Flaky)
                    },
                ],
                calls,
            );
            // Without Content-IDs, a dropped or extra part shifts every later one onto the
            // wrong call: nothing can match them. Real servers that omit Content-IDs answer
            // every part, so the switches are not combined.
            let indices = if drop_content_ids { 0..=0 } else { 0..=calls };
            let drop_parts =
                prop::sample::subsequence((0..calls).collect::<Vec<_>>(), indices.clone());
            let duplicate_parts =
                prop::sample::subsequence((0..calls).collect::<Vec<_>>(), indices);
            (planned, drop_parts, duplicate_parts).prop_map(
                move |(planned, drop_parts, duplicate_parts)| {
                    Scenario {
                        planned,
                        // Likewise, without Content-IDs only the order of the request can match.
                        order: if drop_content_ids {
                            PartOrder::AsSent
                        } else {
                            order
                        },
                        drop_content_ids,
                        drop_parts,
                        duplicate_parts,
                        truncate,
                        whole,
                    }
                },
            )
        },
    )
}

/// What the model predicts: each call's outcome, calls sent more than once, HTTP requests,
/// unmatched parts.
struct Prediction {
    outcomes: Vec<Outcome>,
    retried: usize,
    http_requests: usize,
    unmatched: usize,
}

/// Plays the server's switches round by round, as the executor re-sends failed calls.
fn predict(scenario: &Scenario) -> Prediction {
    let calls = scenario.planned.len();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; calls];
    let mut sends = vec![0u32; calls];
    let mut flaked = vec![false; calls];
    let mut pending: Vec<usize> = (0..calls).collect();
    let mut http_requests = 0;
    let mut unmatched = 0;
    while !pending.is_empty() {
        http_requests += 1;
        for &call in &pending {
            sends[call] += 1;
        }
        let attempt = http_requests as u32;
        let last_attempt = attempt == MAX_ATTEMPTS;
        match scenario.whole {
            WholeFailure::BadRequest => {
                for &call in &pending {
                    outcomes[call] = Some(Outcome::Outer(400));
                }
                break;
            }
            WholeFailure::UnavailableOnce if attempt == 1 => continue,
            _ => {}
        }
        let mut next = Vec::new();
        for (position, &call) in pending.iter().enumerate() {
            let answered = !scenario.drop_parts.contains(&position);
            if answered && scenario.duplicate_parts.contains(&position) {
                unmatched += 1;
            }
            // The 503 is spent on the first request that holds the call, answered or not.
            let first_try = scenario.planned[call] == Planned::Flaky && !flaked[call];
            flaked[call] |= first_try;
            let outcome = match scenario.planned[call] {
                // A call without a part in a body that is cut: its part may have been lost
                // with the cut, so the body, not the server, is blamed.
                _ if !answered && scenario.truncate => Outcome::Undecodable,
                _ if !answered => Outcome::Missing,
                Planned::Flaky if first_try && !last_attempt => {
                    next.push(call);
                    continue;
                }
                Planned::Flaky if first_try => Outcome::Unavailable,
                Planned::Found | Planned::Flaky => Outcome::Found,
                Planned::NotFound => Outcome::NotFound,
                Planned::NotModified => Outcome::NotModified,
            };
            outcomes[call] = Some(outcome);
        }
        pending = next;
    }
    Prediction {
        outcomes: outcomes
            .into_iter()
            .map(|o| o.expect("the model answers every call"))
            .collect(),
        retried: sends.iter().filter(|&&n| n > 1).count(),
        http_requests,
        unmatched,
    }
}

fn handler(request: &TestRequest) -> TestResponse {
    let name = request.path.trim_start_matches("/farm/v1/animals/");
    match name.split('-').next() {
        Some("missing") => TestResponse::google_error(404, "no such animal"),
        Some("same") => TestResponse::status(304),
        _ => TestResponse::json(200, &json!({"animalName": name})),
    }
}

fn name(planned: Planned, call: usize) -> String {
    let kind = match planned {
        Planned::Found => "found",
        Planned::NotFound => "missing",
        Planned::NotModified => "same",
        Planned::Flaky => "flaky",
    };
    format!("{kind}-{call}")
}

fn classify(expected_name: &str, result: &Result<Response<Animal>, Error>) -> Outcome {
    match result {
        Ok(response) if response.body.animal_name.as_deref() == Some(expected_name) => {
            Outcome::Found
        }
        Ok(response) => Outcome::Other(format!("someone else's answer: {:?}", response.body)),
        Err(Error::NotModified { .. }) => Outcome::NotModified,
        Err(Error::Api(api)) if api.status == 404 => Outcome::NotFound,
        Err(Error::Api(api)) if api.status == 503 => Outcome::Unavailable,
        Err(Error::Batch(BatchError::MissingPart)) => Outcome::Missing,
        Err(Error::Batch(BatchError::UnparsablePart(_))) => Outcome::Unparsable,
        Err(Error::Batch(BatchError::Undecodable(_))) => Outcome::Undecodable,
        Err(Error::Batch(BatchError::OuterStatus { status, .. })) => {
            Outcome::Outer(status.as_u16())
        }
        Err(other) => Outcome::Other(other.to_string()),
    }
}

#[test]
fn random_misbehaviour_runs_each_callback_once_with_the_predicted_outcome() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(TestServer::start(handler));
    let client = farm_client(&server.url(), Auth::None);
    let config = Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&scenario(), |scenario| {
        let calls = scenario.planned.len();
        let mut fail_parts = Vec::new();
        for (call, planned) in scenario.planned.iter().enumerate() {
            if *planned == Planned::Flaky {
                let id = (call + 1).to_string();
                fail_parts.push(
                    PartFailure::request_id(id, 503)
                        .for_batches(1)
                        .retry_after("0"),
                );
            }
        }
        let fail_batch = match scenario.whole {
            WholeFailure::None => None,
            WholeFailure::BadRequest => Some(BatchFailure::new(400)),
            WholeFailure::UnavailableOnce => Some(BatchFailure::new(503).for_batches(1)),
        };
        server.clear_records();
        server.set_misbehavior(Misbehavior {
            order: scenario.order,
            drop_content_ids: scenario.drop_content_ids,
            drop_parts: scenario.drop_parts.clone(),
            duplicate_parts: scenario.duplicate_parts.clone(),
            fail_parts,
            fail_batch,
            unclosed_boundary: scenario.truncate,
            ..Misbehavior::default()
        });

        let events = Mutex::new(Vec::<(usize, &'static str)>::new());
        let results = Mutex::new((0..calls).map(|_| None).collect::<Vec<_>>());
        let mut batch = client.new_batch();
        for (call, planned) in scenario.planned.iter().enumerate() {
            let (events, results) = (&events, &results);
            get_animal(&client, &name(*planned, call))
                .queue(&mut batch, move |id, result| {
                    assert_eq!(id, (call + 1).to_string());
                    events.lock().unwrap().push((call, "call"));
                    results.lock().unwrap()[call] = Some(result);
                })
                .unwrap();
        }
        batch.on_response(|id, _| {
            events
                .lock()
                .unwrap()
                .push((id.parse::<usize>().unwrap() - 1, "batch"))
        });
        let summary = runtime.block_on(batch.execute());

        // Each call: its own callback, then the batch-wide one, exactly once each.
        let events = events.into_inner().unwrap();
        prop_assert_eq!(events.len(), 2 * calls);
        for pair in events.chunks(2) {
            prop_assert_eq!(pair[0].1, "call");
            prop_assert_eq!(pair[1], (pair[0].0, "batch"));
        }
        let outcomes: Vec<Outcome> = results
            .into_inner()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(call, result)| {
                classify(
                    &name(scenario.planned[call], call),
                    result.as_ref().unwrap(),
                )
            })
            .collect();

        let prediction = predict(&scenario);
        // The cut last part of an answer fails the one call it answers (none when it is a
        // duplicate's second copy); every other outcome is as predicted.
        let deviations: Vec<usize> = (0..calls)
            .filter(|&c| outcomes[c] != prediction.outcomes[c])
            .collect();
        if scenario.truncate && scenario.whole != WholeFailure::BadRequest {
            prop_assert!(
                deviations.len() <= 1,
                "{:?} vs {:?}",
                outcomes,
                prediction.outcomes
            );
            for &call in &deviations {
                prop_assert_eq!(&outcomes[call], &Outcome::Unparsable);
            }
            let answered_parts = calls - scenario.drop_parts.len();
            if scenario.duplicate_parts.is_empty() && answered_parts > 0 {
                prop_assert_eq!(deviations.len(), 1, "the cut part fails its call");
            }
        } else {
            prop_assert_eq!(&outcomes, &prediction.outcomes);
        }

        let succeeded = outcomes.iter().filter(|o| **o == Outcome::Found).count();
        prop_assert_eq!(summary.succeeded, succeeded);
        prop_assert_eq!(summary.failed, calls - succeeded);
        prop_assert_eq!(summary.http_requests, prediction.http_requests);
        prop_assert_eq!(summary.http_requests, server.batches_received());
        prop_assert_eq!(summary.retried, prediction.retried);
        prop_assert_eq!(summary.unmatched_parts.len(), prediction.unmatched);
        Ok::<(), TestCaseError>(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
