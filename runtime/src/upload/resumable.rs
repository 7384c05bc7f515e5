//! Google's resumable upload protocol.
//!
//! 1. `POST rootUrl/<upload path>?uploadType=resumable` with the metadata (if any) and
//!    `X-Upload-Content-Type` / `X-Upload-Content-Length`; the session URI is in `Location`.
//! 2. `PUT <session>` chunk after chunk with `Content-Range: bytes a-b/total` (`/*` while the
//!    total is unknown; `bytes */total` with no body when the end falls on a chunk boundary).
//!    `308` means "more": its `Range: bytes=0-N` says the server holds bytes up to N (none
//!    without the header). `200`/`201` ends the upload with the method's response.
//! 3. After an interruption (transport error, timeout, 429, 5xx) an empty `PUT` with
//!    `Content-Range: bytes */total` (or `*/*`) asks what the server holds, and the upload goes
//!    on from there. A 401 gets one token refresh.

use http::header::{AUTHORIZATION, CONTENT_RANGE, LOCATION, RANGE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use super::source::Chunks;
use super::upload_url;
use crate::call::RawRequest;
use crate::client::ClientInner;
use crate::executor::{
    self, Body, Deadline, HttpRequest, RawResponse, api_error, attempt_headers, send_once,
};
use crate::retry::Retry;
use crate::trace::Span;
use crate::{Error, RetryPolicy};

const X_UPLOAD_CONTENT_TYPE: HeaderName = HeaderName::from_static("x-upload-content-type");
const X_UPLOAD_CONTENT_LENGTH: HeaderName = HeaderName::from_static("x-upload-content-length");

/// One resumable upload of one call.
pub(super) struct ResumableUpload<'u> {
    pub(super) client: &'u ClientInner,
    pub(super) request: &'u RawRequest,
    /// Relative to rootUrl.
    pub(super) path: &'u str,
    pub(super) media_type: HeaderValue,
    /// A multiple of 256 KiB.
    pub(super) chunk_size: usize,
    pub(super) span: &'u Span,
}

/// What one `PUT` to the session achieved.
enum Progress {
    /// The upload is complete: the method's response.
    Complete(RawResponse),
    /// The server holds the bytes before this offset and wants the rest.
    Incomplete(u64),
}

/// Why a `PUT` to the session failed.
enum Failure {
    /// Worth asking the server what it holds and going on (after a backoff).
    Interrupted(Error, Retry),
    /// The upload cannot go on.
    Fatal(Error),
}

