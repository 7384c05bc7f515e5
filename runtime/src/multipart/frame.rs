//! Framing: the boundary from the Content-Type, and the byte ranges of the parts between
//! delimiter lines (RFC 2046 §5.1.1, with bare LF and transport padding tolerated).

use memchr::memmem;

use super::DecodeError;

/// The `boundary` parameter of a `multipart/*` Content-Type: quoted or not, the parameter
/// name in any case, an unquoted value running to the next `;` (so it may hold `=`).
pub(crate) fn boundary_from_content_type(content_type: &str) -> Result<String, DecodeError> {
    let (media_type, mut params) = content_type.split_once(';').unwrap_or((content_type, ""));
    let media_type = media_type.trim();
    if !media_type
        .get(..10)
        .is_some_and(|t| t.eq_ignore_ascii_case("multipart/"))
    {
        return Err(DecodeError::body(
            format!("the Content-Type {content_type:?} is not multipart"),
            0,
        ));
    }
    loop {
        params = params.trim_start_matches(|c: char| c == ';' || c.is_ascii_whitespace());
        if params.is_empty() {
            return Err(DecodeError::body(
                format!("the Content-Type {content_type:?} has no boundary parameter"),
                0,
            ));
        }
        let name_end = params.find(['=', ';']).unwrap_or(params.len());
        let name = params[..name_end].trim();
        params = &params[name_end..];
        let value = match params.strip_prefix('=') {
            None => String::new(),
            Some(rest) => {
                let rest = rest.trim_start();
                match rest.strip_prefix('"') {
                    Some(quoted) => {
                        let (value, after) = unquote(quoted);
                        params = after;
                        value
                    }
                    None => {
                        let end = rest.find(';').unwrap_or(rest.len());
                        params = &rest[end..];
                        rest[..end].trim().to_owned()
                    }
                }
            }
        };
        if name.eq_ignore_ascii_case("boundary") {
            if value.is_empty() {
                return Err(DecodeError::body(
                    format!("the Content-Type {content_type:?} has an empty boundary parameter"),
                    0,
                ));
            }
            return Ok(value);
        }
    }
}

/// Reads a quoted-string body (after the opening quote) with backslash escapes; returns the
/// value and the text after the closing quote. An unterminated string runs to the end.
fn unquote(quoted: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (value, &quoted[i + 1..]),
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            c => value.push(c),
        }
    }
    (value, "")
}

/// The most parts a body may have: 100 times the 1000 calls Google accepts in one batch.
/// Without a cap, a hostile body of tiny parts (`--b` lines) would cost far more memory
/// decoded than it does on the wire.
pub const MAX_PARTS: usize = 100_000;

/// The bytes of one part between two delimiter lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PartSpan {
    /// First byte after the opening delimiter line.
    pub(crate) start: usize,
    /// End of the part without the line break that belongs to the next delimiter.
    pub(crate) end: usize,
    /// How far an inner Content-Length may reach: `end`, or one byte further when the part
    /// is framed with bare LF (its opening delimiter line ends in LF) and a CR precedes the
    /// next delimiter's LF, so that a body ending in CR survives bare-LF framing.
    pub(crate) end_before_lf: usize,
    /// False for a last part that the body ends inside, before any closing delimiter.
    pub(crate) closed: bool,
}

/// The parts of a multipart body, and the problem with its framing, if any.
pub(crate) struct Framing {
    pub(crate) parts: Vec<PartSpan>,
    pub(crate) error: Option<DecodeError>,
}

/// One delimiter line found in the body.
struct Delimiter {
    /// Where the `--boundary` starts.
    at: usize,
    /// First byte after the delimiter line (after its line break).
    next: usize,
    /// `--boundary--`: the close delimiter.
    close: bool,
    /// The line ends in a bare LF.
    bare_lf: bool,
}

