//! Properties of the batch codec: random parts round-trip (CRLF and bare LF, with and without
//! inner Content-Length), truncated bodies keep their whole parts, and no input panics.

use bytes::Bytes;
use discogen_runtime::http::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use discogen_runtime::http::{HeaderMap, Method, StatusCode};
use discogen_runtime::multipart::{
    self, DecodedRequestPart, RequestPart, ResponsePart, decode_request, decode_request_lenient,
    decode_response, decode_response_bytes, decode_response_lenient, encode_request,
    encode_response,
};
use proptest::prelude::*;

fn method() -> impl Strategy<Value = Method> {
    prop::sample::select(vec![
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ])
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop::sample::select(vec![
        "if-match",
        "if-none-match",
        "content-type",
        "authorization",
        "x-goog-a",
    ]);
    // Values are trimmed by the decoder, so they start and end with a visible character here.
    let value = "[!-~]([ -~]{0,20}[!-~])?";
    prop::collection::vec((name, value), 0..4).prop_map(|pairs| {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(&value).unwrap(),
            );
        }
        headers
    })
}

fn body() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        Just(Bytes::new()),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(Bytes::from),
        // Bytes that look like framing, to tempt the decoder.
        prop::collection::vec(
            prop::sample::select(vec!["\r\n", "\n", "\r", "--", "HTTP/1.1 200", ": ", "x"]),
            0..20
        )
        .prop_map(|pieces| Bytes::from(pieces.concat())),
    ]
}

fn request_part() -> impl Strategy<Value = RequestPart> {
    let content_id = prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 +%_<>-]{0,12}".prop_map(|id| multipart::content_id("base", &id))
    ];
    (
        content_id,
        method(),
        "/[a-z0-9/._~-]{0,30}(\\?[a-z]{1,5}=[a-z0-9%]{0,5})?",
        headers(),
        body(),
    )
        .prop_map(
            |(content_id, method, path_and_query, headers, body)| RequestPart {
                content_id,
                method,
                path_and_query,
                headers,
                body,
            },
        )
}

fn response_part() -> impl Strategy<Value = ResponsePart> {
    let content_id = prop::option::of("<response-[a-z0-9]{1,6}\\+[a-zA-Z0-9%]{1,8}>");
    (content_id, 100u16..1000, headers(), body()).prop_map(|(content_id, status, headers, body)| {
        ResponsePart {
            content_id,
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body,
        }
    })
}

/// The headers a decoder sees: the sender's, with Content-Length replaced by the real one.
fn expected_headers(headers: &HeaderMap, body: &[u8], with_length: bool) -> HeaderMap {
    let mut expected = headers.clone();
    expected.remove(CONTENT_LENGTH);
    if with_length && !body.is_empty() {
        expected.insert(CONTENT_LENGTH, body.len().into());
    }
    expected
}

