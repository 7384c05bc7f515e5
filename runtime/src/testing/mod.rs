//! A real HTTP/1.1 server on 127.0.0.1 that serves single calls and batch requests the way
//! Google's batch endpoint does, with switches to misbehave (feature `testing`).
//!
//! Requests to the batch path (default `/batch`) are unwrapped: each part gets the outer
//! request's headers (except `Content-*` and connection headers) and query parameters unless
//! it has its own, goes to the handler as one [`TestRequest`], and its [`TestResponse`]
//! becomes one part of a `multipart/mixed` answer tagged `Content-ID: <response-…>`. Any other
//! path goes to the handler as a single call. Everything received is recorded for assertions.
//!
//! ```
//! use discogen_runtime::testing::{Misbehavior, PartFailure, TestResponse, TestServer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = TestServer::start(|request| match request.path.as_str() {
//!     "/farm/v1/animals/pony" => TestResponse::json(200, &serde_json::json!({ "animalName": "pony" })),
//!     _ => TestResponse::google_error(404, "no such animal"),
//! })
//! .await;
//! // Point a client at server.url() (single calls) and server.batch_url() (batches), then:
//! server.set_misbehavior(Misbehavior {
//!     fail_parts: vec![PartFailure::request_id("pony", 503).for_batches(1).retry_after("0")],
//!     ..Misbehavior::default()
//! });
//! assert_eq!(server.batches_received(), 0);
//! # }
//! ```

mod batch;
mod exchange;
mod misbehavior;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use http::header::{CONTENT_LENGTH, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt as _, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

pub use exchange::{RawResponse, TestRequest, TestResponse};
pub use misbehavior::{BatchFailure, Misbehavior, PartFailure, PartOrder, PartTarget, Stall};

type Handler = dyn Fn(&TestRequest) -> TestResponse + Send + Sync;
type DropPredicate = dyn Fn(&TestRequest) -> bool + Send + Sync;

/// A running test server; stops when dropped (or with [`shutdown`](Self::shutdown)).
///
/// Start it inside a Tokio runtime: its tasks run there.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: Option<JoinHandle<()>>,
}

/// Options for [`TestServer`]: the batch path and the initial misbehaviour.
#[derive(Clone)]
pub struct TestServerBuilder {
    batch_path: String,
    misbehavior: Misbehavior,
    drop_connection: Option<Arc<DropPredicate>>,
}

impl Default for TestServerBuilder {
    fn default() -> Self {
        TestServerBuilder {
            batch_path: "/batch".into(),
            misbehavior: Misbehavior::default(),
            drop_connection: None,
        }
    }
}

impl std::fmt::Debug for TestServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServerBuilder")
            .field("batch_path", &self.batch_path)
            .field("misbehavior", &self.misbehavior)
            .field("drop_connection", &self.drop_connection.is_some())
            .finish()
    }
}

impl TestServerBuilder {
    /// Where batch requests go, e.g. `batch` (the Farm API's batchPath) or
    /// `/batch/farm/v1`; a leading `/` is added when missing.
    pub fn batch_path(mut self, path: &str) -> Self {
        self.batch_path = format!("/{}", path.trim_start_matches('/'));
        self
    }

    /// How to misbehave from the first request on.
    pub fn misbehavior(mut self, misbehavior: Misbehavior) -> Self {
        self.misbehavior = misbehavior;
        self
    }

    /// Closes the connection without answering (and without calling the handler) when
    /// `predicate` says so for a request (received whole and recorded): the client sees its
    /// connection drop, as when a network or a server fails mid-exchange. The predicate may
    /// keep state, e.g. to drop only the third request.
    pub fn drop_connection_when<P>(mut self, predicate: P) -> Self
    where
        P: Fn(&TestRequest) -> bool + Send + Sync + 'static,
    {
        self.drop_connection = Some(Arc::new(predicate));
        self
    }

    /// Starts the server on a free port of 127.0.0.1.
    ///
    /// # Panics
    /// When no port can be bound (use [`try_start`](Self::try_start) to get the error).
    pub async fn start<H>(self, handler: H) -> TestServer
    where
        H: Fn(&TestRequest) -> TestResponse + Send + Sync + 'static,
    {
        match self.try_start(handler).await {
            Ok(server) => server,
            Err(error) => panic!("cannot start the test server on 127.0.0.1: {error}"),
        }
    }

    /// Starts the server on a free port of 127.0.0.1.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn try_start<H>(self, handler: H) -> io::Result<TestServer>
    where
        H: Fn(&TestRequest) -> TestResponse + Send + Sync + 'static,
    {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            handler: Box::new(handler),
            batch_path: self.batch_path,
            drop_connection: self.drop_connection,
            misbehavior: Mutex::new(self.misbehavior),
            records: Mutex::new(Records::default()),
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        Ok(TestServer {
            addr,
            state,
            task: Some(task),
        })
    }
}

