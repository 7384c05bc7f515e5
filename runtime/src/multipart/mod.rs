//! The batch wire format: `multipart/mixed` bodies of `application/http` parts. Synchronous,
//! no I/O.
//!
//! A batch request is one HTTP request whose body holds one nested HTTP request per part; the
//! answer holds one nested HTTP response per part, each tagged with `Content-ID:
//! <response-…>`. This module writes the first ([`encode_request`]) and reads the second
//! ([`decode_response`], [`decode_response_bytes`]); for servers and proxies it also reads
//! requests ([`decode_request`]) and writes responses ([`encode_response`]).
//!
//! The decoders accept what real servers send rather than only what RFC 2046 allows: bare LF
//! line ends, preamble and epilogue, header names in any case, a missing or wrong inner
//! `Content-Length`, malformed header lines (skipped), a status line without a reason phrase.
//! Delimiters are found with `memchr::memmem`, and part bodies are [`Bytes`] slices of the
//! input, never copies.
//!
//! ```
//! use discogen_runtime::multipart::{self, RequestPart};
//! use discogen_runtime::http::{HeaderMap, Method};
//!
//! let parts = [RequestPart {
//!     content_id: multipart::content_id("batch42", "pony"),
//!     method: Method::GET,
//!     path_and_query: "/farm/v1/animals/pony".into(),
//!     headers: HeaderMap::new(),
//!     body: Default::default(),
//! }];
//! let boundary = multipart::safe_boundary(&parts);
//! let body = multipart::encode_request(&boundary, &parts);
//!
//! // What a server reads back.
//! let content_type = format!("multipart/mixed; boundary={boundary}");
//! let received = multipart::decode_request(&content_type, body.into()).unwrap();
//! assert_eq!(received[0].path_and_query, "/farm/v1/animals/pony");
//!
//! // Mapping an answer's Content-ID back to the request id.
//! assert_eq!(multipart::decoded_request_id("<response-batch42+pony>").as_deref(), Some("pony"));
//! ```

mod content_id;
mod decode;
mod encode;
mod frame;
mod message;

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

pub use content_id::{content_id, decoded_request_id, request_id_from_content_id};
pub use decode::{
    decode_request, decode_request_lenient, decode_response, decode_response_bytes,
    decode_response_lenient,
};
pub(crate) use encode::random_boundary_with;
pub use encode::{
    boundary_is_safe, encode_request, encode_response, random_boundary, response_boundary_is_safe,
    safe_boundary, safe_response_boundary,
};
pub use frame::MAX_PARTS;
pub use message::{MAX_HEADERS_PER_BODY, MAX_HEADERS_PER_PART};

/// One call inside a batch request, as a client writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestPart {
    /// The whole Content-ID value, angle brackets included (`<BASE+ID>`, see [`content_id`]).
    /// Written as the part's `Content-ID` header; an empty string writes no Content-ID.
    pub content_id: String,
    /// The inner request's method.
    pub method: Method,
    /// Path-only URL with query, e.g. `/farm/v1/animals/pony?fields=kind`. The caller makes
    /// sure it holds no CR or LF.
    pub path_and_query: String,
    /// The inner request's headers (`Content-Type` of the body among them). A
    /// `Content-Length` here is ignored: the encoder writes the body's real length.
    pub headers: HeaderMap,
    /// The inner request's body; empty for none.
    pub body: Bytes,
}

/// One call inside a batch request, as a server reads it ([`decode_request`]).
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedRequestPart {
    /// The part's Content-ID exactly as sent (angle brackets included), if it had one.
    pub content_id: Option<String>,
    /// The inner request's method.
    pub method: Method,
    /// The inner request target as sent, e.g. `/farm/v1/animals/pony?fields=kind`.
    pub path_and_query: String,
    /// The inner request's headers.
    pub headers: HeaderMap,
    /// The inner request's body, a slice of the batch body.
    pub body: Bytes,
}

/// One answer inside a batch response.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponsePart {
    /// The part's Content-ID exactly as the server sent it (`<response-…>`), if any.
    pub content_id: Option<String>,
    /// The inner response's status.
    pub status: StatusCode,
    /// The inner response's headers.
    pub headers: HeaderMap,
    /// The inner response's body, a slice of the batch body when decoded.
    pub body: Bytes,
}

/// Why a batch body (or one part of it) could not be decoded: what, in which part, at which
/// byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// What is wrong.
    pub message: String,
    /// Zero-based index of the part, when the problem is inside one.
    pub part: Option<usize>,
    /// Byte offset into the body where the problem was found.
    pub offset: usize,
}

impl DecodeError {
    /// An error about the body as a whole.
    pub(crate) fn body(message: impl Into<String>, offset: usize) -> Self {
        DecodeError {
            message: message.into(),
            part: None,
            offset,
        }
    }

    /// An error inside part `part`.
    pub(crate) fn in_part(message: impl Into<String>, part: usize, offset: usize) -> Self {
        DecodeError {
            message: message.into(),
            part: Some(part),
            offset,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.part {
            Some(part) => write!(
                f,
                "{} (part {part}, counting from 0; byte {})",
                self.message, self.offset
            ),
            None => write!(f, "{} (byte {})", self.message, self.offset),
        }
    }
}

impl std::error::Error for DecodeError {}

/// A part that was delimited but could not be decoded. It keeps the part's Content-ID when
/// the part's own headers could be read, so that a caller can fail just the call it answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartError {
    /// The part's Content-ID exactly as sent, if it could be read.
    pub content_id: Option<String>,
    /// What is wrong with the part.
    pub error: DecodeError,
}

impl fmt::Display for PartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.content_id {
            Some(id) => write!(f, "{} (Content-ID {id})", self.error),
            None => self.error.fmt(f),
        }
    }
}

impl std::error::Error for PartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// What a lenient decoder found: every delimited part, decoded or not, in wire order, and the
/// problem with the body as a whole, if any.
///
/// A body cut short keeps its complete parts: the unfinished last part is an `Err` and
/// [`error`](Self::error) says the closing delimiter never came. A body that cannot be framed
/// at all (no boundary parameter, no opening delimiter) has no parts and an error.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedParts<T> {
    /// One entry per part, in the order the parts appear in the body.
    pub parts: Vec<Result<T, PartError>>,
    /// A problem with the body as a whole.
    pub error: Option<DecodeError>,
}

impl<T> DecodedParts<T> {
    /// All parts, or the first error: a part's error if one failed, else the body's.
    pub fn into_result(self) -> Result<Vec<T>, DecodeError> {
        let mut parts = Vec::with_capacity(self.parts.len());
        for part in self.parts {
            parts.push(part.map_err(|e| e.error)?);
        }
        match self.error {
            Some(error) => Err(error),
            None => Ok(parts),
        }
    }
}
