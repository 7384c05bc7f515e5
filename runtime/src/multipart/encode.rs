//! Encoding batch bodies: requests for clients, responses for servers; choosing boundaries.

use std::io::Write as _;

use http::header::CONTENT_LENGTH;
use http::{HeaderMap, StatusCode};
use memchr::memmem;

use super::{RequestPart, ResponsePart};

const CRLF: &[u8] = b"\r\n";
const REQUEST_PART_HEADERS: &[u8] =
    b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n";
const RESPONSE_PART_HEADERS: &[u8] = b"Content-Type: application/http\r\n";
const CONTENT_ID: &[u8] = b"Content-ID: ";
/// Room for `Content-Length: ` + 20 digits + CRLF.
const CONTENT_LENGTH_LINE_MAX: usize = 16 + 20 + 2;

/// Encodes a batch request body with `boundary` (send it as `Content-Type: multipart/mixed;
/// boundary=…`).
///
/// Each part is `Content-Type: application/http`, `Content-Transfer-Encoding: binary` and
/// `Content-ID: …` (left out when the part's is empty), a blank line, the request line
/// `METHOD path_and_query HTTP/1.1`, the part's headers, a `Content-Length` when there is a
/// body, a blank line and the body. Lines end in CRLF.
///
/// The caller checks the boundary first with [`boundary_is_safe`] (or picks one with
/// [`safe_boundary`]): a boundary that occurs inside a part would cut it in two.
pub fn encode_request(boundary: &str, parts: &[RequestPart]) -> Vec<u8> {
    let len = parts
        .iter()
        .map(|p| request_part_len(boundary, p))
        .sum::<usize>()
        + closing_len(boundary);
    let mut out = Vec::with_capacity(len);
    for part in parts {
        open_part(&mut out, boundary, REQUEST_PART_HEADERS, &part.content_id);
        out.extend_from_slice(part.method.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(part.path_and_query.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        write_message(&mut out, &part.headers, &part.body);
    }
    close(&mut out, boundary);
    debug_assert!(out.len() <= len, "encode_request under-estimated its size");
    out
}

/// Encodes a batch response body with `boundary`, for servers and tests: each part is
/// `Content-Type: application/http` and its Content-ID (if any), a blank line, `HTTP/1.1
/// <code> <reason>`, the part's headers, a `Content-Length` when there is a body, a blank
/// line and the body. Check the boundary with [`response_boundary_is_safe`].
pub fn encode_response(boundary: &str, parts: &[ResponsePart]) -> Vec<u8> {
    let len = parts
        .iter()
        .map(|p| response_part_len(boundary, p))
        .sum::<usize>()
        + closing_len(boundary);
    let mut out = Vec::with_capacity(len);
    for part in parts {
        open_part(
            &mut out,
            boundary,
            RESPONSE_PART_HEADERS,
            part.content_id.as_deref().unwrap_or(""),
        );
        write_status_line(&mut out, part.status);
        write_message(&mut out, &part.headers, &part.body);
    }
    close(&mut out, boundary);
    debug_assert!(out.len() <= len, "encode_response under-estimated its size");
    out
}

/// A fresh random boundary, `batch_` and 32 letters and digits. Check it with
/// [`boundary_is_safe`], or use [`safe_boundary`].
pub fn random_boundary() -> String {
    random_boundary_with("batch_")
}

/// `prefix` and 32 random letters and digits: a collision with the content is unlikely, and
/// the callers check for it anyway.
pub(crate) fn random_boundary_with(prefix: &str) -> String {
    let mut boundary = String::with_capacity(prefix.len() + 32);
    boundary.push_str(prefix);
    boundary.extend(std::iter::repeat_with(fastrand::alphanumeric).take(32));
    boundary
}

/// A random boundary that [`boundary_is_safe`] accepts for `parts`.
pub fn safe_boundary(parts: &[RequestPart]) -> String {
    loop {
        let boundary = random_boundary();
        if boundary_is_safe(&boundary, parts) {
            return boundary;
        }
    }
}

/// A random boundary that [`response_boundary_is_safe`] accepts for `parts`.
pub fn safe_response_boundary(parts: &[ResponsePart]) -> String {
    loop {
        let boundary = random_boundary();
        if response_boundary_is_safe(&boundary, parts) {
            return boundary;
        }
    }
}

/// True when `boundary` is a valid unquoted boundary (1 to 70 of RFC 2046's characters
/// without space: letters, digits and `'()+_,-./:=?`) and occurs nowhere in `parts` (their
/// Content-IDs, request lines, headers or bodies).
pub fn boundary_is_safe(boundary: &str, parts: &[RequestPart]) -> bool {
    let Some(finder) = boundary_finder(boundary) else {
        return false;
    };
    parts.iter().all(|p| {
        absent(&finder, p.content_id.as_bytes())
            && absent(&finder, p.path_and_query.as_bytes())
            && absent(&finder, &p.body)
            && headers_lack(&finder, &p.headers)
    })
}

/// [`boundary_is_safe`] for response parts.
pub fn response_boundary_is_safe(boundary: &str, parts: &[ResponsePart]) -> bool {
    let Some(finder) = boundary_finder(boundary) else {
        return false;
    };
    parts.iter().all(|p| {
        p.content_id
            .as_deref()
            .is_none_or(|id| absent(&finder, id.as_bytes()))
            && absent(&finder, &p.body)
            && headers_lack(&finder, &p.headers)
    })
}

fn boundary_finder(boundary: &str) -> Option<memmem::Finder<'_>> {
    let valid_char = |b: u8| b.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&b);
    let valid = (1..=70).contains(&boundary.len()) && boundary.bytes().all(valid_char);
    valid.then(|| memmem::Finder::new(boundary.as_bytes()))
}

