//! Decoding batch bodies: responses for clients, requests for servers.

use bytes::Bytes;
use http::HeaderMap;

use super::frame::{PartSpan, boundary_from_content_type, split_parts};
use super::message::{
    Lines, MAX_HEADERS_PER_BODY, looks_like_request_line, looks_like_status_line, read_body,
    read_headers, read_part_headers, read_request_line, read_status,
};
use super::{DecodeError, DecodedParts, DecodedRequestPart, PartError, ResponsePart};

/// Decodes a batch response body; `content_type` is the outer Content-Type header.
///
/// Copies `body` once into a [`Bytes`] and calls [`decode_response_bytes`]; callers that hold
/// the body as `Bytes` already should call that directly.
///
/// # Errors
/// The first problem found: the body's framing (no boundary parameter, no opening delimiter,
/// no closing delimiter, more than [`MAX_PARTS`](super::MAX_PARTS) parts) or a part that
/// cannot be read (no status line). Use
/// [`decode_response_lenient`] to keep the good parts of a partly bad body.
pub fn decode_response(content_type: &str, body: &[u8]) -> Result<Vec<ResponsePart>, DecodeError> {
    decode_response_bytes(content_type, Bytes::copy_from_slice(body))
}

/// Decodes a batch response body held as [`Bytes`]: each part's body is a slice of `body`,
/// not a copy.
///
/// # Errors
/// As [`decode_response`].
pub fn decode_response_bytes(
    content_type: &str,
    body: Bytes,
) -> Result<Vec<ResponsePart>, DecodeError> {
    decode_response_lenient(content_type, body).into_result()
}

/// Decodes a batch response body, keeping every part that can be read even when others, or
/// the framing, are broken: see [`DecodedParts`]. This is what a batch executor uses to fail
/// only the calls whose answers are missing or unreadable.
pub fn decode_response_lenient(content_type: &str, body: Bytes) -> DecodedParts<ResponsePart> {
    decode_parts(content_type, &body, response_part)
}

/// Decodes a batch request body (for servers and proxies); `content_type` is the outer
/// Content-Type header. Part bodies are slices of `body`.
///
/// The same tolerances as [`decode_response`] apply, plus request lines without an HTTP
/// version (`GET /farm/v1/animals`, as in Google's own example) and parts without a
/// Content-ID.
///
/// # Errors
/// The first problem found, as for [`decode_response`]; a part fails when its request line is
/// missing or has an invalid method.
pub fn decode_request(
    content_type: &str,
    body: Bytes,
) -> Result<Vec<DecodedRequestPart>, DecodeError> {
    decode_request_lenient(content_type, body).into_result()
}

/// [`decode_request`], keeping every part that can be read: see [`DecodedParts`].
pub fn decode_request_lenient(content_type: &str, body: Bytes) -> DecodedParts<DecodedRequestPart> {
    decode_parts(content_type, &body, request_part)
}

/// Decodes the part at an index; the last argument is what is left of the header budget.
type PartDecoder<T> = fn(&Bytes, &PartSpan, usize, &mut usize) -> Result<T, PartError>;

fn decode_parts<T>(
    content_type: &str,
    body: &Bytes,
    decode_part: PartDecoder<T>,
) -> DecodedParts<T> {
    let boundary = match boundary_from_content_type(content_type) {
        Ok(boundary) => boundary,
        Err(error) => {
            return DecodedParts {
                parts: Vec::new(),
                error: Some(error),
            };
        }
    };
    let framing = split_parts(body, &boundary);
    let mut budget = MAX_HEADERS_PER_BODY;
    let parts = framing
        .parts
        .iter()
        .enumerate()
        .map(|(index, span)| decode_part(body, span, index, &mut budget))
        .collect();
    DecodedParts {
        parts,
        error: framing.error,
    }
}

/// A part that the body ends inside is reported as cut short, with what its headers said.
fn unclosed(content_id: Option<String>, index: usize, body: &Bytes) -> PartError {
    let message = "the part is cut short: the body ends before the delimiter that closes it";
    PartError {
        content_id,
        error: DecodeError::in_part(message, index, body.len()),
    }
}

/// The part at `span`: its MIME headers, then the nested message's start line (recognised by
/// `is_start_line`, read by `read_start`), headers and body.
fn read_message<S>(
    body: &Bytes,
    span: &PartSpan,
    index: usize,
    budget: &mut usize,
    is_start_line: fn(&[u8]) -> bool,
    read_start: fn(&mut Lines<'_>, usize) -> Result<S, DecodeError>,
) -> Result<(Option<String>, S, HeaderMap, Bytes), PartError> {
    let mut lines = Lines::new(body, span);
    let content_id = read_part_headers(&mut lines, is_start_line);
    if !span.closed {
        return Err(unclosed(content_id, index, body));
    }
    let head = read_start(&mut lines, index)
        .and_then(|start| Ok((start, read_headers(&mut lines, index, budget)?)));
    match head {
        Ok((start, headers)) => {
            let part_body = read_body(&lines, span, &headers);
            Ok((content_id, start, headers, part_body))
        }
        Err(error) => Err(PartError { content_id, error }),
    }
}

fn response_part(
    body: &Bytes,
    span: &PartSpan,
    index: usize,
    budget: &mut usize,
) -> Result<ResponsePart, PartError> {
    let (content_id, status, headers, body) = read_message(
        body,
        span,
        index,
        budget,
        looks_like_status_line,
        read_status,
    )?;
    Ok(ResponsePart {
        content_id,
        status,
        headers,
        body,
    })
}

fn request_part(
    body: &Bytes,
    span: &PartSpan,
    index: usize,
    budget: &mut usize,
) -> Result<DecodedRequestPart, PartError> {
    let (content_id, (method, path_and_query), headers, body) = read_message(
        body,
        span,
        index,
        budget,
        looks_like_request_line,
        read_request_line,
    )?;
    Ok(DecodedRequestPart {
        content_id,
        method,
        path_and_query,
        headers,
        body,
    })
}
