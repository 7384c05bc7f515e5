//! Media upload and download for single calls (they cannot be batched).
//!
//! Simple (`uploadType=media`) and multipart (`uploadType=multipart`) uploads are sent whole;
//! resumable uploads and streamed downloads build on the same [`HttpRequest`] later.

use bytes::{BufMut, Bytes, BytesMut};
use http::HeaderValue;
use serde::de::DeserializeOwned;

use crate::call::{RawRequest, append_query, decode_json};
use crate::executor::{self, Body, HttpRequest};
use crate::{Call, Client, Error, Response};

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

/// Media to upload: bytes and their content type.
#[derive(Clone, Debug)]
pub struct Media {
    /// The media's MIME type.
    pub content_type: String,
    /// The media itself.
    pub data: Bytes,
}

impl Media {
    /// Media from memory.
    pub fn new(content_type: impl Into<String>, data: impl Into<Bytes>) -> Self {
        Media {
            content_type: content_type.into(),
            data: data.into(),
        }
    }
}

/// A media upload; send it with [`Upload::send`]. It has no `queue`: media cannot be batched.
#[must_use = "an upload does nothing until it is sent"]
pub struct Upload<T> {
    pub(crate) call: Call<T>,
    pub(crate) media: Media,
}

impl<T> std::fmt::Debug for Upload<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("call", &self.call)
            .field("content_type", &self.media.content_type)
            .field("bytes", &self.media.data.len())
            .finish()
    }
}

impl<T: DeserializeOwned + 'static> Upload<T> {
    /// Sends the upload: `uploadType=media` with the media as the body when the call has no
    /// metadata (JSON body), else `uploadType=multipart` with a `multipart/related` body of
    /// the metadata and the media. The media type and size are checked against the method's
    /// `accept` and `maxSize` before anything is sent.
    pub async fn send(self) -> Result<Response<T>, Error> {
        let Upload { call, media } = self;
        let request = &call.request;
        request.check()?;
        let upload = call.upload.as_ref().ok_or_else(|| {
            Error::InvalidRequest(format!(
                "{} does not accept a media upload",
                request.method_id
            ))
        })?;
        check_media(request.method_id, upload, &media)?;
        let path = upload.simple_path.as_deref().ok_or_else(|| {
            Error::InvalidRequest(format!(
                "{} has no simple or multipart upload protocol",
                request.method_id
            ))
        })?;
        let media_type = HeaderValue::from_str(&media.content_type).map_err(|_| {
            Error::InvalidRequest(format!("invalid media type {:?}", media.content_type))
        })?;
        let (upload_type, body) = match &request.body {
            None => (
                "media",
                Body {
                    content_type: media_type,
                    data: media.data,
                },
            ),
            Some(metadata) => (
                "multipart",
                multipart_related(metadata, &media_type, &media.data),
            ),
        };
        let client = &call.client.inner;
        let mut url = format!("{}{path}", client.root_url);
        let mut extra = vec![("uploadType", upload_type)];
        extra.extend(client.auth.key().map(|key| ("key", key)));
        // The protocol is chosen here; an `uploadType` set on the call would contradict it.
        let query = request
            .query_with(&extra)
            .enumerate()
            .filter(|(index, (name, _))| *name != "uploadType" || *index >= request.query.len());
        append_query(&mut url, query.map(|(_, pair)| pair));
        let http_request = HttpRequest {
            method: request.method.clone(),
            url,
            headers: &request.headers,
            body: Some(body),
            scopes: request.scopes,
        };
        let response = executor::send_single(client, &http_request).await?;
        decode_json(response.status, response.headers, &response.body)
    }
}

