//! Media upload for single calls (uploads cannot be batched): simple (`uploadType=media`),
//! multipart (`uploadType=multipart`, `multipart/related`) and resumable
//! (`uploadType=resumable`, a session sent in chunks that survives interruptions).

mod resumable;
mod source;

use bytes::{BufMut, Bytes, BytesMut};
use http::HeaderValue;
use serde::de::DeserializeOwned;

pub use source::Media;

use crate::call::{RawRequest, append_query, decode_json};
use crate::client::ClientInner;
use crate::executor::{self, Body, HttpRequest, RawResponse};
use crate::multipart;
use crate::trace::Span;
use crate::{Call, Error, Response};

/// Where and what a method accepts for media upload (`mediaUpload` in the document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaUpload {
    /// Expanded `protocols.simple.path`, relative to rootUrl (`upload/storage/v1/b/x/o`).
    pub simple_path: Option<String>,
    /// Expanded `protocols.resumable.path`, relative to rootUrl.
    pub resumable_path: Option<String>,
    /// Accepted media types (`*/*`, `image/*`, …); empty accepts any.
    pub accept: &'static [&'static str],
    /// Largest accepted size in bytes, if the document gives one.
    pub max_size: Option<u64>,
}

/// Resumable chunks are multiples of this (256 KiB), as Google requires of every chunk but
/// the last.
pub const CHUNK_GRANULARITY: usize = 256 * 1024;

/// Default size of a resumable upload's chunks (8 MiB), and the size above which
/// [`UploadProtocol::Auto`] chooses a resumable upload.
pub const DEFAULT_CHUNK_SIZE: usize = 8 * 1024 * 1024;

/// How an [`Upload`] sends its media.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadProtocol {
    /// Resumable when the method offers it (a resumable protocol in the document) and the
    /// media is larger than one chunk (or of unknown size); otherwise one request.
    #[default]
    Auto,
    /// One request: `uploadType=media` with the media as the body when the call has no
    /// metadata (no body, or the empty object `{}` that a generated builder sends for a
    /// default request such as `Object::default()`), `uploadType=multipart` with a
    /// `multipart/related` body of the metadata and the media when it has. A file or reader is
    /// read into memory first.
    SingleRequest,
    /// `uploadType=resumable`: a session started with the metadata, then the media in chunks;
    /// after an interruption (transport error, timeout, 429, 5xx) the upload asks the server
    /// how much it received and goes on from there. The session is started on the simple
    /// upload path (as Google's own clients do), or on the resumable path when the document
    /// gives no simple one.
    Resumable,
}

/// A media upload; send it with [`Upload::send`]. It has no `queue`: media cannot be batched.
///
/// ```no_run
/// # async fn example(
/// #     insert: discogen_runtime::Call<serde_json::Value>,
/// # ) -> Result<(), discogen_runtime::Error> {
/// use discogen_runtime::Media;
/// // A generated builder's `upload(media)` returns this; a large file goes up in chunks,
/// // read one at a time, and resumes by itself after an interruption.
/// let object = insert
///     .upload(Media::from_file("video/mp4", "holiday.mp4"))
///     .resumable()
///     .chunk_size(16 * 1024 * 1024)
///     .send()
///     .await?
///     .into_body();
/// # let _ = object; Ok(()) }
/// ```
#[must_use = "an upload does nothing until it is sent"]
pub struct Upload<T> {
    call: Call<T>,
    media: Media,
    protocol: UploadProtocol,
    chunk_size: usize,
}

impl<T> std::fmt::Debug for Upload<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("call", &self.call)
            .field("media", &self.media)
            .field("protocol", &self.protocol)
            .field("chunk_size", &self.chunk_size)
            .finish()
    }
}