impl TestServer {
    /// Starts a server with the default options (batch path `/batch`, behaving).
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start<H>(handler: H) -> TestServer
    where
        H: Fn(&TestRequest) -> TestResponse + Send + Sync + 'static,
    {
        TestServerBuilder::default().start(handler).await
    }

    /// Options before starting.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// The server's root URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The batch endpoint's URL, `http://127.0.0.1:PORT/batch` by default.
    pub fn batch_url(&self) -> String {
        format!("http://{}{}", self.addr, self.state.batch_path)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the misbehaviour; it applies from the next request on.
    pub fn set_misbehavior(&self, misbehavior: Misbehavior) {
        *lock(&self.state.misbehavior) = misbehavior;
    }

    /// The misbehaviour in force, with the failure counters as they stand now.
    pub fn misbehavior(&self) -> Misbehavior {
        lock(&self.state.misbehavior).clone()
    }

    /// Every HTTP request received (single calls and outer batch requests), in order.
    pub fn requests(&self) -> Vec<TestRequest> {
        lock(&self.state.records).requests.clone()
    }

    /// Every part unwrapped from batch requests, as the handler saw it (outer headers and
    /// query applied), in order.
    pub fn parts(&self) -> Vec<TestRequest> {
        lock(&self.state.records).parts.clone()
    }

    /// How many requests came to the batch path.
    pub fn batches_received(&self) -> usize {
        lock(&self.state.records).batches
    }

    /// How many requests came to other paths.
    pub fn single_calls_received(&self) -> usize {
        let records = lock(&self.state.records);
        records.requests.len() - records.batches
    }

    /// Forgets what was recorded (the batch numbering starts again at 0).
    pub fn clear_records(&self) {
        *lock(&self.state.records) = Records::default();
    }

    /// Stops accepting, closes every connection and waits until the server's tasks end.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            // The task ends cancelled; that is the expected outcome.
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            // Aborting the accept loop drops its JoinSet, which aborts every connection.
            task.abort();
        }
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("batch_path", &self.state.batch_path)
            .finish()
    }
}

/// What the server shares between its connections.
pub(crate) struct State {
    handler: Box<Handler>,
    batch_path: String,
    drop_connection: Option<Arc<DropPredicate>>,
    misbehavior: Mutex<Misbehavior>,
    records: Mutex<Records>,
}

#[derive(Default)]
struct Records {
    requests: Vec<TestRequest>,
    parts: Vec<TestRequest>,
    /// How many of `requests` came to the batch path.
    batches: usize,
}

/// A failure status and its `Retry-After`, decided for one part.
pub(crate) type DecidedFailure = Option<(StatusCode, Option<String>)>;

impl State {
    /// Records an outer request; returns the batch number for a batch request.
    fn record_request(&self, request: &TestRequest, is_batch: bool) -> usize {
        let mut records = lock(&self.records);
        records.requests.push(request.clone());
        let batch = records.batches;
        records.batches += usize::from(is_batch);
        batch
    }

    pub(crate) fn record_parts(&self, parts: impl Iterator<Item = TestRequest>) {
        lock(&self.records).parts.extend(parts);
    }

    /// The switches for one batch, spending the counters of the failures it uses: the whole
    /// batch's failure, or else each part's failure (first matching entry wins).
    pub(crate) fn take_batch_switches<E>(
        &self,
        parts: &[Result<TestRequest, E>],
    ) -> (Misbehavior, Vec<DecidedFailure>) {
        let mut shared = lock(&self.misbehavior);
        let mut snapshot = shared.clone();
        let mut failures = vec![None; parts.len()];
        if snapshot.raw_response.is_some() {
            return (snapshot, failures);
        }
        match &mut shared.fail_batch {
            Some(failure) if failure.batches != Some(0) => {
                failure.batches = failure.batches.map(|n| n - 1);
                return (snapshot, failures);
            }
            _ => snapshot.fail_batch = None,
        }
        if snapshot.non_multipart {
            return (snapshot, failures);
        }
        let mut used = vec![false; shared.fail_parts.len()];
        for (index, part) in parts.iter().enumerate() {
            let Ok(request) = part else { continue };
            let request_id = request.request_id();
            if let Some(i) = shared
                .fail_parts
                .iter()
                .position(|f| f.hits(index, request_id.as_deref()))
            {
                let failure = &shared.fail_parts[i];
                failures[index] = Some((failure.status, failure.retry_after.clone()));
                used[i] = true;
            }
        }
        for (failure, used) in shared.fail_parts.iter_mut().zip(used) {
            if used {
                failure.batches = failure.batches.map(|n| n - 1);
            }
        }
        (snapshot, failures)
    }
}

/// Locks a mutex whether or not a handler panicked while another request held it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An answer before the transport-level switches; `raw` answers get no `Content-Length`.
pub(crate) struct Outgoing {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    raw: bool,
}

