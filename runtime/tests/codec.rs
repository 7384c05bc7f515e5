//! The batch codec against the seeds' examples, each tolerance and each error.

use bytes::Bytes;
use discogen_runtime::http::header::{CONTENT_TYPE, ETAG, IF_MATCH};
use discogen_runtime::http::{HeaderMap, Method, StatusCode};
use discogen_runtime::multipart::{
    self, DecodeError, RequestPart, ResponsePart, decode_request, decode_request_lenient,
    decode_response, decode_response_bytes, decode_response_lenient, encode_request,
};

/// The Farm example from Google's batch documentation (seed 003), verbatim (LF line ends).
const FARM_REQUEST: &str = include_str!("data/farm_batch_request.txt");
const FARM_RESPONSE: &str = include_str!("data/farm_batch_response.txt");
const FARM_TYPE: &str = "multipart/mixed; boundary=batch_foobarbaz";

const PONY: &str = "{\n  \"kind\": \"farm#animal\",\n  \"etag\": \"etag/pony\",\n  \"selfLink\": \"/farm/v1/animals/pony\",\n  \"animalName\": \"pony\",\n  \"animalAge\": 34,\n  \"peltColor\": \"white\"\n}\n";

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

fn response(content_type: &str, body: &str) -> Vec<ResponsePart> {
    decode_response(content_type, body.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{body}"))
}

fn response_error(content_type: &str, body: &str) -> DecodeError {
    decode_response(content_type, body.as_bytes()).expect_err("the body must not decode")
}

/// A one-part response body around `part` (the part's text after its MIME headers).
fn one_part(part: &str) -> String {
    format!(
        "--b\r\nContent-Type: application/http\r\nContent-ID: <response-x+1>\r\n\r\n{part}\r\n--b--\r\n"
    )
}

#[test]
fn farm_response_example_decodes() {
    for body in [FARM_RESPONSE.to_owned(), crlf(FARM_RESPONSE)] {
        let parts = response(FARM_TYPE, &body);
        assert_eq!(parts.len(), 3);
        let ids: Vec<_> = parts
            .iter()
            .map(|p| p.content_id.as_deref().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "<response-item1:12930812@barnyard.example.com>",
                "<response-item2:12930812@barnyard.example.com>",
                "<response-item3:12930812@barnyard.example.com>",
            ]
        );
        let pony = &parts[0];
        assert_eq!(pony.status, StatusCode::OK);
        // `Content-Type application/json` has no colon: skipped, the rest kept.
        assert_eq!(pony.headers.get(CONTENT_TYPE), None);
        assert_eq!(pony.headers[ETAG], "\"etag/pony\"");
        assert_eq!(pony.headers.len(), 2, "{:?}", pony.headers);
        // The placeholder Content-Length is no number: the delimited body wins.
        assert_eq!(
            std::str::from_utf8(&pony.body)
                .unwrap()
                .replace("\r\n", "\n"),
            PONY
        );

        let sheep = &parts[1];
        assert_eq!(sheep.headers[CONTENT_TYPE], "application/json");
        let sheep_json: serde_json::Value = serde_json::from_slice(&sheep.body).unwrap();
        assert_eq!(sheep_json["animalName"], "sheep");

        let animals = &parts[2];
        assert_eq!(animals.status, StatusCode::NOT_MODIFIED);
        assert_eq!(animals.headers[ETAG], "\"etag/animals\"");
        assert!(animals.body.is_empty());
    }
}

#[test]
fn farm_request_example_decodes() {
    for body in [FARM_REQUEST.to_owned(), crlf(FARM_REQUEST)] {
        let parts = decode_request(FARM_TYPE, Bytes::from(body)).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            parts[0].content_id.as_deref(),
            Some("<item1:12930812@barnyard.example.com>")
        );
        // Request lines without `HTTP/1.1`, as in the example.
        assert_eq!(
            (&parts[0].method, parts[0].path_and_query.as_str()),
            (&Method::GET, "/farm/v1/animals/pony")
        );
        assert!(parts[0].headers.is_empty() && parts[0].body.is_empty());

        assert_eq!(parts[1].method, Method::PUT);
        assert_eq!(parts[1].headers[IF_MATCH], "\"etag/sheep\"");
        assert_eq!(parts[1].headers[CONTENT_TYPE], "application/json");
        let sheep = std::str::from_utf8(&parts[1].body)
            .unwrap()
            .replace("\r\n", "\n");
        assert_eq!(
            sheep,
            "{\n  \"animalName\": \"sheep\",\n  \"animalAge\": \"5\"\n  \"peltColor\": \"green\",\n}\n"
        );

        assert_eq!(parts[2].path_and_query, "/farm/v1/animals");
        assert_eq!(parts[2].headers["if-none-match"], "\"etag/animals\"");
        assert!(parts[2].body.is_empty());
    }
}

