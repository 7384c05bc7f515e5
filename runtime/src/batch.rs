//! Batches: many calls in one multipart/mixed HTTP request, a callback per call.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::call::{RawRequest, RedactedHeaders, RedactedQuery, decode_json};
use crate::multipart::ResponsePart;
use crate::{Call, Client, Error, Response};

/// The id of a call in a batch: given by the caller or generated (`"1"`, `"2"`, …).
pub type RequestId = String;

/// A batch-wide callback: runs for every call, after the call's own callback, with the raw
/// response part or the error.
pub type BatchCallback<'a> = Box<dyn FnMut(&str, Result<&ResponsePart, &Error>) + Send + 'a>;

/// Decodes a call's answer into its own response type and runs its callback. Returns the
/// error the callback got, for the batch-wide callback.
///
/// The part is lent mutably so that its headers can be moved into the [`Response`] rather
/// than copied; the flag says whether the part must be left intact (a batch-wide callback
/// sees it afterwards).
pub(crate) type PartHandler<'a> =
    Box<dyn FnOnce(&str, Result<&mut ResponsePart, Error>, bool) -> Result<(), Error> + Send + 'a>;

/// Longest request id accepted, in bytes.
pub const MAX_REQUEST_ID_LEN: usize = 256;

/// Most calls Google accepts in one HTTP batch request, and the default per-request cap.
pub const MAX_CALLS_PER_REQUEST: usize = 1000;

/// Default number of HTTP batch requests in flight at once.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;

/// What [`Batch::execute`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchSummary {
    /// Calls whose callback got `Ok`.
    pub succeeded: usize,
    /// Calls whose callback got `Err` (304 Not Modified included).
    pub failed: usize,
    /// Calls sent more than once (after a 401, 429 or 5xx).
    pub retried: usize,
    /// HTTP batch requests sent, retries included.
    pub http_requests: usize,
    /// Response parts that matched no call, or a call already answered (first one wins): the
    /// Content-ID as the server sent it, or a description of a part without one.
    pub unmatched_parts: Vec<String>,
}

/// How a queued call is named: a generated number (written out only when the batch runs, so
/// that adding a call makes one string, the one returned), or the id its caller gave.
pub(crate) enum QueuedId {
    Generated(u64),
    Given(RequestId),
}

impl fmt::Debug for QueuedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueuedId::Generated(number) => write!(f, "\"{number}\""),
            QueuedId::Given(id) => fmt::Debug::fmt(id, f),
        }
    }
}

/// A call waiting in a batch.
pub(crate) struct QueuedCall<'a> {
    pub(crate) id: QueuedId,
    pub(crate) request: RawRequest,
    pub(crate) handler: PartHandler<'a>,
}

/// Calls queued for one API's batch endpoint. Add calls with the generated builders'
/// `queue(&mut batch, callback)`, then [`execute`](Batch::execute) it.
///
/// Every call added runs its callback exactly once during `execute`, whatever the server
/// answers (or fails to answer); a call refused by `add` is not in the batch and its callback
/// is dropped unrun.
pub struct Batch<'a> {
    pub(crate) client: Client,
    pub(crate) calls: Vec<QueuedCall<'a>>,
    /// Ids given by callers. Generated ids are not kept: they are the decimal numbers below
    /// `next_id` (skipping given ones), which [`Batch::is_taken`] checks without a lookup.
    given_ids: HashSet<RequestId>,
    /// The next generated id to try.
    next_id: u64,
    pub(crate) on_response: Option<BatchCallback<'a>>,
    pub(crate) max_calls_per_request: usize,
    pub(crate) max_in_flight: usize,
    pub(crate) timeout: Option<Duration>,
}

