//! What the runtime's integration tests share: the seeds' Farm API, calls of it, and a token
//! source that counts its refreshes.

#![allow(dead_code)] // Each test file uses a different subset.

pub mod media;
pub mod oauth;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use discogen_runtime::http::Method;
use discogen_runtime::{ApiInfo, Auth, BoxFuture, Call, Client, RetryPolicy, TokenSource};
use serde::{Deserialize, Serialize};

/// The Farm API of the seeds.
pub static FARM: ApiInfo = ApiInfo {
    name: "farm",
    version: "v1",
    root_url: "https://farm.googleapis.com/",
    service_path: "farm/v1/",
    batch_path: "batch",
};

/// Another API, for "a call of another API" tests.
pub static ZOO: ApiInfo = ApiInfo {
    name: "zoo",
    version: "v1",
    root_url: "https://zoo.googleapis.com/",
    service_path: "zoo/v1/",
    batch_path: "batch/zoo/v1",
};

pub const SCOPE: &str = "https://www.googleapis.com/auth/farm";
pub const READONLY: &str = "https://www.googleapis.com/auth/farm.readonly";

/// An animal, as the seeds' example answers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Animal {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub animal_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub animal_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pelt_color: Option<String>,
}

/// A page of animals.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AnimalList {
    pub animals: Vec<Animal>,
}

/// Retries without noticeable waiting (tests are not timed).
pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    }
}

/// A Farm client for the server at `root_url`.
pub fn farm_client(root_url: &str, auth: impl Into<Auth>) -> Client {
    Client::builder(&FARM)
        .root_url(root_url)
        .auth(auth)
        .retry(fast_retry(4))
        .build()
        .unwrap()
}

/// `farm.animals.get`.
pub fn get_animal(client: &Client, name: &str) -> Call<Animal> {
    Call::new(
        client,
        Method::GET,
        "farm.animals.get",
        format!("animals/{name}"),
        &[SCOPE, READONLY],
    )
}

/// `farm.animals.update` with `If-Match`.
pub fn update_animal(client: &Client, animal: &Animal, etag: &str) -> Call<Animal> {
    let name = animal.animal_name.clone().unwrap_or_default();
    let mut call = Call::new(
        client,
        Method::PUT,
        "farm.animals.update",
        format!("animals/{name}"),
        &[SCOPE],
    );
    call.json_body(animal);
    call.set_header(discogen_runtime::http::header::IF_MATCH, etag);
    call
}

/// `farm.animals.list` with `If-None-Match`.
pub fn list_animals(client: &Client, etag: &str) -> Call<AnimalList> {
    let mut call = Call::new(
        client,
        Method::GET,
        "farm.animals.list",
        "animals".into(),
        &[READONLY],
    );
    call.set_header(discogen_runtime::http::header::IF_NONE_MATCH, etag);
    call
}

/// `farm.animals.delete`: no response body.
pub fn delete_animal(client: &Client, name: &str) -> Call<()> {
    Call::new(
        client,
        Method::DELETE,
        "farm.animals.delete",
        format!("animals/{name}"),
        &[SCOPE],
    )
}

/// A token source whose token changes with each refresh: `Bearer token-0`, `Bearer token-1`…
/// It records the scopes it was asked for.
#[derive(Debug, Default)]
pub struct CountingToken {
    generation: AtomicUsize,
    pub requested_scopes: std::sync::Mutex<Vec<Vec<String>>>,
    pub refreshed_scopes: std::sync::Mutex<Vec<Vec<String>>>,
}

impl CountingToken {
    pub fn new() -> Arc<CountingToken> {
        Arc::new(CountingToken::default())
    }

    pub fn refreshes(&self) -> usize {
        self.generation.load(Ordering::SeqCst)
    }
}

impl TokenSource for CountingToken {
    fn authorization<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<String, discogen_runtime::AuthError>> {
        self.requested_scopes
            .lock()
            .unwrap()
            .push(scopes.iter().map(|s| s.to_string()).collect());
        let generation = self.generation.load(Ordering::SeqCst);
        Box::pin(async move { Ok(format!("Bearer token-{generation}")) })
    }

    fn refresh<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<(), discogen_runtime::AuthError>> {
        self.refreshed_scopes
            .lock()
            .unwrap()
            .push(scopes.iter().map(|s| s.to_string()).collect());
        self.generation.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(()) })
    }
}