/// Checks `media` against the method's `accept` patterns and `maxSize`.
fn check_media(method_id: &str, upload: &MediaUpload, media: &Media) -> Result<(), Error> {
    if !upload.accept.is_empty()
        && !upload
            .accept
            .iter()
            .any(|pattern| media_type_matches(pattern, &media.content_type))
    {
        return Err(Error::InvalidRequest(format!(
            "{method_id} accepts media of type {}, not {:?}",
            upload.accept.join(", "),
            media.content_type
        )));
    }
    if let Some(max_size) = upload.max_size {
        let size = media.data.len() as u64;
        if size > max_size {
            return Err(Error::InvalidRequest(format!(
                "{method_id} accepts media of at most {max_size} bytes, not {size}"
            )));
        }
    }
    Ok(())
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
        let candidate = random_boundary();
        let occurs = |data: &[u8]| memchr::memmem::find(data, candidate.as_bytes()).is_some();
        if !occurs(metadata) && !occurs(media) {
            break candidate;
        }
    };
    let mut body = BytesMut::with_capacity(metadata.len() + media.len() + 256);
    body.put_slice(b"--");
    body.put_slice(boundary.as_bytes());
    body.put_slice(b"\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n");
    body.put_slice(metadata);
    body.put_slice(b"\r\n--");
    body.put_slice(boundary.as_bytes());
    body.put_slice(b"\r\nContent-Type: ");
    body.put_slice(media_type.as_bytes());
    body.put_slice(b"\r\n\r\n");
    body.put_slice(media);
    body.put_slice(b"\r\n--");
    body.put_slice(boundary.as_bytes());
    body.put_slice(b"--\r\n");
    let content_type = HeaderValue::from_str(&format!("multipart/related; boundary={boundary}"))
        .expect("the boundary is alphanumeric");
    Body {
        content_type,
        data: body.freeze(),
    }
}

/// 32 random alphanumerics after a fixed prefix: a collision with the content is unlikely,
/// and the callers check for it anyway.
pub(crate) fn random_boundary() -> String {
    let mut boundary = String::from("discogen_");
    boundary.extend(std::iter::repeat_with(fastrand::alphanumeric).take(32));
    boundary
}

/// A media download; send it with [`Download::send`]. It has no `queue`: media cannot be
/// batched.
#[must_use = "a download does nothing until it is sent"]
#[derive(Debug)]
pub struct Download {
    pub(crate) client: Client,
    pub(crate) request: RawRequest,
    /// `useMediaDownloadService`: send to `rootUrl/download/servicePath…`.
    pub(crate) use_download_service: bool,
}

impl Download {
    /// Sends the download (`alt=media`) and returns the media bytes.
    pub async fn send(self) -> Result<Response<Bytes>, Error> {
        let request = &self.request;
        request.check()?;
        let client = &self.client.inner;
        let mut url = if self.use_download_service {
            format!(
                "{}download/{}{}",
                client.root_url, client.api.service_path, request.path
            )
        } else {
            format!("{}{}", client.base_url, request.path)
        };
        let mut extra = vec![("alt", "media")];
        extra.extend(client.auth.key().map(|key| ("key", key)));
        // `alt` set on the call (e.g. `json`) would contradict the download.
        let query = request
            .query_with(&extra)
            .filter(|(name, value)| *name != "alt" || *value == "media");
        append_query(&mut url, query);
        let http_request = HttpRequest {
            method: request.method.clone(),
            url,
            headers: &request.headers,
            body: None,
            scopes: request.scopes,
        };
        let response = executor::send_single(client, &http_request).await?;
        Ok(Response {
            status: response.status,
            headers: response.headers,
            body: response.body,
        })
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
    fn media_is_checked_before_sending() {
        let upload = MediaUpload {
            simple_path: Some("upload/x".into()),
            resumable_path: None,
            accept: &["image/*"],
            max_size: Some(4),
        };
        let ok = Media::new("image/png", &b"abcd"[..]);
        assert!(check_media("m", &upload, &ok).is_ok());
        let too_big = Media::new("image/png", &b"abcde"[..]);
        let error = check_media("m", &upload, &too_big).unwrap_err().to_string();
        assert!(error.contains("at most 4 bytes, not 5"), "{error}");
        let wrong_type = Media::new("text/plain", &b"a"[..]);
        let error = check_media("m", &upload, &wrong_type)
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
        let content_type = body.content_type.to_str().unwrap();
        let boundary = content_type
            .strip_prefix("multipart/related; boundary=")
            .unwrap();
        let text = String::from_utf8(body.data.to_vec()).unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"x\"}}\r\n\
             --{boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
        );
        assert_eq!(text, expected);
    }
}
