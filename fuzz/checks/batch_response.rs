//! The invariants of the batch executor's response handling, shared by the `batch_response`
//! fuzz target and the runtime test that replays its seeds and regression inputs
//! (runtime/tests/fuzz_replay.rs).
//!
//! An input is a reply to a batch of calls, handed to the executor in-process through a
//! custom transport (no TCP, no sleeps):
//! - byte 0: the number of calls, `1 + b % 12`;
//! - byte 1: bits 0–1 the calls per HTTP request (`0` = all of them, else 1–3), bits 2–3 the
//!   attempts per call (1–4, with zero backoff), bits 4–6 what the transport answers (200,
//!   200, 200, 207, 401, 429, 503 with the body below, or a transport error), bit 7 a token
//!   source that can be refreshed (else no auth);
//! - then, as for `decode_response`, the outer Content-Type up to the first LF and the body.
//!
//! The transport answers every HTTP request of the batch (retries included) with the same
//! reply. Whatever the reply, for each call:
//! - its own callback runs exactly once, then the batch-wide one exactly once, with the same
//!   outcome (both `Ok` or both `Err`);
//! - a part delivered as `Ok` that carries a Content-ID names that call's request id (one
//!   call's answer never reaches another);
//! - the summary counts every call once (`succeeded + failed`, `succeeded` = the `Ok`s), and
//!   no more HTTP requests went out than the transport saw and the attempts allow.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use discogen_runtime::http::header::{CONTENT_TYPE, RETRY_AFTER};
use discogen_runtime::http::{self, HeaderValue, Method};
use discogen_runtime::multipart::decoded_request_id;
use discogen_runtime::serde_json::Value;
use discogen_runtime::{
    ApiInfo, Auth, AuthError, BoxFuture, Call, Client, RetryPolicy, TokenSource, TransportError,
};

static FUZZ_API: ApiInfo = ApiInfo {
    name: "fuzz",
    version: "v1",
    root_url: "https://fuzz.example.com/",
    service_path: "fuzz/v1/",
    batch_path: "batch",
};

/// What the transport answers (bits 4–6 of byte 1).
const STATUSES: [Option<u16>; 8] = [
    Some(200),
    Some(200),
    Some(200),
    Some(207),
    Some(401),
    Some(429),
    Some(503),
    None,
];

/// The batch configuration and the reply an input describes.
#[derive(Debug)]
pub struct Scenario {
    pub calls: usize,
    pub calls_per_request: usize,
    pub attempts: u32,
    /// `None`: the transport fails.
    pub status: Option<u16>,
    pub token: bool,
    pub content_type: String,
    pub body: Bytes,
}