impl<T: DeserializeOwned + 'static> Upload<T> {
    pub(crate) fn new(call: Call<T>, media: Media) -> Self {
        Upload {
            call,
            media,
            protocol: UploadProtocol::Auto,
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }

    /// Chooses the protocol (default [`UploadProtocol::Auto`]).
    pub fn protocol(mut self, protocol: UploadProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Shorthand for `protocol(UploadProtocol::Resumable)`.
    pub fn resumable(self) -> Self {
        self.protocol(UploadProtocol::Resumable)
    }

    /// Size of a resumable upload's chunks (default [`DEFAULT_CHUNK_SIZE`]), rounded up to a
    /// multiple of [`CHUNK_GRANULARITY`] (256 KiB, also the smallest). A chunk is held in
    /// memory until the server acknowledges it.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes
            .max(1)
            .div_ceil(CHUNK_GRANULARITY)
            .saturating_mul(CHUNK_GRANULARITY);
        self
    }

    /// Sends the upload and decodes the method's response.
    ///
    /// The media type is checked against the method's `accept` patterns and the size (when
    /// known) against its `maxSize` before anything is sent. A file is opened first; an error
    /// reading it is [`Error::MediaSource`].
    pub async fn send(self) -> Result<Response<T>, Error> {
        let response = self.send_raw().await?;
        decode_json(response.status, response.headers, &response.body)
    }

    /// Everything but decoding, not generic over `T` (compiled once).
    async fn send_raw(self) -> Result<RawResponse, Error> {
        let Upload {
            call,
            media,
            protocol,
            chunk_size,
        } = self;
        let request = &call.request;
        request.check()?;
        let method_id = request.method_id;
        let upload = call.upload.as_ref().ok_or_else(|| {
            Error::InvalidRequest(format!("{method_id} does not accept a media upload"))
        })?;
        check_media_type(method_id, upload, &media.content_type)?;
        let media_type = HeaderValue::from_str(&media.content_type).map_err(|_| {
            Error::InvalidRequest(format!(
                "{method_id}: invalid media type {:?}",
                media.content_type
            ))
        })?;
        let mut chunks = media.source.open().await?;
        if let Some(length) = chunks.length() {
            check_media_size(method_id, upload, length)?;
        }
        chunks.set_limit(upload.max_size);
        let client = &call.client.inner;
        let resumable = match protocol {
            UploadProtocol::Resumable => true,
            UploadProtocol::SingleRequest => false,
            UploadProtocol::Auto => {
                let large = chunks
                    .length()
                    .is_none_or(|length| length > chunk_size as u64);
                (upload.resumable_path.is_some() && large) || upload.simple_path.is_none()
            }
        };
        if resumable {
            // The simple path with uploadType=resumable, as Google's own clients (Go, Python)
            // send it; Google also serves the document's resumable path (`/resumable/upload/…`),
            // but emulators such as fake-gcs-server serve only the first.
            let path = upload
                .simple_path
                .as_deref()
                .or(upload.resumable_path.as_deref())
                .ok_or_else(|| no_protocol(method_id))?;
            let span = Span::upload(client.api, method_id, "resumable");
            let upload = resumable::ResumableUpload {
                client,
                request,
                path,
                media_type,
                chunk_size,
                span: &span,
            };
            return span.instrument(upload.run(chunks)).await;
        }
        let path = upload
            .simple_path
            .as_deref()
            .ok_or_else(|| no_protocol(method_id))?;
        let data = chunks.read_all().await?;
        // Generated builders always carry the request body; `{}` says nothing, so it goes as a
        // simple upload, as Google's clients send an upload without metadata.
        let metadata = request
            .body
            .as_ref()
            .filter(|body| !is_empty_json_object(body));
        let (upload_type, body) = match metadata {
            None => (
                "media",
                Body {
                    content_type: Some(media_type),
                    data,
                },
            ),
            Some(metadata) => ("multipart", multipart_related(metadata, &media_type, &data)),
        };
        let span = Span::upload(client.api, method_id, upload_type);
        span.count("bytes_sent", body.data.len() as u64);
        let http_request = HttpRequest {
            method: request.method.clone(),
            url: upload_url(client, request, path, upload_type),
            headers: &request.headers,
            body: Some(body),
            scopes: request.scopes,
            method_id,
        };
        let response = span
            .instrument(executor::send_single(client, &http_request))
            .await?;
        span.status(response.status);
        Ok(response)
    }
}

fn no_protocol(method_id: &str) -> Error {
    Error::InvalidRequest(format!(
        "{method_id} offers no upload protocol for this upload (the document lists neither a \
         simple nor a resumable path, or not the one asked for)"
    ))
}

/// `rootUrl + path ? query & uploadType=… & key=…`. The protocol is chosen by the upload; an
/// `uploadType` set on the call would contradict it and is left out.
fn upload_url(client: &ClientInner, request: &RawRequest, path: &str, upload_type: &str) -> String {
    let mut url = format!("{}{path}", client.root_url);
    let mut extra = vec![("uploadType", upload_type)];
    extra.extend(client.auth.key().map(|key| ("key", key)));
    let query = request
        .query_with(&extra)
        .enumerate()
        .filter(|(index, (name, _))| *name != "uploadType" || *index >= request.query.len());
    append_query(&mut url, query.map(|(_, pair)| pair));
    url
}

/// True for a JSON body that is the empty object (`{}`, whitespace allowed).
fn is_empty_json_object(body: &[u8]) -> bool {
    let mut bytes = body.iter().filter(|b| !b.is_ascii_whitespace());
    bytes.next() == Some(&b'{') && bytes.next() == Some(&b'}') && bytes.next().is_none()
}

