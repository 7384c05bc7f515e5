//! Sending HTTP requests: one attempt with its time and size limits, and the retry loop of
//! single calls. Nothing here is generic over a response type.

pub(crate) mod batch;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use tokio::time::Instant;

use crate::client::ClientInner;
use crate::retry::{Plan, Retry, plan};
use crate::trace::Span;
use crate::transport::Sender;
use crate::{ApiError, Error};

/// A request body and its media type.
#[derive(Clone, Debug)]
pub(crate) struct Body {
    /// `None` for an empty body that has no type.
    pub(crate) content_type: Option<HeaderValue>,
    pub(crate) data: Bytes,
}

/// A complete HTTP request of a single call (not a batch), ready to be sent and re-sent.
#[derive(Debug)]
pub(crate) struct HttpRequest<'r> {
    pub(crate) method: Method,
    /// Absolute URL, query (and API key) included.
    pub(crate) url: String,
    /// The call's own headers; they override the client's default headers.
    pub(crate) headers: &'r HeaderMap,
    pub(crate) body: Option<Body>,
    pub(crate) scopes: &'static [&'static str],
    /// The method's id from the document (for spans and error messages).
    pub(crate) method_id: &'static str,
}

/// An answer as received.
#[derive(Clone, Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A point in time by which something must be done, and the timeout to report if it is not.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    pub(crate) timeout: Duration,
}

impl Deadline {
    /// `timeout` from now.
    pub(crate) fn after(timeout: Duration) -> Deadline {
        Deadline {
            at: Instant::now() + timeout,
            timeout,
        }
    }

