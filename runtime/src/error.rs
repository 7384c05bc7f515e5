//! Errors: one type for single calls and batched calls alike.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::multipart::DecodeError;

/// Why a call did not produce a decoded response.
///
/// Cheap to clone: a batch-wide callback sees the same error the per-call callback got.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered 304 Not Modified to a conditional request (`If-None-Match`): the
    /// copy the caller holds is current. Not a failure of the call.
    #[error("not modified (HTTP 304)")]
    NotModified {
        /// The response headers (the `ETag` among them).
        headers: HeaderMap,
    },
    /// The server answered with a status other than 2xx or 304.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A 2xx answer whose body is not the JSON the method promises.
    #[error("cannot decode the {status} response body: {message}")]
    Decode {
        /// Status of the answer.
        status: StatusCode,
        /// The body as received.
        body: Bytes,
        /// What serde_json said.
        message: String,
    },
    /// The request could not be sent or its answer not received (a `reqwest::Error`, or
    /// what a custom [`Transport`](crate::Transport) reported).
    #[error("HTTP transport error: {0}")]
    Transport(Arc<dyn std::error::Error + Send + Sync>),
    /// No answer within the configured timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The batch response did not answer this call properly.
    #[error("batch: {0}")]
    Batch(BatchError),
    /// The token source failed.
    #[error("authorization failed: {0}")]
    Auth(Arc<dyn std::error::Error + Send + Sync>),
    /// The call was refused before anything was sent (a header value with CR or LF, a bad
    /// request id, a media upload queued into a batch, …).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The response body was larger than the client's limit.
    #[error("response body larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// The media to upload could not be read: a file that cannot be opened, a reader that
    /// failed or ended before its declared length. The message names the file.
    #[error("cannot read the media to upload: {0}")]
    MediaSource(Arc<std::io::Error>),
    /// A resumable upload cannot go on: the server broke the protocol (no session URI, a
    /// malformed `Range`, bytes acknowledged that were never sent, an early end) or accepted
    /// nothing in as many attempts as the retry policy allows.
    #[error("resumable upload: {0}")]
    ResumableUpload(String),
    /// A list method answered a page with the `nextPageToken` that fetched it: following it
    /// would fetch the same page forever, so the page stream ends with this error.
    #[error("pagination: {0}")]
    Pagination(String),
}

impl Error {
    /// True for [`Error::NotModified`].
    pub fn is_not_modified(&self) -> bool {
        matches!(self, Error::NotModified { .. })
    }

    /// The HTTP status of the answer that caused this error, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::NotModified { .. } => Some(StatusCode::NOT_MODIFIED),
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Batch(BatchError::OuterStatus { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// The parsed Google error object, for [`Error::Api`] answers that carry one.
    pub fn google_error(&self) -> Option<&GoogleError> {
        match self {
            Error::Api(api) => api.error.as_ref(),
            _ => None,
        }
    }
}

/// A non-2xx answer: status, headers, raw body and the Google error object in it, if any.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// The status of the answer.
    pub status: StatusCode,
    /// The answer's headers.
    pub headers: HeaderMap,
    /// The body as received.
    pub body: Bytes,
    /// `{"error": {...}}` from the body, when it holds one.
    pub error: Option<GoogleError>,
}

impl ApiError {
    /// Builds the error from an answer, parsing the Google error object when present.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        #[derive(Deserialize)]
        struct Envelope {
            error: GoogleError,
        }
        let error = serde_json::from_slice::<Envelope>(&body)
            .ok()
            .map(|e| e.error);
        ApiError {
            status,
            headers,
            body,
            error,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(error) = &self.error {
            if !error.status.is_empty() {
                write!(f, " {}", error.status)?;
            }
            if !error.message.is_empty() {
                write!(f, ": {}", error.message)?;
            }
        }
        Ok(())
    }
}

/// Google's JSON error object: `{"error": {"code", "message", "status", "errors", "details"}}`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct GoogleError {
    /// The HTTP status code.
    pub code: u16,
    /// A developer-facing message.
    pub message: String,
    /// The canonical status name, e.g. `NOT_FOUND`.
    pub status: String,
    /// The legacy error list.
    pub errors: Vec<GoogleErrorItem>,
    /// Typed details (`@type` + fields), kept as JSON.
    pub details: Vec<serde_json::Value>,
}

/// One entry of [`GoogleError::errors`].
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GoogleErrorItem {
    /// E.g. `global`.
    pub domain: String,
    /// E.g. `notFound`.
    pub reason: String,
    /// A developer-facing message.
    pub message: String,
    /// Where in the request the problem is.
    pub location: String,
    /// E.g. `parameter`.
    pub location_type: String,
}

/// How a batch response failed to answer a call.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The response has no part for this call.
    #[error("the response has no part for this call")]
    MissingPart,
    /// The call's part could not be parsed.
    #[error("cannot parse the response part: {0}")]
    UnparsablePart(DecodeError),
    /// The outer response is not a multipart/mixed body that can be decoded.
    #[error("cannot decode the batch response: {0}")]
    Undecodable(DecodeError),
    /// The outer response is not multipart/mixed.
    #[error("the batch response is not multipart/mixed (Content-Type: {content_type:?})")]
    NotMultipart {
        /// The Content-Type the server sent.
        content_type: String,
    },
    /// The batch could not run at all (e.g. `execute_blocking` inside an async runtime).
    #[error("the batch could not run: {message}")]
    Runtime {
        /// What went wrong.
        message: String,
    },
    /// The outer batch request was answered with a non-2xx status.
    #[error("the batch request failed: {}", .error)]
    OuterStatus {
        /// Status of the outer answer.
        status: StatusCode,
        /// The outer answer in full.
        error: Box<ApiError>,
    },
}