/// A test-side encoder with a choice of line end and of writing inner Content-Lengths, to
/// check the decoder against framing the crate's own encoder never produces.
fn encode_with(
    boundary: &str,
    eol: &str,
    with_length: bool,
    parts: &[(Option<&str>, String, &HeaderMap, &[u8])],
) -> Vec<u8> {
    let mut out = Vec::new();
    for (content_id, start_line, headers, body) in parts {
        out.extend_from_slice(
            format!("--{boundary}{eol}Content-Type: application/http{eol}").as_bytes(),
        );
        if let Some(id) = content_id {
            out.extend_from_slice(format!("Content-ID: {id}{eol}").as_bytes());
        }
        out.extend_from_slice(format!("{eol}{start_line}{eol}").as_bytes());
        for (name, value) in headers.iter().filter(|(name, _)| **name != CONTENT_LENGTH) {
            out.extend_from_slice(format!("{name}: ").as_bytes());
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(eol.as_bytes());
        }
        if with_length && !body.is_empty() {
            out.extend_from_slice(format!("Content-Length: {}{eol}", body.len()).as_bytes());
        }
        out.extend_from_slice(eol.as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(eol.as_bytes());
    }
    out.extend_from_slice(format!("--{boundary}--{eol}").as_bytes());
    out
}

fn content_type(boundary: &str) -> String {
    format!("multipart/mixed; boundary={boundary}")
}

fn assert_request_parts_equal(sent: &[RequestPart], got: &[DecodedRequestPart], with_length: bool) {
    assert_eq!(sent.len(), got.len());
    for (sent, got) in sent.iter().zip(got) {
        let id = (!sent.content_id.is_empty()).then_some(sent.content_id.as_str());
        assert_eq!(got.content_id.as_deref(), id);
        assert_eq!(
            (&got.method, &got.path_and_query),
            (&sent.method, &sent.path_and_query)
        );
        assert_eq!(
            got.headers,
            expected_headers(&sent.headers, &sent.body, with_length)
        );
        assert_eq!(got.body, sent.body);
    }
}

/// Under bare-LF framing without a Content-Length, a body that ends in CR cannot be told from
/// a CRLF line break: that one case is ambiguous by construction.
fn ambiguous(eol: &str, with_length: bool, body: &[u8]) -> bool {
    eol == "\n" && !with_length && body.ends_with(b"\r")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn encoded_requests_decode_to_the_same_parts(parts in prop::collection::vec(request_part(), 0..6)) {
        let boundary = multipart::safe_boundary(&parts);
        let decoded = decode_request(&content_type(&boundary), Bytes::from(encode_request(&boundary, &parts))).unwrap();
        assert_request_parts_equal(&parts, &decoded, true);
    }

    #[test]
    fn requests_round_trip_with_any_line_end(
        parts in prop::collection::vec(request_part(), 1..5),
        crlf in any::<bool>(),
        with_length in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        prop_assume!(parts.iter().all(|p| !ambiguous(eol, with_length, &p.body)));
        let boundary = multipart::safe_boundary(&parts);
        let wire: Vec<_> = parts
            .iter()
            .map(|p| {
                let id = (!p.content_id.is_empty()).then_some(p.content_id.as_str());
                (id, format!("{} {} HTTP/1.1", p.method, p.path_and_query), &p.headers, &p.body[..])
            })
            .collect();
        let body = encode_with(&boundary, eol, with_length, &wire);
        let decoded = decode_request(&content_type(&boundary), Bytes::from(body)).unwrap();
        assert_request_parts_equal(&parts, &decoded, with_length);
    }

    #[test]
    fn responses_round_trip_with_any_line_end(
        parts in prop::collection::vec(response_part(), 1..5),
        encoder in 0..3u8,
    ) {
        let boundary = multipart::safe_response_boundary(&parts);
        let (eol, with_length) = match encoder { 0 => ("\r\n", true), 1 => ("\n", true), _ => ("\n", false) };
        prop_assume!(encoder == 0 || parts.iter().all(|p| !ambiguous(eol, with_length, &p.body)));
        let body = if encoder == 0 {
            encode_response(&boundary, &parts)
        } else {
            let wire: Vec<_> = parts
                .iter()
                .map(|p| (p.content_id.as_deref(), format!("HTTP/1.1 {}", p.status.as_u16()), &p.headers, &p.body[..]))
                .collect();
            encode_with(&boundary, eol, with_length, &wire)
        };
        let decoded = decode_response(&content_type(&boundary), &body).unwrap();
        prop_assert_eq!(decoded.len(), parts.len());
        for (sent, got) in parts.iter().zip(&decoded) {
            prop_assert_eq!(&got.content_id, &sent.content_id);
            prop_assert_eq!(got.status, sent.status);
            prop_assert_eq!(&got.headers, &expected_headers(&sent.headers, &sent.body, with_length));
            prop_assert_eq!(&got.body, &sent.body);
        }
    }

    #[test]
    fn truncated_responses_keep_their_whole_parts(parts in prop::collection::vec(response_part(), 1..5), cut in any::<prop::sample::Index>()) {
        let boundary = multipart::safe_response_boundary(&parts);
        let body = Bytes::from(encode_response(&boundary, &parts));
        let whole = decode_response_bytes(&content_type(&boundary), body.clone()).unwrap();
        // Cutting only the close delimiter's CRLF leaves a complete body.
        let cut = cut.index(body.len() - 2);
        let decoded = decode_response_lenient(&content_type(&boundary), body.slice(..cut));
        prop_assert!(decoded.parts.len() <= parts.len());
        prop_assert!(decoded.error.is_some(), "a body cut before its closing delimiter must be faulted");
        for (i, part) in decoded.parts.iter().enumerate() {
            if let Ok(part) = part {
                prop_assert_eq!(part, &whole[i]);
            }
        }
        prop_assert!(decode_response(&content_type(&boundary), &body[..cut]).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(content_type in "[ -~]{0,60}", body in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_response(&content_type, &body);
        let _ = decode_request_lenient(&content_type, Bytes::from(body.clone()));
        let _ = decode_response("multipart/mixed; boundary=b", &body);
        let _ = decode_request_lenient("multipart/mixed; boundary=b", Bytes::from(body));
    }

    #[test]
    fn framing_soup_never_panics(pieces in prop::collection::vec(prop::sample::select(vec![
        "--b", "--b--", "\r\n", "\n", "\r", " ", "\t", "HTTP/1.1 ", "200", "99", " OK", "GET ", "/x", "Content-ID: <r+1>",
        "Content-Length: ", "3", "18446744073709551616", ":", "\u{ff}", "\u{0}", "abc", "Content-Type: application/http",
    ]), 0..80)) {
        let body = pieces.concat();
        let responses = decode_response_lenient("multipart/mixed; boundary=b", Bytes::from(body.clone()));
        for part in responses.parts.iter().flatten() {
            prop_assert!(part.body.len() <= body.len());
        }
        let requests = decode_request_lenient("multipart/mixed; boundary=\"b\"", Bytes::from(body));
        for error in requests.parts.iter().filter_map(|p| p.as_ref().err()) {
            prop_assert!(error.error.part.is_some());
        }
    }
}
