//! The batch wire format: multipart/mixed bodies of `application/http` parts. Synchronous,
//! no I/O.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

/// One call inside a batch request.
#[derive(Clone, Debug)]
pub struct RequestPart {
    /// Written as `Content-ID: <content_id>`.
    pub content_id: String,
    /// The inner request's method.
    pub method: Method,
    /// Path-only URL with query, e.g. `/farm/v1/animals/pony?fields=kind`.
    pub path_and_query: String,
    /// The inner request's headers (`Content-Type` of the body among them).
    pub headers: HeaderMap,
    /// The inner request's body; empty for none.
    pub body: Bytes,
}

/// One answer inside a batch response.
#[derive(Clone, Debug)]
pub struct ResponsePart {
    /// The part's Content-ID exactly as the server sent it (`<response-…>`), if any.
    pub content_id: Option<String>,
    /// The inner response's status.
    pub status: StatusCode,
    /// The inner response's headers.
    pub headers: HeaderMap,
    /// The inner response's body.
    pub body: Bytes,
}

/// Why a batch response could not be decoded: what, in which part, at which byte.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (part {part:?}, byte {offset})")]
pub struct DecodeError {
    /// What is wrong.
    pub message: String,
    /// Zero-based index of the part, when the problem is inside one.
    pub part: Option<usize>,
    /// Byte offset into the body.
    pub offset: usize,
}

/// Encodes a batch request body with `boundary`.
pub fn encode_request(boundary: &str, parts: &[RequestPart]) -> Vec<u8> {
    let _ = (boundary, parts);
    todo!("runtime: encode_request")
}

/// Decodes a batch response body; `content_type` is the outer Content-Type header.
pub fn decode_response(content_type: &str, body: &[u8]) -> Result<Vec<ResponsePart>, DecodeError> {
    let _ = (content_type, body);
    todo!("runtime: decode_response")
}
