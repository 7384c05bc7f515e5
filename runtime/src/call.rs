//! One API call: what generated request builders wrap.

use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use percent_encoding::utf8_percent_encode;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::download::{ByteStream, Download};
pub use crate::upload::{Media, MediaUpload, Upload, UploadProtocol};

use crate::executor::{self, Body, HttpRequest};
use crate::path::ALL_BUT_UNRESERVED;
use crate::{Batch, Client, Error, RequestId};

/// A decoded answer: the body as the method's response type, with status and headers.
#[derive(Clone, Debug)]
pub struct Response<T> {
    /// The HTTP status (2xx).
    pub status: StatusCode,
    /// The response headers (`ETag` among them).
    pub headers: HeaderMap,
    /// The decoded body; `()` for methods without a response schema.
    pub body: T,
}

impl<T> Response<T> {
    /// The decoded body.
    pub fn into_body(self) -> T {
        self.body
    }
}

/// The request a [`Call`] will send; not generic, so the machinery behind it is compiled once.
#[derive(Clone)]
pub(crate) struct RawRequest {
    pub(crate) method: Method,
    /// The method's id from the document, e.g. `storage.objects.get`.
    pub(crate) method_id: &'static str,
    /// Expanded path relative to the base URL (rootUrl + servicePath).
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) headers: HeaderMap,
    /// JSON body, if the method has a request schema.
    pub(crate) body: Option<Bytes>,
    pub(crate) scopes: &'static [&'static str],
    /// The first problem found while building (bad header value, unserialisable body); it is
    /// reported when the call is sent or queued.
    pub(crate) invalid: Option<String>,
}

/// Appends `?name=value&…` (nothing when `pairs` is empty). Names and values keep only RFC
/// 3986 unreserved characters unencoded, so a value can never add a parameter (`&`, `=`), end
/// the query (`#`) or break the request line.
pub(crate) fn append_query<'p>(
    url: &mut String,
    pairs: impl IntoIterator<Item = (&'p str, &'p str)>,
) {
    for (index, (name, value)) in pairs.into_iter().enumerate() {
        url.push(if index == 0 { '?' } else { '&' });
        url.extend(utf8_percent_encode(name, ALL_BUT_UNRESERVED));
        url.push('=');
        url.extend(utf8_percent_encode(value, ALL_BUT_UNRESERVED));
    }
}

impl RawRequest {
    /// The query pairs, then `extra` ones (the API key, `uploadType`, `alt`).
    pub(crate) fn query_with<'p>(
        &'p self,
        extra: &'p [(&'p str, &'p str)],
    ) -> impl Iterator<Item = (&'p str, &'p str)> + 'p {
        let own = self
            .query
            .iter()
            .map(|(name, value)| (*name, value.as_str()));
        own.chain(extra.iter().copied())
    }

    /// Fails with the first problem recorded while the call was built.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match &self.invalid {
            Some(problem) => Err(Error::InvalidRequest(format!(
                "{}: {problem}",
                self.method_id
            ))),
            None => Ok(()),
        }
    }

    /// The value of query parameter `name`, if set.
    pub(crate) fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.as_str())
    }

    pub(crate) fn invalidate(&mut self, problem: String) {
        // The first problem is the one to fix first; later ones may be consequences.
        self.invalid.get_or_insert(problem);
    }
}

/// Shows query pairs with the values of secret parameters (`key`, `access_token`,
/// `oauth_token`) redacted: `Debug` output ends up in logs.
pub(crate) struct RedactedQuery<'q>(pub(crate) &'q [(&'static str, String)]);

impl fmt::Debug for RedactedQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in self.0 {
            if crate::executor::SECRET_PARAMETERS.contains(name) {
                list.entry(&(name, "<redacted>"));
            } else {
                list.entry(&(name, value));
            }
        }
        list.finish()
    }
}

/// Shows headers with `Authorization` values redacted: `Debug` output ends up in logs.
pub(crate) struct RedactedHeaders<'h>(pub(crate) &'h HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if name == AUTHORIZATION || value.is_sensitive() {
                map.entry(name, &"<redacted>");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("id", &self.method_id)
            .field("path", &self.path)
            .field("query", &RedactedQuery(&self.query))
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_bytes", &self.body.as_ref().map(Bytes::len))
            .finish_non_exhaustive()
    }
}

