//! What handlers see and return: [`TestRequest`], [`TestResponse`], and [`RawResponse`].

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::multipart;

/// One request as the server received it: a single call, an outer batch request, or one part
/// unwrapped from a batch (with the outer headers and query applied).
#[derive(Clone, Debug, PartialEq)]
pub struct TestRequest {
    /// The method.
    pub method: Method,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    /// The query parameters in order, percent-decoded (`+` read as a space).
    pub query: Vec<(String, String)>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// For a batch part: its Content-ID exactly as sent, if it had one.
    pub content_id: Option<String>,
    /// For a batch part: which batch request it came in, counting from 0 in the order the
    /// server received them. `None` for single calls and outer requests.
    pub batch: Option<usize>,
}

impl TestRequest {
    /// Builds a request from a target (`/path?query`), splitting and decoding the query.
    pub(crate) fn new(method: Method, target: &str, headers: HeaderMap, body: Bytes) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        TestRequest {
            method,
            path: path.to_owned(),
            query: parse_query(query),
            headers,
            body,
            content_id: None,
            batch: None,
        }
    }

    /// The first value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The header `name` as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// For a batch part: the request id in its Content-ID (`<BASE+ID>` → `ID`, decoded).
    pub fn request_id(&self) -> Option<String> {
        self.content_id
            .as_deref()
            .and_then(multipart::decoded_request_id)
    }

    /// The body parsed as JSON.
    ///
    /// # Errors
    /// When the body is not JSON.
    pub fn json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The body as `application/x-www-form-urlencoded` pairs (`+` is a space), as an OAuth
    /// token endpoint reads it.
    pub fn form(&self) -> Vec<(String, String)> {
        parse_query(&String::from_utf8_lossy(&self.body))
    }
}

/// `a=1&b=x%20y` → `[("a","1"),("b","x y")]`; `+` is a space, undecodable bytes are replaced.
fn parse_query(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// `status` as a status code; a test that names an impossible one is wrong, so it panics.
pub(crate) fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or_else(|_| panic!("invalid HTTP status {status}"))
}

/// What a handler answers: status, headers and body. Inside a batch it becomes one part.
#[derive(Clone, Debug, PartialEq)]
pub struct TestResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers (the server adds `Content-Length`).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl TestResponse {
    /// An answer with `status` and no body.
    ///
    /// # Panics
    /// When `status` is not in 100..=999.
    pub fn status(status: u16) -> Self {
        TestResponse {
            status: status_code(status),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// An answer with `status` and `value` as its JSON body (`Content-Type:
    /// application/json; charset=UTF-8`).
    ///
    /// # Panics
    /// When `status` is invalid or `value` cannot be serialised.
    pub fn json(status: u16, value: &impl Serialize) -> Self {
        let body = serde_json::to_vec(value).expect("TestResponse::json: the value must serialise");
        TestResponse::status(status)
            .header(CONTENT_TYPE, "application/json; charset=UTF-8")
            .with_body(body)
    }

    /// Google's error object, `{"error": {"code", "message", "status"}}`, with `status`.
    pub fn google_error(status: u16, message: &str) -> Self {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let value = serde_json::json!({
            "error": { "code": code.as_u16(), "message": message, "status": canonical_status(code) }
        });
        TestResponse::json(code.as_u16(), &value)
    }

    /// Adds a header (appended: a name may repeat).
    ///
    /// # Panics
    /// When the name or value is invalid (a test's own mistake).
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: std::fmt::Debug,
        V: TryInto<HeaderValue>,
        V::Error: std::fmt::Debug,
    {
        let name = name
            .try_into()
            .expect("TestResponse::header: invalid header name");
        let value = value
            .try_into()
            .expect("TestResponse::header: invalid header value");
        self.headers.append(name, value);
        self
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }
}

/// The gRPC-style status name Google puts in its error objects.
fn canonical_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        412 => "FAILED_PRECONDITION",
        429 => "RESOURCE_EXHAUSTED",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ if status.is_server_error() => "INTERNAL",
        _ => "UNKNOWN",
    }
}

/// An answer sent exactly as given, for cases no switch covers: the server adds nothing (not
/// even `Content-Length`; without one the body goes out chunked), and a `Content-Length` in
/// `headers` is sent as is, even when it lies.
#[derive(Clone, Debug, PartialEq)]
pub struct RawResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers, sent as they are.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
}

impl RawResponse {
    /// A raw answer with one `Content-Type` header.
    ///
    /// # Panics
    /// When `status` or `content_type` is invalid.
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_str(content_type).expect("RawResponse: invalid Content-Type"),
        );
        RawResponse {
            status: status_code(status),
            headers,
            body: body.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_split_and_decoded() {
        let request = TestRequest::new(
            Method::GET,
            "/a%2Fb?x=1&y=a+b%21&&flag&x=2",
            HeaderMap::new(),
            Bytes::new(),
        );
        assert_eq!(request.path, "/a%2Fb");
        let pairs: Vec<(&str, &str)> = request
            .query
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("x", "1"), ("y", "a b!"), ("flag", ""), ("x", "2")]);
        assert_eq!(request.query_param("x"), Some("1"));
    }

    #[test]
    fn response_helpers() {
        let response =
            TestResponse::json(201, &serde_json::json!({"a": 1})).header("etag", "\"1\"");
        assert_eq!(response.status, StatusCode::CREATED);
        assert_eq!(
            response.headers["content-type"],
            "application/json; charset=UTF-8"
        );
        assert_eq!(response.headers["etag"], "\"1\"");
        assert_eq!(&response.body[..], br#"{"a":1}"#);
        let error = TestResponse::google_error(503, "try later");
        let value: serde_json::Value = serde_json::from_slice(&error.body).unwrap();
        assert_eq!(value["error"]["status"], "UNAVAILABLE");
        assert_eq!(value["error"]["code"], 503);
    }
}