impl Outgoing {
    pub(crate) fn raw(response: RawResponse) -> Self {
        Outgoing {
            status: response.status,
            headers: response.headers,
            body: response.body,
            raw: true,
        }
    }
}

impl From<TestResponse> for Outgoing {
    fn from(response: TestResponse) -> Self {
        Outgoing {
            status: response.status,
            headers: response.headers,
            body: response.body,
            raw: false,
        }
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors or similar: wait instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        // Latency matters more than packet count on loopback.
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        connections.spawn(async move {
            let service = service_fn(move |request| serve(Arc::clone(&state), request));
            // A connection error (client gone, body cut on purpose) ends just this connection.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type OutBody = UnsyncBoxBody<Bytes, io::Error>;

async fn serve(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<OutBody>, io::Error> {
    let (head, body) = request.into_parts();
    // A body the client did not finish sending is recorded as far as it came.
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let target = head.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let request = TestRequest::new(head.method, target, head.headers, body);
    let is_batch = request.path == state.batch_path;
    if let Some(predicate) = &state.drop_connection {
        if predicate(&request) {
            state.record_request(&request, is_batch);
            // An error from the service makes hyper close the connection without an answer.
            return Err(io::Error::other(
                "test server: connection dropped on purpose",
            ));
        }
    }
    let misbehavior = lock(&state.misbehavior).clone();
    let outgoing = if is_batch {
        let batch = state.record_request(&request, true);
        batch::answer_batch(&state, &request, batch)
    } else {
        state.record_request(&request, false);
        match misbehavior.raw_response.clone() {
            Some(raw) => Outgoing::raw(raw),
            None => Outgoing::from(state.call_handler(&request)),
        }
    };
    if let Some(delay) = misbehavior.delay {
        tokio::time::sleep(delay).await;
    }
    Ok(into_response(outgoing, &misbehavior))
}

impl State {
    /// Runs the handler. One that panics (a failed assertion inside it, say) answers 500
    /// with the message, in its own part for a batch, rather than dropping the connection.
    pub(crate) fn call_handler(&self, request: &TestRequest) -> TestResponse {
        catch_unwind(AssertUnwindSafe(|| (self.handler)(request))).unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("the handler panicked");
            TestResponse::google_error(500, &format!("test server handler panicked: {message}"))
        })
    }
}

/// One step of sending a body.
enum Chunk {
    Data(Bytes),
    /// Pending once, so hyper flushes what it buffered (the head and the data so far) before
    /// an error or early end aborts the connection and discards its buffer.
    Flush,
    Stall(Duration),
    Fail,
}

/// Builds the HTTP answer with the transport-level switches: Content-Length (true or lying),
/// a stall mid-body, a body cut short.
fn into_response(outgoing: Outgoing, misbehavior: &Misbehavior) -> Response<OutBody> {
    let Outgoing {
        status,
        mut headers,
        body,
        raw,
    } = outgoing;
    if !raw {
        let offset = misbehavior.content_length_offset.unwrap_or(0);
        let declared = (body.len() as i64).saturating_add(offset).max(0);
        headers.insert(CONTENT_LENGTH, HeaderValue::from(declared));
    }
    let mut chunks = match misbehavior.stall {
        Some(stall) if stall.after_bytes < body.len() => vec![
            Chunk::Data(body.slice(..stall.after_bytes)),
            Chunk::Stall(stall.duration),
            Chunk::Data(body.slice(stall.after_bytes..)),
        ],
        _ => vec![Chunk::Data(body)],
    };
    if let Some(limit) = misbehavior.cut_body_after {
        let mut left = limit;
        chunks.retain_mut(|chunk| match chunk {
            Chunk::Data(data) => {
                data.truncate(left);
                left -= data.len();
                true
            }
            _ => left > 0,
        });
        chunks.push(Chunk::Flush);
        chunks.push(Chunk::Fail);
    } else if misbehavior
        .content_length_offset
        .is_some_and(|offset| offset > 0)
    {
        chunks.push(Chunk::Flush);
    }
    // The body's length stays unknown to hyper, so the Content-Length above is what it sends
    // and enforces (truncating a longer body, failing on a shorter one).
    let stream = futures_util::stream::iter(chunks).filter_map(|chunk| async move {
        match chunk {
            Chunk::Data(data) if data.is_empty() => None,
            Chunk::Data(data) => Some(Ok(Frame::data(data))),
            Chunk::Flush => {
                tokio::task::yield_now().await;
                None
            }
            Chunk::Stall(duration) => {
                tokio::time::sleep(duration).await;
                None
            }
            Chunk::Fail => Some(Err(io::Error::other(
                "test server: body cut short on purpose",
            ))),
        }
    });
    let mut response = Response::new(StreamBody::new(stream).boxed_unsync());
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
