//! One API call: what generated request builders wrap.

use std::marker::PhantomData;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

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

/// Where and what a method accepts for media upload (`mediaUpload` in the document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaUpload {
    /// Expanded `protocols.simple.path`, relative to rootUrl (`upload/storage/v1/b/x/o`).
    pub simple_path: Option<String>,
    /// Expanded `protocols.resumable.path`, relative to rootUrl.
    pub resumable_path: Option<String>,
    /// Accepted media types (`*/*`, `image/*`, …).
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
        Media { content_type: content_type.into(), data: data.into() }
    }
}

/// The request a [`Call`] will send; not generic, so the machinery behind it is compiled once.
#[derive(Clone, Debug)]
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

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.request.method)
            .field("id", &self.request.method_id)
            .field("path", &self.request.path)
            .field("query", &self.request.query)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + 'static> Call<T> {
    /// A call of `method` on `path` (expanded, relative to rootUrl + servicePath).
    pub fn new(
        client: &Client,
        method: Method,
        method_id: &'static str,
        path: String,
        scopes: &'static [&'static str],
    ) -> Self {
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
                invalid: None,
            },
            upload: None,
            response: PhantomData,
        }
    }

    /// Sets the JSON request body.
    pub fn json_body<B: Serialize>(&mut self, body: &B) {
        let _ = body;
        todo!("runtime: serialise the body")
    }

    /// Sets a query parameter, replacing an earlier value of it.
    pub fn set_query(&mut self, name: &'static str, value: impl Into<String>) {
        let _ = (name, value.into());
        todo!("runtime: set_query")
    }

    /// Sets a repeated query parameter (`name=a&name=b`), replacing earlier values of it.
    pub fn set_query_repeated<I>(&mut self, name: &'static str, values: I)
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let _ = (name, values.into_iter().map(Into::into).collect::<Vec<String>>());
        todo!("runtime: set_query_repeated")
    }

    /// Sets a header of this call only (in a batch: inside its part, overriding the outer one).
    /// A value containing CR or LF makes the call invalid.
    pub fn set_header(&mut self, name: HeaderName, value: impl Into<String>) {
        let _ = (name, value.into());
        todo!("runtime: set_header")
    }

    /// Declares that the method accepts media upload (generated code does this for methods
    /// with `mediaUpload`).
    pub fn set_media_upload(&mut self, upload: MediaUpload) {
        self.upload = Some(upload);
    }

    /// Sends the call alone.
    pub async fn send(self) -> Result<Response<T>, Error> {
        todo!("runtime: send")
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

    /// Turns the call into a media upload (single calls only: an [`Upload`] cannot be queued).
    pub fn upload(self, media: Media) -> Upload<T> {
        Upload { call: self, media }
    }

    /// Turns the call into a media download (`alt=media`); `use_download_service` routes it
    /// through `rootUrl/download/…` as the document asks with `useMediaDownloadService`.
    pub fn download(self, use_download_service: bool) -> Download {
        let _ = use_download_service;
        todo!("runtime: download")
    }
}

/// A media upload; send it with [`Upload::send`]. It has no `queue`: media cannot be batched.
#[must_use = "an upload does nothing until it is sent"]
pub struct Upload<T> {
    pub(crate) call: Call<T>,
    pub(crate) media: Media,
}

impl<T: DeserializeOwned + 'static> Upload<T> {
    /// Sends the upload.
    pub async fn send(self) -> Result<Response<T>, Error> {
        todo!("runtime: upload send")
    }
}

/// A media download; send it with [`Download::send`]. It has no `queue`: media cannot be
/// batched.
#[must_use = "a download does nothing until it is sent"]
pub struct Download {
    pub(crate) client: Client,
    pub(crate) request: RawRequest,
}

impl Download {
    /// Sends the download and returns the media bytes.
    pub async fn send(self) -> Result<Response<Bytes>, Error> {
        todo!("runtime: download send")
    }
}