#[test]
fn display_video_example_shape_decodes() {
    let request = crlf(
        "--batch_foobarbaz\nContent-Type: application/http\nContent-Transfer-Encoding: binary\nMIME-Version: 1.0\n\
         Content-ID: <item1:12930812@displayvideo.example.com>\n\n\
         PATCH /v1/advertisers/1?updateMask=displayName&fields=advertiserId,displayName HTTP/1.1\n\
         Content-Type: application/json; charset=UTF-8\nAuthorization: Bearer your_auth_code\n\n\
         {\n  \"displayName\": \"Updated Advertiser Name\"\n}\n\
         --batch_foobarbaz--\n",
    );
    let parts = decode_request(FARM_TYPE, Bytes::from(request)).unwrap();
    assert_eq!(parts[0].method, Method::PATCH);
    assert_eq!(
        parts[0].path_and_query,
        "/v1/advertisers/1?updateMask=displayName&fields=advertiserId,displayName"
    );
    assert_eq!(parts[0].headers["authorization"], "Bearer your_auth_code");
    assert_eq!(
        &parts[0].body[..],
        b"{\r\n  \"displayName\": \"Updated Advertiser Name\"\r\n}"
    );

    let answer = crlf(
        "--batch_foobarbaz\nContent-Type: application/http\nContent-ID: <response-item1:12930812@displayvideo.example.com>\n\n\
         HTTP/1.1 200 OK\nContent-Type: application/json; charset=UTF-8\nContent-Length: 14\n\n\
         {\"advertiserId\": 1}\n--batch_foobarbaz--",
    );
    let parts = response(FARM_TYPE, &answer);
    // Content-Length 14 is not larger than the delimited body: it is used.
    assert_eq!(&parts[0].body[..], b"{\"advertiserId");
    assert_eq!(
        multipart::decoded_request_id(parts[0].content_id.as_deref().unwrap()).as_deref(),
        Some("item1:12930812@displayvideo.example.com")
    );
}

#[test]
fn request_round_trips_through_encode_and_decode_request() {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, "application/json".parse().unwrap());
    headers.append("x-multi", "1".parse().unwrap());
    headers.append("x-multi", "2".parse().unwrap());
    let parts = vec![
        RequestPart {
            content_id: multipart::content_id("base", "get pony"),
            method: Method::GET,
            path_and_query: "/farm/v1/animals/pony?fields=kind".into(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        },
        RequestPart {
            content_id: String::new(),
            method: Method::POST,
            path_and_query: "/farm/v1/animals".into(),
            headers,
            body: Bytes::from_static(b"\r\n\n{\"a\":\"--b\"}\r\n"),
        },
    ];
    let boundary = multipart::safe_boundary(&parts);
    let body = Bytes::from(encode_request(&boundary, &parts));
    let decoded =
        decode_request(&format!("multipart/mixed; boundary=\"{boundary}\""), body).unwrap();
    assert_eq!(decoded.len(), 2);
    assert_eq!(
        decoded[0].content_id.as_deref(),
        Some(parts[0].content_id.as_str())
    );
    assert_eq!(
        multipart::decoded_request_id(decoded[0].content_id.as_deref().unwrap()).as_deref(),
        Some("get pony")
    );
    assert_eq!(decoded[1].content_id, None);
    for (sent, got) in parts.iter().zip(&decoded) {
        assert_eq!(
            (&sent.method, &sent.path_and_query, &sent.body),
            (&got.method, &got.path_and_query, &got.body)
        );
    }
    let multi: Vec<_> = decoded[1].headers.get_all("x-multi").iter().collect();
    assert_eq!(multi, ["1", "2"]);
    assert_eq!(decoded[1].headers["content-length"], "16");
}