fn absent(finder: &memmem::Finder<'_>, haystack: &[u8]) -> bool {
    finder.find(haystack).is_none()
}

fn headers_lack(finder: &memmem::Finder<'_>, headers: &HeaderMap) -> bool {
    headers.iter().all(|(name, value)| {
        absent(finder, name.as_str().as_bytes()) && absent(finder, value.as_bytes())
    })
}

/// Writes the delimiter line, the part's MIME headers and the blank line after them.
fn open_part(out: &mut Vec<u8>, boundary: &str, mime_headers: &[u8], content_id: &str) {
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary.as_bytes());
    out.extend_from_slice(CRLF);
    out.extend_from_slice(mime_headers);
    if !content_id.is_empty() {
        out.extend_from_slice(CONTENT_ID);
        out.extend_from_slice(content_id.as_bytes());
        out.extend_from_slice(CRLF);
    }
    out.extend_from_slice(CRLF);
}

fn write_status_line(out: &mut Vec<u8>, status: StatusCode) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    if let Some(reason) = status.canonical_reason() {
        out.push(b' ');
        out.extend_from_slice(reason.as_bytes());
    }
    out.extend_from_slice(CRLF);
}

/// Writes the nested message's headers (the caller's Content-Length replaced by the real
/// one), the blank line, the body, and the CRLF that belongs to the next delimiter.
fn write_message(out: &mut Vec<u8>, headers: &HeaderMap, body: &[u8]) {
    for (name, value) in headers {
        if name == CONTENT_LENGTH {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(CRLF);
    }
    if !body.is_empty() {
        // Writing to a Vec cannot fail.
        let _ = write!(out, "Content-Length: {}\r\n", body.len());
    }
    out.extend_from_slice(CRLF);
    out.extend_from_slice(body);
    out.extend_from_slice(CRLF);
}

fn close(out: &mut Vec<u8>, boundary: &str) {
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary.as_bytes());
    out.extend_from_slice(b"--\r\n");
}

fn closing_len(boundary: &str) -> usize {
    boundary.len() + 6
}

/// An upper bound of what `write_message` writes.
fn message_len(headers: &HeaderMap, body: &[u8]) -> usize {
    let headers: usize = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    headers + CONTENT_LENGTH_LINE_MAX + 2 + body.len() + 2
}

