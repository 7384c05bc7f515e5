//! Media download for single calls (`alt=media`; downloads cannot be batched): buffered
//! within the client's size limit, or streamed chunk by chunk; whole or a byte range.

use std::fmt;
use std::ops::{Bound, RangeBounds};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use futures_util::stream::{self, BoxStream, StreamExt as _};
use http::HeaderValue;
use http::header::RANGE;

use crate::call::{RawRequest, append_query};
use crate::client::ClientInner;
use crate::executor::{self, Deadline, HttpRequest, Opened, RawResponse, transport, within};
use crate::trace::Span;
use crate::{Client, Error, Response};

/// A media download; send it with [`Download::send`] (buffered) or [`Download::stream`]. It
/// has no `queue`: media cannot be batched.
///
/// ```no_run
/// # async fn example(
/// #     get: discogen_runtime::Call<serde_json::Value>,
/// # ) -> Result<(), Box<dyn std::error::Error>> {
/// use tokio::io::AsyncWriteExt as _;
/// // A generated builder's `download()` returns this. Everything from byte 1024 on, written
/// // to a file as it arrives:
/// let mut media = get.download(false).range(1024..).stream().await?;
/// let mut file = tokio::fs::File::create("tail.bin").await?;
/// while let Some(chunk) = media.body.next_chunk().await {
///     file.write_all(&chunk?).await?;
/// }
/// # Ok(()) }
/// ```
#[must_use = "a download does nothing until it is sent"]
#[derive(Debug)]
pub struct Download {
    pub(crate) client: Client,
    pub(crate) request: RawRequest,
    /// `useMediaDownloadService`: send to `rootUrl/download/servicePath…`.
    pub(crate) use_download_service: bool,
}

impl Download {
    /// Downloads only the bytes in `range` (offsets in the media, the end exclusive as in
    /// Rust: `0..1024`, `1024..`, `..=99`), with `Range: bytes=…`. The server answers
    /// `206 Partial Content` (with `Content-Range`), or `200` with the whole media when it
    /// ignores ranges; a range past the end is answered `416`, an [`Error::Api`].
    pub fn range(mut self, range: impl RangeBounds<u64>) -> Self {
        let start = match range.start_bound() {
            Bound::Included(&start) => Some(start),
            Bound::Excluded(&start) => start.checked_add(1),
            Bound::Unbounded => Some(0),
        };
        let last = match range.end_bound() {
            Bound::Included(&end) => Some(Some(end)),
            Bound::Excluded(&end) => end.checked_sub(1).map(Some),
            Bound::Unbounded => Some(None),
        };
        match (start, last) {
            (Some(start), Some(last)) if last.is_none_or(|last| last >= start) => {
                let value = match last {
                    Some(last) => format!("bytes={start}-{last}"),
                    None => format!("bytes={start}-"),
                };
                let value = HeaderValue::from_str(&value).expect("digits, `bytes=` and `-`");
                self.request.headers.insert(RANGE, value);
            }
            _ => self
                .request
                .invalidate("the download's byte range is empty".into()),
        }
        self
    }

    /// Sends the download and returns the media bytes, buffered whole within the client's
    /// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes) (larger media fail
    /// with [`Error::ResponseTooLarge`]; use [`stream`](Self::stream) for those).
    pub async fn send(self) -> Result<Response<Bytes>, Error> {
        let client = &self.client.inner;
        let request = self.http_request(client)?;
        let span = Span::download(client.api, request.method_id, false);
        let response = span
            .instrument(executor::send_single(client, &request))
            .await?;
        Ok(Response {
            status: response.status,
            headers: response.headers,
            body: response.body,
        })
    }

    /// Sends the download and returns as soon as the answer's head arrives (within the
    /// client's timeout, retries included); the media then arrives through the returned
    /// [`ByteStream`] a chunk at a time, never buffered whole, whatever its size. The client's
    /// timeout then limits the wait for each chunk.
    ///
    /// A non-2xx answer is an error here, as for [`send`](Self::send).
    pub async fn stream(self) -> Result<Response<ByteStream>, Error> {
        let client = &self.client.inner;
        let request = self.http_request(client)?;
        let span = Span::download(client.api, request.method_id, true);
        let opened = span
            .instrument(executor::open_single(client, &request, true, &span))
            .await?;
        Ok(match opened {
            Opened::Unread(response) => Response {
                status: response.status(),
                headers: response.headers().clone(),
                body: ByteStream::new(response, client.timeout),
            },
            // Only an answer that was not to be streamed is read; pass it on as it is.
            Opened::Read(RawResponse {
                status,
                headers,
                body,
            }) => Response {
                status,
                headers,
                body: ByteStream::from_bytes(body),
            },
        })
    }

    /// The request: `alt=media`, on the download service when the document asks for it.
    fn http_request<'r>(&'r self, client: &ClientInner) -> Result<HttpRequest<'r>, Error> {
        let request = &self.request;
        request.check()?;
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
        Ok(HttpRequest {
            method: request.method.clone(),
            url,
            headers: &request.headers,
            body: None,
            scopes: request.scopes,
            method_id: request.method_id,
        })
    }
}

/// The body of a streamed download: a [`Stream`] of chunks as they arrive. It ends after the
/// last chunk, or after the first error (a broken connection, a timeout waiting for a chunk).
pub struct ByteStream {
    chunks: BoxStream<'static, Result<Bytes, Error>>,
}

impl ByteStream {
    fn new(response: reqwest::Response, timeout: Option<Duration>) -> Self {
        let chunks = stream::unfold(Some(response), move |response| async move {
            let mut response = response?;
            let deadline = timeout.map(Deadline::after);
            let next = within(deadline, async {
                response.chunk().await.map_err(transport)
            })
            .await;
            match next {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                Ok(None) => None,
                // Nothing follows an error.
                Err(error) => Some((Err(error), None)),
            }
        });
        ByteStream {
            chunks: chunks.boxed(),
        }
    }

    fn from_bytes(body: Bytes) -> Self {
        let chunks = (!body.is_empty()).then_some(Ok(body));
        ByteStream {
            chunks: stream::iter(chunks).boxed(),
        }
    }

    /// The next chunk; `None` at the end. (The same as `StreamExt::next`, without importing
    /// it.)
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        self.chunks.next().await
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.chunks.poll_next_unpin(cx)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream").finish_non_exhaustive()
    }
}