/// Splits `body` into part spans. Preamble (before the first delimiter) and epilogue (after
/// the close delimiter) are ignored.
pub(crate) fn split_parts(body: &[u8], boundary: &str) -> Framing {
    let mut dash_boundary = Vec::with_capacity(boundary.len() + 2);
    dash_boundary.extend_from_slice(b"--");
    dash_boundary.extend_from_slice(boundary.as_bytes());
    let finder = memmem::Finder::new(&dash_boundary);

    let mut parts = Vec::new();
    let Some(mut open) = next_delimiter(body, &finder, 0) else {
        let message = format!("no opening delimiter \"--{boundary}\" in the body");
        return Framing {
            parts,
            error: Some(DecodeError::body(message, 0)),
        };
    };
    while !open.close {
        let start = open.next;
        if parts.len() == MAX_PARTS {
            let message = format!("the body has more than {MAX_PARTS} parts");
            return Framing {
                parts,
                error: Some(DecodeError::body(message, open.at)),
            };
        }
        match next_delimiter(body, &finder, start) {
            Some(delimiter) => {
                let (end, before_lf) = line_break_before(body, delimiter.at, start);
                let end_before_lf = if open.bare_lf { before_lf } else { end };
                parts.push(PartSpan {
                    start,
                    end,
                    end_before_lf,
                    closed: true,
                });
                open = delimiter;
            }
            None => {
                // The body ends inside this part: keep it (unclosed) unless nothing but white
                // space follows the last delimiter, then report the missing close delimiter.
                if body[start..].iter().any(|b| !b.is_ascii_whitespace()) {
                    let end = body.len();
                    parts.push(PartSpan {
                        start,
                        end,
                        end_before_lf: end,
                        closed: false,
                    });
                }
                let message =
                    format!("the body ends without the closing delimiter \"--{boundary}--\"");
                return Framing {
                    parts,
                    error: Some(DecodeError::body(message, body.len())),
                };
            }
        }
    }
    Framing { parts, error: None }
}

/// The end of a part that the delimiter at `at` closes: before its CRLF or LF, never before
/// `start` (an empty part's line break belongs to the delimiter before it).
fn line_break_before(body: &[u8], at: usize, start: usize) -> (usize, usize) {
    if at <= start {
        return (start, start);
    }
    // A delimiter found by `next_delimiter` after `start` always follows an LF.
    let before_lf = at - 1;
    let end = if before_lf > start && body[before_lf - 1] == b'\r' {
        before_lf - 1
    } else {
        before_lf
    };
    (end, before_lf)
}

