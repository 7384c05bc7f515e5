//! Batches: many calls in one multipart/mixed HTTP request, a callback per call.

use serde::de::DeserializeOwned;

use crate::multipart::ResponsePart;
use crate::{Call, Client, Error, Response};

/// The id of a call in a batch: given by the caller or generated (`"1"`, `"2"`, …).
pub type RequestId = String;

/// A batch-wide callback: runs for every call, after the call's own callback, with the raw
/// response part or the error.
pub type BatchCallback<'a> = Box<dyn FnMut(&str, Result<&ResponsePart, &Error>) + Send + 'a>;

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
    /// Response parts that matched no call, or a call already answered (first one wins).
    pub unmatched_parts: Vec<String>,
}

/// Calls queued for one API's batch endpoint. Add calls with the generated builders'
/// `queue(&mut batch, callback)`, then [`execute`](Batch::execute) it.
pub struct Batch<'a> {
    pub(crate) client: Client,
    pub(crate) on_response: Option<BatchCallback<'a>>,
}

impl<'a> Batch<'a> {
    /// An empty batch for `client`'s batch URL.
    pub fn new(client: &Client) -> Self {
        Batch { client: client.clone(), on_response: None }
    }

    /// Adds `call` under a generated request id.
    pub fn add<T, F>(&mut self, call: Call<T>, callback: F) -> Result<RequestId, Error>
    where
        T: DeserializeOwned + 'static,
        F: FnOnce(&str, Result<Response<T>, Error>) + Send + 'a,
    {
        let _ = (call, callback);
        todo!("runtime: Batch::add")
    }

    /// Adds `call` under `request_id`; an id already in the batch is an error.
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
        let _ = (request_id.into(), call, callback);
        todo!("runtime: Batch::add_with_id")
    }

    /// Sets the batch-wide callback.
    pub fn on_response<F>(&mut self, callback: F) -> &mut Self
    where
        F: FnMut(&str, Result<&ResponsePart, &Error>) + Send + 'a,
    {
        self.on_response = Some(Box::new(callback));
        self
    }

    /// Sends every queued call and returns once every callback has run exactly once.
    pub async fn execute(self) -> BatchSummary {
        todo!("runtime: Batch::execute")
    }
}