impl ResumableUpload<'_> {
    /// Starts the session and sends `chunks`, resuming after interruptions.
    pub(super) async fn run(self, mut chunks: Chunks) -> Result<RawResponse, Error> {
        let session = self.start(chunks.length()).await?;
        let policy = &self.client.retry;
        // Bytes the server acknowledged.
        let mut offset = 0u64;
        // Consecutive failures (and answers without progress) since the last progress.
        let mut failures = 0u32;
        let mut refreshed = false;
        // Whether the server must be asked what it holds before the next chunk.
        let mut ask = false;
        // Whether a request carrying the last byte was sent: only then can the upload end.
        let mut end_sent = false;
        // Offset just past the last byte sent.
        let mut sent_to = 0u64;
        loop {
            let asked = ask;
            let outcome = if ask {
                self.put(&session, None, chunk_status_range(chunks.length()))
                    .await
            } else {
                let chunk = chunks.chunk(offset, self.chunk_size).await?;
                let end = offset + chunk.len() as u64;
                let total = chunks.length();
                end_sent |= total == Some(end);
                sent_to = sent_to.max(end);
                let range = chunk_range(offset, chunk.len(), total);
                self.put(&session, Some(chunk), range).await
            };
            match outcome {
                Ok(Progress::Complete(response)) if end_sent => {
                    self.span
                        .count("bytes_sent", chunks.length().unwrap_or(offset));
                    return Ok(response);
                }
                Ok(Progress::Complete(_)) => {
                    return Err(Error::ResumableUpload(format!(
                        "the server ended the upload after byte {offset}, before all of the \
                         media was sent"
                    )));
                }
                Ok(Progress::Incomplete(next)) => {
                    if next > sent_to {
                        return Err(Error::ResumableUpload(format!(
                            "the server says it holds {next} bytes, but only {sent_to} were sent"
                        )));
                    }
                    if next > offset {
                        failures = 0;
                    } else if !asked {
                        // A chunk the server took nothing of. (After an interruption, the
                        // answer to "what do you hold?" need not show progress.)
                        failures += 1;
                        check_failures(failures, policy, || {
                            Error::ResumableUpload(format!(
                                "the server accepted no bytes after byte {offset} in \
                                 {failures} attempts"
                            ))
                        })?;
                    }
                    self.span.count("bytes_sent", next);
                    offset = next;
                    ask = false;
                }
                Err(Failure::Interrupted(error, retry)) => {
                    failures += 1;
                    check_failures(failures, policy, || error.clone())?;
                    match retry {
                        Retry::AfterRefresh if !refreshed => {
                            refreshed = true;
                            if !self.client.auth.refresh(self.request.scopes).await? {
                                return Err(error);
                            }
                        }
                        Retry::AfterRefresh => return Err(error),
                        Retry::AfterBackoff(retry_after) => {
                            tokio::time::sleep(policy.backoff(failures, retry_after)).await;
                        }
                        Retry::No => {}
                    }
                    ask = true;
                }
                Err(Failure::Fatal(error)) => return Err(error),
            }
        }
    }

    /// Starts the session: the metadata goes with this request; returns the session URI.
    async fn start(&self, total: Option<u64>) -> Result<String, Error> {
        let request = self.request;
        let mut headers = request.headers.clone();
        headers.insert(X_UPLOAD_CONTENT_TYPE, self.media_type.clone());
        if let Some(total) = total {
            headers.insert(X_UPLOAD_CONTENT_LENGTH, HeaderValue::from(total));
        }
        // Without metadata the body is empty, but still sent: POST needs a Content-Length.
        let body = Body {
            content_type: request
                .body
                .as_ref()
                .map(|_| HeaderValue::from_static("application/json; charset=UTF-8")),
            data: request.body.clone().unwrap_or_default(),
        };
        let url = upload_url(self.client, request, self.path, "resumable");
        let http_request = HttpRequest {
            method: request.method.clone(),
            url,
            headers: &headers,
            body: Some(body),
            scopes: request.scopes,
            method_id: request.method_id,
        };
        let response = executor::send_single(self.client, &http_request).await?;
        let location = response
            .headers
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| {
                Error::ResumableUpload(format!(
                    "the server answered the start of the session with {} but no Location \
                     header (the session URI)",
                    response.status
                ))
            })?;
        // A relative Location is relative to the request.
        let session = reqwest::Url::parse(&http_request.url)
            .and_then(|base| base.join(location))
            .map_err(|e| {
                Error::ResumableUpload(format!("invalid session URI {location:?}: {e}"))
            })?;
        Ok(session.into())
    }

    /// One `PUT` to the session: a chunk, or (without one) a status query.
    async fn put(
        &self,
        session: &str,
        chunk: Option<bytes::Bytes>,
        content_range: String,
    ) -> Result<Progress, Failure> {
        let content_type = chunk
            .as_ref()
            .filter(|chunk| !chunk.is_empty())
            .map(|_| &self.media_type);
        // The session URI stands for the call; of the call's own headers only a per-call
        // Authorization still applies.
        let mut own = HeaderMap::new();
        if let Some(value) = self.request.headers.get(AUTHORIZATION) {
            own.insert(AUTHORIZATION, value.clone());
        }
        let mut headers = attempt_headers(self.client, &own, self.request.scopes, content_type)
            .await
            .map_err(Failure::Fatal)?;
        let content_range = HeaderValue::from_str(&content_range)
            .expect("a Content-Range made of digits, `bytes`, `-`, `/` and `*`");
        headers.insert(CONTENT_RANGE, content_range);
        let deadline = self.client.timeout.map(Deadline::after);
        let body = chunk.unwrap_or_default();
        let response = send_once(
            self.client,
            Method::PUT,
            session,
            headers,
            Some(body),
            deadline,
        )
        .await
        .map_err(|error| match error {
            Error::Transport(_) | Error::Timeout(_) => {
                Failure::Interrupted(error, Retry::AfterBackoff(None))
            }
            error => Failure::Fatal(error),
        })?;
        self.span.status(response.status);
        match response.status {
            StatusCode::OK | StatusCode::CREATED => Ok(Progress::Complete(response)),
            StatusCode::PERMANENT_REDIRECT => received(&response.headers).map(Progress::Incomplete),
            status => match Retry::for_status(status, &response.headers) {
                Retry::No => Err(Failure::Fatal(api_error(response))),
                retry => Err(Failure::Interrupted(api_error(response), retry)),
            },
        }
    }
}