fn open_len(boundary: &str, mime_headers: &[u8], content_id: &str) -> usize {
    boundary.len() + 4 + mime_headers.len() + CONTENT_ID.len() + content_id.len() + 4
}

fn request_part_len(boundary: &str, part: &RequestPart) -> usize {
    open_len(boundary, REQUEST_PART_HEADERS, &part.content_id)
        + part.method.as_str().len()
        + part.path_and_query.len()
        + 12
        + message_len(&part.headers, &part.body)
}

fn response_part_len(boundary: &str, part: &ResponsePart) -> usize {
    let reason = part.status.canonical_reason().map_or(0, |r| r.len() + 1);
    open_len(
        boundary,
        RESPONSE_PART_HEADERS,
        part.content_id.as_deref().unwrap_or(""),
    ) + 14
        + reason
        + message_len(&part.headers, &part.body)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::Method;
    use http::header::{CONTENT_TYPE, IF_MATCH};

    use super::*;

    fn part(body: &'static [u8]) -> RequestPart {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, "application/json".parse().unwrap());
        headers.insert(IF_MATCH, "\"etag/sheep\"".parse().unwrap());
        headers.insert(CONTENT_LENGTH, "999".parse().unwrap());
        RequestPart {
            content_id: "<b+2>".into(),
            method: Method::PUT,
            path_and_query: "/farm/v1/animals/sheep?fields=kind".into(),
            headers,
            body: Bytes::from_static(body),
        }
    }

    #[test]
    fn request_wire_format_is_exact() {
        let body = encode_request("xyz", &[part(b"{}")]);
        let expected = "--xyz\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\
            Content-ID: <b+2>\r\n\r\nPUT /farm/v1/animals/sheep?fields=kind HTTP/1.1\r\n\
            content-type: application/json\r\nif-match: \"etag/sheep\"\r\nContent-Length: 2\r\n\r\n{}\r\n--xyz--\r\n";
        assert_eq!(String::from_utf8(body).unwrap(), expected);
    }

    #[test]
    fn empty_body_and_empty_content_id_write_no_header() {
        let mut p = part(b"");
        p.content_id.clear();
        let body = String::from_utf8(encode_request("xyz", &[p])).unwrap();
        assert!(
            !body.contains("Content-ID") && !body.contains("Content-Length"),
            "{body}"
        );
    }

    #[test]
    fn size_estimate_is_an_upper_bound() {
        let parts = [part(b"{}"), part(b""), part(&[0; 1000])];
        let exact = encode_request("xyz", &parts).len();
        let estimate = parts
            .iter()
            .map(|p| request_part_len("xyz", p))
            .sum::<usize>()
            + closing_len("xyz");
        assert!(
            estimate >= exact && estimate - exact < 64 * parts.len(),
            "{estimate} vs {exact}"
        );
    }

    #[test]
    fn response_status_line_has_the_reason_when_known() {
        let part = |code| ResponsePart {
            content_id: None,
            status: StatusCode::from_u16(code).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        };
        let body = String::from_utf8(encode_response("b", &[part(304), part(299)])).unwrap();
        assert!(body.contains("\r\nHTTP/1.1 304 Not Modified\r\n"), "{body}");
        assert!(body.contains("\r\nHTTP/1.1 299\r\n"), "{body}");
    }

    #[test]
    fn boundary_safety() {
        let parts = [part(b"{\"x\": \"--inside--\"}")];
        assert!(boundary_is_safe("batch_1", &parts));
        assert!(!boundary_is_safe("inside", &parts));
        assert!(!boundary_is_safe("sheep", &parts));
        assert!(!boundary_is_safe("etag", &parts));
        assert!(!boundary_is_safe("", &parts));
        assert!(!boundary_is_safe("has space", &[]));
        assert!(!boundary_is_safe("quote\"", &[]));
        assert!(!boundary_is_safe(&"x".repeat(71), &[]));
        let random = safe_boundary(&parts);
        assert!(
            random.starts_with("batch_") && random.len() == 38 && boundary_is_safe(&random, &parts)
        );
        assert_ne!(random_boundary(), random_boundary());
    }
}