#[test]
fn boundary_parameter_forms_are_accepted() {
    let body =
        "--a=b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n--a=b--";
    for content_type in [
        "multipart/mixed; boundary=a=b",
        "multipart/mixed; boundary=\"a=b\"",
        "Multipart/Mixed;BOUNDARY=a=b",
        "multipart/mixed; charset=utf-8; Boundary=\"a=b\"; foo=bar",
    ] {
        assert_eq!(
            response(content_type, body)[0].status,
            StatusCode::NO_CONTENT,
            "{content_type}"
        );
    }
}

#[test]
fn bare_lf_preamble_epilogue_and_padding() {
    let body = "This is the preamble.\n--b \t\nContent-Type: application/http\nContent-Id: <response-x+1>\n\n\
                HTTP/1.1 200 OK\nETag: \"1\"\n\nbody one\n--b\t\nContent-Type: application/http\n\n\
                HTTP/1.1 201 Created\n\nbody two\n--b-- \nepilogue\n--b\nnot a part\n";
    let parts = response("multipart/mixed; boundary=b", body);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].content_id.as_deref(), Some("<response-x+1>"));
    assert_eq!(&parts[0].body[..], b"body one");
    assert_eq!(parts[1].status, StatusCode::CREATED);
    assert_eq!(&parts[1].body[..], b"body two");
}

#[test]
fn part_header_names_in_any_case() {
    for name in ["Content-ID", "Content-Id", "content-id", "CONTENT-ID"] {
        let body = format!(
            "--b\r\ncontent-type: application/http\r\n{name}: <response-q+7>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n--b--"
        );
        assert_eq!(
            response("multipart/mixed; boundary=b", &body)[0]
                .content_id
                .as_deref(),
            Some("<response-q+7>")
        );
    }
    let body = one_part("HTTP/1.1 200 OK\r\netag: \"e\"\r\nX-CUSTOM: y\r\n\r\n{}");
    let part = &response("multipart/mixed; boundary=b", &body)[0];
    assert_eq!(
        (
            part.headers["ETag"].as_bytes(),
            part.headers["x-custom"].as_bytes()
        ),
        (&b"\"e\""[..], &b"y"[..])
    );
}

#[test]
fn status_is_read_by_its_number() {
    for (line, code) in [
        ("HTTP/1.1 200 OK", 200),
        ("HTTP/1.1 200", 200),
        ("HTTP/1.1 404 Not Found At All", 404),
        ("HTTP/1.0 503 whatever", 503),
        ("HTTP/2 429", 429),
        ("http/1.1  401   Unauthorized", 401),
    ] {
        let part = &response(
            "multipart/mixed; boundary=b",
            &one_part(&format!("{line}\r\n\r\n")),
        )[0];
        assert_eq!(part.status.as_u16(), code, "{line}");
    }
}

#[test]
fn inner_content_length_is_used_only_when_it_fits() {
    let with_length = |length: &str| {
        let body = one_part(&format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n0123456789"
        ));
        response("multipart/mixed; boundary=b", &body)
            .remove(0)
            .body
    };
    assert_eq!(&with_length("4")[..], b"0123");
    assert_eq!(&with_length("10")[..], b"0123456789");
    assert_eq!(&with_length("0")[..], b"");
    assert_eq!(
        &with_length("11")[..],
        b"0123456789",
        "larger than the delimited body"
    );
    assert_eq!(&with_length("99999999999999999999999")[..], b"0123456789");
    assert_eq!(&with_length("-1")[..], b"0123456789");
    assert_eq!(
        &with_length("response_part_1_content_length")[..],
        b"0123456789"
    );
    let without = one_part("HTTP/1.1 200 OK\r\n\r\n0123456789");
    assert_eq!(
        &response("multipart/mixed; boundary=b", &without)[0].body[..],
        b"0123456789"
    );
}

#[test]
fn content_length_may_keep_a_trailing_cr_under_bare_lf_framing() {
    let body = b"--b\nContent-Type: application/http\n\nHTTP/1.1 200 OK\nContent-Length: 4\n\nabc\r\n--b--\n";
    let parts = decode_response("multipart/mixed; boundary=b", body).unwrap();
    assert_eq!(&parts[0].body[..], b"abc\r");
}