impl fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Calls<'c, 'a>(&'c [QueuedCall<'a>]);
        impl fmt::Debug for Calls<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(QueuedCallDebug))
                    .finish()
            }
        }
        struct QueuedCallDebug<'c, 'a>(&'c QueuedCall<'a>);
        impl fmt::Debug for QueuedCallDebug<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let request = &self.0.request;
                f.debug_struct("Call")
                    .field("request_id", &self.0.id)
                    .field("method", &request.method)
                    .field("method_id", &request.method_id)
                    .field("path", &request.path)
                    .field("query", &RedactedQuery(&request.query))
                    .field("headers", &RedactedHeaders(&request.headers))
                    .finish()
            }
        }
        f.debug_struct("Batch")
            .field("batch_url", &self.client.batch_url())
            .field("calls", &Calls(&self.calls))
            .field("max_calls_per_request", &self.max_calls_per_request)
            .field("max_in_flight", &self.max_in_flight)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<'a> Batch<'a> {
    /// An empty batch for `client`'s batch URL.
    pub fn new(client: &Client) -> Self {
        Batch {
            client: client.clone(),
            calls: Vec::new(),
            given_ids: HashSet::new(),
            next_id: 1,
            on_response: None,
            max_calls_per_request: MAX_CALLS_PER_REQUEST,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            timeout: None,
        }
    }

    /// Adds `call` under a generated request id (`"1"`, `"2"`, …, skipping ids already taken).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when the call is refused (see [`add_with_id`](Self::add_with_id)).
    pub fn add<T, F>(&mut self, call: Call<T>, callback: F) -> Result<RequestId, Error>
    where
        T: DeserializeOwned + 'static,
        F: FnOnce(&str, Result<Response<T>, Error>) + Send + 'a,
    {
        self.admit(&call)?;
        let (number, id) = loop {
            let number = self.next_id;
            self.next_id += 1;
            let id = number.to_string();
            if !self.given_ids.contains(&id) {
                break (number, id);
            }
        };
        self.push(QueuedId::Generated(number), call, callback);
        Ok(id)
    }

    /// Adds `call` under `request_id`.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`], and the call is not added, when: the id is empty, longer than
    /// [`MAX_REQUEST_ID_LEN`], holds a character that is not printable ASCII, or is already in
    /// the batch; the call was built with a bad header value or body; the call is for another
    /// API than the batch; the call uploads or downloads media (`uploadType`, `alt=media`).
    pub fn add_with_id<T, F>(
        &mut self,
        request_id: impl Into<String>,
        call: Call<T>,
        callback: F,
    ) -> Result<RequestId, Error>
    where
        T: DeserializeOwned + 'static,
        F: FnOnce(&str, Result<Response<T>, Error>) + Send + 'a,
    {
        let id = request_id.into();
        check_request_id(&id)?;
        if self.is_taken(&id) {
            return Err(Error::InvalidRequest(format!(
                "request id {id:?} is already in the batch"
            )));
        }
        self.admit(&call)?;
        self.given_ids.insert(id.clone());
        self.push(QueuedId::Given(id.clone()), call, callback);
        Ok(id)
    }

    /// True when `id` names a call already in the batch: a given id, or a generated one (a
    /// canonical decimal below `next_id` that was not skipped, and skipped ones are given).
    fn is_taken(&self, id: &str) -> bool {
        let generated = !id.starts_with('0')
            && id.len() <= 20
            && id.bytes().all(|b| b.is_ascii_digit())
            && id.parse::<u64>().is_ok_and(|n| n < self.next_id);
        generated || self.given_ids.contains(id)
    }

    /// Sets the batch-wide callback: it runs for every call, after the call's own callback,
    /// with the raw response part (`Ok` when the call's callback got `Ok`) or the error the
    /// call's callback got.
    pub fn on_response<F>(&mut self, callback: F) -> &mut Self
    where
        F: FnMut(&str, Result<&ResponsePart, &Error>) + Send + 'a,
    {
        self.on_response = Some(Box::new(callback));
        self
    }

    /// Caps the calls per HTTP batch request (default and maximum [`MAX_CALLS_PER_REQUEST`];
    /// many APIs allow fewer, e.g. Gmail 100, Calendar 50). Values are clamped to `1..=1000`.
    pub fn max_calls_per_request(&mut self, max: usize) -> &mut Self {
        self.max_calls_per_request = max.clamp(1, MAX_CALLS_PER_REQUEST);
        self
    }

    /// Caps the HTTP batch requests in flight at once (default [`DEFAULT_MAX_IN_FLIGHT`],
    /// at least 1).
    pub fn max_in_flight(&mut self, max: usize) -> &mut Self {
        self.max_in_flight = max.max(1);
        self
    }

    /// Limits the whole of [`execute`](Self::execute), retries and backoff included: when it
    /// expires, every call without an outcome gets [`Error::Timeout`]. Each HTTP request is
    /// also limited by the client's own timeout.
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = Some(timeout);
        self
    }

    /// Number of calls queued.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// True when no call is queued.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Sends every queued call and returns once every callback has run exactly once.
    ///
    /// Calls are sent in HTTP requests of at most `max_calls_per_request`, at most
    /// `max_in_flight` at once. Parts answered 401 are sent again once after the token source
    /// refreshed its token; parts answered 429 or 5xx (and whole requests answered so) are
    /// sent again after a backoff, as the client's [`RetryPolicy`](crate::RetryPolicy)
    /// allows. Transport errors and timeouts are not retried: the server may have acted on
    /// calls whose answer was lost.
    pub async fn execute(self) -> BatchSummary {
        crate::executor::batch::execute(self).await
    }

    /// [`execute`](Self::execute) for programs without an async runtime: runs it on a new
    /// current-thread tokio runtime.
    ///
    /// Called from inside an async runtime (where blocking would stall it), or when no
    /// runtime can be started, every call fails with [`BatchError::Runtime`](crate::BatchError::Runtime)
    /// instead of panicking.
    #[cfg(feature = "blocking")]
    pub fn execute_blocking(self) -> BatchSummary {
        if tokio::runtime::Handle::try_current().is_ok() {
            let message =
                "execute_blocking was called inside an async runtime; use execute().await";
            return crate::executor::batch::fail_all(self, message.to_owned());
        }
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(self.execute()),
            Err(error) => crate::executor::batch::fail_all(
                self,
                format!("cannot start a tokio runtime: {error}"),
            ),
        }
    }

    /// Checks what can be checked before anything is sent.
    fn admit<T>(&self, call: &Call<T>) -> Result<(), Error> {
        let request = &call.request;
        request.check()?;
        let method_id = request.method_id;
        if call.client.batch_url() != self.client.batch_url() {
            return Err(Error::InvalidRequest(format!(
                "{method_id} is a call of the API at {}, not of this batch's API at {}",
                call.client.batch_url(),
                self.client.batch_url()
            )));
        }
        if request.query_value("uploadType").is_some()
            || request.query_value("upload_protocol").is_some()
        {
            return Err(Error::InvalidRequest(format!(
                "{method_id}: a media upload cannot be queued into a batch; send it alone"
            )));
        }
        if request.query_value("alt") == Some("media") {
            return Err(Error::InvalidRequest(format!(
                "{method_id}: a media download (alt=media) cannot be queued into a batch; send it alone"
            )));
        }
        // The path goes verbatim into the part's request line.
        if !request.path.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::InvalidRequest(format!(
                "{method_id}: the path {:?} holds a character that must be percent-encoded",
                request.path
            )));
        }
        Ok(())
    }

    fn push<T, F>(&mut self, id: QueuedId, call: Call<T>, callback: F)
    where
        T: DeserializeOwned + 'static,
        F: FnOnce(&str, Result<Response<T>, Error>) + Send + 'a,
    {
        let handler: PartHandler<'a> = Box::new(move |id, outcome, keep_part| {
            let decoded = outcome.and_then(|part| {
                let headers = if keep_part {
                    part.headers.clone()
                } else {
                    std::mem::take(&mut part.headers)
                };
                decode_json::<T>(part.status, headers, &part.body)
            });
            // The outcome is handed over as it is: re-wrapping the response would copy it.
            let result = match &decoded {
                Ok(_) => Ok(()),
                Err(error) => Err(error.clone()),
            };
            callback(id, decoded);
            result
        });
        self.calls.push(QueuedCall {
            id,
            request: call.request,
            handler,
        });
    }
}

/// Request ids go into Content-ID headers (percent-encoded) and into logs: keep them short
/// and printable.
fn check_request_id(id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::InvalidRequest("a request id cannot be empty".into()));
    }
    if id.len() > MAX_REQUEST_ID_LEN {
        return Err(Error::InvalidRequest(format!(
            "request id of {} bytes is longer than the limit of {MAX_REQUEST_ID_LEN}",
            id.len()
        )));
    }
    if let Some(position) = id.bytes().position(|b| !(b' '..=b'~').contains(&b)) {
        return Err(Error::InvalidRequest(format!(
            "request id {id:?} holds a character that is not printable ASCII at byte {position}"
        )));
    }
    Ok(())
}
