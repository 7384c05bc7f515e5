//! Content-IDs: `<BASE+ID>` on the way out, `<response-BASE+ID>` on the way back.

use percent_encoding::{percent_decode_str, utf8_percent_encode};

// Everything but RFC 3986 unreserved characters is encoded, so that `+` (the separator), `<`,
// `>`, spaces, CR and LF can never appear raw in a Content-ID.
use crate::path::ALL_BUT_UNRESERVED;

/// The Content-ID for the call `request_id` in a batch whose parts share `base`:
/// `<BASE+ID>`, with both halves percent-encoded.
///
/// ```
/// use discogen_runtime::multipart::content_id;
/// assert_eq!(content_id("b1", "pony"), "<b1+pony>");
/// assert_eq!(content_id("b1", "a+b c"), "<b1+a%2Bb%20c>");
/// ```
pub fn content_id(base: &str, request_id: &str) -> String {
    let mut id = String::with_capacity(base.len() + request_id.len() + 3);
    id.push('<');
    id.extend(utf8_percent_encode(base, ALL_BUT_UNRESERVED));
    id.push('+');
    id.extend(utf8_percent_encode(request_id, ALL_BUT_UNRESERVED));
    id.push('>');
    id
}

/// The request id inside an answer's Content-ID, still percent-encoded.
///
/// Strips surrounding whitespace, `<` and `>`, and a `response-` prefix (any case), then takes
/// the text after the last `+` with the spaces around it trimmed (Google's Python client
/// writes `<BASE + ID>`). Without a `+` the whole remaining text is the id, as in the seeds'
/// `<response-item1:12930812@barnyard.example.com>`. `None` when nothing is left.
///
/// The caller percent-decodes the result (or uses [`decoded_request_id`]).
///
/// ```
/// use discogen_runtime::multipart::request_id_from_content_id;
/// assert_eq!(request_id_from_content_id("<response-b1+pony>"), Some("pony"));
/// assert_eq!(request_id_from_content_id("<response-b1 + a%2Bb>"), Some("a%2Bb"));
/// assert_eq!(request_id_from_content_id("<response->"), None);
/// ```
pub fn request_id_from_content_id(content_id: &str) -> Option<&str> {
    let mut id = content_id.trim();
    id = id.strip_prefix('<').unwrap_or(id);
    id = id.strip_suffix('>').unwrap_or(id);
    id = id.trim();
    const PREFIX: &str = "response-";
    if id.len() >= PREFIX.len()
        && id.as_bytes()[..PREFIX.len()].eq_ignore_ascii_case(PREFIX.as_bytes())
    {
        id = &id[PREFIX.len()..];
    }
    if let Some(plus) = id.rfind('+') {
        id = &id[plus + 1..];
    }
    let id = id.trim();
    (!id.is_empty()).then_some(id)
}

/// [`request_id_from_content_id`], percent-decoded. `None` also when the decoded bytes are
/// not UTF-8 (no request id this crate generates or accepts can be such).
///
/// ```
/// use discogen_runtime::multipart::decoded_request_id;
/// assert_eq!(decoded_request_id("<response-b1+a%2Bb%20c>").as_deref(), Some("a+b c"));
/// ```
pub fn decoded_request_id(content_id: &str) -> Option<String> {
    let raw = request_id_from_content_id(content_id)?;
    percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|id| id.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_id_round_trips_through_the_response_prefix() {
        for id in [
            "1", "pony", "a+b", "x y", "<>", "100%", "crlf\r\n", "ünï", "a/b?c#d",
        ] {
            let sent = content_id("batch_7f", id);
            assert!(sent.bytes().all(|b| b.is_ascii_graphic()), "{sent:?}");
            let answered = format!("<response-{}>", &sent[1..sent.len() - 1]);
            assert_eq!(
                decoded_request_id(&answered).as_deref(),
                Some(id),
                "{answered}"
            );
        }
    }

    #[test]
    fn request_id_tolerates_spaces_case_and_missing_brackets() {
        assert_eq!(
            request_id_from_content_id(" <Response-base + 42 > "),
            Some("42")
        );
        assert_eq!(request_id_from_content_id("response-base+42"), Some("42"));
        assert_eq!(request_id_from_content_id("<base+x+y>"), Some("y"));
        assert_eq!(
            request_id_from_content_id("<response-item1:1@x.example.com>"),
            Some("item1:1@x.example.com")
        );
        assert_eq!(request_id_from_content_id("<response-base+>"), None);
        assert_eq!(request_id_from_content_id(""), None);
    }

    #[test]
    fn undecodable_percent_sequences_are_none() {
        assert_eq!(decoded_request_id("<response-b+%FF>"), None);
        assert_eq!(
            decoded_request_id("<response-b+%zz>").as_deref(),
            Some("%zz")
        );
    }
}
