//! The HTTP seam: what sends a request and brings back the answer.
//!
//! By default a [`Client`](crate::Client) sends over its `reqwest::Client`. A [`Transport`]
//! given to [`ClientBuilder::transport`](crate::ClientBuilder::transport) replaces that for
//! every exchange (single calls, batch requests, upload chunks, downloads): a canned answer
//! in a test or a benchmark, a recording proxy, another HTTP stack. Everything above the
//! seam — URLs, headers, auth, batch encoding and decoding, retries, callbacks — runs as usual.

use std::sync::Arc;

use bytes::Bytes;

use crate::BoxFuture;

/// The error a [`Transport`] reports; it reaches callers as [`Error::Transport`](crate::Error::Transport).
pub type TransportError = Box<dyn std::error::Error + Send + Sync>;

/// Sends one HTTP request with a whole body and returns the whole answer, whatever its status.
///
/// The request carries an absolute URI (query and API key included) and every header the
/// runtime would send (defaults, `Authorization`, `Content-Type`). Timeouts and the response
/// size limit of the client still apply around it. A download over a custom transport is
/// handed out as one chunk.
///
/// A synchronous closure is a transport:
///
/// ```
/// use discogen_runtime::{bytes::Bytes, http, Client, ApiInfo};
///
/// static API: ApiInfo = ApiInfo {
///     name: "farm", version: "v1", root_url: "https://farm.example.com/",
///     service_path: "farm/v1/", batch_path: "batch",
/// };
/// let client: Client = Client::builder(&API)
///     .transport(|request: http::Request<Bytes>| {
///         assert_eq!(request.uri(), "https://farm.example.com/farm/v1/animals/1");
///         Ok(http::Response::new(Bytes::from_static(br#"{"name":"Bessie"}"#)))
///     })
///     .build()
///     .unwrap();
/// ```
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and returns the answer (any status is `Ok`; only a failure to
    /// exchange is an error).
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>>;
}

impl<F> Transport for F
where
    F: Fn(http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError>
        + Send
        + Sync
        + 'static,
{
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let answer = self(request);
        Box::pin(std::future::ready(answer))
    }
}

/// What a client sends with.
#[derive(Clone)]
pub(crate) enum Sender {
    /// The default: reqwest, with streaming downloads.
    Reqwest(reqwest::Client),
    /// A user's transport.
    Custom(Arc<dyn Transport>),
}
