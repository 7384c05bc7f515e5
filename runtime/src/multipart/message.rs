//! Reading one part: its MIME headers, then the nested HTTP message's start line, headers and
//! body.
//!
//! Hand-written rather than `httparse` because the parts real servers and documents send are
//! not valid HTTP often enough: request lines without a version (`GET /farm/v1/animals`),
//! header lines without a colon (`Content-Type application/json` in Google's own example),
//! Content-Length placeholders. Each of those is tolerated here; only a missing or unreadable
//! start line fails the part.

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode};

use super::DecodeError;
use super::frame::PartSpan;

/// A cursor over the lines of one part.
pub(crate) struct Lines<'a> {
    /// The whole batch body, so that header values and the body can be slices of it.
    shared: &'a Bytes,
    pub(crate) pos: usize,
    end: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(body: &'a Bytes, span: &PartSpan) -> Self {
        Lines {
            shared: body,
            pos: span.start,
            end: span.end,
        }
    }

    /// The next line without its CRLF or LF, and where it starts; `None` at the part's end.
    fn next_line(&mut self) -> Option<(&'a [u8], usize)> {
        if self.pos >= self.end {
            return None;
        }
        let start = self.pos;
        let shared: &'a [u8] = self.shared;
        let rest = &shared[start..self.end];
        let (line, advance) = match memchr::memchr(b'\n', rest) {
            Some(lf) => (&rest[..lf], lf + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        Some((line.strip_suffix(b"\r").unwrap_or(line), start))
    }
}

/// The part's MIME headers (`Content-Type: application/http`, `Content-ID`, …) up to the blank
/// line; returns the Content-ID. Stops early, without consuming it, at a line that
/// `is_start_line` recognises, so a part that lacks the blank line (or its MIME headers
/// altogether) still yields its nested message.
pub(crate) fn read_part_headers(
    lines: &mut Lines<'_>,
    is_start_line: fn(&[u8]) -> bool,
) -> Option<String> {
    let mut content_id = None;
    loop {
        let before = lines.pos;
        let Some((line, _)) = lines.next_line() else {
            break;
        };
        if line.is_empty() {
            break;
        }
        if is_start_line(line) {
            lines.pos = before;
            break;
        }
        match split_header(line) {
            Some((name, value)) if name.eq_ignore_ascii_case(b"content-id") => {
                content_id = Some(String::from_utf8_lossy(value).into_owned());
            }
            _ => {}
        }
    }
    content_id
}

/// Skips blank lines, then returns the start line and its offset.
fn start_line<'a>(lines: &mut Lines<'a>) -> Option<(&'a [u8], usize)> {
    loop {
        let (line, at) = lines.next_line()?;
        if !line.is_empty() {
            return Some((line, at));
        }
    }
}

/// `HTTP/1.1 200 OK`, `HTTP/1.1 200`, `http/2 404 Not Found`: the status by its number.
pub(crate) fn looks_like_status_line(line: &[u8]) -> bool {
    line.get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"HTTP/"))
}

/// `GET /path`, `PATCH /v1/x?y=z HTTP/1.1`: an upper-case method token, then a space, before
/// any colon (so that neither `Content-ID: x` nor `Content-Type application/json` qualifies).
pub(crate) fn looks_like_request_line(line: &[u8]) -> bool {
    match memchr::memchr(b' ', line) {
        Some(space) if space > 0 => line[..space].iter().all(u8::is_ascii_uppercase),
        _ => false,
    }
}

/// Reads the status line of a nested response.
pub(crate) fn read_status(lines: &mut Lines<'_>, part: usize) -> Result<StatusCode, DecodeError> {
    let Some((line, at)) = start_line(lines) else {
        return Err(DecodeError::in_part(
            "the part holds no HTTP response",
            part,
            lines.pos,
        ));
    };
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let version = words.next().unwrap_or_default();
    let code = words.next().unwrap_or_default();
    if !looks_like_status_line(version) {
        let shown = String::from_utf8_lossy(&line[..line.len().min(80)]);
        return Err(DecodeError::in_part(
            format!("expected an HTTP status line, found {shown:?}"),
            part,
            at,
        ));
    }
    StatusCode::from_bytes(code).map_err(|_| {
        let shown = String::from_utf8_lossy(&code[..code.len().min(20)]);
        DecodeError::in_part(
            format!("invalid status code {shown:?} in the status line"),
            part,
            at,
        )
    })
}

/// Reads the request line of a nested request: method, target, optional version.
pub(crate) fn read_request_line(
    lines: &mut Lines<'_>,
    part: usize,
) -> Result<(Method, String), DecodeError> {
    let Some((line, at)) = start_line(lines) else {
        return Err(DecodeError::in_part(
            "the part holds no HTTP request",
            part,
            lines.pos,
        ));
    };
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    let shown = || String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned();
    let method = Method::from_bytes(method).map_err(|_| {
        DecodeError::in_part(
            format!("invalid method in the request line {:?}", shown()),
            part,
            at,
        )
    })?;
    let target = match std::str::from_utf8(target) {
        Ok(target) if !target.is_empty() => target.to_owned(),
        _ => {
            let message = format!(
                "missing or non-UTF-8 target in the request line {:?}",
                shown()
            );
            return Err(DecodeError::in_part(message, part, at));
        }
    };
    Ok((method, target))
}