#[test]
fn bodies_are_binary_safe_and_keep_leading_newlines() {
    let mut body = b"--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n".to_vec();
    let payload: &[u8] = b"\r\n\n\x00\xff\xfe--b-not-a-delimiter\r\n-- b\r\n\r\n";
    body.extend_from_slice(payload);
    body.extend_from_slice(b"\r\n--b--\r\n");
    let parts = decode_response("multipart/mixed; boundary=b", &body).unwrap();
    assert_eq!(&parts[0].body[..], payload);
}

#[test]
fn zero_copy_bodies_are_slices_of_the_input() {
    let body = Bytes::from(crlf(FARM_RESPONSE));
    let range = body.as_ptr() as usize..body.as_ptr() as usize + body.len();
    for part in decode_response_bytes(FARM_TYPE, body.clone()).unwrap() {
        assert!(part.body.is_empty() || range.contains(&(part.body.as_ptr() as usize)));
    }
}

#[test]
fn malformed_and_non_utf8_header_lines_do_not_fail_the_part() {
    let mut body = b"--b\r\nContent-Type: application/http\r\nContent-ID: <response-\xff+1>\r\nno colon\r\n\r\n".to_vec();
    body.extend_from_slice(
        b"HTTP/1.1 200 OK\r\nContent-Type application/json\r\nX-Bytes: caf\xe9\r\n\xff\xfe: v\r\n",
    );
    body.extend_from_slice(b"bad name: x\r\n: no name\r\nX-Ok: yes\r\n\r\n{}\r\n--b--");
    let part = decode_response("multipart/mixed; boundary=b", &body)
        .unwrap()
        .remove(0);
    assert_eq!(part.content_id.as_deref(), Some("<response-\u{fffd}+1>"));
    assert_eq!(part.headers["x-bytes"].as_bytes(), b"caf\xe9");
    assert_eq!(part.headers["x-ok"], "yes");
    assert_eq!(part.headers.len(), 2, "{:?}", part.headers);
    assert_eq!(&part.body[..], b"{}");
}

#[test]
fn parts_without_mime_headers_or_their_blank_line() {
    let body = "--b\r\nHTTP/1.1 200 OK\r\nETag: \"1\"\r\n\r\none\r\n\
                --b\r\nContent-Type: application/http\r\nContent-ID: <response-x+2>\r\nHTTP/1.1 202 Accepted\r\n\r\ntwo\r\n\
                --b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: \"3\"\r\n--b--";
    let parts = response("multipart/mixed; boundary=b", body);
    assert_eq!(
        (parts[0].content_id.as_deref(), &parts[0].body[..]),
        (None, &b"one"[..])
    );
    assert_eq!(
        (parts[1].content_id.as_deref(), parts[1].status.as_u16()),
        (Some("<response-x+2>"), 202)
    );
    assert_eq!(&parts[1].body[..], b"two");
    assert_eq!(
        (parts[2].headers["etag"].as_bytes(), parts[2].body.len()),
        (&b"\"3\""[..], 0)
    );
}

#[test]
fn many_empty_parts_are_errors_each() {
    let body = format!("--b\r\n{}--b--\r\n", "--b\r\n".repeat(999));
    let decoded = decode_response_lenient("multipart/mixed; boundary=b", Bytes::from(body));
    assert_eq!(decoded.parts.len(), 1000);
    assert_eq!(decoded.error, None);
    for (i, part) in decoded.parts.iter().enumerate() {
        let error = &part.as_ref().unwrap_err().error;
        assert_eq!(error.part, Some(i));
        assert!(error.message.contains("holds no HTTP response"), "{error}");
    }
}

#[test]
fn error_missing_boundary_parameter() {
    let error = response_error("multipart/mixed; charset=utf-8", "--b--");
    assert_eq!((error.part, error.offset), (None, 0));
    assert!(error.message.contains("no boundary parameter"), "{error}");
    assert!(
        response_error("application/json", "{}")
            .message
            .contains("not multipart")
    );
}