/// One call of an API method, ready to be sent alone or queued into a [`Batch`].
///
/// Generated request builders wrap a `Call<T>`, where `T` is the method's response type.
#[must_use = "a call does nothing until it is sent or queued"]
pub struct Call<T> {
    pub(crate) client: Client,
    pub(crate) request: RawRequest,
    pub(crate) upload: Option<MediaUpload>,
    pub(crate) response: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.request.method)
            .field("id", &self.request.method_id)
            .field("path", &self.request.path)
            .field("query", &RedactedQuery(&self.request.query))
            .field("headers", &RedactedHeaders(&self.request.headers))
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + 'static> Call<T> {
    /// A call of `method` on `path` (expanded, relative to rootUrl + servicePath).
    ///
    /// A path with a `.` or `..` segment (a parameter whose value is `..`, percent-encoded
    /// or not) makes the call invalid: URL parsers remove such segments, so the request
    /// would reach another resource than the one named (`animals/..` is the collection).
    pub fn new(
        client: &Client,
        method: Method,
        method_id: &'static str,
        path: String,
        scopes: &'static [&'static str],
    ) -> Self {
        let invalid = crate::path::has_dot_segment(&path).then(|| {
            format!(
                "the path {path:?} has a `.` or `..` segment (from a parameter value), which \
                 would address another resource"
            )
        });
        Call {
            client: client.clone(),
            request: RawRequest {
                method,
                method_id,
                path,
                query: Vec::new(),
                headers: HeaderMap::new(),
                body: None,
                scopes,
                invalid,
            },
            upload: None,
            response: PhantomData,
        }
    }

    /// Sets the JSON request body. A body that cannot be serialised makes the call invalid.
    pub fn json_body<B: Serialize>(&mut self, body: &B) {
        match serde_json::to_vec(body) {
            Ok(json) => self.request.body = Some(Bytes::from(json)),
            Err(error) => self
                .request
                .invalidate(format!("cannot serialise the request body: {error}")),
        }
    }

    /// Sets a query parameter, replacing an earlier value of it.
    pub fn set_query(&mut self, name: &'static str, value: impl Into<String>) {
        self.request.query.retain(|(n, _)| *n != name);
        self.request.query.push((name, value.into()));
    }

    /// Sets a repeated query parameter (`name=a&name=b`), replacing earlier values of it.
    pub fn set_query_repeated<I>(&mut self, name: &'static str, values: I)
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.request.query.retain(|(n, _)| *n != name);
        self.request
            .query
            .extend(values.into_iter().map(|value| (name, value.into())));
    }

    /// Sets a header of this call only (in a batch: inside its part, overriding the outer one).
    /// A value containing CR or LF (or another byte not allowed in a header) makes the call
    /// invalid: it is refused by `send` and `queue` before anything is sent.
    pub fn set_header(&mut self, name: HeaderName, value: impl Into<String>) {
        let value = value.into();
        if value.contains(['\r', '\n']) {
            self.request
                .invalidate(format!("the value of header {name} contains CR or LF"));
            return;
        }
        match HeaderValue::from_str(&value) {
            Ok(mut value) => {
                if name == AUTHORIZATION {
                    value.set_sensitive(true);
                }
                self.request.headers.insert(name, value);
            }
            Err(_) => self.request.invalidate(format!(
                "the value of header {name} has a character not allowed in a header"
            )),
        }
    }

    /// Declares that the method accepts media upload (generated code does this for methods
    /// with `mediaUpload`). The call itself still carries no media: see [`Call::upload`].
    pub fn set_media_upload(&mut self, upload: MediaUpload) {
        self.upload = Some(upload);
    }

    /// Sends the call alone.
    pub async fn send(self) -> Result<Response<T>, Error> {
        self.request.check()?;
        let client = &self.client.inner;
        let mut url = format!("{}{}", client.base_url, self.request.path);
        let key = client.auth.key().map(|key| [("key", key)]);
        append_query(
            &mut url,
            self.request.query_with(key.as_ref().map_or(&[], |k| k)),
        );
        let body = self.request.body.clone().map(|data| Body {
            content_type: Some(HeaderValue::from_static("application/json")),
            data,
        });
        let request = HttpRequest {
            method: self.request.method.clone(),
            url,
            headers: &self.request.headers,
            body,
            scopes: self.request.scopes,
            method_id: self.request.method_id,
        };
        let response = executor::send_single(client, &request).await?;
        decode_json(response.status, response.headers, &response.body)
    }

    /// Queues the call into `batch` under a generated request id.
    pub fn queue<'a, F>(self, batch: &mut Batch<'a>, callback: F) -> Result<RequestId, Error>
    where
        F: FnOnce(&str, Result<Response<T>, Error>) + Send + 'a,
    {
        batch.add(self, callback)
    }

    /// Queues the call into `batch` under `request_id`, which must be unique in the batch.
    pub fn queue_with_id<'a, F>(
        self,
        batch: &mut Batch<'a>,
        request_id: impl Into<String>,
        callback: F,
    ) -> Result<RequestId, Error>
    where
        F: FnOnce(&str, Result<Response<T>, Error>) + Send + 'a,
    {
        batch.add_with_id(request_id, self, callback)
    }

    /// A copy of the call, sent as another request (each page of [`crate::Pages`]).
    pub(crate) fn duplicate(&self) -> Self {
        Call {
            client: self.client.clone(),
            request: self.request.clone(),
            upload: self.upload.clone(),
            response: PhantomData,
        }
    }

    /// Turns the call into a media upload (single calls only: an [`Upload`] cannot be queued).
    pub fn upload(self, media: Media) -> Upload<T> {
        Upload::new(self, media)
    }

    /// Turns the call into a media download (`alt=media`); `use_download_service` routes it
    /// through `rootUrl/download/…` as the document asks with `useMediaDownloadService`.
    pub fn download(self, use_download_service: bool) -> Download {
        Download {
            client: self.client,
            request: self.request,
            use_download_service,
        }
    }
}

