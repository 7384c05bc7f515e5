//! Decoded bodies are slices of the input buffer, never copies (issue 6, target 2): each part
//! body's whole byte range lies inside the `Bytes` the decoder was given.

use std::ops::Range;

use bytes::Bytes;
use discogen_runtime::http::header::CONTENT_TYPE;
use discogen_runtime::http::{HeaderMap, HeaderValue, Method, StatusCode};
use discogen_runtime::multipart::{
    self, RequestPart, ResponsePart, decode_request, decode_response_bytes,
    decode_response_lenient, encode_request, encode_response,
};

fn address_range(bytes: &[u8]) -> Range<usize> {
    let start = bytes.as_ptr() as usize;
    start..start + bytes.len()
}

/// True when `inner` is non-empty and lies wholly inside `outer`'s memory.
fn lies_within(inner: &[u8], outer: &[u8]) -> bool {
    let (inner, outer) = (address_range(inner), address_range(outer));
    !inner.is_empty() && outer.start <= inner.start && inner.end <= outer.end
}

fn answers(count: usize) -> Vec<ResponsePart> {
    (0..count)
        .map(|i| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            ResponsePart {
                content_id: Some(format!("<response-b+{i}>")),
                status: StatusCode::OK,
                headers,
                body: Bytes::from(format!(
                    "{{\"name\":\"object-{i}\",\"size\":\"{}\"}}",
                    i * 7
                )),
            }
        })
        .collect()
}

#[test]
fn response_bodies_lie_within_the_input_buffer() {
    let parts = answers(1000);
    let input = Bytes::from(encode_response("zero_copy", &parts));
    let content_type = "multipart/mixed; boundary=zero_copy";

    let decoded = decode_response_bytes(content_type, input.clone()).unwrap();
    assert_eq!(decoded.len(), parts.len());
    for (got, sent) in decoded.iter().zip(&parts) {
        assert_eq!(got.body, sent.body);
        assert!(lies_within(&got.body, &input), "{:?}", got.content_id);
        assert!(lies_within(got.headers[CONTENT_TYPE].as_bytes(), &input));
    }

    let lenient = decode_response_lenient(content_type, input.clone());
    assert!(lenient.error.is_none());
    for part in lenient.parts {
        assert!(lies_within(&part.unwrap().body, &input));
    }
}

#[test]
fn bare_lf_response_bodies_lie_within_the_input_buffer() {
    let input = Bytes::from_static(
        b"--b\nContent-Type: application/http\nContent-ID: <response-b+1>\n\n\
          HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"kind\":\"storage#object\"}\n\n--b--\n",
    );
    let decoded = decode_response_bytes("multipart/mixed; boundary=b", input.clone()).unwrap();
    assert_eq!(&decoded[0].body[..], b"{\"kind\":\"storage#object\"}\n");
    assert!(lies_within(&decoded[0].body, &input));
}

#[test]
fn request_bodies_lie_within_the_input_buffer() {
    let parts: Vec<RequestPart> = (0..100)
        .map(|i| RequestPart {
            content_id: multipart::content_id("b", &i.to_string()),
            method: Method::POST,
            path_and_query: format!("/storage/v1/b/bucket/o?name=object-{i}"),
            headers: HeaderMap::new(),
            body: Bytes::from(vec![b'x'; 100 + i]),
        })
        .collect();
    let boundary = multipart::safe_boundary(&parts);
    let input = Bytes::from(encode_request(&boundary, &parts));
    let content_type = format!("multipart/mixed; boundary={boundary}");
    let decoded = decode_request(&content_type, input.clone()).unwrap();
    assert_eq!(decoded.len(), parts.len());
    for (got, sent) in decoded.iter().zip(&parts) {
        assert_eq!(got.body, sent.body);
        assert!(lies_within(&got.body, &input));
    }
}
