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
use crate::retry::Retry;
use crate::{ApiError, Error};

/// A request body and its media type.
#[derive(Clone, Debug)]
pub(crate) struct Body {
    pub(crate) content_type: HeaderValue,
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
    let mut request = client.http.request(method, url).headers(headers);
    if let Some(body) = body {
        request = request.body(body);
    }
    within(deadline, async {
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_limited(response, client.max_response_bytes).await?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    })
    .await
}

fn transport(error: reqwest::Error) -> Error {
    Error::Transport(Arc::new(error))
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
    let policy = &client.retry;
    let mut attempt = 1;
    let mut refreshed = false;
    loop {
        let mut headers = client.default_headers.clone();
        if !request.headers.contains_key(AUTHORIZATION) {
            if let Some(value) = client.auth.header(request.scopes).await? {
                headers.insert(AUTHORIZATION, value);
            }
        }
        merge_headers(&mut headers, request.headers);
        if let Some(body) = &request.body {
            headers.insert(CONTENT_TYPE, body.content_type.clone());
        }
        let body = request.body.as_ref().map(|body| body.data.clone());
        let deadline = client.timeout.map(Deadline::after);
        let response = send_once(
            client,
            request.method.clone(),
            &request.url,
            headers,
            body,
            deadline,
        )
        .await?;
        if response.status.is_success() {
            return Ok(response);
        }
        if response.status == StatusCode::NOT_MODIFIED {
            return Err(Error::NotModified {
                headers: response.headers,
            });
        }
        if attempt < policy.max_attempts {
            match Retry::for_status(response.status, &response.headers) {
                Retry::AfterRefresh
                    if !refreshed && client.auth.refresh(request.scopes).await? =>
                {
                    refreshed = true;
                    attempt += 1;
                    continue;
                }
                Retry::AfterBackoff(retry_after) => {
                    tokio::time::sleep(policy.backoff(attempt, retry_after)).await;
                    attempt += 1;
                    continue;
                }
                _ => {}
            }
        }
        return Err(api_error(response));
    }
}

/// A non-2xx, non-304 answer as an error.
pub(crate) fn api_error(response: RawResponse) -> Error {
    Error::Api(Box::new(ApiError::new(
        response.status,
        response.headers,
        response.body,
    )))
}