/// The next delimiter line at or after `from`: `--boundary` at the start of a line, then
/// optionally `--`, then spaces or tabs, then CRLF, LF or the end of the body. Anything else
/// (`--boundary2`, text after the boundary) is part content.
fn next_delimiter(body: &[u8], finder: &memmem::Finder<'_>, from: usize) -> Option<Delimiter> {
    let len = finder.needle().len();
    let mut search = from;
    while let Some(found) = finder.find(&body[search..]) {
        let at = search + found;
        search = at + 1;
        if at > 0 && body[at - 1] != b'\n' {
            continue;
        }
        let mut i = at + len;
        let close = body[i..].starts_with(b"--");
        if close {
            i += 2;
        }
        while i < body.len() && (body[i] == b' ' || body[i] == b'\t') {
            i += 1;
        }
        let (next, bare_lf) = match &body[i..] {
            [] => (i, false),
            [b'\n', ..] => (i + 1, true),
            [b'\r', b'\n', ..] => (i + 2, false),
            _ => continue,
        };
        return Some(Delimiter {
            at,
            next,
            close,
            bare_lf,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_parameter_forms() {
        let ok = |ct: &str| boundary_from_content_type(ct).unwrap();
        assert_eq!(ok("multipart/mixed; boundary=batch_x"), "batch_x");
        assert_eq!(ok("multipart/mixed;boundary=\"batch x; y\""), "batch x; y");
        assert_eq!(
            ok("Multipart/Mixed; charset=utf-8; BOUNDARY=abc=def==; q=1"),
            "abc=def=="
        );
        assert_eq!(
            ok("multipart/mixed; a=\"b;boundary=no\"; boundary = \"q\\\"t\""),
            "q\"t"
        );
        assert_eq!(
            ok("multipart/mixed; boundary=\"unterminated"),
            "unterminated"
        );
    }

    #[test]
    fn boundary_parameter_errors() {
        let err = |ct: &str| boundary_from_content_type(ct).unwrap_err().message;
        assert!(err("application/json; boundary=x").contains("not multipart"));
        assert!(err("multipart/mixed").contains("no boundary parameter"));
        assert!(
            err("multipart/mixed; charset=utf-8; boundaryx=1").contains("no boundary parameter")
        );
        assert!(err("multipart/mixed; boundary=").contains("empty boundary"));
        assert!(err("multipart/mixed; boundary=\"\"").contains("empty boundary"));
        assert!(err("").contains("not multipart"));
    }

    #[test]
    fn spans_exclude_only_the_delimiter_line_break() {
        let body = b"pre\r\n--b\r\n\r\nA\r\n\r\n--b\n\nB\n--b--\r\nepilogue";
        let framing = split_parts(body, "b");
        assert_eq!(framing.error, None);
        let texts: Vec<&[u8]> = framing
            .parts
            .iter()
            .map(|p| &body[p.start..p.end])
            .collect();
        assert_eq!(texts, [&b"\r\nA\r\n"[..], b"\nB"]);
        assert_eq!(framing.parts[0].end_before_lf, framing.parts[0].end);

        let bare_lf = b"--b\nA\r\n--b--";
        let part = split_parts(bare_lf, "b").parts[0];
        assert_eq!(
            (&bare_lf[part.start..part.end], part.end_before_lf),
            (&b"A"[..], part.end + 1)
        );
    }

    #[test]
    fn look_alike_delimiters_are_content() {
        let body = b"--b\r\nx --b\r\n--bb\r\n--b x\r\n--b\t \r\ny\r\n--b-- \t\r\n";
        let framing = split_parts(body, "b");
        let texts: Vec<&[u8]> = framing
            .parts
            .iter()
            .map(|p| &body[p.start..p.end])
            .collect();
        assert_eq!(texts, [&b"x --b\r\n--bb\r\n--b x"[..], b"y"]);
        assert_eq!(framing.error, None);
    }

    #[test]
    fn empty_parts_have_empty_spans() {
        let body = b"--b\r\n--b\n--b\r\n\r\n--b--";
        let framing = split_parts(body, "b");
        let lens: Vec<usize> = framing.parts.iter().map(|p| p.end - p.start).collect();
        assert_eq!(lens, [0, 0, 0]);
    }

    #[test]
    fn unclosed_body_keeps_its_last_part_open() {
        let body = b"--b\r\nA\r\n--b\r\nB";
        let framing = split_parts(body, "b");
        assert_eq!(framing.parts.len(), 2);
        assert!(framing.parts[0].closed && !framing.parts[1].closed);
        assert_eq!(framing.error.unwrap().offset, body.len());

        let trailing_delimiter = b"--b\r\nA\r\n--b\r\n";
        let framing = split_parts(trailing_delimiter, "b");
        assert_eq!(framing.parts.len(), 1);
        assert!(
            framing
                .error
                .unwrap()
                .message
                .contains("without the closing delimiter")
        );
    }

    #[test]
    fn part_count_is_capped() {
        let body = "--b\n".repeat(MAX_PARTS + 2);
        let framing = split_parts(body.as_bytes(), "b");
        assert_eq!(framing.parts.len(), MAX_PARTS);
        let error = framing.error.unwrap();
        assert_eq!(error.offset, 4 * MAX_PARTS);
        assert!(error.message.contains("more than 100000 parts"), "{error}");
    }

    #[test]
    fn no_opening_delimiter() {
        let framing = split_parts(b"x--b\r\n", "b");
        assert!(framing.parts.is_empty());
        assert!(
            framing
                .error
                .unwrap()
                .message
                .contains("no opening delimiter")
        );
    }
}
