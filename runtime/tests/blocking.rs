//! `Batch::execute_blocking` (feature `blocking`): for programs without an async runtime.

mod common;

use common::*;
use discogen_runtime::Auth;
use discogen_runtime::testing::{TestResponse, TestServer};
use serde_json::json;

#[test]
fn execute_blocking_runs_without_an_async_runtime() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(|_| {
        TestResponse::json(200, &json!({"animalName": "pony"}))
    }));
    let client = farm_client(&server.url(), Auth::None);
    let mut got = None;
    let mut batch = client.new_batch();
    get_animal(&client, "pony")
        .queue(&mut batch, |_, r| got = Some(r))
        .unwrap();
    // The server runs on `runtime`'s threads; this thread has no runtime of its own.
    let summary = batch.execute_blocking();
    assert_eq!(summary.succeeded, 1);
    assert_eq!(
        got.unwrap().unwrap().body.animal_name.as_deref(),
        Some("pony")
    );
    drop(server);
}

#[tokio::test]
async fn execute_blocking_inside_a_runtime_fails_every_call_instead_of_panicking() {
    let client = farm_client("http://127.0.0.1:9/", Auth::None);
    let mut got = None;
    let mut batch = client.new_batch();
    get_animal(&client, "pony")
        .queue(&mut batch, |_, r| got = Some(r))
        .unwrap();
    let summary = batch.execute_blocking();
    assert_eq!(
        (summary.succeeded, summary.failed, summary.http_requests),
        (0, 1, 0)
    );
    let error = got.unwrap().unwrap_err();
    assert!(
        error.to_string().contains("inside an async runtime"),
        "{error}"
    );
}
