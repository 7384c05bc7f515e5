//! The batch endpoint: unwrap the parts, hand each to the handler, answer multipart/mixed —
//! or misbehave as told.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use http::{HeaderMap, StatusCode};

use super::exchange::{TestRequest, TestResponse};
use super::misbehavior::{Misbehavior, drop_and_duplicate, reorder};
use super::{Outgoing, State};
use crate::multipart::{self, DecodedRequestPart, ResponsePart};

/// Outer headers that describe the outer message or connection, not the calls inside it.
const NOT_FOR_PARTS: [&str; 6] = [
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Answers one batch request (the `batch`-th one received).
pub(crate) fn answer_batch(state: &State, outer: &TestRequest, batch: usize) -> Outgoing {
    let content_type = outer
        .headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let decoded = multipart::decode_request_lenient(
        content_type.as_deref().unwrap_or(""),
        outer.body.clone(),
    );
    if decoded.parts.is_empty() {
        if let Some(error) = decoded.error {
            let message = format!("cannot decode the batch request: {error}");
            return Outgoing::from(TestResponse::google_error(400, &message));
        }
    }
    // Every part is recorded before any switch decides what to answer.
    let parts: Vec<Result<TestRequest, multipart::PartError>> = decoded
        .parts
        .into_iter()
        .map(|part| part.map(|part| unwrap_part(part, outer, batch)))
        .collect();
    state.record_parts(parts.iter().filter_map(|p| p.as_ref().ok()).cloned());

    let (misbehavior, failures) = state.take_batch_switches(&parts);
    if let Some(raw) = misbehavior.raw_response.clone() {
        return Outgoing::raw(raw);
    }
    if let Some(failure) = &misbehavior.fail_batch {
        let response = TestResponse::google_error(
            failure.status.as_u16(),
            "the batch request failed (test server)",
        );
        return Outgoing::from(with_retry_after(response, failure.retry_after.as_deref()));
    }
    if misbehavior.non_multipart {
        let response =
            TestResponse::json(200, &serde_json::json!({ "kind": "testing#notMultipart" }));
        return Outgoing::from(response);
    }

    let mut answers = Vec::with_capacity(parts.len());
    for (index, (part, failure)) in parts.iter().zip(failures).enumerate() {
        let (content_id, response) = match (part, failure) {
            (Ok(request), Some((status, retry_after))) => {
                let response =
                    TestResponse::google_error(status.as_u16(), "this call failed (test server)");
                (
                    request.content_id.clone(),
                    with_retry_after(response, retry_after.as_deref()),
                )
            }
            (Ok(request), None) => (request.content_id.clone(), state.call_handler(request)),
            (Err(error), _) => (
                error.content_id.clone(),
                TestResponse::google_error(400, &error.error.to_string()),
            ),
        };
        let part = ResponsePart {
            content_id: content_id.as_deref().map(response_content_id),
            status: response.status,
            headers: response.headers,
            body: response.body,
        };
        answers.push((index, part));
    }
    Outgoing::from(encode_answer(answers, &misbehavior))
}

/// A part as the handler sees it: the outer query and headers applied unless the part has its
/// own (Content-* and connection headers of the outer request are not applied).
fn unwrap_part(part: DecodedRequestPart, outer: &TestRequest, batch: usize) -> TestRequest {
    let mut headers = part.headers;
    let own: Vec<HeaderName> = headers.keys().cloned().collect();
    for (name, value) in &outer.headers {
        let outer_only =
            name.as_str().starts_with("content-") || NOT_FOR_PARTS.contains(&name.as_str());
        if !outer_only && !own.contains(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let mut request = TestRequest::new(part.method, &part.path_and_query, headers, part.body);
    for (name, value) in &outer.query {
        if !request.query.iter().any(|(n, _)| n == name) {
            request.query.push((name.clone(), value.clone()));
        }
    }
    request.content_id = part.content_id;
    request.batch = Some(batch);
    request
}

/// `<X>` → `<response-X>`, as Google answers.
fn response_content_id(content_id: &str) -> String {
    let inner = content_id.trim();
    let inner = inner
        .strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(inner);
    format!("<response-{inner}>")
}

fn with_retry_after(response: TestResponse, retry_after: Option<&str>) -> TestResponse {
    match retry_after.and_then(|v| HeaderValue::from_str(v).ok()) {
        Some(value) => response.header(RETRY_AFTER, value),
        None => response,
    }
}

/// Encodes the answers after the part-level switches: drop, duplicate, reorder, strip
/// Content-IDs, invalid UTF-8, empty parts, no closing delimiter.
fn encode_answer(answers: Vec<(usize, ResponsePart)>, misbehavior: &Misbehavior) -> TestResponse {
    let mut answers: Vec<ResponsePart> = drop_and_duplicate(answers, misbehavior)
        .into_iter()
        .map(|(_, part)| part)
        .collect();
    reorder(&mut answers, misbehavior.order);
    for part in &mut answers {
        if misbehavior.drop_content_ids {
            part.content_id = None;
        }
        if misbehavior.invalid_utf8_header {
            let value =
                HeaderValue::from_bytes(b"\xff\xfe").expect("obs-text is a valid header value");
            part.headers
                .append(HeaderName::from_static("x-invalid-utf8"), value);
        }
    }
    let boundary = multipart::safe_response_boundary(&answers);
    let mut body = multipart::encode_response(&boundary, &answers);
    let closing = format!("--{boundary}--\r\n");
    body.truncate(body.len() - closing.len());
    for _ in 0..misbehavior.empty_parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    }
    if !misbehavior.unclosed_boundary {
        body.extend_from_slice(closing.as_bytes());
    }
    let mut headers = HeaderMap::new();
    let content_type = format!("multipart/mixed; boundary={boundary}");
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&content_type).expect("a safe boundary is a valid value"),
    );
    TestResponse {
        status: StatusCode::OK,
        headers,
        body: Bytes::from(body),
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    #[test]
    fn outer_headers_and_query_apply_unless_the_part_has_its_own() {
        let mut outer_headers = HeaderMap::new();
        outer_headers.insert("authorization", "Bearer outer".parse().unwrap());
        outer_headers.insert("x-goog-api-client", "discogen".parse().unwrap());
        outer_headers.insert(
            "content-type",
            "multipart/mixed; boundary=b".parse().unwrap(),
        );
        outer_headers.insert("transfer-encoding", "chunked".parse().unwrap());
        let outer = TestRequest::new(
            Method::POST,
            "/batch?key=k&fields=outer",
            outer_headers,
            Bytes::new(),
        );
        let mut own = HeaderMap::new();
        own.insert("authorization", "Bearer own".parse().unwrap());
        let part = DecodedRequestPart {
            content_id: Some("<b+1>".into()),
            method: Method::GET,
            path_and_query: "/v1/x?fields=own".into(),
            headers: own,
            body: Bytes::new(),
        };
        let request = unwrap_part(part, &outer, 4);
        assert_eq!(request.header("authorization"), Some("Bearer own"));
        assert_eq!(request.header("x-goog-api-client"), Some("discogen"));
        assert_eq!(request.header("content-type"), None);
        assert_eq!(request.header("transfer-encoding"), None);
        assert_eq!(
            request.query,
            [
                ("fields".to_owned(), "own".to_owned()),
                ("key".to_owned(), "k".to_owned())
            ]
        );
        assert_eq!(
            (request.batch, request.request_id().as_deref()),
            (Some(4), Some("1"))
        );
    }

    #[test]
    fn response_content_ids() {
        assert_eq!(response_content_id("<b+1>"), "<response-b+1>");
        assert_eq!(response_content_id("item1"), "<response-item1>");
    }
}