    /// The earlier of two optional deadlines.
    pub(crate) fn earliest(a: Option<Deadline>, b: Option<Deadline>) -> Option<Deadline> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.at < a.at { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// Runs `future`, or fails with [`Error::Timeout`] when `deadline` passes first.
pub(crate) async fn within<T>(
    deadline: Option<Deadline>,
    future: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match deadline {
        None => future.await,
        Some(deadline) => tokio::time::timeout_at(deadline.at, future)
            .await
            .unwrap_or(Err(Error::Timeout(deadline.timeout))),
    }
}

/// Merges header maps: every name present in `overrides` replaces that name in `base`.
pub(crate) fn merge_headers(base: &mut HeaderMap, overrides: &HeaderMap) {
    for name in overrides.keys() {
        base.remove(name);
    }
    for (name, value) in overrides {
        base.append(name.clone(), value.clone());
    }
}

/// Sends one HTTP request and reads the whole answer, within the client's size limit and
/// `deadline`. Any status is `Ok`; only transport problems, timeouts and size are errors.
pub(crate) async fn send_once(
    client: &ClientInner,
    method: Method,
    url: &str,
    headers: HeaderMap,
    body: Option<Bytes>,
    deadline: Option<Deadline>,
) -> Result<RawResponse, Error> {
    open_once(client, method, url, headers, body, deadline, false)
        .await?
        .read(client.max_response_bytes)
        .await
}

/// An answer whose body was read, or a 2xx answer whose body is left to stream.
#[derive(Debug)]
pub(crate) enum Opened {
    Read(RawResponse),
    Unread(reqwest::Response),
}

impl Opened {
    /// The whole answer: an unread body is read now (at most `limit` bytes).
    async fn read(self, limit: usize) -> Result<RawResponse, Error> {
        match self {
            Opened::Read(response) => Ok(response),
            Opened::Unread(response) => read_response(response, limit).await,
        }
    }
}

/// Sends one HTTP request and waits for the answer's head within `deadline`. With `stream`,
/// a 2xx body is left unread; every other body is read (within the size limit and deadline).
async fn open_once(
    client: &ClientInner,
    method: Method,
    url: &str,
    headers: HeaderMap,
    body: Option<Bytes>,
    deadline: Option<Deadline>,
    stream: bool,
) -> Result<Opened, Error> {
    let http = match &client.http {
        Sender::Reqwest(http) => http,
        Sender::Custom(transport) => {
            let request = custom_request(method, url, headers, body)?;
            let limit = client.max_response_bytes;
            return within(deadline, async {
                let response = transport
                    .send(request)
                    .await
                    .map_err(|error| Error::Transport(Arc::from(error)))?;
                let (head, body) = response.into_parts();
                if body.len() > limit {
                    return Err(Error::ResponseTooLarge { limit });
                }
                Ok(Opened::Read(RawResponse {
                    status: head.status,
                    headers: head.headers,
                    body,
                }))
            })
            .await;
        }
    };
    let mut request = http.request(method, url).headers(headers);
    if let Some(body) = body {
        request = request.body(body);
    }
    within(deadline, async {
        let response = request.send().await.map_err(transport)?;
        if stream && response.status().is_success() {
            return Ok(Opened::Unread(response));
        }
        read_response(response, client.max_response_bytes)
            .await
            .map(Opened::Read)
    })
    .await
}

/// The request handed to a custom [`Transport`](crate::Transport).
fn custom_request(
    method: Method,
    url: &str,
    headers: HeaderMap,
    body: Option<Bytes>,
) -> Result<http::Request<Bytes>, Error> {
    let uri = http::Uri::try_from(url)
        .map_err(|error| Error::InvalidRequest(format!("invalid URL {url:?}: {error}")))?;
    let mut request = http::Request::new(body.unwrap_or_default());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    Ok(request)
}

/// Reads status, headers and the whole body (at most `limit` bytes).
async fn read_response(response: reqwest::Response, limit: usize) -> Result<RawResponse, Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_limited(response, limit).await?;
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// A reqwest error as [`Error::Transport`], with the API key removed from the URL it carries
/// (reqwest errors name the URL, and errors end up in logs).
pub(crate) fn transport(mut error: reqwest::Error) -> Error {
    if let Some(url) = error.url_mut() {
        redact_url(url);
    }
    Error::Transport(Arc::new(error))
}

/// Query parameters whose values are secrets: the API key and OAuth tokens given as
/// parameters (Discovery's standard `key`, `access_token` and `oauth_token`).
pub(crate) const SECRET_PARAMETERS: [&str; 3] = ["key", "access_token", "oauth_token"];

/// Replaces the values of [`SECRET_PARAMETERS`] in `url`'s query with `REDACTED`.
fn redact_url(url: &mut reqwest::Url) {
    let secret = |name: &str| SECRET_PARAMETERS.contains(&name);
    if !url.query_pairs().any(|(name, _)| secret(&name)) {
        return;
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(name, value)| {
            let value = if secret(&name) {
                "REDACTED".to_owned()
            } else {
                value.into_owned()
            };
            (name.into_owned(), value)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
}

/// Reads a response body chunk by chunk, failing as soon as it exceeds `limit` bytes instead
/// of buffering an unbounded body.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Bytes, Error> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(Error::ResponseTooLarge { limit });
    }
    // The common case is a single chunk: keep it without copying.
    let Some(first) = response.chunk().await.map_err(transport)? else {
        return Ok(Bytes::new());
    };
    if first.len() > limit {
        return Err(Error::ResponseTooLarge { limit });
    }
    let Some(second) = response.chunk().await.map_err(transport)? else {
        return Ok(first);
    };
    let mut buffer = BytesMut::with_capacity(first.len() + second.len());
    buffer.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if buffer.len() + chunk.len() > limit {
            return Err(Error::ResponseTooLarge { limit });
        }
        buffer.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(transport)?;
    }
    Ok(buffer.freeze())
}

/// The headers of one attempt: the client's defaults, `Authorization` from the client's auth
/// (unless `own` brings one), then `own` (overriding), then the body's `Content-Type`.
pub(crate) async fn attempt_headers(
    client: &ClientInner,
    own: &HeaderMap,
    scopes: &[&str],
    content_type: Option<&HeaderValue>,
) -> Result<HeaderMap, Error> {
    let mut headers = client.default_headers.clone();
    if !own.contains_key(AUTHORIZATION) {
        if let Some(value) = client.auth.header(scopes).await? {
            headers.insert(AUTHORIZATION, value);
        }
    }
    merge_headers(&mut headers, own);
    if let Some(content_type) = content_type {
        headers.insert(CONTENT_TYPE, content_type.clone());
    }
    Ok(headers)
}

/// Sends a single call, retrying 401 (once, after a token refresh) and 429/5xx (with
/// backoff) as the client's [`RetryPolicy`](crate::RetryPolicy) allows.
///
/// Returns the 2xx answer; 304 becomes [`Error::NotModified`], any other status
/// [`Error::Api`]. Transport errors and timeouts are not retried: the server may have acted on
/// a request whose answer was lost.
pub(crate) async fn send_single(
    client: &ClientInner,
    request: &HttpRequest<'_>,
) -> Result<RawResponse, Error> {
    let span = Span::call(client.api, request.method_id, &request.method);
    span.instrument(open_single(client, request, false, &span))
        .await?
        .read(client.max_response_bytes)
        .await
}

/// [`send_single`], leaving the body of the 2xx answer unread when `stream` is set (its head
/// arrives within the client's timeout; reading the body is up to the caller).
pub(crate) async fn open_single(
    client: &ClientInner,
    request: &HttpRequest<'_>,
    stream: bool,
    span: &Span,
) -> Result<Opened, Error> {
    let policy = &client.retry;
    let mut attempt = 1;
    let mut refreshed = false;
    loop {
        span.attempt(attempt);
        let content_type = request
            .body
            .as_ref()
            .and_then(|body| body.content_type.as_ref());
        let headers =
            attempt_headers(client, request.headers, request.scopes, content_type).await?;
        let body = request.body.as_ref().map(|body| body.data.clone());
        let deadline = client.timeout.map(Deadline::after);
        let opened = open_once(
            client,
            request.method.clone(),
            &request.url,
            headers,
            body,
            deadline,
            stream,
        )
        .await?;
        let response = match opened {
            Opened::Unread(response) => {
                span.status(response.status());
                return Ok(Opened::Unread(response));
            }
            Opened::Read(response) => response,
        };
        span.status(response.status);
        if response.status.is_success() {
            return Ok(Opened::Read(response));
        }
        let retry = Retry::for_status(response.status, &response.headers);
        match plan(retry, attempt, refreshed, &client.auth, policy) {
            Plan::Finish => return Err(status_error(response)),
            Plan::Refresh => {
                client.auth.refresh(request.scopes).await?;
                refreshed = true;
            }
            Plan::Backoff(delay) => tokio::time::sleep(delay).await,
        }
        attempt += 1;
    }
}

/// A non-2xx answer as the caller's error: 304 is [`Error::NotModified`], the rest
/// [`Error::Api`].
pub(crate) fn status_error(response: RawResponse) -> Error {
    if response.status == StatusCode::NOT_MODIFIED {
        Error::NotModified {
            headers: response.headers,
        }
    } else {
        api_error(response)
    }
}

/// A non-2xx answer as [`Error::Api`], whatever its status.
pub(crate) fn api_error(response: RawResponse) -> Error {
    Error::Api(Box::new(ApiError::new(
        response.status,
        response.headers,
        response.body,
    )))
}