/// Decodes a 2xx body into `T`.
///
/// `T = ()` (a method without a response schema) ignores the body whatever it holds: servers
/// answer such methods with nothing, `{}` or `null`. An empty body decodes as `{}`, which
/// every generated struct accepts (all its fields are optional).
pub(crate) fn decode_json<T: DeserializeOwned + 'static>(
    status: StatusCode,
    headers: HeaderMap,
    body: &Bytes,
) -> Result<Response<T>, Error> {
    let json = json_to_decode(body, TypeId::of::<T>() == TypeId::of::<()>());
    // One UTF-8 check of the whole body is much cheaper than serde_json's check of every
    // string in it (a tenth of a batch's client-side work); a body that fails it goes through
    // `from_slice`, whose error says where.
    let decoded = match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(json),
    };
    match decoded {
        Ok(body) => Ok(Response {
            status,
            headers,
            body,
        }),
        Err(error) => Err(Error::Decode {
            status,
            body: body.clone(),
            message: error.to_string(),
        }),
    }
}

/// The bytes to hand to serde_json (not generic, so compiled once).
fn json_to_decode(body: &[u8], unit: bool) -> &[u8] {
    if unit {
        b"null"
    } else if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_cannot_escape() {
        let mut url = String::from("http://h/p");
        append_query(
            &mut url,
            [
                ("q", "a&b=c #\r\n"),
                ("fields", "items(id,name)"),
                ("x", "é"),
            ],
        );
        assert_eq!(
            url,
            "http://h/p?q=a%26b%3Dc%20%23%0D%0A&fields=items%28id%2Cname%29&x=%C3%A9"
        );
        let mut empty = String::from("/p");
        append_query(&mut empty, []);
        assert_eq!(empty, "/p");
    }

    #[test]
    fn unit_ignores_any_body_and_empty_is_an_object() {
        assert_eq!(json_to_decode(b"garbage", true), b"null");
        assert_eq!(json_to_decode(b" \n", false), b"{}");
        assert_eq!(json_to_decode(b"[1]", false), b"[1]");
        let ok: Response<()> =
            decode_json(StatusCode::OK, HeaderMap::new(), &Bytes::from_static(b"{}")).unwrap();
        assert_eq!(ok.body, ());
        let err =
            decode_json::<Vec<u8>>(StatusCode::OK, HeaderMap::new(), &Bytes::from_static(b"{"));
        assert!(matches!(err, Err(Error::Decode { .. })));
    }

    #[test]
    fn bodies_decode_the_same_whether_utf8_or_not() {
        let decode = |body: &'static [u8]| {
            decode_json::<std::collections::BTreeMap<String, String>>(
                StatusCode::OK,
                HeaderMap::new(),
                &Bytes::from_static(body),
            )
        };
        let ok = decode("{\"name\":\"é\\u00e9\"}".as_bytes()).unwrap();
        assert_eq!(ok.body["name"], "éé");
        // Not UTF-8 inside a string: serde_json's own error, with its position.
        match decode(b"{\"name\":\"\xff\"}") {
            Err(Error::Decode { message, body, .. }) => {
                assert!(
                    message.contains("invalid unicode code point at line 1 column 10"),
                    "{message}"
                );
                assert_eq!(&body[..], b"{\"name\":\"\xff\"}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}