#[test]
fn error_no_opening_delimiter() {
    let error = response_error("multipart/mixed; boundary=b", "HTTP/1.1 200 OK\r\n\r\n{}");
    assert_eq!((error.part, error.offset), (None, 0));
    assert!(
        error.message.contains("no opening delimiter \"--b\""),
        "{error}"
    );
}

#[test]
fn error_boundary_never_closes_fails_only_the_last_part() {
    let body = crlf(FARM_RESPONSE).replace("\r\n--batch_foobarbaz--\r\n", "");
    let strict = response_error(FARM_TYPE, &body);
    assert_eq!((strict.part, strict.offset), (Some(2), body.len()));
    assert!(strict.message.contains("cut short"), "{strict}");

    let lenient = decode_response_lenient(FARM_TYPE, Bytes::from(body.clone()));
    assert!(lenient.parts[0].is_ok() && lenient.parts[1].is_ok());
    let last = lenient.parts[2].as_ref().unwrap_err();
    assert_eq!(
        last.content_id.as_deref(),
        Some("<response-item3:12930812@barnyard.example.com>")
    );
    let error = lenient.error.unwrap();
    assert_eq!((error.part, error.offset), (None, body.len()));
    assert!(
        error
            .message
            .contains("without the closing delimiter \"--batch_foobarbaz--\""),
        "{error}"
    );

    // Cut right after a delimiter: every part is whole, only the body is faulted.
    let cut = crlf(FARM_RESPONSE).replace("--batch_foobarbaz--\r\n", "--batch_foobarbaz\r\n");
    let lenient = decode_response_lenient(FARM_TYPE, Bytes::from(cut));
    assert_eq!(lenient.parts.iter().filter(|p| p.is_ok()).count(), 3);
    assert!(lenient.error.is_some() && lenient.into_result().unwrap_err().part.is_none());
}

#[test]
fn error_unparsable_status_line_names_part_and_offset() {
    let body = one_part("HTTP/1.1 200 OK\r\n\r\n{}").replace(
        "--b--",
        "--b\r\nContent-ID: <response-x+2>\r\n\r\nHTTP/1.1 OK\r\n\r\n--b--",
    );
    let at = body.find("HTTP/1.1 OK").unwrap();
    let lenient = decode_response_lenient("multipart/mixed; boundary=b", Bytes::from(body.clone()));
    assert!(lenient.parts[0].is_ok());
    let bad = lenient.parts[1].as_ref().unwrap_err();
    assert_eq!(bad.content_id.as_deref(), Some("<response-x+2>"));
    assert_eq!((bad.error.part, bad.error.offset), (Some(1), at));
    assert!(
        bad.error.message.contains("invalid status code \"OK\""),
        "{bad}"
    );
    assert_eq!(
        response_error("multipart/mixed; boundary=b", &body).to_string(),
        format!(
            "invalid status code \"OK\" in the status line (part 1, counting from 0; byte {at})"
        )
    );

    let garbage = one_part("<html>502 Bad Gateway</html>");
    let error = response_error("multipart/mixed; boundary=b", &garbage);
    assert!(
        error.message.contains("expected an HTTP status line"),
        "{error}"
    );
    assert_eq!(error.offset, garbage.find("<html>").unwrap());
    let error = response_error(
        "multipart/mixed; boundary=b",
        &one_part("HTTP/1.1 42 Too Small\r\n"),
    );
    assert!(
        error.message.contains("invalid status code \"42\""),
        "{error}"
    );
}

#[test]
fn error_unparsable_request_line() {
    let body = "--b\r\nContent-ID: <a>\r\n\r\nG(T /x HTTP/1.1\r\n\r\n--b\r\n\r\nGET\r\n\r\n--b--";
    let decoded = decode_request_lenient("multipart/mixed; boundary=b", Bytes::from(body));
    let first = decoded.parts[0].as_ref().unwrap_err();
    assert_eq!(
        (first.content_id.as_deref(), first.error.part),
        (Some("<a>"), Some(0))
    );
    assert!(first.error.message.contains("invalid method"), "{first}");
    let second = decoded.parts[1].as_ref().unwrap_err();
    assert!(
        second.error.message.contains("missing or non-UTF-8 target"),
        "{second}"
    );
    assert_eq!(second.error.offset, body.rfind("GET").unwrap());
}