/// The most headers one part may hold; [`HeaderMap`] itself cannot hold more than 32,768.
pub const MAX_HEADERS_PER_PART: usize = 10_000;

/// The most headers all parts of a body may hold together. A header line can be four bytes
/// on the wire and over a hundred decoded: without a budget a hostile body would cost many
/// times its size in memory.
pub const MAX_HEADERS_PER_BODY: usize = 1_000_000;

/// Reads the nested message's headers up to a blank line or the part's end. Lines that are
/// not `name: value` with a valid name and value are skipped. `budget` is what is left of
/// [`MAX_HEADERS_PER_BODY`].
pub(crate) fn read_headers(
    lines: &mut Lines<'_>,
    part: usize,
    budget: &mut usize,
) -> Result<HeaderMap, DecodeError> {
    let mut headers = HeaderMap::new();
    while let Some((line, at)) = lines.next_line() {
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = split_header(line) else {
            continue;
        };
        // The value shares the body's buffer: no allocation per header.
        let value = HeaderValue::from_maybe_shared(lines.shared.slice_ref(value));
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), value) else {
            continue;
        };
        if headers.len() == MAX_HEADERS_PER_PART {
            let message = format!("the part has more than {MAX_HEADERS_PER_PART} headers");
            return Err(DecodeError::in_part(message, part, at));
        }
        if *budget == 0 {
            let message =
                format!("the body has more than {MAX_HEADERS_PER_BODY} headers in its parts");
            return Err(DecodeError::in_part(message, part, at));
        }
        *budget -= 1;
        headers.append(name, value);
    }
    Ok(headers)
}

/// `name: value` with spaces and tabs trimmed around both; `None` without a colon.
fn split_header(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = memchr::memchr(b':', line)?;
    Some((line[..colon].trim_ascii(), trim_blanks(&line[colon + 1..])))
}

/// Trims spaces and tabs only: other bytes (even other ASCII white space) are the value's.
fn trim_blanks(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// The nested body: from the cursor to the part's end, or the inner Content-Length's worth
/// when that is a number not larger than what the delimiters allow.
pub(crate) fn read_body(lines: &Lines<'_>, span: &PartSpan, headers: &HeaderMap) -> Bytes {
    let start = lines.pos.min(span.end);
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    match declared {
        Some(len) if len <= span.end_before_lf.saturating_sub(start) => {
            lines.shared.slice(start..start + len)
        }
        _ => lines.shared.slice(start..span.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_line_detection() {
        assert!(looks_like_status_line(b"HTTP/1.1 200 OK"));
        assert!(looks_like_status_line(b"http/2 204"));
        assert!(!looks_like_status_line(b"Content-Type: application/http"));
        assert!(looks_like_request_line(b"GET /farm/v1/animals/pony"));
        assert!(looks_like_request_line(b"PATCH /v1/x?y=z HTTP/1.1"));
        assert!(!looks_like_request_line(b"Content-Type application/json"));
        assert!(!looks_like_request_line(b"Content-ID: <a b>"));
        assert!(!looks_like_request_line(b" GET /"));
    }

    #[test]
    fn header_lines_are_trimmed_and_bad_ones_skipped() {
        let text = Bytes::from_static(
            b"A: 1\r\nB:\t two words \t\r\nno colon here\r\n: empty name\r\nbad name: x\r\nC:\x7f\r\nD: \xff\xfe\r\n\r\nbody",
        );
        let span = PartSpan {
            start: 0,
            end: text.len(),
            end_before_lf: text.len(),
            closed: true,
        };
        let mut lines = Lines::new(&text, &span);
        let mut budget = 3;
        let headers = read_headers(&mut lines, 0, &mut budget).unwrap();
        assert_eq!(budget, 0);
        assert_eq!(headers["a"], "1");
        assert_eq!(headers["b"], "two words");
        assert_eq!(headers["d"].as_bytes(), b"\xff\xfe");
        assert_eq!(headers.len(), 3);
        assert_eq!(&text[lines.pos..], b"body");

        let mut lines = Lines::new(&text, &span);
        let error = read_headers(&mut lines, 4, &mut 2).unwrap_err();
        let third_valid = text.windows(3).position(|w| w == b"\nD:").unwrap() + 1;
        assert_eq!((error.part, error.offset), (Some(4), third_valid));
        assert!(
            error.message.contains("more than 1000000 headers"),
            "{error}"
        );
    }

    #[test]
    fn headers_per_part_are_capped_below_what_header_map_holds() {
        let text = Bytes::from("a: b\n".repeat(40_000));
        let span = PartSpan {
            start: 0,
            end: text.len(),
            end_before_lf: text.len(),
            closed: true,
        };
        let error =
            read_headers(&mut Lines::new(&text, &span), 0, &mut { usize::MAX }).unwrap_err();
        assert_eq!(error.offset, 5 * MAX_HEADERS_PER_PART);
    }
}