/// Fails with `error()` once `failures` reach the policy's attempts.
fn check_failures(
    failures: u32,
    policy: &RetryPolicy,
    error: impl FnOnce() -> Error,
) -> Result<(), Error> {
    if failures >= policy.max_attempts {
        Err(error())
    } else {
        Ok(())
    }
}

/// `bytes a-b/total` for a chunk; `bytes */total` for the empty last request of media whose
/// end fell on a chunk boundary (or that is empty).
fn chunk_range(offset: u64, len: usize, total: Option<u64>) -> String {
    let total = total.map_or_else(|| "*".to_owned(), |total| total.to_string());
    if len == 0 {
        format!("bytes */{total}")
    } else {
        format!("bytes {offset}-{}/{total}", offset + len as u64 - 1)
    }
}

/// `bytes */total` (or `bytes */*`): "what do you hold?"
fn chunk_status_range(total: Option<u64>) -> String {
    chunk_range(0, 0, total)
}

/// The offset after the bytes a `308` says the server holds: `Range: bytes=0-N` → N + 1; no
/// `Range` → 0.
fn received(headers: &HeaderMap) -> Result<u64, Failure> {
    let Some(value) = headers.get(RANGE) else {
        return Ok(0);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let range = text.strip_prefix("bytes=").unwrap_or(text);
    let parsed = range
        .split_once('-')
        .filter(|(start, _)| start.trim() == "0")
        .and_then(|(_, last)| last.trim().parse::<u64>().ok());
    match parsed {
        Some(last) => Ok(last + 1),
        None => Err(Failure::Fatal(Error::ResumableUpload(format!(
            "the server's 308 answer has a Range header that is not `bytes=0-N`: {value:?}"
        )))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(chunk_range(0, 10, Some(25)), "bytes 0-9/25");
        assert_eq!(chunk_range(20, 5, Some(25)), "bytes 20-24/25");
        assert_eq!(chunk_range(10, 10, None), "bytes 10-19/*");
        assert_eq!(chunk_range(20, 0, Some(20)), "bytes */20");
        assert_eq!(chunk_range(0, 0, Some(0)), "bytes */0");
        assert_eq!(chunk_status_range(None), "bytes */*");
    }

    #[test]
    fn ranges_received() {
        let mut headers = HeaderMap::new();
        assert!(matches!(received(&headers), Ok(0)));
        headers.insert(RANGE, HeaderValue::from_static("bytes=0-262143"));
        assert!(matches!(received(&headers), Ok(262_144)));
        headers.insert(RANGE, HeaderValue::from_static("0-9"));
        assert!(matches!(received(&headers), Ok(10)));
        headers.insert(RANGE, HeaderValue::from_static("bytes=5-9"));
        assert!(matches!(received(&headers), Err(Failure::Fatal(_))));
        headers.insert(RANGE, HeaderValue::from_static("bytes=0-x"));
        assert!(matches!(received(&headers), Err(Failure::Fatal(_))));
    }
}