/// Checks the media type against the method's `accept` patterns.
fn check_media_type(
    method_id: &str,
    upload: &MediaUpload,
    content_type: &str,
) -> Result<(), Error> {
    if upload.accept.is_empty()
        || upload
            .accept
            .iter()
            .any(|pattern| media_type_matches(pattern, content_type))
    {
        return Ok(());
    }
    Err(Error::InvalidRequest(format!(
        "{method_id} accepts media of type {}, not {content_type:?}",
        upload.accept.join(", "),
    )))
}

/// Checks a known size against the method's `maxSize`.
fn check_media_size(method_id: &str, upload: &MediaUpload, size: u64) -> Result<(), Error> {
    match upload.max_size {
        Some(max_size) if size > max_size => Err(Error::InvalidRequest(format!(
            "{method_id} accepts media of at most {max_size} bytes, not {size}"
        ))),
        _ => Ok(()),
    }
}

/// True when `content_type` (parameters ignored) matches `pattern` (`*/*`, `image/*` or an
/// exact type), case-insensitively.
fn media_type_matches(pattern: &str, content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let Some((pattern_kind, pattern_subtype)) = pattern.trim().split_once('/') else {
        return false;
    };
    (pattern_kind == "*" || pattern_kind.eq_ignore_ascii_case(kind))
        && (pattern_subtype == "*" || pattern_subtype.eq_ignore_ascii_case(subtype))
}

/// A `multipart/related` body: the JSON metadata part, then the media part, with a random
/// boundary that occurs in neither.
fn multipart_related(metadata: &Bytes, media_type: &HeaderValue, media: &Bytes) -> Body {
    let boundary = loop {
        let candidate = multipart::random_boundary_with("discogen_");
        let occurs = |data: &[u8]| memchr::memmem::find(data, candidate.as_bytes()).is_some();
        if !occurs(metadata) && !occurs(media) {
            break candidate;
        }
    };
    let mut body = BytesMut::with_capacity(metadata.len() + media.len() + 256);
    let json = &b"application/json; charset=UTF-8"[..];
    for (content_type, data) in [(json, metadata), (media_type.as_bytes(), media)] {
        body.put_slice(b"--");
        body.put_slice(boundary.as_bytes());
        body.put_slice(b"\r\nContent-Type: ");
        body.put_slice(content_type);
        body.put_slice(b"\r\n\r\n");
        body.put_slice(data);
        body.put_slice(b"\r\n");
    }
    body.put_slice(b"--");
    body.put_slice(boundary.as_bytes());
    body.put_slice(b"--\r\n");
    let content_type = HeaderValue::from_str(&format!("multipart/related; boundary={boundary}"))
        .expect("the boundary is alphanumeric");
    Body {
        content_type: Some(content_type),
        data: body.freeze(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_match_patterns() {
        assert!(media_type_matches("*/*", "application/octet-stream"));
        assert!(media_type_matches("image/*", "IMAGE/png; q=1"));
        assert!(media_type_matches("text/csv", "text/CSV"));
        assert!(!media_type_matches("image/*", "text/plain"));
        assert!(!media_type_matches("image/png", "image/jpeg"));
        assert!(!media_type_matches("image/*", "nonsense"));
    }

    #[test]
    fn only_the_empty_object_is_no_metadata() {
        assert!(is_empty_json_object(b"{}"));
        assert!(is_empty_json_object(b" { \n} "));
        assert!(!is_empty_json_object(b""));
        assert!(!is_empty_json_object(b"{}{}"));
        assert!(!is_empty_json_object(b"{\"name\":\"x\"}"));
        assert!(!is_empty_json_object(b"[]"));
    }

    #[test]
    fn media_is_checked_before_sending() {
        let upload = MediaUpload {
            simple_path: Some("upload/x".into()),
            resumable_path: None,
            accept: &["image/*"],
            max_size: Some(4),
        };
        assert!(check_media_type("m", &upload, "image/png").is_ok());
        assert!(check_media_size("m", &upload, 4).is_ok());
        let error = check_media_size("m", &upload, 5).unwrap_err().to_string();
        assert!(error.contains("at most 4 bytes, not 5"), "{error}");
        let error = check_media_type("m", &upload, "text/plain")
            .unwrap_err()
            .to_string();
        assert!(error.contains("accepts media of type image/*"), "{error}");
    }

    #[test]
    fn multipart_related_holds_metadata_then_media() {
        let body = multipart_related(
            &Bytes::from_static(br#"{"name":"x"}"#),
            &HeaderValue::from_static("text/plain"),
            &Bytes::from_static(b"hello"),
        );
        let content_type = body.content_type.unwrap();
        let boundary = content_type
            .to_str()
            .unwrap()
            .strip_prefix("multipart/related; boundary=")
            .unwrap()
            .to_owned();
        let text = String::from_utf8(body.data.to_vec()).unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"x\"}}\r\n\
             --{boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
        );
        assert_eq!(text, expected);
    }
}