impl Scenario {
    /// Reads an input (see the module docs); inputs shorter than two bytes are none.
    pub fn from_input(data: &[u8]) -> Option<Scenario> {
        let (&[count, flags], rest) = data.split_first_chunk::<2>()?;
        let calls = 1 + usize::from(count) % 12;
        let calls_per_request = match flags & 0b11 {
            0 => calls,
            n => usize::from(n),
        };
        let (content_type, body) = match rest.iter().position(|&b| b == b'\n') {
            Some(lf) => (&rest[..lf], &rest[lf + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        Some(Scenario {
            calls,
            calls_per_request,
            attempts: 1 + u32::from((flags >> 2) & 0b11),
            status: STATUSES[usize::from((flags >> 4) & 0b111)],
            token: flags & 0x80 != 0,
            content_type: String::from_utf8_lossy(content_type).into_owned(),
            body: Bytes::copy_from_slice(body),
        })
    }
}

/// A token source whose refresh always works, so that 401 answers are retried.
struct RefreshingToken;

impl TokenSource for RefreshingToken {
    fn authorization<'a>(
        &'a self,
        _scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<String, AuthError>> {
        Box::pin(async { Ok("Bearer fuzz".to_owned()) })
    }
}

/// What each call's callbacks saw.
#[derive(Clone, Debug, Default)]
struct Seen {
    own: usize,
    batch_wide: usize,
    own_ok: Option<bool>,
}

/// Runs the batch an input describes and checks the invariants above; panics on the first
/// one broken.
pub fn check_batch_response(data: &[u8]) {
    let Some(scenario) = Scenario::from_input(data) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime");
    runtime.block_on(run(scenario));
}

fn reply(scenario: &Scenario) -> Result<http::Response<Bytes>, TransportError> {
    let Some(status) = scenario.status else {
        return Err("the fuzzer's transport fails".into());
    };
    let mut response = http::Response::new(scenario.body.clone());
    *response.status_mut() = http::StatusCode::from_u16(status).expect("a valid status");
    if let Ok(value) = HeaderValue::from_str(&scenario.content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    // Even a long Retry-After must not make a retry wait (max_backoff is zero).
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("3600"));
    Ok(response)
}

async fn run(scenario: Scenario) {
    let scenario = Arc::new(scenario);
    let exchanges = Arc::new(AtomicUsize::new(0));
    let transport = {
        let scenario = scenario.clone();
        let exchanges = exchanges.clone();
        move |_request: http::Request<Bytes>| {
            exchanges.fetch_add(1, Ordering::Relaxed);
            reply(&scenario)
        }
    };
    let auth = if scenario.token {
        Auth::token_source(RefreshingToken)
    } else {
        Auth::None
    };
    let client: Client = Client::builder(&FUZZ_API)
        .auth(auth)
        .retry(RetryPolicy {
            max_attempts: scenario.attempts,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        })
        .transport(transport)
        .build()
        .expect("the fuzz client builds");

    let seen = Mutex::new(vec![Seen::default(); scenario.calls]);
    let delivered_ok = AtomicUsize::new(0);
    let index_of = |id: &str| -> usize {
        let index: usize = id.parse().expect("generated ids are numbers");
        assert!((1..=scenario.calls).contains(&index), "unknown id {id}");
        index - 1
    };
    let mut batch = client.new_batch();
    batch.max_calls_per_request(scenario.calls_per_request);
    for n in 0..scenario.calls {
        let path = format!("things/{n}");
        // Half the calls decode their body as JSON, half ignore it (methods without a
        // response schema), so that both `Ok` and decode errors happen.
        let own = |id: &str, ok: bool| {
            let mut seen = seen.lock().unwrap();
            let entry = &mut seen[index_of(id)];
            entry.own += 1;
            entry.own_ok = Some(ok);
        };
        let id = if n % 2 == 0 {
            Call::<Value>::new(&client, Method::GET, "fuzz.things.get", path, &[])
                .queue(&mut batch, move |id, result| own(id, result.is_ok()))
        } else {
            Call::<()>::new(&client, Method::DELETE, "fuzz.things.delete", path, &[])
                .queue(&mut batch, move |id, result| own(id, result.is_ok()))
        }
        .expect("the call is queued");
        assert_eq!(id, (n + 1).to_string());
    }
    batch.on_response(|id, outcome| {
        let mut seen = seen.lock().unwrap();
        let entry = &mut seen[index_of(id)];
        assert_eq!(
            entry.own, 1,
            "call {id}: batch-wide callback before its own"
        );
        entry.batch_wide += 1;
        assert_eq!(
            entry.own_ok,
            Some(outcome.is_ok()),
            "call {id}: the two callbacks saw different outcomes"
        );
        if let Ok(part) = outcome {
            delivered_ok.fetch_add(1, Ordering::Relaxed);
            if let Some(content_id) = &part.content_id {
                assert_eq!(
                    decoded_request_id(content_id).as_deref(),
                    Some(id),
                    "call {id} got the part of Content-ID {content_id:?}"
                );
            }
        }
    });
    let summary = batch.execute().await;

    for (index, entry) in seen.into_inner().unwrap().iter().enumerate() {
        assert_eq!(
            entry.own,
            1,
            "call {}: own callback ran {} times",
            index + 1,
            entry.own
        );
        assert_eq!(
            entry.batch_wide,
            1,
            "call {}: batch-wide callback ran {} times",
            index + 1,
            entry.batch_wide
        );
    }
    assert_eq!(
        summary.succeeded + summary.failed,
        scenario.calls,
        "{summary:?}"
    );
    assert_eq!(summary.succeeded, delivered_ok.into_inner(), "{summary:?}");
    let per_round = scenario.calls.div_ceil(scenario.calls_per_request);
    let exchanges = exchanges.load(Ordering::Relaxed);
    assert_eq!(summary.http_requests, exchanges, "{summary:?}");
    assert!(
        exchanges <= per_round * scenario.attempts as usize,
        "{exchanges} HTTP requests for {scenario:?}"
    );
    if scenario.attempts == 1 {
        assert_eq!(summary.retried, 0, "{summary:?}");
    }
}
